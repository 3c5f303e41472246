/* SPDX-License-Identifier: ISC */
/*
 * The compact dialogue store.
 *
 * Each line is a 32-byte record in a ring (struct sb_line); its text lives in
 * append-only chunks of SB_CHUNK_SIZE bytes (a longer line gets a chunk of
 * its own), so text pointers never move.  Replies are records in fixed
 * blocks of SB_RBLOCK, so pointers to them never move either; the strings a
 * reply owns (command, decoded) are copied into the chunks as well.
 *
 * With a line limit, adding a line to a full store drops the oldest one: the
 * ring's head moves on, so indexes keep growing and sb_first() follows.
 * With a byte limit, the oldest lines go until the new one fits: a line
 * counts its text and its record, a reply its record and its strings
 * (sb_bytes()).  What is allocated stays within a small constant of that
 * count: the ring never holds more records than the limit pays for, and
 * chunks are at most a sixteenth of the limit, so the oldest chunk, partly
 * dropped, and the newest, partly filled, add at most an eighth.  A
 * reply is dropped, in order, once none of its lines is kept; a chunk or a
 * reply block is freed once nothing kept uses it.  Each of these steps is
 * O(1) amortised per line.  Text of a dropped line and a dropped reply is
 * freed with its chunk: callers must not keep such pointers past sb_first().
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record/scrollback.h"
#include "base/xmalloc.h"

#define SB_CHUNK_SIZE	(256 * 1024)
#define SB_RBLOCK	256		/* replies per block */
#define SB_LINES_START	1024		/* first ring size */
#define SB_CHUNK_MIN	(16 * 1024)	/* smallest chunk under a byte limit */

struct sb_line {
	const char	*text;		/* in a chunk; unused when len is 0 */
	int64_t		 time;		/* milliseconds */
	uint32_t	 len;
	int32_t		 reply;		/* -1: none */
	uint8_t		 kind;		/* enum sb_kind */
	uint8_t		 sec;		/* enum session_sec */
	uint8_t		 flags;		/* SB_F_* */
};

struct sb_chunk {
	size_t		 size;		/* bytes of data */
	size_t		 used;
	size_t		 lines_end;	/* one past the last line using it */
	long		 replies_end;	/* one past the last reply using it */
	char		 data[];
};

struct sb_rrec {
	struct sb_reply	 r;
	size_t		 last;		/* last line of the reply */
	size_t		 bytes;		/* counted for it: record and strings */
};

/* What a line counts beyond its text. */
#define SB_LINE_COST	sizeof (struct sb_line)

struct scrollback {
	size_t		  max;		/* 0: no limit */
	size_t		  max_bytes;	/* 0: no limit */
	size_t		  bytes;	/* counted against max_bytes */
	size_t		  chunk_size;	/* text chunk size */
	size_t		  dropped;	/* lines dropped */
	size_t		  dropped_bytes; /* their text */

	struct sb_line	 *ring;
	size_t		  cap;		/* records in ring */
	size_t		  head;		/* ring slot of line first */
	size_t		  first;	/* index of the oldest kept line */
	size_t		  count;	/* lines kept */
	size_t		  text_bytes;	/* text of the kept lines */

	struct sb_chunk	**chunks;	/* oldest first; the last is current */
	size_t		  nchunks;
	size_t		  chunks_cap;
	size_t		  chunk_bytes;	/* allocated for chunks */

	struct sb_rrec	**blocks;	/* reply blocks, oldest first */
	size_t		  nblocks;
	size_t		  blocks_cap;
	long		  block_first;	/* block number of blocks[0] */
	long		  reply_first;	/* oldest reply kept */
	long		  nreplies;	/* one past the newest reply */
};

static const struct sb_line *sb_line_at(const struct scrollback *, size_t);
static char	*sb_store(struct scrollback *, const char *, size_t, int,
		    struct sb_chunk **);
static const char *sb_store_str(struct scrollback *, const char *, long);
static struct sb_rrec *sb_rrec_at(const struct scrollback *, long);
static void	 sb_drop_oldest(struct scrollback *);
static void	 sb_room(struct scrollback *, size_t);
static size_t	 sb_max_lines(const struct scrollback *);
static void	 sb_ring_resize(struct scrollback *, size_t);
static int	 sb_fold(int);
static int	 sb_match(const char *, size_t, const char *, size_t);

/* Create a store. */
struct scrollback *
sb_new(size_t max)
{
	struct scrollback	*sb;

	sb = xcalloc(1, sizeof *sb);
	sb->max = max;
	sb->chunk_size = SB_CHUNK_SIZE;
	return (sb);
}

/*
 * Bound the store in bytes (0: no bound), dropping the oldest lines now
 * when it holds more.
 */
void
sb_set_max_bytes(struct scrollback *sb, size_t max_bytes)
{
	size_t	lines;

	sb->max_bytes = max_bytes;
	sb->chunk_size = SB_CHUNK_SIZE;
	if (max_bytes != 0 && max_bytes / 16 < SB_CHUNK_SIZE)
		sb->chunk_size = max_bytes / 16 < SB_CHUNK_MIN ? SB_CHUNK_MIN :
		    max_bytes / 16;
	sb_room(sb, 0);
	lines = sb_max_lines(sb);
	if (lines != 0 && sb->count > lines) {
		while (sb->count > lines)
			sb_drop_oldest(sb);
	}
	if (lines != 0 && sb->cap > lines)
		sb_ring_resize(sb, lines);
}

/* The byte bound (0: none). */
size_t
sb_max_bytes(const struct scrollback *sb)
{
	return (sb->max_bytes);
}

/* Bytes counted against the bound: text and records kept. */
size_t
sb_bytes(const struct scrollback *sb)
{
	return (sb->bytes);
}

/* Lines dropped so far; *bytes gets their text's size. */
size_t
sb_dropped(const struct scrollback *sb, size_t *bytes)
{
	if (bytes != NULL)
		*bytes = sb->dropped_bytes;
	return (sb->dropped);
}

/* The most records the ring holds: the line limit or what bytes pay for. */
static size_t
sb_max_lines(const struct scrollback *sb)
{
	size_t	lines = sb->max;

	if (sb->max_bytes != 0 && (lines == 0 ||
	    sb->max_bytes / SB_LINE_COST < lines))
		lines = sb->max_bytes / SB_LINE_COST;
	if (sb->max_bytes != 0 && lines < 16)
		lines = 16;
	return (lines);
}

/* Move the ring into cap records (at least count), oldest first. */
static void
sb_ring_resize(struct scrollback *sb, size_t cap)
{
	struct sb_line	*ring;
	size_t		 n;

	ring = xreallocarray(NULL, cap, sizeof *ring);
	if (sb->count > 0) {
		n = sb->cap - sb->head;
		if (n > sb->count)
			n = sb->count;
		memcpy(ring, sb->ring + sb->head, n * sizeof *ring);
		memcpy(ring + n, sb->ring, (sb->count - n) * sizeof *ring);
	}
	free(sb->ring);
	sb->ring = ring;
	sb->cap = cap;
	sb->head = 0;
}

/* Drop the oldest lines until need more bytes fit under the bound. */
static void
sb_room(struct scrollback *sb, size_t need)
{
	if (sb->max_bytes == 0)
		return;
	while (sb->count > 0 && (sb->bytes > sb->max_bytes ||
	    need > sb->max_bytes - sb->bytes))
		sb_drop_oldest(sb);
}

/* Free a store and everything in it. */
void
sb_free(struct scrollback *sb)
{
	size_t	i;

	if (sb == NULL)
		return;
	for (i = 0; i < sb->nchunks; i++)
		free(sb->chunks[i]);
	free(sb->chunks);
	for (i = 0; i < sb->nblocks; i++)
		free(sb->blocks[i]);
	free(sb->blocks);
	free(sb->ring);
	free(sb);
}

/* The most lines kept (0: no limit). */
size_t
sb_max(const struct scrollback *sb)
{
	return (sb->max);
}

/* Return the record of line i, or NULL when it is not kept. */
static const struct sb_line *
sb_line_at(const struct scrollback *sb, size_t i)
{
	size_t	slot;

	if (i < sb->first || i - sb->first >= sb->count)
		return (NULL);
	slot = sb->head + (i - sb->first);
	if (slot >= sb->cap)
		slot -= sb->cap;
	return (&sb->ring[slot]);
}

/* Return reply record i, or NULL when it is dropped or not there yet. */
static struct sb_rrec *
sb_rrec_at(const struct scrollback *sb, long i)
{
	long	b;

	if (i < sb->reply_first || i >= sb->nreplies)
		return (NULL);
	b = i / SB_RBLOCK - sb->block_first;
	return (&sb->blocks[b][i % SB_RBLOCK]);
}

/*
 * Copy len bytes (plus a NUL when nul is set) into the current chunk, or a
 * new one when they do not fit.  *cp gets the chunk used.
 */
static char *
sb_store(struct scrollback *sb, const char *p, size_t len, int nul,
    struct sb_chunk **cp)
{
	struct sb_chunk	*c = NULL;
	size_t		 need = len + (nul ? 1 : 0), size;
	char		*dst;

	if (sb->nchunks > 0)
		c = sb->chunks[sb->nchunks - 1];
	if (c == NULL || c->size - c->used < need) {
		size = need > sb->chunk_size ? need : sb->chunk_size;
		c = xmalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->lines_end = 0;
		c->replies_end = 0;
		if (sb->nchunks == sb->chunks_cap) {
			sb->chunks_cap = sb->chunks_cap == 0 ? 16 :
			    sb->chunks_cap * 2;
			sb->chunks = xreallocarray(sb->chunks, sb->chunks_cap,
			    sizeof *sb->chunks);
		}
		sb->chunks[sb->nchunks++] = c;
		sb->chunk_bytes += sizeof *c + size;
	}
	dst = c->data + c->used;
	memcpy(dst, p, len);
	if (nul)
		dst[len] = '\0';
	c->used += need;
	*cp = c;
	return (dst);
}

/* Copy a reply's string into the chunks, or return NULL for NULL. */
static const char *
sb_store_str(struct scrollback *sb, const char *s, long reply)
{
	struct sb_chunk	*c;
	const char	*p;

	if (s == NULL)
		return (NULL);
	p = sb_store(sb, s, strlen(s), 1, &c);
	c->replies_end = reply + 1;
	sb->bytes += strlen(s) + 1;
	sb_rrec_at(sb, reply)->bytes += strlen(s) + 1;
	return (p);
}

/* Drop the oldest line, then the replies and chunks nothing kept uses. */
static void
sb_drop_oldest(struct scrollback *sb)
{
	struct sb_chunk	*c;
	struct sb_rrec	*rr;

	sb->text_bytes -= sb->ring[sb->head].len;
	sb->bytes -= sb->ring[sb->head].len + SB_LINE_COST;
	sb->dropped++;
	sb->dropped_bytes += sb->ring[sb->head].len;
	if (++sb->head == sb->cap)
		sb->head = 0;
	sb->first++;
	sb->count--;

	while ((rr = sb_rrec_at(sb, sb->reply_first)) != NULL &&
	    rr->last < sb->first) {
		sb->bytes -= rr->bytes;
		sb->reply_first++;
	}
	while (sb->nblocks > 0 &&
	    sb->reply_first >= (sb->block_first + 1) * SB_RBLOCK) {
		free(sb->blocks[0]);
		memmove(sb->blocks, sb->blocks + 1,
		    (sb->nblocks - 1) * sizeof *sb->blocks);
		sb->nblocks--;
		sb->block_first++;
	}

	/* The current (last) chunk stays, even when unused. */
	while (sb->nchunks > 1) {
		c = sb->chunks[0];
		if (c->lines_end > sb->first ||
		    c->replies_end > sb->reply_first)
			break;
		sb->chunk_bytes -= sizeof *c + c->size;
		free(c);
		memmove(sb->chunks, sb->chunks + 1,
		    (sb->nchunks - 1) * sizeof *sb->chunks);
		sb->nchunks--;
	}
}

/* Append a line and return its index. */
size_t
sb_add(struct scrollback *sb, int kind, int sec, int64_t time_ms, long reply,
    unsigned flags, const char *text, size_t len)
{
	struct sb_line	*l;
	struct sb_chunk	*c;
	struct sb_rrec	*rr;
	size_t		 idx, slot, lines, cap;

	/* Lengths are 32-bit: longer lines (never seen in SMTP) are cut. */
	if (len > UINT32_MAX)
		len = UINT32_MAX;

	sb_room(sb, len + SB_LINE_COST);
	lines = sb_max_lines(sb);
	if (lines != 0 && sb->count >= lines)
		sb_drop_oldest(sb);
	if (sb->count == sb->cap) {
		cap = sb->cap == 0 ? SB_LINES_START : sb->cap * 2;
		if (lines != 0 && cap > lines)
			cap = lines;
		sb_ring_resize(sb, cap);
	}
	idx = sb->first + sb->count;
	slot = sb->head + sb->count;
	if (slot >= sb->cap)
		slot -= sb->cap;
	sb->count++;

	l = &sb->ring[slot];
	l->text = NULL;
	if (len > 0) {
		l->text = sb_store(sb, text, len, 0, &c);
		c->lines_end = idx + 1;
	}
	l->len = (uint32_t)len;
	l->time = time_ms;
	l->kind = (uint8_t)kind;
	l->sec = (uint8_t)sec;
	l->flags = (uint8_t)flags;
	l->reply = -1;
	if (reply >= 0 && reply < sb->nreplies && reply <= INT32_MAX)
		l->reply = (int32_t)reply;
	sb->text_bytes += len;
	sb->bytes += len + SB_LINE_COST;

	if ((rr = sb_rrec_at(sb, reply)) != NULL) {
		if (rr->r.nlines == 0)
			rr->r.first = idx;
		rr->r.nlines++;
		rr->last = idx;
	}
	return (idx);
}

/* Record a reply and return its index. */
long
sb_add_reply(struct scrollback *sb, const struct sb_reply *r)
{
	struct sb_rrec	*rr;
	long		 i;

	sb_room(sb, sizeof *rr + (r->command != NULL ? strlen(r->command) +
	    1 : 0) + (r->decoded != NULL ? strlen(r->decoded) + 1 : 0));
	i = sb->nreplies;
	if (i % SB_RBLOCK == 0) {
		if (sb->nblocks == sb->blocks_cap) {
			sb->blocks_cap = sb->blocks_cap == 0 ? 16 :
			    sb->blocks_cap * 2;
			sb->blocks = xreallocarray(sb->blocks, sb->blocks_cap,
			    sizeof *sb->blocks);
		}
		if (sb->nblocks == 0)
			sb->block_first = i / SB_RBLOCK;
		sb->blocks[sb->nblocks++] = xcalloc(SB_RBLOCK,
		    sizeof **sb->blocks);
	}
	sb->nreplies++;
	rr = sb_rrec_at(sb, i);
	rr->r = *r;
	rr->r.enh[sizeof rr->r.enh - 1] = '\0';
	rr->bytes = sizeof *rr;
	sb->bytes += sizeof *rr;
	rr->r.command = sb_store_str(sb, r->command, i);
	rr->r.decoded = sb_store_str(sb, r->decoded, i);
	/* Until its first line arrives, the reply sits at the end. */
	rr->r.first = sb->first + sb->count;
	rr->r.nlines = 0;
	rr->last = rr->r.first;
	return (i);
}

/* Fill in what became known when the reply was complete. */
void
sb_update_reply(struct scrollback *sb, long i, const struct sb_reply *r)
{
	struct sb_rrec	*rr;

	if (sb_reply(sb, i) == NULL)
		return;
	rr = sb_rrec_at(sb, i);
	rr->r.code = r->code;
	memcpy(rr->r.enh, r->enh, sizeof rr->r.enh);
	rr->r.enh[sizeof rr->r.enh - 1] = '\0';
	rr->r.verb = r->verb;
	rr->r.flags = r->flags;
	rr->r.notes = r->notes;
	rr->r.rtt_us = r->rtt_us;
	rr->r.sec = r->sec;
	if (r->command != NULL)
		rr->r.command = sb_store_str(sb, r->command, i);
	if (r->decoded != NULL)
		rr->r.decoded = sb_store_str(sb, r->decoded, i);
}

/* Return the index of the oldest kept line. */
size_t
sb_first(const struct scrollback *sb)
{
	return (sb->first);
}

/* Return one past the index of the newest line. */
size_t
sb_end(const struct scrollback *sb)
{
	return (sb->first + sb->count);
}

/* Return the text of line i ("" when it is not kept). */
const char *
sb_text(const struct scrollback *sb, size_t i, size_t *len)
{
	const struct sb_line	*l = sb_line_at(sb, i);

	if (l == NULL || l->len == 0) {
		if (len != NULL)
			*len = 0;
		return ("");
	}
	if (len != NULL)
		*len = l->len;
	return (l->text);
}

/* Return the kind of line i, or -1. */
int
sb_kind(const struct scrollback *sb, size_t i)
{
	const struct sb_line	*l = sb_line_at(sb, i);

	return (l == NULL ? -1 : l->kind);
}

/* Return the security of line i, or -1. */
int
sb_sec(const struct scrollback *sb, size_t i)
{
	const struct sb_line	*l = sb_line_at(sb, i);

	return (l == NULL ? -1 : l->sec);
}

/* Return the time of line i, or 0. */
int64_t
sb_time(const struct scrollback *sb, size_t i)
{
	const struct sb_line	*l = sb_line_at(sb, i);

	return (l == NULL ? 0 : l->time);
}

/* Return the reply index of line i, or -1. */
long
sb_reply_of(const struct scrollback *sb, size_t i)
{
	const struct sb_line	*l = sb_line_at(sb, i);

	return (l == NULL ? -1 : l->reply);
}

/* Return the flags of line i, or 0. */
unsigned
sb_flags(const struct scrollback *sb, size_t i)
{
	const struct sb_line	*l = sb_line_at(sb, i);

	return (l == NULL ? 0 : l->flags);
}

/* Return the number of replies ever recorded. */
long
sb_nreplies(const struct scrollback *sb)
{
	return (sb->nreplies);
}

/* Return reply i, or NULL when it is out of range or dropped. */
const struct sb_reply *
sb_reply(const struct scrollback *sb, long i)
{
	struct sb_rrec	*rr = sb_rrec_at(sb, i);

	return (rr == NULL ? NULL : &rr->r);
}

/* Return c in lower case if it is an ASCII capital. */
static inline int
sb_fold(int c)
{
	return (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* Does s contain n, ignoring ASCII case? */
static int
sb_match(const char *s, size_t len, const char *n, size_t nlen)
{
	size_t	i, j;
	int	c0;

	if (nlen == 0)
		return (1);
	c0 = sb_fold((unsigned char)n[0]);
	for (i = 0; i + nlen <= len; i++) {
		if (sb_fold((unsigned char)s[i]) != c0)
			continue;
		for (j = 1; j < nlen; j++) {
			if (sb_fold((unsigned char)s[i + j]) !=
			    sb_fold((unsigned char)n[j]))
				break;
		}
		if (j == nlen)
			return (1);
	}
	return (0);
}

/* Find the nearest line from from on (or back) containing needle. */
long
sb_search(const struct scrollback *sb, const char *needle, size_t from,
    int backward)
{
	const struct sb_line	*l;
	size_t			 nlen, i, end = sb->first + sb->count;

	if (sb->count == 0)
		return (-1);
	if (backward) {
		if (from < sb->first)
			return (-1);
		i = from >= end ? end - 1 : from;
	} else {
		if (from >= end)
			return (-1);
		i = from < sb->first ? sb->first : from;
	}
	nlen = strlen(needle);
	for (;;) {
		l = sb_line_at(sb, i);
		if (sb_match(l->text, l->len, needle, nlen))
			return ((long)i);
		if (backward) {
			if (i == sb->first)
				break;
			i--;
		} else if (++i == end)
			break;
	}
	return (-1);
}

/* Return the bytes used beyond the text of the kept lines. */
size_t
sb_overhead(const struct scrollback *sb)
{
	size_t	total;

	total = sizeof *sb + sb->cap * sizeof *sb->ring +
	    sb->chunks_cap * sizeof *sb->chunks + sb->chunk_bytes +
	    sb->blocks_cap * sizeof *sb->blocks +
	    sb->nblocks * SB_RBLOCK * sizeof **sb->blocks;
	return (total - sb->text_bytes);
}

/* Return the bytes of text of the kept lines. */
size_t
sb_text_bytes(const struct scrollback *sb)
{
	return (sb->text_bytes);
}

/* Read a size with an optional K, M or G suffix (powers of 1024). */
int
sb_parse_size(const char *s, size_t *out)
{
	unsigned long long	v = 0, unit = 1;
	const char		*p = s;

	if (*p < '0' || *p > '9')
		return (-1);
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	switch (*p) {
	case 'k': case 'K':
		unit = 1024;
		break;
	case 'm': case 'M':
		unit = 1024 * 1024;
		break;
	case 'g': case 'G':
		unit = 1024 * 1024 * 1024;
		break;
	case '\0':
		break;
	default:
		return (-1);
	}
	if (*p != '\0') {
		p++;
		if (strcasecmp(p, "") != 0 && strcasecmp(p, "b") != 0 &&
		    strcasecmp(p, "ib") != 0)
			return (-1);
	}
	if (v > ULLONG_MAX / unit)
		return (-1);
	v *= unit;
	if (v < SB_MIN_MAX_BYTES || v > SB_MAX_MAX_BYTES)
		return (-1);
	*out = (size_t)v;
	return (0);
}

/* Write a size in the largest unit that leaves at least 1. */
void
sb_format_size(char *dst, size_t len, size_t n)
{
	static const char	*units[] = { "KiB", "MiB", "GiB", "TiB" };
	double			 v = (double)n;
	int			 u = -1;

	if (n < 1024) {
		snprintf(dst, len, "%zu bytes", n);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (v == (double)(unsigned long long)v)
		snprintf(dst, len, "%llu %s", (unsigned long long)v, units[u]);
	else
		snprintf(dst, len, "%.1f %s", v, units[u]);
}
