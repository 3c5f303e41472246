/* SPDX-License-Identifier: ISC */
/*
 * The reply corpus (tests/data/corpus.kb): real reply lines as real MTAs
 * and providers word them, each with the command it answered and what the
 * explanation must say: the basic code, the enhanced code, the wording
 * pattern that wins and the server recognised.  Prints coverage figures.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "kb/explain.h"
#include "kb/kb.h"
#include "kb/match.h"
#include "smtp/reply.h"
#include "tap.h"

/* Parse the case's lines into one reply. */
static struct reply *
case_reply(const struct kb *corpus, const char *key)
{
	struct reply_parser	*p = reply_parser_new(0, 0);
	struct reply		*r = NULL;
	struct buf		 b;
	const char		*line;
	size_t			 k, used;

	buf_init(&b, 0);
	for (k = 0; (line = kb_get_nth(corpus, key, "line", k)) != NULL; k++)
		buf_printf(&b, "%s\r\n", line);
	/* Continuation marks: all but the last line use "-". */
	if (k > 1) {
		char	*s = b.data, *nl;
		size_t	 i;

		for (i = 0; i + 1 < k && (nl = strstr(s, "\r\n")) != NULL;
		    i++) {
			if (nl - s >= 4 && s[3] == ' ')
				s[3] = '-';
			s = nl + 2;
		}
	}
	reply_parser_feed(p, b.data, b.len, &used, &r);
	buf_release(&b);
	reply_parser_free(p);
	return (r);
}

int
main(void)
{
	const char		*top = getenv("top_srcdir");
	const char		*key, *verb, *want, *server, *got;
	char			 path[4096], *cause = NULL, codebuf[8];
	struct kb		*kb = kb_new(), *corpus = kb_new_empty();
	struct explanation	 ex;
	struct explain_ctx	 ctx;
	struct reply		*r;
	const struct match	*m = kb_match(kb);
	size_t			 i, j, ncases = 0, npat, pcovered = 0;
	int			 codes[600] = { 0 }, ncodes = 0, fails = 0;
	int			 nopattern = 0, nprivate = 0;
	unsigned char		*pseen;

	snprintf(path, sizeof path, "%s/tests/data/corpus.kb",
	    top != NULL ? top : ".");
	if (kb_load_file(corpus, path, &cause) == -1) {
		printf("not ok 1 - corpus loads: %s\n1..1\n", cause);
		return (1);
	}
	npat = match_npatterns(m);
	pseen = calloc(npat + 1, 1);
	for (i = 0; i < kb_count(corpus); i++) {
		key = kb_key(corpus, i);
		if (strncmp(key, "case ", 5) != 0)
			continue;
		ncases++;
		r = case_reply(corpus, key);
		if (r == NULL) {
			ok(0, "%s: the line parses as a reply", key);
			fails++;
			continue;
		}
		verb = explain_verb(kb_get(corpus, key, "after"));
		memset(&ctx, 0, sizeof ctx);
		ctx.server = explain_server(kb, r, verb);
		explain_reply(kb, r, verb, &ctx, &ex);

		snprintf(codebuf, sizeof codebuf, "%d", r->code);
		want = kb_get(corpus, key, "code");
		if (want == NULL || strcmp(want, codebuf) != 0) {
			ok(0, "%s: code %s, expected %s", key, codebuf,
			    want != NULL ? want : "?");
			fails++;
		} else if (r->code > 0 && r->code < 600 && codes[r->code]++ ==
		    0)
			ncodes++;

		want = kb_get(corpus, key, "enhanced");
		got = r->enh[0] != '\0' ? r->enh : "-";
		if (want != NULL && strcmp(want, got) != 0) {
			ok(0, "%s: enhanced %s, expected %s", key, got, want);
			fails++;
		}
		/* Vendors' private codes are decoded by class and subject. */
		if (r->enh[0] != '\0' && !ex.enh_known) {
			nprivate++;
			if (ex.enh_subject_title == NULL) {
				ok(0, "%s: enhanced %s not decoded", key,
				    r->enh);
				fails++;
			}
		}

		want = kb_get(corpus, key, "pattern");
		got = ex.nhits > 0 ? ex.hits[0].name : "-";
		if (want != NULL && strcmp(want, got) != 0) {
			ok(0, "%s: pattern %s, expected %s (%s)", key, got, want,
			    kb_get(corpus, key, "line"));
			fails++;
		}
		if (ex.nhits == 0)
			nopattern++;
		for (j = 0; j < npat; j++)
			if (ex.nhits > 0 && strcmp(match_pattern_name(m, j),
			    ex.hits[0].name) == 0 && pseen[j]++ == 0)
				pcovered++;

		want = kb_get(corpus, key, "server");
		server = ctx.server != NULL ? ctx.server : "-";
		if (want != NULL && strcmp(want, server) != 0) {
			ok(0, "%s: server %s, expected %s (%s)", key, server,
			    want, kb_get(corpus, key, "line"));
			fails++;
		}
		reply_free(r);
	}
	ok(ncases >= 300, "at least 300 corpus lines (%zu)", ncases);
	is_int(fails, 0, "every corpus line explained as expected");
	diag("coverage: %zu lines, %d distinct basic codes, %zu of %zu "
	    "patterns win at least once, %d lines with no pattern, %d with a "
	    "vendor's private enhanced code", ncases, ncodes, pcovered, npat,
	    nopattern, nprivate);
	ok(pcovered == npat, "every pattern wins on some corpus line");
	free(pseen);
	kb_free(kb);
	kb_free(corpus);
	return (done_testing());
}
