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

int h_stats_events(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long days;
	int err;
	if ((err = api_query_int(r, "days", 1, 366, 30, &days)))
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
	http_reply_json(r, 200, j);
	return 0;
}
