/*
 * h_filters.c - a user's saved filters of the event list:
 * GET/POST /api/v1/me/filters, DELETE /api/v1/me/filters/{id}.
 *
 * A filter is a name and the list's query string ("state=handling&org=
 * 330108001"). The query is checked as the list would check it, parameter
 * by parameter (known names, each once, values of the right shape), so a
 * saved filter always opens a list; the org is not checked against the
 * scope here (the list does that when it is used, and scopes change).
 * At most FILTERS_MAX per user.
 */
#include "api/api.h"
#include "api/form.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>

#define FILTERS_MAX  50
#define FILTER_NAME  50   /* characters */
#define FILTER_QUERY 1000 /* bytes */

static json_t *filter_json(const struct saved_filter *f)
{
	return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)f->id, "name", f->name, "query",
			 f->query, "created_at", api_time_json(f->created_at));
}

int h_filters_list(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct saved_filter *v;
	size_t n;
	int err = store_filter_list(app->st, r->arena, who->user_id, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, filter_json(&v[i]));
	http_reply_json(r, 200, json_pack("{s:o,s:i}", "items", items, "max", FILTERS_MAX));
	return 0;
}

static bool is_day(const char *v)
{
	int y, m, d;
	char tail;
	if (strlen(v) != 10 || sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 ||
	    m < 1 || m > 12 || d < 1)
		return false;
	int yy, mm, dd;
	cal_civil(cal_day_from_civil(y, m, d), &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

static bool is_code(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 24)
		return false;
	for (const char *p = v; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

/* Checks one parameter as GET /api/v1/events would. */
static int check_param(struct http_request *r, const char *k, const char *v)
{
	bool ok;
	if (!strcmp(k, "state")) {
		char *copy = arena_strdup(r->arena, v), *save = NULL;
		ok = *v != '\0';
		for (char *s = strtok_r(copy, ",", &save); ok && s; s = strtok_r(NULL, ",", &save))
			ok = wf_state_parse(&wf_event, s) >= 0;
	} else if (!strcmp(k, "category")) {
		ok = *v && strlen(v) <= 4 && str_is_digits(v, strlen(v));
	} else if (!strcmp(k, "org") || !strcmp(k, "grid") || !strcmp(k, "assignee")) {
		ok = is_code(v);
	} else if (!strcmp(k, "urgency")) {
		ok = !strcmp(v, "1") || !strcmp(v, "2") || !strcmp(v, "3");
	} else if (!strcmp(k, "from") || !strcmp(k, "to")) {
		ok = is_day(v);
	} else if (!strcmp(k, "overdue")) {
		ok = !strcmp(v, "true") || !strcmp(v, "false");
	} else if (!strcmp(k, "q")) {
		ok = str_utf8_len(v) <= 100;
	} else if (!strcmp(k, "limit")) {
		long long n;
		ok = !str_to_ll(v, 1, 100, &n);
	} else {
		return http_error(r, ERR_BAD_VALUE,
				  "field 'query': '%.20s' is not a parameter of the event list", k);
	}
	if (!ok)
		return http_error(r, ERR_BAD_VALUE, "field 'query': '%s' has an invalid value", k);
	return 0;
}

int h_filters_add(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "name", "query", NULL };
	struct saved_filter f = { 0 };
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "name", true, FILTER_NAME, &f.name)) ||
	    (err = api_str(r, body, "query", false, FILTER_QUERY, &f.query)))
		return err;
	if (!f.query)
		f.query = "";
	if (*f.query == '?')
		f.query++;
	if (strlen(f.query) > FILTER_QUERY)
		return http_error(r, ERR_BAD_VALUE, "field 'query' is longer than %d bytes",
				  FILTER_QUERY);
	for (const char *p = f.name; *p; p++)
		if ((unsigned char)*p < 0x20)
			return http_error(r, ERR_BAD_VALUE,
					  "field 'name' holds a control character");
	static const struct form_limits lim = { .max_bytes = FILTER_QUERY,
						.max_fields = 16,
						.max_key = 16,
						.max_value = FILTER_QUERY };
	struct form q;
	char why[160];
	if (form_parse(r->arena, f.query, strlen(f.query), &lim, &q, why, sizeof(why)))
		return http_error(r, ERR_BAD_VALUE, "field 'query' is not a query string: %s", why);
	for (size_t i = 0; i < q.n; i++) {
		if (form_count(&q, q.fields[i].key) > 1)
			return http_error(r, ERR_BAD_VALUE, "field 'query': '%.20s' is given twice",
					  q.fields[i].key);
		if ((err = check_param(r, q.fields[i].key, q.fields[i].value)))
			return err;
	}
	f.created_at = app->now();
	bool full;
	err = store_filter_add(app->st, who->user_id, &f, FILTERS_MAX, &full);
	if (err == ERR_CONFLICT)
		return full ? http_error(r, err, "you have %d saved filters, the most there may be",
					 FILTERS_MAX)
			    : http_error(r, err, "you have a filter named '%s' already", f.name);
	if (err)
		return err;
	http_add_header(r, "Location", arena_printf(r->arena, "/api/v1/me/filters/%lld", f.id));
	http_reply_json(r, 201, filter_json(&f));
	return 0;
}

int h_filters_delete(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long id;
	if (str_to_ll(r->params[0], 1, (long long)1 << 53, &id))
		return http_error(r, ERR_NOT_FOUND, "no saved filter '%.20s'", r->params[0]);
	int err = store_filter_delete(app->st, who->user_id, id);
	if (err == ERR_NOT_FOUND)
		return http_error(r, err, "no saved filter '%lld'", id);
	if (err)
		return err;
	http_reply_text(r, 204, NULL, NULL, 0);
	return 0;
}
