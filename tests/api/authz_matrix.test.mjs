/*
 * authz_matrix.test.mjs - the authorization matrix: every route of
 * src/api/routes.c × every role (and no session) × the position of the object
 * it names (in the grid worker's grid, elsewhere in the same street, in
 * another street, nonexistent), with the expected answer computed from one
 * written policy:
 *
 *   no session on a non-public route        401 unauthenticated
 *   a role the route's permission lacks     403 forbidden
 *   an object outside the caller's scope    404, exactly like a nonexistent one
 *   otherwise                               the route's success answers
 *
 * The table ROUTES below must have an entry for every row of routes.c and no
 * other: a new route without an entry fails the first test. Then a canary — a
 * unique marker in the title, description and address of an event in another
 * street — must never appear in any GET answer to a street-1 or grid user,
 * and server-owned fields (org, state, assignee, reporter, scores, ids, times)
 * sent by a client are refused on create and on actions, and change nothing.
 *
 * Scope, as the demo district and this file's extra users give it:
 *   district: admin, security, auditor, centre, leader, handler (330108D01),
 *             inspector (330108D02): department users work across the parent
 *   street 1: mediator (330108001D01), street.centre, street.security
 *   grid G1:  gridworker
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { assertErrorBody, GOOD_PASSWORD, interiorPoint, startServer } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const routesC = readFileSync(path.join(here, '../../src/api/routes.c'), 'utf8');
const TABLE = [...routesC.matchAll(/\{\s*"([A-Z]+)",\s*"([^"]+)",\s*h_\w+,/g)].map((m) => `${m[1]} ${m[2]}`);

const CANARY = 'CANARY-7f3a9c';
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('a small png body')]);

const DISTRICT_ROLES = ['admin', 'security', 'auditor', 'centre', 'leader', 'handler', 'inspector'];
const STREET_ROLES = ['mediator', 'street.centre', 'street.security'];
const ROLES = [...DISTRICT_ROLES, ...STREET_ROLES, 'gridworker', null /* no session */];
const SCOPE = Object.fromEntries([...DISTRICT_ROLES.map((r) => [r, 'district']),
	...STREET_ROLES.map((r) => [r, 'street']), ['gridworker', 'grid']]);
const ADMINS = ['admin', 'security', 'street.security'];

/* Positions: g1 (the grid worker's grid), s1 (another grid of street 1),
 * s2 (street 2), own (an event in street 2 the grid worker reported: the
 * reporter sees it), none (no such object). */
function inScope(role, pos) {
	if (pos === 'none' || !role)
		return false;
	const sc = SCOPE[role];
	return pos === 'g1' || (pos === 's1' && sc !== 'grid') || (pos === 's2' && sc === 'district') ||
		(pos === 'district' && sc === 'district') ||
		(pos === 'own' && (sc === 'district' || role === 'gridworker'));
}

let srv;
const fx = {}; /* fixtures: ids and codes */

/*
 * The table. gate: 'public', 'login' or the roles allowed. objects: position
 * -> the value put in the path (a function of the fixtures); visible(role,
 * pos): default inScope. req(value, role, i): {path, body, raw, headers}. ok:
 * the statuses a caller who passes the gate and sees the object may get.
 * fresh: the call ends the session, so it gets its own.
 */
const ROUTES = {
	'GET /healthz': { gate: 'public', req: () => ({ path: '/healthz' }), ok: [200] },
	'GET /metrics': { gate: 'public', req: () => ({ path: '/metrics' }), ok: [200] },
	'POST /api/v1/auth/login': { gate: 'public',
		req: () => ({ path: '/api/v1/auth/login', body: { username: 'nobody.here', password: 'Wrong-pass-123' } }),
		ok: [401] },
	'POST /api/v1/auth/logout': { gate: 'login', fresh: true, req: () => ({ path: '/api/v1/auth/logout' }), ok: [200] },
	'GET /api/v1/me': { gate: 'login', req: () => ({ path: '/api/v1/me' }), ok: [200] },
	'POST /api/v1/me/password': { gate: 'login', req: () => ({ path: '/api/v1/me/password', body: {} }), ok: [400] },
	'POST /api/v1/me/totp': { gate: 'login', req: () => ({ path: '/api/v1/me/totp' }), ok: [200] },
	'POST /api/v1/me/totp/confirm': { gate: 'login',
		req: () => ({ path: '/api/v1/me/totp/confirm', body: { otp: 'abcdef' } }), ok: [400] },
	'GET /api/v1/orgs': { gate: 'login', req: () => ({ path: '/api/v1/orgs' }), ok: [200] },
	'GET /api/v1/orgs/{code}': { gate: 'login', objects: () => fx.orgs,
		req: (code) => ({ path: `/api/v1/orgs/${code}` }), ok: [200] },
	'GET /api/v1/orgs/{code}/children': { gate: 'login', objects: () => fx.orgs,
		req: (code) => ({ path: `/api/v1/orgs/${code}/children` }), ok: [200] },
	'GET /api/v1/orgs/{code}/grids': { gate: 'login', objects: () => fx.orgs,
		req: (code) => ({ path: `/api/v1/orgs/${code}/grids` }), ok: [200] },
	'GET /api/v1/locate': { gate: 'login',
		req: () => ({ path: `/api/v1/locate?lon=${fx.points.g1[0]}&lat=${fx.points.g1[1]}` }), ok: [200] },
	'GET /api/v1/users': { gate: ADMINS, req: () => ({ path: '/api/v1/users' }), ok: [200] },
	'POST /api/v1/users': { gate: ADMINS,
		req: (_, role, i) => ({ path: '/api/v1/users', body: { username: `mx.${i}`, display_name: 'm',
			org: fx.g1, roles: ['leader'], password: GOOD_PASSWORD } }), ok: [201] },
	'POST /api/v1/users/{id}/disable': { gate: ADMINS, objects: () => fx.users,
		req: (id) => ({ path: `/api/v1/users/${id}/disable` }), ok: [200] },
	'POST /api/v1/users/{id}/totp/reset': { gate: ADMINS, objects: () => fx.users,
		req: (id) => ({ path: `/api/v1/users/${id}/totp/reset` }), ok: [409] /* none enrolled */ },
	'GET /api/v1/inbox': { gate: 'login', req: () => ({ path: '/api/v1/inbox' }), ok: [200] },
	'POST /api/v1/inbox/{id}/read': { gate: 'login', objects: () => ({ own: fx.note, none: 99999999 }),
		visible: (role, pos) => pos === 'own' && role === fx.noteOwner,
		req: (id) => ({ path: `/api/v1/inbox/${id}/read` }), ok: [200] },
	'POST /api/v1/inbox/read-all': { gate: 'login', req: () => ({ path: '/api/v1/inbox/read-all' }), ok: [200] },
	'POST /api/v1/test/clock': { gate: ['admin'],
		req: () => ({ path: '/api/v1/test/clock', body: { advance_s: 0 } }), ok: [200] },
	'POST /api/v1/test/scheduler': { gate: ['admin'], req: () => ({ path: '/api/v1/test/scheduler' }), ok: [200] },
	'GET /api/v1/stats/events': { gate: 'login', req: () => ({ path: '/api/v1/stats/events' }), ok: [200] },
	'GET /api/v1/calendar': { gate: 'login', req: () => ({ path: '/api/v1/calendar' }), ok: [200] },
	'PUT /api/v1/calendar/{year}': { gate: ['admin'], objects: () => ({ any: 2031 }), visible: () => true,
		req: (y) => ({ path: `/api/v1/calendar/${y}`, body: { days: [] } }), ok: [200, 400] },
	'GET /api/v1/categories': { gate: 'login', req: () => ({ path: '/api/v1/categories' }), ok: [200] },
	'POST /api/v1/webhooks': { gate: ['admin'],
		req: () => ({ path: '/api/v1/webhooks', body: { org: '330108D01', url: 'http://127.0.0.1:9/hook',
			kinds: ['assigned'] } }), ok: [201] },
	'GET /api/v1/webhooks': { gate: ['admin'], req: () => ({ path: '/api/v1/webhooks' }), ok: [200] },
	'POST /api/v1/webhooks/{id}/disable': { gate: ['admin'],
		objects: () => ({ district: fx.hook, none: 99999999 }),
		req: (id) => ({ path: `/api/v1/webhooks/${id}/disable` }), ok: [200] },
	'GET /api/v1/webhooks/{id}/deliveries': { gate: ['admin'],
		objects: () => ({ district: fx.hook, none: 99999999 }),
		req: (id) => ({ path: `/api/v1/webhooks/${id}/deliveries` }), ok: [200] },
	'PUT /api/v1/categories/{code}': { gate: ['admin'], objects: () => ({ any: '0101', none: '9999' }),
		visible: (role, pos) => pos === 'any',
		req: (code) => ({ path: `/api/v1/categories/${code}`, body: { name: '私搭乱建' } }), ok: [200] },
	'GET /api/v1/categories/{code}/history': { gate: ['admin'], objects: () => ({ any: '0101', none: '9999' }),
		visible: (role, pos) => pos === 'any',
		req: (code) => ({ path: `/api/v1/categories/${code}/history` }), ok: [200] },
	'POST /api/v1/events/{id}/attachments': { gate: 'login', objects: () => fx.events,
		req: (id) => ({ path: `/api/v1/events/${id}/attachments`, raw: PNG,
			headers: { 'content-type': 'application/octet-stream' } }), ok: [201] },
	'GET /api/v1/events/{id}/attachments': { gate: 'login', objects: () => fx.events,
		req: (id) => ({ path: `/api/v1/events/${id}/attachments` }), ok: [200] },
	'GET /api/v1/attachments/{id}': { gate: 'login', objects: () => fx.attachments,
		req: (id) => ({ path: `/api/v1/attachments/${id}` }), ok: [200] },
	'POST /api/v1/events': { gate: 'login',
		req: (_, role, i) => ({ path: '/api/v1/events', body: { category: '0102', title: `matrix ${i}`,
			address: 'G1', lon: fx.points.g1[0], lat: fx.points.g1[1] } }), ok: [201] },
	'GET /api/v1/events': { gate: 'login', req: () => ({ path: '/api/v1/events' }), ok: [200] },
	'GET /api/v1/events/{id}': { gate: 'login', objects: () => fx.events,
		req: (id) => ({ path: `/api/v1/events/${id}` }), ok: [200] },
	'GET /api/v1/events/{id}/timeline': { gate: 'login', objects: () => fx.events,
		req: (id) => ({ path: `/api/v1/events/${id}/timeline` }), ok: [200] },
	/* 'accept' belongs to handlers in state dispatched: the s1 event was dispatched to
	 * the handler's department, who accepts it once (200); otherwise the engine answers
	 * 403 (role) or 409 (state) — but never for an event out of sight */
	'POST /api/v1/events/{id}/actions/{action}': { gate: 'login', objects: () => fx.events,
		req: (id) => ({ path: `/api/v1/events/${id}/actions/accept`, body: {} }), ok: [403, 409],
		okFor: { handler: [200, 409] } },
	/* the reporter's contact in the clear: pii_reveal_roles (default centre) inside the
	 * scope; anyone else is answered like a missing event */
	'POST /api/v1/events/{id}/personal': { gate: 'login', objects: () => fx.events,
		visible: (role, pos) => ['centre', 'street.centre'].includes(role) && inScope(role, pos),
		req: (id) => ({ path: `/api/v1/events/${id}/personal`, body: { reason: 'authorization matrix check' } }),
		ok: [200] },
	'GET /api/v1/events/{id}/personal/reads': { gate: ['security', 'auditor', 'street.security'],
		objects: () => fx.events, req: (id) => ({ path: `/api/v1/events/${id}/personal/reads` }), ok: [200] },
	'POST /api/v1/api-keys': { gate: ADMINS,
		req: () => ({ path: '/api/v1/api-keys', body: { name: 'matrix', jurisdiction: '330108' } }),
		ok: [201], okFor: { 'street.security': [400] } /* the district is outside its scope */ },
	'GET /api/v1/api-keys': { gate: ADMINS, req: () => ({ path: '/api/v1/api-keys' }), ok: [200] },
	'POST /api/v1/api-keys/{id}/revoke': { gate: ADMINS, objects: () => ({ district: fx.key, none: 99999999 }),
		req: (id) => ({ path: `/api/v1/api-keys/${id}/revoke` }), ok: [200, 409] },
	/* Open311: public; staff-made events are not citizen requests: 404 like none */
	'GET /open311/v2/discovery.json': { gate: 'public', req: () => ({ path: '/open311/v2/discovery.json' }), ok: [200] },
	'GET /open311/v2/discovery.xml': { gate: 'public', req: () => ({ path: '/open311/v2/discovery.xml' }), ok: [200] },
	'GET /open311/v2/services.json': { gate: 'public', req: () => ({ path: '/open311/v2/services.json' }), ok: [200] },
	'GET /open311/v2/services.xml': { gate: 'public', req: () => ({ path: '/open311/v2/services.xml' }), ok: [200] },
	'GET /open311/v2/services/{code}': { gate: 'public', objects: () => ({ any: '0101.json', none: '9999.json' }),
		visible: (role, pos) => pos === 'any', req: (c) => ({ path: `/open311/v2/services/${c}` }), ok: [200] },
	'GET /open311/v2/requests.json': { gate: 'public', req: () => ({ path: '/open311/v2/requests.json' }), ok: [200] },
	'GET /open311/v2/requests.xml': { gate: 'public', req: () => ({ path: '/open311/v2/requests.xml' }), ok: [200] },
	'POST /open311/v2/requests.json': { gate: 'public', req: () => ({ path: '/open311/v2/requests.json',
		raw: 'service_code=0102', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
		ok: [403] /* no api_key */ },
	'POST /open311/v2/requests.xml': { gate: 'public', req: () => ({ path: '/open311/v2/requests.xml',
		raw: 'service_code=0102', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
		ok: [403] },
	'GET /open311/v2/requests/{id}': { gate: 'public', objects: () => fx.events, visible: () => false,
		req: (id) => ({ path: `/open311/v2/requests/${id}.json` }), ok: [200] },
	'GET /open311/v2/tokens/{token}': { gate: 'public', objects: () => ({ none: '0123456789abcdef.json' }),
		req: (t) => ({ path: `/open311/v2/tokens/${t}` }), ok: [200] },
};

/* ---- fixtures ----------------------------------------------------------- */

async function ok(res, status = 200) {
	assert.equal(res.status, status, `${res.method} ${res.path}: ${res.text.slice(0, 300)}`);
	return res.json;
}

async function addUser(username, org, roles) {
	const u = await ok(await srv.api('POST', '/api/v1/users', { as: 'admin', body: { username,
		display_name: username, org, roles, password: GOOD_PASSWORD } }), 201);
	srv.accounts[username] = GOOD_PASSWORD;
	return u.id;
}

async function gridsOf(code) {
	return (await ok(await srv.api('GET', `/api/v1/orgs/${code}/grids`, { as: 'admin' }))).features;
}

async function newEvent(as, pos, title, extra = {}) {
	const [lon, lat] = fx.points[pos];
	const e = await ok(await srv.api('POST', '/api/v1/events', { as, body: { category: '0102', title,
		address: `${pos} address`, lon, lat, reporter: { name: '测试某某甲', phone: '19900001111' },
		...extra } }), 201);
	return e.id;
}

before(async () => {
	srv = await startServer({ env: { PINGAN_TEST_CLOCK: 'true', PINGAN_IP_FAIL_LIMIT: 1000000 } });
	const me = await ok(await srv.api('GET', '/api/v1/me', { as: 'gridworker' }));
	fx.g1 = me.org;
	const s1 = await gridsOf('330108001'), s2 = await gridsOf('330108002');
	const f1 = s1.find((f) => f.properties.code === fx.g1);
	const f2 = s1.find((f) => f.properties.code !== fx.g1);
	const f3 = s2[0];
	fx.g2 = f2.properties.code;
	fx.g3 = f3.properties.code;
	fx.points = { g1: interiorPoint(f1.geometry), s1: interiorPoint(f2.geometry), s2: interiorPoint(f3.geometry) };
	fx.orgs = { g1: fx.g1, s1: fx.g2, s2: '330108002', none: '330108999' };
	await addUser('street.security', '330108001', ['security_admin']);
	await addUser('street2.centre', '330108002', ['centre']);
	fx.users = { g1: await addUser('target.g1', fx.g1, ['leader']),
		s1: await addUser('target.s1', fx.g2, ['leader']),
		s2: await addUser('target.s2', fx.g3, ['leader']), none: 99999999 };
	fx.events = { g1: await newEvent('gridworker', 'g1', 'matrix g1'),
		s1: await newEvent('street.centre', 's1', 'matrix s1'),
		s2: await newEvent('street2.centre', 's2', `${CANARY} title`, { description: `${CANARY} description`,
			address: `${CANARY} 号`, reporter: { name: '测试某某丙', phone: '19900002222',
				address: `${CANARY} 住址` } }),
		own: await newEvent('gridworker', 's2', 'matrix own, reported outside the grid'), none: 99999999 };
	fx.attachments = { none: 99999999 };
	for (const [pos, as] of [['g1', 'gridworker'], ['s1', 'street.centre'], ['s2', 'street2.centre']]) {
		const a = await ok(await srv.api('POST', `/api/v1/events/${fx.events[pos]}/attachments`, { as, raw: PNG,
			headers: { 'content-type': 'application/octet-stream' } }), 201);
		fx.attachments[pos] = a.id;
	}
	/* a notification: street 1's event dispatched to the handler's department */
	await ok(await srv.api('POST', `/api/v1/events/${fx.events.s1}/actions/register`, { as: 'centre', body: {} }));
	await ok(await srv.api('POST', `/api/v1/events/${fx.events.s1}/actions/dispatch`, { as: 'centre',
		body: { assignee: '330108D01' } }));
	const inbox = await ok(await srv.api('GET', '/api/v1/inbox', { as: 'handler' }));
	assert.ok(inbox.items.length > 0, 'the handler was notified');
	fx.note = inbox.items[0].id;
	fx.noteOwner = 'handler';
	fx.hook = (await ok(await srv.api('POST', '/api/v1/webhooks', { as: 'admin', body: { org: '330108D01',
		url: 'http://127.0.0.1:9/hook', kinds: ['assigned'] } }), 201)).id;
	fx.key = (await ok(await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
		body: { name: 'fixture', jurisdiction: '330108' } }), 201)).id;
});

after(async () => {
	await srv?.stop();
});

/* ---- the matrix --------------------------------------------------------- */

test('every route in routes.c has an entry in the matrix, and every entry a route', () => {
	assert.ok(TABLE.length >= 40, `routes.c parsed: ${TABLE.length} routes`);
	const missing = TABLE.filter((r) => !ROUTES[r]);
	assert.deepEqual(missing, [], `routes without an authorization case: ${missing.join(', ')}`);
	const stale = Object.keys(ROUTES).filter((r) => !TABLE.includes(r));
	assert.deepEqual(stale, [], `matrix entries without a route: ${stale.join(', ')}`);
});

function expected(entry, role, pos) {
	if (entry.gate !== 'public') {
		if (!role)
			return { status: [401], code: 'unauthenticated' };
		if (entry.gate !== 'login' && !entry.gate.includes(role))
			return { status: [403], code: 'forbidden' };
	}
	if (pos !== undefined) {
		const visible = entry.visible ? entry.visible(role, pos) : inScope(role, pos);
		if (!visible)
			return { status: [404], hidden: pos !== 'none' };
	}
	return { status: entry.okFor?.[role] ?? entry.ok };
}

let seq = 0;
async function call(entry, role, value) {
	const i = ++seq;
	const r = entry.req(value, role, i);
	let token;
	if (role)
		token = entry.fresh ? (await srv.login(role)).token : (await srv.session(role)).token;
	return srv.api(r.method ?? entry.route.split(' ')[0], r.path, { token, body: r.body, raw: r.raw,
		headers: r.headers });
}

/* An error's message with the named value taken out, to compare a hidden
 * object's answer with a missing one's. */
function shape(res, value) {
	const v = String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const b = res.text.replace(new RegExp(`(?<![0-9A-Za-z])${v}(?![0-9A-Za-z])`, 'g'), '{}');
	return JSON.stringify({ s: res.status, b });
}

for (const [route, entry] of Object.entries(ROUTES)) {
	entry.route = route;
	test(`authorization: ${route}`, async () => {
		const objects = entry.objects ? entry.objects() : null;
		const failures = [];
		for (const role of ROLES) {
			const positions = objects ? Object.keys(objects) : [undefined];
			const answers = {};
			for (const pos of positions) {
				const value = objects ? objects[pos] : undefined;
				const res = await call(entry, role, value);
				answers[pos] = { res, value };
				const want = expected(entry, role, pos);
				if (!want.status.includes(res.status)) {
					failures.push(`${role ?? 'anonymous'} ${pos ?? ''}: ${res.status} (want ${want.status}) ` +
						res.text.slice(0, 160));
					continue;
				}
				if (res.status >= 400 && !route.includes('/open311/'))
					assertErrorBody(res, want.code);
			}
			/* a hidden object answers exactly like a missing one */
			if (objects && answers.none) {
				for (const pos of positions) {
					if (pos === 'none' || expected(entry, role, pos).hidden !== true)
						continue;
					const a = shape(answers[pos].res, answers[pos].value);
					const b = shape(answers.none.res, answers.none.value);
					if (a !== b)
						failures.push(`${role} ${pos}: hidden answers ${a}, missing answers ${b}`);
				}
			}
		}
		assert.deepEqual(failures, [], `${route}:\n${failures.join('\n')}`);
	});
}

test('every path answers 405 with Allow for a method it does not take, to anyone', async () => {
	const byPattern = new Map();
	for (const r of TABLE) {
		const [m, p] = r.split(' ');
		if (!byPattern.has(p))
			byPattern.set(p, new Set());
		byPattern.get(p).add(m);
	}
	const fill = (p) => p.replace('{code}', '330108').replace('{id}', '1').replace('{action}', 'register')
		.replace('{year}', '2026').replace('{token}', 'x.json');
	const failures = [];
	for (const [p, methods] of byPattern) {
		for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
			if (methods.has(m))
				continue;
			for (const as of [undefined, 'gridworker']) {
				const res = await srv.api(m, fill(p), { as });
				const allow = (res.headers.get('allow') ?? '').split(/,\s*/).sort().join(',');
				if (res.status !== 405 || allow !== [...methods].sort().join(','))
					failures.push(`${m} ${p} as ${as ?? 'anonymous'}: ${res.status} Allow: ${allow}`);
			}
		}
	}
	assert.deepEqual(failures, []);
});

/* ---- the canary --------------------------------------------------------- */

describe('a personal value in street 2 never reaches street 1 or grid users', () => {
	const viewers = ['mediator', 'street.centre', 'street.security', 'gridworker'];

	function getPaths() {
		const out = [];
		for (const [route, entry] of Object.entries(ROUTES)) {
			if (!route.startsWith('GET '))
				continue;
			const objects = entry.objects ? entry.objects() : { x: undefined };
			for (const v of Object.values(objects))
				out.push(entry.req(v, null, 0).path);
		}
		/* lists with every filter that could reach it */
		for (const q of [`q=${CANARY}`, 'q=CANARY', `org=330108002`, `grid=${fx.g3}`, 'state=reported',
			'limit=100', `cursor=${fx.events.s2 + 1}`, 'category=0102'])
			out.push(`/api/v1/events?${q}`);
		out.push(`/api/v1/orgs?root=330108002`, '/api/v1/orgs?depth=4', '/api/v1/orgs/330108/grids',
			`/api/v1/locate?lon=${fx.points.s2[0]}&lat=${fx.points.s2[1]}`, '/api/v1/stats/events?org=330108002',
			'/api/v1/users', '/open311/v2/requests.json?status=open', '/open311/v2/requests.xml');
		return out;
	}

	test('the canary is there for a district user (the check can fail)', async () => {
		const res = await srv.api('GET', `/api/v1/events/${fx.events.s2}`, { as: 'centre' });
		assert.equal(res.status, 200);
		assert.ok(res.text.includes(CANARY));
		const list = await srv.api('GET', `/api/v1/events?q=${CANARY}`, { as: 'leader' });
		assert.ok(list.text.includes(CANARY));
		const clear = await srv.api('POST', `/api/v1/events/${fx.events.s2}/personal`, { as: 'centre',
			body: { reason: 'canary check' } });
		assert.equal(clear.status, 200, clear.text);
		assert.ok(clear.text.includes(CANARY), 'the reporter address carries it too');
	});

	for (const who of viewers) {
		test(`no GET answer to ${who} carries it`, async () => {
			const paths = getPaths();
			assert.ok(paths.length > 30);
			for (const p of paths) {
				const res = await srv.api('GET', p, { as: who });
				assert.ok(!res.text.includes(CANARY), `${who} GET ${p} -> ${res.status} shows the canary`);
				assert.ok(!res.text.includes(`"id":${fx.events.s2},`) || !p.includes('/events'),
					`${who} GET ${p} lists the street-2 event`);
			}
		});
	}

	test('nor the duplicates offered when reporting at the same spot', async () => {
		const [lon, lat] = fx.points.s2;
		const body = { category: '0102', title: 'same spot', address: 'x', lon, lat };
		for (const who of viewers) {
			const res = await srv.api('POST', '/api/v1/events', { as: who, body });
			assert.equal(res.status, 201, res.text);
			assert.ok(!res.text.includes(CANARY), `${who}: the duplicates show the canary`);
			assert.ok(!res.json.duplicates.some((d) => d.id === fx.events.s2), `${who}: offered as duplicate`);
		}
		const centre = await srv.api('POST', '/api/v1/events', { as: 'centre', body });
		assert.ok(centre.json.duplicates.some((d) => d.id === fx.events.s2),
			'a district user is offered it (the check can fail)');
	});

	test('nor an anonymous caller', async () => {
		for (const p of getPaths()) {
			const res = await srv.api('GET', p);
			assert.ok(!res.text.includes(CANARY), `GET ${p} -> ${res.status} shows the canary`);
		}
	});
});

/* ---- server-owned fields ------------------------------------------------ */

describe('server-owned fields sent by a client are refused and change nothing', () => {
	const OWNED = { org: '330108002', state: 'closed', assignee: '330108D01', reporter_id: 1, created_by: 1, creator: 'admin', score: 100, scores: {}, id: 424242,
		version: 9, created_at: '2020-01-01T00:00:00Z', grid: '330108002001001', source: 'centre',
		deadline: 0, overdue: false, rework_count: 0 };

	test('on event create', async () => {
		const before = (await srv.api('GET', '/api/v1/events?limit=1', { as: 'admin' })).json.total;
		for (const [k, v] of Object.entries(OWNED)) {
			const res = await srv.api('POST', '/api/v1/events', { as: 'gridworker', body: { category: '0102',
				title: 'owned', lon: fx.points.g1[0], lat: fx.points.g1[1], [k]: v } });
			assert.equal(res.status, 400, `${k}: ${res.text}`);
			assertErrorBody(res, 'invalid_value');
			assert.match(res.json.error.message, new RegExp(`'${k}' is not accepted`));
		}
		assert.equal((await srv.api('GET', '/api/v1/events?limit=1', { as: 'admin' })).json.total, before);
	});

	test('on event actions', async () => {
		const id = fx.events.g1;
		const was = (await srv.api('GET', `/api/v1/events/${id}`, { as: 'centre' })).json;
		for (const [k, v] of Object.entries(OWNED)) {
			if (k === 'version' || k === 'assignee')
				continue; /* inputs of some actions: an expected version, a dispatch target */
			const res = await srv.api('POST', `/api/v1/events/${id}/actions/register`, { as: 'centre',
				body: { [k]: v } });
			assert.equal(res.status, 400, `${k}: ${res.text}`);
			assertErrorBody(res, 'invalid_value');
		}
		const now = (await srv.api('GET', `/api/v1/events/${id}`, { as: 'centre' })).json;
		assert.equal(now.state, was.state);
		assert.equal(now.version, was.version);
		assert.deepEqual(now.timeline, was.timeline);
	});

	test('on user, API key and webhook creation', async () => {
		const base = { username: 'owned.user', display_name: 'o', org: fx.g1, roles: ['leader'],
			password: GOOD_PASSWORD };
		for (const [k, v] of Object.entries({ id: 5, disabled: false, locked: false, created_at: 1,
			failed_logins: 0, password_hash: 'x', totp: true, scope: '330108' })) {
			const res = await srv.api('POST', '/api/v1/users', { as: 'admin', body: { ...base, [k]: v } });
			assertErrorBody(res, 'invalid_value');
		}
		for (const [k, v] of Object.entries({ created_by: 1, key: 'ab', uses: 0, revoked_at: 0, id: 1 }))
			assertErrorBody(await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
				body: { name: 'o', jurisdiction: '330108', [k]: v } }), 'invalid_value');
		for (const [k, v] of Object.entries({ created_by: 1, id: 1, enabled: true, secret: 'x' }))
			assertErrorBody(await srv.api('POST', '/api/v1/webhooks', { as: 'admin',
				body: { org: '330108D01', url: 'http://127.0.0.1:9/h', kinds: ['assigned'], [k]: v } }), 'invalid_value');
		const users = (await srv.api('GET', '/api/v1/users', { as: 'admin' })).json.items;
		assert.ok(!users.some((u) => u.username === 'owned.user'));
	});
});
