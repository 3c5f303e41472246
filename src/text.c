/* SPDX-License-Identifier: ISC */
/*
 * Escaping and classifying untrusted text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

static int	text_invisible(unsigned int);

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

/* Is this code point invisible or does it change text direction? */
static int
text_invisible(unsigned int cp)
{
	if (cp >= 0x80 && cp <= 0x9f)		/* C1 controls */
		return (1);
	if (cp >= 0x200b && cp <= 0x200f)	/* zero-width, LRM, RLM */
		return (1);
	if (cp >= 0x202a && cp <= 0x202e)	/* BiDi embeddings, overrides */
		return (1);
	if (cp >= 0x2060 && cp <= 0x2064)	/* word joiner, invisible ops */
		return (1);
	if (cp >= 0x2066 && cp <= 0x2069)	/* BiDi isolates */
		return (1);
	if (cp == 0x2028 || cp == 0x2029 || cp == 0x061c || cp == 0x00ad ||
	    cp == 0xfeff)
		return (1);
	return (0);
}

/* Classify text. */
unsigned
text_classify(const char *s, size_t len)
{
	unsigned	flags = 0;
	unsigned int	cp;
	size_t		i = 0, n;

	while (i < len) {
		unsigned char	c = (unsigned char)s[i];

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				flags |= TEXT_CONTROL;
			i++;
			continue;
		}
		if ((n = text_utf8_decode(s + i, len - i, &cp)) == 0) {
			flags |= TEXT_BAD_UTF8;
			i++;
			continue;
		}
		flags |= TEXT_8BIT;
		if (cp >= 0x80 && cp <= 0x9f)
			flags |= TEXT_CONTROL;
		else if (text_invisible(cp))
			flags |= TEXT_INVISIBLE;
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
			i++;
			continue;
		}
		if (text_invisible(cp)) {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = hex[(cp >> 12) & 0xf];
			esc[3] = hex[(cp >> 8) & 0xf];
			esc[4] = hex[(cp >> 4) & 0xf];
			esc[5] = hex[cp & 0xf];
			esc[6] = '\0';
			if (buf_addstr(b, esc) == -1)
				return (-1);
		} else if (buf_add(b, s + i, n) == -1)
			return (-1);
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
