/*
 * scope.test.mjs - every read goes through the caller's scope: a street
 * user sees its street, a grid worker its grid, a department user the
 * division above the department; outside the scope answers exactly like a
 * node that does not exist. User administration stays inside the scope too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, assertErrorBody, assertSubset, GOOD_PASSWORD, interiorPoint, runCases,
	startServer } from './harness.mjs';

let srv, grids;
before(async () => {
	srv = await startServer();
	const res = await srv.api('GET', '/api/v1/orgs/330108/grids', { as: 'admin' });
	assert.equal(res.status, 200);
	grids = res.json.features;
});
after(async () => {
	await srv?.stop();
});
const S = () => srv;

const get = async (as, path) => {
	const res = await srv.api('GET', path, { as });
	return res;
};
const gridOf = (prefix, n = 0) => grids.filter((f) => f.id.startsWith(prefix))[n];
const locate = async (as, [lon, lat]) => {
	const res = await get(as, `/api/v1/locate?lon=${lon}&lat=${lat}`);
	assert.equal(res.status, 200, res.text);
	return res.json;
};

describe('a street user (street.centre, 330108001)', () => {
	test('sees the org tree rooted at its street, and nothing else', async () => {
		const res = await get('street.centre', '/api/v1/orgs');
		assert.equal(res.status, 200, res.text);
		assert.equal(res.json.root, '330108001');
		assert.equal(res.json.depth, 2);
		const items = res.json.items;
		assertSubset(items[0], { code: '330108001', kind: 'street', name: '西兴街道', depth: 1 });
		for (const o of items)
			assert.ok(o.code.startsWith('330108001'), `${o.code} is outside the street`);
		const same = await get('admin', '/api/v1/orgs?root=330108001&depth=2');
		assert.deepStrictEqual(items, same.json.items, 'the same subtree the admin sees');
		assert.equal(items.filter((o) => o.kind === 'community').length, 21);
		assert.ok(items.some((o) => o.code === '330108001D01' && o.kind === 'department'));
	});

	test('another street is 404 exactly like an org that does not exist', async () => {
		const other = await get('street.centre', '/api/v1/orgs/330108002');
		const none = await get('street.centre', '/api/v1/orgs/330108009');
		assertError(other, 404, 'not_found');
		assertError(none, 404, 'not_found');
		assert.equal(other.json.error.message.replace('330108002', 'X'),
			none.json.error.message.replace('330108009', 'X'));
		const names = (r) => [...r.headers.keys()].filter((k) => !['date', 'x-request-id'].includes(k));
		assert.deepStrictEqual(names(other), names(none), 'the same headers');
		assert.equal(other.text.length, none.text.length, 'the same body length');
		const exists = await get('admin', '/api/v1/orgs/330108002');
		assert.equal(exists.status, 200, 'the street does exist');
	});

	runCases(S, [
		'/api/v1/orgs/330108', '/api/v1/orgs/330108002', '/api/v1/orgs/330108002/children',
		'/api/v1/orgs/330108002/grids', '/api/v1/orgs/330108002001', '/api/v1/orgs/330108002001/grids',
		'/api/v1/orgs/330108/children', '/api/v1/orgs/330108/grids', '/api/v1/orgs/330108D01',
		'/api/v1/orgs/330108002D01', '/api/v1/orgs?root=330108', '/api/v1/orgs?root=330108003',
		'/api/v1/orgs/330108003001001',
	].map((path) => ({ name: `404 outside the scope: ${path}`, method: 'GET', path,
		as: 'street.centre', status: 404, error: 'not_found' })));

	test('grids of its street: a FeatureCollection of its own grids only', async () => {
		const res = await get('street.centre', '/api/v1/orgs/330108001/grids');
		assert.equal(res.status, 200);
		assert.equal(res.json.type, 'FeatureCollection');
		const codes = res.json.features.map((f) => f.properties.code);
		assert.ok(codes.length > 0);
		for (const c of codes)
			assert.ok(c.startsWith('330108001'), c);
		assert.deepStrictEqual(codes, grids.filter((f) => f.id.startsWith('330108001')).map((f) => f.id));
	});

	test('ancestors stop at the scope root', async () => {
		const res = await get('street.centre', '/api/v1/orgs/330108001001');
		assert.equal(res.status, 200);
		assert.deepStrictEqual(res.json.ancestors, [{ code: '330108001', name: '西兴街道', kind: 'street' }]);
		const admin = await get('admin', '/api/v1/orgs/330108001001');
		assert.equal(admin.json.ancestors.length, 2);
	});

	test('locate in another street: no grid for the street user, a grid for the district', async () => {
		const g = gridOf('330108002');
		const p = interiorPoint(g.geometry);
		assert.ok(p, `an interior point of ${g.id}`);
		const mine = await locate('street.centre', p);
		assert.deepStrictEqual(mine, { point: { lon: mine.point.lon, lat: mine.point.lat }, grid: null });
		assert.ok(Math.abs(mine.point.lon - p[0]) < 1e-9 && Math.abs(mine.point.lat - p[1]) < 1e-9);
		const district = await locate('centre', p);
		assertSubset(district, { grid: { code: g.id, name: g.properties.name },
			community: { code: g.id.slice(0, 12), name: g.properties.community_name },
			street: { code: '330108002', name: '长河街道' } });
		const own = gridOf('330108001', 5);
		assert.equal((await locate('street.centre', interiorPoint(own.geometry))).grid?.code, own.id);
	});
});

describe('a grid worker (gridworker, 330108001001001)', () => {
	const GRID = '330108001001001';

	test('sees only its grid', async () => {
		const me = await get('gridworker', '/api/v1/me');
		assertSubset(me.json, { org: GRID, org_kind: 'grid', scope: GRID, roles: ['grid_worker'] });
		const tree = await get('gridworker', '/api/v1/orgs');
		assert.equal(tree.status, 200);
		assert.equal(tree.json.root, GRID);
		assert.deepStrictEqual(tree.json.items.map((o) => o.code), [GRID]);
		const fc = await get('gridworker', `/api/v1/orgs/${GRID}/grids`);
		assert.deepStrictEqual(fc.json.features.map((f) => f.id), [GRID]);
		const children = await get('gridworker', `/api/v1/orgs/${GRID}/children`);
		assert.deepStrictEqual(children.json, { parent: GRID, items: [] });
		const self = await get('gridworker', `/api/v1/orgs/${GRID}`);
		assert.deepStrictEqual(self.json.ancestors, []);
	});

	test('its community and the neighbouring grid are 404', async () => {
		for (const p of ['/api/v1/orgs/330108001001', '/api/v1/orgs/330108001001002',
			'/api/v1/orgs/330108001001/grids', '/api/v1/orgs?root=330108001'])
			assertError(await get('gridworker', p), 404, 'not_found');
	});

	test('locate finds its grid and not the neighbour', async () => {
		const own = gridOf(GRID), next = gridOf('330108001001', 1);
		assert.equal(next.id, '330108001001002');
		assert.equal((await locate('gridworker', interiorPoint(own.geometry))).grid.code, GRID);
		assert.equal((await locate('gridworker', interiorPoint(next.geometry))).grid, null);
	});
});

describe('department users', () => {
	test('a district department (handler, 330108D01) works across the district', async () => {
		const me = await get('handler', '/api/v1/me');
		assertSubset(me.json, { org: '330108D01', org_kind: 'department', scope: '330108' });
		const tree = await get('handler', '/api/v1/orgs?depth=1');
		assert.equal(tree.json.root, '330108');
		assert.equal((await get('handler', '/api/v1/orgs/330108002')).status, 200);
		assert.equal((await get('handler', '/api/v1/orgs/330108003001')).status, 200);
		const g = gridOf('330108003');
		assert.equal((await locate('handler', interiorPoint(g.geometry))).grid.code, g.id);
		const insp = await get('inspector', '/api/v1/me');
		assertSubset(insp.json, { org: '330108D02', scope: '330108' });
	});

	test('a street department (mediator, 330108001D01) works across its street only', async () => {
		const me = await get('mediator', '/api/v1/me');
		assertSubset(me.json, { org: '330108001D01', org_kind: 'department', org_name: '西兴街道司法所',
			scope: '330108001' });
		assert.equal((await get('mediator', '/api/v1/orgs')).json.root, '330108001');
		assert.equal((await get('mediator', '/api/v1/orgs/330108001021')).status, 200);
		assertError(await get('mediator', '/api/v1/orgs/330108002'), 404, 'not_found');
		assertError(await get('mediator', '/api/v1/orgs/330108D01'), 404, 'not_found');
	});
});

describe('user administration', () => {
	const USERS = '/api/v1/users';
	const DEMO = ['admin', 'assessor', 'auditor', 'centre', 'gridworker', 'handler', 'handler.d02', 'handler.d03',
		'handler.d04', 'handler.d05', 'handler.d06', 'handler.d07', 'inspector', 'leader',
		'mediator', 'security', 'street.centre'];
	const add = (as, body) => srv.api('POST', USERS, { as, body });
	const valid = (over = {}) => ({ username: 'new.user', display_name: '新用户', org: '330108002001',
		roles: ['mediator', 'grid_worker'], password: GOOD_PASSWORD, ...over });

	test('the admin lists every user, sorted, without secrets', async () => {
		const res = await get('admin', USERS);
		assert.equal(res.status, 200, res.text);
		const names = res.json.items.map((u) => u.username);
		assert.deepStrictEqual(names, DEMO);
		assert.equal(res.json.total, DEMO.length);
		for (const u of res.json.items) {
			assert.deepStrictEqual(Object.keys(u).sort(), ['created_at', 'disabled', 'display_name', 'id',
				'locked', 'org', 'roles', 'username']);
			assert.doesNotMatch(JSON.stringify(u), /pbkdf2|argon2|\$/);
		}
		assertSubset(res.json.items.find((u) => u.username === 'street.centre'),
			{ org: '330108001', roles: ['centre'], disabled: false, locked: false });
		const sec = await get('security', USERS);
		assert.deepStrictEqual(sec.json.items.map((u) => u.username), DEMO);
	});

	runCases(S, ['leader', 'centre', 'auditor', 'gridworker', 'street.centre', 'handler', 'mediator']
		.map((as) => ({ name: `${as} may not list users: 403`, method: 'GET', path: USERS, as,
			status: 403, error: 'forbidden' })));

	runCases(S, [
		{ name: 'leader may not add users: 403', method: 'POST', path: USERS, as: 'leader',
			body: valid({ username: 'by.leader' }), status: 403, error: 'forbidden' },
		{ name: 'the role check comes before body validation', method: 'POST', path: USERS,
			as: 'leader', body: {}, status: 403, error: 'forbidden' },
	]);

	test('a street admin lists only the users inside its street', async () => {
		const res = await add('security', valid({ username: 'street.admin', org: '330108001', roles: ['security_admin'] }));
		assert.equal(res.status, 201, res.text);
		srv.accounts['street.admin'] = GOOD_PASSWORD;
		const list = await get('street.admin', USERS);
		assert.equal(list.status, 200);
		assert.deepStrictEqual(list.json.items.map((u) => u.username),
			['gridworker', 'mediator', 'street.admin', 'street.centre']);
		assert.equal(list.json.total, 4);
	});

	test('a street admin cannot disable a user outside its street: 404', async () => {
		const leader = (await get('admin', USERS)).json.items.find((u) => u.username === 'leader');
		assertError(await srv.api('POST', `${USERS}/${leader.id}/disable`, { as: 'street.admin' }), 404,
			'not_found');
		assert.equal((await srv.login('leader')).user.username, 'leader', 'leader still logs in');
	});

	const v = (name, body, status, error, as = 'security') => ({ name: `add user: ${name}`, method: 'POST',
		path: USERS, as, body, status, error });
	runCases(S, [
		v('a username of 2 characters', valid({ username: 'ab' }), 400, 'invalid_value'),
		v('a username with a space', valid({ username: 'has space' }), 400, 'invalid_value'),
		v('a username with a slash', valid({ username: 'a/b' }), 400, 'invalid_value'),
		v('a username with non-ASCII letters', valid({ username: 'zhāng.san' }), 400, 'invalid_value'),
		v('a username of 65 characters', valid({ username: 'u'.repeat(65) }), 400, 'invalid_value'),
		v('an empty username', valid({ username: '' }), 400, 'missing_field'),
		v('no display name', valid({ display_name: undefined }), 400, 'missing_field'),
		v('a display name of 101 characters', valid({ display_name: '名'.repeat(101) }), 400, 'invalid_value'),
		v('a password of 11 characters', valid({ password: 'Short-Pw-11' }), 400, 'invalid_value'),
		v('a password of two classes', valid({ password: 'alllowercaseletters' }), 400, 'invalid_value'),
		v('an unknown role', valid({ roles: ['superuser'] }), 400, 'invalid_value'),
		{ ...v('two roles in one string', valid({ roles: ['admin,centre'] }), 400, 'invalid_value'),
			json: { error: { message: /admin,centre/ } }, },
		v('roles as a string', valid({ roles: 'admin' }), 400, 'wrong_type'),
		v('no roles at all', valid({ roles: [] }), 400, 'wrong_type'),
		v('a role that is not a string', valid({ roles: [1] }), 400, 'wrong_type'),
		v('roles missing', valid({ roles: undefined }), 400, 'missing_field'),
		v('an org that does not exist', valid({ org: '330108999' }), 400, 'invalid_value'),
		v('an org outside the street admin\'s scope', valid({ org: '330108002' }), 400, 'invalid_value',
			'street.admin'),
		v('the street admin\'s parent district', valid({ org: '330108' }), 400, 'invalid_value',
			'street.admin'),
		v('an existing username', valid({ username: 'leader' }), 409, 'conflict'),
		v('an org of the wrong type', valid({ org: 330108 }), 400, 'wrong_type'),
	]);

	test('refused users were not created', async () => {
		const names = (await get('admin', USERS)).json.items.map((u) => u.username);
		assert.deepStrictEqual(names, [...DEMO, 'street.admin'].sort());
	});

	test('a valid user is created (201) and can log in', async () => {
		const t0 = Math.floor(Date.now() / 1000);
		const res = await add('security', valid());
		assert.equal(res.status, 201, res.text);
		assert.deepStrictEqual(Object.keys(res.json).sort(), ['created_at', 'disabled', 'display_name', 'id',
			'locked', 'org', 'roles', 'username']);
		assertSubset(res.json, { id: (x) => Number.isInteger(x) && x > 10, username: 'new.user',
			display_name: '新用户', org: '330108002001', roles: ['grid_worker', 'mediator'],
			disabled: false, locked: false, created_at: (x) => Math.abs(x - t0) <= 5 });
		const s = await srv.login('new.user', GOOD_PASSWORD);
		assertSubset(s.user, { username: 'new.user', org: '330108002001', org_kind: 'community' });
		const me = await srv.api('GET', '/api/v1/me', { token: s.token });
		assert.equal(me.json.scope, '330108002001');
		assertError(await srv.api('GET', '/api/v1/orgs/330108001', { token: s.token }), 404, 'not_found');
	});

	test('a street admin adds a user inside its street', async () => {
		const res = await add('street.admin', valid({ username: 'street.user', org: '330108001002',
			roles: ['grid_worker'] }));
		assert.equal(res.status, 201, res.text);
		const list = await get('street.admin', USERS);
		assert.ok(list.json.items.some((u) => u.username === 'street.user'));
		assert.ok(!list.json.items.some((u) => u.username === 'new.user'), 'new.user is in another street');
	});

	test('a 409 body has the one error shape', async () => {
		const res = await add('security', valid());
		assertErrorBody(res, 'conflict');
		assert.match(res.json.error.message, /new\.user/);
	});
});
