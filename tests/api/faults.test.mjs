/*
 * faults.test.mjs - disk full, a read-only database, SIGTERM under load.
 *
 * Disk full is the real thing: the database lives on a small tmpfs mount,
 * a filler file takes the rest of its space, writes must answer 507
 * insufficient_storage while reads go on, and writes resume once the filler
 * is gone. Read-only is a read-only remount of that file system between two
 * runs (a mount cannot go read-only under open files without an I/O error,
 * and root ignores file modes): the server starts, serves reads, and answers
 * writes 503 read_only; remounted writable, writes resume. Both need root
 * (mount); without it they are skipped with that reason. Every acknowledged
 * write is present at the end, and the database passes the consistency
 * checks of crash_lib.mjs.
 *
 * SIGTERM under load needs nothing special: clients keep writing while the
 * server is told to stop; every write it acknowledged is there after a
 * restart.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { closeSync, mkdtempSync, openSync, rmdirSync, statfsSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { assertError, removeDir, startServer } from './harness.mjs';
import { assertAllPresent, assertConsistent, eventBody, listAll, writeLoad } from './crash_lib.mjs';

const MiB = 1024 * 1024;

/* false, or why these tests cannot run here */
function mountSkip() {
	if (process.getuid?.() !== 0)
		return 'needs root to mount a small tmpfs (disk full) and remount it read-only';
	const probe = mkdtempSync(path.join(os.tmpdir(), 'pingan-mount-'));
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
		execFileSync('umount', [probe], { stdio: 'pipe' });
		return false;
	} catch (e) {
		return `cannot mount a tmpfs here (${String(e.stderr ?? e.message).trim().split('\n')[0]})`;
	} finally {
		rmdirSync(probe);
	}
}

function mount(dir, opts) {
	execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'pipe' });
}
function remount(dir, opts) {
	execFileSync('mount', ['-o', `remount,${opts}`, dir], { stdio: 'pipe' });
}

/* Fills the file system of dir until ENOSPC; returns the filler's path. */
function fill(dir) {
	const file = path.join(dir, 'filler');
	const fd = openSync(file, 'w');
	const block = Buffer.alloc(64 * 1024, 0xaa);
	try {
		for (;;)
			writeSync(fd, block);
	} catch (e) {
		if (e.code !== 'ENOSPC')
			throw e;
	}
	/* and the last partial block */
	try {
		for (;;)
			writeSync(fd, Buffer.alloc(512, 0xaa));
	} catch (e) {
		if (e.code !== 'ENOSPC')
			throw e;
	}
	closeSync(fd);
	return file;
}

async function post(srv, token, i) {
	return srv.api('POST', '/api/v1/events', { token, body: eventBody(i) });
}

describe('disk full and read-only', { skip: mountSkip() }, () => {
	let srv, dir, mounted = false;
	after(async () => {
		await srv?.stop().catch(() => {});
		if (mounted)
			execFileSync('umount', ['-l', dir]);
		await rm(dir, { recursive: true, force: true });
	});

	test('disk full: 507 on writes, reads go on, writes resume when space returns', async (t) => {
		dir = await mkdtemp(path.join(os.tmpdir(), 'pingan-faults-'));
		mount(dir, 'size=64m');
		mounted = true;
		srv = await startServer({ dir });
		const token = (await srv.login('gridworker')).token;
		const admin = (await srv.login('admin')).token;
		const acked = new Map();
		for (let i = 0; i < 20; i++) {
			const r = await post(srv, token, i);
			assert.equal(r.status, 201, r.text);
			acked.set(r.json.id, r.json.receipt);
		}
		const filler = fill(dir);
		t.diagnostic(`database ${(statfsSync(dir).blocks * statfsSync(dir).bsize / MiB).toFixed(0)} MiB ` +
			'file system filled');
		/* the WAL may still have room in pages it had: write until the disk says no */
		let full = null, i = 100;
		for (; i < 5000 && !full; i++) {
			const r = await post(srv, token, i);
			if (r.status === 201)
				acked.set(r.json.id, r.json.receipt);
			else
				full = r;
		}
		assert.ok(full, 'no write failed on a full disk');
		assertError(full, 507, 'insufficient_storage');
		/* more writes: the same clear answer, never a 500 */
		for (let k = 0; k < 20; k++)
			assertError(await post(srv, token, i + k), 507, 'insufficient_storage');
		/* an attachment streamed to the full disk: the same answer */
		const jpeg = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(256 * 1024, 7)]);
		const up = await srv.api('POST', `/api/v1/events/${[...acked.keys()][0]}/attachments`,
			{ token: admin, raw: jpeg, headers: { 'content-type': 'image/jpeg' } });
		assertError(up, 507, 'insufficient_storage');
		/* reads go on */
		assert.equal((await srv.api('GET', '/healthz')).status, 200);
		const some = [...acked.keys()][5];
		const got = await srv.api('GET', `/api/v1/events/${some}`, { token: admin });
		assert.equal(got.status, 200, got.text);
		assertAllPresent(acked, await listAll(srv.base, admin), 'while the disk is full');
		/* space returns: writes resume */
		await rm(filler);
		for (let k = 0; k < 20; k++) {
			const r = await post(srv, token, 6000 + k);
			assert.equal(r.status, 201, `after the space returned: ${r.text}`);
			acked.set(r.json.id, r.json.receipt);
		}
		assertAllPresent(acked, await listAll(srv.base, admin), 'after the space returned');
		await srv.stop({ keepDir: true });
		const n = await assertConsistent(path.join(dir, 'p.db'));
		assert.ok(n >= acked.size);
		srv.acked = acked;
		srv.admin = admin;
	});

	test('read-only: the server starts, reads go on, writes answer 503 read_only', async () => {
		const { acked, accounts, admin } = srv;
		/* a crash leaves writes in the log: read-only, they could not be read */
		srv = await startServer({ dir, demo: false, accounts });
		const last = await post(srv, admin, 7000);
		assert.equal(last.status, 201, last.text);
		acked.set(last.json.id, last.json.receipt);
		srv.signal('SIGKILL');
		await srv.exited;
		srv.proc = null;
		remount(dir, 'ro');
		await assert.rejects(startServer({ dir, demo: false, accounts }),
			/is read-only and its write-ahead log .* still holds writes/);
		remount(dir, 'rw');
		srv = await startServer({ dir, demo: false, accounts }); /* applies the log */
		await srv.stop({ keepDir: true });
		remount(dir, 'ro');
		srv = await startServer({ dir, demo: false, accounts });
		assert.match(srv.stderr, /is read-only: serving reads, refusing writes/);
		/* reads go on, with a session opened before */
		assert.equal((await srv.api('GET', '/healthz')).status, 200);
		assertAllPresent(acked, await listAll(srv.base, admin), 'on the read-only database');
		const one = await srv.api('GET', `/api/v1/events/${[...acked.keys()][0]}/timeline`,
			{ token: admin });
		assert.equal(one.status, 200, one.text);
		/* writes: a clear 503 read_only, never a 500 */
		assertError(await post(srv, admin, 8000), 503, 'read_only');
		const login = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'admin',
			password: accounts.admin } });
		assertError(login, 503, 'read_only');
		await srv.stop({ keepDir: true });
		remount(dir, 'rw');
		srv = await startServer({ dir, demo: false, accounts });
		const token = (await srv.login('gridworker')).token;
		const r = await post(srv, token, 9000);
		assert.equal(r.status, 201, r.text);
		acked.set(r.json.id, r.json.receipt);
		assertAllPresent(acked, await listAll(srv.base, (await srv.login('admin')).token), 'after rw');
		await srv.stop({ keepDir: true });
		srv = null;
		await assertConsistent(path.join(dir, 'p.db'));
	});
});

describe('SIGTERM under write load', () => {
	let srv, dir;
	after(async () => {
		await srv?.stop().catch(() => {});
		await removeDir(dir);
	});

	test('every write acknowledged before the stop is there after a restart', async (t) => {
		srv = await startServer();
		dir = srv.dir;
		srv.ownDir = false;
		const accounts = srv.accounts;
		const tokens = [];
		for (const u of ['gridworker', 'centre', 'admin'])
			tokens.push((await srv.login(u)).token);
		let stopping = false, acksAfter = 0;
		const load = writeLoad(srv.base, tokens, { clients: 8, stop: () => stopping && srv.exit,
			/* once stopping, a refused connection or 503 is the expected end */
			allowFail: () => stopping, onAck: () => { if (stopping) acksAfter++; } });
		await new Promise((r) => setTimeout(r, 1500));
		stopping = true;
		srv.signal('SIGTERM');
		const [res, exit] = await Promise.all([load, srv.exited]);
		assert.deepEqual(exit, { code: 0, signal: null }, srv.stderr.slice(-2000));
		srv.proc = null;
		t.diagnostic(`${res.acked.size} acknowledged, ${acksAfter} of them after SIGTERM, ${res.failed} refused`);
		assert.ok(res.acked.size > 0);
		srv = await startServer({ dir, demo: false, accounts });
		assertAllPresent(res.acked, await listAll(srv.base, tokens[2]), 'after SIGTERM and restart');
		await srv.stop();
		srv = null;
		await assertConsistent(path.join(dir, 'p.db'));
	});
});
