/* SPDX-License-Identifier: ISC */
/* Unit tests for the reply parser (src/smtp/reply.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "smtp/reply.h"
#include "tap.h"

/* Feed s whole; return the replies found, in a NULL-terminated array. */
static struct reply **
parse_all(const char *s, size_t len, size_t chunk, size_t line_max,
    size_t lines_max)
{
	struct reply_parser	*p = reply_parser_new(line_max, lines_max);
	struct reply		**out = calloc(len + 2, sizeof *out), *r;
	size_t			 n = 0, off = 0, used, step;

	while (off < len) {
		step = chunk == 0 || chunk > len - off ? len - off : chunk;
		while (step > 0) {
			if (reply_parser_feed(p, s + off, step, &used, &r))
				out[n++] = r;
			off += used;
			step -= used;
		}
	}
	reply_parser_free(p);
	return (out);
}

static void
free_all(struct reply **v)
{
	size_t	i;

	for (i = 0; v[i] != NULL; i++)
		reply_free(v[i]);
	free(v);
}

/* Render replies into a comparable string. */
static char *
render(struct reply **v)
{
	struct buf	b;
	size_t		i, j;

	buf_init(&b, 0);
	for (i = 0; v[i] != NULL; i++) {
		buf_printf(&b, "[%d %s %x]", v[i]->code, v[i]->enh,
		    v[i]->flags);
		for (j = 0; j < v[i]->nlines; j++) {
			buf_addch(&b, '|');
			buf_add(&b, v[i]->lines[j].raw, v[i]->lines[j].len);
		}
	}
	return (buf_detach(&b, NULL));
}

static void
test_simple(void)
{
	struct reply	**v;
	const char	*t;
	size_t		 len;

	v = parse_all("250 OK\r\n", 8, 0, 0, 0);
	ok(v[0] != NULL && v[1] == NULL, "one reply from 250 OK");
	is_int(v[0]->code, 250, "code 250");
	is_int(v[0]->flags, 0, "no flags on a clean line");
	t = reply_text(v[0], 0, &len);
	ok(len == 2 && memcmp(t, "OK", 2) == 0, "text is OK");
	is_int(v[0]->enh_class, -1, "no enhanced code");
	free_all(v);

	v = parse_all("250\r\n", 5, 0, 0, 0);
	ok(v[0] != NULL && v[0]->code == 250, "bare 250 accepted");
	t = reply_text(v[0], 0, &len);
	is_int(len, 0, "bare 250 has empty text");
	free_all(v);
}

static void
test_multiline(void)
{
	const char	*s = "250-mx.example\r\n250-PIPELINING\r\n"
	    "250-SIZE 1000\r\n250 8BITMIME\r\n220 next\r\n";
	struct reply	**v;

	v = parse_all(s, strlen(s), 0, 0, 0);
	ok(v[0] != NULL && v[1] != NULL && v[2] == NULL, "two replies");
	is_int(v[0]->nlines, 4, "four lines in the EHLO reply");
	is_str(reply_text(v[0], 3, NULL), "8BITMIME", "last line text");
	is_int(v[1]->code, 220, "second reply is 220");
	free_all(v);
}

static void
test_splits(void)
{
	const char	*s = "220 hello\r\n250-a\r\n250-b\n250 5.0.0 c\r\n"
	    "599 x\r\n250\r\n";
	struct reply	**v;
	char		*want, *got;
	size_t		 chunk, len = strlen(s);
	int		 same = 1, k;
	unsigned	 seed = 42;

	v = parse_all(s, len, 0, 0, 0);
	want = render(v);
	free_all(v);
	for (chunk = 1; chunk <= len; chunk++) {
		v = parse_all(s, len, chunk, 0, 0);
		got = render(v);
		if (strcmp(got, want) != 0) {
			same = 0;
			diag("chunk %zu: %s vs %s", chunk, got, want);
		}
		free(got);
		free_all(v);
	}
	ok(same, "every fixed chunk size gives the same replies");

	/* Random splits, by hand so the cut points vary. */
	for (k = 0; k < 200 && same; k++) {
		struct reply_parser	*p = reply_parser_new(0, 0);
		struct reply		*r, *list[16] = { NULL };
		size_t			 off = 0, used, n = 0, step;

		while (off < len) {
			seed = seed * 1103515245 + 12345;
			step = 1 + (seed >> 16) % 7;
			if (step > len - off)
				step = len - off;
			while (step > 0) {
				if (reply_parser_feed(p, s + off, step, &used,
				    &r))
					list[n++] = r;
				off += used;
				step -= used;
			}
		}
		got = render(list);
		if (strcmp(got, want) != 0) {
			same = 0;
			diag("random split %d: %s", k, got);
		}
		free(got);
		for (n = 0; list[n] != NULL; n++)
			reply_free(list[n]);
		reply_parser_free(p);
	}
	ok(same, "random splits give the same replies");
	free(want);
}

static void
test_bad_codes(void)
{
	struct reply	**v;

	v = parse_all("199 no\r\n", 8, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_MALFORMED) &&
	    v[0]->code == 0, "199 is malformed");
	free_all(v);
	v = parse_all("600 no\r\n", 8, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_MALFORMED), "600 is malformed");
	free_all(v);
	v = parse_all("2x0 no\r\n", 8, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_MALFORMED), "2x0 is malformed");
	free_all(v);
	v = parse_all("25\r\n", 4, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_MALFORMED),
	    "two-character line is malformed");
	free_all(v);
	v = parse_all("250OK\r\n", 7, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_MALFORMED),
	    "no separator after the code is malformed");
	free_all(v);
	v = parse_all("\r\n", 2, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_MALFORMED),
	    "an empty line is malformed");
	free_all(v);
	v = parse_all("299 odd\r\n", 9, 0, 0, 0);
	ok(v[0] != NULL && v[0]->code == 299 &&
	    !(v[0]->flags & REPLY_F_MALFORMED), "299 is a well-formed code");
	free_all(v);
	v = parse_all("270 odd\r\n", 9, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_NONSTANDARD),
	    "second digit 7 is flagged non-standard");
	free_all(v);
}

static void
test_limits(void)
{
	struct reply	**v;
	char		*s;
	size_t		 i, len;

	/* A 1 MB line: kept to the cap, the rest counted. */
	len = 1024 * 1024;
	s = malloc(len + 2);
	memcpy(s, "250 ", 4);
	memset(s + 4, 'A', len - 4);
	s[len] = '\r';
	s[len + 1] = '\n';
	v = parse_all(s, len + 2, 65536, 100, 0);
	ok(v[0] != NULL && v[0]->code == 250 &&
	    (v[0]->flags & REPLY_F_LINE_TRUNCATED), "long line truncated");
	is_int(v[0]->lines[0].len, 100, "kept the cap's worth of bytes");
	is_int(v[0]->dropped_bytes, len - 100, "counted the dropped bytes");
	ok(!(v[0]->flags & REPLY_F_BARE_LF), "CR seen although dropped");
	free_all(v);
	free(s);

	/* 5000 lines with a cap of 10: first nine and the last kept. */
	{
		struct buf	b;

		buf_init(&b, 0);
		for (i = 0; i < 4999; i++)
			buf_printf(&b, "250-line %zu\r\n", i);
		buf_addstr(&b, "250 end\r\n");
		v = parse_all(b.data, b.len, 0, 0, 10);
		ok(v[0] != NULL && v[1] == NULL, "one reply from 5000 lines");
		is_int(v[0]->nlines, 10, "ten lines kept");
		is_int(v[0]->dropped_lines, 4990, "4990 lines dropped");
		is_str(reply_text(v[0], 9, NULL), "end", "final line kept");
		ok(v[0]->flags & REPLY_F_LINES_DROPPED, "flagged");
		free_all(v);
		buf_release(&b);
	}
}

static void
test_flags(void)
{
	struct reply	**v;

	v = parse_all("250 OK\n", 7, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_BARE_LF), "bare LF flagged");
	is_str(reply_text(v[0], 0, NULL), "OK", "bare LF line text");
	free_all(v);

	v = parse_all("250 a\0b\r\n", 9, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_CONTROL), "NUL flagged");
	is_int(v[0]->lines[0].len, 7, "NUL kept in the line");
	free_all(v);

	v = parse_all("250 \x1b[2Jx\r\n", 11, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_CONTROL), "ESC flagged");
	free_all(v);

	v = parse_all("250 a\rb\r\n", 9, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_CONTROL) &&
	    v[0]->lines[0].len == 7, "bare CR inside a line kept and flagged");
	free_all(v);

	v = parse_all("250 \xff\xfe\r\n", 8, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_BAD_UTF8), "bad UTF-8");
	free_all(v);

	v = parse_all("250 caf\xc3\xa9\r\n", 11, 0, 0, 0);
	ok(v[0] != NULL && (v[0]->flags & REPLY_F_8BIT) &&
	    !(v[0]->flags & REPLY_F_BAD_UTF8), "UTF-8 text");
	free_all(v);

	v = parse_all("250-a\r\n251 b\r\n", 14, 0, 0, 0);
	ok(v[0] != NULL && v[0]->code == 250 &&
	    (v[0]->flags & REPLY_F_MIXED_CODES), "mixed codes flagged");
	free_all(v);

	v = parse_all("250-a\r\ngarbage\r\n250 b\r\n", 23, 0, 0, 0);
	ok(v[0] != NULL && v[1] == NULL && v[0]->nlines == 3,
	    "stray line inside a multi-line reply kept in it");
	free_all(v);
}

static void
test_enhanced(void)
{
	struct reply	**v;
	int		 c, s, d;

	v = parse_all("550 5.1.1 <x@y>: unknown\r\n", 26, 0, 0, 0);
	is_str(v[0]->enh, "5.1.1", "enhanced code parsed");
	is_int(v[0]->enh_subject, 1, "subject");
	is_int(v[0]->enh_detail, 1, "detail");
	free_all(v);

	v = parse_all("550 5.7.\r\n", 10, 0, 0, 0);
	ok(v[0]->enh[0] == '\0' && (v[0]->flags & REPLY_F_ENH_MALFORMED),
	    "5.7. is malformed");
	free_all(v);
	v = parse_all("550 5.7.1x no\r\n", 15, 0, 0, 0);
	ok(v[0]->enh[0] == '\0' && (v[0]->flags & REPLY_F_ENH_MALFORMED),
	    "5.7.1x is malformed");
	free_all(v);
	v = parse_all("250 2.0.0\r\n", 11, 0, 0, 0);
	is_str(v[0]->enh, "2.0.0", "code alone on the line");
	free_all(v);
	v = parse_all("250 5.0.0 odd\r\n", 15, 0, 0, 0);
	ok(v[0]->flags & REPLY_F_ENH_MISMATCH, "5.x.x on a 250 flagged");
	free_all(v);
	v = parse_all("250 1.2 Mbit\r\n", 14, 0, 0, 0);
	ok(v[0]->enh[0] == '\0', "1.2 is not an enhanced code");
	free_all(v);
	is_int(reply_parse_enhanced("4.7.26 x", 8, &c, &s, &d), 7,
	    "two-digit detail, length with the space");
	is_int(d, 26, "detail 26");
	is_int(reply_parse_enhanced("4.7.1234", 8, &c, &s, &d), -1,
	    "four-digit detail refused");
	is_int(reply_parse_enhanced("3.1.1", 5, &c, &s, &d), -1,
	    "class 3 refused");
	is_int(reply_parse_enhanced("hello", 5, &c, &s, &d), 0, "no code");
}

static void
test_pending(void)
{
	struct reply_parser	*p = reply_parser_new(0, 0);
	struct reply		*r;
	const char		*s = "220 go ahead\r\n250 injected\r\n25";
	size_t			 used, len;
	char			*held;

	ok(reply_parser_feed(p, s, strlen(s), &used, &r) == 1,
	    "220 complete");
	is_int(used, 14, "stopped after the 220 line");
	reply_free(r);
	is_int(reply_parser_pending(p), 0, "nothing pending yet");
	reply_parser_feed(p, "250-a\r\n2", 8, &used, &r);
	ok(r == NULL, "incomplete reply");
	is_int(reply_parser_pending(p), 8, "eight bytes pending");
	held = reply_parser_take_pending(p, &len);
	ok(len == 8 && memcmp(held, "250-a\r\n2", 8) == 0,
	    "pending bytes returned as received");
	free(held);
	is_int(reply_parser_pending(p), 0, "forgotten after take");
	reply_parser_free(p);

	/* Fuzzer find: a line end inside the text left a reply behind. */
	r = reply_from_line("250 a\n250 b", 11);
	ok(r != NULL && r->code == 250 && r->nlines == 1,
	    "reply_from_line keeps the first reply of two (and frees the other)");
	reply_free(r);

	r = reply_from_line("452-4.2.2 mailbox full", 22);
	ok(r != NULL && r->code == 452 && strcmp(r->enh, "4.2.2") == 0,
	    "reply_from_line takes a continuation line");
	reply_free(r);
}

struct seen {
	char	text[256];
	int	calls;
};

/* Record each line the parser reports. */
static void
on_line(void *arg, const char *line, size_t len, int code, int final,
    unsigned flags)
{
	struct seen	*sn = arg;
	size_t		 n = strlen(sn->text);

	snprintf(sn->text + n, sizeof sn->text - n, "%d%c%.*s|", code,
	    final ? '.' : '-', (int)len, line);
	sn->calls++;
}

static void
test_line_cb(void)
{
	struct reply_parser	*p = reply_parser_new(0, 3);
	struct reply		*r;
	struct seen		 sn;
	size_t			 used;
	const char		*s = "250-a\r\n250-b\r\n250-c\r\n250 d\r\nxx\r\n";

	memset(&sn, 0, sizeof sn);
	reply_parser_set_line_cb(p, on_line, &sn);
	reply_parser_feed(p, "250-a\r\n", 7, &used, &r);
	is_int(sn.calls, 1, "a line is reported before its reply ends");
	ok(r == NULL, "reply not complete yet");
	reply_parser_feed(p, s + 7, strlen(s) - 7, &used, &r);
	is_str(sn.text, "250-250-a|250-250-b|250-250-c|250.250 d|",
	    "every line reported, even those the reply does not keep");
	is_int(r->nlines, 3, "the reply itself keeps its cap");
	reply_free(r);
	reply_parser_feed(p, s + 7 + used, strlen(s) - 7 - used, &used, &r);
	ok(strstr(sn.text, "0.xx|") != NULL, "a malformed line: code 0");
	reply_free(r);
	reply_parser_free(p);
}

int
main(void)
{
	test_line_cb();
	test_simple();
	test_multiline();
	test_splits();
	test_bad_codes();
	test_limits();
	test_flags();
	test_enhanced();
	test_pending();
	return (done_testing());
}
