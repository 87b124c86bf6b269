/*
 * import.c - divisions, grids and population from files; see import.h.
 *
 * The work of `pingan import` (src/cli/import.c) and of the admin's upload
 * (h_import.c): both hand over a file path, this reads it with the CSV
 * reader or the GeoJSON grid reader, checks and writes record by record in
 * one transaction, and counts what is new, changed and unchanged by looking
 * each record up before writing it. A dry run rolls back at the end; a real
 * one writes its audit record through the caller's hook and commits.
 */
#include "api/import.h"
#include "api/geojson.h"
#include "core/arena.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "domain/org.h"
#include "store/store.h"
#include "store/store_assess.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[IMPORT__COUNT] = { "divisions", "grids", "population" };

const char *import_kind_name(enum import_kind k)
{
	return k < IMPORT__COUNT ? kind_names[k] : "?";
}

int import_kind_parse(const char *s, enum import_kind *out)
{
	for (int k = 0; k < IMPORT__COUNT; k++)
		if (!strcmp(s, kind_names[k])) {
			*out = (enum import_kind)k;
			return 0;
		}
	return ERR_NOT_FOUND;
}

static int column(char **hdr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(hdr[i], name))
			return (int)i;
	return -1;
}

static bool same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* Validates and stores one org, counting it as new, changed or not;
 * why gets the reason of a failure. */
static int put_org(struct store *st, struct arena *a, struct org *o, struct import_report *rep,
		   char *why, size_t whylen)
{
	struct scope all = { .all = true };
	enum org_kind pk = ORG__COUNT;
	if (*o->parent) {
		struct org p;
		if (store_org_get(st, a, &all, o->parent, &p)) {
			snprintf(why, whylen,
				 "parent '%s' of '%s' does not exist (list parents first)",
				 o->parent, o->code);
			return ERR_BAD_VALUE;
		}
		pk = p.kind;
	}
	int err = org_check_code(o->code, o->kind, o->parent, pk, why, whylen);
	if (err)
		return err;
	if (!*o->name || str_utf8_len(o->name) > 100 || !str_utf8_valid(o->name, strlen(o->name))) {
		snprintf(why, whylen, "name of '%s' must be 1-100 characters of UTF-8", o->code);
		return ERR_BAD_VALUE;
	}
	struct org old;
	bool had = !store_org_get(st, a, &all, o->code, &old);
	err = store_org_put(st, o);
	if (err == ERR_CONFLICT)
		snprintf(why, whylen, "'%s' exists with another kind or parent", o->code);
	else if (err)
		snprintf(why, whylen, "cannot store '%s': %s", o->code, err_message(err));
	else if (!had)
		rep->created++;
	else if (same(old.name, o->name) && same(old.name_en, o->name_en))
		rep->unchanged++;
	else
		rep->updated++;
	return err;
}

/* The CSV's header row into *f; 0 or ERR_BAD_FILE with why. */
static int header(struct csv_reader *r, struct arena *a, const char *file, char ***f, size_t *nf,
		  char *why, size_t whylen)
{
	int got = csv_next(r, a, f, nf);
	if (got == 1)
		return 0;
	if (got)
		snprintf(why, whylen, "%s: %s", file, r->why);
	else
		snprintf(why, whylen, "%s is empty", file);
	return ERR_BAD_FILE;
}

/* A record's failure: "NAME: line N: why" (or "line N: why"). */
static int row_error(struct import_report *rep, const char *name, int line, const char *why)
{
	rep->line = line;
	if (name)
		snprintf(rep->why, sizeof(rep->why), "%s: line %d: %s", name, line, why);
	else
		snprintf(rep->why, sizeof(rep->why), "line %d: %s", line, why);
	return ERR_BAD_FILE;
}

/* The CSV reader's own error (its message names the line already). */
static int reader_error(struct import_report *rep, const char *name, const struct csv_reader *r)
{
	rep->line = r->line;
	snprintf(rep->why, sizeof(rep->why), "%s%s%s", name ? name : "", name ? ": " : "", r->why);
	return ERR_BAD_FILE;
}

static int divisions(struct store *st, struct arena *a, struct csv_reader *r, const char *name,
		     struct import_report *rep)
{
	const char *file = name ? name : "the file";
	char **f;
	size_t nf;
	char why[384] = "";
	int err = header(r, a, file, &f, &nf, rep->why, sizeof(rep->why));
	if (err)
		return err;
	int c_code = column(f, nf, "code"), c_name = column(f, nf, "name");
	int c_parent = column(f, nf, "parent"), c_kind = column(f, nf, "kind");
	int c_en = column(f, nf, "name_en");
	if (c_code < 0 || c_name < 0) {
		rep->line = 1;
		snprintf(rep->why, sizeof(rep->why),
			 "%s%sthe header needs the columns 'code' and 'name'",
			 name ? name : "line 1", name ? ":1: " : ": ");
		return ERR_BAD_FILE;
	}
	int maxc = c_code > c_name ? c_code : c_name;
	if (c_parent > maxc)
		maxc = c_parent;
	if (c_kind > maxc)
		maxc = c_kind;
	if (c_en > maxc)
		maxc = c_en;
	int got;
	while ((got = csv_next(r, a, &f, &nf)) == 1) {
		if (nf == 1 && !*f[0])
			continue; /* blank line */
		if ((int)nf <= maxc) {
			snprintf(why, sizeof(why), "expected at least %d fields, found %zu",
				 maxc + 1, nf);
			return row_error(rep, name, r->line, why);
		}
		struct org o = { 0 };
		if (strlen(f[c_code]) >= sizeof(o.code)) {
			snprintf(why, sizeof(why), "code '%.30s...' is too long", f[c_code]);
			return row_error(rep, name, r->line, why);
		}
		str_copy(o.code, sizeof(o.code), f[c_code]);
		o.name = f[c_name];
		o.name_en = c_en >= 0 ? f[c_en] : "";
		if (c_kind >= 0 && *f[c_kind]) {
			if (org_kind_parse(f[c_kind], &o.kind)) {
				snprintf(why, sizeof(why), "unknown kind '%.20s'", f[c_kind]);
				return row_error(rep, name, r->line, why);
			}
		} else if (org_kind_of_code(o.code, &o.kind)) {
			snprintf(why, sizeof(why), "'%.30s' is not a division or department code",
				 o.code);
			return row_error(rep, name, r->line, why);
		}
		if (c_parent >= 0 && *f[c_parent])
			str_copy(o.parent, sizeof(o.parent), f[c_parent]);
		else
			org_parent_of_code(o.code, o.parent);
		if ((err = put_org(st, a, &o, rep, why, sizeof(why))))
			return row_error(rep, name, r->line, why);
		rep->rows++;
	}
	if (got < 0)
		return reader_error(rep, name, r);
	return 0;
}

int import_grid(struct store *st, struct arena *a, const char *code, const char *name,
		const struct geo_shape *shape, const char *geometry, int *change, char *why,
		size_t whylen)
{
	struct org o = { .kind = ORG_GRID, .name = name, .name_en = "" };
	if (strlen(code) >= sizeof(o.code)) {
		snprintf(why, whylen, "grid code is too long");
		return ERR_BAD_VALUE;
	}
	str_copy(o.code, sizeof(o.code), code);
	org_parent_of_code(code, o.parent);
	/* the boundary as stored now, to tell a changed grid from the same one */
	const char *old_geometry = NULL;
	struct scope all = { .all = true };
	struct grid *v;
	size_t n;
	if (change && *o.parent && !store_grid_list(st, a, &all, o.parent, &v, &n))
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].org.code, code))
				old_geometry = v[i].geojson;
	struct import_report org_count = { 0 };
	int err = put_org(st, a, &o, &org_count, why, whylen);
	if (err)
		return err;
	unsigned char *blob;
	size_t len = geo_shape_encode(shape, a, &blob);
	err = store_grid_put(st, code, blob, len, geometry, shape->minx, shape->miny, shape->maxx,
			     shape->maxy, geo_shape_area_m2(shape));
	if (err) {
		snprintf(why, whylen, "cannot store the boundary of '%s': %s", code,
			 err_message(err));
		return err;
	}
	if (change)
		*change = org_count.created ? 0
			  : org_count.unchanged && old_geometry && !strcmp(old_geometry, geometry)
				  ? 2
				  : 1;
	return 0;
}

static int grids(struct store *st, struct arena *a, const char *path, const char *name,
		 struct import_report *rep)
{
	struct geojson_feature *v;
	size_t n;
	int err = geojson_read_grids(path, name, a, &v, &n, rep->why, sizeof(rep->why));
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		char why[384];
		int change;
		if (import_grid(st, a, v[i].code, v[i].name, &v[i].shape, v[i].geometry, &change,
				why, sizeof(why))) {
			rep->line = v[i].line;
			rep->feature = (long long)i;
			if (name)
				snprintf(rep->why, sizeof(rep->why), "%s:%d: feature %zu (%s): %s",
					 name, v[i].line, i, v[i].code, why);
			else
				snprintf(rep->why, sizeof(rep->why),
					 "line %d: feature %zu (%s): %s", v[i].line, i, v[i].code,
					 why);
			return ERR_BAD_FILE;
		}
		rep->created += change == 0;
		rep->updated += change == 1;
		rep->unchanged += change == 2;
		rep->rows++;
	}
	return 0;
}

static int population(struct store *st, struct arena *a, struct csv_reader *r, const char *name,
		      const struct import_opts *o, struct import_report *rep)
{
	const char *file = name ? name : "the file";
	char **f;
	size_t nf;
	char why[384];
	int err = header(r, a, file, &f, &nf, rep->why, sizeof(rep->why));
	if (err)
		return err;
	int c_code = column(f, nf, "code"), c_pop = column(f, nf, "population");
	int c_year = column(f, nf, "year"), c_src = column(f, nf, "source");
	if (c_code < 0 || c_pop < 0 || c_year < 0 || c_src < 0) {
		rep->line = 1;
		snprintf(rep->why, sizeof(rep->why),
			 "%s%sthe header needs the columns 'code', 'population', 'year' and "
			 "'source'",
			 name ? name : "line 1", name ? ":1: " : ": ");
		return ERR_BAD_FILE;
	}
	int maxc = c_code;
	if (c_pop > maxc)
		maxc = c_pop;
	if (c_year > maxc)
		maxc = c_year;
	if (c_src > maxc)
		maxc = c_src;
	/* the figures stored now, to count new, changed and unchanged ones */
	struct assess_population *old;
	size_t nold;
	if ((err = store_assess_population(st, a, &old, &nold)))
		return err;
	int got;
	while ((got = csv_next(r, a, &f, &nf)) == 1) {
		if (nf == 1 && !*f[0])
			continue; /* blank line */
		if ((int)nf <= maxc) {
			snprintf(why, sizeof(why), "expected at least %d fields, found %zu",
				 maxc + 1, nf);
			return row_error(rep, name, r->line, why);
		}
		long long pop, year;
		struct assess_population row = { .code = f[c_code], .source = f[c_src] };
		if (str_to_ll(f[c_pop], 1, 100000000, &pop)) {
			snprintf(why, sizeof(why),
				 "population of '%.30s' must be a whole number 1-100000000",
				 f[c_code]);
			return row_error(rep, name, r->line, why);
		}
		if (str_to_ll(f[c_year], 1950, 2200, &year)) {
			snprintf(why, sizeof(why), "year of '%.30s' must be 1950-2200", f[c_code]);
			return row_error(rep, name, r->line, why);
		}
		if (!*row.source || str_utf8_len(row.source) > 200 ||
		    !str_utf8_valid(row.source, strlen(row.source))) {
			snprintf(why, sizeof(why),
				 "source of '%.30s' must be 1-200 characters naming where the "
				 "figure is published",
				 f[c_code]);
			return row_error(rep, name, r->line, why);
		}
		row.population = pop;
		row.year = (int)year;
		err = store_assess_population_set(st, &row, 1, o->user_id, o->now);
		if (err == ERR_NOT_FOUND) {
			snprintf(why, sizeof(why),
				 "'%.30s' is not a district, street, community or grid here",
				 f[c_code]);
			return row_error(rep, name, r->line, why);
		}
		if (err) {
			snprintf(why, sizeof(why), "cannot store '%.30s': %s", f[c_code],
				 err_message(err));
			return row_error(rep, name, r->line, why);
		}
		const struct assess_population *was = NULL;
		for (size_t i = 0; i < nold && !was; i++)
			if (!strcmp(old[i].code, row.code))
				was = &old[i];
		if (!was)
			rep->created++;
		else if (was->population == pop && was->year == year &&
			 same(was->source, row.source))
			rep->unchanged++;
		else
			rep->updated++;
		rep->rows++;
	}
	if (got < 0)
		return reader_error(rep, name, r);
	return 0;
}

static const char *what(enum import_kind k)
{
	return k == IMPORT_DIVISIONS ? "divisions and departments"
	       : k == IMPORT_GRIDS   ? "grids"
				     : "population figures";
}

int import_file(struct store *st, enum import_kind kind, const char *path,
		const struct import_opts *o, struct import_report *rep)
{
	const char *name = o->name;
	memset(rep, 0, sizeof(*rep));
	rep->feature = -1;
	struct arena *a = arena_new();
	struct csv_reader r;
	bool csv = kind != IMPORT_GRIDS;
	int err = 0;
	if (csv && csv_open(&r, path)) {
		snprintf(rep->why, sizeof(rep->why), "cannot open '%s'", name ? name : path);
		arena_free(a);
		return ERR_IO;
	}
	if ((err = store_begin_bulk(st))) {
		snprintf(rep->why, sizeof(rep->why), "cannot start a transaction");
		goto out;
	}
	err = kind == IMPORT_DIVISIONS ? divisions(st, a, &r, name, rep)
	      : kind == IMPORT_GRIDS   ? grids(st, a, path, name, rep)
				       : population(st, a, &r, name, o, rep);
	if (!err && !o->dry_run && o->audit) {
		char detail[256];
		snprintf(detail, sizeof(detail), "%lld %s from %s", rep->rows, what(kind),
			 name ? name : "an upload");
		if ((err = o->audit(o->ctx, kind, detail)))
			snprintf(rep->why, sizeof(rep->why), "cannot write the audit record");
	}
	if (err || o->dry_run) {
		store_rollback(st);
		if (err && !*rep->why)
			snprintf(rep->why, sizeof(rep->why), "%s", err_message(err));
	} else if ((err = store_commit(st))) {
		snprintf(rep->why, sizeof(rep->why), "commit failed");
	}
out:
	if (csv)
		csv_close(&r);
	arena_free(a);
	return err;
}
