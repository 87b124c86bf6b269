/*
 * fuzz_echarts.c - libFuzzer target for the geometry decoders of
 * src/core/geo.c: the ECharts "UTF8Encoding" ring decoder (the demo's map
 * data) and the BLOB shape decoder (grid boundaries read back from the
 * database).
 *
 * Input: the first byte picks the decoder. For ECharts, the next 8 bytes
 * give the offsets and the scale, the rest is the encoded string; a ring
 * that decodes must come back closed. For the BLOB decoder the rest is
 * the BLOB; a shape that decodes must re-encode to the very same bytes, and
 * the point-in-polygon, area and validate functions must take it without
 * trouble.
 */
#include "core/arena.h"
#include "core/err.h"
#include "core/geo.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void echarts(const uint8_t *d, size_t n, struct arena *a)
{
	if (n < 8)
		return;
	int16_t ox = (int16_t)(d[0] | d[1] << 8), oy = (int16_t)(d[2] | d[3] << 8);
	/* scales worth trying: the default, tiny, huge, zero, negative */
	static const double scales[] = { 1024, 1, 1e-300, 1e300, 0, -1, 0.5, 1e6 };
	double scale = scales[d[4] % 8];
	struct geo_ring ring;
	int err = geo_echarts_decode_ring((const char *)d + 8, n - 8, ox, oy, scale, a, &ring);
	if (err) {
		if (err != ERR_BAD_VALUE)
			abort();
		return;
	}
	/* one pair makes a one-point ring, closed by itself */
	if (ring.n < 1 || ring.pts[0].x != ring.pts[ring.n - 1].x ||
	    ring.pts[0].y != ring.pts[ring.n - 1].y)
		abort();
}

static void blob(const uint8_t *d, size_t n, struct arena *a)
{
	struct geo_shape s;
	int err = geo_shape_decode(d, n, a, &s);
	if (err) {
		if (err != ERR_BAD_VALUE || s.npolys)
			abort();
		return;
	}
	unsigned char *again;
	size_t len = geo_shape_encode(&s, a, &again);
	if (len != n || memcmp(again, d, n))
		abort();
	char why[256];
	if (geo_shape_validate(&s, 4096, why, sizeof(why)) == 0) {
		struct geo_point p = { (s.minx + s.maxx) / 2, (s.miny + s.maxy) / 2 };
		(void)geo_point_in_shape(&s, p);
		(void)geo_shape_area(&s);
		(void)geo_shape_area_m2(&s);
		struct geo_index *ix = geo_index_new();
		geo_index_add(ix, 1, &s);
		geo_index_build(ix);
		(void)geo_index_locate(ix, p);
		geo_index_free(ix);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct arena *a = arena_new();
	if (data[0] & 1)
		blob(data + 1, size - 1, a);
	else
		echarts(data + 1, size - 1, a);
	arena_free(a);
	return 0;
}
