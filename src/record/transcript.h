/* SPDX-License-Identifier: ISC */
/*
 * The --log transcript: every session event as timestamped lines, written
 * and flushed as it happens, in a file only its owner can read.  Secrets
 * never reach it: the session masks AUTH before any event is made.
 *
 * Line format (doc/smtpscope.1, TRANSCRIPT): 
 *	2026-11-22T16:21:50.123Z S clear 250-PIPELINING
 * time (UTC), direction (S server, C client, * notice, ! warning or error),
 * protection (clear, tls, tls! = TLS without a verified certificate, or -),
 * then the text with unsafe bytes escaped.
 */
#ifndef TRANSCRIPT_H
#define TRANSCRIPT_H

struct session_event;
struct transcript;

/*
 * Open (append to) path, created with mode 0600, under file_open_append()'s
 * rules; NULL and *cause on failure.
 */
struct transcript	*transcript_open(const char *, char **);
void			 transcript_close(struct transcript *);
/* Write one event. */
void			 transcript_event(struct transcript *,
			    const struct session_event *);
/* Short name of a protection level: "clear", "tls", "tls!". */
const char		*transcript_sec(int);

#endif
