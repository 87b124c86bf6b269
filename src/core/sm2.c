/*
 * sm2.c - see sm2.h.
 */
#include "core/sm2.h"
#include "core/err.h"
#include "core/sec.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

struct sm2_key {
	EVP_PKEY *pk;
	bool private_key;
};

static const char sm2_id[] = "1234567812345678";

static char *bio_text(BIO *b)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	char *out = malloc((size_t)n + 1);
	if (!out)
		abort();
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	return out;
}

int sm2_generate(char **pem)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	if (!pk)
		return ERR_INTERNAL;
	BIO *b = BIO_new(BIO_s_secmem());
	int ok = b && PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	if (ok)
		*pem = bio_text(b);
	BIO_free(b);
	EVP_PKEY_free(pk);
	return ok ? 0 : ERR_INTERNAL;
}

struct sm2_key *sm2_load(const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	if (!b)
		return NULL;
	bool priv = true;
	EVP_PKEY *pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	if (!pk) {
		priv = false;
		BIO_free(b);
		b = BIO_new_mem_buf(pem, (int)len);
		pk = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
	}
	BIO_free(b);
	if (!pk)
		return NULL;
	if (!EVP_PKEY_is_a(pk, "SM2")) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	struct sm2_key *k = calloc(1, sizeof(*k));
	if (!k)
		abort();
	k->pk = pk;
	k->private_key = priv;
	return k;
}

void sm2_free(struct sm2_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

char *sm2_public_pem(const struct sm2_key *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *out = NULL;
	if (b && PEM_write_bio_PUBKEY(b, k->pk))
		out = bio_text(b);
	BIO_free(b);
	return out;
}

void sm2_key_id(const struct sm2_key *k, char out[SM2_KEY_ID_LEN])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k->pk, &der);
	char hex[SEC_HEX_LEN];
	sec_digest_hex(SEC_SM3, der, n > 0 ? (size_t)n : 0, hex);
	OPENSSL_free(der);
	memcpy(out, hex, SM2_KEY_ID_LEN - 1);
	out[SM2_KEY_ID_LEN - 1] = '\0';
}

/* A digest context set up for SM2 with SM3 and the default ID; *pctx must
 * be freed after the context (EVP_MD_CTX_set_pkey_ctx does not own it). */
static EVP_MD_CTX *start(const struct sm2_key *k, EVP_PKEY_CTX **pctx)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	*pctx = EVP_PKEY_CTX_new(k->pk, NULL);
	if (!m || !*pctx ||
	    EVP_PKEY_CTX_set1_id(*pctx, (const unsigned char *)sm2_id, sizeof(sm2_id) - 1) <= 0) {
		EVP_MD_CTX_free(m);
		EVP_PKEY_CTX_free(*pctx);
		*pctx = NULL;
		return NULL;
	}
	EVP_MD_CTX_set_pkey_ctx(m, *pctx);
	return m;
}

int sm2_sign_hex(const struct sm2_key *k, const void *data, size_t n, char *out)
{
	if (!k->private_key)
		return ERR_INTERNAL;
	EVP_PKEY_CTX *pctx;
	EVP_MD_CTX *m = start(k, &pctx);
	unsigned char sig[SM2_SIG_MAX + 64];
	size_t len = sizeof(sig);
	int ok = m && EVP_DigestSignInit(m, NULL, EVP_sm3(), NULL, k->pk) > 0 &&
		 EVP_DigestSign(m, sig, &len, data, n) > 0 && len <= SM2_SIG_MAX;
	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(pctx);
	if (!ok)
		return ERR_INTERNAL;
	sec_hex(sig, len, out);
	return 0;
}

bool sm2_verify_hex(const struct sm2_key *k, const void *data, size_t n, const char *sig_hex)
{
	size_t hl = strlen(sig_hex);
	unsigned char sig[SM2_SIG_MAX];
	if (hl % 2 || hl / 2 > sizeof(sig) || hl == 0)
		return false;
	for (size_t i = 0; i < hl / 2; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = sig_hex[2 * i + j];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
						       : -1;
			if (d < 0)
				return false;
			v = v * 16 + (unsigned)d;
		}
		sig[i] = (unsigned char)v;
	}
	EVP_PKEY_CTX *pctx;
	EVP_MD_CTX *m = start(k, &pctx);
	bool ok = m && EVP_DigestVerifyInit(m, NULL, EVP_sm3(), NULL, k->pk) > 0 &&
		  EVP_DigestVerify(m, sig, hl / 2, data, n) == 1;
	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(pctx);
	return ok;
}
