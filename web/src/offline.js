/*
 * offline.js - the outbox of the grid-worker view. Every report is first
 * written to IndexedDB with a client_id (a random UUID made once), then sent;
 * when the network is down it waits and is sent when the network returns
 * (the "online" event, the next start, or every 30 s). The server treats a
 * second POST with the same client_id as the same report, so a report whose
 * answer was lost is never filed twice. Photos go with it as Blobs and are
 * uploaded once the event exists, each marked sent as it goes. Each report
 * belongs to the user who made it: another user signing in on the same
 * phone neither sees nor sends it.
 */
import { reactive } from 'vue';
import { api } from './api.js';
import { store } from './store.js';

const DB = 'pingan';
const STORE = 'outbox';
export const outbox = reactive({ items: [], sending: false, lastError: '' });

function open() {
	return new Promise((resolve, reject) => {
		const req = indexedDB.open(DB, 1);
		req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'client_id' });
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error);
	});
}

async function tx(mode, fn) {
	const db = await open();
	return new Promise((resolve, reject) => {
		const t = db.transaction(STORE, mode);
		const s = t.objectStore(STORE);
		let out;
		Promise.resolve(fn(s)).then((v) => { out = v; });
		t.oncomplete = () => { db.close(); resolve(out); };
		t.onerror = () => { db.close(); reject(t.error); };
	});
}

function all() {
	return tx('readonly', (s) => new Promise((resolve) => {
		const r = s.getAll();
		r.onsuccess = () => resolve(r.result);
	}));
}

const put = (item) => tx('readwrite', (s) => { s.put(item); });
const remove = (id) => tx('readwrite', (s) => { s.delete(id); });

export async function refresh() {
	const items = (await all()).filter((x) => x.user === (store.user?.username ?? ''));
	outbox.items = items.sort((a, b) => a.created - b.created)
		.map(({ client_id, body, created, error, event, photos, sent }) => ({ client_id, title: body.title, created, error,
			event, photos: photos.length, sent: sent ?? 0 }));
	return outbox.items;
}

function uuid() {
	if (crypto.randomUUID)
		return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/* Queues one report; photos are File/Blob objects. Returns the client_id. */
export async function enqueue(body, photos = []) {
	const blobs = [];
	for (const p of photos)
		blobs.push({ type: p.type || 'application/octet-stream', data: await p.arrayBuffer() });
	const item = { client_id: uuid(), user: store.user?.username ?? '', body, photos: blobs, sent: 0, created: Date.now(),
		event: null, error: '' };
	await put(item);
	await refresh();
	return item.client_id;
}

/* Sends what waits, oldest first. Stops at the first network failure; a
 * report the server refuses (4xx) stays with the server's message. */
export async function flush() {
	if (outbox.sending)
		return { sent: 0 };
	outbox.sending = true;
	outbox.lastError = '';
	let sent = 0;
	try {
		for (const item of await all()) {
			/* a report is sent only by the user who made it */
			if (item.error || item.user !== (store.user?.username ?? ''))
				continue;
			try {
				if (!item.event) {
					const ev = await api.post('/api/v1/events', { ...item.body, client_id: item.client_id });
					item.event = { id: ev.id, receipt: ev.receipt };
					await put(item);
				}
				while (item.sent < item.photos.length) {
					const p = item.photos[item.sent];
					await api.upload(`/api/v1/events/${item.event.id}/attachments`, new Blob([p.data], { type: p.type }));
					item.sent++;
					await put(item);
				}
				await remove(item.client_id);
				sent++;
			} catch (e) {
				if (e.status === 0 || e.status >= 500 || e.status === 401 || e.status === 429) {
					outbox.lastError = e.message;
					break;
				}
				item.error = e.message;
				await put(item);
			}
		}
	} finally {
		outbox.sending = false;
		await refresh();
	}
	return { sent };
}

export async function drop(clientId) {
	await remove(clientId);
	await refresh();
}

let started = false;
export function startOutbox() {
	if (started)
		return;
	started = true;
	refresh().then(() => flush());
	window.addEventListener('online', () => flush());
	setInterval(() => { if (navigator.onLine && outbox.items.length) flush(); }, 30000);
}
