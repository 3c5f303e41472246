/* SPDX-License-Identifier: ISC */
/*
 * The user's config file (~/.config/smtpscope/config): one "set NAME VALUE"
 * (or "NAME VALUE") a line, blank lines and "#" comments.  This is only the
 * reader: it splits the file into lines and a line into a name and a value;
 * which names and values mean something is the front end's business (the
 * full screen's tui_set()).  No I/O beyond the FILE given, no printing.
 */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <stddef.h>
#include <stdio.h>

/* The longest line, without its line end; longer ones are skipped whole. */
#define SETTINGS_LINE_MAX	511
/* The longest name or value kept (longer ones are no setting anyway). */
#define SETTINGS_WORD_MAX	63

/* What settings_line() and settings_read() found. */
#define SETTINGS_EOF	0	/* settings_read(): the end of the file */
#define SETTINGS_SET	1	/* a setting: name and value filled in */
#define SETTINGS_EMPTY	2	/* settings_line(): blank or a comment */
#define SETTINGS_BAD	(-1)	/* not "set NAME VALUE" */
#define SETTINGS_LONG	(-2)	/* over SETTINGS_LINE_MAX bytes: skipped */
#define SETTINGS_NUL	(-3)	/* a NUL byte in the line: skipped */

struct settings_line {
	char	name[SETTINGS_WORD_MAX + 1];
	char	value[SETTINGS_WORD_MAX + 1];
};

/*
 * Parse one line of len bytes (no line end; it need not be NUL-terminated).
 * Returns SETTINGS_SET with sl filled in, SETTINGS_EMPTY, SETTINGS_BAD (no
 * value, or a name or value over SETTINGS_WORD_MAX bytes), SETTINGS_LONG
 * (len over SETTINGS_LINE_MAX) or SETTINGS_NUL.  Words after the value
 * are ignored.
 */
int	settings_line(const char *, size_t, struct settings_line *);
/*
 * Read the next line of f that is not blank or a comment, counting lines in
 * *lineno (start it at 0).  A line over SETTINGS_LINE_MAX bytes is read to
 * its end and skipped whole, none of it taken as a setting.  Returns
 * SETTINGS_SET, SETTINGS_EOF (also on a read error), or SETTINGS_BAD,
 * SETTINGS_LONG or SETTINGS_NUL for the line *lineno, which the caller
 * reports before reading on.
 */
int	settings_read(FILE *, unsigned int *, struct settings_line *);

#endif
