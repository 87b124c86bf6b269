/*
 * shutdown.test.mjs - SIGTERM and SIGINT stop the server cleanly: requests
 * in flight get complete answers, the exit status is 0, the data survives a
 * restart. And the settings: `serve --print-config`, their sources, and bad
 * values.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN, childEnv, cli, GOOD_PASSWORD, removeDir, Server, startServer,
	tempDir } from './harness.mjs';

const LOGIN = '/api/v1/auth/login';

describe('stopping', () => {
	let srv, dir, accounts;
	before(async () => {
		/* the server hashes with the default 100000 iterations (~0.1 s or more a
		 * login under the sanitizers); the demo accounts stay cheap */
		/* four HTTP threads: the twenty logins run in waves, so that many are
		 * still in flight when the signal comes (with the default sixteen they
		 * would all end together) */
		srv = await startServer({ env: { PINGAN_PBKDF2_ITERATIONS: null, PINGAN_THREADS: 4 },
			demoEnv: { PINGAN_PBKDF2_ITERATIONS: 1000 },
			setup: async ({ cli: run }) => {
				const r = await run(['user', 'add', 'slow.user', '--org', '330108', '--roles', 'leader',
					'--password-stdin'], { input: `${GOOD_PASSWORD}\n` });
				assert.equal(r.code, 0, r.stderr);
			} });
		dir = srv.dir;
		accounts = { ...srv.accounts, 'slow.user': GOOD_PASSWORD };
		srv.ownDir = false; /* the restarts below reuse it */
	});
	after(async () => {
		await srv?.stop();
		await removeDir(dir);
	});

	test('SIGTERM while 20 slow logins are in flight: every one is answered, exit 0', async (t) => {
		const created = await srv.api('POST', '/api/v1/users', { as: 'security', body: {
			username: 'before.stop', display_name: '停机前', org: '330108001', roles: ['centre'],
			password: GOOD_PASSWORD } });
		assert.equal(created.status, 201, created.text);

		let sigtermAt = Infinity;
		const sent = [];
		const one = (i) => new Promise((resolve, reject) => {
			const body = JSON.stringify(i % 2 ? { username: `nobody.${i}`, password: GOOD_PASSWORD }
				: { username: 'slow.user', password: GOOD_PASSWORD });
			const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: LOGIN,
				agent: false, headers: { 'content-type': 'application/json',
					'content-length': Buffer.byteLength(body) } }, (res) => {
				let text = '';
				res.setEncoding('utf8').on('data', (d) => { text += d; });
				res.on('end', () => resolve({ i, status: res.statusCode, text, complete: res.complete,
					at: performance.now() }));
				res.on('error', (e) => reject(new Error(`#${i}: ${e.message}`)));
			});
			req.on('error', (e) => reject(new Error(`#${i} (sent ${sent.length}): ${e.code ?? e.message}`)));
			req.on('finish', () => sent.push(i));
			req.end(body);
		});
		const all = Array.from({ length: 20 }, (_, i) => one(i));
		while (sent.length < 20)
			await new Promise((r) => setTimeout(r, 5));
		await srv.waitForLog((l) => l.type === 'access' && l.path === LOGIN && l.ms > 50, 10000);
		sigtermAt = performance.now();
		srv.signal('SIGTERM');
		const results = await Promise.all(all);
		for (const r of results) {
			assert.ok(r.complete, `#${r.i}: incomplete response`);
			const json = JSON.parse(r.text);
			if (r.i % 2) {
				assert.equal(r.status, 401, `#${r.i}: ${r.text}`);
				assert.equal(json.error.code, 'invalid_credentials');
			} else {
				assert.equal(r.status, 200, `#${r.i}: ${r.text}`);
				assert.match(json.token, /^[0-9a-f]{32}$/);
			}
		}
		const late = results.filter((r) => r.at > sigtermAt).length;
		t.diagnostic(`${late} of 20 answers came after SIGTERM`);
		assert.ok(late >= 5, `only ${late} answers came after SIGTERM: the test did not overlap`);
		await srv.stop(); /* asserts exit 0 and no sanitizer report */
		const logs = srv.logs().map((l) => l.msg).filter(Boolean);
		assert.ok(logs.includes('signal 15: finishing in-flight requests'), logs.join('\n'));
		assert.equal(logs.at(-1), 'stopped cleanly');
	});

	test('after a restart the data is intact', async () => {
		srv = await startServer({ dir, demo: false, accounts });
		const h = await srv.api('GET', '/healthz');
		assert.equal(h.status, 200);
		assert.ok(h.json.grids >= 134);
		const s = await srv.login('before.stop', GOOD_PASSWORD);
		assert.equal(s.user.org, '330108001');
		assert.equal((await srv.login('admin')).user.username, 'admin');
		const users = await srv.api('GET', '/api/v1/users', { as: 'admin' });
		assert.equal(users.json.total, 19, '17 demo users and the two made before the stop');
		const tree = await srv.api('GET', '/api/v1/orgs?depth=2', { as: 'admin' });
		assert.equal(tree.json.items.filter((o) => o.kind === 'community').length, 67);
	});

	test('SIGINT exits 0 as well', async () => {
		await srv.stop({ signal: 'SIGINT' });
		const logs = srv.logs().map((l) => l.msg).filter(Boolean);
		assert.ok(logs.includes('signal 2: finishing in-flight requests'), logs.join('\n'));
		srv = await startServer({ dir, demo: false, accounts });
		assert.equal((await srv.api('GET', '/healthz')).status, 200);
	});

	test('a second server on a port in use fails instead of sharing it', {
	}, async () => {
		const other = await tempDir();
		const second = new Server({ dir: other, ownDir: true, accounts: {}, env: {}, args: [] });
		second.start = async function () { /* like Server.start, on a fixed port */
			this.proc = spawn(BIN, ['--db', path.join(other, 'p.db'), '--listen',
				`127.0.0.1:${srv.port}`, 'serve'], { env: childEnv(), cwd: other });
			this.exited = new Promise((r) => this.proc.on('exit', (code, signal) => {
				this.exit = { code, signal };
				r(this.exit);
			}));
			this.closed = new Promise((r) => this.proc.on('close', r));
			this.proc.stderr.setEncoding('utf8').on('data', (d) => { this.stderr += d; });
			this.proc.stdout.setEncoding('utf8').on('data', (d) => { this.stdout += d; });
		};
		await second.start();
		const outcome = await Promise.race([second.exited, new Promise((r) => {
			const timer = setTimeout(() => r('still running'), 5000);
			second.proc.stdout.on('data', () => {
				if (second.stdout.includes('listening on')) {
					clearTimeout(timer);
					r('still running');
				}
			});
		})]);
		if (outcome === 'still running') {
			await second.stop();
			assert.fail(`a second server is listening on port ${srv.port} too:\n${second.stdout}`);
		}
		await removeDir(other);
		assert.deepStrictEqual(outcome, { code: 1, signal: null });
		assert.match(second.stderr, /cannot listen on '127\.0\.0\.1:\d+'/);
	});
});

describe('settings', () => {
	let dir;
	before(async () => {
		dir = await tempDir();
	});
	after(async () => {
		await removeDir(dir);
	});
	const pc = (args, env = {}) => cli([...args], { env, cwd: dir });
	const line = (out, name) => {
		const m = new RegExp(`^${name} +=\\s+(\\S+)\\s+# (\\w+); .+$`, 'm').exec(out);
		assert.ok(m, `no line for ${name} in:\n${out}`);
		return { value: m[1], source: m[2] };
	};

	test('serve --print-config lists every setting with its value and source', async () => {
		const r = await pc(['--listen', '127.0.0.1:9999', 'serve', '--print-config']);
		assert.equal(r.code, 0, r.stderr);
		assert.deepStrictEqual(line(r.stdout, 'listen'), { value: '"127.0.0.1:9999"', source: 'flag' });
		assert.deepStrictEqual(line(r.stdout, 'db'), { value: '"data/pingan.db"', source: 'default' });
		assert.deepStrictEqual(line(r.stdout, 'threads'), { value: '16', source: 'default' });
		assert.deepStrictEqual(line(r.stdout, 'access_log'), { value: 'true', source: 'default' });
		assert.deepStrictEqual(line(r.stdout, 'pbkdf2_iterations'), { value: '1000', source: 'env' });
		for (const name of ['readers', 'max_body', 'session_idle_minutes', 'lockout_threshold',
			'ip_fail_limit', 'log_level', 'password_scheme'])
			line(r.stdout, name);
		assert.equal(r.stderr, '', 'print-config touches no database');
	});

	test('flags work after the subcommand and as --name=value', async () => {
		const r = await pc(['serve', '--print-config', '--listen=127.0.0.1:9998', '--db', 'x/y.db']);
		assert.equal(r.code, 0, r.stderr);
		assert.deepStrictEqual(line(r.stdout, 'listen'), { value: '"127.0.0.1:9998"', source: 'flag' });
		assert.deepStrictEqual(line(r.stdout, 'db'), { value: '"x/y.db"', source: 'flag' });
	});

	test('PINGAN_THREADS=3 shows source env', async () => {
		const r = await pc(['serve', '--print-config'], { PINGAN_THREADS: 3 });
		assert.equal(r.code, 0, r.stderr);
		assert.deepStrictEqual(line(r.stdout, 'threads'), { value: '3', source: 'env' });
	});

	test('a --config file value shows source file; env beats file, flag beats env', async () => {
		const file = path.join(dir, 'pingan.conf');
		await writeFile(file, '# settings\n\nthreads = 5\ndb = "/srv/pingan/p.db"\nlisten=127.0.0.1:7000\n');
		const f = await pc(['--config', file, 'serve', '--print-config']);
		assert.equal(f.code, 0, f.stderr);
		assert.deepStrictEqual(line(f.stdout, 'threads'), { value: '5', source: 'file' });
		assert.deepStrictEqual(line(f.stdout, 'db'), { value: '"/srv/pingan/p.db"', source: 'file' });
		assert.deepStrictEqual(line(f.stdout, 'listen'), { value: '"127.0.0.1:7000"', source: 'file' });
		const e = await pc(['--config', file, 'serve', '--print-config'], { PINGAN_THREADS: 3 });
		assert.deepStrictEqual(line(e.stdout, 'threads'), { value: '3', source: 'env' });
		const g = await pc(['--config', file, '--threads', '7', 'serve', '--print-config'], { PINGAN_THREADS: 3 });
		assert.deepStrictEqual(line(g.stdout, 'threads'), { value: '7', source: 'flag' });
		const eq = await pc([`--config=${file}`, 'serve', '--print-config']);
		assert.equal(eq.code, 0, eq.stderr);
		assert.deepStrictEqual(line(eq.stdout, 'threads'), { value: '5', source: 'file' });
		assert.deepStrictEqual(line(eq.stdout, 'config_file'), { value: `"${file}"`, source: 'flag' });
	});

	const bad = [
		{ name: 'PINGAN_THREADS=abc', args: [], env: { PINGAN_THREADS: 'abc' },
			msg: /setting 'threads' wants an integer in \[1, 256\], not 'abc'/ },
		{ name: '--threads 0', args: ['--threads', '0'], msg: /setting 'threads' wants an integer/ },
		{ name: '--threads 1x', args: ['--threads', '1x'], msg: /not '1x'/ },
		{ name: 'PINGAN_ACCESS_LOG=maybe', args: [], env: { PINGAN_ACCESS_LOG: 'maybe' },
			msg: /setting 'access_log' wants true or false, not 'maybe'/ },
		{ name: 'PINGAN_LOG_LEVEL=loud', args: [], env: { PINGAN_LOG_LEVEL: 'loud' },
			msg: /log_level must be debug, info, warn or error/ },
		{ name: '--max-body 10', args: ['--max-body', '10'], msg: /setting 'max_body' wants an integer in \[1024,/ },
		{ name: 'a flag without its value', args: ['serve', '--print-config', '--threads'],
			msg: /option '--threads' needs a value/, noServe: true },
		{ name: 'a missing --config file', args: ['--config', '/nonexistent/pingan.conf'],
			msg: /cannot open settings file '\/nonexistent\/pingan\.conf'/ },
		{ name: 'an unknown setting in the file', file: 'threads = 2\nbogus = 1\n',
			msg: /pingan\.conf:2: unknown setting 'bogus'/ },
		{ name: 'a line without = in the file', file: 'threads 2\n', msg: /pingan\.conf:1: expected 'name = value'/ },
		{ name: 'a line longer than the reader takes', file: `threads = 2\nlisten = "${'x'.repeat(5000)}"\n`,
			msg: /pingan\.conf:2: line too long/ },
	];
	for (const c of bad) {
		test(`a bad setting exits 2 with a message: ${c.name}`, async () => {
			let args = c.args ?? [];
			if (c.file) {
				const file = path.join(dir, 'pingan.conf');
				await writeFile(file, c.file);
				args = ['--config', file];
			}
			const r = await pc(c.noServe ? args : [...args, 'serve', '--print-config'], c.env);
			assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
			assert.equal(r.stdout, '');
			assert.match(r.stderr, c.msg);
			assert.match(r.stderr, /^pingan: /);
		});
	}

	test('serve with a bad listen address exits 1 with a message', async () => {
		const r = await pc(['--db', path.join(dir, 'p.db'), '--listen', 'nonsense', 'serve']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /listen address 'nonsense' is not ADDR:PORT/);
	});

	test('unknown arguments and commands are usage errors', async () => {
		const a = await pc(['serve', '--bogus']);
		assert.equal(a.code, 2);
		assert.match(a.stderr, /pingan serve: unknown argument '--bogus'/);
		const b = await pc(['frobnicate']);
		assert.equal(b.code, 2);
		assert.match(b.stderr, /unknown command 'frobnicate'/);
		const c = await pc([]);
		assert.equal(c.code, 2);
		assert.match(c.stderr, /^usage: pingan/);
	});
});
