/*
 * log.c - see log.h. A mutex keeps lines from interleaving.
 */
#include "core/log.h"
#include "core/err.h"
#include "core/str.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const names[] = { "debug", "info", "warn", "error" };

void log_set_level(enum log_level level)
{
	min_level = level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i < 4; i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return ERR_BAD_VALUE;
}

void log_timestamp(char *buf, unsigned long size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

void log_line(const char *json)
{
	pthread_mutex_lock(&lock);
	fputs(json, stderr);
	fputc('\n', stderr);
	pthread_mutex_unlock(&lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level < min_level)
		return;
	char msg[1024], ts[40];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_timestamp(ts, sizeof(ts));
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts, names[level]);
	strbuf_add_json_escaped(&sb, msg);
	strbuf_addstr(&sb, "\"}");
	log_line(strbuf_str(&sb));
	strbuf_release(&sb);
}
