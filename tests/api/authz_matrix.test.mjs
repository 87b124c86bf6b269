/*
 * authz_matrix.test.mjs - the authorization matrix: every route of
 * src/api/routes.c × every role (and no session) × the position of the object
 * it names (in the grid worker's grid, elsewhere in the same street, in
 * another street, nonexistent), with the expected answer computed from one
 * written policy:
 *
 *   no session on a non-public route        401 unauthenticated
 *   a role the route's permission lacks     403 forbidden
 *   the audit administrator, on any route   403 forbidden
 *     but the audit routes and their own session (ROUTE_SELF)
 *   an object outside the caller's scope    404 (or the route's answer for a
 *                                           missing one), exactly like a
 *                                           nonexistent one
 *   otherwise                               the route's success answers
 *
 * The table ROUTES below must have an entry for every row of routes.c and no
 * other: a new route without an entry fails the first test. Then a canary — a
 * unique marker in the title, description and address of an event in another
 * street — must never appear in any GET answer (nor the event stream) to a
 * street-1 or grid user, and server-owned fields (org, state, assignee,
 * reporter, scores, ids, times) sent by a client are refused on create and on
 * actions, and change nothing.
 *
 * Scope, as the demo district and this file's extra users give it:
 *   district: admin, security, auditor, centre, leader, handler (330108D01),
 *             inspector (330108D02), assessor: department users work across
 *             the parent
 *   street 1: mediator (330108001D01), street.centre, street.security,
 *             street.leader
 *   grid G1:  gridworker
 * Three-way separation: accounts are the security administrators' (security,
 * street.security), the system administrator (admin) runs the system, the
 * audit administrator (auditor) reads the audit log and nothing else.
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
/* the title of the event the grid worker reported in street 2: theirs and the
 * district's to see, no other street-1 user's */
const OWN_MARK = 'OWNMARK-41b7';
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('a small png body')]);

const DISTRICT_ROLES = ['admin', 'security', 'auditor', 'centre', 'leader', 'handler', 'inspector', 'assessor'];
const STREET_ROLES = ['mediator', 'street.centre', 'street.security', 'street.leader'];
const ROLES = [...DISTRICT_ROLES, ...STREET_ROLES, 'gridworker', null /* no session */];
const SCOPE = Object.fromEntries([...DISTRICT_ROLES.map((r) => [r, 'district']),
	...STREET_ROLES.map((r) => [r, 'street']), ['gridworker', 'grid']]);
/* the users holding the roles routes.c names */
const ADMINS = ['admin', 'security', 'street.security']; /* ADMINS */
const SECURITY = ['security', 'street.security']; /* SECURITY */
const AUDITOR = ['auditor']; /* AUDITOR */
const DECIDERS = ['assessor', 'leader', 'street.leader']; /* ROLE(ASSESSOR) | ROLE(LEADER) */

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

/* The system and audit administrators' accounts (district): positions of the
 * user administration routes. */
const OPERATOR = ['admin', 'auditor'];
function userVisible(role, pos) {
	return OPERATOR.includes(pos) ? SCOPE[role] === 'district' : inScope(role, pos);
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
	'POST /api/v1/auth/logout': { gate: 'login', self: true, fresh: true,
		req: () => ({ path: '/api/v1/auth/logout' }), ok: [200] },
	'GET /api/v1/me': { gate: 'login', self: true, req: () => ({ path: '/api/v1/me' }), ok: [200] },
	'POST /api/v1/me/password': { gate: 'login', self: true, req: () => ({ path: '/api/v1/me/password', body: {} }),
		ok: [400] },
	'POST /api/v1/me/totp': { gate: 'login', self: true, req: () => ({ path: '/api/v1/me/totp' }), ok: [200] },
	'POST /api/v1/me/totp/confirm': { gate: 'login', self: true,
		req: () => ({ path: '/api/v1/me/totp/confirm', body: { otp: 'abcdef' } }), ok: [400] },
	/* saved filters are the caller's own: another user's answers like a missing one */
	'GET /api/v1/me/filters': { gate: 'login', req: () => ({ path: '/api/v1/me/filters' }), ok: [200] },
	'POST /api/v1/me/filters': { gate: 'login',
		req: (_, role, i) => ({ path: '/api/v1/me/filters', body: { name: `matrix ${i}`, query: 'state=reported' } }),
		ok: [201] },
	'DELETE /api/v1/me/filters/{id}': { gate: 'login', objects: () => ({ own: fx.filter, none: 99999999 }),
		visible: (role, pos) => pos === 'own' && role === 'gridworker',
		req: (id) => ({ path: `/api/v1/me/filters/${id}` }), ok: [204] },
	'GET /api/v1/orgs': { gate: 'login', req: () => ({ path: '/api/v1/orgs' }), ok: [200] },
	'GET /api/v1/orgs/{code}': { gate: 'login', objects: () => fx.orgs,
		req: (code) => ({ path: `/api/v1/orgs/${code}` }), ok: [200] },
	'GET /api/v1/orgs/{code}/children': { gate: 'login', objects: () => fx.orgs,
		req: (code) => ({ path: `/api/v1/orgs/${code}/children` }), ok: [200] },
	'GET /api/v1/orgs/{code}/grids': { gate: 'login', objects: () => fx.orgs,
		req: (code) => ({ path: `/api/v1/orgs/${code}/grids` }), ok: [200] },
	'GET /api/v1/locate': { gate: 'login',
		req: () => ({ path: `/api/v1/locate?lon=${fx.points.g1[0]}&lat=${fx.points.g1[1]}` }), ok: [200] },
	'GET /api/v1/users': { gate: ADMINS, req: () => ({ path: '/api/v1/users' }), ok: [200],
		check: (res, role) => seesOnlyScope(res.json.items, role) },
	'POST /api/v1/users': { gate: SECURITY,
		req: (_, role, i) => ({ path: '/api/v1/users', body: { username: `mx.${i}`, display_name: 'm',
			org: fx.g1, roles: ['leader'], password: GOOD_PASSWORD } }), ok: [201] },
	/* the system and audit administrators' accounts are the operator's: 403 in scope */
	'POST /api/v1/users/{id}/disable': { gate: SECURITY, objects: () => fx.users, visible: userVisible,
		req: (id) => ({ path: `/api/v1/users/${id}/disable` }), ok: (role, pos) => (OPERATOR.includes(pos) ? [403] : [200]) },
	'POST /api/v1/users/{id}/enable': { gate: SECURITY, objects: () => fx.users, visible: userVisible,
		req: (id) => ({ path: `/api/v1/users/${id}/enable` }), ok: (role, pos) => (OPERATOR.includes(pos) ? [403] : [200]) },
	'PUT /api/v1/users/{id}/roles': { gate: SECURITY, objects: () => fx.users, visible: userVisible,
		req: (id) => ({ path: `/api/v1/users/${id}/roles`, body: { roles: ['leader'] } }),
		ok: (role, pos) => (OPERATOR.includes(pos) ? [403] : [200]) },
	'POST /api/v1/users/{id}/totp/reset': { gate: SECURITY, objects: () => fx.users, visible: userVisible,
		req: (id) => ({ path: `/api/v1/users/${id}/totp/reset` }),
		ok: (role, pos) => (OPERATOR.includes(pos) ? [403] : [409]) /* none enrolled */ },
	'GET /api/v1/audit': { gate: AUDITOR, req: () => ({ path: '/api/v1/audit?limit=5' }), ok: [200] },
	'GET /api/v1/audit/verify': { gate: AUDITOR, req: () => ({ path: '/api/v1/audit/verify' }), ok: [200] },
	'GET /api/v1/audit/anchors': { gate: AUDITOR, req: () => ({ path: '/api/v1/audit/anchors' }), ok: [200] },
	'POST /api/v1/audit/anchors': { gate: AUDITOR, req: () => ({ path: '/api/v1/audit/anchors' }), ok: [201] },
	'GET /api/v1/inbox': { gate: 'login', req: () => ({ path: '/api/v1/inbox' }), ok: [200] },
	'POST /api/v1/inbox/{id}/read': { gate: 'login', objects: () => ({ own: fx.note, none: 99999999 }),
		visible: (role, pos) => pos === 'own' && role === fx.noteOwner,
		req: (id) => ({ path: `/api/v1/inbox/${id}/read` }), ok: [200] },
	'POST /api/v1/inbox/read-all': { gate: 'login', req: () => ({ path: '/api/v1/inbox/read-all' }), ok: [200] },
	'POST /api/v1/test/clock': { gate: ['admin'],
		req: () => ({ path: '/api/v1/test/clock', body: { advance_s: 0 } }), ok: [200] },
	'POST /api/v1/test/scheduler': { gate: ['admin'], req: () => ({ path: '/api/v1/test/scheduler' }), ok: [200] },
	'GET /api/v1/stats/events': { gate: 'login', req: () => ({ path: '/api/v1/stats/events' }), ok: [200] },
	/* server-sent events: the answer stays open; the head and the greeting are read,
	 * then the request is aborted */
	'GET /api/v1/stream': { gate: 'login', stream: true, req: () => ({ path: '/api/v1/stream' }), ok: [200],
		check: (res, role) => {
			assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
			const hello = JSON.parse(/event: hello\ndata: (.*)\n/.exec(res.text)[1]);
			assert.equal(hello.user, role);
		} },
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
	/* a dry run: checked and rolled back, so every caller sees the same tree */
	'POST /api/v1/imports/{kind}': { gate: ['admin'], objects: () => ({ any: 'divisions' }), visible: () => true,
		req: (k) => ({ path: `/api/v1/imports/${k}?dry_run=true`, raw: Buffer.from('code,name\n330108,滨江区\n') }),
		ok: [200] },
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
	'GET /api/v1/events.csv': { gate: 'login', req: () => ({ path: '/api/v1/events.csv' }), ok: [200],
		check: (res) => assert.match(res.headers.get('content-type') ?? '', /^text\/csv/) },
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
	/* citizens' form: public; tracking shows citizen reports only (staff receipts 404) */
	'GET /api/v1/public/categories': { gate: 'public', req: () => ({ path: '/api/v1/public/categories' }), ok: [200] },
	'POST /api/v1/public/reports': { gate: 'public',
		req: () => ({ path: '/api/v1/public/reports', body: { category: '0102', description: 'matrix public report',
			lon: fx.points.g1[0], lat: fx.points.g1[1] } }), ok: [201] },
	/* with the citizen report's photo token: the first three callers add a photo, the rest 409 */
	'POST /api/v1/public/reports/{receipt}/photos': { gate: 'public', objects: () => fx.photos,
		visible: (role, pos) => pos === 'citizen', req: (rc) => ({ path: `/api/v1/public/reports/${rc}/photos`,
			raw: PNG, headers: { 'content-type': 'image/png', 'x-photo-token': fx.photoToken } }), ok: [201, 409] },
	'GET /api/v1/public/reports/{receipt}': { gate: 'public', objects: () => fx.receipts,
		visible: (role, pos) => pos === 'citizen', req: (rc) => ({ path: `/api/v1/public/reports/${rc}` }), ok: [200] },
	/* the citizen's report is open: nothing to rate yet (409); a staff receipt is not public (404) */
	'POST /api/v1/public/reports/{receipt}/rating': { gate: 'public', objects: () => fx.receipts,
		visible: (role, pos) => pos === 'citizen',
		req: (rc) => ({ path: `/api/v1/public/reports/${rc}/rating`, body: { rating: 5 } }), ok: [409] },
	'POST /api/v1/api-keys': { gate: ADMINS,
		req: () => ({ path: '/api/v1/api-keys', body: { name: 'matrix', jurisdiction: '330108' } }),
		ok: [201], okFor: { 'street.security': [400] } /* the district is outside its scope */ },
	'GET /api/v1/api-keys': { gate: ADMINS, req: () => ({ path: '/api/v1/api-keys' }), ok: [200],
		check: (res, role) => seesOnlyScope(res.json.items, role) },
	'POST /api/v1/api-keys/{id}/revoke': { gate: ADMINS, objects: () => ({ district: fx.key, none: 99999999 }),
		req: (id) => ({ path: `/api/v1/api-keys/${id}/revoke` }), ok: [200, 409] },
	/* assessment: scores are computed district-wide, what a caller sees is cut to
	 * their scope (docs/assessment.md) */
	'GET /api/v1/assess/indicators': { gate: 'login', req: () => ({ path: '/api/v1/assess/indicators' }), ok: [200] },
	'PUT /api/v1/assess/indicators/{code}': { gate: ['admin'], objects: () => ({ any: 'I11' }), visible: () => true,
		req: (code) => ({ path: `/api/v1/assess/indicators/${code}`, body: fx.indicator }), ok: [200] },
	'GET /api/v1/assess/indicators/{code}/history': { gate: ['admin', 'assessor'],
		objects: () => ({ any: 'I11', none: 'I99' }), visible: (role, pos) => pos === 'any',
		req: (code) => ({ path: `/api/v1/assess/indicators/${code}/history` }), ok: [200] },
	'GET /api/v1/assess/population': { gate: 'login', req: () => ({ path: '/api/v1/assess/population' }), ok: [200] },
	'PUT /api/v1/assess/population': { gate: ['admin'], req: () => ({ path: '/api/v1/assess/population',
		body: { year: 2025, source: 'authorization matrix', items: [{ code: '330108001', population: 50000 }] } }),
	ok: [200] },
	'GET /api/v1/assess/scores': { gate: 'login',
		req: () => ({ path: `/api/v1/assess/scores?period=${fx.period}&level=grid` }), ok: [200],
		check: (res, role) => seesOnlyScope(res.json.items, role) },
	'GET /api/v1/assess/rankings': { gate: 'login',
		req: () => ({ path: `/api/v1/assess/rankings?period=${fx.period}&level=grid` }), ok: [200],
		check: (res, role) => seesOnlyScope(res.json.items, role) },
	/* the cases behind a grid's figure: grids outside the scope answer like a missing one */
	'GET /api/v1/assess/drill': { gate: 'login', objects: () => fx.grids,
		req: (g) => ({ path: `/api/v1/assess/drill?period=${fx.period}&level=grid&unit=${g}&indicator=I11&measure=reported` }),
		ok: [200] },
	'GET /api/v1/assess/export.csv': { gate: 'login',
		req: () => ({ path: `/api/v1/assess/export.csv?period=${fx.period}&level=grid` }), ok: [200] },
	'GET /api/v1/assess/report': { gate: 'login', req: () => ({ path: `/api/v1/assess/report?period=${fx.period}` }),
		ok: [200] },
	'GET /api/v1/assess/periods/{period}': { gate: 'login', objects: () => ({ any: fx.closed, none: '2025-13' }),
		visible: (role, pos) => pos === 'any', req: (p) => ({ path: `/api/v1/assess/periods/${p}` }), ok: [200] },
	'POST /api/v1/assess/periods/{period}/close': { gate: ['assessor'],
		objects: () => ({ any: '2025-01', none: '2025-13' }), visible: (role, pos) => pos === 'any',
		req: (p) => ({ path: `/api/v1/assess/periods/${p}/close`, body: {} }), ok: [201, 409] },
	'POST /api/v1/assess/periods/{period}/recompute': { gate: ['assessor'],
		objects: () => ({ any: fx.closed, none: '2025-13' }), visible: (role, pos) => pos === 'any',
		req: (p) => ({ path: `/api/v1/assess/periods/${p}/recompute`, body: { reason: 'matrix' } }), ok: [201] },
	'GET /api/v1/assess/adjustments': { gate: 'login',
		req: () => ({ path: `/api/v1/assess/adjustments?period=${fx.period}` }), ok: [200],
		check: (res, role) => seesOnlyScope(res.json.items, role) },
	/* a unit outside the scope is refused like a missing one (400, the body's value) */
	'POST /api/v1/assess/adjustments': { gate: ['assessor'], objects: () => fx.grids, hiddenAs: [400],
		req: (g) => ({ path: '/api/v1/assess/adjustments', body: { period: fx.period, level: 'grid', unit: g,
			points: 1, reason: 'matrix', evidence: 'matrix' } }), ok: [201] },
	/* decided by someone other than who entered it (the assessor: 403); once decided, 409 */
	'POST /api/v1/assess/adjustments/{id}/approve': { gate: DECIDERS, objects: () => fx.adjustments,
		req: (id) => ({ path: `/api/v1/assess/adjustments/${id}/approve`, body: {} }), ok: [200, 409],
		okFor: { assessor: [403] } },
	'POST /api/v1/assess/adjustments/{id}/reject': { gate: DECIDERS, objects: () => fx.adjustments,
		req: (id) => ({ path: `/api/v1/assess/adjustments/${id}/reject`, body: { note: 'matrix' } }), ok: [200, 409],
		okFor: { assessor: [403] } },
	'GET /api/v1/assess/commendations': { gate: 'login',
		req: () => ({ path: `/api/v1/assess/commendations?period=${fx.closed}` }), ok: [200],
		check: (res, role) => seesOnlyScope(res.json.items, role) },
	'POST /api/v1/assess/commendations': { gate: ['assessor'], req: () => ({ path: '/api/v1/assess/commendations',
		body: { period: fx.closed, rule: 'top_units', level: 'street', top: 1 } }), ok: [200] },
	/* once decided, 409 with its state (as manual items) */
	'POST /api/v1/assess/commendations/{id}/approve': { gate: DECIDERS, objects: () => fx.commendations,
		req: (id) => ({ path: `/api/v1/assess/commendations/${id}/approve`, body: {} }), ok: [200, 409] },
	'POST /api/v1/assess/commendations/{id}/reject': { gate: DECIDERS, objects: () => fx.commendations,
		req: (id) => ({ path: `/api/v1/assess/commendations/${id}/reject`, body: {} }), ok: [200, 409] },
	/* units and demonstration units */
	'GET /api/v1/units': { gate: 'login', req: () => ({ path: '/api/v1/units' }), ok: [200],
		check: (res, role) => seesOnlyScope(res.json.items, role) },
	'POST /api/v1/units': { gate: ['admin', 'centre', 'street.centre', 'assessor'], objects: () => fx.grids,
		hiddenAs: [400], req: (g, role, i) => ({ path: '/api/v1/units', body: { name: `matrix unit ${i}`,
			kind: 'school', grid: g } }), ok: [201] },
	'GET /api/v1/units/{id}': { gate: 'login', objects: () => fx.units,
		req: (id) => ({ path: `/api/v1/units/${id}` }), ok: [200] },
	/* the fixture units have an open application: 409 in scope */
	'POST /api/v1/units/{id}/designations': { gate: ['centre', 'street.centre', 'assessor'], objects: () => fx.units,
		req: (id) => ({ path: `/api/v1/units/${id}/designations`, body: { how: 'nomination' } }), ok: [409] },
	'GET /api/v1/designations': { gate: 'login', req: () => ({ path: '/api/v1/designations' }), ok: [200],
		check: (res, role) => seesOnlyScope(res.json.items, role) },
	'GET /api/v1/designations/{id}': { gate: 'login', objects: () => fx.designations,
		req: (id) => ({ path: `/api/v1/designations/${id}` }), ok: [200] },
	'POST /api/v1/designations/{id}/approve': { gate: DECIDERS, objects: () => fx.designations,
		req: (id) => ({ path: `/api/v1/designations/${id}/approve`, body: {} }), ok: [200, 409] },
	'POST /api/v1/designations/{id}/reject': { gate: DECIDERS, objects: () => fx.designations,
		req: (id) => ({ path: `/api/v1/designations/${id}/reject`, body: { note: 'matrix' } }), ok: [200, 409] },
	'POST /api/v1/designations/{id}/revoke': { gate: DECIDERS, objects: () => fx.designations,
		req: (id) => ({ path: `/api/v1/designations/${id}/revoke`, body: { note: 'matrix' } }), ok: [200, 409] },
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
	const u = await ok(await srv.api('POST', '/api/v1/users', { as: 'security', body: { username,
		display_name: username, org, roles, password: GOOD_PASSWORD } }), 201);
	srv.accounts[username] = GOOD_PASSWORD;
	return u.id;
}

async function gridsOf(code) {
	return (await ok(await srv.api('GET', `/api/v1/orgs/${code}/grids`, { as: 'admin' }))).features;
}

async function newEvent(as, pos, title, extra = {}) {
	const [lon, lat] = fx.points[pos];
	return ok(await srv.api('POST', '/api/v1/events', { as, body: { category: '0102', title,
		address: `${pos} address`, lon, lat, reporter: { name: '测试某某甲', phone: '19900001111' },
		...extra } }), 201);
}

/* The org code a caller's scope starts with. */
function scopeRoot(role) {
	return { district: '330108', street: '330108001', grid: fx.g1 }[SCOPE[role]];
}

/* Every item of a list (by its grid, unit, jurisdiction or org code) lies in
 * the caller's scope. */
function seesOnlyScope(items, role) {
	assert.ok(Array.isArray(items), 'a list of items');
	const root = scopeRoot(role);
	for (const it of items) {
		const code = String(it.grid ?? it.unit ?? it.jurisdiction ?? it.org);
		assert.ok(code.startsWith(root), `${role} sees ${code} outside ${root}`);
	}
}

/* The China Standard Time day of t (ms). */
function day(t) {
	return new Date(t + 8 * 3600e3).toISOString().slice(0, 10);
}

before(async () => {
	srv = await startServer({ env: { PINGAN_TEST_CLOCK: 'true', PINGAN_IP_FAIL_LIMIT: 1000000,
		PINGAN_PUBLIC_REPORT_LIMIT: 100000, PINGAN_ASSESS_MIN_CASES: 0,
		/* the clock is moved two days on below: sessions must outlive it */
		PINGAN_SESSION_IDLE_MINUTES: 10080, PINGAN_SESSION_ABSOLUTE_HOURS: 720 } });
	const me = await ok(await srv.api('GET', '/api/v1/me', { as: 'gridworker' }));
	fx.g1 = me.org;
	fx.gw = me.id; /* a grid worker's unit in assessment is their user id */
	const s1 = await gridsOf('330108001'), s2 = await gridsOf('330108002');
	const f1 = s1.find((f) => f.properties.code === fx.g1);
	const f2 = s1.find((f) => f.properties.code !== fx.g1);
	const f3 = s2[0];
	fx.g2 = f2.properties.code;
	fx.g3 = f3.properties.code;
	fx.points = { g1: interiorPoint(f1.geometry), s1: interiorPoint(f2.geometry), s2: interiorPoint(f3.geometry) };
	fx.orgs = { g1: fx.g1, s1: fx.g2, s2: '330108002', none: '330108999' };
	fx.grids = { g1: fx.g1, s1: fx.g2, s2: fx.g3, none: '330108999999999' };
	await addUser('street.security', '330108001', ['security_admin']);
	await addUser('street.leader', '330108001', ['leader']);
	await addUser('street2.centre', '330108002', ['centre']);
	const everyone = (await ok(await srv.api('GET', '/api/v1/users', { as: 'security' }))).items;
	const idOf = (name) => everyone.find((u) => u.username === name).id;
	fx.users = { g1: await addUser('target.g1', fx.g1, ['leader']),
		s1: await addUser('target.s1', fx.g2, ['leader']),
		s2: await addUser('target.s2', fx.g3, ['leader']),
		/* the operator's accounts: 403 to the security administrator */
		admin: idOf('admin'), auditor: idOf('auditor'), none: 99999999 };
	const t0 = Date.now();
	const evs = { g1: await newEvent('gridworker', 'g1', 'matrix g1'),
		s1: await newEvent('street.centre', 's1', 'matrix s1'),
		s2: await newEvent('street2.centre', 's2', `${CANARY} title`, { description: `${CANARY} description`,
			address: `${CANARY} 号`, reporter: { name: '测试某某丙', phone: '19900002222',
				address: `${CANARY} 住址` } }),
		own: await newEvent('gridworker', 's2', `${OWN_MARK} matrix own, reported outside the grid`) };
	fx.events = { ...Object.fromEntries(Object.entries(evs).map(([k, e]) => [k, e.id])), none: 99999999 };
	fx.attachments = { none: 99999999 };
	for (const [pos, as] of [['g1', 'gridworker'], ['s1', 'street.centre'], ['s2', 'street2.centre']]) {
		const a = await ok(await srv.api('POST', `/api/v1/events/${fx.events[pos]}/attachments`, { as, raw: PNG,
			headers: { 'content-type': 'application/octet-stream' } }), 201);
		fx.attachments[pos] = a.id;
	}
	/* a citizen's report is tracked by its receipt; a staff report's receipt is not public */
	const pub = await ok(await srv.api('POST', '/api/v1/public/reports', { body: { category: '0102',
		description: 'matrix citizen report', lon: fx.points.s2[0], lat: fx.points.s2[1] } }), 201);
	fx.receipts = { citizen: pub.receipt, staff: evs.s2.receipt, none: 'PA2345678923' };
	/* a notification: street 1's event dispatched to the handler's department */
	await ok(await srv.api('POST', `/api/v1/events/${fx.events.s1}/actions/register`, { as: 'centre', body: {} }));
	await ok(await srv.api('POST', `/api/v1/events/${fx.events.s1}/actions/dispatch`, { as: 'centre',
		body: { assignee: '330108D01' } }));
	/* the other places' events registered too, so every fixture grid has a score */
	for (const pos of ['g1', 's2', 'own'])
		await ok(await srv.api('POST', `/api/v1/events/${fx.events[pos]}/actions/register`, { as: 'centre', body: {} }));
	const inbox = await ok(await srv.api('GET', '/api/v1/inbox', { as: 'handler' }));
	assert.ok(inbox.items.length > 0, 'the handler was notified');
	fx.note = inbox.items[0].id;
	fx.noteOwner = 'handler';
	fx.filter = (await ok(await srv.api('POST', '/api/v1/me/filters', { as: 'gridworker',
		body: { name: 'fixture', query: 'state=reported' } }), 201)).id;
	fx.hook = (await ok(await srv.api('POST', '/api/v1/webhooks', { as: 'admin', body: { org: '330108D01',
		url: 'http://127.0.0.1:9/hook', kinds: ['assigned'] } }), 201)).id;
	fx.key = (await ok(await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
		body: { name: 'fixture', jurisdiction: '330108' } }), 201)).id;
	/* an indicator edited once, so it has a history */
	const inds = await ok(await srv.api('GET', '/api/v1/assess/indicators', { as: 'admin' }));
	fx.indicator = inds.items.find((x) => x.code === 'I11');
	await ok(await srv.api('PUT', '/api/v1/assess/indicators/I11', { as: 'admin', body: fx.indicator }));
	/* units with an open application in each place, by the district centre */
	fx.units = { none: 99999999 };
	fx.designations = { none: 99999999 };
	for (const pos of ['g1', 's1', 's2']) {
		const u = await ok(await srv.api('POST', '/api/v1/units', { as: 'centre', body: { name: `fixture unit ${pos}`,
			kind: 'school', grid: fx.grids[pos] } }), 201);
		fx.units[pos] = u.id;
		fx.designations[pos] = (await ok(await srv.api('POST', `/api/v1/units/${u.id}/designations`,
			{ as: 'centre', body: { how: 'application' } }), 201)).id;
	}
	/* the days of the fixtures end: they are closed (version 1), and candidates made */
	const t1 = Date.now();
	const now = (await ok(await srv.api('POST', '/api/v1/test/clock', { as: 'admin',
		body: { advance_s: 2 * 86400 } }))).now;
	/* a citizen's report to add photos to, made now: its photo token lasts an hour */
	const photo = await ok(await srv.api('POST', '/api/v1/public/reports', { body: { category: '0102',
		description: 'matrix citizen report with photos', address: '滨江区示例路' } }), 201);
	fx.photos = { citizen: photo.receipt, staff: fx.receipts.staff, none: fx.receipts.none };
	fx.photoToken = photo.photo_token;
	fx.closed = `${day(t0)}..${day(t1)}`;
	Object.assign(fx, { t0, t1 });
	fx.period = `${day(t0)}..${day(Date.parse(now))}`;
	await ok(await srv.api('POST', `/api/v1/assess/periods/${fx.closed}/close`, { as: 'assessor', body: {} }), 201);
	const cands = await ok(await srv.api('POST', '/api/v1/assess/commendations', { as: 'assessor',
		body: { period: fx.closed, rule: 'top_units', level: 'grid', top: 1000 } }));
	fx.commendations = { none: 99999999 };
	for (const pos of ['g1', 's1', 's2']) {
		const c = cands.items.find((x) => x.unit === fx.grids[pos]);
		assert.ok(c, `a candidate for ${pos} in ${JSON.stringify(cands.items).slice(0, 400)}`);
		fx.commendations[pos] = c.id;
	}
	/* manual items entered by the assessor, decided by someone else */
	fx.adjustments = { none: 99999999 };
	for (const pos of ['g1', 's1', 's2'])
		fx.adjustments[pos] = (await ok(await srv.api('POST', '/api/v1/assess/adjustments', { as: 'assessor',
			body: { period: fx.period, level: 'grid', unit: fx.grids[pos], points: 2, reason: 'fixture',
				evidence: 'fixture' } }), 201)).id;
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
		/* the audit administrator: the routes naming the role, and their own session */
		const admitted = entry.gate === 'login' ? role !== 'auditor' || entry.self : entry.gate.includes(role);
		if (!admitted)
			return { status: [403], code: 'forbidden' };
	}
	if (pos !== undefined) {
		const visible = entry.visible ? entry.visible(role, pos) : inScope(role, pos);
		if (!visible)
			return { status: entry.hiddenAs ?? [404], hidden: pos !== 'none' };
	}
	if (typeof entry.ok === 'function')
		return { status: entry.ok(role, pos) };
	return { status: entry.okFor?.[role] ?? entry.ok };
}

let seq = 0;
async function call(entry, role, value) {
	const i = ++seq;
	const r = entry.req(value, role, i);
	let token;
	if (role)
		token = entry.fresh ? (await srv.login(role)).token : (await srv.session(role)).token;
	if (entry.stream)
		return openStream(r.path, token);
	return srv.api(r.method ?? entry.route.split(' ')[0], r.path, { token, body: r.body, raw: r.raw,
		headers: r.headers });
}

/* GET on an event stream: an error answer whole; a stream's head and what
 * arrives until its greeting, then the request is aborted. */
async function openStream(p, token, until = 'event: hello') {
	const ac = new AbortController();
	const guard = setTimeout(() => ac.abort(), 20000);
	try {
		const res = await fetch(srv.base + p, { headers: token ? { authorization: `Bearer ${token}` } : {},
			signal: ac.signal });
		let text = '';
		if (res.status !== 200) {
			text = await res.text();
		} else {
			const reader = res.body.getReader();
			const dec = new TextDecoder();
			while (!text.includes(until)) {
				const { value, done } = await reader.read();
				if (done)
					break;
				text += dec.decode(value, { stream: true });
			}
			ac.abort();
		}
		let json = null;
		try {
			json = JSON.parse(text);
		} catch { /* not JSON */ }
		return { status: res.status, headers: res.headers, text, json, method: 'GET', path: p };
	} finally {
		clearTimeout(guard);
	}
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
				else if (res.status < 300 && entry.check) {
					try {
						entry.check(res, role);
					} catch (e) {
						failures.push(`${role ?? 'anonymous'} ${pos ?? ''}: ${e.message}`);
					}
				}
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

/* The matrix's commendation fixtures are decided by the first decider in line
 * (the district leader); a second set, of another closed period, shows a street
 * leader deciding inside their street and nowhere else. */
test('a street leader decides commendations of their street only', async () => {
	const period = `${day(fx.t0 - 86400e3)}..${day(fx.t1)}`;
	await ok(await srv.api('POST', `/api/v1/assess/periods/${period}/close`, { as: 'assessor', body: {} }), 201);
	const cands = await ok(await srv.api('POST', '/api/v1/assess/commendations', { as: 'assessor',
		body: { period, rule: 'top_units', level: 'grid', top: 1000 } }));
	const id = (g) => cands.items.find((x) => x.unit === g && x.status === 'candidate').id;
	const decide = (who, cid, how = 'approve') => srv.api('POST', `/api/v1/assess/commendations/${cid}/${how}`,
		{ as: who, body: {} });
	const hidden = await decide('street.leader', id(fx.g3));
	const missing = await decide('street.leader', 99999999);
	assert.equal(hidden.status, 404, hidden.text);
	assert.equal(shape(hidden, id(fx.g3)), shape(missing, 99999999));
	assert.equal((await decide('street.leader', id(fx.g1))).status, 200);
	assert.equal((await decide('street.leader', id(fx.g2), 'reject')).status, 200);
	assert.equal((await decide('leader', id(fx.g3))).status, 200, 'the district leader decides it');
	const seen = await ok(await srv.api('GET', `/api/v1/assess/commendations?period=${period}`, { as: 'street.leader' }));
	seesOnlyScope(seen.items, 'street.leader');
	assert.deepEqual(seen.items.filter((x) => [fx.g1, fx.g2].includes(x.unit)).map((x) => x.status).sort(),
		['approved', 'rejected']);
});

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
	const viewers = ['mediator', 'street.centre', 'street.security', 'street.leader', 'gridworker'];

	function getPaths() {
		const out = [];
		for (const [route, entry] of Object.entries(ROUTES)) {
			if (!route.startsWith('GET ') || entry.stream)
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
			'/api/v1/users', '/open311/v2/requests.json?status=open', '/open311/v2/requests.xml',
			`/api/v1/events.csv?org=330108002`, `/api/v1/events.csv?q=${CANARY}`,
			`/api/v1/assess/drill?period=${fx.period}&level=street&unit=330108002&indicator=I11&measure=reported`,
			`/api/v1/assess/drill?period=${fx.period}&level=grid_worker&unit=${fx.gw}&indicator=I11&measure=reported&limit=500`,
			`/api/v1/events.csv?grid=${fx.g3}`, `/api/v1/events?q=${OWN_MARK}`,
			`/api/v1/assess/scores?period=${fx.period}&level=street`, `/api/v1/units?grid=${fx.g3}`,
			`/api/v1/public/reports/${fx.receipts.staff}`);
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
		const csv = await srv.api('GET', '/api/v1/events.csv', { as: 'leader' });
		assert.ok(csv.text.includes(CANARY), 'the export carries it');
		const drill = await srv.api('GET', `/api/v1/assess/drill?period=${fx.period}&level=grid&unit=${fx.g3}` +
			'&indicator=I11&measure=reported', { as: 'assessor' });
		assert.ok(drill.text.includes(CANARY), `the drill-down carries it: ${drill.text.slice(0, 300)}`);
		/* the grid worker's own report in street 2: the district's drill-down shows it, the
		 * reporter finds it in the list */
		const byWorker = `/api/v1/assess/drill?period=${fx.period}&level=grid_worker&unit=${fx.gw}` +
			'&indicator=I11&measure=reported&limit=500';
		const worker = await srv.api('GET', byWorker, { as: 'assessor' });
		assert.ok(worker.text.includes(OWN_MARK), `${worker.status} ${worker.text.slice(0, 300)}`);
		const own = await srv.api('GET', `/api/v1/events?q=${OWN_MARK}`, { as: 'gridworker' });
		assert.ok(own.text.includes(OWN_MARK), 'the reporter finds their report');
	});

	for (const who of viewers) {
		test(`no GET answer to ${who} carries it`, async () => {
			const paths = getPaths();
			assert.ok(paths.length > 30);
			for (const p of paths) {
				const res = await srv.api('GET', p, { as: who });
				assert.ok(!res.text.includes(CANARY), `${who} GET ${p} -> ${res.status} shows the canary`);
				assert.ok(who === 'gridworker' || !res.text.includes(OWN_MARK),
					`${who} GET ${p} -> ${res.status} shows the grid worker's report in street 2`);
				assert.ok(!res.text.includes(`"id":${fx.events.s2},`) || !p.includes('/events'),
					`${who} GET ${p} lists the street-2 event`);
			}
		});
	}

	test('nor the duplicates offered when reporting at the same spot', async () => {
		/* a canary event of today: duplicates are looked for among recent reports */
		const fresh = await newEvent('street2.centre', 's2', `${CANARY} again`, { description: `${CANARY} again` });
		const [lon, lat] = fx.points.s2;
		const body = { category: '0102', title: 'same spot', address: 'x', lon, lat };
		for (const who of viewers) {
			const res = await srv.api('POST', '/api/v1/events', { as: who, body });
			assert.equal(res.status, 201, res.text);
			assert.ok(!res.text.includes(CANARY), `${who}: the duplicates show the canary`);
			assert.ok(!res.json.duplicates.some((d) => d.id === fx.events.s2 || d.id === fresh.id),
				`${who}: offered as duplicate`);
		}
		const centre = await srv.api('POST', '/api/v1/events', { as: 'centre', body });
		assert.ok(centre.json.duplicates.some((d) => d.id === fresh.id),
			'a district user is offered it (the check can fail)');
	});

	test('nor the event stream', async () => {
		/* streams open first; then an event in street 2 (a district stream gets it), then
		 * a marker event in G1: a stream that got the marker was offered the first before
		 * it. The stream carries no titles: events are told apart by their receipts. */
		const streams = {};
		const start = async (who) => {
			const ac = new AbortController();
			const token = (await srv.session(who)).token;
			const res = await fetch(`${srv.base}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` },
				signal: ac.signal });
			assert.equal(res.status, 200);
			const st = { ac, text: '', reader: res.body.getReader() };
			const dec = new TextDecoder();
			st.until = async (what) => {
				while (!st.text.includes(what)) {
					const { value, done } = await st.reader.read();
					if (done)
						break;
					st.text += dec.decode(value, { stream: true });
				}
				return st.text;
			};
			await st.until('event: hello');
			streams[who] = st;
		};
		const guard = setTimeout(() => Object.values(streams).forEach((st) => st.ac.abort()), 30000);
		try {
			for (const who of ['centre', ...viewers])
				await start(who);
			const hidden = (await newEvent('street2.centre', 's2', `${CANARY} streamed`)).receipt;
			assert.ok((await streams.centre.until(hidden)).includes(hidden), 'a district stream gets it');
			const marker = (await newEvent('gridworker', 'g1', 'stream marker')).receipt;
			for (const who of viewers) {
				const text = await streams[who].until(marker);
				assert.ok(text.includes(marker), `${who}'s stream gets the marker`);
				assert.ok(!text.includes(hidden) && !text.includes(CANARY), `${who}'s stream shows street 2's event`);
			}
		} finally {
			clearTimeout(guard);
			for (const st of Object.values(streams))
				st.ac.abort();
		}
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

	test('on user, API key, webhook, filter, unit, designation and manual item creation', async () => {
		const base = { username: 'owned.user', display_name: 'o', org: fx.g1, roles: ['leader'],
			password: GOOD_PASSWORD };
		for (const [k, v] of Object.entries({ id: 5, disabled: false, locked: false, created_at: 1,
			failed_logins: 0, password_hash: 'x', totp: true, scope: '330108' })) {
			const res = await srv.api('POST', '/api/v1/users', { as: 'security', body: { ...base, [k]: v } });
			assertErrorBody(res, 'invalid_value');
		}
		for (const [k, v] of Object.entries({ created_by: 1, key: 'ab', uses: 0, revoked_at: 0, id: 1 }))
			assertErrorBody(await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
				body: { name: 'o', jurisdiction: '330108', [k]: v } }), 'invalid_value');
		for (const [k, v] of Object.entries({ created_by: 1, id: 1, enabled: true, secret: 'x' }))
			assertErrorBody(await srv.api('POST', '/api/v1/webhooks', { as: 'admin',
				body: { org: '330108D01', url: 'http://127.0.0.1:9/h', kinds: ['assigned'], [k]: v } }), 'invalid_value');
		const users = (await srv.api('GET', '/api/v1/users', { as: 'security' })).json.items;
		assert.ok(!users.some((u) => u.username === 'owned.user'));
		for (const [k, v] of Object.entries({ id: 1, user_id: 1, created_at: 1 }))
			assertErrorBody(await srv.api('POST', '/api/v1/me/filters', { as: 'gridworker',
				body: { name: 'owned', query: '', [k]: v } }), 'invalid_value');
		for (const [k, v] of Object.entries({ id: 1, org: '330108002', created_at: 1, created_by: 1 }))
			assertErrorBody(await srv.api('POST', '/api/v1/units', { as: 'street.centre',
				body: { name: 'owned', kind: 'school', grid: fx.g1, [k]: v } }), 'invalid_value');
		for (const [k, v] of Object.entries({ status: 'designated', valid_from: 1, valid_to: 1, created_by: 1,
			check: {} }))
			assertErrorBody(await srv.api('POST', `/api/v1/units/${fx.units.g1}/designations`, { as: 'centre',
				body: { how: 'nomination', [k]: v } }), 'invalid_value');
		for (const [k, v] of Object.entries({ status: 'approved', entered_by: 'x', decided_by: 'x', id: 1,
			created_at: 1 }))
			assertErrorBody(await srv.api('POST', '/api/v1/assess/adjustments', { as: 'assessor',
				body: { period: fx.period, level: 'grid', unit: fx.g1, points: 1, reason: 'o', evidence: 'o',
					[k]: v } }), 'invalid_value');
		const units = (await srv.api('GET', '/api/v1/units', { as: 'centre' })).json.items;
		assert.ok(!units.some((u) => u.name === 'owned'));
	});
});
