/*
 * geojson.h - GeoJSON (RFC 7946) geometry in and out of struct geo_shape.
 *
 * Only Polygon and MultiPolygon are grid boundaries. Input is validated
 * (types, closed rings, coordinate ranges, vertex limits) and errors say
 * which feature, on which line of the file, and what is wrong.
 */
#ifndef PINGAN_API_GEOJSON_H
#define PINGAN_API_GEOJSON_H

#include <jansson.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/geo.h"

#define GEOJSON_FILE_MAX         (64u << 20) /* bytes */
#define GEOJSON_FEATURE_VERTICES 100000      /* per feature */
#define GEOJSON_TOTAL_VERTICES   1000000     /* per file */
/* checked on the text before it is parsed: positions may carry an altitude,
 * properties may hold numbers */
#define GEOJSON_MAX_NUMBERS (3 * GEOJSON_TOTAL_VERTICES + 65536)
#define GEOJSON_MAX_DEPTH   32

/* Converts a Polygon or MultiPolygon object. 0 or ERR_BAD_VALUE (why). */
int geojson_to_shape(json_t *geometry, struct arena *a, struct geo_shape *out, char *why,
		     size_t whylen);
/* A new Polygon/MultiPolygon object with coordinates rounded to 1e-7 degree. */
json_t *geojson_from_shape(const struct geo_shape *s);

struct geojson_feature {
	int index; /* 0-based position in "features" */
	int line;  /* 1-based line where it starts */
	const char *code, *name;
	struct geo_shape shape;
	char *geometry; /* compact GeoJSON text of the geometry, from the arena */
};

/* Reads a FeatureCollection of grids (properties.code, properties.name)
 * from the file at path. name is how messages call the file (NULL: "the
 * file", and "line N" for a position). 0, ERR_IO or ERR_BAD_FILE with why
 * naming the feature and its line. */
int geojson_read_grids(const char *path, const char *name, struct arena *a,
		       struct geojson_feature **out, size_t *n, char *why, size_t whylen);

#endif
