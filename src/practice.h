/* SPDX-License-Identifier: ISC */
/*
 * The built-in practice SMTP server.  It is a real server, not a mock: it
 * listens on TCP (loopback by default), speaks SMTP with PIPELINING, SIZE,
 * 8BITMIME, ENHANCEDSTATUSCODES, STARTTLS and AUTH PLAIN/LOGIN, and throws
 * every message away once it has been accepted.  `smtpscope` with no host
 * (or --demo) runs it in a thread beside the client; --serve runs it alone
 * for a whole class.  An override script can make it misbehave on purpose.
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
#define PRACTICE_IDLE_TIMEOUT	300
#define PRACTICE_MAX_CLIENTS	256

/* The demo account accepted by AUTH PLAIN and AUTH LOGIN. */
#define PRACTICE_DEMO_USER	"demo"
#define PRACTICE_DEMO_PASSWORD	"demo"

/*
 * Configuration.  Zero fields take the defaults above, except tls, which is
 * a plain flag: set it to 1 to offer STARTTLS (a NULL config does).  The
 * strings are copied by practice_new().
 */
struct practice_config {
	const char	*hostname;	/* greeting/EHLO name */
	const char	*scenario;	/* NULL or "default" */
	const char	*script;	/* NULL, or an override script */
	size_t		 size_limit;	/* SIZE advertised and enforced */
	int		 tls;		/* 1: offer STARTTLS */
	int		 idle_timeout;	/* seconds */
	int		 max_clients;	/* over it: 421 4.3.2 and close */
};

struct practice;
struct practice_session;

/*
 * Create a server.  With tls set, this makes a fresh EC P-256 key and a
 * self-signed certificate in memory (see practice_cert_pem()).  A NULL
 * config means all defaults with STARTTLS on.  Returns NULL and sets *cause
 * (the caller frees it) on failure: bad host name, unknown scenario,
 * unreadable override script, a bad directive (the cause names the file and
 * line), or an OpenSSL failure.
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
 * Return the server certificate in PEM form, or NULL when TLS is off.  The
 * string is owned by the server and valid until practice_free().
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
 * Open connections are told "421 4.3.2 ... shutting down" (best effort) and
 * closed before it returns.  Once stopped, a server stays stopped: a later
 * practice_run() returns at once.
 */
void		 practice_run(struct practice *);
/* Make practice_run() return soon; async-signal and thread safe. */
void		 practice_stop(struct practice *);

/*
 * Serve one session on an fd pair (inetd style: in may equal out) until
 * QUIT, EOF, a timeout or practice_stop().  STARTTLS works here too.  The
 * fds may be blocking; they are not closed.  Returns 0 when the session
 * ended in an orderly way (QUIT, EOF, idle timeout, stop), -1 on a read,
 * write or TLS error.
 */
int		 practice_serve_fds(struct practice *, int, int);

/* Free a server that is not running; NULL is allowed. */
void		 practice_free(struct practice *);

/*
 * Return the names of the built-in scenarios, NULL-terminated; the array is
 * static.
 */
const char	*const *practice_scenarios(void);

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
/* Tell the session that the TLS handshake succeeded (RFC 3207 reset). */
void	practice_session_tls_started(struct practice_session *);
/*
 * Return 1 when the session wants the connection closed once the output
 * is flushed: after a 421 greeting, close-after CONNECT, or QUIT.
 */
int	practice_session_closing(const struct practice_session *);
/*
 * Return how many milliseconds the output of the last call should be held
 * back before it is sent (the delay directive), usually 0.
 */
unsigned	practice_session_delay(const struct practice_session *);

#endif
