/*
 * sqlite_audit.c - the audit log, its anchors, verification, backup and
 * restore (see store.h and domain/audit.h).
 *
 * Appends happen on the writer inside the caller's write, so a record and
 * the change it records commit or vanish together. The chain's head (last
 * seq and hash) is kept in memory on the writer: an append costs one SM3 and
 * one INSERT, no read. The head is re-read from the table after any
 * rollback (sqlite.c clears audit_ok) and when another process has written
 * to the database since (PRAGMA data_version, checked once per batch).
 *
 * The table refuses UPDATE and DELETE itself (triggers in 0006_audit.sql),
 * so no code path, and no sqlite3 shell, can quietly change a record.
 */
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "domain/audit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/sqlite_internal.h"

static _Thread_local const char *source_ip;

void store_audit_source(const char *ip)
{
	source_ip = ip;
}

static int load_head(struct store *st)
{
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		st->audit_seq = sqlite3_column_int64(q, 0);
		str_copy(st->audit_hash, sizeof(st->audit_hash),
			 (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_reset(q);
	if (rc == SQLITE_DONE) {
		/* empty: the chain continues from the last archive, or starts */
		q = sq_prep(w, "SELECT through_seq, through_hash FROM audit_archives "
			       "ORDER BY id DESC LIMIT 1");
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			st->audit_seq = sqlite3_column_int64(q, 0);
			str_copy(st->audit_hash, sizeof(st->audit_hash),
				 (const char *)sqlite3_column_text(q, 1));
			rc = SQLITE_DONE;
		} else if (rc == SQLITE_DONE) {
			st->audit_seq = 0;
			str_copy(st->audit_hash, sizeof(st->audit_hash), audit_genesis);
		}
		sqlite3_reset(q);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_map_rc(rc, w->db);
	st->audit_ok = true;
	return 0;
}

static int data_version(struct conn *w, long long *dv)
{
	sqlite3_stmt *q = sq_prep(w, "PRAGMA data_version");
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*dv = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : sq_map_rc(rc, w->db);
}

static void bind_field(sqlite3_stmt *q, int i, const char *s, size_t max)
{
	sqlite3_bind_text(q, i, s ? s : "", (int)audit_field_len(s, max), SQLITE_STATIC);
}

int sq_audit_append(struct store *st, struct audit_rec *r)
{
	struct conn *w = &st->writer;
	int err;
	if (!st->audit_ok || st->audit_batch != st->batch) {
		long long dv = 0;
		if ((err = data_version(w, &dv)))
			return err;
		if ((!st->audit_ok || dv != st->audit_dv) && (err = load_head(st)))
			return err;
		st->audit_dv = dv;
		st->audit_batch = st->batch;
	}
	r->seq = st->audit_seq + 1;
	str_copy(r->prev, sizeof(r->prev), st->audit_hash);
	if (!r->at)
		r->at = (long long)time(NULL);
	if (!r->ip)
		r->ip = source_ip ? source_ip : "";
	if (!r->username)
		r->username = "";
	if (!r->outcome)
		r->outcome = "ok";
	audit_hash(r->prev, r, r->hash);
	sqlite3_stmt *q = sq_prep(
		w,
		"INSERT INTO audit_log (seq, at, user_id, username, ip, action, object, outcome, "
		"detail, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	sqlite3_bind_int64(q, 1, r->seq);
	sqlite3_bind_int64(q, 2, r->at);
	sqlite3_bind_int64(q, 3, r->user_id);
	bind_field(q, 4, r->username, AUDIT_USER_MAX);
	bind_field(q, 5, r->ip, AUDIT_IP_MAX);
	bind_field(q, 6, r->action, AUDIT_ACTION_MAX);
	bind_field(q, 7, r->object, AUDIT_OBJECT_MAX);
	bind_field(q, 8, r->outcome, AUDIT_OUTCOME_MAX);
	bind_field(q, 9, r->detail, AUDIT_DETAIL_MAX);
	sqlite3_bind_text(q, 10, r->prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 11, r->hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		/* the change this record belongs to fails with it: say why, and
		 * never as the client's fault */
		log_error("cannot append to the audit log: %s", sqlite3_errmsg(w->db));
		st->audit_ok = false;
		err = sq_map_rc(rc, w->db);
		return err == ERR_NO_SPACE || err == ERR_UNAVAILABLE ? err : ERR_DB;
	}
	st->audit_seq = r->seq;
	str_copy(st->audit_hash, sizeof(st->audit_hash), r->hash);
	return 0;
}

int sq_audit_event(struct store *st, long long event_id, const struct event_action *act)
{
	char action[AUDIT_ACTION_MAX + 1], object[32], detail[128];
	snprintf(action, sizeof(action), "event.%s", act->action);
	snprintf(object, sizeof(object), "event:%lld", event_id);
	snprintf(detail, sizeof(detail), "%s -> %s", act->from && *act->from ? act->from : "-",
		 act->to && *act->to ? act->to : "-");
	struct audit_rec r = { .at = act->at,
			       .user_id = act->actor_id,
			       .username = act->actor ? act->actor : "system",
			       .action = action,
			       .object = object,
			       .outcome = "ok",
			       .detail = detail };
	return sq_audit_append(st, &r);
}

int store_audit_append(struct store *st, struct audit_rec *r)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	return sq_wend(st, sq_audit_append(st, r));
}

/* --- reading --- */

#define AUDIT_COLS "seq, at, user_id, username, ip, action, object, outcome, detail, prev, hash"

static const char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? (const char *)t : "";
}

/* r's texts point into q's row: valid until q steps again */
static void peek_rec(sqlite3_stmt *q, struct audit_rec *r)
{
	r->seq = sqlite3_column_int64(q, 0);
	r->at = sqlite3_column_int64(q, 1);
	r->user_id = sqlite3_column_int64(q, 2);
	r->username = col(q, 3);
	r->ip = col(q, 4);
	r->action = col(q, 5);
	r->object = col(q, 6);
	r->outcome = col(q, 7);
	r->detail = col(q, 8);
	str_copy(r->prev, sizeof(r->prev), col(q, 9));
	str_copy(r->hash, sizeof(r->hash), col(q, 10));
}

static void read_rec(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct audit_rec *r = item;
	r->seq = sqlite3_column_int64(q, 0);
	r->at = sqlite3_column_int64(q, 1);
	r->user_id = sqlite3_column_int64(q, 2);
	r->username = sq_col_text(a, q, 3);
	r->ip = sq_col_text(a, q, 4);
	r->action = sq_col_text(a, q, 5);
	r->object = sq_col_text(a, q, 6);
	r->outcome = sq_col_text(a, q, 7);
	r->detail = sq_col_text(a, q, 8);
	const unsigned char *t = sqlite3_column_text(q, 9);
	str_copy(r->prev, sizeof(r->prev), t ? (const char *)t : "");
	t = sqlite3_column_text(q, 10);
	str_copy(r->hash, sizeof(r->hash), t ? (const char *)t : "");
}

static void bind_opt(sqlite3_stmt *q, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

int store_audit_list(struct store *st, struct arena *a, const struct audit_filter *f,
		     struct audit_rec **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	/* an action ending in '.' is a family: "event." matches every event action */
#define AUDIT_FILTER                                                        \
	"AND (?4 IS NULL OR username = ?4) "                                \
	"AND (?5 IS NULL OR action = ?5 OR (substr(?5, -1) = '.' "          \
	"AND substr(action, 1, length(?5)) = ?5)) "                         \
	"AND (?6 IS NULL OR object = ?6) AND (?7 IS NULL OR outcome = ?7) " \
	"AND (?8 IS NULL OR user_id = ?8) ORDER BY seq DESC LIMIT ?9"
	/* a time range goes through the index on at; otherwise newest first by seq */
	sqlite3_stmt *q;
	if (f->from || f->to) {
		q = sq_prep(c, "SELECT " AUDIT_COLS " FROM audit_log INDEXED BY audit_log_at "
			       "WHERE at >= ?2 AND at < ?3 AND seq < ?1 " AUDIT_FILTER);
		sqlite3_bind_int64(q, 2, f->from ? f->from : INT64_MIN);
		sqlite3_bind_int64(q, 3, f->to ? f->to : INT64_MAX);
	} else {
		q = sq_prep(c, "SELECT " AUDIT_COLS " FROM audit_log WHERE seq < ?1 "
			       "AND ?2 IS NULL AND ?3 IS NULL " AUDIT_FILTER);
	}
	sqlite3_bind_int64(q, 1, f->before_seq > 0 ? f->before_seq : INT64_MAX);
	bind_opt(q, 4, f->username);
	bind_opt(q, 5, f->action);
	bind_opt(q, 6, f->object);
	bind_opt(q, 7, f->outcome);
	if (f->user_id)
		sqlite3_bind_int64(q, 8, f->user_id);
	sqlite3_bind_int(q, 9, f->limit > 0 ? f->limit : 100);
	void *items;
	int err = sq_collect(a, q, sizeof(struct audit_rec), read_rec, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

static void read_anchor(struct arena *a, sqlite3_stmt *q, void *item)
{
	(void)a;
	struct audit_anchor *x = item;
	x->id = sqlite3_column_int64(q, 0);
	x->seq = sqlite3_column_int64(q, 1);
	x->at = sqlite3_column_int64(q, 3);
	const unsigned char *t;
	t = sqlite3_column_text(q, 2);
	str_copy(x->hash, sizeof(x->hash), t ? (const char *)t : "");
	t = sqlite3_column_text(q, 4);
	str_copy(x->alg, sizeof(x->alg), t ? (const char *)t : "");
	t = sqlite3_column_text(q, 5);
	str_copy(x->key_id, sizeof(x->key_id), t ? (const char *)t : "");
	t = sqlite3_column_text(q, 6);
	str_copy(x->mac, sizeof(x->mac), t ? (const char *)t : "");
	t = sqlite3_column_text(q, 7);
	str_copy(x->sig, sizeof(x->sig), t ? (const char *)t : "");
	t = sqlite3_column_text(q, 8);
	str_copy(x->sig_key_id, sizeof(x->sig_key_id), t ? (const char *)t : "");
}

#define ANCHOR_SELECT \
	"SELECT id, seq, hash, at, alg, key_id, mac, sig, sig_key_id FROM audit_anchors "

static int anchors_on(struct conn *c, struct arena *a, long long after_id, int limit,
		      struct audit_anchor **out, size_t *n)
{
	sqlite3_stmt *q = sq_prep(c, ANCHOR_SELECT "WHERE id > ?1 ORDER BY id LIMIT ?2");
	sqlite3_bind_int64(q, 1, after_id);
	sqlite3_bind_int(q, 2, limit);
	void *items;
	int err = sq_collect(a, q, sizeof(struct audit_anchor), read_anchor, &items, n);
	*out = items;
	return err;
}

int store_audit_anchors(struct store *st, struct arena *a, long long after_id, int limit,
			struct audit_anchor **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	int err = anchors_on(c, a, after_id, limit > 0 ? limit : AUDIT_VERIFY_MAX_ANCHORS, out, n);
	sq_rrelease(st, c);
	return err;
}

int store_audit_head(struct store *st, long long *seq, char *hash)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
	int rc = sqlite3_step(q);
	*seq = 0;
	str_copy(hash, SEC_HEX_LEN, audit_genesis);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(q, 0);
		str_copy(hash, SEC_HEX_LEN, (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_DB;
}

int store_audit_anchor(struct store *st, const unsigned char *key, size_t keylen,
		       const struct sm2_key *sign, long long now, bool force,
		       struct audit_anchor *out)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	/* the head as the writer sees it, read from the table (not the cache):
	 * an anchor must name what is stored */
	long long seq = 0;
	char hash[SEC_HEX_LEN];
	str_copy(hash, sizeof(hash), audit_genesis);
	sqlite3_stmt *q = sq_prep(w, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		seq = sqlite3_column_int64(q, 0);
		str_copy(hash, sizeof(hash), (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	q = sq_prep(w, ANCHOR_SELECT "ORDER BY id DESC LIMIT 1");
	rc = sqlite3_step(q);
	bool same = false;
	if (rc == SQLITE_ROW) {
		read_anchor(NULL, q, out);
		same = out->seq == seq;
	}
	sqlite3_reset(q);
	if (same && !force)
		return sq_wend(st, 0);
	memset(out, 0, sizeof(*out));
	out->seq = seq;
	out->at = now;
	str_copy(out->hash, sizeof(out->hash), hash);
	str_copy(out->alg, sizeof(out->alg), "hmac-sm3");
	audit_key_id(key, keylen, out->key_id);
	audit_anchor_mac(key, keylen, seq, hash, now, out->mac);
	if (sign) {
		if (audit_anchor_sign(sign, seq, hash, now, out->sig))
			return sq_wend(st, ERR_INTERNAL);
		sm2_key_id(sign, out->sig_key_id);
	}
	q = sq_prep(w, "INSERT INTO audit_anchors (seq, hash, at, alg, key_id, mac, sig, "
		       "sig_key_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	sqlite3_bind_int64(q, 1, out->seq);
	sqlite3_bind_text(q, 2, out->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, out->at);
	sqlite3_bind_text(q, 4, out->alg, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, out->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, out->mac, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, out->sig, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, out->sig_key_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	out->id = sqlite3_last_insert_rowid(w->db);
	return sq_wend(st, 0);
}

/* --- verification (on any connection, so on a backup file too) --- */

static int by_seq(const void *pa, const void *pb)
{
	const struct audit_anchor *a = pa, *b = pb;
	return a->seq < b->seq ? -1 : a->seq > b->seq ? 1 : (a->id > b->id) - (a->id < b->id);
}

static int verify_on(struct conn *c, struct arena *a, const struct audit_anchor *extra,
		     size_t nextra, const unsigned char *key, size_t keylen,
		     const struct sm2_key *pub, struct audit_verify *v)
{
	/* one read transaction: the anchors and the records of one moment */
	int rc = sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_map_rc(rc, c->db);
	struct audit_anchor *an;
	size_t nan;
	int err = anchors_on(c, a, 0, AUDIT_VERIFY_MAX_ANCHORS, &an, &nan);
	if (!err && nextra) {
		struct audit_anchor *all = arena_alloc(a, (nan + nextra) * sizeof(*all));
		memcpy(all, an, nan * sizeof(*an));
		memcpy(all + nan, extra, nextra * sizeof(*extra));
		nan += nextra;
		an = all;
	}
	/* by the record they name: the walk meets them in order */
	qsort(an, nan, sizeof(*an), by_seq);
	long long start = 0;
	char start_hash[SEC_HEX_LEN];
	str_copy(start_hash, sizeof(start_hash), audit_genesis);
	if (!err) {
		sqlite3_stmt *q = sq_prep(c, "SELECT through_seq, through_hash FROM audit_archives "
					     "ORDER BY id DESC LIMIT 1");
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			start = sqlite3_column_int64(q, 0);
			str_copy(start_hash, sizeof(start_hash),
				 (const char *)sqlite3_column_text(q, 1));
		} else if (rc != SQLITE_DONE) {
			err = sq_map_rc(rc, c->db);
		}
		sqlite3_reset(q);
	}
	if (!err) {
		audit_verify_init(v, an, nan, key, keylen, pub, start, start_hash);
		/* archived records may still be there in a copy made mid-archive: skip them */
		sqlite3_stmt *q = sq_prep(c, "SELECT " AUDIT_COLS " FROM audit_log WHERE seq > ?1 "
					     "ORDER BY seq");
		sqlite3_bind_int64(q, 1, start);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct audit_rec r;
			peek_rec(q, &r);
			audit_verify_record(v, &r);
		}
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			err = sq_map_rc(rc, c->db);
		else
			audit_verify_finish(v);
	}
	sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	return err;
}

int store_audit_verify(struct store *st, struct arena *a, const struct audit_anchor *extra,
		       size_t nextra, const unsigned char *key, size_t keylen,
		       const struct sm2_key *pub, struct audit_verify *v)
{
	struct conn *c = sq_racquire(st);
	if (c == &st->writer)
		BUG("store_audit_verify inside a transaction"); /* its COMMIT would end it */
	int err = verify_on(c, a, extra, nextra, key, keylen, pub, v);
	sq_rrelease(st, c);
	return err;
}

/* --- archiving --- */

int store_audit_archivable(struct store *st, long long cutoff, long long *from_seq,
			   long long *through_seq)
{
	struct conn *c = sq_racquire(st);
	/* the oldest records, up to the first one at or after the cutoff: a
	 * prefix of the chain (times need not rise with seq) */
	sqlite3_stmt *q =
		sq_prep(c, "SELECT coalesce(min(seq), 1), coalesce(max(seq), 0), "
			   "(SELECT min(seq) FROM audit_log WHERE at >= ?1) FROM audit_log");
	sqlite3_bind_int64(q, 1, cutoff);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*from_seq = sqlite3_column_int64(q, 0);
		*through_seq = sqlite3_column_type(q, 2) == SQLITE_NULL
				       ? sqlite3_column_int64(q, 1)
				       : sqlite3_column_int64(q, 2) - 1;
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return rc == SQLITE_ROW ? 0 : ERR_DB;
}

int store_audit_each(struct store *st, long long from_seq, long long through_seq,
		     int (*fn)(void *ctx, const struct audit_rec *r), void *ctx)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " AUDIT_COLS " FROM audit_log WHERE seq >= ?1 "
				     "AND seq <= ?2 ORDER BY seq");
	sqlite3_bind_int64(q, 1, from_seq);
	sqlite3_bind_int64(q, 2, through_seq);
	int rc, err = 0;
	while (!err && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct audit_rec r;
		peek_rec(q, &r);
		err = fn(ctx, &r);
	}
	if (!err && rc != SQLITE_DONE)
		err = sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_audit_archive(struct store *st, long long through_seq, long long now, const char *file,
			const char *file_sm3)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	/* the archive row first (the database refuses one that reaches records
	 * younger than 184 days), then the records it names may go */
	sqlite3_stmt *q = sq_prep(
		w, "INSERT INTO audit_archives (through_seq, through_hash, through_at, at, file, "
		   "file_sm3) SELECT seq, hash, (SELECT max(at) FROM audit_log WHERE seq <= ?1), "
		   "?2, ?3, ?4 FROM audit_log WHERE seq = ?1");
	sqlite3_bind_int64(q, 1, through_seq);
	sqlite3_bind_int64(q, 2, now);
	sqlite3_bind_text(q, 3, file, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, file_sm3, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, (rc & 0xff) == SQLITE_CONSTRAINT ? ERR_FORBIDDEN
								    : sq_map_rc(rc, w->db));
	if (sqlite3_changes(w->db) == 0)
		return sq_wend(st, ERR_NOT_FOUND);
	q = sq_prep(w, "DELETE FROM audit_log WHERE seq <= ?1");
	sqlite3_bind_int64(q, 1, through_seq);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

/* --- files: checking, backup, restore --- */

static int open_file(const char *path, bool readonly, struct conn *c, char *why, size_t whylen)
{
	memset(c, 0, sizeof(*c));
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(path, &c->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, whylen, "cannot open '%s': %s", path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		c->db = NULL;
		return rc == SQLITE_CANTOPEN ? ERR_IO : ERR_DB;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 10000);
	return 0;
}

static void close_file(struct conn *c)
{
	for (int i = 0; i < c->ncache; i++)
		sqlite3_finalize(c->cache[i].st);
	c->ncache = 0;
	sqlite3_close(c->db);
	c->db = NULL;
}

static int integrity(struct conn *c, char *why, size_t whylen)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(c->db, "PRAGMA integrity_check", -1, &q, NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, whylen, "not a database: %s", sqlite3_errmsg(c->db));
		return ERR_BAD_FILE;
	}
	int err = 0;
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		snprintf(why, whylen, "integrity check failed: %s", sqlite3_errmsg(c->db));
		err = ERR_BAD_FILE;
	} else if (strcmp((const char *)sqlite3_column_text(q, 0), "ok")) {
		snprintf(why, whylen, "integrity check failed: %s", sqlite3_column_text(q, 0));
		err = ERR_BAD_FILE;
	}
	sqlite3_finalize(q);
	return err;
}

int store_file_check(const char *path, const unsigned char *key, size_t keylen,
		     const struct sm2_key *pub, struct audit_verify *v, char *why, size_t whylen)
{
	if (access(path, R_OK)) {
		snprintf(why, whylen, "cannot read '%s'", path);
		return ERR_IO;
	}
	struct conn c;
	int err = open_file(path, true, &c, why, whylen);
	if (err)
		return err;
	if (!(err = integrity(&c, why, whylen))) {
		struct arena *a = arena_new();
		/* a database without the audit tables (before 0006) has no chain */
		sqlite3_stmt *q = sq_prep(&c, "SELECT count(*) FROM sqlite_master WHERE "
					      "name IN ('audit_log', 'audit_anchors', "
					      "'audit_archives')");
		int rc = sqlite3_step(q);
		int tables = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
		sqlite3_reset(q);
		if (tables != 3) {
			snprintf(why, whylen, "'%s' has no audit log", path);
			err = ERR_BAD_FILE;
		} else if ((err = verify_on(&c, a, NULL, 0, key, keylen, pub, v))) {
			snprintf(why, whylen, "cannot read the audit log of '%s'", path);
		} else if (!v->ok) {
			snprintf(why, whylen, "the audit chain of '%s' is broken: %s", path,
				 v->problem);
			err = ERR_BAD_FILE;
		}
		arena_free(a);
	}
	close_file(&c);
	return err;
}

/* Copies the whole database src into dst (both open) in one step: a
 * consistent snapshot of src, written to dst in one transaction. */
static int copy_db(struct conn *src, struct conn *dst, char *why, size_t whylen)
{
	sqlite3_backup *b = sqlite3_backup_init(dst->db, "main", src->db, "main");
	if (!b) {
		snprintf(why, whylen, "cannot start the copy: %s", sqlite3_errmsg(dst->db));
		return sq_map_rc(sqlite3_errcode(dst->db), dst->db);
	}
	int rc;
	/* BUSY/LOCKED: a writer holds a lock for a moment; try again */
	for (int tries = 0; tries < 600; tries++) {
		rc = sqlite3_backup_step(b, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		sqlite3_sleep(50);
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(why, whylen, "the copy failed: %s", sqlite3_errstr(rc));
		return sq_map_rc(rc, NULL);
	}
	rc = sqlite3_errcode(dst->db);
	if (rc != SQLITE_OK) {
		snprintf(why, whylen, "the copy failed: %s", sqlite3_errmsg(dst->db));
		return sq_map_rc(rc, dst->db);
	}
	return 0;
}

int store_backup(const char *src, const char *dest, char *why, size_t whylen)
{
	if (!access(dest, F_OK)) {
		snprintf(why, whylen, "'%s' exists; give a new file", dest);
		return ERR_CONFLICT;
	}
	size_t n = strlen(dest) + 8;
	char *tmp = xmalloc(n);
	snprintf(tmp, n, "%s.part", dest);
	unlink(tmp);
	struct conn s, d;
	int err = open_file(src, true, &s, why, whylen);
	if (err)
		goto out;
	if ((err = open_file(tmp, false, &d, why, whylen))) {
		close_file(&s);
		goto out;
	}
	err = copy_db(&s, &d, why, whylen);
	/* the copy is a single file: no WAL beside it */
	if (!err && sqlite3_exec(d.db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
		err = ERR_DB;
	close_file(&d);
	close_file(&s);
	if (!err && rename(tmp, dest)) {
		snprintf(why, whylen, "cannot rename '%s' to '%s'", tmp, dest);
		err = ERR_IO;
	}
out:
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

int store_restore(const char *src, const char *dest, char *why, size_t whylen)
{
	struct conn s, d;
	int err = open_file(src, true, &s, why, whylen);
	if (err)
		return err;
	if ((err = open_file(dest, false, &d, why, whylen))) {
		close_file(&s);
		return err;
	}
	/* the copy replaces dest's pages in one transaction of dest, through
	 * its own journal: a failure leaves dest as it was */
	err = copy_db(&s, &d, why, whylen);
	if (!err && sqlite3_exec(d.db, "PRAGMA journal_mode=WAL; PRAGMA wal_checkpoint(TRUNCATE)",
				 NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(why, whylen, "cannot checkpoint '%s': %s", dest, sqlite3_errmsg(d.db));
		err = ERR_DB;
	}
	close_file(&d);
	close_file(&s);
	return err;
}
