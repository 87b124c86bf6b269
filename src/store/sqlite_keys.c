/*
 * sqlite_keys.c - API keys, the Open311 request records, and the two
 * event look-ups Open311 needs (by receipt, last public notes); see store.h.
 *
 * A key's scope is its jurisdiction's org path: administrators list and
 * revoke the keys of districts inside their own scope. Keys are found by
 * the digest of their secret, which is UNIQUE, so a look-up is one index
 * probe and the secret itself never reaches the database.
 */
#include "store/sqlite_internal.h"
#include "core/err.h"
#include "core/str.h"

#include <stdlib.h>
#include <string.h>

#define KEY_COLS                                                                              \
	"k.id, k.name, k.jurisdiction, coalesce(k.created_by, 0), coalesce(u.username, ''), " \
	"k.created_at, coalesce(k.revoked_at, 0), coalesce(k.last_used_at, 0), k.uses"
#define KEY_FROM "FROM api_keys k LEFT JOIN users u ON u.id = k.created_by "

static void read_key(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct api_key *k = item;
	memset(k, 0, sizeof(*k));
	k->id = sqlite3_column_int64(q, 0);
	k->name = sq_col_text(a, q, 1);
	k->jurisdiction = sq_col_text(a, q, 2);
	k->created_by = sqlite3_column_int64(q, 3);
	k->created_by_name = sq_col_text(a, q, 4);
	k->created_at = sqlite3_column_int64(q, 5);
	k->revoked_at = sqlite3_column_int64(q, 6);
	k->last_used_at = sqlite3_column_int64(q, 7);
	k->uses = sqlite3_column_int64(q, 8);
}

int store_api_key_add(struct store *st, struct api_key *k, const char *key_hash)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q =
		sq_prep(w, "INSERT INTO api_keys (name, jurisdiction, key_hash, created_by, "
			   "created_at) VALUES (?1, ?2, ?3, nullif(?4, 0), ?5)");
	sqlite3_bind_text(q, 1, k->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, k->jurisdiction, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, key_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, k->created_by);
	sqlite3_bind_int64(q, 5, k->created_at);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		k->id = sqlite3_last_insert_rowid(w->db);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

/* Runs a one-row key query prepared on c and bound by the caller. */
static int one_key(struct store *st, struct conn *c, sqlite3_stmt *q, struct arena *a,
		   struct api_key *out)
{
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_key(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_api_key_by_hash(struct store *st, struct arena *a, const char *key_hash,
			  struct api_key *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " KEY_COLS " " KEY_FROM "WHERE k.key_hash = ?1");
	sqlite3_bind_text(q, 1, key_hash, -1, SQLITE_STATIC);
	return one_key(st, c, q, a, out);
}

int store_api_key_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
		      struct api_key *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT " KEY_COLS " " KEY_FROM
			   "JOIN orgs o ON o.code = k.jurisdiction WHERE k.id = ?1 AND " SCOPE_SQL(
				   "o.path", "?2", "?3"));
	sqlite3_bind_int64(q, 1, id);
	sq_bind_scope(a, q, 2, sc);
	return one_key(st, c, q, a, out);
}

int store_api_key_list(struct store *st, struct arena *a, const struct scope *sc,
		       struct api_key **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " KEY_COLS " " KEY_FROM
				     "JOIN orgs o ON o.code = k.jurisdiction WHERE " SCOPE_SQL(
					     "o.path", "?1", "?2") " ORDER BY k.id");
	sq_bind_scope(a, q, 1, sc);
	void *items;
	int err = sq_collect(a, q, sizeof(struct api_key), read_key, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

/* One UPDATE of a key by id; ERR_NOT_FOUND when no such key exists. */
static int key_write(struct store *st, const char *sql, long long id, long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, sql);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	if (sqlite3_changes(w->db) == 0) {
		/* already revoked, or missing: tell the two apart */
		q = sq_prep(w, "SELECT 1 FROM api_keys WHERE id = ?1");
		sqlite3_bind_int64(q, 1, id);
		int found = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_reset(q);
		return sq_wend(st, found ? 0 : ERR_NOT_FOUND);
	}
	return sq_wend(st, 0);
}

int store_api_key_revoke(struct store *st, long long id, long long now)
{
	return key_write(st,
			 "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
			 id, now);
}

int store_api_key_used(struct store *st, long long id, long long now)
{
	return key_write(st, "UPDATE api_keys SET last_used_at = ?2, uses = uses + 1 WHERE id = ?1",
			 id, now);
}

int store_open311_record(struct store *st, long long event_id, long long key_id, unsigned personal,
			 long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q =
		sq_prep(w, "INSERT INTO open311_requests (event_id, api_key_id, personal, "
			   "created_at) VALUES (?1, ?2, ?3, ?4)");
	sqlite3_bind_int64(q, 1, event_id);
	sqlite3_bind_int64(q, 2, key_id);
	sqlite3_bind_int(q, 3, (int)personal);
	sqlite3_bind_int64(q, 4, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_event_by_receipt(struct store *st, struct arena *a, const struct scope *sc,
			   const char *receipt, struct event *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT id FROM events WHERE receipt = ?1");
	sqlite3_bind_text(q, 1, receipt, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	long long id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	int err = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	if (err)
		return err;
	if (!id)
		return ERR_NOT_FOUND;
	return store_event_get(st, a, sc, id, out);
}

struct id_slot {
	long long id;
	size_t at;
};

static int by_id(const void *x, const void *y)
{
	long long a = ((const struct id_slot *)x)->id, b = ((const struct id_slot *)y)->id;
	return (a > b) - (a < b);
}

int store_event_last_notes(struct store *st, struct arena *a, const long long *ids, size_t n,
			   const char *actions, const char **notes)
{
	for (size_t i = 0; i < n; i++)
		notes[i] = "";
	if (!n)
		return 0;
	/* the ids travel as one JSON array; json_each() unpacks it in SQL */
	struct strbuf sb = STRBUF_INIT;
	struct id_slot *slots = arena_alloc(a, n * sizeof(*slots));
	strbuf_addstr(&sb, "[");
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(&sb, "%s%lld", i ? "," : "", ids[i]);
		slots[i].id = ids[i];
		slots[i].at = i;
	}
	strbuf_addstr(&sb, "]");
	qsort(slots, n, sizeof(*slots), by_id);
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT event_id, note FROM event_actions WHERE event_id IN "
			   "(SELECT value FROM json_each(?1)) AND note != '' AND "
			   "instr(',' || ?2 || ',', ',' || action || ',') > 0 ORDER BY id");
	sqlite3_bind_text(q, 1, strbuf_str(&sb), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, actions, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* later rows are newer: each overwrites what an older one set */
		struct id_slot key = { .id = sqlite3_column_int64(q, 0) };
		const struct id_slot *hit = bsearch(&key, slots, n, sizeof(*slots), by_id);
		for (; hit && hit > slots && hit[-1].id == key.id; hit--)
			;
		for (; hit && hit < slots + n && hit->id == key.id; hit++)
			notes[hit->at] = sq_col_text(a, q, 1);
	}
	int err = rc == SQLITE_DONE ? 0 : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	strbuf_release(&sb);
	return err;
}
