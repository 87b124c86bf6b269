/*
 * server.c - libmicrohttpd glue; see server.h.
 *
 * Request life: the first access-handler call creates the request (arena,
 * id) and checks Content-Length against the body limit, answering 413 at
 * once when it is too big; following calls append upload data to a bounded
 * buffer (a chunked body that outgrows it is drained and answered 413); the
 * last call dispatches and queues the response. libmicrohttpd calls
 * completed() after the response has been sent or the connection died: that
 * is where the access-log line is written and the arena freed.
 *
 * Slow clients: a watchdog thread cuts off a connection whose request head
 * takes longer than the connection timeout (see watchdog()).
 *
 * Shutdown: MHD_quiesce_daemon() stops accepting, in-flight requests finish
 * (bounded wait), then the daemon stops.
 *
 * Every answer carries the security headers (queue()): a Content-Security-
 * Policy for a single-page app served from this origin with no inline
 * script, nosniff, frame-ancestors 'none' and X-Frame-Options, no referrer,
 * and over TLS Strict-Transport-Security. libmicrohttpd sends no Server
 * header unless asked, and we never ask: no version banner.
 */
#include "http/server.h"
#include "http/metrics.h"
#include "http/stream.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/sec.h"
#include "core/str.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

/* One TCP connection, watched for the request-head deadline (see
 * watchdog()). */
struct watch {
	int fd;
	struct timespec since; /* when it began waiting for a request head */
	bool reading_head, cut;
	struct watch *prev, *next;
};

struct http_server {
	struct MHD_Daemon *d;
	struct http_options opt;
	http_handler_fn fn;
	void *ctx;
	int port;
	bool tls;
	atomic_int active;
	struct stream_hub hub;
	/* the request-head deadline */
	pthread_mutex_t wlock;
	pthread_cond_t wcond;
	struct watch *watches;
	bool wstop;
	pthread_t watchdog;
};

struct req_state {
	struct http_request r;
	struct http_server *srv;
	struct http_stream *stream; /* an event stream answer */
	struct body_cb *body_cb;    /* a streamed answer */
	struct strbuf body;
	struct timespec start;
	bool too_large, done;
	size_t sent;
	/* an upload streamed to a file */
	bool upload;
	int fd;
	char tmp[4096];
	struct sec_hash *hash, *hash_sm3;
	int upload_errno; /* why writing it failed */
	/* a file response */
	int out_fd;
	size_t out_len;
	bool tls; /* the connection is HTTPS */
};

#define CONN(r) ((struct MHD_Connection *)(void *)(r)->conn)

static double since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static const char *method_label(const char *m)
{
	static const char *const known[] = { "GET",    "POST", "PUT",    "PATCH",
					     "DELETE", "HEAD", "OPTIONS" };
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(m, known[i]))
			return known[i];
	return "OTHER";
}

const char *http_query(struct http_request *r, const char *key)
{
	return MHD_lookup_connection_value(CONN(r), MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(CONN(r), MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(CONN(r), MHD_COOKIE_KIND, name);
}

void http_add_header(struct http_request *r, const char *name, const char *value)
{
	if (r->nheaders == HTTP_MAX_HEADERS)
		BUG("too many response headers");
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders].value = value;
	r->nheaders++;
}

static void json_release(void *p)
{
	json_decref(p);
}

void http_reply_json(struct http_request *r, int status, json_t *v)
{
	r->status = status;
	r->json = v;
	if (v)
		arena_defer(r->arena, json_release, v);
}

int http_reply_file(struct http_request *r, int status, const char *type, const char *path)
{
	struct req_state *s = (struct req_state *)(void *)r; /* r is the first member */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0)
		return ERR_NOT_FOUND;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return ERR_NOT_FOUND;
	}
	s->out_fd = fd;
	s->out_len = (size_t)sb.st_size;
	r->status = status;
	r->text_type = type;
	r->text = NULL;
	r->json = NULL;
	return 0;
}

struct body_cb {
	http_body_fn fn;
	void *ctx;
	void (*release)(void *ctx);
};

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct body_cb *b = cls;
	ssize_t n = b->fn(b->ctx, buf, max);
	return n > 0    ? n
	       : n == 0 ? MHD_CONTENT_READER_END_OF_STREAM
			: MHD_CONTENT_READER_END_WITH_ERROR;
}

static void body_free(void *cls)
{
	struct body_cb *b = cls;
	if (b->release)
		b->release(b->ctx);
	free(b);
}

void http_reply_callback(struct http_request *r, int status, const char *type, http_body_fn fn,
			 void *ctx, void (*release_ctx)(void *ctx))
{
	struct req_state *s = (struct req_state *)(void *)r;
	if (s->body_cb)
		body_free(s->body_cb);
	s->body_cb = xmalloc(sizeof(*s->body_cb));
	*s->body_cb = (struct body_cb){ fn, ctx, release_ctx };
	r->status = status;
	r->json = NULL;
	r->text = NULL;
	r->text_type = type;
}

struct stream_hub *http_server_hub(struct http_server *srv)
{
	return &srv->hub;
}

struct http_server *http_request_server(struct http_request *r)
{
	return ((struct req_state *)(void *)r)->srv;
}

int http_reply_stream(struct http_request *r, void *data, struct http_stream **out)
{
	struct req_state *s = (struct req_state *)(void *)r;
	struct http_stream *st = stream_new(&s->srv->hub, CONN(r), data);
	if (!st)
		return ERR_UNAVAILABLE;
	s->stream = st;
	r->status = 200;
	r->json = NULL;
	r->text = NULL;
	r->text_type = "text/event-stream; charset=utf-8";
	*out = st;
	return 0;
}

void http_reply_text(struct http_request *r, int status, const char *type, const char *body,
		     size_t len)
{
	r->status = status;
	r->text = body;
	r->text_len = len;
	r->text_type = type;
}

int http_error(struct http_request *r, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->err_detail = arena_vprintf(r->arena, fmt, ap);
	va_end(ap);
	return err;
}

static void error_body(struct http_request *r, int err)
{
	const char *msg = r->err_detail ? r->err_detail : err_message(err);
	if (!str_utf8_valid(msg, strlen(msg))) {
		/* a detail may quote client bytes, or cut a character in half */
		char *clean = str_utf8_scrub(msg);
		msg = arena_strdup(r->arena, clean);
		free(clean);
	}
	json_t *body = json_pack("{s:{s:s,s:s}}", "error", "code", err_name(err), "message", msg);
	r->json = NULL;
	r->text = NULL;
	http_reply_json(r, err_status(err), body);
}

/* Scripts only from this origin (a built Vue app: no inline script, no
 * eval); styles may be inline because component libraries set style
 * attributes; images from data:/blob: URLs for previews; nothing may frame
 * the app, no plugins, forms and <base> only to this origin. */
#define CSP                                                                         \
	"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " \
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "   \
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

static enum MHD_Result queue(struct MHD_Connection *c, struct req_state *s)
{
	struct http_request *r = &s->r;
	const char *type = "application/json; charset=utf-8";
	char *buf;
	size_t len;
	if (r->json) {
		/* render once into a guess; only a bigger answer renders twice */
		const size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(12);
		size_t cap = 16384;
		buf = arena_alloc(r->arena, cap);
		len = json_dumpb(r->json, buf, cap - 1, flags);
		if (len >= cap - 1) {
			buf = arena_alloc(r->arena, len + 1);
			len = json_dumpb(r->json, buf, len, flags);
		}
		buf[len++] = '\n';
	} else if (r->text) {
		buf = (char *)r->text;
		len = r->text_len;
		type = r->text_type;
	} else {
		buf = "";
		len = 0;
	}
	struct MHD_Response *resp;
	bool streaming = (s->stream || s->body_cb) && !r->json;
	if (s->body_cb && !r->json) {
		/* the body's context is freed with the response from here on */
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, body_read,
							 s->body_cb, body_free);
		if (!resp)
			body_free(s->body_cb);
		s->body_cb = NULL;
		len = 0;
		type = r->text_type;
	} else if (streaming) {
		/* the stream is freed with the response from here on */
		resp = stream_response(s->stream);
		if (!resp)
			stream_abandon(s->stream);
		s->stream = NULL;
		len = 0;
		type = r->text_type;
	} else if (s->out_fd >= 0 && !r->json) {
		/* libmicrohttpd owns the descriptor from here and closes it */
		resp = MHD_create_response_from_fd(s->out_len, s->out_fd);
		if (resp) {
			s->out_fd = -1;
			len = s->out_len;
			type = r->text_type;
		}
	} else {
		resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_PERSISTENT);
	}
	s->sent = len;
	if (!resp)
		return MHD_NO;
	if (len || r->json || streaming)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	if (s->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=31536000; includeSubDomains");
	bool cache_set = false;
	for (int i = 0; i < r->nheaders; i++) {
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
		if (!strcasecmp(r->headers[i].name, "Cache-Control"))
			cache_set = true;
	}
	if (!cache_set)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)(r->status ? r->status : 200), resp);
	MHD_destroy_response(resp);
	return ret;
}

static void new_request(struct http_server *srv, struct MHD_Connection *c, const char *url,
			const char *method, struct req_state *s)
{
	memset(s, 0, sizeof(*s));
	s->srv = srv;
	s->fd = s->out_fd = -1;
	s->tls = srv->tls;
	s->r.tls = srv->tls;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	struct http_request *r = &s->r;
	r->arena = arena_new();
	r->conn = (struct http_conn *)(void *)c;
	r->method = arena_strdup(r->arena, method);
	r->path = arena_strdup(r->arena, url);
	r->route = "";
	unsigned char rnd[8];
	sec_random(rnd, sizeof(rnd));
	sec_hex(rnd, sizeof(rnd), r->id);
	strbuf_init(&s->body, srv->opt.max_body);
	char ip[INET6_ADDRSTRLEN] = "unknown";
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip,
				  sizeof(ip));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip,
				  sizeof(ip));
	}
	r->ip = arena_strdup(r->arena, ip);
}

static int start_upload(struct http_server *srv, struct req_state *s)
{
	snprintf(s->tmp, sizeof(s->tmp), "%s/upload-XXXXXX", srv->opt.upload_dir);
	s->fd = mkstemp(s->tmp);
	if (s->fd < 0) {
		log_error("cannot create an upload file in '%s'", srv->opt.upload_dir);
		s->tmp[0] = '\0';
		return ERR_IO;
	}
	s->hash = sec_hash_new(SEC_SHA256);
	s->hash_sm3 = sec_hash_new(SEC_SM3);
	return 0;
}

static void upload_chunk(struct http_server *srv, struct req_state *s, const char *data, size_t n)
{
	struct http_request *r = &s->r;
	if (s->too_large || s->fd < 0)
		return;
	if (n > srv->opt.max_upload || r->upload_len > srv->opt.max_upload - n) {
		s->too_large = true;
		return;
	}
	if (r->upload_head_len < sizeof(r->upload_head)) {
		size_t k = sizeof(r->upload_head) - r->upload_head_len;
		if (k > n)
			k = n;
		memcpy(r->upload_head + r->upload_head_len, data, k);
		r->upload_head_len += k;
	}
	sec_hash_update(s->hash, data, n);
	sec_hash_update(s->hash_sm3, data, n);
	for (size_t off = 0; off < n;) {
		ssize_t w = write(s->fd, data + off, n - off);
		if (w <= 0) {
			s->upload_errno = w < 0 ? errno : ENOSPC;
			log_error("writing an upload failed: %s", strerror(s->upload_errno));
			close(s->fd);
			s->fd = -1;
			return;
		}
		off += (size_t)w;
	}
	r->upload_len += n;
}

static int finish_upload(struct req_state *s)
{
	struct http_request *r = &s->r;
	if (s->fd < 0 || fsync(s->fd) || close(s->fd)) {
		if (s->fd >= 0) {
			s->upload_errno = s->upload_errno ? s->upload_errno : errno;
			close(s->fd);
		}
		s->fd = -1;
		return ERR_IO;
	}
	s->fd = -1;
	sec_hash_final_hex(s->hash, r->upload_sha256);
	s->hash = NULL;
	sec_hash_final_hex(s->hash_sm3, r->upload_sm3);
	s->hash_sm3 = NULL;
	r->upload_path = s->tmp;
	return 0;
}

/*
 * Slow clients. libmicrohttpd's connection timeout counts idle time, so a
 * client that sends its request head a byte at a time (slowloris) would
 * hold a connection for ever. Each connection is therefore watched from
 * its start, and again from the end of each response, until its next
 * request head is complete; one that takes longer than connection_timeout
 * seconds is shut down by the watchdog thread. libmicrohttpd reports the
 * closing of a connection before it closes the socket, and the watch is
 * unlinked then, under the lock the watchdog holds: it never shuts down a
 * descriptor that was reused.
 */
static struct watch *watch_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		c ? MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
	return ci ? ci->socket_context : NULL;
}

static void head_wait(struct http_server *srv, struct MHD_Connection *c, bool waiting)
{
	struct watch *w = watch_of(c);
	if (!w)
		return;
	pthread_mutex_lock(&srv->wlock);
	w->reading_head = waiting;
	clock_gettime(CLOCK_MONOTONIC, &w->since);
	pthread_mutex_unlock(&srv->wlock);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;
	struct watch *w = *socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci)
			return;
		w = xcalloc(1, sizeof(*w));
		w->fd = ci->connect_fd;
		w->reading_head = true;
		clock_gettime(CLOCK_MONOTONIC, &w->since);
		pthread_mutex_lock(&srv->wlock);
		w->next = srv->watches;
		if (w->next)
			w->next->prev = w;
		srv->watches = w;
		pthread_mutex_unlock(&srv->wlock);
		*socket_context = w;
	} else if (w) {
		pthread_mutex_lock(&srv->wlock);
		if (w->prev)
			w->prev->next = w->next;
		else
			srv->watches = w->next;
		if (w->next)
			w->next->prev = w->prev;
		pthread_mutex_unlock(&srv->wlock);
		free(w);
		*socket_context = NULL;
	}
}

static void *watchdog(void *p)
{
	struct http_server *srv = p;
	pthread_mutex_lock(&srv->wlock);
	while (!srv->wstop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&srv->wcond, &srv->wlock, &until);
		for (struct watch *w = srv->watches; w && !srv->wstop; w = w->next) {
			if (!w->reading_head || w->cut ||
			    since(&w->since) < (double)srv->opt.connection_timeout)
				continue;
			w->cut = true;
			shutdown(w->fd, SHUT_RDWR);
			metrics_slow_client();
			log_info(
				"a client took more than %d s to send a request head: disconnected",
				srv->opt.connection_timeout);
		}
	}
	pthread_mutex_unlock(&srv->wlock);
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct http_server *srv = cls;
	struct req_state *s = *con_cls;
	if (!s) {
		head_wait(srv, c, false);
		s = xmalloc(sizeof(*s));
		new_request(srv, c, url, method, s);
		*con_cls = s;
		atomic_fetch_add(&srv->active, 1);
		metrics_inflight(1);
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		long long n;
		size_t limit = srv->opt.max_body;
		if (srv->opt.upload_route && srv->opt.upload_route(srv->ctx, method, url)) {
			s->upload = true;
			limit = srv->opt.max_upload;
		}
		if (cl && !str_to_ll(cl, 0, (long long)1 << 62, &n) &&
		    (unsigned long long)n > limit) {
			s->too_large = true;
			s->done = true;
			error_body(&s->r, http_error(&s->r, ERR_TOO_LARGE,
						     "the body is %lld bytes, the limit is %zu", n,
						     limit));
			return queue(c, s);
		}
		if (s->upload && start_upload(srv, s)) {
			s->done = true;
			error_body(&s->r,
				   http_error(&s->r, ERR_UNAVAILABLE, "cannot store uploads now"));
			return queue(c, s);
		}
		return MHD_YES;
	}
	if (s->done) {
		*upload_size = 0; /* drain */
		return MHD_YES;
	}
	if (*upload_size) {
		if (s->upload)
			upload_chunk(srv, s, upload_data, *upload_size);
		else if (!s->too_large && strbuf_add(&s->body, upload_data, *upload_size))
			s->too_large = true;
		*upload_size = 0;
		return MHD_YES;
	}
	s->done = true;
	struct http_request *r = &s->r;
	if (s->too_large) {
		error_body(r, http_error(r, ERR_TOO_LARGE, "the body is larger than %zu bytes",
					 s->upload ? srv->opt.max_upload : srv->opt.max_body));
		return queue(c, s);
	}
	if (s->upload && finish_upload(s)) {
		if (s->upload_errno == ENOSPC)
			error_body(r, http_error(r, ERR_NO_SPACE, "no space left for the upload"));
		else
			error_body(r, http_error(r, ERR_IO, "the upload could not be stored"));
		return queue(c, s);
	}
	if (s->body.len) {
		r->body = arena_strndup(r->arena, s->body.buf, s->body.len);
		r->body_len = s->body.len;
	}
	strbuf_release(&s->body);
	int err = srv->fn(srv->ctx, r);
	if (err)
		error_body(r, err);
	return queue(c, s);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct req_state *s = *con_cls;
	head_wait(srv, c, true); /* the next request head, on a kept-alive connection */
	if (!s)
		return;
	struct http_request *r = &s->r;
	double secs = since(&s->start);
	int status = r->status ? r->status : 200;
	metrics_observe(method_label(r->method), r->route, status, secs);
	if (srv->opt.access_log) {
		char ts[40];
		log_timestamp(ts, sizeof(ts));
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb,
			    "{\"ts\":\"%s\",\"level\":\"info\",\"type\":\"access\",\"id\":\"%s\","
			    "\"method\":\"",
			    ts, r->id);
		strbuf_add_json_escaped(&sb, method_label(r->method));
		strbuf_addstr(&sb, "\",\"path\":\"");
		char *path = str_utf8_scrub(r->path);
		strbuf_add_json_escaped(&sb, path);
		free(path);
		strbuf_addstr(&sb, "\",\"route\":\"");
		strbuf_add_json_escaped(&sb, r->route);
		strbuf_addf(&sb, "\",\"status\":%d,\"ms\":%.3f,\"bytes\":%zu,\"ip\":\"%s\"", status,
			    secs * 1000.0, s->sent, r->ip);
		if (r->user) {
			strbuf_addstr(&sb, ",\"user\":\"");
			strbuf_add_json_escaped(&sb, r->user);
			strbuf_addstr(&sb, "\"");
		}
		if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
			strbuf_addf(&sb, ",\"aborted\":%d", (int)toe);
		strbuf_addstr(&sb, "}");
		log_line(strbuf_str(&sb));
		strbuf_release(&sb);
	}
	strbuf_release(&s->body);
	if (s->stream)
		stream_abandon(s->stream); /* opened, then answered with an error */
	if (s->body_cb)
		body_free(s->body_cb);
	if (s->fd >= 0)
		close(s->fd);
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->tmp[0])
		unlink(s->tmp); /* gone already if the handler kept it */
	sec_hash_free(s->hash);
	sec_hash_free(s->hash_sm3);
	arena_free(r->arena);
	free(s);
	*con_cls = NULL;
	metrics_inflight(-1);
	atomic_fetch_sub(&srv->active, 1);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return ERR_INVALID;
	char host[128];
	size_t hl = (size_t)(colon - listen);
	if (hl >= sizeof(host))
		return ERR_INVALID;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	long long port;
	if (str_to_ll(colon + 1, 0, 65535, &port))
		return ERR_INVALID;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return ERR_INVALID;
		*len = sizeof(*s6);
		return 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)port);
	if (!strcmp(host, "localhost"))
		str_copy(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return ERR_INVALID;
	*len = sizeof(*s4);
	return 0;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug("microhttpd: %s", msg);
}

int http_server_start(const struct http_options *opt, http_handler_fn fn, void *ctx,
		      struct http_server **out, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	if (parse_listen(opt->listen, &ss, &sl)) {
		snprintf(why, whylen, "listen address '%s' is not ADDR:PORT", opt->listen);
		return ERR_INVALID;
	}
	struct http_server *srv = xcalloc(1, sizeof(*srv));
	pthread_mutex_init(&srv->wlock, NULL);
	pthread_cond_init(&srv->wcond, NULL);
	srv->opt = *opt;
	srv->fn = fn;
	srv->ctx = ctx;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
			 MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	/* TLS 1.2 and 1.3 only (GnuTLS priority syntax) */
	struct MHD_OptionItem tls[4] = { { MHD_OPTION_END, 0, NULL } };
	if (opt->tls_cert_pem || opt->tls_key_pem) {
		if (!opt->tls_cert_pem || !opt->tls_key_pem) {
			snprintf(why, whylen, "TLS needs both a certificate and a key");
			free(srv);
			return ERR_INVALID;
		}
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(why, whylen, "this libmicrohttpd was built without TLS");
			free(srv);
			return ERR_UNAVAILABLE;
		}
		flags |= MHD_USE_TLS;
		srv->tls = true;
		tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
						  (void *)(uintptr_t)opt->tls_key_pem };
		tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						  (void *)(uintptr_t)opt->tls_cert_pem };
		tls[2] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						  "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" };
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	stream_hub_start(&srv->hub, opt, ctx, srv);
	srv->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)opt->threads, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)opt->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)opt->per_ip_connections, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)opt->connection_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		opt->connection_memory, MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_EXTERNAL_LOGGER,
		mhd_log, NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!srv->d) {
		snprintf(why, whylen,
			 srv->tls ? "cannot listen on '%s' (address in use or not permitted, or "
				    "the TLS certificate or key is not usable)"
				  : "cannot listen on '%s' (address in use or not permitted)",
			 opt->listen);
		stream_hub_stop(&srv->hub);
		pthread_mutex_destroy(&srv->wlock);
		pthread_cond_destroy(&srv->wcond);
		free(srv);
		return ERR_IO;
	}
	pthread_create(&srv->watchdog, NULL, watchdog, srv);
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : 0;
	*out = srv;
	return 0;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s, int grace_ms)
{
	if (!s)
		return;
	/* streams never end by themselves: end them first, so they count down
	 * with the other in-flight requests */
	stream_hub_stop(&s->hub);
	/* connections the kernel has queued but no busy worker has accepted yet
	 * would be reset when the listening socket closes: let the workers take
	 * them first (a listening socket's tcpi_unacked is its accept queue),
	 * for at most two seconds */
	const union MHD_DaemonInfo *li = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_LISTEN_FD);
	for (int waited = 0; li && waited < 2000 && waited < grace_ms; waited += 10) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		if (getsockopt(li->listen_fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ||
		    ti.tcpi_unacked == 0)
			break;
		usleep(10000);
	}
	MHD_socket fd = MHD_quiesce_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	for (int waited = 0; atomic_load(&s->active) > 0 && waited < grace_ms; waited += 10)
		usleep(10000);
	MHD_stop_daemon(s->d);
	pthread_mutex_lock(&s->wlock);
	s->wstop = true;
	pthread_cond_signal(&s->wcond);
	pthread_mutex_unlock(&s->wlock);
	pthread_join(s->watchdog, NULL);
	pthread_mutex_destroy(&s->wlock);
	pthread_cond_destroy(&s->wcond);
	free(s);
}
