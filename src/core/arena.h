/*
 * arena.h - region allocator with cleanup hooks.
 *
 * Every request (and every CLI command) owns one arena. Memory comes from
 * large blocks and is released all at once by arena_free(); objects that own
 * outside resources (JSON values, prepared statements) register a cleanup
 * callback with arena_defer(), run in reverse order before the blocks go.
 * Nothing allocated from an arena is ever freed piecemeal.
 *
 * An arena is not thread-safe: one request, one thread at a time.
 */
#ifndef PINGAN_CORE_ARENA_H
#define PINGAN_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* Allocates an empty arena. Never returns NULL. */
struct arena *arena_new(void);

/* Runs the deferred cleanups (last registered first), then frees all memory
 * and the arena itself. NULL is a no-op. */
void arena_free(struct arena *a);

/* n bytes aligned for any type, uninitialised; lives until arena_free(). */
void *arena_alloc(struct arena *a, size_t n);
/* Same, zero-filled. */
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Calls fn(p) when the arena is freed. */
void arena_defer(struct arena *a, void (*fn)(void *), void *p);

/* Total bytes handed out (for limits and metrics). */
size_t arena_used(const struct arena *a);

#endif
