// GET /api/v1/stream: Server-Sent Events of the caller's scope. Reports and
// changes arrive in order, another street's never do, the inbox count follows
// notifications, the number of streams is bounded, open streams hold no
// worker thread (the API answers with every stream open on one thread), and
// a session that ends ends its stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, assertError, interiorPoint } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer({ env: { PINGAN_STREAM_HEARTBEAT: '1', PINGAN_STREAM_MAX: '6',
		PINGAN_THREADS: '1' } });
});
after(async () => {
	await srv?.stop();
});

/* An SSE client: next(name) resolves with the next event of that name
 * (others are kept in .seen); comments are counted in .pings. */
function openStream(base, token) {
	return new Promise((resolve, reject) => {
		const url = new URL(base + '/api/v1/stream');
		const req = http.request({ host: url.hostname, port: url.port, path: url.pathname,
			headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, agent: false },
		(res) => {
			const st = { status: res.status ?? res.statusCode, headers: res.headers, seen: [], pings: 0,
				waiters: [], ended: false, body: '', req };
			let buf = '';
			const deliver = () => {
				for (let i = 0; i < st.waiters.length; i++) {
					const w = st.waiters[i];
					const k = st.seen.findIndex((e) => w.pred(e));
					if (k >= 0) {
						const [e] = st.seen.splice(k, 1);
						st.waiters.splice(i--, 1);
						w.resolve(e);
					}
				}
			};
			res.setEncoding('utf8');
			res.on('data', (d) => {
				st.body += d;
				buf += d;
				let k;
				while ((k = buf.indexOf('\n\n')) >= 0) {
					const block = buf.slice(0, k);
					buf = buf.slice(k + 2);
					if (block.startsWith(':')) {
						st.pings++;
						continue;
					}
					let name = 'message', data = '';
					for (const line of block.split('\n')) {
						if (line.startsWith('event: '))
							name = line.slice(7);
						else if (line.startsWith('data: '))
							data += line.slice(6);
					}
					if (data)
						st.seen.push({ name, data: JSON.parse(data) });
				}
				deliver();
			});
			res.on('end', () => {
				st.ended = true;
				for (const w of st.waiters)
					w.reject(new Error('the stream ended'));
			});
			res.on('error', () => {});
			st.next = (name, pred = () => true) => new Promise((ok, no) => {
				st.waiters.push({ pred: (e) => e.name === name && pred(e.data), resolve: (e) => ok(e.data), reject: no });
				deliver();
				if (st.ended && st.waiters.length)
					no(new Error('the stream ended'));
			});
			st.close = () => req.destroy();
			resolve(st);
		});
		req.on('error', reject);
		req.end();
	});
}

/* Opens a stream, retrying while the server is full (closed streams are
 * noticed at their next heartbeat). */
async function openWhenRoom(token) {
	for (;;) {
		const s = await openStream(srv.base, token);
		if (s.status === 200)
			return s;
		s.close();
		await new Promise((r) => setTimeout(r, 200));
	}
}

const streams = [];
async function stream(as) {
	const { token } = await srv.login(as);
	const s = await openStream(srv.base, token);
	streams.push(s);
	return s;
}
after(() => {
	for (const s of streams)
		s.close();
});

const report = async (as, body) => {
	const res = await srv.api('POST', '/api/v1/events', { as, body: { category: '0102', title: '流测试', ...body } });
	assert.equal(res.status, 201, res.text);
	return res.json;
};
const act = async (as, id, action, body = {}) => {
	const res = await srv.api('POST', `/api/v1/events/${id}/actions/${action}`, { as, body });
	assert.equal(res.status, 200, res.text);
	return res.json;
};
async function pointIn(street) {
	const res = await srv.api('GET', `/api/v1/orgs/${street}/grids`, { as: 'admin' });
	assert.equal(res.status, 200);
	const [lon, lat] = interiorPoint(res.json.features[0].geometry);
	return { lon, lat, grid: res.json.features[0].properties.code };
}

test('hello, then reports and changes of the scope in order', async () => {
	const s = await stream('centre');
	assert.equal(s.status, 200);
	assert.match(s.headers['content-type'], /^text\/event-stream/);
	assert.equal(s.headers['cache-control'], 'no-cache');
	const hello = await s.next('hello');
	assert.equal(hello.user, 'centre');
	assert.equal(hello.scope, '/330108/');
	assert.equal(hello.heartbeat_s, 1);
	const e = await report('gridworker', { address: '江南大道' });
	const c = await s.next('created', (d) => d.id === e.id);
	assert.deepEqual({ ...c, updated_at: undefined }, { id: e.id, receipt: e.receipt, state: 'reported',
		state_zh: '待受理', category: '0102', org_path: '/330108/', overdue: false, warning: 'none',
		assignee: '', version: 1, urgency: 1, grid: null, updated_at: undefined });
	await act('centre', e.id, 'register');
	await act('centre', e.id, 'dispatch', {});
	const r1 = await s.next('changed', (d) => d.id === e.id);
	const r2 = await s.next('changed', (d) => d.id === e.id);
	assert.deepEqual([r1.state, r1.version, r2.state, r2.version], ['registered', 2, 'dispatched', 3]);
	assert.equal(r2.assignee, '330108D01');
});

test('a street never receives another street\'s events', async () => {
	const s = await stream('street.centre');
	await s.next('hello');
	const other = await pointIn('330108002');
	const mine = await pointIn('330108001');
	const foreign = await report('centre', { lon: other.lon, lat: other.lat });
	assert.equal(foreign.street, '330108002');
	const own = await report('centre', { lon: mine.lon, lat: mine.lat });
	assert.equal(own.street, '330108001');
	await act('centre', foreign.id, 'register');
	await act('centre', own.id, 'register');
	/* events are queued in the order they commit: the first created and the
	 * first changed this stream sees must be its own street's */
	const c = await s.next('created');
	assert.equal(c.id, own.id);
	assert.equal(c.grid, mine.grid);
	const ch = await s.next('changed');
	assert.equal(ch.id, own.id);
	assert.ok(s.seen.every((e) => e.data.id !== foreign.id), 'nothing of street 002');
	assert.ok(!s.body.includes(`"receipt":"${foreign.receipt}"`));
});

test('the inbox count follows notifications, and the heartbeat comes', async () => {
	const s = await stream('handler');
	const hello = await s.next('hello');
	const e = await report('centre', { address: '滨盛路' });
	await act('centre', e.id, 'register');
	await act('centre', e.id, 'dispatch', { assignee: '330108D01' });
	const inbox = await s.next('inbox', (d) => d.unread > hello.unread);
	assert.equal(inbox.unread, hello.unread + 1);
	const res = await srv.api('GET', '/api/v1/inbox?unread=true', { as: 'handler' });
	assert.equal(res.json.unread, inbox.unread);
	await srv.api('POST', '/api/v1/inbox/read-all', { as: 'handler' });
	const zero = await s.next('inbox', (d) => d.unread === 0);
	assert.equal(zero.unread, 0);
	while (s.pings === 0)
		await new Promise((r) => setTimeout(r, 100));
	assert.ok(s.pings >= 1);
});

test('open streams hold no worker: the API answers on one thread', async () => {
	/* the server runs with threads=1 and at most 6 streams; 3 are open */
	const more = [await stream('leader'), await stream('admin'), await stream('gridworker')];
	for (const s of more)
		await s.next('hello');
	for (let i = 0; i < 5; i++)
		assert.equal((await srv.api('GET', '/healthz')).status, 200);
	assert.equal((await srv.api('GET', '/api/v1/me', { as: 'centre' })).status, 200);
	/* the 7th is refused with 503 and Retry-After */
	const { token } = await srv.login('centre');
	const full = await srv.api('GET', '/api/v1/stream', { token });
	assertError(full, 503, 'unavailable');
	assert.equal(full.headers.get('retry-after'), '10');
	/* a closed one frees its place (noticed at its next heartbeat) */
	more[0].close();
	streams.push(await openWhenRoom(token));
});

test('streams that come and go while events are published leave the server sound', async () => {
	for (const s of streams.splice(0))
		s.close();
	const { token } = await srv.login('centre');
	const seen = [];
	for (let round = 0; round < 5; round++) {
		const open = [];
		for (let i = 0; i < 4; i++)
			open.push(await openWhenRoom(token));
		const e = await report('gridworker', { address: `来去路 ${round}` });
		for (const s of open)
			seen.push((await s.next('created', (d) => d.id === e.id)).id);
		for (const s of open)
			s.close(); /* mid-stream, without a goodbye */
	}
	assert.equal(seen.length, 20);
	assert.equal((await srv.api('GET', '/healthz')).status, 200);
	/* the server's stop (after all tests) checks for leaks and sanitizer reports */
});

test('logging out ends the stream with bye; no session: 401', async () => {
	for (const s of streams.splice(0))
		s.close(); /* make room */
	const { token } = await srv.login('inspector');
	const s = await openWhenRoom(token);
	assert.equal(s.status, 200);
	await s.next('hello');
	const out = await srv.api('POST', '/api/v1/auth/logout', { token });
	assert.equal(out.status, 200);
	const bye = await s.next('bye');
	assert.equal(bye.reason, 'session ended');
	await new Promise((r) => (s.ended ? r() : s.req.on('close', r)));
	assertError(await srv.api('GET', '/api/v1/stream'), 401, 'unauthenticated');
	assertError(await srv.api('GET', '/api/v1/stream', { token }), 401, 'unauthenticated');
});
