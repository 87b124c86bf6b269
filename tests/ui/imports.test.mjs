// The system administrator's import screen: a divisions CSV is checked (the
// dry run's counts, nothing written), then imported (in the org tree and the
// audit log); a bad file shows the server's message with its line and cannot
// be imported; a grids GeoJSON is checked and imported; the screen is the
// admin's only. Screenshots: ui-imports.png, ui-imports-error.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUi } from './browser.mjs';

let ui, community;
before(async () => {
	ui = await startUi();
	const kids = await ui.api('GET', '/api/v1/orgs/330108001/children', { as: 'admin' });
	community = kids.json.items.find((o) => o.kind === 'community').code;
});
after(async () => { await ui?.stop(); });

const GOOD = 'code,name\n330108001087,界面导入社区甲\n330108001088,界面导入社区乙\n';
const BAD = 'code,name\n330108001089,界面导入社区丙\n330108099001,孤儿社区\n';
const org = (code) => ui.api('GET', `/api/v1/orgs/${code}`, { as: 'admin' });
const pick = (page, name, text, mimeType = 'text/csv') =>
	page.locator('[data-test=import-file]').setInputFiles({ name, mimeType, buffer: Buffer.from(text) });

test('the admin checks, then imports a divisions CSV; a bad file shows its line', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'admin');
	/* in the admin's menu (a folded sub-menu) */
	assert.equal(await page.locator('[data-nav="/admin/imports"]').count(), 1);
	await page.goto('/admin/imports');
	assert.match(await page.locator('[data-test=import-format]').innerText(), /code、name/);
	/* nothing to import before a check */
	assert.ok(await page.locator('[data-test=import-run]').isDisabled());
	await pick(page, 'communities.csv', GOOD);
	assert.match(await page.locator('[data-test=import-name]').innerText(), /communities\.csv/);
	await page.locator('[data-test=import-check]').click();
	const checked = page.locator('[data-test=import-checked]');
	await checked.waitFor();
	assert.match(await checked.innerText(), /共 2 条：新增 2，修改 0，不变 0/);
	assert.equal((await org('330108001087')).status, 404, 'the check wrote nothing');
	await page.locator('[data-test=import-run]').click();
	const done = page.locator('[data-test=import-done]');
	await done.waitFor();
	assert.match(await done.innerText(), /导入完成[\s\S]*共 2 条：新增 2/);
	await ui.shot(page, 'imports');
	const o = await org('330108001087');
	assert.equal(o.status, 200);
	assert.equal(o.json.name, '界面导入社区甲');
	const audit = (await ui.api('GET', '/api/v1/audit?action=config.import', { as: 'auditor' })).json.items;
	assert.equal(audit.length, 1);
	assert.equal(audit[0].username, 'admin');
	/* a bad file: the server's message, with its line; no import button */
	await page.locator('button', { hasText: '导入其他文件' }).click();
	await pick(page, 'bad.csv', BAD);
	await page.locator('[data-test=import-check]').click();
	const err = page.locator('[data-test=import-error]');
	await err.waitFor();
	const text = await err.innerText();
	assert.match(text, /line 3: parent '330108099' of '330108099001' does not exist/);
	assert.match(text, /没有导入任何数据/);
	assert.ok(await page.locator('[data-test=import-run]').isDisabled());
	await ui.shot(page, 'imports-error');
	assert.equal((await org('330108001089')).status, 404);
	ui.noConsoleErrors(errors, ['/api/v1/imports/divisions']);
	await page.context().close();
});

test('a grids GeoJSON is checked and imported; changing the kind asks for a new check', async () => {
	const code = `${community}980`;
	const geo = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature',
		properties: { code, name: '界面导入网格' }, geometry: { type: 'Polygon',
			coordinates: [[[120.3, 30.2], [120.301, 30.2], [120.301, 30.201], [120.3, 30.201], [120.3, 30.2]]] } }] });
	const { page, errors } = await ui.page();
	await ui.login(page, 'admin');
	await page.goto('/admin/imports');
	await page.locator('[data-kind=grids]').click();
	assert.match(await page.locator('[data-test=import-format]').innerText(), /FeatureCollection/);
	await pick(page, 'grids.geojson', geo, 'application/geo+json');
	await page.locator('[data-test=import-check]').click();
	await page.locator('[data-test=import-checked]').waitFor();
	/* another kind: the check is void */
	await page.locator('[data-kind=population]').click();
	assert.equal(await page.locator('[data-test=import-checked]').count(), 0);
	assert.ok(await page.locator('[data-test=import-run]').isDisabled());
	await page.locator('[data-kind=grids]').click();
	await page.locator('[data-test=import-check]').click();
	await page.locator('[data-test=import-checked]').waitFor();
	await page.locator('[data-test=import-run]').click();
	const done = page.locator('[data-test=import-done]');
	await done.waitFor();
	const said = await done.innerText();
	assert.match(said, /新增 1/);
	/* the running server locates in the new grid at once: no restart asked for */
	assert.doesNotMatch(said, /重启/);
	const at = await ui.api('GET', '/api/v1/locate?lon=120.3005&lat=30.2005', { as: 'admin' });
	assert.equal(at.json.grid?.code, code);
	const g = await org(code);
	assert.equal(g.status, 200);
	assert.equal(g.json.kind, 'grid');
	ui.noConsoleErrors(errors);
	await page.context().close();
});

test('the centre has no import screen', async () => {
	const { page, errors } = await ui.page();
	await ui.login(page, 'centre');
	assert.equal(await page.locator('[data-nav="/admin/imports"]').count(), 0);
	await page.goto('/admin/imports');
	await page.locator('[data-test=not-found]').waitFor();
	ui.noConsoleErrors(errors);
	await page.context().close();
});
