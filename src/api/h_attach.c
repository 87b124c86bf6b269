/*
 * h_attach.c - attachments (photos, documents) of events.
 *
 * The body of an upload never sits in memory: the server streams it into a
 * temporary file in the attachments folder, hashing it on the way; here the
 * type is decided from the bytes (never from the client's Content-Type), and
 * the file is renamed to its SHA-256 (content-addressed: the same photo
 * sent twice is stored once), and its SM3 is kept with it for checks made
 * with the national algorithms. Downloads are served only to users who may see
 * the event, with the sniffed type and nosniff.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/str.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The type of a file from its first bytes, or NULL if not one we accept. */
static const char *sniff(const unsigned char *b, size_t n)
{
	if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "image/jpeg";
	if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4))
		return "image/webp";
	if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6)))
		return "image/gif";
	if (n >= 5 && !memcmp(b, "%PDF-", 5))
		return "application/pdf";
	if (n >= 12 && !memcmp(b + 4, "ftyp", 4)) {
		if (!memcmp(b + 8, "heic", 4) || !memcmp(b + 8, "heix", 4) ||
		    !memcmp(b + 8, "mif1", 4))
			return "image/heic";
		if (!memcmp(b + 8, "isom", 4) || !memcmp(b + 8, "mp4", 3) ||
		    !memcmp(b + 8, "avc1", 4))
			return "video/mp4";
	}
	return NULL;
}

const char *api_upload_type(const struct http_request *r)
{
	return sniff(r->upload_head, r->upload_head_len);
}

static char *blob_path(struct arena *a, const char *dir, const char *sha)
{
	return arena_printf(a, "%s/%.2s/%s", dir, sha, sha);
}

static json_t *attachment_json(struct arena *a, const struct attachment *x)
{
	/* step: the timeline step it came with (null: not used by a step yet);
	 * sm3: null for a file stored before the server kept it */
	return json_pack("{s:I,s:I,s:s,s:o,s:s,s:I,s:o,s:s,s:o}", "id", (json_int_t)x->id, "event",
			 (json_int_t)x->event_id, "sha256", x->sha256, "sm3",
			 *x->sm3 ? json_string(x->sm3) : json_null(), "mime", x->mime, "size",
			 (json_int_t)x->size, "uploaded_at", api_time_json(x->uploaded_at), "url",
			 arena_printf(a, "/api/v1/attachments/%lld", x->id), "step",
			 x->action_id ? json_integer(x->action_id) : json_null());
}

int api_attachment_store(struct app *app, struct http_request *r, long long event_id,
			 long long user_id, const char *mime, struct attachment *x)
{
	const char *dir = app->cfg->attachments_dir;
	char *sub = arena_printf(r->arena, "%s/%.2s", dir, r->upload_sha256);
	if (mkdir(sub, 0750) && errno != EEXIST)
		return http_error(r, ERR_IO, "cannot store the file");
	char *final = blob_path(r->arena, dir, r->upload_sha256);
	struct stat sb;
	if (stat(final, &sb) && rename(r->upload_path, final))
		return http_error(r, ERR_IO, "cannot store the file");
	*x = (struct attachment){ .event_id = event_id,
				  .mime = mime,
				  .size = (long long)r->upload_len,
				  .uploaded_by = user_id,
				  .uploaded_at = app->now() };
	memcpy(x->sha256, r->upload_sha256, sizeof(x->sha256));
	memcpy(x->sm3, r->upload_sm3, sizeof(x->sm3));
	return store_attachment_add(app->st, x);
}

static int event_in_scope(struct app *app, struct http_request *r, struct principal *who,
			  const char *param, struct event *e)
{
	long long id;
	if (str_to_ll(param, 1, 1LL << 53, &id))
		return http_error(r, ERR_NOT_FOUND, "no event '%.20s'", param);
	int err = store_event_get(app->st, r->arena, &who->scope, id, e);
	if (err == ERR_NOT_FOUND)
		return http_error(r, err, "no event '%lld'", id);
	return err;
}

int h_attach_add(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct event e;
	int err = event_in_scope(app, r, who, r->params[0], &e);
	if (err)
		return err;
	if (wf_event.states[e.state].flags & WF_TERMINAL)
		return http_error(r, ERR_CONFLICT, "event %lld is %s: no more attachments", e.id,
				  wf_state_name(&wf_event, e.state));
	if (!r->upload_path || !r->upload_len)
		return http_error(r, ERR_MISSING, "send the file as the request body");
	const char *mime = api_upload_type(r);
	if (!mime)
		return http_error(
			r, ERR_MEDIA_TYPE,
			"only JPEG, PNG, WebP, GIF, HEIC, MP4 and PDF files are accepted");
	struct attachment x;
	if ((err = api_attachment_store(app, r, e.id, who->user_id, mime, &x)))
		return err;
	http_add_header(r, "Location", arena_printf(r->arena, "/api/v1/attachments/%lld", x.id));
	http_reply_json(r, 201, attachment_json(r->arena, &x));
	return 0;
}

int h_attach_list(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	struct event e;
	int err = event_in_scope(app, r, who, r->params[0], &e);
	if (err)
		return err;
	struct attachment *v;
	size_t n;
	if ((err = store_attachment_list(app->st, r->arena, &who->scope, e.id, &v, &n)))
		return err;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, attachment_json(r->arena, &v[i]));
	http_reply_json(r, 200, json_pack("{s:o}", "items", items));
	return 0;
}

int h_attach_get(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	long long id;
	struct attachment x;
	if (str_to_ll(r->params[0], 1, 1LL << 53, &id) ||
	    store_attachment_get(app->st, r->arena, &who->scope, id, &x))
		/* not there, or on an event the caller may not see: the same answer */
		return http_error(r, ERR_NOT_FOUND, "no attachment '%.20s'", r->params[0]);
	int err = http_reply_file(r, 200, x.mime,
				  blob_path(r->arena, app->cfg->attachments_dir, x.sha256));
	if (err)
		return http_error(r, ERR_NOT_FOUND, "the file of attachment %lld is missing", id);
	http_add_header(r, "Cache-Control", "private, max-age=3600");
	http_add_header(r, "Content-Disposition", "inline");
	http_add_header(r, "ETag", arena_printf(r->arena, "\"%s\"", x.sha256));
	return 0;
}

bool api_upload_route(void *ctx, const char *method, const char *path)
{
	(void)ctx;
	if (strcmp(method, "POST"))
		return false; /* uploads are POSTs; spare every other request a match */
	struct arena *a = arena_new();
	const char *params[HTTP_MAX_PARAMS];
	int nparams, err;
	char allow[64];
	const struct route *rt =
		api_match(a, method, path, params, &nparams, &err, allow, sizeof(allow));
	bool up = rt && (rt->flags & ROUTE_UPLOAD);
	arena_free(a);
	return up;
}
