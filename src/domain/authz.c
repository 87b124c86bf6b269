/*
 * authz.c - the one authorization decision; see authz.h.
 *
 * One small function per action, each a short list of rules tried in order;
 * the first that decides gives the reason. The order is part of the answer:
 * a client learns nothing about an object it may not see (HIDDEN before any
 * FORBID that names the object), and "not your own account" comes before the
 * look-up so it answers the same whether or not the id exists.
 */
#include "domain/authz.h"
#include "domain/workflow.h"

#include <string.h>

static const struct {
	const char *name;
	enum authz_verdict verdict;
	const char *text;
} reasons[AUTHZ_R__COUNT] = {
#define AUTHZ_R_ROW(n, v, d) [AUTHZ_R_##n] = { #n, AUTHZ_##v, d },
	AUTHZ_REASON_MAP(AUTHZ_R_ROW)
#undef AUTHZ_R_ROW
};

const char *authz_reason_name(enum authz_reason r)
{
	return r < AUTHZ_R__COUNT ? reasons[r].name : "?";
}

const char *authz_reason_text(enum authz_reason r)
{
	return r < AUTHZ_R__COUNT ? reasons[r].text : "?";
}

enum authz_verdict authz_reason_verdict(enum authz_reason r)
{
	return r < AUTHZ_R__COUNT ? reasons[r].verdict : AUTHZ_FORBID;
}

static struct authz_decision because(enum authz_reason r)
{
	return (struct authz_decision){ .verdict = reasons[r].verdict, .reason = r };
}

/* --- scope --- */

void authz_scope_of(struct arena *a, const char *org_path, enum org_kind kind, long long user_id,
		    struct scope *out)
{
	out->all = false;
	out->root_path = org_path;
	out->self_id = user_id;
	if (kind == ORG_DEPARTMENT && org_path) {
		/* the department's parent division: drop the last path segment */
		size_t n = strlen(org_path);
		char *p = arena_strdup(a, org_path);
		if (n >= 2) {
			p[n - 1] = '\0';
			char *slash = strrchr(p, '/');
			if (slash)
				slash[1] = '\0';
		}
		out->root_path = p;
	}
}

bool authz_scope_range(struct arena *a, const struct scope *sc, const char **lo, const char **hi)
{
	*lo = *hi = NULL;
	if (!sc || sc->all)
		return false;
	if (!sc->root_path) {
		/* a limited scope without a root holds nothing: fail closed */
		*lo = *hi = "";
		return true;
	}
	/* the subtree of "/a/b/" is ["/a/b/", "/a/b0"): '0' follows '/' */
	size_t n = strlen(sc->root_path);
	char *end = arena_strndup(a, sc->root_path, n);
	if (n && end[n - 1] == '/')
		end[n - 1] = '0';
	*lo = sc->root_path;
	*hi = end;
	return true;
}

long long authz_scope_self(const struct scope *sc)
{
	return sc && !sc->all ? sc->self_id : 0;
}

bool authz_scope_holds(const struct scope *sc, const char *org_path, long long reporter_id)
{
	if (!sc || sc->all)
		return true;
	if (sc->root_path && org_path && org_path_within(org_path, sc->root_path))
		return true;
	return reporter_id && reporter_id == sc->self_id;
}

/* --- the actions --- */

static struct authz_decision route(const struct principal *who, const struct authz_request *rq)
{
	if (rq->perm == AUTHZ_PERM_PUBLIC)
		return because(AUTHZ_R_PUBLIC);
	if (!who)
		return because(AUTHZ_R_LOGIN);
	if (rq->perm != AUTHZ_PERM_LOGIN)
		return because(who->roles & rq->perm ? AUTHZ_R_ROLE_OK : AUTHZ_R_ROLE);
	if (rq->self)
		return because(AUTHZ_R_SELF_ROUTE);
	/* three-way separation: the audit administrator reaches only the
	 * routes naming the role, and their own session */
	if (who->roles & ROLE(AUDIT_ADMIN))
		return because(AUTHZ_R_AUDIT_ONLY);
	return because(AUTHZ_R_ROLE_OK);
}

static struct authz_decision see(const struct principal *who, const struct authz_object *o)
{
	if (!o || !o->exists)
		return because(AUTHZ_R_MISSING);
	if (!who)
		return because(AUTHZ_R_SYSTEM);
	if (authz_scope_holds(&who->scope, o->org_path, 0))
		return because(AUTHZ_R_IN_SCOPE);
	if (o->reporter_id && o->reporter_id == who->user_id)
		return because(AUTHZ_R_REPORTER);
	return because(AUTHZ_R_OUT_OF_SCOPE);
}

/* A transition only a handler may take (none of the caller's other roles
 * would do): a department acts only on work assigned to it. */
static bool other_department(const struct principal *who, unsigned perm, unsigned roles,
			     const char *assignee)
{
	bool handler_only = (perm & ROLE(HANDLER)) && !(perm & roles & ~ROLE(HANDLER));
	return handler_only && (roles & ROLE(HANDLER)) &&
	       strcmp(assignee ? assignee : "", who->org_code ? who->org_code : "");
}

static struct authz_decision transition(const struct principal *who, const struct authz_request *rq)
{
	const struct authz_object *o = rq->obj;
	struct authz_decision d = see(who, o);
	if (d.verdict != AUTHZ_ALLOW)
		return d;
	unsigned roles = who ? who->roles : WF_SYSTEM;
	if (who && o->reporter_id && o->reporter_id == who->user_id)
		roles |= WF_REPORTER;
	if (who && other_department(who, rq->perm, roles, o->assignee))
		d = because(AUTHZ_R_DEPARTMENT);
	else if (!(rq->perm & roles))
		d = because(AUTHZ_R_ROLE);
	else
		d = because(who ? AUTHZ_R_ROLE_OK : AUTHZ_R_SYSTEM);
	d.roles = roles;
	return d;
}

/* The accounts the security administrator may not touch: the operator's,
 * managed with `pingan user` at the server. */
#define OPERATOR_ROLES (ROLE(ADMIN) | ROLE(AUDIT_ADMIN))

static struct authz_decision administer(const struct principal *who, const struct authz_object *o)
{
	if (!who)
		return o && o->exists ? because(AUTHZ_R_SYSTEM) : because(AUTHZ_R_MISSING);
	if (!(who->roles & ROLE(SECURITY_ADMIN)))
		return because(AUTHZ_R_ROLE);
	if (o && o->user_id && o->user_id == who->user_id)
		return because(AUTHZ_R_SELF);
	struct authz_object acct = o ? *o : (struct authz_object){ 0 };
	acct.reporter_id = 0; /* an account is seen by scope only */
	struct authz_decision d = see(who, &acct);
	if (d.verdict != AUTHZ_ALLOW)
		return d;
	if (acct.roles & OPERATOR_ROLES)
		return because(AUTHZ_R_OPERATOR);
	return d;
}

/* Roles are granted by the security administrator, never the operator's
 * (nor the separation broken: role_check_separation checks the mask). */
static struct authz_decision grant(const struct principal *who, unsigned roles)
{
	if (!who)
		return because(AUTHZ_R_SYSTEM);
	if (!(who->roles & ROLE(SECURITY_ADMIN)))
		return because(AUTHZ_R_ROLE);
	if (roles & OPERATOR_ROLES)
		return because(AUTHZ_R_OPERATOR);
	return because(AUTHZ_R_ROLE_OK);
}

static struct authz_decision decide(const struct principal *who, const struct authz_request *rq)
{
	const struct authz_object *o = rq->obj;
	struct authz_decision d = see(who, o);
	if (d.verdict != AUTHZ_ALLOW || !who)
		return d;
	if (rq->perm && !(who->roles & rq->perm))
		return because(AUTHZ_R_ROLE);
	if (o->creator_id && o->creator_id == who->user_id)
		return because(AUTHZ_R_OWN_ENTRY);
	return d;
}

static struct authz_decision reveal(const struct principal *who, const struct authz_request *rq)
{
	if (!who)
		return rq->obj ? see(who, rq->obj) : because(AUTHZ_R_SYSTEM);
	/* never the audit administrator, whatever the setting says */
	if (!(who->roles & rq->perm & ~ROLE(AUDIT_ADMIN)))
		return because(AUTHZ_R_ROLE);
	return rq->obj ? see(who, rq->obj) : because(AUTHZ_R_ROLE_OK);
}

/* The public and Open311 routes show the public what the public filed. */
static struct authz_decision public_case(const struct authz_object *o)
{
	if (!o || !o->exists)
		return because(AUTHZ_R_MISSING);
	size_t n = o->source ? strlen(o->source) : 0;
	for (const char *s = AUTHZ_PUBLIC_SOURCES; n && *s;) {
		size_t k = strcspn(s, ",");
		if (k == n && !strncmp(s, o->source, n))
			return because(AUTHZ_R_PUBLIC);
		s += k + (s[k] == ',');
	}
	return because(AUTHZ_R_STAFF_REPORT);
}

struct authz_decision authz_decide(const struct principal *who, const struct authz_request *rq)
{
	switch (rq->action) {
	case AUTHZ_ROUTE: return route(who, rq);
	case AUTHZ_READ: return see(who, rq->obj);
	case AUTHZ_TRANSITION: return transition(who, rq);
	case AUTHZ_ADMINISTER: return administer(who, rq->obj);
	case AUTHZ_GRANT: return grant(who, rq->perm);
	case AUTHZ_DECIDE: return decide(who, rq);
	case AUTHZ_REVEAL: return reveal(who, rq);
	case AUTHZ_PUBLIC: return public_case(rq->obj);
	case AUTHZ__COUNT: break;
	}
	return because(AUTHZ_R_ROLE); /* an unknown action is refused */
}

bool authz_allowed(const struct principal *who, const struct authz_request *rq)
{
	return authz_decide(who, rq).verdict == AUTHZ_ALLOW;
}
