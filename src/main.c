/* SPDX-License-Identifier: ISC */
/*
 * smtpscope: options, the knowledge base, the practice server, and which
 * front end runs the session.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include "base/buf.h"
#include "kb/explain.h"
#include "kb/format.h"
#include "base/i18n.h"
#include "kb/kb.h"
#include "base/log.h"
#include "plain/plain.h"
#include "practice/practice.h"
#include "record/replay.h"
#include "smtp/reply.h"
#include "record/scrollback.h"
#include "smtp/session.h"
#include "base/text.h"
#include "record/transcript.h"
#include "tui/tui.h"
#include "base/xmalloc.h"

/* Exit status (documented in doc/smtpscope.1, EXIT STATUS). */
#define EXIT_OK		0	/* no reply counted against the session */
#define EXIT_OTHER	1	/* a local problem: file, resources */
#define EXIT_USAGE	2	/* bad option or argument */
#define EXIT_CONN	3	/* could not connect, timeout, lost */
#define EXIT_4XX	4	/* an unexpected 4xx, no unexpected 5xx */
#define EXIT_5XX	5	/* an unexpected 5xx */
#define EXIT_TLS	6	/* TLS failed or refused under --tls */
#define EXIT_PROTO	7	/* broken or hostile server */

enum {
	OPT_TLS = 256, OPT_TLS_ON_CONNECT, OPT_INSECURE, OPT_CAFILE, OPT_SNI,
	OPT_TIMEOUT, OPT_HELO, OPT_UNIX, OPT_PIPE, OPT_LOG, OPT_PLAIN,
	OPT_SCRIPT, OPT_DEMO, OPT_SERVE, OPT_SCENARIO, OPT_PRACTICE_SCRIPT,
	OPT_EXPLAIN, OPT_AFTER, OPT_DATA, OPT_TIMESTAMPS, OPT_DEBUG,
	OPT_NO_EXPLAIN, OPT_VERBOSE, OPT_COMPARE, OPT_LANG, OPT_QUIZ,
	OPT_PRESENT, OPT_REPLAY, OPT_EXPORT, OPT_STOP_ON_ERROR, OPT_EXPORT_PUBLIC,
	OPT_SCROLLBACK
};

static const struct option main_options[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "tls", no_argument, NULL, OPT_TLS },
	{ "starttls", no_argument, NULL, OPT_TLS },
	{ "tls-on-connect", no_argument, NULL, OPT_TLS_ON_CONNECT },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "cafile", required_argument, NULL, OPT_CAFILE },
	{ "sni", required_argument, NULL, OPT_SNI },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "unix", required_argument, NULL, OPT_UNIX },
	{ "pipe", required_argument, NULL, OPT_PIPE },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "plain", no_argument, NULL, OPT_PLAIN },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "stop-on-error", no_argument, NULL, OPT_STOP_ON_ERROR },
	{ "demo", optional_argument, NULL, OPT_DEMO },
	{ "serve", required_argument, NULL, OPT_SERVE },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "practice-script", required_argument, NULL, OPT_PRACTICE_SCRIPT },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "compare", required_argument, NULL, OPT_COMPARE },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "quiz", no_argument, NULL, OPT_QUIZ },
	{ "present", no_argument, NULL, OPT_PRESENT },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "scrollback", required_argument, NULL, OPT_SCROLLBACK },
	{ "export-public", no_argument, NULL, OPT_EXPORT_PUBLIC },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "timestamps", no_argument, NULL, OPT_TIMESTAMPS },
	{ "no-explain", no_argument, NULL, OPT_NO_EXPLAIN },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "debug", required_argument, NULL, OPT_DEBUG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const char *const main_usage = N_(
"usage: smtpscope [options] [HOST[:PORT]]\n"
"       smtpscope --demo[=SCENARIO]\n"
"       smtpscope --serve [ADDR:]PORT [--scenario S]\n"
"       smtpscope --explain CODE [--after COMMAND]\n"
"       smtpscope --compare CODE CODE\n"
"       smtpscope --replay FILE [--export FILE.html]\n"
"\n"
"Talk SMTP to HOST by hand and see every reply explained. With no HOST,\n"
"open a session on the built-in practice server (no network needed).\n"
"\n"
"Connection:\n"
"  -p, --port PORT        port (default 25; 465 with --tls-on-connect)\n"
"  -4, -6                 use IPv4 or IPv6 only\n"
"      --unix PATH        connect to a unix socket\n"
"      --pipe \"CMD\"       talk SMTP to a command's stdin/stdout,\n"
"                         e.g. --pipe \"exim -bs\"\n"
"      --timeout SECS     connect and reply timeout (default: RFC 5321's\n"
"                         values, 2 to 10 minutes)\n"
"      --helo NAME        name for the EHLO smtpscope sends itself\n"
"TLS:\n"
"      --tls              require STARTTLS: EHLO, STARTTLS and EHLO again\n"
"                         are sent for you; never goes on in clear\n"
"      --tls-on-connect   implicit TLS from the first byte (default on 465)\n"
"      --insecure         go on after a failed certificate check (the\n"
"                         failure is still shown)\n"
"      --cafile FILE      trust the CAs in FILE instead of the system's\n"
"      --sni NAME         name to send in the handshake and to check the\n"
"                         certificate against (default: HOST)\n"
"Front end and output:\n"
"      --plain            line mode even on a terminal (automatic when\n"
"                         input or output is not a terminal)\n"
"      --script FILE      send the lines of FILE (line mode), then exit\n"
"      --stop-on-error    line mode: at the first 4xx or 5xx send nothing\n"
"                         more but QUIT, and exit 4 or 5\n"
"      --log FILE         append a timestamped transcript (mode 0600,\n"
"                         AUTH secrets masked)\n"
"      --timestamps       show times and reply round trips\n"
"      --no-explain       show the dialogue only\n"
"      --verbose          show where each explanation comes from\n"
"      --quiz             full screen: hide each explanation until you\n"
"                         guess the reply's class and meaning; keeps a score\n"
"      --present          full screen for a projector: big explanation,\n"
"                         the newest reply and its command highlighted\n"
"      --replay FILE      step through a recorded session: a --log\n"
"                         transcript, smtpscope output, swaks output, or\n"
"                         C:/S: lines (Enter/Right next, Left back)\n"
"      --export FILE.html write an HTML handout, each reply explained\n"
"                         beside it: of a --replay, or of the session\n"
"                         when it ends (full screen or line mode); mode\n"
"                         0600, or 0644 with --export-public\n"
"      --scrollback SIZE  memory the dialogue keeps, say 64M or 1G\n"
"                         (default 256M); the oldest lines go past it\n"
"      --debug FILE       append a debug log to FILE (mode 0600)\n"
"      --lang LANG        language of headings and messages (zh_CN, vi, en);\n"
"                         default from LANGUAGE, LC_ALL, LC_MESSAGES, LANG\n"
"Practice server:\n"
"      --demo[=SCENARIO]  session on the built-in practice server\n"
"      --serve [ADDR:]PORT  run the practice server alone (127.0.0.1\n"
"                         unless ADDR is given) for telnet, swaks, a class;\n"
"                         --serve - serves one session on stdin/stdout\n"
"      --scenario NAME    practice scenario (default), with --demo or --serve\n"
"      --practice-script FILE  make the practice server follow FILE\n"
"                         (with --demo or --serve; see smtpscope(1))\n"
"Explanations:\n"
"      --explain CODE     explain a reply and exit: 252, \"550 5.1.1\" or\n"
"                         a whole reply line\n"
"      --after COMMAND    ...as the answer to COMMAND (RCPT, CONNECT, \".\")\n"
"      --compare A B      two replies side by side: class, meaning, when,\n"
"                         fix, key differences (A, B: \"252\", \"550 5.1.1\")\n"
"      --data DIR         load extra knowledge-base files (*.kb) from DIR\n"
"  -h, --help             this help\n"
"  -V, --version          version\n"
"\n"
"Exit status: 5 if the server answered 5xx, else 4 if it answered 4xx (the\n"
"replies to the QUIT smtpscope sends itself do not count), else 0;\n"
"2 usage, 3 connection or timeout, 6 TLS, 7 broken or hostile server,\n"
"1 other errors. See smtpscope(1).\n");

struct main_practice {
	struct practice	*practice;
	pthread_t	 thread;
	int		 running;
};

static struct practice	*main_serving;
/* The last argument escaped by main_arg(), kept for leak checkers. */
static char		*main_escaped;
/* --scrollback: the bytes the dialogue keeps (0: the default). */
static size_t		 main_scrollback;

static void	 usage_error(const char *, ...) __attribute__((format(printf,
		    1, 2), noreturn));
static void	 main_tls_twice(void) __attribute__((noreturn));
static const char *main_arg(const char *);
static int	 main_explain(const struct kb *, const char *, const char *);
static int	 main_compare(const struct kb *, const char *, const char *);
static int	 main_serve(const char *, const struct practice_config *);
static void	*main_practice_thread(void *);
static void	 main_serve_signal(int);
static int	 main_split_hostport(const char *, char **, char **);
static int	 main_exit_status(struct session *);
static int	 main_user_kb(struct kb *);
static int	 main_scenarios(void);
static int	 main_replay(const struct kb *, const char *, const char *,
		    int, int, int, int);
static int	 main_tui(struct session_config *, const struct kb *,
		    struct transcript *, const char *, const char *, int, int,
		    int, int, int);

/* Complain about the command line and exit. */
static void
usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, _("smtpscope: "));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, _("\nTry 'smtpscope --help'.\n"));
	exit(EXIT_USAGE);
}

/*
 * Return s with control characters and invisible code points escaped, for
 * an error message that quotes a user's argument.  The string is valid
 * until the next call.
 */
static const char *
main_arg(const char *s)
{
	free(main_escaped);
	main_escaped = text_escape_dup(s, strlen(s));
	return (main_escaped);
}

/* --tls and --tls-on-connect together: a usage error. */
static void
main_tls_twice(void)
{
	usage_error(_("--tls and --tls-on-connect cannot go together: --tls "
	    "(or --starttls) asks for STARTTLS after a greeting in clear, as "
	    "on ports 25 and 587; --tls-on-connect starts TLS at once, before "
	    "any greeting, as on port 465.  Give the one the port wants"));
}

/* --explain: print one explanation. */
static int
main_explain(const struct kb *kb, const char *code, const char *after)
{
	struct reply		*r;
	struct explanation	 ex;
	struct explain_ctx	 ctx;
	struct buf		 b;
	const char		*verb = NULL;
	size_t			 len = strlen(code);

	memset(&ctx, 0, sizeof ctx);

	if (after != NULL && (verb = explain_verb(after)) == NULL) {
		fprintf(stderr, _("smtpscope: --after %s: not a command smtpscope "
		    "knows (try RCPT, MAIL, DATA, \".\", CONNECT, EHLO, VRFY, "
		    "...)\n"), main_arg(after));
		return (EXIT_USAGE);
	}
	r = reply_from_line(code, len);
	if (r == NULL || (r->flags & REPLY_F_MALFORMED)) {
		char	*esc = text_escape_dup(code, len);

		fprintf(stderr, _("smtpscope: --explain: \"%s\" is not a reply "
		    "code: give three digits from 200 to 599, optionally with "
		    "an enhanced code (\"550 5.1.1\") or a whole reply line\n"),
		    esc);
		free(esc);
		reply_free(r);
		return (EXIT_USAGE);
	}
	ctx.server = explain_server(kb, r, verb);
	explain_reply(kb, r, verb, &ctx, &ex);
	buf_init(&b, 0);
	format_explanation(&b, &ex, "", 1);
	fputs(b.data, stdout);
	buf_release(&b);
	reply_free(r);
	return (EXIT_OK);
}

/* --compare: two replies side by side. */
static int
main_compare(const struct kb *kb, const char *a, const char *b)
{
	struct reply		*ra, *rb;
	struct explanation	 ea, eb;
	struct buf		 out;
	int			 status = EXIT_OK;

	ra = reply_from_line(a, strlen(a));
	rb = reply_from_line(b, strlen(b));
	if (ra == NULL || (ra->flags & REPLY_F_MALFORMED) || rb == NULL ||
	    (rb->flags & REPLY_F_MALFORMED)) {
		fprintf(stderr, _("smtpscope: --compare: give two reply codes "
		    "(three digits from 200 to 599, optionally with an "
		    "enhanced code), e.g. --compare 252 \"550 5.1.1\"\n"));
		status = EXIT_USAGE;
	} else {
		explain_reply(kb, ra, NULL, NULL, &ea);
		explain_reply(kb, rb, NULL, NULL, &eb);
		buf_init(&out, 0);
		format_compare(&out, kb, &ea, &eb);
		fputs(out.data, stdout);
		buf_release(&out);
	}
	reply_free(ra);
	reply_free(rb);
	return (status);
}

/* Stop --serve on a signal. */
static void
main_serve_signal(int sig)
{
	(void)sig;
	if (main_serving != NULL)
		practice_stop(main_serving);
}

/* --serve: run the practice server in the foreground. */
static int
main_serve(const char *where, const struct practice_config *pc)
{
	struct practice		*p;
	struct sigaction	 sa;
	char			*addr = NULL, *port = NULL, *cause;
	const char		*shown;

	if (strcmp(where, "-") == 0) {
		/* One session on stdin/stdout, inetd style (for --pipe). */
		if ((p = practice_new(pc, &cause)) == NULL) {
			fprintf(stderr, _("smtpscope: %s\n"), main_arg(cause));
			free(cause);
			return (EXIT_OTHER);
		}
		practice_serve_fds(p, STDIN_FILENO, STDOUT_FILENO);
		practice_free(p);
		return (EXIT_OK);
	}
	if (main_split_hostport(where, &addr, &port) == -1 || port == NULL)
		usage_error(_("--serve %s: give PORT, ADDR:PORT or -"),
		    main_arg(where));
	if (addr == NULL && strchr(where, ':') == NULL) {
		free(addr);
		addr = NULL;
	}
	if ((p = practice_new(pc, &cause)) == NULL) {
		fprintf(stderr, _("smtpscope: %s\n"), main_arg(cause));
		free(cause);
		free(addr);
		free(port);
		return (EXIT_OTHER);
	}
	if (practice_listen(p, addr, port, &cause) == -1) {
		fprintf(stderr, _("smtpscope: %s\n"), main_arg(cause));
		free(cause);
		practice_free(p);
		free(addr);
		free(port);
		return (EXIT_OTHER);
	}
	shown = main_arg(addr != NULL ? addr : "127.0.0.1");
	printf(_("smtpscope practice server listening on %s port %d "
	    "(scenario %s)\n"), shown, practice_port(p),
	    pc->scenario != NULL ? pc->scenario : "default");
	if (strchr(shown, ':') != NULL) {
		/*
		 * An IPv6 address: smtpscope takes [ADDR]:PORT (quoted, as
		 * [...] is a shell pattern); telnet the address and the port
		 * apart; swaks ADDR/PORT.
		 */
		printf(_("Connect with:  smtpscope '[%s]:%d'   or   telnet %s "
		    "%d   or   swaks --server %s/%d\n"), shown,
		    practice_port(p), shown, practice_port(p), shown,
		    practice_port(p));
	} else
		printf(_("Connect with:  smtpscope %s:%d   or   telnet %s %d   "
		    "or   swaks --server %s --port %d\n"), shown,
		    practice_port(p), shown, practice_port(p), shown,
		    practice_port(p));
	printf(_("Demo login: user \"%s\", password \"%s\". Mail is never "
	    "delivered. Ctrl-C stops the server.\n"), PRACTICE_DEMO_USER,
	    PRACTICE_DEMO_PASSWORD);
	/* The in-memory certificate is the only one nobody can trust. */
	if (practice_cert_pem(p) != NULL)
		printf(_("STARTTLS uses a self-signed certificate made at "
		    "start: smtpscope needs --insecure for it.\n"));
	fflush(stdout);

	main_serving = p;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = main_serve_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	practice_run(p);
	main_serving = NULL;
	practice_free(p);
	free(addr);
	free(port);
	printf(_("practice server stopped\n"));
	return (EXIT_OK);
}

/* Run the practice server beside the client. */
static void *
main_practice_thread(void *arg)
{
	practice_run(arg);
	return (NULL);
}

/*
 * Split "host", "host:port", "[v6]:port" or a bare IPv6 address.  Returns 0
 * with *host (NULL when empty) and *port (NULL when absent) allocated.
 */
static int
main_split_hostport(const char *s, char **host, char **port)
{
	const char	*colon, *end;

	*host = *port = NULL;
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return (-1);
		*host = xstrndup(s + 1, (size_t)(end - s - 1));
		if (end[1] == ':')
			*port = xstrdup(end + 2);
		else if (end[1] != '\0')
			return (-1);
		return (0);
	}
	colon = strchr(s, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		*host = xstrdup(s);		/* a bare IPv6 address */
		return (0);
	}
	if (colon == NULL) {
		/* All digits: a port alone (for --serve). */
		if (*s != '\0' && strspn(s, "0123456789") == strlen(s))
			*port = xstrdup(s);
		else
			*host = xstrdup(s);
		return (0);
	}
	if (colon != s)
		*host = xstrndup(s, (size_t)(colon - s));
	*port = xstrdup(colon + 1);
	if (**port == '\0')
		return (-1);
	return (0);
}

/*
 * Load the user's own knowledge-base files, if there are any, from
 * $XDG_DATA_HOME/smtpscope (default ~/.local/share/smtpscope).  Returns 1
 * when there were some, 0 when not, -1 after saying why they failed.
 */
static int
main_user_kb(struct kb *kb)
{
	const char	*xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char		*dir, *cause;
	int		 rc = 0;

	if (xdg != NULL && *xdg == '/')
		dir = xasprintf("%s/smtpscope", xdg);
	else if (home != NULL && *home == '/')
		dir = xasprintf("%s/.local/share/smtpscope", home);
	else
		return (0);
	if (access(dir, F_OK) == 0) {
		rc = 1;
		if (kb_load_dir(kb, dir, &cause) == -1) {
			fprintf(stderr, _("smtpscope: knowledge base: %s\n"),
			    cause);
			free(cause);
			rc = -1;
		}
	}
	free(dir);
	return (rc);
}

/* --demo=list: the practice scenarios, one line each. */
static int
main_scenarios(void)
{
	const char *const	*names = practice_scenarios();
	size_t			 i;

	for (i = 0; names[i] != NULL; i++)
		printf("%-14s %s\n", names[i],
		    _(practice_scenario_describe(names[i])));
	return (EXIT_OK);
}

/* --replay: step through a transcript, or print it annotated. */
static int
main_replay(const struct kb *kb, const char *path, const char *export,
    int public, int plain, int quiz, int present)
{
	struct replay	*r;
	struct plain	 pl;
	char		*cause;
	size_t		 i, line;
	const char	*why;
	int		 status = EXIT_OK;

	if ((r = replay_load(path, &cause)) == NULL) {
		fprintf(stderr, _("smtpscope: --replay %s\n"), main_arg(cause));
		free(cause);
		return (EXIT_OTHER);
	}
	for (i = 0; i < replay_nproblems(r); i++) {
		why = replay_problem(r, i, &line);
		fprintf(stderr, _("smtpscope: skipped: %s\n"), why);
	}
	if (!plain && export == NULL && isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO) && getenv("TERM") != NULL &&
	    strcmp(getenv("TERM"), "dumb") != 0) {
		struct tui	t;

		tui_init(&t, kb, path);
		t.scrollback_cli = main_scrollback;
		t.set.quiz = quiz;
		t.set.presentation = present;
		t.replay = r;
		if (tui_run(&t) == -1) {
			fprintf(stderr, _("smtpscope: cannot start the "
			    "full-screen interface; try --plain\n"));
			status = EXIT_OTHER;
		}
		tui_release(&t);
		replay_free(r);
		return (status);
	}
	plain_init(&pl, STDIN_FILENO, stdout, kb);
	if (main_scrollback != 0)
		sb_set_max_bytes(pl.sb, main_scrollback);
	plain_say(&pl, '*', _("replay of %s (%s, %zu exchanges)"), path,
	    replay_format(r), replay_steps(r));
	replay_run(r, replay_steps(r), plain_event, &pl);
	if (export != NULL && plain_export(&pl, export, path, public) == -1)
		status = EXIT_OTHER;
	fflush(stdout);
	plain_release(&pl);
	replay_free(r);
	return (status);
}

/* Run the session in the full-screen interface. */
static int
main_tui(struct session_config *sc, const struct kb *kb,
    struct transcript *log, const char *target, const char *export,
    int public, int timestamps, int verbose, int quiz, int present)
{
	struct tui	 t;
	struct session	*s;
	char		*cause;
	int		 status;

	tui_init(&t, kb, target);
	t.scrollback_cli = main_scrollback;
	t.log = log;
	t.insecure = sc->insecure;
	t.set.verbose = verbose;
	t.set.quiz = quiz;
	t.set.presentation = present;
	(void)timestamps;
	s = session_new(sc, tui_event, &t);
	t.session = s;
	if (session_start(s, &cause) == -1)
		free(cause);	/* reported in the dialogue */
	if (tui_run(&t) == -1) {
		fprintf(stderr, _("smtpscope: cannot start the full-screen "
		    "interface (TERM=%s); try --plain\n"), getenv("TERM"));
		status = EXIT_OTHER;
	} else {
		status = main_exit_status(s);
		/* Written once the screen is gone, so the message is seen. */
		if (export != NULL && tui_export(&t, export, public, &cause) == -1) {
			fprintf(stderr, _("smtpscope: --export: %s\n"),
			    main_arg(cause));
			free(cause);
			if (session_failure(s) == SESSION_FAIL_NONE)
				status = EXIT_OTHER;
		} else if (export != NULL) {
			printf("smtpscope: ");
			printf(_("handout written to %s"), export);
			printf("\n");
		}
	}
	session_free(s);
	tui_release(&t);
	return (status);
}

/*
 * How the session ended, as an exit status: a failure's own status, else
 * the worst reply counted against the session, never masked by a later
 * 2xx such as QUIT's 221.
 */
static int
main_exit_status(struct session *s)
{
	int	code = session_worst_code(s);

	switch (session_failure(s)) {
	case SESSION_FAIL_TLS:
		return (EXIT_TLS);
	case SESSION_FAIL_PROTO:
		return (EXIT_PROTO);
	case SESSION_FAIL_CONN:
		return (EXIT_CONN);
	case SESSION_FAIL_INTERNAL:
		return (EXIT_OTHER);
	default:
		break;
	}
	if (session_last_code(s) == 0)
		return (EXIT_CONN);
	if (code / 100 == 4)
		return (EXIT_4XX);
	if (code / 100 == 5)
		return (EXIT_5XX);
	return (EXIT_OK);
}

int
main(int argc, char **argv)
{
	struct session_config	 sc;
	struct practice_config	 pc;
	struct main_practice	 mp;
	struct session		*s;
	struct plain		 pl;
	struct kb		*kb;
	const char		*explain = NULL, *after = NULL, *serve = NULL;
	const char		*compare = NULL, *lang = NULL;
	const char		*script = NULL, *logpath = NULL, *datadir;
	char			*host = NULL, *port = NULL, *cause, *endp;
	char			*line, *save;
	char			 portbuf[16];
	int			 ch, demo = 0, plain = 0, status, in_fd;
	int			 timestamps = 0, noexplain = 0, verbose = 0;
	int			 quiz = 0, present = 0, own;
	const char		*replay = NULL, *export = NULL;
	int			 export_failed = 0, export_public = 0;
	int			 saved_errno;
	long			 n;
	struct transcript	*log = NULL;

	memset(&sc, 0, sizeof sc);
	memset(&pc, 0, sizeof pc);
	memset(&mp, 0, sizeof mp);

	/* The language first: even usage errors are translated. */
	for (ch = 1; ch < argc; ch++) {
		const char	*eq = strchr(argv[ch], '=');
		size_t		 olen = eq != NULL ? (size_t)(eq - argv[ch]) :
		    strlen(argv[ch]);

		/* getopt_long takes "--la" and "--lan" for --lang too. */
		if (olen >= 4 && olen <= 6 && strncmp(argv[ch], "--lang",
		    olen) == 0) {
			if (eq != NULL)
				lang = eq + 1;
			else if (ch + 1 < argc)
				lang = argv[ch + 1];
		}
		else if (strcmp(argv[ch], "--") == 0)
			break;
	}
	explain_set_lang(i18n_init(lang));
	if (lang != NULL && !i18n_has(lang))
		fprintf(stderr, _("smtpscope: no translation for \"%s\" "
		    "(there are zh_CN and vi); using English\n"), main_arg(lang));
	sc.family = AF_UNSPEC;
	sc.helo = "smtpscope.invalid";
	pc.tls = 1;
	signal(SIGPIPE, SIG_IGN);

	while ((ch = getopt_long(argc, argv, "46hp:V", main_options, NULL)) !=
	    -1) {
		switch (ch) {
		case '4':
			sc.family = AF_INET;
			break;
		case '6':
			sc.family = AF_INET6;
			break;
		case 'p':
			n = strtol(optarg, &endp, 10);
			if (*optarg == '\0' || *endp != '\0' || n < 1 ||
			    n > 65535)
				usage_error(_("-p %s: a port is a number from 1 "
				    "to 65535"), main_arg(optarg));
			free(port);
			port = xstrdup(optarg);
			break;
		case OPT_TLS:
			if (sc.tls == SESSION_TLS_IMPLICIT)
				main_tls_twice();
			sc.tls = SESSION_TLS_STARTTLS;
			break;
		case OPT_TLS_ON_CONNECT:
			if (sc.tls == SESSION_TLS_STARTTLS)
				main_tls_twice();
			sc.tls = SESSION_TLS_IMPLICIT;
			break;
		case OPT_INSECURE:
			sc.insecure = 1;
			break;
		case OPT_CAFILE:
			if (access(optarg, R_OK) == -1) {
				saved_errno = errno;
				usage_error(_("--cafile %s: %s"),
				    main_arg(optarg), strerror(saved_errno));
			}
			sc.cafile = optarg;
			break;
		case OPT_SNI:
			sc.sni = optarg;
			sc.verify_name = optarg;
			break;
		case OPT_TIMEOUT:
			n = strtol(optarg, &endp, 10);
			if (*optarg == '\0' || *endp != '\0' || n < 1 ||
			    n > 86400)
				usage_error(_("--timeout %s: give seconds, from "
				    "1 to 86400"), main_arg(optarg));
			sc.timeout = (int)n;
			break;
		case OPT_HELO:
			if (strpbrk(optarg, " \r\n") != NULL || *optarg == '\0')
				usage_error(_("--helo: a host name without "
				    "spaces or line ends"));
			sc.helo = optarg;
			break;
		case OPT_UNIX:
			sc.unix_path = optarg;
			break;
		case OPT_PIPE:
			sc.pipe_cmd = optarg;
			break;
		case OPT_LOG:
			logpath = optarg;
			break;
		case OPT_PLAIN:
			plain = 1;
			break;
		case OPT_SCRIPT:
			script = optarg;
			plain = 1;
			break;
		case OPT_STOP_ON_ERROR:
			sc.stop_on_error = 1;
			plain = 1;
			break;
		case OPT_DEMO:
			demo = 1;
			if (optarg != NULL && strcmp(optarg, "list") == 0)
				return (main_scenarios());
			if (optarg != NULL)
				pc.scenario = optarg;
			break;
		case OPT_SERVE:
			serve = optarg;
			break;
		case OPT_SCENARIO:
			pc.scenario = optarg;
			break;
		case OPT_PRACTICE_SCRIPT:
			pc.script = optarg;
			break;
		case OPT_EXPLAIN:
			explain = optarg;
			break;
		case OPT_AFTER:
			after = optarg;
			break;
		case OPT_COMPARE:
			compare = optarg;
			break;
		case OPT_LANG:
			break;		/* read before the options */
		case OPT_QUIZ:
			quiz = 1;
			break;
		case OPT_PRESENT:
			present = 1;
			break;
		case OPT_REPLAY:
			replay = optarg;
			break;
		case OPT_EXPORT:
			export = optarg;
			break;
		case OPT_SCROLLBACK:
			if (sb_parse_size(optarg, &main_scrollback) == -1)
				usage_error(_("--scrollback %s: give a size of "
				    "at least 64K in bytes or with K, M or G, "
				    "such as 256M"), optarg);
			break;
		case OPT_EXPORT_PUBLIC:
			export_public = 1;
			break;
		case OPT_DATA:
			setenv("SMTPSCOPE_DATADIR", optarg, 1);
			break;
		case OPT_TIMESTAMPS:
			timestamps = 1;
			break;
		case OPT_NO_EXPLAIN:
			noexplain = 1;
			break;
		case OPT_VERBOSE:
			verbose = 1;
			break;
		case OPT_DEBUG:
			if (log_open(optarg, &cause) == -1)
				usage_error(_("--debug: %s"), main_arg(cause));
			break;
		case 'h':
			fputs(_(main_usage), stdout);
			return (EXIT_OK);
		case 'V':
			printf(_("smtpscope %s\n"), PACKAGE_VERSION);
			return (EXIT_OK);
		default:
			fprintf(stderr, _("Try 'smtpscope --help'.\n"));
			return (EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (compare != NULL && argc != 1)
		usage_error(_("--compare takes two codes: --compare 250 252"));
	if (argc > 1)
		usage_error(_("too many arguments: give one HOST[:PORT]"));
	if (after != NULL && explain == NULL)
		usage_error(_("--after only goes with --explain"));

	kb = kb_new();
	if ((own = main_user_kb(kb)) == -1) {
		kb_free(kb);
		return (EXIT_OTHER);
	}
	if ((datadir = getenv("SMTPSCOPE_DATADIR")) != NULL &&
	    *datadir != '\0') {
		if (kb_load_dir(kb, datadir, &cause) == -1) {
			fprintf(stderr, _("smtpscope: knowledge base: %s\n"),
			    cause);
			free(cause);
			kb_free(kb);
			return (EXIT_OTHER);
		}
		own = 1;
	}
	/*
	 * A teacher's own patterns: say at once which one does not compile.
	 * The built-in ones are checked by the tests, and compiled only when
	 * a reply needs them.
	 */
	if (own && kb_compile(kb, &cause) == -1) {
		for (line = strtok_r(cause, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			fprintf(stderr, _("smtpscope: knowledge base: %s (that "
			    "entry is skipped)\n"), line);
		free(cause);
	}
	if (compare != NULL) {
		if (argc != 1)
			usage_error(_("--compare takes two codes: --compare 250 "
			    "252"));
		status = main_compare(kb, compare, argv[0]);
		kb_free(kb);
		return (status);
	}
	if (replay != NULL) {
		if (argc > 0 || demo || serve != NULL)
			usage_error(_("--replay takes no HOST, --demo or --serve"));
		status = main_replay(kb, replay, export, export_public, plain,
		    quiz, present);
		kb_free(kb);
		return (status);
	}
	if (explain != NULL) {
		if (argc > 0)
			usage_error(_("--explain takes no HOST"));
		status = main_explain(kb, explain, after);
		kb_free(kb);
		return (status);
	}
	if (serve != NULL) {
		if (argc > 0 || demo)
			usage_error(_("--serve takes no HOST and no --demo"));
		if (logpath != NULL)
			usage_error(_("--log goes with a session, not with "
			    "--serve: the practice server keeps no transcript "
			    "(each student can run smtpscope with --log)"));
		status = main_serve(serve, &pc);
		kb_free(kb);
		return (status);
	}

	if (argc == 1) {
		if (demo)
			usage_error(_("--demo takes no HOST"));
		if (main_split_hostport(argv[0], &host, &endp) == -1 ||
		    host == NULL || *host == '\0')
			usage_error(_("%s: give HOST, HOST:PORT or [IPv6]:PORT"),
			    main_arg(argv[0]));
		if (endp != NULL) {
			n = strtol(endp, &cause, 10);
			if (*cause != '\0' || n < 1 || n > 65535)
				usage_error(_("%s: the port must be a number from "
				    "1 to 65535"), main_arg(argv[0]));
			if (port == NULL)
				port = endp;
			else
				free(endp);
		}
	} else if (sc.unix_path == NULL && sc.pipe_cmd == NULL)
		demo = 1;
	if ((sc.unix_path != NULL) + (sc.pipe_cmd != NULL) + (host != NULL) +
	    demo > 1)
		usage_error(_("give one of HOST, --unix, --pipe or --demo"));
	if (!demo && (pc.scenario != NULL || pc.script != NULL))
		usage_error(_("--scenario and --practice-script go with --demo "
		    "or --serve"));
	if (demo && port != NULL)
		usage_error(_("the practice server picks its own port: -p goes "
		    "with HOST (or use --serve PORT)"));

	if (demo) {
		if ((mp.practice = practice_new(&pc, &cause)) == NULL ||
		    practice_listen(mp.practice, "127.0.0.1", "0",
		    &cause) == -1) {
			fprintf(stderr, _("smtpscope: practice server: %s\n"),
			    main_arg(cause));
			free(cause);
			practice_free(mp.practice);
			kb_free(kb);
			return (EXIT_OTHER);
		}
		if (pthread_create(&mp.thread, NULL, main_practice_thread,
		    mp.practice) != 0) {
			fprintf(stderr, _("smtpscope: cannot start the practice "
			    "server\n"));
			practice_free(mp.practice);
			kb_free(kb);
			return (EXIT_OTHER);
		}
		mp.running = 1;
		host = xstrdup("127.0.0.1");
		snprintf(portbuf, sizeof portbuf, "%d",
		    practice_port(mp.practice));
		free(port);
		port = xstrdup(portbuf);
		sc.trust_pem = practice_cert_pem(mp.practice);
	}
	if (port == NULL)
		port = xstrdup(sc.tls == SESSION_TLS_IMPLICIT ? "465" : "25");
	if (strcmp(port, "465") == 0 && sc.tls == SESSION_TLS_OPTIONAL)
		sc.tls = SESSION_TLS_IMPLICIT;
	sc.host = host;
	sc.port = port;

	in_fd = STDIN_FILENO;
	if (script != NULL && (in_fd = open(script, O_RDONLY | O_CLOEXEC)) ==
	    -1) {
		const char	*why = strerror(errno);

		fprintf(stderr, _("smtpscope: --script %s: %s\n"),
		    main_arg(script), why);
		status = EXIT_OTHER;
		goto out;
	}
	if (logpath != NULL && (log = transcript_open(logpath, &cause)) ==
	    NULL) {
		fprintf(stderr, _("smtpscope: --log %s\n"), main_arg(cause));
		free(cause);
		status = EXIT_OTHER;
		goto out;
	}

	/* Full screen on a terminal, unless line mode was asked for. */
	if (!plain && script == NULL && isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO) && getenv("TERM") != NULL &&
	    strcmp(getenv("TERM"), "dumb") != 0) {
		status = main_tui(&sc, kb, log, demo ? "practice server (demo "
		    "login demo/demo)" :
		    (argc == 1 ? argv[0] : (sc.unix_path != NULL ?
		    sc.unix_path : sc.pipe_cmd)), export, export_public,
		    timestamps, verbose, quiz, present);
		goto out;
	}
	plain_init(&pl, in_fd, stdout, kb);
	if (main_scrollback != 0)
		sb_set_max_bytes(pl.sb, main_scrollback);
	pl.timestamps = timestamps;
	pl.verbose = verbose;
	pl.explain = !noexplain;
	pl.log = log;
	s = session_new(&sc, plain_event, &pl);
	pl.session = s;
	if (demo) {
		plain_say(&pl, '*', "practice server on 127.0.0.1 port %s "
		    "(scenario %s): demo login \"%s\" / \"%s\"; nothing is "
		    "delivered", port, pc.scenario != NULL ? pc.scenario :
		    "default", PRACTICE_DEMO_USER, PRACTICE_DEMO_PASSWORD);
		if (pl.interactive)
			plain_say(&pl, '*', "try: EHLO me.example, HELP, VRFY "
			    "alice, STARTTLS, /help; /quit leaves");
	}
	if (session_start(s, &cause) == 0)
		plain_run(&pl);
	else
		free(cause);
	if (export != NULL && plain_export(&pl, export, host != NULL ? host :
	    (sc.unix_path != NULL ? sc.unix_path : sc.pipe_cmd),
	    export_public) == -1 &&
	    session_failure(s) == SESSION_FAIL_NONE)
		export_failed = 1;
	status = export_failed ? EXIT_OTHER : main_exit_status(s);
	session_free(s);
	plain_release(&pl);
out:
	if (in_fd != STDIN_FILENO && in_fd != -1)
		close(in_fd);
	transcript_close(log);
	if (mp.running) {
		practice_stop(mp.practice);
		pthread_join(mp.thread, NULL);
	}
	practice_free(mp.practice);
	kb_free(kb);
	free(host);
	free(port);
	return (status);
}
