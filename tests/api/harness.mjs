/*
 * harness.mjs - the real pingan binary on an ephemeral port with a fresh
 * database, for the API tests (node --test, no npm packages).
 *
 *   const srv = await startServer();            // demo district 330108
 *   const { token } = await srv.login('admin');
 *   const res = await srv.api('GET', '/api/v1/me', { token });
 *   await srv.stop();                           // exit 0, no sanitizer report
 *
 * Every child process runs with PINGAN_PBKDF2_ITERATIONS=1000 unless the
 * caller's env overrides it (a value of null removes a variable), and with
 * no other PINGAN_* variable inherited from the test runner. Second factors
 * and password ageing are off by default (PINGAN_TOTP_ROLES empty,
 * PINGAN_PASSWORD_MAX_AGE_DAYS 0), so the many tests that log in as admin or
 * centre need no authenticator; the login_*.test.mjs files turn them on. Every child's
 * stderr is checked for AddressSanitizer, LeakSanitizer and UBSan reports.
 *
 * Table-driven cases (curl's tests/data idea) go through runCases(): each
 * case is {name, method, path, as, body, raw, headers, status, error, json,
 * headers_out, check, todo}; `json` is an expected subset (objects: the
 * listed keys, recursively; arrays: exactly, unless wrapped in includes()).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

export const BIN = process.env.PINGAN_BIN || path.join(repo, 'build-test/pingan');
export const DEMO_DATA = process.env.PINGAN_DEMO_DATA || path.join(repo, 'node_modules');
export const FIXTURES = path.join(here, 'fixtures');
export const DISTRICT = '330108';
/* A password that meets the policy (12+ characters, three classes). */
export const GOOD_PASSWORD = 'Correct-Horse-42x';

export const SANITIZER_RE = /AddressSanitizer|LeakSanitizer|runtime error:/;

export function childEnv(extra = {}) {
	const env = {};
	for (const [k, v] of Object.entries(process.env))
		if (!k.startsWith('PINGAN_'))
			env[k] = v;
	env.PINGAN_PBKDF2_ITERATIONS = '1000';
	env.PINGAN_TOTP_ROLES = '';
	env.PINGAN_PASSWORD_MAX_AGE_DAYS = '0';
	/* a demo without its year of events unless a test asks for them */
	env.PINGAN_DEMO_EVENTS ??= '0';
	/* no web app unless a test gives one (a built web/dist must not change answers) */
	env.PINGAN_WEB_DIR ??= '';
	env.ASAN_OPTIONS ??= 'detect_leaks=1:abort_on_error=0:halt_on_error=1';
	env.UBSAN_OPTIONS ??= 'print_stacktrace=1:halt_on_error=1';
	for (const [k, v] of Object.entries(extra)) {
		if (v === null || v === undefined)
			delete env[k];
		else
			env[k] = String(v);
	}
	return env;
}

export function assertNoSanitizer(stderr, what) {
	assert.doesNotMatch(stderr, SANITIZER_RE,
		`${what}: sanitizer report on stderr:\n${stderr.slice(-6000)}`);
}

export async function tempDir(prefix = 'pingan-api-') {
	return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir) {
	if (dir)
		await rm(dir, { recursive: true, force: true });
}

/* Runs the binary to completion: {code, signal, stdout, stderr}. Asserts
 * that stderr holds no sanitizer report. */
export function cli(args, { env = {}, input = null, cwd = os.tmpdir(), timeout = 60000 } = {}) {
	return new Promise((resolve, reject) => {
		const p = spawn(BIN, args, { env: childEnv(env), cwd, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '', stderr = '';
		p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
		p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
		const timer = setTimeout(() => {
			p.kill('SIGKILL');
			reject(new Error(`pingan ${args.join(' ')}: timed out after ${timeout} ms\n${stderr}`));
		}, timeout);
		p.on('error', (e) => { clearTimeout(timer); reject(e); });
		p.on('close', (code, signal) => {
			clearTimeout(timer);
			try {
				assertNoSanitizer(stderr, `pingan ${args.join(' ')}`);
			} catch (e) {
				reject(e);
				return;
			}
			resolve({ code, signal, stdout, stderr });
		});
		p.stdin.on('error', () => {}); /* the child may exit before reading */
		if (input !== null)
			p.stdin.end(input);
		else
			p.stdin.end();
	});
}

/* demo-accounts.txt: a title line, a header, then "  USER PASSWORD ROLE ORG". */
export function parseAccounts(text) {
	const out = {};
	for (const line of text.split('\n')) {
		if (!line.startsWith('  '))
			continue;
		const [user, password] = line.trim().split(/\s+/);
		if (user === 'USER')
			continue;
		out[user] = password;
	}
	return out;
}

/* ---- comparing ---------------------------------------------------------- */

const INCLUDES = Symbol('includes');

/* An expected array that only needs to contain elements matching these. */
export function includes(...items) {
	return { [INCLUDES]: items };
}

function isPlainObject(v) {
	return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/* Asserts that actual matches expected: objects by the expected keys
 * (recursively), arrays exactly (deepStrictEqual) unless includes(),
 * RegExps by test, functions as predicates, everything else strictly. */
export function assertSubset(actual, expected, where = '$') {
	if (expected instanceof RegExp) {
		assert.equal(typeof actual, 'string', `${where}: expected a string matching ${expected}`);
		assert.match(actual, expected, `${where}`);
	} else if (typeof expected === 'function') {
		assert.ok(expected(actual), `${where}: ${JSON.stringify(actual)} fails ${expected}`);
	} else if (isPlainObject(expected) && expected[INCLUDES]) {
		assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`);
		for (const [i, want] of expected[INCLUDES].entries()) {
			const found = actual.some((a) => {
				try {
					assertSubset(a, want);
					return true;
				} catch {
					return false;
				}
			});
			assert.ok(found, `${where}: no element matches includes[${i}] ${JSON.stringify(want)}`);
		}
	} else if (Array.isArray(expected)) {
		assert.deepStrictEqual(actual, expected, `${where}: array differs`);
	} else if (isPlainObject(expected)) {
		assert.ok(isPlainObject(actual), `${where}: expected an object, got ${JSON.stringify(actual)}`);
		for (const [k, v] of Object.entries(expected)) {
			assert.ok(Object.hasOwn(actual, k), `${where}.${k} is missing in ${JSON.stringify(actual)}`);
			assertSubset(actual[k], v, `${where}.${k}`);
		}
	} else {
		assert.strictEqual(actual, expected, `${where}`);
	}
}

/* The one error shape: exactly {"error":{"code":SLUG,"message":TEXT}}. */
export function assertErrorBody(res, code, where = '') {
	const at = `${where}${res.method ?? ''} ${res.path ?? ''} -> ${res.status} ${res.text?.slice(0, 300)}`;
	assert.ok(isPlainObject(res.json), `${at}: error body is not a JSON object`);
	assert.deepStrictEqual(Object.keys(res.json), ['error'], `${at}: top-level keys`);
	const e = res.json.error;
	assert.ok(isPlainObject(e), `${at}: error is not an object`);
	assert.deepStrictEqual(Object.keys(e).sort(), ['code', 'message'], `${at}: error keys`);
	assert.equal(typeof e.code, 'string', `${at}: code`);
	assert.match(e.code, /^[a-z_]+$/, `${at}: code slug`);
	assert.equal(typeof e.message, 'string', `${at}: message`);
	assert.ok(e.message.length > 0, `${at}: empty message`);
	assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${at}: content type`);
	if (code !== undefined)
		assert.equal(e.code, code, `${at}: error code`);
}

export function assertError(res, status, code) {
	assert.equal(res.status, status, `${res.method} ${res.path}: status, body ${res.text?.slice(0, 300)}`);
	assertErrorBody(res, code);
}

/* ---- raw HTTP (node:http): custom methods, chunked bodies, source address */

/* {status, headers (lower-case object), text, json, error}. Resolves even
 * when the server answers before the body was sent (EPIPE after the answer). */
export function rawRequest(base, { method = 'GET', path: p = '/', headers = {}, body = null,
	chunks = null, localAddress, timeout = 30000 } = {}) {
	const url = new URL(base);
	return new Promise((resolve, reject) => {
		let done = false;
		const finish = (fn, v) => {
			if (!done) {
				done = true;
				clearTimeout(timer);
				fn(v);
			}
		};
		const req = http.request({
			host: url.hostname, port: url.port, method, path: p, headers, localAddress,
			agent: false, setHost: true,
		}, (res) => {
			const parts = [];
			res.on('data', (d) => parts.push(d));
			res.on('error', (e) => finish(reject, e));
			res.on('end', () => {
				const text = Buffer.concat(parts).toString('utf8');
				let json = null;
				try {
					json = JSON.parse(text);
				} catch { /* not JSON */ }
				const h = new Headers();
				for (const [k, v] of Object.entries(res.headers))
					h.set(k, Array.isArray(v) ? v.join(', ') : v);
				finish(resolve, { status: res.statusCode, headers: h, text, json, method, path: p });
			});
		});
		const timer = setTimeout(() => {
			req.destroy();
			finish(reject, new Error(`${method} ${p}: no answer in ${timeout} ms`));
		}, timeout);
		req.on('error', (e) => {
			/* an early answer may be followed by EPIPE/ECONNRESET while writing */
			setTimeout(() => finish(reject, e), 200);
		});
		if (chunks) {
			(async () => {
				for (const c of chunks) {
					if (req.destroyed)
						return;
					if (!req.write(c)) {
						await new Promise((r) => {
							const done = () => {
								req.off('drain', done).off('close', done);
								r();
							};
							req.on('drain', done).on('close', done);
						});
					}
				}
				req.end();
			})();
		} else {
			req.end(body ?? undefined);
		}
	});
}

/* Sends the request head, and the body only if no answer came within wait
 * ms: a server that refuses a body by its Content-Length answers at once, and
 * a client still writing the body when the connection closes would see EPIPE
 * instead of the answer. {status, headers, text, json, sentBody}. */
export function headFirstRequest(base, { method = 'POST', path: p = '/', headers = {}, body,
	wait = 1000, timeout = 15000 } = {}) {
	const url = new URL(base);
	return new Promise((resolve, reject) => {
		const sock = net.connect(Number(url.port), url.hostname);
		const chunks = [];
		let sentBody = false, settled = false, sockErr = null;
		const done = (fn, v) => {
			if (settled)
				return;
			settled = true;
			clearTimeout(bodyTimer);
			clearTimeout(giveUp);
			sock.destroy();
			fn(v);
		};
		const parse = () => {
			const buf = Buffer.concat(chunks);
			const end = buf.indexOf('\r\n\r\n');
			if (end < 0)
				return null;
			const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
			const status = Number(lines[0].split(' ')[1]);
			const h = new Headers();
			for (const l of lines.slice(1)) {
				const i = l.indexOf(':');
				h.append(l.slice(0, i).trim(), l.slice(i + 1).trim());
			}
			const len = Number(h.get('content-length') ?? -1);
			const rest = buf.subarray(end + 4);
			if (len >= 0 && rest.length < len)
				return null;
			const text = rest.subarray(0, len >= 0 ? len : rest.length).toString('utf8');
			let json = null;
			try {
				json = JSON.parse(text);
			} catch { /* not JSON */ }
			return { status, headers: h, text, json, sentBody, method, path: p };
		};
		sock.on('data', (d) => {
			chunks.push(d);
			const res = parse();
			if (res)
				done(resolve, res);
		});
		sock.on('error', (e) => { sockErr = e; });
		sock.on('close', () => {
			const res = parse();
			if (res)
				done(resolve, res);
			else
				done(reject, new Error(`${method} ${p}: no answer (${sockErr?.code ?? 'closed'})`));
		});
		const head = `${method} ${p} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n` +
			Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
		sock.write(head);
		const bodyTimer = setTimeout(() => {
			if (!chunks.length && body) {
				sentBody = true;
				sock.write(body);
			}
		}, wait);
		const giveUp = setTimeout(() => done(reject, new Error(`${method} ${p}: no answer in ${timeout} ms`)),
			timeout);
	});
}

/* ---- the server ---------------------------------------------------------- */

/* Servers still running when the test process ends (a crash, a cancelled
 * run) are killed rather than left behind. */
const live = new Set();
process.on('exit', () => {
	for (const p of live)
		p.kill('SIGKILL');
});

export class Server {
	constructor({ dir, ownDir, accounts, env, args }) {
		this.dir = dir;
		this.ownDir = ownDir;
		this.db = path.join(dir, 'p.db');
		this.accounts = accounts;
		this.env = env;
		this.args = args;
		this.stderr = '';
		this.stderrBytes = []; /* the raw bytes, for checks of the encoding */
		this.stdout = '';
		this.sessions = new Map();
		this.exit = null;
	}

	async start() {
		const args = ['--db', this.db, '--listen', '127.0.0.1:0', ...this.args, 'serve'];
		this.proc = spawn(BIN, args, { env: childEnv(this.env), cwd: this.dir,
			stdio: ['ignore', 'pipe', 'pipe'] });
		this.pid = this.proc.pid;
		const proc = this.proc;
		live.add(proc);
		this.exited = new Promise((resolve) => {
			this.proc.on('exit', (code, signal) => {
				live.delete(proc);
				this.exit = { code, signal };
				resolve(this.exit);
			});
		});
		this.closed = new Promise((resolve) => this.proc.on('close', resolve));
		const dec = new StringDecoder('utf8');
		this.proc.stderr.on('data', (d) => {
			this.stderrBytes.push(d);
			this.stderr += dec.write(d);
		});
		const port = await new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				proc.kill('SIGKILL');
				reject(new Error(`server did not print its address in 20 s:\n${this.stderr}`));
			}, 20000);
			this.proc.stdout.setEncoding('utf8').on('data', (d) => {
				this.stdout += d;
				const m = /listening on (https?):\/\/127\.0\.0\.1:(\d+)\n/.exec(this.stdout);
				if (m) {
					clearTimeout(timer);
					this.scheme = m[1];
					resolve(Number(m[2]));
				}
			});
			this.proc.on('exit', (code, signal) => {
				clearTimeout(timer);
				reject(new Error(`server exited (${code ?? signal}) before listening:\n${this.stderr}`));
			});
		});
		this.port = port;
		this.base = `${this.scheme}://127.0.0.1:${port}`;
		return this;
	}

	/* The JSON lines of stderr (other lines skipped). */
	logs() {
		const out = [];
		for (const line of this.stderr.split('\n')) {
			if (!line.startsWith('{'))
				continue;
			try {
				out.push(JSON.parse(line));
			} catch { /* a partial line */ }
		}
		return out;
	}

	/* Waits until a log line satisfies pred (access lines are written after
	 * the response has been sent). */
	async waitForLog(pred, ms = 5000) {
		const end = Date.now() + ms;
		for (;;) {
			const hit = this.logs().find(pred);
			if (hit)
				return hit;
			if (Date.now() > end)
				assert.fail(`no log line matched ${pred} within ${ms} ms`);
			await new Promise((r) => setTimeout(r, 20));
		}
	}

	/* fetch: {status, headers, json, text}. body: a value sent as JSON;
	 * raw: a string/Buffer sent as is (no default content type). */
	async api(method, p, { token, cookie, as, body, raw, headers = {} } = {}) {
		const h = { ...headers };
		if (as)
			token = (await this.session(as)).token;
		if (token)
			h.authorization = `Bearer ${token}`;
		if (cookie)
			h.cookie = cookie;
		let payload;
		if (raw !== undefined) {
			payload = raw;
		} else if (body !== undefined) {
			payload = JSON.stringify(body);
			if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
				h['content-type'] = 'application/json';
		}
		const res = await fetch(this.base + p, { method, headers: h, body: payload, redirect: 'manual',
			signal: AbortSignal.timeout(30000) });
		const text = await res.text();
		let json = null;
		try {
			json = JSON.parse(text);
		} catch { /* not JSON */ }
		return { status: res.status, headers: res.headers, json, text, method, path: p };
	}

	request(opts) {
		return rawRequest(this.base, opts);
	}

	headFirst(opts) {
		return headFirstRequest(this.base, opts);
	}

	/* Logs in (asserting 200): {token, cookie, user, setCookie, res}. */
	async login(username, password = this.accounts[username]) {
		assert.ok(password, `no password for '${username}'`);
		const res = await this.api('POST', '/api/v1/auth/login', { body: { username, password } });
		assert.equal(res.status, 200, `login ${username}: ${res.text}`);
		const setCookie = res.headers.getSetCookie();
		assert.equal(setCookie.length, 1, 'one Set-Cookie');
		const m = /^pingan_session=([0-9a-f]{32});/.exec(setCookie[0]);
		assert.ok(m, `session cookie: ${setCookie[0]}`);
		assert.equal(m[1], res.json.token, 'the cookie carries the token');
		return { token: res.json.token, cookie: `pingan_session=${m[1]}`, user: res.json.user,
			setCookie: setCookie[0], res };
	}

	/* A cached session per user, for read-only table cases. */
	async session(username) {
		if (!this.sessions.has(username))
			this.sessions.set(username, await this.login(username));
		return this.sessions.get(username);
	}

	signal(sig) {
		this.proc.kill(sig);
	}

	/* Stops the server (SIGTERM unless told), asserts exit status 0 and a
	 * clean stderr, and removes the temp dir unless keepDir. */
	async stop({ signal = 'SIGTERM', keepDir = false, timeout = 30000 } = {}) {
		if (!this.proc)
			return null;
		if (!this.exit)
			this.proc.kill(signal);
		const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeout);
		const exit = await this.exited;
		await this.closed;
		clearTimeout(timer);
		const proc = this.proc;
		this.proc = null;
		try {
			assertNoSanitizer(this.stderr, `pingan serve (pid ${proc.pid})`);
			assert.deepStrictEqual(exit, { code: 0, signal: null },
				`pingan serve exit after ${signal}:\n${this.stderr.slice(-3000)}`);
		} finally {
			if (this.ownDir && !keepDir)
				await removeDir(this.dir);
		}
		return exit;
	}
}

/* Starts a server on a fresh temp dir (or on dir, which the caller owns).
 * demo: load the demo district first; setup({dir, db, cli}) runs before
 * serving; env: extra environment for every child (demoEnv: on top of it
 * for the demo step); args: settings flags for serve. */
export async function startServer({ demo = true, env = {}, demoEnv = {}, args = [], dir = null,
	setup = null, accounts = null } = {}) {
	const ownDir = !dir;
	dir ??= await tempDir();
	const db = path.join(dir, 'p.db');
	const run = (a, o = {}) => cli(['--db', db, ...a], { env, cwd: dir, ...o });
	try {
		if (demo) {
			const r = await run(['--demo-data', DEMO_DATA, 'demo', '--district', DISTRICT],
				{ env: { ...env, ...demoEnv } });
			assert.equal(r.code, 0, `pingan demo: ${r.stderr}`);
			accounts = parseAccounts(await readFile(path.join(dir, 'demo-accounts.txt'), 'utf8'));
			assert.ok(accounts.admin, 'demo accounts were read');
		}
		if (setup)
			await setup({ dir, db, cli: run });
		const srv = new Server({ dir, ownDir, accounts: accounts ?? {}, env, args });
		return await srv.start();
	} catch (e) {
		if (ownDir)
			await removeDir(dir);
		throw e;
	}
}

/* ---- table-driven cases --------------------------------------------------- */

/* Registers one test per case; srv() gives the server at run time. */
export function runCases(srv, cases) {
	for (const c of cases) {
		test(c.name, c.todo ? { todo: c.todo } : {}, async () => {
			const s = srv();
			const res = await s.api(c.method, c.path, { as: c.as ?? undefined, body: c.body,
				raw: c.raw, headers: c.headers });
			assert.equal(res.status, c.status,
				`${c.method} ${c.path}: status ${res.status}, body ${res.text.slice(0, 400)}`);
			if (c.status >= 400)
				assertErrorBody(res, c.error);
			if (c.json !== undefined)
				assertSubset(res.json, c.json);
			for (const [k, v] of Object.entries(c.headers_out ?? {})) {
				if (v === null)
					assert.equal(res.headers.get(k), null, `header ${k} must be absent`);
				else
					assertSubset(res.headers.get(k), v, `header ${k}`);
			}
			if (c.check)
				await c.check(res, s);
		});
	}
}

/* ---- geometry helpers -------------------------------------------------------- */

/* Even-odd point in a GeoJSON Polygon or MultiPolygon. */
export function pointInGeometry(g, [x, y]) {
	const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
	for (const rings of polys) {
		let inside = false;
		for (const ring of rings) {
			for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
				const [xi, yi] = ring[i], [xj, yj] = ring[j];
				if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi)
					inside = !inside;
			}
		}
		if (inside)
			return true;
	}
	return false;
}

function segDist([px, py], [ax, ay], [bx, by]) {
	const dx = bx - ax, dy = by - ay;
	const len2 = dx * dx + dy * dy;
	let t = len2 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
	t = Math.max(0, Math.min(1, t));
	return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/* Distance from p to the nearest edge of the geometry. */
export function edgeDistance(g, p) {
	const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
	let d = Infinity;
	for (const rings of polys)
		for (const ring of rings)
			for (let i = 1; i < ring.length; i++)
				d = Math.min(d, segDist(p, ring[i - 1], ring[i]));
	return d;
}

/* A small deterministic PRNG (mulberry32), so failures reproduce. */
export function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/* A point strictly inside the geometry, at least margin degrees from every
 * edge: the bbox centre if it qualifies, else random points in the bbox. */
export function interiorPoint(g, margin = 1e-5, seed = 1) {
	const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
	let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
	for (const rings of polys)
		for (const [x, y] of rings[0]) {
			minx = Math.min(minx, x); maxx = Math.max(maxx, x);
			miny = Math.min(miny, y); maxy = Math.max(maxy, y);
		}
	const ok = (p) => pointInGeometry(g, p) && edgeDistance(g, p) > margin;
	const centre = [(minx + maxx) / 2, (miny + maxy) / 2];
	if (ok(centre))
		return centre;
	const rand = rng(seed);
	for (let i = 0; i < 5000; i++) {
		const p = [minx + rand() * (maxx - minx), miny + rand() * (maxy - miny)];
		if (ok(p))
			return p;
	}
	return null;
}
