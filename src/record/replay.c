/* SPDX-License-Identifier: ISC */
/*
 * Replaying a recorded transcript.  Each line of the file becomes a record
 * (direction, protection, time, text) in the format recognised; the record
 * goes at once through the same pairing rules as src/smtp/session.c (a
 * queue of commands waiting for replies, message text after 354 up to
 * ".", AUTH answers after 334, the TLS boundary after a 220 to STARTTLS)
 * and becomes session events.  Server lines go through the real reply
 * parser, so the events carry exactly what a live session would report.
 *
 * Only the file's text is kept, with a time per step: a pass over it when
 * loading counts the steps and the problems, and replay_run() makes the
 * events again in one more pass, handing each out and freeing it, up to
 * the step asked for.  Memory is the file's size, 8 bytes a step and what
 * one line needs; time is linear in the file for each run.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/b64.h"
#include "base/buf.h"
#include "kb/explain.h"
#include "smtp/caps.h"
#include "smtp/reply.h"
#include "record/replay.h"
#include "smtp/session.h"
#include "base/text.h"
#include "base/xmalloc.h"

/* A transcript larger than this is refused. */
#define REPLAY_FILE_MAX		(64 * 1024 * 1024)
/* Meaningful lines looked at to recognise the format. */
#define REPLAY_DETECT_LINES	40
/* Bytes of a bad line quoted in its problem report. */
#define REPLAY_QUOTE_MAX	40
/* Problems kept; the rest are counted. */
#define REPLAY_PROBLEMS_MAX	100

/* What masks a secret, here as in the session. */
#define REPLAY_MASK		"********"
#define REPLAY_MASK_ANSWER	"******** (AUTH response, hidden)"
#define REPLAY_TLS_TEXT \
	"---- TLS started: the lines below travel encrypted (replayed; " \
	"no certificate details) ----"
/* Our own boundary line in line-mode output (src/plain/plain.c). */
#define REPLAY_PLAIN_BOUNDARY \
	"---- TLS boundary: the lines below travel encrypted ----"

enum replay_fmt {
	REPLAY_FMT_UNKNOWN,		/* nothing recognised */
	REPLAY_FMT_LOG,			/* our --log transcript */
	REPLAY_FMT_OUTPUT,		/* our line-mode output */
	REPLAY_FMT_SWAKS,		/* swaks' output */
	REPLAY_FMT_CS,			/* "C: ..." / "S: ..." */
	REPLAY_FMT_LAST
};
static const char *const replay_fmt_names[REPLAY_FMT_LAST] = {
	"unknown", "smtpscope log", "smtpscope output", "swaks", "C:/S: log"
};
_Static_assert(sizeof replay_fmt_names / sizeof replay_fmt_names[0] ==
    REPLAY_FMT_LAST, "replay_fmt_names matches enum replay_fmt");

enum replay_kind {
	REPLAY_KIND_SERVER,		/* a line from the server */
	REPLAY_KIND_CLIENT,		/* a line the client sent */
	REPLAY_KIND_NOTICE,		/* the recording program's notice */
	REPLAY_KIND_WARNING,		/* a warning or error of it */
	REPLAY_KIND_TLS,		/* our TLS boundary line: replaced */
	REPLAY_KIND_IGNORE		/* known but not replayed */
};

/* Protection not recorded with the line. */
#define REPLAY_SEC_UNKNOWN	-1

/* Record flags. */
#define REPLAY_REC_TLS_START	0x1	/* a notice: TLS is now up */
#define REPLAY_REC_RTT		0x2	/* swaks "response in Xs" */

/* One meaningful line of the transcript. */
struct replay_rec {
	enum replay_kind	 kind;
	int			 sec;		/* or _SEC_UNKNOWN */
	unsigned		 flags;
	long long		 ms;		/* 0: no time */
	long long		 rtt_us;	/* REPLAY_REC_RTT */
	size_t			 line;
	char			*text;		/* NUL-terminated */
	size_t			 len;
};

/* One event to replay; every pointer is owned. */
struct replay_ev {
	enum session_ev		 type;
	enum session_sec	 sec;
	enum session_phase	 phase;
	char			*text;
	char			*data;
	size_t			 len;
	struct reply		*reply;
	const char		*verb;		/* static */
	char			*command;
	char			*decoded;
	long long		 rtt_us;
	unsigned		 notes;
	int			 code;
	int			 final;
	unsigned		 flags;
	size_t			 step;
	long long		 ms;		/* recorded time, 0: none */
};

struct replay_problem {
	size_t			 line;
	char			*reason;
};

struct replay {
	char			*name;
	enum replay_fmt		 fmt;
	char			*text;		/* the transcript, owned */
	size_t			 len;
	int			 counting;	/* the pass of replay_parse() */
	size_t			 nevs_total;	/* events made in it */
	size_t			 probs_more;	/* problems not kept */
	size_t			 probs_more_line; /* the first of them */

	struct replay_rec	*recs;
	size_t			 nrecs;
	size_t			 recs_size;

	struct replay_ev	*evs;
	size_t			 nevs;
	size_t			 evs_size;

	struct replay_problem	*probs;
	size_t			 nprobs;
	size_t			 probs_size;

	long long		*step_ms;	/* per reply */
	size_t			 step_ms_size;
	size_t			 nreplies;
	size_t			 nsteps;

	/* Parse state. */
	int			 swaks_tls_sec;	/* sec of "~" lines */
	long long		 tod_last;	/* --timestamps: last time */
	long long		 tod_days;	/* days passed midnight */
};

/* A command waiting for its reply. */
struct replay_cmd {
	const char		*verb;
	char			*shown;
	long long		 ms;
	struct replay_cmd	*next;
};

/* The pairing pass: session.c's rules, without a connection. */
struct replay_sim {
	struct replay		*r;
	struct reply_parser	*parser;
	struct replay_cmd	*out;
	struct replay_cmd	*out_tail;
	size_t			 nout;
	long long		 cur_ms;	/* time of the record */
	const char		*next;		/* the text after its line */
	size_t			 next_line;	/* ...and that line's number */
	size_t			 nrec;		/* records replayed */
	session_cb		*cb;		/* gets the events, or NULL */
	void			*arg;
	size_t			 upto;		/* steps handed out */
	int			 stop;		/* step upto reached */
	int			 greeted;
	int			 in_message;	/* 354 seen, "." not */
	int			 auth_challenge; /* 334: an answer is due */
	int			 rcpt_ok;	/* recipients accepted */
	int			 starttls_go;	/* STARTTLS got 220 */
	int			 tls_on;	/* boundary shown */
	int			 enh;		/* ENHANCEDSTATUSCODES in force */
	enum session_sec	 sec;
	enum session_phase	 phase;
	size_t			 step;
	long long		 connect_ms;	/* before the greeting */
	long long		 line_ms;	/* time of the server line */
	long long		 rtt_hint;	/* swaks' time, or -1 */
};

static void	replay_add_problem(struct replay *, size_t, const char *,
		    size_t, const char *);
static void	replay_add_rec(struct replay *, enum replay_kind, int,
		    long long, size_t, const char *, size_t, int);
static int	replay_digits(const char *, size_t, int *);
static long long replay_days(int, int, int);
static long long replay_local_ms(long long, int, int, int, int);
static int	replay_dir_kind(char);
static int	replay_sec_token(const char *, size_t);
static int	replay_line_log(struct replay *, const char *, size_t, size_t,
		    int, const char **);
static int	replay_line_output(struct replay *, const char *, size_t,
		    size_t, int, const char **);
static int	replay_line_swaks(struct replay *, const char *, size_t,
		    size_t, int, const char **);
static int	replay_line_cs(struct replay *, const char *, size_t, size_t,
		    int, const char **);
static int	replay_line(struct replay *, enum replay_fmt, const char *,
		    size_t, size_t, int, const char **);
static int	replay_meaningful(const char *, size_t);
static enum replay_fmt replay_detect(const char *, size_t);
static void	replay_utf8(struct buf *, unsigned int);
static int	replay_hex(const char *, size_t);
static struct replay_ev *replay_push(struct replay_sim *, enum session_ev);
static void	replay_text_event(struct replay_sim *, enum session_ev,
		    const char *);
static void	replay_sent(struct replay_sim *, const char *);
static void	replay_push_cmd(struct replay_sim *, const char *,
		    const char *, long long);
static struct replay_cmd *replay_pop_cmd(struct replay_sim *);
static void	replay_on_line(void *, const char *, size_t, int, int,
		    unsigned);
static void	replay_on_reply(struct replay_sim *, struct reply *);
static void	replay_after_reply(struct replay_sim *, const char *, int);
static int	replay_enh(const struct reply *);
static void	replay_client(struct replay_sim *,
		    const struct replay_rec *);
static void	replay_server(struct replay_sim *,
		    const struct replay_rec *);
static int	replay_tls_sec(const struct replay_sim *);
static void	replay_tls(struct replay_sim *);
static const char *replay_verb_of(const char *, char *, size_t);
static char	*replay_mask_auth(const char *);
static int	replay_is_summary(const struct replay_sim *, const char *);
static void	replay_sim_rec(struct replay_sim *, struct replay_rec *);
static void	replay_flush(struct replay_sim *);
static void	replay_pass(struct replay *, size_t, session_cb *, void *);
static struct replay *replay_parse_own(const char *, char *, size_t);

/* Record a line that could not be parsed, quoting its start. */
static void
replay_add_problem(struct replay *r, size_t line, const char *s, size_t len,
    const char *why)
{
	struct replay_problem	*p;
	char			*quote;

	if (r->nprobs == REPLAY_PROBLEMS_MAX) {
		if (r->probs_more++ == 0)
			r->probs_more_line = line;
		return;
	}
	if (r->nprobs == r->probs_size) {
		r->probs_size = r->probs_size == 0 ? 8 : r->probs_size * 2;
		r->probs = xreallocarray(r->probs, r->probs_size,
		    sizeof *r->probs);
	}
	p = &r->probs[r->nprobs++];
	p->line = line;
	if (s == NULL) {
		p->reason = xasprintf("%s:%zu: %s", r->name, line, why);
		return;
	}
	quote = text_escape_dup(s, len > REPLAY_QUOTE_MAX ? REPLAY_QUOTE_MAX :
	    len);
	p->reason = xasprintf("%s:%zu: %s: \"%s%s\"", r->name, line, why, quote,
	    len > REPLAY_QUOTE_MAX ? "..." : "");
	free(quote);
}

/* Keep a record; text is unescaped first when escaped is set. */
static void
replay_add_rec(struct replay *r, enum replay_kind kind, int sec, long long ms,
    size_t line, const char *text, size_t len, int escaped)
{
	struct replay_rec	*rec;

	if (r->nrecs == r->recs_size) {
		r->recs_size = r->recs_size == 0 ? 64 : r->recs_size * 2;
		r->recs = xreallocarray(r->recs, r->recs_size, sizeof *r->recs);
	}
	rec = &r->recs[r->nrecs++];
	memset(rec, 0, sizeof *rec);
	rec->kind = kind;
	rec->sec = sec;
	rec->ms = ms;
	rec->line = line;
	rec->rtt_us = -1;
	if (escaped)
		rec->text = replay_unescape(text, len, &rec->len);
	else {
		rec->text = xmalloc(len + 1);
		memcpy(rec->text, text, len);
		rec->text[len] = '\0';
		rec->len = len;
	}
	if (kind != REPLAY_KIND_NOTICE)
		return;
	if (r->fmt == REPLAY_FMT_SWAKS ? strncmp(rec->text,
	    "TLS started with cipher ", 24) == 0 : strncmp(rec->text,
	    "TLS is up: ", 11) == 0)
		rec->flags |= REPLAY_REC_TLS_START;
}

/* Read n decimal digits into *v; returns 0, or -1 when they are not. */
static int
replay_digits(const char *s, size_t n, int *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		*v = *v * 10 + (s[i] - '0');
	}
	return (0);
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static long long
replay_days(int y, int m, int d)
{
	long long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/*
 * A local time of day, days after an arbitrary first day, in milliseconds
 * since the epoch.  Line mode prints --timestamps in local time and the
 * front ends show recorded times with localtime(), so the time must be
 * read as local too or it comes back shifted by the time zone's offset.
 * The recording's date is unknown: 2000-01-01 stands in, far enough from
 * 1970 that no time zone makes the result 0 ("no time") or negative.
 */
static long long
replay_local_ms(long long days, int h, int mi, int se, int ms)
{
	struct tm	tm;
	time_t		secs;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = 100;
	tm.tm_mday = 1 + (int)days;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	if ((secs = mktime(&tm)) == (time_t)-1)
		return (((replay_days(2000, 1, 1) + days) * 86400 + h * 3600 +
		    mi * 60 + se) * 1000LL + ms);
	return ((long long)secs * 1000 + ms);
}

/*
 * The kind of a smtpscope line by its direction letter (S, C, *, !, and E
 * for explanations); -1 for any other.
 */
static int
replay_dir_kind(char c)
{
	switch (c) {
	case 'S':
		return (REPLAY_KIND_SERVER);
	case 'C':
		return (REPLAY_KIND_CLIENT);
	case '*':
		return (REPLAY_KIND_NOTICE);
	case '!':
		return (REPLAY_KIND_WARNING);
	case 'E':
		return (REPLAY_KIND_IGNORE);
	}
	return (-1);
}

/* Map a protection name to a session_sec; -2 when it is none of ours. */
static int
replay_sec_token(const char *s, size_t len)
{
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 5 && memcmp(s, "clear", 5) == 0)
		return (SESSION_SEC_CLEAR);
	if (len == 3 && memcmp(s, "tls", 3) == 0)
		return (SESSION_SEC_TLS);
	if (len == 4 && memcmp(s, "tls!", 4) == 0)
		return (SESSION_SEC_TLS_UNVERIFIED);
	if ((len == 1 && s[0] == '-') || len == 0)
		return (REPLAY_SEC_UNKNOWN);
	return (-2);
}

/*
 * A --log line: "2026-11-22T16:21:50.123Z S clear 250-PIPELINING", the
 * protection padded to five columns ("%-5s "), then the escaped text.
 */
static int
replay_line_log(struct replay *r, const char *s, size_t len, size_t line,
    int add, const char **why)
{
	int			 y, mo, d, h, mi, se, ms = 0, sec, kind;
	size_t			 i = 19, n, field;
	char			 dir;
	long long		 t;

	*why = "not a line of a smtpscope log (TIME DIR PROTECTION TEXT)";
	if (len < 24 || replay_digits(s, 4, &y) != 0 || s[4] != '-' ||
	    replay_digits(s + 5, 2, &mo) != 0 || s[7] != '-' ||
	    replay_digits(s + 8, 2, &d) != 0 || s[10] != 'T' ||
	    replay_digits(s + 11, 2, &h) != 0 || s[13] != ':' ||
	    replay_digits(s + 14, 2, &mi) != 0 || s[16] != ':' ||
	    replay_digits(s + 17, 2, &se) != 0)
		return (0);
	if (s[i] == '.') {
		for (n = 0, i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (n++ < 3)
				ms = ms * 10 + (s[i] - '0');
		for (; n < 3; n++)
			ms *= 10;
	}
	if (i + 3 > len || s[i] != 'Z' || s[i + 1] != ' ')
		return (0);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return (0);
	dir = s[i + 2];
	i += 3;
	/* A log holds no explanations ("E"). */
	if ((kind = replay_dir_kind(dir)) == -1 || kind == REPLAY_KIND_IGNORE) {
		*why = "unknown direction in a smtpscope log line";
		return (0);
	}
	if (i < len && s[i] != ' ')
		return (0);
	i = i < len ? i + 1 : len;
	/* The protection field is "%-5s " wide; the text follows it. */
	field = len - i >= 6 ? 5 : len - i;
	if (len - i > 5 && s[i + 5] != ' ')
		return (0);
	if ((sec = replay_sec_token(s + i, field)) == -2) {
		*why = "unknown protection in a smtpscope log line";
		return (0);
	}
	i = len - i >= 6 ? i + 6 : len;
	if (add) {
		t = (replay_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) *
		    1000LL + ms;
		replay_add_rec(r, kind, sec, t, line, s + i, len - i, 1);
	}
	return (1);
}

/*
 * A line of line-mode output: an optional "HH:MM:SS.mmm " time, then
 * "%c %-5s %s": direction (S, C, *, !, E), protection, escaped text.
 */
static int
replay_line_output(struct replay *r, const char *s, size_t len, size_t line,
    int add, const char **why)
{
	int			 h = 0, mi = 0, se = 0, ms = 0, sec;
	int			 stamped = 0, kind;
	size_t			 field, text;
	long long		 t = 0;

	*why = "not a line of smtpscope output (DIR PROTECTION TEXT)";
	if (len >= 13 && replay_digits(s, 2, &h) == 0 && s[2] == ':' &&
	    replay_digits(s + 3, 2, &mi) == 0 && s[5] == ':' &&
	    replay_digits(s + 6, 2, &se) == 0 && s[8] == '.' &&
	    replay_digits(s + 9, 3, &ms) == 0 && s[12] == ' ') {
		if (h > 23 || mi > 59 || se > 60)
			return (0);
		s += 13;
		len -= 13;
		stamped = 1;
	}
	if (len == 0 || (kind = replay_dir_kind(s[0])) == -1)
		return (0);
	if (len > 1 && s[1] != ' ')
		return (0);
	/* Trailing blanks may have been trimmed from an empty text. */
	field = len >= 8 ? 5 : (len > 2 ? len - 2 : 0);
	if (len >= 8 && s[7] != ' ')
		return (0);
	if ((sec = replay_sec_token(s + 2, field)) == -2)
		return (0);
	if (kind == REPLAY_KIND_SERVER || kind == REPLAY_KIND_CLIENT) {
		/* Lines on the wire say how they travelled. */
		if (sec == REPLAY_SEC_UNKNOWN)
			return (0);
	} else if (field > 0 && s[2] != ' ')
		return (0);		/* the others leave it blank */
	text = len >= 8 ? 8 : len;
	if (!add || kind == REPLAY_KIND_IGNORE)
		return (1);
	if (stamped) {
		t = ((long long)h * 3600 + mi * 60 + se) * 1000 + ms;
		/* Only the time of day: count the midnights passed. */
		if (r->tod_last != 0 && t + r->tod_days * 86400000LL <
		    r->tod_last)
			r->tod_days++;
		t += r->tod_days * 86400000LL;
		if (t == 0)
			t = 1;
		r->tod_last = t;
		t = replay_local_ms(r->tod_days, h, mi, se, ms);
	}
	if (kind == REPLAY_KIND_NOTICE && len - text ==
	    strlen(REPLAY_PLAIN_BOUNDARY) && memcmp(s + text,
	    REPLAY_PLAIN_BOUNDARY, len - text) == 0)
		kind = REPLAY_KIND_TLS;
	replay_add_rec(r, kind, sec, t, line, s + text, len - text, 1);
	return (1);
}

/*
 * A line of swaks' output.  swaks' ptrans() puts a three-character mark
 * and a space in front of every line it prints:
 *	"===" its own information		"***" its own errors
 *	" ->" sent in clear, " ~>" sent under TLS
 *	"**>" / "*~>" sent, flagged as an error
 *	"<- " received in clear, "<~ " received under TLS
 *	"<**" / "<~*" received, not the reply swaks expected
 *	"  >" / "<  " hex dumps of raw bytes (--show-raw-text)
 *	"???" anything else
 * --suppress-data prints the message as "N lines sent".
 */
static int
replay_line_swaks(struct replay *r, const char *s, size_t len, size_t line,
    int add, const char **why)
{
	static const struct {
		const char		*mark;
		enum replay_kind	 kind;
		int			 tls;
	} marks[] = {
		{ "===", REPLAY_KIND_NOTICE, 0 },
		{ "***", REPLAY_KIND_WARNING, 0 },
		{ "???", REPLAY_KIND_WARNING, 0 },
		{ " ->", REPLAY_KIND_CLIENT, 0 },
		{ "**>", REPLAY_KIND_CLIENT, 0 },
		{ " ~>", REPLAY_KIND_CLIENT, 1 },
		{ "*~>", REPLAY_KIND_CLIENT, 1 },
		{ "<- ", REPLAY_KIND_SERVER, 0 },
		{ "<**", REPLAY_KIND_SERVER, 0 },
		{ "<~ ", REPLAY_KIND_SERVER, 1 },
		{ "<~*", REPLAY_KIND_SERVER, 1 },
		{ "  >", REPLAY_KIND_IGNORE, 0 },
		{ "<  ", REPLAY_KIND_IGNORE, 0 },
		{ NULL, REPLAY_KIND_IGNORE, 0 }
	};
	const char	*text, *p;
	size_t		 i, tlen;
	int		 sec, digits;
	long long	 us, scale;

	*why = "not a line of swaks output (no \"<-\", \" ->\", \"===\" mark)";
	if (len < 3)
		return (0);
	for (i = 0; marks[i].mark != NULL; i++) {
		if (memcmp(s, marks[i].mark, 3) == 0 && (len == 3 ||
		    s[3] == ' '))
			break;
	}
	if (marks[i].mark == NULL)
		return (0);
	/* "<- " + " " is "<-  ": the text starts after the fourth column. */
	text = len > 4 ? s + 4 : s + len;
	tlen = len > 4 ? len - 4 : 0;
	if (!add || marks[i].kind == REPLAY_KIND_IGNORE)
		return (1);
	sec = SESSION_SEC_CLEAR;
	if (marks[i].tls)
		sec = r->swaks_tls_sec;
	replay_add_rec(r, marks[i].kind, sec, 0, line, text, tlen, 0);
	if (marks[i].kind != REPLAY_KIND_NOTICE)
		return (1);
	/* The record's copy is NUL-terminated; text need not be. */
	text = r->recs[r->nrecs - 1].text;
	if (strncmp(text, "TLS started with cipher ", 24) == 0)
		r->swaks_tls_sec = SESSION_SEC_TLS_UNVERIFIED;
	else if (strncmp(text, "TLS peer certificate ", 21) == 0)
		r->swaks_tls_sec = strstr(r->recs[r->nrecs - 1].text,
		    "failed") == NULL ? SESSION_SEC_TLS :
		    SESSION_SEC_TLS_UNVERIFIED;
	else if (strncmp(text, "response in ", 12) == 0) {
		/*
		 * --show-time-lapse, printed just before the reply: "0.045s"
		 * (or "0s" without Time::HiRes).  Read without strtod(),
		 * whose decimal point depends on the locale.
		 */
		p = r->recs[r->nrecs - 1].text + 12;
		for (us = 0, digits = 0; *p >= '0' && *p <= '9' && digits < 7;
		    p++, digits++)
			us = us * 10 + (*p - '0');
		us *= 1000000;
		if (*p == '.')
			for (p++, scale = 100000; *p >= '0' && *p <= '9'; p++) {
				us += (*p - '0') * scale;
				scale /= 10;
			}
		if (digits > 0 && strcmp(p, "s") == 0) {
			r->recs[r->nrecs - 1].flags |= REPLAY_REC_RTT;
			r->recs[r->nrecs - 1].rtt_us = us;
		}
	}
	return (1);
}

/* A "C: EHLO x" / "S: 250 ok" line (either case, the space optional). */
static int
replay_line_cs(struct replay *r, const char *s, size_t len, size_t line,
    int add, const char **why)
{
	enum replay_kind	 kind;
	size_t			 i = 0;

	*why = "not a \"C:\" or \"S:\" line";
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (len - i < 2 || s[i + 1] != ':')
		return (0);
	if (s[i] == 'C' || s[i] == 'c')
		kind = REPLAY_KIND_CLIENT;
	else if (s[i] == 'S' || s[i] == 's')
		kind = REPLAY_KIND_SERVER;
	else
		return (0);
	if (!add)
		return (1);
	i += 2;
	if (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	replay_add_rec(r, kind, REPLAY_SEC_UNKNOWN, 0, line, s + i, len - i,
	    0);
	return (1);
}

/* Parse (or with add == 0 only test) one line in format fmt. */
static int
replay_line(struct replay *r, enum replay_fmt fmt, const char *s, size_t len,
    size_t line, int add, const char **why)
{
	switch (fmt) {
	case REPLAY_FMT_LOG:
		return (replay_line_log(r, s, len, line, add, why));
	case REPLAY_FMT_OUTPUT:
		return (replay_line_output(r, s, len, line, add, why));
	case REPLAY_FMT_SWAKS:
		return (replay_line_swaks(r, s, len, line, add, why));
	case REPLAY_FMT_CS:
		return (replay_line_cs(r, s, len, line, add, why));
	default:
		break;
	}
	*why = "not a line of any transcript format known";
	return (0);
}

/* Is a line worth looking at (not blank, not a "#" comment)? */
static int
replay_meaningful(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (s[i] == '#')
			return (0);
		if (s[i] != ' ' && s[i] != '\t')
			return (1);
	}
	return (0);
}

/*
 * Recognise the format: the one that fits most of the first meaningful
 * lines; when none fits any of them, the first line further on that fits.
 */
static enum replay_fmt
replay_detect(const char *text, size_t len)
{
	struct replay	 dummy;
	const char	*p = text, *end = text + len, *nl, *why;
	size_t		 seen = 0, count[REPLAY_FMT_LAST], n;
	int		 f, best = REPLAY_FMT_UNKNOWN;

	memset(&dummy, 0, sizeof dummy);
	memset(count, 0, sizeof count);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!replay_meaningful(p, n))
			continue;
		for (f = REPLAY_FMT_LOG; f < REPLAY_FMT_LAST; f++) {
			if (replay_line(&dummy, f, p, n, 0, 0, &why)) {
				count[f]++;
				if (seen >= REPLAY_DETECT_LINES)
					return (f);
			}
		}
		if (++seen == REPLAY_DETECT_LINES) {
			for (f = REPLAY_FMT_LOG; f < REPLAY_FMT_LAST; f++)
				if (count[f] > count[best])
					best = f;
			if (best != REPLAY_FMT_UNKNOWN)
				return (best);
		}
	}
	for (f = REPLAY_FMT_LOG; f < REPLAY_FMT_LAST; f++)
		if (count[f] > count[best])
			best = f;
	return (best);
}

/* Append code point cp as UTF-8. */
static void
replay_utf8(struct buf *b, unsigned int cp)
{
	if (cp < 0x80)
		buf_addch(b, (int)cp);
	else if (cp < 0x800) {
		buf_addch(b, (int)(0xc0 | (cp >> 6)));
		buf_addch(b, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addch(b, (int)(0xe0 | (cp >> 12)));
		buf_addch(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addch(b, (int)(0x80 | (cp & 0x3f)));
	} else {
		buf_addch(b, (int)(0xf0 | (cp >> 18)));
		buf_addch(b, (int)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addch(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addch(b, (int)(0x80 | (cp & 0x3f)));
	}
}

/* Value of n hex digits, or -1. */
static int
replay_hex(const char *s, size_t n)
{
	int	v = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= s[i] - 'A' + 10;
		else
			return (-1);
	}
	return (v);
}

/* Undo text_escape(). */
char *
replay_unescape(const char *s, size_t len, size_t *outlen)
{
	struct buf	b;
	size_t		i = 0;
	int		v;

	buf_init(&b, 0);
	while (i < len) {
		if (s[i] != '\\' || i + 1 == len) {
			buf_addch(&b, (unsigned char)s[i++]);
			continue;
		}
		switch (s[i + 1]) {
		case '\\':
			buf_addch(&b, '\\');
			break;
		case 't':
			buf_addch(&b, '\t');
			break;
		case 'r':
			buf_addch(&b, '\r');
			break;
		case 'n':
			buf_addch(&b, '\n');
			break;
		case 'e':
			buf_addch(&b, 0x1b);
			break;
		case 'x':
			if (i + 4 > len || (v = replay_hex(s + i + 2, 2)) == -1)
				goto literal;
			buf_addch(&b, v);
			i += 4;
			continue;
		case 'u':
			if (i + 6 > len ||
			    (v = replay_hex(s + i + 2, 4)) == -1 ||
			    (v >= 0xd800 && v <= 0xdfff))
				goto literal;
			replay_utf8(&b, (unsigned int)v);
			i += 6;
			continue;
		case 'U':
			/* \U0010ffff at most: the first two digits are 0. */
			if (i + 10 > len || s[i + 2] != '0' || s[i + 3] != '0' ||
			    (v = replay_hex(s + i + 4, 6)) == -1 ||
			    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
				goto literal;
			replay_utf8(&b, (unsigned int)v);
			i += 10;
			continue;
		default:
			goto literal;
		}
		i += 2;
		continue;
literal:
		buf_addch(&b, '\\');
		i++;
	}
	return (buf_detach(&b, outlen));
}

/* Add an event stamped with the current protection, phase and step. */
static struct replay_ev *
replay_push(struct replay_sim *sim, enum session_ev type)
{
	struct replay		*r = sim->r;
	struct replay_ev	*ev;

	if (r->nevs == r->evs_size) {
		r->evs_size = r->evs_size == 0 ? 64 : r->evs_size * 2;
		r->evs = xreallocarray(r->evs, r->evs_size, sizeof *r->evs);
	}
	ev = &r->evs[r->nevs++];
	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->sec = sim->sec;
	ev->phase = sim->phase;
	ev->rtt_us = -1;
	ev->step = sim->step;
	ev->ms = sim->cur_ms;
	return (ev);
}

/* Add a notice or warning. */
static void
replay_text_event(struct replay_sim *sim, enum session_ev type,
    const char *text)
{
	replay_push(sim, type)->text = xstrdup(text);
}

/* Add a line sent. */
static void
replay_sent(struct replay_sim *sim, const char *shown)
{
	replay_push(sim, SESSION_EV_SENT)->text = xstrdup(shown);
}

/* Queue a command waiting for its reply. */
static void
replay_push_cmd(struct replay_sim *sim, const char *verb, const char *shown,
    long long ms)
{
	struct replay_cmd	*c;

	c = xcalloc(1, sizeof *c);
	c->verb = verb;
	c->shown = xstrdup(shown);
	c->ms = ms;
	if (sim->out_tail != NULL)
		sim->out_tail->next = c;
	else
		sim->out = c;
	sim->out_tail = c;
	sim->nout++;
}

/* Take the oldest command waiting. */
static struct replay_cmd *
replay_pop_cmd(struct replay_sim *sim)
{
	struct replay_cmd	*c = sim->out;

	if (c == NULL)
		return (NULL);
	sim->out = c->next;
	if (sim->out == NULL)
		sim->out_tail = NULL;
	sim->nout--;
	return (c);
}

/* The parser saw a server line: as session_on_line(). */
static void
replay_on_line(void *arg, const char *line, size_t len, int code, int final,
    unsigned flags)
{
	struct replay_sim	*sim = arg;
	struct replay_ev	*ev;

	ev = replay_push(sim, SESSION_EV_LINE);
	ev->data = xmalloc(len + 1);
	memcpy(ev->data, line, len);
	ev->data[len] = '\0';
	ev->len = len;
	ev->code = code;
	ev->final = final;
	ev->flags = flags;
	if (!sim->greeted && sim->nout == 0)
		ev->verb = "CONNECT";
	else if (sim->out != NULL)
		ev->verb = sim->out->verb;
}

/* A complete reply: as session_on_reply(), the event then the state. */
static void
replay_on_reply(struct replay_sim *sim, struct reply *rep)
{
	struct replay		*r = sim->r;
	struct replay_ev	*ev;
	struct replay_cmd	*c = NULL;
	const char		*verb = NULL, *t;
	char			*dec;
	size_t			 tlen, dlen;
	long long		 rtt = -1;
	unsigned		 notes = 0;

	if (!sim->greeted && sim->nout == 0) {
		verb = "CONNECT";
		if (sim->connect_ms != 0 && sim->line_ms >= sim->connect_ms)
			rtt = (sim->line_ms - sim->connect_ms) * 1000;
	} else if ((c = replay_pop_cmd(sim)) != NULL) {
		verb = c->verb;
		if (c->ms != 0 && sim->line_ms >= c->ms)
			rtt = (sim->line_ms - c->ms) * 1000;
	} else
		notes |= SESSION_NOTE_UNSOLICITED;
	if (sim->rtt_hint >= 0) {
		rtt = sim->rtt_hint;
		sim->rtt_hint = -1;
	}

	ev = replay_push(sim, SESSION_EV_REPLY);
	ev->reply = rep;
	ev->verb = verb;
	ev->rtt_us = rtt;
	if (c != NULL)
		ev->command = xstrdup(c->shown);
	if (rep->code == 334 && verb != NULL && strcmp(verb, "AUTH") == 0) {
		t = reply_text(rep, 0, &tlen);
		if ((dec = b64_decode(t, tlen, &dlen)) != NULL) {
			if (dlen > 0 && (text_classify(dec, dlen) &
			    (TEXT_CONTROL | TEXT_BAD_UTF8 |
			    TEXT_INVISIBLE)) == 0)
				ev->decoded = dec;
			else
				free(dec);
		}
	}
	if (verb != NULL && strcmp(verb, "DATA") == 0 && rep->code == 354 &&
	    sim->rcpt_ok == 0)
		notes |= SESSION_NOTE_DATA_NO_RCPT;
	/* As the session: the EHLO reply in force before this one. */
	if (sim->enh)
		notes |= SESSION_NOTE_ENH;
	ev->notes = notes;

	/* Each reply ends a step. */
	if (r->counting) {
		if (r->nreplies == r->step_ms_size) {
			r->step_ms_size = r->step_ms_size == 0 ? 64 :
			    r->step_ms_size * 2;
			r->step_ms = xreallocarray(r->step_ms, r->step_ms_size,
			    sizeof *r->step_ms);
		}
		r->step_ms[r->nreplies] = sim->line_ms;
	}
	r->nreplies++;
	sim->step++;

	if (rep->flags & REPLY_F_MALFORMED) {
		/* The line answered nothing; put the command back. */
		if (c != NULL) {
			c->next = sim->out;
			sim->out = c;
			if (sim->out_tail == NULL)
				sim->out_tail = c;
			sim->nout++;
		}
		return;
	}
	replay_after_reply(sim, verb, rep->code);
	if (verb != NULL && rep->code / 100 == 2 && strcmp(verb, "EHLO") == 0)
		sim->enh = replay_enh(rep);
	else if (verb != NULL && rep->code / 100 == 2 &&
	    strcmp(verb, "HELO") == 0)
		sim->enh = 0;
	if (c != NULL) {
		free(c->shown);
		free(c);
	}
}

/* What a reply changes: session_on_reply()'s rules, without sending. */
static void
replay_after_reply(struct replay_sim *sim, const char *verb, int code)
{
	int	cls = code / 100;

	if (verb == NULL)
		return;
	if (strcmp(verb, "CONNECT") == 0) {
		sim->greeted = 1;
		if (cls == 2)
			sim->phase = SESSION_PHASE_CONNECTED;
	} else if (strcmp(verb, "EHLO") == 0 || strcmp(verb, "HELO") == 0) {
		if (cls == 2)
			sim->phase = SESSION_PHASE_HELLO;
	} else if (strcmp(verb, "STARTTLS") == 0) {
		if (code == 220 && !sim->tls_on) {
			sim->starttls_go = 1;
			sim->phase = SESSION_PHASE_STARTTLS;
		}
	} else if (strcmp(verb, "AUTH") == 0) {
		if (code == 334) {
			sim->auth_challenge = 1;
			sim->phase = SESSION_PHASE_AUTH;
		} else {
			sim->auth_challenge = 0;
			sim->phase = SESSION_PHASE_HELLO;
		}
	} else if (strcmp(verb, "MAIL") == 0) {
		sim->rcpt_ok = 0;
		if (cls == 2)
			sim->phase = SESSION_PHASE_MAIL;
	} else if (strcmp(verb, "RCPT") == 0) {
		if (cls == 2) {
			sim->rcpt_ok++;
			sim->phase = SESSION_PHASE_RCPT;
		}
	} else if (strcmp(verb, "DATA") == 0) {
		if (code == 354) {
			sim->in_message = 1;
			sim->phase = SESSION_PHASE_DATA;
		}
	} else if (strcmp(verb, ".") == 0)
		sim->phase = SESSION_PHASE_HELLO;
	else if (strcmp(verb, "RSET") == 0) {
		if (cls == 2 && sim->phase >= SESSION_PHASE_MAIL)
			sim->phase = SESSION_PHASE_HELLO;
	}
}

/* Whether an EHLO reply advertises ENHANCEDSTATUSCODES (as caps_parse()). */
static int
replay_enh(const struct reply *rep)
{
	struct caps	*c;
	int		 enh;

	c = xmalloc(sizeof *c);
	caps_init(c);
	caps_parse(c, rep);
	enh = caps_has(c, "ENHANCEDSTATUSCODES");
	caps_clear(c);
	free(c);
	return (enh);
}

/* Find the verb of a command line, upper-cased into vb. */
static const char *
replay_verb_of(const char *line, char *vb, size_t vbsize)
{
	size_t	i;

	for (i = 0; line[i] != '\0' && i + 1 < vbsize && line[i] != ' ' &&
	    line[i] != ':'; i++)
		vb[i] = (char)(line[i] >= 'a' && line[i] <= 'z' ?
		    line[i] - 32 : line[i]);
	vb[i] = '\0';
	return (vb);
}

/*
 * "AUTH MECH initial-response" as shown: the response masked, unless the
 * transcript masked it already.  Returns a new string.
 */
static char *
replay_mask_auth(const char *line)
{
	const char	*sp, *mech, *sp2, *resp;

	if ((sp = strchr(line, ' ')) == NULL)
		return (xstrdup(line));
	for (mech = sp; *mech == ' '; mech++)
		/* nothing */;
	if ((sp2 = strchr(mech, ' ')) == NULL)
		return (xstrdup(line));
	for (resp = sp2; *resp == ' '; resp++)
		/* nothing */;
	if (*resp == '\0' || strncmp(resp, REPLAY_MASK, 8) == 0)
		return (xstrdup(line));
	return (xasprintf("%.*s " REPLAY_MASK " (initial response, hidden)",
	    (int)(sp2 - line), line));
}

/* Does a client line stand for a whole message (and its ".")? */
static int
replay_is_summary(const struct replay_sim *sim, const char *text)
{
	size_t	n = strlen(text);
	size_t	i;

	/* Ours: "[FILE: N bytes, N lines, N dots stuffed] then "."". */
	if (n > 10 && text[0] == '[' && strcmp(text + n - 10,
	    "] then \".\"") == 0)
		return (1);
	/* swaks --suppress-data: "N lines sent". */
	if (sim->r->fmt != REPLAY_FMT_SWAKS)
		return (0);
	for (i = 0; text[i] >= '0' && text[i] <= '9'; i++)
		/* nothing */;
	return (i > 0 && strcmp(text + i, " lines sent") == 0);
}

/* A client line: message text, an AUTH answer, or a command. */
static void
replay_client(struct replay_sim *sim, const struct replay_rec *rec)
{
	char		 vb[16], *shown, *s;
	const char	*key;

	if (sim->in_message) {
		if (strcmp(rec->text, ".") == 0) {
			sim->in_message = 0;
			replay_sent(sim, ".");
			replay_push_cmd(sim, ".", ".", rec->ms);
		} else if (replay_is_summary(sim, rec->text)) {
			sim->in_message = 0;
			if (rec->text[0] == '[')
				replay_sent(sim, rec->text);
			else {
				s = xasprintf("[message not shown by swaks: "
				    "%s] then \".\"", rec->text);
				replay_sent(sim, s);
				free(s);
			}
			replay_push_cmd(sim, ".", ".", rec->ms);
		} else
			replay_sent(sim, rec->text);
		return;
	}

	/*
	 * After a 334, or while AUTH waits for its reply (nothing may follow
	 * it, RFC 4954), a client line answers the server: always masked.
	 */
	if (sim->auth_challenge || (sim->out_tail != NULL &&
	    strcmp(sim->out_tail->verb, "AUTH") == 0)) {
		if (strncmp(rec->text, REPLAY_MASK, 8) == 0)
			shown = xstrdup(rec->text);
		else
			shown = xstrdup(REPLAY_MASK_ANSWER);
		replay_sent(sim, shown);
		replay_push_cmd(sim, "AUTH", shown, rec->ms);
		free(shown);
		sim->auth_challenge = 0;
		return;
	}

	if ((key = explain_verb(replay_verb_of(rec->text, vb, sizeof vb))) ==
	    NULL)
		key = "*";
	if (strcmp(key, "AUTH") == 0)
		shown = replay_mask_auth(rec->text);
	else
		shown = xstrdup(rec->text);
	replay_sent(sim, shown);
	replay_push_cmd(sim, key, shown, rec->ms);
	free(shown);
	if (strcmp(key, "QUIT") == 0)
		sim->phase = SESSION_PHASE_QUIT;
}

/* A server line: through the reply parser, one line at a time. */
static void
replay_server(struct replay_sim *sim, const struct replay_rec *rec)
{
	struct buf	 b;
	struct reply	*rep;
	size_t		 off = 0, used;

	/* A reply while the message is open and nothing waits ends it. */
	if (sim->in_message && sim->nout == 0 &&
	    reply_parser_pending(sim->parser) == 0) {
		sim->in_message = 0;
		replay_push_cmd(sim, ".", ".", 0);
	}
	sim->line_ms = rec->ms;
	buf_init(&b, 0);
	buf_add(&b, rec->text, rec->len);
	buf_add(&b, "\r\n", 2);
	while (off < b.len) {
		if (reply_parser_feed(sim->parser, b.data + off, b.len - off,
		    &used, &rep) == 0)
			break;
		off += used;
		replay_on_reply(sim, rep);
	}
	buf_release(&b);
}

/*
 * Protection after the TLS boundary: that of the next line recorded with
 * one, this one included, else verified TLS (the transcript does not say
 * otherwise).  The lines after this one are read ahead, not kept.
 */
static int
replay_tls_sec(const struct replay_sim *sim)
{
	const struct replay	*r = sim->r;
	struct replay		 ahead;
	const struct replay_rec	*rec;
	const char		*p, *nl, *why, *end = r->text + r->len;
	size_t			 i, n, line = sim->next_line;
	int			 sec = -1;

	/* This line first, then the next ones, parsed from the same state. */
	for (i = 0; i < r->nrecs && sec == -1; i++) {
		rec = &r->recs[i];
		if ((rec->kind == REPLAY_KIND_SERVER ||
		    rec->kind == REPLAY_KIND_CLIENT) &&
		    rec->sec != REPLAY_SEC_UNKNOWN)
			sec = rec->sec;
	}
	memcpy(&ahead, r, sizeof ahead);
	ahead.recs = NULL;
	ahead.nrecs = ahead.recs_size = 0;
	for (p = sim->next; sec == -1 && p < end; p = nl + 1, line++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!replay_meaningful(p, n) ||
		    !replay_line(&ahead, ahead.fmt, p, n, line, 1, &why))
			continue;
		for (i = 0; i < ahead.nrecs; i++) {
			rec = &ahead.recs[i];
			if (sec == -1 && (rec->kind == REPLAY_KIND_SERVER ||
			    rec->kind == REPLAY_KIND_CLIENT) &&
			    rec->sec != REPLAY_SEC_UNKNOWN)
				sec = rec->sec;
			free(rec->text);
		}
		ahead.nrecs = 0;
	}
	free(ahead.recs);
	if (sec == -1 || sec == SESSION_SEC_CLEAR)
		return (SESSION_SEC_TLS);
	return (sec);
}

/* Show the TLS boundary (no tls_info exists: a notice stands for it). */
static void
replay_tls(struct replay_sim *sim)
{
	sim->sec = replay_tls_sec(sim);
	sim->tls_on = 1;
	sim->starttls_go = 0;
	sim->enh = 0;	/* RFC 3207 4.2: forgotten with the rest */
	replay_text_event(sim, SESSION_EV_NOTICE, REPLAY_TLS_TEXT);
	if (sim->phase == SESSION_PHASE_STARTTLS)
		sim->phase = SESSION_PHASE_CONNECTED;
}

/* One record through the pairing rules: its events join r->evs. */
static void
replay_sim_rec(struct replay_sim *sim, struct replay_rec *rec)
{
	int	wire;

	sim->cur_ms = rec->ms;
	wire = rec->kind == REPLAY_KIND_SERVER ||
	    rec->kind == REPLAY_KIND_CLIENT;
	if (sim->nrec++ == 0 && !wire && rec->ms != 0)
		sim->connect_ms = rec->ms;

	/* The TLS boundary, however the transcript shows it. */
	if (!sim->tls_on) {
		if (rec->kind == REPLAY_KIND_TLS ||
		    (rec->flags & REPLAY_REC_TLS_START))
			replay_tls(sim);
		else if (wire && rec->sec != REPLAY_SEC_UNKNOWN &&
		    rec->sec != SESSION_SEC_CLEAR)
			replay_tls(sim);
		else if (wire && sim->starttls_go) {
			if (rec->sec == REPLAY_SEC_UNKNOWN)
				replay_tls(sim);
			else
				sim->starttls_go = 0;
		}
	}
	if (rec->kind == REPLAY_KIND_TLS)
		return;
	if (wire && rec->sec != REPLAY_SEC_UNKNOWN)
		sim->sec = rec->sec;
	if (wire && sim->phase == SESSION_PHASE_CONNECTING)
		sim->phase = SESSION_PHASE_GREETING;

	switch (rec->kind) {
	case REPLAY_KIND_SERVER:
		replay_server(sim, rec);
		break;
	case REPLAY_KIND_CLIENT:
		replay_client(sim, rec);
		break;
	case REPLAY_KIND_NOTICE:
		replay_text_event(sim, SESSION_EV_NOTICE, rec->text);
		if (rec->flags & REPLAY_REC_RTT)
			sim->rtt_hint = rec->rtt_us;
		break;
	case REPLAY_KIND_WARNING:
		replay_text_event(sim, SESSION_EV_WARNING, rec->text);
		break;
	default:
		break;
	}
}

/*
 * Hand out the events made so far (while their step, the last one for
 * whatever follows the last reply, is under upto) and free them.
 */
static void
replay_flush(struct replay_sim *sim)
{
	struct replay		*r = sim->r;
	struct replay_ev	*e;
	struct session_event	 ev;
	size_t			 i, step;

	for (i = 0; i < r->nevs; i++) {
		e = &r->evs[i];
		r->nevs_total++;
		step = e->step;
		if (r->nsteps > 0 && step >= r->nsteps)
			step = r->nsteps - 1;
		if (sim->cb != NULL && step >= sim->upto)
			sim->stop = 1;
		if (sim->cb != NULL && !sim->stop) {
			memset(&ev, 0, sizeof ev);
			ev.type = e->type;
			ev.sec = e->sec;
			ev.phase = e->phase;
			ev.text = e->text;
			ev.reply = e->reply;
			ev.verb = e->verb;
			ev.command = e->command;
			ev.decoded = e->decoded;
			ev.tls = NULL;
			ev.fail = SESSION_FAIL_NONE;
			ev.data = e->data;
			ev.len = e->len;
			ev.rtt_us = e->rtt_us;
			ev.notes = e->notes;
			ev.code = e->code;
			ev.final = e->final;
			ev.flags = e->flags;
			ev.time_ms = e->ms;
			sim->cb(sim->arg, &ev);
		}
		free(e->text);
		free(e->data);
		free(e->command);
		free(e->decoded);
		reply_free(e->reply);
	}
	r->nevs = 0;
}

/*
 * One pass over the text: each line parsed, paired and its events handed
 * to cb (NULL: none) up to step upto.  With r->counting set, the problems,
 * the steps and their times are recorded.
 */
static void
replay_pass(struct replay *r, size_t upto, session_cb *cb, void *arg)
{
	struct replay_sim	 sim;
	struct replay_cmd	*c;
	const char		*p, *end = r->text + r->len, *nl, *why;
	size_t			 i, n, line = 0;

	memset(&sim, 0, sizeof sim);
	sim.r = r;
	sim.parser = reply_parser_new(0, 0);
	reply_parser_set_line_cb(sim.parser, replay_on_line, &sim);
	sim.sec = SESSION_SEC_CLEAR;
	sim.phase = SESSION_PHASE_CONNECTING;
	sim.rtt_hint = -1;
	sim.cb = cb;
	sim.arg = arg;
	sim.upto = upto;

	for (p = r->text; p < end && !sim.stop; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!replay_meaningful(p, n))
			continue;
		if (!replay_line(r, r->fmt, p, n, line, 1, &why)) {
			if (r->counting)
				replay_add_problem(r, line, p, n, why);
			continue;
		}
		sim.next = nl < end ? nl + 1 : end;
		sim.next_line = line + 1;
		for (i = 0; i < r->nrecs; i++)
			replay_sim_rec(&sim, &r->recs[i]);
		for (i = 0; i < r->nrecs; i++)
			free(r->recs[i].text);
		r->nrecs = 0;
		replay_flush(&sim);
	}
	replay_flush(&sim);

	/* Whatever follows the last reply belongs to the last step. */
	if (r->counting) {
		if (r->nreplies == 0)
			r->nsteps = r->nevs_total > 0 ? 1 : 0;
		else
			r->nsteps = r->nreplies;
	}

	while ((c = replay_pop_cmd(&sim)) != NULL) {
		free(c->shown);
		free(c);
	}
	reply_parser_free(sim.parser);
}

/* Read and parse a file. */
struct replay *
replay_load(const char *path, char **cause)
{
	struct stat	 st;
	struct buf	 b;
	char		 chunk[65536], *text;
	size_t		 len;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s: %s", path, strerror(EISDIR));
		close(fd);
		return (NULL);
	}
	buf_init(&b, REPLAY_FILE_MAX);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (buf_add(&b, chunk, (size_t)n) == -1) {
			*cause = xasprintf("%s: larger than %d MB; not a "
			    "transcript", path,
			    REPLAY_FILE_MAX / (1024 * 1024));
			n = -1;
			break;
		}
	}
	close(fd);
	if (n == -1) {
		buf_release(&b);
		return (NULL);
	}
	text = buf_detach(&b, &len);
	return (replay_parse_own(path, text, len));
}

/* Parse a transcript (the text is copied). */
struct replay *
replay_parse(const char *name, const char *text, size_t len)
{
	char	*copy;

	if (text == NULL)
		len = 0;
	copy = xmalloc(len + 1);
	if (len > 0)
		memcpy(copy, text, len);
	copy[len] = '\0';
	return (replay_parse_own(name, copy, len));
}

/* Parse a transcript, keeping text (allocated, len bytes). */
static struct replay *
replay_parse_own(const char *name, char *text, size_t len)
{
	struct replay	*r;

	r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name != NULL ? name : "transcript");
	r->swaks_tls_sec = SESSION_SEC_TLS_UNVERIFIED;
	r->text = text;
	r->len = len;
	/* A byte order mark is not part of the first line. */
	if (len >= 3 && memcmp(text, "\357\273\277", 3) == 0) {
		memmove(text, text + 3, len - 3);
		r->len = len - 3;
	}
	r->fmt = replay_detect(r->text, r->len);
	r->counting = 1;
	replay_pass(r, 0, NULL, NULL);
	r->counting = 0;
	free(r->recs);
	r->recs = NULL;
	r->recs_size = 0;
	free(r->evs);
	r->evs = NULL;
	r->evs_size = 0;
	/* The problems not kept, counted in one more. */
	if (r->probs_more > 0) {
		r->probs = xreallocarray(r->probs, r->nprobs + 1,
		    sizeof *r->probs);
		r->probs[r->nprobs].line = r->probs_more_line;
		r->probs[r->nprobs++].reason = xasprintf("%s:%zu: %zu more "
		    "lines could not be read, from this one on", r->name,
		    r->probs_more_line, r->probs_more);
	}
	return (r);
}

/* Free a replay. */
void
replay_free(struct replay *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nprobs; i++)
		free(r->probs[i].reason);
	free(r->recs);
	free(r->evs);
	free(r->probs);
	free(r->step_ms);
	free(r->text);
	free(r->name);
	free(r);
}

/* The format recognised. */
const char *
replay_format(const struct replay *r)
{
	return (replay_fmt_names[r->fmt]);
}

/* The name of the transcript. */
const char *
replay_name(const struct replay *r)
{
	return (r->name);
}

/* How many lines could not be parsed. */
size_t
replay_nproblems(const struct replay *r)
{
	return (r->nprobs);
}

/* Problem i: its line number and reason. */
const char *
replay_problem(const struct replay *r, size_t i, size_t *line)
{
	if (i >= r->nprobs)
		return (NULL);
	if (line != NULL)
		*line = r->probs[i].line;
	return (r->probs[i].reason);
}

/* How many steps. */
size_t
replay_steps(const struct replay *r)
{
	return (r->nsteps);
}

/*
 * Emit the events of the first upto steps: one more pass over the text,
 * from the state it started in.
 */
void
replay_run(const struct replay *r, size_t upto, session_cb *cb, void *arg)
{
	struct replay	w;

	memset(&w, 0, sizeof w);
	w.name = r->name;
	w.fmt = r->fmt;
	w.text = r->text;
	w.len = r->len;
	w.nsteps = r->nsteps;
	w.swaks_tls_sec = SESSION_SEC_TLS_UNVERIFIED;
	replay_pass(&w, upto, cb, arg);
	free(w.recs);
	free(w.evs);
	free(w.probs);
}

/* When step i's reply arrived. */
long long
replay_step_time(const struct replay *r, size_t i)
{
	if (i >= r->nreplies)
		return (0);
	return (r->step_ms[i]);
}
