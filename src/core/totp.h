/*
 * totp.h - one-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238).
 *
 * The HMAC algorithm is named: "sha1" (what common authenticator apps
 * implement, RFC 6238's default) or "sm3" (the national profile, for tokens
 * that support it). Secrets are raw bytes, shown to people and apps in
 * base32 (RFC 4648, no padding) and in an otpauth:// URI (Google's Key Uri
 * Format, which authenticator apps read from a QR code).
 *
 * Single use: a verified code's time step is returned so the caller can
 * remember the last used step per user and refuse that step (and older
 * ones) the next time: a code seen on the wire cannot be replayed inside
 * its window.
 */
#ifndef PINGAN_CORE_TOTP_H
#define PINGAN_CORE_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_LEN 20 /* bytes: 160 bits, RFC 4226's recommendation */
#define TOTP_B32_MAX    65 /* base32 of up to 40 bytes, with NUL */
#define TOTP_STEP       30 /* seconds */
#define TOTP_DIGITS     6

/* true for an algorithm name totp_* accept ("sha1", "sm3"). */
bool totp_alg_valid(const char *alg);
/* The HOTP value of key at counter, truncated to digits (6-8) decimal
 * digits (RFC 4226 5.3), or -1 for an unknown algorithm. */
long totp_hotp(const char *alg, const void *key, size_t keylen, uint64_t counter, int digits);
/* Checks a code of TOTP_DIGITS digits against the steps around now
 * (-window..+window, the clock drift allowed) that are later than
 * last_step. On a match returns true and sets *step to the matched step. */
bool totp_verify(const char *alg, const void *key, size_t keylen, const char *code, long long now,
		 int window, long long last_step, long long *step);
/* Base32 (RFC 4648 alphabet, no padding) of n bytes into out (size at least
 * (n * 8 + 4) / 5 + 1). */
void totp_b32_encode(const void *bin, size_t n, char *out);
/* Decodes base32 (case-insensitive, spaces and '=' ignored) into out (at
 * most max bytes); the number of bytes, or -1 if malformed or too long. */
long totp_b32_decode(const char *s, unsigned char *out, size_t max);

#endif
