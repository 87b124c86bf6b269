/*
 * store_assess.h - the assessment part of the store (sqlite_assess.c):
 * measure sums per unit, the cases behind a measure, indicator
 * definitions with their history, population, manual items, period
 * snapshots, commendations, units and designations.
 *
 * Measures are sums over event_facts (one row per event, kept by triggers
 * in migration 0005, clustered by place and report time), grouped by place,
 * department and grid worker in one read of the period. The SQL listing a
 * measure's cases is generated from the measure table; the sums apply the
 * same conditions in C in one pass, and a unit test holds the two to the
 * same counts, so the list behind a figure holds exactly the cases counted.
 *
 * Same conventions as store.h: strings from the caller's arena, 0 or a
 * negative ERR_*, scope applied in the SQL.
 */
#ifndef PINGAN_STORE_STORE_ASSESS_H
#define PINGAN_STORE_STORE_ASSESS_H

#include "core/calendar.h"
#include "domain/assess.h"
#include "store/store.h"

/* Measure sums of one (place, department, grid worker) combination. */
struct assess_group {
	const char *org_path; /* the grid's path (the district's: outside every grid) */
	const char *assignee; /* the department, "" if never dispatched */
	const char *reporter; /* the reporting grid worker's user id, "" if none */
	double m[AM__COUNT];
};

/* Sums every measure (but population) for [from, to), grouped by place,
 * department and reporting grid worker, whose combinations the caller rolls
 * up per level; working hours counted on cal. Unscoped: rankings need every
 * peer. One range read per grid and one for the cases registered in the
 * period but reported before it. */
int store_assess_groups(struct store *st, struct arena *a, const struct calendar *cal,
			long long from, long long to, struct assess_group **out, size_t *n);

/* The units of a level, in code order, as rows with unit, name and path
 * set (measures zero): orgs of the kind, or users holding grid_worker
 * (unit: their user id). Unscoped. */
int store_assess_units(struct store *st, struct arena *a, enum assess_level level,
		       struct assess_row **out, size_t *n);

struct assess_case {
	long long id;
	const char *receipt, *title, *state, *category, *org_path, *assignee;
	long long created_at, registered_at, closed_at;
	bool late;
};
/* The cases counted in measure m for unit (level, unit key: an org path,
 * a department code or a user id) in [from, to), inside the scope; newest
 * first, `limit` from `offset`; *total counts them all. */
int store_assess_cases(struct store *st, struct arena *a, const struct scope *sc,
		       enum assess_level level, const char *unit_key, enum assess_measure m,
		       long long from, long long to, long long offset, int limit,
		       struct assess_case **out, size_t *n, long long *total);

/* --- indicators --- */
/* Every indicator, by code (parsed: assess_indicator_check run on each). */
int store_assess_indicators(struct store *st, struct arena *a, struct assess_indicator **out,
			    size_t *n);
/* Inserts inds into an empty table (no-op otherwise); *loaded = how many. */
int store_assess_indicators_seed(struct store *st, const struct assess_indicator *inds, size_t n,
				 long long now, int *loaded);
/* Inserts or replaces ind (version = the stored one + 1, or 1) and records
 * the change with the JSON before ("null" for new) and after. Sets
 * ind->version. */
int store_assess_indicator_put(struct store *st, struct assess_indicator *ind, long long user_id,
			       long long now, const char *before, const char *after_fmt);
struct assess_indicator_change {
	long long id, user_id, at;
	int version;
	const char *user, *before, *after;
};
int store_assess_indicator_history(struct store *st, struct arena *a, const char *code,
				   struct assess_indicator_change **out, size_t *n);

/* --- population --- */
struct assess_population {
	const char *code, *name, *source;
	long long population;
	int year;
	long long updated_at;
};
int store_assess_population(struct store *st, struct arena *a, struct assess_population **out,
			    size_t *n);
/* Sets every row in one transaction; ERR_NOT_FOUND names no org. */
int store_assess_population_set(struct store *st, const struct assess_population *rows, size_t n,
				long long user_id, long long now);

/* --- manual items (加分/扣分) --- */
struct assess_adjustment {
	long long id;
	const char *period, *level, *unit, *unit_path;
	double points;
	const char *reason, *evidence, *status;
	long long created_by, created_at, decided_by, decided_at;
	const char *created_by_name, *decided_by_name, *decision_note;
	const char *unit_name; /* the org's name, or the grid worker's (read only) */
};
int store_assess_adjustment_add(struct store *st, struct assess_adjustment *x);
int store_assess_adjustment_get(struct store *st, struct arena *a, const struct scope *sc,
				long long id, struct assess_adjustment *out);
/* pending -> approved|rejected; ERR_CONFLICT unless pending. */
int store_assess_adjustment_decide(struct store *st, long long id, const char *status,
				   long long user_id, long long now, const char *note);
/* Of a period (NULL: every period), inside the scope, newest first. */
int store_assess_adjustments(struct store *st, struct arena *a, const struct scope *sc,
			     const char *period, struct assess_adjustment **out, size_t *n);

/* --- period snapshots --- */
struct assess_run {
	long long id;
	const char *period;
	long long from, to;
	int version;
	long long computed_at, computed_by;
	const char *computed_by_name, *reason, *definitions;
};
struct assess_level_result {
	enum assess_level level;
	struct assess_row *rows;
	size_t n;
};
/* Stores a new version of run->period with every level's rows (values of
 * inds[nind] that apply); sets run->id and run->version. */
int store_assess_run_save(struct store *st, struct assess_run *run,
			  const struct assess_indicator *inds, size_t nind,
			  const struct assess_level_result *levels, size_t nlevels);
/* A period's run: version 0 for the newest. ERR_NOT_FOUND if none. */
int store_assess_run_get(struct store *st, struct arena *a, const char *period, int version,
			 struct assess_run *out);
/* Every version of a period, newest first. */
int store_assess_runs(struct store *st, struct arena *a, const char *period,
		      struct assess_run **out, size_t *n);
/* The stored rows of a run's level inside the scope, by rank then unit;
 * v[k] filled for codes[k] (nind), with their measures JSON text in
 * measures[i * nind + k] ("{}" when absent). */
int store_assess_run_rows(struct store *st, struct arena *a, long long run_id,
			  enum assess_level level, const struct scope *sc, const char *const *codes,
			  size_t nind, struct assess_row **out, size_t *n, const char ***measures);

/* --- commendations --- */
struct assess_commendation {
	long long id;
	const char *period, *rule, *level, *unit, *name, *unit_path, *basis, *status, *note;
	double score;
	bool has_score;
	long long decided_by, decided_at;
};
/* Inserts candidates not yet listed for (period, rule, unit). */
int store_assess_commendations_add(struct store *st, const struct assess_commendation *v, size_t n);
int store_assess_commendations(struct store *st, struct arena *a, const struct scope *sc,
			       const char *period, struct assess_commendation **out, size_t *n);
/* One commendation inside the scope; ERR_NOT_FOUND if none (or outside). */
int store_assess_commendation_get(struct store *st, struct arena *a, const struct scope *sc,
				  long long id, struct assess_commendation *out);
/* candidate -> approved|rejected; ERR_CONFLICT unless a candidate in the
 * scope (store_assess_commendation_get tells which). */
int store_assess_commendation_decide(struct store *st, const struct scope *sc, long long id,
				     const char *status, long long user_id, long long now,
				     const char *note);

/* Events of units under path (a grid worker's or a place) that were late
 * in [from, to): for the "no overdue event" rule. */
int store_assess_late_count(struct store *st, enum assess_level level, const char *unit_key,
			    long long from, long long to, long long *count);

#endif
