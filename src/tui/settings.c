/* SPDX-License-Identifier: ISC */
/*
 * The config file reader: lines of at most SETTINGS_LINE_MAX bytes, each
 * split into words at spaces and tabs.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tui/settings.h"

static int	settings_word(const char **, const char *, char *);

/*
 * Copy the next word of [*p, end) into w (SETTINGS_WORD_MAX + 1 bytes) and
 * move *p past it.  Returns 1, 0 when there is none, -1 when it is too long.
 */
static int
settings_word(const char **p, const char *end, char *w)
{
	const char	*s = *p, *e;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (e = s; e < end && *e != ' ' && *e != '\t'; e++)
		;
	*p = e;
	if (e == s)
		return (0);
	if ((size_t)(e - s) > SETTINGS_WORD_MAX)
		return (-1);
	memcpy(w, s, (size_t)(e - s));
	w[e - s] = '\0';
	return (1);
}

/* Parse one line. */
int
settings_line(const char *line, size_t len, struct settings_line *sl)
{
	const char	*p = line, *end = line + len;
	char		 first[SETTINGS_WORD_MAX + 1];
	int		 rc;

	memset(sl, 0, sizeof *sl);
	if (len > SETTINGS_LINE_MAX)
		return (SETTINGS_LONG);
	if (memchr(line, '\0', len) != NULL)
		return (SETTINGS_NUL);
	if ((rc = settings_word(&p, end, first)) == 0)
		return (SETTINGS_EMPTY);
	if (rc == 1 && first[0] == '#')
		return (SETTINGS_EMPTY);
	if (rc == -1)
		return (SETTINGS_BAD);
	if (strcasecmp(first, "set") == 0) {
		if (settings_word(&p, end, sl->name) != 1)
			return (SETTINGS_BAD);
	} else
		memcpy(sl->name, first, sizeof sl->name);
	if (settings_word(&p, end, sl->value) != 1) {
		memset(sl, 0, sizeof *sl);
		return (SETTINGS_BAD);
	}
	return (SETTINGS_SET);
}

/* Read the next setting or bad line. */
int
settings_read(FILE *f, unsigned int *lineno, struct settings_line *sl)
{
	char	line[SETTINGS_LINE_MAX + 1];
	size_t	len;
	int	c, rc, over;

	for (;;) {
		len = 0;
		over = 0;
		while ((c = getc(f)) != EOF && c != '\n') {
			if (len < sizeof line)
				line[len++] = (char)c;
			else
				over = 1;
		}
		if (c == EOF && len == 0)
			return (SETTINGS_EOF);
		(*lineno)++;
		if (!over && len > 0 && line[len - 1] == '\r')
			len--;
		if (over || len > SETTINGS_LINE_MAX) {
			memset(sl, 0, sizeof *sl);
			return (SETTINGS_LONG);
		}
		if ((rc = settings_line(line, len, sl)) != SETTINGS_EMPTY)
			return (rc);
	}
}
