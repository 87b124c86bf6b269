/*
 * test_authz.c - the one authorization decision (src/domain/authz.c),
 * exhaustively.
 *
 * The principals are those of tests/api/authz_matrix.test.mjs: the three
 * administrators, centre, leader, handler (330108D01), inspector (330108D02)
 * and assessor at the district; mediator (330108001D01), centre, security
 * administrator and leader of street 1; the grid worker of grid G1. The
 * positions of an object: reported by the caller in street 2 (own), in grid
 * G1 (same org as the grid worker), in another grid of street 1, in street 2,
 * nonexistent. Every role × position × action is checked against the written
 * policy below, which is spelled out independently of authz.c (scope by
 * path prefix, the workflow table's roles); then every route of routes.c ×
 * every role, the three-administrator separation, the scope's SQL range
 * against its test in C, and a real store: for each scope and event, the
 * event, its timeline, its attachments and the duplicate candidates are
 * found exactly when the decision allows reading it.
 */
#include "tap.h"

#include "api/api.h"
#include "core/arena.h"
#include "core/str.h"
#include "domain/authz.h"
#include "domain/workflow.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void suite_authz(void);

#define DISTRICT "/330108/"
#define STREET1  "/330108/330108001/"
#define STREET2  "/330108/330108002/"
#define GRID1    STREET1 "330108001001/330108001001001/"
#define GRID2    STREET1 "330108001002/330108001002003/"
#define GRID_S2  STREET2 "330108002001/330108002001001/"

enum scope_kind { SC_DISTRICT, SC_STREET, SC_GRID };

static const struct who {
	const char *name;
	unsigned roles;
	const char *org;
	enum scope_kind sc;
} people[] = {
	{ "admin", ROLE(ADMIN), "330108", SC_DISTRICT },
	{ "security", ROLE(SECURITY_ADMIN), "330108", SC_DISTRICT },
	{ "auditor", ROLE(AUDIT_ADMIN), "330108", SC_DISTRICT },
	{ "centre", ROLE(CENTRE), "330108", SC_DISTRICT },
	{ "leader", ROLE(LEADER), "330108", SC_DISTRICT },
	{ "handler", ROLE(HANDLER), "330108D01", SC_DISTRICT },
	{ "inspector", ROLE(INSPECTOR) | ROLE(HANDLER), "330108D02", SC_DISTRICT },
	{ "assessor", ROLE(ASSESSOR), "330108", SC_DISTRICT },
	{ "mediator", ROLE(MEDIATOR) | ROLE(HANDLER), "330108001D01", SC_STREET },
	{ "street.centre", ROLE(CENTRE), "330108001", SC_STREET },
	{ "street.security", ROLE(SECURITY_ADMIN), "330108001", SC_STREET },
	{ "street.leader", ROLE(LEADER), "330108001", SC_STREET },
	{ "gridworker", ROLE(GRID_WORKER), "330108001001001", SC_GRID },
};
#define NPEOPLE (int)(sizeof(people) / sizeof(people[0]))

static const char *const scope_roots[] = { DISTRICT, STREET1, GRID1 };

static struct principal principal_of(int i)
{
	return (struct principal){
		.user_id = 100 + i,
		.username = people[i].name,
		.org_code = people[i].org,
		.roles = people[i].roles,
		.scope = { .all = false,
			   .root_path = scope_roots[people[i].sc],
			   .self_id = 100 + i },
	};
}

enum pos { P_OWN, P_GRID1, P_GRID2, P_STREET2, P_NONE, P__COUNT };
static const char *const pos_names[] = { "own", "same org", "other grid", "other street",
					 "nonexistent" };

/* The object at a position; reporter: the caller for "own", else user 1. */
static struct authz_object object_at(enum pos p, long long caller)
{
	static const char *const paths[] = { GRID_S2, GRID1, GRID2, GRID_S2, GRID1 };
	return (struct authz_object){ .exists = p != P_NONE,
				      .org_path = paths[p],
				      .reporter_id = p == P_OWN ? caller : 1 };
}

/* --- the written policy --- */

/* inside the scope: the subtree of its root, by path */
static bool policy_in_scope(int i, enum pos p)
{
	if (p == P_NONE)
		return false;
	switch (people[i].sc) {
	case SC_DISTRICT: return true;
	case SC_STREET: return p == P_GRID1 || p == P_GRID2;
	case SC_GRID: return p == P_GRID1;
	}
	return false;
}

static bool policy_sees(int i, enum pos p)
{
	return policy_in_scope(i, p) || p == P_OWN; /* the reporter sees their report */
}

static int mismatches;

/* Checks one decision; counts and describes a mismatch. */
static void expect(const struct principal *who, const struct authz_request *rq,
		   enum authz_reason want, const char *what)
{
	struct authz_decision d = authz_decide(who, rq);
	bool consistent = d.verdict == authz_reason_verdict(d.reason);
	if (d.reason == want && consistent)
		return;
	if (mismatches++ < 8)
		tap_diag("  %s %s: got %s, want %s%s", who ? who->username : "(server)", what,
			 authz_reason_name(d.reason), authz_reason_name(want),
			 consistent ? "" : " (verdict does not match the reason)");
}

static void test_reasons(void)
{
	int bad = 0;
	for (int r = 0; r < AUTHZ_R__COUNT; r++)
		if (!*authz_reason_name((enum authz_reason)r) ||
		    !*authz_reason_text((enum authz_reason)r))
			bad++;
	is_int(bad, 0, "every reason has a name and a text");
	is_int(authz_reason_verdict(AUTHZ_R_OUT_OF_SCOPE), AUTHZ_HIDDEN, "out of scope hides");
	is_int(authz_reason_verdict(AUTHZ_R_MISSING), AUTHZ_HIDDEN, "missing hides");
	is_int(authz_reason_verdict(AUTHZ_R_DEPARTMENT), AUTHZ_FORBID,
	       "another department forbids");
	is_int(authz_reason_verdict(AUTHZ_R_REPORTER), AUTHZ_ALLOW, "the reporter is allowed");
	struct authz_request odd = { .action = AUTHZ__COUNT };
	is_int(authz_decide(NULL, &odd).verdict, AUTHZ_FORBID, "an unknown action is refused");
}

static void test_read(void)
{
	for (int i = 0; i < NPEOPLE; i++) {
		struct principal who = principal_of(i);
		mismatches = 0;
		for (int p = 0; p < P__COUNT; p++) {
			struct authz_object o = object_at((enum pos)p, who.user_id);
			struct authz_request rq = { .action = AUTHZ_READ, .obj = &o };
			enum authz_reason want = p == P_NONE ? AUTHZ_R_MISSING
						 : policy_in_scope(i, (enum pos)p)
							 ? AUTHZ_R_IN_SCOPE
						 : p == P_OWN ? AUTHZ_R_REPORTER
							      : AUTHZ_R_OUT_OF_SCOPE;
			expect(&who, &rq, want, pos_names[p]);
		}
		is_int(mismatches, 0, "read: %s at every position", people[i].name);
	}
	/* a hidden object and a missing one give the same verdict */
	struct principal gw = principal_of(NPEOPLE - 1);
	struct authz_object s2 = object_at(P_STREET2, gw.user_id), none = object_at(P_NONE, 0);
	is_int(authz_decide(&gw, &(struct authz_request){ .action = AUTHZ_READ, .obj = &s2 })
		       .verdict,
	       authz_decide(&gw, &(struct authz_request){ .action = AUTHZ_READ, .obj = &none })
		       .verdict,
	       "outside the scope answers like missing");
	struct authz_request srv = { .action = AUTHZ_READ, .obj = &s2 };
	is_int(authz_decide(NULL, &srv).reason, AUTHZ_R_SYSTEM, "the server reads everything");
	/* a path that merely starts like the scope's root is outside it */
	struct authz_object lookalike = { .exists = true, .org_path = "/330108/3301080011/" };
	struct principal st = principal_of(9);
	is_int(authz_decide(&st, &(struct authz_request){ .action = AUTHZ_READ, .obj = &lookalike })
		       .reason,
	       AUTHZ_R_OUT_OF_SCOPE, "a sibling whose code extends the root's is outside");
}

/* The department a case at a position is assigned to, for a caller. */
enum asg { A_MINE, A_OTHER, A_NOBODY, A__COUNT };
static const char *const asg_names[] = { "assigned to them", "another department's", "unassigned" };

static void test_transition(void)
{
	for (int i = 0; i < NPEOPLE; i++) {
		struct principal who = principal_of(i);
		mismatches = 0;
		for (int k = 0; k < wf_event.ntrans; k++) {
			const struct wf_transition *t = &wf_event.trans[k];
			for (int p = 0; p < P__COUNT; p++) {
				for (int a = 0; a < A__COUNT; a++) {
					struct authz_object o = object_at((enum pos)p, who.user_id);
					o.assignee = a == A_MINE    ? who.org_code
						     : a == A_OTHER ? "330108D05"
								    : "";
					struct authz_request rq = { .action = AUTHZ_TRANSITION,
								    .perm = t->roles,
								    .obj = &o };
					unsigned roles = who.roles | (p == P_OWN ? WF_REPORTER : 0);
					bool handler_only = (t->roles & ROLE(HANDLER)) &&
							    !(t->roles & roles & ~ROLE(HANDLER));
					enum authz_reason want;
					if (!policy_sees(i, (enum pos)p))
						want = p == P_NONE ? AUTHZ_R_MISSING
								   : AUTHZ_R_OUT_OF_SCOPE;
					else if (handler_only && (roles & ROLE(HANDLER)) &&
						 a != A_MINE)
						want = AUTHZ_R_DEPARTMENT;
					else if (!(t->roles & roles))
						want = AUTHZ_R_ROLE;
					else
						want = AUTHZ_R_ROLE_OK;
					char what[96];
					snprintf(what, sizeof(what), "%s %s, %s", t->action,
						 pos_names[p], asg_names[a]);
					expect(&who, &rq, want, what);
					if (policy_sees(i, (enum pos)p) &&
					    authz_decide(&who, &rq).roles != roles) {
						mismatches++;
						tap_diag("  %s %s: acting roles", who.username,
							 what);
					}
				}
			}
		}
		is_int(mismatches, 0, "transition: %s × every action × position × assignee",
		       people[i].name);
	}
	/* spot checks of the rules by name */
	struct principal handler = principal_of(5), centre = principal_of(3),
			 gw = principal_of(NPEOPLE - 1);
	struct authz_object mine = { .exists = true, .org_path = GRID1, .assignee = "330108D01" };
	struct authz_object theirs = mine;
	theirs.assignee = "330108D05";
	const struct wf_transition *accept = wf_find(&wf_event, "accept"),
				   *rate = wf_find(&wf_event, "rate"),
				   *escalate = wf_find(&wf_event, "escalate");
	struct authz_request rq = { .action = AUTHZ_TRANSITION,
				    .perm = accept->roles,
				    .obj = &mine };
	ok(authz_allowed(&handler, &rq), "a department accepts work dispatched to it");
	rq.obj = &theirs;
	is_int(authz_decide(&handler, &rq).reason, AUTHZ_R_DEPARTMENT,
	       "but not another department's");
	is_int(authz_decide(&centre, &rq).reason, AUTHZ_R_ROLE, "the centre does not accept");
	struct authz_object reported = { .exists = true,
					 .org_path = GRID_S2,
					 .reporter_id = gw.user_id };
	rq = (struct authz_request){ .action = AUTHZ_TRANSITION,
				     .perm = rate->roles,
				     .obj = &reported };
	ok(authz_allowed(&gw, &rq), "the reporter rates their own report outside their scope");
	ok(authz_decide(&gw, &rq).roles & WF_REPORTER, "acting as the reporter");
	reported.reporter_id = 1;
	is_int(authz_decide(&centre, &rq).reason, AUTHZ_R_ROLE, "nobody else rates it");
	rq.perm = escalate->roles;
	struct authz_decision sys = authz_decide(NULL, &rq);
	ok(sys.verdict == AUTHZ_ALLOW && sys.roles == WF_SYSTEM, "the scheduler escalates");
}

/* The accounts administered: the caller's own, one in grid G1, one elsewhere
 * in street 1, one in street 2, the system and audit administrators', none. */
enum acct { U_SELF, U_GRID1, U_STREET1, U_STREET2, U_ADMIN, U_AUDITOR, U_NONE, U__COUNT };
static const char *const acct_names[] = { "own account",  "grid 1",  "street 1",   "street 2",
					  "system admin", "auditor", "nonexistent" };

static struct authz_object account(enum acct u, const struct principal *who)
{
	static const char *const paths[] = { NULL,     GRID1,    GRID2,   GRID_S2,
					     DISTRICT, DISTRICT, DISTRICT };
	static const unsigned roles[] = {
		0, ROLE(GRID_WORKER), ROLE(LEADER), ROLE(CENTRE), ROLE(ADMIN), ROLE(AUDIT_ADMIN), 0
	};
	struct authz_object o = { .exists = u != U_NONE,
				  .org_path = u == U_SELF ? who->scope.root_path : paths[u],
				  .user_id = u == U_SELF ? who->user_id : 900 + u,
				  .roles = u == U_SELF ? who->roles : roles[u],
				  .reporter_id = who->user_id /* never counts for accounts */ };
	return o;
}

static void test_administer(void)
{
	for (int i = 0; i < NPEOPLE; i++) {
		struct principal who = principal_of(i);
		mismatches = 0;
		for (int u = 0; u < U__COUNT; u++) {
			struct authz_object o = account((enum acct)u, &who);
			struct authz_request rq = { .action = AUTHZ_ADMINISTER, .obj = &o };
			bool visible = u == U_SELF || u == U_ADMIN || u == U_AUDITOR
					       ? people[i].sc == SC_DISTRICT || u == U_SELF
				       : u == U_GRID1   ? policy_in_scope(i, P_GRID1)
				       : u == U_STREET1 ? policy_in_scope(i, P_GRID2)
				       : u == U_STREET2 ? policy_in_scope(i, P_STREET2)
							: false;
			enum authz_reason want;
			if (!(people[i].roles & ROLE(SECURITY_ADMIN)))
				want = AUTHZ_R_ROLE;
			else if (u == U_SELF)
				want = AUTHZ_R_SELF;
			else if (u == U_NONE)
				want = AUTHZ_R_MISSING;
			else if (!visible)
				want = AUTHZ_R_OUT_OF_SCOPE;
			else if (u == U_ADMIN || u == U_AUDITOR)
				want = AUTHZ_R_OPERATOR;
			else
				want = AUTHZ_R_IN_SCOPE;
			expect(&who, &rq, want, acct_names[u]);
		}
		is_int(mismatches, 0, "administer: %s × every account", people[i].name);
	}
	/* nobody administers themselves, even as a nonexistent look-up */
	struct principal sec = principal_of(1);
	struct authz_object ghost = { .exists = false, .user_id = sec.user_id };
	is_int(authz_decide(&sec,
			    &(struct authz_request){ .action = AUTHZ_ADMINISTER, .obj = &ghost })
		       .reason,
	       AUTHZ_R_SELF, "one's own id is refused before the look-up");
}

static void test_grant(void)
{
	for (int i = 0; i < NPEOPLE; i++) {
		struct principal who = principal_of(i);
		mismatches = 0;
		for (int b = 0; b < ROLE__COUNT; b++) {
			struct authz_request rq = { .action = AUTHZ_GRANT, .perm = 1u << b };
			enum authz_reason want =
				!(people[i].roles & ROLE(SECURITY_ADMIN))       ? AUTHZ_R_ROLE
				: (1u << b) & (ROLE(ADMIN) | ROLE(AUDIT_ADMIN)) ? AUTHZ_R_OPERATOR
										: AUTHZ_R_ROLE_OK;
			expect(&who, &rq, want, role_name(b));
		}
		is_int(mismatches, 0, "grant: %s × every role", people[i].name);
	}
}

static void test_decide(void)
{
	for (int i = 0; i < NPEOPLE; i++) {
		struct principal who = principal_of(i);
		mismatches = 0;
		for (int p = 0; p < P__COUNT; p++) {
			for (int mine = 0; mine < 2; mine++) {
				struct authz_object o = object_at((enum pos)p, 0);
				o.reporter_id = 0;
				o.creator_id = mine ? who.user_id : 7;
				struct authz_request rq = { .action = AUTHZ_DECIDE, .obj = &o };
				enum authz_reason want = p == P_NONE ? AUTHZ_R_MISSING
							 : !policy_in_scope(i, (enum pos)p)
								 ? AUTHZ_R_OUT_OF_SCOPE
							 : mine ? AUTHZ_R_OWN_ENTRY
								: AUTHZ_R_IN_SCOPE;
				expect(&who, &rq, want, pos_names[p]);
			}
		}
		is_int(mismatches, 0, "decide: %s × position × own entry or another's",
		       people[i].name);
	}
}

static void test_reveal(void)
{
	unsigned all = 0;
	for (int b = 0; b < ROLE__COUNT; b++)
		all |= 1u << b;
	const unsigned settings[] = { ROLE(CENTRE), ROLE(CENTRE) | ROLE(LEADER), all, 0 };
	for (int i = 0; i < NPEOPLE; i++) {
		struct principal who = principal_of(i);
		mismatches = 0;
		for (size_t s = 0; s < sizeof(settings) / sizeof(settings[0]); s++) {
			struct authz_request rq = { .action = AUTHZ_REVEAL, .perm = settings[s] };
			bool may = (people[i].roles & settings[s]) &&
				   !(people[i].roles & ROLE(AUDIT_ADMIN));
			expect(&who, &rq, may ? AUTHZ_R_ROLE_OK : AUTHZ_R_ROLE, "reveal");
			for (int p = 0; p < P__COUNT; p++) {
				struct authz_object o = object_at((enum pos)p, who.user_id);
				rq.obj = &o;
				enum authz_reason want = !may          ? AUTHZ_R_ROLE
							 : p == P_NONE ? AUTHZ_R_MISSING
							 : policy_in_scope(i, (enum pos)p)
								 ? AUTHZ_R_IN_SCOPE
							 : p == P_OWN ? AUTHZ_R_REPORTER
								      : AUTHZ_R_OUT_OF_SCOPE;
				expect(&who, &rq, want, pos_names[p]);
				rq.obj = NULL;
			}
		}
		is_int(mismatches, 0, "reveal: %s × setting × position", people[i].name);
	}
}

/* The public and Open311 routes: what the public filed, nothing else. */
static void test_public(void)
{
	static const struct {
		const char *source;
		bool shown;
	} cases[] = {
		{ "citizen", true },     { "open311", true },
		{ "centre", false },     { "grid_worker", false },
		{ "department", false }, { "staff", false },
		{ "", false },           { "citizen,", false },
		{ "open", false },       { "open3110", false },
		{ NULL, false },
	};
	mismatches = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct authz_object o = { .exists = true, .source = cases[i].source };
		struct authz_request rq = { .action = AUTHZ_PUBLIC, .obj = &o };
		expect(NULL, &rq, cases[i].shown ? AUTHZ_R_PUBLIC : AUTHZ_R_STAFF_REPORT,
		       cases[i].source ? cases[i].source : "(null)");
	}
	struct authz_object none = { .exists = false, .source = "citizen" };
	expect(NULL, &(struct authz_request){ .action = AUTHZ_PUBLIC, .obj = &none },
	       AUTHZ_R_MISSING, "missing");
	is_int(mismatches, 0,
	       "the public sees citizen and Open311 reports only, and not a staff "
	       "report (hidden like a missing one)");
}

/* Every route of routes.c × every role and no session. */
static void test_routes(void)
{
	mismatches = 0;
	for (int k = 0; k < api_routes_count; k++) {
		const struct route *rt = &api_routes[k];
		struct authz_request rq = { .action = AUTHZ_ROUTE,
					    .perm = rt->perm,
					    .self = (rt->flags & ROUTE_SELF) != 0 };
		char what[128];
		snprintf(what, sizeof(what), "%s %s", rt->method, rt->pattern);
		struct authz_decision anon = authz_decide(NULL, &rq);
		if ((anon.verdict == AUTHZ_ALLOW) != (rt->perm == PERM_PUBLIC)) {
			mismatches++;
			tap_diag("  no session %s", what);
		}
		for (int i = 0; i < NPEOPLE; i++) {
			struct principal who = principal_of(i);
			enum authz_reason want;
			if (rt->perm == PERM_PUBLIC)
				want = AUTHZ_R_PUBLIC;
			else if (rt->perm != PERM_LOGIN)
				want = people[i].roles & rt->perm ? AUTHZ_R_ROLE_OK : AUTHZ_R_ROLE;
			else if (rt->flags & ROUTE_SELF)
				want = AUTHZ_R_SELF_ROUTE;
			else if (people[i].roles & ROLE(AUDIT_ADMIN))
				want = AUTHZ_R_AUDIT_ONLY;
			else
				want = AUTHZ_R_ROLE_OK;
			expect(&who, &rq, want, what);
		}
	}
	is_int(mismatches, 0, "every route × every role and no session (%d routes)",
	       api_routes_count);
}

/* Three-way separation (三权分立), over the real route table. */
static void test_separation(void)
{
	struct principal admin = principal_of(0), security = principal_of(1),
			 auditor = principal_of(2);
	int audit_open = 0, auditor_other = 0, admin_accounts = 0, security_system = 0,
	    others_audit = 0;
	for (int k = 0; k < api_routes_count; k++) {
		const struct route *rt = &api_routes[k];
		struct authz_request rq = { .action = AUTHZ_ROUTE,
					    .perm = rt->perm,
					    .self = (rt->flags & ROUTE_SELF) != 0 };
		bool audit = !strncmp(rt->pattern, "/api/v1/audit", 13);
		bool accounts =
			!strncmp(rt->pattern, "/api/v1/users/", 14) ||
			(!strcmp(rt->pattern, "/api/v1/users") && !strcmp(rt->method, "POST"));
		bool a = authz_allowed(&auditor, &rq);
		if (audit)
			audit_open += a;
		else if (a && rt->perm != PERM_PUBLIC && !(rt->flags & ROUTE_SELF) &&
			 !(rt->perm & ROLE(AUDIT_ADMIN)))
			auditor_other++;
		if (accounts && authz_allowed(&admin, &rq))
			admin_accounts++;
		/* the system's own settings: clock, scheduler, calendar, categories, webhooks */
		bool system = rt->perm == ROLE(ADMIN);
		if (system && authz_allowed(&security, &rq))
			security_system++;
		for (int i = 0; i < NPEOPLE; i++) {
			struct principal who = principal_of(i);
			if (audit && i != 2 && authz_allowed(&who, &rq))
				others_audit++;
		}
	}
	ok(audit_open >= 4, "the audit administrator reads the audit routes (%d)", audit_open);
	is_int(auditor_other, 0,
	       "the audit administrator reaches nothing else but their own session");
	is_int(admin_accounts, 0, "the system administrator manages no account");
	is_int(security_system, 0, "the security administrator runs nothing of the system");
	is_int(others_audit, 0, "nobody but the audit administrator reads the audit log");
	/* and none of the three grants the others' roles through the API */
	struct authz_request give_admin = { .action = AUTHZ_GRANT, .perm = ROLE(ADMIN) },
			     give_auditor = { .action = AUTHZ_GRANT, .perm = ROLE(AUDIT_ADMIN) },
			     give_security = { .action = AUTHZ_GRANT,
					       .perm = ROLE(SECURITY_ADMIN) };
	ok(!authz_allowed(&security, &give_admin) && !authz_allowed(&security, &give_auditor),
	   "the security administrator grants neither operator role");
	ok(!authz_allowed(&admin, &give_security) && !authz_allowed(&auditor, &give_security),
	   "only the security administrator grants roles");
}

/* The store binds authz_scope_range into SQL as "lo <= path < hi"; that
 * test and authz_scope_holds must agree on every path. */
static void test_scope_range(void)
{
	struct arena *a = arena_new();
	const char *lo, *hi;
	struct scope street = { .root_path = STREET1, .self_id = 42 };
	ok(authz_scope_range(a, &street, &lo, &hi), "a street's scope is limited");
	is_str(lo, STREET1, "from its root");
	is_str(hi, "/330108/3301080010", "to the root with its last '/' raised to '0'");
	ok(!authz_scope_range(a, NULL, &lo, &hi) && !lo && !hi, "no scope: no limit");
	struct scope all = { .all = true };
	ok(!authz_scope_range(a, &all, &lo, &hi) && !lo && !hi, "the whole system: no limit");
	struct scope broken = { .all = false, .root_path = NULL, .self_id = 5 };
	ok(authz_scope_range(a, &broken, &lo, &hi) && !strcmp(lo, "") && !strcmp(hi, ""),
	   "a limited scope without a root holds nothing (an empty range)");
	ok(!authz_scope_holds(&broken, GRID1, 0), "and its test in C agrees");
	is_int(authz_scope_self(&street), 42, "the scope's own reports are its user's");
	is_int(authz_scope_self(&all), 0, "an unlimited scope needs no own reports");
	is_int(authz_scope_self(NULL), 0, "nor does none");

	/* the principal's scope from the org it is bound to */
	static const struct {
		const char *path;
		enum org_kind kind;
		const char *root;
	} binds[] = {
		{ DISTRICT, ORG_DISTRICT, DISTRICT },
		{ STREET1, ORG_STREET, STREET1 },
		{ GRID1, ORG_GRID, GRID1 },
		{ "/330108/330108D01/", ORG_DEPARTMENT, DISTRICT },
		{ STREET1 "330108001D01/", ORG_DEPARTMENT, STREET1 },
	};
	int wrong = 0;
	for (size_t b = 0; b < sizeof(binds) / sizeof(binds[0]); b++) {
		struct scope sc;
		authz_scope_of(a, binds[b].path, binds[b].kind, 77, &sc);
		if (sc.all || strcmp(sc.root_path, binds[b].root) || sc.self_id != 77) {
			wrong++;
			tap_diag("  bound to %s: %s", binds[b].path, sc.root_path);
		}
	}
	is_int(wrong, 0, "a user's scope is their org's subtree, a department's its parent's");

	static const char *const paths[] = {
		DISTRICT,
		STREET1,
		STREET2,
		GRID1,
		GRID2,
		GRID_S2,
		"/330108/3301080011/",
		"/330108/330108001",
		"/330108/330108001/x/",
		"/330108/3301080/",
		"/330109/",
		"/330108/330108D01/",
		STREET1 "330108001D01/",
		"/",
	};
	int disagree = 0;
	for (size_t r = 0; r < sizeof(scope_roots) / sizeof(scope_roots[0]); r++) {
		struct scope sc = { .root_path = scope_roots[r], .self_id = 9 };
		authz_scope_range(a, &sc, &lo, &hi);
		for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
			bool sql = strcmp(paths[p], lo) >= 0 && strcmp(paths[p], hi) < 0;
			if (sql != authz_scope_holds(&sc, paths[p], 0)) {
				disagree++;
				tap_diag("  root %s path %s", scope_roots[r], paths[p]);
			}
			if (!authz_scope_holds(&sc, paths[p], 9))
				disagree++; /* one's own report is always held */
		}
	}
	is_int(disagree, 0, "the SQL range and the C test agree on every root and path");
	arena_free(a);
}

/* --- the store applies the same scope (a real database) --- */

static int put_org(struct store *st, const char *code, enum org_kind kind, const char *parent)
{
	struct org o;
	memset(&o, 0, sizeof(o));
	str_copy(o.code, sizeof(o.code), code);
	str_copy(o.parent, sizeof(o.parent), parent);
	o.kind = kind;
	o.name = code;
	o.name_en = "";
	return store_org_put(st, &o);
}

static int put_categories(struct store *st)
{
	struct category c;
	memset(&c, 0, sizeof(c));
	c.enabled = true;
	str_copy(c.code, sizeof(c.code), "01");
	c.name = "class";
	c.name_en = "";
	int err = store_category_put(st, &c);
	str_copy(c.code, sizeof(c.code), "0101");
	str_copy(c.parent, sizeof(c.parent), "01");
	return err || store_category_put(st, &c);
}

static const char *put_title = "t"; /* the title put_event gives */

static int put_event(struct store *st, const char *grid, const char *path, long long reporter,
		     struct event *e)
{
	static int seq;
	char receipt[16];
	snprintf(receipt, sizeof(receipt), "PAZ%05d", ++seq);
	memset(e, 0, sizeof(*e));
	e->receipt = receipt;
	e->category = "0101";
	e->urgency = 1;
	e->title = put_title;
	e->description = e->address = "";
	e->has_point = true;
	e->lon = 120.2;
	e->lat = 30.2;
	e->grid_code = grid;
	e->org_path = path;
	e->source = "centre";
	e->reporter_id = reporter;
	e->assignee = "";
	e->state = EV_REPORTED;
	e->created_at = e->updated_at = e->stage_started_at = 1700000000;
	struct event_action act = { .at = e->created_at,
				    .actor = "test",
				    .action = "report",
				    .from = "",
				    .to = "reported",
				    .note = "",
				    .data = "{}" };
	int err = store_event_insert(st, e, &act);
	e->receipt = "";
	return err;
}

/* A probe that knows event `id` at `version` only, and counts its calls. */
struct probe_ctx {
	long long id;
	int version, calls;
};

static const char *probe_known(void *ctx, struct arena *a, long long id, int version, size_t *len)
{
	struct probe_ctx *p = ctx;
	p->calls++;
	if (id != p->id || version != p->version)
		return NULL;
	*len = 4;
	return arena_strdup(a, "\"k\"");
}

/* Lists and nearby reads through a probe: the row it knows comes as its
 * rendering with id and version, the others in full; a changed version is
 * read in full again. */
static void probe_reads(struct store *st, struct arena *a, struct event *ev)
{
	struct scope all = { .all = true };
	struct probe_ctx pc = { .id = ev[0].id, .version = 1 };
	struct event_probe probe = { .get = probe_known, .ctx = &pc };
	struct event_filter f = { .limit = 10, .probe = &probe };
	struct event *v;
	size_t n;
	long long total;
	int err = store_event_list(st, a, &all, &f, &v, &n, &total);
	is_int(err, 0, "probe: the list reads");
	int known = -1, full = -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].id == ev[0].id)
			known = (int)i;
		if (v[i].id == ev[1].id)
			full = (int)i;
	}
	ok(n == 2 && known >= 0 && full >= 0 && pc.calls == 2,
	   "probe: both events listed, the probe asked once each (%zu, %d calls)", n, pc.calls);
	if (known >= 0 && full >= 0) {
		ok(v[known].cached && v[known].cached_len == 4 &&
			   !strcmp(v[known].cached, "\"k\"") && v[known].version == 1 &&
			   !v[known].title,
		   "probe: the known event comes as its rendering, id and version only");
		ok(!v[full].cached && v[full].title && !strcmp(v[full].title, "t") &&
			   v[full].org_path && *v[full].org_path,
		   "probe: the other is read in full");
	}
	pc.version = 2; /* the caller holds another version: read again */
	err = store_event_list(st, a, &all, &f, &v, &n, &total);
	ok(!err && n == 2 && !v[0].cached && !v[1].cached && v[0].title && v[1].title,
	   "probe: a version the caller does not hold is read in full");
	pc.version = 1;
	struct event *near;
	size_t nnear;
	err = store_event_nearby(st, a, &all, "0101", 120.1, 30.1, 120.3, 30.3, 0, &probe, &near,
				 &nnear);
	bool point = nnear == 2;
	int cached = 0;
	for (size_t i = 0; i < nnear; i++) {
		point &= near[i].has_point && near[i].lon == 120.2 && near[i].lat == 30.2 &&
			 near[i].created_at == 1700000000;
		cached += near[i].cached != NULL;
	}
	ok(!err && point && cached == 1,
	   "probe: nearby keeps each candidate's point and time, the known one as its rendering");
}

/* The search index takes new events in runs (src/store/sqlite.c): a search
 * finds the events in it and those past it alike. */
static void search_reads(struct store *st, struct arena *a, const char *path)
{
	struct event e[3], other;
	int err = 0;
	const char *grid = "330108001001001",
		   *gpath = "/330108/330108001/330108001001/330108001001001/";
	/* one report that says it, a run of 256 that do not (the index takes
	 * them and it), then another that says it, past the index */
	put_title = "路灯损坏报修";
	err = put_event(st, grid, gpath, 0, &e[0]);
	put_title = "other";
	for (int i = 0; i < 256 && !err; i++)
		err = put_event(st, grid, gpath, 0, &other);
	put_title = "路灯损坏报修";
	err = err || put_event(st, grid, gpath, 0, &e[1]);
	put_title = "other";
	err = err || put_event(st, grid, gpath, 0, &e[2]);
	put_title = "t";
	is_int(err, 0, "search: 259 more reports, one write each");
	sqlite3 *db = NULL;
	long long indexed = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(db,
				       "SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
				       "'fts_max_id'",
				       -1, &q, NULL) == SQLITE_OK) {
			if (sqlite3_step(q) == SQLITE_ROW)
				indexed = sqlite3_column_int64(q, 0);
			sqlite3_finalize(q);
		}
	}
	sqlite3_close(db);
	ok(indexed >= e[0].id && indexed < e[1].id,
	   "search: the index holds the first and not the newest (it ends at %lld)", indexed);
	struct scope all = { .all = true };
	const char *queries[] = { "路灯损坏", "灯损" };
	for (int k = 0; k < 2; k++) {
		struct event_filter f = { .limit = 10, .q = queries[k] };
		struct event *v;
		size_t n;
		long long total;
		err = store_event_list(st, a, &all, &f, &v, &n, &total);
		ok(!err && n == 2 && total == 2 && v[0].id == e[1].id && v[1].id == e[0].id,
		   "search: '%s' finds the two reports that say it (%zu found)", queries[k], n);
	}
	/* a page at a time: the newest from past the index, then the index's */
	struct event_filter f = { .limit = 1, .q = "路灯损坏" };
	struct event *v;
	size_t n;
	long long total;
	err = store_event_list(st, a, &all, &f, &v, &n, &total);
	ok(!err && n == 1 && v[0].id == e[1].id && total == 2,
	   "search: a page of one, the newest (past the index)");
	f.before_id = e[1].id;
	err = store_event_list(st, a, &all, &f, &v, &n, &total);
	ok(!err && n == 1 && v[0].id == e[0].id, "search: the next page, from the index");
	f.before_id = e[0].id;
	err = store_event_list(st, a, &all, &f, &v, &n, &total);
	ok(!err && n == 0, "search: and nothing before it");
}

/* For each scope and event: the store finds the event, its timeline, its
 * attachment and it among the nearby ones exactly when AUTHZ_READ allows. */
static void test_store_agrees(void)
{
	char dir[64], path[128], why[256];
	snprintf(dir, sizeof(dir), "/tmp/pingan-authz-XXXXXX");
	if (!mkdtemp(dir)) {
		ok(0, "fixture: mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/test.db", dir);
	struct store *st;
	if (store_open(path, 2, &st, why, sizeof(why))) {
		ok(0, "fixture: store_open: %s", why);
		rmdir(dir);
		return;
	}
	struct arena *a = arena_new();
	struct user u = { .username = "reporter.one",
			  .display_name = "r",
			  .org_code = "330108002001001",
			  .roles = ROLE(GRID_WORKER),
			  .password_hash = "x" };
	struct event ev[2];
	int err = put_org(st, "330108", ORG_DISTRICT, "") ||
		  put_org(st, "330108001", ORG_STREET, "330108") ||
		  put_org(st, "330108001001", ORG_COMMUNITY, "330108001") ||
		  put_org(st, "330108001001001", ORG_GRID, "330108001001") ||
		  put_org(st, "330108002", ORG_STREET, "330108") ||
		  put_org(st, "330108002001", ORG_COMMUNITY, "330108002") ||
		  put_org(st, "330108002001001", ORG_GRID, "330108002001") || put_categories(st) ||
		  store_user_add(st, &u) ||
		  put_event(st, "330108001001001",
			    "/330108/330108001/330108001001/330108001001001/", 0, &ev[0]) ||
		  put_event(st, "330108002001001", GRID_S2, u.id, &ev[1]);
	is_int(err, 0, "store: the tree, a reporter and two events");
	struct attachment att[2];
	for (int k = 0; k < 2 && !err; k++) {
		att[k] = (struct attachment){ .event_id = ev[k].id,
					      .mime = "image/png",
					      .size = 1,
					      .uploaded_at = 1700000000 };
		memset(att[k].sha256, 'a' + k, 64);
		err = store_attachment_add(st, &att[k]);
	}
	is_int(err, 0, "store: an attachment on each");
	/* the scopes: district, street 1, grid 1, street 1 as the reporter, none */
	struct principal who[] = {
		{ .user_id = 1, .scope = { .root_path = DISTRICT, .self_id = 1 } },
		{ .user_id = 2, .scope = { .root_path = STREET1, .self_id = 2 } },
		{ .user_id = 3, .scope = { .root_path = GRID1, .self_id = 3 } },
		{ .user_id = u.id, .scope = { .root_path = STREET1, .self_id = u.id } },
		{ .user_id = 4, .scope = { .root_path = NULL, .self_id = 4 } },
	};
	int disagree = 0, allowed = 0, hidden = 0;
	for (size_t w = 0; w < sizeof(who) / sizeof(who[0]) && !err; w++) {
		const struct scope *sc = &who[w].scope;
		struct event *near;
		size_t nnear;
		if (store_event_nearby(st, a, sc, "0101", 120.1, 30.1, 120.3, 30.3, 0, NULL, &near,
				       &nnear))
			disagree++;
		for (int k = 0; k < 2; k++) {
			struct authz_object o = { .exists = true,
						  .org_path = ev[k].org_path,
						  .reporter_id = ev[k].reporter_id };
			bool may = authz_allowed(
				&who[w],
				&(struct authz_request){ .action = AUTHZ_READ, .obj = &o });
			struct event got;
			struct event_action *acts;
			struct attachment x, *xs;
			size_t nacts = 0, nxs = 0;
			bool seen_near = false;
			for (size_t i = 0; i < nnear; i++)
				seen_near |= near[i].id == ev[k].id;
			bool get = !store_event_get(st, a, sc, ev[k].id, &got);
			store_event_actions(st, a, sc, ev[k].id, &acts, &nacts);
			bool aget = !store_attachment_get(st, a, sc, att[k].id, &x);
			store_attachment_list(st, a, sc, ev[k].id, &xs, &nxs);
			if (get != may || (nacts > 0) != may || aget != may || (nxs > 0) != may ||
			    seen_near != may ||
			    authz_scope_holds(sc, o.org_path, o.reporter_id) != may) {
				disagree++;
				tap_diag("  scope %s (user %lld), event %d: decision %d, get %d, "
					 "timeline %zu, attachment %d/%zu, nearby %d",
					 sc->root_path ? sc->root_path : "(none)", who[w].user_id,
					 k, may, get, nacts, aget, nxs, seen_near);
			}
			allowed += may;
			hidden += !may;
		}
	}
	is_int(disagree, 0, "the store's SQL and the decision agree on every scope and event");
	ok(allowed >= 4 && hidden >= 4, "both answers occur (%d seen, %d hidden)", allowed, hidden);
	if (!err)
		probe_reads(st, a, ev);
	if (!err)
		search_reads(st, a, path);
	arena_free(a);
	store_close(st);
	unlink(path);
	snprintf(why, sizeof(why), "%s-wal", path);
	unlink(why);
	snprintf(why, sizeof(why), "%s-shm", path);
	unlink(why);
	rmdir(dir);
}

void suite_authz(void)
{
	test_reasons();
	test_read();
	test_transition();
	test_administer();
	test_grant();
	test_decide();
	test_reveal();
	test_public();
	test_routes();
	test_separation();
	test_scope_range();
	test_store_agrees();
}
