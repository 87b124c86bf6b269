/*
 * h_audit.c - the audit administrator's API: list and filter the audit log,
 * verify its chain, export and make anchors; and api_audit(), with which
 * every handler records what it changes.
 *
 * Every call here is itself audited (action audit.query, audit.verify,
 * audit.export, audit.anchor), before the answer is made: if the record
 * cannot be written, nothing is shown.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_audit(struct app *app, struct http_request *r, const struct principal *who,
	      const char *action, const char *object, const char *outcome, const char *fmt, ...)
{
	const char *detail = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		detail = arena_vprintf(r->arena, fmt, ap);
		va_end(ap);
	}
	struct audit_rec ar = { .at = app->now(),
				.user_id = who ? who->user_id : 0,
				.username = who ? who->username : "",
				.ip = r->ip,
				.action = action,
				.object = object,
				.outcome = outcome,
				.detail = detail };
	return store_audit_append(app->st, &ar);
}

int api_end(struct app *app, int err)
{
	if (err) {
		store_rollback(app->st);
		return err;
	}
	return store_commit(app->st);
}

/* "YYYY-MM-DD" (the local day's start) or "YYYY-MM-DDTHH:MM:SSZ" (UTC) */
static int query_time(struct http_request *r, const char *key, long long *out)
{
	const char *v = http_query(r, key);
	*out = 0;
	if (!v)
		return 0;
	int y, m, d, hh = 0, mi = 0, ss = 0;
	char tail;
	size_t n = strlen(v);
	bool date = n == 10 && sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3;
	bool stamp =
		n == 20 &&
		sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2dZ%c", &y, &m, &d, &hh, &mi, &ss, &tail) == 6 &&
		v[19] == 'Z';
	if ((!date && !stamp) || y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 ||
	    hh > 23 || mi > 59 || ss > 59 || hh < 0 || mi < 0 || ss < 0)
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter '%s' must be YYYY-MM-DD or "
				  "YYYY-MM-DDTHH:MM:SSZ",
				  key);
	long day = cal_day_from_civil(y, m, d);
	int yy, mm, dd;
	cal_civil(day, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return http_error(r, ERR_BAD_QUERY, "query parameter '%s': %.10s is not a date",
				  key, v);
	*out = (long long)day * 86400 + hh * 3600 + mi * 60 + ss - (date ? CAL_TZ_OFFSET : 0);
	return 0;
}

static int query_text(struct http_request *r, const char *key, size_t max, const char **out)
{
	const char *v = http_query(r, key);
	*out = NULL;
	if (!v)
		return 0;
	if (!*v || strlen(v) > max || !str_utf8_valid(v, strlen(v)))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter '%s' must be 1-%zu bytes of UTF-8", key, max);
	*out = v;
	return 0;
}

static json_t *rec_json(const struct audit_rec *x)
{
	json_t *j =
		json_pack("{s:I,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "seq", (json_int_t)x->seq,
			  "at", api_time_json(x->at), "username", x->username, "ip", x->ip,
			  "action", x->action, "object", x->object, "outcome", x->outcome, "detail",
			  x->detail, "prev", x->prev, "hash", x->hash);
	json_object_set_new(j, "user_id", x->user_id ? json_integer(x->user_id) : json_null());
	return j;
}

int h_audit_list(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct audit_filter f = { 0 };
	long long limit, cursor, user_id;
	int err;
	if ((err = api_query_int(r, "limit", 1, 500, 100, &limit)) ||
	    (err = api_query_int(r, "cursor", 1, 1LL << 53, 0, &cursor)) ||
	    (err = api_query_int(r, "user_id", 1, 1LL << 53, 0, &user_id)) ||
	    (err = query_time(r, "from", &f.from)) || (err = query_time(r, "to", &f.to)) ||
	    (err = query_text(r, "user", AUDIT_USER_MAX, &f.username)) ||
	    (err = query_text(r, "action", AUDIT_ACTION_MAX, &f.action)) ||
	    (err = query_text(r, "object", AUDIT_OBJECT_MAX, &f.object)) ||
	    (err = query_text(r, "outcome", AUDIT_OUTCOME_MAX, &f.outcome)))
		return err;
	if (f.from && f.to && f.to <= f.from)
		return http_error(r, ERR_BAD_QUERY, "'to' must come after 'from'");
	f.limit = (int)limit;
	f.before_seq = cursor;
	f.user_id = user_id;
	/* the query is recorded first: no record, no answer */
	/* the query is recorded first: no record, no answer; the detail names
	 * the filters given */
	struct strbuf d;
	strbuf_init(&d, AUDIT_DETAIL_MAX);
	static const char *const keys[] = { "from",   "to",      "user",   "user_id", "action",
					    "object", "outcome", "cursor", "limit" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = http_query(r, keys[i]);
		if (v)
			strbuf_addf(&d, "%s%s=%s", d.len ? " " : "", keys[i], v);
	}
	err = api_audit(app, r, who, "audit.query", "audit", "ok", "%s", strbuf_str(&d));
	strbuf_release(&d);
	if (err)
		return err;
	struct audit_rec *v;
	size_t n;
	if ((err = store_audit_list(app->st, r->arena, &f, &v, &n)))
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, rec_json(&v[i]));
	json_t *j = json_pack("{s:o}", "items", items);
	json_object_set_new(j, "next_cursor",
			    n == (size_t)limit && n
				    ? json_string(arena_printf(r->arena, "%lld", v[n - 1].seq))
				    : json_null());
	http_reply_json(r, 200, j);
	return 0;
}

static json_t *anchor_json(const struct audit_anchor *x)
{
	return json_pack("{s:I,s:I,s:s,s:o,s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)x->id,
			 "seq", (json_int_t)x->seq, "hash", x->hash, "at", api_time_json(x->at),
			 "at_unix", (json_int_t)x->at, "alg", x->alg, "key_id", x->key_id, "mac",
			 x->mac, "sig", x->sig, "sig_key_id", x->sig_key_id);
}

int h_audit_verify(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	int err;
	if ((err = api_audit(app, r, who, "audit.verify", "audit", "ok", NULL)))
		return err;
	struct audit_verify v;
	if ((err = store_audit_verify(app->st, r->arena, NULL, 0, app->audit_key, AUDIT_KEY_LEN,
				      app->audit_sign, &v)))
		return err;
	json_t *j = json_pack("{s:b,s:I,s:I,s:s,s:I,s:I,s:I}", "ok", v.ok, "records",
			      (json_int_t)v.records, "head_seq", (json_int_t)v.head_seq, "head",
			      v.head, "anchors", (json_int_t)v.anchors, "anchors_checked",
			      (json_int_t)v.anchors_checked, "problems", (json_int_t)v.problems);
	json_object_set_new(j, "latest_anchor_seq",
			    v.latest_anchor_seq >= 0 ? json_integer(v.latest_anchor_seq)
						     : json_null());
	json_object_set_new(j, "first_problem",
			    v.problems ? json_pack("{s:s,s:I,s:s}", "kind", v.problem_kind, "seq",
						   (json_int_t)v.problem_seq, "message", v.problem)
				       : json_null());
	http_reply_json(r, 200, j);
	return 0;
}

int h_audit_anchors(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long after, limit;
	int err;
	if ((err = api_query_int(r, "after", 1, 1LL << 53, 0, &after)) ||
	    (err = api_query_int(r, "limit", 1, 10000, 1000, &limit)))
		return err;
	if ((err = api_audit(app, r, who, "audit.export", "audit", "ok", "anchors after %lld",
			     after)))
		return err;
	struct audit_anchor *v;
	size_t n;
	long long seq;
	char hash[SEC_HEX_LEN];
	if ((err = store_audit_anchors(app->st, r->arena, after, (int)limit, &v, &n)) ||
	    (err = store_audit_head(app->st, &seq, hash)))
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, anchor_json(&v[i]));
	char key_id[AUDIT_KEY_ID_LEN];
	audit_key_id(app->audit_key, AUDIT_KEY_LEN, key_id);
	json_t *j = json_pack("{s:o,s:{s:I,s:s},s:s}", "items", items, "head", "seq",
			      (json_int_t)seq, "hash", hash, "key_id", key_id);
	json_object_set_new(j, "next_cursor",
			    n == (size_t)limit && n
				    ? json_string(arena_printf(r->arena, "%lld", v[n - 1].id))
				    : json_null());
	/* the SM2 public key: with it anyone can check the exported anchors */
	char *pem = app->audit_sign ? sm2_public_pem(app->audit_sign) : NULL;
	json_object_set_new(j, "public_key", pem ? json_string(pem) : json_null());
	free(pem);
	http_reply_json(r, 200, j);
	return 0;
}

int h_audit_anchor_now(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct audit_anchor x;
	int err = store_begin(app->st);
	if (err)
		return err;
	if ((err = api_audit(app, r, who, "audit.anchor", "audit", "ok", NULL)) ||
	    (err = store_audit_anchor(app->st, app->audit_key, AUDIT_KEY_LEN, app->audit_sign,
				      app->now(), false, &x))) {
		store_rollback(app->st);
		return err;
	}
	if ((err = store_commit(app->st)))
		return err;
	http_reply_json(r, 201, anchor_json(&x));
	return 0;
}
