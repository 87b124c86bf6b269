// Every screen opens without a console error and without an error state,
// for the roles that use it; the inbox, the org and grid browser, the admin
// screens and the public citizen form with its receipt work end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GOOD_PASSWORD, interiorPoint } from '../api/harness.mjs';
import { startUi } from './browser.mjs';

let ui;
before(async () => { ui = await startUi({ demoEnv: { PINGAN_DEMO_EVENTS: '300' } }); });
after(async () => { await ui?.stop(); });

const SCREENS = {
	admin: ['/cockpit', '/events', '/report', '/inbox', '/orgs', '/password', '/admin/users', '/admin/categories',
		'/admin/calendar', '/admin/api-keys', '/admin/webhooks', '/admin/imports', '/assess', '/assess?level=grid', '/assess/street/330108001',
		'/assess/adjustments', '/assess/commendations', '/assess/units'],
	centre: ['/cockpit', '/events', '/events?state=reported&overdue=true', '/report', '/inbox', '/orgs'],
	handler: ['/events', '/inbox', '/orgs'],
	assessor: ['/assess', '/assess?level=department', '/assess?level=grid_worker', '/assess/adjustments', '/assess/commendations', '/assess/units'],
	gridworker: ['/m', '/events', '/report'],
	auditor: ['/admin/audit', '/password'],
};

for (const [user, paths] of Object.entries(SCREENS)) {
	test(`${user}: every screen loads cleanly (${paths.length})`, async () => {
		const { page, errors } = await ui.page();
		await ui.login(page, user);
		for (const p of paths) {
			await page.goto(p);
			await page.waitForLoadState('networkidle').catch(() => {});
			await page.waitForFunction(() => !document.querySelector('[data-state=loading]'), null, { timeout: 15000 });
			assert.equal(await page.locator('[data-state=error]').count(), 0, `${user} ${p}: error state`);
			assert.equal(await page.locator('[data-test=not-found]').count(), 0, `${user} ${p}: not found`);
			assert.doesNotMatch(await page.locator('body').innerText(), /\{"error"/, `${user} ${p}: raw JSON`);
			if (user === 'centre' && p === '/events')
				await ui.shot(page, 'case-desk');
		}
		ui.noConsoleErrors(errors);
		await page.context().close();
	});
}

test('in English every screen has its words (no missing translation keys)', async () => {
	const { page, errors } = await ui.page({ locale: 'en-GB' });
	await ui.login(page, 'admin');
	await page.locator('.pa-header [data-test=lang]').click();
	await page.waitForFunction(() => document.querySelector('.pa-menu').innerText.includes('Case desk'));
	assert.doesNotMatch(await page.locator('.pa-menu').innerText(), /[\u4e00-\u9fff]/, 'the menu is all English');
	const KEY = /\b(app|lang|common|login|nav|roles|cockpit|events|urgency|warning|source|detail|report|citizen|inbox|orgs|phone|admin|password|error|actions|states|imports|pii|assess)\.[a-zA-Z_]+/;
	for (const p of [...SCREENS.admin, '/m', '/citizen', '/track/PA2222222222']) {
		await page.goto(p);
		await page.waitForLoadState('networkidle').catch(() => {});
		await page.waitForFunction(() => !document.querySelector('[data-state=loading]'), null, { timeout: 15000 });
		const text = await page.locator('body').innerText();
		assert.doesNotMatch(text, KEY, `${p}: a missing translation`);
	}
	ui.noConsoleErrors(errors, ['/api/v1/public/reports/PA2222222222']);
	await page.context().close();
});

test('inbox: the unread badge, a message opens its event and is read', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'handler');
	const before = (await ui.api('GET', '/api/v1/inbox?unread=true&limit=1', { as: 'handler' })).json;
	await page.goto('/inbox');
	await page.locator('[data-test=message]').first().waitFor();
	if (before.unread > 0) {
		assert.equal(Number(await page.locator('[data-test=unread]').innerText()), before.unread);
		await page.locator('.pa-msg.unread').first().click();
		await page.waitForURL((u) => /^\/events\/\d+$/.test(u.pathname));
		const after = (await ui.api('GET', '/api/v1/inbox?unread=true&limit=1', { as: 'handler' })).json;
		assert.equal(after.unread, before.unread - 1);
		const shown = after.unread > 99 ? '99+' : String(after.unread);
		await page.locator('.pa-header .el-badge__content').filter({ hasText: shown }).first().waitFor();
	}
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('case desk: a saved filter, applied again, and the CSV export of the same filters', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.goto('/events?state=closed&category=01');
	await page.locator('[data-test=event-table]').waitFor();
	const total = (await ui.api('GET', '/api/v1/events?state=closed&category=01&limit=1', { as: 'centre' })).json.total;
	/* the table may show a page fetched before the URL's filters applied: wait for the filtered total */
	await page.locator('[data-test=total]', { hasText: `共 ${total} 条` }).waitFor();
	await page.locator('[data-test=save-filter]').click();
	await page.locator('.el-message-box input').fill('已结案市容');
	await page.locator('.el-message-box .el-button--primary').click();
	await page.locator('[data-test=saved-filter]', { hasText: '已结案市容' }).waitFor();
	const saved = (await ui.api('GET', '/api/v1/me/filters', { as: 'centre' })).json.items;
	assert.ok(saved.some((f) => f.name === '已结案市容' && /state=closed/.test(f.query) && /category=01/.test(f.query)));
	/* the CSV link carries the same filters and answers a CSV to this session */
	const href = await page.locator('[data-test=export-csv]').getAttribute('href');
	assert.match(href, /^\/api\/v1\/events\.csv\?/);
	assert.match(href, /state=closed/);
	const csv = await page.evaluate((h) => fetch(h).then(async (r) => ({ type: r.headers.get('content-type'), text: await r.text() })), href);
	assert.match(csv.type, /text\/csv/);
	assert.equal(csv.text.replace(/^\uFEFF/, '').trim().split('\n').length, total + 1, 'a header and a line per event');
	/* reset, then the saved filter brings the list back */
	await page.goto('/events');
	await page.locator('[data-test=saved-filter]', { hasText: '已结案市容' }).click();
	await page.waitForURL((u) => u.searchParams.get('state') === 'closed' && u.searchParams.get('category') === '01');
	await page.locator('[data-test=total]', { hasText: `共 ${total} 条` }).waitFor();
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('orgs: the tree opens a street and the map shows its grids', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.goto('/orgs');
	await page.locator('[data-test=org-tree] .el-tree-node__content', { hasText: '西兴街道' }).first().click();
	const n = (await ui.api('GET', '/api/v1/orgs/330108001/grids', { as: 'centre' })).json.features.length;
	await page.locator('.el-card__header', { hasText: `${n} 个网格` }).waitFor();
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('the security administrator adds a user through the form; the server\'s password policy is shown', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'security');
	await page.goto('/admin/users');
	await page.locator('[data-test=add-user]').click();
	const dlg = page.locator('.el-dialog:visible');
	await dlg.locator('input[data-test=u-username]').fill('ui.test.user');
	await dlg.locator('input[data-test=u-name]').fill('界面测试用户');
	await dlg.locator('.el-checkbox', { hasText: '调解员' }).click();
	await dlg.locator('input[data-test=u-password]').fill('short');
	await dlg.locator('[data-test=u-save]').click();
	const err = dlg.locator('[data-test=u-error]');
	await err.waitFor();
	assert.ok((await err.innerText()).length > 3);
	await dlg.locator('input[data-test=u-password]').fill(GOOD_PASSWORD);
	await dlg.locator('[data-test=u-save]').click();
	await page.locator('[data-test=users]', { hasText: 'ui.test.user' }).waitFor();
	const users = (await ui.api('GET', '/api/v1/users', { as: 'security' })).json.items;
	assert.ok(users.some((u) => u.username === 'ui.test.user' && u.roles.includes('mediator')));
	ui.noConsoleErrors(errors, ['status of 400']);
	await page.context().close();
});

test('a citizen reports without an account and tracks it by the receipt', async () => {
	const g = await ui.api('GET', '/api/v1/orgs/330108003/grids', { as: 'admin' });
	const [lon, lat] = interiorPoint(g.json.features[0].geometry);
	const { page, errors } = await ui.page({ mobile: true, geolocation: { longitude: lon, latitude: lat } });
	await page.goto('/login');
	await page.getByText('群众随手拍：我要反映问题').click();
	await page.waitForURL((u) => u.pathname === '/citizen');
	await page.locator('[data-test=r-category]').click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: '暴露垃圾' }).first().click();
	await page.locator('textarea[data-test=r-description]').fill('小区门口垃圾堆了三天没人清理');
	await page.locator('[data-test=r-gps]').click();
	await page.waitForFunction(() => /\d+\.\d{6}/.test(document.querySelector('[data-test=r-point]').innerText));
	await page.locator('input[data-test=r-contact]').fill('13800000000');
	await page.locator('[data-test=r-submit]').click();
	const receipt = (await page.locator('[data-test=c-receipt]').innerText()).trim();
	assert.match(receipt, /^PA[2-9A-HJ-NP-Z]{10}$/);
	await ui.shot(page, 'citizen');
	/* the centre sees it at once */
	const list = (await ui.api('GET', '/api/v1/events?state=reported', { as: 'centre' })).json.items;
	const ev = list.find((e) => e.receipt === receipt);
	assert.ok(ev, 'the centre sees the citizen report');
	assert.equal(ev.source, 'citizen');
	await page.locator('[data-test=c-track]').click();
	await page.waitForURL((u) => u.pathname === `/track/${receipt}`);
	assert.match(await page.locator('[data-test=t-state]').innerText(), /已收到，等待受理/);
	/* an unknown receipt */
	await page.locator('input[data-test=t-receipt]').fill('PA2222222222');
	await page.locator('[data-test=t-submit]').click();
	await page.locator('[data-test=t-error]').waitFor();
	assert.match(await page.locator('[data-test=t-error]').innerText(), /没有找到该编号/);
	ui.noConsoleErrors(errors, ['/api/v1/public/reports/PA2222222222']);
	await page.context().close();
});

test('categories: each stage\'s deadline by urgency, edited in a grid; unchanged values keep their seconds', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'admin');
	await page.goto('/admin/categories');
	const row = page.locator('[data-test=categories] .el-table__row', { hasText: '燃气泄漏' });
	await row.waitFor();
	assert.match(await page.locator('[data-test=categories] thead').innerText(), /立案[\s\S]*派遣[\s\S]*签收[\s\S]*处置[\s\S]*核查[\s\S]*结案/);
	assert.match(await row.innerText(), /0\.5 \/ — \/ 0\.17/, 'register: normal / urgent / critical');
	await row.locator('button').click();
	const dlg = page.locator('.el-dialog:visible');
	await dlg.locator('[data-test=deadlines]').waitFor();
	assert.equal(await dlg.locator('[data-test=dl-register_critical] input').inputValue(), '0.17');
	/* an urgent dispatch of 15 minutes; nothing else touched */
	await dlg.locator('[data-test=dl-dispatch_urgent] input').fill('0.25');
	const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/categories/0402') && r.request().method() === 'PUT');
	await dlg.locator('.el-dialog__footer .el-button--primary').click();
	assert.equal((await saved).status(), 200);
	const c = (await ui.api('GET', '/api/v1/categories', { as: 'admin' })).json.items.find((x) => x.code === '0402');
	assert.equal(c.deadlines_s.dispatch_urgent, 900);
	assert.equal(c.deadlines_s.register_critical, 600, '10 minutes, shown as 0.17 h, saved unchanged');
	assert.equal(c.deadlines_s.accept_critical, 900);
	await ui.shot(page, 'categories');
	ui.noConsoleErrors(errors);
	await page.context().close();
});
