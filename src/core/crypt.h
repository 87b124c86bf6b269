/*
 * crypt.h - field encryption for personal data: a versioned key ring read
 * from a key file, authenticated encryption of short values, and keyed
 * blind indexes for exact search.
 *
 * This is the one interface the rest of the code uses for personal data;
 * it names profiles, never libraries, so a certified crypto module can
 * replace crypt.c alone. Two profiles:
 *   gm   SM4-CTR + HMAC-SM3, encrypt-then-MAC (OpenSSL 3 EVP), blind index
 *        HMAC-SM3 — the default, for the national (GM/T) algorithms;
 *   intl XChaCha20-Poly1305 (libsodium), blind index HMAC-SHA256.
 *
 * Key file: text, one key version a line, "VERSION PROFILE CREATED SECRET"
 * (a 32-byte secret in base64; '#' lines are comments). The highest version
 * is current: new values are sealed with it; older versions stay to open
 * what they sealed until `pingan key rotate` has re-encrypted everything.
 * Subkeys come from a version's secret by HMAC with fixed labels (one for
 * encryption, one for the MAC, one for blind indexes). The file must not be
 * readable by group or others; it is written 0600 through a temporary file
 * and a rename.
 *
 * Sealed value layout (a BLOB):
 *   byte 0      profile (1 gm, 2 intl)
 *   bytes 1-4   key version, big-endian
 *   gm:   16-byte IV | ciphertext | 32-byte HMAC-SM3 over
 *         (header | len(ad) as 4 bytes | ad | IV | ciphertext)
 *   intl: 24-byte nonce | ciphertext and 16-byte tag (header and ad are the
 *         associated data)
 * The associated data (ad) binds a value to where it is stored (e.g.
 * "events/42/phone"), so a ciphertext copied to another row or field does
 * not open.
 */
#ifndef PINGAN_CORE_CRYPT_H
#define PINGAN_CORE_CRYPT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

enum crypt_profile { CRYPT_GM = 1, CRYPT_INTL = 2 };

#define CRYPT_SECRET_LEN 32
#define CRYPT_BIDX_LEN   16                       /* bytes of a blind index */
#define CRYPT_BIDX_HEX   (CRYPT_BIDX_LEN * 2 + 1) /* its hex, with NUL */
#define CRYPT_MAX_PLAIN  4096                     /* longest value sealed */
#define CRYPT_MAX_KEYS   64                       /* versions in one key file */

struct crypt_keyring;

/* Known-answer self-tests: SM3 (GB/T 32905 example 1), SM4 (GB/T 32907
 * example, through SM4-ECB and as the first SM4-CTR keystream block),
 * HMAC-SM3 (GM/T 0042 appendix D.3), XChaCha20-Poly1305
 * (draft-irtf-cfrg-xchacha A.3.1, sealed and opened), and a seal/open round
 * trip of each profile with a tampered copy refused. 0, or ERR_INTERNAL
 * (logged): the caller must refuse to start. */
int crypt_selftest(void);

/* "gm" / "intl" to a profile. 0 or ERR_BAD_VALUE. */
int crypt_profile_parse(const char *s, enum crypt_profile *out);
const char *crypt_profile_name(enum crypt_profile p);

/* Reads a key file. ERR_NOT_FOUND (no file), ERR_FORBIDDEN (readable by
 * group or others), ERR_BAD_FILE (malformed), with why. The ring lives in
 * guarded memory; free it with crypt_keyring_free(). */
int crypt_keyring_load(const char *path, struct crypt_keyring **out, char *why, size_t whylen);
/* Creates a key file with version 1 of the profile. ERR_CONFLICT if the
 * file exists, ERR_IO. */
int crypt_keyring_create(const char *path, enum crypt_profile p, char *why, size_t whylen);
/* Adds a new current version of the profile to the key file (rewritten
 * atomically) and to kr. 0, ERR_IO, ERR_TOO_LARGE (CRYPT_MAX_KEYS). */
int crypt_keyring_add(struct crypt_keyring *kr, const char *path, enum crypt_profile p, char *why,
		      size_t whylen);
void crypt_keyring_free(struct crypt_keyring *kr);

/* The current (highest) version. */
int crypt_keyring_current(const struct crypt_keyring *kr);
/* Number of versions, and the i-th from newest (0: current). */
int crypt_keyring_count(const struct crypt_keyring *kr);
int crypt_keyring_version(const struct crypt_keyring *kr, int i, enum crypt_profile *profile,
			  const char **created);
bool crypt_keyring_has(const struct crypt_keyring *kr, int version);

/* Seals n bytes of plain under the current version with associated data
 * ad into a new arena buffer. 0 or ERR_TOO_LARGE / ERR_INTERNAL. */
int crypt_seal(const struct crypt_keyring *kr, struct arena *a, const char *ad, const void *plain,
	       size_t n, unsigned char **out, size_t *outlen);
/* Opens a sealed value: the plain text, NUL-terminated, in an arena buffer
 * that is wiped when the arena is freed; *version (may be NULL) gets the
 * version that sealed it. ERR_NOT_FOUND (a version the ring lacks),
 * ERR_BAD_VALUE (malformed, tampered with, or another ad). */
int crypt_open(const struct crypt_keyring *kr, struct arena *a, const char *ad,
	       const unsigned char *sealed, size_t n, char **out, size_t *outlen, int *version);
/* Version that sealed a value, or -1 if malformed. */
int crypt_sealed_version(const unsigned char *sealed, size_t n);

/* A short secret kept in a TEXT column: "sealed:" and the hex of the sealed
 * bytes (under the current version, bound to ad), or the plain text itself
 * when kr is NULL (no key file). */
int crypt_seal_text(const struct crypt_keyring *kr, struct arena *a, const char *ad,
		    const char *plain, const char **out);
/* The plain text of a crypt_seal_text() value (from the arena, wiped when it
 * is freed). *stale is set when it should be sealed again: stored plain while
 * a key ring exists, or sealed under an older version. ERR_UNAVAILABLE:
 * sealed and kr is NULL; ERR_BAD_VALUE / ERR_NOT_FOUND as crypt_open(). */
int crypt_open_text(const struct crypt_keyring *kr, struct arena *a, const char *ad,
		    const char *stored, const char **plain, bool *stale);

/* The blind index of a (normalised) value of a field under version
 * (0: current), as lowercase hex into out[CRYPT_BIDX_HEX]. The field name is
 * part of the input, so equal values of different fields do not match.
 * ERR_NOT_FOUND for a version the ring lacks. */
int crypt_blind_index(const struct crypt_keyring *kr, int version, const char *field,
		      const char *value, char *out);

#endif
