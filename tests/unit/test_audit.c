/*
 * test_audit.c - the audit chain (domain/audit.c) and its store
 * (store/sqlite_audit.c): appends in and out of transactions, the head kept
 * in memory across rollbacks and other writers, every kind of tampering
 * (alter, delete, insert, reorder, truncate, forged anchors) found by the
 * verifier, the triggers, retention of archives, backup and file checks.
 *
 * Tampering goes through a second, raw SQLite connection, as an intruder
 * with the database file would (dropping the triggers first).
 */
#include "core/arena.h"
#include "core/err.h"
#include "domain/audit.h"
#include "store/store.h"
#include "tap.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const unsigned char KEY[AUDIT_KEY_LEN] = "0123456789abcdef0123456789abcdef";
static struct sm2_key *SIGN; /* made once for the suite */

struct fx {
	char dir[64], path[128];
	struct store *st;
	struct arena *a;
};

static int fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/pingan-audit-XXXXXX");
	if (!mkdtemp(f->dir)) {
		ok(0, "fixture: mkdtemp");
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	char why[256];
	if (store_open(f->path, 2, &f->st, why, sizeof(why))) {
		ok(0, "fixture: store_open: %s", why);
		return -1;
	}
	f->a = arena_new();
	return 0;
}

static void fx_close(struct fx *f)
{
	store_close(f->st);
	arena_free(f->a);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", f->dir);
}

static int append(struct store *st, long long at, const char *user, const char *action,
		  const char *object)
{
	struct audit_rec r = { .at = at,
			       .user_id = 7,
			       .username = user,
			       .ip = "10.0.0.1",
			       .action = action,
			       .object = object,
			       .outcome = "ok",
			       .detail = "d" };
	return store_audit_append(st, &r);
}

static void fill(struct fx *f, int n)
{
	char obj[32];
	for (int i = 1; i <= n; i++) {
		snprintf(obj, sizeof(obj), "event:%d", i);
		if (append(f->st, 1700000000 + i, "centre", "event.register", obj))
			ok(0, "fill: append %d", i);
	}
}

static int raw(struct fx *f, const char *sql)
{
	sqlite3 *db;
	if (sqlite3_open(f->path, &db) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(db, 5000);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	sqlite3_free(msg); /* refusals are what most callers expect */
	sqlite3_close(db);
	return rc;
}

/* Recomputes every hash from seq 1 on, as an intruder who knows the
 * algorithm (not the key) would after an edit. */
static void rechain(struct fx *f)
{
	sqlite3 *db;
	sqlite3_open(f->path, &db);
	sqlite3_exec(db, "DROP TRIGGER IF EXISTS audit_log_no_update; BEGIN", NULL, NULL, NULL);
	sqlite3_stmt *q, *u;
	sqlite3_prepare_v2(db,
			   "SELECT seq, at, user_id, username, ip, action, object, outcome, detail "
			   "FROM audit_log ORDER BY seq",
			   -1, &q, NULL);
	sqlite3_prepare_v2(db, "UPDATE audit_log SET prev = ?2, hash = ?3 WHERE seq = ?1", -1, &u,
			   NULL);
	char prev[SEC_HEX_LEN];
	memcpy(prev, audit_genesis, SEC_HEX_LEN);
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct audit_rec r = { .seq = sqlite3_column_int64(q, 0),
				       .at = sqlite3_column_int64(q, 1),
				       .user_id = sqlite3_column_int64(q, 2),
				       .username = (const char *)sqlite3_column_text(q, 3),
				       .ip = (const char *)sqlite3_column_text(q, 4),
				       .action = (const char *)sqlite3_column_text(q, 5),
				       .object = (const char *)sqlite3_column_text(q, 6),
				       .outcome = (const char *)sqlite3_column_text(q, 7),
				       .detail = (const char *)sqlite3_column_text(q, 8) };
		char h[SEC_HEX_LEN];
		audit_hash(prev, &r, h);
		sqlite3_bind_int64(u, 1, r.seq);
		sqlite3_bind_text(u, 2, prev, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(u, 3, h, -1, SQLITE_TRANSIENT);
		sqlite3_step(u);
		sqlite3_reset(u);
		memcpy(prev, h, SEC_HEX_LEN);
	}
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
}

static void verify(struct fx *f, struct audit_verify *v)
{
	if (store_audit_verify(f->st, f->a, NULL, 0, KEY, sizeof(KEY), SIGN, v))
		ok(0, "verify: store error");
}

static void anchor(struct fx *f)
{
	struct audit_anchor x;
	if (store_audit_anchor(f->st, KEY, sizeof(KEY), SIGN, 1800000000, false, &x))
		ok(0, "anchor: store error");
}

static void test_pure(void)
{
	struct audit_rec r = { .seq = 1, .at = 5, .username = "u", .action = "a", .object = "o" };
	char h1[SEC_HEX_LEN], h2[SEC_HEX_LEN];
	audit_hash(audit_genesis, &r, h1);
	audit_hash(audit_genesis, &r, h2);
	is_str(h1, h2, "hash: deterministic");
	is_int(strlen(h1), 64, "hash: 64 hex digits");
	/* length prefixes: moving a byte between fields changes the hash */
	struct audit_rec s = r;
	s.username = "ua";
	s.action = "";
	audit_hash(audit_genesis, &s, h2);
	ok(strcmp(h1, h2), "hash: fields are length-prefixed (u|a differs from ua|)");
	s = r;
	s.seq = 2;
	audit_hash(audit_genesis, &s, h2);
	ok(strcmp(h1, h2), "hash: the seq is hashed");
	audit_hash(h1, &r, h2);
	ok(strcmp(h1, h2), "hash: prev is hashed");
	/* UTF-8 cut: 中 is 3 bytes; a limit inside it cuts before it */
	is_int(audit_field_len("ab中", 4), 2, "field: cut before a split character");
	is_int(audit_field_len("ab中", 5), 5, "field: whole when it fits");
	is_int(audit_field_len(NULL, 5), 0, "field: NULL is empty");
	char m1[SEC_HEX_LEN], m2[SEC_HEX_LEN];
	audit_anchor_mac(KEY, sizeof(KEY), 3, h1, 9, m1);
	audit_anchor_mac(KEY, sizeof(KEY), 4, h1, 9, m2);
	ok(strcmp(m1, m2), "anchor mac: covers the seq");
	audit_anchor_mac((const unsigned char *)"another key another key another", 32, 3, h1, 9,
			 m2);
	ok(strcmp(m1, m2), "anchor mac: depends on the key");
}

static void test_key_file(void)
{
	char dir[] = "/tmp/pingan-key-XXXXXX", path[64], why[256];
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/audit.key", dir);
	unsigned char k1[AUDIT_KEY_LEN], k2[AUDIT_KEY_LEN];
	is_int(audit_key_load(path, false, k1, why, sizeof(why)), ERR_NOT_FOUND,
	       "key: missing without create");
	is_int(audit_key_load(path, true, k1, why, sizeof(why)), 0, "key: made on first use");
	is_int(audit_key_load(path, false, k2, why, sizeof(why)), 0, "key: read back");
	ok(!memcmp(k1, k2, sizeof(k1)), "key: the same key");
	FILE *fp = fopen(path, "w");
	fputs("not hex\n", fp);
	fclose(fp);
	is_int(audit_key_load(path, false, k2, why, sizeof(why)), ERR_BAD_VALUE, "key: garbage");
	unlink(path);
	rmdir(dir);
}

static void test_append_verify(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	struct audit_verify v;
	verify(&f, &v);
	ok(v.ok && v.records == 0 && v.head_seq == 0, "empty log verifies");
	struct audit_rec r = { .at = 100, .username = "x", .action = "login", .object = "user:1" };
	is_int(store_audit_append(f.st, &r), 0, "append outside a transaction");
	is_int(r.seq, 1, "first seq is 1");
	is_str(r.prev, audit_genesis, "first prev is the genesis");
	is_str(r.outcome, "ok", "outcome defaults to ok");
	struct audit_rec r2 = {
		.at = 101, .username = "x", .action = "logout", .object = "user:1"
	};
	store_audit_append(f.st, &r2);
	is_str(r2.prev, r.hash, "the second continues the first");

	/* a rolled-back transaction takes its record along, and the head in
	 * memory follows */
	store_begin(f.st);
	append(f.st, 102, "y", "user.add", "user:2");
	store_rollback(f.st);
	store_begin(f.st);
	store_begin(f.st);
	append(f.st, 103, "y", "user.add", "user:3");
	store_rollback(f.st); /* the inner savepoint only */
	append(f.st, 104, "y", "user.add", "user:4");
	is_int(store_commit(f.st), 0, "commit after an inner rollback");
	fill(&f, 20);
	verify(&f, &v);
	ok(v.ok, "chain intact after rollbacks (%s)", v.problem);
	is_int(v.records, 23, "records: 2 + 1 + 20");

	/* another connection (another process) appends: this store must chain
	 * after its record, not over it */
	struct store *other;
	char why[256];
	if (!store_open(f.path, 1, &other, why, sizeof(why))) {
		is_int(append(other, 200, "cli", "backup", "database"), 0,
		       "another writer appends");
		store_close(other);
	}
	is_int(append(f.st, 201, "z", "login", "user:9"), 0, "append after another writer");
	verify(&f, &v);
	ok(v.ok && v.records == 25, "chain intact across writers (%lld, %s)", v.records, v.problem);

	struct audit_filter flt = { .action = "event.", .limit = 5 };
	struct audit_rec *list;
	size_t n;
	is_int(store_audit_list(f.st, f.a, &flt, &list, &n), 0, "list");
	is_int(n, 5, "list: limit");
	ok(n && !strcmp(list[0].action, "event.register") && list[0].seq > list[1].seq,
	   "list: family filter, newest first");
	flt.before_seq = list[4].seq;
	size_t n2;
	struct audit_rec *more;
	store_audit_list(f.st, f.a, &flt, &more, &n2);
	ok(n2 == 5 && more[0].seq < list[4].seq, "list: cursor pages on");
	struct audit_filter by_user = { .username = "cli", .limit = 10 };
	store_audit_list(f.st, f.a, &by_user, &list, &n);
	ok(n == 1 && !strcmp(list[0].action, "backup"), "list: by user");
	struct audit_filter by_time = { .from = 1700000005, .to = 1700000008, .limit = 10 };
	store_audit_list(f.st, f.a, &by_time, &list, &n);
	is_int(n, 3, "list: time range [from, to)");
	fx_close(&f);
}

static void test_triggers(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	fill(&f, 3);
	ok(raw(&f, "UPDATE audit_log SET detail = 'x' WHERE seq = 2") != SQLITE_OK,
	   "UPDATE refused by the database");
	ok(raw(&f, "DELETE FROM audit_log WHERE seq = 3") != SQLITE_OK,
	   "DELETE refused by the database");
	anchor(&f);
	ok(raw(&f, "DELETE FROM audit_anchors") != SQLITE_OK, "anchors: DELETE refused");
	ok(raw(&f, "UPDATE audit_anchors SET seq = 1") != SQLITE_OK, "anchors: UPDATE refused");
	/* retention: nothing younger than 184 days may be archived */
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO audit_archives (through_seq, through_hash, through_at, at, file, "
		 "file_sm3) VALUES (1, 'x', %lld, 0, 'f', 'h')",
		 (long long)time(NULL) - 183 * 86400);
	ok(raw(&f, sql) != SQLITE_OK, "archive of a 183-day-old record refused");
	struct audit_verify v;
	verify(&f, &v);
	ok(v.ok && v.records == 3, "still intact after refused edits");
	fx_close(&f);
}

/* One tampering scenario: a fresh log of 10 records with an anchor at 8,
 * then the SQL, then the verdict. */
static void tamper(const char *name, const char *sql, bool recompute, const char *kind)
{
	struct fx f;
	if (fx_open(&f))
		return;
	fill(&f, 8);
	anchor(&f);
	fill(&f, 2);
	raw(&f, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
		"DROP TRIGGER audit_anchors_no_delete;");
	if (raw(&f, sql) != SQLITE_OK)
		ok(0, "%s: the tampering SQL failed", name);
	if (recompute)
		rechain(&f);
	struct audit_verify v;
	verify(&f, &v);
	ok(!v.ok, "%s: detected", name);
	is_str(v.problem_kind, kind, "%s: as %s (%s)", name, kind, v.problem);
	fx_close(&f);
}

static void test_tampering(void)
{
	tamper("alter a record", "UPDATE audit_log SET username = 'nobody' WHERE seq = 4", false,
	       "altered");
	tamper("alter the last record (after the anchor)",
	       "UPDATE audit_log SET outcome = 'failed' WHERE seq = 10", false, "altered");
	tamper("delete a record", "DELETE FROM audit_log WHERE seq = 5", false, "gap");
	tamper("delete a record and renumber",
	       "DELETE FROM audit_log WHERE seq = 5; UPDATE audit_log SET seq = seq - 1 "
	       "WHERE seq > 5",
	       false, "broken_link");
	tamper("delete a record, renumber and recompute the chain",
	       "DELETE FROM audit_log WHERE seq = 5; UPDATE audit_log SET seq = seq - 1 "
	       "WHERE seq > 5",
	       true, "anchor_mismatch");
	tamper("insert a record",
	       "UPDATE audit_log SET seq = -seq WHERE seq > 3; UPDATE audit_log SET seq = 1 - seq "
	       "WHERE seq < 0; INSERT INTO audit_log (seq, at, user_id, username, ip, action, "
	       "object, outcome, detail, prev, hash) SELECT 4, at, 1, 'ghost', '', 'login', "
	       "'user:1', 'ok', '', hash, hash FROM audit_log WHERE seq = 3",
	       false, "altered");
	tamper("insert a record and recompute the chain",
	       "UPDATE audit_log SET seq = -seq WHERE seq > 3; UPDATE audit_log SET seq = 1 - seq "
	       "WHERE seq < 0; INSERT INTO audit_log (seq, at, user_id, username, ip, action, "
	       "object, outcome, detail, prev, hash) SELECT 4, at, 1, 'ghost', '', 'login', "
	       "'user:1', 'ok', '', hash, hash FROM audit_log WHERE seq = 3",
	       true, "anchor_mismatch");
	tamper("reorder two records (swap their contents)",
	       "UPDATE audit_log SET seq = 100 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE "
	       "seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 100",
	       false, "broken_link");
	tamper("reorder two records and recompute the chain",
	       "UPDATE audit_log SET seq = 100 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE "
	       "seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 100",
	       true, "anchor_mismatch");
	tamper("truncate the log (the records after 6)", "DELETE FROM audit_log WHERE seq > 6",
	       false, "truncated");
	tamper("rewrite an anchor's hash",
	       "DROP TRIGGER audit_anchors_no_update; "
	       "UPDATE audit_anchors SET hash = (SELECT hash FROM audit_log WHERE seq = 2)",
	       false, "bad_mac");

	/* truncating the log and its anchors together: caught by an exported
	 * anchor kept elsewhere */
	struct fx f;
	if (fx_open(&f))
		return;
	fill(&f, 6);
	struct audit_anchor x;
	store_audit_anchor(f.st, KEY, sizeof(KEY), SIGN, 1800000000, false, &x);
	raw(&f, "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_anchors_no_delete;"
		"DELETE FROM audit_log WHERE seq > 3; DELETE FROM audit_anchors;");
	struct audit_verify v;
	verify(&f, &v);
	ok(v.ok, "log and anchors cut together: the database alone cannot tell");
	store_audit_verify(f.st, f.a, &x, 1, KEY, sizeof(KEY), SIGN, &v);
	ok(!v.ok && !strcmp(v.problem_kind, "truncated"),
	   "... an exported anchor finds the truncation (%s)", v.problem);
	/* an anchor signed with another key proves nothing */
	static const unsigned char other[AUDIT_KEY_LEN] = "another key, another key, anothe";
	fill(&f, 1);
	struct audit_anchor y;
	store_audit_anchor(f.st, other, sizeof(other), NULL, 1800000000, false, &y);
	verify(&f, &v);
	ok(!v.ok && !strcmp(v.problem_kind, "bad_mac"), "an anchor of another key: bad_mac (%s)",
	   v.problem);
	fx_close(&f);
}

static void test_anchor(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	fill(&f, 3);
	struct audit_anchor a1, a2, a3;
	is_int(store_audit_anchor(f.st, KEY, sizeof(KEY), SIGN, 1800000000, false, &a1), 0,
	       "anchor");
	is_int(a1.seq, 3, "anchor names the head");
	store_audit_anchor(f.st, KEY, sizeof(KEY), SIGN, 1800000001, false, &a2);
	is_int(a2.id, a1.id, "no new anchor while the head has not moved");
	fill(&f, 1);
	store_audit_anchor(f.st, KEY, sizeof(KEY), SIGN, 1800000002, false, &a3);
	ok(a3.id > a1.id && a3.seq == 4, "a new anchor once it has");
	struct audit_anchor *v;
	size_t n;
	store_audit_anchors(f.st, f.a, 0, 0, &v, &n);
	is_int(n, 2, "two anchors listed");
	long long seq;
	char hash[SEC_HEX_LEN];
	store_audit_head(f.st, &seq, hash);
	ok(seq == 4 && !strcmp(hash, a3.hash), "head matches the latest anchor");
	fx_close(&f);
}

static void test_backup(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	fill(&f, 50);
	anchor(&f);
	char dest[160], why[256];
	snprintf(dest, sizeof(dest), "%s/copy.db", f.dir);
	is_int(store_backup(f.path, dest, why, sizeof(why)), 0, "backup");
	is_int(store_backup(f.path, dest, why, sizeof(why)), ERR_CONFLICT,
	       "backup never overwrites");
	struct audit_verify v;
	is_int(store_file_check(dest, KEY, sizeof(KEY), SIGN, &v, why, sizeof(why)), 0,
	       "the copy checks (%s)", why);
	ok(v.records == 50 && v.anchors_checked == 1, "the copy holds the chain and its anchor");
	/* a tampered copy is refused by the check */
	sqlite3 *db;
	sqlite3_open(dest, &db);
	sqlite3_exec(db,
		     "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET ip = '' WHERE "
		     "seq = 9",
		     NULL, NULL, NULL);
	sqlite3_close(db);
	is_int(store_file_check(dest, KEY, sizeof(KEY), SIGN, &v, why, sizeof(why)), ERR_BAD_FILE,
	       "a tampered copy fails the check");
	ok(strstr(why, "record 9") != NULL, "... naming the record (%s)", why);
	/* restore the good database over the bad copy */
	is_int(store_restore(f.path, dest, why, sizeof(why)), 0, "restore (%s)", why);
	is_int(store_file_check(dest, KEY, sizeof(KEY), SIGN, &v, why, sizeof(why)), 0,
	       "restored copy checks");
	fx_close(&f);
}

static int count_rec(void *ctx, const struct audit_rec *r)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

static void test_archive(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	long long now = (long long)time(NULL), day = 86400;
	for (int i = 0; i < 5; i++)
		append(f.st, now - 200 * day + i, "old", "login", "user:1");
	for (int i = 0; i < 3; i++)
		append(f.st, now - 10 * day + i, "young", "login", "user:2");
	append(f.st, now - 300 * day, "old again", "login", "user:3");
	long long from, through;
	is_int(store_audit_archivable(f.st, now - 184 * day, &from, &through), 0, "archivable");
	ok(from == 1 && through == 5, "archivable: the old prefix only (%lld-%lld)", from, through);
	int n = 0;
	store_audit_each(f.st, from, through, count_rec, &n);
	is_int(n, 5, "each: five records");
	is_int(store_audit_archive(f.st, 7, now, "f", "h"), ERR_FORBIDDEN,
	       "archiving young records is refused by the database");
	is_int(store_audit_archive(f.st, 5, now, "f.jsonl", "h"), 0, "archive the old prefix");
	struct audit_verify v;
	verify(&f, &v);
	ok(v.ok && v.records == 4 && v.head_seq == 9,
	   "the rest verifies from the archived head (%s)", v.problem);
	append(f.st, now, "after", "login", "user:4");
	verify(&f, &v);
	ok(v.ok && v.records == 5, "and goes on after it");
	store_audit_archivable(f.st, now - 184 * day, &from, &through);
	ok(through < from, "nothing more to archive: the next record is young");
	ok(raw(&f, "DELETE FROM audit_log WHERE seq = 6") != SQLITE_OK,
	   "a record no archive names cannot be deleted");
	fx_close(&f);
}

static void test_sm2(void)
{
	struct fx f;
	if (fx_open(&f))
		return;
	char *pem = sm2_public_pem(SIGN);
	struct sm2_key *pub = pem ? sm2_load(pem, strlen(pem)) : NULL;
	ok(pub != NULL, "sm2: the public key loads from PEM");
	char id1[SM2_KEY_ID_LEN], id2[SM2_KEY_ID_LEN];
	sm2_key_id(SIGN, id1);
	if (pub)
		sm2_key_id(pub, id2);
	is_str(id1, pub ? id2 : "", "sm2: the same key id from either half");
	char sig[SM2_SIG_HEX];
	ok(pub && sm2_sign_hex(pub, "x", 1, sig) != 0, "sm2: a public key cannot sign");
	is_int(sm2_sign_hex(SIGN, "abc", 3, sig), 0, "sm2: sign");
	ok(pub && sm2_verify_hex(pub, "abc", 3, sig), "sm2: the public key verifies");
	ok(pub && !sm2_verify_hex(pub, "abd", 3, sig), "sm2: another message fails");
	static const char junk[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
	ok(!sm2_load(junk, strlen(junk)), "sm2: garbage PEM is refused");

	/* with only the public key (no MAC key), every anchor must carry a good
	 * SM2 signature */
	fill(&f, 4);
	anchor(&f);
	struct audit_verify v;
	store_audit_verify(f.st, f.a, NULL, 0, NULL, 0, pub, &v);
	ok(v.ok && v.anchors_checked == 1, "sm2: verified with the public key alone (%s)",
	   v.problem);
	fill(&f, 1);
	struct audit_anchor y;
	store_audit_anchor(f.st, KEY, sizeof(KEY), NULL, 1800000001, false, &y);
	store_audit_verify(f.st, f.a, NULL, 0, NULL, 0, pub, &v);
	ok(!v.ok && !strcmp(v.problem_kind, "bad_sig"),
	   "sm2: an unsigned anchor proves nothing to the public key alone (%s)", v.problem);
	/* a rewritten anchor: its hash moved to another record's, MAC and
	 * signature left as they were */
	raw(&f, "DROP TRIGGER audit_anchors_no_update; UPDATE audit_anchors SET seq = 3, hash = "
		"(SELECT hash FROM audit_log WHERE seq = 3) WHERE id = 1");
	store_audit_verify(f.st, f.a, NULL, 0, NULL, 0, pub, &v);
	ok(!v.ok && !strcmp(v.problem_kind, "bad_sig"), "sm2: a rewritten anchor fails (%s)",
	   v.problem);
	/* another SM2 key's signature */
	char *other_pem = NULL;
	struct sm2_key *other = NULL;
	if (!sm2_generate(&other_pem))
		other = sm2_load(other_pem, strlen(other_pem));
	free(other_pem);
	if (other) {
		store_audit_verify(f.st, f.a, NULL, 0, NULL, 0, other, &v);
		ok(!v.ok && !strcmp(v.problem_kind, "bad_sig"), "sm2: another key's check fails");
	}
	sm2_free(other);
	sm2_free(pub);
	free(pem);
	fx_close(&f);
}

void suite_audit(void)
{
	char *pem = NULL;
	if (sm2_generate(&pem) || !(SIGN = sm2_load(pem, strlen(pem)))) {
		ok(0, "sm2: make the suite's key");
		free(pem);
		return;
	}
	free(pem);
	test_pure();
	test_key_file();
	test_append_verify();
	test_triggers();
	test_tampering();
	test_anchor();
	test_backup();
	test_archive();
	test_sm2();
	sm2_free(SIGN);
	SIGN = NULL;
}
