/*
 * browser.mjs - the browser tests' harness: the real pingan binary (through
 * tests/api/harness.mjs, with the demo district) serving the built web app
 * from web/dist, and Debian's Chromium driven by playwright-core (from
 * web/node_modules; it never downloads a browser).
 *
 *   const ui = await startUi();                 // server + browser
 *   const { page, errors } = await ui.page();   // fresh context, console watched
 *   await ui.login(page, 'centre');             // through the login form
 *   ui.noConsoleErrors(errors);                 // asserts nothing went wrong
 *   await ui.stop();
 *
 * Screenshots go to tests/artifacts/ (ui.shot(page, 'cockpit')).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../api/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../..');
export const DIST = process.env.PINGAN_WEB_DIST || path.join(REPO, 'web/dist');
export const ARTIFACTS = path.join(REPO, 'tests/artifacts');
export const CHROMIUM = process.env.PINGAN_CHROMIUM || '/usr/bin/chromium';

const require = createRequire(path.join(REPO, 'web/package.json'));
const { chromium } = require('playwright-core');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage', '--lang=zh-CN'];

/* Console messages that are errors, and uncaught exceptions in the page. A
 * test that provokes a failing request on purpose names it in `allow`. */
function watch(page) {
	const errors = [];
	page.on('console', (m) => {
		if (m.type() === 'error')
			errors.push({ text: m.text(), url: m.location()?.url ?? '' });
	});
	page.on('pageerror', (e) => errors.push({ text: `pageerror: ${e.message}`, url: '' }));
	return errors;
}

export class Ui {
	constructor(srv, browser) {
		this.srv = srv;
		this.browser = browser;
		this.base = srv.base;
		this.contexts = [];
	}

	/* A fresh browser context (own cookies, storage, service worker). */
	async page({ viewport = { width: 1440, height: 900 }, mobile = false, geolocation, locale = 'zh-CN' } = {}) {
		const opts = { viewport, locale, timezoneId: 'Asia/Shanghai', baseURL: this.base };
		if (mobile)
			Object.assign(opts, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
		if (geolocation) {
			opts.geolocation = geolocation;
			opts.permissions = ['geolocation'];
		}
		const context = await this.browser.newContext(opts);
		context.setDefaultTimeout(15000);
		this.contexts.push(context);
		const page = await context.newPage();
		const errors = watch(page);
		return { context, page, errors };
	}

	/* Signs in through the form and waits for the landing screen. */
	async login(page, username, password = this.srv.accounts[username]) {
		assert.ok(password, `no password for ${username}`);
		await page.goto('/login');
		await page.locator('input[name=username]').fill(username);
		await page.locator('input[name=password]').fill(password);
		await page.locator('[data-test=login-submit]').click();
		await page.waitForURL((u) => !u.pathname.startsWith('/login'));
	}

	noConsoleErrors(errors, allow = []) {
		const bad = errors.filter((e) => !allow.some((a) => (a instanceof RegExp ? a.test(e.text) || a.test(e.url) : e.text.includes(a) || e.url.includes(a))));
		assert.deepEqual(bad, [], `console errors:\n${bad.map((e) => `${e.text} ${e.url}`).join('\n')}`);
	}

	async shot(page, name) {
		await mkdir(ARTIFACTS, { recursive: true });
		const file = path.join(ARTIFACTS, `ui-${name}.png`);
		await page.screenshot({ path: file, fullPage: false });
		return file;
	}

	/* An API call as a demo user (bearer token), for setting up and checking. */
	api(method, p, opts = {}) {
		return this.srv.api(method, p, opts);
	}

	async stop() {
		for (const c of this.contexts)
			await c.close().catch(() => {});
		await this.browser.close().catch(() => {});
		await this.srv.stop();
	}
}

export async function startUi({ env = {}, demoEnv = {}, args = [] } = {}) {
	assert.ok(existsSync(path.join(DIST, 'index.html')), `no built web app in ${DIST}: run (cd web && npm run build)`);
	assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: scripts/deps.sh installs it`);
	const srv = await startServer({ env: { PINGAN_WEB_DIR: DIST, ...env }, demoEnv, args });
	let browser;
	try {
		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true,
			chromiumSandbox: false, timeout: 60000 });
	} catch (e) {
		await srv.stop();
		throw e;
	}
	return new Ui(srv, browser);
}

/* Waits until fn() is truthy (polling the API, say), at most ms. */
export async function until(fn, ms = 15000, what = 'condition') {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			assert.fail(`${what} not met within ${ms} ms`);
		await new Promise((r) => setTimeout(r, 100));
	}
}
