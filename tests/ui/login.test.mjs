// Signing in as every demo role through the real login form: where each
// lands, what its menu offers, the messages for a wrong password and a
// locked account, the language switch, and no console error anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUi } from './browser.mjs';

let ui;
before(async () => { ui = await startUi(); });
after(async () => { await ui?.stop(); });

/* user -> [landing path, nav entries that must be there, that must not] */
const ROLES = {
	admin: ['/cockpit', ['/cockpit', '/events', '/assess', '/admin/users', '/admin/categories', '/admin/calendar', '/admin/api-keys', '/admin/imports'], ['/m']],
	security: ['/cockpit', ['/events', '/admin/users', '/admin/api-keys'], ['/admin/categories', '/admin/imports', '/assess']],
	auditor: ['/admin/audit', ['/admin/audit'], ['/cockpit', '/events', '/inbox', '/admin/users', '/admin/api-keys']],
	centre: ['/cockpit', ['/cockpit', '/events', '/report', '/inbox', '/orgs', '/assess'], ['/admin/users', '/admin/imports', '/m']],
	leader: ['/cockpit', ['/cockpit', '/events', '/assess'], ['/admin/users']],
	handler: ['/events', ['/cockpit', '/events', '/inbox'], ['/admin/users', '/m', '/assess']],
	inspector: ['/events', ['/events'], ['/admin/users']],
	mediator: ['/events', ['/events'], ['/admin/users']],
	'street.centre': ['/cockpit', ['/cockpit', '/events', '/assess'], ['/admin/users']],
	assessor: ['/assess', ['/assess', '/cockpit', '/events'], ['/admin/users', '/m']],
};

for (const [user, [landing, has, hasNot]] of Object.entries(ROLES)) {
	test(`${user} signs in, lands on ${landing}, sees the menu of the role`, async () => {
		const { page, errors } = await ui.page();
		await ui.login(page, user);
		await page.waitForURL((u) => u.pathname === landing);
		await page.locator('.pa-menu').waitFor();
		for (const to of has)
			assert.equal(await page.locator(`[data-nav="${to}"]`).count(), 1, `${user} has ${to}`);
		for (const to of hasNot)
			assert.equal(await page.locator(`[data-nav="${to}"]`).count(), 0, `${user} has no ${to}`);
		const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
		assert.equal(me.username, user);
		/* the screen it landed on finished loading without an error state */
		await page.waitForFunction(() => !document.querySelector('[data-state=loading]'));
		assert.equal(await page.locator('[data-state=error]').count(), 0);
		ui.noConsoleErrors(errors);
		await page.context().close();
	});
}

test('gridworker lands on the phone view', async () => {
	const { page, errors } = await ui.page({ mobile: true });
	await ui.login(page, 'gridworker');
	await page.waitForURL((u) => u.pathname === '/m');
	await page.locator('[data-test=phone]').waitFor();
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('an admin page opened by URL without the role answers not found', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'leader');
	await page.goto('/admin/users');
	await page.locator('[data-test=not-found]').waitFor();
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('a deep link before signing in goes to the login and back after it', async () => {
	const { page, errors } = await ui.page();
	await page.goto('/inbox');
	await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/inbox');
	await page.locator('input[name=username]').fill('centre');
	await page.locator('input[name=password]').fill(ui.srv.accounts.centre);
	await page.locator('[data-test=login-submit]').click();
	await page.waitForURL((u) => u.pathname === '/inbox');
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('a wrong password shows the message, the fifth failure locks the account', async () => {
	const { page, errors } = await ui.page();
	await page.goto('/login');
	/* the form's own check first: nothing is sent without a user name */
	await page.locator('[data-test=login-submit]').click();
	assert.match(await page.locator('.el-form-item__error').first().innerText(), /请输入用户名/);
	await page.locator('input[name=username]').fill('mediator');
	for (let i = 1; i <= 6; i++) {
		await page.locator('input[name=password]').fill(`wrong-${i}`);
		const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
		await page.locator('[data-test=login-submit]').click();
		const res = await answer;
		const text = await page.locator('[data-test=login-error]').innerText();
		if (res.status() === 401)
			assert.match(text, /用户名或密码错误/);
		else {
			assert.equal(res.status(), 423, `attempt ${i}`);
			assert.match(text, /账号已锁定，请 \d+ 分钟后再试/);
			assert.ok(i >= 5, `locked at attempt ${i}`);
		}
	}
	assert.equal(await page.url().endsWith('/login'), true);
	ui.noConsoleErrors(errors, ['status of 401', 'status of 423']);
	await page.context().close();
});

test('the language switch turns the app into English and back in one click', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.locator('.pa-menu').waitFor();
	assert.match(await page.locator('.pa-menu').innerText(), /事件办理/);
	await page.locator('.pa-header [data-test=lang]').click();
	await page.waitForFunction(() => document.querySelector('.pa-menu').innerText.includes('Case desk'));
	assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
	/* Element Plus follows: its date picker's placeholder words are English */
	await page.reload();
	await page.locator('.pa-menu').waitFor();
	assert.match(await page.locator('.pa-menu').innerText(), /Cockpit/, 'the choice is kept');
	await page.locator('.pa-header [data-test=lang]').click();
	await page.waitForFunction(() => document.querySelector('.pa-menu').innerText.includes('驾驶舱'));
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('signing out ends the session', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'handler');
	await page.locator('[data-test=user-menu]').click();
	await page.locator('[data-test=logout]').click();
	await page.waitForURL((u) => u.pathname === '/login');
	const st = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status));
	assert.equal(st, 401);
	ui.noConsoleErrors(errors, ['status of 401']);
	await page.context().close();
});
