/*
 * places.test.mjs - the demo district 330108 (滨江区) as the API shows it:
 * streets, communities and departments with their official codes and names,
 * grids tiling the district, locate, and ancestors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, assertSubset, interiorPoint, pointInGeometry, startServer } from './harness.mjs';

let srv, tree, fc;
before(async () => {
	srv = await startServer();
	const t = await srv.api('GET', '/api/v1/orgs?depth=2', { as: 'admin' });
	assert.equal(t.status, 200, t.text);
	tree = t.json;
	const g = await srv.api('GET', '/api/v1/orgs/330108/grids', { as: 'admin' });
	assert.equal(g.status, 200, g.text);
	fc = g.json;
});
after(async () => {
	await srv?.stop();
});

const STREETS = [['330108001', '西兴街道'], ['330108002', '长河街道'], ['330108003', '浦沿街道']];
const COMMUNITIES = { 330108001: 21, 330108002: 21, 330108003: 25 };
const ofKind = (kind) => tree.items.filter((o) => o.kind === kind);

describe('divisions', () => {
	test('the tree is rooted at the district 滨江区', () => {
		assert.equal(tree.root, '330108');
		assert.equal(tree.depth, 2);
		assert.deepStrictEqual(tree.items[0], { code: '330108', kind: 'district', name: '滨江区',
			name_en: '', depth: 0, children: 10, parent: null });
		assert.ok(tree.items.every((o) => o.depth <= 2), 'depth=2 stops at communities');
		assert.equal(ofKind('grid').length, 0);
	});

	test('three streets with their official names', () => {
		assert.deepStrictEqual(ofKind('street').map((o) => [o.code, o.name]), STREETS);
		for (const s of ofKind('street'))
			assertSubset(s, { parent: '330108', depth: 1, children: COMMUNITIES[s.code] + 1 });
	});

	test('67 communities, each under its street by code', () => {
		const comms = ofKind('community');
		assert.equal(comms.length, 67);
		for (const [code, n] of Object.entries(COMMUNITIES))
			assert.equal(comms.filter((c) => c.parent === code).length, n, `communities of ${code}`);
		for (const c of comms) {
			assert.match(c.code, /^330108\d{6}$/);
			assert.equal(c.parent, c.code.slice(0, 9));
			assert.equal(c.depth, 2);
			assert.match(c.name, /社区$/);
		}
		const names = Object.fromEntries(comms.map((c) => [c.code, c.name]));
		assertSubset(names, { 330108001001: '西陵社区', 330108001021: '新联社区',
			330108002001: '天官社区', 330108002027: '月亮湾社区', 330108003001: '新浦社区',
			330108003025: '伟业社区' });
	});

	test('departments: seven district bureaus and a judicial office per street', () => {
		const depts = ofKind('department');
		assert.deepStrictEqual(depts.map((d) => d.code).sort(), ['330108001D01', '330108002D01',
			'330108003D01', '330108D01', '330108D02', '330108D03', '330108D04', '330108D05',
			'330108D06', '330108D07']);
		const byCode = Object.fromEntries(depts.map((d) => [d.code, d]));
		assertSubset(byCode, {
			'330108D01': { name: '滨江区综合行政执法局', parent: '330108', depth: 1,
				name_en: 'Urban Management and Law Enforcement Bureau' },
			'330108D02': { name: '滨江区应急管理局' },
			'330108D03': { name: '杭州市公安局滨江区分局' },
			'330108D07': { name: '滨江区司法局', name_en: 'Justice Bureau' },
			'330108001D01': { name: '西兴街道司法所', parent: '330108001', depth: 2,
				name_en: 'Judicial Office' },
			'330108003D01': { name: '浦沿街道司法所', parent: '330108003' },
		});
	});

	test('children of the district: streets, then departments, by code', async () => {
		const res = await srv.api('GET', '/api/v1/orgs/330108/children', { as: 'admin' });
		assert.equal(res.status, 200);
		assert.equal(res.json.parent, '330108');
		assert.deepStrictEqual(res.json.items.map((o) => o.code), ['330108001', '330108002', '330108003',
			'330108D01', '330108D02', '330108D03', '330108D04', '330108D05', '330108D06', '330108D07']);
	});

	test('an org shows its ancestors, from the district down', async () => {
		const res = await srv.api('GET', '/api/v1/orgs/330108002027', { as: 'admin' });
		assert.equal(res.status, 200);
		assert.deepStrictEqual(res.json, { code: '330108002027', kind: 'community', name: '月亮湾社区',
			name_en: '', depth: 2, children: res.json.children, parent: '330108002',
			ancestors: [{ code: '330108', name: '滨江区', kind: 'district' },
				{ code: '330108002', name: '长河街道', kind: 'street' }] });
		assert.ok(res.json.children >= 2, 'a community has its grids as children');
		const grid = await srv.api('GET', '/api/v1/orgs/330108001001001', { as: 'admin' });
		assertSubset(grid.json, { kind: 'grid', name: '西陵社区第1网格', depth: 3, children: 0,
			ancestors: [{ code: '330108' }, { code: '330108001' }, { code: '330108001001', name: '西陵社区' }]
				.map((a, i) => ({ ...a, name: ['滨江区', '西兴街道', '西陵社区'][i],
					kind: ['district', 'street', 'community'][i] })) });
		const root = await srv.api('GET', '/api/v1/orgs/330108', { as: 'admin' });
		assert.deepStrictEqual(root.json.ancestors, []);
	});

	test('depth=0 is the root alone, depth=3 adds the grids', async () => {
		const d0 = await srv.api('GET', '/api/v1/orgs?depth=0', { as: 'admin' });
		assert.deepStrictEqual(d0.json.items.map((o) => o.code), ['330108']);
		const d3 = await srv.api('GET', '/api/v1/orgs?depth=3', { as: 'admin' });
		assert.equal(d3.json.items.filter((o) => o.kind === 'grid').length, fc.features.length);
		assert.equal(d3.json.items.length, tree.items.length + fc.features.length);
	});

	test('an unknown org is 404', async () => {
		for (const code of ['330108009', '330109', '330108001099', 'abc', '330108D99'])
			assertError(await srv.api('GET', `/api/v1/orgs/${code}`, { as: 'admin' }), 404, 'not_found');
	});
});

describe('grids', () => {
	test('at least 134 grids, every community has at least 2', () => {
		assert.equal(fc.type, 'FeatureCollection');
		assert.deepStrictEqual(Object.keys(fc), ['type', 'features']);
		assert.ok(fc.features.length >= 134, `${fc.features.length} grids`);
		const per = {};
		for (const f of fc.features)
			per[f.properties.community] = (per[f.properties.community] ?? 0) + 1;
		const comms = ofKind('community').map((c) => c.code);
		assert.deepStrictEqual(Object.keys(per).sort(), comms.sort());
		for (const [c, n] of Object.entries(per))
			assert.ok(n >= 2, `community ${c} has ${n} grids`);
	});

	test('each grid code is its community code and three digits, numbered from 001', () => {
		const comm = Object.fromEntries(ofKind('community').map((c) => [c.code, c]));
		const street = Object.fromEntries(ofKind('street').map((s) => [s.code, s.name]));
		const seen = {};
		for (const f of fc.features) {
			const p = f.properties;
			assert.equal(f.type, 'Feature');
			assert.equal(f.id, p.code);
			assert.match(p.code, /^\d{12}\d{3}$/);
			assert.equal(p.community, p.code.slice(0, 12));
			assert.equal(p.community_name, comm[p.community].name);
			assert.equal(p.street_name, street[p.code.slice(0, 9)]);
			(seen[p.community] ??= []).push(Number(p.code.slice(12)));
			assert.ok(p.area_m2 > 1000 && p.area_m2 < 20e6, `${p.code} area ${p.area_m2}`);
		}
		for (const [c, nums] of Object.entries(seen))
			assert.deepStrictEqual(nums, nums.map((_, i) => i + 1), `grids of ${c} are 001..`);
		assert.deepStrictEqual(fc.features.map((f) => f.id), fc.features.map((f) => f.id).sort(),
			'sorted by code');
	});

	test('polygons are closed rings of at least 4 positions inside the district', () => {
		for (const f of fc.features) {
			const g = f.geometry;
			assert.ok(['Polygon', 'MultiPolygon'].includes(g.type), `${f.id}: ${g.type}`);
			const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
			assert.ok(polys.length >= 1);
			for (const rings of polys) {
				assert.ok(rings.length >= 1);
				for (const ring of rings) {
					assert.ok(ring.length >= 4, `${f.id}: ring of ${ring.length}`);
					assert.deepStrictEqual(ring[0], ring.at(-1), `${f.id}: ring not closed`);
					for (const [x, y] of ring) /* 滨江区 lies around 120.1-120.3 E, 30.1-30.25 N */
						assert.ok(x > 120 && x < 120.4 && y > 30 && y < 30.4, `${f.id}: [${x}, ${y}]`);
				}
			}
		}
	});

	test('grids of a street and of a community are the matching subsets', async () => {
		const s = await srv.api('GET', '/api/v1/orgs/330108003/grids', { as: 'admin' });
		assert.deepStrictEqual(s.json.features, fc.features.filter((f) => f.id.startsWith('330108003')));
		const c = await srv.api('GET', '/api/v1/orgs/330108002027/grids', { as: 'admin' });
		assert.deepStrictEqual(c.json.features.map((f) => f.id),
			fc.features.filter((f) => f.properties.community === '330108002027').map((f) => f.id));
		const one = await srv.api('GET', '/api/v1/orgs/330108001001001/grids', { as: 'admin' });
		assert.deepStrictEqual(one.json.features, [fc.features[0]]);
		const dept = await srv.api('GET', '/api/v1/orgs/330108D01/grids', { as: 'admin' });
		assert.deepStrictEqual(dept.json, { type: 'FeatureCollection', features: [] });
	});
});

describe('locate', () => {
	const at = async ([lon, lat]) => {
		const res = await srv.api('GET', `/api/v1/locate?lon=${lon}&lat=${lat}`, { as: 'admin' });
		assert.equal(res.status, 200, res.text);
		return res.json;
	};

	test('a point inside each grid finds that grid', async () => {
		for (let i = 0; i < fc.features.length; i++) {
			const f = fc.features[i];
			const p = interiorPoint(f.geometry, 1e-5, i + 1);
			assert.ok(p, `an interior point for ${f.id}`);
			const others = fc.features.filter((o) => o !== f && pointInGeometry(o.geometry, p));
			assert.deepStrictEqual(others.map((o) => o.id), [], `grids overlap at ${p}`);
			const res = await at(p);
			assert.deepStrictEqual(res, {
				point: res.point,
				grid: { code: f.id, name: f.properties.name },
				community: { code: f.properties.community, name: f.properties.community_name },
				street: { code: f.id.slice(0, 9), name: f.properties.street_name },
			}, `locate ${p} in ${f.id}`);
			assert.ok(Math.abs(res.point.lon - p[0]) < 1e-9 && Math.abs(res.point.lat - p[1]) < 1e-9,
				`the point is echoed: ${JSON.stringify(res.point)} vs ${p}`);
		}
	});

	test('a point far away is in no grid', async () => {
		assert.deepStrictEqual(await at([0, 0]), { point: { lon: 0, lat: 0 }, grid: null });
		assert.deepStrictEqual(await at([116.4, 39.9]), { point: { lon: 116.4, lat: 39.9 }, grid: null });
	});

	test('a point just outside the district is in no grid', async () => {
		let minx = Infinity;
		for (const f of fc.features) {
			const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
			for (const rings of polys)
				for (const [x] of rings[0])
					minx = Math.min(minx, x);
		}
		assert.equal((await at([minx - 0.001, 30.2])).grid, null);
	});
});
