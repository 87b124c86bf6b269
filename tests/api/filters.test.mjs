// Saved filters of the event list: per user, checked like the list's query,
// unique names, at most 50, deleted only by their owner.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, runCases } from './harness.mjs';

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

const P = '/api/v1/me/filters';

test('save, list by name, use, delete', async () => {
	const empty = await srv.api('GET', P, { as: 'centre' });
	assert.equal(empty.status, 200);
	assert.deepEqual(empty.json, { items: [], max: 50 });
	const a = await srv.api('POST', P, { as: 'centre', body: { name: '西兴超期', query: '?state=handling,dispatched&org=330108001&overdue=true' } });
	assert.equal(a.status, 201, a.text);
	assert.equal(a.headers.get('location'), `${P}/${a.json.id}`);
	assert.equal(a.json.query, 'state=handling,dispatched&org=330108001&overdue=true', 'the ? is dropped');
	assert.match(a.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
	const b = await srv.api('POST', P, { as: 'centre', body: { name: 'A 全部', query: '' } });
	assert.equal(b.status, 201);
	const c = await srv.api('POST', P, { as: 'centre', body: { name: '搜索', query: 'q=%E5%9E%83%E5%9C%BE&from=2026-01-01&to=2026-12-31&urgency=2&category=01&limit=50' } });
	assert.equal(c.status, 201, c.text);
	const list = await srv.api('GET', P, { as: 'centre' });
	assert.deepEqual(list.json.items.map((f) => f.name), ['A 全部', '搜索', '西兴超期']);
	/* a saved query opens the list */
	const used = await srv.api('GET', `/api/v1/events?${a.json.query}`, { as: 'centre' });
	assert.equal(used.status, 200);
	/* another user sees none of them and cannot delete them */
	assert.deepEqual((await srv.api('GET', P, { as: 'street.centre' })).json.items, []);
	assertError(await srv.api('DELETE', `${P}/${a.json.id}`, { as: 'street.centre' }), 404, 'not_found');
	const del = await srv.api('DELETE', `${P}/${a.json.id}`, { as: 'centre' });
	assert.equal(del.status, 204);
	assert.equal(del.text, '');
	assertError(await srv.api('DELETE', `${P}/${a.json.id}`, { as: 'centre' }), 404, 'not_found');
	assert.deepEqual((await srv.api('GET', P, { as: 'centre' })).json.items.map((f) => f.name), ['A 全部', '搜索']);
	/* the name is free again */
	assert.equal((await srv.api('POST', P, { as: 'centre', body: { name: '西兴超期', query: 'state=closed' } })).status, 201);
	assertError(await srv.api('POST', P, { as: 'centre', body: { name: '西兴超期', query: 'state=closed' } }), 409, 'conflict');
});

test('at most 50 a user', async () => {
	for (let i = 0; i < 50; i++) {
		const res = await srv.api('POST', P, { as: 'leader', body: { name: `f${i}`, query: `urgency=${1 + (i % 3)}` } });
		assert.equal(res.status, 201, res.text);
	}
	const full = await srv.api('POST', P, { as: 'leader', body: { name: 'one more', query: '' } });
	assertError(full, 409, 'conflict');
	assert.match(full.json.error.message, /50/);
	const items = (await srv.api('GET', P, { as: 'leader' })).json.items;
	assert.equal(items.length, 50);
	assert.equal((await srv.api('DELETE', `${P}/${items[0].id}`, { as: 'leader' })).status, 204);
	assert.equal((await srv.api('POST', P, { as: 'leader', body: { name: 'one more', query: '' } })).status, 201);
});

describe('bad filters are refused', () => {
	const bad = (name, body, error = 'invalid_value', status = 400) =>
		({ name, method: 'POST', path: P, as: 'gridworker', body, status, error });
	runCases(() => srv, [
		bad('no name', { query: 'state=closed' }, 'missing_field'),
		bad('an empty name', { name: '', query: '' }, 'missing_field'),
		bad('a long name', { name: 'x'.repeat(51), query: '' }),
		bad('a control character', { name: 'a\u0001b', query: '' }),
		bad('a name that is not a string', { name: 5, query: '' }, 'wrong_type'),
		bad('an unknown field', { name: 'x', query: '', shared: true }),
		bad('an unknown parameter', { name: 'x', query: 'colour=red' }),
		bad('the cursor is not a filter', { name: 'x', query: 'cursor=10' }),
		bad('an unknown state', { name: 'x', query: 'state=handling,nope' }),
		bad('a class that is not digits', { name: 'x', query: 'category=ab' }),
		bad('urgency 4', { name: 'x', query: 'urgency=4' }),
		bad('not a day', { name: 'x', query: 'from=2026-02-30' }),
		bad('overdue yes', { name: 'x', query: 'overdue=yes' }),
		bad('a code with lowercase', { name: 'x', query: 'org=abc' }),
		bad('a parameter twice', { name: 'x', query: 'state=closed&state=handling' }),
		bad('a broken escape', { name: 'x', query: 'q=%E5%9' }),
		bad('not UTF-8', { name: 'x', query: 'q=%FF' }),
		bad('a long query', { name: 'x', query: `q=${'a'.repeat(1000)}` }),
		bad('a long search', { name: 'x', query: `q=${'搜'.repeat(101)}` }),
		{ name: 'no session', method: 'GET', path: P, status: 401, error: 'unauthenticated' },
		{ name: 'a bad id', method: 'DELETE', path: `${P}/abc`, as: 'gridworker', status: 404, error: 'not_found' },
		{ name: 'PUT is not allowed', method: 'PUT', path: `${P}/1`, as: 'gridworker', status: 405, error: 'method_not_allowed' },
	]);
});

