/*
 * auth.test.mjs - login, sessions (token and cookie), logout, equal answers
 * for unknown users and wrong passwords, lockout, per-address throttling,
 * password change, disabling users, and cross-site requests.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';

import { assertError, assertErrorBody, assertSubset, cli, FIXTURES, GOOD_PASSWORD,
	startServer } from './harness.mjs';

const LOGIN = '/api/v1/auth/login';
const LOGOUT = '/api/v1/auth/logout';

let srv;
before(async () => {
	/* a hash costs ~10-40 ms here, so the timing comparison means something;
	 * the address limit is out of the way (throttling has its own server) */
	srv = await startServer({ env: { PINGAN_PBKDF2_ITERATIONS: 20000, PINGAN_IP_FAIL_LIMIT: 1000000 } });
});
after(async () => {
	await srv?.stop();
});

const login = (username, password, opts = {}) =>
	srv.api('POST', LOGIN, { body: { username, password }, ...opts });

/* Creates a user through the API as the security administrator: {id, username, password}. */
async function addUser(username, roles = ['leader'], org = '330108') {
	const res = await srv.api('POST', '/api/v1/users', { as: 'security',
		body: { username, display_name: username, org, roles, password: GOOD_PASSWORD } });
	assert.equal(res.status, 201, res.text);
	srv.accounts[username] = GOOD_PASSWORD;
	return { id: res.json.id, username, password: GOOD_PASSWORD };
}

async function userRow(username) {
	const res = await srv.api('GET', '/api/v1/users', { as: 'admin' });
	assert.equal(res.status, 200);
	return res.json.items.find((u) => u.username === username);
}

describe('login and sessions', () => {
	test('login returns a token and the user, and sets an HttpOnly SameSite=Strict cookie', async () => {
		const t0 = Math.floor(Date.now() / 1000);
		const res = await login('admin', srv.accounts.admin);
		assert.equal(res.status, 200, res.text);
		assert.deepStrictEqual(Object.keys(res.json).sort(), ['expires_at', 'stage', 'token', 'user']);
		assertSubset(res.json, {
			stage: 'full',
			token: /^[0-9a-f]{32}$/,
			expires_at: (v) => Number.isInteger(v) && Math.abs(v - (t0 + 12 * 3600)) <= 5,
			user: { id: (v) => Number.isInteger(v) && v > 0, username: 'admin', display_name: '系统管理员',
				org: '330108', org_kind: 'district', roles: ['admin'] },
		});
		const cookies = res.headers.getSetCookie();
		assert.equal(cookies.length, 1);
		const m = /^pingan_session=([0-9a-f]{32}); Path=\/; Max-Age=(\d+); HttpOnly; SameSite=Strict$/
			.exec(cookies[0]);
		assert.ok(m, cookies[0]);
		assert.equal(m[1], res.json.token);
		assert.ok(Math.abs(Number(m[2]) - 12 * 3600) <= 5, `Max-Age ${m[2]}`);
	});

	test('every login is a new session', async () => {
		const a = await srv.login('leader'), b = await srv.login('leader');
		assert.notEqual(a.token, b.token);
		assert.equal((await srv.api('GET', '/api/v1/me', { token: a.token })).status, 200);
		assert.equal((await srv.api('GET', '/api/v1/me', { token: b.token })).status, 200);
	});

	test('the cookie alone authenticates GET /api/v1/me', async () => {
		const { cookie } = await srv.login('handler');
		const res = await srv.api('GET', '/api/v1/me', { cookie });
		assert.equal(res.status, 200, res.text);
		assertSubset(res.json, { username: 'handler', display_name: '执法局处置员', org: '330108D01',
			org_kind: 'department', org_name: '滨江区综合行政执法局', roles: ['handler'], scope: '330108',
			session_expires_at: (v) => Number.isInteger(v) });
	});

	test('the bearer token authenticates and wins over a cookie', async () => {
		const leader = await srv.login('leader'), admin = await srv.login('admin');
		const res = await srv.api('GET', '/api/v1/me', { token: leader.token });
		assert.equal(res.status, 200);
		assert.equal(res.json.username, 'leader');
		assert.deepStrictEqual(Object.keys(res.json).sort(), ['display_name', 'id', 'org', 'org_kind',
			'org_name', 'pii_reveal', 'roles', 'scope', 'session_expires_at', 'stage', 'totp', 'username']);
		assert.equal(res.json.stage, 'full');
		assert.equal(res.json.pii_reveal, false, 'a leader may not read personal data in the clear');
		assert.equal(res.json.totp, false);
		assert.equal(res.json.server, undefined, 'no version for a leader');
		const both = await srv.api('GET', '/api/v1/me', { token: leader.token, cookie: admin.cookie });
		assert.equal(both.json.username, 'leader');
	});

	test('a token is exact: the same digits in upper case are not a session', async () => {
		const { token } = await srv.login('leader');
		assertError(await srv.api('GET', '/api/v1/me', { token: token.toUpperCase() }), 401,
			'unauthenticated');
	});

	test('logout ends that session only and clears the cookie', async () => {
		const a = await srv.login('centre'), b = await srv.login('centre');
		const res = await srv.api('POST', LOGOUT, { token: a.token });
		assert.equal(res.status, 200, res.text);
		assert.deepStrictEqual(res.json, { ok: true });
		assert.deepStrictEqual(res.headers.getSetCookie(),
			['pingan_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict']);
		assertError(await srv.api('GET', '/api/v1/me', { token: a.token }), 401, 'unauthenticated');
		assertError(await srv.api('GET', '/api/v1/me', { cookie: a.cookie }), 401, 'unauthenticated');
		assertError(await srv.api('POST', LOGOUT, { token: a.token }), 401, 'unauthenticated');
		assert.equal((await srv.api('GET', '/api/v1/me', { token: b.token })).status, 200);
	});

	test('a failed login sets no cookie', async () => {
		const res = await login('admin', 'Wrong-Password-1');
		assertError(res, 401, 'invalid_credentials');
		assert.deepStrictEqual(res.headers.getSetCookie(), []);
	});
});

describe('unknown user and wrong password look the same', () => {
	test('same status and the same body', async () => {
		const unknown = await login('no.such.user', 'Some-Password-1');
		const wrong = await login('leader', 'Some-Password-1');
		assertError(unknown, 401, 'invalid_credentials');
		assertError(wrong, 401, 'invalid_credentials');
		assert.deepStrictEqual(unknown.json, wrong.json);
		assert.equal(unknown.headers.get('retry-after'), null);
		assert.equal(wrong.headers.get('retry-after'), null);
	});

	test('and take about the same time (medians of 5 within a factor of 3)', async () => {
		const u = await addUser('timing.user');
		const time = async (username, password) => {
			const t0 = performance.now();
			const res = await login(username, password);
			const ms = performance.now() - t0;
			assert.equal(res.status, 401, res.text);
			return ms;
		};
		const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
		const unknown = [], wrong = [], cheap = [];
		await time('warm.up.user', 'Some-Password-1');
		for (let i = 0; i < 5; i++) {
			unknown.push(await time(`nobody.${i}`, 'Some-Password-1'));
			wrong.push(await time(u.username, `Wrong-Password-${i}`));
			const t0 = performance.now();
			await srv.api('GET', '/healthz');
			cheap.push(performance.now() - t0);
			if (i % 2 === 1) /* reset the failure count before it locks the account */
				assert.equal((await login(u.username, u.password)).status, 200);
		}
		const mu = median(unknown), mw = median(wrong), mc = median(cheap);
		const ratio = mu / mw;
		assert.ok(mw > 3 * mc, `a wrong password (${mw.toFixed(1)} ms) must cost a hash, ` +
			`well over a plain request (${mc.toFixed(1)} ms)`);
		assert.ok(ratio > 0.3 && ratio < 3, `unknown user ${mu.toFixed(1)} ms vs wrong password ` +
			`${mw.toFixed(1)} ms: ratio ${ratio.toFixed(2)}`);
	});
});

describe('account lockout', () => {
	test('5 wrong passwords lock the account: 423 with Retry-After, the right password refused', async () => {
		const u = await addUser('lock.user');
		const statuses = [];
		let locked;
		for (let i = 0; i < 6; i++) {
			const res = await login(u.username, `Wrong-Password-${i}`);
			statuses.push(res.status);
			if (res.status === 423 && !locked)
				locked = res;
		}
		const first = statuses.indexOf(423);
		assert.ok(first === 4 || first === 5, `statuses ${statuses}`);
		assert.deepStrictEqual(statuses.slice(0, first), Array(first).fill(401), `statuses ${statuses}`);
		assert.deepStrictEqual(statuses.slice(first), Array(6 - first).fill(423), `statuses ${statuses}`);
		assertErrorBody(locked, 'account_locked');
		const retry = Number(locked.headers.get('retry-after'));
		assert.ok(Number.isInteger(retry) && retry > 0 && retry <= 15 * 60, `Retry-After ${retry}`);
		const right = await login(u.username, u.password);
		assertError(right, 423, 'account_locked');
		assert.deepStrictEqual(right.headers.getSetCookie(), []);
		assertSubset(await userRow(u.username), { locked: true, disabled: false });
	});

	test('an unknown user is never "locked": it stays 401', async () => {
		for (let i = 0; i < 7; i++)
			assertError(await login('ghost.user', `Wrong-Password-${i}`), 401, 'invalid_credentials');
	});

	test('a successful login resets the count of failures', async () => {
		const u = await addUser('reset.user');
		for (let round = 0; round < 2; round++) {
			for (let i = 0; i < 4; i++)
				assertError(await login(u.username, `Wrong-Password-${i}`), 401, 'invalid_credentials');
			assert.equal((await login(u.username, u.password)).status, 200, `round ${round}`);
		}
		assertSubset(await userRow(u.username), { locked: false });
	});

	test('`pingan user passwd` unlocks a locked account', async () => {
		const u = await addUser('unlock.user');
		for (let i = 0; i < 5; i++)
			await login(u.username, `Wrong-Password-${i}`);
		assertError(await login(u.username, u.password), 423, 'account_locked');
		const pw = 'Fresh-Horse-44z';
		const r = await cli(['--db', srv.db, 'user', 'passwd', u.username, '--password-stdin'],
			{ input: `${pw}\n` });
		assert.equal(r.code, 0, r.stderr);
		assert.equal((await login(u.username, pw)).status, 200);
	});
});

describe('per-address throttling', () => {
	let thr;
	before(async () => {
		thr = await startServer({ demo: false, env: { PINGAN_IP_FAIL_LIMIT: 8 },
			setup: async ({ cli: run }) => {
				const imp = await run(['import', 'divisions', `${FIXTURES}/divisions-good.csv`]);
				assert.equal(imp.code, 0, imp.stderr);
				const add = await run(['user', 'add', 'thr.user', '--org', '330108', '--roles', 'leader',
					'--password-stdin'], { input: `${GOOD_PASSWORD}\n` });
				assert.equal(add.code, 0, add.stderr);
			} });
	});
	after(async () => {
		await thr?.stop();
	});
	const attempt = (password, localAddress = '127.0.0.1', username = 'nobody.here') =>
		thr.request({ method: 'POST', path: LOGIN, localAddress,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ username, password }) });

	test('the 9th failure from one address is 429 with Retry-After; the right password too', async () => {
		const ok = await attempt(GOOD_PASSWORD, '127.0.0.1', 'thr.user');
		assert.equal(ok.status, 200, 'a success does not count');
		for (let i = 1; i <= 8; i++)
			assertError(await attempt(`Wrong-${i}`), 401, 'invalid_credentials');
		const ninth = await attempt('Wrong-9');
		assertError(ninth, 429, 'too_many_requests');
		assert.equal(ninth.headers.get('retry-after'), '300');
		assertError(await attempt(GOOD_PASSWORD, '127.0.0.1', 'thr.user'), 429, 'too_many_requests');
		/* audited: every failure, and the window's first refusal only (a flood of refused
		 * attempts cannot flood the audit log) */
		const q = (w) => spawnSync('sqlite3', [thr.db, `SELECT count(*) FROM audit_log WHERE ${w}`],
			{ encoding: 'utf8' }).stdout.trim();
		assert.equal(q("action = 'login' AND outcome = 'failed'"), '8');
		assert.equal(q("action = 'login' AND outcome = 'throttled' AND ip = '127.0.0.1'"), '1');
	});

	test('another address is not throttled', async () => {
		const res = await attempt(GOOD_PASSWORD, '127.0.0.2', 'thr.user');
		assert.equal(res.status, 200, res.text);
		assertError(await attempt('Wrong-1', '127.0.0.2'), 401, 'invalid_credentials');
		const line = await thr.waitForLog((l) => l.type === 'access' && l.ip === '127.0.0.2');
		assert.equal(line.path, LOGIN);
	});

	test('other endpoints are not throttled', async () => {
		const res = await thr.request({ method: 'GET', path: '/healthz' });
		assert.equal(res.status, 200);
	});
});

describe('password change', () => {
	const CHANGE = '/api/v1/me/password';
	let u, s1, s2;
	before(async () => {
		u = await addUser('pw.user');
		s1 = await srv.login(u.username);
		s2 = await srv.login(u.username);
	});

	const policy = [
		{ name: 'a wrong current password', old: () => 'Not-The-Password-1', new: 'New-Horse-45a',
			msg: /current password is wrong/ },
		{ name: 'fewer than 12 characters', new: 'Sh0rt-Pass', msg: /at least 12 characters/ },
		{ name: 'two classes of characters', new: 'lowercase12345', msg: /three of/ },
		{ name: 'more than 128 bytes', new: `Aa1-${'x'.repeat(125)}`, msg: /128 bytes/ },
		{ name: '12 bytes but 4 characters', new: '密码密码', msg: /at least 12 characters/ },
		{ name: 'the same as the current one', new: GOOD_PASSWORD, msg: /differ/ },
	];
	for (const c of policy) {
		test(`refused with 400 invalid_value: ${c.name}`, async () => {
			const res = await srv.api('POST', CHANGE, { token: s1.token,
				body: { old_password: c.old ? c.old() : u.password, new_password: c.new } });
			assertError(res, 400, 'invalid_value');
			assert.match(res.json.error.message, c.msg);
			assert.equal((await srv.api('GET', '/api/v1/me', { token: s1.token })).status, 200,
				'a refused change ends no session');
		});
	}

	test('a good change ends every session; only the new password works', async () => {
		const pw = 'New-Horse-45a';
		const res = await srv.api('POST', CHANGE, { token: s1.token,
			body: { old_password: u.password, new_password: pw } });
		assert.equal(res.status, 200, res.text);
		assert.deepStrictEqual(res.json, { ok: true });
		assertError(await srv.api('GET', '/api/v1/me', { token: s1.token }), 401, 'unauthenticated');
		assertError(await srv.api('GET', '/api/v1/me', { token: s2.token }), 401, 'unauthenticated');
		assertError(await login(u.username, u.password), 401, 'invalid_credentials');
		const fresh = await login(u.username, pw);
		assert.equal(fresh.status, 200);
		assert.equal((await srv.api('GET', '/api/v1/me', { token: fresh.json.token })).status, 200);
	});
});

describe('disabling users', () => {
	test('a disabled user cannot log in and its sessions end', async () => {
		const u = await addUser('dis.user');
		const s = await srv.login(u.username);
		const res = await srv.api('POST', `/api/v1/users/${u.id}/disable`, { as: 'security' });
		assert.equal(res.status, 200, res.text);
		assert.deepStrictEqual(res.json, { ok: true });
		assertError(await srv.api('GET', '/api/v1/me', { token: s.token }), 401, 'unauthenticated');
		const denied = await login(u.username, u.password);
		assertError(denied, 401, 'invalid_credentials');
		assert.deepStrictEqual(denied.json, (await login('no.such.user', u.password)).json,
			'a disabled account answers like an unknown one');
		assertSubset(await userRow(u.username), { disabled: true });
		const again = await srv.api('POST', `/api/v1/users/${u.id}/disable`, { as: 'security' });
		assert.equal(again.status, 200, 'disabling twice is harmless');
	});

	test('the security administrator cannot disable themselves', async () => {
		const me = await srv.api('GET', '/api/v1/me', { as: 'security' });
		const res = await srv.api('POST', `/api/v1/users/${me.json.id}/disable`, { as: 'security' });
		assertError(res, 403, 'forbidden');
		assert.equal((await srv.api('GET', '/api/v1/me', { as: 'security' })).status, 200);
	});

	test('unknown ids are 404', async () => {
		for (const id of ['999999', '0', '-1', 'abc', '1e3', '9007199254740993'])
			assertError(await srv.api('POST', `/api/v1/users/${id}/disable`, { as: 'security' }), 404,
				'not_found');
	});

	test('only the security administrator may disable (three-way separation)', async () => {
		const target = await userRow('leader');
		for (const who of ['admin', 'leader', 'centre', 'auditor', 'gridworker'])
			assertError(await srv.api('POST', `/api/v1/users/${target.id}/disable`, { as: who }), 403,
				'forbidden');
		assertSubset(await userRow('leader'), { disabled: false });
	});

	test('the security administrator may disable', async () => {
		const u = await addUser('dis2.user');
		const res = await srv.api('POST', `/api/v1/users/${u.id}/disable`, { as: 'security' });
		assert.equal(res.status, 200, res.text);
		assertSubset(await userRow(u.username), { disabled: true });
	});
});

describe('cross-site requests', () => {
	const EVIL = 'https://evil.example';

	test('a cookie POST with a foreign Origin is refused 403 and changes nothing', async () => {
		const s = await srv.login('centre');
		const res = await srv.api('POST', LOGOUT, { cookie: s.cookie, headers: { origin: EVIL } });
		assertError(res, 403, 'forbidden');
		assert.equal((await srv.api('GET', '/api/v1/me', { token: s.token })).status, 200,
			'the session survived');
	});

	test('Origin null and look-alike hosts are foreign too', async () => {
		const s = await srv.login('centre');
		for (const origin of ['null', `http://127.0.0.1:${srv.port}.evil.example`, 'http://127.0.0.1',
			`http://localhost:${srv.port}`, 'garbage'])
			assertError(await srv.api('POST', LOGOUT, { cookie: s.cookie, headers: { origin } }), 403,
				'forbidden');
		assert.equal((await srv.api('GET', '/api/v1/me', { token: s.token })).status, 200);
	});

	test('a cookie password change from a foreign Origin is refused', async () => {
		const u = await addUser('csrf.user');
		const s = await srv.login(u.username);
		const res = await srv.api('POST', '/api/v1/me/password', { cookie: s.cookie,
			headers: { origin: EVIL }, body: { old_password: u.password, new_password: 'Evil-Horse-66q' } });
		assertError(res, 403, 'forbidden');
		assert.equal((await login(u.username, u.password)).status, 200, 'the password is unchanged');
	});

	test('a cookie user disable from a foreign Origin is refused', async () => {
		const u = await addUser('csrf2.user');
		const admin = await srv.login('security');
		const res = await srv.api('POST', `/api/v1/users/${u.id}/disable`, { cookie: admin.cookie,
			headers: { origin: EVIL } });
		assertError(res, 403, 'forbidden');
		assertSubset(await userRow(u.username), { disabled: false });
	});

	test('a cookie GET with a foreign Origin is answered', async () => {
		const s = await srv.login('centre');
		const res = await srv.api('GET', '/api/v1/me', { cookie: s.cookie, headers: { origin: EVIL } });
		assert.equal(res.status, 200);
	});

	test('a cookie POST from the same origin, or with no Origin, is accepted', async () => {
		const a = await srv.login('centre'), b = await srv.login('centre');
		const same = await srv.api('POST', LOGOUT, { cookie: a.cookie,
			headers: { origin: `http://127.0.0.1:${srv.port}` } });
		assert.equal(same.status, 200, same.text);
		const none = await srv.api('POST', LOGOUT, { cookie: b.cookie });
		assert.equal(none.status, 200, none.text);
	});

	test('a bearer-token POST is not affected by a foreign Origin', async () => {
		const s = await srv.login('centre');
		const res = await srv.api('POST', LOGOUT, { token: s.token, headers: { origin: EVIL } });
		assert.equal(res.status, 200, res.text);
		assertError(await srv.api('GET', '/api/v1/me', { token: s.token }), 401, 'unauthenticated');
	});
});
