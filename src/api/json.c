/*
 * json.c - the dispatcher and the helpers handlers share; see api.h.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/str.h"
#include "domain/authz.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void json_release(void *p)
{
	json_decref(p);
}

static const char *bearer(struct http_request *r)
{
	const char *h = http_header(r, "Authorization");
	if (h && !strncasecmp(h, "Bearer ", 7))
		return h + 7;
	return NULL;
}

/* A cross-site form or fetch carries a foreign Origin (and, in current
 * browsers, Sec-Fetch-Site): refuse state changes made with the session
 * cookie from one, and logins (login CSRF). Tokens in headers are immune: a
 * browser never adds them by itself. A request with neither header is not
 * a browser's cross-site request (every browser that sends SameSite cookies
 * sends Origin on a cross-site POST). */
static bool cross_site(struct http_request *r)
{
	const char *sfs = http_header(r, "Sec-Fetch-Site");
	if (sfs && (!strcasecmp(sfs, "cross-site") || !strcasecmp(sfs, "same-site")))
		return true;
	const char *origin = http_header(r, "Origin"), *host = http_header(r, "Host");
	if (!origin || !host || !strcmp(origin, "null"))
		return origin && !strcmp(origin, "null");
	const char *o = strstr(origin, "://");
	return !o || strcmp(o + 3, host) != 0;
}

static bool state_changing(const char *method)
{
	return strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "OPTIONS");
}

static int dispatch(struct app *app, struct http_request *r);

int api_dispatch(void *ctx, struct http_request *r)
{
	/* audit records appended while serving this request carry its address */
	store_audit_source(r->ip);
	int err = dispatch(ctx, r);
	store_audit_source(NULL);
	/* Open311 clients expect the spec's error list even for a wrong path or method */
	if (err && str_starts_with(r->path, "/open311/"))
		return o311_error(r, err);
	return err;
}

static int dispatch(struct app *app, struct http_request *r)
{
	char allow[64];
	int err;
	const struct route *rt = api_match(r->arena, r->method, r->path, r->params, &r->nparams,
					   &err, allow, sizeof(allow));
	if (!rt) {
		if (err == ERR_METHOD) {
			http_add_header(r, "Allow", arena_strdup(r->arena, allow));
			return http_error(r, err, "method '%s' is not allowed here; use %s",
					  r->method, allow);
		}
		if ((!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) && web_path(r->path))
			return web_serve(app->web, r);
		return http_error(r, err, "no endpoint at '%s'", r->path);
	}
	r->route = rt->pattern;
	struct principal who, *whop = NULL;
	if (rt->perm == PERM_PUBLIC && !(rt->flags & ROUTE_CROSS_SITE) &&
	    state_changing(r->method) && cross_site(r))
		return http_error(r, ERR_FORBIDDEN, "cross-site request refused");
	if (rt->perm != PERM_PUBLIC) {
		const char *token = bearer(r);
		bool by_cookie = false;
		if (!token) {
			token = http_cookie(r, "pingan_session");
			by_cookie = token != NULL;
		}
		if (!token)
			return http_error(r, ERR_UNAUTHENTICATED, "log in first");
		err = auth_session(app->st, app->cfg, r->arena, token, app->now(), &who);
		if (err == ERR_UNAUTHENTICATED)
			return http_error(r, err, "the session is missing, expired or ended");
		if (err)
			return err;
		r->user = who.username;
		whop = &who;
		if (by_cookie && state_changing(r->method) && cross_site(r))
			return http_error(r, ERR_FORBIDDEN, "cross-site request refused");
		if (who.stage == AUTH_STAGE_ENROL && !(rt->flags & ROUTE_STAGE_ENROL))
			return http_error(r, ERR_ENROL_REQUIRED,
					  "enrol a second factor first: POST /api/v1/me/totp");
		if (who.stage == AUTH_STAGE_PASSWORD && !(rt->flags & ROUTE_STAGE_PASSWORD))
			return http_error(r, ERR_PW_EXPIRED,
					  "the password has expired: change it first with POST "
					  "/api/v1/me/password");
		/* the role half of the decision (domain/authz.c): the route's
		 * permission, and the audit administrator's separation */
		struct authz_request rq = { .action = AUTHZ_ROUTE,
					    .perm = rt->perm,
					    .self = (rt->flags & ROUTE_SELF) != 0 };
		if (!authz_allowed(&who, &rq)) {
			struct audit_rec ar = {
				.at = app->now(),
				.user_id = who.user_id,
				.username = who.username,
				.action = "access",
				.object = arena_printf(r->arena, "%s %s", r->method, rt->pattern),
				.outcome = "denied",
				.detail = "the user's roles do not allow this route"
			};
			if ((err = store_audit_append(app->st, &ar)))
				return err;
			return http_error(r, ERR_FORBIDDEN, "your roles do not allow this");
		}
	}
	json_t *body = NULL;
	if (rt->flags & ROUTE_JSON_BODY) {
		const char *ct = http_header(r, "Content-Type");
		if (!ct || strncasecmp(ct, "application/json", 16) ||
		    (ct[16] && ct[16] != ';' && ct[16] != ' '))
			return http_error(r, ERR_MEDIA_TYPE,
					  "send the body as application/json, not '%s'",
					  ct ? ct : "(none)");
		if (!r->body)
			return http_error(r, ERR_BAD_JSON, "the body is empty; send a JSON object");
		/* refused before jansson builds it: no request of ours nests deeply */
		int depth;
		size_t numbers;
		str_json_measure(r->body, r->body_len, &depth, &numbers);
		if (depth > API_JSON_MAX_DEPTH)
			return http_error(r, ERR_BAD_JSON, "the body nests deeper than %d levels",
					  API_JSON_MAX_DEPTH);
		json_error_t je;
		body = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				  &je);
		if (!body)
			return http_error(r, ERR_BAD_JSON, "line %d, column %d: %s", je.line,
					  je.column, je.text);
		arena_defer(r->arena, json_release, body);
		if (!json_is_object(body))
			return http_error(r, ERR_BAD_TYPE, "the body must be a JSON object");
	}
	if (!state_changing(r->method))
		return rt->fn(app, r, whop, body);
	/* a write on its way: a group about to commit waits a moment for it */
	store_write_intent(app->st);
	err = rt->fn(app, r, whop, body);
	store_write_intent_end(app->st);
	return err;
}

int api_str(struct http_request *r, json_t *obj, const char *key, bool required, size_t maxlen,
	    const char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return http_error(r, ERR_MISSING, "field '%s' is required", key);
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return http_error(r, ERR_BAD_TYPE, "field '%s' must be a string", key);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (strlen(s) != n)
		return http_error(r, ERR_BAD_VALUE, "field '%s' must not contain NUL", key);
	if (str_utf8_len(s) > maxlen)
		return http_error(r, ERR_BAD_VALUE, "field '%s' is longer than %zu characters", key,
				  maxlen);
	if (required && !*s)
		return http_error(r, ERR_MISSING, "field '%s' must not be empty", key);
	*out = s;
	return 0;
}

int api_int(struct http_request *r, json_t *obj, const char *key, bool required, long long min,
	    long long max, long long *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return http_error(r, ERR_MISSING, "field '%s' is required", key);
		return 0;
	}
	if (!json_is_integer(v))
		return http_error(r, ERR_BAD_TYPE, "field '%s' must be an integer", key);
	long long x = json_integer_value(v);
	if (x < min || x > max)
		return http_error(r, ERR_BAD_VALUE, "field '%s' must be in [%lld, %lld]", key, min,
				  max);
	*out = x;
	return 0;
}

int api_only_keys(struct http_request *r, json_t *obj, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach (obj, k, v) {
		bool known = false;
		for (const char *const *p = keys; *p; p++)
			if (!strcmp(*p, k))
				known = true;
		if (!known)
			return http_error(r, ERR_BAD_VALUE, "field '%.40s' is not accepted here",
					  k);
	}
	return 0;
}

int api_query_double(struct http_request *r, const char *key, double min, double max, double *out)
{
	const char *v = http_query(r, key);
	if (!v)
		return http_error(r, ERR_BAD_QUERY, "query parameter '%s' is required", key);
	double x;
	if (str_to_double(v, &x) || x < min || x > max)
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter '%s' must be a number in [%g, %g]", key, min,
				  max);
	*out = x;
	return 0;
}

int api_query_int(struct http_request *r, const char *key, long long min, long long max,
		  long long def, long long *out)
{
	const char *v = http_query(r, key);
	if (!v) {
		*out = def;
		return 0;
	}
	if (str_to_ll(v, min, max, out))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter '%s' must be an integer in [%lld, %lld]", key,
				  min, max);
	return 0;
}

json_t *api_time_json(long long t)
{
	if (!t)
		return json_null();
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *api_org_json(const struct org *o)
{
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i}", "code", o->code, "kind",
			      org_kind_name(o->kind), "name", o->name, "name_en", o->name_en,
			      "depth", o->depth, "children", o->children);
	json_object_set_new(j, "parent", *o->parent ? json_string(o->parent) : json_null());
	return j;
}

json_t *api_principal_json(const struct principal *who)
{
	json_t *roles = json_array();
	for (int i = 0; i < ROLE__COUNT; i++)
		if (who->roles & (1u << i))
			json_array_append_new(roles, json_string(role_name(i)));
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)who->user_id, "username",
			 who->username, "display_name", who->display_name, "org", who->org_code,
			 "org_kind", org_kind_name(who->org_kind), "roles", roles);
}
