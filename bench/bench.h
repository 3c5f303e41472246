/* SPDX-License-Identifier: ISC */
/*
 * What the C benchmarks share: a monotonic clock in seconds, and an
 * order for qsort() to find medians.
 */
#ifndef BENCH_H
#define BENCH_H

#include <time.h>

static inline double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static inline int
bench_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

#endif
