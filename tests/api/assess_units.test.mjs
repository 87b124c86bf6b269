// Units registered to grids and demonstration units (平安示范单位): nomination, the check
// against the records, approval by someone else with a validity period, automatic
// revocation when a critical event is registered in the unit's grid, scope.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './harness.mjs';

let srv;
const A = { lon: 120.2116, lat: 30.2088, grid: '330108001009002' }; // 西兴街道
const B = { grid: '330108002004001' }; // 长河街道
let u1, u2;

async function call(user, method, path, body) {
	return srv.api(method, path, { as: user, body });
}

before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

describe('units', () => {
	test('are registered to grids, validated, and scoped', async () => {
		let res = await call('centre', 'POST', '/api/v1/units', { name: '星光小学', kind: 'school',
			grid: A.grid, address: '江南大道1号', contact: '王老师', phone: '0571-00000000' });
		assert.equal(res.status, 201, res.text);
		u1 = res.json;
		assert.equal(u1.grid, A.grid);
		res = await call('centre', 'POST', '/api/v1/units', { name: '长河农贸市场', kind: 'market',
			grid: B.grid });
		assert.equal(res.status, 201, res.text);
		u2 = res.json;
		assertError(await call('centre', 'POST', '/api/v1/units', { name: 'x', kind: 'castle',
			grid: A.grid }), 400, 'invalid_value');
		assertError(await call('centre', 'POST', '/api/v1/units', { name: 'x', kind: 'venue',
			grid: '330108001009' }), 400, 'invalid_value');
		assertError(await call('street.centre', 'POST', '/api/v1/units', { name: 'x',
			kind: 'venue', grid: B.grid }), 400, 'invalid_value');
		assertError(await call('gridworker', 'POST', '/api/v1/units', { name: 'x',
			kind: 'venue', grid: A.grid }), 403, 'forbidden');
		const mine = await call('street.centre', 'GET', '/api/v1/units');
		assert.deepEqual(mine.json.items.map((x) => x.id), [u1.id], 'only its street');
		assertError(await call('street.centre', 'GET', `/api/v1/units/${u2.id}`), 404, 'not_found');
		const byGrid = await call('centre', 'GET', `/api/v1/units?grid=${B.grid}`);
		assert.deepEqual(byGrid.json.items.map((x) => x.id), [u2.id]);
	});
});

describe('demonstration units', () => {
	let d1;
	test('a nomination is checked against the records and approved by someone else', async () => {
		const res = await call('assessor', 'POST', `/api/v1/units/${u1.id}/designations`,
			{ how: 'nomination', note: '街道推荐' });
		assert.equal(res.status, 201, res.text);
		d1 = res.json;
		assert.equal(d1.status, 'applied');
		assert.equal(d1.check.passed, true);
		assert.equal(d1.check.critical_events, 0);
		assertError(await call('assessor', 'POST', `/api/v1/units/${u1.id}/designations`,
			{ how: 'application' }), 409, 'conflict');
		assertError(await call('assessor', 'POST', `/api/v1/designations/${d1.id}/approve`, {}),
			403, 'forbidden');
		const ok = await call('leader', 'POST', `/api/v1/designations/${d1.id}/approve`, { years: 2 });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.status, 'designated');
		assert.equal(Date.parse(ok.json.valid_to) - Date.parse(ok.json.valid_from), 2 * 365 * 86400e3);
		const list = await call('centre', 'GET', '/api/v1/designations?status=designated');
		assert.deepEqual(list.json.items.map((x) => x.id), [d1.id]);
	});
	test('a critical event registered in the grid revokes it', async () => {
		const ev = await call('gridworker', 'POST', '/api/v1/events', { category: '0102',
			title: '校门口燃气泄漏', urgency: 3, lon: A.lon, lat: A.lat });
		assert.equal(ev.status, 201, ev.text);
		const reg = await call('centre', 'POST', `/api/v1/events/${ev.json.id}/actions/register`, {});
		assert.equal(reg.status, 200, reg.text);
		const d = await call('centre', 'GET', `/api/v1/designations/${d1.id}`);
		assert.equal(d.json.status, 'revoked');
		const last = d.json.history.at(-1);
		assert.deepEqual([last.from, last.to, last.by], ['designated', 'revoked', 'system']);
		assert.equal(last.note, `major incident: event ${ev.json.id}`);
		const unit = await call('centre', 'GET', `/api/v1/units/${u1.id}`);
		assert.equal(unit.json.designations[0].status, 'revoked');
	});
	test('a new application fails the check while the incident is within 12 months', async () => {
		const res = await call('centre', 'POST', `/api/v1/units/${u1.id}/designations`,
			{ how: 'application' });
		assert.equal(res.status, 201, res.text);
		assert.equal(res.json.check.passed, false);
		assert.equal(res.json.check.critical_events, 1);
		assertError(await call('leader', 'POST', `/api/v1/designations/${res.json.id}/approve`, {}),
			409, 'conflict');
		assertError(await call('leader', 'POST', `/api/v1/designations/${res.json.id}/reject`, {}),
			400, 'missing_field');
		const rej = await call('leader', 'POST', `/api/v1/designations/${res.json.id}/reject`,
			{ note: '12个月内发生重大事件' });
		assert.equal(rej.status, 200, rej.text);
		assert.equal(rej.json.status, 'rejected');
		assertError(await call('leader', 'POST', `/api/v1/designations/${res.json.id}/revoke`,
			{ note: 'x' }), 409, 'conflict');
	});
	test('another street cannot see or decide it', async () => {
		const res = await call('centre', 'POST', `/api/v1/units/${u2.id}/designations`,
			{ how: 'application' });
		assert.equal(res.status, 201, res.text);
		assertError(await call('street.centre', 'GET', `/api/v1/designations/${res.json.id}`),
			404, 'not_found');
		const list = await call('street.centre', 'GET', '/api/v1/designations');
		assert.ok(!list.json.items.some((x) => x.id === res.json.id));
		assertError(await call('centre', 'GET', '/api/v1/designations?status=bogus'),
			400, 'invalid_query');
	});
});
