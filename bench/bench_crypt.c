/*
 * bench_crypt.c - what field encryption costs: seal, open and blind index
 * of an 11-byte mobile number and a 30-byte address, per profile, on one
 * core. Each figure is the median of ROUNDS rounds of N operations.
 *
 * Build and run (no sanitizers, optimised):
 *   cc -std=c11 -O2 -D_GNU_SOURCE -Isrc -o /tmp/bench_crypt bench/bench_crypt.c \
 *      src/core/crypt.c src/core/sec.c src/core/arena.c src/core/mem.c src/core/err.c \
 *      src/core/str.c src/core/log.c -lcrypto -lsodium -lpthread
 *   /tmp/bench_crypt
 */
#include "core/arena.h"
#include "core/crypt.h"
#include "core/sec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N      20000
#define ROUNDS 5

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

enum op { SEAL, OPEN, BIDX };

static double run(const struct crypt_keyring *kr, enum op op, const char *value)
{
	double t[ROUNDS];
	struct arena *a = arena_new();
	unsigned char *s;
	size_t n;
	crypt_seal(kr, a, "events/1/phone", value, strlen(value), &s, &n);
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_s();
		for (int i = 0; i < N; i++) {
			struct arena *ta = arena_new();
			unsigned char *o;
			size_t on;
			char *p, hex[CRYPT_BIDX_HEX];
			if (op == SEAL)
				crypt_seal(kr, ta, "events/1/phone", value, strlen(value), &o, &on);
			else if (op == OPEN)
				crypt_open(kr, ta, "events/1/phone", s, n, &p, &on, NULL);
			else
				crypt_blind_index(kr, 0, "phone", value, hex);
			arena_free(ta);
		}
		t[r] = (now_s() - t0) / N * 1e6;
	}
	arena_free(a);
	qsort(t, ROUNDS, sizeof(t[0]), cmp);
	return t[ROUNDS / 2];
}

int main(void)
{
	if (sec_init() || crypt_selftest()) {
		fprintf(stderr, "self-tests failed\n");
		return 1;
	}
	static const char *const values[] = { "13812345678", "浙江省杭州市滨江区示例路88号" };
	printf("%-6s %-10s %10s %10s %10s   (microseconds per operation)\n", "profile", "value",
	       "seal", "open", "bidx");
	for (int p = CRYPT_GM; p <= CRYPT_INTL; p++) {
		char path[] = "/tmp/bench-crypt-XXXXXX";
		int fd = mkstemp(path);
		close(fd);
		unlink(path);
		char why[256];
		struct crypt_keyring *kr;
		if (crypt_keyring_create(path, (enum crypt_profile)p, why, sizeof(why)) ||
		    crypt_keyring_load(path, &kr, why, sizeof(why))) {
			fprintf(stderr, "%s\n", why);
			return 1;
		}
		unlink(path);
		for (size_t v = 0; v < 2; v++)
			printf("%-6s %-10s %10.2f %10.2f %10.2f\n",
			       crypt_profile_name((enum crypt_profile)p), v ? "address" : "mobile",
			       run(kr, SEAL, values[v]), run(kr, OPEN, values[v]),
			       run(kr, BIDX, values[v]));
		crypt_keyring_free(kr);
	}
	return 0;
}
