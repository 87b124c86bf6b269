/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (src/core/csv.c) and the
 * divisions import built on it (src/cli/import.c).
 *
 * The input is read record by record from memory: every record must stay
 * within CSV_FIELDS_MAX fields of at most CSV_FIELD_MAX bytes, and line
 * numbers may only grow. Then the same bytes are imported as a divisions
 * file into a scratch database (in /dev/shm when there is one), through the
 * real `pingan import divisions` code path, when its header has the code and
 * name columns (opening the database for every input would make the target
 * a hundred times slower); it may refuse the file but must
 * not crash, and a refused file leaves nothing behind (checked by counting
 * the orgs before and after).
 */
#include "cli/cli.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], file[96];
static struct config cfg;
static struct store *counter; /* a second connection, to count orgs */

static void setup(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/fuzz-csv-XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/in.csv", dir);
	config_init(&cfg);
	char why[256];
	char *db = malloc(128);
	snprintf(db, 128, "%s/fuzz.db", dir);
	if (config_set(&cfg, "db", db, "fuzz", why, sizeof(why)))
		abort();
	free(db);
	log_set_level(LOG_ERROR);
	if (!(counter = cli_open_store(&cfg)))
		abort();
}

static long long org_count(void)
{
	long long counts[ORG__COUNT], total = 0;
	if (store_org_counts(counter, counts))
		abort();
	for (int i = 0; i < ORG__COUNT; i++)
		total += counts[i];
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool header_code = false, header_name = false;
	if (!*dir)
		setup();
	FILE *f = fmemopen((void *)data, size, "rb");
	if (size && f) {
		struct csv_reader r;
		csv_init(&r, f);
		struct arena *a = arena_new();
		char **fields;
		size_t n;
		int got, last = 0;
		while ((got = csv_next(&r, a, &fields, &n)) == 1) {
			for (size_t i = 0; last == 0 && i < n; i++) {
				header_code |= !strcmp(fields[i], "code");
				header_name |= !strcmp(fields[i], "name");
			}
			if (n == 0 || n > CSV_FIELDS_MAX || r.line < last)
				abort();
			for (size_t i = 0; i < n; i++)
				if (strlen(fields[i]) > CSV_FIELD_MAX)
					abort();
			last = r.line;
		}
		if (got != 0 && got != ERR_BAD_FILE)
			abort();
		arena_free(a);
		fclose(f);
	} else if (f) {
		fclose(f);
	}

	/* the import opens the database each time: only for files it would read
	 * past the header (a refused header is checked by the API tests) */
	if (!header_code || !header_name)
		return 0;
	FILE *out = fopen(file, "wb");
	if (!out || fwrite(data, 1, size, out) != size || fclose(out))
		abort();
	long long before = org_count();
	char *argv[] = { "import", "divisions", file, NULL };
	int rc = cli_import(&cfg, 3, argv);
	if (rc != 0 && org_count() != before)
		abort();
	return 0;
}
