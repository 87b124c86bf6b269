/*
 * import.c - `pingan import divisions FILE.csv` and `pingan import grids
 * FILE.geojson`.
 *
 * Divisions CSV: a header naming the columns, at least `code,name`;
 * optional `parent` (implied by a division code when empty), `kind`
 * (implied by the code's shape) and `name_en`. Parents must come before
 * their children or already exist. Grids GeoJSON: a FeatureCollection whose
 * features carry properties.code (a 15-digit grid code under an existing
 * community) and properties.name; the grid org is created or renamed and its
 * boundary stored.
 *
 * Each import is one transaction: the first bad row stops it with an error
 * naming the line, and nothing is written.
 */
#include "cli/cli.h"
#include "api/geojson.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>

static int column(char **hdr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(hdr[i], name))
			return (int)i;
	return -1;
}

/* Validates and stores one org; why gets the reason. */
static int put_org(struct store *st, struct arena *a, struct org *o, char *why, size_t whylen)
{
	enum org_kind pk = ORG__COUNT;
	if (*o->parent) {
		struct org p;
		struct scope all = { .all = true };
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
	err = store_org_put(st, o);
	if (err == ERR_CONFLICT)
		snprintf(why, whylen, "'%s' exists with another kind or parent", o->code);
	else if (err)
		snprintf(why, whylen, "cannot store '%s': %s", o->code, err_message(err));
	return err;
}

static int import_divisions(struct store *st, const char *path)
{
	struct csv_reader r;
	struct arena *a = arena_new();
	char **f;
	size_t nf;
	int rc = 1, count = 0;
	char why[512] = "";
	if (csv_open(&r, path)) {
		fprintf(stderr, "pingan: %s\n", r.why);
		arena_free(a);
		return 1;
	}
	int got = csv_next(&r, a, &f, &nf);
	if (got != 1) {
		fprintf(stderr, "pingan: %s: %s\n", path, got ? r.why : "the file is empty");
		goto out_close;
	}
	int c_code = column(f, nf, "code"), c_name = column(f, nf, "name");
	int c_parent = column(f, nf, "parent"), c_kind = column(f, nf, "kind");
	int c_en = column(f, nf, "name_en");
	if (c_code < 0 || c_name < 0) {
		fprintf(stderr, "pingan: %s:1: the header needs the columns 'code' and 'name'\n",
			path);
		goto out_close;
	}
	if (store_begin(st)) {
		fprintf(stderr, "pingan: cannot start a transaction\n");
		goto out_close;
	}
	while ((got = csv_next(&r, a, &f, &nf)) == 1) {
		if (nf == 1 && !*f[0])
			continue; /* blank line */
		int maxc = c_code > c_name ? c_code : c_name;
		if (c_parent > maxc)
			maxc = c_parent;
		if (c_kind > maxc)
			maxc = c_kind;
		if (c_en > maxc)
			maxc = c_en;
		if ((int)nf <= maxc) {
			snprintf(why, sizeof(why), "expected at least %d fields, found %zu",
				 maxc + 1, nf);
			break;
		}
		struct org o = { 0 };
		if (strlen(f[c_code]) >= sizeof(o.code)) {
			snprintf(why, sizeof(why), "code '%.30s...' is too long", f[c_code]);
			break;
		}
		str_copy(o.code, sizeof(o.code), f[c_code]);
		o.name = f[c_name];
		o.name_en = c_en >= 0 ? f[c_en] : "";
		if (c_kind >= 0 && *f[c_kind]) {
			if (org_kind_parse(f[c_kind], &o.kind)) {
				snprintf(why, sizeof(why), "unknown kind '%.20s'", f[c_kind]);
				break;
			}
		} else if (org_kind_of_code(o.code, &o.kind)) {
			snprintf(why, sizeof(why), "'%.30s' is not a division or department code",
				 o.code);
			break;
		}
		if (c_parent >= 0 && *f[c_parent])
			str_copy(o.parent, sizeof(o.parent), f[c_parent]);
		else
			org_parent_of_code(o.code, o.parent);
		if (put_org(st, a, &o, why, sizeof(why)))
			break;
		count++;
	}
	if (got < 0)
		snprintf(why, sizeof(why), "%s", r.why);
	if (!*why) {
		char detail[256];
		snprintf(detail, sizeof(detail), "%d divisions and departments from %s", count,
			 path);
		if (cli_audit(st, "config.import", "divisions", 0, detail))
			snprintf(why, sizeof(why), "cannot write the audit record");
	}
	if (*why) {
		store_rollback(st);
		if (got < 0)
			fprintf(stderr, "pingan: %s: %s; nothing imported\n", path, why);
		else
			fprintf(stderr, "pingan: %s: line %d: %s; nothing imported\n", path, r.line,
				why);
		goto out_close;
	}
	if (store_commit(st)) {
		fprintf(stderr, "pingan: commit failed; nothing imported\n");
		goto out_close;
	}
	printf("imported %d divisions and departments from '%s'\n", count, path);
	rc = 0;
out_close:
	csv_close(&r);
	arena_free(a);
	return rc;
}

int cli_store_grid(struct store *st, struct arena *a, const char *code, const char *name,
		   const struct geo_shape *shape, const char *geometry, char *why, size_t whylen)
{
	struct org o = { .kind = ORG_GRID, .name = name, .name_en = "" };
	if (strlen(code) >= sizeof(o.code)) {
		snprintf(why, whylen, "grid code is too long");
		return ERR_BAD_VALUE;
	}
	str_copy(o.code, sizeof(o.code), code);
	org_parent_of_code(code, o.parent);
	int err = put_org(st, a, &o, why, whylen);
	if (err)
		return err;
	unsigned char *blob;
	size_t len = geo_shape_encode(shape, a, &blob);
	err = store_grid_put(st, code, blob, len, geometry, shape->minx, shape->miny, shape->maxx,
			     shape->maxy, geo_shape_area_m2(shape));
	if (err)
		snprintf(why, whylen, "cannot store the boundary of '%s': %s", code,
			 err_message(err));
	return err;
}

static int import_grids(struct store *st, const char *path)
{
	struct arena *a = arena_new();
	struct geojson_feature *v;
	size_t n;
	char why[512];
	int rc = 1;
	if (geojson_read_grids(path, a, &v, &n, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s; nothing imported\n", why);
		goto out;
	}
	if (store_begin(st)) {
		fprintf(stderr, "pingan: cannot start a transaction\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char inner[384];
		if (cli_store_grid(st, a, v[i].code, v[i].name, &v[i].shape, v[i].geometry, inner,
				   sizeof(inner))) {
			store_rollback(st);
			fprintf(stderr, "pingan: %s:%d: feature %zu (%s): %s; nothing imported\n",
				path, v[i].line, i, v[i].code, inner);
			goto out;
		}
	}
	char detail[256];
	snprintf(detail, sizeof(detail), "%zu grids from %s", n, path);
	if (cli_audit(st, "config.import", "grids", 0, detail)) {
		store_rollback(st);
		fprintf(stderr, "pingan: cannot write the audit record; nothing imported\n");
		goto out;
	}
	if (store_commit(st)) {
		fprintf(stderr, "pingan: commit failed; nothing imported\n");
		goto out;
	}
	printf("imported %zu grids from '%s'\n", n, path);
	rc = 0;
out:
	arena_free(a);
	return rc;
}

int cli_import(struct config *cfg, int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "divisions") && strcmp(argv[1], "grids"))) {
		fprintf(stderr, "usage: pingan import divisions FILE.csv | pingan import grids "
				"FILE.geojson\n");
		return 2;
	}
	struct store *st = cli_open_store(cfg);
	if (!st)
		return 1;
	int rc = !strcmp(argv[1], "divisions") ? import_divisions(st, argv[2])
					       : import_grids(st, argv[2]);
	store_close(st);
	return rc;
}
