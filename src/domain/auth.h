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
 */
#ifndef PINGAN_DOMAIN_AUTH_H
#define PINGAN_DOMAIN_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/config.h"
#include "domain/org.h"
#include "store/store.h"

#define AUTH_TOKEN_HEX 33 /* 32 hex digits and NUL */

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
};

/* Checks the credentials and opens a session; on success token gets the
 * session token and who the principal. ERR_BAD_LOGIN, ERR_LOCKED (with
 * *locked_until set), ERR_THROTTLED, or a store error. */
int auth_login(struct store *st, const struct config *cfg, struct arena *a, const char *username,
	       const char *password, const char *ip, long long now, char token[AUTH_TOKEN_HEX],
	       struct principal *who, long long *locked_until);
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
 * lowercase, uppercase, digits, others; at most 128 bytes.
 * 0 or ERR_BAD_VALUE with why. */
int auth_password_policy(const char *pw, char *why, size_t whylen);
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
