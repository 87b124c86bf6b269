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
 * scope *` and answers only inside it, binding the bounds the authorization
 * decision gives (authz_scope_range, domain/authz.h) into its SQL; an object
 * outside the scope is reported as ERR_NOT_FOUND, exactly like a missing one.
 * NULL or `.all` is no limit: the server's own reads.
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
#include "domain/audit.h"
#include "domain/event_types.h"
#include "domain/org.h"

struct store;

/* Opens (creating if needed) the database at path, applies pending
 * migrations and opens `readers` reader connections. why gets a message. */
int store_open(const char *path, int readers, struct store **out, char *why, size_t whylen);
/* Checkpoints the WAL and closes every connection. NULL is a no-op. */
/* Whether the database was opened read-only (writes answer ERR_READ_ONLY). */
bool store_read_only(const struct store *st);
void store_close(struct store *st);
/* Full WAL checkpoint (TRUNCATE). */
int store_checkpoint(struct store *st);
/* Database file size in bytes (main file plus WAL). */
long long store_size(struct store *st);
/* Schema version applied (highest migration). */
int store_schema_version(struct store *st);
/* SQLite library version string, for /healthz. */
const char *store_engine_version(void);

/* The calling thread is about to run a request that may write: until its
 * first write begins (or store_write_intent_end), a group of writes about
 * to commit waits a moment for it, so that both share one commit. */
void store_write_intent(struct store *st);
void store_write_intent_end(struct store *st);
/* Durable writes so far, the commits that held them, and the WAL flushes
 * that made them durable (writes / commits is the mean group). */
void store_group_stats(struct store *st, unsigned long long *writes, unsigned long long *commits,
		       unsigned long long *syncs);

/* Groups several writes in one transaction on the writer connection. Other
 * writers wait until store_commit/store_rollback. Calls nest: an inner
 * begin/commit is a savepoint, and an inner rollback undoes only its part. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);
/* store_begin() for a write that changes many rows (an import, a demo, an
 * assessment run): its savepoint journal goes to a temporary file, whatever
 * store_journal_in_memory() says. Inside a transaction, store_begin(). */
int store_begin_bulk(struct store *st);
/* Keeps the savepoint journals of writes begun otherwise in memory (off by
 * default): for a server, whose writes are short. */
void store_journal_in_memory(struct store *st, bool on);

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
/* The code and path of the grid with index id `id` (in the arena), without
 * its boundary: what a report located into it needs. ERR_NOT_FOUND: none. */
int store_grid_place(struct store *st, struct arena *a, int64_t id, const char **code,
		     const char **path);

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
/* The user if bound inside the scope: ERR_NOT_FOUND for a missing user and
 * for one outside alike (administration of other users goes through this). */
int store_user_get_scoped(struct store *st, struct arena *a, const struct scope *sc, long long id,
			  struct user *out);
/* Users bound inside the scope, by name. */
int store_user_list(struct store *st, struct arena *a, const struct scope *sc, struct user **out,
		    size_t *n);
int store_user_set_password(struct store *st, long long id, const char *hash, long long now);
int store_user_set_disabled(struct store *st, long long id, bool disabled);
/* Replaces a user's roles with the mask. */
int store_user_set_roles(struct store *st, long long id, unsigned roles);
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
	int stage; /* AUTH_STAGE_*: what the session may do */
};
int store_session_add(struct store *st, const char *token_hash, long long user_id, long long now,
		      long long expires_at, const char *ip);
int store_session_get(struct store *st, struct arena *a, const char *token_hash,
		      struct session *out);
int store_session_touch(struct store *st, const char *token_hash, long long now);
int store_session_delete(struct store *st, const char *token_hash);
/* Ends every session of a user (password change, disable). */
int store_session_delete_user(struct store *st, long long user_id);
/* Sets what a session may do (sqlite_auth.c). ERR_NOT_FOUND if it is gone. */
int store_session_set_stage(struct store *st, const char *token_hash, int stage);

/* --- second factors (sqlite_auth.c) --- */
struct totp_row {
	long long user_id;
	const char *algorithm; /* "sha1" or "sm3" */
	const char *secret;    /* base32, or "sealed:" and the hex of a crypt_seal()ed base32 */
	bool enabled;          /* false: enrolment started, not yet confirmed */
	long long last_step;   /* the last time step a code was accepted for */
	long long created_at, enabled_at;
};
/* A user's TOTP row; ERR_NOT_FOUND if none. */
int store_totp_get(struct store *st, struct arena *a, long long user_id, struct totp_row *out);
/* Starts (or restarts) an enrolment with a new pending secret. ERR_CONFLICT
 * if the user has an enabled one (reset it first), ERR_NOT_FOUND for no such
 * user. */
int store_totp_begin(struct store *st, long long user_id, const char *algorithm, const char *secret,
		     long long now);
/* Enables the pending secret and records step as used. ERR_CONFLICT if
 * there is no pending secret. */
int store_totp_enable(struct store *st, long long user_id, long long step, long long now);
/* Records step as used, atomically, only if it is later than the last used
 * step: ERR_CONFLICT when it is not (a replayed code). */
int store_totp_use(struct store *st, long long user_id, long long step);
/* Replaces the stored form of a user's secret (sealing, re-sealing). */
int store_totp_set_secret(struct store *st, long long user_id, const char *secret);
/* Every TOTP row (user_id and secret filled), for re-sealing. */
int store_totp_all(struct store *st, struct arena *a, struct totp_row **out, size_t *n);
/* Removes a user's secret (reset by a security administrator).
 * ERR_NOT_FOUND if there was none. */
int store_totp_delete(struct store *st, long long user_id);

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
/* The timeline of an event inside the scope (none outside it), oldest first. */
int store_event_actions(struct store *st, struct arena *a, const struct scope *sc, long long id,
			struct event_action **out, size_t *n);
/* Events of a category created since `since`, not in a terminal state,
 * with a point inside the box, inside the scope (for duplicate detection):
 * the newest twenty, newest first. With a probe (NULL: none), an event it
 * knows comes as its rendering (struct event's cached), with its point. */
int store_event_nearby(struct store *st, struct arena *a, const struct scope *sc,
		       const char *category, double minx, double miny, double maxx, double maxy,
		       long long since, const struct event_probe *probe, struct event **out,
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
/* An attachment of an event inside the scope (ERR_NOT_FOUND otherwise), and
 * an event's attachments (none outside the scope). */
int store_attachment_get(struct store *st, struct arena *a, const struct scope *sc, long long id,
			 struct attachment *out);
int store_attachment_list(struct store *st, struct arena *a, const struct scope *sc,
			  long long event_id, struct attachment **out, size_t *n);
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
/* Replaces a webhook's stored secret (sealed, see domain/webhook.h). */
int store_webhook_set_secret(struct store *st, long long id, const char *secret);
/* Every webhook (id and stored secret only), for re-sealing. */
int store_webhook_secrets(struct store *st, struct arena *a, struct webhook **out, size_t *n);
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
/* Notifies the enabled users holding `role` bound to the org `org_code`
 * itself (not below it), except those also holding `unless` (0: none; both
 * one ROLE() bit each). *count (may be NULL) gets how many were notified. */
int store_notify_org(struct store *st, const char *org_code, unsigned role, unsigned unless,
		     const char *kind, long long event_id, const char *title, long long now,
		     int *count);
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
/* The clear reads of an event inside the scope (none outside it), oldest first. */
int store_personal_reads(struct store *st, struct arena *a, const struct scope *sc,
			 long long event_id, struct personal_read **out, size_t *n);
/* --- the web application (sqlite_ui.c) --- */
struct saved_filter {
	long long id;
	const char *name, *query; /* query: the list's query string, without '?' */
	long long created_at;
};
/* A user's saved filters, by name. */
int store_filter_list(struct store *st, struct arena *a, long long user_id,
		      struct saved_filter **out, size_t *n);
/* Adds one (sets f->id) unless the user has max already (*full, ERR_CONFLICT);
 * ERR_CONFLICT also when the name is taken. */
int store_filter_add(struct store *st, long long user_id, struct saved_filter *f, int max,
		     bool *full);
/* ERR_NOT_FOUND for another user's or a missing one. */
int store_filter_delete(struct store *st, long long user_id, long long id);
/* The event a reporter filed with this client id (ERR_NOT_FOUND: none). */
int store_event_by_client(struct store *st, long long reporter_id, const char *client_id,
			  long long *event_id);
/* Records it (ERR_CONFLICT if the pair exists). */
int store_event_client_add(struct store *st, long long reporter_id, const char *client_id,
			   long long event_id, long long now);
/* Records that event_id came through the public form, with the contact given. */
int store_public_report_add(struct store *st, long long event_id, const char *contact,
			    long long now);
/* Sets the SHA-256 (hex) of a public report's photo token. */
int store_public_photo_token(struct store *st, long long event_id, const char *hash);
/* Counts one more photo of the public report whose token has this hash,
 * filed at or after since, while it has fewer than max: 0 with *count the
 * new number; ERR_NOT_FOUND (no such report and token, or too late) or
 * ERR_CONFLICT (max reached). In the caller's transaction if any. */
int store_public_photo_claim(struct store *st, long long event_id, const char *hash,
			     long long since, long long max, long long *count);
/* The contact given with a public report (ERR_NOT_FOUND: not one). */
int store_public_contact(struct store *st, struct arena *a, long long event_id,
			 const char **contact);
struct assignee_row {
	const char *org_path, *assignee; /* assignee "" : not dispatched */
	long long open, overdue;
};
struct category_row {
	const char *org_path, *category;
	long long n, open, overdue;
};
/* Open and overdue events by place and department under path (in scope). */
int store_event_assignee_counts(struct store *st, struct arena *a, const struct scope *sc,
				const char *path, struct assignee_row **out, size_t *n);
/* All, open and overdue events by place and category under path (in scope). */
int store_event_category_counts(struct store *st, struct arena *a, const struct scope *sc,
				const char *path, struct category_row **out, size_t *n);
/* Ids of the open overdue events under path (in scope), longest overdue first. */
int store_event_overdue_ids(struct store *st, struct arena *a, const struct scope *sc,
			    const char *path, int limit, long long **out, size_t *n);
/* --- the audit log (sqlite_audit.c; see domain/audit.h) --- */
/* The source address that audit records appended on this thread get when
 * the caller leaves r->ip NULL: the API sets it per request (NULL clears).
 * The string must outlive the calls (the request's arena). */
void store_audit_source(const char *ip);
/*
 * Appends r to the chain; sets r->seq, r->prev, r->hash (and r->at when 0:
 * now; r->outcome when NULL: "ok"). Texts longer than their AUDIT_*_MAX
 * are cut. Inside store_begin()..store_commit() the record is part of that
 * transaction: if the append fails, return the error and roll back, so the
 * change fails with it; a rollback takes the record away with the change.
 * Outside a transaction it is a durable write of its own.
 */
int store_audit_append(struct store *st, struct audit_rec *r);
struct audit_filter {
	long long from, to;   /* at in [from, to), 0: open */
	long long user_id;    /* 0: any */
	const char *username; /* exact, NULL: any */
	const char *action;   /* exact, or a family ending in '.' ("event."), NULL: any */
	const char *object, *outcome;
	long long before_seq; /* cursor: seq below this, 0: from the newest */
	int limit;
};
/* Records matching f, newest first. */
int store_audit_list(struct store *st, struct arena *a, const struct audit_filter *f,
		     struct audit_rec **out, size_t *n);
/* The stored head: the last record's seq and hash (0 and audit_genesis when empty). */
int store_audit_head(struct store *st, long long *seq, char *hash);
/* Signs the stored head with key (HMAC-SM3) and, when sign is given, with
 * SM2, and records it as an anchor in out; unless force, does nothing (and
 * gives the latest anchor) when the latest anchor already names the head. */
int store_audit_anchor(struct store *st, const unsigned char *key, size_t keylen,
		       const struct sm2_key *sign, long long now, bool force,
		       struct audit_anchor *out);
/* Anchors with id > after_id, oldest first, at most limit (0: all). */
int store_audit_anchors(struct store *st, struct arena *a, long long after_id, int limit,
			struct audit_anchor **out, size_t *n);
/* Walks the whole chain in one read transaction (see audit_verify_*),
 * checking the stored anchors and the extra ones (an export kept
 * elsewhere); key NULL skips the anchors' MACs, pub NULL their SM2
 * signatures. Not inside a transaction. */
int store_audit_verify(struct store *st, struct arena *a, const struct audit_anchor *extra,
		       size_t nextra, const unsigned char *key, size_t keylen,
		       const struct sm2_key *pub, struct audit_verify *v);

/* Archiving: the records that may leave the database are the oldest ones,
 * up to (not including) the first record at or after cutoff: seq in
 * [*from_seq, *through_seq] (empty when through < from). */
int store_audit_archivable(struct store *st, long long cutoff, long long *from_seq,
			   long long *through_seq);
/* Calls fn for each record with seq in [from_seq, through_seq], in order
 * (r's texts valid during the call); stops at fn's first error. */
int store_audit_each(struct store *st, long long from_seq, long long through_seq,
		     int (*fn)(void *ctx, const struct audit_rec *r), void *ctx);
/* Records an archive of the records up to through_seq (written to file,
 * whose SM3 is file_sm3) and deletes them, in one transaction; the chain
 * continues from through_seq's hash. ERR_FORBIDDEN when the database
 * refuses (a record younger than 184 days), ERR_NOT_FOUND for no such seq. */
int store_audit_archive(struct store *st, long long through_seq, long long now, const char *file,
			const char *file_sm3);

/* --- database files (backup and restore) --- */
/* Opens path read-only, runs PRAGMA integrity_check and verifies its audit
 * chain into v. 0, or ERR_BAD_FILE / ERR_IO / ERR_DB with why. */
int store_file_check(const char *path, const unsigned char *key, size_t keylen,
		     const struct sm2_key *pub, struct audit_verify *v, char *why, size_t whylen);
/* Copies the database at src, consistently and while others write to it
 * (SQLite's online backup), into the new file dest (written as dest.part,
 * then renamed). ERR_CONFLICT if dest exists. */
int store_backup(const char *src, const char *dest, char *why, size_t whylen);
/* Replaces the content of the database dest with src's, in one transaction
 * of dest (a failure leaves dest as it was). The caller makes sure no
 * server is using dest and has checked src. */
int store_restore(const char *src, const char *dest, char *why, size_t whylen);

#endif
