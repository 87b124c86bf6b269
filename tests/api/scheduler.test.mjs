// Deadlines at work, with the server's clock moved by the test-only clock:
// the yellow warning at 80 % of a stage's working time, the red overdue mark at
// the deadline, escalation after the grace (once per stage), notifications in
// the inbox, suspension pausing the clock. The clock endpoints do not exist
// unless the server runs with --test-clock.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './harness.mjs';

let srv;
let plain;

before(async () => {
	srv = await startServer({ args: ['--test-clock', '--scheduler-interval', '3600'] });
	plain = await startServer();
});
after(async () => {
	await srv?.stop();
	await plain?.stop();
});

/* sessions end when the clock jumps past the idle timeout: log in afresh */
async function as(user) {
	return (await srv.login(user)).token;
}

async function act(user, id, action, body = {}) {
	const res = await srv.api('POST', `/api/v1/events/${id}/actions/${action}`,
		{ token: await as(user), body });
	assert.equal(res.status, 200, `${action}: ${res.text}`);
	return res.json;
}

async function get(id) {
	const res = await srv.api('GET', `/api/v1/events/${id}`, { token: await as('centre') });
	assert.equal(res.status, 200, res.text);
	return res.json;
}

/* moves the server clock to the moment t (ms), never backwards */
async function moveTo(t) {
	const now = await clockNow();
	const delta = Math.ceil((t - now) / 1000);
	assert.ok(delta >= 0, 'the clock only moves forward');
	const res = await srv.api('POST', '/api/v1/test/clock', { token: await as('admin'),
		body: { advance_s: delta } });
	assert.equal(res.status, 200, res.text);
	return Date.parse(res.json.now);
}

async function clockNow() {
	const res = await srv.api('POST', '/api/v1/test/clock', { token: await as('admin'),
		body: { advance_s: 0 } });
	assert.equal(res.status, 200, res.text);
	return Date.parse(res.json.now);
}

async function tick() {
	const res = await srv.api('POST', '/api/v1/test/scheduler', { token: await as('admin') });
	assert.equal(res.status, 200, res.text);
	return res.json;
}

async function handlingEvent(title) {
	const res = await srv.api('POST', '/api/v1/events', { token: await as('gridworker'),
		body: { category: '0102', title, lon: 120.2116, lat: 30.2088 } });
	assert.equal(res.status, 201, res.text);
	const id = res.json.id;
	await act('centre', id, 'register');
	await act('centre', id, 'dispatch', { assignee: '330108D01' });
	return (await act('handler', id, 'accept')).id;
}

describe('the test clock', () => {
	test('does not exist without --test-clock', async () => {
		const token = (await plain.login('admin')).token;
		assertError(await plain.api('POST', '/api/v1/test/clock', { token, body: { advance_s: 1 } }),
			404, 'not_found');
		assertError(await plain.api('POST', '/api/v1/test/scheduler', { token }), 404, 'not_found');
	});
	test('is for administrators only', async () => {
		assertError(await srv.api('POST', '/api/v1/test/clock', { token: await as('centre'),
			body: { advance_s: 1 } }), 403, 'forbidden');
	});
	test('refuses to go backwards', async () => {
		assertError(await srv.api('POST', '/api/v1/test/clock', { token: await as('admin'),
			body: { advance_s: -60 } }), 400, 'invalid_value');
	});
});

describe('warning, overdue, escalation', () => {
	test('each comes at its moment, once, on the timeline and in the inbox', async () => {
		const id = await handlingEvent('仓库门口暴露垃圾');
		let e = await get(id);
		assert.equal(e.state, 'handling');
		assert.equal(e.warning, 'none');
		const warnAt = Date.parse(e.warn_at), deadline = Date.parse(e.deadline_at),
			escalateAt = Date.parse(e.escalate_at);
		assert.ok(warnAt < deadline && deadline < escalateAt, 'warning, deadline, escalation in order');

		await moveTo(warnAt - 60e3);
		assert.deepEqual(await tick().then((r) => [r.warned, r.overdue, r.escalated]), [0, 0, 0],
			'nothing a minute before the warning');
		await moveTo(warnAt + 1e3);
		assert.deepEqual(await tick().then((r) => [r.warned, r.overdue, r.escalated]), [1, 0, 0]);
		e = await get(id);
		assert.equal(e.warning, 'yellow');
		assert.equal(e.timeline.at(-1).action, 'warning');
		assert.equal(e.timeline.at(-1).actor, 'system');
		assert.equal((await tick()).warned, 0, 'a warning is given once');

		await moveTo(deadline + 1e3);
		assert.equal((await tick()).overdue, 1);
		e = await get(id);
		assert.equal(e.warning, 'red');
		assert.equal(e.timeline.at(-1).action, 'overdue');
		const overdue = await srv.api('GET', '/api/v1/events?overdue=true', { token: await as('centre') });
		assert.ok(overdue.json.items.some((x) => x.id === id), 'listed as overdue');

		await moveTo(escalateAt + 1e3);
		assert.equal((await tick()).escalated, 1);
		e = await get(id);
		assert.equal(e.level, 1, 'escalated one level');
		assert.equal(e.timeline.at(-1).action, 'escalate');
		assert.equal(e.timeline.at(-1).actor, 'system');
		assert.equal(e.state, 'handling', 'escalation keeps the state');
		assert.equal((await tick()).escalated, 0, 'once per stage');

		const inbox = await srv.api('GET', '/api/v1/inbox', { token: await as('handler') });
		const kinds = inbox.json.items.filter((n) => n.event === id).map((n) => n.kind);
		assert.deepEqual(kinds, ['escalated', 'overdue', 'warning', 'assigned'],
			'the handling department hears of each, newest first');
		/* who else hears: tests/api/escalation.test.mjs, step by step */
		const centre = await srv.api('GET', '/api/v1/inbox', { token: await as('centre') });
		const ckinds = centre.json.items.filter((n) => n.event === id).map((n) => n.kind);
		assert.deepEqual(ckinds, ['escalated'], 'the district centre hears of the escalation to it');
		const leader = await srv.api('GET', '/api/v1/inbox', { token: await as('leader') });
		assert.deepEqual(leader.json.items.filter((n) => n.event === id).map((n) => n.kind), ['overdue'],
			'the supervisor hears of overdue work');
	});
});

describe('suspension pauses the clock', () => {
	test('no marks while suspended; the stage resumes with the time it had left', async () => {
		const id = await handlingEvent('待协调的暴露垃圾');
		await act('handler', id, 'request_suspension', { reason: '等待产权单位确认' });
		let e = await act('centre', id, 'approve_suspension');
		assert.equal(e.state, 'suspended');
		assert.equal(e.deadline_at, null);
		assert.equal(e.warn_at, null);
		assert.ok(e.paused_left_s > 0 && e.paused_left_s <= 27000, `paused_left_s ${e.paused_left_s}`);
		const left = e.paused_left_s;
		await moveTo((await clockNow()) + 30 * 86400e3);
		const r = await tick();
		e = await get(id);
		assert.equal(e.warning, 'none', 'a suspended event is never overdue');
		assert.equal(r.overdue, 0);
		e = await act('handler', id, 'resume');
		assert.equal(e.state, 'handling');
		assert.ok(Date.parse(e.deadline_at) > (await clockNow()), 'a deadline in the future again');
		assert.equal(e.paused_left_s, 0);
		assert.ok(left > 0);
	});
});

describe('the inbox', () => {
	test('counts unread, marks one and all read, and keeps users apart', async () => {
		const token = await as('handler');
		let res = await srv.api('GET', '/api/v1/inbox?unread=true', { token });
		assert.equal(res.status, 200);
		assert.ok(res.json.unread >= 1);
		assert.equal(res.json.items.length, Math.min(res.json.unread, 20));
		const first = res.json.items[0].id;
		assertError(await srv.api('POST', `/api/v1/inbox/${first}/read`,
			{ token: await as('centre') }), 404, 'not_found');
		res = await srv.api('POST', `/api/v1/inbox/${first}/read`, { token });
		assert.equal(res.status, 200);
		res = await srv.api('GET', '/api/v1/inbox', { token });
		assert.ok(res.json.items.find((n) => n.id === first).read_at, 'read_at is set');
		const before = res.json.unread;
		res = await srv.api('POST', '/api/v1/inbox/read-all', { token });
		assert.equal(res.status, 200);
		res = await srv.api('GET', '/api/v1/inbox', { token });
		assert.equal(res.json.unread, 0);
		assert.ok(before >= 0);
		assertError(await srv.api('GET', '/api/v1/inbox?unread=maybe', { token }), 400, 'invalid_query');
		assertError(await srv.api('POST', '/api/v1/inbox/abc/read', { token }), 404, 'not_found');
	});
});
