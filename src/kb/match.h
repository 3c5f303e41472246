/* SPDX-License-Identifier: ISC */
/*
 * Matching reply text against what the knowledge base knows about real
 * servers: data/patterns.kb (wording that means something specific, with
 * advice for the sender and for the admin of the server) and
 * data/servers.kb (how to recognise the MTA or provider behind a greeting
 * or a reply).  Patterns are POSIX extended regular expressions, matched
 * without regard to case against the reply's text: its lines without their
 * codes, joined by single spaces.  They run on PCRE2 within bounds on
 * their size and on the work of each match (past one, no match); what
 * PCRE2 would read otherwise (back-references, Perl's escapes) is
 * refused.  All data; no wording lives in C.
 */
#ifndef MATCH_H
#define MATCH_H

#include <stddef.h>

struct kb;
struct match;

/* Most patterns reported for one reply. */
#define MATCH_HITS_MAX	4

struct match_hit {
	const char	*name;		/* pattern name ("greylisting") */
	const char	*key;		/* its stanza key ("pattern greylisting") */
	int		 priority;
};

/*
 * Take every "[pattern NAME]" and "[server KEY]" stanza of kb.  With now
 * set, compile them all at once, so that bad expressions are found; else
 * each is compiled the first time a reply needs it.  Bad expressions are
 * skipped; *cause describes every one found, a line each ("[KEY]: FIELD:
 * why"; the caller frees it; NULL when none).  Never returns NULL.
 */
struct match	*match_new(const struct kb *, int, char **);
void		 match_free(struct match *);
/* Number of patterns and servers compiled. */
size_t		 match_npatterns(const struct match *);
size_t		 match_nservers(const struct match *);
/* Name of pattern i (for the lint). */
const char	*match_pattern_name(const struct match *, size_t);
/*
 * Patterns matching text for code answering verb (a context key, or NULL),
 * best first: by priority, then by order in the files.  Returns the count
 * (at most max) and fills hits; strings are borrowed from the kb.
 */
size_t		 match_reply(const struct match *, int, const char *,
		    const char *, size_t, struct match_hit *, size_t);
/* Does pattern i match text (ignoring its code and command filters)? */
int		 match_pattern_text(const struct match *, size_t, const char *);
/*
 * Recognise the server: from a greeting's text (greeting != 0) or from any
 * reply's wording.  Returns its key ("postfix") or NULL.
 */
const char	*match_server(const struct match *, const char *, size_t, int);
/* Join the text of a reply's lines (codes removed, NULs made spaces). */
struct reply;
char		*match_reply_text(const struct reply *);

#endif
