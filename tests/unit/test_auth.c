/*
 * test_auth.c - unit tests for src/core/totp.c and the password blocklist
 * and user-name rule of src/domain/auth.c.
 *
 * TOTP against RFC 6238 appendix B (SHA-1, 8 digits, the 20-byte ASCII
 * seed); SM3 against values computed outside this code: with Node.js's
 * crypto (createHmac('sm3'), its own HMAC and a hand-written RFC 4226
 * truncation, tests/api/login_totp.test.mjs does the same at run time) —
 * the numbers below were printed by that script. Base32 against RFC 4648
 * section 10. The verification window, single use (a step at or before the
 * last used one never passes) and malformed codes. Then the store's
 * second-factor rows (single use as one conditional update, enabled rows
 * never replaced), scoped user look-ups, and auth_login / auth_session with
 * second factors, restricted stages and password ageing on a real database.
 */
#include "tap.h"

#include "core/config.h"
#include "core/crypt.h"
#include "core/err.h"
#include "core/sec.h"
#include "core/str.h"
#include "core/totp.h"
#include "domain/auth.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void suite_auth(void);

static const char SEED[] = "12345678901234567890";

static void rfc6238(void)
{
	static const struct {
		long long t;
		long sha1, sm3;
	} v[] = {
		{ 59, 94287082, 78614758 },         { 1111111109, 7081804, 71578389 },
		{ 1111111111, 14050471, 8739145 },  { 1234567890, 89005924, 64982201 },
		{ 2000000000, 69279037, 77639624 }, { 20000000000LL, 65353130, 363153 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint64_t step = (uint64_t)(v[i].t / 30);
		is_int(totp_hotp("sha1", SEED, 20, step, 8), v[i].sha1,
		       "totp sha1: RFC 6238 at %lld", v[i].t);
		is_int(totp_hotp("sm3", SEED, 20, step, 8), v[i].sm3, "totp sm3: at %lld", v[i].t);
		is_int(totp_hotp("sm3", SEED, 20, step, 6), v[i].sm3 % 1000000,
		       "totp sm3: 6 digits at %lld", v[i].t);
	}
	is_int(totp_hotp("md5", SEED, 20, 1, 6), -1, "totp: unknown algorithm");
	is_int(totp_hotp("sha1", SEED, 20, 1, 5), -1, "totp: 5 digits refused");
	is_int(totp_hotp("sha1", SEED, 20, 1, 9), -1, "totp: 9 digits refused");
	ok(totp_alg_valid("sha1") && totp_alg_valid("sm3") && !totp_alg_valid("SHA1") &&
		   !totp_alg_valid(NULL) && !totp_alg_valid("sha256"),
	   "totp: the algorithm names");
}

static void code_at(const char *alg, long long t, char out[8])
{
	snprintf(out, 8, "%06ld", totp_hotp(alg, SEED, 20, (uint64_t)(t / 30), 6));
}

static void verify(void)
{
	const long long t = 1234567890; /* step 41152263 */
	const long long s = t / 30;
	char c[8], prev[8], next[8], far[8];
	code_at("sha1", t, c);
	code_at("sha1", t - 30, prev);
	code_at("sha1", t + 30, next);
	code_at("sha1", t + 90, far);
	long long step = -1;
	ok(totp_verify("sha1", SEED, 20, c, t, 1, 0, &step) && step == s, "verify: current step");
	ok(totp_verify("sha1", SEED, 20, prev, t, 1, 0, &step) && step == s - 1,
	   "verify: previous step within the window");
	ok(totp_verify("sha1", SEED, 20, next, t, 1, 0, &step) && step == s + 1,
	   "verify: next step within the window");
	ok(!totp_verify("sha1", SEED, 20, far, t, 1, 0, &step), "verify: three steps ahead fails");
	ok(!totp_verify("sha1", SEED, 20, prev, t, 0, 0, &step), "verify: window 0 is exact");
	/* single use: a step at or before the last used one never passes */
	ok(!totp_verify("sha1", SEED, 20, c, t, 1, s, &step), "verify: the used step is refused");
	ok(!totp_verify("sha1", SEED, 20, prev, t, 1, s, &step),
	   "verify: an older step is refused after a newer one was used");
	ok(totp_verify("sha1", SEED, 20, next, t, 1, s, &step) && step == s + 1,
	   "verify: a later step still passes");
	ok(!totp_verify("sm3", SEED, 20, c, t, 1, 0, &step) ||
		   totp_hotp("sm3", SEED, 20, (uint64_t)s, 6) == atol(c),
	   "verify: a SHA-1 code is not an SM3 code");
	static const char *const bad[] = { "",       "12345",  "1234567", "12345a",
					   " 12345", "-12345", "123 45" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!totp_verify("sha1", SEED, 20, bad[i], t, 1, 0, &step), "verify: '%s' refused",
		   bad[i]);
	ok(!totp_verify("sha1", SEED, 20, NULL, t, 1, 0, &step), "verify: NULL refused");
	ok(!totp_verify("sha1", SEED, 20, c, -1, 1, 0, &step), "verify: negative time refused");
}

static void base32(void)
{
	static const char *const v[][2] = { { "", "" },
					    { "f", "MY" },
					    { "fo", "MZXQ" },
					    { "foo", "MZXW6" },
					    { "foob", "MZXW6YQ" },
					    { "fooba", "MZXW6YTB" },
					    { "foobar", "MZXW6YTBOI" } };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char out[32];
		unsigned char back[32];
		totp_b32_encode(v[i][0], strlen(v[i][0]), out);
		is_str(out, v[i][1], "base32: RFC 4648 '%s'", v[i][0]);
		long n = totp_b32_decode(v[i][1], back, sizeof(back));
		ok(n == (long)strlen(v[i][0]) && !memcmp(back, v[i][0], (size_t)n),
		   "base32: '%s' decodes back", v[i][1]);
	}
	unsigned char b[32];
	is_int(totp_b32_decode("mzxw 6ytb oi==", b, sizeof(b)), 6,
	       "base32: lower case, spaces and padding accepted");
	is_int(totp_b32_decode("MZXW1", b, sizeof(b)), -1, "base32: '1' is not in the alphabet");
	is_int(totp_b32_decode("MZXW6YTBOI", b, 5), -1, "base32: longer than the buffer");
	char enc[TOTP_B32_MAX];
	unsigned char key[TOTP_SECRET_LEN];
	memset(key, 0xa5, sizeof(key));
	totp_b32_encode(key, sizeof(key), enc);
	is_int((long)strlen(enc), 32, "base32: a 160-bit secret is 32 characters");
}

static void blocklist(void)
{
	char path[] = "/tmp/pingan-block-XXXXXX", why[256];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs("# Comment-line-42\npassword1234\r\nqwertyuiop123!\n\n1qaz2wsx3edc4rfv\n", f);
	fclose(f);
	is_int(auth_password_policy("Password1234", why, sizeof(why)), 0,
	       "blocklist: none loaded, 'Password1234' passes the rules");
	is_int(auth_blocklist_load(path, why, sizeof(why)), 0, "blocklist: loads");
	is_int(auth_password_policy("Password1234", why, sizeof(why)), ERR_BAD_VALUE,
	       "blocklist: refused, whatever the case");
	is_str(why, "the password is on the list of common passwords", "blocklist: message");
	is_int(auth_password_policy("QWERTYUIOP123!", why, sizeof(why)), ERR_BAD_VALUE,
	       "blocklist: a CRLF line counts");
	is_int(auth_password_policy("Password12345", why, sizeof(why)), 0,
	       "blocklist: only exact entries are refused");
	is_int(auth_password_policy("# Comment-line-42", why, sizeof(why)), 0,
	       "blocklist: comment lines are no entries");
	unlink(path);
	is_int(auth_blocklist_load(path, why, sizeof(why)), ERR_IO, "blocklist: a missing file");
	is_int(auth_password_policy("Password1234", why, sizeof(why)), ERR_BAD_VALUE,
	       "blocklist: a failed load keeps the loaded list");
	/* the shipped list */
	is_int(auth_blocklist_load(PINGAN_SHARE_DIR "/passwords/common.txt", why, sizeof(why)), 0,
	       "blocklist: the shipped list loads");
	static const char *const common[] = { "1qaz2wsx3EDC4rfv", "Password1234", "Qwerty123456" };
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		is_int(auth_password_policy(common[i], why, sizeof(why)), ERR_BAD_VALUE,
		       "blocklist: shipped list refuses '%s'", common[i]);
	is_int(auth_password_policy("Correct-Horse-42x", why, sizeof(why)), 0,
	       "blocklist: a good password passes");
	auth_release();
	is_int(auth_password_policy("Password1234", why, sizeof(why)), 0, "blocklist: released");
}

static void username_rule(void)
{
	char why[256];
	is_int(auth_password_check("zhangwei", "Zhangwei-2024x", why, sizeof(why)), ERR_BAD_VALUE,
	       "password: containing the user name is refused (case ignored)");
	is_str(why, "the password must not contain the user name", "password: message");
	is_int(auth_password_check("zhangwei", "Li-Na-garden-42", why, sizeof(why)), 0,
	       "password: another user name's password passes");
	is_int(auth_password_check("ab", "ab-Garden-42-xyz", why, sizeof(why)), 0,
	       "password: names under 3 characters are not checked");
	is_int(auth_password_check("zhangwei", "short", why, sizeof(why)), ERR_BAD_VALUE,
	       "password: the policy still applies");
}

static void configure(void)
{
	struct config cfg;
	char why[256];
	config_init(&cfg);
	ok(auth_totp_required(&cfg, ROLE(ADMIN)) && auth_totp_required(&cfg, ROLE(CENTRE)) &&
		   auth_totp_required(&cfg, ROLE(SECURITY_ADMIN)) &&
		   !auth_totp_required(&cfg, ROLE(GRID_WORKER)) &&
		   auth_totp_required(&cfg, ROLE(GRID_WORKER) | ROLE(CENTRE)),
	   "configure: admin, security_admin and centre need a second factor by default");
	is_int(auth_configure(&cfg, why, sizeof(why)), 0, "configure: defaults are valid");
	config_set(&cfg, "totp_roles", "", "test", why, sizeof(why));
	ok(!auth_totp_required(&cfg, ROLE(ADMIN)), "configure: empty totp_roles: nobody");
	config_set(&cfg, "totp_roles", "admin,wizard", "test", why, sizeof(why));
	is_int(auth_configure(&cfg, why, sizeof(why)), ERR_BAD_VALUE,
	       "configure: an unknown role refused");
	ok(strstr(why, "wizard") != NULL, "configure: the message names it (%s)", why);
	ok(auth_totp_required(&cfg, ROLE(GRID_WORKER)), "configure: unreadable roles fail closed");
	config_set(&cfg, "totp_roles", "admin", "test", why, sizeof(why));
	config_set(&cfg, "totp_algorithm", "md5", "test", why, sizeof(why));
	is_int(auth_configure(&cfg, why, sizeof(why)), ERR_BAD_VALUE,
	       "configure: an unknown algorithm refused");
	config_set(&cfg, "totp_algorithm", "sm3", "test", why, sizeof(why));
	config_set(&cfg, "totp_issuer", "Bad:Issuer", "test", why, sizeof(why));
	is_int(auth_configure(&cfg, why, sizeof(why)), ERR_BAD_VALUE,
	       "configure: an issuer with ':' refused");
	config_set(&cfg, "totp_issuer", "", "test", why, sizeof(why));
	is_int(auth_configure(&cfg, why, sizeof(why)), ERR_BAD_VALUE,
	       "configure: an empty issuer refused");
	config_set(&cfg, "totp_issuer", "滨江平安", "test", why, sizeof(why));
	config_set(&cfg, "password_blocklist", "/nonexistent/list.txt", "test", why, sizeof(why));
	is_int(auth_configure(&cfg, why, sizeof(why)), ERR_IO, "configure: a missing blocklist");
	auth_release();
	config_release(&cfg);
}

/* ---- on a real database -------------------------------------------------- */

#define T0 1780000000LL /* 2026-05-28 */
#define PW "Garden-Path-42x"

struct db {
	char dir[64], path[96];
	struct store *st;
	struct config cfg;
	struct arena *a;
	long long admin, worker, other;
};

static int put_org(struct store *st, const char *code, enum org_kind kind, const char *parent)
{
	struct org o;
	memset(&o, 0, sizeof(o));
	str_copy(o.code, sizeof(o.code), code);
	str_copy(o.parent, sizeof(o.parent), parent);
	o.kind = kind;
	o.name = code;
	o.name_en = "";
	return store_org_put(st, &o);
}

static long long user(struct db *d, const char *name, const char *org, unsigned roles)
{
	char hash[SEC_PASSWORD_MAX];
	if (sec_password_hash("pbkdf2-sm3", 1000, PW, hash))
		return -1;
	struct user u = { .username = name,
			  .display_name = name,
			  .org_code = org,
			  .roles = roles,
			  .password_hash = hash,
			  .created_at = T0 };
	return store_user_add(d->st, &u) ? -1 : u.id;
}

static int db_open(struct db *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/pingan-auth-XXXXXX");
	if (!mkdtemp(d->dir))
		return -1;
	snprintf(d->path, sizeof(d->path), "%s/t.db", d->dir);
	char why[256];
	if (store_open(d->path, 2, &d->st, why, sizeof(why))) {
		ok(0, "auth db: %s", why);
		rmdir(d->dir);
		return -1;
	}
	config_init(&d->cfg);
	d->cfg.pbkdf2_iterations = 1000;
	d->a = arena_new();
	int err = put_org(d->st, "330108", ORG_DISTRICT, "");
	err = err ? err : put_org(d->st, "330108001", ORG_STREET, "330108");
	err = err ? err : put_org(d->st, "330108002", ORG_STREET, "330108");
	d->admin = user(d, "admin", "330108", ROLE(ADMIN));
	d->worker = user(d, "worker", "330108001", ROLE(GRID_WORKER));
	d->other = user(d, "other", "330108002", ROLE(LEADER));
	auth_throttle_reset();
	auth_cache_clear();
	return err || d->admin < 0 || d->worker < 0 || d->other < 0 ? -1 : 0;
}

static void db_close(struct db *d)
{
	char p[128];
	store_close(d->st);
	config_release(&d->cfg);
	arena_free(d->a);
	auth_cache_clear();
	unlink(d->path);
	snprintf(p, sizeof(p), "%s-wal", d->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", d->path);
	unlink(p);
	rmdir(d->dir);
}

static void store_rows(void)
{
	struct db d;
	if (db_open(&d)) {
		ok(0, "store rows: fixture");
		return;
	}
	struct totp_row t;
	is_int(store_totp_get(d.st, d.a, d.worker, &t), ERR_NOT_FOUND, "totp row: none at first");
	is_int(store_totp_begin(d.st, 999999, "sha1", "AAAA", T0), ERR_NOT_FOUND,
	       "totp row: no such user");
	is_int(store_totp_begin(d.st, d.worker, "sha1", "AAAA", T0), 0, "totp row: begin");
	is_int(store_totp_begin(d.st, d.worker, "sm3", "BBBB", T0 + 1), 0,
	       "totp row: begin again replaces a pending secret");
	is_int(store_totp_get(d.st, d.a, d.worker, &t), 0, "totp row: read");
	ok(!strcmp(t.secret, "BBBB") && !strcmp(t.algorithm, "sm3") && !t.enabled,
	   "totp row: the new pending secret");
	is_int(store_totp_use(d.st, d.worker, 5), ERR_CONFLICT,
	       "totp row: a pending one is no factor");
	is_int(store_totp_enable(d.st, d.worker, 100, T0 + 2), 0, "totp row: enable");
	is_int(store_totp_enable(d.st, d.worker, 100, T0 + 2), ERR_CONFLICT,
	       "totp row: enable twice refused");
	is_int(store_totp_begin(d.st, d.worker, "sha1", "CCCC", T0 + 3), ERR_CONFLICT,
	       "totp row: an enabled secret is never replaced");
	store_totp_get(d.st, d.a, d.worker, &t);
	ok(t.enabled && t.last_step == 100 && !strcmp(t.secret, "BBBB"), "totp row: unchanged");
	is_int(store_totp_use(d.st, d.worker, 100), ERR_CONFLICT, "totp row: the same step twice");
	is_int(store_totp_use(d.st, d.worker, 99), ERR_CONFLICT, "totp row: an older step");
	is_int(store_totp_use(d.st, d.worker, 101), 0, "totp row: a later step");
	is_int(store_totp_delete(d.st, d.worker), 0, "totp row: delete");
	is_int(store_totp_delete(d.st, d.worker), ERR_NOT_FOUND, "totp row: delete again");

	struct user u;
	struct scope street1 = { .root_path = NULL }, district = { .root_path = NULL };
	struct org o1, od;
	store_org_get(d.st, d.a, NULL, "330108001", &o1);
	store_org_get(d.st, d.a, NULL, "330108", &od);
	street1.root_path = o1.path;
	district.root_path = od.path;
	is_int(store_user_get_scoped(d.st, d.a, &street1, d.worker, &u), 0,
	       "scoped user: inside the scope");
	is_int(store_user_get_scoped(d.st, d.a, &street1, d.other, &u), ERR_NOT_FOUND,
	       "scoped user: outside is not found");
	is_int(store_user_get_scoped(d.st, d.a, &street1, 999999, &u), ERR_NOT_FOUND,
	       "scoped user: missing is not found alike");
	is_int(store_user_get_scoped(d.st, d.a, &district, d.other, &u), 0,
	       "scoped user: the district sees street 2");
	db_close(&d);
}

static int do_login(struct db *d, const char *name, const char *otp, long long now,
		    struct principal *who)
{
	char tok[AUTH_TOKEN_HEX];
	long long until = 0;
	return auth_login(d->st, &d->cfg, d->a, name, PW, otp, "192.0.2.9", now, tok, who, &until);
}

static int login_at(struct db *d, const unsigned char *key, size_t n, long long t)
{
	char code[8];
	struct principal who;
	snprintf(code, sizeof(code), "%06ld", totp_hotp("sha1", key, n, (uint64_t)(t / 30), 6));
	return do_login(d, "admin", code, t, &who);
}

/* The admin enrolled without a key ring (stored plain): a key file seals it
 * at the next login, a missing one makes it unusable, a rotation re-seals. */
static void sealing(struct db *d, const unsigned char *key, size_t n)
{
	char path[128], why[256], b32[TOTP_B32_MAX];
	struct crypt_keyring *kr;
	struct totp_row t;
	totp_b32_encode(key, n, b32);
	snprintf(path, sizeof(path), "%s/pingan.keys", d->dir);
	if (crypt_keyring_create(path, CRYPT_GM, why, sizeof(why)) ||
	    crypt_keyring_load(path, &kr, why, sizeof(why))) {
		ok(0, "sealing: key file: %s", why);
		return;
	}
	store_totp_get(d->st, d->a, d->admin, &t);
	is_str(t.secret, b32, "sealing: without a key file the secret is stored in base32");
	auth_set_keyring(kr);
	is_int(login_at(d, key, n, T0 + 70), 0, "sealing: a login with a key file");
	store_totp_get(d->st, d->a, d->admin, &t);
	ok(!strncmp(t.secret, "sealed:", 7) && !strstr(t.secret, b32),
	   "sealing: the secret is sealed now");
	is_int(login_at(d, key, n, T0 + 100), 0, "sealing: the sealed secret works");
	auth_set_keyring(NULL);
	is_int(login_at(d, key, n, T0 + 130), ERR_UNAVAILABLE,
	       "sealing: without the key file a sealed factor cannot be checked");
	auth_set_keyring(kr);
	is_int(crypt_keyring_add(kr, path, CRYPT_INTL, why, sizeof(why)), 0, "sealing: rotate");
	long long rows = 0;
	is_int(auth_totp_reseal_all(d->st, kr, &rows, why, sizeof(why)), 0, "sealing: re-sealed");
	is_int(rows, 1, "sealing: one row");
	store_totp_get(d->st, d->a, d->admin, &t);
	ok(!strncmp(t.secret, "sealed:0200000002", 17), "sealing: under version 2, intl (%.24s)",
	   t.secret);
	is_int(login_at(d, key, n, T0 + 160), 0, "sealing: the re-sealed secret works");
	/* a sealed value copied to another user's row does not open there */
	store_totp_begin(d->st, d->worker, "sha1", "AAAA", T0);
	store_totp_enable(d->st, d->worker, 1, T0);
	store_totp_set_secret(d->st, d->worker, t.secret);
	struct principal w;
	is_int(do_login(d, "worker", "123456", T0 + 170, &w), ERR_INTERNAL,
	       "sealing: a secret moved to another row does not open");
	store_totp_delete(d->st, d->worker);
	auth_set_keyring(NULL);
	crypt_keyring_free(kr);
	unlink(path);
}

static void logins(void)
{
	struct db d;
	if (db_open(&d)) {
		ok(0, "logins: fixture");
		return;
	}
	d.cfg.password_max_age_days = 0;
	struct principal who, w2;
	/* admin is in the default totp_roles and has no factor: enrolment only */
	is_int(do_login(&d, "admin", NULL, T0, &who), 0, "login: admin without a factor");
	is_int(who.stage, AUTH_STAGE_ENROL, "login: the session may only enrol");
	is_int(do_login(&d, "worker", NULL, T0, &w2), 0, "login: a grid worker");
	is_int(w2.stage, AUTH_STAGE_FULL, "login: a full session");
	const char *secret, *alg, *uri;
	is_int(auth_totp_begin(d.st, &d.cfg, d.a, &who, T0, &secret, &alg, &uri), 0,
	       "enrol: begin");
	ok(strlen(secret) == 32 && !strcmp(alg, "sha1") &&
		   !strncmp(uri, "otpauth://totp/Pingan:admin?secret=", 35),
	   "enrol: secret and uri (%s)", uri);
	{
		char why[64];
		const char *s2, *a2, *u2;
		config_set(&d.cfg, "totp_issuer", "滨江 平安", "test", why, sizeof(why));
		is_int(auth_totp_begin(d.st, &d.cfg, d.a, &who, T0, &s2, &a2, &u2), 0,
		       "enrol: begin again (replaces the pending secret)");
		ok(!strncmp(u2, "otpauth://totp/%E6%BB%A8%E6%B1%9F%20%E5%B9%B3%E5%AE%89:admin?",
			    61) &&
			   strstr(u2, "&issuer=%E6%BB%A8%E6%B1%9F%20%E5%B9%B3%E5%AE%89&"),
		   "enrol: the issuer is percent-encoded (%s)", u2);
		secret = s2;
	}
	unsigned char key[64];
	long n = totp_b32_decode(secret, key, sizeof(key));
	char code[8];
	snprintf(code, sizeof(code), "%06ld", totp_hotp("sha1", key, (size_t)n, T0 / 30, 6));
	char wrong[8];
	snprintf(wrong, sizeof(wrong), "%06ld",
		 (totp_hotp("sha1", key, (size_t)n, T0 / 30, 6) + 500000) % 1000000);
	is_int(auth_totp_confirm(d.st, &who, wrong, T0), ERR_BAD_VALUE, "enrol: a wrong code");
	is_int(auth_totp_confirm(d.st, &who, code, T0), 0, "enrol: confirmed");
	is_int(who.stage, AUTH_STAGE_FULL, "enrol: the session is full now");
	struct principal again;
	/* the session row says so too */
	char hexhash[SEC_HEX_LEN];
	str_copy(hexhash, sizeof(hexhash), who.token_hash);
	struct session s;
	is_int(store_session_get(d.st, d.a, hexhash, &s), 0, "enrol: session row");
	is_int(s.stage, AUTH_STAGE_FULL, "enrol: the stored stage is full");
	is_int(do_login(&d, "admin", NULL, T0 + 40, &again), ERR_OTP_REQUIRED,
	       "login: a factor and no code");
	is_int(do_login(&d, "admin", code, T0 + 40, &again), ERR_BAD_LOGIN,
	       "login: the confirming code is used");
	char next[8];
	snprintf(next, sizeof(next), "%06ld", totp_hotp("sha1", key, (size_t)n, T0 / 30 + 1, 6));
	is_int(do_login(&d, "admin", next, T0 + 40, &again), 0, "login: the next step's code");
	is_int(again.stage, AUTH_STAGE_FULL, "login: full");
	is_int(do_login(&d, "admin", next, T0 + 41, &again), ERR_BAD_LOGIN,
	       "login: replay refused");
	sealing(&d, key, (size_t)n);
	sec_wipe(key, sizeof(key));
	/* password ageing */
	d.cfg.password_max_age_days = 10;
	is_int(do_login(&d, "worker", NULL, T0 + 10 * 86400 - 1, &w2), 0, "ageing: a day before");
	is_int(w2.stage, AUTH_STAGE_FULL, "ageing: still full");
	is_int(do_login(&d, "worker", NULL, T0 + 10 * 86400, &w2), 0, "ageing: on the day");
	is_int(w2.stage, AUTH_STAGE_PASSWORD, "ageing: password change only");
	struct principal seen;
	char tok2[AUTH_TOKEN_HEX];
	long long until = 0;
	is_int(auth_login(d.st, &d.cfg, d.a, "worker", PW, NULL, "192.0.2.9", T0 + 10 * 86400 + 5,
			  tok2, &seen, &until),
	       0, "ageing: another login");
	is_int(auth_session(d.st, &d.cfg, d.a, tok2, T0 + 10 * 86400 + 6, &seen), 0,
	       "ageing: the session resolves");
	is_int(seen.stage, AUTH_STAGE_PASSWORD, "ageing: auth_session reports the stage");
	/* reset */
	is_int(auth_totp_reset(d.st, d.admin), 0, "reset: done");
	is_int(auth_totp_reset(d.st, d.admin), ERR_NOT_FOUND, "reset: nothing left");
	d.cfg.password_max_age_days = 0;
	is_int(do_login(&d, "admin", NULL, T0 + 100, &again), 0, "reset: password alone again");
	is_int(again.stage, AUTH_STAGE_ENROL, "reset: enrolment only");
	db_close(&d);
}

void suite_auth(void)
{
	is_int(sec_init(), 0, "auth: sec_init");
	rfc6238();
	verify();
	base32();
	blocklist();
	username_rule();
	configure();
	store_rows();
	logins();
}
