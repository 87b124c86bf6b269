/*
 * h_pii.c - reporters' personal data in the API: the "reporter" object a
 * report may carry, its masked rendering, exact search through blind
 * indexes, and the one way to read it in the clear.
 *
 * Clear reads: POST /api/v1/events/{id}/personal with {"reason": "..."}.
 * Only roles named by the setting pii_reveal_roles may (default: centre;
 * never audit_admin); anyone else, an event outside the caller's scope and
 * a missing event all get the same 404. Every clear read is recorded
 * (personal_reads) before the answer is sent — no record, no data — and
 * the answer carries Cache-Control: no-store. Searching by phone or ID
 * number needs the same roles. Messages never repeat a personal value.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/personal.h"

#include <stdio.h>
#include <string.h>

/* May the caller read personal data in the clear? The roles the setting
 * names (checked at start by serve), never the audit administrator: the one
 * decision, AUTHZ_REVEAL. */
static bool may_reveal(const struct app *app, const struct principal *who)
{
	unsigned mask = 0;
	char why[128];
	if (role_parse_list(app->cfg->pii_reveal_roles, &mask, why, sizeof(why)))
		return false;
	return authz_allowed(who, &(struct authz_request){ .action = AUTHZ_REVEAL, .perm = mask });
}

bool api_pii_may_reveal(const struct app *app, const struct principal *who)
{
	return may_reveal(app, who);
}

int api_reporter_parse(struct http_request *r, json_t *body, struct pii_contact *out)
{
	static const char *const keys[] = { "name", "phone", "id_no", "address", NULL };
	static const size_t max[PII__COUNT] = { 50, 32, 18, 200 };
	memset(out, 0, sizeof(*out));
	json_t *rep = json_object_get(body, "reporter");
	if (!rep || json_is_null(rep))
		return 0;
	if (!json_is_object(rep))
		return http_error(r, ERR_BAD_TYPE,
				  "field 'reporter' must be an object of name, phone, id_no, "
				  "address");
	int err = api_only_keys(r, rep, keys);
	for (int f = 0; !err && f < PII__COUNT; f++) {
		const char *key = pii_field_name((enum pii_field)f);
		json_t *v = json_object_get(rep, key);
		if (!v || json_is_null(v))
			continue;
		/* type and length only: the value itself never goes into a message */
		if (!json_is_string(v))
			return http_error(r, ERR_BAD_TYPE, "field 'reporter.%s' must be a string",
					  key);
		const char *s = json_string_value(v);
		if (strlen(s) != json_string_length(v) || str_utf8_len(s) > max[f])
			return http_error(r, ERR_BAD_VALUE,
					  "field 'reporter.%s' is longer than %zu characters", key,
					  max[f]);
		out->v[f] = s;
	}
	return err;
}

static json_t *contact_json(const struct pii_contact *c, bool masked, struct arena *a)
{
	json_t *j = json_object();
	for (int f = 0; f < PII__COUNT; f++) {
		const char *v = c->v[f];
		json_object_set_new(j, pii_field_name((enum pii_field)f),
				    !v       ? json_null()
				    : masked ? json_string(pii_mask(a, (enum pii_field)f, v))
					     : json_string(v));
	}
	json_object_set_new(j, "masked", json_boolean(masked));
	return j;
}

json_t *api_reporter_masked(struct app *app, struct http_request *r, long long event_id)
{
	struct pii_contact c;
	int err = personal_load(app->st, app->ev.keys, r->arena, event_id, &c);
	if (err == ERR_NOT_FOUND)
		return json_null();
	if (err) {
		/* stored but unreadable here: say so, show nothing */
		json_t *j = json_object();
		json_object_set_new(j, "masked", json_true());
		json_object_set_new(j, "unreadable", json_true());
		return j;
	}
	return contact_json(&c, true, r->arena);
}

int api_reporter_filter(struct app *app, struct http_request *r, const struct principal *who,
			struct event_filter *f)
{
	const char *phone = http_query(r, "reporter_phone");
	const char *id_no = http_query(r, "reporter_id_no");
	if (!phone && !id_no)
		return 0;
	if (phone && id_no)
		return http_error(r, ERR_BAD_QUERY,
				  "give 'reporter_phone' or 'reporter_id_no', not both");
	if (!may_reveal(app, who))
		return http_error(r, ERR_FORBIDDEN,
				  "searching by personal data needs a role in pii_reveal_roles");
	enum pii_field field = phone ? PII_PHONE : PII_ID_NO;
	f->bidx_col = phone ? "phone_bidx" : "id_no_bidx";
	if (!app->ev.keys) {
		/* no keys, so nothing was ever stored: an index that matches nothing */
		f->bidx[0] = "";
		f->nbidx = 1;
		return 0;
	}
	int n = personal_search_keys(app->ev.keys, r->arena, field, phone ? phone : id_no, f->bidx);
	if (n == ERR_BAD_VALUE)
		return http_error(
			r, ERR_BAD_QUERY,
			phone ? "query parameter 'reporter_phone' must be a mainland "
				"mobile number"
			      : "query parameter 'reporter_id_no' must be a valid resident "
				"ID number");
	if (n < 0)
		return n;
	f->nbidx = n;
	return 0;
}

static int parse_id(struct http_request *r, long long *id)
{
	if (str_to_ll(r->params[0], 1, (long long)1 << 53, id))
		return http_error(r, ERR_NOT_FOUND, "no event '%.20s'", r->params[0]);
	return 0;
}

int h_event_personal(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "reason", NULL };
	long long id;
	const char *reason;
	int err = parse_id(r, &id);
	if (err)
		return err;
	/* a role without the right learns nothing: the answer of a missing event */
	if (!may_reveal(app, who))
		return http_error(r, ERR_NOT_FOUND, "no event '%lld'", id);
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "reason", true, 500, &reason)))
		return err;
	const char *s = reason;
	while (*s == ' ' || *s == '\t')
		s++;
	if (str_utf8_len(s) < 2)
		return http_error(r, ERR_BAD_VALUE,
				  "field 'reason' must say why the clear value is needed");
	for (const unsigned char *p = (const unsigned char *)reason; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return http_error(r, ERR_BAD_VALUE, "field 'reason' must be one line");
	struct event e;
	if ((err = store_event_get(app->st, r->arena, &who->scope, id, &e)))
		return err == ERR_NOT_FOUND ? http_error(r, err, "no event '%lld'", id) : err;
	struct pii_contact c;
	err = personal_load(app->st, app->ev.keys, r->arena, id, &c);
	if (err == ERR_NOT_FOUND)
		return http_error(r, err, "event %lld carries no personal data", id);
	if (err == ERR_UNAVAILABLE)
		return http_error(r, err, "the key for this personal data is not available");
	if (err)
		return err;
	struct strbuf fields = STRBUF_INIT;
	for (int f = 0; f < PII__COUNT; f++)
		if (c.v[f])
			strbuf_addf(&fields, "%s%s", fields.len ? "," : "",
				    pii_field_name((enum pii_field)f));
	/* one audit record per clear read, in the transaction of the read's own
	 * log row, before the answer: a failed write refuses the read */
	if (!(err = store_begin(app->st))) {
		err = store_personal_read_log(app->st, id, who->user_id, app->now(), reason,
					      strbuf_str(&fields), r->ip);
		if (!err)
			err = api_audit(app, r, who, "personal.read",
					arena_printf(r->arena, "event:%lld", id), "ok",
					"fields %s; reason %s", strbuf_str(&fields), reason);
		err = api_end(app, err);
	}
	strbuf_release(&fields);
	if (err) {
		log_error("cannot record a clear read of event %lld; refused", id);
		return err;
	}
	http_add_header(r, "Cache-Control", "no-store");
	http_add_header(r, "Pragma", "no-cache");
	json_t *j = json_pack("{s:I,s:o}", "event_id", (json_int_t)id, "reporter",
			      contact_json(&c, false, r->arena));
	http_reply_json(r, 200, j);
	return 0;
}

int h_event_personal_reads(struct app *app, struct http_request *r, struct principal *who,
			   json_t *body)
{
	(void)body;
	long long id;
	int err = parse_id(r, &id);
	if (err)
		return err;
	struct event e;
	if ((err = store_event_get(app->st, r->arena, &who->scope, id, &e)))
		return err == ERR_NOT_FOUND ? http_error(r, err, "no event '%lld'", id) : err;
	struct personal_read *v;
	size_t n;
	if ((err = store_personal_reads(app->st, r->arena, &who->scope, id, &v, &n)))
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, json_pack("{s:I,s:I,s:s,s:o,s:s,s:s}", "id",
						       (json_int_t)v[i].id, "user_id",
						       (json_int_t)v[i].user_id, "user", v[i].user,
						       "at", api_time_json(v[i].at), "reason",
						       v[i].reason, "fields", v[i].fields));
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}
