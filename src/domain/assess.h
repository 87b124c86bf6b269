/*
 * assess.h - assessment: indicators as data, periods, scores, the safety
 * index (平安指数) and rankings.
 *
 * An indicator is `scale × numerator / denominator`, each side a small
 * expression (+ - * / and parentheses) over *measures*: counts of cases
 * taken from the records (closed, due, dispatched...), each with a fixed
 * meaning and cohort (see assess_measures[] and docs/assessment.md). The
 * store sums every measure for every unit of a level in one SQL pass; this
 * module evaluates the formulas, scores each value 0-100 (bands, a linear
 * range, or min-max among peers), weights and sums them into the unit's
 * score (for streets and communities: the 平安指数), adds approved manual
 * items and ranks with ties stated (1, 2, 2, 4).
 *
 * No I/O here: the API layer fetches measures from the store, calls
 * assess_compute(), and stores a snapshot when a period is closed.
 */
#ifndef PINGAN_DOMAIN_ASSESS_H
#define PINGAN_DOMAIN_ASSESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

enum assess_level { AL_STREET, AL_COMMUNITY, AL_GRID, AL_DEPARTMENT, AL_GRID_WORKER, AL__COUNT };
const char *assess_level_name(enum assess_level l);
const char *assess_level_zh(enum assess_level l);
/* 0 or ERR_BAD_VALUE */
int assess_level_parse(const char *s, enum assess_level *out);

/* Which cases a measure counts from: those reported in the period, those
 * registered (立案) in it, or none (population). */
enum assess_cohort { AC_REPORTED, AC_REGISTERED, AC_NONE };

#define ASSESS_MEASURES(X)                                                       \
	X(REPORTED, "reported", "上报数", AC_REPORTED)                           \
	X(REPORTED_VALID, "reported_valid", "有效上报数", AC_REPORTED)           \
	X(MERGED, "merged", "合并数", AC_REPORTED)                               \
	X(REGISTERED, "registered", "立案数", AC_REGISTERED)                     \
	X(REGISTERED_ON_TIME, "registered_on_time", "按时立案数", AC_REGISTERED) \
	X(DUE, "due", "应结案数", AC_REGISTERED)                                 \
	X(CLOSED, "closed", "结案数", AC_REGISTERED)                             \
	X(CLOSED_ON_TIME, "closed_on_time", "按期结案数", AC_REGISTERED)         \
	X(DISPATCHED, "dispatched", "派遣数", AC_REGISTERED)                     \
	X(HANDLE_DUE, "handle_due", "应处置数", AC_REGISTERED)                   \
	X(HANDLED, "handled", "处置数", AC_REGISTERED)                           \
	X(HANDLED_ON_TIME, "handled_on_time", "按期处置数", AC_REGISTERED)       \
	X(REWORKED, "reworked", "返工数", AC_REGISTERED)                         \
	X(RETURNED, "returned", "退回数", AC_REGISTERED)                         \
	X(EXTENDED, "extended", "延期数", AC_REGISTERED)                         \
	X(LATE, "late", "超期数", AC_REGISTERED)                                 \
	X(RATED, "rated", "评价数", AC_REGISTERED)                               \
	X(SATISFIED, "satisfied", "满意数", AC_REGISTERED)                       \
	X(HANDLE_HOURS, "handle_hours", "处置时长合计(工作小时)", AC_REGISTERED) \
	X(POPULATION, "population", "常住人口", AC_NONE)

enum assess_measure {
#define AM_ENUM(n, s, zh, c) AM_##n,
	ASSESS_MEASURES(AM_ENUM)
#undef AM_ENUM
		AM__COUNT
};
struct assess_measure_def {
	const char *name, *zh;
	enum assess_cohort cohort;
};
extern const struct assess_measure_def assess_measures[AM__COUNT];
/* The measure named s, or -1. */
int assess_measure_parse(const char *s);
/* For HANDLE_HOURS the cases listed are the handled ones. */
enum assess_measure assess_measure_cases(enum assess_measure m);

/* --- formulas --- */
#define ASSESS_EXPR_MAX 32
struct assess_expr {
	int n; /* tokens in postfix order */
	struct {
		char op; /* 'm' measure, 'n' number, or + - * / */
		int measure;
		double num;
	} t[ASSESS_EXPR_MAX];
	unsigned long long uses; /* bit per measure */
};
/* Parses "dispatched - returned". 0 or ERR_BAD_VALUE with why. An empty
 * string parses to no tokens. */
int assess_expr_parse(const char *s, struct assess_expr *out, char *why, size_t whylen);
/* Evaluates with measure values m[AM__COUNT]. false on division by zero. */
bool assess_expr_eval(const struct assess_expr *e, const double *m, double *out);

/* --- indicators --- */
enum assess_unit { AU_COUNT, AU_RATIO, AU_HOURS, AU_PER10K };
enum assess_band_kind { AB_PEERS, AB_LINEAR, AB_STEPS };
#define ASSESS_BANDS_MAX 8

struct assess_indicator {
	char code[16];
	const char *name, *name_en;
	unsigned levels;                     /* bit per enum assess_level */
	const char *numerator, *denominator; /* as entered */
	double scale;
	enum assess_unit unit;
	bool higher; /* higher is better */
	double weight;
	const char *bands; /* as entered */
	int min_cases;     /* -1: the setting */
	bool rank_small;
	bool enabled;
	int version;
	long long updated_at;
	/* parsed by assess_indicator_check() */
	struct assess_expr num, den;
	enum assess_band_kind band_kind;
	double band_t[ASSESS_BANDS_MAX], band_s[ASSESS_BANDS_MAX];
	int nbands;
};
const char *assess_unit_name(enum assess_unit u);
int assess_unit_parse(const char *s, enum assess_unit *out);
/* "street,community" into a mask. 0 or ERR_BAD_VALUE. */
int assess_levels_parse(const char *s, unsigned *mask);
/* Checks the text fields and parses formulas and bands into ind. 0 or
 * ERR_BAD_VALUE with why naming the field. */
int assess_indicator_check(struct assess_indicator *ind, char *why, size_t whylen);
/* Loads share/indicators/indicators.csv rows into out (allocated from a).
 * 0, ERR_IO or ERR_BAD_FILE (why: file:line: what). */
int assess_indicators_load_csv(const char *path, struct arena *a, struct assess_indicator **out,
			       size_t *n, char *why, size_t whylen);

/* --- periods (China Standard Time) --- */
enum assess_period_kind { AP_MONTH, AP_QUARTER, AP_YEAR, AP_CUSTOM };
struct assess_period {
	char key[32]; /* 2026-05, 2026-Q2, 2026, 2026-05-01..2026-05-20 */
	enum assess_period_kind kind;
	long long from, to; /* unix seconds, [from, to) */
};
/* 0 or ERR_BAD_VALUE. Custom periods are 1-366 days, end date inclusive. */
int assess_period_parse(const char *key, struct assess_period *out);
/* The period before p: the month, quarter or year before; for a custom
 * period the same number of days just before it. */
void assess_period_prev(const struct assess_period *p, struct assess_period *out);
/* The month holding unix time t. */
void assess_period_month_of(long long t, struct assess_period *out);

/* --- computing --- */
struct assess_value {
	bool has_value; /* false: a zero denominator (no data) */
	bool small;     /* the denominator is under the indicator's minimum */
	bool scored;    /* counted in the unit's score */
	double num, den, value, score;
};

struct assess_row {
	char unit[32];
	const char *name, *path;
	double m[AM__COUNT];
	struct assess_value *v; /* one per indicator */
	bool has_score;
	double score, manual;
	int rank; /* 0: unranked */
	bool tie;
	int prev_rank; /* 0: not ranked in the previous period */
};

/* Evaluates, scores and ranks rows[n] of a level with the indicators that
 * apply to it (inds[nind]; those not for this level or disabled get no
 * value). min_cases is the setting used where an indicator says -1; manual
 * points must already be in rows[i].manual. v arrays come from a. */
void assess_compute(struct arena *a, enum assess_level level, const struct assess_indicator *inds,
		    size_t nind, int min_cases, struct assess_row *rows, size_t n);
/* Ranks rows by score (higher first), competition style: equal scores
 * (to 0.01) share a place, the next place skips. Rows without a score get
 * rank 0. */
void assess_rank(struct assess_row *rows, size_t n);
/* Ranks rows by indicator k's value in its direction, into ranks[n] (0:
 * unranked: no value, or small and the indicator does not rank small);
 * ties[i] tells whether the place is shared. */
void assess_rank_indicator(const struct assess_indicator *ind, size_t k,
			   const struct assess_row *rows, size_t n, int *ranks, bool *ties);
/* Score 0-100 of value v by ind's bands (not AB_PEERS). */
double assess_band_score(const struct assess_indicator *ind, double v);
/* The 0.01-rounded score used for ranking and display. */
double assess_round2(double v);

#endif
