/* SPDX-License-Identifier: ISC */
/*
 * DATA encoding (RFC 5321 4.5.2): every line ends in CRLF, a line that
 * starts with "." gets another "." in front, and the message ends with
 * CRLF "." CRLF.  Bare LF and bare CR are turned into CRLF, so a message
 * can never carry a line end the server might read differently (SMTP
 * smuggling).  Works on a stream: input may be split anywhere.
 */
#ifndef DOTSTUFF_H
#define DOTSTUFF_H

#include <stddef.h>

struct buf;

struct dotstuff {
	int		bol;		/* at the beginning of a line */
	int		cr;		/* a CR ended the last chunk (its CRLF
					   is written; a LF next is part of it) */
	unsigned long long lines;	/* lines completed */
	unsigned long long stuffed;	/* dots added */
};

void	dotstuff_init(struct dotstuff *);
/*
 * Encode len bytes into out; returns -1 when out's cap was hit (what fit
 * may have been written).
 */
int	dotstuff_encode(struct dotstuff *, const char *, size_t, struct buf *);
/* End the message: finish an open line, then ".\r\n". */
int	dotstuff_finish(struct dotstuff *, struct buf *);

#endif
