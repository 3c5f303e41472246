/* SPDX-License-Identifier: ISC */
/*
 * Recording session events into a scrollback: the dialogue lines, the
 * replies table, the server recognised.  Shared by the full screen (which
 * draws from it), line mode with --export, and replays.  No curses.
 */
#ifndef RECORD_H
#define RECORD_H

struct buf;
struct kb;
struct scrollback;
struct session_event;

struct record {
	struct scrollback	*sb;
	const struct kb		*kb;
	long			 pending;	/* reply whose lines arrive */
	const char		*server;	/* recognised server key */
	int			 dropped;	/* said that old lines went */
	long long		 when;		/* time of the event being recorded */
};

void	record_init(struct record *, struct scrollback *, const struct kb *);
/*
 * Record one event.  A reply keeps the event's notes (SESSION_NOTE_ENH
 * among them, for its explanation).  Returns 1 when the event completed a
 * reply, 0 otherwise.
 */
int	record_event(struct record *, const struct session_event *);
/*
 * Write into b the notice that the oldest lines were dropped: the bound
 * and how much went so far.
 */
void	record_drop_notice(const struct record *, struct buf *);
/* Add a line of our own (kind enum sb_kind) with the protection sec. */
void	record_line(struct record *, int, int, const char *, size_t);

#endif
