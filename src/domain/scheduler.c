/*
 * scheduler.c - see scheduler.h.
 *
 * The store answers "what is due" from three partial indexes (warn_at,
 * deadline_at, escalate_at), so a pass costs what is due, not what is
 * open. Marks are written with the same optimistic version check as any
 * transition: if a person acts on the event meanwhile, the pass sees the
 * conflict and leaves the event for the next pass.
 */
#include "domain/scheduler.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

/* Records a system mark without a state change: n is e as it is to be
 * written; notice (NULL: none) the inbox kind it sends. */
static int mark(const struct event_env *env, const struct event *e, struct event n,
		const char *action, const char *note, const char *notice, long long now)
{
	n.updated_at = now;
	const char *state = wf_state_name(&wf_event, e->state);
	struct event_action act = { .at = now,
				    .actor = "system",
				    .action = action,
				    .from = state,
				    .to = state,
				    .note = note,
				    .data = "{}" };
	int err = store_begin(env->st);
	if (err)
		return err;
	err = store_event_update(env->st, &n, e->version, &act);
	if (!err) {
		if (notice)
			event_notify(env, &n, notice, now);
		err = store_commit(env->st);
	} else {
		store_rollback(env->st);
	}
	if (!err && env->changed) {
		n.version = e->version + 1;
		env->changed(env->changed_ctx, &n, false);
	}
	return err;
}

/* Marks a yellow (1) or red (2) warning, telling whoever owns the stage. */
static int warn(const struct event_env *env, const struct event *e, int level, const char *action,
		const char *note, long long now)
{
	struct event n = *e;
	n.warn = level;
	n.warn_at = 0;
	return mark(env, e, n, action, note, action, now);
}

/* At the district, the top level, overdue work cannot escalate: the
 * timeline says so and the pending escalation is dropped. The district
 * centre owns the event already and was told what its stage asks. */
static int stop_escalation(const struct event_env *env, const struct event *e, const char *top,
			   long long now)
{
	struct event n = *e;
	n.escalate_at = 0;
	char note[128];
	snprintf(note, sizeof(note),
		 "overdue past the grace period at the district centre '%s', the top level", top);
	return mark(env, e, n, "escalation_stopped", note, NULL, now);
}

/* Clears a pending escalation that no longer applies. */
static int drop_escalation(const struct event_env *env, struct event *e, long long now)
{
	struct event n = *e;
	n.escalate_at = 0;
	n.updated_at = now;
	return store_event_update(env->st, &n, e->version, NULL);
}

int sched_tick(const struct event_env *env, long long now, struct sched_result *res)
{
	memset(res, 0, sizeof(*res));
	const struct wf_transition *escalate = wf_find(&wf_event, "escalate");
	for (int round = 0; round < 50; round++) {
		struct arena *a = arena_new();
		struct event *v;
		size_t n;
		int err = store_event_due(env->st, a, now, 200, &v, &n);
		if (err || n == 0) {
			arena_free(a);
			return err;
		}
		int progress = 0;
		for (size_t i = 0; i < n; i++) {
			struct event *e = &v[i];
			char note[128];
			if (e->escalate_at && e->escalate_at <= now) {
				char top[ORG_CODE_MAX];
				if ((escalate->from & WF_STATE(e->state)) &&
				    event_owner(e, top) == 0) {
					if (!stop_escalation(env, e, top, now)) {
						res->stopped++;
						progress++;
					}
					continue;
				}
				struct wf_input in = { .reason = "overdue past the grace period" };
				struct event out;
				char why[256];
				err = event_act(env, a, NULL, e->id, "escalate", &in, e->version,
						&out, why, sizeof(why));
				if (!err) {
					res->escalated++;
					progress++;
				} else if (err != ERR_CONFLICT || out.version == e->version) {
					/* escalation does not apply in this state */
					if (!drop_escalation(env, e, now))
						progress++;
				}
				continue;
			}
			if (e->deadline_at && e->deadline_at <= now && e->warn < 2) {
				snprintf(note, sizeof(note), "deadline passed");
				if (!warn(env, e, 2, "overdue", note, now)) {
					res->overdue++;
					progress++;
				}
				continue;
			}
			if (e->warn_at && e->warn_at <= now) {
				if (e->warn) {
					/* already marked (an extension moved it): just clear */
					struct event nx = *e;
					nx.warn_at = 0;
					if (!store_event_update(env->st, &nx, e->version, NULL))
						progress++;
				} else if (!warn(env, e, 1, "warning",
						 "80 % of the working time is used", now)) {
					res->warned++;
					progress++;
				}
				continue;
			}
		}
		arena_free(a);
		if (!progress)
			break;
	}
	if (res->warned || res->overdue || res->escalated || res->stopped)
		log_info("scheduler: %d warned, %d overdue, %d escalated, %d at the top level",
			 res->warned, res->overdue, res->escalated, res->stopped);
	return 0;
}
