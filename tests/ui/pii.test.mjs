// The reporter's personal data on the event screen: masked for everyone;
// the centre (a role in pii_reveal_roles) reads it in the clear through the
// reason dialog, the read is in the audit log (API and the auditor's screen)
// with its reason, and leaving the screen masks it again; an empty reason
// is refused in the form without a request; a grid worker sees no button.
// Screenshot: ui-pii.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUi } from './browser.mjs';

/* distinctive synthetic values (GB 11643 check character computed) */
function idCheck(d17) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++)
		s += Number(d17[i]) * w[i];
	return '10X98765432'[s % 11];
}
const ID = '33010819870214957' + idCheck('33010819870214957');
const PERSON = { name: '测试某某丙', phone: '19900006543', id_no: ID, address: '示例路99号' };
const REASON = '回访核实处理结果';

let ui, id;
before(async () => {
	ui = await startUi();
	const res = await ui.api('POST', '/api/v1/events', { as: 'gridworker', body: {
		category: '0102', title: '路边垃圾堆放', address: '滨江区示例路', reporter: PERSON } });
	assert.equal(res.status, 201, res.text);
	id = res.json.id;
});
after(async () => { await ui?.stop(); });

const field = (page, f) => page.locator(`[data-test=reporter-${f}]`).innerText();
const reads = async () => (await ui.api('GET', `/api/v1/events/${id}/personal/reads`, { as: 'auditor' })).json.items;

test('a grid worker sees the masked contact and no button', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'gridworker');
	await page.goto(`/events/${id}`);
	await page.locator('[data-test=reporter]').waitFor();
	assert.equal(await field(page, 'phone'), '199****6543');
	assert.equal(await field(page, 'id_no'), `330108********${ID.slice(14)}`);
	assert.equal(await page.locator('[data-test=reveal]').count(), 0);
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('the centre reveals with a reason; the read is audited; leaving masks it again', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.goto(`/events/${id}`);
	await page.locator('[data-test=reporter]').waitFor();
	assert.equal(await field(page, 'name'), '测****');
	await page.locator('[data-test=reveal]').click();
	const dialog = page.locator('[data-test=reveal-dialog]');
	await dialog.waitFor();
	assert.match(await dialog.innerText(), /将被记录/);
	/* an empty reason, then one character: refused by the form, nothing sent */
	await page.locator('[data-test=reveal-submit]').click();
	assert.match(await page.locator('[data-test=reveal-error]').innerText(), /查看原因: 必填/);
	await page.locator('input[name=reveal_reason]').fill('看');
	await page.locator('[data-test=reveal-submit]').click();
	assert.match(await page.locator('[data-test=reveal-error]').innerText(), /至少 2 个字/);
	assert.equal((await reads()).length, 0, 'no read was made');
	/* a real reason: the clear values, recorded */
	await page.locator('input[name=reveal_reason]').fill(REASON);
	await page.locator('[data-test=reveal-submit]').click();
	await page.locator('[data-test=reporter-clear]').waitFor();
	await dialog.waitFor({ state: 'hidden' });
	assert.equal(await field(page, 'name'), PERSON.name);
	assert.equal(await field(page, 'phone'), PERSON.phone);
	assert.equal(await field(page, 'id_no'), ID);
	assert.equal(await field(page, 'address'), PERSON.address);
	await ui.shot(page, 'pii');
	const r = await reads();
	assert.equal(r.length, 1);
	assert.equal(r[0].user, 'centre');
	assert.equal(r[0].reason, REASON);
	const audit = (await ui.api('GET', '/api/v1/audit?action=personal.read', { as: 'auditor' })).json.items;
	assert.equal(audit.length, 1);
	assert.equal(audit[0].object, `event:${id}`);
	assert.match(audit[0].detail, new RegExp(`reason ${REASON}`));
	/* the clear values are nowhere in the browser's storage */
	const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
	assert.ok(!stored.includes(PERSON.phone) && !stored.includes(PERSON.name));
	/* leaving and coming back: masked again */
	await page.goto('/events');
	await page.goto(`/events/${id}`);
	await page.locator('[data-test=reporter]').waitFor();
	assert.equal(await field(page, 'phone'), '199****6543');
	assert.equal(await page.locator('[data-test=reporter-clear]').count(), 0);
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('the auditor finds the read and its reason in the audit log screen', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'auditor');
	await page.locator('[data-test=audit-table]').waitFor();
	await page.locator('input[name=audit_action]').fill('personal.read');
	await page.locator('[data-test=audit-search]').click();
	await page.waitForFunction(() => {
		const rows = [...document.querySelectorAll('[data-test=audit-table] .el-table__body tr')];
		return rows.length === 1 && rows[0].innerText.includes('personal.read');
	});
	const row = await page.locator('[data-test=audit-table] .el-table__body tr').innerText();
	assert.match(row, /centre/);
	assert.match(row, new RegExp(REASON));
	ui.noConsoleErrors(errors);
	await page.context().close();
});
