/*
 * metrics.c - see metrics.h. A small table guarded by a mutex: the number of
 * (route, status) pairs is bounded by the route table, so a linear scan is
 * cheaper than anything cleverer. Unknown paths all share the route label
 * "unmatched", so a scanner cannot grow the table.
 */
#include "http/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define MAX_SERIES 512
#define NBUCKETS   12

static const double bounds[NBUCKETS] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
					 0.05,   0.1,   0.25,   0.5,   1.0,  5.0 };

struct series {
	const char *method, *route;
	int status;
	unsigned long long count;
};

struct hist {
	const char *route;
	unsigned long long buckets[NBUCKETS], count;
	double sum;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct series series[MAX_SERIES];
static int nseries;
static struct hist hists[MAX_SERIES];
static int nhists;
static atomic_int inflight;
static atomic_llong slow_clients;

void metrics_inflight(int delta)
{
	atomic_fetch_add(&inflight, delta);
}

void metrics_slow_client(void)
{
	atomic_fetch_add(&slow_clients, 1);
}

void metrics_observe(const char *method, const char *route, int status, double seconds)
{
	if (!route || !*route)
		route = "unmatched";
	pthread_mutex_lock(&lock);
	int i;
	for (i = 0; i < nseries; i++)
		if (series[i].status == status && !strcmp(series[i].route, route) &&
		    !strcmp(series[i].method, method))
			break;
	if (i == nseries && nseries < MAX_SERIES) {
		/* method strings are libmicrohttpd's constants or "OTHER" */
		series[i].method = method;
		series[i].route = route;
		series[i].status = status;
		nseries++;
	}
	if (i < nseries)
		series[i].count++;
	for (i = 0; i < nhists; i++)
		if (!strcmp(hists[i].route, route))
			break;
	if (i == nhists && nhists < MAX_SERIES)
		hists[nhists++].route = route;
	if (i < nhists) {
		for (int b = 0; b < NBUCKETS; b++)
			if (seconds <= bounds[b])
				hists[i].buckets[b]++;
		hists[i].count++;
		hists[i].sum += seconds;
	}
	pthread_mutex_unlock(&lock);
}

void metrics_render(struct strbuf *sb)
{
	pthread_mutex_lock(&lock);
	strbuf_addstr(sb, "# HELP pingan_http_requests_total HTTP requests by route and status.\n"
			  "# TYPE pingan_http_requests_total counter\n");
	for (int i = 0; i < nseries; i++)
		strbuf_addf(sb,
			    "pingan_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} "
			    "%llu\n",
			    series[i].method, series[i].route, series[i].status, series[i].count);
	strbuf_addstr(sb, "# HELP pingan_http_request_duration_seconds Request latency by route.\n"
			  "# TYPE pingan_http_request_duration_seconds histogram\n");
	for (int i = 0; i < nhists; i++) {
		for (int b = 0; b < NBUCKETS; b++)
			strbuf_addf(sb,
				    "pingan_http_request_duration_seconds_bucket{route=\"%s\",le="
				    "\"%g\"} %llu\n",
				    hists[i].route, bounds[b], hists[i].buckets[b]);
		strbuf_addf(sb,
			    "pingan_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
			    "%llu\n",
			    hists[i].route, hists[i].count);
		strbuf_addf(sb, "pingan_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
			    hists[i].route, hists[i].sum);
		strbuf_addf(sb, "pingan_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
			    hists[i].route, hists[i].count);
	}
	pthread_mutex_unlock(&lock);
	strbuf_addf(sb,
		    "# HELP pingan_http_inflight_requests Requests being served.\n"
		    "# TYPE pingan_http_inflight_requests gauge\n"
		    "pingan_http_inflight_requests %d\n"
		    "# HELP pingan_http_slow_clients_total Connections cut off for a request head "
		    "slower than connection_timeout.\n"
		    "# TYPE pingan_http_slow_clients_total counter\n"
		    "pingan_http_slow_clients_total %lld\n",
		    atomic_load(&inflight), (long long)atomic_load(&slow_clients));
}
