/*
 * sqlite_assess.c - the assessment tables in SQLite; see store_assess.h.
 *
 * The measure table below is the definition of what each measure counts:
 * the case lists of the drill-down are generated from it. The sums are one
 * sequential pass over the period's event_facts rows (grid by grid, on two
 * reader connections) that adds each row to its (place, department, grid
 * worker) group in C: fact_add() applies the same conditions, and a unit
 * test holds the two to the same counts. Working hours are summed in
 * seconds on the working calendar and turned into hours per group.
 *
 * Statements here are prepared per call (the shared statement cache is
 * kept for the hot paths of events and sessions).
 */
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/sqlite_internal.h"
#include "store/store_assess.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COHORT_R "(f.created_at >= ?1 AND f.created_at < ?2)"
#define COHORT_G "(f.registered_at >= ?1 AND f.registered_at < ?2)"

/* per measure: the condition on event_facts f within its cohort */
static const char *const measure_cond[AM__COUNT] = {
	[AM_REPORTED] = "1",
	[AM_REPORTED_VALID] = "f.registered_at IS NOT NULL",
	[AM_MERGED] = "f.state = 'merged'",
	[AM_REGISTERED] = "1",
	[AM_REGISTERED_ON_TIME] = "f.register_late = 0",
	[AM_DUE] = "f.state NOT IN ('merged', 'voided')",
	[AM_CLOSED] = "f.state = 'closed'",
	[AM_CLOSED_ON_TIME] = "f.state = 'closed' AND f.late = 0",
	[AM_DISPATCHED] = "f.dispatches > 0",
	[AM_HANDLE_DUE] = "f.dispatches > 0 AND (f.handled_at IS NOT NULL OR f.handle_late)",
	[AM_HANDLED] = "f.handled_at IS NOT NULL",
	[AM_HANDLED_ON_TIME] = "f.dispatches > 0 AND f.handled_at IS NOT NULL AND "
			       "f.handle_late = 0",
	[AM_REWORKED] = "f.reworks > 0",
	[AM_RETURNED] = "f.returns > 0",
	[AM_EXTENDED] = "f.extensions > 0",
	[AM_LATE] = "f.late",
	[AM_RATED] = "f.rating IS NOT NULL",
	[AM_SATISFIED] = "f.rating >= 4",
	[AM_HANDLE_HOURS] = "f.handled_at IS NOT NULL",
	[AM_POPULATION] = "0",
};

static const char *cohort_sql(enum assess_measure m)
{
	return assess_measures[m].cohort == AC_REPORTED ? COHORT_R : COHORT_G;
}

/*
 * The same conditions in C, for the sums: one pass over the period's rows
 * adds each row to its (place, department, grid worker) group, with no SQL
 * aggregate per measure and no sort of the rows. fact_add() must count
 * exactly what measure_cond[] selects; tests/unit/test_assess.c checks the
 * two against each other, unit by unit and measure by measure, on a fixture
 * with every combination of the columns.
 */

/* the columns fact_add() reads, in this order */
enum {
	FC_CREATED,
	FC_REGISTERED,
	FC_ASSIGNEE,
	FC_REPORTER, /* the reporting grid worker, NULL for other sources */
	FC_STATE,
	FC_RATING,
	FC_REGISTER_LATE,
	FC_DISPATCHED,
	FC_DISPATCHES,
	FC_RETURNS,
	FC_REWORKS,
	FC_EXTENSIONS,
	FC_HANDLED,
	FC_HANDLE_LATE,
	FC_LATE,
	FC_PATH, /* only in the query of the cases reported before the period */
};
#define FACT_COLS                                                                             \
	"f.created_at, f.registered_at, f.assignee, CASE WHEN f.source = 'grid_worker' THEN " \
	"f.reporter_id END, f.state, f.rating, f.register_late, f.dispatched_at, "            \
	"f.dispatches, f.returns, f.reworks, f.extensions, f.handled_at, f.handle_late, f.late"

static bool col_null(sqlite3_value **v, int i)
{
	return sqlite3_value_type(v[i]) == SQLITE_NULL;
}

static long long col_int(sqlite3_value **v, int i)
{
	return sqlite3_value_int64(v[i]);
}

/* text compared as bytes (read as a blob: no terminator to add) */
static bool text_is(const void *t, int len, const char *s)
{
	return t && (size_t)len == strlen(s) && !memcmp(t, s, (size_t)len);
}

/* Adds one row (its FACT_COLS in v) to the counts n[AM__COUNT] of
 * [from, to); the handling time in working seconds (made hours per group,
 * as the SQL sum divided its total). */
static void fact_add(sqlite3_value **v, const struct calendar *cal, long long from, long long to,
		     long long *n)
{
	long long created = col_int(v, FC_CREATED);
	bool has_reg = !col_null(v, FC_REGISTERED);
	long long reg = col_int(v, FC_REGISTERED);
	bool r = created >= from && created < to, g = has_reg && reg >= from && reg < to;
	if (!r && !g)
		return;
	const void *state = sqlite3_value_blob(v[FC_STATE]);
	int slen = sqlite3_value_bytes(v[FC_STATE]);
	bool merged = text_is(state, slen, "merged");
	if (r) {
		n[AM_REPORTED]++;
		n[AM_REPORTED_VALID] += has_reg;
		n[AM_MERGED] += merged;
	}
	if (!g)
		return;
	bool closed = text_is(state, slen, "closed");
	bool dispatched = col_int(v, FC_DISPATCHES) > 0;
	bool handled = !col_null(v, FC_HANDLED), handle_late = col_int(v, FC_HANDLE_LATE) != 0;
	bool late = col_int(v, FC_LATE) != 0;
	n[AM_REGISTERED]++;
	n[AM_REGISTERED_ON_TIME] += col_int(v, FC_REGISTER_LATE) == 0;
	n[AM_DUE] += !merged && !text_is(state, slen, "voided");
	n[AM_CLOSED] += closed;
	n[AM_CLOSED_ON_TIME] += closed && !late;
	n[AM_DISPATCHED] += dispatched;
	n[AM_HANDLE_DUE] += dispatched && (handled || handle_late);
	n[AM_HANDLED] += handled;
	n[AM_HANDLED_ON_TIME] += dispatched && handled && !handle_late;
	n[AM_REWORKED] += col_int(v, FC_REWORKS) > 0;
	n[AM_RETURNED] += col_int(v, FC_RETURNS) > 0;
	n[AM_EXTENDED] += col_int(v, FC_EXTENSIONS) > 0;
	n[AM_LATE] += late;
	if (!col_null(v, FC_RATING)) {
		n[AM_RATED]++;
		n[AM_SATISFIED] += sqlite3_value_double(v[FC_RATING]) >= 4;
	}
	if (handled && !col_null(v, FC_DISPATCHED))
		n[AM_HANDLE_HOURS] +=
			cal_between(cal, col_int(v, FC_DISPATCHED), col_int(v, FC_HANDLED));
}

/* A group being summed, keyed by (place, department, grid worker). */
struct gent {
	const char *path, *assignee;
	size_t path_len, assignee_len;
	bool has_reporter;
	long long reporter;
	unsigned long long hash;
	long long n[AM__COUNT];
};

/* The groups of one read, open addressing (a place has a few dozen). */
struct gtab {
	struct arena *a;
	struct gent **slot;
	size_t cap, len;
};

static unsigned long long hash_bytes(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static void gtab_init(struct gtab *t, struct arena *a)
{
	t->a = a;
	t->cap = 64;
	t->len = 0;
	t->slot = arena_zalloc(a, t->cap * sizeof(*t->slot));
}

static void gtab_put(struct gtab *t, struct gent *e)
{
	size_t i = (size_t)e->hash & (t->cap - 1);
	while (t->slot[i])
		i = (i + 1) & (t->cap - 1);
	t->slot[i] = e;
}

/* The group of the row v (place path[plen], hashed to ph). */
static struct gent *gtab_get(struct gtab *t, sqlite3_value **v, const char *path, size_t plen,
			     unsigned long long ph)
{
	const char *as = sqlite3_value_blob(v[FC_ASSIGNEE]);
	size_t alen = (size_t)sqlite3_value_bytes(v[FC_ASSIGNEE]);
	bool has_rep = !col_null(v, FC_REPORTER);
	long long rep = has_rep ? col_int(v, FC_REPORTER) : 0;
	if (!as)
		as = "";
	unsigned long long h =
		hash_bytes(ph ^ (unsigned long long)rep * 0x9E3779B97F4A7C15ULL, as, alen);
	size_t i = (size_t)h & (t->cap - 1);
	for (struct gent *e; (e = t->slot[i]); i = (i + 1) & (t->cap - 1))
		if (e->hash == h && e->has_reporter == has_rep && e->reporter == rep &&
		    e->assignee_len == alen && !memcmp(e->assignee, as, alen) &&
		    e->path_len == plen && (e->path == path || !memcmp(e->path, path, plen)))
			return e;
	struct gent *e = arena_zalloc(t->a, sizeof(*e));
	e->path = arena_strndup(t->a, path, plen);
	e->path_len = plen;
	e->assignee = arena_strndup(t->a, as, alen);
	e->assignee_len = alen;
	e->has_reporter = has_rep;
	e->reporter = rep;
	e->hash = h;
	if (2 * (t->len + 1) > t->cap) {
		struct gent **old = t->slot;
		size_t ocap = t->cap;
		t->cap *= 2;
		t->slot = arena_zalloc(t->a, t->cap * sizeof(*t->slot));
		for (size_t k = 0; k < ocap; k++)
			if (old[k])
				gtab_put(t, old[k]);
	}
	gtab_put(t, e);
	t->len++;
	return e;
}

/* SQLite's BINARY order of text: bytes, then the shorter first */
static int bin_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

/* the order of the SQL GROUP BY (place, department, grid worker: NULL
 * first), kept so that the roll-up adds the same numbers in the same order */
static int gent_cmp(const void *pa, const void *pb)
{
	const struct gent *a = *(const struct gent *const *)pa,
			  *b = *(const struct gent *const *)pb;
	int c = bin_cmp(a->path, a->path_len, b->path, b->path_len);
	if (!c)
		c = bin_cmp(a->assignee, a->assignee_len, b->assignee, b->assignee_len);
	if (!c && a->has_reporter != b->has_reporter)
		c = a->has_reporter ? 1 : -1;
	if (!c)
		c = (a->reporter > b->reporter) - (a->reporter < b->reporter);
	return c;
}

struct gvec {
	struct assess_group *v;
	size_t len, cap;
};

static struct assess_group *gvec_push(struct arena *a, struct gvec *gv)
{
	if (gv->len == gv->cap) {
		size_t cap = gv->cap ? 2 * gv->cap : 64;
		struct assess_group *nv = arena_alloc(a, cap * sizeof(*nv));
		if (gv->len)
			memcpy(nv, gv->v, gv->len * sizeof(*nv));
		gv->v = nv;
		gv->cap = cap;
	}
	return &gv->v[gv->len++];
}

/* Appends the table's groups in GROUP BY order (strings in a) and empties it. */
static void gtab_flush(struct gtab *t, struct arena *a, struct gvec *out)
{
	if (!t->len)
		return;
	struct gent **es = arena_alloc(t->a, t->len * sizeof(*es));
	size_t k = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i]) {
			es[k++] = t->slot[i];
			t->slot[i] = NULL;
		}
	qsort(es, k, sizeof(*es), gent_cmp);
	for (size_t i = 0; i < k; i++) {
		struct assess_group *g = gvec_push(a, out);
		g->org_path = arena_strndup(a, es[i]->path, es[i]->path_len);
		g->assignee = arena_strndup(a, es[i]->assignee, es[i]->assignee_len);
		g->reporter = es[i]->has_reporter ? arena_printf(a, "%lld", es[i]->reporter) : "";
		for (int m = 0; m < AM__COUNT; m++)
			g->m[m] = (double)es[i]->n[m];
		g->m[AM_HANDLE_HOURS] = (double)es[i]->n[AM_HANDLE_HOURS] / 3600.0;
		g->m[AM_POPULATION] = 0;
	}
	t->len = 0;
}

/* One read: the rows go to the aggregate pa_facts(FACT_COLS[, org_path]),
 * whose step adds each to its group (a call per row, the values read in
 * place: no result row per fact). The place is `path`, or the FC_PATH
 * argument when NULL. */
struct pass {
	struct gtab *t;
	const char *path;
	size_t plen;
	unsigned long long ph;
	const struct calendar *cal;
	long long from, to;
};

#define FNV_BASIS 14695981039346656037ULL

static void facts_step(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
	struct pass *p = sqlite3_user_data(ctx);
	const char *path = p->path;
	size_t plen = p->plen;
	unsigned long long h = p->ph;
	if (!path) {
		path = argc > FC_PATH ? sqlite3_value_blob(v[FC_PATH]) : NULL;
		plen = path ? (size_t)sqlite3_value_bytes(v[FC_PATH]) : 0;
		if (!path)
			path = "";
		h = hash_bytes(FNV_BASIS, path, plen);
	}
	fact_add(v, p->cal, p->from, p->to, gtab_get(p->t, v, path, plen, h)->n);
}

static void facts_final(sqlite3_context *ctx)
{
	sqlite3_result_null(ctx);
}

/* Prepares sql (which calls pa_facts) on c, the function bound to p. */
static int facts_prepare(struct conn *c, struct pass *p, const char *sql, sqlite3_stmt **q)
{
	*q = NULL;
	/* refused only while a statement of c runs: never one bound to another pass */
	int rc = sqlite3_create_function_v2(c->db, "pa_facts", -1, SQLITE_UTF8, p, NULL, facts_step,
					    facts_final, NULL);
	return rc == SQLITE_OK ? sq_prepare(c, sql, q) : sq_map_rc(rc, c->db);
}

/* Finalizes q and removes pa_facts from c (its pass is on the stack). */
static void facts_done(struct conn *c, sqlite3_stmt *q)
{
	sqlite3_finalize(q);
	sqlite3_create_function_v2(c->db, "pa_facts", -1, SQLITE_UTF8, NULL, NULL, NULL, NULL,
				   NULL);
}

/* Runs q for the pass's place (p->path, or each row's). */
static int run_pass(sqlite3_stmt *q, struct pass *p, const char *path)
{
	p->path = path;
	p->plen = path ? strlen(path) : 0;
	p->ph = path ? hash_bytes(FNV_BASIS, path, p->plen) : 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		;
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : sq_map_rc(rc, sqlite3_db_handle(q));
}

/* One share of the places, read on a connection of its own. */
struct share {
	struct store *st;
	struct conn *c;
	const struct calendar *cal;
	char **paths;
	size_t first, end;
	long long from, to;
	struct arena *a;
	struct gvec out;
	int err;
};

static void *read_share(void *arg)
{
	struct share *sh = arg;
	struct conn *c = sh->c ? sh->c : sq_racquire(sh->st);
	sqlite3_stmt *q;
	struct gtab t;
	gtab_init(&t, sh->a);
	struct pass p = { .t = &t, .cal = sh->cal, .from = sh->from, .to = sh->to };
	sh->err = facts_prepare(c, &p,
				"SELECT pa_facts(" FACT_COLS ") FROM event_facts f WHERE "
				"f.org_path = ?3 AND f.created_at >= ?1 AND f.created_at < ?2",
				&q);
	for (size_t i = sh->first; !sh->err && i < sh->end; i++) {
		sqlite3_bind_int64(q, 1, sh->from);
		sqlite3_bind_int64(q, 2, sh->to);
		sqlite3_bind_text(q, 3, sh->paths[i], -1, SQLITE_STATIC);
		sh->err = run_pass(q, &p, sh->paths[i]);
		gtab_flush(&t, sh->a, &sh->out);
	}
	facts_done(c, q);
	if (!sh->c)
		sq_rrelease(sh->st, c);
	return NULL;
}

static void append_groups(struct arena *a, const struct share *sh, struct gvec *out)
{
	for (size_t i = 0; i < sh->out.len; i++) {
		struct assess_group *g = gvec_push(a, out);
		*g = sh->out.v[i];
		g->org_path = arena_strdup(a, g->org_path);
		g->assignee = arena_strdup(a, g->assignee);
		g->reporter = arena_strdup(a, g->reporter);
	}
}

int store_assess_groups(struct store *st, struct arena *a, const struct calendar *cal,
			long long from, long long to, struct assess_group **out, size_t *n)
{
	/* per place: the rows reported in the period, one contiguous range of the
	 * clustered key; then those registered in it but reported before, found
	 * on the covering index first so that only those rows are read */
	static const char earlier[] =
		"SELECT pa_facts(" FACT_COLS ", f.org_path) FROM (SELECT g.event_id AS id FROM "
		"event_facts g WHERE g.registered_at >= ?1 AND g.registered_at < ?2 AND "
		"g.created_at < ?1) x CROSS JOIN event_facts f ON f.event_id = x.id";
	struct conn *c = sq_racquire(st);
	struct gvec v = { 0 };
	size_t npaths = 0, pcap = 256;
	char **paths = arena_alloc(a, pcap * sizeof(*paths));
	sqlite3_stmt *q = NULL;
	int err = sq_prepare(
		c, "SELECT path FROM orgs WHERE kind IN ('district', 'grid') ORDER BY path", &q);
	int rc = SQLITE_DONE;
	while (!err && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (npaths == pcap) {
			char **np = arena_alloc(a, 2 * pcap * sizeof(*np));
			memcpy(np, paths, npaths * sizeof(*np));
			paths = np;
			pcap *= 2;
		}
		paths[npaths++] = (char *)sq_col_text(a, q, 0);
	}
	if (!err && rc != SQLITE_DONE)
		err = sq_map_rc(rc, c->db);
	sqlite3_finalize(q);
	q = NULL;
	/* two shares on two connections (the machine's two cores), unless inside
	 * a transaction, whose writer connection one thread alone may use */
	bool in_tx = c == &st->writer;
	int nshares = !in_tx && st->nreaders >= 2 && npaths >= 16 ? 2 : 1;
	struct share sh[2];
	pthread_t helper;
	bool started = false;
	for (int k = 0; !err && k < nshares; k++) {
		sh[k] = (struct share){ .st = st,
					.c = k == 0 ? c : NULL,
					.cal = cal,
					.paths = paths,
					.first = npaths * (size_t)k / (size_t)nshares,
					.end = npaths * (size_t)(k + 1) / (size_t)nshares,
					.from = from,
					.to = to,
					.a = arena_new() };
	}
	if (!err && nshares == 2)
		started = pthread_create(&helper, NULL, read_share, &sh[1]) == 0;
	if (!err) {
		read_share(&sh[0]);
		if (nshares == 2 && !started)
			read_share(&sh[1]); /* no thread: the second share here too */
		if (started)
			pthread_join(helper, NULL);
		for (int k = 0; k < nshares; k++) {
			if (!err)
				err = sh[k].err;
			append_groups(a, &sh[k], &v);
			arena_free(sh[k].a);
		}
	}
	if (!err) {
		struct arena *ta = arena_new();
		struct gtab t;
		gtab_init(&t, ta);
		struct pass p = { .t = &t, .cal = cal, .from = from, .to = to };
		if (!(err = facts_prepare(c, &p, earlier, &q))) {
			sqlite3_bind_int64(q, 1, from);
			sqlite3_bind_int64(q, 2, to);
			if (!(err = run_pass(q, &p, NULL)))
				gtab_flush(&t, a, &v);
		}
		facts_done(c, q);
		arena_free(ta);
	} else {
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	*out = v.v;
	*n = err ? 0 : v.len;
	return err;
}

static void read_unit(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assess_row *r = item;
	const unsigned char *t = sqlite3_column_text(q, 0);
	str_copy(r->unit, sizeof(r->unit), t ? (const char *)t : "");
	r->name = sq_col_text(a, q, 1);
	r->path = sq_col_text(a, q, 2);
}

int store_assess_units(struct store *st, struct arena *a, enum assess_level level,
		       struct assess_row **out, size_t *n)
{
	static const char *const kinds[] = { "street", "community", "grid", "department" };
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err;
	if (level == AL_GRID_WORKER) {
		err = sq_prepare(
			c,
			"SELECT CAST(u.id AS TEXT), u.display_name, o.path FROM users u "
			"JOIN orgs o ON o.id = u.org_id JOIN user_roles r ON r.user_id = u.id "
			"AND r.role = 'grid_worker' WHERE u.disabled = 0 ORDER BY u.id",
			&q);
	} else {
		err = sq_prepare(
			c, "SELECT code, name, path FROM orgs WHERE kind = ?1 ORDER BY code", &q);
		if (!err)
			sqlite3_bind_text(q, 1, kinds[level], -1, SQLITE_STATIC);
	}
	if (!err) {
		err = sq_collect(a, q, sizeof(**out), read_unit, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

/* the unit filter for cases: ?3 (and ?4) */
static const char *unit_sql(enum assess_level level)
{
	if (level == AL_DEPARTMENT)
		return "f.assignee = ?3";
	if (level == AL_GRID_WORKER)
		return "f.reporter_id = CAST(?3 AS INTEGER) AND f.source = 'grid_worker'";
	return "f.org_path >= ?3 AND f.org_path < ?4";
}

static void bind_unit(struct arena *a, sqlite3_stmt *q, enum assess_level level,
		      const char *unit_key)
{
	if (level == AL_DEPARTMENT || level == AL_GRID_WORKER)
		sqlite3_bind_text(q, 3, unit_key, -1, SQLITE_TRANSIENT);
	else
		sq_bind_range(a, q, 3, unit_key);
}

static void read_case(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assess_case *x = item;
	x->id = sqlite3_column_int64(q, 0);
	x->receipt = sq_col_text(a, q, 1);
	x->title = sq_col_text(a, q, 2);
	x->state = sq_col_text(a, q, 3);
	x->category = sq_col_text(a, q, 4);
	x->org_path = sq_col_text(a, q, 5);
	x->assignee = sq_col_text(a, q, 6);
	x->created_at = sqlite3_column_int64(q, 7);
	x->registered_at = sqlite3_column_int64(q, 8);
	x->closed_at = sqlite3_column_int64(q, 9);
	x->late = sqlite3_column_int(q, 10) != 0;
}

int store_assess_cases(struct store *st, struct arena *a, const struct scope *sc,
		       enum assess_level level, const char *unit_key, enum assess_measure m,
		       long long from, long long to, long long offset, int limit,
		       struct assess_case **out, size_t *n, long long *total)
{
	*n = 0;
	*total = 0;
	*out = NULL;
	m = assess_measure_cases(m);
	if (m == AM_POPULATION)
		return 0;
	struct strbuf where = STRBUF_INIT;
	strbuf_addf(&where, "%s AND (%s) AND %s AND " SCOPE_SQL("f.org_path", "?5", "?6"),
		    cohort_sql(m), measure_cond[m], unit_sql(level));
	char *count = NULL, *list = NULL;
	{
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "SELECT count(*) FROM event_facts f WHERE %s", strbuf_str(&where));
		count = strbuf_detach(&sb, NULL);
		strbuf_addf(
			&sb,
			"SELECT e.id, e.receipt, e.title, e.state, e.category, e.org_path, "
			"e.assignee, e.created_at, coalesce(f.registered_at, 0), "
			"coalesce(e.closed_at, 0), f.late FROM event_facts f JOIN events e ON "
			"e.id = f.event_id WHERE %s ORDER BY f.event_id DESC LIMIT ?7 OFFSET ?8",
			strbuf_str(&where));
		list = strbuf_detach(&sb, NULL);
	}
	strbuf_release(&where);
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = NULL;
	int err = sq_prepare(c, count, &q);
	for (int pass = 0; !err && pass < 2; pass++) {
		sqlite3_bind_int64(q, 1, from);
		sqlite3_bind_int64(q, 2, to);
		bind_unit(a, q, level, unit_key);
		sq_bind_scope(a, q, 5, sc);
		if (pass == 0) {
			int rc = sqlite3_step(q);
			if (rc == SQLITE_ROW)
				*total = sqlite3_column_int64(q, 0);
			else
				err = sq_map_rc(rc, c->db);
			sqlite3_finalize(q);
			q = NULL;
			if (!err)
				err = sq_prepare(c, list, &q);
		} else {
			sqlite3_bind_int(q, 7, limit);
			sqlite3_bind_int64(q, 8, offset);
			err = sq_collect(a, q, sizeof(**out), read_case, (void **)out, n);
		}
	}
	sqlite3_finalize(q);
	sq_rrelease(st, c);
	free(count);
	free(list);
	return err;
}

/* --- indicators --- */

#define IND_COLS                                                                        \
	"code, name, name_en, levels, numerator, denominator, scale, unit, direction, " \
	"weight, bands, min_cases, rank_small, enabled, version, updated_at"

static void levels_text(unsigned mask, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (int l = 0; l < AL__COUNT; l++)
		if (mask & (1u << l))
			len += (size_t)snprintf(out + len, size > len ? size - len : 0, "%s%s",
						len ? "," : "",
						assess_level_name((enum assess_level)l));
}

static void read_indicator(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assess_indicator *x = item;
	const unsigned char *t = sqlite3_column_text(q, 0);
	str_copy(x->code, sizeof(x->code), t ? (const char *)t : "");
	x->name = sq_col_text(a, q, 1);
	x->name_en = sq_col_text(a, q, 2);
	if (assess_levels_parse(sq_col_text(a, q, 3), &x->levels))
		x->levels = 0;
	x->numerator = sq_col_text(a, q, 4);
	x->denominator = sq_col_text(a, q, 5);
	x->scale = sqlite3_column_double(q, 6);
	if (assess_unit_parse(sq_col_text(a, q, 7), &x->unit))
		x->unit = AU_COUNT;
	x->higher = !strcmp(sq_col_text(a, q, 8), "higher");
	x->weight = sqlite3_column_double(q, 9);
	x->bands = sq_col_text(a, q, 10);
	x->min_cases = sqlite3_column_int(q, 11);
	x->rank_small = sqlite3_column_int(q, 12) != 0;
	x->enabled = sqlite3_column_int(q, 13) != 0;
	x->version = sqlite3_column_int(q, 14);
	x->updated_at = sqlite3_column_int64(q, 15);
}

int store_assess_indicators(struct store *st, struct arena *a, struct assess_indicator **out,
			    size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(c, "SELECT " IND_COLS " FROM assess_indicators ORDER BY code", &q);
	if (!err) {
		err = sq_collect(a, q, sizeof(**out), read_indicator, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	/* stored rows were checked when written; a row that no longer parses
	 * (edited by hand) is disabled rather than computed wrongly */
	char why[200];
	for (size_t i = 0; !err && i < *n; i++)
		if (assess_indicator_check(&(*out)[i], why, sizeof(why)))
			(*out)[i].enabled = false;
	return err;
}

static int put_indicator(struct conn *w, const struct assess_indicator *x)
{
	sqlite3_stmt *q;
	int err =
		sq_prepare(w,
			   "INSERT OR REPLACE INTO assess_indicators (" IND_COLS
			   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
			   "?15, ?16)",
			   &q);
	if (err)
		return err;
	char levels[128];
	levels_text(x->levels, levels, sizeof(levels));
	sqlite3_bind_text(q, 1, x->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, x->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, x->name_en ? x->name_en : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, levels, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, x->numerator, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, x->denominator ? x->denominator : "", -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 7, x->scale);
	sqlite3_bind_text(q, 8, assess_unit_name(x->unit), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, x->higher ? "higher" : "lower", -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 10, x->weight);
	sqlite3_bind_text(q, 11, x->bands ? x->bands : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 12, x->min_cases);
	sqlite3_bind_int(q, 13, x->rank_small);
	sqlite3_bind_int(q, 14, x->enabled);
	sqlite3_bind_int(q, 15, x->version);
	sqlite3_bind_int64(q, 16, x->updated_at);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db);
}

int store_assess_indicators_seed(struct store *st, const struct assess_indicator *inds, size_t n,
				 long long now, int *loaded)
{
	*loaded = 0;
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(w, "SELECT count(*) FROM assess_indicators", &q)))
		return sq_wend(st, err);
	int have = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
	sqlite3_finalize(q);
	if (have != 0)
		return sq_wend(st, have < 0 ? ERR_DB : 0);
	for (size_t i = 0; !err && i < n; i++) {
		struct assess_indicator x = inds[i];
		x.updated_at = now;
		x.version = 1;
		err = put_indicator(w, &x);
	}
	if (!err)
		*loaded = (int)n;
	return sq_wend(st, err);
}

int store_assess_indicator_put(struct store *st, struct assess_indicator *ind, long long user_id,
			       long long now, const char *before, const char *after_fmt)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(w, "SELECT version FROM assess_indicators WHERE code = ?1", &q)))
		return sq_wend(st, err);
	sqlite3_bind_text(q, 1, ind->code, -1, SQLITE_STATIC);
	ind->version = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) + 1 : 1;
	sqlite3_finalize(q);
	ind->updated_at = now;
	if ((err = put_indicator(w, ind)))
		return sq_wend(st, err);
	if ((err = sq_prepare(
		     w,
		     "INSERT INTO assess_indicator_changes (code, version, user_id, at, before, "
		     "after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		     &q)))
		return sq_wend(st, err);
	/* the after text carries the version just assigned */
	char *after = NULL;
	size_t alen = strlen(after_fmt) + 16;
	after = xmalloc(alen);
	const char *mark = strstr(after_fmt, "\"version\":0");
	if (mark)
		snprintf(after, alen, "%.*s\"version\":%d%s", (int)(mark - after_fmt), after_fmt,
			 ind->version, mark + strlen("\"version\":0"));
	else
		snprintf(after, alen, "%s", after_fmt);
	sqlite3_bind_text(q, 1, ind->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ind->version);
	if (user_id)
		sqlite3_bind_int64(q, 3, user_id);
	sqlite3_bind_int64(q, 4, now);
	sqlite3_bind_text(q, 5, before, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, after, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	free(after);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

static void read_change(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assess_indicator_change *x = item;
	x->id = sqlite3_column_int64(q, 0);
	x->version = sqlite3_column_int(q, 1);
	x->user_id = sqlite3_column_int64(q, 2);
	x->user = sq_col_text(a, q, 3);
	x->at = sqlite3_column_int64(q, 4);
	x->before = sq_col_text(a, q, 5);
	x->after = sq_col_text(a, q, 6);
}

int store_assess_indicator_history(struct store *st, struct arena *a, const char *code,
				   struct assess_indicator_change **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(
		c,
		"SELECT h.id, h.version, coalesce(h.user_id, 0), coalesce(u.username, ''), "
		"h.at, h.before, h.after FROM assess_indicator_changes h LEFT JOIN users u "
		"ON u.id = h.user_id WHERE h.code = ?1 ORDER BY h.id DESC",
		&q);
	if (!err) {
		sqlite3_bind_text(q, 1, code, -1, SQLITE_TRANSIENT);
		err = sq_collect(a, q, sizeof(**out), read_change, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

/* --- population --- */

static void read_population(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assess_population *x = item;
	x->code = sq_col_text(a, q, 0);
	x->name = sq_col_text(a, q, 1);
	x->population = sqlite3_column_int64(q, 2);
	x->year = sqlite3_column_int(q, 3);
	x->source = sq_col_text(a, q, 4);
	x->updated_at = sqlite3_column_int64(q, 5);
}

int store_assess_population(struct store *st, struct arena *a, struct assess_population **out,
			    size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(
		c,
		"SELECT p.org_code, o.name, p.population, p.year, p.source, p.updated_at "
		"FROM assess_population p JOIN orgs o ON o.code = p.org_code "
		"ORDER BY p.org_code",
		&q);
	if (!err) {
		err = sq_collect(a, q, sizeof(**out), read_population, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

int store_assess_population_set(struct store *st, const struct assess_population *rows, size_t n,
				long long user_id, long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(
		     w,
		     "INSERT OR REPLACE INTO assess_population (org_code, population, year, "
		     "source, updated_by, updated_at) SELECT code, ?2, ?3, ?4, ?5, ?6 FROM orgs "
		     "WHERE code = ?1 AND kind IN ('district', 'street', 'community', 'grid')",
		     &q)))
		return sq_wend(st, err);
	for (size_t i = 0; !err && i < n; i++) {
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, rows[i].code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, rows[i].population);
		sqlite3_bind_int(q, 3, rows[i].year);
		sqlite3_bind_text(q, 4, rows[i].source ? rows[i].source : "", -1, SQLITE_STATIC);
		if (user_id)
			sqlite3_bind_int64(q, 5, user_id);
		else
			sqlite3_bind_null(q, 5);
		sqlite3_bind_int64(q, 6, now);
		int rc = sqlite3_step(q);
		if (rc != SQLITE_DONE)
			err = sq_map_rc(rc, w->db);
		else if (sqlite3_changes(w->db) == 0)
			err = ERR_NOT_FOUND;
	}
	sqlite3_finalize(q);
	return sq_wend(st, err);
}

/* --- manual items --- */

#define ADJ_COLS                                                                            \
	"j.id, j.period, j.level, j.unit, j.unit_path, j.points, j.reason, j.evidence, "    \
	"j.status, coalesce(j.created_by, 0), j.created_at, coalesce(j.decided_by, 0), "    \
	"coalesce(j.decided_at, 0), coalesce(cu.username, ''), coalesce(du.username, ''), " \
	"j.decision_note, coalesce(CASE WHEN j.level = 'grid_worker' THEN (SELECT "         \
	"display_name FROM users WHERE id = CAST(j.unit AS INTEGER)) ELSE (SELECT name "    \
	"FROM orgs WHERE code = j.unit) END, j.unit)"
#define ADJ_FROM                                                                 \
	" FROM assess_adjustments j LEFT JOIN users cu ON cu.id = j.created_by " \
	"LEFT JOIN users du ON du.id = j.decided_by "

static void read_adj(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assess_adjustment *x = item;
	x->id = sqlite3_column_int64(q, 0);
	x->period = sq_col_text(a, q, 1);
	x->level = sq_col_text(a, q, 2);
	x->unit = sq_col_text(a, q, 3);
	x->unit_path = sq_col_text(a, q, 4);
	x->points = sqlite3_column_double(q, 5);
	x->reason = sq_col_text(a, q, 6);
	x->evidence = sq_col_text(a, q, 7);
	x->status = sq_col_text(a, q, 8);
	x->created_by = sqlite3_column_int64(q, 9);
	x->created_at = sqlite3_column_int64(q, 10);
	x->decided_by = sqlite3_column_int64(q, 11);
	x->decided_at = sqlite3_column_int64(q, 12);
	x->created_by_name = sq_col_text(a, q, 13);
	x->decided_by_name = sq_col_text(a, q, 14);
	x->decision_note = sq_col_text(a, q, 15);
	x->unit_name = sq_col_text(a, q, 16);
}

static int adj_change(struct conn *w, long long id, long long user_id, long long at,
		      const char *action, const char *note)
{
	sqlite3_stmt *q;
	int err = sq_prepare(
		w,
		"INSERT INTO assess_adjustment_changes (adjustment_id, user_id, at, action, "
		"note) VALUES (?1, ?2, ?3, ?4, ?5)",
		&q);
	if (err)
		return err;
	sqlite3_bind_int64(q, 1, id);
	if (user_id)
		sqlite3_bind_int64(q, 2, user_id);
	sqlite3_bind_int64(q, 3, at);
	sqlite3_bind_text(q, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, note ? note : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db);
}

int store_assess_adjustment_add(struct store *st, struct assess_adjustment *x)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(
		     w,
		     "INSERT INTO assess_adjustments (period, level, unit, unit_path, points, "
		     "reason, evidence, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		     "?7, ?8, ?9)",
		     &q)))
		return sq_wend(st, err);
	sqlite3_bind_text(q, 1, x->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, x->level, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, x->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, x->unit_path, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 5, x->points);
	sqlite3_bind_text(q, 6, x->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, x->evidence ? x->evidence : "", -1, SQLITE_STATIC);
	if (x->created_by)
		sqlite3_bind_int64(q, 8, x->created_by);
	sqlite3_bind_int64(q, 9, x->created_at);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	x->id = sqlite3_last_insert_rowid(w->db);
	x->status = "pending";
	return sq_wend(st,
		       adj_change(w, x->id, x->created_by, x->created_at, "entered", x->reason));
}

int store_assess_adjustment_get(struct store *st, struct arena *a, const struct scope *sc,
				long long id, struct assess_adjustment *out)
{
	return sq_get_scoped(st, a,
			     "SELECT " ADJ_COLS ADJ_FROM
			     "WHERE j.id = ?1 AND " SCOPE_SQL("j.unit_path", "?2", "?3"),
			     id, sc, read_adj, out);
}

int store_assess_adjustment_decide(struct store *st, long long id, const char *status,
				   long long user_id, long long now, const char *note)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(
		     w,
		     "UPDATE assess_adjustments SET status = ?2, decided_by = ?3, decided_at = "
		     "?4, decision_note = ?5 WHERE id = ?1 AND status = 'pending'",
		     &q)))
		return sq_wend(st, err);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, user_id);
	sqlite3_bind_int64(q, 4, now);
	sqlite3_bind_text(q, 5, note ? note : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	if (sqlite3_changes(w->db) == 0)
		return sq_wend(st, ERR_CONFLICT);
	return sq_wend(st, adj_change(w, id, user_id, now,
				      !strcmp(status, "approved") ? "approved" : "rejected", note));
}

int store_assess_adjustments(struct store *st, struct arena *a, const struct scope *sc,
			     const char *period, struct assess_adjustment **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(c,
			     "SELECT " ADJ_COLS ADJ_FROM
			     "WHERE (?1 IS NULL OR j.period = ?1) AND " SCOPE_SQL(
				     "j.unit_path", "?2", "?3") " ORDER BY j.id DESC",
			     &q);
	if (!err) {
		if (period)
			sqlite3_bind_text(q, 1, period, -1, SQLITE_TRANSIENT);
		sq_bind_scope(a, q, 2, sc);
		err = sq_collect(a, q, sizeof(**out), read_adj, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

/* --- snapshots --- */

static int step_done(sqlite3_stmt *q, sqlite3 *db)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : sq_map_rc(rc, db);
}

static void bind_opt(sqlite3_stmt *q, int i, bool has, double v)
{
	if (has)
		sqlite3_bind_double(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

int store_assess_run_save(struct store *st, struct assess_run *run,
			  const struct assess_indicator *inds, size_t nind,
			  const struct assess_level_result *levels, size_t nlevels)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = NULL, *qs = NULL, *qv = NULL;
	if ((err = sq_prepare(
		     w, "SELECT coalesce(max(version), 0) + 1 FROM assess_runs WHERE period = ?1",
		     &q)))
		goto out;
	sqlite3_bind_text(q, 1, run->period, -1, SQLITE_STATIC);
	run->version = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 1;
	sqlite3_finalize(q);
	q = NULL;
	if ((err = sq_prepare(
		     w,
		     "INSERT INTO assess_runs (period, from_at, to_at, version, computed_at, "
		     "computed_by, reason, definitions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		     &q)))
		goto out;
	sqlite3_bind_text(q, 1, run->period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, run->from);
	sqlite3_bind_int64(q, 3, run->to);
	sqlite3_bind_int(q, 4, run->version);
	sqlite3_bind_int64(q, 5, run->computed_at);
	if (run->computed_by)
		sqlite3_bind_int64(q, 6, run->computed_by);
	sqlite3_bind_text(q, 7, run->reason ? run->reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, run->definitions, -1, SQLITE_STATIC);
	if ((err = step_done(q, w->db)))
		goto out;
	run->id = sqlite3_last_insert_rowid(w->db);
	if ((err = sq_prepare(
		     w,
		     "INSERT INTO assess_scores (run_id, level, unit, name, unit_path, score, "
		     "manual, rank, tie) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, 0), ?9)",
		     &qs)) ||
	    (err = sq_prepare(
		     w,
		     "INSERT INTO assess_values (run_id, level, unit, indicator, num, den, "
		     "value, score, small, measures) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		     "?9, ?10)",
		     &qv)))
		goto out;
	struct strbuf sb = STRBUF_INIT;
	for (size_t l = 0; !err && l < nlevels; l++) {
		const struct assess_level_result *lr = &levels[l];
		const char *lname = assess_level_name(lr->level);
		for (size_t i = 0; !err && i < lr->n; i++) {
			const struct assess_row *r = &lr->rows[i];
			sqlite3_bind_int64(qs, 1, run->id);
			sqlite3_bind_text(qs, 2, lname, -1, SQLITE_STATIC);
			sqlite3_bind_text(qs, 3, r->unit, -1, SQLITE_STATIC);
			sqlite3_bind_text(qs, 4, r->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(qs, 5, r->path, -1, SQLITE_STATIC);
			bind_opt(qs, 6, r->has_score, r->score);
			sqlite3_bind_double(qs, 7, r->manual);
			sqlite3_bind_int(qs, 8, r->rank);
			sqlite3_bind_int(qs, 9, r->tie);
			if ((err = step_done(qs, w->db)))
				break;
			for (size_t k = 0; !err && k < nind; k++) {
				const struct assess_indicator *ind = &inds[k];
				if (!ind->enabled || !(ind->levels & (1u << lr->level)))
					continue;
				const struct assess_value *x = &r->v[k];
				unsigned long long uses = ind->num.uses | ind->den.uses;
				strbuf_release(&sb);
				strbuf_addstr(&sb, "{");
				for (int m = 0; m < AM__COUNT; m++)
					if (uses & (1ull << m))
						strbuf_addf(&sb, "%s\"%s\":%.10g",
							    strbuf_str(&sb)[1] ? "," : "",
							    assess_measures[m].name, r->m[m]);
				strbuf_addstr(&sb, "}");
				sqlite3_bind_int64(qv, 1, run->id);
				sqlite3_bind_text(qv, 2, lname, -1, SQLITE_STATIC);
				sqlite3_bind_text(qv, 3, r->unit, -1, SQLITE_STATIC);
				sqlite3_bind_text(qv, 4, ind->code, -1, SQLITE_STATIC);
				bind_opt(qv, 5, x->has_value, x->num);
				bind_opt(qv, 6, x->has_value && ind->den.n, x->den);
				bind_opt(qv, 7, x->has_value, x->value);
				bind_opt(qv, 8, x->has_value, x->score);
				sqlite3_bind_int(qv, 9, (x->small ? 1 : 0) | (x->scored ? 2 : 0));
				sqlite3_bind_text(qv, 10, strbuf_str(&sb), -1, SQLITE_TRANSIENT);
				err = step_done(qv, w->db);
			}
		}
	}
	strbuf_release(&sb);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(qs);
	sqlite3_finalize(qv);
	return sq_wend(st, err);
}

#define RUN_COLS                                                                         \
	"r.id, r.period, r.from_at, r.to_at, r.version, r.computed_at, "                 \
	"coalesce(r.computed_by, 0), coalesce(u.username, ''), r.reason, r.definitions " \
	"FROM assess_runs r LEFT JOIN users u ON u.id = r.computed_by "

static void read_run(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assess_run *x = item;
	x->id = sqlite3_column_int64(q, 0);
	x->period = sq_col_text(a, q, 1);
	x->from = sqlite3_column_int64(q, 2);
	x->to = sqlite3_column_int64(q, 3);
	x->version = sqlite3_column_int(q, 4);
	x->computed_at = sqlite3_column_int64(q, 5);
	x->computed_by = sqlite3_column_int64(q, 6);
	x->computed_by_name = sq_col_text(a, q, 7);
	x->reason = sq_col_text(a, q, 8);
	x->definitions = sq_col_text(a, q, 9);
}

int store_assess_runs(struct store *st, struct arena *a, const char *period,
		      struct assess_run **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err =
		sq_prepare(c, "SELECT " RUN_COLS "WHERE r.period = ?1 ORDER BY r.version DESC", &q);
	if (!err) {
		sqlite3_bind_text(q, 1, period, -1, SQLITE_TRANSIENT);
		err = sq_collect(a, q, sizeof(**out), read_run, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

int store_assess_run_get(struct store *st, struct arena *a, const char *period, int version,
			 struct assess_run *out)
{
	struct assess_run *v;
	size_t n;
	int err = store_assess_runs(st, a, period, &v, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		if (!version || v[i].version == version) {
			*out = v[i];
			return 0;
		}
	return ERR_NOT_FOUND;
}

static void read_score(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assess_row *r = item;
	const unsigned char *t = sqlite3_column_text(q, 0);
	str_copy(r->unit, sizeof(r->unit), t ? (const char *)t : "");
	r->name = sq_col_text(a, q, 1);
	r->path = sq_col_text(a, q, 2);
	r->has_score = sqlite3_column_type(q, 3) != SQLITE_NULL;
	r->score = sqlite3_column_double(q, 3);
	r->manual = sqlite3_column_double(q, 4);
	r->rank = sqlite3_column_int(q, 5);
	r->tie = sqlite3_column_int(q, 6) != 0;
}

int store_assess_run_rows(struct store *st, struct arena *a, long long run_id,
			  enum assess_level level, const struct scope *sc, const char *const *codes,
			  size_t nind, struct assess_row **out, size_t *n, const char ***measures)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	const char *lname = assess_level_name(level);
	int err = sq_prepare(
		c,
		"SELECT unit, name, unit_path, score, manual, coalesce(rank, 0), tie FROM "
		"assess_scores WHERE run_id = ?1 AND level = ?2 AND " SCOPE_SQL(
			"unit_path", "?3", "?4") " ORDER BY unit",
		&q);
	if (!err) {
		sqlite3_bind_int64(q, 1, run_id);
		sqlite3_bind_text(q, 2, lname, -1, SQLITE_STATIC);
		sq_bind_scope(a, q, 3, sc);
		err = sq_collect(a, q, sizeof(**out), read_score, (void **)out, n);
		sqlite3_finalize(q);
	}
	struct assess_row *rows = *out;
	const char **ms = arena_zalloc(a, (*n * nind + 1) * sizeof(char *));
	for (size_t i = 0; i < *n * nind; i++)
		ms[i] = "{}";
	for (size_t i = 0; i < *n; i++)
		rows[i].v = arena_zalloc(a, (nind ? nind : 1) * sizeof(struct assess_value));
	if (!err && *n &&
	    !(err = sq_prepare(
		      c,
		      "SELECT unit, indicator, num, den, value, score, small, measures FROM "
		      "assess_values WHERE run_id = ?1 AND level = ?2 ORDER BY unit",
		      &q))) {
		sqlite3_bind_int64(q, 1, run_id);
		sqlite3_bind_text(q, 2, lname, -1, SQLITE_STATIC);
		size_t i = 0;
		int rc;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			const char *unit = (const char *)sqlite3_column_text(q, 0);
			const char *ind = (const char *)sqlite3_column_text(q, 1);
			while (i < *n && strcmp(rows[i].unit, unit) < 0)
				i++;
			if (i == *n)
				break;
			if (strcmp(rows[i].unit, unit))
				continue; /* outside the scope */
			for (size_t k = 0; k < nind; k++) {
				if (strcmp(codes[k], ind))
					continue;
				struct assess_value *x = &rows[i].v[k];
				x->has_value = sqlite3_column_type(q, 4) != SQLITE_NULL;
				x->num = sqlite3_column_double(q, 2);
				x->den = sqlite3_column_double(q, 3);
				x->value = sqlite3_column_double(q, 4);
				x->score = sqlite3_column_double(q, 5);
				int flags = sqlite3_column_int(q, 6);
				x->small = flags & 1;
				x->scored = (flags & 2) != 0;
				ms[i * nind + k] = sq_col_text(a, q, 7);
			}
		}
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			err = sq_map_rc(rc, c->db);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	*measures = ms;
	return err;
}

/* --- commendations --- */

int store_assess_commendations_add(struct store *st, const struct assess_commendation *v, size_t n)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(
		     w,
		     "INSERT OR IGNORE INTO assess_commendations (period, rule, level, unit, "
		     "name, unit_path, score, basis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		     &q)))
		return sq_wend(st, err);
	for (size_t i = 0; !err && i < n; i++) {
		sqlite3_bind_text(q, 1, v[i].period, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, v[i].rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, v[i].level, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, v[i].unit, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, v[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, v[i].unit_path, -1, SQLITE_STATIC);
		bind_opt(q, 7, v[i].has_score, v[i].score);
		sqlite3_bind_text(q, 8, v[i].basis ? v[i].basis : "", -1, SQLITE_STATIC);
		err = step_done(q, w->db);
	}
	sqlite3_finalize(q);
	return sq_wend(st, err);
}

#define COMM_COLS                                                                \
	"id, period, rule, level, unit, name, unit_path, score, basis, status, " \
	"coalesce(decided_by, 0), coalesce(decided_at, 0), note"

static void read_commendation(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct assess_commendation *x = item;
	x->id = sqlite3_column_int64(q, 0);
	x->period = sq_col_text(a, q, 1);
	x->rule = sq_col_text(a, q, 2);
	x->level = sq_col_text(a, q, 3);
	x->unit = sq_col_text(a, q, 4);
	x->name = sq_col_text(a, q, 5);
	x->unit_path = sq_col_text(a, q, 6);
	x->has_score = sqlite3_column_type(q, 7) != SQLITE_NULL;
	x->score = sqlite3_column_double(q, 7);
	x->basis = sq_col_text(a, q, 8);
	x->status = sq_col_text(a, q, 9);
	x->decided_by = sqlite3_column_int64(q, 10);
	x->decided_at = sqlite3_column_int64(q, 11);
	x->note = sq_col_text(a, q, 12);
}

int store_assess_commendations(struct store *st, struct arena *a, const struct scope *sc,
			       const char *period, struct assess_commendation **out, size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(
		c,
		"SELECT " COMM_COLS " FROM assess_commendations WHERE period = ?1 "
		"AND " SCOPE_SQL("unit_path", "?2", "?3") " ORDER BY rule, score DESC, unit",
		&q);
	if (!err) {
		sqlite3_bind_text(q, 1, period, -1, SQLITE_TRANSIENT);
		sq_bind_scope(a, q, 2, sc);
		err = sq_collect(a, q, sizeof(**out), read_commendation, (void **)out, n);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

int store_assess_commendation_get(struct store *st, struct arena *a, const struct scope *sc,
				  long long id, struct assess_commendation *out)
{
	return sq_get_scoped(st, a,
			     "SELECT " COMM_COLS " FROM assess_commendations WHERE id = ?1 "
			     "AND " SCOPE_SQL("unit_path", "?2", "?3"),
			     id, sc, read_commendation, out);
}

int store_assess_commendation_decide(struct store *st, const struct scope *sc, long long id,
				     const char *status, long long user_id, long long now,
				     const char *note)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q;
	if ((err = sq_prepare(w,
			      "UPDATE assess_commendations SET status = ?2, decided_by = ?3, "
			      "decided_at = ?4, note = ?5 WHERE id = ?1 AND status = 'candidate' "
			      "AND " SCOPE_SQL("unit_path", "?6", "?7"),
			      &q)))
		return sq_wend(st, err);
	struct arena *a = arena_new();
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, user_id);
	sqlite3_bind_int64(q, 4, now);
	sqlite3_bind_text(q, 5, note ? note : "", -1, SQLITE_STATIC);
	sq_bind_scope(a, q, 6, sc);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	arena_free(a);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	return sq_wend(st, sqlite3_changes(w->db) ? 0 : ERR_CONFLICT);
}

int store_assess_late_count(struct store *st, enum assess_level level, const char *unit_key,
			    long long from, long long to, long long *count)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM event_facts f WHERE (%s OR %s) AND f.late AND %s", COHORT_R,
		 COHORT_G, unit_sql(level));
	struct conn *c = sq_racquire(st);
	struct arena *a = arena_new();
	sqlite3_stmt *q;
	int err = sq_prepare(c, sql, &q);
	if (!err) {
		sqlite3_bind_int64(q, 1, from);
		sqlite3_bind_int64(q, 2, to);
		bind_unit(a, q, level, unit_key);
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			*count = sqlite3_column_int64(q, 0);
		else
			err = sq_map_rc(rc, c->db);
		sqlite3_finalize(q);
	}
	arena_free(a);
	sq_rrelease(st, c);
	return err;
}
