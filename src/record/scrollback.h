/* SPDX-License-Identifier: ISC */
/*
 * The dialogue as the screen keeps it: every line shown (server, client,
 * notices, warnings, the TLS boundary) and a table of replies so that any
 * earlier reply can be explained again.  Built for long sessions: line text
 * lives in large append-only chunks and each line costs a small fixed
 * record, so a million lines stay cheap (bench/ measures it).  No curses.
 *
 * Text is stored as received (raw bytes, NULs allowed); callers escape it
 * when they draw.  Pointers returned by sb_text() and sb_reply() stay valid
 * until sb_free(): chunks never move.
 */
#ifndef SCROLLBACK_H
#define SCROLLBACK_H

#include <stddef.h>
#include <stdint.h>

enum sb_kind {
	SB_SERVER,		/* a line from the server */
	SB_CLIENT,		/* a line we sent */
	SB_NOTICE,		/* what happened, in our words */
	SB_WARNING,		/* something not to miss */
	SB_ERROR,		/* a failure */
	SB_TLS			/* the TLS boundary and TLS details */
};

/* Line flags. */
#define SB_F_BARE_LF	0x01	/* the line ended in LF without CR */
#define SB_F_LAST	0x02	/* last line of its reply */

struct sb_reply {
	int		 code;		/* 0 for a malformed line */
	char		 enh[16];	/* "5.1.1" or "" */
	const char	*verb;		/* context key (static string) or NULL */
	const char	*command;	/* the command as shown, or NULL */
	const char	*decoded;	/* 334 text decoded, or NULL */
	size_t		 first;		/* index of its first line */
	size_t		 nlines;	/* lines stored for it */
	unsigned	 flags;		/* REPLY_F_* of the parser */
	unsigned	 notes;		/* SESSION_NOTE_* */
	long long	 rtt_us;	/* -1 when not measured */
	int		 sec;		/* enum session_sec */
};

struct scrollback;

/*
 * The front ends' bound in bytes (--scrollback): 256 MiB keeps about
 * 2,500,000 lines of a usual reply's length (70 bytes of text and 32 of
 * record) yet 62,000 lines of the longest a reply line may be (4096).
 */
#define SB_DEFAULT_MAX_BYTES	((size_t)256 * 1024 * 1024)
/* The smallest and largest bounds --scrollback takes. */
#define SB_MIN_MAX_BYTES	((size_t)64 * 1024)
#define SB_MAX_MAX_BYTES	(SIZE_MAX / 4)

/* Create a store keeping at most max lines (0: no limit; the oldest go). */
struct scrollback	*sb_new(size_t);
void			 sb_free(struct scrollback *);
/*
 * Bound the store in bytes as well (0: no bound): text, line records and
 * replies kept count against it, and the oldest lines go to make room.
 */
void	sb_set_max_bytes(struct scrollback *, size_t);
size_t	sb_max_bytes(const struct scrollback *);
/* Bytes counted against the bound now. */
size_t	sb_bytes(const struct scrollback *);
/* Lines dropped to make room so far; *bytes (if not NULL) their text. */
size_t	sb_dropped(const struct scrollback *, size_t *);
/*
 * Read a size: digits and an optional K, M or G (KiB, MiB, GiB; "KB",
 * "MiB" and the like accepted too).  Returns -1 when it is not one or is
 * outside SB_MIN_MAX_BYTES..SB_MAX_MAX_BYTES.
 */
int	sb_parse_size(const char *, size_t *);
/* Write a size for people: "256 MiB", "1.5 GiB", "900 bytes". */
void	sb_format_size(char *, size_t, size_t);
/*
 * Append a line.  kind is enum sb_kind, sec enum session_sec, time_ms the
 * wall-clock time in milliseconds, reply the index from sb_add_reply() or
 * -1.  Returns the line's index (indexes keep growing when old lines are
 * dropped: see sb_first()).
 */
size_t	sb_add(struct scrollback *, int, int, int64_t, long, unsigned,
	    const char *, size_t);
/*
 * Record a reply before adding its lines.  command and decoded are copied;
 * verb must be a static string.  first and nlines are filled in by sb_add()
 * as lines with this reply index arrive.  Returns the reply's index.
 */
long	sb_add_reply(struct scrollback *, const struct sb_reply *);
/*
 * Complete a reply recorded while its lines were still arriving: code,
 * enh, verb, flags, notes, rtt_us and sec are replaced, command and
 * decoded copied when not NULL; first and nlines are kept.
 */
void	sb_update_reply(struct scrollback *, long, const struct sb_reply *);
/* The most lines kept (0: no limit). */
size_t	sb_max(const struct scrollback *);
/* Index of the oldest line still kept, and one past the newest. */
size_t	sb_first(const struct scrollback *);
size_t	sb_end(const struct scrollback *);
/* Line i (sb_first() <= i < sb_end()): text and its length. */
const char *sb_text(const struct scrollback *, size_t, size_t *);
int	sb_kind(const struct scrollback *, size_t);
int	sb_sec(const struct scrollback *, size_t);
int64_t	sb_time(const struct scrollback *, size_t);
long	sb_reply_of(const struct scrollback *, size_t);	/* -1: none */
unsigned sb_flags(const struct scrollback *, size_t);
/* Replies: count and reply i (NULL when out of range or dropped). */
long	sb_nreplies(const struct scrollback *);
const struct sb_reply *sb_reply(const struct scrollback *, long);
/*
 * Find the next line at or after from (backwards: at or before) whose text
 * contains needle, ignoring ASCII case.  Returns its index, or -1.
 */
long	sb_search(const struct scrollback *, const char *, size_t, int);
/* Bytes used by the store beyond the text itself (for the benchmark). */
size_t	sb_overhead(const struct scrollback *);
/* Bytes of text stored. */
size_t	sb_text_bytes(const struct scrollback *);

#endif
