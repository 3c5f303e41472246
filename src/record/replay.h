/* SPDX-License-Identifier: ISC */
/*
 * Replaying a recorded SMTP transcript (--replay FILE): the transcript is
 * parsed once and turned into the event stream a live session would have
 * produced, so the front ends render it unchanged and can step through it.
 *
 * Formats read (recognised from the first meaningful lines):
 *	"smtpscope log"		our --log transcript
 *				(src/record/transcript.c)
 *	"smtpscope output"	our line-mode output (src/plain/plain.c),
 *				with or without --timestamps
 *	"swaks"			swaks' output ("<-", " ->", "~>" marks)
 *	"C:/S: log"		"C: EHLO x" / "S: 250 ok", "#" comments
 * Lines that fit none are reported (line number and reason) and skipped;
 * everything else is kept.  Secrets never reach an event: AUTH initial
 * responses and every answer to a 334 are masked even when the transcript
 * has them in clear.  No I/O apart from replay_load() reading the file.
 */
#ifndef REPLAY_H
#define REPLAY_H

#include <stddef.h>

#include "smtp/session.h"

struct replay;

/*
 * Read and parse path.  Returns a replay (free it with replay_free()), or
 * NULL with *cause set (the caller frees it) only when the file cannot be
 * read; a file that parses badly still gives a replay with problems.
 */
struct replay	*replay_load(const char *, char **);
/*
 * Parse len bytes of text; name is used in problem reports.  Never NULL;
 * the text is copied as needed and may be freed afterwards.
 */
struct replay	*replay_parse(const char *, const char *, size_t);
/* Free a replay and everything it owns; NULL is allowed. */
void		 replay_free(struct replay *);
/*
 * The format recognised: "smtpscope log", "smtpscope output", "swaks",
 * "C:/S: log", or "unknown" when no line fitted any.  Static string.
 */
const char	*replay_format(const struct replay *);
/* The name given to replay_parse() (the path for replay_load()). */
const char	*replay_name(const struct replay *);

/*
 * Lines that could not be parsed: their count, and problem i's line number
 * (1-based, through *line) and reason.  The reason is borrowed: valid until
 * replay_free().  Returns NULL when i is out of range.
 */
size_t		 replay_nproblems(const struct replay *);
const char	*replay_problem(const struct replay *, size_t, size_t *);

/*
 * Steps: step 0 is everything up to and including the greeting (or the
 * first reply); each later step is the client lines up to and including
 * the next complete server reply (pipelined commands: each reply is its own
 * step).  Whatever follows the last reply belongs to the last step.  A
 * transcript without any reply has one step if it has any event, else 0.
 */
size_t		 replay_steps(const struct replay *);
/*
 * Emit, through cb, the events of steps [0, upto) in order, exactly as a
 * live session reports them: SESSION_EV_SENT, _LINE, _REPLY, _NOTICE and
 * _WARNING (a TLS boundary is a NOTICE "---- TLS started ... ----": no
 * struct tls_info exists).  Every pointer in an event (reply, text, verb,
 * command, decoded, data) is owned by the replay and valid only during the
 * callback.  upto may be larger than replay_steps().
 */
void		 replay_run(const struct replay *, size_t, session_cb *,
		    void *);
/*
 * The time of step i's reply in milliseconds since the epoch, or 0 when
 * the format has no times (or i is out of range).  Line-mode output with
 * --timestamps has only the local time of day: it is read as that local
 * time on 2000-01-01 (and the days after, past each midnight), so that
 * localtime() shows it as it was printed.
 */
long long	 replay_step_time(const struct replay *, size_t);

/*
 * Undo text_escape(): \\ \t \r \n \e \xHH \uHHHH (as UTF-8).  An unknown
 * or malformed escape is kept as it is.  Returns a new NUL-terminated
 * string (the caller frees it) and its length through *outlen.
 */
char		*replay_unescape(const char *, size_t, size_t *);

#endif
