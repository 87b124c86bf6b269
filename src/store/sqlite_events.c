/*
 * sqlite_events.c - categories and events in SQLite; see store.h.
 *
 * States are stored by name (readable in the database and stable if the
 * enum is reordered). The version column makes updates optimistic: an
 * UPDATE ... WHERE version = expected that changes no row means someone
 * else's transition won. Search uses the FTS5 trigram index, which matches
 * any substring of three or more characters, Chinese included.
 */
#include "store/sqlite_internal.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- categories --- */

#define CAT_COLS                                                                               \
	"code, coalesce(parent_code, ''), name, name_en, department, register_s, dispatch_s, " \
	"accept_s, handle_s, verify_s, close_s, handle_urgent_s, handle_critical_s, enabled, " \
	"register_urgent_s, dispatch_urgent_s, accept_urgent_s, verify_urgent_s, "             \
	"close_urgent_s, register_critical_s, dispatch_critical_s, accept_critical_s, "        \
	"verify_critical_s, close_critical_s"

/* the stages whose urgent and critical deadlines follow `enabled` in CAT_COLS
 * (migration 0018), in order; the handling stage's come before it */
static const enum wf_stage cat_more[] = { WF_STAGE_REGISTER, WF_STAGE_DISPATCH, WF_STAGE_ACCEPT,
					  WF_STAGE_VERIFY, WF_STAGE_CLOSE };
#define NMORE ((int)(sizeof(cat_more) / sizeof(cat_more[0])))

static void read_category(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct category *c = item;
	memset(c, 0, sizeof(*c));
	str_copy(c->code, sizeof(c->code), (const char *)sqlite3_column_text(q, 0));
	str_copy(c->parent, sizeof(c->parent), (const char *)sqlite3_column_text(q, 1));
	c->name = sq_col_text(a, q, 2);
	c->name_en = sq_col_text(a, q, 3);
	str_copy(c->department, sizeof(c->department), (const char *)sqlite3_column_text(q, 4));
	c->stage_s[WF_STAGE_REGISTER] = sqlite3_column_int64(q, 5);
	c->stage_s[WF_STAGE_DISPATCH] = sqlite3_column_int64(q, 6);
	c->stage_s[WF_STAGE_ACCEPT] = sqlite3_column_int64(q, 7);
	c->stage_s[WF_STAGE_HANDLE] = sqlite3_column_int64(q, 8);
	c->stage_s[WF_STAGE_VERIFY] = sqlite3_column_int64(q, 9);
	c->stage_s[WF_STAGE_CLOSE] = sqlite3_column_int64(q, 10);
	c->urgent_s[WF_STAGE_HANDLE] = sqlite3_column_int64(q, 11);
	c->critical_s[WF_STAGE_HANDLE] = sqlite3_column_int64(q, 12);
	c->enabled = sqlite3_column_int(q, 13) != 0;
	for (int i = 0; i < NMORE; i++) {
		c->urgent_s[cat_more[i]] = sqlite3_column_int64(q, 14 + i);
		c->critical_s[cat_more[i]] = sqlite3_column_int64(q, 14 + NMORE + i);
	}
}

int store_category_put(struct store *st, const struct category *c)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(
		w,
		"INSERT OR REPLACE INTO categories (code, parent_code, name, name_en, department, "
		"register_s, dispatch_s, accept_s, handle_s, verify_s, close_s, "
		"handle_urgent_s, handle_critical_s, enabled, updated_at, register_urgent_s, "
		"dispatch_urgent_s, accept_urgent_s, verify_urgent_s, close_urgent_s, "
		"register_critical_s, dispatch_critical_s, accept_critical_s, verify_critical_s, "
		"close_critical_s) "
		"VALUES (?1, nullif(?2, ''), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
		"?12, ?13, ?14, strftime('%s', 'now'), ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
		"?23, ?24)");
	sqlite3_bind_text(q, 1, c->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, c->parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->name_en ? c->name_en : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, c->department, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, c->stage_s[WF_STAGE_REGISTER]);
	sqlite3_bind_int64(q, 7, c->stage_s[WF_STAGE_DISPATCH]);
	sqlite3_bind_int64(q, 8, c->stage_s[WF_STAGE_ACCEPT]);
	sqlite3_bind_int64(q, 9, c->stage_s[WF_STAGE_HANDLE]);
	sqlite3_bind_int64(q, 10, c->stage_s[WF_STAGE_VERIFY]);
	sqlite3_bind_int64(q, 11, c->stage_s[WF_STAGE_CLOSE]);
	sqlite3_bind_int64(q, 12, c->urgent_s[WF_STAGE_HANDLE]);
	sqlite3_bind_int64(q, 13, c->critical_s[WF_STAGE_HANDLE]);
	sqlite3_bind_int(q, 14, c->enabled);
	for (int i = 0; i < NMORE; i++) {
		sqlite3_bind_int64(q, 15 + i, c->urgent_s[cat_more[i]]);
		sqlite3_bind_int64(q, 15 + NMORE + i, c->critical_s[cat_more[i]]);
	}
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_category_get(struct store *st, struct arena *a, const char *code, struct category *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " CAT_COLS " FROM categories WHERE code = ?1");
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_category(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_category_list(struct store *st, struct arena *a, struct category **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT " CAT_COLS " FROM categories ORDER BY length(code), code");
	void *items;
	int err = sq_collect(a, q, sizeof(struct category), read_category, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

/* --- events --- */

#define EV_COLS                                                                                  \
	"id, receipt, category, urgency, title, description, address, lon, lat, "                \
	"coalesce(grid_code, ''), org_path, outside, source, coalesce(reporter_id, 0), state, "  \
	"version, assignee, level, reworks, supervisions, pending, ext_days, stage_started_at, " \
	"coalesce(deadline_at, 0), paused_left, warn, coalesce(merged_into, 0), "                \
	"coalesce(rating, 0), created_at, updated_at, coalesce(closed_at, 0), "                  \
	"coalesce(warn_at, 0), coalesce(escalate_at, 0), stage_total"

static void read_event(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct event *e = item;
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(q, 0);
	e->receipt = sq_col_text(a, q, 1);
	e->category = sq_col_text(a, q, 2);
	e->urgency = sqlite3_column_int(q, 3);
	e->title = sq_col_text(a, q, 4);
	e->description = sq_col_text(a, q, 5);
	e->address = sq_col_text(a, q, 6);
	e->has_point = sqlite3_column_type(q, 7) != SQLITE_NULL;
	e->lon = sqlite3_column_double(q, 7);
	e->lat = sqlite3_column_double(q, 8);
	e->grid_code = sq_col_text(a, q, 9);
	e->org_path = sq_col_text(a, q, 10);
	e->outside = sqlite3_column_int(q, 11) != 0;
	e->source = sq_col_text(a, q, 12);
	e->reporter_id = sqlite3_column_int64(q, 13);
	int s = wf_state_parse(&wf_event, (const char *)sqlite3_column_text(q, 14));
	e->state = s < 0 ? EV_REPORTED : s;
	e->version = sqlite3_column_int(q, 15);
	e->assignee = sq_col_text(a, q, 16);
	e->level = sqlite3_column_int(q, 17);
	e->reworks = sqlite3_column_int(q, 18);
	e->supervisions = sqlite3_column_int(q, 19);
	e->pending = (unsigned)sqlite3_column_int(q, 20);
	e->ext_days = sqlite3_column_int(q, 21);
	e->stage_started_at = sqlite3_column_int64(q, 22);
	e->deadline_at = sqlite3_column_int64(q, 23);
	e->paused_left = sqlite3_column_int64(q, 24);
	e->warn = sqlite3_column_int(q, 25);
	e->merged_into = sqlite3_column_int64(q, 26);
	e->rating = sqlite3_column_int(q, 27);
	e->created_at = sqlite3_column_int64(q, 28);
	e->updated_at = sqlite3_column_int64(q, 29);
	e->closed_at = sqlite3_column_int64(q, 30);
	e->warn_at = sqlite3_column_int64(q, 31);
	e->escalate_at = sqlite3_column_int64(q, 32);
	e->stage_total = sqlite3_column_int64(q, 33);
}

static void bind_null_or(sqlite3_stmt *q, int i, long long v)
{
	if (v)
		sqlite3_bind_int64(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

static int insert_action(struct conn *w, long long event_id, const struct event_action *act)
{
	sqlite3_stmt *q = sq_prep(
		w, "INSERT INTO event_actions (event_id, at, actor_id, actor, action, "
		   "from_state, to_state, note, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	sqlite3_bind_int64(q, 1, event_id);
	sqlite3_bind_int64(q, 2, act->at);
	bind_null_or(q, 3, act->actor_id);
	sqlite3_bind_text(q, 4, act->actor ? act->actor : "system", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, act->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, act->from ? act->from : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, act->to ? act->to : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, act->note ? act->note : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, act->data ? act->data : "{}", -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db);
}

/* The actor's uploads to the event that no step has taken yet go with the
 * step just inserted: the handler's photos with their `handle`. */
static int claim_attachments(struct conn *w, long long event_id, long long actor_id)
{
	long long step = sqlite3_last_insert_rowid(w->db);
	sqlite3_stmt *q = sq_prep(w, "UPDATE attachments SET action_id = ?1 WHERE event_id = ?2 "
				     "AND action_id IS NULL AND uploaded_by = ?3");
	sqlite3_bind_int64(q, 1, step);
	sqlite3_bind_int64(q, 2, event_id);
	sqlite3_bind_int64(q, 3, actor_id);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db);
}

/* The map cell of a point (migrations/0011_hot_paths.sql): rows and columns
 * of 0.001 degree from (-90, -180). */
#define CELL_COLS 360000LL

static long long cell_row(double lat)
{
	return (long long)((lat + 90) * 1000);
}

static long long cell_col(double lon)
{
	return (long long)((lon + 180) * 1000);
}

int store_event_insert(struct store *st, struct event *e, const struct event_action *first)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(
		w, "INSERT INTO events (receipt, category, urgency, title, description, "
		   "address, lon, lat, grid_code, org_path, outside, source, reporter_id, state, "
		   "assignee, stage_started_at, deadline_at, created_at, updated_at, warn_at, "
		   "escalate_at, stage_total, cell) VALUES "
		   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, ''), ?10, ?11, ?12, ?13, ?14, "
		   "?15, ?16, ?17, ?18, ?18, ?19, ?20, ?21, ?22)");
	sqlite3_bind_text(q, 1, e->receipt, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, e->category, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, e->urgency);
	sqlite3_bind_text(q, 4, e->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, e->description ? e->description : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, e->address ? e->address : "", -1, SQLITE_STATIC);
	if (e->has_point) {
		sqlite3_bind_double(q, 7, e->lon);
		sqlite3_bind_double(q, 8, e->lat);
		sqlite3_bind_int64(q, 22, cell_row(e->lat) * CELL_COLS + cell_col(e->lon));
	}
	sqlite3_bind_text(q, 9, e->grid_code ? e->grid_code : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 10, e->org_path, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 11, e->outside);
	sqlite3_bind_text(q, 12, e->source, -1, SQLITE_STATIC);
	bind_null_or(q, 13, e->reporter_id);
	sqlite3_bind_text(q, 14, wf_state_name(&wf_event, e->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 15, e->assignee ? e->assignee : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 16, e->stage_started_at);
	bind_null_or(q, 17, e->deadline_at);
	sqlite3_bind_int64(q, 18, e->created_at);
	bind_null_or(q, 19, e->warn_at);
	bind_null_or(q, 20, e->escalate_at);
	sqlite3_bind_int64(q, 21, e->stage_total);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	e->id = sqlite3_last_insert_rowid(w->db);
	e->version = 1;
	if (!(err = insert_action(w, e->id, first)))
		err = sq_audit_event(st, e->id, first); /* every transition is audited */
	return sq_wend(st, err);
}

int store_event_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
		    struct event *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " EV_COLS " FROM events WHERE id = ?1 AND (" SCOPE_SQL(
					     "org_path", "?2", "?3") " OR reporter_id = ?4)");
	sqlite3_bind_int64(q, 1, id);
	sq_bind_scope(a, q, 2, sc);
	if (authz_scope_self(sc))
		sqlite3_bind_int64(q, 4, authz_scope_self(sc));
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_event(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_event_update(struct store *st, const struct event *e, int expected,
		       const struct event_action *act)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(
		w, "UPDATE events SET state = ?3, version = version + 1, assignee = ?4, "
		   "level = ?5, reworks = ?6, supervisions = ?7, pending = ?8, ext_days = ?9, "
		   "stage_started_at = ?10, deadline_at = ?11, paused_left = ?12, warn = ?13, "
		   "merged_into = ?14, rating = ?15, updated_at = ?16, closed_at = ?17, "
		   "warn_at = ?18, escalate_at = ?19, stage_total = ?20 WHERE id = ?1 AND version "
		   "= ?2");
	sqlite3_bind_int64(q, 1, e->id);
	sqlite3_bind_int(q, 2, expected);
	sqlite3_bind_text(q, 3, wf_state_name(&wf_event, e->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, e->assignee ? e->assignee : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, e->level);
	sqlite3_bind_int(q, 6, e->reworks);
	sqlite3_bind_int(q, 7, e->supervisions);
	sqlite3_bind_int(q, 8, (int)e->pending);
	sqlite3_bind_int(q, 9, e->ext_days);
	sqlite3_bind_int64(q, 10, e->stage_started_at);
	bind_null_or(q, 11, e->deadline_at);
	sqlite3_bind_int64(q, 12, e->paused_left);
	sqlite3_bind_int(q, 13, e->warn);
	bind_null_or(q, 14, e->merged_into);
	if (e->rating)
		sqlite3_bind_int(q, 15, e->rating);
	sqlite3_bind_int64(q, 16, e->updated_at);
	bind_null_or(q, 17, e->closed_at);
	bind_null_or(q, 18, e->warn_at);
	bind_null_or(q, 19, e->escalate_at);
	sqlite3_bind_int64(q, 20, e->stage_total);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	if (sqlite3_changes(w->db) == 0)
		return sq_wend(st, ERR_CONFLICT);
	if (act && !(err = insert_action(w, e->id, act)) && act->actor_id)
		err = claim_attachments(w, e->id, act->actor_id);
	if (act && !err)
		err = sq_audit_event(st, e->id, act); /* every transition is audited */
	return sq_wend(st, err);
}

/* Appends "AND <cond>" and remembers a text parameter for it. */
struct where {
	struct strbuf sql;
	const char *text[32];
	long long num[32];
	int kind[32]; /* 0 text, 1 number */
	int n;
};

/* adds " AND cond", where '#' in cond stands for this parameter's ?N */
static void add_cond(struct where *w, const char *cond)
{
	strbuf_addstr(&w->sql, " AND ");
	for (const char *c = cond; *c; c++) {
		if (*c == '#')
			strbuf_addf(&w->sql, "?%d", w->n + 1);
		else
			strbuf_add(&w->sql, c, 1);
	}
}

static void cond_text(struct where *w, const char *cond, const char *v)
{
	add_cond(w, cond);
	w->text[w->n] = v;
	w->kind[w->n++] = 0;
}

static void cond_num(struct where *w, const char *cond, long long v)
{
	add_cond(w, cond);
	w->num[w->n] = v;
	w->kind[w->n++] = 1;
}

static void bind_where(sqlite3_stmt *q, const struct where *w)
{
	for (int i = 0; i < w->n; i++) {
		if (w->kind[i])
			sqlite3_bind_int64(q, i + 1, w->num[i]);
		else
			sqlite3_bind_text(q, i + 1, w->text[i], -1, SQLITE_TRANSIENT);
	}
}

/* AND e.state IN (?, ?, ...): one parameter a state, so an index serves it */
static void add_states(struct where *w, struct arena *a, const char *states)
{
	char *copy = arena_strdup(a, states), *save = NULL;
	strbuf_addstr(&w->sql, " AND e.state IN (");
	int k = 0;
	for (char *t = strtok_r(copy, ",", &save); t && w->n < 14; t = strtok_r(NULL, ",", &save)) {
		strbuf_addf(&w->sql, "%s?%d", k++ ? ", " : "", w->n + 1);
		w->text[w->n] = t;
		w->kind[w->n++] = 0;
	}
	strbuf_addstr(&w->sql, k ? ")" : "NULL)");
}

/* AND e.id IN (events whose reporter's blind index is one of f->bidx) */
static void add_bidx(struct where *w, const struct event_filter *f)
{
	const char *col = !strcmp(f->bidx_col, "id_no_bidx") ? "id_no_bidx" : "phone_bidx";
	strbuf_addf(&w->sql, " AND e.id IN (SELECT event_id FROM event_personal WHERE %s IN (",
		    col);
	for (int i = 0; i < f->nbidx && i < 4; i++) {
		strbuf_addf(&w->sql, "%s?%d", i ? ", " : "", w->n + 1);
		w->text[w->n] = f->bidx[i];
		w->kind[w->n++] = 0;
	}
	strbuf_addstr(&w->sql, "))");
}

static char *range_end(struct arena *a, const char *path)
{
	size_t n = strlen(path);
	char *hi = arena_strdup(a, path);
	if (n)
		hi[n - 1] = '0';
	return hi;
}

static int count_where(struct conn *c, struct where *w, long long *out)
{
	sqlite3_stmt *q = sq_prep_text(c, strbuf_str(&w->sql));
	if (!q)
		return ERR_DB;
	bind_where(q, w);
	int rc = sqlite3_step(q);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : ERR_DB;
}

/* When the filter is only place and state, the total comes from the roll-up
 * (a few rows a grid) plus the caller's own reports outside their scope. */
static int rollup_total(struct conn *c, struct arena *a, const struct scope *sc,
			const struct event_filter *f, long long *total)
{
	const char *path = NULL, *lo, *hi;
	bool limited = authz_scope_range(a, sc, &lo, &hi);
	if (f->org) {
		sqlite3_stmt *q = sq_prep(c, "SELECT path FROM orgs WHERE code = ?1");
		sqlite3_bind_text(q, 1, f->org, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			path = sq_col_text(a, q, 0);
		sqlite3_reset(q);
		if (!path) {
			*total = 0;
			return 0;
		}
	} else if (limited) {
		path = lo;
	}
	struct where w = { .n = 0 };
	strbuf_init(&w.sql, 0);
	strbuf_addstr(&w.sql, "SELECT coalesce(sum(n), 0) FROM event_counts e WHERE 1");
	if (path) {
		cond_text(&w, "e.org_path >= #", path);
		cond_text(&w, "e.org_path < #", range_end(a, path));
	}
	if (f->states && *f->states)
		add_states(&w, a, f->states);
	long long inside = 0, own = 0;
	int err = count_where(c, &w, &inside);
	strbuf_release(&w.sql);
	if (!err && limited && authz_scope_self(sc)) {
		struct where o = { .n = 0 };
		strbuf_init(&o.sql, 0);
		strbuf_addstr(&o.sql, "SELECT count(*) FROM events e WHERE 1");
		cond_num(&o, "e.reporter_id = #", authz_scope_self(sc));
		cond_text(&o, "NOT (e.org_path >= #", lo);
		cond_text(&o, "e.org_path < #)", hi);
		if (f->org) {
			cond_text(&o, "e.org_path >= #", path);
			cond_text(&o, "e.org_path < #", range_end(a, path));
		}
		if (f->states && *f->states)
			add_states(&o, a, f->states);
		err = count_where(c, &o, &own);
		strbuf_release(&o.sql);
	}
	*total = inside + own;
	return err;
}

/*
 * A list page's total from the roll-ups reads a row per grid and state of
 * the scope (some 600 for a street); the same total is asked for on every
 * page until the next commit, so it is kept until then. Writes by another
 * process (an import at the machine) show at the server's next commit.
 */
static int cached_total(struct store *st, struct conn *c, struct arena *a, const struct scope *sc,
			const struct event_filter *f, long long *total)
{
	const char *lo, *hi;
	char *key = arena_printf(a, "%s|%s|%s|%lld", authz_scope_range(a, sc, &lo, &hi) ? lo : "*",
				 f->org ? f->org : "", f->states ? f->states : "",
				 authz_scope_self(sc));
	unsigned long long now = atomic_load(&st->commits);
	size_t n = sizeof(st->totals) / sizeof(st->totals[0]);
	pthread_mutex_lock(&st->totals_lock);
	for (size_t i = 0; i < n; i++) {
		if (st->totals[i].key && st->totals[i].commits == now &&
		    !strcmp(st->totals[i].key, key)) {
			*total = st->totals[i].total;
			pthread_mutex_unlock(&st->totals_lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&st->totals_lock);
	int err = rollup_total(c, a, sc, f, total);
	if (err)
		return err;
	pthread_mutex_lock(&st->totals_lock);
	size_t k = st->totals_next++ % n;
	free(st->totals[k].key);
	st->totals[k].key = xstrdup(key);
	st->totals[k].commits = now;
	st->totals[k].total = *total;
	pthread_mutex_unlock(&st->totals_lock);
	return 0;
}

/* Row `id` at `version` through the probe: the caller's rendering, or read
 * in full by id (inside the statement that listed it, so from the same
 * snapshot of the database). */
static int read_probed(struct conn *c, struct arena *a, const struct event_probe *probe,
		       long long id, int version, struct event *out)
{
	size_t len;
	const char *json = probe ? probe->get(probe->ctx, a, id, version, &len) : NULL;
	if (json) {
		memset(out, 0, sizeof(*out));
		out->id = id;
		out->version = version;
		out->cached = json;
		out->cached_len = len;
		return 0;
	}
	sqlite3_stmt *q = sq_prep(c, "SELECT " EV_COLS " FROM events WHERE id = ?1");
	sqlite3_bind_int64(q, 1, id);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_event(a, q, out);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
}

/* A search's two halves (store_event_list), over the filters in w->sql
 * ("FROM events e WHERE 1 AND ..."): the events the index has not taken
 * yet, matched by LIKE (parameter ?l), and the index's matches (the phrase,
 * ?m), read from the index outward so that ORDER BY its rowid walks it in
 * order; `before` (a parameter, or 0) bounds the index's rowids too. */
static const char *fts_tail(struct arena *a, const struct where *w, int l)
{
	return arena_printf(a,
			    "%s AND e.id > (SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
			    "'fts_max_id') AND (e.title LIKE ?%d ESCAPE '\\' OR e.description "
			    "LIKE ?%d ESCAPE '\\' OR e.address LIKE ?%d ESCAPE '\\')",
			    strbuf_str(&w->sql), l, l, l);
}

static const char *fts_index(struct arena *a, const struct where *w, int m, int before)
{
	static const char head[] = "FROM events e WHERE 1";
	const char *conds = strbuf_str(&w->sql) + sizeof(head) - 1;
	char bound[48] = "";
	if (before)
		snprintf(bound, sizeof(bound), " AND events_fts.rowid < ?%d", before);
	return arena_printf(a,
			    "FROM events_fts CROSS JOIN events e ON e.id = events_fts.rowid "
			    "WHERE events_fts MATCH ?%d%s%s",
			    m, bound, conds);
}

int store_event_list(struct store *st, struct arena *a, const struct scope *sc,
		     const struct event_filter *f, struct event **out, size_t *n, long long *total)
{
	struct where w = { .n = 0 };
	strbuf_init(&w.sql, 0);
	strbuf_addstr(&w.sql, "FROM events e WHERE 1");
	int fts_m = 0, fts_l = 0; /* a search through the index: its parameters */
	const char *lo, *hi;
	if (authz_scope_range(a, sc, &lo, &hi)) {
		/* the scope, or what the user reported themselves */
		/* a wide scope (district, street) holds a good share of all events:
		 * walking the ids newest first finds a page sooner than gathering
		 * the scope's ids through the indexes and sorting them, so the '+'
		 * keeps the planner off those indexes; a narrow scope uses them */
		int depth = 0;
		for (const char *p = lo; *p; p++)
			depth += *p == '/';
		const char *plus = depth <= 3 ? "+" : "";
		strbuf_addf(&w.sql,
			    " AND ((%se.org_path >= ?%d AND %se.org_path < ?%d) OR %se.reporter_id "
			    "= ?%d)",
			    plus, w.n + 1, plus, w.n + 2, plus, w.n + 3);
		w.text[w.n] = lo;
		w.kind[w.n++] = 0;
		w.text[w.n] = hi;
		w.kind[w.n++] = 0;
		w.num[w.n] = authz_scope_self(sc) ? authz_scope_self(sc) : -1;
		w.kind[w.n++] = 1;
	}
	if (f->org) {
		/* the org's path, inside the scope, bounds the range */
		cond_text(&w, "e.org_path >= (SELECT path FROM orgs WHERE code = #)", f->org);
		cond_text(&w,
			  "e.org_path < (SELECT substr(path, 1, length(path) - 1) || '0' FROM orgs "
			  "WHERE code = #)",
			  f->org);
	}
	if (f->states && *f->states)
		add_states(&w, a, f->states);
	if (f->sources && *f->sources)
		cond_text(&w, "instr(',' || # || ',', ',' || e.source || ',') > 0", f->sources);
	if (f->category && *f->category) {
		char *prefix = arena_printf(a, "%s%%", f->category);
		cond_text(&w, "e.category LIKE #", prefix);
	}
	if (f->bidx_col && f->nbidx > 0)
		add_bidx(&w, f);
	if (f->grid && *f->grid)
		cond_text(&w, "e.grid_code = #", f->grid);
	if (f->assignee && *f->assignee)
		cond_text(&w, "e.assignee = #", f->assignee);
	if (f->urgency)
		cond_num(&w, "e.urgency = #", f->urgency);
	if (f->from)
		cond_num(&w, "e.created_at >= #", f->from);
	if (f->to)
		cond_num(&w, "e.created_at < #", f->to);
	if (f->overdue == 1)
		cond_num(&w, "e.warn >= #", 2);
	else if (f->overdue == 2)
		cond_num(&w, "e.warn < #", 2);
	if (f->q && *f->q) {
		/* the text as a LIKE pattern: anywhere in title, description or address */
		struct strbuf p = STRBUF_INIT;
		strbuf_addstr(&p, "%");
		for (const char *c = f->q; *c; c++) {
			if (*c == '%' || *c == '_' || *c == '\\')
				strbuf_addstr(&p, "\\");
			strbuf_add(&p, c, 1);
		}
		strbuf_addstr(&p, "%");
		const char *like = arena_strdup(a, strbuf_str(&p));
		strbuf_release(&p);
#define LIKE_TEXT(P)                                                                  \
	"(e.title LIKE " P " ESCAPE '\\' OR e.description LIKE " P " ESCAPE '\\' OR " \
	"e.address LIKE " P " ESCAPE '\\')"
		if (str_utf8_len(f->q) < 3) {
			/* the trigram index needs three characters; two-character
			 * Chinese words (垃圾, 噪声) are common, so scan for them */
			cond_text(&w, LIKE_TEXT("#"), like);
		} else {
			/* a phrase query (quotes inside doubled) over the index, and
			 * a scan of the newest events it has not taken yet: the two
			 * are read apart, below (fts_m, fts_l: their parameters) */
			strbuf_addstr(&p, "\"");
			for (const char *c = f->q; *c; c++)
				strbuf_add(&p, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
			strbuf_addstr(&p, "\"");
			w.text[w.n] = arena_strdup(a, strbuf_str(&p));
			w.kind[w.n++] = 0;
			fts_m = w.n;
			w.text[w.n] = like;
			w.kind[w.n++] = 0;
			fts_l = w.n;
			strbuf_release(&p);
		}
#undef LIKE_TEXT
	}
	struct conn *c = sq_racquire(st);
	int err = 0;
	/* a search reads the index and the events past it in two statements: one
	 * read transaction holds them to the same snapshot (the index may take a
	 * run of events between them otherwise) */
	bool own_tx = fts_m && sqlite3_get_autocommit(c->db);
	if (own_tx && (err = sq_exec(c, "BEGIN"))) {
		sq_rrelease(st, c);
		strbuf_release(&w.sql);
		return err;
	}
	/* statements built at run time are cached by their text (sq_prep_text) */
	/* the total is exact up to EVENT_TOTAL_CAP; past it the client is told
	 * "more than" (exact figures come from the roll-ups: /api/v1/stats) */
	sqlite3_stmt *q = NULL;
	bool rollup = !f->category && !f->grid && !f->assignee && !f->urgency && !f->from &&
		      !f->to && !f->overdue && !(f->q && *f->q) && !(f->sources && *f->sources) &&
		      !f->bidx_col;
	if (f->no_total) {
		*total = -1;
	} else if (rollup) {
		if ((err = cached_total(st, c, a, sc, f, total)))
			goto out;
	} else {
		char *count_sql =
			fts_m ? arena_printf(
					a,
					"SELECT (SELECT count(*) FROM (SELECT 1 %s LIMIT %d)) + "
					"(SELECT count(*) FROM (SELECT 1 %s LIMIT %d))",
					fts_tail(a, &w, fts_l), EVENT_TOTAL_CAP + 1,
					fts_index(a, &w, fts_m, 0), EVENT_TOTAL_CAP + 1)
			      : arena_printf(a, "SELECT count(*) FROM (SELECT 1 %s LIMIT %d)",
					     strbuf_str(&w.sql), EVENT_TOTAL_CAP + 1);
		if (!(q = sq_prep_text(c, count_sql))) {
			err = ERR_DB;
			goto out;
		}
		bind_where(q, &w);
		*total = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
		sqlite3_reset(q);
	}
	int before = 0;
	if (f->before_id) {
		cond_num(&w, "e.id < #", f->before_id);
		before = w.n;
	}
	/* with a probe, the page reads ids and versions, and in full only the
	 * rows the caller has no rendering of; a search reads the events past
	 * the index first (they are the newest), then the index newest first,
	 * walking it in rowid order so it stops at the page's end */
	int limit = f->limit > 0 ? f->limit : 50;
	const char *cols = f->probe ? "e.id, e.version" : EV_COLS;
	const char *sql[2] = { NULL, NULL };
	if (fts_m) {
		sql[0] = arena_printf(a, "SELECT %s %s ORDER BY e.id DESC LIMIT %d", cols,
				      fts_tail(a, &w, fts_l), limit);
		/* ids and versions only: the index shares column names with
		 * events; rows are then read as a probe's misses are */
		sql[1] = arena_printf(a,
				      "SELECT e.id, e.version %s ORDER BY events_fts.rowid DESC "
				      "LIMIT %d",
				      fts_index(a, &w, fts_m, before), limit);
	} else {
		sql[0] = arena_printf(a, "SELECT %s %s ORDER BY e.id DESC LIMIT %d", cols,
				      strbuf_str(&w.sql), limit);
	}
	size_t cap = 16, len = 0;
	struct event *v = arena_alloc(a, cap * sizeof(*v));
	for (int k = 0; k < 2 && sql[k] && !err && (int)len < limit; k++) {
		if (!(q = sq_prep_text(c, sql[k]))) {
			err = ERR_DB;
			break;
		}
		bind_where(q, &w);
		int rc = SQLITE_DONE;
		while ((int)len < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
			GROW(a, v, len, cap);
			if (!f->probe && k == 0)
				read_event(a, q, &v[len++]);
			else if ((err = read_probed(c, a, f->probe, sqlite3_column_int64(q, 0),
						    sqlite3_column_int(q, 1), &v[len++])))
				break;
		}
		if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
			err = sq_map_rc(rc, c->db);
		sqlite3_reset(q);
	}
	*out = v;
	*n = len;
out:
	if (own_tx)
		sq_exec(c, "COMMIT");
	sq_rrelease(st, c);
	strbuf_release(&w.sql);
	return err;
}

int store_event_actions(struct store *st, struct arena *a, const struct scope *sc, long long id,
			struct event_action **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT id, event_id, at, coalesce(actor_id, 0), actor, action, "
			   "from_state, to_state, note, data, (SELECT group_concat(t.id) FROM "
			   "attachments t WHERE t.event_id = a.event_id AND t.action_id = a.id) "
			   "FROM event_actions a WHERE event_id = ?1 "
			   "AND " EVENT_SCOPE_SQL("?1", "?2", "?3", "?4") " ORDER BY id");
	sqlite3_bind_int64(q, 1, id);
	sq_bind_event_scope(a, q, 2, sc);
	size_t cap = 16, len = 0;
	struct event_action *v = arena_alloc(a, cap * sizeof(*v));
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		GROW(a, v, len, cap);
		struct event_action *x = &v[len++];
		x->id = sqlite3_column_int64(q, 0);
		x->event_id = sqlite3_column_int64(q, 1);
		x->at = sqlite3_column_int64(q, 2);
		x->actor_id = sqlite3_column_int64(q, 3);
		x->actor = sq_col_text(a, q, 4);
		x->action = sq_col_text(a, q, 5);
		x->from = sq_col_text(a, q, 6);
		x->to = sq_col_text(a, q, 7);
		x->note = sq_col_text(a, q, 8);
		x->data = sq_col_text(a, q, 9);
		x->attachments = sq_col_text(a, q, 10);
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	*out = v;
	*n = len;
	return rc == SQLITE_DONE ? 0 : ERR_DB;
}

/* newest first: by report time, then id */
static int by_newest(const void *x, const void *y)
{
	const struct event *a = x, *b = y;
	if (a->created_at != b->created_at)
		return a->created_at < b->created_at ? 1 : -1;
	return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

int store_event_nearby(struct store *st, struct arena *a, const struct scope *sc,
		       const char *category, double minx, double miny, double maxx, double maxy,
		       long long since, const struct event_probe *probe, struct event **out,
		       size_t *n)
{
	/* A small box (50 m spans four to nine cells) is read cell by cell: with
	 * the cell fixed, the index reads only the window's reports however
	 * many older ones the cell holds. A large one is read a row of cells at
	 * a time. The rows found are read in id, version, point and time; only
	 * the newest twenty are then read in full (or taken from the probe),
	 * all in one read transaction. */
	long long r0 = cell_row(fmax(miny, -90)), r1 = cell_row(fmin(maxy, 89.9999));
	long long c0 = cell_col(fmax(minx, -180)), c1 = cell_col(fmin(maxx, 179.9999));
	size_t len = 0, cap = 16;
	struct event *all = arena_alloc(a, cap * sizeof(*all));
	int err = 0;
	if (r1 - r0 > 1000 || c1 < c0)
		r1 = r0 - 1; /* a box too large to be a neighbourhood finds nothing */
	bool by_cell = (r1 - r0 + 1) * (c1 - c0 + 1) <= 64;
	struct conn *c = sq_racquire(st);
	/* the writer, when the caller is inside a transaction: already one */
	bool own_tx = sqlite3_get_autocommit(c->db);
	if (own_tx && (err = sq_exec(c, "BEGIN"))) {
		sq_rrelease(st, c);
		return err;
	}
#define NEAR_SQL(CELLS)                                                             \
	"SELECT id, version, lon, lat, created_at FROM events WHERE category = ?1 " \
	"AND " CELLS " "                                                            \
	"AND created_at >= ?4 AND lon BETWEEN ?5 AND ?6 AND lat BETWEEN ?7 AND ?8 " \
	"AND state != 'closed' AND state != 'rejected' AND state != 'merged' "      \
	"AND state != 'voided' "                                                    \
	"AND (" SCOPE_SQL("org_path", "?9", "?10") " OR reporter_id = ?11)"
	/* a hot spot's cell may hold hundreds of open reports of the day: the
	 * newest twenty of each cell are enough for the newest twenty of all */
	sqlite3_stmt *q =
		by_cell ? sq_prep(c, NEAR_SQL("cell = ?2 AND ?3 = ?3") " ORDER BY "
								       "created_at DESC LIMIT 20")
			: sq_prep(c, NEAR_SQL("cell BETWEEN ?2 AND ?3"));
#undef NEAR_SQL
	for (long long row = r0; row <= r1 && !err; row++)
		for (long long col = c0; col <= (by_cell ? c1 : c0) && !err; col++) {
			sqlite3_reset(q);
			sqlite3_bind_text(q, 1, category, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 2, row * CELL_COLS + col);
			sqlite3_bind_int64(q, 3, row * CELL_COLS + (by_cell ? col : c1));
			sqlite3_bind_int64(q, 4, since);
			sqlite3_bind_double(q, 5, minx);
			sqlite3_bind_double(q, 6, maxx);
			sqlite3_bind_double(q, 7, miny);
			sqlite3_bind_double(q, 8, maxy);
			sq_bind_scope(a, q, 9, sc);
			if (authz_scope_self(sc))
				sqlite3_bind_int64(q, 11, authz_scope_self(sc));
			int rc;
			while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
				GROW(a, all, len, cap);
				struct event *e = &all[len++];
				memset(e, 0, sizeof(*e));
				e->id = sqlite3_column_int64(q, 0);
				e->version = sqlite3_column_int(q, 1);
				e->lon = sqlite3_column_double(q, 2);
				e->lat = sqlite3_column_double(q, 3);
				e->created_at = sqlite3_column_int64(q, 4);
			}
			if (rc != SQLITE_DONE)
				err = sq_map_rc(rc, c->db);
		}
	sqlite3_reset(q);
	/* the newest twenty, in full */
	if (len > 1)
		qsort(all, len, sizeof(*all), by_newest);
	if (len > 20)
		len = 20;
	for (size_t i = 0; i < len && !err; i++) {
		struct event lite = all[i];
		if (!(err = read_probed(c, a, probe, lite.id, lite.version, &all[i]))) {
			all[i].has_point = true;
			all[i].lon = lite.lon;
			all[i].lat = lite.lat;
			all[i].created_at = lite.created_at;
		}
	}
	if (own_tx)
		sq_exec(c, "COMMIT");
	sq_rrelease(st, c);
	*out = all;
	*n = err ? 0 : len;
	return err;
}

int store_event_due(struct store *st, struct arena *a, long long now, int limit, struct event **out,
		    size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT " EV_COLS " FROM events WHERE id IN ("
			   "SELECT id FROM events WHERE warn_at <= ?1 UNION "
			   "SELECT id FROM events WHERE deadline_at <= ?1 AND warn < 2 UNION "
			   "SELECT id FROM events WHERE escalate_at <= ?1) ORDER BY id LIMIT ?2");
	sqlite3_bind_int64(q, 1, now);
	sqlite3_bind_int(q, 2, limit);
	void *items;
	int err = sq_collect(a, q, sizeof(struct event), read_event, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

/* The bit number of a one-bit ROLE() mask. */
static int role_bit(unsigned role)
{
	int bit = 0;
	while (bit < ROLE__COUNT && !(role & (1u << bit)))
		bit++;
	return bit;
}

int store_notify_org(struct store *st, const char *org_code, unsigned role, unsigned unless,
		     const char *kind, long long event_id, const char *title, long long now,
		     int *count)
{
	if (count)
		*count = 0;
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q =
		sq_prep(w, "INSERT INTO notifications (user_id, kind, event_id, title, created_at) "
			   "SELECT u.id, ?3, nullif(?4, 0), ?5, ?6 FROM orgs o "
			   "JOIN users u ON u.org_id = o.id JOIN user_roles r ON r.user_id = u.id "
			   "WHERE o.code = ?1 AND u.disabled = 0 AND r.role = ?2 AND NOT EXISTS "
			   "(SELECT 1 FROM user_roles x WHERE x.user_id = u.id AND x.role = ?7)");
	sqlite3_bind_text(q, 1, org_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, role_name(role_bit(role)), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, event_id);
	sqlite3_bind_text(q, 5, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, now);
	if (unless)
		sqlite3_bind_text(q, 7, role_name(role_bit(unless)), -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 7);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE && count)
		*count = sqlite3_changes(w->db);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_inbox(struct store *st, struct arena *a, long long user_id, bool unread_only,
		long long before_id, int limit, struct notification **out, size_t *n,
		long long *unread)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(
		c, "SELECT count(*) FROM notifications WHERE user_id = ?1 AND read_at IS NULL");
	sqlite3_bind_int64(q, 1, user_id);
	*unread = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	q = sq_prep(
		c,
		"SELECT id, kind, coalesce(event_id, 0), title, created_at, coalesce(read_at, 0) "
		"FROM notifications WHERE user_id = ?1 AND (?2 = 0 OR read_at IS NULL) "
		"AND (?3 = 0 OR id < ?3) ORDER BY id DESC LIMIT ?4");
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_int(q, 2, unread_only);
	sqlite3_bind_int64(q, 3, before_id);
	sqlite3_bind_int(q, 4, limit);
	size_t cap = 16, len = 0;
	struct notification *v = arena_alloc(a, cap * sizeof(*v));
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		GROW(a, v, len, cap);
		struct notification *x = &v[len++];
		x->id = sqlite3_column_int64(q, 0);
		x->kind = sq_col_text(a, q, 1);
		x->event_id = sqlite3_column_int64(q, 2);
		x->title = sq_col_text(a, q, 3);
		x->created_at = sqlite3_column_int64(q, 4);
		x->read_at = sqlite3_column_int64(q, 5);
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	*out = v;
	*n = len;
	return rc == SQLITE_DONE ? 0 : ERR_DB;
}

int store_inbox_read(struct store *st, long long user_id, long long id, long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "UPDATE notifications SET read_at = ?3 WHERE user_id = ?1 "
				     "AND (?2 = 0 OR id = ?2) AND read_at IS NULL");
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_int64(q, 2, id);
	sqlite3_bind_int64(q, 3, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE && id && sqlite3_changes(w->db) == 0) {
		/* already read, or not theirs: tell the two apart */
		q = sq_prep(w, "SELECT 1 FROM notifications WHERE user_id = ?1 AND id = ?2");
		sqlite3_bind_int64(q, 1, user_id);
		sqlite3_bind_int64(q, 2, id);
		int found = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_reset(q);
		return sq_wend(st, found ? 0 : ERR_NOT_FOUND);
	}
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_notify_user(struct store *st, long long user_id, const char *kind, long long event_id,
		      const char *title, long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(
		w,
		"INSERT INTO notifications (user_id, kind, event_id, title, created_at) "
		"SELECT id, ?2, nullif(?3, 0), ?4, ?5 FROM users WHERE id = ?1 AND disabled = 0");
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, event_id);
	sqlite3_bind_text(q, 4, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_attachment_add(struct store *st, struct attachment *x)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q =
		/* a citizen's photo (no user) comes with the report */
		sq_prep(w,
			"INSERT INTO attachments (event_id, sha256, mime, size, uploaded_by, "
			"uploaded_at, action_id, sm3) VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), ?6, "
			"CASE WHEN ?5 = 0 THEN (SELECT min(id) FROM event_actions "
			"WHERE event_id = ?1) END, nullif(?7, ''))");
	sqlite3_bind_int64(q, 1, x->event_id);
	sqlite3_bind_text(q, 2, x->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, x->mime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, x->size);
	sqlite3_bind_int64(q, 5, x->uploaded_by);
	sqlite3_bind_int64(q, 6, x->uploaded_at);
	sqlite3_bind_text(q, 7, x->sm3, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		x->id = sqlite3_last_insert_rowid(w->db);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

static void read_attachment(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct attachment *x = item;
	x->id = sqlite3_column_int64(q, 0);
	x->event_id = sqlite3_column_int64(q, 1);
	str_copy(x->sha256, sizeof(x->sha256), (const char *)sqlite3_column_text(q, 2));
	x->mime = sq_col_text(a, q, 3);
	x->size = sqlite3_column_int64(q, 4);
	x->uploaded_by = sqlite3_column_int64(q, 5);
	x->action_id = sqlite3_column_int64(q, 7);
	str_copy(x->sm3, sizeof(x->sm3), (const char *)sqlite3_column_text(q, 8));
	x->uploaded_at = sqlite3_column_int64(q, 6);
}

#define ATT_COLS                                                                    \
	"id, event_id, sha256, mime, size, coalesce(uploaded_by, 0), uploaded_at, " \
	"coalesce(action_id, 0), coalesce(sm3, '')"

int store_attachment_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
			 struct attachment *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " ATT_COLS
				     " FROM attachments WHERE id = ?1 AND " EVENT_SCOPE_SQL(
					     "event_id", "?2", "?3", "?4"));
	sqlite3_bind_int64(q, 1, id);
	sq_bind_event_scope(a, q, 2, sc);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_attachment(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_attachment_list(struct store *st, struct arena *a, const struct scope *sc,
			  long long event_id, struct attachment **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " ATT_COLS
				     " FROM attachments WHERE event_id = ?1 AND " EVENT_SCOPE_SQL(
					     "?1", "?2", "?3", "?4") " ORDER BY id");
	sqlite3_bind_int64(q, 1, event_id);
	sq_bind_event_scope(a, q, 2, sc);
	void *items;
	int err = sq_collect(a, q, sizeof(struct attachment), read_attachment, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

int store_attachment_count_stage(struct store *st, long long event_id, int *count)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT count(*) FROM attachments a JOIN events e ON e.id = a.event_id "
			   "WHERE a.event_id = ?1 AND a.uploaded_at >= e.stage_started_at");
	sqlite3_bind_int64(q, 1, event_id);
	int rc = sqlite3_step(q);
	*count = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return rc == SQLITE_ROW ? 0 : ERR_DB;
}

int store_category_change(struct store *st, const struct category *c, long long user_id,
			  long long at, const char *before, const char *after)
{
	int err = store_begin(st);
	if (err)
		return err;
	err = store_category_put(st, c);
	if (!err) {
		struct conn *w = &st->writer;
		sqlite3_stmt *q = sq_prep(
			w, "INSERT INTO category_changes (code, user_id, at, before, after) "
			   "VALUES (?1, nullif(?2, 0), ?3, ?4, ?5)");
		sqlite3_bind_text(q, 1, c->code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, user_id);
		sqlite3_bind_int64(q, 3, at);
		sqlite3_bind_text(q, 4, before, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, after, -1, SQLITE_STATIC);
		int rc = sqlite3_step(q);
		sqlite3_reset(q);
		err = rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db);
	}
	if (err) {
		store_rollback(st);
		return err;
	}
	return store_commit(st);
}

int store_category_history(struct store *st, struct arena *a, const char *code,
			   struct category_change **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(
		c,
		"SELECT h.id, coalesce(h.user_id, 0), coalesce(u.username, ''), h.at, "
		"h.before, h.after FROM category_changes h LEFT JOIN users u ON u.id = h.user_id "
		"WHERE h.code = ?1 ORDER BY h.id");
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	size_t cap = 8, len = 0;
	struct category_change *v = arena_alloc(a, cap * sizeof(*v));
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		GROW(a, v, len, cap);
		struct category_change *x = &v[len++];
		x->id = sqlite3_column_int64(q, 0);
		x->user_id = sqlite3_column_int64(q, 1);
		x->user = sq_col_text(a, q, 2);
		x->at = sqlite3_column_int64(q, 3);
		x->before = sq_col_text(a, q, 4);
		x->after = sq_col_text(a, q, 5);
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	*out = v;
	*n = len;
	return rc == SQLITE_DONE ? 0 : ERR_DB;
}

int store_event_counts(struct store *st, struct arena *a, const struct scope *sc, const char *path,
		       struct count_row **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT org_path, state, n, overdue FROM event_counts "
			   "WHERE org_path >= ?1 AND org_path < ?2 AND n > 0 AND " SCOPE_SQL(
				   "org_path", "?3", "?4"));
	sq_bind_range(a, q, 1, path);
	sq_bind_scope(a, q, 3, sc);
	size_t cap = 64, len = 0;
	struct count_row *v = arena_alloc(a, cap * sizeof(*v));
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		GROW(a, v, len, cap);
		v[len].org_path = sq_col_text(a, q, 0);
		v[len].state = sq_col_text(a, q, 1);
		v[len].n = sqlite3_column_int64(q, 2);
		v[len].overdue = sqlite3_column_int64(q, 3);
		len++;
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	*out = v;
	*n = len;
	return rc == SQLITE_DONE ? 0 : ERR_DB;
}

int store_event_daily(struct store *st, struct arena *a, const struct scope *sc, const char *path,
		      long from, long to, struct daily_row **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(
		c,
		"SELECT day, org_path, reported, closed FROM event_daily "
		"WHERE day BETWEEN ?5 AND ?6 AND org_path >= ?1 AND org_path < ?2 AND " SCOPE_SQL(
			"org_path", "?3", "?4") " ORDER BY day");
	sq_bind_range(a, q, 1, path);
	sq_bind_scope(a, q, 3, sc);
	sqlite3_bind_int64(q, 5, from);
	sqlite3_bind_int64(q, 6, to);
	size_t cap = 64, len = 0;
	struct daily_row *v = arena_alloc(a, cap * sizeof(*v));
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		GROW(a, v, len, cap);
		v[len].day = (long)sqlite3_column_int64(q, 0);
		v[len].org_path = sq_col_text(a, q, 1);
		v[len].reported = sqlite3_column_int64(q, 2);
		v[len].closed = sqlite3_column_int64(q, 3);
		len++;
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	*out = v;
	*n = len;
	return rc == SQLITE_DONE ? 0 : ERR_DB;
}

int store_notify_merged(struct store *st, long long event_id, const char *kind, const char *title,
			long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q =
		sq_prep(w, "INSERT INTO notifications (user_id, kind, event_id, title, created_at) "
			   "SELECT DISTINCT e.reporter_id, ?2, e.id, ?3, ?4 FROM events e "
			   "JOIN users u ON u.id = e.reporter_id "
			   "WHERE e.merged_into = ?1 AND u.disabled = 0");
	sqlite3_bind_int64(q, 1, event_id);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}
