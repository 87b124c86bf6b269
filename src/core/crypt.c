/*
 * crypt.c - see crypt.h. OpenSSL 3 EVP for SM4-CTR and HMAC-SM3 (fetched
 * once by name, so a provider can supply them), libsodium for
 * XChaCha20-Poly1305, guarded key memory, randomness and base64.
 *
 * Caveat: plain text handed to callers is wiped when their arena is freed,
 * but copies they make (JSON strings) are not.
 */
#include "core/crypt.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sec.h"
#include "core/str.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HDR_LEN     5
#define GM_IV       16
#define GM_TAG      32
#define GM_KEY      16
#define X_NONCE     crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define X_TAG       crypto_aead_xchacha20poly1305_ietf_ABYTES
#define MAX_AD      256
#define KEYLINE_MAX 512

struct key_version {
	int version;
	enum crypt_profile profile;
	char created[24];
	unsigned char secret[CRYPT_SECRET_LEN];
	unsigned char enc[32], mac[32], idx[32];
};

struct crypt_keyring {
	int n; /* ascending by version */
	struct key_version v[CRYPT_MAX_KEYS];
};

/* --- OpenSSL algorithms, fetched once --------------------------------- */

static EVP_CIPHER *sm4_ctr, *sm4_ecb;
static EVP_MAC *hmac;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_algorithms(void)
{
	sm4_ctr = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	sm4_ecb = EVP_CIPHER_fetch(NULL, "SM4-ECB", NULL);
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (sodium_init() < 0)
		log_error("libsodium failed to initialise");
}

static bool algorithms(void)
{
	pthread_once(&fetch_once, fetch_algorithms);
	return sm4_ctr && sm4_ecb && hmac;
}

struct part {
	const void *p;
	size_t n;
};

/* HMAC with digest "SM3" or "SHA256" over the concatenated parts into
 * out[32]. 0 or ERR_INTERNAL. */
static int mac_parts(const char *digest, const unsigned char *key, size_t keylen,
		     const struct part *parts, size_t nparts, unsigned char *out)
{
	if (!algorithms())
		return ERR_INTERNAL;
	char name[16];
	str_copy(name, sizeof(name), digest);
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0),
				OSSL_PARAM_construct_end() };
	EVP_MAC_CTX *c = EVP_MAC_CTX_new(hmac);
	int err = ERR_INTERNAL;
	size_t len = 0;
	if (!c || !EVP_MAC_init(c, key, keylen, params))
		goto out;
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].n && !EVP_MAC_update(c, parts[i].p, parts[i].n))
			goto out;
	if (EVP_MAC_final(c, out, &len, 32) && len == 32)
		err = 0;
out:
	EVP_MAC_CTX_free(c);
	return err;
}

/* SM4 (ctr: CTR with the 16-byte iv; else ECB without padding) of n bytes. */
static int sm4(bool ctr, const unsigned char *key, const unsigned char *iv, const unsigned char *in,
	       size_t n, unsigned char *out)
{
	if (!algorithms())
		return ERR_INTERNAL;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0, err = ERR_INTERNAL;
	if (c && EVP_EncryptInit_ex2(c, ctr ? sm4_ctr : sm4_ecb, key, ctr ? iv : NULL, NULL) &&
	    EVP_CIPHER_CTX_set_padding(c, 0) &&
	    (n == 0 || EVP_EncryptUpdate(c, out, &len, in, (int)n)) &&
	    EVP_EncryptFinal_ex(c, out + len, &fin) && (size_t)(len + fin) == n)
		err = 0;
	EVP_CIPHER_CTX_free(c);
	return err;
}

/* --- profiles and keys -------------------------------------------------- */

int crypt_profile_parse(const char *s, enum crypt_profile *out)
{
	if (!strcmp(s, "gm"))
		*out = CRYPT_GM;
	else if (!strcmp(s, "intl"))
		*out = CRYPT_INTL;
	else
		return ERR_BAD_VALUE;
	return 0;
}

const char *crypt_profile_name(enum crypt_profile p)
{
	return p == CRYPT_INTL ? "intl" : "gm";
}

static int derive(struct key_version *k)
{
	const char *dg = k->profile == CRYPT_GM ? "SM3" : "SHA256";
	static const char *const labels[] = { "pingan personal-data enc",
					      "pingan personal-data mac",
					      "pingan personal-data idx" };
	unsigned char *dst[] = { k->enc, k->mac, k->idx };
	for (int i = 0; i < 3; i++) {
		struct part p = { labels[i], strlen(labels[i]) };
		if (mac_parts(dg, k->secret, sizeof(k->secret), &p, 1, dst[i]))
			return ERR_INTERNAL;
	}
	return 0;
}

static struct crypt_keyring *ring_new(void)
{
	struct crypt_keyring *kr = sodium_malloc(sizeof(*kr));
	if (!kr) {
		fprintf(stderr, "fatal: cannot allocate key memory\n");
		abort();
	}
	memset(kr, 0, sizeof(*kr));
	return kr;
}

void crypt_keyring_free(struct crypt_keyring *kr)
{
	if (kr)
		sodium_free(kr); /* wipes */
}

static const struct key_version *find(const struct crypt_keyring *kr, int version)
{
	for (int i = 0; i < kr->n; i++)
		if (kr->v[i].version == version)
			return &kr->v[i];
	return NULL;
}

int crypt_keyring_current(const struct crypt_keyring *kr)
{
	return kr->n ? kr->v[kr->n - 1].version : 0;
}

int crypt_keyring_count(const struct crypt_keyring *kr)
{
	return kr->n;
}

int crypt_keyring_version(const struct crypt_keyring *kr, int i, enum crypt_profile *profile,
			  const char **created)
{
	if (i < 0 || i >= kr->n)
		return 0;
	const struct key_version *k = &kr->v[kr->n - 1 - i];
	if (profile)
		*profile = k->profile;
	if (created)
		*created = k->created;
	return k->version;
}

bool crypt_keyring_has(const struct crypt_keyring *kr, int version)
{
	return find(kr, version) != NULL;
}

/* Parses "VERSION PROFILE CREATED SECRET" into k. */
static int parse_line(char *line, struct key_version *k)
{
	char *save = NULL, *f[5];
	int n = 0;
	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save))
		if (n < 5)
			f[n++] = t;
		else
			return ERR_BAD_FILE;
	long long v;
	size_t len = 0;
	if (n != 4 || str_to_ll(f[0], 1, 1000000, &v) || crypt_profile_parse(f[1], &k->profile) ||
	    strlen(f[2]) >= sizeof(k->created) ||
	    sodium_base642bin(k->secret, sizeof(k->secret), f[3], strlen(f[3]), NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    len != CRYPT_SECRET_LEN)
		return ERR_BAD_FILE;
	k->version = (int)v;
	str_copy(k->created, sizeof(k->created), f[2]);
	return derive(k) ? ERR_INTERNAL : 0;
}

int crypt_keyring_load(const char *path, struct crypt_keyring **out, char *why, size_t whylen)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(why, whylen, "cannot open key file '%s': %s", path, strerror(errno));
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_IO;
	}
	struct stat sb;
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode) || (sb.st_mode & 077)) {
		fclose(f);
		snprintf(why, whylen,
			 "key file '%s' must be a regular file readable by its owner only "
			 "(chmod 600)",
			 path);
		return ERR_FORBIDDEN;
	}
	struct crypt_keyring *kr = ring_new();
	char *line = sodium_malloc(KEYLINE_MAX);
	int lineno = 0, err = 0;
	while (!err && line && fgets(line, KEYLINE_MAX, f)) {
		lineno++;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#' || *s == '\n' || *s == '\r')
			continue;
		if (kr->n == CRYPT_MAX_KEYS) {
			snprintf(why, whylen, "%s:%d: more than %d key versions", path, lineno,
				 CRYPT_MAX_KEYS);
			err = ERR_BAD_FILE;
			break;
		}
		struct key_version *k = &kr->v[kr->n];
		if ((err = parse_line(s, k))) {
			/* never echo the line: it holds a secret */
			snprintf(why, whylen,
				 "%s:%d: expected 'VERSION PROFILE CREATED BASE64-SECRET' "
				 "(profile gm or intl, a 32-byte secret)",
				 path, lineno);
			break;
		}
		if (kr->n && k->version <= kr->v[kr->n - 1].version) {
			snprintf(why, whylen, "%s:%d: versions must rise line by line", path,
				 lineno);
			err = ERR_BAD_FILE;
			break;
		}
		kr->n++;
	}
	if (line)
		sodium_free(line);
	fclose(f);
	if (!err && kr->n == 0) {
		snprintf(why, whylen, "key file '%s' holds no key", path);
		err = ERR_BAD_FILE;
	}
	if (err) {
		crypt_keyring_free(kr);
		return err;
	}
	*out = kr;
	return 0;
}

/* Writes every version of kr to path through path.tmp (0600, fsync,
 * rename, fsync of the folder). */
static int write_ring(const struct crypt_keyring *kr, const char *path, char *why, size_t whylen)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(why, whylen, "key file path is too long");
		return ERR_IO;
	}
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "cannot create '%s': %s", tmp, strerror(errno));
		return ERR_IO;
	}
	char *buf = sodium_malloc(KEYLINE_MAX);
	bool ok = buf != NULL;
	static const char head[] =
		"# pingan personal-data keys: VERSION PROFILE CREATED SECRET (base64).\n"
		"# Keep this file private (0600) and back it up apart from the database:\n"
		"# without it the encrypted personal data cannot be read.\n";
	ok = ok && write(fd, head, sizeof(head) - 1) == (ssize_t)(sizeof(head) - 1);
	for (int i = 0; ok && i < kr->n; i++) {
		const struct key_version *k = &kr->v[i];
		char b64[64];
		sodium_bin2base64(b64, sizeof(b64), k->secret, sizeof(k->secret),
				  sodium_base64_VARIANT_ORIGINAL);
		int n = snprintf(buf, KEYLINE_MAX, "%d %s %s %s\n", k->version,
				 crypt_profile_name(k->profile), k->created, b64);
		sodium_memzero(b64, sizeof(b64));
		ok = n > 0 && n < KEYLINE_MAX && write(fd, buf, (size_t)n) == n;
	}
	if (buf)
		sodium_free(buf);
	ok = ok && fsync(fd) == 0;
	ok = (close(fd) == 0) && ok;
	if (!ok || rename(tmp, path)) {
		snprintf(why, whylen, "cannot write key file '%s': %s", path, strerror(errno));
		unlink(tmp);
		return ERR_IO;
	}
	char dir[4096];
	str_copy(dir, sizeof(dir), path);
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int add_version(struct crypt_keyring *kr, enum crypt_profile p)
{
	if (kr->n == CRYPT_MAX_KEYS)
		return ERR_TOO_LARGE;
	struct key_version *k = &kr->v[kr->n];
	memset(k, 0, sizeof(*k));
	k->version = kr->n ? kr->v[kr->n - 1].version + 1 : 1;
	k->profile = p;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(k->created, sizeof(k->created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sec_random(k->secret, sizeof(k->secret));
	if (derive(k))
		return ERR_INTERNAL;
	kr->n++;
	return 0;
}

int crypt_keyring_create(const char *path, enum crypt_profile p, char *why, size_t whylen)
{
	if (access(path, F_OK) == 0) {
		snprintf(why, whylen, "key file '%s' already exists", path);
		return ERR_CONFLICT;
	}
	struct crypt_keyring *kr = ring_new();
	int err = add_version(kr, p);
	if (err)
		snprintf(why, whylen, "cannot make a key");
	else
		err = write_ring(kr, path, why, whylen);
	crypt_keyring_free(kr);
	return err;
}

int crypt_keyring_add(struct crypt_keyring *kr, const char *path, enum crypt_profile p, char *why,
		      size_t whylen)
{
	int err = add_version(kr, p);
	if (err) {
		snprintf(why, whylen, "cannot add a key version (at most %d)", CRYPT_MAX_KEYS);
		return err;
	}
	if ((err = write_ring(kr, path, why, whylen))) {
		kr->n--;
		sodium_memzero(&kr->v[kr->n], sizeof(kr->v[kr->n]));
	}
	return err;
}

/* --- sealing -------------------------------------------------------------- */

static void put_header(unsigned char *h, const struct key_version *k)
{
	h[0] = (unsigned char)k->profile;
	h[1] = (unsigned char)(k->version >> 24);
	h[2] = (unsigned char)(k->version >> 16);
	h[3] = (unsigned char)(k->version >> 8);
	h[4] = (unsigned char)k->version;
}

int crypt_sealed_version(const unsigned char *sealed, size_t n)
{
	if (n < HDR_LEN || (sealed[0] != CRYPT_GM && sealed[0] != CRYPT_INTL))
		return -1;
	unsigned long v = ((unsigned long)sealed[1] << 24) | ((unsigned long)sealed[2] << 16) |
			  ((unsigned long)sealed[3] << 8) | sealed[4];
	return v > 1000000 ? -1 : (int)v;
}

/* The MAC of the gm layout: header, ad length and ad, iv, ciphertext. */
static int gm_tag(const struct key_version *k, const unsigned char *hdr, const char *ad,
		  const unsigned char *iv, const unsigned char *ct, size_t n, unsigned char *out)
{
	size_t adl = strlen(ad);
	unsigned char len[4] = { (unsigned char)(adl >> 24), (unsigned char)(adl >> 16),
				 (unsigned char)(adl >> 8), (unsigned char)adl };
	struct part parts[] = {
		{ hdr, HDR_LEN }, { len, 4 }, { ad, adl }, { iv, GM_IV }, { ct, n },
	};
	return mac_parts("SM3", k->mac, sizeof(k->mac), parts, 5, out);
}

int crypt_seal(const struct crypt_keyring *kr, struct arena *a, const char *ad, const void *plain,
	       size_t n, unsigned char **out, size_t *outlen)
{
	if (n > CRYPT_MAX_PLAIN || strlen(ad) > MAX_AD)
		return ERR_TOO_LARGE;
	if (!kr->n)
		return ERR_INTERNAL;
	const struct key_version *k = &kr->v[kr->n - 1];
	if (k->profile == CRYPT_GM) {
		size_t total = HDR_LEN + GM_IV + n + GM_TAG;
		unsigned char *b = arena_alloc(a, total), *iv = b + HDR_LEN, *ct = iv + GM_IV;
		put_header(b, k);
		sec_random(iv, GM_IV);
		if (sm4(true, k->enc, iv, plain, n, ct) || gm_tag(k, b, ad, iv, ct, n, ct + n))
			return ERR_INTERNAL;
		*out = b;
		*outlen = total;
		return 0;
	}
	size_t adl = strlen(ad), total = HDR_LEN + X_NONCE + n + X_TAG;
	unsigned char *b = arena_alloc(a, total), *nonce = b + HDR_LEN, *ct = nonce + X_NONCE;
	unsigned char full_ad[HDR_LEN + MAX_AD];
	put_header(b, k);
	memcpy(full_ad, b, HDR_LEN);
	memcpy(full_ad + HDR_LEN, ad, adl);
	sec_random(nonce, X_NONCE);
	unsigned long long clen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, plain, n, full_ad, HDR_LEN + adl,
						       NULL, nonce, k->enc) ||
	    clen != n + X_TAG)
		return ERR_INTERNAL;
	*out = b;
	*outlen = total;
	return 0;
}

struct wipe {
	void *p;
	size_t n;
};

static void wipe_cb(void *p)
{
	struct wipe *w = p;
	sodium_memzero(w->p, w->n);
}

/* An arena buffer of n+1 bytes, wiped when the arena goes. */
static char *secret_buf(struct arena *a, size_t n)
{
	struct wipe *w = arena_alloc(a, sizeof(*w));
	w->p = arena_alloc(a, n + 1);
	w->n = n + 1;
	arena_defer(a, wipe_cb, w);
	return w->p;
}

int crypt_open(const struct crypt_keyring *kr, struct arena *a, const char *ad,
	       const unsigned char *sealed, size_t n, char **out, size_t *outlen, int *version)
{
	int v = crypt_sealed_version(sealed, n);
	if (v < 0 || strlen(ad) > MAX_AD)
		return ERR_BAD_VALUE;
	const struct key_version *k = find(kr, v);
	if (!k)
		return ERR_NOT_FOUND;
	if (sealed[0] != k->profile)
		return ERR_BAD_VALUE;
	if (version)
		*version = v;
	if (k->profile == CRYPT_GM) {
		if (n < HDR_LEN + GM_IV + GM_TAG)
			return ERR_BAD_VALUE;
		size_t len = n - HDR_LEN - GM_IV - GM_TAG;
		const unsigned char *iv = sealed + HDR_LEN, *ct = iv + GM_IV;
		unsigned char tag[GM_TAG];
		if (gm_tag(k, sealed, ad, iv, ct, len, tag))
			return ERR_INTERNAL;
		/* encrypt-then-MAC: nothing is decrypted before the tag checks */
		if (!sec_memeq(tag, ct + len, GM_TAG))
			return ERR_BAD_VALUE;
		char *p = secret_buf(a, len);
		if (sm4(true, k->enc, iv, ct, len, (unsigned char *)p))
			return ERR_INTERNAL;
		p[len] = '\0';
		*out = p;
		*outlen = len;
		return 0;
	}
	if (n < HDR_LEN + X_NONCE + X_TAG)
		return ERR_BAD_VALUE;
	size_t adl = strlen(ad), clen = n - HDR_LEN - X_NONCE, len = clen - X_TAG;
	unsigned char full_ad[HDR_LEN + MAX_AD];
	memcpy(full_ad, sealed, HDR_LEN);
	memcpy(full_ad + HDR_LEN, ad, adl);
	char *p = secret_buf(a, len);
	unsigned long long plen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)p, &plen, NULL,
						       sealed + HDR_LEN + X_NONCE, clen, full_ad,
						       HDR_LEN + adl, sealed + HDR_LEN, k->enc) ||
	    plen != len)
		return ERR_BAD_VALUE;
	p[len] = '\0';
	*out = p;
	*outlen = len;
	return 0;
}

int crypt_blind_index(const struct crypt_keyring *kr, int version, const char *field,
		      const char *value, char *out)
{
	const struct key_version *k = version ? find(kr, version)
				      : kr->n ? &kr->v[kr->n - 1]
					      : NULL;
	if (!k)
		return ERR_NOT_FOUND;
	unsigned char d[32];
	struct part parts[] = { { field, strlen(field) + 1 }, { value, strlen(value) } };
	if (mac_parts(k->profile == CRYPT_GM ? "SM3" : "SHA256", k->idx, sizeof(k->idx), parts, 2,
		      d))
		return ERR_INTERNAL;
	sec_hex(d, CRYPT_BIDX_LEN, out);
	return 0;
}

/* --- self-tests ----------------------------------------------------------- */

static void unhex(const char *h, unsigned char *out)
{
	for (size_t i = 0; h[2 * i] && h[2 * i + 1]; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = h[2 * i + (size_t)j];
			v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 32) - 'a' + 10);
		}
		out[i] = (unsigned char)v;
	}
}

static bool hex_is(const unsigned char *bin, size_t n, const char *want)
{
	char got[512];
	if (2 * n + 1 > sizeof(got))
		return false;
	sec_hex(bin, n, got);
	return !strcmp(got, want);
}

static int kat_sm4(void)
{
	/* GB/T 32907-2016 appendix A, example 1: key = plain text */
	static const char kp[] = "0123456789abcdeffedcba9876543210";
	static const char want[] = "681edf34d206965e86b3e94f536e4246";
	unsigned char key[16], in[16], out[16], zero[16] = { 0 };
	unhex(kp, key);
	unhex(kp, in);
	if (sm4(false, key, NULL, in, 16, out) || !hex_is(out, 16, want))
		return -1;
	/* CTR's first keystream block is the block cipher of the IV */
	if (sm4(true, key, in, zero, 16, out) || !hex_is(out, 16, want))
		return -1;
	return 0;
}

static int kat_hmac_sm3(void)
{
	/* GM/T 0042-2015 appendix D.3: a 37-byte key 01..25, 50 bytes of 0xcd */
	unsigned char key[37], msg[50], out[32];
	for (int i = 0; i < 37; i++)
		key[i] = (unsigned char)(i + 1);
	memset(msg, 0xcd, sizeof(msg));
	struct part p = { msg, sizeof(msg) };
	if (mac_parts("SM3", key, sizeof(key), &p, 1, out) ||
	    !hex_is(out, 32, "220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae"))
		return -1;
	return 0;
}

static int kat_xchacha(void)
{
	/* draft-irtf-cfrg-xchacha-03 appendix A.3.1 */
	static const char msg[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
				  "only one tip for the future, sunscreen would be it.";
	static const char want[] =
		"bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
		"731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
		"2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
		"21f9664c97637da9768812f615c68b13b52e"
		"c0875924c1c7987947deafd8780acf49";
	unsigned char key[32], nonce[24], ad[12], ct[sizeof(msg) - 1 + X_TAG], back[sizeof(msg)];
	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)(0x80 + i);
	for (int i = 0; i < 24; i++)
		nonce[i] = (unsigned char)(0x40 + i);
	unhex("50515253c0c1c2c3c4c5c6c7", ad);
	unsigned long long clen = 0, plen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, (const unsigned char *)msg,
						       sizeof(msg) - 1, ad, sizeof(ad), NULL, nonce,
						       key) ||
	    clen != sizeof(ct) || !hex_is(ct, sizeof(ct), want))
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(back, &plen, NULL, ct, clen, ad, sizeof(ad),
						       nonce, key) ||
	    plen != sizeof(msg) - 1 || memcmp(back, msg, plen))
		return -1;
	ct[0] ^= 1;
	if (!crypto_aead_xchacha20poly1305_ietf_decrypt(back, &plen, NULL, ct, clen, ad, sizeof(ad),
							nonce, key))
		return -1;
	return 0;
}

/* Seals and opens a value under a fresh ring of each profile; a flipped
 * bit and another ad must not open. */
static int round_trips(void)
{
	int err = 0;
	for (int p = CRYPT_GM; !err && p <= CRYPT_INTL; p++) {
		struct crypt_keyring *kr = ring_new();
		struct arena *a = arena_new();
		unsigned char *s;
		size_t n, len;
		char *back;
		err = add_version(kr, (enum crypt_profile)p) ||
		      crypt_seal(kr, a, "self-test", "13800000000", 11, &s, &n) ||
		      crypt_open(kr, a, "self-test", s, n, &back, &len, NULL) || len != 11 ||
		      strcmp(back, "13800000000") ||
		      !crypt_open(kr, a, "self-tesT", s, n, &back, &len, NULL);
		if (!err) {
			s[n - 1] ^= 0x80;
			err = !crypt_open(kr, a, "self-test", s, n, &back, &len, NULL);
		}
		arena_free(a);
		crypt_keyring_free(kr);
	}
	return err ? -1 : 0;
}

int crypt_selftest(void)
{
	if (!algorithms()) {
		log_error("self-test failed: SM4-CTR or HMAC is not available from OpenSSL");
		return ERR_INTERNAL;
	}
	char hex[SEC_HEX_LEN];
	sec_digest_hex(SEC_SM3, "abc", 3, hex);
	const struct {
		const char *name;
		bool failed;
	} tests[] = {
		{ "SM3 (GB/T 32905)",
		  strcmp(hex, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0") !=
			  0 },
		{ "SM4 (GB/T 32907)", kat_sm4() != 0 },
		{ "HMAC-SM3 (GM/T 0042)", kat_hmac_sm3() != 0 },
		{ "XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha)", kat_xchacha() != 0 },
		{ "field encryption round trip", round_trips() != 0 },
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (tests[i].failed) {
			log_error("self-test failed: %s known answer", tests[i].name);
			return ERR_INTERNAL;
		}
	}
	return 0;
}

/* --- short secrets in text columns --- */

#define SEALED_PREFIX "sealed:"

int crypt_seal_text(const struct crypt_keyring *kr, struct arena *a, const char *ad,
		    const char *plain, const char **out)
{
	if (!kr) {
		*out = arena_strdup(a, plain);
		return 0;
	}
	unsigned char *sealed;
	size_t n;
	int err = crypt_seal(kr, a, ad, plain, strlen(plain), &sealed, &n);
	if (err)
		return err;
	char *hex = arena_alloc(a, sizeof(SEALED_PREFIX) + 2 * n);
	memcpy(hex, SEALED_PREFIX, sizeof(SEALED_PREFIX) - 1);
	sec_hex(sealed, n, hex + sizeof(SEALED_PREFIX) - 1);
	*out = hex;
	return 0;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int crypt_open_text(const struct crypt_keyring *kr, struct arena *a, const char *ad,
		    const char *stored, const char **plain, bool *stale)
{
	*stale = false;
	if (strncmp(stored, SEALED_PREFIX, sizeof(SEALED_PREFIX) - 1)) {
		*plain = stored;
		*stale = kr != NULL;
		return 0;
	}
	if (!kr)
		return ERR_UNAVAILABLE;
	const char *hex = stored + sizeof(SEALED_PREFIX) - 1;
	size_t hl = strlen(hex);
	if (hl % 2)
		return ERR_BAD_VALUE;
	unsigned char *bin = arena_alloc(a, hl / 2 + 1);
	for (size_t i = 0; i < hl; i += 2) {
		int h = hex_digit(hex[i]), l = hex_digit(hex[i + 1]);
		if (h < 0 || l < 0)
			return ERR_BAD_VALUE;
		bin[i / 2] = (unsigned char)(h << 4 | l);
	}
	char *out;
	size_t n;
	int version;
	int err = crypt_open(kr, a, ad, bin, hl / 2, &out, &n, &version);
	if (err)
		return err;
	*plain = out;
	*stale = version != crypt_keyring_current(kr);
	return 0;
}
