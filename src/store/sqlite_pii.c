/*
 * sqlite_pii.c - reporters' personal data (sealed values and blind
 * indexes) and the log of clear reads; see store.h.
 *
 * The store never sees a clear value: sealing and opening happen in the
 * domain (src/domain/personal.c) with keys from outside the database.
 */
#include "store/sqlite_internal.h"
#include "core/err.h"

#include <string.h>

#define PERSONAL_COLS "event_id, key_version, name, phone, id_no, address, phone_bidx, id_no_bidx"

static void bind_blob_or_null(sqlite3_stmt *q, int i, const unsigned char *p, size_t n)
{
	if (p)
		sqlite3_bind_blob(q, i, p, (int)n, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

static void bind_text_or_null(sqlite3_stmt *q, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

int store_personal_put(struct store *st, const struct personal_row *r)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "INSERT OR REPLACE INTO event_personal (" PERSONAL_COLS
				     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	sqlite3_bind_int64(q, 1, r->event_id);
	sqlite3_bind_int(q, 2, r->key_version);
	for (int f = 0; f < PII__COUNT; f++)
		bind_blob_or_null(q, 3 + f, r->v[f], r->len[f]);
	bind_text_or_null(q, 7, r->phone_bidx);
	bind_text_or_null(q, 8, r->id_no_bidx);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

static void read_row(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct personal_row *r = item;
	memset(r, 0, sizeof(*r));
	r->event_id = sqlite3_column_int64(q, 0);
	r->key_version = sqlite3_column_int(q, 1);
	for (int f = 0; f < PII__COUNT; f++) {
		if (sqlite3_column_type(q, 2 + f) == SQLITE_NULL)
			continue;
		const void *b = sqlite3_column_blob(q, 2 + f);
		size_t n = (size_t)sqlite3_column_bytes(q, 2 + f);
		unsigned char *copy = arena_alloc(a, n ? n : 1);
		if (n)
			memcpy(copy, b, n);
		r->v[f] = copy;
		r->len[f] = n;
	}
	if (sqlite3_column_type(q, 6) != SQLITE_NULL)
		r->phone_bidx = sq_col_text(a, q, 6);
	if (sqlite3_column_type(q, 7) != SQLITE_NULL)
		r->id_no_bidx = sq_col_text(a, q, 7);
}

int store_personal_get(struct store *st, struct arena *a, long long event_id,
		       struct personal_row *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT " PERSONAL_COLS " FROM event_personal WHERE event_id = ?1");
	sqlite3_bind_int64(q, 1, event_id);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_row(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_personal_batch(struct store *st, struct arena *a, long long after, int limit,
			 struct personal_row **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " PERSONAL_COLS " FROM event_personal "
				     "WHERE event_id > ?1 ORDER BY event_id LIMIT ?2");
	sqlite3_bind_int64(q, 1, after);
	sqlite3_bind_int(q, 2, limit);
	void *items;
	int err = sq_collect(a, q, sizeof(struct personal_row), read_row, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

struct version_count {
	int version;
	long long count;
};

static void read_version(struct arena *a, sqlite3_stmt *q, void *item)
{
	(void)a;
	struct version_count *v = item;
	v->version = sqlite3_column_int(q, 0);
	v->count = sqlite3_column_int64(q, 1);
}

int store_personal_versions(struct store *st, struct arena *a, int **versions, long long **counts,
			    size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT key_version, count(*) FROM event_personal "
				     "GROUP BY key_version ORDER BY key_version");
	void *items;
	int err = sq_collect(a, q, sizeof(struct version_count), read_version, &items, n);
	sq_rrelease(st, c);
	if (err)
		return err;
	const struct version_count *vc = items;
	*versions = arena_alloc(a, (*n ? *n : 1) * sizeof(**versions));
	*counts = arena_alloc(a, (*n ? *n : 1) * sizeof(**counts));
	for (size_t i = 0; i < *n; i++) {
		(*versions)[i] = vc[i].version;
		(*counts)[i] = vc[i].count;
	}
	return 0;
}

int store_personal_read_log(struct store *st, long long event_id, long long user_id, long long at,
			    const char *reason, const char *fields, const char *ip)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "INSERT INTO personal_reads (event_id, user_id, at, reason, "
				     "fields, ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	sqlite3_bind_int64(q, 1, event_id);
	sqlite3_bind_int64(q, 2, user_id);
	sqlite3_bind_int64(q, 3, at);
	sqlite3_bind_text(q, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, fields, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, ip ? ip : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

static void read_read(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct personal_read *r = item;
	r->id = sqlite3_column_int64(q, 0);
	r->event_id = sqlite3_column_int64(q, 1);
	r->user_id = sqlite3_column_int64(q, 2);
	r->user = sq_col_text(a, q, 3);
	r->at = sqlite3_column_int64(q, 4);
	r->reason = sq_col_text(a, q, 5);
	r->fields = sq_col_text(a, q, 6);
}

int store_personal_reads(struct store *st, struct arena *a, const struct scope *sc,
			 long long event_id, struct personal_read **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(
		c, "SELECT p.id, p.event_id, p.user_id, coalesce(u.username, ''), p.at, p.reason, "
		   "p.fields FROM personal_reads p LEFT JOIN users u ON u.id = p.user_id "
		   "WHERE p.event_id = ?1 AND " EVENT_SCOPE_SQL("?1", "?2", "?3",
								"?4") " ORDER BY p.id");
	sqlite3_bind_int64(q, 1, event_id);
	sq_bind_event_scope(a, q, 2, sc);
	void *items;
	int err = sq_collect(a, q, sizeof(struct personal_read), read_read, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}
