/*
 * h_events.c - categories and events: report, list and search, read with
 * timeline and the actions the caller may take, act.
 *
 * Times are RFC 3339 in UTC. An event outside the caller's scope answers
 * 404 like a missing one.
 */
#include "api/api.h"
#include "api/evcache.h"
#include "api/jw.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* path segment k (0: district) of an org path as a string, or null */
static void segment(struct strbuf *sb, const char *path, int k)
{
	const char *p = path;
	for (int i = 0; i <= k; i++) {
		p = strchr(p, '/');
		if (!p || !p[1]) {
			jw_null(sb);
			return;
		}
		p++;
	}
	const char *e = strchr(p, '/');
	if (e)
		jw_strn(sb, p, (size_t)(e - p));
	else
		jw_null(sb);
}

static const char *const warn_names[] = { "none", "yellow", "red" };

/* The event's members, for the caller to wrap in braces with more of its own. */
static void event_fields(struct strbuf *sb, const struct event *e)
{
	JW_KEY(sb, "id");
	jw_int(sb, e->id);
	JW_KEY(sb, "receipt");
	jw_str(sb, e->receipt);
	JW_KEY(sb, "category");
	jw_str(sb, e->category);
	JW_KEY(sb, "urgency");
	jw_int(sb, e->urgency);
	JW_KEY(sb, "title");
	jw_str(sb, e->title);
	JW_KEY(sb, "description");
	jw_str(sb, e->description);
	JW_KEY(sb, "address");
	jw_str(sb, e->address);
	JW_KEY(sb, "outside");
	jw_bool(sb, e->outside);
	JW_KEY(sb, "source");
	jw_str(sb, e->source);
	JW_KEY(sb, "state");
	jw_str(sb, wf_state_name(&wf_event, e->state));
	JW_KEY(sb, "state_zh");
	jw_str(sb, wf_event.states[e->state].zh);
	JW_KEY(sb, "version");
	jw_int(sb, e->version);
	JW_KEY(sb, "assignee");
	jw_str(sb, e->assignee);
	JW_KEY(sb, "level");
	jw_int(sb, e->level);
	JW_KEY(sb, "reworks");
	jw_int(sb, e->reworks);
	JW_KEY(sb, "supervisions");
	jw_int(sb, e->supervisions);
	JW_KEY(sb, "point");
	if (e->has_point) {
		jw_lit(sb, "{\"lon\":");
		jw_real(sb, e->lon);
		jw_lit(sb, ",\"lat\":");
		jw_real(sb, e->lat);
		jw_lit(sb, "}");
	} else {
		jw_null(sb);
	}
	bool in_grid = e->grid_code && *e->grid_code;
	JW_KEY(sb, "grid");
	if (in_grid)
		jw_str(sb, e->grid_code);
	else
		jw_null(sb);
	JW_KEY(sb, "community");
	if (in_grid)
		segment(sb, e->org_path, 2);
	else
		jw_null(sb);
	JW_KEY(sb, "street");
	if (in_grid)
		segment(sb, e->org_path, 1);
	else
		jw_null(sb);
	JW_KEY(sb, "district");
	segment(sb, e->org_path, 0);
	JW_KEY(sb, "pending");
	jw_lit(sb, "{\"extension\":");
	jw_bool(sb, (e->pending & WF_PENDING_EXT) != 0);
	jw_lit(sb, ",\"suspension\":");
	jw_bool(sb, (e->pending & WF_PENDING_SUSP) != 0);
	jw_lit(sb, "}");
	if (e->pending & WF_PENDING_EXT) {
		JW_KEY(sb, "extension_days");
		jw_int(sb, e->ext_days);
	}
	JW_KEY(sb, "deadline_at");
	jw_time(sb, e->deadline_at);
	JW_KEY(sb, "warn_at");
	jw_time(sb, e->warn_at);
	JW_KEY(sb, "escalate_at");
	jw_time(sb, e->escalate_at);
	JW_KEY(sb, "paused_left_s");
	jw_int(sb, e->paused_left);
	JW_KEY(sb, "warning");
	jw_str(sb, warn_names[e->warn < 0 || e->warn > 2 ? 0 : e->warn]);
	JW_KEY(sb, "merged_into");
	if (e->merged_into)
		jw_int(sb, e->merged_into);
	else
		jw_null(sb);
	JW_KEY(sb, "rating");
	if (e->rating)
		jw_int(sb, e->rating);
	else
		jw_null(sb);
	JW_KEY(sb, "created_at");
	jw_time(sb, e->created_at);
	JW_KEY(sb, "updated_at");
	jw_time(sb, e->updated_at);
	JW_KEY(sb, "closed_at");
	jw_time(sb, e->closed_at);
}

void api_event_write(struct strbuf *sb, const struct event *e)
{
	jw_lit(sb, "{");
	event_fields(sb, e);
	jw_lit(sb, "}");
}

static const char *probe_get(void *ctx, struct arena *a, long long id, int version, size_t *len)
{
	return evcache_get(ctx, a, id, version, len);
}

void api_event_cache(struct app *app, size_t slots)
{
	if (!slots)
		return;
	app->evc = evcache_new(slots);
	app->evprobe = (struct event_probe){ .get = probe_get, .ctx = app->evc };
	app->ev.probe = &app->evprobe;
}

void api_event_cache_release(struct app *app)
{
	app->ev.probe = NULL;
	evcache_free(app->evc);
	app->evc = NULL;
}

/* An event as an object: the kept rendering when the read found one,
 * otherwise rendered now and kept for the next page. */
static void event_put(struct app *app, struct strbuf *sb, const struct event *e)
{
	if (e->cached) {
		jw_put(sb, e->cached, e->cached_len);
		return;
	}
	size_t start = sb->len;
	api_event_write(sb, e);
	if (app->evc)
		evcache_put(app->evc, e->id, e->version, sb->buf + start, sb->len - start);
}

static void free_text(void *p)
{
	free(p);
}

/* Answers with the JSON text in sb (which it takes over). */
static void reply_buf(struct http_request *r, int status, struct strbuf *sb)
{
	jw_lit(sb, "\n");
	size_t len;
	char *text = strbuf_detach(sb, &len);
	arena_defer(r->arena, free_text, text);
	http_reply_text(r, status, "application/json; charset=utf-8", text, len);
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
		/* each stage's, then by urgency: "<stage>_urgent" and
		 * "<stage>_critical" (0: as the lower urgency's) */
		char key[32];
		for (int s = 1; s < WF_STAGE__COUNT; s++)
			json_object_set_new(d, stage_names[s], json_integer(c->stage_s[s]));
		for (int s = 1; s < WF_STAGE__COUNT; s++) {
			snprintf(key, sizeof(key), "%s_urgent", stage_names[s]);
			json_object_set_new(d, key, json_integer(c->urgent_s[s]));
			snprintf(key, sizeof(key), "%s_critical", stage_names[s]);
			json_object_set_new(d, key, json_integer(c->critical_s[s]));
		}
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
			/* "<stage>", "<stage>_urgent" or "<stage>_critical" */
			int s, level = 0;
			for (s = 1; s < WF_STAGE__COUNT; s++) {
				size_t sl = strlen(stage_names[s]);
				if (strncmp(k, stage_names[s], sl))
					continue;
				if (!k[sl] || !strcmp(k + sl, "_urgent") ||
				    !strcmp(k + sl, "_critical")) {
					level = !k[sl] ? 1 : k[sl + 1] == 'u' ? 2 : 3;
					break;
				}
			}
			if (s == WF_STAGE__COUNT)
				return http_error(r, ERR_BAD_VALUE, "no deadline stage '%.20s'", k);
			/* a stage's own deadline is needed; one by urgency may be 0 */
			long long lo = level == 1 ? 60 : 0;
			if (!json_is_integer(v) || json_integer_value(v) > 365LL * 86400 ||
			    (json_integer_value(v) < lo) ||
			    (json_integer_value(v) > 0 && json_integer_value(v) < 60))
				return http_error(
					r, ERR_BAD_VALUE,
					"deadline '%.20s' must be whole seconds from 60 to a "
					"year%s",
					k, level == 1 ? "" : ", or 0 for the lower urgency's");
			long long secs = json_integer_value(v);
			if (level == 1)
				c.stage_s[s] = secs;
			else if (level == 2)
				c.urgent_s[s] = secs;
			else
				c.critical_s[s] = secs;
		}
	}
	json_t *after = category_json(&c);
	arena_defer(r->arena, release_json, after);
	if (json_equal(before, after)) {
		http_reply_json(r, 200, json_incref(after));
		return 0;
	}
	if ((err = store_begin(app->st)))
		return err;
	err = store_category_change(app->st, &c, who->user_id, app->now(), dump(r->arena, before),
				    dump(r->arena, after));
	if (!err)
		err = api_audit(app, r, who, "config.category",
				arena_printf(r->arena, "category:%s", c.code), "ok", "%s",
				dump(r->arena, after));
	if ((err = api_end(app, err)))
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

/* A client id: a UUID, 8-4-4-4-12 hex digits; lower-cased into out[37]. */
static bool uuid_ok(const char *s, char *out)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
		} else if (c >= 'A' && c <= 'F') {
			c = (char)(c - 'A' + 'a');
		} else {
			return false;
		}
		out[i] = c;
	}
	out[36] = '\0';
	return true;
}

/* The event a reporter already filed with this client id: 200, as it is now. */
static int replay(struct app *app, struct http_request *r, struct principal *who, long long id)
{
	struct event e;
	int err = store_event_get(app->st, r->arena, &who->scope, id, &e);
	if (err)
		return err;
	struct strbuf sb = STRBUF_INIT;
	jw_lit(&sb, "{");
	event_fields(&sb, &e);
	jw_lit(&sb, ",\"duplicates\":[]}");
	http_add_header(r, "Location", arena_printf(r->arena, "/api/v1/events/%lld", e.id));
	reply_buf(r, 200, &sb);
	return 0;
}

int h_event_create(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "category",  "urgency", "title", "description",
					    "address",   "lon",     "lat",   "reporter",
					    "client_id", NULL };
	struct event_input in = { 0 };
	struct pii_contact contact;
	long long urgency = 1;
	bool has_lon, has_lat;
	const char *client = NULL;
	char cid[37] = "";
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "category", true, 8, &in.category)) ||
	    (err = api_str(r, body, "title", true, 100, &in.title)) ||
	    (err = api_str(r, body, "description", false, 2000, &in.description)) ||
	    (err = api_str(r, body, "address", false, 200, &in.address)) ||
	    (err = api_int(r, body, "urgency", false, 1, 3, &urgency)) ||
	    (err = get_number(r, body, "lon", &has_lon, &in.lon)) ||
	    (err = get_number(r, body, "lat", &has_lat, &in.lat)) ||
	    (err = api_reporter_parse(r, body, &contact)) ||
	    (err = api_str(r, body, "client_id", false, 36, &client)))
		return err;
	in.contact = &contact;
	if (client && !uuid_ok(client, cid))
		return http_error(r, ERR_BAD_VALUE,
				  "field 'client_id' must be a UUID (8-4-4-4-12 hex digits)");
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
	char why[256] = "";
	long long seen;
	if (*cid) {
		/* an offline queue sending again: the event it made the first time */
		if (!(err = store_event_by_client(app->st, who->user_id, cid, &seen)))
			return replay(app, r, who, seen);
		if (err != ERR_NOT_FOUND)
			return err;
		/* look again and file inside one write, so two sends make one event */
		if ((err = store_begin(app->st)))
			return err;
		err = store_event_by_client(app->st, who->user_id, cid, &seen);
		if (!err) {
			store_rollback(app->st);
			return replay(app, r, who, seen);
		}
		if (err == ERR_NOT_FOUND)
			err = event_create(&app->ev, r->arena, who, &in, &e, &dups, &ndups, why,
					   sizeof(why));
		if (!err)
			err = store_event_client_add(app->st, who->user_id, cid, e.id, app->now());
		if (err) {
			store_rollback(app->st);
			return *why ? http_error(r, err, "%s", why) : err;
		}
		if ((err = store_commit(app->st)))
			return err;
	} else {
		err = event_create(&app->ev, r->arena, who, &in, &e, &dups, &ndups, why,
				   sizeof(why));
		if (err)
			return http_error(r, err, "%s", why);
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_reserve(&sb, 1024 + ndups * 900);
	jw_lit(&sb, "{");
	event_fields(&sb, &e);
	if (app->evc) {
		/* the next reports nearby list it among their duplicates */
		jw_lit(&sb, "}");
		evcache_put(app->evc, e.id, e.version, sb.buf, sb.len);
		sb.buf[--sb.len] = '\0';
	}
	JW_KEY(&sb, "duplicates");
	jw_lit(&sb, "[");
	for (size_t i = 0; i < ndups; i++) {
		jw_sep(&sb);
		event_put(app, &sb, &dups[i]);
	}
	jw_lit(&sb, "]");
	if (!pii_contact_empty(&contact)) {
		json_t *rep = api_reporter_masked(app, r, e.id);
		JW_KEY(&sb, "reporter");
		jw_json(&sb, rep);
		json_decref(rep);
	}
	jw_lit(&sb, "}");
	http_add_header(r, "Location", arena_printf(r->arena, "/api/v1/events/%lld", e.id));
	reply_buf(r, 201, &sb);
	return 0;
}

static int parse_id(struct http_request *r, const char *s, long long *id)
{
	if (str_to_ll(s, 1, (long long)1 << 53, id))
		return http_error(r, ERR_NOT_FOUND, "no event '%.20s'", s);
	return 0;
}

static void timeline_write(struct strbuf *sb, const struct event_action *v, size_t n)
{
	jw_lit(sb, "[");
	for (size_t i = 0; i < n; i++) {
		jw_sep(sb);
		jw_lit(sb, "{");
		JW_KEY(sb, "id");
		jw_int(sb, v[i].id);
		JW_KEY(sb, "at");
		jw_time(sb, v[i].at);
		JW_KEY(sb, "actor");
		jw_str(sb, v[i].actor);
		JW_KEY(sb, "action");
		jw_str(sb, v[i].action);
		JW_KEY(sb, "from");
		jw_str(sb, v[i].from);
		JW_KEY(sb, "to");
		jw_str(sb, v[i].to);
		JW_KEY(sb, "note");
		jw_str(sb, v[i].note);
		JW_KEY(sb, "data");
		/* the stored object text (written by the engine), else {} */
		const char *d = v[i].data;
		if (d && d[0] == '{')
			strbuf_addstr(sb, d);
		else
			jw_lit(sb, "{}");
		/* the ids of the attachments that came with the step (store: "3,4") */
		JW_KEY(sb, "attachments");
		jw_lit(sb, "[");
		for (const char *p = v[i].attachments; p && *p;) {
			char *end;
			long long aid = strtoll(p, &end, 10);
			if (end == p)
				break;
			jw_sep(sb);
			jw_int(sb, aid);
			p = *end == ',' ? end + 1 : end;
		}
		jw_lit(sb, "]");
		jw_lit(sb, "}");
	}
	jw_lit(sb, "]");
}

/* The actions the caller may take now: those the workflow offers in this
 * state that the one decision allows them on this case. */
static json_t *actions_json(const struct principal *who, const struct event *e)
{
	struct authz_object obj = { .exists = true,
				    .org_path = e->org_path,
				    .reporter_id = e->reporter_id,
				    .assignee = e->assignee };
	struct authz_request rq = { .action = AUTHZ_TRANSITION, .perm = 0, .obj = &obj };
	unsigned roles = authz_decide(who, &rq).roles;
	const struct wf_transition *t[32];
	int n = wf_available(&wf_event, e->state, e->pending, roles, t, 32);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		rq.perm = t[i]->roles;
		if (!authz_allowed(who, &rq))
			continue;
		/* at the district, the top level, there is nowhere to escalate to */
		char owner[ORG_CODE_MAX];
		if ((t[i]->effects & WF_EFF_ESCALATE) && event_owner(e, owner) == 0)
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
	if ((err = store_event_actions(app->st, r->arena, &who->scope, id, &v, &n)))
		return err;
	struct strbuf sb = STRBUF_INIT;
	strbuf_reserve(&sb, 2048 + n * 200);
	jw_lit(&sb, "{");
	event_fields(&sb, &e);
	struct category cat;
	if (!store_category_get(app->st, r->arena, e.category, &cat)) {
		char route[ORG_CODE_MAX];
		event_route(&e, &cat, route);
		JW_KEY(&sb, "suggested_assignee");
		jw_str(&sb, route);
	}
	JW_KEY(&sb, "timeline");
	timeline_write(&sb, v, n);
	json_t *acts = actions_json(who, &e);
	JW_KEY(&sb, "actions");
	jw_json(&sb, acts);
	json_decref(acts);
	json_t *rep = api_reporter_masked(app, r, e.id);
	JW_KEY(&sb, "reporter");
	jw_json(&sb, rep);
	json_decref(rep);
	jw_lit(&sb, "}");
	reply_buf(r, 200, &sb);
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
	if ((err = store_event_actions(app->st, r->arena, &who->scope, id, &v, &n)))
		return err;
	struct strbuf sb = STRBUF_INIT;
	jw_lit(&sb, "{\"items\":");
	timeline_write(&sb, v, n);
	jw_lit(&sb, "}");
	reply_buf(r, 200, &sb);
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
	struct strbuf sb = STRBUF_INIT;
	api_event_write(&sb, &e);
	reply_buf(r, 200, &sb);
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

int api_event_filter(struct app *app, struct http_request *r, struct principal *who,
		     struct event_filter *f)
{
	long long urgency;
	int err;
	memset(f, 0, sizeof(*f));
	if ((err = api_query_int(r, "urgency", 1, 3, 0, &urgency)) ||
	    (err = query_day(r, "from", &f->from)) || (err = query_day(r, "to", &f->to)))
		return err;
	if (f->to)
		f->to += 86400; /* "to" includes that day */
	f->urgency = (int)urgency;
	f->states = http_query(r, "state");
	if (f->states) {
		char *copy = arena_strdup(r->arena, f->states), *save = NULL;
		for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save))
			if (wf_state_parse(&wf_event, s) < 0)
				return http_error(r, ERR_BAD_QUERY, "unknown state '%.20s'", s);
	}
	f->category = http_query(r, "category");
	if (f->category &&
	    (strlen(f->category) > 4 || !str_is_digits(f->category, strlen(f->category))))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter 'category' must be a category code");
	f->org = http_query(r, "org");
	f->grid = http_query(r, "grid");
	f->assignee = http_query(r, "assignee");
	const char *overdue = http_query(r, "overdue");
	if (overdue && strcmp(overdue, "true") && strcmp(overdue, "false"))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter 'overdue' must be true or false");
	f->overdue = !overdue ? 0 : !strcmp(overdue, "true") ? 1 : 2;
	f->q = http_query(r, "q");
	if (f->q && (!str_utf8_valid(f->q, strlen(f->q)) || str_utf8_len(f->q) > 100))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter 'q' must be at most 100 characters");
	if ((err = api_reporter_filter(app, r, who, f)))
		return err;
	if (f->org) {
		struct org o;
		if (store_org_get(app->st, r->arena, &who->scope, f->org, &o))
			return http_error(r, ERR_BAD_QUERY, "no org '%.24s' in your scope", f->org);
	}
	return 0;
}

int h_event_list(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct event_filter f;
	long long limit, cursor;
	int err;
	if ((err = api_event_filter(app, r, who, &f)) ||
	    (err = api_query_int(r, "limit", 1, 100, 20, &limit)) ||
	    (err = api_query_int(r, "cursor", 1, 1LL << 53, 0, &cursor)))
		return err;
	f.limit = (int)limit;
	f.before_id = cursor;
	f.probe = app->evc ? &app->evprobe : NULL;
	struct event *v;
	size_t n;
	long long total;
	if ((err = store_event_list(app->st, r->arena, &who->scope, &f, &v, &n, &total)))
		return err;
	struct strbuf sb = STRBUF_INIT;
	strbuf_reserve(&sb, 1024 + (size_t)n * 900);
	jw_lit(&sb, "{\"items\":[");
	for (size_t i = 0; i < n; i++) {
		jw_sep(&sb);
		event_put(app, &sb, &v[i]);
	}
	jw_lit(&sb, "]");
	/* counted totals stop at the cap; roll-up totals are exact at any size */
	bool capped = total > EVENT_TOTAL_CAP &&
		      (f.category || f.grid || f.assignee || f.urgency || f.from || f.to ||
		       f.overdue || (f.q && *f.q) || f.bidx_col);
	JW_KEY(&sb, "total");
	jw_int(&sb, capped ? EVENT_TOTAL_CAP : total);
	JW_KEY(&sb, "total_capped");
	jw_bool(&sb, capped);
	JW_KEY(&sb, "next_cursor");
	if (n == (size_t)f.limit && n) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", v[n - 1].id);
		jw_str(&sb, id);
	} else {
		jw_null(&sb);
	}
	jw_lit(&sb, "}");
	reply_buf(r, 200, &sb);
	return 0;
}
