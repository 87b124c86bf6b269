/*
 * h_stats.c - the cockpit's numbers, from the roll-up tables the database
 * keeps in the same transaction as every change (event_counts, event_daily):
 * a handful of rows per grid, never a scan of the events.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>

/* the path segment right below prefix: "/a/b/" under "/a/" is "b" */
static const char *child_of(struct arena *a, const char *path, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (strncmp(path, prefix, pl) || !path[pl])
		return NULL;
	const char *s = path + pl, *e = strchr(s, '/');
	return e ? arena_strndup(a, s, (size_t)(e - s)) : NULL;
}

static bool open_state(const char *state)
{
	int s = wf_state_parse(&wf_event, state);
	return s >= 0 && !(wf_event.states[s].flags & WF_TERMINAL);
}

static void release_json(void *p)
{
	json_decref(p);
}

/* the last segment of an org path: "/a/b/" is "b" */
static const char *last_segment(struct arena *a, const char *path)
{
	size_t n = strlen(path);
	const char *end = path + (n ? n - 1 : 0), *start = end;
	while (start > path && start[-1] != '/')
		start--;
	return arena_strndup(a, start, (size_t)(end - start));
}

static int path_depth(const char *path)
{
	int d = 0;
	for (const char *p = path; *p; p++)
		d += *p == '/';
	return d - 2; /* "/d/" is 0, a grid "/d/s/c/g/" is 3 */
}

/* open and overdue by department, the rest not yet dispatched */
static int departments(struct app *app, struct http_request *r, struct principal *who,
		       const struct org *o, json_t *j)
{
	struct assignee_row *v;
	size_t n;
	int err = store_event_assignee_counts(app->st, r->arena, &who->scope, o->path, &v, &n);
	if (err)
		return err;
	const char **codes = arena_alloc(r->arena, (n + 1) * sizeof(*codes));
	long long *open = arena_zalloc(r->arena, (n + 1) * sizeof(*open));
	long long *late = arena_zalloc(r->arena, (n + 1) * sizeof(*late));
	size_t k = 0;
	long long undispatched = 0;
	for (size_t i = 0; i < n; i++) {
		if (!*v[i].assignee) {
			undispatched += v[i].open;
			continue;
		}
		size_t d = 0;
		while (d < k && strcmp(codes[d], v[i].assignee))
			d++;
		if (d == k)
			codes[k++] = v[i].assignee;
		open[d] += v[i].open;
		late[d] += v[i].overdue;
	}
	/* most overdue first, then most open */
	for (size_t a = 1; a < k; a++)
		for (size_t b = a; b > 0 && (late[b] > late[b - 1] ||
					     (late[b] == late[b - 1] && open[b] > open[b - 1]));
		     b--) {
			const char *tc = codes[b];
			long long to = open[b], tl = late[b];
			codes[b] = codes[b - 1], open[b] = open[b - 1], late[b] = late[b - 1];
			codes[b - 1] = tc, open[b - 1] = to, late[b - 1] = tl;
		}
	struct scope all = { .all = true };
	json_t *arr = json_array();
	for (size_t d = 0; d < k; d++) {
		struct org dept;
		const char *name =
			!store_org_get(app->st, r->arena, &all, codes[d], &dept) ? dept.name : "";
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I}", "code", codes[d], "name",
						     name, "open", (json_int_t)open[d], "overdue",
						     (json_int_t)late[d]));
	}
	json_object_set_new(j, "departments", arr);
	json_object_set_new(j, "undispatched", json_integer(undispatched));
	return 0;
}

/* all, open and overdue by category, most reported first */
static int categories(struct app *app, struct http_request *r, struct principal *who,
		      const struct org *o, json_t *j)
{
	struct category_row *v;
	struct category *cats;
	size_t n, nc;
	int err = store_event_category_counts(app->st, r->arena, &who->scope, o->path, &v, &n);
	if (!err)
		err = store_category_list(app->st, r->arena, &cats, &nc);
	if (err)
		return err;
	long long *t = arena_zalloc(r->arena, (nc + 1) * 3 * sizeof(*t));
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < nc; c++)
			if (!strcmp(cats[c].code, v[i].category)) {
				t[3 * c] += v[i].n;
				t[3 * c + 1] += v[i].open;
				t[3 * c + 2] += v[i].overdue;
				break;
			}
	json_t *arr = json_array();
	for (;;) {
		size_t best = nc;
		for (size_t c = 0; c < nc; c++)
			if (t[3 * c] > 0 && (best == nc || t[3 * c] > t[3 * best]))
				best = c;
		if (best == nc)
			break;
		json_array_append_new(
			arr, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "code", cats[best].code,
				       "class", cats[best].parent, "name", cats[best].name, "total",
				       (json_int_t)t[3 * best], "open", (json_int_t)t[3 * best + 1],
				       "overdue", (json_int_t)t[3 * best + 2]));
		t[3 * best] = 0;
	}
	json_object_set_new(j, "categories", arr);
	return 0;
}

/* the open overdue events, longest overdue first */
static int overdue_list(struct app *app, struct http_request *r, struct principal *who,
			const struct org *o, int top, json_t *j)
{
	long long *ids;
	size_t n;
	int err = store_event_overdue_ids(app->st, r->arena, &who->scope, o->path, top, &ids, &n);
	if (err)
		return err;
	long long now = app->now();
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		struct event e;
		if (store_event_get(app->st, r->arena, &who->scope, ids[i], &e))
			continue; /* changed meanwhile */
		json_t *x = json_pack(
			"{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:I}", "id", (json_int_t)e.id,
			"receipt", e.receipt, "title", e.title, "category", e.category, "state",
			wf_state_name(&wf_event, e.state), "state_zh", wf_event.states[e.state].zh,
			"assignee", e.assignee, "level", e.level, "deadline_at",
			api_time_json(e.deadline_at), "overdue_s",
			(json_int_t)(e.deadline_at && e.deadline_at < now ? now - e.deadline_at
									  : 0));
		json_object_set_new(x, "grid",
				    *e.grid_code ? json_string(e.grid_code) : json_null());
		json_array_append_new(arr, x);
	}
	json_object_set_new(j, "overdue_list", arr);
	return 0;
}

int h_stats_events(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long days, top;
	int err;
	if ((err = api_query_int(r, "days", 1, 366, 30, &days)) ||
	    (err = api_query_int(r, "top", 0, 100, 10, &top)))
		return err;
	const char *code = http_query(r, "org");
	struct org o;
	if (code) {
		if (store_org_get(app->st, r->arena, &who->scope, code, &o))
			return http_error(r, ERR_BAD_QUERY, "no org '%.24s' in your scope", code);
	} else {
		/* the scope root: the last segment of the scope path */
		const char *p = who->scope.root_path;
		size_t n = strlen(p);
		const char *end = p + (n ? n - 1 : 0), *start = end;
		while (start > p && start[-1] != '/')
			start--;
		char *root = arena_strndup(r->arena, start, (size_t)(end - start));
		if ((err = store_org_get(app->st, r->arena, &who->scope, root, &o)))
			return err;
	}
	struct count_row *rows;
	size_t nrows;
	if ((err = store_event_counts(app->st, r->arena, &who->scope, o.path, &rows, &nrows)))
		return err;
	json_t *by_state = json_object();
	for (int s = 0; s < wf_event.nstates; s++)
		json_object_set_new(by_state, wf_event.states[s].name, json_integer(0));
	long long total = 0, open = 0, overdue = 0;
	/* children: the org's direct children that are places (not departments) */
	struct org *kids;
	size_t nkids;
	if ((err = store_org_children(app->st, r->arena, &who->scope, o.code, &kids, &nkids)))
		return err;
	long long *kt = arena_zalloc(r->arena, (nkids + 1) * 3 * sizeof(long long));
	/* open and overdue per grid, for colouring the map */
	json_t *grids = json_object();
	arena_defer(r->arena, release_json, grids);
	for (size_t i = 0; i < nrows; i++) {
		if (path_depth(rows[i].org_path) == 3 && open_state(rows[i].state)) {
			const char *g = last_segment(r->arena, rows[i].org_path);
			json_t *cur = json_object_get(grids, g);
			if (!cur) {
				cur = json_pack("{s:s,s:I,s:I}", "code", g, "open", (json_int_t)0,
						"overdue", (json_int_t)0);
				json_object_set_new(grids, g, cur);
			}
			json_object_set_new(
				cur, "open",
				json_integer(json_integer_value(json_object_get(cur, "open")) +
					     rows[i].n));
			json_object_set_new(
				cur, "overdue",
				json_integer(json_integer_value(json_object_get(cur, "overdue")) +
					     rows[i].overdue));
		}
	}
	for (size_t i = 0; i < nrows; i++) {
		json_t *cur = json_object_get(by_state, rows[i].state);
		json_object_set_new(by_state, rows[i].state,
				    json_integer((cur ? json_integer_value(cur) : 0) + rows[i].n));
		bool is_open = open_state(rows[i].state);
		total += rows[i].n;
		if (is_open) {
			open += rows[i].n;
			overdue += rows[i].overdue;
		}
		const char *kid = child_of(r->arena, rows[i].org_path, o.path);
		for (size_t k = 0; kid && k < nkids; k++) {
			if (strcmp(kids[k].code, kid))
				continue;
			kt[3 * k] += rows[i].n;
			if (is_open) {
				kt[3 * k + 1] += rows[i].n;
				kt[3 * k + 2] += rows[i].overdue;
			}
		}
	}
	json_t *children = json_array();
	for (size_t k = 0; k < nkids; k++) {
		if (kids[k].kind == ORG_DEPARTMENT)
			continue;
		json_array_append_new(children, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "code",
							  kids[k].code, "name", kids[k].name,
							  "kind", org_kind_name(kids[k].kind),
							  "total", (json_int_t)kt[3 * k], "open",
							  (json_int_t)kt[3 * k + 1], "overdue",
							  (json_int_t)kt[3 * k + 2]));
	}
	/* days: today, this month, and the trend */
	long today = cal_day_of(app->now());
	int y, m, d;
	cal_civil(today, &y, &m, &d);
	long month_start = cal_day_from_civil(y, m, 1), from = today - days + 1;
	if (month_start < from)
		from = month_start;
	struct daily_row *dr;
	size_t nd;
	if ((err = store_event_daily(app->st, r->arena, &who->scope, o.path, from, today, &dr,
				     &nd)))
		return err;
	long long *rep = arena_zalloc(r->arena, (size_t)(today - from + 1) * sizeof(long long));
	long long *clo = arena_zalloc(r->arena, (size_t)(today - from + 1) * sizeof(long long));
	for (size_t i = 0; i < nd; i++) {
		rep[dr[i].day - from] += dr[i].reported;
		clo[dr[i].day - from] += dr[i].closed;
	}
	long long tr = rep[today - from], tc = clo[today - from], mr = 0, mc = 0;
	json_t *trend = json_array();
	for (long dd = from; dd <= today; dd++) {
		if (dd >= month_start) {
			mr += rep[dd - from];
			mc += clo[dd - from];
		}
		if (dd > today - days) {
			int yy, mm, ddd;
			cal_civil(dd, &yy, &mm, &ddd);
			json_array_append_new(
				trend,
				json_pack("{s:s,s:I,s:I}", "date",
					  arena_printf(r->arena, "%04d-%02d-%02d", yy, mm, ddd),
					  "reported", (json_int_t)rep[dd - from], "closed",
					  (json_int_t)clo[dd - from]));
		}
	}
	json_t *j = json_pack(
		"{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:{s:I,s:I},s:{s:I,s:I},s:o}", "org", o.code,
		"name", o.name, "total", (json_int_t)total, "open", (json_int_t)open, "overdue",
		(json_int_t)overdue, "resolved",
		(json_int_t)json_integer_value(json_object_get(by_state, "closed")), "not_resolved",
		(json_int_t)(json_integer_value(json_object_get(by_state, "rejected")) +
			     json_integer_value(json_object_get(by_state, "merged")) +
			     json_integer_value(json_object_get(by_state, "voided"))),
		"by_state", by_state, "children", children, "today", "reported", (json_int_t)tr,
		"closed", (json_int_t)tc, "month", "reported", (json_int_t)mr, "closed",
		(json_int_t)mc, "trend", trend);
	json_t *garr = json_array();
	const char *gk;
	json_t *gv;
	json_object_foreach (grids, gk, gv)
		json_array_append(garr, gv);
	json_object_set_new(j, "grids", garr);
	if ((err = departments(app, r, who, &o, j)) || (err = categories(app, r, who, &o, j)) ||
	    (err = overdue_list(app, r, who, &o, (int)top, j))) {
		json_decref(j);
		return err;
	}
	http_reply_json(r, 200, j);
	return 0;
}
