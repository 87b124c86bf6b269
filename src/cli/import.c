/*
 * import.c - `pingan import divisions FILE.csv`, `pingan import grids
 * FILE.geojson` and `pingan import population FILE.csv`.
 *
 * The formats, the checks and the one transaction are src/api/import.c's,
 * shared with the administrators' upload (POST /api/v1/imports/{kind}):
 * the first bad record stops the import with a message naming the file and
 * its line (and the feature for grids), and nothing is written. `--dry-run`
 * checks the whole file and says what would change, writing nothing. A
 * real run is audited as the user "cli" (config.import).
 */
#include "cli/cli.h"
#include "api/import.h"
#include "core/err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int audit(void *ctx, enum import_kind kind, const char *detail)
{
	return cli_audit(ctx, "config.import", import_kind_name(kind), 0, detail);
}

int cli_import(struct config *cfg, int argc, char **argv)
{
	enum import_kind kind;
	bool dry_run = argc == 4 && !strcmp(argv[2], "--dry-run");
	if ((argc != 3 && !dry_run) || import_kind_parse(argv[1], &kind)) {
		fprintf(stderr, "usage: pingan import [divisions FILE.csv | grids FILE.geojson | "
				"population FILE.csv] (with --dry-run before FILE: check only)\n");
		return 2;
	}
	const char *path = argv[argc - 1];
	struct store *st = cli_open_store(cfg);
	if (!st)
		return 1;
	struct import_opts o = {
		.name = path, .dry_run = dry_run, .now = (long long)time(NULL), .audit = audit
	};
	o.ctx = st;
	struct import_report rep;
	int err = import_file(st, kind, path, &o, &rep);
	store_close(st);
	if (err) {
		fprintf(stderr, "pingan: %s; nothing imported\n", rep.why);
		return 1;
	}
	const char *what = kind == IMPORT_DIVISIONS ? "divisions and departments"
			   : kind == IMPORT_GRIDS   ? "grids"
						    : "population figures";
	if (dry_run)
		printf("'%s' is good: %lld %s, %lld new, %lld changed, %lld unchanged; nothing "
		       "imported (dry run)\n",
		       path, rep.rows, what, rep.created, rep.updated, rep.unchanged);
	else
		printf("imported %lld %s from '%s'\n", rep.rows, what, path);
	return 0;
}
