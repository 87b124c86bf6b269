/*
 * bench_locate.c - how many geo_index_locate() calls one core does per
 * second over 60,000 grid polygons.
 *
 * Two workloads, same index code:
 *  - "jitter": a 250 x 240 grid of cells 0.002 degrees across near Hangzhou,
 *    each a 16-vertex ring (jittered corners, three jittered points per
 *    side, shared bit for bit with the neighbour), so the cells tile with no
 *    gaps and every point-in-polygon test walks a real ring;
 *  - "tess": geo_tessellate() of a concave outline into 60,000 cells
 *    (mostly 4-vertex squares, clipped pieces along the border).
 * Queries are uniform random points over the grid's bbox (a few percent
 * fall outside every cell), generated before the clock starts. Each round
 * times QUERIES locates; the median of ROUNDS rounds is printed.
 *
 * Build and run (no sanitizers, optimised):
 *   cc -std=c11 -O2 -D_GNU_SOURCE -Isrc -o /tmp/bench_locate bench/bench_locate.c \
 *      src/core/geo.c src/core/arena.c src/core/mem.c src/core/err.c -lm
 *   /tmp/bench_locate            # both workloads
 *   /tmp/bench_locate jitter     # or just one
 */
#include "core/arena.h"
#include "core/geo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NX      250
#define NY      240
#define CELL    0.002
#define QUERIES 2000000
#define ROUNDS  7

static uint64_t rng_state = 42;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static double rnd_in(double lo, double hi)
{
	return lo + (hi - lo) * ((double)(rnd() >> 11) * 0x1p-53);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct geo_point pt(double x, double y)
{
	return (struct geo_point){ x, y };
}

/* The jittered grid; see the file comment. */
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
			C(i, j) = pt(x0 + cs * ((double)i + jx), y0 + cs * ((double)j + jy));
		}
	}
	for (size_t j = 0; j <= ny; j++)
		for (size_t i = 0; i < nx; i++)
			for (int k = 0; k < 3; k++) {
				double t = (k + 1) / 4.0;
				struct geo_point p0 = C(i, j), p1 = C(i + 1, j);
				H(i, j, k) = pt(p0.x + t * (p1.x - p0.x),
						p0.y + t * (p1.y - p0.y) + cs * rnd_in(-0.1, 0.1));
			}
	for (size_t j = 0; j < ny; j++)
		for (size_t i = 0; i <= nx; i++)
			for (int k = 0; k < 3; k++) {
				double t = (k + 1) / 4.0;
				struct geo_point p0 = C(i, j), p1 = C(i, j + 1);
				V(i, j, k) = pt(p0.x + t * (p1.x - p0.x) + cs * rnd_in(-0.1, 0.1),
						p0.y + t * (p1.y - p0.y));
			}
	for (size_t j = 0; j < ny; j++) {
		for (size_t i = 0; i < nx; i++) {
			struct geo_polygon *poly = arena_alloc(a, sizeof(*poly));
			struct geo_ring *r = arena_alloc(a, sizeof(*r));
			size_t n = 0;
			r->pts = arena_alloc(a, 17 * sizeof(struct geo_point));
			r->pts[n++] = C(i, j);
			for (int k = 0; k < 3; k++)
				r->pts[n++] = H(i, j, k);
			r->pts[n++] = C(i + 1, j);
			for (int k = 0; k < 3; k++)
				r->pts[n++] = V(i + 1, j, k);
			r->pts[n++] = C(i + 1, j + 1);
			for (int k = 2; k >= 0; k--)
				r->pts[n++] = H(i, j + 1, k);
			r->pts[n++] = C(i, j + 1);
			for (int k = 2; k >= 0; k--)
				r->pts[n++] = V(i, j, k);
			r->pts[n++] = C(i, j);
			r->n = n;
			poly->rings = r;
			poly->nrings = 1;
			cells[j * nx + i] = (struct geo_shape){ .polys = poly, .npolys = 1 };
			geo_shape_bbox(&cells[j * nx + i]);
		}
	}
#undef C
#undef H
#undef V
	return cells;
}

/* A concave outline about 0.5 x 0.5 degrees: a star-ish ring of 96 points. */
static struct geo_shape star(struct arena *a)
{
	const size_t n = 96;
	struct geo_polygon *poly = arena_alloc(a, sizeof(*poly));
	struct geo_ring *r = arena_alloc(a, sizeof(*r));
	r->pts = arena_alloc(a, (n + 1) * sizeof(struct geo_point));
	r->n = n + 1;
	for (size_t i = 0; i < n; i++) {
		double t = 2 * 3.14159265358979323846 * (double)i / (double)n;
		double rad = 0.25 * (1 + 0.3 * sin(5 * t) + 0.05 * sin(17 * t));
		r->pts[i] = pt(120.2 + rad * cos(t) / cos(30.2 * 3.14159265358979 / 180),
			       30.2 + rad * sin(t));
	}
	r->pts[n] = r->pts[0];
	poly->rings = r;
	poly->nrings = 1;
	struct geo_shape s = { .polys = poly, .npolys = 1 };
	geo_shape_bbox(&s);
	return s;
}

static int dcmp(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return a < b ? -1 : a > b;
}

static void run(const char *name, const struct geo_shape *cells, size_t n)
{
	double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
	size_t verts = 0;
	for (size_t i = 0; i < n; i++) {
		minx = fmin(minx, cells[i].minx);
		miny = fmin(miny, cells[i].miny);
		maxx = fmax(maxx, cells[i].maxx);
		maxy = fmax(maxy, cells[i].maxy);
		for (size_t p = 0; p < cells[i].npolys; p++)
			for (size_t r = 0; r < cells[i].polys[p].nrings; r++)
				verts += cells[i].polys[p].rings[r].n;
	}

	double t0 = now();
	struct geo_index *ix = geo_index_new();
	for (size_t i = 0; i < n; i++)
		geo_index_add(ix, (int64_t)i, &cells[i]);
	geo_index_build(ix);
	double build = now() - t0;

	struct geo_point *q = malloc(QUERIES * sizeof(*q));
	for (size_t i = 0; i < QUERIES; i++) {
		q[i].x = rnd_in(minx, maxx);
		q[i].y = rnd_in(miny, maxy);
	}

	double rate[ROUNDS];
	int64_t sink = 0;
	size_t misses = 0;
	for (int r = 0; r < ROUNDS; r++) {
		t0 = now();
		for (size_t i = 0; i < QUERIES; i++) {
			int64_t id = geo_index_locate(ix, q[i]);
			sink += id;
			misses += id < 0;
		}
		rate[r] = QUERIES / (now() - t0);
	}
	qsort(rate, ROUNDS, sizeof(rate[0]), dcmp);
	printf("%-7s %zu shapes, %.1f vertices each, build %.0f ms: "
	       "median %.2f M locates/s (min %.2f, max %.2f; %.1f%% outside; sink %lld)\n",
	       name, n, (double)verts / (double)n, build * 1e3, rate[ROUNDS / 2] / 1e6,
	       rate[0] / 1e6, rate[ROUNDS - 1] / 1e6,
	       100.0 * (double)misses / ((double)QUERIES * ROUNDS), (long long)sink);
	free(q);
	geo_index_free(ix);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	struct arena *a = arena_new();

	if (!only || !strcmp(only, "jitter")) {
		struct geo_shape *cells = jitter_grid(a, NX, NY, 120.0, 30.0, CELL);
		run("jitter", cells, (size_t)NX * NY);
	}
	if (!only || !strcmp(only, "tess")) {
		struct geo_shape outline = star(a), *cells;
		size_t n;
		double t0 = now();
		if (geo_tessellate(&outline, 60000, a, &cells, &n)) {
			fprintf(stderr, "bench_locate: geo_tessellate failed\n");
			return 1;
		}
		printf("tess    geo_tessellate: %zu cells in %.0f ms\n", n, (now() - t0) * 1e3);
		run("tess", cells, n);
	}
	arena_free(a);
	return 0;
}
