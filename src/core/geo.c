/*
 * geo.c - polygons on the map; see geo.h for the contracts.
 *
 * Point-in-polygon is the even-odd ray cast to +x with the half-open rule
 * for vertices on the ray (an edge counts when exactly one end is above p),
 * decided without rounding: whether an edge crosses to the right of p, and
 * whether p lies on it, come from the sign of one orientation determinant,
 * computed in doubles when the error bound allows (Shewchuk's orient2d
 * filter) and otherwise exactly as a floating-point expansion of the six
 * products, each split error-free with fma(). So "on the edge" is exact.
 *
 * The index is a uniform bucket grid over the bbox of all shapes, buckets
 * about a fifth of a typical shape across. Building classifies each bucket
 * against each shape whose bbox overlaps it (exactly: inside, touching, or
 * clear), and keeps per bucket only the shapes that reach into it, lowest id
 * first, stopping at the first that contains it whole. A bucket inside one
 * shape that no lower id reaches stores that shape and nothing else, so
 * about half of all lookups end after one load with no polygon test at all.
 * Lookups only read.
 *
 * The tessellator clips the outline to a row strip, then to each cell of the
 * row (Sutherland-Hodgman, one axis-aligned line at a time). Every crossing
 * with a grid line is computed from the original outline edge, endpoints in
 * a fixed order, so the two cells on either side of a line get bit-identical
 * vertices and the pieces tile without gaps or overlaps.
 *
 * Caveats: no antimeridian handling; exactness assumes coordinates whose
 * products neither overflow nor underflow (anything that looks like degrees).
 */
#include "core/geo.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __clang__
/* The predicates below must not be fused into fma() behind our back. */
#pragma STDC FP_CONTRACT OFF
#endif

#define DEG2RAD (3.14159265358979323846 / 180.0)

/* ---- exact orientation ------------------------------------------------ */

/* Adds b to the nonoverlapping expansion e[0..n) (increasing magnitude),
 * giving n + 1 components (Shewchuk's Grow-Expansion). */
static size_t grow(double *e, size_t n, double b)
{
	double q = b;
	for (size_t i = 0; i < n; i++) {
		double s = q + e[i];
		double bv = s - q;
		double av = s - bv;
		e[i] = (q - av) + (e[i] - bv);
		q = s;
	}
	e[n] = q;
	return n + 1;
}

static size_t add_product(double *e, size_t n, double a, double b)
{
	double p = a * b;
	n = grow(e, n, fma(a, b, -p));
	return grow(e, n, p);
}

/* Sign of (a - c) x (b - c), exactly: the determinant expanded into six
 * products, summed as an expansion; its sign is its top nonzero part. */
static int orient_exact(struct geo_point a, struct geo_point b, struct geo_point c)
{
	double e[12];
	size_t n = 0;
	n = add_product(e, n, a.x, b.y);
	n = add_product(e, n, -a.x, c.y);
	n = add_product(e, n, -c.x, b.y);
	n = add_product(e, n, -a.y, b.x);
	n = add_product(e, n, a.y, c.x);
	n = add_product(e, n, c.y, b.x);
	while (n > 0) {
		n--;
		if (e[n] != 0)
			return e[n] > 0 ? 1 : -1;
	}
	return 0;
}

/* 1 if c is left of a->b, -1 if right, 0 if on the line; exact. */
static int orient(struct geo_point a, struct geo_point b, struct geo_point c)
{
	/* Shewchuk's ccwerrboundA = (3 + 16 eps) eps, eps = 2^-53 */
	const double bound = (3.0 + 16.0 * 0x1p-53) * 0x1p-53;
	double l = (a.x - c.x) * (b.y - c.y);
	double r = (a.y - c.y) * (b.x - c.x);
	double det = l - r, sum;

	if (l > 0) {
		if (r <= 0)
			return 1;
		sum = l + r;
	} else if (l < 0) {
		if (r >= 0)
			return -1;
		sum = -l - r;
	} else {
		return r > 0 ? -1 : r < 0 ? 1 : 0;
	}
	if (det > bound * sum)
		return 1;
	if (-det > bound * sum)
		return -1;
	return orient_exact(a, b, c);
}

/* ---- point in polygon -------------------------------------------------- */

/* -1 if p is on the ring's boundary, else the parity (0 or 1) of the
 * ring's crossings with the ray from p towards +x. An unclosed ring is
 * closed implicitly; for a closed one the extra edge is a single point. */
static int ring_cross(const struct geo_point *pts, size_t n, struct geo_point p)
{
	int c = 0;
	if (n == 0)
		return 0;
	struct geo_point a = pts[n - 1];
	for (size_t i = 0; i < n; a = pts[i], i++) {
		struct geo_point b = pts[i];
		if ((a.y > p.y) != (b.y > p.y)) {
			if (a.x < p.x && b.x < p.x)
				continue;
			if (a.x > p.x && b.x > p.x) {
				c ^= 1;
				continue;
			}
			int o = orient(a, b, p);
			if (o == 0)
				return -1;
			/* upward edge: the crossing is right of p iff p is left */
			if ((o > 0) == (b.y > a.y))
				c ^= 1;
		} else if (p.y == a.y || p.y == b.y) {
			/* touches the ray's line without crossing it: only on-edge
			 * matters, e.g. a horizontal edge through p */
			if ((p.x >= a.x || p.x >= b.x) && (p.x <= a.x || p.x <= b.x) &&
			    orient(a, b, p) == 0)
				return -1;
		}
	}
	return c;
}

static int poly_contains(const struct geo_polygon *poly, struct geo_point p)
{
	int in = 0;
	for (size_t r = 0; r < poly->nrings; r++) {
		int c = ring_cross(poly->rings[r].pts, poly->rings[r].n, p);
		if (c < 0)
			return 1;
		in ^= c;
	}
	return in;
}

int geo_point_in_shape(const struct geo_shape *s, struct geo_point p)
{
	if (!isfinite(p.x) || !isfinite(p.y))
		return 0;
	for (size_t i = 0; i < s->npolys; i++)
		if (poly_contains(&s->polys[i], p))
			return 1;
	return 0;
}

/* ---- bbox, area, distance ---------------------------------------------- */

void geo_shape_bbox(struct geo_shape *s)
{
	double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
	for (size_t i = 0; i < s->npolys; i++) {
		const struct geo_polygon *poly = &s->polys[i];
		for (size_t r = 0; r < poly->nrings; r++) {
			const struct geo_ring *ring = &poly->rings[r];
			for (size_t k = 0; k < ring->n; k++) {
				struct geo_point q = ring->pts[k];
				minx = q.x < minx ? q.x : minx;
				maxx = q.x > maxx ? q.x : maxx;
				miny = q.y < miny ? q.y : miny;
				maxy = q.y > maxy ? q.y : maxy;
			}
		}
	}
	if (minx > maxx)
		minx = miny = maxx = maxy = 0;
	s->minx = minx;
	s->miny = miny;
	s->maxx = maxx;
	s->maxy = maxy;
}

/* Signed shoelace area, relative to the first point to keep precision when
 * the coordinates are large and the ring small. */
static double ring_area(const struct geo_point *pts, size_t n)
{
	double sum = 0;
	if (n < 3)
		return 0;
	double ox = pts[0].x, oy = pts[0].y;
	for (size_t i = 0; i < n; i++) {
		const struct geo_point *a = &pts[i], *b = &pts[i + 1 < n ? i + 1 : 0];
		sum += (a->x - ox) * (b->y - oy) - (b->x - ox) * (a->y - oy);
	}
	return sum / 2;
}

static double poly_area(const struct geo_polygon *poly)
{
	double area = 0;
	for (size_t r = 0; r < poly->nrings; r++) {
		double ra = fabs(ring_area(poly->rings[r].pts, poly->rings[r].n));
		area += r == 0 ? ra : -ra;
	}
	return area;
}

double geo_shape_area(const struct geo_shape *s)
{
	double area = 0;
	for (size_t i = 0; i < s->npolys; i++)
		area += poly_area(&s->polys[i]);
	return area;
}

double geo_shape_area_m2(const struct geo_shape *s)
{
	struct geo_shape copy = *s;
	geo_shape_bbox(&copy);
	double lat = (copy.miny + copy.maxy) / 2;
	double m = GEO_EARTH_RADIUS_M * DEG2RAD;
	return geo_shape_area(s) * m * m * cos(lat * DEG2RAD);
}

double geo_distance_m(struct geo_point a, struct geo_point b)
{
	double dlat = (b.y - a.y) * DEG2RAD, dlon = (b.x - a.x) * DEG2RAD;
	double sy = sin(dlat / 2), sx = sin(dlon / 2);
	double h = sy * sy + cos(a.y * DEG2RAD) * cos(b.y * DEG2RAD) * sx * sx;
	return 2 * GEO_EARTH_RADIUS_M * asin(sqrt(h < 1 ? h : 1));
}

/* ---- validation -------------------------------------------------------- */

static int invalid(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int invalid(char *why, size_t whylen, const char *fmt, ...)
{
	if (why && whylen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return ERR_BAD_VALUE;
}

int geo_shape_validate(const struct geo_shape *s, size_t max_vertices, char *why, size_t whylen)
{
	size_t total = 0;

	if (why && whylen)
		why[0] = '\0';
	if (!s || s->npolys == 0)
		return invalid(why, whylen, "shape is empty");
	for (size_t i = 0; i < s->npolys; i++) {
		if (s->polys[i].nrings == 0)
			return invalid(why, whylen, "polygon %zu has no rings", i);
		for (size_t r = 0; r < s->polys[i].nrings; r++)
			total += s->polys[i].rings[r].n;
	}
	/* before looking at the points, so a huge shape is refused cheaply */
	if (max_vertices && total > max_vertices)
		return invalid(why, whylen, "shape has %zu vertices, more than %zu", total,
			       max_vertices);
	for (size_t i = 0; i < s->npolys; i++) {
		const struct geo_polygon *poly = &s->polys[i];
		for (size_t r = 0; r < poly->nrings; r++) {
			const struct geo_ring *ring = &poly->rings[r];
			if (ring->n < 4)
				return invalid(why, whylen,
					       "ring %zu of polygon %zu has %zu points, "
					       "needs at least 4",
					       r, i, ring->n);
			for (size_t k = 0; k < ring->n; k++) {
				struct geo_point q = ring->pts[k];
				if (!isfinite(q.x) || !isfinite(q.y))
					return invalid(why, whylen,
						       "point %zu of ring %zu of polygon %zu "
						       "is not a finite number",
						       k, r, i);
				if (q.x < -180 || q.x > 180)
					return invalid(why, whylen,
						       "point %zu of ring %zu of polygon %zu has "
						       "longitude %g outside [-180, 180]",
						       k, r, i, q.x);
				if (q.y < -90 || q.y > 90)
					return invalid(why, whylen,
						       "point %zu of ring %zu of polygon %zu has "
						       "latitude %g outside [-90, 90]",
						       k, r, i, q.y);
			}
			if (ring->pts[0].x != ring->pts[ring->n - 1].x ||
			    ring->pts[0].y != ring->pts[ring->n - 1].y)
				return invalid(why, whylen, "ring %zu of polygon %zu is not closed",
					       r, i);
		}
	}
	return 0;
}

/* ---- binary encoding --------------------------------------------------- */

#define ENC_MAGIC   "PGEO"
#define ENC_VERSION 1
#define ENC_HEADER  12 /* magic, version, flags, 2 reserved, u32 npolys */

static unsigned char *put_u32(unsigned char *p, size_t v)
{
	if (v > UINT32_MAX)
		BUG("geo count %zu does not fit the encoding", v);
	for (int i = 0; i < 4; i++)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static unsigned char *put_f64(unsigned char *p, double d)
{
	uint64_t v;
	memcpy(&v, &d, sizeof(v));
	for (int i = 0; i < 8; i++)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static double get_f64(const unsigned char *p)
{
	uint64_t v = 0;
	double d;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	memcpy(&d, &v, sizeof(d));
	return d;
}

size_t geo_shape_encode(const struct geo_shape *s, struct arena *a, unsigned char **out)
{
	size_t len = ENC_HEADER;
	for (size_t i = 0; i < s->npolys; i++) {
		len += 4;
		for (size_t r = 0; r < s->polys[i].nrings; r++)
			len += 4 + 16 * s->polys[i].rings[r].n;
	}
	unsigned char *buf = arena_alloc(a, len), *p = buf;
	memcpy(p, ENC_MAGIC, 4);
	p[4] = ENC_VERSION;
	p[5] = p[6] = p[7] = 0;
	p = put_u32(p + 8, s->npolys);
	for (size_t i = 0; i < s->npolys; i++) {
		const struct geo_polygon *poly = &s->polys[i];
		p = put_u32(p, poly->nrings);
		for (size_t r = 0; r < poly->nrings; r++) {
			p = put_u32(p, poly->rings[r].n);
			for (size_t k = 0; k < poly->rings[r].n; k++) {
				p = put_f64(p, poly->rings[r].pts[k].x);
				p = put_f64(p, poly->rings[r].pts[k].y);
			}
		}
	}
	if ((size_t)(p - buf) != len)
		BUG("geo encoding wrote %zu bytes, expected %zu", (size_t)(p - buf), len);
	*out = buf;
	return len;
}

/* Reads a count of items of at least `size` bytes each, refusing one that
 * could not fit in what is left, so nothing is allocated beyond len. */
static int get_count(const unsigned char **p, const unsigned char *end, size_t size, size_t *n)
{
	if (end - *p < 4)
		return ERR_BAD_VALUE;
	*n = get_u32(*p);
	*p += 4;
	if (*n > (size_t)(end - *p) / size)
		return ERR_BAD_VALUE;
	return 0;
}

int geo_shape_decode(const void *buf, size_t len, struct arena *a, struct geo_shape *out)
{
	const unsigned char *p = buf, *end = p + len;
	struct geo_shape s = { 0 };

	memset(out, 0, sizeof(*out));
	if (len < ENC_HEADER || memcmp(p, ENC_MAGIC, 4) || p[4] != ENC_VERSION || p[5] || p[6] ||
	    p[7])
		return ERR_BAD_VALUE;
	p += 8;
	if (get_count(&p, end, 4, &s.npolys))
		return ERR_BAD_VALUE;
	s.polys = arena_zalloc(a, s.npolys * sizeof(*s.polys));
	for (size_t i = 0; i < s.npolys; i++) {
		struct geo_polygon *poly = &s.polys[i];
		if (get_count(&p, end, 4, &poly->nrings))
			return ERR_BAD_VALUE;
		poly->rings = arena_zalloc(a, poly->nrings * sizeof(*poly->rings));
		for (size_t r = 0; r < poly->nrings; r++) {
			struct geo_ring *ring = &poly->rings[r];
			if (get_count(&p, end, 16, &ring->n))
				return ERR_BAD_VALUE;
			ring->pts = arena_alloc(a, ring->n * sizeof(*ring->pts));
			for (size_t k = 0; k < ring->n; k++, p += 16) {
				ring->pts[k].x = get_f64(p);
				ring->pts[k].y = get_f64(p + 8);
				if (!isfinite(ring->pts[k].x) || !isfinite(ring->pts[k].y))
					return ERR_BAD_VALUE;
			}
		}
	}
	if (p != end)
		return ERR_BAD_VALUE;
	geo_shape_bbox(&s);
	*out = s;
	return 0;
}

/* ---- ECharts UTF8Encoding ---------------------------------------------- */

/* Decodes one code point starting at s[*i], strictly: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no truncated sequence. */
static int utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	uint32_t c = s[*i], v, min;
	size_t need;

	if (c < 0x80) {
		*cp = c;
		*i += 1;
		return 0;
	} else if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return ERR_BAD_VALUE;
	}
	if (len - *i - 1 < need)
		return ERR_BAD_VALUE;
	for (size_t k = 1; k <= need; k++) {
		uint32_t b = s[*i + k];
		if ((b & 0xc0) != 0x80)
			return ERR_BAD_VALUE;
		v = v << 6 | (b & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return ERR_BAD_VALUE;
	*cp = v;
	*i += need + 1;
	return 0;
}

/* JS `u = unit - 64; (u >> 1) ^ (-(u & 1))` without relying on how C
 * shifts negative numbers: floor(u / 2), complemented when u is odd. */
static long unzigzag(long u)
{
	long h = u >= 0 ? u / 2 : -((1 - u) / 2);
	return u % 2 ? -h - 1 : h;
}

int geo_echarts_decode_ring(const char *utf8, size_t len, double off_x, double off_y, double scale,
			    struct arena *a, struct geo_ring *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t units = 0, i, n = 0;
	uint32_t cp;

	memset(out, 0, sizeof(*out));
	if (!isfinite(off_x) || !isfinite(off_y) || !isfinite(scale) || !(scale > 0))
		return ERR_BAD_VALUE;
	for (i = 0; i < len;) {
		if (utf8_next(s, len, &i, &cp))
			return ERR_BAD_VALUE;
		units += cp > 0xffff ? 2 : 1;
	}
	if (units == 0 || units % 2)
		return ERR_BAD_VALUE;

	struct geo_point *pts = arena_alloc(a, (units / 2 + 1) * sizeof(*pts));
	double px = off_x, py = off_y;
	long pair[2];
	int have = 0;
	for (i = 0; i < len;) {
		long u[2];
		int nu = 0;
		utf8_next(s, len, &i, &cp);
		if (cp > 0xffff) {
			/* charCodeAt() sees the surrogate pair */
			u[nu++] = 0xd800 + ((cp - 0x10000) >> 10);
			u[nu++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
		} else {
			u[nu++] = cp;
		}
		for (int k = 0; k < nu; k++) {
			pair[have++] = u[k];
			if (have < 2)
				continue;
			have = 0;
			px += (double)unzigzag(pair[0] - 64);
			py += (double)unzigzag(pair[1] - 64);
			pts[n].x = px / scale;
			pts[n].y = py / scale;
			n++;
		}
	}
	if (pts[n - 1].x != pts[0].x || pts[n - 1].y != pts[0].y)
		pts[n++] = pts[0];
	out->pts = pts;
	out->n = n;
	return 0;
}

/* ---- spatial index ----------------------------------------------------- */

#define IX_FULL          0x80000000u /* entry flag: the bucket is inside the shape */
#define IX_MAX_SHAPES    0x7fffffffu
#define IX_PER_SHAPE     5.0  /* buckets across a typical shape */
#define IX_MAX_PER_SHAPE 16.0 /* buckets per shape, at most */

/*
 * Locating a point is bound by memory latency, not arithmetic, so the
 * layout keeps the chain of dependent loads short: the bucket, its run of
 * entries (shape numbers), the shape's id and offset, and then one
 * contiguous run of the shape's data. That run is an array of geo_points in
 * which some slots are headers holding counts (as doubles, exact below
 * 2^53):
 *
 *   {npolys, 0}
 *   per polygon: {minx, miny} {maxx, maxy} {nrings, slots of its rings}
 *   per ring:    {n, 0} then its n points
 */

/* A bucket: entries[first .. first + n), or, when n is IX_WHOLE, the
 * bucket lies inside shape number `first` and no lower id reaches it. */
struct ix_bucket {
	uint32_t first, n;
};

#define IX_WHOLE UINT32_MAX

/* What a hit needs: the id, and where the shape's data starts. */
struct ix_ref {
	int64_t id;
	size_t off;
};

/* A shape while building: its bbox and the order it was added in. */
struct ix_shape {
	double minx, miny, maxx, maxy;
	int64_t id;
	size_t seq, off;
};

struct geo_index {
	struct ix_shape *shapes;
	struct geo_point *data; /* the shapes' runs, back to back */
	size_t nshapes, ndata, ashapes, adata;

	int built;
	double minx, miny, maxx, maxy; /* the grid's extent */
	double bw, bh, inv_bw, inv_bh; /* bucket size and its inverse */
	size_t nx, ny;
	struct ix_bucket *buckets; /* nx * ny, row by row from the south */
	uint32_t *entries;         /* shape number | IX_FULL */
	struct ix_ref *refs;       /* by shape number */
};

#define GROW(arr, n, alloc, extra)                                         \
	do {                                                               \
		if ((n) + (extra) > (alloc)) {                             \
			(alloc) = ((n) + (extra)) * 2;                     \
			(arr) = xrealloc((arr), (alloc) * sizeof(*(arr))); \
		}                                                          \
	} while (0)

struct geo_index *geo_index_new(void)
{
	return xcalloc(1, sizeof(struct geo_index));
}

void geo_index_free(struct geo_index *ix)
{
	if (!ix)
		return;
	free(ix->shapes);
	free(ix->data);
	free(ix->buckets);
	free(ix->entries);
	free(ix->refs);
	free(ix);
}

size_t geo_index_count(const struct geo_index *ix)
{
	return ix->nshapes;
}

static void bbox_add(double *bb, struct geo_point q)
{
	bb[0] = q.x < bb[0] ? q.x : bb[0];
	bb[1] = q.y < bb[1] ? q.y : bb[1];
	bb[2] = q.x > bb[2] ? q.x : bb[2];
	bb[3] = q.y > bb[3] ? q.y : bb[3];
}

void geo_index_add(struct geo_index *ix, int64_t id, const struct geo_shape *s)
{
	double sb[4] = { INFINITY, INFINITY, -INFINITY, -INFINITY };
	size_t need = 1;

	if (id < 0)
		BUG("geo index id %lld is negative", (long long)id);
	if (ix->nshapes >= IX_MAX_SHAPES)
		BUG("geo index is full");
	for (size_t i = 0; i < s->npolys; i++) {
		need += 3;
		for (size_t r = 0; r < s->polys[i].nrings; r++)
			need += 1 + s->polys[i].rings[r].n;
	}
	GROW(ix->shapes, ix->nshapes, ix->ashapes, 1);
	GROW(ix->data, ix->ndata, ix->adata, need);
	struct ix_shape *sh = &ix->shapes[ix->nshapes];
	sh->id = id;
	sh->seq = ix->nshapes++;
	sh->off = ix->ndata;

	struct geo_point *d = ix->data + ix->ndata;
	*d++ = (struct geo_point){ (double)s->npolys, 0 };
	for (size_t i = 0; i < s->npolys; i++) {
		const struct geo_polygon *poly = &s->polys[i];
		double pb[4] = { INFINITY, INFINITY, -INFINITY, -INFINITY };
		struct geo_point *head = d;
		d += 3;
		for (size_t r = 0; r < poly->nrings; r++) {
			const struct geo_ring *ring = &poly->rings[r];
			*d++ = (struct geo_point){ (double)ring->n, 0 };
			for (size_t k = 0; k < ring->n; k++) {
				*d++ = ring->pts[k];
				bbox_add(pb, ring->pts[k]);
			}
		}
		head[0] = (struct geo_point){ pb[0], pb[1] };
		head[1] = (struct geo_point){ pb[2], pb[3] };
		head[2] = (struct geo_point){ (double)poly->nrings, (double)(d - head - 3) };
		if (pb[0] <= pb[2]) {
			bbox_add(sb, head[0]);
			bbox_add(sb, head[1]);
		}
	}
	ix->ndata += need;
	/* a shape without points gets an empty (inverted) bbox: never a hit */
	sh->minx = sb[0];
	sh->miny = sb[1];
	sh->maxx = sb[2];
	sh->maxy = sb[3];
	ix->built = 0;
}

/* Whether the shape whose run starts at d contains p (boundary included). */
static int run_contains(const struct geo_point *d, struct geo_point p)
{
	size_t npolys = (size_t)d->x;
	d++;
	for (size_t i = 0; i < npolys; i++) {
		size_t nrings = (size_t)d[2].x, span = (size_t)d[2].y;
		const struct geo_point *ring = d + 3;
		int in = 0;
		if (p.x < d[0].x || p.y < d[0].y || p.x > d[1].x || p.y > d[1].y) {
			d += 3 + span;
			continue;
		}
		for (size_t r = 0; r < nrings; r++) {
			size_t n = (size_t)ring->x;
			int c = ring_cross(ring + 1, n, p);
			if (c < 0)
				return 1;
			in ^= c;
			ring += 1 + n;
		}
		if (in)
			return 1;
		d += 3 + span;
	}
	return 0;
}

/* Whether segment a-b meets the closed rectangle r (minx, miny, maxx,
 * maxy): separating axes x, y and the segment's normal, exactly. */
static int seg_meets_rect(struct geo_point a, struct geo_point b, const double *r)
{
	if ((a.x < r[0] && b.x < r[0]) || (a.x > r[2] && b.x > r[2]) ||
	    (a.y < r[1] && b.y < r[1]) || (a.y > r[3] && b.y > r[3]))
		return 0;
	int o1 = orient(a, b, (struct geo_point){ r[0], r[1] });
	int o2 = orient(a, b, (struct geo_point){ r[2], r[1] });
	int o3 = orient(a, b, (struct geo_point){ r[2], r[3] });
	int o4 = orient(a, b, (struct geo_point){ r[0], r[3] });
	return !((o1 > 0 && o2 > 0 && o3 > 0 && o4 > 0) || (o1 < 0 && o2 < 0 && o3 < 0 && o4 < 0));
}

/* How the closed rectangle r relates to the shape: REL_INSIDE if it lies
 * in the shape's interior, REL_MEETS if it touches the boundary, REL_NONE
 * if it lies wholly outside. Exact: no edge meets r, so r is all in or all
 * out, and its centre decides. */
enum { REL_NONE, REL_MEETS, REL_INSIDE };

static int rect_relation(const struct geo_index *ix, const struct ix_shape *sh, const double *r)
{
	if (r[2] < sh->minx || r[0] > sh->maxx || r[3] < sh->miny || r[1] > sh->maxy)
		return REL_NONE;
	const struct geo_point *d = ix->data + sh->off;
	size_t npolys = (size_t)d->x;
	d++;
	for (size_t i = 0; i < npolys; i++) {
		size_t nrings = (size_t)d[2].x, span = (size_t)d[2].y;
		const struct geo_point *ring = d + 3;
		if (r[2] >= d[0].x && r[0] <= d[1].x && r[3] >= d[0].y && r[1] <= d[1].y) {
			for (size_t k = 0; k < nrings; k++) {
				size_t n = (size_t)ring->x;
				for (size_t j = 1; j <= n; j++)
					if (seg_meets_rect(ring[j > 1 ? j - 1 : n], ring[j], r))
						return REL_MEETS;
				ring += 1 + n;
			}
		}
		d += 3 + span;
	}
	struct geo_point c = { (r[0] + r[2]) / 2, (r[1] + r[3]) / 2 };
	return run_contains(ix->data + sh->off, c) ? REL_INSIDE : REL_NONE;
}

static int shape_cmp(const void *pa, const void *pb)
{
	const struct ix_shape *a = pa, *b = pb;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int double_cmp(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return a < b ? -1 : a > b;
}

/* Bucket n of [0, count) for a scaled coordinate. v may be NaN or beyond
 * any integer when the shapes are thinner than a double resolves (the
 * inverse bucket size is then infinite): converting that is undefined. */
static size_t bucket_of(double v, size_t count)
{
	if (!(v > 0))
		return 0;
	return v < (double)count ? (size_t)v : count - 1;
}

static size_t bucket_col(const struct geo_index *ix, double x)
{
	return bucket_of((x - ix->minx) * ix->inv_bw, ix->nx);
}

static size_t bucket_row(const struct geo_index *ix, double y)
{
	return bucket_of((y - ix->miny) * ix->inv_bh, ix->ny);
}

/* Chooses the bucket size from the median shape size, so a few large
 * shapes (a whole district next to its grids) do not coarsen the grid. */
static void plan_grid(struct geo_index *ix, size_t nvalid)
{
	double *w = xmalloc(nvalid * sizeof(*w)), *h = xmalloc(nvalid * sizeof(*h));
	double W = ix->maxx - ix->minx, H = ix->maxy - ix->miny;
	size_t k = 0;

	for (size_t i = 0; i < ix->nshapes; i++) {
		const struct ix_shape *sh = &ix->shapes[i];
		if (sh->minx <= sh->maxx) {
			w[k] = sh->maxx - sh->minx;
			h[k++] = sh->maxy - sh->miny;
		}
	}
	qsort(w, k, sizeof(*w), double_cmp);
	qsort(h, k, sizeof(*h), double_cmp);
	double bw = w[k / 2] / IX_PER_SHAPE, bh = h[k / 2] / IX_PER_SHAPE;
	free(w);
	free(h);

	double side = sqrt((W > 0 ? W : 1) * (H > 0 ? H : 1) / (double)nvalid);
	if (!(bw > 0))
		bw = W > 0 ? side : 1;
	if (!(bh > 0))
		bh = H > 0 ? side : 1;
	/* a bounded number of buckets per shape, and a sane total */
	double cap = IX_MAX_PER_SHAPE * (double)nvalid + 1024;
	cap = cap < 0x1p26 ? cap : 0x1p26;
	double nx = ceil(W / bw), ny = ceil(H / bh);
	nx = nx >= 1 ? nx : 1; /* NaN too: W overflows for far-apart points */
	ny = ny >= 1 ? ny : 1;
	if (nx * ny > cap) {
		double f = sqrt(nx * ny / cap);
		nx = ceil(nx / f);
		ny = ceil(ny / f);
		if (nx * ny > cap && nx > ny)
			nx = floor(cap / ny);
		else if (nx * ny > cap)
			ny = floor(cap / nx);
		nx = nx >= 1 ? nx : 1; /* NaN too: W overflows for far-apart points */
		ny = ny >= 1 ? ny : 1;
	}
	nx = nx >= 1 && nx <= cap ? nx : 1;
	ny = ny >= 1 && ny <= cap ? ny : 1;
	ix->nx = (size_t)nx;
	ix->ny = (size_t)ny;
	ix->bw = W / nx;
	ix->bh = H / ny;
	ix->inv_bw = W > 0 ? nx / W : 0;
	ix->inv_bh = H > 0 ? ny / H : 0;
}

/* A (bucket, candidate) pair found while building. */
struct pending {
	size_t bucket;
	uint32_t e;
};

/* Lists, for every bucket, the shapes that reach into it in id order, up
 * to and including the first that contains it whole. A bucket whose first
 * such shape contains it whole needs no list at all. */
static void fill_buckets(struct geo_index *ix)
{
	size_t nb = ix->nx * ix->ny, npend = 0, apend = 0, total = 0;
	struct pending *pend = NULL;
	/* Points are bucketed by rounded arithmetic, so classify a slightly
	 * larger rectangle than the bucket's exact one. */
	double mx = 1e-12 * (fabs(ix->minx) + fabs(ix->maxx)) + 1e-9 * ix->bw;
	double my = 1e-12 * (fabs(ix->miny) + fabs(ix->maxy)) + 1e-9 * ix->bh;

	/* per bucket: 0 open, 1 list ended by a full shape, 2 whole */
	unsigned char *state = xcalloc(nb, 1);
	ix->buckets = xcalloc(nb, sizeof(*ix->buckets));
	for (size_t i = 0; i < ix->nshapes; i++) {
		const struct ix_shape *sh = &ix->shapes[i];
		if (sh->minx > sh->maxx)
			continue;
		size_t c0 = bucket_col(ix, sh->minx), c1 = bucket_col(ix, sh->maxx);
		size_t r0 = bucket_row(ix, sh->miny), r1 = bucket_row(ix, sh->maxy);
		for (size_t r = r0; r <= r1; r++) {
			for (size_t c = c0; c <= c1; c++) {
				size_t b = r * ix->nx + c;
				if (state[b])
					continue; /* a lower id already contains it all */
				double rect[4] = { ix->minx + (double)c * ix->bw - mx,
						   ix->miny + (double)r * ix->bh - my,
						   ix->minx + (double)(c + 1) * ix->bw + mx,
						   ix->miny + (double)(r + 1) * ix->bh + my };
				int rel = rect_relation(ix, sh, rect);
				if (rel == REL_NONE)
					continue;
				if (rel == REL_INSIDE && ix->buckets[b].n == 0) {
					state[b] = 2;
					ix->buckets[b].first = (uint32_t)i;
					ix->buckets[b].n = IX_WHOLE;
					continue;
				}
				state[b] = rel == REL_INSIDE;
				ix->buckets[b].n++;
				GROW(pend, npend, apend, 1);
				pend[npend++] = (struct pending){
					b, (uint32_t)i | (rel == REL_INSIDE ? IX_FULL : 0)
				};
			}
		}
	}
	free(state);

	/* Counting sort by bucket; shapes came in id order, so lists stay so. */
	size_t *next = xmalloc((nb ? nb : 1) * sizeof(*next));
	for (size_t b = 0; b < nb; b++) {
		if (ix->buckets[b].n == IX_WHOLE)
			continue;
		ix->buckets[b].first = (uint32_t)total;
		next[b] = total;
		total += ix->buckets[b].n;
		if (total >= UINT32_MAX)
			BUG("geo index has more than 2^32 bucket entries");
	}
	ix->entries = xmalloc((total ? total : 1) * sizeof(*ix->entries));
	for (size_t k = 0; k < npend; k++)
		ix->entries[next[pend[k].bucket]++] = pend[k].e;
	free(next);
	free(pend);
}

void geo_index_build(struct geo_index *ix)
{
	size_t nvalid = 0;

	free(ix->buckets);
	free(ix->entries);
	free(ix->refs);
	ix->buckets = NULL;
	ix->entries = NULL;
	ix->nx = ix->ny = 0;
	ix->built = 1;
	if (ix->nshapes)
		qsort(ix->shapes, ix->nshapes, sizeof(*ix->shapes), shape_cmp);
	ix->refs = xmalloc((ix->nshapes ? ix->nshapes : 1) * sizeof(*ix->refs));

	ix->minx = ix->miny = INFINITY;
	ix->maxx = ix->maxy = -INFINITY;
	for (size_t i = 0; i < ix->nshapes; i++) {
		const struct ix_shape *sh = &ix->shapes[i];
		ix->refs[i] = (struct ix_ref){ sh->id, sh->off };
		if (sh->minx > sh->maxx)
			continue;
		nvalid++;
		ix->minx = sh->minx < ix->minx ? sh->minx : ix->minx;
		ix->miny = sh->miny < ix->miny ? sh->miny : ix->miny;
		ix->maxx = sh->maxx > ix->maxx ? sh->maxx : ix->maxx;
		ix->maxy = sh->maxy > ix->maxy ? sh->maxy : ix->maxy;
	}
	if (!nvalid)
		return;
	plan_grid(ix, nvalid);
	fill_buckets(ix);
}

int64_t geo_index_locate(const struct geo_index *ix, struct geo_point p)
{
	if (!ix->built)
		BUG("geo_index_locate before geo_index_build");
	if (!(p.x >= ix->minx && p.x <= ix->maxx && p.y >= ix->miny && p.y <= ix->maxy))
		return -1;
	const struct ix_bucket *bk =
		&ix->buckets[bucket_row(ix, p.y) * ix->nx + bucket_col(ix, p.x)];
	if (bk->n == IX_WHOLE)
		return ix->refs[bk->first].id;
	/* the shapes that reach into the bucket, lowest id first */
	const uint32_t *e = ix->entries + bk->first, *end = e + bk->n;
	for (; e < end; e++) {
		const struct ix_ref *ref = &ix->refs[*e & ~IX_FULL];
		if ((*e & IX_FULL) || run_contains(ix->data + ref->off, p))
			return ref->id;
	}
	return -1;
}

/* ---- tessellation ------------------------------------------------------ */

#define NOSRC  SIZE_MAX
#define SLIVER 0.02 /* of a full cell: merged into the neighbour */

/* A vertex being clipped. src is the outline edge (index of its first
 * point in tess.flat) that the edge leaving this vertex lies on, or NOSRC
 * when that edge runs along a grid line. */
struct cv {
	double x, y;
	size_t src;
};

struct cvbuf {
	struct cv *v;
	size_t n, alloc;
};

/* One ring of the outline, and what is left of it in the current row. */
struct tring {
	size_t poly, first, n; /* ring's points are flat[first .. first + n) */
	int hole;
	double minx, miny, maxx, maxy;
	struct cvbuf strip;
	double sminx, smaxx;
};

/* A cell before it is emitted: which columns it spans, its polygons. */
struct piece {
	size_t col0, col1;
	double area;
	struct geo_polygon *polys;
	size_t npolys;
};

struct tess {
	struct geo_point *flat; /* the outline's rings, each closed */
	struct tring *rings;
	size_t nrings;
	double *xs, *ys; /* grid lines: xs west to east, ys north to south */
	size_t ncols, nrows;
	double cell_area, eps;
	struct cvbuf tmp, clip;
	struct geo_ring *ringbuf;    /* rings of the polygon being built */
	struct geo_polygon *polybuf; /* polygons of the piece being built */
	size_t aringbuf, apolybuf;
	struct piece *row;
	size_t nrow, arow;
	struct geo_shape *cells;
	size_t ncells, acells;
	struct arena *a; /* NULL while only counting */
};

static void cv_push(struct cvbuf *b, double x, double y, size_t src)
{
	GROW(b->v, b->n, b->alloc, 1);
	b->v[b->n++] = (struct cv){ x, y, src };
}

/* Where the edge from p to q crosses the line coord[axis] == v. On an
 * outline edge the answer depends only on that edge, not on which piece of
 * it p-q is, so neighbouring cells agree to the bit. */
static struct cv crossing(const struct tess *t, struct cv p, struct cv q, int axis, double v)
{
	struct geo_point a = { p.x, p.y }, b = { q.x, q.y };
	if (p.src != NOSRC) {
		a = t->flat[p.src];
		b = t->flat[p.src + 1];
		if (a.x > b.x || (a.x == b.x && a.y > b.y)) {
			struct geo_point tmp = a;
			a = b;
			b = tmp;
		}
	}
	double a0 = axis ? a.y : a.x, b0 = axis ? b.y : b.x;
	double a1 = axis ? a.x : a.y, b1 = axis ? b.x : b.y;
	double o = a1;
	if (b0 != a0) {
		o = a1 + (v - a0) / (b0 - a0) * (b1 - a1);
		double lo = a1 < b1 ? a1 : b1, hi = a1 < b1 ? b1 : a1;
		o = o < lo ? lo : o > hi ? hi : o;
	}
	return axis ? (struct cv){ o, v, NOSRC } : (struct cv){ v, o, NOSRC };
}

/* Sutherland-Hodgman against one axis-aligned half-plane: keeps
 * coord[axis] >= v when ge, else coord[axis] <= v. */
static void clip_half(const struct tess *t, const struct cvbuf *in, struct cvbuf *out, int axis,
		      double v, int ge)
{
	out->n = 0;
	if (in->n == 0)
		return;
	struct cv p = in->v[in->n - 1];
	double pc = axis ? p.y : p.x;
	int pin = ge ? pc >= v : pc <= v;
	for (size_t i = 0; i < in->n; i++) {
		struct cv q = in->v[i];
		double qc = axis ? q.y : q.x;
		int qin = ge ? qc >= v : qc <= v;
		if (qin != pin) {
			struct cv x = crossing(t, p, q, axis, v);
			/* entering: the edge on to q is still p's outline edge */
			x.src = qin ? p.src : NOSRC;
			cv_push(out, x.x, x.y, x.src);
		}
		if (qin)
			cv_push(out, q.x, q.y, q.src);
		p = q;
		pin = qin;
	}
}

/* Area of a clipped ring once repeated points are gone; 0 if fewer than
 * three remain. Compacts b in place. */
static double cv_tidy_area(struct cvbuf *b)
{
	size_t m = 0;
	for (size_t i = 0; i < b->n; i++)
		if (m == 0 || b->v[i].x != b->v[m - 1].x || b->v[i].y != b->v[m - 1].y)
			b->v[m++] = b->v[i];
	while (m > 1 && b->v[m - 1].x == b->v[0].x && b->v[m - 1].y == b->v[0].y)
		m--;
	b->n = m;
	if (m < 3)
		return 0;
	double sum = 0, ox = b->v[0].x, oy = b->v[0].y;
	for (size_t i = 0; i < m; i++) {
		const struct cv *p = &b->v[i], *q = &b->v[i + 1 < m ? i + 1 : 0];
		sum += (p->x - ox) * (q->y - oy) - (q->x - ox) * (p->y - oy);
	}
	return fabs(sum / 2);
}

static struct geo_ring ring_from(struct arena *a, const struct cvbuf *b)
{
	struct geo_ring r = { arena_alloc(a, (b->n + 1) * sizeof(struct geo_point)), b->n + 1 };
	for (size_t i = 0; i < b->n; i++)
		r.pts[i] = (struct geo_point){ b->v[i].x, b->v[i].y };
	r.pts[b->n] = r.pts[0];
	return r;
}

/* Clips the row strip of ring k to columns [x0, x1]; returns the area. */
static double clip_cell(struct tess *t, struct tring *tr, double x0, double x1)
{
	if (tr->strip.n == 0 || tr->smaxx < x0 || tr->sminx > x1) {
		t->clip.n = 0;
		return 0;
	}
	clip_half(t, &tr->strip, &t->tmp, 0, x0, 1);
	clip_half(t, &t->tmp, &t->clip, 0, x1, 0);
	return cv_tidy_area(&t->clip);
}

/* Builds the piece for column c of the current row; 0 if it is empty. */
static int make_piece(struct tess *t, size_t c, struct piece *pc)
{
	double x0 = t->xs[c], x1 = t->xs[c + 1];
	size_t npolys = 0;

	pc->area = 0;
	for (size_t k = 0; k < t->nrings;) {
		/* rings of one polygon are consecutive, outer first */
		size_t end = k + 1, nr = 0;
		while (end < t->nrings && t->rings[end].poly == t->rings[k].poly)
			end++;
		double area = clip_cell(t, &t->rings[k], x0, x1);
		if (area <= t->eps) {
			k = end;
			continue;
		}
		GROW(t->ringbuf, 0, t->aringbuf, end - k);
		if (t->a)
			t->ringbuf[nr++] = ring_from(t->a, &t->clip);
		for (size_t h = k + 1; h < end; h++) {
			double ha = clip_cell(t, &t->rings[h], x0, x1);
			if (ha <= t->eps)
				continue;
			area -= ha;
			if (t->a)
				t->ringbuf[nr++] = ring_from(t->a, &t->clip);
		}
		k = end;
		if (area <= t->eps)
			continue;
		pc->area += area;
		if (t->a) {
			GROW(t->polybuf, npolys, t->apolybuf, 1);
			t->polybuf[npolys].rings = arena_alloc(t->a, nr * sizeof(struct geo_ring));
			memcpy(t->polybuf[npolys].rings, t->ringbuf, nr * sizeof(struct geo_ring));
			t->polybuf[npolys].nrings = nr;
		}
		npolys++;
	}
	if (!npolys)
		return 0;
	pc->col0 = pc->col1 = c;
	pc->npolys = npolys;
	pc->polys = NULL;
	if (t->a) {
		pc->polys = arena_alloc(t->a, npolys * sizeof(struct geo_polygon));
		memcpy(pc->polys, t->polybuf, npolys * sizeof(struct geo_polygon));
	}
	return 1;
}

/* Appends pc to the row, or merges it with the previous piece when they
 * are side by side and one of them is a sliver. */
static void row_add(struct tess *t, const struct piece *pc)
{
	struct piece *last = t->nrow ? &t->row[t->nrow - 1] : NULL;
	double sliver = SLIVER * t->cell_area;

	if (t->a && last && last->col1 + 1 == pc->col0 &&
	    (pc->area < sliver || last->area < sliver)) {
		struct geo_polygon *polys =
			arena_alloc(t->a, (last->npolys + pc->npolys) * sizeof(*polys));
		memcpy(polys, last->polys, last->npolys * sizeof(*polys));
		memcpy(polys + last->npolys, pc->polys, pc->npolys * sizeof(*polys));
		last->polys = polys;
		last->npolys += pc->npolys;
		last->area += pc->area;
		last->col1 = pc->col1;
		return;
	}
	GROW(t->row, t->nrow, t->arow, 1);
	t->row[t->nrow++] = *pc;
}

/* Cuts row r into pieces, west to east, into t->row. */
static void do_row(struct tess *t, size_t r)
{
	double ytop = t->ys[r], ybot = t->ys[r + 1];
	double sminx = INFINITY, smaxx = -INFINITY;

	t->nrow = 0;
	for (size_t k = 0; k < t->nrings; k++) {
		struct tring *tr = &t->rings[k];
		tr->strip.n = 0;
		if (tr->maxy < ybot || tr->miny > ytop)
			continue;
		t->tmp.n = 0;
		for (size_t i = 0; i + 1 < tr->n; i++) {
			struct geo_point q = t->flat[tr->first + i];
			cv_push(&t->tmp, q.x, q.y, tr->first + i);
		}
		clip_half(t, &t->tmp, &t->clip, 1, ytop, 0);
		clip_half(t, &t->clip, &tr->strip, 1, ybot, 1);
		tr->sminx = INFINITY;
		tr->smaxx = -INFINITY;
		for (size_t i = 0; i < tr->strip.n; i++) {
			double x = tr->strip.v[i].x;
			tr->sminx = x < tr->sminx ? x : tr->sminx;
			tr->smaxx = x > tr->smaxx ? x : tr->smaxx;
		}
		if (!tr->hole && tr->strip.n) {
			sminx = tr->sminx < sminx ? tr->sminx : sminx;
			smaxx = tr->smaxx > smaxx ? tr->smaxx : smaxx;
		}
	}
	if (sminx > smaxx)
		return;
	size_t c = 0;
	while (c + 1 < t->ncols && t->xs[c + 1] < sminx)
		c++;
	for (; c < t->ncols && t->xs[c] <= smaxx; c++) {
		struct piece pc;
		if (make_piece(t, c, &pc))
			row_add(t, &pc);
	}
}

/* Lays the grid for cell side `side` (degrees of latitude), then either
 * counts the pieces (t->a NULL) or emits the cells. Returns the count. */
static size_t run_grid(struct tess *t, const double *bb, double k, double side)
{
	double dx = side / k, dy = side;
	double W = bb[2] - bb[0], H = bb[3] - bb[1];
	size_t total = 0, emitted_rows = 0;

	t->ncols = (size_t)ceil(W / dx);
	t->nrows = (size_t)ceil(H / dy);
	t->ncols += !t->ncols;
	t->nrows += !t->nrows;
	t->xs = xrealloc(t->xs, (t->ncols + 1) * sizeof(*t->xs));
	t->ys = xrealloc(t->ys, (t->nrows + 1) * sizeof(*t->ys));
	double x0 = bb[0] - ((double)t->ncols * dx - W) / 2;
	double y0 = bb[3] + ((double)t->nrows * dy - H) / 2;
	for (size_t i = 0; i <= t->ncols; i++)
		t->xs[i] = x0 + (double)i * dx;
	for (size_t i = 0; i <= t->nrows; i++)
		t->ys[i] = y0 - (double)i * dy;
	/* the outer lines must enclose the outline despite rounding */
	t->xs[0] = t->xs[0] < bb[0] ? t->xs[0] : bb[0];
	t->xs[t->ncols] = t->xs[t->ncols] > bb[2] ? t->xs[t->ncols] : bb[2];
	t->ys[0] = t->ys[0] > bb[3] ? t->ys[0] : bb[3];
	t->ys[t->nrows] = t->ys[t->nrows] < bb[1] ? t->ys[t->nrows] : bb[1];
	t->cell_area = dx * dy;
	t->eps = 1e-12 * t->cell_area;

	for (size_t r = 0; r < t->nrows; r++) {
		do_row(t, r);
		total += t->nrow;
		if (!t->a || !t->nrow)
			continue;
		for (size_t i = 0; i < t->nrow; i++) {
			/* serpentine: odd rows run east to west */
			const struct piece *pc = &t->row[emitted_rows % 2 ? t->nrow - 1 - i : i];
			GROW(t->cells, t->ncells, t->acells, 1);
			struct geo_shape *cell = &t->cells[t->ncells++];
			cell->polys = pc->polys;
			cell->npolys = pc->npolys;
			geo_shape_bbox(cell);
		}
		emitted_rows++;
	}
	return total;
}

static int tess_setup(struct tess *t, const struct geo_shape *outline, double *bb)
{
	size_t npts = 0, nrings = 0;

	for (size_t i = 0; i < outline->npolys; i++)
		for (size_t r = 0; r < outline->polys[i].nrings; r++) {
			npts += outline->polys[i].rings[r].n + 1;
			nrings++;
		}
	t->flat = xmalloc((npts ? npts : 1) * sizeof(*t->flat));
	t->rings = xcalloc(nrings ? nrings : 1, sizeof(*t->rings));
	bb[0] = bb[1] = INFINITY;
	bb[2] = bb[3] = -INFINITY;
	npts = 0;
	for (size_t i = 0; i < outline->npolys; i++) {
		const struct geo_polygon *poly = &outline->polys[i];
		for (size_t r = 0; r < poly->nrings; r++) {
			const struct geo_ring *ring = &poly->rings[r];
			struct tring *tr = &t->rings[t->nrings];
			if (ring->n < 3 && r == 0)
				break; /* no outer ring, no polygon */
			if (ring->n < 3)
				continue;
			tr->poly = i;
			tr->hole = r > 0;
			tr->first = npts;
			tr->minx = tr->miny = INFINITY;
			tr->maxx = tr->maxy = -INFINITY;
			for (size_t k = 0; k < ring->n; k++) {
				struct geo_point q = ring->pts[k];
				if (!isfinite(q.x) || !isfinite(q.y))
					return ERR_BAD_VALUE;
				t->flat[npts++] = q;
				tr->minx = q.x < tr->minx ? q.x : tr->minx;
				tr->miny = q.y < tr->miny ? q.y : tr->miny;
				tr->maxx = q.x > tr->maxx ? q.x : tr->maxx;
				tr->maxy = q.y > tr->maxy ? q.y : tr->maxy;
			}
			/* close it, so edge i is always flat[i] -> flat[i + 1] */
			if (ring->pts[0].x != ring->pts[ring->n - 1].x ||
			    ring->pts[0].y != ring->pts[ring->n - 1].y)
				t->flat[npts++] = ring->pts[0];
			tr->n = npts - tr->first;
			if (r == 0) {
				bb[0] = tr->minx < bb[0] ? tr->minx : bb[0];
				bb[1] = tr->miny < bb[1] ? tr->miny : bb[1];
				bb[2] = tr->maxx > bb[2] ? tr->maxx : bb[2];
				bb[3] = tr->maxy > bb[3] ? tr->maxy : bb[3];
			}
			t->nrings++;
		}
	}
	return 0;
}

int geo_tessellate(const struct geo_shape *outline, size_t target_cells, struct arena *a,
		   struct geo_shape **cells, size_t *ncells)
{
	struct tess t = { 0 };
	double bb[4];
	int err = ERR_BAD_VALUE;

	*cells = NULL;
	*ncells = 0;
	if (target_cells == 0 || target_cells > GEO_TESSELLATE_MAX_CELLS)
		goto out;
	if (tess_setup(&t, outline, bb))
		goto out;
	double area = geo_shape_area(outline);
	if (!(area > 0) || !isfinite(area) || bb[0] > bb[2])
		goto out;

	/* squares on the ground: shrink x by the cosine of the middle latitude */
	double k = cos((bb[1] + bb[3]) / 2 * DEG2RAD);
	k = k > 0.01 ? k : 0.01;
	double as = area * k; /* in square degrees of latitude */
	double n = (double)target_cells, side = sqrt(as / n);
	double W = bb[2] - bb[0], H = bb[3] - bb[1];
	if (W * k / side > 4 * n + 16 || H / side > 4 * n + 16)
		goto out; /* a thread-thin outline: the grid would be absurd */

	/* Cells cut by the outline's border add to the count, roughly in
	 * proportion to 1/side: count once, then solve
	 * as/s^2 + b/s = n for s, b fitted from that count. */
	double c0 = (double)run_grid(&t, bb, k, side);
	double b = (c0 - as / (side * side)) * side;
	if (c0 > 0 && b > 0) {
		double u = (-b + sqrt(b * b + 4 * as * n)) / (2 * as);
		double s1 = 1 / u;
		if (s1 > side / 4 && s1 < side * 4)
			side = s1;
	}
	t.a = a;
	run_grid(&t, bb, k, side);
	*cells = arena_alloc(a, (t.ncells ? t.ncells : 1) * sizeof(**cells));
	memcpy(*cells, t.cells, t.ncells * sizeof(**cells));
	*ncells = t.ncells;
	err = 0;
out:
	for (size_t i = 0; i < t.nrings; i++)
		free(t.rings[i].strip.v);
	free(t.rings);
	free(t.flat);
	free(t.xs);
	free(t.ys);
	free(t.tmp.v);
	free(t.clip.v);
	free(t.ringbuf);
	free(t.polybuf);
	free(t.row);
	free(t.cells);
	return err;
}
