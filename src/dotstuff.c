/* SPDX-License-Identifier: ISC */
/*
 * Dot-stuffing and line-end normalisation for DATA.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "dotstuff.h"

/* Start a message. */
void
dotstuff_init(struct dotstuff *d)
{
	memset(d, 0, sizeof *d);
	d->bol = 1;
}

/* Encode a chunk. */
int
dotstuff_encode(struct dotstuff *d, const char *s, size_t len, struct buf *out)
{
	size_t	i = 0, run;

	while (i < len) {
		if (d->cr) {
			/* CR LF, or a bare CR that becomes CR LF. */
			d->cr = 0;
			if (buf_add(out, "\r\n", 2) == -1)
				return (-1);
			d->bol = 1;
			d->lines++;
			if (s[i] == '\n') {
				i++;
				continue;
			}
		}
		if (s[i] == '\r') {
			d->cr = 1;
			i++;
			continue;
		}
		if (s[i] == '\n') {
			if (buf_add(out, "\r\n", 2) == -1)
				return (-1);
			d->bol = 1;
			d->lines++;
			i++;
			continue;
		}
		if (d->bol && s[i] == '.') {
			if (buf_addch(out, '.') == -1)
				return (-1);
			d->stuffed++;
		}
		/* Copy up to the next line end in one go. */
		for (run = i; run < len && s[run] != '\r' && s[run] != '\n';
		    run++)
			;
		if (buf_add(out, s + i, run - i) == -1)
			return (-1);
		d->bol = 0;
		i = run;
	}
	return (0);
}

/* Finish the message. */
int
dotstuff_finish(struct dotstuff *d, struct buf *out)
{
	if (d->cr || !d->bol) {
		if (buf_add(out, "\r\n", 2) == -1)
			return (-1);
		d->lines++;
	}
	d->cr = 0;
	d->bol = 1;
	return (buf_add(out, ".\r\n", 3));
}
