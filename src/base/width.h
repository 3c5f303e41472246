/* SPDX-License-Identifier: ISC */
/*
 * Display width of UTF-8 text in terminal columns (mbrtowc and wcwidth in a
 * UTF-8 locale), and cutting text into rows that fit a width.  No curses
 * here, so it is unit-tested on its own.  Callers pass text that has been
 * through text_escape(), but these functions still never fail on bad bytes:
 * an invalid byte counts as one column.
 */
#ifndef WIDTH_H
#define WIDTH_H

#include <stddef.h>

/*
 * Columns taken by the character at s (at most len bytes): 0 for combining
 * marks, 1 or 2 (East Asian wide), or -1 for a character that must not be
 * printed as it is (a control, an unassigned code point, an invalid byte).
 * *clen gets the character's length in bytes (at least 1).
 */
int	width_char(const char *, size_t, size_t *);
/* Columns of len bytes of s (a non-printable character counts as 1). */
size_t	width_str(const char *, size_t);
/*
 * The longest prefix of s that fits in cols columns, in bytes, never
 * splitting a character; *used (may be NULL) gets its columns.
 */
size_t	width_fit(const char *, size_t, size_t, size_t *);
/*
 * Wrap: the bytes of s to show on the first row of a cols-wide area,
 * breaking after the last space that fits when there is one (and the row
 * would otherwise be cut in a word), else at the width.  *next gets the
 * offset where the following row starts (spaces at the break skipped).
 * Returns len (and *next = len) when everything fits.  cols must be >= 2.
 */
size_t	width_wrap(const char *, size_t, size_t, size_t *);
/* Number of rows s needs when wrapped into cols columns (at least 1). */
size_t	width_rows(const char *, size_t, size_t);
/*
 * Wrap with a hanging indent, one row at a time: the row of s that starts
 * at byte off (0: the first row).  The first row is cols wide; the rows
 * after it start *ind columns in (indent, or at most 4 when indent is not
 * below half of cols) and are cols - *ind wide.  Returns the row's bytes
 * and sets *next as width_wrap() does, relative to s.  cols must be >= 4.
 * Whatever measures wrapped text and whatever draws it both go through
 * here, so the two always agree.
 */
size_t	width_hang(const char *, size_t, size_t, size_t, size_t, size_t *,
	    size_t *);
/* Number of rows s needs when wrapped by width_hang() (at least 1). */
size_t	width_hang_rows(const char *, size_t, size_t, size_t);

#endif
