/*
 * h_calendar.c - the working calendar over the API: read it, and let an
 * administrator enter a year's holidays and adjusted working days when the
 * State Council's notice appears (usually in November for the next year).
 * Entered years are stored, replace that year's file, and take effect at
 * once for new deadlines; deadlines already running are not moved.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>

#define MAX_DAYS 200

static int render(struct app *app, struct http_request *r, long long year)
{
	int years[256];
	size_t ny = cal_years(app->cal, years, 256);
	json_t *ys = json_array();
	for (size_t i = 0; i < ny; i++)
		json_array_append_new(ys, json_integer(years[i]));
	struct cal_day days[MAX_DAYS];
	size_t n = cal_list_year(app->cal, (int)year, days, MAX_DAYS);
	json_t *dj = json_array();
	for (size_t i = 0; i < n; i++) {
		char date[16];
		snprintf(date, sizeof(date), "%04d-%02d-%02d", days[i].y, days[i].m, days[i].d);
		json_array_append_new(dj,
				      json_pack("{s:s,s:s,s:s}", "date", date, "kind",
						days[i].kind == CAL_HOLIDAY ? "holiday" : "workday",
						"name", days[i].name));
	}
	json_t *j = json_pack("{s:o,s:I,s:b,s:o,s:s,s:I}", "years", ys, "year", (json_int_t)year,
			      "known", cal_year_known(app->cal, (int)year), "days", dj,
			      "working_hours", app->cfg->working_hours, "working_day_s",
			      (json_int_t)cal_day_seconds(app->cal));
	char gaps[64];
	cal_gaps(app->cal, app->now(), gaps, sizeof(gaps));
	json_object_set_new(
		j, "warning",
		*gaps ? json_string(arena_printf(
				r->arena, "no holiday data for %s: deadlines count weekends only",
				gaps))
		      : json_null());
	http_reply_json(r, 200, j);
	return 0;
}

int h_calendar_get(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	int y, m, d;
	cal_civil(cal_day_of(app->now()), &y, &m, &d);
	long long year;
	int err = api_query_int(r, "year", 1970, 2200, y, &year);
	return err ? err : render(app, r, year);
}

int h_calendar_put(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "days", NULL };
	long long year;
	int err;
	if (str_to_ll(r->params[0], 1970, 2200, &year) || strlen(r->params[0]) != 4)
		return http_error(r, ERR_NOT_FOUND, "no year '%.8s' (1970-2200)", r->params[0]);
	if ((err = api_only_keys(r, body, keys)))
		return err;
	json_t *jd = json_object_get(body, "days");
	if (!jd)
		return http_error(r, ERR_MISSING, "field 'days' is required");
	if (!json_is_array(jd) || json_array_size(jd) > MAX_DAYS)
		return http_error(r, ERR_BAD_TYPE,
				  "field 'days' must be an array of at most %d days", MAX_DAYS);
	struct cal_day *days = arena_zalloc(r->arena, (json_array_size(jd) + 1) * sizeof(*days));
	size_t n = 0, i;
	json_t *v;
	json_array_foreach (jd, i, v) {
		static const char *const dkeys[] = { "date", "kind", "name", NULL };
		const char *date, *kind, *name;
		if (!json_is_object(v))
			return http_error(r, ERR_BAD_TYPE,
					  "day %zu must be an object {date, kind, name}", i);
		if ((err = api_only_keys(r, v, dkeys)) ||
		    (err = api_str(r, v, "date", true, 10, &date)) ||
		    (err = api_str(r, v, "kind", true, 10, &kind)) ||
		    (err = api_str(r, v, "name", false, 30, &name)))
			return err;
		struct cal_day *x = &days[n++];
		char tail;
		if (strlen(date) != 10 ||
		    sscanf(date, "%4d-%2d-%2d%c", &x->y, &x->m, &x->d, &tail) != 3)
			return http_error(r, ERR_BAD_VALUE, "day %zu: date '%s' is not YYYY-MM-DD",
					  i, date);
		if (!strcmp(kind, "holiday"))
			x->kind = CAL_HOLIDAY;
		else if (!strcmp(kind, "workday"))
			x->kind = CAL_WORKDAY;
		else
			return http_error(r, ERR_BAD_VALUE,
					  "day %zu: kind must be holiday or workday", i);
		str_copy(x->name, sizeof(x->name), name ? name : "");
		for (size_t k = 0; k + 1 < n; k++)
			if (days[k].y == x->y && days[k].m == x->m && days[k].d == x->d)
				return http_error(r, ERR_BAD_VALUE, "day %zu: %s is given twice", i,
						  date);
	}
	/* validate on the live calendar's rules first: all or nothing */
	char why[256];
	struct calendar *check = cal_new();
	err = cal_replace_year(check, (int)year, days, n, why, sizeof(why));
	cal_free(check);
	if (err)
		return http_error(r, ERR_BAD_VALUE, "%s", why);
	if ((err = store_begin(app->st)))
		return err;
	err = store_calendar_year_set(app->st, (int)year, days, n, who->user_id, app->now());
	if (!err)
		err = api_audit(app, r, who, "config.calendar",
				arena_printf(r->arena, "calendar:%lld", year), "ok",
				"%zu days entered", n);
	if ((err = api_end(app, err)))
		return err;
	if ((err = cal_replace_year(app->cal, (int)year, days, n, why, sizeof(why))))
		return http_error(r, ERR_BAD_VALUE, "%s", why);
	return render(app, r, year);
}
