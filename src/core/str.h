/*
 * str.h - growable byte buffers and strict parsers.
 *
 * struct strbuf follows git's strbuf: always NUL-terminated, grows by
 * doubling, released with strbuf_release(). A buffer fed by a client carries
 * a hard maximum (curl's DYNBUF): strbuf_add() past it fails with
 * ERR_TOO_LARGE and leaves the contents unchanged.
 *
 * The parsers accept the whole string or nothing: "12x" is not a number.
 */
#ifndef PINGAN_CORE_STR_H
#define PINGAN_CORE_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *buf;
	size_t len, alloc, max; /* max 0: unlimited */
};

#define STRBUF_INIT           \
	{                     \
		NULL, 0, 0, 0 \
	}

void strbuf_init(struct strbuf *sb, size_t max);
void strbuf_release(struct strbuf *sb);
/* Makes room for n more bytes without moving the buffer again. */
void strbuf_reserve(struct strbuf *sb, size_t n);
/* Appends n bytes; 0 or ERR_TOO_LARGE if the result would exceed max. */
int strbuf_add(struct strbuf *sb, const void *data, size_t n);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as the inside of a JSON string literal (no quotes). */
int strbuf_add_json_escaped(struct strbuf *sb, const char *s);
/* The contents, "" for an empty buffer (never NULL). */
const char *strbuf_str(const struct strbuf *sb);
/* Hands the buffer to the caller (free() it) and resets sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

/* Strict base-10 integer in [min, max]: 0, ERR_BAD_VALUE. */
int str_to_ll(const char *s, long long min, long long max, long long *out);
/* Strict finite double: 0, ERR_BAD_VALUE. */
int str_to_double(const char *s, double *out);
/* true if s[0..n) is valid UTF-8 without overlong forms or surrogates. */
bool str_utf8_valid(const char *s, size_t n);
/* A copy of s (free() it) with every byte that is not part of a valid UTF-8
 * sequence replaced by '?', so it can go into JSON. */
char *str_utf8_scrub(const char *s);
/* Number of code points in a valid UTF-8 string. */
size_t str_utf8_len(const char *s);
/* true if every byte of s is an ASCII digit and strlen(s) == n. */
bool str_is_digits(const char *s, size_t n);
bool str_starts_with(const char *s, const char *prefix);
/* Copies at most size-1 bytes and NUL-terminates (size > 0). */
void str_copy(char *dst, size_t size, const char *src);

/* Measures JSON text without parsing it, so that a hostile document can be
 * refused before a parser builds it in memory: *depth gets the deepest
 * nesting of arrays and objects, *numbers the count of numeric literals,
 * both outside strings. The text need not be valid; for valid JSON the
 * figures are exact. */
void str_json_measure(const char *s, size_t n, int *depth, size_t *numbers);

#endif
