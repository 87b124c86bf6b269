/*
 * sw.js - the service worker that makes the grid-worker view open without a
 * network: pages are fetched from the network first and fall back to the
 * cached app shell; hashed assets (/assets/*) are cached on first use and
 * served from the cache; the page also hands over the assets it loaded
 * before the worker took control. The API is never cached: reports made
 * offline wait in IndexedDB (src/offline.js), not here.
 */
const CACHE = 'pingan-shell-v1';
const SHELL = ['/', '/m', '/manifest.webmanifest', '/icon.svg'];

self.addEventListener('install', (e) => {
	e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
	e.waitUntil((async () => {
		for (const k of await caches.keys())
			if (k !== CACHE)
				await caches.delete(k);
		await self.clients.claim();
	})());
});

self.addEventListener('message', (e) => {
	if (e.data && e.data.type === 'cache' && Array.isArray(e.data.urls)) {
		const urls = e.data.urls.filter((u) => {
			try {
				const p = new URL(u, self.location.origin);
				return p.origin === self.location.origin && p.pathname.startsWith('/assets/');
			} catch {
				return false;
			}
		});
		e.waitUntil(caches.open(CACHE).then((c) => Promise.all(urls.map((u) =>
			c.match(u).then((hit) => hit || c.add(u)).catch(() => null)))));
	}
});

self.addEventListener('fetch', (e) => {
	const req = e.request;
	if (req.method !== 'GET')
		return;
	const url = new URL(req.url);
	if (url.origin !== self.location.origin || url.pathname.startsWith('/api/') || url.pathname === '/healthz'
		|| url.pathname === '/metrics' || url.pathname.startsWith('/open311/'))
		return;
	if (url.pathname.startsWith('/assets/')) {
		e.respondWith(caches.open(CACHE).then(async (c) => {
			const hit = await c.match(req);
			if (hit)
				return hit;
			const res = await fetch(req);
			if (res.ok)
				c.put(req, res.clone());
			return res;
		}));
		return;
	}
	if (req.mode === 'navigate') {
		e.respondWith((async () => {
			try {
				const res = await fetch(req);
				if (res.ok) {
					const c = await caches.open(CACHE);
					c.put('/', res.clone());
				}
				return res;
			} catch {
				const c = await caches.open(CACHE);
				return (await c.match('/')) || (await c.match(req)) || Response.error();
			}
		})());
		return;
	}
	e.respondWith(fetch(req).catch(async () => (await caches.match(req)) || Response.error()));
});
