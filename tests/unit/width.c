/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for display width and wrapping (src/base/width.c).  They need a
 * UTF-8 locale: LC_ALL from the environment (the harness sets C.UTF-8), else
 * C.UTF-8 itself; without one the whole file is skipped.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tap.h"
#include "base/width.h"

static int	utf8_locale(void);
static char	*wrap_all(const char *, size_t);
static void	test_char(void);
static void	test_str(void);
static void	test_fit(void);
static void	test_wrap(void);
static void	test_rows(void);

/* Switch to a UTF-8 locale; return 0 when there is none. */
static int
utf8_locale(void)
{
	if (setlocale(LC_ALL, "") != NULL &&
	    strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return (1);
	if (setlocale(LC_ALL, "C.UTF-8") != NULL &&
	    strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return (1);
	return (0);
}

/* Wrap s into cols columns and join the rows with '|'. */
static char *
wrap_all(const char *s, size_t cols)
{
	size_t	 len = strlen(s), off = 0, n, next, o = 0;
	char	*out = malloc(2 * len + 2);

	for (;;) {
		n = width_wrap(s + off, len - off, cols, &next);
		memcpy(out + o, s + off, n);
		o += n;
		off += next;
		if (off >= len)
			break;
		out[o++] = '|';
	}
	out[o] = '\0';
	return (out);
}

/* Widths of single characters. */
static void
test_char(void)
{
	size_t	clen;
	int	w;

	is_int(width_char("a", 1, &clen), 1, "ASCII letter is 1 column");
	is_int(clen, 1, "ASCII letter is 1 byte");
	is_int(width_char("\t", 1, &clen), -1, "tab is not printable");
	is_int(width_char("\0", 1, &clen), -1, "NUL is not printable");
	is_int(clen, 1, "NUL is 1 byte");
	is_int(width_char("\x7f", 1, &clen), -1, "DEL is not printable");
	is_int(width_char("\xcc\x81", 2, &clen), 0,
	    "combining acute accent is 0 columns");
	is_int(clen, 2, "combining accent is 2 bytes");
	is_int(width_char("\xe4\xb8\xad", 3, &clen), 2, "CJK is 2 columns");
	is_int(clen, 3, "CJK is 3 bytes");
	is_int(width_char("\xc3\xa9", 2, &clen), 1, "e-acute is 1 column");
	is_int(width_char("\xff", 1, &clen), -1, "0xff is invalid");
	is_int(clen, 1, "an invalid byte is 1 byte long");
	is_int(width_char("\xe4\xb8", 2, &clen), -1, "truncated sequence");
	is_int(clen, 1, "a truncated sequence advances 1 byte");
	is_int(width_char("\xe4\xb8\xad", 2, &clen), -1,
	    "len cuts a sequence short");
	is_int(width_char("\xc0\xaf", 2, &clen), -1, "overlong encoding");
	is_int(width_char("", 0, &clen), -1, "empty input");
	is_int(clen, 1, "empty input still reports 1 byte");

	/* U+1F600: trust wcwidth, but it must be one character. */
	w = width_char("\xf0\x9f\x98\x80", 4, &clen);
	ok(clen == 4 && (w == 2 || w == wcwidth(0x1f600)),
	    "emoji is one 4-byte character of wcwidth's width (%d)", w);
}

/* Widths of strings. */
static void
test_str(void)
{
	is_int(width_str("", 0), 0, "empty string");
	is_int(width_str("hello", 5), 5, "ASCII");
	is_int(width_str("\xe4\xb8\xad\xe6\x96\x87", 6), 4, "\"中文\" is 4");
	is_int(width_str("e\xcc\x81", 3), 1, "e + combining accent is 1");
	is_int(width_str("a\xff" "b", 3), 3, "invalid byte counts 1");
	is_int(width_str("a\0b", 3), 3, "NUL counts 1");
	is_int(width_str("\xe4\xb8", 2), 2,
	    "truncated sequence counts 1 a byte");
	is_int(width_str("hello", 3), 3, "len is respected");
}

/* Fitting a prefix into a width. */
static void
test_fit(void)
{
	const char	*cjk = "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97";
	size_t		 used, n, cols;
	int		 whole = 1;

	is_int(width_fit("hello", 5, 3, &used), 3, "3 of 5 ASCII bytes");
	is_int(used, 3, "3 columns used");
	is_int(width_fit("hello", 5, 10, &used), 5, "all fits");
	is_int(used, 5, "5 columns used");
	is_int(width_fit("hello", 5, 0, &used), 0, "nothing fits in 0");
	is_int(width_fit(cjk, 9, 3, &used), 3, "one CJK char in 3 columns");
	is_int(used, 2, "2 columns used, not 3");
	is_int(width_fit(cjk, 9, 1, NULL), 0, "no CJK char in 1 column");
	is_int(width_fit("e\xcc\x81" "x", 4, 1, &used), 3,
	    "the combining mark stays with its base");
	for (cols = 0; cols <= 7; cols++) {
		n = width_fit(cjk, 9, cols, NULL);
		if (n % 3 != 0 || n / 3 != (cols / 2 > 3 ? 3 : cols / 2))
			whole = 0;
	}
	ok(whole, "width_fit never splits a CJK character");
}

/* Wrapping into rows. */
static void
test_wrap(void)
{
	size_t	 next, n;
	char	*s;

	n = width_wrap("hello", 5, 10, &next);
	ok(n == 5 && next == 5, "everything fits: len and next = len");
	n = width_wrap("", 0, 10, &next);
	ok(n == 0 && next == 0, "empty text");

	n = width_wrap("hello world", 11, 8, &next);
	is_int(n, 5, "break at the space: \"hello\"");
	is_int(next, 6, "next row starts at \"world\"");
	n = width_wrap("hello   world", 13, 7, &next);
	ok(n == 5 && next == 8, "a run of spaces at the break is skipped");
	n = width_wrap("hello world", 11, 5, &next);
	ok(n == 5 && next == 6, "space right after the width");

	s = wrap_all("the quick brown fox jumps over the lazy dog", 10);
	is_str(s, "the quick|brown fox|jumps over|the lazy|dog",
	    "sentence wrapped at 10");
	free(s);
	s = wrap_all("abcdefghijklmnopqrstuvwxyz", 10);
	is_str(s, "abcdefghij|klmnopqrst|uvwxyz", "a long word is hard-broken");
	free(s);
	s = wrap_all("ok abcdefghijklmnop", 8);
	is_str(s, "ok|abcdefgh|ijklmnop", "word moves down, then breaks");
	free(s);
	s = wrap_all("  abcdefghij", 5);
	is_str(s, "  abc|defgh|ij", "indent plus long word is cut at width");
	free(s);
	s = wrap_all("abc      ", 4);
	is_str(s, "abc", "trailing spaces make no extra row");
	free(s);

	/* "ab中": 4 columns; in 3 the wide char moves to the next row. */
	s = wrap_all("ab\xe4\xb8\xad", 3);
	is_str(s, "ab|\xe4\xb8\xad",
	    "a wide char that does not fit moves down");
	free(s);
	s = wrap_all("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97", 5);
	is_str(s, "\xe4\xb8\xad\xe6\x96\x87|\xe5\xad\x97",
	    "CJK without spaces breaks between characters");
	free(s);
	s = wrap_all("\xe4\xb8\xad \xe6\x96\x87", 4);
	is_str(s, "\xe4\xb8\xad|\xe6\x96\x87", "CJK words break at a space");
	free(s);
	s = wrap_all("a\xff\xfe\xfd\xfc" "b", 3);
	is_str(s, "a\xff\xfe|\xfd\xfc" "b", "invalid bytes wrap as 1 column");
	free(s);

	n = width_wrap("\xe4\xb8\xad", 3, 1, &next);
	ok(n == 3 && next == 3, "below the minimum width: still progresses");
}

/* Counting rows. */
static void
test_rows(void)
{
	is_int(width_rows("", 0, 10), 1, "empty text takes 1 row");
	is_int(width_rows("hello", 5, 10), 1, "short text takes 1 row");
	is_int(width_rows("hello world", 11, 8), 2, "two rows");
	is_int(width_rows("abcdefghijklmnopqrstuvwxyz", 26, 10), 3,
	    "hard-broken word: 3 rows");
	is_int(width_rows("abcdefghij", 10, 10), 1, "exact fit: 1 row");
	is_int(width_rows("abcdefghij ", 11, 10), 1,
	    "exact fit plus a space: 1 row");
	is_int(width_rows("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97", 9, 2), 3,
	    "three CJK in 2 columns: 3 rows");
	is_int(width_rows("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97", 9, 3), 3,
	    "three CJK in 3 columns: still 3 rows");
}

/*
 * Hanging indent: the rows counted are the rows drawn.  The text the
 * explanation pane showed for a refused RCPT lost its last rows at 80x24
 * when rows were counted at the full width and drawn narrower.
 */
static void
test_hang(void)
{
	const char	*s = "What to do: The receiving server says there is no "
	    "mailbox with this address. Check the spelling of the part before "
	    "the @ and the domain, then try again.";
	size_t		 len = strlen(s), off = 0, next, ind, n, rows = 0;
	size_t		 cols, indent;
	int		 bad = 0;

	n = width_hang(s, len, 0, 40, 13, &ind, &next);
	is_int(ind, 0, "first row: no indent");
	ok(n <= 40 && width_str(s, n) <= 40, "first row fits 40 columns");
	n = width_hang(s, len, next, 40, 13, &ind, &next);
	is_int(ind, 13, "later rows: indented");
	ok(width_str(s + next - n, n) <= 27, "later row fits 40 - 13");
	is_int(width_hang(s, len, 0, 40, 30, &ind, &next) > 0, 1,
	    "a wide indent...");
	width_hang(s, len, next, 40, 30, &ind, &next);
	is_int(ind, 4, "...is cut to 4 on later rows");
	width_hang(s, len, 3, 6, 5, &ind, &next);
	is_int(ind, 3, "narrow: the indent leaves half the width");

	/* Counting agrees with walking, at every width and indent. */
	for (cols = 4; cols <= 90 && !bad; cols++)
		for (indent = 0; indent <= 30 && !bad; indent += 3) {
			rows = 0;
			off = 0;
			do {
				n = width_hang(s, len, off, cols, indent, &ind,
				    &next);
				if (width_str(s + off, n) > cols - ind)
					bad = 1;
				off = next;
				rows++;
			} while (off < len);
			if (rows != width_hang_rows(s, len, cols, indent))
				bad = 1;
		}
	ok(!bad, "width_hang_rows counts the rows width_hang gives, each "
	    "within its width");
	is_int(width_hang_rows("", 0, 10, 4), 1, "empty text takes 1 row");
	ok(width_hang_rows(s, len, 40, 13) > width_rows(s, len, 40),
	    "an indent can take more rows than the full width");
}

/* Run the tests. */
/* Chinese text has no spaces: rows may break between wide characters. */
static void
test_wrap_cjk(void)
{
	const char	*s = "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96"
	    "\xe7\x95\x8c\xe4\xbd\xa0\xe5\xa5\xbd";	/* 6 wide chars */
	size_t		 next, n;

	n = width_wrap(s, strlen(s), 7, &next);
	is_int(n, 9, "three wide characters fit in 7 columns");
	is_int(next, 9, "the next row starts at the fourth");
	n = width_wrap("ab \xe4\xbd\xa0\xe5\xa5\xbd" "cdef", 13, 6,
	    &next);
	is_int(n, 6, "a break before or after a wide character is allowed");
}

int
main(void)
{
	if (!utf8_locale()) {
		printf("1..0 # SKIP no UTF-8 locale\n");
		return (0);
	}
	test_char();
	test_str();
	test_fit();
	test_wrap();
	test_wrap_cjk();
	test_rows();
	test_hang();
	return (done_testing());
}
