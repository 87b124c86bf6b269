/*
 * workflow.c - the engine and the event definition; see workflow.h.
 */
#include "domain/workflow.h"
#include "core/err.h"

#include <stdio.h>
#include <string.h>

const struct wf_transition *wf_find(const struct wf_def *d, const char *action)
{
	for (int i = 0; i < d->ntrans; i++)
		if (!strcmp(d->trans[i].action, action))
			return &d->trans[i];
	return NULL;
}

int wf_state_parse(const struct wf_def *d, const char *name)
{
	for (int i = 0; i < d->nstates; i++)
		if (!strcmp(d->states[i].name, name))
			return i;
	return -1;
}

const char *wf_state_name(const struct wf_def *d, int state)
{
	return state >= 0 && state < d->nstates ? d->states[state].name : "unknown";
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static int guard(const struct wf_transition *t, unsigned pending, char *why, size_t whylen)
{
	if ((t->guards & WF_GUARD_NO_EXT) && (pending & WF_PENDING_EXT)) {
		snprintf(why, whylen, "an extension request is already pending");
		return ERR_CONFLICT;
	}
	if ((t->guards & WF_GUARD_EXT) && !(pending & WF_PENDING_EXT)) {
		snprintf(why, whylen, "no extension request is pending");
		return ERR_CONFLICT;
	}
	if ((t->guards & WF_GUARD_NO_SUSP) && (pending & WF_PENDING_SUSP)) {
		snprintf(why, whylen, "a suspension request is already pending");
		return ERR_CONFLICT;
	}
	if ((t->guards & WF_GUARD_SUSP) && !(pending & WF_PENDING_SUSP)) {
		snprintf(why, whylen, "no suspension request is pending");
		return ERR_CONFLICT;
	}
	return 0;
}

int wf_check(const struct wf_def *d, const struct wf_transition *t, int state, unsigned pending,
	     unsigned roles, const struct wf_input *in, int *to, char *why, size_t whylen)
{
	static const struct wf_input none;
	if (!in)
		in = &none;
	if (state < 0 || state >= d->nstates || !(t->from & WF_STATE(state))) {
		snprintf(why, whylen, "cannot %s: the %s is %s", t->action, d->type,
			 wf_state_name(d, state));
		return ERR_CONFLICT;
	}
	int err = guard(t, pending, why, whylen);
	if (err)
		return err;
	if (!(t->roles & roles)) {
		snprintf(why, whylen, "your roles may not %s a %s", t->action, d->type);
		return ERR_FORBIDDEN;
	}
	if ((t->needs & WF_NEED_REASON) && blank(in->reason)) {
		snprintf(why, whylen, "'%s' needs a reason", t->action);
		return ERR_MISSING;
	}
	if ((t->needs & WF_NEED_NOTE) && blank(in->note)) {
		snprintf(why, whylen, "'%s' needs a note", t->action);
		return ERR_MISSING;
	}
	if ((t->needs & WF_NEED_ASSIGNEE) && blank(in->assignee)) {
		snprintf(why, whylen, "'%s' needs a department to assign", t->action);
		return ERR_MISSING;
	}
	if ((t->needs & WF_NEED_TARGET) && blank(in->target)) {
		snprintf(why, whylen, "'%s' needs the case to merge into", t->action);
		return ERR_MISSING;
	}
	if ((t->needs & WF_NEED_EVIDENCE) && blank(in->note) && in->attachments <= 0) {
		snprintf(why, whylen, "'%s' needs evidence: a result note or an attachment",
			 t->action);
		return ERR_MISSING;
	}
	if (t->needs & WF_NEED_DAYS) {
		if (!in->days) {
			snprintf(why, whylen, "'%s' needs the number of working days", t->action);
			return ERR_MISSING;
		}
		if (in->days < 1 || in->days > 30) {
			snprintf(why, whylen, "an extension is 1 to 30 working days, not %d",
				 in->days);
			return ERR_BAD_VALUE;
		}
	}
	if (t->needs & WF_NEED_RATING) {
		if (!in->rating) {
			snprintf(why, whylen, "'%s' needs a rating", t->action);
			return ERR_MISSING;
		}
		if (in->rating < 1 || in->rating > 5) {
			snprintf(why, whylen, "a rating is 1 to 5, not %d", in->rating);
			return ERR_BAD_VALUE;
		}
	}
	*to = t->to == WF_SAME ? state : t->to;
	return 0;
}

int wf_available(const struct wf_def *d, int state, unsigned pending, unsigned roles,
		 const struct wf_transition **out, int max)
{
	int n = 0;
	char why[160];
	for (int i = 0; i < d->ntrans && n < max; i++) {
		const struct wf_transition *t = &d->trans[i];
		if (state >= 0 && state < d->nstates && (t->from & WF_STATE(state)) &&
		    (t->roles & roles) && !guard(t, pending, why, sizeof(why)))
			out[n++] = t;
	}
	return n;
}

/* --- the event loop --- */

#define S(x)    WF_STATE(EV_##x)
#define CENTRE  ROLE(CENTRE)
#define HANDLER ROLE(HANDLER)
#define OPEN                                                                                    \
	(S(REPORTED) | S(REGISTERED) | S(DISPATCHED) | S(HANDLING) | S(HANDLED) | S(VERIFIED) | \
	 S(RETURNED) | S(SUSPENDED))

static const struct wf_state event_states[EV__COUNT] = {
	[EV_REPORTED] = { "reported", "待受理", WF_STAGE_REGISTER, 0 },
	[EV_REGISTERED] = { "registered", "已立案", WF_STAGE_DISPATCH, 0 },
	[EV_DISPATCHED] = { "dispatched", "已派遣", WF_STAGE_ACCEPT, 0 },
	[EV_HANDLING] = { "handling", "处置中", WF_STAGE_HANDLE, 0 },
	[EV_HANDLED] = { "handled", "已处置", WF_STAGE_VERIFY, 0 },
	[EV_VERIFIED] = { "verified", "已核查", WF_STAGE_CLOSE, 0 },
	[EV_CLOSED] = { "closed", "已结案", WF_STAGE_NONE, WF_TERMINAL | WF_RESOLVED },
	[EV_REJECTED] = { "rejected", "不予受理", WF_STAGE_NONE, WF_TERMINAL },
	[EV_MERGED] = { "merged", "已合并", WF_STAGE_NONE, WF_TERMINAL },
	[EV_RETURNED] = { "returned", "已退回", WF_STAGE_DISPATCH, 0 },
	[EV_SUSPENDED] = { "suspended", "缓办", WF_STAGE_HANDLE, WF_PAUSED },
	[EV_VOIDED] = { "voided", "已作废", WF_STAGE_NONE, WF_TERMINAL },
};

static const struct wf_transition event_trans[] = {
	{ "register", "立案", S(REPORTED), EV_REGISTERED, CENTRE, 0, 0, 0 },
	{ "reject", "不予受理", S(REPORTED), EV_REJECTED, CENTRE, WF_NEED_REASON, 0, 0 },
	{ "merge", "合并", S(REPORTED) | S(REGISTERED), EV_MERGED, CENTRE, WF_NEED_TARGET, 0,
	  WF_EFF_NOTIFY_MERGED },
	{ "dispatch", "派遣", S(REGISTERED) | S(RETURNED), EV_DISPATCHED, CENTRE, WF_NEED_ASSIGNEE,
	  0, WF_EFF_ASSIGN },
	{ "accept", "签收", S(DISPATCHED), EV_HANDLING, HANDLER, 0, 0, 0 },
	{ "return", "退回", S(DISPATCHED) | S(HANDLING), EV_RETURNED, HANDLER, WF_NEED_REASON, 0,
	  WF_EFF_EXT_CLEAR | WF_EFF_SUSP_CLEAR },
	{ "handle", "处置完成", S(HANDLING), EV_HANDLED, HANDLER, WF_NEED_EVIDENCE,
	  WF_GUARD_NO_SUSP, WF_EFF_EXT_CLEAR },
	{ "verify", "核查通过", S(HANDLED), EV_VERIFIED, CENTRE, 0, 0, 0 },
	{ "rework", "核查不通过", S(HANDLED), EV_DISPATCHED, CENTRE, WF_NEED_REASON, 0,
	  WF_EFF_REWORK },
	{ "close", "结案", S(VERIFIED), EV_CLOSED, CENTRE, 0, 0, 0 },
	{ "request_extension", "申请延期", S(HANDLING), WF_SAME, HANDLER,
	  WF_NEED_REASON | WF_NEED_DAYS, WF_GUARD_NO_EXT, WF_EFF_EXT_REQUEST },
	{ "approve_extension", "同意延期", S(HANDLING), WF_SAME, CENTRE, 0, WF_GUARD_EXT,
	  WF_EFF_EXT_APPROVE },
	{ "refuse_extension", "不同意延期", S(HANDLING), WF_SAME, CENTRE, WF_NEED_REASON,
	  WF_GUARD_EXT, WF_EFF_EXT_CLEAR },
	{ "request_suspension", "申请缓办", S(HANDLING), WF_SAME, HANDLER, WF_NEED_REASON,
	  WF_GUARD_NO_SUSP, WF_EFF_SUSP_REQUEST },
	{ "approve_suspension", "同意缓办", S(HANDLING), EV_SUSPENDED, CENTRE, 0, WF_GUARD_SUSP,
	  WF_EFF_SUSP_CLEAR | WF_EFF_PAUSE },
	{ "refuse_suspension", "不同意缓办", S(HANDLING), WF_SAME, CENTRE, WF_NEED_REASON,
	  WF_GUARD_SUSP, WF_EFF_SUSP_CLEAR },
	{ "resume", "恢复办理", S(SUSPENDED), EV_HANDLING, CENTRE | HANDLER, 0, 0, WF_EFF_RESUME },
	{ "void", "作废", OPEN, EV_VOIDED, CENTRE, WF_NEED_REASON, 0,
	  WF_EFF_EXT_CLEAR | WF_EFF_SUSP_CLEAR },
	{ "escalate", "上报", S(REGISTERED) | S(DISPATCHED) | S(HANDLING) | S(RETURNED), WF_SAME,
	  CENTRE | WF_SYSTEM, WF_NEED_REASON, 0, WF_EFF_ESCALATE },
	{ "supervise", "督办", S(DISPATCHED) | S(HANDLING) | S(SUSPENDED), WF_SAME,
	  CENTRE | ROLE(LEADER), WF_NEED_NOTE, 0, WF_EFF_SUPERVISE },
	{ "reopen", "重新办理", S(CLOSED), EV_REGISTERED, CENTRE, WF_NEED_REASON, 0, 0 },
	{ "rate", "评价", S(CLOSED), WF_SAME, WF_REPORTER, WF_NEED_RATING, 0, 0 },
};

const struct wf_def wf_event = {
	.type = "event",
	.states = event_states,
	.nstates = EV__COUNT,
	.trans = event_trans,
	.ntrans = (int)(sizeof(event_trans) / sizeof(event_trans[0])),
	.initial = EV_REPORTED,
};

/* --- the assessment's decisions --- */

#define DECIDERS (ROLE(ASSESSOR) | ROLE(LEADER))
#define N(t)     ((int)(sizeof(t) / sizeof(t[0])))

static const struct wf_state adjustment_states[ADJ__COUNT] = {
	[ADJ_PENDING] = { "pending", "待审核", WF_STAGE_NONE, 0 },
	[ADJ_APPROVED] = { "approved", "已通过", WF_STAGE_NONE, WF_TERMINAL },
	[ADJ_REJECTED] = { "rejected", "已驳回", WF_STAGE_NONE, WF_TERMINAL },
};

static const struct wf_transition adjustment_trans[] = {
	{ "approve", "通过", WF_STATE(ADJ_PENDING), ADJ_APPROVED, DECIDERS, 0, 0, 0 },
	{ "reject", "驳回", WF_STATE(ADJ_PENDING), ADJ_REJECTED, DECIDERS, WF_NEED_NOTE, 0, 0 },
};

const struct wf_def wf_adjustment = {
	.type = "manual item",
	.states = adjustment_states,
	.nstates = ADJ__COUNT,
	.trans = adjustment_trans,
	.ntrans = N(adjustment_trans),
	.initial = ADJ_PENDING,
};

static const struct wf_state commendation_states[CM__COUNT] = {
	[CM_CANDIDATE] = { "candidate", "候选", WF_STAGE_NONE, 0 },
	[CM_APPROVED] = { "approved", "已表彰", WF_STAGE_NONE, WF_TERMINAL },
	[CM_REJECTED] = { "rejected", "未通过", WF_STAGE_NONE, WF_TERMINAL },
};

static const struct wf_transition commendation_trans[] = {
	{ "approve", "通过", WF_STATE(CM_CANDIDATE), CM_APPROVED, DECIDERS, 0, 0, 0 },
	{ "reject", "不通过", WF_STATE(CM_CANDIDATE), CM_REJECTED, DECIDERS, 0, 0, 0 },
};

const struct wf_def wf_commendation = {
	.type = "candidate",
	.states = commendation_states,
	.nstates = CM__COUNT,
	.trans = commendation_trans,
	.ntrans = N(commendation_trans),
	.initial = CM_CANDIDATE,
};

/* 'expired' is written by no transition: a designation past its term shows
 * as expired (api/h_units.c), and a stored one is final */
static const struct wf_state designation_states[DSG__COUNT] = {
	[DSG_APPLIED] = { "applied", "待审核", WF_STAGE_NONE, 0 },
	[DSG_DESIGNATED] = { "designated", "已命名", WF_STAGE_NONE, 0 },
	[DSG_REJECTED] = { "rejected", "未通过", WF_STAGE_NONE, WF_TERMINAL },
	[DSG_REVOKED] = { "revoked", "已撤销", WF_STAGE_NONE, WF_TERMINAL },
	[DSG_EXPIRED] = { "expired", "已到期", WF_STAGE_NONE, WF_TERMINAL },
};

static const struct wf_transition designation_trans[] = {
	{ "approve", "命名", WF_STATE(DSG_APPLIED), DSG_DESIGNATED, DECIDERS, 0, 0, 0 },
	{ "reject", "不予命名", WF_STATE(DSG_APPLIED), DSG_REJECTED, DECIDERS, WF_NEED_NOTE, 0, 0 },
	{ "revoke", "撤销", WF_STATE(DSG_DESIGNATED), DSG_REVOKED, DECIDERS, WF_NEED_NOTE, 0, 0 },
};

const struct wf_def wf_designation = {
	.type = "designation",
	.states = designation_states,
	.nstates = DSG__COUNT,
	.trans = designation_trans,
	.ntrans = N(designation_trans),
	.initial = DSG_APPLIED,
};

int wf_decide(const struct wf_def *d, const char *action, const char *state, unsigned roles,
	      const struct wf_input *in, const char **to, char *why, size_t whylen)
{
	const struct wf_transition *t = wf_find(d, action);
	if (!t) {
		snprintf(why, whylen, "no action '%.30s' on a %s", action, d->type);
		return ERR_NOT_FOUND;
	}
	int s = wf_state_parse(d, state), next;
	if (s < 0) {
		snprintf(why, whylen, "cannot %s: the %s is '%.20s'", action, d->type, state);
		return ERR_CONFLICT;
	}
	int err = wf_check(d, t, s, 0, roles, in, &next, why, whylen);
	if (!err)
		*to = wf_state_name(d, next);
	return err;
}
