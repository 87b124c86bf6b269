// Public reports without an account: filed as citizen events on the right
// grid, tracked by receipt in plain words with only the public notes, rate
// limited per address, and the form can be turned off.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, runCases, interiorPoint } from './harness.mjs';

const LIMIT = 12;
let srv;
before(async () => {
	srv = await startServer({ env: { PINGAN_PUBLIC_REPORT_LIMIT: String(LIMIT) } });
});
after(async () => {
	await srv?.stop();
});

const P = '/api/v1/public/reports';
const act = async (as, id, action, body = {}) => {
	const res = await srv.api('POST', `/api/v1/events/${id}/actions/${action}`, { as, body });
	assert.equal(res.status, 200, `${action}: ${res.text}`);
	return res.json;
};
const KEYS = ['can_rate', 'category', 'category_name', 'closed_at', 'created_at', 'notes', 'rating', 'receipt',
	'state_text', 'state_text_en', 'status', 'updated_at'];

test('a citizen files a report and follows it by receipt', async () => {
	const grids = await srv.api('GET', '/api/v1/orgs/330108001/grids', { as: 'admin' });
	const [lon, lat] = interiorPoint(grids.json.features[0].geometry);
	const res = await srv.api('POST', P, { body: { category: '0102', lon, lat,
		description: '小区门口垃圾堆了三天没人清理\n味道很大', contact: '13800000000' } });
	assert.equal(res.status, 201, res.text);
	const receipt = res.json.receipt;
	assert.match(receipt, /^PA[2-9A-HJ-NP-Z]{10}$/);
	assert.equal(res.headers.get('location'), `${P}/${receipt}`);
	assert.equal(res.json.track, `${P}/${receipt}`);
	assert.equal(res.json.state_text, '已收到，等待受理');
	assert.equal(res.json.status, 'open');
	assert.equal(res.json.id, undefined, 'no internal id');

	/* on the grid's desk, as a citizen's report */
	const list = await srv.api('GET', '/api/v1/events?limit=5', { as: 'centre' });
	const e = list.json.items.find((x) => x.receipt === receipt);
	assert.ok(e, 'the centre sees it');
	assert.equal(e.source, 'citizen');
	assert.equal(e.title, '小区门口垃圾堆了三天没人清理');
	assert.equal(e.grid, grids.json.features[0].properties.code);
	assert.equal(e.state, 'reported');
	/* the contact is the reporter's phone: sealed, masked when read, in the
	 * clear only through the audited read, never in lists */
	const asCentre = await srv.api('GET', `/api/v1/events/${e.id}`, { as: 'centre' });
	assert.equal(asCentre.json.reporter.phone, '138****0000');
	assert.equal(asCentre.json.contact, undefined);
	assert.equal(e.reporter, undefined, 'not in lists');
	const clear = await srv.api('POST', `/api/v1/events/${e.id}/personal`, { as: 'centre',
		body: { reason: '回访群众' } });
	assert.equal(clear.status, 200, clear.text);
	assert.equal(clear.json.reporter.phone, '13800000000');
	const asWorker = await srv.api('GET', `/api/v1/events/${e.id}`, { as: 'gridworker' });
	assert.equal(asWorker.status, 200);
	assert.equal(asWorker.json.reporter.phone, '138****0000');

	let t = await srv.api('GET', `${P}/${receipt}`);
	assert.equal(t.status, 200);
	assert.deepEqual(Object.keys(t.json).sort(), KEYS, 'only public fields');
	assert.deepEqual({ ...t.json, created_at: 0, updated_at: 0 }, { receipt, category: '0102', category_name: '暴露垃圾',
		status: 'open', state_text: '已收到，等待受理', state_text_en: 'received, waiting to be accepted',
		created_at: 0, updated_at: 0, closed_at: null, notes: [], rating: null, can_rate: false });
	assert.doesNotMatch(t.text, /13800000000|小区门口|handler|centre|330108D/);

	await act('centre', e.id, 'register');
	await act('centre', e.id, 'dispatch', { assignee: '330108D01' });
	await act('centre', e.id, 'supervise', { note: '内部督办：请尽快' });
	await act('handler', e.id, 'accept');
	await act('handler', e.id, 'handle', { note: '已清运完毕' });
	t = await srv.api('GET', `${P}/${receipt}`);
	assert.equal(t.json.state_text, '已处理，正在核查');
	assert.deepEqual(t.json.notes.map((n) => n.text), ['已清运完毕'], 'the handling note, not the supervision');
	assert.match(t.json.notes[0].at, /Z$/);
	await act('centre', e.id, 'verify');
	await act('centre', e.id, 'close');
	t = await srv.api('GET', `${P}/${receipt}`);
	assert.equal(t.json.status, 'closed');
	assert.equal(t.json.state_text, '已办结');
	assert.match(t.json.closed_at, /Z$/);
});

test('the citizen rates a closed report once, by its receipt', async () => {
	const res = await srv.api('POST', P, { body: { category: '0102', address: '江南大道 2 号', description: '垃圾桶满溢' } });
	assert.equal(res.status, 201, res.text);
	const receipt = res.json.receipt;
	const list = await srv.api('GET', '/api/v1/events?limit=5', { as: 'centre' });
	const e = list.json.items.find((x) => x.receipt === receipt);
	const rate = (body, r = receipt) => srv.api('POST', `${P}/${r}/rating`, { body });

	assertError(await rate({ rating: 5 }), 409, 'conflict');
	assert.equal((await srv.api('GET', `${P}/${receipt}`)).json.can_rate, false, 'not while open');
	for (const step of [['register'], ['dispatch', { assignee: '330108D01' }]])
		await act('centre', e.id, ...step);
	await act('handler', e.id, 'accept');
	await act('handler', e.id, 'handle', { note: '已清运' });
	await act('centre', e.id, 'verify');
	await act('centre', e.id, 'close');
	let t = await srv.api('GET', `${P}/${receipt}`);
	assert.deepEqual([t.json.rating, t.json.can_rate], [null, true], 'closed and not rated: it may be');

	assertError(await rate({}), 400, 'missing_field');
	assertError(await rate({ rating: 0 }), 400, 'invalid_value');
	assertError(await rate({ rating: 6 }), 400, 'invalid_value');
	assertError(await rate({ rating: '5' }), 400, 'wrong_type');
	assertError(await rate({ rating: 4, comment: '字'.repeat(501) }), 400, 'invalid_value');
	assertError(await rate({ rating: 4, stars: 4 }), 400, 'invalid_value');
	assertError(await rate({ rating: 4 }, 'PA23456789AB'), 404, 'not_found');
	const staff = await srv.api('POST', '/api/v1/events', { as: 'gridworker', body: { category: '0102', title: '内部', address: 'x' } });
	assertError(await rate({ rating: 4 }, staff.json.receipt), 404, 'not_found');

	const ok = await rate({ rating: 4, comment: '处理及时，谢谢' });
	assert.equal(ok.status, 200, ok.text);
	assert.deepEqual(ok.json, { receipt, rating: 4, can_rate: false });
	t = await srv.api('GET', `${P}/${receipt}`);
	assert.deepEqual([t.json.rating, t.json.can_rate], [4, false]);
	const again = await rate({ rating: 1 });
	assertError(again, 409, 'conflict');
	assert.match(again.json.error.message, /rated already/);

	/* the staff see it: the event's rating and its timeline step, by the citizen */
	const full = await srv.api('GET', `/api/v1/events/${e.id}`, { as: 'centre' });
	assert.equal(full.json.rating, 4);
	const last = full.json.timeline.at(-1);
	assert.deepEqual([last.action, last.actor, last.from, last.to, last.note, last.data.rating],
		['rate', 'citizen', 'closed', 'closed', '处理及时，谢谢', 4]);
});

test('a rejected report says why; staff reports and odd receipts are not found', async () => {
	const res = await srv.api('POST', P, { body: { category: '0102', address: '江南大道 1 号', description: '测试' } });
	assert.equal(res.status, 201, res.text);
	const list = await srv.api('GET', '/api/v1/events?limit=5', { as: 'centre' });
	const e = list.json.items.find((x) => x.receipt === res.json.receipt);
	assert.equal(e.outside, true);
	await act('centre', e.id, 'reject', { reason: '不属于受理范围' });
	const t = await srv.api('GET', `${P}/${res.json.receipt}`);
	assert.equal(t.json.state_text, '不予受理');
	assert.deepEqual(t.json.notes.map((n) => n.text), ['不属于受理范围']);

	const staff = await srv.api('POST', '/api/v1/events', { as: 'gridworker', body: { category: '0102', title: '内部', address: 'x' } });
	assertError(await srv.api('GET', `${P}/${staff.json.receipt}`), 404, 'not_found');
	for (const r of ['PA2345678', 'PA234567890O', 'pa23456789AB', 'XX23456789AB', 'PA23456789ABC', 'PA%002345678A'])
		assertError(await srv.api('GET', `${P}/${r}`), 404, 'not_found');
});

describe('bad reports are refused', () => {
	const bad = (name, body, error, status = 400) => ({ name, method: 'POST', path: P, body, status, error });
	const ok = { category: '0102', description: '路灯坏了', address: '滨盛路' };
	runCases(() => srv, [
		bad('no category', { ...ok, category: undefined }, 'missing_field'),
		bad('a class', { ...ok, category: '01' }, 'invalid_value'),
		bad('an unknown category', { ...ok, category: '9999' }, 'invalid_value'),
		bad('no description', { ...ok, description: undefined }, 'missing_field'),
		bad('an empty description', { ...ok, description: '' }, 'missing_field'),
		bad('a long description', { ...ok, description: '字'.repeat(2001) }, 'invalid_value'),
		bad('no place', { category: '0102', description: 'x' }, 'missing_field'),
		bad('half a point', { ...ok, lon: 120.2 }, 'missing_field'),
		bad('a point off the earth', { ...ok, lon: 200, lat: 30 }, 'invalid_value'),
		bad('a point as text', { ...ok, lon: '120', lat: '30' }, 'wrong_type'),
		bad('a long contact', { ...ok, contact: '1'.repeat(101) }, 'invalid_value'),
		bad('a contact that is no mobile number', { ...ok, contact: '010-12345678' }, 'invalid_value'),
		bad('a title is the server\'s', { ...ok, title: 'x' }, 'invalid_value'),
		bad('urgency is the centre\'s', { ...ok, urgency: 3 }, 'invalid_value'),
		{ name: 'not JSON', method: 'POST', path: P, raw: 'category=0102', headers: { 'content-type': 'application/x-www-form-urlencoded' },
			status: 415, error: 'unsupported_media_type' },
		{ name: 'GET is for receipts', method: 'GET', path: P, status: 405, error: 'method_not_allowed' },
	]);
});

test('one address may file public_report_limit reports per window', async () => {
	const body = JSON.stringify({ category: '0102', description: '限流测试', address: '限流路' });
	const send = () => srv.request({ method: 'POST', path: P, body, localAddress: '127.0.0.2',
		headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
	for (let i = 0; i < LIMIT; i++)
		assert.equal((await send()).status, 201, `report ${i + 1}`);
	const res = await send();
	assertError(res, 429, 'too_many_requests');
	const retry = Number(res.headers.get('retry-after'));
	assert.ok(retry > 0 && retry <= 3600, `Retry-After ${retry}`);
	/* another address is not affected */
	const other = await srv.api('POST', P, { body: JSON.parse(body) });
	assert.equal(other.status, 201);
});

test('the form\'s categories need no account', async () => {
	const res = await srv.api('GET', '/api/v1/public/categories');
	assert.equal(res.status, 200);
	assert.equal(res.json.open, true);
	const staff = await srv.api('GET', '/api/v1/categories', { as: 'centre' });
	const enabled = staff.json.items.filter((c) => c.parent && c.enabled);
	assert.deepEqual(res.json.items.map((c) => c.code), enabled.map((c) => c.code));
	const c = res.json.items.find((x) => x.code === '0102');
	assert.deepEqual(Object.keys(c).sort(), ['class', 'class_name', 'code', 'name', 'name_en']);
	assert.equal(c.class, '01');
	assert.equal(c.class_name, staff.json.items.find((x) => x.code === '01').name);
	assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
});

test('the form can be turned off', async () => {
	const off = await startServer({ demo: false, env: { PINGAN_PUBLIC_REPORTS: 'false' } });
	try {
		assert.equal((await off.api('GET', '/api/v1/public/categories')).json.open, false);
		assertError(await off.api('POST', P, { body: { category: '0102', description: 'x', address: 'y' } }), 404, 'no_route');
		assertError(await off.api('POST', `${P}/PA23456789AB/rating`, { body: { rating: 5 } }), 404, 'no_route');
	} finally {
		await off.stop();
	}
});
