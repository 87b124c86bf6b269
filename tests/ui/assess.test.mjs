// Assessment (考评) in the browser, on the demo district with a year of events:
// the ranking board on the cockpit is the server's ranking; an assessor closes
// the last month, opens a unit's score, an indicator card and the cases behind
// it down to an event; a manual item is entered (checked like the API), approved
// by a leader and published by a recompute as a visibly different version; the
// server's refusal of a stale decision is shown as it is; commendation
// candidates are generated, reviewed, approved and appear in the printable
// report; a unit is registered and taken through designation to revocation;
// a street's user sees only its street. Every page fails on a console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUi } from './browser.mjs';

let ui;
/* the latest month that has ended, in China Standard Time (the app's default) */
const P = (() => {
	const d = new Date(Date.now() + 8 * 3600e3);
	const y = d.getUTCFullYear(), m = d.getUTCMonth() + 1;
	return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
})();
const XIXING = '330108001', CHANGHE = '330108002';
let otherUnit;

before(async () => {
	ui = await startUi({ demoEnv: { PINGAN_DEMO_EVENTS: '600' } });
	/* a unit in another street, which the street's user must not see */
	const g = (await ui.api('GET', `/api/v1/orgs/${CHANGHE}/grids`, { as: 'admin' })).json.features[0].properties.code;
	const r = await ui.api('POST', '/api/v1/units', { as: 'admin', body: { name: '长河测试企业', kind: 'enterprise', grid: g } });
	assert.equal(r.status, 201, r.text);
	otherUnit = r.json;
});
after(async () => { await ui?.stop(); });

async function api(user, method, path, body) {
	const r = await ui.api(method, path, { as: user, body });
	assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
	return r.json;
}

function field(scope, name) {
	return scope.locator(`input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`).first();
}

async function pick(page, selectTest, text) {
	await page.locator(`[data-test=${selectTest}]`).click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

const idle = (page) => page.waitForFunction(() => !document.querySelector('[data-state=loading]'));

function changeText(c) {
	if (c === null)
		return '—';
	return c > 0 ? `↑${c}` : c < 0 ? `↓${-c}` : '持平';
}

test('the ranking board on the cockpit is the server ranking of the last month; a row opens the score', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'leader');
	await page.waitForURL((u) => u.pathname === '/cockpit');
	const board = page.locator('[data-test=ranking-board]');
	await board.locator('.el-table__row').first().waitFor();
	const s = await api('leader', 'GET', `/api/v1/assess/scores?period=${P}&level=street`);
	assert.ok(s.items.length >= 3, 'every street is ranked');
	assert.match(await board.innerText(), new RegExp(`争先进位榜 · ${P}`));
	const rows = await board.locator('.el-table__body .el-table__row').all();
	assert.equal(rows.length, s.items.length);
	for (const [i, it] of s.items.entries()) {
		const text = await rows[i].innerText();
		assert.ok(text.includes(it.name), `${text} / ${it.name}`);
		assert.ok(text.includes(it.score.toFixed(2)), `${text} / ${it.score}`);
		assert.equal(await rows[i].locator('[data-rank]').getAttribute('data-rank'), String(it.rank ?? ''));
		assert.equal((await rows[i].locator('[data-test=board-change]').innerText()).trim(), changeText(it.change));
		assert.equal(await rows[i].locator('.pa-tie').count(), it.tie ? 1 : 0);
		const small = Object.values(it.values).filter((v) => v.small).length;
		if (small)
			assert.ok(text.includes(`${small} 项样本不足`), text);
	}
	/* the communities: the same board, the other level */
	await board.locator('[data-test=board-level] label', { hasText: '社区' }).click();
	const c = await api('leader', 'GET', `/api/v1/assess/scores?period=${P}&level=community`);
	await page.waitForFunction((n) => document.querySelectorAll('[data-test=ranking-board] .el-table__body .el-table__row').length === n, c.items.length);
	await board.locator('[data-test=board-level] label', { hasText: '街道' }).click();
	await page.waitForFunction((n) => document.querySelectorAll('[data-test=ranking-board] .el-table__body .el-table__row').length === n, s.items.length);
	await board.scrollIntoViewIfNeeded();
	await ui.shot(page, 'ranking-board');
	await board.locator('.el-table__body .el-table__row').first().click();
	await page.waitForURL((u) => u.pathname === `/assess/street/${s.items[0].unit}` && u.searchParams.get('period') === P);
	await page.locator('[data-test=score-title]', { hasText: s.items[0].name }).waitFor();
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('an assessor closes the month, opens a score, an indicator card and the records behind it', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'assessor');
	await page.waitForURL((u) => u.pathname === '/assess');
	await page.locator('[data-test=period-status][data-status=provisional]').waitFor();
	await page.locator('[data-test=close-period]').click();
	await page.locator('.el-popconfirm .el-button--primary').click();
	await page.locator('[data-test=period-status][data-status=closed][data-version="1"]').waitFor();
	const info = await api('assessor', 'GET', `/api/v1/assess/periods/${P}`);
	assert.equal(info.status, 'closed');
	assert.equal(info.versions.length, 1);
	assert.equal(info.versions[0].computed_by, 'assessor');

	/* the ranking is the snapshot's */
	const s = await api('assessor', 'GET', `/api/v1/assess/scores?period=${P}&level=street`);
	assert.equal(s.status, 'closed');
	const rows = page.locator('[data-test=ranking] .el-table__body .el-table__row');
	assert.equal(await rows.count(), s.items.length);
	const unit = s.items.find((x) => x.unit === XIXING);
	await rows.filter({ hasText: unit.name }).click();
	await page.waitForURL((u) => u.pathname === `/assess/street/${XIXING}`);
	await page.locator('[data-indicator]').first().waitFor();
	assert.equal(await page.locator('[data-indicator]').count(), s.indicators.length);
	assert.equal((await page.locator('[data-stat=score] .pa-stat-value').innerText()).trim(), unit.score.toFixed(2));
	/* each card: its value, numerator / denominator, the small mark */
	for (const ind of s.indicators) {
		const v = unit.values[ind.code];
		const card = page.locator(`[data-indicator=${ind.code}]`);
		assert.equal(await card.locator('[data-test=small]').count(), v.small ? 1 : 0, `${ind.code} small`);
		if (v.value !== null && v.denominator !== null)
			assert.equal((await card.locator('[data-test=ind-fraction]').innerText()).trim(),
				`${Number.isInteger(v.numerator) ? v.numerator : v.numerator.toFixed(2)} / ${Number.isInteger(v.denominator) ? v.denominator : v.denominator.toFixed(2)}`);
		if (ind.unit === 'ratio' && v.value !== null)
			assert.equal((await card.locator('[data-test=ind-value]').innerText()).trim(), `${(100 * v.value).toFixed(2)}%`);
	}
	await ui.shot(page, 'assess-score');

	/* 结案率: the card opens the cases behind it, paged, each a link to its event */
	await page.locator('[data-indicator=I02]').click();
	const drawer = page.locator('.el-drawer:visible');
	await drawer.locator('[data-test=drill-total]').waitFor();
	const d = await api('assessor', 'GET', `/api/v1/assess/drill?period=${P}&level=street&unit=${XIXING}&indicator=I02&limit=20`);
	assert.ok(d.cases.total > 0, 'the street has cases due in the month');
	assert.equal((await drawer.locator('[data-test=drill-total]').innerText()).trim(), `共 ${d.cases.total} 条`);
	const links = drawer.locator('[data-test=case-link]');
	assert.equal(await links.count(), Math.min(20, d.cases.total));
	assert.equal(await links.first().innerText(), d.cases.items[0].receipt);
	/* the numerator's cases */
	await drawer.locator('[data-test=drill-measure] label', { hasText: /^\s*结案数\s*$/ }).click();
	const dc = await api('assessor', 'GET', `/api/v1/assess/drill?period=${P}&level=street&unit=${XIXING}&indicator=I02&measure=closed&limit=20`);
	await page.waitForFunction((n) => document.querySelector('.el-drawer [data-test=drill-total]')?.innerText.trim() === `共 ${n} 条`, dc.cases.total);
	assert.equal(dc.cases.total, unit.values.I02.numerator);
	await links.first().click();
	await page.waitForURL((u) => u.pathname === `/events/${dc.cases.items[0].id}`);
	await page.locator('[data-test=event-state]').waitFor();
	ui.noConsoleErrors(errors);
	await page.context().close();
});

let adjId;
test('a manual item is entered as the API checks it, approved by a leader, and a recompute publishes it as version 2', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'assessor');
	await page.goto(`/assess/adjustments?period=${P}`);
	await idle(page);
	await page.locator('[data-test=adj-add]').click();
	const dlg = page.locator('.el-dialog:visible');
	/* nothing filled in: the form says what is missing and sends nothing */
	let posted = 0;
	page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/api/v1/assess/adjustments')) posted++; });
	await dlg.locator('[data-test=adj-submit]').click();
	await dlg.locator('.el-form-item__error', { hasText: '请选择考评对象' }).waitFor();
	assert.match(await dlg.innerText(), /请填写原因/);
	assert.match(await dlg.innerText(), /请填写依据材料/);
	assert.equal(posted, 0);
	await pick(page, 'adj-unit', '西兴街道');
	await field(dlg, 'adj-points').fill('5');
	await field(dlg, 'adj-points').blur();
	await field(dlg, 'adj-reason').fill('平安创建工作获市级通报表扬');
	await field(dlg, 'adj-evidence').fill('杭平安办〔2026〕12号');
	const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/assess/adjustments') && r.request().method() === 'POST');
	await dlg.locator('[data-test=adj-submit]').click();
	const res = await answer;
	assert.equal(res.status(), 201, await res.text());
	adjId = (await res.json()).id;
	/* the period is closed: it counts at the next recompute */
	await page.locator('.el-message', { hasText: '下次重新计算时计入' }).waitFor();
	await page.locator('[data-test=adj-status][data-status=pending]').waitFor();
	/* the unit by its name (the API's) */
	await page.locator('[data-test=adj-table] .el-table__row', { hasText: '西兴街道' }).waitFor();
	/* who entered it may not decide it */
	assert.equal(await page.locator('[data-test=adj-approve]').count(), 0);
	ui.noConsoleErrors(errors);
	await page.context().close();

	const l = await ui.page();
	await ui.login(l.page, 'leader');
	await l.page.goto(`/assess/adjustments?period=${P}`);
	await l.page.locator('[data-test=adj-approve]').click();
	await l.page.locator('.el-dialog:visible [data-test=dec-submit]').click();
	await l.page.locator('[data-test=adj-status][data-status=approved]').waitFor();
	const items = (await api('leader', 'GET', `/api/v1/assess/adjustments?period=${P}`)).items;
	const it = items.find((x) => x.id === adjId);
	assert.equal(it.status, 'approved');
	assert.equal(it.decided_by, 'leader');
	assert.equal(it.points, 5);
	ui.noConsoleErrors(l.errors);
	await l.page.context().close();

	/* the assessor recomputes: version 2, the street's score up by 5, listed */
	const v1 = (await api('assessor', 'GET', `/api/v1/assess/scores?period=${P}&level=street`)).items.find((x) => x.unit === XIXING);
	const a = await ui.page();
	await ui.login(a.page, 'assessor');
	await a.page.goto(`/assess?period=${P}&level=street`);
	await a.page.locator('[data-test=recompute]').click();
	await a.page.locator('.el-dialog:visible [data-test=recompute-submit]').click();
	await a.page.locator('.el-dialog:visible .el-form-item__error', { hasText: '请填写原因' }).waitFor();
	await field(a.page.locator('.el-dialog:visible'), 'recompute-reason').fill('批准加分后重新计算');
	await a.page.locator('.el-dialog:visible [data-test=recompute-submit]').click();
	await a.page.locator('[data-test=period-status][data-version="2"]').waitFor();
	const changes = a.page.locator('[data-test=recompute-changes]');
	await changes.waitFor();
	assert.match(await changes.innerText(), /已生成第 2 版（取代第 1 版）/);
	const v2 = (await api('assessor', 'GET', `/api/v1/assess/scores?period=${P}&level=street`)).items.find((x) => x.unit === XIXING);
	assert.equal(v1.manual, 0);
	assert.equal(v2.manual, 5);
	const row = changes.locator('.el-table__row', { hasText: '西兴街道' }).first();
	assert.match(await row.innerText(), new RegExp(`${v1.score.toFixed(2)}[\\s\\S]*${v2.score.toFixed(2)}`));
	const ranking = a.page.locator('[data-test=ranking] .el-table__row', { hasText: '西兴街道' });
	assert.match(await ranking.innerText(), new RegExp(v2.score.toFixed(2)));
	assert.match(await a.page.locator('[data-test=period-card]').innerText(), /批准加分后重新计算/);
	/* version 1 stays readable, with its own score */
	await pick(a.page, 'version', '第 1 版');
	await a.page.locator('[data-test=period-status][data-version="1"]').waitFor();
	await a.page.locator('[data-test=ranking] .el-table__row', { hasText: '西兴街道' }).filter({ hasText: v1.score.toFixed(2) }).waitFor();
	assert.equal(new URL(a.page.url()).searchParams.get('version'), '1');
	ui.noConsoleErrors(a.errors);
	await a.page.context().close();
});

test('the server refuses a decision already taken, and the page shows its message', async () => {
	const item = await api('assessor', 'POST', '/api/v1/assess/adjustments', { period: P, level: 'community',
		unit: '330108001001', points: -2, reason: '重复上报较多', evidence: '通报第 3 期' });
	const { page, errors } = await ui.page();
	await ui.login(page, 'leader');
	await page.goto(`/assess/adjustments?period=${P}`);
	const row = page.locator('[data-test=adj-table] .el-table__row', { hasText: '重复上报较多' });
	await row.locator('[data-test=adj-reject]').waitFor();
	/* decided meanwhile in another session */
	await api('leader', 'POST', `/api/v1/assess/adjustments/${item.id}/approve`, {});
	await row.locator('[data-test=adj-reject]').click();
	const dlg = page.locator('.el-dialog:visible');
	await dlg.locator('[data-test=dec-submit]').click();
	await dlg.locator('[data-test=dec-error]', { hasText: '请填写说明' }).waitFor();
	await field(dlg, 'dec-note').fill('证据不足');
	await dlg.locator('[data-test=dec-submit]').click();
	await dlg.locator('[data-test=dec-error]', { hasText: `manual item ${item.id} is already approved` }).waitFor();
	assert.doesNotMatch(await dlg.innerText(), /\{"error"/);
	ui.noConsoleErrors(errors, [`/api/v1/assess/adjustments/${item.id}/reject`]);
	await page.context().close();
});

test('commendation candidates are generated, reviewed, approved and published in the report', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'assessor');
	await page.goto(`/assess/commendations?period=${P}`);
	await idle(page);
	await page.locator('[data-test=assess-commendations] [data-state=empty]').waitFor();
	await field(page, 'gen-top').fill('2');
	await field(page, 'gen-top').blur();
	await page.locator('[data-test=gen-submit]').click();
	const rows = page.locator('[data-test=cand-table] .el-table__body .el-table__row');
	await rows.first().waitFor();
	const c = (await api('assessor', 'GET', `/api/v1/assess/commendations?period=${P}`)).items;
	assert.equal(c.length, 2);
	assert.equal(await rows.count(), 2);
	for (const [i, x] of c.entries()) {
		const text = await rows.nth(i).innerText();
		assert.ok(text.includes(x.name) && text.includes(x.basis), `${text} / ${x.name} ${x.basis}`);
		assert.match(x.basis, /第2版结果/);
	}
	/* approve the first, reject the second */
	await rows.nth(0).locator('[data-test=cand-approve]').click();
	await page.locator('.el-dialog:visible [data-test=dec-submit]').click();
	await rows.nth(0).locator('[data-test=cand-status][data-status=approved]').waitFor();
	await rows.nth(1).locator('[data-test=cand-reject]').click();
	await field(page.locator('.el-dialog:visible'), 'dec-note').fill('与上期重复表彰');
	await page.locator('.el-dialog:visible [data-test=dec-submit]').click();
	await rows.nth(1).locator('[data-test=cand-status][data-status=rejected]').waitFor();
	const after = (await api('assessor', 'GET', `/api/v1/assess/commendations?period=${P}`)).items;
	assert.deepEqual(after.map((x) => x.status), ['approved', 'rejected']);
	/* published: the printable report lists the approved one only */
	const href = await page.locator('[data-test=publish]').getAttribute('href');
	assert.equal(href, `/api/v1/assess/report?period=${P}`);
	const html = await page.evaluate((h) => fetch(h).then((r) => r.text()), href);
	const list = html.slice(html.indexOf('表彰名单'));
	assert.ok(list.includes(after[0].name), 'the approved one is in the report');
	assert.ok(!list.includes(after[1].basis), 'the rejected one is not');
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('a unit is registered and taken through designation: application, check, approval, revocation', async () => {
	/* a grid of the street with no critical event, so the rule is met */
	const grids = (await api('admin', 'GET', `/api/v1/orgs/${XIXING}/grids`)).features.map((f) => f.properties);
	let grid = null;
	for (const g of grids) {
		const r = await api('admin', 'GET', `/api/v1/events?grid=${g.code}&urgency=3&limit=1`);
		if (r.total === 0) {
			grid = g;
			break;
		}
	}
	assert.ok(grid, 'a grid without critical events');
	const { page, errors } = await ui.page();
	await ui.login(page, 'assessor');
	await page.goto('/assess/units');
	await idle(page);
	await page.locator('[data-test=unit-add]').click();
	const dlg = page.locator('.el-dialog:visible');
	await dlg.locator('[data-test=unit-submit]').click();
	await dlg.locator('.el-form-item__error', { hasText: '请填写名称' }).waitFor();
	await field(dlg, 'unit-name').fill('西兴实验小学');
	await pick(page, 'unit-kind', '学校');
	await page.locator('[data-test=unit-grid]').click();
	await page.keyboard.type(grid.name);
	await page.locator('.el-select-dropdown__item:visible', { hasText: grid.name }).first().click();
	await field(dlg, 'unit-address').fill('西兴街道江晖路 1 号');
	await field(dlg, 'unit-contact').fill('王老师');
	await field(dlg, 'unit-phone').fill('0571-88888888');
	await dlg.locator('[data-test=unit-submit]').click();
	const row = page.locator('[data-test=unit-table] .el-table__row', { hasText: '西兴实验小学' });
	await row.waitFor();
	assert.match(await row.innerText(), new RegExp(`学校[\\s\\S]*${grid.name}[\\s\\S]*王老师`));
	const unit = (await api('assessor', 'GET', '/api/v1/units')).items.find((u) => u.name === '西兴实验小学');
	assert.equal(unit.grid, grid.code);
	assert.equal(unit.kind, 'school');

	/* application: the check against the records, shown at once */
	await row.locator('[data-test=unit-apply]').click();
	await page.locator('.el-dialog:visible [data-test=apply-submit]').click();
	const check = page.locator('.el-dialog:visible [data-test=check-result]');
	await check.waitFor();
	assert.equal(await check.getAttribute('data-passed'), 'true');
	assert.match(await check.innerText(), /符合条件[\s\S]*特急事件 0 件/);
	await page.locator('.el-dialog:visible .el-dialog__footer .el-button').click();
	await row.locator('[data-test=unit-desig]', { hasText: '待审批' }).waitFor();
	const d = (await api('assessor', 'GET', '/api/v1/designations?status=applied')).items.find((x) => x.unit === unit.id);
	assert.equal(d.how, 'application');
	assert.equal(d.check.passed, true);
	ui.noConsoleErrors(errors);
	await page.context().close();

	/* approval by a leader (not who applied), for two years */
	const l = await ui.page();
	await ui.login(l.page, 'leader');
	await l.page.goto('/assess/units');
	await l.page.locator('.el-tabs__item', { hasText: '示范单位评定' }).click();
	const drow = l.page.locator('[data-test=desig-table] .el-table__row', { hasText: '西兴实验小学' });
	await drow.locator('[data-test=desig-approve]').click();
	await field(l.page.locator('.el-dialog:visible'), 'desig-years').fill('2');
	await field(l.page.locator('.el-dialog:visible'), 'desig-years').blur();
	await l.page.locator('.el-dialog:visible [data-test=desig-submit]').click();
	await drow.locator('[data-test=desig-status][data-status=designated]').waitFor();
	const dd = await api('leader', 'GET', `/api/v1/designations/${d.id}`);
	assert.equal(dd.status, 'designated');
	const years = (Date.parse(dd.valid_to) - Date.parse(dd.valid_from)) / (365 * 86400e3);
	assert.equal(Math.round(years), 2);
	assert.match(await drow.innerText(), new RegExp(dd.valid_from.slice(0, 4)));
	ui.noConsoleErrors(l.errors);
	await l.page.context().close();

	/* revocation by the assessor, with a note; the history has every step */
	const a = await ui.page();
	await ui.login(a.page, 'assessor');
	await a.page.goto('/assess/units');
	await a.page.locator('.el-tabs__item', { hasText: '示范单位评定' }).click();
	const arow = a.page.locator('[data-test=desig-table] .el-table__row', { hasText: '西兴实验小学' });
	await arow.locator('[data-test=desig-revoke]').click();
	await a.page.locator('.el-dialog:visible [data-test=desig-submit]').click();
	await a.page.locator('.el-dialog:visible [data-test=desig-error]', { hasText: '请填写说明' }).waitFor();
	await field(a.page.locator('.el-dialog:visible'), 'desig-note').fill('发生安全生产事故');
	await a.page.locator('.el-dialog:visible [data-test=desig-submit]').click();
	await arow.locator('[data-test=desig-status][data-status=revoked]').waitFor();
	await arow.locator('[data-test=desig-history]').click();
	const drawer = a.page.locator('.el-drawer:visible');
	await drawer.locator('.el-timeline-item').nth(2).waitFor();
	const h = (await api('assessor', 'GET', `/api/v1/designations/${d.id}`)).history;
	assert.deepEqual(h.map((x) => x.to), ['applied', 'designated', 'revoked']);
	assert.equal(await drawer.locator('.el-timeline-item').count(), 3);
	assert.match(await drawer.innerText(), /发生安全生产事故/);
	ui.noConsoleErrors(a.errors);
	await a.page.context().close();
});

test('a street user sees only its street: its units, its scores', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'street.centre');
	await page.locator('[data-nav="/assess"]').click();
	await page.waitForURL((u) => u.pathname === '/assess');
	const rows = page.locator('[data-test=ranking] .el-table__body .el-table__row');
	await rows.first().waitFor();
	assert.equal(await rows.count(), 1);
	assert.match(await rows.first().innerText(), /西兴街道/);
	/* its communities only, with the district's ranks */
	await page.locator('[data-test=level] label', { hasText: '社区' }).click();
	const mine = await api('street.centre', 'GET', `/api/v1/assess/scores?period=${P}&level=community`);
	const all = await api('leader', 'GET', `/api/v1/assess/scores?period=${P}&level=community`);
	assert.ok(mine.items.length > 0 && mine.items.length < all.items.length);
	await page.waitForFunction((n) => document.querySelectorAll('[data-test=ranking] .el-table__body .el-table__row').length === n, mine.items.length);
	const text = await page.locator('[data-test=ranking]').innerText();
	for (const x of all.items)
		assert.equal(text.includes(x.name), mine.items.some((y) => y.unit === x.unit), x.name);
	/* another street's score page answers as a missing one */
	await page.goto(`/assess/street/${CHANGHE}?period=${P}`);
	await page.locator('[data-test=assess-score] [data-state=empty]').waitFor();
	assert.match(await page.locator('[data-test=assess-score]').innerText(), /不在您的范围内/);
	/* units: its street's only */
	await page.goto('/assess/units');
	await page.locator('[data-test=unit-table] .el-table__row').first().waitFor();
	const units = (await api('street.centre', 'GET', '/api/v1/units')).items;
	assert.ok(units.length > 0);
	assert.ok(!units.some((u) => u.id === otherUnit.id));
	const table = await page.locator('[data-test=unit-table]').innerText();
	assert.ok(!table.includes(otherUnit.name), 'another street\'s unit is not shown');
	for (const u of units)
		assert.ok(table.includes(u.name), u.name);
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('a period the API refuses shows its message in the error state, no raw JSON', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'assessor');
	await page.goto('/assess?period=2026-05-20..2026-05-01&level=street');
	const err = page.locator('[data-state=error]');
	await err.waitFor();
	assert.match(await err.innerText(), /is not a month/);
	assert.doesNotMatch(await page.locator('body').innerText(), /\{"error"/);
	/* a key of the wrong shape is refused by the picker and never sent */
	await page.locator('[data-test=period] input').fill('2026-13');
	await page.keyboard.press('Enter');
	await page.locator('[data-test=period-error]').waitFor();
	ui.noConsoleErrors(errors, ['/api/v1/assess/scores', '/api/v1/assess/periods/']);
	await page.context().close();
});
