/*
 * h_system.c - /healthz and /metrics.
 */
#include "api/api.h"
#include "api/evcache.h"
#include "core/str.h"
#include "http/metrics.h"

#include <string.h>

int h_healthz(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	/* no version, schema or library version here: a banner helps only an
	 * attacker; administrators read them in GET /api/v1/me */
	json_t *j = json_pack("{s:s,s:I,s:I,s:I}", "status", "ok", "db_bytes",
			      (json_int_t)store_size(app->st), "grids",
			      (json_int_t)(api_grids(app) ? geo_index_count(api_grids(app)) : 0),
			      "uptime_s", (json_int_t)(app->now() - (long long)app->started));
	if (app->cal) {
		int years[64];
		size_t n = cal_years(app->cal, years, 64);
		json_t *ys = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(ys, json_integer(years[i]));
		json_t *c = json_pack("{s:o}", "years", ys);
		char gaps[64];
		cal_gaps(app->cal, app->now(), gaps, sizeof(gaps));
		if (*gaps)
			json_object_set_new(
				c, "warning",
				json_string(arena_printf(r->arena,
							 "no holiday data for %s: deadlines "
							 "count weekends only",
							 gaps)));
		json_object_set_new(j, "calendar", c);
	}
	http_reply_json(r, 200, j);
	return 0;
}

static void free_buf(void *p)
{
	free(p);
}

int h_metrics(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct strbuf sb = STRBUF_INIT;
	metrics_render(&sb);
	strbuf_addf(&sb,
		    "# HELP pingan_db_size_bytes Database size (main file and WAL).\n"
		    "# TYPE pingan_db_size_bytes gauge\npingan_db_size_bytes %lld\n",
		    store_size(app->st));
	unsigned long long writes, commits, syncs;
	store_group_stats(app->st, &writes, &commits, &syncs);
	strbuf_addf(&sb,
		    "# HELP pingan_db_writes_total Writes acknowledged durable.\n"
		    "# TYPE pingan_db_writes_total counter\npingan_db_writes_total %llu\n"
		    "# HELP pingan_db_commits_total Commits (groups of writes).\n"
		    "# TYPE pingan_db_commits_total counter\npingan_db_commits_total %llu\n"
		    "# HELP pingan_db_syncs_total Flushes of the write-ahead log to disk.\n"
		    "# TYPE pingan_db_syncs_total counter\npingan_db_syncs_total %llu\n",
		    writes, commits, syncs);
	if (app->evc) {
		unsigned long long hits, misses;
		evcache_stats(app->evc, &hits, &misses);
		strbuf_addf(&sb,
			    "# HELP pingan_event_cache_hits_total Events rendered from the cache.\n"
			    "# TYPE pingan_event_cache_hits_total counter\n"
			    "pingan_event_cache_hits_total %llu\n"
			    "# HELP pingan_event_cache_misses_total Events read and rendered.\n"
			    "# TYPE pingan_event_cache_misses_total counter\n"
			    "pingan_event_cache_misses_total %llu\n",
			    hits, misses);
	}
	strbuf_addf(&sb,
		    "# HELP pingan_grids Grids in the locate index.\n"
		    "# TYPE pingan_grids gauge\npingan_grids %zu\n",
		    api_grids(app) ? geo_index_count(api_grids(app)) : 0);
	size_t len;
	char *text = strbuf_detach(&sb, &len);
	arena_defer(r->arena, free_buf, text);
	http_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	return 0;
}
