// The cockpit's additions to GET /api/v1/stats/events (departments, categories,
// grids for the map, the overdue list) come from roll-ups and indexes; they
// must agree exactly with the events counted through the list, and follow
// every change at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer({ demoEnv: { PINGAN_DEMO_EVENTS: '400' } });
});
after(async () => {
	await srv?.stop();
});

const OPEN = 'reported,registered,dispatched,handling,handled,verified,returned,suspended';
const total = async (as, q) => {
	const res = await srv.api('GET', `/api/v1/events?limit=1&${q}`, { as });
	assert.equal(res.status, 200, res.text);
	return res.json.total;
};
const stats = async (as, q = '') => {
	const res = await srv.api('GET', `/api/v1/stats/events${q}`, { as });
	assert.equal(res.status, 200, res.text);
	return res.json;
};

test('departments, categories and grids agree with the events', async () => {
	const s = await stats('centre');
	assert.ok(s.departments.length > 0);
	let dispatched = 0;
	for (const d of s.departments) {
		assert.match(d.code, /^330108(\d{3})?D\d\d$/);
		assert.ok(d.name.length > 0, `${d.code} has a name`);
		assert.equal(d.open, await total('centre', `assignee=${d.code}&state=${OPEN}`), d.code);
		assert.equal(d.overdue, await total('centre', `assignee=${d.code}&state=${OPEN}&overdue=true`), d.code);
		dispatched += d.open;
	}
	assert.equal(dispatched + s.undispatched, s.open);
	for (let i = 1; i < s.departments.length; i++)
		assert.ok(s.departments[i - 1].overdue >= s.departments[i].overdue, 'most overdue first');

	let sum = 0;
	for (const c of s.categories) {
		assert.match(c.code, /^\d{4}$/);
		assert.equal(c.class, c.code.slice(0, 2));
		assert.equal(c.total, await total('centre', `category=${c.code}`), c.code);
		assert.equal(c.open, await total('centre', `category=${c.code}&state=${OPEN}`), c.code);
		assert.equal(c.overdue, await total('centre', `category=${c.code}&state=${OPEN}&overdue=true`), c.code);
		sum += c.total;
	}
	assert.equal(sum, s.total);
	for (let i = 1; i < s.categories.length; i++)
		assert.ok(s.categories[i - 1].total >= s.categories[i].total, 'most reported first');

	let inGrids = 0;
	for (const g of s.grids) {
		assert.match(g.code, /^330108\d{9}$/);
		assert.ok(g.open > 0);
		assert.equal(g.open, await total('centre', `grid=${g.code}&state=${OPEN}`), g.code);
		assert.equal(g.overdue, await total('centre', `grid=${g.code}&state=${OPEN}&overdue=true`), g.code);
		inGrids += g.open;
	}
	assert.ok(inGrids <= s.open && inGrids > 0);
});

test('the overdue list: open overdue events, longest overdue first', async () => {
	const s = await stats('centre', '?top=100');
	const n = await total('centre', `state=${OPEN}&overdue=true`);
	assert.ok(n > 0, 'the demo has overdue work');
	assert.equal(s.overdue_list.length, Math.min(n, 100));
	assert.equal(s.overdue, n);
	for (const e of s.overdue_list) {
		const full = await srv.api('GET', `/api/v1/events/${e.id}`, { as: 'centre' });
		assert.equal(full.json.warning, 'red');
		assert.ok(OPEN.split(',').includes(full.json.state));
		assert.equal(e.receipt, full.json.receipt);
		assert.equal(e.deadline_at, full.json.deadline_at);
		assert.ok(e.overdue_s >= 0);
	}
	const times = s.overdue_list.map((e) => (e.deadline_at ? Date.parse(e.deadline_at) : -Infinity));
	for (let i = 1; i < times.length; i++)
		assert.ok(times[i - 1] <= times[i], 'by deadline');
	assert.equal((await stats('centre', '?top=0')).overdue_list.length, 0);
	assert.equal((await stats('centre')).overdue_list.length, Math.min(n, 10), 'ten by default');
	assertError(await srv.api('GET', '/api/v1/stats/events?top=101', { as: 'centre' }), 400, 'invalid_query');
	assertError(await srv.api('GET', '/api/v1/stats/events?top=x', { as: 'centre' }), 400, 'invalid_query');
});

test('a street sees only its own', async () => {
	const s = await stats('street.centre', '?top=100');
	assert.ok(s.grids.every((g) => g.code.startsWith('330108001')));
	for (const e of s.overdue_list)
		assert.equal((await srv.api('GET', `/api/v1/events/${e.id}`, { as: 'street.centre' })).status, 200);
	assert.equal(s.overdue_list.length, Math.min(100, await total('street.centre', `org=330108001&state=${OPEN}&overdue=true`)));
	for (const d of s.departments)
		assert.equal(d.open, await total('street.centre', `org=330108001&assignee=${d.code}&state=${OPEN}`), d.code);
	const c = await stats('centre', '?org=330108002');
	assert.ok(c.grids.every((g) => g.code.startsWith('330108002')));
});

test('a dispatch moves the numbers at once', async () => {
	const before = await stats('centre');
	const e = await srv.api('POST', '/api/v1/events', { as: 'centre', body: { category: '0102', title: '驾驶舱', address: '测试路' } });
	assert.equal(e.status, 201);
	let after = await stats('centre');
	assert.equal(after.undispatched, before.undispatched + 1);
	const cat = (s) => s.categories.find((c) => c.code === '0102') ?? { total: 0, open: 0 };
	assert.equal(cat(after).total, cat(before).total + 1);
	assert.equal(cat(after).open, cat(before).open + 1);
	const act = (a, b = {}) => srv.api('POST', `/api/v1/events/${e.json.id}/actions/${a}`, { as: 'centre', body: b });
	assert.equal((await act('register')).status, 200);
	assert.equal((await act('dispatch', { assignee: '330108D03' })).status, 200);
	after = await stats('centre');
	const d03 = (s) => s.departments.find((d) => d.code === '330108D03')?.open ?? 0;
	assert.equal(after.undispatched, before.undispatched);
	assert.equal(d03(after), d03(before) + 1);
	assert.equal((await act('void', { reason: '测试' })).status, 200);
	after = await stats('centre');
	assert.equal(d03(after), d03(before));
	assert.equal(cat(after).open, cat(before).open);
	assert.equal(cat(after).total, cat(before).total + 1);
});
