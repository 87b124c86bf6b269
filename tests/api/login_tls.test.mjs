/*
 * login_tls.test.mjs - the HTTPS listener (tls_cert_file, tls_key_file) with
 * a self-signed certificate made here by `openssl req`: TLS 1.2+ only, HSTS
 * and the other security headers, a Secure session cookie, no plain HTTP on
 * the TLS port, and refusal to start on a missing or mismatched key.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertErrorBody, cli, rawRequest, removeDir, startServer, tempDir } from './harness.mjs';

let dir, cert, key, srv;

function makeCert(name) {
	const c = path.join(dir, `${name}.crt`), k = path.join(dir, `${name}.key`);
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
		'-nodes', '-keyout', k, '-out', c, '-days', '2', '-subj', '/CN=127.0.0.1',
		'-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
	return { cert: c, key: k };
}

/* One HTTPS request trusting only our certificate: {status, headers, json, text, protocol}. */
function request(method, p, { body, headers = {} } = {}) {
	return new Promise((resolve, reject) => {
		const h = { ...headers };
		let payload;
		if (body !== undefined) {
			payload = JSON.stringify(body);
			h['content-type'] = 'application/json';
		}
		const req = https.request({ host: '127.0.0.1', port: srv.port, method, path: p, headers: h,
			ca: readFileSync(cert), agent: false }, (res) => {
			const protocol = res.socket.getProtocol();
			const parts = [];
			res.on('data', (d) => parts.push(d));
			res.on('end', () => {
				const text = Buffer.concat(parts).toString('utf8');
				let json = null;
				try {
					json = JSON.parse(text);
				} catch { /* not JSON */ }
				resolve({ status: res.statusCode, headers: res.headers, text, json, protocol });
			});
		});
		req.on('error', reject);
		req.end(payload);
	});
}

before(async () => {
	dir = await tempDir('pingan-tls-');
	({ cert, key } = makeCert('server'));
	srv = await startServer({ args: ['--tls-cert-file', cert, '--tls-key-file', key] });
});
after(async () => {
	await srv?.stop();
	await removeDir(dir);
});

describe('HTTPS', () => {
	test('the server says https and answers over TLS 1.2 or 1.3 with a trusted certificate', async () => {
		assert.equal(srv.scheme, 'https');
		const res = await request('GET', '/healthz');
		assert.equal(res.status, 200);
		assert.equal(res.json.status, 'ok');
		assert.match(res.protocol, /^TLSv1\.[23]$/);
	});

	test('every answer carries HSTS and the security headers', async () => {
		for (const [m, p] of [['GET', '/healthz'], ['GET', '/api/v1/me'], ['GET', '/nope']]) {
			const res = await request(m, p);
			assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', p);
			assert.equal(res.headers['x-content-type-options'], 'nosniff');
			assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/);
			assert.equal(res.headers.server, undefined);
		}
	});

	test('the session cookie is Secure over HTTPS, and logout clears it the same way', async () => {
		const res = await request('POST', '/api/v1/auth/login', { body: { username: 'leader',
			password: srv.accounts.leader } });
		assert.equal(res.status, 200, res.text);
		assert.match(res.headers['set-cookie'][0], /; HttpOnly; SameSite=Strict; Secure$/);
		const out = await request('POST', '/api/v1/auth/logout', { headers: {
			authorization: `Bearer ${res.json.token}` } });
		assert.equal(out.status, 200);
		assert.match(out.headers['set-cookie'][0], /Max-Age=0; HttpOnly; SameSite=Strict; Secure$/);
		const me = await request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${res.json.token}` } });
		assert.equal(me.status, 401);
		assertErrorBody({ ...me, headers: new Headers({ 'content-type': me.headers['content-type'] }) },
			'unauthenticated');
	});

	test('plain HTTP on the TLS port gets no HTTP answer', async () => {
		let answered = null;
		try {
			const res = await rawRequest(`http://127.0.0.1:${srv.port}`, { path: '/healthz', timeout: 5000 });
			answered = res.status;
		} catch {
			/* refused: the expected outcome */
		}
		assert.ok(answered === null || answered >= 400, `plain HTTP answered ${answered}`);
		assert.notEqual(answered, 200);
	});

	test('a certificate we do not trust is refused by the client (the check is real)', async () => {
		const other = makeCert('other');
		await assert.rejects(new Promise((resolve, reject) => {
			https.get({ host: '127.0.0.1', port: srv.port, path: '/healthz', ca: readFileSync(other.cert),
				agent: false }, resolve).on('error', reject);
		}));
	});
});

describe('TLS settings are checked at start', () => {
	test('a key that does not match, a missing key file, or a certificate alone: serve exits 1', async () => {
		const other = makeCert('mismatch');
		/* a copy beside the running server's database (same key files): the
		 * database itself is locked by that server */
		const copy = path.join(path.dirname(srv.db), 'tls-copy.db');
		const b = await cli(['--db', srv.db, 'backup', copy], { cwd: dir });
		assert.equal(b.code, 0, b.stderr);
		const garbage = path.join(dir, 'garbage.pem');
		writeFileSync(garbage, '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n');
		for (const flags of [['--tls-cert-file', cert, '--tls-key-file', other.key],
			['--tls-cert-file', cert, '--tls-key-file', garbage],
			['--tls-cert-file', cert, '--tls-key-file', path.join(dir, 'none.pem')],
			['--tls-cert-file', cert]]) {
			const r = await cli(['--db', copy, '--listen', '127.0.0.1:0', ...flags, 'serve'], { cwd: dir });
			assert.equal(r.code, 1, `${flags.join(' ')}: ${r.stderr}`);
			assert.match(r.stderr, /TLS|tls/);
		}
	});
});
