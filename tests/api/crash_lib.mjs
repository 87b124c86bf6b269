/*
 * crash_lib.mjs - shared by the reliability tests (crash, faults): a write
 * load that records every acknowledged event, and the checks that the data
 * survived: each acknowledged event is there with its receipt, no event is
 * partial (each has its "report" action), the roll-ups agree with a recount,
 * and SQLite's integrity checks pass.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

/* District 330108's bounding box, a little inside it (most points land in
 * a grid; the few outside go to the district, which is fine). */
const BOX = { lon: [120.13, 120.24], lat: [30.17, 30.23] };
const CATEGORIES = ['0101', '0102', '0103', '0501'];

/* A POST /api/v1/events body; i makes titles unique. */
export function eventBody(i) {
	const r = (a, b) => a + Math.random() * (b - a);
	return { category: CATEGORIES[i % CATEGORIES.length], urgency: 1 + (i % 3),
		title: `压力测试 ${i}`, description: `第 ${i} 条`, lon: Number(r(...BOX.lon).toFixed(6)),
		lat: Number(r(...BOX.lat).toFixed(6)) };
}

/*
 * Runs `clients` loops, each POSTing events with one of tokens until stop()
 * is true or a request fails after stop() became true (a request that fails
 * before is a test failure, unless allowFail(res|err) says otherwise).
 * Returns {acked: Map id -> receipt, failed, statuses: Map status -> count}.
 */
export async function writeLoad(base, tokens, { clients = 8, stop, allowFail = () => false,
	onAck = () => {}, start = 0 } = {}) {
	const acked = new Map(), statuses = new Map();
	let next = start, failed = 0;
	const loop = async (c) => {
		const token = tokens[c % tokens.length];
		while (!stop()) {
			const i = next++;
			let res;
			try {
				const r = await fetch(`${base}/api/v1/events`, { method: 'POST',
					headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
					body: JSON.stringify(eventBody(i)), signal: AbortSignal.timeout(30000) });
				const text = await r.text();
				res = { status: r.status, text };
			} catch (e) {
				failed++;
				if (stop() || allowFail(e))
					continue;
				throw new Error(`client ${c}: request ${i} failed before the stop: ${e.cause?.code ?? e.message}`);
			}
			statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
			if (res.status === 201) {
				const j = JSON.parse(res.text);
				assert.ok(Number.isInteger(j.id) && typeof j.receipt === 'string', res.text);
				acked.set(j.id, j.receipt);
				onAck(j);
			} else if (!allowFail(res)) {
				throw new Error(`client ${c}: request ${i} answered ${res.status}: ${res.text.slice(0, 300)}`);
			} else {
				failed++;
			}
		}
	};
	await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
	return { acked, failed, statuses };
}

/* Every event visible to the token (the admin sees all): Map id -> receipt. */
export async function listAll(base, token) {
	const out = new Map();
	let cursor = null;
	for (;;) {
		const q = `/api/v1/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`;
		const r = await fetch(base + q, { headers: { authorization: `Bearer ${token}` } });
		assert.equal(r.status, 200, `GET ${q}: ${r.status}`);
		const j = await r.json();
		for (const e of j.items)
			out.set(e.id, e.receipt);
		if (!j.next_cursor)
			return out;
		cursor = j.next_cursor;
	}
}

/* Asserts that every acknowledged event is listed with its receipt. */
export function assertAllPresent(acked, listed, where) {
	const missing = [];
	for (const [id, receipt] of acked)
		if (listed.get(id) !== receipt)
			missing.push(`${id} (${receipt} -> ${listed.get(id) ?? 'missing'})`);
	assert.deepEqual(missing, [], `${where}: ${missing.length} of ${acked.size} acknowledged events lost or changed`);
}

/* sqlite3 CLI: rows as objects (-json). */
export function sql(db, query) {
	return new Promise((resolve, reject) => {
		execFile('sqlite3', ['-json', db, query], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
			if (err)
				reject(new Error(`sqlite3 ${query}: ${stderr || err.message}`));
			else
				resolve(stdout.trim() ? JSON.parse(stdout) : []);
		});
	});
}

/*
 * On a database no server has open: integrity_check and the full-text
 * index's own check pass; every event has exactly one "report" action, as
 * its first; event_counts and event_daily equal a recount from events.
 * Returns the number of events.
 */
export async function assertConsistent(db) {
	assert.deepEqual(await sql(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }],
		'PRAGMA integrity_check');
	await sql(db, "INSERT INTO events_fts(events_fts) VALUES('integrity-check')");
	const partial = await sql(db, `SELECT e.id FROM events e WHERE
		(SELECT count(*) FROM event_actions a WHERE a.event_id = e.id AND a.action = 'report') != 1
		OR (SELECT action FROM event_actions a WHERE a.event_id = e.id ORDER BY a.id LIMIT 1) != 'report'
		LIMIT 20`);
	assert.deepEqual(partial, [], 'events without exactly one first "report" action');
	const orphans = await sql(db, `SELECT count(*) AS n FROM event_actions a
		WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = a.event_id)`);
	assert.equal(orphans[0].n, 0, 'actions of events that do not exist');
	const counts = await sql(db, `SELECT * FROM (
		SELECT org_path, state, n, overdue FROM event_counts WHERE n != 0
		EXCEPT SELECT org_path, state, count(*), sum(warn >= 2) FROM events GROUP BY 1, 2)
		UNION ALL SELECT * FROM (
		SELECT org_path, state, count(*), sum(warn >= 2) FROM events GROUP BY 1, 2
		EXCEPT SELECT org_path, state, n, overdue FROM event_counts WHERE n != 0) LIMIT 20`);
	assert.deepEqual(counts, [], 'event_counts differs from a recount of events');
	const daily = await sql(db, `SELECT * FROM (
		SELECT day, org_path, reported FROM event_daily WHERE reported != 0
		EXCEPT SELECT (created_at + 28800) / 86400, org_path, count(*) FROM events GROUP BY 1, 2)
		UNION ALL SELECT * FROM (
		SELECT (created_at + 28800) / 86400, org_path, count(*) FROM events GROUP BY 1, 2
		EXCEPT SELECT day, org_path, reported FROM event_daily WHERE reported != 0) LIMIT 20`);
	assert.deepEqual(daily, [], 'event_daily.reported differs from a recount of events');
	const closed = await sql(db, `SELECT * FROM (
		SELECT day, org_path, closed FROM event_daily WHERE closed != 0
		EXCEPT SELECT (closed_at + 28800) / 86400, org_path, count(*) FROM events
		WHERE state = 'closed' GROUP BY 1, 2)
		UNION ALL SELECT * FROM (
		SELECT (closed_at + 28800) / 86400, org_path, count(*) FROM events WHERE state = 'closed'
		GROUP BY 1, 2
		EXCEPT SELECT day, org_path, closed FROM event_daily WHERE closed != 0) LIMIT 20`);
	assert.deepEqual(closed, [], 'event_daily.closed differs from a recount of events');
	return (await sql(db, 'SELECT count(*) AS n FROM events'))[0].n;
}
