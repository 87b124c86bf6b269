/*
 * fuzz_form.c - libFuzzer target for the Open311 form body parser
 * (src/api/form.c).
 *
 * The input is a form body. Besides not crashing, a body that parses must
 * keep the parser's promises: every key and value is NUL-terminated valid
 * UTF-8 within the limits, no more fields than allowed, form_get() finds
 * the first of each name, and form_subkey() on every key only ever returns
 * a non-empty bracket-free sub-key.
 */
#include "api/form.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct form_limits lim = {
		.max_bytes = 16384, .max_fields = 64, .max_key = 128, .max_value = 4096
	};
	struct arena *a = arena_new();
	struct form f;
	char why[160];
	int err = form_parse(a, (const char *)data, size, &lim, &f, why, sizeof(why));
	if (err) {
		if (err != ERR_TOO_LARGE && err != ERR_INVALID)
			abort();
		if (!memchr(why, '\0', sizeof(why)) || !str_utf8_valid(why, strlen(why)))
			abort();
		goto out;
	}
	if (f.n > lim.max_fields)
		abort();
	for (size_t i = 0; i < f.n; i++) {
		const char *k = f.fields[i].key, *v = f.fields[i].value;
		size_t kl = strlen(k), vl = strlen(v);
		if (kl > lim.max_key || vl > lim.max_value || !str_utf8_valid(k, kl) ||
		    !str_utf8_valid(v, vl))
			abort();
		if (form_get(&f, k) == NULL || form_count(&f, k) == 0)
			abort();
		const char *sub;
		bool multi;
		if (form_subkey(a, k, "attribute", &sub, &multi) &&
		    (!*sub || strchr(sub, '[') || strchr(sub, ']')))
			abort();
	}
out:
	arena_free(a);
	return 0;
}
