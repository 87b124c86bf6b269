/*
 * bench_audit.c - what an audit record costs: appends per second inside one
 * transaction (the CPU cost an event transition pays: one SM3, one INSERT),
 * the same as durable writes of their own (each its own COMMIT, group
 * commit alone), and a verification pass over the chain. A tool, not
 * product code.
 *
 *   build/bench_audit DIR [N]     (a fresh database in DIR; N records, default 200000)
 */
#include "core/arena.h"
#include "core/sec.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double secs(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int one(struct store *st, long i)
{
	char object[32];
	snprintf(object, sizeof(object), "event:%ld", i);
	struct audit_rec r = { .at = 1800000000 + i,
			       .user_id = 4,
			       .username = "centre",
			       .ip = "10.0.0.8",
			       .action = "event.dispatch",
			       .object = object,
			       .outcome = "ok",
			       .detail = "registered -> dispatched" };
	return store_audit_append(st, &r);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_audit DIR [N]\n");
		return 2;
	}
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 200000;
	char path[4096], why[256];
	snprintf(path, sizeof(path), "%s/bench-audit.db", argv[1]);
	remove(path);
	if (sec_init())
		return 1;
	struct store *st;
	if (store_open(path, 2, &st, why, sizeof(why))) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	double t0 = secs();
	store_begin(st);
	for (long i = 0; i < n; i++)
		if (one(st, i))
			return 1;
	store_commit(st);
	double t1 = secs();
	printf("in one transaction: %ld appends in %.2f s: %.0f/s, %.2f us each\n", n, t1 - t0,
	       (double)n / (t1 - t0), (t1 - t0) * 1e6 / (double)n);
	long d = 500;
	t0 = secs();
	for (long i = 0; i < d; i++)
		if (one(st, n + i))
			return 1;
	t1 = secs();
	printf("durable, one at a time: %ld appends in %.2f s: %.0f/s\n", d, t1 - t0,
	       (double)d / (t1 - t0));
	struct arena *a = arena_new();
	struct audit_verify v;
	static const unsigned char key[32] = "bench key bench key bench key 32";
	t0 = secs();
	store_audit_verify(st, a, NULL, 0, key, sizeof(key), NULL, &v);
	t1 = secs();
	printf("verify: %lld records in %.2f s: %.0f/s (%s)\n", v.records, t1 - t0,
	       (double)v.records / (t1 - t0), v.ok ? "intact" : "BROKEN");
	arena_free(a);
	store_checkpoint(st);
	long long size = store_size(st);
	printf("database: %lld bytes, %.0f bytes a record (with its indexes)\n", size,
	       (double)size / (double)(n + d));
	store_close(st);
	return 0;
}
