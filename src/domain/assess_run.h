/*
 * assess_run.h - a period's assessment computed from the records: the
 * measures of every unit from the store, population, approved manual
 * items, then assess_compute() per level.
 */
#ifndef PINGAN_DOMAIN_ASSESS_RUN_H
#define PINGAN_DOMAIN_ASSESS_RUN_H

#include "core/calendar.h"
#include "domain/assess.h"
#include "store/store_assess.h"

/* Computes the levels in the mask (bit per enum assess_level) for period
 * p, district-wide (ranks need every peer; callers filter by scope).
 * out[level] gets the rows, sorted by unit. Memory from a. */
int assess_compute_levels(struct store *st, const struct calendar *cal, struct arena *a,
			  const struct assess_period *p, const struct assess_indicator *inds,
			  size_t nind, int min_cases, unsigned levels,
			  struct assess_level_result out[AL__COUNT]);

/* The row of unit in rows sorted by unit, or NULL. */
struct assess_row *assess_find_row(struct assess_row *rows, size_t n, const char *unit);

/* The stored indicators; an empty table is first filled from csv_path. */
int assess_indicators_ensure(struct store *st, struct arena *a, const char *csv_path, long long now,
			     struct assess_indicator **out, size_t *n, char *why, size_t whylen);

#endif
