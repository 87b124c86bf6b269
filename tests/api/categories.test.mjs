// Categories are data an administrator edits: every change is checked, kept in
// the category's history (who, when, before, after), and used by the next report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

const put = (as, code, body) => srv.api('PUT', `/api/v1/categories/${code}`, { as, body });

test('an administrator changes a deadline; the history keeps before and after', async () => {
	const res = await put('admin', '0102', { deadlines_s: { handle: 7200 }, name_en: 'Rubbish left out' });
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.deadlines_s.handle, 7200);
	assert.equal(res.json.name_en, 'Rubbish left out');
	assert.equal(res.json.deadlines_s.register, 3600, 'other stages stay');
	const h = await srv.api('GET', '/api/v1/categories/0102/history', { as: 'admin' });
	assert.equal(h.status, 200);
	assert.equal(h.json.items.length, 1);
	const [c] = h.json.items;
	assert.equal(c.user, 'admin');
	assert.equal(c.before.deadlines_s.handle, 86400 * 27000 / 86400, 'one working day before');
	assert.equal(c.after.deadlines_s.handle, 7200);
	const same = await put('admin', '0102', { deadlines_s: { handle: 7200 } });
	assert.equal(same.status, 200);
	const h2 = await srv.api('GET', '/api/v1/categories/0102/history', { as: 'admin' });
	assert.equal(h2.json.items.length, 1, 'a change that changes nothing is not recorded');
});

test('a disabled category takes no more reports', async () => {
	assert.equal((await put('admin', '0201', { enabled: false })).status, 200);
	assertError(await srv.api('POST', '/api/v1/events', { as: 'centre',
		body: { category: '0201', title: '小广告', address: '某路' } }), 400, 'invalid_value');
	assert.equal((await put('admin', '0201', { enabled: true })).status, 200);
	const ok = await srv.api('POST', '/api/v1/events', { as: 'centre',
		body: { category: '0201', title: '小广告', address: '某路' } });
	assert.equal(ok.status, 201, ok.text);
});

test('only administrators edit, and bad values are refused', async () => {
	assertError(await put('centre', '0102', { name: 'x' }), 403, 'forbidden');
	assertError(await srv.api('GET', '/api/v1/categories/0102/history', { as: 'centre' }), 403, 'forbidden');
	assertError(await put('admin', '9999', { name: 'x' }), 404, 'not_found');
	assertError(await put('admin', '0102', { name: '' }), 400, 'invalid_value');
	assertError(await put('admin', '0102', { deadlines_s: { handle: 10 } }), 400, 'invalid_value');
	assertError(await put('admin', '0102', { deadlines_s: { lunch: 3600 } }), 400, 'invalid_value');
	assertError(await put('admin', '0102', { deadlines_s: { handle: '1d' } }), 400, 'invalid_value');
	assertError(await put('admin', '0102', { department: 'X1' }), 400, 'invalid_value');
	assertError(await put('admin', '0102', { enabled: 'yes' }), 400, 'wrong_type');
	assertError(await put('admin', '0102', { code: '0103' }), 400, 'invalid_value');
	assertError(await put('admin', '01', { deadlines_s: { handle: 3600 } }), 400, 'wrong_type');
});
