/*
 * clock.c - see clock.h.
 */
#include "core/clock.h"

#include <stdatomic.h>
#include <time.h>

static atomic_llong offset;

long long clock_now(void)
{
	return (long long)time(NULL) + atomic_load(&offset);
}

long long clock_advance(long long delta)
{
	return atomic_fetch_add(&offset, delta) + delta;
}

void clock_iso(long long t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!size)
		return;
	buf[0] = '\0';
	if (gmtime_r(&tt, &tm))
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
