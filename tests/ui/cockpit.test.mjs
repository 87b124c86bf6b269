// The cockpit (驾驶舱) in the browser: its numbers are the server's roll-ups,
// the charts and the grid map are drawn, a report made elsewhere shows up
// without a reload (Server-Sent Events), and a screenshot is kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { interiorPoint } from '../api/harness.mjs';
import { startUi } from './browser.mjs';

let ui;
before(async () => {
	/* the demo's year of events, so the cockpit has something to show */
	ui = await startUi({ demoEnv: { PINGAN_DEMO_EVENTS: '600' } });
});
after(async () => { await ui?.stop(); });

const num = async (page, k) => Number((await page.locator(`[data-stat=${k}] .pa-stat-value`).innerText()).replace(/,/g, ''));

test('the leader sees the numbers, the charts, the grid map and the overdue list', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'leader');
	await page.waitForURL((u) => u.pathname === '/cockpit');
	await page.locator('[data-stat=today]').waitFor();
	const s = (await ui.api('GET', '/api/v1/stats/events?days=30', { as: 'leader' })).json;
	assert.equal(await num(page, 'today'), s.today.reported);
	assert.equal(await num(page, 'month'), s.month.reported);
	assert.equal(await num(page, 'open'), s.open);
	assert.equal(await num(page, 'overdue'), s.overdue);
	assert.equal(await num(page, 'resolved'), s.resolved);
	/* ECharts canvases: trend, by place, by state, categories, departments */
	assert.equal(await page.locator('.pa-chart canvas').count(), 5);
	/* every grid of the district is a polygon on the map */
	const grids = (await ui.api('GET', '/api/v1/orgs/330108/grids', { as: 'leader' })).json.features.length;
	await page.waitForFunction((n) => document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').length > 0, grids);
	assert.ok(s.overdue_list.length > 0, 'the demo has overdue work');
	const items = await page.locator('[data-test=overdue-item]').allInnerTexts();
	assert.equal(items.length, s.overdue_list.length);
	for (const [i, e] of s.overdue_list.entries())
		assert.ok(items[i].includes(e.title), `${items[i]} / ${e.title}`);
	await page.locator('[data-test=live]', { hasText: '实时' }).waitFor();
	await page.waitForTimeout(500); /* let the charts finish their animation */
	await ui.shot(page, 'cockpit');
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('a report made elsewhere updates the cockpit without a reload', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	await page.waitForURL((u) => u.pathname === '/cockpit');
	await page.locator('[data-test=live]', { hasText: '实时' }).waitFor();
	const before = await num(page, 'today');
	await page.evaluate(() => { window.__noReload = true; });
	const g = (await ui.api('GET', '/api/v1/orgs/330108002/grids', { as: 'admin' })).json.features[0];
	const [lon, lat] = interiorPoint(g.geometry);
	const r = await ui.api('POST', '/api/v1/events', { as: 'gridworker', body: { category: '0102', title: '驾驶舱实时测试', lon, lat } });
	assert.equal(r.status, 201);
	await page.waitForFunction((n) => Number(document.querySelector('[data-stat=today] .pa-stat-value').innerText.replace(/,/g, '')) === n + 1, before, { timeout: 15000 });
	assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('the cockpit drills down to a street', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'leader');
	await page.locator('[data-stat=today]').waitFor();
	await page.locator('[data-test=cockpit-scope]').click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: '长河街道' }).click();
	const s = (await ui.api('GET', '/api/v1/stats/events?org=330108002&days=30', { as: 'leader' })).json;
	await page.waitForFunction((n) => Number(document.querySelector('[data-stat=open] .pa-stat-value')?.innerText.replace(/,/g, '')) === n, s.open);
	assert.equal(await num(page, 'overdue'), s.overdue);
	assert.equal(await num(page, 'month'), s.month.reported);
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('a street centre sees its street: its communities, its grids', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'street.centre');
	await page.locator('[data-stat=today]').waitFor();
	const s = (await ui.api('GET', '/api/v1/stats/events?days=30', { as: 'street.centre' })).json;
	assert.equal(s.org, '330108001');
	assert.equal(await num(page, 'open'), s.open);
	assert.match(await page.locator('[data-test=cockpit-scope]').innerText(), /西兴街道/);
	ui.noConsoleErrors(errors);
	await page.context().close();
});
