// Attachments: streamed to disk, typed from their bytes, stored once by their
// SHA-256, served only to users who may see the event, counted as evidence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { startServer, assertError } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer({ args: ['--max-upload', '100000'] });
});
after(async () => {
	await srv?.stop();
});

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('a small png body')]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(5000, 7)]);
const PDF = Buffer.from('%PDF-1.4\n% test\n');

async function newEvent(street = '330108001') {
	/* a point inside a grid of the street */
	const grids = await srv.api('GET', `/api/v1/orgs/${street}/grids`, { as: 'centre' });
	const ring = grids.json.features[0].geometry.coordinates[0];
	const ring0 = Array.isArray(ring[0][0]) ? ring[0] : ring;
	let lon = 0, lat = 0;
	for (const [x, y] of ring0.slice(0, -1)) {
		lon += x;
		lat += y;
	}
	lon /= ring0.length - 1;
	lat /= ring0.length - 1;
	const res = await srv.api('POST', '/api/v1/events', { as: 'centre',
		body: { category: '0102', title: '附件测试', address: '测试地址', lon, lat } });
	assert.equal(res.status, 201, res.text);
	return res.json;
}

async function upload(id, bytes, as = 'centre', headers = {}) {
	return srv.api('POST', `/api/v1/events/${id}/attachments`, { as, raw: bytes,
		headers: { 'content-type': 'application/octet-stream', ...headers } });
}

test('an image uploads, is typed from its bytes and downloads unchanged', async () => {
	const e = await newEvent();
	const res = await upload(e.id, PNG, 'centre', { 'content-type': 'text/plain' });
	assert.equal(res.status, 201, res.text);
	assert.equal(res.json.mime, 'image/png', 'the bytes decide, not the client');
	assert.equal(res.json.size, PNG.length);
	assert.equal(res.json.sha256, createHash('sha256').update(PNG).digest('hex'));
	assert.equal(res.json.sm3, createHash('sm3').update(PNG).digest('hex'), 'its SM3 kept with it');
	assert.equal(res.headers.get('location'), `/api/v1/attachments/${res.json.id}`);
	const got = await fetch(srv.base + res.json.url, {
		headers: { authorization: `Bearer ${(await srv.session('centre')).token}` } });
	assert.equal(got.status, 200);
	assert.equal(got.headers.get('content-type'), 'image/png');
	assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
	assert.deepEqual(Buffer.from(await got.arrayBuffer()), PNG);
	const list = await srv.api('GET', `/api/v1/events/${e.id}/attachments`, { as: 'centre' });
	assert.deepEqual(list.json.items.map((x) => [x.id, x.sm3]), [[res.json.id, res.json.sm3]]);
});

test('JPEG and PDF are accepted; text, HTML and empty bodies are not', async () => {
	const e = await newEvent();
	assert.equal((await upload(e.id, JPEG)).json.mime, 'image/jpeg');
	assert.equal((await upload(e.id, PDF)).json.mime, 'application/pdf');
	assertError(await upload(e.id, Buffer.from('just text')), 415, 'unsupported_media_type');
	assertError(await upload(e.id, Buffer.from('<html><script>alert(1)</script>')), 415,
		'unsupported_media_type');
	assertError(await upload(e.id, Buffer.alloc(0)), 400, 'missing_field');
});

test('the same file twice is stored once', async () => {
	const e = await newEvent();
	const a = await upload(e.id, JPEG);
	const b = await upload(e.id, JPEG);
	assert.equal(a.status, 201);
	assert.equal(b.status, 201);
	assert.notEqual(a.json.id, b.json.id);
	assert.equal(a.json.sha256, b.json.sha256);
	const dir = path.join(srv.dir, 'attachments', a.json.sha256.slice(0, 2));
	assert.deepEqual(await readdir(dir), [a.json.sha256]);
	assert.deepEqual(await readdir(path.join(srv.dir, 'attachments', 'tmp')), [],
		'no upload is left behind');
});

test('too big: 413, by Content-Length and while streaming', async () => {
	const e = await newEvent();
	const big = Buffer.concat([PNG, Buffer.alloc(150000)]);
	assertError(await upload(e.id, big), 413, 'payload_too_large');
	const res = await srv.request({ method: 'POST', path: `/api/v1/events/${e.id}/attachments`,
		headers: { authorization: `Bearer ${(await srv.session('centre')).token}`,
			'transfer-encoding': 'chunked', 'content-type': 'image/png' },
		chunks: [big.subarray(0, 60000), big.subarray(60000)] });
	assert.equal(res.status, 413, res.text);
	/* the partial upload is removed when the request completes, which may be just
	 * after the answer reaches the client: allow it a moment, no more */
	const tmp = path.join(srv.dir, 'attachments', 'tmp');
	for (let i = 0; i < 40 && (await readdir(tmp)).length > 0; i++)
		await new Promise((r) => setTimeout(r, 50));
	assert.deepEqual(await readdir(tmp), []);
});

test('only those who may see the event see its attachments', async () => {
	const other = await newEvent('330108002');
	const up = await upload(other.id, PNG);
	assert.equal(up.status, 201);
	/* street.centre is in 330108001: another street's event and its files do not exist for it */
	assertError(await srv.api('GET', `/api/v1/attachments/${up.json.id}`, { as: 'street.centre' }),
		404, 'not_found');
	assertError(await srv.api('GET', `/api/v1/events/${other.id}/attachments`, { as: 'street.centre' }),
		404, 'not_found');
	assertError(await upload(other.id, PNG, 'street.centre'), 404, 'not_found');
	assertError(await srv.api('GET', '/api/v1/attachments/999999', { as: 'centre' }), 404, 'not_found');
	assertError(await srv.api('GET', '/api/v1/attachments/abc', { as: 'centre' }), 404, 'not_found');
	const anon = await fetch(`${srv.base}/api/v1/attachments/${up.json.id}`);
	assert.equal(anon.status, 401);
});

test('a photo of this stage is evidence enough to handle; a closed event takes no more', async () => {
	const e = await newEvent();
	const act = (as, action, body = {}) => srv.api('POST', `/api/v1/events/${e.id}/actions/${action}`,
		{ as, body });
	assert.equal((await act('centre', 'register')).status, 200);
	assert.equal((await act('centre', 'dispatch', { assignee: '330108D01' })).status, 200);
	assert.equal((await act('handler', 'accept')).status, 200);
	assertError(await act('handler', 'handle'), 400, 'missing_field');
	assert.equal((await upload(e.id, JPEG, 'handler')).status, 201);
	const h = await act('handler', 'handle');
	assert.equal(h.status, 200, h.text);
	assert.equal(h.json.state, 'handled');
	assert.equal((await act('centre', 'verify')).status, 200);
	assert.equal((await act('centre', 'close')).status, 200);
	assertError(await upload(e.id, PNG), 409, 'conflict');
});

test('attachments go on the timeline with the uploader\'s next step, and only theirs', async () => {
	const e = await newEvent();
	const act = async (as, action, body = {}) => {
		const r = await srv.api('POST', `/api/v1/events/${e.id}/actions/${action}`, { as, body });
		assert.equal(r.status, 200, `${action}: ${r.text}`);
		return r.json;
	};
	const timeline = async () => (await srv.api('GET', `/api/v1/events/${e.id}`, { as: 'centre' })).json.timeline;
	const steps = async () => (await srv.api('GET', `/api/v1/events/${e.id}/attachments`, { as: 'centre' }))
		.json.items.map((x) => [x.id, x.step]);
	await act('centre', 'register');
	await act('centre', 'dispatch', { assignee: '330108D01' });
	await act('handler', 'accept');
	/* two photos of the handler's, and one of the centre's meanwhile */
	const p1 = (await upload(e.id, JPEG, 'handler')).json.id;
	const p2 = (await upload(e.id, PNG, 'handler')).json.id;
	const c1 = (await upload(e.id, PDF, 'centre')).json.id;
	assert.deepEqual(await steps(), [[p1, null], [p2, null], [c1, null]], 'uploaded, on no step yet');
	/* the centre's supervision takes the centre's file, not the handler's photos */
	await act('centre', 'supervise', { note: '请附现场照片' });
	let t = await timeline();
	const sup = t.at(-1);
	assert.equal(sup.action, 'supervise');
	assert.deepEqual(sup.attachments, [c1]);
	await act('handler', 'handle', { note: '已清运' });
	t = await timeline();
	const handle = t.at(-1);
	assert.equal(handle.action, 'handle');
	assert.deepEqual(handle.attachments, [p1, p2], 'the handler\'s photos came with the handling');
	assert.equal(handle.data.attachments, 3, 'the stage\'s files still count as its evidence');
	assert.deepEqual(await steps(), [[p1, handle.id], [p2, handle.id], [c1, sup.id]]);
	/* a later step takes nothing already taken */
	await act('centre', 'verify');
	t = await timeline();
	assert.deepEqual(t.at(-1).attachments, []);
	assert.deepEqual(t.filter((s) => s.attachments.length).map((s) => s.action), ['supervise', 'handle']);
	assert.deepEqual(t[0].attachments, [], 'a staff report has none');
});
