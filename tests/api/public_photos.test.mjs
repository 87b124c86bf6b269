/*
 * public_photos.test.mjs - citizens' photos on a public report: the
 * report's photo token (shown once) adds up to public_photos images within
 * public_photo_window seconds, typed from their bytes and bounded in size;
 * staff see them on the event like any attachment; the tracking answer and
 * the attachment URLs give nothing to the public; a wrong or late token and
 * an unknown receipt answer alike; photos from one address are limited; the
 * setting public_photos = 0 turns them off.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { assertError, startServer } from './harness.mjs';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('a small png body')]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(1500, 7)]);
const PDF = Buffer.from('%PDF-1.4\n% not a photo\n');

let srv;
before(async () => {
	srv = await startServer({ args: ['--test-clock', '--public-photo-bytes', '2048', '--max-upload', '100000'] });
});
after(async () => { await srv?.stop(); });

const report = (s = srv) => s.api('POST', '/api/v1/public/reports', { body: { category: '0102',
	description: '路灯不亮，晚上很黑', address: '滨江区示例路 1 号' } });
const photo = (receipt, token, bytes, s = srv) => s.api('POST', `/api/v1/public/reports/${receipt}/photos`,
	{ raw: bytes, headers: { 'content-type': 'image/jpeg', ...(token ? { 'x-photo-token': token } : {}) } });
const sha = (b) => createHash('sha256').update(b).digest('hex');

describe('a citizen adds photos to the report', () => {
	let rep, eventId;

	test('the report answers a photo token, once, with the limits', async () => {
		const res = await report();
		assert.equal(res.status, 201, res.text);
		rep = res.json;
		assert.match(rep.photo_token, /^[0-9a-f]{48}$/);
		assert.deepEqual(Object.keys(rep.photos).sort(), ['bytes', 'max', 'until', 'url']);
		assert.equal(rep.photos.url, `/api/v1/public/reports/${rep.receipt}/photos`);
		assert.equal(rep.photos.max, 3);
		assert.equal(rep.photos.bytes, 2048);
		assert.equal(res.headers.get('cache-control'), 'no-store');
		const cats = await srv.api('GET', '/api/v1/public/categories');
		assert.deepEqual(cats.json.photos, { max: 3, bytes: 2048 }, 'the form knows the limits');
		const track = await srv.api('GET', `/api/v1/public/reports/${rep.receipt}`);
		assert.ok(!track.text.includes(rep.photo_token), 'the token is not tracked');
		const list = await srv.api('GET', `/api/v1/events?q=${encodeURIComponent('路灯不亮')}`, { as: 'centre' });
		eventId = list.json.items.find((e) => e.receipt === rep.receipt).id;
	});

	test('up to three photos, typed from their bytes; a fourth is refused', async () => {
		const a = await photo(rep.receipt, rep.photo_token, PNG);
		assert.equal(a.status, 201, a.text);
		assert.deepEqual(a.json, { receipt: rep.receipt, photos: 1, max: 3 });
		assert.equal((await photo(rep.receipt, rep.photo_token, JPEG)).json.photos, 2);
		assert.equal((await photo(rep.receipt, rep.photo_token, PNG)).json.photos, 3, 'the same photo twice');
		assertError(await photo(rep.receipt, rep.photo_token, JPEG), 409, 'conflict');
	});

	test('staff see them on the event; the public sees nothing of them', async () => {
		const list = await srv.api('GET', `/api/v1/events/${eventId}/attachments`, { as: 'centre' });
		assert.equal(list.status, 200);
		assert.deepEqual(list.json.items.map((x) => [x.mime, x.sha256]),
			[['image/png', sha(PNG)], ['image/jpeg', sha(JPEG)], ['image/png', sha(PNG)]]);
		assert.deepEqual(list.json.items.map((x) => x.sm3), [PNG, JPEG, PNG].map((b) => createHash('sm3').update(b).digest('hex')));
		/* they came with the report: its timeline step */
		const ev = await srv.api('GET', `/api/v1/events/${eventId}`, { as: 'centre' });
		const report = ev.json.timeline[0];
		assert.equal(report.action, 'report');
		assert.deepEqual(list.json.items.map((x) => x.step), [report.id, report.id, report.id]);
		assert.deepEqual(report.attachments, list.json.items.map((x) => x.id));
		const file = await fetch(srv.base + list.json.items[1].url,
			{ headers: { authorization: `Bearer ${(await srv.session('centre')).token}` } });
		assert.equal(file.status, 200);
		assert.ok(Buffer.from(await file.arrayBuffer()).equals(JPEG));
		/* no session: the attachment is not served */
		assertError(await srv.api('GET', list.json.items[1].url), 401, 'unauthenticated');
		/* the tracking answer names no photo, attachment or file */
		const track = await srv.api('GET', `/api/v1/public/reports/${rep.receipt}`);
		assert.equal(track.status, 200);
		assert.doesNotMatch(track.text, /attachment|photo|sha256|image\//);
		assert.ok(!track.text.includes(sha(PNG)));
	});

	test('a wrong token answers like an unknown receipt; a missing one is named', async () => {
		const other = (await report()).json;
		const wrong = await photo(rep.receipt, other.photo_token, PNG);
		assertError(wrong, 404, 'not_found');
		const unknown = await photo('PA2345678923', other.photo_token, PNG);
		assertError(unknown, 404, 'not_found');
		assert.equal(wrong.json.error.message.replace(rep.receipt, 'R'), unknown.json.error.message.replace('PA2345678923', 'R'));
		assertError(await photo('nonsense', other.photo_token, PNG), 404, 'not_found');
		assertError(await photo(other.receipt, null, PNG), 400, 'missing_field');
		assertError(await photo(other.receipt, other.photo_token, Buffer.alloc(0)), 400, 'missing_field');
		/* a staff report's receipt takes no photos */
		const staff = await srv.api('POST', '/api/v1/events', { as: 'gridworker', body: { category: '0102',
			title: '员工上报', address: '滨江区示例路' } });
		assertError(await photo(staff.json.receipt, other.photo_token, PNG), 404, 'not_found');
	});

	test('photos only, and not too big', async () => {
		const other = (await report()).json;
		assertError(await photo(other.receipt, other.photo_token, PDF), 415, 'unsupported_media_type');
		assertError(await photo(other.receipt, other.photo_token, Buffer.from('<svg onload=alert(1)>')), 415,
			'unsupported_media_type');
		const big = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(2100, 1)]);
		assertError(await photo(other.receipt, other.photo_token, big), 413, 'payload_too_large');
		const huge = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(100001, 1)]);
		assert.equal((await photo(other.receipt, other.photo_token, huge)).status, 413);
		/* nothing refused was counted */
		for (let i = 0; i < 3; i++)
			assert.equal((await photo(other.receipt, other.photo_token, JPEG)).status, 201);
	});

	test('the token lasts public_photo_window seconds (an hour)', async () => {
		const other = (await report()).json;
		const clock = await srv.api('POST', '/api/v1/test/clock', { as: 'admin', body: { advance_s: 3601 } });
		assert.equal(clock.status, 200, clock.text);
		const late = await photo(other.receipt, other.photo_token, PNG);
		assertError(late, 404, 'not_found');
		assert.match(late.json.error.message, /within 60 minutes/);
	});
});

describe('limits and the setting', () => {
	test('photo attempts from one address are limited (public_report_limit x public_photos)', async () => {
		const s = await startServer({ demo: true, args: ['--public-report-limit', '1', '--public-photos', '1'] });
		try {
			const r = (await report(s)).json;
			assertError(await photo(r.receipt, 'not-the-token', PNG, s), 404, 'not_found');
			const res = await photo(r.receipt, r.photo_token, PNG, s);
			assertError(res, 429, 'too_many_requests');
			assert.ok(Number(res.headers.get('retry-after')) > 0);
		} finally {
			await s.stop();
		}
	});

	test('public_photos = 0: no token, no route', async () => {
		const s = await startServer({ demo: true, args: ['--public-photos', '0'] });
		try {
			const r = await report(s);
			assert.equal(r.status, 201);
			assert.equal(r.json.photo_token, undefined);
			assert.equal(r.json.photos, undefined);
			assert.deepEqual((await s.api('GET', '/api/v1/public/categories')).json.photos.max, 0);
			assertError(await photo(r.json.receipt, 'x', PNG, s), 404, 'no_route');
		} finally {
			await s.stop();
		}
	});
});
