/* SPDX-License-Identifier: ISC */
/*
 * The built-in practice SMTP server.  It is a real server, not a mock: it
 * listens on TCP (loopback by default), speaks SMTP with PIPELINING, SIZE,
 * 8BITMIME, ENHANCEDSTATUSCODES, STARTTLS and AUTH PLAIN/LOGIN, and throws
 * every message away once it has been accepted.  `smtpscope` with no host
 * (or --demo) runs it in a thread beside the client; --serve runs it alone
 * for a whole class.  A scenario (see practice_scenarios()) makes it
 * behave like a real server in one situation worth teaching; an override
 * script can make it misbehave on purpose.
 *
 * Two layers: struct practice is the server (configuration, TLS context,
 * listening sockets, the poll() loop, in practice-server.c); struct
 * practice_session is the per-connection SMTP engine (practice.c), which
 * does no I/O at all: lines go in, reply bytes come out.
 *
 * Nothing here prints or exits.  Every function may be called from any
 * thread, but one struct practice is driven by one thread at a time, except
 * for practice_stop(), which may be called from anywhere (even a signal
 * handler).  The process must ignore SIGPIPE: plain sockets are written with
 * MSG_NOSIGNAL, but TLS and pipe writes use write(2).
 */
#ifndef PRACTICE_H
#define PRACTICE_H

#include <stddef.h>

struct buf;

/* What the caller does after practice_session_line(). */
#define PRACTICE_CONTINUE	0	/* send the output, read on */
#define PRACTICE_STARTTLS	1	/* flush, drop buffered input, TLS */
#define PRACTICE_CLOSE		2	/* flush, then close the connection */

/* Defaults for zero fields of struct practice_config. */
#define PRACTICE_HOSTNAME	"practice.smtpscope.test"
#define PRACTICE_LOCAL_DOMAIN	"practice.test"
#define PRACTICE_SIZE_LIMIT	10485760
/* Most a practice script may set with "set size" (1 TiB). */
#define PRACTICE_SIZE_MAX	1099511627776L
#define PRACTICE_IDLE_TIMEOUT	300
#define PRACTICE_MAX_CLIENTS	256

/*
 * What one client may take of a server shared by a class, so that one
 * student cannot lock the others out (in the spirit of Postfix's anvil):
 * connections at once from one address, new connections a minute from one
 * address, and seconds from the first byte of a line to its end (a client
 * sending a byte now and then, never a line end, would otherwise keep its
 * connection for ever).  "set client-limit", "set client-rate" and "set
 * line-timeout" in the override script change them.  A class behind one
 * NAT address shares the per-address limits.
 */
#define PRACTICE_CLIENT_LIMIT	16
#define PRACTICE_CLIENT_RATE	600
#define PRACTICE_LINE_TIMEOUT	60

/*
 * Scenario settings.  The "size-limit" scenario advertises and enforces
 * PRACTICE_SCENARIO_SIZE (or the configured limit, if smaller).  The
 * "greylist" scenario lets a triple through PRACTICE_GREYLIST_DELAY seconds
 * after its first attempt, and the "slow" scenario greets after
 * PRACTICE_SLOW_DELAY seconds; the environment variables below, and above
 * them the override script's "set greylist-delay N" and "set slow-delay N",
 * change these (0 to PRACTICE_SETTING_MAX seconds).  The "pipelining"
 * scenario holds the first reply of a command group PRACTICE_GROUP_HOLD ms.
 */
#define PRACTICE_SCENARIO_SIZE		1000000
#define PRACTICE_GREYLIST_DELAY		10
#define PRACTICE_SLOW_DELAY		3
#define PRACTICE_SETTING_MAX		3600
#define PRACTICE_GROUP_HOLD		50
#define PRACTICE_ENV_GREYLIST_DELAY	"SMTPSCOPE_GREYLIST_DELAY"
#define PRACTICE_ENV_SLOW_DELAY		"SMTPSCOPE_SLOW_DELAY"

/* The demo account accepted by AUTH PLAIN and AUTH LOGIN. */
#define PRACTICE_DEMO_USER	"demo"
#define PRACTICE_DEMO_PASSWORD	"demo"

/*
 * Configuration.  Zero fields take the defaults above, except tls, which is
 * a plain flag: set it to 1 to offer STARTTLS (a NULL config does).  The
 * strings are copied by practice_new().  The override script's "set
 * idle-timeout", "set client-limit", "set client-rate" and "set
 * line-timeout" take precedence over the numbers here.
 */
struct practice_config {
	const char	*hostname;	/* greeting/EHLO name */
	const char	*scenario;	/* NULL or "default" */
	const char	*script;	/* NULL, or an override script */
	size_t		 size_limit;	/* SIZE advertised and enforced */
	int		 tls;		/* 1: offer STARTTLS */
	int		 idle_timeout;	/* seconds */
	int		 max_clients;	/* over it: 421 4.3.2 and close */
	int		 client_limit;	/* at once from one address: 421 4.7.0 */
	int		 client_rate;	/* new a minute from one address */
	int		 line_timeout;	/* seconds to finish a line: 421 4.4.2 */
};

struct practice;
struct practice_session;

/*
 * Create a server.  With tls set, this makes a fresh EC P-256 key and a
 * self-signed certificate in memory (see practice_cert_pem()), unless the
 * override script names a certificate ("set cert FILE", "set key FILE"),
 * which is then read now; "set tls-min", "set tls-max" and "set
 * tls-on-connect" choose the protocol versions and implicit TLS (see
 * practice.c).  A NULL config means all defaults with STARTTLS on.
 * Returns NULL and sets *cause (the caller frees it) on failure: bad host
 * name, unknown scenario, unreadable override script, a bad directive (the
 * cause names the file and line), a certificate or key file that cannot be
 * used (the cause names the file), or an OpenSSL failure.
 */
struct practice	*practice_new(const struct practice_config *, char **);

/*
 * Listen on addr (NULL: 127.0.0.1; a name or numeric address) and port
 * ("0": an ephemeral port).  Every address the name resolves to is bound;
 * with port "0", the later ones reuse the port the first one got.  May be
 * called again for more addresses, before practice_run().  Returns 0, or -1
 * and sets *cause (the caller frees it).
 */
int		 practice_listen(struct practice *, const char *, const char *,
		    char **);
/* Return the port the first listening socket is bound to, or -1. */
int		 practice_port(const struct practice *);

/*
 * Return the server certificate in PEM form, or NULL when TLS is off or
 * the override script gave the certificate ("set cert": a client must judge
 * that one as it would any server's).  The string is owned by the server
 * and valid until practice_free().
 *
 * The certificate is self-signed, CN and DNS SAN practice.smtpscope.test,
 * with SANs DNS:localhost, IP:127.0.0.1 and IP:::1, basicConstraints
 * CA:FALSE, extendedKeyUsage serverAuth, valid from an hour ago for 30 days.
 * A client that adds it to its X509_STORE as a trust anchor and checks the
 * name "localhost" (SSL_set1_host) or the address 127.0.0.1
 * (X509_VERIFY_PARAM_set1_ip_asc) verifies it with default flags: OpenSSL
 * accepts a self-signed leaf that is itself in the store, no
 * X509_V_FLAG_PARTIAL_CHAIN needed (tests/unit/practice-net.c checks this).
 */
const char	*practice_cert_pem(const struct practice *);

/*
 * Serve every listening socket, many clients at once, until practice_stop().
 * A new connection over a limit is told which one in a 421 and closed:
 * 4.7.0 for the per-address limits (client-limit, client-rate), 4.3.2 when
 * max_clients are open.  A client whose unsent replies pass
 * PRACTICE_OUT_MAX is not read from (nor its lines answered) until they
 * drain; one that reads nothing for the idle timeout is closed.
 * Open connections are told "421 4.3.2 ... shutting down" (best effort) and
 * closed before it returns.  Once stopped, a server stays stopped: a later
 * practice_run() returns at once.
 */
void		 practice_run(struct practice *);
/* Make practice_run() return soon; async-signal and thread safe. */
void		 practice_stop(struct practice *);

/*
 * Serve one session on an fd pair (inetd style: in may equal out) until
 * QUIT, EOF, a timeout or practice_stop().  STARTTLS (and tls-on-connect)
 * works here too.  The
 * fds may be blocking; they are not closed.  Returns 0 when the session
 * ended in an orderly way (QUIT, EOF, idle timeout, stop), -1 on a read,
 * write or TLS error.
 */
int		 practice_serve_fds(struct practice *, int, int);

/* Free a server that is not running; NULL is allowed. */
void		 practice_free(struct practice *);

/*
 * Return the names of the built-in scenarios, NULL-terminated; the array is
 * static.  "default" comes first.  What each one does:
 *
 *   default        Postfix-like: VRFY 252, EXPN 502, relaying needs AUTH.
 *   vrfy-open      VRFY alice, bob, postmaster: 250 2.1.5 "Alice Example
 *                  <alice@practice.test>"; carol: 251 2.1.5 (forwarded,
 *                  RFC 5321 3.4); unknown: 550 5.1.1; malformed: 553 5.1.3;
 *                  another domain, or the list: 252.  EXPN staff: a 250
 *                  list of alice and bob; an unknown list 550 5.1.1.  RCPT
 *                  takes carol (251) and staff too.
 *   vrfy-hidden    VRFY always 252 2.0.0, EXPN 502 5.5.1.
 *   greylist       Postgrey: the first RCPT of a (client address, sender,
 *                  recipient) triple gets 450 4.7.1 "Greylisted"; the same
 *                  triple is let through once the delay has passed, on any
 *                  connection (the memory belongs to the server).
 *                  Authenticated clients are not greylisted.
 *   busy           Greeting 421 4.3.2 "too many connections", then close.
 *   shutdown       A normal session until the first MAIL, which gets
 *                  421 4.3.2 "Service shutting down", then close.
 *   tls-required   MAIL, RCPT, DATA, VRFY, EXPN and AUTH before STARTTLS:
 *                  530 5.7.0; EHLO offers AUTH only under TLS.
 *   auth-required  MAIL before AUTH: 530 5.7.0 Authentication required.
 *   mailbox-full   RCPT bob: 452 4.2.2 (temporary: the quota may clear);
 *                  a message for alice: 552 5.2.2 after the final dot
 *                  (permanent for this message).
 *   relay-denied   Unauthenticated RCPT to another domain: 554 5.7.1
 *                  Relay access denied; a sender in our own domain without
 *                  AUTH: 553 5.7.1 "Sender address rejected: not logged
 *                  in", at RCPT time as Postfix's smtpd_delay_reject does.
 *   strict-syntax  MAIL FROM: and RCPT TO: need "<address>" right after
 *                  the colon: no brackets or a blank gets 501 5.5.4.
 *   size-limit     SIZE 1000000: 552 5.3.4 for SIZE= over it at MAIL, and
 *                  for a longer message at the final dot.
 *   slow           The greeting comes after a delay; a client that talks
 *                  first gets 554 5.5.0 and is cut off (see
 *                  practice_session_pregreet()).
 *   pipelining     The first reply of a command group is held back a
 *                  little, so that the replies to a pipelined group leave
 *                  in one write, in order.
 *   dnsbl          Every RCPT from an unauthenticated client: 554 5.7.1
 *                  "Service unavailable; Client host [ADDR] blocked using
 *                  zen.spamhaus.org; ..." (Postfix reject_rbl_client).
 *
 * Every greeting but busy's says "ESMTP smtpscope practice server", with
 * "(scenario NAME)" after it for all but the default.  Override script
 * directives take precedence over the scenario.
 */
const char	*const *practice_scenarios(void);
/*
 * Return the one-line description of a scenario (for --demo=list), or
 * NULL when there is no such scenario.  The string is static.
 */
const char	*practice_scenario_describe(const char *);

/*
 * The per-connection engine.  A session borrows its server: the server
 * must outlive it.  practice_session_new() never fails.
 */
struct practice_session	*practice_session_new(struct practice *);
void			 practice_session_free(struct practice_session *);

/* Append the greeting (CRLF-terminated) to out. */
void	practice_session_greeting(struct practice_session *, struct buf *);
/*
 * Handle one line without its line end: a command, a DATA line or an AUTH
 * response.  Appends the replies, CRLF-terminated, to out (which should be
 * uncapped: the caller checks its size afterwards) and returns
 * PRACTICE_CONTINUE, PRACTICE_STARTTLS or PRACTICE_CLOSE.
 */
int	practice_session_line(struct practice_session *, const char *, size_t,
	    struct buf *);
/*
 * Report a line that was too long to keep (its len bytes were read and
 * dropped by the caller); it is answered or counted as such a line would
 * be.  Returns as practice_session_line().
 */
int	practice_session_overlong(struct practice_session *, size_t,
	    struct buf *);
/*
 * Tell the session the client's numeric address (copied; at most 63
 * bytes are kept).  The greylist scenario keys on it and the dnsbl
 * scenario names it.  Until this is called it is "127.0.0.1", as for a
 * local client (demo mode and practice_serve_fds()).
 */
void	practice_session_set_peer(struct practice_session *, const char *);
/*
 * Tell the session that the client sent something while the greeting was
 * still held back (by the slow scenario or a "delay CONNECT" directive):
 * RFC 5321 3.1 and 4.3.1 have a client wait for the greeting.  If the
 * scenario refuses early talkers, this appends the refusal to out and
 * returns PRACTICE_CLOSE: the caller drops the greeting it has not sent,
 * sends out and closes.  Otherwise it appends nothing and returns
 * PRACTICE_CONTINUE: the greeting goes out as planned and the early text
 * is read as commands after it.
 */
int	practice_session_pregreet(struct practice_session *, struct buf *);
/* Tell the session that the TLS handshake succeeded (RFC 3207 reset). */
void	practice_session_tls_started(struct practice_session *);
/*
 * Return 1 when the session wants the connection closed once the output
 * is flushed: after a 421 greeting, close-after CONNECT, or QUIT.
 */
int	practice_session_closing(const struct practice_session *);
/*
 * Return how many milliseconds the output of the last call should be held
 * back before it is sent (the delay directive, the slow scenario's
 * greeting, the pipelining scenario's group), usually 0.  While output is
 * held, the caller hands over no further lines; it may still read, to
 * notice a client that talks before a held greeting
 * (practice_session_pregreet()).
 */
unsigned	practice_session_delay(const struct practice_session *);

#endif
