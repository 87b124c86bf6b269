/*
 * sqlite.c - the SQLite implementation of store.h.
 *
 * One writer connection, guarded by a mutex, takes every write (SQLite allows
 * one writer at a time anyway; funnelling them through one connection avoids
 * busy retries and the WAL-reset bug of SQLite < 3.51.3 that needs two
 * writing connections). Reader connections are PRAGMA query_only and come
 * from a small pool. A thread inside store_begin()..store_commit() reads
 * through the writer, so it sees its own uncommitted rows.
 *
 * Every connection keeps its prepared statements, keyed by the SQL text's
 * address (the SQL strings are static), so a statement is compiled once.
 *
 * Subtree and scope tests are range scans over the materialised path: the
 * prefix "/330108/" matches exactly the paths in ["/330108/", "/3301080"),
 * because '0' is the character after '/'.
 */
#include "store/migrations.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/sqlite_internal.h"
#include "store/walbuf.h"

/* the store whose explicit transaction this thread is inside, if any */
static _Thread_local struct store *tx_owner;
/* the writer's VFS is registered (sqlite_setup) */
static bool walbuf_ok;
/* nesting depth inside store_begin(): inner levels are savepoints */
static _Thread_local int tx_depth;
/* the write this thread begins changes many rows (store_begin_bulk) */
static _Thread_local bool tx_bulk;

int sq_map_rc(int rc, sqlite3 *db)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return 0;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return ERR_NOT_FOUND;
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return ERR_CONFLICT;
		return ERR_BAD_VALUE;
	case SQLITE_FULL: return ERR_NO_SPACE;
	case SQLITE_READONLY: return ERR_READ_ONLY;
	case SQLITE_IOERR:
		/* a write the file system refused: say why, as SQLITE_FULL would */
		if (db && sqlite3_system_errno(db) == ENOSPC)
			return ERR_NO_SPACE;
		if (db && sqlite3_system_errno(db) == EROFS)
			return ERR_READ_ONLY;
		log_error("sqlite: %s (%d)", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
		return ERR_IO;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return ERR_UNAVAILABLE;
	default:
		log_error("sqlite: %s (%d)", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
		return ERR_DB;
	}
}

sqlite3_stmt *sq_prep(struct conn *c, const char *sql)
{
	for (int i = 0; i < c->ncache; i++) {
		if (c->cache[i].sql == sql) {
			sqlite3_reset(c->cache[i].st);
			sqlite3_clear_bindings(c->cache[i].st);
			return c->cache[i].st;
		}
	}
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK)
		BUG("cannot prepare '%s': %s", sql, sqlite3_errmsg(c->db));
	if (c->ncache < STMT_CACHE) {
		c->cache[c->ncache].sql = sql;
		c->cache[c->ncache].st = st;
		c->ncache++;
	} else {
		BUG("statement cache full");
	}
	return st;
}

int sq_prepare(struct conn *c, const char *sql, sqlite3_stmt **q)
{
	int rc = sqlite3_prepare_v2(c->db, sql, -1, q, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(*q);
		*q = NULL;
		return sq_map_rc(rc, c->db);
	}
	return 0;
}

sqlite3_stmt *sq_prep_text(struct conn *c, const char *sql)
{
	int slot = 0;
	for (int i = 0; i < DYN_CACHE; i++) {
		if (c->dyn[i].sql && !strcmp(c->dyn[i].sql, sql)) {
			c->dyn[i].used = ++c->dyn_clock;
			sqlite3_reset(c->dyn[i].st);
			sqlite3_clear_bindings(c->dyn[i].st);
			return c->dyn[i].st;
		}
		if (c->dyn[i].used < c->dyn[slot].used)
			slot = i;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	/* the least recently used one makes room */
	sqlite3_finalize(c->dyn[slot].st);
	free(c->dyn[slot].sql);
	c->dyn[slot].sql = xstrdup(sql);
	c->dyn[slot].st = st;
	c->dyn[slot].used = ++c->dyn_clock;
	return st;
}

static void conn_close(struct conn *c)
{
	for (int i = 0; i < DYN_CACHE; i++) {
		sqlite3_finalize(c->dyn[i].st);
		free(c->dyn[i].sql);
		c->dyn[i].sql = NULL;
		c->dyn[i].st = NULL;
		c->dyn[i].used = 0;
	}
	for (int i = 0; i < c->ncache; i++)
		sqlite3_finalize(c->cache[i].st);
	c->ncache = 0;
	if (c->db)
		sqlite3_close(c->db);
	c->db = NULL;
}

static int exec(struct conn *c, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("sqlite: %s: %s", msg ? msg : sqlite3_errstr(rc), sql);
		sqlite3_free(msg);
		return sq_map_rc(rc, c->db);
	}
	return 0;
}

int sq_exec(struct conn *c, const char *sql)
{
	return exec(c, sql);
}

/* "file:PATH?immutable=1" with PATH's URI metacharacters escaped. */
static char *immutable_uri(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			strbuf_addf(&sb, "%%%02X", (unsigned char)*p);
		else
			strbuf_add(&sb, p, 1);
	}
	strbuf_addstr(&sb, "?immutable=1");
	return strbuf_detach(&sb, NULL);
}

/*
 * Opens a connection. A database the process cannot write (a read-only
 * file system or file) is opened immutable and query-only instead, so the
 * server still serves reads and every write answers ERR_READ_ONLY: a WAL
 * database cannot be opened read-only otherwise once its -shm file is gone.
 * *read_only tells which.
 */
static int conn_open(struct conn *c, const char *path, bool writer, bool *read_only, char *why,
		     size_t whylen)
{
	memset(c, 0, sizeof(*c));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
	/* the writer's WAL frames go out a transaction at a time (walbuf.c) */
	int rc = sqlite3_open_v2(path, &c->db, flags, writer && walbuf_ok ? WALBUF_VFS : NULL);
	*read_only = rc == SQLITE_OK && sqlite3_db_readonly(c->db, "main") == 1;
	if (*read_only) {
		sqlite3_close(c->db);
		char *uri = immutable_uri(path);
		rc = sqlite3_open_v2(uri, &c->db,
				     SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
				     NULL);
		free(uri);
	}
	if (rc != SQLITE_OK) {
		snprintf(why, whylen, "cannot open database '%s': %s", path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		conn_close(c);
		return rc == SQLITE_CANTOPEN ? ERR_IO : ERR_DB;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 5000);
	const char *pragmas = writer && !*read_only
				      /* NORMAL: COMMIT does not sync, checkpoints do; each
				       * write is made durable by group_sync() before it is
				       * acknowledged (group commit, below) */
				      ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
					"PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
					"PRAGMA wal_autocheckpoint=0;"
				      /* readers sort in memory: no temp file per query */
				      : "PRAGMA foreign_keys=ON; PRAGMA query_only=1;"
					"PRAGMA temp_store=MEMORY;";
	if (exec(c, pragmas)) {
		snprintf(why, whylen, "cannot configure database '%s': %s", path,
			 sqlite3_errmsg(c->db));
		conn_close(c);
		return ERR_DB;
	}
	return 0;
}

/* --- transactions on the writer --- */

/* One statement on the writer, prepared once. */
static int run1(struct store *st, const char *sql)
{
	sqlite3_stmt *q = sq_prep(&st->writer, sql);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	log_error("sqlite: %s: %s", sqlite3_errmsg(st->writer.db), sql);
	return sq_map_rc(rc, st->writer.db);
}

/* the store this thread declared a write for, until its write begins */
static _Thread_local struct store *intent;

void store_write_intent(struct store *st)
{
	if (intent)
		return;
	intent = st;
	atomic_fetch_add(&st->intents, 1);
}

void store_write_intent_end(struct store *st)
{
	if (intent != st)
		return;
	intent = NULL;
	atomic_fetch_sub(&st->intents, 1);
}

void store_group_stats(struct store *st, unsigned long long *writes, unsigned long long *commits,
		       unsigned long long *syncs)
{
	*writes = atomic_load(&st->writes);
	*commits = atomic_load(&st->commits);
	*syncs = atomic_load(&st->syncs);
}

/*
 * Group commit. A write takes the writer lock, joins the open transaction
 * (opening one if there is none) inside a savepoint of its own, releases the
 * savepoint and the lock, and waits in group_sync() until a COMMIT holding
 * it is on disk. A write that fails rolls back its own savepoint and nothing
 * else, and returns at once.
 *
 * COMMIT runs with synchronous=NORMAL (it writes the WAL, it does not sync),
 * and the fsync that synchronous=FULL would run inside it runs after it,
 * outside the writer lock: one waiting writer commits the open transaction,
 * then runs fdatasync on the WAL for every batch committed so far, while
 * the next batch is written. So each caller returns only once its write is
 * durable, as with FULL, and a batch is every write that came while the
 * disk flushed the one before: as large as the load makes it, one COMMIT and
 * one flush for all of it. (Readers may see a batch a moment before it is
 * durable; nothing that depends on it can be durable without it, since the
 * WAL is one file flushed in order.)
 */
/*
 * Each write's savepoint journal (the pages it changes, as they were before
 * it, so that it alone can be rolled back) is written to a temporary file by
 * default: SQLite keeps 64 KiB in memory, then opens, writes and unlinks a
 * file per transaction. The server's writes are short, so it keeps them in
 * memory (store_journal_in_memory): a report's write held the writer lock
 * for about a third less (docs/performance.md). An in-memory journal is
 * walked from its start at each statement's end and holds every page the
 * write changes, which is quadratic in time and unbounded in memory for a
 * write that changes many rows: those begin with store_begin_bulk(), and
 * their transaction journals to a file.
 */
static int commit_batch(struct store *st);

int sq_wbegin(struct store *st)
{
	if (tx_owner == st)
		return 0;
	store_write_intent_end(st); /* arrived */
	pthread_mutex_lock(&st->wlock);
	int err = 0;
	/* where this write's savepoint journal goes (store_journal_in_memory):
	 * a bulk write does not join a group journalled in memory */
	bool mem = st->jmem && !tx_bulk;
	if (st->tx_open && st->tx_mem && !mem)
		commit_batch(st);
	if (!st->tx_open) {
		if (st->tx_mem != mem && (err = run1(st, mem ? "PRAGMA temp_store=MEMORY"
							     : "PRAGMA temp_store=DEFAULT"))) {
			pthread_mutex_unlock(&st->wlock);
			return err;
		}
		st->tx_mem = mem;
		if ((err = run1(st, "BEGIN IMMEDIATE"))) {
			pthread_mutex_unlock(&st->wlock);
			return err;
		}
		st->tx_open = true;
		st->batch++;
		st->batch_writes = 0;
	}
	if ((err = run1(st, "SAVEPOINT w"))) {
		/* cannot even start: end the batch as it is, for the others */
		return sq_wend(st, err);
	}
	return 0;
}

/*
 * New events go into the search index in one statement, in runs: FTS5 writes
 * out its pending terms at every savepoint, and every write here runs in one,
 * so indexing from a trigger wrote an index segment per report. A run is
 * FTS_RUN events or whatever came since FTS_LAG_MS ago, indexed just before
 * the COMMIT that reaches it: a segment (and its merges) per run instead of
 * per commit. Searches read the few events past the index ('fts_max_id') by
 * scanning them (store_event_list), so nothing committed is ever unsearchable.
 */
#define FTS_RUN    256
#define FTS_LAG_MS 1000

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fts_catch_up(struct store *st)
{
	st->fts_batch = st->fts_max;
	sqlite3_stmt *q = sq_prep(&st->writer, "SELECT max(id) FROM events");
	int rc = sqlite3_step(q);
	long long top = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	if (rc != SQLITE_ROW)
		return sq_map_rc(rc, st->writer.db);
	if (top <= st->fts_max)
		return 0;
	long long now = mono_ms();
	if (top - st->fts_max < FTS_RUN && now - st->fts_at < FTS_LAG_MS)
		return 0;
	q = sq_prep(
		&st->writer,
		"INSERT INTO events_fts (rowid, title, description, address) "
		"SELECT id, title, description, address FROM events WHERE id > ?1 AND id <= ?2");
	sqlite3_bind_int64(q, 1, st->fts_max);
	sqlite3_bind_int64(q, 2, top);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_map_rc(rc, st->writer.db);
	q = sq_prep(&st->writer, "UPDATE meta SET value = ?1 WHERE key = 'fts_max_id'");
	sqlite3_bind_int64(q, 1, top);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_map_rc(rc, st->writer.db);
	st->fts_batch = top;
	st->fts_at = now;
	return 0;
}

/* Commits the open batch (the caller holds the lock) and records its result
 * for its writers (group_sync). */
static int commit_batch(struct store *st)
{
	int err = 0;
	if (st->batch_writes > 0) {
		err = fts_catch_up(st);
		if (!err)
			err = run1(st, "COMMIT");
		if (!err) {
			st->fts_max = st->fts_batch;
			atomic_fetch_add(&st->commits, 1);
			atomic_fetch_add(&st->writes, (unsigned long long)st->batch_writes);
		}
	}
	if (err || st->batch_writes == 0) {
		exec(&st->writer, "ROLLBACK");
		st->audit_ok = false; /* the audit head in memory may be gone */
	}
	st->tx_open = false;
	st->batch_writes = 0;
	st->results[st->batch % GROUP_RING] = err;
	st->committed = st->batch;
	return err;
}

/*
 * While requests are on their way to a write (store_write_intent), the
 * leader lets the open group grow for up to GROUP_WAIT_STEPS x
 * GROUP_WAIT_NS, until it has GROUP_WANT writes: a report changes some
 * twelve b-tree pages (its row, nine indexes, four roll-up rows, the
 * timeline and the audit log), and the pages a group shares go to the WAL
 * once, so larger groups write less per report (docs/performance.md). A
 * write nobody follows commits at once.
 */
#define GROUP_WANT       8
#define GROUP_WAIT_STEPS 4
#define GROUP_WAIT_NS    100000

/*
 * Waits until batch `mine` is committed and durable. One waiting writer at a
 * time leads: it commits the open batch (its own write and every write that
 * joined it since the last commit), releases the writer lock, and runs
 * fdatasync on the WAL for every batch committed so far; the others wait for
 * it, and lead the next round if their batch came after. So a group is what
 * arrives while the disk flushes the one before, and the flush overlaps the
 * next group's writes. A failed fdatasync fails every write after it too:
 * what the kernel had of the WAL may be lost, so nothing more is
 * acknowledged until a restart.
 */
static int group_sync(struct store *st, unsigned long long mine)
{
	pthread_mutex_lock(&st->sync_lock);
	while (st->synced < mine && !st->sync_failed) {
		if (st->syncing) {
			pthread_cond_wait(&st->sync_cond, &st->sync_lock);
			continue;
		}
		st->syncing = true;
		pthread_mutex_unlock(&st->sync_lock);
		pthread_mutex_lock(&st->wlock);
		for (int step = 0; step < GROUP_WAIT_STEPS && atomic_load(&st->intents) > 0 &&
				   st->tx_open && st->batch_writes < GROUP_WANT;
		     step++) {
			pthread_mutex_unlock(&st->wlock);
			struct timespec ts = { 0, GROUP_WAIT_NS };
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&st->wlock);
		}
		if (st->tx_open)
			commit_batch(st);
		unsigned long long target = st->committed;
		pthread_mutex_unlock(&st->wlock);
		int rc = 0;
		if (st->wal_mode) {
			if (st->wal_fd < 0)
				st->wal_fd = open(st->wal_path, O_RDONLY | O_CLOEXEC);
			rc = st->wal_fd >= 0 ? fdatasync(st->wal_fd) : -1;
			if (rc != 0)
				log_error("sqlite: cannot make the WAL durable: %s; writes are "
					  "refused until the server restarts",
					  strerror(errno));
		}
		pthread_mutex_lock(&st->sync_lock);
		st->syncing = false;
		if (rc == 0 && target > st->synced)
			st->synced = target;
		if (rc == 0 && st->wal_mode)
			atomic_fetch_add(&st->syncs, 1);
		if (rc != 0)
			st->sync_failed = true;
		pthread_cond_broadcast(&st->sync_cond);
	}
	int err = st->synced >= mine ? st->results[mine % GROUP_RING] : ERR_IO;
	pthread_mutex_unlock(&st->sync_lock);
	return err;
}

int sq_wend(struct store *st, int err)
{
	if (tx_owner == st)
		return err;
	if (err || (err = run1(st, "RELEASE w"))) {
		exec(&st->writer, "ROLLBACK TO w; RELEASE w");
		st->audit_ok = false;
	} else
		st->batch_writes++;
	unsigned long long mine = st->batch;
	/* a failed write rolled back its own savepoint and has nothing to wait
	 * for; if nothing else is in the transaction it ends it, so the
	 * database's write lock is not held with no leader to release it */
	if (err && st->batch_writes == 0)
		commit_batch(st);
	pthread_mutex_unlock(&st->wlock);
	return err ? err : group_sync(st, mine);
}

int store_begin(struct store *st)
{
	if (tx_owner == st) {
		char sql[32];
		snprintf(sql, sizeof(sql), "SAVEPOINT s%d", tx_depth);
		int err = exec(&st->writer, sql);
		if (!err)
			tx_depth++;
		return err;
	}
	int err = sq_wbegin(st);
	if (!err) {
		tx_owner = st;
		tx_depth = 0;
	}
	return err;
}

int store_begin_bulk(struct store *st)
{
	tx_bulk = tx_owner != st;
	int err = store_begin(st);
	tx_bulk = false;
	return err;
}

void store_journal_in_memory(struct store *st, bool on)
{
	pthread_mutex_lock(&st->wlock);
	st->jmem = on;
	pthread_mutex_unlock(&st->wlock);
}

int store_commit(struct store *st)
{
	if (tx_owner != st)
		BUG("store_commit outside a transaction");
	if (tx_depth > 0) {
		char sql[32];
		snprintf(sql, sizeof(sql), "RELEASE s%d", --tx_depth);
		return exec(&st->writer, sql);
	}
	tx_owner = NULL;
	return sq_wend(st, 0);
}

void store_rollback(struct store *st)
{
	if (tx_owner != st)
		BUG("store_rollback outside a transaction");
	if (tx_depth > 0) {
		char sql[64];
		tx_depth--;
		snprintf(sql, sizeof(sql), "ROLLBACK TO s%d; RELEASE s%d", tx_depth, tx_depth);
		exec(&st->writer, sql);
		st->audit_ok = false;
		return;
	}
	tx_owner = NULL;
	sq_wend(st, ERR_INTERNAL);
}

/* --- readers --- */

struct conn *sq_racquire(struct store *st)
{
	if (tx_owner == st)
		return &st->writer;
	pthread_mutex_lock(&st->rlock);
	for (;;) {
		for (int i = 0; i < st->nreaders; i++) {
			if (!st->busy[i]) {
				st->busy[i] = true;
				pthread_mutex_unlock(&st->rlock);
				return &st->readers[i];
			}
		}
		pthread_cond_wait(&st->rcond, &st->rlock);
	}
}

void sq_rrelease(struct store *st, struct conn *c)
{
	if (c == &st->writer)
		return;
	pthread_mutex_lock(&st->rlock);
	st->busy[c - st->readers] = false;
	pthread_cond_signal(&st->rcond);
	pthread_mutex_unlock(&st->rlock);
}

/* --- migrations --- */

static int migrate(struct store *st, char *why, size_t whylen)
{
	struct conn *w = &st->writer;
	int err = exec(w, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			  "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
			  "applied_at INTEGER NOT NULL)");
	if (err) {
		snprintf(why, whylen, "cannot create the migrations table");
		return err;
	}
	/* every migration not recorded yet is applied, not only those above the
	 * highest: a database made where a later-numbered migration existed before
	 * an earlier-numbered one (branches merged in another order) gets it too */
	sqlite3_stmt *q = sq_prep(w, "SELECT coalesce(max(version), 0) FROM schema_migrations");
	int have = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
	sqlite3_reset(q);
	for (int i = 0; i < store_migrations_count; i++) {
		const struct migration *m = &store_migrations[i];
		sqlite3_stmt *seen =
			sq_prep(w, "SELECT 1 FROM schema_migrations WHERE version = ?1");
		sqlite3_bind_int(seen, 1, m->version);
		bool applied = sqlite3_step(seen) == SQLITE_ROW;
		sqlite3_reset(seen);
		if (applied)
			continue;
		if ((err = exec(w, "BEGIN IMMEDIATE")))
			goto fail;
		if ((err = exec(w, m->sql))) {
			exec(w, "ROLLBACK");
			goto fail;
		}
		sqlite3_stmt *ins = sq_prep(w, "INSERT INTO schema_migrations VALUES (?1, ?2, ?3)");
		sqlite3_bind_int(ins, 1, m->version);
		sqlite3_bind_text(ins, 2, m->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, (sqlite3_int64)time(NULL));
		int rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE || (err = exec(w, "COMMIT"))) {
			exec(w, "ROLLBACK");
			err = err ? err : ERR_DB;
			goto fail;
		}
		log_info("applied migration %04d_%s", m->version, m->name);
		if (m->version > have)
			have = m->version;
		continue;
	fail:
		snprintf(why, whylen, "migration %04d_%s failed", m->version, m->name);
		return err;
	}
	st->schema_version = have;
	return 0;
}

/*
 * Once per process, before SQLite starts: each connection is used by one
 * thread at a time (the writer under its lock, readers from the pool), so
 * SQLite's per-connection mutexes only cost; and nothing reads SQLite's
 * memory statistics, whose upkeep takes a global mutex on every malloc.
 */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
	walbuf_ok = walbuf_register() == SQLITE_OK;
	if (!walbuf_ok)
		log_warn("sqlite: cannot register the WAL VFS; the writer uses the default");
}

/* --- checkpoints --- */

/*
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses its
 * threshold, so one write in a thousand pages waited for the copy into the
 * database and its fsync. Here the writer's WAL hook only signals, and a
 * thread with its own connection runs PASSIVE checkpoints (which never
 * block the writer or the readers). Should it fall far behind, the hook
 * checkpoints in line, so the WAL stays bounded.
 */
#define CKPT_PAGES  1000
#define CKPT_INLINE (16 * CKPT_PAGES)

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *st = arg;
	if (pages >= CKPT_INLINE) {
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	} else if (pages >= CKPT_PAGES) {
		pthread_mutex_lock(&st->ckpt_lock);
		st->ckpt_want = true;
		pthread_cond_signal(&st->ckpt_cond);
		pthread_mutex_unlock(&st->ckpt_lock);
	}
	return SQLITE_OK;
}

static void *checkpointer(void *arg)
{
	struct store *st = arg;
	pthread_mutex_lock(&st->ckpt_lock);
	for (;;) {
		while (!st->ckpt_want && !st->ckpt_stop)
			pthread_cond_wait(&st->ckpt_cond, &st->ckpt_lock);
		if (st->ckpt_stop)
			break;
		st->ckpt_want = false;
		pthread_mutex_unlock(&st->ckpt_lock);
		int logged = 0, done = 0;
		int rc = sqlite3_wal_checkpoint_v2(st->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE,
						   &logged, &done);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("checkpoint: %s", sqlite3_errmsg(st->ckpt_db));
		pthread_mutex_lock(&st->ckpt_lock);
	}
	pthread_mutex_unlock(&st->ckpt_lock);
	return NULL;
}

static int checkpointer_start(struct store *st, char *why, size_t whylen)
{
	int rc = sqlite3_open_v2(st->path, &st->ckpt_db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, whylen, "cannot open '%s' for checkpoints: %s", st->path,
			 st->ckpt_db ? sqlite3_errmsg(st->ckpt_db) : sqlite3_errstr(rc));
		return ERR_DB;
	}
	sqlite3_busy_timeout(st->ckpt_db, 5000);
	sqlite3_wal_hook(st->writer.db, wal_hook, st);
	/* the thread takes no signals: the server waits for them in sigwait() */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int terr = pthread_create(&st->ckpt_thread, NULL, checkpointer, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (terr) {
		sqlite3_wal_autocheckpoint(st->writer.db, CKPT_PAGES);
		return 0; /* no thread: SQLite checkpoints in COMMIT as it would */
	}
	st->ckpt_running = true;
	return 0;
}

static void checkpointer_stop(struct store *st)
{
	if (st->ckpt_running) {
		pthread_mutex_lock(&st->ckpt_lock);
		st->ckpt_stop = true;
		pthread_cond_signal(&st->ckpt_cond);
		pthread_mutex_unlock(&st->ckpt_lock);
		pthread_join(st->ckpt_thread, NULL);
		st->ckpt_running = false;
	}
	if (st->ckpt_db)
		sqlite3_close(st->ckpt_db);
	st->ckpt_db = NULL;
}

/* A read-only database is served as it is: it must not need a migration. */
static int check_read_only(struct store *st, char *why, size_t whylen)
{
	st->read_only = true;
	sqlite3_stmt *q = NULL;
	int have = 0; /* no migrations table: an empty or foreign database */
	if (sqlite3_prepare_v2(st->writer.db, "SELECT max(version) FROM schema_migrations", -1, &q,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		have = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	int want = store_migrations[store_migrations_count - 1].version;
	if (have != want) {
		snprintf(why, whylen,
			 "database '%s' is read-only and at schema version %d, not %d: "
			 "make it writable to migrate it",
			 st->path, have, want);
		return ERR_READ_ONLY;
	}
	/* opened immutable, SQLite would not read a log left by a crash: the
	 * last acknowledged writes would seem lost */
	char wal[4096];
	struct stat sb;
	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	if (stat(wal, &sb) == 0 && sb.st_size > 0) {
		snprintf(why, whylen,
			 "database '%s' is read-only and its write-ahead log '%s' still holds "
			 "writes: make it writable once so they are applied",
			 st->path, wal);
		return ERR_READ_ONLY;
	}
	st->schema_version = have;
	log_warn("database '%s' is read-only: serving reads, refusing writes", st->path);
	return 0;
}

/*
 * Writes are made durable by an fdatasync of the WAL (group_sync): the
 * database must be in WAL mode. Where SQLite cannot use WAL (an in-memory
 * database, a file system without shared memory), COMMIT syncs by itself
 * with synchronous=FULL and group_sync has nothing to do.
 */
static int wal_check(struct store *st, char *why, size_t whylen)
{
	sqlite3_stmt *q = sq_prep(&st->writer, "PRAGMA journal_mode");
	bool wal = sqlite3_step(q) == SQLITE_ROW &&
		   !strcmp((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_reset(q);
	if (wal) {
		/* SQLite's own (absolute) name of the file it opened */
		const char *db = sqlite3_db_filename(st->writer.db, "main");
		size_t n = strlen(db && *db ? db : st->path) + 5;
		st->wal_path = xmalloc(n);
		snprintf(st->wal_path, n, "%s-wal", db && *db ? db : st->path);
		st->wal_mode = true;
		return 0;
	}
	if (exec(&st->writer, "PRAGMA synchronous=FULL")) {
		snprintf(why, whylen, "cannot configure database '%s'", st->path);
		return ERR_DB;
	}
	return 0;
}

int store_open(const char *path, int readers, struct store **out, char *why, size_t whylen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	struct store *st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	pthread_mutex_init(&st->wlock, NULL);
	pthread_mutex_init(&st->rlock, NULL);
	pthread_cond_init(&st->rcond, NULL);
	pthread_mutex_init(&st->ckpt_lock, NULL);
	pthread_mutex_init(&st->totals_lock, NULL);
	pthread_mutex_init(&st->sync_lock, NULL);
	pthread_cond_init(&st->sync_cond, NULL);
	st->wal_fd = -1;
	pthread_cond_init(&st->ckpt_cond, NULL);
	bool ro;
	int err = conn_open(&st->writer, path, true, &ro, why, whylen);
	if (!err && ro) {
		err = check_read_only(st, why, whylen);
	} else if (!err && !(err = migrate(st, why, whylen))) {
		sqlite3_stmt *q = sq_prep(&st->writer, "SELECT CAST(value AS INTEGER) FROM meta "
						       "WHERE key = 'fts_max_id'");
		if (sqlite3_step(q) == SQLITE_ROW)
			st->fts_max = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		err = wal_check(st, why, whylen);
		if (!err)
			err = checkpointer_start(st, why, whylen);
	}
	if (err) {
		store_close(st);
		return err;
	}
	st->nreaders = readers < 1 ? 1 : readers;
	st->readers = xcalloc((size_t)st->nreaders, sizeof(struct conn));
	st->busy = xcalloc((size_t)st->nreaders, sizeof(bool));
	for (int i = 0; i < st->nreaders; i++) {
		if ((err = conn_open(&st->readers[i], path, false, &ro, why, whylen))) {
			st->nreaders = i;
			store_close(st);
			return err;
		}
	}
	*out = st;
	return 0;
}

bool store_read_only(const struct store *st)
{
	return st->read_only;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	checkpointer_stop(st);
	for (int i = 0; i < st->nreaders; i++)
		conn_close(&st->readers[i]);
	if (st->writer.db && !st->read_only)
		exec(&st->writer, "PRAGMA wal_checkpoint(TRUNCATE)");
	conn_close(&st->writer);
	free(st->readers);
	free(st->busy);
	pthread_mutex_destroy(&st->wlock);
	pthread_mutex_destroy(&st->rlock);
	pthread_cond_destroy(&st->rcond);
	pthread_mutex_destroy(&st->ckpt_lock);
	pthread_mutex_destroy(&st->totals_lock);
	pthread_mutex_destroy(&st->sync_lock);
	pthread_cond_destroy(&st->sync_cond);
	if (st->wal_fd >= 0)
		close(st->wal_fd);
	free(st->wal_path);
	for (size_t i = 0; i < sizeof(st->totals) / sizeof(st->totals[0]); i++)
		free(st->totals[i].key);
	pthread_cond_destroy(&st->ckpt_cond);
	free(st->path);
	free(st);
}

int store_checkpoint(struct store *st)
{
	pthread_mutex_lock(&st->wlock);
	if (st->tx_open)
		commit_batch(st); /* its writers' leader finds it committed */
	int err = exec(&st->writer, "PRAGMA wal_checkpoint(TRUNCATE)");
	pthread_mutex_unlock(&st->wlock);
	return err;
}

long long store_size(struct store *st)
{
	struct stat sb;
	long long n = 0;
	if (stat(st->path, &sb) == 0)
		n += (long long)sb.st_size;
	char wal[4096];
	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	if (stat(wal, &sb) == 0)
		n += (long long)sb.st_size;
	return n;
}

int store_schema_version(struct store *st)
{
	return st->schema_version;
}

const char *store_engine_version(void)
{
	return sqlite3_libversion();
}

/* --- helpers --- */

int sq_collect(struct arena *a, sqlite3_stmt *q, size_t item_size, sq_read_fn read, void **out,
	       size_t *n)
{
	size_t cap = 16, len = 0;
	unsigned char *v = arena_alloc(a, cap * item_size);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (len == cap) {
			unsigned char *nv = arena_alloc(a, 2 * cap * item_size);
			memcpy(nv, v, len * item_size);
			v = nv;
			cap *= 2;
		}
		memset(v + len * item_size, 0, item_size);
		read(a, q, v + len * item_size);
		len++;
	}
	sqlite3_reset(q);
	*out = v;
	*n = len;
	return rc == SQLITE_DONE ? 0 : sq_map_rc(rc, sqlite3_db_handle(q));
}

int sq_get_scoped(struct store *st, struct arena *a, const char *sql, long long id,
		  const struct scope *sc, sq_read_fn read, void *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q;
	int err = sq_prepare(c, sql, &q);
	if (!err) {
		sqlite3_bind_int64(q, 1, id);
		sq_bind_scope(a, q, 2, sc);
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			read(a, q, out);
		else
			err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
		sqlite3_finalize(q);
	}
	sq_rrelease(st, c);
	return err;
}

const char *sq_col_text(struct arena *a, sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(q, i)) : "";
}

static void col_copy(char *dst, size_t size, sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	str_copy(dst, size, t ? (const char *)t : "");
}

/* binds the scope as ?lo, ?hi (NULLs for an unscoped query) */
void sq_bind_range(struct arena *a, sqlite3_stmt *q, int lo, const char *prefix)
{
	if (!prefix) {
		sqlite3_bind_null(q, lo);
		sqlite3_bind_null(q, lo + 1);
		return;
	}
	size_t n = strlen(prefix);
	char *hi = arena_strndup(a, prefix, n);
	if (n && hi[n - 1] == '/')
		hi[n - 1] = '0';
	sqlite3_bind_text(q, lo, prefix, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, lo + 1, hi, -1, SQLITE_TRANSIENT);
}

void sq_bind_scope(struct arena *a, sqlite3_stmt *q, int lo, const struct scope *sc)
{
	/* the bounds are the one decision's (domain/authz.c) */
	const char *from, *to;
	if (!authz_scope_range(a, sc, &from, &to)) {
		sqlite3_bind_null(q, lo);
		sqlite3_bind_null(q, lo + 1);
		return;
	}
	sqlite3_bind_text(q, lo, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, lo + 1, to, -1, SQLITE_TRANSIENT);
}

void sq_bind_event_scope(struct arena *a, sqlite3_stmt *q, int lo, const struct scope *sc)
{
	sq_bind_scope(a, q, lo, sc);
	if (authz_scope_self(sc))
		sqlite3_bind_int64(q, lo + 2, authz_scope_self(sc));
	else
		sqlite3_bind_null(q, lo + 2);
}

/* --- orgs --- */

#define ORG_COLS                                                                            \
	"o.code, coalesce(o.parent_code, ''), o.kind, o.name, o.name_en, o.path, o.depth, " \
	"(SELECT count(*) FROM orgs c WHERE c.parent_code = o.code)"

static void read_org(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct org *o = item;
	memset(o, 0, sizeof(*o));
	col_copy(o->code, sizeof(o->code), q, 0);
	col_copy(o->parent, sizeof(o->parent), q, 1);
	enum org_kind k = ORG_GRID;
	org_kind_parse((const char *)sqlite3_column_text(q, 2), &k);
	o->kind = k;
	o->name = sq_col_text(a, q, 3);
	o->name_en = sq_col_text(a, q, 4);
	o->path = sq_col_text(a, q, 5);
	o->depth = sqlite3_column_int(q, 6);
	o->children = sqlite3_column_int(q, 7);
}

int store_org_put(struct store *st, const struct org *o)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	char path[512];
	int depth = 0;
	if (*o->parent) {
		sqlite3_stmt *q = sq_prep(w, "SELECT path, depth FROM orgs WHERE code = ?1");
		sqlite3_bind_text(q, 1, o->parent, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_ROW) {
			sqlite3_reset(q);
			return sq_wend(st, ERR_NOT_FOUND);
		}
		snprintf(path, sizeof(path), "%s%s/", (const char *)sqlite3_column_text(q, 0),
			 o->code);
		depth = sqlite3_column_int(q, 1) + 1;
		sqlite3_reset(q);
	} else {
		snprintf(path, sizeof(path), "/%s/", o->code);
	}
	sqlite3_stmt *q = sq_prep(w, "SELECT path FROM orgs WHERE code = ?1");
	sqlite3_bind_text(q, 1, o->code, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(q, 0), path)) {
		/* moving a node would move its subtree: not supported, say so */
		sqlite3_reset(q);
		return sq_wend(st, ERR_CONFLICT);
	}
	sqlite3_reset(q);
	q = sq_prep(w, "INSERT INTO orgs (code, parent_code, kind, name, name_en, path, depth, "
		       "created_at) VALUES (?1, nullif(?2, ''), ?3, ?4, ?5, ?6, ?7, ?8) "
		       "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
		       "name_en = excluded.name_en WHERE kind = excluded.kind");
	sqlite3_bind_text(q, 1, o->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, o->parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, org_kind_name(o->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, o->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, o->name_en ? o->name_en : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, path, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 7, depth);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)time(NULL));
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE && sqlite3_changes(w->db) == 0)
		return sq_wend(st, ERR_CONFLICT); /* same code, other kind */
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_org_get(struct store *st, struct arena *a, const struct scope *sc, const char *code,
		  struct org *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT " ORG_COLS
			   " FROM orgs o WHERE o.code = ?1 AND " SCOPE_SQL("o.path", "?2", "?3"));
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	sq_bind_scope(a, q, 2, sc);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_org(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

static int collect_orgs(struct arena *a, sqlite3_stmt *q, struct org **out, size_t *n)
{
	void *items;
	int err = sq_collect(a, q, sizeof(struct org), read_org, &items, n);
	*out = items;
	return err;
}

int store_org_children(struct store *st, struct arena *a, const struct scope *sc, const char *code,
		       struct org **out, size_t *n)
{
	struct org parent;
	int err = store_org_get(st, a, sc, code, &parent);
	if (err)
		return err;
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " ORG_COLS
				     " FROM orgs o WHERE o.parent_code = ?1 AND " SCOPE_SQL(
					     "o.path", "?2", "?3") " ORDER BY o.code");
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	sq_bind_scope(a, q, 2, sc);
	err = collect_orgs(a, q, out, n);
	sq_rrelease(st, c);
	return err;
}

int store_org_subtree(struct store *st, struct arena *a, const struct scope *sc, const char *code,
		      int max_depth, struct org **out, size_t *n)
{
	struct org root;
	int err = store_org_get(st, a, sc, code, &root);
	if (err)
		return err;
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT " ORG_COLS " FROM orgs o WHERE o.path >= ?1 AND o.path < ?2 "
			   "AND (?3 < 0 OR o.depth <= ?3) AND " SCOPE_SQL("o.path", "?4",
									  "?5") " ORDER BY o.path");
	sq_bind_range(a, q, 1, root.path);
	/* the tree is a few levels deep: anything past 64 means "all" */
	sqlite3_bind_int(q, 3, max_depth < 0 || max_depth > 64 ? -1 : root.depth + max_depth);
	sq_bind_scope(a, q, 4, sc);
	err = collect_orgs(a, q, out, n);
	sq_rrelease(st, c);
	return err;
}

int store_org_root(struct store *st, struct arena *a, struct org *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT " ORG_COLS " FROM orgs o WHERE o.depth = 0 "
				     "AND o.kind = 'district' ORDER BY o.code LIMIT 1");
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_org(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_org_counts(struct store *st, long long counts[ORG__COUNT])
{
	memset(counts, 0, sizeof(long long) * ORG__COUNT);
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT kind, count(*) FROM orgs GROUP BY kind");
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		enum org_kind k;
		if (!org_kind_parse((const char *)sqlite3_column_text(q, 0), &k))
			counts[k] = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return rc == SQLITE_DONE ? 0 : ERR_DB;
}

/* --- grids --- */

int store_grid_put(struct store *st, const char *code, const void *geom, size_t geom_len,
		   const char *geojson, double minx, double miny, double maxx, double maxy,
		   double area_m2)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(
		w,
		"INSERT INTO grids (org_id, geom, geojson, minx, miny, maxx, maxy, area_m2) "
		"SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM orgs WHERE code = ?1 AND kind = 'grid' "
		"ON CONFLICT (org_id) DO UPDATE SET geom = excluded.geom, geojson = "
		"excluded.geojson, "
		"minx = excluded.minx, miny = excluded.miny, maxx = excluded.maxx, "
		"maxy = excluded.maxy, area_m2 = excluded.area_m2");
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, geom, (int)geom_len, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, geojson, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 4, minx);
	sqlite3_bind_double(q, 5, miny);
	sqlite3_bind_double(q, 6, maxx);
	sqlite3_bind_double(q, 7, maxy);
	sqlite3_bind_double(q, 8, area_m2);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE && sqlite3_changes(w->db) == 0)
		return sq_wend(st, ERR_NOT_FOUND);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

#define GRID_SELECT                                                                              \
	"SELECT " ORG_COLS ", coalesce(cm.name, ''), coalesce(sr.name, ''), g.geom, g.geojson, " \
	"g.area_m2 FROM grids g JOIN orgs o ON o.id = g.org_id "                                 \
	"LEFT JOIN orgs cm ON cm.code = o.parent_code "                                          \
	"LEFT JOIN orgs sr ON sr.code = cm.parent_code "

static void read_grid(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct grid *g = item;
	read_org(a, q, &g->org);
	g->community = sq_col_text(a, q, 8);
	g->street = sq_col_text(a, q, 9);
	g->geom_len = (size_t)sqlite3_column_bytes(q, 10);
	void *p = arena_alloc(a, g->geom_len);
	if (g->geom_len)
		memcpy(p, sqlite3_column_blob(q, 10), g->geom_len);
	g->geom = p;
	g->geojson = sq_col_text(a, q, 11);
	g->area_m2 = sqlite3_column_double(q, 12);
}

int store_grid_list(struct store *st, struct arena *a, const struct scope *sc, const char *code,
		    struct grid **out, size_t *n)
{
	struct org root;
	int err = store_org_get(st, a, sc, code, &root);
	if (err)
		return err;
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, GRID_SELECT "WHERE o.path >= ?1 AND o.path < ?2 AND " SCOPE_SQL(
				   "o.path", "?3", "?4") " ORDER BY o.code");
	sq_bind_range(a, q, 1, root.path);
	sq_bind_scope(a, q, 3, sc);
	void *items;
	err = sq_collect(a, q, sizeof(struct grid), read_grid, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

int store_grid_each(struct store *st,
		    void (*fn)(void *ctx, int64_t id, const char *code, const void *geom,
			       size_t len),
		    void *ctx)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT g.org_id, o.code, g.geom FROM grids g "
				     "JOIN orgs o ON o.id = g.org_id ORDER BY g.org_id");
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
		   sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2));
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return rc == SQLITE_DONE ? 0 : ERR_DB;
}

int store_grid_by_id(struct store *st, struct arena *a, const struct scope *sc, int64_t id,
		     struct grid *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, GRID_SELECT "WHERE g.org_id = ?1 AND " SCOPE_SQL("o.path", "?2", "?3"));
	sqlite3_bind_int64(q, 1, id);
	sq_bind_scope(a, q, 2, sc);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_grid(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_grid_place(struct store *st, struct arena *a, int64_t id, const char **code,
		     const char **path)
{
	struct conn *c = sq_racquire(st);
	/* the boundary columns are never read: no overflow pages */
	sqlite3_stmt *q = sq_prep(c, "SELECT o.code, o.path FROM orgs o WHERE o.id = ?1 AND "
				     "EXISTS (SELECT 1 FROM grids g WHERE g.org_id = ?1)");
	sqlite3_bind_int64(q, 1, id);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW) {
		*code = sq_col_text(a, q, 0);
		*path = sq_col_text(a, q, 1);
	} else {
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

/* --- users --- */

#define USER_SELECT                                                                          \
	"SELECT u.id, u.username, u.display_name, o.code, o.path, o.kind, u.password_hash, " \
	"u.disabled, u.failed_logins, u.locked_until, u.password_changed_at, u.created_at, " \
	"(SELECT group_concat(role) FROM user_roles r WHERE r.user_id = u.id) "              \
	"FROM users u JOIN orgs o ON o.id = u.org_id "

static void read_user(struct arena *a, sqlite3_stmt *q, void *item)
{
	struct user *u = item;
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(q, 0);
	u->username = sq_col_text(a, q, 1);
	u->display_name = sq_col_text(a, q, 2);
	u->org_code = sq_col_text(a, q, 3);
	u->org_path = sq_col_text(a, q, 4);
	enum org_kind k = ORG_GRID;
	org_kind_parse((const char *)sqlite3_column_text(q, 5), &k);
	u->org_kind = k;
	u->password_hash = sq_col_text(a, q, 6);
	u->disabled = sqlite3_column_int(q, 7) != 0;
	u->failed_logins = sqlite3_column_int(q, 8);
	u->locked_until = sqlite3_column_int64(q, 9);
	u->password_changed_at = sqlite3_column_int64(q, 10);
	u->created_at = sqlite3_column_int64(q, 11);
	const char *roles = (const char *)sqlite3_column_text(q, 12);
	char why[64];
	if (roles && role_parse_list(roles, &u->roles, why, sizeof(why)))
		u->roles = 0;
}

int store_user_add(struct store *st, struct user *u)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q =
		sq_prep(w, "INSERT INTO users (username, display_name, org_id, password_hash, "
			   "disabled, password_changed_at, created_at) "
			   "SELECT ?1, ?2, id, ?4, ?5, ?6, ?6 FROM orgs WHERE code = ?3");
	sqlite3_bind_text(q, 1, u->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, u->display_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, u->org_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, u->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, u->disabled);
	sqlite3_bind_int64(q, 6, u->created_at);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	if (sqlite3_changes(w->db) == 0)
		return sq_wend(st, ERR_NOT_FOUND);
	u->id = sqlite3_last_insert_rowid(w->db);
	for (int i = 0; i < ROLE__COUNT && !err; i++) {
		if (!(u->roles & (1u << i)))
			continue;
		q = sq_prep(w, "INSERT INTO user_roles (user_id, role) VALUES (?1, ?2)");
		sqlite3_bind_int64(q, 1, u->id);
		sqlite3_bind_text(q, 2, role_name(i), -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			err = sq_map_rc(rc, w->db);
	}
	return sq_wend(st, err);
}

static int user_query(struct store *st, struct arena *a,
		      sqlite3_stmt *(*bind)(struct conn *, const void *), const void *arg,
		      struct user *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = bind(c, arg);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_user(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

static sqlite3_stmt *by_name(struct conn *c, const void *arg)
{
	sqlite3_stmt *q = sq_prep(c, USER_SELECT "WHERE u.username = ?1");
	sqlite3_bind_text(q, 1, arg, -1, SQLITE_STATIC);
	return q;
}

static sqlite3_stmt *by_id(struct conn *c, const void *arg)
{
	sqlite3_stmt *q = sq_prep(c, USER_SELECT "WHERE u.id = ?1");
	sqlite3_bind_int64(q, 1, *(const long long *)arg);
	return q;
}

int store_user_get_by_name(struct store *st, struct arena *a, const char *username,
			   struct user *out)
{
	return user_query(st, a, by_name, username, out);
}

int store_user_get(struct store *st, struct arena *a, long long id, struct user *out)
{
	return user_query(st, a, by_id, &id, out);
}

int store_user_get_scoped(struct store *st, struct arena *a, const struct scope *sc, long long id,
			  struct user *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, USER_SELECT "WHERE u.id = ?3 AND " SCOPE_SQL("o.path", "?1", "?2"));
	sq_bind_scope(a, q, 1, sc);
	sqlite3_bind_int64(q, 3, id);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		read_user(a, q, out);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_user_list(struct store *st, struct arena *a, const struct scope *sc, struct user **out,
		    size_t *n)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, USER_SELECT
				  "WHERE " SCOPE_SQL("o.path", "?1", "?2") " ORDER BY u.username");
	sq_bind_scope(a, q, 1, sc);
	void *items;
	int err = sq_collect(a, q, sizeof(struct user), read_user, &items, n);
	sq_rrelease(st, c);
	*out = items;
	return err;
}

static int update_user(struct store *st, const char *sql, long long id, const char *text,
		       long long a1, long long a2)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, sql);
	sqlite3_bind_int64(q, 1, id);
	if (text)
		sqlite3_bind_text(q, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(q, 2, a1);
	sqlite3_bind_int64(q, 3, a2);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE && sqlite3_changes(w->db) == 0)
		return sq_wend(st, ERR_NOT_FOUND);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_user_set_password(struct store *st, long long id, const char *hash, long long now)
{
	return update_user(st,
			   "UPDATE users SET password_hash = ?2, password_changed_at = ?3, "
			   "failed_logins = 0, locked_until = 0 WHERE id = ?1",
			   id, hash, 0, now);
}

int store_user_set_roles(struct store *st, long long id, unsigned roles)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "DELETE FROM user_roles WHERE user_id = ?1");
	sqlite3_bind_int64(q, 1, id);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_wend(st, sq_map_rc(rc, w->db));
	for (int i = 0; i < ROLE__COUNT && !err; i++) {
		if (!(roles & (1u << i)))
			continue;
		q = sq_prep(w, "INSERT INTO user_roles (user_id, role) VALUES (?1, ?2)");
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_text(q, 2, role_name(i), -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			err = sq_map_rc(rc, w->db);
	}
	return sq_wend(st, err);
}

int store_user_set_disabled(struct store *st, long long id, bool disabled)
{
	return update_user(st, "UPDATE users SET disabled = ?2 WHERE id = ?1 AND ?3 = ?3", id, NULL,
			   disabled, 0);
}

int store_user_login_failed(struct store *st, long long id, long long now, int threshold,
			    long long lock_seconds, bool *locked)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(
		w,
		"UPDATE users SET "
		"locked_until = CASE WHEN failed_logins + 1 >= ?2 THEN ?3 ELSE locked_until END, "
		"failed_logins = CASE WHEN failed_logins + 1 >= ?2 THEN 0 ELSE failed_logins + 1 "
		"END "
		"WHERE id = ?1 RETURNING locked_until");
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int(q, 2, threshold);
	sqlite3_bind_int64(q, 3, now + lock_seconds);
	int rc = sqlite3_step(q);
	bool found = rc == SQLITE_ROW;
	*locked = found && sqlite3_column_int64(q, 0) > now;
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE && !found)
		return sq_wend(st, ERR_NOT_FOUND);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_user_login_ok(struct store *st, long long id)
{
	return update_user(
		st, "UPDATE users SET failed_logins = 0 WHERE id = ?1 AND ?2 = ?2 AND ?3 = ?3", id,
		NULL, 0, 0);
}

/* --- sessions --- */

int store_session_add(struct store *st, const char *token_hash, long long user_id, long long now,
		      long long expires_at, const char *ip)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	/* drop this user's expired sessions while we are here */
	sqlite3_stmt *q =
		sq_prep(w, "DELETE FROM sessions WHERE user_id = ?1 AND expires_at <= ?2");
	sqlite3_bind_int64(q, 1, user_id);
	sqlite3_bind_int64(q, 2, now);
	sqlite3_step(q);
	sqlite3_reset(q);
	q = sq_prep(
		w,
		"INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at, ip) "
		"VALUES (?1, ?2, ?3, ?3, ?4, ?5)");
	sqlite3_bind_text(q, 1, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, user_id);
	sqlite3_bind_int64(q, 3, now);
	sqlite3_bind_int64(q, 4, expires_at);
	sqlite3_bind_text(q, 5, ip ? ip : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_session_get(struct store *st, struct arena *a, const char *token_hash,
		      struct session *out)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q =
		sq_prep(c, "SELECT user_id, created_at, last_seen, expires_at, stage FROM sessions "
			   "WHERE token_hash = ?1");
	sqlite3_bind_text(q, 1, token_hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW) {
		out->token_hash = arena_strdup(a, token_hash);
		out->user_id = sqlite3_column_int64(q, 0);
		out->created_at = sqlite3_column_int64(q, 1);
		out->last_seen = sqlite3_column_int64(q, 2);
		out->expires_at = sqlite3_column_int64(q, 3);
		out->stage = sqlite3_column_int(q, 4);
	} else {
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	}
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

static int session_write(struct store *st, const char *sql, const char *token_hash, long long id,
			 long long now)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, sql);
	if (token_hash)
		sqlite3_bind_text(q, 1, token_hash, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, now);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}

int store_session_touch(struct store *st, const char *token_hash, long long now)
{
	return session_write(st, "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1",
			     token_hash, 0, now);
}

int store_session_delete(struct store *st, const char *token_hash)
{
	return session_write(st, "DELETE FROM sessions WHERE token_hash = ?1 AND ?2 = ?2",
			     token_hash, 0, 0);
}

int store_session_delete_user(struct store *st, long long user_id)
{
	return session_write(st, "DELETE FROM sessions WHERE user_id = ?1 AND ?2 = ?2", NULL,
			     user_id, 0);
}

/* --- meta --- */

int store_meta_get(struct store *st, struct arena *a, const char *key, const char **value)
{
	struct conn *c = sq_racquire(st);
	sqlite3_stmt *q = sq_prep(c, "SELECT value FROM meta WHERE key = ?1");
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q), err = 0;
	if (rc == SQLITE_ROW)
		*value = sq_col_text(a, q, 0);
	else
		err = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_map_rc(rc, c->db);
	sqlite3_reset(q);
	sq_rrelease(st, c);
	return err;
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
	int err = sq_wbegin(st);
	if (err)
		return err;
	struct conn *w = &st->writer;
	sqlite3_stmt *q = sq_prep(w, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
				     "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return sq_wend(st, rc == SQLITE_DONE ? 0 : sq_map_rc(rc, w->db));
}
