/*
 * h_auth.c - login, logout, who am I, password change.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/sec.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int h_login(struct app *app, struct http_request *r, struct principal *unused, json_t *body)
{
	(void)unused;
	static const char *const keys[] = { "username", "password", NULL };
	const char *user, *pw;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "username", true, 64, &user)) ||
	    (err = api_str(r, body, "password", true, 256, &pw)))
		return err;
	char token[AUTH_TOKEN_HEX];
	struct principal who;
	long long locked_until = 0;
	err = auth_login(app->st, app->cfg, r->arena, user, pw, r->ip, app->now(), token, &who,
			 &locked_until);
	if (err == ERR_LOCKED) {
		long long secs = locked_until - app->now();
		http_add_header(r, "Retry-After",
				arena_printf(r->arena, "%lld", secs > 0 ? secs : 1));
		return http_error(r, err,
				  "the account is locked for %lld more minutes after "
				  "repeated failed logins",
				  (secs + 59) / 60);
	}
	if (err == ERR_THROTTLED) {
		http_add_header(r, "Retry-After",
				arena_printf(r->arena, "%lld", app->cfg->ip_fail_window));
		return http_error(r, err,
				  "too many failed logins from this address; wait and try again");
	}
	if (err)
		return err;
	r->user = who.username;
	long long max_age = who.expires_at - app->now();
	http_add_header(r, "Set-Cookie",
			arena_printf(r->arena,
				     "pingan_session=%s; Path=/; Max-Age=%lld; HttpOnly; "
				     "SameSite=Strict",
				     token, max_age));
	json_t *j = json_pack("{s:s,s:I,s:o}", "token", token, "expires_at",
			      (json_int_t)who.expires_at, "user", api_principal_json(&who));
	sec_wipe(token, sizeof(token));
	http_reply_json(r, 200, j);
	return 0;
}

int h_logout(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	int err = store_begin(app->st);
	if (err)
		return err;
	if ((err = auth_logout(app->st, who)) ||
	    (err = api_audit(app, r, who, "logout",
			     arena_printf(r->arena, "user:%lld", who->user_id), "ok", NULL))) {
		store_rollback(app->st);
		return err;
	}
	if ((err = store_commit(app->st)))
		return err;
	http_add_header(r, "Set-Cookie",
			"pingan_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
	return 0;
}

int h_me(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	json_t *j = api_principal_json(who);
	struct org o;
	/* one's own org is always readable, even a department outside the scope path */
	if (!store_org_get(app->st, r->arena, NULL, who->org_code, &o))
		json_object_set_new(j, "org_name", json_string(o.name));
	const char *root = who->scope.root_path;
	size_t n = strlen(root);
	/* the scope root's code is the last segment of its path */
	const char *end = root + (n ? n - 1 : 0), *start = end;
	while (start > root && start[-1] != '/')
		start--;
	json_object_set_new(j, "scope", json_stringn(start, (size_t)(end - start)));
	json_object_set_new(j, "session_expires_at", json_integer(who->expires_at));
	http_reply_json(r, 200, j);
	return 0;
}

int h_me_password(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "old_password", "new_password", NULL };
	const char *old_pw, *new_pw;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "old_password", true, 256, &old_pw)) ||
	    (err = api_str(r, body, "new_password", true, 256, &new_pw)))
		return err;
	char why[256] = "";
	err = auth_change_password(app->st, app->cfg, who->user_id, old_pw, new_pw, app->now(), why,
				   sizeof(why));
	if (err == ERR_BAD_LOGIN)
		return http_error(r, ERR_BAD_VALUE, "%s", why);
	if (err)
		return *why ? http_error(r, err, "%s", why) : err;
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
	return 0;
}
