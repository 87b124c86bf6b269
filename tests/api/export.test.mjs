// GET /api/v1/events.csv: the list's filters and scope, UTF-8 with a BOM,
// Chinese headers, the row cap stated, cells that cannot run as formulas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './harness.mjs';

const CAP = 120;
let srv;
before(async () => {
	srv = await startServer({ demoEnv: { PINGAN_DEMO_EVENTS: '250' },
		env: { PINGAN_EXPORT_MAX_ROWS: String(CAP) } });
});
after(async () => {
	await srv?.stop();
});

/* RFC 4180: quoted fields with "" and line breaks; CRLF between records */
function parseCsv(text) {
	const rows = [];
	let row = [], cell = '', q = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (q) {
			if (c === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') {
				q = false;
			} else {
				cell += c;
			}
		} else if (c === '"') {
			q = true;
		} else if (c === ',') {
			row.push(cell);
			cell = '';
		} else if (c === '\r' && text[i + 1] === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
			i++;
		} else {
			cell += c;
		}
	}
	assert.equal(q, false, 'no open quote at the end');
	assert.equal(cell + row.join(''), '', 'the file ends with CRLF');
	return rows;
}

async function exportCsv(as, query = '') {
	const res = await fetch(`${srv.base}/api/v1/events.csv${query ? `?${query}` : ''}`,
		{ headers: { authorization: `Bearer ${(await srv.session(as)).token}` } });
	const bytes = Buffer.from(await res.arrayBuffer());
	return { res, bytes, text: bytes.toString('utf8') };
}

async function listIds(as, query = '') {
	const ids = [];
	let cursor = '';
	for (;;) {
		const res = await srv.api('GET', `/api/v1/events?limit=100${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`, { as });
		assert.equal(res.status, 200, res.text);
		ids.push(...res.json.items.map((e) => e.id));
		if (!res.json.next_cursor)
			return ids;
		cursor = res.json.next_cursor;
	}
}

const HEADER = ['编号', '回执号', '类别代码', '类别', '标题', '描述', '地址', '经度', '纬度', '网格', '社区', '街道',
	'来源', '状态', '紧急程度', '处置部门', '预警', '是否超期', '升级次数', '返工次数', '督办次数', '上报时间', '更新时间',
	'处置时限', '结案时间'];

test('a BOM, Chinese headers, the list\'s first rows, and the cap said at the end', async () => {
	const { res, bytes, text } = await exportCsv('centre');
	assert.equal(res.status, 200);
	assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
	assert.match(res.headers.get('content-disposition'), /^attachment; filename="events-\d{8}\.csv"$/);
	assert.equal(res.headers.get('x-export-limit'), String(CAP));
	assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
	const rows = parseCsv(text.slice(1));
	assert.deepEqual(rows[0], HEADER);
	const all = await listIds('centre');
	assert.ok(all.length > CAP, `${all.length} events, more than the cap`);
	const data = rows.slice(1, -1);
	assert.equal(data.length, CAP);
	assert.deepEqual(data.map((r) => Number(r[0])), all.slice(0, CAP), 'the list\'s order, newest first');
	assert.match(rows.at(-1)[0], /^# 仅导出前 120 条/);
	for (const r of data) {
		assert.equal(r.length, HEADER.length);
		assert.match(r[1], /^PA[2-9A-Z]{10}$/);
		assert.match(r[21], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
	}
});

test('filters and scope are the list\'s', async () => {
	for (const [as, q] of [['centre', 'state=closed&category=01'], ['centre', 'org=330108002&overdue=false&urgency=1'],
		['street.centre', ''], ['gridworker', 'urgency=2'], ['centre', 'q=垃圾']]) {
		const ids = await listIds(as, q);
		assert.ok(ids.length <= CAP, `${as} ${q}: ${ids.length} fit under the cap`);
		const { res, text } = await exportCsv(as, q);
		assert.equal(res.status, 200);
		const rows = parseCsv(text.slice(1)).slice(1);
		assert.deepEqual(rows.map((r) => Number(r[0])), ids, `${as} ${q}`);
	}
	const street = parseCsv((await exportCsv('street.centre')).text.slice(1)).slice(1);
	assert.ok(street.length > 0);
	assert.ok(street.every((r) => r[11] === '330108001' || r[11] === ''), 'only its street');
});

test('text comes back as written, and never as a formula', async () => {
	const title = '=HYPERLINK("http://x","点我")';
	const description = '第一行，有逗号, 和 "引号"\n第二行';
	const e = await srv.api('POST', '/api/v1/events', { as: 'centre',
		body: { category: '0102', title, description, address: '+86 滨江', lon: 120.2, lat: 30.2 } });
	assert.equal(e.status, 201, e.text);
	const { text } = await exportCsv('centre', `q=${encodeURIComponent('HYPERLINK')}`);
	const rows = parseCsv(text.slice(1));
	assert.equal(rows.length, 2);
	const r = rows[1];
	assert.equal(Number(r[0]), e.json.id);
	assert.equal(r[3], '暴露垃圾');
	assert.equal(r[4], `'${title}`);
	assert.equal(r[5], description);
	assert.equal(r[6], "'+86 滨江");
	assert.equal(r[7], '120.200000');
	assert.equal(r[13], '待受理');
});

test('bad filters and no session', async () => {
	assertError(await srv.api('GET', '/api/v1/events.csv?state=nope', { as: 'centre' }), 400, 'invalid_query');
	assertError(await srv.api('GET', '/api/v1/events.csv?org=330108002', { as: 'street.centre' }), 400, 'invalid_query');
	assertError(await srv.api('GET', '/api/v1/events.csv'), 401, 'unauthenticated');
	const empty = await exportCsv('centre', 'from=2001-01-01&to=2001-01-02');
	assert.equal(empty.text, `\ufeff${HEADER.join(',')}\r\n`);
});
