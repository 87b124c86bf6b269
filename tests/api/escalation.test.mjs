// Who is told what, step by step, as the test clock moves: warnings and
// overdue marks go to whoever owns the event's current stage (the owning
// centre for registering, dispatching, verifying and closing; the assigned
// department's handlers for accepting and handling), overdue department work
// also to the department's supervisor (its leaders, else the leaders of its
// division) and to the owning centre; an escalation moves the event from its street's centre to the
// district's and tells the district centre; the district is the top level.
// Nobody outside an event's street — another street's centre or department —
// hears anything of it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, GOOD_PASSWORD } from './harness.mjs';

const STREET = '330108001', OTHER_STREET = '330108002', DISTRICT = '330108';
const POINT = { lon: 120.2116, lat: 30.2088 }; /* a grid of street 330108001 */

/* everyone whose inbox is checked: the demo's and those added below */
const PEOPLE = ['centre', 'street.centre', 'other.centre', 'handler', 'd01.leader', 'leader',
	'other.handler', 'gridworker'];

let srv;

before(async () => {
	srv = await startServer({ args: ['--test-clock', '--scheduler-interval', '3600'] });
	for (const [username, org, roles] of [
		['other.centre', OTHER_STREET, ['centre']],
		['other.handler', `${OTHER_STREET}D01`, ['handler']],
		['d01.leader', `${DISTRICT}D01`, ['leader']],
	]) {
		const res = await srv.api('POST', '/api/v1/users', { token: await as('security'),
			body: { username, display_name: username, org, roles, password: GOOD_PASSWORD } });
		assert.equal(res.status, 201, res.text);
		srv.accounts[username] = GOOD_PASSWORD;
	}
});
after(async () => {
	await srv?.stop();
});

/* sessions end when the clock jumps past the idle timeout: log in afresh */
async function as(user) {
	return (await srv.login(user)).token;
}

async function act(user, id, action, body = {}) {
	const res = await srv.api('POST', `/api/v1/events/${id}/actions/${action}`,
		{ token: await as(user), body });
	assert.equal(res.status, 200, `${action} as ${user}: ${res.text}`);
	return res.json;
}

async function get(id) {
	const res = await srv.api('GET', `/api/v1/events/${id}`, { token: await as('centre') });
	assert.equal(res.status, 200, res.text);
	return res.json;
}

async function report(title, where = POINT) {
	const res = await srv.api('POST', '/api/v1/events', { token: await as('gridworker'),
		body: { category: '0102', title, ...where } });
	assert.equal(res.status, 201, res.text);
	return res.json.id;
}

async function clock(advance_s = 0) {
	const res = await srv.api('POST', '/api/v1/test/clock', { token: await as('admin'),
		body: { advance_s } });
	assert.equal(res.status, 200, res.text);
	return Date.parse(res.json.now);
}

/* moves the server clock a second past the moment iso, then runs a pass */
async function passAt(iso) {
	const delta = Math.ceil((Date.parse(iso) - (await clock())) / 1000) + 1;
	assert.ok(delta >= 0, 'the clock only moves forward');
	await clock(delta);
	const res = await srv.api('POST', '/api/v1/test/scheduler', { token: await as('admin') });
	assert.equal(res.status, 200, res.text);
	return res.json;
}

/* Each person's inbox kinds about event id, oldest first (people without
 * any are left out). */
async function told(id) {
	const out = {};
	for (const user of PEOPLE) {
		const res = await srv.api('GET', '/api/v1/inbox?limit=100', { token: await as(user) });
		assert.equal(res.status, 200, res.text);
		const kinds = res.json.items.filter((n) => n.event === id).map((n) => n.kind).reverse();
		if (kinds.length)
			out[user] = kinds;
	}
	return out;
}

/* The notices added since `before` (a told() result). */
function since(before, now) {
	const out = {};
	for (const [user, kinds] of Object.entries(now)) {
		const fresh = kinds.slice((before[user] ?? []).length);
		if (fresh.length)
			out[user] = fresh;
	}
	return out;
}

describe('a street event, from the street centre to the district centre', () => {
	test('warning, overdue and escalation go to the owner of each step; the district is the top', async () => {
		const id = await report('背街小巷暴露垃圾');
		let e = await act('street.centre', id, 'register');
		let seen = await told(id);
		assert.deepEqual(seen, {}, 'nobody is told of a registration');

		/* dispatching is the street centre's stage */
		let r = await passAt(e.warn_at);
		assert.equal(r.warned, 1);
		let now = await told(id);
		assert.deepEqual(since(seen, now), { 'street.centre': ['warning'] },
			'the yellow warning of a centre stage: the owning (street) centre only');
		seen = now;
		r = await passAt(e.deadline_at);
		assert.equal(r.overdue, 1);
		now = await told(id);
		assert.deepEqual(since(seen, now), { 'street.centre': ['overdue'] },
			'overdue in a centre stage: the owning centre; no department, no supervisor');
		seen = now;

		r = await passAt(e.escalate_at);
		assert.deepEqual([r.escalated, r.stopped], [1, 0]);
		e = await get(id);
		assert.equal(e.level, 1);
		assert.equal(e.state, 'registered', 'escalation keeps the state');
		assertStep(e.timeline.at(-1), { action: 'escalate', actor: 'system', owner: DISTRICT });
		now = await told(id);
		assert.deepEqual(since(seen, now), { centre: ['escalated'] },
			'the escalation tells the district centre, not the street centre again');
		seen = now;

		/* the district centre dispatches: accepting is the department's stage */
		e = await act('centre', id, 'dispatch', { assignee: `${DISTRICT}D01` });
		now = await told(id);
		assert.deepEqual(since(seen, now), { handler: ['assigned'] });
		seen = now;
		r = await passAt(e.warn_at);
		assert.equal(r.warned, 1);
		now = await told(id);
		assert.deepEqual(since(seen, now), { handler: ['warning'] },
			'the yellow warning of a department stage: its handlers only');
		seen = now;
		r = await passAt(e.deadline_at);
		assert.equal(r.overdue, 1);
		now = await told(id);
		assert.deepEqual(since(seen, now), { handler: ['overdue'], 'd01.leader': ['overdue'], centre: ['overdue'] },
			'overdue department work: its handlers, its leader (the supervisor) and the owning (district) centre');
		seen = now;

		/* overdue past the grace at the district: no escalation, the timeline says so */
		r = await passAt(e.escalate_at);
		assert.deepEqual([r.escalated, r.stopped], [0, 1]);
		e = await get(id);
		assert.equal(e.level, 1, 'the district is the top level');
		assert.equal(e.escalate_at, null, 'no escalation pending any more');
		assert.equal(e.timeline.at(-1).action, 'escalation_stopped');
		assert.equal(e.timeline.at(-1).actor, 'system');
		assert.match(e.timeline.at(-1).note, /district centre '330108', the top level/);
		assert.deepEqual(since(seen, await told(id)), {}, 'nobody new to tell');
		assert.deepEqual((await passAt(new Date(await clock()).toISOString())).stopped, 0,
			'recorded once');

		/* verifying is a centre stage again: now the district centre's */
		await act('handler', id, 'accept');
		e = await act('handler', id, 'handle', { note: '已清运' });
		seen = await told(id);
		r = await passAt(e.warn_at);
		assert.equal(r.warned, 1);
		now = await told(id);
		assert.deepEqual(since(seen, now), { centre: ['warning'] },
			'after the escalation the district centre owns the centre stages');
		seen = now;
		r = await passAt(e.deadline_at);
		assert.deepEqual(since(seen, await told(id)), { centre: ['overdue'] });

		const all = await told(id);
		assert.equal(all['other.centre'], undefined, "another street's centre hears nothing");
		assert.equal(all['other.handler'], undefined, "another street's department hears nothing");
		assert.equal(all.leader, undefined, 'a department with a leader: the district leader is not told');
	});
});

describe('overdue department work and escalation at level 0', () => {
	test('handling: handlers and supervisor told of overdue; the escalation reaches the district centre', async () => {
		const id = await report('小区门口垃圾堆放');
		await act('street.centre', id, 'register');
		await act('street.centre', id, 'dispatch', { assignee: `${DISTRICT}D01` });
		let e = await act('handler', id, 'accept');
		let seen = await told(id);
		assert.deepEqual(seen, { handler: ['assigned'] });
		await passAt(e.warn_at);
		let now = await told(id);
		assert.deepEqual(since(seen, now), { handler: ['warning'] });
		seen = now;
		await passAt(e.deadline_at);
		now = await told(id);
		assert.deepEqual(since(seen, now), { handler: ['overdue'], 'd01.leader': ['overdue'], 'street.centre': ['overdue'] },
			'overdue department work: the handlers, their supervisor and the owning (street) centre');
		seen = now;
		const r = await passAt(e.escalate_at);
		assert.equal(r.escalated, 1);
		e = await get(id);
		assert.equal(e.level, 1);
		now = await told(id);
		assert.deepEqual(since(seen, now), { handler: ['escalated'], centre: ['escalated'] },
			'the district centre (the new level) and the handling department');
	});

	test('a department without a leader: the leaders of its division supervise', async () => {
		const id = await report('路边垃圾未清运');
		await act('centre', id, 'register');
		const e = await act('centre', id, 'dispatch', { assignee: `${DISTRICT}D02` });
		await passAt(e.deadline_at);
		const all = await told(id);
		assert.deepEqual(all.leader, ['overdue'], 'the district leader, for a district bureau');
		assert.equal(all['d01.leader'], undefined, "another department's leader is not told");
		assert.equal(all.handler, undefined, "another department's handlers are not told");
		assert.equal(all.centre, undefined, 'the district centre dispatched it, but does not own it');
		assert.deepEqual(all['street.centre'], ['overdue'], 'the owning (street) centre');
	});
});

describe('escalation by hand', () => {
	test('the street centre escalates once; from the district it is refused (409)', async () => {
		const id = await report('跨部门堆放问题');
		await act('street.centre', id, 'register');
		const offered = async (who) => (await srv.api('GET', `/api/v1/events/${id}`,
			{ token: await as(who) })).json.actions.map((x) => x.action);
		assert.ok((await offered('street.centre')).includes('escalate'), 'offered at the street');
		const seen = await told(id);
		const e = await act('street.centre', id, 'escalate', { reason: '涉及多个部门' });
		assert.equal(e.level, 1);
		assert.deepEqual(since(seen, await told(id)), { centre: ['escalated'] },
			'the district centre is told, not the street centre that escalated');
		const full = await get(id);
		assertStep(full.timeline.at(-1), { action: 'escalate', actor: 'street.centre', owner: DISTRICT });

		for (const who of ['street.centre', 'centre']) {
			const res = await srv.api('POST', `/api/v1/events/${id}/actions/escalate`,
				{ token: await as(who), body: { reason: '仍需上报' } });
			assertError(res, 409, 'conflict');
			assert.match(res.json.error.message, /already with the district centre '330108', the top level/);
		}
		for (const who of ['street.centre', 'centre'])
			assert.ok(!(await offered(who)).includes('escalate'),
				`not offered to ${who} at the district, the top`);
		const after = await get(id);
		assert.equal(after.level, 1);
		assert.equal(after.version, full.version, 'a refused escalation changes nothing');
		assert.equal(after.timeline.length, full.timeline.length);
	});

	test('an event filed under the district (outside every grid) is at the top already', async () => {
		const id = await report('区界外暴露垃圾', { address: '无坐标地址' });
		await act('centre', id, 'register');
		assertError(await srv.api('POST', `/api/v1/events/${id}/actions/escalate`,
			{ token: await as('centre'), body: { reason: 'x' } }), 409, 'conflict');
		const e = await get(id);
		await passAt(e.warn_at);
		const all = await told(id);
		assert.deepEqual(all.centre, ['warning'], 'the district centre owns it');
		assert.equal(all['street.centre'], undefined);
	});
});

describe('scope', () => {
	test("another street's department cannot be assigned a street's event, so is never told of it", async () => {
		const id = await report('错派的事件');
		await act('street.centre', id, 'register');
		const res = await srv.api('POST', `/api/v1/events/${id}/actions/dispatch`,
			{ token: await as('centre'), body: { assignee: `${OTHER_STREET}D01` } });
		assertError(res, 400, 'invalid_value');
		assert.match(res.json.error.message, /does not serve the event's area/);
		/* its own street's department and the district's are fine */
		const e = await act('centre', id, 'dispatch', { assignee: `${DISTRICT}D01` });
		await passAt(e.deadline_at);
		const all = await told(id);
		assert.equal(all['other.handler'], undefined, 'outside its scope: no notice, no title');
		assert.equal(all['other.centre'], undefined);
	});

	test("another street's centre has heard nothing at all", async () => {
		const res = await srv.api('GET', '/api/v1/inbox', { token: await as('other.centre') });
		assert.deepEqual(res.json.items, []);
		assert.equal(res.json.unread, 0);
	});
});

function assertStep(step, { action, actor, owner }) {
	assert.equal(step.action, action);
	assert.equal(step.actor, actor);
	assert.equal(step.data.owner, owner, `the escalation names its new owner: ${JSON.stringify(step)}`);
}
