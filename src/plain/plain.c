/* SPDX-License-Identifier: ISC */
/*
 * The line-mode front end.
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
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "base/b64.h"
#include "smtp/caps.h"
#include "front/cmd.h"
#include "kb/explain.h"
#include "record/export.h"
#include "kb/format.h"
#include "base/i18n.h"
#include "kb/kb.h"
#include "net/net.h"
#include "plain/plain.h"
#include "record/replay.h"
#include "smtp/reply.h"
#include "record/scrollback.h"
#include "smtp/session.h"
#include "base/text.h"
#include "net/tls.h"
#include "record/transcript.h"
#include "base/xmalloc.h"

/* A typed line longer than this is refused. */
#define PLAIN_LINE_MAX	(64 * 1024)

static int	plain_sigpipe[2] = { -1, -1 };

static void	plain_stamp(struct plain *);
static void	plain_cut(struct plain *);
static void	plain_lines(struct plain *, char *);
static void	plain_escaped(struct plain *, char, const char *, const char *,
		    size_t);
static void	plain_reply(struct plain *, const struct session_event *);
static void	plain_line(struct plain *, char *, size_t);
static void	plain_raw(struct plain *, const char *);
static int	plain_idle(struct plain *);
static void	plain_input(struct plain *);
static void	plain_command(struct plain *, const char *);
static void	plain_slash_auth(struct plain *, char *);
static char	*plain_ask_password(const char *);
static void	plain_help(struct plain *);
static void	plain_caps(struct plain *);
static void	plain_compare(struct plain *, const char *);
static void	plain_signal(int);

/* Set up. */
void
plain_init(struct plain *p, int fd, FILE *out, const struct kb *kb)
{
	memset(p, 0, sizeof *p);
	p->in_fd = fd;
	p->out = out;
	p->kb = kb;
	p->explain = 1;
	p->interactive = isatty(fd);
	buf_init(&p->inbuf, 0);
	p->sb = sb_new(0);
	sb_set_max_bytes(p->sb, SB_DEFAULT_MAX_BYTES);
	record_init(&p->rec, p->sb, kb);
}

/* Release. */
void
plain_release(struct plain *p)
{
	buf_release(&p->inbuf);
	sb_free(p->sb);
}

/* The connection ended inside a multi-line reply: say it is not whole. */
static void
plain_cut(struct plain *p)
{
	if (!p->midreply)
		return;
	p->midreply = 0;
	plain_say(p, '!', "%s", _("(the reply above is incomplete: the "
	    "connection ended before its last line)"));
}

/* Print the time, with --timestamps. */
static void
plain_stamp(struct plain *p)
{
	struct timespec	ts;
	struct tm	tm;
	char		s[16];

	if (!p->timestamps)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof s, "%H:%M:%S", &tm);
	fprintf(p->out, "%s.%03ld ", s, ts.tv_nsec / 1000000);
}

/* Print one line of ours. */
void
plain_say(struct plain *p, char dir, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	plain_escaped(p, dir, NULL, text, strlen(text));
	free(text);
}

/* Print a line with direction and protection, escaping the text. */
static void
plain_escaped(struct plain *p, char dir, const char *sec, const char *text,
    size_t len)
{
	struct buf	b;

	buf_init(&b, 0);
	text_escape(&b, text, len);
	plain_stamp(p);
	fprintf(p->out, "%c %-5s %s\n", dir, sec != NULL ? sec : "", b.data);
	buf_release(&b);
}

/* Print a reply and its explanation. */
static void
plain_reply(struct plain *p, const struct session_event *ev)
{
	const struct reply	*r = ev->reply;
	struct explanation	 ex;
	struct explain_ctx	 ctx;
	struct buf		 b;

	/* The lines were printed as they arrived (SESSION_EV_LINE). */
	if (r->dropped_bytes > 0)
		plain_say(p, '*', _("(%zu bytes of lines longer than %d were "
		    "not kept)"), r->dropped_bytes, REPLY_LINE_MAX);
	if (!p->explain)
		return;
	if (ev->verb != NULL && strcmp(ev->verb, "CONNECT") == 0)
		p->server = explain_server(p->kb, r, ev->verb);
	else if (p->server == NULL)
		p->server = explain_server(p->kb, r, ev->verb);
	memset(&ctx, 0, sizeof ctx);
	ctx.server = p->server;
	ctx.enh_expected = (ev->notes & SESSION_NOTE_ENH) != 0;
	if (ev->notes & SESSION_NOTE_UNSOLICITED)
		ctx.flags |= EXPLAIN_CTX_UNSOLICITED;
	if (ev->notes & SESSION_NOTE_DATA_NO_RCPT)
		ctx.flags |= EXPLAIN_CTX_DATA_NO_RCPT;
	explain_reply(p->kb, r, ev->verb, &ctx, &ex);
	/* Name the server once, when it is first recognised. */
	if (ex.server_name != NULL && p->server_named)
		ex.server_name = ex.server_about = NULL;
	else if (ex.server_name != NULL)
		p->server_named = 1;
	buf_init(&b, 0);
	format_explanation(&b, &ex, "E       ", p->verbose);
	if (ev->command != NULL) {
		buf_addstr(&b, _("E       command: "));
		text_escape(&b, ev->command, strlen(ev->command));
		buf_addch(&b, '\n');
	}
	if (ev->decoded != NULL) {
		buf_addstr(&b, _("E       decoded: "));
		text_escape(&b, ev->decoded, strlen(ev->decoded));
		buf_addch(&b, '\n');
	}
	if (p->timestamps && ev->rtt_us >= 0)
		buf_printf(&b, _("E       time:    %lld.%03lld ms after the "
		    "command\n"), ev->rtt_us / 1000, ev->rtt_us % 1000);
	plain_lines(p, b.data);
	buf_release(&b);
}

/* Print lines already formatted (and escaped), each with the time. */
static void
plain_lines(struct plain *p, char *text)
{
	char	*line, *nl;

	for (line = text; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		plain_stamp(p);
		fprintf(p->out, "%s\n", line);
	}
}

/* The session's event callback. */
void
plain_event(void *arg, const struct session_event *ev)
{
	struct plain	*p = arg;
	struct buf	 b;
	char		*line, *nl;

	transcript_event(p->log, ev);
	record_event(&p->rec, ev);
	switch (ev->type) {
	case SESSION_EV_SENT:
		plain_escaped(p, 'C', transcript_sec(ev->sec), ev->text,
		    strlen(ev->text));
		break;
	case SESSION_EV_LINE:
		plain_escaped(p, 'S', transcript_sec(ev->sec), ev->data,
		    ev->len);
		p->midreply = !ev->final;
		break;
	case SESSION_EV_REPLY:
		p->midreply = 0;
		plain_reply(p, ev);
		break;
	case SESSION_EV_NOTICE:
		plain_escaped(p, '*', NULL, ev->text, strlen(ev->text));
		if (ev->data != NULL)
			plain_escaped(p, '*', NULL, ev->data, ev->len);
		break;
	case SESSION_EV_WARNING:
		plain_escaped(p, '!', NULL, ev->text, strlen(ev->text));
		if (ev->data != NULL)
			plain_escaped(p, '!', NULL, ev->data, ev->len);
		break;
	case SESSION_EV_FAILED:
		plain_cut(p);
		plain_say(p, '!', _("error: %s"), ev->text);
		if (ev->data != NULL)
			plain_escaped(p, '!', NULL, ev->data, ev->len);
		if (p->explain) {
			const char	*title, *meaning, *fix;

			explain_failure(ev->fail, &title, &meaning, &fix);
			buf_init(&b, 0);
			format_failure(&b, "E       ", title, meaning, fix);
			plain_lines(p, b.data);
			buf_release(&b);
		}
		break;
	case SESSION_EV_TLS:
		buf_init(&b, 0);
		format_tls(&b, ev->tls, "");
		plain_stamp(p);
		fprintf(p->out, "%s", _("*       ---- TLS boundary: the lines "
		    "below travel encrypted ----\n"));
		for (line = b.data; *line != '\0'; line = nl + 1) {
			if ((nl = strchr(line, '\n')) == NULL)
				break;
			*nl = '\0';
			plain_stamp(p);
			fprintf(p->out, "*       %s\n", line);
		}
		buf_release(&b);
		break;
	case SESSION_EV_MARK:
		/* One of our commands, in turn (plain_line). */
		plain_command(p, ev->cookie);
		OPENSSL_cleanse(ev->cookie, strlen(ev->cookie));
		free(ev->cookie);
		break;
	case SESSION_EV_CLOSED:
		plain_cut(p);
		plain_say(p, '*', _("connection closed"));
		break;
	case SESSION_EV_PHASE:
		break;
	}
	/* Said once, when it happens, but not between a reply's lines. */
	if (!p->dropped_said && !p->midreply && sb_first(p->sb) > 0) {
		p->dropped_said = 1;
		buf_init(&b, 0);
		record_drop_notice(&p->rec, &b);
		plain_escaped(p, '!', NULL, b.data, b.len);
		buf_release(&b);
	}
	fflush(p->out);
}

/* Print the list of commands. */
static void
plain_help(struct plain *p)
{
	static const char *const lines[] = {
		N_("Anything you type is sent to the server as an SMTP command,"),
		N_("for example: EHLO me.example, MAIL FROM:<a@b.example>,"),
		N_("RCPT TO:<c@d.example>, DATA, VRFY name, HELP, STARTTLS, QUIT."),
		N_("After a 354 reply, lines are the message; \".\" alone ends it."),
		N_("/auth plain|login USER [PASSWORD]  authenticate (asks for the"),
		N_("                                   password when omitted)"),
		N_("/data FILE        send FILE as the message (sends DATA first)"),
		N_("/explain CODE [COMMAND]  explain a reply, e.g. /explain 550 RCPT"),
		N_("/compare CODE CODE       two replies side by side"),
		N_("/export FILE.html        write the session as an HTML handout"),
		N_("                         (mode 0600; add \"public\" for 0644)"),
		N_("/raw TEXT         send TEXT's bytes exactly, no CRLF added"),
		N_("                  (bare LF tests): \\r \\n \\t \\e \\\\ \\xHH \\uHHHH"),
		N_("/caps             list the server's EHLO capabilities"),
		N_("/b64 TEXT, /unb64 TEXT   base64 encode or decode"),
		N_("/help             this list"),
		N_("/quit             leave (QUIT is sent if the session is open,"),
		N_("                  and its reply waited for a few seconds)"),
		NULL
	};
	size_t	i;

	for (i = 0; lines[i] != NULL; i++)
		plain_say(p, '*', "%s", _(lines[i]));
}

/* Print the capabilities with what each means. */
static void
plain_caps(struct plain *p)
{
	const struct caps	*c = session_caps(p->session);
	size_t			 i;

	if (!c->valid) {
		plain_say(p, '*', _("no capabilities known: send EHLO first%s"),
		    session_sec(p->session) != SESSION_SEC_CLEAR ? _(" (they "
		    "are forgotten after STARTTLS)") : "");
		return;
	}
	for (i = 0; i < c->n; i++)
		plain_say(p, '*', "%s%s%s", c->kw[i].name,
		    *c->kw[i].params != '\0' ? " " : "", c->kw[i].params);
	if (c->has_size)
		plain_say(p, '*', _("largest message accepted: %llu bytes "
		    "(about %.1f MB)"), c->size, (double)c->size / 1e6);
	if (caps_has(c, "AUTH") && session_sec(p->session) ==
	    SESSION_SEC_CLEAR)
		plain_say(p, '!', _("AUTH is offered on an unencrypted "
		    "connection"));
}

/* Write the handout. */
int
plain_export(struct plain *p, const char *path, const char *target,
    int public)
{
	struct export_info	 info;
	char			*cause, when[64];

	export_info_now(&info, when, sizeof when, target, p->rec.server,
	    p->session != NULL ? session_tls(p->session) : NULL);
	if (export_html_file(p->sb, p->kb, &info, path, public,
	    &cause) == -1) {
		plain_say(p, '!', _("/export: %s"), cause);
		free(cause);
		return (-1);
	}
	plain_say(p, '*', _("handout written to %s"), path);
	return (0);
}

/* /compare A B. */
static void
plain_compare(struct plain *p, const char *arg)
{
	char			 a[64], c[64], *line, *nl;
	struct reply		*ra = NULL, *rc = NULL;
	struct explanation	 ea, ec;
	struct buf		 b;

	if (explain_split_pair(arg, a, sizeof a, c, sizeof c) == -1 ||
	    (ra = reply_from_line(a, strlen(a))) == NULL ||
	    (ra->flags & REPLY_F_MALFORMED) ||
	    (rc = reply_from_line(c, strlen(c))) == NULL ||
	    (rc->flags & REPLY_F_MALFORMED)) {
		plain_say(p, '!', _("usage: /compare CODE CODE, e.g. /compare "
		    "250 252 or /compare 550 5.1.1, 553"));
		reply_free(ra);
		reply_free(rc);
		return;
	}
	explain_reply(p->kb, ra, NULL, NULL, &ea);
	explain_reply(p->kb, rc, NULL, NULL, &ec);
	buf_init(&b, 0);
	format_compare(&b, p->kb, &ea, &ec);
	for (line = b.data; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		fprintf(p->out, "E       %s\n", line);
	}
	buf_release(&b);
	reply_free(ra);
	reply_free(rc);
}

/* Run one of our local commands (the table in cmd.c). */
static void
plain_command(struct plain *p, const char *line)
{
	const struct cmd_entry	*c;
	const char		*a;
	char			*arg, *verb, *rest;
	struct explanation	 ex;
	struct buf		 b;
	char			*enc, *dec, *path;
	size_t			 dlen;
	struct reply		*r;
	int			 public;

	if ((c = cmd_find(line, &a)) == NULL) {
		arg = xstrndup(line + 1, strcspn(line + 1, " "));
		plain_say(p, '!', _("unknown command /%s: type /help"), arg);
		free(arg);
		return;
	}
	arg = xstrdup(a);
	switch (c->id) {
	case CMD_HELP:
		plain_help(p);
		break;
	case CMD_QUIT:
		p->quit = 1;
		/* Waits a little for the 221, so the transcript is whole. */
		session_quit(p->session);
		break;
	case CMD_CAPS:
		plain_caps(p);
		break;
	case CMD_EXPLAIN:
		verb = NULL;
		rest = strrchr(arg, ' ');
		if (rest != NULL && explain_verb(rest + 1) != NULL &&
		    (rest[1] < '0' || rest[1] > '9')) {
			verb = rest + 1;
			*rest = '\0';
		}
		r = reply_from_line(arg, strlen(arg));
		if (r == NULL || (r->flags & REPLY_F_MALFORMED))
			plain_say(p, '!', _("/explain: \"%s\" is not a reply "
			    "code (three digits, 200-599)"), arg);
		else {
			explain_reply(p->kb, r, explain_verb(verb), NULL, &ex);
			buf_init(&b, 0);
			format_explanation(&b, &ex, "E       ", 1);
			fputs(b.data, p->out);
			buf_release(&b);
		}
		reply_free(r);
		break;
	case CMD_COMPARE:
		plain_compare(p, arg);
		break;
	case CMD_EXPORT:
		path = export_arg(arg, &public);
		if (*path == '\0')
			plain_say(p, '!', _("usage: /export FILE.html "
			    "[public]"));
		else
			plain_export(p, path, NULL, public);
		free(path);
		break;
	case CMD_B64:
		enc = b64_encode(arg, strlen(arg));
		plain_say(p, '*', "%s", enc);
		free(enc);
		break;
	case CMD_UNB64:
		dec = b64_decode(arg, strlen(arg), &dlen);
		if (dec == NULL)
			plain_say(p, '!', _("/unb64: not valid base64"));
		else {
			plain_escaped(p, '*', NULL, dec, dlen);
			free(dec);
		}
		break;
	default:
		/* /cert, /search, /set; /auth, /data, /raw never get here. */
		plain_say(p, '!', _("%s works in the full screen only"),
		    c->name);
		break;
	}
	OPENSSL_cleanse(arg, strlen(arg));
	free(arg);
}

/* Ask for a password on the terminal without echo. */
static char *
plain_ask_password(const char *user)
{
	struct termios	 old, quiet;
	char		 line[1024], iobuf[1024];
	FILE		*tty;
	char		*pass = NULL;
	size_t		 len;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return (NULL);
	/* Our buffer, wiped below: stdio's own would be freed as it is. */
	setvbuf(tty, iobuf, _IOLBF, sizeof iobuf);
	fprintf(tty, "password for %s: ", user);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	if (fgets(line, sizeof line, tty) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		pass = xstrdup(line);
	}
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fprintf(tty, "\n");
	fclose(tty);
	OPENSSL_cleanse(line, sizeof line);
	OPENSSL_cleanse(iobuf, sizeof iobuf);
	return (pass);
}

/* /auth MECH USER [PASSWORD]. */
static void
plain_slash_auth(struct plain *p, char *args)
{
	char	*mech, *user, *pass, *asked = NULL, *cause;

	while (*args == ' ')
		args++;
	mech = strtok_r(args, " ", &args);
	user = mech != NULL ? strtok_r(NULL, " ", &args) : NULL;
	pass = user != NULL ? strtok_r(NULL, "", &args) : NULL;
	if (mech == NULL || user == NULL) {
		plain_say(p, '!', _("usage: /auth plain|login USER [PASSWORD]"));
		return;
	}
	if (pass == NULL) {
		if (!p->interactive || (asked = plain_ask_password(user)) ==
		    NULL) {
			plain_say(p, '!', _("/auth: no password given and no "
			    "terminal to ask on"));
			return;
		}
		pass = asked;
	}
	if (session_auth(p->session, mech, user, pass, &cause) == -1) {
		plain_say(p, '!', _("/auth: %s"), cause);
		free(cause);
	}
	if (asked != NULL) {
		OPENSSL_cleanse(asked, strlen(asked));
		free(asked);
	}
}

/*
 * Is nothing going on that a line starting with "/" could belong to (an
 * AUTH answer, a message line typed ahead)?  Then an unknown /command is
 * a typing mistake, said at once.
 */
static int
plain_idle(struct plain *p)
{
	return (session_closed(p->session) ||
	    (!session_in_auth(p->session) &&
	    !session_in_message(p->session) &&
	    session_queued(p->session) == 0 &&
	    session_outstanding(p->session) == 0));
}

/* /raw TEXT: send TEXT's bytes exactly, escapes such as \n undone. */
static void
plain_raw(struct plain *p, const char *arg)
{
	char	*bytes, *cause;
	size_t	 len;

	while (*arg == ' ')
		arg++;
	bytes = replay_unescape(arg, strlen(arg), &len);
	if (session_raw(p->session, bytes, len, &cause) == -1) {
		plain_say(p, '!', "/raw: %s", cause);
		free(cause);
	}
	free(bytes);
}

/*
 * Handle one input line.  Our own commands are looked up first (cmd.h):
 * they never reach the server as typed, not even as the answer to an AUTH
 * challenge.  Those that only show something run in turn, after the
 * replies to what came before them (session_mark).
 */
static void
plain_line(struct plain *p, char *line, size_t len)
{
	const struct cmd_entry	*c;
	const char		*arg;
	char			*cause, *copy;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if ((c = cmd_find(line, &arg)) == NULL) {
		if (len > 0 && line[0] == '/' && plain_idle(p)) {
			plain_command(p, line);
			return;
		}
		if (session_submit(p->session, line, len, &cause) == -1) {
			plain_say(p, '!', _("not sent: %s"), cause);
			free(cause);
		}
		return;
	}
	switch (c->id) {
	case CMD_AUTH:
		plain_slash_auth(p, line + (arg - line));
		/* The line may hold a password: wipe it. */
		OPENSSL_cleanse(line, len);
		return;
	case CMD_DATA:
		if (*arg == '\0')
			plain_say(p, '!', _("usage: /data FILE"));
		else if (session_send_file(p->session, arg, &cause) == -1) {
			plain_say(p, '!', _("/data: %s"), cause);
			free(cause);
		}
		return;
	case CMD_RAW:
		plain_raw(p, arg);
		return;
	case CMD_QUIT:
		/* At a terminal, leave now; in a script, in turn. */
		if (p->interactive) {
			p->quit = 1;
			session_quit(p->session);
			return;
		}
		break;
	default:
		break;
	}
	copy = xstrdup(line);
	if ((c->flags & CMD_F_IN_TURN) && session_mark(p->session, copy) == 0)
		return;
	plain_command(p, copy);
	OPENSSL_cleanse(copy, len);
	free(copy);
}

/*
 * Read what input is available and handle complete lines.  A line longer
 * than PLAIN_LINE_MAX is dropped whole, up to its end, with one notice:
 * no part of it is sent.
 */
static void
plain_input(struct plain *p)
{
	char	 chunk[16384], *nl;
	ssize_t	 n;
	size_t	 len;

	n = read(p->in_fd, chunk, sizeof chunk);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		p->in_eof = 1;
		if (p->inbuf.len > 0 && !p->in_skip) {
			len = p->inbuf.len;
			plain_line(p, p->inbuf.data, len);
		}
		buf_reset(&p->inbuf);
		p->in_skip = 0;
		session_finish(p->session);
		return;
	}
	if (buf_add(&p->inbuf, chunk, (size_t)n) == -1)
		return;
	while ((nl = memchr(p->inbuf.data, '\n', p->inbuf.len)) != NULL) {
		len = (size_t)(nl - p->inbuf.data);
		if (p->in_skip) {
			/* The end of a line too long to keep. */
			buf_consume(&p->inbuf, len + 1);
			p->in_skip = 0;
			continue;
		}
		if (len > PLAIN_LINE_MAX) {
			plain_say(p, '!', _("an input line longer than %d "
			    "bytes was dropped"), PLAIN_LINE_MAX);
			buf_consume(&p->inbuf, len + 1);
			continue;
		}
		*nl = '\0';
		plain_line(p, p->inbuf.data, len);
		buf_consume(&p->inbuf, len + 1);
		if (p->quit)
			return;
	}
	if (p->in_skip)
		buf_reset(&p->inbuf);
	else if (p->inbuf.len > PLAIN_LINE_MAX) {
		plain_say(p, '!', _("an input line longer than %d bytes was "
		    "dropped"), PLAIN_LINE_MAX);
		buf_reset(&p->inbuf);
		p->in_skip = 1;
	}
}

/* Note a signal through the self-pipe. */
static void
plain_signal(int sig)
{
	int		saved = errno;
	unsigned char	c = (unsigned char)sig;

	if (write(plain_sigpipe[1], &c, 1) == -1) {
		/* Nothing to do: the pipe is full, a wake-up is pending. */
	}
	errno = saved;
}

/* Run until the session is closed. */
void
plain_run(struct plain *p)
{
	struct pollfd		pfd[SESSION_POLLFDS + 2];
	struct sigaction	sa;
	int			n, sn, timeout, i;
	unsigned char		c;

	if (pipe(plain_sigpipe) == 0) {
		net_nonblock(plain_sigpipe[0]);
		net_nonblock(plain_sigpipe[1]);
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = plain_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}

	while (!session_closed(p->session)) {
		sn = session_pollfds(p->session, pfd);
		n = sn;
		if (!p->in_eof && !p->quit) {
			pfd[n].fd = p->in_fd;
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
		if (plain_sigpipe[0] != -1) {
			pfd[n].fd = plain_sigpipe[0];
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
		timeout = session_timeout(p->session);
		if (poll(pfd, (nfds_t)n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			plain_say(p, '!', _("poll: %s"), strerror(errno));
			session_close(p->session);
			break;
		}
		for (i = sn; i < n; i++) {
			if (pfd[i].fd == plain_sigpipe[0] && pfd[i].revents) {
				while (read(plain_sigpipe[0], &c, 1) == 1)
					p->interrupted = c;
			}
		}
		if (p->interrupted) {
			plain_say(p, '!', _("interrupted: closing the session"));
			session_close(p->session);
			break;
		}
		session_io(p->session, pfd, sn);
		for (i = sn; i < n; i++) {
			if (pfd[i].fd == p->in_fd && pfd[i].revents)
				plain_input(p);
		}
		fflush(p->out);
	}
	fflush(p->out);
	if (plain_sigpipe[0] != -1) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		close(plain_sigpipe[0]);
		close(plain_sigpipe[1]);
		plain_sigpipe[0] = plain_sigpipe[1] = -1;
	}
}
