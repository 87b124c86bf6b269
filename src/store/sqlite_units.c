/*
 * sqlite_units.c - units and demonstration-unit designations in SQLite;
 * see store_units.h. Statements are prepared per call (these are
 * administrative paths, not hot ones).
 */
#include "core/err.h"
#include "core/str.h"
#include "store/sqlite_internal.h"
#include "store/store_units.h"

#include <stdio.h>
#include <string.h>

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
	sqlite3_bind_text(q, i, s ? s : "", -1, SQLITE_TRANSIENT);
}

int store_unit_add(struct store *st, struct arena *a, struct unit *u)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(
		     w,
		     "INSERT INTO units (name, kind, grid_code, org_path, address, contact, "
		     "phone, created_at) SELECT ?1, ?2, code, path, ?4, ?5, ?6, ?7 FROM orgs "
		     "WHERE code = ?3 AND kind = 'grid' RETURNING id, org_path",
		     &q)))
		return sq_wend(st, err);
	bind_text(q, 1, u->name);
	bind_text(q, 2, u->kind);
	bind_text(q, 3, u->grid_code);
	bind_text(q, 4, u->address);
	bind_text(q, 5, u->contact);
	bind_text(q, 6, u->phone);
	sqlite3_bind_int64(q, 7, u->created_at);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		u->id = sqlite3_column_int64(q, 0);
		u->org_path = sq_col_text(a, q, 1);
		rc = sqlite3_step(q);
	} else if (rc == SQLITE_DONE) {
		err = ERR_NOT_FOUND;
	}
	if (!err && rc != SQLITE_DONE)
		err = sq_map_rc(rc, w->db);
	sqlite3_finalize(q);
	return sq_wend(st, err);
}

#define UNIT_COLS                                                                        \
	"u.id, u.name, u.kind, u.grid_code, u.org_path, u.address, u.contact, u.phone, " \
	"u.created_at FROM units u "

static void read_unit(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct unit *u = item;
	u->id = sqlite3_column_int64(q, 0);
	u->name = sq_col_text(a, q, 1);
	u->kind = sq_col_text(a, q, 2);
	u->grid_code = sq_col_text(a, q, 3);
	u->org_path = sq_col_text(a, q, 4);
	u->address = sq_col_text(a, q, 5);
	u->contact = sq_col_text(a, q, 6);
	u->phone = sq_col_text(a, q, 7);
	u->created_at = sqlite3_column_int64(q, 8);
}

int store_unit_list(struct store *st, struct arena *a, const struct scope *sc, const char *path,
		    struct unit **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(c,
			     "SELECT " UNIT_COLS
			     "WHERE " SCOPE_SQL("u.org_path", "?1", "?2") " AND " SCOPE_SQL(
				     "u.org_path", "?3", "?4") " ORDER BY u.id",
			     &q);
	if (!err) {
		sq_bind_scope(a, q, 1, sc);
		sq_bind_range(a, q, 3, path);
		err = sq_collect(a, q, sizeof(**out), read_unit, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

int store_unit_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
		   struct unit *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(
		c, "SELECT " UNIT_COLS "WHERE u.id = ?3 AND " SCOPE_SQL("u.org_path", "?1", "?2"),
		&q);
	if (!err) {
		sq_bind_scope(a, q, 1, sc);
		sqlite3_bind_int64(q, 3, id);
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			read_unit(a, q, out);
		else
			err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

int store_unit_incidents(struct store *st, const char *org_path, long long from, long long to,
			 long long *count)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(c,
			     "SELECT count(*) FROM events WHERE org_path = ?1 AND urgency = 3 AND "
			     "created_at >= ?2 AND created_at < ?3 AND state NOT IN ('rejected', "
			     "'merged', 'voided')",
			     &q);
	if (!err) {
		bind_text(q, 1, org_path);
		sqlite3_bind_int64(q, 2, from);
		sqlite3_bind_int64(q, 3, to);
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			*count = sqlite3_column_int64(q, 0);
		else
			err = sq_map_rc(rc, c->db);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

static int add_change(struct conn *w, long long id, long long user_id, long long at,
		      const char *from, const char *to, const char *note)
{
	sqlite3_stmt *q;
	int err = sq_prepare(
		w,
		"INSERT INTO designation_changes (designation_id, user_id, at, from_status, "
		"to_status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		&q);
	if (err)
		return err;
	sqlite3_bind_int64(q, 1, id);
	if (user_id)
		sqlite3_bind_int64(q, 2, user_id);
	sqlite3_bind_int64(q, 3, at);
	bind_text(q, 4, from);
	bind_text(q, 5, to);
	bind_text(q, 6, note);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db);
}

int store_designation_add(struct store *st, struct designation *d)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(
		     w,
		     "INSERT INTO designations (unit_id, status, how, check_result, created_by, "
		     "created_at, note) VALUES (?1, 'applied', ?2, ?3, ?4, ?5, ?6)",
		     &q)))
		return sq_wend(st, err);
	sqlite3_bind_int64(q, 1, d->unit_id);
	bind_text(q, 2, d->how);
	bind_text(q, 3, d->check_result);
	if (d->created_by)
		sqlite3_bind_int64(q, 4, d->created_by);
	sqlite3_bind_int64(q, 5, d->created_at);
	bind_text(q, 6, d->note);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	d->id = sqlite3_last_insert_rowid(w->db);
	d->status = "applied";
	return sq_wend(st,
		       add_change(w, d->id, d->created_by, d->created_at, "", "applied", d->note));
}

#define DES_COLS                                                                                  \
	"d.id, d.unit_id, u.name, u.grid_code, u.org_path, d.status, d.how, d.check_result, "     \
	"d.note, coalesce(d.valid_from, 0), coalesce(d.valid_to, 0), coalesce(d.created_by, 0), " \
	"d.created_at, coalesce(d.decided_by, 0), coalesce(d.decided_at, 0) "                     \
	"FROM designations d JOIN units u ON u.id = d.unit_id "

static void read_des(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct designation *d = item;
	d->id = sqlite3_column_int64(q, 0);
	d->unit_id = sqlite3_column_int64(q, 1);
	d->unit_name = sq_col_text(a, q, 2);
	d->grid_code = sq_col_text(a, q, 3);
	d->org_path = sq_col_text(a, q, 4);
	d->status = sq_col_text(a, q, 5);
	d->how = sq_col_text(a, q, 6);
	d->check_result = sq_col_text(a, q, 7);
	d->note = sq_col_text(a, q, 8);
	d->valid_from = sqlite3_column_int64(q, 9);
	d->valid_to = sqlite3_column_int64(q, 10);
	d->created_by = sqlite3_column_int64(q, 11);
	d->created_at = sqlite3_column_int64(q, 12);
	d->decided_by = sqlite3_column_int64(q, 13);
	d->decided_at = sqlite3_column_int64(q, 14);
}

int store_designation_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
			  struct designation *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(
		c, "SELECT " DES_COLS "WHERE d.id = ?3 AND " SCOPE_SQL("u.org_path", "?1", "?2"),
		&q);
	if (!err) {
		sq_bind_scope(a, q, 1, sc);
		sqlite3_bind_int64(q, 3, id);
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			read_des(a, q, out);
		else
			err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

int store_designation_list(struct store *st, struct arena *a, const struct scope *sc,
			   long long unit_id, const char *status, struct designation **out,
			   size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(
		c,
		"SELECT " DES_COLS "WHERE " SCOPE_SQL(
			"u.org_path", "?1",
			"?2") " AND (?3 = 0 OR d.unit_id = ?3) AND (?4 IS NULL OR d.status "
			      "= ?4) ORDER BY d.id DESC",
		&q);
	if (!err) {
		sq_bind_scope(a, q, 1, sc);
		sqlite3_bind_int64(q, 3, unit_id);
		if (status)
			sqlite3_bind_text(q, 4, status, -1, SQLITE_TRANSIENT);
		err = sq_collect(a, q, sizeof(**out), read_des, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

int store_designation_move(struct store *st, long long id, const char *from, const char *to,
			   long long user_id, long long now, long long valid_from,
			   long long valid_to, const char *check_result, const char *note)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(
		     w,
		     "UPDATE designations SET status = ?3, decided_by = ?4, decided_at = ?5, "
		     "valid_from = coalesce(nullif(?6, 0), valid_from), valid_to = "
		     "coalesce(nullif(?7, 0), valid_to), check_result = coalesce(?8, "
		     "check_result), note = ?9 WHERE id = ?1 AND status = ?2",
		     &q)))
		return sq_wend(st, err);
	sqlite3_bind_int64(q, 1, id);
	bind_text(q, 2, from);
	bind_text(q, 3, to);
	sqlite3_bind_int64(q, 4, user_id);
	sqlite3_bind_int64(q, 5, now);
	sqlite3_bind_int64(q, 6, valid_from);
	sqlite3_bind_int64(q, 7, valid_to);
	if (check_result)
		sqlite3_bind_text(q, 8, check_result, -1, SQLITE_TRANSIENT);
	bind_text(q, 9, note);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	if (sqlite3_changes(w->db) == 0)
		return sq_wend(st, ERR_CONFLICT);
	return sq_wend(st, add_change(w, id, user_id, now, from, to, note));
}

static void read_change(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct designation_change *x = item;
	x->at = sqlite3_column_int64(q, 0);
	x->user_id = sqlite3_column_int64(q, 1);
	x->user = sq_col_text(a, q, 2);
	x->from = sq_col_text(a, q, 3);
	x->to = sq_col_text(a, q, 4);
	x->note = sq_col_text(a, q, 5);
}

int store_designation_history(struct store *st, struct arena *a, const struct scope *sc,
			      long long id, struct designation_change **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(
		c,
		"SELECT h.at, coalesce(h.user_id, 0), coalesce(u.username, 'system'), "
		"h.from_status, h.to_status, h.note FROM designation_changes h LEFT JOIN "
		"users u ON u.id = h.user_id WHERE h.designation_id = ?1 AND EXISTS (SELECT 1 "
		"FROM designations d JOIN units n ON n.id = d.unit_id WHERE d.id = ?1 "
		"AND " SCOPE_SQL("n.org_path", "?2", "?3") ") ORDER BY h.id",
		&q);
	if (!err) {
		sqlite3_bind_int64(q, 1, id);
		sq_bind_scope(a, q, 2, sc);
		err = sq_collect(a, q, sizeof(**out), read_change, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}
