/*
 * sqlite_internal.h - what the SQLite store's files share (src/store only).
 *
 * sqlite.c owns connections, transactions and the org/user/session tables;
 * sqlite_events.c the events. Both use these helpers: cached prepared
 * statements per connection, the writer lock (sq_wbegin/sq_wend nest inside
 * store_begin/store_commit), the reader pool, result-code mapping.
 */
#ifndef PINGAN_STORE_SQLITE_INTERNAL_H
#define PINGAN_STORE_SQLITE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>

#include "domain/authz.h"
#include "store/store.h"

#define STMT_CACHE 96
#define DYN_CACHE  24

struct conn {
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	int ncache;
	/* statements whose text is built at run time (filters), by text */
	struct {
		char *sql;
		sqlite3_stmt *st;
		unsigned long long used;
	} dyn[DYN_CACHE];
	unsigned long long dyn_clock;
};

#define GROUP_RING 1024

struct store {
	char *path;
	struct conn writer;
	pthread_mutex_t wlock;
	/* group commit (see sqlite.c): the open batch, its writes, who waits */
	bool tx_open;
	/* savepoint journals in memory for short writes (store_journal_in_memory),
	 * and whether the open transaction's is */
	bool jmem, tx_mem;
	unsigned long long batch, committed;
	int batch_writes;
	_Atomic int intents; /* requests on their way to a write (store_write_intent) */
	int results[GROUP_RING];
	/* durability (sqlite.c): COMMIT writes the WAL, and one fdatasync of it
	 * outside the writer lock makes every batch committed before it durable */
	pthread_mutex_t sync_lock;
	pthread_cond_t sync_cond;
	bool wal_mode; /* false: COMMIT syncs by itself (no WAL) */
	bool syncing, sync_failed;
	unsigned long long synced; /* batches durable so far */
	int wal_fd;                /* the WAL, opened for fdatasync (-1: not yet) */
	char *wal_path;
	struct conn *readers;
	bool *busy;
	int nreaders;
	pthread_mutex_t rlock;
	pthread_cond_t rcond;
	int schema_version;
	/* the search index covers events up to fts_max (meta 'fts_max_id');
	 * the open batch brings it to fts_batch when it commits */
	long long fts_max, fts_batch;
	long long fts_at; /* when the index last took a run (monotonic ms) */
	/* commits so far (sqlite.c), and list totals valid for one count of them
	 * (sqlite_events.c) */
	_Atomic unsigned long long commits, writes, syncs;
	pthread_mutex_t totals_lock;
	struct {
		char *key; /* scope path, org, states, self id */
		unsigned long long commits;
		long long total;
	} totals[16];
	unsigned totals_next;
	/* checkpoints run on a thread of their own (sqlite.c), not in COMMIT */
	sqlite3 *ckpt_db;
	pthread_t ckpt_thread;
	bool ckpt_running, ckpt_want, ckpt_stop;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_cond;
	/* the audit chain's head as the writer sees it (sqlite_audit.c); valid
	 * only while audit_ok, re-read after a rollback or another process's write */
	bool audit_ok;
	long long audit_seq;
	char audit_hash[65];
	long long audit_dv;             /* PRAGMA data_version when the head was read */
	unsigned long long audit_batch; /* the batch the head was last checked in */
	bool read_only;                 /* opened immutable: every write is ERR_READ_ONLY */
};

/* Appends an audit record inside the caller's write (writer lock held):
 * sets r->seq, prev and hash. 0 or an error (the caller's write must fail). */
struct audit_rec;
int sq_audit_append(struct store *st, struct audit_rec *r);
/* The audit record of an event's action (a case transition). */
int sq_audit_event(struct store *st, long long event_id, const struct event_action *act);

/* SQLite result code to ERR_*. */
int sq_map_rc(int rc, sqlite3 *db);
/* The connection's cached statement for sql (a string literal), reset. */
sqlite3_stmt *sq_prep(struct conn *c, const char *sql);
/* A statement for one use (finalise it): for the rarely run ones not worth a
 * place in the connection's cache. 0, or the mapped error with *q NULL. */
int sq_prepare(struct conn *c, const char *sql, sqlite3_stmt **q);
/* The same for SQL text built at run time, kept by its text in a small
 * least-recently-used cache; NULL when it does not prepare. Reset it after use,
 * never finalise it. */
sqlite3_stmt *sq_prep_text(struct conn *c, const char *sql);
/* Starts a write (taking the writer lock) unless inside store_begin(). */
int sq_wbegin(struct store *st);
/* Ends it: commit when err is 0, else roll back; returns the outcome. */
int sq_wend(struct store *st, int err);
/* A reader connection (the writer inside store_begin()), and back. */
struct conn *sq_racquire(struct store *st);
void sq_rrelease(struct store *st, struct conn *c);
/* Runs SQL without rows on c (logged on failure): 0 or an ERR_* code. */
int sq_exec(struct conn *c, const char *sql);
/* Column text copied into the arena ("" for NULL). */
const char *sq_col_text(struct arena *a, sqlite3_stmt *q, int i);
/* Binds a path prefix as the range ?lo, ?lo+1 (NULLs: no limit). */
void sq_bind_range(struct arena *a, sqlite3_stmt *q, int lo, const char *prefix);
/* Binds a scope's range (authz_scope_range) as ?lo, ?lo+1, for SCOPE_SQL:
 * NULLs for a scope with no limit, an empty range for one holding nothing.
 * Every query of scoped data binds its scope with this; a query that also
 * shows the caller's own reports binds authz_scope_self() beside it. */
void sq_bind_scope(struct arena *a, sqlite3_stmt *q, int lo, const struct scope *sc);

/* Steps q to its end, reading each row with read(a, q, item) into a new
 * array of item_size items from a; resets q. 0 or a mapped error. */
typedef void (*sq_read_fn)(struct arena *a, sqlite3_stmt *q, void *item);
/* One row by id inside a scope, on a reader: sql (used once, not cached)
 * takes the id as ?1 and the scope's bounds as ?2 and ?3. 0, ERR_NOT_FOUND
 * (missing or outside the scope: the same answer) or a store error. */
int sq_get_scoped(struct store *st, struct arena *a, const char *sql, long long id,
		  const struct scope *sc, sq_read_fn read, void *out);
int sq_collect(struct arena *a, sqlite3_stmt *q, size_t item_size, sq_read_fn read, void **out,
	       size_t *n);

/* Grows an arena array v of len items (capacity cap) when it is full. */
#define GROW(a, v, len, cap)                                                    \
	do {                                                                    \
		if ((len) == (cap)) {                                           \
			void *nv_ = arena_alloc((a), 2 * (cap) * sizeof(*(v))); \
			memcpy(nv_, (v), (len) * sizeof(*(v)));                 \
			(v) = nv_;                                              \
			(cap) *= 2;                                             \
		}                                                               \
	} while (0)

/* "inside the range bound at lo, hi, or no range": the scope clause of
 * every query of scoped data, bound with sq_bind_scope() */
#define SCOPE_SQL(col, lo, hi) "(" lo " IS NULL OR (" col " >= " lo " AND " col " < " hi "))"
/* For rows that belong to an event (timeline, attachments, clear reads):
 * "the event idcol is inside the scope bound at lo, lo+1, or was reported by
 * the user bound at lo+2", bound with sq_bind_event_scope(). */
#define EVENT_SCOPE_SQL(idcol, lo, hi, self)                 \
	"EXISTS (SELECT 1 FROM events s WHERE s.id = " idcol \
	" AND (" SCOPE_SQL("s.org_path", lo, hi) " OR s.reporter_id = " self "))"
void sq_bind_event_scope(struct arena *a, sqlite3_stmt *q, int lo, const struct scope *sc);

#endif
