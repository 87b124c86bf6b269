/*
 * evcache.h - the events' JSON as last rendered, by id and version.
 *
 * A list page, a search page and the duplicate candidates of a report are
 * mostly events rendered a moment ago. Every change to an event goes through
 * one UPDATE that raises its version (store_event_update), so an event's id
 * and version name its rendering exactly: a list reads only those two, takes
 * the bytes kept here, and reads and renders in full only the rows it misses.
 * Direct-mapped by id (the newest events have slots of their own), bounded
 * (slots x at most EVCACHE_MAX_BYTES), safe for the server's threads.
 */
#ifndef PINGAN_API_EVCACHE_H
#define PINGAN_API_EVCACHE_H

#include "core/arena.h"

#include <stddef.h>

/* a rendering longer than this is not kept (a long description) */
#define EVCACHE_MAX_BYTES 4096

struct evcache;

/* A cache of `slots` events (rounded up to a power of two, at least 64). */
struct evcache *evcache_new(size_t slots);
void evcache_free(struct evcache *c);

/* A copy, in the arena, of the rendering of event `id` at `version`, its
 * length in *len; NULL when the cache holds another version or none. */
const char *evcache_get(struct evcache *c, struct arena *a, long long id, int version, size_t *len);
/* Keeps `len` bytes of JSON as event `id`'s rendering at `version`,
 * replacing what the slot held. */
void evcache_put(struct evcache *c, long long id, int version, const char *json, size_t len);

/* Lookups answered and missed since the start (for /metrics). */
void evcache_stats(struct evcache *c, unsigned long long *hits, unsigned long long *misses);

#endif
