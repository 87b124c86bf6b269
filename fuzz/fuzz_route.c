/*
 * fuzz_route.c - libFuzzer target for route matching (api_match in
 * src/api/routes.c).
 *
 * Input: a method, a space, a path. A match must be honest: putting the
 * captured parameters back into the route's pattern gives the path again,
 * and the method fits (HEAD may take a GET route). ERR_METHOD must come
 * with a non-empty Allow list, ERR_NO_ROUTE with an empty one.
 */
#include "api/api.h"
#include "core/arena.h"
#include "core/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pattern with {name} segments replaced by params, from a. */
static char *fill(struct arena *a, const char *pattern, const char **params, int n)
{
	size_t cap = strlen(pattern) + 1;
	for (int i = 0; i < n; i++)
		cap += strlen(params[i]);
	char *out = arena_alloc(a, cap), *o = out;
	int k = 0;
	for (const char *p = pattern; *p;) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (!e || k >= n)
				abort();
			size_t l = strlen(params[k]);
			memcpy(o, params[k++], l);
			o += l;
			p = e + 1;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	if (k != n)
		abort();
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	char *in =
		arena_strndup(a, (const char *)data, size); /* stops at a NUL, as a C path would */
	char *sp = strchr(in, ' ');
	const char *method = "GET", *path = in;
	if (sp) {
		*sp = '\0';
		method = in;
		path = sp + 1;
	}
	const char *params[HTTP_MAX_PARAMS];
	int np = 0, err;
	char allow[64];
	const struct route *rt =
		api_match(a, method, path, params, &np, &err, allow, sizeof(allow));
	if (rt) {
		if (err || strcmp(fill(a, rt->pattern, params, np), path))
			abort();
		if (strcmp(rt->method, method) &&
		    !(!strcmp(method, "HEAD") && !strcmp(rt->method, "GET")))
			abort();
		for (int i = 0; i < np; i++)
			if (!*params[i] || strchr(params[i], '/'))
				abort();
	} else if (err == ERR_METHOD) {
		if (!*allow)
			abort();
	} else if (err != ERR_NO_ROUTE || *allow) {
		abort();
	}
	arena_free(a);
	return 0;
}
