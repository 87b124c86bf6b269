/*
 * fuzz_geojson.c - libFuzzer target for the GeoJSON grid import
 * (geojson_read_grids and geojson_to_shape in src/api/geojson.c, which
 * `pingan import grids` runs).
 *
 * The input is written to a scratch file and read as a FeatureCollection.
 * A file that is refused must say why in a NUL-terminated message; a file
 * that is accepted must give valid shapes that survive the trip out to
 * GeoJSON and back with the same rings and vertex counts.
 */
#include "api/geojson.h"
#include "core/arena.h"
#include "core/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char file[96];

static void same_shape(const struct geo_shape *x, const struct geo_shape *y)
{
	if (x->npolys != y->npolys)
		abort();
	for (size_t p = 0; p < x->npolys; p++) {
		if (x->polys[p].nrings != y->polys[p].nrings)
			abort();
		for (size_t r = 0; r < x->polys[p].nrings; r++)
			if (x->polys[p].rings[r].n != y->polys[p].rings[r].n)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!*file) {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(file, sizeof(file), "%s/fuzz-geojson-%d.json", base, (int)getpid());
	}
	FILE *f = fopen(file, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	struct arena *a = arena_new();
	struct geojson_feature *v;
	size_t n;
	char why[512];
	why[0] = '\0';
	int err = geojson_read_grids(file, file, a, &v, &n, why, sizeof(why));
	if (err) {
		if ((err != ERR_BAD_FILE && err != ERR_IO) || !memchr(why, '\0', sizeof(why)) ||
		    !*why)
			abort();
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char inner[256];
		if (!v[i].code || !v[i].name || !v[i].geometry ||
		    geo_shape_validate(&v[i].shape, GEOJSON_FEATURE_VERTICES, inner, sizeof(inner)))
			abort();
		json_t *j = geojson_from_shape(&v[i].shape);
		struct geo_shape back;
		if (geojson_to_shape(j, a, &back, inner, sizeof(inner)) == 0)
			same_shape(&v[i].shape, &back);
		/* rounding to 1e-7 degree may collapse a tiny ring: a refusal is fine */
		json_decref(j);
	}
out:
	arena_free(a);
	unlink(file);
	return 0;
}
