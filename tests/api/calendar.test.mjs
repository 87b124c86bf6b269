// The working calendar over the API: 2027's notice is not published, so the
// server warns; an administrator enters the year when it appears; the entry is
// checked whole, kept across restarts, and used by deadlines at once. The
// warning's years follow the server's date, so they are tested on a second
// server whose test clock is moved into years after the real date.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './harness.mjs';
import { cst, cstYear, testClock } from './clock_lib.mjs';

let srv;
let clocked;
before(async () => {
	[srv, clocked] = await Promise.all([startServer(), startServer({ args: ['--test-clock'] })]);
});
after(async () => {
	await srv?.stop();
	await clocked?.stop();
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
	/* which years the warning names depends on the date: see the test clock below */
	assert.ok(res.json.warning === null || /^no holiday data for \d{4}/.test(res.json.warning),
		`warning: ${res.json.warning}`);
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
	/* the real date may be past 2027 (then its own year is missing): only 2027 is settled */
	assert.doesNotMatch(res.json.warning ?? '', /2027/, 'the entered year is no longer missing');
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

/* The warning names the current year when it has no data, and from 1 November
 * the next year too (its notice usually appears then); entering a year removes
 * it. The moments are in years after both the real date and every shipped
 * year, so the same warnings are expected whatever the real date is. */
test('the missing-year warning follows the server clock', async () => {
	const clock = testClock(clocked);
	const warning = async () => {
		const { token } = await clocked.login('centre');
		const cal = await clocked.api('GET', '/api/v1/calendar', { token });
		assert.equal(cal.status, 200, cal.text);
		const health = await clocked.api('GET', '/healthz');
		assert.equal(health.status, 200, health.text);
		assert.equal(health.json.calendar.warning ?? null, cal.json.warning,
			'/healthz says the same');
		return cal.json.warning;
	};
	const missing = (years) => `no holiday data for ${years}: deadlines count weekends only`;
	const { token } = await clocked.login('centre');
	const known = (await clocked.api('GET', '/api/v1/calendar', { token })).json.years;
	const y = Math.max(cstYear(await clock.now()), ...known) + 1;

	await clock.moveTo(cst(y, 6, 15));
	assert.equal(await warning(), missing(y), 'mid-year: only this year');
	await clock.moveTo(cst(y, 10, 31, 23, 59, 30));
	assert.equal(await warning(), missing(y), 'the last minute of October');
	await clock.moveTo(cst(y, 11, 1, 0, 0, 30));
	assert.equal(await warning(), missing(`${y}, ${y + 1}`), 'from November: next year too');

	const { token: admin } = await clocked.login('admin');
	const enter = async (year) => {
		const res = await clocked.api('PUT', `/api/v1/calendar/${year}`, { token: admin,
			body: { days: [{ date: `${year}-01-01`, kind: 'holiday', name: '元旦' }] } });
		assert.equal(res.status, 200, res.text);
		return res.json.warning;
	};
	assert.equal(await enter(y), missing(y + 1), 'this year entered: next year is missing');
	assert.equal(await warning(), missing(y + 1));
	assert.equal(await enter(y + 1), null, 'both entered: no warning');
	assert.equal(await warning(), null);

	await clock.moveTo(cst(y + 1, 11, 1, 0, 0, 30));
	assert.equal(await warning(), missing(y + 2), 'a year on, the next notice is due');
	await clock.moveTo(cst(y + 2, 1, 1, 0, 0, 30));
	assert.equal(await warning(), missing(y + 2), 'New Year without data: this year only');
});
