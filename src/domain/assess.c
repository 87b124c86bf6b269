/*
 * assess.c - formulas, periods, scoring and ranking; see assess.h.
 *
 * Formulas are parsed once (when an indicator is loaded or edited) into
 * postfix tokens, so evaluating an indicator for a unit is a short loop.
 * Scores are computed per level: min-max scoring needs every peer's value
 * first, so values come in one pass and scores in a second.
 */
#include "domain/assess.h"
#include "core/calendar.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[AL__COUNT] = { "street", "community", "grid", "department",
						    "grid_worker" };
static const char *const level_zh[AL__COUNT] = { "街道", "社区", "网格", "部门", "网格员" };

const char *assess_level_name(enum assess_level l)
{
	return l < AL__COUNT ? level_names[l] : "unknown";
}

const char *assess_level_zh(enum assess_level l)
{
	return l < AL__COUNT ? level_zh[l] : "未知";
}

int assess_level_parse(const char *s, enum assess_level *out)
{
	for (int i = 0; i < AL__COUNT; i++)
		if (s && !strcmp(s, level_names[i])) {
			*out = (enum assess_level)i;
			return 0;
		}
	return ERR_BAD_VALUE;
}

const struct assess_measure_def assess_measures[AM__COUNT] = {
#define AM_DEF(n, s, zh, c) { s, zh, c },
	ASSESS_MEASURES(AM_DEF)
#undef AM_DEF
};

int assess_measure_parse(const char *s)
{
	for (int i = 0; i < AM__COUNT; i++)
		if (!strcmp(s, assess_measures[i].name))
			return i;
	return -1;
}

enum assess_measure assess_measure_cases(enum assess_measure m)
{
	return m == AM_HANDLE_HOURS ? AM_HANDLED : m;
}

/* --- formulas: expr := term {(+|-) term}; term := factor {(*|/) factor};
 * factor := number | measure | ( expr ) --- */

struct parser {
	const char *s;
	struct assess_expr *e;
	char *why;
	size_t whylen;
	int err, depth;
};

static void skip(struct parser *p)
{
	while (*p->s == ' ' || *p->s == '\t')
		p->s++;
}

static void emit(struct parser *p, char op, int measure, double num)
{
	if (p->err)
		return;
	if (p->e->n == ASSESS_EXPR_MAX) {
		snprintf(p->why, p->whylen, "the formula is too long");
		p->err = ERR_BAD_VALUE;
		return;
	}
	p->e->t[p->e->n].op = op;
	p->e->t[p->e->n].measure = measure;
	p->e->t[p->e->n].num = num;
	p->e->n++;
}

static void expr(struct parser *p);

static void factor(struct parser *p)
{
	skip(p);
	if (p->err)
		return;
	if (*p->s == '(') {
		if (++p->depth > 8) {
			snprintf(p->why, p->whylen, "the formula nests too deep");
			p->err = ERR_BAD_VALUE;
			return;
		}
		p->s++;
		expr(p);
		skip(p);
		if (p->err)
			return;
		if (*p->s != ')') {
			snprintf(p->why, p->whylen, "a ')' is missing");
			p->err = ERR_BAD_VALUE;
			return;
		}
		p->s++;
		p->depth--;
		return;
	}
	if ((*p->s >= '0' && *p->s <= '9') || *p->s == '.') {
		char *end;
		double v = strtod(p->s, &end);
		if (end == p->s || !isfinite(v)) {
			snprintf(p->why, p->whylen, "a bad number");
			p->err = ERR_BAD_VALUE;
			return;
		}
		p->s = end;
		emit(p, 'n', 0, v);
		return;
	}
	const char *start = p->s;
	while ((*p->s >= 'a' && *p->s <= 'z') || *p->s == '_' || (*p->s >= '0' && *p->s <= '9'))
		p->s++;
	size_t len = (size_t)(p->s - start);
	char name[32];
	if (len == 0 || len >= sizeof(name)) {
		snprintf(p->why, p->whylen, "expected a measure, a number or '(' at '%.10s'",
			 start);
		p->err = ERR_BAD_VALUE;
		return;
	}
	memcpy(name, start, len);
	name[len] = '\0';
	int m = assess_measure_parse(name);
	if (m < 0) {
		snprintf(p->why, p->whylen, "no measure '%s'", name);
		p->err = ERR_BAD_VALUE;
		return;
	}
	p->e->uses |= 1ull << m;
	emit(p, 'm', m, 0);
}

static void term(struct parser *p)
{
	factor(p);
	for (skip(p); !p->err && (*p->s == '*' || *p->s == '/'); skip(p)) {
		char op = *p->s++;
		factor(p);
		emit(p, op, 0, 0);
	}
}

static void expr(struct parser *p)
{
	term(p);
	for (skip(p); !p->err && (*p->s == '+' || *p->s == '-'); skip(p)) {
		char op = *p->s++;
		term(p);
		emit(p, op, 0, 0);
	}
}

int assess_expr_parse(const char *s, struct assess_expr *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	struct parser p = { .s = s, .e = out, .why = why, .whylen = whylen };
	skip(&p);
	if (!*p.s)
		return 0;
	expr(&p);
	skip(&p);
	if (!p.err && *p.s) {
		snprintf(why, whylen, "unexpected '%.10s'", p.s);
		p.err = ERR_BAD_VALUE;
	}
	return p.err;
}

bool assess_expr_eval(const struct assess_expr *e, const double *m, double *out)
{
	double st[ASSESS_EXPR_MAX];
	int sp = 0;
	for (int i = 0; i < e->n; i++) {
		char op = e->t[i].op;
		if (op == 'n') {
			st[sp++] = e->t[i].num;
		} else if (op == 'm') {
			st[sp++] = m[e->t[i].measure];
		} else {
			double b = st[--sp], a = st[--sp];
			if (op == '/' && b == 0)
				return false;
			st[sp++] = op == '+'   ? a + b
				   : op == '-' ? a - b
				   : op == '*' ? a * b
					       : a / b;
		}
	}
	*out = sp ? st[0] : 0;
	return true;
}

/* --- indicators --- */

static const char *const unit_names[] = { "count", "ratio", "hours", "per10k" };

const char *assess_unit_name(enum assess_unit u)
{
	return (size_t)u < ARRAY_SIZE(unit_names) ? unit_names[u] : "unknown";
}

int assess_unit_parse(const char *s, enum assess_unit *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(unit_names); i++)
		if (!strcmp(s, unit_names[i])) {
			*out = (enum assess_unit)i;
			return 0;
		}
	return ERR_BAD_VALUE;
}

int assess_levels_parse(const char *s, unsigned *mask)
{
	*mask = 0;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char name[24];
		if (n == 0 || n >= sizeof(name))
			return ERR_BAD_VALUE;
		memcpy(name, s, n);
		name[n] = '\0';
		enum assess_level l;
		if (assess_level_parse(name, &l))
			return ERR_BAD_VALUE;
		*mask |= 1u << l;
		s += n + (e ? 1 : 0);
		if (e && !*s)
			return ERR_BAD_VALUE;
	}
	return *mask ? 0 : ERR_BAD_VALUE;
}

static int parse_bands(struct assess_indicator *ind, char *why, size_t whylen)
{
	const char *s = ind->bands ? ind->bands : "";
	ind->nbands = 0;
	if (!*s) {
		ind->band_kind = AB_PEERS;
		return 0;
	}
	char tail;
	if (!strncmp(s, "linear:", 7)) {
		ind->band_kind = AB_LINEAR;
		ind->nbands = 2;
		if (sscanf(s + 7, "%lf:%lf%c", &ind->band_t[0], &ind->band_t[1], &tail) != 2 ||
		    !isfinite(ind->band_t[0]) || !isfinite(ind->band_t[1]) ||
		    ind->band_t[0] >= ind->band_t[1]) {
			snprintf(why, whylen, "bands 'linear:LOW:HIGH' need LOW < HIGH");
			return ERR_BAD_VALUE;
		}
		return 0;
	}
	ind->band_kind = AB_STEPS;
	while (*s) {
		if (ind->nbands == ASSESS_BANDS_MAX) {
			snprintf(why, whylen, "at most %d bands", ASSESS_BANDS_MAX);
			return ERR_BAD_VALUE;
		}
		char *end;
		double t = strtod(s, &end);
		if (end == s || *end != ':') {
			snprintf(why, whylen,
				 "bands are 'threshold:score,...' or 'linear:LOW:HIGH'");
			return ERR_BAD_VALUE;
		}
		s = end + 1;
		double sc = strtod(s, &end);
		if (end == s || (*end && *end != ',') || !isfinite(t) || !(sc >= 0 && sc <= 100)) {
			snprintf(why, whylen, "a band's score is 0-100 ('threshold:score,...')");
			return ERR_BAD_VALUE;
		}
		int k = ind->nbands++;
		ind->band_t[k] = t;
		ind->band_s[k] = sc;
		/* thresholds run from the best value down (higher) or up (lower) */
		if (k && (ind->higher ? t >= ind->band_t[k - 1] : t <= ind->band_t[k - 1])) {
			snprintf(why, whylen,
				 "band thresholds must run from the best value to the worst");
			return ERR_BAD_VALUE;
		}
		s = *end ? end + 1 : end;
	}
	return 0;
}

int assess_indicator_check(struct assess_indicator *ind, char *why, size_t whylen)
{
	size_t cl = strlen(ind->code);
	if (cl < 1 || cl > 12) {
		snprintf(why, whylen, "code must be 1-12 letters, digits or '_'");
		return ERR_BAD_VALUE;
	}
	for (size_t i = 0; i < cl; i++) {
		char c = ind->code[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_')) {
			snprintf(why, whylen, "code must be 1-12 letters, digits or '_'");
			return ERR_BAD_VALUE;
		}
	}
	if (!ind->name || !*ind->name || !str_utf8_valid(ind->name, strlen(ind->name)) ||
	    str_utf8_len(ind->name) > 50) {
		snprintf(why, whylen, "name must be 1-50 characters");
		return ERR_BAD_VALUE;
	}
	if (ind->name_en &&
	    (!str_utf8_valid(ind->name_en, strlen(ind->name_en)) || strlen(ind->name_en) > 100)) {
		snprintf(why, whylen, "name_en must be at most 100 characters");
		return ERR_BAD_VALUE;
	}
	if (!ind->levels || ind->levels >= (1u << AL__COUNT)) {
		snprintf(why, whylen, "levels must name at least one level");
		return ERR_BAD_VALUE;
	}
	char sub[160];
	if (!ind->numerator || !*ind->numerator) {
		snprintf(why, whylen, "numerator is required");
		return ERR_BAD_VALUE;
	}
	if (strlen(ind->numerator) > 200 ||
	    assess_expr_parse(ind->numerator, &ind->num, sub, sizeof(sub))) {
		snprintf(why, whylen, "numerator: %s",
			 strlen(ind->numerator) > 200 ? "too long" : sub);
		return ERR_BAD_VALUE;
	}
	const char *den = ind->denominator ? ind->denominator : "";
	if (strlen(den) > 200 || assess_expr_parse(den, &ind->den, sub, sizeof(sub))) {
		snprintf(why, whylen, "denominator: %s", strlen(den) > 200 ? "too long" : sub);
		return ERR_BAD_VALUE;
	}
	if (!isfinite(ind->scale) || ind->scale <= 0 || ind->scale > 1e9) {
		snprintf(why, whylen, "scale must be a positive number");
		return ERR_BAD_VALUE;
	}
	if (!isfinite(ind->weight) || ind->weight < 0 || ind->weight > 1000) {
		snprintf(why, whylen, "weight must be 0-1000");
		return ERR_BAD_VALUE;
	}
	if (ind->min_cases < -1 || ind->min_cases > 1000000) {
		snprintf(why, whylen, "min_cases must be -1 (the setting) or 0-1000000");
		return ERR_BAD_VALUE;
	}
	if (ind->bands && strlen(ind->bands) > 200) {
		snprintf(why, whylen, "bands: too long");
		return ERR_BAD_VALUE;
	}
	if (parse_bands(ind, sub, sizeof(sub))) {
		snprintf(why, whylen, "bands: %s", sub);
		return ERR_BAD_VALUE;
	}
	return 0;
}

int assess_indicators_load_csv(const char *path, struct arena *a, struct assess_indicator **out,
			       size_t *n, char *why, size_t whylen)
{
	static const char *const cols[] = { "code",      "name_zh",     "name_en", "levels",
					    "numerator", "denominator", "scale",   "unit",
					    "direction", "weight",      "bands",   "min_cases",
					    "rank_small" };
	struct csv_reader r;
	if (csv_open(&r, path)) {
		snprintf(why, whylen, "%s", r.why);
		return ERR_IO;
	}
	char **f;
	size_t nf, cap = 16, len = 0;
	struct assess_indicator *v = arena_zalloc(a, cap * sizeof(*v));
	int err = 0, got = csv_next(&r, a, &f, &nf);
	if (got != 1 || nf != ARRAY_SIZE(cols)) {
		snprintf(why, whylen, "%s:1: expected the header %s,...", path, cols[0]);
		err = ERR_BAD_FILE;
	}
	for (size_t i = 0; !err && i < nf; i++)
		if (strcmp(f[i], cols[i])) {
			snprintf(why, whylen, "%s:1: column %zu must be '%s'", path, i + 1,
				 cols[i]);
			err = ERR_BAD_FILE;
		}
	while (!err && (got = csv_next(&r, a, &f, &nf)) == 1) {
		if (nf == 1 && !*f[0])
			continue;
		if (nf != ARRAY_SIZE(cols)) {
			snprintf(why, whylen, "%s:%d: expected %zu fields, found %zu", path, r.line,
				 ARRAY_SIZE(cols), nf);
			err = ERR_BAD_FILE;
			break;
		}
		if (len == cap) {
			struct assess_indicator *nv = arena_zalloc(a, 2 * cap * sizeof(*nv));
			memcpy(nv, v, len * sizeof(*nv));
			v = nv;
			cap *= 2;
		}
		struct assess_indicator *x = &v[len];
		memset(x, 0, sizeof(*x));
		str_copy(x->code, sizeof(x->code), f[0]);
		x->name = f[1];
		x->name_en = f[2];
		x->numerator = f[4];
		x->denominator = f[5];
		x->bands = f[10];
		x->enabled = true;
		x->version = 1;
		char *end;
		long long mc = 0;
		const char *bad = NULL;
		if (strlen(f[0]) >= sizeof(x->code))
			bad = "code";
		else if (assess_levels_parse(f[3], &x->levels))
			bad = "levels";
		else if ((x->scale = strtod(f[6], &end), end == f[6] || *end))
			bad = "scale";
		else if (assess_unit_parse(f[7], &x->unit))
			bad = "unit";
		else if (strcmp(f[8], "higher") && strcmp(f[8], "lower"))
			bad = "direction (higher or lower)";
		else if ((x->weight = strtod(f[9], &end), end == f[9] || *end))
			bad = "weight";
		else if (str_to_ll(f[11], -1, 1000000, &mc))
			bad = "min_cases";
		else if (strcmp(f[12], "0") && strcmp(f[12], "1"))
			bad = "rank_small (0 or 1)";
		if (bad) {
			snprintf(why, whylen, "%s:%d: bad %s", path, r.line, bad);
			err = ERR_BAD_FILE;
			break;
		}
		x->higher = !strcmp(f[8], "higher");
		x->min_cases = (int)mc;
		x->rank_small = f[12][0] == '1';
		char sub[200];
		if (assess_indicator_check(x, sub, sizeof(sub))) {
			snprintf(why, whylen, "%s:%d: %s", path, r.line, sub);
			err = ERR_BAD_FILE;
			break;
		}
		for (size_t k = 0; k < len; k++)
			if (!strcmp(v[k].code, x->code)) {
				snprintf(why, whylen, "%s:%d: code '%s' is given twice", path,
					 r.line, x->code);
				err = ERR_BAD_FILE;
			}
		len++;
	}
	if (!err && got < 0) {
		snprintf(why, whylen, "%s: %s", path, r.why);
		err = ERR_BAD_FILE;
	}
	csv_close(&r);
	*out = v;
	*n = err ? 0 : len;
	return err;
}

/* --- periods --- */

static long long day_start(long day)
{
	return (long long)day * 86400 - CAL_TZ_OFFSET;
}

static void set_months(struct assess_period *p, int y, int m, int months)
{
	int ey = y + (m - 1 + months) / 12, em = (m - 1 + months) % 12 + 1;
	p->from = day_start(cal_day_from_civil(y, m, 1));
	p->to = day_start(cal_day_from_civil(ey, em, 1));
}

static bool real_date(const char *s, int *y, int *m, int *d)
{
	char tail;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) != 3 || *y < 1970 || *y > 2200 || *m < 1 ||
	    *m > 12 || *d < 1)
		return false;
	int yy, mm, dd;
	cal_civil(cal_day_from_civil(*y, *m, *d), &yy, &mm, &dd);
	return yy == *y && mm == *m && dd == *d;
}

int assess_period_parse(const char *key, struct assess_period *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n >= sizeof(out->key))
		return ERR_BAD_VALUE;
	int y, m, q;
	char tail;
	for (size_t i = 0; i < n; i++)
		if (!((key[i] >= '0' && key[i] <= '9') || key[i] == '-' || key[i] == 'Q' ||
		      key[i] == '.'))
			return ERR_BAD_VALUE;
	if (n == 4 && sscanf(key, "%4d%c", &y, &tail) == 1 && y >= 1970 && y <= 2200) {
		out->kind = AP_YEAR;
		set_months(out, y, 1, 12);
	} else if (n == 7 && key[5] == 'Q' && sscanf(key, "%4d-Q%1d%c", &y, &q, &tail) == 2 &&
		   y >= 1970 && y <= 2200 && q >= 1 && q <= 4) {
		out->kind = AP_QUARTER;
		set_months(out, y, 3 * q - 2, 3);
	} else if (n == 7 && key[4] == '-' && sscanf(key, "%4d-%2d%c", &y, &m, &tail) == 2 &&
		   y >= 1970 && y <= 2200 && m >= 1 && m <= 12 && key[5] != '+' && key[5] != ' ') {
		out->kind = AP_MONTH;
		set_months(out, y, m, 1);
	} else if (n == 22 && !strncmp(key + 10, "..", 2)) {
		char a[11], b[11];
		int d, y2, m2, d2;
		memcpy(a, key, 10);
		a[10] = '\0';
		memcpy(b, key + 12, 10);
		b[10] = '\0';
		if (!real_date(a, &y, &m, &d) || !real_date(b, &y2, &m2, &d2))
			return ERR_BAD_VALUE;
		long from = cal_day_from_civil(y, m, d), to = cal_day_from_civil(y2, m2, d2) + 1;
		if (to <= from || to - from > 366)
			return ERR_BAD_VALUE;
		out->kind = AP_CUSTOM;
		out->from = day_start(from);
		out->to = day_start(to);
	} else {
		return ERR_BAD_VALUE;
	}
	memcpy(out->key, key, n + 1);
	return 0;
}

void assess_period_prev(const struct assess_period *p, struct assess_period *out)
{
	int y, m, d;
	cal_civil(cal_day_of(p->from), &y, &m, &d);
	memset(out, 0, sizeof(*out));
	out->kind = p->kind;
	switch (p->kind) {
	case AP_YEAR: snprintf(out->key, sizeof(out->key), "%04d", y - 1); break;
	case AP_QUARTER: {
		int q = (m - 1) / 3 + 1;
		snprintf(out->key, sizeof(out->key), "%04d-Q%d", q == 1 ? y - 1 : y,
			 q == 1 ? 4 : q - 1);
		break;
	}
	case AP_MONTH:
		snprintf(out->key, sizeof(out->key), "%04d-%02d", m == 1 ? y - 1 : y,
			 m == 1 ? 12 : m - 1);
		break;
	case AP_CUSTOM: {
		long from = cal_day_of(p->from), to = cal_day_of(p->to);
		long pf = from - (to - from), pt = from - 1;
		int y2, m2, d2;
		cal_civil(pf, &y, &m, &d);
		cal_civil(pt, &y2, &m2, &d2);
		snprintf(out->key, sizeof(out->key), "%04d-%02d-%02d..%04d-%02d-%02d", y, m, d, y2,
			 m2, d2);
		break;
	}
	}
	struct assess_period tmp;
	if (!assess_period_parse(out->key, &tmp))
		*out = tmp;
}

void assess_period_month_of(long long t, struct assess_period *out)
{
	int y, m, d;
	cal_civil(cal_day_of(t), &y, &m, &d);
	char key[16];
	snprintf(key, sizeof(key), "%04d-%02d", y, m);
	assess_period_parse(key, out);
}

/* --- computing --- */

double assess_round2(double v)
{
	return round(v * 100.0) / 100.0;
}

static double clamp100(double v)
{
	return v < 0 ? 0 : v > 100 ? 100 : v;
}

double assess_band_score(const struct assess_indicator *ind, double v)
{
	if (ind->band_kind == AB_LINEAR) {
		double lo = ind->band_t[0], hi = ind->band_t[1];
		return clamp100(ind->higher ? 100 * (v - lo) / (hi - lo)
					    : 100 * (hi - v) / (hi - lo));
	}
	for (int k = 0; k < ind->nbands; k++)
		if (ind->higher ? v >= ind->band_t[k] : v <= ind->band_t[k])
			return ind->band_s[k];
	return 0;
}

static bool applies(const struct assess_indicator *ind, enum assess_level level)
{
	return ind->enabled && (ind->levels & (1u << level));
}

void assess_compute(struct arena *a, enum assess_level level, const struct assess_indicator *inds,
		    size_t nind, int min_cases, struct assess_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rows[i].v = arena_zalloc(a, (nind ? nind : 1) * sizeof(struct assess_value));
		rows[i].has_score = false;
		rows[i].score = 0;
		rows[i].rank = 0;
		rows[i].tie = false;
	}
	for (size_t k = 0; k < nind; k++) {
		const struct assess_indicator *ind = &inds[k];
		if (!applies(ind, level))
			continue;
		int min = ind->min_cases >= 0 ? ind->min_cases : min_cases;
		double lo = 0, hi = 0;
		bool any = false;
		for (size_t i = 0; i < n; i++) {
			struct assess_value *x = &rows[i].v[k];
			double num, den = 1;
			if (!assess_expr_eval(&ind->num, rows[i].m, &num))
				continue;
			if (ind->den.n) {
				if (!assess_expr_eval(&ind->den, rows[i].m, &den) || den == 0)
					continue;
				x->den = den;
				x->small = den < min;
			}
			x->num = num;
			x->value = ind->scale * num / den;
			x->has_value = true;
			x->scored = ind->weight > 0 && (!x->small || ind->rank_small);
			if (!x->scored)
				continue;
			if (!any || x->value < lo)
				lo = x->value;
			if (!any || x->value > hi)
				hi = x->value;
			any = true;
		}
		for (size_t i = 0; i < n; i++) {
			struct assess_value *x = &rows[i].v[k];
			if (!x->has_value)
				continue;
			if (ind->band_kind != AB_PEERS)
				x->score = assess_band_score(ind, x->value);
			else if (hi == lo)
				x->score = 100;
			else
				x->score =
					clamp100(ind->higher ? 100 * (x->value - lo) / (hi - lo)
							     : 100 * (hi - x->value) / (hi - lo));
		}
	}
	/* the weighted mean of the scored indicators; weights of those without a
	 * value (or over too few cases) are left out, not counted as zero */
	for (size_t i = 0; i < n; i++) {
		double sw = 0, sum = 0;
		for (size_t k = 0; k < nind; k++) {
			const struct assess_value *x = &rows[i].v[k];
			if (!applies(&inds[k], level) || !x->has_value || !x->scored)
				continue;
			sw += inds[k].weight;
			sum += inds[k].weight * x->score;
		}
		if (sw > 0) {
			rows[i].has_score = true;
			rows[i].score = assess_round2(sum / sw + rows[i].manual);
		}
	}
	assess_rank(rows, n);
}

struct ranked {
	double key;
	size_t i;
};

static int by_key_desc(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key > b->key ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* competition ranking of keys (already rounded; higher first) */
static void rank_keys(struct ranked *v, size_t m, int *ranks, bool *ties)
{
	qsort(v, m, sizeof(*v), by_key_desc);
	for (size_t j = 0; j < m; j++) {
		int rank = j && v[j].key == v[j - 1].key ? ranks[v[j - 1].i] : (int)j + 1;
		ranks[v[j].i] = rank;
		bool tie =
			(j && v[j].key == v[j - 1].key) || (j + 1 < m && v[j].key == v[j + 1].key);
		ties[v[j].i] = tie;
	}
}

void assess_rank(struct assess_row *rows, size_t n)
{
	struct ranked *v = xmalloc((n ? n : 1) * sizeof(*v));
	int *ranks = xcalloc(n ? n : 1, sizeof(int));
	bool *ties = xcalloc(n ? n : 1, sizeof(bool));
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (rows[i].has_score)
			v[m++] = (struct ranked){ assess_round2(rows[i].score), i };
	rank_keys(v, m, ranks, ties);
	for (size_t i = 0; i < n; i++) {
		rows[i].rank = rows[i].has_score ? ranks[i] : 0;
		rows[i].tie = rows[i].has_score && ties[i];
	}
	free(v);
	free(ranks);
	free(ties);
}

void assess_rank_indicator(const struct assess_indicator *ind, size_t k,
			   const struct assess_row *rows, size_t n, int *ranks, bool *ties)
{
	struct ranked *v = xmalloc((n ? n : 1) * sizeof(*v));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const struct assess_value *x = &rows[i].v[k];
		ranks[i] = 0;
		ties[i] = false;
		if (!x->has_value || (x->small && !ind->rank_small))
			continue;
		/* rounded like the display, so what looks equal ranks equal */
		double key = round(x->value * 1e6) / 1e6;
		v[m++] = (struct ranked){ ind->higher ? key : -key, i };
	}
	rank_keys(v, m, ranks, ties);
	free(v);
}
