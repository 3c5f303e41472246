/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the dialogue store (src/record/scrollback.c): lines with NULs,
 * kinds and flags, the reply table, a million lines and what they cost,
 * dropping the oldest lines under a limit, and search.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/scrollback.h"
#include "tap.h"

#define MILLION	1000000

static double	now(void);
static int	line_is(const struct scrollback *, size_t, const char *,
		    size_t);
static void	test_empty(void);
static void	test_lines(void);
static void	test_replies(void);
static void	test_million(void);
static void	test_limit(void);
static void	test_long_line(void);
static void	test_search(void);
static void	test_bytes(void);
static void	test_size(void);

/* Return a monotonic time in seconds. */
static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* Does line i hold exactly len bytes of s? */
static int
line_is(const struct scrollback *sb, size_t i, const char *s, size_t len)
{
	const char	*t;
	size_t		 n;

	t = sb_text(sb, i, &n);
	return (t != NULL && n == len && memcmp(t, s, len) == 0);
}

/* An empty store. */
static void
test_empty(void)
{
	struct scrollback	*sb = sb_new(0);
	size_t			 len = 99;

	is_int(sb_first(sb), 0, "empty: first is 0");
	is_int(sb_end(sb), 0, "empty: end is 0");
	is_int(sb_nreplies(sb), 0, "empty: no replies");
	ok(sb_reply(sb, 0) == NULL, "empty: sb_reply(0) is NULL");
	ok(sb_reply(sb, -1) == NULL, "empty: sb_reply(-1) is NULL");
	is_int(sb_search(sb, "x", 0, 0), -1, "empty: search finds nothing");
	is_int(sb_search(sb, "", 0, 1), -1, "empty: even for \"\"");
	ok(sb_text(sb, 0, &len) != NULL && len == 0,
	    "out of range: sb_text gives \"\" and 0");
	is_int(sb_kind(sb, 0), -1, "out of range: kind -1");
	is_int(sb_reply_of(sb, 0), -1, "out of range: reply -1");
	is_int(sb_text_bytes(sb), 0, "empty: no text");
	sb_free(sb);
	sb_free(NULL);
	ok(1, "sb_free(NULL) is harmless");
}

/* Lines read back as stored. */
static void
test_lines(void)
{
	struct scrollback	*sb = sb_new(0);
	size_t			 i, len;

	i = sb_add(sb, SB_SERVER, 0, 1000, -1, 0, "220 hello", 9);
	is_int(i, 0, "first line has index 0");
	i = sb_add(sb, SB_CLIENT, 1, 1001, -1, SB_F_BARE_LF, "a\0b\0", 4);
	is_int(i, 1, "second line has index 1");
	sb_add(sb, SB_NOTICE, 2, -5, -1, 0, "", 0);
	sb_add(sb, SB_TLS, 1, INT64_MAX, 12345, SB_F_LAST | SB_F_BARE_LF,
	    "tls", 3);
	is_int(sb_end(sb), 4, "four lines");
	ok(line_is(sb, 0, "220 hello", 9), "line 0 text");
	ok(line_is(sb, 1, "a\0b\0", 4), "line 1 keeps its NULs");
	ok(sb_text(sb, 2, &len) != NULL && len == 0, "empty line");
	is_int(sb_kind(sb, 0), SB_SERVER, "kind server");
	is_int(sb_kind(sb, 1), SB_CLIENT, "kind client");
	is_int(sb_kind(sb, 2), SB_NOTICE, "kind notice");
	is_int(sb_kind(sb, 3), SB_TLS, "kind tls");
	is_int(sb_sec(sb, 1), 1, "sec 1");
	is_int(sb_sec(sb, 2), 2, "sec 2");
	is_int(sb_time(sb, 0), 1000, "time 1000");
	is_int(sb_time(sb, 2), -5, "negative time kept");
	ok(sb_time(sb, 3) == INT64_MAX, "INT64_MAX time kept");
	is_int(sb_flags(sb, 0), 0, "no flags");
	is_int(sb_flags(sb, 1), SB_F_BARE_LF, "bare LF flag");
	is_int(sb_flags(sb, 3), SB_F_LAST | SB_F_BARE_LF, "two flags");
	is_int(sb_reply_of(sb, 0), -1, "no reply");
	is_int(sb_reply_of(sb, 3), -1, "unknown reply index stored as -1");
	is_int(sb_text_bytes(sb), 16, "16 bytes of text");
	is_int(sb_kind(sb, 4), -1, "past the end: kind -1");
	sb_free(sb);
}

/* The reply table. */
static void
test_replies(void)
{
	struct scrollback	*sb = sb_new(0);
	struct sb_reply		 r;
	const struct sb_reply	*p;
	char			 cmd[32];
	long			 a, b;
	size_t			 i;

	memset(&r, 0, sizeof r);
	r.code = 250;
	snprintf(r.enh, sizeof r.enh, "2.1.0");
	r.verb = "MAIL";
	snprintf(cmd, sizeof cmd, "MAIL FROM:<a@b>");
	r.command = cmd;
	r.decoded = NULL;
	r.first = 777;
	r.nlines = 888;
	r.flags = 3;
	r.notes = 5;
	r.rtt_us = 1234;
	r.sec = 1;

	sb_add(sb, SB_CLIENT, 0, 0, -1, 0, "MAIL FROM:<a@b>", 15);
	a = sb_add_reply(sb, &r);
	is_int(a, 0, "first reply has index 0");
	memset(cmd, 'X', sizeof cmd - 1);
	p = sb_reply(sb, a);
	ok(p != NULL && p->command != NULL &&
	    strcmp(p->command, "MAIL FROM:<a@b>") == 0,
	    "command was copied");
	ok(p != NULL && p->decoded == NULL, "NULL decoded stays NULL");
	ok(p != NULL && p->code == 250 && strcmp(p->enh, "2.1.0") == 0 &&
	    p->verb == r.verb && p->flags == 3 && p->notes == 5 &&
	    p->rtt_us == 1234 && p->sec == 1, "fields copied");
	ok(p != NULL && p->nlines == 0 && p->first == 1,
	    "no lines yet: first is the end, nlines 0");

	i = sb_add(sb, SB_SERVER, 0, 0, a, 0, "250-first", 9);
	sb_add(sb, SB_NOTICE, 0, 0, -1, 0, "a notice between", 16);
	sb_add(sb, SB_SERVER, 0, 0, a, SB_F_LAST, "250 last", 8);
	p = sb_reply(sb, a);
	ok(p != NULL && p->first == i && p->nlines == 2,
	    "first and nlines filled by sb_add (%zu, %zu)",
	    p != NULL ? p->first : 0, p != NULL ? p->nlines : 0);
	is_int(sb_reply_of(sb, i), a, "line knows its reply");

	r.code = 334;
	r.command = "AUTH LOGIN";
	r.decoded = "Username:";
	b = sb_add_reply(sb, &r);
	is_int(b, 1, "second reply has index 1");
	is_int(sb_nreplies(sb), 2, "two replies");
	p = sb_reply(sb, b);
	ok(p != NULL && strcmp(p->decoded, "Username:") == 0 &&
	    strcmp(p->command, "AUTH LOGIN") == 0, "decoded copied");
	ok(sb_reply(sb, 2) == NULL, "sb_reply past the end is NULL");
	ok(sb_reply(sb, -1) == NULL, "sb_reply(-1) is NULL");
	sb_free(sb);
}

/* A million lines: cost per line, speed, and stable pointers. */
static void
test_million(void)
{
	struct scrollback	*sb = sb_new(0);
	struct sb_reply		 r;
	const char		*early[4];
	char			 line[64];
	size_t			 i, n, len, bad = 0, over;
	double			 t0, t1;
	long			 rep;
	int			 len0;

	t0 = now();
	for (i = 0; i < MILLION; i++) {
		len0 = snprintf(line, sizeof line, "250 2.1.5 Ok line %zu", i);
		sb_add(sb, SB_SERVER, 0, (int64_t)i, -1, SB_F_LAST, line,
		    (size_t)len0);
		if (i < 4)
			early[i] = sb_text(sb, i, NULL);
	}
	t1 = now();
	is_int(sb_end(sb), MILLION, "a million lines");
	over = sb_overhead(sb);
	diag("1M lines: %zu bytes of text, overhead %zu bytes, %.1f bytes"
	    " a line; added in %.3f s", sb_text_bytes(sb), over,
	    (double)over / MILLION, t1 - t0);
	ok(over / MILLION < 200, "overhead under 200 bytes a line (%zu)",
	    over / MILLION);
	ok(over / MILLION < 48, "overhead under 48 bytes a line");
	for (i = 0; i < 4; i++)
		if (sb_text(sb, i, NULL) != early[i])
			bad++;
	ok(bad == 0 && memcmp(early[3], "250 2.1.5 Ok line 3", 19) == 0,
	    "pointers from the start are still valid after 1M appends");
	for (i = 0; i < MILLION; i += 9973) {
		len0 = snprintf(line, sizeof line, "250 2.1.5 Ok line %zu", i);
		if (!line_is(sb, i, line, (size_t)len0) ||
		    sb_time(sb, i) != (int64_t)i)
			bad++;
	}
	ok(bad == 0, "sampled lines read back");
	t0 = now();
	is_int(sb_search(sb, "OK LINE 999999", 0, 0), 999999,
	    "search forward across a million lines");
	diag("search of 1M lines took %.3f s", now() - t0);
	is_int(sb_search(sb, "ok line 0", MILLION, 1), 0,
	    "search backward across a million lines");
	sb_free(sb);

	/* The same with a reply for every other line (a client line). */
	sb = sb_new(0);
	memset(&r, 0, sizeof r);
	r.code = 250;
	r.command = "RCPT TO:<someone@example.org>";
	t0 = now();
	for (i = 0; i < MILLION / 2; i++) {
		sb_add(sb, SB_CLIENT, 0, 0, -1, 0, r.command,
		    strlen(r.command));
		rep = sb_add_reply(sb, &r);
		sb_add(sb, SB_SERVER, 0, 0, rep, SB_F_LAST, "250 2.1.5 Ok", 12);
	}
	t1 = now();
	over = sb_overhead(sb);
	n = sb_text(sb, 1, &len) != NULL ? len : 0;
	diag("1M lines with 500k replies: overhead %.1f bytes a line;"
	    " added in %.3f s", (double)over / MILLION, t1 - t0);
	ok(over / MILLION < 200 && n == 12,
	    "with replies: overhead still under 200 bytes a line");
	sb_free(sb);
}

/* A line limit drops the oldest lines. */
static void
test_limit(void)
{
	struct scrollback	*sb = sb_new(1000);
	struct sb_reply		 r;
	const struct sb_reply	*p;
	char			 line[64];
	size_t			 i, bad = 0, text = 0, peak = 0, over;
	long			 rep, last = -1;
	int			 len0;

	memset(&r, 0, sizeof r);
	r.code = 250;
	for (i = 0; i < 200000; i++) {
		len0 = snprintf(line, sizeof line, "line %zu", i);
		rep = -1;
		if (i % 10 == 0) {
			r.command = line;
			rep = sb_add_reply(sb, &r);
			if (i == 0)
				last = rep;
		}
		if (i % 10 != 0 && i % 10 < 4)
			rep = sb_nreplies(sb) - 1;
		if (sb_add(sb, SB_SERVER, 0, (int64_t)i, rep, 0, line,
		    (size_t)len0) != i)
			bad++;
		if (sb_end(sb) - sb_first(sb) > 1000)
			bad++;
		over = sb_overhead(sb) + sb_text_bytes(sb);
		if (over > peak)
			peak = over;
	}
	ok(bad == 0, "indexes keep growing and at most 1000 lines are kept");
	is_int(sb_end(sb), 200000, "end is 200000");
	is_int(sb_first(sb), 199000, "first advanced to 199000");
	bad = 0;
	for (i = 199000; i < 200000; i++) {
		len0 = snprintf(line, sizeof line, "line %zu", i);
		if (!line_is(sb, i, line, (size_t)len0))
			bad++;
		text += (size_t)len0;
	}
	ok(bad == 0, "the newest 1000 lines are kept");
	is_int(sb_text_bytes(sb), text, "text bytes count only kept lines");
	ok(sb_kind(sb, 198999) == -1, "a dropped line is gone");
	ok(peak < 4 * 1024 * 1024, "memory stays bounded (peak %zu bytes)",
	    peak);
	ok(sb_search(sb, "9005", 0, 0) == 199005,
	    "search from a dropped index starts at sb_first");

	/* Reply 0 covered lines 0..3, all long dropped. */
	ok(sb_reply(sb, last) == NULL, "a reply whose lines are gone is NULL");
	p = sb_reply(sb, sb_nreplies(sb) - 1);
	ok(p != NULL && p->first == 199990 && p->nlines == 4 &&
	    strcmp(p->command, "line 199990") == 0,
	    "the newest reply is kept with its command");
	p = sb_reply(sb, sb_reply_of(sb, 199000));
	ok(p != NULL && p->first == 199000,
	    "the reply of the oldest kept line is kept");
	sb_free(sb);

	/* The smallest limit. */
	sb = sb_new(1);
	sb_add(sb, SB_SERVER, 0, 0, -1, 0, "a", 1);
	sb_add(sb, SB_SERVER, 0, 0, -1, 0, "b", 1);
	ok(sb_first(sb) == 1 && sb_end(sb) == 2 && line_is(sb, 1, "b", 1),
	    "a limit of 1 keeps the last line");
	sb_free(sb);
}

/* Lines longer than a chunk get their own. */
static void
test_long_line(void)
{
	struct scrollback	*sb = sb_new(3);
	char			*big;
	const char		*p;
	size_t			 n = 1024 * 1024, len, i;

	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n / 2] = '\0';
	sb_add(sb, SB_SERVER, 0, 0, -1, 0, "short", 5);
	p = sb_text(sb, 0, NULL);
	sb_add(sb, SB_SERVER, 0, 0, -1, 0, big, n);
	sb_add(sb, SB_SERVER, 0, 0, -1, 0, "after", 5);
	ok(line_is(sb, 1, big, n), "a 1 MB line with a NUL reads back");
	ok(sb_text(sb, 0, &len) == p && len == 5, "earlier line unmoved");
	ok(line_is(sb, 2, "after", 5), "line after it");
	for (i = 0; i < 10; i++)
		sb_add(sb, SB_SERVER, 0, 0, -1, 0, big, n);
	ok(sb_overhead(sb) + sb_text_bytes(sb) < 8 * n,
	    "big lines are freed as they are dropped");
	ok(line_is(sb, 12, big, n), "newest big line intact");
	free(big);
	sb_free(sb);
}

/* Case-insensitive search, both ways. */
static void
test_search(void)
{
	struct scrollback	*sb = sb_new(0);

	sb_add(sb, SB_SERVER, 0, 0, -1, 0, "220 mx.Example.ORG ESMTP", 24);
	sb_add(sb, SB_CLIENT, 0, 0, -1, 0, "EHLO client", 11);
	sb_add(sb, SB_SERVER, 0, 0, -1, 0, "250-STARTTLS\0hidden", 19);
	sb_add(sb, SB_SERVER, 0, 0, -1, 0, "", 0);
	sb_add(sb, SB_SERVER, 0, 0, -1, 0, "250 SIZE 1000\xc3\xa9", 15);
	sb_add(sb, SB_CLIENT, 0, 0, -1, 0, "ehlo again", 10);

	is_int(sb_search(sb, "ehlo", 0, 0), 1, "forward from 0");
	is_int(sb_search(sb, "ehlo", 2, 0), 5, "forward from 2");
	is_int(sb_search(sb, "EHLO", 5, 0), 5, "at from itself");
	is_int(sb_search(sb, "ehlo", 6, 0), -1, "forward past the end");
	is_int(sb_search(sb, "EhLo", 5, 1), 5, "backward from 5");
	is_int(sb_search(sb, "ehlo", 4, 1), 1, "backward from 4");
	is_int(sb_search(sb, "ehlo", 1000, 1), 5,
	    "backward from past the end starts at the last line");
	is_int(sb_search(sb, "example.org", 0, 0), 0, "mixed case matches");
	is_int(sb_search(sb, "HIDDEN", 0, 0), 2,
	    "text after a NUL is searched");
	is_int(sb_search(sb, "tls\0", 0, 0), 2,
	    "needle is a C string: stops at its NUL");
	is_int(sb_search(sb, "1000\xc3\xa9", 0, 0), 4, "UTF-8 bytes match");
	is_int(sb_search(sb, "1000\xc3\x89", 0, 0), -1,
	    "no case folding beyond ASCII");
	is_int(sb_search(sb, "quit", 0, 0), -1, "not found forward");
	is_int(sb_search(sb, "quit", 5, 1), -1, "not found backward");
	is_int(sb_search(sb, "", 3, 0), 3, "empty needle matches at from");
	is_int(sb_search(sb, "esmtp x", 0, 0), -1,
	    "no match past the end of a line");
	is_int(sb_search(sb, "220 mx.example.org esmtp", 0, 0), 0,
	    "a needle as long as the line");
	sb_free(sb);
}

/* Run the tests. */
/*
 * A byte bound: long lines, then short ones so that the ring grows again
 * after drops (its head no longer at 0), then a tighter bound at run time.
 * What is kept stays under the bound and in order; the memory allocated
 * stays within a small constant of it.
 */
static void
test_bytes(void)
{
	struct scrollback	*sb = sb_new(0);
	char			 line[4000], want[32];
	size_t			 i, total = 2000 + 40000, bad = 0, over = 0;
	size_t			 dropped, dbytes, len;
	const size_t		 max = 1024 * 1024;

	sb_set_max_bytes(sb, max);
	is_int(sb_max_bytes(sb), max, "bytes: the bound is kept");
	memset(line, 'x', sizeof line);
	for (i = 0; i < total; i++) {
		len = (size_t)snprintf(line, sizeof line, "%zu ", i);
		line[len] = 'x';
		sb_add(sb, SB_SERVER, 0, 0, -1, 0, line, i < 2000 ?
		    sizeof line : 12);
		if (sb_bytes(sb) > max)
			over++;
		if (sb_overhead(sb) + sb_text_bytes(sb) > 2 * max)
			over++;
	}
	is_int(over, 0, "bytes: never over the bound, nor twice it allocated");
	ok(sb_first(sb) > 0, "bytes: the oldest lines went");
	is_int(sb_end(sb), total, "bytes: indexes keep counting");
	for (i = sb_first(sb); i < sb_end(sb); i++) {
		len = (size_t)snprintf(want, sizeof want, "%zu ", i);
		if (memcmp(sb_text(sb, i, NULL), want, len) != 0)
			bad++;
	}
	is_int(bad, 0, "bytes: the lines kept are the newest, in order");
	dropped = sb_dropped(sb, &dbytes);
	is_int(dropped, sb_first(sb), "bytes: the lines dropped are counted");
	ok(dbytes >= 2000 * sizeof line, "bytes: ...with their text");

	sb_set_max_bytes(sb, 64 * 1024);
	ok(sb_bytes(sb) <= 64 * 1024, "bytes: a tighter bound drops at once");
	ok(sb_overhead(sb) + sb_text_bytes(sb) <= 2 * 64 * 1024 + 16 * 1024,
	    "bytes: ...and gives the memory back");
	len = (size_t)snprintf(want, sizeof want, "%zu ", total - 1);
	ok(memcmp(sb_text(sb, total - 1, NULL), want, len) == 0,
	    "bytes: the newest line is still there");
	sb_free(sb);
}

/* Sizes read and written. */
static void
test_size(void)
{
	size_t	n = 0;
	char	s[32];

	ok(sb_parse_size("1M", &n) == 0 && n == 1024 * 1024, "size: 1M");
	ok(sb_parse_size("64k", &n) == 0 && n == 64 * 1024, "size: 64k");
	ok(sb_parse_size("2GiB", &n) == 0 && n == (size_t)2 << 30,
	    "size: 2GiB");
	ok(sb_parse_size("300000", &n) == 0 && n == 300000, "size: bytes");
	ok(sb_parse_size("1K", &n) == -1, "size: under 64K refused");
	ok(sb_parse_size("", &n) == -1 && sb_parse_size("M", &n) == -1 &&
	    sb_parse_size("1X", &n) == -1 && sb_parse_size("-1M", &n) == -1 &&
	    sb_parse_size("1MM", &n) == -1, "size: not sizes refused");
	ok(sb_parse_size("99999999999999999999999G", &n) == -1,
	    "size: overflow refused");
	sb_format_size(s, sizeof s, 256 * 1024 * 1024);
	is_str(s, "256 MiB", "size: written in MiB");
	sb_format_size(s, sizeof s, 1536 * 1024);
	is_str(s, "1.5 MiB", "size: with a decimal");
}

int
main(void)
{
	test_empty();
	test_lines();
	test_replies();
	test_million();
	test_limit();
	test_long_line();
	test_search();
	test_bytes();
	test_size();
	return (done_testing());
}
