/*
 * test_domain.c - unit tests for src/domain/: org codes, paths and roles
 * (org.h), and passwords, logins, sessions, lockout and throttling (auth.h).
 *
 * The auth tests run against a real store: a fresh SQLite file in a
 * mkdtemp() folder per test, holding a small district (one district, two
 * streets, a community, a grid, a district and a street department) and a
 * handful of users hashed with 1000 PBKDF2 iterations so the suite stays
 * fast. Time is passed in explicitly, so lockout and session expiry are
 * checked to the second without sleeping.
 */
#include "tap.h"

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "core/sec.h"
#include "core/str.h"
#include "domain/auth.h"
#include "domain/event.h"
#include "domain/org.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void suite_domain(void);

#define T0 1700000000LL

/* ---- org codes ---------------------------------------------------------- */

static void test_org_kinds(void)
{
	static const struct {
		const char *code;
		enum org_kind kind;
		const char *parent;
	} good[] = {
		{ "330108", ORG_DISTRICT, "" },
		{ "330108001", ORG_STREET, "330108" },
		{ "330108001001", ORG_COMMUNITY, "330108001" },
		{ "330108001001001", ORG_GRID, "330108001001" },
		{ "330108D01", ORG_DEPARTMENT, "330108" },
		{ "330108001D01", ORG_DEPARTMENT, "330108001" },
		{ "110101D99", ORG_DEPARTMENT, "110101" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		enum org_kind k = ORG__COUNT;
		is_int(org_kind_of_code(good[i].code, &k), 0, "org kind: '%s' has a kind",
		       good[i].code);
		is_str(org_kind_name(k), org_kind_name(good[i].kind), "org kind: '%s' is a %s",
		       good[i].code, org_kind_name(good[i].kind));
		char parent[ORG_CODE_MAX];
		memset(parent, 'X', sizeof(parent));
		org_parent_of_code(good[i].code, parent);
		is_str(parent, good[i].parent, "org parent: of '%s'", good[i].code);
	}

	static const char *const bad[] = {
		"",
		"3",
		"33010",
		"3301080",
		"33010800",
		"3301080010",
		"33010800100",
		"3301080010010",
		"33010800100100",
		"3301080010010010",
		"33a108",
		"33010800100a",
		" 330108",
		"330108 ",
		"+33010",
		"330108D1",
		"330108DXX",
		"330108D011",
		"330108D",
		"D33010801",
		"3301D0801",
		"33010800D01",
		"330108001001D01",
		"330108d01",
		"330108D0x",
		"330108DD1",
		"330108D-1",
		"3301080D01",
		"330108001001001D01",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum org_kind k;
		is_int(org_kind_of_code(bad[i], &k), ERR_BAD_VALUE, "org kind: '%s' refused",
		       bad[i]);
	}

	for (int k = 0; k < ORG__COUNT; k++) {
		enum org_kind back = ORG__COUNT;
		is_int(org_kind_parse(org_kind_name((enum org_kind)k), &back), 0,
		       "org kind: parse '%s'", org_kind_name((enum org_kind)k));
		is_int(back, k, "org kind: '%s' round trip", org_kind_name((enum org_kind)k));
	}
	is_str(org_kind_name(ORG_COMMUNITY), "community", "org kind: community's name");
	is_str(org_kind_name(ORG__COUNT), "unknown", "org kind: out of range is 'unknown'");
	enum org_kind k;
	is_int(org_kind_parse("District", &k), ERR_BAD_VALUE, "org kind: parse is case-sensitive");
	is_int(org_kind_parse("", &k), ERR_BAD_VALUE, "org kind: parse of \"\"");
}

static void test_org_check(void)
{
	char why[256];
#define CHECK_OK(code, kind, parent, pkind)                                                     \
	do {                                                                                    \
		why[0] = '\0';                                                                  \
		int e_ = org_check_code(code, kind, parent, pkind, why, sizeof(why));           \
		is_int(e_, 0, "org check: '%s' under '%s' ok", code, parent ? parent : "NULL"); \
		if (e_)                                                                         \
			tap_diag("  why: %s", why);                                             \
	} while (0)
#define CHECK_BAD(code, kind, parent, pkind, msg)                                                  \
	do {                                                                                       \
		why[0] = '\0';                                                                     \
		is_int(org_check_code(code, kind, parent, pkind, why, sizeof(why)), ERR_BAD_VALUE, \
		       "org check: '%s' as %s under '%s' refused", code, org_kind_name(kind),      \
		       parent ? parent : "NULL");                                                  \
		is_str(why, msg, "org check: message for '%s'", code);                             \
	} while (0)

	CHECK_OK("330108", ORG_DISTRICT, "", ORG__COUNT);
	CHECK_OK("330108", ORG_DISTRICT, NULL, ORG__COUNT);
	CHECK_OK("330108001", ORG_STREET, "330108", ORG_DISTRICT);
	CHECK_OK("330108001001", ORG_COMMUNITY, "330108001", ORG_STREET);
	CHECK_OK("330108001001001", ORG_GRID, "330108001001", ORG_COMMUNITY);
	CHECK_OK("330108D01", ORG_DEPARTMENT, "330108", ORG_DISTRICT);
	CHECK_OK("330108001D01", ORG_DEPARTMENT, "330108001", ORG_STREET);

	/* the right shape under the wrong parent */
	CHECK_BAD("330108001", ORG_STREET, "330109", ORG_DISTRICT,
		  "code '330108001' does not belong under '330109'");
	CHECK_BAD("330108001", ORG_STREET, "", ORG__COUNT,
		  "code '330108001' does not belong under '(root)'");
	CHECK_BAD("330108001", ORG_STREET, NULL, ORG__COUNT,
		  "code '330108001' does not belong under '(root)'");
	CHECK_BAD("330108", ORG_DISTRICT, "330100", ORG_DISTRICT,
		  "code '330108' does not belong under '330100'");
	CHECK_BAD("330108002001", ORG_COMMUNITY, "330108001", ORG_STREET,
		  "code '330108002001' does not belong under '330108001'");
	CHECK_BAD("330108001001001", ORG_GRID, "330108001002", ORG_COMMUNITY,
		  "code '330108001001001' does not belong under '330108001002'");
	CHECK_BAD("330108D01", ORG_DEPARTMENT, "330109", ORG_DISTRICT,
		  "code '330108D01' does not belong under '330109'");

	/* a shape that implies another kind */
	CHECK_BAD("330108001", ORG_COMMUNITY, "330108", ORG_DISTRICT,
		  "code '330108001' is a street code, not a community code");
	CHECK_BAD("330108", ORG_STREET, "", ORG__COUNT,
		  "code '330108' is a district code, not a street code");
	CHECK_BAD("330108D01", ORG_STREET, "330108", ORG_DISTRICT,
		  "code '330108D01' is a department code, not a street code");
	CHECK_BAD("330108001001001", ORG_DEPARTMENT, "330108001001", ORG_COMMUNITY,
		  "code '330108001001001' is a grid code, not a department code");

	/* the right parent code, but a parent of the wrong kind */
	CHECK_BAD("330108001001001", ORG_GRID, "330108001001", ORG_STREET,
		  "grid '330108001001001' must be under a community");
	CHECK_BAD("330108001001", ORG_COMMUNITY, "330108001", ORG_DISTRICT,
		  "community '330108001001' must be under a street");
	CHECK_BAD("330108001", ORG_STREET, "330108", ORG_GRID,
		  "street '330108001' must be under a district");
	CHECK_BAD("330108001D01", ORG_DEPARTMENT, "330108001", ORG_COMMUNITY,
		  "department '330108001D01' must be under a district or street");
	CHECK_BAD("330108001D01", ORG_DEPARTMENT, "330108001", ORG_DEPARTMENT,
		  "department '330108001D01' must be under a district or street");

	/* shapes that are no code at all */
	CHECK_BAD("330108001001D01", ORG_DEPARTMENT, "330108001001", ORG_COMMUNITY,
		  "code '330108001001D01' is not a division or department code");
	CHECK_BAD("33010", ORG_DISTRICT, "", ORG__COUNT,
		  "code '33010' is not a division or department code");
	CHECK_BAD("330108D1", ORG_DEPARTMENT, "330108", ORG_DISTRICT,
		  "code '330108D1' is not a division or department code");
	CHECK_BAD("000000", ORG_DISTRICT, "", ORG__COUNT, "code '000000' is not a district code");
	CHECK_BAD("012345", ORG_DISTRICT, "", ORG__COUNT, "code '012345' is not a district code");
	/* an overlong code is cut in the message */
	CHECK_BAD("1234567890123456789012345678901234567890", ORG_GRID, "", ORG__COUNT,
		  "code '123456789012345678901234567890' is not a division or department code");
#undef CHECK_OK
#undef CHECK_BAD
}

static void test_org_paths(void)
{
	ok(org_path_within("/330108/330108001/", "/330108/"), "path: child within district");
	ok(org_path_within("/330108/330108001/330108001001/330108001001001/", "/330108/"),
	   "path: grid within district");
	ok(org_path_within("/330108/", "/330108/"), "path: a node is within itself");
	ok(org_path_within("/330108/330108D01/", "/330108/"), "path: department within district");
	ok(!org_path_within("/330108/", "/330108/330108001/"), "path: parent not within child");
	ok(!org_path_within("/330108/330108002/", "/330108/330108001/"),
	   "path: sibling not within");
	ok(!org_path_within("/330108/33010800/", "/330108/330108001/"),
	   "path: a shorter sibling code is not within");
	/* without the trailing '/', "/330108/330108001" would be a prefix of a
	 * different node's path; with it, it is not */
	ok(str_starts_with("/330108/330108001001/", "/330108/330108001"),
	   "path: (the trap: a bare string prefix matches)");
	ok(!org_path_within("/330108/330108001001/", "/330108/330108001/"),
	   "path: the trailing '/' keeps the prefix test exact");
	ok(!org_path_within("/3301080/", "/330108/"), "path: other root with a longer code");
	ok(!org_path_within("/330109/330109001/", "/330108/"), "path: other district");
}

static void test_roles(void)
{
	static const char *const names[] = { "admin",    "security_admin", "audit_admin",
					     "centre",   "handler",        "grid_worker",
					     "mediator", "inspector",      "leader",
					     "assessor" };
	static const char *const zh[] = { "系统管理员",   "安全管理员", "审计管理员", "指挥中心",
					  "部门处置人员", "网格员",     "人民调解员", "安监员",
					  "领导",         "考评员" };
	is_int(ROLE__COUNT, 10, "roles: ten roles");
	for (int i = 0; i < 10; i++) {
		is_str(role_name(i), names[i], "roles: name of bit %d", i);
		is_str(role_name_zh(i), zh[i], "roles: Chinese name of bit %d", i);
	}
	is_str(role_name(-1), "unknown", "roles: name of -1");
	is_str(role_name(10), "unknown", "roles: name of 10");
	is_str(role_name_zh(10), "未知", "roles: Chinese name of 10");

	char why[128];
	unsigned mask = 12345;
	is_int(role_parse_list("admin,centre", &mask, why, sizeof(why)), 0, "roles: parse two");
	is_int(mask, ROLE(ADMIN) | ROLE(CENTRE), "roles: admin,centre mask");
	is_int(mask, 9, "roles: admin,centre is bits 0 and 3");
	is_int(role_parse_list("leader", &mask, why, sizeof(why)), 0, "roles: parse one");
	is_int(mask, ROLE(LEADER), "roles: leader mask");
	is_int(role_parse_list("admin,security_admin,audit_admin,centre,handler,grid_worker,"
			       "mediator,inspector,leader",
			       &mask, why, sizeof(why)),
	       0, "roles: parse all nine");
	is_int(mask, 0x1ff, "roles: all nine bits");
	is_int(role_parse_list("centre,centre", &mask, why, sizeof(why)), 0, "roles: repeated");
	is_int(mask, ROLE(CENTRE), "roles: repeated role is one bit");

	is_int(role_parse_list("admin,chief", &mask, why, sizeof(why)), ERR_BAD_VALUE,
	       "roles: unknown role");
	is_str(why, "unknown role 'chief'", "roles: message names the unknown role");
	is_int(role_parse_list("Admin", &mask, why, sizeof(why)), ERR_BAD_VALUE,
	       "roles: names are case-sensitive");
	is_str(why, "unknown role 'Admin'", "roles: message for 'Admin'");
	is_int(role_parse_list("admin, centre", &mask, why, sizeof(why)), ERR_BAD_VALUE,
	       "roles: a space is part of the name");
	is_str(why, "unknown role ' centre'", "roles: message for ' centre'");
	is_int(role_parse_list("admi", &mask, why, sizeof(why)), ERR_BAD_VALUE,
	       "roles: a prefix of a name");
	is_int(role_parse_list("admins", &mask, why, sizeof(why)), ERR_BAD_VALUE,
	       "roles: a name plus a suffix");
	is_int(role_parse_list("admin,,centre", &mask, why, sizeof(why)), ERR_BAD_VALUE,
	       "roles: empty item");
	is_str(why, "unknown role ''", "roles: empty item message");
	is_int(role_parse_list("", &mask, why, sizeof(why)), ERR_BAD_VALUE, "roles: empty string");
	is_str(why, "at least one role is needed", "roles: empty string message");

	struct arena *a = arena_new();
	is_str(role_format(a, ROLE(ADMIN) | ROLE(CENTRE)), "admin,centre", "roles: format two");
	is_str(role_format(a, 0), "", "roles: format none");
	is_str(role_format(a, ROLE(LEADER) | ROLE(ADMIN)), "admin,leader",
	       "roles: format in bit order");
	is_str(role_format(a, 0x1ff),
	       "admin,security_admin,audit_admin,centre,handler,grid_worker,mediator,inspector,"
	       "leader",
	       "roles: format all nine");
	is_str(role_format(a, 0x1ff | 0x400), role_format(a, 0x1ff),
	       "roles: bits past the last role ignored");
	int bad = 0;
	for (unsigned m = 1; m < (1u << ROLE__COUNT); m++) {
		unsigned back = 0;
		if (role_parse_list(role_format(a, m), &back, why, sizeof(why)) || back != m)
			bad++;
	}
	is_int(bad, 0, "roles: format and parse round trip for all 511 masks");
	arena_free(a);
}

/* ---- passwords ---------------------------------------------------------- */

static void test_password_policy(void)
{
	char why[256];
#define POLICY(pw, want, what)                                       \
	do {                                                         \
		why[0] = '\0';                                       \
		int e_ = auth_password_policy(pw, why, sizeof(why)); \
		is_int(e_, want, "policy: %s", what);                \
		if (e_ != (want))                                    \
			tap_diag("  why: %s", why);                  \
	} while (0)

	POLICY("Abcdefghij1", ERR_BAD_VALUE, "11 characters rejected");
	is_str(why, "the password needs at least 12 characters", "policy: length message");
	POLICY("Abcdefghijk1", 0, "12 characters with three classes accepted");
	POLICY("ABCDEFGHIJ1!", 0, "upper, digit, other accepted");
	POLICY("abcdefghij!A", 0, "lower, other, upper accepted");
	POLICY("abcdefgh12!!", 0, "lower, digit, other accepted");
	POLICY("abcdefghijk1", ERR_BAD_VALUE, "lower and digit only rejected");
	is_str(why,
	       "the password needs three of: lowercase letters, uppercase letters, digits, "
	       "other characters",
	       "policy: classes message");
	POLICY("abcdefghij!!", ERR_BAD_VALUE, "lower and other only rejected");
	POLICY("ABCDEFGHIJKL", ERR_BAD_VALUE, "one class rejected");
	POLICY("123456789012", ERR_BAD_VALUE, "digits only rejected");
	POLICY("", ERR_BAD_VALUE, "empty rejected");

	/* Chinese characters: one code point each, and in the "other" class */
	POLICY("abcdefghijK中", 0, "12 code points in 14 bytes, Chinese as other, accepted");
	POLICY("abcdefghiJ中", ERR_BAD_VALUE, "11 code points in 13 bytes rejected");
	is_str(why, "the password needs at least 12 characters",
	       "policy: code points, not bytes, counted");
	POLICY("平安平安平安平安Ab1x", 0, "Chinese with three other classes accepted");
	POLICY("密码密码密码密码密码密码", ERR_BAD_VALUE, "12 Chinese characters only rejected");
	POLICY("密码密码密码密码密码密a", ERR_BAD_VALUE, "Chinese and lowercase only rejected");
	POLICY("密码密码密码密码密码A1", 0, "Chinese, upper and digit accepted");

	/* at most 128 bytes */
	char pw[200];
	memset(pw, 'x', sizeof(pw));
	memcpy(pw, "Aa1", 3);
	pw[128] = '\0';
	POLICY(pw, 0, "128 bytes accepted");
	pw[128] = 'x';
	pw[129] = '\0';
	POLICY(pw, ERR_BAD_VALUE, "129 bytes rejected");
	is_str(why, "the password is longer than 128 bytes", "policy: length limit message");
	/* 43 Chinese characters are 129 bytes though only 43 code points */
	pw[0] = '\0';
	strcat(pw, "Aa1");
	for (int i = 0; i < 42; i++)
		strcat(pw, "中");
	POLICY(pw, ERR_BAD_VALUE, "129 bytes of mostly Chinese rejected");

	POLICY("Abcdefghijk1\xff", ERR_BAD_VALUE, "invalid UTF-8 rejected");
	is_str(why, "the password is not valid UTF-8", "policy: UTF-8 message");
	POLICY("Abcdefghijk1\xed\xa0\x80", ERR_BAD_VALUE, "a surrogate rejected");
	POLICY("Abcdefghijk1\xc0\xaf", ERR_BAD_VALUE, "an overlong '/' rejected");
	POLICY("Abcdefghijk\xe4\xb8", ERR_BAD_VALUE, "a truncated character rejected");
#undef POLICY
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void test_password_generate(void)
{
	enum { N = 1000 };
	static char pws[N][17];
	static char *sorted[N];
	int bad_policy = 0, bad_len = 0, lookalike = 0, first_lower = 0, first_upper = 0,
	    first_digit = 0;
	char why[256];
	for (int i = 0; i < N; i++) {
		auth_password_generate(pws[i], sizeof(pws[i]));
		sorted[i] = pws[i];
		if (auth_password_policy(pws[i], why, sizeof(why))) {
			bad_policy++;
			tap_diag("  '%s': %s", pws[i], why);
		}
		if (strlen(pws[i]) != 16)
			bad_len++;
		if (strpbrk(pws[i], "0O1lI"))
			lookalike++;
		char c = pws[i][0];
		first_lower += c >= 'a' && c <= 'z';
		first_upper += c >= 'A' && c <= 'Z';
		first_digit += c >= '0' && c <= '9';
	}
	is_int(bad_policy, 0, "generate: all %d passwords pass the policy", N);
	is_int(bad_len, 0, "generate: all are 16 characters");
	is_int(lookalike, 0, "generate: no look-alike characters (0 O 1 l I)");
	qsort(sorted, N, sizeof(sorted[0]), cmp_str);
	int dups = 0;
	for (int i = 1; i < N; i++)
		dups += !strcmp(sorted[i - 1], sorted[i]);
	is_int(dups, 0, "generate: all distinct");
	ok(first_lower > 0 && first_upper > 0 && first_digit > 0,
	   "generate: shuffled, any class may come first (%d lower, %d upper, %d digit)",
	   first_lower, first_upper, first_digit);
	char big[64];
	memset(big, 'Z', sizeof(big));
	auth_password_generate(big, sizeof(big));
	is_int(strlen(big), 16, "generate: 16 characters in a larger buffer");
	is_int(big[17], 'Z', "generate: nothing written past the password");
}

/* ---- a store with a small district -------------------------------------- */

struct fx {
	char dir[64];
	char path[128];
	struct store *st;
	struct config cfg;
	struct arena *a;
	long long alice, bob, carol, dave, erin, frank;
};

#define PW_ALICE "Alice-passw0rd"
#define PW_OTHER "Other-passw0rd"

static int put_org(struct store *st, const char *code, enum org_kind kind, const char *parent,
		   const char *name)
{
	struct org o;
	memset(&o, 0, sizeof(o));
	str_copy(o.code, sizeof(o.code), code);
	str_copy(o.parent, sizeof(o.parent), parent);
	o.kind = kind;
	o.name = name;
	o.name_en = "";
	return store_org_put(st, &o);
}

static long long add_user(struct fx *f, const char *name, const char *org, unsigned roles,
			  const char *pw, bool disabled)
{
	char hash[SEC_PASSWORD_MAX];
	if (sec_password_hash("pbkdf2-sm3", 1000, pw, hash))
		return -1;
	struct user u;
	memset(&u, 0, sizeof(u));
	u.username = name;
	u.display_name = name;
	u.org_code = org;
	u.roles = roles;
	u.password_hash = hash;
	u.disabled = disabled;
	u.created_at = T0 - 86400;
	if (store_user_add(f->st, &u))
		return -1;
	return u.id;
}

static void fx_close(struct fx *f)
{
	char p[160];
	store_close(f->st);
	config_release(&f->cfg);
	arena_free(f->a);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	if (rmdir(f->dir))
		ok(0, "fixture: %s left files behind", f->dir);
}

static int fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/pingan-domain-XXXXXX");
	if (!mkdtemp(f->dir)) {
		ok(0, "fixture: mkdtemp");
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	char why[256];
	int err = store_open(f->path, 2, &f->st, why, sizeof(why));
	if (err) {
		ok(0, "fixture: store_open: %s", why);
		rmdir(f->dir);
		return -1;
	}
	config_init(&f->cfg);
	f->cfg.pbkdf2_iterations = 1000;
	/* the login tests here predate second factors and password ageing;
	 * test_auth.c turns both on */
	char cwhy[128];
	config_set(&f->cfg, "totp_roles", "", "test", cwhy, sizeof(cwhy));
	f->cfg.password_max_age_days = 0;
	f->a = arena_new();
	err = put_org(f->st, "330108", ORG_DISTRICT, "", "滨江区");
	err = err ? err : put_org(f->st, "330108001", ORG_STREET, "330108", "西兴街道");
	err = err ? err : put_org(f->st, "330108002", ORG_STREET, "330108", "长河街道");
	err = err ? err : put_org(f->st, "330108001001", ORG_COMMUNITY, "330108001", "星民社区");
	err = err ? err : put_org(f->st, "330108001001001", ORG_GRID, "330108001001", "星民一网格");
	err = err ? err : put_org(f->st, "330108D01", ORG_DEPARTMENT, "330108", "区应急管理局");
	err = err ? err : put_org(f->st, "330108001D01", ORG_DEPARTMENT, "330108001", "街道综治办");
	if (err) {
		ok(0, "fixture: orgs: %s", err_name(err));
		fx_close(f);
		return -1;
	}
	f->alice = add_user(f, "alice", "330108001001", ROLE(GRID_WORKER), PW_ALICE, false);
	f->bob = add_user(f, "bob", "330108D01", ROLE(HANDLER), PW_OTHER, false);
	f->carol = add_user(f, "carol", "330108001D01", ROLE(HANDLER) | ROLE(MEDIATOR), PW_OTHER,
			    false);
	f->dave = add_user(f, "dave", "330108", ROLE(ADMIN), PW_OTHER, false);
	f->erin = add_user(f, "erin", "330108001", ROLE(CENTRE), PW_OTHER, true);
	f->frank = add_user(f, "frank", "330108002", ROLE(LEADER), PW_OTHER, false);
	if (f->alice < 0 || f->bob < 0 || f->carol < 0 || f->dave < 0 || f->erin < 0 ||
	    f->frank < 0) {
		ok(0, "fixture: users");
		fx_close(f);
		return -1;
	}
	auth_throttle_reset();
	return 0;
}

static int is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int login(struct fx *f, const char *user, const char *pw, const char *ip, long long now,
		 char token[AUTH_TOKEN_HEX], struct principal *who, long long *until)
{
	char tok[AUTH_TOKEN_HEX];
	struct principal p;
	long long lu = 0;
	return auth_login(f->st, &f->cfg, f->a, user, pw, NULL, ip, now, token ? token : tok,
			  who ? who : &p, until ? until : &lu);
}

/* ---- logins ------------------------------------------------------------- */

static void test_login(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	char token[AUTH_TOKEN_HEX], token2[AUTH_TOKEN_HEX];
	struct principal who;
	long long until = 0;

	memset(token, 0, sizeof(token));
	is_int(login(&f, "alice", PW_ALICE, "10.0.0.1", T0, token, &who, &until), 0,
	       "login: right password");
	ok(is_lower_hex(token, 32), "login: token is 32 lowercase hex digits: %s", token);
	is_int(who.user_id, f.alice, "login: principal user id");
	is_str(who.username, "alice", "login: principal username");
	is_str(who.display_name, "alice", "login: principal display name");
	is_str(who.org_code, "330108001001", "login: principal org");
	is_int(who.org_kind, ORG_COMMUNITY, "login: principal org kind");
	is_int(who.roles, ROLE(GRID_WORKER), "login: principal roles");
	ok(!who.scope.all, "login: scope is never 'all'");
	is_str(who.scope.root_path, "/330108/330108001/330108001001/",
	       "login: scope is the community's subtree");
	is_int(who.expires_at, T0 + 12 * 3600, "login: expires after session_absolute_hours");
	char hash[SEC_HEX_LEN];
	sec_digest_hex(SEC_SM3, token, 32, hash);
	is_str(who.token_hash, hash, "login: the stored token is the token's SM3 digest");
	struct session s;
	is_int(store_session_get(f.st, f.a, hash, &s), 0, "login: session stored by digest");
	is_int(s.user_id, f.alice, "login: session's user");
	is_int(s.created_at, T0, "login: session's created_at");
	is_int(s.last_seen, T0, "login: session's last_seen");
	is_int(s.expires_at, T0 + 12 * 3600, "login: session's expires_at");
	struct session s2;
	is_int(store_session_get(f.st, f.a, token, &s2), ERR_NOT_FOUND,
	       "login: the raw token is not stored");

	is_int(login(&f, "alice", PW_ALICE, "10.0.0.1", T0, token2, NULL, NULL), 0,
	       "login: second login");
	ok(strcmp(token, token2) != 0, "login: each login gets its own token");

	is_int(login(&f, "alice", "Alice-passw0rD", "10.0.0.1", T0, NULL, NULL, NULL),
	       ERR_BAD_LOGIN, "login: wrong password");
	is_int(login(&f, "alice", "", "10.0.0.1", T0, NULL, NULL, NULL), ERR_BAD_LOGIN,
	       "login: empty password");
	is_int(login(&f, "mallory", PW_ALICE, "10.0.0.1", T0, NULL, NULL, NULL), ERR_BAD_LOGIN,
	       "login: unknown user");
	is_int(login(&f, "", PW_ALICE, "10.0.0.1", T0, NULL, NULL, NULL), ERR_BAD_LOGIN,
	       "login: empty user name");
	is_int(login(&f, "erin", PW_OTHER, "10.0.0.1", T0, NULL, NULL, NULL), ERR_BAD_LOGIN,
	       "login: disabled user with the right password");
	struct user u;
	is_int(store_user_get(f.st, f.a, f.alice, &u), 0, "login: read alice back");
	is_int(u.failed_logins, 2, "login: two failures counted");
	is_int(login(&f, "alice", PW_ALICE, "10.0.0.1", T0 + 5, NULL, NULL, NULL), 0,
	       "login: right password after failures");
	is_int(store_user_get(f.st, f.a, f.alice, &u), 0, "login: read alice again");
	is_int(u.failed_logins, 0, "login: success clears the failure count");

	/* scopes: a department works across its parent division */
	is_int(login(&f, "bob", PW_OTHER, "10.0.0.2", T0, NULL, &who, NULL), 0,
	       "login: district department user");
	is_int(who.org_kind, ORG_DEPARTMENT, "login: bob is in a department");
	is_str(who.scope.root_path, "/330108/", "login: district department's scope");
	is_int(login(&f, "carol", PW_OTHER, "10.0.0.2", T0, NULL, &who, NULL), 0,
	       "login: street department user");
	is_str(who.scope.root_path, "/330108/330108001/", "login: street department's scope");
	is_int(who.roles, ROLE(HANDLER) | ROLE(MEDIATOR), "login: carol's two roles");
	is_int(login(&f, "dave", PW_OTHER, "10.0.0.2", T0, NULL, &who, NULL), 0,
	       "login: district admin");
	ok(!who.scope.all, "login: an admin bound to the root still has a path scope");
	is_str(who.scope.root_path, "/330108/", "login: district admin's scope");

	/* auth_scope_of directly */
	struct scope sc;
	is_int(store_user_get_by_name(f.st, f.a, "bob", &u), 0, "scope: read bob");
	auth_scope_of(f.st, f.a, &u, &sc);
	ok(!sc.all, "scope: bob's is a path");
	is_str(sc.root_path, "/330108/", "scope: bob's is the district");
	is_str(u.org_path, "/330108/330108D01/", "scope: bob's own org path is untouched");
	is_int(store_user_get_by_name(f.st, f.a, "frank", &u), 0, "scope: read frank");
	auth_scope_of(f.st, f.a, &u, &sc);
	is_str(sc.root_path, "/330108/330108002/", "scope: a street user's is the street");
	fx_close(&f);
}

static void test_lockout(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	f.cfg.lockout_threshold = 3;
	f.cfg.lockout_minutes = 15;
	f.cfg.ip_fail_limit = 1000;
	long long until = 0;
	struct user u;

	is_int(login(&f, "frank", "wrong-1", "10.1.0.1", T0, NULL, NULL, &until), ERR_BAD_LOGIN,
	       "lockout: failure 1");
	is_int(login(&f, "frank", "wrong-2", "10.1.0.1", T0 + 1, NULL, NULL, &until), ERR_BAD_LOGIN,
	       "lockout: failure 2");
	is_int(store_user_get(f.st, f.a, f.frank, &u), 0, "lockout: read frank");
	is_int(u.failed_logins, 2, "lockout: two failures stored");
	is_int(u.locked_until, 0, "lockout: not locked yet");

	long long t = T0 + 2;
	until = 0;
	is_int(login(&f, "frank", "wrong-3", "10.1.0.1", t, NULL, NULL, &until), ERR_LOCKED,
	       "lockout: failure 3 locks (threshold 3)");
	is_int(until, t + 15 * 60, "lockout: locked_until is now + lockout_minutes");
	is_int(store_user_get(f.st, f.a, f.frank, &u), 0, "lockout: read frank again");
	is_int(u.locked_until, t + 15 * 60, "lockout: lock stored");

	until = 0;
	is_int(login(&f, "frank", PW_OTHER, "10.1.0.1", t + 1, NULL, NULL, &until), ERR_LOCKED,
	       "lockout: right password while locked");
	is_int(until, t + 15 * 60, "lockout: the same locked_until reported");
	until = 0;
	is_int(login(&f, "frank", "wrong-4", "10.1.0.1", t + 10, NULL, NULL, &until), ERR_LOCKED,
	       "lockout: wrong password while locked");
	is_int(until, t + 15 * 60, "lockout: failures while locked do not extend the lock");
	is_int(login(&f, "frank", PW_OTHER, "10.1.0.2", t + 15 * 60 - 1, NULL, NULL, &until),
	       ERR_LOCKED, "lockout: still locked one second before the end");
	is_int(login(&f, "frank", PW_OTHER, "10.1.0.2", t + 15 * 60, NULL, NULL, &until), 0,
	       "lockout: unlocked at locked_until");
	is_int(store_user_get(f.st, f.a, f.frank, &u), 0, "lockout: read frank after");
	is_int(u.failed_logins, 0, "lockout: counter clear after the lock");

	/* a success resets the count, so failures must be consecutive */
	t += 15 * 60 + 100;
	is_int(login(&f, "frank", "wrong-5", "10.1.0.1", t, NULL, NULL, &until), ERR_BAD_LOGIN,
	       "lockout: failure after the lock");
	is_int(login(&f, "frank", "wrong-6", "10.1.0.1", t, NULL, NULL, &until), ERR_BAD_LOGIN,
	       "lockout: second failure after the lock");
	is_int(login(&f, "frank", PW_OTHER, "10.1.0.1", t, NULL, NULL, &until), 0,
	       "lockout: success in between");
	is_int(login(&f, "frank", "wrong-7", "10.1.0.1", t, NULL, NULL, &until), ERR_BAD_LOGIN,
	       "lockout: failure 1 of a new run");
	is_int(login(&f, "frank", "wrong-8", "10.1.0.1", t, NULL, NULL, &until), ERR_BAD_LOGIN,
	       "lockout: failure 2 of a new run does not lock");
	is_int(login(&f, "frank", PW_OTHER, "10.1.0.1", t, NULL, NULL, &until), 0,
	       "lockout: still not locked");
	/* other users are unaffected */
	is_int(login(&f, "alice", PW_ALICE, "10.1.0.1", t, NULL, NULL, &until), 0,
	       "lockout: other users log in");
	fx_close(&f);
}

static void test_throttle(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	f.cfg.ip_fail_limit = 3;
	f.cfg.ip_fail_window = 300;
	f.cfg.lockout_threshold = 100;
	const char *ip = "192.0.2.7";

	is_int(login(&f, "alice", "nope", ip, T0, NULL, NULL, NULL), ERR_BAD_LOGIN,
	       "throttle: failure 1 (wrong password)");
	is_int(login(&f, "nobody", "nope", ip, T0 + 10, NULL, NULL, NULL), ERR_BAD_LOGIN,
	       "throttle: failure 2 (unknown user)");
	is_int(login(&f, "erin", PW_OTHER, ip, T0 + 20, NULL, NULL, NULL), ERR_BAD_LOGIN,
	       "throttle: failure 3 (disabled user)");
	is_int(login(&f, "alice", PW_ALICE, ip, T0 + 30, NULL, NULL, NULL), ERR_THROTTLED,
	       "throttle: the address is throttled, even with the right password");
	is_int(login(&f, "alice", "nope", ip, T0 + 31, NULL, NULL, NULL), ERR_THROTTLED,
	       "throttle: a wrong password is throttled too");
	struct user u;
	is_int(store_user_get(f.st, f.a, f.alice, &u), 0, "throttle: read alice");
	is_int(u.failed_logins, 1, "throttle: throttled attempts are not checked or counted");
	is_int(login(&f, "alice", PW_ALICE, "192.0.2.8", T0 + 30, NULL, NULL, NULL), 0,
	       "throttle: another address is not");
	is_int(login(&f, "alice", PW_ALICE, ip, T0 + 299, NULL, NULL, NULL), ERR_THROTTLED,
	       "throttle: still throttled at the window's last second");
	is_int(login(&f, "alice", PW_ALICE, ip, T0 + 300, NULL, NULL, NULL), 0,
	       "throttle: allowed again after ip_fail_window");

	/* a new window starts at its first failure */
	long long t = T0 + 1000;
	for (int i = 0; i < 3; i++)
		is_int(login(&f, "alice", "nope", ip, t + 100 * i, NULL, NULL, NULL), ERR_BAD_LOGIN,
		       "throttle: window 2 failure %d", i + 1);
	is_int(login(&f, "alice", PW_ALICE, ip, t + 250, NULL, NULL, NULL), ERR_THROTTLED,
	       "throttle: three failures within the window throttle");
	is_int(login(&f, "alice", PW_ALICE, ip, t + 300, NULL, NULL, NULL), 0,
	       "throttle: the window runs from its first failure");

	/* failures spread wider than the window never throttle */
	t = T0 + 5000;
	for (int i = 0; i < 6; i++)
		is_int(login(&f, "alice", "nope", ip, t + 150 * i, NULL, NULL, NULL), ERR_BAD_LOGIN,
		       "throttle: spread failure %d", i + 1);

	/* reset forgets */
	t = T0 + 10000;
	for (int i = 0; i < 3; i++)
		login(&f, "alice", "nope", ip, t, NULL, NULL, NULL);
	is_int(login(&f, "alice", PW_ALICE, ip, t, NULL, NULL, NULL), ERR_THROTTLED,
	       "throttle: throttled before reset");
	auth_throttle_reset();
	is_int(login(&f, "alice", PW_ALICE, ip, t, NULL, NULL, NULL), 0,
	       "throttle: auth_throttle_reset forgets");
	fx_close(&f);
}

/* ---- sessions ----------------------------------------------------------- */

static void test_sessions(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	char token[AUTH_TOKEN_HEX];
	struct principal who, w2;
	struct session s;
	const long long idle = f.cfg.session_idle_minutes * 60;

	is_int(login(&f, "carol", PW_OTHER, "10.2.0.1", T0, token, &who, NULL), 0,
	       "session: login");
	memset(&w2, 0, sizeof(w2));
	is_int(auth_session(f.st, &f.cfg, f.a, token, T0 + 30, &w2), 0, "session: valid token");
	is_int(w2.user_id, f.carol, "session: principal's user");
	is_str(w2.username, "carol", "session: principal's name");
	is_int(w2.org_kind, ORG_DEPARTMENT, "session: principal's org kind");
	is_int(w2.roles, ROLE(HANDLER) | ROLE(MEDIATOR), "session: principal's roles");
	is_str(w2.scope.root_path, "/330108/330108001/", "session: department scope");
	is_str(w2.token_hash, who.token_hash, "session: principal's token hash");
	is_int(w2.expires_at, T0 + 12 * 3600, "session: principal's expiry");
	is_int(store_session_get(f.st, f.a, who.token_hash, &s), 0, "session: read back");
	is_int(s.last_seen, T0, "session: not touched within the first minute");

	/* malformed and unknown tokens */
	char upper[AUTH_TOKEN_HEX];
	str_copy(upper, sizeof(upper), token);
	for (int i = 0; i < 32; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	char longer[40], shorter[40], nonhex[40];
	snprintf(longer, sizeof(longer), "%s0", token);
	snprintf(shorter, sizeof(shorter), "%.31s", token);
	snprintf(nonhex, sizeof(nonhex), "%.31sg", token);
	const char *bad[] = { NULL,          "",      "abc",  "00000000000000000000000000000000",
			      longer,        shorter, nonhex, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
			      who.token_hash };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(auth_session(f.st, &f.cfg, f.a, bad[i], T0 + 30, &w2), ERR_UNAUTHENTICATED,
		       "session: bad token %zu refused", i);
	if (strcmp(upper, token))
		is_int(auth_session(f.st, &f.cfg, f.a, upper, T0 + 30, &w2), ERR_UNAUTHENTICATED,
		       "session: the token is case-sensitive");

	/* last-seen refreshes at most once a minute */
	is_int(auth_session(f.st, &f.cfg, f.a, token, T0 + 59, &w2), 0, "session: at 59 s");
	store_session_get(f.st, f.a, who.token_hash, &s);
	is_int(s.last_seen, T0, "session: not touched at 59 s");
	is_int(auth_session(f.st, &f.cfg, f.a, token, T0 + 60, &w2), 0, "session: at 60 s");
	store_session_get(f.st, f.a, who.token_hash, &s);
	is_int(s.last_seen, T0 + 60, "session: touched at 60 s");

	/* idle timeout counts from last_seen */
	long long last = T0 + 60;
	is_int(auth_session(f.st, &f.cfg, f.a, token, last + idle - 1, &w2), 0,
	       "session: alive one second before the idle timeout");
	last += idle - 1;
	is_int(auth_session(f.st, &f.cfg, f.a, token, last + idle - 1, &w2), 0,
	       "session: use keeps it alive");
	last += idle - 1;
	is_int(auth_session(f.st, &f.cfg, f.a, token, last + idle, &w2), ERR_UNAUTHENTICATED,
	       "session: idle timeout ends it");
	is_int(store_session_get(f.st, f.a, who.token_hash, &s), ERR_NOT_FOUND,
	       "session: an expired session is deleted");
	is_int(auth_session(f.st, &f.cfg, f.a, token, last + 1, &w2), ERR_UNAUTHENTICATED,
	       "session: stays ended");

	/* idle timeout without any use */
	is_int(login(&f, "carol", PW_OTHER, "10.2.0.1", T0, token, &who, NULL), 0,
	       "session: login again");
	is_int(auth_session(f.st, &f.cfg, f.a, token, T0 + idle, &w2), ERR_UNAUTHENTICATED,
	       "session: idle_minutes after login without use");

	/* absolute lifetime, even when used all along */
	f.cfg.session_idle_minutes = 10080;
	is_int(login(&f, "carol", PW_OTHER, "10.2.0.1", T0, token, &who, NULL), 0,
	       "session: login for the absolute test");
	is_int(auth_session(f.st, &f.cfg, f.a, token, T0 + 6 * 3600, &w2), 0,
	       "session: alive after 6 h");
	is_int(auth_session(f.st, &f.cfg, f.a, token, T0 + 12 * 3600 - 1, &w2), 0,
	       "session: alive one second before the absolute limit");
	is_int(auth_session(f.st, &f.cfg, f.a, token, T0 + 12 * 3600, &w2), ERR_UNAUTHENTICATED,
	       "session: absolute lifetime ends it");
	f.cfg.session_idle_minutes = 30;

	/* logout */
	char t2[AUTH_TOKEN_HEX];
	struct principal who2;
	is_int(login(&f, "carol", PW_OTHER, "10.2.0.1", T0, token, &who, NULL), 0,
	       "session: login A");
	is_int(login(&f, "carol", PW_OTHER, "10.2.0.1", T0, t2, &who2, NULL), 0,
	       "session: login B");
	is_int(auth_logout(f.st, &who), 0, "session: logout A");
	is_int(auth_session(f.st, &f.cfg, f.a, token, T0 + 1, &w2), ERR_UNAUTHENTICATED,
	       "session: A ended by logout");
	is_int(auth_session(f.st, &f.cfg, f.a, t2, T0 + 1, &w2), 0,
	       "session: B survives A's logout");

	/* disabling the user ends the session */
	is_int(store_user_set_disabled(f.st, f.carol, true), 0, "session: disable carol");
	auth_forget_user(f.carol); /* as the API does when it disables a user */
	is_int(auth_session(f.st, &f.cfg, f.a, t2, T0 + 2, &w2), ERR_UNAUTHENTICATED,
	       "session: a disabled user's session is refused");
	is_int(store_user_set_disabled(f.st, f.carol, false), 0, "session: enable carol");
	fx_close(&f);
}

static void test_change_password(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	char ta[AUTH_TOKEN_HEX], tb[AUTH_TOKEN_HEX], tbob[AUTH_TOKEN_HEX], why[256];
	struct principal w;
	const char *newpw = "New-Garden-pw-2024";
	login(&f, "alice", PW_ALICE, "10.3.0.1", T0, ta, NULL, NULL);
	login(&f, "alice", PW_ALICE, "10.3.0.1", T0, tb, NULL, NULL);
	is_int(login(&f, "bob", PW_OTHER, "10.3.0.1", T0, tbob, NULL, NULL), 0,
	       "passwd: bob logs in");

	why[0] = '\0';
	is_int(auth_change_password(f.st, &f.cfg, f.alice, "not-it", newpw, T0 + 10, why,
				    sizeof(why)),
	       ERR_BAD_LOGIN, "passwd: wrong current password");
	is_str(why, "the current password is wrong", "passwd: wrong current password message");
	is_int(auth_session(f.st, &f.cfg, f.a, ta, T0 + 11, &w), 0,
	       "passwd: a refused change keeps sessions");

	is_int(auth_change_password(f.st, &f.cfg, f.alice, PW_ALICE, "short1A", T0 + 10, why,
				    sizeof(why)),
	       ERR_BAD_VALUE, "passwd: policy applies");
	is_str(why, "the password needs at least 12 characters", "passwd: policy message");
	is_int(auth_change_password(f.st, &f.cfg, f.alice, PW_ALICE, "alllowercaseletters", T0 + 10,
				    why, sizeof(why)),
	       ERR_BAD_VALUE, "passwd: classes apply");
	is_int(auth_change_password(f.st, &f.cfg, f.alice, PW_ALICE, PW_ALICE, T0 + 10, why,
				    sizeof(why)),
	       ERR_BAD_VALUE, "passwd: the same password refused");
	is_str(why, "the new password must differ from the current one", "passwd: same message");
	is_int(auth_session(f.st, &f.cfg, f.a, tb, T0 + 11, &w), 0,
	       "passwd: refused changes keep sessions");

	is_int(auth_change_password(f.st, &f.cfg, f.alice, PW_ALICE, newpw, T0 + 100, why,
				    sizeof(why)),
	       0, "passwd: changed");
	is_int(auth_session(f.st, &f.cfg, f.a, ta, T0 + 101, &w), ERR_UNAUTHENTICATED,
	       "passwd: session A ended");
	is_int(auth_session(f.st, &f.cfg, f.a, tb, T0 + 101, &w), ERR_UNAUTHENTICATED,
	       "passwd: session B ended");
	is_int(auth_session(f.st, &f.cfg, f.a, tbob, T0 + 101, &w), 0,
	       "passwd: another user's session kept");
	struct user u;
	is_int(store_user_get(f.st, f.a, f.alice, &u), 0, "passwd: read alice");
	is_int(u.password_changed_at, T0 + 100, "passwd: password_changed_at set");
	ok(str_starts_with(u.password_hash, "$pbkdf2-sm3$v=1$i=1000$"),
	   "passwd: hashed with the configured scheme and iterations");
	is_int(login(&f, "alice", PW_ALICE, "10.3.0.2", T0 + 102, NULL, NULL, NULL), ERR_BAD_LOGIN,
	       "passwd: old password no longer works");
	is_int(login(&f, "alice", newpw, "10.3.0.2", T0 + 103, NULL, NULL, NULL), 0,
	       "passwd: new password works");
	is_int(auth_change_password(f.st, &f.cfg, 999999, newpw, "Another-pw-2024", T0, why,
				    sizeof(why)),
	       ERR_NOT_FOUND, "passwd: unknown user");
	fx_close(&f);
}

/* A stage's deadline by urgency: its own when set, else the lower urgency's. */
static void test_stage_deadlines(void)
{
	struct category c = { .code = "0402" };
	c.stage_s[WF_STAGE_REGISTER] = 1800;
	c.stage_s[WF_STAGE_HANDLE] = 14400;
	c.critical_s[WF_STAGE_REGISTER] = 600;
	c.urgent_s[WF_STAGE_HANDLE] = 7200;
	c.critical_s[WF_STAGE_HANDLE] = 3600;
	c.urgent_s[WF_STAGE_VERIFY] = 5400;
	c.stage_s[WF_STAGE_VERIFY] = 7200;
	is_int(event_stage_seconds(&c, WF_STAGE_REGISTER, 1), 1800, "stage: normal, its own");
	is_int(event_stage_seconds(&c, WF_STAGE_REGISTER, 2), 1800,
	       "stage: urgent, none: the normal");
	is_int(event_stage_seconds(&c, WF_STAGE_REGISTER, 3), 600, "stage: critical, its own");
	is_int(event_stage_seconds(&c, WF_STAGE_HANDLE, 2), 7200, "stage: urgent handling");
	is_int(event_stage_seconds(&c, WF_STAGE_HANDLE, 3), 3600, "stage: critical handling");
	is_int(event_stage_seconds(&c, WF_STAGE_VERIFY, 3), 5400,
	       "stage: critical, none: the urgent one");
	is_int(event_stage_seconds(&c, WF_STAGE_VERIFY, 0), 7200, "stage: no urgency is normal");
	is_int(event_stage_seconds(&c, WF_STAGE_NONE, 3), 0, "stage: no stage, no deadline");
	is_int(event_stage_seconds(&c, WF_STAGE__COUNT, 1), 0, "stage: out of range, none");
}

void suite_domain(void)
{
	test_stage_deadlines();
	is_int(sec_init(), 0, "domain: sec_init");
	test_org_kinds();
	test_org_check();
	test_org_paths();
	test_roles();
	test_password_policy();
	test_password_generate();
	test_login();
	test_lockout();
	test_throttle();
	test_sessions();
	test_change_password();
}
