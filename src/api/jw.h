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

/* A string literal appended as it is. */
#define jw_lit(sb, lit) strbuf_add((sb), (lit), sizeof(lit) - 1)

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
