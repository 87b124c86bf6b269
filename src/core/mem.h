/*
 * mem.h - allocation that never returns NULL, and BUG() for programmer errors.
 *
 * Like redis' zmalloc and postgres' palloc, running out of memory is not an
 * error callers handle: xmalloc() and friends print a message and abort. That
 * keeps every caller free of NULL checks that would never be tested.
 */
#ifndef PINGAN_CORE_MEM_H
#define PINGAN_CORE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Report a broken invariant (file, line, message) and abort. */
_Noreturn void bug_fl(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define BUG(...)      bug_fl(__FILE__, __LINE__, __VA_ARGS__)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
