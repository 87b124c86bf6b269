/*
 * totp.c - see totp.h.
 *
 * The HMAC comes from sec.h, so the named algorithms are whatever the
 * crypto module provides; everything here is arithmetic on its output.
 */
#include "core/totp.h"
#include "core/sec.h"

#include <string.h>

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

bool totp_alg_valid(const char *alg)
{
	return alg && (!strcmp(alg, "sha1") || !strcmp(alg, "sm3"));
}

long totp_hotp(const char *alg, const void *key, size_t keylen, uint64_t counter, int digits)
{
	if (!totp_alg_valid(alg) || digits < 6 || digits > 8)
		return -1;
	unsigned char msg[8], mac[64];
	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	size_t n = sec_hmac_named(alg, key, keylen, msg, sizeof(msg), mac);
	if (n < 20)
		return -1;
	/* dynamic truncation: the low nibble of the last byte picks 4 bytes */
	size_t off = mac[n - 1] & 0x0f;
	unsigned long bin = ((unsigned long)(mac[off] & 0x7f) << 24) |
			    ((unsigned long)mac[off + 1] << 16) |
			    ((unsigned long)mac[off + 2] << 8) | (unsigned long)mac[off + 3];
	unsigned long mod = 1;
	for (int i = 0; i < digits; i++)
		mod *= 10;
	sec_wipe(mac, sizeof(mac));
	return (long)(bin % mod);
}

bool totp_verify(const char *alg, const void *key, size_t keylen, const char *code, long long now,
		 int window, long long last_step, long long *step)
{
	if (!code || strlen(code) != TOTP_DIGITS || now < 0)
		return false;
	long want = 0;
	for (int i = 0; i < TOTP_DIGITS; i++) {
		if (code[i] < '0' || code[i] > '9')
			return false;
		want = want * 10 + (code[i] - '0');
	}
	long long t = now / TOTP_STEP;
	bool ok = false;
	/* every candidate is computed, so the time taken does not tell which matched */
	for (long long s = t - window; s <= t + window; s++) {
		if (s < 0)
			continue;
		long v = totp_hotp(alg, key, keylen, (uint64_t)s, TOTP_DIGITS);
		if (v == want && s > last_step && !ok) {
			ok = true;
			*step = s;
		}
	}
	return ok;
}

void totp_b32_encode(const void *bin, size_t n, char *out)
{
	const unsigned char *b = bin;
	unsigned buf = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		buf = (buf << 8) | b[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = B32[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = B32[(buf << (5 - bits)) & 31];
	out[o] = '\0';
}

long totp_b32_decode(const char *s, unsigned char *out, size_t max)
{
	unsigned buf = 0;
	int bits = 0;
	size_t o = 0;
	for (; *s; s++) {
		char c = *s;
		if (c == ' ' || c == '=')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		const char *p = strchr(B32, c);
		if (!p || !c)
			return -1;
		buf = (buf << 5) | (unsigned)(p - B32);
		bits += 5;
		if (bits >= 8) {
			if (o == max)
				return -1;
			out[o++] = (unsigned char)((buf >> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return (long)o;
}
