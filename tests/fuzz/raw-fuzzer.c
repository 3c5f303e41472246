/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the /raw unescaper (replay_unescape in
 * src/record/replay.c), as both front ends call it: the argument as typed (a C
 * string, ending at the first NUL), leading blanks skipped.  Built by
 * tests/fuzz/run.sh.
 *
 * Checked against an independent decoder of the escapes replay.h
 * documents (\\ \t \r \n \e \xHH \uHHHH \U00HHHHHH, UTF-8 out, no
 * surrogates, an unknown or malformed escape kept as it is); the result is
 * NUL-terminated, never longer than the argument; and escaping the bytes
 * again (text_escape) and unescaping gives them back.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "record/replay.h"
#include "base/text.h"

#include "fuzz/fuzz-common.h"

/* The value of n hex digits at s, or -1. */
static long
hex(const char *s, size_t n)
{
	long	v = 0;
	size_t	i;
	int	d;

	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return (-1);
		v = v * 16 + d;
	}
	return (v);
}

/* Append code point cp as UTF-8. */
static size_t
put_utf8(unsigned char *o, long cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return (1);
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return (3);
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return (4);
}

/* The reference decoder: o has room for len bytes. */
static size_t
reference(const char *s, size_t len, unsigned char *o)
{
	size_t	i = 0, n = 0, left;
	long	v;

	while (i < len) {
		left = len - i;
		if (s[i] != '\\' || left == 1) {
			o[n++] = (unsigned char)s[i++];
			continue;
		}
		v = -1;
		switch (s[i + 1]) {
		case '\\': o[n++] = '\\'; i += 2; continue;
		case 't': o[n++] = '\t'; i += 2; continue;
		case 'r': o[n++] = '\r'; i += 2; continue;
		case 'n': o[n++] = '\n'; i += 2; continue;
		case 'e': o[n++] = 0x1b; i += 2; continue;
		case 'x':
			if (left >= 4 && (v = hex(s + i + 2, 2)) != -1) {
				o[n++] = (unsigned char)v;
				i += 4;
				continue;
			}
			break;
		case 'u':
			if (left >= 6 && (v = hex(s + i + 2, 4)) != -1 &&
			    (v < 0xd800 || v > 0xdfff)) {
				n += put_utf8(o + n, v);
				i += 6;
				continue;
			}
			break;
		case 'U':
			if (left >= 10 && s[i + 2] == '0' && s[i + 3] == '0' &&
			    (v = hex(s + i + 4, 6)) != -1 && v <= 0x10ffff &&
			    (v < 0xd800 || v > 0xdfff)) {
				n += put_utf8(o + n, v);
				i += 10;
				continue;
			}
			break;
		}
		/* Not an escape: the backslash stays. */
		o[n++] = '\\';
		i++;
	}
	return (n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*line, *bytes, *esc, *back;
	const char	*a;
	unsigned char	*want;
	size_t		 len, blen, wlen, rlen;

	line = malloc(size + 1);
	FUZZ_CHECK(line != NULL);
	memcpy(line, data, size);
	line[size] = '\0';
	for (a = line; *a == ' '; a++)
		;
	len = strlen(a);

	bytes = replay_unescape(a, len, &blen);
	FUZZ_CHECK(bytes != NULL);
	FUZZ_CHECK(bytes[blen] == '\0');
	FUZZ_CHECK(blen <= len);
	want = malloc(len + 1);
	FUZZ_CHECK(want != NULL);
	wlen = reference(a, len, want);
	FUZZ_CHECK(wlen == blen);
	FUZZ_CHECK(blen == 0 || memcmp(bytes, want, blen) == 0);
	/* An argument without a backslash is sent as it is. */
	if (memchr(a, '\\', len) == NULL)
		FUZZ_CHECK(blen == len && memcmp(bytes, a, len) == 0);

	/* What is shown of the bytes reads back as the same bytes. */
	esc = text_escape_dup(bytes, blen);
	FUZZ_CHECK(fuzz_printable(esc, strlen(esc), NULL));
	back = replay_unescape(esc, strlen(esc), &rlen);
	FUZZ_CHECK(rlen == blen && (blen == 0 ||
	    memcmp(back, bytes, blen) == 0));

	free(back);
	free(esc);
	free(want);
	free(bytes);
	free(line);
	return (0);
}
