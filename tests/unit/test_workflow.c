/*
 * test_workflow.c - the workflow engine and the event definition: every
 * (state, action, role) combination, the structure of the graph, and each
 * path of the closed loop.
 */
#include "tap.h"
#include "core/err.h"
#include "domain/workflow.h"

#include <string.h>

void suite_workflow(void);

static const struct wf_input full = { .reason = "原因",
				      .note = "处置说明",
				      .assignee = "330108D01",
				      .target = "E1",
				      .days = 3,
				      .rating = 5,
				      .attachments = 1 };

/* Takes action as roles from state, expecting success; returns the new state. */
static int step(int state, unsigned pending, const char *action, unsigned roles)
{
	const struct wf_transition *t = wf_find(&wf_event, action);
	int to = -1;
	char why[160] = "";
	int err = t ? wf_check(&wf_event, t, state, pending, roles, &full, &to, why, sizeof(why))
		    : ERR_NOT_FOUND;
	if (err)
		tap_diag("%s from %s: %s", action, wf_state_name(&wf_event, state), why);
	return err ? -100 : to;
}

static void test_exhaustive(const struct wf_def *d)
{
	unsigned actors[ROLE__COUNT + 2];
	int nactors = 0;
	for (int r = 0; r < ROLE__COUNT; r++)
		actors[nactors++] = 1u << r;
	actors[nactors++] = WF_SYSTEM;
	actors[nactors++] = WF_REPORTER;
	int combos = 0, wrong = 0;
	for (int s = 0; s < d->nstates; s++) {
		for (int i = 0; i < d->ntrans; i++) {
			const struct wf_transition *t = &d->trans[i];
			for (int a = 0; a < nactors; a++) {
				for (unsigned pending = 0; pending < 4; pending++) {
					int to = -1, want;
					char why[160];
					int err = wf_check(d, t, s, pending, actors[a], &full, &to,
							   why, sizeof(why));
					bool from_ok = t->from & WF_STATE(s);
					bool guard_ok = !((t->guards & WF_GUARD_NO_EXT) &&
							  (pending & WF_PENDING_EXT)) &&
							!((t->guards & WF_GUARD_EXT) &&
							  !(pending & WF_PENDING_EXT)) &&
							!((t->guards & WF_GUARD_NO_SUSP) &&
							  (pending & WF_PENDING_SUSP)) &&
							!((t->guards & WF_GUARD_SUSP) &&
							  !(pending & WF_PENDING_SUSP));
					if (!from_ok || !guard_ok)
						want = ERR_CONFLICT;
					else if (!(t->roles & actors[a]))
						want = ERR_FORBIDDEN;
					else
						want = 0;
					combos++;
					if (err != want ||
					    (!err && to != (t->to == WF_SAME ? s : t->to)) ||
					    (err && !*why)) {
						if (wrong++ < 5)
							tap_diag("%s/%s/actor %x/pending %u: got "
								 "%d want %d",
								 wf_state_name(d, s), t->action,
								 actors[a], pending, err, want);
					}
				}
			}
		}
	}
	is_int(wrong, 0,
	       "%s: all %d (state, action, actor, pending) combinations decide as the table says",
	       d->type, combos);
	ok(combos == d->nstates * d->ntrans * (ROLE__COUNT + 2) * 4,
	   "%s: and that is every combination", d->type);
}

static void test_structure(void)
{
	const struct wf_def *d = &wf_event;
	is_int(d->nstates, EV__COUNT, "12 event states");
	is_int(d->initial, EV_REPORTED, "events start reported");
	int bad_to = 0, dup = 0, into_reported = 0, no_roles = 0;
	for (int i = 0; i < d->ntrans; i++) {
		const struct wf_transition *t = &d->trans[i];
		if (t->to != WF_SAME && (t->to < 0 || t->to >= d->nstates))
			bad_to++;
		if (t->to == EV_REPORTED)
			into_reported++;
		if (!t->roles || !t->from)
			no_roles++;
		for (int j = 0; j < i; j++)
			if (!strcmp(d->trans[j].action, t->action))
				dup++;
	}
	is_int(bad_to, 0, "every transition leads to a real state");
	is_int(dup, 0, "action names are unique");
	is_int(into_reported, 0, "nothing leads back to reported");
	is_int(no_roles, 0, "every transition has roles and source states");

	/* reachability from reported, and a way out of every open state */
	unsigned seen = WF_STATE(d->initial);
	for (int round = 0; round < d->nstates; round++)
		for (int i = 0; i < d->ntrans; i++)
			if ((d->trans[i].from & seen) && d->trans[i].to != WF_SAME)
				seen |= WF_STATE(d->trans[i].to);
	is_int(seen, (1u << EV__COUNT) - 1, "every state is reachable from reported");
	int stuck = 0;
	for (int s = 0; s < d->nstates; s++) {
		if (d->states[s].flags & WF_TERMINAL)
			continue;
		unsigned reach = WF_STATE(s);
		for (int round = 0; round < d->nstates; round++)
			for (int i = 0; i < d->ntrans; i++)
				if ((d->trans[i].from & reach) && d->trans[i].to != WF_SAME)
					reach |= WF_STATE(d->trans[i].to);
		if (!(reach & WF_STATE(EV_CLOSED)))
			stuck++;
	}
	is_int(stuck, 0, "every open state can still reach closed");
	int leaving_terminal = 0;
	for (int i = 0; i < d->ntrans; i++)
		for (int s = 0; s < d->nstates; s++)
			if ((d->states[s].flags & WF_TERMINAL) &&
			    (d->trans[i].from & WF_STATE(s)) && d->trans[i].to != WF_SAME &&
			    strcmp(d->trans[i].action, "reopen"))
				leaving_terminal++;
	is_int(leaving_terminal, 0, "only reopen leaves a terminal state");
	ok(d->states[EV_CLOSED].flags & WF_RESOLVED, "closed counts as resolved");
	ok(!(d->states[EV_REJECTED].flags & WF_RESOLVED) &&
		   !(d->states[EV_VOIDED].flags & WF_RESOLVED) &&
		   !(d->states[EV_MERGED].flags & WF_RESOLVED),
	   "rejected, voided and merged do not count as resolved");
	ok(d->states[EV_SUSPENDED].flags & WF_PAUSED, "suspension pauses the clock");
	is_int(wf_state_parse(d, "handling"), EV_HANDLING, "state names parse");
	is_int(wf_state_parse(d, "nope"), -1, "unknown state names do not");
	ok(wf_find(d, "escalate") && !wf_find(d, "explode"), "actions are found by name");
}

static void test_paths(void)
{
	unsigned C = ROLE(CENTRE), H = ROLE(HANDLER);
	int s = EV_REPORTED;
	s = step(s, 0, "register", C);
	s = step(s, 0, "dispatch", C);
	s = step(s, 0, "accept", H);
	s = step(s, 0, "handle", H);
	s = step(s, 0, "verify", C);
	s = step(s, 0, "close", C);
	is_int(s, EV_CLOSED, "the main loop: register, dispatch, accept, handle, verify, close");
	is_int(step(s, 0, "rate", WF_REPORTER), EV_CLOSED, "the reporter rates a closed event");
	is_int(step(s, 0, "reopen", C), EV_REGISTERED, "the centre reopens a closed event");
	is_int(step(EV_REPORTED, 0, "reject", C), EV_REJECTED, "reject at registration");
	is_int(step(EV_REPORTED, 0, "merge", C), EV_MERGED, "merge at registration");
	is_int(step(EV_DISPATCHED, 0, "return", H), EV_RETURNED,
	       "a handler returns misrouted work");
	is_int(step(EV_RETURNED, 0, "dispatch", C), EV_DISPATCHED,
	       "and the centre dispatches it again");
	is_int(step(EV_HANDLED, 0, "rework", C), EV_DISPATCHED,
	       "failed verification goes back to dispatched");
	ok(wf_find(&wf_event, "rework")->effects & WF_EFF_REWORK, "and is counted as rework");
	is_int(step(EV_HANDLING, 0, "request_extension", H), EV_HANDLING,
	       "extension request keeps the state");
	is_int(step(EV_HANDLING, WF_PENDING_EXT, "approve_extension", C), EV_HANDLING,
	       "the centre approves it");
	is_int(step(EV_HANDLING, WF_PENDING_EXT, "refuse_extension", C), EV_HANDLING,
	       "or refuses it");
	is_int(step(EV_HANDLING, WF_PENDING_SUSP, "approve_suspension", C), EV_SUSPENDED,
	       "suspension approved");
	is_int(step(EV_SUSPENDED, 0, "resume", H), EV_HANDLING, "and resumed");
	is_int(step(EV_HANDLING, 0, "escalate", WF_SYSTEM), EV_HANDLING,
	       "the scheduler escalates overdue work");
	is_int(step(EV_HANDLING, 0, "supervise", ROLE(LEADER)), EV_HANDLING,
	       "a leader sends a supervision notice");
	is_int(step(EV_SUSPENDED, 0, "void", C), EV_VOIDED, "an open event can be voided");

	char why[160];
	int to;
	const struct wf_transition *t = wf_find(&wf_event, "handle");
	struct wf_input in = { 0 };
	is_int(wf_check(&wf_event, t, EV_HANDLING, 0, H, &in, &to, why, sizeof(why)), ERR_MISSING,
	       "handle without evidence is refused");
	ok(strstr(why, "evidence") != NULL, "saying what is missing: %s", why);
	in.attachments = 1;
	is_int(wf_check(&wf_event, t, EV_HANDLING, 0, H, &in, &to, why, sizeof(why)), 0,
	       "an attachment is evidence");
	is_int(wf_check(&wf_event, t, EV_HANDLING, WF_PENDING_SUSP, H, &in, &to, why, sizeof(why)),
	       ERR_CONFLICT, "no handling while a suspension request is pending");
	t = wf_find(&wf_event, "reject");
	in = (struct wf_input){ .reason = "  \n" };
	is_int(wf_check(&wf_event, t, EV_REPORTED, 0, C, &in, &to, why, sizeof(why)), ERR_MISSING,
	       "a blank reason is no reason");
	t = wf_find(&wf_event, "request_extension");
	in = (struct wf_input){ .reason = "材料未到", .days = 31 };
	is_int(wf_check(&wf_event, t, EV_HANDLING, 0, H, &in, &to, why, sizeof(why)), ERR_BAD_VALUE,
	       "31 days is too long an extension");
	in.days = 0;
	is_int(wf_check(&wf_event, t, EV_HANDLING, 0, H, &in, &to, why, sizeof(why)), ERR_MISSING,
	       "an extension needs its length");
	is_int(wf_check(&wf_event, t, EV_HANDLING, WF_PENDING_EXT, H, &full, &to, why, sizeof(why)),
	       ERR_CONFLICT, "one extension request at a time");
	t = wf_find(&wf_event, "rate");
	in = (struct wf_input){ .rating = 6 };
	is_int(wf_check(&wf_event, t, EV_CLOSED, 0, WF_REPORTER, &in, &to, why, sizeof(why)),
	       ERR_BAD_VALUE, "a rating of 6 is out of range");
	is_int(wf_check(&wf_event, wf_find(&wf_event, "register"), EV_CLOSED, 0, C, &full, &to, why,
			sizeof(why)),
	       ERR_CONFLICT, "a closed event cannot be registered");
	ok(strstr(why, "closed") != NULL, "the message names the state: %s", why);
	is_int(wf_check(&wf_event, wf_find(&wf_event, "register"), EV_REPORTED, 0, H, &full, &to,
			why, sizeof(why)),
	       ERR_FORBIDDEN, "a handler cannot register");

	const struct wf_transition *avail[32];
	int n = wf_available(&wf_event, EV_HANDLING, 0, H, avail, 32);
	const char *names[32];
	for (int i = 0; i < n; i++)
		names[i] = avail[i]->action;
	is_int(n, 4, "a handler on a handling event has four actions");
	ok(n == 4 && !strcmp(names[0], "return") && !strcmp(names[1], "handle") &&
		   !strcmp(names[2], "request_extension") &&
		   !strcmp(names[3], "request_suspension"),
	   "return, handle, request_extension, request_suspension");
	is_int(wf_available(&wf_event, EV_HANDLING, WF_PENDING_EXT, C, avail, 32), 5,
	       "the centre sees approve/refuse extension, void, escalate, supervise");
	is_int(wf_available(&wf_event, EV_VOIDED, 0, ~0u, avail, 32), 0,
	       "nothing to do on a voided event");
}

/* The assessment's decisions: the same engine, their own tables. */
static void test_decisions(void)
{
	const struct wf_def *defs[] = { &wf_adjustment, &wf_commendation, &wf_designation };
	const unsigned deciders = ROLE(ASSESSOR) | ROLE(LEADER);
	for (size_t k = 0; k < sizeof(defs) / sizeof(defs[0]); k++) {
		const struct wf_def *d = defs[k];
		int stuck = 0, bad_roles = 0, initial_terminal = 0;
		for (int s = 0; s < d->nstates; s++) {
			bool exits = false;
			for (int i = 0; i < d->ntrans; i++)
				exits |= (d->trans[i].from & WF_STATE(s)) != 0;
			/* a state with no way out is final, and says so */
			stuck += !exits && !(d->states[s].flags & WF_TERMINAL);
			stuck += exits && (d->states[s].flags & WF_TERMINAL);
		}
		for (int i = 0; i < d->ntrans; i++)
			bad_roles += d->trans[i].roles != deciders;
		initial_terminal = (d->states[d->initial].flags & WF_TERMINAL) != 0;
		is_int(stuck, 0, "%s: the states without a way out are the final ones", d->type);
		is_int(bad_roles, 0, "%s: decided by an assessor or a leader, nobody else",
		       d->type);
		ok(!initial_terminal, "%s: starts open", d->type);
		test_exhaustive(d);
	}
	const char *to = NULL;
	char why[160];
	const unsigned A = ROLE(ASSESSOR);
	is_int(wf_decide(&wf_adjustment, "approve", "pending", A, NULL, &to, why, sizeof(why)), 0,
	       "a pending manual item is approved");
	is_str(to, "approved", "and becomes approved");
	is_int(wf_decide(&wf_adjustment, "reject", "pending", A, NULL, &to, why, sizeof(why)),
	       ERR_MISSING, "a rejection needs a note");
	is_int(wf_decide(&wf_adjustment, "approve", "approved", A, NULL, &to, why, sizeof(why)),
	       ERR_CONFLICT, "an approved item is not decided twice (%s)", why);
	is_int(wf_decide(&wf_adjustment, "approve", "pending", ROLE(CENTRE), NULL, &to, why,
			 sizeof(why)),
	       ERR_FORBIDDEN, "a centre does not decide manual items");
	is_int(wf_decide(&wf_designation, "revoke", "applied", A, &full, &to, why, sizeof(why)),
	       ERR_CONFLICT, "an application is not revoked");
	is_int(wf_decide(&wf_designation, "revoke", "designated", A, &full, &to, why, sizeof(why)),
	       0, "a designation is revoked, with a note");
	is_str(to, "revoked", "and becomes revoked");
	is_int(wf_decide(&wf_designation, "approve", "expired", A, NULL, &to, why, sizeof(why)),
	       ERR_CONFLICT, "an expired designation is final");
	is_int(wf_decide(&wf_designation, "approve", "lost", A, NULL, &to, why, sizeof(why)),
	       ERR_CONFLICT, "a state the table does not know is refused (%s)", why);
	is_int(wf_decide(&wf_commendation, "nominate", "candidate", A, NULL, &to, why, sizeof(why)),
	       ERR_NOT_FOUND, "an action the table does not have is not found");
	is_int(wf_decide(&wf_commendation, "reject", "candidate", ROLE(LEADER), NULL, &to, why,
			 sizeof(why)),
	       0, "a leader rejects a candidate without a note");
	is_str(to, "rejected", "and it becomes rejected");
}

void suite_workflow(void)
{
	test_exhaustive(&wf_event);
	test_structure();
	test_paths();
	test_decisions();
}
