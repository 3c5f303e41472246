/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for transcript replay (src/record/replay.c): each format read from
 * a sample in tests/data/replay/ (or from a string), the events it replays
 * recorded and checked: order, verbs, masking, escapes, TLS, steps.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "smtp/reply.h"
#include "record/replay.h"
#include "smtp/session.h"
#include "tap.h"
#include "base/text.h"
#include "base/xmalloc.h"

/* One event as replayed, copied. */
struct got {
	enum session_ev		 type;
	enum session_sec	 sec;
	enum session_phase	 phase;
	char			*text;		/* or data for LINE */
	size_t			 len;
	char			*verb;
	char			*command;
	char			*decoded;
	int			 code;		/* of reply or line */
	int			 final;
	unsigned		 flags;
	unsigned		 notes;
	long long		 rtt_us;
};

struct events {
	struct got		*v;
	size_t			 n;
	struct buf		 ser;		/* one line per event */
};

static char	*dup_or_null(const char *);
static void	 collect(void *, const struct session_event *);
static void	 events_init(struct events *);
static void	 events_release(struct events *);
static void	 run_all(const struct replay *, size_t, struct events *);
static char	*replies(const struct events *);
static int	 contains(const struct events *, const char *);
static ssize_t	 find_text(const struct events *, enum session_ev,
		    const char *);
static int	 sec_split(const struct events *, size_t, enum session_sec);
static void	 check_prefixes(const struct replay *, const char *);
static struct replay *load(const char *);
static struct replay *parse_str(const char *, const char *);
static void	 test_unescape(void);
static void	 test_own_log(void);
static void	 test_output(void);
static void	 test_output_tz(void);
static const char *shown_time(long long);
static void	 test_swaks(void);
static void	 test_cs(void);
static void	 test_garbage(void);
static void	 test_inline(void);
static void	 test_many_problems(void);

static char *
dup_or_null(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

/* Record an event. */
static void
collect(void *arg, const struct session_event *ev)
{
	struct events	*e = arg;
	struct got	*g;
	char		*esc;

	e->v = xreallocarray(e->v, e->n + 1, sizeof *e->v);
	g = &e->v[e->n++];
	memset(g, 0, sizeof *g);
	g->type = ev->type;
	g->sec = ev->sec;
	g->phase = ev->phase;
	g->rtt_us = ev->rtt_us;
	g->notes = ev->notes;
	g->verb = dup_or_null(ev->verb);
	g->command = dup_or_null(ev->command);
	g->decoded = dup_or_null(ev->decoded);
	if (ev->type == SESSION_EV_LINE) {
		g->text = xmalloc(ev->len + 1);
		memcpy(g->text, ev->data, ev->len);
		g->text[ev->len] = '\0';
		g->len = ev->len;
		g->code = ev->code;
		g->final = ev->final;
		g->flags = ev->flags;
	} else if (ev->text != NULL) {
		g->text = xstrdup(ev->text);
		g->len = strlen(ev->text);
	}
	if (ev->type == SESSION_EV_REPLY)
		g->code = ev->reply->code;
	esc = text_escape_dup(g->text != NULL ? g->text : "", g->len);
	buf_printf(&e->ser, "%d %d %d %s|%s|%s|%s|%d %d %u %lld\n", g->type,
	    g->sec, g->phase, esc, g->verb ? g->verb : "-",
	    g->command ? g->command : "-", g->decoded ? g->decoded : "-",
	    g->code, g->final, g->notes, g->rtt_us);
	free(esc);
}

static void
events_init(struct events *e)
{
	memset(e, 0, sizeof *e);
	buf_init(&e->ser, 0);
}

static void
events_release(struct events *e)
{
	size_t	i;

	for (i = 0; i < e->n; i++) {
		free(e->v[i].text);
		free(e->v[i].verb);
		free(e->v[i].command);
		free(e->v[i].decoded);
	}
	free(e->v);
	buf_release(&e->ser);
}

/* Replay the first upto steps into a fresh record. */
static void
run_all(const struct replay *r, size_t upto, struct events *e)
{
	events_init(e);
	replay_run(r, upto, collect, e);
}

/* "VERB CODE|VERB CODE|..." of the replies; the caller frees it. */
static char *
replies(const struct events *e)
{
	struct buf	b;
	size_t		i;

	buf_init(&b, 0);
	for (i = 0; i < e->n; i++) {
		if (e->v[i].type != SESSION_EV_REPLY)
			continue;
		buf_printf(&b, "%s%s %d", b.len > 0 ? "|" : "",
		    e->v[i].verb != NULL ? e->v[i].verb : "-", e->v[i].code);
	}
	return (buf_detach(&b, NULL));
}

/* Does any text, command or decoded string of any event hold needle? */
static int
contains(const struct events *e, const char *needle)
{
	size_t	i;

	for (i = 0; i < e->n; i++) {
		if (e->v[i].text != NULL && strstr(e->v[i].text, needle))
			return (1);
		if (e->v[i].command != NULL && strstr(e->v[i].command, needle))
			return (1);
		if (e->v[i].decoded != NULL && strstr(e->v[i].decoded, needle))
			return (1);
	}
	return (0);
}

/* Index of the first event of a type whose text starts with s, or -1. */
static ssize_t
find_text(const struct events *e, enum session_ev type, const char *s)
{
	size_t	i;

	for (i = 0; i < e->n; i++)
		if (e->v[i].type == type && e->v[i].text != NULL &&
		    strncmp(e->v[i].text, s, strlen(s)) == 0)
			return ((ssize_t)i);
	return (-1);
}

/* Are events before at clear and from at on with sec? */
static int
sec_split(const struct events *e, size_t at, enum session_sec sec)
{
	size_t	i;

	for (i = 0; i < e->n; i++) {
		if (e->v[i].sec != (i < at ? SESSION_SEC_CLEAR : sec)) {
			diag("event %zu (%s) has sec %d", i, e->v[i].text ?
			    e->v[i].text : "", e->v[i].sec);
			return (0);
		}
	}
	return (1);
}

/* replay_run(r, k) for k = 0..steps: each a prefix of the next. */
static void
check_prefixes(const struct replay *r, const char *what)
{
	struct events	prev, cur;
	size_t		k, n = replay_steps(r), i, nrep;
	int		good = 1, counts = 1;

	run_all(r, 0, &prev);
	ok(prev.n == 0, "%s: replay_run(0) emits nothing", what);
	for (k = 1; k <= n + 1; k++) {
		run_all(r, k, &cur);
		if (cur.ser.len < prev.ser.len || memcmp(cur.ser.data,
		    prev.ser.data, prev.ser.len) != 0 || (k <= n &&
		    cur.ser.len == prev.ser.len)) {
			diag("step %zu is not a longer prefix", k);
			good = 0;
		}
		for (nrep = 0, i = 0; i < cur.n; i++)
			nrep += cur.v[i].type == SESSION_EV_REPLY;
		if (nrep != (k <= n ? k : n)) {
			diag("step %zu has %zu replies", k, nrep);
			counts = 0;
		}
		events_release(&prev);
		prev = cur;
	}
	events_release(&prev);
	ok(good, "%s: step k's events are a prefix of step k+1's", what);
	ok(counts, "%s: step k ends with its k-th reply", what);
}

/* Load a sample from tests/data/replay. */
static struct replay *
load(const char *name)
{
	const char	*top = getenv("top_srcdir");
	char		 path[4096], *cause = NULL;
	struct replay	*r;

	snprintf(path, sizeof path, "%s/tests/data/replay/%s",
	    top != NULL ? top : ".", name);
	if ((r = replay_load(path, &cause)) == NULL) {
		diag("%s", cause);
		free(cause);
		exit(1);
	}
	return (r);
}

static struct replay *
parse_str(const char *name, const char *s)
{
	return (replay_parse(name, s, strlen(s)));
}

static void
test_unescape(void)
{
	static const struct {
		const char	*in;
		const char	*out;
		size_t		 outlen;
	} t[] = {
		{ "plain text", "plain text", 10 },
		{ "a\\\\b", "a\\b", 3 },
		{ "\\t\\r\\n\\e", "\t\r\n\033", 4 },
		{ "\\x00\\x7f\\xff", "\0\177\377", 3 },
		{ "\\u202e\\u0085\\u00ad", "\342\200\256\302\205\302\255", 7 },
		{ "\\q \\x4 \\u12 \\ud800 end\\",
		    "\\q \\x4 \\u12 \\ud800 end\\", 23 },
		{ "\\U000e0041\\U0010ffff", "\363\240\201\201\364\217\277\277", 8 },
		{ "\\U00110000 \\U0000d800 \\U1", "\\U00110000 \\U0000d800 \\U1",
		    25 },
		{ NULL, NULL, 0 }
	};
	const char	*samples[] = {
		"250-\033[31mred\r\n\t\\ \342\200\256 \001\177 "
		    "caf\303\251 \377",
		"\302\205\342\200\213x",
		"\314\201\363\240\201\201a\357\270\217\341\240\216",
		NULL
	};
	char		*got, *esc;
	size_t		 i, len;

	for (i = 0; t[i].in != NULL; i++) {
		got = replay_unescape(t[i].in, strlen(t[i].in), &len);
		ok(len == t[i].outlen && memcmp(got, t[i].out, len) == 0,
		    "unescape \"%s\"", t[i].in);
		free(got);
	}
	for (i = 0; samples[i] != NULL; i++) {
		esc = text_escape_dup(samples[i], strlen(samples[i]));
		got = replay_unescape(esc, strlen(esc), &len);
		ok(len == strlen(samples[i]) && memcmp(got, samples[i],
		    len) == 0, "text_escape then unescape gives the bytes back "
		    "(%s)", esc);
		free(got);
		free(esc);
	}
}

static void
test_own_log(void)
{
	struct replay	*r = load("own.log");
	struct events	 e;
	char		*s;
	ssize_t		 i, tls, x;
	const char	 raw[] = "250-X-NOTE \033[31mred\033[0m bare\rCR "
	    "\342\200\256evil.exe \\ backslash \001";

	is_str(replay_format(r), "smtpscope log", "own log: format");
	is_int(replay_nproblems(r), 0, "own log: no problems");
	is_int(replay_steps(r), 12, "own log: 12 steps");
	run_all(r, replay_steps(r), &e);
	s = replies(&e);
	is_str(s, "CONNECT 220|EHLO 250|STARTTLS 220|EHLO 250|AUTH 334|"
	    "AUTH 334|AUTH 235|MAIL 250|RCPT 250|DATA 354|. 250|QUIT 221",
	    "own log: replies and the commands they answer");
	free(s);

	ok(e.v[0].type == SESSION_EV_NOTICE && strncmp(e.v[0].text,
	    "connecting to", 13) == 0, "own log: first the notices");
	i = find_text(&e, SESSION_EV_LINE, "220 mail");
	ok(i > 0 && strcmp(e.v[i].verb, "CONNECT") == 0 && e.v[i].code ==
	    220 && e.v[i].final && e.v[i + 1].type == SESSION_EV_REPLY,
	    "own log: greeting line, then its reply");
	i = find_text(&e, SESSION_EV_LINE, "250-PIPELINING");
	ok(i > 0 && !e.v[i].final && e.v[i].code == 250 &&
	    strcmp(e.v[i].verb, "EHLO") == 0, "own log: continuation line "
	    "as the parser reports it");

	/* Escapes come back as the raw bytes. */
	x = find_text(&e, SESSION_EV_LINE, "250-X-NOTE");
	ok(x > 0 && e.v[x].len == sizeof raw - 1 && memcmp(e.v[x].text, raw,
	    sizeof raw - 1) == 0, "own log: ESC, bare CR, U+202E, \\\\, "
	    "\\x01 come back raw");
	ok(x > 0 && (e.v[x].flags & REPLY_F_CONTROL), "own log: the parser "
	    "flags the control bytes");

	/* TLS: a notice stands for the boundary, then all is "tls". */
	tls = find_text(&e, SESSION_EV_NOTICE, "---- TLS started");
	ok(tls > 0 && e.v[tls - 1].type == SESSION_EV_REPLY &&
	    e.v[tls - 1].code == 220 && strncmp(e.v[tls + 1].text,
	    "TLS is up:", 10) == 0, "own log: TLS boundary after the 220 "
	    "to STARTTLS, before the recorded TLS details");
	ok(tls > 0 && sec_split(&e, (size_t)tls, SESSION_SEC_TLS),
	    "own log: clear before the boundary, tls from it on");

	/* Secrets. */
	i = find_text(&e, SESSION_EV_SENT, "********");
	ok(i > 0 && strcmp(e.v[i].text, "******** (AUTH response, "
	    "hidden)") == 0, "own log: the user name answer is masked");
	ok(!contains(&e, "YWxpY2U="), "own log: no base64 of the user name");
	i = find_text(&e, SESSION_EV_REPLY, "");
	for (i = 0; i < (ssize_t)e.n; i++)
		if (e.v[i].type == SESSION_EV_REPLY && e.v[i].code == 235)
			break;
	ok(i < (ssize_t)e.n && strcmp(e.v[i].command, "******** (base64 of "
	    "the password, hidden)") == 0 && strcmp(e.v[i].verb, "AUTH") ==
	    0, "own log: 235 answers the masked password line");
	for (i = 0; i < (ssize_t)e.n; i++)
		if (e.v[i].type == SESSION_EV_REPLY && e.v[i].code == 334)
			break;
	ok(i < (ssize_t)e.n && e.v[i].decoded != NULL &&
	    strcmp(e.v[i].decoded, "Username:") == 0 &&
	    strcmp(e.v[i].command, "AUTH LOGIN") == 0, "own log: 334 decoded");

	/* The message. */
	i = find_text(&e, SESSION_EV_SENT, "Subject: test");
	ok(i > 0 && e.v[i].phase == SESSION_PHASE_DATA, "own log: message "
	    "lines in phase DATA");
	ok(find_text(&e, SESSION_EV_SENT, "...a line") > 0, "own log: a "
	    "dot-stuffed line kept as sent");
	for (i = 0; i < (ssize_t)e.n; i++)
		if (e.v[i].type == SESSION_EV_REPLY && e.v[i].verb != NULL &&
		    strcmp(e.v[i].verb, ".") == 0)
			break;
	ok(i < (ssize_t)e.n && strcmp(e.v[i].command, ".") == 0 &&
	    e.v[i].rtt_us == 38000, "own log: \".\" waits for its 250, "
	    "rtt from the times");
	ok(e.v[e.n - 1].type == SESSION_EV_NOTICE && strcmp(e.v[e.n - 1].text,
	    "connection closed") == 0, "own log: trailing notices kept");

	/* Times. */
	is_int(replay_step_time(r, 0), 1795364510123LL, "own log: step 0 "
	    "time");
	is_int(replay_step_time(r, 1) - replay_step_time(r, 0), 1238,
	    "own log: step 1 time");
	is_int(replay_step_time(r, 12), 0, "own log: no step 12");
	for (i = 0; i < (ssize_t)e.n; i++)
		if (e.v[i].type == SESSION_EV_REPLY && e.v[i].verb != NULL &&
		    strcmp(e.v[i].verb, "EHLO") == 0)
			break;
	is_int(e.v[i].rtt_us, 38000, "own log: EHLO round trip");
	events_release(&e);

	/* Step 0 is the greeting and what came before. */
	run_all(r, 1, &e);
	ok(e.n == 4 && e.v[3].type == SESSION_EV_REPLY && e.v[3].code == 220,
	    "own log: step 0 ends with the greeting");
	events_release(&e);
	check_prefixes(r, "own log");
	replay_free(r);
}

static void
test_output(void)
{
	struct replay	*r = load("output.txt");
	struct events	 e;
	char		*s;
	ssize_t		 tls;
	int		 n;
	size_t		 i;

	is_str(replay_format(r), "smtpscope output", "output: format");
	is_int(replay_nproblems(r), 0, "output: no problems (E lines "
	    "ignored)");
	is_int(replay_steps(r), 12, "output: 12 steps");
	run_all(r, replay_steps(r), &e);
	s = replies(&e);
	is_str(s, "CONNECT 220|EHLO 250|STARTTLS 220|EHLO 250|AUTH 334|"
	    "AUTH 334|AUTH 235|MAIL 250|RCPT 250|DATA 354|. 250|QUIT 221",
	    "output: replies and the commands they answer");
	free(s);
	for (n = 0, i = 0; i < e.n; i++)
		n += e.v[i].type == SESSION_EV_NOTICE && strstr(e.v[i].text,
		    "---- TLS") != NULL;
	is_int(n, 1, "output: one TLS boundary (ours replaces the recorded "
	    "one)");
	tls = find_text(&e, SESSION_EV_NOTICE, "---- TLS started");
	ok(tls > 0 && sec_split(&e, (size_t)tls, SESSION_SEC_TLS),
	    "output: clear, then tls");
	ok(!contains(&e, "YWxpY2U=") && !contains(&e, "meaning:"),
	    "output: nothing of the explanations, user name masked");
	is_str(shown_time(replay_step_time(r, 0)), "17:53:49.492", "output: "
	    "time of day of the greeting");
	is_int(e.v[3].rtt_us, 45000, "output: greeting after the connecting "
	    "notice");
	for (i = 1, n = 1; i < replay_steps(r); i++)
		if (replay_step_time(r, i) < replay_step_time(r, i - 1))
			n = 0;
	ok(n, "output: step times never go back");
	events_release(&e);
	check_prefixes(r, "output");
	replay_free(r);
}

/* A recorded time as the front ends show it: local time. */
static const char *
shown_time(long long ms)
{
	static char	 s[32];
	char		 hms[16];
	time_t		 secs = (time_t)(ms / 1000);
	struct tm	 tm;

	if (ms <= 0 || localtime_r(&secs, &tm) == NULL)
		return ("(none)");
	strftime(hms, sizeof hms, "%H:%M:%S", &tm);
	snprintf(s, sizeof s, "%s.%03lld", hms, ms % 1000);
	return (s);
}

/*
 * Line-mode --timestamps are local times: a replay shows them as they were
 * printed, whatever the time zone (16:39 once came back as 01:39 under
 * Asia/Tokyo).
 */
static void
test_output_tz(void)
{
	static const char *const zones[] = {
		"UTC0", "JST-9", "XST5", "NZST-12NZDT,M9.5.0,M4.1.0/3",
		"Asia/Tokyo", "America/Los_Angeles", NULL
	};
	struct replay	*r;
	const char	*old = getenv("TZ");
	char		*saved = old != NULL ? xstrdup(old) : NULL;
	size_t		 i;

	for (i = 0; zones[i] != NULL; i++) {
		setenv("TZ", zones[i], 1);
		tzset();
		r = load("output.txt");
		is_str(shown_time(replay_step_time(r, 0)), "17:53:49.492",
		    "output under TZ=%s: the greeting's time as printed",
		    zones[i]);
		replay_free(r);
		r = parse_str("tz.txt",
		    "23:59:59.900 S clear 220 ok\n"
		    "00:00:00.000 C clear QUIT\n"
		    "00:00:00.250 S clear 221 bye\n");
		is_str(shown_time(replay_step_time(r, 1)), "00:00:00.250",
		    "under TZ=%s: midnight, and the time after it", zones[i]);
		ok(replay_step_time(r, 1) - replay_step_time(r, 0) == 350,
		    "under TZ=%s: 350 ms across midnight", zones[i]);
		replay_free(r);
	}
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

static void
test_swaks(void)
{
	struct replay	*r = load("swaks.txt");
	struct events	 e;
	char		*s;
	ssize_t		 tls, i;

	is_str(replay_format(r), "swaks", "swaks: format");
	is_int(replay_nproblems(r), 0, "swaks: no problems");
	is_int(replay_steps(r), 12, "swaks: 12 steps");
	run_all(r, replay_steps(r), &e);
	s = replies(&e);
	is_str(s, "CONNECT 220|EHLO 250|STARTTLS 220|EHLO 250|AUTH 334|"
	    "AUTH 334|AUTH 235|MAIL 250|RCPT 250|DATA 354|. 250|QUIT 221",
	    "swaks: replies and the commands they answer");
	free(s);
	ok(!contains(&e, "UzNjcmV0LVBhNTU") && !contains(&e, "S3cret") &&
	    !contains(&e, "YWxpY2U="), "swaks: no base64 of the password (or "
	    "user) in any event");
	i = find_text(&e, SESSION_EV_SENT, "********");
	ok(i > 0 && strcmp(e.v[i].text, "******** (AUTH response, hidden)") ==
	    0 && e.v[i + 1].type == SESSION_EV_LINE &&
	    strcmp(e.v[i + 1].verb, "AUTH") == 0, "swaks: the answers to 334 "
	    "are masked");
	tls = find_text(&e, SESSION_EV_NOTICE, "---- TLS started");
	ok(tls > 0 && strncmp(e.v[tls + 1].text, "TLS started with cipher",
	    23) == 0, "swaks: TLS boundary before swaks' own TLS lines");
	ok(tls > 0 && sec_split(&e, (size_t)tls, SESSION_SEC_TLS),
	    "swaks: \"~\" lines after a passed verification are tls");
	i = find_text(&e, SESSION_EV_SENT, "X-Mailer:");
	ok(i > 0 && e.v[i + 1].type == SESSION_EV_SENT &&
	    strcmp(e.v[i + 1].text, "") == 0, "swaks: message lines, an "
	    "empty one too");
	i = find_text(&e, SESSION_EV_LINE, "250 2.0.0 Ok: queued");
	ok(i > 0 && strcmp(e.v[i].verb, ".") == 0 && e.v[i - 1].type ==
	    SESSION_EV_SENT && strcmp(e.v[i - 1].text, ".") == 0,
	    "swaks: the final 250 answers \".\"");
	ok(find_text(&e, SESSION_EV_NOTICE, "Connection closed") ==
	    (ssize_t)e.n - 1, "swaks: last notice kept");
	is_int(replay_step_time(r, 3), 0, "swaks: no times");
	is_int(e.v[2].rtt_us, -1, "swaks: rtt not measured");
	events_release(&e);
	check_prefixes(r, "swaks");
	replay_free(r);
}

static void
test_cs(void)
{
	struct replay	*r = load("cs.txt");
	struct events	 e;
	char		*s;
	ssize_t		 i;

	is_str(replay_format(r), "C:/S: log", "C:/S: format");
	is_int(replay_nproblems(r), 0, "C:/S: no problems (comments, blank "
	    "lines)");
	is_int(replay_steps(r), 9, "C:/S: 9 steps");
	run_all(r, replay_steps(r), &e);
	s = replies(&e);
	is_str(s, "CONNECT 220|EHLO 250|AUTH 235|MAIL 250|RCPT 250|RCPT 550|"
	    "DATA 354|. 250|QUIT 221", "C:/S: pipelined replies paired in "
	    "order");
	free(s);
	ok(find_text(&e, SESSION_EV_SENT, "AUTH PLAIN ******** (initial "
	    "response, hidden)") > 0 && !contains(&e, "AGFsaWNl") &&
	    !contains(&e, "S3cret"), "C:/S: AUTH PLAIN initial response "
	    "masked");
	i = find_text(&e, SESSION_EV_LINE, "550 5.1.1");
	ok(i > 0 && strcmp(e.v[i + 1].command, "RCPT TO:<carol@example.net>")
	    == 0, "C:/S: the 550 answers the second RCPT");
	i = find_text(&e, SESSION_EV_LINE, "354");
	ok(i > 0 && e.v[i + 1].notes == 0 && strcmp(e.v[i + 1].verb, "DATA")
	    == 0, "C:/S: 354 after an accepted RCPT has no note");
	i = find_text(&e, SESSION_EV_SENT, "Subject: pipelining");
	ok(i > 0 && strcmp(e.v[i + 1].text, "") == 0, "C:/S: \"C:\" alone is "
	    "an empty line");
	ok(find_text(&e, SESSION_EV_SENT, "QUIT") > 0, "C:/S: \"c:QUIT\" "
	    "read");
	ok(sec_split(&e, e.n, SESSION_SEC_CLEAR), "C:/S: all clear");
	events_release(&e);
	check_prefixes(r, "C:/S:");
	replay_free(r);
}

static void
test_garbage(void)
{
	struct replay	*r = load("garbage.log");
	struct events	 e;
	const char	*why;
	char		*s;
	size_t		 line;

	is_str(replay_format(r), "smtpscope log", "garbage: format still "
	    "recognised");
	is_int(replay_nproblems(r), 3, "garbage: three bad lines");
	why = replay_problem(r, 0, &line);
	ok(line == 3 && why != NULL && strstr(why, "garbage.log:3: ") !=
	    NULL && strstr(why, "pasted") != NULL, "garbage: line 3 reported "
	    "(%s)", why ? why : "");
	why = replay_problem(r, 1, &line);
	ok(line == 7 && why != NULL && strstr(why, "direction") != NULL,
	    "garbage: line 7 reported (%s)", why ? why : "");
	why = replay_problem(r, 2, &line);
	ok(line == 10 && why != NULL, "garbage: line 10 reported (%s)",
	    why ? why : "");
	ok(replay_problem(r, 3, &line) == NULL, "garbage: no fourth problem");
	is_int(replay_steps(r), 4, "garbage: the rest kept, 4 steps");
	run_all(r, replay_steps(r), &e);
	s = replies(&e);
	is_str(s, "CONNECT 220|HELO 250|VRFY 252|QUIT 221", "garbage: replies "
	    "of the good lines");
	free(s);
	events_release(&e);
	replay_free(r);
}

static void
test_inline(void)
{
	struct replay	*r;
	struct events	 e;
	struct buf	 b;
	char		*s, *cause = NULL;
	ssize_t		 i, tls;
	size_t		 j;

	/* STARTTLS in a C:/S: log. */
	r = parse_str("tls.txt", "S: 220 mx ESMTP\nC: EHLO me\nS: 250-mx\n"
	    "S: 250 STARTTLS\nC: STARTTLS\nS: 220 go ahead\nC: EHLO me\n"
	    "S: 250 mx\nC: QUIT\nS: 221 bye\n");
	run_all(r, replay_steps(r), &e);
	tls = find_text(&e, SESSION_EV_NOTICE, "---- TLS started");
	ok(tls > 0 && e.v[tls - 1].code == 220 && e.v[tls + 1].type ==
	    SESSION_EV_SENT && sec_split(&e, (size_t)tls, SESSION_SEC_TLS),
	    "C:/S: STARTTLS 220 sets tls from the boundary on");
	events_release(&e);
	replay_free(r);

	/* 354 without an accepted recipient; an unsolicited reply. */
	r = parse_str("norcpt.txt", "S: 220 mx\nC: MAIL FROM:<a@b>\n"
	    "S: 250 ok\nC: RCPT TO:<c@d>\nS: 550 no\nC: DATA\nS: 354 go\n"
	    "C: .\nS: 250 ok\nS: 421 going away\n");
	run_all(r, replay_steps(r), &e);
	s = replies(&e);
	is_str(s, "CONNECT 220|MAIL 250|RCPT 550|DATA 354|. 250|- 421",
	    "notes: replies");
	free(s);
	i = find_text(&e, SESSION_EV_LINE, "354");
	ok(i > 0 && e.v[i + 1].notes == SESSION_NOTE_DATA_NO_RCPT,
	    "notes: 354 though no RCPT was accepted");
	i = find_text(&e, SESSION_EV_LINE, "421");
	ok(i > 0 && e.v[i + 1].notes == SESSION_NOTE_UNSOLICITED &&
	    e.v[i + 1].verb == NULL && e.v[i].verb == NULL,
	    "notes: a reply nothing waited for is unsolicited");
	events_release(&e);
	replay_free(r);

	/* ENHANCEDSTATUSCODES: as the session, from the EHLO reply in force. */
	r = parse_str("enh.txt", "S: 220 mx\nC: EHLO me\nS: 250-mx\n"
	    "S: 250-ENHANCEDSTATUSCODES\nS: 250 STARTTLS\nC: NOOP\n"
	    "S: 250 2.0.0 ok\nC: STARTTLS\nS: 220 2.0.0 go\nC: NOOP\n"
	    "S: 250 ok\nC: EHLO me\nS: 250-mx\nS: 250 ENHANCEDSTATUSCODES\n"
	    "C: QUIT\nS: 221 2.0.0 bye\n");
	run_all(r, replay_steps(r), &e);
	buf_init(&b, 0);
	for (j = 0; j < e.n; j++)
		if (e.v[j].type == SESSION_EV_REPLY)
			buf_printf(&b, "%s%s|", e.v[j].verb != NULL ?
			    e.v[j].verb : "-", (e.v[j].notes &
			    SESSION_NOTE_ENH) ? " enh" : "");
	is_str(b.data, "CONNECT|EHLO|NOOP enh|STARTTLS enh|NOOP|EHLO|QUIT enh|",
	    "notes: ENHANCEDSTATUSCODES after the EHLO reply advertising it, "
	    "forgotten at TLS");
	buf_release(&b);
	events_release(&e);
	replay_free(r);

	/* swaks: --suppress-data, --show-time-lapse, errors, tls!. */
	r = parse_str("swaks2.txt", "=== Trying mx:25...\n"
	    "<-  220 mx ESMTP\n"
	    " -> EHLO me\n"
	    "<-  250 mx\n"
	    " -> STARTTLS\n"
	    "<-  220 ready\n"
	    "=== TLS started with cipher "
	    "TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256\n"
	    "=== TLS peer certificate failed CA verification (self-signed "
	    "certificate), failed host verification (using host mx to verify)\n"
	    " ~> EHLO me\n"
	    "<~  250 mx\n"
	    " ~> AUTH PLAIN AGFsaWNlAFMzY3JldC1QYTU1\n"
	    "<~* 535 5.7.8 nope\n"
	    " ~> MAIL FROM:<a@b>\n"
	    "=== response in 0.045s\n"
	    "<~  250 ok\n"
	    " ~> RCPT TO:<c@d>\n"
	    "<~  250 ok\n"
	    " ~> DATA\n"
	    "<~  354 go\n"
	    " ~> 12 lines sent\n"
	    "<~  250 queued\n"
	    "*** Remote host closed connection unexpectedly.\n");
	is_str(replay_format(r), "swaks", "swaks 2: format");
	run_all(r, replay_steps(r), &e);
	s = replies(&e);
	is_str(s, "CONNECT 220|EHLO 250|STARTTLS 220|EHLO 250|AUTH 535|"
	    "MAIL 250|RCPT 250|DATA 354|. 250", "swaks 2: replies");
	free(s);
	ok(!contains(&e, "AGFsaWNl"), "swaks 2: AUTH PLAIN masked");
	tls = find_text(&e, SESSION_EV_NOTICE, "---- TLS started");
	ok(tls > 0 && sec_split(&e, (size_t)tls,
	    SESSION_SEC_TLS_UNVERIFIED), "swaks 2: failed verification is "
	    "tls!");
	ok(find_text(&e, SESSION_EV_SENT, "[message not shown by swaks: 12 "
	    "lines sent] then \".\"") > 0, "swaks 2: --suppress-data shown "
	    "as a summary");
	i = find_text(&e, SESSION_EV_LINE, "250 ok");
	ok(i > 0 && e.v[i + 1].rtt_us == 45000, "swaks 2: time lapse is the "
	    "round trip");
	ok(find_text(&e, SESSION_EV_WARNING, "Remote host closed") > 0,
	    "swaks 2: *** is a warning");
	events_release(&e);
	replay_free(r);

	/* An AUTH answer is masked even without the 334 in between. */
	r = parse_str("noauth334.txt", "S: 220 mx\nC: AUTH LOGIN\n"
	    "C: YWxpY2U=\nC: UzNjcmV0LVBhNTU=\nS: 334 VXNlcm5hbWU6\n"
	    "S: 334 UGFzc3dvcmQ6\nS: 235 ok\n");
	run_all(r, replay_steps(r), &e);
	ok(!contains(&e, "YWxpY2U=") && !contains(&e, "UzNjcmV0"),
	    "AUTH answers masked while AUTH waits for its reply");
	events_release(&e);
	replay_free(r);

	/* A message without its "." line: the next reply ends it. */
	r = parse_str("nodot.txt", "S: 220 mx\nC: DATA\nS: 354 go\n"
	    "C: Subject: x\nS: 250 queued\nC: QUIT\nS: 221 bye\n");
	run_all(r, replay_steps(r), &e);
	s = replies(&e);
	is_str(s, "CONNECT 220|DATA 354|. 250|QUIT 221", "missing \".\": the "
	    "next reply answers the message");
	free(s);
	events_release(&e);
	replay_free(r);

	/* /data FILE in our log: one line stands for the message and ".". */
	r = parse_str("file.log", "2026-11-22T10:00:00.000Z S clear 220 mx\n"
	    "2026-11-22T10:00:01.000Z C clear DATA\n"
	    "2026-11-22T10:00:01.020Z S clear 354 go ahead\n"
	    "2026-11-22T10:00:01.021Z C clear [msg.eml: 120 bytes, 4 lines, "
	    "0 dots stuffed] then \".\"\n"
	    "2026-11-22T10:00:01.500Z S clear 250 queued\n");
	run_all(r, replay_steps(r), &e);
	s = replies(&e);
	is_str(s, "CONNECT 220|DATA 354|. 250", "log: a file sent as the "
	    "message ends it");
	free(s);
	is_int(e.v[e.n - 1].rtt_us, 479000, "log: its round trip");
	events_release(&e);
	replay_free(r);

	/* Line-mode output without --timestamps; implicit TLS. */
	r = parse_str("out2.txt", "*       starting TLS at once (implicit "
	    "TLS, RFC 8314)\n"
	    "*       ---- TLS boundary: the lines below travel encrypted ----\n"
	    "*       TLS is up: TLSv1.3, cipher TLS_AES_128_GCM_SHA256 "
	    "(128-bit)\n"
	    "S tls!  220 mx ESMTP\n"
	    "E       220 Service ready | 2xx Positive Completion\n"
	    "C tls!  QUIT\n"
	    "S tls!  221 bye \\e]0;title\\x07\n");
	is_str(replay_format(r), "smtpscope output", "output 2: format");
	is_int(replay_nproblems(r), 0, "output 2: no problems");
	run_all(r, replay_steps(r), &e);
	ok(e.n > 2 && e.v[1].type == SESSION_EV_NOTICE && strncmp(e.v[1].text,
	    "---- TLS started", 16) == 0 && sec_split(&e, 1,
	    SESSION_SEC_TLS_UNVERIFIED), "output 2: implicit TLS, tls! from "
	    "the boundary on");
	i = find_text(&e, SESSION_EV_LINE, "221");
	ok(i > 0 && strcmp(e.v[i].text, "221 bye \033]0;title\007") == 0,
	    "output 2: escapes undone");
	is_int(replay_step_time(r, 0), 0, "output 2: no times");
	events_release(&e);
	replay_free(r);

	/* Implicit TLS in our log: the boundary before "TLS is up". */
	r = parse_str("tlsc.log", "2026-11-22T10:00:00.000Z * -     "
	    "connecting to mx [192.0.2.1] port 465\n"
	    "2026-11-22T10:00:00.010Z * -     starting TLS at once (implicit "
	    "TLS, RFC 8314)\n"
	    "2026-11-22T10:00:00.050Z * -     TLS is up: TLSv1.3, cipher X\n"
	    "2026-11-22T10:00:00.090Z S tls   220 mx ESMTP\n"
	    "2026-11-22T10:00:01.000Z C tls   QUIT\n"
	    "2026-11-22T10:00:01.020Z S tls   221 bye\n");
	run_all(r, replay_steps(r), &e);
	ok(e.n == 9 && strncmp(e.v[2].text, "---- TLS started", 16) == 0 &&
	    sec_split(&e, 2, SESSION_SEC_TLS), "log: implicit TLS boundary");
	is_int(e.v[5].rtt_us, 90000, "log: greeting round trip from the "
	    "connecting notice");
	events_release(&e);
	replay_free(r);

	/* CRLF line ends, no replies at all, an unfinished reply. */
	r = parse_str("crlf.txt", "S: 220 mx\r\nC: QUIT\r\nS: 221 bye\r\n");
	run_all(r, replay_steps(r), &e);
	ok(find_text(&e, SESSION_EV_SENT, "QUIT") > 0 &&
	    strcmp(e.v[find_text(&e, SESSION_EV_SENT, "QUIT")].text, "QUIT") ==
	    0 && replay_steps(r) == 2, "CRLF line ends");
	events_release(&e);
	replay_free(r);

	r = parse_str("notices.log", "2026-11-22T10:00:00.000Z * -     "
	    "connecting to mx [192.0.2.1] port 25\n"
	    "2026-11-22T10:00:30.000Z ! -     error: connection timed out\n");
	is_int(replay_steps(r), 1, "no reply: one step");
	run_all(r, 5, &e);
	ok(e.n == 2 && e.v[1].type == SESSION_EV_WARNING, "no reply: the "
	    "notices in it");
	events_release(&e);
	replay_free(r);

	r = parse_str("cut.txt", "S: 220 mx\nC: EHLO me\nS: 250-mx\n");
	is_int(replay_steps(r), 1, "unfinished reply: only the greeting is a "
	    "step");
	run_all(r, 1, &e);
	ok(e.n == 4 && e.v[3].type == SESSION_EV_LINE && !e.v[3].final,
	    "unfinished reply: its line still shown");
	events_release(&e);
	replay_free(r);

	/* Nothing at all; files that cannot be read. */
	r = replay_parse("empty", "", 0);
	is_str(replay_format(r), "unknown", "empty: format unknown");
	is_int(replay_steps(r), 0, "empty: no steps");
	run_all(r, 3, &e);
	is_int(e.n, 0, "empty: no events");
	events_release(&e);
	replay_free(r);
	replay_free(NULL);

	r = parse_str("junk.txt", "hello\nworld\n");
	is_str(replay_format(r), "unknown", "junk: format unknown");
	is_int(replay_nproblems(r), 2, "junk: every line a problem");
	replay_free(r);

	ok(replay_load("/nonexistent/replay.log", &cause) == NULL &&
	    cause != NULL && strstr(cause, "/nonexistent/replay.log") != NULL,
	    "load: a missing file gives a cause");
	free(cause);
	cause = NULL;
	ok(replay_load("/", &cause) == NULL && cause != NULL,
	    "load: a directory gives a cause");
	free(cause);
}

/* Past 100 problems the rest are counted in one, from its first line. */
static void
test_many_problems(void)
{
	struct replay	*r;
	struct buf	 b;
	const char	*why;
	size_t		 i, line = 0;

	buf_init(&b, 0);
	buf_addstr(&b, "S: 220 many.test\nC: NOOP\nS: 250 ok\n");
	for (i = 0; i < 150; i++)
		buf_printf(&b, "junk %zu\n", i);
	buf_addstr(&b, "C: QUIT\nS: 221 bye\n");
	r = replay_parse("many", b.data, b.len);
	is_int(replay_nproblems(r), 101, "many problems: 100 kept and one more");
	why = replay_problem(r, 100, &line);
	ok(line == 104 && why != NULL && strstr(why, "many:104: 50 more "
	    "lines") != NULL, "many problems: the rest counted (%s)",
	    why != NULL ? why : "");
	is_int(replay_steps(r), 3, "many problems: the good lines kept");
	replay_free(r);
	buf_release(&b);
}

int
main(void)
{
	test_unescape();
	test_own_log();
	test_output();
	test_output_tz();
	test_swaks();
	test_cs();
	test_garbage();
	test_inline();
	test_many_problems();
	return (done_testing());
}
