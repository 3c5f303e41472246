/* SPDX-License-Identifier: ISC */
/*
 * EHLO capabilities (RFC 5321 4.1.1.1): the keywords a server lists in the
 * lines after the first of its 250 reply to EHLO, with their parameters.
 */
#ifndef CAPS_H
#define CAPS_H

#include <stddef.h>

struct reply;

#define CAPS_KEYWORDS_MAX	256

struct caps_keyword {
	char	*name;		/* upper-cased keyword, e.g. "SIZE" */
	char	*params;	/* the rest of the line, "" when none */
};

struct caps {
	int			 valid;		/* set after a 250 to EHLO */
	struct caps_keyword	 kw[CAPS_KEYWORDS_MAX];
	size_t			 n;
	size_t			 dropped;	/* keywords past the cap */
	unsigned long long	 size;		/* SIZE parameter, 0 if none */
	int			 has_size;
};

void	caps_init(struct caps *);
/* Forget everything (after STARTTLS, RFC 3207 4.2). */
void	caps_clear(struct caps *);
/* Parse a 250 reply to EHLO, replacing what was known before. */
void	caps_parse(struct caps *, const struct reply *);
/* Make dst (initialised, emptied first) a deep copy of src. */
void	caps_copy(struct caps *, const struct caps *);
/* Return the keyword entry for name (case-insensitive), or NULL. */
const struct caps_keyword *caps_find(const struct caps *, const char *);
int	caps_has(const struct caps *, const char *);
/* Is mechanism mech listed after AUTH? */
int	caps_has_auth(const struct caps *, const char *);

#endif
