/*
 * h_inbox.c - the in-app inbox, and the test-only clock.
 *
 * The clock endpoints exist only when the server runs with test_clock on;
 * otherwise they answer 404 like any unknown path's object.
 */
#include "api/api.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "domain/scheduler.h"
#include "domain/webhook.h"
#include "http/client.h"

#include <string.h>
#include <time.h>

int h_inbox(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long limit, cursor;
	int err;
	if ((err = api_query_int(r, "limit", 1, 100, 20, &limit)) ||
	    (err = api_query_int(r, "cursor", 1, 1LL << 53, 0, &cursor)))
		return err;
	const char *unread = http_query(r, "unread");
	if (unread && strcmp(unread, "true") && strcmp(unread, "false"))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter 'unread' must be true or false");
	struct notification *v;
	size_t n;
	long long nunread;
	if ((err = store_inbox(app->st, r->arena, who->user_id, unread && !strcmp(unread, "true"),
			       cursor, (int)limit, &v, &n, &nunread)))
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_pack("{s:I,s:s,s:s,s:o,s:o}", "id", (json_int_t)v[i].id, "kind",
				      v[i].kind, "title", v[i].title, "created_at",
				      api_time_json(v[i].created_at), "read_at",
				      api_time_json(v[i].read_at));
		json_object_set_new(x, "event",
				    v[i].event_id ? json_integer(v[i].event_id) : json_null());
		json_array_append_new(items, x);
	}
	json_t *j = json_pack("{s:o,s:I}", "items", items, "unread", (json_int_t)nunread);
	json_object_set_new(j, "next_cursor",
			    n == (size_t)limit && n
				    ? json_string(arena_printf(r->arena, "%lld", v[n - 1].id))
				    : json_null());
	http_reply_json(r, 200, j);
	return 0;
}

int h_inbox_read(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long id = 0;
	if (r->nparams && str_to_ll(r->params[0], 1, 1LL << 53, &id))
		return http_error(r, ERR_NOT_FOUND, "no notification '%.20s'", r->params[0]);
	int err = store_inbox_read(app->st, who->user_id, id, app->now());
	if (err == ERR_NOT_FOUND)
		return http_error(r, err, "no notification '%lld'", id);
	if (err)
		return err;
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
	return 0;
}

int h_test_clock(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	if (!app->cfg->test_clock)
		return http_error(r, ERR_NOT_FOUND, "the test clock is off");
	static const char *const keys[] = { "advance_s", NULL };
	long long delta = 0;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_int(r, body, "advance_s", true, 0, 10LL * 366 * 86400, &delta)))
		return err;
	clock_advance(delta);
	http_reply_json(r, 200, json_pack("{s:o}", "now", api_time_json(app->now())));
	return 0;
}

int h_test_scheduler(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	if (!app->cfg->test_clock)
		return http_error(r, ERR_NOT_FOUND, "the test clock is off");
	struct sched_result res;
	int err = sched_tick(&app->ev, app->now(), &res);
	int delivered = 0, failed = 0;
	if (!err)
		err = webhook_deliver_due(app->st, app->now(), http_client_post, &delivered,
					  &failed);
	if (err)
		return err;
	http_reply_json(r, 200,
			json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:o}", "warned", res.warned, "overdue",
				  res.overdue, "escalated", res.escalated, "stopped", res.stopped,
				  "delivered", delivered, "failed", failed, "now",
				  api_time_json(app->now())));
	return 0;
}
