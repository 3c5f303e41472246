/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the /compare argument parser (explain_split_pair in
 * src/kb/explain.c) and what both front ends (src/plain/plain.c, src/tui/tui.c)
 * do with its result: each side read as a reply line (reply_from_line), a
 * malformed side refused, two good ones explained with the embedded knowledge
 * base and laid side by side (format_compare).  The input is the argument as
 * typed: a C string, so it ends at the first NUL.  Built by tests/fuzz/run.sh.
 *
 * Checked: both sides are non-empty, without a leading or trailing blank,
 * and made of the argument's own bytes; the comparison names both codes and
 * is printable text (line ends allowed) whatever the argument held.
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

static struct kb	*kb;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	kb = kb_new();
	(void)kb_match(kb);	/* compile the patterns once, not per input */
	return (0);
}

/* Is every byte of side one of arg's? */
static int
from_arg(const char *side, const char *arg)
{
	for (; *side != '\0'; side++) {
		if (strchr(arg, *side) == NULL)
			return (0);
	}
	return (1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			 a[64], c[64], *arg, code[8];
	struct reply		*ra = NULL, *rc = NULL;
	struct explanation	 ea, ec;
	struct buf		 b;
	size_t			 n;

	arg = malloc(size + 1);
	FUZZ_CHECK(arg != NULL);
	memcpy(arg, data, size);
	arg[size] = '\0';

	memset(a, 'A', sizeof a);
	memset(c, 'C', sizeof c);
	if (explain_split_pair(arg, a, sizeof a, c, sizeof c) == -1) {
		free(arg);
		return (0);
	}
	FUZZ_CHECK(memchr(a, '\0', sizeof a) != NULL);
	FUZZ_CHECK(memchr(c, '\0', sizeof c) != NULL);
	FUZZ_CHECK(a[0] != '\0' && c[0] != '\0');
	FUZZ_CHECK(a[0] != ' ' && c[0] != ' ');
	n = strlen(a);
	FUZZ_CHECK(a[n - 1] != ' ' || n == sizeof a - 1);
	n = strlen(c);
	FUZZ_CHECK(c[n - 1] != ' ' || n == sizeof c - 1);
	FUZZ_CHECK(from_arg(a, arg) && from_arg(c, arg));

	/* As plain_compare() and the full screen do. */
	if ((ra = reply_from_line(a, strlen(a))) == NULL ||
	    (ra->flags & REPLY_F_MALFORMED) ||
	    (rc = reply_from_line(c, strlen(c))) == NULL ||
	    (rc->flags & REPLY_F_MALFORMED)) {
		reply_free(ra);
		reply_free(rc);
		free(arg);
		return (0);
	}
	FUZZ_CHECK(ra->code >= 200 && ra->code <= 599);
	FUZZ_CHECK(rc->code >= 200 && rc->code <= 599);
	explain_reply(kb, ra, NULL, NULL, &ea);
	explain_reply(kb, rc, NULL, NULL, &ec);
	FUZZ_CHECK(ea.code == ra->code && ec.code == rc->code);
	buf_init(&b, 0);
	format_compare(&b, kb, &ea, &ec);
	FUZZ_CHECK(b.len > 0 && b.data[b.len] == '\0');
	FUZZ_CHECK(strlen(b.data) == b.len);
	FUZZ_CHECK(fuzz_printable(b.data, b.len, "\n"));
	snprintf(code, sizeof code, "%03d ", ra->code);
	FUZZ_CHECK(strncmp(b.data, code, 4) == 0);
	snprintf(code, sizeof code, "%03d ", rc->code);
	FUZZ_CHECK(strstr(b.data, code) != NULL);
	buf_release(&b);

	reply_free(ra);
	reply_free(rc);
	free(arg);
	return (0);
}
