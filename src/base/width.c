/* SPDX-License-Identifier: ISC */
/*
 * Display width of UTF-8 text in terminal columns, and wrapping it into rows.
 *
 * Characters are decoded with mbrtowc() and measured with wcwidth(), so the
 * program must have called setlocale() with a UTF-8 locale.  Nothing here
 * fails on bad input: an invalid or truncated sequence is one byte that
 * takes one column, as are controls and unassigned code points.  Rows are
 * broken at ASCII spaces only; 0x20 never occurs inside a multibyte UTF-8
 * sequence, so scanning bytes for it is safe.
 */
#include "config.h"

#include <string.h>
#include <wchar.h>

#include "base/width.h"

static size_t	width_step(const char *, size_t, size_t *);

/* Measure the character at s. */
int
width_char(const char *s, size_t len, size_t *clen)
{
	mbstate_t	 ps;
	wchar_t		 wc;
	size_t		 n;
	int		 w;

	*clen = 1;
	if (len == 0)
		return (-1);
	if ((unsigned char)*s < 0x80) {
		/* ASCII fast path: printable or control. */
		return (*s >= 0x20 && *s < 0x7f ? 1 : -1);
	}
	memset(&ps, 0, sizeof ps);
	n = mbrtowc(&wc, s, len, &ps);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
		return (-1);
	*clen = n;
	w = wcwidth(wc);
	if (w < 0)
		return (-1);
	return (w > 2 ? 2 : w);
}

/* Return the columns of the character at s, counting unprintables as 1. */
static size_t
width_step(const char *s, size_t len, size_t *clen)
{
	int	w;

	w = width_char(s, len, clen);
	return (w < 0 ? 1 : (size_t)w);
}

/* Return the columns of len bytes of s. */
size_t
width_str(const char *s, size_t len)
{
	size_t	off = 0, cols = 0, clen;

	while (off < len) {
		cols += width_step(s + off, len - off, &clen);
		off += clen;
	}
	return (cols);
}

/* Return the longest prefix of s that fits in cols columns. */
size_t
width_fit(const char *s, size_t len, size_t cols, size_t *used)
{
	size_t	off = 0, have = 0, clen, w;

	while (off < len) {
		w = width_step(s + off, len - off, &clen);
		if (have + w > cols)
			break;
		have += w;
		off += clen;
	}
	if (used != NULL)
		*used = have;
	return (off);
}

/* Return the bytes of the first row of s wrapped at cols columns. */
size_t
width_wrap(const char *s, size_t len, size_t cols, size_t *next)
{
	size_t	fit, end = 0, brk = 0, o, clen;
	int	w, prev_wide = 0;

	fit = width_fit(s, len, cols, NULL);
	if (fit == len) {
		*next = len;
		return (len);
	}
	if (fit == 0) {
		/* Narrower than one character (cols < 2): take it anyway. */
		width_char(s, len, &clen);
		*next = clen;
		return (clen);
	}

	/*
	 * The last place the row may end: before a space, or on either side
	 * of a wide (CJK) character, where text is written without spaces.
	 */
	for (o = 0; o <= fit && o < len; o += clen) {
		w = width_char(s + o, len - o, &clen);
		if (s[o] == ' ') {
			if (o > 0) {
				end = o;
				brk = o;
			}
		} else if (o > 0 && (w == 2 || prev_wide)) {
			end = o;
			brk = o;
		}
		prev_wide = w == 2;
		if (o == fit)
			break;
	}
	/* Leave the spaces at the break out of the row. */
	while (end > 0 && s[end - 1] == ' ')
		end--;
	if (end == 0) {
		if (s[fit] == ' ') {
			/* Nothing but spaces up to the width: show them. */
			end = fit;
			brk = fit;
		} else {
			/* One word longer than the row: cut it at the width. */
			*next = fit;
			return (fit);
		}
	}
	while (brk < len && s[brk] == ' ')
		brk++;
	*next = brk;
	return (end);
}

/* Return the number of rows s needs in cols columns. */
size_t
width_rows(const char *s, size_t len, size_t cols)
{
	size_t	rows = 1, off = 0, next;

	for (;;) {
		width_wrap(s + off, len - off, cols, &next);
		off += next;
		if (off >= len)
			break;
		rows++;
	}
	return (rows);
}

/* Return the bytes of the row of s at off, wrapped with a hanging indent. */
size_t
width_hang(const char *s, size_t len, size_t off, size_t cols, size_t indent,
    size_t *ind, size_t *next)
{
	size_t	n, step;

	*ind = 0;
	if (off > 0) {
		/* A very long heading: indent a little, not to it. */
		*ind = indent < cols / 2 ? indent : (cols / 2 < 4 ? cols / 2 : 4);
	}
	n = width_wrap(s + off, len - off, cols - *ind, &step);
	*next = off + step;
	return (n);
}

/* Return the number of rows s needs when wrapped by width_hang(). */
size_t
width_hang_rows(const char *s, size_t len, size_t cols, size_t indent)
{
	size_t	rows = 0, off = 0, next, ind;

	do {
		width_hang(s, len, off, cols, indent, &ind, &next);
		off = next;
		rows++;
	} while (off < len);
	return (rows);
}
