/*
 * h_stream.c - GET /api/v1/stream: the logged-in user's live feed as
 * Server-Sent Events.
 *
 * Events (event: NAME, data: one JSON line):
 *   hello    once: {"user","scope","unread","heartbeat_s"}
 *   created  an event reported inside the caller's scope (or by the caller)
 *   changed  an event of the scope changed (a transition, a scheduler mark)
 *   inbox    {"unread"}: the unread count changed
 *   bye      {"reason"}: the stream ends (the session ended)
 * and a comment line (": ping") every stream_heartbeat seconds.
 *
 * Design: event.c calls api_stream_publish() after each committed change
 * (event_env.changed); it renders the event once and queues it on every
 * stream whose scope holds it, the same test the store applies in SQL
 * (the path range, or the caller's own report). Inbox counts are read on
 * the stream thread, never in the request that made the change: a stream
 * that received an event is poked and recounts within a second, and every
 * heartbeat recounts and re-reads the session, so a logout, a password
 * change, a disabled user or an expired session ends the stream.
 *
 * Caveats: no replay (no Last-Event-ID): a client that reconnects reloads
 * what it shows. A change inside a larger transaction that is later rolled
 * back (rare: an Open311 filing whose record fails) may have been announced.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/sec.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sub {
	struct app *app;
	long long user_id;
	struct scope scope; /* the caller's, root_path owned (root) */
	char *root;         /* scope path */
	char *token;        /* session digest */
	long long unread;
};

static void sub_free(void *p)
{
	struct sub *u = p;
	if (!u)
		return;
	free(u->root);
	free(u->token);
	free(u);
}

static void send_json(struct http_stream *s, const char *name, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "event: %s\ndata: %s\n\n", name, text ? text : "{}");
	http_stream_send(s, sb.buf, sb.len);
	strbuf_release(&sb);
	free(text);
	json_decref(j);
}

static long long unread_of(struct app *app, long long user_id)
{
	struct arena *a = arena_new();
	struct notification *v;
	size_t n;
	long long unread = -1;
	if (store_inbox(app->st, a, user_id, true, 0, 0, &v, &n, &unread))
		unread = -1;
	arena_free(a);
	return unread;
}

bool api_stream_tick(void *ctx, struct http_stream *s, void *data, bool beat)
{
	struct app *app = ctx;
	struct sub *u = data;
	if (beat) {
		struct arena *a = arena_new();
		struct session ss;
		long long now = app->now();
		int err = store_session_get(app->st, a, u->token, &ss);
		arena_free(a);
		if (err == ERR_NOT_FOUND ||
		    (!err && (ss.expires_at <= now ||
			      ss.last_seen + app->cfg->session_idle_minutes * 60 <= now))) {
			send_json(s, "bye", json_pack("{s:s}", "reason", "session ended"));
			return false;
		}
	}
	long long unread = unread_of(app, u->user_id);
	if (unread >= 0 && unread != u->unread) {
		u->unread = unread;
		send_json(s, "inbox", json_pack("{s:I}", "unread", (json_int_t)unread));
	}
	if (beat)
		http_stream_send(s, ": ping\n\n", 8);
	return true;
}

void api_stream_free(void *data)
{
	sub_free(data);
}

struct publish {
	const struct event *e;
	const char *name;
	const char *text;
	size_t len;
};

static void offer(void *ctx, struct http_stream *s, void *data)
{
	struct publish *p = ctx;
	struct sub *u = data;
	if (!authz_scope_holds(&u->scope, p->e->org_path, p->e->reporter_id))
		return;
	http_stream_send(s, p->text, p->len);
	http_stream_poke(s); /* the change may have notified this user */
}

void api_stream_publish(void *ctx, const struct event *e, bool created)
{
	struct app *app = ctx;
	if (!app->srv)
		return;
	static const char *const warn_names[] = { "none", "yellow", "red" };
	json_t *j =
		json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:I,s:i}", "id", (json_int_t)e->id,
			  "receipt", e->receipt, "state", wf_state_name(&wf_event, e->state),
			  "state_zh", wf_event.states[e->state].zh, "category", e->category,
			  "org_path", e->org_path, "overdue", e->warn >= 2, "warning",
			  warn_names[e->warn < 0 || e->warn > 2 ? 0 : e->warn], "assignee",
			  e->assignee ? e->assignee : "", "version", (json_int_t)e->version,
			  "urgency", e->urgency);
	json_object_set_new(
		j, "grid", e->grid_code && *e->grid_code ? json_string(e->grid_code) : json_null());
	json_object_set_new(j, "updated_at", api_time_json(e->updated_at));
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		return;
	struct strbuf sb = STRBUF_INIT;
	const char *name = created ? "created" : "changed";
	strbuf_addf(&sb, "event: %s\ndata: %s\n\n", name, text);
	free(text);
	struct publish p = { .e = e, .name = name, .text = sb.buf, .len = sb.len };
	http_stream_each(app->srv, offer, &p);
	strbuf_release(&sb);
}

int h_stream(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct sub *u = xcalloc(1, sizeof(*u));
	u->app = app;
	u->user_id = who->user_id;
	u->root = xstrdup(who->scope.root_path ? who->scope.root_path : "/");
	u->scope = (struct scope){ .all = who->scope.all,
				   .root_path = u->root,
				   .self_id = who->user_id };
	u->token = xstrdup(who->token_hash ? who->token_hash : "");
	u->unread = unread_of(app, who->user_id);
	/* from here the stream thread owns u */
	json_t *hello = json_pack("{s:s,s:s,s:I,s:I}", "user", who->username, "scope", u->root,
				  "unread", (json_int_t)(u->unread < 0 ? 0 : u->unread),
				  "heartbeat_s", (json_int_t)app->cfg->stream_heartbeat);
	struct http_stream *s;
	if (http_reply_stream(r, u, &s)) {
		json_decref(hello);
		sub_free(u);
		http_add_header(r, "Retry-After", "10");
		return http_error(r, ERR_UNAVAILABLE,
				  "%lld event streams are open, the most this server keeps; "
				  "retry later",
				  (long long)app->cfg->stream_max);
	}
	http_add_header(r, "Cache-Control", "no-cache");
	http_add_header(r, "X-Accel-Buffering", "no"); /* nginx: pass it through at once */
	http_stream_send(s, "retry: 5000\n\n", 13);
	send_json(s, "hello", hello);
	return 0;
}
