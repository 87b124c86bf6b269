/*
 * h_keys.c - API keys for Open311 clients: issue, list, revoke.
 *
 * A key is 128 random bits shown as 32 hex digits exactly once, in the
 * answer to the request that issues it; the database keeps its SM3 digest
 * (like session tokens), so neither a listing nor a copy of the database
 * reveals a usable key. Each key is bound to a jurisdiction: a district
 * inside the issuing administrator's scope. Revoking is final and takes
 * effect on the key's next request.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/sec.h"
#include "core/str.h"

#include <string.h>
#include <time.h>

static json_t *key_json(const struct api_key *k)
{
	json_t *j = json_pack("{s:I,s:s,s:s,s:b,s:I}", "id", (json_int_t)k->id, "name", k->name,
			      "jurisdiction", k->jurisdiction, "revoked", k->revoked_at != 0,
			      "uses", (json_int_t)k->uses);
	json_object_set_new(j, "created_by",
			    *k->created_by_name ? json_string(k->created_by_name) : json_null());
	json_object_set_new(j, "created_at", api_time_json(k->created_at));
	json_object_set_new(j, "revoked_at", api_time_json(k->revoked_at));
	json_object_set_new(j, "last_used_at", api_time_json(k->last_used_at));
	return j;
}

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

int h_api_key_create(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "name", "jurisdiction", NULL };
	const char *name, *jur;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "name", true, 100, &name)) ||
	    (err = api_str(r, body, "jurisdiction", true, 23, &jur)))
		return err;
	if (has_control(name))
		return http_error(r, ERR_BAD_VALUE,
				  "field 'name' must not contain control characters");
	struct org o;
	err = store_org_get(app->st, r->arena, &who->scope, jur, &o);
	if (err && err != ERR_NOT_FOUND)
		return err;
	if (err || o.kind != ORG_DISTRICT)
		return http_error(r, ERR_BAD_VALUE,
				  "no district '%s' in your scope to issue a key for", jur);
	unsigned char raw[16];
	char secret[AUTH_TOKEN_HEX], hash[SEC_HEX_LEN];
	sec_random(raw, sizeof(raw));
	sec_hex(raw, sizeof(raw), secret);
	sec_wipe(raw, sizeof(raw));
	sec_digest_hex(SEC_SM3, secret, 32, hash);
	struct api_key k = { .name = name,
			     .jurisdiction = o.code,
			     .created_by = who->user_id,
			     .created_by_name = who->username,
			     .created_at = app->now() };
	if ((err = store_begin(app->st))) {
		sec_wipe(secret, sizeof(secret));
		return err;
	}
	err = store_api_key_add(app->st, &k, hash);
	if (!err)
		err = api_audit(app, r, who, "api_key.create",
				arena_printf(r->arena, "api_key:%lld", k.id), "ok", "name=%s",
				k.name);
	if ((err = api_end(app, err))) {
		sec_wipe(secret, sizeof(secret));
		return err;
	}
	json_t *j = key_json(&k);
	json_object_set_new(j, "key", json_string(secret));
	sec_wipe(secret, sizeof(secret));
	http_add_header(r, "Location", arena_printf(r->arena, "/api/v1/api-keys/%lld", k.id));
	http_reply_json(r, 201, j);
	return 0;
}

int h_api_key_list(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct api_key *v;
	size_t n;
	int err = store_api_key_list(app->st, r->arena, &who->scope, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, key_json(&v[i]));
	http_reply_json(r, 200, json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)n));
	return 0;
}

int h_api_key_revoke(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long id;
	struct api_key k;
	if (str_to_ll(r->params[0], 1, (long long)1 << 53, &id))
		return http_error(r, ERR_NOT_FOUND, "no API key '%.20s'", r->params[0]);
	int err = store_api_key_get(app->st, r->arena, &who->scope, id, &k);
	if (err == ERR_NOT_FOUND)
		return http_error(r, err, "no API key '%lld'", id);
	if (err || (err = store_begin(app->st)))
		return err;
	err = store_api_key_revoke(app->st, id, app->now());
	if (!err)
		err = api_audit(app, r, who, "api_key.revoke",
				arena_printf(r->arena, "api_key:%lld", id), "ok", "name=%s",
				k.name);
	if ((err = api_end(app, err)) ||
	    (err = store_api_key_get(app->st, r->arena, &who->scope, id, &k)))
		return err;
	http_reply_json(r, 200, key_json(&k));
	return 0;
}
