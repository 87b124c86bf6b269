/*
 * evcache.c - rendered events by id and version (see evcache.h).
 *
 * Slot i holds the event whose id is i modulo the slot count; a slot's bytes
 * are its own allocation, replaced whole. Slots are guarded by a small
 * array of mutexes (slot modulo STRIPES): a lookup copies the bytes out
 * under the lock, so a page never holds bytes another thread frees.
 */
#include "api/evcache.h"

#include "core/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define STRIPES 64

struct slot {
	long long id;
	int version;
	size_t len;
	char *json;
};

struct evcache {
	size_t mask;
	struct slot *slots;
	pthread_mutex_t locks[STRIPES];
	atomic_ullong hits, misses;
};

struct evcache *evcache_new(size_t slots)
{
	size_t n = 64;
	while (n < slots)
		n <<= 1;
	struct evcache *c = xcalloc(1, sizeof(*c));
	c->mask = n - 1;
	c->slots = xcalloc(n, sizeof(*c->slots));
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->locks[i], NULL);
	return c;
}

void evcache_free(struct evcache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i <= c->mask; i++)
		free(c->slots[i].json);
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->locks[i]);
	free(c->slots);
	free(c);
}

const char *evcache_get(struct evcache *c, struct arena *a, long long id, int version, size_t *len)
{
	size_t i = (size_t)id & c->mask;
	struct slot *s = &c->slots[i];
	char *out = NULL;
	pthread_mutex_t *m = &c->locks[i % STRIPES];
	pthread_mutex_lock(m);
	if (s->json && s->id == id && s->version == version) {
		out = arena_alloc(a, s->len + 1);
		memcpy(out, s->json, s->len + 1);
		*len = s->len;
	}
	pthread_mutex_unlock(m);
	atomic_fetch_add_explicit(out ? &c->hits : &c->misses, 1, memory_order_relaxed);
	return out;
}

void evcache_put(struct evcache *c, long long id, int version, const char *json, size_t len)
{
	if (len > EVCACHE_MAX_BYTES)
		return;
	size_t i = (size_t)id & c->mask;
	struct slot *s = &c->slots[i];
	char *copy = xmalloc(len + 1);
	memcpy(copy, json, len);
	copy[len] = '\0';
	pthread_mutex_t *m = &c->locks[i % STRIPES];
	pthread_mutex_lock(m);
	char *old = s->json;
	/* an older version never replaces a newer one (two renderings racing) */
	if (old && s->id == id && s->version > version) {
		pthread_mutex_unlock(m);
		free(copy);
		return;
	}
	s->id = id;
	s->version = version;
	s->len = len;
	s->json = copy;
	pthread_mutex_unlock(m);
	free(old);
}

void evcache_stats(struct evcache *c, unsigned long long *hits, unsigned long long *misses)
{
	*hits = atomic_load(&c->hits);
	*misses = atomic_load(&c->misses);
}
