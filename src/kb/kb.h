/* SPDX-License-Identifier: ISC */
/*
 * The knowledge base: human-editable stanza files (data/NAME.kb) holding what
 * smtpscope knows about reply codes, enhanced status codes and commands.
 * A copy is embedded in the binary at build time; files on disk loaded
 * later extend it or override single fields of existing entries.
 *
 * File format (documented for editors in smtpscope(1), KNOWLEDGE BASE):
 *	# comment
 *	[KEY]
 *	field: value
 *	  continuation of the value (joined with one space)
 */
#ifndef KB_H
#define KB_H

#include <stddef.h>

struct kb_embedded {
	const char	*name;		/* file name, e.g. "replies.kb" */
	const char	*text;
	size_t		 len;
};
/* Generated from data/ by build-aux/embed.sh; ends with a NULL name. */
extern const struct kb_embedded kb_embedded[];

struct kb;

/* Create a knowledge base holding the embedded copy. */
struct kb	*kb_new(void);
/* Create an empty knowledge base (for tests). */
struct kb	*kb_new_empty(void);
void		 kb_free(struct kb *);
/*
 * Load stanzas from text; name is used in error messages.  Returns 0, or -1
 * with *cause set (the caller frees it) naming the file and line.
 */
int		 kb_load_text(struct kb *, const char *, const char *, size_t,
		    char **);
/* Load one file. */
int		 kb_load_file(struct kb *, const char *, char **);
/* Load every *.kb file in a directory, in name order. */
int		 kb_load_dir(struct kb *, const char *, char **);
/*
 * Return the value of field in the stanza key, or NULL.  The string is
 * borrowed: valid until kb_free().
 */
const char	*kb_get(const struct kb *, const char *, const char *);
/* Value number n of a repeated field (0 is the first), or NULL. */
const char	*kb_get_nth(const struct kb *, const char *, const char *,
		    size_t);
/* The field in a language ("zh_CN"), falling back to English. */
const char	*kb_get_lang(const struct kb *, const char *, const char *,
		    const char *);
/* The file a stanza came from (last load touching it), or NULL. */
const char	*kb_origin(const struct kb *, const char *);
/* Order in which a stanza first appeared across the loads (0 if none). */
size_t		 kb_seq(const struct kb *, const char *);
/* Stanza headers given twice in one file (the lint wants 0). */
size_t		 kb_duplicates(const struct kb *);
struct match;
/* Compiled patterns and server signatures; built on first use. */
const struct match *kb_match(const struct kb *);
/*
 * Compile them now: returns -1 and sets *cause (caller frees) naming the
 * first pattern that does not compile; the others still work.
 */
int		 kb_compile(struct kb *, char **);
/* Does a stanza with this key exist? */
int		 kb_has(const struct kb *, const char *);
/* Number of stanzas, and the key and field list of stanza i (for tests). */
size_t		 kb_count(const struct kb *);
const char	*kb_key(const struct kb *, size_t);
size_t		 kb_nfields(const struct kb *, size_t);
const char	*kb_field_name(const struct kb *, size_t, size_t);

#endif
