/*
 * backup.test.mjs - `pingan backup` while the server runs and writes, and
 * `pingan restore`: the copy is consistent (its events, timeline actions
 * and audit records agree, its chain verifies); restore refuses a running
 * server's database, a tampered copy and a file that is not a database,
 * keeps the database it replaces, and the server serves the restored data.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { access, copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { cli, removeDir, Server, startServer } from './harness.mjs';

let srv, dir;
before(async () => {
	srv = await startServer();
	dir = srv.dir;
	srv.ownDir = false; /* restarted below on the restored database */
});
after(async () => {
	await srv?.stop();
	await removeDir(dir);
});

const sql = (db, q) => {
	const r = spawnSync('sqlite3', ['-separator', ' ', db, q], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
};

/* events, their timeline actions, and the audit records of each */
const COUNTS = "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM audit_log WHERE action "
	+ "= 'event.report'), (SELECT count(*) FROM event_actions), (SELECT count(*) FROM audit_log "
	+ "WHERE action LIKE 'event.%')";
const counts = (db) => sql(db, COUNTS).split(' ').map(Number);

describe('backup and restore', () => {
	const bk = () => path.join(dir, 'backup.db');
	let backedUp;

	test('a backup under concurrent writes is consistent and its chain verifies', async () => {
		const key = ['--audit-key-file', path.join(dir, 'audit.key')];
		let writing = true, made = 0;
		const writer = async (w) => {
			while (writing) {
				const e = await srv.api('POST', '/api/v1/events', { as: w % 2 ? 'centre' : 'gridworker',
					body: { category: '0102', title: `备份压力 ${w}-${made}`, address: '测试路' } });
				assert.equal(e.status, 201, e.text);
				made++;
				if (w % 2) {
					const r = await srv.api('POST', `/api/v1/events/${e.json.id}/actions/register`,
						{ as: 'centre', body: {} });
					assert.equal(r.status, 200, r.text);
				}
			}
		};
		const writers = [0, 1, 2, 3].map(writer);
		while (made < 20)
			await new Promise((r) => setTimeout(r, 10));
		const r = await cli(['--db', srv.db, ...key, 'backup', bk()]);
		const during = made;
		while (made < during + 20)
			await new Promise((res) => setTimeout(res, 10));
		writing = false;
		await Promise.all(writers);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /integrity ok; audit chain intact/);

		const [events, reports, actions, transitions] = counts(bk());
		assert.ok(events >= 20 && events < made, `the copy holds a moment's events (${events} of ${made})`);
		assert.equal(reports, events, 'one report record per event in the copy');
		assert.equal(transitions, actions, 'one audit record per timeline action in the copy');
		assert.equal(sql(bk(), 'PRAGMA integrity_check'), 'ok');
		const v = await cli(['--db', bk(), ...key, 'audit', 'verify']);
		assert.equal(v.code, 0, v.stdout + v.stderr);
		const live = counts(srv.db);
		assert.equal(live[0], made, 'the live database has every event');
		assert.equal(live[2], live[3]);
		backedUp = events;

		const again = await cli(['--db', srv.db, 'backup', bk()]);
		assert.equal(again.code, 1, 'a backup never overwrites a file');
		assert.match(again.stderr, /exists/);
	});

	test('restore refuses a running server\'s database', async () => {
		const r = await cli(['--db', srv.db, 'restore', bk()]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /a server is running/);
	});

	test('restore refuses a tampered copy and a file that is not a database', async () => {
		await srv.stop();
		const before = counts(srv.db);
		const bad = path.join(dir, 'tampered.db');
		await copyFile(bk(), bad);
		sql(bad, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = 'x' WHERE seq = 2;");
		let r = await cli(['--db', srv.db, 'restore', bad]);
		assert.equal(r.code, 1, r.stdout);
		assert.match(r.stderr, /audit chain .* is broken: record 2 was altered/);
		const junk = path.join(dir, 'junk.db');
		await writeFile(junk, 'this is not a database '.repeat(200));
		r = await cli(['--db', srv.db, 'restore', junk]);
		assert.equal(r.code, 1, r.stdout);
		r = await cli(['--db', srv.db, 'restore', path.join(dir, 'missing.db')]);
		assert.equal(r.code, 1, r.stdout);
		assert.deepStrictEqual(counts(srv.db), before, 'the database is untouched');
	});

	test('restore puts the copy in place, keeps the old database, and the server serves it', async () => {
		const r = await cli(['--db', srv.db, 'restore', bk()]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const kept = /kept the current database as '([^']+)'/.exec(r.stdout);
		assert.ok(kept, r.stdout);
		await access(kept[1]);
		assert.match(r.stdout, /audit chain intact/);
		assert.equal(counts(srv.db)[0], backedUp);
		const restore = sql(srv.db, "SELECT count(*) FROM audit_log WHERE action = 'restore'");
		assert.equal(restore, '1', 'the restore is audited');
		srv = await new Server({ dir, ownDir: false, accounts: srv.accounts, env: {}, args: [] }).start();
		const list = await srv.api('GET', '/api/v1/events?limit=1', { as: 'centre' });
		assert.equal(list.status, 200);
		assert.equal(list.json.total, backedUp);
		const v = await srv.api('GET', '/api/v1/audit/verify', { as: 'auditor' });
		assert.equal(v.json.ok, true, JSON.stringify(v.json));
	});
});
