/*
 * demo_events.c - a year of events for the demo district, made by the
 * engine itself.
 *
 * Every event is reported, registered, dispatched, accepted, handled,
 * verified and closed (or rejected, merged, voided, returned, reworked...)
 * through event_create() and event_act(), by the demo users, on a simulated
 * clock; the scheduler runs every simulated hour, so warnings, overdue marks
 * and escalations come from the real rules. Every timeline is therefore one
 * the product could have written.
 *
 * What is made up: the reports. Categories follow seasons (waterlogging and
 * noise in summer, fire hazards in winter, construction in spring and
 * autumn), a few grids are hot spots, reports come mostly in working hours,
 * and most work is done in time. The generator is seeded, so two runs with
 * the same seed and end time make the same district.
 */
#include "cli/cli.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/geo.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/pii.h"
#include "core/str.h"
#include "domain/auth.h"
#include "domain/event.h"
#include "domain/scheduler.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long sim_now;
static long long sim_clock(void)
{
	return sim_now;
}

/* xorshift64*: the demo's own seeded generator */
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

/* seasonal weight of a category class by month (1-12) */
static double season(const char *code, int month)
{
	static const struct {
		const char *prefix;
		double w[12];
	} table[] = {
		{ "0403", { .2, .2, .4, .8, 1.5, 3, 3.5, 3, 1.5, .6, .3, .2 } }, /* waterlogging */
		{ "0401", { 2, 2, 1.5, 1, .8, .6, .6, .6, .8, 1, 1.5, 2 } },     /* fire hazards */
		{ "0601", { .6, .6, .8, 1, 1.3, 1.6, 1.8, 1.8, 1.3, 1, .8, .6 } }, /* noise */
		{ "03",
		  { .5, .4, 1.3, 1.5, 1.3, 1, .8, .8, 1.3, 1.5, 1.2, .7 } }, /* construction */
		{ "0102",
		  { 1.4, 1.6, 1, 1, 1, 1.2, 1.3, 1.3, 1, 1.2, 1, 1.3 } }, /* rubbish (festivals) */
	};
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (str_starts_with(code, table[i].prefix))
			return table[i].w[month - 1];
	return 1;
}

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

struct grid_pick {
	char code[ORG_CODE_MAX];
	char community[48];
	struct geo_shape shape;
	double weight;
};

/* a point inside the grid, by rejection in its box */
static struct geo_point point_in(const struct grid_pick *g)
{
	const struct geo_shape *s = &g->shape;
	for (int i = 0; i < 200; i++) {
		struct geo_point p = { s->minx + unif() * (s->maxx - s->minx),
				       s->miny + unif() * (s->maxy - s->miny) };
		if (geo_point_in_shape(s, p))
			return p;
	}
	return (struct geo_point){ s->polys[0].rings[0].pts[0].x, s->polys[0].rings[0].pts[0].y };
}

/* one planned step of one event */
struct step {
	long long t;
	int ev;   /* index into the events */
	int kind; /* 0: report; otherwise a position in its script */
};

struct plan {
	const char *category;
	const char *title, *description;
	char address[96];
	struct geo_point p;
	const char *assignee;
	int urgency;
	bool citizen;
	int script[16]; /* indexes into `actions` */
	int nscript;
	long long id;
	bool dead;      /* a step failed: the rest is skipped */
	int merge_into; /* plan index, or -1 */
};

enum act {
	A_REGISTER,
	A_REJECT,
	A_MERGE,
	A_DISPATCH,
	A_ACCEPT,
	A_RETURN,
	A_HANDLE,
	A_VERIFY,
	A_REWORK,
	A_CLOSE,
	A_RATE,
	A_VOID,
	A_REQ_EXT,
	A_APPROVE_EXT,
	A_SUPERVISE,
	A_REDISPATCH
};

static int cmp_step(const void *a, const void *b)
{
	const struct step *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->ev != y->ev ? (x->ev < y->ev ? -1 : 1) : x->kind - y->kind;
}

/* 7 from "330108D07" */
static int atoi_dept(const char *code)
{
	const char *d = strrchr(code, 'D');
	long long v;
	return d && !str_to_ll(d + 1, 0, 99, &v) ? (int)v : 0;
}

static int principal_of(struct store *st, struct arena *a, const char *username,
			struct principal *p)
{
	struct user u;
	if (store_user_get_by_name(st, a, username, &u))
		return -1;
	memset(p, 0, sizeof(*p));
	p->user_id = u.id;
	p->username = u.username;
	p->display_name = u.display_name;
	p->org_code = u.org_code;
	p->org_kind = u.org_kind;
	p->roles = u.roles;
	auth_scope_of(st, a, &u, &p->scope);
	p->scope.self_id = u.id;
	return 0;
}

/* Synthetic contact data for the k-th citizen report, clearly not a real
 * person's: the name is a surname with 某某 (the usual placeholder for an
 * unnamed person), the mobile number comes from 199-0000-xxxx, the address
 * is on 示例路 ("Example Road"), and the ID number carries the district's
 * region code, a made-up date of birth and sequence, and a valid check
 * character (so validation and masking work on it). Derived from k alone,
 * so the events' own random sequence is the same with or without it. */
static void demo_contact(struct arena *a, const char *district, unsigned long long k,
			 struct pii_contact *c)
{
	static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨",
						"赵", "黄", "周", "吴", "徐", "孙" };
	unsigned long long h = (k + 1) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	memset(c, 0, sizeof(*c));
	c->v[PII_NAME] = arena_printf(a, "%s某某", surnames[h % ARRAY_SIZE(surnames)]);
	c->v[PII_PHONE] = arena_printf(a, "1990000%04llu", (h >> 8) % 10000);
	c->v[PII_ADDRESS] = arena_printf(a, "示例路%llu号%llu室", (h >> 24) % 300 + 1,
					 (h >> 36) % 6 * 100 + 101);
	if (h % 3) {
		/* born 1950-2004 on the 1st-28th, sequence 900-999 */
		char d[19];
		snprintf(d, sizeof(d), "%.6s%04llu%02llu%02llu%03llu", district,
			 1950 + (h >> 12) % 55, (h >> 20) % 12 + 1, (h >> 28) % 28 + 1,
			 900 + (h >> 40) % 100);
		d[17] = pii_id_check_char(d);
		d[18] = '\0';
		c->v[PII_ID_NO] = arena_strdup(a, d);
	}
}

int cli_demo_events(struct store *st, const struct calendar *cal, const char *district, int count,
		    unsigned long long seed, long long end, const struct crypt_keyring *keys)
{
	if (count <= 0)
		return 0;
	struct arena *a = arena_new();
	int rc = -1;
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
	struct scope all = { .all = true };
	struct org root;
	struct grid *grids;
	struct category *cats;
	size_t ngrids, ncats;
	if (store_org_get(st, a, &all, district, &root) ||
	    store_grid_list(st, a, &all, district, &grids, &ngrids) || !ngrids ||
	    store_category_list(st, a, &cats, &ncats)) {
		fprintf(stderr, "pingan: the demo district has no grids or categories\n");
		goto out;
	}
	struct grid_pick *gp = arena_zalloc(a, ngrids * sizeof(*gp));
	double gsum = 0;
	for (size_t i = 0; i < ngrids; i++) {
		str_copy(gp[i].code, sizeof(gp[i].code), grids[i].org.code);
		str_copy(gp[i].community, sizeof(gp[i].community), grids[i].community);
		if (geo_shape_decode(grids[i].geom, grids[i].geom_len, a, &gp[i].shape))
			goto out;
		/* hot spots: one grid in twenty draws five times the reports */
		gp[i].weight = (i % 20 == 7) ? 5.0 : 0.6 + unif();
		gsum += gp[i].weight;
	}
	/* the principals who act */
	struct principal gw, centre, leader;
	if (principal_of(st, a, "gridworker", &gw) || principal_of(st, a, "centre", &centre) ||
	    principal_of(st, a, "leader", &leader)) {
		fprintf(stderr, "pingan: the demo users are missing\n");
		goto out;
	}
	struct principal handlers[8];
	char names[8][24];
	for (int d = 1; d <= 7; d++) {
		snprintf(names[d], sizeof(names[d]), d == 1 ? "handler" : "handler.d%02d", d);
		if (principal_of(st, a, names[d], &handlers[d])) {
			fprintf(stderr, "pingan: demo user '%s' is missing\n", names[d]);
			goto out;
		}
	}

	long long start = end - 365LL * 86400;
	struct plan *plans = arena_zalloc(a, (size_t)count * sizeof(*plans));
	size_t maxsteps = (size_t)count * 17;
	struct step *steps = xmalloc(maxsteps * sizeof(*steps));
	size_t nsteps = 0;
	for (int i = 0; i < count; i++) {
		struct plan *p = &plans[i];
		p->merge_into = -1;
		/* when: a day weighted by season for a category drawn per day */
		long long t;
		const struct category *c = NULL;
		for (int tries = 0; tries < 50 && !c; tries++) {
			t = start + (long long)(unif() * (double)(end - start - 3600));
			const struct category *cand = &cats[rnd() % ncats];
			/* street-routed categories (disputes) go to the dispute module */
			if (!*cand->parent || cand->department[0] == 'S')
				continue;
			int y, m, d;
			cal_civil(cal_day_of(t), &y, &m, &d);
			if (unif() * 3.5 < season(cand->code, m))
				c = cand;
		}
		for (size_t k = 0; !c && k < ncats; k++)
			if (*cats[k].parent && cats[k].department[0] != 'S')
				c = &cats[k]; /* the first district category */
		if (!c) {
			fprintf(stderr,
				"pingan: no district-routed category for the demo's events\n");
			free(steps);
			goto out;
		}
		/* mostly in daytime: move night reports into the day */
		long long local = (t + CAL_TZ_OFFSET) % 86400;
		if (local < 7 * 3600 || local > 21 * 3600)
			t += (long long)(9 * 3600 - local) + between(0, 8 * 3600);
		p->category = c->code;
		p->title = c->name;
		p->description = "";
		for (size_t k = 0; k < ARRAY_SIZE(titles); k++) {
			if (!strcmp(titles[k][0], c->code)) {
				p->title = titles[k][1];
				p->description = titles[k][2];
			}
		}
		double pick = unif() * gsum;
		size_t g = 0;
		while (g + 1 < ngrids && (pick -= gp[g].weight) > 0)
			g++;
		p->p = point_in(&gp[g]);
		snprintf(p->address, sizeof(p->address), "%s附近", gp[g].community);
		p->assignee = arena_printf(a, "%s%s", district, c->department);
		p->urgency = unif() < 0.08 ? 2 : unif() < 0.02 ? 3 : 1;
		p->citizen = unif() < 0.3;
		/* a duplicate of an earlier report nearby */
		if (i > 0 && unif() < 0.03) {
			int prev = i - 1;
			plans[i].category = plans[prev].category;
			plans[i].title = plans[prev].title;
			plans[i].description = plans[prev].description;
			plans[i].p = plans[prev].p; /* the same spot, reported again */
			p->merge_into = prev;
		}
		/* the script: what happens to this report */
		long long at = t;
		int *s = p->script;
		int n = 0;
		double r = unif();
		bool recent = end - t < 6 * 86400; /* the last days stay open */
		if (p->merge_into >= 0) {
			s[n++] = A_MERGE;
		} else if (r < 0.04) {
			s[n++] = A_REJECT;
		} else if (r < 0.06) {
			s[n++] = A_REGISTER;
			s[n++] = A_VOID;
		} else {
			s[n++] = A_REGISTER;
			s[n++] = A_DISPATCH;
			if (unif() < 0.04) {
				s[n++] = A_RETURN;
				s[n++] = A_REDISPATCH;
			}
			s[n++] = A_ACCEPT;
			if (unif() < 0.05) {
				s[n++] = A_REQ_EXT;
				s[n++] = A_APPROVE_EXT;
			}
			if (unif() < 0.04)
				s[n++] = A_SUPERVISE;
			s[n++] = A_HANDLE;
			if (unif() < 0.08) {
				s[n++] = A_REWORK;
				s[n++] = A_ACCEPT;
				s[n++] = A_HANDLE;
			}
			s[n++] = A_VERIFY;
			s[n++] = A_CLOSE;
			if (!p->citizen && unif() < 0.5)
				s[n++] = A_RATE;
		}
		if (recent) /* cut the script short: open work at the end of the year */
			n = n > 1 ? 1 + (int)(rnd() % (unsigned)(n - 1)) : n;
		p->nscript = n;
		if (nsteps + (size_t)n + 1 > maxsteps)
			break;
		if (p->merge_into >= 0) {
			/* an hour after the original */
			for (size_t k = nsteps; k-- > 0;)
				if (steps[k].ev == p->merge_into && steps[k].kind == 0) {
					at = t = steps[k].t + between(600, 3600);
					break;
				}
		}
		steps[nsteps++] = (struct step){ t, i, 0 };
		/* handling time: mostly within the deadline, some late */
		double late = unif();
		for (int k = 0; k < n; k++) {
			long long gap;
			switch (s[k]) {
			case A_HANDLE:
				gap = late < 0.86   ? between(2 * 3600, 20 * 3600)
				      : late < 0.96 ? between(2 * 86400, 4 * 86400)
						    : between(6 * 86400, 12 * 86400);
				break;
			case A_REGISTER:
			case A_REJECT:
			case A_MERGE: gap = between(300, 2400); break;
			case A_RATE: gap = between(3600, 2 * 86400); break;
			default: gap = between(300, 5400);
			}
			at += gap;
			if (at >= end)
				break;
			steps[nsteps++] = (struct step){ at, i, k + 1 };
		}
	}
	qsort(steps, nsteps, sizeof(*steps), cmp_step);

	struct event_env env = { .st = st,
				 .cal = cal,
				 .grids = cli_grid_index(st),
				 .now = sim_clock,
				 .district_path = root.path,
				 .escalate_grace_s = 4 * 3600,
				 .dup_distance_m = 50,
				 .dup_window_s = 86400,
				 .keys = keys };
	if (store_begin_bulk(st)) {
		free(steps);
		geo_index_free((struct geo_index *)env.grids);
		goto out;
	}
	long long next_tick = start + 3600;
	int failed = 0, made = 0;
	struct sched_result sr;
	for (size_t k = 0; k < nsteps; k++) {
		struct step *sp = &steps[k];
		for (; next_tick <= sp->t; next_tick += 3600) {
			sim_now = next_tick;
			sched_tick(&env, next_tick, &sr);
		}
		sim_now = sp->t;
		struct plan *p = &plans[sp->ev];
		if (p->dead)
			continue;
		struct arena *ta = arena_new();
		char why[256];
		if (sp->kind == 0) {
			struct event_input in = { .category = p->category,
						  .urgency = p->urgency,
						  .title = p->title,
						  .description = p->description,
						  .address = p->address,
						  .has_point = true,
						  .lon = p->p.x,
						  .lat = p->p.y,
						  .source =
							  p->citizen ? "citizen" : "grid_worker" };
			/* half the citizens leave contact data (when there are keys) */
			struct pii_contact contact;
			if (p->citizen && keys && sp->ev % 2 == 0) {
				demo_contact(ta, district, sp->ev, &contact);
				in.contact = &contact;
			}
			struct event e, *d;
			size_t nd;
			if (event_create(&env, ta, p->citizen ? NULL : &gw, &in, &e, &d, &nd, why,
					 sizeof(why))) {
				p->dead = true;
				failed++;
			} else {
				p->id = e.id;
				made++;
			}
			arena_free(ta);
			continue;
		}
		int dept = atoi_dept(p->assignee);
		struct principal *h = &handlers[dept >= 1 && dept <= 7 ? dept : 1];
		struct principal *who = &centre;
		const char *action = NULL;
		struct wf_input in = { 0 };
		switch (p->script[sp->kind - 1]) {
		case A_REGISTER: action = "register"; break;
		case A_REJECT:
			action = "reject";
			in.reason = "不属于受理范围";
			break;
		case A_MERGE:
			action = "merge";
			in.target = arena_printf(ta, "%lld", plans[p->merge_into].id);
			break;
		case A_DISPATCH:
		case A_REDISPATCH:
			action = "dispatch";
			in.assignee = p->assignee;
			break;
		case A_ACCEPT:
			who = h;
			action = "accept";
			break;
		case A_RETURN:
			who = h;
			action = "return";
			in.reason = "需其他部门共同处置";
			break;
		case A_HANDLE:
			who = h;
			action = "handle";
			in.note = "已到现场处置完毕";
			break;
		case A_VERIFY: action = "verify"; break;
		case A_REWORK:
			action = "rework";
			in.reason = "复核发现仍未整改到位";
			break;
		case A_CLOSE: action = "close"; break;
		case A_RATE:
			who = &gw;
			action = "rate";
			in.rating = unif() < 0.8 ? 5 : unif() < 0.7 ? 4 : 3;
			break;
		case A_VOID:
			action = "void";
			in.reason = "重复录入";
			break;
		case A_REQ_EXT:
			who = h;
			action = "request_extension";
			in.reason = "需协调产权单位";
			in.days = 3;
			break;
		case A_APPROVE_EXT: action = "approve_extension"; break;
		case A_SUPERVISE:
			who = &leader;
			action = "supervise";
			in.note = "请加快处置进度";
			break;
		}
		struct event out;
		if (!action ||
		    event_act(&env, ta, who, p->id, action, &in, 0, &out, why, sizeof(why))) {
			p->dead = true;
			failed++;
		}
		arena_free(ta);
	}
	for (; next_tick <= end; next_tick += 3600) {
		sim_now = next_tick;
		sched_tick(&env, next_tick, &sr);
	}
	free(steps);
	geo_index_free((struct geo_index *)env.grids);
	if (store_commit(st)) {
		fprintf(stderr, "pingan: the demo events were not stored\n");
		goto out;
	}
	log_info("demo: %d events over a year (%d steps did not apply)", made, failed);
	rc = made;
out:
	arena_free(a);
	return rc;
}
