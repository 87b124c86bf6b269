/*
 * sec.c - see sec.h. OpenSSL for SM3 and PBKDF2, libsodium for argon2id,
 * randomness, base64 and constant-time helpers.
 */
#include "core/sec.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SALT_LEN 16
#define KEY_LEN  32

static const EVP_MD *md(enum sec_digest alg)
{
	return alg == SEC_SM3 ? EVP_sm3() : EVP_sha256();
}

void sec_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

void sec_digest(enum sec_digest alg, const void *data, size_t n, unsigned char *out)
{
	unsigned int len = 0;
	if (!EVP_Digest(data, n, out, &len, md(alg), NULL) || len != SEC_DIGEST_LEN)
		memset(out, 0, SEC_DIGEST_LEN);
}

void sec_hex(const void *bin, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *b = bin;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void sec_digest_hex(enum sec_digest alg, const void *data, size_t n, char *out)
{
	unsigned char d[SEC_DIGEST_LEN];
	sec_digest(alg, data, n, d);
	sec_hex(d, sizeof(d), out);
}

void sec_hmac(enum sec_digest alg, const void *key, size_t keylen, const void *data, size_t n,
	      unsigned char *out)
{
	unsigned int len = 0;
	if (!HMAC(md(alg), key, (int)keylen, data, n, out, &len) || len != SEC_DIGEST_LEN)
		memset(out, 0, SEC_DIGEST_LEN);
}

size_t sec_hmac_named(const char *alg, const void *key, size_t keylen, const void *data, size_t n,
		      unsigned char *out)
{
	const EVP_MD *m = !strcmp(alg, "sha1")     ? EVP_sha1()
			  : !strcmp(alg, "sm3")    ? EVP_sm3()
			  : !strcmp(alg, "sha256") ? EVP_sha256()
						   : NULL;
	unsigned int len = 0;
	if (!m || !HMAC(m, key, (int)keylen, data, n, out, &len))
		return 0;
	return len;
}

struct sec_hash *sec_hash_new(enum sec_digest alg)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || !EVP_DigestInit_ex(c, md(alg), NULL)) {
		fprintf(stderr, "fatal: cannot start a digest\n");
		abort();
	}
	return (struct sec_hash *)(void *)c;
}

void sec_hash_update(struct sec_hash *h, const void *data, size_t n)
{
	EVP_DigestUpdate((EVP_MD_CTX *)(void *)h, data, n);
}

void sec_hash_final_hex(struct sec_hash *h, char *out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!EVP_DigestFinal_ex((EVP_MD_CTX *)(void *)h, d, &len) || len != SEC_DIGEST_LEN)
		memset(d, 0, SEC_DIGEST_LEN);
	sec_hex(d, SEC_DIGEST_LEN, out);
	EVP_MD_CTX_free((EVP_MD_CTX *)(void *)h);
}

void sec_hash_free(struct sec_hash *h)
{
	if (h)
		EVP_MD_CTX_free((EVP_MD_CTX *)(void *)h);
}

bool sec_memeq(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void sec_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

static int pbkdf2(const char *pw, const unsigned char *salt, long long iter, unsigned char *key)
{
	if (!PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, SALT_LEN, (int)iter, EVP_sm3(), KEY_LEN,
			       key))
		return ERR_INTERNAL;
	return 0;
}

static void b64(const unsigned char *bin, size_t n, char *out, size_t outlen)
{
	sodium_bin2base64(out, outlen, bin, n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

int sec_password_hash(const char *scheme, long long iterations, const char *password, char *out)
{
	if (!strcmp(scheme, "argon2id")) {
		if (crypto_pwhash_str_alg(
			    out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			    crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
			return ERR_INTERNAL;
		return 0;
	}
	if (strcmp(scheme, "pbkdf2-sm3"))
		return ERR_BAD_VALUE;
	if (iterations < 1000 || iterations > 100000000)
		return ERR_BAD_VALUE;
	unsigned char salt[SALT_LEN], key[KEY_LEN];
	char s64[64], k64[64];
	sec_random(salt, sizeof(salt));
	int err = pbkdf2(password, salt, iterations, key);
	if (err)
		return err;
	b64(salt, sizeof(salt), s64, sizeof(s64));
	b64(key, sizeof(key), k64, sizeof(k64));
	snprintf(out, SEC_PASSWORD_MAX, "$pbkdf2-sm3$v=1$i=%lld$%s$%s", iterations, s64, k64);
	sec_wipe(key, sizeof(key));
	return 0;
}

static int unb64(const char *s, size_t n, unsigned char *bin, size_t want)
{
	size_t len = 0;
	if (sodium_base642bin(bin, want, s, n, NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) ||
	    len != want)
		return ERR_BAD_VALUE;
	return 0;
}

int sec_password_verify(const char *stored, const char *password)
{
	if (str_starts_with(stored, "$argon2id$")) {
		/* libsodium answers -1 for a malformed string and for a wrong
		 * password alike: tell them apart first */
		if (crypto_pwhash_str_needs_rehash(stored, crypto_pwhash_OPSLIMIT_INTERACTIVE,
						   crypto_pwhash_MEMLIMIT_INTERACTIVE) == -1)
			return ERR_BAD_VALUE;
		if (crypto_pwhash_str_verify(stored, password, strlen(password)))
			return ERR_BAD_LOGIN;
		return 0;
	}
	static const char prefix[] = "$pbkdf2-sm3$v=1$i=";
	if (!str_starts_with(stored, prefix))
		return ERR_BAD_VALUE;
	const char *p = stored + sizeof(prefix) - 1;
	const char *d1 = strchr(p, '$');
	if (!d1)
		return ERR_BAD_VALUE;
	const char *d2 = strchr(d1 + 1, '$');
	if (!d2)
		return ERR_BAD_VALUE;
	char num[24];
	if ((size_t)(d1 - p) >= sizeof(num))
		return ERR_BAD_VALUE;
	memcpy(num, p, (size_t)(d1 - p));
	num[d1 - p] = '\0';
	long long iter;
	unsigned char salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
	if (str_to_ll(num, 1000, 100000000, &iter) ||
	    unb64(d1 + 1, (size_t)(d2 - d1 - 1), salt, sizeof(salt)) ||
	    unb64(d2 + 1, strlen(d2 + 1), want, sizeof(want)))
		return ERR_BAD_VALUE;
	int err = pbkdf2(password, salt, iter, got);
	if (err)
		return err;
	bool same = sec_memeq(got, want, KEY_LEN);
	sec_wipe(got, sizeof(got));
	return same ? 0 : ERR_BAD_LOGIN;
}

void sec_password_dummy(const char *scheme, long long iterations, const char *password)
{
	char h[SEC_PASSWORD_MAX];
	/* hashing costs what verifying costs: same KDF, same parameters */
	if (sec_password_hash(scheme, iterations, password, h))
		sec_password_hash("pbkdf2-sm3", 100000, password, h);
	sec_wipe(h, sizeof(h));
}

int sec_init(void)
{
	if (sodium_init() < 0) {
		log_error("libsodium failed to initialise");
		return ERR_INTERNAL;
	}
	/* GB/T 32905-2016 example 1: SM3("abc") */
	static const char sm3_abc[] =
		"66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
	/* FIPS 180-2: SHA-256("abc") */
	static const char sha_abc[] =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char hex[SEC_HEX_LEN];
	sec_digest_hex(SEC_SM3, "abc", 3, hex);
	if (strcmp(hex, sm3_abc)) {
		log_error("self-test failed: SM3 known answer");
		return ERR_INTERNAL;
	}
	sec_digest_hex(SEC_SHA256, "abc", 3, hex);
	if (strcmp(hex, sha_abc)) {
		log_error("self-test failed: SHA-256 known answer");
		return ERR_INTERNAL;
	}
	char h[SEC_PASSWORD_MAX];
	if (sec_password_hash("pbkdf2-sm3", 1000, "self-test", h) ||
	    sec_password_verify(h, "self-test") || !sec_password_verify(h, "self-tesT")) {
		log_error("self-test failed: PBKDF2-HMAC-SM3 round trip");
		return ERR_INTERNAL;
	}
	return 0;
}
