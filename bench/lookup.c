/* SPDX-License-Identifier: ISC */
/*
 * How long looking up and rendering one explanation takes, with every
 * pattern of the knowledge base loaded: each line of the reply corpus is
 * parsed, matched against the patterns, explained and formatted, over and
 * over; the median of several rounds is printed per lookup.
 *
 * usage: bench/lookup CORPUS [ROUNDS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "base/buf.h"
#include "kb/explain.h"
#include "kb/format.h"
#include "kb/kb.h"
#include "kb/match.h"
#include "smtp/reply.h"

/*
 * The knowledge base's bounds: a stanza of 211,000 repeated fields (once
 * quadratic: 91 s), and the costliest pattern found for the limits of
 * src/kb/match.c: compiled, then matched against 1 KiB made to backtrack.
 */
static void
bench_limits(void)
{
	static const char *const exprs[] = {
		"^(a|aa)*c", "(a|a|a|a)*c", "(((a{1,9}){1,9}){1,9}){1,9}c",
		NULL
	};
	struct kb	*kb;
	struct buf	 b;
	char		*cause = NULL, text[1024];
	double		 t0, t1, t2;
	size_t		 i;

	buf_init(&b, 0);
	buf_printf(&b, "[many]\n");
	for (i = 0; i < 211000; i++)
		buf_printf(&b, "sample: line %zu\n", i);
	kb = kb_new_empty();
	t0 = bench_now();
	kb_load_text(kb, "many", b.data, b.len, &cause);
	printf("211,000 repeated fields (%.1f MB) loaded in %.1f ms\n",
	    b.len / 1e6, (bench_now() - t0) * 1000);
	kb_free(kb);
	memset(text, 'a', sizeof text);
	memcpy(text + sizeof text - 3, "bc", 3);
	for (i = 0; exprs[i] != NULL; i++) {
		buf_reset(&b);
		buf_printf(&b, "[pattern t]\nmatch: %s\n", exprs[i]);
		kb = kb_new_empty();
		kb_load_text(kb, "t", b.data, b.len, &cause);
		t0 = bench_now();
		kb_compile(kb, &cause);
		t1 = bench_now();
		match_pattern_text(kb_match(kb), 0, text);
		t2 = bench_now();
		printf("%s: compiled in %.2f ms, 1 KiB backtracking bait "
		    "matched in %.2f ms\n", exprs[i], (t1 - t0) * 1000,
		    (t2 - t1) * 1000);
		kb_free(kb);
	}
	buf_release(&b);
}

int
main(int argc, char **argv)
{
	struct kb		*kb, *corpus;
	struct explanation	 ex;
	struct explain_ctx	 ctx;
	struct reply		**rs;
	const char		**verbs, *key, *line;
	char			*cause;
	size_t			 i, n = 0, k;
	int			 rounds = argc > 2 ? atoi(argv[2]) : 9, round;
	double			 t0, per[64], start;
	struct buf		 b;

	if (argc < 2) {
		fprintf(stderr, "usage: lookup CORPUS [ROUNDS]\n");
		return (2);
	}
	start = bench_now();
	kb = kb_new();
	printf("knowledge base loaded in %.2f ms",
	    (bench_now() - start) * 1000);
	start = bench_now();
	if (kb_compile(kb, &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		return (1);
	}
	/* smtpscope compiles them on first use; here all at once. */
	printf("; all %zu patterns compiled in %.2f ms\n",
	    match_npatterns(kb_match(kb)), (bench_now() - start) * 1000);
	corpus = kb_new_empty();
	if (kb_load_file(corpus, argv[1], &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		return (1);
	}
	rs = calloc(kb_count(corpus), sizeof *rs);
	verbs = calloc(kb_count(corpus), sizeof *verbs);
	for (i = 0; i < kb_count(corpus); i++) {
		key = kb_key(corpus, i);
		if ((line = kb_get(corpus, key, "line")) == NULL)
			continue;
		rs[n] = reply_from_line(line, strlen(line));
		verbs[n] = explain_verb(kb_get(corpus, key, "after"));
		n++;
	}
	if (rounds > 64)
		rounds = 64;
	buf_init(&b, 0);
	for (round = 0; round < rounds; round++) {
		t0 = bench_now();
		for (k = 0; k < 20; k++) {
			for (i = 0; i < n; i++) {
				memset(&ctx, 0, sizeof ctx);
				ctx.server = explain_server(kb, rs[i], verbs[i]);
				explain_reply(kb, rs[i], verbs[i], &ctx, &ex);
				buf_reset(&b);
				format_explanation(&b, &ex, "E ", 1);
			}
		}
		per[round] = (bench_now() - t0) / (double)(20 * n);
	}
	qsort(per, (size_t)rounds, sizeof per[0], bench_cmp);
	printf("%zu reply lines x 20, %d rounds: median %.1f us per lookup "
	    "(server recognition, pattern match, explanation, rendering); "
	    "fastest round %.1f us, slowest %.1f us\n", n, rounds,
	    per[rounds / 2] * 1e6, per[0] * 1e6, per[rounds - 1] * 1e6);
	bench_limits();
	buf_release(&b);
	for (i = 0; i < n; i++)
		reply_free(rs[i]);
	free(rs);
	free(verbs);
	kb_free(corpus);
	kb_free(kb);
	return (0);
}
