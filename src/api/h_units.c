/*
 * h_units.c - units registered to grids, and demonstration units
 * (平安示范单位): an application or nomination is checked against the
 * records (no critical event in the unit's grid for 12 months), approved by
 * someone else with a validity period, and revoked by hand or by the
 * database when a critical event is registered in the grid. A designated
 * unit past its validity reads as "expired".
 */
#include "api/api.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"
#include "domain/workflow.h"
#include "store/store_units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ends the transaction of a change begun with store_begin(): its audit
 * record is written in it, and a failed record fails the change. */
static int audited(struct app *app, struct http_request *r, struct principal *who,
		   const char *action, const char *object, int err)
{
	if (!err)
		err = api_audit(app, r, who, action, object, "ok", NULL);
	return api_end(app, err);
}

#define YEAR_S (365LL * 86400)

static const char *const unit_kinds[] = { "enterprise", "school", "venue",
					  "hospital",   "market", "other" };

static json_t *unit_json(const struct unit *u)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)u->id, "name",
			 u->name, "kind", u->kind, "grid", u->grid_code, "address", u->address,
			 "contact", u->contact, "phone", u->phone, "created_at",
			 api_time_json(u->created_at));
}

static const char *shown_status(const struct designation *d, long long now)
{
	return !strcmp(d->status, "designated") && d->valid_to && d->valid_to <= now ? "expired"
										     : d->status;
}

static json_t *designation_json(const struct designation *d, long long now)
{
	json_t *check = json_loads(d->check_result, 0, NULL);
	return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s}", "id",
			 (json_int_t)d->id, "unit", (json_int_t)d->unit_id, "unit_name",
			 d->unit_name, "grid", d->grid_code, "status", shown_status(d, now), "how",
			 d->how, "check", check ? check : json_null(), "valid_from",
			 api_time_json(d->valid_from), "valid_to", api_time_json(d->valid_to),
			 "applied_at", api_time_json(d->created_at), "decided_at",
			 api_time_json(d->decided_at), "note", d->note);
}

static int parse_id(struct http_request *r, const char *what, long long *id)
{
	if (str_to_ll(r->params[0], 1, (long long)1 << 53, id))
		return http_error(r, ERR_NOT_FOUND, "no %s '%.20s'", what, r->params[0]);
	return 0;
}

int h_units(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	const char *grid = http_query(r, "grid");
	const char *path = NULL;
	if (grid) {
		struct org o;
		if (store_org_get(app->st, r->arena, &who->scope, grid, &o))
			return http_error(r, ERR_BAD_QUERY, "no org '%.24s' in your scope", grid);
		path = o.path;
	}
	struct unit *v;
	size_t n;
	int err = store_unit_list(app->st, r->arena, &who->scope, path, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, unit_json(&v[i]));
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}

int h_unit_add(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "name",    "kind",  "grid", "address",
					    "contact", "phone", NULL };
	struct unit u = { .created_at = app->now() };
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "name", true, 200, &u.name)) ||
	    (err = api_str(r, body, "kind", true, 20, &u.kind)) ||
	    (err = api_str(r, body, "grid", true, ORG_CODE_MAX - 1, &u.grid_code)) ||
	    (err = api_str(r, body, "address", false, 200, &u.address)) ||
	    (err = api_str(r, body, "contact", false, 50, &u.contact)) ||
	    (err = api_str(r, body, "phone", false, 30, &u.phone)))
		return err;
	u.address = u.address ? u.address : "";
	u.contact = u.contact ? u.contact : "";
	u.phone = u.phone ? u.phone : "";
	if (!*u.name || !str_utf8_valid(u.name, strlen(u.name)))
		return http_error(r, ERR_BAD_VALUE, "name must be 1-200 characters");
	bool kind_ok = false;
	for (size_t i = 0; i < ARRAY_SIZE(unit_kinds); i++)
		kind_ok |= !strcmp(u.kind, unit_kinds[i]);
	if (!kind_ok)
		return http_error(r, ERR_BAD_VALUE,
				  "kind must be enterprise, school, venue, hospital, market or "
				  "other");
	struct org g;
	if (store_org_get(app->st, r->arena, &who->scope, u.grid_code, &g) || g.kind != ORG_GRID)
		return http_error(r, ERR_BAD_VALUE, "no grid '%.24s' in your scope", u.grid_code);
	if ((err = store_begin(app->st)) ||
	    (err = audited(app, r, who, "unit.add", "unit", store_unit_add(app->st, r->arena, &u))))
		return err == ERR_NOT_FOUND
			       ? http_error(r, ERR_BAD_VALUE, "no grid '%.24s'", u.grid_code)
			       : err;
	http_add_header(r, "Location", arena_printf(r->arena, "/api/v1/units/%lld", u.id));
	http_reply_json(r, 201, unit_json(&u));
	return 0;
}

int h_unit_get(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long id;
	struct unit u;
	int err;
	if ((err = parse_id(r, "unit", &id)))
		return err;
	if (store_unit_get(app->st, r->arena, &who->scope, id, &u))
		return http_error(r, ERR_NOT_FOUND, "no unit %lld", id);
	struct designation *v;
	size_t n;
	if ((err = store_designation_list(app->st, r->arena, &who->scope, id, NULL, &v, &n)))
		return err;
	json_t *j = unit_json(&u), *ds = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(ds, designation_json(&v[i], app->now()));
	json_object_set_new(j, "designations", ds);
	http_reply_json(r, 200, j);
	return 0;
}

/* the rule checked against the records: no critical event in the unit's
 * grid in the 12 months before now */
static char *check_unit(struct app *app, struct http_request *r, const char *org_path, bool *passed,
			long long *count)
{
	long long now = app->now();
	if (store_unit_incidents(app->st, org_path, now - YEAR_S, now + 1, count))
		return NULL;
	*passed = *count == 0;
	json_t *j = json_pack("{s:s,s:o,s:o,s:I,s:b}", "rule",
			      "no critical event (urgency 3) in the unit's grid for 12 months",
			      "from", api_time_json(now - YEAR_S), "to", api_time_json(now),
			      "critical_events", (json_int_t)*count, "passed", *passed);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	char *out = arena_strdup(r->arena, text);
	free(text);
	return out;
}

int h_unit_designate(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "how", "note", NULL };
	long long id;
	const char *how, *note;
	int err;
	if ((err = parse_id(r, "unit", &id)) || (err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "how", true, 20, &how)) ||
	    (err = api_str(r, body, "note", false, 500, &note)))
		return err;
	if (strcmp(how, "application") && strcmp(how, "nomination"))
		return http_error(r, ERR_BAD_VALUE, "how must be application or nomination");
	struct unit u;
	if (store_unit_get(app->st, r->arena, &who->scope, id, &u))
		return http_error(r, ERR_NOT_FOUND, "no unit %lld", id);
	struct designation *open;
	size_t nopen;
	if ((err = store_designation_list(app->st, r->arena, &who->scope, id, NULL, &open, &nopen)))
		return err;
	for (size_t i = 0; i < nopen; i++)
		if (!strcmp(open[i].status, "applied") ||
		    !strcmp(shown_status(&open[i], app->now()), "designated"))
			return http_error(r, ERR_CONFLICT, "unit %lld is already %s", id,
					  open[i].status);
	bool passed;
	long long count;
	char *check = check_unit(app, r, u.org_path, &passed, &count);
	if (!check)
		return ERR_DB;
	struct designation d = { .unit_id = id,
				 .how = how,
				 .check_result = check,
				 .note = note ? note : "",
				 .created_by = who->user_id,
				 .created_at = app->now() };
	if ((err = store_begin(app->st)) ||
	    (err = audited(app, r, who, "designation.add", "designation",
			   store_designation_add(app->st, &d))) ||
	    (err = store_designation_get(app->st, r->arena, &who->scope, d.id, &d)))
		return err;
	http_reply_json(r, 201, designation_json(&d, app->now()));
	return 0;
}

int h_designations(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	const char *status = http_query(r, "status");
	static const char *const statuses[] = { "applied", "designated", "rejected", "revoked",
						"expired" };
	bool ok = !status;
	for (size_t i = 0; status && i < ARRAY_SIZE(statuses); i++)
		ok |= !strcmp(status, statuses[i]);
	if (!ok)
		return http_error(r, ERR_BAD_QUERY,
				  "status must be applied, designated, rejected, revoked or "
				  "expired");
	bool expired = status && !strcmp(status, "expired");
	struct designation *v;
	size_t n;
	int err = store_designation_list(app->st, r->arena, &who->scope, 0,
					 expired ? "designated" : status, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	long long now = app->now();
	for (size_t i = 0; i < n; i++)
		if (!status || !strcmp(shown_status(&v[i], now), status))
			json_array_append_new(items, designation_json(&v[i], now));
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}

int h_designation_get(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long id;
	struct designation d;
	int err;
	if ((err = parse_id(r, "designation", &id)))
		return err;
	if (store_designation_get(app->st, r->arena, &who->scope, id, &d))
		return http_error(r, ERR_NOT_FOUND, "no designation %lld", id);
	struct designation_change *h;
	size_t n;
	if ((err = store_designation_history(app->st, r->arena, &who->scope, id, &h, &n)))
		return err;
	json_t *j = designation_json(&d, app->now()), *hist = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(hist,
				      json_pack("{s:o,s:s,s:s,s:s,s:s}", "at",
						api_time_json(h[i].at), "by", h[i].user, "from",
						h[i].from, "to", h[i].to, "note", h[i].note));
	json_object_set_new(j, "history", hist);
	http_reply_json(r, 200, j);
	return 0;
}

/* A decision on a designation: its states, who may take it and what it must
 * carry are the engine's (wf_designation, domain/workflow.c). */
static int move(struct app *app, struct http_request *r, struct principal *who, json_t *body,
		const char *action)
{
	static const char *const keys[] = { "note", "years", NULL };
	long long id, years = 3;
	const char *note;
	int err;
	bool approve = !strcmp(action, "approve");
	if ((err = parse_id(r, "designation", &id)) || (err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "note", false, 500, &note)) ||
	    (err = api_int(r, body, "years", false, 1, 5, &years)))
		return err;
	if (!approve && json_object_get(body, "years"))
		return http_error(r, ERR_BAD_VALUE, "only an approval takes 'years'");
	if (!json_object_get(body, "years"))
		years = 3;
	struct designation d;
	if (store_designation_get(app->st, r->arena, &who->scope, id, &d))
		return http_error(r, ERR_NOT_FOUND, "no designation %lld", id);
	const char *from = d.status, *to;
	char why[160];
	if ((err = wf_decide(&wf_designation, action, from, who->roles,
			     &(struct wf_input){ .note = note }, &to, why, sizeof(why)))) {
		if (err == ERR_CONFLICT)
			return http_error(r, err, "designation %lld is %s", id,
					  shown_status(&d, app->now()));
		return http_error(r, err, "%s", why);
	}
	/* four eyes on approving and rejecting (revoking ends a designation) */
	struct authz_object entry = { .exists = true,
				      .org_path = d.org_path,
				      .creator_id = d.created_by };
	if (strcmp(to, "revoked") &&
	    !authz_allowed(who, &(struct authz_request){ .action = AUTHZ_DECIDE, .obj = &entry }))
		return http_error(r, ERR_FORBIDDEN,
				  "an application or nomination is decided by someone else");
	long long now = app->now();
	const char *check = NULL;
	if (approve) {
		/* the criteria are checked again at approval: the records may have moved */
		bool passed;
		long long count;
		check = check_unit(app, r, d.org_path, &passed, &count);
		if (!check)
			return ERR_DB;
		if (!passed)
			return http_error(
				r, ERR_CONFLICT,
				"the unit's grid had %lld critical event%s in the last 12 "
				"months",
				count, count == 1 ? "" : "s");
	}
	if (!(err = store_begin(app->st)))
		err = audited(app, r, who, "designation.move",
			      arena_printf(r->arena, "designation:%lld", id),
			      store_designation_move(
				      app->st, id, from, to, who->user_id, now, approve ? now : 0,
				      approve ? now + years * YEAR_S : 0, check, note ? note : ""));
	if (err == ERR_CONFLICT)
		return http_error(r, ERR_CONFLICT, "designation %lld changed meanwhile", id);
	if (err || (err = store_designation_get(app->st, r->arena, &who->scope, id, &d)))
		return err;
	http_reply_json(r, 200, designation_json(&d, now));
	return 0;
}

int h_designation_approve(struct app *app, struct http_request *r, struct principal *who,
			  json_t *body)
{
	return move(app, r, who, body, "approve");
}

int h_designation_reject(struct app *app, struct http_request *r, struct principal *who,
			 json_t *body)
{
	return move(app, r, who, body, "reject");
}

int h_designation_revoke(struct app *app, struct http_request *r, struct principal *who,
			 json_t *body)
{
	return move(app, r, who, body, "revoke");
}
