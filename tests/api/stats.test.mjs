// The cockpit's numbers come from roll-up tables kept by the database in the
// same transaction as each change; they must agree exactly with the events
// themselves, counted through the list API, for every state, place and day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer({ demoEnv: { PINGAN_DEMO_EVENTS: '250' } });
});
after(async () => {
	await srv?.stop();
});

const OPEN = 'reported,registered,dispatched,handling,handled,verified,returned,suspended';
const total = async (as, q) => {
	const res = await srv.api('GET', `/api/v1/events?limit=1${q ? `&${q}` : ''}`, { as });
	assert.equal(res.status, 200, res.text);
	return res.json.total;
};

test('the district: totals, states, overdue and children agree with the events', async () => {
	const res = await srv.api('GET', '/api/v1/stats/events', { as: 'centre' });
	assert.equal(res.status, 200, res.text);
	const s = res.json;
	assert.equal(s.org, '330108');
	assert.equal(s.total, await total('centre', ''));
	assert.ok(s.total >= 240);
	for (const [state, n] of Object.entries(s.by_state))
		assert.equal(n, await total('centre', `state=${state}`), `state ${state}`);
	assert.equal(s.open, await total('centre', `state=${OPEN}`));
	assert.equal(s.overdue, await total('centre', `state=${OPEN}&overdue=true`));
	assert.equal(s.resolved, s.by_state.closed);
	assert.equal(s.not_resolved, s.by_state.rejected + s.by_state.merged + s.by_state.voided);
	assert.deepEqual(s.children.map((c) => c.code), ['330108001', '330108002', '330108003']);
	assert.equal(s.children.reduce((a, c) => a + c.total, 0), s.total, 'every demo event is in a street');
	for (const c of s.children)
		assert.equal(c.total, await total('centre', `org=${c.code}`), `street ${c.code}`);
	assert.equal(s.trend.length, 30);
	const days = s.trend.reduce((a, d) => a + d.reported, 0);
	const first = s.trend[0].date, last = s.trend.at(-1).date;
	assert.equal(days, await total('centre', `from=${first}&to=${last}`), 'reports per day add up');
	assert.equal(s.today.reported, await total('centre', `from=${last}&to=${last}`));
});

test('a change moves the numbers at once', async () => {
	const before = (await srv.api('GET', '/api/v1/stats/events', { as: 'centre' })).json;
	const e = await srv.api('POST', '/api/v1/events', { as: 'centre',
		body: { category: '0102', title: '统计测试', address: '测试路' } });
	assert.equal(e.status, 201);
	let after = (await srv.api('GET', '/api/v1/stats/events', { as: 'centre' })).json;
	assert.equal(after.total, before.total + 1);
	assert.equal(after.by_state.reported, before.by_state.reported + 1);
	assert.equal(after.today.reported, before.today.reported + 1);
	const act = (a, b = {}) => srv.api('POST', `/api/v1/events/${e.json.id}/actions/${a}`, { as: 'centre', body: b });
	assert.equal((await act('reject', { reason: '测试' })).status, 200);
	after = (await srv.api('GET', '/api/v1/stats/events', { as: 'centre' })).json;
	assert.equal(after.by_state.reported, before.by_state.reported);
	assert.equal(after.by_state.rejected, before.by_state.rejected + 1);
	assert.equal(after.open, before.open);
});

test('a street sees its street; other places are not there', async () => {
	const res = await srv.api('GET', '/api/v1/stats/events', { as: 'street.centre' });
	assert.equal(res.status, 200);
	assert.equal(res.json.org, '330108001');
	const district = (await srv.api('GET', '/api/v1/stats/events?org=330108001', { as: 'centre' })).json;
	assert.equal(res.json.total, district.total);
	assert.ok(res.json.children.every((c) => c.code.startsWith('330108001')));
	assertError(await srv.api('GET', '/api/v1/stats/events?org=330108002', { as: 'street.centre' }),
		400, 'invalid_query');
	assertError(await srv.api('GET', '/api/v1/stats/events?days=0', { as: 'centre' }), 400, 'invalid_query');
	assertError(await srv.api('GET', '/api/v1/stats/events'), 401, 'unauthenticated');
});
