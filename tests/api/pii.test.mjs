/*
 * pii.test.mjs - reporters' personal data through the API: contact fields
 * on a report (validated, never echoed in errors), masked in the event,
 * clear only through POST /api/v1/events/{id}/personal with a reason for
 * the roles of pii_reveal_roles (no-store, recorded; anyone else gets the
 * answer of a missing event), exact search through blind indexes within
 * scope, Open311's requester fields, nothing in the clear in the database
 * files or the logs, and `pingan key rotate` / `key status` with the data
 * still readable afterwards; a server without the key file its data needs
 * refuses to start.
 */
import assert from 'node:assert/strict';
import { readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, cli, Server, startServer } from './harness.mjs';

/* GB 11643 check character */
function idCheck(d17) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++)
		s += Number(d17[i]) * w[i];
	return '10X98765432'[s % 11];
}
const withCheck = (d17) => d17 + idCheck(d17);

/* distinctive synthetic values, so finding one anywhere means it leaked */
const PERSON = {
	name: '测试某某甲',
	phone: '+86 199-0000-4321',
	id_no: withCheck('33010819870214957'),
	address: '示例路88号1201室',
};
const PHONE = '19900004321'; /* PERSON.phone normalised */
const OTHER = { name: '测试某某乙', phone: '19900008765', id_no: withCheck('33010819921130968') };

let srv;
let withContact; /* event id with PERSON */
let plain; /* event id without contact data */

before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

async function report(body, as = 'gridworker') {
	const res = await srv.api('POST', '/api/v1/events', { as, body: {
		category: '0102', title: '路边垃圾', address: '滨江区示例路', ...body } });
	return res;
}

function assertNoValue(text, where) {
	for (const v of [PERSON.name, PHONE, PERSON.id_no, PERSON.address, OTHER.name, OTHER.phone,
		OTHER.id_no])
		assert.ok(!text.includes(v), `'${v}' is not in ${where}`);
}

describe('reporting with contact data', () => {
	test('a report carries a contact; the answer shows it masked', async () => {
		const res = await report({ reporter: PERSON });
		assert.equal(res.status, 201, res.text);
		withContact = res.json.id;
		assert.deepEqual(res.json.reporter, {
			name: '测****', phone: '199****4321',
			id_no: `330108********${PERSON.id_no.slice(14)}`, address: '示例路88****',
			masked: true,
		});
		const other = await report({ reporter: OTHER }, 'centre');
		assert.equal(other.status, 201, other.text);
		const p = await report({});
		assert.equal(p.status, 201, p.text);
		plain = p.json.id;
		assert.ok(!('reporter' in p.json), 'no contact, no reporter field');
	});

	test('the event shows the contact masked to every role that sees it', async () => {
		for (const as of ['centre', 'admin', 'leader', 'gridworker']) {
			const res = await srv.api('GET', `/api/v1/events/${withContact}`, { as });
			assert.equal(res.status, 200, `${as}: ${res.text}`);
			assert.equal(res.json.reporter.phone, '199****4321', as);
			assert.equal(res.json.reporter.masked, true, as);
			assertNoValue(res.text, `GET as ${as}`);
		}
		const res = await srv.api('GET', `/api/v1/events/${plain}`, { as: 'centre' });
		assert.equal(res.json.reporter, null, 'an event without contact data');
	});

	test('bad contact data is refused without repeating it', async () => {
		const cases = [
			[{ phone: '12800004321' }, 400, 'invalid_value', /mobile/],
			[{ phone: '1990000432' }, 400, 'invalid_value', /mobile/],
			[{ id_no: PERSON.id_no.slice(0, 17) + (PERSON.id_no[17] === '1' ? '2' : '1') }, 400,
				'invalid_value', /ID number/],
			[{ id_no: withCheck('33010820991301123') }, 400, 'invalid_value', /ID number/],
			[{ name: 'a\nb' }, 400, 'invalid_value', /name/],
			[{ name: 12 }, 400, 'wrong_type', /reporter.name/],
			[{ email: 'x@example.com' }, 400, undefined, /email/],
		];
		for (const [rep, status, code, msg] of cases) {
			const res = await report({ reporter: rep });
			assertError(res, status, code);
			assert.match(res.json.error.message, msg);
			for (const v of Object.values(rep))
				if (typeof v === 'string' && v.length > 3)
					assert.ok(!res.text.includes(v), `the error does not repeat '${v}'`);
		}
		assertError(await report({ reporter: '13800000000' }), 400, 'wrong_type');
	});
});

describe('reading in the clear', () => {
	test('the centre reads it with a reason: clear values, no-store, recorded', async () => {
		const res = await srv.api('POST', `/api/v1/events/${withContact}/personal`, {
			as: 'centre', body: { reason: '回访核实办理结果' } });
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json, { event_id: withContact, reporter: {
			name: PERSON.name, phone: PHONE, id_no: PERSON.id_no, address: PERSON.address,
			masked: false } });
		assert.equal(res.headers.get('cache-control'), 'no-store');
		const reads = await srv.api('GET', `/api/v1/events/${withContact}/personal/reads`,
			{ as: 'auditor' });
		assert.equal(reads.status, 200, reads.text);
		assert.equal(reads.json.items.length, 1);
		assert.equal(reads.json.items[0].user, 'centre');
		assert.equal(reads.json.items[0].reason, '回访核实办理结果');
		assert.equal(reads.json.items[0].fields, 'name,phone,id_no,address');
		assertNoValue(reads.text, 'the read log');
		assertError(await srv.api('GET', `/api/v1/events/${withContact}/personal/reads`,
			{ as: 'centre' }), 403, 'forbidden');
	});

	test('a reason is required', async () => {
		const url = `/api/v1/events/${withContact}/personal`;
		assertError(await srv.api('POST', url, { as: 'centre', body: {} }), 400, 'missing_field');
		assertError(await srv.api('POST', url, { as: 'centre', body: { reason: ' ' } }), 400,
			'invalid_value');
		assertError(await srv.api('POST', url, { as: 'centre', body: { reason: 5 } }), 400,
			'wrong_type');
		assertError(await srv.api('POST', url, { as: 'centre', body: { reason: 'ok', x: 1 } }),
			400);
		const reads = await srv.api('GET', `/api/v1/events/${withContact}/personal/reads`,
			{ as: 'security' });
		assert.equal(reads.json.items.length, 1, 'refused reads show nothing and log nothing');
	});

	test('other roles get the answer of a missing event', async () => {
		const missing = await srv.api('POST', '/api/v1/events/99999999/personal', {
			as: 'centre', body: { reason: '回访' } });
		assertError(missing, 404, 'not_found');
		/* the audit administrator is refused every route but the audit log's,
		 * whatever the object (403 before any look-up: it tells nothing) */
		const auditor = await srv.api('POST', `/api/v1/events/${withContact}/personal`, {
			as: 'auditor', body: { reason: '回访' } });
		assertError(auditor, 403, 'forbidden');
		assertNoValue(auditor.text, 'refusal for auditor');
		for (const as of ['admin', 'security', 'gridworker', 'handler', 'leader']) {
			const res = await srv.api('POST', `/api/v1/events/${withContact}/personal`, {
				as, body: { reason: '回访' } });
			assertError(res, 404, 'not_found');
			assert.equal(res.json.error.message.replace(/\d+/, 'N'),
				missing.json.error.message.replace(/\d+/, 'N'), `${as}: same message`);
			assertNoValue(res.text, `refusal for ${as}`);
		}
		/* the street's centre does not see a district-level report */
		assertError(await srv.api('POST', `/api/v1/events/${withContact}/personal`, {
			as: 'street.centre', body: { reason: '回访' } }), 404, 'not_found');
		const none = await srv.api('POST', `/api/v1/events/${plain}/personal`, {
			as: 'centre', body: { reason: '回访' } });
		assertError(none, 404, 'not_found');
		assert.match(none.json.error.message, /no personal data/);
	});
});

describe('who the app offers the clear read to', () => {
	test('GET /api/v1/me says pii_reveal exactly for the roles the read accepts', async () => {
		for (const [as, may] of [['centre', true], ['street.centre', true], ['admin', false],
			['security', false], ['auditor', false], ['gridworker', false], ['handler', false],
			['leader', false]]) {
			const me = await srv.api('GET', '/api/v1/me', { as });
			assert.equal(me.status, 200, me.text);
			assert.equal(me.json.pii_reveal, may, `${as}`);
		}
	});
});

describe('search by phone and ID number', () => {
	const list = (q, as = 'centre') => srv.api('GET', `/api/v1/events?${q}`, { as });

	test('an exact phone or ID number finds exactly its events', async () => {
		for (const q of [`reporter_phone=${PHONE}`, 'reporter_phone=199-0000-4321',
			`reporter_phone=%2B86${PHONE}`, `reporter_id_no=${PERSON.id_no}`]) {
			const res = await list(q);
			assert.equal(res.status, 200, `${q}: ${res.text}`);
			assert.deepEqual(res.json.items.map((e) => e.id), [withContact], q);
			assert.equal(res.json.total, 1, q);
		}
		const other = await list(`reporter_phone=${OTHER.phone}`);
		assert.equal(other.json.items.length, 1);
		assert.notEqual(other.json.items[0].id, withContact);
		const none = await list('reporter_phone=19900000000');
		assert.deepEqual(none.json.items, []);
		assert.equal(none.json.total, 0);
		const combined = await list(`reporter_phone=${PHONE}&state=closed`);
		assert.deepEqual(combined.json.items, [], 'other filters still apply');
	});

	test('scope still applies, and only reveal roles may search', async () => {
		const street = await list(`reporter_phone=${PHONE}`, 'street.centre');
		assert.equal(street.status, 200, street.text);
		assert.deepEqual(street.json.items, [], 'outside the street');
		assertError(await list(`reporter_phone=${PHONE}`, 'gridworker'), 403, 'forbidden');
		assertError(await list(`reporter_phone=${PHONE}`, 'admin'), 403, 'forbidden');
	});

	test('bad search values are refused without repeating them', async () => {
		let res = await list('reporter_phone=12345');
		assertError(res, 400, 'invalid_query');
		res = await list('reporter_id_no=330108199901011111');
		assertError(res, 400, 'invalid_query');
		assert.ok(!res.text.includes('330108199901011111'));
		assertError(await list(`reporter_phone=${PHONE}&reporter_id_no=${PERSON.id_no}`), 400,
			'invalid_query');
	});
});

describe('Open311 requesters', () => {
	test('first_name, last_name and phone become the reporter contact', async () => {
		const k = await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
			body: { name: 'pii test', jurisdiction: '330108' } });
		assert.equal(k.status, 201, k.text);
		const form = new URLSearchParams({ api_key: k.json.key, service_code: '0102',
			address_string: '滨江区示例路', description: '垃圾堆积', first_name: '某乙',
			last_name: '测试', phone: '199 0000 5555', email: 'someone@example.com' });
		const res = await srv.api('POST', '/open311/v2/requests.json', { raw: form.toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded' } });
		assert.equal(res.status, 200, res.text);
		const id = res.json[0].service_request_id;
		const e = await srv.api('GET', `/api/v1/events/${id}`, { as: 'centre' });
		assert.equal(e.json.reporter.phone, '199****5555');
		assert.equal(e.json.reporter.name, '测***');
		const clear = await srv.api('POST', `/api/v1/events/${id}/personal`, { as: 'centre',
			body: { reason: '联系报告人' } });
		assert.equal(clear.json.reporter.name, '测试某乙', 'surname first for a Chinese name');
		assert.equal(clear.json.reporter.phone, '19900005555');
		const bad = new URLSearchParams({ api_key: k.json.key, service_code: '0102',
			address_string: '滨江区示例路', phone: '555-0100' });
		const r2 = await srv.api('POST', '/open311/v2/requests.json', { raw: bad.toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded' } });
		assert.equal(r2.status, 400, r2.text);
		assert.ok(!r2.text.includes('555-0100'));
	});
});

describe('at rest', () => {
	test('the database files and the logs hold no clear value', async () => {
		let bytes = '';
		for (const f of ['p.db', 'p.db-wal'])
			bytes += await readFile(path.join(srv.dir, f), 'latin1').catch(() => '');
		assert.ok(bytes.includes(Buffer.from('滨江区示例路', 'utf8').toString('latin1')),
			'the check can see stored text (the event address is stored)');
		for (const v of [PERSON.name, PHONE, PERSON.id_no, PERSON.address, OTHER.phone,
			OTHER.id_no, '19900005555'])
			assert.ok(!bytes.includes(Buffer.from(v, 'utf8').toString('latin1')),
				`'${v}' is not in the database files`);
		assertNoValue(srv.stderr, 'the server log');
		const key = await stat(path.join(srv.dir, 'pingan.keys'));
		assert.equal(key.mode & 0o777, 0o600, 'the demo made the key file 0600');
	});

	test('key rotate re-encrypts everything; the data stays readable', async () => {
		const dir = srv.dir, accounts = srv.accounts;
		await srv.stop({ keepDir: true });
		const db = path.join(dir, 'p.db');
		const before = await cli(['--db', db, 'key', 'status'], { cwd: dir });
		assert.equal(before.code, 0, before.stderr);
		assert.match(before.stdout, /current 1\n/);
		const rot = await cli(['--db', db, '--pii-profile', 'intl', 'key', 'rotate'], { cwd: dir });
		assert.equal(rot.code, 0, rot.stderr);
		assert.match(rot.stdout, /key version 2 \(intl\) added.*; 3 personal values re-encrypted/s);
		const st = await cli(['--db', db, 'key', 'status'], { cwd: dir });
		assert.match(st.stdout, /current 2\n/);
		assert.match(st.stdout, /\n {2}2 +intl +\S+ +3\n/, 'every value is under version 2');
		assert.match(st.stdout, /\n {2}1 +gm +\S+ +0\n/, 'none is left under version 1');
		assert.ok(!/[A-Za-z0-9+/]{43}=/.test(st.stdout), 'status shows no key material');
		const key = await stat(path.join(dir, 'pingan.keys'));
		assert.equal(key.mode & 0o777, 0o600, 'the rewritten key file is 0600');

		srv = new Server({ dir, ownDir: true, accounts, env: {}, args: [] });
		await srv.start();
		const clear = await srv.api('POST', `/api/v1/events/${withContact}/personal`, {
			as: 'centre', body: { reason: '轮换后核对' } });
		assert.equal(clear.status, 200, clear.text);
		assert.equal(clear.json.reporter.phone, PHONE);
		assert.equal(clear.json.reporter.id_no, PERSON.id_no);
		const found = await srv.api('GET', `/api/v1/events?reporter_id_no=${PERSON.id_no}`,
			{ as: 'centre' });
		assert.deepEqual(found.json.items.map((e) => e.id), [withContact],
			'blind indexes were recomputed under the new version');
		const res = await report({ reporter: { phone: '19900001111' } });
		assert.equal(res.status, 201, res.text);
	});

	test('without the key file its data needs, the server refuses to start', async () => {
		const dir = srv.dir, accounts = srv.accounts;
		await srv.stop({ keepDir: true });
		const keys = path.join(dir, 'pingan.keys');
		await rename(keys, `${keys}.away`);
		const r = await cli(['--db', path.join(dir, 'p.db'), '--listen', '127.0.0.1:0', 'serve'],
			{ cwd: dir });
		assert.equal(r.code, 1);
		assert.match(r.stderr, /sealed with key version 2.*restore the key file/);
		const init = await cli(['--db', path.join(dir, 'p.db'), 'key', 'init'], { cwd: dir });
		assert.equal(init.code, 1, 'key init will not make a key that cannot open the data');
		await rename(`${keys}.away`, keys);
		srv = new Server({ dir, ownDir: true, accounts, env: {}, args: [] });
		await srv.start();
		const res = await srv.api('GET', `/api/v1/events/${withContact}`, { as: 'centre' });
		assert.equal(res.json.reporter.phone, '199****4321');
	});
});

describe('a server without a key file', () => {
	let bare;
	before(async () => {
		/* the demo made a key file but sealed nothing with it: without it the server
		 * starts, and refuses only what needs a key */
		bare = await startServer({ setup: async ({ dir }) => {
			const { unlink } = await import('node:fs/promises');
			await unlink(path.join(dir, 'pingan.keys'));
		} });
	});
	after(async () => {
		await bare?.stop();
	});

	test('refuses reports with contact data, takes the others', async () => {
		const body = { category: '0102', title: '路边垃圾', address: '滨江区示例路' };
		const res = await bare.api('POST', '/api/v1/events', { as: 'gridworker',
			body: { ...body, reporter: { phone: PHONE } } });
		assertError(res, 503, 'unavailable');
		assert.match(res.json.error.message, /no key file/);
		assert.ok(!res.text.includes(PHONE));
		const ok = await bare.api('POST', '/api/v1/events', { as: 'gridworker', body });
		assert.equal(ok.status, 201, ok.text);
		const found = await bare.api('GET', `/api/v1/events?reporter_phone=${PHONE}`,
			{ as: 'centre' });
		assert.equal(found.status, 200, found.text);
		assert.deepEqual(found.json.items, []);
		assert.match(bare.stderr, /no key file at/, 'the start-up warns');
	});
});
