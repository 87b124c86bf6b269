/*
 * fuzz_pii.c - libFuzzer target for the personal-data validators and
 * masking (src/core/pii.c).
 *
 * Input: byte 0 picks the field, the rest is its value (cut at a NUL, as a
 * C string would be). For every field, whatever the bytes:
 *   - an ID number that validates has 17 digits and its check character,
 *     and masks to its first six and last four characters around eight '*';
 *   - a mobile number that normalises gives 11 digits 1[3-9]..., normalises
 *     to itself again, and masks to 3 + "****" + 4;
 *   - pii_contact_check answers 0 or ERR_BAD_VALUE, and its message never
 *     repeats a long value;
 *   - pii_mask, on the raw bytes or the checked value, shows no more of it
 *     than the policy (ID 6 + 4, mobile 3 + 4, a name's first character,
 *     at most half of an address and 8 characters), and gives valid UTF-8
 *     for a valid value.
 */
#include "core/arena.h"
#include "core/err.h"
#include "core/pii.h"
#include "core/str.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a fixed "now": the target must not depend on the day it runs */
#define NOW 1795000000LL

static void id_props(struct arena *a, const char *v)
{
	if (!pii_id_valid(v, NOW))
		return;
	if (strlen(v) != 18)
		abort();
	for (int i = 0; i < 17; i++)
		if (!isdigit((unsigned char)v[i]))
			abort();
	if (toupper((unsigned char)v[17]) != pii_id_check_char(v))
		abort();
	char *m = pii_mask(a, PII_ID_NO, v);
	if (strlen(m) != 18 || memcmp(m, v, 6) || strncmp(m + 6, "********", 8) ||
	    memcmp(m + 14, v + 14, 4))
		abort();
}

static void phone_props(struct arena *a, const char *v)
{
	char out[12], again[12];
	if (!pii_phone_normalize(v, out))
		return;
	if (strlen(out) != 11 || out[0] != '1' || out[1] < '3' || out[1] > '9')
		abort();
	for (int i = 0; i < 11; i++)
		if (!isdigit((unsigned char)out[i]))
			abort();
	if (!pii_phone_normalize(out, again) || strcmp(out, again))
		abort();
	char *m = pii_mask(a, PII_PHONE, out);
	if (strlen(m) != 11 || memcmp(m, out, 3) || strncmp(m + 3, "****", 4) ||
	    memcmp(m + 7, out + 7, 4))
		abort();
}

/* Code points of s other than '*' (what a mask shows of the value). */
static size_t shown(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80 && *s != '*';
	return n;
}

static void mask_props(struct arena *a, enum pii_field f, const char *v)
{
	char *m = pii_mask(a, f, v);
	size_t n = strlen(v), chars = str_utf8_len(v), most = 0;
	if (!m)
		abort();
	switch (f) {
	case PII_ID_NO: most = n == 18 ? 10 : 0; break;
	case PII_PHONE: most = n == 11 ? 7 : 0; break;
	case PII_NAME: most = chars > 1 ? 1 : 0; break;
	default: most = chars / 2 > 8 ? 8 : chars / 2; break;
	}
	if (shown(m) > most)
		abort();
	if (str_utf8_valid(v, n) && !str_utf8_valid(m, strlen(m)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum pii_field f = (enum pii_field)(data[0] % PII__COUNT);
	struct arena *a = arena_new();
	const char *v = arena_strndup(a, (const char *)data + 1, size - 1);
	id_props(a, v);
	phone_props(a, v);
	mask_props(a, f, v);
	struct pii_contact c = { 0 };
	c.v[f] = v;
	char why[256] = "";
	int err = pii_contact_check(&c, a, NOW, why, sizeof(why));
	if (err) {
		if (err != ERR_BAD_VALUE || !*why)
			abort();
		if (strlen(v) >= 12 && strstr(why, v))
			abort();
	} else if (c.v[f]) {
		mask_props(a, f, c.v[f]);
		if (f == PII_ID_NO)
			id_props(a, c.v[f]);
		if (f == PII_PHONE)
			phone_props(a, c.v[f]);
	}
	arena_free(a);
	return 0;
}
