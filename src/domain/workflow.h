/*
 * workflow.h - one engine for every closed-loop case type.
 *
 * A case type is a `const struct wf_def`: its states, and its transitions —
 * which states each starts from, where it leads (or WF_SAME to stay), the
 * roles that may take it, what it must carry (reason, assignee, evidence,
 * extension length, merge target, rating), guards on pending requests, and
 * its effects (count a rework, escalate, pause or resume the clock...).
 * The engine does no I/O: wf_check() decides whether an actor with given
 * roles may take an action on a case in a given state with a given input,
 * and why not; the case store applies the result, appends the action to the
 * timeline and writes the audit record in one transaction.
 *
 * Every (state, action, role) combination of a definition can be walked by
 * the unit tests, and is.
 */
#ifndef PINGAN_DOMAIN_WORKFLOW_H
#define PINGAN_DOMAIN_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/org.h"

/* pseudo-roles beside ROLE(...) */
#define WF_SYSTEM   (1u << 30) /* the scheduler */
#define WF_REPORTER (1u << 29) /* the person who reported (by receipt or account) */

/* what a transition must carry */
#define WF_NEED_REASON   (1u << 0) /* a non-empty reason */
#define WF_NEED_ASSIGNEE (1u << 1) /* a department */
#define WF_NEED_EVIDENCE (1u << 2) /* a result note or at least one attachment */
#define WF_NEED_DAYS     (1u << 3) /* extension length, 1-30 working days */
#define WF_NEED_TARGET   (1u << 4) /* the case to merge into */
#define WF_NEED_RATING   (1u << 5) /* satisfaction 1-5 */
#define WF_NEED_NOTE     (1u << 6) /* a non-empty note */

/* guards on pending requests */
#define WF_GUARD_NO_EXT  (1u << 0) /* no extension request pending */
#define WF_GUARD_EXT     (1u << 1) /* an extension request pending */
#define WF_GUARD_NO_SUSP (1u << 2) /* no suspension request pending */
#define WF_GUARD_SUSP    (1u << 3) /* a suspension request pending */

/* effects the case store applies */
#define WF_EFF_REWORK        (1u << 0) /* count a rework */
#define WF_EFF_ESCALATE      (1u << 1) /* raise the level by one */
#define WF_EFF_SUPERVISE     (1u << 2) /* count a supervision notice (督办) */
#define WF_EFF_EXT_REQUEST   (1u << 3) /* set the pending extension */
#define WF_EFF_EXT_APPROVE   (1u << 4) /* add its days to the deadline, clear it */
#define WF_EFF_EXT_CLEAR     (1u << 5) /* clear the pending extension */
#define WF_EFF_SUSP_REQUEST  (1u << 6)
#define WF_EFF_SUSP_CLEAR    (1u << 7)
#define WF_EFF_PAUSE         (1u << 8)  /* stop the deadline clock */
#define WF_EFF_RESUME        (1u << 9)  /* restart it where it stopped */
#define WF_EFF_ASSIGN        (1u << 10) /* set the assignee */
#define WF_EFF_NOTIFY_MERGED (1u << 11) /* tell merged reporters the outcome */

/* state flags */
#define WF_TERMINAL   (1u << 0) /* no deadline; only listed transitions (reopen) leave it */
#define WF_RESOLVED   (1u << 1) /* counts as "closed as resolved" in statistics */
#define WF_PAUSED     (1u << 2) /* the clock does not run */

#define WF_SAME       (-1)
#define WF_MAX_STATES 32
#define WF_STATE(s)   (1u << (s))

/* deadline stages: which configured deadline a state runs under */
enum wf_stage {
	WF_STAGE_NONE,
	WF_STAGE_REGISTER,
	WF_STAGE_DISPATCH,
	WF_STAGE_ACCEPT,
	WF_STAGE_HANDLE,
	WF_STAGE_VERIFY,
	WF_STAGE_CLOSE,
	WF_STAGE__COUNT
};

struct wf_state {
	const char *name, *zh;
	enum wf_stage stage;
	unsigned flags;
};

struct wf_transition {
	const char *action, *zh;
	unsigned from; /* WF_STATE() mask */
	int to;        /* a state, or WF_SAME */
	unsigned roles;
	unsigned needs;
	unsigned guards;
	unsigned effects;
};

struct wf_def {
	const char *type;
	const struct wf_state *states;
	int nstates;
	const struct wf_transition *trans;
	int ntrans;
	int initial;
};

/* The pending requests a case carries. */
#define WF_PENDING_EXT  (1u << 0)
#define WF_PENDING_SUSP (1u << 1)

/* What an actor sends with an action (NULL / 0 when absent). */
struct wf_input {
	const char *reason, *note, *assignee, *target;
	int days, rating, attachments;
};

/* The transition named action, or NULL. */
const struct wf_transition *wf_find(const struct wf_def *d, const char *action);
/* State index by name, or -1. */
int wf_state_parse(const struct wf_def *d, const char *name);
const char *wf_state_name(const struct wf_def *d, int state);

/* Decides whether an actor with `roles` may take t on a case in `state` with
 * `pending` requests and input `in`. 0 if so, and *to gets the next state;
 * otherwise:
 *   ERR_CONFLICT   the action is not possible in this state (or a guard fails)
 *   ERR_FORBIDDEN  possible, but not for these roles
 *   ERR_MISSING    a required field is absent
 *   ERR_BAD_VALUE  a field is out of range
 * with a message in why. Checks run in that order, so a client learns about
 * state before roles before fields. */
int wf_check(const struct wf_def *d, const struct wf_transition *t, int state, unsigned pending,
	     unsigned roles, const struct wf_input *in, int *to, char *why, size_t whylen);

/* The actions `roles` may take now (ignoring input), into out[max];
 * returns how many. For "which buttons to show". */
int wf_available(const struct wf_def *d, int state, unsigned pending, unsigned roles,
		 const struct wf_transition **out, int max);

/* The event loop (GB/T 30428). */
enum ev_state {
	EV_REPORTED,
	EV_REGISTERED,
	EV_DISPATCHED,
	EV_HANDLING,
	EV_HANDLED,
	EV_VERIFIED,
	EV_CLOSED,
	EV_REJECTED,
	EV_MERGED,
	EV_RETURNED,
	EV_SUSPENDED,
	EV_VOIDED,
	EV__COUNT
};
extern const struct wf_def wf_event;

/*
 * The assessment's decisions, under the same engine: a manual item (加减分)
 * entered by an assessor, a commendation candidate (表彰候选), and a
 * safe-demonstration-unit designation (平安示范单位). Each is decided by an
 * assessor or a leader, and never by whoever entered it (the four eyes are
 * an authorisation rule: AUTHZ_DECIDE in domain/authz.c).
 */
enum adj_state { ADJ_PENDING, ADJ_APPROVED, ADJ_REJECTED, ADJ__COUNT };
extern const struct wf_def wf_adjustment;
enum cm_state { CM_CANDIDATE, CM_APPROVED, CM_REJECTED, CM__COUNT };
extern const struct wf_def wf_commendation;
enum dsg_state { DSG_APPLIED, DSG_DESIGNATED, DSG_REJECTED, DSG_REVOKED, DSG_EXPIRED, DSG__COUNT };
extern const struct wf_def wf_designation;

/* wf_check() for a case whose state is stored by name, with no pending
 * requests: the transition named action, from state, for roles. 0 and the
 * next state's name in *to, or ERR_NOT_FOUND for an action the definition
 * does not have, and otherwise wf_check()'s errors, with a message in why. */
int wf_decide(const struct wf_def *d, const char *action, const char *state, unsigned roles,
	      const struct wf_input *in, const char **to, char *why, size_t whylen);

#endif
