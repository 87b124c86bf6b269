/*
 * test_evcache.c - unit tests for src/api/evcache.c, the events' JSON kept
 * by id and version: a lookup answers only the version kept, an older
 * rendering never replaces a newer one, a slot's next owner evicts it,
 * long renderings are not kept, and threads putting and getting the same
 * slots never see torn or foreign bytes.
 */
#include "tap.h"

#include "api/evcache.h"
#include "core/arena.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void suite_evcache(void);

static void test_versions(void)
{
	struct evcache *c = evcache_new(100); /* rounded up to 128 */
	struct arena *a = arena_new();
	size_t len = 0;
	ok(!evcache_get(c, a, 7, 1, &len), "empty: a miss");
	evcache_put(c, 7, 1, "{\"id\":7}", 8);
	const char *got = evcache_get(c, a, 7, 1, &len);
	ok(got && len == 8 && !strcmp(got, "{\"id\":7}"), "the version kept is answered");
	ok(!evcache_get(c, a, 7, 2, &len), "another version: a miss");
	evcache_put(c, 7, 3, "{\"v\":3}", 7);
	evcache_put(c, 7, 2, "{\"v\":2}", 7); /* a slower thread with an older read */
	got = evcache_get(c, a, 7, 3, &len);
	ok(got && !strcmp(got, "{\"v\":3}") && !evcache_get(c, a, 7, 2, &len),
	   "an older version does not replace a newer one");
	evcache_put(c, 7 + 128, 1, "{\"id\":135}", 10);
	ok(!evcache_get(c, a, 7, 3, &len) && evcache_get(c, a, 135, 1, &len),
	   "the slot's next id evicts the one before");
	char big[EVCACHE_MAX_BYTES + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	evcache_put(c, 9, 1, big, sizeof(big) - 1);
	ok(!evcache_get(c, a, 9, 1, &len), "a rendering past EVCACHE_MAX_BYTES is not kept");
	unsigned long long hits, misses;
	evcache_stats(c, &hits, &misses);
	ok(hits == 3 && misses == 5, "hits and misses counted (%llu, %llu)", hits, misses);
	arena_free(a);
	evcache_free(c);
	evcache_free(NULL);
}

struct worker {
	struct evcache *c;
	int seed, bad;
};

/* renders id at version as {"id":ID,"v":VERSION,"pad":"..."}, its length varying */
static size_t render(char *buf, size_t cap, long long id, int version)
{
	int pad = (int)((id * 7 + version) % 200);
	int n = snprintf(buf, cap, "{\"id\":%lld,\"v\":%d,\"pad\":\"%*s\"}", id, version, pad, "");
	return (size_t)n;
}

static void *hammer(void *arg)
{
	struct worker *w = arg;
	struct arena *a = arena_new();
	unsigned s = (unsigned)w->seed;
	char buf[512], want[512];
	for (int i = 0; i < 20000; i++) {
		s = s * 1103515245u + 12345u;
		long long id = (s >> 8) % 300;
		int version = (int)((s >> 20) % 4) + 1;
		if (s & 1) {
			size_t n = render(buf, sizeof(buf), id, version);
			evcache_put(w->c, id, version, buf, n);
		} else {
			size_t len;
			const char *got = evcache_get(w->c, a, id, version, &len);
			if (got) {
				size_t n = render(want, sizeof(want), id, version);
				w->bad += len != n || memcmp(got, want, n) != 0;
			}
		}
		if (i % 1000 == 0)
			arena_free(a), a = arena_new();
	}
	arena_free(a);
	return NULL;
}

static void test_threads(void)
{
	struct evcache *c = evcache_new(64);
	pthread_t t[4];
	struct worker w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .c = c, .seed = i + 1 };
		pthread_create(&t[i], NULL, hammer, &w[i]);
	}
	int bad = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		bad += w[i].bad;
	}
	unsigned long long hits, misses;
	evcache_stats(c, &hits, &misses);
	ok(bad == 0 && hits > 0 && misses > 0,
	   "four threads on 64 slots: every hit is the exact rendering asked for (%d bad, %llu "
	   "hits)",
	   bad, hits);
	evcache_free(c);
}

void suite_evcache(void)
{
	test_versions();
	test_threads();
}
