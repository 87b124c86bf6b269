/*
 * main.c - runs the unit test suites listed in suites.h and prints TAP.
 *
 * Usage: unit [SUITE...]   (no argument: every suite)
 */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SUITE(name) void suite_##name(void);
#include "suites.h"
#undef SUITE

static const struct {
	const char *name;
	void (*fn)(void);
} suites[] = {
#define SUITE(name) { #name, suite_##name },
#include "suites.h"
#undef SUITE
};

int tap_passed, tap_failed;

void tap_result(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", ok ? "ok" : "not ok", tap_passed + tap_failed + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok) {
		tap_passed++;
	} else {
		tap_failed++;
		printf("#   at %s:%d\n", file, line);
	}
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		int run = argc < 2;
		for (int j = 1; j < argc; j++)
			if (!strcmp(argv[j], suites[i].name))
				run = 1;
		if (!run)
			continue;
		printf("# suite %s\n", suites[i].name);
		suites[i].fn();
	}
	printf("1..%d\n", tap_passed + tap_failed);
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}
