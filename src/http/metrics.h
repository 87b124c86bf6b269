/*
 * metrics.h - Prometheus counters for the HTTP server.
 *
 * Requests are counted by (method, route pattern, status) and timed in a
 * latency histogram by route; gauges (database size, connections) are
 * appended by the caller of metrics_render().
 */
#ifndef PINGAN_HTTP_METRICS_H
#define PINGAN_HTTP_METRICS_H

#include "core/str.h"

/* Counts one finished request. route may be "" (unmatched). */
void metrics_observe(const char *method, const char *route, int status, double seconds);
/* Appends the text exposition of every counter to sb. */
void metrics_render(struct strbuf *sb);
/* In-flight request gauge. */
void metrics_inflight(int delta);
/* Counts a connection cut off for a slow request head. */
void metrics_slow_client(void);

#endif
