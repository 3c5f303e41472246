/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the small codecs: dot-stuffing (src/smtp/dotstuff.c), base64
 * (src/base/b64.c), text escaping (src/base/text.c) and EHLO capabilities
 * (src/smtp/caps.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/buf.h"
#include "smtp/caps.h"
#include "smtp/dotstuff.h"
#include "smtp/reply.h"
#include "tap.h"
#include "base/text.h"

/* Encode s in chunks of n bytes and finish; return the output. */
static char *
stuff(const char *s, size_t n)
{
	struct dotstuff	d;
	struct buf	b;
	size_t		off, len = strlen(s), step;

	dotstuff_init(&d);
	buf_init(&b, 0);
	for (off = 0; off < len; off += step) {
		step = n == 0 || n > len - off ? len - off : n;
		dotstuff_encode(&d, s + off, step, &b);
	}
	dotstuff_finish(&d, &b);
	return (buf_detach(&b, NULL));
}

static void
test_dotstuff(void)
{
	const char	*in = "Subject: x\n\n.hidden\n..two\nend.\n.\nlast";
	const char	*want = "Subject: x\r\n\r\n..hidden\r\n...two\r\n"
	    "end.\r\n..\r\nlast\r\n.\r\n";
	char		*out;
	size_t		 n;
	int		 same = 1;

	out = stuff(in, 0);
	is_str(out, want, "dots doubled, LF made CRLF, message ended");
	free(out);
	for (n = 1; n < 12; n++) {
		out = stuff(in, n);
		if (strcmp(out, want) != 0)
			same = 0;
		free(out);
	}
	ok(same, "any chunking gives the same bytes");

	out = stuff("a\r\nb\rc\r", 0);
	is_str(out, "a\r\nb\r\nc\r\n.\r\n", "bare CR becomes CRLF");
	free(out);
	out = stuff("", 0);
	is_str(out, ".\r\n", "empty message");
	free(out);
	out = stuff("x\r\n", 0);
	is_str(out, "x\r\n.\r\n", "no extra line after a final CRLF");
	free(out);
	{
		/* Against a byte-at-a-time model, on random input. */
		unsigned	 seed = 12345;
		char		 in2[4096], *model, *m;
		size_t		 len, i, cut;
		int		 bol, bad = 0, round;

		for (round = 0; round < 2000 && !bad; round++) {
			len = (seed = seed * 1103515245 + 12345) % 200;
			for (i = 0; i < len; i++) {
				seed = seed * 1103515245 + 12345;
				in2[i] = "..\r\n\r\nab"[(seed >> 16) % 8];
			}
			m = model = malloc(2 * len + 8);
			for (i = 0, bol = 1; i < len; i++) {
				if (in2[i] == '\r' || in2[i] == '\n') {
					*m++ = '\r';
					*m++ = '\n';
					bol = 1;
					if (in2[i] == '\r' && i + 1 < len &&
					    in2[i + 1] == '\n')
						i++;
					continue;
				}
				if (bol && in2[i] == '.')
					*m++ = '.';
				*m++ = in2[i];
				bol = 0;
			}
			if (!bol) {
				*m++ = '\r';
				*m++ = '\n';
			}
			memcpy(m, ".\r\n", 4);
			in2[len] = '\0';
			cut = 1 + (seed >> 8) % 7;
			out = stuff(in2, cut);
			if (strcmp(out, model) != 0) {
				bad = 1;
				diag("input %zu bytes, chunks of %zu", len, cut);
			}
			free(out);
			free(model);
		}
		ok(!bad, "random input, random chunking: same as the model");
	}
	{
		struct dotstuff	d;
		struct buf	b;

		dotstuff_init(&d);
		buf_init(&b, 16);
		ok(dotstuff_encode(&d, ".a\n.b\n", 6, &b) == 0 &&
		    strcmp(b.data, "..a\r\n..b\r\n") == 0 && d.lines == 2 &&
		    d.stuffed == 2, "counts lines and dots");
		ok(dotstuff_encode(&d, "0123456789", 10, &b) == -1 &&
		    b.len <= 16, "a capped buffer is never passed");
		buf_release(&b);
	}
	out = stuff("\r\n.\r\n", 1);
	is_str(out, "\r\n..\r\n.\r\n", "a lone dot line in the body is "
	    "stuffed, so it cannot end the message early");
	free(out);
}

static void
test_b64(void)
{
	char	*e, *d;
	size_t	 len;

	e = b64_encode("\0demo\0demo", 10);
	is_str(e, "AGRlbW8AZGVtbw==", "PLAIN blob");
	d = b64_decode(e, strlen(e), &len);
	ok(d != NULL && len == 10 && memcmp(d, "\0demo\0demo", 10) == 0,
	    "round trip with NULs");
	free(e);
	free(d);
	d = b64_decode("VXNlcm5hbWU6", 12, &len);
	ok(d != NULL && strcmp(d, "Username:") == 0, "LOGIN challenge");
	free(d);
	ok(b64_decode("not base64!", 11, &len) == NULL, "garbage refused");
	ok(b64_decode("QQ=A", 4, &len) == NULL, "padding inside refused");
	d = b64_decode("", 0, &len);
	ok(d != NULL && len == 0, "empty is empty");
	free(d);
}

/*
 * Every default-ignorable and format code point is escaped (Unicode's
 * Default_Ignorable_Code_Point and General Category Cf), one case per
 * class, and a combining mark with nothing of the text to sit on.
 */
static void
test_text_invisible(void)
{
	static const struct {
		const char	*in;
		const char	*out;
		const char	*what;
	} cases[] = {
		{ "a\xf3\xa0\x80\x81\xf3\xa0\x81\x81" "b", "a\\U000e0001\\U000e0041b",
		    "tag characters (LANGUAGE TAG, TAG LATIN CAPITAL A)" },
		{ "x\xf3\xa0\x81\xbf", "x\\U000e007f", "CANCEL TAG" },
		{ "a\xe1\xa0\x8e" "b", "a\\u180eb", "MONGOLIAN VOWEL SEPARATOR" },
		{ "\xef\xbf\xb9x\xef\xbf\xbay\xef\xbf\xbb",
		    "\\ufff9x\\ufffay\\ufffb", "interlinear annotation" },
		{ "a\xef\xb8\x8f", "a\\ufe0f", "variation selector 16" },
		{ "a\xf3\xa0\x84\x80", "a\\U000e0100", "variation selector 17" },
		{ "a\xe1\xa0\x8b", "a\\u180b", "Mongolian free variation "
		    "selector" },
		{ "\xe1\x85\x9f\xe1\x85\xa0\xe3\x85\xa4\xef\xbe\xa0",
		    "\\u115f\\u1160\\u3164\\uffa0", "Hangul fillers" },
		{ "\xcd\x8f", "\\u034f", "combining grapheme joiner" },
		{ "\xd8\x80" "1", "\\u06001", "Arabic number sign (Cf)" },
		{ "x\xe2\x81\xa5y", "x\\u2065y", "an unassigned ignorable" },
		{ "x\xe2\x80\xa8y", "x\\u2028y", "line separator" },
		{ "\xcc\x81" "abc", "\\u0301abc", "a leading combining mark" },
		{ "\xe2\x83\x9d", "\\u20dd", "a leading enclosing mark" },
		{ "\x1b\xcc\x81", "\\e\\u0301", "a mark after an escape" },
		{ "\\\xcc\x81", "\\\\\\u0301", "a mark after a backslash" },
		{ "250 \xcc\x81x", "250 \\u0301x", "a mark on a space" },
		{ "250-\xcc\x81STARTTLS", "250-\\u0301STARTTLS",
		    "a mark on punctuation" },
		{ "e\xcc\x81\xcc\xa3 5\xe2\x83\xa3", "e\xcc\x81\xcc\xa3 5\xe2\x83\xa3",
		    "marks on a letter, a mark and a digit kept" },
		{ "\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xb7",
		    "\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xb7", "Devanagari kept" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "an emoji kept" },
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = text_escape_dup(cases[i].in, strlen(cases[i].in));
		is_str(s, cases[i].out, "escaped: %s", cases[i].what);
		free(s);
		if (strcmp(cases[i].in, cases[i].out) != 0)
			ok(text_classify(cases[i].in, strlen(cases[i].in)) &
			    TEXT_INVISIBLE, "flagged: %s", cases[i].what);
		else
			ok((text_classify(cases[i].in, strlen(cases[i].in)) &
			    TEXT_INVISIBLE) == 0, "not flagged: %s",
			    cases[i].what);
	}
}

static void
test_text(void)
{
	char	*s;

	s = text_escape_dup("250 \x1b[2J\x1b]0;pwned\x07 ok", 21);
	is_str(s, "250 \\e[2J\\e]0;pwned\\x07 ok", "ESC, CSI, OSC escaped");
	free(s);
	s = text_escape_dup("a\\b\r\n\t\0z", 8);
	is_str(s, "a\\\\b\\r\\n\\t\\x00z", "backslash doubled, controls");
	free(s);
	s = text_escape_dup("caf\xc3\xa9 \xe4\xb8\xad", 9);
	is_str(s, "caf\xc3\xa9 \xe4\xb8\xad", "UTF-8 kept");
	free(s);
	s = text_escape_dup("x\xe2\x80\xaey\xe2\x80\x8bz", 9);
	is_str(s, "x\\u202ey\\u200bz", "BiDi override and zero-width shown");
	free(s);
	s = text_escape_dup("\xc2\x9b" "1m\xff\xc0\xaf", 7);
	is_str(s, "\\u009b1m\\xff\\xc0\\xaf", "C1 CSI, bad and overlong bytes");
	free(s);
	s = text_escape_dup("\xed\xa0\x80", 3);
	is_str(s, "\\xed\\xa0\\x80", "surrogate refused");
	free(s);
	ok(text_classify("ok", 2) == 0, "plain ASCII clean");
	ok(text_classify("\x1b", 1) & TEXT_CONTROL, "ESC is control");
	ok(text_classify("\xe2\x80\xae", 3) & TEXT_INVISIBLE, "RLO invisible");
	test_text_invisible();
}

static void
test_caps(void)
{
	const char	*s = "250-mx.example greets you\r\n250-PIPELINING\r\n"
	    "250-SIZE 10240000\r\n250-auth PLAIN LOGIN\r\n250-b@d key\r\n"
	    "250-STARTTLS\r\n250 8BITMIME\r\n";
	struct reply_parser	*p = reply_parser_new(0, 0);
	struct reply		*r;
	struct caps		 c;
	size_t			 used;

	reply_parser_feed(p, s, strlen(s), &used, &r);
	caps_init(&c);
	caps_parse(&c, r);
	ok(c.valid, "caps valid");
	is_int(c.n, 5, "five keywords (the malformed one skipped)");
	ok(caps_has(&c, "pipelining"), "PIPELINING");
	ok(c.has_size && c.size == 10240000, "SIZE value");
	ok(caps_has_auth(&c, "LOGIN") && caps_has_auth(&c, "plain") &&
	    !caps_has_auth(&c, "CRAM-MD5"), "AUTH mechanisms");
	ok(caps_find(&c, "AUTH") != NULL &&
	    strcmp(caps_find(&c, "AUTH")->name, "AUTH") == 0,
	    "keyword upper-cased");
	caps_clear(&c);
	ok(!c.valid && c.n == 0 && !caps_has(&c, "STARTTLS"),
	    "cleared after STARTTLS");
	reply_free(r);
	reply_parser_free(p);
}

/* Thousands of keywords: bounded, and the ones we act on still kept. */
static void
test_caps_flood(void)
{
	struct reply_parser	*p = reply_parser_new(0, 0);
	struct reply		*r = NULL;
	struct caps		 c;
	struct buf		 b;
	size_t			 used;
	int			 i;

	buf_init(&b, 0);
	buf_printf(&b, "250-flood.example\r\n");
	/* Under the parser's REPLY_LINES_MAX, over CAPS_KEYWORDS_MAX. */
	for (i = 0; i < 900; i++)
		buf_printf(&b, "250-X-JUNK-%d\r\n", i);
	for (i = 0; i < 40; i++)
		buf_printf(&b, "250-STARTTLS\r\n");
	buf_printf(&b, "250-AUTH PLAIN\r\n250 SIZE 1000\r\n");
	reply_parser_feed(p, b.data, b.len, &used, &r);
	ok(r != NULL && used == b.len, "flooded EHLO reply parsed");
	caps_init(&c);
	if (r != NULL)
		caps_parse(&c, r);
	ok(c.n <= CAPS_KEYWORDS_MAX, "keywords bounded");
	ok(c.dropped > 0, "the left-out keywords are counted");
	ok(caps_has(&c, "STARTTLS") && caps_has_auth(&c, "PLAIN") &&
	    c.has_size && c.size == 1000,
	    "STARTTLS, AUTH and SIZE kept though listed last");
	caps_clear(&c);
	reply_free(r);
	reply_parser_free(p);
	buf_release(&b);
}

int
main(void)
{
	test_dotstuff();
	test_b64();
	test_text();
	test_caps();
	test_caps_flood();
	return (done_testing());
}
