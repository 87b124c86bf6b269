/*
 * jw.c - JSON written straight into a buffer, for the hot answers.
 *
 * An event list page is twenty objects of thirty members; building them as
 * jansson values costs some six hundred allocations and a second walk to
 * print them. These writers append the text directly and produce what
 * jansson would (compact, reals as "%.12g" with a ".0" when integral).
 */
#include "api/jw.h"
#include "core/calendar.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* n's decimal digits at the end of buf[24]; returns where they start */
static char *digits(char *end, unsigned long long n)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	return end;
}

/* Whether any of the eight bytes of w is below 0x20, a quote or a
 * backslash (the classic "has a byte less than" and "has a zero byte"
 * tests on the word and on it xor-ed with the byte). */
static inline bool word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
	uint64_t t = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b);
	return (t & highs) != 0;
}

void jw_str(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *run = p;
	const unsigned char *end = p + strlen((const char *)p);
	jw_put(sb, "\"", 1);
	while (p < end) {
		/* runs of plain bytes (most text, all of a Chinese one) eight at a
		 * time */
		uint64_t w;
		if (end - p >= 8 && (memcpy(&w, p, 8), !word_needs_escape(w))) {
			p += 8;
			continue;
		}
		unsigned char c = *p++;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jw_put(sb, run, (size_t)(p - 1 - run));
		run = p;
		char esc[6] = { '\\', 0 };
		size_t n = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		jw_put(sb, esc, n);
	}
	jw_put(sb, run, (size_t)(end - run));
	jw_put(sb, "\"", 1);
}

void jw_strn(struct strbuf *sb, const char *s, size_t n)
{
	char buf[64];
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	jw_str(sb, buf);
}

/* a comma unless the buffer ends an opening brace or bracket */
void jw_sep(struct strbuf *sb)
{
	char last = sb->len ? sb->buf[sb->len - 1] : '{';
	if (last != '{' && last != '[')
		jw_put(sb, ",", 1);
}

void jw_key(struct strbuf *sb, const char *key)
{
	/* keys are our own identifiers: nothing to escape */
	jw_sep(sb);
	jw_put(sb, "\"", 1);
	jw_put(sb, key, strlen(key));
	jw_put(sb, "\":", 2);
}

void jw_int(struct strbuf *sb, long long v)
{
	char buf[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	char *p = digits(buf + sizeof(buf), u);
	if (v < 0)
		*--p = '-';
	jw_put(sb, p, (size_t)(buf + sizeof(buf) - 1 - p));
}

void jw_real(struct strbuf *sb, double v)
{
	/* coordinates: twelve significant digits without printf, trailing
	 * zeros dropped (what "%.12g" gives, but for the last digit's rounding
	 * when the value is a hair from a half) */
	double a = fabs(v);
	if (a >= 1.0 && a < 1e6) {
		int intd = a < 10 ? 1 : a < 100 ? 2 : a < 1000 ? 3 : a < 1e4 ? 4 : a < 1e5 ? 5 : 6;
		int dec = 12 - intd;
		static const double p10[] = { 1,   1e1, 1e2, 1e3, 1e4,  1e5,
					      1e6, 1e7, 1e8, 1e9, 1e10, 1e11 };
		unsigned long long scaled = (unsigned long long)llround(a * p10[dec]);
		unsigned long long ip = scaled / (unsigned long long)p10[dec];
		unsigned long long fp = scaled % (unsigned long long)p10[dec];
		char buf[40], *q = buf;
		if (v < 0)
			*q++ = '-';
		char tmp[24], *d = digits(tmp + sizeof(tmp), ip);
		size_t dl = strlen(d);
		memcpy(q, d, dl);
		q += dl;
		*q++ = '.';
		if (!fp) {
			*q++ = '0';
		} else {
			char f[16];
			for (int i = dec - 1; i >= 0; i--, fp /= 10)
				f[i] = (char)('0' + fp % 10);
			int keep = dec;
			while (keep > 1 && f[keep - 1] == '0')
				keep--;
			memcpy(q, f, (size_t)keep);
			q += keep;
		}
		jw_put(sb, buf, (size_t)(q - buf));
		return;
	}
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%.12g", v);
	jw_put(sb, buf, (size_t)n);
	if (!strpbrk(buf, ".eEn"))
		jw_put(sb, ".0", 2);
}

void jw_bool(struct strbuf *sb, bool v)
{
	if (v)
		jw_put(sb, "true", 4);
	else
		jw_put(sb, "false", 5);
}

void jw_null(struct strbuf *sb)
{
	jw_put(sb, "null", 4);
}

void jw_time(struct strbuf *sb, long long t)
{
	if (!t) {
		jw_null(sb);
		return;
	}
	long long day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	long long sec = t - day * 86400;
	int y, m, d;
	cal_civil((long)day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		jw_null(sb);
		return;
	}
	char b[23] = "\"0000-00-00T00:00:00Z\"";
	static const char two[] = "00010203040506070809101112131415161718192021222324252627282930"
				  "31323334353637383940414243444546474849505152535455565758596061"
				  "62636465666768697071727374757677787980818283848586878889909192"
				  "93949596979899";
	memcpy(b + 1, two + 2 * (y / 100), 2);
	memcpy(b + 3, two + 2 * (y % 100), 2);
	memcpy(b + 6, two + 2 * m, 2);
	memcpy(b + 9, two + 2 * d, 2);
	memcpy(b + 12, two + 2 * (sec / 3600), 2);
	memcpy(b + 15, two + 2 * (sec / 60 % 60), 2);
	memcpy(b + 18, two + 2 * (sec % 60), 2);
	jw_put(sb, b, sizeof(b) - 1);
}

void jw_json(struct strbuf *sb, const json_t *v)
{
	char buf[4096];
	const size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(12) | JSON_ENCODE_ANY;
	size_t n = json_dumpb(v, buf, sizeof(buf), flags);
	if (n <= sizeof(buf)) {
		jw_put(sb, buf, n);
		return;
	}
	char *big = json_dumps(v, flags);
	if (big) {
		strbuf_addstr(sb, big);
		free(big);
	}
}
