/*
 * health_metrics.test.mjs - /healthz, /metrics, the access log and the
 * headers every response carries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { cst, cstYear, testClock } from './clock_lib.mjs';
import { assertErrorBody, assertSubset, cli, startServer } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

/* Parses the Prometheus text format into [{name, labels, value}]. */
function parseMetrics(text) {
	const out = [];
	for (const line of text.split('\n')) {
		if (!line || line.startsWith('#'))
			continue;
		const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
		assert.ok(m, `metrics line is not in the text format: ${JSON.stringify(line)}`);
		const labels = {};
		for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g))
			labels[k] = v;
		out.push({ name: m[1], labels, value: Number(m[3]) });
	}
	return out;
}

function find(samples, name, labels = {}) {
	return samples.filter((s) => s.name === name &&
		Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function value(samples, name, labels) {
	const hits = find(samples, name, labels);
	assert.ok(hits.length <= 1, `${name} ${JSON.stringify(labels)}: ${hits.length} series`);
	return hits.length ? hits[0].value : 0;
}

async function metrics() {
	const res = await srv.api('GET', '/metrics');
	assert.equal(res.status, 200);
	return { res, samples: parseMetrics(res.text) };
}

/* Metrics are counted after the response is sent: poll until want() holds. */
async function metricsUntil(want, ms = 3000) {
	const end = Date.now() + ms;
	for (;;) {
		const m = await metrics();
		if (want(m.samples) || Date.now() > end)
			return m;
		await new Promise((r) => setTimeout(r, 25));
	}
}

describe('/healthz', () => {
	test('reports status, db size, grids and uptime, and no version banner', async () => {
		const res = await srv.api('GET', '/healthz');
		assert.equal(res.status, 200);
		assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
		assert.deepStrictEqual(Object.keys(res.json).sort(),
			['calendar', 'db_bytes', 'grids', 'status', 'uptime_s']);
		assertSubset(res.json, {
			status: 'ok',
			db_bytes: (v) => Number.isInteger(v) && v > 0,
			grids: (v) => Number.isInteger(v) && v >= 134,
			uptime_s: (v) => Number.isInteger(v) && v >= 0 && v < 600,
			calendar: { years: [2025, 2026] },
		});
		/* which years the warning names depends on the date: see the test clock below */
		const w = res.json.calendar.warning;
		assert.ok(w === undefined || /^no holiday data for \d{4}(, \d{4})?: /.test(w), `warning: ${w}`);
	});

	test('names the years without holiday data, on the test clock', async () => {
		const clocked = await startServer({ args: ['--test-clock'] });
		try {
			const clock = testClock(clocked);
			const health = async () => {
				const res = await clocked.api('GET', '/healthz');
				assert.equal(res.status, 200, res.text);
				return res.json.calendar;
			};
			const { years } = await health();
			/* a year after the real date and every shipped year: never known */
			const y = Math.max(cstYear(await clock.now()), ...years) + 1;
			await clock.moveTo(cst(y, 3, 2));
			assert.deepStrictEqual(await health(), { years,
				warning: `no holiday data for ${y}: deadlines count weekends only` });
			await clock.moveTo(cst(y, 11, 2));
			assert.deepStrictEqual(await health(), { years,
				warning: `no holiday data for ${y}, ${y + 1}: deadlines count weekends only` });
		} finally {
			await clocked.stop();
		}
	});

	test('the version, schema and SQLite version are shown to administrators only', async () => {
		const ver = await cli(['version']);
		assert.equal(ver.code, 0);
		const version = ver.stdout.trim().replace(/^pingan /, '');
		assert.match(version, /^\d+\.\d+\.\d+/);
		const admin = await srv.api('GET', '/api/v1/me', { as: 'admin' });
		assertSubset(admin.json, { server: { version, schema: (v) => Number.isInteger(v) && v >= 1,
			sqlite: /^3\.\d+\.\d+/ } });
		const leader = await srv.api('GET', '/api/v1/me', { as: 'leader' });
		assert.equal(leader.json.server, undefined);
		for (const [p, opts] of [['/healthz', {}], ['/metrics', {}], ['/nope', {}], ['/api/v1/me', {}],
			['/api/v1/auth/login', { body: { username: 'x', password: 'y' } }]]) {
			const res = await srv.api(opts.body ? 'POST' : 'GET', p, opts);
			assert.ok(!res.text.includes(version), `${p} shows the version`);
			for (const [k, v] of res.headers)
				assert.ok(!v.includes(version) && !/microhttpd|sqlite/i.test(v), `${p}: header ${k}: ${v}`);
		}
	});

	test('grids matches the grids the API lists', async () => {
		const h = await srv.api('GET', '/healthz');
		const g = await srv.api('GET', '/api/v1/orgs/330108/grids', { as: 'admin' });
		assert.equal(g.status, 200);
		assert.equal(h.json.grids, g.json.features.length);
	});

	test('HEAD answers like GET without a body', async () => {
		const res = await srv.api('HEAD', '/healthz');
		assert.equal(res.status, 200);
		assert.equal(res.text, '');
		assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
	});

	test('takes no credentials and ignores a bad token', async () => {
		const res = await srv.api('GET', '/healthz', { token: 'not-a-token' });
		assert.equal(res.status, 200);
		assert.equal(res.json.status, 'ok');
	});
});

describe('/metrics', () => {
	test('is the Prometheus text format with HELP and TYPE lines', async () => {
		const { res } = await metrics();
		assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
		for (const [name, type] of [['pingan_http_requests_total', 'counter'],
			['pingan_http_request_duration_seconds', 'histogram'],
			['pingan_db_size_bytes', 'gauge'], ['pingan_grids', 'gauge'],
			['pingan_http_inflight_requests', 'gauge']]) {
			assert.match(res.text, new RegExp(`^# HELP ${name} \\S.*$`, 'm'), `HELP ${name}`);
			assert.match(res.text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `TYPE ${name}`);
		}
	});

	test('counts requests by method, route and status, exactly', async () => {
		const route = '/api/v1/orgs/{code}';
		await srv.session('admin');
		await new Promise((r) => setTimeout(r, 50)); /* let earlier requests be counted */
		const before = (await metrics()).samples;
		const b = (labels) => value(before, 'pingan_http_requests_total', labels);
		const b200 = b({ method: 'GET', route, status: '200' });
		const b404 = b({ method: 'GET', route, status: '404' });
		const bUnmatched = b({ method: 'GET', route: 'unmatched', status: '404' });
		const bOther = b({ method: 'OTHER', route: 'unmatched', status: '405' });
		for (let i = 0; i < 3; i++)
			assert.equal((await srv.api('GET', '/api/v1/orgs/330108', { as: 'admin' })).status, 200);
		assert.equal((await srv.api('GET', '/api/v1/orgs/330108009', { as: 'admin' })).status, 404);
		const secret = `nope-${process.pid}-${Date.now()}`;
		assert.equal((await srv.api('GET', `/${secret}`)).status, 404);
		assert.equal((await srv.api('GET', `/api/v1/${secret}`)).status, 404);
		assert.equal((await srv.request({ method: 'BREW', path: '/healthz' })).status, 405);

		const want = { 200: b200 + 3, 404: b404 + 1 };
		const { res, samples } = await metricsUntil((s) =>
			value(s, 'pingan_http_requests_total', { method: 'GET', route, status: '200' }) >= want[200] &&
			value(s, 'pingan_http_requests_total', { method: 'GET', route, status: '404' }) >= want[404] &&
			value(s, 'pingan_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }) >=
				bUnmatched + 2 &&
			value(s, 'pingan_http_requests_total', { method: 'OTHER', route: 'unmatched', status: '405' }) >=
				bOther + 1);
		const a = (labels) => value(samples, 'pingan_http_requests_total', labels);
		assert.equal(a({ method: 'GET', route, status: '200' }), want[200]);
		assert.equal(a({ method: 'GET', route, status: '404' }), want[404]);
		assert.equal(a({ method: 'GET', route: 'unmatched', status: '404' }), bUnmatched + 2,
			'unknown paths share the route label "unmatched"');
		assert.equal(a({ method: 'OTHER', route: 'unmatched', status: '405' }), bOther + 1,
			'unknown methods share the method label "OTHER"');
		assert.ok(!res.text.includes(secret), 'a requested path never becomes a label');
		for (const s of find(samples, 'pingan_http_requests_total')) {
			assert.deepStrictEqual(Object.keys(s.labels).sort(), ['method', 'route', 'status']);
			assert.match(s.labels.status, /^[1-5]\d\d$/);
			assert.ok(Number.isInteger(s.value) && s.value > 0);
		}
	});

	test('has a latency histogram per route with cumulative buckets', async () => {
		const route = '/api/v1/orgs/{code}';
		await srv.api('GET', '/api/v1/orgs/330108', { as: 'admin' });
		const { samples } = await metrics();
		const buckets = find(samples, 'pingan_http_request_duration_seconds_bucket', { route });
		assert.ok(buckets.length >= 2, 'buckets for the route');
		const les = buckets.map((s) => s.labels.le);
		assert.equal(les.at(-1), '+Inf', 'the last bucket is +Inf');
		const bounds = les.slice(0, -1).map(Number);
		for (let i = 1; i < bounds.length; i++)
			assert.ok(bounds[i] > bounds[i - 1], `bucket bounds ascend: ${les}`);
		for (let i = 1; i < buckets.length; i++)
			assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets are cumulative');
		const count = value(samples, 'pingan_http_request_duration_seconds_count', { route });
		const sum = value(samples, 'pingan_http_request_duration_seconds_sum', { route });
		assert.equal(buckets.at(-1).value, count, '+Inf bucket equals _count');
		const total = find(samples, 'pingan_http_requests_total', { route })
			.reduce((n, s) => n + s.value, 0);
		assert.equal(count, total, 'histogram count equals the requests counted for the route');
		assert.ok(sum > 0 && sum < count * 5, `_sum ${sum} is plausible for ${count} requests`);
	});

	test('reports the database size and the grid count', async () => {
		const { samples } = await metrics();
		const size = value(samples, 'pingan_db_size_bytes', {});
		assert.ok(Number.isInteger(size) && size > 4096, `pingan_db_size_bytes ${size}`);
		const h = await srv.api('GET', '/healthz');
		assert.equal(value(samples, 'pingan_grids', {}), h.json.grids);
		const inflight = value(samples, 'pingan_http_inflight_requests', {});
		assert.ok(inflight >= 1 && inflight < 10, `in flight while serving /metrics: ${inflight}`);
	});
});

describe('access log', () => {
	test('one JSON line per request, its id the X-Request-Id header', async () => {
		const { token } = await srv.session('admin');
		const res = await srv.api('GET', '/api/v1/orgs/330108?depth=1', { token });
		assert.equal(res.status, 200);
		const id = res.headers.get('x-request-id');
		assert.match(id, /^[0-9a-f]{16}$/);
		const line = await srv.waitForLog((l) => l.id === id);
		assertSubset(line, {
			ts: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
			level: 'info',
			type: 'access',
			method: 'GET',
			path: '/api/v1/orgs/330108',
			route: '/api/v1/orgs/{code}',
			status: 200,
			ms: (v) => typeof v === 'number' && v >= 0,
			bytes: Buffer.byteLength(res.text),
			ip: '127.0.0.1',
			user: 'admin',
		});
		assert.equal(srv.logs().filter((l) => l.id === id).length, 1, 'exactly one line');
	});

	test('errors are logged with their status and without a user', async () => {
		const res = await srv.api('GET', '/no/such/thing');
		assert.equal(res.status, 404);
		const id = res.headers.get('x-request-id');
		const line = await srv.waitForLog((l) => l.id === id);
		assertSubset(line, { type: 'access', status: 404, path: '/no/such/thing',
			bytes: Buffer.byteLength(res.text) });
		assert.ok(!('user' in line), 'no user for an anonymous request');
	});

	test('request ids are unique', async () => {
		const ids = new Set();
		const res = await Promise.all(Array.from({ length: 40 }, () => srv.api('GET', '/healthz')));
		for (const r of res)
			ids.add(r.headers.get('x-request-id'));
		assert.equal(ids.size, 40);
	});

	test('a path with quotes, backslashes and control characters stays one JSON line', async () => {
		const res = await srv.request({ method: 'GET', path: '/x"y\\z%0A%7B%22forged%22:1%7D%09' });
		assert.equal(res.status, 404);
		const id = res.headers.get('x-request-id');
		const line = await srv.waitForLog((l) => l.id === id);
		assert.equal(line.type, 'access');
		assert.ok(!srv.logs().some((l) => 'forged' in l), 'no forged log line');
		assert.match(line.path, /^\/x"y\\z/);
		assertErrorBody(res, 'no_route');
	});

	test('the log stays valid UTF-8 when a path is not', {
	}, async () => {
		const res = await srv.request({ method: 'GET', path: '/bad-%FF-byte' });
		assert.equal(res.status, 404);
		const id = res.headers.get('x-request-id');
		await srv.waitForLog((l) => l.id === id);
		const raw = Buffer.concat(srv.stderrBytes);
		const start = raw.indexOf(`"id":"${id}"`);
		const line = raw.subarray(raw.lastIndexOf(0x0a, start) + 1, raw.indexOf(0x0a, start));
		assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(line),
			`the access line is not UTF-8: ${line.toString('latin1')}`);
	});

	test('every stderr line is a JSON object with ts and level', async () => {
		await srv.api('GET', '/healthz');
		const lines = srv.stderr.split('\n').filter((l) => l.length);
		assert.ok(lines.length > 10);
		for (const l of lines.slice(0, -1)) { /* the last may be half written */
			let o;
			assert.doesNotThrow(() => { o = JSON.parse(l); }, `not JSON: ${l}`);
			assert.match(o.ts, /^\d{4}-/);
			assert.ok(['debug', 'info', 'warn', 'error'].includes(o.level), l);
		}
	});

	test('neither passwords nor session tokens reach the log', async () => {
		const { token } = await srv.login('leader');
		await srv.api('GET', '/api/v1/me', { token });
		await srv.api('POST', '/api/v1/auth/login',
			{ body: { username: 'leader', password: 'Wrong-Password-99' } });
		await srv.waitForLog((l) => l.type === 'access' && l.status === 401 &&
			l.path === '/api/v1/auth/login');
		assert.ok(!srv.stderr.includes(srv.accounts.leader), 'password in the log');
		assert.ok(!srv.stderr.includes('Wrong-Password-99'), 'wrong password in the log');
		assert.ok(!srv.stderr.includes(token), 'session token in the log');
	});
});

describe('response headers', () => {
	const cases = [
		{ name: 'GET /healthz', method: 'GET', path: '/healthz', status: 200 },
		{ name: 'GET /api/v1/me', method: 'GET', path: '/api/v1/me', as: 'admin', status: 200 },
		{ name: 'GET /api/v1/me without a session', method: 'GET', path: '/api/v1/me', status: 401 },
		{ name: 'GET /nope', method: 'GET', path: '/nope', status: 404 },
		{ name: 'GET /metrics', method: 'GET', path: '/metrics', status: 200, text: true },
		{ name: 'POST /api/v1/auth/login (bad)', method: 'POST', path: '/api/v1/auth/login',
			body: { username: 'nobody-here', password: 'x' }, status: 401 },
	];
	for (const c of cases) {
		test(`security headers on ${c.name}`, async () => {
			const res = await srv.api(c.method, c.path, { as: c.as, body: c.body });
			assert.equal(res.status, c.status, res.text);
			const h = res.headers;
			assert.equal(h.get('x-content-type-options'), 'nosniff');
			assert.equal(h.get('x-frame-options'), 'DENY');
			assert.equal(h.get('referrer-policy'), 'no-referrer');
			assert.equal(h.get('cache-control'), 'no-store');
			assert.match(h.get('content-security-policy') ?? '', /default-src 'self'/);
			assert.match(h.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
			assert.match(h.get('x-request-id') ?? '', /^[0-9a-f]{16}$/);
			assert.equal(h.get('server'), null, `no Server banner: ${h.get('server')}`);
			assert.equal(h.get('x-powered-by'), null);
			if (!c.text)
				assert.equal(h.get('content-type'), 'application/json; charset=utf-8');
			if (c.status >= 400)
				assertErrorBody(res);
		});
	}

	test('security headers on a 413 answered before the body is read', async () => {
		const res = await srv.headFirst({ method: 'POST', path: '/api/v1/auth/login',
			headers: { 'content-type': 'application/json', 'content-length': String(2 << 20) },
			body: Buffer.alloc(2 << 20, 0x20) });
		assert.equal(res.status, 413);
		assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
		assert.equal(res.headers.get('cache-control'), 'no-store');
		assert.equal(res.headers.get('server'), null);
		assertErrorBody(res, 'payload_too_large');
	});
});
