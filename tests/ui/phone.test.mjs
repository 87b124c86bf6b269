// The grid worker's phone view: installable (manifest, service worker), a
// report with the GPS position made without a network waits in IndexedDB
// and sends itself when the network returns, once; a report whose answer
// was lost on the way is not filed twice; the view opens again offline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { interiorPoint } from '../api/harness.mjs';
import { startUi, until } from './browser.mjs';

let ui, point;
before(async () => {
	ui = await startUi();
	const g = await ui.api('GET', '/api/v1/orgs/330108001001/grids', { as: 'admin' });
	const [lon, lat] = interiorPoint(g.json.features.find((f) => f.properties.code === '330108001001001').geometry);
	point = { longitude: lon, latitude: lat };
});
after(async () => { await ui?.stop(); });

function field(scope, name) {
	return scope.locator(`input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`).first();
}

async function fillReport(page, title) {
	await page.locator('[data-tab=report]').click();
	await page.locator('[data-test=r-category]:visible').click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: '暴露垃圾' }).first().click();
	await field(page, 'r-title').fill(title);
	await page.locator('[data-test=r-gps]:visible').click();
	await page.waitForFunction(() => [...document.querySelectorAll('[data-test=r-point]')].some((e) => /\d+\.\d{6}, \d+\.\d{6}/.test(e.innerText)));
}

async function count(title) {
	const r = await ui.api('GET', `/api/v1/events?q=${encodeURIComponent(title)}`, { as: 'centre' });
	assert.equal(r.status, 200);
	return r.json.items.filter((e) => e.title === title).length;
}

let ctx;
test('the phone view is installable: manifest, icon, service worker', async () => {
	ctx = await ui.page({ mobile: true, geolocation: point });
	const { page, errors } = ctx;
	await ui.login(page, 'gridworker');
	await page.waitForURL((u) => u.pathname === '/m');
	await page.locator('[data-test=phone]').waitFor();
	const manifest = await page.evaluate(async () => {
		const href = document.querySelector('link[rel=manifest]').href;
		const r = await fetch(href);
		return { type: r.headers.get('content-type'), json: await r.json() };
	});
	assert.match(manifest.type, /manifest\+json/);
	assert.equal(manifest.json.start_url, '/m');
	assert.equal(manifest.json.display, 'standalone');
	assert.ok(manifest.json.icons.length > 0);
	const sw = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.state ?? null));
	assert.ok(['activating', 'activated'].includes(sw), `service worker ${sw}`);
	/* touch targets are big: the bottom tabs are at least 48 px high */
	const h = await page.locator('[data-tab=report]').evaluate((e) => e.getBoundingClientRect().height);
	assert.ok(h >= 48, `tab height ${h}`);
	ui.noConsoleErrors(errors);
});

test('a report made offline waits, then sends itself once when the network returns', async () => {
	const { page, context, errors } = ctx;
	const title = '离线上报：楼道堆放杂物';
	await fillReport(page, title);
	await context.setOffline(true);
	await page.locator('[data-test=r-submit]:visible').click();
	await page.locator('[data-test=queued]').waitFor();
	assert.match(await page.locator('[data-test=queued]').innerText(), /待发送 1 条/);
	assert.match(await page.locator('[data-test=notice]').innerText(), /已保存/);
	assert.equal(await page.locator('[data-test=net]').innerText(), '离线');
	/* it is in IndexedDB, not on the server */
	const stored = await page.evaluate(() => new Promise((resolve) => {
		const r = indexedDB.open('pingan');
		r.onsuccess = () => {
			const q = r.result.transaction('outbox').objectStore('outbox').getAll();
			q.onsuccess = () => resolve(q.result.map((x) => ({ title: x.body.title, id: x.client_id, lon: x.body.lon })));
		};
	}));
	assert.equal(stored.length, 1);
	assert.equal(stored[0].title, title);
	assert.match(stored[0].id, /^[0-9a-f-]{36}$/);
	assert.ok(Math.abs(stored[0].lon - point.longitude) < 1e-6, 'the GPS position went with it');
	await ui.shot(page, 'phone-offline');
	assert.equal(await count(title), 0);
	await context.setOffline(false);
	await page.locator('[data-test=queued]').waitFor({ state: 'detached' });
	await until(async () => (await count(title)) === 1, 10000, 'the queued report reached the server');
	const ev = (await ui.api('GET', `/api/v1/events?q=${encodeURIComponent(title)}`, { as: 'centre' })).json.items[0];
	assert.equal(ev.grid, '330108001001001');
	assert.equal(ev.source, 'grid_worker');
	/* the page and the service worker keep working: no error on the way */
	ui.noConsoleErrors(errors, ['ERR_INTERNET_DISCONNECTED']);
});

test('a report whose answer was lost is sent again and filed once (client_id)', async () => {
	const { page, errors } = ctx;
	const title = '回执丢失：路灯不亮';
	let posts = 0, firstStatus = '', lost;
	const lostDone = new Promise((r) => { lost = r; });
	await page.route('**/api/v1/events', async (route) => {
		if (route.request().method() !== 'POST')
			return route.continue();
		posts++;
		if (posts === 1) {
			/* the server files it, the phone never hears the answer */
			const res = await route.fetch();
			firstStatus = `${res.status()} ${await res.text()}`;
			await route.abort('connectionreset');
			return lost();
		}
		return route.continue();
	});
	await fillReport(page, title);
	await page.locator('[data-test=r-submit]:visible').click();
	await lostDone;
	/* the phone gave up on this try: the report waits, the button is free */
	await page.locator('[data-test=queued] button:not([disabled])').waitFor();
	assert.match(firstStatus, /^201 /);
	assert.equal(await count(title), 1, 'the server has it already');
	await page.locator('[data-test=queued] button').click();
	await page.locator('[data-test=queued]').waitFor({ state: 'detached' });
	assert.equal(posts, 2);
	assert.equal(await count(title), 1, 'and still once');
	await page.unroute('**/api/v1/events');
	ui.noConsoleErrors(errors, ['ERR_CONNECTION_RESET', 'ERR_INTERNET_DISCONNECTED']);
});

test('without a network the view opens again from the service worker', async () => {
	const { page, context, errors } = ctx;
	await page.locator('[data-tab=tasks]').click();
	await page.locator('[data-test=task]').first().waitFor();
	await ui.shot(page, 'phone');
	await context.setOffline(true);
	await page.reload();
	await page.locator('[data-test=phone]').waitFor();
	assert.equal(await page.locator('[data-test=net]').innerText(), '离线');
	assert.ok(await page.locator('[data-test=task]').count() >= 1, 'the last tasks seen');
	await context.setOffline(false);
	ui.noConsoleErrors(errors, ['ERR_INTERNET_DISCONNECTED', 'ERR_CONNECTION_RESET', '/api/v1/']);
	await context.close();
});
