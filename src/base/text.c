/* SPDX-License-Identifier: ISC */
/*
 * Escaping and classifying untrusted text.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/text.h"

/* A range of code points, both ends included. */
struct text_range {
	unsigned int	lo;
	unsigned int	hi;
};

#include "base/text-unicode.h"

static int	text_in(const struct text_range *, size_t, unsigned int);
static int	text_invisible(unsigned int);
static int	text_mark(unsigned int);

/* Decode one UTF-8 sequence, rejecting overlong forms and surrogates. */
size_t
text_utf8_decode(const char *s, size_t len, unsigned int *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned int		 c, min;
	size_t			 n, i;

	if (len == 0)
		return (0);
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return (0);
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (n);
}

/* Is cp in the sorted table t of n ranges? */
static int
text_in(const struct text_range *t, size_t n, unsigned int cp)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < t[mid].lo)
			hi = mid;
		else if (cp > t[mid].hi)
			lo = mid + 1;
		else
			return (1);
	}
	return (0);
}

/*
 * Is this code point invisible or does it change how the text around it
 * shows: a C1 control, or a default-ignorable, format (BiDi controls,
 * zero-width characters, tags, interlinear annotation), line or paragraph
 * separator code point (src/base/text-unicode.h)?
 */
static int
text_invisible(unsigned int cp)
{
	if (cp >= 0x80 && cp <= 0x9f)		/* C1 controls */
		return (1);
	return (text_in(text_ignorable, sizeof text_ignorable /
	    sizeof text_ignorable[0], cp));
}

/*
 * Is this a combining mark?  One is shown as itself only after a letter,
 * a digit or another character shown as itself (a mark on a mark too):
 * at the start of the text it would combine with what the screen shows
 * before it (a prompt, a column rule), and after a space, punctuation or
 * an escape it would disguise them.
 */
static int
text_mark(unsigned int cp)
{
	if (cp < 0x300)
		return (0);
	return (text_in(text_marks, sizeof text_marks / sizeof text_marks[0],
	    cp));
}

/* Classify text. */
unsigned
text_classify(const char *s, size_t len)
{
	unsigned	flags = 0;
	unsigned int	cp;
	size_t		i = 0, n;
	int		shown = 0;	/* a mark may follow the last one */

	while (i < len) {
		unsigned char	c = (unsigned char)s[i];

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				flags |= TEXT_CONTROL;
			shown = isalnum(c);
			i++;
			continue;
		}
		if ((n = text_utf8_decode(s + i, len - i, &cp)) == 0) {
			flags |= TEXT_BAD_UTF8;
			shown = 0;
			i++;
			continue;
		}
		flags |= TEXT_8BIT;
		if (cp >= 0x80 && cp <= 0x9f) {
			flags |= TEXT_CONTROL;
			shown = 0;
		} else if (text_invisible(cp) || (!shown && text_mark(cp))) {
			flags |= TEXT_INVISIBLE;
			shown = 0;
		} else
			shown = 1;
		i += n;
	}
	return (flags);
}

/* Escape text for display. */
int
text_escape(struct buf *b, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned int		 cp;
	size_t			 i = 0, n, run;
	char			 esc[12];
	int			 shown = 0;	/* a mark may follow */

	while (i < len) {
		unsigned char	c = (unsigned char)s[i];

		/* Copy the longest run of safe ASCII in one go. */
		run = 0;
		while (i + run < len) {
			c = (unsigned char)s[i + run];
			if (c < 0x20 || c >= 0x7f || c == '\\')
				break;
			run++;
		}
		if (run > 0) {
			if (buf_add(b, s + i, run) == -1)
				return (-1);
			i += run;
			shown = isalnum((unsigned char)s[i - 1]);
			continue;
		}
		if (c < 0x80) {
			const char	*e = NULL;

			switch (c) {
			case '\\':
				e = "\\\\";
				break;
			case '\t':
				e = "\\t";
				break;
			case '\r':
				e = "\\r";
				break;
			case '\n':
				e = "\\n";
				break;
			case 0x1b:
				e = "\\e";
				break;
			default:
				esc[0] = '\\';
				esc[1] = 'x';
				esc[2] = hex[c >> 4];
				esc[3] = hex[c & 0xf];
				esc[4] = '\0';
				e = esc;
				break;
			}
			if (buf_addstr(b, e) == -1)
				return (-1);
			shown = 0;
			i++;
			continue;
		}
		if ((n = text_utf8_decode(s + i, len - i, &cp)) == 0) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0xf];
			esc[4] = '\0';
			if (buf_addstr(b, esc) == -1)
				return (-1);
			shown = 0;
			i++;
			continue;
		}
		if (text_invisible(cp) || (!shown && text_mark(cp))) {
			if (cp > 0xffff)
				snprintf(esc, sizeof esc, "\\U%08x", cp);
			else
				snprintf(esc, sizeof esc, "\\u%04x", cp);
			if (buf_addstr(b, esc) == -1)
				return (-1);
			shown = 0;
		} else {
			if (buf_add(b, s + i, n) == -1)
				return (-1);
			shown = 1;
		}
		i += n;
	}
	return (0);
}

/* Return an escaped copy. */
char *
text_escape_dup(const char *s, size_t len)
{
	struct buf	b;

	buf_init(&b, 0);
	text_escape(&b, s, len);
	return (buf_detach(&b, NULL));
}
