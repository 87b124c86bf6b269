/*
 * h_auth.c - login, logout, who am I, password change, second factors.
 *
 * A login answers with the session's `stage`: "full", or a restricted
 * session that may only enrol a second factor ("totp_enrolment") or only
 * change an expired password ("password_change"); the dispatcher holds a
 * restricted session to its few routes (ROUTE_STAGE_* in routes.c).
 */
#include "api/api.h"
#include "core/err.h"
#include "core/sec.h"
#include "core/str.h"
#include "core/totp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int h_login(struct app *app, struct http_request *r, struct principal *unused, json_t *body)
{
	(void)unused;
	static const char *const keys[] = { "username", "password", "otp", NULL };
	const char *user, *pw, *otp;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "username", true, 64, &user)) ||
	    (err = api_str(r, body, "password", true, 256, &pw)) ||
	    (err = api_str(r, body, "otp", false, 16, &otp)))
		return err;
	char token[AUTH_TOKEN_HEX];
	struct principal who;
	long long locked_until = 0;
	err = auth_login(app->st, app->cfg, r->arena, user, pw, otp, r->ip, app->now(), token, &who,
			 &locked_until);
	if (err == ERR_OTP_REQUIRED)
		return http_error(r, err, "this account has a second factor: send 'otp' too");
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
	/* over HTTPS the cookie is Secure: a browser never sends it in clear */
	http_add_header(r, "Set-Cookie",
			arena_printf(r->arena,
				     "pingan_session=%s; Path=/; Max-Age=%lld; HttpOnly; "
				     "SameSite=Strict%s",
				     token, max_age, r->tls ? "; Secure" : ""));
	json_t *j = json_pack("{s:s,s:I,s:o,s:s}", "token", token, "expires_at",
			      (json_int_t)who.expires_at, "user", api_principal_json(&who), "stage",
			      api_stage_name(who.stage));
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
	http_add_header(
		r, "Set-Cookie",
		r->tls ? "pingan_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure"
		       : "pingan_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
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
	json_object_set_new(j, "stage", json_string(api_stage_name(who->stage)));
	struct totp_row t;
	json_object_set_new(
		j, "totp",
		json_boolean(!store_totp_get(app->st, r->arena, who->user_id, &t) && t.enabled));
	/* whether the app offers the audited clear read of reporters' data */
	json_object_set_new(j, "pii_reveal", json_boolean(api_pii_may_reveal(app, who)));
	/* the version is no banner for strangers: only administrators see it */
	if (who->roles & ROLE(ADMIN))
		json_object_set_new(j, "server",
				    json_pack("{s:s,s:i,s:s}", "version", PINGAN_VERSION, "schema",
					      store_schema_version(app->st), "sqlite",
					      store_engine_version()));
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

const char *api_stage_name(int stage)
{
	return stage == AUTH_STAGE_ENROL      ? "totp_enrolment"
	       : stage == AUTH_STAGE_PASSWORD ? "password_change"
					      : "full";
}

int h_totp_begin(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	const char *secret, *alg, *uri;
	int err =
		auth_totp_begin(app->st, app->cfg, r->arena, who, app->now(), &secret, &alg, &uri);
	if (err == ERR_CONFLICT)
		return http_error(r, err,
				  "a second factor is enrolled already; a security administrator "
				  "can reset it");
	if (err)
		return err;
	http_reply_json(r, 200,
			json_pack("{s:s,s:s,s:i,s:i,s:s}", "secret", secret, "algorithm", alg,
				  "digits", TOTP_DIGITS, "period", TOTP_STEP, "uri", uri));
	return 0;
}

int h_totp_confirm(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "otp", NULL };
	const char *code;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "otp", true, 16, &code)))
		return err;
	err = auth_totp_confirm(app->st, who, code, app->now());
	if (err == ERR_CONFLICT)
		return http_error(r, err, "no enrolment was started (or it is confirmed already)");
	if (err == ERR_BAD_VALUE)
		return http_error(r, err, "field 'otp' is not the current code of the new secret");
	if (err)
		return err;
	http_reply_json(r, 200,
			json_pack("{s:b,s:s}", "ok", 1, "stage", api_stage_name(who->stage)));
	return 0;
}

int h_user_totp_reset(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long id;
	if (str_to_ll(r->params[0], 1, (long long)1 << 53, &id))
		return http_error(r, ERR_NOT_FOUND, "no user '%.20s'", r->params[0]);
	struct user u;
	int err = store_user_get_scoped(app->st, r->arena, &who->scope, id, &u);
	if (err && err != ERR_NOT_FOUND)
		return err;
	if ((err = api_administer(r, who, id, err ? NULL : &u)))
		return err;
	if ((err = store_begin(app->st)))
		return err;
	err = auth_totp_reset(app->st, id);
	if (!err)
		err = api_audit(app, r, who, "totp.reset", arena_printf(r->arena, "user:%lld", id),
				"ok", NULL);
	err = api_end(app, err);
	if (err == ERR_NOT_FOUND)
		return http_error(r, ERR_CONFLICT, "user '%lld' has no second factor", id);
	if (err)
		return err;
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
	return 0;
}
