/* SPDX-License-Identifier: ISC */
/*
 * Explaining replies: combine the knowledge base with what the reply parser
 * found (code, enhanced code, flags) and the command the reply answers.
 * All strings in a struct explanation are borrowed from the knowledge base
 * or static; they stay valid until kb_free().
 */
#ifndef EXPLAIN_H
#define EXPLAIN_H

#include <stddef.h>

struct kb;
struct reply;

/* Most notes one explanation carries. */
#define EXPLAIN_NOTES_MAX	12
/* Most wording patterns one explanation carries. */
#define EXPLAIN_HITS_MAX	3

/* What the session knows beyond the reply itself (all optional). */
#define EXPLAIN_CTX_UNSOLICITED	0x1	/* no command was waiting */
#define EXPLAIN_CTX_DATA_NO_RCPT 0x2	/* 354 though no RCPT was accepted */

struct explain_ctx {
	const char	*server;	/* recognised server key, or NULL */
	int		 enh_expected;	/* ENHANCEDSTATUSCODES advertised */
	unsigned	 flags;		/* EXPLAIN_CTX_* */
};

/* A wording pattern that matched the reply. */
struct explain_hit {
	const char	*name;
	const char	*title;
	const char	*advice;
	const char	*admin;		/* for the server's admin, or NULL */
	const char	*server;	/* the server's display name, or NULL */
	const char	*source;
};

struct explanation {
	int		 code;
	const char	*title;		/* short name, never NULL */
	const char	*class_name;	/* "2xx Positive Completion" */
	const char	*class_meaning;
	const char	*category;	/* second digit (RFC 5321 4.2.1) */
	const char	*meaning;	/* NULL when unknown */
	const char	*when;
	const char	*fix;
	const char	*source;
	int		 known;		/* the code is in the knowledge base */
	int		 nonstandard;	/* second digit above 5 */

	const char	*verb;		/* command answered, "" when none */
	const char	*context;	/* note for this code after verb */

	char		 enh[16];	/* "5.1.1" or "" */
	int		 enh_known;	/* detail found in the registry */
	const char	*enh_title;
	const char	*enh_meaning;
	const char	*enh_fix;
	const char	*enh_source;
	const char	*enh_class_title;
	const char	*enh_subject_title;

	const char	*notes[EXPLAIN_NOTES_MAX];	/* warnings from flags */
	size_t		 nnotes;

	struct explain_hit hits[EXPLAIN_HITS_MAX];	/* best first */
	size_t		 nhits;
	const char	*server_name;	/* the server behind the reply */
	const char	*server_about;
	const char	*server_docs;
};

/* Use language lang ("zh_CN", "vi"; NULL: English) for kb text. */
void		 explain_set_lang(const char *);
const char	*explain_lang(void);

/* Class name of a first digit: "2xx Positive Completion" etc., or NULL. */
const char	*explain_class_name(int);
/*
 * Normalise a command verb or name as typed ("rcpt", "Mail", ".", "connect",
 * "EHLO") to a knowledge-base context key; returns NULL when unknown.
 */
const char	*explain_verb(const char *);
/*
 * Explain code (with optional enhanced code "c.s.d", may be NULL) answering
 * verb (a key from explain_verb(), or NULL).
 */
void		 explain_code(const struct kb *, int, const char *,
		    const char *, struct explanation *);
/*
 * Explain a parsed reply answering verb: notes for its flags, wording
 * patterns from data/patterns.kb, what ctx (may be NULL) adds.
 */
void		 explain_reply(const struct kb *, const struct reply *,
		    const char *, const struct explain_ctx *,
		    struct explanation *);
/*
 * Recognise the server from a reply: a greeting (verb "CONNECT") by its
 * greeting signature, any reply by wording only that server uses.
 * Returns the server key, or NULL.
 */
const char	*explain_server(const struct kb *, const struct reply *,
		    const char *);
/*
 * Write the commands code has notes for into out ("VRFY EXPN", or "" when
 * none), for comparisons.
 */
void		 explain_after_verbs(const struct kb *, int, char *, size_t);
/*
 * Split "A B" for /compare: each side a code with an optional enhanced
 * code ("550 5.1.1 552"), or two sides separated by "," or " vs ".
 * Returns 0, or -1 when it does not read as two replies.
 */
int		 explain_split_pair(const char *, char *, size_t, char *,
		    size_t);
/*
 * What a session failure (enum session_fail) means and what to check:
 * title, meaning and fix in the current language; never NULL.
 */
void		 explain_failure(int, const char **, const char **,
		    const char **);
/* Display name of a server key, or NULL. */
const char	*explain_server_name(const struct kb *, const char *);

#endif
