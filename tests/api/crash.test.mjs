/*
 * crash.test.mjs - acknowledged writes survive kill -9.
 *
 * Several clients POST events as fast as the server takes them, recording
 * every acknowledged id and receipt; the server is killed with SIGKILL at a
 * random moment of the load, restarted, and must list every acknowledged
 * event. Five kill/restart cycles on one database; then, with the server
 * stopped, SQLite's integrity checks, no partial event (each has its report
 * action) and roll-ups equal to a recount. Events in flight at the kill may
 * or may not exist; if they do, they are complete (the consistency checks
 * cover every event in the database).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { removeDir, startServer } from './harness.mjs';
import { assertAllPresent, assertConsistent, listAll, writeLoad } from './crash_lib.mjs';

const CYCLES = 5;

describe('kill -9 under write load', () => {
	let srv, dir;
	after(async () => {
		await srv?.stop().catch(() => {});
		await removeDir(dir);
	});

	test(`${CYCLES} kills at random moments lose no acknowledged event`, async (t) => {
		srv = await startServer();
		dir = srv.dir;
		srv.ownDir = false;
		const accounts = srv.accounts;
		const tokens = [];
		for (const u of ['gridworker', 'centre', 'street.centre', 'admin'])
			tokens.push((await srv.login(u)).token);
		const admin = tokens[3];
		const acked = new Map();
		let sent = 0;
		for (let cycle = 0; cycle < CYCLES; cycle++) {
			if (cycle > 0)
				srv = await startServer({ dir, demo: false, accounts });
			/* every acknowledged event of the earlier cycles came back */
			assertAllPresent(acked, await listAll(srv.base, admin), `after restart ${cycle}`);
			let killed = false;
			const before = acked.size;
			const killAfter = 1500 + Math.floor(Math.random() * 3000); /* ms of load */
			let t0 = null; /* the first acknowledgement: the load runs */
			const load = writeLoad(srv.base, tokens, { clients: 8, stop: () => killed, start: sent,
				onAck: () => { t0 ??= Date.now(); } });
			/* the kill comes at a random moment after the load got going (however slow the
			 * machine is), while the clients keep writing */
			const failed = load.catch((e) => e);
			while (!killed) {
				await new Promise((r) => setTimeout(r, 10));
				if (t0 !== null && Date.now() - t0 >= killAfter) {
					killed = true;
					srv.signal('SIGKILL');
				}
				if (await Promise.race([failed, null]))
					break; /* a client failed before the kill: reported below */
			}
			const res = await load;
			assert.ok(killed);
			const exit = await srv.exited;
			assert.equal(exit.signal, 'SIGKILL', `cycle ${cycle}: the server was killed`);
			srv.proc = null; /* nothing to stop */
			for (const [id, receipt] of res.acked)
				acked.set(id, receipt);
			sent += res.acked.size + res.failed + 1000;
			t.diagnostic(`cycle ${cycle}: killed ${killAfter} ms into the load, ${acked.size - before} ` +
				`acknowledged, ${res.failed} cut off`);
			assert.ok(acked.size - before > 0, `cycle ${cycle}: no write was acknowledged before the kill`);
		}
		srv = await startServer({ dir, demo: false, accounts });
		const listed = await listAll(srv.base, admin);
		assertAllPresent(acked, listed, 'after the last restart');
		await srv.stop();
		srv = null;
		const n = await assertConsistent(path.join(dir, 'p.db'));
		assert.ok(n >= acked.size, `${n} events in the database, ${acked.size} acknowledged`);
		t.diagnostic(`${acked.size} acknowledged events over ${CYCLES} kills, ${n} in the database`);
	});
});
