/*
 * login_session.test.mjs - session lifetimes on the server's test clock
 * (idle 30 minutes, absolute 12 hours), the password rules at the API (the
 * common-password list, the user name), password ageing (an expired
 * password gives a session that may only change it), and cross-site checks
 * by Sec-Fetch-Site.
 *
 * The clock only moves forward, so the order of the tests matters: the
 * lifetimes first, the password expiry last.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, assertSubset, cli, GOOD_PASSWORD, startServer } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer({ env: { PINGAN_TEST_CLOCK: 'true', PINGAN_PASSWORD_MAX_AGE_DAYS: 1,
		PINGAN_IP_FAIL_LIMIT: 1000000 } });
});
after(async () => {
	await srv?.stop();
});

/* Moves the server's clock; a fresh admin session each time, since the move
 * itself may idle the last one out. */
async function advance(seconds) {
	const a = await srv.login('admin');
	const res = await srv.api('POST', '/api/v1/test/clock', { token: a.token, body: { advance_s: seconds } });
	assert.equal(res.status, 200, res.text);
}

const me = (token) => srv.api('GET', '/api/v1/me', { token });

describe('session lifetimes', () => {
	test('idle: 29 minutes apart keeps a session, 31 minutes without use ends it', async () => {
		const { token } = await srv.login('leader');
		await advance(29 * 60);
		assert.equal((await me(token)).status, 200);
		await advance(29 * 60);
		assert.equal((await me(token)).status, 200, 'use refreshed the idle timer');
		await advance(31 * 60);
		assertError(await me(token), 401, 'unauthenticated');
	});

	test('absolute: a session in constant use ends 12 hours after login', async () => {
		const { token } = await srv.login('handler');
		let elapsed = 0;
		while (elapsed + 29 * 60 < 12 * 3600) {
			await advance(29 * 60);
			elapsed += 29 * 60;
			assert.equal((await me(token)).status, 200, `alive after ${elapsed} s`);
		}
		await advance(29 * 60);
		assertError(await me(token), 401, 'unauthenticated');
	});
});

describe('password rules at the API', () => {
	test('a common password is refused on change and on user creation, whatever its case', async () => {
		const s = await srv.login('inspector');
		for (const pw of ['Password1234', 'pASSWORD1234', '1qaz2wsx3edc4RFV']) {
			const res = await srv.api('POST', '/api/v1/me/password', { token: s.token,
				body: { old_password: srv.accounts.inspector, new_password: pw } });
			assertError(res, 400, 'invalid_value');
			assert.match(res.json.error.message, /common passwords/);
		}
		const add = await srv.api('POST', '/api/v1/users', { as: 'security', body: { username: 'common.pw',
			display_name: 'x', org: '330108', roles: ['leader'], password: 'Qwerty123456' } });
		assertError(add, 400, 'invalid_value');
		assert.match(add.json.error.message, /common passwords/);
	});

	test('a password containing the user name is refused', async () => {
		const s = await srv.login('mediator');
		const res = await srv.api('POST', '/api/v1/me/password', { token: s.token,
			body: { old_password: srv.accounts.mediator, new_password: 'My-Mediator-pw-77' } });
		assertError(res, 400, 'invalid_value');
		assert.match(res.json.error.message, /user name/);
		const add = await srv.api('POST', '/api/v1/users', { as: 'security', body: { username: 'wangfang',
			display_name: 'x', org: '330108', roles: ['leader'], password: 'WangFang-2024!x' } });
		assertError(add, 400, 'invalid_value');
	});
});

describe('cross-site checks by Sec-Fetch-Site', () => {
	test('a cookie POST marked cross-site or same-site is refused; same-origin passes', async () => {
		const s = await srv.login('centre');
		for (const v of ['cross-site', 'same-site'])
			assertError(await srv.api('POST', '/api/v1/auth/logout', { cookie: s.cookie,
				headers: { 'sec-fetch-site': v } }), 403, 'forbidden');
		assert.equal((await me(s.token)).status, 200);
		assert.equal((await srv.api('POST', '/api/v1/auth/logout', { cookie: s.cookie,
			headers: { 'sec-fetch-site': 'same-origin' } })).status, 200);
	});

	test('Open311 reports may come from any site', async () => {
		const form = { 'content-type': 'application/x-www-form-urlencoded' };
		const plain = await srv.api('POST', '/open311/v2/requests.json', { raw: 'service_code=0101',
			headers: form });
		const cross = await srv.api('POST', '/open311/v2/requests.json', { raw: 'service_code=0101',
			headers: { ...form, origin: 'https://civic.example', 'sec-fetch-site': 'cross-site' } });
		/* the same answer as without the headers (here: no api_key), not a cross-site refusal */
		assert.equal(cross.status, plain.status);
		assert.deepEqual(cross.json, plain.json);
		assert.doesNotMatch(cross.text, /cross-site/);
	});
});

describe('password ageing (password_max_age_days = 1)', () => {
	test('a password an administrator or the operator set is changed at the first login', async () => {
		const add = await srv.api('POST', '/api/v1/users', { as: 'security', body: { username: 'fresh.user',
			display_name: 'f', org: '330108', roles: ['leader'], password: GOOD_PASSWORD } });
		assert.equal(add.status, 201, add.text);
		const first = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'fresh.user',
			password: GOOD_PASSWORD } });
		assert.equal(first.json.stage, 'password_change');
		const ch = await srv.api('POST', '/api/v1/me/password', { token: first.json.token,
			body: { old_password: GOOD_PASSWORD, new_password: 'Own-Choice-pw-31' } });
		assert.equal(ch.status, 200, ch.text);
		const second = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'fresh.user',
			password: 'Own-Choice-pw-31' } });
		assert.equal(second.json.stage, 'full');
		/* the operator's `pingan user passwd` likewise */
		const r = await cli(['--db', srv.db, 'user', 'passwd', 'fresh.user', '--password-stdin'],
			{ cwd: srv.dir, input: 'Operator-Set-pw-52\n' });
		assert.equal(r.code, 0, r.stderr);
		const third = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'fresh.user',
			password: 'Operator-Set-pw-52' } });
		assert.equal(third.json.stage, 'password_change');
	});

	test('an expired password logs in into a session that may only change it', async () => {
		await advance(2 * 86400);
		const res = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'gridworker',
			password: srv.accounts.gridworker } });
		assert.equal(res.status, 200, res.text);
		assert.equal(res.json.stage, 'password_change');
		const token = res.json.token;
		assertSubset((await me(token)).json, { stage: 'password_change' });
		for (const [m, p] of [['GET', '/api/v1/events'], ['GET', '/api/v1/orgs'], ['GET', '/api/v1/inbox'],
			['POST', '/api/v1/me/totp']])
			assertError(await srv.api(m, p, { token }), 403, 'password_expired');
		const ch = await srv.api('POST', '/api/v1/me/password', { token,
			body: { old_password: srv.accounts.gridworker, new_password: GOOD_PASSWORD } });
		assert.equal(ch.status, 200, ch.text);
		assertError(await me(token), 401, 'unauthenticated');
		const again = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'gridworker',
			password: GOOD_PASSWORD } });
		assert.equal(again.json.stage, 'full');
		assert.equal((await srv.api('GET', '/api/v1/events', { token: again.json.token })).status, 200);
	});
});
