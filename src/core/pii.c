/*
 * pii.c - see pii.h.
 */
#include "core/pii.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/str.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *pii_field_name(enum pii_field f)
{
	static const char *const names[PII__COUNT] = { "name", "phone", "id_no", "address" };
	return f >= 0 && f < PII__COUNT ? names[f] : "";
}

bool pii_contact_empty(const struct pii_contact *c)
{
	for (int i = 0; i < PII__COUNT; i++)
		if (c->v[i] && *c->v[i])
			return false;
	return true;
}

char pii_id_check_char(const char *d)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char chk[] = "10X98765432";
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (d[i] - '0') * w[i];
	return chk[sum % 11];
}

static bool province(int p)
{
	static const int codes[] = { 11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
				     35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
				     53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83 };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i] == p)
			return true;
	return false;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool pii_id_valid(const char *id, long long now)
{
	if (strlen(id) != 18 || !digits(id, 17))
		return false;
	if (!province(num(id, 2)) || num(id + 2, 4) % 10000 == 0)
		return false;
	int y = num(id + 6, 4), m = num(id + 10, 2), d = num(id + 12, 2);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	long day = cal_day_from_civil(y, m, d);
	int yy, mm, dd;
	cal_civil(day, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return false;
	if (now && (long long)day * 86400 > now + CAL_TZ_OFFSET)
		return false;
	char c = id[17] == 'x' ? 'X' : id[17];
	return c == pii_id_check_char(id);
}

bool pii_phone_normalize(const char *in, char out[12])
{
	char buf[32];
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (n + 1 >= sizeof(buf))
			return false;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	const char *s = buf;
	if (!strncmp(s, "+86", 3))
		s += 3;
	else if (!strncmp(s, "0086", 4))
		s += 4;
	else if (n == 13 && !strncmp(s, "86", 2))
		s += 2;
	if (strlen(s) != 11 || !str_is_digits(s, 11) || s[0] != '1' || s[1] < '3')
		return false;
	memcpy(out, s, 12);
	return true;
}

/* one line of valid UTF-8, 1..max characters, no control characters */
static bool text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (!n || !str_utf8_valid(s, n) || str_utf8_len(s) > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int pii_contact_check(struct pii_contact *c, struct arena *a, long long now, char *why,
		      size_t whylen)
{
	for (int f = 0; f < PII__COUNT; f++) {
		const char *v = c->v[f];
		if (!v || !*v) {
			c->v[f] = NULL;
			continue;
		}
		switch ((enum pii_field)f) {
		case PII_NAME:
			if (!text_ok(v, 50)) {
				snprintf(why, whylen,
					 "reporter name must be one line of 1-50 characters");
				return ERR_BAD_VALUE;
			}
			break;
		case PII_ADDRESS:
			if (!text_ok(v, 200)) {
				snprintf(why, whylen,
					 "reporter address must be one line of 1-200 characters");
				return ERR_BAD_VALUE;
			}
			break;
		case PII_PHONE: {
			char norm[12];
			if (!pii_phone_normalize(v, norm)) {
				snprintf(why, whylen,
					 "reporter phone must be a mainland mobile number "
					 "(11 digits, 13x-19x)");
				return ERR_BAD_VALUE;
			}
			c->v[f] = arena_strdup(a, norm);
			break;
		}
		case PII_ID_NO: {
			if (!pii_id_valid(v, now)) {
				snprintf(why, whylen,
					 "reporter ID number is not a valid resident ID number "
					 "(GB 11643: 18 characters, region, date of birth, "
					 "check character)");
				return ERR_BAD_VALUE;
			}
			char *up = arena_strdup(a, v);
			if (up[17] == 'x')
				up[17] = 'X';
			c->v[f] = up;
			break;
		}
		default: break;
		}
	}
	return 0;
}

/* byte length of the first k UTF-8 characters of s */
static size_t utf8_prefix(const char *s, size_t k)
{
	size_t i = 0;
	for (size_t c = 0; c < k && s[i]; c++) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

char *pii_mask(struct arena *a, enum pii_field f, const char *v)
{
	size_t n = strlen(v), chars = str_utf8_len(v);
	switch (f) {
	case PII_ID_NO:
		/* the shape, not only the length: a cut UTF-8 character is no mask */
		if (n == 18 && strspn(v, "0123456789") >= 17 &&
		    (isdigit((unsigned char)v[17]) || v[17] == 'X' || v[17] == 'x'))
			return arena_printf(a, "%.6s********%.4s", v, v + 14);
		break;
	case PII_PHONE:
		if (n == 11 && strspn(v, "0123456789") == 11)
			return arena_printf(a, "%.3s****%.4s", v, v + 7);
		break;
	case PII_NAME: {
		if (chars <= 1)
			return arena_strdup(a, "*");
		size_t keep = utf8_prefix(v, 1);
		char *out = arena_alloc(a, keep + chars);
		memcpy(out, v, keep);
		memset(out + keep, '*', chars - 1);
		out[keep + chars - 1] = '\0';
		return out;
	}
	case PII_ADDRESS: {
		size_t k = chars / 2 > 8 ? 8 : chars / 2;
		return arena_printf(a, "%.*s****", (int)utf8_prefix(v, k), v);
	}
	default: break;
	}
	/* a value of an unexpected shape shows nothing of itself */
	return arena_strdup(a, "****");
}
