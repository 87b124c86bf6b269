// The audit administrator's screen: the auditor lands on the audit log and
// sees nothing else; the records are the server's (GET /api/v1/audit), the
// filters narrow them the way the API does, the chain check shows the
// server's verdict, and an anchor is signed. Screenshot: ui-audit.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUi } from './browser.mjs';

let ui;
before(async () => { ui = await startUi(); });
after(async () => { await ui?.stop(); });

/* The sequence numbers in the table, top to bottom. */
const seqs = (page) => page.locator('[data-test=audit-table] .el-table__body tr td:first-child').allInnerTexts()
	.then((v) => v.map(Number));

test('the auditor reads, filters and verifies the audit log', async () => {
	/* something to find: a failed login of the mediator */
	const bad = await ui.api('POST', '/api/v1/auth/login', { body: { username: 'mediator', password: 'Not-The-Password-1' } });
	assert.equal(bad.status, 401);
	const { page, errors } = await ui.page();
	await ui.login(page, 'auditor');
	await page.waitForURL((u) => u.pathname === '/admin/audit');
	await page.locator('[data-test=audit-table]').waitFor();
	/* the menu holds the audit log only; no inbox, no stream */
	assert.deepEqual(await page.locator('[data-nav]').evaluateAll((els) => els.map((e) => e.dataset.nav)), ['/admin/audit']);
	assert.equal(await page.locator('[data-test=inbox]').count(), 0);
	/* newest first, as the API answers (the API's own query is recorded too) */
	const shown = await seqs(page);
	assert.ok(shown.length > 3);
	for (let i = 1; i < shown.length; i++)
		assert.ok(shown[i] < shown[i - 1], 'newest first');
	const api = (await ui.api('GET', '/api/v1/audit?limit=500', { as: 'auditor' })).json.items;
	assert.ok(shown.every((s) => api.some((r) => r.seq === s)), 'every row is a record of the server');
	/* filter: the failed logins of the mediator */
	await page.locator('input[name=audit_user]').fill('mediator');
	await page.locator('input[name=audit_action]').fill('login');
	await page.locator('[data-test=audit-search]').click();
	await page.waitForFunction(() => {
		const rows = [...document.querySelectorAll('[data-test=audit-table] .el-table__body tr')];
		return rows.length >= 1 && rows.every((r) => r.innerText.includes('mediator'));
	});
	const want = (await ui.api('GET', '/api/v1/audit?user=mediator&action=login', { as: 'auditor' })).json.items;
	assert.ok(want.some((r) => r.outcome === 'failed'));
	assert.deepEqual(await seqs(page), want.map((r) => r.seq));
	/* the chain check shows the server's verdict */
	await page.locator('[data-test=audit-verify]').click();
	const verdict = (await ui.api('GET', '/api/v1/audit/verify', { as: 'auditor' })).json;
	assert.equal(verdict.ok, true);
	assert.match(await page.locator('[data-test=audit-check]').innerText(), /审计链完整：\d+ 条记录/);
	/* signing the head makes an anchor */
	const before = (await ui.api('GET', '/api/v1/audit/anchors', { as: 'auditor' })).json.items.length;
	await page.locator('[data-test=audit-sign]').click();
	await page.locator('.el-message--success').waitFor();
	const afterSign = (await ui.api('GET', '/api/v1/audit/anchors', { as: 'auditor' })).json.items.length;
	assert.equal(afterSign, before + 1);
	await ui.shot(page, 'audit');
	/* the other screens are not the auditor's */
	await page.goto('/cockpit');
	await page.locator('[data-test=not-found]').waitFor();
	ui.noConsoleErrors(errors);
	await page.context().close();
});
