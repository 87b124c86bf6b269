/*
 * api.h - the JSON API: the application context, the route table and the
 * helpers handlers share.
 *
 * api_dispatch() matches the request against the one route table
 * (routes.c), answers 404/405 itself, authenticates (session cookie or
 * bearer token), asks authz_decide() about the route's permission
 * (domain/authz.h), checks the content type of
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
#include "domain/authz.h"
#include "domain/event.h"
#include "http/server.h"
#include "store/store.h"

struct web; /* the built web app in memory (h_web.c) */
struct app {
	struct config *cfg;
	struct store *st;
	/* The locate index, built at start and rebuilt after a grids import
	 * (api_grids_reload); read it with api_grids(). */
	struct geo_index *grids;
	/* builds an index from the store's grids (set by serve; NULL: no reload) */
	struct geo_index *(*grid_index)(struct store *st);
	/* indexes replaced while the server runs: requests may still hold them,
	 * so they are freed only when the server stops (api_grids_release) */
	struct geo_index **retired;
	size_t nretired;
	struct calendar *cal;
	struct event_env ev;
	time_t started;
	long long (*now)(void);  /* unix seconds; injectable for tests */
	struct web *web;         /* NULL or without index.html: the API only */
	struct http_server *srv; /* set once serving (event streams) */
	/* the audit anchors' HMAC key (setting audit_key_file), read at start */
	unsigned char audit_key[AUDIT_KEY_LEN];
	struct sm2_key *audit_sign; /* setting audit_sign_key_file */
	/* events' JSON by id and version (NULL: render every time), and the
	 * probe that lists and reports read it through (api_event_cache) */
	struct evcache *evc;
	struct event_probe evprobe;
};

/* Keeps the JSON of up to `slots` events for lists, searches and the
 * duplicates of reports (0: none); api_event_cache_release frees it. */
void api_event_cache(struct app *app, size_t slots);
void api_event_cache_release(struct app *app);

/* The current locate index (NULL: none). */
static inline const struct geo_index *api_grids(const struct app *app)
{
	return __atomic_load_n(&app->grids, __ATOMIC_ACQUIRE);
}
/* Rebuilds the locate index from the store and puts it in place for new
 * requests and reports. 0, or ERR_UNAVAILABLE when the server cannot. */
int api_grids_reload(struct app *app);
/* Frees the current and every replaced index (the server has stopped). */
void api_grids_release(struct app *app);

/* Route permissions: who may call it (decided by authz_decide, AUTHZ_ROUTE). */
#define PERM_PUBLIC AUTHZ_PERM_PUBLIC /* anyone */
#define PERM_LOGIN  AUTHZ_PERM_LOGIN  /* any logged-in user */
/* otherwise: a mask of ROLE(...) bits, any of which suffices */

/* Deepest nesting of arrays and objects a JSON body may have (400 past it,
 * checked before the body is parsed). */
#define API_JSON_MAX_DEPTH 32

/* Route flags. */
#define ROUTE_JSON_BODY      1u  /* needs a JSON object body (415/400 otherwise) */
#define ROUTE_UPLOAD         2u  /* the body is a file, streamed to disk (max_upload) */
#define ROUTE_STAGE_ENROL    4u  /* open to a session that may only enrol a second factor */
#define ROUTE_STAGE_PASSWORD 8u  /* open to a session restricted to changing an expired password */
#define ROUTE_CROSS_SITE     16u /* may be posted from other sites (Open311 clients) */
#define ROUTE_SELF           32u /* one's own session or password: open to every role */

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

/* The filters of GET /api/v1/events from the query (state, category, org,
 * grid, assignee, urgency, from, to, overdue, q; not limit or cursor), checked
 * (ERR_BAD_QUERY with detail); strings point into the request. */
int api_event_filter(struct app *app, struct http_request *r, struct principal *who,
		     struct event_filter *f);
/* Appends an audit record of the request: who (NULL: nobody logged in),
 * the request's address, now; detail is a printf format (NULL: none).
 * Call it inside the transaction of the change it records and fail the
 * change when it fails. 0 or a store error. */
int api_audit(struct app *app, struct http_request *r, const struct principal *who,
	      const char *action, const char *object, const char *outcome, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* The one decision (AUTHZ_ADMINISTER) on the account id, u as the scoped
 * look-up found it (NULL: not found): 0 to go on, or the answer — 403
 * for one's own account or an operator's, 404 for one missing or outside
 * the scope, in that order. */
int api_administer(struct http_request *r, const struct principal *who, long long id,
		   const struct user *u);

/* Ends a transaction begun with store_begin(): commits when err is 0,
 * else rolls back; returns err or the commit's outcome. */
int api_end(struct app *app, int err);

/* JSON renderings shared by handlers. */
/* RFC 3339 UTC ("2026-11-25T05:00:00Z") for unix seconds; null for 0. */
json_t *api_time_json(long long t);
json_t *api_org_json(const struct org *o);
json_t *api_principal_json(const struct principal *who);
/* "full", "totp_enrolment" or "password_change". */
const char *api_stage_name(int stage);

/* Reporters' personal data (h_pii.c). Parses body's optional "reporter"
 * object into out (pointing into body). 0 or an error with r->err_detail. */
int api_reporter_parse(struct http_request *r, json_t *body, struct pii_contact *out);
/* Whether who may read reporters' personal data in the clear (a role in
 * pii_reveal_roles, never the auditor); /me tells the app so. */
bool api_pii_may_reveal(const struct app *app, const struct principal *who);
/* The event's reporter contact, masked; JSON null when there is none. */
json_t *api_reporter_masked(struct app *app, struct http_request *r, long long event_id);
/* Reads reporter_phone / reporter_id_no from the query into f (blind
 * indexes). 0, or ERR_BAD_QUERY / ERR_FORBIDDEN with r->err_detail. */
int api_reporter_filter(struct app *app, struct http_request *r, const struct principal *who,
			struct event_filter *f);
/* --- the web app (h_web.c) --- */
/* Reads every file under dir into memory (types, strong ETags). *out is
 * always set (free it with web_free); ERR_NOT_FOUND when dir or its
 * index.html is missing, ERR_IO / ERR_TOO_LARGE, with why. */
int web_load(const char *dir, struct web **out, char *why, size_t whylen);
void web_free(struct web *w);
/* Files held, and their bytes. */
size_t web_count(const struct web *w, size_t *bytes);
/* True for paths the web app may own (not /api/, /open311/, /healthz, /metrics). */
bool web_path(const char *path);
/* Answers a GET/HEAD of path from the web app (w may be NULL): the file,
 * index.html for client-side routes, 304 on a matching If-None-Match, 404
 * for a missing file, 404 no_route with a note when there is no built app. */
int web_serve(struct web *w, struct http_request *r);

/* --- event streams (h_stream.c) --- */
/* event_env.changed: queues a report or change on the streams whose scope holds it. */
void api_stream_publish(void *ctx, const struct event *e, bool created);
/* http_options.stream_tick (ctx: the app): heartbeat, session check, inbox count. */
bool api_stream_tick(void *ctx, struct http_stream *s, void *data, bool beat);
/* http_options.stream_free. */
void api_stream_free(void *data);

/* The handlers (one file per area: h_*.c). */
int h_healthz(struct app *, struct http_request *, struct principal *, json_t *);
int h_metrics(struct app *, struct http_request *, struct principal *, json_t *);
int h_login(struct app *, struct http_request *, struct principal *, json_t *);
int h_logout(struct app *, struct http_request *, struct principal *, json_t *);
int h_me(struct app *, struct http_request *, struct principal *, json_t *);
int h_me_password(struct app *, struct http_request *, struct principal *, json_t *);
int h_totp_begin(struct app *, struct http_request *, struct principal *, json_t *);
int h_totp_confirm(struct app *, struct http_request *, struct principal *, json_t *);
int h_user_totp_reset(struct app *, struct http_request *, struct principal *, json_t *);
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
/* Attachments (h_attach.c): the type of the request's upload from its first
 * bytes (JPEG, PNG, WebP, GIF, HEIC, MP4, PDF), or NULL for anything else. */
const char *api_upload_type(const struct http_request *r);
/* Moves the upload into the content-addressed store (named by its SHA-256,
 * kept once) and records it as an attachment of event_id by user_id (0: a
 * citizen) into *x. 0, or an error with r->err_detail. */
int api_attachment_store(struct app *app, struct http_request *r, long long event_id,
			 long long user_id, const char *mime, struct attachment *x);
int h_attach_add(struct app *, struct http_request *, struct principal *, json_t *);
int h_import(struct app *, struct http_request *, struct principal *, json_t *);
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
int h_filters_list(struct app *, struct http_request *, struct principal *, json_t *);
int h_filters_add(struct app *, struct http_request *, struct principal *, json_t *);
int h_filters_delete(struct app *, struct http_request *, struct principal *, json_t *);
int h_public_categories(struct app *, struct http_request *, struct principal *, json_t *);
int h_public_report(struct app *, struct http_request *, struct principal *, json_t *);
int h_public_photo(struct app *, struct http_request *, struct principal *, json_t *);
int h_public_track(struct app *, struct http_request *, struct principal *, json_t *);
int h_public_rate(struct app *, struct http_request *, struct principal *, json_t *);
int h_stream(struct app *, struct http_request *, struct principal *, json_t *);
int h_categories(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_create(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_list(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_export(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_get(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_timeline(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_act(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_personal(struct app *, struct http_request *, struct principal *, json_t *);
int h_event_personal_reads(struct app *, struct http_request *, struct principal *, json_t *);
int h_api_key_create(struct app *, struct http_request *, struct principal *, json_t *);
int h_api_key_list(struct app *, struct http_request *, struct principal *, json_t *);
int h_api_key_revoke(struct app *, struct http_request *, struct principal *, json_t *);
int h_user_enable(struct app *, struct http_request *, struct principal *, json_t *);
int h_user_roles(struct app *, struct http_request *, struct principal *, json_t *);
int h_audit_list(struct app *, struct http_request *, struct principal *, json_t *);
int h_audit_verify(struct app *, struct http_request *, struct principal *, json_t *);
int h_audit_anchors(struct app *, struct http_request *, struct principal *, json_t *);
int h_audit_anchor_now(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_indicators(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_indicator_put(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_indicator_history(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_population(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_population_put(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_scores(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_rankings(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_drill(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_export_csv(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_report(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_period(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_close(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_recompute(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_adjustments(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_adjustment_add(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_adjustment_approve(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_adjustment_reject(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_commendations(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_candidates(struct app *, struct http_request *, struct principal *, json_t *);
int h_assess_commendation_approve(struct app *, struct http_request *, struct principal *,
				  json_t *);
int h_assess_commendation_reject(struct app *, struct http_request *, struct principal *, json_t *);
int h_units(struct app *, struct http_request *, struct principal *, json_t *);
int h_unit_add(struct app *, struct http_request *, struct principal *, json_t *);
int h_unit_get(struct app *, struct http_request *, struct principal *, json_t *);
int h_unit_designate(struct app *, struct http_request *, struct principal *, json_t *);
int h_designations(struct app *, struct http_request *, struct principal *, json_t *);
int h_designation_get(struct app *, struct http_request *, struct principal *, json_t *);
int h_designation_approve(struct app *, struct http_request *, struct principal *, json_t *);
int h_designation_reject(struct app *, struct http_request *, struct principal *, json_t *);
int h_designation_revoke(struct app *, struct http_request *, struct principal *, json_t *);
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
