/* SPDX-License-Identifier: ISC */
/*
 * Dot-stuffing and line-end normalisation for DATA.
 *
 * The work is done a line at a time: memchr() finds the next LF and then
 * any CR before it, and the text between is copied whole, so the cost
 * per byte is the cost of memchr and memcpy (bench/README.md: over 1 GB/s
 * on lines of a few dozen bytes).
 */
#include "config.h"

#include <string.h>

#include "base/buf.h"
#include "smtp/dotstuff.h"

static size_t	dotstuff_run(struct dotstuff *, const char *, size_t, char *);

/* Start a message. */
void
dotstuff_init(struct dotstuff *d)
{
	memset(d, 0, sizeof *d);
	d->bol = 1;
}

/*
 * Encode n bytes into o, which has room for 2n: no input byte becomes
 * more than two.  Returns the bytes written.
 */
static size_t
dotstuff_run(struct dotstuff *d, const char *p, size_t n, char *o)
{
	const char	*end = p + n, *nl, *stop, *cr;
	char		*start = o;
	size_t		 k;

	/* A CR ended the last chunk: its CRLF is out; a LF now is its own. */
	if (d->cr && p < end) {
		d->cr = 0;
		if (*p == '\n')
			p++;
	}
	while (p < end) {
		if (d->bol && *p == '.') {
			*o++ = '.';
			d->stuffed++;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		stop = nl != NULL ? nl : end;
		cr = memchr(p, '\r', (size_t)(stop - p));
		if (cr != NULL)
			stop = cr;
		k = (size_t)(stop - p);
		memcpy(o, p, k);
		o += k;
		p = stop;
		if (p == end) {
			/* The line goes on in the next chunk. */
			if (k > 0)
				d->bol = 0;
			break;
		}
		/* CRLF, a bare LF or a bare CR: each ends the line as CRLF. */
		*o++ = '\r';
		*o++ = '\n';
		d->lines++;
		d->bol = 1;
		if (*p++ == '\r') {
			if (p == end)
				d->cr = 1;
			else if (*p == '\n')
				p++;
		}
	}
	return ((size_t)(o - start));
}

/* Encode a chunk. */
int
dotstuff_encode(struct dotstuff *d, const char *s, size_t len, struct buf *out)
{
	size_t	 room, n;
	char	*o;

	while (len > 0) {
		room = buf_room(out);
		if (room < 2)
			return (-1);
		n = len < room / 2 ? len : room / 2;
		/* Reserve for the worst case, in pieces of at most 1 MB. */
		if (n > 1048576)
			n = 1048576;
		if ((o = buf_reserve(out, 2 * n)) == NULL)
			return (-1);
		buf_commit(out, dotstuff_run(d, s, n, o));
		s += n;
		len -= n;
	}
	return (0);
}

/* Finish the message. */
int
dotstuff_finish(struct dotstuff *d, struct buf *out)
{
	/* After a CR its CRLF is already out: the line is ended. */
	if (!d->bol) {
		if (buf_add(out, "\r\n", 2) == -1)
			return (-1);
		d->lines++;
	}
	d->cr = 0;
	d->bol = 1;
	return (buf_add(out, ".\r\n", 3));
}
