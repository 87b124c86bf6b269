/*
 * log.h - JSON-lines logging to stderr.
 *
 * One line per record: {"ts":"2026-11-25T12:00:00.123Z","level":"info","msg":"..."}
 * plus any extra fields the caller pre-renders. Never log personal values
 * (names, ID numbers, phones): log ids instead.
 */
#ifndef PINGAN_CORE_LOG_H
#define PINGAN_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* Parses "debug", "info", "warn", "error"; 0 or ERR_BAD_VALUE. */
int log_level_parse(const char *s, enum log_level *out);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes one already-rendered JSON object line (the access log). */
void log_line(const char *json);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* ISO 8601 UTC with milliseconds into buf (at least 32 bytes). */
void log_timestamp(char *buf, unsigned long size);

#endif
