/* SPDX-License-Identifier: ISC */
/*
 * Throughput of the DATA encoder on the input that costs it most: short
 * lines, every one starting with a dot.  The buffer is encoded in pieces
 * of 64 KB, as /data reads a file; the median of several rounds is
 * printed in GB/s of input.
 *
 * usage: bench/dotstuff [MEGABYTES] [ROUNDS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "base/buf.h"
#include "smtp/dotstuff.h"

int
main(int argc, char **argv)
{
	size_t		 mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	int		 rounds = argc > 2 ? atoi(argv[2]) : 9, round;
	size_t		 size, len = 0, n, off, lines = 0;
	double		 t0, rate[64];
	char		*in;
	struct buf	 out;
	struct dotstuff	 d;

	if (mb == 0 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: dotstuff [MEGABYTES] [ROUNDS <= 64]\n");
		return (2);
	}
	size = mb * 1048576;
	in = malloc(size);
	if (in == NULL)
		return (1);
	/* Lines of 4 to 43 bytes with their CRLF, each starting with ".". */
	while (len + 64 < size) {
		n = 2 + lines * 7 % 40;
		in[len++] = '.';
		memset(in + len, 'a' + (int)(lines % 26), n - 1);
		len += n - 1;
		in[len++] = '\r';
		in[len++] = '\n';
		lines++;
	}
	buf_init(&out, 0);
	for (round = 0; round < rounds; round++) {
		buf_reset(&out);
		dotstuff_init(&d);
		t0 = bench_now();
		for (off = 0; off < len; off += n) {
			n = len - off < 65536 ? len - off : 65536;
			dotstuff_encode(&d, in + off, n, &out);
			/* As the send queue would, keep the output small. */
			if (out.len > 262144)
				buf_reset(&out);
		}
		rate[round] = (double)len / (bench_now() - t0) / 1e9;
		if (d.stuffed != lines || d.lines != lines) {
			fprintf(stderr, "dotstuff: %llu lines, %llu dots for "
			    "%zu lines\n", d.lines, d.stuffed, lines);
			return (1);
		}
	}
	qsort(rate, (size_t)rounds, sizeof rate[0], bench_cmp);
	printf("dot-stuffing %zu MB in %zu lines of 4 to 43 bytes, every one "
	    "starting with \".\": median %.2f GB/s (slowest %.2f, fastest "
	    "%.2f)\n", len / 1048576, lines, rate[rounds / 2], rate[0],
	    rate[rounds - 1]);
	buf_release(&out);
	free(in);
	return (0);
}
