/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the knowledge base (src/kb/kb.c) and explanations
 * (src/kb/explain.c): the embedded data is complete, loads cleanly, and
 * lookups pick the right text for the command a reply answers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "kb/explain.h"
#include "kb/kb.h"
#include "kb/match.h"
#include "smtp/reply.h"
#include "tap.h"

/* Every basic code the foundation promises, RFC 5321 and extensions. */
static const int codes[] = {
	211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450, 451,
	452, 454, 455, 500, 501, 502, 503, 504, 521, 530, 534, 535, 538, 550,
	551, 552, 553, 554, 555, 556, 0
};

/* Codes that must carry notes for the commands they usually answer. */
static const struct {
	int		 code;
	const char	*verbs[8];
} contexts[] = {
	{ 250, { "EHLO", "MAIL", "RCPT", ".", "VRFY", "RSET", NULL } },
	{ 252, { "VRFY", NULL } },
	{ 421, { "CONNECT", NULL } },
	{ 450, { "RCPT", NULL } },
	{ 451, { "RCPT", ".", NULL } },
	{ 452, { "RCPT", NULL } },
	{ 501, { "MAIL", "RCPT", NULL } },
	{ 502, { "VRFY", "EXPN", NULL } },
	{ 503, { "RCPT", "DATA", NULL } },
	{ 530, { "MAIL", NULL } },
	{ 550, { "RCPT", "VRFY", NULL } },
	{ 552, { "MAIL", ".", NULL } },
	{ 553, { "RCPT", NULL } },
	{ 554, { "CONNECT", ".", NULL } },
};

static const char *fields[] = { "title", "meaning", "when", "fix", "source",
    NULL };

static void
test_complete(const struct kb *kb)
{
	char		 key[8], after[32];
	size_t		 i, j;
	int		 missing = 0;

	for (i = 0; codes[i] != 0; i++) {
		snprintf(key, sizeof key, "%d", codes[i]);
		for (j = 0; fields[j] != NULL; j++) {
			const char	*v = kb_get(kb, key, fields[j]);

			if (v == NULL || strlen(v) < 3) {
				diag("%s has no %s", key, fields[j]);
				missing++;
			}
		}
	}
	is_int(missing, 0, "every listed code has title, meaning, when, fix, "
	    "source");

	missing = 0;
	for (i = 0; i < sizeof contexts / sizeof contexts[0]; i++) {
		snprintf(key, sizeof key, "%d", contexts[i].code);
		for (j = 0; contexts[i].verbs[j] != NULL; j++) {
			snprintf(after, sizeof after, "after %s",
			    contexts[i].verbs[j]);
			if (kb_get(kb, key, after) == NULL) {
				diag("%s has no \"%s\" note", key, after);
				missing++;
			}
		}
	}
	is_int(missing, 0, "context notes present for the common commands");

	/* Every after-key names a command explain_verb() knows. */
	missing = 0;
	for (i = 0; i < kb_count(kb); i++) {
		for (j = 0; j < kb_nfields(kb, i); j++) {
			const char	*f = kb_field_name(kb, i, j);

			if (strncmp(f, "after ", 6) == 0 &&
			    explain_verb(f + 6) == NULL) {
				diag("%s: unknown command in \"%s\"",
				    kb_key(kb, i), f);
				missing++;
			}
		}
	}
	is_int(missing, 0, "every context note names a known command");

	missing = 0;
	for (i = 0; i < kb_count(kb); i++) {
		const char	*k = kb_key(kb, i);

		if (strncmp(k, "X.", 2) != 0)
			continue;
		if (kb_get(kb, k, "title") == NULL ||
		    kb_get(kb, k, "meaning") == NULL ||
		    kb_get(kb, k, "source") == NULL) {
			diag("%s lacks title, meaning or source", k);
			missing++;
		}
	}
	is_int(missing, 0, "every enhanced code has title, meaning, source");
	ok(kb_has(kb, "X.1.1") && kb_has(kb, "X.7.1") && kb_has(kb, "X.2.2"),
	    "common enhanced codes present");
	ok(kb_has(kb, "class 5") && kb_has(kb, "subject 7"),
	    "classes and subjects present");
}

static void
test_explain(const struct kb *kb)
{
	struct explanation	 ex;
	struct reply		*r;

	explain_code(kb, 252, NULL, "VRFY", &ex);
	ok(ex.known, "252 known");
	is_str(ex.class_name, "2xx Positive Completion", "252 class");
	ok(ex.context != NULL, "252 has a note after VRFY");
	ok(ex.context != kb_get(kb, "250", "after VRFY"), "not 250's note");

	explain_code(kb, 250, NULL, "RCPT", &ex);
	ok(ex.context != NULL && ex.context == kb_get(kb, "250", "after RCPT"),
	    "250 after RCPT has its own note");
	explain_code(kb, 250, NULL, ".", &ex);
	ok(ex.context != NULL && ex.context == kb_get(kb, "250", "after ."),
	    "250 after the dot has its own note");
	explain_code(kb, 250, NULL, "DATA", &ex);
	ok(ex.context == kb_get(kb, "250", "after DATA"),
	    "no borrowed note for an odd pairing");

	explain_code(kb, 299, NULL, NULL, &ex);
	ok(!ex.known && ex.nnotes > 0, "299 unknown and flagged");
	is_str(ex.class_name, "2xx Positive Completion", "299 class");

	explain_code(kb, 550, "5.1.1", "RCPT", &ex);
	is_str(ex.enh, "5.1.1", "enhanced code kept");
	ok(ex.enh_known && ex.enh_title != NULL, "5.1.1 decoded");
	ok(ex.enh_subject_title != NULL, "subject 1 named");

	explain_code(kb, 550, "5.9.99", NULL, &ex);
	ok(!ex.enh_known && ex.nnotes > 0, "unregistered enhanced flagged");

	explain_code(kb, 250, "5.0.0", NULL, &ex);
	ok(ex.nnotes > 0, "class mismatch noted");

	r = reply_from_line("452-4.2.2 Mailbox full", 22);
	explain_reply(kb, r, "RCPT", NULL, &ex);
	is_int(ex.code, 452, "reply line explained");
	is_str(ex.enh, "4.2.2", "its enhanced code");
	reply_free(r);

	r = reply_from_line("HTTP/1.1 400 Bad", 16);
	explain_reply(kb, r, NULL, NULL, &ex);
	is_int(ex.code, 0, "non-reply gets code 0");
	ok(ex.meaning != NULL, "and an explanation");
	reply_free(r);

	is_str(explain_verb("rcpt"), "RCPT", "verbs are case-insensitive");
	is_str(explain_verb("greeting"), "CONNECT", "greeting alias");
	ok(explain_verb("FOO") == NULL, "unknown verb");
}

static void
test_loader(void)
{
	struct kb	*kb = kb_new_empty();
	char		*cause = NULL, dir[] = "/tmp/kbtestXXXXXX", path[64];
	const char	*good = "# c\n[250]\ntitle: One\nmeaning: a\n  b\n"
	    "\tc\n\n[X.1.1]\ntitle: T\n";
	FILE		*f;

	ok(kb_load_text(kb, "t", good, strlen(good), &cause) == 0,
	    "good text loads");
	is_str(kb_get(kb, "250", "meaning"), "a b c", "continuations joined");
	ok(kb_load_text(kb, "t", "[250]\ntitle: Two\n", 16, &cause) == 0,
	    "override loads");
	is_str(kb_get(kb, "250", "title"), "Two", "field overridden");
	is_str(kb_get(kb, "250", "meaning"), "a b c", "others kept");

	ok(kb_load_text(kb, "bad.kb", "title: x\n", 9, &cause) == -1 &&
	    cause != NULL && strstr(cause, "bad.kb:1") != NULL,
	    "field before a stanza: error names file and line");
	free(cause);
	cause = NULL;
	ok(kb_load_text(kb, "bad.kb", "[250]\nnocolon\n", 14, &cause) == -1 &&
	    strstr(cause, "bad.kb:2") != NULL, "missing colon refused");
	free(cause);
	cause = NULL;
	ok(kb_load_text(kb, "bad.kb", "[250\n", 5, &cause) == -1,
	    "bad header refused");
	free(cause);
	cause = NULL;

	/* Fuzzer finds: an empty file, and a pattern regcomp chokes on. */
	{
		struct kb	*e = kb_new_empty();

		ok(kb_load_text(e, "empty", "", 0, &cause) == 0 &&
		    kb_get(e, "250", "title") == NULL, "an empty file loads");
		ok(kb_load_text(e, "bad", "[pattern x]\nmatch: a+++++++++\n",
		    29, &cause) == 0, "a costly pattern loads as text");
		ok(kb_compile(e, &cause) == -1 && cause != NULL &&
		    strstr(cause, "refused") != NULL,
		    "but is refused before regcomp: %s", cause);
		free(cause);
		cause = NULL;
		kb_free(e);
	}
	/* Patterns compiled on first use: a bad one never matches. */
	{
		struct kb	*e = kb_new_empty();
		const char	*t = "[pattern bad]\nmatch: a[b\ncodes: 550\n"
		    "[pattern good]\nmatch: no such user\ncodes: 550\n";
		struct match_hit h[MATCH_HITS_MAX];

		ok(kb_load_text(e, "lazy", t, strlen(t), &cause) == 0,
		    "patterns load without compiling");
		ok(match_reply(kb_match(e), 550, NULL, "No such user here",
		    17, h, MATCH_HITS_MAX) == 1 && strcmp(h[0].name, "good") ==
		    0, "the good pattern matches, the bad one is skipped");
		ok(match_reply(kb_match(e), 550, NULL, "", 0, h,
		    MATCH_HITS_MAX) == 0, "no text, no match");
		ok(kb_compile(e, &cause) == -1 && cause != NULL &&
		    strstr(cause, "pattern bad") != NULL,
		    "compiling now names the bad one: %s", cause);
		free(cause);
		cause = NULL;
		kb_free(e);
	}
	/* Every bad expression is named, a line each, with its field. */
	{
		struct kb	*e = kb_new_empty();
		const char	*t = "[pattern one]\nmatch: a[b\n"
		    "[pattern fine]\nmatch: ok\n"
		    "[pattern two]\nmatch: (x\n"
		    "[pattern none]\ncodes: 550\n"
		    "[server s]\ngreeting: b[\nwording: c+++++++++\n";
		const char	*p;
		int		 lines;

		ok(kb_load_text(e, "many", t, strlen(t), &cause) == 0,
		    "five stanzas, four of them bad, load as text");
		ok(kb_compile(e, &cause) == -1 && cause != NULL,
		    "compiling them fails");
		lines = 0;
		for (p = cause; p != NULL && (p = strchr(p, '\n')) != NULL;
		    p++)
			lines++;
		ok(lines == 4 && strstr(cause, "[pattern one]: match: ") &&
		    strstr(cause, "[pattern two]: match: ") &&
		    strstr(cause, "[pattern none]: match: missing") &&
		    strstr(cause, "[server s]: greeting: ") &&
		    strstr(cause, "[server s]: wording: refused: ") &&
		    strstr(cause, "fine") == NULL,
		    "each one is named, a line each, with its field: %s",
		    cause);
		free(cause);
		cause = NULL;
		kb_free(e);
	}

	/*
	 * Costly expressions are refused or bounded; the watchdog turns a
	 * freeze into a failure.  With regcomp()/regexec() the first took
	 * 1.4 GB and 3 s to compile, the second over 20 s to match these 120
	 * bytes.
	 */
	{
		struct kb	*e = kb_new_empty();
		const char	*t = "[pattern nested]\n"
		    "match: ((((a{1,255}){1,255}){1,9}))\ncodes: 550\n"
		    "[pattern backref]\nmatch: (a*)*(a*)*\\1\\2x\ncodes: 550\n"
		    "[pattern backtrack]\nmatch: ^(a|aa)*c\ncodes: 550\n"
		    "[pattern fine]\nmatch: ^a+$\ncodes: 550\n";
		struct match_hit h[MATCH_HITS_MAX];
		char		 text[1024];
		size_t		 n;

		alarm(20);
		ok(kb_load_text(e, "costly", t, strlen(t), &cause) == 0,
		    "costly expressions load as text");
		memset(text, 'a', 120);
		n = match_reply(kb_match(e), 550, NULL, text, 120, h,
		    MATCH_HITS_MAX);
		ok(n == 1 && strcmp(h[0].name, "fine") == 0,
		    "120 bytes crafted against them: only the fine one matches");
		memset(text, 'a', sizeof text);
		memcpy(text + sizeof text - 2, "bc", 2);
		ok(match_reply(kb_match(e), 550, NULL, text, sizeof text, h,
		    MATCH_HITS_MAX) == 0,
		    "1 KiB of backtracking bait: no match, within the limit");
		ok(kb_compile(e, &cause) == -1 && cause != NULL &&
		    strstr(cause, "[pattern nested]: match: refused: compiles "
		    "to ") != NULL && strstr(cause, "[pattern backref]: match: "
		    "refused: a backslash before a letter or digit") != NULL &&
		    strstr(cause, "backtrack") == NULL && strstr(cause,
		    "fine") == NULL, "the lint names the two refused: %s",
		    cause);
		alarm(0);
		free(cause);
		cause = NULL;
		kb_free(e);
	}
	/*
	 * The expressions keep their POSIX meaning: what PCRE2 reads
	 * otherwise is rewritten or refused.
	 */
	{
		static const struct {
			const char	*expr;
			const char	*text;
			int		 match;	/* -1: refused */
		} cases[] = {
			{ "[\\.]x", "\\x", 1 },		/* \ in brackets */
			{ "[\\.]x", ".x", 1 },
			{ "[]a]b", "]b", 1 },
			{ "[^]a]b", "]b", 0 },
			{ "a[[:space:]]b", "A\tB", 1 },	/* classes, case */
			{ "[[:upper:]]x", "ax", 1 },
			{ "A.B", "a\nb", 1 },		/* . is any byte */
			{ "a$", "a\n", 0 },		/* $ only the end */
			{ "^b", "a b", 0 },
			{ "x{,2}y$", "xxy", 1 },	/* {,n} is {0,n} */
			{ "^x{,2}y", "xxxy", 0 },
			{ "a{2}", "a", 0 },
			{ "caf\xc3\xa9", "CAF\xc3\xa9", 1 },	/* bytes */
			{ "\\(x\\)", "(x)", 1 },
			{ "a|", "zzz", 1 },
			{ "\\d", "d", -1 },		/* Perl's, not POSIX */
			{ "\\bx", "x", -1 },
			{ "(a)\\1", "aa", -1 },		/* back-reference */
			{ "(?i)x", "x", -1 },
			{ "(*LIMIT_MATCH=9)x", "x", -1 },
			{ "a*?", "a", -1 },
			{ "a++", "a", -1 },
			{ "*a", "a", -1 },
			{ "x{", "x{", -1 },
			{ "x{3,1}", "x", -1 },
			{ "x{256}", "x", -1 },
			{ "[[.a.]]", "a", -1 },
			{ "x[[:alpha:", "x", -1 },	/* read past the end */
			{ "x[[:", "x", -1 },
			{ "x[ab", "x", -1 },
			{ "a\\", "a", -1 },
			{ "a)", "a)", 1 },		/* glibc's reading */
		};
		struct kb	*e;
		struct buf	 b;
		size_t		 i;
		int		 bad = 0, got;

		buf_init(&b, 0);
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			e = kb_new_empty();
			buf_reset(&b);
			buf_printf(&b, "[pattern t]\nmatch: %s\n",
			    cases[i].expr);
			kb_load_text(e, "one", b.data, b.len, &cause);
			if (kb_compile(e, &cause) == -1)
				got = -1;
			else
				got = match_pattern_text(kb_match(e), 0,
				    cases[i].text);
			if (got != cases[i].match) {
				diag("%s on \"%s\": %d, want %d (%s)",
				    cases[i].expr, cases[i].text, got,
				    cases[i].match, cause != NULL ? cause : "");
				bad++;
			}
			free(cause);
			cause = NULL;
			kb_free(e);
		}
		buf_release(&b);
		is_int(bad, 0, "POSIX meaning kept, Perl syntax refused");
	}

	/* Many stanzas, over several files: each found, later files win. */
	{
		struct kb	*e = kb_new_empty();
		struct buf	 b;
		char		 key[32], want[32];
		int		 i, bad = 0;

		buf_init(&b, 0);
		for (i = 0; i < 5000; i++)
			buf_printf(&b, "[k%d]\ntitle: one %d\n", i, i);
		kb_load_text(e, "one", b.data, b.len, &cause);
		buf_reset(&b);
		for (i = 0; i < 5000; i += 2)
			buf_printf(&b, "[k%d]\ntitle: two %d\n", i, i);
		for (i = 5000; i < 6000; i++)
			buf_printf(&b, "[k%d]\ntitle: two %d\n", i, i);
		kb_load_text(e, "two", b.data, b.len, &cause);
		for (i = 0; i < 6000; i++) {
			snprintf(key, sizeof key, "k%d", i);
			snprintf(want, sizeof want, "%s %d", i % 2 == 0 ||
			    i >= 5000 ? "two" : "one", i);
			if (kb_get(e, key, "title") == NULL ||
			    strcmp(kb_get(e, key, "title"), want) != 0)
				bad++;
		}
		ok(bad == 0 && kb_count(e) == 6000 && kb_get(e, "k6000",
		    "title") == NULL, "6000 stanzas over two files found "
		    "(%d wrong)", bad);
		buf_release(&b);
		kb_free(e);
	}
	/*
	 * 200,000 repeated fields in one stanza, twice over two files (the
	 * second replacing the first): linear work, well inside the watchdog,
	 * where adding each field used to look through all the others (211k
	 * fields took 91 s).  bench/README.md has the time.
	 */
	{
		struct kb	*e = kb_new_empty();
		struct buf	 b;
		const char	*v;
		int		 i;

		buf_init(&b, 0);
		buf_printf(&b, "[many]\nkeep: one\n");
		for (i = 0; i < 200000; i++)
			buf_printf(&b, "sample: a%d\n", i);
		alarm(30);
		ok(kb_load_text(e, "one", b.data, b.len, &cause) == 0 &&
		    kb_nfields(e, 0) == 200001, "200,000 fields load");
		buf_reset(&b);
		buf_printf(&b, "[many]\n");
		for (i = 0; i < 200000; i++)
			buf_printf(&b, "sample: b%d\nnote: n%d\n", i, i);
		ok(kb_load_text(e, "two", b.data, b.len, &cause) == 0 &&
		    kb_nfields(e, 0) == 400001, "400,000 more replace them");
		alarm(0);
		v = kb_get_nth(e, "many", "sample", 0);
		ok(v != NULL && strcmp(v, "b0") == 0 && (v = kb_get(e, "many",
		    "sample")) != NULL && strcmp(v, "b199999") == 0 &&
		    (v = kb_get(e, "many", "keep")) != NULL && strcmp(v,
		    "one") == 0, "the later file's values win, the others stay");
		buf_release(&b);
		kb_free(e);
	}
	ok(kb_load_file(kb, "/nonexistent/x.kb", &cause) == -1 &&
	    strstr(cause, "No such file") != NULL, "missing file explained");
	free(cause);
	cause = NULL;

	ok(mkdtemp(dir) != NULL, "temporary directory");
	snprintf(path, sizeof path, "%s/local.kb", dir);
	f = fopen(path, "w");
	fputs("[299]\ntitle: Site special\n", f);
	fclose(f);
	ok(kb_load_dir(kb, dir, &cause) == 0, "directory loads");
	is_str(kb_get(kb, "299", "title"), "Site special", "file extends");
	unlink(path);
	rmdir(dir);
	kb_free(kb);
}

int
main(void)
{
	struct kb	*kb = kb_new();

	ok(kb_count(kb) > 100, "embedded knowledge base loaded (%zu stanzas)",
	    kb_count(kb));
	test_complete(kb);
	test_explain(kb);
	test_loader();
	kb_free(kb);
	return (done_testing());
}
