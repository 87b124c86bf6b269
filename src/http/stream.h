/*
 * stream.h - event streams inside the HTTP layer (server.c and stream.c
 * only; handlers use the http_stream_* functions of server.h).
 *
 * A hub holds the open streams, bounded by max_streams, and a thread that
 * ticks each stream every heartbeat (and within a second of a poke).
 */
#ifndef PINGAN_HTTP_STREAM_H
#define PINGAN_HTTP_STREAM_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>

#include "http/server.h"

struct stream_hub {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct http_stream *head;
	int count, max, heartbeat;
	http_stream_tick_fn tick;
	void (*free_data)(void *data);
	void *ctx;
	struct http_server *srv;
	pthread_t thread;
	bool running, stop;
};

/* The server's hub (server.c). */
struct stream_hub *http_server_hub(struct http_server *srv);
/* Sets the hub up and starts its thread when max_streams > 0. */
void stream_hub_start(struct stream_hub *h, const struct http_options *opt, void *ctx,
		      struct http_server *srv);
/* Ends every stream (each finishes sending what is queued) and stops the thread. */
void stream_hub_stop(struct stream_hub *h);
/* A new stream on connection c, counted in the hub; NULL when it is full. */
struct http_stream *stream_new(struct stream_hub *h, struct MHD_Connection *c, void *data);
/* The response that feeds it (the stream is freed with the response). */
struct MHD_Response *stream_response(struct http_stream *s);
/* Drops a stream whose response could not be queued. */
void stream_abandon(struct http_stream *s);

#endif
