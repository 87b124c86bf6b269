/*
 * clock.h - the one clock every deadline reads.
 *
 * Wall time plus an offset that only tests move (the `test_clock` setting
 * exposes it to an admin over the API), so deadline, warning and escalation
 * behaviour can be tested without waiting days.
 */
#ifndef PINGAN_CORE_CLOCK_H
#define PINGAN_CORE_CLOCK_H

#include <stddef.h>

/* Unix seconds: the wall clock plus the offset. */
long long clock_now(void);
/* Moves the clock by delta seconds (tests); returns the new offset. */
long long clock_advance(long long delta);
/* Unix seconds t as "2026-11-26T04:53:12Z" into buf (at least
 * CLOCK_ISO_LEN bytes), as the API writes times. */
#define CLOCK_ISO_LEN 21
void clock_iso(long long t, char *buf, size_t size);

#endif
