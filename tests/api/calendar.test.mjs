// The working calendar over the API: 2027's notice is not published, so the
// server warns; an administrator enters the year when it appears; the entry is
// checked whole, kept across restarts, and used by deadlines at once.
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

const put = (as, year, body) => srv.api('PUT', `/api/v1/calendar/${year}`, { as, body });

test('the shipped years are known; a missing year is named', async () => {
	const res = await srv.api('GET', '/api/v1/calendar?year=2026', { as: 'centre' });
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json.years, [2025, 2026]);
	assert.equal(res.json.known, true);
	assert.ok(res.json.days.some((d) => d.date === '2026-10-01' && d.kind === 'holiday'));
	assert.ok(res.json.days.some((d) => d.date === '2026-10-10' && d.kind === 'workday'));
	assert.equal(res.json.working_day_s, 27000);
	const y27 = await srv.api('GET', '/api/v1/calendar?year=2027', { as: 'centre' });
	assert.equal(y27.json.known, false);
	assert.deepEqual(y27.json.days, []);
	const now = new Date(Date.now() + 8 * 3600e3);
	if (now.getUTCFullYear() === 2026 && now.getUTCMonth() >= 10)
		assert.match(res.json.warning, /2027/);
});

test('bad entries are refused whole', async () => {
	const day = (date, kind = 'holiday', name = '元旦') => ({ date, kind, name });
	assertError(await put('centre', 2027, { days: [day('2027-01-01')] }), 403, 'forbidden');
	assertError(await put('admin', 2027, { days: [day('2027-01-01'), day('2027-01-04', 'workday')] }),
		400, 'invalid_value'); /* a Monday cannot be an adjusted working day */
	assertError(await put('admin', 2027, { days: [day('2026-12-31')] }), 400, 'invalid_value');
	assertError(await put('admin', 2027, { days: [day('2027-02-30')] }), 400, 'invalid_value');
	assertError(await put('admin', 2027, { days: [day('2027-01-01'), day('2027-01-01')] }), 400,
		'invalid_value');
	assertError(await put('admin', 2027, { days: [day('2027-01-01', 'feast')] }), 400, 'invalid_value');
	assertError(await put('admin', 2027, { days: [{ date: '2027-01-01' }] }), 400, 'missing_field');
	assertError(await put('admin', 2027, { days: 'all' }), 400, 'wrong_type');
	assertError(await put('admin', 2027, {}), 400, 'missing_field');
	assertError(await put('admin', 'abcd', { days: [] }), 404, 'not_found');
	const res = await srv.api('GET', '/api/v1/calendar?year=2027', { as: 'admin' });
	assert.equal(res.json.known, false, 'nothing was applied');
});

test('an entered year is used at once and survives a restart', async () => {
	const days = [
		{ date: '2027-01-01', kind: 'holiday', name: '元旦' },
		{ date: '2027-02-06', kind: 'workday', name: '春节调休上班' },
		{ date: '2027-02-08', kind: 'holiday', name: '春节' },
	];
	const res = await put('admin', 2027, { days });
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.known, true);
	assert.deepEqual(res.json.days.map((d) => d.date), days.map((d) => d.date));
	assert.equal(res.json.warning, null, 'no year is missing any more');
	const dir = srv.dir;
	const accounts = srv.accounts;
	await srv.stop({ keepDir: true });
	srv = await startServer({ dir, demo: false, accounts });
	const again = await srv.api('GET', '/api/v1/calendar?year=2027', { as: 'centre' });
	assert.equal(again.json.known, true);
	assert.deepEqual(again.json.days.map((d) => [d.date, d.kind, d.name]),
		days.map((d) => [d.date, d.kind, d.name]));
	assert.deepEqual(again.json.years, [2025, 2026, 2027]);
});
