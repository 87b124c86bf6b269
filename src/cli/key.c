/*
 * key.c - `pingan key init|rotate|status`: the key file that protects
 * reporters' personal data, and loading it for serve and demo.
 *
 * The key file lives outside the database (setting key_file; by default
 * 'pingan.keys' beside it), mode 0600. `init` makes version 1; `rotate`
 * adds a version and re-encrypts every stored value under it in one
 * transaction (the file is written first, so a failed re-encryption leaves
 * an unused version, never unreadable data); `status` shows the versions
 * and how many values each one sealed — never key material. A running
 * server reads the file at start: restart it after a rotation.
 */
#include "cli/cli.h"
#include "core/crypt.h"
#include "core/err.h"
#include "core/log.h"
#include "domain/auth.h"
#include "domain/personal.h"
#include "domain/webhook.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *cli_key_path(const struct config *cfg, struct arena *a)
{
	if (cfg->key_file && *cfg->key_file)
		return arena_strdup(a, cfg->key_file);
	char *copy = arena_strdup(a, cfg->db);
	return arena_printf(a, "%s/pingan.keys", dirname(copy));
}

/* Every key version the database uses must be in the ring. */
static int check_versions(struct store *st, struct arena *a, const struct crypt_keyring *kr,
			  const char *path)
{
	int *versions;
	long long *counts;
	size_t n;
	if (store_personal_versions(st, a, &versions, &counts, &n)) {
		fprintf(stderr, "pingan: cannot read the personal data's key versions\n");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (kr && crypt_keyring_has(kr, versions[i]))
			continue;
		fprintf(stderr,
			"pingan: %lld personal values are sealed with key version %d, which %s; "
			"restore the key file from its backup (setting key_file)\n",
			counts[i], versions[i],
			kr ? arena_printf(a, "key file '%s' lacks", path)
			   : arena_printf(a, "no key file at '%s' holds", path));
		return -1;
	}
	return 0;
}

int cli_load_keys(const struct config *cfg, struct store *st, bool create,
		  struct crypt_keyring **out)
{
	struct arena *a = arena_new();
	char why[512];
	*out = NULL;
	const char *path = cli_key_path(cfg, a);
	enum crypt_profile p;
	int rc = -1;
	if (crypt_profile_parse(cfg->pii_profile, &p)) {
		fprintf(stderr, "pingan: pii_profile must be gm or intl\n");
		goto out;
	}
	int err = crypt_keyring_load(path, out, why, sizeof(why));
	if (err == ERR_NOT_FOUND && create) {
		if (crypt_keyring_create(path, p, why, sizeof(why))) {
			fprintf(stderr, "pingan: %s\n", why);
			goto out;
		}
		printf("created key file '%s' (profile %s): back it up apart from the database\n",
		       path, crypt_profile_name(p));
		err = crypt_keyring_load(path, out, why, sizeof(why));
	}
	if (err == ERR_NOT_FOUND) {
		if (check_versions(st, a, NULL, path))
			goto out;
		log_warn("no key file at '%s': reports with personal data are refused until "
			 "`pingan key init`",
			 path);
		rc = 0;
		goto out;
	}
	if (err) {
		fprintf(stderr, "pingan: %s\n", why);
		goto out;
	}
	if (check_versions(st, a, *out, path)) {
		crypt_keyring_free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	arena_free(a);
	return rc;
}

static int key_status(const struct config *cfg, const char *path)
{
	char why[512];
	struct crypt_keyring *kr;
	if (crypt_keyring_load(path, &kr, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s\n", why);
		return 1;
	}
	struct store *st = cli_open_store(cfg);
	if (!st) {
		crypt_keyring_free(kr);
		return 1;
	}
	struct arena *a = arena_new();
	int *versions;
	long long *counts;
	size_t n = 0;
	int rc = 0;
	if (store_personal_versions(st, a, &versions, &counts, &n)) {
		fprintf(stderr, "pingan: cannot count the stored personal values\n");
		rc = 1;
	}
	printf("key file '%s': %d version(s), current %d\n", path, crypt_keyring_count(kr),
	       crypt_keyring_current(kr));
	printf("  %-8s %-8s %-22s %s\n", "VERSION", "PROFILE", "CREATED", "VALUES");
	for (int i = crypt_keyring_count(kr) - 1; !rc && i >= 0; i--) {
		enum crypt_profile p;
		const char *created;
		int v = crypt_keyring_version(kr, i, &p, &created);
		long long c = 0;
		for (size_t k = 0; k < n; k++)
			if (versions[k] == v)
				c = counts[k];
		printf("  %-8d %-8s %-22s %lld\n", v, crypt_profile_name(p), created, c);
	}
	for (size_t k = 0; !rc && k < n; k++) {
		if (!crypt_keyring_has(kr, versions[k])) {
			printf("  %-8d %-8s %-22s %lld  (missing from the key file!)\n",
			       versions[k], "?", "?", counts[k]);
			rc = 1;
		}
	}
	arena_free(a);
	store_close(st);
	crypt_keyring_free(kr);
	return rc;
}

static int key_rotate(const struct config *cfg, const char *path)
{
	char why[512];
	enum crypt_profile p;
	if (crypt_profile_parse(cfg->pii_profile, &p)) {
		fprintf(stderr, "pingan: pii_profile must be gm or intl\n");
		return 2;
	}
	struct crypt_keyring *kr;
	if (crypt_keyring_load(path, &kr, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s\n", why);
		return 1;
	}
	struct store *st = cli_open_store(cfg);
	if (!st) {
		crypt_keyring_free(kr);
		return 1;
	}
	struct arena *a = arena_new();
	int rc = 1;
	long long rows = 0;
	if (check_versions(st, a, kr, path))
		goto out;
	if (crypt_keyring_add(kr, path, p, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s\n", why);
		goto out;
	}
	long long totp_rows = 0, hook_rows = 0;
	if (personal_rotate(st, kr, &rows, why, sizeof(why)) ||
	    auth_totp_reseal_all(st, kr, &totp_rows, why, sizeof(why)) ||
	    webhook_reseal_all(st, kr, &hook_rows, why, sizeof(why))) {
		fprintf(stderr,
			"pingan: %s (key version %d was added to the key file but is not used "
			"yet)\n",
			why, crypt_keyring_current(kr));
		goto out;
	}
	printf("key version %d (%s) added to '%s'; %lld personal values re-encrypted, %lld "
	       "second factors and %lld webhook secrets re-sealed.\n"
	       "Restart `pingan serve` so it uses the new version; keep the older versions\n"
	       "until every backup made before this rotation has expired.\n",
	       crypt_keyring_current(kr), crypt_profile_name(p), path, rows, totp_rows, hook_rows);
	rc = 0;
out:
	arena_free(a);
	store_close(st);
	crypt_keyring_free(kr);
	return rc;
}

/* A new key cannot open what an old one sealed: with sealed values in the
 * database and no key file, the file must come back from its backup. */
static int refuse_init(const struct config *cfg, const char *path)
{
	struct store *st = cli_open_store(cfg); /* also makes the database's folder */
	if (!st)
		return -1;
	struct arena *a = arena_new();
	int *versions;
	long long *counts;
	size_t n = 0;
	int rc = 0;
	if (store_personal_versions(st, a, &versions, &counts, &n)) {
		fprintf(stderr, "pingan: cannot read the personal data's key versions\n");
		rc = -1;
	} else if (n && access(path, F_OK) != 0) {
		fprintf(stderr,
			"pingan: the database holds personal values sealed with key version %d; "
			"a new key cannot open them: restore '%s' from its backup\n",
			versions[0], path);
		rc = -1;
	}
	arena_free(a);
	store_close(st);
	return rc;
}

int cli_key(struct config *cfg, int argc, char **argv)
{
	if (argc != 2 ||
	    (strcmp(argv[1], "init") && strcmp(argv[1], "rotate") && strcmp(argv[1], "status"))) {
		fprintf(stderr, "usage: pingan key init | key rotate | key status\n");
		return 2;
	}
	struct arena *a = arena_new();
	char *path = cli_key_path(cfg, a), why[512];
	int rc;
	if (!strcmp(argv[1], "init")) {
		enum crypt_profile p;
		if (crypt_profile_parse(cfg->pii_profile, &p)) {
			fprintf(stderr, "pingan: pii_profile must be gm or intl\n");
			rc = 2;
		} else if (refuse_init(cfg, path)) {
			rc = 1;
		} else if (crypt_keyring_create(path, p, why, sizeof(why))) {
			fprintf(stderr, "pingan: %s\n", why);
			rc = 1;
		} else {
			printf("created key file '%s' (profile %s, version 1, mode 0600).\n"
			       "Back it up apart from the database: without it the personal "
			       "data cannot be read.\n",
			       path, crypt_profile_name(p));
			rc = 0;
		}
	} else if (!strcmp(argv[1], "rotate")) {
		rc = key_rotate(cfg, path);
	} else {
		rc = key_status(cfg, path);
	}
	arena_free(a);
	return rc;
}
