// Assessment from the records: a month of events with known outcomes, made through the
// API with the test clock, gives exactly the expected rates, safety index and ranking;
// every figure opens the cases behind it; a closed period is a snapshot that later
// corrections do not change until a recompute publishes a new, visibly different
// version; manual items need a second person; a street user sees only its street.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './harness.mjs';

let srv;
const A = { lon: 120.2116, lat: 30.2088, community: '330108001009', street: '330108001' };
const B = { lon: 120.15, lat: 30.19, community: '330108002004', street: '330108002' };
const DEPT = '330108D01';
let period;
const ev = {};

async function tok(user) {
	return (await srv.login(user)).token;
}

async function call(user, method, path, body) {
	return srv.api(method, path, { token: await tok(user), body });
}

async function act(user, id, action, body = {}) {
	const res = await call(user, 'POST', `/api/v1/events/${id}/actions/${action}`, body);
	assert.equal(res.status, 200, `${action} ${id}: ${res.text}`);
	return res.json;
}

async function report(at, title) {
	const res = await call('gridworker', 'POST', '/api/v1/events',
		{ category: '0102', title, lon: at.lon, lat: at.lat });
	assert.equal(res.status, 201, res.text);
	return res.json.id;
}

/* register, dispatch, accept */
async function toHandling(id) {
	await act('centre', id, 'register');
	await act('centre', id, 'dispatch', { assignee: DEPT });
	await act('handler', id, 'accept');
}

async function finish(id) {
	await act('handler', id, 'handle', { note: '已清理' });
	await act('centre', id, 'verify');
	await act('centre', id, 'close');
}

async function advance(seconds) {
	const res = await call('admin', 'POST', '/api/v1/test/clock', { advance_s: seconds });
	assert.equal(res.status, 200, res.text);
	return Date.parse(res.json.now);
}

async function scores(level, user = 'centre', extra = '') {
	const res = await call(user, 'GET', `/api/v1/assess/scores?period=${period}&level=${level}${extra}`);
	assert.equal(res.status, 200, res.text);
	return res.json;
}

function item(s, unit) {
	const it = s.items.find((x) => x.unit === unit);
	assert.ok(it, `no row for ${unit}`);
	return it;
}

/* China Standard Time month of a moment */
function monthOf(ms) {
	const d = new Date(ms + 8 * 3600e3);
	return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

before(async () => {
	srv = await startServer({ args: ['--test-clock', '--scheduler-interval', '3600',
		'--assess-min-cases', '3'] });
	/* handling time is left out of the index here (its working hours depend on
	 * the weekday the test runs); it is still computed and shown */
	const ind = await call('admin', 'GET', '/api/v1/assess/indicators');
	const i09 = ind.json.items.find((x) => x.code === 'I09');
	const { code, version, updated_at, ...body } = i09;
	const put = await call('admin', 'PUT', '/api/v1/assess/indicators/I09', { ...body, weight: 0 });
	assert.equal(put.status, 200, put.text);
	assert.equal(put.json.version, 2);

	/* community A: six reports */
	ev.e1 = await report(A, '垃圾1'); // closed on time
	await toHandling(ev.e1);
	await finish(ev.e1);
	ev.e2 = await report(A, '垃圾2'); // returned once, reworked once, closed on time
	await act('centre', ev.e2, 'register');
	await act('centre', ev.e2, 'dispatch', { assignee: DEPT });
	await act('handler', ev.e2, 'return', { reason: '非本部门职责' });
	await act('centre', ev.e2, 'dispatch', { assignee: DEPT });
	await act('handler', ev.e2, 'accept');
	await act('handler', ev.e2, 'handle', { note: '已清理' });
	await act('centre', ev.e2, 'rework', { reason: '未清理干净' });
	await act('handler', ev.e2, 'accept');
	await finish(ev.e2);
	ev.e4 = await report(A, '垃圾4'); // registered, left open
	await act('centre', ev.e4, 'register');
	ev.e5 = await report(A, '垃圾5'); // a duplicate, merged into e4
	await act('centre', ev.e5, 'merge', { target: String(ev.e4) });
	ev.e6 = await report(A, '垃圾6'); // extended, closed on time
	await toHandling(ev.e6);
	await act('handler', ev.e6, 'request_extension', { reason: '需协调', days: 2 });
	await act('centre', ev.e6, 'approve_extension');
	await finish(ev.e6);
	ev.e3 = await report(A, '垃圾3'); // handled after its deadline
	await toHandling(ev.e3);
	/* community B: one closed, one voided */
	ev.f1 = await report(B, '垃圾f1');
	await toHandling(ev.f1);
	await finish(ev.f1);
	ev.f2 = await report(B, '垃圾f2');
	await act('centre', ev.f2, 'register');
	await act('centre', ev.f2, 'void', { reason: '重复登记' });
	/* ratings by the reporter */
	await act('gridworker', ev.e1, 'rate', { rating: 5 });
	await act('gridworker', ev.e2, 'rate', { rating: 3 });

	const e3 = await call('centre', 'GET', `/api/v1/events/${ev.e3}`);
	period = monthOf(Date.parse(e3.json.timeline.find((x) => x.action === 'register').at));
	/* past e3's handling deadline, then handled late */
	const deadline = Date.parse(e3.json.deadline_at);
	let now = await advance(0);
	now = await advance(Math.ceil((deadline - now) / 1000) + 3600);
	const tick = await call('admin', 'POST', '/api/v1/test/scheduler');
	assert.equal(tick.status, 200, tick.text);
	await finish(ev.e3);

	/* residents, imported */
	const pop = await call('admin', 'PUT', '/api/v1/assess/population', { year: 2025,
		source: '测试数据', items: [{ code: A.community, population: 6000 },
			{ code: B.community, population: 4000 }] });
	assert.equal(pop.status, 200, pop.text);
});
after(async () => {
	await srv?.stop();
});

describe('rates from the records', () => {
	test('community A: every measure and rate as counted by hand', async () => {
		const s = await scores('community');
		assert.equal(s.status, 'provisional');
		assert.equal(s.period, period);
		const a = item(s, A.community);
		const v = a.values;
		assert.deepEqual(v.I01.measures, { registered: 5 });
		assert.equal(v.I01.value, 5);
		assert.deepEqual(v.I02.measures, { closed: 4, due: 5 });
		assert.equal(v.I02.value, 0.8);
		assert.equal(v.I02.score, 60);
		assert.deepEqual(v.I03.measures, { closed_on_time: 3, due: 5 });
		assert.equal(v.I03.value, 0.6);
		assert.deepEqual(v.I04.measures, { handled_on_time: 3, handle_due: 4 });
		assert.equal(v.I04.value, 0.75);
		assert.deepEqual(v.I05.measures, { reworked: 1, dispatched: 4 });
		assert.equal(v.I05.value, 0.25);
		assert.deepEqual(v.I06.measures, { extended: 1, dispatched: 4 });
		assert.deepEqual(v.I07.measures, { registered_on_time: 5, registered: 5 });
		assert.equal(v.I07.value, 1);
		assert.deepEqual(v.I08.measures, { dispatched: 4, returned: 1 });
		assert.equal(v.I08.value, 0.75);
		assert.equal(v.I09.measures.handled, 4);
		assert.ok(v.I09.value > 0, 'handling time in working hours');
		assert.equal(v.I09.scored, false, 'weight 0: shown, not scored');
		assert.deepEqual(v.I10.measures, { satisfied: 1, rated: 2 });
		assert.equal(v.I10.small, true, '2 ratings < 3: marked small');
		assert.equal(v.I10.scored, false);
		assert.deepEqual(v.I11.measures, { merged: 1, reported: 6 });
		assert.deepEqual(v.I12.measures, { reported: 6, population: 6000 });
		assert.equal(v.I12.value, 10);
	});
	test('community B: small denominators are shown but not scored', async () => {
		const b = item(await scores('community'), B.community);
		assert.deepEqual(b.values.I02.measures, { closed: 1, due: 1 }, 'the voided case is not due');
		assert.equal(b.values.I02.value, 1);
		assert.equal(b.values.I02.small, true);
		assert.equal(b.values.I02.scored, false);
		assert.equal(b.values.I12.value, 5);
		assert.equal(b.values.I12.scored, true);
	});
	test('the index: weighted mean of the scored indicators, ranked', async () => {
		const s = await scores('community');
		const a = item(s, A.community), b = item(s, B.community);
		/* A: I02 60×20, I03 20×20, I04 50×15, I05 (0.3-0.25)/0.3×100 ×10, I06 same ×5,
		 * I07 100×10, I08 (0.75-0.7)/0.3×100 ×5, I12 0×5 (worst of two peers) */
		const r = (x) => Math.round(x * 100) / 100;
		const sum = 60 * 20 + 20 * 20 + 50 * 15 + (50 / 3) * 10 + (50 / 3) * 5 + 100 * 10 +
			(50 / 3) * 5 + 0 * 5;
		assert.equal(a.score, r(sum / 90));
		assert.equal(b.score, 100, 'B: only I12 scored, best of two peers');
		assert.equal(b.rank, 1);
		assert.equal(a.rank, 2);
		assert.equal(a.tie, false);
		const other = s.items.find((x) => x.unit !== A.community && x.unit !== B.community);
		assert.equal(other.rank, null, 'no cases: unranked');
		assert.equal(other.score, null);
		assert.equal(s.items[0].unit, B.community, 'best first');
	});
	test('streets roll up their communities; departments and grid workers have their own', async () => {
		const st = await scores('street');
		assert.deepEqual(item(st, A.street).values.I02.measures, { closed: 4, due: 5 });
		const d = await scores('department');
		assert.deepEqual(item(d, DEPT).values.I02.measures, { closed: 5, due: 5 },
			'dispatched to D01: e1, e2, e3, e6, f1');
		const gw = await scores('grid_worker');
		const row = gw.items.find((x) => x.values.I14?.value === 8);
		assert.ok(row, 'the grid worker filed 8 reports');
		assert.deepEqual(row.values.I13.measures, { reported_valid: 7, reported: 8 });
	});
	test('rankings by one indicator, in its direction, without small ones', async () => {
		const res = await call('centre', 'GET',
			`/api/v1/assess/rankings?period=${period}&level=community&indicator=I12`);
		assert.equal(res.status, 200, res.text);
		assert.equal(res.json.items[0].unit, B.community, 'fewer events per resident is better');
		assert.equal(res.json.items[0].rank, 1);
		assert.equal(res.json.items[1].rank, 2);
		const i02 = await call('centre', 'GET',
			`/api/v1/assess/rankings?period=${period}&level=community&indicator=I02`);
		assert.equal(i02.json.items.find((x) => x.unit === B.community).rank, null,
			'a small denominator is not ranked');
	});
});

describe('drill-down', () => {
	test('every figure lists the cases counted in it', async () => {
		const base = `/api/v1/assess/drill?period=${period}&level=community&unit=${A.community}`;
		let res = await call('centre', 'GET', `${base}&indicator=I02`);
		assert.equal(res.status, 200, res.text);
		assert.equal(res.json.value, 0.8);
		assert.deepEqual(res.json.measures.map((m) => [m.measure, m.value, m.cases_now]),
			[['due', 5, 5], ['closed', 4, 4]]);
		assert.equal(res.json.cases.measure, 'due');
		assert.equal(res.json.cases.total, 5);
		assert.deepEqual(res.json.cases.items.map((c) => c.id).sort(),
			[ev.e1, ev.e2, ev.e3, ev.e4, ev.e6].sort());
		res = await call('centre', 'GET', `${base}&indicator=I03&measure=closed_on_time&limit=2`);
		assert.equal(res.json.cases.total, 3);
		assert.equal(res.json.cases.items.length, 2, 'paged');
		const page2 = await call('centre', 'GET',
			`${base}&indicator=I03&measure=closed_on_time&limit=2&offset=2`);
		assert.deepEqual([...res.json.cases.items, ...page2.json.cases.items].map((c) => c.id).sort(),
			[ev.e1, ev.e2, ev.e6].sort());
		res = await call('centre', 'GET', `${base}&indicator=I05&measure=reworked`);
		assert.deepEqual(res.json.cases.items.map((c) => c.id), [ev.e2]);
		res = await call('centre', 'GET', `${base}&indicator=I11&measure=merged`);
		assert.deepEqual(res.json.cases.items.map((c) => c.id), [ev.e5]);
		res = await call('centre', 'GET', `${base}&indicator=I04&measure=handled_on_time`);
		assert.ok(!res.json.cases.items.some((c) => c.id === ev.e3), 'e3 was handled late');
	});
	test('bad queries answer 400, unknown units 404', async () => {
		const base = `/api/v1/assess/drill?period=${period}&level=community`;
		assertError(await call('centre', 'GET', `${base}&unit=${A.community}&indicator=I99`),
			400, 'invalid_query');
		assertError(await call('centre', 'GET',
			`${base}&unit=${A.community}&indicator=I02&measure=reworked`), 400, 'invalid_query');
		assertError(await call('centre', 'GET', `${base}&unit=999&indicator=I02`), 404, 'not_found');
		assertError(await call('centre', 'GET', '/api/v1/assess/scores?period=2026-13'),
			400, 'invalid_query');
		assertError(await call('centre', 'GET', '/api/v1/assess/scores'), 400, 'invalid_query');
		assertError(await call('centre', 'GET', `/api/v1/assess/scores?period=${period}&level=x`),
			400, 'invalid_query');
	});
});

describe('scope', () => {
	test('a street user sees only its street', async () => {
		const s = await scores('community', 'street.centre');
		assert.ok(s.items.length > 0);
		assert.ok(s.items.every((x) => x.path.startsWith(`/330108/${A.street}/`)), 'only its street');
		assert.equal(item(s, A.community).rank, 2, 'ranks are district-wide');
		assertError(await call('street.centre', 'GET', `/api/v1/assess/drill?period=${period}` +
			`&level=community&unit=${B.community}&indicator=I02`), 404, 'not_found');
		const st = await scores('street', 'street.centre');
		assert.deepEqual(st.items.map((x) => x.unit), [A.street]);
	});
});

describe('manual items, snapshot and recompute', () => {
	let adj;
	test('an item is entered with reason and evidence, and approved by someone else', async () => {
		assertError(await call('assessor', 'POST', '/api/v1/assess/adjustments', { period,
			level: 'community', unit: A.community, points: 3, reason: '见义勇为', evidence: '' }),
		400, 'missing_field');
		assertError(await call('centre', 'POST', '/api/v1/assess/adjustments', { period,
			level: 'community', unit: A.community, points: 3, reason: 'x', evidence: 'y' }),
		403, 'forbidden');
		const res = await call('assessor', 'POST', '/api/v1/assess/adjustments', { period,
			level: 'community', unit: A.community, points: 3, reason: '见义勇为事迹',
			evidence: '区委宣传部通报〔2026〕12号' });
		assert.equal(res.status, 201, res.text);
		adj = res.json;
		assert.equal(adj.status, 'pending');
		const before = item(await scores('community'), A.community).score;
		assertError(await call('assessor', 'POST', `/api/v1/assess/adjustments/${adj.id}/approve`, {}),
			403, 'forbidden');
		const ok = await call('leader', 'POST', `/api/v1/assess/adjustments/${adj.id}/approve`, {});
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.status, 'approved');
		assert.equal(ok.json.decided_by, 'leader');
		assertError(await call('leader', 'POST', `/api/v1/assess/adjustments/${adj.id}/reject`,
			{ note: 'x' }), 409, 'conflict');
		const a = item(await scores('community'), A.community);
		assert.equal(a.manual, 3);
		assert.equal(a.score, Math.round((before + 3) * 100) / 100);
	});
	test('a manual item names its unit: a division by its name, a grid worker by theirs', async () => {
		const comm = item(await scores('community'), A.community);
		const list = await call('assessor', 'GET', `/api/v1/assess/adjustments?period=${period}`);
		assert.equal(list.status, 200, list.text);
		assert.equal(list.json.items.find((x) => x.id === adj.id).name, comm.name);
		const gw = (await scores('grid_worker')).items[0];
		const res = await call('assessor', 'POST', '/api/v1/assess/adjustments', { period,
			level: 'grid_worker', unit: gw.unit, points: -1, reason: '上报不实', evidence: '核查记录' });
		assert.equal(res.status, 201, res.text);
		assert.equal(res.json.name, gw.name);
		assert.notEqual(gw.name, gw.unit);
		const no = await call('leader', 'POST', `/api/v1/assess/adjustments/${res.json.id}/reject`,
			{ note: '测试' });
		assert.equal(no.status, 200, no.text);
		assert.equal(no.json.name, gw.name);
	});
	test('closing a period stores a snapshot; corrections wait for a recompute', async () => {
		/* the month must be over */
		const now = await advance(0);
		const [y, m] = period.split('-').map(Number);
		const end = Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1) - 8 * 3600e3;
		if (now < end)
			await advance(Math.ceil((end - now) / 1000) + 60);
		assertError(await call('centre', 'POST', `/api/v1/assess/periods/${period}/close`, {}),
			403, 'forbidden');
		const closed = await call('assessor', 'POST', `/api/v1/assess/periods/${period}/close`, {});
		assert.equal(closed.status, 201, closed.text);
		assert.equal(closed.json.version, 1);
		assertError(await call('assessor', 'POST', `/api/v1/assess/periods/${period}/close`, {}),
			409, 'conflict');
		let s = await scores('community');
		assert.equal(s.status, 'closed');
		assert.equal(s.version, 1);
		const v1 = item(s, A.community);
		assert.equal(v1.values.I02.value, 0.8);

		/* a correction: e4 is finished after the close */
		await act('centre', ev.e4, 'dispatch', { assignee: DEPT });
		await act('handler', ev.e4, 'accept');
		await finish(ev.e4);
		s = await scores('community');
		assert.equal(item(s, A.community).values.I02.value, 0.8, 'the published figure stands');
		const drill = await call('centre', 'GET', `/api/v1/assess/drill?period=${period}` +
			`&level=community&unit=${A.community}&indicator=I02&measure=closed`);
		const closedM = drill.json.measures.find((x) => x.measure === 'closed');
		assert.deepEqual([closedM.value, closedM.cases_now, closedM.consistent], [4, 5, false],
			'the drill-down says the records moved since');

		assertError(await call('assessor', 'POST', `/api/v1/assess/periods/${period}/recompute`, {}),
			400, 'missing_field');
		const re = await call('assessor', 'POST', `/api/v1/assess/periods/${period}/recompute`,
			{ reason: '案件 e4 补结案' });
		assert.equal(re.status, 201, re.text);
		assert.equal(re.json.version, 2);
		assert.equal(re.json.supersedes, 1);
		const ch = re.json.changes.find((x) => x.level === 'community' && x.unit === A.community);
		assert.ok(ch, 'the change is listed');
		assert.ok(ch.score_after > ch.score_before);
		s = await scores('community');
		assert.equal(s.version, 2);
		assert.equal(item(s, A.community).values.I02.value, 1);
		const old = await scores('community', 'centre', '&version=1');
		assert.equal(item(old, A.community).values.I02.value, 0.8, 'version 1 is kept');
		const versions = await call('centre', 'GET', `/api/v1/assess/periods/${period}`);
		assert.deepEqual(versions.json.versions.map((x) => [x.version, x.reason]),
			[[2, '案件 e4 补结案'], [1, '']]);
		/* an item for a closed period waits for the next recompute */
		const late = await call('assessor', 'POST', '/api/v1/assess/adjustments', { period,
			level: 'community', unit: B.community, points: -2, reason: '迟报', evidence: '通报' });
		assert.equal(late.status, 201, late.text);
		assert.equal(late.json.effective, 'next_recompute');
		const ok2 = await call('leader', 'POST', `/api/v1/assess/adjustments/${late.json.id}/approve`, {});
		assert.equal(ok2.status, 200, ok2.text);
		assert.equal(item(await scores('community'), B.community).score, 100, 'v2 stands');
	});
	test('the next period ranks against this one', async () => {
		const [y, m] = period.split('-').map(Number);
		const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
		const res = await call('centre', 'GET', `/api/v1/assess/rankings?period=${next}&level=community`);
		assert.equal(res.status, 200, res.text);
		assert.equal(res.json.status, 'provisional');
		/* no cases next month: only events per 10 000 residents has a value (0 for
		 * both), so A and B share the first place and the next place is skipped */
		const a = res.json.items.find((x) => x.unit === A.community);
		const b = res.json.items.find((x) => x.unit === B.community);
		assert.deepEqual([a.rank, a.tie, a.score, a.prev_rank, a.change], [1, true, 100, 2, 1]);
		assert.deepEqual([b.rank, b.tie, b.prev_rank, b.change], [1, true, 1, 0]);
		assert.equal(res.json.items[2].rank, null, 'no population, no cases: unranked');
		assert.match(res.json.ties, /share a place/);
	});
});

describe('commendations and exports', () => {
	test('candidates come from the published results and are approved', async () => {
		const res = await call('assessor', 'POST', '/api/v1/assess/commendations',
			{ period, rule: 'top_units', level: 'community', top: 3 });
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json.items.map((x) => [x.unit, x.status]),
			[[B.community, 'candidate'], [A.community, 'candidate']]);
		const id = res.json.items[0].id;
		const ok = await call('leader', 'POST', `/api/v1/assess/commendations/${id}/approve`, {});
		assert.equal(ok.status, 200, ok.text);
		const again = await call('leader', 'POST', `/api/v1/assess/commendations/${id}/approve`, {});
		assertError(again, 409, 'conflict');
		assert.match(again.json.error.message, /already approved/);
		const gw = await call('assessor', 'POST', '/api/v1/assess/commendations',
			{ period, rule: 'excellent_grid_workers', top: 5 });
		assert.equal(gw.status, 200, gw.text);
		assert.ok(!gw.json.items.some((x) => x.rule === 'excellent_grid_workers'),
			'the only grid worker had a late case: no candidate');
	});
	test('a decided candidate answers 409 with its state; an unknown one 404', async () => {
		const list = await call('assessor', 'GET', `/api/v1/assess/commendations?period=${period}`);
		assert.equal(list.status, 200, list.text);
		const cand = list.json.items.find((x) => x.status === 'candidate');
		assert.ok(cand, 'a candidate left to decide');
		const no = await call('leader', 'POST', `/api/v1/assess/commendations/${cand.id}/reject`,
			{ note: '材料不全' });
		assert.equal(no.status, 200, no.text);
		assert.equal(no.json.status, 'rejected');
		for (const action of ['approve', 'reject']) {
			const res = await call('assessor', 'POST',
				`/api/v1/assess/commendations/${cand.id}/${action}`, {});
			assertError(res, 409, 'conflict');
			assert.match(res.json.error.message, /already rejected/);
		}
		const after = await call('assessor', 'GET', `/api/v1/assess/commendations?period=${period}`);
		assert.equal(after.json.items.find((x) => x.id === cand.id).status, 'rejected',
			'the repeated decision changed nothing');
		const max = Math.max(...after.json.items.map((x) => x.id));
		assertError(await call('leader', 'POST', `/api/v1/assess/commendations/${max + 1000}/approve`,
			{}), 404, 'not_found');
		assertError(await call('leader', 'POST', '/api/v1/assess/commendations/abc/approve', {}),
			404, 'not_found');
	});
	test('CSV and the printable report, in Chinese', async () => {
		const csv = await call('centre', 'GET', `/api/v1/assess/export.csv?period=${period}&level=community`);
		assert.equal(csv.status, 200);
		assert.match(csv.headers.get('content-type'), /^text\/csv/);
		const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
		assert.match(lines[0], /^排名,并列,代码,名称,得分/);
		assert.match(lines[1], new RegExp(`^1,,"${B.community}"`));
		assert.match(lines[2], new RegExp(`^2,,"${A.community}"`));
		const html = await call('centre', 'GET', `/api/v1/assess/report?period=${period}`);
		assert.equal(html.status, 200);
		assert.match(html.headers.get('content-type'), /^text\/html/);
		assert.match(html.text, /平安建设考评结果/);
		assert.match(html.text, /@page/);
		assert.match(html.text, /第 2 版定稿快照/);
		assert.match(html.text, /长河社区/);
	});
});

describe('indicators as data', () => {
	test('an edit is validated, versioned and kept in the history', async () => {
		const ind = await call('admin', 'GET', '/api/v1/assess/indicators');
		const { code, version, updated_at, ...i02 } = ind.json.items.find((x) => x.code === 'I02');
		assertError(await call('admin', 'PUT', '/api/v1/assess/indicators/I02',
			{ ...i02, numerator: 'closed +' }), 400, 'invalid_value');
		assertError(await call('admin', 'PUT', '/api/v1/assess/indicators/I02',
			{ ...i02, denominator: 'nothing' }), 400, 'invalid_value');
		assertError(await call('admin', 'PUT', '/api/v1/assess/indicators/I02',
			{ ...i02, bands: 'linear:1:0' }), 400, 'invalid_value');
		assertError(await call('centre', 'PUT', '/api/v1/assess/indicators/I02', i02), 403, 'forbidden');
		const put = await call('admin', 'PUT', '/api/v1/assess/indicators/I02', { ...i02, weight: 25 });
		assert.equal(put.status, 200, put.text);
		assert.equal(put.json.version, 2);
		const h = await call('assessor', 'GET', '/api/v1/assess/indicators/I02/history');
		assert.equal(h.status, 200, h.text);
		assert.equal(h.json.items[0].version, 2);
		assert.equal(h.json.items[0].user, 'admin');
		assert.equal(h.json.items[0].before.weight, 20);
		assert.equal(h.json.items[0].after.weight, 25);
		/* the published snapshot keeps the definitions it was computed with */
		const s = await scores('community');
		assert.equal(s.indicators.find((x) => x.code === 'I02').weight, 20);
	});
});
