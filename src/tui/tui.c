/* SPDX-License-Identifier: ISC */
/*
 * The full-screen front end's loop and behaviour: session events become
 * dialogue lines and explanations, keys move focus, scroll, select and
 * search, / commands and settings are carried out.  One poll() loop serves
 * the keyboard, the connection, signals and timers; drawing happens once
 * per iteration in ui_flush().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "base/b64.h"
#include "base/buf.h"
#include "smtp/caps.h"
#include "front/cmd.h"
#include "kb/explain.h"
#include "kb/format.h"
#include "base/i18n.h"
#include "kb/kb.h"
#include "base/log.h"
#include "net/net.h"
#include "record/record.h"
#include "record/export.h"
#include "record/replay.h"
#include "smtp/reply.h"
#include "record/scrollback.h"
#include "smtp/session.h"
#include "tui/settings.h"
#include "base/text.h"
#include "net/tls.h"
#include "record/transcript.h"
#include "tui/tui.h"
#include "base/xmalloc.h"

/* Lines kept in the dialogue; the oldest go beyond this. */

enum tui_key {
	TUI_KEY_NONE,
	TUI_KEY_F1, TUI_KEY_F2, TUI_KEY_F3, TUI_KEY_F5, TUI_KEY_F6,
	TUI_KEY_F7, TUI_KEY_F8, TUI_KEY_F10,
	TUI_KEY_PGUP, TUI_KEY_PGDN, TUI_KEY_HOME, TUI_KEY_END,
	TUI_KEY_UP, TUI_KEY_DOWN, TUI_KEY_RIGHT, TUI_KEY_LEFT,
	TUI_KEY_LAST
};

struct tui_seq {
	char		*seq;
	size_t		 len;
	enum tui_key	 key;
	int		 input;		/* also taken from the command line */
};

static struct tui_seq	*tui_seqs;
static size_t		 tui_nseqs;
static int		 tui_sigpipe[2] = { -1, -1 };

static void	tui_signal(int);
static void	tui_fatal_signal(int);
static void	tui_seq_add(const char *, enum tui_key, int);
static void	tui_seqs_init(void);
static void	tui_seqs_free(void);
static size_t	tui_match(const unsigned char *, size_t, enum tui_key *, int);
static size_t	tui_mouse(struct tui *, const unsigned char *, size_t);
static void	tui_keys(struct tui *, const unsigned char *, size_t);
static void	tui_key(struct tui *, enum tui_key);
static void	tui_dialogue_byte(struct tui *, unsigned char);
static void	tui_command(struct tui *, const char *);
static void	tui_add_lines(struct tui *, int, const char *, size_t, long,
		    unsigned);
static void	tui_sent_add(struct tui *, size_t);
static void	tui_sent_pair(struct tui *, const char *);
static int	tui_quiz_form(const char *);
static void	tui_load_config(struct tui *);
static void	tui_settings_list(struct tui *);
static int	tui_onoff(const char *, int *);
static int64_t	tui_now_ms(void);

/* Set up the front end state. */
void
tui_init(struct tui *t, const struct kb *kb, const char *target)
{
	memset(t, 0, sizeof *t);
	t->kb = kb;
	t->set.scrollback = SB_DEFAULT_MAX_BYTES;
	t->sb = sb_new(0);
	sb_set_max_bytes(t->sb, t->set.scrollback);
	record_init(&t->rec, t->sb, kb);
	t->target = xstrdup(target != NULL ? target : "?");
	t->selected = -1;
	t->follow = 1;
	t->search_hit = -1;
	t->set.timestamps = 1;
	t->set.color = 1;
	t->set.layout = LAYOUT_AUTO;
	t->quiz.reply = -1;
	t->quiz.revealed = -1;
	t->newest_cmd = -1;
	t->dirty = TUI_DIRTY_ALL;
}

/* Free the front end state. */
void
tui_release(struct tui *t)
{
	sb_free(t->sb);
	free(t->target);
	free(t->search);
	free(t->custom);
	free(t->auth_mech);
	free(t->auth_user);
	free(t->unanswered);
}

/* Lines waiting for replies kept at most; half go when it is full. */
#define TUI_UNANSWERED_MAX	1024

/* Remember a line sent until the reply to it comes. */
static void
tui_sent_add(struct tui *t, size_t line)
{
	size_t	half = TUI_UNANSWERED_MAX / 2;

	if (t->unanswered == NULL)
		t->unanswered = xreallocarray(NULL, TUI_UNANSWERED_MAX,
		    sizeof *t->unanswered);
	if (t->nunanswered == TUI_UNANSWERED_MAX) {
		/* Message lines, which get no reply: forget the oldest. */
		memmove(t->unanswered, t->unanswered + half,
		    (TUI_UNANSWERED_MAX - half) * sizeof *t->unanswered);
		t->nunanswered -= half;
	}
	t->unanswered[t->nunanswered++] = line;
}

/*
 * The newest reply answers command (as shown, NULL for none): find the
 * line it answers, the oldest one sent with that text still waiting (SMTP
 * answers in order, pipelined or not), and forget it and older lines.
 */
static void
tui_sent_pair(struct tui *t, const char *command)
{
	const char	*text;
	size_t		 i, len, clen;

	t->newest_cmd = -1;
	if (command == NULL)
		return;
	clen = strlen(command);
	for (i = 0; i < t->nunanswered; i++) {
		if (t->unanswered[i] < sb_first(t->sb) ||
		    t->unanswered[i] >= sb_end(t->sb))
			continue;
		text = sb_text(t->sb, t->unanswered[i], &len);
		if (len != clen || memcmp(text, command, len) != 0)
			continue;
		t->newest_cmd = (long)t->unanswered[i];
		t->nunanswered -= i + 1;
		memmove(t->unanswered, t->unanswered + i + 1,
		    t->nunanswered * sizeof *t->unanswered);
		return;
	}
}

/* Wall-clock milliseconds. */
static int64_t
tui_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Add text (possibly several lines) to the dialogue. */
static void
tui_add_lines(struct tui *t, int kind, const char *text, size_t len,
    long reply, unsigned flags)
{
	int	sec = t->session != NULL ? session_sec(t->session) :
	    SESSION_SEC_CLEAR;

	sb_add(t->sb, kind, sec, tui_now_ms(), reply, flags, text, len);
	t->dirty |= TUI_DIRTY_DIALOGUE;
}

/* Say something of our own in the dialogue. */
void
tui_say(struct tui *t, int mark, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	tui_add_lines(t, mark == '!' ? SB_WARNING : SB_NOTICE, text,
	    strlen(text), -1, 0);
	free(text);
}

/* Show a message in the hint line until the next key. */
void
tui_flash(struct tui *t, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(t->message, sizeof t->message, fmt, ap);
	va_end(ap);
	t->dirty |= TUI_DIRTY_HINTS;
}

/* What the user can type next, for the explanation pane. */
const char *
tui_next_steps(struct tui *t)
{
	const struct caps	*c;
	int			 auth;

	if (t->replay != NULL)
		return (_("Enter, Space or Right: the next exchange; Left: back; "
		    "F10 leaves"));
	if (t->session == NULL || t->closed)
		return (_("the session is over: /quit (F10) leaves"));
	c = session_caps(t->session);
	switch (session_phase(t->session)) {
	case SESSION_PHASE_CONNECTING:
	case SESSION_PHASE_TLS_CONNECT:
	case SESSION_PHASE_GREETING:
		return (_("wait for the greeting (220)"));
	case SESSION_PHASE_CONNECTED:
		return (_("EHLO your.host.name (or HELO for plain SMTP)"));
	case SESSION_PHASE_HELLO:
	case SESSION_PHASE_READY:
		/* /auth only where it can work: offered, and not done yet. */
		auth = caps_has(c, "AUTH") && !session_authenticated(t->session);
		if (caps_has(c, "STARTTLS") && session_sec(t->session) ==
		    SESSION_SEC_CLEAR)
			return (auth ? _("STARTTLS to encrypt; MAIL FROM:<you@"
			    "example.org>; /auth plain USER; VRFY name; HELP; "
			    "QUIT") : _("STARTTLS to encrypt; MAIL FROM:<you@"
			    "example.org>; VRFY name; HELP; QUIT"));
		if (auth)
			return (_("MAIL FROM:<you@example.org>; /auth plain "
			    "USER; VRFY name; HELP; QUIT"));
		return (_("MAIL FROM:<you@example.org>; VRFY name; EXPN list; "
		    "HELP; QUIT"));
	case SESSION_PHASE_STARTTLS:
		return (_("wait for the TLS handshake"));
	case SESSION_PHASE_AUTH:
		return (_("answer the challenge in base64, or * to cancel"));
	case SESSION_PHASE_MAIL:
		return (_("RCPT TO:<someone@example.net>; RSET to start over"));
	case SESSION_PHASE_RCPT:
		return (_("another RCPT TO:<...>; DATA to send the message; RSET"));
	case SESSION_PHASE_DATA:
		return (_("type the message (headers, an empty line, the body); "
		    "a line with only \".\" ends it; /data FILE sends a file"));
	case SESSION_PHASE_QUIT:
		return (_("wait for 221; the server then closes"));
	default:
		break;
	}
	return (_("/quit (F10) leaves"));
}

/* The session's event callback. */
void
tui_event(void *arg, const struct session_event *ev)
{
	struct tui	*t = arg;
	int		 replied;

	transcript_event(t->log, ev);
	if (ev->type == SESSION_EV_FAILED) {
		const char	*title, *meaning, *fix;

		/* The failure takes the explanation pane, as a reply would. */
		explain_failure(ev->fail, &title, &meaning, &fix);
		free(t->custom);
		t->custom = xasprintf("%s\n%s %s\n%s %s\n%s %s", title,
		    _("What happened:"), ev->text, _("Meaning:"), meaning,
		    _("What to check:"), fix);
		t->explain_top = 0;
		t->selected = -1;
		t->dirty |= TUI_DIRTY_EXPLAIN;
	}
	if (ev->type == SESSION_EV_CLOSED) {
		t->closed = 1;
		tui_say(t, '*', _("connection closed; /quit or F10 leaves"));
		input_update_prompt(t);
		t->dirty |= TUI_DIRTY_ALL;
		return;
	}
	replied = record_event(&t->rec, ev);
	if (ev->type == SESSION_EV_SENT && sb_end(t->sb) > sb_first(t->sb))
		tui_sent_add(t, sb_end(t->sb) - 1);
	if (replied) {
		tui_sent_pair(t, ev->command);
		/* A new reply takes the panel unless an old one is chosen. */
		free(t->custom);
		t->custom = NULL;
		t->explain_top = 0;
		t->dirty |= TUI_DIRTY_EXPLAIN | TUI_DIRTY_STATUS;
		if (t->set.quiz && !t->rebuilding)
			tui_quiz_ask(t, sb_nreplies(t->sb) - 1);
	}
	switch (ev->type) {
	case SESSION_EV_SENT:
	case SESSION_EV_LINE:
	case SESSION_EV_NOTICE:
	case SESSION_EV_WARNING:
	case SESSION_EV_FAILED:
		t->dirty |= TUI_DIRTY_DIALOGUE;
		break;
	case SESSION_EV_TLS:
		t->dirty |= TUI_DIRTY_DIALOGUE | TUI_DIRTY_STATUS;
		break;
	case SESSION_EV_MARK:
		/* One of our commands, in turn (tui_line). */
		tui_command(t, ev->cookie);
		explicit_bzero(ev->cookie, strlen(ev->cookie));
		free(ev->cookie);
		break;
	case SESSION_EV_PHASE:
		input_update_prompt(t);
		t->dirty |= TUI_DIRTY_STATUS | TUI_DIRTY_EXPLAIN;
		break;
	default:
		t->dirty |= TUI_DIRTY_DIALOGUE;
		break;
	}
}

/* Ask the student about reply idx: its class and, of four, its meaning. */
void
tui_quiz_ask(struct tui *t, long idx)
{
	static const int	 codes[] = { 220, 221, 250, 251, 252, 354, 421,
	    450, 451, 452, 500, 501, 502, 503, 504, 530, 535, 550, 551, 552,
	    553, 554 };
	const size_t		 ncodes = sizeof codes / sizeof codes[0];
	const struct sb_reply	*r = sb_reply(t->sb, idx);
	struct tui_quiz		*q = &t->quiz;
	struct explanation	 ex;
	size_t			 i, k, start;
	int			 code;

	if (r == NULL || r->code == 0)
		return;
	if (q->reply >= 0)
		q->asked++;		/* the last one went unanswered */
	q->reply = idx;
	q->feedback[0] = '\0';
	explain_code(t->kb, r->code, NULL, NULL, &ex);
	/* The right meaning among three others, placed by the code. */
	q->answer = (int)(((unsigned)r->code * 7u + (unsigned)idx) % 4u);
	start = ((size_t)r->code * 5u + (size_t)idx) % ncodes;
	for (i = 0, k = 0; i < 4; i++) {
		if ((int)i == q->answer) {
			q->choices[i] = ex.title;
			continue;
		}
		do {
			code = codes[(start + k++) % ncodes];
		} while (code == r->code);
		{
			struct explanation	other;

			explain_code(t->kb, code, NULL, NULL, &other);
			q->choices[i] = other.title;
		}
	}
	t->input_mode = TUI_INPUT_QUIZ;
	t->focus = TUI_FOCUS_INPUT;
	input_update_prompt(t);
	t->dirty |= TUI_DIRTY_EXPLAIN | TUI_DIRTY_INPUT;
}

/*
 * What a line typed at the quiz prompt is: 1 an answer of the quiz's form
 * (a class digit 2-5 and a letter A-D, either, both in either order, or
 * nothing), 0 a command (a /command, or a word of four or more letters
 * as SMTP verbs are), -1 neither.
 */
static int
tui_quiz_form(const char *line)
{
	const char	*p;
	int		 digits = 0, letters = 0, n = 0;

	for (p = line; *p != '\0'; p++) {
		if (*p >= '2' && *p <= '5')
			digits++;
		else if ((*p >= 'a' && *p <= 'd') || (*p >= 'A' && *p <= 'D'))
			letters++;
		else if (strchr(" \t,.-)", *p) == NULL)
			break;
	}
	if (*p == '\0' && digits <= 1 && letters <= 1)
		return (1);
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '/')
		return (0);
	while ((line[n] >= 'A' && line[n] <= 'Z') || (line[n] >= 'a' &&
	    line[n] <= 'z'))
		n++;
	if (n >= 4 && (line[n] == '\0' || line[n] == ' ' || line[n] == ':'))
		return (0);
	return (-1);
}

/*
 * Take a line typed at the quiz prompt.  A guess such as "5B" (class digit
 * and letter, either order) is scored and 0 returned; a line that is not
 * one is left alone, and -1 returned when it is a command the caller sends
 * or runs as usual.  Anything else is answered with how to answer.
 */
int
tui_quiz_guess(struct tui *t, const char *line)
{
	struct tui_quiz		*q = &t->quiz;
	const struct sb_reply	*r = sb_reply(t->sb, q->reply);
	int			 cls = 0, letter = -1, pts = 0;
	const char		*p;

	switch (tui_quiz_form(line)) {
	case 0:
		return (-1);
	case -1:
		tui_flash(t, _("Not an answer: type the class digit (2-5) and the "
		    "meaning's letter (A-D), e.g. 5B; Enter alone shows the "
		    "answer. SMTP commands and /commands are sent as usual."));
		return (0);
	}
	if (r == NULL) {
		q->reply = -1;
		t->input_mode = TUI_INPUT_COMMAND;
		input_update_prompt(t);
		return (0);
	}
	for (p = line; *p != '\0'; p++) {
		if (*p >= '2' && *p <= '5' && cls == 0)
			cls = *p - '0';
		else if (*p >= 'a' && *p <= 'd' && letter < 0)
			letter = *p - 'a';
		else if (*p >= 'A' && *p <= 'D' && letter < 0)
			letter = *p - 'A';
	}
	q->asked++;
	if (cls == 0 && letter < 0)
		snprintf(q->feedback, sizeof q->feedback, _("Skipped: the "
		    "answer was %d%c. Score %d of %d."), r->code / 100,
		    'A' + q->answer, q->score, 2 * q->asked);
	else {
		if (cls == r->code / 100)
			pts++;
		if (letter == q->answer)
			pts++;
		q->score += pts;
		snprintf(q->feedback, sizeof q->feedback, _("Your guess: "
		    "class %s, meaning %s (the answer was %d%c). Score %d of "
		    "%d."), cls == r->code / 100 ? _("right") : _("wrong"),
		    letter == q->answer ? _("right") : _("wrong"),
		    r->code / 100, 'A' + q->answer, q->score, 2 * q->asked);
	}
	q->revealed = q->reply;
	q->reply = -1;
	t->input_mode = TUI_INPUT_COMMAND;
	input_update_prompt(t);
	t->dirty |= TUI_DIRTY_EXPLAIN;
	return (0);
}

/* Move the replay by delta exchanges and show it from the start. */
void
tui_replay_step(struct tui *t, long delta)
{
	size_t	n = replay_steps(t->replay), old = t->replay_step;
	long	want = (long)t->replay_step + delta;

	if (want < 1)
		want = 1;
	if ((size_t)want > n)
		want = (long)n;
	if ((size_t)want == t->replay_step && t->sb != NULL &&
	    sb_end(t->sb) > 0) {
		tui_flash(t, want == 1 ? _("this is the first exchange") :
		    _("this is the last exchange"));
		return;
	}
	t->replay_step = (size_t)want;
	sb_free(t->sb);
	t->sb = sb_new(0);
	sb_set_max_bytes(t->sb, t->set.scrollback);
	record_init(&t->rec, t->sb, t->kb);
	t->nunanswered = 0;
	t->newest_cmd = -1;
	t->rebuilding = 1;
	replay_run(t->replay, t->replay_step, tui_event, t);
	t->rebuilding = 0;
	free(t->target);
	t->target = xasprintf(_("replay of %s, exchange %zu of %zu"),
	    replay_name(t->replay), t->replay_step, n);
	t->selected = -1;
	t->follow = 1;
	t->search_hit = -1;
	free(t->custom);
	t->custom = NULL;
	t->explain_top = 0;
	if (t->set.quiz && t->replay_step > old && sb_nreplies(t->sb) > 0)
		tui_quiz_ask(t, sb_nreplies(t->sb) - 1);
	t->dirty = TUI_DIRTY_ALL;
}

/* Select reply idx (-1: follow the newest) and show it. */
void
tui_select(struct tui *t, long idx)
{
	const struct sb_reply	*r;
	long			 n = sb_nreplies(t->sb);

	if (idx >= n - 1)
		idx = -1;
	if (idx < -1)
		idx = -1;
	t->selected = idx;
	free(t->custom);
	t->custom = NULL;
	t->explain_top = 0;
	if (idx >= 0 && (r = sb_reply(t->sb, idx)) != NULL) {
		/* Keep the reply in view, with some context below it. */
		size_t	last = r->first + (r->nlines > 0 ? r->nlines - 1 : 0);
		size_t	want = last + (size_t)ui_dialogue_rows(t) / 3;

		if (want >= sb_end(t->sb))
			want = sb_end(t->sb) - 1;
		t->follow = 0;
		t->bottom = want;
		t->bottom_skip = 0;
	} else
		t->follow = 1;
	t->dirty |= TUI_DIRTY_DIALOGUE | TUI_DIRTY_EXPLAIN;
}

/*
 * Scroll the dialogue by n screen rows (negative: back).  A line that
 * wraps into more rows than the pane holds is scrolled through row by
 * row, so every row of it can be shown.
 */
void
tui_scroll(struct tui *t, long n)
{
	size_t	end = sb_end(t->sb), first = sb_first(t->sb), b, skip, nr;
	size_t	r = (size_t)(n < 0 ? -n : n), pane, top, above;

	if (end == first || n == 0)
		return;
	b = t->follow || t->bottom >= end ? end - 1 : t->bottom;
	skip = t->follow ? 0 : t->bottom_skip;
	pane = (size_t)ui_dialogue_rows(t);
	if (n < 0) {
		t->follow = 0;
		while (r > 0) {
			nr = ui_dialogue_line_rows(t, b);
			if (b == first) {
				skip = skip + r < nr ? skip + r : nr - 1;
				break;
			}
			if (skip + r < nr) {
				skip += r;
				break;
			}
			r -= nr - skip;
			b--;
			skip = 0;
		}
		/*
		 * Not past the top: once the first row is at the top of the
		 * pane, stop (when the dialogue fills the pane at all).
		 */
		for (top = first, nr = 0; top < end; top++) {
			above = ui_dialogue_line_rows(t, top);
			if (nr + above >= pane) {
				nr = nr + above - pane;
				if (b < top || (b == top && skip > nr)) {
					b = top;
					skip = nr;
				}
				break;
			}
			nr += above;
		}
	} else {
		while (r > 0) {
			if (skip >= r) {
				skip -= r;
				break;
			}
			r -= skip;
			skip = 0;
			if (b + 1 >= end)
				break;
			b++;
			skip = ui_dialogue_line_rows(t, b);
		}
		if (b + 1 >= end && skip == 0)
			t->follow = 1;
	}
	t->bottom = b;
	t->bottom_skip = skip;
	t->dirty |= TUI_DIRTY_DIALOGUE;
}

/* Search the dialogue from the current place. */
void
tui_search_run(struct tui *t, const char *needle, int backwards)
{
	size_t	from, end = sb_end(t->sb), first = sb_first(t->sb);
	long	hit;

	if (end == first)
		return;
	if (t->search_hit >= 0)
		from = (size_t)t->search_hit;
	else
		from = t->follow ? end - 1 : t->bottom;
	if (t->search_hit >= 0) {
		if (backwards && from > first)
			from--;
		else if (!backwards && from + 1 < end)
			from++;
	}
	hit = sb_search(t->sb, needle, from, backwards);
	if (hit < 0)
		hit = sb_search(t->sb, needle, backwards ? end - 1 : first,
		    backwards);
	if (hit < 0) {
		tui_flash(t, _("not found: %s"), needle);
		t->search_hit = -1;
	} else {
		t->search_hit = hit;
		t->follow = 0;
		t->bottom = (size_t)hit + (size_t)ui_dialogue_rows(t) / 2;
		t->bottom_skip = 0;
		if (t->bottom >= end)
			t->bottom = end - 1;
		if (t->bottom == end - 1)
			t->follow = 1;
		if (sb_reply_of(t->sb, (size_t)hit) >= 0)
			tui_select(t, sb_reply_of(t->sb, (size_t)hit));
		t->follow = t->bottom == end - 1;
	}
	t->dirty |= TUI_DIRTY_DIALOGUE;
}

/* Open, switch or close an overlay. */
void
tui_toggle_overlay(struct tui *t, enum tui_overlay o)
{
	t->overlay = t->overlay == o ? TUI_OVERLAY_NONE : o;
	t->overlay_top = 0;
	t->dirty = TUI_DIRTY_ALL;
}

/* Parse on/off. */
static int
tui_onoff(const char *v, int *out)
{
	if (strcasecmp(v, "on") == 0 || strcasecmp(v, "yes") == 0 ||
	    strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "off") == 0 || strcasecmp(v, "no") == 0 ||
	    strcmp(v, "0") == 0)
		*out = 0;
	else
		return (-1);
	return (0);
}

/* Change a setting; returns -1 for an unknown name or value. */
int
tui_set(struct tui *t, const char *name, const char *value)
{
	int	v;
	size_t	n;

	if (strcasecmp(name, "scrollback") == 0) {
		if (sb_parse_size(value, &n) == -1)
			return (-1);
		t->set.scrollback = n;
		sb_set_max_bytes(t->sb, n);
		t->dirty = TUI_DIRTY_ALL;
		return (0);
	}
	if (strcasecmp(name, "layout") == 0) {
		if (strcasecmp(value, "auto") == 0)
			t->set.layout = LAYOUT_AUTO;
		else if (strcasecmp(value, "side") == 0)
			t->set.layout = LAYOUT_SIDE;
		else if (strcasecmp(value, "stacked") == 0)
			t->set.layout = LAYOUT_STACKED;
		else
			return (-1);
		ui_resize(t);
		return (0);
	}
	if (tui_onoff(value, &v) == -1)
		return (-1);
	if (strcasecmp(name, "timestamps") == 0)
		t->set.timestamps = v;
	else if (strcasecmp(name, "eol") == 0)
		t->set.eol = v;
	else if (strcasecmp(name, "verbose") == 0)
		t->set.verbose = v;
	else if (strcasecmp(name, "quiz") == 0) {
		t->set.quiz = v;
		if (!v && t->quiz.reply >= 0) {
			t->quiz.reply = -1;
			t->input_mode = TUI_INPUT_COMMAND;
			input_update_prompt(t);
		}
	}
	else if (strcasecmp(name, "presentation") == 0) {
		t->set.presentation = v;
		ui_resize(t);
	} else if (strcasecmp(name, "mouse") == 0) {
		t->set.mouse = v;
		/* SGR mouse reporting (xterm 1006): wheel and clicks. */
		fputs(v ? "\033[?1000h\033[?1006h" : "\033[?1000l\033[?1006l",
		    stdout);
		fflush(stdout);
	} else if (strcasecmp(name, "color") == 0) {
		t->set.color = v;
		if (t->set.color != t->color_started)
			tui_flash(t, _("color takes effect at the next start (put "
			    "\"set color %s\" in the config file)"), value);
	} else
		return (-1);
	t->dirty = TUI_DIRTY_ALL;
	return (0);
}

/* List the settings in the dialogue. */
static void
tui_settings_list(struct tui *t)
{
	static const char *layouts[] = { "auto", "side", "stacked" };
	char	size[32];

	sb_format_size(size, sizeof size, t->set.scrollback);
	tui_say(t, '*', _("timestamps %s, mouse %s, color %s, eol %s, layout %s, "
	    "presentation %s, verbose %s, quiz %s, scrollback %s"),
	    t->set.timestamps ? "on" :
	    "off",
	    t->set.mouse ? "on" : "off", t->set.color ? "on" : "off",
	    t->set.eol ? "on" : "off", layouts[t->set.layout],
	    t->set.presentation ? "on" : "off", t->set.verbose ? "on" : "off",
	    t->set.quiz ? "on" : "off", size);
}

/*
 * Read ~/.config/smtpscope/config: "set NAME VALUE" lines (settings.h).  A
 * bad line is named and skipped; a line too long is skipped whole.
 */
static void
tui_load_config(struct tui *t)
{
	const char		*xdg = getenv("XDG_CONFIG_HOME");
	const char		*home = getenv("HOME");
	char			*path;
	struct settings_line	 sl;
	FILE			*f;
	unsigned int		 n = 0;
	int			 rc;

	if (xdg != NULL && *xdg == '/')
		path = xasprintf("%s/smtpscope/config", xdg);
	else if (home != NULL && *home == '/')
		path = xasprintf("%s/.config/smtpscope/config", home);
	else
		return;
	if ((f = fopen(path, "r")) == NULL) {
		free(path);
		return;
	}
	while ((rc = settings_read(f, &n, &sl)) != SETTINGS_EOF) {
		if (rc == SETTINGS_LONG)
			tui_say(t, '!', _("%s:%u: line longer than %d bytes: "
			    "skipped, none of it is used"), path, n,
			    SETTINGS_LINE_MAX);
		else if (rc == SETTINGS_NUL)
			tui_say(t, '!', _("%s:%u: a NUL byte in the line: "
			    "skipped"), path, n);
		else if (rc != SETTINGS_SET || tui_set(t, sl.name,
		    sl.value) == -1)
			tui_say(t, '!', _("%s:%u: not a setting: use \"set NAME "
			    "VALUE\" (see F1)"), path, n);
	}
	fclose(f);
	free(path);
}

/*
 * A line typed at the command line.  Our own commands are looked up first
 * (cmd.h): they never reach the server as typed, not even as the answer
 * to an AUTH challenge.
 */
void
tui_line(struct tui *t, const char *line)
{
	const struct cmd_entry	*c;
	char			*cause, *copy, *mech, *user, *pass, *save;
	size_t			 len = strlen(line), clen;

	t->message[0] = '\0';
	c = cmd_find(line, NULL);
	if (c != NULL && c->id == CMD_QUIT) {
		t->quit = 1;
		return;
	}
	if (t->replay != NULL) {
		if (len > 0 && line[0] == '/' && (c == NULL ||
		    !(c->flags & CMD_F_SENDS)))
			tui_command(t, line);
		else if (len == 0)
			tui_replay_step(t, 1);
		else
			tui_flash(t, "%s", _("a replay sends nothing: Enter, "
			    "Space or Right shows the next exchange, Left goes "
			    "back, / commands work"));
		return;
	}
	if (t->closed) {
		/*
		 * Our own commands still work; SMTP has nobody to go to, and
		 * neither have the commands that send (/auth, /data, /raw).
		 */
		if (len > 0 && line[0] == '/' && (c == NULL ||
		    !(c->flags & CMD_F_SENDS)))
			tui_command(t, line);
		else
			tui_flash(t, _("the session is over: /quit leaves"));
		return;
	}
	if (strncasecmp(line, "/auth", 5) == 0 && (line[5] == '\0' ||
	    line[5] == ' ')) {
		copy = xstrdup(line + 5);
		/* Its own length: strtok_r() is about to put NULs in it. */
		clen = strlen(copy);
		mech = strtok_r(copy, " ", &save);
		user = mech != NULL ? strtok_r(NULL, " ", &save) : NULL;
		pass = user != NULL ? strtok_r(NULL, "", &save) : NULL;
		if (mech == NULL || user == NULL)
			tui_say(t, '!', _("usage: /auth plain|login USER "
			    "[PASSWORD]"));
		else if (strcasecmp(mech, "plain") != 0 &&
		    strcasecmp(mech, "login") != 0)
			tui_say(t, '!', _("/auth: use plain or login"));
		else if (pass == NULL)
			input_ask_password(t, mech, user);
		else if (session_auth(t->session, mech, user, pass,
		    &cause) == -1) {
			tui_say(t, '!', _("/auth: %s"), cause);
			free(cause);
		}
		explicit_bzero(copy, clen);
		free(copy);
		return;
	}
	if (strncasecmp(line, "/raw", 4) == 0 && (line[4] == '\0' ||
	    line[4] == ' ')) {
		const char	*a = line + 4;
		char		*bytes;
		size_t		 blen;

		while (*a == ' ')
			a++;
		bytes = replay_unescape(a, strlen(a), &blen);
		if (session_raw(t->session, bytes, blen, &cause) == -1) {
			tui_say(t, '!', "/raw: %s", cause);
			free(cause);
		}
		free(bytes);
		return;
	}
	if (strncasecmp(line, "/data", 5) == 0 && (line[5] == '\0' ||
	    line[5] == ' ')) {
		if (len <= 6)
			tui_say(t, '!', _("usage: /data FILE"));
		else if (session_send_file(t->session, line + 6, &cause) ==
		    -1) {
			tui_say(t, '!', _("/data: %s"), cause);
			free(cause);
		}
		return;
	}
	if (c != NULL) {
		/* Ours, never the server's: in turn when it shows something. */
		copy = xstrdup(line);
		if ((c->flags & CMD_F_IN_TURN) &&
		    session_mark(t->session, copy) == 0)
			return;
		tui_command(t, copy);
		free(copy);
		return;
	}
	/* An unknown /command while nothing could make it an answer. */
	if (len > 0 && line[0] == '/' && !session_in_auth(t->session) &&
	    !session_in_message(t->session) &&
	    session_queued(t->session) == 0 &&
	    session_outstanding(t->session) == 0) {
		tui_command(t, line);
		return;
	}
	if (session_submit(t->session, line, len, &cause) == -1) {
		tui_say(t, '!', _("not sent: %s"), cause);
		free(cause);
	}
}

/* Write the dialogue so far as an HTML handout; -1 and *cause on failure. */
int
tui_export(struct tui *t, const char *path, int public, char **cause)
{
	struct export_info	 info;
	char			 when[64];

	export_info_now(&info, when, sizeof when, t->target, t->rec.server,
	    t->session != NULL ? session_tls(t->session) : NULL);
	return (export_html_file(t->sb, t->kb, &info, path, public,
	    cause));
}

/* Run one of our local commands (the table in cmd.c). */
static void
tui_command(struct tui *t, const char *line)
{
	const struct cmd_entry	*cmd;
	const char		*after;
	char			*arg, *verb, *rest, *enc, *dec;
	struct reply		*r;
	struct explanation	 ex;
	struct buf		 b;
	size_t			 dlen;

	if ((cmd = cmd_find(line, &after)) == NULL) {
		arg = xstrndup(line + 1, strcspn(line + 1, " "));
		tui_say(t, '!', _("unknown command /%s: F1 lists them"), arg);
		free(arg);
		return;
	}
	arg = xstrdup(after);
	if (cmd->id == CMD_HELP)
		tui_toggle_overlay(t, TUI_OVERLAY_HELP);
	else if (cmd->id == CMD_CAPS)
		tui_toggle_overlay(t, TUI_OVERLAY_CAPS);
	else if (cmd->id == CMD_CERT)
		tui_toggle_overlay(t, TUI_OVERLAY_CERT);
	else if (cmd->id == CMD_QUIT)
		t->quit = 1;
	else if (cmd->id == CMD_EXPLAIN) {
		verb = NULL;
		rest = strrchr(arg, ' ');
		if (rest != NULL && explain_verb(rest + 1) != NULL &&
		    (rest[1] < '0' || rest[1] > '9')) {
			verb = rest + 1;
			*rest = '\0';
		}
		r = reply_from_line(arg, strlen(arg));
		if (r == NULL || (r->flags & REPLY_F_MALFORMED))
			tui_say(t, '!', _("/explain: give a reply code (three "
			    "digits, 200-599), e.g. /explain 550 5.1.1 RCPT"));
		else {
			explain_reply(t->kb, r, explain_verb(verb), NULL, &ex);
			buf_init(&b, 0);
			format_explanation(&b, &ex, "", 1);
			free(t->custom);
			t->custom = buf_detach(&b, NULL);
			t->explain_top = 0;
			t->dirty |= TUI_DIRTY_EXPLAIN;
		}
		reply_free(r);
	} else if (cmd->id == CMD_COMPARE) {
		char		 a[64], c[64];
		struct reply	*ra = NULL, *rc = NULL;
		struct explanation ec;

		if (explain_split_pair(arg, a, sizeof a, c, sizeof c) == -1 ||
		    (ra = reply_from_line(a, strlen(a))) == NULL ||
		    (ra->flags & REPLY_F_MALFORMED) ||
		    (rc = reply_from_line(c, strlen(c))) == NULL ||
		    (rc->flags & REPLY_F_MALFORMED))
			tui_say(t, '!', _("usage: /compare CODE CODE, e.g. "
			    "/compare 250 252 or /compare 550 5.1.1, 553"));
		else {
			explain_reply(t->kb, ra, NULL, NULL, &ex);
			explain_reply(t->kb, rc, NULL, NULL, &ec);
			buf_init(&b, 0);
			format_compare(&b, t->kb, &ex, &ec);
			free(t->custom);
			t->custom = buf_detach(&b, NULL);
			t->explain_top = 0;
			t->dirty |= TUI_DIRTY_EXPLAIN;
		}
		reply_free(ra);
		reply_free(rc);
	} else if (cmd->id == CMD_EXPORT) {
		char	*why, *path;
		int	 public;

		path = export_arg(arg, &public);
		if (*path == '\0')
			tui_say(t, '!', "%s", _("usage: /export FILE.html "
			    "[public]"));
		else if (tui_export(t, path, public, &why) == -1) {
			tui_say(t, '!', _("/export: %s"), why);
			free(why);
		} else
			tui_say(t, '*', _("handout written to %s"), path);
		free(path);
	} else if (cmd->id == CMD_B64) {
		enc = b64_encode(arg, strlen(arg));
		tui_say(t, '*', _("base64: %s"), enc);
		free(enc);
	} else if (cmd->id == CMD_UNB64) {
		if ((dec = b64_decode(arg, strlen(arg), &dlen)) == NULL)
			tui_say(t, '!', _("/unb64: not valid base64"));
		else {
			tui_add_lines(t, SB_NOTICE, dec, dlen, -1, 0);
			free(dec);
		}
	} else if (cmd->id == CMD_SEARCH) {
		if (*arg != '\0') {
			free(t->search);
			t->search = xstrdup(arg);
			t->search_hit = -1;
			t->search_back = 1;
			tui_search_run(t, arg, 1);
		}
	} else if (cmd->id == CMD_SET) {
		char	*name = arg, *value = strchr(arg, ' ');

		if (*name == '\0')
			tui_settings_list(t);
		else if (value == NULL)
			tui_say(t, '!', _("usage: /set NAME VALUE"));
		else {
			*value++ = '\0';
			while (*value == ' ')
				value++;
			if (tui_set(t, name, value) == -1)
				tui_say(t, '!', _("/set: unknown setting or "
				    "value: %s %s (F1 lists them)"), name, value);
			else
				tui_settings_list(t);
		}
	} else
		tui_say(t, '!', _("%s cannot be used here"), cmd->name);
	explicit_bzero(arg, strlen(arg));
	free(arg);
}

/* Remember one key sequence. */
static void
tui_seq_add(const char *seq, enum tui_key key, int input)
{
	size_t	i;

	if (seq == NULL || seq == (char *)-1 || *seq != '\033' ||
	    strlen(seq) < 2)
		return;
	for (i = 0; i < tui_nseqs; i++)
		if (strcmp(tui_seqs[i].seq, seq) == 0)
			return;
	tui_seqs = xreallocarray(tui_seqs, tui_nseqs + 1, sizeof *tui_seqs);
	tui_seqs[tui_nseqs].seq = xstrdup(seq);
	tui_seqs[tui_nseqs].len = strlen(seq);
	tui_seqs[tui_nseqs].key = key;
	tui_seqs[tui_nseqs].input = input;
	tui_nseqs++;
}

/* The keys we take: terminfo's sequences, then common ones. */
static void
tui_seqs_init(void)
{
	static const struct {
		const char	*cap;
		const char	*fallback[4];
		enum tui_key	 key;
		int		 input;
	} keys[] = {
		{ "kf1", { "\033OP", "\033[11~", "\033[[A", NULL },
		    TUI_KEY_F1, 1 },
		{ "kf2", { "\033OQ", "\033[12~", "\033[[B", NULL },
		    TUI_KEY_F2, 1 },
		{ "kf3", { "\033OR", "\033[13~", "\033[[C", NULL },
		    TUI_KEY_F3, 1 },
		{ "kf5", { "\033[15~", "\033[[E", NULL, NULL }, TUI_KEY_F5, 1 },
		{ "kf6", { "\033[17~", NULL, NULL, NULL }, TUI_KEY_F6, 1 },
		{ "kf7", { "\033[18~", NULL, NULL, NULL }, TUI_KEY_F7, 1 },
		{ "kf8", { "\033[19~", NULL, NULL, NULL }, TUI_KEY_F8, 1 },
		{ "kf10", { "\033[21~", NULL, NULL, NULL }, TUI_KEY_F10, 1 },
		{ "kpp", { "\033[5~", NULL, NULL, NULL }, TUI_KEY_PGUP, 1 },
		{ "knp", { "\033[6~", NULL, NULL, NULL }, TUI_KEY_PGDN, 1 },
		{ "khome", { "\033[H", "\033OH", "\033[1~", "\033[7~" },
		    TUI_KEY_HOME, 0 },
		{ "kend", { "\033[F", "\033OF", "\033[4~", "\033[8~" },
		    TUI_KEY_END, 0 },
		{ "kcuu1", { "\033[A", "\033OA", NULL, NULL }, TUI_KEY_UP, 0 },
		{ "kcud1", { "\033[B", "\033OB", NULL, NULL }, TUI_KEY_DOWN, 0 },
		{ "kcuf1", { "\033[C", "\033OC", NULL, NULL }, TUI_KEY_RIGHT,
		    0 },
		{ "kcub1", { "\033[D", "\033OD", NULL, NULL }, TUI_KEY_LEFT, 0 },
	};
	size_t	i, j;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		tui_seq_add(tigetstr((char *)keys[i].cap), keys[i].key,
		    keys[i].input);
		for (j = 0; j < 4 && keys[i].fallback[j] != NULL; j++)
			tui_seq_add(keys[i].fallback[j], keys[i].key,
			    keys[i].input);
	}
}

/* Forget the key sequences. */
static void
tui_seqs_free(void)
{
	size_t	i;

	for (i = 0; i < tui_nseqs; i++)
		free(tui_seqs[i].seq);
	free(tui_seqs);
	tui_seqs = NULL;
	tui_nseqs = 0;
}

/* Does a key sequence of ours start at p?  Returns its length or 0. */
static size_t
tui_match(const unsigned char *p, size_t len, enum tui_key *key, int input)
{
	size_t	i, best = 0;

	for (i = 0; i < tui_nseqs; i++) {
		if (input && !tui_seqs[i].input)
			continue;
		if (tui_seqs[i].len <= len && tui_seqs[i].len > best &&
		    memcmp(p, tui_seqs[i].seq, tui_seqs[i].len) == 0) {
			best = tui_seqs[i].len;
			*key = tui_seqs[i].key;
		}
	}
	return (best);
}

/* An SGR mouse report at p ("\e[<b;x;yM"): act on it, return its length. */
static size_t
tui_mouse(struct tui *t, const unsigned char *p, size_t len)
{
	size_t	i;
	int	v[3] = { 0, 0, 0 }, k = 0;
	long	reply;

	if (len < 6 || memcmp(p, "\033[<", 3) != 0)
		return (0);
	for (i = 3; i < len && i < 32; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			v[k] = v[k] * 10 + (p[i] - '0');
		else if (p[i] == ';' && k < 2)
			k++;
		else if (p[i] == 'M' || p[i] == 'm')
			break;
		else
			return (0);
	}
	if (i >= len || i >= 32 || k != 2)
		return (0);
	if (p[i] == 'M') {
		if (v[0] == 64)
			tui_scroll(t, -3);
		else if (v[0] == 65)
			tui_scroll(t, 3);
		else if (v[0] == 0 &&
		    (reply = ui_reply_at_row(t, v[2] - 1)) >= 0)
			tui_select(t, reply);
	}
	return (i + 1);
}

/* Act on one of our keys. */
static void
tui_key(struct tui *t, enum tui_key key)
{
	int	page = ui_dialogue_rows(t) - 2;

	if (page < 1)
		page = 1;
	switch (key) {
	case TUI_KEY_F1:
		tui_toggle_overlay(t, TUI_OVERLAY_HELP);
		break;
	case TUI_KEY_F2:
		tui_toggle_overlay(t, TUI_OVERLAY_CAPS);
		break;
	case TUI_KEY_F3:
		tui_toggle_overlay(t, TUI_OVERLAY_CERT);
		break;
	case TUI_KEY_F5:
		t->set.eol = !t->set.eol;
		tui_flash(t, _("line ends and control bytes %s"), t->set.eol ?
		    _("shown (\xe2\x90\x8d\xe2\x90\x8a = CRLF, \xe2\x90\x8a = "
		    "bare LF)") : _("hidden"));
		t->dirty |= TUI_DIRTY_DIALOGUE;
		break;
	case TUI_KEY_F6:
		t->focus = t->focus == TUI_FOCUS_INPUT ? TUI_FOCUS_DIALOGUE :
		    TUI_FOCUS_INPUT;
		t->dirty = TUI_DIRTY_ALL;
		break;
	case TUI_KEY_F7:
		t->explain_top = t->explain_top > 3 ? t->explain_top - 3 : 0;
		t->dirty |= TUI_DIRTY_EXPLAIN;
		break;
	case TUI_KEY_F8:
		t->explain_top += 3;
		t->dirty |= TUI_DIRTY_EXPLAIN;
		break;
	case TUI_KEY_F10:
		t->quit = 1;
		break;
	case TUI_KEY_PGUP:
		if (t->overlay != TUI_OVERLAY_NONE) {
			t->overlay_top -= ui_overlay_rows(t);
			if (t->overlay_top < 0)
				t->overlay_top = 0;
			t->dirty |= TUI_DIRTY_OVERLAY;
		} else
			tui_scroll(t, -page);
		break;
	case TUI_KEY_PGDN:
		if (t->overlay != TUI_OVERLAY_NONE) {
			t->overlay_top += ui_overlay_rows(t);
			t->dirty |= TUI_DIRTY_OVERLAY;
		} else
			tui_scroll(t, page);
		break;
	case TUI_KEY_HOME:
		if (sb_nreplies(t->sb) > 0)
			tui_select(t, 0);
		else
			tui_scroll(t, -(long)sb_end(t->sb));
		break;
	case TUI_KEY_END:
		tui_select(t, -1);
		break;
	case TUI_KEY_UP:
		if (t->overlay != TUI_OVERLAY_NONE) {
			if (t->overlay_top > 0)
				t->overlay_top--;
			t->dirty |= TUI_DIRTY_OVERLAY;
		} else if (sb_nreplies(t->sb) > 0)
			tui_select(t, t->selected < 0 ? sb_nreplies(t->sb) -
			    2 : (t->selected > 0 ? t->selected - 1 : 0));
		break;
	case TUI_KEY_DOWN:
		if (t->overlay != TUI_OVERLAY_NONE) {
			t->overlay_top++;
			t->dirty |= TUI_DIRTY_OVERLAY;
		} else if (t->selected >= 0)
			tui_select(t, t->selected + 1);
		break;
	default:
		break;
	}
}

/* A plain byte while the dialogue pane has focus. */
static void
tui_dialogue_byte(struct tui *t, unsigned char c)
{
	if (t->overlay != TUI_OVERLAY_NONE) {
		if (c == 'q' || c == 033)
			tui_toggle_overlay(t, t->overlay);
		else if (c == 'j')
			tui_key(t, TUI_KEY_DOWN);
		else if (c == 'k')
			tui_key(t, TUI_KEY_UP);
		else if (c == ' ')
			tui_key(t, TUI_KEY_PGDN);
		return;
	}
	switch (c) {
	case 'k':
		tui_key(t, TUI_KEY_UP);
		break;
	case 'j':
		tui_key(t, TUI_KEY_DOWN);
		break;
	case 'g':
		tui_key(t, TUI_KEY_HOME);
		break;
	case 'G':
		tui_key(t, TUI_KEY_END);
		break;
	case ' ':
		tui_key(t, TUI_KEY_PGDN);
		break;
	case 'b':
		tui_key(t, TUI_KEY_PGUP);
		break;
	case '/':
		input_ask_search(t, 0);
		break;
	case '?':
		input_ask_search(t, 1);
		break;
	case 'n':
	case 'N':
		if (t->search != NULL)
			tui_search_run(t, t->search, (c == 'N') !=
			    t->search_back);
		else
			tui_flash(t, _("no search yet: / or ? starts one"));
		break;
	case '\t':
	case 033:
	case 'i':
	case 'q':
	case '\r':
		t->focus = TUI_FOCUS_INPUT;
		t->dirty = TUI_DIRTY_ALL;
		break;
	case '\f':
		ui_redraw(t);
		break;
	default:
		break;
	}
}

/* Route the bytes of one read: our keys, mouse reports, readline. */
static void
tui_keys(struct tui *t, const unsigned char *buf, size_t len)
{
	size_t		 i = 0, n, start;
	enum tui_key	 key;

	if (len > 0 && t->message[0] != '\0') {
		t->message[0] = '\0';
		t->dirty |= TUI_DIRTY_HINTS;
	}
	while (i < len && !t->quit) {
		if (t->set.mouse && (n = tui_mouse(t, buf + i, len - i)) > 0) {
			i += n;
			continue;
		}
		if (t->focus == TUI_FOCUS_DIALOGUE || (t->overlay !=
		    TUI_OVERLAY_NONE && t->input_mode == TUI_INPUT_COMMAND)) {
			if ((n = tui_match(buf + i, len - i, &key, 0)) > 0) {
				tui_key(t, key);
				i += n;
			} else
				tui_dialogue_byte(t, buf[i++]);
			continue;
		}
		/* A replay steps with Enter, Space and the arrows. */
		if (t->replay != NULL && t->input_mode == TUI_INPUT_COMMAND &&
		    input_line_empty()) {
			if (buf[i] == '\r' || buf[i] == '\n' || buf[i] == ' ') {
				tui_replay_step(t, 1);
				i++;
				continue;
			}
			if ((n = tui_match(buf + i, len - i, &key, 0)) > 0 &&
			    (key == TUI_KEY_RIGHT || key == TUI_KEY_LEFT)) {
				tui_replay_step(t, key == TUI_KEY_RIGHT ? 1 :
				    -1);
				i += n;
				continue;
			}
		}
		/* Command line: readline gets runs without our keys. */
		start = i;
		while (i < len) {
			if (buf[i] == 033 && tui_match(buf + i, len - i, &key,
			    1) > 0)
				break;
			if (t->set.mouse && buf[i] == 033 && tui_mouse(t, buf +
			    i, 0) == 0 && len - i >= 3 && memcmp(buf + i,
			    "\033[<", 3) == 0)
				break;
			if (buf[i] == '\t' && t->input_mode ==
			    TUI_INPUT_COMMAND && input_line_empty() &&
			    i == start)
				break;
			i++;
		}
		if (i > start) {
			input_feed(t, buf + start, i - start);
			continue;
		}
		if (buf[i] == '\t') {
			t->focus = TUI_FOCUS_DIALOGUE;
			t->dirty = TUI_DIRTY_ALL;
			i++;
			continue;
		}
		if ((n = tui_match(buf + i, len - i, &key, 1)) > 0) {
			tui_key(t, key);
			i += n;
			continue;
		}
		/* An incomplete mouse report: drop the rest of the read. */
		break;
	}
}

/* Signal handler: one byte down the pipe. */
static void
tui_signal(int sig)
{
	int		saved = errno;
	unsigned char	c = (unsigned char)sig;

	if (write(tui_sigpipe[1], &c, 1) == -1) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

/*
 * A crash: put the terminal back and die by the same signal.  Only
 * async-signal-safe calls: the crash may have come from inside malloc or
 * stdio with their locks held (ui_end() would hang there for good).
 */
static void
tui_fatal_signal(int sig)
{
	struct sigaction	sa;
	sigset_t		set;

	ui_crash_restore();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* Run the full-screen loop. */
int
tui_run(struct tui *t)
{
	struct pollfd		 pfd[SESSION_POLLFDS + 2];
	struct sigaction	 sa;
	unsigned char		 buf[4096], c;
	int			 n, sn, i, timeout, sig;
	char			*why;
	ssize_t			 got;
	static const int	 fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE,
	    SIGILL, SIGABRT };

	if (pipe(tui_sigpipe) == -1)
		return (-1);
	net_nonblock(tui_sigpipe[0]);
	net_nonblock(tui_sigpipe[1]);
	/* Our handlers first: ncurses then leaves SIGWINCH to us. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);
	sa.sa_handler = tui_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < (int)(sizeof fatal_sigs / sizeof fatal_sigs[0]); i++)
		sigaction(fatal_sigs[i], &sa, NULL);
	log_set_fatal_hook(ui_end);

	tui_load_config(t);
	/* The command line wins over the config file. */
	if (t->scrollback_cli != 0) {
		t->set.scrollback = t->scrollback_cli;
		sb_set_max_bytes(t->sb, t->set.scrollback);
	}
	if (ui_start(t) == -1) {
		close(tui_sigpipe[0]);
		close(tui_sigpipe[1]);
		return (-1);
	}
	tui_seqs_init();
	input_start(t);
	if (t->replay != NULL) {
		tui_replay_step(t, 1);
		tui_say(t, '*', _("replay: Enter, Space or Right shows the next "
		    "exchange, Left goes back; F1 help  F10 quit"));
	} else
		tui_say(t, '*', _("F1 help  F2 capabilities  F3 certificate  "
		    "F10 quit; type SMTP commands below"));

	while (!t->quit) {
		ui_flush(t);
		sn = t->session != NULL ? session_pollfds(t->session, pfd) : 0;
		n = sn;
		pfd[n].fd = STDIN_FILENO;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
		pfd[n].fd = tui_sigpipe[0];
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
		timeout = t->session != NULL ? session_timeout(t->session) :
		    -1;
		if (poll(pfd, (nfds_t)n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* Signals first: a resize is handled before drawing. */
		if (pfd[n - 1].revents) {
			while (read(tui_sigpipe[0], &c, 1) == 1) {
				sig = c;
				if (sig == SIGWINCH || sig == SIGCONT) {
					struct winsize	ws;

					if (ioctl(STDOUT_FILENO, TIOCGWINSZ,
					    &ws) == 0 && ws.ws_row > 0 &&
					    ws.ws_col > 0)
						resizeterm(ws.ws_row,
						    ws.ws_col);
					ui_resize(t);
				} else if (sig == SIGINT) {
					if (input_line_empty() &&
					    t->input_mode == TUI_INPUT_COMMAND)
						t->quit = 1;
					else
						input_interrupt(t);
				} else
					t->quit = 1;
			}
		}
		if (t->session != NULL)
			session_io(t->session, pfd, sn);
		if (pfd[n - 2].revents & (POLLIN | POLLHUP | POLLERR)) {
			got = read(STDIN_FILENO, buf, sizeof buf);
			if (got > 0)
				tui_keys(t, buf, (size_t)got);
			else if (got == 0 || (errno != EAGAIN &&
			    errno != EINTR))
				t->quit = 1;
		}
	}

	if (t->session != NULL && !session_closed(t->session))
		session_close(t->session);
	why = input_end(t);
	ui_end();
	if (why != NULL) {
		fprintf(stderr, _("smtpscope: the command history was not "
		    "saved: %s\n"), why);
		free(why);
	}
	log_set_fatal_hook(NULL);
	tui_seqs_free();
	signal(SIGWINCH, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCONT, SIG_DFL);
	close(tui_sigpipe[0]);
	close(tui_sigpipe[1]);
	tui_sigpipe[0] = tui_sigpipe[1] = -1;
	return (0);
}
