/*
 * bench_assess.c - how long a district month of assessment takes: every
 * indicator for every level (street, community, grid, department, grid
 * worker) over N events of one month. A tool, not product code
 * (scripts/bench_assess.sh runs it; docs/performance.md has the figures).
 *
 * The database must hold a district (`pingan demo`). The month's events are
 * written as their assessment facts only (event_facts rows, what the
 * triggers of migration 0005 keep for each event): the computation reads
 * nothing else, and a million full events through the workflow would take
 * the benchmark's whole budget to load. The mix: places drawn over the
 * grids, 92 % registered, 88 % closed, 3 % merged, 4 % rejected, returns,
 * reworks, extensions and lateness a few per cent each, 30 % rated, handling
 * times up to three days (so the working-hours function does real work).
 *
 *   bench_assess --db PATH [--events N] [--rounds R] [--month YYYY-MM] [--dump FILE]
 *
 * Prints the load time, then each round's compute time and the median, and
 * one drill-down (the cases of the largest street's "due", first page).
 * --dump writes every unit's measures, indicator values, score and rank of
 * the last round to FILE, floating point in hexadecimal (%a), so the results
 * of two builds can be compared bit for bit with cmp(1).
 */
#include "cli/cli.h"
#include "core/config.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"
#include "domain/assess_run.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}
static bool chance(int per_mille)
{
	return (int)(rnd() % 1000) < per_mille;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of this process (user + system), ms: on a shared machine the
 * wall time also counts other processes' turns */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* the 1-minute load average, or -1 */
static double load1(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double l = -1;
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* column 0 of every row of sql into a NULL-terminated array */
static char **strings(sqlite3 *db, const char *sql, int *n)
{
	sqlite3_stmt *q;
	int cap = 64;
	char **v = xmalloc((size_t)cap * sizeof(*v));
	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return v;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (*n + 1 >= cap) {
			cap *= 2;
			char **nv = xmalloc((size_t)cap * sizeof(*nv));
			memcpy(nv, v, (size_t)*n * sizeof(*v));
			free(v);
			v = nv;
		}
		v[(*n)++] = xstrdup((const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	v[*n] = NULL;
	return v;
}

static void free_strings(char **v)
{
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static void dump(const char *path, const struct assess_level_result *res, size_t nind)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "bench_assess: cannot write %s\n", path);
		return;
	}
	for (int l = 0; l < AL__COUNT; l++)
		for (size_t i = 0; i < res[l].n; i++) {
			const struct assess_row *r = &res[l].rows[i];
			fprintf(f, "%s %s score %d %a rank %d %d\n",
				assess_level_name(res[l].level), r->unit, r->has_score, r->score,
				r->rank, r->tie);
			for (int m = 0; m < AM__COUNT; m++)
				fprintf(f, " %s %a", assess_measures[m].name, r->m[m]);
			fprintf(f, "\n");
			for (size_t k = 0; k < nind; k++) {
				const struct assess_value *x = &r->v[k];
				fprintf(f, " %zu: %d %d %d %a %a %a %a\n", k, x->has_value,
					x->small, x->scored, x->num, x->den, x->value, x->score);
			}
		}
	fclose(f);
}

static int load(const char *path, long long from, long long to, long long events)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return ERR_IO;
	int ngrids, ndepts, nworkers;
	char **grids =
		strings(db, "SELECT path FROM orgs WHERE kind = 'grid' ORDER BY code", &ngrids);
	char **depts = strings(db, "SELECT code FROM orgs WHERE kind = 'department'", &ndepts);
	char **workers =
		strings(db, "SELECT user_id FROM user_roles WHERE role = 'grid_worker'", &nworkers);
	int err = 0;
	if (!ngrids || !ndepts) {
		fprintf(stderr, "bench_assess: load a district first (pingan demo)\n");
		err = ERR_NOT_FOUND;
		goto out;
	}
	sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN", NULL, NULL, NULL);
	sqlite3_stmt *q;
	long long first = 1;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(event_id), 0) + 1 FROM event_facts", -1, &q,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		first = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_prepare_v2(db,
			   "INSERT INTO event_facts (event_id, org_path, assignee, reporter_id, "
			   "source, state, rating, created_at, registered_at, register_late, "
			   "dispatched_at, dispatches, returns, reworks, extensions, handled_at, "
			   "handle_late, late, closed_at) VALUES (?19, ?1, ?2, ?3, ?4, ?5, ?6, "
			   "?7, ?8, ?9, ?10, ?11, "
			   "?12, ?13, ?14, ?15, ?16, ?17, ?18)",
			   -1, &q, NULL);
	for (long long i = 0; i < events && !err; i++) {
		long long created = from + (long long)(rnd() % (unsigned long long)(to - from));
		/* one grid in twenty is a hot spot with five times the reports */
		int g = (int)(rnd() % (unsigned long long)ngrids);
		if (chance(200))
			g = (int)(rnd() % (unsigned long long)(ngrids / 20 + 1)) * 20 % ngrids;
		const char *state = "closed";
		long long reg = 0, disp = 0, handled = 0, closed = 0;
		int dispatches = 0, returns = 0, reworks = 0, ext = 0, rating = 0;
		int reg_late = chance(30), handle_late = 0;
		if (chance(30))
			state = "merged";
		else if (chance(40))
			state = "rejected";
		else if (chance(10))
			state = "reported";
		else {
			reg = created + (long long)(rnd() % 7200);
			state = chance(880) ? "closed" : chance(500) ? "handling" : "registered";
			if (strcmp(state, "registered")) {
				disp = reg + (long long)(rnd() % 3600);
				dispatches = 1;
				if (chance(30))
					returns = 1, dispatches = 2;
				if (chance(40))
					reworks = 1;
				if (chance(30))
					ext = 1;
				handle_late = chance(60);
			}
			if (!strcmp(state, "closed")) {
				handled = disp + 600 + (long long)(rnd() % (3 * 86400));
				closed = handled + (long long)(rnd() % 14400);
				if (chance(300))
					rating = chance(800) ? 5 : 1 + (int)(rnd() % 4);
			}
		}
		int late = reg_late || handle_late || chance(20);
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, grids[g], -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, dispatches ? depts[rnd() % (unsigned long long)ndepts] : "",
				  -1, SQLITE_STATIC);
		bool gw = nworkers && chance(600);
		if (gw)
			sqlite3_bind_text(q, 3, workers[rnd() % (unsigned long long)nworkers], -1,
					  SQLITE_STATIC);
		else
			sqlite3_bind_null(q, 3);
		sqlite3_bind_text(q, 4, gw ? "grid_worker" : "citizen", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, state, -1, SQLITE_STATIC);
		if (rating)
			sqlite3_bind_int(q, 6, rating);
		else
			sqlite3_bind_null(q, 6);
		sqlite3_bind_int64(q, 7, created);
#define OPT(k, v)                                    \
	do {                                         \
		if (v)                               \
			sqlite3_bind_int64(q, k, v); \
		else                                 \
			sqlite3_bind_null(q, k);     \
	} while (0)
		OPT(8, reg);
		sqlite3_bind_int(q, 9, reg ? reg_late : 0);
		OPT(10, disp);
		sqlite3_bind_int(q, 11, dispatches);
		sqlite3_bind_int(q, 12, returns);
		sqlite3_bind_int(q, 13, reworks);
		sqlite3_bind_int(q, 14, ext);
		OPT(15, handled);
		sqlite3_bind_int(q, 16, handle_late);
		sqlite3_bind_int(q, 17, late);
		OPT(18, closed);
#undef OPT
		sqlite3_bind_int64(q, 19, first + i);
		if (sqlite3_step(q) != SQLITE_DONE) {
			fprintf(stderr, "bench_assess: %s\n", sqlite3_errmsg(db));
			err = ERR_DB;
		}
	}
	sqlite3_finalize(q);
	sqlite3_exec(db, err ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	sqlite3_exec(db, "ANALYZE", NULL, NULL, NULL);
out:
	free_strings(grids);
	free_strings(depts);
	free_strings(workers);
	sqlite3_close(db);
	return err;
}

int main(int argc, char **argv)
{
	struct config cfg;
	config_init(&cfg);
	long long events = 1000000, rounds = 5;
	const char *month = "2026-10", *dump_file = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		char why[256];
		if (!strcmp(argv[i], "--events"))
			str_to_ll(argv[i + 1], 0, 100000000, &events);
		else if (!strcmp(argv[i], "--rounds"))
			str_to_ll(argv[i + 1], 1, 1000, &rounds);
		else if (!strcmp(argv[i], "--month"))
			month = argv[i + 1];
		else if (!strcmp(argv[i], "--dump"))
			dump_file = argv[i + 1];
		else if (config_set(&cfg, argv[i] + 2, argv[i + 1], "flag", why, sizeof(why))) {
			fprintf(stderr, "bench_assess: %s\n", why);
			return 2;
		}
	}
	struct assess_period p;
	if (assess_period_parse(month, &p)) {
		fprintf(stderr, "bench_assess: --month YYYY-MM\n");
		return 2;
	}
	char why[256];
	struct store *st;
	if (store_open(cfg.db, 2, &st, why, sizeof(why))) {
		fprintf(stderr, "bench_assess: %s\n", why);
		return 1;
	}
	struct calendar *cal = cli_load_world(&cfg, st);
	if (!cal)
		return 1;
	if (events) {
		double t0 = now_ms();
		if (load(cfg.db, p.from, p.to, events))
			return 1;
		printf("loaded %lld events' facts into %s in %.0f ms\n", events, p.key,
		       now_ms() - t0);
	}
	struct arena *a = arena_new();
	struct assess_indicator *inds;
	size_t nind;
	if (assess_indicators_ensure(st, a, cfg.indicators_file, (long long)time(NULL), &inds,
				     &nind, why, sizeof(why))) {
		fprintf(stderr, "bench_assess: indicators: %s\n", why);
		return 1;
	}
	double *ms = xcalloc((size_t)rounds, sizeof(double));
	double *cpu = xcalloc((size_t)rounds, sizeof(double));
	size_t nrows = 0;
	struct assess_level_result res[AL__COUNT];
	for (long long r = 0; r < rounds; r++) {
		struct arena *ra = arena_new();
		double t0 = now_ms(), c0 = cpu_ms();
		int err = assess_compute_levels(st, cal, ra, &p, inds, nind,
						(int)cfg.assess_min_cases, (1u << AL__COUNT) - 1,
						res);
		ms[r] = now_ms() - t0;
		cpu[r] = cpu_ms() - c0;
		if (err) {
			fprintf(stderr, "bench_assess: compute: %s\n", err_name(err));
			return 1;
		}
		nrows = 0;
		for (int l = 0; l < AL__COUNT; l++)
			nrows += res[l].n;
		printf("round %lld: every indicator for every level (%zu units) in %.0f ms "
		       "(%.0f ms of CPU), load average %.2f\n",
		       r + 1, nrows, ms[r], cpu[r], load1());
		if (dump_file && r == rounds - 1)
			dump(dump_file, res, nind);
		arena_free(ra);
	}
	qsort(ms, (size_t)rounds, sizeof(double), cmp_double);
	qsort(cpu, (size_t)rounds, sizeof(double), cmp_double);
	printf("median: %.0f ms (min %.0f, max %.0f), CPU %.0f ms (min %.0f), for %s\n",
	       ms[rounds / 2], ms[0], ms[rounds - 1], cpu[rounds / 2], cpu[0], p.key);
	/* one drill-down page: the due cases of the first street */
	struct assess_row *streets;
	size_t ns;
	if (!store_assess_units(st, a, AL_STREET, &streets, &ns) && ns) {
		struct scope all = { .all = true };
		struct assess_case *cs;
		size_t nc;
		long long total;
		double t0 = now_ms();
		int err = store_assess_cases(st, a, &all, AL_STREET, streets[0].path, AM_DUE,
					     p.from, p.to, 0, 50, &cs, &nc, &total);
		/* facts-only rows have no events row to list: the page is empty here */
		printf("drill-down: %lld due cases of %s counted, a page of %zu read, in %.0f ms "
		       "(%s)\n",
		       total, streets[0].unit, nc, now_ms() - t0, err ? err_name(err) : "ok");
	}
	free(ms);
	free(cpu);
	arena_free(a);
	cal_free(cal);
	store_close(st);
	config_release(&cfg);
	return 0;
}
