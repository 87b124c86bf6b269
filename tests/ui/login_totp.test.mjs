// The second factor and password ageing in the browser, with both ON as in
// production (the harness turns them off for the other tests): a centre user
// is sent to the enrolment screen and nowhere else, reads the secret and the
// QR code, enrols with the code computed here, signs out and in again with
// password and code; an administrator-created user must change the password
// first (the policy and the server's messages on the way), then enrol; wrong
// codes show the server's answers up to the lockout. Screenshots:
// tests/artifacts/ui-enrol.png, ui-login-otp.png, ui-password-change.png.
//
// Codes are computed here, not by the code under test: HMAC-SHA1 from Node's
// crypto and RFC 4226's truncation, checked first against RFC 6238 appendix B.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startUi } from './browser.mjs';
import { GOOD_PASSWORD } from '../api/harness.mjs';

function b32decode(s) {
	const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0, val = 0;
	const out = [];
	for (const c of s.replace(/=+$/, '')) {
		assert.ok(A.includes(c), `base32 character ${c}`);
		val = (val << 5) | A.indexOf(c);
		bits += 5;
		if (bits >= 8) {
			out.push((val >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

function hotp(key, counter, digits = 6) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(counter));
	const mac = createHmac('sha1', key).update(msg).digest();
	const off = mac[mac.length - 1] & 0x0f;
	const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
	return String(bin % 10 ** digits).padStart(digits, '0');
}

/* The code of the time step at now + ds seconds. */
const totp = (secret, ds = 0) => hotp(b32decode(secret), Math.floor((Date.now() / 1000 + ds) / 30));

/* A code that is none of the codes of the steps around now. */
function wrongCode(secret) {
	const near = new Set([-60, -30, 0, 30, 60].map((d) => totp(secret, d)));
	for (let i = 0; ; i++) {
		const c = String((123456 + i * 7919) % 1000000).padStart(6, '0');
		if (!near.has(c))
			return c;
	}
}

/* Waits until the element's text matches re (a message set after an answer). */
async function waitText(page, selector, re) {
	await page.waitForFunction(([sel, src, flags]) => new RegExp(src, flags).test(document.querySelector(sel)?.innerText ?? ''),
		[selector, re.source, re.flags]);
	return page.locator(selector).innerText();
}

let ui;
before(async () => {
	/* the defaults: second factors for admin, security_admin and centre;
	 * passwords age after 90 days and an administrator's one at once */
	ui = await startUi({ env: { PINGAN_TOTP_ROLES: null, PINGAN_PASSWORD_MAX_AGE_DAYS: null,
		PINGAN_IP_FAIL_LIMIT: 1000000 } });
});
after(async () => { await ui?.stop(); });

const ALLOW = ['status of 400', 'status of 401', 'status of 423'];

test('the test computes RFC 6238 appendix B (SHA-1, 8 digits)', () => {
	const seed = Buffer.from('12345678901234567890');
	for (const [t, code] of Object.entries({ 59: '94287082', 1111111109: '07081804', 2000000000: '69279037' }))
		assert.equal(hotp(seed, Math.floor(Number(t) / 30), 8), code, `T=${t}`);
});

/* On the enrolment screen: the secret as shown (grouped in fours), checked
 * against the QR code's presence and the parameters. */
async function readSecret(page) {
	await page.locator('[data-test=enrol]').waitFor();
	const shown = (await page.locator('[data-test=totp-secret]').innerText()).trim();
	assert.match(shown, /^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/, `grouped in fours: ${shown}`);
	const secret = shown.replace(/ /g, '');
	assert.equal(secret.length, 32);
	const src = await page.locator('[data-test=totp-qr]').getAttribute('src');
	assert.match(src, /^data:image\/png;base64,/, 'the QR code is drawn in the page');
	/* a real image, decoded by the browser */
	assert.ok(await page.locator('[data-test=totp-qr]').evaluate((img) => img.complete && img.naturalWidth >= 100));
	return secret;
}

async function enterCode(page, code) {
	await page.locator('[data-test=enrol] input[name=otp]').fill(code);
	await page.locator('[data-test=enrol-confirm]').click();
}

let centreSecret;

test('a centre user signs in, is held on the enrolment screen, and enrols', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.waitForURL((u) => u.pathname === '/enrol');
	await page.locator('[data-test=enrol]').waitFor();
	/* nothing else opens, by URL either; where it was going is kept */
	await page.goto('/events?state=reported');
	await page.waitForURL((u) => u.pathname === '/enrol' && u.searchParams.get('next') === '/events?state=reported');
	const me0 = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
	assert.equal(me0.stage, 'totp_enrolment');
	assert.equal(me0.totp, false);
	const secret = await readSecret(page);
	assert.match(await page.locator('[data-test=totp-params]').innerText(), /SHA1.*6.*30/);
	const input = page.locator('[data-test=enrol] input[name=otp]');
	assert.equal(await input.getAttribute('inputmode'), 'numeric');
	assert.equal(await input.getAttribute('autocomplete'), 'one-time-code');
	await ui.shot(page, 'enrol');
	/* the form's own check, then the server's refusal of a wrong code */
	await enterCode(page, '12ab');
	await waitText(page, '[data-test=enrol-error]', /验证码为 6 位数字/);
	const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/totp/confirm'));
	await enterCode(page, wrongCode(secret));
	assert.equal((await refused).status(), 400);
	await waitText(page, '[data-test=enrol-error]', /验证码不正确/);
	/* the right code: the session is a full one, and it goes where it was going */
	await enterCode(page, totp(secret));
	await page.waitForURL((u) => u.pathname === '/events' && u.searchParams.get('state') === 'reported');
	await page.locator('.pa-menu').waitFor();
	const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
	assert.equal(me.stage, 'full');
	assert.equal(me.totp, true);
	centreSecret = secret;
	ui.noConsoleErrors(errors, ['status of 400']);
	await page.context().close();
});

test('the enrolled centre user signs out, then in with password and code', async () => {
	assert.ok(centreSecret, 'enrolled by the test before');
	const { page, errors } = await ui.page();
	await page.goto('/login');
	await page.locator('input[name=username]').fill('centre');
	await page.locator('input[name=password]').fill(ui.srv.accounts.centre);
	let answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
	await page.locator('[data-test=login-submit]').click();
	assert.equal((await answer).status(), 401, 'otp_required');
	const otp = page.locator('input[name=otp]');
	await otp.waitFor();
	assert.equal(await otp.getAttribute('inputmode'), 'numeric');
	assert.equal(await otp.getAttribute('autocomplete'), 'one-time-code');
	assert.equal(await page.locator('[data-test=login-error]').count(), 0, 'no error: a question');
	await ui.shot(page, 'login-otp');
	/* a wrong code: the server's refusal */
	await otp.fill(wrongCode(centreSecret));
	answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
	await page.locator('[data-test=login-submit]').click();
	assert.equal((await answer).status(), 401);
	await waitText(page, '[data-test=login-error]', /用户名、密码或验证码错误/);
	/* the enrolment used this step's code: the next step's is within the drift */
	await otp.fill(totp(centreSecret, 30));
	await page.locator('[data-test=login-submit]').click();
	await page.waitForURL((u) => u.pathname === '/cockpit');
	await page.locator('.pa-menu').waitFor();
	/* sign out through the menu; the next login asks for the code again */
	await page.locator('[data-test=user-menu]').click();
	await page.locator('[data-test=logout]').click();
	await page.waitForURL((u) => u.pathname === '/login');
	assert.equal(await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status)), 401);
	await page.locator('input[name=username]').fill('centre');
	await page.locator('input[name=password]').fill(ui.srv.accounts.centre);
	await page.locator('[data-test=login-submit]').click();
	await page.locator('input[name=otp]').waitFor();
	ui.noConsoleErrors(errors, ['status of 401']);
	await page.context().close();
});

/* The security administrator enrols through the API and adds a user: its password was
 * set by someone else, so it counts as expired. */
let securitySecret;
async function securityToken() {
	const login = (otp) => ui.api('POST', '/api/v1/auth/login',
		{ body: { username: 'security', password: ui.srv.accounts.security, ...(otp ? { otp } : {}) } });
	if (!securitySecret) {
		const res = await login();
		assert.equal(res.json.stage, 'totp_enrolment', res.text);
		const token = res.json.token;
		securitySecret = (await ui.api('POST', '/api/v1/me/totp', { token })).json.secret;
		const conf = await ui.api('POST', '/api/v1/me/totp/confirm', { token, body: { otp: totp(securitySecret) } });
		assert.equal(conf.status, 200, conf.text);
		return token;
	}
	const res = await login(totp(securitySecret, 30));
	assert.equal(res.status, 200, res.text);
	return res.json.token;
}

test('an administrator-created user changes the password first, then enrols', async () => {
	const token = await securityToken();
	const add = await ui.api('POST', '/api/v1/users', { token, body: { username: 'zhang.wei',
		display_name: '张伟', org: '330108', roles: ['centre'], password: GOOD_PASSWORD } });
	assert.equal(add.status, 201, add.text);

	const { page, errors } = await ui.page();
	await ui.login(page, 'zhang.wei', GOOD_PASSWORD);
	await page.waitForURL((u) => u.pathname === '/change-password');
	await page.locator('[data-test=stage-password]').waitFor();
	await page.goto('/inbox');
	await page.waitForURL((u) => u.pathname === '/change-password' && u.searchParams.get('next') === '/inbox');
	const me0 = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
	assert.equal(me0.stage, 'password_change');
	/* the policy is on the screen */
	assert.match(await page.locator('[data-test=password-policy]').innerText(), /至少 12 个字符[\s\S]*三类[\s\S]*用户名[\s\S]*常见密码/);
	const fill = async (old, neu, again = neu) => {
		await page.locator('input[name=old_password]').fill(old);
		await page.locator('input[name=new_password]').fill(neu);
		await page.locator('input[name=new_password_again]').fill(again);
		await page.locator('[data-test=password-submit]').click();
	};
	const refusal = async (old, neu) => {
		const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/password'));
		await fill(old, neu);
		const res = await answer;
		assert.equal(res.status(), 400);
		const body = await res.json();
		/* the server's own message, shown as it is */
		await page.waitForFunction((m) => document.querySelector('[data-test=password-error]')?.innerText.includes(m), body.error.message);
		return body.error.message;
	};
	/* the form's own checks send nothing */
	await fill(GOOD_PASSWORD, 'Short-1a');
	await waitText(page, '[data-test=password-error]', /至少 12 个字符/);
	await fill(GOOD_PASSWORD, 'Quiet-River-Lamp-83', 'Quiet-River-Lamp-84');
	await waitText(page, '[data-test=password-error]', /两次输入不一致/);
	/* the server's refusals */
	assert.match(await refusal('Not-The-Password-9', 'Quiet-River-Lamp-83'), /current password is wrong/);
	assert.match(await refusal(GOOD_PASSWORD, 'zhang.wei-Secure-77'), /user name/);
	assert.match(await refusal(GOOD_PASSWORD, 'alllowercaseletters'), /three of/);
	await ui.shot(page, 'password-change');
	/* a good one: signed in again with it, into the enrolment (a centre role) */
	await fill(GOOD_PASSWORD, 'Quiet-River-Lamp-83');
	await page.waitForURL((u) => u.pathname === '/enrol');
	const secret = await readSecret(page);
	await enterCode(page, totp(secret));
	/* and on to where it was going */
	await page.waitForURL((u) => u.pathname === '/inbox');
	await page.locator('.pa-menu').waitFor();
	const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
	assert.equal(me.username, 'zhang.wei');
	assert.equal(me.stage, 'full');
	/* the old password no longer signs in, the new one does (with a code) */
	const old = await ui.api('POST', '/api/v1/auth/login', { body: { username: 'zhang.wei', password: GOOD_PASSWORD } });
	assert.equal(old.status, 401);
	assert.equal(old.json.error.code, 'invalid_credentials');
	const neu = await ui.api('POST', '/api/v1/auth/login', { body: { username: 'zhang.wei', password: 'Quiet-River-Lamp-83' } });
	assert.equal(neu.json.error.code, 'otp_required');
	ui.noConsoleErrors(errors, ['status of 400']);
	await page.context().close();
});

test('the enrolment screen in English has every word', async () => {
	const { page, errors } = await ui.page();
	await page.goto('/login');
	await page.locator('[data-test=lang]').click();
	await ui.login(page, 'street.centre');
	await page.waitForURL((u) => u.pathname === '/enrol');
	await page.locator('[data-test=enrol]').waitFor();
	/* the card's words, without the user's own (Chinese) display name */
	const text = await page.locator('.pa-stage').evaluate((el) => {
		const c = el.cloneNode(true);
		c.querySelector('.pa-stage-head p')?.remove();
		c.querySelector('.pa-stage-top')?.remove(); /* the switch back says 中文 */
		document.body.appendChild(c);
		const s = c.innerText;
		c.remove();
		return s;
	});
	assert.match(text, /Set up your second factor/);
	assert.doesNotMatch(text, /\bstage\.\w+/, 'no untranslated key');
	assert.doesNotMatch(text, /[\u4e00-\u9fff]/u, 'no Chinese word');
	/* sign out from the screen: nothing else is reachable */
	await page.locator('[data-test=stage-logout]').click();
	await page.waitForURL((u) => u.pathname === '/login');
	assert.equal(await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status)), 401);
	ui.noConsoleErrors(errors, ['status of 401']);
	await page.context().close();
});

test('wrong codes show the server answers up to the lockout, with the minutes left', async () => {
	if (!securitySecret)
		await securityToken();
	const { page, errors } = await ui.page();
	await page.goto('/login');
	await page.locator('input[name=username]').fill('security');
	await page.locator('input[name=password]').fill(ui.srv.accounts.security);
	await page.locator('[data-test=login-submit]').click();
	const otp = page.locator('input[name=otp]');
	await otp.waitFor();
	for (let i = 1; i <= 6; i++) {
		await otp.fill(wrongCode(securitySecret));
		const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
		await page.locator('[data-test=login-submit]').click();
		const res = await answer;
		if (res.status() === 401) {
			assert.ok(i < 5, `attempt ${i} not locked`);
			await waitText(page, '[data-test=login-error]', /用户名、密码或验证码错误/);
		} else {
			assert.equal(res.status(), 423, `attempt ${i}`);
			const m = Math.ceil(Number(res.headers()['retry-after']) / 60);
			assert.ok(m >= 1);
			await waitText(page, '[data-test=login-error]', new RegExp(`账号已锁定，请 ${m} 分钟后再试`));
			assert.ok(i >= 5, `locked at attempt ${i}`);
		}
	}
	ui.noConsoleErrors(errors, ALLOW);
	await page.context().close();
});
