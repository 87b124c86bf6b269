/*
 * h_assess.c - assessment over the API: indicators (versioned, with
 * history), population, scores and the safety index, rankings with the
 * change of place, the drill-down to the cases behind every figure,
 * closing a period (a snapshot) and recomputing it (a new version), manual
 * items with approval, commendation candidates, and exports (CSV, a
 * printable report in Chinese).
 *
 * A period that has been closed is read from its newest snapshot (or the
 * version asked for); any other period is computed live from the records
 * and marked "provisional". Computation is district-wide (ranks need every
 * peer); what a user sees is cut to their scope.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"
#include "domain/assess_run.h"
#include "domain/workflow.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Ends the transaction of a change begun with store_begin(): its audit
 * record is written in it, and a failed record fails the change. */
static int audited(struct app *app, struct http_request *r, struct principal *who,
		   const char *action, const char *object, int err)
{
	if (!err)
		err = api_audit(app, r, who, action, object, "ok", NULL);
	return api_end(app, err);
}

#define TIES_NOTE "equal scores share a place and the next place is skipped (1, 2, 2, 4)"

/* --- indicators as JSON --- */

static json_t *levels_json(unsigned mask)
{
	json_t *a = json_array();
	for (int l = 0; l < AL__COUNT; l++)
		if (mask & (1u << l))
			json_array_append_new(a,
					      json_string(assess_level_name((enum assess_level)l)));
	return a;
}

static json_t *indicator_json(const struct assess_indicator *x)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:f,s:s,s:s,s:f,s:s,s:i,s:b,s:b,s:i,s:o}",
			 "code", x->code, "name", x->name, "name_en", x->name_en ? x->name_en : "",
			 "levels", levels_json(x->levels), "numerator", x->numerator, "denominator",
			 x->denominator ? x->denominator : "", "scale", x->scale, "unit",
			 assess_unit_name(x->unit), "direction", x->higher ? "higher" : "lower",
			 "weight", x->weight, "bands", x->bands ? x->bands : "", "min_cases",
			 x->min_cases, "rank_small", x->rank_small, "enabled", x->enabled,
			 "version", x->version, "updated_at", api_time_json(x->updated_at));
}

/* Fills x from a JSON object (a PUT body or a stored definition). */
static int indicator_from_json(struct http_request *r, json_t *o, const char *code,
			       struct assess_indicator *x)
{
	static const char *const keys[] = { "name",        "name_en", "levels",    "numerator",
					    "denominator", "scale",   "unit",      "direction",
					    "weight",      "bands",   "min_cases", "rank_small",
					    "enabled",     "code",    "version",   "updated_at",
					    NULL };
	int err;
	const char *unit, *dir;
	memset(x, 0, sizeof(*x));
	if ((err = api_only_keys(r, o, keys)))
		return err;
	str_copy(x->code, sizeof(x->code), code);
	if ((err = api_str(r, o, "name", true, 200, &x->name)) ||
	    (err = api_str(r, o, "name_en", false, 400, &x->name_en)) ||
	    (err = api_str(r, o, "numerator", true, 400, &x->numerator)) ||
	    (err = api_str(r, o, "denominator", false, 400, &x->denominator)) ||
	    (err = api_str(r, o, "unit", true, 10, &unit)) ||
	    (err = api_str(r, o, "direction", true, 10, &dir)) ||
	    (err = api_str(r, o, "bands", false, 400, &x->bands)))
		return err;
	json_t *lv = json_object_get(o, "levels");
	if (!json_is_array(lv) || !json_array_size(lv) || json_array_size(lv) > AL__COUNT)
		return http_error(r, ERR_BAD_VALUE,
				  "field 'levels' must be a list of levels (street, community, "
				  "grid, department, grid_worker)");
	size_t i;
	json_t *v;
	json_array_foreach (lv, i, v) {
		enum assess_level l;
		if (assess_level_parse(json_string_value(v), &l))
			return http_error(r, ERR_BAD_VALUE, "levels: no level '%.20s'",
					  json_is_string(v) ? json_string_value(v) : "?");
		x->levels |= 1u << l;
	}
	if (assess_unit_parse(unit, &x->unit))
		return http_error(r, ERR_BAD_VALUE, "unit must be count, ratio, hours or per10k");
	if (strcmp(dir, "higher") && strcmp(dir, "lower"))
		return http_error(r, ERR_BAD_VALUE, "direction must be higher or lower");
	x->higher = !strcmp(dir, "higher");
	const struct {
		const char *key;
		double *out, def;
	} nums[] = { { "scale", &x->scale, 1 }, { "weight", &x->weight, 0 } };
	for (size_t k = 0; k < ARRAY_SIZE(nums); k++) {
		json_t *n = json_object_get(o, nums[k].key);
		if (n && !json_is_number(n))
			return http_error(r, ERR_BAD_TYPE, "field '%s' must be a number",
					  nums[k].key);
		*nums[k].out = n ? json_number_value(n) : nums[k].def;
	}
	long long mc;
	if ((err = api_int(r, o, "min_cases", false, -1, 1000000, &mc)))
		return err;
	x->min_cases = json_object_get(o, "min_cases") ? (int)mc : -1;
	const struct {
		const char *key;
		bool *out, def;
	} bools[] = { { "rank_small", &x->rank_small, false }, { "enabled", &x->enabled, true } };
	for (size_t k = 0; k < ARRAY_SIZE(bools); k++) {
		json_t *b = json_object_get(o, bools[k].key);
		if (b && !json_is_boolean(b))
			return http_error(r, ERR_BAD_TYPE, "field '%s' must be true or false",
					  bools[k].key);
		*bools[k].out = b ? json_is_true(b) : bools[k].def;
	}
	json_t *ver = json_object_get(o, "version");
	x->version = json_is_integer(ver) ? (int)json_integer_value(ver) : 0;
	char why[200];
	if (assess_indicator_check(x, why, sizeof(why)))
		return http_error(r, ERR_BAD_VALUE, "%s", why);
	return 0;
}

static int load_indicators(struct app *app, struct http_request *r, struct assess_indicator **inds,
			   size_t *n)
{
	char why[256] = "";
	int err = assess_indicators_ensure(app->st, r->arena, app->cfg->indicators_file, app->now(),
					   inds, n, why, sizeof(why));
	if (err && *why)
		return http_error(r, ERR_INTERNAL, "cannot load the indicators: %s", why);
	return err;
}

int h_assess_indicators(struct app *app, struct http_request *r, struct principal *who,
			json_t *body)
{
	(void)who;
	(void)body;
	struct assess_indicator *inds;
	size_t n;
	int err = load_indicators(app, r, &inds, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, indicator_json(&inds[i]));
	json_t *ms = json_array();
	for (int m = 0; m < AM__COUNT; m++)
		json_array_append_new(
			ms, json_pack("{s:s,s:s,s:s}", "name", assess_measures[m].name, "zh",
				      assess_measures[m].zh, "cohort",
				      assess_measures[m].cohort == AC_REPORTED     ? "reported"
				      : assess_measures[m].cohort == AC_REGISTERED ? "registered"
										   : "none"));
	http_reply_json(r, 200,
			json_pack("{s:o,s:o,s:I}", "items", items, "measures", ms, "min_cases",
				  (json_int_t)app->cfg->assess_min_cases));
	return 0;
}

int h_assess_indicator_put(struct app *app, struct http_request *r, struct principal *who,
			   json_t *body)
{
	const char *code = r->params[0];
	struct assess_indicator *inds, x;
	size_t n;
	int err = load_indicators(app, r, &inds, &n);
	if (err)
		return err;
	if ((err = indicator_from_json(r, body, code, &x)))
		return err;
	const char *before = "null";
	for (size_t i = 0; i < n; i++)
		if (!strcmp(inds[i].code, x.code)) {
			json_t *b = indicator_json(&inds[i]);
			char *text = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
			before = arena_strdup(r->arena, text);
			free(text);
			json_decref(b);
		}
	x.version = 0;
	json_t *aj = indicator_json(&x);
	json_object_set_new(aj, "version", json_integer(0));
	json_object_set_new(aj, "updated_at", api_time_json(app->now()));
	char *after = json_dumps(aj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(aj);
	if (!(err = store_begin(app->st)))
		err = audited(app, r, who, "assess.indicator",
			      arena_printf(r->arena, "indicator:%s", x.code),
			      store_assess_indicator_put(app->st, &x, who->user_id, app->now(),
							 before, after));
	free(after);
	if (err)
		return err;
	http_reply_json(r, 200, indicator_json(&x));
	return 0;
}

int h_assess_indicator_history(struct app *app, struct http_request *r, struct principal *who,
			       json_t *body)
{
	(void)who;
	(void)body;
	struct assess_indicator_change *v;
	size_t n;
	int err = store_assess_indicator_history(app->st, r->arena, r->params[0], &v, &n);
	if (err)
		return err;
	if (!n)
		return http_error(r, ERR_NOT_FOUND, "no changes of indicator '%.16s'",
				  r->params[0]);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			items,
			json_pack("{s:I,s:i,s:s,s:o,s:o,s:o}", "id", (json_int_t)v[i].id, "version",
				  v[i].version, "user", v[i].user, "at", api_time_json(v[i].at),
				  "before", json_loads(v[i].before, 0, NULL) ?: json_null(),
				  "after", json_loads(v[i].after, 0, NULL) ?: json_null()));
	http_reply_json(r, 200, json_pack("{s:s,s:o}", "code", r->params[0], "items", items));
	return 0;
}

/* --- population --- */

int h_assess_population(struct app *app, struct http_request *r, struct principal *who,
			json_t *body)
{
	(void)who;
	(void)body;
	struct assess_population *v;
	size_t n;
	int err = store_assess_population(app->st, r->arena, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			items, json_pack("{s:s,s:s,s:I,s:i,s:s,s:o}", "code", v[i].code, "name",
					 v[i].name, "population", (json_int_t)v[i].population,
					 "year", v[i].year, "source", v[i].source, "updated_at",
					 api_time_json(v[i].updated_at)));
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}

int h_assess_population_put(struct app *app, struct http_request *r, struct principal *who,
			    json_t *body)
{
	static const char *const keys[] = { "year", "source", "items", NULL };
	int err;
	long long year;
	const char *source;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_int(r, body, "year", true, 1950, 2200, &year)) ||
	    (err = api_str(r, body, "source", true, 200, &source)))
		return err;
	json_t *items = json_object_get(body, "items");
	if (!json_is_array(items) || !json_array_size(items) || json_array_size(items) > 10000)
		return http_error(r, ERR_BAD_VALUE,
				  "field 'items' must list 1-10000 {code, population}");
	struct assess_population *rows =
		arena_zalloc(r->arena, json_array_size(items) * sizeof(*rows));
	size_t i;
	json_t *v;
	json_array_foreach (items, i, v) {
		static const char *const ik[] = { "code", "population", NULL };
		if (!json_is_object(v))
			return http_error(r, ERR_BAD_TYPE, "items[%zu] must be an object", i);
		if ((err = api_only_keys(r, v, ik)) ||
		    (err = api_str(r, v, "code", true, ORG_CODE_MAX - 1, &rows[i].code)) ||
		    (err = api_int(r, v, "population", true, 1, 100000000, &rows[i].population)))
			return err;
		rows[i].year = (int)year;
		rows[i].source = source;
	}
	if (!(err = store_begin(app->st)))
		err = audited(app, r, who, "assess.population", "population",
			      store_assess_population_set(app->st, rows, json_array_size(items),
							  who->user_id, app->now()));
	if (err == ERR_NOT_FOUND)
		return http_error(r, ERR_BAD_VALUE,
				  "every code must be a district, street, community or grid");
	if (err)
		return err;
	return h_assess_population(app, r, who, NULL);
}

/* --- results: a period's level, from its snapshot or live --- */

struct view {
	struct assess_period p;
	enum assess_level level;
	bool closed;
	struct assess_run run;
	struct assess_indicator *inds;
	size_t nind;
	struct assess_row *rows; /* sorted by unit */
	size_t n;
	const char **measures; /* snapshot: JSON text per row * nind */
};

/* the indicators a run was computed with */
static int run_indicators(struct http_request *r, const struct assess_run *run,
			  struct assess_indicator **out, size_t *n)
{
	json_t *defs = json_loads(run->definitions, 0, NULL);
	if (!json_is_array(defs)) {
		json_decref(defs);
		return http_error(r, ERR_INTERNAL, "the snapshot's definitions are unreadable");
	}
	*n = json_array_size(defs);
	*out = arena_zalloc(r->arena, (*n ? *n : 1) * sizeof(**out));
	size_t i;
	json_t *d;
	int err = 0;
	json_array_foreach (defs, i, d) {
		json_t *copy = json_deep_copy(d);
		const char *code = json_string_value(json_object_get(copy, "code"));
		/* strings must outlive the JSON value */
		const char *keys[] = { "name", "name_en", "numerator", "denominator", "bands" };
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			json_t *s = json_object_get(copy, keys[k]);
			if (json_is_string(s))
				json_object_set_new(
					copy, keys[k],
					json_string(arena_strdup(r->arena, json_string_value(s))));
		}
		err = indicator_from_json(r, copy, code ? code : "", &(*out)[i]);
		if (!err) {
			struct assess_indicator *x = &(*out)[i];
			x->name = arena_strdup(r->arena, x->name);
			x->name_en = arena_strdup(r->arena, x->name_en ? x->name_en : "");
			x->numerator = arena_strdup(r->arena, x->numerator);
			x->denominator =
				arena_strdup(r->arena, x->denominator ? x->denominator : "");
			x->bands = arena_strdup(r->arena, x->bands ? x->bands : "");
			json_t *ver = json_object_get(copy, "version");
			x->version = json_is_integer(ver) ? (int)json_integer_value(ver) : 0;
		}
		json_decref(copy);
		if (err)
			break;
	}
	json_decref(defs);
	return err;
}

static int parse_common(struct http_request *r, struct assess_period *p, enum assess_level *level,
			long long *version)
{
	const char *key = http_query(r, "period");
	if (!key)
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter 'period' is required "
				  "(2026-05, 2026-Q2, 2026 or "
				  "2026-05-01..2026-05-20)");
	if (assess_period_parse(key, p))
		return http_error(r, ERR_BAD_QUERY,
				  "period '%.30s' is not a month (2026-05), quarter (2026-Q2), "
				  "year (2026) or range of 1-366 days (2026-05-01..2026-05-20)",
				  key);
	if (level) {
		const char *l = http_query(r, "level");
		if (!l)
			l = "community";
		if (assess_level_parse(l, level))
			return http_error(r, ERR_BAD_QUERY,
					  "level must be street, community, grid, department or "
					  "grid_worker");
	}
	return api_query_int(r, "version", 1, 1000000, 0, version);
}

/* Fills v for (p, level): the snapshot (version, 0 = newest) or live. */
static int load_view(struct app *app, struct http_request *r, const struct assess_period *p,
		     enum assess_level level, int version, struct view *v)
{
	memset(v, 0, sizeof(*v));
	v->p = *p;
	v->level = level;
	struct scope all = { .all = true };
	int err = store_assess_run_get(app->st, r->arena, p->key, version, &v->run);
	if (!err) {
		v->closed = true;
		if ((err = run_indicators(r, &v->run, &v->inds, &v->nind)))
			return err;
		const char **codes = arena_zalloc(r->arena, (v->nind + 1) * sizeof(char *));
		for (size_t k = 0; k < v->nind; k++)
			codes[k] = v->inds[k].code;
		return store_assess_run_rows(app->st, r->arena, v->run.id, level, &all, codes,
					     v->nind, &v->rows, &v->n, &v->measures);
	}
	if (err != ERR_NOT_FOUND)
		return err;
	if (version)
		return http_error(r, ERR_NOT_FOUND, "period %s has no version %d", p->key, version);
	if ((err = load_indicators(app, r, &v->inds, &v->nind)))
		return err;
	struct assess_level_result res[AL__COUNT];
	if ((err = assess_compute_levels(app->st, app->cal, r->arena, p, v->inds, v->nind,
					 (int)app->cfg->assess_min_cases, 1u << level, res)))
		return err;
	v->rows = res[level].rows;
	v->n = res[level].n;
	return 0;
}

/* Rankings are computed over every peer; the caller sees the rows inside
 * their scope (the one decision, AUTHZ_READ). */
static bool visible(const struct principal *who, const struct assess_row *row)
{
	struct authz_object unit = { .exists = true, .org_path = row->path };
	return authz_allowed(who, &(struct authz_request){ .action = AUTHZ_READ, .obj = &unit });
}

static bool applies(const struct assess_indicator *ind, enum assess_level level)
{
	return ind->enabled && (ind->levels & (1u << level));
}

static json_t *num_or_null(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

static json_t *value_json(const struct view *v, size_t i, size_t k)
{
	const struct assess_indicator *ind = &v->inds[k];
	const struct assess_row *row = &v->rows[i];
	const struct assess_value *x = &row->v[k];
	json_t *ms;
	if (v->measures) {
		ms = json_loads(v->measures[i * v->nind + k], 0, NULL);
		if (!ms)
			ms = json_object();
	} else {
		ms = json_object();
		unsigned long long uses = ind->num.uses | ind->den.uses;
		for (int m = 0; m < AM__COUNT; m++)
			if (uses & (1ull << m))
				json_object_set_new(ms, assess_measures[m].name,
						    json_real(row->m[m]));
	}
	return json_pack("{s:o,s:o,s:o,s:o,s:b,s:b,s:o}", "value",
			 num_or_null(x->has_value, x->value), "numerator",
			 num_or_null(x->has_value, x->num), "denominator",
			 num_or_null(x->has_value && ind->den.n, x->den), "score",
			 num_or_null(x->has_value, x->score), "small", x->small, "scored",
			 x->scored, "measures", ms);
}

static json_t *indicators_brief(const struct view *v)
{
	json_t *a = json_array();
	for (size_t k = 0; k < v->nind; k++)
		if (applies(&v->inds[k], v->level))
			json_array_append_new(a, indicator_json(&v->inds[k]));
	return a;
}

static json_t *view_head(struct app *app, const struct view *v)
{
	json_t *j = json_pack("{s:s,s:o,s:o,s:s,s:s,s:I,s:s}", "period", v->p.key, "from",
			      api_time_json(v->p.from), "to", api_time_json(v->p.to), "level",
			      assess_level_name(v->level), "status",
			      v->closed ? "closed" : "provisional", "min_cases",
			      (json_int_t)app->cfg->assess_min_cases, "ties", TIES_NOTE);
	json_object_set_new(j, "version", v->closed ? json_integer(v->run.version) : json_null());
	json_object_set_new(j, "computed_at",
			    v->closed ? api_time_json(v->run.computed_at)
				      : api_time_json(app->now()));
	if (v->closed)
		json_object_set_new(j, "computed_by", json_string(v->run.computed_by_name));
	return j;
}

/* rows visible to who, best rank first (unranked last, by unit) */
static size_t ordered(struct http_request *r, const struct view *v, const struct principal *who,
		      size_t **out)
{
	size_t *idx = arena_zalloc(r->arena, (v->n + 1) * sizeof(size_t)), m = 0;
	for (size_t i = 0; i < v->n; i++)
		if (visible(who, &v->rows[i]))
			idx[m++] = i;
	/* insertion sort: levels hold hundreds of rows */
	for (size_t a = 1; a < m; a++) {
		size_t x = idx[a], b = a;
		const struct assess_row *rx = &v->rows[x];
		while (b > 0) {
			const struct assess_row *ry = &v->rows[idx[b - 1]];
			int kx = rx->rank ? rx->rank : 1 << 30, ky = ry->rank ? ry->rank : 1 << 30;
			if (ky < kx || (ky == kx && strcmp(ry->unit, rx->unit) <= 0))
				break;
			idx[b] = idx[b - 1];
			b--;
		}
		idx[b] = x;
	}
	*out = idx;
	return m;
}

/* previous period's ranks into rows' prev_rank */
static int previous_ranks(struct app *app, struct http_request *r, struct view *v)
{
	struct assess_period pp;
	assess_period_prev(&v->p, &pp);
	struct view prev;
	int err = load_view(app, r, &pp, v->level, 0, &prev);
	if (err)
		return err;
	for (size_t i = 0; i < v->n; i++) {
		struct assess_row *pr = assess_find_row(prev.rows, prev.n, v->rows[i].unit);
		v->rows[i].prev_rank = pr ? pr->rank : 0;
	}
	return 0;
}

static json_t *change_json(const struct assess_row *row)
{
	return row->rank && row->prev_rank ? json_integer(row->prev_rank - row->rank) : json_null();
}

int h_assess_scores(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct assess_period p;
	enum assess_level level;
	long long version;
	struct view v;
	int err;
	if ((err = parse_common(r, &p, &level, &version)) ||
	    (err = load_view(app, r, &p, level, (int)version, &v)) ||
	    (err = previous_ranks(app, r, &v)))
		return err;
	json_t *j = view_head(app, &v);
	json_object_set_new(j, "indicators", indicators_brief(&v));
	size_t *idx, m = ordered(r, &v, who, &idx);
	json_t *items = json_array();
	for (size_t a = 0; a < m; a++) {
		size_t i = idx[a];
		const struct assess_row *row = &v.rows[i];
		json_t *vals = json_object();
		for (size_t k = 0; k < v.nind; k++)
			if (applies(&v.inds[k], level))
				json_object_set_new(vals, v.inds[k].code, value_json(&v, i, k));
		json_array_append_new(
			items,
			json_pack("{s:s,s:s,s:s,s:o,s:f,s:o,s:b,s:o,s:o,s:o}", "unit", row->unit,
				  "name", row->name, "path", row->path, "score",
				  num_or_null(row->has_score, row->score), "manual", row->manual,
				  "rank", row->rank ? json_integer(row->rank) : json_null(), "tie",
				  row->tie, "prev_rank",
				  row->prev_rank ? json_integer(row->prev_rank) : json_null(),
				  "change", change_json(row), "values", vals));
	}
	json_object_set_new(j, "items", items);
	http_reply_json(r, 200, j);
	return 0;
}

static int find_indicator(struct http_request *r, const struct view *v, const char *code, size_t *k)
{
	for (size_t i = 0; i < v->nind; i++)
		if (!strcmp(v->inds[i].code, code) && applies(&v->inds[i], v->level)) {
			*k = i;
			return 0;
		}
	return http_error(r, ERR_BAD_QUERY, "no indicator '%.16s' at level %s", code,
			  assess_level_name(v->level));
}

int h_assess_rankings(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct assess_period p;
	enum assess_level level;
	long long version;
	struct view v;
	int err;
	if ((err = parse_common(r, &p, &level, &version)) ||
	    (err = load_view(app, r, &p, level, (int)version, &v)))
		return err;
	const char *code = http_query(r, "indicator");
	size_t k = 0;
	if (code && (err = find_indicator(r, &v, code, &k)))
		return err;
	json_t *j = view_head(app, &v);
	if (code) {
		/* by one indicator: its value in its direction; small ones unranked */
		int *ranks = arena_zalloc(r->arena, (v.n + 1) * sizeof(int));
		bool *ties = arena_zalloc(r->arena, (v.n + 1) * sizeof(bool));
		assess_rank_indicator(&v.inds[k], k, v.rows, v.n, ranks, ties);
		struct view pv;
		struct assess_period pp;
		assess_period_prev(&p, &pp);
		if ((err = load_view(app, r, &pp, level, 0, &pv)))
			return err;
		size_t pk = pv.nind;
		for (size_t i = 0; i < pv.nind; i++)
			if (!strcmp(pv.inds[i].code, code))
				pk = i;
		int *pranks = arena_zalloc(r->arena, (pv.n + 1) * sizeof(int));
		bool *pties = arena_zalloc(r->arena, (pv.n + 1) * sizeof(bool));
		if (pk < pv.nind)
			assess_rank_indicator(&pv.inds[pk], pk, pv.rows, pv.n, pranks, pties);
		for (size_t i = 0; i < v.n; i++) {
			v.rows[i].rank = ranks[i];
			v.rows[i].tie = ties[i];
			struct assess_row *pr = assess_find_row(pv.rows, pv.n, v.rows[i].unit);
			v.rows[i].prev_rank = pr ? pranks[pr - pv.rows] : 0;
		}
		json_object_set_new(j, "indicator", indicator_json(&v.inds[k]));
	} else if ((err = previous_ranks(app, r, &v))) {
		return err;
	}
	size_t *idx, m = ordered(r, &v, who, &idx);
	json_t *items = json_array();
	for (size_t a = 0; a < m; a++) {
		const struct assess_row *row = &v.rows[idx[a]];
		const struct assess_value *x = code ? &row->v[k] : NULL;
		json_t *it = json_pack("{s:o,s:b,s:s,s:s,s:o,s:o,s:o}", "rank",
				       row->rank ? json_integer(row->rank) : json_null(), "tie",
				       row->tie, "unit", row->unit, "name", row->name, "score",
				       code ? num_or_null(x->has_value, x->value)
					    : num_or_null(row->has_score, row->score),
				       "prev_rank",
				       row->prev_rank ? json_integer(row->prev_rank) : json_null(),
				       "change", change_json(row));
		if (x)
			json_object_set_new(it, "small", json_boolean(x->small));
		json_array_append_new(items, it);
	}
	json_object_set_new(j, "items", items);
	http_reply_json(r, 200, j);
	return 0;
}

int h_assess_drill(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct assess_period p;
	enum assess_level level;
	long long version, offset, limit;
	struct view v;
	int err;
	if ((err = parse_common(r, &p, &level, &version)) ||
	    (err = api_query_int(r, "offset", 0, 1000000000, 0, &offset)) ||
	    (err = api_query_int(r, "limit", 1, 500, 50, &limit)) ||
	    (err = load_view(app, r, &p, level, (int)version, &v)))
		return err;
	const char *unit = http_query(r, "unit"), *code = http_query(r, "indicator");
	if (!unit || !code)
		return http_error(r, ERR_BAD_QUERY,
				  "query parameters 'unit' and 'indicator' "
				  "are required");
	size_t k = 0; /* set by find_indicator (a false -Wmaybe-uninitialized at -O2) */
	if ((err = find_indicator(r, &v, code, &k)))
		return err;
	struct assess_row *row = assess_find_row(v.rows, v.n, unit);
	if (!row || !visible(who, row))
		return http_error(r, ERR_NOT_FOUND, "no %s '%.24s' in your scope",
				  assess_level_name(level), unit);
	const struct assess_indicator *ind = &v.inds[k];
	unsigned long long uses = ind->num.uses | ind->den.uses;
	const char *mname = http_query(r, "measure");
	int sel = -1;
	if (mname) {
		sel = assess_measure_parse(mname);
		if (sel < 0 || !(uses & (1ull << sel)))
			return http_error(r, ERR_BAD_QUERY,
					  "measure '%.24s' is not in the formula of %s", mname,
					  ind->code);
	} else {
		/* the denominator's cases by default: numerator cases are among them */
		const struct assess_expr *e = ind->den.n ? &ind->den : &ind->num;
		for (int i = 0; i < e->n && sel < 0; i++)
			if (e->t[i].op == 'm' && e->t[i].measure != AM_POPULATION)
				sel = e->t[i].measure;
		for (int i = 0; i < ind->num.n && sel < 0; i++)
			if (ind->num.t[i].op == 'm' && ind->num.t[i].measure != AM_POPULATION)
				sel = ind->num.t[i].measure;
	}
	/* the unit's key for the case query: a place's path, else its code */
	const char *key = level <= AL_GRID ? row->path : row->unit;
	json_t *snap =
		v.measures ? json_loads(v.measures[(size_t)(row - v.rows) * v.nind + k], 0, NULL)
			   : NULL;
	json_t *ms = json_array();
	for (int m = 0; m < AM__COUNT; m++) {
		if (!(uses & (1ull << m)))
			continue;
		struct assess_case *cs;
		size_t nc;
		long long live = 0;
		if (m == AM_POPULATION) {
			live = -1;
		} else if ((err = store_assess_cases(app->st, r->arena, &who->scope, level, key,
						     (enum assess_measure)m, p.from, p.to, 0, 1,
						     &cs, &nc, &live))) {
			json_decref(snap);
			json_decref(ms);
			return err;
		}
		double value =
			snap ? json_number_value(json_object_get(snap, assess_measures[m].name))
			     : row->m[m];
		json_t *mj = json_pack("{s:s,s:s,s:s,s:f}", "measure", assess_measures[m].name,
				       "zh", assess_measures[m].zh, "cohort",
				       assess_measures[m].cohort == AC_REPORTED     ? "reported"
				       : assess_measures[m].cohort == AC_REGISTERED ? "registered"
										    : "none",
				       "value", value);
		if (m != AM_POPULATION) {
			json_object_set_new(mj, "cases_now", json_integer(live));
			json_object_set_new(
				mj, "consistent",
				json_boolean(m == AM_HANDLE_HOURS || (double)live == value));
		}
		json_array_append_new(ms, mj);
	}
	json_decref(snap);
	json_t *j = view_head(app, &v);
	const struct assess_value *x = &row->v[k];
	json_object_set_new(j, "unit", json_string(row->unit));
	json_object_set_new(j, "name", json_string(row->name));
	json_object_set_new(j, "indicator", indicator_json(ind));
	json_object_set_new(j, "value", num_or_null(x->has_value, x->value));
	json_object_set_new(j, "numerator", num_or_null(x->has_value, x->num));
	json_object_set_new(j, "denominator", num_or_null(x->has_value && ind->den.n, x->den));
	json_object_set_new(j, "score", num_or_null(x->has_value, x->score));
	json_object_set_new(j, "small", json_boolean(x->small));
	json_object_set_new(j, "measures", ms);
	if (sel >= 0 && sel != AM_POPULATION) {
		struct assess_case *cs;
		size_t nc;
		long long total;
		if ((err = store_assess_cases(app->st, r->arena, &who->scope, level, key,
					      (enum assess_measure)sel, p.from, p.to, offset,
					      (int)limit, &cs, &nc, &total))) {
			json_decref(j);
			return err;
		}
		json_t *items = json_array();
		for (size_t i = 0; i < nc; i++)
			json_array_append_new(
				items,
				json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:b}", "id",
					  (json_int_t)cs[i].id, "receipt", cs[i].receipt, "title",
					  cs[i].title, "state", cs[i].state, "category",
					  cs[i].category, "assignee", cs[i].assignee, "reported_at",
					  api_time_json(cs[i].created_at), "registered_at",
					  api_time_json(cs[i].registered_at), "closed_at",
					  api_time_json(cs[i].closed_at), "late", cs[i].late));
		json_object_set_new(j, "cases",
				    json_pack("{s:s,s:I,s:I,s:I,s:o}", "measure",
					      assess_measures[assess_measure_cases(sel)].name,
					      "total", (json_int_t)total, "offset",
					      (json_int_t)offset, "limit", (json_int_t)limit,
					      "items", items));
	}
	http_reply_json(r, 200, j);
	return 0;
}

/* --- closing and recomputing --- */

static json_t *run_json(const struct assess_run *x)
{
	return json_pack("{s:I,s:s,s:i,s:o,s:s,s:s,s:o,s:o}", "id", (json_int_t)x->id, "period",
			 x->period, "version", x->version, "computed_at",
			 api_time_json(x->computed_at), "computed_by", x->computed_by_name,
			 "reason", x->reason, "from", api_time_json(x->from), "to",
			 api_time_json(x->to));
}

int h_assess_period(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	struct assess_period p;
	if (assess_period_parse(r->params[0], &p))
		return http_error(r, ERR_NOT_FOUND, "no period '%.30s'", r->params[0]);
	struct assess_run *v;
	size_t n;
	int err = store_assess_runs(app->st, r->arena, p.key, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, run_json(&v[i]));
	http_reply_json(r, 200,
			json_pack("{s:s,s:s,s:o}", "period", p.key, "status", n ? "closed" : "open",
				  "versions", items));
	return 0;
}

/* Computes every level of p and stores it as the next version. */
static int snapshot(struct app *app, struct http_request *r, struct principal *who,
		    const struct assess_period *p, const char *reason, struct assess_run *run,
		    struct assess_level_result *res)
{
	struct assess_indicator *inds;
	size_t nind;
	int err = load_indicators(app, r, &inds, &nind);
	if (err)
		return err;
	if ((err = assess_compute_levels(app->st, app->cal, r->arena, p, inds, nind,
					 (int)app->cfg->assess_min_cases, (1u << AL__COUNT) - 1,
					 res)))
		return err;
	json_t *defs = json_array();
	for (size_t k = 0; k < nind; k++)
		json_array_append_new(defs, indicator_json(&inds[k]));
	char *text = json_dumps(defs, JSON_COMPACT);
	json_decref(defs);
	memset(run, 0, sizeof(*run));
	run->period = p->key;
	run->from = p->from;
	run->to = p->to;
	run->computed_at = app->now();
	run->computed_by = who->user_id;
	run->computed_by_name = who->username;
	run->reason = reason ? reason : "";
	run->definitions = arena_strdup(r->arena, text);
	free(text);
	err = store_begin_bulk(app->st);
	return err ? err
		   : audited(app, r, who, "assess.period",
			     arena_printf(r->arena, "period:%s", p->key),
			     store_assess_run_save(app->st, run, inds, nind, res, AL__COUNT));
}

static int close_or_recompute(struct app *app, struct http_request *r, struct principal *who,
			      json_t *body, bool recompute)
{
	static const char *const keys[] = { "reason", NULL };
	struct assess_period p;
	if (assess_period_parse(r->params[0], &p))
		return http_error(r, ERR_NOT_FOUND, "no period '%.30s'", r->params[0]);
	const char *reason;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "reason", recompute, 500, &reason)))
		return err;
	if (p.to > app->now())
		return http_error(r, ERR_CONFLICT, "period %s has not ended yet", p.key);
	struct assess_run prev;
	int have = store_assess_run_get(app->st, r->arena, p.key, 0, &prev);
	if (have && have != ERR_NOT_FOUND)
		return have;
	if (!recompute && !have)
		return http_error(r, ERR_CONFLICT,
				  "period %s is closed (version %d); recompute it to publish a "
				  "new version",
				  p.key, prev.version);
	if (recompute && have)
		return http_error(r, ERR_CONFLICT, "period %s is not closed yet", p.key);
	struct assess_run run;
	struct assess_level_result res[AL__COUNT];
	if ((err = snapshot(app, r, who, &p, reason, &run, res)))
		return err;
	json_t *j = run_json(&run);
	if (recompute) {
		/* what changed against the version it supersedes: visible, never silent */
		json_t *changes = json_array();
		for (int l = 0; l < AL__COUNT; l++) {
			struct assess_row *old;
			size_t nold;
			const char **ms;
			struct scope all = { .all = true };
			if ((err = store_assess_run_rows(app->st, r->arena, prev.id,
							 (enum assess_level)l, &all, NULL, 0, &old,
							 &nold, &ms))) {
				json_decref(j);
				json_decref(changes);
				return err;
			}
			for (size_t i = 0; i < res[l].n; i++) {
				const struct assess_row *nw = &res[l].rows[i];
				struct assess_row *o = assess_find_row(old, nold, nw->unit);
				bool os = o && o->has_score, ns = nw->has_score;
				if (o && os == ns && (!ns || o->score == nw->score) &&
				    o->rank == nw->rank)
					continue;
				json_array_append_new(
					changes,
					json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "level",
						  assess_level_name((enum assess_level)l), "unit",
						  nw->unit, "name", nw->name, "score_before",
						  num_or_null(os, o ? o->score : 0), "score_after",
						  num_or_null(ns, nw->score), "rank_before",
						  o && o->rank ? json_integer(o->rank)
							       : json_null(),
						  "rank_after",
						  nw->rank ? json_integer(nw->rank) : json_null()));
			}
		}
		json_object_set_new(j, "supersedes", json_integer(prev.version));
		json_object_set_new(j, "changes", changes);
	}
	http_reply_json(r, 201, j);
	return 0;
}

int h_assess_close(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	return close_or_recompute(app, r, who, body, false);
}

int h_assess_recompute(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	return close_or_recompute(app, r, who, body, true);
}

/* --- manual items --- */

static json_t *adj_json(const struct assess_adjustment *x)
{
	return json_pack(
		"{s:I,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:s}", "id",
		(json_int_t)x->id, "period", x->period, "level", x->level, "unit", x->unit, "name",
		x->unit_name ? x->unit_name : x->unit, "points", x->points, "reason", x->reason,
		"evidence", x->evidence, "status", x->status, "entered_by", x->created_by_name,
		"entered_at", api_time_json(x->created_at), "decided_by", x->decided_by_name,
		"decided_at", api_time_json(x->decided_at), "decision_note", x->decision_note);
}

int h_assess_adjustments(struct app *app, struct http_request *r, struct principal *who,
			 json_t *body)
{
	(void)body;
	const char *period = http_query(r, "period");
	struct assess_period p;
	if (period && assess_period_parse(period, &p))
		return http_error(r, ERR_BAD_QUERY, "no period '%.30s'", period);
	struct assess_adjustment *v;
	size_t n;
	int err = store_assess_adjustments(app->st, r->arena, &who->scope, period, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, adj_json(&v[i]));
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}

int h_assess_adjustment_add(struct app *app, struct http_request *r, struct principal *who,
			    json_t *body)
{
	static const char *const keys[] = { "period", "level",    "unit", "points",
					    "reason", "evidence", NULL };
	const char *period, *lname, *unit, *reason, *evidence;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "period", true, 30, &period)) ||
	    (err = api_str(r, body, "level", true, 20, &lname)) ||
	    (err = api_str(r, body, "unit", true, 30, &unit)) ||
	    (err = api_str(r, body, "reason", true, 500, &reason)) ||
	    (err = api_str(r, body, "evidence", true, 2000, &evidence)))
		return err;
	struct assess_period p;
	enum assess_level level;
	if (assess_period_parse(period, &p))
		return http_error(r, ERR_BAD_VALUE, "no period '%.30s'", period);
	if (assess_level_parse(lname, &level))
		return http_error(r, ERR_BAD_VALUE, "no level '%.20s'", lname);
	json_t *pts = json_object_get(body, "points");
	if (!pts)
		return http_error(r, ERR_MISSING, "field 'points' is required");
	if (!json_is_number(pts))
		return http_error(r, ERR_BAD_TYPE, "field 'points' must be a number");
	double points = json_number_value(pts);
	if (!isfinite(points) || points == 0 || points < -100 || points > 100)
		return http_error(r, ERR_BAD_VALUE, "points must be -100 to 100, not 0");
	if (!*reason || !*evidence)
		return http_error(r, ERR_MISSING, "a manual item needs a reason and evidence");
	struct assess_row *units;
	size_t nu;
	if ((err = store_assess_units(app->st, r->arena, level, &units, &nu)))
		return err;
	const struct assess_row *u = NULL;
	for (size_t i = 0; i < nu && !u; i++)
		if (!strcmp(units[i].unit, unit) && visible(who, &units[i]))
			u = &units[i];
	if (!u)
		return http_error(r, ERR_BAD_VALUE, "no %s '%.24s' in your scope", lname, unit);
	struct assess_run run;
	bool closed = !store_assess_run_get(app->st, r->arena, p.key, 0, &run);
	struct assess_adjustment x = { .period = p.key,
				       .level = assess_level_name(level),
				       .unit = u->unit,
				       .unit_path = u->path,
				       .points = points,
				       .reason = reason,
				       .evidence = evidence,
				       .created_by = who->user_id,
				       .created_at = app->now() };
	if ((err = store_begin(app->st)) ||
	    (err = audited(app, r, who, "assess.adjustment.add", "adjustment",
			   store_assess_adjustment_add(app->st, &x))))
		return err;
	struct assess_adjustment out;
	if ((err = store_assess_adjustment_get(app->st, r->arena, &who->scope, x.id, &out)))
		return err;
	json_t *j = adj_json(&out);
	/* a closed period's published figures change only by a recompute */
	json_object_set_new(j, "effective", json_string(closed ? "next_recompute" : "on_approval"));
	http_reply_json(r, 201, j);
	return 0;
}

/* A decision on a manual item: the four eyes first (authz: whoever entered
 * it is told so, whatever its state), then the engine's table
 * (wf_adjustment, domain/workflow.c): its state, the roles, the note. */
static int decide(struct app *app, struct http_request *r, struct principal *who, json_t *body,
		  const char *action)
{
	static const char *const keys[] = { "note", NULL };
	long long id;
	const char *note, *status;
	int err;
	if (str_to_ll(r->params[0], 1, (long long)1 << 53, &id))
		return http_error(r, ERR_NOT_FOUND, "no manual item '%.20s'", r->params[0]);
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "note", false, 500, &note)))
		return err;
	struct assess_adjustment x;
	if ((err = store_assess_adjustment_get(app->st, r->arena, &who->scope, id, &x)))
		return http_error(r, ERR_NOT_FOUND, "no manual item %lld", id);
	struct authz_object item = { .exists = true,
				     .org_path = x.unit_path,
				     .creator_id = x.created_by };
	if (!authz_allowed(who, &(struct authz_request){ .action = AUTHZ_DECIDE, .obj = &item }))
		return http_error(r, ERR_FORBIDDEN,
				  "a manual item is approved by someone other than who entered it");
	char why[160];
	if ((err = wf_decide(&wf_adjustment, action, x.status, who->roles,
			     &(struct wf_input){ .note = note }, &status, why, sizeof(why)))) {
		if (err == ERR_CONFLICT)
			return http_error(r, err, "manual item %lld is already %s", id, x.status);
		return http_error(r, err, "%s", why);
	}
	if (!(err = store_begin(app->st)))
		err = audited(app, r, who, "assess.adjustment.decide",
			      arena_printf(r->arena, "adjustment:%lld", id),
			      store_assess_adjustment_decide(app->st, id, status, who->user_id,
							     app->now(), note));
	if (err == ERR_CONFLICT)
		return http_error(r, ERR_CONFLICT, "manual item %lld was decided meanwhile", id);
	if (err || (err = store_assess_adjustment_get(app->st, r->arena, &who->scope, id, &x)))
		return err;
	http_reply_json(r, 200, adj_json(&x));
	return 0;
}

int h_assess_adjustment_approve(struct app *app, struct http_request *r, struct principal *who,
				json_t *body)
{
	return decide(app, r, who, body, "approve");
}

int h_assess_adjustment_reject(struct app *app, struct http_request *r, struct principal *who,
			       json_t *body)
{
	return decide(app, r, who, body, "reject");
}

/* --- commendations --- */

static json_t *commendation_json(const struct assess_commendation *x)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:s}", "id", (json_int_t)x->id,
			 "period", x->period, "rule", x->rule, "level", x->level, "unit", x->unit,
			 "name", x->name, "score", num_or_null(x->has_score, x->score), "basis",
			 x->basis, "status", x->status, "decided_at", api_time_json(x->decided_at),
			 "note", x->note);
}

static int list_commendations(struct app *app, struct http_request *r, struct principal *who,
			      const struct assess_period *pp)
{
	struct assess_period p = *pp;
	struct assess_commendation *v;
	size_t n;
	int err;
	if ((err = store_assess_commendations(app->st, r->arena, &who->scope, p.key, &v, &n)))
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, commendation_json(&v[i]));
	http_reply_json(r, 200, json_pack("{s:s,s:o}", "period", p.key, "items", items));
	return 0;
}

int h_assess_commendations(struct app *app, struct http_request *r, struct principal *who,
			   json_t *body)
{
	(void)body;
	struct assess_period p;
	long long version;
	int err = parse_common(r, &p, NULL, &version);
	return err ? err : list_commendations(app, r, who, &p);
}

/* Candidates from a closed period's snapshot by rule:
 *   top_units: the best `top` ranked units of a level;
 *   excellent_grid_workers: the best `top` grid workers with no late case. */
int h_assess_candidates(struct app *app, struct http_request *r, struct principal *who,
			json_t *body)
{
	static const char *const keys[] = { "period", "rule", "level", "top", NULL };
	const char *period, *rule, *lname = NULL;
	long long top;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "period", true, 30, &period)) ||
	    (err = api_str(r, body, "rule", true, 30, &rule)) ||
	    (err = api_str(r, body, "level", false, 20, &lname)) ||
	    (err = api_int(r, body, "top", true, 1, 1000, &top)))
		return err;
	struct assess_period p;
	if (assess_period_parse(period, &p))
		return http_error(r, ERR_BAD_VALUE, "no period '%.30s'", period);
	bool workers = !strcmp(rule, "excellent_grid_workers");
	if (!workers && strcmp(rule, "top_units"))
		return http_error(r, ERR_BAD_VALUE,
				  "rule must be top_units or excellent_grid_workers");
	enum assess_level level = AL_GRID_WORKER;
	if (!workers && (!lname || assess_level_parse(lname, &level)))
		return http_error(r, ERR_BAD_VALUE, "top_units needs a level");
	struct view v;
	if ((err = load_view(app, r, &p, level, 0, &v)))
		return err;
	if (!v.closed)
		return http_error(r, ERR_CONFLICT,
				  "close period %s first: candidates come from its published "
				  "results",
				  p.key);
	size_t *idx, m = ordered(r, &v, who, &idx);
	struct assess_commendation *c = arena_zalloc(r->arena, (m + 1) * sizeof(*c));
	size_t nc = 0;
	for (size_t a = 0; a < m && nc < (size_t)top; a++) {
		const struct assess_row *row = &v.rows[idx[a]];
		if (!row->rank || row->rank > top)
			break;
		long long late = 0;
		if (workers && (err = store_assess_late_count(app->st, AL_GRID_WORKER, row->unit,
							      p.from, p.to, &late)))
			return err;
		if (late)
			continue;
		c[nc++] = (struct assess_commendation){
			.period = p.key,
			.rule = rule,
			.level = assess_level_name(level),
			.unit = row->unit,
			.name = row->name,
			.unit_path = row->path,
			.score = row->score,
			.has_score = row->has_score,
			.basis = arena_printf(r->arena, "第%d名（第%d版结果）%s", row->rank,
					      v.run.version, workers ? "，本期无超期案件" : ""),
		};
	}
	if ((err = store_begin(app->st)) ||
	    (err = audited(app, r, who, "assess.commendations", "commendations",
			   store_assess_commendations_add(app->st, c, nc))))
		return err;
	return list_commendations(app, r, who, &p);
}

/* A decision on a commendation candidate, by the engine's wf_commendation. */
static int decide_commendation(struct app *app, struct http_request *r, struct principal *who,
			       json_t *body, const char *action)
{
	static const char *const keys[] = { "note", NULL };
	long long id;
	const char *note, *status;
	int err;
	if (str_to_ll(r->params[0], 1, (long long)1 << 53, &id))
		return http_error(r, ERR_NOT_FOUND, "no candidate '%.20s'", r->params[0]);
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "note", false, 500, &note)))
		return err;
	struct assess_commendation cur;
	if ((err = store_assess_commendation_get(app->st, r->arena, &who->scope, id, &cur)))
		return err == ERR_NOT_FOUND ? http_error(r, err, "no candidate %lld", id) : err;
	char why[160];
	if ((err = wf_decide(&wf_commendation, action, cur.status, who->roles,
			     &(struct wf_input){ .note = note }, &status, why, sizeof(why)))) {
		if (err == ERR_CONFLICT)
			return http_error(r, err, "candidate %lld is already %s", id, cur.status);
		return http_error(r, err, "%s", why);
	}
	if (!(err = store_begin(app->st)))
		err = audited(app, r, who, "assess.commendation.decide",
			      arena_printf(r->arena, "commendation:%lld", id),
			      store_assess_commendation_decide(app->st, &who->scope, id, status,
							       who->user_id, app->now(), note));
	if (err == ERR_CONFLICT) {
		/* decided already (409 with its state, as for manual items), or
		 * no such candidate in the scope (404) */
		struct assess_commendation x;
		err = store_assess_commendation_get(app->st, r->arena, &who->scope, id, &x);
		if (err == ERR_NOT_FOUND)
			return http_error(r, ERR_NOT_FOUND, "no candidate %lld", id);
		if (err)
			return err;
		return http_error(r, ERR_CONFLICT, "candidate %lld is already %s", id, x.status);
	}
	if (err)
		return err;
	http_reply_json(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", status));
	return 0;
}

int h_assess_commendation_approve(struct app *app, struct http_request *r, struct principal *who,
				  json_t *body)
{
	return decide_commendation(app, r, who, body, "approve");
}

int h_assess_commendation_reject(struct app *app, struct http_request *r, struct principal *who,
				 json_t *body)
{
	return decide_commendation(app, r, who, body, "reject");
}

/* --- exports --- */

static void csv_field(struct strbuf *sb, const char *s)
{
	strbuf_addstr(sb, "\"");
	for (; *s; s++) {
		/* a leading formula character would run in a spreadsheet */
		if (*s == '"')
			strbuf_addstr(sb, "\"\"");
		else
			strbuf_add(sb, s, 1);
	}
	strbuf_addstr(sb, "\"");
}

static void fmt_value(char *buf, size_t size, const struct assess_indicator *ind,
		      const struct assess_value *x)
{
	if (!x->has_value)
		snprintf(buf, size, "—");
	else if (ind->unit == AU_RATIO)
		snprintf(buf, size, "%.2f%%%s", 100 * x->value, x->small ? "*" : "");
	else if (ind->unit == AU_COUNT)
		snprintf(buf, size, "%.0f", x->value);
	else
		snprintf(buf, size, "%.2f%s", x->value, x->small ? "*" : "");
}

int h_assess_export_csv(struct app *app, struct http_request *r, struct principal *who,
			json_t *body)
{
	(void)body;
	struct assess_period p;
	enum assess_level level;
	long long version;
	struct view v;
	int err;
	if ((err = parse_common(r, &p, &level, &version)) ||
	    (err = load_view(app, r, &p, level, (int)version, &v)) ||
	    (err = previous_ranks(app, r, &v)))
		return err;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "\xEF\xBB\xBF"); /* BOM: spreadsheets then read UTF-8 */
	strbuf_addstr(&sb, "排名,并列,代码,名称,得分,加减分,名次变化");
	for (size_t k = 0; k < v.nind; k++)
		if (applies(&v.inds[k], level)) {
			strbuf_addstr(&sb, ",");
			csv_field(&sb, v.inds[k].name);
		}
	strbuf_addstr(&sb, "\r\n");
	size_t *idx, m = ordered(r, &v, who, &idx);
	for (size_t a = 0; a < m; a++) {
		const struct assess_row *row = &v.rows[idx[a]];
		if (row->rank)
			strbuf_addf(&sb, "%d,%s,", row->rank, row->tie ? "是" : "");
		else
			strbuf_addstr(&sb, "不排名,,");
		csv_field(&sb, row->unit);
		strbuf_addstr(&sb, ",");
		csv_field(&sb, row->name);
		if (row->has_score)
			strbuf_addf(&sb, ",%.2f,%.2f,", row->score, row->manual);
		else
			strbuf_addf(&sb, ",,%.2f,", row->manual);
		if (row->rank && row->prev_rank)
			strbuf_addf(&sb, "%+d", row->prev_rank - row->rank);
		for (size_t k = 0; k < v.nind; k++) {
			if (!applies(&v.inds[k], level))
				continue;
			char buf[64];
			fmt_value(buf, sizeof(buf), &v.inds[k], &row->v[k]);
			strbuf_addf(&sb, ",%s", buf);
		}
		strbuf_addstr(&sb, "\r\n");
	}
	size_t len;
	char *text = strbuf_detach(&sb, &len);
	const char *out = arena_strndup(r->arena, text, len);
	free(text);
	http_add_header(r, "Content-Disposition",
			arena_printf(r->arena, "attachment; filename=\"assessment-%s-%s.csv\"",
				     p.key, assess_level_name(level)));
	http_reply_text(r, 200, "text/csv; charset=utf-8", out, len);
	return 0;
}

static void html_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		default: strbuf_add(sb, s, 1);
		}
	}
}

int h_assess_report(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct assess_period p;
	long long version;
	int err = parse_common(r, &p, NULL, &version);
	if (err)
		return err;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
			   "<title>");
	html_text(&sb, p.key);
	strbuf_addstr(
		&sb, " 平安建设考评结果</title><style>"
		     "body{font-family:'Noto Serif CJK SC','Songti SC',serif;margin:2em;color:#000}"
		     "h1{text-align:center;font-size:22pt}h2{font-size:15pt;margin-top:1.5em}"
		     "table{border-collapse:collapse;width:100%;font-size:10.5pt}"
		     "th,td{border:1px solid #444;padding:3px 6px;text-align:center}"
		     "td.n{text-align:left}.note{font-size:9pt;color:#333}"
		     "@page{size:A4;margin:18mm}@media print{body{margin:0}h2{break-after:avoid}"
		     "tr{break-inside:avoid}}</style></head><body>\n<h1>");
	html_text(&sb, p.key);
	strbuf_addstr(&sb, " 平安建设考评结果</h1>\n");
	const enum assess_level levels[] = { AL_STREET, AL_COMMUNITY, AL_DEPARTMENT };
	bool closed = false;
	int ver = 0;
	for (size_t li = 0; li < ARRAY_SIZE(levels); li++) {
		struct view v;
		if ((err = load_view(app, r, &p, levels[li], (int)version, &v)) ||
		    (err = previous_ranks(app, r, &v))) {
			strbuf_release(&sb);
			return err;
		}
		closed = v.closed;
		ver = v.closed ? v.run.version : 0;
		strbuf_addf(&sb,
			    "<h2>%s%s排名</h2>\n<table><thead><tr><th>名次</th><th>%s</th>"
			    "<th>得分</th><th>名次变化</th>",
			    assess_level_zh(levels[li]),
			    levels[li] <= AL_COMMUNITY ? "平安指数" : "考评", "名称");
		for (size_t k = 0; k < v.nind; k++)
			if (applies(&v.inds[k], levels[li]) && v.inds[k].weight > 0) {
				strbuf_addstr(&sb, "<th>");
				html_text(&sb, v.inds[k].name);
				strbuf_addstr(&sb, "</th>");
			}
		strbuf_addstr(&sb, "</tr></thead><tbody>\n");
		size_t *idx, m = ordered(r, &v, who, &idx);
		for (size_t a = 0; a < m; a++) {
			const struct assess_row *row = &v.rows[idx[a]];
			if (row->rank)
				strbuf_addf(&sb, "<tr><td>%d%s</td><td class=\"n\">", row->rank,
					    row->tie ? "（并列）" : "");
			else
				strbuf_addstr(&sb, "<tr><td>不排名</td><td class=\"n\">");
			html_text(&sb, row->name);
			if (row->has_score)
				strbuf_addf(&sb, "</td><td>%.2f</td><td>", row->score);
			else
				strbuf_addstr(&sb, "</td><td>—</td><td>");
			if (row->rank && row->prev_rank)
				strbuf_addf(&sb, "%s%d",
					    row->prev_rank > row->rank   ? "↑"
					    : row->prev_rank < row->rank ? "↓"
									 : "",
					    row->prev_rank - row->rank > 0
						    ? row->prev_rank - row->rank
						    : row->rank - row->prev_rank);
			else
				strbuf_addstr(&sb, "—");
			strbuf_addstr(&sb, "</td>");
			for (size_t k = 0; k < v.nind; k++) {
				if (!applies(&v.inds[k], levels[li]) || v.inds[k].weight <= 0)
					continue;
				char buf[64];
				fmt_value(buf, sizeof(buf), &v.inds[k], &row->v[k]);
				strbuf_addstr(&sb, "<td>");
				html_text(&sb, buf);
				strbuf_addstr(&sb, "</td>");
			}
			strbuf_addstr(&sb, "</tr>\n");
		}
		strbuf_addstr(&sb, "</tbody></table>\n");
	}
	struct assess_commendation *cm;
	size_t ncm;
	if ((err = store_assess_commendations(app->st, r->arena, &who->scope, p.key, &cm, &ncm))) {
		strbuf_release(&sb);
		return err;
	}
	strbuf_addstr(&sb, "<h2>表彰名单</h2>\n<table><thead><tr><th>类别</th><th>名称</th>"
			   "<th>得分</th><th>依据</th></tr></thead><tbody>\n");
	size_t shown = 0;
	for (size_t i = 0; i < ncm; i++) {
		if (strcmp(cm[i].status, "approved"))
			continue;
		shown++;
		strbuf_addf(&sb, "<tr><td>%s</td><td class=\"n\">",
			    !strcmp(cm[i].rule, "excellent_grid_workers") ? "优秀网格员"
									  : "先进单位");
		html_text(&sb, cm[i].name);
		if (cm[i].has_score)
			strbuf_addf(&sb, "</td><td>%.2f</td><td class=\"n\">", cm[i].score);
		else
			strbuf_addstr(&sb, "</td><td>—</td><td class=\"n\">");
		html_text(&sb, cm[i].basis);
		strbuf_addstr(&sb, "</td></tr>\n");
	}
	if (!shown)
		strbuf_addstr(&sb, "<tr><td colspan=\"4\">本期暂无经审定的表彰名单</td></tr>\n");
	strbuf_addstr(&sb, "</tbody></table>\n<p class=\"note\">");
	if (closed)
		strbuf_addf(&sb, "本结果为第 %d 版定稿快照。", ver);
	else
		strbuf_addstr(&sb, "本期尚未定稿，以上为按当前记录计算的临时结果。");
	strbuf_addf(&sb,
		    "得分相同者名次并列，其后名次顺延；标 * 的指标分母不足 %lld 件，不计入排名。"
		    "各项数据均可在系统中逐项追溯至案件。</p>\n</body></html>\n",
		    (long long)app->cfg->assess_min_cases);
	size_t len;
	char *text = strbuf_detach(&sb, &len);
	const char *out = arena_strndup(r->arena, text, len);
	free(text);
	http_reply_text(r, 200, "text/html; charset=utf-8", out, len);
	return 0;
}
