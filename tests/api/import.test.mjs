/*
 * import.test.mjs - the CLI on a fresh database without the demo: init,
 * import divisions (CSV) and grids (GeoJSON), user add/passwd/disable/list;
 * results checked through the API of a server on the same database.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, assertSubset, cli, FIXTURES, GOOD_PASSWORD, removeDir, startServer,
	tempDir } from './harness.mjs';

let dir, db, srv;
const run = (args, opts = {}) => cli(['--db', db, ...args], { cwd: dir, ...opts });
const fx = (name) => path.join(FIXTURES, name);
const ADMIN = 'root.admin';

before(async () => {
	dir = await tempDir();
	db = path.join(dir, 'p.db');
});
after(async () => {
	await srv?.stop({ keepDir: true });
	await removeDir(dir);
});

async function restart() {
	await srv?.stop({ keepDir: true });
	srv = await startServer({ dir, demo: false, accounts: { [ADMIN]: GOOD_PASSWORD } });
}

const org = (code, kind, name, name_en, parent, depth, children) =>
	({ code, kind, name, name_en, depth, children, parent });
const GOOD_TREE = [
	org('330108', 'district', '滨江区', 'Binjiang District', null, 0, 2),
	org('330108001', 'street', '西兴街道', 'Xixing Subdistrict, Binjiang', '330108', 1, 3),
	org('330108001001', 'community', '西陵社区', 'Xiling Community', '330108001', 2, 0),
	org('330108001002', 'community', '水电社区', 'Shuidian "Water and Power" Community', '330108001', 2, 0),
	org('330108001D01', 'department', '西兴街道司法所', '', '330108001', 2, 0),
	org('330108D01', 'department', '滨江区综合行政执法局', 'Urban Management Bureau', '330108', 1, 0),
];

async function tree() {
	const res = await srv.api('GET', '/api/v1/orgs?depth=4', { as: ADMIN });
	assert.equal(res.status, 200, res.text);
	return res.json.items;
}

describe('init', () => {
	test('creates the database and reports its schema', async () => {
		const r = await run(['init']);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, new RegExp(`^database '${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is at schema version [0-9]+\n$`));
		const again = await run(['init']);
		assert.equal(again.code, 0);
		assert.equal(again.stdout, r.stdout, 'init twice is harmless');
	});

	test('a user cannot be added to an org that does not exist', async () => {
		const r = await run(['user', 'add', ADMIN, '--org', '330108', '--roles', 'admin',
			'--password-stdin'], { input: `${GOOD_PASSWORD}\n` });
		assert.equal(r.code, 1);
		assert.match(r.stderr, /pingan: no org '330108'/);
	});
});

describe('import divisions', () => {
	test('a good CSV imports', async () => {
		const r = await run(['import', 'divisions', fx('divisions-good.csv')]);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, `imported 6 divisions and departments from '${fx('divisions-good.csv')}'\n`);
	});

	test('user add with --password-stdin prints no password', async () => {
		const r = await run(['user', 'add', ADMIN, '--org', '330108', '--roles', 'admin',
			'--password-stdin'], { input: `${GOOD_PASSWORD}\n` });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^added user 'root\.admin' \(id \d+\)\n$/);
		await restart();
	});

	test('the imported tree is listed by the API', async () => {
		assert.deepStrictEqual(await tree(), GOOD_TREE);
	});

	test('importing the same file again changes nothing', async () => {
		const r = await run(['import', 'divisions', fx('divisions-good.csv')]);
		assert.equal(r.code, 0, r.stderr);
		assert.deepStrictEqual(await tree(), GOOD_TREE);
	});

	const bad = [
		{ name: 'missing header columns', file: 'divisions-bad-header.csv',
			msg: /divisions-bad-header\.csv:1: the header needs the columns 'code' and 'name'/ },
		{ name: 'a code of the wrong shape', file: 'divisions-bad-code.csv',
			msg: /divisions-bad-code\.csv: line 3: '33010800X' is not a division or department code; nothing imported/ },
		{ name: 'a child whose parent is missing', file: 'divisions-bad-parent.csv',
			msg: /divisions-bad-parent\.csv: line 3: parent '330108005' of '330108005001' does not exist.*; nothing imported/ },
		{ name: 'an unterminated quote (named at the line it opens)', file: 'divisions-bad-quote.csv',
			msg: /divisions-bad-quote\.csv: line 3: unterminated quoted field; nothing imported/ },
		{ name: 'a name of 101 characters', file: 'divisions-bad-long-name.csv',
			msg: /divisions-bad-long-name\.csv: line 3: name of '330108002001' must be 1-100 characters.*; nothing imported/ },
		{ name: 'a kind that does not match the code', file: 'divisions-bad-kind.csv',
			msg: /divisions-bad-kind\.csv: line 3: code '330108002001' is a community code, not a street code; nothing imported/ },
	];
	for (const c of bad) {
		test(`refused: ${c.name}; nothing imported`, async () => {
			const r = await run(['import', 'divisions', fx(c.file)]);
			assert.equal(r.code, 1, r.stderr);
			assert.equal(r.stdout, '');
			assert.match(r.stderr, c.msg);
			/* every bad file starts with the good row 330108002 */
			assertError(await srv.api('GET', '/api/v1/orgs/330108002', { as: ADMIN }), 404, 'not_found');
			assert.deepStrictEqual(await tree(), GOOD_TREE);
		});
	}

	test('a name of exactly 100 characters imports', async () => {
		const r = await run(['import', 'divisions', fx('divisions-name-100.csv')]);
		assert.equal(r.code, 0, r.stderr);
		const res = await srv.api('GET', '/api/v1/orgs/330108001003', { as: ADMIN });
		assert.equal(res.status, 200);
		assert.equal(res.json.name, '庙'.repeat(100));
	});

	test('a BOM and CRLF line ends are understood', async () => {
		const file = path.join(dir, 'bom-crlf.csv');
		await writeFile(file, '\ufeffcode,name,name_en\r\n330108002,长河街道,Changhe\r\n' +
			'330108002001,"长河社区",""\r\n');
		const r = await run(['import', 'divisions', file]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^imported 2 divisions/);
		const res = await srv.api('GET', '/api/v1/orgs/330108002/children', { as: ADMIN });
		assert.equal(res.status, 200);
		assertSubset(res.json, { parent: '330108002', items: [org('330108002001', 'community',
			'长河社区', '', '330108002', 2, 0)] });
		const st = await srv.api('GET', '/api/v1/orgs/330108002', { as: ADMIN });
		assertSubset(st.json, { name: '长河街道', name_en: 'Changhe' });
	});

	test('--dry-run checks and counts, and imports nothing', async () => {
		const file = path.join(dir, 'dry.csv');
		await writeFile(file, 'code,name\n330108003,浦沿街道\n330108001,西兴街道\n');
		const r = await run(['import', 'divisions', '--dry-run', file]);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, `'${file}' is good: 2 divisions and departments, 1 new, 1 changed, ` +
			'0 unchanged; nothing imported (dry run)\n');
		assertError(await srv.api('GET', '/api/v1/orgs/330108003', { as: ADMIN }), 404, 'not_found');
		const bad = await run(['import', 'divisions', '--dry-run', fx('divisions-bad-code.csv')]);
		assert.equal(bad.code, 1);
		assert.match(bad.stderr, /divisions-bad-code\.csv: line 3: '33010800X' is not a division/);
	});

	test('a missing file and usage errors', async () => {
		const r = await run(['import', 'divisions', path.join(dir, 'nope.csv')]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /cannot open '.*nope\.csv'/);
		assert.equal((await run(['import', 'divisions'])).code, 2);
		assert.equal((await run(['import', 'streets', fx('divisions-good.csv')])).code, 2);
	});
});

describe('import grids', () => {
	/* the rings of tests/api/fixtures/grids-good.geojson */
	const OUTER = [[120.2, 30.2], [120.21, 30.2], [120.21, 30.21], [120.2, 30.21], [120.2, 30.2]];
	const HOLE = [[120.204, 30.204], [120.206, 30.204], [120.206, 30.206], [120.204, 30.206],
		[120.204, 30.204]];
	const SQ1 = [[120.22, 30.2], [120.23, 30.2], [120.23, 30.21], [120.22, 30.21], [120.22, 30.2]];
	const SQ2 = [[120.24, 30.2], [120.25, 30.2], [120.25, 30.21], [120.24, 30.21], [120.24, 30.2]];

	test('a good FeatureCollection imports and is listed', async () => {
		const r = await run(['import', 'grids', fx('grids-good.geojson')]);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, `imported 2 grids from '${fx('grids-good.geojson')}'\n`);
		const res = await srv.api('GET', '/api/v1/orgs/330108001/grids', { as: ADMIN });
		assert.equal(res.status, 200);
		assert.equal(res.json.type, 'FeatureCollection');
		assert.equal(res.json.features.length, 2);
		const [a, b] = res.json.features;
		assertSubset(a, { type: 'Feature', id: '330108001001001',
			properties: { code: '330108001001001', name: '西陵社区第1网格', community: '330108001001',
				community_name: '西陵社区', street_name: '西兴街道' },
			geometry: { type: 'Polygon', coordinates: [OUTER, HOLE] } });
		assertSubset(b, { id: '330108001002001', properties: { community_name: '水电社区' },
			geometry: { type: 'MultiPolygon', coordinates: [[SQ1], [SQ2]] } });
		/* 0.01 degree squares at 30.2 N are about 962 m x 1112 m; the hole is 4 % of one */
		const ea = a.properties.area_m2, eb = b.properties.area_m2;
		assert.ok(ea > 0.98e6 && ea < 1.06e6, `area of the square with a hole: ${ea}`);
		assert.ok(eb > 2.05e6 && eb < 2.2e6, `area of the two squares: ${eb}`);
		const grid = await srv.api('GET', '/api/v1/orgs/330108001001001', { as: ADMIN });
		assertSubset(grid.json, { kind: 'grid', parent: '330108001001', depth: 3,
			ancestors: [{ code: '330108', name: '滨江区', kind: 'district' },
				{ code: '330108001', name: '西兴街道', kind: 'street' },
				{ code: '330108001001', name: '西陵社区', kind: 'community' }] });
	});

	test('after a restart locate finds the imported grids', async () => {
		await restart();
		const h = await srv.api('GET', '/healthz');
		assert.equal(h.json.grids, 2);
		const at = async (lon, lat) => {
			const res = await srv.api('GET', `/api/v1/locate?lon=${lon}&lat=${lat}`, { as: ADMIN });
			assert.equal(res.status, 200, res.text);
			return res.json;
		};
		assert.deepStrictEqual(await at(120.202, 30.208), {
			point: { lon: 120.202, lat: 30.208 },
			grid: { code: '330108001001001', name: '西陵社区第1网格' },
			community: { code: '330108001001', name: '西陵社区' },
			street: { code: '330108001', name: '西兴街道' },
		});
		assert.equal((await at(120.205, 30.205)).grid, null, 'inside the hole');
		assert.equal((await at(120.245, 30.205)).grid.code, '330108001002001', 'second polygon');
		assert.equal((await at(120.235, 30.205)).grid, null, 'between the polygons');
	});

	const bad = [
		{ name: 'an unclosed ring', file: 'grids-bad-unclosed.geojson',
			msg: /:7: feature 1 \(330108001001003\): ring 0 of polygon 0 is not closed; nothing imported/ },
		{ name: 'latitude 91', file: 'grids-bad-latitude.geojson',
			msg: /:7: feature 1 \(330108001001003\): .*latitude 91 outside \[-90, 90\]; nothing imported/ },
		{ name: 'a Point geometry', file: 'grids-bad-point.geojson',
			msg: /:7: feature 1 \(330108001001003\): geometry type 'Point' is not Polygon or MultiPolygon; nothing imported/ },
		{ name: 'no properties.code', file: 'grids-bad-no-code.geojson',
			msg: /:7: feature 1: properties\.code \(the grid code\) is missing; nothing imported/ },
		{ name: 'a code under no existing community', file: 'grids-bad-no-community.geojson',
			msg: /:7: feature 1 \(330108001009001\): parent '330108001009' of '330108001009001' does not exist.*; nothing imported/ },
		{ name: 'malformed JSON', file: 'grids-bad-malformed.geojson',
			msg: /grids-bad-malformed\.geojson:7:\d+: .*expected.*; nothing imported/ },
		{ name: 'not a FeatureCollection', file: 'grids-bad-not-collection.geojson',
			msg: /grids-bad-not-collection\.geojson: expected a FeatureCollection with a features array; nothing imported/ },
	];
	for (const c of bad) {
		test(`refused: ${c.name}; nothing imported`, async () => {
			const r = await run(['import', 'grids', fx(c.file)]);
			assert.equal(r.code, 1, r.stderr);
			assert.equal(r.stdout, '');
			assert.match(r.stderr, c.msg);
			assert.ok(r.stderr.includes(fx(c.file)), 'the message names the file');
			/* feature 0 of every bad file is the good grid 330108001001002 */
			assertError(await srv.api('GET', '/api/v1/orgs/330108001001002', { as: ADMIN }), 404, 'not_found');
			const res = await srv.api('GET', '/api/v1/orgs/330108001/grids', { as: ADMIN });
			assert.deepStrictEqual(res.json.features.map((f) => f.id), ['330108001001001', '330108001002001']);
		});
	}
});

describe('user CLI', () => {
	const login = (username, password) =>
		srv.api('POST', '/api/v1/auth/login', { body: { username, password } });

	test('adding an existing user fails', async () => {
		const r = await run(['user', 'add', ADMIN, '--org', '330108001', '--roles', 'leader',
			'--password-stdin'], { input: `${GOOD_PASSWORD}\n` });
		assert.equal(r.code, 1);
		assert.match(r.stderr, /pingan: user 'root\.admin' already exists/);
	});

	test('without --password-stdin a password is generated and printed once', async () => {
		const r = await run(['user', 'add', 'gen.user', '--org', '330108001', '--roles', 'leader,centre',
			'--display-name', '生成的用户']);
		assert.equal(r.code, 0, r.stderr);
		const m = /^added user 'gen\.user' \(id \d+\) with password: (\S{16})\n$/.exec(r.stdout);
		assert.ok(m, r.stdout);
		const res = await login('gen.user', m[1]);
		assert.equal(res.status, 200, res.text);
		assertSubset(res.json.user, { username: 'gen.user', display_name: '生成的用户',
			org: '330108001', org_kind: 'street', roles: ['centre', 'leader'] });
	});

	test('an unknown role is a usage error', async () => {
		const r = await run(['user', 'add', 'x.user', '--org', '330108', '--roles', 'admin,bogus',
			'--password-stdin'], { input: `${GOOD_PASSWORD}\n` });
		assert.equal(r.code, 2);
		assert.match(r.stderr, /unknown role 'bogus'/);
	});

	test('a weak password is refused and no user is added', async () => {
		for (const [pw, why] of [['short-1A', /at least 12 characters/],
			['alllowercaseletters', /three of/], ['', /at least 12 characters/]]) {
			const r = await run(['user', 'add', 'weak.user', '--org', '330108', '--roles', 'leader',
				'--password-stdin'], { input: `${pw}\n` });
			assert.equal(r.code, 1, `${pw}: ${r.stdout}`);
			assert.match(r.stderr, why);
		}
		const list = await run(['user', 'list']);
		assert.ok(!list.stdout.includes('weak.user'));
	});

	test('user list shows id, name, org, state and roles', async () => {
		const r = await run(['user', 'list']);
		assert.equal(r.code, 0, r.stderr);
		const lines = r.stdout.trimEnd().split('\n');
		assert.match(lines[0], /^ID\s+USER\s+ORG\s+STATE\s+ROLES$/);
		assert.equal(lines.length, 3, r.stdout);
		assert.match(lines[1], /^\d+\s+gen\.user\s+330108001\s+active\s+centre,leader$/);
		assert.match(lines[2], /^\d+\s+root\.admin\s+330108\s+active\s+admin$/);
	});

	test('user passwd refuses a weak password and keeps the old one', async () => {
		const r = await run(['user', 'passwd', ADMIN, '--password-stdin'], { input: 'weak\n' });
		assert.equal(r.code, 1);
		assert.match(r.stderr, /at least 12 characters/);
		assert.equal((await login(ADMIN, GOOD_PASSWORD)).status, 200);
	});

	test('user passwd sets the password and ends the sessions', async () => {
		const before = await login(ADMIN, GOOD_PASSWORD);
		const token = before.json.token;
		assert.equal((await srv.api('GET', '/api/v1/me', { token })).status, 200);
		const pw = 'Another-Horse-43y';
		const r = await run(['user', 'passwd', ADMIN, '--password-stdin'], { input: `${pw}\r\n` });
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, "password of 'root.admin' changed; its sessions ended\n");
		assertError(await srv.api('GET', '/api/v1/me', { token }), 401, 'unauthenticated');
		assertError(await login(ADMIN, GOOD_PASSWORD), 401, 'invalid_credentials');
		assert.equal((await login(ADMIN, pw)).status, 200);
		const back = await run(['user', 'passwd', ADMIN, '--password-stdin'], { input: `${GOOD_PASSWORD}\n` });
		assert.equal(back.code, 0);
		srv.sessions.clear();
	});

	test('user disable and enable', async () => {
		const s = await login(ADMIN, GOOD_PASSWORD);
		const token = s.json.token;
		const d = await run(['user', 'disable', ADMIN]);
		assert.equal(d.code, 0, d.stderr);
		assert.equal(d.stdout, "user 'root.admin' disabled\n");
		assertError(await srv.api('GET', '/api/v1/me', { token }), 401, 'unauthenticated');
		assertError(await login(ADMIN, GOOD_PASSWORD), 401, 'invalid_credentials');
		const list = await run(['user', 'list']);
		assert.match(list.stdout, /^\d+\s+root\.admin\s+330108\s+disabled\s+admin$/m);
		const e = await run(['user', 'enable', ADMIN]);
		assert.equal(e.code, 0, e.stderr);
		assert.equal(e.stdout, "user 'root.admin' enabled\n");
		assert.equal((await login(ADMIN, GOOD_PASSWORD)).status, 200);
		srv.sessions.clear();
	});

	test('user commands on a user that does not exist', async () => {
		for (const args of [['disable', 'nobody'], ['enable', 'nobody'], ['passwd', 'nobody', '--password-stdin']]) {
			const r = await run(['user', ...args], { input: `${GOOD_PASSWORD}\n` });
			assert.equal(r.code, 1, args.join(' '));
			assert.match(r.stderr, /no user 'nobody'/);
		}
		assert.equal((await run(['user', 'frobnicate'])).code, 2);
		assert.equal((await run(['user', 'add', 'x.user'])).code, 2);
	});
});
