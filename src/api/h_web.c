/*
 * h_web.c - the built web application (web/dist) served at / ; see api.h.
 *
 * Design: the whole folder is read into memory once at start (a Vite build
 * is a few MB), each file with its type, length and a strong ETag (the
 * first 16 hex digits of its SHA-256), in a table sorted by path. A request
 * is a binary search, then a pointer into memory: no file system access,
 * so no path can reach outside the folder (a path with "..", a backslash,
 * NUL or an empty segment is refused before the lookup anyway).
 *
 * Caching: hashed assets under assets/ never change under their name and
 * are `public, max-age=31536000, immutable`; index.html and other files
 * are `no-cache` (revalidated with If-None-Match, answered 304).
 *
 * SPA fallback: a GET/HEAD that matches no API route, is not under /api/
 * or /open311/ (nor /healthz, /metrics) and whose last segment has no file
 * extension answers index.html, so the client-side router owns the path.
 *
 * Caveat: a rebuilt web/dist is picked up at the next start.
 */
#include "api/api.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/sec.h"
#include "core/str.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define WEB_MAX_FILES 20000
#define WEB_MAX_BYTES (256u << 20) /* all files together */
#define WEB_MAX_DEPTH 16

struct web_file {
	char *path; /* relative, no leading slash: "assets/index-3f2a.js" */
	char *data;
	size_t len;
	const char *type;
	char etag[20]; /* "\"" 16 hex digits "\"" */
	bool immutable;
};

struct web {
	char *dir;
	struct web_file *files;
	size_t n, cap, bytes;
	bool has_index;
};

static const struct {
	const char *ext, *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "json", "application/json; charset=utf-8" },
	{ "map", "application/json; charset=utf-8" },
	{ "webmanifest", "application/manifest+json; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "xml", "application/xml; charset=utf-8" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "ico", "image/x-icon" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },
	{ "otf", "font/otf" },
	{ "wasm", "application/wasm" },
	{ "pdf", "application/pdf" },
	{ "geojson", "application/geo+json" },
};

static const char *type_of(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	if (!dot || (slash && dot < slash))
		return "application/octet-stream";
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcasecmp(dot + 1, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static int read_file(const char *full, size_t size, char **out)
{
	FILE *f = fopen(full, "rb");
	if (!f)
		return ERR_IO;
	char *buf = xmalloc(size ? size : 1);
	size_t got = fread(buf, 1, size, f);
	fclose(f);
	if (got != size) {
		free(buf);
		return ERR_IO;
	}
	*out = buf;
	return 0;
}

static int add_file(struct web *w, const char *rel, const char *full, size_t size, char *why,
		    size_t whylen)
{
	if (w->n == WEB_MAX_FILES || size > WEB_MAX_BYTES - w->bytes) {
		snprintf(why, whylen, "'%s' holds more than %d files or %u MiB", w->dir,
			 WEB_MAX_FILES, WEB_MAX_BYTES >> 20);
		return ERR_TOO_LARGE;
	}
	struct web_file f = { 0 };
	if (read_file(full, size, &f.data)) {
		snprintf(why, whylen, "cannot read '%s'", full);
		return ERR_IO;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->files = xrealloc(w->files, w->cap * sizeof(*w->files));
	}
	f.path = xstrdup(rel);
	f.len = size;
	f.type = type_of(rel);
	f.immutable = str_starts_with(rel, "assets/");
	struct sec_hash *h = sec_hash_new(SEC_SHA256);
	char hex[65];
	sec_hash_update(h, f.data, f.len);
	sec_hash_final_hex(h, hex);
	snprintf(f.etag, sizeof(f.etag), "\"%.16s\"", hex);
	w->files[w->n++] = f;
	w->bytes += size;
	if (!strcmp(rel, "index.html"))
		w->has_index = true;
	return 0;
}

static int walk(struct web *w, const char *full, const char *rel, int depth, char *why,
		size_t whylen)
{
	DIR *d = opendir(full);
	if (!d) {
		snprintf(why, whylen, "cannot open folder '%s': %s", full, strerror(errno));
		return ERR_IO;
	}
	int err = 0;
	struct dirent *de;
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* ., .., and hidden files are not part of a build */
		size_t fl = strlen(full) + strlen(de->d_name) + 2;
		size_t rl = strlen(rel) + strlen(de->d_name) + 2;
		char *cf = xmalloc(fl), *cr = xmalloc(rl);
		snprintf(cf, fl, "%s/%s", full, de->d_name);
		snprintf(cr, rl, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		struct stat sb;
		if (stat(cf, &sb)) {
			/* a dangling link: skip it */
		} else if (S_ISDIR(sb.st_mode)) {
			if (depth < WEB_MAX_DEPTH)
				err = walk(w, cf, cr, depth + 1, why, whylen);
		} else if (S_ISREG(sb.st_mode)) {
			err = add_file(w, cr, cf, (size_t)sb.st_size, why, whylen);
		}
		free(cf);
		free(cr);
	}
	closedir(d);
	return err;
}

static int by_path(const void *x, const void *y)
{
	return strcmp(((const struct web_file *)x)->path, ((const struct web_file *)y)->path);
}

int web_load(const char *dir, struct web **out, char *why, size_t whylen)
{
	struct web *w = xcalloc(1, sizeof(*w));
	w->dir = xstrdup(dir);
	*out = w;
	struct stat sb;
	if (!*dir || stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
		snprintf(why, whylen, "no web app in '%s' (build it: cd web && npm run build)",
			 dir);
		return ERR_NOT_FOUND;
	}
	int err = walk(w, dir, "", 0, why, whylen);
	if (err)
		return err;
	if (w->n)
		qsort(w->files, w->n, sizeof(*w->files), by_path);
	if (!w->has_index) {
		snprintf(why, whylen, "'%s' has no index.html (build it: cd web && npm run build)",
			 dir);
		return ERR_NOT_FOUND;
	}
	return 0;
}

void web_free(struct web *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->files[i].path);
		free(w->files[i].data);
	}
	free(w->files);
	free(w->dir);
	free(w);
}

size_t web_count(const struct web *w, size_t *bytes)
{
	if (bytes)
		*bytes = w ? w->bytes : 0;
	return w ? w->n : 0;
}

bool web_path(const char *path)
{
	static const char *const api[] = { "/api", "/open311", "/healthz", "/metrics" };
	if (path[0] != '/')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(api); i++) {
		size_t n = strlen(api[i]);
		if (!strncmp(path, api[i], n) && (path[n] == '\0' || path[n] == '/'))
			return false;
	}
	return true;
}

static const struct web_file *find(const struct web *w, const char *rel)
{
	if (!w || !w->n)
		return NULL;
	struct web_file key = { .path = (char *)rel };
	return bsearch(&key, w->files, w->n, sizeof(*w->files), by_path);
}

/* ".." or "." segments, empty segments, backslashes: never a file of ours */
static bool safe(const char *rel)
{
	if (strchr(rel, '\\'))
		return false;
	for (const char *s = rel; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n + (e ? 1 : 0);
		if (e && !*s)
			return false; /* a trailing slash */
	}
	return true;
}

/* If-None-Match: a list of entity tags or "*"; weak comparison (W/ ignored) */
static bool not_modified(struct http_request *r, const char *etag)
{
	const char *h = http_header(r, "If-None-Match");
	if (!h)
		return false;
	size_t el = strlen(etag);
	for (const char *p = h; *p;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return true;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (!strncmp(p, etag, el))
			return true;
		const char *c = strchr(p, ',');
		if (!c)
			break;
		p = c;
	}
	return false;
}

static int no_app(struct web *w, struct http_request *r)
{
	const char *dir = w ? w->dir : "";
	const char *accept = http_header(r, "Accept");
	if (accept && strstr(accept, "text/html")) {
		char *page = arena_printf(
			r->arena,
			"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
			"<title>Pingan 平安</title><h1>Pingan 平安</h1>"
			"<p>网页端尚未构建。The web app is not built: run <code>cd web &amp;&amp; "
			"npm ci &amp;&amp; npm run build</code>, or set <code>web_dir</code> "
			"(now: <code>%s</code>), then restart <code>pingan serve</code>.</p>"
			"<p>The API answers under <a href=\"/healthz\">/healthz</a> and "
			"<code>/api/v1/</code>.</p></html>\n",
			*dir ? dir : "(empty)");
		http_reply_text(r, 404, "text/html; charset=utf-8", page, strlen(page));
		return 0;
	}
	return http_error(r, ERR_NO_ROUTE,
			  "no endpoint at '%.100s': the web app is not built (cd web && npm run "
			  "build) or web_dir '%s' holds none; the API works under /api/v1/",
			  r->path, dir);
}

int web_serve(struct web *w, struct http_request *r)
{
	const char *rel = r->path + 1;
	if (!safe(*rel ? rel : "index.html") || strlen(rel) > 1024)
		return http_error(r, ERR_NO_ROUTE, "no endpoint or file at '%.100s'", r->path);
	const struct web_file *f = *rel ? find(w, rel) : NULL;
	if (!f) {
		const char *last = strrchr(r->path, '/');
		if (strchr(last, '.'))
			return http_error(r, ERR_NO_ROUTE, "no endpoint or file at '%.100s'",
					  r->path);
		/* a client-side route: the app decides */
		if (!w || !w->has_index)
			return no_app(w, r);
		f = find(w, "index.html");
	}
	r->route = "(web)"; /* the metrics label of every file served */
	http_add_header(r, "ETag", f->etag);
	http_add_header(r, "Cache-Control",
			f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
	if (not_modified(r, f->etag)) {
		http_reply_text(r, 304, NULL, NULL, 0);
		return 0;
	}
	http_reply_text(r, 200, f->type, f->data, f->len);
	return 0;
}
