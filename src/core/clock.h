/*
 * clock.h - the one clock every deadline reads.
 *
 * Wall time plus an offset that only tests move (the `test_clock` setting
 * exposes it to an admin over the API), so deadline, warning and escalation
 * behaviour can be tested without waiting days.
 */
#ifndef PINGAN_CORE_CLOCK_H
#define PINGAN_CORE_CLOCK_H

/* Unix seconds: the wall clock plus the offset. */
long long clock_now(void);
/* Moves the clock by delta seconds (tests); returns the new offset. */
long long clock_advance(long long delta);

#endif
