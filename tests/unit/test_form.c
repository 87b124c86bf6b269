/*
 * test_form.c - unit tests for src/api/form.c, the strict
 * application/x-www-form-urlencoded parser.
 *
 * Decoding ('+', %HH in both cases, empty and valueless pairs, repeated
 * names, '=' inside values), every reject (truncated and non-hex escapes,
 * decoded and raw NULs, invalid UTF-8 before and after decoding) with its
 * error code, each limit exactly at and one past its bound, the attribute
 * name shapes, and a deterministic fuzz loop whose results are checked
 * against a reference decoder.
 */
#include "tap.h"

#include "api/form.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void suite_form(void);

static const struct form_limits roomy = {
	.max_bytes = 4096, .max_fields = 32, .max_key = 64, .max_value = 1024
};

static int parse(struct arena *a, const char *body, struct form *f)
{
	char why[160];
	return form_parse(a, body, strlen(body), &roomy, f, why, sizeof(why));
}

static void test_decoding(void)
{
	struct arena *a = arena_new();
	struct form f;
	is_int(parse(a, "", &f), 0, "an empty body parses");
	is_int(f.n, 0, "to no fields");
	is_int(parse(a, "&&&", &f), 0, "only separators parse");
	is_int(f.n, 0, "empty pairs are skipped");
	is_int(parse(a, "a=1&b=two+words&c=%E5%9E%83%e5%9c%be&d&e=", &f), 0, "a typical form");
	is_int(f.n, 5, "five fields");
	is_str(form_get(&f, "a"), "1", "plain value");
	is_str(form_get(&f, "b"), "two words", "'+' is a space");
	is_str(form_get(&f, "c"), "垃圾", "percent escapes in either case, UTF-8");
	is_str(form_get(&f, "d"), "", "a name without '=' has an empty value");
	is_str(form_get(&f, "e"), "", "an empty value");
	ok(form_get(&f, "z") == NULL, "a missing name is NULL");
	is_int(parse(a, "k=a%2Bb%26c%3Dd&k=2&k=3", &f), 0, "repeated names");
	is_str(form_get(&f, "k"), "a+b&c=d", "the first value; escaped separators are data");
	is_int(form_count(&f, "k"), 3, "all three are kept");
	is_str(f.fields[2].value, "3", "in order");
	is_int(parse(a, "x=a=b", &f), 0, "'=' inside a value");
	is_str(form_get(&f, "x"), "a=b", "splits at the first '='");
	is_int(parse(a, "attribute%5Burgency%5D=2", &f), 0, "an escaped name");
	is_str(f.fields[0].key, "attribute[urgency]", "names are decoded too");
	is_int(parse(a, "=v", &f), 0, "an empty name");
	is_str(f.fields[0].key, "", "is kept as such");
	is_int(parse(a, "d=line1%0D%0Aline2%09tab", &f), 0, "line breaks and tabs");
	is_str(form_get(&f, "d"), "line1\r\nline2\ttab", "decode to themselves");
	is_int(parse(a, "raw=\xe5\x9e\x83", &f), 0, "raw UTF-8 bytes are accepted");
	is_str(form_get(&f, "raw"), "垃", "as they are");
	arena_free(a);
}

static void test_rejects(void)
{
	struct arena *a = arena_new();
	struct form f;
	char why[160];
	static const struct {
		const char *body;
		int err;
		const char *what;
	} cases[] = {
		{ "a=%", ERR_INVALID, "a lone '%' at the end" },
		{ "a=%4", ERR_INVALID, "one hex digit at the end" },
		{ "a=%4&b=1", ERR_INVALID, "one hex digit before '&'" },
		{ "a=%zz", ERR_INVALID, "non-hex digits" },
		{ "a=%g0", ERR_INVALID, "a non-hex first digit" },
		{ "a=%0g", ERR_INVALID, "a non-hex second digit" },
		{ "%=1", ERR_INVALID, "a bad escape in a name" },
		{ "a=%00", ERR_INVALID, "a decoded NUL" },
		{ "a%00=1", ERR_INVALID, "a NUL in a name" },
		{ "a=%ff", ERR_INVALID, "a byte that is never UTF-8" },
		{ "a=%C3", ERR_INVALID, "a truncated UTF-8 sequence" },
		{ "a=%C0%AF", ERR_INVALID, "an overlong encoding" },
		{ "a=%ED%A0%80", ERR_INVALID, "a surrogate" },
		{ "a=\xff", ERR_INVALID, "a raw invalid byte" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		int err = form_parse(a, cases[i].body, strlen(cases[i].body), &roomy, &f, why,
				     sizeof(why));
		is_int(err, cases[i].err, "rejects %s", cases[i].what);
		ok(why[0] != '\0', "and says why (%s)", why);
	}
	/* a raw NUL inside the declared length */
	static const char nul[] = { 'a', '=', 'x', '\0', 'y' };
	is_int(form_parse(a, nul, sizeof(nul), &roomy, &f, why, sizeof(why)), ERR_INVALID,
	       "a raw NUL inside the body");
	ok(strstr(why, "byte") != NULL, "the message gives the position: %s", why);
	ok(strstr(why, "\xff") == NULL, "and never quotes the client's bytes");
	arena_free(a);
}

static void test_limits(void)
{
	struct arena *a = arena_new();
	struct form f;
	char why[160];
	struct form_limits lim = { .max_bytes = 20, .max_fields = 3, .max_key = 4, .max_value = 6 };
	const char *b = "a=1&b=2&c=3";
	is_int(form_parse(a, b, strlen(b), &lim, &f, why, sizeof(why)), 0,
	       "three fields at the limit");
	b = "a=1&b=2&c=3&d=4";
	is_int(form_parse(a, b, strlen(b), &lim, &f, why, sizeof(why)), ERR_TOO_LARGE,
	       "a fourth field is one too many");
	b = "a=1&&&&b=2&c=3&&";
	is_int(form_parse(a, b, strlen(b), &lim, &f, why, sizeof(why)), 0,
	       "empty pairs do not count");
	b = "abcd=123456";
	is_int(form_parse(a, b, strlen(b), &lim, &f, why, sizeof(why)), 0,
	       "name and value at their limits");
	b = "abcde=1";
	is_int(form_parse(a, b, strlen(b), &lim, &f, why, sizeof(why)), ERR_TOO_LARGE,
	       "a name one byte too long");
	b = "a=1234567";
	is_int(form_parse(a, b, strlen(b), &lim, &f, why, sizeof(why)), ERR_TOO_LARGE,
	       "a value one byte too long");
	b = "a=%31%32%33%34%35%36";
	is_int(form_parse(a, b, strlen(b), &lim, &f, why, sizeof(why)), 0,
	       "the value limit counts decoded bytes");
	struct form_limits small = {
		.max_bytes = 10, .max_fields = 3, .max_key = 4, .max_value = 20
	};
	b = "a=12345678";
	is_int(form_parse(a, b, strlen(b), &small, &f, why, sizeof(why)), 0, "a body at its limit");
	b = "a=123456789";
	is_int(form_parse(a, b, strlen(b), &small, &f, why, sizeof(why)), ERR_TOO_LARGE,
	       "a body one byte over its limit");
	ok(strstr(why, "body") != NULL, "is refused for its size: %s", why);
	arena_free(a);
}

static void test_subkey(void)
{
	struct arena *a = arena_new();
	const char *sub = NULL;
	bool multi = true;
	ok(form_subkey(a, "attribute[urgency]", "attribute", &sub, &multi), "attribute[CODE]");
	is_str(sub, "urgency", "the code");
	ok(!multi, "is single-valued");
	ok(form_subkey(a, "attribute[tags][]", "attribute", &sub, &multi), "attribute[CODE][]");
	is_str(sub, "tags", "the code");
	ok(multi, "is multi-valued");
	static const char *const bad[] = { "attribute",      "attribute[]",   "attribute[x",
					   "attribute[x]y",  "attribute[x][", "attribute[x][y]",
					   "attribute[a[b]", "attributes[x]", "attribute [x]",
					   "xattribute[x]" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!form_subkey(a, bad[i], "attribute", &sub, &multi), "not a subkey: '%s'",
		   bad[i]);
	arena_free(a);
}

/* The reference: decode without limits; -1 for an invalid escape. */
static int ref_decode(const char *s, size_t n, char *out, size_t *outlen)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[k++] = ' ';
		} else if (s[i] == '%') {
			unsigned v;
			char hex[3] = { 0 };
			if (i + 2 >= n)
				return -1;
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			if (!strchr("0123456789abcdefABCDEF", hex[0]) ||
			    !strchr("0123456789abcdefABCDEF", hex[1]) || !hex[0] || !hex[1] ||
			    sscanf(hex, "%2x", &v) != 1)
				return -1;
			out[k++] = (char)v;
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	*outlen = k;
	return 0;
}

static void test_fuzz(void)
{
	/* bodies from a small alphabet rich in the characters that matter */
	static const char alphabet[] = "ab=&+%%4142e5C3A9zZ09";
	unsigned seed = 12345;
	int agree = 0, runs = 2000;
	for (int run = 0; run < runs; run++) {
		struct arena *a = arena_new();
		char body[40];
		size_t len = (size_t)(run % 39);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			body[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		body[len] = '\0';
		struct form f;
		char why[160];
		int err = form_parse(a, body, len, &roomy, &f, why, sizeof(why));
		/* recompute with the reference, pair by pair */
		bool ref_ok = true;
		size_t nf = 0;
		bool same = true;
		for (size_t pos = 0; pos <= len && ref_ok;) {
			const char *amp = memchr(body + pos, '&', len - pos);
			size_t end = amp ? (size_t)(amp - body) : len;
			if (end > pos) {
				const char *eq = memchr(body + pos, '=', end - pos);
				size_t kl = eq ? (size_t)(eq - body) - pos : end - pos;
				char k[64], v[64];
				size_t klen = 0, vlen = 0;
				if (ref_decode(body + pos, kl, k, &klen) ||
				    (eq && ref_decode(eq + 1, end - pos - kl - 1, v, &vlen)) ||
				    memchr(k, '\0', klen) || (eq && memchr(v, '\0', vlen))) {
					ref_ok = false;
					break;
				}
				k[klen] = '\0';
				v[vlen] = '\0';
				/* invalid UTF-8 after decoding is a reject too */
				if (!str_utf8_valid(k, klen) || !str_utf8_valid(v, vlen)) {
					ref_ok = false;
					break;
				}
				if (!err && (nf >= f.n || strcmp(f.fields[nf].key, k) ||
					     strcmp(f.fields[nf].value, eq ? v : "")))
					same = false;
				nf++;
			}
			if (!amp)
				break;
			pos = end + 1;
		}
		if ((err == 0) == ref_ok && (!ref_ok || (same && nf == f.n)))
			agree++;
		else
			tap_diag("disagreement on '%s': err %d", body, err);
		arena_free(a);
	}
	is_int(agree, runs, "the parser agrees with the reference decoder on %d bodies", runs);
}

void suite_form(void)
{
	test_decoding();
	test_rejects();
	test_limits();
	test_subkey();
	test_fuzz();
}
