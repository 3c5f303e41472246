/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the config file reader (src/tui/settings.c).  The input
 * is a whole config file, read through fmemopen() as the full screen reads
 * ~/.config/smtpscope/config; every line is also parsed alone.  Checks: a
 * setting's name and value are non-empty words within their bounds, line
 * numbers only grow and stop at the number of lines, and no line over
 * SETTINGS_LINE_MAX bytes ever gives a setting.  Built by tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/settings.h"

#include "fuzz/fuzz-common.h"

/* Check what a setting holds. */
static void
check_setting(const struct settings_line *sl)
{
	size_t	n;

	n = strlen(sl->name);
	FUZZ_CHECK(n > 0 && n <= SETTINGS_WORD_MAX);
	FUZZ_CHECK(strpbrk(sl->name, " \t\n") == NULL);
	n = strlen(sl->value);
	FUZZ_CHECK(n > 0 && n <= SETTINGS_WORD_MAX);
	FUZZ_CHECK(strpbrk(sl->value, " \t\n") == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*p = (const char *)data, *end = p + size, *nl;
	struct settings_line	 sl;
	unsigned int		 lineno = 0, last = 0, lines = 0, i;
	size_t			 n;
	FILE			*f;
	int			 rc;
	unsigned char		*longs;

	/* Each line alone; note which are too long. */
	longs = calloc(size + 1, 1);
	FUZZ_CHECK(longs != NULL);
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		lines++;
		rc = settings_line(p, n, &sl);
		if (rc == SETTINGS_SET)
			check_setting(&sl);
		else
			FUZZ_CHECK(sl.name[0] == '\0' && sl.value[0] == '\0');
		FUZZ_CHECK(rc == SETTINGS_SET || rc == SETTINGS_EMPTY ||
		    rc == SETTINGS_BAD || rc == SETTINGS_LONG ||
		    rc == SETTINGS_NUL);
		if (n > SETTINGS_LINE_MAX + 1 || (n == SETTINGS_LINE_MAX + 1 &&
		    p[n - 1] != '\r'))
			longs[lines] = 1;
		if (nl == end)
			break;
		p = nl + 1;
	}

	if (size == 0 || (f = fmemopen((void *)data, size, "r")) == NULL) {
		free(longs);
		return (0);
	}
	for (i = 0; i < 4 * (size + 1); i++) {
		rc = settings_read(f, &lineno, &sl);
		if (rc == SETTINGS_EOF)
			break;
		FUZZ_CHECK(lineno > last && lineno <= lines);
		last = lineno;
		if (longs[lineno])
			FUZZ_CHECK(rc == SETTINGS_LONG);
		if (rc == SETTINGS_SET)
			check_setting(&sl);
		else
			FUZZ_CHECK(rc == SETTINGS_BAD || rc == SETTINGS_LONG ||
			    rc == SETTINGS_NUL);
	}
	FUZZ_CHECK(rc == SETTINGS_EOF);
	FUZZ_CHECK(settings_read(f, &lineno, &sl) == SETTINGS_EOF);
	fclose(f);
	free(longs);
	return (0);
}
