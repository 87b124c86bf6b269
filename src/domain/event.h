/*
 * event.h - events (事件): intake, location, routing, deadlines, and every
 * later step through the workflow engine (workflow.h, wf_event).
 *
 * An event is located to the grid containing its point (the locate index);
 * it takes the grid's path, so every scoped query sees it exactly where a
 * grid user, a community, a street or the district should. A point outside
 * every grid is accepted, filed under the district and flagged `outside`
 * for the centre.
 *
 * Deadlines: each state runs under a stage (workflow.h); the category gives
 * the stage's duration in working seconds (handling per urgency); the
 * working calendar turns it into a moment. Suspension stores the working
 * time left and clears the deadline; resuming restarts it from there. An
 * approved extension adds working days to the running deadline.
 *
 * Every change goes through event_act(): the engine decides, the store
 * applies the new state, the action (timeline) and the version bump in one
 * transaction, and a concurrent change makes the second caller fail with
 * ERR_CONFLICT.
 *
 * Responsibility: the centre of one org level owns an event — its street's
 * centre (the district's for an event filed under the district) — and each
 * escalation moves it one org level up, to the district at most; `level`
 * counts the escalations. The stages of the centre (registering,
 * dispatching, verifying, closing) are the owner centre's; accepting and
 * handling are the assigned department's. Notices follow that: see
 * event_notify().
 */
#ifndef PINGAN_DOMAIN_EVENT_H
#define PINGAN_DOMAIN_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/calendar.h"
#include "core/crypt.h"
#include "core/geo.h"
#include "core/pii.h"
#include "domain/auth.h"
#include "domain/event_types.h"
#include "domain/workflow.h"

struct store;

/* What an event function needs around it. */
struct event_env {
	struct store *st;
	const struct calendar *cal;
	const struct geo_index *grids;
	long long (*now)(void);
	const char *district_path;  /* where events outside every grid are filed */
	long long escalate_grace_s; /* working seconds overdue before escalation */
	double dup_distance_m;      /* default 50 */
	long long dup_window_s;     /* default 24 h */
	/* keys for reporters' personal data (NULL: no key file; reports with
	 * personal data are then refused with ERR_UNAVAILABLE) */
	const struct crypt_keyring *keys;
	/* told of every committed report and change, after its commit (the
	 * live event stream); NULL: nobody listens */
	void (*changed)(void *ctx, const struct event *e, bool created);
	void *changed_ctx;
	/* renderings the caller keeps, for the duplicate candidates of a
	 * report (NULL: read them in full) */
	const struct event_probe *probe;
};

struct event_input {
	const char *category;
	int urgency;
	const char *title, *description, *address;
	bool has_point;
	double lon, lat;
	const char *source;
	/* the reporter's contact (NULL or empty: none); sealed with the event */
	const struct pii_contact *contact;
};

/* Parses "30m", "2h", "5d" (working days of day_s seconds) into seconds.
 * 0 or ERR_BAD_VALUE. */
int event_parse_duration(const char *s, long long day_s, long long *out);

/* Loads categories from a CSV file (share/categories/events.csv format),
 * all or nothing. 0, ERR_IO or ERR_BAD_FILE with why. */
int category_load_csv(struct store *st, const struct calendar *cal, const char *path, char *why,
		      size_t whylen);

/* Files a new event reported by who (NULL for an anonymous citizen): checks
 * the input, locates it, sets its deadline, records the "report" action.
 * *dups gets the open events of the same category within dup_distance_m
 * and dup_window_s (candidates for merging). A contact is validated
 * (pii.h) and sealed in the same transaction as the event; without one no
 * cryptography runs. ERR_BAD_VALUE / ERR_MISSING with why; ERR_UNAVAILABLE
 * for a contact when there are no keys; store errors. */
int event_create(const struct event_env *env, struct arena *a, const struct principal *who,
		 const struct event_input *in, struct event *out, struct event **dups,
		 size_t *ndups, char *why, size_t whylen);

/* Takes an action on event id as who (NULL: the system). The caller's scope
 * applies (ERR_NOT_FOUND outside it). ERR_CONFLICT (state, guard, or a
 * concurrent change, or expected_version (0: any) is not the event's
 * version: *out then holds the current event), ERR_FORBIDDEN,
 * ERR_MISSING, ERR_BAD_VALUE, with why. On success *out is the new event. */
int event_act(const struct event_env *env, struct arena *a, const struct principal *who,
	      long long id, const char *action, const struct wf_input *in, int expected_version,
	      struct event *out, char *why, size_t whylen);

/* Sets the running deadline d (0: none) of a stage allowed `total` working
 * seconds, at `now`: the yellow-warning moment is when 80 % of total is used
 * (time spent suspended does not count), the escalation moment the grace
 * after d. */
void event_set_deadline(const struct event_env *env, struct event *e, long long now, long long d,
			long long total);

/* Writes the inbox notifications (and the department's webhook deliveries)
 * of kind: "assigned", "supervised", "returned", "reopened", "warning",
 * "overdue", "escalated" or "merged", in the caller's transaction; e is the
 * event as it is after the change. Who is told:
 *   the owner centre (event_owner(); a level without centre users passes
 *     it to the nearest centre above): returned, reopened, escalated (the
 *     new level's centre), and warning/overdue in a centre stage;
 *   the assigned department's handlers and webhooks: assigned, supervised,
 *     and warning/overdue/escalated in a department stage;
 *   the department's supervisor: overdue in a department stage — its users
 *     with the leader role, or, when it has none, the leaders of the
 *     division it belongs to;
 *   the reporter: merged.
 * Nobody is told of an event outside their scope. Best effort. */
void event_notify(const struct event_env *env, const struct event *e, const char *kind,
		  long long now);

/* The org whose centre owns e at its level, into out[ORG_CODE_MAX]: the
 * event's street at level 0 (the district when the event is filed under
 * the district), one org level up per escalation, never above the
 * district. Returns the owner's depth in the tree: 0 is the district, the
 * ceiling (an escalation from there is refused). */
int event_owner(const struct event *e, char *out);

/* The department a category routes an event to, by area: "<district>Dnn",
 * or for "SDnn" the department of the event's street (the district's when
 * the event lies outside every grid). Into out[ORG_CODE_MAX]. */
void event_route(const struct event *e, const struct category *c, char *out);

/* The deadline stage's duration for an event of this category/urgency. */
long long event_stage_seconds(const struct category *c, enum wf_stage stage, int urgency);

#endif
