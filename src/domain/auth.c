/*
 * auth.c - see auth.h.
 *
 * The per-address failure counts live in memory (a fixed table of recent
 * addresses, oldest evicted first): they protect a running server and need
 * not survive a restart. Account lockout is in the database.
 */
#include "domain/auth.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/sec.h"
#include "core/str.h"
#include "core/totp.h"
#include "domain/authz.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THROTTLE_SLOTS 1024
#define TOTP_WINDOW    1 /* steps of clock drift accepted either side */

/* --- the password blocklist: sorted, lowercased, searched by bsearch --- */
static char **block;
static size_t nblock;
static char *block_buf;
static pthread_mutex_t block_lock = PTHREAD_MUTEX_INITIALIZER;

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

int auth_blocklist_load(const char *path, char *why, size_t whylen)
{
	char *buf = NULL, **list = NULL;
	size_t n = 0;
	if (path && *path) {
		FILE *f = fopen(path, "rb");
		if (!f) {
			snprintf(why, whylen, "cannot open the password blocklist '%s'", path);
			return ERR_IO;
		}
		struct strbuf sb = STRBUF_INIT;
		char chunk[65536];
		size_t got;
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			strbuf_add(&sb, chunk, got);
		fclose(f);
		size_t len;
		buf = strbuf_detach(&sb, &len);
		size_t cap = 1;
		for (size_t i = 0; i < len; i++)
			cap += buf[i] == '\n';
		list = xcalloc(cap + 1, sizeof(*list));
		for (char *line = buf, *next; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			size_t l = strlen(line);
			if (l && line[l - 1] == '\r')
				line[--l] = '\0';
			if (!l || line[0] == '#')
				continue;
			lower_ascii(line);
			list[n++] = line;
		}
		qsort(list, n, sizeof(*list), cmp_str);
	}
	pthread_mutex_lock(&block_lock);
	free(block);
	free(block_buf);
	block = list;
	block_buf = buf;
	nblock = n;
	pthread_mutex_unlock(&block_lock);
	return 0;
}

static bool blocked(const char *pw)
{
	char low[160];
	if (strlen(pw) >= sizeof(low))
		return false;
	str_copy(low, sizeof(low), pw);
	lower_ascii(low);
	const char *key = low;
	pthread_mutex_lock(&block_lock);
	bool hit = nblock && bsearch(&key, block, nblock, sizeof(*block), cmp_str);
	pthread_mutex_unlock(&block_lock);
	sec_wipe(low, sizeof(low));
	return hit;
}

void auth_release(void)
{
	char why[8];
	auth_blocklist_load(NULL, why, sizeof(why));
	auth_set_keyring(NULL);
}

/* --- TOTP secrets at rest --- */
static const struct crypt_keyring *ring;

void auth_set_keyring(const struct crypt_keyring *kr)
{
	ring = kr;
}

/* The associated data binds a sealed secret to its user's row. */
static const char *secret_ad(struct arena *a, long long user_id)
{
	return arena_printf(a, "user_totp/%lld/secret", user_id);
}

/* The stored form of a base32 secret (crypt_seal_text()). */
static int seal_secret(const struct crypt_keyring *kr, struct arena *a, long long user_id,
		       const char *b32, const char **out)
{
	return crypt_seal_text(kr, a, secret_ad(a, user_id), b32, out);
}

/* The base32 secret of a row; see crypt_open_text(). */
static int open_secret(const struct crypt_keyring *kr, struct arena *a, const struct totp_row *t,
		       const char **b32, bool *stale)
{
	int err = crypt_open_text(kr, a, secret_ad(a, t->user_id), t->secret, b32, stale);
	if (err == ERR_UNAVAILABLE)
		log_error("user %lld's second factor is sealed and no key file is loaded",
			  t->user_id);
	else if (err)
		log_error("user %lld's second factor does not open (%s)", t->user_id,
			  err_name(err));
	return err;
}

int auth_totp_reseal_all(struct store *st, const struct crypt_keyring *kr, long long *rows,
			 char *why, size_t whylen)
{
	struct arena *a = arena_new();
	struct totp_row *v;
	size_t n;
	*rows = 0;
	int err = store_totp_all(st, a, &v, &n);
	if (err)
		snprintf(why, whylen, "cannot read the second factors");
	for (size_t i = 0; !err && i < n; i++) {
		const char *b32, *stored;
		bool stale;
		if ((err = open_secret(kr, a, &v[i], &b32, &stale)) ||
		    (err = seal_secret(kr, a, v[i].user_id, b32, &stored)) ||
		    (err = store_totp_set_secret(st, v[i].user_id, stored)))
			snprintf(why, whylen, "the second factor of user %lld cannot be re-sealed",
				 v[i].user_id);
		else
			(*rows)++;
	}
	arena_free(a);
	return err;
}

bool auth_totp_required(const struct config *cfg, unsigned roles)
{
	unsigned need = 0;
	char why[64];
	if (cfg->totp_roles && *cfg->totp_roles &&
	    role_parse_list(cfg->totp_roles, &need, why, sizeof(why)))
		need = ~0u; /* unreadable: fail closed (auth_configure refuses to start) */
	return (roles & need) != 0;
}

int auth_configure(const struct config *cfg, char *why, size_t whylen)
{
	unsigned need;
	char inner[128];
	if (*cfg->totp_roles && role_parse_list(cfg->totp_roles, &need, inner, sizeof(inner))) {
		snprintf(why, whylen, "setting 'totp_roles': %s", inner);
		return ERR_BAD_VALUE;
	}
	if (!totp_alg_valid(cfg->totp_algorithm)) {
		snprintf(why, whylen, "setting 'totp_algorithm' must be sha1 or sm3, not '%s'",
			 cfg->totp_algorithm);
		return ERR_BAD_VALUE;
	}
	size_t il = strlen(cfg->totp_issuer);
	if (!il || il > 64 || strchr(cfg->totp_issuer, ':')) {
		snprintf(why, whylen, "setting 'totp_issuer' must be 1-64 characters without ':'");
		return ERR_BAD_VALUE;
	}
	return auth_blocklist_load(cfg->password_blocklist, why, whylen);
}

struct slot {
	char ip[48];
	long long window_start;
	int failures;
	bool throttle_audited; /* this window's refusals already have their record */
};

static struct slot slots[THROTTLE_SLOTS];
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;

void auth_throttle_reset(void)
{
	pthread_mutex_lock(&throttle_lock);
	memset(slots, 0, sizeof(slots));
	pthread_mutex_unlock(&throttle_lock);
}

static struct slot *find_slot(const char *ip, bool create)
{
	struct slot *oldest = &slots[0];
	for (int i = 0; i < THROTTLE_SLOTS; i++) {
		if (!strcmp(slots[i].ip, ip))
			return &slots[i];
		if (slots[i].window_start < oldest->window_start)
			oldest = &slots[i];
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	str_copy(oldest->ip, sizeof(oldest->ip), ip);
	return oldest;
}

/* *first tells whether this is the window's first refusal: only that one
 * is audited, so a flood of refused attempts cannot flood the log. */
static bool throttled(const struct config *cfg, const char *ip, long long now, bool *first)
{
	pthread_mutex_lock(&throttle_lock);
	struct slot *s = find_slot(ip, false);
	bool t = s && now - s->window_start < cfg->ip_fail_window &&
		 s->failures >= cfg->ip_fail_limit;
	*first = t && !s->throttle_audited;
	if (t)
		s->throttle_audited = true;
	pthread_mutex_unlock(&throttle_lock);
	return t;
}

static void count_failure(const struct config *cfg, const char *ip, long long now)
{
	pthread_mutex_lock(&throttle_lock);
	struct slot *s = find_slot(ip, true);
	if (now - s->window_start >= cfg->ip_fail_window) {
		s->window_start = now;
		s->failures = 0;
		s->throttle_audited = false;
	}
	s->failures++;
	pthread_mutex_unlock(&throttle_lock);
}

void auth_scope_of(struct store *st, struct arena *a, const struct user *u, struct scope *sc)
{
	(void)st;
	authz_scope_of(a, u->org_path, u->org_kind, u->id, sc);
}

static void fill_principal(struct store *st, struct arena *a, const struct user *u,
			   struct principal *who)
{
	memset(who, 0, sizeof(*who));
	who->user_id = u->id;
	who->username = u->username;
	who->display_name = u->display_name;
	who->org_code = u->org_code;
	who->org_kind = u->org_kind;
	who->roles = u->roles;
	auth_scope_of(st, a, u, &who->scope);
	who->scope.self_id = u->id;
}

static void new_token(char token[AUTH_TOKEN_HEX], char hash[SEC_HEX_LEN])
{
	unsigned char raw[16];
	sec_random(raw, sizeof(raw));
	sec_hex(raw, sizeof(raw), token);
	sec_wipe(raw, sizeof(raw));
	sec_digest_hex(SEC_SM3, token, 32, hash);
}

/* The audit record of a login attempt (u NULL: no such user). Part of the
 * caller's transaction when there is one. */
static int audit_login(struct store *st, long long now, const struct user *u, const char *name,
		       const char *ip, const char *outcome, const char *detail)
{
	char object[40];
	snprintf(object, sizeof(object), u ? "user:%lld" : "user:-", u ? u->id : 0);
	struct audit_rec r = { .at = now,
			       .user_id = u ? u->id : 0,
			       .username = u ? u->username : name,
			       .ip = ip,
			       .action = "login",
			       .object = object,
			       .outcome = outcome,
			       .detail = detail };
	return store_audit_append(st, &r);
}

/* Every attempt is audited: ok, failed, locked (and the first throttled one
 * of an address's window). A failure's
 * record shares the transaction of the failure count it raises; the
 * session of a success is created with its record. */
/* A failed factor: counts for the address and towards the account's lockout,
 * and is audited in the transaction of the count it raises. */
static int login_failed(struct store *st, const struct config *cfg, const struct user *u,
			const char *ip, long long now, long long *locked_until, const char *what)
{
	bool locked = false;
	count_failure(cfg, ip, now);
	int err = store_begin(st);
	if (err)
		return err;
	char detail[96];
	if ((err = store_user_login_failed(st, u->id, now, (int)cfg->lockout_threshold,
					   cfg->lockout_minutes * 60, &locked))) {
		store_rollback(st);
		return err;
	}
	snprintf(detail, sizeof(detail), "%s%s", what, locked ? "; the account is now locked" : "");
	if ((err = audit_login(st, now, u, u->username, ip, locked ? "locked" : "failed",
			       detail))) {
		store_rollback(st);
		return err;
	}
	if ((err = store_commit(st)))
		return err;
	if (locked) {
		log_warn("account %lld locked after %lld failed logins", u->id,
			 cfg->lockout_threshold);
		*locked_until = now + cfg->lockout_minutes * 60;
		return ERR_LOCKED;
	}
	return ERR_BAD_LOGIN;
}

/* The second factor, after a right password: the stage the session gets,
 * or an error. */
static int second_factor(struct store *st, const struct config *cfg, struct arena *a,
			 const struct user *u, const char *otp, const char *ip, long long now,
			 long long *locked_until, int *stage)
{
	struct totp_row t;
	int err = store_totp_get(st, a, u->id, &t);
	if (err && err != ERR_NOT_FOUND)
		return err;
	if (err || !t.enabled) {
		if (auth_totp_required(cfg, u->roles))
			*stage = AUTH_STAGE_ENROL;
		return 0;
	}
	if (!otp || !*otp)
		return ERR_OTP_REQUIRED;
	const char *b32;
	bool stale;
	if ((err = open_secret(ring, a, &t, &b32, &stale)))
		return err == ERR_UNAVAILABLE ? err : ERR_INTERNAL;
	unsigned char key[64];
	long n = totp_b32_decode(b32, key, sizeof(key));
	long long step = 0;
	bool ok = n > 0 && totp_verify(t.algorithm, key, (size_t)n, otp, now, TOTP_WINDOW,
				       t.last_step, &step);
	sec_wipe(key, sizeof(key));
	/* the conditional update makes a code single-use even between racing logins */
	if (ok && (err = store_totp_use(st, u->id, step)) != ERR_CONFLICT) {
		if (err)
			return err;
		/* stored plain before a key file existed, or under an older key
		 * version: seal it now (best effort; the login stands) */
		const char *stored;
		if (stale && !seal_secret(ring, a, u->id, b32, &stored))
			store_totp_set_secret(st, u->id, stored);
		return 0;
	}
	return login_failed(st, cfg, u, ip, now, locked_until, "wrong second factor");
}

int auth_login(struct store *st, const struct config *cfg, struct arena *a, const char *username,
	       const char *password, const char *otp, const char *ip, long long now,
	       char token[AUTH_TOKEN_HEX], struct principal *who, long long *locked_until)
{
	bool first;
	if (throttled(cfg, ip, now, &first)) {
		int e2 = first ? audit_login(st, now, NULL, username, ip, "throttled",
					     "too many failures from this address; further "
					     "refusals in this window are not recorded")
			       : 0;
		return e2 ? e2 : ERR_THROTTLED;
	}
	struct user u;
	int err = store_user_get_by_name(st, a, username, &u);
	if (err == ERR_NOT_FOUND || (!err && u.disabled)) {
		sec_password_dummy(cfg->password_scheme, cfg->pbkdf2_iterations, password);
		count_failure(cfg, ip, now);
		int e2 = audit_login(st, now, err ? NULL : &u, username, ip, "failed",
				     err ? "no such user" : "the account is disabled");
		return e2 ? e2 : ERR_BAD_LOGIN;
	}
	if (err)
		return err;
	if (u.locked_until > now) {
		sec_password_dummy(cfg->password_scheme, cfg->pbkdf2_iterations, password);
		*locked_until = u.locked_until;
		count_failure(cfg, ip, now);
		int e2 = audit_login(st, now, &u, username, ip, "locked", "the account is locked");
		return e2 ? e2 : ERR_LOCKED;
	}
	err = sec_password_verify(u.password_hash, password);
	if (err == ERR_BAD_LOGIN)
		return login_failed(st, cfg, &u, ip, now, locked_until, "wrong password");
	if (err) {
		log_error("user %lld has a malformed password hash", u.id);
		int e2 = audit_login(st, now, &u, username, ip, "failed",
				     "the stored password hash is malformed");
		return e2 ? e2 : ERR_BAD_LOGIN;
	}
	int stage = AUTH_STAGE_FULL;
	if ((err = second_factor(st, cfg, a, &u, otp, ip, now, locked_until, &stage)))
		return err;
	if (cfg->password_max_age_days > 0 &&
	    now - u.password_changed_at >= cfg->password_max_age_days * 86400)
		stage = AUTH_STAGE_PASSWORD;
	char hash[SEC_HEX_LEN];
	new_token(token, hash);
	long long expires = now + cfg->session_absolute_hours * 3600;
	if ((err = store_begin(st)))
		return err;
	if ((u.failed_logins && (err = store_user_login_ok(st, u.id))) ||
	    (err = store_session_add(st, hash, u.id, now, expires, ip)) ||
	    (stage != AUTH_STAGE_FULL && (err = store_session_set_stage(st, hash, stage))) ||
	    (err = audit_login(st, now, &u, username, ip, "ok",
			       stage == AUTH_STAGE_ENROL      ? "second factor to enrol"
			       : stage == AUTH_STAGE_PASSWORD ? "password to change"
							      : ""))) {
		store_rollback(st);
		return err;
	}
	if ((err = store_commit(st)))
		return err;
	fill_principal(st, a, &u, who);
	who->token_hash = arena_strdup(a, hash);
	who->expires_at = expires;
	who->stage = stage;
	return 0;
}

/* Percent-encodes everything but RFC 3986's unreserved characters. */
static const char *pct(struct arena *a, const char *s)
{
	static const char hx[] = "0123456789ABCDEF";
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || strchr("-._~", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hx[*p >> 4];
			*o++ = hx[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

int auth_totp_begin(struct store *st, const struct config *cfg, struct arena *a,
		    const struct principal *who, long long now, const char **secret,
		    const char **algorithm, const char **uri)
{
	unsigned char key[TOTP_SECRET_LEN];
	char b32[TOTP_B32_MAX];
	sec_random(key, sizeof(key));
	totp_b32_encode(key, sizeof(key), b32);
	sec_wipe(key, sizeof(key));
	const char *stored;
	int err = seal_secret(ring, a, who->user_id, b32, &stored);
	if (!err)
		err = store_totp_begin(st, who->user_id, cfg->totp_algorithm, stored, now);
	if (!err) {
		*secret = arena_strdup(a, b32);
		*algorithm = cfg->totp_algorithm;
		/* Google's Key Uri Format; apps read SHA1 and, where supported, SM3 */
		const char *alg = !strcmp(cfg->totp_algorithm, "sm3") ? "SM3" : "SHA1";
		*uri = arena_printf(
			a,
			"otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=%s&digits=%d"
			"&period=%d",
			pct(a, cfg->totp_issuer), pct(a, who->username), b32,
			pct(a, cfg->totp_issuer), alg, TOTP_DIGITS, TOTP_STEP);
	}
	sec_wipe(b32, sizeof(b32));
	return err;
}

int auth_totp_confirm(struct store *st, struct principal *who, const char *code, long long now)
{
	struct arena *a = arena_new();
	struct totp_row t;
	int err = store_totp_get(st, a, who->user_id, &t);
	if (err == ERR_NOT_FOUND || (!err && t.enabled))
		err = ERR_CONFLICT;
	if (err)
		goto out;
	const char *b32;
	bool stale;
	if ((err = open_secret(ring, a, &t, &b32, &stale))) {
		err = err == ERR_UNAVAILABLE ? err : ERR_INTERNAL;
		goto out;
	}
	unsigned char key[64];
	long n = totp_b32_decode(b32, key, sizeof(key));
	long long step = 0;
	bool ok =
		n > 0 && totp_verify(t.algorithm, key, (size_t)n, code, now, TOTP_WINDOW, 0, &step);
	sec_wipe(key, sizeof(key));
	if (!ok) {
		err = ERR_BAD_VALUE;
		goto out;
	}
	if ((err = store_totp_enable(st, who->user_id, step, now)))
		goto out;
	if (who->stage == AUTH_STAGE_ENROL) {
		if ((err = store_session_set_stage(st, who->token_hash, AUTH_STAGE_FULL)))
			goto out;
		who->stage = AUTH_STAGE_FULL;
	}
out:
	arena_free(a);
	return err;
}

int auth_totp_reset(struct store *st, long long user_id)
{
	int err = store_totp_delete(st, user_id);
	if (err)
		return err;
	auth_forget_user(user_id);
	return store_session_delete_user(st, user_id);
}

/*
 * The principal cache: a direct-mapped table of recently seen sessions'
 * users, roles and scopes, so a busy client's requests do not each load the
 * user with its org and roles. The session row itself is still read every
 * time (a primary-key lookup), so logout, password changes and disabling end
 * sessions at once from any process; a change of a user's roles or org is
 * seen within SCACHE_TTL seconds.
 */
#define SCACHE_SLOTS 1024
#define SCACHE_TTL   15

struct scache_entry {
	char hash[SEC_HEX_LEN];
	long long user_id, cached_at, expires_at;
	unsigned roles;
	enum org_kind kind;
	char username[65], display[320], org_code[ORG_CODE_MAX], scope_path[512];
};

static struct scache_entry *scache;
static pthread_mutex_t scache_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t slot_of(const char *hash)
{
	size_t h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (size_t)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
	return h % SCACHE_SLOTS;
}

static bool scache_get(const char *hash, long long now, struct arena *a, struct principal *who)
{
	bool hit = false;
	pthread_mutex_lock(&scache_lock);
	struct scache_entry *e = scache ? &scache[slot_of(hash)] : NULL;
	if (e && !strcmp(e->hash, hash) && now - e->cached_at < SCACHE_TTL && now >= e->cached_at) {
		memset(who, 0, sizeof(*who));
		who->user_id = e->user_id;
		who->username = arena_strdup(a, e->username);
		who->display_name = arena_strdup(a, e->display);
		who->org_code = arena_strdup(a, e->org_code);
		who->org_kind = e->kind;
		who->roles = e->roles;
		who->scope.root_path = arena_strdup(a, e->scope_path);
		who->scope.self_id = e->user_id;
		who->token_hash = arena_strdup(a, hash);
		who->expires_at = e->expires_at;
		hit = true;
	}
	pthread_mutex_unlock(&scache_lock);
	return hit;
}

static void scache_put(const char *hash, const struct principal *who, long long now)
{
	if (strlen(who->username) >= 65 || strlen(who->display_name) >= 320 ||
	    strlen(who->scope.root_path) >= 512)
		return; /* unusually long: not cached */
	pthread_mutex_lock(&scache_lock);
	if (!scache)
		scache = xcalloc(SCACHE_SLOTS, sizeof(*scache));
	struct scache_entry *e = &scache[slot_of(hash)];
	str_copy(e->hash, sizeof(e->hash), hash);
	e->user_id = who->user_id;
	e->cached_at = now;
	e->expires_at = who->expires_at;
	e->roles = who->roles;
	e->kind = who->org_kind;
	str_copy(e->username, sizeof(e->username), who->username);
	str_copy(e->display, sizeof(e->display), who->display_name);
	str_copy(e->org_code, sizeof(e->org_code), who->org_code);
	str_copy(e->scope_path, sizeof(e->scope_path), who->scope.root_path);
	pthread_mutex_unlock(&scache_lock);
}

static void scache_drop(const char *hash)
{
	pthread_mutex_lock(&scache_lock);
	if (scache && !strcmp(scache[slot_of(hash)].hash, hash))
		scache[slot_of(hash)].hash[0] = '\0';
	pthread_mutex_unlock(&scache_lock);
}

void auth_forget_user(long long user_id)
{
	pthread_mutex_lock(&scache_lock);
	for (size_t i = 0; scache && i < SCACHE_SLOTS; i++)
		if (scache[i].user_id == user_id)
			scache[i].hash[0] = '\0';
	pthread_mutex_unlock(&scache_lock);
}

void auth_cache_clear(void)
{
	pthread_mutex_lock(&scache_lock);
	free(scache);
	scache = NULL;
	pthread_mutex_unlock(&scache_lock);
}

int auth_session(struct store *st, const struct config *cfg, struct arena *a, const char *token,
		 long long now, struct principal *who)
{
	if (!token || strlen(token) != 32)
		return ERR_UNAUTHENTICATED;
	for (int i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)token[i]))
			return ERR_UNAUTHENTICATED;
	char hash[SEC_HEX_LEN];
	sec_digest_hex(SEC_SM3, token, 32, hash);
	/* the session row is always read: logout, a password change or disabling
	 * (from any process) deletes it, and that must end the session at once */
	struct session s;
	int err = store_session_get(st, a, hash, &s);
	if (err == ERR_NOT_FOUND) {
		scache_drop(hash);
		return ERR_UNAUTHENTICATED;
	}
	if (err)
		return err;
	if (s.expires_at <= now || s.last_seen + cfg->session_idle_minutes * 60 <= now) {
		scache_drop(hash);
		store_session_delete(st, hash);
		return ERR_UNAUTHENTICATED;
	}
	if (now - s.last_seen >= 60)
		store_session_touch(st, hash, now); /* best effort */
	/* the user, roles and scope: from the cache when fresh; the stage is
	 * the session row's, read above */
	if (scache_get(hash, now, a, who)) {
		who->stage = s.stage;
		return 0;
	}
	struct user u;
	err = store_user_get(st, a, s.user_id, &u);
	if (err == ERR_NOT_FOUND || (!err && u.disabled)) {
		scache_drop(hash);
		return ERR_UNAUTHENTICATED;
	}
	if (err)
		return err;
	fill_principal(st, a, &u, who);
	who->token_hash = s.token_hash;
	who->expires_at = s.expires_at;
	who->stage = s.stage;
	scache_put(hash, who, now);
	return 0;
}

int auth_logout(struct store *st, const struct principal *who)
{
	scache_drop(who->token_hash);
	return store_session_delete(st, who->token_hash);
}

int auth_password_policy(const char *pw, char *why, size_t whylen)
{
	size_t bytes = strlen(pw);
	if (bytes > 128) {
		snprintf(why, whylen, "the password is longer than 128 bytes");
		return ERR_BAD_VALUE;
	}
	if (!str_utf8_valid(pw, bytes)) {
		snprintf(why, whylen, "the password is not valid UTF-8");
		return ERR_BAD_VALUE;
	}
	if (str_utf8_len(pw) < 12) {
		snprintf(why, whylen, "the password needs at least 12 characters");
		return ERR_BAD_VALUE;
	}
	int lower = 0, upper = 0, digit = 0, other = 0;
	for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			lower = 1;
		else if (*p >= 'A' && *p <= 'Z')
			upper = 1;
		else if (*p >= '0' && *p <= '9')
			digit = 1;
		else
			other = 1;
	}
	if (lower + upper + digit + other < 3) {
		snprintf(why, whylen,
			 "the password needs three of: lowercase letters, uppercase "
			 "letters, digits, other characters");
		return ERR_BAD_VALUE;
	}
	if (blocked(pw)) {
		snprintf(why, whylen, "the password is on the list of common passwords");
		return ERR_BAD_VALUE;
	}
	return 0;
}

int auth_password_check(const char *username, const char *pw, char *why, size_t whylen)
{
	int err = auth_password_policy(pw, why, whylen);
	if (err || !username || strlen(username) < 3 || strlen(username) > 64)
		return err;
	char u[65], p[129];
	str_copy(u, sizeof(u), username);
	str_copy(p, sizeof(p), pw);
	lower_ascii(u);
	lower_ascii(p);
	if (strstr(p, u)) {
		snprintf(why, whylen, "the password must not contain the user name");
		err = ERR_BAD_VALUE;
	}
	sec_wipe(p, sizeof(p));
	return err;
}

void auth_password_generate(char *out, size_t size)
{
	/* no look-alikes (0/O, 1/l/I) so a person can type it from the screen */
	static const char *const sets[] = { "abcdefghjkmnpqrstuvwxyz", "ABCDEFGHJKMNPQRSTUVWXYZ",
					    "23456789" };
	size_t n = size - 1 > 16 ? 16 : size - 1;
	unsigned char rnd[64];
	sec_random(rnd, sizeof(rnd));
	for (size_t i = 0; i < n; i++) {
		const char *set = sets[i < 3 ? i : rnd[32 + i] % 3];
		out[i] = set[rnd[i] % strlen(set)];
	}
	/* shuffle so the first three are not always lower, upper, digit */
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd[48 + i % 16] % (i + 1);
		char t = out[i];
		out[i] = out[j];
		out[j] = t;
	}
	out[n] = '\0';
	sec_wipe(rnd, sizeof(rnd));
}

int auth_change_password(struct store *st, const struct config *cfg, long long user_id,
			 const char *old_pw, const char *new_pw, long long now, char *why,
			 size_t whylen)
{
	struct arena *a = arena_new();
	struct user u;
	int err = store_user_get(st, a, user_id, &u);
	if (err)
		goto out;
	char object[40];
	snprintf(object, sizeof(object), "user:%lld", user_id);
	struct audit_rec ar = { .at = now,
				.user_id = user_id,
				.username = u.username,
				.action = "password.change",
				.object = object };
	if ((err = sec_password_verify(u.password_hash, old_pw))) {
		/* a stolen session must not allow unlimited guessing */
		bool locked = false;
		ar.outcome = "failed";
		ar.detail = "the current password is wrong";
		if (!(err = store_begin(st))) {
			if ((err = store_user_login_failed(st, user_id, now,
							   (int)cfg->lockout_threshold,
							   cfg->lockout_minutes * 60, &locked)) ||
			    (err = store_audit_append(st, &ar)))
				store_rollback(st);
			else
				err = store_commit(st);
		}
		if (err)
			goto out;
		err = ERR_BAD_LOGIN;
		snprintf(why, whylen, "the current password is wrong");
		goto out;
	}
	if (!strcmp(old_pw, new_pw)) {
		snprintf(why, whylen, "the new password must differ from the current one");
		err = ERR_BAD_VALUE;
		goto out;
	}
	if ((err = auth_password_check(u.username, new_pw, why, whylen)))
		goto out;
	char hash[SEC_PASSWORD_MAX];
	if ((err = sec_password_hash(cfg->password_scheme, cfg->pbkdf2_iterations, new_pw, hash)))
		goto out;
	ar.outcome = "ok";
	ar.detail = "";
	if ((err = store_begin(st)))
		goto out;
	if ((err = store_user_set_password(st, user_id, hash, now)) ||
	    (err = store_session_delete_user(st, user_id)) || (err = store_audit_append(st, &ar))) {
		store_rollback(st);
		goto out;
	}
	if ((err = store_commit(st)))
		goto out;
	auth_forget_user(user_id);
out:
	arena_free(a);
	return err;
}
