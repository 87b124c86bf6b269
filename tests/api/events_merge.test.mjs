// Duplicates: the reporter of a merged report hears that it was merged, and
// hears again when the event it was merged into reaches its outcome.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

const POINT = { lon: 120.2116, lat: 30.2088 };
const act = async (as, id, action, body = {}) => {
	const res = await srv.api('POST', `/api/v1/events/${id}/actions/${action}`, { as, body });
	assert.equal(res.status, 200, `${action}: ${res.text}`);
	return res.json;
};
const inbox = async (as) => (await srv.api('GET', '/api/v1/inbox', { as })).json.items;

test('merged reporters are told of the merge and of the outcome', async () => {
	const a = await srv.api('POST', '/api/v1/events', { as: 'gridworker',
		body: { category: '0103', title: '路面油污', ...POINT } });
	assert.equal(a.status, 201);
	const b = await srv.api('POST', '/api/v1/events', { as: 'gridworker',
		body: { category: '0103', title: '路面油污（重复）', ...POINT } });
	assert.equal(b.status, 201);
	assert.ok(b.json.duplicates.some((d) => d.id === a.json.id), 'offered as a duplicate');
	await act('centre', b.json.id, 'merge', { target: a.json.id });
	let mine = (await inbox('gridworker')).filter((n) => n.event === b.json.id);
	assert.deepEqual(mine.map((n) => n.kind), ['merged']);
	assert.equal((await inbox('gridworker')).filter((n) => n.event === a.json.id).length, 0,
		'nothing yet about the event it was merged into');
	for (const [who, action, body] of [['centre', 'register', {}], ['centre', 'dispatch', { assignee: '330108D01' }],
		['handler', 'accept', {}], ['handler', 'handle', { note: '已清理' }], ['centre', 'verify', {}],
		['centre', 'close', {}]])
		await act(who, a.json.id, action, body);
	mine = (await inbox('gridworker')).filter((n) => n.event === b.json.id);
	assert.deepEqual(mine.map((n) => n.kind), ['outcome', 'merged']);
	assert.match(mine[0].title, /^closed: /);
	const centre = (await inbox('centre')).filter((n) => n.kind === 'outcome');
	assert.equal(centre.length, 0, 'only the merged reports\' reporters hear the outcome');
});
