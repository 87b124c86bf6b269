/*
 * fuzz_json.c - libFuzzer target for JSON request decoding: the depth and
 * number measure taken before parsing (str_json_measure), jansson with the
 * dispatcher's flags, and the field helpers of src/api/json.c.
 *
 * For a document jansson accepts, the measure must agree exactly with the
 * parsed tree (depth and count of numbers): the dispatcher refuses deep
 * bodies on that figure, and the GeoJSON import refuses big files on it.
 * Every member of an object body then goes through api_str, api_int and
 * api_only_keys, as handlers call them; they must answer 0 or a 400-class
 * error with a detail message.
 */
#include "api/api.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void tree_measure(json_t *v, int level, int *depth, size_t *numbers)
{
	if (json_is_number(v))
		(*numbers)++;
	if (!json_is_array(v) && !json_is_object(v))
		return;
	if (level + 1 > *depth)
		*depth = level + 1;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach (v, i, e)
			tree_measure(e, level + 1, depth, numbers);
	} else {
		const char *k;
		json_t *e;
		json_object_foreach (v, k, e)
			tree_measure(e, level + 1, depth, numbers);
	}
}

static void check(int err, struct http_request *r)
{
	if (err && (err_status(err) != 400 || !r->err_detail))
		abort();
	r->err_detail = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int depth;
	size_t numbers;
	str_json_measure((const char *)data, size, &depth, &numbers);
	if (depth < 0 || numbers > size)
		abort();
	json_error_t je;
	json_t *v =
		json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!v)
		return 0;
	int tdepth = 0;
	size_t tnumbers = 0;
	tree_measure(v, 0, &tdepth, &tnumbers);
	if (tdepth != depth || tnumbers != numbers)
		abort();
	if (json_is_object(v)) {
		struct http_request r = { .arena = arena_new() };
		static const char *const keys[] = { "title", "category", "urgency", NULL };
		check(api_only_keys(&r, v, keys), &r);
		const char *k;
		json_t *e;
		json_object_foreach (v, k, e) {
			const char *s;
			long long x;
			check(api_str(&r, v, k, true, 200, &s), &r);
			check(api_str(&r, v, k, false, 5, &s), &r);
			check(api_int(&r, v, k, true, -5, 1LL << 53, &x), &r);
		}
		arena_free(r.arena);
	}
	json_decref(v);
	return 0;
}
