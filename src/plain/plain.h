/* SPDX-License-Identifier: ISC */
/*
 * The line-mode front end: lines from standard input (or a script file)
 * go to the session; the dialogue comes out as annotated lines, one event
 * per line, easy to read and to grep.  Used when standard input or output
 * is not a terminal, with --plain, and by the tests.
 *
 * Output format (doc/smtpscope.1, OUTPUT):
 *	S clear 250-PIPELINING		server line
 *	C tls   MAIL FROM:<a@b.example>	client line
 *	E       550 ... | answers RCPT	explanation of the reply above
 *	*       connected to ...		notice
 *	!       ...			warning or error
 */
#ifndef PLAIN_H
#define PLAIN_H

#include <stdio.h>

#include "base/buf.h"
#include "record/record.h"

struct kb;
struct session;
struct session_event;
struct transcript;

struct plain {
	struct session		*session;
	const struct kb		*kb;
	struct transcript	*log;
	FILE			*out;
	int			 timestamps;	/* --timestamps */
	int			 verbose;	/* show sources too */
	int			 explain;	/* 0: --no-explain */
	int			 in_fd;		/* commands come from here */
	int			 interactive;	/* in_fd is a terminal */
	int			 in_eof;
	struct buf		 inbuf;
	int			 in_skip;	/* dropping a long line to its end */
	int			 quit;
	int			 interrupted;
	const char		*server;	/* recognised server key */
	int			 server_named;	/* the server line was printed */
	int			 midreply;	/* lines of a reply, no last yet */
	struct scrollback	*sb;		/* the dialogue, for /export */
	struct record		 rec;
	int			 dropped_said;	/* said that old lines went */
};

/* Set up the front end reading commands from fd. */
void	plain_init(struct plain *, int, FILE *, const struct kb *);
void	plain_release(struct plain *);
/* The session's event callback (arg is the struct plain). */
void	plain_event(void *, const struct session_event *);
/* Run until the session is closed. */
void	plain_run(struct plain *);
/*
 * Write the dialogue so far as an HTML handout to path; target names the
 * other end; mode 0644 if public is set, else 0600.  Returns 0, or -1
 * after saying why.
 */
int	plain_export(struct plain *, const char *, const char *, int);
/* Print a line of our own with a direction mark. */
void	plain_say(struct plain *, char, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
