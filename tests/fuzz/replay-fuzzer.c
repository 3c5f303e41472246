/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the transcript reader (src/record/replay.c):
 * replay_parse on the input, every step run through a callback that reads
 * every field of every event, the problems listed; and replay_unescape,
 * which must undo text_escape exactly.  Built by tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "record/replay.h"
#include "smtp/reply.h"
#include "smtp/session.h"
#include "base/text.h"

#include "fuzz/fuzz-common.h"

static const char *const formats[] = {
	"unknown", "smtpscope log", "smtpscope output", "swaks", "C:/S: log"
};

struct seen {
	size_t		events;
	size_t		replies;
	size_t		touched;	/* bytes looked at, so nothing is skipped */
};

/* Read a string an event hands out (NULL allowed). */
static size_t
touch(const char *s)
{
	return (s != NULL ? strlen(s) : 0);
}

/* The event callback: every pointer is valid during the call. */
static void
on_event(void *arg, const struct session_event *ev)
{
	struct seen		*s = arg;
	const struct reply	*r;
	const char		*t;
	size_t			 i, len;

	s->events++;
	FUZZ_CHECK(ev->type == SESSION_EV_NOTICE ||
	    ev->type == SESSION_EV_WARNING || ev->type == SESSION_EV_SENT ||
	    ev->type == SESSION_EV_LINE || ev->type == SESSION_EV_REPLY);
	FUZZ_CHECK(ev->sec == SESSION_SEC_CLEAR ||
	    ev->sec == SESSION_SEC_TLS || ev->sec == SESSION_SEC_TLS_UNVERIFIED);
	FUZZ_CHECK((int)ev->phase >= 0 && ev->phase < SESSION_PHASE_LAST);
	FUZZ_CHECK(ev->tls == NULL);
	FUZZ_CHECK(ev->fail == SESSION_FAIL_NONE);
	s->touched += touch(ev->text) + touch(ev->verb) + touch(ev->command) +
	    touch(ev->decoded);
	if (ev->data != NULL) {
		/* data holds len bytes (NULs allowed), then a NUL. */
		for (i = 0; i < ev->len; i++)
			s->touched += (unsigned char)ev->data[i] != 0;
		FUZZ_CHECK(ev->data[ev->len] == '\0');
	} else
		FUZZ_CHECK(ev->len == 0);
	if (ev->verb != NULL)
		FUZZ_CHECK(*ev->verb != '\0');

	switch (ev->type) {
	case SESSION_EV_NOTICE:
	case SESSION_EV_WARNING:
	case SESSION_EV_SENT:
		FUZZ_CHECK(ev->text != NULL);
		FUZZ_CHECK(ev->reply == NULL);
		break;
	case SESSION_EV_LINE:
		FUZZ_CHECK(ev->data != NULL);
		FUZZ_CHECK(ev->len <= REPLY_LINE_MAX);
		FUZZ_CHECK(ev->code == 0 ||
		    (ev->code >= 200 && ev->code <= 599));
		break;
	case SESSION_EV_REPLY:
		r = ev->reply;
		FUZZ_CHECK(r != NULL);
		s->replies++;
		FUZZ_CHECK(r->nlines >= 1 && r->nlines <= REPLY_LINES_MAX);
		FUZZ_CHECK(r->code == 0 || (r->code >= 200 && r->code <= 599));
		for (i = 0; i < r->nlines; i++) {
			FUZZ_CHECK(r->lines[i].len <= REPLY_LINE_MAX);
			t = reply_text(r, i, &len);
			s->touched += len;
			FUZZ_CHECK(t[len] == '\0');
		}
		FUZZ_CHECK(ev->rtt_us >= -1);
		/* A decoded challenge is shown: it must be clean text. */
		if (ev->decoded != NULL)
			FUZZ_CHECK((text_classify(ev->decoded,
			    strlen(ev->decoded)) & (TEXT_CONTROL |
			    TEXT_BAD_UTF8 | TEXT_INVISIBLE)) == 0);
		break;
	default:
		break;
	}
}

/* text_escape then replay_unescape gives back the same bytes. */
static void
roundtrip(const uint8_t *data, size_t size)
{
	char	*esc, *back;
	size_t	 blen;

	esc = text_escape_dup((const char *)data, size);
	back = replay_unescape(esc, strlen(esc), &blen);
	FUZZ_CHECK(blen == size);
	FUZZ_CHECK(size == 0 || memcmp(back, data, size) == 0);
	free(back);
	free(esc);
	/* And unescaping anything at all is safe. */
	back = replay_unescape((const char *)data, size, &blen);
	FUZZ_CHECK(back[blen] == '\0');
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay	*r;
	struct seen	 all, more, none;
	const char	*f, *why;
	size_t		 steps, i, line, nlines = 1;
	int		 known = 0;

	for (i = 0; i < size; i++)
		nlines += data[i] == '\n';

	r = replay_parse("fuzz", (const char *)data, size);
	FUZZ_CHECK(r != NULL);
	FUZZ_CHECK(strcmp(replay_name(r), "fuzz") == 0);
	f = replay_format(r);
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
		known |= strcmp(f, formats[i]) == 0;
	FUZZ_CHECK(known);

	steps = replay_steps(r);
	memset(&all, 0, sizeof all);
	replay_run(r, steps, on_event, &all);
	/* Asking for more steps than there are changes nothing. */
	memset(&more, 0, sizeof more);
	replay_run(r, steps + 1, on_event, &more);
	FUZZ_CHECK(more.events == all.events && more.replies == all.replies);
	memset(&none, 0, sizeof none);
	replay_run(r, 0, on_event, &none);
	FUZZ_CHECK(none.events == 0);
	/* A transcript with events has steps; one step per reply. */
	if (all.events > 0)
		FUZZ_CHECK(steps >= 1);
	if (all.replies > 0)
		FUZZ_CHECK(steps == all.replies);
	for (i = 0; i <= steps; i++)
		(void)replay_step_time(r, i);

	for (i = 0; i < replay_nproblems(r); i++) {
		line = 0;
		why = replay_problem(r, i, &line);
		FUZZ_CHECK(why != NULL);
		(void)strlen(why);
		FUZZ_CHECK(line >= 1 && line <= nlines);
	}
	FUZZ_CHECK(replay_problem(r, replay_nproblems(r), &line) == NULL);
	replay_free(r);

	roundtrip(data, size);
	return (0);
}
