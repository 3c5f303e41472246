/* SPDX-License-Identifier: ISC */
/*
 * The SMTP client session.
 *
 * Bytes flow one way: conn (transport) -> reply parser -> the command the
 * reply answers -> an event for the front end.  Lines the user types wait in
 * a queue; session_pump() sends them when SMTP allows.  session_set_phase()
 * is the only place the phase changes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "base/b64.h"
#include "base/buf.h"
#include "smtp/caps.h"
#include "net/conn.h"
#include "smtp/dotstuff.h"
#include "kb/explain.h"
#include "base/i18n.h"
#include "net/net.h"
#include "smtp/reply.h"
#include "base/secret.h"
#include "smtp/session.h"
#include "net/tls.h"
#include "base/xmalloc.h"

/* RFC 5321 4.5.3.1.4: a command line is at most 512 octets with CRLF. */
#define SESSION_CMD_MAX		510
/* Lines the user may queue ahead of the server. */
#define SESSION_QUEUE_MAX	100000
/*
 * RFC 5321 4.5.3.2.1: wait 5 minutes for the greeting; connecting and a
 * TLS handshake get as long.
 */
#define SESSION_GREETING_TIMEOUT	300
/*
 * Seconds of silence after connecting before saying that the port may
 * want implicit TLS (a client without it waits for a greeting that such a
 * port never sends in clear).
 */
#define SESSION_GREETING_HINT		5
/* Seconds to wait for the replies due once smtpscope sends QUIT itself. */
#define SESSION_QUIT_WAIT	5
/* Keep at most this much of a --data file in the output queue. */
#define SESSION_BODY_HIGH	(1024 * 1024)

const char *const session_phase_names[SESSION_PHASE_LAST] = {
	"CONNECTING", "TLS-CONNECT", "GREETING", "CONNECTED", "HELLO",
	"STARTTLS", "AUTH", "READY", "MAIL", "RCPT", "DATA", "QUIT", "CLOSED"
};
_Static_assert(sizeof session_phase_names / sizeof session_phase_names[0] ==
    SESSION_PHASE_LAST, "session_phase_names matches enum session_phase");

enum session_item_kind {
	SESSION_ITEM_LINE,		/* a typed line */
	SESSION_ITEM_RAW,		/* /raw bytes, sent as they are */
	SESSION_ITEM_AUTH,		/* /auth */
	SESSION_ITEM_FILE,		/* /data FILE */
	SESSION_ITEM_MARK		/* session_mark(): a barrier */
};

struct session_item {
	enum session_item_kind	 kind;
	char			*line;
	size_t			 len;
	int			 is_auth;	/* a typed AUTH command */
	void			*cookie;	/* SESSION_ITEM_MARK */
	struct session_item	*next;
};

/* A command sent and waiting for its reply. */
struct session_cmd {
	const char		*verb;	/* context key (explain_verb) */
	char			*shown;	/* the line as shown (masked) */
	struct timespec		 sent;
	int			 timeout;	/* seconds */
	int			 expected;	/* any reply will do: sent by us to
						   end the session, or a "*" */
	struct session_cmd	*next;
};

struct session {
	struct session_config	 cfg;
	session_cb		*cb;
	void			*arg;

	struct net_attempt	 na;
	int			 resolved;
	struct timespec		 connect_start;
	struct conn		*conn;
	SSL_CTX			*ctx;
	char			*verify_name;
	struct reply_parser	*parser;
	struct caps		 caps;
	struct caps		 caps_pre;	/* before STARTTLS */
	struct tls_info		 tls;		/* last handshake */
	int			 have_tls;
	const SSL		*reneg_ssl;	/* renegs counts for this one */
	unsigned int		 renegs;	/* refused renegotiations told */
	char			 peer[64];	/* numeric address */
	long long		 last_rtt;

	enum session_phase	 phase;
	enum session_sec	 sec;
	enum session_fail	 fail;
	int			 greeted;
	int			 greeting_hinted; /* the implicit TLS hint */
	int			 closing;	/* the server said 421 or 221 */
	int			 finishing;	/* input ended */
	int			 quit_sent;
	int			 quitting;	/* we sent or are sending QUIT */
	int			 stopped;	/* --stop-on-error stopped it */
	int			 starttls_go;	/* 220 to STARTTLS seen */
	int			 auth_pending;	/* AUTH sent, reply due */
	int			 auth_challenge; /* 334: a response is due */
	/*
	 * A typed AUTH: the answers it needs and those sent; after a
	 * refusal, how many more answer-like lines to hold back; typed
	 * AUTH lines still in the queue.
	 */
	int			 auth_needed;
	int			 auth_answers;
	int			 auth_refused;
	size_t			 auth_queued;
	int			 authenticated;
	int			 in_message;	/* after 354 */
	int			 rcpt_ok;	/* recipients accepted */
	int			 data_pending;	/* DATA sent, 354 due */
	int			 last_code;
	int			 worst_code;	/* first unexpected reply of the
						   worst class, 4xx or 5xx */
	char			*ehlo_name;	/* name of the last EHLO */
	int			 ehlo_is_helo;
	int			 auto_ehlo_after_tls;

	/* AUTH LOGIN answers, wiped once sent. */
	char			*login_user;
	char			*login_pass;
	int			 login_step;

	struct session_item	*queue, *queue_tail;
	size_t			 nqueue;
	struct session_cmd	*out, *out_tail;
	size_t			 nout;

	int			 body_fd;	/* --data file being sent */
	char			*body_name;
	int			 body_waiting;	/* DATA sent for a file */
	struct dotstuff		 dot;
	unsigned long long	 body_bytes;
};

static void	session_emit(struct session *, struct session_event *);
static void	session_notice(struct session *, enum session_ev, const char *,
		    ...) __attribute__((format(printf, 3, 4)));
static void	session_set_phase(struct session *, enum session_phase);
static void	session_failed(struct session *, enum session_fail,
		    const char *, size_t, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static void	session_disconnect(struct session *);
static void	session_connected(struct session *);
static void	session_connect_next(struct session *);
static int	session_start_tls(struct session *);
static void	session_tls_done(struct session *);
static void	session_read(struct session *);
static void	session_renegotiated(struct session *);
static void	session_on_reply(struct session *, struct reply *);
static void	session_on_line(void *, const char *, size_t, int, int,
		    unsigned);
static void	session_pump(struct session *);
static int	session_pump_message(struct session *);
static void	session_body_refill(struct session *);
static struct session_cmd *session_send(struct session *, const char *,
		    size_t, const char *, const char *, int);
static void	session_send_raw(struct session *, const char *, size_t,
		    const char *);
static void	session_push_item(struct session *, enum session_item_kind,
		    const char *, size_t);
static void	session_pop_item(struct session *);
static struct session_cmd *session_pop_cmd(struct session *);
static int	session_verb_timeout(const struct session *, const char *);
static int	session_group_end(const char *);
static const char *session_verb_of(const char *, size_t, char *, size_t);
static int	session_drop_typed_body(struct session *);
static void	session_wipe(char **);
static long long session_us_since(const struct timespec *);
static void	session_check_idle(struct session *);
static long long session_greeting_hint_left(const struct session *);
static void	session_greeting_hint(struct session *);
static void	session_drop_queue(struct session *);
static int	session_connect_first(struct session *, char **);
static void	session_lookup_done(struct session *);
static void	session_do_auth(struct session *, const char *);
static void	session_do_file(struct session *, const char *);
static void	session_errline(void *, const char *, size_t);
static int	session_expired(struct session *);
static void	session_flush_partial(struct session *, const char *);
static struct session_cmd *session_push_cmd(struct session *, const char *,
		    const char *);
static void	session_sent(struct session *, const char *);
static void	session_unlink_item(struct session *, struct session_item *,
		    struct session_item *);
static void	session_pop_mark(struct session *);
static size_t	session_drop_lines(struct session *);
static void	session_release_marks(struct session *);
static int	session_auth_needs(const char *, size_t);
static int	session_like_answer(const char *, size_t);
static void	session_answer(struct session *, struct session_item *);
static int	session_unexpected(const struct session_cmd *,
		    const struct reply *);
static void	session_stop(struct session *, int);
static int	session_quit_wait(const struct session *);

/* Create a session. */
struct session *
session_new(const struct session_config *cfg, session_cb *cb, void *arg)
{
	struct session	*s;

	s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	s->cb = cb;
	s->arg = arg;
	s->na.fd = -1;
	s->body_fd = -1;
	s->parser = reply_parser_new(0, 0);
	reply_parser_set_line_cb(s->parser, session_on_line, s);
	caps_init(&s->caps);
	caps_init(&s->caps_pre);
	s->last_rtt = -1;
	s->phase = SESSION_PHASE_CONNECTING;
	if (cfg->verify_name != NULL)
		s->verify_name = xstrdup(cfg->verify_name);
	else if (cfg->host != NULL)
		s->verify_name = xstrdup(cfg->host);
	return (s);
}

/* Wipe and free a secret. */
static void
session_wipe(char **p)
{
	if (*p != NULL) {
		OPENSSL_cleanse(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

/* Free a session. */
void
session_free(struct session *s)
{
	struct session_cmd	*c;

	if (s == NULL)
		return;
	if (s->na.fd != -1)
		close(s->na.fd);
	net_attempt_release(&s->na);
	conn_free(s->conn);
	if (s->ctx != NULL)
		SSL_CTX_free(s->ctx);
	reply_parser_free(s->parser);
	caps_clear(&s->caps);
	caps_clear(&s->caps_pre);
	if (s->have_tls)
		tls_info_release(&s->tls);
	while (s->queue != NULL)
		session_pop_item(s);
	while ((c = session_pop_cmd(s)) != NULL) {
		free(c->shown);
		free(c);
	}
	if (s->body_fd != -1)
		close(s->body_fd);
	free(s->body_name);
	free(s->ehlo_name);
	free(s->verify_name);
	session_wipe(&s->login_user);
	session_wipe(&s->login_pass);
	free(s);
}

/* Microseconds since a moment. */
static long long
session_us_since(const struct timespec *t)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((long long)(now.tv_sec - t->tv_sec) * 1000000 +
	    (now.tv_nsec - t->tv_nsec) / 1000);
}

/* Hand an event to the front end. */
static void
session_emit(struct session *s, struct session_event *ev)
{
	ev->sec = s->sec;
	ev->phase = s->phase;
	if (s->cb != NULL)
		s->cb(s->arg, ev);
}

/* Report a notice or warning in our own words. */
static void
session_notice(struct session *s, enum session_ev type, const char *fmt, ...)
{
	struct session_event	 ev;
	va_list			 ap;
	char			*text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.text = text;
	ev.rtt_us = -1;
	session_emit(s, &ev);
	free(text);
}

/* Change phase: the only place it happens. */
static void
session_set_phase(struct session *s, enum session_phase phase)
{
	struct session_event	ev;

	if (s->phase == phase)
		return;
	s->phase = phase;
	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_PHASE;
	ev.rtt_us = -1;
	session_emit(s, &ev);
}

/* Record a failure, report it, and close. */
static void
session_failed(struct session *s, enum session_fail fail, const char *data,
    size_t len, const char *fmt, ...)
{
	struct session_event	 ev;
	va_list			 ap;
	char			*text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (s->fail == SESSION_FAIL_NONE)
		s->fail = fail;
	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_FAILED;
	ev.fail = fail;
	ev.text = text;
	ev.data = data;
	ev.len = len;
	ev.rtt_us = -1;
	session_emit(s, &ev);
	free(text);
	session_disconnect(s);
}

/* Drop the connection and report it. */
static void
session_disconnect(struct session *s)
{
	struct session_event	ev;

	if (s->phase == SESSION_PHASE_CLOSED)
		return;
	if (s->na.fd != -1) {
		close(s->na.fd);
		s->na.fd = -1;
	}
	/* A lookup still running is abandoned. */
	net_attempt_release(&s->na);
	conn_free(s->conn);
	s->conn = NULL;
	if (s->body_fd != -1) {
		close(s->body_fd);
		s->body_fd = -1;
	}
	session_wipe(&s->login_user);
	session_wipe(&s->login_pass);
	s->sec = SESSION_SEC_CLEAR;
	session_set_phase(s, SESSION_PHASE_CLOSED);
	session_release_marks(s);
	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_CLOSED;
	ev.rtt_us = -1;
	session_emit(s, &ev);
}

/* Resolve and start connecting. */
int
session_start(struct session *s, char **cause)
{
	int	fd, errfd = -1;
	pid_t	pid;

	clock_gettime(CLOCK_MONOTONIC, &s->connect_start);
	if (s->cfg.use_fd) {
		net_nonblock(s->cfg.fd);
		s->conn = conn_new(s->cfg.fd, s->cfg.fd, -1, -1);
		session_connected(s);
		return (0);
	}
	if (s->cfg.pipe_cmd != NULL) {
		pid = net_pipe(s->cfg.pipe_cmd, &fd, &errfd, cause);
		if (pid == -1)
			goto fail;
		session_notice(s, SESSION_EV_NOTICE, _("started \"%s\" (pid %ld); "
		    "talking SMTP on its standard input and output"),
		    s->cfg.pipe_cmd, (long)pid);
		s->conn = conn_new(fd, fd, errfd, pid);
		session_connected(s);
		return (0);
	}
	if (s->cfg.unix_path != NULL) {
		if ((fd = net_unix(s->cfg.unix_path, cause)) == -1)
			goto fail;
		session_notice(s, SESSION_EV_NOTICE, _("connected to unix socket "
		    "%s"), s->cfg.unix_path);
		s->conn = conn_new(fd, fd, -1, -1);
		session_connected(s);
		return (0);
	}
	switch (net_resolve_start(&s->na, s->cfg.host, s->cfg.port,
	    s->cfg.family, cause)) {
	case -1:
		goto fail;
	case 1:
		/* A name: the poll loop goes on while it is looked up. */
		session_notice(s, SESSION_EV_NOTICE, _("looking up %s"),
		    s->cfg.host);
		return (0);
	}
	return (session_connect_first(s, cause));
fail:
	session_failed(s, SESSION_FAIL_CONN, NULL, 0, "%s", *cause);
	return (-1);
}

/* The addresses are known: start connecting to the first. */
static int
session_connect_first(struct session *s, char **cause)
{
	s->resolved = 1;
	if (net_connect_next(&s->na, cause) == -1) {
		session_failed(s, SESSION_FAIL_CONN, NULL, 0, "%s", *cause);
		return (-1);
	}
	session_notice(s, SESSION_EV_NOTICE, _("connecting to %s [%s] port %s"),
	    s->cfg.host, s->na.addr, s->cfg.port);
	return (0);
}

/* The lookup thread has answered. */
static void
session_lookup_done(struct session *s)
{
	char	*cause = NULL;

	switch (net_resolve_finish(&s->na, &cause)) {
	case 1:
		return;
	case -1:
		session_failed(s, SESSION_FAIL_CONN, NULL, 0, "%s", cause);
		break;
	default:
		if (session_connect_first(s, &cause) == 0)
			return;
		break;
	}
	free(cause);
}

/* Try the next address after a failed attempt. */
static void
session_connect_next(struct session *s)
{
	char	*cause;

	if (net_connect_next(&s->na, &cause) == -1) {
		session_failed(s, SESSION_FAIL_CONN, NULL, 0,
		    _("cannot connect to %s port %s: %s"), s->cfg.host,
		    s->cfg.port, cause);
		free(cause);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &s->connect_start);
	session_notice(s, SESSION_EV_NOTICE, _("trying %s [%s] port %s"),
	    s->cfg.host, s->na.addr, s->cfg.port);
}

/* The transport is up: wait for the greeting or start implicit TLS. */
static void
session_connected(struct session *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->connect_start);
	if (s->cfg.tls == SESSION_TLS_IMPLICIT) {
		session_set_phase(s, SESSION_PHASE_TLS_CONNECT);
		if (session_start_tls(s) == -1)
			return;
		session_notice(s, SESSION_EV_NOTICE, _("starting TLS at once "
		    "(implicit TLS, RFC 8314)"));
		return;
	}
	session_set_phase(s, SESSION_PHASE_GREETING);
}

/* Create the TLS object and begin the handshake. */
static int
session_start_tls(struct session *s)
{
	SSL	*ssl;
	char	*cause;

	if (s->ctx == NULL) {
		s->ctx = tls_client_ctx(s->cfg.cafile, s->cfg.trust_pem,
		    &cause);
		if (s->ctx == NULL) {
			session_failed(s, SESSION_FAIL_TLS, NULL, 0, "%s",
			    cause);
			free(cause);
			return (-1);
		}
	}
	ssl = tls_client_ssl(s->ctx, s->conn->rfd, s->conn->wfd,
	    s->verify_name, s->cfg.sni, &cause);
	if (ssl == NULL) {
		session_failed(s, SESSION_FAIL_TLS, NULL, 0, "%s", cause);
		free(cause);
		return (-1);
	}
	conn_start_tls(s->conn, ssl);
	return (0);
}

/* The handshake finished: report it and decide whether to go on. */
static void
session_tls_done(struct session *s)
{
	struct session_event	ev;
	struct tls_info		ti;

	tls_info_get(s->conn->ssl, s->verify_name, s->cfg.verify_name != NULL,
	    &ti);
	if (s->have_tls)
		tls_info_release(&s->tls);
	s->sec = ti.verified ? SESSION_SEC_TLS : SESSION_SEC_TLS_UNVERIFIED;
	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_TLS;
	ev.tls = &ti;
	ev.rtt_us = -1;
	session_emit(s, &ev);
	if (!ti.verified && !s->cfg.insecure) {
		session_failed(s, SESSION_FAIL_TLS, NULL, 0, _("certificate "
		    "check failed: %s; not going on, and connecting again "
		    "fails the same way until the certificate or what this "
		    "side trusts changes.  To look further anyway, run the "
		    "same command again with --insecure (the failure stays "
		    "shown); to trust a private CA, add --cafile FILE"),
		    ti.verify_text);
		s->tls = ti;
		s->have_tls = 1;
		return;
	}
	if (!ti.verified)
		session_notice(s, SESSION_EV_WARNING, _("going on although the "
		    "certificate check failed (--insecure): the connection is "
		    "encrypted but the server is not authenticated"));
	s->tls = ti;
	s->have_tls = 1;

	/* RFC 3207 4.2: forget everything learnt before TLS. */
	if (s->caps.valid)
		caps_copy(&s->caps_pre, &s->caps);
	caps_clear(&s->caps);
	s->authenticated = 0;
	if (s->phase == SESSION_PHASE_TLS_CONNECT) {
		session_set_phase(s, SESSION_PHASE_GREETING);
		return;
	}
	session_set_phase(s, SESSION_PHASE_CONNECTED);
	if (s->auto_ehlo_after_tls || s->cfg.tls == SESSION_TLS_STARTTLS) {
		char	*line;

		s->auto_ehlo_after_tls = 0;
		line = xasprintf("%s %s", s->ehlo_is_helo ? "HELO" : "EHLO",
		    s->ehlo_name != NULL ? s->ehlo_name : s->cfg.helo);
		session_notice(s, SESSION_EV_NOTICE, _("capabilities learnt "
		    "before TLS are forgotten (RFC 3207 4.2); sending %s again"),
		    s->ehlo_is_helo ? "HELO" : "EHLO");
		session_send(s, line, strlen(line), NULL, NULL, 0);
		free(line);
	} else
		session_notice(s, SESSION_EV_NOTICE, _("capabilities learnt "
		    "before TLS are forgotten (RFC 3207 4.2): send EHLO again"));
	session_pump(s);
}

/* Describe what to poll. */
int
session_pollfds(struct session *s, struct pollfd *pfd)
{
	if (s->phase == SESSION_PHASE_CLOSED)
		return (0);
	if (s->conn == NULL) {
		if (net_lookup_fd(&s->na) != -1) {
			pfd[0].fd = net_lookup_fd(&s->na);
			pfd[0].events = POLLIN;
			pfd[0].revents = 0;
			return (1);
		}
		if (s->na.fd == -1)
			return (0);
		pfd[0].fd = s->na.fd;
		pfd[0].events = POLLOUT;
		pfd[0].revents = 0;
		return (1);
	}
	return (conn_pollfds(s->conn, pfd));
}

/*
 * The connection ends while a reply is incomplete: show what arrived of it
 * (escaped, also in the transcript), so nothing received is lost.
 */
static void
session_flush_partial(struct session *s, const char *when)
{
	struct session_event	 ev;
	size_t			 len, got;
	char			*held, *text;

	if ((got = reply_parser_pending(s->parser)) == 0)
		return;
	/* The parser counts every byte but holds only the first few KB. */
	held = reply_parser_take_pending(s->parser, &len);
	if (got > len)
		/*
		 * TRANSLATORS: %s is what happened, one of "the connection
		 * failed", "the connection ended" or "the time ran out"; the
		 * numbers are the bytes that arrived of the reply and how
		 * many of them (the first ones) are shown.
		 */
		text = xasprintf(_("%s in the middle of a reply; %zu bytes of "
		    "it arrived, and the first %zu follow, escaped:"), when,
		    got, len);
	else
		/*
		 * TRANSLATORS: %s is what happened, one of "the connection
		 * failed", "the connection ended" or "the time ran out".
		 */
		text = xasprintf(_("%s in the middle of a reply; the %zu bytes "
		    "received of it follow, escaped:"), when, len);
	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_WARNING;
	ev.text = text;
	ev.data = held;
	ev.len = len;
	ev.rtt_us = -1;
	session_emit(s, &ev);
	free(text);
	free(held);
}

/* Pass a --pipe process's stderr on as a notice. */
static void
session_errline(void *arg, const char *line, size_t len)
{
	struct session	*s = arg;
	struct session_event ev;

	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_NOTICE;
	ev.text = "the process wrote on its standard error:";
	ev.data = line;
	ev.len = len;
	ev.rtt_us = -1;
	session_emit(s, &ev);
}

/* Act on poll results. */
void
session_io(struct session *s, const struct pollfd *pfd, int n)
{
	int	i, rc;

	if (s->phase == SESSION_PHASE_CLOSED)
		return;
	session_greeting_hint(s);
	if (session_timeout(s) == 0 && !(s->conn != NULL &&
	    conn_pending(s->conn)) && session_expired(s))
		return;
	if (s->conn == NULL && net_lookup_fd(&s->na) != -1) {
		for (i = 0; i < n; i++)
			if (pfd[i].fd == net_lookup_fd(&s->na) &&
			    pfd[i].revents != 0) {
				session_lookup_done(s);
				break;
			}
		session_check_idle(s);
		return;
	}
	if (s->conn == NULL && s->na.fd != -1) {
		for (i = 0; i < n; i++) {
			if (pfd[i].fd != s->na.fd || pfd[i].revents == 0)
				continue;
			if (net_connect_check(&s->na) == 1) {
				s->conn = conn_new(s->na.fd, s->na.fd, -1, -1);
				s->na.fd = -1;
				snprintf(s->peer, sizeof s->peer, "%s",
				    s->na.addr);
				session_notice(s, SESSION_EV_NOTICE,
				    _("connected to %s [%s] port %s after %lld ms"),
				    s->cfg.host, s->na.addr, s->cfg.port,
				    session_us_since(&s->connect_start) / 1000);
				net_attempt_release(&s->na);
				session_connected(s);
			} else
				session_connect_next(s);
			break;
		}
		session_check_idle(s);
		return;
	}
	if (s->conn == NULL)
		return;

	rc = conn_io(s->conn, pfd, n, session_errline, s);
	if (rc == -1) {
		/* Deliver what arrived before the failure. */
		session_read(s);
		if (s->conn == NULL)
			return;
		session_renegotiated(s);
		session_flush_partial(s, _("the connection failed"));
		if (s->conn->tls == CONN_TLS_HANDSHAKE)
			session_failed(s, SESSION_FAIL_TLS, NULL, 0, "%s",
			    s->conn->cause);
		else if (s->renegs > 0)
			session_failed(s, SESSION_FAIL_TLS, NULL, 0, _("the "
			    "server ended the session after its TLS "
			    "renegotiation was refused: %s"), s->conn->cause);
		else
			session_failed(s, SESSION_FAIL_CONN, NULL, 0, "%s",
			    s->conn->cause);
		return;
	}
	if (s->conn->tls_done) {
		s->conn->tls_done = 0;
		session_tls_done(s);
		if (s->conn == NULL)
			return;
	}
	session_read(s);
	if (s->conn == NULL)
		return;
	session_renegotiated(s);
	if (s->conn->eof && s->conn->in.len == 0) {
		session_flush_partial(s, _("the connection ended"));
		if (s->closing || s->quitting)
			session_drop_queue(s);
		if (s->quit_sent || (s->closing && s->nout == 0))
			session_notice(s, SESSION_EV_NOTICE, _("the server "
			    "closed the connection"));
		else if (!s->greeted)
			session_failed(s, SESSION_FAIL_CONN, NULL, 0, _("the "
			    "server closed the connection before its greeting"));
		else if (s->nout > 0)
			session_failed(s, SESSION_FAIL_CONN, NULL, 0, _("the "
			    "server closed the connection while a reply to %s "
			    "was due"), s->out->shown);
		else
			session_failed(s, SESSION_FAIL_CONN, NULL, 0, _("the "
			    "server closed the connection without being asked "
			    "to (no QUIT, no 221 or 421)"));
		session_disconnect(s);
		return;
	}
	session_pump(s);
	session_check_idle(s);
}

/*
 * Warn once for each TLS renegotiation the server asked for since the last
 * look: tls.c refuses every one (the certificate checked and shown must
 * stay the one in use).
 */
static void
session_renegotiated(struct session *s)
{
	unsigned int	n;

	if (s->conn == NULL || s->conn->ssl == NULL)
		return;
	if (s->reneg_ssl != s->conn->ssl) {
		s->reneg_ssl = s->conn->ssl;
		s->renegs = 0;
	}
	n = tls_renegotiations(s->conn->ssl);
	for (; s->renegs < n; s->renegs++)
		session_notice(s, SESSION_EV_WARNING, _("the server asked to "
		    "renegotiate TLS (a new handshake inside the session, "
		    "which could change the certificate after it was "
		    "checked): refused with a no_renegotiation alert, as "
		    "smtpscope always does; a server that insists ends the "
		    "session"));
}

/* Feed received bytes to the parser and handle each reply. */
static void
session_read(struct session *s)
{
	struct reply	*r;
	size_t		 used, len, hlen, off = 0, left;
	char		*held, *all;

	/* Consume once at the end: a burst of replies costs one memmove. */
	while (s->conn != NULL && off < s->conn->in.len &&
	    s->conn->tls != CONN_TLS_HANDSHAKE) {
		if (!reply_parser_feed(s->parser, s->conn->in.data + off,
		    s->conn->in.len - off, &used, &r)) {
			off += used;
			break;
		}
		off += used;
		session_on_reply(s, r);
		reply_free(r);
		if (s->conn == NULL)
			return;
		if (!s->starttls_go)
			continue;

		/*
		 * RFC 3207 5 and the NO STARTTLS findings: nothing received
		 * after the 220 may be read as if it came through TLS.  Any
		 * byte already here was injected by someone on the path (or
		 * sent by a broken server): stop.
		 */
		s->starttls_go = 0;
		left = s->conn->in.len - off;
		len = left + reply_parser_pending(s->parser);
		if (len > 0) {
			held = reply_parser_take_pending(s->parser, &hlen);
			all = xmalloc(hlen + left + 1);
			memcpy(all, held, hlen);
			memcpy(all + hlen, s->conn->in.data + off, left);
			len = hlen + left;
			free(held);
			session_failed(s, SESSION_FAIL_PROTO, all, len,
			    _("STARTTLS response injection: %zu bytes arrived "
			    "after the server's 220 and before the TLS "
			    "handshake; they were discarded, and the session "
			    "is ended because a man in the middle may have "
			    "written them"), len);
			free(all);
			return;
		}
		buf_consume(&s->conn->in, off);
		/* The handshake gets its own time, not what is left since
		 * the connect. */
		clock_gettime(CLOCK_MONOTONIC, &s->connect_start);
		session_set_phase(s, SESSION_PHASE_STARTTLS);
		session_start_tls(s);
		return;
	}
	if (s->conn != NULL)
		buf_consume(&s->conn->in, off);
}

/* Pop the oldest command waiting for a reply. */
static struct session_cmd *
session_pop_cmd(struct session *s)
{
	struct session_cmd	*c = s->out;

	if (c == NULL)
		return (NULL);
	s->out = c->next;
	if (s->out == NULL)
		s->out_tail = NULL;
	s->nout--;
	return (c);
}

/* A server line arrived: show it now, before its reply is complete. */
static void
session_on_line(void *arg, const char *line, size_t len, int code, int final,
    unsigned flags)
{
	struct session		*s = arg;
	struct session_event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_LINE;
	ev.data = line;
	ev.len = len;
	ev.code = code;
	ev.final = final;
	ev.flags = flags;
	ev.rtt_us = -1;
	if (!s->greeted && s->nout == 0)
		ev.verb = "CONNECT";
	else if (s->out != NULL)
		ev.verb = s->out->verb;
	session_emit(s, &ev);
}

/* Handle one complete reply. */
static void
session_on_reply(struct session *s, struct reply *r)
{
	struct session_event	 ev;
	struct session_cmd	*c = NULL;
	const char		*verb = NULL, *t;
	char			*decoded = NULL;
	size_t			 tlen, dlen;
	int			 code = r->code, cls = r->code / 100;
	int			 counted;

	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_REPLY;
	ev.reply = r;
	ev.rtt_us = -1;

	if (!s->greeted && s->nout == 0) {
		verb = "CONNECT";
		ev.rtt_us = session_us_since(&s->connect_start);
	} else if ((c = session_pop_cmd(s)) != NULL) {
		verb = c->verb;
		ev.command = c->shown;
		ev.rtt_us = session_us_since(&c->sent);
	} else
		ev.notes |= SESSION_NOTE_UNSOLICITED;

	if (code == 334 && verb != NULL && strcmp(verb, "AUTH") == 0) {
		t = reply_text(r, 0, &tlen);
		decoded = b64_decode(t, tlen, &dlen);
		ev.decoded = decoded;
	}
	ev.verb = verb;
	if (verb != NULL && strcmp(verb, "DATA") == 0 && code == 354 &&
	    s->rcpt_ok == 0)
		ev.notes |= SESSION_NOTE_DATA_NO_RCPT;
	/* The EHLO reply in force so far (not this one, if it is one). */
	if (caps_has(&s->caps, "ENHANCEDSTATUSCODES"))
		ev.notes |= SESSION_NOTE_ENH;
	if (!(r->flags & REPLY_F_MALFORMED) && (c == NULL || !c->expected))
		s->last_code = code;
	counted = !s->stopped && session_unexpected(c, r);
	if (counted && (s->worst_code == 0 || cls > s->worst_code / 100))
		s->worst_code = code;
	s->last_rtt = ev.rtt_us;
	session_emit(s, &ev);
	free(decoded);

	if (r->flags & REPLY_F_MALFORMED) {
		/* The line answered nothing; put the command back. */
		if (c != NULL) {
			c->next = s->out;
			s->out = c;
			if (s->out_tail == NULL)
				s->out_tail = c;
			s->nout++;
		}
		return;
	}
	if (code == 421 || (code == 221 && (verb == NULL ||
	    strcmp(verb, "QUIT") != 0))) {
		/*
		 * RFC 5321 3.8 and 4.2.2: 221 is "closing transmission
		 * channel" whatever command it answers, as 421 is; nothing
		 * more goes out, and the close that follows is expected.
		 */
		s->closing = 1;
		session_notice(s, SESSION_EV_WARNING, _("%d: the server is "
		    "closing the connection"), code);
	}

	if (verb == NULL)
		goto done;
	if (strcmp(verb, "CONNECT") == 0) {
		s->greeted = 1;
		if (cls == 2) {
			session_set_phase(s, SESSION_PHASE_CONNECTED);
			if (s->cfg.tls == SESSION_TLS_STARTTLS &&
			    s->sec == SESSION_SEC_CLEAR && !s->closing) {
				char	 vb[16];
				const char *v = NULL;

				if (s->queue != NULL && s->queue->kind ==
				    SESSION_ITEM_LINE)
					v = session_verb_of(s->queue->line,
					    s->queue->len, vb, sizeof vb);
				if (v == NULL || (strcmp(v, "EHLO") != 0 &&
				    strcmp(v, "HELO") != 0)) {
					char	*line = xasprintf("EHLO %s",
					    s->cfg.helo);

					session_send(s, line, strlen(line),
					    NULL, NULL, 0);
					free(line);
				}
			}
		} else if (s->cfg.tls == SESSION_TLS_STARTTLS && code != 421)
			session_failed(s, SESSION_FAIL_TLS, NULL, 0, _("--tls: the "
			    "server refuses service in its greeting, so STARTTLS "
			    "cannot follow"));
		else if (code != 421)
			session_notice(s, SESSION_EV_WARNING, _("the server "
			    "refuses to serve this connection; RFC 5321 3.1 "
			    "has it answer 503 to everything until QUIT"));
	} else if (strcmp(verb, "EHLO") == 0 || strcmp(verb, "HELO") == 0) {
		if (cls == 2) {
			if (strcmp(verb, "EHLO") == 0) {
				caps_parse(&s->caps, r);
				if (s->caps.dropped > 0 || r->dropped_lines > 0)
					session_notice(s, SESSION_EV_WARNING,
					    _("the EHLO reply was cut: %zu "
					    "keywords past the first %d, and %zu "
					    "lines, were not kept; a keyword "
					    "listed late may be missed"),
					    s->caps.dropped, CAPS_KEYWORDS_MAX,
					    r->dropped_lines);
			} else
				caps_clear(&s->caps);
			session_set_phase(s, SESSION_PHASE_HELLO);
		}
		if (s->cfg.tls == SESSION_TLS_STARTTLS &&
		    s->sec == SESSION_SEC_CLEAR) {
			if (cls != 2)
				session_failed(s, SESSION_FAIL_TLS, NULL, 0,
				    _("--tls: %s was refused, so STARTTLS cannot "
				    "follow; not going on in clear"), verb);
			else if (strcmp(verb, "HELO") == 0)
				session_failed(s, SESSION_FAIL_TLS, NULL, 0,
				    _("--tls needs EHLO: HELO turns the SMTP "
				    "extensions off, STARTTLS among them; not "
				    "going on in clear"));
			else if (!caps_has(&s->caps, "STARTTLS"))
				session_failed(s, SESSION_FAIL_TLS, NULL, 0,
				    _("--tls: the server does not offer STARTTLS "
				    "in its EHLO reply; not going on in clear"));
			else {
				session_notice(s, SESSION_EV_NOTICE, _("--tls: "
				    "sending STARTTLS before anything else"));
				session_send(s, "STARTTLS", 8, NULL, NULL, 0);
			}
		}
	} else if (strcmp(verb, "STARTTLS") == 0) {
		if (code == 220)
			s->starttls_go = 1;
		else if (s->cfg.tls == SESSION_TLS_STARTTLS)
			session_failed(s, SESSION_FAIL_TLS, NULL, 0, _("--tls: "
			    "the server answered STARTTLS with %d, not 220; "
			    "not going on in clear"), code);
		else
			session_notice(s, SESSION_EV_NOTICE, _("STARTTLS was not "
			    "accepted; the session stays unencrypted"));
	} else if (strcmp(verb, "AUTH") == 0) {
		s->auth_pending = 0;
		if (code == 334) {
			s->auth_challenge = 1;
			session_set_phase(s, SESSION_PHASE_AUTH);
			if (s->login_user != NULL || s->login_pass != NULL)
				session_do_auth(s, NULL);
		} else {
			/*
			 * Refused (503 before TLS or after a success, 535,
			 * 501 ...): the answers typed ahead for it must not
			 * go out as commands.
			 */
			s->auth_refused = 0;
			if (cls != 2 && s->auth_needed > s->auth_answers)
				s->auth_refused = s->auth_needed -
				    s->auth_answers;
			s->auth_needed = s->auth_answers = 0;
			s->auth_challenge = 0;
			session_wipe(&s->login_user);
			session_wipe(&s->login_pass);
			if (code == 235)
				s->authenticated = 1;
			session_set_phase(s, s->authenticated ?
			    SESSION_PHASE_READY : SESSION_PHASE_HELLO);
		}
	} else if (strcmp(verb, "MAIL") == 0) {
		s->rcpt_ok = 0;
		if (cls == 2)
			session_set_phase(s, SESSION_PHASE_MAIL);
	} else if (strcmp(verb, "RCPT") == 0) {
		if (cls == 2) {
			s->rcpt_ok++;
			session_set_phase(s, SESSION_PHASE_RCPT);
		}
	} else if (strcmp(verb, "DATA") == 0) {
		s->data_pending = 0;
		if (code == 354 && s->rcpt_ok == 0) {
			/*
			 * RFC 2920 3.1: with every RCPT refused, a pipelining
			 * client answers a 354 with an empty message, a lone
			 * ".", which the server then refuses.  The message
			 * meant for it is not sent.
			 */
			if (s->body_waiting) {
				s->body_waiting = 0;
				close(s->body_fd);
				s->body_fd = -1;
			}
			session_drop_typed_body(s);
			session_notice(s, SESSION_EV_WARNING, _("354 although no "
			    "recipient was accepted: ending the empty message "
			    "with a lone \".\" (RFC 2920 3.1); the message was "
			    "not sent"));
			conn_write(s->conn, ".\r\n", 3);
			session_sent(s, ".");
			session_push_cmd(s, ".", ".");
		} else if (code == 354) {
			s->in_message = 1;
			dotstuff_init(&s->dot);
			s->body_bytes = 0;
			session_set_phase(s, SESSION_PHASE_DATA);
			if (s->body_waiting) {
				s->body_waiting = 0;
				session_notice(s, SESSION_EV_NOTICE, _("sending "
				    "%s as the message"), s->body_name);
			}
		} else {
			if (s->body_waiting) {
				s->body_waiting = 0;
				close(s->body_fd);
				s->body_fd = -1;
				session_notice(s, SESSION_EV_WARNING, _("DATA "
				    "was refused; %s was not sent"),
				    s->body_name);
			} else if (session_drop_typed_body(s))
				session_notice(s, SESSION_EV_WARNING, _("DATA was "
				    "refused, so the message lines queued after it "
				    "were not sent"));
		}
	} else if (strcmp(verb, ".") == 0) {
		/* Delivered or refused, the transaction is over. */
		session_set_phase(s, SESSION_PHASE_READY);
	} else if (strcmp(verb, "RSET") == 0) {
		if (cls == 2 && s->phase >= SESSION_PHASE_MAIL)
			session_set_phase(s, SESSION_PHASE_READY);
	} else if (strcmp(verb, "QUIT") == 0)
		s->closing = 1;
done:
	if (c != NULL) {
		free(c->shown);
		free(c);
	}
	if (counted && s->cfg.stop_on_error && s->conn != NULL)
		session_stop(s, code);
}

/*
 * Does this reply count against the session (the exit status): is it a
 * 4xx or 5xx that was not expected?  Malformed replies answer nothing;
 * the replies to what smtpscope sends itself to end the session (QUIT, the
 * "*" cancelling AUTH) and to a "*" typed to cancel AUTH (RFC 4954 4: the
 * server must answer 501) are expected whatever they are.  Every other
 * 4xx and 5xx counts, a greeting's and an unasked one's too; expectations
 * written for a command (in a script, say) would be checked here.
 */
static int
session_unexpected(const struct session_cmd *c, const struct reply *r)
{
	if (r->flags & REPLY_F_MALFORMED)
		return (0);
	if (r->code / 100 != 4 && r->code / 100 != 5)
		return (0);
	if (c != NULL && c->expected)
		return (0);
	return (1);
}

/*
 * --stop-on-error: a reply counted against the session.  Nothing queued is
 * sent; once the replies due are in, QUIT goes out (session_check_idle).
 * Later replies no longer change the exit status.
 */
static void
session_stop(struct session *s, int code)
{
	size_t	n;

	s->stopped = 1;
	s->finishing = 1;
	if ((n = session_drop_lines(s)) > 0)
		session_notice(s, SESSION_EV_WARNING, _("--stop-on-error: "
		    "stopping at this %d; the %zu line(s) still queued were "
		    "not sent"), code, n);
	else
		session_notice(s, SESSION_EV_WARNING, _("--stop-on-error: "
		    "stopping at this %d"), code);
}

/* Seconds to wait for replies once QUIT is on its way from us. */
static int
session_quit_wait(const struct session *s)
{
	if (s->cfg.timeout > 0 && s->cfg.timeout < SESSION_QUIT_WAIT)
		return (s->cfg.timeout);
	return (SESSION_QUIT_WAIT);
}

/*
 * DATA was refused but lines typed ahead for the message are waiting: they
 * were meant as the message, not as commands, so drop them up to the ".".
 * Returns 1 when lines were dropped.
 */
static int
session_drop_typed_body(struct session *s)
{
	struct session_item	*it, *prev = NULL, *next;
	int			 dot = 0;

	for (it = s->queue; it != NULL; it = it->next) {
		if (it->kind == SESSION_ITEM_LINE && it->len == 1 &&
		    it->line[0] == '.') {
			dot = 1;
			break;
		}
	}
	if (!dot)
		return (0);
	/* The front end's marks among them stay, to be reached in turn. */
	for (it = s->queue; it != NULL; it = next) {
		next = it->next;
		if (it->kind == SESSION_ITEM_MARK) {
			prev = it;
			continue;
		}
		dot = it->kind == SESSION_ITEM_LINE && it->len == 1 &&
		    it->line[0] == '.';
		session_unlink_item(s, prev, it);
		if (dot)
			break;
	}
	return (1);
}

/* Queue an item. */
static void
session_push_item(struct session *s, enum session_item_kind kind,
    const char *line, size_t len)
{
	struct session_item	*it;

	/* --stop-on-error stopped the session: nothing more goes out. */
	if (s->stopped)
		return;
	it = xcalloc(1, sizeof *it);
	it->kind = kind;
	it->line = xmalloc(len + 1);
	memcpy(it->line, line, len);
	it->line[len] = '\0';
	it->len = len;
	if (kind == SESSION_ITEM_LINE && len >= 4 &&
	    strncasecmp(line, "AUTH", 4) == 0 && (len == 4 || line[4] == ' ')) {
		it->is_auth = 1;
		s->auth_queued++;
	}
	/* Credentials, or maybe an answer to AUTH: no core dump from now. */
	if (it->is_auth || kind == SESSION_ITEM_AUTH || session_in_auth(s))
		secret_hold();
	if (s->queue_tail != NULL)
		s->queue_tail->next = it;
	else
		s->queue = it;
	s->queue_tail = it;
	s->nqueue++;
}

/* Drop the head of the queue. */
static void
session_pop_item(struct session *s)
{
	if (s->queue != NULL)
		session_unlink_item(s, NULL, s->queue);
}

/* Take item it, which follows prev (NULL: it is the head), out and free it. */
static void
session_unlink_item(struct session *s, struct session_item *prev,
    struct session_item *it)
{
	if (prev != NULL)
		prev->next = it->next;
	else
		s->queue = it->next;
	if (s->queue_tail == it)
		s->queue_tail = prev;
	s->nqueue--;
	if (it->is_auth)
		s->auth_queued--;
	if (it->kind == SESSION_ITEM_AUTH)
		OPENSSL_cleanse(it->line, it->len);
	free(it->line);
	free(it);
}

/* Queue a typed line. */
int
session_submit(struct session *s, const char *line, size_t len, char **cause)
{
	if (memchr(line, '\r', len) != NULL || memchr(line, '\n', len) !=
	    NULL || memchr(line, '\0', len) != NULL) {
		*cause = xstrdup(_("the line holds a CR, LF or NUL byte; it was "
		    "not sent (a bare line end could be read differently by "
		    "the server)"));
		return (-1);
	}
	if (s->nqueue >= SESSION_QUEUE_MAX) {
		*cause = xstrdup(_("too many lines waiting for the server"));
		return (-1);
	}
	if (s->phase == SESSION_PHASE_CLOSED) {
		*cause = xstrdup(_("not connected"));
		return (-1);
	}
	session_push_item(s, SESSION_ITEM_LINE, line, len);
	session_pump(s);
	return (0);
}

/* Queue raw bytes. */
int
session_raw(struct session *s, const char *bytes, size_t len, char **cause)
{
	if (len == 0 || memchr(bytes, '\0', len) != NULL) {
		*cause = xstrdup(_("give the bytes to send, without a NUL "
		    "byte"));
		return (-1);
	}
	if (s->phase == SESSION_PHASE_CLOSED) {
		*cause = xstrdup(_("not connected"));
		return (-1);
	}
	session_push_item(s, SESSION_ITEM_RAW, bytes, len);
	session_pump(s);
	return (0);
}

/* Queue a file as the message body. */
int
session_send_file(struct session *s, const char *path, char **cause)
{
	int	fd;

	if (s->phase == SESSION_PHASE_CLOSED) {
		*cause = xstrdup(_("not connected"));
		return (-1);
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return (-1);
	}
	close(fd);
	session_push_item(s, SESSION_ITEM_FILE, path, strlen(path));
	session_pump(s);
	return (0);
}

/* Queue AUTH. */
int
session_auth(struct session *s, const char *mech, const char *user,
    const char *pass, char **cause)
{
	struct buf	b;

	if (strcasecmp(mech, "PLAIN") != 0 && strcasecmp(mech, "LOGIN") != 0) {
		*cause = xasprintf(_("unknown mechanism %s: use plain or login"),
		    mech);
		return (-1);
	}
	if (strpbrk(user, "\r\n") != NULL || strpbrk(pass, "\r\n") != NULL) {
		*cause = xstrdup(_("a CR or LF in the user name or password was "
		    "refused"));
		return (-1);
	}
	if (s->phase == SESSION_PHASE_CLOSED) {
		*cause = xstrdup(_("not connected"));
		return (-1);
	}
	/* Stored as "MECH\0user\0pass"; wiped when popped. */
	buf_init(&b, 0);
	buf_secret(&b);
	buf_addstr(&b, strcasecmp(mech, "PLAIN") == 0 ? "PLAIN" : "LOGIN");
	buf_addch(&b, '\0');
	buf_addstr(&b, user);
	buf_addch(&b, '\0');
	buf_addstr(&b, pass);
	session_push_item(s, SESSION_ITEM_AUTH, b.data, b.len);
	OPENSSL_cleanse(b.data, b.len);
	buf_release(&b);
	session_pump(s);
	return (0);
}

/* Input ended. */
void
session_finish(struct session *s)
{
	s->finishing = 1;
	session_check_idle(s);
}

/* The server ended the session: say what will never be sent, and drop it. */
static void
session_drop_queue(struct session *s)
{
	size_t	n;

	/* The marks stay: session_disconnect(), which follows, reports them. */
	n = session_drop_lines(s);
	if (n > 0 && s->quitting)
		session_notice(s, SESSION_EV_WARNING, _("leaving: %zu queued "
		    "line(s) were not sent"), n);
	else if (n > 0)
		session_notice(s, SESSION_EV_WARNING, _("the server ended the "
		    "session; %zu queued line(s) were not sent"), n);
}

/*
 * Drop every queued item but the front end's marks, which stay to be
 * reported in turn or at the close; return how many were dropped.
 */
static size_t
session_drop_lines(struct session *s)
{
	struct session_item	*it, *prev = NULL, *next;
	size_t			 n = 0;

	for (it = s->queue; it != NULL; it = next) {
		next = it->next;
		if (it->kind == SESSION_ITEM_MARK)
			prev = it;
		else {
			session_unlink_item(s, prev, it);
			n++;
		}
	}
	return (n);
}

/* Pop the mark at the head of the queue and report it. */
static void
session_pop_mark(struct session *s)
{
	struct session_event	 ev;
	void			*cookie = s->queue->cookie;

	/* Popped first: the callback may queue more, or close. */
	session_pop_item(s);
	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_MARK;
	ev.cookie = cookie;
	ev.rtt_us = -1;
	session_emit(s, &ev);
}

/* The session closed: report the marks left, in order; keep the rest. */
static void
session_release_marks(struct session *s)
{
	struct session_item	*it, *prev;
	struct session_event	 ev;
	void			*cookie;

	for (;;) {
		/* From the head again: the callback may change the queue. */
		prev = NULL;
		for (it = s->queue; it != NULL; prev = it, it = it->next)
			if (it->kind == SESSION_ITEM_MARK)
				break;
		if (it == NULL)
			return;
		cookie = it->cookie;
		session_unlink_item(s, prev, it);
		memset(&ev, 0, sizeof ev);
		ev.type = SESSION_EV_MARK;
		ev.cookie = cookie;
		ev.rtt_us = -1;
		session_emit(s, &ev);
	}
}

/* Queue a barrier for the front end. */
int
session_mark(struct session *s, void *cookie)
{
	if (s->phase == SESSION_PHASE_CLOSED)
		return (-1);
	session_push_item(s, SESSION_ITEM_MARK, "", 0);
	s->queue_tail->cookie = cookie;
	session_pump(s);
	return (0);
}

/* May a line submitted now be taken for an AUTH answer? */
int
session_in_auth(const struct session *s)
{
	return (s->auth_queued > 0 || s->auth_pending || s->auth_challenge ||
	    s->auth_refused > 0);
}

/* Close once nothing is left to do after the input ended. */
static void
session_check_idle(struct session *s)
{
	struct session_cmd	*c;

	if (s->phase == SESSION_PHASE_CLOSED)
		return;
	/* After 221 or 421 the server is leaving: so do we. */
	if (s->closing && s->nout == 0 && s->conn != NULL &&
	    conn_queued(s->conn) == 0) {
		session_drop_queue(s);
		session_disconnect(s);
		return;
	}
	if (!s->finishing)
		return;
	if (s->conn == NULL && s->phase != SESSION_PHASE_CONNECTING)
		return;
	if (s->phase == SESSION_PHASE_CONNECTING ||
	    s->phase == SESSION_PHASE_TLS_CONNECT ||
	    s->phase == SESSION_PHASE_STARTTLS || !s->greeted)
		return;
	if (s->nqueue > 0 || s->nout > 0 || s->body_fd != -1)
		return;
	if (s->conn != NULL && conn_queued(s->conn) > 0)
		return;
	if (s->in_message && s->stopped) {
		/* A 354 to a DATA sent with the failing command. */
		session_notice(s, SESSION_EV_WARNING, _("--stop-on-error: "
		    "closing inside the message, without \".\" and QUIT, so "
		    "that the server discards it"));
		session_disconnect(s);
		return;
	}
	if (s->in_message) {
		session_notice(s, SESSION_EV_WARNING, _("the input ended inside "
		    "the message (no \".\" line): the message was not "
		    "finished and the server will discard it"));
		session_disconnect(s);
		return;
	}
	if (!s->quit_sent && s->conn != NULL && !s->closing) {
		/* End politely; its 221 does not count (session_unexpected). */
		if (s->stopped)
			session_notice(s, SESSION_EV_NOTICE, _("--stop-on-error: "
			    "sending QUIT"));
		else
			session_notice(s, SESSION_EV_NOTICE, _("end of input: "
			    "sending QUIT"));
		c = session_send(s, "QUIT", 4, NULL, "QUIT", 0);
		c->expected = 1;
		c->timeout = session_quit_wait(s);
		s->quitting = 1;
		return;
	}
	session_disconnect(s);
}

/* Leave, waiting a little for the replies due and the 221. */
void
session_quit(struct session *s)
{
	struct session_cmd	*c;
	long long		 secs;
	int			 wait = session_quit_wait(s);

	if (s->phase == SESSION_PHASE_CLOSED)
		return;
	/*
	 * Where a QUIT sent now could be read as message text or land
	 * where the TLS handshake belongs, leave at once.
	 */
	if (s->conn == NULL || !s->greeted || s->in_message ||
	    s->data_pending || s->conn->tls == CONN_TLS_HANDSHAKE ||
	    s->starttls_go || (s->out_tail != NULL &&
	    strcmp(s->out_tail->verb, "STARTTLS") == 0)) {
		session_close(s);
		return;
	}
	/* Nothing queued goes out now; it is dropped, and said, at the end. */
	s->quitting = 1;
	s->finishing = 1;
	for (c = s->out; c != NULL; c = c->next) {
		secs = session_us_since(&c->sent) / 1000000;
		if (c->timeout > secs + wait)
			c->timeout = (int)secs + wait;
	}
	if (s->quit_sent || s->closing)
		return;
	if (s->auth_challenge) {
		/* RFC 4954 4: "*" cancels the exchange first. */
		c = session_send(s, "*", 1, NULL, "AUTH", 1);
		c->expected = 1;
		s->auth_challenge = 0;
	}
	c = session_send(s, "QUIT", 4, NULL, "QUIT", 0);
	c->expected = 1;
	c->timeout = wait;
}

/* Leave now. */
void
session_close(struct session *s)
{
	if (s->phase == SESSION_PHASE_CLOSED)
		return;
	if (s->conn != NULL && s->greeted && !s->quit_sent &&
	    !s->in_message && s->conn->tls != CONN_TLS_HANDSHAKE) {
		if (s->auth_challenge) {
			/* RFC 4954 4: "*" cancels the exchange first. */
			conn_write(s->conn, "*\r\n", 3);
			session_sent(s, "*");
		}
		conn_write(s->conn, "QUIT\r\n", 6);
		session_sent(s, "QUIT");
		/* One non-blocking attempt to get it out. */
		{
			struct pollfd	pfd[SESSION_POLLFDS];
			int		n = conn_pollfds(s->conn, pfd), i;

			for (i = 0; i < n; i++)
				pfd[i].revents = pfd[i].events & POLLOUT;
			conn_io(s->conn, pfd, n, NULL, NULL);
		}
	}
	session_disconnect(s);
}

/* Find the verb of a command line, upper-cased into vb. */
static const char *
session_verb_of(const char *line, size_t len, char *vb, size_t vbsize)
{
	size_t	i;

	for (i = 0; i < len && i + 1 < vbsize && line[i] != ' ' &&
	    line[i] != ':'; i++)
		vb[i] = (char)(line[i] >= 'a' && line[i] <= 'z' ?
		    line[i] - 32 : line[i]);
	vb[i] = '\0';
	return (vb);
}

/*
 * RFC 2920 3.1: these commands end a group; nothing may follow them before
 * their reply.  STARTTLS (RFC 3207) and AUTH (RFC 4954) behave the same.
 * A message's content may begin a group, so what follows its "." (QUIT,
 * the next MAIL) goes with it.
 */
static int
session_group_end(const char *verb)
{
	static const char *const pipelinable[] = {
		"MAIL", "RCPT", "RSET", ".", NULL
	};
	size_t	i;

	for (i = 0; pipelinable[i] != NULL; i++)
		if (strcmp(verb, pipelinable[i]) == 0)
			return (0);
	return (1);
}

/* RFC 5321 4.5.3.2: how long to wait for each reply. */
static int
session_verb_timeout(const struct session *s, const char *verb)
{
	if (s->cfg.timeout > 0)
		return (s->cfg.timeout);
	if (strcmp(verb, "DATA") == 0)
		return (120);		/* DATA initiation: 2 minutes */
	if (strcmp(verb, ".") == 0)
		return (600);		/* DATA termination: 10 minutes */
	return (300);			/* MAIL, RCPT, others: 5 minutes */
}

/* Record a command that waits for its reply. */
static struct session_cmd *
session_push_cmd(struct session *s, const char *verb, const char *shown)
{
	struct session_cmd	*c;

	c = xcalloc(1, sizeof *c);
	c->verb = verb;
	c->shown = xstrdup(shown);
	clock_gettime(CLOCK_MONOTONIC, &c->sent);
	c->timeout = session_verb_timeout(s, verb);
	if (s->out_tail != NULL)
		s->out_tail->next = c;
	else
		s->out = c;
	s->out_tail = c;
	s->nout++;
	return (c);
}

/* Report a line we sent. */
static void
session_sent(struct session *s, const char *text)
{
	struct session_event	ev;

	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_SENT;
	ev.text = text;
	ev.rtt_us = -1;
	session_emit(s, &ev);
}

/* Send a line with CRLF and record the command. */
static struct session_cmd *
session_send(struct session *s, const char *line, size_t len,
    const char *shown, const char *verb, int expect)
{
	struct session_cmd	*c;
	char			 vb[16];
	const char		*key;

	(void)expect;
	if (verb == NULL) {
		session_verb_of(line, len, vb, sizeof vb);
		key = explain_verb(vb);
		verb = key != NULL ? key : "*";
	}
	/* AUTH and its answers carry credentials: wiped once sent. */
	if (strcmp(verb, "AUTH") == 0)
		conn_secret(s->conn);
	conn_write(s->conn, line, len);
	conn_write(s->conn, "\r\n", 2);
	session_sent(s, shown != NULL ? shown : line);

	c = session_push_cmd(s, verb, shown != NULL ? shown : line);

	if (strcmp(verb, "STARTTLS") == 0)
		s->starttls_go = 0;
	else if (strcmp(verb, "DATA") == 0)
		s->data_pending = 1;
	else if (strcmp(verb, "AUTH") == 0)
		s->auth_pending = 1;
	else if (strcmp(verb, "QUIT") == 0) {
		s->quit_sent = 1;
		session_set_phase(s, SESSION_PHASE_QUIT);
	} else if (strcmp(verb, "EHLO") == 0 || strcmp(verb, "HELO") == 0) {
		const char	*sp = memchr(line, ' ', len);

		free(s->ehlo_name);
		s->ehlo_name = sp != NULL ? xstrndup(sp + 1, (size_t)(line +
		    len - sp - 1)) : NULL;
		s->ehlo_is_helo = strcmp(verb, "HELO") == 0;
	}
	return (c);
}

/* Send a line that answers a 334 (not a command of its own). */
static void
session_send_raw(struct session *s, const char *line, size_t len,
    const char *shown)
{
	struct session_cmd	*c;

	c = session_send(s, line, len, shown, "AUTH", 1);
	/* RFC 4954 4: "*" cancels; the 501 it gets is what was asked for. */
	if (len == 1 && *line == '*')
		c->expected = 1;
	s->auth_challenge = 0;
	s->auth_answers++;
}

/* Answer AUTH: start it from a queued /auth item, or answer a 334. */
static void
session_do_auth(struct session *s, const char *item)
{
	const char	*mech, *user, *pass;
	char		*raw, *enc, *line, *shown;
	size_t		 ulen, plen;

	if (item != NULL) {
		/* Its answers are ours, never typed: nothing to hold back. */
		s->auth_needed = s->auth_answers = 0;
		s->auth_refused = 0;
		mech = item;
		user = mech + strlen(mech) + 1;
		pass = user + strlen(user) + 1;
		ulen = strlen(user);
		plen = strlen(pass);
		if (s->sec == SESSION_SEC_CLEAR)
			session_notice(s, SESSION_EV_WARNING, _("AUTH over an "
			    "unencrypted connection: anyone on the path can "
			    "read the password (base64 is not encryption); use "
			    "STARTTLS first"));
		if (s->caps.valid && !caps_has_auth(&s->caps, mech))
			session_notice(s, SESSION_EV_WARNING, _("the server did "
			    "not offer AUTH %s in its EHLO reply"), mech);
		if (strcmp(mech, "PLAIN") == 0) {
			/* RFC 4616: authzid NUL authcid NUL passwd. */
			raw = xmalloc(ulen + plen + 2);
			raw[0] = '\0';
			memcpy(raw + 1, user, ulen);
			raw[1 + ulen] = '\0';
			memcpy(raw + 2 + ulen, pass, plen);
			enc = b64_encode(raw, ulen + plen + 2);
			OPENSSL_cleanse(raw, ulen + plen + 2);
			free(raw);
			/* Not xasprintf(): its working copy is freed unwiped. */
			line = xmalloc(sizeof "AUTH PLAIN " + strlen(enc));
			memcpy(line, "AUTH PLAIN ", sizeof "AUTH PLAIN " - 1);
			memcpy(line + sizeof "AUTH PLAIN " - 1, enc,
			    strlen(enc) + 1);
			shown = xasprintf("AUTH PLAIN ******** (user \"%s\", "
			    "password hidden)", user);
			session_send(s, line, strlen(line), shown, "AUTH", 1);
			OPENSSL_cleanse(enc, strlen(enc));
			OPENSSL_cleanse(line, strlen(line));
			free(enc);
			free(line);
			free(shown);
			return;
		}
		session_wipe(&s->login_user);
		session_wipe(&s->login_pass);
		s->login_user = xstrdup(user);
		s->login_pass = xstrdup(pass);
		s->login_step = 0;
		session_send(s, "AUTH LOGIN", 10, NULL, "AUTH", 1);
		return;
	}

	/* A 334 to AUTH LOGIN: user name first, then the password. */
	if (s->login_step == 0 && s->login_user != NULL) {
		enc = b64_encode(s->login_user, strlen(s->login_user));
		shown = xasprintf("%s (base64 of the user name \"%s\")", enc,
		    s->login_user);
		session_send_raw(s, enc, strlen(enc), shown);
		free(enc);
		free(shown);
		session_wipe(&s->login_user);
		s->login_step = 1;
	} else if (s->login_pass != NULL) {
		enc = b64_encode(s->login_pass, strlen(s->login_pass));
		session_send_raw(s, enc, strlen(enc), "******** (base64 of "
		    "the password, hidden)");
		OPENSSL_cleanse(enc, strlen(enc));
		free(enc);
		session_wipe(&s->login_pass);
		s->login_step = 2;
	} else {
		session_notice(s, SESSION_EV_WARNING, _("the server asked for "
		    "more than a user name and a password; cancelling with "
		    "\"*\""));
		session_send_raw(s, "*", 1, NULL);
	}
}

/* Start sending a file as the message body. */
static void
session_do_file(struct session *s, const char *path)
{
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		session_notice(s, SESSION_EV_WARNING, _("%s: %s; nothing sent"),
		    path, strerror(errno));
		return;
	}
	s->body_fd = fd;
	free(s->body_name);
	s->body_name = xstrdup(path);
	if (s->in_message) {
		session_notice(s, SESSION_EV_NOTICE, _("sending %s as the "
		    "message"), path);
		return;
	}
	s->body_waiting = 1;
	session_send(s, "DATA", 4, NULL, NULL, 0);
}

/* Keep the output queue fed from the --data file. */
static void
session_body_refill(struct session *s)
{
	char		 chunk[65536];
	ssize_t		 n;
	char		*shown;

	while (s->body_fd != -1 && conn_queued(s->conn) < SESSION_BODY_HIGH) {
		n = read(s->body_fd, chunk, sizeof chunk);
		if (n > 0) {
			dotstuff_encode(&s->dot, chunk, (size_t)n,
			    conn_out(s->conn));
			s->body_bytes += (unsigned long long)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			session_notice(s, SESSION_EV_WARNING, _("reading %s: %s; "
			    "the message is cut short"), s->body_name,
			    strerror(errno));
		close(s->body_fd);
		s->body_fd = -1;
		dotstuff_finish(&s->dot, conn_out(s->conn));
		s->in_message = 0;
		shown = xasprintf("[%s: %llu bytes, %llu lines, %llu dots "
		    "stuffed] then \".\"", s->body_name, s->body_bytes,
		    s->dot.lines, s->dot.stuffed);
		session_sent(s, shown);
		/* The "." now waits for the verdict on the message. */
		session_push_cmd(s, ".", ".");
		free(shown);
	}
}

/* Send typed message lines and /raw bytes; returns 1 when the queue head
 * was used. */
static int
session_pump_message(struct session *s)
{
	struct session_item	*it = s->queue;
	struct buf		 line;
	char			*shown, last;

	if (it->kind == SESSION_ITEM_RAW) {
		/*
		 * Exactly these bytes, not dot-stuffed: a test of how the
		 * server reads a bare LF or "\n.\n" inside DATA (SMTP
		 * smuggling) needs them so.  They are part of the message,
		 * so no reply answers them.  Stuffing goes on from where
		 * they left the line: a "." after them is at the beginning
		 * of a line only if they ended one.
		 */
		conn_write(s->conn, it->line, it->len);
		last = it->line[it->len - 1];
		s->dot.bol = last == '\n' || last == '\r';
		s->dot.cr = 0;
		shown = xasprintf("[raw] %s", it->line);
		session_sent(s, shown);
		free(shown);
		session_pop_item(s);
		return (1);
	}
	if (it->kind != SESSION_ITEM_LINE)
		return (0);
	if (it->len == 1 && it->line[0] == '.') {
		dotstuff_finish(&s->dot, conn_out(s->conn));
		s->in_message = 0;
		session_sent(s, ".");
		session_push_cmd(s, ".", ".");
		session_pop_item(s);
		return (1);
	}
	buf_init(&line, 0);
	dotstuff_encode(&s->dot, it->line, it->len, &line);
	dotstuff_encode(&s->dot, "\n", 1, &line);
	conn_write(s->conn, line.data, line.len);
	line.data[line.len - 2] = '\0';
	session_sent(s, line.data);
	buf_release(&line);
	session_pop_item(s);
	return (1);
}

/*
 * How many answers a typed "AUTH MECH [initial-response]" needs: one for
 * the one-step mechanisms (RFC 4616 PLAIN, RFC 2195 CRAM-MD5, ...), two
 * for LOGIN and any other (SCRAM, DIGEST-MD5 take two), one less when the
 * command carried an initial response (RFC 4954 4).
 */
static int
session_auth_needs(const char *line, size_t len)
{
	static const char *const one_step[] = {
		"PLAIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER", "EXTERNAL",
		"ANONYMOUS", NULL
	};
	const char	*p = line + 4, *end = line + len, *mech;
	size_t		 mlen, i;
	int		 n = 2;

	while (p < end && *p == ' ')
		p++;
	mech = p;
	while (p < end && *p != ' ')
		p++;
	mlen = (size_t)(p - mech);
	for (i = 0; one_step[i] != NULL; i++)
		if (strlen(one_step[i]) == mlen &&
		    strncasecmp(mech, one_step[i], mlen) == 0)
			n = 1;
	while (p < end && *p == ' ')
		p++;
	if (p < end)
		n--;
	return (n);
}

/*
 * Does a line look like an answer in an AUTH exchange: "*" (cancel), or
 * base64 text (RFC 4648 alphabet, so also "/9j/4AAQ") that is not a bare
 * SMTP verb the user plausibly meant ("QUIT" and "DATA" are base64 too)?
 */
static int
session_like_answer(const char *line, size_t len)
{
	static const char *const verbs[] = {
		"DATA", "RSET", "NOOP", "QUIT", "HELP", "STARTTLS", "EHLO",
		"HELO", "VRFY", "EXPN", "ETRN", "TURN", "AUTH", "MAIL", "RCPT",
		"BDAT", NULL
	};
	size_t	i;
	char	c;

	if (len == 1 && line[0] == '*')
		return (1);
	if (len == 0)
		return (0);
	for (i = 0; i < len; i++) {
		c = line[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='))
			return (0);
	}
	for (i = 0; verbs[i] != NULL; i++)
		if (strlen(verbs[i]) == len &&
		    strncasecmp(line, verbs[i], len) == 0)
			return (0);
	return (1);
}

/*
 * The queue head answers the 334 the server is waiting on: a typed line
 * (whatever it says: the front end kept its own commands) or /raw bytes.
 * Either may hold a secret, so neither is shown.
 */
static void
session_answer(struct session *s, struct session_item *it)
{
	if (it->kind == SESSION_ITEM_RAW) {
		conn_secret(s->conn);
		conn_write(s->conn, it->line, it->len);
		session_sent(s, "[raw] ******** (AUTH response, hidden)");
		session_push_cmd(s, "AUTH", "[raw] ******** (AUTH response, "
		    "hidden)");
		s->auth_pending = 1;
		s->auth_challenge = 0;
		s->auth_answers++;
	} else
		session_send_raw(s, it->line, it->len, "******** (AUTH "
		    "response, hidden)");
	OPENSSL_cleanse(it->line, it->len);
	session_pop_item(s);
}

/* Send queued lines as far as SMTP allows. */
static void
session_pump(struct session *s)
{
	struct session_item	*it;
	char			 vb[16];
	const char		*verb, *key;
	char			*shown;

	while (s->conn != NULL && s->phase != SESSION_PHASE_CLOSED) {
		if (s->conn->tls == CONN_TLS_HANDSHAKE || !s->greeted ||
		    s->closing || s->starttls_go || s->quitting)
			return;
		if (s->in_message && s->body_fd != -1) {
			session_body_refill(s);
			if (s->body_fd != -1)
				return;
			continue;
		}
		if ((it = s->queue) == NULL)
			return;
		if (s->in_message) {
			if (it->kind == SESSION_ITEM_FILE) {
				session_do_file(s, it->line);
				session_pop_item(s);
				continue;
			}
			if (it->kind == SESSION_ITEM_AUTH) {
				session_notice(s, SESSION_EV_WARNING, _("/auth "
				    "inside a message was ignored; end the "
				    "message with \".\" first"));
				session_pop_item(s);
				continue;
			}
			if (it->kind == SESSION_ITEM_MARK) {
				session_pop_mark(s);
				continue;
			}
			if (!session_pump_message(s))
				return;
			continue;
		}
		/* Nothing goes out while DATA, STARTTLS or AUTH is open. */
		if (s->data_pending || s->auth_pending)
			return;
		if (s->out != NULL && strcmp(s->out_tail->verb, "STARTTLS") == 0)
			return;
		if (it->kind == SESSION_ITEM_MARK) {
			/* In turn: after the replies to what came before. */
			if (s->out != NULL)
				return;
			session_pop_mark(s);
			continue;
		}
		if (s->auth_challenge) {
			/* The server waits for the answer: this is it. */
			if (it->kind == SESSION_ITEM_LINE ||
			    it->kind == SESSION_ITEM_RAW) {
				session_answer(s, it);
				continue;
			}
			session_notice(s, SESSION_EV_WARNING, _("the server "
			    "waits for an answer to its AUTH challenge: answer "
			    "it, or send * to cancel; %s ignored"),
			    it->kind == SESSION_ITEM_AUTH ? "/auth" : "/data");
			session_pop_item(s);
			continue;
		}
		if (s->auth_refused > 0) {
			if (it->kind == SESSION_ITEM_LINE &&
			    session_like_answer(it->line, it->len)) {
				s->auth_refused--;
				session_notice(s, SESSION_EV_WARNING,
				    _("******** held back, not sent: after the "
				    "refused AUTH this line looks like an "
				    "answer to it (base64 or \"*\") and may "
				    "hold a password; to send it as a command "
				    "all the same, send it with /raw and end "
				    "it with the escapes for CR and LF"));
				OPENSSL_cleanse(it->line, it->len);
				session_pop_item(s);
				continue;
			}
			/* A command: the refused exchange is over. */
			s->auth_refused = 0;
		}
		if (it->kind == SESSION_ITEM_LINE && it->len > 0 &&
		    it->line[0] == '/') {
			/* Perhaps an answer typed too late: not shown. */
			session_notice(s, SESSION_EV_WARNING, _("a line "
			    "starting with \"/\" was not sent: it is not one "
			    "of our commands (/help lists them), and no SMTP "
			    "command starts so"));
			OPENSSL_cleanse(it->line, it->len);
			session_pop_item(s);
			continue;
		}

		/* One at a time, unless the server offers PIPELINING. */
		if (s->out != NULL && (!caps_has(&s->caps, "PIPELINING") ||
		    session_group_end(s->out_tail->verb)))
			return;

		if (it->kind == SESSION_ITEM_AUTH) {
			if (s->out != NULL)
				return;
			session_do_auth(s, it->line);
			session_pop_item(s);
			continue;
		}
		if (it->kind == SESSION_ITEM_RAW) {
			/*
			 * Exactly these bytes, marked on screen; a lenient
			 * server may read several commands in them, so what
			 * answers is paired as well as it can be.
			 */
			if (s->out != NULL)
				return;
			conn_write(s->conn, it->line, it->len);
			shown = xasprintf("[raw] %s", it->line);
			session_sent(s, shown);
			session_push_cmd(s, "*", shown);
			free(shown);
			shown = NULL;
			session_pop_item(s);
			continue;
		}
		if (it->kind == SESSION_ITEM_FILE) {
			if (s->out != NULL)
				return;
			session_do_file(s, it->line);
			session_pop_item(s);
			continue;
		}

		verb = session_verb_of(it->line, it->len, vb, sizeof vb);
		key = explain_verb(verb);
		if (key == NULL)
			key = "*";
		if (s->cfg.tls == SESSION_TLS_STARTTLS &&
		    s->sec == SESSION_SEC_CLEAR && strcmp(key, "EHLO") != 0 &&
		    strcmp(key, "HELO") != 0 && strcmp(key, "QUIT") != 0)
			return;		/* --tls: wait for the handshake */
		if (s->out != NULL && session_group_end(key) == 0 &&
		    strcmp(key, "*") == 0)
			return;
		if (s->out != NULL && strcmp(key, "*") == 0)
			return;
		if (it->len > SESSION_CMD_MAX)
			session_notice(s, SESSION_EV_WARNING, _("this command is "
			    "%zu octets long; RFC 5321 4.5.3.1.4 allows 512 "
			    "with CRLF, so the server may refuse it"), it->len);
		shown = NULL;
		if (strcmp(key, "AUTH") == 0) {
			const char	*sp = memchr(it->line, ' ', it->len);
			const char	*sp2 = sp != NULL ? memchr(sp + 1, ' ',
			    (size_t)(it->line + it->len - sp - 1)) : NULL;

			if (s->sec == SESSION_SEC_CLEAR)
				session_notice(s, SESSION_EV_WARNING, _("AUTH "
				    "over an unencrypted connection: anyone on "
				    "the path can read what follows"));
			if (sp2 != NULL)
				shown = xasprintf("%.*s ******** (initial "
				    "response, hidden)", (int)(sp2 - it->line),
				    it->line);
		}
		session_send(s, it->line, it->len, shown, key, 0);
		free(shown);
		if (strcmp(key, "AUTH") == 0) {
			s->auth_needed = session_auth_needs(it->line,
			    it->len);
			s->auth_answers = 0;
			OPENSSL_cleanse(it->line, it->len);
		}
		session_pop_item(s);
	}
}

/* Give up when the reply or the connection took too long. */
static int
session_expired(struct session *s)
{
	long long	us;

	if (s->out != NULL) {
		us = session_us_since(&s->out->sent);
		if (us < (long long)s->out->timeout * 1000000)
			return (0);
		session_flush_partial(s, _("the time ran out"));
		if (s->quitting) {
			/* We are leaving: a silent server is no failure. */
			session_notice(s, SESSION_EV_WARNING, _("no reply to "
			    "\"%s\" within %d seconds; leaving without it"),
			    s->out->shown, s->out->timeout);
			session_drop_queue(s);
			session_disconnect(s);
			return (1);
		}
		session_failed(s, SESSION_FAIL_CONN, NULL, 0, _("no reply to "
		    "\"%s\" after %d seconds (RFC 5321 4.5.3.2 timeouts; "
		    "--timeout changes them); giving up"), s->out->shown,
		    s->out->timeout);
		return (1);
	}
	if (s->greeted && s->conn != NULL &&
	    s->phase != SESSION_PHASE_STARTTLS &&
	    s->phase != SESSION_PHASE_TLS_CONNECT)
		return (0);
	us = session_us_since(&s->connect_start);
	if (us < (long long)(s->cfg.timeout > 0 ? s->cfg.timeout :
	    SESSION_GREETING_TIMEOUT) * 1000000)
		return (0);
	if (s->conn != NULL)
		session_flush_partial(s, _("the time ran out"));
	if (s->conn == NULL && net_lookup_fd(&s->na) != -1)
		session_failed(s, SESSION_FAIL_CONN, NULL, 0, _("looking up %s "
		    "took too long"), s->cfg.host);
	else if (s->conn == NULL)
		session_failed(s, SESSION_FAIL_CONN, NULL, 0, _("connecting to "
		    "%s took too long"), s->na.addr);
	else if (s->conn->tls == CONN_TLS_HANDSHAKE)
		session_failed(s, SESSION_FAIL_TLS, NULL, 0, _("the TLS handshake "
		    "did not finish in time"));
	else if (s->cfg.timeout > 0)
		session_failed(s, SESSION_FAIL_CONN, NULL, 0, _("no greeting from "
		    "the server in time: none came within the %d seconds that "
		    "--timeout allows"), s->cfg.timeout);
	else
		session_failed(s, SESSION_FAIL_CONN, NULL, 0, _("no greeting from "
		    "the server in time: none came within %d minutes, the "
		    "limit of RFC 5321 4.5.3.2 (--timeout changes it)"),
		    SESSION_GREETING_TIMEOUT / 60);
	return (1);
}

/*
 * Microseconds until the implicit TLS hint is due (0: now): a TCP
 * connection in clear, with no byte of a greeting after
 * SESSION_GREETING_HINT seconds.  -1 when no hint is due: given already,
 * greeted, TLS from the start asked for, --unix, --pipe, a greeting on its
 * way, or a --timeout that gives up on the greeting first.
 */
static long long
session_greeting_hint_left(const struct session *s)
{
	long long	left;

	if (s->greeting_hinted || s->greeted || s->conn == NULL ||
	    s->phase != SESSION_PHASE_GREETING ||
	    (s->cfg.timeout > 0 && s->cfg.timeout <= SESSION_GREETING_HINT) ||
	    s->cfg.tls == SESSION_TLS_IMPLICIT || s->cfg.unix_path != NULL ||
	    s->cfg.pipe_cmd != NULL || s->cfg.use_fd ||
	    s->conn->in.len > 0 || reply_parser_pending(s->parser) > 0)
		return (-1);
	left = (long long)SESSION_GREETING_HINT * 1000000 -
	    session_us_since(&s->connect_start);
	return (left < 0 ? 0 : left);
}

/*
 * No greeting a few seconds after connecting: say that the port may want
 * TLS from the first byte, how to ask for it, and that typed lines wait.
 */
static void
session_greeting_hint(struct session *s)
{
	if (session_greeting_hint_left(s) != 0)
		return;
	s->greeting_hinted = 1;
	session_notice(s, SESSION_EV_NOTICE, _("no greeting after %d seconds. "
	    "If this port wants TLS from the first byte (implicit TLS, as "
	    "port 465 usually does), the server is waiting for a TLS "
	    "handshake and will never greet in clear, so waiting does not "
	    "help: quit and run the same command with %s.  Otherwise the "
	    "server is only slow, and smtpscope waits for it up to %d "
	    "seconds in all; lines you type are queued (%zu so far) and sent "
	    "once it greets"),
	    SESSION_GREETING_HINT, s->cfg.tls == SESSION_TLS_STARTTLS ?
	    _("--tls-on-connect instead of --tls") : "--tls-on-connect",
	    s->cfg.timeout > 0 ? s->cfg.timeout : SESSION_GREETING_TIMEOUT,
	    s->nqueue);
}

/* Milliseconds until the next timer. */
int
session_timeout(struct session *s)
{
	long long	left, best = -1, us;

	if (s->phase == SESSION_PHASE_CLOSED)
		return (-1);
	if (s->conn != NULL && conn_pending(s->conn))
		return (0);
	if (s->out != NULL) {
		us = session_us_since(&s->out->sent);
		left = (long long)s->out->timeout * 1000000 - us;
		best = left;
	} else if (!s->greeted || s->conn == NULL ||
	    s->phase == SESSION_PHASE_TLS_CONNECT ||
	    s->phase == SESSION_PHASE_STARTTLS) {
		us = session_us_since(&s->connect_start);
		left = (long long)(s->cfg.timeout > 0 ? s->cfg.timeout :
		    SESSION_GREETING_TIMEOUT) * 1000000 - us;
		best = left;
	}
	if ((left = session_greeting_hint_left(s)) != -1 && (best == -1 ||
	    left < best))
		best = left;
	if (best < 0 && best != -1)
		return (0);
	if (best == -1)
		return (-1);
	return ((int)(best / 1000) + 1);
}

/* Queued lines. */
size_t
session_queued(const struct session *s)
{
	return (s->nqueue);
}

/* Commands waiting for a reply. */
size_t
session_outstanding(const struct session *s)
{
	return (s->nout);
}

/* Closed? */
int
session_closed(const struct session *s)
{
	return (s->phase == SESSION_PHASE_CLOSED);
}

/* Current phase. */
enum session_phase
session_phase(const struct session *s)
{
	return (s->phase);
}

/* Did AUTH succeed? */
int
session_authenticated(const struct session *s)
{
	return (s->authenticated);
}

/* Current protection. */
enum session_sec
session_sec(const struct session *s)
{
	return (s->sec);
}

/* After 354? */
int
session_in_message(const struct session *s)
{
	return (s->in_message || (s->data_pending && !s->body_waiting));
}

/* Capabilities. */
const struct caps *
session_caps(const struct session *s)
{
	return (&s->caps);
}

/* Capabilities before STARTTLS. */
const struct caps *
session_caps_before_tls(const struct session *s)
{
	return (&s->caps_pre);
}

/* The transport. */
const struct conn *
session_conn(const struct session *s)
{
	return (s->conn);
}

/* Last handshake. */
const struct tls_info *
session_tls(const struct session *s)
{
	return (s->have_tls ? &s->tls : NULL);
}

/* Address connected to. */
const char *
session_peer(const struct session *s)
{
	return (s->peer);
}

/* Last round trip. */
long long
session_last_rtt(const struct session *s)
{
	return (s->last_rtt);
}

/* Last reply code. */
int
session_last_code(const struct session *s)
{
	return (s->last_code);
}

/* The worst reply counted against the session. */
int
session_worst_code(const struct session *s)
{
	return (s->worst_code);
}

/* Failure class. */
enum session_fail
session_failure(const struct session *s)
{
	return (s->fail);
}
