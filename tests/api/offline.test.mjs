// Idempotent reports for offline queues: POST /api/v1/events with a
// client_id makes one event per reporter and id, however often (and however
// concurrently) it is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, assertError } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

const body = (client_id, extra = {}) => ({ category: '0102', title: '离线上报', address: '网格巡查点', client_id, ...extra });
const post = (as, b) => srv.api('POST', '/api/v1/events', { as, body: b });
const count = async (as) => (await srv.api('GET', '/api/v1/events?limit=1', { as })).json.total;

test('the same reporter and client_id get the one event, as it is now', async () => {
	const id = randomUUID();
	const before = await count('gridworker');
	const first = await post('gridworker', body(id));
	assert.equal(first.status, 201, first.text);
	const again = await post('gridworker', body(id));
	assert.equal(again.status, 200, again.text);
	assert.equal(again.json.id, first.json.id);
	assert.equal(again.json.receipt, first.json.receipt);
	assert.equal(again.headers.get('location'), `/api/v1/events/${first.json.id}`);
	assert.deepEqual(again.json.duplicates, []);
	const upper = await post('gridworker', body(id.toUpperCase(), { title: '另一个标题' }));
	assert.equal(upper.status, 200, 'the id is compared in lower case, and the first report wins');
	assert.equal(upper.json.id, first.json.id);
	assert.equal(upper.json.title, '离线上报');
	assert.equal(await count('gridworker'), before + 1);
	const reg = await srv.api('POST', `/api/v1/events/${first.json.id}/actions/register`, { as: 'centre', body: {} });
	assert.equal(reg.status, 200);
	const later = await post('gridworker', body(id));
	assert.equal(later.status, 200);
	assert.equal(later.json.state, 'registered');
	assert.equal(later.json.version, 2);
});

test('another reporter with the same client_id files its own', async () => {
	const id = randomUUID();
	const a = await post('gridworker', body(id));
	const b = await post('centre', body(id));
	assert.equal(a.status, 201);
	assert.equal(b.status, 201);
	assert.notEqual(a.json.id, b.json.id);
	assert.equal((await post('centre', body(id))).json.id, b.json.id);
});

test('ten sends at once make one event', async () => {
	const id = randomUUID();
	const res = await Promise.all(Array.from({ length: 10 }, () => post('gridworker', body(id))));
	const statuses = res.map((r) => r.status).sort();
	assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
	assert.equal(new Set(res.map((r) => r.json.id)).size, 1);
});

test('without a client_id every send is a new report; a bad one is refused', async () => {
	const a = await post('gridworker', body(undefined));
	const b = await post('gridworker', body(undefined));
	assert.equal(a.status, 201);
	assert.equal(b.status, 201);
	assert.notEqual(a.json.id, b.json.id);
	for (const bad of ['abc', '123e4567e89b12d3a456426614174000', '123e4567-e89b-12d3-a456-42661417400g',
		'{123e4567-e89b-12d3-a456-426614174000}', ' 123e4567-e89b-12d3-a456-42661417400'])
		assertError(await post('gridworker', body(bad)), 400, 'invalid_value');
	assertError(await post('gridworker', body(12345)), 400, 'wrong_type');
	/* a refused report leaves the id free */
	const id = randomUUID();
	assertError(await post('gridworker', body(id, { category: '01' })), 400, 'invalid_value');
	assert.equal((await post('gridworker', body(id))).status, 201);
});
