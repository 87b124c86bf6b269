/*
 * duplicates_window.test.mjs - how near and how recent a report of the same
 * category must be to be offered as a duplicate (docs/api.md, "Duplicates"):
 * within dup_distance_m metres and reported in the last dup_window_hours
 * hours. One server keeps the defaults (50 m, 24 h), another runs with
 * --dup-distance-m 120 --dup-window-hours 2; both have the test clock, which
 * ages the reports. Each scenario uses its own category at one point of a
 * demo grid, so the scenarios do not see each other's reports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { testClock } from './clock_lib.mjs';
import { interiorPoint, startServer } from './harness.mjs';

let plain, tuned, p;

before(async () => {
	[plain, tuned] = await Promise.all([
		startServer({ args: ['--test-clock'] }),
		startServer({ args: ['--test-clock', '--dup-distance-m', '120', '--dup-window-hours', '2'] }),
	]);
	const res = await plain.api('GET', '/api/v1/orgs/330108/grids', { as: 'admin' });
	assert.equal(res.status, 200, res.text);
	const g = res.json.features.filter((f) => f.id.startsWith('330108003'))[10];
	p = interiorPoint(g.geometry);
	assert.ok(p, `an interior point of ${g.id}`);
});
after(async () => {
	await plain?.stop();
	await tuned?.stop();
});

/* metres north (negative: south) of a point, as the server measures them */
const north = ([lon, lat], m) => [lon, lat + m / 111195];

/* Files a report as the centre (who sees the whole district) and returns
 * {id, dups}: the ids of its duplicate candidates. */
async function report(srv, category, title, at) {
	const res = await srv.api('POST', '/api/v1/events', { as: 'centre',
		body: { category, title, lon: at[0], lat: at[1] } });
	assert.equal(res.status, 201, `report '${title}': ${res.text}`);
	return { id: res.json.id, dups: res.json.duplicates.map((d) => d.id) };
}

/* Ages every report on srv by hours; the jump outlasts the cached sessions. */
async function age(srv, hours) {
	await testClock(srv).advance(hours * 3600);
	srv.sessions.clear();
}

describe('the defaults: 50 m, 24 hours', () => {
	test('a report 30 m away is a candidate; 80 m away is not', async () => {
		const first = await report(plain, '0104', '乱堆物料', p);
		assert.deepStrictEqual(first.dups, []);
		const near = await report(plain, '0104', '乱堆物料（北 30 m）', north(p, 30));
		assert.deepStrictEqual(near.dups, [first.id]);
		/* 80 m south of the first, 110 m from the second */
		const far = await report(plain, '0104', '乱堆物料（南 80 m）', north(p, -80));
		assert.deepStrictEqual(far.dups, [], 'nothing within 50 m');
		const edge = await report(plain, '0104', '乱堆物料（南 45 m）', north(p, -45));
		assert.deepStrictEqual(edge.dups, [far.id, first.id],
			'45 m from the first, 35 m from the third, 75 m from the second; newest first');
	});

	test('a report older than 24 hours is no candidate any more', async () => {
		const old = await report(plain, '0102', '暴露垃圾', p);
		await age(plain, 23);
		const day = await report(plain, '0102', '暴露垃圾（23 小时后）', north(p, 10));
		assert.deepStrictEqual(day.dups, [old.id], '23 hours old: still a candidate');
		await age(plain, 2);
		const later = await report(plain, '0102', '暴露垃圾（25 小时后）', north(p, 20));
		assert.deepStrictEqual(later.dups, [day.id], 'the 25-hour-old report is left out');
	});
});

describe('dup_distance_m 120, dup_window_hours 2', () => {
	test('the distance follows the setting', async () => {
		const first = await report(tuned, '0104', '乱堆物料', p);
		const at80 = await report(tuned, '0104', '乱堆物料（北 80 m）', north(p, 80));
		assert.deepStrictEqual(at80.dups, [first.id], '80 m is within 120 m');
		/* 140 m south of the first, 220 m from the second */
		const at140 = await report(tuned, '0104', '乱堆物料（南 140 m）', north(p, -140));
		assert.deepStrictEqual(at140.dups, [], 'nothing within 120 m');
	});

	test('the window follows the setting', async () => {
		const old = await report(tuned, '0102', '暴露垃圾', p);
		await age(tuned, 1);
		const hour = await report(tuned, '0102', '暴露垃圾（1 小时后）', north(p, 10));
		assert.deepStrictEqual(hour.dups, [old.id], '1 hour old: a candidate');
		await age(tuned, 1.5);
		const later = await report(tuned, '0102', '暴露垃圾（2.5 小时后）', north(p, 20));
		assert.deepStrictEqual(later.dups, [hour.id],
			'2.5 hours old is out of a 2-hour window, 1.5 hours old is in');
	});
});
