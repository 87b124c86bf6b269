/*
 * test_walbuf.c - the writer's VFS (src/store/walbuf.c): what a writer
 * through it commits is what a reader through the default VFS reads, at
 * once and after a reopen, for transactions smaller and larger than its
 * buffer, with a rollback and a checkpoint between them.
 */
#include "tap.h"
#include "store/walbuf.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void suite_walbuf(void);

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		tap_diag("%s: %s", sql, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

static long long one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* n rows of `size` bytes each, in one transaction, numbered from first */
static int insert_rows(sqlite3 *db, int first, int n, int size)
{
	sqlite3_stmt *q = NULL;
	int rc = exec(db, "BEGIN IMMEDIATE");
	if (!rc)
		rc = sqlite3_prepare_v2(db, "INSERT INTO t (id, v) VALUES (?1, randomblob(?2))", -1,
					&q, NULL);
	for (int i = 0; !rc && i < n; i++) {
		sqlite3_bind_int(q, 1, first + i);
		sqlite3_bind_int(q, 2, size);
		rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return rc ? rc : exec(db, "COMMIT");
}

void suite_walbuf(void)
{
	char path[] = "/tmp/pingan-walbuf-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		ok(0, "walbuf: a scratch file");
		return;
	}
	close(fd);
	unlink(path);
	is_int(walbuf_register(), SQLITE_OK, "walbuf: the VFS registers");
	is_int(walbuf_register(), SQLITE_OK, "walbuf: twice is once");
	ok(sqlite3_vfs_find(WALBUF_VFS) != NULL &&
		   sqlite3_vfs_find(NULL) != sqlite3_vfs_find(WALBUF_VFS),
	   "walbuf: found by name, and not the default");
	sqlite3 *w = NULL, *r = NULL;
	int rc = sqlite3_open_v2(path, &w, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, WALBUF_VFS);
	if (!rc)
		rc = exec(w, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
			     "PRAGMA wal_autocheckpoint=0; "
			     "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)");
	if (!rc)
		rc = sqlite3_open_v2(path, &r, SQLITE_OPEN_READONLY, NULL);
	is_int(rc, SQLITE_OK, "walbuf: a writer through it, a reader through the default");
	if (rc)
		goto out;
	/* small transactions: one frame or a few, each seen by the reader */
	int seen = 0;
	for (int i = 0; i < 50; i++) {
		if (insert_rows(w, 1 + i, 1, 100))
			break;
		seen += one(r, "SELECT count(*) FROM t") == i + 1;
	}
	is_int(seen, 50, "walbuf: 50 one-row commits, each read at once by the reader");
	/* one transaction of about 3 MB: many buffers' worth of frames */
	is_int(insert_rows(w, 1000, 1500, 2000), SQLITE_OK,
	       "walbuf: a transaction larger than the buffer commits");
	is_int(one(r, "SELECT count(*) FROM t"), 1550, "walbuf: and the reader sees all of it");
	is_int(one(r, "SELECT sum(length(v)) FROM t WHERE id >= 1000"), 1500 * 2000,
	       "walbuf: every byte of it");
	/* a rolled-back transaction leaves nothing, and the next commit is whole */
	exec(w, "BEGIN IMMEDIATE; DELETE FROM t WHERE id < 1000; ROLLBACK");
	is_int(insert_rows(w, 5000, 10, 3000), SQLITE_OK, "walbuf: a commit after a rollback");
	is_int(one(r, "SELECT count(*) FROM t"), 1560, "walbuf: the rollback took nothing");
	/* a checkpoint through another connection, then the WAL starts over */
	sqlite3 *c = NULL;
	rc = sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE, NULL);
	if (!rc)
		rc = sqlite3_wal_checkpoint_v2(c, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_close(c);
	is_int(rc, SQLITE_OK, "walbuf: the default VFS checkpoints what it wrote");
	is_int(insert_rows(w, 6000, 200, 1000), SQLITE_OK, "walbuf: writes after the WAL restarts");
	is_int(one(r, "SELECT count(*) FROM t"), 1760, "walbuf: and the reader sees them");
	sqlite3_close(r);
	r = NULL;
	sqlite3_close(w);
	w = NULL;
	/* closed and reopened: everything there, and whole */
	rc = sqlite3_open_v2(path, &r, SQLITE_OPEN_READWRITE, NULL);
	is_int(rc, SQLITE_OK, "walbuf: reopens");
	if (!rc) {
		is_int(one(r, "SELECT count(*) FROM t"), 1760,
		       "walbuf: all 1 760 rows after a reopen");
		sqlite3_stmt *q = NULL;
		const char *verdict = "";
		if (sqlite3_prepare_v2(r, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW)
			verdict = (const char *)sqlite3_column_text(q, 0);
		is_str(verdict, "ok", "walbuf: the database is whole");
		sqlite3_finalize(q);
	}
out:
	sqlite3_close(r);
	sqlite3_close(w);
	char side[sizeof(path) + 8];
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}
