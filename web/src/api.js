/*
 * api.js - the one way the app talks to the server: same-origin fetch with
 * the session cookie, JSON in and out, and every failure as an ApiError that
 * carries the server's {"error":{"code","message"}} so screens show the
 * server's own message, never raw JSON. A 401 sends the user to the login.
 */
import { reactive } from 'vue';

export class ApiError extends Error {
	constructor(status, code, message) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

/* Listeners for "the session ended" (set by the router). */
export const session = reactive({ expired: false });

function query(params) {
	if (!params)
		return '';
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params))
		if (v !== undefined && v !== null && v !== '')
			q.set(k, Array.isArray(v) ? v.join(',') : String(v));
	const s = q.toString();
	return s ? `?${s}` : '';
}

export async function request(method, path, { body, params, raw, headers = {}, signal } = {}) {
	const h = { Accept: 'application/json', ...headers };
	let payload;
	if (raw !== undefined) {
		payload = raw;
	} else if (body !== undefined) {
		payload = JSON.stringify(body);
		h['Content-Type'] = 'application/json';
	}
	let res;
	try {
		res = await fetch(path + query(params), { method, headers: h, body: payload,
			credentials: 'same-origin', signal });
	} catch (e) {
		if (e.name === 'AbortError')
			throw e;
		throw new ApiError(0, 'network', e.message || 'network error');
	}
	const text = await res.text();
	let json = null;
	if (text) {
		try {
			json = JSON.parse(text);
		} catch {
			json = null;
		}
	}
	if (!res.ok) {
		const err = json && json.error ? json.error : { code: `http_${res.status}`, message: res.statusText };
		const e = new ApiError(res.status, err.code, err.message);
		e.retryAfter = Number(res.headers.get('Retry-After')) || 0;
		e.body = json;
		if (res.status === 401 && !path.startsWith('/api/v1/auth/') && !path.startsWith('/api/v1/public/'))
			session.expired = true;
		throw e;
	}
	return json ?? (raw !== undefined ? text : {});
}

export const api = {
	get: (p, params, o = {}) => request('GET', p, { params, ...o }),
	post: (p, body = {}, o = {}) => request('POST', p, { body, ...o }),
	put: (p, body = {}, o = {}) => request('PUT', p, { body, ...o }),
	del: (p, o = {}) => request('DELETE', p, o),
	upload: (p, file) => request('POST', p, { raw: file,
		headers: { 'Content-Type': file.type || 'application/octet-stream' } }),
	url: (p, params) => p + query(params),
};
