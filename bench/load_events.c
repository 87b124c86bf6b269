/*
 * load_events.c - fills a demo database with N synthetic events, fast, for
 * the benchmarks (scripts/bench.sh). A tool, not product code.
 *
 * The database must already hold a district (`pingan demo`): its grids,
 * categories and users. Each event is a random point inside a grid (drawn
 * by rejection in the grid's box, hot-spot grids drawn more often), located
 * with the same grid index the server builds (cli_grid_index), so grid,
 * org_path and the routed department are what event_create() would have
 * written. Reports are spread over the year before now, in time order (ids
 * grow with created_at, as in production), mostly in the daytime, with
 * categories following the seasons like the demo's.
 *
 * States: reports of the last week are mostly open (reported ... verified,
 * returned, suspended), older ones mostly closed, with some rejected, voided
 * and merged ones and a small overdue backlog. Open events carry deadlines
 * from the working calendar; warnings, overdue marks and escalations that
 * are already due are applied here as the scheduler would have, so the
 * server does not spend the benchmark catching up on them.
 *
 * Every row goes through store_event_insert() as a new report (state
 * "reported" and its "report" action, with the search and roll-up triggers
 * and the indexes), then, unless it stays reported, store_event_update() to
 * its state (assignee, deadline, closed_at, rating, warnings, merged_into),
 * which the roll-up triggers count as the transition it is. Only the
 * "report" action is written: a closed event's timeline is shorter than a
 * real one (one action row instead of about eight, see docs/performance.md).
 * Rows are committed in batches (default 10 000).
 *
 *   build/load_events --db PATH [--events N] [--batch B] [--seed S]
 *
 * --db and the other `pingan` settings (calendar_dir, ...) are read like
 * the server reads them. Prints progress, rows/s and the database size.
 */
#include "cli/cli.h"
#include "core/calendar.h"
#include "core/config.h"
#include "core/err.h"
#include "core/geo.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "domain/event.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* xorshift64*, seeded: two runs with the same seed and clock make the same rows */
static unsigned long long rng_state;
static unsigned long long rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
static double unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}
static long long between(long long lo, long long hi)
{
	return lo + (long long)(unif() * (double)(hi - lo + 1));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* the demo's titles (src/cli/demo_events.c), so searches find what they would */
static const char *const titles[][3] = {
	{ "0101", "违章搭建彩钢棚", "居民在小区绿地旁加建彩钢棚" },
	{ "0102", "垃圾桶满溢", "垃圾桶已满，周边散落垃圾" },
	{ "0103", "路面油污", "路面大面积油污，行人易滑倒" },
	{ "0104", "建材堆放占道", "装修建材堆放在人行道上" },
	{ "0201", "墙面张贴小广告", "单元门口及墙面张贴大量小广告" },
	{ "0202", "广告牌破损", "临街广告牌破损松动，存在坠落风险" },
	{ "0301", "夜间施工噪声", "工地夜间十点后仍在施工" },
	{ "0302", "道路破损坑洼", "路面出现坑洼，影响车辆通行" },
	{ "0303", "渣土车撒漏", "渣土车沿路撒漏泥土" },
	{ "0401", "楼道堆放杂物", "楼道内堆放纸箱等易燃杂物" },
	{ "0402", "疑似燃气泄漏", "居民反映楼道内有燃气异味" },
	{ "0403", "路段积水", "暴雨后路段积水较深" },
	{ "0501", "占道摆摊", "流动摊贩在路口占道经营" },
	{ "0502", "无照经营小店", "临街店铺无营业执照经营" },
	{ "0503", "车辆乱停放", "机动车停放在消防通道上" },
	{ "0601", "广场舞噪声", "夜间广场舞音响声音过大" },
	{ "0602", "餐饮油烟扰民", "餐馆油烟直排，影响楼上住户" },
	{ "0603", "河道漂浮物", "河道内有较多漂浮垃圾" },
	{ "0701", "路灯损坏", "小区道路路灯损坏，夜间照明不足" },
	{ "0702", "群租房隐患", "一套住房内居住人数过多" },
	{ "0801", "邻里漏水纠纷", "楼上漏水导致楼下墙面受损，双方协商未果" },
	{ "0802", "物业费纠纷", "业主与物业就收费标准产生争议" },
};

/* seasonal weight of a category class by month (1-12), as in the demo */
static double season(const char *code, int month)
{
	static const struct {
		const char *prefix;
		double w[12];
	} table[] = {
		{ "0403", { .2, .2, .4, .8, 1.5, 3, 3.5, 3, 1.5, .6, .3, .2 } },
		{ "0401", { 2, 2, 1.5, 1, .8, .6, .6, .6, .8, 1, 1.5, 2 } },
		{ "0601", { .6, .6, .8, 1, 1.3, 1.6, 1.8, 1.8, 1.3, 1, .8, .6 } },
		{ "03", { .5, .4, 1.3, 1.5, 1.3, 1, .8, .8, 1.3, 1.5, 1.2, .7 } },
		{ "0102", { 1.4, 1.6, 1, 1, 1, 1.2, 1.3, 1.3, 1, 1.2, 1, 1.3 } },
	};
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (str_starts_with(code, table[i].prefix))
			return table[i].w[month - 1];
	return 1;
}

struct cat_pick {
	const struct category *c;
	const char *title, *description;
};

struct grid_pick {
	struct geo_shape shape;
	double weight;
};

/* where a located point belongs, by grid index id */
struct located {
	const char *code, *path, *community;
};

struct loader {
	struct store *st;
	struct event_env env;
	struct grid_pick *grids;
	size_t ngrids;
	double gsum;
	struct located *by_id; /* indexed by store grid id */
	size_t nby_id;
	struct cat_pick *cats;
	size_t ncats;
	long long reporter; /* gridworker's user id */
	const char *reporter_name;
	long long now;
	long long last_id; /* the previous event, for merges */
	long long updates, conflicts;
};

static struct geo_point point_in(const struct grid_pick *g)
{
	const struct geo_shape *s = &g->shape;
	for (int i = 0; i < 200; i++) {
		struct geo_point p = { s->minx + unif() * (s->maxx - s->minx),
				       s->miny + unif() * (s->maxy - s->miny) };
		if (geo_point_in_shape(s, p))
			return p;
	}
	return s->polys[0].rings[0].pts[0];
}

/* a category for a report at t, weighted by season */
static const struct cat_pick *pick_category(const struct loader *L, long long t)
{
	int y, m, d;
	cal_civil(cal_day_of(t), &y, &m, &d);
	for (int tries = 0; tries < 50; tries++) {
		const struct cat_pick *c = &L->cats[rnd() % L->ncats];
		if (unif() * 3.5 < season(c->c->code, m))
			return c;
	}
	return &L->cats[0];
}

/* "PA" and 10 characters without look-alikes, like event.c's receipts */
static void receipt(char out[16])
{
	static const char set[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	unsigned long long r = rnd();
	out[0] = 'P';
	out[1] = 'A';
	for (int i = 0; i < 10; i++, r >>= 5)
		out[2 + i] = set[r & 31];
	out[12] = '\0';
}

/* State by age: the last week is mostly open, the rest mostly closed. */
static int pick_state(long long age)
{
	double r = unif();
	if (age < 7 * 86400) {
		static const struct {
			double upto;
			int state;
		} recent[] = { { .08, EV_REPORTED }, { .15, EV_REGISTERED }, { .25, EV_DISPATCHED },
			       { .60, EV_HANDLING }, { .72, EV_HANDLED },    { .80, EV_VERIFIED },
			       { .82, EV_RETURNED }, { .85, EV_SUSPENDED },  { 1, EV_CLOSED } };
		for (size_t i = 0; i < ARRAY_SIZE(recent); i++)
			if (r < recent[i].upto)
				return recent[i].state;
		return EV_CLOSED;
	}
	return r < .04    ? EV_REJECTED
	       : r < .06  ? EV_VOIDED
	       : r < .09  ? EV_MERGED
	       : r < .10  ? EV_HANDLING /* the overdue backlog */
	       : r < .105 ? EV_SUSPENDED
			  : EV_CLOSED;
}

/* The deadline of an open state's stage started at start, with the marks
 * the scheduler would have made by now. */
static void open_deadline(const struct loader *L, struct event *e, const struct category *c,
			  long long start)
{
	const struct wf_state *s = &wf_event.states[e->state];
	e->stage_started_at = start;
	if (s->flags & WF_PAUSED) {
		e->paused_left = between(3600, 3 * 86400);
		return;
	}
	long long secs = event_stage_seconds(c, s->stage, e->urgency);
	if (!secs)
		return;
	event_set_deadline(&L->env, e, start, cal_add(L->env.cal, start, secs), secs);
	if (e->escalate_at && e->escalate_at <= L->now) {
		e->escalate_at = 0;
		e->level = 1;
	}
	if (e->deadline_at <= L->now) {
		e->warn = 2;
		e->warn_at = 0;
	} else if (e->warn_at && e->warn_at <= L->now) {
		e->warn = 1;
		e->warn_at = 0;
	}
}

/* One event reported at t; 0 or an error. */
static int load_one(struct loader *L, struct arena *a, long long t)
{
	const struct cat_pick *cp = pick_category(L, t);
	const struct category *c = cp->c;
	struct event e = { 0 };
	char rc[16];
	e.category = c->code;
	e.urgency = unif() < 0.08 ? 2 : unif() < 0.02 ? 3 : 1;
	e.title = cp->title;
	e.description = cp->description;
	e.created_at = e.updated_at = e.stage_started_at = t;
	e.source = unif() < 0.3 ? "citizen" : "grid_worker";
	e.reporter_id = strcmp(e.source, "citizen") ? L->reporter : 0;

	/* where: a grid by weight, a point in it, located like event_create() */
	double pick = unif() * L->gsum;
	size_t g = 0;
	while (g + 1 < L->ngrids && (pick -= L->grids[g].weight) > 0)
		g++;
	struct geo_point p = point_in(&L->grids[g]);
	int64_t gid = geo_index_locate(L->env.grids, p);
	e.has_point = true;
	e.lon = p.x;
	e.lat = p.y;
	if (gid >= 0 && (size_t)gid < L->nby_id && L->by_id[gid].code) {
		e.grid_code = L->by_id[gid].code;
		e.org_path = L->by_id[gid].path;
		e.address = arena_printf(a, "%s附近", L->by_id[gid].community);
	} else {
		e.grid_code = "";
		e.org_path = L->env.district_path;
		e.outside = true;
		e.address = "";
	}

	e.state = pick_state(L->now - t);
	if (e.state == EV_MERGED && !L->last_id)
		e.state = EV_REJECTED;
	char route[ORG_CODE_MAX];
	event_route(&e, c, route);
	bool assigned = e.state != EV_REPORTED && e.state != EV_REGISTERED &&
			e.state != EV_REJECTED && e.state != EV_VOIDED && e.state != EV_MERGED;
	e.assignee = assigned ? arena_strdup(a, route) : "";
	bool more = false; /* needs an update after the insert */
	if (wf_event.states[e.state].flags & WF_TERMINAL) {
		/* finished: after hours (register, reject, merge) or days (closed) */
		long long done = t + (e.state == EV_CLOSED ? between(4 * 3600, 6 * 86400)
							   : between(600, 4 * 3600));
		if (done > L->now)
			done = L->now;
		e.stage_started_at = e.updated_at = done;
		if (e.state == EV_CLOSED) {
			e.closed_at = done;
			if (e.reporter_id && unif() < 0.5)
				e.rating = unif() < 0.8 ? 5 : unif() < 0.7 ? 4 : 3;
		}
		if (e.state == EV_MERGED)
			e.merged_into = L->last_id;
		more = true;
	} else {
		/* open: its current stage started some time after the report */
		long long start = t;
		if (e.state != EV_REPORTED)
			start += between(600, (L->now - t) / 2 + 600);
		if (start > L->now)
			start = L->now;
		open_deadline(L, &e, c, start);
		e.updated_at = start;
		more = e.warn || e.level || e.paused_left || start != t || e.state != EV_REPORTED;
	}

	struct event_action act = { .at = t,
				    .actor_id = e.reporter_id,
				    .actor = e.reporter_id ? L->reporter_name : "citizen",
				    .action = "report",
				    .from = "",
				    .to = "reported",
				    .note = e.outside ? "outside every grid" : "" };
	/* the insert files the report as event_create() does (state "reported",
	 * its "report" action, no assignee yet); the update then moves it to its
	 * state with the rest (assignee, deadline, closed_at, rating, warnings,
	 * merged_into), so the roll-up triggers see a transition like any other */
	struct event ins = e;
	if (e.state != EV_REPORTED) {
		ins.state = EV_REPORTED;
		ins.assignee = "";
		ins.stage_started_at = ins.updated_at = t;
		ins.deadline_at = ins.warn_at = ins.escalate_at = ins.stage_total = 0;
		more = true;
	}
	int err;
	for (int tries = 0;; tries++) {
		receipt(rc);
		ins.receipt = rc;
		err = store_event_insert(L->st, &ins, &act);
		if (err != ERR_CONFLICT || tries == 5)
			break;
		L->conflicts++; /* a receipt drawn twice: draw another */
	}
	if (err)
		return err;
	e.id = ins.id;
	e.receipt = rc;
	if (more) {
		if ((err = store_event_update(L->st, &e, ins.version, NULL)))
			return err;
		L->updates++;
	}
	L->last_id = e.id;
	return 0;
}

/* Report times for events [i, i + n) of total over [start, end), unsorted;
 * three night reports in four move into the day (07:00-21:00 local). */
static void report_times(long long *out, long long i, long long n, long long total, long long start,
			 long long end)
{
	double span = (double)(end - start);
	long long lo = start + (long long)(span * (double)i / (double)total);
	long long hi = start + (long long)(span * (double)(i + n) / (double)total);
	for (long long k = 0; k < n; k++) {
		long long t = lo + (long long)(unif() * (double)(hi - lo));
		long long local = (t + CAL_TZ_OFFSET) % 86400;
		/* move most night reports into the same day's daytime */
		if ((local < 7 * 3600 || local >= 21 * 3600) && unif() < 0.75) {
			long long day0 = t - local;
			long long moved = day0 + between(7 * 3600, 21 * 3600 - 1);
			if (moved >= lo && moved < hi)
				t = moved;
		}
		out[k] = t;
	}
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static int setup(struct loader *L, struct arena *a, const struct config *cfg)
{
	struct scope all = { .all = true };
	struct org root;
	struct grid *grids;
	struct category *cats;
	size_t ncats;
	if (store_org_root(L->st, a, &root) ||
	    store_grid_list(L->st, a, &all, root.code, &grids, &L->ngrids) || !L->ngrids ||
	    store_category_list(L->st, a, &cats, &ncats)) {
		fprintf(stderr,
			"load_events: '%s' has no district with grids and categories; "
			"run `pingan --db %s demo --district 330108` first\n",
			cfg->db, cfg->db);
		return -1;
	}
	L->env.district_path = root.path;
	L->grids = arena_zalloc(a, L->ngrids * sizeof(*L->grids));
	for (size_t i = 0; i < L->ngrids; i++) {
		if (geo_shape_decode(grids[i].geom, grids[i].geom_len, a, &L->grids[i].shape)) {
			fprintf(stderr, "load_events: grid '%s' has a bad boundary\n",
				grids[i].org.code);
			return -1;
		}
		/* hot spots: one grid in twenty draws five times the reports */
		L->grids[i].weight = (i % 20 == 7) ? 5.0 : 0.6 + unif();
		L->gsum += L->grids[i].weight;
	}
	/* index ids are the store's grid ids: map each to its org once */
	L->env.grids = cli_grid_index(L->st);
	if (!L->env.grids || !geo_index_count(L->env.grids)) {
		fprintf(stderr, "load_events: no grid index\n");
		return -1;
	}
	L->nby_id = 0;
	for (int64_t id = 0, found = 0; found < (int64_t)L->ngrids && id < 1000000; id++) {
		struct grid g;
		if (store_grid_by_id(L->st, a, &all, id, &g))
			continue;
		if ((size_t)id >= L->nby_id) {
			size_t n = (size_t)id * 2 + 64;
			struct located *v = arena_zalloc(a, n * sizeof(*v));
			if (L->nby_id)
				memcpy(v, L->by_id, L->nby_id * sizeof(*v));
			L->by_id = v;
			L->nby_id = n;
		}
		L->by_id[id] =
			(struct located){ arena_strdup(a, g.org.code), g.org.path, g.community };
		found++;
	}
	/* the categories people report under (4 digits, enabled) */
	L->cats = arena_zalloc(a, ncats * sizeof(*L->cats));
	for (size_t i = 0; i < ncats; i++) {
		if (!*cats[i].parent || !cats[i].enabled)
			continue;
		struct cat_pick *p = &L->cats[L->ncats++];
		p->c = &cats[i];
		p->title = cats[i].name;
		p->description = "";
		for (size_t k = 0; k < ARRAY_SIZE(titles); k++)
			if (!strcmp(titles[k][0], cats[i].code)) {
				p->title = titles[k][1];
				p->description = titles[k][2];
			}
	}
	if (!L->ncats) {
		fprintf(stderr, "load_events: no enabled categories\n");
		return -1;
	}
	struct user u;
	if (store_user_get_by_name(L->st, a, "gridworker", &u)) {
		fprintf(stderr, "load_events: the demo user 'gridworker' is missing\n");
		return -1;
	}
	L->reporter = u.id;
	L->reporter_name = u.username;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: load_events --db PATH [--events N] [--batch B] [--seed S]\n");
}

int main(int argc, char **argv)
{
	struct config cfg;
	char why[512];
	config_init(&cfg);
	int n = argc - 1;
	char **args = argv + 1;
	if (config_load(&cfg, &n, args, why, sizeof(why))) {
		fprintf(stderr, "load_events: %s\n", why);
		return 2;
	}
	long long count = 1000000, batch = 10000, seed = 20261125;
	for (int i = 0; i < n; i++) {
		long long *dst = !strcmp(args[i], "--events")  ? &count
				 : !strcmp(args[i], "--batch") ? &batch
				 : !strcmp(args[i], "--seed")  ? &seed
							       : NULL;
		if (!dst || i + 1 >= n || str_to_ll(args[++i], 1, 1000000000, dst)) {
			usage();
			return 2;
		}
	}
	log_set_level(LOG_WARN);
	rng_state = (unsigned long long)seed * 0x9e3779b97f4a7c15ULL | 1;

	int rc = 1;
	struct arena *a = arena_new();
	struct loader L = { .now = (long long)time(NULL) };
	struct calendar *cal = NULL;
	long long *times = NULL;
	L.st = cli_open_store(&cfg);
	if (!L.st)
		goto out;
	if (!(cal = cli_load_world(&cfg, L.st)) || setup(&L, a, &cfg))
		goto out;
	L.env.st = L.st;
	L.env.cal = cal;
	L.env.escalate_grace_s = cfg.escalate_grace_minutes * 60;
	L.env.dup_distance_m = (double)cfg.dup_distance_m;
	L.env.dup_window_s = cfg.dup_window_hours * 3600;
	long long size0 = store_size(L.st);

	long long end = L.now, start = end - 365LL * 86400;
	times = xmalloc((size_t)batch * sizeof(*times));
	double t0 = now_s(), tb = t0;
	long long done = 0, done_b = 0;
	printf("load_events: %lld events into '%s' over %zu grids, %zu categories, batches of "
	       "%lld\n",
	       count, cfg.db, L.ngrids, L.ncats, batch);
	fflush(stdout);
	while (done < count) {
		long long k = count - done < batch ? count - done : batch;
		report_times(times, done, k, count, start, end);
		qsort(times, (size_t)k, sizeof(*times), cmp_ll);
		struct arena *ba = arena_new();
		int err = store_begin_bulk(L.st);
		for (long long i = 0; !err && i < k; i++)
			err = load_one(&L, ba, times[i]);
		if (err) {
			store_rollback(L.st);
			fprintf(stderr, "load_events: event %lld: %s\n", done + 1,
				err_message(err));
			arena_free(ba);
			goto out;
		}
		if ((err = store_commit(L.st))) {
			fprintf(stderr, "load_events: commit: %s\n", err_message(err));
			arena_free(ba);
			goto out;
		}
		arena_free(ba);
		done += k;
		if (done - done_b >= 100000 || done == count) {
			double t = now_s();
			printf("  %9lld events  %8.0f rows/s overall  %8.0f rows/s lately\n", done,
			       (double)done / (t - t0), (double)(done - done_b) / (t - tb));
			fflush(stdout);
			tb = t;
			done_b = done;
		}
	}
	double secs = now_s() - t0;
	store_checkpoint(L.st);
	long long size = store_size(L.st);
	printf("load_events: %lld events in %.1f s: %.0f rows/s (each an event, its report action "
	       "and "
	       "its search terms; %lld also updated to their state; %lld receipts redrawn)\n",
	       count, secs, (double)count / secs, L.updates, L.conflicts);
	printf("load_events: database %.1f MB (%.1f MB before; %.0f bytes per event)\n",
	       (double)size / 1048576, (double)size0 / 1048576,
	       (double)(size - size0) / (double)count);
	rc = 0;
out:
	free(times);
	if (L.env.grids)
		geo_index_free((struct geo_index *)L.env.grids);
	cal_free(cal);
	store_close(L.st);
	arena_free(a);
	config_release(&cfg);
	return rc;
}
