/*
 * routes.c - the whole API on one screen, and the dispatcher.
 *
 * {method, pattern, handler, permission, flags}. A {name} segment matches
 * one non-empty path segment and is passed to the handler in r->params.
 *
 * The permission is what the one authorization decision (domain/authz.c,
 * AUTHZ_ROUTE) checks in api_dispatch before any handler runs; the scope is
 * applied by the store in the SQL of every query, with bounds from the same
 * module, so a handler cannot forget it. A restricted session (second factor
 * to enrol, expired password) reaches only the routes flagged
 * ROUTE_STAGE_*. tests/api/authz_matrix.test.mjs holds an expectation for
 * every row here and fails on a row without one.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/mem.h"

#include <stdio.h>
#include <string.h>

#define ADMINS (ROLE(ADMIN) | ROLE(SECURITY_ADMIN))
/* three-way separation (三权分立): the security administrator grants roles
 * and manages accounts, the system administrator runs the system, the
 * audit administrator reads the audit log and nothing else */
#define SECURITY ROLE(SECURITY_ADMIN)
#define AUDITOR  ROLE(AUDIT_ADMIN)
#define STAGES   (ROUTE_STAGE_ENROL | ROUTE_STAGE_PASSWORD)

const struct route api_routes[] = {
	{ "GET", "/healthz", h_healthz, PERM_PUBLIC, 0 },
	{ "GET", "/metrics", h_metrics, PERM_PUBLIC, 0 },
	{ "POST", "/api/v1/auth/login", h_login, PERM_PUBLIC, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/auth/logout", h_logout, PERM_LOGIN, ROUTE_SELF | STAGES },
	{ "GET", "/api/v1/me", h_me, PERM_LOGIN, ROUTE_SELF | STAGES },
	{ "POST", "/api/v1/me/password", h_me_password, PERM_LOGIN,
	  ROUTE_JSON_BODY | ROUTE_SELF | STAGES },
	{ "POST", "/api/v1/me/totp", h_totp_begin, PERM_LOGIN, ROUTE_SELF | ROUTE_STAGE_ENROL },
	{ "POST", "/api/v1/me/totp/confirm", h_totp_confirm, PERM_LOGIN,
	  ROUTE_JSON_BODY | ROUTE_SELF | ROUTE_STAGE_ENROL },
	{ "GET", "/api/v1/me/filters", h_filters_list, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/me/filters", h_filters_add, PERM_LOGIN, ROUTE_JSON_BODY },
	{ "DELETE", "/api/v1/me/filters/{id}", h_filters_delete, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/orgs", h_org_tree, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/orgs/{code}", h_org_get, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/orgs/{code}/children", h_org_children, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/orgs/{code}/grids", h_org_grids, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/locate", h_locate, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/users", h_users_list, ADMINS, 0 },
	{ "POST", "/api/v1/users", h_users_add, SECURITY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/users/{id}/disable", h_user_disable, SECURITY, 0 },
	{ "POST", "/api/v1/users/{id}/enable", h_user_enable, SECURITY, 0 },
	{ "PUT", "/api/v1/users/{id}/roles", h_user_roles, SECURITY, ROUTE_JSON_BODY },
	{ "POST", "/api/v1/users/{id}/totp/reset", h_user_totp_reset, SECURITY, 0 },
	{ "GET", "/api/v1/audit", h_audit_list, AUDITOR, 0 },
	{ "GET", "/api/v1/audit/verify", h_audit_verify, AUDITOR, 0 },
	{ "GET", "/api/v1/audit/anchors", h_audit_anchors, AUDITOR, 0 },
	{ "POST", "/api/v1/audit/anchors", h_audit_anchor_now, AUDITOR, 0 },
	{ "GET", "/api/v1/inbox", h_inbox, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/inbox/{id}/read", h_inbox_read, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/inbox/read-all", h_inbox_read, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/test/clock", h_test_clock, ROLE(ADMIN), ROUTE_JSON_BODY },
	{ "POST", "/api/v1/test/scheduler", h_test_scheduler, ROLE(ADMIN), 0 },
	{ "GET", "/api/v1/stats/events", h_stats_events, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/stream", h_stream, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/calendar", h_calendar_get, PERM_LOGIN, 0 },
	{ "PUT", "/api/v1/calendar/{year}", h_calendar_put, ROLE(ADMIN), ROUTE_JSON_BODY },
	{ "GET", "/api/v1/categories", h_categories, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/webhooks", h_hook_add, ROLE(ADMIN), ROUTE_JSON_BODY },
	{ "GET", "/api/v1/webhooks", h_hook_list, ROLE(ADMIN), 0 },
	{ "POST", "/api/v1/webhooks/{id}/disable", h_hook_disable, ROLE(ADMIN), 0 },
	{ "GET", "/api/v1/webhooks/{id}/deliveries", h_hook_deliveries, ROLE(ADMIN), 0 },
	{ "PUT", "/api/v1/categories/{code}", h_category_put, ROLE(ADMIN), ROUTE_JSON_BODY },
	{ "GET", "/api/v1/categories/{code}/history", h_category_history, ROLE(ADMIN), 0 },
	/* divisions, grids and population from a file (the system administrator) */
	{ "POST", "/api/v1/imports/{kind}", h_import, ROLE(ADMIN), ROUTE_UPLOAD },
	{ "POST", "/api/v1/events/{id}/attachments", h_attach_add, PERM_LOGIN, ROUTE_UPLOAD },
	{ "GET", "/api/v1/events/{id}/attachments", h_attach_list, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/attachments/{id}", h_attach_get, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/events", h_event_create, PERM_LOGIN, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/events", h_event_list, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/events.csv", h_event_export, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/events/{id}", h_event_get, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/events/{id}/timeline", h_event_timeline, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/events/{id}/actions/{action}", h_event_act, PERM_LOGIN,
	  ROUTE_JSON_BODY },
	/* the reporter's personal data in the clear: roles by pii_reveal_roles, audited */
	{ "POST", "/api/v1/events/{id}/personal", h_event_personal, PERM_LOGIN, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/events/{id}/personal/reads", h_event_personal_reads,
	  ROLE(AUDIT_ADMIN) | ROLE(SECURITY_ADMIN), 0 },
	{ "GET", "/api/v1/public/categories", h_public_categories, PERM_PUBLIC, 0 },
	{ "POST", "/api/v1/public/reports", h_public_report, PERM_PUBLIC, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/public/reports/{receipt}", h_public_track, PERM_PUBLIC, 0 },
	{ "POST", "/api/v1/public/reports/{receipt}/rating", h_public_rate, PERM_PUBLIC,
	  ROUTE_JSON_BODY },
	/* the citizen's photos, with the report's photo token (h_public.c) */
	{ "POST", "/api/v1/public/reports/{receipt}/photos", h_public_photo, PERM_PUBLIC,
	  ROUTE_UPLOAD },
	{ "POST", "/api/v1/api-keys", h_api_key_create, ADMINS, ROUTE_JSON_BODY },
	{ "GET", "/api/v1/api-keys", h_api_key_list, ADMINS, 0 },
	{ "POST", "/api/v1/api-keys/{id}/revoke", h_api_key_revoke, ADMINS, 0 },
	/* assessment (docs/assessment.md) */
	{ "GET", "/api/v1/assess/indicators", h_assess_indicators, PERM_LOGIN, 0 },
	{ "PUT", "/api/v1/assess/indicators/{code}", h_assess_indicator_put, ROLE(ADMIN),
	  ROUTE_JSON_BODY },
	{ "GET", "/api/v1/assess/indicators/{code}/history", h_assess_indicator_history,
	  ROLE(ADMIN) | ROLE(ASSESSOR), 0 },
	{ "GET", "/api/v1/assess/population", h_assess_population, PERM_LOGIN, 0 },
	{ "PUT", "/api/v1/assess/population", h_assess_population_put, ROLE(ADMIN),
	  ROUTE_JSON_BODY },
	{ "GET", "/api/v1/assess/scores", h_assess_scores, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/assess/rankings", h_assess_rankings, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/assess/drill", h_assess_drill, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/assess/export.csv", h_assess_export_csv, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/assess/report", h_assess_report, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/assess/periods/{period}", h_assess_period, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/assess/periods/{period}/close", h_assess_close, ROLE(ASSESSOR),
	  ROUTE_JSON_BODY },
	{ "POST", "/api/v1/assess/periods/{period}/recompute", h_assess_recompute, ROLE(ASSESSOR),
	  ROUTE_JSON_BODY },
	{ "GET", "/api/v1/assess/adjustments", h_assess_adjustments, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/assess/adjustments", h_assess_adjustment_add, ROLE(ASSESSOR),
	  ROUTE_JSON_BODY },
	{ "POST", "/api/v1/assess/adjustments/{id}/approve", h_assess_adjustment_approve,
	  ROLE(ASSESSOR) | ROLE(LEADER), ROUTE_JSON_BODY },
	{ "POST", "/api/v1/assess/adjustments/{id}/reject", h_assess_adjustment_reject,
	  ROLE(ASSESSOR) | ROLE(LEADER), ROUTE_JSON_BODY },
	{ "GET", "/api/v1/assess/commendations", h_assess_commendations, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/assess/commendations", h_assess_candidates, ROLE(ASSESSOR),
	  ROUTE_JSON_BODY },
	{ "POST", "/api/v1/assess/commendations/{id}/approve", h_assess_commendation_approve,
	  ROLE(ASSESSOR) | ROLE(LEADER), ROUTE_JSON_BODY },
	{ "POST", "/api/v1/assess/commendations/{id}/reject", h_assess_commendation_reject,
	  ROLE(ASSESSOR) | ROLE(LEADER), ROUTE_JSON_BODY },
	/* units and demonstration units (docs/assessment.md) */
	{ "GET", "/api/v1/units", h_units, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/units", h_unit_add, ROLE(ADMIN) | ROLE(CENTRE) | ROLE(ASSESSOR),
	  ROUTE_JSON_BODY },
	{ "GET", "/api/v1/units/{id}", h_unit_get, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/units/{id}/designations", h_unit_designate,
	  ROLE(CENTRE) | ROLE(ASSESSOR), ROUTE_JSON_BODY },
	{ "GET", "/api/v1/designations", h_designations, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/designations/{id}", h_designation_get, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/designations/{id}/approve", h_designation_approve,
	  ROLE(ASSESSOR) | ROLE(LEADER), ROUTE_JSON_BODY },
	{ "POST", "/api/v1/designations/{id}/reject", h_designation_reject,
	  ROLE(ASSESSOR) | ROLE(LEADER), ROUTE_JSON_BODY },
	{ "POST", "/api/v1/designations/{id}/revoke", h_designation_revoke,
	  ROLE(ASSESSOR) | ROLE(LEADER), ROUTE_JSON_BODY },
	/* Open311 GeoReport v2: the handlers take the format from the suffix */
	{ "GET", "/open311/v2/discovery.json", h_o311_discovery, PERM_PUBLIC, 0 },
	{ "GET", "/open311/v2/discovery.xml", h_o311_discovery, PERM_PUBLIC, 0 },
	{ "GET", "/open311/v2/services.json", h_o311_services, PERM_PUBLIC, 0 },
	{ "GET", "/open311/v2/services.xml", h_o311_services, PERM_PUBLIC, 0 },
	{ "GET", "/open311/v2/services/{code}", h_o311_service, PERM_PUBLIC, 0 },
	{ "GET", "/open311/v2/requests.json", h_o311_requests, PERM_PUBLIC, 0 },
	{ "GET", "/open311/v2/requests.xml", h_o311_requests, PERM_PUBLIC, 0 },
	{ "POST", "/open311/v2/requests.json", h_o311_request_create, PERM_PUBLIC,
	  ROUTE_CROSS_SITE },
	{ "POST", "/open311/v2/requests.xml", h_o311_request_create, PERM_PUBLIC,
	  ROUTE_CROSS_SITE },
	{ "GET", "/open311/v2/requests/{id}", h_o311_request, PERM_PUBLIC, 0 },
	{ "GET", "/open311/v2/tokens/{token}", h_o311_token, PERM_PUBLIC, 0 },
};
const int api_routes_count = (int)ARRAY_SIZE(api_routes);

/* Compares pattern and path segment by segment; {name} segments are
 * copied into params from the arena. */
static bool match(struct arena *a, const char *p, const char *s, const char **params, int *nparams)
{
	int np = 0;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		const char *pe = strchr(p, '/'), *se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p);
		size_t sl = se ? (size_t)(se - s) : strlen(s);
		if (pl >= 2 && p[0] == '{') {
			if (sl == 0 || np == HTTP_MAX_PARAMS)
				return false;
			params[np++] = arena_strndup(a, s, sl);
		} else if (pl != sl || strncmp(p, s, pl)) {
			return false;
		}
		p += pl;
		s += sl;
	}
	if (*p || *s)
		return false;
	*nparams = np;
	return true;
}

const struct route *api_match(struct arena *a, const char *method, const char *path,
			      const char **params, int *nparams, int *err, char *allow,
			      size_t allowlen)
{
	*err = ERR_NO_ROUTE;
	allow[0] = '\0';
	for (int i = 0; i < api_routes_count; i++) {
		const struct route *rt = &api_routes[i];
		if (!match(a, rt->pattern, path, params, nparams))
			continue;
		if (!strcmp(rt->method, method) ||
		    (!strcmp(method, "HEAD") && !strcmp(rt->method, "GET"))) {
			*err = 0;
			return rt;
		}
		*err = ERR_METHOD;
		size_t n = strlen(allow);
		snprintf(allow + n, allowlen - n, "%s%s", n ? ", " : "", rt->method);
	}
	return NULL;
}
