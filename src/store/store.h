/*
 * store.h - the narrow interface to persistence.
 *
 * Nothing outside src/store sees SQL or a database handle: domain code calls
 * these functions with plain structs, and a PostgreSQL backend can implement
 * the same header. Writes go through one writer connection (serialised by a
 * lock); reads use a small pool of reader connections, so readers never wait
 * for writers (WAL).
 *
 * Scope: every function that reads org-owned data takes a `const struct
 * scope *` and answers only inside it; an object outside the scope is
 * reported as ERR_NOT_FOUND, exactly like a missing one.
 *
 * Memory: strings in returned structs are allocated from the caller's arena.
 * Errors: 0 or negative ERR_* (ERR_NOT_FOUND, ERR_CONFLICT, ERR_DB,
 * ERR_NO_SPACE, ERR_UNAVAILABLE for a read-only or busy database).
 */
#ifndef PINGAN_STORE_STORE_H
#define PINGAN_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/calendar.h"
#include "core/pii.h"
#include "domain/event_types.h"
#include "domain/org.h"

struct store;

/* Opens (creating if needed) the database at path, applies pending
 * migrations and opens `readers` reader connections. why gets a message. */
int store_open(const char *path, int readers, struct store **out, char *why, size_t whylen);
/* Checkpoints the WAL and closes every connection. NULL is a no-op. */
void store_close(struct store *st);
/* Full WAL checkpoint (TRUNCATE). */
int store_checkpoint(struct store *st);
/* Database file size in bytes (main file plus WAL). */
long long store_size(struct store *st);
/* Schema version applied (highest migration). */
int store_schema_version(struct store *st);
/* SQLite library version string, for /healthz. */
const char *store_engine_version(void);

/* Groups several writes in one transaction on the writer connection. Other
 * writers wait until store_commit/store_rollback. Calls nest: an inner
 * begin/commit is a savepoint, and an inner rollback undoes only its part. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/* --- orgs --- */
/* Inserts or updates an org; its path and depth are computed from the
 * parent, which must exist (ERR_NOT_FOUND otherwise). */
int store_org_put(struct store *st, const struct org *o);
int store_org_get(struct store *st, struct arena *a, const struct scope *sc, const char *code,
		  struct org *out);
/* Direct children in code order. */
int store_org_children(struct store *st, struct arena *a, const struct scope *sc, const char *code,
		       struct org **out, size_t *n);
/* The subtree under code (itself included), down to max_depth levels below
 * it (-1: all), in path order. */
int store_org_subtree(struct store *st, struct arena *a, const struct scope *sc, const char *code,
		      int max_depth, struct org **out, size_t *n);
/* The root of the tree (the district), ERR_NOT_FOUND in an empty database. */
int store_org_root(struct store *st, struct arena *a, struct org *out);
/* Counts orgs by kind into counts[ORG__COUNT] (unscoped; for the CLI). */
int store_org_counts(struct store *st, long long counts[ORG__COUNT]);

/* --- grids --- */
struct grid {
	struct org org;        /* the grid's org node */
	const char *community; /* names, for display */
	const char *street;
	const void *geom; /* geo_shape_encode() bytes */
	size_t geom_len;
	const char *geojson; /* the GeoJSON geometry object, as text */
	double area_m2;
};
/* Stores a grid's boundary (the org must exist and be a grid). */
int store_grid_put(struct store *st, const char *code, const void *geom, size_t geom_len,
		   const char *geojson, double minx, double miny, double maxx, double maxy,
		   double area_m2);
/* The grids inside the subtree of code. */
int store_grid_list(struct store *st, struct arena *a, const struct scope *sc, const char *code,
		    struct grid **out, size_t *n);
/* Calls fn for every grid (unscoped; builds the locate index at start). */
int store_grid_each(struct store *st,
		    void (*fn)(void *ctx, int64_t id, const char *code, const void *geom,
			       size_t len),
		    void *ctx);
/* The grid org for an index id from store_grid_each, with community and street. */
int store_grid_by_id(struct store *st, struct arena *a, const struct scope *sc, int64_t id,
		     struct grid *out);

/* --- users --- */
struct user {
	long long id;
	const char *username;
	const char *display_name;
	const char *org_code;
	const char *org_path;
	enum org_kind org_kind;
	unsigned roles;
	const char *password_hash;
	bool disabled;
	int failed_logins;
	long long locked_until;        /* unix seconds, 0 if not locked */
	long long password_changed_at; /* unix seconds */
	long long created_at;
};
/* Adds a user; sets u->id. ERR_CONFLICT if the name is taken, ERR_NOT_FOUND
 * if the org does not exist. */
int store_user_add(struct store *st, struct user *u);
int store_user_get_by_name(struct store *st, struct arena *a, const char *username,
			   struct user *out);
int store_user_get(struct store *st, struct arena *a, long long id, struct user *out);
/* Users bound inside the scope, by name. */
int store_user_list(struct store *st, struct arena *a, const struct scope *sc, struct user **out,
		    size_t *n);
int store_user_set_password(struct store *st, long long id, const char *hash, long long now);
int store_user_set_disabled(struct store *st, long long id, bool disabled);
/* Records a failed login: increments the counter and, when it reaches
 * threshold, sets locked_until = now + lock_seconds and resets the counter.
 * *locked tells whether the account is now locked. */
int store_user_login_failed(struct store *st, long long id, long long now, int threshold,
			    long long lock_seconds, bool *locked);
/* Records a successful login: clears the counter. */
int store_user_login_ok(struct store *st, long long id);

/* --- sessions --- */
struct session {
	const char *token_hash;
	long long user_id;
	long long created_at, last_seen, expires_at;
};
int store_session_add(struct store *st, const char *token_hash, long long user_id, long long now,
		      long long expires_at, const char *ip);
int store_session_get(struct store *st, struct arena *a, const char *token_hash,
		      struct session *out);
int store_session_touch(struct store *st, const char *token_hash, long long now);
int store_session_delete(struct store *st, const char *token_hash);
/* Ends every session of a user (password change, disable). */
int store_session_delete_user(struct store *st, long long user_id);

/* --- event categories --- */
/* Inserts or replaces a category (its parent must exist). */
int store_category_put(struct store *st, const struct category *c);
int store_category_get(struct store *st, struct arena *a, const char *code, struct category *out);
/* Every category, classes first, by code. */
int store_category_list(struct store *st, struct arena *a, struct category **out, size_t *n);

/* Replaces a category and records the change (JSON before/after) in the
 * same transaction. */
int store_category_change(struct store *st, const struct category *c, long long user_id,
			  long long at, const char *before, const char *after);
struct category_change {
	long long id, user_id, at;
	const char *user, *before, *after;
};
int store_category_history(struct store *st, struct arena *a, const char *code,
			   struct category_change **out, size_t *n);

/* --- events --- */
/* Inserts e (sets e->id) with its first timeline action. */
int store_event_insert(struct store *st, struct event *e, const struct event_action *first);
int store_event_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
		    struct event *out);
/* Writes e if its stored version is still `expected` (bumping it), and
 * appends act, in one transaction; ERR_CONFLICT if someone changed it first. */
int store_event_update(struct store *st, const struct event *e, int expected,
		       const struct event_action *act);
/* Newest first; *total counts every match (ignoring the cursor and limit). */
int store_event_list(struct store *st, struct arena *a, const struct scope *sc,
		     const struct event_filter *f, struct event **out, size_t *n, long long *total);
/* The timeline, oldest first. */
int store_event_actions(struct store *st, struct arena *a, long long id, struct event_action **out,
			size_t *n);
/* Events of a category created since `since`, not in a terminal state,
 * with a point inside the box (for duplicate detection). */
int store_event_nearby(struct store *st, struct arena *a, const char *category, double minx,
		       double miny, double maxx, double maxy, long long since, struct event **out,
		       size_t *n);

/* Events whose yellow warning, deadline or escalation moment has come. */
int store_event_due(struct store *st, struct arena *a, long long now, int limit, struct event **out,
		    size_t *n);

/* --- roll-ups for the cockpit --- */
struct count_row {
	const char *org_path, *state;
	long long n, overdue;
};
struct daily_row {
	long day; /* local day number */
	const char *org_path;
	long long reported, closed;
};
/* Counts by place and state under path (within the scope). */
int store_event_counts(struct store *st, struct arena *a, const struct scope *sc, const char *path,
		       struct count_row **out, size_t *n);
/* Daily reports and closures under path for days [from, to]. */
int store_event_daily(struct store *st, struct arena *a, const struct scope *sc, const char *path,
		      long from, long to, struct daily_row **out, size_t *n);

/* --- attachments --- */
/* Records an attachment of event_id (the bytes are already on disk). */
int store_attachment_add(struct store *st, struct attachment *x);
int store_attachment_get(struct store *st, long long id, struct attachment *out, struct arena *a);
int store_attachment_list(struct store *st, struct arena *a, long long event_id,
			  struct attachment **out, size_t *n);
/* Attachments added to the event since its current stage began. */
int store_attachment_count_stage(struct store *st, long long event_id, int *count);

/* --- holiday notices entered through the API --- */
/* Replaces a year's entered days (and marks the year entered). */
int store_calendar_year_set(struct store *st, int year, const struct cal_day *days, size_t n,
			    long long user_id, long long now);
/* Every entered year and its days: calls fn once per year with its days. */
int store_calendar_each_year(struct store *st, struct arena *a,
			     void (*fn)(void *ctx, int year, const struct cal_day *days, size_t n),
			     void *ctx);

/* --- webhooks --- */
int store_webhook_add(struct store *st, struct webhook *w);
/* Webhooks of departments inside the scope. */
int store_webhook_list(struct store *st, struct arena *a, const struct scope *sc,
		       struct webhook **out, size_t *n);
int store_webhook_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
		      struct webhook *out);
int store_webhook_disable(struct store *st, long long id);
/* Queues a delivery for every enabled webhook of org_code that wants kind. */
int store_webhook_enqueue(struct store *st, const char *org_code, const char *kind,
			  long long event_id, const char *payload, long long now);
/* Pending deliveries due at now, with their webhook's url and secret. */
int store_delivery_due(struct store *st, struct arena *a, long long now, int limit,
		       struct delivery **out, size_t *n);
/* Records an attempt: status "delivered", "pending" (retry at next_at) or "failed". */
int store_delivery_attempt(struct store *st, long long id, const char *status, int http_status,
			   const char *error, long long next_at, long long now);
int store_delivery_list(struct store *st, struct arena *a, long long webhook_id, int limit,
			struct delivery **out, size_t *n);

/* --- notifications (the in-app inbox) --- */
/* Notifies the enabled users holding `role` (one ROLE() bit) bound to org
 * `org_code` — or, when covering, bound anywhere above or at it. */
int store_notify(struct store *st, const char *org_code, unsigned role, bool covering,
		 const char *kind, long long event_id, const char *title, long long now);
/* Notifies one user. */
int store_notify_user(struct store *st, long long user_id, const char *kind, long long event_id,
		      const char *title, long long now);
/* Notifies the reporters of the events merged into event_id (its outcome). */
int store_notify_merged(struct store *st, long long event_id, const char *kind, const char *title,
			long long now);
/* A user's notifications, newest first; *unread counts the unread ones. */
int store_inbox(struct store *st, struct arena *a, long long user_id, bool unread_only,
		long long before_id, int limit, struct notification **out, size_t *n,
		long long *unread);
/* Marks one (id) or all (id 0) of a user's notifications read; ERR_NOT_FOUND
 * for another user's or a missing one. */
int store_inbox_read(struct store *st, long long user_id, long long id, long long now);

/* --- key/value metadata (demo markers, settings written at run time) --- */
int store_meta_get(struct store *st, struct arena *a, const char *key, const char **value);
int store_meta_set(struct store *st, const char *key, const char *value);

/* --- API keys and Open311 requests (sqlite_keys.c) --- */
struct api_key {
	long long id;
	const char *name;
	const char *jurisdiction;    /* the district code the key may report to */
	long long created_by;        /* user id, 0 if gone */
	const char *created_by_name; /* "" if gone */
	long long created_at, revoked_at, last_used_at; /* 0: never */
	long long uses;
};
/* Stores a new key by the SM3 digest of its secret; sets k->id. */
int store_api_key_add(struct store *st, struct api_key *k, const char *key_hash);
/* The key with this digest (revoked ones too: the caller decides). */
int store_api_key_by_hash(struct store *st, struct arena *a, const char *key_hash,
			  struct api_key *out);
/* Keys whose jurisdiction lies inside the scope (one, or all by id). */
int store_api_key_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
		      struct api_key *out);
int store_api_key_list(struct store *st, struct arena *a, const struct scope *sc,
		       struct api_key **out, size_t *n);
/* Sets revoked_at unless already revoked (ERR_NOT_FOUND for no such key). */
int store_api_key_revoke(struct store *st, long long id, long long now);
/* Counts a use. */
int store_api_key_used(struct store *st, long long id, long long now);
/* Records that event_id came through Open311 with key_id; personal holds
 * the bits of the citizen fields that were given (never their values). */
int store_open311_record(struct store *st, long long event_id, long long key_id, unsigned personal,
			 long long now);
/* The event with this receipt, inside the scope. */
int store_event_by_receipt(struct store *st, struct arena *a, const struct scope *sc,
			   const char *receipt, struct event *out);
/* For each of ids[0..n), the note of its newest action among `actions`
 * (comma-separated names) with a non-empty note, into notes[i] ("" when
 * none). */
int store_event_last_notes(struct store *st, struct arena *a, const long long *ids, size_t n,
			   const char *actions, const char **notes);

/* --- personal data of reporters, sealed (sqlite_pii.c) --- */
struct personal_row {
	long long event_id;
	int key_version;
	const unsigned char *v[PII__COUNT]; /* sealed fields (crypt.h), NULL when absent */
	size_t len[PII__COUNT];
	const char *phone_bidx, *id_no_bidx; /* blind indexes (hex), NULL when absent */
};
/* Inserts or replaces the row of r->event_id. */
int store_personal_put(struct store *st, const struct personal_row *r);
/* The row of an event; ERR_NOT_FOUND when the report carried none. */
int store_personal_get(struct store *st, struct arena *a, long long event_id,
		       struct personal_row *out);
/* Up to limit rows with event_id > after, in event order (rotation). */
int store_personal_batch(struct store *st, struct arena *a, long long after, int limit,
			 struct personal_row **out, size_t *n);
/* How many rows each key version sealed: versions[i] sealed counts[i]. */
int store_personal_versions(struct store *st, struct arena *a, int **versions, long long **counts,
			    size_t *n);
/* Records a read of personal data in the clear. */
int store_personal_read_log(struct store *st, long long event_id, long long user_id, long long at,
			    const char *reason, const char *fields, const char *ip);
struct personal_read {
	long long id, event_id, user_id, at;
	const char *user, *reason, *fields;
};
/* The clear reads of an event, oldest first. */
int store_personal_reads(struct store *st, struct arena *a, long long event_id,
			 struct personal_read **out, size_t *n);

#endif
