/* SPDX-License-Identifier: ISC */
/*
 * Shared helpers for the libFuzzer targets in tests/fuzz/ (built by
 * tests/fuzz/run.sh, not by automake).  An invariant that does not hold
 * aborts, so libFuzzer keeps the input as a crash.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/*
 * Independent UTF-8 check (not text_utf8_decode, so the two can be compared):
 * shortest form, no surrogates, nothing above U+10FFFF.  Returns the length
 * of the sequence at s and its code point, or 0 if it is not valid.
 */
static inline size_t
fuzz_utf8_seq(const unsigned char *s, size_t len, unsigned int *cp)
{
	unsigned int	c;
	size_t		n, i;

	if (len == 0)
		return (0);
	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return (0);
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (n);
}

/*
 * Is s safe to print: valid UTF-8, no C0 control (except those in allow),
 * no DEL, no C1 control?
 */
static inline int
fuzz_printable(const char *s, size_t len, const char *allow)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned int		 cp;
	size_t			 i = 0, n;
	const char		*a;

	while (i < len) {
		if ((n = fuzz_utf8_seq(u + i, len - i, &cp)) == 0)
			return (0);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			for (a = allow; a != NULL && *a != '\0'; a++)
				if ((unsigned char)*a == cp)
					break;
			if (a == NULL || *a == '\0')
				return (0);
		}
		i += n;
	}
	return (1);
}

#endif
