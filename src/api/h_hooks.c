/*
 * h_hooks.c - administering webhooks and reading their delivery log.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/sec.h"
#include "core/str.h"
#include "domain/webhook.h"

#include <string.h>
#include <time.h>

static const char *const known_kinds[] = { "assigned", "supervised", "warning",
					   "overdue",  "escalated",  NULL };

static json_t *hook_json(const struct webhook *w)
{
	json_t *kinds = json_array();
	if (*w->kinds) {
		const char *p = w->kinds;
		while (*p) {
			const char *c = strchr(p, ',');
			size_t n = c ? (size_t)(c - p) : strlen(p);
			json_array_append_new(kinds, json_stringn(p, n));
			p += n + (c ? 1 : 0);
		}
	}
	return json_pack("{s:I,s:s,s:s,s:o,s:b,s:o}", "id", (json_int_t)w->id, "org", w->org_code,
			 "url", w->url, "kinds", kinds, "enabled", w->enabled, "created_at",
			 api_time_json(w->created_at));
}

static bool valid_url(const char *u)
{
	if (!str_starts_with(u, "http://") && !str_starts_with(u, "https://"))
		return false;
	for (const char *p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
			return false;
	return strlen(u) > 10;
}

int h_hook_add(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "org", "url", "kinds", NULL };
	const char *org, *url;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "org", true, 23, &org)) ||
	    (err = api_str(r, body, "url", true, 500, &url)))
		return err;
	if (!valid_url(url))
		return http_error(r, ERR_BAD_VALUE,
				  "field 'url' must be an http:// or https:// URL");
	struct org o;
	if (store_org_get(app->st, r->arena, &who->scope, org, &o) || o.kind != ORG_DEPARTMENT)
		return http_error(r, ERR_BAD_VALUE, "no department '%s' in your scope", org);
	struct strbuf kinds = STRBUF_INIT;
	json_t *jk = json_object_get(body, "kinds");
	if (jk && !json_is_array(jk)) {
		strbuf_release(&kinds);
		return http_error(r, ERR_BAD_TYPE,
				  "field 'kinds' must be an array of notification kinds");
	}
	size_t i;
	json_t *v;
	json_array_foreach (jk, i, v) {
		const char *k = json_string_value(v);
		bool ok = false;
		for (const char *const *p = known_kinds; k && *p; p++)
			ok |= !strcmp(*p, k);
		if (!ok) {
			strbuf_release(&kinds);
			return http_error(r, ERR_BAD_VALUE, "unknown notification kind '%.30s'",
					  k ? k : "?");
		}
		strbuf_addf(&kinds, "%s%s", kinds.len ? "," : "", k);
	}
	unsigned char raw[16];
	char secret[33];
	sec_random(raw, sizeof(raw));
	sec_hex(raw, sizeof(raw), secret);
	struct webhook w = { .org_code = org,
			     .url = url,
			     .secret = secret,
			     .kinds = arena_strdup(r->arena, strbuf_str(&kinds)),
			     .created_by = who->user_id,
			     .created_at = app->now() };
	strbuf_release(&kinds);
	if ((err = store_begin(app->st)))
		return err;
	err = store_webhook_add(app->st, &w);
	if (!err)
		err = webhook_store_secret(app->st, r->arena, w.id, secret);
	if (!err)
		err = api_audit(app, r, who, "config.webhook.add",
				arena_printf(r->arena, "webhook:%lld", w.id), "ok",
				"org=%s url=%s kinds=%s", w.org_code, w.url, w.kinds);
	if ((err = api_end(app, err))) {
		sec_wipe(secret, sizeof(secret));
		return err;
	}
	json_t *j = hook_json(&w);
	/* the secret is shown once, to configure the receiving end */
	json_object_set_new(j, "secret", json_string(secret));
	sec_wipe(secret, sizeof(secret));
	http_reply_json(r, 201, j);
	return 0;
}

int h_hook_list(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct webhook *v;
	size_t n;
	int err = store_webhook_list(app->st, r->arena, &who->scope, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, hook_json(&v[i]));
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}

static int find(struct app *app, struct http_request *r, struct principal *who, struct webhook *w)
{
	long long id;
	if (str_to_ll(r->params[0], 1, 1LL << 53, &id) ||
	    store_webhook_get(app->st, r->arena, &who->scope, id, w))
		return http_error(r, ERR_NOT_FOUND, "no webhook '%.20s'", r->params[0]);
	return 0;
}

int h_hook_disable(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct webhook w;
	int err = find(app, r, who, &w);
	if (err || (err = store_begin(app->st)))
		return err;
	err = store_webhook_disable(app->st, w.id);
	if (!err)
		err = api_audit(app, r, who, "config.webhook.disable",
				arena_printf(r->arena, "webhook:%lld", w.id), "ok", "url=%s",
				w.url);
	if ((err = api_end(app, err)))
		return err;
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
	return 0;
}

int h_hook_deliveries(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct webhook w;
	int err = find(app, r, who, &w);
	if (err)
		return err;
	struct delivery *v;
	size_t n;
	if ((err = store_delivery_list(app->st, r->arena, w.id, 100, &v, &n)))
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_pack(
			"{s:I,s:s,s:s,s:i,s:i,s:s,s:o,s:o,s:o}", "id", (json_int_t)v[i].id, "kind",
			v[i].kind, "status", v[i].status, "attempts", v[i].attempts, "last_status",
			v[i].last_status, "last_error", v[i].last_error, "created_at",
			api_time_json(v[i].created_at), "delivered_at",
			api_time_json(v[i].delivered_at), "next_at",
			api_time_json(!strcmp(v[i].status, "pending") ? v[i].next_at : 0));
		json_object_set_new(x, "event",
				    v[i].event_id ? json_integer(v[i].event_id) : json_null());
		json_array_append_new(items, x);
	}
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}
