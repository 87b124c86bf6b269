/*
 * stream.c - Server-Sent Events without a thread per client; see stream.h.
 *
 * libmicrohttpd runs a small thread pool (`threads`), so a stream must not
 * sit in a worker waiting for news. Each stream is a response fed by a
 * content-reader callback (MHD_create_response_from_callback, size unknown,
 * chunked): the callback hands over what is queued, and when the queue is
 * empty it suspends the connection (MHD_suspend_connection) and returns 0,
 * the pattern libmicrohttpd prescribes. A send or a tick resumes it
 * (MHD_resume_connection, thread-safe with the inter-thread channel). A
 * suspended connection costs a socket and a few hundred bytes, no thread
 * and no timeout; the heartbeat resumes it every few seconds, which is also
 * when a client that went away is noticed (the write fails and the
 * connection ends).
 *
 * Locks: the hub's lock guards the list, the count and the references;
 * each stream's own lock guards its queue and its flags, so a suspend and a
 * resume never cross. The order is always hub, then stream. A stream
 * leaves the list in the response's free callback, when libmicrohttpd is
 * done with the connection: it is marked gone there (no one resumes it
 * again), and freed when the ticker, which ticks without the hub's lock,
 * has let go of it too.
 */
#include "http/stream.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct http_stream {
	struct stream_hub *hub;
	struct MHD_Connection *conn;
	void *data;
	pthread_mutex_t lock;
	struct strbuf q; /* bytes not yet handed to libmicrohttpd */
	size_t off;      /* of q, already handed over */
	bool suspended, closing, poked;
	bool gone; /* libmicrohttpd is done with the connection */
	int refs;  /* the response's, and the ticker's while it ticks (hub lock) */
	time_t next_beat;
	struct http_stream *next;
};

static void wake(struct http_stream *s)
{
	if (s->suspended && !s->gone) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
}

void http_stream_send(struct http_stream *s, const char *text, size_t len)
{
	pthread_mutex_lock(&s->lock);
	if (!s->closing) {
		if (s->q.len - s->off + len > HTTP_STREAM_QUEUE) {
			/* the client reads slower than we write: let it reconnect */
			log_warn("event stream: client too slow, %zu bytes queued; ending it",
				 s->q.len - s->off);
			s->closing = true;
		} else {
			strbuf_add(&s->q, text, len);
		}
	}
	wake(s);
	pthread_mutex_unlock(&s->lock);
}

void http_stream_poke(struct http_stream *s)
{
	pthread_mutex_lock(&s->lock);
	s->poked = true;
	pthread_mutex_unlock(&s->lock);
}

static void end(struct http_stream *s)
{
	pthread_mutex_lock(&s->lock);
	s->closing = true;
	wake(s);
	pthread_mutex_unlock(&s->lock);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct http_stream *s = cls;
	ssize_t n = 0;
	pthread_mutex_lock(&s->lock);
	size_t left = s->q.len - s->off;
	if (left) {
		size_t k = left < max ? left : max;
		memcpy(buf, s->q.buf + s->off, k);
		s->off += k;
		if (s->off == s->q.len) {
			s->q.len = s->off = 0;
			s->q.buf[0] = '\0';
		}
		n = (ssize_t)k;
	} else if (s->closing) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		/* nothing to say: park the connection until a send or a tick */
		s->suspended = true;
		MHD_suspend_connection(s->conn);
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void destroy(struct http_stream *s)
{
	if (s->hub->free_data)
		s->hub->free_data(s->data);
	strbuf_release(&s->q);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Drops a reference (the caller holds the hub lock); true when it was the last. */
static bool unref(struct http_stream *s)
{
	return --s->refs == 0;
}

static void release(void *cls)
{
	struct http_stream *s = cls;
	struct stream_hub *h = s->hub;
	pthread_mutex_lock(&s->lock);
	s->gone = true;
	s->closing = true;
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_lock(&h->lock);
	for (struct http_stream **p = &h->head; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			h->count--;
			break;
		}
	}
	bool last = unref(s);
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	if (last)
		destroy(s);
}

struct http_stream *stream_new(struct stream_hub *h, struct MHD_Connection *c, void *data)
{
	pthread_mutex_lock(&h->lock);
	if (h->stop || h->count >= h->max) {
		pthread_mutex_unlock(&h->lock);
		return NULL;
	}
	struct http_stream *s = xcalloc(1, sizeof(*s));
	s->hub = h;
	s->conn = c;
	s->data = data;
	s->refs = 1;
	pthread_mutex_init(&s->lock, NULL);
	strbuf_init(&s->q, 0);
	s->next_beat = time(NULL) + h->heartbeat;
	s->next = h->head;
	h->head = s;
	h->count++;
	pthread_mutex_unlock(&h->lock);
	return s;
}

struct MHD_Response *stream_response(struct http_stream *s)
{
	return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, release);
}

void stream_abandon(struct http_stream *s)
{
	release(s);
}

void http_stream_each(struct http_server *srv,
		      void (*fn)(void *ctx, struct http_stream *s, void *data), void *ctx)
{
	struct stream_hub *h = http_server_hub(srv);
	pthread_mutex_lock(&h->lock);
	for (struct http_stream *s = h->head; s; s = s->next)
		if (!s->closing)
			fn(ctx, s, s->data);
	pthread_mutex_unlock(&h->lock);
}

int http_stream_count(struct http_server *srv)
{
	struct stream_hub *h = http_server_hub(srv);
	pthread_mutex_lock(&h->lock);
	int n = h->count;
	pthread_mutex_unlock(&h->lock);
	return n;
}

/* Every second: tick the streams whose heartbeat is due or that were poked.
 * Ticks read the database, so they run without the hub's lock (publishers
 * would wait on it): the due streams are held by a reference meanwhile. */
static void *loop(void *p)
{
	struct stream_hub *h = p;
	struct http_stream **due = NULL;
	bool *beats = NULL;
	size_t cap = 0;
	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&h->cond, &h->lock, &until);
		if (h->stop)
			break;
		time_t now = time(NULL);
		size_t n = 0;
		for (struct http_stream *s = h->head; s; s = s->next) {
			pthread_mutex_lock(&s->lock);
			bool beat = now >= s->next_beat, poked = s->poked, closing = s->closing;
			s->poked = false;
			if (beat)
				s->next_beat = now + h->heartbeat;
			pthread_mutex_unlock(&s->lock);
			if (closing || (!beat && !poked))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				due = xrealloc(due, cap * sizeof(*due));
				beats = xrealloc(beats, cap * sizeof(*beats));
			}
			s->refs++;
			due[n] = s;
			beats[n++] = beat;
		}
		pthread_mutex_unlock(&h->lock);
		for (size_t i = 0; i < n; i++)
			if (!h->tick(h->ctx, due[i], due[i]->data, beats[i]))
				end(due[i]);
		pthread_mutex_lock(&h->lock);
		for (size_t i = 0; i < n; i++)
			if (unref(due[i]))
				destroy(due[i]); /* its connection ended meanwhile */
	}
	pthread_mutex_unlock(&h->lock);
	free(due);
	free(beats);
	return NULL;
}

void stream_hub_start(struct stream_hub *h, const struct http_options *opt, void *ctx,
		      struct http_server *srv)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->max = opt->max_streams;
	h->heartbeat = opt->stream_heartbeat > 0 ? opt->stream_heartbeat : 15;
	h->tick = opt->stream_tick;
	h->free_data = opt->stream_free;
	h->ctx = ctx;
	h->srv = srv;
	if (h->max > 0 && h->tick)
		h->running = !pthread_create(&h->thread, NULL, loop, h);
	if (!h->running)
		h->max = 0;
}

void stream_hub_stop(struct stream_hub *h)
{
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_cond_broadcast(&h->cond);
	for (struct http_stream *s = h->head; s; s = s->next)
		end(s);
	pthread_mutex_unlock(&h->lock);
	if (h->running)
		pthread_join(h->thread, NULL);
	h->running = false;
}
