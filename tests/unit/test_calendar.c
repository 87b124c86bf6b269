/*
 * test_calendar.c - the working calendar against the checked holiday data
 * and against a minute-by-minute reference.
 */
#include "tap.h"
#include "core/calendar.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

void suite_calendar(void);

#define DATA "share/calendar/cn-holidays-2025-2026.csv"

/* unix time of a local (UTC+8) date and time */
static long long at(int y, int m, int d, int hh, int mm)
{
	return (long long)cal_day_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 - 8 * 3600;
}

/* --- an independent reference: its own parser, Zeller's weekday, minute steps --- */
struct ref_day {
	int y, m, d;
	char kind;
};
static struct ref_day ref_days[200];
static int ref_n;

static int zeller(int y, int m, int d) /* 0 Sunday .. 6 Saturday */
{
	if (m < 3) {
		m += 12;
		y--;
	}
	int h = (d + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7; /* 0 Saturday */
	return (h + 6) % 7;
}

static int ref_workday(int y, int m, int d)
{
	for (int i = 0; i < ref_n; i++)
		if (ref_days[i].y == y && ref_days[i].m == m && ref_days[i].d == d)
			return ref_days[i].kind == 'w';
	int w = zeller(y, m, d);
	return w != 0 && w != 6;
}

static int ref_working_minute(long long t) /* is [t, t+60) working time? */
{
	long day = cal_day_of(t);
	int y, m, d;
	cal_civil(day, &y, &m, &d);
	if (!ref_workday(y, m, d))
		return 0;
	long long local = t + 8 * 3600 - (long long)day * 86400;
	int minute = (int)(local / 60);
	return (minute >= 8 * 60 + 30 && minute < 12 * 60) ||
	       (minute >= 13 * 60 + 30 && minute < 17 * 60 + 30);
}

static long long ref_add(long long t, long long minutes)
{
	if (minutes <= 0)
		return t;
	for (;; t += 60)
		if (ref_working_minute(t) && --minutes == 0)
			return t + 60;
}

static void load_ref(void)
{
	FILE *f = fopen(DATA, "r");
	char line[256];
	ref_n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && ref_n < 200) {
		int y, m, d;
		char kind[16];
		if (sscanf(line, "%d-%d-%d,%15[a-z]", &y, &m, &d, kind) == 4) {
			ref_days[ref_n] = (struct ref_day){ y, m, d, kind[0] };
			ref_n++;
		}
	}
	fclose(f);
}

static void test_dates(void)
{
	int y, m, d;
	is_int(cal_day_from_civil(1970, 1, 1), 0, "epoch is day 0");
	cal_civil(cal_day_from_civil(2024, 2, 29), &y, &m, &d);
	ok(y == 2024 && m == 2 && d == 29, "leap day round trip");
	is_int(cal_weekday(cal_day_from_civil(2026, 11, 25)), 3, "2026-11-25 is a Wednesday");
	int bad = 0;
	for (long day = -1000; day < 100000; day += 7) {
		cal_civil(day, &y, &m, &d);
		if (cal_day_from_civil(y, m, d) != day || zeller(y, m, d) != cal_weekday(day))
			bad++;
	}
	is_int(bad, 0, "civil conversion and weekday agree with Zeller over 300 years");
	/* local day boundary: 2026-01-01 00:00 +08 is 2025-12-31 16:00 UTC */
	is_int(cal_day_of(at(2026, 1, 1, 0, 0)), cal_day_from_civil(2026, 1, 1),
	       "local midnight starts the day");
	is_int(cal_day_of(at(2026, 1, 1, 0, 0) - 1), cal_day_from_civil(2025, 12, 31),
	       "a second before is the day before");
}

static void test_data(void)
{
	struct calendar *c = cal_new();
	char why[256];
	ok(!cal_year_known(c, 2026), "no year is known before loading");
	is_int(cal_load_csv(c, DATA, why, sizeof(why)), 0, "the checked holiday file loads");
	ok(cal_year_known(c, 2025) && cal_year_known(c, 2026), "2025 and 2026 are known");
	ok(!cal_year_known(c, 2027), "2027 is not known (its notice is not published)");
	int years[8];
	is_int(cal_years(c, years, 8), 2, "two years loaded");
	ok(!cal_is_workday(c, cal_day_from_civil(2026, 10, 1)), "National Day 2026 is a holiday");
	ok(!cal_is_workday(c, cal_day_from_civil(2026, 10, 7)),
	   "2026-10-07 (a Wednesday) is a holiday");
	ok(cal_is_workday(c, cal_day_from_civil(2026, 10, 10)),
	   "Saturday 2026-10-10 is an adjusted working day");
	ok(cal_is_workday(c, cal_day_from_civil(2026, 9, 20)),
	   "Sunday 2026-09-20 is an adjusted working day");
	ok(!cal_is_workday(c, cal_day_from_civil(2026, 11, 28)), "an ordinary Saturday is off");
	ok(cal_is_workday(c, cal_day_from_civil(2026, 11, 25)), "an ordinary Wednesday is worked");
	ok(!cal_is_workday(c, cal_day_from_civil(2027, 1, 2)),
	   "2027 weekends are off without data");
	ok(cal_is_workday(c, cal_day_from_civil(2027, 1, 1)),
	   "2027-01-01 is a Friday, counted as work without data");
	char name[64] = "";
	ok(cal_day_name(c, cal_day_from_civil(2026, 2, 17), name, sizeof(name)),
	   "a holiday has a name");
	is_str(name, "春节", "the holiday's name");
	ok(!cal_day_name(c, cal_day_from_civil(2026, 3, 3), name, sizeof(name)),
	   "an ordinary day has no name");
	/* an administrator enters 2027's notice */
	struct cal_day days[] = { { 2027, 1, 1, CAL_HOLIDAY, "元旦" },
				  { 2027, 2, 6, CAL_WORKDAY, "调休" } };
	is_int(cal_replace_year(c, 2027, days, 2, why, sizeof(why)), 0, "2027 entered");
	ok(cal_year_known(c, 2027), "2027 is known now");
	ok(!cal_is_workday(c, cal_day_from_civil(2027, 1, 1)), "2027-01-01 off");
	ok(cal_is_workday(c, cal_day_from_civil(2027, 2, 6)), "Saturday 2027-02-06 worked");
	struct cal_day got[8];
	is_int(cal_list_year(c, 2027, got, 8), 2, "two overrides listed");
	struct cal_day bad[] = { { 2027, 1, 4, CAL_WORKDAY, "" } };
	is_int(cal_replace_year(c, 2027, bad, 1, why, sizeof(why)), ERR_BAD_VALUE,
	       "a Monday cannot be worked extra");
	is_int(cal_list_year(c, 2027, got, 8), 2, "and the year is unchanged");
	struct cal_day other[] = { { 2026, 1, 1, CAL_HOLIDAY, "" } };
	is_int(cal_replace_year(c, 2027, other, 1, why, sizeof(why)), ERR_BAD_VALUE,
	       "a day of another year is refused");
	is_int(cal_replace_year(c, 2027, days, 1, why, sizeof(why)), 0, "2027 replaced");
	ok(cal_is_workday(c, cal_day_from_civil(2027, 2, 6)) == false,
	   "the old adjusted day is gone");
	is_int(cal_list_year(c, 2026, got, 8), 8, "2026 untouched (the first 8 of its days)");
	is_int(cal_day_seconds(c), 27000, "default hours are 7.5 hours a day");
	cal_free(c);
}

static void test_bad_input(void)
{
	struct calendar *c = cal_new();
	char why[256] = "";
	is_int(cal_set_hours(c, "08:30-12:00,11:00-17:30", why, sizeof(why)), ERR_BAD_VALUE,
	       "overlapping periods refused");
	is_int(cal_set_hours(c, "8:30-12:00", why, sizeof(why)), ERR_BAD_VALUE, "H:MM refused");
	is_int(cal_set_hours(c, "12:00-08:00", why, sizeof(why)), ERR_BAD_VALUE,
	       "backwards period refused");
	is_int(cal_set_hours(c, "", why, sizeof(why)), ERR_BAD_VALUE, "no period refused");
	is_int(cal_set_hours(c, "09:00-25:00", why, sizeof(why)), ERR_BAD_VALUE, "hour 25 refused");
	is_int(cal_set_hours(c, "09:00-17:00", why, sizeof(why)), 0, "one period accepted");
	is_int(cal_day_seconds(c), 8 * 3600, "8 hours");
	is_int(cal_set_day(c, 2026, 2, 30, CAL_HOLIDAY, NULL, why, sizeof(why)), ERR_BAD_VALUE,
	       "Feb 30 refused");
	is_int(cal_set_day(c, 2026, 11, 25, CAL_WORKDAY, NULL, why, sizeof(why)), ERR_BAD_VALUE,
	       "a weekday cannot be an adjusted working day");
	ok(strstr(why, "weekday") != NULL, "and the message says why: %s", why);

	char path[] = "/tmp/pingan-cal-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "date,kind,name_zh,name_en\n2027-01-01,holiday,元旦,New "
			   "Year\n2027-13-01,holiday,x,y\n";
	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "wrote a bad file");
	close(fd);
	is_int(cal_load_csv(c, path, why, sizeof(why)), ERR_BAD_FILE, "a bad date fails the load");
	ok(strstr(why, ":3:") != NULL, "naming line 3: %s", why);
	ok(!cal_year_known(c, 2027), "and nothing of the file was kept");
	fd = open(path, O_WRONLY | O_TRUNC);
	text = "date,kind,name_zh,name_en\n2027-01-01,festival,x,y\n";
	ok(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "wrote a bad kind");
	close(fd);
	is_int(cal_load_csv(c, path, why, sizeof(why)), ERR_BAD_FILE, "an unknown kind fails");
	unlink(path);
	is_int(cal_load_csv(c, "/nonexistent/cal.csv", why, sizeof(why)), ERR_IO,
	       "a missing file is an I/O error");
	cal_free(c);
}

static void test_arithmetic(void)
{
	struct calendar *c = cal_new();
	char why[256];
	cal_load_csv(c, DATA, why, sizeof(why));
	/* Friday 17:00 + 1 hour: 30 minutes on Friday, 30 on Monday */
	long long t = at(2026, 11, 20, 17, 0);
	ok(cal_add(c, t, 3600) == at(2026, 11, 23, 9, 0), "Friday 17:00 + 1h is Monday 09:00");
	ok(cal_add(c, at(2026, 11, 25, 11, 30), 3600) == at(2026, 11, 25, 14, 0),
	   "lunch is skipped");
	ok(cal_add(c, at(2026, 11, 25, 8, 30), 27000) == at(2026, 11, 25, 17, 30),
	   "one working day from 08:30 ends at 17:30");
	ok(cal_add(c, at(2026, 11, 25, 3, 0), 60) == at(2026, 11, 25, 8, 31),
	   "before hours starts at 08:30");
	/* 5 working days from the eve of National Day 2026 */
	ok(cal_add(c, at(2026, 9, 30, 17, 30), 5 * 27000) == at(2026, 10, 13, 17, 30),
	   "5 working days from 2026-09-30 17:30 skip the holiday and use the adjusted Saturday");
	ok(cal_add(c, t, 0) == t, "zero is due at once");
	is_int(cal_between(c, at(2026, 11, 20, 17, 0), at(2026, 11, 23, 9, 0)), 3600,
	       "between is the inverse");
	is_int(cal_between(c, at(2026, 10, 1, 0, 0), at(2026, 10, 8, 0, 0)), 0,
	       "no working time in Golden Week");

	/* property: against the minute-by-minute reference at random moments */
	load_ref();
	ok(ref_n > 60, "reference read %d rows", ref_n);
	srandom(20261125);
	int bad = 0, badb = 0;
	for (int i = 0; i < 400; i++) {
		long day = cal_day_from_civil(2025, 1, 1) + random() % 700;
		long long start = (long long)day * 86400 - 8 * 3600 + (random() % 1440) * 60;
		long long minutes = random() % (i % 4 == 0 ? 9000 : 600);
		long long want = ref_add(start, minutes), got = cal_add(c, start, minutes * 60);
		if (want != got && bad++ < 3)
			tap_diag("add %lld min from %lld: got %lld want %lld", minutes, start, got,
				 want);
		if (cal_between(c, start, got) != minutes * 60)
			badb++;
	}
	is_int(bad, 0,
	       "cal_add matches the reference at 400 random moments across holidays and 调休");
	is_int(badb, 0, "cal_between(start, cal_add(start, n)) == n");
	cal_free(c);
}

void suite_calendar(void)
{
	test_dates();
	test_data();
	test_bad_input();
	test_arithmetic();
}
