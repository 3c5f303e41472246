/* SPDX-License-Identifier: ISC */
/*
 * Making untrusted text safe to show.  Server bytes never reach a terminal
 * as they are: control characters, invalid UTF-8 and invisible or
 * direction-changing code points are written as visible escapes, and the
 * backslash itself is doubled so the escaping cannot be forged.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>

struct buf;

#define TEXT_CONTROL	0x1	/* C0/C1 controls or DEL */
#define TEXT_BAD_UTF8	0x2	/* bytes that are not valid UTF-8 */
#define TEXT_8BIT	0x4	/* valid non-ASCII UTF-8 */
#define TEXT_INVISIBLE	0x8	/* BiDi, zero-width, other ignorables */

/* Return the TEXT_* flags describing len bytes of s. */
unsigned	text_classify(const char *, size_t);
/*
 * Append len bytes of s to b with everything unsafe escaped: \\ \t \r \n \e,
 * \xHH for other controls and invalid bytes, \uHHHH (\UHHHHHHHH above
 * U+FFFF) for C1 controls, invisible or direction-changing code points
 * (Unicode's default-ignorable and format code points, line and paragraph
 * separators) and a combining mark that does not follow a letter, a digit
 * or another character shown as itself.  Returns -1 if b's cap was hit
 * (what fitted stays appended).
 */
int		text_escape(struct buf *, const char *, size_t);
/* Return a newly allocated escaped copy; the caller frees it. */
char		*text_escape_dup(const char *, size_t);
/*
 * Decode one UTF-8 sequence at s (at most len bytes): returns its length and
 * sets *cp, or returns 0 when the bytes are not a valid sequence.
 */
size_t		text_utf8_decode(const char *, size_t, unsigned int *);

#endif
