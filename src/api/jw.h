/*
 * jw.h - JSON written straight into a strbuf (see jw.c).
 *
 * Members: jw_key() writes the separating comma (none after '{' or '['),
 * the key and the colon; then one value writer. Output matches what the
 * server's jansson rendering gives for the same values.
 */
#ifndef PINGAN_API_JW_H
#define PINGAN_API_JW_H

#include "core/str.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* strbuf_add without the call when there is room (the common case). */
static inline void jw_put(struct strbuf *sb, const void *p, size_t n)
{
	if (sb->buf && !sb->max && sb->len + n < sb->alloc) {
		memcpy(sb->buf + sb->len, p, n);
		sb->len += n;
		sb->buf[sb->len] = '\0';
		return;
	}
	strbuf_add(sb, p, n);
}

/* A string literal appended as it is. */
#define jw_lit(sb, lit) jw_put((sb), (lit), sizeof(lit) - 1)

/* jw_key() for a key that is a string literal, without measuring it. */
#define JW_KEY(sb, lit) (jw_sep(sb), jw_lit((sb), "\"" lit "\":"))

void jw_sep(struct strbuf *sb);
void jw_key(struct strbuf *sb, const char *key);
/* A string value (NULL writes ""), escaped. */
void jw_str(struct strbuf *sb, const char *s);
/* The first n bytes of s as a string (n < 64). */
void jw_strn(struct strbuf *sb, const char *s, size_t n);
void jw_int(struct strbuf *sb, long long v);
void jw_real(struct strbuf *sb, double v);
void jw_bool(struct strbuf *sb, bool v);
void jw_null(struct strbuf *sb);
/* RFC 3339 UTC time, null for 0. */
void jw_time(struct strbuf *sb, long long t);
/* A jansson value, rendered compactly. */
void jw_json(struct strbuf *sb, const json_t *v);

#endif
