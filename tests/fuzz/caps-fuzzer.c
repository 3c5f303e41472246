/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the EHLO capability parser (src/smtp/caps.c).  The input
 * is split into lines (LF, a CR before it dropped); they become the lines
 * of a 250 reply to EHLO, "250-" before each and "250 " before the last,
 * which goes through the real reply parser and then caps_parse.  Built by
 * tests/fuzz/run.sh.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "smtp/caps.h"
#include "smtp/reply.h"

#include "fuzz/fuzz-common.h"

/* Mechanisms and keywords a session asks about. */
static const char *const mechs[] = {
	"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "SCRAM-SHA-256", "", "plain"
};
static const char *const keywords[] = {
	"STARTTLS", "PIPELINING", "SIZE", "AUTH", "8BITMIME", "SMTPUTF8",
	"ENHANCEDSTATUSCODES", "CHUNKING", "DSN", "auth", "", "X"
};

/* Build the wire bytes of the reply: one "250-" or "250 " line per line. */
static size_t
build_reply(struct buf *w, const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *nl;
	size_t		 n, lines = 0;

	for (;;) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		buf_addstr(w, nl == end ? "250 " : "250-");
		buf_add(w, p, n);
		buf_add(w, "\r\n", 2);
		lines++;
		if (nl == end)
			break;
		p = nl + 1;
	}
	return (lines);
}

/* Check a parsed set against what caps.h promises. */
static void
check_caps(const struct caps *c)
{
	const struct caps_keyword	*k, *auth;
	const char			*p, *e;
	char				 mech[600];
	size_t				 i, j, n;

	FUZZ_CHECK(c->n <= CAPS_KEYWORDS_MAX);
	if (c->dropped > 0)
		FUZZ_CHECK(c->n == CAPS_KEYWORDS_MAX);
	for (i = 0; i < c->n; i++) {
		k = &c->kw[i];
		FUZZ_CHECK(k->name != NULL && k->params != NULL);
		n = strlen(k->name);
		FUZZ_CHECK(n > 0 && n <= 64);
		for (j = 0; j < n; j++) {
			FUZZ_CHECK(!islower((unsigned char)k->name[j]));
			FUZZ_CHECK(isalnum((unsigned char)k->name[j]) ||
			    strchr("-_=", k->name[j]) != NULL);
		}
		FUZZ_CHECK(strlen(k->params) <= 512);
		FUZZ_CHECK(k->params[0] != ' ');
		FUZZ_CHECK(caps_has(c, k->name));
		/* caps_find gives the first keyword of that name. */
		FUZZ_CHECK(caps_find(c, k->name) <= k);
		FUZZ_CHECK(strcasecmp(caps_find(c, k->name)->name,
		    k->name) == 0);
	}
	FUZZ_CHECK(c->has_size == (caps_find(c, "SIZE") != NULL));
	if (!c->has_size)
		FUZZ_CHECK(c->size == 0);

	/* Every word after the first AUTH is a mechanism offered. */
	if ((auth = caps_find(c, "AUTH")) != NULL) {
		for (p = auth->params; *p != '\0'; p = e) {
			while (*p == ' ')
				p++;
			for (e = p; *e != '\0' && *e != ' '; e++)
				;
			if (e == p || (size_t)(e - p) >= sizeof mech)
				continue;
			memcpy(mech, p, (size_t)(e - p));
			mech[e - p] = '\0';
			FUZZ_CHECK(caps_has_auth(c, mech));
		}
	}
	for (i = 0; i < sizeof mechs / sizeof mechs[0]; i++)
		(void)caps_has_auth(c, mechs[i]);
	for (i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		(void)caps_has(c, keywords[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_parser	*p;
	struct reply		*r = NULL;
	struct caps		 c, copy, empty;
	struct buf		 w;
	size_t			 lines, used, i;
	int			 rc;

	buf_init(&w, 0);
	lines = build_reply(&w, data, size);
	p = reply_parser_new(0, 0);
	rc = reply_parser_feed(p, w.data, w.len, &used, &r);
	/* Exactly one reply, taking every byte. */
	FUZZ_CHECK(rc == 1 && r != NULL && used == w.len);
	FUZZ_CHECK(reply_parser_pending(p) == 0);
	reply_parser_free(p);
	buf_release(&w);
	FUZZ_CHECK(r->code == 250);
	FUZZ_CHECK(r->nlines + r->dropped_lines == lines);

	caps_init(&c);
	caps_parse(&c, r);
	FUZZ_CHECK(c.valid == 1);
	check_caps(&c);
	FUZZ_CHECK(c.n + c.dropped <= (lines > 0 ? lines - 1 : 0));

	/* A deep copy, equal to the original, into a set that held things. */
	caps_init(&copy);
	caps_parse(&copy, r);
	caps_copy(&copy, &c);
	FUZZ_CHECK(copy.n == c.n && copy.dropped == c.dropped &&
	    copy.size == c.size && copy.has_size == c.has_size &&
	    copy.valid == c.valid);
	for (i = 0; i < c.n; i++) {
		FUZZ_CHECK(copy.kw[i].name != c.kw[i].name);
		FUZZ_CHECK(strcmp(copy.kw[i].name, c.kw[i].name) == 0);
		FUZZ_CHECK(strcmp(copy.kw[i].params, c.kw[i].params) == 0);
	}
	/* Parsing again replaces what was known (no leak, same result). */
	caps_parse(&c, r);
	FUZZ_CHECK(c.n == copy.n);
	caps_clear(&c);
	FUZZ_CHECK(c.n == 0 && c.valid == 0 && !caps_has(&c, "AUTH"));
	caps_clear(&copy);

	/* Anything but 2xx gives no capabilities. */
	r->code = 550;
	caps_init(&empty);
	caps_parse(&empty, r);
	FUZZ_CHECK(empty.valid == 0 && empty.n == 0);
	caps_clear(&empty);
	reply_free(r);
	return (0);
}
