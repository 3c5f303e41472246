/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the session core (src/smtp/session.c): a scripted server on
 * the other end of a socketpair says exactly what each case needs, and every
 * event the session reports is recorded and checked.  No network.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "base/buf.h"
#include "net/conn.h"
#include "smtp/reply.h"
#include "smtp/session.h"
#include "tap.h"

struct harness {
	struct session		*s;
	int			 peer;		/* the scripted server's end */
	struct buf		 events;	/* one line per event */
	struct buf		 wire;		/* bytes the client sent */
	struct buf		 enh;		/* "code verb [enh]" a reply */
};

/* Record an event as a line. */
static void
record(void *arg, const struct session_event *ev)
{
	struct harness	*h = arg;

	switch (ev->type) {
	case SESSION_EV_SENT:
		buf_printf(&h->events, "SENT %s\n", ev->text);
		break;
	case SESSION_EV_REPLY:
		buf_printf(&h->events, "REPLY %d %s%s%s\n", ev->reply->code,
		    ev->verb != NULL ? ev->verb : "-",
		    ev->notes & SESSION_NOTE_UNSOLICITED ? " unsolicited" : "",
		    ev->decoded != NULL ? " decoded" : "");
		if (ev->decoded != NULL)
			buf_printf(&h->events, "DECODED %s\n", ev->decoded);
		buf_printf(&h->enh, "%d %s%s\n", ev->reply->code,
		    ev->verb != NULL ? ev->verb : "-",
		    ev->notes & SESSION_NOTE_ENH ? " enh" : "");
		break;
	case SESSION_EV_FAILED:
		buf_printf(&h->events, "FAILED %d %s\n", ev->fail, ev->text);
		if (ev->data != NULL) {
			buf_addstr(&h->events, "DATA ");
			buf_add(&h->events, ev->data, ev->len);
			buf_addch(&h->events, '\n');
		}
		break;
	case SESSION_EV_WARNING:
		buf_printf(&h->events, "WARN %s\n", ev->text);
		break;
	case SESSION_EV_CLOSED:
		buf_addstr(&h->events, "CLOSED\n");
		break;
	case SESSION_EV_MARK:
		buf_printf(&h->events, "MARK %s\n", (const char *)ev->cookie);
		break;
	default:
		break;
	}
}

/* Start a session talking to a fresh scripted peer. */
static void
start(struct harness *h, enum session_tls_mode tls, int timeout)
{
	struct session_config	sc;
	int			sv[2];
	char			*cause = NULL;

	memset(h, 0, sizeof *h);
	buf_init(&h->events, 0);
	buf_init(&h->wire, 0);
	buf_init(&h->enh, 0);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	memset(&sc, 0, sizeof sc);
	sc.use_fd = 1;
	sc.fd = sv[0];
	sc.tls = tls;
	sc.helo = "client.test";
	sc.host = "peer.test";
	sc.timeout = timeout;
	h->peer = sv[1];
	h->s = session_new(&sc, record, h);
	if (session_start(h->s, &cause) != 0)
		diag("start: %s", cause);
}

static void
stop(struct harness *h)
{
	session_free(h->s);
	close(h->peer);
	buf_release(&h->events);
	buf_release(&h->wire);
	buf_release(&h->enh);
}

/* Run the session's side for up to ms milliseconds. */
static void
run(struct harness *h, int ms)
{
	struct pollfd	pfd[SESSION_POLLFDS];
	struct timespec	t0, t;
	int		n, left, to;
	char		tmp[4096];
	ssize_t		got;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || session_closed(h->s))
			break;
		n = session_pollfds(h->s, pfd);
		to = session_timeout(h->s);
		if (to < 0 || to > left)
			to = left;
		if (poll(pfd, (nfds_t)n, to) == -1 && errno != EINTR)
			break;
		session_io(h->s, pfd, n);
	}
	/* Collect what the client wrote. */
	while ((got = recv(h->peer, tmp, sizeof tmp, MSG_DONTWAIT)) > 0)
		buf_add(&h->wire, tmp, (size_t)got);
}

/* The server says s. */
static void
say(struct harness *h, const char *s)
{
	if (write(h->peer, s, strlen(s)) == -1)
		diag("write: %s", strerror(errno));
	run(h, 50);
}

/* Type a line. */
static void
type(struct harness *h, const char *line)
{
	char	*cause = NULL;

	if (session_submit(h->s, line, strlen(line), &cause) != 0) {
		buf_printf(&h->events, "REFUSED %s\n", cause);
		free(cause);
	}
	run(h, 20);
}

#define has(h, s)	(strstr((h)->events.data, (s)) != NULL)
#define sent(h, s)	(strstr((h)->wire.data, (s)) != NULL)

static void
test_basic(void)
{
	struct harness	h;
	static char	mark[] = "after-noop";

	start(&h, SESSION_TLS_OPTIONAL, 0);
	type(&h, "EHLO early");
	ok(h.wire.len == 0, "nothing is sent before the greeting");
	say(&h, "220 peer.test ESMTP\r\n");
	ok(has(&h, "REPLY 220 CONNECT"), "greeting paired with the connection");
	ok(sent(&h, "EHLO early\r\n"), "queued EHLO sent after the greeting");
	say(&h, "250-peer.test\r\n250 SIZE 1000\r\n");
	ok(has(&h, "REPLY 250 EHLO"), "EHLO reply paired");
	is_int(session_phase(h.s), SESSION_PHASE_HELLO, "phase HELLO");

	/* No PIPELINING: one command at a time. */
	type(&h, "MAIL FROM:<a@b.test>");
	type(&h, "RCPT TO:<c@d.test>");
	ok(sent(&h, "MAIL FROM") && !sent(&h, "RCPT TO"),
	    "without PIPELINING the RCPT waits for MAIL's reply");
	say(&h, "250 2.1.0 Ok\r\n");
	ok(sent(&h, "RCPT TO:<c@d.test>\r\n"), "then RCPT goes");
	say(&h, "550 5.1.1 unknown\r\n");
	ok(has(&h, "REPLY 550 RCPT"), "550 paired with RCPT");
	is_int(session_last_code(h.s), 550, "last code 550");
	is_int(session_worst_code(h.s), 550, "the 550 counts against the "
	    "session");

	say(&h, "250 surprise\r\n");
	ok(has(&h, "REPLY 250 - unsolicited"), "a reply nobody asked for is "
	    "flagged");

	type(&h, "NOOP\rRSET");
	ok(has(&h, "REFUSED"), "a bare CR in a typed line is refused");
	ok(!sent(&h, "RSET"), "and nothing of it is sent");

	/* A mark waits for the replies to what came before it. */
	type(&h, "NOOP");
	session_mark(h.s, mark);
	run(&h, 20);
	ok(!has(&h, "MARK after-noop"), "a mark waits for the reply before it");
	say(&h, "250 ok\r\n");
	ok(has(&h, "MARK after-noop"), "then it is reported");
	type(&h, "/caps");
	ok(has(&h, "WARN a line starting with \"/\" was not sent") &&
	    !sent(&h, "/caps"), "a line starting with / is never a command");

	type(&h, "QUIT");
	say(&h, "221 2.0.0 Bye\r\n");
	shutdown(h.peer, SHUT_WR);
	run(&h, 50);
	ok(session_closed(h.s) && has(&h, "CLOSED"), "closed after 221");
	ok(session_failure(h.s) == SESSION_FAIL_NONE, "no failure");
	is_int(session_worst_code(h.s), 550, "the 221 to QUIT does not mask "
	    "the 550");
	stop(&h);
}

/*
 * SESSION_NOTE_ENH: set on a reply when the EHLO reply in force before it
 * advertised ENHANCEDSTATUSCODES; not before, not without, not after HELO.
 */
static void
test_enh_note(void)
{
	struct harness	h;
	int		good;

	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	type(&h, "EHLO one");
	say(&h, "250-peer.test\r\n250 SIZE 1000\r\n");
	type(&h, "NOOP");
	say(&h, "250 ok\r\n");
	type(&h, "EHLO two");
	say(&h, "250-peer.test\r\n250 ENHANCEDSTATUSCODES\r\n");
	type(&h, "NOOP");
	say(&h, "250 2.0.0 ok\r\n");
	type(&h, "MAIL FROM:<a@b.test>");
	say(&h, "250 2.1.0 ok\r\n");
	type(&h, "RSET");
	say(&h, "250 2.0.0 ok\r\n");
	type(&h, "HELO three");
	say(&h, "250 peer.test\r\n");
	type(&h, "NOOP");
	say(&h, "250 ok\r\n");
	good = h.enh.data != NULL && strcmp(h.enh.data,
	    "220 CONNECT\n"
	    "250 EHLO\n"
	    "250 NOOP\n"
	    "250 EHLO\n"
	    "250 NOOP enh\n"
	    "250 MAIL enh\n"
	    "250 RSET enh\n"
	    "250 HELO enh\n"
	    "250 NOOP\n") == 0;
	ok(good, "ENHANCEDSTATUSCODES noted on the replies after the EHLO "
	    "reply advertising it, until HELO");
	if (!good && h.enh.data != NULL)
		diag("%s", h.enh.data);
	stop(&h);
}

static void
test_pipelining_data(void)
{
	struct harness	h;

	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	type(&h, "EHLO c");
	say(&h, "250-peer.test\r\n250 PIPELINING\r\n");
	type(&h, "MAIL FROM:<a@b.test>");
	type(&h, "RCPT TO:<c@d.test>");
	type(&h, "RCPT TO:<e@d.test>");
	type(&h, "DATA");
	type(&h, "Subject: hi");
	type(&h, ".dot line");
	type(&h, ".");
	ok(sent(&h, "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n"
	    "RCPT TO:<e@d.test>\r\nDATA\r\n"), "MAIL, RCPTs and DATA pipelined");
	ok(!sent(&h, "Subject"), "message waits for 354");
	say(&h, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
	ok(has(&h, "REPLY 250 MAIL") && has(&h, "REPLY 354 DATA"),
	    "pipelined replies paired in order");
	ok(sent(&h, "Subject: hi\r\n..dot line\r\n.\r\n"),
	    "message sent dot-stuffed and ended");
	say(&h, "250 2.0.0 queued\r\n");
	ok(has(&h, "REPLY 250 ."), "final reply paired with the dot");
	is_int(session_phase(h.s), SESSION_PHASE_READY,
	    "transaction over: a new one may begin");

	/* DATA refused: lines typed ahead for the message are not commands. */
	type(&h, "MAIL FROM:<a@b.test>");
	type(&h, "DATA");
	type(&h, "RSET looks like a command but is message text");
	type(&h, ".");
	type(&h, "NOOP");
	say(&h, "250 ok\r\n554 5.5.1 no valid recipients\r\n");
	ok(!sent(&h, "RSET looks"), "typed-ahead message lines dropped");
	ok(sent(&h, "NOOP\r\n"), "the command after the message goes");
	ok(has(&h, "WARN DATA was refused"), "and the user is told");
	stop(&h);
}

/* /raw bytes. */
static void
raw(struct harness *h, const char *bytes)
{
	char	*cause = NULL;

	if (session_raw(h->s, bytes, strlen(bytes), &cause) != 0) {
		buf_printf(&h->events, "REFUSED %s\n", cause);
		free(cause);
	}
	run(h, 20);
}

/* Start a session and take it to the 354 of a message. */
static void
in_message(struct harness *h)
{
	start(h, SESSION_TLS_OPTIONAL, 0);
	say(h, "220 peer.test ESMTP\r\n");
	type(h, "MAIL FROM:<a@b.test>");
	say(h, "250 ok\r\n");
	type(h, "RCPT TO:<c@d.test>");
	say(h, "250 ok\r\n");
	type(h, "DATA");
	say(h, "354 go\r\n");
}

static void
test_raw_in_message(void)
{
	struct harness	h;

	/* Smuggling test: a bare "\n.\n" goes out inside DATA as it is. */
	in_message(&h);
	type(&h, "Subject: x");
	raw(&h, "a\n.\n");
	type(&h, ".after");
	raw(&h, "tail");
	type(&h, ".");
	ok(sent(&h, "Subject: x\r\na\n.\n..after\r\ntail\r\n.\r\n"),
	    "raw bytes inside a message go out as they are, and stuffing "
	    "goes on from where they left the line");
	ok(has(&h, "SENT [raw] a\n.\n") && has(&h, "SENT [raw] tail"),
	    "raw bytes in a message are shown marked [raw]");
	say(&h, "250 2.0.0 queued\r\n");
	ok(has(&h, "REPLY 250 ."), "the final reply is paired with the dot, "
	    "not with the raw bytes");
	type(&h, "QUIT");
	say(&h, "221 bye\r\n");
	shutdown(h.peer, SHUT_WR);
	run(&h, 50);
	ok(session_closed(h.s) && session_failure(h.s) == SESSION_FAIL_NONE,
	    "the session ends normally");
	stop(&h);

	/* A bare CR ends the line as far as stuffing goes. */
	in_message(&h);
	raw(&h, "x\r");
	type(&h, ".");
	ok(sent(&h, "DATA\r\nx\r.\r\n"), "after a raw CR the final dot "
	    "follows at once");
	stop(&h);
}

static void
test_injection(void)
{
	struct harness	h;

	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	type(&h, "EHLO c");
	say(&h, "250-peer.test\r\n250 STARTTLS\r\n");
	type(&h, "STARTTLS");
	type(&h, "MAIL FROM:<a@b.test>");
	ok(!sent(&h, "MAIL"), "nothing follows STARTTLS before its reply");
	say(&h, "220 2.0.0 Ready\r\n250-evil\r\n250 AUTH PLAIN\r\n");
	ok(has(&h, "FAILED 4 STARTTLS response injection"),
	    "bytes after 220 to STARTTLS: injection reported");
	ok(has(&h, "DATA 250-evil\r\n250 AUTH PLAIN\r\n"),
	    "the injected bytes are shown");
	ok(!has(&h, "unsolicited") && !has(&h, "REPLY 250 STARTTLS"),
	    "and never parsed as replies");
	ok(session_closed(h.s), "session ended");
	ok(!sent(&h, "MAIL"), "nothing else was sent");
	stop(&h);

	/* A partial injected line counts too. */
	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	type(&h, "STARTTLS");
	say(&h, "220 Ready\r\n2");
	ok(has(&h, "FAILED 4 STARTTLS response injection: 1 bytes"),
	    "a single trailing byte is caught");
	stop(&h);
}

static void
test_tls_required(void)
{
	struct harness	h;

	start(&h, SESSION_TLS_STARTTLS, 0);
	type(&h, "MAIL FROM:<a@b.test>");
	say(&h, "220 peer.test ESMTP\r\n");
	ok(sent(&h, "EHLO client.test\r\n"), "--tls sends EHLO itself");
	say(&h, "250-peer.test\r\n250 8BITMIME\r\n");
	ok(has(&h, "FAILED 3 --tls: the server does not offer STARTTLS"),
	    "no STARTTLS offered: TLS failure");
	ok(!sent(&h, "MAIL"), "nothing sent in clear");
	ok(session_failure(h.s) == SESSION_FAIL_TLS, "failure class TLS");
	stop(&h);

	start(&h, SESSION_TLS_STARTTLS, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	say(&h, "250-peer.test\r\n250 STARTTLS\r\n");
	ok(sent(&h, "STARTTLS\r\n"), "STARTTLS sent after EHLO");
	say(&h, "454 4.7.0 TLS not available\r\n");
	ok(has(&h, "FAILED 3 --tls: the server answered STARTTLS with 454"),
	    "454 under --tls ends the session");
	stop(&h);
}

static void
test_auth(void)
{
	struct harness	h;
	char		*cause = NULL;

	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	type(&h, "EHLO c");
	say(&h, "250-peer.test\r\n250 AUTH PLAIN LOGIN\r\n");
	ok(session_auth(h.s, "plain", "demo", "s3cret", &cause) == 0,
	    "AUTH PLAIN queued");
	run(&h, 20);
	ok(sent(&h, "AUTH PLAIN AGRlbW8AczNjcmV0\r\n"), "PLAIN blob sent");
	ok(!has(&h, "AGRlbW8AczNjcmV0") && !has(&h, "s3cret"),
	    "no event shows the secret");
	ok(has(&h, "WARN AUTH over an unencrypted connection"),
	    "warned about clear text");
	say(&h, "235 2.7.0 ok\r\n");
	ok(has(&h, "REPLY 235 AUTH"), "235 paired with AUTH");
	is_int(session_phase(h.s), SESSION_PHASE_READY,
	    "after AUTH: ready for a transaction");
	ok(session_authenticated(h.s), "authenticated");
	stop(&h);

	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	ok(session_auth(h.s, "login", "demo", "pw", &cause) == 0, "LOGIN");
	run(&h, 20);
	ok(sent(&h, "AUTH LOGIN\r\n"), "AUTH LOGIN sent");
	say(&h, "334 VXNlcm5hbWU6\r\n");
	ok(has(&h, "DECODED Username:"), "challenge decoded");
	ok(sent(&h, "ZGVtbw==\r\n"), "user name answered");
	say(&h, "334 UGFzc3dvcmQ6\r\n");
	ok(sent(&h, "cHc=\r\n"), "password answered");
	ok(!has(&h, "cHc="), "password never in an event");
	say(&h, "535 5.7.8 bad\r\n");
	ok(has(&h, "REPLY 535 AUTH"), "535 paired with AUTH");

	/* A typed response to a 334 is hidden too. */
	type(&h, "AUTH PLAIN");
	say(&h, "334 \r\n");
	type(&h, "AGRlbW8AczNjcmV0");
	ok(sent(&h, "AGRlbW8AczNjcmV0\r\n") && !has(&h, "AGRlbW8AczNjcmV0"),
	    "typed AUTH response sent but hidden");
	ok(session_auth(h.s, "plain", "a\r\nMAIL FROM:<x>", "c", &cause) ==
	    -1 && cause != NULL, "CR LF in a user name refused");
	free(cause);
	cause = NULL;
	ok(session_auth(h.s, "cram-md5", "a", "c", &cause) == -1,
	    "unknown mechanism refused");
	free(cause);
	stop(&h);
}

static void
test_auth_refused(void)
{
	struct harness	h;
	static char	mark[] = "closing";

	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	type(&h, "EHLO c");
	say(&h, "250-peer.test\r\n250 AUTH LOGIN\r\n");
	type(&h, "AUTH LOGIN");
	ok(session_in_auth(h.s), "AUTH sent: the next line may be an answer");
	type(&h, "dXNlcg==");
	type(&h, "/9j/4AAQ");
	type(&h, "QUIT");
	say(&h, "503 5.5.1 not now\r\n");
	ok(!sent(&h, "dXNlcg==") && !sent(&h, "/9j/4AAQ"),
	    "answers to a refused AUTH are not sent");
	ok(!has(&h, "dXNlcg==") && !has(&h, "/9j/4AAQ"),
	    "nor shown");
	ok(has(&h, "WARN ******** held back"), "a warning says so");
	ok(sent(&h, "QUIT\r\n"), "a bare SMTP verb is a command: it goes");
	ok(!session_in_auth(h.s), "and ends the hold");
	session_mark(h.s, mark);
	run(&h, 20);
	ok(!has(&h, "MARK closing"), "a mark waits for QUIT's reply");
	session_close(h.s);
	ok(has(&h, "MARK closing"), "marks are reported when the session "
	    "closes");
	stop(&h);

	/* PLAIN needs one answer: the hold ends after one line. */
	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	type(&h, "AUTH PLAIN");
	type(&h, "AGRlbW8AczNjcmV0");
	type(&h, "Zm9v");
	say(&h, "535 5.7.8 no\r\n");
	ok(!sent(&h, "AGRlbW8AczNjcmV0"), "PLAIN's one answer held");
	ok(sent(&h, "Zm9v\r\n"), "the line after it is not held");
	session_close(h.s);
	stop(&h);
}

/* Does any byte of b's storage, used or not, hold needle? */
static int
holds(const struct buf *b, const char *needle)
{
	return (b->data != NULL && memmem(b->data, b->cap + 1, needle,
	    strlen(needle)) != NULL);
}

/* Does the session's transport still hold needle anywhere it can reach? */
static int
conn_holds(struct harness *h, const char *needle)
{
	const struct conn	*c = session_conn(h->s);

	return (c != NULL && (holds(&c->out, needle) || holds(&c->in, needle) ||
	    holds(&c->errline, needle)));
}

/* Are core dumps off (RLIMIT_CORE 0 and, on Linux, not dumpable)? */
static int
no_core(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_CORE, &rl) == -1 || rl.rlim_cur != 0)
		return (0);
#ifdef PR_GET_DUMPABLE
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return (0);
#endif
	return (1);
}

/* Credentials sent are wiped from every buffer that held them. */
static void
test_secrets(void)
{
	struct harness	h;
	struct buf	b;
	char		*cause = NULL;
	size_t		 i;

	/* The buffer itself: compaction, growth, emptying. */
	buf_init(&b, 0);
	buf_addstr(&b, "1234");
	buf_secret(&b);
	buf_addstr(&b, "AGRlbW8AczNjcmV0");
	buf_consume(&b, 6);
	for (i = b.len + 1; i < 20 && b.data[i] == '\0'; i++)
		;
	ok(strcmp(b.data, "RlbW8AczNjcmV0") == 0 && i == 20,
	    "a secret buffer compacted: what moved left no copy behind");
	for (i = 0; i < 100; i++)
		buf_addstr(&b, "0123456789abcdef0123456789abcdef");
	ok(strncmp(b.data, "RlbW8AczNjcmV0", 14) == 0,
	    "grown (by copy, the old block wiped): contents kept");
	buf_reset(&b);
	ok(!holds(&b, "RlbW8AczNjcmV0") && !holds(&b, "0123456789abcdef"),
	    "emptied: every byte wiped");
	ok(!b.secret, "and no longer marked secret");
	buf_release(&b);

	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	type(&h, "EHLO c");
	say(&h, "250-peer.test\r\n250 AUTH PLAIN LOGIN\r\n");
	ok(session_auth(h.s, "plain", "demo", "s3cret", &cause) == 0,
	    "AUTH PLAIN queued");
	ok(no_core(), "core dumps off once credentials are in memory "
	    "(RLIMIT_CORE 0, PR_GET_DUMPABLE 0)");
	run(&h, 20);
	ok(sent(&h, "AUTH PLAIN AGRlbW8AczNjcmV0\r\n"), "PLAIN sent");
	ok(!conn_holds(&h, "AGRlbW8AczNjcmV0"),
	    "no copy of the base64 credentials in the connection's buffers");
	say(&h, "535 5.7.8 no\r\n");

	/* LOGIN: the password's answer. */
	ok(session_auth(h.s, "login", "demo", "pw-Zm9vYmFy", &cause) == 0,
	    "AUTH LOGIN queued");
	run(&h, 20);
	say(&h, "334 VXNlcm5hbWU6\r\n");
	say(&h, "334 UGFzc3dvcmQ6\r\n");
	ok(sent(&h, "cHctWm05dlltRnk=\r\n"), "LOGIN password sent");
	ok(!conn_holds(&h, "cHctWm05dlltRnk="),
	    "no copy of the LOGIN password's answer");
	say(&h, "535 5.7.8 no\r\n");

	/* Typed: an initial response, then an answer to a 334. */
	type(&h, "AUTH PLAIN AHR5cGVkAHNlY3JldDE=");
	ok(sent(&h, "AHR5cGVkAHNlY3JldDE=\r\n"), "typed AUTH PLAIN sent");
	ok(!conn_holds(&h, "AHR5cGVkAHNlY3JldDE="),
	    "no copy of a typed initial response");
	say(&h, "535 5.7.8 no\r\n");
	type(&h, "AUTH PLAIN");
	say(&h, "334 \r\n");
	type(&h, "AHR5cGVkAHNlY3JldDI=");
	ok(sent(&h, "AHR5cGVkAHNlY3JldDI=\r\n"), "typed answer sent");
	ok(!conn_holds(&h, "AHR5cGVkAHNlY3JldDI="),
	    "no copy of a typed answer to 334");
	ok(no_core(), "core dumps stay off");
	stop(&h);
}

static void
test_failures(void)
{
	struct harness	h;

	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 peer.test ESMTP\r\n");
	type(&h, "VRFY alice");
	shutdown(h.peer, SHUT_WR);
	run(&h, 50);
	ok(has(&h, "FAILED 2 the server closed the connection while a reply "
	    "to VRFY alice was due"), "dropped connection explained");
	stop(&h);

	start(&h, SESSION_TLS_OPTIONAL, 1);
	run(&h, 1300);
	ok(has(&h, "FAILED 2 no greeting from the server in time: none came "
	    "within the 1 seconds that --timeout allows"), "silent server "
	    "times out, and the message gives the --timeout in force");
	stop(&h);

	start(&h, SESSION_TLS_OPTIONAL, 0);
	say(&h, "220 ok\r\n");
	say(&h, "\x1b[2J not smtp\r\n");
	ok(has(&h, "REPLY 0 -"), "malformed line reported as such");
	type(&h, "NOOP");
	say(&h, "250 ok\r\n");
	ok(has(&h, "REPLY 250 NOOP"), "session goes on after it");
	stop(&h);
}

int
main(void)
{
	test_basic();
	test_enh_note();
	test_pipelining_data();
	test_raw_in_message();
	test_injection();
	test_tls_required();
	test_secrets();
	test_auth();
	test_auth_refused();
	test_failures();
	return (done_testing());
}
