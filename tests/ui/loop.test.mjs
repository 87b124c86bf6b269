// The closed loop through the browser: a grid worker reports with its GPS
// position, the centre registers and dispatches, the department's handler
// accepts and handles, the centre verifies and closes; the case desk finds
// it; the server's own error message reaches the user; and a street's user
// cannot open another street's event by its URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { interiorPoint } from '../api/harness.mjs';
import { startUi } from './browser.mjs';

let ui, point, otherPoint;
before(async () => {
	ui = await startUi();
	const g = await ui.api('GET', '/api/v1/orgs/330108001001/grids', { as: 'admin' });
	const mine = g.json.features.find((f) => f.properties.code === '330108001001001');
	const [lon, lat] = interiorPoint(mine.geometry);
	point = { longitude: lon, latitude: lat };
	const o = await ui.api('GET', '/api/v1/orgs/330108002/grids', { as: 'admin' });
	otherPoint = interiorPoint(o.json.features[0].geometry);
});
after(async () => { await ui?.stop(); });

/* An Element Plus input or textarea by its data-test (the attribute lands on
 * the <input> itself). */
function field(scope, name) {
	return scope.locator(`input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`).first();
}

async function pick(page, selectTest, text) {
	await page.locator(`[data-test=${selectTest}]`).click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

/* Opens the event as the page's user, takes the action, waits for the state. */
async function act(page, id, action, fields = {}, state) {
	if (!page.url().endsWith(`/events/${id}`))
		await page.goto(`/events/${id}`);
	const btn = page.locator(`[data-action=${action}]`);
	await btn.click();
	const dlg = page.locator('.el-dialog:visible');
	await dlg.waitFor();
	for (const [k, v] of Object.entries(fields))
		await field(dlg, `a-${k}`).fill(v);
	const answer = page.waitForResponse((r) => r.url().includes(`/actions/${action}`));
	await dlg.locator('[data-test=action-submit]').click();
	const res = await answer;
	assert.equal(res.status(), 200, `${action}: ${await res.text()}`);
	await page.locator(`[data-test=event-state][data-value=${state}]`).waitFor();
}

let id;
test('a grid worker reports with its GPS position on the report form', async () => {
	const { page, errors } = await ui.page({ geolocation: point });
	await ui.login(page, 'gridworker');
	await page.goto('/report');
	await pick(page, 'r-category', '暴露垃圾');
	await field(page, 'r-title').fill('浏览器测试：江边暴露垃圾');
	await field(page, 'r-description').fill('路边有一堆生活垃圾');
	await page.locator('[data-test=r-gps]').click();
	await page.waitForFunction(() => /\d+\.\d{6}, \d+\.\d{6}/.test(document.querySelector('[data-test=r-point]').innerText));
	await page.locator('[data-test=r-located]').waitFor();
	assert.match(await page.locator('[data-test=r-located]').innerText(), /第1网格/);
	await page.locator('[data-test=r-submit]').click();
	const done = page.locator('[data-test=r-done]');
	await done.waitFor();
	id = Number(await done.getAttribute('data-id'));
	assert.ok(id > 0);
	assert.match(await done.innerText(), /受理编号 PA[2-9A-HJ-NP-Z]{10}/);
	const ev = await ui.api('GET', `/api/v1/events/${id}`, { as: 'admin' });
	assert.equal(ev.json.grid, '330108001001001');
	assert.equal(ev.json.source, 'grid_worker');
	assert.equal(ev.json.state, 'reported');
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('the form checks like the API before sending', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.goto('/report');
	await page.locator('[data-test=r-submit]').click();
	await page.locator('.el-form-item__error').first().waitFor();
	const msgs = await page.locator('.el-form-item__error').allInnerTexts();
	assert.ok(msgs.includes('必填'), msgs.join('|'));
	assert.ok(msgs.includes('请填写地址或选择位置'), msgs.join('|'));
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('centre registers and dispatches to the suggested department', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.goto(`/events/${id}`);
	await page.locator('[data-test=actions] [data-action]').first().waitFor();
	const actions = (await page.locator('[data-test=actions] [data-action]').evaluateAll((els) => els.map((e) => e.dataset.action))).sort();
	assert.deepEqual(actions, ['merge', 'register', 'reject', 'void'], 'exactly what the centre may do on a report');
	await act(page, id, 'register', {}, 'registered');
	await page.locator('[data-action=dispatch]').click();
	const dlg = page.locator('.el-dialog:visible');
	assert.match(await dlg.innerText(), /建议：滨江区综合行政执法局/);
	const answer = page.waitForResponse((r) => r.url().includes('/actions/dispatch'));
	await dlg.locator('[data-test=action-submit]').click();
	assert.equal((await answer).status(), 200);
	await page.locator('[data-test=event-state][data-value=dispatched]').waitFor();
	await ui.shot(page, 'event-detail');
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('handler accepts and handles with a note as evidence', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'handler');
	await act(page, id, 'accept', {}, 'handling');
	/* without evidence the server refuses, and its message is shown */
	await page.locator('[data-action=handle]').click();
	const dlg = page.locator('.el-dialog:visible');
	await dlg.locator('[data-test=action-submit]').click();
	const err = dlg.locator('[data-test=action-error]');
	await err.waitFor();
	assert.ok((await err.innerText()).length > 0);
	assert.doesNotMatch(await err.innerText(), /[{}]/, 'no raw JSON');
	await field(dlg, 'a-note').fill('已清运，现场恢复整洁');
	await page.keyboard.press('Escape');
	await page.locator('.el-dialog:visible').waitFor({ state: 'hidden' });
	/* a photo of the result, sent before the step: it goes with the step */
	const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
	const sent = page.waitForResponse((r) => r.url().includes('/attachments') && r.request().method() === 'POST');
	await page.locator('[data-test=upload]').setInputFiles({ name: 'done.png', mimeType: 'image/png', buffer: PNG });
	assert.equal((await sent).status(), 201);
	await page.locator('.pa-photos .pa-photo').first().waitFor();
	await page.locator('[data-action=handle]').click();
	await field(dlg, 'a-note').fill('已清运，现场恢复整洁');
	const answer = page.waitForResponse((r) => r.url().includes('/actions/handle'));
	await dlg.locator('[data-test=action-submit]').click();
	assert.equal((await answer).status(), 200);
	await page.locator('[data-test=event-state][data-value=handled]').waitFor();
	const step = page.locator('[data-test=timeline] .el-timeline-item').last();
	await step.locator('[data-test=tl-files] .pa-tl-photo').waitFor();
	assert.match(await step.innerText(), /已清运，现场恢复整洁/, 'the photo shows on the handling step');
	ui.noConsoleErrors(errors, ['status of 400']);
	await page.context().close();
});

test('centre verifies and closes; the timeline holds every step', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await act(page, id, 'verify', {}, 'verified');
	await act(page, id, 'close', {}, 'closed');
	const tl = await page.locator('[data-test=timeline]').innerText();
	for (const w of ['上报', '立案', '派遣', '签收', '处置完成', '核查通过', '结案'])
		assert.match(tl, new RegExp(w));
	assert.equal(await page.locator('[data-test=actions] [data-action]').evaluateAll((els) => els.map((e) => e.dataset.action)).then((a) => a.join()), 'reopen');
	const ev = await ui.api('GET', `/api/v1/events/${id}`, { as: 'admin' });
	assert.equal(ev.json.state, 'closed');
	assert.deepEqual(ev.json.timeline.map((e) => e.action).filter((a) => a !== 'warning' && a !== 'overdue'),
		['report', 'register', 'dispatch', 'accept', 'handle', 'verify', 'close']);
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('the case desk finds it by search and state, and pages', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.goto('/events');
	await page.locator('[data-test=event-table]').waitFor();
	await field(page, 'f-q').fill('江边暴露');
	await page.locator('[data-test=f-search]').click();
	await page.waitForURL((u) => u.searchParams.get('q') === '江边暴露');
	await page.locator(`[data-event="${id}"]`).waitFor();
	assert.match(await page.locator('[data-test=total]').innerText(), /共 1 条/);
	await ui.shot(page, 'case-desk-search');
	/* the URL keeps the filters: a reload shows the same list */
	await page.reload();
	await page.locator(`[data-event="${id}"]`).waitFor();
	await page.locator(`[data-event="${id}"]`).click();
	await page.waitForURL((u) => u.pathname === `/events/${id}`);
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('a change made by someone else first: the server says so, the page reloads the event', async () => {
	const r = await ui.api('POST', '/api/v1/events', { as: 'centre', body: { category: '0102', title: '并发测试', lon: point.longitude, lat: point.latitude } });
	assert.equal(r.status, 201);
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.goto(`/events/${r.json.id}`);
	await page.locator('[data-action=register]').click();
	const dlg = page.locator('.el-dialog:visible');
	await dlg.waitFor();
	/* while the dialog is open (the page does not reload under it) */
	const other = await ui.api('POST', `/api/v1/events/${r.json.id}/actions/register`, { as: 'centre', body: {} });
	assert.equal(other.status, 200);
	await dlg.locator('[data-test=action-submit]').click();
	const err = dlg.locator('[data-test=action-error]');
	await err.waitFor();
	assert.match(await err.innerText(), /version|registered|state/i);
	ui.noConsoleErrors(errors, ['status of 409']);
	await page.context().close();
});

test('the centre merges a duplicate into the report it repeats, offered as the suggestion', async () => {
	const body = { category: '0103', title: '垃圾桶满溢（第一次）', lon: point.longitude, lat: point.latitude };
	const first = await ui.api('POST', '/api/v1/events', { as: 'gridworker', body });
	const second = await ui.api('POST', '/api/v1/events', { as: 'gridworker', body: { ...body, title: '垃圾桶满溢（重复）', lon: point.longitude + 0.0001 } });
	assert.equal(second.status, 201);
	assert.ok(second.json.duplicates.some((d) => d.id === first.json.id), 'the server sees the duplicate');
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.goto(`/events/${second.json.id}`);
	await page.locator('[data-action=merge]').click();
	const dlg = page.locator('.el-dialog:visible');
	await dlg.locator('.el-select__selected-item', { hasText: `#${first.json.id} ${body.title}` }).waitFor();
	const answer = page.waitForResponse((r) => r.url().includes('/actions/merge'));
	await dlg.locator('[data-test=action-submit]').click();
	assert.equal((await answer).status(), 200);
	await page.locator('[data-test=event-state][data-value=merged]').waitFor();
	const ev = (await ui.api('GET', `/api/v1/events/${second.json.id}`, { as: 'centre' })).json;
	assert.equal(ev.merged_into, first.json.id);
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('a street centre cannot open an event of another street by its URL', async () => {
	const r = await ui.api('POST', '/api/v1/events', { as: 'centre', body: { category: '0102', title: '长河街道的事件', lon: otherPoint[0], lat: otherPoint[1] } });
	assert.equal(r.status, 201);
	assert.equal(r.json.street, '330108002');
	const { page, errors } = await ui.page();
	await ui.login(page, 'street.centre');
	await page.goto(`/events/${r.json.id}`);
	await page.locator('[data-state=error]').waitFor();
	assert.match(await page.locator('[data-state=error]').innerText(), /事件不存在或无权查看/);
	assert.doesNotMatch(await page.content(), /长河街道的事件/);
	assert.equal(await page.locator('[data-test=event-info]').count(), 0);
	ui.noConsoleErrors(errors, [`/api/v1/events/${r.json.id}`]);
	await page.context().close();
});
