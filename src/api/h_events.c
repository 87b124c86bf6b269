/*
 * h_events.c - categories and events: report, list and search, read with
 * timeline and the actions the caller may take, act.
 *
 * Times are RFC 3339 in UTC. An event outside the caller's scope answers
 * 404 like a missing one.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* path segment k (0: district) of an org path, or NULL */
static json_t *segment(const char *path, int k)
{
	const char *p = path;
	for (int i = 0; i <= k; i++) {
		p = strchr(p, '/');
		if (!p || !p[1])
			return json_null();
		p++;
	}
	const char *e = strchr(p, '/');
	return e ? json_stringn(p, (size_t)(e - p)) : json_null();
}

static const char *const warn_names[] = { "none", "yellow", "red" };

json_t *api_event_json(const struct event *e);
json_t *api_event_json(const struct event *e)
{
	json_t *j = json_pack("{s:I,s:s,s:s,s:i,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:I,s:s,s:i,s:i,s:i}",
			      "id", (json_int_t)e->id, "receipt", e->receipt, "category",
			      e->category, "urgency", e->urgency, "title", e->title, "description",
			      e->description, "address", e->address, "outside", e->outside,
			      "source", e->source, "state", wf_state_name(&wf_event, e->state),
			      "state_zh", wf_event.states[e->state].zh, "version",
			      (json_int_t)e->version, "assignee", e->assignee, "level", e->level,
			      "reworks", e->reworks, "supervisions", e->supervisions);
	json_object_set_new(j, "point",
			    e->has_point ? json_pack("{s:f,s:f}", "lon", e->lon, "lat", e->lat)
					 : json_null());
	json_object_set_new(j, "grid", *e->grid_code ? json_string(e->grid_code) : json_null());
	json_object_set_new(j, "community", *e->grid_code ? segment(e->org_path, 2) : json_null());
	json_object_set_new(j, "street", *e->grid_code ? segment(e->org_path, 1) : json_null());
	json_object_set_new(j, "district", segment(e->org_path, 0));
	json_object_set_new(j, "pending",
			    json_pack("{s:b,s:b}", "extension", (e->pending & WF_PENDING_EXT) != 0,
				      "suspension", (e->pending & WF_PENDING_SUSP) != 0));
	if (e->pending & WF_PENDING_EXT)
		json_object_set_new(j, "extension_days", json_integer(e->ext_days));
	json_object_set_new(j, "deadline_at", api_time_json(e->deadline_at));
	json_object_set_new(j, "warn_at", api_time_json(e->warn_at));
	json_object_set_new(j, "escalate_at", api_time_json(e->escalate_at));
	json_object_set_new(j, "paused_left_s", json_integer(e->paused_left));
	json_object_set_new(j, "warning",
			    json_string(warn_names[e->warn < 0 || e->warn > 2 ? 0 : e->warn]));
	json_object_set_new(j, "merged_into",
			    e->merged_into ? json_integer(e->merged_into) : json_null());
	json_object_set_new(j, "rating", e->rating ? json_integer(e->rating) : json_null());
	json_object_set_new(j, "created_at", api_time_json(e->created_at));
	json_object_set_new(j, "updated_at", api_time_json(e->updated_at));
	json_object_set_new(j, "closed_at", api_time_json(e->closed_at));
	return j;
}

static const char *const stage_names[WF_STAGE__COUNT] = { "",       "register", "dispatch",
							  "accept", "handle",   "verify",
							  "close" };

static json_t *category_json(const struct category *c)
{
	json_t *j = json_pack("{s:s,s:s,s:s,s:b}", "code", c->code, "name", c->name, "name_en",
			      c->name_en, "enabled", c->enabled);
	json_object_set_new(j, "parent", *c->parent ? json_string(c->parent) : json_null());
	if (*c->parent) {
		json_object_set_new(j, "department", json_string(c->department));
		json_t *d = json_object();
		for (int s = 1; s < WF_STAGE__COUNT; s++)
			json_object_set_new(d, stage_names[s], json_integer(c->stage_s[s]));
		json_object_set_new(d, "handle_urgent", json_integer(c->handle_urgent_s));
		json_object_set_new(d, "handle_critical", json_integer(c->handle_critical_s));
		json_object_set_new(j, "deadlines_s", d);
	}
	return j;
}

int h_categories(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct category *v;
	size_t n;
	int err = store_category_list(app->st, r->arena, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, category_json(&v[i]));
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}

static void release_json(void *p)
{
	json_decref(p);
}

static char *dump(struct arena *a, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	char *out = arena_strdup(a, s ? s : "{}");
	free(s);
	return out;
}

int h_category_put(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "name",    "name_en",     "department",
					    "enabled", "deadlines_s", NULL };
	struct category c;
	int err = store_category_get(app->st, r->arena, r->params[0], &c);
	if (err == ERR_NOT_FOUND)
		return http_error(r, err, "no category '%.10s'", r->params[0]);
	if (err)
		return err;
	json_t *before = category_json(&c);
	arena_defer(r->arena, release_json, before);
	const char *name = NULL, *name_en = NULL, *dept = NULL;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "name", false, 50, &name)) ||
	    (err = api_str(r, body, "name_en", false, 100, &name_en)) ||
	    (err = api_str(r, body, "department", false, 4, &dept)))
		return err;
	if (name) {
		if (!*name)
			return http_error(r, ERR_BAD_VALUE, "field 'name' must not be empty");
		c.name = name;
	}
	if (name_en)
		c.name_en = name_en;
	json_t *en = json_object_get(body, "enabled");
	if (en && !json_is_boolean(en))
		return http_error(r, ERR_BAD_TYPE, "field 'enabled' must be true or false");
	if (en)
		c.enabled = json_is_true(en);
	if (dept) {
		const char *dp = dept[0] == 'S' ? dept + 1 : dept;
		if (!*c.parent)
			return http_error(r, ERR_BAD_VALUE, "a class has no department");
		if (strlen(dp) != 3 || dp[0] != 'D' || !str_is_digits(dp + 1, 2))
			return http_error(r, ERR_BAD_VALUE,
					  "field 'department' must be like D01 or SD01");
		str_copy(c.department, sizeof(c.department), dept);
	}
	json_t *dl = json_object_get(body, "deadlines_s");
	if (dl) {
		if (!json_is_object(dl) || !*c.parent)
			return http_error(r, ERR_BAD_TYPE,
					  "field 'deadlines_s' must be an object of seconds "
					  "(categories only)");
		const char *k;
		json_t *v;
		json_object_foreach (dl, k, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 60 ||
			    json_integer_value(v) > 365LL * 86400)
				return http_error(
					r, ERR_BAD_VALUE,
					"deadline '%.20s' must be whole seconds from 60 to a year",
					k);
			long long secs = json_integer_value(v);
			int s;
			for (s = 1; s < WF_STAGE__COUNT; s++)
				if (!strcmp(k, stage_names[s]))
					break;
			if (s < WF_STAGE__COUNT)
				c.stage_s[s] = secs;
			else if (!strcmp(k, "handle_urgent"))
				c.handle_urgent_s = secs;
			else if (!strcmp(k, "handle_critical"))
				c.handle_critical_s = secs;
			else
				return http_error(r, ERR_BAD_VALUE, "no deadline stage '%.20s'", k);
		}
	}
	json_t *after = category_json(&c);
	arena_defer(r->arena, release_json, after);
	if (json_equal(before, after)) {
		http_reply_json(r, 200, json_incref(after));
		return 0;
	}
	if ((err = store_category_change(app->st, &c, who->user_id, app->now(),
					 dump(r->arena, before), dump(r->arena, after))))
		return err;
	http_reply_json(r, 200, json_incref(after));
	return 0;
}

int h_category_history(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct category c;
	int err = store_category_get(app->st, r->arena, r->params[0], &c);
	if (err == ERR_NOT_FOUND)
		return http_error(r, err, "no category '%.10s'", r->params[0]);
	if (err)
		return err;
	struct category_change *v;
	size_t n;
	if ((err = store_category_history(app->st, r->arena, c.code, &v, &n)))
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *b = json_loads(v[i].before, 0, NULL), *a = json_loads(v[i].after, 0, NULL);
		json_array_append_new(
			items, json_pack("{s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)v[i].id, "user",
					 v[i].user, "at", api_time_json(v[i].at), "before",
					 b ? b : json_null(), "after", a ? a : json_null()));
	}
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}

static int get_number(struct http_request *r, json_t *obj, const char *key, bool *has, double *out)
{
	json_t *v = json_object_get(obj, key);
	*has = v && !json_is_null(v);
	if (!*has)
		return 0;
	if (!json_is_number(v))
		return http_error(r, ERR_BAD_TYPE, "field '%s' must be a number", key);
	*out = json_number_value(v);
	return 0;
}

int h_event_create(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "category",    "urgency",  "title",
					    "description", "address",  "lon",
					    "lat",         "reporter", NULL };
	struct event_input in = { 0 };
	struct pii_contact contact;
	long long urgency = 1;
	bool has_lon, has_lat;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "category", true, 8, &in.category)) ||
	    (err = api_str(r, body, "title", true, 100, &in.title)) ||
	    (err = api_str(r, body, "description", false, 2000, &in.description)) ||
	    (err = api_str(r, body, "address", false, 200, &in.address)) ||
	    (err = api_int(r, body, "urgency", false, 1, 3, &urgency)) ||
	    (err = get_number(r, body, "lon", &has_lon, &in.lon)) ||
	    (err = get_number(r, body, "lat", &has_lat, &in.lat)) ||
	    (err = api_reporter_parse(r, body, &contact)))
		return err;
	in.contact = &contact;
	if (has_lon != has_lat)
		return http_error(r, ERR_MISSING, "give both 'lon' and 'lat', or neither");
	in.has_point = has_lon;
	in.urgency = (int)urgency;
	in.source = (who->roles & ROLE(GRID_WORKER)) ? "grid_worker"
		    : (who->roles & ROLE(CENTRE))    ? "centre"
		    : (who->roles & ROLE(HANDLER))   ? "department"
						     : "staff";
	struct event e, *dups;
	size_t ndups;
	char why[256];
	err = event_create(&app->ev, r->arena, who, &in, &e, &dups, &ndups, why, sizeof(why));
	if (err)
		return http_error(r, err, "%s", why);
	json_t *dj = json_array();
	for (size_t i = 0; i < ndups; i++)
		json_array_append_new(dj, api_event_json(&dups[i]));
	json_t *j = api_event_json(&e);
	json_object_set_new(j, "duplicates", dj);
	if (!pii_contact_empty(&contact))
		json_object_set_new(j, "reporter", api_reporter_masked(app, r, e.id));
	http_add_header(r, "Location", arena_printf(r->arena, "/api/v1/events/%lld", e.id));
	http_reply_json(r, 201, j);
	return 0;
}

static int parse_id(struct http_request *r, const char *s, long long *id)
{
	if (str_to_ll(s, 1, (long long)1 << 53, id))
		return http_error(r, ERR_NOT_FOUND, "no event '%.20s'", s);
	return 0;
}

static json_t *timeline_json(struct arena *a, const struct event_action *v, size_t n)
{
	(void)a;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *data = json_loads(v[i].data, 0, NULL);
		json_array_append_new(items,
				      json_pack("{s:I,s:o,s:s,s:s,s:s,s:s,s:s,s:o}", "id",
						(json_int_t)v[i].id, "at", api_time_json(v[i].at),
						"actor", v[i].actor, "action", v[i].action, "from",
						v[i].from, "to", v[i].to, "note", v[i].note, "data",
						data ? data : json_object()));
	}
	return items;
}

static json_t *actions_json(const struct principal *who, const struct event *e)
{
	unsigned roles = who->roles;
	if (e->reporter_id && e->reporter_id == who->user_id)
		roles |= WF_REPORTER;
	const struct wf_transition *t[32];
	int n = wf_available(&wf_event, e->state, e->pending, roles, t, 32);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		bool handler_only =
			(t[i]->roles & ROLE(HANDLER)) && !(t[i]->roles & roles & ~ROLE(HANDLER));
		if (handler_only && strcmp(e->assignee, who->org_code))
			continue;
		json_t *needs = json_array();
		static const struct {
			unsigned bit;
			const char *name;
		} nm[] = { { WF_NEED_REASON, "reason" },     { WF_NEED_ASSIGNEE, "assignee" },
			   { WF_NEED_EVIDENCE, "evidence" }, { WF_NEED_DAYS, "days" },
			   { WF_NEED_TARGET, "target" },     { WF_NEED_RATING, "rating" },
			   { WF_NEED_NOTE, "note" } };
		for (size_t k = 0; k < sizeof(nm) / sizeof(nm[0]); k++)
			if (t[i]->needs & nm[k].bit)
				json_array_append_new(needs, json_string(nm[k].name));
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "action", t[i]->action,
						     "name_zh", t[i]->zh, "needs", needs));
	}
	return arr;
}

int h_event_get(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long id;
	struct event e;
	int err = parse_id(r, r->params[0], &id);
	if (err)
		return err;
	if ((err = store_event_get(app->st, r->arena, &who->scope, id, &e)))
		return err == ERR_NOT_FOUND ? http_error(r, err, "no event '%lld'", id) : err;
	struct event_action *v;
	size_t n;
	if ((err = store_event_actions(app->st, r->arena, id, &v, &n)))
		return err;
	json_t *j = api_event_json(&e);
	struct category cat;
	if (!store_category_get(app->st, r->arena, e.category, &cat)) {
		char route[ORG_CODE_MAX];
		event_route(&e, &cat, route);
		json_object_set_new(j, "suggested_assignee", json_string(route));
	}
	json_object_set_new(j, "timeline", timeline_json(r->arena, v, n));
	json_object_set_new(j, "actions", actions_json(who, &e));
	json_object_set_new(j, "reporter", api_reporter_masked(app, r, e.id));
	http_reply_json(r, 200, j);
	return 0;
}

int h_event_timeline(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long id;
	struct event e;
	int err = parse_id(r, r->params[0], &id);
	if (err)
		return err;
	if ((err = store_event_get(app->st, r->arena, &who->scope, id, &e)))
		return err == ERR_NOT_FOUND ? http_error(r, err, "no event '%lld'", id) : err;
	struct event_action *v;
	size_t n;
	if ((err = store_event_actions(app->st, r->arena, id, &v, &n)))
		return err;
	http_reply_json(r, 200, json_pack("{s:o}", "items", timeline_json(r->arena, v, n)));
	return 0;
}

/* the merge target: an event id, as a number (as events carry it) or a string */
static int target_field(struct http_request *r, json_t *body, const char **out)
{
	json_t *v = json_object_get(body, "target");
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*out = arena_printf(r->arena, "%lld", (long long)json_integer_value(v));
		return 0;
	}
	return api_str(r, body, "target", false, 20, out);
}

int h_event_act(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "reason", "note",   "assignee", "target",
					    "days",   "rating", "version",  NULL };
	long long id, days = 0, rating = 0, version = 0;
	struct wf_input in = { 0 };
	int err = parse_id(r, r->params[0], &id);
	if (err || (err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "reason", false, 500, &in.reason)) ||
	    (err = api_str(r, body, "note", false, 2000, &in.note)) ||
	    (err = api_str(r, body, "assignee", false, 23, &in.assignee)) ||
	    (err = target_field(r, body, &in.target)) ||
	    (err = api_int(r, body, "days", false, -1000, 1000, &days)) ||
	    (err = api_int(r, body, "rating", false, -1000, 1000, &rating)) ||
	    (err = api_int(r, body, "version", false, 1, 1LL << 40, &version)))
		return err;
	in.days = (int)days;
	in.rating = (int)rating;
	/* photos sent during this stage count as evidence */
	store_attachment_count_stage(app->st, id, &in.attachments);
	/* a given version is a precondition, like If-Match, checked with the update */
	struct event e;
	char why[256] = "";
	err = event_act(&app->ev, r->arena, who, id, r->params[1], &in, (int)version, &e, why,
			sizeof(why));
	if (err)
		return *why ? http_error(r, err, "%s", why) : err;
	http_reply_json(r, 200, api_event_json(&e));
	return 0;
}

/* "YYYY-MM-DD" (a local day) into the unix time of its start */
static int query_day(struct http_request *r, const char *key, long long *out)
{
	const char *v = http_query(r, key);
	*out = 0;
	if (!v)
		return 0;
	int y, m, d;
	char tail;
	if (sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(v) != 10 || y < 1970 ||
	    y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter '%s' must be a date YYYY-MM-DD", key);
	long day = cal_day_from_civil(y, m, d);
	int yy, mm, dd;
	cal_civil(day, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return http_error(r, ERR_BAD_QUERY, "query parameter '%s': %s is not a date", key,
				  v);
	*out = (long long)day * 86400 - CAL_TZ_OFFSET;
	return 0;
}

int h_event_list(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct event_filter f = { 0 };
	long long urgency, limit, cursor;
	int err;
	if ((err = api_query_int(r, "urgency", 1, 3, 0, &urgency)) ||
	    (err = api_query_int(r, "limit", 1, 100, 20, &limit)) ||
	    (err = api_query_int(r, "cursor", 1, 1LL << 53, 0, &cursor)) ||
	    (err = query_day(r, "from", &f.from)) || (err = query_day(r, "to", &f.to)))
		return err;
	if (f.to)
		f.to += 86400; /* "to" includes that day */
	f.urgency = (int)urgency;
	f.limit = (int)limit;
	f.before_id = cursor;
	f.states = http_query(r, "state");
	if (f.states) {
		char *copy = arena_strdup(r->arena, f.states), *save = NULL;
		for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save))
			if (wf_state_parse(&wf_event, s) < 0)
				return http_error(r, ERR_BAD_QUERY, "unknown state '%.20s'", s);
	}
	f.category = http_query(r, "category");
	if (f.category &&
	    (strlen(f.category) > 4 || !str_is_digits(f.category, strlen(f.category))))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter 'category' must be a category code");
	f.org = http_query(r, "org");
	f.grid = http_query(r, "grid");
	f.assignee = http_query(r, "assignee");
	const char *overdue = http_query(r, "overdue");
	if (overdue && strcmp(overdue, "true") && strcmp(overdue, "false"))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter 'overdue' must be true or false");
	f.overdue = !overdue ? 0 : !strcmp(overdue, "true") ? 1 : 2;
	f.q = http_query(r, "q");
	if (f.q && (!str_utf8_valid(f.q, strlen(f.q)) || str_utf8_len(f.q) > 100))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter 'q' must be at most 100 characters");
	if ((err = api_reporter_filter(app, r, who, &f)))
		return err;
	if (f.org) {
		struct org o;
		if (store_org_get(app->st, r->arena, &who->scope, f.org, &o))
			return http_error(r, ERR_BAD_QUERY, "no org '%.24s' in your scope", f.org);
	}
	struct event *v;
	size_t n;
	long long total;
	if ((err = store_event_list(app->st, r->arena, &who->scope, &f, &v, &n, &total)))
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, api_event_json(&v[i]));
	/* counted totals stop at the cap; roll-up totals are exact at any size */
	bool capped = total > EVENT_TOTAL_CAP &&
		      (f.category || f.grid || f.assignee || f.urgency || f.from || f.to ||
		       f.overdue || (f.q && *f.q) || f.bidx_col);
	json_t *j =
		json_pack("{s:o,s:I,s:b}", "items", items, "total",
			  (json_int_t)(capped ? EVENT_TOTAL_CAP : total), "total_capped", capped);
	json_object_set_new(j, "next_cursor",
			    n == (size_t)f.limit && n
				    ? json_string(arena_printf(r->arena, "%lld", v[n - 1].id))
				    : json_null());
	http_reply_json(r, 200, j);
	return 0;
}
