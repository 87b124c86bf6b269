/*
 * tap.h - a tiny TAP producer for the unit tests.
 *
 * Each test file defines suite functions `void suite_NAME(void)` and lists
 * them in tests/unit/suites.h; main.c runs them all (or those named on the
 * command line) and prints TAP, then a last line "N passed, N failed".
 * Checks never abort, so one run reports every failure.
 */
#ifndef PINGAN_TESTS_TAP_H
#define PINGAN_TESTS_TAP_H

#include <string.h>

extern int tap_passed, tap_failed;
void tap_result(int ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define ok(cond, ...) tap_result(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                           \
	do {                                                             \
		long long g_ = (long long)(got), w_ = (long long)(want); \
		tap_result(g_ == w_, __FILE__, __LINE__, __VA_ARGS__);   \
		if (g_ != w_)                                            \
			tap_diag("  got %lld, want %lld", g_, w_);       \
	} while (0)
#define is_str(got, want, ...)                                                                     \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		int e_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;                              \
		tap_result(e_, __FILE__, __LINE__, __VA_ARGS__);                                   \
		if (!e_)                                                                           \
			tap_diag("  got '%s', want '%s'", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)

#endif
