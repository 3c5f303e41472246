/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the practice server's override-script parser
 * (practice_rules_parse in src/practice/practice.c, what --practice-script and
 * "set" scripts go through).  Built by tests/fuzz/run.sh.
 *
 * Checked: a failure names the script and a line that exists, in printable
 * text; a success gives rules a server can use: verbs as the parser
 * promises (upper case letters, digits and '-', or "."; settings in lower
 * case), one rule per verb and one setting per name, replies with their
 * length and code right, "reply" replies ending in CRLF, delays in range,
 * practice_rule_find() and practice_setting_find() finding them; and the
 * rules written back as a script (every byte of a reply as \xHH) parse to
 * the same rules.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "practice/practice.h"
#include "practice/practice-int.h"

#include "fuzz/fuzz-common.h"

/* A server only to hold rules for the look-ups (it is large: static). */
static struct practice	fake;

/* Is verb one a rule may name? */
static int
verb_ok(const char *v)
{
	size_t	i, n = strlen(v);

	if (strcmp(v, ".") == 0)
		return (1);
	if (n == 0 || n > 32)
		return (0);
	for (i = 0; i < n; i++) {
		if (!((v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '-'))
			return (0);
	}
	return (1);
}

/* Write the rules (not the settings) back as a script. */
static void
write_back(struct buf *b, const struct practice_rule *rules, size_t n)
{
	const struct practice_rule	*r;
	size_t				 i, j, len;

	for (i = 0; i < n; i++) {
		r = &rules[i];
		if (r->setting)
			continue;
		if (r->reply != NULL) {
			len = r->reply_len - (r->raw ? 0 : 2);
			buf_printf(b, "%s %s ", r->raw ? "reply-raw" : "reply",
			    r->verb);
			for (j = 0; j < len; j++)
				buf_printf(b, "\\x%02x",
				    (unsigned char)r->reply[j]);
			buf_addch(b, '\n');
		}
		if (r->close_after)
			buf_printf(b, "close-after %s\n", r->verb);
		if (r->has_delay)
			buf_printf(b, "  delay\t%s %u  \r\n", r->verb,
			    r->delay_ms);
	}
}

/* The non-setting rules of a and b are the same, in the same order. */
static void
same_rules(const struct practice_rule *a, size_t na,
    const struct practice_rule *b, size_t nb)
{
	size_t	i = 0, j = 0;

	for (;;) {
		while (i < na && a[i].setting)
			i++;
		while (j < nb && b[j].setting)
			j++;
		if (i == na || j == nb)
			break;
		/* A rule with nothing in it is not written back. */
		if (a[i].reply == NULL && !a[i].close_after &&
		    !a[i].has_delay) {
			i++;
			continue;
		}
		FUZZ_CHECK(strcmp(a[i].verb, b[j].verb) == 0);
		FUZZ_CHECK((a[i].reply == NULL) == (b[j].reply == NULL));
		if (a[i].reply != NULL) {
			FUZZ_CHECK(a[i].reply_len == b[j].reply_len);
			FUZZ_CHECK(memcmp(a[i].reply, b[j].reply,
			    a[i].reply_len) == 0);
			FUZZ_CHECK(a[i].raw == b[j].raw);
			FUZZ_CHECK(a[i].reply_code == b[j].reply_code);
		}
		FUZZ_CHECK(a[i].close_after == b[j].close_after);
		FUZZ_CHECK(a[i].has_delay == b[j].has_delay);
		FUZZ_CHECK(a[i].delay_ms == b[j].delay_ms);
		i++;
		j++;
	}
	while (i < na && (a[i].setting || (a[i].reply == NULL &&
	    !a[i].close_after && !a[i].has_delay)))
		i++;
	FUZZ_CHECK(i == na && j == nb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct practice_rule	*rules = NULL, *again = NULL, *r;
	size_t			 nrules = 0, nagain = 0, i, j, lines = 1;
	struct buf		 b;
	char			*cause = NULL, *end;
	unsigned long		 line;
	int			 code;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (practice_rules_parse((const char *)data, size, "fuzz", &rules,
	    &nrules, &cause) != 0) {
		FUZZ_CHECK(cause != NULL);
		FUZZ_CHECK(strncmp(cause, "fuzz:", 5) == 0);
		line = strtoul(cause + 5, &end, 10);
		FUZZ_CHECK(*end == ':' && line >= 1 && line <= lines);
		FUZZ_CHECK(fuzz_printable(cause, strlen(cause), NULL));
		free(cause);
		return (0);
	}
	FUZZ_CHECK(nrules == 0 || rules != NULL);

	fake.rules = rules;
	fake.nrules = nrules;
	for (i = 0; i < nrules; i++) {
		r = &rules[i];
		FUZZ_CHECK(r->verb != NULL);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(r->setting != rules[j].setting ||
			    strcmp(r->verb, rules[j].verb) != 0);
		if (r->setting) {
			for (j = 0; r->verb[j] != '\0'; j++)
				FUZZ_CHECK((r->verb[j] >= 'a' &&
				    r->verb[j] <= 'z') || r->verb[j] == '-');
			FUZZ_CHECK(r->reply == NULL);
			FUZZ_CHECK(r->line >= 1 && r->line <= lines);
			FUZZ_CHECK(practice_setting_find(&fake, r->verb) == r);
			FUZZ_CHECK(practice_rule_find(&fake, r->verb) == NULL ||
			    !practice_rule_find(&fake, r->verb)->setting);
			if (r->text != NULL)
				FUZZ_CHECK(strcmp(r->verb, "cert") == 0 ||
				    strcmp(r->verb, "key") == 0);
			continue;
		}
		FUZZ_CHECK(verb_ok(r->verb));
		FUZZ_CHECK(practice_rule_find(&fake, r->verb) == r);
		FUZZ_CHECK(r->text == NULL);
		FUZZ_CHECK(r->delay_ms <= 600000);
		FUZZ_CHECK(r->has_delay || r->delay_ms == 0);
		if (r->reply == NULL) {
			FUZZ_CHECK(r->reply_len == 0 && r->reply_code == 0);
			continue;
		}
		FUZZ_CHECK(r->reply_len >= 1);
		FUZZ_CHECK(r->reply[r->reply_len] == '\0');
		if (!r->raw)
			FUZZ_CHECK(r->reply_len >= 3 && memcmp(r->reply +
			    r->reply_len - 2, "\r\n", 2) == 0);
		code = 0;
		if (r->reply_len >= 3 && r->reply[0] >= '1' &&
		    r->reply[0] <= '9' && r->reply[1] >= '0' &&
		    r->reply[1] <= '9' && r->reply[2] >= '0' &&
		    r->reply[2] <= '9')
			code = (r->reply[0] - '0') * 100 +
			    (r->reply[1] - '0') * 10 + (r->reply[2] - '0');
		FUZZ_CHECK(r->reply_code == code);
	}

	/* Written back and read again: the same rules. */
	buf_init(&b, 0);
	write_back(&b, rules, nrules);
	if (practice_rules_parse(b.data, b.len, "again", &again, &nagain,
	    &cause) != 0) {
		fprintf(stderr, "written back: %s\n", cause);
		FUZZ_CHECK(!"the rules written back parse");
	}
	same_rules(rules, nrules, again, nagain);
	practice_rules_free(again, nagain);
	buf_release(&b);

	fake.rules = NULL;
	fake.nrules = 0;
	practice_rules_free(rules, nrules);
	return (0);
}
