// A citizen's report with photos: the form takes at most the server's number
// of photos, sends them after the report with its photo token and says how
// many went; the centre sees them on the event; the tracking page shows none
// and the photos are not served without a session. Once the report is
// closed the citizen rates it on the tracking page, once. Screenshots:
// ui-citizen-photos.png (the receipt), ui-citizen-photos-staff.png,
// ui-citizen-rated.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUi } from './browser.mjs';

/* two small real images, so the staff's browser can draw them */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

let ui;
before(async () => { ui = await startUi(); });
after(async () => { await ui?.stop(); });

test('a citizen sends photos with the report; staff see them; the public does not', async () => {
	const { page, errors } = await ui.page({ mobile: true });
	await page.goto('/citizen');
	await page.locator('[data-test=r-category]').click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: '暴露垃圾' }).first().click();
	await page.locator('textarea[data-test=r-description]').fill('河边垃圾没人清理，附照片');
	await page.locator('[data-test=r-address]').fill('滨江区江边步道');
	assert.match(await page.locator('.pa-photo-hint').innerText(), /最多 3 张照片，仅工作人员可见/);
	/* four picked: the form keeps three and says why */
	const files = [['a.png', 'image/png', PNG], ['b.gif', 'image/gif', GIF], ['c.png', 'image/png', PNG],
		['d.gif', 'image/gif', GIF]].map(([name, mimeType, buffer]) => ({ name, mimeType, buffer }));
	await page.locator('[data-test=r-photo]').setInputFiles(files);
	assert.equal(await page.locator('[data-test=r-photo-names]').innerText(), 'a.png、b.gif、c.png');
	assert.match(await page.locator('[data-test=r-photo-msg]').innerText(), /最多 3 张照片/);
	await page.locator('[data-test=r-submit]').click();
	const receipt = (await page.locator('[data-test=c-receipt]').innerText()).trim();
	assert.match(await page.locator('[data-test=c-photos]').innerText(), /已上传 3 张照片/);
	await ui.shot(page, 'citizen-photos');
	/* the token is nowhere in the browser's storage */
	const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
	assert.doesNotMatch(stored, /[0-9a-f]{48}/);
	/* the tracking page shows the state, no photo */
	await page.locator('[data-test=c-track]').click();
	await page.waitForURL((u) => u.pathname === `/track/${receipt}`);
	await page.locator('[data-test=t-state]').waitFor();
	assert.equal(await page.locator('img[src*="/api/v1/attachments/"]').count(), 0);
	assert.doesNotMatch(await page.content(), /\/api\/v1\/attachments\//);
	ui.noConsoleErrors(errors);

	/* the centre sees the three photos on the event */
	const ev = (await ui.api('GET', '/api/v1/events?state=reported', { as: 'centre' })).json.items
		.find((e) => e.receipt === receipt);
	assert.ok(ev);
	const atts = (await ui.api('GET', `/api/v1/events/${ev.id}/attachments`, { as: 'centre' })).json.items;
	assert.deepEqual(atts.map((a) => a.mime), ['image/png', 'image/gif', 'image/png']);
	/* without a session the photo is not served */
	const anon = await fetch(ui.base + atts[0].url);
	assert.equal(anon.status, 401);
	const staff = await ui.page();
	await ui.login(staff.page, 'centre');
	await staff.page.goto(`/events/${ev.id}`);
	await staff.page.locator('.pa-photo img').first().waitFor();
	assert.equal(await staff.page.locator('.pa-photo').count(), 3);
	await staff.page.waitForFunction(() => [...document.querySelectorAll('.pa-photo img')].every((i) => i.complete && i.naturalWidth === 1));
	await ui.shot(staff.page, 'citizen-photos-staff');
	ui.noConsoleErrors(staff.errors);
	await staff.page.context().close();
	await page.context().close();
});

test('a citizen rates a closed report on the tracking page, once', async () => {
	const filed = await ui.api('POST', '/api/v1/public/reports', { body: { category: '0102',
		address: '滨江区江边步道 8 号', description: '垃圾桶满溢，请清运' } });
	assert.equal(filed.status, 201, filed.text);
	const receipt = filed.json.receipt;
	const ev = (await ui.api('GET', '/api/v1/events?state=reported', { as: 'centre' })).json.items
		.find((e) => e.receipt === receipt);
	const act = async (as, action, body = {}) => {
		const r = await ui.api('POST', `/api/v1/events/${ev.id}/actions/${action}`, { as, body });
		assert.equal(r.status, 200, `${action}: ${r.text}`);
	};
	const { page, errors } = await ui.page({ mobile: true });
	/* open: nothing to rate yet */
	await page.goto(`/track/${receipt}`);
	await page.locator('[data-test=t-state]').waitFor();
	assert.equal(await page.locator('.pa-public-head').evaluate((e) => getComputedStyle(e).backgroundColor),
		'rgb(183, 28, 28)', 'a tracking link opened alone has the public pages\' frame');
	assert.equal(await page.locator('[data-test=t-rate]').count(), 0);
	await act('centre', 'register');
	await act('centre', 'dispatch', { assignee: '330108D01' });
	await act('handler', 'accept');
	await act('handler', 'handle', { note: '已清运' });
	await act('centre', 'verify');
	await act('centre', 'close');
	await page.reload();
	await page.locator('[data-test=t-rate]').waitFor();
	/* no stars: the form says so and sends nothing */
	await page.locator('[data-test=t-rate-submit]').click();
	assert.match(await page.locator('[data-test=t-rate-error]').innerText(), /请选择星级/);
	await page.locator('[data-test=t-stars] .el-rate__item').nth(3).click();
	assert.match(await page.locator('[data-test=t-stars]').innerText(), /满意/);
	await page.locator('textarea[data-test=t-comment]').fill('处理及时');
	await page.locator('[data-test=t-rate-submit]').click();
	await page.locator('[data-test=t-rated]').waitFor();
	assert.equal(await page.locator('[data-test=t-rate]').count(), 0, 'rated once: the form is gone');
	await ui.shot(page, 'citizen-rated');
	const full = (await ui.api('GET', `/api/v1/events/${ev.id}`, { as: 'centre' })).json;
	assert.equal(full.rating, 4);
	assert.equal(full.timeline.at(-1).note, '处理及时');
	/* and after a reload, the rating, not the form */
	await page.reload();
	await page.locator('[data-test=t-rated]').waitFor();
	assert.match(await page.locator('[data-test=t-rated]').innerText(), /您的评价/);
	assert.equal(await page.locator('[data-test=t-rate]').count(), 0);
	ui.noConsoleErrors(errors);
	await page.context().close();
});
