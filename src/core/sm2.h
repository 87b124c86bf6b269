/*
 * sm2.h - SM2 signatures (GB/T 32918) with SM3, through OpenSSL 3.
 *
 * Used to sign the audit log's anchors with a key pair, so anyone holding
 * only the public key can check an exported anchor. Signatures use the
 * standard's default distinguishing ID "1234567812345678" and are DER
 * (SEQUENCE of r, s), carried as lowercase hex. Keys travel as PEM text
 * (PKCS#8 for the private key, SubjectPublicKeyInfo for the public key).
 */
#ifndef PINGAN_CORE_SM2_H
#define PINGAN_CORE_SM2_H

#include <stdbool.h>
#include <stddef.h>

#define SM2_SIG_MAX    80                    /* DER signature bytes, at most */
#define SM2_SIG_HEX    (2 * SM2_SIG_MAX + 1) /* as hex, with NUL */
#define SM2_KEY_ID_LEN 17                    /* 16 hex digits and NUL */

struct sm2_key;

/* A new key pair; its private key as PEM into *pem (malloc'd: the caller
 * wipes and frees it). 0 or ERR_INTERNAL. */
int sm2_generate(char **pem);
/* A key from PEM text: a private key (signs and verifies) or a public key
 * (verifies). NULL if the text is neither, or not an SM2 key. */
struct sm2_key *sm2_load(const char *pem, size_t len);
void sm2_free(struct sm2_key *k);
/* The public key as PEM, malloc'd. */
char *sm2_public_pem(const struct sm2_key *k);
/* The first 16 hex digits of SM3 over the DER public key. */
void sm2_key_id(const struct sm2_key *k, char out[SM2_KEY_ID_LEN]);
/* Signs data; the DER signature as hex into out[SM2_SIG_HEX]. 0 or
 * ERR_INTERNAL (no private key, or OpenSSL failed). */
int sm2_sign_hex(const struct sm2_key *k, const void *data, size_t n, char *out);
/* true if sig_hex is a valid signature of data under k's public key. */
bool sm2_verify_hex(const struct sm2_key *k, const void *data, size_t n, const char *sig_hex);

#endif
