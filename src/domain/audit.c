/*
 * audit.c - see audit.h.
 *
 * The bytes hashed for record n:
 *   "pingan-audit-v1" NUL, prev (32 bytes), seq, at, user_id (8 bytes each,
 *   big-endian, two's complement), then username, ip, action, object,
 *   outcome, detail, each as a 4-byte big-endian length and its bytes.
 * An anchor's MAC is HMAC-SM3(key, "pingan-audit-anchor-v1" NUL, seq, at
 * (8 bytes each), hash (32 bytes)); its SM2 signature is over the same
 * bytes.
 */
#include "domain/audit.h"
#include "core/err.h"
#include "core/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char audit_genesis[SEC_HEX_LEN] =
	"0000000000000000000000000000000000000000000000000000000000000000";

size_t audit_field_len(const char *s, size_t max)
{
	if (!s)
		return 0;
	size_t n = strlen(s);
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* s[n] continues a character: cut before it starts */
	return n;
}

static void put64(unsigned char *p, long long v)
{
	uint64_t u = (uint64_t)v;
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
}

static int unhex(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char c = hex[2 * i + k];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (d < 0)
				return -1;
			v = v * 16 + d;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

#define MAGIC "pingan-audit-v1"

void audit_hash(const char *prev, const struct audit_rec *r, char *out)
{
	const char *f[6] = { r->username, r->ip, r->action, r->object, r->outcome, r->detail };
	static const size_t max[6] = { AUDIT_USER_MAX,   AUDIT_IP_MAX,      AUDIT_ACTION_MAX,
				       AUDIT_OBJECT_MAX, AUDIT_OUTCOME_MAX, AUDIT_DETAIL_MAX };
	unsigned char buf[sizeof(MAGIC) + SEC_DIGEST_LEN + 24 + 6 * 4 + AUDIT_USER_MAX +
			  AUDIT_IP_MAX + AUDIT_ACTION_MAX + AUDIT_OBJECT_MAX + AUDIT_OUTCOME_MAX +
			  AUDIT_DETAIL_MAX];
	size_t n = 0;
	memcpy(buf, MAGIC, sizeof(MAGIC));
	n += sizeof(MAGIC);
	if (unhex(prev, buf + n, SEC_DIGEST_LEN))
		memset(buf + n, 0xff, SEC_DIGEST_LEN); /* a malformed prev never matches */
	n += SEC_DIGEST_LEN;
	put64(buf + n, r->seq);
	put64(buf + n + 8, r->at);
	put64(buf + n + 16, r->user_id);
	n += 24;
	for (int i = 0; i < 6; i++) {
		size_t len = audit_field_len(f[i], max[i]);
		buf[n] = 0;
		buf[n + 1] = 0;
		buf[n + 2] = (unsigned char)(len >> 8);
		buf[n + 3] = (unsigned char)(len & 0xff);
		n += 4;
		if (len)
			memcpy(buf + n, f[i], len);
		n += len;
	}
	sec_digest_hex(SEC_SM3, buf, n, out);
}

static const char anchor_magic[] = "pingan-audit-anchor-v1";
#define ANCHOR_MSG (sizeof(anchor_magic) + 16 + SEC_DIGEST_LEN)

static void anchor_msg(long long seq, const char *hash, long long at, unsigned char *buf)
{
	memcpy(buf, anchor_magic, sizeof(anchor_magic));
	put64(buf + sizeof(anchor_magic), seq);
	put64(buf + sizeof(anchor_magic) + 8, at);
	if (unhex(hash, buf + sizeof(anchor_magic) + 16, SEC_DIGEST_LEN))
		memset(buf + sizeof(anchor_magic) + 16, 0xff, SEC_DIGEST_LEN);
}

void audit_anchor_mac(const unsigned char *key, size_t keylen, long long seq, const char *hash,
		      long long at, char *out)
{
	unsigned char buf[ANCHOR_MSG], mac[SEC_DIGEST_LEN];
	anchor_msg(seq, hash, at, buf);
	sec_hmac(SEC_SM3, key, keylen, buf, sizeof(buf), mac);
	sec_hex(mac, sizeof(mac), out);
}

int audit_anchor_sign(const struct sm2_key *k, long long seq, const char *hash, long long at,
		      char *out)
{
	unsigned char buf[ANCHOR_MSG];
	anchor_msg(seq, hash, at, buf);
	return sm2_sign_hex(k, buf, sizeof(buf), out);
}

static bool anchor_sig_ok(const struct sm2_key *k, const struct audit_anchor *a)
{
	unsigned char buf[ANCHOR_MSG];
	anchor_msg(a->seq, a->hash, a->at, buf);
	return sm2_verify_hex(k, buf, sizeof(buf), a->sig);
}

int audit_sign_key_load(const char *path, bool create, struct sm2_key **out, char *why,
			size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		char *pem = NULL;
		if (sm2_generate(&pem)) {
			snprintf(why, whylen, "cannot make an SM2 key");
			return ERR_INTERNAL;
		}
		size_t len = strlen(pem);
		int w = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		int bad = w < 0 ? (errno == EEXIST ? 0 : -1)
				: (write(w, pem, len) != (ssize_t)len || fsync(w));
		if (w >= 0)
			close(w);
		sec_wipe(pem, len);
		free(pem);
		if (bad) {
			if (w >= 0)
				unlink(path);
			snprintf(why, whylen, "cannot write the audit signing key '%s'", path);
			return ERR_IO;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(why, whylen, "cannot read the audit signing key '%s': %s", path,
			 strerror(errno));
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_IO;
	}
	char buf[8192];
	ssize_t got = read(fd, buf, sizeof(buf));
	close(fd);
	*out = got > 0 && got < (ssize_t)sizeof(buf) ? sm2_load(buf, (size_t)got) : NULL;
	sec_wipe(buf, sizeof(buf));
	if (!*out) {
		snprintf(why, whylen, "'%s' holds no SM2 key in PEM", path);
		return ERR_BAD_VALUE;
	}
	return 0;
}

void audit_key_id(const unsigned char *key, size_t keylen, char out[AUDIT_KEY_ID_LEN])
{
	char hex[SEC_HEX_LEN];
	sec_digest_hex(SEC_SM3, key, keylen, hex);
	memcpy(out, hex, AUDIT_KEY_ID_LEN - 1);
	out[AUDIT_KEY_ID_LEN - 1] = '\0';
}

int audit_key_load(const char *path, bool create, unsigned char key[AUDIT_KEY_LEN], char *why,
		   size_t whylen)
{
	char hex[2 * AUDIT_KEY_LEN + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		unsigned char k[AUDIT_KEY_LEN];
		sec_random(k, sizeof(k));
		sec_hex(k, sizeof(k), hex);
		hex[2 * AUDIT_KEY_LEN] = '\n';
		sec_wipe(k, sizeof(k));
		int w = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (w >= 0) {
			ssize_t got = write(w, hex, 2 * AUDIT_KEY_LEN + 1);
			int bad = got != 2 * AUDIT_KEY_LEN + 1 || fsync(w);
			close(w);
			sec_wipe(hex, sizeof(hex));
			if (bad) {
				unlink(path);
				snprintf(why, whylen, "cannot write the audit key file '%s'", path);
				return ERR_IO;
			}
		} else if (errno != EEXIST) {
			snprintf(why, whylen, "cannot create the audit key file '%s': %s", path,
				 strerror(errno));
			return ERR_IO;
		}
		/* made (or another process made it first): read it back */
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(why, whylen, "cannot read the audit key file '%s': %s", path,
			 strerror(errno));
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_IO;
	}
	ssize_t got = read(fd, hex, sizeof(hex));
	close(fd);
	int err = 0;
	if (got < 2 * AUDIT_KEY_LEN ||
	    (got > 2 * AUDIT_KEY_LEN && hex[2 * AUDIT_KEY_LEN] != '\n') ||
	    unhex(hex, key, AUDIT_KEY_LEN)) {
		snprintf(why, whylen, "the audit key file '%s' does not hold 64 hex digits", path);
		err = ERR_BAD_VALUE;
	}
	sec_wipe(hex, sizeof(hex));
	return err;
}

/* --- verification --- */

static void problem(struct audit_verify *v, long long seq, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct audit_verify *v, long long seq, const char *kind, const char *fmt, ...)
{
	v->ok = false;
	if (v->problems++)
		return;
	v->problem_seq = seq;
	str_copy(v->problem_kind, sizeof(v->problem_kind), kind);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->problem, sizeof(v->problem), fmt, ap);
	va_end(ap);
}

void audit_verify_init(struct audit_verify *v, const struct audit_anchor *anchors, size_t n,
		       const unsigned char *key, size_t keylen, const struct sm2_key *pub,
		       long long start_seq, const char *start_hash)
{
	memset(v, 0, sizeof(*v));
	v->ok = true;
	v->head_seq = start_seq;
	str_copy(v->head, sizeof(v->head), start_hash);
	v->av = anchors;
	v->nav = n;
	v->anchors = (long long)n;
	v->key = key;
	v->keylen = keylen;
	v->latest_anchor_seq = n ? anchors[n - 1].seq : -1;
	if (key)
		audit_key_id(key, keylen, v->key_id);
	char pub_id[SM2_KEY_ID_LEN] = "";
	if (pub)
		sm2_key_id(pub, pub_id);
	/* each anchor's signature first: a forged anchor proves nothing */
	for (size_t i = 0; i < n; i++) {
		const struct audit_anchor *a = &anchors[i];
		if (i && a->seq < anchors[i - 1].seq)
			problem(v, a->seq, "anchor_order", "anchor %lld goes back to record %lld",
				a->id, a->seq);
		if (key && strcmp(a->key_id, v->key_id)) {
			problem(v, a->seq, "bad_mac",
				"anchor %lld was signed with another key (%s, not %s)", a->id,
				a->key_id, v->key_id);
		} else if (key) {
			char mac[SEC_HEX_LEN];
			audit_anchor_mac(key, keylen, a->seq, a->hash, a->at, mac);
			if (!sec_memeq(mac, a->mac, SEC_HEX_LEN - 1))
				problem(v, a->seq, "bad_mac",
					"anchor %lld (record %lld) has a wrong signature", a->id,
					a->seq);
		}
		if (!pub || (!*a->sig && key))
			continue;
		/* with only the public key, an unsigned anchor proves nothing */
		if (!*a->sig)
			problem(v, a->seq, "bad_sig", "anchor %lld carries no SM2 signature",
				a->id);
		else if (strcmp(a->sig_key_id, pub_id))
			problem(v, a->seq, "bad_sig",
				"anchor %lld was signed with another SM2 key (%s, not %s)", a->id,
				a->sig_key_id, pub_id);
		else if (!anchor_sig_ok(pub, a))
			problem(v, a->seq, "bad_sig",
				"anchor %lld (record %lld) has a wrong SM2 signature", a->id,
				a->seq);
	}
	/* anchors at or before where the chain starts (archived) check against it */
	while (v->next_anchor < v->nav && v->av[v->next_anchor].seq <= start_seq) {
		const struct audit_anchor *a = &v->av[v->next_anchor++];
		if (a->seq == start_seq && strcmp(a->hash, start_hash))
			problem(v, a->seq, "anchor_mismatch",
				"anchor %lld does not match the archived head %lld", a->id, a->seq);
		v->anchors_checked++;
	}
}

void audit_verify_record(struct audit_verify *v, const struct audit_rec *r)
{
	v->records++;
	if (r->seq != v->head_seq + 1)
		problem(v, r->seq, "gap",
			r->seq > v->head_seq + 1 ? "records %lld to %lld are missing"
						 : "record %lld appears out of order after %lld",
			r->seq > v->head_seq + 1 ? v->head_seq + 1 : r->seq,
			r->seq > v->head_seq + 1 ? r->seq - 1 : v->head_seq);
	else if (strcmp(r->prev, v->head))
		problem(v, r->seq, "broken_link",
			"record %lld does not continue the chain (a record before it was removed, "
			"inserted or moved)",
			r->seq);
	char h[SEC_HEX_LEN];
	audit_hash(r->prev, r, h);
	if (strcmp(h, r->hash))
		problem(v, r->seq, "altered", "record %lld was altered (its hash does not match)",
			r->seq);
	while (v->next_anchor < v->nav && v->av[v->next_anchor].seq <= r->seq) {
		const struct audit_anchor *a = &v->av[v->next_anchor++];
		if (a->seq < r->seq)
			problem(v, a->seq, "anchor_mismatch",
				"anchor %lld names record %lld, which is missing", a->id, a->seq);
		else if (strcmp(a->hash, r->hash))
			problem(v, a->seq, "anchor_mismatch",
				"record %lld differs from its anchor %lld (the chain was "
				"rewritten)",
				r->seq, a->id);
		v->anchors_checked++;
	}
	v->head_seq = r->seq;
	str_copy(v->head, sizeof(v->head), r->hash);
}

void audit_verify_finish(struct audit_verify *v)
{
	if (v->next_anchor < v->nav) {
		const struct audit_anchor *a = &v->av[v->nav - 1];
		problem(v, a->seq, "truncated",
			"the log ends at record %lld but anchor %lld names record %lld",
			v->head_seq, a->id, a->seq);
	}
}
