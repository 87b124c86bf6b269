/*
 * login_totp.test.mjs - second factors: the enrolment-only session, enrolment
 * and confirmation, login with password and code, single use of a code, wrong
 * codes towards the lockout, reset by an administrator, voluntary enrolment,
 * the SM3 profile, and the settings.
 *
 * The harness turns second factors off for every other test file (so they log
 * in as admin or centre with a password alone); this file turns them back on
 * with the default roles (admin, security_admin, centre).
 *
 * Codes are computed here, not by the code under test: SHA-1 with Node's
 * createHmac (checked first against RFC 6238 appendix B), SM3 with an HMAC
 * written out over Node's createHash('sm3') (RFC 2104), and RFC 4226's
 * truncation written out below.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, getHashes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { assertError, assertSubset, cli, GOOD_PASSWORD, startServer, tempDir, removeDir }
	from './harness.mjs';

const LOGIN = '/api/v1/auth/login';

/* ---- an independent TOTP ------------------------------------------------ */

function b32decode(s) {
	const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0, val = 0;
	const out = [];
	for (const c of s.replace(/=+$/, '')) {
		val = (val << 5) | A.indexOf(c);
		bits += 5;
		if (bits >= 8) {
			out.push((val >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

function hmacSm3(key, msg) {
	const B = 64;
	let k = key.length > B ? createHash('sm3').update(key).digest() : key;
	k = Buffer.concat([k, Buffer.alloc(B - k.length)]);
	const ipad = Buffer.from(k.map((x) => x ^ 0x36)), opad = Buffer.from(k.map((x) => x ^ 0x5c));
	const inner = createHash('sm3').update(ipad).update(msg).digest();
	return createHash('sm3').update(opad).update(inner).digest();
}

function hotp(alg, key, counter, digits = 6) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(counter));
	const mac = alg === 'sm3' ? hmacSm3(key, msg) : createHmac('sha1', key).update(msg).digest();
	const off = mac[mac.length - 1] & 0x0f;
	const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
	return String(bin % 10 ** digits).padStart(digits, '0');
}

const totp = (alg, secret, t = Date.now() / 1000) => hotp(alg, b32decode(secret), Math.floor(t / 30));

/* A six-digit code that is none of the codes of the steps around now. */
function wrongCode(alg, secret) {
	const near = new Set([-60, -30, 0, 30, 60].map((d) => totp(alg, secret, Date.now() / 1000 + d)));
	for (let i = 0; ; i++) {
		const c = String((123456 + i * 7919) % 1000000).padStart(6, '0');
		if (!near.has(c))
			return c;
	}
}

test('the test computes RFC 6238 appendix B (SHA-1, 8 digits)', () => {
	const seed = Buffer.from('12345678901234567890');
	const want = { 59: '94287082', 1111111109: '07081804', 1111111111: '14050471',
		1234567890: '89005924', 2000000000: '69279037', 20000000000: '65353130' };
	for (const [t, code] of Object.entries(want))
		assert.equal(hotp('sha1', seed, Math.floor(Number(t) / 30), 8), code, `T=${t}`);
});

test('this Node has SM3, and the written-out HMAC-SM3 matches createHmac', () => {
	assert.ok(getHashes().includes('sm3'), 'crypto.getHashes() lists sm3');
	const key = Buffer.from('12345678901234567890'), msg = Buffer.from('abc');
	assert.deepEqual(hmacSm3(key, msg), createHmac('sm3', key).update(msg).digest());
	/* GB/T 32905-2016 example 1: SM3("abc") */
	assert.equal(createHash('sm3').update('abc').digest('hex'),
		'66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
});

/* ---- helpers ------------------------------------------------------------ */

function login(srv, username, password, otp, headers = {}) {
	const body = { username, password };
	if (otp !== undefined)
		body.otp = otp;
	return srv.api('POST', LOGIN, { body, headers });
}

/* Logs in into the enrolment-only session, enrols and confirms: {token, secret}. */
async function enrol(srv, username, alg = 'sha1') {
	const res = await login(srv, username, srv.accounts[username]);
	assert.equal(res.status, 200, res.text);
	const token = res.json.token;
	const begin = await srv.api('POST', '/api/v1/me/totp', { token });
	assert.equal(begin.status, 200, begin.text);
	assert.equal(begin.json.algorithm, alg);
	const code = totp(alg, begin.json.secret);
	const conf = await srv.api('POST', '/api/v1/me/totp/confirm', { token, body: { otp: code } });
	assert.equal(conf.status, 200, conf.text);
	return { token, secret: begin.json.secret, code, stageBefore: res.json.stage };
}

/* ---- the default profile (SHA-1) ---------------------------------------- */

describe('second factor, default roles', () => {
	let srv;
	let sec; /* the security administrator, enrolled */
	before(async () => {
		srv = await startServer({ env: { PINGAN_TOTP_ROLES: null, PINGAN_IP_FAIL_LIMIT: 1000000 } });
	});
	after(async () => {
		await srv?.stop();
	});

	test('an admin without a second factor gets a session that may only enrol', async () => {
		const res = await login(srv, 'admin', srv.accounts.admin);
		assert.equal(res.status, 200, res.text);
		assert.equal(res.json.stage, 'totp_enrolment');
		const token = res.json.token;
		const me = await srv.api('GET', '/api/v1/me', { token });
		assert.equal(me.status, 200);
		assertSubset(me.json, { stage: 'totp_enrolment', totp: false });
		for (const [m, p, body] of [['GET', '/api/v1/events'], ['GET', '/api/v1/users'],
			['GET', '/api/v1/orgs'], ['POST', '/api/v1/users', { username: 'x.y', display_name: 'x',
				org: '330108', roles: ['admin'], password: GOOD_PASSWORD }],
			['POST', '/api/v1/test/clock', { advance_s: 1 }], ['GET', '/api/v1/stats/events']])
			assertError(await srv.api(m, p, { token, body }), 403, 'enrolment_required');
		/* it may still log out */
		assert.equal((await srv.api('POST', '/api/v1/auth/logout', { token })).status, 200);
		assertError(await srv.api('GET', '/api/v1/me', { token }), 401, 'unauthenticated');
	});

	test('a role outside totp_roles logs in fully without a code', async () => {
		const res = await login(srv, 'gridworker', srv.accounts.gridworker);
		assert.equal(res.status, 200);
		assert.equal(res.json.stage, 'full');
		assert.equal((await srv.api('GET', '/api/v1/events', { token: res.json.token })).status, 200);
	});

	let admin; /* {token, secret, code} after enrolment */

	test('enrolment: a secret and an otpauth URI, then the first code makes the session full', async () => {
		const res = await login(srv, 'admin', srv.accounts.admin);
		const token = res.json.token;
		const begin = await srv.api('POST', '/api/v1/me/totp', { token });
		assert.equal(begin.status, 200, begin.text);
		assert.deepEqual(Object.keys(begin.json).sort(), ['algorithm', 'digits', 'period', 'secret', 'uri']);
		assertSubset(begin.json, { algorithm: 'sha1', digits: 6, period: 30, secret: /^[A-Z2-7]{32}$/ });
		const secret = begin.json.secret;
		assert.equal(begin.json.uri, `otpauth://totp/Pingan:admin?secret=${secret}&issuer=Pingan` +
			'&algorithm=SHA1&digits=6&period=30');
		/* asking again before confirming replaces the secret */
		const again = await srv.api('POST', '/api/v1/me/totp', { token });
		assert.equal(again.status, 200);
		assert.notEqual(again.json.secret, secret);
		const s2 = again.json.secret;
		assertError(await srv.api('POST', '/api/v1/me/totp/confirm', { token,
			body: { otp: totp('sha1', secret) } }), 400, 'invalid_value');
		assertError(await srv.api('POST', '/api/v1/me/totp/confirm', { token,
			body: { otp: wrongCode('sha1', s2) } }), 400, 'invalid_value');
		assertError(await srv.api('POST', '/api/v1/me/totp/confirm', { token,
			body: { otp: 'abcdef' } }), 400, 'invalid_value');
		assertError(await srv.api('POST', '/api/v1/me/totp/confirm', { token, body: {} }), 400, 'missing_field');
		assertError(await srv.api('GET', '/api/v1/events', { token }), 403, 'enrolment_required');
		const code = totp('sha1', s2);
		const conf = await srv.api('POST', '/api/v1/me/totp/confirm', { token, body: { otp: code } });
		assert.equal(conf.status, 200, conf.text);
		assertSubset(conf.json, { ok: true, stage: 'full' });
		assert.equal((await srv.api('GET', '/api/v1/events', { token })).status, 200);
		assertSubset((await srv.api('GET', '/api/v1/me', { token })).json, { stage: 'full', totp: true });
		admin = { token, secret: s2, code };
	});

	test('the secret is sealed at rest with the key file', async () => {
		const rows = execFileSync('sqlite3', [srv.db, 'SELECT secret FROM user_totp'], { encoding: 'utf8' })
			.trim().split('\n');
		assert.ok(rows.length >= 1);
		for (const r of rows) {
			assert.match(r, /^sealed:01[0-9a-f]+$/, 'sealed with the gm profile');
			assert.ok(!r.includes(admin.secret));
		}
	});

	test('the secret is never shown again', async () => {
		assertError(await srv.api('POST', '/api/v1/me/totp', { token: admin.token }), 409, 'conflict');
		assertError(await srv.api('POST', '/api/v1/me/totp/confirm', { token: admin.token,
			body: { otp: totp('sha1', admin.secret) } }), 409, 'conflict');
		for (const p of ['/api/v1/me', '/api/v1/users', '/api/v1/users?q=admin']) {
			const res = await srv.api('GET', p, { token: admin.token });
			assert.ok(!res.text.includes(admin.secret), `${p} shows the secret`);
		}
	});

	test('with a second factor: no code is 401 otp_required, a wrong code 401 invalid_credentials', async () => {
		const none = await login(srv, 'admin', srv.accounts.admin);
		assertError(none, 401, 'otp_required');
		assert.equal(none.headers.getSetCookie().length, 0, 'no cookie');
		assertError(await login(srv, 'admin', srv.accounts.admin, ''), 401, 'otp_required');
		assertError(await login(srv, 'admin', srv.accounts.admin, wrongCode('sha1', admin.secret)), 401,
			'invalid_credentials');
		assertError(await login(srv, 'admin', 'Not-The-Password-9', totp('sha1', admin.secret)), 401,
			'invalid_credentials');
		assertError(await login(srv, 'admin', srv.accounts.admin, 12345), 400, 'wrong_type');
	});

	test('a code is single-use: the confirming code and a used login code are refused', async () => {
		/* the confirmation used its time step: the same code cannot log in */
		assertError(await login(srv, 'admin', srv.accounts.admin, admin.code), 401, 'invalid_credentials');
		/* the next step's code is inside the drift window and has not been used */
		const next = totp('sha1', admin.secret, Date.now() / 1000 + 30);
		const ok = await login(srv, 'admin', srv.accounts.admin, next);
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.stage, 'full');
		assertError(await login(srv, 'admin', srv.accounts.admin, next), 401, 'invalid_credentials');
		/* nor does an older step pass once a newer one was used */
		assertError(await login(srv, 'admin', srv.accounts.admin, totp('sha1', admin.secret)), 401,
			'invalid_credentials');
		admin.token = ok.json.token;
	});

	test('a security administrator resets a second factor: sessions end, the next login enrols again', async () => {
		const c = await enrol(srv, 'centre');
		/* user administration is the security administrator's (three-way separation) */
		sec = await enrol(srv, 'security');
		const users = (await srv.api('GET', '/api/v1/users', { token: sec.token })).json.items;
		const id = users.find((u) => u.username === 'centre').id;
		const gw = (await login(srv, 'gridworker', srv.accounts.gridworker)).json.token;
		assertError(await srv.api('POST', `/api/v1/users/${id}/totp/reset`, { token: gw }), 403, 'forbidden');
		assert.equal((await srv.api('GET', '/api/v1/me', { token: c.token })).status, 200);
		const res = await srv.api('POST', `/api/v1/users/${id}/totp/reset`, { token: sec.token });
		assert.equal(res.status, 200, res.text);
		assertError(await srv.api('GET', '/api/v1/me', { token: c.token }), 401, 'unauthenticated');
		const again = await login(srv, 'centre', srv.accounts.centre);
		assert.equal(again.status, 200);
		assert.equal(again.json.stage, 'totp_enrolment');
		assertError(await srv.api('POST', `/api/v1/users/${id}/totp/reset`, { token: sec.token }), 409,
			'conflict');
		const adminId = users.find((u) => u.username === 'admin').id;
		assertError(await srv.api('POST', `/api/v1/users/${adminId}/totp/reset`, { token: sec.token }), 403,
			'forbidden');
		for (const bad of ['999999', '0', 'abc'])
			assertError(await srv.api('POST', `/api/v1/users/${bad}/totp/reset`, { token: sec.token }), 404,
				'not_found');
	});

	test('wrong codes count towards the lockout like wrong passwords', async () => {
		/* enrolled in the test before */
		assert.equal(sec.stageBefore, 'totp_enrolment');
		await srv.api('POST', '/api/v1/auth/logout', { token: sec.token });
		const bad = wrongCode('sha1', sec.secret);
		for (let i = 1; i <= 4; i++)
			assertError(await login(srv, 'security', srv.accounts.security, bad), 401, 'invalid_credentials');
		const fifth = await login(srv, 'security', srv.accounts.security, bad);
		assertError(fifth, 423, 'account_locked');
		assert.ok(Number(fifth.headers.get('retry-after')) > 0);
		const right = totp('sha1', sec.secret, Date.now() / 1000 + 30);
		assertError(await login(srv, 'security', srv.accounts.security, right), 423, 'account_locked');
	});

	test('anyone may enrol; then the code is required at every login', async () => {
		const res = await login(srv, 'leader', srv.accounts.leader);
		assert.equal(res.json.stage, 'full');
		const begin = await srv.api('POST', '/api/v1/me/totp', { token: res.json.token });
		assert.equal(begin.status, 200);
		assert.equal((await srv.api('POST', '/api/v1/me/totp/confirm', { token: res.json.token,
			body: { otp: totp('sha1', begin.json.secret) } })).status, 200);
		assertError(await login(srv, 'leader', srv.accounts.leader), 401, 'otp_required');
		const next = totp('sha1', begin.json.secret, Date.now() / 1000 + 30);
		assert.equal((await login(srv, 'leader', srv.accounts.leader, next)).status, 200);
	});

	test('`pingan user totp-reset` removes a lost factor from the command line', async () => {
		const r = await cli(['--db', srv.db, 'user', 'totp-reset', 'leader'], { cwd: srv.dir });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /second factor removed/);
		/* recorded in the audit log like every change of a user */
		const rows = execFileSync('sqlite3', [srv.db,
			"SELECT count(*) FROM audit_log WHERE action = 'totp.reset' AND detail LIKE '%leader%'"])
			.toString().trim();
		assert.equal(rows, '1');
		const res = await login(srv, 'leader', srv.accounts.leader);
		assert.equal(res.status, 200);
		assert.equal(res.json.stage, 'full', 'leader is not in totp_roles: no enrolment needed');
		const again = await cli(['--db', srv.db, 'user', 'totp-reset', 'leader'], { cwd: srv.dir });
		assert.equal(again.code, 1);
		assert.match(again.stderr, /no second factor/);
	});

	test('a login from another site is refused (login CSRF)', async () => {
		const res = await login(srv, 'gridworker', srv.accounts.gridworker, undefined,
			{ origin: 'https://evil.example' });
		assertError(res, 403, 'forbidden');
		assert.equal(res.headers.getSetCookie().length, 0);
		assertError(await login(srv, 'gridworker', srv.accounts.gridworker, undefined,
			{ 'sec-fetch-site': 'cross-site' }), 403, 'forbidden');
		assert.equal((await login(srv, 'gridworker', srv.accounts.gridworker, undefined,
			{ origin: `http://127.0.0.1:${srv.port}`, 'sec-fetch-site': 'same-origin' })).status, 200);
	});
});

/* ---- the national profile (SM3) ----------------------------------------- */

describe('second factor with SM3', () => {
	let srv;
	before(async () => {
		srv = await startServer({ env: { PINGAN_TOTP_ROLES: 'centre', PINGAN_TOTP_ALGORITHM: 'sm3' } });
	});
	after(async () => {
		await srv?.stop();
	});

	test('enrolment announces SM3 and only HMAC-SM3 codes pass', async () => {
		const res = await login(srv, 'street.centre', srv.accounts['street.centre']);
		assert.equal(res.json.stage, 'totp_enrolment');
		const token = res.json.token;
		const begin = await srv.api('POST', '/api/v1/me/totp', { token });
		assertSubset(begin.json, { algorithm: 'sm3', uri: /&algorithm=SM3&/ });
		const secret = begin.json.secret;
		const sha1 = totp('sha1', secret), sm3 = totp('sm3', secret);
		if (sha1 !== sm3)
			assertError(await srv.api('POST', '/api/v1/me/totp/confirm', { token, body: { otp: sha1 } }), 400,
				'invalid_value');
		assert.equal((await srv.api('POST', '/api/v1/me/totp/confirm', { token, body: { otp: sm3 } })).status,
			200);
		const next = totp('sm3', secret, Date.now() / 1000 + 30);
		const ok = await login(srv, 'street.centre', srv.accounts['street.centre'], next);
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.stage, 'full');
	});

	test('totp_roles is a setting: admin is not in it here', async () => {
		const res = await login(srv, 'admin', srv.accounts.admin);
		assert.equal(res.json.stage, 'full');
	});
});

describe('login settings are checked at start', () => {
	let dir;
	before(async () => {
		dir = await tempDir();
	});
	after(async () => {
		await removeDir(dir);
	});
	for (const [env, msg] of [[{ PINGAN_TOTP_ROLES: 'admin,wizard' }, /totp_roles.*wizard/],
		[{ PINGAN_TOTP_ALGORITHM: 'md5' }, /totp_algorithm/],
		[{ PINGAN_PASSWORD_BLOCKLIST: '/nonexistent/list.txt' }, /blocklist/]]) {
		test(`serve refuses ${JSON.stringify(env)}`, async () => {
			const r = await cli(['--db', `${dir}/p.db`, '--listen', '127.0.0.1:0', 'serve'], { env, cwd: dir });
			assert.equal(r.code, 1);
			assert.match(r.stderr, msg);
		});
	}
});
