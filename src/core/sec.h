/*
 * sec.h - the one interface to cryptography.
 *
 * Randomness, digests, password hashing and constant-time helpers; OpenSSL 3
 * provides the national (GM) algorithms (SM3), libsodium the international
 * ones (argon2id) and the secure memory helpers. Everything above this file
 * names algorithms, never libraries, so a certified module can replace it.
 *
 * Password hashes are versioned strings, so the scheme can change without
 * invalidating stored hashes:
 *   $pbkdf2-sm3$v=1$i=ITER$SALT$HASH   (PBKDF2-HMAC-SM3, 16-byte salt,
 *                                       32-byte key, base64 without padding)
 *   $argon2id$v=19$m=...,t=...,p=...$...  (libsodium's crypto_pwhash_str)
 */
#ifndef PINGAN_CORE_SEC_H
#define PINGAN_CORE_SEC_H

#include <stdbool.h>
#include <stddef.h>

enum sec_digest { SEC_SM3, SEC_SHA256 };

#define SEC_DIGEST_LEN   32
#define SEC_HEX_LEN      (SEC_DIGEST_LEN * 2 + 1)
#define SEC_PASSWORD_MAX 256 /* longest stored hash string, with NUL */

/* Initialises the libraries and runs known-answer self-tests (SM3, SHA-256,
 * PBKDF2-HMAC-SM3 round trip). 0, or ERR_INTERNAL: the caller must refuse
 * to start. */
int sec_init(void);

/* n bytes from the system CSPRNG. */
void sec_random(void *buf, size_t n);
/* Digest of data into out (SEC_DIGEST_LEN bytes). */
void sec_digest(enum sec_digest alg, const void *data, size_t n, unsigned char *out);
/* Lowercase hex digest, NUL-terminated, into out[SEC_HEX_LEN]. */
void sec_digest_hex(enum sec_digest alg, const void *data, size_t n, char *out);
/* HMAC of data with key into out (SEC_DIGEST_LEN bytes). */
void sec_hmac(enum sec_digest alg, const void *key, size_t keylen, const void *data, size_t n,
	      unsigned char *out);
/* HMAC with an algorithm named "sha1", "sha256" or "sm3" (one-time
 * passwords: RFC 4226/6238 use SHA-1 in common authenticator apps, the
 * national profile SM3). Writes the MAC into out (at least SEC_DIGEST_LEN
 * bytes) and returns its length, or 0 for an unknown name. */
size_t sec_hmac_named(const char *alg, const void *key, size_t keylen, const void *data, size_t n,
		      unsigned char *out);
/* Incremental digests, for data that arrives in pieces (uploads). */
struct sec_hash;
struct sec_hash *sec_hash_new(enum sec_digest alg);
void sec_hash_update(struct sec_hash *h, const void *data, size_t n);
/* Writes the lowercase hex digest into out[SEC_HEX_LEN] and frees h. */
void sec_hash_final_hex(struct sec_hash *h, char *out);
/* Frees h without a result (NULL is a no-op). */
void sec_hash_free(struct sec_hash *h);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void sec_hex(const void *bin, size_t n, char *out);

/* Hashes a password with scheme "pbkdf2-sm3" (iterations used) or
 * "argon2id" (libsodium's interactive limits) into out[SEC_PASSWORD_MAX].
 * 0, ERR_BAD_VALUE (unknown scheme), ERR_INTERNAL. */
int sec_password_hash(const char *scheme, long long iterations, const char *password, char *out);
/* Checks a password against a stored hash in constant time with respect to
 * the password. 0 on match, ERR_BAD_LOGIN on mismatch, ERR_BAD_VALUE if the
 * stored string is malformed. */
int sec_password_verify(const char *stored, const char *password);
/* Spends about the time of a verification against a stored hash of the given
 * scheme/iterations, to answer an unknown user like a wrong password. */
void sec_password_dummy(const char *scheme, long long iterations, const char *password);

/* Constant-time equality of two buffers of length n. */
bool sec_memeq(const void *a, const void *b, size_t n);
/* Wipes n bytes so the compiler cannot elide it. */
void sec_wipe(void *p, size_t n);

#endif
