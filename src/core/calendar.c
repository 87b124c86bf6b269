/*
 * calendar.c - see calendar.h.
 *
 * Overrides are kept in a sorted array of day numbers (a year has a few
 * dozen), searched by bisection. Civil-date conversion is Howard Hinnant's
 * days_from_civil / civil_from_days (proleptic Gregorian).
 */
#include "core/calendar.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct override {
	long day;
	enum cal_kind kind;
	char *name;
};

struct calendar {
	pthread_rwlock_t lock; /* readers: every deadline; writers: an administrator */
	struct override *v;
	size_t n, cap;
	int periods[CAL_MAX_PERIODS][2]; /* seconds from local midnight */
	int nperiods;
	unsigned char known[231]; /* years 1970..2200 */
};

struct calendar *cal_new(void)
{
	struct calendar *c = xcalloc(1, sizeof(*c));
	pthread_rwlock_init(&c->lock, NULL);
	char why[64];
	if (cal_set_hours(c, "08:30-12:00,13:30-17:30", why, sizeof(why)))
		BUG("default hours: %s", why);
	return c;
}

void cal_free(struct calendar *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

static int parse_hhmm(const char *s, int *out)
{
	if (strlen(s) < 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return ERR_BAD_VALUE;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || (h == 24 && m))
		return ERR_BAD_VALUE;
	*out = h * 3600 + m * 60;
	return 0;
}

int cal_set_hours(struct calendar *c, const char *spec, char *why, size_t whylen)
{
	int p[CAL_MAX_PERIODS][2], n = 0, prev_end = -1;
	const char *s = spec;
	while (*s) {
		if (n == CAL_MAX_PERIODS) {
			snprintf(why, whylen, "at most %d working periods a day", CAL_MAX_PERIODS);
			return ERR_BAD_VALUE;
		}
		if (strlen(s) < 11 || s[5] != '-' || parse_hhmm(s, &p[n][0]) ||
		    parse_hhmm(s + 6, &p[n][1]) || (s[11] && s[11] != ',')) {
			snprintf(why, whylen,
				 "working hours '%.40s' are not HH:MM-HH:MM[,HH:MM-HH:MM]", spec);
			return ERR_BAD_VALUE;
		}
		if (p[n][1] <= p[n][0] || p[n][0] < prev_end) {
			snprintf(why, whylen,
				 "working periods in '%.40s' must be ascending and not overlap",
				 spec);
			return ERR_BAD_VALUE;
		}
		prev_end = p[n][1];
		n++;
		s += 11;
		if (*s == ',')
			s++;
	}
	if (!n) {
		snprintf(why, whylen, "at least one working period is needed");
		return ERR_BAD_VALUE;
	}
	pthread_rwlock_wrlock(&c->lock);
	memcpy(c->periods, p, sizeof(p));
	c->nperiods = n;
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

#define RDLOCK(c) pthread_rwlock_rdlock((pthread_rwlock_t *)&(c)->lock)
#define UNLOCK(c) pthread_rwlock_unlock((pthread_rwlock_t *)&(c)->lock)

static long long day_seconds(const struct calendar *c)
{
	long long s = 0;
	for (int i = 0; i < c->nperiods; i++)
		s += c->periods[i][1] - c->periods[i][0];
	return s;
}

long long cal_day_seconds(const struct calendar *c)
{
	RDLOCK(c);
	long long s = day_seconds(c);
	UNLOCK(c);
	return s;
}

long cal_day_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const long era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

void cal_civil(long z, int *y, int *m, int *d)
{
	z += 719468;
	const long era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)((long)yoe + era * 400 + (*m <= 2));
}

static long floor_div(long long a, long long b)
{
	long long q = a / b;
	if ((a % b) && ((a < 0) != (b < 0)))
		q--;
	return (long)q;
}

long cal_day_of(long long t)
{
	return floor_div(t + CAL_TZ_OFFSET, 86400);
}

int cal_weekday(long day)
{
	/* 1970-01-01 was a Thursday */
	long w = (day + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

/* index of the first override on or after day */
static size_t lower_bound(const struct calendar *c, long day)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->v[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct override *find(const struct calendar *c, long day)
{
	size_t i = lower_bound(c, day);
	return i < c->n && c->v[i].day == day ? &c->v[i] : NULL;
}

static bool workday(const struct calendar *c, long day)
{
	const struct override *o = find(c, day);
	if (o)
		return o->kind == CAL_WORKDAY;
	int w = cal_weekday(day);
	return w != 0 && w != 6;
}

bool cal_is_workday(const struct calendar *c, long day)
{
	RDLOCK(c);
	bool w = workday(c, day);
	UNLOCK(c);
	return w;
}

bool cal_day_name(const struct calendar *c, long day, char *buf, size_t size)
{
	RDLOCK(c);
	const struct override *o = find(c, day);
	bool named = o && o->name;
	if (named)
		str_copy(buf, size, o->name);
	UNLOCK(c);
	return named;
}

static bool valid_date(int y, int m, int d)
{
	if (y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	int yy, mm, dd;
	cal_civil(cal_day_from_civil(y, m, d), &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

static int set_day(struct calendar *c, int y, int m, int d, enum cal_kind kind, const char *name,
		   char *why, size_t whylen)
{
	if (!valid_date(y, m, d)) {
		snprintf(why, whylen, "'%04d-%02d-%02d' is not a date in 1970-2200", y, m, d);
		return ERR_BAD_VALUE;
	}
	long day = cal_day_from_civil(y, m, d);
	int w = cal_weekday(day);
	if (kind == CAL_WORKDAY && w != 0 && w != 6) {
		snprintf(why, whylen,
			 "%04d-%02d-%02d is a weekday; only a Saturday or Sunday can be an "
			 "adjusted working day",
			 y, m, d);
		return ERR_BAD_VALUE;
	}
	size_t lo = lower_bound(c, day);
	if (lo < c->n && c->v[lo].day == day) {
		free(c->v[lo].name);
	} else {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 64;
			c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
		}
		memmove(&c->v[lo + 1], &c->v[lo], (c->n - lo) * sizeof(*c->v));
		c->n++;
	}
	c->v[lo].day = day;
	c->v[lo].kind = kind;
	c->v[lo].name = name && *name ? xstrdup(name) : NULL;
	c->known[y - 1970] = 1;
	return 0;
}

int cal_set_day(struct calendar *c, int y, int m, int d, enum cal_kind kind, const char *name,
		char *why, size_t whylen)
{
	pthread_rwlock_wrlock(&c->lock);
	int err = set_day(c, y, m, d, kind, name, why, whylen);
	pthread_rwlock_unlock(&c->lock);
	return err;
}

static bool year_known(const struct calendar *c, int year)
{
	return year >= 1970 && year <= 2200 && c->known[year - 1970];
}

bool cal_year_known(const struct calendar *c, int year)
{
	RDLOCK(c);
	bool k = year_known(c, year);
	UNLOCK(c);
	return k;
}

size_t cal_years(const struct calendar *c, int *years, size_t max)
{
	size_t n = 0;
	RDLOCK(c);
	for (int i = 0; i < 231 && n < max; i++)
		if (c->known[i])
			years[n++] = 1970 + i;
	UNLOCK(c);
	return n;
}

int cal_replace_year(struct calendar *c, int year, const struct cal_day *days, size_t n, char *why,
		     size_t whylen)
{
	if (year < 1970 || year > 2200) {
		snprintf(why, whylen, "year %d is outside 1970-2200", year);
		return ERR_BAD_VALUE;
	}
	/* check everything first, on a scratch calendar: all or nothing */
	struct calendar *tmp = cal_new();
	int err = 0;
	for (size_t i = 0; i < n && !err; i++) {
		if (days[i].y != year) {
			snprintf(why, whylen, "%04d-%02d-%02d is not in %d", days[i].y, days[i].m,
				 days[i].d, year);
			err = ERR_BAD_VALUE;
		} else {
			err = set_day(tmp, days[i].y, days[i].m, days[i].d, days[i].kind,
				      days[i].name, why, whylen);
		}
	}
	if (!err) {
		pthread_rwlock_wrlock(&c->lock);
		long lo = cal_day_from_civil(year, 1, 1), hi = cal_day_from_civil(year + 1, 1, 1);
		size_t k = 0;
		for (size_t i = 0; i < c->n; i++) {
			if (c->v[i].day >= lo && c->v[i].day < hi)
				free(c->v[i].name);
			else
				c->v[k++] = c->v[i];
		}
		c->n = k;
		for (size_t i = 0; i < tmp->n; i++) {
			int y, m, d;
			cal_civil(tmp->v[i].day, &y, &m, &d);
			set_day(c, y, m, d, tmp->v[i].kind, tmp->v[i].name, why, whylen);
		}
		c->known[year - 1970] = 1;
		pthread_rwlock_unlock(&c->lock);
	}
	cal_free(tmp);
	return err;
}

size_t cal_list_year(const struct calendar *c, int year, struct cal_day *out, size_t max)
{
	size_t n = 0;
	long lo = cal_day_from_civil(year, 1, 1), hi = cal_day_from_civil(year + 1, 1, 1);
	RDLOCK(c);
	for (size_t i = lower_bound(c, lo); i < c->n && c->v[i].day < hi && n < max; i++) {
		struct cal_day *x = &out[n++];
		cal_civil(c->v[i].day, &x->y, &x->m, &x->d);
		x->kind = c->v[i].kind;
		str_copy(x->name, sizeof(x->name), c->v[i].name ? c->v[i].name : "");
	}
	UNLOCK(c);
	return n;
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return ERR_BAD_VALUE;
	char buf[11];
	memcpy(buf, s, 11);
	buf[4] = buf[7] = '\0';
	long long yy, mm, dd;
	if (!str_is_digits(buf, 4) || !str_is_digits(buf + 5, 2) || !str_is_digits(buf + 8, 2) ||
	    str_to_ll(buf, 0, 9999, &yy) || str_to_ll(buf + 5, 0, 99, &mm) ||
	    str_to_ll(buf + 8, 0, 99, &dd))
		return ERR_BAD_VALUE;
	*y = (int)yy;
	*m = (int)mm;
	*d = (int)dd;
	return 0;
}

int cal_load_csv(struct calendar *c, const char *path, char *why, size_t whylen)
{
	struct csv_reader r;
	if (csv_open(&r, path)) {
		snprintf(why, whylen, "%s", r.why);
		return ERR_IO;
	}
	struct arena *a = arena_new();
	struct calendar *tmp = cal_new(); /* all or nothing: fill a copy first */
	tmp->nperiods = c->nperiods;
	memcpy(tmp->periods, c->periods, sizeof(c->periods));
	char **f;
	size_t n;
	int err = 0, got = csv_next(&r, a, &f, &n);
	if (got != 1 || n < 2 || strcmp(f[0], "date") || strcmp(f[1], "kind")) {
		snprintf(why, whylen, "%s:1: expected the header date,kind,name_zh,name_en", path);
		err = ERR_BAD_FILE;
	}
	while (!err && (got = csv_next(&r, a, &f, &n)) == 1) {
		if (n == 1 && !*f[0])
			continue;
		int y, m, d;
		enum cal_kind kind;
		char inner[160];
		if (n < 2 || parse_date(f[0], &y, &m, &d)) {
			snprintf(why, whylen, "%s:%d: '%.20s' is not a YYYY-MM-DD date", path,
				 r.line, n ? f[0] : "");
			err = ERR_BAD_FILE;
		} else if (strcmp(f[1], "holiday") && strcmp(f[1], "workday")) {
			snprintf(why, whylen, "%s:%d: kind must be holiday or workday, not '%.20s'",
				 path, r.line, f[1]);
			err = ERR_BAD_FILE;
		} else {
			kind = !strcmp(f[1], "holiday") ? CAL_HOLIDAY : CAL_WORKDAY;
			if (cal_set_day(tmp, y, m, d, kind, n > 2 ? f[2] : NULL, inner,
					sizeof(inner))) {
				snprintf(why, whylen, "%s:%d: %s", path, r.line, inner);
				err = ERR_BAD_FILE;
			}
		}
	}
	if (!err && got < 0) {
		snprintf(why, whylen, "%s: %s", path, r.why);
		err = ERR_BAD_FILE;
	}
	csv_close(&r);
	if (!err) {
		pthread_rwlock_wrlock(&c->lock);
		for (size_t i = 0; i < tmp->n; i++) {
			int y, m, d;
			cal_civil(tmp->v[i].day, &y, &m, &d);
			set_day(c, y, m, d, tmp->v[i].kind, tmp->v[i].name, why, whylen);
		}
		pthread_rwlock_unlock(&c->lock);
	}
	cal_free(tmp);
	arena_free(a);
	return err;
}

void cal_gaps(const struct calendar *c, long long now, char *buf, size_t size)
{
	int y, m, d;
	cal_civil(cal_day_of(now), &y, &m, &d);
	buf[0] = '\0';
	size_t n = 0;
	RDLOCK(c);
	bool this_year = year_known(c, y), next_year = year_known(c, y + 1);
	UNLOCK(c);
	if (!this_year)
		n += (size_t)snprintf(buf, size, "%d", y);
	if (m >= 11 && !next_year && n < size)
		snprintf(buf + n, size - n, "%s%d", n ? ", " : "", y + 1);
}

static long long add(const struct calendar *c, long long t, long long seconds);

long long cal_add(const struct calendar *c, long long t, long long seconds)
{
	if (seconds <= 0)
		return t;
	RDLOCK(c);
	long long r = add(c, t, seconds);
	UNLOCK(c);
	return r;
}

static long long add(const struct calendar *c, long long t, long long seconds)
{
	long day = cal_day_of(t);
	long long midnight = (long long)day * 86400 - CAL_TZ_OFFSET;
	long long pos = t - midnight; /* seconds into the day */
	long long full = day_seconds(c);
	for (;;) {
		if (workday(c, day)) {
			/* whole working days at once when we start at midnight */
			for (int i = 0; i < c->nperiods; i++) {
				long long s = c->periods[i][0], e = c->periods[i][1];
				if (pos >= e)
					continue;
				if (pos < s)
					pos = s;
				if (seconds <= e - pos)
					return midnight + pos + seconds;
				seconds -= e - pos;
				pos = e;
			}
		}
		day++;
		midnight += 86400;
		pos = 0;
		/* skip runs of full working days cheaply */
		while (seconds > full && workday(c, day)) {
			seconds -= full;
			day++;
			midnight += 86400;
		}
	}
}

long long cal_between(const struct calendar *c, long long a, long long b)
{
	if (b <= a)
		return 0;
	long long total = 0;
	RDLOCK(c);
	long day = cal_day_of(a), last = cal_day_of(b);
	for (; day <= last; day++) {
		if (!workday(c, day))
			continue;
		long long midnight = (long long)day * 86400 - CAL_TZ_OFFSET;
		for (int i = 0; i < c->nperiods; i++) {
			long long s = midnight + c->periods[i][0], e = midnight + c->periods[i][1];
			long long lo = s > a ? s : a, hi = e < b ? e : b;
			if (hi > lo)
				total += hi - lo;
		}
	}
	UNLOCK(c);
	return total;
}
