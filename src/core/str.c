/*
 * str.c - see str.h.
 */
#include "core/str.h"
#include "core/err.h"
#include "core/mem.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb, size_t max)
{
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	sb->max = max;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	strbuf_init(sb, sb->max);
}

static void grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	size_t n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n *= 2;
	sb->buf = xrealloc(sb->buf, n);
	sb->alloc = n;
}

void strbuf_reserve(struct strbuf *sb, size_t n)
{
	grow(sb, n);
	sb->buf[sb->len] = '\0';
}

int strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	if (sb->max && (n > sb->max || sb->len > sb->max - n))
		return ERR_TOO_LARGE;
	grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	char small[256];
	va_list ap, cp;
	va_start(ap, fmt);
	va_copy(cp, ap);
	int n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("bad format '%s'", fmt);
	if (sb->max && ((size_t)n > sb->max || sb->len > sb->max - (size_t)n)) {
		va_end(ap);
		return ERR_TOO_LARGE;
	}
	grow(sb, (size_t)n);
	if ((size_t)n < sizeof(small))
		memcpy(sb->buf + sb->len, small, (size_t)n + 1);
	else
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_add_json_escaped(struct strbuf *sb, const char *s)
{
	int err = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && !err; p++) {
		switch (*p) {
		case '"': err = strbuf_add(sb, "\\\"", 2); break;
		case '\\': err = strbuf_add(sb, "\\\\", 2); break;
		case '\n': err = strbuf_add(sb, "\\n", 2); break;
		case '\r': err = strbuf_add(sb, "\\r", 2); break;
		case '\t': err = strbuf_add(sb, "\\t", 2); break;
		default:
			if (*p < 0x20)
				err = strbuf_addf(sb, "\\u%04x", *p);
			else
				err = strbuf_add(sb, p, 1);
		}
	}
	return err;
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	if (len)
		*len = sb->len;
	strbuf_init(sb, sb->max);
	return p;
}

int str_to_ll(const char *s, long long min, long long max, long long *out)
{
	if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
		return ERR_BAD_VALUE;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return ERR_BAD_VALUE;
	*out = v;
	return 0;
}

int str_to_double(const char *s, double *out)
{
	if (!s || !*s || !(*s == '-' || *s == '+' || *s == '.' || (*s >= '0' && *s <= '9')))
		return ERR_BAD_VALUE;
	if (strpbrk(s, "xXnNiI"))
		return ERR_BAD_VALUE; /* no hex floats, nan or inf */
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	/* ERANGE on underflow still gives a usable subnormal; only overflow
	 * and underflow to zero are errors */
	if ((errno && (errno != ERANGE || v == 0 || !isfinite(v))) || *end || !isfinite(v))
		return ERR_BAD_VALUE;
	*out = v;
	return 0;
}

bool str_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

char *str_utf8_scrub(const char *s)
{
	size_t n = strlen(s);
	char *out = xstrndup(s, n);
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80             ? 1
			   : (c & 0xe0) == 0xc0 ? 2
			   : (c & 0xf0) == 0xe0 ? 3
			   : (c & 0xf8) == 0xf0 ? 4
						: 0;
		if (k && i + k <= n && str_utf8_valid(s + i, k)) {
			i += k;
			continue;
		}
		out[i++] = '?';
	}
	return out;
}

size_t str_utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

bool str_is_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void str_json_measure(const char *s, size_t n, int *depth, size_t *numbers)
{
	int d = 0, max = 0;
	size_t nums = 0;
	bool in_num = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			in_num = false;
			continue;
		}
		bool num_char = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
				c == 'e' || c == 'E';
		if (num_char && !in_num && (c == '-' || (c >= '0' && c <= '9')))
			nums++;
		in_num = num_char && (in_num || c == '-' || (c >= '0' && c <= '9'));
		if (c == '[' || c == '{') {
			if (++d > max)
				max = d;
		} else if ((c == ']' || c == '}') && d > 0) {
			d--;
		}
	}
	*depth = max;
	*numbers = nums;
}
