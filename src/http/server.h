/*
 * server.h - the HTTP front: libmicrohttpd with a thread pool, a per-request
 * arena, body limits, JSON error bodies, access log, metrics and graceful
 * shutdown.
 *
 * The server knows nothing of routes or users: it collects a request into a
 * struct http_request and hands it to one callback (api_dispatch). The
 * callback fills the response fields or returns a negative ERR_*, which the
 * server renders as {"error":{"code":SLUG,"message":...}} with the table's
 * status. The request's arena is created with the request and freed in the
 * request-completed callback, after the response is sent.
 */
#ifndef PINGAN_HTTP_SERVER_H
#define PINGAN_HTTP_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/arena.h"

struct http_conn; /* opaque: the libmicrohttpd connection */

#define HTTP_MAX_PARAMS  4
#define HTTP_MAX_HEADERS 12

struct http_request {
	struct arena *arena;
	struct http_conn *conn;
	const char *method;
	const char *path; /* decoded path, without the query */
	const char *ip;   /* peer address as text */
	bool tls;         /* arrived over HTTPS */
	char id[20];      /* request id, also sent as X-Request-Id */
	const char *body; /* NUL-terminated; NULL when there was none */
	size_t body_len;
	/* an upload: the body is in this file (deleted after the request unless
	 * the handler renames it away), with its size, digest and first bytes */
	const char *upload_path;
	size_t upload_len;
	char upload_sha256[65]; /* its address in the attachments folder */
	char upload_sm3[65];    /* and its SM3 (GB/T 32905), kept with it */
	unsigned char upload_head[32];
	size_t upload_head_len;
	const char *params[HTTP_MAX_PARAMS]; /* {name} segments of the route */
	int nparams;
	/* filled by the handler */
	const char *route; /* route pattern, the metrics label; "" if none matched */
	const char *user;  /* user name for the access log, if known */
	int status;        /* 0: 200 */
	json_t *json;      /* response body (owned: the arena releases it) */
	const char *text;  /* or a raw body */
	size_t text_len;
	const char *text_type;
	const char *err_detail; /* message for an error return; default otherwise */
	struct {
		const char *name, *value;
	} headers[HTTP_MAX_HEADERS];
	int nheaders;
};

typedef int (*http_handler_fn)(void *ctx, struct http_request *r);

/* An open event stream (text/event-stream): see stream.c. */
struct http_stream;
/* Called on the server's stream thread for a stream that is due: beat is
 * true every stream_heartbeat seconds, false after http_stream_poke().
 * Returns false to end the stream. */
typedef bool (*http_stream_tick_fn)(void *ctx, struct http_stream *s, void *data, bool beat);

struct http_options {
	const char *listen; /* "ADDR:PORT"; port 0 picks a free one */
	int threads;
	int max_connections;
	int per_ip_connections;
	int connection_timeout;   /* seconds */
	size_t connection_memory; /* bytes */
	size_t max_body;          /* bytes: 413 past it */
	bool access_log;
	/* uploads: requests for which upload_route(ctx, method, path) is true
	 * stream their body into a file in upload_dir (up to max_upload bytes,
	 * hashed with SHA-256 on the way) instead of memory */
	size_t max_upload;
	const char *upload_dir;
	bool (*upload_route)(void *ctx, const char *method, const char *path);
	/* event streams: at most max_streams open (0: none), a tick every
	 * stream_heartbeat seconds each; stream_free releases a stream's data */
	int max_streams;
	int stream_heartbeat;
	http_stream_tick_fn stream_tick;
	void (*stream_free)(void *data);
	/* HTTPS: PEM texts of the certificate (chain) and its private key; both
	 * NULL for plain HTTP. Answers over TLS carry Strict-Transport-Security. */
	const char *tls_cert_pem;
	const char *tls_key_pem;
};

struct http_server;

/* Starts serving. 0, ERR_INVALID (bad listen address), ERR_UNAVAILABLE
 * (TLS asked for, libmicrohttpd built without it) or ERR_IO (cannot bind,
 * or a certificate/key GnuTLS does not accept); why gets a message. */
int http_server_start(const struct http_options *opt, http_handler_fn fn, void *ctx,
		      struct http_server **out, char *why, size_t whylen);
/* The bound port. */
int http_server_port(const struct http_server *s);
/* Stops accepting, waits up to grace_ms for in-flight requests, stops. */
void http_server_stop(struct http_server *s, int grace_ms);

/* Request accessors (values live as long as the request). */
const char *http_query(struct http_request *r, const char *key);
const char *http_header(struct http_request *r, const char *name);
const char *http_cookie(struct http_request *r, const char *name);
/* Adds a response header (name and value must outlive the request). */
void http_add_header(struct http_request *r, const char *name, const char *value);
/* Sets a JSON response; takes the reference to v. */
void http_reply_json(struct http_request *r, int status, json_t *v);
/* Answers with a file's contents (opened now; ERR_NOT_FOUND if it cannot be). */
int http_reply_file(struct http_request *r, int status, const char *type, const char *path);
/* Sets a raw response body. */
void http_reply_text(struct http_request *r, int status, const char *type, const char *body,
		     size_t len);
/* A streamed body: fills buf with up to max bytes and returns how many;
 * 0 at the end, negative to abort the answer (the connection is closed). */
typedef ssize_t (*http_body_fn)(void *ctx, char *buf, size_t max);
/* Answers with a body produced while it is sent (chunked), by fn on a
 * worker thread; ctx is released with release_ctx when the answer is done
 * (also if it is never sent). ctx must not point into the request. */
void http_reply_callback(struct http_request *r, int status, const char *type, http_body_fn fn,
			 void *ctx, void (*release_ctx)(void *ctx));
/* Answers with an event stream that stays open: the response is a
 * text/event-stream fed by http_stream_send(); the connection is suspended
 * while there is nothing to send, so it holds no worker thread. data is the
 * caller's (released with opt.stream_free when the stream ends). 0, or
 * ERR_UNAVAILABLE when max_streams are open (data stays the caller's). */
int http_reply_stream(struct http_request *r, void *data, struct http_stream **out);
/* Queues bytes on a stream and wakes it. A client that lets more than
 * HTTP_STREAM_QUEUE bytes pile up is too slow: its stream ends. */
#define HTTP_STREAM_QUEUE (256 * 1024)
void http_stream_send(struct http_stream *s, const char *text, size_t len);
/* Asks for a tick (beat false) within a second. */
void http_stream_poke(struct http_stream *s);
/* Calls fn for every open stream (under the streams' lock: fn may send and
 * poke, but not block). */
void http_stream_each(struct http_server *srv,
		      void (*fn)(void *ctx, struct http_stream *s, void *data), void *ctx);
/* Open streams now. */
int http_stream_count(struct http_server *srv);
/* The server a request arrived at. */
struct http_server *http_request_server(struct http_request *r);

/* Records detail for an error return: return http_error(r, ERR_X, "...") */
int http_error(struct http_request *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
