/*
 * sqlite_auth.c - second factors (user_totp) and session stages; see
 * store.h.
 *
 * Marking a time step used is one conditional UPDATE (last_step < ?), so
 * two requests racing with the same code cannot both pass: the second
 * changes no row and is told ERR_CONFLICT.
 */
#include "store/sqlite_internal.h"
#include "core/err.h"

#include <string.h>

/* Runs one write statement binding (id, text or int, int, int); *changes
 * gets the number of rows changed. */
static int write1(struct store *st, const char *sql, const char *key, long long id, const char *t2,
		  const char *t3, long long i4, long long i5, int *changes)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, sql);
	if (key)
		sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(q, 1, id);
	if (t2)
		sqlite3_bind_text(q, 2, t2, -1, SQLITE_STATIC);
	if (t3)
		sqlite3_bind_text(q, 3, t3, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, i4);
	sqlite3_bind_int64(q, 5, i5);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	*changes = rc == SQLITE_DONE ? sqlite3_changes(w->db) : 0;
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_session_set_stage(struct store *st, const char *token_hash, int stage)
{
	int n;
	int err = write1(st, "UPDATE sessions SET stage = ?4 WHERE token_hash = ?1 AND ?5 = ?5",
			 token_hash, 0, NULL, NULL, stage, 0, &n);
	return err ? err : n ? 0 : ERR_NOT_FOUND;
}

int store_totp_get(struct store *st, struct arena *a, long long user_id, struct totp_row *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT algorithm, secret, enabled, last_step, created_at, "
				     "coalesce(enabled_at, 0) FROM user_totp WHERE user_id = ?1");
	sqlite3_bind_int64(q, 1, user_id);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->user_id = user_id;
		out->algorithm = sq_col_text(a, q, 0);
		out->secret = sq_col_text(a, q, 1);
		out->enabled = sqlite3_column_int(q, 2) != 0;
		out->last_step = sqlite3_column_int64(q, 3);
		out->created_at = sqlite3_column_int64(q, 4);
		out->enabled_at = sqlite3_column_int64(q, 5);
	} else {
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_totp_begin(struct store *st, long long user_id, const char *algorithm, const char *secret,
		     long long now)
{
	int n;
	/* an enabled row is never replaced: the WHERE of the upsert keeps it */
	int err = write1(
		st,
		"INSERT INTO user_totp (user_id, algorithm, secret, enabled, last_step, "
		"created_at) SELECT ?1, ?2, ?3, 0, 0, ?4 FROM users WHERE id = ?1 AND "
		"?5 = ?5 ON CONFLICT (user_id) DO UPDATE SET algorithm = excluded.algorithm, "
		"secret = excluded.secret, created_at = excluded.created_at "
		"WHERE user_totp.enabled = 0",
		NULL, user_id, algorithm, secret, now, 0, &n);
	if (err || n)
		return err;
	struct arena *a = arena_new();
	struct totp_row row;
	err = store_totp_get(st, a, user_id, &row) ? ERR_NOT_FOUND : ERR_CONFLICT;
	arena_free(a);
	return err;
}

int store_totp_enable(struct store *st, long long user_id, long long step, long long now)
{
	int n;
	int err = write1(st,
			 "UPDATE user_totp SET enabled = 1, last_step = ?4, enabled_at = ?5 "
			 "WHERE user_id = ?1 AND enabled = 0",
			 NULL, user_id, NULL, NULL, step, now, &n);
	return err ? err : n ? 0 : ERR_CONFLICT;
}

int store_totp_use(struct store *st, long long user_id, long long step)
{
	int n;
	int err = write1(st,
			 "UPDATE user_totp SET last_step = ?4 WHERE user_id = ?1 AND enabled = 1 "
			 "AND last_step < ?4 AND ?5 = ?5",
			 NULL, user_id, NULL, NULL, step, 0, &n);
	return err ? err : n ? 0 : ERR_CONFLICT;
}

int store_totp_set_secret(struct store *st, long long user_id, const char *secret)
{
	int n;
	int err = write1(
		st, "UPDATE user_totp SET secret = ?2 WHERE user_id = ?1 AND ?4 = ?4 AND ?5 = ?5",
		NULL, user_id, secret, NULL, 0, 0, &n);
	return err ? err : n ? 0 : ERR_NOT_FOUND;
}

static void read_row(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct totp_row *t = item;
	memset(t, 0, sizeof(*t));
	t->user_id = sqlite3_column_int64(q, 0);
	t->algorithm = sq_col_text(a, q, 1);
	t->secret = sq_col_text(a, q, 2);
	t->enabled = sqlite3_column_int(q, 3) != 0;
	t->last_step = sqlite3_column_int64(q, 4);
}

int store_totp_all(struct store *st, struct arena *a, struct totp_row **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT user_id, algorithm, secret, enabled, last_step "
				     "FROM user_totp ORDER BY user_id");
	void *items;
	int err = sq_collect(a, q, sizeof(struct totp_row), read_row, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

int store_totp_delete(struct store *st, long long user_id)
{
	int n;
	int err = write1(st, "DELETE FROM user_totp WHERE user_id = ?1 AND ?4 = ?4 AND ?5 = ?5",
			 NULL, user_id, NULL, NULL, 0, 0, &n);
	return err ? err : n ? 0 : ERR_NOT_FOUND;
}
