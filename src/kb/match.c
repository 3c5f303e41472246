/* SPDX-License-Identifier: ISC */
/*
 * Pattern and server matching over the knowledge base.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <pcre2.h>
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "kb/kb.h"
#include "base/log.h"
#include "kb/match.h"
#include "smtp/reply.h"
#include "base/xmalloc.h"

/*
 * Reply text looked at: real replies that mean something specific say it
 * well within this (the longest text in tests/data/corpus.kb is 399
 * bytes), and a flood of long replies cannot make matching slow.
 */
#define MATCH_TEXT_MAX	1024

/*
 * Bounds on what one expression may cost, whoever wrote it (a teacher's
 * --data directory is as untrusted as the replies it is matched against).
 * Compiling: at most MATCH_EXPR_MAX bytes of expression, MATCH_NEST_MAX
 * nested groups, MATCH_CODE_MAX bytes compiled (the largest built-in
 * expression takes 2.7 KiB).  Matching one text: at most MATCH_STEPS
 * backtracking steps (every built-in expression on the corpus's lines and
 * on 3,000 texts of 1 KiB made of them needs under 1,000), backtracking
 * MATCH_DEPTH deep and MATCH_HEAP_KIB of memory; past any of them the
 * text does not match.
 */
#define MATCH_EXPR_MAX	2048
#define MATCH_NEST_MAX	32
#define MATCH_CODE_MAX	(32 * 1024)
#define MATCH_STEPS	100000
#define MATCH_DEPTH	2000
#define MATCH_HEAP_KIB	1024
/* The highest repeat count, as POSIX's RE_DUP_MAX. */
#define MATCH_DUP_MAX	255

/*
 * An expression compiled the first time it is needed: a one-shot
 * `--explain 550` or a short scripted session then pays only for the few
 * patterns its replies' codes call for.
 */
struct match_re {
	const char	*expr;		/* as the kb gives it, borrowed */
	char		*pcre;		/* the same in PCRE2's syntax */
	int		 state;		/* 0 not yet, 1 compiled, -1 bad */
	pcre2_code	*code;
};

struct match_pattern {
	const char	*key;		/* "pattern NAME" */
	const char	*name;
	struct match_re	 re;
	int		 priority;
	int		 order;
	char		 codes[16][4];	/* "550", "4xx"; empty: any */
	size_t		 ncodes;
	const char	*after;		/* space-separated verbs, or NULL */
};

struct match_server {
	const char	*key;		/* "postfix" */
	size_t		 seq;		/* file order */
	struct match_re	 greeting;	/* expr NULL when none */
	struct match_re	 wording;
};

struct match {
	struct match_pattern	*p;
	size_t			 np;
	struct match_server	*s;
	size_t			 ns;
	pcre2_compile_context	*ccx;
	pcre2_match_context	*mcx;
	pcre2_match_data	*md;
};

static size_t	 match_interval(const char *, long *, long *);
static char	*match_translate(const char *, const char **);
static int	 match_compile(const struct match *, struct match_re *,
		     char *, size_t);
static int	 match_take(const struct match *, struct match_re *,
		     const char *, const char *, const char *, int, char **);
static void	 match_complain(char **, const char *, const char *,
		     const char *);
static int	 match_re_exec(const struct match *, struct match_re *,
		     const char *, size_t);
static void	 match_re_free(struct match_re *);
static int	 match_code_ok(const struct match_pattern *, int);
static int	 match_after_ok(const struct match_pattern *, const char *);
static int	 match_hit_cmp(const void *, const void *);
static int	 match_server_cmp(const void *, const void *);

/*
 * Read a repeat count "{m}", "{m,}", "{m,n}" or "{,n}" at p (on the
 * brace): returns its length and sets *lo and *hi (-1: no upper bound),
 * or returns 0 if it is not one.
 */
static size_t
match_interval(const char *p, long *lo, long *hi)
{
	const char	*q = p + 1;
	char		*end;

	*lo = 0;
	*hi = -1;
	if (isdigit((unsigned char)*q)) {
		*lo = strtol(q, &end, 10);
		q = end;
	} else if (*q != ',')
		return (0);
	if (*q == ',') {
		q++;
		if (isdigit((unsigned char)*q)) {
			*hi = strtol(q, &end, 10);
			q = end;
		} else if (q == p + 2)
			return (0);	/* "{,}" */
	} else
		*hi = *lo;
	if (*q != '}')
		return (0);
	return ((size_t)(q - p) + 1);
}

/*
 * Check a POSIX extended regular expression against what the kb allows
 * and write it in PCRE2's syntax, so that it keeps the meaning POSIX
 * gives it.  Refused: back-references and every other backslash before a
 * letter or digit (\d is a "d" to POSIX, a digit to PCRE2); a quantifier
 * with nothing before it or following another ("a**", and so PCRE2's
 * lazy and possessive forms and its "(?" and "(*" groups); repeat counts
 * over 255; collating elements; anything POSIX calls malformed.
 * Rewritten: a backslash inside brackets (a backslash to POSIX, an escape
 * to PCRE2), "{,n}", and a ")" with no "(" (a character to glibc).  Returns the new text (the caller frees it), or
 * NULL with *why set.
 */
static char *
match_translate(const char *expr, const char **why)
{
	struct buf	 b;
	const char	*p, *q;
	size_t		 n;
	long		 lo, hi;
	int		 depth = 0;
	enum { M_NONE, M_ATOM, M_ANCHOR, M_QUANT } prev = M_NONE;

	*why = NULL;
	if (strlen(expr) > MATCH_EXPR_MAX) {
		*why = "longer than 2048 characters";
		return (NULL);
	}
	buf_init(&b, 0);
	for (p = expr; *p != '\0' && *why == NULL; p++) {
		switch (*p) {
		case '\\':
			if (p[1] == '\0')
				*why = "it ends in a backslash";
			else if (isalnum((unsigned char)p[1]))
				*why = "a backslash before a letter or digit "
				    "(back-references and Perl's \\d, \\s, \\b "
				    "are not allowed)";
			else {
				buf_add(&b, p, 2);
				p++;
				prev = M_ATOM;
			}
			break;
		case '[':
			buf_addch(&b, '[');
			q = p + 1;
			if (*q == '^')
				buf_addch(&b, *q++);
			if (*q == ']') {
				buf_addstr(&b, "\\]");
				q++;
			}
			for (; *q != '\0' && *q != ']'; q++) {
				if (*q == '[' && (q[1] == '.' || q[1] == '=')) {
					*why = "collating elements ([. .] and "
					    "[= =]) are not supported";
					break;
				}
				if (*q == '[' && q[1] == ':') {
					n = strcspn(q + 2, "]");
					if (n == 0 || q[2 + n] != ']' ||
					    q[2 + n - 1] != ':') {
						*why = "a [: without its :]";
						break;
					}
					buf_add(&b, q, n + 3);
					q += n + 2;
					continue;
				}
				if (*q == '\\')
					buf_addch(&b, '\\');
				buf_addch(&b, *q);
			}
			if (*why == NULL && *q != ']')
				*why = "a [ without its ]";
			if (*why != NULL)
				break;
			buf_addch(&b, ']');
			p = q;
			prev = M_ATOM;
			break;
		case '(':
			if (++depth > MATCH_NEST_MAX)
				*why = "groups nested more than 32 deep";
			buf_addch(&b, '(');
			prev = M_NONE;
			break;
		case ')':
			/* Alone, it is an ordinary character to glibc. */
			if (depth == 0)
				buf_addstr(&b, "\\)");
			else {
				depth--;
				buf_addch(&b, ')');
			}
			prev = M_ATOM;
			break;
		case '|':
			buf_addch(&b, '|');
			prev = M_NONE;
			break;
		case '^':
		case '$':
			buf_addch(&b, *p);
			prev = M_ANCHOR;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			if (prev == M_QUANT)
				*why = "a quantifier follows a quantifier";
			else if (prev != M_ATOM)
				*why = "a quantifier with nothing to repeat";
			else if (*p != '{')
				buf_addch(&b, *p);
			else if ((n = match_interval(p, &lo, &hi)) == 0)
				*why = "a { that does not start a repeat count "
				    "such as {2} or {1,3}";
			else if (lo > MATCH_DUP_MAX || hi > MATCH_DUP_MAX)
				*why = "a repeat count over 255";
			else if (hi != -1 && lo > hi)
				*why = "a repeat count whose bounds are the "
				    "wrong way round";
			else {
				if (hi == -1)
					buf_printf(&b, "{%ld,}", lo);
				else
					buf_printf(&b, "{%ld,%ld}", lo, hi);
				p += n - 1;
			}
			prev = M_QUANT;
			break;
		default:
			buf_addch(&b, *p);
			prev = M_ATOM;
			break;
		}
	}
	if (*why == NULL && depth != 0)
		*why = "a ( without its )";
	if (*why != NULL) {
		buf_release(&b);
		return (NULL);
	}
	return (buf_detach(&b, NULL));
}

/* Add a problem to *cause, one line each. */
static void
match_complain(char **cause, const char *key, const char *field,
    const char *what)
{
	char	*line;
	size_t	 had, add;

	line = xasprintf("[%s]: %s: %s", key, field, what);
	if (*cause == NULL) {
		*cause = line;
		return;
	}
	had = strlen(*cause);
	add = strlen(line);
	*cause = xrealloc(*cause, had + 1 + add + 1);
	(*cause)[had] = '\n';
	memcpy(*cause + had + 1, line, add + 1);
	free(line);
}

/*
 * Take an expression: refuse what the kb does not allow at once (a cheap
 * scan), and compile it now when asked to (to report errors) or on first
 * use.
 */
static int
match_take(const struct match *m, struct match_re *mr, const char *expr,
    const char *key, const char *field, int now, char **cause)
{
	char		 err[256], *s;
	const char	*why;

	memset(mr, 0, sizeof *mr);
	if ((mr->pcre = match_translate(expr, &why)) == NULL) {
		s = xasprintf("refused: %s", why);
		match_complain(cause, key, field, s);
		free(s);
		return (-1);
	}
	mr->expr = expr;
	if (!now)
		return (0);
	if (match_compile(m, mr, err, sizeof err) == 0)
		return (0);
	match_complain(cause, key, field, err);
	match_re_free(mr);
	mr->expr = NULL;
	return (-1);
}

/*
 * Compile an expression within the bounds: bytes, not characters (no
 * UTF mode, which a pattern cannot turn on), ASCII case folding as in the
 * C locale, "." matching any byte and "$" only the very end, as POSIX
 * does.  JIT-compiled where the library can.  Returns 0, or -1 with the
 * reason in err.
 */
static int
match_compile(const struct match *m, struct match_re *mr, char *err,
    size_t errsize)
{
	PCRE2_UCHAR	msg[200];
	PCRE2_SIZE	off;
	size_t		size;
	int		e;

	mr->state = -1;
	mr->code = pcre2_compile((PCRE2_SPTR)mr->pcre, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY |
	    PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP |
	    PCRE2_NEVER_BACKSLASH_C, &e, &off, m->ccx);
	if (mr->code == NULL) {
		pcre2_get_error_message(e, msg, sizeof msg);
		snprintf(err, errsize, "%s", (char *)msg);
		return (-1);
	}
	if (pcre2_pattern_info(mr->code, PCRE2_INFO_SIZE, &size) != 0 ||
	    size > MATCH_CODE_MAX) {
		snprintf(err, errsize, "refused: compiles to %zu bytes, over "
		    "the %d allowed (nested repeat counts multiply)", size,
		    MATCH_CODE_MAX);
		pcre2_code_free(mr->code);
		mr->code = NULL;
		return (-1);
	}
	/*
	 * Without JIT (not built, or no executable memory) it interprets.
	 * Under Valgrind it always interprets: memcheck cannot follow the
	 * JIT's machine code and reports its reads as uninitialised, which
	 * would hide real errors in the memcheck pass of the tests.
	 */
#ifdef HAVE_VALGRIND_VALGRIND_H
	if (!RUNNING_ON_VALGRIND)
#endif
		pcre2_jit_compile(mr->code, PCRE2_JIT_COMPLETE);
	mr->state = 1;
	return (0);
}

/*
 * Does text match?  Compiles on first use; a bad expression never does,
 * nor one that goes past a limit on this text.
 */
static int
match_re_exec(const struct match *m, struct match_re *mr, const char *text,
    size_t len)
{
	char	err[256];
	int	rc;

	if (mr->expr == NULL)
		return (0);
	if (mr->state == 0)
		match_compile(m, mr, err, sizeof err);
	if (mr->state != 1)
		return (0);
	rc = pcre2_match(mr->code, (PCRE2_SPTR)text, len, 0, 0, m->md,
	    m->mcx);
	return (rc >= 0);
}

static void
match_re_free(struct match_re *mr)
{
	pcre2_code_free(mr->code);
	mr->code = NULL;
	free(mr->pcre);
	mr->pcre = NULL;
	mr->state = 0;
}

/* Take patterns and servers. */
struct match *
match_new(const struct kb *kb, int now, char **cause)
{
	struct match		*m = xcalloc(1, sizeof *m);
	struct match_pattern	*mp;
	struct match_server	*ms;
	const char		*key, *v, *p, *e;
	size_t			 i, n = kb_count(kb);

	*cause = NULL;
	if ((m->ccx = pcre2_compile_context_create(NULL)) == NULL ||
	    (m->mcx = pcre2_match_context_create(NULL)) == NULL ||
	    (m->md = pcre2_match_data_create(1, NULL)) == NULL)
		fatalx("pcre2: out of memory");
	pcre2_set_max_pattern_length(m->ccx, MATCH_EXPR_MAX);
	pcre2_set_parens_nest_limit(m->ccx, MATCH_NEST_MAX);
	pcre2_set_match_limit(m->mcx, MATCH_STEPS);
	pcre2_set_depth_limit(m->mcx, MATCH_DEPTH);
	pcre2_set_heap_limit(m->mcx, MATCH_HEAP_KIB);
	m->p = xcalloc(n + 1, sizeof *m->p);
	m->s = xcalloc(n + 1, sizeof *m->s);
	for (i = 0; i < n; i++) {
		key = kb_key(kb, i);
		if (strncmp(key, "pattern ", 8) == 0) {
			if ((v = kb_get(kb, key, "match")) == NULL) {
				match_complain(cause, key, "match",
				    "missing");
				continue;
			}
			mp = &m->p[m->np];
			memset(mp, 0, sizeof *mp);
			if (match_take(m, &mp->re, v, key, "match", now,
			    cause) == -1)
				continue;
			mp->key = key;
			mp->name = key + 8;
			mp->order = (int)kb_seq(kb, key);
			if ((v = kb_get(kb, key, "priority")) != NULL)
				mp->priority = atoi(v);
			mp->after = kb_get(kb, key, "after");
			if ((v = kb_get(kb, key, "codes")) != NULL) {
				for (p = v; *p != '\0' && mp->ncodes < 16;
				    p = e) {
					while (*p == ' ')
						p++;
					for (e = p; *e != '\0' && *e != ' ';
					    e++)
						;
					if (e - p == 3)
						memcpy(mp->codes[mp->ncodes++],
						    p, 3);
				}
			}
			m->np++;
		} else if (strncmp(key, "server ", 7) == 0) {
			ms = &m->s[m->ns];
			memset(ms, 0, sizeof *ms);
			ms->key = key + 7;
			ms->seq = kb_seq(kb, key);
			if ((v = kb_get(kb, key, "greeting")) != NULL)
				match_take(m, &ms->greeting, v, key, "greeting",
				    now, cause);
			if ((v = kb_get(kb, key, "wording")) != NULL)
				match_take(m, &ms->wording, v, key, "wording",
				    now, cause);
			m->ns++;
		}
	}
	/* Servers are tried in the order the files give them. */
	qsort(m->s, m->ns, sizeof *m->s, match_server_cmp);
	return (m);
}

/* Order servers by their place in the files. */
static int
match_server_cmp(const void *a, const void *b)
{
	const struct match_server	*sa = a, *sb = b;

	return ((sa->seq > sb->seq) - (sa->seq < sb->seq));
}

/* Free compiled expressions. */
void
match_free(struct match *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->np; i++)
		match_re_free(&m->p[i].re);
	for (i = 0; i < m->ns; i++) {
		match_re_free(&m->s[i].greeting);
		match_re_free(&m->s[i].wording);
	}
	free(m->p);
	free(m->s);
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->mcx);
	pcre2_compile_context_free(m->ccx);
	free(m);
}

/* Counts. */
size_t
match_npatterns(const struct match *m)
{
	return (m->np);
}

size_t
match_nservers(const struct match *m)
{
	return (m->ns);
}

/* Name of pattern i. */
const char *
match_pattern_name(const struct match *m, size_t i)
{
	return (i < m->np ? m->p[i].name : NULL);
}

/* Does the code pass the pattern's codes filter? */
static int
match_code_ok(const struct match_pattern *mp, int code)
{
	char	c[4];
	size_t	i;

	if (mp->ncodes == 0)
		return (1);
	snprintf(c, sizeof c, "%03d", code);
	for (i = 0; i < mp->ncodes; i++) {
		if (strcmp(mp->codes[i], c) == 0)
			return (1);
		if (mp->codes[i][0] == c[0] && (mp->codes[i][1] == 'x' ||
		    mp->codes[i][1] == 'X'))
			return (1);
	}
	return (0);
}

/* Does the command pass the pattern's after filter? */
static int
match_after_ok(const struct match_pattern *mp, const char *verb)
{
	const char	*p, *e;
	size_t		 n;

	if (mp->after == NULL || verb == NULL)
		return (1);
	n = strlen(verb);
	for (p = mp->after; *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		if ((size_t)(e - p) == n && strncmp(p, verb, n) == 0)
			return (1);
	}
	return (0);
}

/* Order hits: higher priority first, then earlier. */
static int
match_hit_cmp(const void *a, const void *b)
{
	const struct match_pattern *pa = *(const struct match_pattern *const *)a;
	const struct match_pattern *pb = *(const struct match_pattern *const *)b;

	if (pa->priority != pb->priority)
		return (pb->priority - pa->priority);
	return (pa->order - pb->order);
}

/* Find the patterns that match a reply. */
size_t
match_reply(const struct match *m, int code, const char *verb,
    const char *text, size_t len, struct match_hit *hits, size_t max)
{
	const struct match_pattern	**found;
	size_t				 i, n = 0;

	/* A code alone (--explain 550) has no wording to match. */
	if (m == NULL || m->np == 0 || max == 0 || len == 0)
		return (0);
	if (len > MATCH_TEXT_MAX)
		len = MATCH_TEXT_MAX;
	found = xcalloc(m->np, sizeof *found);
	for (i = 0; i < m->np; i++) {
		if (!match_code_ok(&m->p[i], code) ||
		    !match_after_ok(&m->p[i], verb))
			continue;
		if (match_re_exec(m, &m->p[i].re, text, len))
			found[n++] = &m->p[i];
	}
	qsort(found, n, sizeof *found, match_hit_cmp);
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		hits[i].name = found[i]->name;
		hits[i].key = found[i]->key;
		hits[i].priority = found[i]->priority;
	}
	free(found);
	return (n);
}

/* Does pattern i match text? */
int
match_pattern_text(const struct match *m, size_t i, const char *text)
{
	if (i >= m->np)
		return (0);
	return (match_re_exec(m, &m->p[i].re, text, strlen(text)));
}

/* Recognise the server. */
const char *
match_server(const struct match *m, const char *text, size_t len,
    int greeting)
{
	size_t		 i;
	const char	*found = NULL;

	if (m == NULL || len == 0)
		return (NULL);
	if (len > MATCH_TEXT_MAX)
		len = MATCH_TEXT_MAX;
	for (i = 0; i < m->ns && found == NULL; i++) {
		if (greeting && match_re_exec(m, &m->s[i].greeting, text,
		    len))
			found = m->s[i].key;
		else if (match_re_exec(m, &m->s[i].wording, text, len))
			found = m->s[i].key;
	}
	return (found);
}

/* The text of a reply for matching. */
char *
match_reply_text(const struct reply *r)
{
	struct buf	b;
	const char	*t;
	size_t		 i, len, k, elen;

	buf_init(&b, MATCH_TEXT_MAX);
	elen = strlen(r->enh);
	for (i = 0; i < r->nlines; i++) {
		t = r->code != 0 ? reply_text(r, i, &len) : r->lines[i].raw;
		if (r->code == 0)
			len = r->lines[i].len;
		/*
		 * Some servers (Gmail) repeat the enhanced code on every line;
		 * drop the repeats so a phrase can run across lines.
		 */
		if (i > 0 && elen > 0 && len > elen && memcmp(t, r->enh,
		    elen) == 0 && t[elen] == ' ') {
			t += elen + 1;
			len -= elen + 1;
		}
		if (i > 0 && buf_addch(&b, ' ') == -1)
			break;
		for (k = 0; k < len; k++)
			if (buf_addch(&b, t[k] == '\0' ? ' ' : t[k]) == -1)
				break;
	}
	return (buf_detach(&b, NULL));
}
