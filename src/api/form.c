/*
 * form.c - application/x-www-form-urlencoded bodies; see form.h.
 *
 * One pass over the body: each pair is decoded into the arena as it is
 * found, so the work and memory are linear in the body and bounded by the
 * limits checked before anything is allocated for a pair.
 */
#include "api/form.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) (starting at body offset off) into a new string. */
static int decode(struct arena *a, const char *s, size_t n, size_t off, size_t max,
		  const char *what, const char **out, char *why, size_t whylen)
{
	char *d = arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int h = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int l = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
			if (h < 0 || l < 0) {
				snprintf(why, whylen,
					 "a '%%' at byte %zu is not followed by two hex digits",
					 off + i);
				return ERR_INVALID;
			}
			c = (unsigned char)(h * 16 + l);
			i += 2;
		}
		if (c == '\0') {
			snprintf(why, whylen, "the %s at byte %zu contains a NUL", what, off);
			return ERR_INVALID;
		}
		d[k++] = (char)c;
	}
	d[k] = '\0';
	if (k > max) {
		snprintf(why, whylen, "a %s is longer than %zu bytes", what, max);
		return ERR_TOO_LARGE;
	}
	if (!str_utf8_valid(d, k)) {
		snprintf(why, whylen, "the %s at byte %zu is not valid UTF-8", what, off);
		return ERR_INVALID;
	}
	*out = d;
	return 0;
}

int form_parse(struct arena *a, const char *body, size_t len, const struct form_limits *lim,
	       struct form *out, char *why, size_t whylen)
{
	out->fields = NULL;
	out->n = 0;
	if (len > lim->max_bytes) {
		snprintf(why, whylen, "the body is %zu bytes, the limit is %zu", len,
			 lim->max_bytes);
		return ERR_TOO_LARGE;
	}
	size_t cap = 0;
	for (size_t pos = 0; pos < len;) {
		const char *amp = memchr(body + pos, '&', len - pos);
		size_t end = amp ? (size_t)(amp - body) : len;
		if (end > pos) {
			if (out->n == lim->max_fields) {
				snprintf(why, whylen, "more than %zu fields", lim->max_fields);
				return ERR_TOO_LARGE;
			}
			const char *eq = memchr(body + pos, '=', end - pos);
			size_t klen = eq ? (size_t)(eq - (body + pos)) : end - pos;
			if (out->n == cap) {
				size_t ncap = cap ? 2 * cap : 16;
				struct form_field *nv = arena_alloc(a, ncap * sizeof(*nv));
				if (out->n)
					memcpy(nv, out->fields, out->n * sizeof(*nv));
				out->fields = nv;
				cap = ncap;
			}
			struct form_field *f = &out->fields[out->n];
			int err = decode(a, body + pos, klen, pos, lim->max_key, "name", &f->key,
					 why, whylen);
			if (err)
				return err;
			if (eq) {
				size_t voff = pos + klen + 1;
				err = decode(a, body + voff, end - voff, voff, lim->max_value,
					     "value", &f->value, why, whylen);
				if (err)
					return err;
			} else {
				f->value = "";
			}
			out->n++;
		}
		pos = end + 1;
	}
	return 0;
}

const char *form_get(const struct form *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->fields[i].key, key))
			return f->fields[i].value;
	return NULL;
}

size_t form_count(const struct form *f, const char *key)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->fields[i].key, key))
			n++;
	return n;
}

bool form_subkey(struct arena *a, const char *key, const char *prefix, const char **sub,
		 bool *multi)
{
	size_t pl = strlen(prefix);
	if (strncmp(key, prefix, pl) || key[pl] != '[')
		return false;
	const char *s = key + pl + 1, *close = strchr(s, ']');
	if (!close || close == s || memchr(s, '[', (size_t)(close - s)))
		return false;
	if (!strcmp(close, "]"))
		*multi = false;
	else if (!strcmp(close, "][]"))
		*multi = true;
	else
		return false;
	*sub = arena_strndup(a, s, (size_t)(close - s));
	return true;
}
