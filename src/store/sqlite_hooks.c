/*
 * sqlite_hooks.c - webhooks and their delivery log; see store.h.
 */
#include "store/sqlite_internal.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>

int store_webhook_add(struct store *st, struct webhook *wh)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(
		w, "INSERT INTO webhooks (org_code, url, secret, kinds, enabled, created_by, "
		   "created_at) VALUES (?1, ?2, ?3, ?4, 1, nullif(?5, 0), ?6)");
	sqlite3_bind_text(q, 1, wh->org_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, wh->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, wh->secret, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, wh->kinds ? wh->kinds : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, wh->created_by);
	sqlite3_bind_int64(q, 6, wh->created_at);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE) {
		wh->id = sqlite3_last_insert_rowid(w->db);
		wh->enabled = true;
	}
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_webhook_set_secret(struct store *st, long long id, const char *secret)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "UPDATE webhooks SET secret = ?2 WHERE id = ?1");
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, secret, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

static void read_secret(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct webhook *w = item;
	w->id = sqlite3_column_int64(q, 0);
	w->secret = sq_col_text(a, q, 1);
}

int store_webhook_secrets(struct store *st, struct arena *a, struct webhook **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT id, secret FROM webhooks ORDER BY id");
	void *items;
	int err = sq_collect(a, q, sizeof(struct webhook), read_secret, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

#define HOOK_COLS                                                                            \
	"h.id, h.org_code, h.url, h.secret, h.kinds, h.enabled, coalesce(h.created_by, 0), " \
	"h.created_at"

static void read_hook(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct webhook *w = item;
	w->id = sqlite3_column_int64(q, 0);
	w->org_code = sq_col_text(a, q, 1);
	w->url = sq_col_text(a, q, 2);
	w->secret = sq_col_text(a, q, 3);
	w->kinds = sq_col_text(a, q, 4);
	w->enabled = sqlite3_column_int(q, 5) != 0;
	w->created_by = sqlite3_column_int64(q, 6);
	w->created_at = sqlite3_column_int64(q, 7);
}

int store_webhook_list(struct store *st, struct arena *a, const struct scope *sc,
		       struct webhook **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " HOOK_COLS
				     " FROM webhooks h JOIN orgs o ON o.code = h.org_code "
				     "WHERE " SCOPE_SQL("o.path", "?1", "?2") " ORDER BY h.id");
	sq_bind_scope(a, q, 1, sc);
	void *items;
	int err = sq_collect(a, q, sizeof(struct webhook), read_hook, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

int store_webhook_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
		      struct webhook *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " HOOK_COLS
				     " FROM webhooks h JOIN orgs o ON o.code = h.org_code "
				     "WHERE h.id = ?3 AND " SCOPE_SQL("o.path", "?1", "?2"));
	sq_bind_scope(a, q, 1, sc);
	sqlite3_bind_int64(q, 3, id);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_hook(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_webhook_disable(struct store *st, long long id)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "UPDATE webhooks SET enabled = 0 WHERE id = ?1");
	sqlite3_bind_int64(q, 1, id);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_webhook_enqueue(struct store *st, const char *org_code, const char *kind,
			  long long event_id, const char *payload, long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(
		w, "INSERT INTO webhook_deliveries (webhook_id, event_id, kind, payload, next_at, "
		   "created_at) SELECT id, nullif(?3, 0), ?2, ?4, ?5, ?5 FROM webhooks "
		   "WHERE org_code = ?1 AND enabled = 1 AND "
		   "(kinds = '' OR instr(',' || kinds || ',', ',' || ?2 || ',') > 0)");
	sqlite3_bind_text(q, 1, org_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, event_id);
	sqlite3_bind_text(q, 4, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

#define DEL_COLS                                                                                 \
	"d.id, d.webhook_id, coalesce(d.event_id, 0), d.kind, d.payload, d.status, d.attempts, " \
	"coalesce(d.next_at, 0), d.last_status, d.last_error, d.created_at, "                    \
	"coalesce(d.delivered_at, 0), h.url, h.secret"

static void read_delivery(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct delivery *d = item;
	d->id = sqlite3_column_int64(q, 0);
	d->webhook_id = sqlite3_column_int64(q, 1);
	d->event_id = sqlite3_column_int64(q, 2);
	d->kind = sq_col_text(a, q, 3);
	d->payload = sq_col_text(a, q, 4);
	d->status = sq_col_text(a, q, 5);
	d->attempts = sqlite3_column_int(q, 6);
	d->next_at = sqlite3_column_int64(q, 7);
	d->last_status = sqlite3_column_int(q, 8);
	d->last_error = sq_col_text(a, q, 9);
	d->created_at = sqlite3_column_int64(q, 10);
	d->delivered_at = sqlite3_column_int64(q, 11);
	d->url = sq_col_text(a, q, 12);
	d->secret = sq_col_text(a, q, 13);
}

int store_delivery_due(struct store *st, struct arena *a, long long now, int limit,
		       struct delivery **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT " DEL_COLS " FROM webhook_deliveries d JOIN webhooks h "
			   "ON h.id = d.webhook_id WHERE d.status = 'pending' AND d.next_at <= ?1 "
			   "ORDER BY d.next_at, d.id LIMIT ?2");
	sqlite3_bind_int64(q, 1, now);
	sqlite3_bind_int(q, 2, limit);
	void *items;
	int err = sq_collect(a, q, sizeof(struct delivery), read_delivery, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

int store_delivery_attempt(struct store *st, long long id, const char *status, int http_status,
			   const char *error, long long next_at, long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q =
		sq_prep(w, "UPDATE webhook_deliveries SET status = ?2, attempts = attempts + 1, "
			   "last_status = ?3, last_error = ?4, next_at = nullif(?5, 0), "
			   "delivered_at = CASE WHEN ?2 = 'delivered' THEN ?6 END WHERE id = ?1");
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, http_status);
	sqlite3_bind_text(q, 4, error ? error : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, next_at);
	sqlite3_bind_int64(q, 6, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_delivery_list(struct store *st, struct arena *a, long long webhook_id, int limit,
			struct delivery **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(
		c, "SELECT " DEL_COLS " FROM webhook_deliveries d JOIN webhooks h "
		   "ON h.id = d.webhook_id WHERE d.webhook_id = ?1 ORDER BY d.id DESC LIMIT ?2");
	sqlite3_bind_int64(q, 1, webhook_id);
	sqlite3_bind_int(q, 2, limit);
	void *items;
	int err = sq_collect(a, q, sizeof(struct delivery), read_delivery, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

int store_calendar_year_set(struct store *st, int year, const struct cal_day *days, size_t n,
			    long long user_id, long long now)
{
	int err = store_begin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "DELETE FROM calendar_days WHERE year = ?1");
	sqlite3_bind_int(q, 1, year);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	for (size_t i = 0; rc == SQLITE_DONE && i < n; i++) {
		char day[16];
		snprintf(day, sizeof(day), "%04d-%02d-%02d", days[i].y, days[i].m, days[i].d);
		q = sq_prep(
			w,
			"INSERT INTO calendar_days (day, year, kind, name, updated_by, updated_at) "
			"VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), ?6)");
		sqlite3_bind_text(q, 1, day, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 2, year);
		sqlite3_bind_text(q, 3, days[i].kind == CAL_HOLIDAY ? "holiday" : "workday", -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(q, 4, days[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 5, user_id);
		sqlite3_bind_int64(q, 6, now);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
	}
	if (rc == SQLITE_DONE) {
		q = sq_prep(w,
			    "INSERT OR REPLACE INTO calendar_years (year, updated_by, updated_at) "
			    "VALUES (?1, nullif(?2, 0), ?3)");
		sqlite3_bind_int(q, 1, year);
		sqlite3_bind_int64(q, 2, user_id);
		sqlite3_bind_int64(q, 3, now);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
	}
	if (rc != SQLITE_DONE) {
		err = sq_map_rc(rc, w->db);
		store_rollback(st);
		return err;
	}
	return store_commit(st);
}

int store_calendar_each_year(struct store *st, struct arena *a,
			     void (*fn)(void *ctx, int year, const struct cal_day *days, size_t n),
			     void *ctx)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *y = sq_prep(c, "SELECT year FROM calendar_years ORDER BY year");
	int years[512], ny = 0, rc;
	while ((rc = sqlite3_step(y)) == SQLITE_ROW && ny < 512)
		years[ny++] = sqlite3_column_int(y, 0);
	sqlite3_reset(y);
	for (int k = 0; k < ny; k++) {
		sqlite3_stmt *q = sq_prep(
			c,
			"SELECT day, kind, name FROM calendar_days WHERE year = ?1 ORDER BY day");
		sqlite3_bind_int(q, 1, years[k]);
		size_t cap = 16, len = 0;
		struct cal_day *v = arena_alloc(a, cap * sizeof(*v));
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			GROW(a, v, len, cap);
			struct cal_day *x = &v[len++];
			memset(x, 0, sizeof(*x));
			sscanf((const char *)sqlite3_column_text(q, 0), "%4d-%2d-%2d", &x->y, &x->m,
			       &x->d);
			x->kind = !strcmp((const char *)sqlite3_column_text(q, 1), "holiday")
					  ? CAL_HOLIDAY
					  : CAL_WORKDAY;
			str_copy(x->name, sizeof(x->name), (const char *)sqlite3_column_text(q, 2));
		}
		sqlite3_reset(q);
		fn(ctx, years[k], v, len);
	}
	sq_rrelease(st, c);
	return 0;
}
