/*
 * h_public.c - citizens' reports without an account:
 * POST /api/v1/public/reports and GET /api/v1/public/reports/{receipt}.
 *
 * A public report is an event like any other (event_create with no user,
 * source "citizen"), so it lands on the grid's desk, gets the category's
 * deadlines and the receipt citizens quote; Open311 (h_open311.c) files the
 * same way for civic apps with a key. The contact a citizen leaves (`contact`,
 * a mobile number, or a `reporter` object as on POST /api/v1/events) is the
 * event's reporter contact: sealed at rest, masked on GET /api/v1/events/{id},
 * in the clear only through the audited read (h_pii.c); never shown by the
 * public endpoints.
 *
 * Abuse: `public_report_limit` reports per address per
 * `public_report_window` seconds (a table of recent addresses in memory,
 * oldest evicted first; it protects a running server and need not survive
 * a restart); `public_reports = false` turns the form off (404).
 *
 * Photos: the report's answer carries a `photo_token` (random, shown once;
 * the store keeps its SHA-256) with which the citizen who filed it - and
 * nobody else - may add up to `public_photos` photos within
 * `public_photo_window` seconds: POST /api/v1/public/reports/{receipt}/photos
 * with the image as the body and the token in X-Photo-Token. The type is
 * decided from the bytes (JPEG, PNG, WebP, GIF, HEIC), the size bounded by
 * `public_photo_bytes` (and max_upload, which bounds the streaming), the
 * file kept in the attachments' content-addressed store as an attachment
 * with no user: staff see it on the event; no public endpoint serves it.
 * Each address may add `public_report_limit` x `public_photos` photos per
 * window. A wrong token, a late one and an unknown receipt get the same 404.
 *
 * Tracking by receipt answers the state in plain words, the dates and the
 * notes of the steps the public may read (as Open311's status_notes) -
 * no description, address, point, reporter, department or internal note.
 * Staff reports are not public: their receipts answer 404.
 *
 * Rating: POST /api/v1/public/reports/{receipt}/rating (h_public_rate).
 */
#include "api/api.h"
#include "core/err.h"
#include "core/sec.h"
#include "core/str.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SLOTS             1024
#define TITLE_CHARS       30
#define PHOTO_TOKEN_BYTES 24
#define PUBLIC_NOTES      ",reject,merge,void,handle,rework,close,reopen,"

struct slot {
	char ip[48];
	long long start;
	long long count;
};

/* Recent addresses and their counts in the current window. */
struct limiter {
	struct slot slots[SLOTS];
	pthread_mutex_t lock;
};

static struct limiter reports = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct limiter photos = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Counts one from ip; false (and *retry, seconds) when limit are counted
 * in the window already. */
static bool admit(struct limiter *l, long long limit, long long window, const char *ip,
		  long long now, long long *retry)
{
	pthread_mutex_lock(&l->lock);
	struct slot *s = NULL, *oldest = &l->slots[0];
	for (int i = 0; i < SLOTS && !s; i++) {
		if (!strcmp(l->slots[i].ip, ip))
			s = &l->slots[i];
		else if (l->slots[i].start < oldest->start)
			oldest = &l->slots[i];
	}
	if (!s) {
		s = oldest;
		memset(s, 0, sizeof(*s));
		str_copy(s->ip, sizeof(s->ip), ip);
	}
	if (now - s->start >= window) {
		s->start = now;
		s->count = 0;
	}
	bool ok = s->count < limit;
	if (ok)
		s->count++;
	else
		*retry = s->start + window - now;
	pthread_mutex_unlock(&l->lock);
	return ok;
}

/* The first line of the description, at most TITLE_CHARS characters. */
static const char *title_of(struct arena *a, const char *text)
{
	size_t end = strcspn(text, "\r\n"), i = 0;
	int chars = 0;
	while (i < end && chars < TITLE_CHARS) {
		unsigned char c = (unsigned char)text[i];
		i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		chars++;
	}
	if (i > end)
		i = end;
	char *t = arena_strndup(a, text, i);
	return *t ? t : "群众反映";
}

static int get_number(struct http_request *r, json_t *obj, const char *key, bool *has, double *out)
{
	json_t *v = json_object_get(obj, key);
	*has = v && !json_is_null(v);
	if (!*has)
		return 0;
	if (!json_is_number(v))
		return http_error(r, ERR_BAD_TYPE, "field '%s' must be a number", key);
	*out = json_number_value(v);
	return 0;
}

static const char *plain_zh(int state)
{
	switch (state) {
	case EV_REPORTED: return "已收到，等待受理";
	case EV_REGISTERED: return "已受理，正在安排处理";
	case EV_HANDLED:
	case EV_VERIFIED: return "已处理，正在核查";
	case EV_SUSPENDED: return "暂缓处理";
	case EV_CLOSED: return "已办结";
	case EV_REJECTED: return "不予受理";
	case EV_MERGED: return "已与反映同一问题的其他报告合并处理";
	case EV_VOIDED: return "已撤销";
	default: return "正在处理";
	}
}

static const char *plain_en(int state)
{
	switch (state) {
	case EV_REPORTED: return "received, waiting to be accepted";
	case EV_REGISTERED: return "accepted, being assigned";
	case EV_HANDLED:
	case EV_VERIFIED: return "handled, being checked";
	case EV_SUSPENDED: return "on hold";
	case EV_CLOSED: return "done";
	case EV_REJECTED: return "not accepted";
	case EV_MERGED: return "handled together with a report of the same problem";
	case EV_VOIDED: return "withdrawn";
	default: return "being handled";
	}
}

int h_public_report(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	static const char *const keys[] = { "category", "description", "address",  "lon",
					    "lat",      "contact",     "reporter", NULL };
	if (!app->cfg->public_reports)
		return http_error(r, ERR_NO_ROUTE, "the public report form is turned off here");
	struct event_input in = { .urgency = 1, .source = "citizen" };
	const char *contact = NULL;
	struct pii_contact reporter;
	bool has_lon, has_lat;
	int err;
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_str(r, body, "category", true, 8, &in.category)) ||
	    (err = api_str(r, body, "description", true, 2000, &in.description)) ||
	    (err = api_str(r, body, "address", false, 200, &in.address)) ||
	    (err = api_str(r, body, "contact", false, 100, &contact)) ||
	    (err = get_number(r, body, "lon", &has_lon, &in.lon)) ||
	    (err = get_number(r, body, "lat", &has_lat, &in.lat)) ||
	    (err = api_reporter_parse(r, body, &reporter)))
		return err;
	if (contact && *contact) {
		/* the form's "phone (optional)": the reporter's phone, sealed like any */
		char phone[12];
		if (!pii_phone_normalize(contact, phone))
			return http_error(r, ERR_BAD_VALUE,
					  "field 'contact' must be a mobile number (11 digits, "
					  "starting 13-19)");
		if (!reporter.v[PII_PHONE] || !*reporter.v[PII_PHONE])
			reporter.v[PII_PHONE] = arena_strdup(r->arena, phone);
	}
	in.contact = &reporter;
	if (has_lon != has_lat)
		return http_error(r, ERR_MISSING, "give both 'lon' and 'lat', or neither");
	in.has_point = has_lon;
	in.title = title_of(r->arena, in.description);
	long long now = app->now(), retry = 0;
	if (!admit(&reports, app->cfg->public_report_limit, app->cfg->public_report_window, r->ip,
		   now, &retry)) {
		http_add_header(r, "Retry-After", arena_printf(r->arena, "%lld", retry));
		return http_error(r, ERR_THROTTLED,
				  "%lld reports from this address in %lld seconds are the most "
				  "accepted; try again in %lld seconds",
				  (long long)app->cfg->public_report_limit,
				  (long long)app->cfg->public_report_window, retry);
	}
	struct event e, *dups;
	size_t ndups;
	char why[256] = "";
	/* the event and its public record commit together */
	if ((err = store_begin(app->st)))
		return err;
	err = event_create(&app->ev, r->arena, NULL, &in, &e, &dups, &ndups, why, sizeof(why));
	if (!err)
		err = store_public_report_add(app->st, e.id, "", now);
	/* the photo token: shown once, kept as its hash */
	char token[2 * PHOTO_TOKEN_BYTES + 1] = "", hash[65];
	if (!err && app->cfg->public_photos > 0) {
		unsigned char raw[PHOTO_TOKEN_BYTES];
		sec_random(raw, sizeof(raw));
		sec_hex(raw, sizeof(raw), token);
		sec_digest_hex(SEC_SHA256, token, strlen(token), hash);
		err = store_public_photo_token(app->st, e.id, hash);
	}
	if (err) {
		store_rollback(app->st);
		return *why ? http_error(r, err, "%s", why) : err;
	}
	if ((err = store_commit(app->st)))
		return err;
	const char *track = arena_printf(r->arena, "/api/v1/public/reports/%s", e.receipt);
	http_add_header(r, "Location", track);
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s}", "receipt", e.receipt, "status", "open",
			      "state_text", plain_zh(e.state), "state_text_en", plain_en(e.state),
			      "created_at", api_time_json(e.created_at), "track", track);
	if (*token) {
		json_object_set_new(j, "photo_token", json_string(token));
		json_object_set_new(j, "photos",
				    json_pack("{s:s,s:I,s:I,s:o}", "url",
					      arena_printf(r->arena, "%s/photos", track), "max",
					      (json_int_t)app->cfg->public_photos, "bytes",
					      (json_int_t)app->cfg->public_photo_bytes, "until",
					      api_time_json(now + app->cfg->public_photo_window)));
	}
	http_add_header(r, "Cache-Control", "no-store");
	http_reply_json(r, 201, j);
	return 0;
}

/* The citizen report with this receipt (shape checked), or ERR_NOT_FOUND. */
static int citizen_report(struct app *app, struct http_request *r, const char *receipt,
			  struct event *e)
{
	bool shape = strlen(receipt) == 12 && !strncmp(receipt, "PA", 2);
	for (size_t i = 2; shape && i < 12; i++)
		shape = strchr("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", receipt[i]) != NULL;
	struct scope all = { .all = true };
	int err =
		shape ? store_event_by_receipt(app->st, r->arena, &all, receipt, e) : ERR_NOT_FOUND;
	/* staff reports are not public (the one decision, AUTHZ_PUBLIC) */
	struct authz_object pub = { .exists = true, .source = err ? NULL : e->source };
	if (!err &&
	    !authz_allowed(NULL, &(struct authz_request){ .action = AUTHZ_PUBLIC, .obj = &pub }))
		err = ERR_NOT_FOUND;
	return err;
}

int h_public_photo(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	const struct config *cfg = app->cfg;
	const char *receipt = r->params[0];
	if (!cfg->public_reports || cfg->public_photos <= 0)
		return http_error(r, ERR_NO_ROUTE, "citizens' photos are turned off here");
	const char *token = http_header(r, "X-Photo-Token");
	if (!token || !*token)
		return http_error(r, ERR_MISSING,
				  "send the report's photo_token in the X-Photo-Token header");
	if (!r->upload_path || !r->upload_len)
		return http_error(r, ERR_MISSING, "send the photo as the request body");
	if ((long long)r->upload_len > cfg->public_photo_bytes)
		return http_error(r, ERR_TOO_LARGE, "a photo may have at most %lld bytes",
				  cfg->public_photo_bytes);
	const char *mime = api_upload_type(r);
	if (!mime || strncmp(mime, "image/", 6))
		return http_error(r, ERR_MEDIA_TYPE,
				  "only JPEG, PNG, WebP, GIF and HEIC photos are accepted");
	long long now = app->now(), retry = 0;
	if (!admit(&photos, cfg->public_report_limit * cfg->public_photos,
		   cfg->public_report_window, r->ip, now, &retry)) {
		http_add_header(r, "Retry-After", arena_printf(r->arena, "%lld", retry));
		return http_error(r, ERR_THROTTLED,
				  "too many photos from this address; try again in %lld seconds",
				  retry);
	}
	char hash[65];
	sec_digest_hex(SEC_SHA256, token, strlen(token), hash);
	struct event e;
	long long count = 0;
	int err = citizen_report(app, r, receipt, &e);
	if (!err && !(err = store_begin(app->st))) {
		err = store_public_photo_claim(app->st, e.id, hash, now - cfg->public_photo_window,
					       cfg->public_photos, &count);
		struct attachment x;
		if (!err)
			err = api_attachment_store(app, r, e.id, 0, mime, &x);
		err = api_end(app, err);
	}
	if (err == ERR_NOT_FOUND)
		return http_error(r, err,
				  "no report with receipt '%.20s' taking photos with this token "
				  "(photos are added within %lld minutes of the report)",
				  receipt, cfg->public_photo_window / 60);
	if (err == ERR_CONFLICT)
		return http_error(r, err, "a report takes at most %lld photos", cfg->public_photos);
	if (err)
		return err;
	http_reply_json(r, 201,
			json_pack("{s:s,s:I,s:I}", "receipt", e.receipt, "photos",
				  (json_int_t)count, "max", (json_int_t)cfg->public_photos));
	return 0;
}

int h_public_categories(struct app *app, struct http_request *r, struct principal *who,
			json_t *body)
{
	(void)who;
	(void)body;
	struct category *v;
	size_t n;
	int err = store_category_list(app->st, r->arena, &v, &n);
	if (err)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		if (!*v[i].parent || !v[i].enabled)
			continue;
		const char *cls = "";
		for (size_t k = 0; k < n; k++)
			if (!strcmp(v[k].code, v[i].parent))
				cls = v[k].name;
		json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:s}", "code", v[i].code,
						       "name", v[i].name, "name_en", v[i].name_en,
						       "class", v[i].parent, "class_name", cls));
	}
	http_add_header(r, "Cache-Control", "public, max-age=300");
	json_t *j = json_pack("{s:o,s:b}", "items", items, "open", app->cfg->public_reports);
	/* what the form may attach after the report (0: no photos) */
	json_object_set_new(j, "photos",
			    json_pack("{s:I,s:I}", "max", (json_int_t)app->cfg->public_photos,
				      "bytes", (json_int_t)app->cfg->public_photo_bytes));
	http_reply_json(r, 200, j);
	return 0;
}

int h_public_track(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	(void)body;
	const char *receipt = r->params[0];
	struct event e;
	int err = citizen_report(app, r, receipt, &e);
	if (err == ERR_NOT_FOUND)
		return http_error(r, err, "no report with receipt '%.20s'", receipt);
	if (err)
		return err;
	struct category cat;
	const char *cat_name = "";
	if (!store_category_get(app->st, r->arena, e.category, &cat))
		cat_name = cat.name;
	struct event_action *v;
	size_t n;
	struct scope all = { .all = true }; /* a citizen's own report, found by its receipt */
	if ((err = store_event_actions(app->st, r->arena, &all, e.id, &v, &n)))
		return err;
	json_t *notes = json_array();
	for (size_t i = 0; i < n; i++) {
		char key[40];
		snprintf(key, sizeof(key), ",%.30s,", v[i].action);
		if (!*v[i].note || !strstr(PUBLIC_NOTES, key))
			continue;
		json_array_append_new(notes, json_pack("{s:o,s:s}", "at", api_time_json(v[i].at),
						       "text", v[i].note));
	}
	bool closed = wf_event.states[e.state].flags & WF_TERMINAL;
	json_t *j = json_pack(
		"{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:b}", "receipt", e.receipt,
		"category", e.category, "category_name", cat_name, "status",
		closed ? "closed" : "open", "state_text", plain_zh(e.state), "state_text_en",
		plain_en(e.state), "created_at", api_time_json(e.created_at), "updated_at",
		api_time_json(e.updated_at), "closed_at", api_time_json(e.closed_at), "notes",
		notes, "rating", e.rating ? json_integer(e.rating) : json_null(), "can_rate",
		e.state == EV_CLOSED && !e.rating);
	http_reply_json(r, 200, j);
	return 0;
}

/*
 * POST /api/v1/public/reports/{receipt}/rating {"rating": 1-5, "comment"}:
 * the citizen who holds the receipt rates how a closed report was resolved
 * (满意度), once. It is the engine's `rate`, taken as the event's reporter:
 * the receipt is the citizen's proof of having filed the report, as the
 * account is a staff reporter's. The comment goes on the timeline as the
 * step's note.
 */
int h_public_rate(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)who;
	static const char *const keys[] = { "rating", "comment", NULL };
	const char *receipt = r->params[0], *comment = NULL;
	long long rating = 0;
	int err;
	if (!app->cfg->public_reports)
		return http_error(r, ERR_NO_ROUTE, "citizens' reports are turned off here");
	if ((err = api_only_keys(r, body, keys)) ||
	    (err = api_int(r, body, "rating", true, 1, 5, &rating)) ||
	    (err = api_str(r, body, "comment", false, 500, &comment)))
		return err;
	struct event e;
	if ((err = citizen_report(app, r, receipt, &e)) == ERR_NOT_FOUND)
		return http_error(r, err, "no report with receipt '%.20s'", receipt);
	if (err)
		return err;
	if (e.rating)
		return http_error(r, ERR_CONFLICT, "report %s has been rated already", e.receipt);
	/* the receipt holder, as the reporter, for this one event */
	const struct principal citizen = { .username = "citizen",
					   .roles = WF_REPORTER,
					   .scope = { .all = true } };
	const struct wf_input in = { .rating = (int)rating, .note = comment };
	struct event out;
	char why[256] = "";
	if ((err = event_act(&app->ev, r->arena, &citizen, e.id, "rate", &in, e.version, &out, why,
			     sizeof(why))))
		return *why ? http_error(r, err, "%s", why) : err;
	http_reply_json(r, 200,
			json_pack("{s:s,s:I,s:b}", "receipt", out.receipt, "rating",
				  (json_int_t)out.rating, "can_rate", false));
	return 0;
}
