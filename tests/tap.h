/* SPDX-License-Identifier: ISC */
/*
 * A tiny TAP producer for unit tests: ok(), is_int(), is_str(), diag() and
 * done_testing().  Failures print what was expected and what came instead.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	tap_n, tap_failed;

static int	ok(int, const char *, ...) __attribute__((format(printf, 2, 3), unused));
static void	diag(const char *, ...) __attribute__((format(printf, 1, 2), unused));

/* Print a diagnostic line. */
static void
diag(const char *fmt, ...)
{
	va_list	ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Record one test. */
static int
ok(int cond, const char *fmt, ...)
{
	va_list	ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return (cond);
}

#define is_int(got, want, ...) do {					\
	long long tap_g = (long long)(got), tap_w = (long long)(want);	\
	if (!ok(tap_g == tap_w, __VA_ARGS__))				\
		diag("expected %lld, got %lld", tap_w, tap_g);		\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *tap_g = (got), *tap_w = (want);			\
	if (!ok(tap_g != NULL && tap_w != NULL &&			\
	    strcmp(tap_g, tap_w) == 0, __VA_ARGS__))			\
		diag("expected \"%s\", got \"%s\"",			\
		    tap_w ? tap_w : "(null)", tap_g ? tap_g : "(null)");\
} while (0)

/* Print the plan and return the exit status. */
static int __attribute__((unused))
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return (tap_failed != 0);
}

#endif
