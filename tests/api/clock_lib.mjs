/*
 * clock_lib.mjs - the server's test clock (docs/api.md, "The test clock")
 * for tests whose assertions must not depend on the real date: read the
 * server's now, move it forward by seconds or to a moment, and name moments
 * in China time. The server must run with --test-clock; the clock only moves
 * forward, so a test picks its moments after the server's now (e.g. in the
 * year after the latest one it knows). A jump can outlast the sessions'
 * idle timeout, so every call logs in afresh.
 */
import assert from 'node:assert/strict';

/* Unix ms of a China-time wall clock moment: cst(2027, 11, 1, 0, 0, 30). */
export function cst(y, mo, d, h = 12, mi = 0, s = 0) {
	return Date.UTC(y, mo - 1, d, h - 8, mi, s);
}

/* The China-time calendar year of the Unix ms t. */
export function cstYear(t) {
	return new Date(t + 8 * 3600e3).getUTCFullYear();
}

/* The test clock of srv, driven as admin. */
export function testClock(srv) {
	const advance = async (seconds) => {
		const { token } = await srv.login('admin');
		const res = await srv.api('POST', '/api/v1/test/clock', { token,
			body: { advance_s: seconds } });
		assert.equal(res.status, 200, `test clock: ${res.text}`);
		return Date.parse(res.json.now);
	};
	return {
		/* the server's now, in Unix ms */
		now: () => advance(0),
		/* moves the clock by seconds; returns the new now */
		advance,
		/* moves the clock to the moment t (Unix ms, never in the past) */
		async moveTo(t) {
			const delta = Math.ceil((t - (await advance(0))) / 1000);
			assert.ok(delta >= 0, `the clock only moves forward (to ${new Date(t).toISOString()})`);
			return advance(delta);
		},
	};
}
