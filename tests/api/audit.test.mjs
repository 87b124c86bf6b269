/*
 * audit.test.mjs - the audit log through the API: each audited act leaves
 * exactly one record with the right fields; the audit administrator reads
 * the audit log and nothing else, and nobody else reads it; three-way
 * separation and nobody administering themselves; the database refuses
 * UPDATE and DELETE on the log (sqlite3 shell on the live file); verify,
 * anchors and `pingan audit verify` find tampering and truncation.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, assertSubset, cli, GOOD_PASSWORD, removeDir, runCases,
	startServer } from './harness.mjs';

let srv;
const S = () => srv;
const AUDIT = '/api/v1/audit';

before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

/* Every record matching the query (as the auditor), oldest first. */
async function records(query) {
	const res = await srv.api('GET', `${AUDIT}?limit=500&${new URLSearchParams(query)}`,
		{ as: 'auditor' });
	assert.equal(res.status, 200, res.text);
	return res.json.items.reverse();
}

/* Runs fn and returns the records matching query that it added. */
async function added(query, fn) {
	const before = (await records(query)).map((r) => r.seq);
	const result = await fn();
	const now = await records(query);
	return { result, recs: now.filter((r) => !before.includes(r.seq)) };
}

const sqlite = (db, q) => spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
const sql = (db, q) => {
	const r = sqlite(db, q);
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
};

async function addUser(username, roles = ['leader']) {
	const res = await srv.api('POST', '/api/v1/users', { as: 'security',
		body: { username, display_name: username, org: '330108', roles, password: GOOD_PASSWORD } });
	assert.equal(res.status, 201, res.text);
	srv.accounts[username] = GOOD_PASSWORD;
	return res.json;
}

const login = (username, password) => srv.api('POST', '/api/v1/auth/login',
	{ body: { username, password } });

describe('logins and logouts: one record each', () => {
	test('a good login: outcome ok, with user, address and object', async () => {
		const u = await addUser('aud.login');
		const { result, recs } = await added({ action: 'login', user: 'aud.login' },
			() => login('aud.login', GOOD_PASSWORD));
		assert.equal(result.status, 200);
		assert.equal(recs.length, 1, JSON.stringify(recs));
		assertSubset(recs[0], { action: 'login', outcome: 'ok', username: 'aud.login', user_id: u.id,
			ip: '127.0.0.1', object: `user:${u.id}` });
		assert.match(recs[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.match(recs[0].hash, /^[0-9a-f]{64}$/);

		const out = await added({ action: 'logout', user: 'aud.login' },
			() => srv.api('POST', '/api/v1/auth/logout', { token: result.json.token }));
		assert.equal(out.result.status, 200);
		assert.equal(out.recs.length, 1);
		assertSubset(out.recs[0], { outcome: 'ok', user_id: u.id, object: `user:${u.id}` });
	});

	test('a wrong password and an unknown user: outcome failed', async () => {
		const u = await addUser('aud.fail');
		const bad = await added({ action: 'login', user: 'aud.fail' },
			() => login('aud.fail', 'Wrong-Password-99'));
		assert.equal(bad.result.status, 401);
		assert.equal(bad.recs.length, 1);
		assertSubset(bad.recs[0], { outcome: 'failed', user_id: u.id, detail: 'wrong password' });
		const unknown = await added({ action: 'login', user: 'no.such.person' },
			() => login('no.such.person', 'Wrong-Password-99'));
		assert.equal(unknown.recs.length, 1);
		assertSubset(unknown.recs[0], { outcome: 'failed', user_id: null, object: 'user:-' });
	});

	test('lockout: the failure that locks and the attempts while locked: outcome locked', async () => {
		await addUser('aud.lock');
		const { recs } = await added({ action: 'login', user: 'aud.lock' }, async () => {
			for (let i = 0; i < 6; i++)
				await login('aud.lock', 'Wrong-Password-99');
		});
		assert.deepStrictEqual(recs.map((r) => r.outcome),
			['failed', 'failed', 'failed', 'failed', 'locked', 'locked']);
	});
});

test('the server records its start with the digest of its settings', async () => {
	const recs = await records({ action: 'server.start' });
	assert.equal(recs.length, 1);
	assertSubset(recs[0], { username: 'cli', object: 'server', ip: '',
		detail: /^uid=\d+ pingan [\d.]+, settings sm3 [0-9a-f]{32}$/ });
});

describe('permission changes: one record each', () => {
	test('add, change roles, disable, enable', async () => {
		const add = await added({ action: 'user.add' }, () => addUser('aud.perm', ['centre']));
		const id = add.result.id;
		assert.equal(add.recs.length, 1);
		assertSubset(add.recs[0], { username: 'security', object: `user:${id}`, outcome: 'ok' });
		assert.match(add.recs[0].detail, /username=aud\.perm .*roles=centre/);

		const s = await srv.login('aud.perm');
		const roles = await added({ action: 'user.roles', object: `user:${id}` },
			() => srv.api('PUT', `/api/v1/users/${id}/roles`, { as: 'security',
				body: { roles: ['leader', 'mediator'] } }));
		assert.equal(roles.result.status, 200, roles.result.text);
		assert.deepStrictEqual(roles.result.json.roles, ['mediator', 'leader']);
		assert.equal(roles.recs.length, 1);
		assert.match(roles.recs[0].detail, /roles=centre -> mediator,leader/);
		assertError(await srv.api('GET', '/api/v1/me', { token: s.token }), 401, 'unauthenticated');

		for (const act of ['disable', 'enable']) {
			const r = await added({ action: `user.${act}`, object: `user:${id}` },
				() => srv.api('POST', `/api/v1/users/${id}/${act}`, { as: 'security' }));
			assert.equal(r.result.status, 200, r.result.text);
			assert.equal(r.recs.length, 1, act);
		}
		assert.equal((await login('aud.perm', GOOD_PASSWORD)).status, 200, 'enabled again');
	});

	test('a password change: one record', async () => {
		await addUser('aud.pw');
		const { result, recs } = await added({ action: 'password.change', user: 'aud.pw' },
			() => srv.api('POST', '/api/v1/me/password', { as: 'aud.pw',
				body: { old_password: GOOD_PASSWORD, new_password: 'Another-Horse-77z' } }));
		assert.equal(result.status, 200, result.text);
		assert.equal(recs.length, 1);
		assert.equal(recs[0].outcome, 'ok');
	});
});

describe('configuration changes and case transitions: one record each', () => {
	test('a category change', async () => {
		const { result, recs } = await added({ action: 'config.category' },
			() => srv.api('PUT', '/api/v1/categories/0103', { as: 'admin',
				body: { deadlines_s: { handle: 7200 } } }));
		assert.equal(result.status, 200, result.text);
		assert.equal(recs.length, 1);
		assertSubset(recs[0], { username: 'admin', object: 'category:0103' });
	});

	test('API keys and webhooks', async () => {
		const key = await added({ action: 'api_key.create' }, () => srv.api('POST', '/api/v1/api-keys',
			{ as: 'admin', body: { name: 'audit test', jurisdiction: '330108' } }));
		assert.equal(key.result.status, 201, key.result.text);
		assert.equal(key.recs.length, 1);
		assert.equal(key.recs[0].object, `api_key:${key.result.json.id}`);
		assert.doesNotMatch(JSON.stringify(key.recs), new RegExp(key.result.json.key),
			'the secret is never audited');
		const rev = await added({ action: 'api_key.revoke' }, () => srv.api('POST',
			`/api/v1/api-keys/${key.result.json.id}/revoke`, { as: 'admin' }));
		assert.equal(rev.recs.length, 1);

		const hook = await added({ action: 'config.webhook.add' }, () => srv.api('POST',
			'/api/v1/webhooks', { as: 'admin', body: { org: '330108D01',
				url: 'http://127.0.0.1:9/hook', kinds: ['overdue'] } }));
		assert.equal(hook.result.status, 201, hook.result.text);
		assert.equal(hook.recs.length, 1);
		assertSubset(hook.recs[0], { object: `webhook:${hook.result.json.id}` });
		assert.doesNotMatch(hook.recs[0].detail, new RegExp(hook.result.json.secret),
			'the webhook secret is never audited');
		const off = await added({ action: 'config.webhook.disable' }, () => srv.api('POST',
			`/api/v1/webhooks/${hook.result.json.id}/disable`, { as: 'admin' }));
		assert.equal(off.recs.length, 1);
	});

	test('a calendar year entered', async () => {
		const { result, recs } = await added({ action: 'config.calendar' }, () => srv.api('PUT',
			'/api/v1/calendar/2030', { as: 'admin',
				body: { days: [{ date: '2030-01-01', kind: 'holiday', name: '元旦' }] } }));
		assert.equal(result.status, 200, result.text);
		assert.equal(recs.length, 1);
		assertSubset(recs[0], { object: 'calendar:2030', detail: '1 days entered' });
	});

	test('every transition of an event: one record with from and to', async () => {
		const e = await srv.api('POST', '/api/v1/events', { as: 'centre',
			body: { category: '0102', title: '审计测试', address: '测试路' } });
		assert.equal(e.status, 201, e.text);
		const id = e.json.id;
		for (const [a, b] of [['register', {}], ['dispatch', { assignee: '330108D01' }]]) {
			const r = await srv.api('POST', `/api/v1/events/${id}/actions/${a}`, { as: 'centre', body: b });
			assert.equal(r.status, 200, r.text);
		}
		const recs = await records({ object: `event:${id}` });
		assert.deepStrictEqual(recs.map((r) => [r.action, r.detail, r.username]), [
			['event.report', '- -> reported', 'centre'],
			['event.register', 'reported -> registered', 'centre'],
			['event.dispatch', 'registered -> dispatched', 'centre'],
		]);
		const tl = await srv.api('GET', `/api/v1/events/${id}/timeline`, { as: 'centre' });
		assert.equal(tl.json.items.length, recs.length, 'one record per timeline action');
		for (const r of recs)
			assertSubset(r, { ip: '127.0.0.1', outcome: 'ok' });
		/* a refused transition changes nothing and records nothing */
		const again = await added({ object: `event:${id}` }, () => srv.api('POST',
			`/api/v1/events/${id}/actions/register`, { as: 'centre', body: {} }));
		assert.ok(again.result.status >= 400);
		assert.equal(again.recs.length, 0);
	});
});

describe('the audit administrator reads the audit log and nothing else', () => {
	test('every audit query is itself audited', async () => {
		const q = await added({ action: 'audit.query', user: 'auditor' },
			() => srv.api('GET', `${AUDIT}?action=login&outcome=failed`, { as: 'auditor' }));
		/* the helper's own query is recorded too: two, one of them ours */
		assert.ok(q.recs.some((r) => /action=login/.test(r.detail) && /outcome=failed/.test(r.detail)),
			JSON.stringify(q.recs));
		for (const [p, action] of [['/verify', 'audit.verify'], ['/anchors', 'audit.export']]) {
			const r = await added({ action }, () => srv.api('GET', AUDIT + p, { as: 'auditor' }));
			assert.equal(r.result.status, 200, r.result.text);
			assert.equal(r.recs.length, 1, action);
		}
	});

	runCases(S, ['/api/v1/events', '/api/v1/orgs', '/api/v1/users', '/api/v1/stats/events',
		'/api/v1/inbox', '/api/v1/categories', '/api/v1/calendar', '/api/v1/webhooks',
		'/api/v1/api-keys'].map((p) => ({ name: `auditor: GET ${p} is 403`, method: 'GET', path: p,
		as: 'auditor', status: 403, error: 'forbidden' })));
	runCases(S, [
		{ name: 'auditor: may not file events', method: 'POST', path: '/api/v1/events', as: 'auditor',
			body: { category: '0102', title: 'x', address: 'y' }, status: 403, error: 'forbidden' },
		{ name: 'auditor: GET /api/v1/me is open', method: 'GET', path: '/api/v1/me', as: 'auditor',
			status: 200 },
	]);
	runCases(S, ['admin', 'security', 'centre', 'leader', 'gridworker', 'handler']
		.flatMap((as) => [AUDIT, `${AUDIT}/verify`, `${AUDIT}/anchors`].map((p) => ({
			name: `${as}: GET ${p} is 403`, method: 'GET', path: p, as, status: 403,
			error: 'forbidden' }))));

	test('a refused access is recorded as denied', async () => {
		const { recs } = await added({ action: 'access', user: 'admin' },
			() => srv.api('GET', AUDIT, { as: 'admin' }));
		assert.equal(recs.length, 1);
		assertSubset(recs[0], { outcome: 'denied', object: 'GET /api/v1/audit' });
	});

	test('filters and the cursor', async () => {
		const page1 = await srv.api('GET', `${AUDIT}?action=event.&limit=2`, { as: 'auditor' });
		assert.equal(page1.status, 200);
		assert.equal(page1.json.items.length, 2);
		assert.ok(page1.json.items.every((r) => r.action.startsWith('event.')));
		const page2 = await srv.api('GET', `${AUDIT}?action=event.&limit=2&cursor=${page1.json.next_cursor}`,
			{ as: 'auditor' });
		assert.ok(page2.json.items[0].seq < page1.json.items[1].seq);
		const none = await srv.api('GET', `${AUDIT}?from=2001-01-01&to=2001-01-02`, { as: 'auditor' });
		assert.deepStrictEqual(none.json.items, []);
		const today = new Date().toISOString().slice(0, 19) + 'Z';
		const later = await srv.api('GET', `${AUDIT}?to=${today}&limit=1`, { as: 'auditor' });
		assert.equal(later.status, 200);
	});

	runCases(S, [
		['from=yesterday', 'a bad time'], ['limit=0', 'limit 0'], ['limit=501', 'limit 501'],
		['cursor=x', 'a bad cursor'], ['from=2026-02-30', 'not a date'],
		['from=2026-01-02&to=2026-01-01', 'to before from'], ['action=', 'an empty action'],
		['user=' + 'x'.repeat(65), 'a long user'],
	].map(([q, name]) => ({ name: `audit list: ${name} is 400`, method: 'GET', path: `${AUDIT}?${q}`,
		as: 'auditor', status: 400, error: 'invalid_query' })));
});

describe('three-way separation: nobody administers themselves', () => {
	test('the security administrator cannot change their own roles or disable themselves', async () => {
		const me = (await srv.api('GET', '/api/v1/me', { as: 'security' })).json;
		assertError(await srv.api('PUT', `/api/v1/users/${me.id}/roles`, { as: 'security',
			body: { roles: ['security_admin', 'centre'] } }), 403, 'forbidden');
		assertError(await srv.api('POST', `/api/v1/users/${me.id}/disable`, { as: 'security' }),
			403, 'forbidden');
		assert.deepStrictEqual((await srv.api('GET', '/api/v1/me', { as: 'security' })).json.roles,
			['security_admin']);
	});

	runCases(S, [
		{ name: 'the system administrator may not create users', method: 'POST', path: '/api/v1/users',
			as: 'admin', body: { username: 'x.admin', display_name: 'x', org: '330108',
				roles: ['admin'], password: GOOD_PASSWORD }, status: 403, error: 'forbidden' },
		{ name: 'the system administrator may not change roles', method: 'PUT',
			path: '/api/v1/users/2/roles', as: 'admin', body: { roles: ['admin'] }, status: 403,
			error: 'forbidden' },
		{ name: 'the audit administrator may not change roles', method: 'PUT',
			path: '/api/v1/users/1/roles', as: 'auditor', body: { roles: ['leader'] }, status: 403,
			error: 'forbidden' },
		{ name: 'two administrator roles in one account', method: 'POST', path: '/api/v1/users',
			as: 'security', body: { username: 'two.hats', display_name: 'x', org: '330108',
				roles: ['admin', 'security_admin'], password: GOOD_PASSWORD }, status: 400,
			error: 'invalid_value' },
		{ name: 'the audit administrator with another role', method: 'POST', path: '/api/v1/users',
			as: 'security', body: { username: 'aud.plus', display_name: 'x', org: '330108',
				roles: ['audit_admin', 'leader'], password: GOOD_PASSWORD }, status: 400,
			error: 'invalid_value' },
		{ name: 'roles: an unknown field', method: 'PUT', path: '/api/v1/users/2/roles',
			as: 'security', body: { roles: ['leader'], user: 1 }, status: 400, error: 'invalid_value' },
		{ name: 'roles: an unknown user', method: 'PUT', path: '/api/v1/users/999999/roles',
			as: 'security', body: { roles: ['leader'] }, status: 404, error: 'not_found' },
		{ name: 'roles: empty', method: 'PUT', path: '/api/v1/users/2/roles',
			as: 'security', body: { roles: [] }, status: 400, error: 'wrong_type' },
	]);

	test('the system and audit administrators\' accounts are out of the security administrator\'s reach', async () => {
		const users = (await srv.api('GET', '/api/v1/users', { as: 'security' })).json.items;
		const id = (name) => users.find((u) => u.username === name).id;
		for (const roles of [['audit_admin'], ['admin']]) {
			const res = await srv.api('POST', '/api/v1/users', { as: 'security', body: {
				username: `new.${roles[0]}`, display_name: 'x', org: '330108', roles,
				password: GOOD_PASSWORD } });
			assertError(res, 403, 'forbidden');
			assert.match(res.json.error.message, /pingan user/);
		}
		for (const name of ['auditor', 'admin']) {
			assertError(await srv.api('POST', `/api/v1/users/${id(name)}/disable`, { as: 'security' }),
				403, 'forbidden');
			assertError(await srv.api('PUT', `/api/v1/users/${id(name)}/roles`, { as: 'security',
				body: { roles: ['leader'] } }), 403, 'forbidden');
		}
		assertError(await srv.api('PUT', `/api/v1/users/${id('leader')}/roles`, { as: 'security',
			body: { roles: ['audit_admin'] } }), 403, 'forbidden');
		assert.equal((await srv.api('GET', '/api/v1/me', { as: 'auditor' })).status, 200);
		const r = await cli(['--db', srv.db, 'user', 'add', 'second.auditor', '--org', '330108',
			'--roles', 'audit_admin', '--password-stdin'], { input: `${GOOD_PASSWORD}\n` });
		assert.equal(r.code, 0, 'the operator at the server makes them: ' + r.stderr);
		const rec = await records({ action: 'user.add', user: 'cli' });
		assert.ok(rec.some((x) => /roles=audit_admin/.test(x.detail) && /uid=\d+/.test(x.detail)),
			'and it is audited');
	});

	test('the CLI keeps the separation too', async () => {
		const r = await cli(['--db', srv.db, 'user', 'add', 'cli.two', '--org', '330108', '--roles',
			'admin,audit_admin', '--password-stdin'], { input: `${GOOD_PASSWORD}\n` });
		assert.equal(r.code, 2, r.stderr);
		assert.match(r.stderr, /different people/);
	});
});

describe('the database refuses changes to the log; verify and anchors find tampering', () => {
	test('UPDATE and DELETE through the sqlite3 shell fail on the live database', async () => {
		const up = sqlite(srv.db, "UPDATE audit_log SET outcome = 'ok' WHERE seq = 1");
		assert.notEqual(up.status, 0);
		assert.match(up.stderr, /audit records cannot be changed/);
		const del = sqlite(srv.db, 'DELETE FROM audit_log');
		assert.notEqual(del.status, 0);
		assert.match(del.stderr, /cannot be deleted/);
		const anc = sqlite(srv.db, 'DELETE FROM audit_anchors');
		assert.notEqual(anc.status, 0);
		const v = await srv.api('GET', `${AUDIT}/verify`, { as: 'auditor' });
		assertSubset(v.json, { ok: true, problems: 0, first_problem: null });
		assert.ok(v.json.records > 10);
	});

	test('anchors: made on demand and at start, exported; `audit verify --anchors` checks them', async () => {
		const made = await srv.api('POST', `${AUDIT}/anchors`, { as: 'auditor' });
		assert.equal(made.status, 201, made.text);
		assertSubset(made.json, { alg: 'hmac-sm3', key_id: /^[0-9a-f]{16}$/, mac: /^[0-9a-f]{64}$/ });
		const exp = await srv.api('GET', `${AUDIT}/anchors`, { as: 'auditor' });
		assert.ok(exp.json.items.length >= 2, 'the start anchor and ours');
		assert.ok(exp.json.items.some((a) => a.id === made.json.id && a.seq === made.json.seq));
		const file = path.join(srv.dir, 'anchors.json');
		await writeFile(file, JSON.stringify(exp.json));
		const ok = await cli(['--db', srv.db, 'audit', 'verify', '--anchors', file]);
		assert.equal(ok.code, 0, ok.stdout + ok.stderr);
		assert.match(ok.stdout, /ok: the chain is intact/);

		/* SM2: every anchor made by the server is signed; the public key alone checks them */
		assertSubset(made.json, { sig: /^[0-9a-f]{100,160}$/, sig_key_id: /^[0-9a-f]{16}$/ });
		assert.match(exp.json.public_key, /^-----BEGIN PUBLIC KEY-----\n/);
		const st = await stat(path.join(srv.dir, 'audit-sm2.pem'));
		assert.equal(st.mode & 0o777, 0o600, 'the private key is the service\'s alone');
		const pub = path.join(srv.dir, 'public.pem');
		await writeFile(pub, exp.json.public_key);
		const byPub = await cli(['--db', srv.db, 'audit', 'verify', '--public-key', pub,
			'--anchors', file]);
		assert.equal(byPub.code, 0, byPub.stdout + byPub.stderr);
		/* an anchor whose signature does not fit: the public key finds it */
		const forged = { ...exp.json, items: exp.json.items.map((a, i) => (i ? a
			: { ...a, seq: a.seq + 1 })) };
		await writeFile(file, JSON.stringify(forged));
		const bad = await cli(['--db', srv.db, 'audit', 'verify', '--public-key', pub,
			'--anchors', file]);
		assert.equal(bad.code, 1, bad.stdout);
		assert.match(bad.stdout, /bad_sig: .*wrong SM2 signature/);
		await writeFile(file, JSON.stringify(exp.json));
	});

	test('a failed audit write fails the change it records', async () => {
		let r = sqlite(srv.db, "CREATE TRIGGER audit_block BEFORE INSERT ON audit_log "
			+ "BEGIN SELECT RAISE(ABORT, 'blocked for the test'); END;");
		assert.equal(r.status, 0, r.stderr);
		try {
			const add = await srv.api('POST', '/api/v1/users', { as: 'security', body: {
				username: 'never.made', display_name: 'x', org: '330108', roles: ['leader'],
				password: GOOD_PASSWORD } });
			assertError(add, 500, 'database_error');
			const ev = await srv.api('POST', '/api/v1/events', { as: 'centre',
				body: { category: '0102', title: '不应存在', address: '测试路' } });
			assertError(ev, 500, 'database_error');
			const li = await login('centre', srv.accounts.centre);
			assertError(li, 500, 'database_error');
		} finally {
			r = sqlite(srv.db, 'DROP TRIGGER audit_block;');
			assert.equal(r.status, 0, r.stderr);
		}
		const users = await srv.api('GET', '/api/v1/users', { as: 'security' });
		assert.ok(!users.json.items.some((u) => u.username === 'never.made'), 'no user without its record');
		const evs = await srv.api('GET', `/api/v1/events?q=${encodeURIComponent('不应存在')}`, { as: 'centre' });
		assert.equal(evs.status, 200, evs.text);
		assert.equal(evs.json.items.length, 0, 'no event without its record');
		const v = await srv.api('GET', `${AUDIT}/verify`, { as: 'auditor' });
		assertSubset(v.json, { ok: true });
	});

	test('an altered record is found by the API and the CLI', async () => {
		const r = sqlite(srv.db, 'DROP TRIGGER audit_log_no_update; '
			+ "UPDATE audit_log SET username = 'someone' WHERE seq = 3;");
		assert.equal(r.status, 0, r.stderr);
		const v = await srv.api('GET', `${AUDIT}/verify`, { as: 'auditor' });
		assertSubset(v.json, { ok: false, first_problem: { kind: 'altered', seq: 3 } });
		const c = await cli(['--db', srv.db, 'audit', 'verify']);
		assert.equal(c.code, 1);
		assert.match(c.stdout, /BROKEN .*altered: record 3 was altered/);
	});
});

describe('truncation', () => {
	let t;
	after(async () => {
		await t?.stop();
		await removeDir(t?.dir);
	});
	test('a log cut short after an anchor, and one cut with its anchors, are found', async () => {
		t = await startServer();
		const made = await t.api('POST', `${AUDIT}/anchors`, { as: 'auditor' });
		assert.equal(made.status, 201);
		const exp = await t.api('GET', `${AUDIT}/anchors`, { as: 'auditor' });
		const file = path.join(t.dir, 'anchors.json');
		await writeFile(file, JSON.stringify(exp.json));
		await t.stop({ keepDir: true });
		const cut = made.json.seq - 2;
		let r = sqlite(t.db, `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > ${cut};`);
		assert.equal(r.status, 0, r.stderr);
		let c = await cli(['--db', t.db, 'audit', 'verify']);
		assert.equal(c.code, 1, c.stdout);
		assert.match(c.stdout, /truncated/);
		/* the anchors go too: the database alone looks whole, the export does not */
		r = sqlite(t.db, 'DROP TRIGGER audit_anchors_no_delete; DELETE FROM audit_anchors;');
		assert.equal(r.status, 0, r.stderr);
		c = await cli(['--db', t.db, 'audit', 'verify']);
		assert.equal(c.code, 0, c.stdout);
		c = await cli(['--db', t.db, 'audit', 'verify', '--anchors', file]);
		assert.equal(c.code, 1, c.stdout);
		assert.match(c.stdout, /truncated/);
	});
});

describe('retention and archiving', () => {
	let t;
	after(async () => {
		await t?.stop();
		await removeDir(t?.dir);
	});
	test('records older than the retention leave only into an archive; younger ones never', async () => {
		t = await startServer({ env: { PINGAN_DEMO_EVENTS: 40 } });
		const running = await cli(['--db', t.db, 'audit', 'archive', '--out', path.join(t.dir, 'a.jsonl')]);
		assert.equal(running.code, 1);
		assert.match(running.stderr, /a server is running/);
		await t.stop({ keepDir: true });
		const low = await cli(['--db', t.db, '--audit-retention-days', '183', 'audit', 'verify']);
		assert.equal(low.code, 2, 'the retention cannot be set below 184 days');

		const file = path.join(t.dir, 'a.jsonl');
		const r = await cli(['--db', t.db, 'audit', 'archive', '--out', file]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const m = /archived records 1-(\d+) to /.exec(r.stdout);
		assert.ok(m, r.stdout);
		const through = Number(m[1]);
		const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
		assert.equal(lines.length, through);
		const limit = Date.now() / 1000 - 184 * 86400;
		lines.forEach((rec, i) => {
			assert.equal(rec.seq, i + 1);
			assert.ok(rec.at < limit, `record ${rec.seq} is older than 184 days`);
			if (i)
				assert.equal(rec.prev, lines[i - 1].hash, `record ${rec.seq} continues the chain`);
		});
		assert.equal(sql(t.db, 'SELECT min(seq) FROM audit_log'), String(through + 1));
		assert.equal(sql(t.db, 'SELECT through_hash FROM audit_archives'), lines.at(-1).hash);
		const v = await cli(['--db', t.db, 'audit', 'verify']);
		assert.equal(v.code, 0, v.stdout);
		const del = sqlite(t.db, `DELETE FROM audit_log WHERE seq = ${through + 1}`);
		assert.notEqual(del.status, 0, 'a younger record cannot be deleted');
		const again = await cli(['--db', t.db, 'audit', 'archive', '--out', path.join(t.dir, 'b.jsonl')]);
		assert.equal(again.code, 0);
		assert.match(again.stdout, /nothing to archive/);
		await assert.rejects(readFile(path.join(t.dir, 'b.jsonl')), 'no empty archive is made');
	});
});
