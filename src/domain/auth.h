/*
 * auth.h - logging in, sessions, lockout and throttling.
 *
 * Session tokens are 128 random bits, given to the client as 32 hex digits
 * and stored only as their SM3 digest, so a copy of the database cannot be
 * replayed as sessions. A session ends after the idle timeout, the absolute
 * lifetime, logout, a password change, or disabling the user.
 *
 * Unknown user, wrong password and disabled account answer the same
 * ERR_BAD_LOGIN after the same work (a password hash computation), so the
 * answer and its timing do not tell which names exist. `lockout_threshold`
 * consecutive failures lock the account for `lockout_minutes` (ERR_LOCKED);
 * `ip_fail_limit` failures from one address within `ip_fail_window` seconds
 * throttle that address (ERR_THROTTLED) for the rest of the window.
 *
 * Second factor: a user holding a role listed in `totp_roles` (or anyone
 * who enrolled) logs in with the password and a TOTP code (core/totp.h);
 * each code is single-use (the last accepted time step is stored), and the
 * secret is sealed at rest with the personal-data key ring. A user
 * of such a role with no second factor yet gets a session restricted to
 * enrolling one (AUTH_STAGE_ENROL); a password older than
 * `password_max_age_days` gives a session restricted to changing it
 * (AUTH_STAGE_PASSWORD). The dispatcher refuses every other route to a
 * restricted session.
 */
#ifndef PINGAN_DOMAIN_AUTH_H
#define PINGAN_DOMAIN_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/crypt.h"
#include "domain/org.h"
#include "store/store.h"

#define AUTH_TOKEN_HEX 33 /* 32 hex digits and NUL */

/* What a session may do (sessions.stage). */
enum auth_stage {
	AUTH_STAGE_FULL = 0,     /* whatever the roles allow */
	AUTH_STAGE_ENROL = 1,    /* only enrol a second factor */
	AUTH_STAGE_PASSWORD = 2, /* only change the expired password */
};

/* Who is making a request. */
struct principal {
	long long user_id;
	const char *username;
	const char *display_name;
	const char *org_code;
	enum org_kind org_kind;
	unsigned roles;
	struct scope scope;
	const char *token_hash;
	long long expires_at;
	int stage; /* enum auth_stage */
};

/* Checks the login settings (totp_roles, totp_algorithm) and loads the
 * password blocklist; call once before serving. 0 or ERR_BAD_VALUE /
 * ERR_IO with why. */
int auth_configure(const struct config *cfg, char *why, size_t whylen);
/* Frees the blocklist. */
void auth_release(void);
/* Loads a blocklist file (one password a line, compared without regard to
 * ASCII case); "" or NULL unloads. 0 or ERR_IO. */
int auth_blocklist_load(const char *path, char *why, size_t whylen);
/* The key ring that seals TOTP secrets at rest (the personal-data key file;
 * NULL: none, secrets are stored in base32 and sealed at the next login once
 * a key file exists). Set before serving; not owned. */
void auth_set_keyring(const struct crypt_keyring *kr);
/* Re-seals every stored TOTP secret under the ring's current version (after
 * `pingan key rotate`); *rows gets how many. 0, or an error with why. */
int auth_totp_reseal_all(struct store *st, const struct crypt_keyring *kr, long long *rows,
			 char *why, size_t whylen);
/* true if roles include one that `totp_roles` requires a second factor for. */
bool auth_totp_required(const struct config *cfg, unsigned roles);

/* Checks the credentials (otp: the TOTP code, NULL if none was sent) and
 * opens a session; on success token gets the session token and who the
 * principal, with who->stage telling whether the session is restricted.
 * ERR_BAD_LOGIN (also a wrong or replayed code, counted like a wrong
 * password), ERR_OTP_REQUIRED (right password, the user has a second factor
 * and no code was sent), ERR_LOCKED (with *locked_until set), ERR_THROTTLED,
 * or a store error. */
int auth_login(struct store *st, const struct config *cfg, struct arena *a, const char *username,
	       const char *password, const char *otp, const char *ip, long long now,
	       char token[AUTH_TOKEN_HEX], struct principal *who, long long *locked_until);
/* Starts enrolling a second factor for the principal: a new secret with the
 * configured algorithm, returned once in base32 (*secret) and as an
 * otpauth:// URI (*uri), both from the arena. ERR_CONFLICT if the user has
 * an enabled one. */
int auth_totp_begin(struct store *st, const struct config *cfg, struct arena *a,
		    const struct principal *who, long long now, const char **secret,
		    const char **algorithm, const char **uri);
/* Confirms the enrolment with a first code: enables the factor and lifts an
 * AUTH_STAGE_ENROL restriction from this session. ERR_BAD_VALUE for a wrong
 * code, ERR_CONFLICT if no enrolment was started. */
int auth_totp_confirm(struct store *st, struct principal *who, const char *code, long long now);
/* Removes a user's second factor and ends the user's sessions (a security
 * administrator's reset). ERR_NOT_FOUND if the user had none. */
int auth_totp_reset(struct store *st, long long user_id);
/* Resolves a session token. ERR_UNAUTHENTICATED if unknown, expired or the
 * user is disabled. Refreshes last-seen at most once a minute. */
int auth_session(struct store *st, const struct config *cfg, struct arena *a, const char *token,
		 long long now, struct principal *who);
/* Ends the principal's session. */
int auth_logout(struct store *st, const struct principal *who);
/* Changes a password after checking the old one and the policy; ends every
 * session of the user. ERR_BAD_LOGIN, ERR_BAD_VALUE (policy, why set). */
int auth_change_password(struct store *st, const struct config *cfg, long long user_id,
			 const char *old_pw, const char *new_pw, long long now, char *why,
			 size_t whylen);
/* Password policy: at least 12 characters (code points) and three of
 * lowercase, uppercase, digits, others; at most 128 bytes; not in the
 * loaded blocklist. 0 or ERR_BAD_VALUE with why. */
int auth_password_policy(const char *pw, char *why, size_t whylen);
/* The policy, and the password must not contain the user name (of 3 or
 * more characters, ASCII case ignored). */
int auth_password_check(const char *username, const char *pw, char *why, size_t whylen);
/* A random password that meets the policy, into out[size] (size >= 17). */
void auth_password_generate(char *out, size_t size);
/* The scope a user acts within: their org's subtree; a department user's is
 * the parent division's subtree; a system administrator bound to the root
 * of the tree still gets a path scope (never "all"). */
void auth_scope_of(struct store *st, struct arena *a, const struct user *u, struct scope *sc);
/* Drops a user's cached sessions (disable, password change). */
void auth_forget_user(long long user_id);
/* Drops every cached session (tests). */
void auth_cache_clear(void);
/* Forgets all per-address failure counts (tests, and the admin CLI). */
void auth_throttle_reset(void);

#endif
