/*
 * geojson.c - see geojson.h.
 *
 * jansson does not report where a value sits in the text, so a small scanner
 * finds where each element of the top-level "features" array starts; error
 * messages then give the line a person can open in an editor.
 */
#include "api/geojson.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return ERR_BAD_VALUE;
}

static int ring_from(json_t *jr, struct arena *a, struct geo_ring *ring, size_t *budget,
		     const char *where, char *why, size_t whylen)
{
	if (!json_is_array(jr))
		return bad(why, whylen, "%s must be an array of positions", where);
	size_t n = json_array_size(jr);
	if (n > *budget)
		return bad(why, whylen, "%s has more vertices than the limit", where);
	*budget -= n;
	ring->n = n;
	ring->pts = arena_alloc(a, (n ? n : 1) * sizeof(struct geo_point));
	for (size_t i = 0; i < n; i++) {
		json_t *pos = json_array_get(jr, i);
		if (!json_is_array(pos) || json_array_size(pos) < 2 ||
		    !json_is_number(json_array_get(pos, 0)) ||
		    !json_is_number(json_array_get(pos, 1)))
			return bad(why, whylen, "%s position %zu must be [longitude, latitude]",
				   where, i);
		ring->pts[i].x = json_number_value(json_array_get(pos, 0));
		ring->pts[i].y = json_number_value(json_array_get(pos, 1));
	}
	return 0;
}

static int polygon_from(json_t *jp, struct arena *a, struct geo_polygon *poly, size_t *budget,
			const char *where, char *why, size_t whylen)
{
	if (!json_is_array(jp) || json_array_size(jp) == 0)
		return bad(why, whylen, "%s must be a non-empty array of rings", where);
	poly->nrings = json_array_size(jp);
	if (poly->nrings > 10000)
		return bad(why, whylen, "%s has too many rings", where);
	poly->rings = arena_alloc(a, poly->nrings * sizeof(struct geo_ring));
	for (size_t i = 0; i < poly->nrings; i++) {
		char w[96];
		snprintf(w, sizeof(w), "%s ring %zu", where, i);
		int err = ring_from(json_array_get(jp, i), a, &poly->rings[i], budget, w, why,
				    whylen);
		if (err)
			return err;
	}
	return 0;
}

int geojson_to_shape(json_t *g, struct arena *a, struct geo_shape *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(g))
		return bad(why, whylen, "geometry must be an object");
	const char *type = json_string_value(json_object_get(g, "type"));
	json_t *coords = json_object_get(g, "coordinates");
	if (!type)
		return bad(why, whylen, "geometry has no type");
	if (!json_is_array(coords))
		return bad(why, whylen, "geometry has no coordinates array");
	size_t budget = GEOJSON_FEATURE_VERTICES;
	int err;
	if (!strcmp(type, "Polygon")) {
		out->npolys = 1;
		out->polys = arena_alloc(a, sizeof(struct geo_polygon));
		err = polygon_from(coords, a, &out->polys[0], &budget, "polygon", why, whylen);
	} else if (!strcmp(type, "MultiPolygon")) {
		out->npolys = json_array_size(coords);
		if (!out->npolys || out->npolys > 10000)
			return bad(why, whylen, "MultiPolygon needs 1 to 10000 polygons");
		out->polys = arena_alloc(a, out->npolys * sizeof(struct geo_polygon));
		err = 0;
		for (size_t i = 0; i < out->npolys && !err; i++) {
			char w[48];
			snprintf(w, sizeof(w), "polygon %zu", i);
			err = polygon_from(json_array_get(coords, i), a, &out->polys[i], &budget, w,
					   why, whylen);
		}
	} else {
		return bad(why, whylen, "geometry type '%.20s' is not Polygon or MultiPolygon",
			   type);
	}
	if (err)
		return err;
	if ((err = geo_shape_validate(out, GEOJSON_FEATURE_VERTICES, why, whylen)))
		return err;
	geo_shape_bbox(out);
	return 0;
}

static json_t *ring_json(const struct geo_ring *r)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(arr, json_pack("[f,f]", round(r->pts[i].x * 1e7) / 1e7,
						     round(r->pts[i].y * 1e7) / 1e7));
	return arr;
}

static json_t *poly_json(const struct geo_polygon *p)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < p->nrings; i++)
		json_array_append_new(arr, ring_json(&p->rings[i]));
	return arr;
}

json_t *geojson_from_shape(const struct geo_shape *s)
{
	if (s->npolys == 1)
		return json_pack("{s:s,s:o}", "type", "Polygon", "coordinates",
				 poly_json(&s->polys[0]));
	json_t *arr = json_array();
	for (size_t i = 0; i < s->npolys; i++)
		json_array_append_new(arr, poly_json(&s->polys[i]));
	return json_pack("{s:s,s:o}", "type", "MultiPolygon", "coordinates", arr);
}

/* Finds the start offsets of the elements of the top-level "features"
 * array. Returns how many were found (at most max). */
static size_t feature_offsets(const char *t, size_t len, size_t *offs, size_t max)
{
	int depth = 0, in_features = 0, want_elem = 0;
	size_t n = 0, last_key_end = 0;
	char last_key[16] = "";
	for (size_t i = 0; i < len; i++) {
		char c = t[i];
		if (c == '"') {
			size_t j = i + 1;
			while (j < len && t[j] != '"')
				j += t[j] == '\\' ? 2 : 1;
			if (want_elem && n < max) {
				offs[n++] = i;
				want_elem = 0;
			}
			if (depth == 1) {
				size_t kl = j - i - 1;
				snprintf(last_key, sizeof(last_key), "%.*s",
					 (int)(kl < 15 ? kl : 15), t + i + 1);
				last_key_end = j;
			}
			i = j;
			continue;
		}
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ':')
			continue;
		if (want_elem && c != ']' && n < max) {
			offs[n++] = i;
			want_elem = 0;
		}
		if (c == '{' || c == '[') {
			depth++;
			if (c == '[' && depth == 2 && !strcmp(last_key, "features") &&
			    last_key_end) {
				in_features = 1;
				want_elem = 1;
			}
		} else if (c == '}' || c == ']') {
			if (depth == 2 && in_features)
				in_features = 0;
			depth--;
			want_elem = 0;
		} else if (c == ',' && depth == 2 && in_features) {
			want_elem = 1;
		}
	}
	return n;
}

static int line_of(const char *t, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off; i++)
		if (t[i] == '\n')
			line++;
	return line;
}

static void release_json(void *p)
{
	json_decref(p);
}

/* "NAME:LINE" or, without a name, "line LINE" (from a). */
static const char *at_line(struct arena *a, const char *name, int line)
{
	return name ? arena_printf(a, "%s:%d", name, line) : arena_printf(a, "line %d", line);
}

int geojson_read_grids(const char *path, const char *name, struct arena *a,
		       struct geojson_feature **out, size_t *n, char *why, size_t whylen)
{
	const char *file = name ? name : "the file";
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, whylen, "cannot open '%s'", name ? name : path);
		return ERR_IO;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb, GEOJSON_FILE_MAX);
	char buf[65536];
	size_t got;
	int err = 0;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		if ((err = strbuf_add(&sb, buf, got)))
			break;
	fclose(f);
	if (err) {
		strbuf_release(&sb);
		snprintf(why, whylen, "%s is larger than %u MiB", name ? name : "the file",
			 GEOJSON_FILE_MAX >> 20);
		return ERR_BAD_FILE;
	}
	/* jansson takes some 150 bytes a vertex: count before it builds anything */
	int depth;
	size_t numbers;
	str_json_measure(strbuf_str(&sb), sb.len, &depth, &numbers);
	if (depth > GEOJSON_MAX_DEPTH || numbers > GEOJSON_MAX_NUMBERS) {
		strbuf_release(&sb);
		if (depth > GEOJSON_MAX_DEPTH)
			snprintf(why, whylen, "%s: arrays and objects nest deeper than %d levels",
				 file, GEOJSON_MAX_DEPTH);
		else
			snprintf(why, whylen,
				 "%s: %zu numbers, more than a file of %d vertices can hold", file,
				 numbers, GEOJSON_TOTAL_VERTICES);
		return ERR_BAD_FILE;
	}
	json_error_t je;
	json_t *root = json_loadb(strbuf_str(&sb), sb.len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		strbuf_release(&sb);
		if (name)
			snprintf(why, whylen, "%s:%d:%d: %s", name, je.line, je.column, je.text);
		else
			snprintf(why, whylen, "line %d, column %d: %s", je.line, je.column,
				 je.text);
		return ERR_BAD_FILE;
	}
	arena_defer(a, release_json, root);
	json_t *features = json_object_get(root, "features");
	if (!json_is_object(root) ||
	    strcmp(json_string_value(json_object_get(root, "type")) ?: "", "FeatureCollection") ||
	    !json_is_array(features)) {
		strbuf_release(&sb);
		snprintf(why, whylen, "%s: expected a FeatureCollection with a features array",
			 file);
		return ERR_BAD_FILE;
	}
	size_t count = json_array_size(features);
	size_t *offs = xcalloc(count ? count : 1, sizeof(size_t));
	size_t found = feature_offsets(strbuf_str(&sb), sb.len, offs, count);
	struct geojson_feature *v = arena_zalloc(a, (count ? count : 1) * sizeof(*v));
	size_t total = 0;
	for (size_t i = 0; i < count && !err; i++) {
		json_t *ft = json_array_get(features, i);
		struct geojson_feature *gf = &v[i];
		gf->index = (int)i;
		gf->line = i < found ? line_of(strbuf_str(&sb), offs[i]) : 0;
		char inner[256] = "";
		json_t *props = json_object_get(ft, "properties");
		gf->code = json_string_value(json_object_get(props, "code"));
		gf->name = json_string_value(json_object_get(props, "name"));
		if (!json_is_object(ft) ||
		    strcmp(json_string_value(json_object_get(ft, "type")) ?: "", "Feature"))
			snprintf(inner, sizeof(inner), "not a Feature object");
		else if (!gf->code)
			snprintf(inner, sizeof(inner),
				 "properties.code (the grid code) is missing");
		else if (!gf->name || !*gf->name || str_utf8_len(gf->name) > 100)
			snprintf(inner, sizeof(inner), "properties.name must be 1-100 characters");
		else if (geojson_to_shape(json_object_get(ft, "geometry"), a, &gf->shape, inner,
					  sizeof(inner)))
			;
		else {
			for (size_t p = 0; p < gf->shape.npolys; p++)
				for (size_t r = 0; r < gf->shape.polys[p].nrings; r++)
					total += gf->shape.polys[p].rings[r].n;
			if (total > GEOJSON_TOTAL_VERTICES)
				snprintf(inner, sizeof(inner), "the file has more than %d vertices",
					 GEOJSON_TOTAL_VERTICES);
		}
		if (*inner) {
			snprintf(why, whylen, "%s: feature %zu%s%.24s%s: %s",
				 at_line(a, name, gf->line), i, gf->code ? " (" : "",
				 gf->code ? gf->code : "", gf->code ? ")" : "", inner);
			err = ERR_BAD_FILE;
			break;
		}
		char *text = json_dumps(json_object_get(ft, "geometry"), JSON_COMPACT);
		gf->geometry = arena_strdup(a, text);
		free(text);
	}
	free(offs);
	strbuf_release(&sb);
	if (err)
		return err;
	*out = v;
	*n = count;
	return 0;
}
