/*
 * h_open311.c - Open311 GeoReport v2 under /open311/v2: discovery, services
 * and their definitions, service requests (file and query), tokens.
 *
 * Design: every answer is built once as a jansson value in the shape of the
 * spec's JSON, and rendered either as JSON or as the spec's XML by the
 * Spark convention (an array named "services" becomes <services> holding
 * one <service> per item, null an empty element), so the two formats cannot
 * drift apart. The format comes from the path's suffix (.json or .xml);
 * routes with a parameter strip and check it themselves, and any other
 * suffix is a 404. Errors use the spec's list of {code, description} in the
 * request's format (XML when the format is unknown), never Pingan's JSON
 * error body; `code` is the HTTP status.
 *
 * Mapping: a service is an enabled 4-digit event category, grouped under
 * its class; a service request is an event of the district (the endpoint
 * serves one jurisdiction, the district at the root of the org tree).
 * Filing needs an API key issued for that district (h_keys.c) and runs
 * synchronously: the answer carries the service_request_id (the event id),
 * and the event's receipt works as a token. The requester's name
 * (last_name and first_name, in Chinese order when the surname is Chinese)
 * and phone become the event's reporter contact, validated and encrypted
 * at rest like any report's (h_pii.c); email, device and account ids and
 * media_url are not stored. Which fields were given is kept as bits on the
 * request record.
 *
 * Caveats: requests refused before a handler runs (no such path, a method
 * the path does not take, a body over the server's max_body) get the
 * server's own JSON error, not the spec's list.
 */
#include "api/api.h"
#include "api/form.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/sec.h"
#include "core/str.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum fmt { FMT_XML, FMT_JSON };

#define O311_MAX_BODY   (64 * 1024) /* a 2000-character Chinese description is 18 KB encoded */
#define O311_MAX_FIELDS 64
#define O311_MAX_IDS    100  /* service_request_id=1,2,... */
#define O311_MAX_CODES  20   /* service_code=0101,0102,... */
#define O311_LIST_LIMIT 1000 /* the spec's default volume */
#define O311_SPAN_S     (90LL * 86400)
#define O311_SPEC       "http://wiki.open311.org/GeoReport_v2"
/* timeline actions whose notes the public may read as status_notes */
#define O311_PUBLIC_NOTES "reject,merge,void,handle,rework,close,reopen"

/* bits of open311_requests.personal (see migrations/0003_api_keys.sql) */
#define O311_PUBLIC_SOURCES AUTHZ_PUBLIC_SOURCES

/* Open311 shows the public what the public filed, not staff reports (the
 * one decision, AUTHZ_PUBLIC; lists filter by O311_PUBLIC_SOURCES in SQL) */
static bool public_event(const struct event *e)
{
	struct authz_object o = { .exists = true, .source = e->source };
	return authz_allowed(NULL, &(struct authz_request){ .action = AUTHZ_PUBLIC, .obj = &o });
}

static const char *const personal_fields[] = { "email",     "first_name", "last_name", "phone",
					       "device_id", "account_id", "media_url" };

/* ---- rendering --------------------------------------------------------- */

static const struct {
	const char *list, *item;
} item_names[] = {
	{ "services", "service" },         { "attributes", "attribute" }, { "values", "value" },
	{ "endpoints", "endpoint" },       { "formats", "format" },       { "errors", "error" },
	{ "service_requests", "request" },
};

static const char *item_name(const char *list)
{
	for (size_t i = 0; i < ARRAY_SIZE(item_names); i++)
		if (!strcmp(item_names[i].list, list))
			return item_names[i].item;
	return "item";
}

/* Character data: the five markup characters escaped, CR kept as a
 * reference (parsers fold a literal one into LF), and what XML 1.0 cannot
 * carry at all (C0 controls, U+FFFE, U+FFFF) replaced by U+FFFD. s is
 * valid UTF-8. */
static void xml_text(struct strbuf *sb, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&apos;"); break;
		case '\r': strbuf_addstr(sb, "&#13;"); break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n') {
				strbuf_addstr(sb, "\xEF\xBF\xBD");
			} else if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
				strbuf_addstr(sb, "\xEF\xBF\xBD");
				p += 2;
			} else {
				strbuf_add(sb, p, 1);
			}
		}
	}
}

static void indent(struct strbuf *sb, int depth)
{
	strbuf_addstr(sb, "\n");
	for (int i = 0; i < depth; i++)
		strbuf_addstr(sb, "  ");
}

/* One element named name (our own keys: always valid XML names). */
static void xml_value(struct strbuf *sb, const char *name, json_t *v, int depth)
{
	if (depth)
		indent(sb, depth);
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		strbuf_addf(sb, "<%s>", name);
		json_object_foreach (v, k, x)
			xml_value(sb, k, x, depth + 1);
		indent(sb, depth);
		strbuf_addf(sb, "</%s>", name);
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		if (!json_array_size(v)) {
			strbuf_addf(sb, "<%s/>", name);
			break;
		}
		strbuf_addf(sb, "<%s>", name);
		json_array_foreach (v, i, x)
			xml_value(sb, item_name(name), x, depth + 1);
		indent(sb, depth);
		strbuf_addf(sb, "</%s>", name);
		break;
	}
	case JSON_NULL: strbuf_addf(sb, "<%s/>", name); break;
	case JSON_TRUE: strbuf_addf(sb, "<%s>true</%s>", name, name); break;
	case JSON_FALSE: strbuf_addf(sb, "<%s>false</%s>", name, name); break;
	case JSON_INTEGER:
		strbuf_addf(sb, "<%s>%lld</%s>", name, (long long)json_integer_value(v), name);
		break;
	case JSON_REAL: strbuf_addf(sb, "<%s>%.12g</%s>", name, json_real_value(v), name); break;
	case JSON_STRING:
		strbuf_addf(sb, "<%s>", name);
		xml_text(sb, json_string_value(v));
		strbuf_addf(sb, "</%s>", name);
		break;
	}
}

/* Answers v (taking the reference) in the format; root names the XML
 * document element. Always returns 0: the answer is set. */
static int reply(struct http_request *r, enum fmt f, int status, const char *root, json_t *v)
{
	if (f == FMT_JSON) {
		http_reply_json(r, status, v);
		return 0;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
	xml_value(&sb, root, v, 0);
	strbuf_addstr(&sb, "\n");
	json_decref(v);
	char *text = arena_strndup(r->arena, strbuf_str(&sb), sb.len);
	size_t len = sb.len;
	strbuf_release(&sb);
	http_reply_text(r, status, "text/xml; charset=utf-8", text, len);
	return 0;
}

/* A JSON string from text that should be UTF-8 (anything else is
 * scrubbed rather than dropped, which jansson would do silently). */
static json_t *jstr(const char *s)
{
	if (str_utf8_valid(s, strlen(s)))
		return json_string(s);
	char *clean = str_utf8_scrub(s);
	json_t *j = json_string(clean);
	free(clean);
	return j;
}

static json_t *jstr_or_null(const char *s)
{
	return s && *s ? jstr(s) : json_null();
}

/* The spec's error list with one error; code is the HTTP status. */
static int fail(struct http_request *r, enum fmt f, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct http_request *r, enum fmt f, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *desc = arena_vprintf(r->arena, fmt, ap);
	va_end(ap);
	json_t *e = json_array();
	json_array_append_new(e, json_pack("{s:i,s:o}", "code", status, "description", jstr(desc)));
	return reply(r, f, status, "errors", e);
}

/* For helpers that may answer: true when they did (the handler then
 * returns 0, its answer set). */
#define REFUSE(...) (fail(__VA_ARGS__), true)

int o311_error(struct http_request *r, int err)
{
	size_t pl = strlen(r->path);
	bool xml = pl > 4 && !strcmp(r->path + pl - 4, ".xml");
	bool json = pl > 5 && !strcmp(r->path + pl - 5, ".json");
	if (!xml && !json)
		return err; /* no format asked for: Pingan's own error */
	return fail(r, xml ? FMT_XML : FMT_JSON, err_status(err), "%s",
		    r->err_detail ? r->err_detail : err_message(err));
}

/* A server-side failure (never bad input), in the spec's format. */
static int fail_err(struct http_request *r, enum fmt f, int err)
{
	return fail(r, f, err_status(err), "%s", err_message(err));
}

static json_t *w3c_time(long long t)
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

/* ---- the request context ----------------------------------------------- */

struct o311 {
	struct app *app;
	struct http_request *r;
	enum fmt fmt;
	const char *jurisdiction; /* the district code; "" in an empty tree */
	struct scope scope;       /* the district */
	struct category *cats;    /* loaded by load_cats() */
	size_t ncats;
	struct {
		const char *code, *name;
	} depts[16];
	int ndepts;
};

static void start(struct o311 *c, struct app *app, struct http_request *r)
{
	memset(c, 0, sizeof(*c));
	c->app = app;
	c->r = r;
	const char *path = app->ev.district_path ? app->ev.district_path : "/";
	/* "/330108/" -> "330108" */
	size_t n = strlen(path);
	c->jurisdiction = n >= 2 ? arena_strndup(r->arena, path + 1, n - 2) : "";
	c->scope = (struct scope){ .all = false, .root_path = path, .self_id = 0 };
	size_t pl = strlen(r->path);
	c->fmt = pl > 5 && !strcmp(r->path + pl - 5, ".json") ? FMT_JSON : FMT_XML;
}

/* Splits a path parameter "ID.json" into ID and the format; 404 for a
 * missing or unknown suffix (answered in XML, the required format). */
static bool split_param(struct o311 *c, const char *param, const char *what, const char **base)
{
	const char *dot = strrchr(param, '.');
	if (dot && !strcmp(dot, ".json"))
		c->fmt = FMT_JSON;
	else if (dot && !strcmp(dot, ".xml"))
		c->fmt = FMT_XML;
	else
		return REFUSE(c->r, FMT_XML, 404,
			      "no such resource: give the %s with a .xml or "
			      ".json suffix",
			      what);
	*base = arena_strndup(c->r->arena, param, (size_t)(dot - param));
	return false;
}

/* jurisdiction_id is optional (one jurisdiction); a different one is 404. */
static bool check_jurisdiction(struct o311 *c, const char *given)
{
	if (!given || !*given || !strcmp(given, c->jurisdiction))
		return false;
	return REFUSE(c->r, c->fmt, 404,
		      "jurisdiction_id '%.40s' not found: this endpoint serves '%s'", given,
		      c->jurisdiction);
}

static int load_cats(struct o311 *c)
{
	if (c->cats)
		return 0;
	return store_category_list(c->app->st, c->r->arena, &c->cats, &c->ncats);
}

static const struct category *find_cat(const struct o311 *c, const char *code)
{
	for (size_t i = 0; i < c->ncats; i++)
		if (!strcmp(c->cats[i].code, code))
			return &c->cats[i];
	return NULL;
}

static bool is_service(const struct category *cat)
{
	return cat && cat->enabled && *cat->parent && strlen(cat->code) == 4;
}

/* The name of a department org (full code), cached; NULL if unknown. */
static const char *dept_name(struct o311 *c, const char *code)
{
	if (!code || !*code)
		return NULL;
	for (int i = 0; i < c->ndepts; i++)
		if (!strcmp(c->depts[i].code, code))
			return c->depts[i].name;
	struct org o;
	const char *name = NULL;
	if (!store_org_get(c->app->st, c->r->arena, &c->scope, code, &o))
		name = o.name;
	if (c->ndepts < (int)ARRAY_SIZE(c->depts)) {
		c->depts[c->ndepts].code = arena_strdup(c->r->arena, code);
		c->depts[c->ndepts].name = name;
		c->ndepts++;
	}
	return name;
}

/* "1 个工作日" / "4 个工作小时" / "30 分钟" for a working-time duration. */
static const char *duration_zh(struct o311 *c, long long secs)
{
	long long day = cal_day_seconds(c->app->cal);
	if (day > 0 && secs % day == 0)
		return arena_printf(c->r->arena, "%lld 个工作日", secs / day);
	if (secs % 3600 == 0)
		return arena_printf(c->r->arena, "%lld 个工作小时", secs / 3600);
	return arena_printf(c->r->arena, "%lld 分钟", (secs + 59) / 60);
}

static const char *handling_sla(struct o311 *c, const struct category *cat)
{
	static const char *const names[] = { "", "一般", "紧急", "特急" };
	struct strbuf sb = STRBUF_INIT;
	for (int u = 1; u <= 3; u++) {
		long long s = event_stage_seconds(cat, WF_STAGE_HANDLE, u);
		if (s > 0)
			strbuf_addf(&sb, "%s%s %s", sb.len ? "；" : "", names[u],
				    duration_zh(c, s));
	}
	const char *out = arena_strdup(c->r->arena, strbuf_str(&sb));
	strbuf_release(&sb);
	return out;
}

static const char *cat_dept_name(struct o311 *c, const struct category *cat)
{
	if (!*cat->department)
		return NULL;
	return dept_name(c, arena_printf(c->r->arena, "%s%s", c->jurisdiction, cat->department));
}

/* ---- discovery and services -------------------------------------------- */

/* scheme://host for the discovery document, from a Host header that looks
 * like one ("" otherwise: the URL is then relative). */
static const char *base_url(struct http_request *r)
{
	const char *host = http_header(r, "Host");
	if (!host || !*host || strlen(host) > 255)
		return "";
	for (const char *p = host; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-:[]", *p))
			return "";
	const char *proto = http_header(r, "X-Forwarded-Proto");
	return arena_printf(r->arena, "%s://%s",
			    proto && !strcasecmp(proto, "https") ? "https" : "http", host);
}

int h_o311_discovery(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct o311 c;
	start(&c, app, r);
	struct org root;
	const char *contact = "社会治理中心";
	if (!store_org_root(app->st, r->arena, &root))
		contact = arena_printf(r->arena, "%s社会治理中心 (jurisdiction_id %s)", root.name,
				       root.code);
	json_t *formats = json_pack("[s,s]", "text/xml", "application/json");
	json_t *ep = json_pack("{s:s,s:o,s:o,s:s,s:o}", "specification", O311_SPEC, "url",
			       jstr(arena_printf(r->arena, "%s/open311/v2", base_url(r))),
			       "changeset", w3c_time((long long)app->started), "type", "production",
			       "formats", formats);
	json_t *d = json_pack("{s:o,s:o,s:s,s:[o]}", "changeset", w3c_time((long long)app->started),
			      "contact", jstr(contact), "key_service",
			      "API keys are issued by the system administrator "
			      "(POST /api/v1/api-keys); reading needs no key.",
			      "endpoints", ep);
	return reply(r, c.fmt, 200, "discovery", d);
}

static json_t *service_json(struct o311 *c, const struct category *cat)
{
	const struct category *cls = find_cat(c, cat->parent);
	const char *group = cls ? cls->name : cat->parent;
	struct strbuf kw = STRBUF_INIT;
	const char *words[] = { cat->name_en, group, cls ? cls->name_en : "" };
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (words[i] && *words[i])
			strbuf_addf(&kw, "%s%s", kw.len ? ", " : "", words[i]);
	struct strbuf desc = STRBUF_INIT;
	strbuf_addf(&desc, "%s · %s", group, cat->name);
	if (cat->name_en && *cat->name_en)
		strbuf_addf(&desc, " (%s)", cat->name_en);
	const char *dept = cat_dept_name(c, cat);
	if (dept)
		strbuf_addf(&desc, "。处置单位：%s", dept);
	const char *sla = handling_sla(c, cat);
	if (*sla)
		strbuf_addf(&desc, "。处置时限：%s", sla);
	json_t *j = json_pack("{s:s,s:o,s:o,s:b,s:s,s:o,s:o}", "service_code", cat->code,
			      "service_name", jstr(cat->name), "description",
			      jstr(strbuf_str(&desc)), "metadata", 1, "type", "realtime",
			      "keywords", jstr(strbuf_str(&kw)), "group", jstr(group));
	strbuf_release(&kw);
	strbuf_release(&desc);
	return j;
}

int h_o311_services(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct o311 c;
	start(&c, app, r);
	int err;
	if (check_jurisdiction(&c, http_query(r, "jurisdiction_id")))
		return 0;
	if ((err = load_cats(&c)))
		return fail_err(r, c.fmt, err);
	json_t *list = json_array();
	for (size_t i = 0; i < c.ncats; i++)
		if (is_service(&c.cats[i]))
			json_array_append_new(list, service_json(&c, &c.cats[i]));
	return reply(r, c.fmt, 200, "services", list);
}

/* The attributes every service takes; each maps onto an event field. */
static json_t *attributes_json(struct o311 *c, const struct category *cat)
{
	json_t *urgency =
		json_pack("{s:b,s:s,s:s,s:b,s:s,s:i,s:s,s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}]}",
			  "variable", 1, "code", "urgency", "datatype", "singlevaluelist",
			  "required", 0, "datatype_description",
			  "1 一般 (normal), 2 紧急 (urgent), 3 特急 (critical); 1 when not given",
			  "order", 1, "description", "紧急程度 (urgency)", "values", "key", "1",
			  "name", "一般", "key", "2", "name", "紧急", "key", "3", "name", "特急");
	json_t *title =
		json_pack("{s:b,s:s,s:s,s:b,s:s,s:i,s:s}", "variable", 1, "code", "title",
			  "datatype", "string", "required", 0, "datatype_description",
			  "at most 100 characters, one line", "order", 2, "description",
			  "标题 (a short title; the start of the description when not given)");
	const char *sla = handling_sla(c, cat);
	json_t *info = json_pack(
		"{s:b,s:s,s:s,s:b,s:n,s:i,s:o}", "variable", 0, "code", "sla", "datatype", "string",
		"required", 0, "datatype_description", "order", 3, "description",
		jstr(arena_printf(c->r->arena, "处置时限 (handling time): %s", *sla ? sla : "—")));
	return json_pack("[o,o,o]", urgency, title, info);
}

int h_o311_service(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct o311 c;
	start(&c, app, r);
	const char *code;
	int err;
	if (split_param(&c, r->params[0], "service_code", &code))
		return 0;
	if (check_jurisdiction(&c, http_query(r, "jurisdiction_id")))
		return 0;
	if ((err = load_cats(&c)))
		return fail_err(r, c.fmt, err);
	const struct category *cat = find_cat(&c, code);
	if (!is_service(cat))
		return fail(r, c.fmt, 404, "service_code '%.20s' not found", code);
	json_t *d = json_pack("{s:s,s:o}", "service_code", cat->code, "attributes",
			      attributes_json(&c, cat));
	return reply(r, c.fmt, 200, "service_definition", d);
}

/* ---- service requests: rendering ---------------------------------------- */

static bool closed_state(int state)
{
	return (wf_event.states[state].flags & WF_TERMINAL) != 0;
}

static json_t *request_json(struct o311 *c, const struct event *e, const char *note)
{
	const struct category *cat = find_cat(c, e->category);
	if (e->state == EV_MERGED && !*note && e->merged_into)
		note = arena_printf(c->r->arena, "与 %lld 合并处理 (duplicate of %lld)",
				    e->merged_into, e->merged_into);
	bool closed = closed_state(e->state);
	json_t *j = json_pack("{s:s,s:s,s:o,s:o,s:s}", "service_request_id",
			      arena_printf(c->r->arena, "%lld", e->id), "status",
			      closed ? "closed" : "open", "status_notes", jstr_or_null(note),
			      "service_name", cat ? jstr(cat->name) : json_null(), "service_code",
			      e->category);
	json_object_set_new(j, "description",
			    jstr_or_null(*e->description ? e->description : e->title));
	json_object_set_new(j, "agency_responsible", jstr_or_null(dept_name(c, e->assignee)));
	json_object_set_new(j, "requested_datetime", w3c_time(e->created_at));
	json_object_set_new(
		j, "updated_datetime",
		w3c_time(e->state == EV_CLOSED && e->closed_at ? e->closed_at : e->updated_at));
	json_object_set_new(j, "expected_datetime", w3c_time(closed ? 0 : e->deadline_at));
	json_object_set_new(j, "address", jstr_or_null(e->address));
	json_object_set_new(j, "lat", e->has_point ? json_real(e->lat) : json_null());
	json_object_set_new(j, "long", e->has_point ? json_real(e->lon) : json_null());
	json_object_set_new(j, "media_url", json_null());
	return j;
}

static int reply_requests(struct o311 *c, const struct event *v, size_t n)
{
	int err = load_cats(c);
	const char **notes = arena_alloc(c->r->arena, (n ? n : 1) * sizeof(*notes));
	long long *ids = arena_alloc(c->r->arena, (n ? n : 1) * sizeof(*ids));
	for (size_t i = 0; i < n; i++)
		ids[i] = v[i].id;
	if (err || (err = store_event_last_notes(c->app->st, c->r->arena, ids, n, O311_PUBLIC_NOTES,
						 notes)))
		return fail_err(c->r, c->fmt, err);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, request_json(c, &v[i], notes[i]));
	return reply(c->r, c->fmt, 200, "service_requests", list);
}

/* ---- service requests: filing ------------------------------------------- */

static bool form_content_type(const char *ct)
{
	static const char want[] = "application/x-www-form-urlencoded";
	size_t wl = sizeof(want) - 1;
	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, wl) ||
	    (ct[wl] && ct[wl] != ';' && ct[wl] != ' ' && ct[wl] != '\t'))
		return false;
	/* a charset, if named, must be UTF-8: the spec's only encoding */
	for (const char *p = strchr(ct + wl, ';'); p; p = strchr(p + 1, ';')) {
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncasecmp(q, "charset=", 8))
			continue;
		q += 8;
		bool quoted = *q == '"';
		q += quoted;
		size_t n = strcspn(q, quoted ? "\"" : "; \t");
		if (!((n == 5 && !strncasecmp(q, "utf-8", 5)) ||
		      (n == 4 && !strncasecmp(q, "utf8", 4))))
			return false;
	}
	return true;
}

/* A form field; "" counts as absent (the spec's optional arguments). */
static const char *field(const struct form *f, const char *key)
{
	const char *v = form_get(f, key);
	return v && *v ? v : NULL;
}

/* Control characters other than tab and line breaks (text) or any
 * (one line). */
static bool bad_controls(const char *s, bool multiline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == 0x7f)
			return true;
		if (*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
			return true;
	}
	return false;
}

/* A title from the description's first line (30 characters at most), or
 * the service's name. */
static const char *derive_title(struct arena *a, const char *desc, const char *fallback)
{
	if (!desc)
		return fallback;
	while (*desc == ' ' || *desc == '\t' || *desc == '\n' || *desc == '\r')
		desc++;
	size_t n = strcspn(desc, "\r\n"), bytes = 0;
	int chars = 0;
	while (bytes < n && chars < 30) {
		unsigned char b = (unsigned char)desc[bytes];
		size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
		if (bytes + len > n)
			break;
		bytes += len;
		chars++;
	}
	bool cut = bytes + strspn(desc + bytes, " \t") < n; /* more than blanks were left */
	while (bytes && (desc[bytes - 1] == ' ' || desc[bytes - 1] == '\t'))
		bytes--;
	if (!bytes)
		return fallback;
	return cut ? arena_printf(a, "%.*s…", (int)bytes, desc) : arena_strndup(a, desc, bytes);
}

struct filing {
	struct event_input in;
	struct pii_contact contact;
	unsigned personal;
	const char *service_name;
};

/* Checks the form beyond the key: service, location, attributes, text.
 * True when it answered with an error. */
static bool read_filing(struct o311 *c, const struct form *f, struct filing *out)
{
	struct http_request *r = c->r;
	const char *code = field(f, "service_code");
	if (!code)
		return REFUSE(r, c->fmt, 400, "service_code was not provided");
	int err = load_cats(c);
	if (err)
		return fail_err(r, c->fmt, err), true;
	const struct category *cat = find_cat(c, code);
	if (!is_service(cat))
		return REFUSE(r, c->fmt, 404, "service_code '%.20s' not found", code);
	out->in.category = cat->code;
	out->service_name = cat->name;

	const char *lat = field(f, "lat"), *lon = field(f, "long");
	const char *addr = field(f, "address_string");
	if (!lat != !lon)
		return REFUSE(r, c->fmt, 400, "send both lat and long, or neither");
	if (lat) {
		if (str_to_double(lat, &out->in.lat) || out->in.lat < -90 || out->in.lat > 90)
			return REFUSE(r, c->fmt, 400, "lat must be a number in [-90, 90] (WGS84)");
		if (str_to_double(lon, &out->in.lon) || out->in.lon < -180 || out->in.lon > 180)
			return REFUSE(r, c->fmt, 400,
				      "long must be a number in [-180, 180] (WGS84)");
		out->in.has_point = true;
	}
	if (addr && (bad_controls(addr, false) || str_utf8_len(addr) > 200))
		return REFUSE(r, c->fmt, 400,
			      "address_string must be one line of at most 200 characters");
	if (!lat && !addr)
		return REFUSE(r, c->fmt, 400,
			      field(f, "address_id")
				      ? "address_id is not supported here: send lat and "
					"long, or address_string"
				      : "a location is required: lat and long, or "
					"address_string");
	out->in.address = addr;

	const char *desc = field(f, "description");
	if (desc && (bad_controls(desc, true) || str_utf8_len(desc) > 2000))
		return REFUSE(r, c->fmt, 400,
			      "description must be text of at most 2000 characters");
	out->in.description = desc;

	/* attributes: attribute[urgency]=1..3, attribute[title]=... */
	const char *title = NULL;
	out->in.urgency = 1;
	for (size_t i = 0; i < f->n; i++) {
		const char *key = f->fields[i].key, *val = f->fields[i].value, *sub;
		bool multi;
		if (strncmp(key, "attribute", 9) || (key[9] != '[' && key[9] != '\0'))
			continue;
		if (!form_subkey(r->arena, key, "attribute", &sub, &multi))
			return REFUSE(r, c->fmt, 400, "'%.60s' is not of the form attribute[CODE]",
				      key);
		bool urgency = !strcmp(sub, "urgency"), is_title = !strcmp(sub, "title");
		if (!strcmp(sub, "sla"))
			continue; /* informational: nothing to enter */
		if (!urgency && !is_title)
			return REFUSE(r, c->fmt, 400, "service '%s' has no attribute '%.40s'",
				      cat->code, sub);
		if (multi || form_count(f, key) > 1)
			return REFUSE(r, c->fmt, 400, "attribute '%s' takes one value", sub);
		if (urgency && *val) {
			if (strlen(val) != 1 || val[0] < '1' || val[0] > '3')
				return REFUSE(r, c->fmt, 400,
					      "attribute[urgency] must be one of 1, 2, 3");
			out->in.urgency = val[0] - '0';
		} else if (is_title && *val) {
			if (bad_controls(val, false) || str_utf8_len(val) > 100)
				return REFUSE(r, c->fmt, 400,
					      "attribute[title] must be one line of at most "
					      "100 characters");
			title = val;
		}
	}
	out->in.title = title ? title : derive_title(r->arena, desc, cat->name);
	out->in.source = "open311";
	for (size_t i = 0; i < ARRAY_SIZE(personal_fields); i++)
		if (field(f, personal_fields[i]))
			out->personal |= 1u << i;
	/* the requester's contact: 张 + 三 for a Chinese surname, else "Jane Doe" */
	const char *first = field(f, "first_name"), *last = field(f, "last_name");
	bool cjk = last && (unsigned char)last[0] >= 0x80;
	out->contact.v[PII_NAME] = first && last
					   ? arena_printf(r->arena, "%s%s%s", cjk ? last : first,
							  cjk ? "" : " ", cjk ? first : last)
				   : first ? first
					   : last;
	out->contact.v[PII_PHONE] = field(f, "phone");
	out->in.contact = &out->contact;
	return false;
}

/* Finds the key; true when it answered with a 403 (or a store error). */
static bool check_key(struct o311 *c, const struct form *f, struct api_key *k)
{
	struct http_request *r = c->r;
	const char *key = field(f, "api_key");
	if (!key)
		return REFUSE(r, c->fmt, 403,
			      http_query(r, "api_key")
				      ? "send api_key in the form body, not in the URL"
				      : "api_key was not provided");
	char norm[AUTH_TOKEN_HEX], hash[SEC_HEX_LEN];
	size_t n = strlen(key);
	bool hex = n == 32;
	for (size_t i = 0; hex && i < n; i++) {
		hex = isxdigit((unsigned char)key[i]) != 0;
		norm[i] = (char)tolower((unsigned char)key[i]);
	}
	if (!hex)
		return REFUSE(r, c->fmt, 403, "invalid api_key");
	norm[32] = '\0';
	sec_digest_hex(SEC_SM3, norm, 32, hash);
	sec_wipe(norm, sizeof(norm));
	int err = store_api_key_by_hash(c->app->st, r->arena, hash, k);
	if (err == ERR_NOT_FOUND)
		return REFUSE(r, c->fmt, 403, "invalid api_key");
	if (err)
		return fail_err(r, c->fmt, err), true;
	if (k->revoked_at)
		return REFUSE(r, c->fmt, 403, "this api_key has been revoked");
	if (strcmp(k->jurisdiction, c->jurisdiction))
		return REFUSE(r, c->fmt, 403, "this api_key is not valid for jurisdiction '%s'",
			      c->jurisdiction);
	return false;
}

int h_o311_request_create(struct app *app, struct http_request *r, struct principal *who,
			  json_t *body)
{
	(void)who;
	(void)body;
	static const char *const single[] = {
		"api_key",        "jurisdiction_id", "service_code", "lat",   "long",
		"address_string", "address_id",      "description",  "email", "device_id",
		"account_id",     "first_name",      "last_name",    "phone", "media_url"
	};
	static const struct form_limits limits = { .max_bytes = O311_MAX_BODY,
						   .max_fields = O311_MAX_FIELDS,
						   .max_key = 64,
						   .max_value = O311_MAX_BODY };
	struct o311 c;
	start(&c, app, r);
	const char *ct = http_header(r, "Content-Type");
	if (!form_content_type(ct))
		return fail(r, c.fmt, 415,
			    "send the request as application/x-www-form-urlencoded "
			    "(UTF-8), not '%.60s'",
			    ct ? ct : "(none)");
	if (r->body_len > O311_MAX_BODY)
		return fail(r, c.fmt, 413, "the body is %zu bytes, the limit is %d", r->body_len,
			    O311_MAX_BODY);
	struct form f;
	char why[160];
	int err = form_parse(r->arena, r->body ? r->body : "", r->body_len, &limits, &f, why,
			     sizeof(why));
	if (err)
		return fail(r, c.fmt, err == ERR_TOO_LARGE ? 413 : 400, "the form is malformed: %s",
			    why);
	for (size_t i = 0; i < ARRAY_SIZE(single); i++)
		if (form_count(&f, single[i]) > 1)
			return fail(r, c.fmt, 400, "'%s' is given more than once", single[i]);
	const char *jid = field(&f, "jurisdiction_id");
	if (!jid)
		jid = http_query(r, "jurisdiction_id");
	if (check_jurisdiction(&c, jid))
		return 0;
	struct api_key key;
	struct filing fl = { 0 };
	if (check_key(&c, &f, &key) || read_filing(&c, &f, &fl))
		return 0;

	/* the event, its Open311 record and the key's use commit together */
	struct event e, *dups;
	size_t ndups;
	long long now = app->now();
	char ewhy[256] = "";
	if ((err = store_begin(app->st)))
		return fail_err(r, c.fmt, err);
	err = event_create(&app->ev, r->arena, NULL, &fl.in, &e, &dups, &ndups, ewhy, sizeof(ewhy));
	if (!err)
		err = store_open311_record(app->st, e.id, key.id, fl.personal, now);
	if (!err)
		err = store_api_key_used(app->st, key.id, now);
	if (err) {
		store_rollback(app->st);
		if (err == ERR_BAD_VALUE || err == ERR_MISSING)
			return fail(r, c.fmt, 400, "%s", ewhy);
		return fail_err(r, c.fmt, err);
	}
	if ((err = store_commit(app->st)))
		return fail_err(r, c.fmt, err);

	const struct category *cat = find_cat(&c, e.category);
	struct strbuf notice = STRBUF_INIT;
	strbuf_addf(&notice, "已受理，回执号 %s，可凭回执号查询办理进度 (receipt %s)。", e.receipt,
		    e.receipt);
	const char *dept = cat ? cat_dept_name(&c, cat) : NULL;
	if (dept)
		strbuf_addf(&notice, "处置单位：%s。", dept);
	if (cat) {
		long long s = event_stage_seconds(cat, WF_STAGE_HANDLE, e.urgency);
		if (s > 0)
			strbuf_addf(&notice, "处置时限：立案派遣后 %s。", duration_zh(&c, s));
	}
	json_t *res =
		json_pack("[{s:s,s:o}]", "service_request_id", arena_printf(r->arena, "%lld", e.id),
			  "service_notice", jstr(strbuf_str(&notice)));
	strbuf_release(&notice);
	return reply(r, c.fmt, 200, "service_requests", res);
}

/* ---- service requests: queries ----------------------------------------- */

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* W3C-DTF (the spec's profile of ISO 8601): YYYY-MM-DD, or
 * YYYY-MM-DDThh:mm[:ss[.s...]] with Z or ±hh:mm. A date alone is the start
 * of that day in China Standard Time. */
static bool parse_w3c(const char *s, long long *out)
{
	int y = digits(s, 4), mo = -1, d = -1, h = 0, mi = 0, sec = 0, off = 0;
	if (y < 0 || s[4] != '-' || (mo = digits(s + 5, 2)) < 0 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 0)
		return false;
	if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	long long day = cal_day_from_civil(y, mo, d);
	const char *p = s + 10;
	if (!*p) {
		*out = day * 86400 - CAL_TZ_OFFSET;
		return true;
	}
	if ((*p != 'T' && *p != 't') || (h = digits(p + 1, 2)) < 0 || p[3] != ':' ||
	    (mi = digits(p + 4, 2)) < 0)
		return false;
	p += 6;
	if (*p == ':') {
		if ((sec = digits(p + 1, 2)) < 0)
			return false;
		p += 3;
		if (*p == '.') {
			if (!isdigit((unsigned char)p[1]))
				return false;
			for (p++; isdigit((unsigned char)*p); p++)
				;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh = digits(p + 1, 2), om = oh < 0 || p[3] != ':' ? -1 : digits(p + 4, 2);
		if (oh < 0 || om < 0 || oh > 23 || om > 59)
			return false;
		off = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
		p += 6;
	} else {
		return false;
	}
	if (*p || h > 23 || mi > 59 || sec > 60)
		return false;
	if (sec == 60)
		sec = 59; /* a leap second: the moment before */
	*out = day * 86400 + h * 3600 + mi * 60 + sec - off;
	return true;
}

/* A query parameter; "" counts as absent. */
static const char *query(struct http_request *r, const char *key)
{
	const char *v = http_query(r, key);
	return v && *v ? v : NULL;
}

static int by_id_desc(const void *x, const void *y)
{
	long long a = ((const struct event *)x)->id, b = ((const struct event *)y)->id;
	return (a < b) - (a > b);
}

/* service_request_id=1,2,3: those that exist, in the order asked. */
static int list_by_ids(struct o311 *c, const char *list)
{
	struct http_request *r = c->r;
	struct event *v = arena_alloc(r->arena, O311_MAX_IDS * sizeof(*v));
	size_t n = 0, asked = 0;
	char *copy = arena_strdup(r->arena, list), *save = NULL;
	for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		while (*s == ' ')
			s++;
		size_t l = strlen(s);
		while (l && s[l - 1] == ' ')
			s[--l] = '\0';
		long long id;
		if (str_to_ll(s, 1, (long long)1 << 53, &id))
			return fail(r, c->fmt, 400,
				    "service_request_id must be a comma-separated list "
				    "of ids");
		if (++asked > O311_MAX_IDS)
			return fail(r, c->fmt, 400, "at most %d service_request_id at once",
				    O311_MAX_IDS);
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen = seen || v[i].id == id;
		if (seen)
			continue;
		/* a staff report is skipped like an unknown id, not an error */
		int err = store_event_get(c->app->st, r->arena, &c->scope, id, &v[n]);
		if (err && err != ERR_NOT_FOUND)
			return fail_err(r, c->fmt, err);
		if (!err && public_event(&v[n]))
			n++;
	}
	return reply_requests(c, v, n);
}

/* The states a status list (open,closed) stands for; NULL: all. */
static bool status_states(struct o311 *c, const char *status, const char **states)
{
	bool want[2] = { false, false }; /* open, closed */
	char *copy = arena_strdup(c->r->arena, status), *save = NULL;
	for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, "open", 4) && !s[4 + strspn(s + 4, " ")])
			want[0] = true;
		else if (!strncmp(s, "closed", 6) && !s[6 + strspn(s + 6, " ")])
			want[1] = true;
		else
			return REFUSE(c->r, c->fmt, 400, "status must be open, closed or both");
	}
	*states = NULL;
	if (want[0] == want[1])
		return false;
	struct strbuf sb = STRBUF_INIT;
	for (int s = 0; s < wf_event.nstates; s++)
		if (closed_state(s) == want[1])
			strbuf_addf(&sb, "%s%s", sb.len ? "," : "", wf_state_name(&wf_event, s));
	*states = arena_strdup(c->r->arena, strbuf_str(&sb));
	strbuf_release(&sb);
	return false;
}

int h_o311_requests(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct o311 c;
	start(&c, app, r);
	int err;
	if (check_jurisdiction(&c, http_query(r, "jurisdiction_id")))
		return 0;
	const char *ids = query(r, "service_request_id");
	if (ids)
		return list_by_ids(&c, ids);

	/* only what citizens filed is public: staff reports may name people and places */
	struct event_filter f = { .limit = O311_LIST_LIMIT, .sources = O311_PUBLIC_SOURCES };
	const char *status = query(r, "status");
	if (status && status_states(&c, status, &f.states))
		return 0;
	const char *sd = query(r, "start_date"), *ed = query(r, "end_date");
	long long from = 0, to = 0;
	if (sd && !parse_w3c(sd, &from))
		return fail(r, c.fmt, 400,
			    "start_date must be a W3C datetime like 2010-01-01T00:00:00Z");
	if (ed && !parse_w3c(ed, &to))
		return fail(r, c.fmt, 400,
			    "end_date must be a W3C datetime like 2010-01-01T00:00:00Z");
	if (sd && ed && to < from)
		return fail(r, c.fmt, 400, "end_date is before start_date");
	if (sd && ed && to - from > O311_SPAN_S)
		return fail(r, c.fmt, 400, "start_date and end_date may span at most 90 days");
	if (!sd && !ed) {
		from = app->now() - O311_SPAN_S; /* the most recent 90 days */
		to = 0;
	} else if (!ed) {
		to = from + O311_SPAN_S;
	} else if (!sd) {
		from = to - O311_SPAN_S;
	}
	f.from = from > 0 ? from : 1;
	f.to = to ? to + 1 : 0; /* end_date is included */

	/* service_code=0101,0102: one query each, merged newest first */
	const char *codes[O311_MAX_CODES];
	size_t ncodes = 0;
	const char *sc = query(r, "service_code");
	if (sc) {
		char *copy = arena_strdup(r->arena, sc), *save = NULL;
		for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
			while (*s == ' ')
				s++;
			size_t l = strlen(s);
			while (l && s[l - 1] == ' ')
				s[--l] = '\0';
			if (l != 4 || !str_is_digits(s, 4))
				return fail(r, c.fmt, 400,
					    "service_code must be a comma-separated list "
					    "of service codes");
			bool dup = false;
			for (size_t i = 0; i < ncodes; i++)
				dup = dup || !strcmp(codes[i], s);
			if (dup)
				continue;
			if (ncodes == O311_MAX_CODES)
				return fail(r, c.fmt, 400, "at most %d service codes at once",
					    O311_MAX_CODES);
			codes[ncodes++] = s;
		}
	}
	struct event *all = NULL;
	size_t n = 0;
	for (size_t i = 0; i < (ncodes ? ncodes : 1); i++) {
		struct event *v;
		size_t k;
		long long total;
		f.category = ncodes ? codes[i] : NULL;
		if ((err = store_event_list(app->st, r->arena, &c.scope, &f, &v, &k, &total)))
			return fail_err(r, c.fmt, err);
		if (!all) {
			all = v;
			n = k;
			continue;
		}
		struct event *m = arena_alloc(r->arena, (n + k) * sizeof(*m));
		memcpy(m, all, n * sizeof(*m));
		memcpy(m + n, v, k * sizeof(*m));
		all = m;
		n += k;
	}
	if (ncodes > 1)
		qsort(all, n, sizeof(*all), by_id_desc);
	if (n > O311_LIST_LIMIT)
		n = O311_LIST_LIMIT;
	return reply_requests(&c, all, n);
}

int h_o311_request(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct o311 c;
	start(&c, app, r);
	const char *sid;
	int err;
	if (split_param(&c, r->params[0], "service_request_id", &sid))
		return 0;
	if (check_jurisdiction(&c, http_query(r, "jurisdiction_id")))
		return 0;
	long long id;
	struct event e;
	if (str_to_ll(sid, 1, (long long)1 << 53, &id))
		return fail(r, c.fmt, 404, "service_request_id '%.20s' not found", sid);
	err = store_event_get(app->st, r->arena, &c.scope, id, &e);
	if (err == ERR_NOT_FOUND || (!err && !public_event(&e)))
		return fail(r, c.fmt, 404, "service_request_id '%lld' not found", id);
	if (err)
		return fail_err(r, c.fmt, err);
	return reply_requests(&c, &e, 1);
}

int h_o311_token(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct o311 c;
	start(&c, app, r);
	const char *token;
	int err;
	if (split_param(&c, r->params[0], "token", &token))
		return 0;
	if (check_jurisdiction(&c, http_query(r, "jurisdiction_id")))
		return 0;
	/* a receipt: "PA" and ten characters of a set without look-alikes */
	bool shape = strlen(token) == 12 && !strncmp(token, "PA", 2);
	for (size_t i = 2; shape && i < 12; i++)
		shape = strchr("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", token[i]) != NULL;
	struct event e;
	err = shape ? store_event_by_receipt(app->st, r->arena, &c.scope, token, &e)
		    : ERR_NOT_FOUND;
	/* a staff report's receipt answers as an unknown one, like its id */
	if (err == ERR_NOT_FOUND || (!err && !public_event(&e)))
		return fail(r, c.fmt, 404, "token '%.20s' not found", token);
	if (err)
		return fail_err(r, c.fmt, err);
	json_t *res = json_pack("[{s:s,s:s}]", "service_request_id",
				arena_printf(r->arena, "%lld", e.id), "token", e.receipt);
	return reply(r, c.fmt, 200, "service_requests", res);
}
