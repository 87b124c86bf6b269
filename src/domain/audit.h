/*
 * audit.h - audit records, their hash chain, signed anchors and verification.
 *
 * Every audited act is one record: time, user, source address, action,
 * object, outcome and a short detail. Records form a chain: record n's hash
 * is SM3 over the previous record's hash and record n's fields (each length-
 * prefixed, so no two different records serialise alike), so altering,
 * removing, inserting or reordering a record breaks every link after it.
 * A chain recomputed after such an edit, or cut short, is caught by the
 * anchors: signed heads written periodically and exportable: HMAC-SM3 with
 * a key kept outside the database (setting audit_key_file), and an SM2
 * signature (setting audit_sign_key_file) that anyone holding the public
 * key can check.
 *
 * This file is plain C (no database): the store computes hashes with
 * audit_hash() when it appends, and feeds stored rows to the verifier.
 */
#ifndef PINGAN_DOMAIN_AUDIT_H
#define PINGAN_DOMAIN_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/sec.h"
#include "core/sm2.h"

/* Field limits (bytes): longer values are cut at a UTF-8 boundary. */
#define AUDIT_USER_MAX    64
#define AUDIT_IP_MAX      64
#define AUDIT_ACTION_MAX  64
#define AUDIT_OBJECT_MAX  128
#define AUDIT_OUTCOME_MAX 16
#define AUDIT_DETAIL_MAX  512

#define AUDIT_KEY_LEN     32
#define AUDIT_KEY_ID_LEN  17 /* 16 hex digits and NUL */

/* The hash before the first record: 64 zeros. */
extern const char audit_genesis[SEC_HEX_LEN];

struct audit_rec {
	long long seq;     /* set by the store */
	long long at;      /* unix seconds (the caller's clock) */
	long long user_id; /* 0: nobody logged in, or the system */
	const char *username, *ip, *action, *object, *outcome, *detail;
	char prev[SEC_HEX_LEN], hash[SEC_HEX_LEN]; /* set by the store */
};

/* The bytes of s (NULL: "") kept for a field of at most max bytes: cut at
 * a UTF-8 character boundary. Hashing and storing both use it. */
size_t audit_field_len(const char *s, size_t max);

/* The hash of r chained after prev (hex), into out[SEC_HEX_LEN]. */
void audit_hash(const char *prev, const struct audit_rec *r, char *out);

/* The MAC of an anchor (seq, hash, at) with key, as hex into out. */
void audit_anchor_mac(const unsigned char *key, size_t keylen, long long seq, const char *hash,
		      long long at, char *out);
/* The SM2 signature of an anchor (the same bytes as the MAC), as hex. */
int audit_anchor_sign(const struct sm2_key *k, long long seq, const char *hash, long long at,
		      char *out);
/* Reads the SM2 key file (PEM: a private key, or a public key to verify
 * only). If it does not exist and create is set, makes a new key pair there
 * (mode 0600). 0 (*out set, sm2_free it), ERR_NOT_FOUND, ERR_IO or
 * ERR_BAD_VALUE, with why. */
int audit_sign_key_load(const char *path, bool create, struct sm2_key **out, char *why,
			size_t whylen);
/* The key's id: the first 16 hex digits of SM3(key). */
void audit_key_id(const unsigned char *key, size_t keylen, char out[AUDIT_KEY_ID_LEN]);
/* Reads the key file (64 hex digits). If it does not exist and create is
 * set, makes a new random key there (mode 0600). 0, ERR_NOT_FOUND (no file,
 * !create), ERR_IO or ERR_BAD_VALUE, with why. */
int audit_key_load(const char *path, bool create, unsigned char key[AUDIT_KEY_LEN], char *why,
		   size_t whylen);

struct audit_anchor {
	long long id, seq, at;
	char hash[SEC_HEX_LEN];
	char alg[16];
	char key_id[AUDIT_KEY_ID_LEN];
	char mac[SEC_HEX_LEN];
	char sig[SM2_SIG_HEX]; /* "" when not signed with SM2 */
	char sig_key_id[SM2_KEY_ID_LEN];
};

/*
 * Verification: audit_verify_init() with the anchors (sorted by seq), the
 * MAC key (NULL: MACs not checked), the SM2 key (NULL: signatures not
 * checked; given without a MAC key, every anchor must carry a valid
 * signature) and where the chain starts (after an
 * archive: its last seq and hash; else 0 and audit_genesis); then
 * audit_verify_record() for every record in seq order; then
 * audit_verify_finish(). v->ok tells the verdict; v->problem names the
 * first problem found, v->problems counts them.
 */
#define AUDIT_VERIFY_MAX_ANCHORS 100000

struct audit_verify {
	bool ok;
	long long records;      /* records seen */
	long long head_seq;     /* the last record's seq (start_seq if none) */
	char head[SEC_HEX_LEN]; /* and its hash */
	long long anchors, anchors_checked;
	long long latest_anchor_seq; /* -1: none */
	long long problems;
	long long problem_seq; /* the record or anchor seq of the first problem */
	char problem_kind[24]; /* altered, broken_link, gap, truncated, anchor_mismatch, bad_mac */
	char problem[256];     /* a sentence for people */
	/* internal */
	const struct audit_anchor *av;
	size_t nav, next_anchor;
	const unsigned char *key;
	size_t keylen;
	char key_id[AUDIT_KEY_ID_LEN];
};

void audit_verify_init(struct audit_verify *v, const struct audit_anchor *anchors, size_t n,
		       const unsigned char *key, size_t keylen, const struct sm2_key *pub,
		       long long start_seq, const char *start_hash);
void audit_verify_record(struct audit_verify *v, const struct audit_rec *r);
void audit_verify_finish(struct audit_verify *v);

#endif
