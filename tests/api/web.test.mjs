// The built web app served from web_dir: types, strong ETags and 304,
// caching of hashed assets, the client-side route fallback, paths that
// must never reach a file, and a server without a built app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, tempDir, removeDir, assertError } from './harness.mjs';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-3f2a9c.js"></script></head><body><div id="app"></div></body></html>\n';
const JS = 'console.log("平安");\n';
const CSS = 'body{margin:0}\n';
const ICON = Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]);

let srv, dist;
before(async () => {
	dist = await tempDir('pingan-dist-');
	await mkdir(path.join(dist, 'assets'));
	await writeFile(path.join(dist, 'index.html'), INDEX);
	await writeFile(path.join(dist, 'assets', 'index-3f2a9c.js'), JS);
	await writeFile(path.join(dist, 'assets', 'index-77aa01.css'), CSS);
	await writeFile(path.join(dist, 'favicon.ico'), ICON);
	await writeFile(path.join(dist, '.hidden'), 'secret');
	srv = await startServer({ demo: false, args: ['--web-dir', dist] });
});
after(async () => {
	await srv?.stop();
	await removeDir(dist);
});

test('index.html at /, revalidated (no-cache) with a strong ETag', async () => {
	const res = await srv.api('GET', '/');
	assert.equal(res.status, 200);
	assert.equal(res.text, INDEX);
	assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
	assert.equal(res.headers.get('cache-control'), 'no-cache');
	const etag = res.headers.get('etag');
	assert.match(etag, /^"[0-9a-f]{16}"$/);
	assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
	const again = await srv.api('GET', '/', { headers: { 'if-none-match': etag } });
	assert.equal(again.status, 304);
	assert.equal(again.text, '');
	assert.equal(again.headers.get('etag'), etag);
	const list = await srv.api('GET', '/', { headers: { 'if-none-match': `"0000000000000000", W/${etag}` } });
	assert.equal(list.status, 304, 'a list and a weak tag match too');
	const other = await srv.api('GET', '/', { headers: { 'if-none-match': '"0000000000000000"' } });
	assert.equal(other.status, 200);
	assert.equal(other.text, INDEX);
});

test('hashed assets: their type, immutable for a year', async () => {
	const js = await srv.api('GET', '/assets/index-3f2a9c.js');
	assert.equal(js.status, 200);
	assert.equal(js.text, JS);
	assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
	assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
	const css = await srv.api('GET', '/assets/index-77aa01.css');
	assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
	assert.notEqual(css.headers.get('etag'), js.headers.get('etag'));
	const ico = await fetch(srv.base + '/favicon.ico');
	assert.equal(ico.status, 200);
	assert.equal(ico.headers.get('content-type'), 'image/x-icon');
	assert.equal(ico.headers.get('cache-control'), 'no-cache');
	assert.deepEqual(Buffer.from(await ico.arrayBuffer()), ICON);
});

test('HEAD answers the headers without the body', async () => {
	const res = await srv.request({ method: 'HEAD', path: '/assets/index-3f2a9c.js' });
	assert.equal(res.status, 200);
	assert.equal(res.text, '');
	assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(JS));
	assert.match(res.headers.get('etag'), /^"[0-9a-f]{16}"$/);
});

test('client-side routes get index.html; missing files and API paths do not', async () => {
	for (const p of ['/events', '/events/42', '/cockpit/330108001', '/a/b/c/d']) {
		const res = await srv.api('GET', p);
		assert.equal(res.status, 200, p);
		assert.equal(res.text, INDEX, p);
		assert.equal(res.headers.get('cache-control'), 'no-cache', p);
	}
	assertError(await srv.api('GET', '/assets/missing-000000.js'), 404, 'no_route');
	assertError(await srv.api('GET', '/robots.txt'), 404, 'no_route');
	assertError(await srv.api('GET', '/.hidden'), 404, 'no_route');
	assertError(await srv.api('GET', '/api/v1/nothing-here'), 404, 'no_route');
	assertError(await srv.api('GET', '/api'), 404, 'no_route');
	assertError(await srv.api('GET', '/healthz/x'), 404, 'no_route');

	assertError(await srv.api('POST', '/events/42', { body: {} }), 404, 'no_route');
	const o311 = await srv.api('GET', '/open311/v2/nothing.json');
	assert.equal(o311.status, 404);
	assert.notEqual(o311.text, INDEX);
	const health = await srv.api('GET', '/healthz');
	assert.equal(health.json.status, 'ok');
});

test('files served count under one metrics label', async () => {
	await srv.api('GET', '/events/7');
	const m = await srv.api('GET', '/metrics');
	assert.match(m.text, /pingan_http_requests_total\{method="GET",route="\(web\)",status="200"\} \d+/);
	assert.doesNotMatch(m.text, /route="\/events/);
});

test('paths out of the folder never reach a file', async () => {
	for (const p of ['/../../../../etc/passwd', '/assets/../index.html', '/%2e%2e/%2e%2e/etc/passwd',
		'/assets/..%2f..%2f..%2fetc%2fpasswd', '/assets//index-3f2a9c.js', '/assets\\index-3f2a9c.js',
		'/./index.html', '/index.html/']) {
		const res = await srv.request({ path: p });
		assert.ok(res.status === 404 || res.status === 400, `${p}: ${res.status}`);
		assert.doesNotMatch(res.text, /root:|<div id="app">/, p);
	}
});

test('without a built app the API works and / says how to build it', async () => {
	const s = await startServer({ demo: false, args: ['--web-dir', path.join(dist, 'no-such-dir')] });
	try {
		const html = await s.api('GET', '/', { headers: { accept: 'text/html,application/xhtml+xml' } });
		assert.equal(html.status, 404);
		assert.match(html.headers.get('content-type'), /^text\/html/);
		assert.match(html.text, /npm run build/);
		assert.match(html.text, /web_dir/);
		const note = await s.api('GET', '/events/1');
		assertError(note, 404, 'no_route');
		assert.match(note.json.error.message, /web app is not built.*npm run build/);
		assertError(await s.api('GET', '/assets/index-3f2a9c.js'), 404, 'no_route');
		assert.equal((await s.api('GET', '/healthz')).status, 200);
		assert.ok(s.logs().some((l) => l.level === 'warn' && /npm run build/.test(l.msg ?? l.message ?? '')),
			'the server says at start that there is no web app');
	} finally {
		await s.stop();
	}
});
