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
};

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
/* Explain a parsed reply, adding notes for its flags. */
void		 explain_reply(const struct kb *, const struct reply *,
		    const char *, struct explanation *);

#endif
