/* SPDX-License-Identifier: ISC */
/*
 * Lint of the embedded knowledge base: every basic code and every code of
 * the IANA enhanced status code registry is present and complete, no
 * stanza is given twice, every wording pattern compiles and is exercised
 * by its own sample lines, every server a pattern names exists, and none
 * of the codes that circulate on the web without being SMTP replies has
 * crept in.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb/explain.h"
#include "kb/kb.h"
#include "kb/match.h"
#include "smtp/reply.h"
#include "tap.h"

static const int basic[] = {
	211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450, 451,
	452, 454, 455, 500, 501, 502, 503, 504, 521, 530, 534, 535, 538, 550,
	551, 552, 553, 554, 555, 556, 0
};

/* The registry's detail codes: subject -> highest detail (RFC 3463 on). */
static const int registry_max[8] = { 0, 10, 4, 6, 7, 6, 10, 30 };

/* Codes seen in web lists that no RFC defines. */
static const int bogus[] = {
	101, 420, 422, 431, 441, 446, 447, 449, 471, 510, 511, 512, 513, 541,
	0
};

static int
has_fields(const struct kb *kb, const char *key, const char *const *fields)
{
	size_t	i;
	int	good = 1;

	for (i = 0; fields[i] != NULL; i++) {
		const char	*v = kb_get(kb, key, fields[i]);

		if (v == NULL || strlen(v) < 2) {
			diag("[%s] has no %s", key, fields[i]);
			good = 0;
		}
	}
	return (good);
}

static void
test_codes(const struct kb *kb)
{
	static const char *const bf[] = { "title", "meaning", "when", "fix",
	    "source", NULL };
	static const char *const ef[] = { "title", "meaning", "fix", "basic",
	    "source", NULL };
	char	key[32];
	int	i, su, de, bad = 0, n = 0;

	for (i = 0; basic[i] != 0; i++) {
		snprintf(key, sizeof key, "%d", basic[i]);
		if (!kb_has(kb, key)) {
			diag("basic code %s missing", key);
			bad++;
		} else if (!has_fields(kb, key, bf))
			bad++;
	}
	is_int(bad, 0, "all 34 basic codes present and complete");

	bad = 0;
	for (su = 0; su < 8; su++) {
		for (de = 0; de <= registry_max[su]; de++) {
			snprintf(key, sizeof key, "X.%d.%d", su, de);
			n++;
			if (!kb_has(kb, key)) {
				diag("registry code %s missing", key);
				bad++;
			} else if (!has_fields(kb, key, ef))
				bad++;
		}
	}
	is_int(bad, 0, "all %d registry codes present and complete", n);
	for (i = 2; i <= 5; i++) {
		snprintf(key, sizeof key, "class %d", i);
		if (i != 3 && !kb_has(kb, key))
			bad++;
	}
	for (su = 0; su < 8; su++) {
		snprintf(key, sizeof key, "subject %d", su);
		if (!kb_has(kb, key))
			bad++;
	}
	is_int(bad, 0, "enhanced classes 2, 4, 5 and subjects 0-7 present");

	bad = 0;
	for (i = 0; bogus[i] != 0; i++) {
		snprintf(key, sizeof key, "%d", bogus[i]);
		if (kb_has(kb, key)) {
			diag("%s is not an SMTP reply code", key);
			bad++;
		}
	}
	is_int(bad, 0, "no made-up code from web lists");
	is_int(kb_duplicates(kb), 0, "no stanza given twice in one file");
}

static void
test_patterns(struct kb *kb)
{
	static const char *const pf[] = { "match", "title", "advice", "source",
	    NULL };
	const struct match	*m;
	struct match_hit	 hits[64];
	char			*cause = NULL, key[96], *text;
	const char		*sample, *server, *name;
	size_t			 i, k, n, np;
	int			 bad = 0, nosample = 0, nomatch = 0, found;
	struct reply		*r;

	ok(kb_compile(kb, &cause) == 0, "every pattern compiles%s%s",
	    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	free(cause);
	m = kb_match(kb);
	np = match_npatterns(m);
	ok(np >= 60, "at least 60 wording patterns (%zu)", np);
	ok(match_nservers(m) >= 8, "servers recognised (%zu)",
	    match_nservers(m));
	for (i = 0; i < np; i++) {
		name = match_pattern_name(m, i);
		snprintf(key, sizeof key, "pattern %s", name);
		if (!has_fields(kb, key, pf))
			bad++;
		if ((server = kb_get(kb, key, "server")) != NULL &&
		    explain_server_name(kb, server) == NULL) {
			diag("[%s] names unknown server %s", key, server);
			bad++;
		}
		if (kb_get_nth(kb, key, "sample", 0) == NULL) {
			diag("[%s] has no sample", key);
			nosample++;
		}
		for (k = 0; (sample = kb_get_nth(kb, key, "sample", k)) !=
		    NULL; k++) {
			r = reply_from_line(sample, strlen(sample));
			if (r == NULL || (r->flags & REPLY_F_MALFORMED)) {
				diag("[%s] sample is not a reply: %s", key,
				    sample);
				nomatch++;
				reply_free(r);
				continue;
			}
			text = match_reply_text(r);
			n = match_reply(m, r->code, NULL, text, strlen(text),
			    hits, 64);
			for (found = 0; n-- > 0;)
				if (strcmp(hits[n].name, name) == 0)
					found = 1;
			if (!found) {
				diag("[%s] does not match its sample: %s", key,
				    sample);
				nomatch++;
			}
			free(text);
			reply_free(r);
		}
	}
	is_int(bad, 0, "every pattern complete, every server it names known");
	is_int(nosample, 0, "every pattern has a sample line");
	is_int(nomatch, 0, "every sample matches its own pattern");
}

static void
test_keywords(const struct kb *kb)
{
	static const char *const kf[] = { "title", "meaning", "source", NULL };
	static const char *const must[] = { "SIZE", "PIPELINING", "8BITMIME",
	    "BINARYMIME", "CHUNKING", "STARTTLS", "AUTH",
	    "ENHANCEDSTATUSCODES", "DSN", "SMTPUTF8", "ETRN", "VRFY", "EXPN",
	    "HELP", "DELIVERBY", "MT-PRIORITY", "FUTURERELEASE", "REQUIRETLS",
	    "LIMITS", "PRDR", "XCLIENT", "XFORWARD", "X-EXPS", NULL };
	char	key[96];
	size_t	i;
	int	bad = 0;

	for (i = 0; must[i] != NULL; i++) {
		snprintf(key, sizeof key, "kw %s", must[i]);
		if (!kb_has(kb, key)) {
			diag("keyword %s missing", must[i]);
			bad++;
		} else if (!has_fields(kb, key, kf))
			bad++;
	}
	is_int(bad, 0, "every common EHLO keyword explained");
}

int
main(void)
{
	struct kb	*kb = kb_new();

	test_codes(kb);
	test_patterns(kb);
	test_keywords(kb);
	kb_free(kb);
	return (done_testing());
}
