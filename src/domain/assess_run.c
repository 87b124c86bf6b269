/*
 * assess_run.c - computing a period's results from the records; see
 * assess_run.h.
 *
 * One read of the period's facts, grouped by (grid, department, grid
 * worker): a few thousand sums whatever the number of events, rolled up
 * here into streets, communities and grids (by the code at the level's
 * depth of the path), departments and grid workers.
 */
#include "domain/assess_run.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"

#include <stdlib.h>
#include <string.h>

static int by_unit(const void *a, const void *b)
{
	return strcmp(((const struct assess_row *)a)->unit, ((const struct assess_row *)b)->unit);
}

struct assess_row *assess_find_row(struct assess_row *rows, size_t n, const char *unit)
{
	struct assess_row key;
	str_copy(key.unit, sizeof(key.unit), unit);
	return bsearch(&key, rows, n, sizeof(*rows), by_unit);
}

/* the code at depth d of "/330108/330108001/.../" (0: the district) */
static bool path_code(const char *path, int d, char *out, size_t size)
{
	const char *p = path;
	for (int i = 0; i <= d; i++) {
		if (*p != '/')
			return false;
		const char *s = p + 1, *e = strchr(s, '/');
		if (!e || e == s)
			return false;
		if (i == d) {
			size_t n = (size_t)(e - s);
			if (n >= size)
				return false;
			memcpy(out, s, n);
			out[n] = '\0';
			return true;
		}
		p = e;
	}
	return false;
}

static void add_measures(struct assess_row *r, const double *m)
{
	for (int k = 0; k < AM__COUNT; k++)
		if (k != AM_POPULATION)
			r->m[k] += m[k];
}

int assess_compute_levels(struct store *st, const struct calendar *cal, struct arena *a,
			  const struct assess_period *p, const struct assess_indicator *inds,
			  size_t nind, int min_cases, unsigned levels,
			  struct assess_level_result out[AL__COUNT])
{
	struct assess_group *groups;
	size_t ngroups;
	struct assess_population *pop;
	size_t npop;
	struct assess_adjustment *adj;
	size_t nadj;
	struct scope all = { .all = true };
	int err;
	if ((err = store_assess_population(st, a, &pop, &npop)) ||
	    (err = store_assess_adjustments(st, a, &all, p->key, &adj, &nadj)) ||
	    (err = store_assess_groups(st, a, cal, p->from, p->to, &groups, &ngroups)))
		return err;
	for (int l = 0; l < AL__COUNT; l++) {
		struct assess_level_result *res = &out[l];
		memset(res, 0, sizeof(*res));
		res->level = (enum assess_level)l;
		if (!(levels & (1u << l)))
			continue;
		if ((err = store_assess_units(st, a, (enum assess_level)l, &res->rows, &res->n)))
			return err;
		qsort(res->rows, res->n, sizeof(*res->rows), by_unit);
		for (size_t i = 0; i < ngroups; i++) {
			char code[ORG_CODE_MAX];
			const char *key;
			if (l == AL_DEPARTMENT) {
				key = groups[i].assignee;
			} else if (l == AL_GRID_WORKER) {
				key = groups[i].reporter;
			} else {
				/* the code at the level's depth: street 1, community 2, grid 3 */
				if (!path_code(groups[i].org_path, l + 1, code, sizeof(code)))
					continue;
				key = code;
			}
			struct assess_row *r =
				*key ? assess_find_row(res->rows, res->n, key) : NULL;
			if (r)
				add_measures(r, groups[i].m);
		}
		for (size_t i = 0; i < npop; i++) {
			struct assess_row *r = assess_find_row(res->rows, res->n, pop[i].code);
			if (r && l <= AL_GRID)
				r->m[AM_POPULATION] = (double)pop[i].population;
		}
		for (size_t i = 0; i < nadj; i++) {
			if (strcmp(adj[i].status, "approved") ||
			    strcmp(adj[i].level, assess_level_name((enum assess_level)l)))
				continue;
			struct assess_row *r = assess_find_row(res->rows, res->n, adj[i].unit);
			if (r)
				r->manual += adj[i].points;
		}
		assess_compute(a, (enum assess_level)l, inds, nind, min_cases, res->rows, res->n);
	}
	return 0;
}

int assess_indicators_ensure(struct store *st, struct arena *a, const char *csv_path, long long now,
			     struct assess_indicator **out, size_t *n, char *why, size_t whylen)
{
	int err = store_assess_indicators(st, a, out, n);
	if (err || *n)
		return err;
	struct assess_indicator *v;
	size_t nv;
	if ((err = assess_indicators_load_csv(csv_path, a, &v, &nv, why, whylen)))
		return err;
	int loaded;
	if ((err = store_assess_indicators_seed(st, v, nv, now, &loaded)))
		return err;
	return store_assess_indicators(st, a, out, n);
}
