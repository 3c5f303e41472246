/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the practice server's engine (src/practice/practice.c):
 * the input is a client's side of one session, fed line by line through
 * practice_session_line() as practice-server.c frames it (a line ends at LF,
 * one CR before it is dropped, a line too long to keep is reported with
 * practice_session_overlong()).  Built by tests/fuzz/run.sh.
 *
 * The first byte picks the scenario, the second the options:
 *	0x01	STARTTLS offered (a handshake is taken to succeed)
 *	0x02	the client talks before the greeting (pregreet)
 *	0x04	the input up to the first NUL is an override script
 *	0x18	the client's address, one of four
 *	0x20	keep the greylist of the inputs before (so that the table
 *		fills and its eviction runs; otherwise each input starts
 *		from an empty one)
 * The rest is what the client sends.
 *
 * Checked: the session ends when it says so and never answers after;
 * without a script, every reply line is a three-digit code from 200 to 599
 * followed by a blank or '-', printable ASCII, at most 512 bytes with its
 * CRLF, and the lines of one reply share their code; a delay is in range.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "practice/practice.h"
#include "practice/practice-int.h"

#include "fuzz/fuzz-common.h"

/* As practice-server.c: longer lines are counted, not kept. */
#define FUZZ_LINE_MAX	16384

/* One server per scenario, with and without TLS, made once. */
static struct practice	*servers[PRACTICE_SC_LAST][2];

static const char *const peers[] = {
	"127.0.0.1", "192.0.2.25", "::1",
	"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
};

/* Make (once) the server for a scenario. */
static struct practice *
get_server(size_t sc, int tls)
{
	struct practice_config	 cfg;
	char			*cause = NULL;

	if (servers[sc][tls] == NULL) {
		memset(&cfg, 0, sizeof cfg);
		cfg.scenario = practice_scenarios()[sc];
		cfg.tls = tls;
		servers[sc][tls] = practice_new(&cfg, &cause);
		if (servers[sc][tls] == NULL) {
			fprintf(stderr, "practice_new: %s\n", cause);
			abort();
		}
	}
	return (servers[sc][tls]);
}

/* Check what one call appended to out (from off on). */
static void
check_replies(const struct buf *out, size_t off, int scripted)
{
	const char	*s = out->data + off, *end = out->data + out->len;
	const char	*nl;
	size_t		 n, i;
	int		 code = -1;

	if (scripted)
		return;
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		FUZZ_CHECK(nl != NULL);
		n = (size_t)(nl - s);
		FUZZ_CHECK(n >= 4 && s[n - 1] == '\r');
		FUZZ_CHECK(n + 1 <= 512);
		FUZZ_CHECK(s[0] >= '2' && s[0] <= '5');
		FUZZ_CHECK(s[1] >= '0' && s[1] <= '9');
		FUZZ_CHECK(s[2] >= '0' && s[2] <= '9');
		FUZZ_CHECK(s[3] == ' ' || s[3] == '-');
		for (i = 4; i < n - 1; i++)
			FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
		/* The lines of one reply carry one code. */
		if (code != -1)
			FUZZ_CHECK(memcmp(s, out->data + code, 3) == 0);
		code = s[3] == '-' ? (int)(s - out->data) : -1;
		s = nl + 1;
	}
	FUZZ_CHECK(code == -1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct practice		*p;
	struct practice_session	*s;
	struct practice_rule	*rules = NULL, *saved;
	struct buf		 out;
	const char		*in, *end, *nl, *z;
	size_t			 nrules = 0, nsaved, n, len, off;
	char			*cause = NULL;
	unsigned		 opts;
	int			 rv = PRACTICE_CONTINUE, scripted = 0;

	if (size < 2)
		return (0);
	p = get_server(data[0] % PRACTICE_SC_LAST, data[1] & 0x01);
	opts = data[1];
	in = (const char *)data + 2;
	end = (const char *)data + size;

	/* The script, if any, stands in for the server's own for now. */
	if ((opts & 0x04) && (z = memchr(in, '\0', (size_t)(end - in))) !=
	    NULL) {
		if (practice_rules_parse(in, (size_t)(z - in), "fuzz", &rules,
		    &nrules, &cause) != 0) {
			FUZZ_CHECK(cause != NULL);
			free(cause);
			return (0);
		}
		scripted = 1;
		in = z + 1;
	}
	saved = p->rules;
	nsaved = p->nrules;
	p->rules = rules;
	p->nrules = nrules;
	FUZZ_CHECK(p->ngreylist <= PRACTICE_GREYLIST_MAX);
	if (!(opts & 0x20)) {
		p->ngreylist = 0;
		p->greylist_uses = 0;
	}

	s = practice_session_new(p);
	practice_session_set_peer(s, peers[(opts >> 3) & 3]);
	buf_init(&out, 0);
	if (opts & 0x02) {
		rv = practice_session_pregreet(s, &out);
		FUZZ_CHECK(rv == PRACTICE_CONTINUE || rv == PRACTICE_CLOSE);
		FUZZ_CHECK(rv == PRACTICE_CLOSE || out.len == 0);
		check_replies(&out, 0, scripted);
	}
	if (rv != PRACTICE_CLOSE) {
		off = out.len;
		practice_session_greeting(s, &out);
		FUZZ_CHECK(out.len > off);
		check_replies(&out, off, scripted);
		FUZZ_CHECK(practice_session_delay(s) <= 3600 * 1000);
		if (practice_session_closing(s))
			rv = PRACTICE_CLOSE;
	}
	while (rv != PRACTICE_CLOSE && in < end) {
		if ((nl = memchr(in, '\n', (size_t)(end - in))) == NULL)
			break;	/* an unfinished line at EOF is dropped */
		n = (size_t)(nl - in);
		len = n > 0 && in[n - 1] == '\r' ? n - 1 : n;
		off = out.len;
		if (n > FUZZ_LINE_MAX)
			rv = practice_session_overlong(s, len, &out);
		else
			rv = practice_session_line(s, in, len, &out);
		FUZZ_CHECK(rv == PRACTICE_CONTINUE || rv == PRACTICE_STARTTLS ||
		    rv == PRACTICE_CLOSE);
		FUZZ_CHECK(out.len >= off);
		check_replies(&out, off, scripted);
		FUZZ_CHECK(practice_session_delay(s) <= 600000);
		in = nl + 1;
		if (rv == PRACTICE_STARTTLS) {
			/* No TLS context: the server gives up on the client. */
			if (p->ctx == NULL)
				break;
			practice_session_tls_started(s);
		}
		if (rv == PRACTICE_CONTINUE && practice_session_closing(s))
			rv = PRACTICE_CLOSE;
	}
	buf_release(&out);
	practice_session_free(s);

	p->rules = saved;
	p->nrules = nsaved;
	practice_rules_free(rules, nrules);
	return (0);
}
