/*
 * h_users.c - user administration, inside the administrator's scope.
 *
 * Three-way separation (三权分立): accounts and roles are the security
 * administrator's (routes.c); nobody holds two of the administrator roles,
 * the audit administrator holds no other role (role_check_separation),
 * nobody administers their own account (roles, disabling), and the system
 * and audit administrators' accounts are the operator's (`pingan user` at
 * the server), out of the security administrator's reach: the rules are
 * the one decision's (authz_decide: AUTHZ_ADMINISTER, AUTHZ_GRANT), asked
 * through api_administer(). Every change is audited in the same transaction.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/sec.h"
#include "core/str.h"

#include <string.h>

static json_t *user_json(const struct user *u)
{
	json_t *roles = json_array();
	for (int i = 0; i < ROLE__COUNT; i++)
		if (u->roles & (1u << i))
			json_array_append_new(roles, json_string(role_name(i)));
	return json_pack("{s:I,s:s,s:s,s:s,s:o,s:b,s:b,s:I}", "id", (json_int_t)u->id, "username",
			 u->username, "display_name", u->display_name, "org", u->org_code, "roles",
			 roles, "disabled", u->disabled, "locked", u->locked_until > 0,
			 "created_at", (json_int_t)u->created_at);
}

int h_users_list(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct user *v;
	size_t n;
	int err = store_user_list(app->st, r->arena, &who->scope, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	long long now = app->now();
	for (size_t i = 0; i < n; i++) {
		if (v[i].locked_until <= now)
			v[i].locked_until = 0;
		json_array_append_new(items, user_json(&v[i]));
	}
	http_reply_json(r, 200, json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)n));
	return 0;
}

/* The system and audit administrators watch the security administrator
 * (and each other): their accounts are made and changed only by the
 * operator at the server (`pingan user`), never through the API
 * (authz_decide: AUTHZ_GRANT, AUTHZ_ADMINISTER). */
#define OPERATOR_ONLY                                                                   \
	"the system and audit administrators' accounts are managed with `pingan user` " \
	"at the server"

int api_administer(struct http_request *r, const struct principal *who, long long id,
		   const struct user *u)
{
	struct authz_object acct = { .exists = u != NULL, .user_id = id };
	if (u) {
		acct.org_path = u->org_path;
		acct.roles = u->roles;
	}
	struct authz_request rq = { .action = AUTHZ_ADMINISTER, .obj = &acct };
	struct authz_decision d = authz_decide(who, &rq);
	switch (d.reason) {
	case AUTHZ_R_SELF:
		return http_error(r, ERR_FORBIDDEN, "nobody administers their own account");
	case AUTHZ_R_OPERATOR: return http_error(r, ERR_FORBIDDEN, OPERATOR_ONLY);
	default: break;
	}
	if (d.verdict == AUTHZ_HIDDEN)
		return http_error(r, ERR_NOT_FOUND, "no user '%lld'", id);
	if (d.verdict != AUTHZ_ALLOW)
		return http_error(r, ERR_FORBIDDEN, "your roles do not allow this");
	return 0;
}

/* body.roles: a non-empty array of role names that respects the separation */
static int parse_roles(struct http_request *r, const struct principal *who, json_t *body,
		       unsigned *out)
{
	json_t *roles = json_object_get(body, "roles");
	if (!roles)
		return http_error(r, ERR_MISSING, "field 'roles' is required");
	if (!json_is_array(roles) || !json_array_size(roles))
		return http_error(r, ERR_BAD_TYPE,
				  "field 'roles' must be a non-empty array of role names");
	unsigned mask = 0;
	size_t i;
	json_t *rv;
	char why[160];
	json_array_foreach (roles, i, rv) {
		if (!json_is_string(rv))
			return http_error(r, ERR_BAD_TYPE, "field 'roles' must hold strings");
		unsigned one;
		if (strchr(json_string_value(rv), ','))
			return http_error(r, ERR_BAD_VALUE,
					  "'%.60s' is not one role: give one role per item",
					  json_string_value(rv));
		if (role_parse_list(json_string_value(rv), &one, why, sizeof(why)))
			return http_error(r, ERR_BAD_VALUE, "%s", why);
		mask |= one;
	}
	if (role_check_separation(mask, why, sizeof(why)))
		return http_error(r, ERR_BAD_VALUE, "%s", why);
	struct authz_request grant = { .action = AUTHZ_GRANT, .perm = mask };
	if (!authz_allowed(who, &grant))
		return http_error(r, ERR_FORBIDDEN, OPERATOR_ONLY);
	*out = mask;
	return 0;
}

static bool valid_username(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int h_users_add(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "username", "display_name", "org",
					    "roles",    "password",     NULL };
	const char *name, *display, *org, *pw;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "username", true, 64, &name)) ||
	    (err = api_str(r, body, "display_name", true, 100, &display)) ||
	    (err = api_str(r, body, "org", true, 23, &org)) ||
	    (err = api_str(r, body, "password", true, 128, &pw)))
		return err;
	if (!valid_username(name))
		return http_error(r, ERR_BAD_VALUE,
				  "field 'username' must be 3-64 letters, digits, '.', '_' or '-'");
	unsigned mask = 0;
	if ((err = parse_roles(r, who, body, &mask)))
		return err;
	char why[256];
	if (auth_password_check(name, pw, why, sizeof(why)))
		return http_error(r, ERR_BAD_VALUE, "%s", why);
	struct org o;
	if ((err = store_org_get(app->st, r->arena, &who->scope, org, &o)))
		return err == ERR_NOT_FOUND
			       ? http_error(r, ERR_BAD_VALUE, "no org '%s' in your scope", org)
			       : err;
	char hash[SEC_PASSWORD_MAX];
	if ((err = sec_password_hash(app->cfg->password_scheme, app->cfg->pbkdf2_iterations, pw,
				     hash)))
		return err;
	struct user u = { .username = name,
			  .display_name = display,
			  .org_code = org,
			  .roles = mask,
			  .password_hash = hash,
			  .created_at = app->now() };
	if ((err = store_begin(app->st)))
		return err;
	err = store_user_add(app->st, &u);
	/* a password an administrator chose is changed at the user's first login
	 * (when passwords age: password_max_age_days > 0) */
	if (!err)
		err = store_user_set_password(app->st, u.id, hash, 0);
	if (!err)
		err = api_audit(app, r, who, "user.add", arena_printf(r->arena, "user:%lld", u.id),
				"ok", "username=%s org=%s roles=%s", name, org,
				role_format(r->arena, mask));
	if (err) {
		store_rollback(app->st);
		if (err == ERR_CONFLICT)
			return http_error(r, err, "user '%s' already exists", name);
		return err;
	}
	if ((err = store_commit(app->st)))
		return err;
	struct user got;
	if ((err = store_user_get(app->st, r->arena, u.id, &got)))
		return err;
	http_reply_json(r, 201, user_json(&got));
	return 0;
}

/* The user named by the path, inside the scope and not the caller. */
static int target_user(struct http_request *r, struct principal *who, struct app *app,
		       struct user *u)
{
	long long id;
	if (str_to_ll(r->params[0], 1, (long long)1 << 53, &id))
		return http_error(r, ERR_NOT_FOUND, "no user '%.20s'", r->params[0]);
	/* scope in the store's SQL: a user outside it is not found */
	int err = store_user_get_scoped(app->st, r->arena, &who->scope, id, u);
	if (err && err != ERR_NOT_FOUND)
		return err;
	return api_administer(r, who, id, err ? NULL : u);
}

static int set_disabled(struct app *app, struct http_request *r, struct principal *who,
			bool disable)
{
	struct user u;
	int err = target_user(r, who, app, &u);
	if (err)
		return err;
	if ((err = store_begin(app->st)))
		return err;
	if ((err = store_user_set_disabled(app->st, u.id, disable)) ||
	    (disable && (err = store_session_delete_user(app->st, u.id))) ||
	    (err = api_audit(app, r, who, disable ? "user.disable" : "user.enable",
			     arena_printf(r->arena, "user:%lld", u.id), "ok", "username=%s",
			     u.username))) {
		store_rollback(app->st);
		return err;
	}
	if ((err = store_commit(app->st)))
		return err;
	auth_forget_user(u.id);
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
	return 0;
}

int h_user_disable(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	return set_disabled(app, r, who, true);
}

int h_user_enable(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	return set_disabled(app, r, who, false);
}

int h_user_roles(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	static const char *const keys[] = { "roles", NULL };
	struct user u;
	unsigned mask;
	int err;
	if ((err = api_only_keys(r, body, keys)) || (err = parse_roles(r, who, body, &mask)) ||
	    (err = target_user(r, who, app, &u)))
		return err;
	if ((err = store_begin(app->st)))
		return err;
	/* a change of roles ends the user's sessions: the next login gets them */
	if ((err = store_user_set_roles(app->st, u.id, mask)) ||
	    (err = store_session_delete_user(app->st, u.id)) ||
	    (err = api_audit(app, r, who, "user.roles", arena_printf(r->arena, "user:%lld", u.id),
			     "ok", "username=%s roles=%s -> %s", u.username,
			     role_format(r->arena, u.roles), role_format(r->arena, mask)))) {
		store_rollback(app->st);
		return err;
	}
	if ((err = store_commit(app->st)))
		return err;
	auth_forget_user(u.id);
	struct user got;
	if ((err = store_user_get(app->st, r->arena, u.id, &got)))
		return err;
	http_reply_json(r, 200, user_json(&got));
	return 0;
}
