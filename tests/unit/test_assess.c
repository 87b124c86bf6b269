/*
 * test_assess.c - assessment: formulas, every built-in indicator on
 * hand-computed measures (with empty and tiny denominators), scoring bands,
 * ranking ties, periods; and against a real store: the per-event facts the
 * triggers keep, the measure sums, the case lists behind them, and the
 * snapshot rule (a recompute is a new version, the old one is kept). The
 * sums of the one-pass read (C) equal the counts of the measure table's SQL
 * (the drill-down) on a fixture with every combination of the fact columns.
 */
#include "core/arena.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/str.h"
#include "domain/assess.h"
#include "domain/assess_run.h"
#include "store/store.h"
#include "store/store_assess.h"
#include "tap.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void suite_assess(void);

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void test_formulas(void)
{
	struct assess_expr e;
	char why[160];
	double m[AM__COUNT] = { 0 }, v;
	m[AM_DISPATCHED] = 8;
	m[AM_RETURNED] = 2;
	m[AM_REPORTED] = 30;
	m[AM_POPULATION] = 12000;
	is_int(assess_expr_parse("dispatched - returned", &e, why, sizeof(why)), 0, "parse: a - b");
	ok(assess_expr_eval(&e, m, &v) && near(v, 6), "eval: 8 - 2 = 6");
	is_int(assess_expr_parse("1 - returned / dispatched", &e, why, sizeof(why)), 0,
	       "parse: precedence");
	ok(assess_expr_eval(&e, m, &v) && near(v, 0.75), "eval: 1 - 2/8 = 0.75");
	is_int(assess_expr_parse("(dispatched - returned) * 2", &e, why, sizeof(why)), 0,
	       "parse: parentheses");
	ok(assess_expr_eval(&e, m, &v) && near(v, 12), "eval: (8 - 2) * 2 = 12");
	is_int(assess_expr_parse("reported / population * 10000", &e, why, sizeof(why)), 0,
	       "parse: left to right");
	ok(assess_expr_eval(&e, m, &v) && near(v, 25), "eval: 30 / 12000 * 10000 = 25");
	ok(e.uses == ((1ull << AM_REPORTED) | (1ull << AM_POPULATION)), "uses: the measures named");
	m[AM_DISPATCHED] = 0;
	assess_expr_parse("returned / dispatched", &e, why, sizeof(why));
	ok(!assess_expr_eval(&e, m, &v), "eval: division by zero is no value");
	static const char *const bad[] = { "closed +", "closed / ", "(closed",
					   "closed)",  "nothing",   "closed $ due",
					   "1..2",     "",          "((((((((((closed))))))))))" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = assess_expr_parse(bad[i], &e, why, sizeof(why));
		if (!*bad[i])
			ok(!err && e.n == 0, "parse: the empty formula has no tokens");
		else
			is_int(err, ERR_BAD_VALUE, "parse: '%s' is refused (%s)", bad[i], why);
	}
}

/* the built-in indicators from share/indicators */
static struct assess_indicator *builtins(struct arena *a, size_t *n)
{
	struct assess_indicator *v;
	char why[256];
	int err = assess_indicators_load_csv(PINGAN_SHARE_DIR "/indicators/indicators.csv", a, &v,
					     n, why, sizeof(why));
	is_int(err, 0, "built-ins: the data file loads (%s)", err ? why : "ok");
	return v;
}

static size_t find(const struct assess_indicator *v, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].code, code))
			return i;
	return n;
}

static void test_builtins(void)
{
	struct arena *a = arena_new();
	size_t n;
	struct assess_indicator *inds = builtins(a, &n);
	is_int(n, 14, "built-ins: 14 indicators");
	/* three units of a community level: a busy one, a tiny one, an empty one */
	struct assess_row rows[3];
	memset(rows, 0, sizeof(rows));
	str_copy(rows[0].unit, sizeof(rows[0].unit), "330108001001");
	str_copy(rows[1].unit, sizeof(rows[1].unit), "330108001002");
	str_copy(rows[2].unit, sizeof(rows[2].unit), "330108001003");
	double *m = rows[0].m;
	m[AM_REPORTED] = 50;
	m[AM_REPORTED_VALID] = 44;
	m[AM_MERGED] = 5;
	m[AM_REGISTERED] = 40;
	m[AM_REGISTERED_ON_TIME] = 38;
	m[AM_DUE] = 40;
	m[AM_CLOSED] = 36;
	m[AM_CLOSED_ON_TIME] = 30;
	m[AM_DISPATCHED] = 32;
	m[AM_HANDLE_DUE] = 30;
	m[AM_HANDLED] = 30;
	m[AM_HANDLED_ON_TIME] = 27;
	m[AM_REWORKED] = 4;
	m[AM_RETURNED] = 2;
	m[AM_EXTENDED] = 3;
	m[AM_RATED] = 20;
	m[AM_SATISFIED] = 18;
	m[AM_HANDLE_HOURS] = 240;
	m[AM_POPULATION] = 25000;
	/* the tiny one: 2 due, 2 closed; no population */
	rows[1].m[AM_REGISTERED] = 2;
	rows[1].m[AM_DUE] = 2;
	rows[1].m[AM_CLOSED] = 2;
	rows[1].m[AM_CLOSED_ON_TIME] = 2;
	rows[1].m[AM_REPORTED] = 2;
	assess_compute(a, AL_COMMUNITY, inds, n, 5, rows, 3);
	const struct {
		const char *code;
		double value;
	} want[] = {
		{ "I01", 40 },        /* 立案数 */
		{ "I02", 36.0 / 40 }, /* 结案率 = 结案数 / 应结案数 */
		{ "I03", 30.0 / 40 }, /* 按期结案率 = 按期结案数 / 应结案数 */
		{ "I04", 27.0 / 30 }, /* 按期处置率 = 按期处置数 / 应处置数 */
		{ "I05", 4.0 / 32 },  /* 返工率 = 返工数 / 派遣数 */
		{ "I06", 3.0 / 32 },  /* 延期率 = 延期数 / 派遣数 */
		{ "I07", 38.0 / 40 }, /* 按时立案率 */
		{ "I08", 30.0 / 32 }, /* 准确派遣率 = 1 - 退回 / 派遣 */
		{ "I09", 8 },         /* 平均处置时长 = 240 h / 30 */
		{ "I10", 18.0 / 20 }, /* 满意率 */
		{ "I11", 5.0 / 50 },  /* 重复合并占比 */
		{ "I12", 50.0 * 10000 / 25000 }, /* 每万人事件数 */
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t k = find(inds, n, want[i].code);
		ok(k < n && rows[0].v[k].has_value && near(rows[0].v[k].value, want[i].value),
		   "%s %s = %g (got %g)", want[i].code, k < n ? inds[k].name : "?", want[i].value,
		   k < n ? rows[0].v[k].value : -1);
	}
	size_t i13 = find(inds, n, "I13"), i02 = find(inds, n, "I02"), i12 = find(inds, n, "I12");
	ok(!rows[0].v[i13].has_value, "I13 is for grid workers: no value for a community");
	/* scores: linear bands */
	ok(near(rows[0].v[i02].score, 100 * (0.9 - 0.5) / 0.5), "I02 score: linear 0.5-1 -> 80");
	size_t i05 = find(inds, n, "I05");
	ok(near(rows[0].v[i05].score, 100 * (0.3 - 0.125) / 0.3), "I05 score: lower is better");
	size_t i10 = find(inds, n, "I10");
	ok(near(rows[0].v[i10].score, 90), "I10 score: the 0.9 step gives 90");
	/* tiny denominators */
	ok(rows[1].v[i02].has_value && near(rows[1].v[i02].value, 1) && rows[1].v[i02].small &&
		   !rows[1].v[i02].scored,
	   "tiny: 2/2 is shown, marked small, not scored");
	ok(!rows[1].v[i12].has_value, "no population: no events per 10 000 residents");
	/* empty denominators */
	ok(!rows[2].v[i02].has_value && !rows[2].has_score && rows[2].rank == 0,
	   "empty: no value, no score, unranked");
	ok(rows[1].rank == 0, "the tiny unit has nothing scored: unranked");
	ok(rows[0].has_score && rows[0].rank == 1, "the busy unit ranks first");
	/* the index is the weighted mean of the scored indicators */
	double sw = 0, sum = 0;
	for (size_t k = 0; k < n; k++)
		if (rows[0].v[k].scored) {
			sw += inds[k].weight;
			sum += inds[k].weight * rows[0].v[k].score;
		}
	ok(sw == 100 && near(rows[0].score, assess_round2(sum / sw)),
	   "index: default weights sum to 100; score %.2f", rows[0].score);
	/* rank_small lets an indicator rank tiny denominators */
	inds[i02].rank_small = true;
	assess_compute(a, AL_COMMUNITY, inds, n, 5, rows, 3);
	ok(rows[1].v[i02].scored && rows[1].rank == 1 && rows[0].rank == 2,
	   "rank_small: 2/2 counts and beats 36/40");
	arena_free(a);
}

static void test_bands(void)
{
	struct assess_indicator x;
	char why[160];
	memset(&x, 0, sizeof(x));
	str_copy(x.code, sizeof(x.code), "T1");
	x.name = "测试";
	x.levels = 1;
	x.numerator = "closed";
	x.denominator = "due";
	x.scale = 1;
	x.higher = true;
	x.min_cases = -1;
	x.bands = "0.9:100,0.8:80,0:40";
	is_int(assess_indicator_check(&x, why, sizeof(why)), 0, "steps parse");
	ok(assess_band_score(&x, 0.95) == 100 && assess_band_score(&x, 0.9) == 100 &&
		   assess_band_score(&x, 0.85) == 80 && assess_band_score(&x, 0.1) == 40,
	   "steps: the first threshold reached");
	x.bands = "0.8:80,0.9:100";
	is_int(assess_indicator_check(&x, why, sizeof(why)), ERR_BAD_VALUE,
	       "steps must run from best to worst");
	x.bands = "linear:2:1";
	is_int(assess_indicator_check(&x, why, sizeof(why)), ERR_BAD_VALUE,
	       "linear needs LOW < HIGH");
	x.bands = "0.9:120";
	is_int(assess_indicator_check(&x, why, sizeof(why)), ERR_BAD_VALUE, "a score is 0-100");
	x.bands = "";
	x.weight = -1;
	is_int(assess_indicator_check(&x, why, sizeof(why)), ERR_BAD_VALUE, "weights are >= 0");
	x.weight = 1;
	x.higher = false;
	x.bands = "linear:0:0.3";
	assess_indicator_check(&x, why, sizeof(why));
	ok(assess_band_score(&x, 0) == 100 && assess_band_score(&x, 0.3) == 0 &&
		   assess_band_score(&x, 0.6) == 0 && near(assess_band_score(&x, 0.15), 50),
	   "linear, lower is better, clamped");
}

static void test_ranking(void)
{
	struct assess_row r[6];
	memset(r, 0, sizeof(r));
	const double s[] = { 80, 90, 80, 70, 0, 90.004 };
	for (int i = 0; i < 6; i++) {
		r[i].score = s[i];
		r[i].has_score = i != 4;
	}
	assess_rank(r, 6);
	/* 90 and 90.004 round to the same 0.01: they tie */
	is_int(r[1].rank, 1, "ties: 90 first");
	is_int(r[5].rank, 1, "ties: 90.004 shares the first place");
	ok(r[1].tie && r[5].tie, "ties: both marked");
	is_int(r[0].rank, 3, "ties: 80 is third (second skipped)");
	is_int(r[2].rank, 3, "ties: the other 80 also third");
	is_int(r[3].rank, 5, "ties: 70 is fifth");
	ok(!r[3].tie, "ties: 70 alone");
	is_int(r[4].rank, 0, "no score: unranked");
	/* by an indicator, lower is better, small ones left out */
	struct assess_indicator ind;
	memset(&ind, 0, sizeof(ind));
	ind.higher = false;
	struct assess_value v[4] = { { .has_value = true, .value = 0.2 },
				     { .has_value = true, .value = 0.1 },
				     { .has_value = true, .value = 0.1, .small = true },
				     { .has_value = false } };
	for (int i = 0; i < 4; i++)
		r[i].v = &v[i];
	int ranks[4];
	bool ties[4];
	assess_rank_indicator(&ind, 0, r, 4, ranks, ties);
	ok(ranks[1] == 1 && ranks[0] == 2 && ranks[2] == 0 && ranks[3] == 0,
	   "indicator ranks: lower first, small and empty unranked");
}

static void test_periods(void)
{
	struct assess_period p, q;
	is_int(assess_period_parse("2026-05", &p), 0, "month parses");
	ok(p.kind == AP_MONTH && p.from == 1777564800LL && p.to - p.from == 31 * 86400LL,
	   "2026-05 is May in China Standard Time");
	assess_period_prev(&p, &q);
	is_str(q.key, "2026-04", "the month before");
	is_int(assess_period_parse("2026-01", &p), 0, "January");
	assess_period_prev(&p, &q);
	is_str(q.key, "2025-12", "the month before January");
	is_int(assess_period_parse("2026-Q1", &p), 0, "quarter parses");
	assess_period_prev(&p, &q);
	is_str(q.key, "2025-Q4", "the quarter before Q1");
	ok(q.to == p.from, "quarters meet");
	is_int(assess_period_parse("2026", &p), 0, "year parses");
	is_int(p.to - p.from, 365 * 86400LL, "2026 has 365 days");
	is_int(assess_period_parse("2026-05-01..2026-05-10", &p), 0, "custom parses");
	is_int(p.to - p.from, 10 * 86400LL, "custom: end date included");
	assess_period_prev(&p, &q);
	is_str(q.key, "2026-04-21..2026-04-30", "custom: as many days before");
	static const char *const bad[] = { "2026-13",
					   "2026-Q5",
					   "26-05",
					   "2026-5",
					   "2026-05-10..2026-05-01",
					   "2026-02-30..2026-03-01",
					   "",
					   "2026-05x",
					   "2025-01-01..2026-12-31" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(assess_period_parse(bad[i], &p), ERR_BAD_VALUE, "period '%s' is refused",
		       bad[i]);
}

/* ---- against a store --------------------------------------------------- */

#define T0 1780000000LL

struct fx {
	char dir[64], path[128];
	struct store *st;
	struct arena *a;
};

static int fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/pingan-assess-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	char why[256];
	if (store_open(f->path, 2, &f->st, why, sizeof(why))) {
		ok(0, "fixture: %s", why);
		return -1;
	}
	f->a = arena_new();
	return 0;
}

static void fx_close(struct fx *f)
{
	char p[160];
	store_close(f->st);
	arena_free(f->a);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
}

static int put_org(struct store *st, const char *code, enum org_kind kind, const char *parent)
{
	struct org o;
	memset(&o, 0, sizeof(o));
	str_copy(o.code, sizeof(o.code), code);
	str_copy(o.parent, sizeof(o.parent), parent);
	o.kind = kind;
	o.name = code;
	o.name_en = "";
	return store_org_put(st, &o);
}

/* moves e to state at time t; its stage then runs until deadline (0: none) */
static int move(struct store *st, struct event *e, int state, long long t, long long deadline,
		const char *action)
{
	struct event n = *e;
	n.state = state;
	n.updated_at = t;
	n.deadline_at = deadline;
	if (state == EV_CLOSED)
		n.closed_at = t;
	struct event_action act = { .at = t,
				    .actor = "test",
				    .action = action,
				    .from = wf_state_name(&wf_event, e->state),
				    .to = wf_state_name(&wf_event, state),
				    .note = "",
				    .data = "{}" };
	int err = store_event_update(st, &n, e->version, &act);
	if (!err) {
		n.version = e->version + 1;
		*e = n;
	}
	return err;
}

static int new_event(struct store *st, struct event *e, long long t)
{
	memset(e, 0, sizeof(*e));
	e->receipt = NULL;
	static int seq;
	char receipt[16];
	snprintf(receipt, sizeof(receipt), "PAT%05d", ++seq);
	e->receipt = receipt;
	e->category = "0101";
	e->urgency = 1;
	e->title = "t";
	e->description = e->address = "";
	e->grid_code = "330108001001001";
	e->org_path = "/330108/330108001/330108001001/330108001001001/";
	e->source = "centre";
	e->assignee = "";
	e->state = EV_REPORTED;
	e->created_at = e->updated_at = e->stage_started_at = t;
	e->deadline_at = t + 3600;
	struct event_action act = { .at = t,
				    .actor = "test",
				    .action = "report",
				    .from = "",
				    .to = "reported",
				    .note = "",
				    .data = "{}" };
	int err = store_event_insert(st, e, &act);
	e->receipt = "";
	return err;
}

static void test_store(void)
{
	struct fx f;
	if (fx_open(&f)) {
		ok(0, "fixture");
		return;
	}
	int err = put_org(f.st, "330108", ORG_DISTRICT, "") ||
		  put_org(f.st, "330108001", ORG_STREET, "330108") ||
		  put_org(f.st, "330108001001", ORG_COMMUNITY, "330108001") ||
		  put_org(f.st, "330108001001001", ORG_GRID, "330108001001") ||
		  put_org(f.st, "330108D01", ORG_DEPARTMENT, "330108");
	struct category c;
	memset(&c, 0, sizeof(c));
	c.enabled = true;
	str_copy(c.code, sizeof(c.code), "01");
	c.name = "class";
	c.name_en = "";
	err = err || store_category_put(f.st, &c);
	str_copy(c.code, sizeof(c.code), "0101");
	str_copy(c.parent, sizeof(c.parent), "01");
	str_copy(c.department, sizeof(c.department), "D01");
	err = err || store_category_put(f.st, &c);
	is_int(err, 0, "store: orgs and a category");

	/* e1: on time all along; e2: returned once, handled after its deadline;
	 * e3: registered late, then voided; e4: reported, merged */
	struct event e1, e2, e3, e4;
	err = new_event(f.st, &e1, T0) ||
	      move(f.st, &e1, EV_REGISTERED, T0 + 60, T0 + 3600, "register");
	e1.assignee = "330108D01";
	err = err || move(f.st, &e1, EV_DISPATCHED, T0 + 120, T0 + 3600, "dispatch") ||
	      move(f.st, &e1, EV_HANDLING, T0 + 180, T0 + 7200, "accept") ||
	      move(f.st, &e1, EV_HANDLED, T0 + 600, T0 + 9000, "handle") ||
	      move(f.st, &e1, EV_VERIFIED, T0 + 700, T0 + 9000, "verify") ||
	      move(f.st, &e1, EV_CLOSED, T0 + 800, 0, "close");
	is_int(err, 0, "store: e1 through its loop");
	err = new_event(f.st, &e2, T0 + 10) ||
	      move(f.st, &e2, EV_REGISTERED, T0 + 60, T0 + 3600, "register");
	e2.assignee = "330108D01";
	err = err || move(f.st, &e2, EV_DISPATCHED, T0 + 120, T0 + 3600, "dispatch") ||
	      move(f.st, &e2, EV_RETURNED, T0 + 130, T0 + 3600, "return") ||
	      move(f.st, &e2, EV_DISPATCHED, T0 + 140, T0 + 3600, "dispatch") ||
	      move(f.st, &e2, EV_HANDLING, T0 + 180, T0 + 1000, "accept") ||
	      move(f.st, &e2, EV_HANDLED, T0 + 2000, T0 + 9000, "handle") ||
	      move(f.st, &e2, EV_VERIFIED, T0 + 2100, T0 + 9000, "verify") ||
	      move(f.st, &e2, EV_CLOSED, T0 + 2200, 0, "close");
	is_int(err, 0, "store: e2 returned and handled late");
	err = new_event(f.st, &e3, T0 + 20) ||
	      move(f.st, &e3, EV_REGISTERED, T0 + 5000, T0 + 9000, "register") ||
	      move(f.st, &e3, EV_VOIDED, T0 + 5100, 0, "void");
	is_int(err, 0, "store: e3 registered late, voided");
	err = new_event(f.st, &e4, T0 + 30) || move(f.st, &e4, EV_MERGED, T0 + 40, 0, "merge");
	is_int(err, 0, "store: e4 merged");

	struct calendar *cal = cal_new();
	struct assess_group *g;
	size_t ng;
	err = store_assess_groups(f.st, f.a, cal, T0 - 100, T0 + 86400, &g, &ng);
	is_int(err, 0, "groups: read");
	/* one grid; dispatched to D01 (e1, e2) or never dispatched (e3, e4) */
	is_int(ng, 2, "groups: one grid, two departments");
	double m[AM__COUNT] = { 0 };
	const struct assess_group *d01 = NULL;
	for (size_t i = 0; i < ng; i++) {
		ok(!strcmp(g[i].org_path, "/330108/330108001/330108001001/330108001001001/") &&
			   !*g[i].reporter,
		   "groups: the grid's path, no grid worker");
		if (!strcmp(g[i].assignee, "330108D01"))
			d01 = &g[i];
		for (int k = 0; k < AM__COUNT; k++)
			m[k] += g[i].m[k];
	}
	{
		const struct {
			enum assess_measure m;
			double want;
		} want[] = { { AM_REPORTED, 4 },
			     { AM_REPORTED_VALID, 3 },
			     { AM_MERGED, 1 },
			     { AM_REGISTERED, 3 },
			     { AM_REGISTERED_ON_TIME, 2 },
			     { AM_DUE, 2 },
			     { AM_CLOSED, 2 },
			     { AM_CLOSED_ON_TIME, 1 },
			     { AM_DISPATCHED, 2 },
			     { AM_HANDLE_DUE, 2 },
			     { AM_HANDLED, 2 },
			     { AM_HANDLED_ON_TIME, 1 },
			     { AM_REWORKED, 0 },
			     { AM_RETURNED, 1 },
			     { AM_EXTENDED, 0 },
			     { AM_LATE, 2 },
			     { AM_RATED, 0 } };
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			ok(near(m[want[i].m], want[i].want), "measure %s = %g (got %g)",
			   assess_measures[want[i].m].name, want[i].want, m[want[i].m]);
	}
	ok(d01 && d01->m[AM_CLOSED] == 2 && d01->m[AM_DUE] == 2, "groups: department D01");
	err = store_assess_groups(f.st, f.a, cal, T0 + 86400, T0 + 2 * 86400, &g, &ng);
	is_int(ng, 0, "groups: nothing the next day");
	/* registered in a period, reported in the one before: counted where registered */
	err = store_assess_groups(f.st, f.a, cal, T0 + 4000, T0 + 86400, &g, &ng);
	ok(!err && ng == 1 && g[0].m[AM_REGISTERED] == 1 && g[0].m[AM_REPORTED] == 0,
	   "groups: e3, registered late, is in the later period's registered cohort");

	/* the cases behind a figure are exactly those counted */
	struct scope all = { .all = true };
	struct assess_case *cs;
	size_t nc;
	long long total;
	err = store_assess_cases(f.st, f.a, &all, AL_COMMUNITY, "/330108/330108001/330108001001/",
				 AM_CLOSED_ON_TIME, T0 - 100, T0 + 86400, 0, 10, &cs, &nc, &total);
	ok(!err && total == 1 && nc == 1 && cs[0].id == e1.id, "cases: closed on time is e1");
	err = store_assess_cases(f.st, f.a, &all, AL_COMMUNITY, "/330108/330108001/330108001001/",
				 AM_DUE, T0 - 100, T0 + 86400, 0, 1, &cs, &nc, &total);
	ok(!err && total == 2 && nc == 1 && cs[0].id == e2.id, "cases: due, newest first, paged");
	struct scope other = { .root_path = "/330108/330108002/" };
	err = store_assess_cases(f.st, f.a, &other, AL_COMMUNITY, "/330108/330108001/330108001001/",
				 AM_DUE, T0 - 100, T0 + 86400, 0, 10, &cs, &nc, &total);
	ok(!err && total == 0, "cases: another street's scope sees none");

	/* snapshots: a recompute is a new version; the old one stays */
	size_t nind;
	struct assess_indicator *inds = builtins(f.a, &nind);
	struct assess_period p = { .key = "2026-06", .from = T0 - 100, .to = T0 + 86400 };
	struct assess_level_result res[AL__COUNT];
	err = assess_compute_levels(f.st, cal, f.a, &p, inds, nind, 1,
				    (1u << AL_COMMUNITY) | (1u << AL_DEPARTMENT), res);
	is_int(err, 0, "compute: community and department");
	struct assess_run run = { .period = "2026-06",
				  .from = p.from,
				  .to = p.to,
				  .computed_at = T0,
				  .definitions = "[]" };
	is_int(store_assess_run_save(f.st, &run, inds, nind, res, AL__COUNT), 0, "snapshot v1");
	is_int(run.version, 1, "snapshot: version 1");
	long long v1 = run.id;
	/* a later computation with a different result */
	res[AL_COMMUNITY].rows[0].score = 12.5;
	is_int(store_assess_run_save(f.st, &run, inds, nind, res, AL__COUNT), 0, "snapshot v2");
	is_int(run.version, 2, "snapshot: version 2");
	struct assess_run got;
	ok(!store_assess_run_get(f.st, f.a, "2026-06", 0, &got) && got.version == 2,
	   "snapshot: the newest is read by default");
	ok(!store_assess_run_get(f.st, f.a, "2026-06", 1, &got) && got.id == v1,
	   "snapshot: version 1 is kept");
	const char *codes[1] = { "I02" };
	struct assess_row *rows;
	size_t nr;
	const char **ms;
	err = store_assess_run_rows(f.st, f.a, v1, AL_COMMUNITY, &all, codes, 1, &rows, &nr, &ms);
	ok(!err && nr == 1 && near(rows[0].v[0].value, 1.0) &&
		   !strcmp(ms[0], "{\"due\":2,\"closed\":2}"),
	   "snapshot: values and measures stored (%s)", nr ? ms[0] : "none");
	is_int(store_assess_run_get(f.st, f.a, "2026-07", 0, &got), ERR_NOT_FOUND,
	       "snapshot: another period has none");
	cal_free(cal);
	fx_close(&f);
}

/* ---- the one-pass sums against the SQL definition ----------------------- */

static unsigned long long fx_rng = 0x9E3779B97F4A7C15ULL;
static long long pick(long long n)
{
	fx_rng ^= fx_rng >> 12;
	fx_rng ^= fx_rng << 25;
	fx_rng ^= fx_rng >> 27;
	return (long long)((fx_rng * 2685821657736338717ULL) >> 33) % n;
}

static const struct calendar *work_cal;
static void fn_work(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
	(void)argc;
	sqlite3_result_int64(
		ctx, cal_between(work_cal, sqlite3_value_int64(v[0]), sqlite3_value_int64(v[1])));
}

/* fact rows written straight into event_facts: reported before, in and
 * after the period, registered never, before, in or after it, every state,
 * every flag, ratings 1-5 or none, handled with and without a dispatch */
static int write_facts(const char *path, const char *const *places, int nplaces, long long from,
		       long long to, int n)
{
	static const char *const states[] = { "reported", "registered", "dispatched", "handling",
					      "handled",  "verified",   "closed",     "merged",
					      "voided",   "rejected",   "returned" };
	static const char *const depts[] = { "", "330108D01", "330108D02" };
	sqlite3 *db;
	sqlite3_stmt *q;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	int rc = sqlite3_prepare_v2(
		db,
		"INSERT INTO event_facts (event_id, org_path, assignee, reporter_id, source, "
		"state, rating, created_at, registered_at, register_late, dispatched_at, "
		"dispatches, returns, reworks, extensions, handled_at, handle_late, late, "
		"closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
		"?15, ?16, ?17, ?18, NULL)",
		-1, &q, NULL);
	long long span = to - from;
	for (int i = 0; rc == SQLITE_OK && i < n; i++) {
		long long created = from - span / 2 + pick(2 * span);
		long long reg = created + pick(3 * 86400);
		long long disp = reg + pick(7200), handled = disp + pick(3 * 86400);
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		sqlite3_bind_int64(q, 1, 100000 + i);
		sqlite3_bind_text(q, 2, places[pick(nplaces)], -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, depts[pick(3)], -1, SQLITE_STATIC);
		if (pick(3))
			sqlite3_bind_int64(q, 4, 7 + pick(2));
		sqlite3_bind_text(q, 5, pick(2) ? "grid_worker" : "citizen", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, states[pick(11)], -1, SQLITE_STATIC);
		if (pick(2))
			sqlite3_bind_int64(q, 7, 1 + pick(5));
		sqlite3_bind_int64(q, 8, created);
		if (pick(5))
			sqlite3_bind_int64(q, 9, reg);
		sqlite3_bind_int64(q, 10, pick(2));
		if (pick(4))
			sqlite3_bind_int64(q, 11, disp);
		sqlite3_bind_int64(q, 12, pick(3));
		sqlite3_bind_int64(q, 13, pick(2));
		sqlite3_bind_int64(q, 14, pick(2));
		sqlite3_bind_int64(q, 15, pick(2));
		if (pick(2))
			sqlite3_bind_int64(q, 16, handled);
		sqlite3_bind_int64(q, 17, pick(2));
		sqlite3_bind_int64(q, 18, pick(2));
		rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(q);
	sqlite3_exec(db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* the working hours of the registered cohort under prefix, by SQL */
static double sql_hours(const char *path, const struct calendar *cal, const char *prefix,
			long long from, long long to)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	double h = -1;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return h;
	work_cal = cal;
	sqlite3_create_function(db, "work", 2, SQLITE_UTF8, NULL, fn_work, NULL, NULL);
	if (sqlite3_prepare_v2(db,
			       "SELECT coalesce(sum(work(dispatched_at, handled_at)), 0) / 3600.0 "
			       "FROM event_facts WHERE registered_at >= ?1 AND registered_at < ?2 "
			       "AND handled_at IS NOT NULL AND dispatched_at IS NOT NULL AND "
			       "substr(org_path, 1, length(?3)) = ?3",
			       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, from);
		sqlite3_bind_int64(q, 2, to);
		sqlite3_bind_text(q, 3, prefix, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			h = sqlite3_column_double(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	return h;
}

static bool group_in(const struct assess_group *g, enum assess_level level, const char *key)
{
	if (level == AL_DEPARTMENT)
		return !strcmp(g->assignee, key);
	if (level == AL_GRID_WORKER)
		return !strcmp(g->reporter, key);
	return !strncmp(g->org_path, key, strlen(key));
}

static void test_pass_matches_sql(void)
{
	struct fx f;
	if (fx_open(&f)) {
		ok(0, "fixture");
		return;
	}
	int err = put_org(f.st, "330108", ORG_DISTRICT, "") ||
		  put_org(f.st, "330108001", ORG_STREET, "330108") ||
		  put_org(f.st, "330108002", ORG_STREET, "330108") ||
		  put_org(f.st, "330108001001", ORG_COMMUNITY, "330108001") ||
		  put_org(f.st, "330108002001", ORG_COMMUNITY, "330108002") ||
		  put_org(f.st, "330108001001001", ORG_GRID, "330108001001") ||
		  put_org(f.st, "330108001001002", ORG_GRID, "330108001001") ||
		  put_org(f.st, "330108002001001", ORG_GRID, "330108002001") ||
		  put_org(f.st, "330108D01", ORG_DEPARTMENT, "330108") ||
		  put_org(f.st, "330108D02", ORG_DEPARTMENT, "330108");
	is_int(err, 0, "pass: orgs");
	static const char *const places[] = { "/330108/",
					      "/330108/330108001/330108001001/330108001001001/",
					      "/330108/330108001/330108001001/330108001001002/",
					      "/330108/330108002/330108002001/330108002001001/" };
	const long long from = T0, to = T0 + 10 * 86400;
	is_int(write_facts(f.path, places, 4, from, to, 3000), 0, "pass: 3000 fact rows");
	struct calendar *cal = cal_new();
	struct assess_group *g;
	size_t ng;
	is_int(store_assess_groups(f.st, f.a, cal, from, to, &g, &ng), 0, "pass: groups read");
	static const struct {
		enum assess_level level;
		const char *key;
	} units[] = { { AL_STREET, "/330108/" }, /* the district: every case */
		      { AL_STREET, "/330108/330108001/" },
		      { AL_STREET, "/330108/330108002/" },
		      { AL_COMMUNITY, "/330108/330108001/330108001001/" },
		      { AL_COMMUNITY, "/330108/330108002/330108002001/" },
		      { AL_GRID, "/330108/330108001/330108001001/330108001001001/" },
		      { AL_GRID, "/330108/330108001/330108001001/330108001001002/" },
		      { AL_GRID, "/330108/330108002/330108002001/330108002001001/" },
		      { AL_DEPARTMENT, "330108D01" },
		      { AL_DEPARTMENT, "330108D02" },
		      { AL_GRID_WORKER, "7" },
		      { AL_GRID_WORKER, "8" } };
	struct scope all = { .all = true };
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		double m[AM__COUNT] = { 0 };
		for (size_t i = 0; i < ng; i++)
			if (group_in(&g[i], units[u].level, units[u].key))
				for (int k = 0; k < AM__COUNT; k++)
					m[k] += g[i].m[k];
		int bad = 0, nonzero = 0;
		char first_bad[64] = "";
		for (int k = 0; k < AM__COUNT; k++) {
			if (k == AM_HANDLE_HOURS || k == AM_POPULATION)
				continue;
			struct assess_case *cs;
			size_t nc;
			long long total = -1;
			store_assess_cases(f.st, f.a, &all, units[u].level, units[u].key,
					   (enum assess_measure)k, from, to, 0, 1, &cs, &nc,
					   &total);
			nonzero += total > 0;
			if ((double)total != m[k] && !bad++)
				snprintf(first_bad, sizeof(first_bad), "%s: sql %lld, pass %g",
					 assess_measures[k].name, total, m[k]);
		}
		ok(!bad && nonzero >= 15, "pass: %s %s, every measure as its SQL counts it %s",
		   assess_level_name(units[u].level), units[u].key, first_bad);
		if (units[u].level <= AL_GRID)
			ok(fabs(m[AM_HANDLE_HOURS] -
				sql_hours(f.path, cal, units[u].key, from, to)) < 1e-6 &&
				   m[AM_HANDLE_HOURS] > 0,
			   "pass: %s working hours as the SQL sum (%g)", units[u].key,
			   m[AM_HANDLE_HOURS]);
	}
	/* the groups come in the order of an SQL GROUP BY */
	bool sorted = true;
	for (size_t i = 1; i < ng; i++) {
		int c = strcmp(g[i - 1].org_path, g[i].org_path);
		if (!c)
			c = strcmp(g[i - 1].assignee, g[i].assignee);
		if (!c)
			c = strcmp(g[i - 1].reporter, g[i].reporter);
		/* reported in the period first, then those reported before it */
		if (c >= 0 && g[i].m[AM_REPORTED] > 0)
			sorted = false;
	}
	ok(sorted && ng > 12, "pass: %zu groups, by place, department and grid worker", ng);
	cal_free(cal);
	fx_close(&f);
}

void suite_assess(void)
{
	test_formulas();
	test_builtins();
	test_bands();
	test_ranking();
	test_periods();
	test_store();
	test_pass_matches_sql();
}
