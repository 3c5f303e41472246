/* SPDX-License-Identifier: ISC */
/*
 * Incremental SMTP reply parser (RFC 5321 section 4.2).  Bytes go in in any
 * split; complete replies come out.  Nothing from the server is trusted:
 * every line and every reply is bounded, and malformed input becomes a
 * reply flagged as such, never a crash.  No I/O here.
 */
#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>

/* Default limits; RFC 5321 4.5.3.1.5 allows 512 octets per reply line. */
#define REPLY_LINE_MAX		4096
#define REPLY_LINES_MAX		1000

/* Per-reply flags: what the panel should point out. */
#define REPLY_F_BARE_LF		0x0001	/* a line ended in LF without CR */
#define REPLY_F_CONTROL		0x0002	/* control bytes (NUL, ESC, CR, ...) in text */
#define REPLY_F_BAD_UTF8	0x0004	/* bytes that are not valid UTF-8 */
#define REPLY_F_8BIT		0x0008	/* non-ASCII (valid UTF-8) text */
#define REPLY_F_MIXED_CODES	0x0010	/* continuation lines with another code */
#define REPLY_F_LINE_TRUNCATED	0x0020	/* a line passed the cap; its tail dropped */
#define REPLY_F_LINES_DROPPED	0x0040	/* too many lines; the middle ones dropped */
#define REPLY_F_ENH_MALFORMED	0x0080	/* text starts like an enhanced code but is not one */
#define REPLY_F_ENH_MISMATCH	0x0100	/* enhanced class differs from the basic class */
#define REPLY_F_NONSTANDARD	0x0200	/* second digit above 5 (RFC 5321 4.2.1) */
#define REPLY_F_MALFORMED	0x0400	/* not a reply line at all; code is 0 */

struct reply_line {
	char	*raw;		/* the whole line without its line end */
	size_t	 len;		/* bytes in raw (raw may hold NULs) */
	size_t	 text;		/* offset of the text after "NNN-" / "NNN " */
};

struct reply {
	int		 code;		/* 200-599, or 0 when REPLY_F_MALFORMED */
	int		 enh_class;	/* 2, 4 or 5; -1 when no enhanced code */
	int		 enh_subject;
	int		 enh_detail;
	char		 enh[16];	/* "5.1.1", or "" */
	struct reply_line *lines;
	size_t		 nlines;
	size_t		 dropped_lines;	/* lines not kept (REPLY_F_LINES_DROPPED) */
	size_t		 dropped_bytes;	/* bytes cut from long lines */
	size_t		 wire_bytes;	/* bytes this reply took on the wire */
	unsigned	 flags;
};

struct reply_parser;

/*
 * Called for every complete line as it is parsed, before its reply is
 * complete, so a front end can show lines the moment they arrive: the raw
 * line (no line end), the code (0 for a line that is not a reply line),
 * whether it ends its reply, and REPLY_F_* flags of that line.
 */
typedef void reply_line_cb(void *, const char *, size_t, int, int, unsigned);

/* Create a parser with the given caps (0 picks the defaults above). */
struct reply_parser	*reply_parser_new(size_t, size_t);
void			 reply_parser_free(struct reply_parser *);
/* Set (or clear with NULL) the per-line callback. */
void			 reply_parser_set_line_cb(struct reply_parser *,
			    reply_line_cb *, void *);

/*
 * Feed len bytes.  Returns 1 when a reply is complete: *out is set (the
 * caller owns it and frees it with reply_free()) and *used tells how many
 * bytes were consumed; the rest has not been looked at.  Returns 0 when all
 * bytes were consumed without completing a reply (*used == len).
 */
int	reply_parser_feed(struct reply_parser *, const char *, size_t,
	    size_t *, struct reply **);
/* Bytes held that do not yet form a complete reply. */
size_t	reply_parser_pending(const struct reply_parser *);
/*
 * Take the held bytes of an incomplete reply (as received, line ends
 * included) and forget them.  The caller frees the result.
 */
char	*reply_parser_take_pending(struct reply_parser *, size_t *);

/* Parse one complete reply line (no line end) into a new single-line reply. */
struct reply	*reply_from_line(const char *, size_t);
void		 reply_free(struct reply *);
/* Return the text of line i of a reply (after the code), and its length. */
const char	*reply_text(const struct reply *, size_t, size_t *);
/*
 * Parse an enhanced status code at the start of text: returns the number of
 * bytes it takes (code plus following space), 0 when there is none, and -1
 * when the text starts like one but is malformed.
 */
int	reply_parse_enhanced(const char *, size_t, int *, int *, int *);

#endif
