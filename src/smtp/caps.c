/* SPDX-License-Identifier: ISC */
/*
 * EHLO capability parsing.  The keywords come from the server, so they are
 * bounded in number and length and kept only when they look like keywords
 * (RFC 5321 4.1.1.1: ALPHA or digit, then letters, digits and hyphens).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp/caps.h"
#include "smtp/reply.h"
#include "base/xmalloc.h"

#define CAPS_NAME_MAX	64
#define CAPS_PARAMS_MAX	512

/* Prepare an empty set. */
void
caps_init(struct caps *c)
{
	memset(c, 0, sizeof *c);
}

/* Forget all keywords. */
void
caps_clear(struct caps *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		free(c->kw[i].name);
		free(c->kw[i].params);
	}
	caps_init(c);
}

/* Copy a set. */
void
caps_copy(struct caps *dst, const struct caps *src)
{
	size_t	i;

	caps_clear(dst);
	*dst = *src;
	for (i = 0; i < src->n; i++) {
		dst->kw[i].name = xstrdup(src->kw[i].name);
		dst->kw[i].params = xstrdup(src->kw[i].params);
	}
}

/* Keywords the session acts on or explains; kept past the general cap. */
static const char *const caps_reserved[] = {
	"STARTTLS", "AUTH", "SIZE", "PIPELINING", "8BITMIME", "SMTPUTF8",
	"ENHANCEDSTATUSCODES", "CHUNKING", "BINARYMIME", "DSN", "VRFY",
	"EXPN", "HELP", "ETRN", "DELIVERBY", "MT-PRIORITY", "REQUIRETLS",
	"LIMITS", "FUTURERELEASE", "NO-SOLICITING", "BURL", "ATRN",
};
#define CAPS_RESERVED	(sizeof caps_reserved / sizeof caps_reserved[0])

static int
caps_known(const char *t, size_t nlen)
{
	size_t	i;

	for (i = 0; i < CAPS_RESERVED; i++)
		if (strlen(caps_reserved[i]) == nlen &&
		    strncasecmp(caps_reserved[i], t, nlen) == 0)
			return (1);
	return (0);
}

static const struct caps_keyword *
caps_findn(const struct caps *c, const char *t, size_t nlen)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		if (strlen(c->kw[i].name) == nlen &&
		    strncasecmp(c->kw[i].name, t, nlen) == 0)
			return (&c->kw[i]);
	return (NULL);
}

/* Parse the keyword lines of an EHLO reply. */
void
caps_parse(struct caps *c, const struct reply *r)
{
	const char	*t, *sp;
	size_t		 i, len, nlen, k;
	char		*name;
	int		 bad;

	caps_clear(c);
	if (r->code / 100 != 2)
		return;
	c->valid = 1;
	for (i = 1; i < r->nlines; i++) {
		t = reply_text(r, i, &len);
		while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t'))
			len--;
		if (len == 0)
			continue;
		sp = memchr(t, ' ', len);
		nlen = sp != NULL ? (size_t)(sp - t) : len;
		if (nlen == 0 || nlen > CAPS_NAME_MAX)
			continue;
		for (k = 0, bad = 0; k < nlen; k++)
			if (!isalnum((unsigned char)t[k]) && t[k] != '-' &&
			    t[k] != '_' && t[k] != '=')
				bad = 1;
		if (bad)
			continue;
		/*
		 * A server listing thousands of keywords must not push out
		 * the few we act on: the last slots are kept for those.
		 */
		if (c->n == CAPS_KEYWORDS_MAX || (c->n >= CAPS_KEYWORDS_MAX -
		    CAPS_RESERVED && (!caps_known(t, nlen) ||
		    caps_findn(c, t, nlen) != NULL))) {
			c->dropped++;
			continue;
		}
		name = xstrndup(t, nlen);
		for (k = 0; k < nlen; k++)
			name[k] = (char)toupper((unsigned char)name[k]);
		c->kw[c->n].name = name;
		if (sp != NULL) {
			while (sp < t + len && *sp == ' ')
				sp++;
			c->kw[c->n].params = xstrndup(sp, (size_t)(t + len -
			    sp) > CAPS_PARAMS_MAX ? CAPS_PARAMS_MAX :
			    (size_t)(t + len - sp));
		} else
			c->kw[c->n].params = xstrdup("");
		if (strcmp(name, "SIZE") == 0) {
			c->has_size = 1;
			c->size = strtoull(c->kw[c->n].params, NULL, 10);
		}
		c->n++;
	}
}

/* Find a keyword. */
const struct caps_keyword *
caps_find(const struct caps *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->kw[i].name, name) == 0)
			return (&c->kw[i]);
	return (NULL);
}

/* Is a keyword present? */
int
caps_has(const struct caps *c, const char *name)
{
	return (caps_find(c, name) != NULL);
}

/* Is an AUTH mechanism offered? */
int
caps_has_auth(const struct caps *c, const char *mech)
{
	const struct caps_keyword	*k;
	const char			*p, *e;
	size_t				 mlen = strlen(mech);

	if ((k = caps_find(c, "AUTH")) == NULL)
		return (0);
	for (p = k->params; *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		e = p;
		while (*e != '\0' && *e != ' ')
			e++;
		if ((size_t)(e - p) == mlen && strncasecmp(p, mech, mlen) == 0)
			return (1);
	}
	return (0);
}
