// The demo's year of events: made through the engine, so every timeline must
// be one the product could have written — starting with a report, each step
// leaving from where the last one arrived, and the event's state the last
// step's destination — and, as issue 3 promises, "most closed on time, some
// overdue, reworked, merged or escalated", each kind shown by its timeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertSubset, startServer } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer({ demoEnv: { PINGAN_DEMO_EVENTS: '300' } });
});
after(async () => {
	await srv?.stop();
});

async function all(path) {
	const items = [];
	let cursor = null;
	for (;;) {
		const res = await srv.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${cursor}` : ''}`,
			{ as: 'centre' });
		assert.equal(res.status, 200, res.text);
		items.push(...res.json.items);
		cursor = res.json.next_cursor;
		if (!cursor)
			return { items, total: res.json.total };
	}
}

test('a year of events in many states, spread over the months', async () => {
	const { items, total } = await all('/api/v1/events');
	assert.equal(items.length, total, 'cursor pages add up to the total');
	assert.ok(total >= 290 && total <= 300, `about 300 events, got ${total}`);
	const states = new Set(items.map((e) => e.state));
	for (const s of ['closed', 'rejected'])
		assert.ok(states.has(s), `some events are ${s}`);
	const closed = items.filter((e) => e.state === 'closed');
	assert.ok(closed.length > total * 0.7, 'most events are closed');
	const months = new Set(items.map((e) => e.created_at.slice(0, 7)));
	assert.ok(months.size >= 11, `reports over the year: ${[...months].join(' ')}`);
	assert.ok(items.some((e) => e.reworks > 0), 'some were reworked');
	assert.ok(items.every((e) => e.grid !== null), 'every demo report lies in a grid');
	for (const e of closed)
		assert.ok(e.closed_at && e.closed_at >= e.created_at, `event ${e.id} closed after it was reported`);
});

/* Every event with its timeline, fetched once. */
let cases;
async function withTimelines() {
	if (cases)
		return cases;
	const { items } = await all('/api/v1/events');
	cases = [];
	for (const e of items) {
		const res = await srv.api('GET', `/api/v1/events/${e.id}/timeline`, { as: 'centre' });
		assert.equal(res.status, 200, res.text);
		cases.push({ e, tl: res.json.items });
	}
	return cases;
}

/* A walk of the engine: the report first, each step leaving from where the
 * last one arrived, in time and id order, ending in the event's state. */
function assertWalk({ e, tl }) {
	assert.ok(tl.length > 0, `event ${e.id} has a timeline`);
	assert.deepStrictEqual([tl[0].action, tl[0].from, tl[0].to], ['report', '', 'reported'],
		`event ${e.id} starts with its report`);
	assert.equal(tl[0].at, e.created_at, `event ${e.id}: the report is the event's creation`);
	let state = 'reported';
	for (let i = 1; i < tl.length; i++) {
		const a = tl[i];
		assert.equal(a.from, state, `event ${e.id}: ${a.action} (step ${i}) leaves from ${state}`);
		assert.ok(a.at >= tl[i - 1].at && a.id > tl[i - 1].id, `event ${e.id}: step ${i} in order`);
		state = a.to;
	}
	assert.equal(state, e.state, `event ${e.id}: the state is where the timeline ends`);
}

test('every timeline is a walk of the engine', async () => {
	const all = await withTimelines();
	assert.ok(all.length >= 290, `${all.length} events`);
	for (const c of all)
		assertWalk(c);
});

test('most closed on time; some overdue, reworked, merged and escalated, each shown by its timeline', async () => {
	const all = await withTimelines();
	const steps = (c, action) => c.tl.filter((a) => a.action === action);
	const kinds = {
		'closed on time': all.filter((c) => c.e.state === 'closed' && steps(c, 'overdue').length === 0),
		overdue: all.filter((c) => steps(c, 'overdue').length > 0),
		reworked: all.filter((c) => c.e.reworks > 0 || steps(c, 'rework').length > 0),
		merged: all.filter((c) => c.e.state === 'merged' || c.e.merged_into !== null),
		escalated: all.filter((c) => c.e.level > 0 || steps(c, 'escalate').length > 0),
	};
	const counts = Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, v.length]));
	for (const [kind, n] of Object.entries(counts))
		assert.ok(n > 0, `some events are ${kind}: ${JSON.stringify(counts)}`);
	assert.ok(counts['closed on time'] > all.length / 2, `most are closed on time: ${JSON.stringify(counts)}`);
	for (const kind of ['overdue', 'reworked', 'merged', 'escalated'])
		assert.ok(counts[kind] < all.length / 3, `only some are ${kind}: ${JSON.stringify(counts)}`);

	/* a sample of each kind walks the engine (all of them do: above) */
	for (const list of Object.values(kinds))
		assertWalk(list[Math.floor(list.length / 2)]);

	for (const c of kinds['closed on time']) {
		const close = steps(c, 'close');
		assert.equal(close.length, 1, `event ${c.e.id} closed once`);
		assert.equal(c.e.closed_at, close[0].at, `event ${c.e.id}: closed_at is its close`);
		assert.ok(c.tl.indexOf(close[0]) >= c.tl.length - 2 && c.tl.slice(c.tl.indexOf(close[0]) + 1)
			.every((a) => a.action === 'rate'), `event ${c.e.id}: nothing but a rating after the close`);
		assert.equal(c.e.warning, 'none', `event ${c.e.id} closed without a red mark`);
	}
	for (const c of kinds.overdue)
		for (const a of steps(c, 'overdue'))
			assertSubset(a, { actor: 'system', to: a.from }, `event ${c.e.id}: overdue mark`);
	for (const c of kinds.reworked) {
		const r = steps(c, 'rework');
		assert.equal(c.e.reworks, r.length, `event ${c.e.id}: reworks counts its rework steps`);
		for (const a of r)
			assertSubset(a, { from: 'handled', to: 'dispatched', actor: 'centre' }, `event ${c.e.id}: rework`);
	}
	const byId = new Map(all.map((c) => [c.e.id, c.e]));
	for (const c of kinds.merged) {
		const last = c.tl.at(-1);
		assertSubset(c.e, { state: 'merged', merged_into: (x) => byId.has(x) }, `event ${c.e.id}`);
		assertSubset(last, { action: 'merge', to: 'merged', data: { merged_into: c.e.merged_into } },
			`event ${c.e.id}: merge`);
		const into = byId.get(c.e.merged_into);
		assert.ok(into.created_at <= c.e.created_at && into.category === c.e.category,
			`event ${c.e.id} is a later report of the same kind as ${into.id}`);
	}
	for (const c of kinds.escalated) {
		const x = steps(c, 'escalate');
		assert.equal(c.e.level, x.length, `event ${c.e.id}: level counts its escalations`);
		for (const a of x) {
			assertSubset(a, { to: a.from }, `event ${c.e.id}: escalation keeps the state`);
			/* the scheduler escalates overdue work: marked overdue in this stage first */
			const i = c.tl.indexOf(a);
			const stage = c.tl.slice(0, i).findLastIndex((b) => b.to !== b.from || b.action === 'report');
			assert.ok(a.actor !== 'system' || c.tl.slice(stage + 1, i).some((b) => b.action === 'overdue'),
				`event ${c.e.id}: escalated by the scheduler at step ${i} after an overdue mark in that stage`);
		}
	}
});
