/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for making untrusted text safe (src/base/text.c) and for the
 * DATA encoder (src/smtp/dotstuff.c).  Built by tests/fuzz/run.sh.
 *
 *	text_escape: the result is valid UTF-8 with no C0 control, DEL, C1
 *	control, default-ignorable or format code point (the tables of
 *	src/base/text-unicode.h, searched another way), and no combining mark
 *	but after a character shown as itself; a capped buffer gets a prefix
 *	of it ending on an escape boundary; text_classify and
 *	text_utf8_decode agree with an independent decoder.
 *	dotstuff: any split gives the same output; every line ends in CRLF;
 *	no line of the body is "." alone; undoing the stuffing gives the
 *	input with its line ends made CRLF.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "smtp/dotstuff.h"
#include "base/text.h"

#include "fuzz/fuzz-common.h"

/* A range of code points, both ends included, as src/base/text.c has it. */
struct text_range {
	unsigned int	lo;
	unsigned int	hi;
};

#include "base/text-unicode.h"

/* Is cp in table t of n ranges?  (A plain scan, not text.c's search.) */
static int
in_table(const struct text_range *t, size_t n, unsigned int cp)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (cp >= t[i].lo && cp <= t[i].hi)
			return (1);
	}
	return (0);
}

/*
 * Code points text_escape must never let through as they are: controls,
 * and Unicode's default-ignorable, format and separator code points.
 */
static int
unsafe_cp(unsigned int cp)
{
	return (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    in_table(text_ignorable, sizeof text_ignorable /
	    sizeof text_ignorable[0], cp));
}

/* A combining mark, let through only after a character shown as itself. */
static int
mark_cp(unsigned int cp)
{
	return (in_table(text_marks, sizeof text_marks /
	    sizeof text_marks[0], cp));
}

/*
 * May a combining mark follow the code point cp (text.h): after an ASCII
 * letter or digit, or a non-ASCII character shown as itself.
 */
static int
shows(unsigned int cp, int escaped)
{
	if (cp < 0x80)
		return ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z'));
	return (!escaped);
}

static void
check_escape(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	struct buf		 full, capped;
	unsigned int		 cp, cp2;
	unsigned		 flags, want = 0;
	size_t			 i, n, n2, cap;
	char			*dup;
	int			 rc, shown = 0, esc;

	/* The classification, against our own decoder. */
	for (i = 0; i < len; i += n) {
		n = fuzz_utf8_seq(u + i, len - i, &cp);
		n2 = text_utf8_decode(s + i, len - i, &cp2);
		FUZZ_CHECK(n == n2);
		if (n == 0) {
			want |= TEXT_BAD_UTF8;
			shown = 0;
			n = 1;
			continue;
		}
		FUZZ_CHECK(cp == cp2);
		if (cp >= 0x80)
			want |= TEXT_8BIT;
		esc = 0;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			want |= TEXT_CONTROL;
			esc = 1;
		} else if (unsafe_cp(cp) || (!shown && mark_cp(cp))) {
			want |= TEXT_INVISIBLE;
			esc = 1;
		}
		shown = shows(cp, esc);
	}
	flags = text_classify(s, len);
	FUZZ_CHECK(flags == want);

	buf_init(&full, 0);
	rc = text_escape(&full, s, len);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(full.len >= len);
	FUZZ_CHECK(full.data[full.len] == '\0');
	FUZZ_CHECK(memchr(full.data, '\0', full.len) == NULL);
	FUZZ_CHECK(fuzz_printable(full.data, full.len, NULL));
	shown = 0;
	for (i = 0; i < full.len; i += n) {
		n = fuzz_utf8_seq((const unsigned char *)full.data + i,
		    full.len - i, &cp);
		FUZZ_CHECK(n != 0 && !unsafe_cp(cp));
		FUZZ_CHECK(shown || !mark_cp(cp));
		shown = shows(cp, 0);
	}
	FUZZ_CHECK((text_classify(full.data, full.len) & ~TEXT_8BIT) == 0);
	/* Clean text without a backslash comes out unchanged. */
	if ((flags & ~TEXT_8BIT) == 0 && memchr(s, '\\', len) == NULL)
		FUZZ_CHECK(full.len == len && memcmp(full.data, s, len) == 0);

	dup = text_escape_dup(s, len);
	FUZZ_CHECK(strlen(dup) == full.len && memcmp(dup, full.data,
	    full.len) == 0);
	free(dup);

	/* A cap keeps a prefix, cut between escapes, and says so. */
	cap = len / 2 + 1;
	buf_init(&capped, cap);
	rc = text_escape(&capped, s, len);
	FUZZ_CHECK(capped.len <= cap);
	FUZZ_CHECK(memcmp(capped.data, full.data, capped.len) == 0);
	FUZZ_CHECK((rc == -1) == (full.len > cap));
	FUZZ_CHECK(fuzz_printable(capped.data, capped.len, NULL));
	if (capped.len > 0)
		FUZZ_CHECK(capped.data[capped.len - 1] != '\\' ||
		    (capped.len >= 2 && capped.data[capped.len - 2] == '\\'));
	buf_release(&capped);
	buf_release(&full);
}

/* Encode s in pieces of the sizes given (from the input itself). */
static void
encode(struct buf *out, struct dotstuff *d, const char *s, size_t len,
    const uint8_t *sizes, size_t nsizes)
{
	size_t	off = 0, k = 0, n;

	dotstuff_init(d);
	while (off < len) {
		n = nsizes == 0 ? len : (size_t)sizes[k++ % nsizes] % 17 + 1;
		if (n > len - off)
			n = len - off;
		FUZZ_CHECK(dotstuff_encode(d, s + off, n, out) == 0);
		off += n;
	}
	FUZZ_CHECK(dotstuff_finish(d, out) == 0);
}

static void
check_dotstuff(const char *s, size_t len)
{
	struct buf		 one, split, norm, back;
	struct dotstuff		 d1, d2;
	const char		*o, *nl;
	size_t			 i, lines = 0, stuffed = 0, body, n;
	int			 bol = 1;

	buf_init(&one, 0);
	buf_init(&split, 0);
	encode(&one, &d1, s, len, NULL, 0);
	encode(&split, &d2, s, len, (const uint8_t *)s, len < 8 ? len : 8);
	FUZZ_CHECK(one.len == split.len &&
	    memcmp(one.data, split.data, one.len) == 0);
	FUZZ_CHECK(d1.lines == d2.lines && d1.stuffed == d2.stuffed);

	/* Ends in ".\r\n" after a line end (or is only that). */
	o = one.data;
	FUZZ_CHECK(one.len >= 3);
	FUZZ_CHECK(memcmp(o + one.len - 3, ".\r\n", 3) == 0);
	body = one.len - 3;
	FUZZ_CHECK(body == 0 || (body >= 2 && o[body - 2] == '\r' &&
	    o[body - 1] == '\n'));
	/* CR and LF only as CRLF. */
	for (i = 0; i < one.len; i++) {
		if (o[i] == '\r')
			FUZZ_CHECK(i + 1 < one.len && o[i + 1] == '\n');
		if (o[i] == '\n')
			FUZZ_CHECK(i > 0 && o[i - 1] == '\r');
	}

	/* The input with every line end (CRLF, CR, LF) made CRLF. */
	buf_init(&norm, 0);
	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			buf_add(&norm, "\r\n", 2);
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
			bol = 1;
		} else if (s[i] == '\n') {
			buf_add(&norm, "\r\n", 2);
			bol = 1;
		} else {
			buf_addch(&norm, s[i]);
			bol = 0;
		}
	}
	if (!bol)
		buf_add(&norm, "\r\n", 2);

	/* Undo the stuffing line by line; no body line is "." alone. */
	buf_init(&back, 0);
	for (i = 0; i < body; i = (size_t)(nl - o) + 2) {
		nl = memmem(o + i, body - i, "\r\n", 2);
		FUZZ_CHECK(nl != NULL);
		n = (size_t)(nl - (o + i));
		lines++;
		FUZZ_CHECK(!(n == 1 && o[i] == '.'));
		if (n > 0 && o[i] == '.') {
			FUZZ_CHECK(n >= 2 && o[i + 1] == '.');
			stuffed++;
			buf_add(&back, o + i + 1, n - 1);
		} else
			buf_add(&back, o + i, n);
		buf_add(&back, "\r\n", 2);
	}
	FUZZ_CHECK(back.len == norm.len &&
	    memcmp(back.data, norm.data, norm.len) == 0);
	FUZZ_CHECK(d1.lines == lines && d1.stuffed == stuffed);

	buf_release(&back);
	buf_release(&norm);
	buf_release(&one);
	buf_release(&split);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_escape((const char *)data, size);
	check_dotstuff((const char *)data, size);
	return (0);
}
