/*
 * sqlite_ui.c - what the web application needs from SQLite: saved list
 * filters, client ids of offline reports, public report records, and the
 * cockpit's roll-ups by department and category and its overdue list; see
 * store.h and migrations/0009_ui.sql.
 *
 * The roll-ups are kept by triggers in the same transaction as each change
 * (like event_counts), so reading them costs a few rows per place. The
 * overdue list walks a partial index of the open overdue events in
 * deadline order, so it costs what is overdue, never the whole table.
 */
#include "store/sqlite_internal.h"
#include "core/err.h"
#include "core/str.h"

#include <string.h>

/* --- saved filters --- */

static void read_filter(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct saved_filter *f = item;
	f->id = sqlite3_column_int64(q, 0);
	f->name = sq_col_text(a, q, 1);
	f->query = sq_col_text(a, q, 2);
	f->created_at = sqlite3_column_int64(q, 3);
}

int store_filter_list(struct store *st, struct arena *a, long long user_id,
		      struct saved_filter **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT id, name, query, created_at FROM saved_filters "
				     "WHERE user_id = ?1 ORDER BY name, id");
	sqlite3_bind_int64(q, 1, user_id);
	void *items;
	int err = sq_collect(a, q, sizeof(struct saved_filter), read_filter, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

int store_filter_add(struct store *st, long long user_id, struct saved_filter *f, int max,
		     bool *full)
{
	*full = false;
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "SELECT count(*) FROM saved_filters WHERE user_id = ?1");
	sqlite3_bind_int64(q, 1, user_id);
	int rc = sqlite3_step(q);
	long long have = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	if (rc != SQLITE_ROW)
		return sq_wend(st, sq_map_rc(rc, w->db));
	if (have >= max) {
		*full = true;
		return sq_wend(st, ERR_CONFLICT);
	}
	q = sq_prep(w, "INSERT INTO saved_filters (user_id, name, query, created_at) "
		       "VALUES (?1, ?2, ?3, ?4)");
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, f->query, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, f->created_at);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		f->id = sqlite3_last_insert_rowid(w->db);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_filter_delete(struct store *st, long long user_id, long long id)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "DELETE FROM saved_filters WHERE id = ?1 AND user_id = ?2");
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, user_id);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	return sq_wend(st, sqlite3_changes(w->db) ? 0 : ERR_NOT_FOUND);
}

/* --- offline reports and public reports --- */

int store_event_by_client(struct store *st, long long reporter_id, const char *client_id,
			  long long *event_id)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT event_id FROM event_clients "
				     "WHERE reporter_id = ?1 AND client_id = ?2");
	sqlite3_bind_int64(q, 1, reporter_id);
	sqlite3_bind_text(q, 2, client_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		*event_id = sqlite3_column_int64(q, 0);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_event_client_add(struct store *st, long long reporter_id, const char *client_id,
			   long long event_id, long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "INSERT INTO event_clients (reporter_id, client_id, "
				     "event_id, created_at) VALUES (?1, ?2, ?3, ?4)");
	sqlite3_bind_int64(q, 1, reporter_id);
	sqlite3_bind_text(q, 2, client_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, event_id);
	sqlite3_bind_int64(q, 4, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_public_report_add(struct store *st, long long event_id, const char *contact,
			    long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "INSERT INTO public_reports (event_id, contact, created_at) "
				     "VALUES (?1, ?2, ?3)");
	sqlite3_bind_int64(q, 1, event_id);
	sqlite3_bind_text(q, 2, contact ? contact : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_public_photo_token(struct store *st, long long event_id, const char *hash)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q =
		sq_prep(w, "UPDATE public_reports SET photo_token = ?2 WHERE event_id = ?1");
	sqlite3_bind_int64(q, 1, event_id);
	sqlite3_bind_text(q, 2, hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		err = sq_map_rc(rc, w->db);
	else if (!sqlite3_changes(w->db))
		err = ERR_NOT_FOUND;
	return sq_wend(st, err);
}

int store_public_photo_claim(struct store *st, long long event_id, const char *hash,
			     long long since, long long max, long long *count)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "SELECT photos FROM public_reports WHERE event_id = ?1 AND "
				     "photo_token = ?2 AND photo_token <> '' AND created_at >= ?3");
	sqlite3_bind_int64(q, 1, event_id);
	sqlite3_bind_text(q, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, since);
	int rc = sqlite3_step(q);
	long long n = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return sq_wend(st, ERR_NOT_FOUND);
	if (rc != SQLITE_ROW)
		return sq_wend(st, sq_map_rc(rc, w->db));
	if (n >= max)
		return sq_wend(st, ERR_CONFLICT);
	q = sq_prep(w, "UPDATE public_reports SET photos = photos + 1 WHERE event_id = ?1");
	sqlite3_bind_int64(q, 1, event_id);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	*count = n + 1;
	return sq_wend(st, 0);
}

int store_public_contact(struct store *st, struct arena *a, long long event_id,
			 const char **contact)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT contact FROM public_reports WHERE event_id = ?1");
	sqlite3_bind_int64(q, 1, event_id);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		*contact = sq_col_text(a, q, 0);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

/* --- cockpit roll-ups --- */

static void read_assignee(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assignee_row *r = item;
	r->org_path = sq_col_text(a, q, 0);
	r->assignee = sq_col_text(a, q, 1);
	r->open = sqlite3_column_int64(q, 2);
	r->overdue = sqlite3_column_int64(q, 3);
}

int store_event_assignee_counts(struct store *st, struct arena *a, const struct scope *sc,
				const char *path, struct assignee_row **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(
		c, "SELECT org_path, assignee, n_open, n_overdue FROM event_assignee_counts "
		   "WHERE org_path >= ?1 AND org_path < ?2 AND n_open > 0 AND " SCOPE_SQL(
			   "org_path", "?3", "?4"));
	sq_bind_range(a, q, 1, path);
	sq_bind_scope(a, q, 3, sc);
	void *items;
	int err = sq_collect(a, q, sizeof(struct assignee_row), read_assignee, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

static void read_category_count(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct category_row *r = item;
	r->org_path = sq_col_text(a, q, 0);
	r->category = sq_col_text(a, q, 1);
	r->n = sqlite3_column_int64(q, 2);
	r->open = sqlite3_column_int64(q, 3);
	r->overdue = sqlite3_column_int64(q, 4);
}

int store_event_category_counts(struct store *st, struct arena *a, const struct scope *sc,
				const char *path, struct category_row **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(
		c, "SELECT org_path, category, n, n_open, n_overdue FROM event_category_counts "
		   "WHERE org_path >= ?1 AND org_path < ?2 AND n > 0 AND " SCOPE_SQL("org_path",
										     "?3", "?4"));
	sq_bind_range(a, q, 1, path);
	sq_bind_scope(a, q, 3, sc);
	void *items;
	int err = sq_collect(a, q, sizeof(struct category_row), read_category_count, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

static void read_id(struct arena *a, sqlite3_stmt *q, void *item)
{
	(void)a;
	*(long long *)item = sqlite3_column_int64(q, 0);
}

int store_event_overdue_ids(struct store *st, struct arena *a, const struct scope *sc,
			    const char *path, int limit, long long **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	/* the WHERE repeats the partial index's condition, so the planner uses it;
	 * '+' keeps it off the place index, whose range may hold a whole street */
	sqlite3_stmt *q = sq_prep(
		c, "SELECT id FROM events WHERE warn >= 2 AND state != 'closed' AND state != "
		   "'rejected' AND state != 'merged' AND state != 'voided' AND +org_path >= ?1 "
		   "AND +org_path < ?2 "
		   "AND " SCOPE_SQL("+org_path", "?3", "?4") " ORDER BY deadline_at LIMIT ?5");
	sq_bind_range(a, q, 1, path);
	sq_bind_scope(a, q, 3, sc);
	sqlite3_bind_int(q, 5, limit);
	void *items;
	int err = sq_collect(a, q, sizeof(long long), read_id, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}
