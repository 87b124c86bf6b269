/*
 * event.c - see event.h.
 */
#include "domain/event.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/sec.h"
#include "core/str.h"
#include "domain/authz.h"
#include "domain/personal.h"
#include "domain/webhook.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int event_parse_duration(const char *s, long long day_s, long long *out)
{
	size_t n = strlen(s);
	if (n < 2 || n > 8)
		return ERR_BAD_VALUE;
	char num[8];
	memcpy(num, s, n - 1);
	num[n - 1] = '\0';
	long long v;
	if (!str_is_digits(num, n - 1) || str_to_ll(num, 1, 100000, &v))
		return ERR_BAD_VALUE;
	switch (s[n - 1]) {
	case 'm': *out = v * 60; return 0;
	case 'h': *out = v * 3600; return 0;
	case 'd': *out = v * day_s; return 0;
	default: return ERR_BAD_VALUE;
	}
}

long long event_stage_seconds(const struct category *c, enum wf_stage stage, int urgency)
{
	if (stage <= WF_STAGE_NONE || stage >= WF_STAGE__COUNT)
		return 0;
	if (urgency >= 3 && c->critical_s[stage])
		return c->critical_s[stage];
	if (urgency >= 2 && c->urgent_s[stage])
		return c->urgent_s[stage];
	return c->stage_s[stage];
}

int category_load_csv(struct store *st, const struct calendar *cal, const char *path, char *why,
		      size_t whylen)
{
	/* the thirteen columns every file has, then optionally the other
	 * stages' deadlines by urgency (empty: as the lower urgency's) */
	static const char *const cols[] = { "code",
					    "parent",
					    "name_zh",
					    "name_en",
					    "department",
					    "register",
					    "dispatch",
					    "accept",
					    "handle",
					    "verify",
					    "close",
					    "handle_urgent",
					    "handle_critical",
					    "register_urgent",
					    "dispatch_urgent",
					    "accept_urgent",
					    "verify_urgent",
					    "close_urgent",
					    "register_critical",
					    "dispatch_critical",
					    "accept_critical",
					    "verify_critical",
					    "close_critical" };
	enum { BASE_COLS = 13 };
	static const enum wf_stage stages[] = { WF_STAGE_REGISTER, WF_STAGE_DISPATCH,
						WF_STAGE_ACCEPT,   WF_STAGE_HANDLE,
						WF_STAGE_VERIFY,   WF_STAGE_CLOSE };
	static const enum wf_stage extra[] = { WF_STAGE_REGISTER, WF_STAGE_DISPATCH,
					       WF_STAGE_ACCEPT, WF_STAGE_VERIFY, WF_STAGE_CLOSE };
	struct csv_reader r;
	if (csv_open(&r, path)) {
		snprintf(why, whylen, "%s", r.why);
		return ERR_IO;
	}
	struct arena *a = arena_new();
	char **f;
	size_t n;
	int err = 0, got = csv_next(&r, a, &f, &n);
	size_t ncols = got == 1 ? n : 0;
	if (got != 1 || (n != BASE_COLS && n != ARRAY_SIZE(cols))) {
		snprintf(why, whylen, "%s:1: expected the header of share/categories/events.csv",
			 path);
		err = ERR_BAD_FILE;
	}
	for (size_t i = 0; !err && i < n; i++) {
		if (strcmp(f[i], cols[i])) {
			snprintf(why, whylen, "%s:1: column %zu must be '%s'", path, i + 1,
				 cols[i]);
			err = ERR_BAD_FILE;
		}
	}
	if (!err && (err = store_begin(st)))
		snprintf(why, whylen, "cannot start a transaction");
	bool in_tx = !err;
	long long day_s = cal_day_seconds(cal);
	while (!err && (got = csv_next(&r, a, &f, &n)) == 1) {
		if (n == 1 && !*f[0])
			continue;
		struct category c = { .enabled = true };
		if (n != ncols) {
			snprintf(why, whylen, "%s:%d: expected %zu fields, found %zu", path, r.line,
				 ncols, n);
			err = ERR_BAD_FILE;
			break;
		}
		size_t cl = strlen(f[0]);
		if ((cl != 2 && cl != 4) || !str_is_digits(f[0], cl) ||
		    (cl == 4 && strncmp(f[0], f[1], 2)) || (cl == 2 && *f[1])) {
			snprintf(why, whylen,
				 "%s:%d: code '%.10s' must be 2 digits (a class) or 4 digits "
				 "under its class",
				 path, r.line, f[0]);
			err = ERR_BAD_FILE;
			break;
		}
		str_copy(c.code, sizeof(c.code), f[0]);
		str_copy(c.parent, sizeof(c.parent), f[1]);
		c.name = f[2];
		c.name_en = f[3];
		if (!*c.name || str_utf8_len(c.name) > 50) {
			snprintf(why, whylen, "%s:%d: name_zh must be 1-50 characters", path,
				 r.line);
			err = ERR_BAD_FILE;
			break;
		}
		if (cl == 4) {
			const char *dp = f[4][0] == 'S' ? f[4] + 1 : f[4];
			if (strlen(dp) != 3 || dp[0] != 'D' || !str_is_digits(dp + 1, 2)) {
				snprintf(why, whylen,
					 "%s:%d: department must be like D01 (district) or SD01 "
					 "(the event's street)",
					 path, r.line);
				err = ERR_BAD_FILE;
				break;
			}
			str_copy(c.department, sizeof(c.department), f[4]);
			for (size_t k = 0; k < 8 && !err; k++) {
				long long secs;
				if (event_parse_duration(f[5 + k], day_s, &secs)) {
					snprintf(why, whylen,
						 "%s:%d: %s '%.10s' is not a duration like 30m, "
						 "2h or 5d",
						 path, r.line, cols[5 + k], f[5 + k]);
					err = ERR_BAD_FILE;
				} else if (k < 6) {
					c.stage_s[stages[k]] = secs;
				} else if (k == 6) {
					c.urgent_s[WF_STAGE_HANDLE] = secs;
				} else {
					c.critical_s[WF_STAGE_HANDLE] = secs;
				}
			}
			/* the optional columns: empty is "as the lower urgency's" */
			for (size_t k = BASE_COLS; k < ncols && !err; k++) {
				long long secs = 0;
				if (*f[k] && event_parse_duration(f[k], day_s, &secs)) {
					snprintf(why, whylen,
						 "%s:%d: %s '%.10s' is not a duration like 30m, "
						 "2h or 5d (or empty)",
						 path, r.line, cols[k], f[k]);
					err = ERR_BAD_FILE;
				} else if (k - BASE_COLS < ARRAY_SIZE(extra)) {
					c.urgent_s[extra[k - BASE_COLS]] = secs;
				} else {
					c.critical_s[extra[k - BASE_COLS - ARRAY_SIZE(extra)]] =
						secs;
				}
			}
			if (err)
				break;
		}
		if ((err = store_category_put(st, &c))) {
			snprintf(why, whylen, "%s:%d: cannot store '%s'%s", path, r.line, c.code,
				 err == ERR_NOT_FOUND ? ": its class must come first" : "");
			err = ERR_BAD_FILE;
		}
	}
	if (!err && got < 0) {
		snprintf(why, whylen, "%s: %s", path, r.why);
		err = ERR_BAD_FILE;
	}
	if (in_tx) {
		if (err)
			store_rollback(st);
		else
			err = store_commit(st);
	}
	csv_close(&r);
	arena_free(a);
	return err;
}

/* A receipt citizens can quote: unguessable, no look-alike characters. */
static void new_receipt(char *out, size_t size)
{
	static const char set[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	unsigned char rnd[10];
	sec_random(rnd, sizeof(rnd));
	size_t n = 0;
	n += (size_t)snprintf(out, size, "PA");
	for (size_t i = 0; i < sizeof(rnd) && n + 1 < size; i++)
		out[n++] = set[rnd[i] & 31];
	out[n] = '\0';
}

void event_route(const struct event *e, const struct category *c, char *out)
{
	/* path: /district/street/community/grid/ */
	char seg[2][ORG_CODE_MAX] = { "", "" };
	const char *p = e->org_path;
	for (int k = 0; k < 2 && p && *p == '/'; k++) {
		const char *s = p + 1, *end = strchr(s, '/');
		if (!end || (size_t)(end - s) >= ORG_CODE_MAX)
			break;
		memcpy(seg[k], s, (size_t)(end - s));
		seg[k][end - s] = '\0';
		p = end;
	}
	bool street = c->department[0] == 'S' && *seg[1] && !e->outside;
	const char *dept = c->department[0] == 'S' ? c->department + 1 : c->department;
	const char *base = street ? seg[1] : seg[0];
	size_t bl = strlen(base), dl = strlen(dept);
	if (bl + dl >= ORG_CODE_MAX) {
		out[0] = '\0';
		return;
	}
	memcpy(out, base, bl);
	memcpy(out + bl, dept, dl + 1);
}

/* The code of the org at depth k of path ("/district/street/community/grid/")
 * into out[ORG_CODE_MAX]; false when the path is not that deep. */
static bool path_segment(const char *path, int k, char *out)
{
	const char *p = path;
	for (int i = 0; p && *p == '/'; i++) {
		const char *s = p + 1, *end = strchr(s, '/');
		if (!end || end == s || (size_t)(end - s) >= ORG_CODE_MAX)
			break;
		if (i == k) {
			memcpy(out, s, (size_t)(end - s));
			out[end - s] = '\0';
			return true;
		}
		p = end;
	}
	out[0] = '\0';
	return false;
}

/* the depth of the level whose centre owns an event first: the street's */
#define OWNER_HOME_DEPTH 1

int event_owner(const struct event *e, char *out)
{
	char street[ORG_CODE_MAX];
	int depth = path_segment(e->org_path, OWNER_HOME_DEPTH, street) ? OWNER_HOME_DEPTH : 0;
	int level = e->level > 0 ? e->level : 0;
	depth = level >= depth ? 0 : depth - level; /* never above the district */
	path_segment(e->org_path, depth, out);
	return depth;
}

void event_set_deadline(const struct event_env *env, struct event *e, long long now, long long d,
			long long total)
{
	e->deadline_at = d;
	if (!d) {
		e->warn_at = e->escalate_at = 0;
		return;
	}
	e->stage_total = total;
	/* the warning comes when a fifth of the allowed time is left */
	long long left = cal_between(env->cal, now, d), margin = total / 5;
	e->warn_at = left > margin ? cal_add(env->cal, now, left - margin) : now;
	e->escalate_at =
		cal_add(env->cal, d, env->escalate_grace_s > 0 ? env->escalate_grace_s : 1);
}

/* Starts the deadline of the stage `state` runs under, at now. */
static void start_stage(const struct event_env *env, const struct category *c, struct event *e,
			int state, long long now)
{
	const struct wf_state *s = &wf_event.states[state];
	long long secs = s->flags & (WF_TERMINAL | WF_PAUSED)
				 ? 0
				 : event_stage_seconds(c, s->stage, e->urgency);
	e->stage_started_at = now;
	event_set_deadline(env, e, now, secs ? cal_add(env->cal, now, secs) : 0, secs);
}

static bool valid_text(const char *s, size_t max)
{
	return str_utf8_valid(s, strlen(s)) && str_utf8_len(s) <= max;
}

int event_create(const struct event_env *env, struct arena *a, const struct principal *who,
		 const struct event_input *in, struct event *out, struct event **dups,
		 size_t *ndups, char *why, size_t whylen)
{
	struct category cat;
	int err;
	if (!in->category || !*in->category) {
		snprintf(why, whylen, "field 'category' is required");
		return ERR_MISSING;
	}
	if ((err = store_category_get(env->st, a, in->category, &cat)) || !cat.enabled ||
	    !*cat.parent) {
		snprintf(why, whylen,
			 "no category '%.10s' to report under (use a 4-digit category)",
			 in->category);
		return err && err != ERR_NOT_FOUND ? err : ERR_BAD_VALUE;
	}
	if (!in->title || !*in->title) {
		snprintf(why, whylen, "field 'title' is required");
		return ERR_MISSING;
	}
	if (!valid_text(in->title, 100) ||
	    (in->description && !valid_text(in->description, 2000)) ||
	    (in->address && !valid_text(in->address, 200))) {
		snprintf(why, whylen,
			 "title (100), description (2000) and address (200 characters) "
			 "are too long");
		return ERR_BAD_VALUE;
	}
	if (in->urgency < 0 || in->urgency > 3) {
		snprintf(why, whylen, "urgency is 1 (normal), 2 (urgent) or 3 (critical)");
		return ERR_BAD_VALUE;
	}
	if (in->has_point && (!isfinite(in->lon) || !isfinite(in->lat) || in->lon < -180 ||
			      in->lon > 180 || in->lat < -90 || in->lat > 90)) {
		snprintf(why, whylen,
			 "the point must be a longitude in [-180, 180] and a latitude in "
			 "[-90, 90]");
		return ERR_BAD_VALUE;
	}
	if (!in->has_point && (!in->address || !*in->address)) {
		snprintf(why, whylen, "give a point (lon, lat) or an address");
		return ERR_MISSING;
	}
	long long now = env->now();
	/* the reporter's contact: checked now, sealed with the event */
	bool personal = in->contact && !pii_contact_empty(in->contact);
	struct pii_contact contact;
	if (personal) {
		if (!env->keys) {
			snprintf(why, whylen,
				 "personal data cannot be stored: the server has no key file");
			return ERR_UNAVAILABLE;
		}
		contact = *in->contact;
		if ((err = pii_contact_check(&contact, a, now, why, whylen)))
			return err;
	}
	struct event e = { 0 };
	char receipt[16];
	new_receipt(receipt, sizeof(receipt));
	e.receipt = arena_strdup(a, receipt);
	e.category = arena_strdup(a, cat.code);
	e.urgency = in->urgency ? in->urgency : 1;
	e.title = in->title;
	e.description = in->description ? in->description : "";
	e.address = in->address ? in->address : "";
	e.has_point = in->has_point;
	e.lon = in->lon;
	e.lat = in->lat;
	e.source = in->source ? in->source : who ? "centre" : "citizen";
	e.reporter_id = who ? who->user_id : 0;
	e.state = wf_event.initial;
	e.created_at = e.updated_at = e.stage_started_at = now;
	e.grid_code = "";
	e.assignee = "";

	/* locate: the grid's path, or the district's (the root) when outside */
	struct scope all = { .all = true };
	/* the index may be replaced while the server runs (a grids import) */
	const struct geo_index *ix = __atomic_load_n(&env->grids, __ATOMIC_ACQUIRE);
	int64_t gid = in->has_point && ix
			      ? geo_index_locate(ix, (struct geo_point){ in->lon, in->lat })
			      : -1;
	const char *gcode, *gpath;
	if (gid >= 0 && !store_grid_place(env->st, a, gid, &gcode, &gpath)) {
		e.grid_code = gcode;
		e.org_path = gpath;
	} else {
		/* outside every grid: filed under the district for the centre */
		e.org_path = env->district_path;
		e.outside = true;
	}
	start_stage(env, &cat, &e, e.state, now);
	const char *actor = who ? who->username : "citizen";
	struct event_action act = { .at = now,
				    .actor_id = who ? who->user_id : 0,
				    .actor = actor,
				    .action = "report",
				    .from = "",
				    .to = "reported",
				    .note = !e.outside    ? ""
					    : e.has_point ? "outside every grid"
							  : "no point: filed under the district" };
	if (personal && (err = store_begin(env->st))) {
		snprintf(why, whylen, "cannot store the event");
		return err;
	}
	err = store_event_insert(env->st, &e, &act);
	if (personal) {
		if (!err)
			err = personal_save(env->st, env->keys, a, e.id, &contact);
		if (err)
			store_rollback(env->st);
		else
			err = store_commit(env->st);
	}
	if (err) {
		snprintf(why, whylen, "cannot store the event");
		return err;
	}
	*out = e;
	if (env->changed)
		env->changed(env->changed_ctx, &e, true);

	/* duplicate candidates nearby */
	*dups = NULL;
	*ndups = 0;
	if (e.has_point) {
		double dlat = env->dup_distance_m / 111195.0;
		double dlon = dlat / fmax(cos(e.lat * M_PI / 180.0), 0.01);
		struct event *near;
		size_t nn;
		/* the reporter's scope, in the store's SQL (a citizen: all) */
		if (!store_event_nearby(env->st, a, who ? &who->scope : &all, e.category,
					e.lon - dlon, e.lat - dlat, e.lon + dlon, e.lat + dlat,
					now - env->dup_window_s, env->probe, &near, &nn)) {
			struct event *keep = arena_alloc(a, (nn ? nn : 1) * sizeof(*keep));
			size_t k = 0;
			for (size_t i = 0; i < nn; i++)
				if (near[i].id != e.id &&
				    geo_distance_m(
					    (struct geo_point){ e.lon, e.lat },
					    (struct geo_point){ near[i].lon, near[i].lat }) <=
					    env->dup_distance_m)
					keep[k++] = near[i];
			*dups = keep;
			*ndups = k;
		}
	}
	return 0;
}

/* The action's extra fields as a JSON object, for the timeline: what the
 * actor sent, and what the transition decided (the event merged into, the
 * escalation's new owner, an approved extension's days and new deadline). */
static const char *action_data(struct arena *a, const struct wf_input *in, long long merged,
			       const char *owner, int ext_days, long long deadline)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "{");
	const char *sep = "";
	const struct {
		const char *key, *val;
	} texts[] = { { "reason", in->reason }, { "assignee", in->assignee } };
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		if (!texts[i].val || !*texts[i].val)
			continue;
		strbuf_addf(&sb, "%s\"%s\":\"", sep, texts[i].key);
		strbuf_add_json_escaped(&sb, texts[i].val);
		strbuf_addstr(&sb, "\"");
		sep = ",";
	}
	if (in->days) {
		strbuf_addf(&sb, "%s\"days\":%d", sep, in->days);
		sep = ",";
	}
	if (in->rating) {
		strbuf_addf(&sb, "%s\"rating\":%d", sep, in->rating);
		sep = ",";
	}
	if (in->attachments) {
		strbuf_addf(&sb, "%s\"attachments\":%d", sep, in->attachments);
		sep = ",";
	}
	if (merged) {
		strbuf_addf(&sb, "%s\"merged_into\":%lld", sep, merged);
		sep = ",";
	}
	if (owner) { /* org codes are digits and 'D' */
		strbuf_addf(&sb, "%s\"owner\":\"%s\"", sep, owner);
		sep = ",";
	}
	if (ext_days > 0 && !in->days) {
		char at[CLOCK_ISO_LEN + 8] = "";
		if (deadline > 0)
			clock_iso(deadline, at, sizeof(at));
		strbuf_addf(&sb, "%s\"days\":%d", sep, ext_days);
		if (*at)
			strbuf_addf(&sb, ",\"deadline_at\":\"%s\"", at);
	}
	strbuf_addstr(&sb, "}");
	const char *out = arena_strdup(a, strbuf_str(&sb));
	strbuf_release(&sb);
	return out;
}

/* Checks the fields the engine only knows as "present". */
static int check_refs(const struct event_env *env, struct arena *a, const struct principal *who,
		      const struct wf_transition *t, const struct event *e,
		      const struct wf_input *in, long long *target, char *why, size_t whylen)
{
	struct scope all = { .all = true };
	const struct scope *sc = who ? &who->scope : &all;
	if ((t->effects & WF_EFF_ASSIGN) && in->assignee) {
		struct org o;
		if (store_org_get(env->st, a, &all, in->assignee, &o) || o.kind != ORG_DEPARTMENT ||
		    !org_path_within(o.path, env->district_path)) {
			snprintf(why, whylen, "no department '%.24s' to assign", in->assignee);
			return ERR_BAD_VALUE;
		}
		/* a department serves its parent's area: the district's any event,
		 * a street's (司法所) its own street's; another street's could not
		 * even see the event */
		char needle[ORG_CODE_MAX + 2];
		snprintf(needle, sizeof(needle), "/%s/", o.parent);
		if (!strstr(e->org_path, needle)) {
			snprintf(why, whylen,
				 "department '%.24s' does not serve the event's area; choose the "
				 "district's or its own street's",
				 in->assignee);
			return ERR_BAD_VALUE;
		}
	}
	if (t->needs & WF_NEED_TARGET) {
		long long id;
		struct event other;
		if (str_to_ll(in->target, 1, (long long)1 << 53, &id) || id == e->id ||
		    store_event_get(env->st, a, sc, id, &other) ||
		    (wf_event.states[other.state].flags & WF_TERMINAL)) {
			snprintf(why, whylen, "no open event '%.24s' to merge into", in->target);
			return ERR_BAD_VALUE;
		}
		*target = id;
	}
	return 0;
}

int event_act(const struct event_env *env, struct arena *a, const struct principal *who,
	      long long id, const char *action, const struct wf_input *in, int expected_version,
	      struct event *out, char *why, size_t whylen)
{
	static const struct wf_input none;
	if (!in)
		in = &none;
	const struct wf_transition *t = wf_find(&wf_event, action);
	if (!t) {
		snprintf(why, whylen, "no action '%.30s' on events", action);
		return ERR_NOT_FOUND;
	}
	struct scope all = { .all = true };
	struct event e;
	int err = store_event_get(env->st, a, who ? &who->scope : &all, id, &e);
	if (err) {
		snprintf(why, whylen, "no event %lld", id);
		return err;
	}
	*out = e;
	if (expected_version && e.version != expected_version) {
		snprintf(why, whylen, "event %lld is at version %d, not %d; it is now %s", id,
			 e.version, expected_version, wf_state_name(&wf_event, e.state));
		return ERR_CONFLICT;
	}
	/* who may: the one decision (domain/authz.c), with the roles the caller
	 * acts with on this case (the reporter's, the scheduler's) */
	struct authz_decision d =
		authz_decide(who, &(struct authz_request){ .action = AUTHZ_TRANSITION,
							   .perm = t->roles,
							   .obj = &(struct authz_object){
								   .exists = true,
								   .org_path = e.org_path,
								   .reporter_id = e.reporter_id,
								   .assignee = e.assignee,
							   } });
	unsigned roles = d.roles;
	if (d.verdict == AUTHZ_HIDDEN) {
		snprintf(why, whylen, "no event %lld", id);
		return ERR_NOT_FOUND;
	}
	/* a client learns about state before roles before fields: the state
	 * first, then another department's case, then (wf_check) pending
	 * requests before the roles the decision found wanting */
	if (!(t->from & WF_STATE(e.state))) {
		int dummy;
		return wf_check(&wf_event, t, e.state, e.pending, roles, in, &dummy, why, whylen);
	}
	if (d.reason == AUTHZ_R_DEPARTMENT) {
		snprintf(why, whylen, "event %lld is assigned to another department", id);
		return ERR_FORBIDDEN;
	}
	/* the level is part of the case's state: the district is the top */
	char owner[ORG_CODE_MAX];
	if ((t->effects & WF_EFF_ESCALATE) && event_owner(&e, owner) == 0) {
		snprintf(why, whylen,
			 "event %lld is already with the district centre '%s', the top level; "
			 "it cannot escalate further",
			 id, owner);
		return ERR_CONFLICT;
	}
	struct wf_input routed;
	char route[ORG_CODE_MAX];
	if ((t->needs & WF_NEED_ASSIGNEE) && (!in->assignee || !*in->assignee)) {
		/* no department named: the category's route for this area */
		struct category rc;
		if (!store_category_get(env->st, a, e.category, &rc)) {
			event_route(&e, &rc, route);
			routed = *in;
			routed.assignee = route;
			in = &routed;
		}
	}
	int to;
	if ((err = wf_check(&wf_event, t, e.state, e.pending, roles, in, &to, why, whylen)))
		return err;
	if (d.verdict != AUTHZ_ALLOW) { /* the same table: never reached */
		snprintf(why, whylen, "your roles may not %s an event", t->action);
		return ERR_FORBIDDEN;
	}
	long long target = 0;
	if ((err = check_refs(env, a, who, t, &e, in, &target, why, whylen)))
		return err;
	struct category cat;
	if ((err = store_category_get(env->st, a, e.category, &cat))) {
		snprintf(why, whylen, "the event's category '%s' is gone", e.category);
		return err;
	}

	long long now = env->now();
	struct event n = e;
	unsigned eff = t->effects;
	if (eff & WF_EFF_ASSIGN)
		n.assignee = arena_strdup(a, in->assignee);
	if (eff & WF_EFF_REWORK)
		n.reworks++;
	if (eff & WF_EFF_ESCALATE) {
		n.level++;
		event_owner(&n, owner);
	}
	if (eff & WF_EFF_SUPERVISE)
		n.supervisions++;
	if (eff & WF_EFF_EXT_REQUEST) {
		n.pending |= WF_PENDING_EXT;
		n.ext_days = in->days;
	}
	if (eff & WF_EFF_EXT_APPROVE) {
		n.pending &= ~WF_PENDING_EXT;
		long long ext = (long long)n.ext_days * cal_day_seconds(env->cal);
		if (n.deadline_at)
			event_set_deadline(env, &n, now, cal_add(env->cal, n.deadline_at, ext),
					   n.stage_total + ext);
		if (n.deadline_at > now)
			n.warn = 0;
		if (n.warn_at && n.warn_at <= now && n.warn == 0)
			n.warn = 1, n.warn_at = 0;
	}
	if ((eff & WF_EFF_ESCALATE) && !who)
		n.escalate_at = 0; /* the scheduler escalates once per stage */
	if (eff & WF_EFF_EXT_CLEAR)
		n.pending &= ~WF_PENDING_EXT;
	if (eff & WF_EFF_SUSP_REQUEST)
		n.pending |= WF_PENDING_SUSP;
	if (eff & WF_EFF_SUSP_CLEAR)
		n.pending &= ~WF_PENDING_SUSP;
	if (target)
		n.merged_into = target;
	if (in->rating && (t->needs & WF_NEED_RATING))
		n.rating = in->rating;
	if (eff & WF_EFF_PAUSE) {
		n.paused_left = n.deadline_at > now ? cal_between(env->cal, now, n.deadline_at) : 0;
		event_set_deadline(env, &n, now, 0, n.stage_total);
	}
	n.state = to;
	if (eff & WF_EFF_RESUME) {
		/* the stage goes on where it stopped, with what it had left */
		event_set_deadline(env, &n, now, cal_add(env->cal, now, n.paused_left),
				   n.stage_total);
		n.paused_left = 0;
	} else if (to != e.state && !(eff & WF_EFF_PAUSE)) {
		start_stage(env, &cat, &n, to, now);
		n.warn = 0;
	}
	if (to == EV_CLOSED && e.state != EV_CLOSED)
		n.closed_at = now;
	if (to != EV_CLOSED)
		n.closed_at = 0;
	n.updated_at = now;
	const char *note = in->note && *in->note ? in->note : in->reason ? in->reason : "";
	struct event_action act = {
		.at = now,
		.actor_id = who ? who->user_id : 0,
		.actor = who ? who->username : "system",
		.action = t->action,
		.from = wf_state_name(&wf_event, e.state),
		.to = wf_state_name(&wf_event, to),
		.note = note,
		.data = action_data(a, in, target, (eff & WF_EFF_ESCALATE) ? owner : NULL,
				    (eff & WF_EFF_EXT_APPROVE) ? e.ext_days : 0, n.deadline_at)
	};
	/* the change, its timeline entry and its notifications commit together */
	if ((err = store_begin(env->st)))
		return err;
	err = store_event_update(env->st, &n, e.version, &act);
	if (!err) {
		const char *kind = (eff & WF_EFF_ASSIGN)          ? "assigned"
				   : !strcmp(t->action, "return") ? "returned"
				   : (eff & WF_EFF_SUPERVISE)     ? "supervised"
				   : (eff & WF_EFF_ESCALATE)      ? "escalated"
				   : (eff & WF_EFF_NOTIFY_MERGED) ? "merged"
				   : !strcmp(t->action, "reopen") ? "reopened"
								  : NULL;
		if (kind)
			event_notify(env, &n, kind, now);
		/* the outcome reaches those whose duplicate reports were merged into it */
		if (to != e.state && (wf_event.states[to].flags & WF_TERMINAL) && to != EV_MERGED) {
			char title[256];
			snprintf(title, sizeof(title), "%s: %s", wf_state_name(&wf_event, to),
				 n.title);
			store_notify_merged(env->st, n.id, "outcome", title, now);
		}
		err = store_commit(env->st);
	} else {
		store_rollback(env->st);
	}
	if (err == ERR_CONFLICT) {
		/* someone else's transition won: report what the event is now */
		if (!store_event_get(env->st, a, &all, id, out))
			snprintf(why, whylen, "event %lld changed meanwhile; it is now %s", id,
				 wf_state_name(&wf_event, out->state));
		return err;
	}
	if (err) {
		snprintf(why, whylen, "cannot store the change");
		return err;
	}
	n.version = e.version + 1;
	*out = n;
	if (env->changed)
		env->changed(env->changed_ctx, &n, false);
	return 0;
}

/* Who hears of what (event.h, event_notify). A "stage" notice goes to
 * whoever owns the event's current stage: the assigned department in
 * acceptance and handling, the owner centre in the others. */
#define TO_CENTRE     (1u << 0) /* the owner centre's users, whatever the stage */
#define TO_DEPARTMENT (1u << 1) /* the department's handlers, in its stages */
#define TO_STAGE      (1u << 2) /* the centre or the department, by the stage */
#define TO_SUPERVISOR (1u << 3) /* the department's leaders, in its stages */
#define TO_REPORTER   (1u << 4)

static const struct {
	const char *kind;
	unsigned to;
} audience[] = {
	{ "assigned", TO_DEPARTMENT },
	{ "supervised", TO_DEPARTMENT },
	{ "returned", TO_CENTRE },
	{ "reopened", TO_CENTRE },
	{ "warning", TO_STAGE },
	/* the owner centre always: it dispatched the work, supervises (督办) and
	 * escalates it */
	{ "overdue", TO_STAGE | TO_CENTRE | TO_SUPERVISOR },
	{ "escalated", TO_CENTRE | TO_DEPARTMENT },
	{ "merged", TO_REPORTER },
};

/* Whether users bound to org `code` have the event in their scope. */
static bool org_sees(struct store *st, struct arena *a, const char *code, const struct event *e,
		     struct org *o)
{
	struct scope all = { .all = true }, sc;
	if (store_org_get(st, a, &all, code, o))
		return false;
	authz_scope_of(a, o->path, o->kind, 0, &sc);
	return authz_scope_holds(&sc, e->org_path, 0);
}

/* The owner centre's users; a level without any passes the notice to the
 * nearest centre above it, so that it never falls on an empty desk. */
static void tell_centre(struct store *st, const struct event *e, const char *kind,
			const char *title, long long now)
{
	char org[ORG_CODE_MAX];
	for (int depth = event_owner(e, org); depth >= 0; depth--) {
		int told = 0;
		/* the owner and those above it are ancestors: in their scope */
		if (path_segment(e->org_path, depth, org) &&
		    !store_notify_org(st, org, ROLE(CENTRE), 0, kind, e->id, title, now, &told) &&
		    told)
			return;
	}
}

void event_notify(const struct event_env *env, const struct event *e, const char *kind,
		  long long now)
{
	unsigned to = 0;
	for (size_t i = 0; i < ARRAY_SIZE(audience); i++)
		if (!strcmp(audience[i].kind, kind))
			to = audience[i].to;
	char title[256];
	snprintf(title, sizeof(title), "%s: %s", kind, e->title);
	struct store *st = env->st;
	enum wf_stage stage = wf_event.states[e->state].stage;
	bool department = *e->assignee && (stage == WF_STAGE_ACCEPT || stage == WF_STAGE_HANDLE);
	if (to & TO_STAGE)
		to |= department ? TO_DEPARTMENT : TO_CENTRE;
	if (!department)
		to &= ~(unsigned)(TO_DEPARTMENT | TO_SUPERVISOR);

	struct arena *a = arena_new();
	struct org dept;
	if ((to & (TO_DEPARTMENT | TO_SUPERVISOR)) && !org_sees(st, a, e->assignee, e, &dept))
		to &= ~(unsigned)(TO_DEPARTMENT | TO_SUPERVISOR);
	if (to & TO_SUPERVISOR) {
		/* first, so a leader who also handles is told once, as the leader */
		int told = 0;
		store_notify_org(st, e->assignee, ROLE(LEADER), 0, kind, e->id, title, now, &told);
		struct org div;
		if (!told && org_sees(st, a, dept.parent, e, &div))
			store_notify_org(st, dept.parent, ROLE(LEADER), 0, kind, e->id, title, now,
					 NULL);
	}
	if (to & TO_DEPARTMENT) {
		store_notify_org(st, e->assignee, ROLE(HANDLER),
				 (to & TO_SUPERVISOR) ? ROLE(LEADER) : 0, kind, e->id, title, now,
				 NULL);
		/* and to the department's webhooks, in the same transaction */
		store_webhook_enqueue(st, e->assignee, kind, e->id,
				      webhook_payload(a, e, kind, now), now);
	}
	if (to & TO_CENTRE)
		tell_centre(st, e, kind, title, now);
	if ((to & TO_REPORTER) && e->reporter_id)
		store_notify_user(st, e->reporter_id, kind, e->id, title, now);
	arena_free(a);
}
