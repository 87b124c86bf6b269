/*
 * api.h - the JSON API: the application context, the route table and the
 * helpers handlers share.
 *
 * api_dispatch() matches the request against the one route table
 * (routes.c), answers 404/405 itself, authenticates (session cookie or
 * bearer token), checks the route's permission, checks the content type of
 * bodies, and calls the handler. Handlers parse, call the domain, and render
 * JSON; they never free anything (the request arena does).
 */
#ifndef PINGAN_API_API_H
#define PINGAN_API_API_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "core/calendar.h"
#include "core/config.h"
#include "core/geo.h"
#include "domain/auth.h"
#include "domain/event.h"
#include "http/server.h"
#include "store/store.h"

struct app {
	struct config *cfg;
	struct store *st;
	struct geo_index *grids; /* locate index, built at start */
	struct calendar *cal;
	struct event_env ev;
	time_t started;
	long long (*now)(void); /* unix seconds; injectable for tests */
};

/* Route permissions: who may call it. */
#define PERM_PUBLIC 0u         /* anyone */
#define PERM_LOGIN  (1u << 31) /* any logged-in user */
/* otherwise: a mask of ROLE(...) bits, any of which suffices */

/* Deepest nesting of arrays and objects a JSON body may have (400 past it,
 * checked before the body is parsed). */
#define API_JSON_MAX_DEPTH 32

/* Route flags. */
#define ROUTE_JSON_BODY 1u /* needs a JSON object body (415/400 otherwise) */
#define ROUTE_UPLOAD    2u /* the body is a file, streamed to disk (max_upload) */

typedef int (*api_handler_fn)(struct app *app, struct http_request *r, struct principal *who,
			      json_t *body);

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/orgs/{code}" */
	api_handler_fn fn;
	unsigned perm;
	unsigned flags;
};

extern const struct route api_routes[];
extern const int api_routes_count;

/* The http_handler_fn: ctx is a struct app. */
int api_dispatch(void *ctx, struct http_request *r);
/* The server's upload_route: true for routes with ROUTE_UPLOAD. */
bool api_upload_route(void *ctx, const char *method, const char *path);
/* Matches method+path against the table: the route, or NULL with *err
 * ERR_NO_ROUTE or ERR_METHOD (and *allow the methods the path takes).
 * Path parameters are copied from the arena. */
const struct route *api_match(struct arena *a, const char *method, const char *path,
			      const char **params, int *nparams, int *err, char *allow,
			      size_t allowlen);

/* --- body field helpers: each returns 0 or an error with r->err_detail set --- */
int api_str(struct http_request *r, json_t *obj, const char *key, bool required, size_t maxlen,
	    const char **out);
int api_int(struct http_request *r, json_t *obj, const char *key, bool required, long long min,
	    long long max, long long *out);
/* Rejects keys not in the NULL-terminated list (typos and server-owned fields). */
int api_only_keys(struct http_request *r, json_t *obj, const char *const *keys);

/* Query parameter helpers. */
int api_query_double(struct http_request *r, const char *key, double min, double max, double *out);
int api_query_int(struct http_request *r, const char *key, long long min, long long max,
		  long long def, long long *out);

/* JSON renderings shared by handlers. */
/* RFC 3339 UTC ("2026-11-25T05:00:00Z") for unix seconds; null for 0. */
json_t *api_time_json(long long t);
json_t *api_org_json(const struct org *o);
json_t *api_principal_json(const struct principal *who);

/* Reporters' personal data (h_pii.c). Parses body's optional "reporter"
 * object into out (pointing into body). 0 or an error with r->err_detail. */
int api_reporter_parse(struct http_request *r, json_t *body, struct pii_contact *out);
/* The event's reporter contact, masked; JSON null when there is none. */
json_t *api_reporter_masked(struct app *app, struct http_request *r, long long event_id);
/* Reads reporter_phone / reporter_id_no from the query into f (blind
 * indexes). 0, or ERR_BAD_QUERY / ERR_FORBIDDEN with r->err_detail. */
int api_reporter_filter(struct app *app, struct http_request *r, const struct principal *who,
			struct event_filter *f);

/* The handlers (one file per area: h_*.c). */
int h_healthz(struct app *, struct http_request *, struct principal *, json_t *);
int h_metrics(struct app *, struct http_request *, struct principal *, json_t *);
int h_login(struct app *, struct http_request *, struct principal *, json_t *);
int h_logout(struct app *, struct http_request *, struct principal *, json_t *);
int h_me(struct app *, struct http_request *, struct principal *, json_t *);
int h_me_password(struct app *, struct http_request *, struct principal *, json_t *);
int h_org_tree(struct app *, struct http_request *, struct principal *, json_t *);
int h_org_get(struct app *, struct http_request *, struct principal *, json_t *);
int h_org_children(struct app *, struct http_request *, struct principal *, json_t *);
int h_org_grids(struct app *, struct http_request *, struct principal *, json_t *);
int h_locate(struct app *, struct http_request *, struct principal *, json_t *);
int h_users_list(struct app *, struct http_request *, struct principal *, json_t *);
int h_users_add(struct app *, struct http_request *, struct principal *, json_t *);
int h_user_disable(struct app *, struct http_request *, struct principal *, json_t *);
int h_inbox(struct app *, struct http_request *, struct principal *, json_t *);
int h_inbox_read(struct app *, struct http_request *, struct principal *, json_t *);
int h_test_clock(struct app *, struct http_request *, struct principal *, json_t *);
int h_test_scheduler(struct app *, struct http_request *, struct principal *, json_t *);
int h_attach_add(struct app *, struct http_request *, struct principal *, json_t *);
int h_attach_list(struct app *, struct http_request *, struct principal *, json_t *);
int h_attach_get(struct app *, struct http_request *, struct principal *, json_t *);
int h_category_put(struct app *, struct http_request *, struct principal *, json_t *);
int h_category_history(struct app *, struct http_request *, struct principal *, json_t *);
int h_hook_add(struct app *, struct http_request *, struct principal *, json_t *);
int h_hook_list(struct app *, struct http_request *, struct principal *, json_t *);
int h_hook_disable(struct app *, struct http_request *, struct principal *, json_t *);
int h_hook_deliveries(struct app *, struct http_request *, struct principal *, json_t *);
int h_calendar_get(struct app *, struct http_request *, struct principal *, json_t *);
int h_calendar_put(struct app *, struct http_request *, struct principal *, json_t *);
int h_stats_events(struct app *, struct http_request *, struct principal *, json_t *);
int h_categories(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_create(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_list(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_get(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_timeline(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_act(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_personal(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_personal_reads(struct app *, struct http_request *, struct principal *, json_t *);
int h_api_key_create(struct app *, struct http_request *, struct principal *, json_t *);
int h_api_key_list(struct app *, struct http_request *, struct principal *, json_t *);
int h_api_key_revoke(struct app *, struct http_request *, struct principal *, json_t *);
/* Renders err (status, r->err_detail) in the GeoReport error format of the
 * request's suffix (.json or .xml; without one, err is returned for the
 * usual JSON error): for errors met before an Open311 handler runs (no such
 * path, wrong method). */
int o311_error(struct http_request *r, int err);
int h_o311_discovery(struct app *, struct http_request *, struct principal *, json_t *);
int h_o311_services(struct app *, struct http_request *, struct principal *, json_t *);
int h_o311_service(struct app *, struct http_request *, struct principal *, json_t *);
int h_o311_requests(struct app *, struct http_request *, struct principal *, json_t *);
int h_o311_request_create(struct app *, struct http_request *, struct principal *, json_t *);
int h_o311_request(struct app *, struct http_request *, struct principal *, json_t *);
int h_o311_token(struct app *, struct http_request *, struct principal *, json_t *);

#endif
