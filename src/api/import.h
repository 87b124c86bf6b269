/*
 * import.h - importing divisions (CSV), grids (GeoJSON) and population
 * (CSV) from a file: the one implementation behind `pingan import` and
 * POST /api/v1/imports/{kind}.
 *
 * Each import is one transaction: every record is checked and written in
 * turn, the first bad one stops it with a message naming its line (CSV) or
 * its feature and line (GeoJSON), and nothing is written. A dry run does
 * the same work and rolls back, so it finds exactly the errors the real
 * run would (a parent listed earlier in the file counts) and counts what
 * would be created, changed and left as it is. A real run calls the audit
 * hook inside the transaction, before the commit: no record, no import.
 *
 * Formats:
 *   divisions  CSV with a header naming at least `code,name`; optional
 *              `parent` (implied by a division code when empty), `kind`
 *              (implied by the code's shape) and `name_en`. Parents come
 *              before their children or already exist.
 *   grids      a GeoJSON FeatureCollection; each feature's properties.code
 *              is a 15-digit grid code under an existing community,
 *              properties.name its name; Polygon or MultiPolygon.
 *   population CSV with the columns `code,population,year,source` (a
 *              district, street, community or grid; 1-100000000 residents;
 *              the year 1950-2200; the publication it comes from).
 */
#ifndef PINGAN_API_IMPORT_H
#define PINGAN_API_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

struct store;

enum import_kind { IMPORT_DIVISIONS, IMPORT_GRIDS, IMPORT_POPULATION, IMPORT__COUNT };

/* "divisions", "grids", "population". */
const char *import_kind_name(enum import_kind k);
/* 0, or ERR_NOT_FOUND for a name that is no kind. */
int import_kind_parse(const char *s, enum import_kind *out);

struct import_report {
	long long rows;      /* records read and accepted */
	long long created;   /* new orgs, grids or population figures */
	long long updated;   /* existing ones whose values change */
	long long unchanged; /* existing ones given the same values */
	int line;            /* the failing record's line (1-based), 0 if none */
	long long feature;   /* the failing feature's index (grids), -1 if none */
	char why[512];       /* the failure, naming file, line and feature */
};

/* Called inside the transaction of a real run, after the last record: the
 * import's audit record. detail is "N grids from NAME" and the like. 0 or an
 * error, which rolls the import back. */
typedef int (*import_audit_fn)(void *ctx, enum import_kind kind, const char *detail);

struct import_opts {
	const char *name;      /* how messages call the file (the path for the
				* command line); NULL: messages say "line N" */
	bool dry_run;          /* check and count, then roll back */
	long long user_id;     /* who imports (0: the command line) */
	long long now;         /* unix seconds, for population's updated_at */
	import_audit_fn audit; /* NULL: no audit record (tests) */
	void *ctx;             /* for audit */
};

/* Imports the file at path. 0 with rep filled; or ERR_IO (cannot open),
 * ERR_BAD_FILE (malformed or a bad record: rep->why, rep->line,
 * rep->feature), or a store error, with nothing written. */
int import_file(struct store *st, enum import_kind kind, const char *path,
		const struct import_opts *o, struct import_report *rep);

struct arena;
struct geo_shape;
/* Creates or renames one grid org (its community must exist) and stores its
 * boundary (geometry: its GeoJSON text), inside the caller's transaction.
 * *change (if not NULL) gets 0 for a new grid, 1 for a changed one, 2 for
 * the same name and boundary. 0 or an error with why set. */
int import_grid(struct store *st, struct arena *a, const char *code, const char *name,
		const struct geo_shape *shape, const char *geometry, int *change, char *why,
		size_t whylen);

#endif
