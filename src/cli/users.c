/*
 * users.c - `pingan user add|passwd|disable|enable|list`.
 *
 * There is no default password anywhere: `user add` and `user passwd` read
 * the new password from standard input with --password-stdin, or generate
 * one and print it once.
 */
#include "cli/cli.h"
#include "core/err.h"
#include "core/sec.h"
#include "core/str.h"
#include "domain/auth.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int read_password(char *out, size_t size)
{
	if (!fgets(out, (int)size, stdin))
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int new_password(bool from_stdin, char *pw, size_t size, bool *generated)
{
	*generated = false;
	if (from_stdin) {
		if (read_password(pw, size)) {
			fprintf(stderr, "pingan: no password on standard input\n");
			return -1;
		}
		char why[256];
		if (auth_password_policy(pw, why, sizeof(why))) {
			fprintf(stderr, "pingan: %s\n", why);
			return -1;
		}
		return 0;
	}
	auth_password_generate(pw, size);
	*generated = true;
	return 0;
}

static int user_add(struct config *cfg, struct store *st, int argc, char **argv)
{
	const char *name = NULL, *org = NULL, *roles = NULL, *display = NULL;
	bool from_stdin = false;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--org") && i + 1 < argc)
			org = argv[++i];
		else if (!strcmp(argv[i], "--roles") && i + 1 < argc)
			roles = argv[++i];
		else if (!strcmp(argv[i], "--display-name") && i + 1 < argc)
			display = argv[++i];
		else if (!strcmp(argv[i], "--password-stdin"))
			from_stdin = true;
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else {
			fprintf(stderr, "pingan user add: unexpected '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!name || !org || !roles) {
		fprintf(stderr, "usage: pingan user add NAME --org CODE --roles R1,R2 "
				"[--display-name TEXT] [--password-stdin]\n");
		return 2;
	}
	unsigned mask;
	char why[256];
	if (role_parse_list(roles, &mask, why, sizeof(why)) ||
	    role_check_separation(mask, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s\n", why);
		return 2;
	}
	char pw[200], hash[SEC_PASSWORD_MAX];
	bool generated;
	if (new_password(from_stdin, pw, sizeof(pw), &generated))
		return 1;
	if (sec_password_hash(cfg->password_scheme, cfg->pbkdf2_iterations, pw, hash)) {
		fprintf(stderr, "pingan: cannot hash with scheme '%s'\n", cfg->password_scheme);
		return 1;
	}
	struct user u = { .username = name,
			  .display_name = display ? display : name,
			  .org_code = org,
			  .roles = mask,
			  .password_hash = hash,
			  .created_at = (long long)time(NULL) };
	int err = store_begin(st);
	if (!err) {
		char detail[256];
		struct arena *a = arena_new();
		snprintf(detail, sizeof(detail), "username=%s org=%s roles=%s", name, org,
			 role_format(a, mask));
		arena_free(a);
		/* a password someone else chose is changed at the first login */
		if ((err = store_user_add(st, &u)) ||
		    (err = store_user_set_password(st, u.id, hash, 0)) ||
		    (err = cli_audit(st, "user.add", "user", u.id, detail)))
			store_rollback(st);
		else
			err = store_commit(st);
	}
	if (err == ERR_CONFLICT)
		fprintf(stderr, "pingan: user '%s' already exists\n", name);
	else if (err == ERR_NOT_FOUND)
		fprintf(stderr, "pingan: no org '%s'\n", org);
	else if (err)
		fprintf(stderr, "pingan: cannot add user '%s': %s\n", name, err_message(err));
	if (err) {
		sec_wipe(pw, sizeof(pw));
		return 1;
	}
	printf("added user '%s' (id %lld)", name, u.id);
	if (generated)
		printf(" with password: %s", pw);
	printf("\n");
	sec_wipe(pw, sizeof(pw));
	return 0;
}

static int user_passwd(struct config *cfg, struct store *st, int argc, char **argv)
{
	bool from_stdin = argc > 3 && !strcmp(argv[3], "--password-stdin");
	if (argc < 3 || argc > 4 || (argc == 4 && !from_stdin)) {
		fprintf(stderr, "usage: pingan user passwd NAME [--password-stdin]\n");
		return 2;
	}
	struct arena *a = arena_new();
	struct user u;
	int rc = 1;
	char pw[200], hash[SEC_PASSWORD_MAX];
	bool generated;
	if (store_user_get_by_name(st, a, argv[2], &u)) {
		fprintf(stderr, "pingan: no user '%s'\n", argv[2]);
		goto out;
	}
	if (new_password(from_stdin, pw, sizeof(pw), &generated))
		goto out;
	if (sec_password_hash(cfg->password_scheme, cfg->pbkdf2_iterations, pw, hash) ||
	    store_begin(st)) {
		fprintf(stderr, "pingan: cannot set the password\n");
		goto out;
	}
	/* set by the operator: to be changed at the next login (password ageing) */
	if (store_user_set_password(st, u.id, hash, 0) || store_session_delete_user(st, u.id) ||
	    cli_audit(st, "password.reset", "user", u.id, u.username)) {
		store_rollback(st);
		fprintf(stderr, "pingan: cannot set the password\n");
		goto out;
	}
	if (store_commit(st)) {
		fprintf(stderr, "pingan: cannot set the password\n");
		goto out;
	}
	printf("password of '%s' changed%s%s; its sessions ended\n", u.username,
	       generated ? " to: " : "", generated ? pw : "");
	rc = 0;
out:
	sec_wipe(pw, sizeof(pw));
	arena_free(a);
	return rc;
}

static int user_disable(struct store *st, const char *name, bool disable)
{
	struct arena *a = arena_new();
	struct user u;
	int rc = 1;
	if (store_user_get_by_name(st, a, name, &u)) {
		fprintf(stderr, "pingan: no user '%s'\n", name);
	} else if (store_begin(st)) {
		fprintf(stderr, "pingan: cannot update '%s'\n", name);
	} else if (store_user_set_disabled(st, u.id, disable) ||
		   (disable && store_session_delete_user(st, u.id)) ||
		   cli_audit(st, disable ? "user.disable" : "user.enable", "user", u.id,
			     u.username)) {
		store_rollback(st);
		fprintf(stderr, "pingan: cannot update '%s'\n", name);
	} else if (store_commit(st)) {
		fprintf(stderr, "pingan: cannot update '%s'\n", name);
	} else {
		printf("user '%s' %s\n", u.username, disable ? "disabled" : "enabled");
		rc = 0;
	}
	arena_free(a);
	return rc;
}

/* A lost authenticator: the operator removes the user's second factor; the
 * next login enrols a new one. */
static int user_totp_reset(struct store *st, const char *name)
{
	struct arena *a = arena_new();
	struct user u;
	int rc = 1, err;
	if (store_user_get_by_name(st, a, name, &u)) {
		fprintf(stderr, "pingan: no user '%s'\n", name);
		goto out;
	}
	/* the reset and its audit record in one transaction */
	if ((err = store_begin(st)))
		goto fail;
	if ((err = auth_totp_reset(st, u.id)) ||
	    (err = cli_audit(st, "totp.reset", "user", u.id, u.username))) {
		store_rollback(st);
		goto fail;
	}
	if ((err = store_commit(st)))
		goto fail;
	printf("user '%s': second factor removed, sessions ended\n", u.username);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "pingan: %s\n",
		err == ERR_NOT_FOUND ? "the user has no second factor" : err_message(err));
out:
	arena_free(a);
	return rc;
}

static int user_list(struct store *st)
{
	struct arena *a = arena_new();
	struct user *v;
	size_t n;
	struct scope all = { .all = true };
	int err = store_user_list(st, a, &all, &v, &n);
	if (err) {
		fprintf(stderr, "pingan: cannot list users\n");
		arena_free(a);
		return 1;
	}
	printf("%-6s %-20s %-16s %-10s %s\n", "ID", "USER", "ORG", "STATE", "ROLES");
	long long now = (long long)time(NULL);
	for (size_t i = 0; i < n; i++)
		printf("%-6lld %-20s %-16s %-10s %s\n", v[i].id, v[i].username, v[i].org_code,
		       v[i].disabled             ? "disabled"
		       : v[i].locked_until > now ? "locked"
						 : "active",
		       role_format(a, v[i].roles));
	arena_free(a);
	return 0;
}

int cli_user(struct config *cfg, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
			"usage: pingan user add|passwd|disable|enable|totp-reset|list ...\n");
		return 2;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "disable") &&
	    strcmp(sub, "enable") && strcmp(sub, "list") && strcmp(sub, "totp-reset")) {
		fprintf(stderr, "pingan user: unknown subcommand '%s'\n", sub);
		return 2;
	}
	if ((!strcmp(sub, "disable") || !strcmp(sub, "enable") || !strcmp(sub, "totp-reset")) &&
	    argc != 3) {
		fprintf(stderr, "usage: pingan user %s NAME\n", sub);
		return 2;
	}
	char why[512];
	if (auth_configure(cfg, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s\n", why);
		return 1;
	}
	struct store *st = cli_open_store(cfg);
	if (!st) {
		auth_release();
		return 1;
	}
	int rc;
	if (!strcmp(sub, "totp-reset"))
		rc = user_totp_reset(st, argv[2]);
	else if (!strcmp(sub, "add"))
		rc = user_add(cfg, st, argc, argv);
	else if (!strcmp(sub, "passwd"))
		rc = user_passwd(cfg, st, argc, argv);
	else if (!strcmp(sub, "list"))
		rc = user_list(st);
	else
		rc = user_disable(st, argv[2], !strcmp(sub, "disable"));
	store_close(st);
	auth_release();
	return rc;
}
