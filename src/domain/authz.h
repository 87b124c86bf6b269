/*
 * authz.h - the one authorization decision: role × org scope × object.
 *
 * Every "may this caller do that to this object" of the server is answered
 * here, with no I/O: the principal (roles, scope, user id, department), an
 * action and the object's facts in; a verdict and a reason out. The callers:
 *
 *   the dispatcher      AUTHZ_ROUTE for every non-public route (routes.c's
 *                       permission), before any handler runs
 *   login               authz_scope_of(): the principal's scope
 *   the store           authz_scope_range() / authz_scope_self(): the bounds
 *                       it binds into the SQL of every scoped query, so no
 *                       query can forget the scope
 *   the event engine    AUTHZ_TRANSITION (the workflow table's roles, the
 *                       reporter, the assigned department)
 *   public, Open311     AUTHZ_PUBLIC: only what the public filed
 *   handlers            AUTHZ_READ for rows filtered in C (stream, rankings,
 *                       duplicates), AUTHZ_ADMINISTER for user accounts,
 *                       AUTHZ_DECIDE for four-eyes approvals, AUTHZ_REVEAL
 *                       for personal data in the clear
 *
 * Verdicts: AUTHZ_ALLOW; AUTHZ_FORBID (403: the caller may know the object
 * exists, or the route refuses them whatever the object); AUTHZ_HIDDEN (404:
 * outside the scope answers exactly like missing). The reason says which rule
 * decided; callers keep their own wording for the message.
 *
 * A NULL principal is the server itself (the scheduler, a citizen's report
 * filed by the system): it reads everything and acts as WF_SYSTEM.
 */
#ifndef PINGAN_DOMAIN_AUTHZ_H
#define PINGAN_DOMAIN_AUTHZ_H

#include <stdbool.h>

#include "core/arena.h"
#include "domain/auth.h"
#include "domain/org.h"

/* Route permissions (routes.c): anyone, any logged-in user, or a mask of
 * ROLE(...) bits any one of which suffices. */
#define AUTHZ_PERM_PUBLIC 0u
#define AUTHZ_PERM_LOGIN  (1u << 31)

enum authz_action {
	AUTHZ_ROUTE,      /* call a route: perm, and self for one's own session */
	AUTHZ_READ,       /* see an object (its org path, or being its reporter) */
	AUTHZ_TRANSITION, /* take a case transition: perm = the transition's roles */
	AUTHZ_ADMINISTER, /* disable, enable, set roles of, reset a user account */
	AUTHZ_GRANT,      /* give an account roles: perm = the roles */
	AUTHZ_DECIDE,     /* approve or reject what someone entered (four eyes) */
	AUTHZ_REVEAL,     /* read personal data in the clear: perm = pii_reveal_roles */
	AUTHZ_PUBLIC,     /* a caller without a session (public, Open311): a case's source */
	AUTHZ__COUNT
};

enum authz_verdict { AUTHZ_ALLOW, AUTHZ_FORBID, AUTHZ_HIDDEN };

/* Why: name, verdict it gives, description. */
#define AUTHZ_REASON_MAP(X)                                                                   \
	X(PUBLIC, ALLOW, "the route is public")                                               \
	X(ROLE_OK, ALLOW, "the caller's roles allow it")                                      \
	X(SELF_ROUTE, ALLOW, "one's own session and password are open to every role")         \
	X(IN_SCOPE, ALLOW, "the object lies inside the caller's scope")                       \
	X(REPORTER, ALLOW, "the caller reported it")                                          \
	X(SYSTEM, ALLOW, "the server itself")                                                 \
	X(LOGIN, FORBID, "the route needs a session")                                         \
	X(ROLE, FORBID, "the caller's roles do not allow it")                                 \
	X(AUDIT_ONLY, FORBID, "the audit administrator reads the audit log and nothing else") \
	X(DEPARTMENT, FORBID, "the case is assigned to another department")                   \
	X(SELF, FORBID, "nobody administers their own account")                               \
	X(OPERATOR, FORBID, "the system and audit administrators' accounts are the server's") \
	X(OWN_ENTRY, FORBID, "what one entered is decided by someone else")                   \
	X(MISSING, HIDDEN, "no such object")                                                  \
	X(OUT_OF_SCOPE, HIDDEN, "the object lies outside the caller's scope")                 \
	X(STAFF_REPORT, HIDDEN, "the public sees what the public filed, not staff reports")

enum authz_reason {
#define AUTHZ_R_ENUM(n, v, d) AUTHZ_R_##n,
	AUTHZ_REASON_MAP(AUTHZ_R_ENUM)
#undef AUTHZ_R_ENUM
		AUTHZ_R__COUNT
};

/* What is known of the object; zero what does not apply. */
struct authz_object {
	bool exists;           /* false: no such object (the rest is ignored) */
	const char *org_path;  /* where it lies: "/330108/330108001/..." */
	long long reporter_id; /* a case: the user who reported it (0: none) */
	const char *assignee;  /* a case: the department it is assigned to ("" / NULL) */
	long long creator_id;  /* an entry under four eyes: who entered it */
	long long user_id;     /* a user account: its id */
	unsigned roles;        /* a user account: the roles it holds */
	const char *source;    /* a case: how it was filed ("citizen", "centre"...) */
};

/* The sources of the cases the public may see (AUTHZ_PUBLIC), as a
 * comma-separated list for the store's source filter. */
#define AUTHZ_PUBLIC_SOURCES "citizen,open311"

struct authz_request {
	enum authz_action action;
	unsigned perm;                  /* ROUTE: the route's; TRANSITION: the transition's roles;
			* REVEAL: the roles the setting names; GRANT: the roles
			* to give; DECIDE: roles required beside the route's (0) */
	bool self;                      /* ROUTE: the route is one's own session (ROUTE_SELF) */
	const struct authz_object *obj; /* not for ROUTE */
};

struct authz_decision {
	enum authz_verdict verdict;
	enum authz_reason reason;
	/* TRANSITION: the roles the caller acts with on this case (their own,
	 * WF_REPORTER when they reported it, WF_SYSTEM for the server), for the
	 * workflow engine's checks of state, pending requests and fields */
	unsigned roles;
};

/* The decision; who NULL is the server. Never fails. */
struct authz_decision authz_decide(const struct principal *who, const struct authz_request *rq);
/* Shorthand: true when authz_decide allows. */
bool authz_allowed(const struct principal *who, const struct authz_request *rq);

/* "IN_SCOPE", "ROLE"... and the rule in words. */
const char *authz_reason_name(enum authz_reason r);
const char *authz_reason_text(enum authz_reason r);
enum authz_verdict authz_reason_verdict(enum authz_reason r);

/* --- the scope, for the store's SQL and for rows checked in C --- */
/* The scope of a user bound to the org at org_path (of kind): that org's
 * subtree; a department's user works in the subtree of the department's
 * parent division (a district bureau across the district). Never "all",
 * even at the root. root_path is org_path or a copy from a; self_id is
 * user_id. */
void authz_scope_of(struct arena *a, const char *org_path, enum org_kind kind, long long user_id,
		    struct scope *out);
/* The org-path range a scope reads: [*lo, *hi), "/330108/330108001/" to
 * "/330108/3301080010" (from a). false, with both NULL, for a scope with no limit
 * (sc NULL or sc->all): the store binds NULLs and its clause matches all. */
bool authz_scope_range(struct arena *a, const struct scope *sc, const char **lo, const char **hi);
/* The user whose own reports a limited scope also holds, or 0. */
long long authz_scope_self(const struct scope *sc);
/* The scope's test in C, the same as the store's SQL: org_path inside the
 * range, or reporter_id (non-zero) the scope's own user. */
bool authz_scope_holds(const struct scope *sc, const char *org_path, long long reporter_id);

#endif
