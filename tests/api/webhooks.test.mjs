// Webhooks: a department's notifications are POSTed to its URL, signed with
// HMAC-SHA256 under the webhook's secret, retried with backoff and logged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { startServer, assertError } from './harness.mjs';

let srv, receiver, port;
const got = [];
let answer = 200;

before(async () => {
	receiver = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c) => { body += c; });
		req.on('end', () => {
			got.push({ headers: req.headers, body });
			res.writeHead(answer).end('ok');
		});
	});
	await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
	port = receiver.address().port;
	srv = await startServer({ args: ['--test-clock', '--scheduler-interval', '3600'] });
});
after(async () => {
	await srv?.stop();
	receiver?.close();
});

const sqlite = (q) => {
	const r = spawnSync('sqlite3', [srv.db, q], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
};

const as = async (u) => (await srv.login(u)).token;

async function tick() {
	const res = await srv.api('POST', '/api/v1/test/scheduler', { token: await as('admin') });
	assert.equal(res.status, 200, res.text);
	return res.json;
}

async function dispatchedEvent() {
	const e = await srv.api('POST', '/api/v1/events', { token: await as('centre'),
		body: { category: '0102', title: '挂钩测试', address: '测试路' } });
	assert.equal(e.status, 201, e.text);
	for (const [a, b] of [['register', {}], ['dispatch', { assignee: '330108D01' }]]) {
		const r = await srv.api('POST', `/api/v1/events/${e.json.id}/actions/${a}`,
			{ token: await as('centre'), body: b });
		assert.equal(r.status, 200, r.text);
	}
	return e.json.id;
}

let hook;

test('an administrator registers a webhook; its secret is shown once', async () => {
	const res = await srv.api('POST', '/api/v1/webhooks', { token: await as('admin'),
		body: { org: '330108D01', url: `http://127.0.0.1:${port}/hook`, kinds: ['assigned', 'overdue'] } });
	assert.equal(res.status, 201, res.text);
	assert.match(res.json.secret, /^[0-9a-f]{32}$/);
	assert.deepEqual(res.json.kinds, ['assigned', 'overdue']);
	hook = res.json;
	const list = await srv.api('GET', '/api/v1/webhooks', { token: await as('admin') });
	assert.equal(list.json.items.length, 1);
	assert.equal(list.json.items[0].secret, undefined, 'never listed again');
	/* at rest it is sealed with the key file, bound to the webhook's row */
	const stored = sqlite(`SELECT secret FROM webhooks WHERE id = ${hook.id}`);
	assert.match(stored, /^sealed:[0-9a-f]+$/);
	assert.ok(!stored.includes(hook.secret), 'the secret is not stored in clear');
});

test('an assignment is delivered, signed, and logged', async () => {
	const id = await dispatchedEvent();
	const r = await tick();
	assert.equal(r.delivered, 1);
	assert.equal(got.length, 1);
	const [d] = got;
	const body = JSON.parse(d.body);
	assert.equal(body.kind, 'assigned');
	assert.equal(body.event.id, id);
	assert.equal(body.event.assignee, '330108D01');
	assert.equal(d.headers['content-type'], 'application/json');
	assert.equal(d.headers['x-pingan-event'], 'assigned');
	const mac = createHmac('sha256', hook.secret).update(d.body).digest('hex');
	assert.equal(d.headers['x-pingan-signature'], `sha256=${mac}`, 'the body is signed');
	const log = await srv.api('GET', `/api/v1/webhooks/${hook.id}/deliveries`, { token: await as('admin') });
	assert.equal(log.json.items[0].status, 'delivered');
	assert.equal(log.json.items[0].last_status, 200);
	assert.equal((await tick()).delivered, 0, 'delivered once');
});

test('a failing receiver is retried with backoff, then given up', async (t) => {
	answer = 503;
	t.after(() => { answer = 200; });
	got.length = 0;
	await dispatchedEvent();
	let r = await tick();
	assert.equal(r.delivered, 0);
	assert.equal(got.length, 1);
	let log = await srv.api('GET', `/api/v1/webhooks/${hook.id}/deliveries`, { token: await as('admin') });
	let d = log.json.items[0];
	assert.equal(d.status, 'pending');
	assert.equal(d.attempts, 1);
	assert.equal(d.last_status, 503);
	assert.match(d.last_error, /503/);
	assert.equal((await tick()).delivered, 0);
	assert.equal(got.length, 1, 'not retried before its time');
	for (let i = 2; i <= 8; i++) {
		await srv.api('POST', '/api/v1/test/clock', { token: await as('admin'), body: { advance_s: 3601 } });
		r = await tick();
	}
	/* the hours moved on may also make the events overdue, which the hook
	 * asked for as well: count the attempts of this one delivery */
	const tries = got.filter((g) => g.headers['x-pingan-delivery'] === got[0].headers['x-pingan-delivery']);
	assert.equal(tries.length, 8, 'eight attempts in all');
	assert.equal(r.failed, 1);
	log = await srv.api('GET', `/api/v1/webhooks/${hook.id}/deliveries`, { token: await as('admin') });
	d = log.json.items.find((x) => String(x.id) === got[0].headers['x-pingan-delivery']);
	assert.equal(d.status, 'failed');
	assert.equal(d.attempts, 8);
	answer = 200;
});

test('a disabled webhook gets nothing; kinds it did not ask for are not sent', async () => {
	got.length = 0;
	const res = await srv.api('POST', `/api/v1/webhooks/${hook.id}/disable`, { token: await as('admin') });
	assert.equal(res.status, 200);
	await dispatchedEvent();
	await tick();
	assert.equal(got.length, 0);
});

test('bad webhooks are refused', async () => {
	const token = await as('admin');
	const add = (body) => srv.api('POST', '/api/v1/webhooks', { token, body });
	assertError(await add({ org: '330108D01', url: 'ftp://x/y' }), 400, 'invalid_value');
	assertError(await add({ org: '330108D01', url: 'http://a b/' }), 400, 'invalid_value');
	assertError(await add({ org: '330108', url: 'http://127.0.0.1/x' }), 400, 'invalid_value');
	assertError(await add({ org: '330108D01', url: 'http://127.0.0.1/x', kinds: ['nope'] }), 400,
		'invalid_value');
	assertError(await add({ org: '330108D01', url: 'http://127.0.0.1/x', kinds: 'assigned' }), 400,
		'wrong_type');
	assertError(await add({ org: '330108D01' }), 400, 'missing_field');
	assertError(await srv.api('POST', '/api/v1/webhooks', { token: await as('centre'),
		body: { org: '330108D01', url: 'http://127.0.0.1/x' } }), 403, 'forbidden');
	assertError(await srv.api('GET', '/api/v1/webhooks/999/deliveries', { token }), 404, 'not_found');
});

test('a secret stored in clear (from before the key file) is sealed at the next start and still signs', async () => {
	const dir = srv.dir;
	const accounts = srv.accounts;
	srv.ownDir = false;
	await srv.stop();
	const plain = '00112233445566778899aabbccddeeff';
	sqlite(`UPDATE webhooks SET secret = '${plain}', enabled = 1 WHERE id = ${hook.id}`);
	srv = await startServer({ dir, demo: false, accounts,
		args: ['--test-clock', '--scheduler-interval', '3600'] });
	srv.ownDir = true;
	await srv.waitForLog((l) => /sealed 1 webhook secret/.test(l.msg ?? ''));
	const stored = sqlite(`SELECT secret FROM webhooks WHERE id = ${hook.id}`);
	assert.match(stored, /^sealed:[0-9a-f]+$/);
	got.length = 0;
	const id = await dispatchedEvent();
	assert.ok((await tick()).delivered >= 1);
	const mine = got.find((g) => JSON.parse(g.body).event.id === id);
	assert.ok(mine, 'the new assignment was delivered');
	const mac = createHmac('sha256', plain).update(mine.body).digest('hex');
	assert.equal(mine.headers['x-pingan-signature'], `sha256=${mac}`);
	/* a sealed secret moved to another webhook's row does not open there */
	const other = await srv.api('POST', '/api/v1/webhooks', { token: await as('admin'),
		body: { org: '330108D01', url: `http://127.0.0.1:${port}/other`, kinds: ['assigned'] } });
	assert.equal(other.status, 201, other.text);
	sqlite(`UPDATE webhooks SET enabled = 0 WHERE id = ${hook.id}`);
	sqlite(`UPDATE webhooks SET secret = '${stored}' WHERE id = ${other.json.id}`);
	got.length = 0;
	const id2 = await dispatchedEvent();
	await tick();
	assert.ok(!got.some((g) => JSON.parse(g.body).event.id === id2), 'nothing is sent unsigned');
	const log = await srv.api('GET', `/api/v1/webhooks/${other.json.id}/deliveries`, { token: await as('admin') });
	assert.equal(log.json.items[0].status, 'pending');
	assert.match(log.json.items[0].last_error, /does not open/);
});
