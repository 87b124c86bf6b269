// The demo's year of events: made through the engine, so every timeline must
// be one the product could have written — starting with a report, each step
// leaving from where the last one arrived, and the event's state the last
// step's destination.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

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

test('every timeline is a walk of the engine', async () => {
	const { items } = await all('/api/v1/events');
	for (const e of items.slice(0, 120)) {
		const res = await srv.api('GET', `/api/v1/events/${e.id}/timeline`, { as: 'centre' });
		assert.equal(res.status, 200);
		const tl = res.json.items;
		assert.equal(tl[0].action, 'report', `event ${e.id} starts with its report`);
		let state = 'reported';
		let at = tl[0].at;
		for (const a of tl.slice(1)) {
			assert.equal(a.from, state, `event ${e.id}: ${a.action} leaves from ${state}`);
			assert.ok(a.at >= at, `event ${e.id}: the timeline is in time order`);
			state = a.to;
			at = a.at;
		}
		assert.equal(state, e.state, `event ${e.id}: the state is where the timeline ends`);
	}
});
