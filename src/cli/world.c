/*
 * world.c - what every command that handles events needs besides the
 * database: the working calendar and the event categories.
 *
 * Holiday data come one file per notice (the CSV files in share/calendar). A year
 * without data is counted with weekends only, and said so in the log, in
 * /healthz and (later) on the admin screen, until an administrator loads
 * the year's file: the State Council publishes it each November.
 */
#include "cli/cli.h"
#include "core/calendar.h"
#include "core/geo.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "domain/event.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void apply_year(void *ctx, int year, const struct cal_day *days, size_t n)
{
	char why[256];
	if (cal_replace_year(ctx, year, days, n, why, sizeof(why)))
		log_error("the entered holidays of %d are invalid (%s); the file's are used", year,
			  why);
}

struct calendar *cli_load_world(const struct config *cfg, struct store *st)
{
	struct calendar *cal = cal_new();
	char why[512];
	if (cal_set_hours(cal, cfg->working_hours, why, sizeof(why))) {
		fprintf(stderr, "pingan: working_hours: %s\n", why);
		goto fail;
	}
	struct dirent **names = NULL;
	int n = scandir(cfg->calendar_dir, &names, NULL, by_name);
	if (n < 0) {
		log_warn("no calendar folder '%s': deadlines count weekends only",
			 cfg->calendar_dir);
		n = 0;
	}
	int bad = 0;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);
		if (!bad && len > 4 && !strcmp(names[i]->d_name + len - 4, ".csv")) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", cfg->calendar_dir, names[i]->d_name);
			if (cal_load_csv(cal, path, why, sizeof(why))) {
				fprintf(stderr, "pingan: %s\n", why);
				bad = 1;
			}
		}
		free(names[i]);
	}
	free(names);
	if (bad)
		goto fail;
	/* years an administrator entered replace the files' */
	struct arena *ya = arena_new();
	store_calendar_each_year(st, ya, apply_year, cal);
	arena_free(ya);
	char gaps[64];
	cal_gaps(cal, (long long)time(NULL), gaps, sizeof(gaps));
	if (*gaps)
		log_warn("no holiday data for %s: deadlines there count weekends only; load the "
			 "State Council's notice into %s when it is published",
			 gaps, cfg->calendar_dir);

	struct arena *a = arena_new();
	struct category *cats;
	size_t ncats = 0;
	int err = store_category_list(st, a, &cats, &ncats);
	arena_free(a);
	if (!err && ncats == 0) {
		if (category_load_csv(st, cal, cfg->categories_file, why, sizeof(why))) {
			fprintf(stderr, "pingan: %s\n", why);
			goto fail;
		}
		log_info("loaded event categories from '%s'", cfg->categories_file);
	}
	return cal;
fail:
	cal_free(cal);
	return NULL;
}

struct index_ctx {
	struct geo_index *ix;
	struct arena *a;
	size_t bad;
};

static void add_grid(void *p, int64_t id, const char *code, const void *geom, size_t len)
{
	struct index_ctx *c = p;
	struct geo_shape s;
	if (geo_shape_decode(geom, len, c->a, &s)) {
		log_error("grid '%s' has a broken stored boundary; it is left out of locate", code);
		c->bad++;
		return;
	}
	geo_index_add(c->ix, id, &s);
}

struct geo_index *cli_grid_index(struct store *st)
{
	struct index_ctx ic = { geo_index_new(), arena_new(), 0 };
	store_grid_each(st, add_grid, &ic);
	geo_index_build(ic.ix);
	arena_free(ic.a);
	return ic.ix;
}
