/*
 * limits.test.mjs - resource exhaustion gets a 4xx within bounded memory.
 *
 * Slow clients are cut off by the connection timeout and do not stop others
 * being served; one address cannot take more than its share of connections;
 * a huge body (declared or chunked) is answered 413 without being kept;
 * deeply nested JSON is refused before it is parsed; a GeoJSON import with
 * millions of vertices is refused with a clear error before it is parsed.
 * Memory is measured from /proc (the server's VmHWM, the high-water mark of
 * its resident set; the CLI's peak RSS through getrusage) and compared with
 * a generous bound: these are bounds on behaviour, not timings.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, BIN, childEnv, removeDir, startServer } from './harness.mjs';

const MiB = 1024 * 1024;

/* VmHWM and VmRSS of a process, in bytes. */
function memory(pid) {
	const s = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)[1]) * 1024;
	return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

/* A raw connection; resolves {closed: true, data} when the server closes it. */
function rawConn(port, { host = '127.0.0.1', localAddress } = {}) {
	const sock = net.connect({ port, host, localAddress });
	const state = { data: '', closed: false };
	state.done = new Promise((resolve) => {
		sock.on('data', (d) => { state.data += d.toString('latin1'); });
		sock.on('error', () => {});
		sock.on('close', () => {
			state.closed = true;
			resolve(state);
		});
	});
	state.connected = new Promise((resolve) => sock.on('connect', resolve));
	state.sock = sock;
	return state;
}

describe('slow clients', () => {
	let srv;
	before(async () => {
		srv = await startServer({ args: ['--connection-timeout', '2', '--per-ip-connections', '40'] });
	});
	after(async () => { await srv?.stop(); });

	test('a client that stops half way through its headers is disconnected', async () => {
		const slow = [];
		for (let i = 0; i < 30; i++) {
			const c = rawConn(srv.port);
			await c.connected;
			c.sock.write(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Slow-${i}: `);
			slow.push(c);
		}
		/* the others are still served while the 30 hang (on a new connection:
		 * a kept-alive one may be closed by the 2 s timeout as it is reused) */
		const h = await srv.request({ path: '/healthz' });
		assert.equal(h.status, 200);
		const ended = await Promise.all(slow.map((c) => c.done));
		for (const c of ended) {
			assert.ok(c.closed);
			assert.doesNotMatch(c.data, /^HTTP\/1\.1 200/, 'a half request was not answered as whole');
		}
		assert.equal((await srv.request({ path: '/healthz' })).status, 200, 'served after the timeouts');
	});

	test('a client trickling its head a byte at a time is cut off (slowloris)', async () => {
		/* each byte resets an idle timer: only a deadline on the whole head stops this */
		const head = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Trickle: ' + 'a'.repeat(200) + '\r\n\r\n';
		const conns = [];
		for (let k = 0; k < 5; k++) {
			const c = rawConn(srv.port);
			await c.connected;
			conns.push(c);
		}
		let sent = 0;
		while (sent < head.length && conns.some((c) => !c.closed)) {
			for (const c of conns)
				if (!c.closed)
					c.sock.write(head[sent]);
			sent++;
			await new Promise((r) => setTimeout(r, 100));
		}
		assert.ok(sent < head.length, 'the server waited for the whole trickled head');
		for (const c of conns) {
			await c.done;
			assert.doesNotMatch(c.data, /^HTTP\/1\.1 200/);
		}
		const m = await srv.request({ path: '/metrics' });
		const n = Number(/^pingan_http_slow_clients_total (\d+)$/m.exec(m.text)?.[1]);
		assert.ok(n >= 5, `pingan_http_slow_clients_total is ${n}`);
		/* a kept-alive connection that sends its next head slowly is cut off too */
		const ka = rawConn(srv.port);
		await ka.connected;
		ka.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
		while (!/\r\n\r\n[\s\S]*\}\n$/.test(ka.data) && !ka.closed)
			await new Promise((r) => setTimeout(r, 20));
		assert.match(ka.data, /^HTTP\/1\.1 200/);
		let k = 0;
		while (!ka.closed && k < head.length) {
			ka.sock.write(head[k++]);
			await new Promise((r) => setTimeout(r, 100));
		}
		assert.ok(k < head.length, 'the second head was waited for');
	});

	test('an address past per_ip_connections is refused; another address is still served', async () => {
		const held = [];
		for (let i = 0; i < 40; i++) {
			const c = rawConn(srv.port);
			await c.connected;
			c.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); /* never finished */
			held.push(c);
		}
		/* the 41st connection from 127.0.0.1 is closed at once, unanswered */
		const extra = rawConn(srv.port);
		extra.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		const r = await extra.done;
		assert.equal(r.data, '', 'the connection over the per-address limit got no answer');
		/* another local address (127.0.0.2 is loopback too) is served */
		const other = await srv.request({ path: '/healthz', localAddress: '127.0.0.2' });
		assert.equal(other.status, 200);
		for (const c of held)
			c.sock.destroy();
		await Promise.all(held.map((c) => c.done));
	});
});

describe('huge and hostile bodies', () => {
	let srv, token;
	before(async () => {
		srv = await startServer();
		token = (await srv.login('gridworker')).token;
	});
	after(async () => { await srv?.stop(); });

	test('a 100 KiB request head is refused (431) and the server goes on', async () => {
		const c = rawConn(srv.port);
		await c.connected;
		c.sock.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`);
		const r = await c.done;
		assert.match(r.data, /^HTTP\/1\.1 431 /);
		assert.equal((await srv.api('GET', '/healthz')).status, 200);
	});

	test('a declared 8 GiB body is refused by its Content-Length', async () => {
		const res = await srv.headFirst({ path: '/api/v1/events', headers: {
			authorization: `Bearer ${token}`, 'content-type': 'application/json',
			'content-length': String(8 * 1024 * MiB) }, body: 'x'.repeat(1000) });
		assertError(res, 413, 'payload_too_large');
		assert.equal(res.sentBody, false, 'answered before the body was sent');
	});

	test('a 256 MiB chunked body is drained, answered 413, and not kept in memory', async (t) => {
		const before = memory(srv.pid);
		const chunk = Buffer.alloc(MiB, 0x5b); /* '[' */
		const chunks = Array.from({ length: 256 }, () => chunk);
		const res = await srv.request({ method: 'POST', path: '/api/v1/events', chunks, timeout: 120000,
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json',
				'transfer-encoding': 'chunked' } });
		assertError(res, 413, 'payload_too_large');
		const afterMem = memory(srv.pid);
		const grew = afterMem.hwm - before.hwm;
		t.diagnostic(`server VmHWM ${(before.hwm / MiB).toFixed(0)} MiB before, ` +
			`${(afterMem.hwm / MiB).toFixed(0)} MiB after a 256 MiB body`);
		assert.ok(grew < 32 * MiB, `the peak resident set grew by ${(grew / MiB).toFixed(1)} MiB for a 256 MiB body`);
	});

	test('JSON nested deeper than 32 levels is refused before it is parsed', async () => {
		const deep = (n) => `{"category":"0101","title":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
		/* 32 levels pass the gate and fail on the field's type */
		const ok = await srv.api('POST', '/api/v1/events', { token, raw: deep(32),
			headers: { 'content-type': 'application/json' } });
		assertError(ok, 400, 'wrong_type');
		const bad = await srv.api('POST', '/api/v1/events', { token, raw: deep(33),
			headers: { 'content-type': 'application/json' } });
		assertError(bad, 400, 'malformed_json');
		assert.match(bad.json.error.message, /deeper than 32 levels/);
		/* brackets inside strings do not count */
		const str = await srv.api('POST', '/api/v1/events', { token, raw: JSON.stringify({ title: '['.repeat(90),
			category: '0101', address: '江南大道' }), headers: { 'content-type': 'application/json' } });
		assert.equal(str.status, 201, str.text);
		/* 1 MiB of '[' (the body limit) is refused as well, in bounded memory */
		const before = memory(srv.pid);
		const huge = await srv.api('POST', '/api/v1/events', { token, raw: '['.repeat(MiB - 16),
			headers: { 'content-type': 'application/json' } });
		assertError(huge, 400, 'malformed_json');
		const grew = memory(srv.pid).hwm - before.hwm;
		assert.ok(grew < 32 * MiB, `the peak resident set grew by ${(grew / MiB).toFixed(1)} MiB`);
		/* and the Open311 form path takes the same body limit */
		const form = await srv.request({ method: 'POST', path: '/open311/v2/requests.json',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'a=' + 'x'.repeat(2 * MiB) });
		assert.equal(form.status, 413, form.text.slice(0, 200));
	});
});

/* Peak RSS (bytes) and exit of a CLI run, through getrusage of a python3
 * parent (the child is gone before /proc could be read). */
function cliPeak(args, env) {
	const py = 'import resource,subprocess,sys\n' +
		'p=subprocess.run(sys.argv[1:],capture_output=True)\n' +
		'sys.stderr.buffer.write(p.stderr)\n' +
		'print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n';
	return new Promise((resolve, reject) => {
		execFile('python3', ['-c', py, BIN, ...args], { env: childEnv(env), maxBuffer: 16 * MiB },
			(err, stdout, stderr) => {
				if (err)
					return reject(err);
				const [code, kb] = stdout.trim().split(' ').map(Number);
				resolve({ code, peak: kb * 1024, stderr });
			});
	});
}

/* A FeatureCollection of one grid whose ring has n vertices. */
function bigGeojson(n) {
	const parts = [];
	for (let i = 0; i < n - 1; i++) {
		const a = (2 * Math.PI * i) / (n - 1);
		parts.push(`[${(120.2 + 0.01 * Math.cos(a)).toFixed(7)},${(30.2 + 0.01 * Math.sin(a)).toFixed(7)}]`);
	}
	parts.push(parts[0]);
	return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":` +
		`{"code":"330108001001001","name":"大"},"geometry":{"type":"Polygon","coordinates":[[\n` +
		parts.join(',\n') + ']]}}]}\n';
}

describe('imports with millions of vertices', () => {
	let srv, dir;
	before(async () => {
		srv = await startServer();
		dir = srv.dir;
		await srv.stop({ keepDir: true });
	});
	after(async () => {
		await removeDir(dir);
	});

	test('a GeoJSON file of 2 million vertices is refused before parsing, in bounded memory', async (t) => {
		const file = path.join(dir, 'huge.geojson');
		const text = bigGeojson(2000000);
		await writeFile(file, text);
		const db = path.join(dir, 'p.db');
		/* the baseline: the same command on a small file */
		const small = path.join(dir, 'small.geojson');
		await writeFile(small, bigGeojson(1000));
		const base = await cliPeak(['--db', db, 'import', 'grids', small]);
		assert.equal(base.code, 0, base.stderr);
		const r = await cliPeak(['--db', db, 'import', 'grids', file]);
		assert.equal(r.code, 1, r.stderr);
		assert.match(r.stderr, /huge\.geojson: 4000000 numbers, more than a file of 1000000 vertices can hold; nothing imported/);
		const grew = r.peak - base.peak;
		t.diagnostic(`peak RSS ${(base.peak / MiB).toFixed(0)} MiB on a small file, ` +
			`${(r.peak / MiB).toFixed(0)} MiB on ${(text.length / MiB).toFixed(0)} MiB of 2 million vertices`);
		/* the file itself is read into memory (at most 64 MiB); a parse would
		 * take some 150 bytes a vertex more */
		assert.ok(grew < 3 * text.length,
			`peak RSS grew by ${(grew / MiB).toFixed(1)} MiB for a ${(text.length / MiB).toFixed(1)} MiB file`);
	});

	test('a feature over 100 000 vertices is refused with its line', async () => {
		const file = path.join(dir, 'feature.geojson');
		await writeFile(file, bigGeojson(100001));
		const r = await cliPeak(['--db', path.join(dir, 'p.db'), 'import', 'grids', file]);
		assert.equal(r.code, 1, r.stderr);
		assert.match(r.stderr, /feature\.geojson:1: feature 0 \(330108001001001\): .*vertices/);
	});
});
