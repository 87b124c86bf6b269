/*
 * scheduler.h - timed work on events: the yellow warning at 80 % of a
 * stage's working time, the red overdue mark at its deadline, and the
 * escalation one org level up (street to district) after the grace, once
 * per stage. Each is recorded on the event's timeline (actor "system").
 * Warnings and overdue marks tell whoever owns the stage — the owner
 * centre, or the assigned department, and for overdue work also the
 * department's supervisor; an escalation tells the centre of the new level
 * (event_notify()). Work overdue at the district, the top level, is not
 * escalated: the timeline records `escalation_stopped` instead.
 *
 * sched_tick() does one pass with the time it is given, so tests move the
 * clock by calling it with a later `now`; `pingan serve` runs it from a
 * thread every `scheduler_interval` seconds.
 */
#ifndef PINGAN_DOMAIN_SCHEDULER_H
#define PINGAN_DOMAIN_SCHEDULER_H

#include "domain/event.h"

struct sched_result {
	int warned, overdue, escalated;
	int stopped; /* overdue past the grace at the top level: not escalated */
};

/* One pass over everything due at `now`. 0 or a store error. */
int sched_tick(const struct event_env *env, long long now, struct sched_result *res);

#endif
