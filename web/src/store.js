/*
 * store.js - what the whole app shares: the signed-in user (GET /api/v1/me),
 * the categories and the departments (read once per session), the unread
 * count of the inbox, and the live stream of changes (Server-Sent Events at
 * /api/v1/stream, reconnecting by itself).
 */
import { reactive } from 'vue';
import { api, session } from './api.js';
import { locale } from './i18n.js';

export const store = reactive({
	user: null,
	loaded: false,
	categories: [],
	departments: [],
	unread: 0,
	live: false,
});

export function hasRole(...roles) {
	return !!store.user && store.user.roles.some((r) => roles.includes(r));
}

/* Whether this browser believes it has a session (the cookie itself is
 * HttpOnly): without it the app goes to the login without asking /me, so a
 * first visit shows no failed request. */
const FLAG = 'pingan.session';
const ME = 'pingan.me';
export function mayHaveSession() {
	return localStorage.getItem(FLAG) === '1';
}

export async function loadMe() {
	if (!mayHaveSession()) {
		store.user = null;
		store.loaded = true;
		return null;
	}
	try {
		store.user = await api.get('/api/v1/me');
		session.expired = false;
		localStorage.setItem(ME, JSON.stringify(store.user));
	} catch (e) {
		store.user = null;
		/* no network: the phone view opens from the service worker's cache
		 * with the user last seen, and sends what it queued later */
		if (e.status === 0 && localStorage.getItem(ME)) {
			store.user = JSON.parse(localStorage.getItem(ME));
			return store.user;
		}
		if (e.status !== 401)
			throw e;
		localStorage.removeItem(FLAG);
		localStorage.removeItem(ME);
	} finally {
		store.loaded = true;
	}
	return store.user;
}

export async function login(username, password) {
	const res = await api.post('/api/v1/auth/login', { username, password });
	localStorage.setItem(FLAG, '1');
	store.categories = [];
	store.departments = [];
	await loadMe();
	return res;
}

export async function logout() {
	stopStream();
	try {
		await api.post('/api/v1/auth/logout');
	} catch { /* the session may be gone already */ }
	localStorage.removeItem(FLAG);
	localStorage.removeItem(ME);
	localStorage.removeItem('pingan.phone');
	store.user = null;
	store.unread = 0;
}

export function sessionEnded() {
	localStorage.removeItem(FLAG);
	localStorage.removeItem(ME);
	stopStream();
	store.user = null;
}

export async function loadCategories() {
	if (!store.categories.length)
		store.categories = (await api.get('/api/v1/categories')).items;
	return store.categories;
}

export function categoryName(code) {
	const c = store.categories.find((x) => x.code === code);
	if (!c)
		return code;
	return locale.value === 'en' && c.name_en ? c.name_en : c.name;
}

/* The district's departments and those of its streets, for dispatch. */
export async function loadDepartments() {
	if (store.departments.length)
		return store.departments;
	/* the scope root's tree: a district user sees the district's bureaus and
	 * each street's offices, a street user its street's */
	const tree = await api.get('/api/v1/orgs', { depth: 2 });
	store.departments = tree.items.filter((o) => o.kind === 'department');
	return store.departments;
}

export function deptName(code) {
	const d = store.departments.find((x) => x.code === code);
	if (!d)
		return code;
	return locale.value === 'en' && d.name_en ? d.name_en : d.name;
}

export async function refreshUnread() {
	try {
		const r = await api.get('/api/v1/inbox', { unread: 'true', limit: 1 });
		store.unread = r.unread;
	} catch { /* shown elsewhere */ }
}

/* ---- Server-Sent Events ---- */
let source = null;
const listeners = new Set();

export function onStream(fn) {
	listeners.add(fn);
	startStream();
	return () => listeners.delete(fn);
}

/* Listeners get ('event', summary) for an event created or changed in the
 * scope (created/changed on the wire), ('inbox', {unread}) and ('hello', …).
 * The browser reconnects by itself (the server asks for 5 s); there is no
 * replay, so a listener reloads what it shows on ('hello'). */
export function startStream() {
	if (source || typeof EventSource === 'undefined' || !store.user)
		return;
	source = new EventSource('/api/v1/stream');
	source.onopen = () => { store.live = true; };
	source.onerror = () => { store.live = false; };
	const deliver = (type) => (ev) => {
		let data = null;
		try {
			data = JSON.parse(ev.data);
		} catch {
			return;
		}
		if ((type === 'inbox' || type === 'hello') && typeof data.unread === 'number')
			store.unread = data.unread;
		if (type === 'bye') {
			stopStream();
			return;
		}
		for (const fn of listeners)
			fn(type, data);
	};
	source.addEventListener('hello', deliver('hello'));
	source.addEventListener('created', deliver('event'));
	source.addEventListener('changed', deliver('event'));
	source.addEventListener('inbox', deliver('inbox'));
	source.addEventListener('bye', deliver('bye'));
}

export function stopStream() {
	if (source) {
		source.close();
		source = null;
	}
	store.live = false;
}
