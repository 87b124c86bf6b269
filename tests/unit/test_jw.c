/*
 * test_jw.c - unit tests for src/api/jw.c, the JSON writers of the hot
 * answers: every string written by jw_str() reads back as itself through
 * jansson (plain ASCII, Chinese, every control byte, quotes and backslashes
 * at every offset of the eight-byte scan), and jw_time() agrees with the C
 * library's gmtime_r() over many random instants.
 */
#include "tap.h"

#include "api/jw.h"
#include "core/str.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void suite_jw(void);

/* jw_str(s) parsed back by jansson equals s */
static int round_trips(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	jw_str(&sb, s);
	json_error_t e;
	json_t *v = json_loads(strbuf_str(&sb), JSON_DECODE_ANY, &e);
	int same = v && json_is_string(v) && !strcmp(json_string_value(v), s);
	if (!same)
		tap_diag("jw_str wrote %s for an input of %zu bytes", strbuf_str(&sb), strlen(s));
	json_decref(v);
	strbuf_release(&sb);
	return same;
}

static void test_strings(void)
{
	struct strbuf sb = STRBUF_INIT;
	jw_str(&sb, NULL);
	is_str(strbuf_str(&sb), "\"\"", "NULL writes an empty string");
	strbuf_release(&sb);
	jw_str(&sb, "a\"b\\c\nd\te\x01");
	is_str(strbuf_str(&sb), "\"a\\\"b\\\\c\\nd\\te\\u0001\"", "the escapes");
	strbuf_release(&sb);
	ok(round_trips("垃圾桶已满，周边散落垃圾，楼道内堆放纸箱等易燃杂物"), "Chinese text");
	ok(round_trips("exactly8"), "eight plain bytes");
	ok(round_trips(""), "empty");

	/* one special byte at every offset of strings of every length up to 40 */
	const char special[] = { '"', '\\', '\n', '\x1f', '\x01', '\r' };
	int bad = 0, n = 0;
	for (size_t len = 1; len <= 40; len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof(special); k++) {
				char buf[48];
				memset(buf, 'x', len);
				buf[len] = '\0';
				buf[at] = special[k];
				n++;
				bad += !round_trips(buf);
			}
	is_int(bad, 0, "%d strings with one special byte anywhere read back as written", n);

	/* random bytes (valid UTF-8 is not required of the writer) from the
	 * ASCII range and the escapes */
	srand(7);
	bad = 0;
	for (int i = 0; i < 2000; i++) {
		char buf[80];
		size_t len = (size_t)(rand() % 79);
		for (size_t j = 0; j < len; j++)
			buf[j] = (char)(1 + rand() % 127);
		buf[len] = '\0';
		bad += !round_trips(buf);
	}
	is_int(bad, 0, "2000 random ASCII strings read back as written");
}

static void test_time(void)
{
	struct strbuf sb = STRBUF_INIT;
	jw_time(&sb, 0);
	is_str(strbuf_str(&sb), "null", "no time is null");
	strbuf_release(&sb);
	jw_time(&sb, 1795672165);
	is_str(strbuf_str(&sb), "\"2026-11-26T05:49:25Z\"", "a known instant");
	strbuf_release(&sb);
	srand(11);
	int bad = 0;
	for (int i = 0; i < 5000; i++) {
		/* 1970 .. about 2100 */
		long long t = ((long long)rand() << 1 ^ rand()) % 4102444800LL + 1;
		time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		char want[32];
		strftime(want, sizeof(want), "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
		jw_time(&sb, t);
		if (strcmp(strbuf_str(&sb), want)) {
			if (!bad)
				tap_diag("%lld: got %s, want %s", t, strbuf_str(&sb), want);
			bad++;
		}
		strbuf_release(&sb);
	}
	is_int(bad, 0, "5000 random instants written as gmtime_r() gives them");
}

void suite_jw(void)
{
	test_strings();
	test_time();
}
