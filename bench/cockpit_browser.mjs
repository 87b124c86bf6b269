/*
 * cockpit_browser.mjs - how long the cockpit takes to render in a real
 * browser against a large database. Measured, never asserted.
 *
 *   node bench/cockpit_browser.mjs --db DIR/p.db [--bin build-bench/pingan] [--runs 5] [--user centre]
 *
 * DIR/demo-accounts.txt gives the password (scripts/bench.sh --keep DIR
 * leaves such a folder with 1 000 000 events). Starts `pingan serve` on a
 * free loopback port with the built web app (web/dist), signs in through
 * Chromium (playwright-core, Debian's /usr/bin/chromium, a fresh temporary
 * profile), then loads
 * /cockpit three times cold (a new context with the session but an empty
 * HTTP cache) and RUNS times warm (a new page of the signed-in context,
 * assets from the HTTP cache). For each it prints
 * navigation start -> the numbers, charts and grid map on screen
 * (window.__pinganCockpitReady, set after the cockpit's render), and the
 * server time of GET /api/v1/stats/events and the grids GeoJSON.
 *
 * Independently of the cockpit's own mark, a probe injected before the page's
 * scripts (PROBE below) checks every animation frame whether every panel has
 * drawn: the five stat cards hold numbers, each ECharts panel (state, trend,
 * places, categories, departments) has a canvas with painted pixels, the
 * Leaflet map's canvas has painted pixels (the grid polygons) and, when the
 * place has overdue events, the overdue list has rows. "all drawn" is the
 * first frame where all of that holds, in ms since navigation start; the
 * medians of both marks are printed, with the CPU time the renderer spent
 * from navigation to that moment (cpuSince below).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) =>
	(v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const db = args.db;
if (!db) {
	console.error('usage: node bench/cockpit_browser.mjs --db DIR/p.db [--bin PATH] [--runs N] [--user NAME]');
	process.exit(2);
}
const bin = args.bin ?? path.join(repo, 'build-bench/pingan');
const runs = Number(args.runs ?? 5);
const user = args.user ?? 'centre';
const accounts = readFileSync(path.join(path.dirname(db), 'demo-accounts.txt'), 'utf8');
const password = accounts.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === user)?.[1];
const { chromium } = createRequire(path.join(repo, 'web/package.json'))('playwright-core');

/* the demo enrols no second factor and its passwords are not changed: as in
 * scripts/bench.sh, the benchmark's server asks for neither */
const env = { ...process.env, PINGAN_WEB_DIR: path.join(repo, 'web/dist'), PINGAN_ACCESS_LOG: 'false',
	PINGAN_TOTP_ROLES: '', PINGAN_PASSWORD_MAX_AGE_DAYS: '0' };
const srv = spawn(bin, ['--db', db, '--listen', '127.0.0.1:0', 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve, reject) => {
	let out = '';
	srv.stdout.on('data', (d) => {
		out += d;
		const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
		if (m)
			resolve(m[1]);
	});
	srv.on('exit', (c) => reject(new Error(`server exited ${c}`)));
});
/* Runs in the page before its scripts: polls every animation frame until
 * every panel of the cockpit has drawn (see the header), then stores the time. */
const PROBE = () => {
	const small = document.createElement('canvas');
	small.width = small.height = 16;
	const sctx = small.getContext('2d', { willReadFrequently: true });
	const painted = (c) => {
		if (!c || !c.width || !c.height)
			return false;
		sctx.clearRect(0, 0, 16, 16);
		sctx.drawImage(c, 0, 0, 16, 16);
		const d = sctx.getImageData(0, 0, 16, 16).data;
		for (let i = 3; i < d.length; i += 4)
			if (d[i])
				return true;
		return false;
	};
	const check = () => {
		const root = document.querySelector('[data-test=cockpit]');
		if (!root)
			return null;
		const cards = root.querySelectorAll('.pa-stat .pa-stat-value');
		if (cards.length < 5 || [...cards].some((c) => !c.textContent.trim()))
			return null;
		const charts = root.querySelectorAll('[_echarts_instance_]');
		if (charts.length < 5 || [...charts].some((c) => !painted(c.querySelector('canvas'))))
			return null;
		const map = root.querySelector('.leaflet-overlay-pane canvas');
		if (!painted(map))
			return null;
		const overdue = Number(root.querySelector('[data-stat=overdue] .pa-stat-value')?.textContent.replace(/[^0-9]/g, '') || 0);
		const rows = root.querySelectorAll('[data-test=overdue-item]').length;
		if (overdue > 0 && !rows)
			return null;
		return { charts: charts.length, rows };
	};
	const tick = () => {
		const r = check();
		if (r) {
			window.__benchAllDrawn = { at: performance.now(), ...r };
			return;
		}
		requestAnimationFrame(tick);
	};
	requestAnimationFrame(tick);
};
/* What the page cost the renderer's main thread (CDP Performance.getMetrics
 * ThreadTime, its CPU time, as a delta from just before navigation), in ms.
 * Other work on the machine stretches the wall-clock marks; it does not
 * stretch this much. (ProcessTime is not used: a warm page moves into the
 * site's existing renderer process, so its delta counts earlier pages too.) */
const cpuNow = async (cdp) => {
	const { metrics } = await cdp.send('Performance.getMetrics');
	return { thread: metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN };
};
const cpuSince = async (cdp, t0) => ({ thread: Math.round(1000 * ((await cpuNow(cdp)).thread - t0.thread)) });
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
	const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
	const page = await context.newPage();
	await page.goto('/login');
	await page.locator('input[name=username]').fill(user);
	await page.locator('input[name=password]').fill(password);
	await page.locator('[data-test=login-submit]').click();
	await page.waitForURL((u) => !u.pathname.startsWith('/login'));
	await page.close();
	const stats = await (await context.request.get(`${base}/api/v1/stats/events?days=1`)).json();
	if (stats.total === undefined)
		console.log(`stats: ${JSON.stringify(stats)}`);
	console.log(`database: ${stats.total} events in scope of ${user} (${stats.name}), ${stats.open} open, ${stats.overdue} overdue`);
	/* cold: a new browser context with the session (cookie and storage) but an
	 * empty HTTP cache, so every script, style and answer is fetched */
	const state = await context.storageState();
	const cold = [], coldAll = [], coldBusy = [];
	for (let i = 0; i < Math.min(3, runs); i++) {
		const c = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, locale: 'zh-CN', storageState: state });
		const p = await c.newPage();
		await p.addInitScript(PROBE);
		const cdp = await c.newCDPSession(p);
		await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
		const cpu0 = await cpuNow(cdp);
		await p.goto('/cockpit');
		await p.waitForFunction(() => window.__pinganCockpitReady && window.__benchAllDrawn, null, { timeout: 60000, polling: 20 });
		const ready = Math.round(await p.evaluate(() => window.__pinganCockpitReady));
		const all = await p.evaluate(() => window.__benchAllDrawn);
		const bytes = await p.evaluate(() => performance.getEntriesByType('resource').reduce((n, e) => n + (e.transferSize || 0), 0));
		const busy = await cpuSince(cdp, cpu0);
		cold.push(ready);
		coldAll.push(Math.round(all.at));
		coldBusy.push(busy.thread);
		console.log(`cold ${i + 1} (empty cache): cockpit on screen ${ready} ms after navigation start, all drawn ${Math.round(all.at)} ms ` +
			`(${all.charts} charts, map, ${all.rows} overdue rows), renderer main thread CPU ${busy.thread} ms, ${Math.round(bytes / 1024)} KB fetched`);
		await c.close();
	}
	const rows = [], allRows = [], busyRows = [];
	for (let i = 0; i < runs; i++) {
		const p = await context.newPage();
		await p.addInitScript(PROBE);
		const cdp = await context.newCDPSession(p);
		await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
		const cpu0 = await cpuNow(cdp);
		const t0 = Date.now();
		await p.goto('/cockpit');
		await p.waitForFunction(() => window.__pinganCockpitReady && window.__benchAllDrawn, null, { timeout: 60000, polling: 20 });
		const r = await p.evaluate(() => {
			const res = performance.getEntriesByType('resource');
			const pick = (s) => res.filter((e) => e.name.includes(s)).map((e) => Math.round(e.responseEnd - e.requestStart));
			return { ready: Math.round(window.__pinganCockpitReady), all: Math.round(window.__benchAllDrawn.at),
				stats: pick('/api/v1/stats/events'), grids: pick('/grids') };
		});
		const wall = Date.now() - t0;
		const busy = await cpuSince(cdp, cpu0);
		rows.push(r.ready);
		allRows.push(r.all);
		busyRows.push(busy.thread);
		console.log(`run ${i + 1} (${i ? 'warm' : 'first: the cockpit code not yet cached'}): cockpit on screen ${r.ready} ms after navigation start, ` +
			`all drawn ${r.all} ms (wall ${wall} ms), renderer main thread CPU ${busy.thread} ms; stats ${r.stats.join('/')} ms, grids ${r.grids.join('/')} ms`);
		await p.close();
	}
	const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
	if (cold.length)
		console.log(`cold: median ${median(cold)} ms on screen, ${median(coldAll)} ms all drawn, max ${Math.max(...coldAll)} ms over ${cold.length} runs;` +
			` renderer main thread CPU ${median(coldBusy)} ms`);
	console.log(`warm: median ${median(rows)} ms on screen, ${median(allRows)} ms all drawn, max ${Math.max(...allRows)} ms over ${runs} runs;` +
		` renderer main thread CPU ${median(busyRows)} ms (load average ${load})`);
} finally {
	await browser.close();
	srv.kill('SIGTERM');
}
