/*
 * import_http.test.mjs - POST /api/v1/imports/{kind}: the system
 * administrator uploads divisions (CSV), grids (GeoJSON) and population
 * (CSV) into the demo district. A dry run counts what would change and
 * writes nothing; a real run imports and is audited; the first bad record
 * is refused with its line (and feature) and nothing is written, not even
 * the good records before it; other roles are refused; the body is bounded
 * by max_upload (413).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, startServer } from './harness.mjs';

let srv, community;
before(async () => {
	srv = await startServer({ args: ['--max-upload', '100000'] });
	const kids = await srv.api('GET', '/api/v1/orgs/330108001/children', { as: 'admin' });
	community = kids.json.items.find((o) => o.kind === 'community').code;
});
after(async () => { await srv?.stop(); });

const upload = (kind, text, { dry = false, as = 'admin', query } = {}) =>
	srv.api('POST', `/api/v1/imports/${kind}${query ?? (dry ? '?dry_run=true' : '')}`,
		{ as, raw: Buffer.from(text), headers: { 'content-type': 'text/csv' } });
const org = (code) => srv.api('GET', `/api/v1/orgs/${code}`, { as: 'admin' });
const imports = async () => (await srv.api('GET', '/api/v1/audit?action=config.import&limit=500',
	{ as: 'auditor' })).json.items;

describe('divisions', () => {
	const CSV = 'code,name,name_en\n330108001097,测试社区甲,Test A\n330108001098,测试社区乙,\n';

	test('a dry run counts what would change and writes nothing', async () => {
		const res = await upload('divisions', CSV, { dry: true });
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json, { kind: 'divisions', dry_run: true, imported: false, rows: 2,
			created: 2, updated: 0, unchanged: 0 });
		assertError(await org('330108001097'), 404, 'not_found');
		assert.equal((await imports()).length, 0, 'a dry run is not audited');
	});

	test('the real run imports and is audited', async () => {
		const res = await upload('divisions', CSV);
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json, { kind: 'divisions', dry_run: false, imported: true, rows: 2,
			created: 2, updated: 0, unchanged: 0 });
		const o = await org('330108001097');
		assert.equal(o.status, 200);
		assert.equal(o.json.name, '测试社区甲');
		assert.equal(o.json.kind, 'community');
		const a = await imports();
		assert.equal(a.length, 1);
		assert.equal(a[0].username, 'admin');
		assert.equal(a[0].object, 'divisions');
		assert.equal(a[0].outcome, 'ok');
		assert.match(a[0].detail, /^2 divisions and departments from an upload$/);
	});

	test('again: unchanged; a rename: changed', async () => {
		const same = await upload('divisions', CSV, { dry: true });
		assert.deepEqual([same.json.created, same.json.updated, same.json.unchanged], [0, 0, 2]);
		const renamed = await upload('divisions', CSV.replace('测试社区乙', '测试社区丙'), { dry: true });
		assert.deepEqual([renamed.json.created, renamed.json.updated, renamed.json.unchanged], [0, 1, 1]);
		assert.equal((await org('330108001098')).json.name, '测试社区乙', 'the dry run renamed nothing');
	});

	const bad = [
		['a code of the wrong shape', 'code,name\n330108001096,好的社区\n33010800X,坏\n',
			/^line 3: '33010800X' is not a division or department code; nothing imported$/],
		['a parent that does not exist', 'code,name\n330108001096,好的社区\n330108099001,孤儿社区\n',
			/^line 3: parent '330108099' of '330108099001' does not exist/],
		['a name of 101 characters', `code,name\n330108001096,好的社区\n330108001095,${'庙'.repeat(101)}\n`,
			/^line 3: name of '330108001095' must be 1-100 characters/],
		['an unterminated quote', 'code,name\n330108001096,好的社区\n330108001095,"没有结束\n',
			/^line 3: unterminated quoted field; nothing imported$/],
		['a header without name', 'code,title\n330108001096,好的社区\n',
			/^line 1: the header needs the columns 'code' and 'name'; nothing imported$/],
		['a kind that does not match the code', 'code,name,kind\n330108001096,好的社区,\n330108001095,街道,street\n',
			/^line 3: code '330108001095' is a community code, not a street code/],
	];
	for (const [name, text, msg] of bad) {
		for (const dry of [true, false]) {
			test(`refused${dry ? ' (dry run)' : ''}: ${name}; nothing imported`, async () => {
				const before = (await imports()).length;
				const res = await upload('divisions', text, { dry });
				assertError(res, 400, 'invalid_file');
				assert.match(res.json.error.message, msg);
				assertError(await org('330108001096'), 404, 'not_found');
				assert.equal((await imports()).length, before, 'no audit record');
			});
		}
	}
});

describe('grids', () => {
	const square = (x) => [[[x, 30.2], [x + 0.001, 30.2], [x + 0.001, 30.201], [x, 30.201], [x, 30.2]]];
	const fc = (features) => JSON.stringify({ type: 'FeatureCollection', features }, null, 1);
	const feature = (code, name, coordinates, type = 'Polygon') =>
		({ type: 'Feature', properties: { code, name }, geometry: { type, coordinates } });

	test('a dry run, then the import; the grid is on its community', async () => {
		const code = `${community}990`;
		const text = fc([feature(code, '测试网格', square(120.3))]);
		const dry = await upload('grids', text, { dry: true });
		assert.equal(dry.status, 200, dry.text);
		assert.deepEqual(dry.json, { kind: 'grids', dry_run: true, imported: false, rows: 1,
			created: 1, updated: 0, unchanged: 0 });
		assertError(await org(code), 404, 'not_found');
		const at = 'lon=120.3005&lat=30.2005';
		const before = await srv.api('GET', `/api/v1/locate?${at}`, { as: 'admin' });
		assert.equal(before.json.grid, null, 'the point is outside every grid before');
		const res = await upload('grids', text);
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json, { kind: 'grids', dry_run: false, imported: true, rows: 1,
			created: 1, updated: 0, unchanged: 0 });
		/* the running server locates in the new grid at once, no restart */
		const after = await srv.api('GET', `/api/v1/locate?${at}`, { as: 'admin' });
		assert.equal(after.json.grid?.code, code, after.text);
		const ev = await srv.api('POST', '/api/v1/events', { as: 'centre',
			body: { category: '0102', title: '导入后的网格', lon: 120.3005, lat: 30.2005 } });
		assert.equal(ev.status, 201, ev.text);
		assert.equal(ev.json.grid, code, 'a new report is located to the imported grid');
		const g = await org(code);
		assert.equal(g.status, 200);
		assert.equal(g.json.kind, 'grid');
		const grids = await srv.api('GET', `/api/v1/orgs/${community}/grids`, { as: 'admin' });
		const f = grids.json.features.find((x) => x.id === code);
		assert.deepEqual(f.geometry, { type: 'Polygon', coordinates: square(120.3) });
		assert.equal((await imports()).at(0).detail, '1 grids from an upload');
		const again = await upload('grids', text, { dry: true });
		assert.deepEqual([again.json.created, again.json.updated, again.json.unchanged], [0, 0, 1]);
		const moved = await upload('grids', fc([feature(code, '测试网格', square(120.31))]), { dry: true });
		assert.deepEqual([moved.json.created, moved.json.updated, moved.json.unchanged], [0, 1, 0]);
	});

	test('the first bad feature is named with its line; nothing imported', async () => {
		const good = `${community}991`;
		const cases = [
			[fc([feature(good, '好网格', square(120.4)), feature(`${community}992`, '坏网格', [square(120.5)[0].slice(0, 4)])]),
				new RegExp(`^line \\d+: feature 1 \\(${community}992\\): ring 0 of polygon 0 is not closed; nothing imported$`)],
			[fc([feature(good, '好网格', square(120.4)), feature('330108099001001', '无社区', square(120.5))]),
				/^line \d+: feature 1 \(330108099001001\): parent '330108099001' of '330108099001001' does not exist/],
			[fc([feature(good, '好网格', square(120.4)), feature(`${community}992`, '点', [120.5, 30.2], 'Point')]),
				/feature 1 \(\d+\): geometry type 'Point' is not Polygon or MultiPolygon/],
			['{"type": "FeatureCollection", "features": [', /^line \d+, column \d+: .*; nothing imported$/],
			['{"type": "Feature"}', /^the file: expected a FeatureCollection with a features array; nothing imported$/],
		];
		for (const [text, msg] of cases) {
			for (const dry of [true, false]) {
				const res = await upload('grids', text, { dry });
				assertError(res, 400, 'invalid_file');
				assert.match(res.json.error.message, msg);
				assertError(await org(good), 404, 'not_found');
			}
		}
		/* the feature's line in the message is its line in the file */
		const text = fc([feature(good, '好网格', square(120.4)), feature(`${community}992`, '坏', [square(120.5)[0].slice(0, 4)])]);
		const res = await upload('grids', text);
		const line = Number(/^line (\d+):/.exec(res.json.error.message)[1]);
		const lines = text.split('\n');
		assert.match(lines.slice(line - 1).join('\n'), /^\s*\{\s*$/m);
		assert.ok(lines.slice(line - 1, line + 6).join('\n').includes(`${community}992`), `line ${line} starts feature 1`);
	});
});

describe('population', () => {
	test('figures import with their year and source, and are listed', async () => {
		const csv = `code,population,year,source\n330108001,123456,2024,测试公报\n${community},4567,2024,测试公报\n`;
		const dry = await upload('population', csv, { dry: true });
		assert.equal(dry.status, 200, dry.text);
		assert.deepEqual([dry.json.rows, dry.json.created], [2, 2]);
		const none = await srv.api('GET', '/api/v1/assess/population', { as: 'admin' });
		assert.ok(!none.json.items.some((i) => i.code === '330108001' && i.source === '测试公报'));
		const res = await upload('population', csv);
		assert.equal(res.status, 200, res.text);
		const list = await srv.api('GET', '/api/v1/assess/population', { as: 'admin' });
		const row = list.json.items.find((i) => i.code === '330108001');
		assert.equal(row.population, 123456);
		assert.equal(row.year, 2024);
		assert.equal(row.source, '测试公报');
		const again = await upload('population', csv.replace('4567', '4568'), { dry: true });
		assert.deepEqual([again.json.created, again.json.updated, again.json.unchanged], [0, 1, 1]);
	});

	test('bad rows are named; nothing imported', async () => {
		for (const [csv, msg] of [
			['code,population,year,source\n330108002,100,2024,公报\n330108999,5,2024,公报\n',
				/^line 3: '330108999' is not a district, street, community or grid here/],
			['code,population,year,source\n330108002,100,2024,公报\n330108001,-5,2024,公报\n',
				/^line 3: population of '330108001' must be a whole number/],
			['code,population,year,source\n330108002,100,2024,公报\n330108001,5,1900,公报\n',
				/^line 3: year of '330108001' must be 1950-2200/],
			['code,population,year,source\n330108002,100,2024,公报\n330108001,5,2024,\n',
				/^line 3: source of '330108001' must be 1-200 characters/],
			['code,population\n330108002,100\n', /^line 1: the header needs the columns 'code', 'population', 'year' and 'source'/],
		]) {
			const res = await upload('population', csv);
			assertError(res, 400, 'invalid_file');
			assert.match(res.json.error.message, msg);
			const list = await srv.api('GET', '/api/v1/assess/population', { as: 'admin' });
			assert.ok(!list.json.items.some((i) => i.code === '330108002' && i.source === '公报'));
		}
	});
});

describe('requests', () => {
	test('only the system administrator may import', async () => {
		for (const as of ['security', 'centre', 'leader', 'gridworker', 'auditor']) {
			const res = await upload('divisions', 'code,name\n330108001094,不该有\n', { as });
			assertError(res, 403, 'forbidden');
		}
		assertError(await srv.api('POST', '/api/v1/imports/divisions', { raw: Buffer.from('code,name\n') }),
			401, 'unauthenticated');
		assertError(await org('330108001094'), 404, 'not_found');
	});

	test('bad requests', async () => {
		assertError(await upload('streets', 'code,name\n'), 404, 'not_found');
		assertError(await upload('divisions', 'code,name\n', { query: '?dry_run=maybe' }), 400, 'invalid_query');
		assertError(await upload('divisions', ''), 400, 'missing_field');
		assertError(await upload('divisions', '\n'), 400, 'invalid_file');
		/* a spreadsheet (a zip) or UTF-16 text: 415 with what to send */
		const xlsx = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'), Buffer.alloc(64)]);
		const r415 = await srv.api('POST', '/api/v1/imports/divisions', { as: 'admin', raw: xlsx });
		assertError(r415, 415, 'unsupported_media_type');
		assert.match(r415.json.error.message, /CSV UTF-8/);
		assertError(await srv.api('POST', '/api/v1/imports/divisions', { as: 'admin',
			raw: Buffer.from('code,name\n', 'utf16le') }), 415, 'unsupported_media_type');
		assertError(await srv.api('GET', '/api/v1/imports/divisions', { as: 'admin' }), 405, 'method_not_allowed');
	});

	test('a file larger than max_upload is refused with 413', async () => {
		const big = 'code,name\n' + '330108001093,大\n'.repeat(8000);
		assert.ok(Buffer.byteLength(big) > 100000);
		const res = await upload('divisions', big);
		assertError(res, 413, 'payload_too_large');
		assertError(await org('330108001093'), 404, 'not_found');
	});
});
