/*
 * fuzz_request.c - libFuzzer targets for whole requests through the real
 * dispatcher (api_dispatch) and handlers, against the demo district in a
 * scratch database (app.c): route matching, query strings, headers,
 * cookies, JSON bodies and Open311 form bodies, as a client sends them.
 *
 * libmicrohttpd's header/argument/cookie lookup is replaced (the target
 * links with -Wl,--wrap=MHD_lookup_connection_value) by one that answers
 * from the fuzz input, decoded the way libmicrohttpd decodes (%HH and '+'
 * in arguments, case-insensitive header names).
 *
 * fuzz_request input: byte 0 picks the caller (anonymous, admin, centre,
 * grid worker); then "METHOD TARGET\n", header lines "Name: value\n", an
 * empty line, and the body.
 * fuzz_query (built with FUZZ_QUERY_ONLY) input: byte 0 the caller, byte 1
 * a GET route of the table; then "PARAM/PARAM?QUERY": the route's {name}
 * segments are filled from the slash-separated values.
 *
 * The property: no answer is a server error. A 5xx other than 503/507 (the
 * database is never full or read-only here) is a bug: the target aborts.
 * Routes that end the fuzzer's own sessions (logout, password change,
 * disabling a user) and the attachment download (it needs the server's
 * response state) are skipped.
 */
#include "app.h"
#include "core/err.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
					       const char *key);

#define MAX_VALUES 64

struct fake_conn {
	int n;
	struct {
		enum MHD_ValueKind kind;
		const char *key, *value;
	} v[MAX_VALUES];
};

const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
					       const char *key)
{
	struct fake_conn *fc = (struct fake_conn *)(void *)c;
	for (int i = 0; i < fc->n; i++) {
		if (fc->v[i].kind != kind || !key)
			continue;
		if (kind == MHD_HEADER_KIND ? !strcasecmp(fc->v[i].key, key)
					    : !strcmp(fc->v[i].key, key))
			return fc->v[i].value;
	}
	return NULL;
}

static void add(struct fake_conn *fc, enum MHD_ValueKind kind, const char *k, const char *v)
{
	if (fc->n < MAX_VALUES) {
		fc->v[fc->n].kind = kind;
		fc->v[fc->n].key = k;
		fc->v[fc->n].value = v;
		fc->n++;
	}
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* In place, as libmicrohttpd unescapes arguments. */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void parse_query(struct fake_conn *fc, char *q)
{
	char *save = NULL;
	for (char *p = strtok_r(q, "&", &save); p; p = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(p, '=');
		if (eq)
			*eq++ = '\0';
		unescape(p);
		if (eq)
			unescape(eq);
		add(fc, MHD_GET_ARGUMENT_KIND, p, eq);
	}
}

#ifndef FUZZ_QUERY_ONLY
static void parse_cookies(struct fake_conn *fc, char *h)
{
	char *save = NULL;
	for (char *p = strtok_r(h, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
		while (*p == ' ')
			p++;
		char *eq = strchr(p, '=');
		if (eq) {
			*eq++ = '\0';
			add(fc, MHD_COOKIE_KIND, p, eq);
		}
	}
}
#endif

static bool skipped(const struct route *rt)
{
	return rt->fn == h_logout || rt->fn == h_me_password || rt->fn == h_user_disable ||
	       rt->fn == h_attach_get;
}

/* Runs one request; aborts on a server error. */
static void run(struct app *app, struct arena *a, struct fake_conn *fc, const char *method,
		char *target, const char *body, size_t body_len)
{
	char *q = strchr(target, '?');
	if (q) {
		*q++ = '\0';
		parse_query(fc, q);
	}
	const char *params[HTTP_MAX_PARAMS];
	int np, err;
	char allow[64];
	const struct route *rt =
		api_match(a, method, target, params, &np, &err, allow, sizeof(allow));
	if (rt && skipped(rt))
		return;
	struct http_request r = { .arena = a,
				  .conn = (struct http_conn *)(void *)fc,
				  .method = method,
				  .path = target,
				  .ip = "192.0.2.1",
				  .route = "",
				  .id = "fuzz" };
	if (body_len) {
		r.body = arena_strndup(a, body, body_len);
		r.body_len = body_len;
	}
	err = api_dispatch(app, &r);
	int status = err ? err_status(err) : r.status ? r.status : 200;
	if (status >= 500 && status != 503 && status != 507) {
		fprintf(stderr, "fuzz: %s %s answered %d (%s: %s)\n", method, target, status,
			err_name(err), r.err_detail ? r.err_detail : "");
		abort();
	}
	if (r.json) {
		char *text = json_dumps(r.json, JSON_COMPACT | JSON_REAL_PRECISION(12));
		if (!text)
			abort();
		free(text);
	}
}

/* The demo district takes a while to build: before the first input, so it
 * does not count against -timeout. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *const *tokens;
	fuzz_app(&tokens);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *tokens;
	struct app *app = fuzz_app(&tokens);
	if (size < 2)
		return 0;
	struct arena *a = arena_new();
	struct fake_conn *fc = arena_zalloc(a, sizeof(*fc));
	const char *token = tokens[data[0] % FUZZ_ROLES];
	if (token)
		add(fc, MHD_HEADER_KIND, "Authorization", arena_printf(a, "Bearer %s", token));
#ifdef FUZZ_QUERY_ONLY
	int gets[64], ng = 0;
	for (int i = 0; i < api_routes_count && ng < 64; i++)
		if (!strcmp(api_routes[i].method, "GET"))
			gets[ng++] = i;
	const struct route *rt = &api_routes[gets[data[1] % ng]];
	char *in = arena_strndup(a, (const char *)data + 2, size - 2);
	char *query = strchr(in, '?');
	if (query)
		*query++ = '\0';
	/* the pattern with its {name} segments filled from in */
	char *target = arena_alloc(a, strlen(rt->pattern) + strlen(in) + 2 +
					      (query ? strlen(query) : 0) + 1);
	char *o = target, *save = NULL, *val = strtok_r(in, "/", &save);
	for (const char *p = rt->pattern; *p;) {
		if (*p == '{') {
			const char *v = val ? val : "1";
			memcpy(o, v, strlen(v));
			o += strlen(v);
			val = strtok_r(NULL, "/", &save);
			p = strchr(p, '}') + 1;
		} else {
			*o++ = *p++;
		}
	}
	if (query) {
		*o++ = '?';
		memcpy(o, query, strlen(query));
		o += strlen(query);
	}
	*o = '\0';
	run(app, a, fc, "GET", target, NULL, 0);
#else
	/* "METHOD TARGET\n" headers "\n" body */
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		goto out;
	char *line = arena_strndup(a, p, (size_t)(nl - p));
	char *sp = strchr(line, ' ');
	if (!sp || strlen(line) != (size_t)(nl - p))
		goto out;
	*sp = '\0';
	char *target = sp + 1;
	p = nl + 1;
	while (p < end && *p != '\n') {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		char *h = arena_strndup(a, p, (size_t)(nl - p));
		char *colon = strchr(h, ':');
		if (colon) {
			*colon++ = '\0';
			while (*colon == ' ')
				colon++;
			if (!strcasecmp(h, "Cookie"))
				parse_cookies(fc, arena_strdup(a, colon));
			add(fc, MHD_HEADER_KIND, h, colon);
		}
		p = nl < end ? nl + 1 : end;
	}
	if (p < end)
		p++; /* the empty line */
	run(app, a, fc, line, target, p, (size_t)(end - p));
out:
#endif
	arena_free(a);
	return 0;
}
