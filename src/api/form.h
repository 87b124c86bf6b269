/*
 * form.h - application/x-www-form-urlencoded bodies, parsed strictly.
 *
 * The body is split at '&' into name=value pairs (empty pairs are skipped,
 * a pair without '=' has the value ""); '+' decodes to a space and %HH to
 * the byte HH. Unlike a browser's lenient parser, a '%' not followed by two
 * hex digits is an error, and so is a decoded NUL or a name or value that
 * is not valid UTF-8: a client that sends those is broken, and guessing
 * what it meant would file a report with mangled text.
 *
 * Every dimension has a hard limit (struct form_limits): body bytes, the
 * number of pairs, decoded bytes per name and per value. Repeated names are
 * kept in order; form_get() returns the first, form_count() tells how many.
 * Names of the PHP/Rails shape `attribute[CODE]` and `attribute[CODE][]`
 * (Open311 attributes) are split by form_subkey().
 *
 * Memory: every string comes from the caller's arena.
 */
#ifndef PINGAN_API_FORM_H
#define PINGAN_API_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

struct form_field {
	const char *key, *value; /* decoded, NUL-terminated, valid UTF-8 */
};

struct form {
	struct form_field *fields;
	size_t n;
};

struct form_limits {
	size_t max_bytes;  /* the whole body */
	size_t max_fields; /* non-empty pairs */
	size_t max_key;    /* decoded bytes of one name */
	size_t max_value;  /* decoded bytes of one value */
};

/* Parses body[0..len) (it may contain NUL bytes: they are an error) into
 * out. Returns 0; ERR_TOO_LARGE when a limit is passed; ERR_INVALID for a
 * bad percent escape, a NUL, or invalid UTF-8 — why says which and where
 * (a byte offset), without quoting the client's bytes. */
int form_parse(struct arena *a, const char *body, size_t len, const struct form_limits *lim,
	       struct form *out, char *why, size_t whylen);

/* The value of the first field named key, or NULL. */
const char *form_get(const struct form *f, const char *key);
/* How many fields are named key. */
size_t form_count(const struct form *f, const char *key);

/* If key is prefix "[" SUB "]" or prefix "[" SUB "][]" with a non-empty SUB
 * free of brackets, sets *sub (from a), *multi (the "[]" form) and returns
 * true; otherwise false. */
bool form_subkey(struct arena *a, const char *key, const char *prefix, const char **sub,
		 bool *multi);

#endif
