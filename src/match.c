/* SPDX-License-Identifier: ISC */
/*
 * Pattern and server matching over the knowledge base.
 */
#include "config.h"

#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "kb.h"
#include "match.h"
#include "reply.h"
#include "xmalloc.h"

/*
 * Reply text looked at: real replies that mean something specific say it
 * well within this (the longest text in tests/data/corpus.kb is 399
 * bytes), and a flood of long replies cannot make matching slow.
 */
#define MATCH_TEXT_MAX	1024

/*
 * An expression compiled the first time it is needed: a one-shot
 * `--explain 550` or a short scripted session then pays only for the few
 * patterns its replies' codes call for.
 */
struct match_re {
	const char	*expr;		/* borrowed from the kb */
	int		 state;		/* 0 not yet, 1 compiled, -1 bad */
	regex_t		 re;
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
};

static int	match_regcomp(regex_t *, const char *);
static int	match_regexec(const regex_t *, const char *);
static int	match_take(struct match_re *, const char *, const char *,
		    const char *, int, char **);
static void	match_complain(char **, const char *, const char *,
		    const char *);
static int	match_code_ok(const struct match_pattern *, int);
static int	match_after_ok(const struct match_pattern *, const char *);
static int	match_hit_cmp(const void *, const void *);
static int	match_server_cmp(const void *, const void *);

/*
 * Refuse expressions that make regcomp() blow up: quantifiers following
 * quantifiers ("a+++", undefined in POSIX anyway), bounds over 255, and
 * very long ones.  A teacher's file must not be able to eat the memory.
 */
static const char *
match_too_costly(const char *expr)
{
	const char	*p;
	int		 quant = 0, bracket = 0;
	long		 n;

	if (strlen(expr) > 2048)
		return ("longer than 2048 characters");
	for (p = expr; *p != '\0'; p++) {
		if (bracket) {
			if (*p == ']' && p[-1] != '[' && !(p[-1] == '^' &&
			    p[-2] == '['))
				bracket = 0;
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			p++;
			quant = 0;
			continue;
		}
		if (*p == '[') {
			bracket = 1;
			quant = 0;
			continue;
		}
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
			if (quant)
				return ("a quantifier follows a quantifier");
			quant = 1;
			if (*p == '{') {
				n = strtol(p + 1, NULL, 10);
				if (n > 255)
					return ("a repeat count over 255");
				while (*p != '\0' && *p != '}') {
					if (*p == ',' && strtol(p + 1, NULL,
					    10) > 255)
						return ("a repeat count over "
						    "255");
					p++;
				}
				if (*p == '\0')
					break;
			}
			continue;
		}
		quant = 0;
	}
	return (NULL);
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
 * Take an expression: refuse a costly one at once (a cheap scan), and
 * compile it now when asked to (to report errors) or on first use.
 */
static int
match_take(struct match_re *mr, const char *expr, const char *key,
    const char *field, int now, char **cause)
{
	char		 err[256], *s;
	const char	*why;
	int		 e;

	memset(mr, 0, sizeof *mr);
	if ((why = match_too_costly(expr)) != NULL) {
		s = xasprintf("refused: %s", why);
		match_complain(cause, key, field, s);
		free(s);
		return (-1);
	}
	mr->expr = expr;
	if (!now)
		return (0);
	e = match_regcomp(&mr->re, expr);
	if (e == 0) {
		mr->state = 1;
		return (0);
	}
	regerror(e, &mr->re, err, sizeof err);
	match_complain(cause, key, field, err);
	mr->expr = NULL;
	return (-1);
}

/*
 * Patterns are ASCII and so is nearly all reply text: match bytes, in the
 * C locale.  In a UTF-8 locale glibc folds case character by character
 * through towupper() and copies the text at every starting position,
 * twenty times slower on a long reply.  A non-ASCII byte then matches
 * only itself, which is all a pattern asks of it.
 */
static locale_t
match_locale(void)
{
	static locale_t	c;

	if (c == (locale_t)0)
		c = newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
	return (c);
}

/* Compile or run an expression in the C locale. */
static int
match_regcomp(regex_t *re, const char *expr)
{
	locale_t	old = (locale_t)0, c = match_locale();
	int		e;

	if (c != (locale_t)0)
		old = uselocale(c);
	e = regcomp(re, expr, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (c != (locale_t)0)
		uselocale(old);
	return (e);
}

static int
match_regexec(const regex_t *re, const char *text)
{
	locale_t	old = (locale_t)0, c = match_locale();
	int		e;

	if (c != (locale_t)0)
		old = uselocale(c);
	e = regexec(re, text, 0, NULL, 0);
	if (c != (locale_t)0)
		uselocale(old);
	return (e == 0);
}

/* Does text match?  Compiles on first use; a bad expression never does. */
static int
match_re_exec(struct match_re *mr, const char *text)
{
	if (mr->expr == NULL)
		return (0);
	if (mr->state == 0)
		mr->state = match_regcomp(&mr->re, mr->expr) == 0 ? 1 : -1;
	if (mr->state != 1)
		return (0);
	return (match_regexec(&mr->re, text));
}

static void
match_re_free(struct match_re *mr)
{
	if (mr->state == 1)
		regfree(&mr->re);
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
			if (match_take(&mp->re, v, key, "match", now,
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
				match_take(&ms->greeting, v, key, "greeting",
				    now, cause);
			if ((v = kb_get(kb, key, "wording")) != NULL)
				match_take(&ms->wording, v, key, "wording",
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
	char				*copy;

	/* A code alone (--explain 550) has no wording to match. */
	if (m == NULL || m->np == 0 || max == 0 || len == 0)
		return (0);
	if (len > MATCH_TEXT_MAX)
		len = MATCH_TEXT_MAX;
	copy = xstrndup(text, len);
	found = xcalloc(m->np, sizeof *found);
	for (i = 0; i < m->np; i++) {
		if (!match_code_ok(&m->p[i], code) ||
		    !match_after_ok(&m->p[i], verb))
			continue;
		if (match_re_exec(&m->p[i].re, copy))
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
	free(copy);
	return (n);
}

/* Does pattern i match text? */
int
match_pattern_text(const struct match *m, size_t i, const char *text)
{
	if (i >= m->np)
		return (0);
	return (match_re_exec(&m->p[i].re, text));
}

/* Recognise the server. */
const char *
match_server(const struct match *m, const char *text, size_t len,
    int greeting)
{
	size_t	 i;
	char	*copy;
	const char *found = NULL;

	if (m == NULL || len == 0)
		return (NULL);
	if (len > MATCH_TEXT_MAX)
		len = MATCH_TEXT_MAX;
	copy = xstrndup(text, len);
	for (i = 0; i < m->ns && found == NULL; i++) {
		if (greeting && match_re_exec(&m->s[i].greeting, copy))
			found = m->s[i].key;
		else if (match_re_exec(&m->s[i].wording, copy))
			found = m->s[i].key;
	}
	free(copy);
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
