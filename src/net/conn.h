/* SPDX-License-Identifier: ISC */
/*
 * A transport: a socket (or a process's stdin/stdout pair) with an optional
 * TLS layer, a capped input buffer and an output queue.  Everything is
 * non-blocking; the owner polls the descriptors conn_pollfds() asks for and
 * hands the results to conn_io().  No SMTP knowledge here.
 */
#ifndef CONN_H
#define CONN_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "base/buf.h"

/* Received bytes held before the reader consumes them. */
#define CONN_IN_MAX	(256 * 1024)
/* Stderr bytes of a --pipe process kept per line. */
#define CONN_ERR_MAX	1024

enum conn_tls {
	CONN_TLS_NONE,
	CONN_TLS_HANDSHAKE,
	CONN_TLS_UP
};

struct conn {
	int		 rfd;		/* read side */
	int		 wfd;		/* write side (== rfd for sockets) */
	int		 errfd;		/* --pipe process's stderr, or -1 */
	pid_t		 pid;		/* --pipe process, or -1 */
	SSL		*ssl;
	enum conn_tls	 tls;
	short		 tls_wait;	/* POLLIN/POLLOUT the TLS layer wants */
	int		 tls_done;	/* handshake finished, not yet seen */
	struct buf	 in;		/* received, not yet consumed */
	struct buf	 out;		/* queued to send */
	size_t		 out_off;	/* bytes of out already sent */
	struct buf	 errline;	/* partial stderr line */
	int		 eof;		/* the peer closed its side */
	char		*cause;		/* why the connection failed, or NULL */
	unsigned long long bytes_in;
	unsigned long long bytes_out;
};

/* Wrap descriptors; the conn owns them (and the process) from now on. */
struct conn	*conn_new(int, int, int, pid_t);
/* Close descriptors, end the process, free everything. */
void		 conn_free(struct conn *);
/* Fill pfd (room for 3) with what to poll; returns how many. */
int		 conn_pollfds(const struct conn *, struct pollfd *);
/*
 * Act on poll results for the descriptors conn_pollfds() gave.  Returns 0,
 * or -1 when the connection failed (c->cause says why).  Complete stderr
 * lines of a --pipe process are passed to errline(arg, line, len).
 */
int		 conn_io(struct conn *, const struct pollfd *, int,
		    void (*)(void *, const char *, size_t), void *);
/* Queue bytes to send. */
void		 conn_write(struct conn *, const void *, size_t);
/*
 * The bytes queued next hold a secret (AUTH credentials): call it before
 * queueing them.  The queue's storage is then overwritten as they leave
 * it, sent or freed (buf_secret()), and core dumps are off from now on
 * (secret_hold()).
 */
void		 conn_secret(struct conn *);
/* Bytes queued and not yet sent. */
size_t		 conn_queued(const struct conn *);
/*
 * The queue itself, for writing into in place (a message body is encoded
 * straight into it).  Sent bytes are dropped from its front first, once
 * they outnumber those still queued, so it stays as small as the queue.
 */
struct buf	*conn_out(struct conn *);
/* Start a TLS handshake with ssl (the conn owns it from now on). */
void		 conn_start_tls(struct conn *, SSL *);
/* Does the TLS layer hold decrypted bytes poll() cannot see? */
int		 conn_pending(const struct conn *);
/* Stop reading and writing (the descriptors stay until conn_free). */
void		 conn_shutdown(struct conn *);

#endif
