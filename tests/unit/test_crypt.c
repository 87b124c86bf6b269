/*
 * test_crypt.c - field encryption (crypt.c) and personal-data fields
 * (pii.c): known answers, key files, seal/open round trips in both
 * profiles, tampering, other contexts and missing key versions, blind
 * indexes, ID and mobile validation, masking.
 */
#include "tap.h"

#include "core/arena.h"
#include "core/crypt.h"
#include "core/err.h"
#include "core/pii.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/pingan-crypt-XXXXXX";

static char *path_in(struct arena *a, const char *name)
{
	return arena_printf(a, "%s/%s", dir, name);
}

static void file_tests(struct arena *a)
{
	char why[256];
	struct crypt_keyring *kr = NULL;
	const char *p = path_in(a, "k1");
	is_int(crypt_keyring_load(p, &kr, why, sizeof(why)), ERR_NOT_FOUND,
	       "keys: a missing file is ERR_NOT_FOUND");
	is_int(crypt_keyring_create(p, CRYPT_GM, why, sizeof(why)), 0, "keys: create a gm file");
	struct stat sb;
	ok(!stat(p, &sb) && (sb.st_mode & 0777) == 0600, "keys: the file is created 0600");
	is_int(crypt_keyring_create(p, CRYPT_GM, why, sizeof(why)), ERR_CONFLICT,
	       "keys: create refuses to overwrite");
	is_int(crypt_keyring_load(p, &kr, why, sizeof(why)), 0, "keys: load the file");
	is_int(crypt_keyring_current(kr), 1, "keys: version 1 is current");
	is_int(crypt_keyring_add(kr, p, CRYPT_INTL, why, sizeof(why)), 0, "keys: add version 2");
	is_int(crypt_keyring_current(kr), 2, "keys: version 2 is current");
	enum crypt_profile prof;
	is_int(crypt_keyring_version(kr, 0, &prof, NULL), 2, "keys: newest first");
	is_int(prof, CRYPT_INTL, "keys: version 2 is intl");
	struct crypt_keyring *again;
	is_int(crypt_keyring_load(p, &again, why, sizeof(why)), 0, "keys: reload after add");
	is_int(crypt_keyring_count(again), 2, "keys: both versions were written");
	/* what one ring seals, the reloaded ring opens */
	unsigned char *s;
	size_t n, len;
	char *back;
	is_int(crypt_seal(kr, a, "events/1/phone", "13912345678", 11, &s, &n), 0,
	       "keys: seal with the ring in memory");
	is_int(crypt_open(again, a, "events/1/phone", s, n, &back, &len, NULL), 0,
	       "keys: open with the ring from the file");
	is_str(back, "13912345678", "keys: same value");
	crypt_keyring_free(again);
	crypt_keyring_free(kr);

	chmod(p, 0640);
	is_int(crypt_keyring_load(p, &kr, why, sizeof(why)), ERR_FORBIDDEN,
	       "keys: a group-readable file is refused");
	ok(strstr(why, "chmod 600") != NULL, "keys: the message says how to fix it");

	const char *bad = path_in(a, "bad");
	FILE *f = fopen(bad, "w");
	fputs("# comment\n1 gm 2026-01-01T00:00:00Z c2VjcmV0\n", f);
	fclose(f);
	chmod(bad, 0600);
	is_int(crypt_keyring_load(bad, &kr, why, sizeof(why)), ERR_BAD_FILE,
	       "keys: a short secret is refused");
	ok(!strstr(why, "c2VjcmV0"), "keys: the message does not repeat the line");
	f = fopen(bad, "w");
	fputs("2 gm x AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	      "1 gm x AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
	      f);
	fclose(f);
	is_int(crypt_keyring_load(bad, &kr, why, sizeof(why)), ERR_BAD_FILE,
	       "keys: falling versions are refused");
	f = fopen(bad, "w");
	fputs("# nothing\n", f);
	fclose(f);
	is_int(crypt_keyring_load(bad, &kr, why, sizeof(why)), ERR_BAD_FILE,
	       "keys: a file without keys is refused");
}

static void seal_tests(struct arena *a, enum crypt_profile prof, const char *name)
{
	char why[256];
	const char *p = path_in(a, name);
	struct crypt_keyring *kr;
	if (crypt_keyring_create(p, prof, why, sizeof(why)) ||
	    crypt_keyring_load(p, &kr, why, sizeof(why))) {
		ok(0, "%s: key file: %s", name, why);
		return;
	}
	static const char *const values[] = { "", "张三", "330108199001011234",
					      "浙江省杭州市滨江区长河街道江汉路1号" };
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		unsigned char *s;
		size_t n, len;
		char *back;
		int v = 0;
		int err = crypt_seal(kr, a, "events/7/name", values[i], strlen(values[i]), &s, &n);
		is_int(err, 0, "%s: seal value %zu", name, i);
		if (err)
			continue;
		ok(!memmem(s, n, values[i], strlen(values[i])) || !*values[i],
		   "%s: the sealed bytes do not hold the value %zu", name, i);
		is_int(crypt_open(kr, a, "events/7/name", s, n, &back, &len, &v), 0,
		       "%s: open value %zu", name, i);
		is_str(back, values[i], "%s: round trip of value %zu", name, i);
		is_int(v, 1, "%s: sealed by version 1", name);
		is_int(crypt_sealed_version(s, n), 1, "%s: the header names version 1", name);
		/* every byte flipped, header and all, is refused */
		int refused = 0;
		for (size_t k = 0; k < n; k++) {
			s[k] ^= 0x01;
			if (crypt_open(kr, a, "events/7/name", s, n, &back, &len, NULL))
				refused++;
			s[k] ^= 0x01;
		}
		is_int(refused, (long long)n, "%s: every tampered byte of value %zu fails the MAC",
		       name, i);
		ok(crypt_open(kr, a, "events/8/name", s, n, &back, &len, NULL) == ERR_BAD_VALUE,
		   "%s: another event's context does not open value %zu", name, i);
		ok(crypt_open(kr, a, "events/7/name", s, n - 1, &back, &len, NULL) != 0,
		   "%s: a truncated value does not open", name);
	}
	/* two seals of one value differ (random nonce) */
	unsigned char *s1, *s2;
	size_t n1, n2;
	crypt_seal(kr, a, "c", "13800000000", 11, &s1, &n1);
	crypt_seal(kr, a, "c", "13800000000", 11, &s2, &n2);
	ok(n1 == n2 && memcmp(s1, s2, n1), "%s: sealing is randomised", name);

	/* a version the ring lacks: sealed under v2, opened with only v1 */
	struct crypt_keyring *old;
	crypt_keyring_load(p, &old, why, sizeof(why));
	crypt_keyring_add(kr, p, prof, why, sizeof(why));
	unsigned char *s3;
	size_t n3, len;
	char *back;
	crypt_seal(kr, a, "c", "13800000000", 11, &s3, &n3);
	is_int(crypt_sealed_version(s3, n3), 2, "%s: new values use version 2", name);
	is_int(crypt_open(old, a, "c", s3, n3, &back, &len, NULL), ERR_NOT_FOUND,
	       "%s: a ring without version 2 cannot open it", name);
	is_int(crypt_open(kr, a, "c", s1, n1, &back, &len, NULL), 0,
	       "%s: version 1 values still open after adding version 2", name);

	/* blind indexes: stable, per field, per version */
	char b1[CRYPT_BIDX_HEX], b2[CRYPT_BIDX_HEX], b3[CRYPT_BIDX_HEX], b4[CRYPT_BIDX_HEX];
	crypt_blind_index(kr, 1, "phone", "13800000000", b1);
	crypt_blind_index(old, 0, "phone", "13800000000", b2);
	crypt_blind_index(kr, 1, "id_no", "13800000000", b3);
	crypt_blind_index(kr, 2, "phone", "13800000000", b4);
	is_str(b1, b2, "%s: a blind index is stable across loads", name);
	ok(strcmp(b1, b3), "%s: another field gives another index", name);
	ok(strcmp(b1, b4), "%s: another version gives another index", name);
	is_int(strlen(b1), 2 * CRYPT_BIDX_LEN, "%s: index is %d hex digits", name,
	       2 * CRYPT_BIDX_LEN);
	is_int(crypt_blind_index(kr, 9, "phone", "1", b1), ERR_NOT_FOUND,
	       "%s: no index for an unknown version", name);
	crypt_keyring_free(old);
	crypt_keyring_free(kr);
}

static void pii_tests(struct arena *a)
{
	/* GB 11643-1999's own examples, and a constructed Binjiang number */
	ok(pii_id_valid("11010519491231002X", 0), "id: the standard's example 11010519491231002X");
	ok(pii_id_valid("11010519491231002x", 0), "id: a lowercase x is accepted");
	/* the standard's other example was born in 1880: its check character is
	 * right, but nobody living was born before 1900 */
	is_int(pii_id_check_char("44052418800101001"), '4',
	       "id: check character of the standard's example 440524188001010014");
	ok(!pii_id_valid("440524188001010014", 0), "id: born in 1880 is refused");
	char id[19] = "33010819900307123";
	id[17] = pii_id_check_char(id);
	id[18] = '\0';
	ok(pii_id_valid(id, 0), "id: a constructed 330108 number with its check character");
	/* fix: give the number its right check character, so only the named
	 * property is wrong */
	static const struct {
		const char *id, *why;
		bool fix;
	} bad[] = {
		{ "110105194912310021", "wrong check character", false },
		{ "11010519491231002", "17 characters", false },
		{ "1101051949123100211", "19 characters", false },
		{ "990105194912310020", "no province 99", true },
		{ "110000194912310020", "region 0000", true },
		{ "110105194902300020", "30 February", true },
		{ "110105190002290020", "29 February 1900", true },
		{ "110105189912310020", "born before 1900", true },
		{ "11010519491231A02X", "a letter among the digits", false },
		{ "", "empty", false },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char b[24];
		snprintf(b, sizeof(b), "%s", bad[i].id);
		if (bad[i].fix)
			b[17] = pii_id_check_char(b);
		ok(!pii_id_valid(b, 0), "id: refused (%s)", bad[i].why);
	}
	/* born tomorrow (China time) is refused, today is fine */
	long long now = 1764057600; /* 2025-11-25T08:00:00Z = 16:00 in China */
	char today[19] = "11010520251125001", tomorrow[19] = "11010520251126001";
	today[17] = pii_id_check_char(today);
	tomorrow[17] = pii_id_check_char(tomorrow);
	ok(pii_id_valid(today, now), "id: born today is valid");
	ok(!pii_id_valid(tomorrow, now), "id: born tomorrow is refused");

	char out[12];
	static const struct {
		const char *in, *want;
	} good[] = { { "13812345678", "13812345678" },     { "138 1234 5678", "13812345678" },
		     { "138-1234-5678", "13812345678" },   { "+8613812345678", "13812345678" },
		     { "008619912345678", "19912345678" }, { "8615912345678", "15912345678" } };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(pii_phone_normalize(good[i].in, out) && !strcmp(out, good[i].want),
		   "phone: '%s' is %s", good[i].in, good[i].want);
	static const char *const badp[] = { "12812345678",    "1381234567",  "138123456789",
					    "0571-8888888",   "1381234567a", "",
					    "+1 13812345678", "23812345678" };
	for (size_t i = 0; i < sizeof(badp) / sizeof(badp[0]); i++)
		ok(!pii_phone_normalize(badp[i], out), "phone: '%s' is refused", badp[i]);

	is_str(pii_mask(a, PII_ID_NO, "330108199003071234"), "330108********1234", "mask: ID");
	is_str(pii_mask(a, PII_PHONE, "13812345678"), "138****5678", "mask: mobile");
	is_str(pii_mask(a, PII_NAME, "张三"), "张*", "mask: a two-character name");
	is_str(pii_mask(a, PII_NAME, "欧阳娜娜"), "欧***", "mask: a four-character name");
	is_str(pii_mask(a, PII_NAME, "李"), "*", "mask: a one-character name");
	is_str(pii_mask(a, PII_ADDRESS, "浙江省杭州市滨江区长河街道江汉路1号"),
	       "浙江省杭州市滨江****", "mask: an address keeps at most 8 characters");
	is_str(pii_mask(a, PII_ADDRESS, "示例路1号"), "示例****",
	       "mask: a short address keeps its first half");
	is_str(pii_mask(a, PII_PHONE, "123"), "****", "mask: an odd value shows nothing");

	struct pii_contact c = { { "王某某", "+86 199-0000-1234", "11010519491231002x", "" } };
	char why[256];
	is_int(pii_contact_check(&c, a, 0, why, sizeof(why)), 0, "contact: a good contact");
	is_str(c.v[PII_PHONE], "19900001234", "contact: the phone is normalised");
	is_str(c.v[PII_ID_NO], "11010519491231002X", "contact: the check x is upper case");
	ok(c.v[PII_ADDRESS] == NULL, "contact: an empty field is dropped");
	struct pii_contact d = { { NULL, "13812345670x", NULL, NULL } };
	is_int(pii_contact_check(&d, a, 0, why, sizeof(why)), ERR_BAD_VALUE,
	       "contact: a bad phone is refused");
	ok(!strstr(why, "1381234567"), "contact: the message does not repeat the value");
	struct pii_contact e = { { "a\nb", NULL, NULL, NULL } };
	is_int(pii_contact_check(&e, a, 0, why, sizeof(why)), ERR_BAD_VALUE,
	       "contact: a name with a line break is refused");
	struct pii_contact none = { { NULL, "", NULL, NULL } };
	ok(pii_contact_empty(&none), "contact: empty strings count as empty");
}

/* crypt_seal_text / crypt_open_text: the text form of short secrets */
static void text_tests(struct arena *a)
{
	char why[256];
	struct crypt_keyring *kr = NULL;
	const char *p = path_in(a, "text.keys");
	is_int(crypt_keyring_create(p, CRYPT_GM, why, sizeof(why)), 0, "text: a key file");
	is_int(crypt_keyring_load(p, &kr, why, sizeof(why)), 0, "text: load it");
	const char *stored, *plain;
	bool stale;
	is_int(crypt_seal_text(NULL, a, "w/1", "abc", &stored), 0, "text: no ring");
	is_str(stored, "abc", "text: without a ring the value is kept plain");
	is_int(crypt_open_text(NULL, a, "w/1", "abc", &plain, &stale), 0, "text: plain opens");
	ok(!stale && !strcmp(plain, "abc"), "text: plain and not stale without a ring");
	is_int(crypt_open_text(kr, a, "w/1", "abc", &plain, &stale), 0, "text: plain with a ring");
	ok(stale, "text: plain with a ring is stale (seal it)");
	is_int(crypt_seal_text(kr, a, "w/1", "0123456789abcdef", &stored), 0, "text: seal");
	ok(!strncmp(stored, "sealed:", 7) && !strstr(stored, "0123456789abcdef"),
	   "text: sealed:hex, not the value");
	is_int(crypt_open_text(kr, a, "w/1", stored, &plain, &stale), 0, "text: open");
	ok(!stale && !strcmp(plain, "0123456789abcdef"), "text: the value, current version");
	is_int(crypt_open_text(kr, a, "w/2", stored, &plain, &stale), ERR_BAD_VALUE,
	       "text: another row's associated data does not open it");
	is_int(crypt_open_text(NULL, a, "w/1", stored, &plain, &stale), ERR_UNAVAILABLE,
	       "text: sealed and no ring");
	is_int(crypt_open_text(kr, a, "w/1", "sealed:abc", &plain, &stale), ERR_BAD_VALUE,
	       "text: odd hex");
	is_int(crypt_open_text(kr, a, "w/1", "sealed:zz", &plain, &stale), ERR_BAD_VALUE,
	       "text: not hex");
	is_int(crypt_keyring_add(kr, p, CRYPT_INTL, why, sizeof(why)), 0, "text: a new version");
	is_int(crypt_open_text(kr, a, "w/1", stored, &plain, &stale), 0, "text: old version opens");
	ok(stale, "text: an older version is stale");
	crypt_keyring_free(kr);
}

void suite_crypt(void)
{
	is_int(crypt_selftest(), 0, "self-test: SM3, SM4, HMAC-SM3, XChaCha20-Poly1305 KATs");
	if (!mkdtemp(dir)) {
		ok(0, "crypt: cannot make a temporary folder");
		return;
	}
	struct arena *a = arena_new();
	file_tests(a);
	seal_tests(a, CRYPT_GM, "gm.keys");
	seal_tests(a, CRYPT_INTL, "intl.keys");
	pii_tests(a);
	text_tests(a);
	arena_free(a);
	const char *names[] = { "k1", "bad", "gm.keys", "intl.keys", "text.keys" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char p[128];
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}
