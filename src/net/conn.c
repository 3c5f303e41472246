/* SPDX-License-Identifier: ISC */
/*
 * Non-blocking transport with optional TLS.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>

#include "net/conn.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/secret.h"
#include "net/tls.h"
#include "base/xmalloc.h"

static int	conn_read(struct conn *);
static int	conn_flush(struct conn *);
static void	conn_read_err(struct conn *,
		    void (*)(void *, const char *, size_t), void *);
static void	conn_fail(struct conn *, char *);
static int	conn_tls_closed(int);

/* Wrap descriptors. */
struct conn *
conn_new(int rfd, int wfd, int errfd, pid_t pid)
{
	struct conn	*c;

	c = xcalloc(1, sizeof *c);
	c->rfd = rfd;
	c->wfd = wfd;
	c->errfd = errfd;
	c->pid = pid;
	buf_init(&c->in, CONN_IN_MAX);
	buf_init(&c->out, 0);
	buf_init(&c->errline, CONN_ERR_MAX);
	return (c);
}

/* Close everything. */
void
conn_free(struct conn *c)
{
	int	status, i;

	if (c == NULL)
		return;
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->rfd != -1)
		close(c->rfd);
	if (c->wfd != -1 && c->wfd != c->rfd)
		close(c->wfd);
	if (c->errfd != -1)
		close(c->errfd);
	if (c->pid > 0) {
		/* Give the process a moment to leave after EOF, then end it. */
		for (i = 0; i < 20; i++) {
			if (waitpid(c->pid, &status, WNOHANG) != 0)
				break;
			usleep(10000);
		}
		if (i == 20) {
			kill(-c->pid, SIGTERM);
			kill(c->pid, SIGTERM);
			waitpid(c->pid, &status, 0);
		}
	}
	buf_release(&c->in);
	buf_release(&c->out);
	buf_release(&c->errline);
	free(c->cause);
	free(c);
}

/* Record a failure. */
static void
conn_fail(struct conn *c, char *cause)
{
	if (c->cause == NULL)
		c->cause = cause;
	else
		free(cause);
}

/* Stop all traffic. */
void
conn_shutdown(struct conn *c)
{
	c->eof = 1;
	c->out_off = 0;
	buf_reset(&c->out);
}

/* Describe what to poll. */
int
conn_pollfds(const struct conn *c, struct pollfd *pfd)
{
	int	n = 0;
	short	rev = 0, wev = 0;

	if (c->cause != NULL)
		return (0);
	if (c->tls == CONN_TLS_HANDSHAKE || (c->tls == CONN_TLS_UP &&
	    c->tls_wait != 0)) {
		if (c->tls_wait & POLLIN)
			rev = POLLIN;
		if (c->tls_wait & POLLOUT)
			wev = POLLOUT;
		if (c->tls == CONN_TLS_UP && buf_room(&c->in) > 0 && !c->eof)
			rev |= POLLIN;
	} else {
		if (!c->eof && buf_room(&c->in) > 0)
			rev = POLLIN;
		if (c->out.len > c->out_off)
			wev = POLLOUT;
	}
	if (c->rfd == c->wfd) {
		if (rev | wev) {
			pfd[n].fd = c->rfd;
			pfd[n].events = rev | wev;
			pfd[n++].revents = 0;
		}
	} else {
		if (rev) {
			pfd[n].fd = c->rfd;
			pfd[n].events = rev;
			pfd[n++].revents = 0;
		}
		if (wev && c->wfd != -1) {
			pfd[n].fd = c->wfd;
			pfd[n].events = wev;
			pfd[n++].revents = 0;
		}
	}
	if (c->errfd != -1) {
		pfd[n].fd = c->errfd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	return (n);
}

/* Read what is available. */
static int
conn_read(struct conn *c)
{
	char		 tmp[16384];
	const char	*reason;
	ssize_t		 n;
	size_t		 room;
	int		 r, e;

	for (;;) {
		room = buf_room(&c->in);
		if (room == 0 || c->eof)
			return (0);
		if (room > sizeof tmp)
			room = sizeof tmp;
		if (c->ssl != NULL && c->tls == CONN_TLS_UP) {
			ERR_clear_error();
			r = SSL_read(c->ssl, tmp, (int)room);
			if (r > 0) {
				buf_add(&c->in, tmp, (size_t)r);
				c->bytes_in += (unsigned long long)r;
				c->tls_wait = 0;
				continue;
			}
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ) {
				c->tls_wait = 0;
				return (0);
			}
			if (e == SSL_ERROR_WANT_WRITE) {
				c->tls_wait = POLLOUT;
				return (0);
			}
			if (conn_tls_closed(e)) {
				c->eof = 1;
				return (0);
			}
			if (tls_renegotiations(c->ssl) > 0) {
				/*
				 * The server broke off after a refused
				 * renegotiation: its alert, not the words
				 * for a failed first handshake.
				 */
				reason = ERR_reason_error_string(
				    ERR_peek_error());
				conn_fail(c, xasprintf(_("TLS read failed: "
				    "%s"), reason != NULL ? reason :
				    _("no reason given")));
				ERR_clear_error();
			} else
				conn_fail(c, tls_error(c->ssl, r,
				    _("TLS read failed")));
			return (-1);
		}
		n = read(c->rfd, tmp, room);
		if (n > 0) {
			buf_add(&c->in, tmp, (size_t)n);
			c->bytes_in += (unsigned long long)n;
			continue;
		}
		if (n == 0) {
			c->eof = 1;
			return (0);
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return (0);
		if (errno == ECONNRESET)
			conn_fail(c, xstrdup(_("the server closed the connection "
			    "abruptly (TCP reset): it ended the session without "
			    "QUIT or 421, or crashed")));
		else
			conn_fail(c, xasprintf(_("read failed: %s"),
			    strerror(errno)));
		return (-1);
	}
}

/*
 * After a completed handshake, does SSL_get_error() code e (with the
 * OpenSSL error queue as SSL_read() left it) mean the peer closed?  With
 * close_notify (ZERO_RETURN) or without: many servers, OpenSMTPD among
 * them, close TCP right after 221, which OpenSSL 3 reports as an
 * "unexpected eof" error and OpenSSL 1.1 as SYSCALL with errno 0.  That
 * is an ordinary end of the connection, not a TLS failure: a reply cut
 * short by it is still seen as incomplete by the reply parser.
 */
static int
conn_tls_closed(int e)
{
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
	unsigned long	err = ERR_peek_error();
#endif

	if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL &&
	    errno == 0))
		return (1);
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
	if (e == SSL_ERROR_SSL && ERR_GET_LIB(err) == ERR_LIB_SSL &&
	    ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		log_debug("%s: the peer closed without close_notify",
		    __func__);
		ERR_clear_error();
		return (1);
	}
#endif
	return (0);
}

/* Send what is queued. */
static int
conn_flush(struct conn *c)
{
	size_t	left;
	ssize_t	n;
	int	r, e;

	while ((left = c->out.len - c->out_off) > 0) {
		if (left > 262144)
			left = 262144;
		if (c->ssl != NULL && c->tls == CONN_TLS_UP) {
			ERR_clear_error();
			r = SSL_write(c->ssl, c->out.data + c->out_off,
			    (int)left);
			if (r > 0) {
				c->out_off += (size_t)r;
				c->bytes_out += (unsigned long long)r;
				c->tls_wait = 0;
				continue;
			}
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_WRITE) {
				c->tls_wait = POLLOUT;
				return (0);
			}
			if (e == SSL_ERROR_WANT_READ) {
				c->tls_wait = POLLIN;
				return (0);
			}
			conn_fail(c, tls_error(c->ssl, r,
			    _("TLS write failed")));
			return (-1);
		}
		if (c->rfd == c->wfd)
			n = send(c->wfd, c->out.data + c->out_off, left,
			    MSG_NOSIGNAL);
		else
			n = write(c->wfd, c->out.data + c->out_off, left);
		if (n == -1 && errno == ENOTSOCK)
			n = write(c->wfd, c->out.data + c->out_off, left);
		if (n > 0) {
			c->out_off += (size_t)n;
			c->bytes_out += (unsigned long long)n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return (0);
		conn_fail(c, xasprintf("write failed: %s",
		    n == -1 ? strerror(errno) : "nothing written"));
		return (-1);
	}
	c->out_off = 0;
	buf_reset(&c->out);
	if (c->ssl != NULL && c->tls == CONN_TLS_UP)
		c->tls_wait = 0;
	return (0);
}

/* Read a --pipe process's stderr and pass on complete lines. */
static void
conn_read_err(struct conn *c, void (*cb)(void *, const char *, size_t),
    void *arg)
{
	char		 tmp[4096], *nl;
	ssize_t		 n;
	size_t		 i, start;

	n = read(c->errfd, tmp, sizeof tmp);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			if (c->errline.len > 0 && cb != NULL)
				cb(arg, c->errline.data, c->errline.len);
			buf_reset(&c->errline);
			close(c->errfd);
			c->errfd = -1;
		}
		return;
	}
	for (i = 0, start = 0; i < (size_t)n; i++) {
		if (tmp[i] != '\n')
			continue;
		nl = tmp + i;
		if (buf_add(&c->errline, tmp + start, (size_t)(nl -
		    (tmp + start))) == -1)
			buf_add(&c->errline, tmp + start,
			    buf_room(&c->errline));
		if (cb != NULL)
			cb(arg, c->errline.data, c->errline.len);
		buf_reset(&c->errline);
		start = i + 1;
	}
	if (start < (size_t)n && buf_add(&c->errline, tmp + start,
	    (size_t)n - start) == -1)
		buf_add(&c->errline, tmp + start, buf_room(&c->errline));
}

/* Act on poll results. */
int
conn_io(struct conn *c, const struct pollfd *pfd, int n,
    void (*errline)(void *, const char *, size_t), void *arg)
{
	short	rev = 0, wev = 0, eev = 0;
	int	i, r;
	char	*cause;

	for (i = 0; i < n; i++) {
		if (c->errfd != -1 && pfd[i].fd == c->errfd)
			eev |= pfd[i].revents;
		if (pfd[i].fd == c->rfd)
			rev |= pfd[i].revents;
		if (pfd[i].fd == c->wfd)
			wev |= pfd[i].revents;
	}
	if (conn_pending(c))
		rev |= POLLIN;
	if (eev != 0)
		conn_read_err(c, errline, arg);
	if (c->cause != NULL)
		return (-1);

	if (c->tls == CONN_TLS_HANDSHAKE) {
		if (((rev | wev) & (POLLIN | POLLOUT | POLLHUP | POLLERR)) == 0)
			return (0);
		r = tls_handshake(c->ssl, &c->tls_wait, &cause);
		if (r == -1) {
			conn_fail(c, cause);
			return (-1);
		}
		if (r == 0)
			return (0);
		c->tls = CONN_TLS_UP;
		c->tls_wait = 0;
		c->tls_done = 1;
		/* Fall through: flush anything queued meanwhile. */
		if (conn_flush(c) == -1)
			return (-1);
		return (conn_read(c));
	}

	if ((rev | wev) & POLLOUT || (c->tls == CONN_TLS_UP && c->tls_wait &
	    POLLOUT && (rev | wev) & POLLOUT)) {
		if (conn_flush(c) == -1)
			return (-1);
	}
	if (rev & (POLLIN | POLLHUP | POLLERR)) {
		if (conn_read(c) == -1)
			return (-1);
	}
	if (c->tls == CONN_TLS_UP && c->out.len > c->out_off &&
	    c->tls_wait == 0) {
		if (conn_flush(c) == -1)
			return (-1);
	}
	if ((wev & POLLERR) && c->wfd != c->rfd) {
		conn_fail(c, xstrdup("the process closed its input"));
		return (-1);
	}
	return (0);
}

/* Queue bytes. */
void
conn_write(struct conn *c, const void *p, size_t len)
{
	if (c->cause != NULL)
		return;
	buf_add(conn_out(c), p, len);
}

/* The queue, compacted. */
struct buf *
conn_out(struct conn *c)
{
	if (c->out_off > 0 && c->out_off >= c->out.len - c->out_off) {
		buf_consume(&c->out, c->out_off);
		c->out_off = 0;
	}
	return (&c->out);
}

/* Mark what is queued next as secret. */
void
conn_secret(struct conn *c)
{
	secret_hold();
	buf_secret(&c->out);
}

/* Bytes not yet sent. */
size_t
conn_queued(const struct conn *c)
{
	return (c->out.len - c->out_off);
}

/* Begin the handshake. */
void
conn_start_tls(struct conn *c, SSL *ssl)
{
	c->ssl = ssl;
	c->tls = CONN_TLS_HANDSHAKE;
	c->tls_wait = POLLOUT;
	c->tls_done = 0;
}

/* Decrypted bytes waiting inside OpenSSL. */
int
conn_pending(const struct conn *c)
{
	return (c->ssl != NULL && c->tls == CONN_TLS_UP &&
	    SSL_pending(c->ssl) > 0 && buf_room(&c->in) > 0);
}
