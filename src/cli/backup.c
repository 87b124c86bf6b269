/*
 * backup.c - `pingan backup DEST` and `pingan restore SRC`.
 *
 * backup copies the database online (SQLite's backup API: one consistent
 * snapshot while the server keeps writing), as DEST.part renamed to DEST,
 * then checks the copy: PRAGMA integrity_check and its audit chain with
 * the anchor key. The key is not copied: keep it elsewhere.
 *
 * restore refuses while a server holds the database (the lock `pingan
 * serve` takes on DB.lock), checks SRC the same way (integrity and the
 * audit chain; a copy that fails either is never put in place), keeps the
 * current database as DB.before-restore-TIME, then replaces the database's
 * content in one transaction and checks the result again.
 */
#include "cli/cli.h"
#include "core/err.h"
#include "core/mem.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* integrity and chain of a database file; prints the verdict */
static int check(const struct config *cfg, const char *path)
{
	unsigned char key[AUDIT_KEY_LEN];
	bool have_key = cli_audit_key(cfg, false, key) == 0;
	if (!have_key)
		fprintf(stderr, "pingan: warning: without the audit key the anchors' "
				"signatures are not checked\n");
	struct sm2_key *pub = NULL;
	if (cli_audit_sign_key(cfg, false, &pub))
		fprintf(stderr, "pingan: warning: the anchors' SM2 signatures are not checked\n");
	struct audit_verify v;
	char why[512];
	int err = store_file_check(path, have_key ? key : NULL, AUDIT_KEY_LEN, pub, &v, why,
				   sizeof(why));
	sec_wipe(key, sizeof(key));
	sm2_free(pub);
	if (err) {
		fprintf(stderr, "pingan: %s\n", why);
		return 1;
	}
	printf("'%s': integrity ok; audit chain intact: %lld records, head %lld, %lld anchors "
	       "checked\n",
	       path, v.records, v.head_seq, v.anchors_checked);
	return 0;
}

int cli_backup(struct config *cfg, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: pingan [--db PATH] backup DEST\n");
		return 2;
	}
	const char *dest = argv[1];
	if (access(cfg->db, R_OK)) {
		fprintf(stderr, "pingan: no database at '%s'\n", cfg->db);
		return 1;
	}
	/* the record goes in first, so the copy holds the record of its own making */
	struct store *st = cli_open_store(cfg);
	if (!st)
		return 1;
	int err = cli_audit(st, "backup", "database", 0, dest);
	store_close(st);
	if (err) {
		fprintf(stderr, "pingan: cannot record the backup in the audit log\n");
		return 1;
	}
	char why[512];
	if ((err = store_backup(cfg->db, dest, why, sizeof(why)))) {
		fprintf(stderr, "pingan: %s\n", why);
		return 1;
	}
	printf("backed up '%s' to '%s'\n", cfg->db, dest);
	return check(cfg, dest);
}

int cli_restore(struct config *cfg, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: pingan [--db PATH] restore SRC\n");
		return 2;
	}
	const char *src = argv[1];
	int lock = cli_db_lock(cfg->db);
	if (lock == -1) {
		fprintf(stderr,
			"pingan: a server is running on '%s'; stop it before restoring over it\n",
			cfg->db);
		return 1;
	}
	if (lock < 0) {
		fprintf(stderr, "pingan: cannot lock '%s.lock': %s\n", cfg->db, strerror(errno));
		return 1;
	}
	int rc = 1;
	char why[512];
	printf("checking '%s'\n", src);
	if (check(cfg, src)) {
		fprintf(stderr, "pingan: '%s' is not restored\n", src);
		goto out;
	}
	if (!access(cfg->db, F_OK)) {
		char keep[4096], stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(keep, sizeof(keep), "%s.before-restore-%s", cfg->db, stamp);
		if (store_backup(cfg->db, keep, why, sizeof(why))) {
			fprintf(stderr, "pingan: cannot keep the current database: %s\n", why);
			goto out;
		}
		printf("kept the current database as '%s'\n", keep);
	}
	if (store_restore(src, cfg->db, why, sizeof(why))) {
		fprintf(stderr, "pingan: %s\n", why);
		goto out;
	}
	struct store *st = cli_open_store(cfg);
	if (!st || cli_audit(st, "restore", "database", 0, src)) {
		fprintf(stderr, "pingan: restored, but cannot record it in the audit log\n");
		store_close(st);
		goto out;
	}
	store_close(st);
	printf("restored '%s' from '%s'\n", cfg->db, src);
	rc = check(cfg, cfg->db);
out:
	close(lock);
	return rc;
}
