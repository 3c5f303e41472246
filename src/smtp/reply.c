/* SPDX-License-Identifier: ISC */
/*
 * Incremental SMTP reply parser.
 *
 * RFC 5321 4.2: a reply is one or more lines "NNN-text" ending with a line
 * "NNN text" (or a bare "NNN").  Bytes are buffered a line at a time; a line
 * over the cap keeps its head and the rest is counted and dropped, so a
 * hostile server sending megabytes without a line end costs us nothing but
 * time.  A reply with too many lines keeps its first lines and its last one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "smtp/reply.h"
#include "base/text.h"
#include "base/xmalloc.h"

/* Raw bytes of an incomplete reply kept for reporting (e.g. STARTTLS). */
#define REPLY_HOLD_MAX	4096

struct reply_parser {
	size_t		 line_max;
	size_t		 lines_max;
	struct buf	 line;		/* current line, capped at line_max */
	size_t		 line_dropped;	/* bytes of it beyond the cap */
	int		 line_last;	/* last byte seen of the current line */
	struct buf	 hold;		/* raw bytes of the incomplete reply */
	size_t		 pending;	/* count of those bytes, even past hold */
	struct reply	*cur;		/* multi-line reply in progress */
	reply_line_cb	*line_cb;
	void		*line_arg;
};

static struct reply	*reply_new(void);
static void		 reply_add_line(struct reply *, const char *, size_t,
			    size_t);
static int		 reply_line_code(const char *, size_t, int *, int *);
static struct reply	*reply_parser_line(struct reply_parser *, unsigned);
static void		 reply_set_enhanced(struct reply *);
static struct reply	*reply_from_feed(struct reply_parser *, const char *,
			    size_t);

/* Create a parser. */
struct reply_parser *
reply_parser_new(size_t line_max, size_t lines_max)
{
	struct reply_parser	*p;

	p = xcalloc(1, sizeof *p);
	p->line_max = line_max != 0 ? line_max : REPLY_LINE_MAX;
	p->lines_max = lines_max >= 2 ? lines_max : REPLY_LINES_MAX;
	buf_init(&p->line, p->line_max);
	buf_init(&p->hold, REPLY_HOLD_MAX);
	p->line_last = -1;
	return (p);
}

/* Set the per-line callback. */
void
reply_parser_set_line_cb(struct reply_parser *p, reply_line_cb *cb, void *arg)
{
	p->line_cb = cb;
	p->line_arg = arg;
}

/* Free a parser and anything it holds. */
void
reply_parser_free(struct reply_parser *p)
{
	if (p == NULL)
		return;
	buf_release(&p->line);
	buf_release(&p->hold);
	reply_free(p->cur);
	free(p);
}

/* Allocate an empty reply. */
static struct reply *
reply_new(void)
{
	struct reply	*r;

	r = xcalloc(1, sizeof *r);
	r->enh_class = r->enh_subject = r->enh_detail = -1;
	return (r);
}

/* Free a reply. */
void
reply_free(struct reply *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nlines; i++)
		free(r->lines[i].raw);
	free(r->lines);
	free(r);
}

/* Append a line to a reply. */
static void
reply_add_line(struct reply *r, const char *raw, size_t len, size_t text)
{
	struct reply_line	*l;

	r->lines = xreallocarray(r->lines, r->nlines + 1, sizeof *r->lines);
	l = &r->lines[r->nlines++];
	l->raw = xmalloc(len + 1);
	memcpy(l->raw, raw, len);
	l->raw[len] = '\0';
	l->len = len;
	l->text = text > len ? len : text;
}

/* Return the text of line i. */
const char *
reply_text(const struct reply *r, size_t i, size_t *len)
{
	const struct reply_line	*l;

	if (i >= r->nlines) {
		if (len != NULL)
			*len = 0;
		return ("");
	}
	l = &r->lines[i];
	if (len != NULL)
		*len = l->len - l->text;
	return (l->raw + l->text);
}

/*
 * Read the code and separator of a line: returns 1 for a final line, 0 for
 * a continuation, -1 when the line is not a reply line.  RFC 5321 4.2: the
 * first digit is 2-5 for SMTP (1yz is never used); the second 0-5.
 */
static int
reply_line_code(const char *s, size_t len, int *code, int *nonstandard)
{
	if (len < 3)
		return (-1);
	if (s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9')
		return (-1);
	*code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	*nonstandard = s[1] > '5';
	if (len == 3 || s[3] == ' ')
		return (1);
	if (s[3] == '-')
		return (0);
	return (-1);
}

/*
 * Parse an enhanced status code (RFC 3463 2: class "." subject "." detail,
 * class 2, 4 or 5, subject and detail 1-3 digits) at the start of text.
 */
int
reply_parse_enhanced(const char *s, size_t len, int *cl, int *su, int *de)
{
	size_t	i = 0, n;
	int	v[3], k;

	if (len == 0 || s[0] < '0' || s[0] > '9')
		return (0);
	/* Only digits and dots count as an attempt at a code. */
	if (len < 2 || s[1] != '.')
		return (0);
	for (k = 0; k < 3; k++) {
		n = 0;
		v[k] = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && n < 4) {
			v[k] = v[k] * 10 + (s[i] - '0');
			i++;
			n++;
		}
		if (n == 0 || n > (k == 0 ? 1u : 3u))
			return (-1);
		if (k < 2) {
			if (i >= len || s[i] != '.')
				return (-1);
			i++;
		}
	}
	if (i < len && s[i] != ' ')
		return (-1);
	if (v[0] != 2 && v[0] != 4 && v[0] != 5)
		return (-1);
	*cl = v[0];
	*su = v[1];
	*de = v[2];
	return ((int)(i < len ? i + 1 : i));
}

/* Find the enhanced status code in the first line of a reply. */
static void
reply_set_enhanced(struct reply *r)
{
	const char	*t;
	size_t		 len;
	int		 n, cl, su, de;

	if (r->code == 0 || r->nlines == 0)
		return;
	t = reply_text(r, 0, &len);
	n = reply_parse_enhanced(t, len, &cl, &su, &de);
	if (n == -1) {
		r->flags |= REPLY_F_ENH_MALFORMED;
		return;
	}
	if (n == 0)
		return;
	r->enh_class = cl;
	r->enh_subject = su;
	r->enh_detail = de;
	snprintf(r->enh, sizeof r->enh, "%d.%d.%d", cl, su, de);
	if (cl != r->code / 100)
		r->flags |= REPLY_F_ENH_MISMATCH;
}

/* Process the complete line in p->line; return a finished reply or NULL. */
static struct reply *
reply_parser_line(struct reply_parser *p, unsigned lflags)
{
	struct reply	*r, *done;
	const char	*s = p->line.data;
	size_t		 len = p->line.len;
	unsigned	 tf;
	int		 kind, code, nonstd;

	kind = reply_line_code(s, len, &code, &nonstd);
	tf = text_classify(s, len);
	if (tf & (TEXT_CONTROL | TEXT_INVISIBLE))
		lflags |= REPLY_F_CONTROL;
	if (tf & TEXT_BAD_UTF8)
		lflags |= REPLY_F_BAD_UTF8;
	if (tf & TEXT_8BIT)
		lflags |= REPLY_F_8BIT;
	if (p->line_dropped != 0)
		lflags |= REPLY_F_LINE_TRUNCATED;

	if (p->line_cb != NULL)
		p->line_cb(p->line_arg, s, len, kind == -1 ? 0 : code,
		    kind != 0 && !(kind == -1 && p->cur != NULL), lflags |
		    (kind == -1 ? REPLY_F_MALFORMED : 0) | (kind != -1 &&
		    nonstd ? REPLY_F_NONSTANDARD : 0));
	if (kind == -1) {
		if (p->cur != NULL) {
			/* A stray line inside a multi-line reply: keep it. */
			r = p->cur;
			r->flags |= lflags | REPLY_F_MIXED_CODES;
			r->dropped_bytes += p->line_dropped;
			if (r->nlines + 1 < p->lines_max)
				reply_add_line(r, s, len, 0);
			else {
				r->flags |= REPLY_F_LINES_DROPPED;
				r->dropped_lines++;
			}
			return (NULL);
		}
		r = reply_new();
		r->flags = lflags | REPLY_F_MALFORMED;
		r->dropped_bytes = p->line_dropped;
		reply_add_line(r, s, len, 0);
		return (r);
	}

	if ((r = p->cur) == NULL) {
		r = p->cur = reply_new();
		r->code = code;
	} else if (r->code != code)
		lflags |= REPLY_F_MIXED_CODES;
	if (nonstd)
		lflags |= REPLY_F_NONSTANDARD;
	r->flags |= lflags;
	r->dropped_bytes += p->line_dropped;

	/* Keep the first lines_max - 1 lines and always the final one. */
	if (kind == 1 || r->nlines + 1 < p->lines_max)
		reply_add_line(r, s, len, len > 3 ? 4 : 3);
	else {
		r->flags |= REPLY_F_LINES_DROPPED;
		r->dropped_lines++;
	}
	if (kind == 0)
		return (NULL);
	done = p->cur;
	p->cur = NULL;
	reply_set_enhanced(done);
	return (done);
}

/* Feed bytes; stop after the first complete reply. */
int
reply_parser_feed(struct reply_parser *p, const char *data, size_t len,
    size_t *used, struct reply **out)
{
	const char	*nl;
	size_t		 i = 0, chunk, room;
	unsigned	 lflags;
	struct reply	*r;

	*out = NULL;
	while (i < len) {
		nl = memchr(data + i, '\n', len - i);
		chunk = (nl != NULL ? (size_t)(nl - (data + i)) : len - i);

		/* Add the bytes of this line that fit; count the rest. */
		room = buf_room(&p->line);
		if (chunk <= room)
			buf_add(&p->line, data + i, chunk);
		else {
			buf_add(&p->line, data + i, room);
			p->line_dropped += chunk - room;
		}
		if (chunk > 0)
			p->line_last = (unsigned char)data[i + chunk - 1];
		buf_add(&p->hold, data + i, chunk + (nl != NULL) >
		    buf_room(&p->hold) ? buf_room(&p->hold) :
		    chunk + (nl != NULL));
		p->pending += chunk + (nl != NULL);
		i += chunk;
		if (nl == NULL)
			break;
		i++;			/* the LF */

		lflags = 0;
		if (p->line_last == '\r') {
			if (p->line.len > 0 && p->line_dropped == 0)
				p->line.data[--p->line.len] = '\0';
			else if (p->line_dropped > 0)
				p->line_dropped--;
		} else
			lflags |= REPLY_F_BARE_LF;
		r = reply_parser_line(p, lflags);
		buf_reset(&p->line);
		p->line_dropped = 0;
		p->line_last = -1;
		if (r != NULL) {
			r->wire_bytes = p->pending;
			buf_reset(&p->hold);
			p->pending = 0;
			*out = r;
			*used = i;
			return (1);
		}
	}
	*used = len;
	return (0);
}

/* Bytes held for an incomplete reply. */
size_t
reply_parser_pending(const struct reply_parser *p)
{
	return (p->pending);
}

/* Take and forget the held bytes. */
char *
reply_parser_take_pending(struct reply_parser *p, size_t *len)
{
	char	*s;

	s = xmalloc(p->hold.len + 1);
	memcpy(s, p->hold.data, p->hold.len);
	s[p->hold.len] = '\0';
	if (len != NULL)
		*len = p->hold.len;
	buf_reset(&p->hold);
	buf_reset(&p->line);
	p->pending = 0;
	p->line_dropped = 0;
	p->line_last = -1;
	reply_free(p->cur);
	p->cur = NULL;
	return (s);
}

/* Feed text and a line end; keep the first reply, drop any others. */
static struct reply *
reply_from_feed(struct reply_parser *p, const char *s, size_t len)
{
	struct reply	*first = NULL, *r;
	const char	*parts[2] = { s, "\r\n" };
	size_t		 lens[2] = { len, 2 }, k, used;

	for (k = 0; k < 2; k++) {
		while (lens[k] > 0) {
			if (reply_parser_feed(p, parts[k], lens[k], &used,
			    &r)) {
				if (first == NULL)
					first = r;
				else
					reply_free(r);
			}
			parts[k] += used;
			lens[k] -= used;
		}
	}
	return (first);
}

/* Parse one line into a single-line reply (for --explain and replay). */
struct reply *
reply_from_line(const char *s, size_t len)
{
	struct reply_parser	*p;
	struct reply		*r = NULL;

	p = reply_parser_new(len + 8, 2);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	/* A "NNN-" line alone is treated as the final line of its reply. */
	if (len >= 4 && s[3] == '-' && s[0] >= '2' && s[0] <= '5') {
		char	*copy = xmalloc(len);

		memcpy(copy, s, len);
		copy[3] = ' ';
		r = reply_from_feed(p, copy, len);
		free(copy);
	} else
		r = reply_from_feed(p, s, len);
	reply_parser_free(p);
	return (r);
}
