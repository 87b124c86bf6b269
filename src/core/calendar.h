/*
 * calendar.h - the working calendar: weekends, public holidays, adjusted
 * working days (调休) and working hours, and deadline arithmetic in working
 * time.
 *
 * Days are in China Standard Time (Asia/Shanghai, UTC+8 all year: China has
 * kept no daylight saving time since 1991, so a fixed offset is exact and
 * needs no tz database). Times are unix seconds.
 *
 * A day is a working day when the loaded data says so (kind "workday": a
 * Saturday or Sunday that is worked), or when it is Monday-Friday and the
 * data does not make it a holiday. For a year with no data loaded the
 * calendar counts weekends only; cal_year_known() tells callers to warn
 * (the State Council publishes next year's notice each November).
 *
 * The calendar is safe to read from many threads while an administrator
 * changes it (a read-write lock inside).
 *
 * Working time is the union of the configured daily periods
 * (default 08:30-12:00 and 13:30-17:30, 7.5 hours). cal_add() walks days,
 * not minutes, so a deadline months away costs a few hundred steps.
 */
#ifndef PINGAN_CORE_CALENDAR_H
#define PINGAN_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#define CAL_TZ_OFFSET   (8 * 3600) /* Asia/Shanghai */
#define CAL_MAX_PERIODS 8

enum cal_kind { CAL_HOLIDAY, CAL_WORKDAY };

struct calendar;

/* A calendar with the default hours and no holiday data. */
struct calendar *cal_new(void);
void cal_free(struct calendar *c);

/* Sets the daily working periods from "HH:MM-HH:MM[,HH:MM-HH:MM...]"
 * (ascending, not overlapping, inside the day). 0 or ERR_BAD_VALUE (why). */
int cal_set_hours(struct calendar *c, const char *spec, char *why, size_t whylen);
/* Working seconds in one working day. */
long long cal_day_seconds(const struct calendar *c);

/* Declares one date a holiday or a worked weekend day, and marks its year
 * known. name may be NULL. 0 or ERR_BAD_VALUE (not a real date; a
 * "workday" that is not a Saturday or Sunday; year outside 1970-2200). */
int cal_set_day(struct calendar *c, int y, int m, int d, enum cal_kind kind, const char *name,
		char *why, size_t whylen);
/* Loads a file of `date,kind,name_zh,name_en` rows (header first; see
 * shared/data/README.md). All or nothing: the first bad row fails with its
 * line in why and the calendar is unchanged. Marks every year present. */
int cal_load_csv(struct calendar *c, const char *path, char *why, size_t whylen);
/* true if holiday data for the year is loaded. */
bool cal_year_known(const struct calendar *c, int year);
/* Loaded years, ascending, into years[max]; returns how many. */
size_t cal_years(const struct calendar *c, int *years, size_t max);

/* Years without holiday data that matter at `now` (this year; next year
 * from November on, when its notice is due), as "2027" or "2026, 2027"
 * into buf; "" if none. */
void cal_gaps(const struct calendar *c, long long now, char *buf, size_t size);

/* Day numbers: days since 1970-01-01 in local time. */
long cal_day_of(long long t);
void cal_civil(long day, int *y, int *m, int *d);
long cal_day_from_civil(int y, int m, int d);
/* 0 Sunday .. 6 Saturday */
int cal_weekday(long day);

bool cal_is_workday(const struct calendar *c, long day);
/* The holiday/workday name of a date into buf; false if it has none. */
bool cal_day_name(const struct calendar *c, long day, char *buf, size_t size);

struct cal_day {
	int y, m, d;
	enum cal_kind kind;
	char name[64];
};
/* Replaces every override of `year` with days (all in that year), marking it
 * known — an administrator entering a new notice. All or nothing: 0 or
 * ERR_BAD_VALUE with why. */
int cal_replace_year(struct calendar *c, int year, const struct cal_day *days, size_t n, char *why,
		     size_t whylen);
/* The overrides of `year` into out[max], in date order; returns how many. */
size_t cal_list_year(const struct calendar *c, int year, struct cal_day *out, size_t max);

/* The moment `seconds` of working time after t: the end of the last working
 * second (so a deadline can fall at 17:30, never at the next 08:30). t itself
 * when seconds <= 0. */
long long cal_add(const struct calendar *c, long long t, long long seconds);
/* Working seconds in [a, b); 0 if b <= a. */
long long cal_between(const struct calendar *c, long long a, long long b);

#endif
