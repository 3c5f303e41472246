/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the incremental reply parser (src/smtp/reply.c) and what
 * a front end does with every reply: reply_text, explain_reply with the
 * embedded knowledge base, format_explanation.  Built by tests/fuzz/run.sh.
 *
 * Input layout:
 *	byte 0		low 3 bits: how many chunk-size bytes follow (0-7);
 *			high 5 bits: which command the replies answer
 *	bytes 1..n	chunk sizes, used in turn (b + 1 bytes, or
 *			(b & 0x7f) * 64 + 1 when the top bit is set);
 *			with none, the bytes are fed one at a time
 *	rest		the bytes from the "server"
 *
 * The same bytes are fed once in those pieces and once whole; both must
 * give the same replies and the same per-line callbacks.  Invariants that
 * must hold for any input abort (libFuzzer keeps the input).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "kb/explain.h"
#include "kb/format.h"
#include "kb/kb.h"
#include "smtp/reply.h"

#include "fuzz/fuzz-common.h"

/* Commands a reply may answer (explain_verb keys), NULL: none. */
static const char *const verbs[] = {
	NULL, "CONNECT", "EHLO", "HELO", "MAIL", "RCPT", "DATA", ".", "BDAT",
	"RSET", "NOOP", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH", "QUIT", "*"
};
#define NVERBS	(sizeof verbs / sizeof verbs[0])

static struct kb	*kb;

/* Replies explained per input (the rest are only parsed and checked). */
#define EXPLAIN_PER_INPUT	4

/* What one run of the parser produced, for comparing the two runs. */
struct trace {
	uint64_t	 lines_hash;	/* every line callback, in order */
	size_t		 nlines_cb;
	uint64_t	*replies;	/* one hash per reply */
	size_t		 nreplies;
	size_t		 wire;		/* sum of wire_bytes */
};

/* What the current input asks for. */
struct input {
	const char	*verb;
	int		 enh_expected;
	unsigned	 ctx_flags;
	size_t		 line_max;	/* caps of the parser */
	size_t		 lines_max;
	int		 explain;	/* run explain/format on replies */
};

static uint64_t
hash_add(uint64_t h, const void *p, size_t len)
{
	const unsigned char	*u = p;
	size_t			 i;

	if (h == 0)
		h = 0xcbf29ce484222325ULL;
	for (i = 0; i < len; i++) {
		h ^= u[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	kb = kb_new();
	(void)kb_match(kb);	/* compile the patterns once, not per input */
	return (0);
}

/* The line callback: check what it is told and remember it. */
static void
on_line(void *arg, const char *line, size_t len, int code, int final,
    unsigned flags)
{
	struct trace	*t = arg;

	FUZZ_CHECK(line != NULL);
	FUZZ_CHECK(len <= REPLY_LINE_MAX);
	FUZZ_CHECK(code == 0 || (code >= 200 && code <= 599));
	FUZZ_CHECK((code == 0) == ((flags & REPLY_F_MALFORMED) != 0));
	FUZZ_CHECK(final == 0 || final == 1);
	if (len > 0)	/* touch every byte */
		FUZZ_CHECK(memchr(line, '\n', len) == NULL);
	t->nlines_cb++;
	t->lines_hash = hash_add(t->lines_hash, &len, sizeof len);
	t->lines_hash = hash_add(t->lines_hash, line, len);
	t->lines_hash = hash_add(t->lines_hash, &code, sizeof code);
	t->lines_hash = hash_add(t->lines_hash, &final, sizeof final);
	t->lines_hash = hash_add(t->lines_hash, &flags, sizeof flags);
}

/* Check a reply against what the parser promises. */
static void
check_reply(const struct reply *r, size_t line_max, size_t lines_max)
{
	const struct reply_line	*l;
	const char		*t;
	size_t			 i, len, sum = 0;
	char			 enh[16];

	FUZZ_CHECK(r != NULL);
	FUZZ_CHECK(r->nlines >= 1 && r->nlines <= lines_max);
	FUZZ_CHECK(r->nlines <= REPLY_LINES_MAX);
	FUZZ_CHECK(r->code == 0 || (r->code >= 200 && r->code <= 599));
	FUZZ_CHECK((r->code == 0) == ((r->flags & REPLY_F_MALFORMED) != 0));
	if (r->flags & REPLY_F_MALFORMED)
		FUZZ_CHECK(r->nlines == 1);
	FUZZ_CHECK((r->dropped_lines != 0) ==
	    ((r->flags & REPLY_F_LINES_DROPPED) != 0));
	FUZZ_CHECK((r->dropped_bytes != 0) ==
	    ((r->flags & REPLY_F_LINE_TRUNCATED) != 0));
	for (i = 0; i < r->nlines; i++) {
		l = &r->lines[i];
		FUZZ_CHECK(l->raw != NULL);
		FUZZ_CHECK(l->len <= line_max);
		FUZZ_CHECK(l->raw[l->len] == '\0');
		FUZZ_CHECK(l->text <= l->len);
		t = reply_text(r, i, &len);
		FUZZ_CHECK(t == l->raw + l->text);
		FUZZ_CHECK(len == l->len - l->text);
		sum += l->len;
	}
	t = reply_text(r, r->nlines, &len);
	FUZZ_CHECK(t != NULL && *t == '\0' && len == 0);
	FUZZ_CHECK(sum <= r->wire_bytes);
	if (r->code != 0) {
		/* The first line carries the reply's code. */
		l = &r->lines[0];
		FUZZ_CHECK(l->len >= 3);
		FUZZ_CHECK((l->raw[0] - '0') * 100 + (l->raw[1] - '0') * 10 +
		    (l->raw[2] - '0') == r->code);
	}
	if (r->enh[0] != '\0') {
		FUZZ_CHECK(r->code != 0);
		FUZZ_CHECK(r->enh_class == 2 || r->enh_class == 4 ||
		    r->enh_class == 5);
		FUZZ_CHECK(r->enh_subject >= 0 && r->enh_subject <= 999);
		FUZZ_CHECK(r->enh_detail >= 0 && r->enh_detail <= 999);
		snprintf(enh, sizeof enh, "%d.%d.%d", r->enh_class,
		    r->enh_subject, r->enh_detail);
		FUZZ_CHECK(strcmp(enh, r->enh) == 0);
		FUZZ_CHECK((r->enh_class != r->code / 100) ==
		    ((r->flags & REPLY_F_ENH_MISMATCH) != 0));
	} else
		FUZZ_CHECK(r->enh_class == -1);
	FUZZ_CHECK(memchr(r->enh, '\0', sizeof r->enh) != NULL);
}

/* What a front end does with a reply. */
static void
use_reply(const struct reply *r, const struct input *in)
{
	struct explanation	 ex, ex2;
	struct explain_ctx	 ctx;
	struct buf		 b;
	char			 after[24];
	size_t			 i;

	memset(&ctx, 0, sizeof ctx);
	ctx.server = explain_server(kb, r, in->verb);
	ctx.enh_expected = in->enh_expected;
	ctx.flags = in->ctx_flags;
	explain_reply(kb, r, in->verb, &ctx, &ex);
	FUZZ_CHECK(ex.title != NULL);
	FUZZ_CHECK(ex.nnotes <= EXPLAIN_NOTES_MAX);
	FUZZ_CHECK(ex.nhits <= EXPLAIN_HITS_MAX);
	for (i = 0; i < ex.nhits; i++)
		FUZZ_CHECK(ex.hits[i].name != NULL);

	buf_init(&b, 0);
	format_explanation(&b, &ex, "  ", 1);
	FUZZ_CHECK(b.len == strlen(b.data));
	/* Server bytes are escaped: nothing unsafe reaches a terminal. */
	FUZZ_CHECK(fuzz_printable(b.data, b.len, "\n"));
	buf_release(&b);

	if (r->code != 0) {
		explain_code(kb, r->code, r->enh, in->verb, &ex2);
		FUZZ_CHECK(ex2.code == r->code && ex2.title != NULL);
		buf_init(&b, 0);
		format_explanation(&b, &ex2, "", 0);
		FUZZ_CHECK(fuzz_printable(b.data, b.len, "\n"));
		buf_release(&b);
		explain_after_verbs(kb, r->code, after, sizeof after);
		FUZZ_CHECK(strlen(after) < sizeof after);
	}
}

/* Hash what must be the same however the bytes were split. */
static uint64_t
reply_hash(const struct reply *r)
{
	uint64_t	h = 0;
	size_t		i;

	h = hash_add(h, &r->code, sizeof r->code);
	h = hash_add(h, &r->nlines, sizeof r->nlines);
	h = hash_add(h, &r->flags, sizeof r->flags);
	h = hash_add(h, &r->wire_bytes, sizeof r->wire_bytes);
	h = hash_add(h, &r->dropped_lines, sizeof r->dropped_lines);
	h = hash_add(h, &r->dropped_bytes, sizeof r->dropped_bytes);
	h = hash_add(h, r->enh, strlen(r->enh));
	for (i = 0; i < r->nlines; i++) {
		h = hash_add(h, &r->lines[i].len, sizeof r->lines[i].len);
		h = hash_add(h, r->lines[i].raw, r->lines[i].len);
	}
	return (h);
}

/* Take a complete reply from the parser. */
static void
got_reply(struct trace *t, struct reply *r, const struct input *in)
{
	check_reply(r, in->line_max, in->lines_max);
	/* Explaining matches ~200 patterns: a few replies per input do. */
	if (in->explain && t->nreplies < EXPLAIN_PER_INPUT)
		use_reply(r, in);
	t->replies = realloc(t->replies, (t->nreplies + 1) *
	    sizeof *t->replies);
	FUZZ_CHECK(t->replies != NULL);
	t->replies[t->nreplies++] = reply_hash(r);
	t->wire += r->wire_bytes;
	reply_free(r);
}

/*
 * Feed data (len bytes) in pieces of the sizes given (nsizes of them, used
 * in turn; none: one piece); each piece is copied into its own allocation so
 * a read past it is caught.  Returns the bytes held at the end.
 */
static char *
run_parser(struct trace *t, const struct input *in, const uint8_t *data,
    size_t len, const uint8_t *sizes, size_t nsizes, int whole,
    size_t *heldlen)
{
	struct reply_parser	*p;
	struct reply		*r;
	size_t			 off = 0, k = 0, n, poff, used;
	char			*piece, *held;
	int			 rc;

	memset(t, 0, sizeof *t);
	p = reply_parser_new(in->line_max, in->lines_max);
	reply_parser_set_line_cb(p, on_line, t);
	while (off < len) {
		if (whole)
			n = len;
		else if (nsizes == 0)
			n = 1;
		else {
			n = sizes[k % nsizes];
			n = (n & 0x80) ? (n & 0x7f) * 64 + 1 : n + 1;
			k++;
		}
		if (n > len - off)
			n = len - off;
		piece = malloc(n);
		FUZZ_CHECK(piece != NULL);
		memcpy(piece, data + off, n);
		for (poff = 0; poff < n; poff += used) {
			used = (size_t)-1;
			rc = reply_parser_feed(p, piece + poff, n - poff, &used,
			    &r);
			FUZZ_CHECK(rc == 0 || rc == 1);
			FUZZ_CHECK(used <= n - poff);
			if (rc == 0) {
				FUZZ_CHECK(r == NULL);
				FUZZ_CHECK(used == n - poff);
				continue;
			}
			FUZZ_CHECK(used > 0);
			got_reply(t, r, in);
		}
		free(piece);
		off += n;
	}
	/* Every byte belongs to a reply or is still held. */
	FUZZ_CHECK(t->wire + reply_parser_pending(p) == len);
	n = reply_parser_pending(p);
	held = reply_parser_take_pending(p, heldlen);
	FUZZ_CHECK(held != NULL && held[*heldlen] == '\0');
	FUZZ_CHECK(*heldlen <= n);
	FUZZ_CHECK(reply_parser_pending(p) == 0);
	/* The parser starts afresh after take_pending. */
	rc = reply_parser_feed(p, "250 ok\r\n", 8, &used, &r);
	FUZZ_CHECK(rc == 1 && r != NULL && used == 8);
	FUZZ_CHECK(r->code == (in->line_max >= 3 ? 250 : 0));
	FUZZ_CHECK(r->wire_bytes == 8);
	reply_free(r);
	reply_parser_free(p);
	return (held);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input		 in;
	struct trace		 a, b, c;
	const uint8_t		*sizes, *payload;
	size_t			 nsizes, plen, alen, blen, clen, i;
	char			*aheld, *bheld, *cheld;
	struct reply		*r;

	if (size == 0)
		return (0);
	nsizes = data[0] & 7;
	if (nsizes > size - 1)
		nsizes = size - 1;
	sizes = data + 1;
	payload = data + 1 + nsizes;
	plen = size - 1 - nsizes;

	memset(&in, 0, sizeof in);
	in.verb = verbs[(data[0] >> 3) % NVERBS];
	in.enh_expected = (data[0] >> 3) & 1;
	in.ctx_flags = (data[0] >> 6) & 3;
	in.line_max = REPLY_LINE_MAX;
	in.lines_max = REPLY_LINES_MAX;

	/* In pieces (explaining every reply), then whole: the same result. */
	in.explain = 1;
	aheld = run_parser(&a, &in, payload, plen, sizes, nsizes, 0, &alen);
	in.explain = 0;
	bheld = run_parser(&b, &in, payload, plen, NULL, 0, 1, &blen);
	FUZZ_CHECK(a.nreplies == b.nreplies);
	for (i = 0; i < a.nreplies; i++)
		FUZZ_CHECK(a.replies[i] == b.replies[i]);
	FUZZ_CHECK(a.nlines_cb == b.nlines_cb);
	FUZZ_CHECK(a.lines_hash == b.lines_hash);
	FUZZ_CHECK(alen == blen && memcmp(aheld, bheld, alen) == 0);
	free(a.replies);
	free(b.replies);
	free(aheld);
	free(bheld);

	/* Tiny caps, so truncation and dropped lines are exercised. */
	if (nsizes >= 2) {
		in.line_max = (sizes[0] % 64) + 1;
		in.lines_max = (sizes[1] % 8) + 2;
		cheld = run_parser(&c, &in, payload, plen, sizes, nsizes, 0,
		    &clen);
		free(c.replies);
		free(cheld);
	}

	/* One line, as --explain and /explain take it. */
	r = reply_from_line((const char *)data, size);
	FUZZ_CHECK(r != NULL);
	check_reply(r, size + 8, 2);
	in.explain = 1;
	in.line_max = REPLY_LINE_MAX;
	use_reply(r, &in);
	reply_free(r);
	return (0);
}
