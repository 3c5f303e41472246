/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the knowledge-base loader (src/kb/kb.c) and what is
 * compiled from it (src/kb/match.c: [pattern] and [server] regular
 * expressions), then looked up by src/kb/explain.c.  Built by
 * tests/fuzz/run.sh.
 *
 * The input is one stanza file, or two separated by a NUL byte (a NUL is
 * an error inside a file anyway): the second is loaded after the first, as
 * a file on disk is loaded over the embedded copy.  Inputs over 64 KB are
 * ignored: the real files are tens of kilobytes, and regcomp on a hostile
 * expression may be slow in any libc (a hang here is still a finding: the
 * kb files are user-editable).
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

#define KB_FUZZ_MAX	(64 * 1024)

/* Replies explained with the fuzzed knowledge base. */
static const char *const lines[] = {
	"220 mx.example.net ESMTP Postfix (Debian/GNU)",
	"250 2.0.0 Ok: queued as 82A1F",
	"421 4.7.0 mx.example.net Error: too many errors",
	"450 4.2.0 <bob@example.net>: Recipient address rejected: Greylisted",
	"550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown",
	"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked",
	"535 5.7.8 Error: authentication failed: authentication failure",
	"999 not a code",
	"HTTP/1.1 400 Bad Request"
};
static const char *const verbs[] = {
	NULL, "CONNECT", "EHLO", "MAIL", "RCPT", "DATA", ".", "AUTH", "*"
};
static const char *const langs[] = { NULL, "zh_CN", "vi", "C", "en_GB" };

/* Load one file; check what kb_load_text promises about *cause. */
static void
load(struct kb *kb, const char *name, const uint8_t *text, size_t len)
{
	char	*cause = NULL;
	int	 rc;

	rc = kb_load_text(kb, name, (const char *)text, len, &cause);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0)
		FUZZ_CHECK(cause == NULL);
	else {
		FUZZ_CHECK(cause != NULL);
		FUZZ_CHECK(strncmp(cause, name, strlen(name)) == 0);
		free(cause);
	}
}

/* Explain a reply with the fuzzed knowledge base and format it. */
static void
explain_one(const struct kb *kb, const char *line, const char *verb)
{
	struct reply		*r;
	struct explanation	 ex;
	struct explain_ctx	 ctx;
	struct buf		 b;
	size_t			 len = strlen(line);

	/* reply_from_line wants one line: stop at a line end. */
	len = strcspn(line, "\r\n");
	if ((r = reply_from_line(line, len)) == NULL)
		return;
	memset(&ctx, 0, sizeof ctx);
	ctx.server = explain_server(kb, r, verb);
	ctx.enh_expected = 1;
	explain_reply(kb, r, verb, &ctx, &ex);
	FUZZ_CHECK(ex.title != NULL);
	FUZZ_CHECK(ex.nhits <= EXPLAIN_HITS_MAX);
	buf_init(&b, 0);
	format_explanation(&b, &ex, "", 1);
	FUZZ_CHECK(b.len == strlen(b.data));
	buf_release(&b);
	reply_free(r);
}

/* Explain a code (and enhanced code) and format it. */
static void
explain_num(const struct kb *kb, int code, const char *enh, const char *verb)
{
	struct explanation	 ex;
	struct buf		 b;
	char			 after[64];

	explain_code(kb, code, enh, verb, &ex);
	FUZZ_CHECK(ex.code == code && ex.title != NULL);
	FUZZ_CHECK(ex.nnotes <= EXPLAIN_NOTES_MAX);
	buf_init(&b, 0);
	format_explanation(&b, &ex, "  ", 0);
	buf_release(&b);
	explain_after_verbs(kb, code, after, sizeof after);
	FUZZ_CHECK(strlen(after) < sizeof after);
}

/* Walk every stanza and field through the lookup functions. */
static void
walk(const struct kb *kb)
{
	const char	*key, *prev = NULL, *field, *v, *last, *o;
	size_t		 i, j, k, n, nf;

	n = kb_count(kb);
	FUZZ_CHECK(kb_key(kb, n) == NULL);
	FUZZ_CHECK(kb_nfields(kb, n) == 0);
	for (i = 0; i < n; i++) {
		key = kb_key(kb, i);
		FUZZ_CHECK(key != NULL);
		/* Sorted, each key once. */
		if (prev != NULL)
			FUZZ_CHECK(strcmp(prev, key) < 0);
		prev = key;
		FUZZ_CHECK(kb_has(kb, key));
		o = kb_origin(kb, key);
		FUZZ_CHECK(o != NULL && (strcmp(o, "a.kb") == 0 ||
		    strcmp(o, "b.kb") == 0));
		(void)kb_seq(kb, key);
		nf = kb_nfields(kb, i);
		FUZZ_CHECK(kb_field_name(kb, i, nf) == NULL);
		for (j = 0; j < nf; j++) {
			field = kb_field_name(kb, i, j);
			FUZZ_CHECK(field != NULL);
			v = kb_get(kb, key, field);
			FUZZ_CHECK(v != NULL);
			(void)strlen(v);
			/* The last of a repeated field is what kb_get gives. */
			last = NULL;
			for (k = 0; k <= nf; k++) {
				const char *x = kb_get_nth(kb, key, field, k);

				if (x == NULL)
					break;
				last = x;
			}
			FUZZ_CHECK(k >= 1 && k <= nf);
			FUZZ_CHECK(last == v);
			for (k = 0; k < sizeof langs / sizeof langs[0]; k++)
				FUZZ_CHECK(kb_get_lang(kb, key, field,
				    langs[k]) != NULL);
			FUZZ_CHECK(kb_get_lang(kb, key, field, NULL) == v);
		}
		FUZZ_CHECK(kb_get(kb, key, "\001no such field") == NULL);
	}
	FUZZ_CHECK(!kb_has(kb, "\001no such key"));
	FUZZ_CHECK(kb_get(kb, "\001no such key", "title") == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb	*kb;
	const uint8_t	*nul;
	const char	*key, *v;
	char		*cause = NULL;
	size_t		 i, j, k, alen;
	int		 rc, cl, su, de;

	if (size > KB_FUZZ_MAX)
		return (0);
	kb = kb_new_empty();
	nul = memchr(data, '\0', size);
	alen = nul != NULL ? (size_t)(nul - data) : size;
	load(kb, "a.kb", data, alen);
	if (nul != NULL)
		load(kb, "b.kb", nul + 1, size - alen - 1);

	rc = kb_compile(kb, &cause);
	FUZZ_CHECK((rc == 0) == (cause == NULL));
	free(cause);
	walk(kb);

	/* Codes the stanzas name, and a few fixed ones. */
	for (i = 0; i < kb_count(kb); i++) {
		key = kb_key(kb, i);
		if (strlen(key) == 3 && key[0] >= '2' && key[0] <= '5' &&
		    key[1] >= '0' && key[1] <= '9' && key[2] >= '0' &&
		    key[2] <= '9') {
			for (j = 0; j < sizeof verbs / sizeof verbs[0]; j++)
				explain_num(kb, atoi(key), "5.1.1", verbs[j]);
		} else if (strncmp(key, "X.", 2) == 0) {
			char	enh[32];

			snprintf(enh, sizeof enh, "5.%s", key + 2);
			if (reply_parse_enhanced(enh, strlen(enh), &cl, &su,
			    &de) > 0)
				explain_num(kb, 550, enh, "RCPT");
		} else if (strncmp(key, "pattern ", 8) == 0) {
			/* A pattern's own sample lines, as the lint does. */
			for (k = 0; k < 4 && (v = kb_get_nth(kb, key,
			    "sample", k)) != NULL; k++)
				explain_one(kb, v, kb_get(kb, key, "after") !=
				    NULL ? "RCPT" : NULL);
		}
	}
	explain_num(kb, 250, NULL, NULL);
	explain_num(kb, 421, "4.7.0", "CONNECT");
	explain_num(kb, 554, "2.0.0", ".");
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		explain_one(kb, lines[i], verbs[i % (sizeof verbs /
		    sizeof verbs[0])]);
	kb_free(kb);
	return (0);
}
