/*
 * h_import.c - POST /api/v1/imports/{kind}: the system administrator
 * uploads a divisions CSV, a grids GeoJSON or a population CSV.
 *
 * The body is the file itself, streamed to a temporary file like an
 * attachment (so max_upload bounds it: 413 beyond), then read by the same
 * importer as `pingan import` (import.c): one transaction, the first bad
 * record refused with its line (and feature) in the message and nothing
 * written. `?dry_run=true` checks the whole file and counts what would be
 * new, changed and unchanged, then rolls back; it writes nothing and is not
 * audited. A real run writes its config.import audit record in the
 * transaction. A binary file (a spreadsheet, UTF-16 text) is refused with
 * 415 before it is read. Grids reach the locate index of a running server at its
 * next start, as after the command line's import.
 */
#include "api/api.h"
#include "api/import.h"
#include "core/err.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct audit_ctx {
	struct app *app;
	struct http_request *r;
	const struct principal *who;
};

/* One reload at a time; readers never wait (api_grids() is an atomic load). */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

int api_grids_reload(struct app *app)
{
	if (!app->grid_index)
		return ERR_UNAVAILABLE;
	struct geo_index *fresh = app->grid_index(app->st);
	if (!fresh)
		return ERR_UNAVAILABLE;
	pthread_mutex_lock(&reload_lock);
	struct geo_index *old = app->grids;
	if (old) {
		app->retired = xrealloc(app->retired, (app->nretired + 1) * sizeof(*app->retired));
		app->retired[app->nretired++] = old;
	}
	__atomic_store_n(&app->grids, fresh, __ATOMIC_RELEASE);
	__atomic_store_n(&app->ev.grids, fresh, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&reload_lock);
	return 0;
}

void api_grids_release(struct app *app)
{
	geo_index_free(app->grids);
	app->grids = NULL;
	app->ev.grids = NULL;
	for (size_t i = 0; i < app->nretired; i++)
		geo_index_free(app->retired[i]);
	free(app->retired);
	app->retired = NULL;
	app->nretired = 0;
}

static int audit(void *ctx, enum import_kind kind, const char *detail)
{
	struct audit_ctx *c = ctx;
	return api_audit(c->app, c->r, c->who, "config.import", import_kind_name(kind), "ok", "%s",
			 detail);
}

int h_import(struct app *app, struct http_request *r, struct principal *who, json_t *body)
{
	(void)body;
	enum import_kind kind;
	if (import_kind_parse(r->params[0], &kind))
		return http_error(r, ERR_NOT_FOUND,
				  "no import of '%.20s': divisions, grids or population",
				  r->params[0]);
	const char *dr = http_query(r, "dry_run");
	bool dry_run = false;
	if (dr && (!strcmp(dr, "true") || !strcmp(dr, "1")))
		dry_run = true;
	else if (dr && strcmp(dr, "false") && strcmp(dr, "0"))
		return http_error(r, ERR_BAD_QUERY,
				  "query parameter 'dry_run' must be true or false");
	if (!r->upload_path || !r->upload_len)
		return http_error(r, ERR_MISSING, "send the file as the request body");
	/* a spreadsheet (zip), an image or UTF-16 has NUL bytes early on: say
	 * what to send instead of failing on its first line */
	if (memchr(r->upload_head, 0, r->upload_head_len))
		return http_error(r, ERR_MEDIA_TYPE,
				  "send a text file: CSV or GeoJSON in UTF-8 (save a spreadsheet "
				  "as CSV UTF-8)");
	struct audit_ctx ctx = { app, r, who };
	struct import_opts o = { .name = NULL,
				 .dry_run = dry_run,
				 .user_id = who->user_id,
				 .now = app->now(),
				 .audit = audit,
				 .ctx = &ctx };
	struct import_report rep;
	int err = import_file(app->st, kind, r->upload_path, &o, &rep);
	if (err == ERR_BAD_FILE)
		return http_error(r, err, "%s; nothing imported", rep.why);
	if (err)
		return err;
	json_t *j = json_pack("{s:s,s:b,s:b,s:I,s:I,s:I,s:I}", "kind", import_kind_name(kind),
			      "dry_run", dry_run, "imported", !dry_run, "rows",
			      (json_int_t)rep.rows, "created", (json_int_t)rep.created, "updated",
			      (json_int_t)rep.updated, "unchanged", (json_int_t)rep.unchanged);
	/* new reports and locate use the imported grids at once; should the
	 * index not be rebuilt, the answer says a restart is needed */
	if (kind == IMPORT_GRIDS && !dry_run && api_grids_reload(app))
		json_object_set_new(j, "restart_to_locate", json_true());
	http_reply_json(r, 200, j);
	return 0;
}
