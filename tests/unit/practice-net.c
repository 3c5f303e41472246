/* SPDX-License-Identifier: ISC */
/*
 * Network tests for the practice server (src/practice/practice-server.c): the
 * server runs in a thread on 127.0.0.1 with an ephemeral port and real clients
 * talk to it over TCP, in clear and through STARTTLS with an OpenSSL client
 * that trusts only practice_cert_pem().  Also: many clients at once, the client
 * limits (all clients, one address at once, one address a minute), the idle
 * timeout, a line that never ends, a client that never reads, inetd-style
 * sessions on a socketpair and on two pipes, and practice_stop().  Loopback
 * only (127.0.0.1, and 127.0.0.2 as another client address).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/buf.h"
#include "practice/practice.h"
#include "practice/practice-int.h"
#include "tap.h"

#define NCLIENTS	20

struct client {
	int	 fd;		/* socket, or the fd we read (pipes) */
	int	 wfd;		/* the fd we write */
	SSL	*ssl;
	char	 buf[65536];
	size_t	 len;
};

struct fds_arg {
	struct practice	*p;
	int		 in;
	int		 out;
	int		 rv;
};

static void	*run_server(void *);
static void	*run_fds(void *);
static struct practice *start(pthread_t *, int, int, int, size_t);
static struct practice *start_cfg(pthread_t *, struct practice_config *,
		    const char *);
static void	 stop(struct practice *, pthread_t);
static int64_t	 now_ms(void);
static void	 client_init(struct client *, int, int);
static int	 client_connect(struct client *, int, int);
static int	 client_connect_from(struct client *, int, const char *);
static void	 client_close(struct client *);
static int	 client_send(struct client *, const char *);
static int	 client_reply(struct client *, char *, size_t);
static int	 client_eof(struct client *);
static int	 reply_code(const char *);
static ssize_t	 client_fill(struct client *);
static SSL_CTX	*client_ctx(const char *);
static int	 client_tls(struct client *, SSL_CTX *, const char *,
		    const char *, int, long *);
static int	 step(struct client *, const char *, const char *);
static void	 test_clear(struct practice *);
static void	 test_starttls(struct practice *);
static void	 test_concurrent(struct practice *);
static void	 test_limits(void);
/* Students in a class on one machine, for test_per_address(). */
#define CLASS_SIZE	30

static void	 test_per_address(void);
static void	 test_line_timeout(void);
static void	 test_slow_reader(void);
static void	 test_script(void);
static void	 test_fds(struct practice *);

/* Thread body: serve until stopped. */
static void *
run_server(void *arg)
{
	practice_run(arg);
	return (NULL);
}

/* Thread body: serve one inetd-style session. */
static void *
run_fds(void *arg)
{
	struct fds_arg	*a = arg;

	a->rv = practice_serve_fds(a->p, a->in, a->out);
	return (NULL);
}

/*
 * Make a server on 127.0.0.1 port 0 and run it in a thread; out_max, when
 * not 0, lowers the output cap per client.  All the clients of these tests
 * come from 127.0.0.1, like a class behind one NAT address: the limit per
 * address is raised to 64 (test_per_address() checks the default).
 */
static struct practice *
start(pthread_t *t, int max_clients, int idle, int tls, size_t out_max)
{
	struct practice_config	 cfg;
	struct practice		*p;
	char			*cause = NULL;

	memset(&cfg, 0, sizeof cfg);
	cfg.tls = tls;
	cfg.max_clients = max_clients;
	cfg.idle_timeout = idle;
	cfg.client_limit = 64;
	if ((p = practice_new(&cfg, &cause)) == NULL ||
	    practice_listen(p, NULL, "0", &cause) != 0) {
		printf("Bail out! %s\n", cause);
		exit(1);
	}
	if (out_max != 0)
		p->out_max = out_max;
	if (pthread_create(t, NULL, run_server, p) != 0) {
		printf("Bail out! pthread_create\n");
		exit(1);
	}
	return (p);
}

/*
 * Make a server from cfg, with an override script when script is not NULL,
 * on 127.0.0.1 port 0, and run it in a thread.
 */
static struct practice *
start_cfg(pthread_t *t, struct practice_config *cfg, const char *script)
{
	struct practice	*p;
	char		 path[] = "/tmp/practice-net.XXXXXX", *cause = NULL;
	int		 fd;

	if (script != NULL) {
		if ((fd = mkstemp(path)) == -1 || write(fd, script,
		    strlen(script)) != (ssize_t)strlen(script)) {
			printf("Bail out! cannot write %s\n", path);
			exit(1);
		}
		close(fd);
		cfg->script = path;
	}
	p = practice_new(cfg, &cause);
	if (script != NULL)
		unlink(path);
	cfg->script = NULL;
	if (p == NULL || practice_listen(p, NULL, "0", &cause) != 0) {
		printf("Bail out! %s\n", cause);
		exit(1);
	}
	if (pthread_create(t, NULL, run_server, p) != 0) {
		printf("Bail out! pthread_create\n");
		exit(1);
	}
	return (p);
}

/* Stop and free a server started by start() or start_cfg(). */
static void
stop(struct practice *p, pthread_t t)
{
	practice_stop(p);
	pthread_join(t, NULL);
	practice_free(p);
}

/* Return a monotonic time in milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Set up a client on an fd pair. */
static void
client_init(struct client *c, int rfd, int wfd)
{
	memset(c, 0, sizeof *c);
	c->fd = rfd;
	c->wfd = wfd;
}

/* Connect to 127.0.0.1:port; rcvbuf > 0 shrinks the receive buffer. */
static int
client_connect(struct client *c, int port, int rcvbuf)
{
	struct sockaddr_in	sin;
	struct timeval		tv = { 10, 0 };
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return (-1);
	}
	client_init(c, fd, fd);
	return (0);
}

/*
 * Connect to 127.0.0.1:port from the loopback address from (127.0.0.2:
 * another client address on the same machine).
 */
static int
client_connect_from(struct client *c, int port, const char *from)
{
	struct sockaddr_in	sin;
	struct timeval		tv = { 10, 0 };
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, from, &sin.sin_addr);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return (-1);
	}
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return (-1);
	}
	client_init(c, fd, fd);
	return (0);
}

/* Close a client. */
static void
client_close(struct client *c)
{
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd != -1)
		close(c->fd);
	if (c->wfd != c->fd && c->wfd != -1)
		close(c->wfd);
	c->ssl = NULL;
	c->fd = c->wfd = -1;
}

/* Send a string whole. */
static int
client_send(struct client *c, const char *s)
{
	size_t	len = strlen(s), off = 0;
	ssize_t	n;

	while (off < len) {
		if (c->ssl != NULL)
			n = SSL_write(c->ssl, s + off, (int)(len - off));
		else if (c->fd == c->wfd)
			n = send(c->wfd, s + off, len - off, MSG_NOSIGNAL);
		else
			n = write(c->wfd, s + off, len - off);
		if (n <= 0)
			return (-1);
		off += (size_t)n;
	}
	return (0);
}

/* Return the code of a reply line, or 0. */
static int
reply_code(const char *line)
{
	if (line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
	    line[2] < '0' || line[2] > '9')
		return (0);
	return ((line[0] - '0') * 100 + (line[1] - '0') * 10 + line[2] - '0');
}

/* Read more bytes; returns what read returned. */
static ssize_t
client_fill(struct client *c)
{
	ssize_t	n;

	if (c->len == sizeof c->buf)
		return (-1);
	if (c->ssl != NULL)
		n = SSL_read(c->ssl, c->buf + c->len,
		    (int)(sizeof c->buf - c->len));
	else
		n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
	if (n > 0)
		c->len += (size_t)n;
	return (n);
}

/*
 * Read one whole reply into out (lines with their CRLF); return its code,
 * or -1 on EOF, error or timeout.
 */
static int
client_reply(struct client *c, char *out, size_t size)
{
	char	*nl;
	size_t	 n, used = 0;
	int	 final;

	out[0] = '\0';
	for (;;) {
		while ((nl = memchr(c->buf, '\n', c->len)) == NULL) {
			if (client_fill(c) <= 0)
				return (-1);
		}
		n = (size_t)(nl - c->buf) + 1;
		if (used + n < size) {
			memcpy(out + used, c->buf, n);
			used += n;
			out[used] = '\0';
		}
		final = n < 5 || c->buf[3] != '-';
		memmove(c->buf, c->buf + n, c->len - n);
		c->len -= n;
		if (final)
			return (reply_code(out + (used >= n ? used - n : 0)));
	}
}

/* Return 1 if the peer closed (EOF or reset) with no more bytes. */
static int
client_eof(struct client *c)
{
	ssize_t	n;

	if (c->len != 0)
		return (0);
	n = client_fill(c);
	return (n == 0 || (n < 0 && c->ssl == NULL && errno == ECONNRESET) ||
	    (n < 0 && c->ssl != NULL));
}

/* Make a client TLS context that trusts only the given certificate. */
static SSL_CTX *
client_ctx(const char *pem)
{
	SSL_CTX	*ctx;
	BIO	*bio;
	X509	*x;

	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	bio = BIO_new_mem_buf(pem, -1);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x == NULL || X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx),
	    x) != 1) {
		printf("Bail out! cannot load the practice certificate\n");
		exit(1);
	}
	X509_free(x);
	BIO_free(bio);
	return (ctx);
}

/*
 * Start TLS as a client, checking host or ip.  With strict set, a failed
 * verification fails the handshake.  Sets *verify to the result.
 */
static int
client_tls(struct client *c, SSL_CTX *ctx, const char *host, const char *ip,
    int strict, long *verify)
{
	int	r;

	c->ssl = SSL_new(ctx);
	if (c->fd == c->wfd)
		SSL_set_fd(c->ssl, c->fd);
	else {
		SSL_set_rfd(c->ssl, c->fd);
		SSL_set_wfd(c->ssl, c->wfd);
	}
	if (host != NULL) {
		SSL_set1_host(c->ssl, host);
		SSL_set_tlsext_host_name(c->ssl, host);
	}
	if (ip != NULL)
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), ip);
	SSL_set_verify(c->ssl, strict ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
	    NULL);
	r = SSL_connect(c->ssl);
	*verify = SSL_get_verify_result(c->ssl);
	if (r != 1) {
		ERR_print_errors_fp(stdout);
		return (-1);
	}
	return (0);
}

/* Send a line and check that the reply starts with want. */
static int
step(struct client *c, const char *line, const char *want)
{
	char	reply[4096];

	if (line != NULL && client_send(c, line) != 0) {
		diag("cannot send %s", line);
		return (0);
	}
	if (client_reply(c, reply, sizeof reply) == -1) {
		diag("no reply to %s", line != NULL ? line : "(connect)");
		return (0);
	}
	if (strncmp(reply, want, strlen(want)) != 0) {
		diag("after %s: expected \"%s\", got \"%s\"",
		    line != NULL ? line : "(connect)", want, reply);
		return (0);
	}
	return (1);
}

/* A whole session in clear text, with the awkward inputs. */
static void
test_clear(struct practice *p)
{
	struct client	 c;
	char		 reply[4096], *line;
	int		 good;

	ok(client_connect(&c, practice_port(p), 0) == 0, "connect");
	ok(step(&c, NULL, "220 practice.smtpscope.test ESMTP smtpscope "
	    "practice server\r\n"), "greeting over TCP");
	client_send(&c, "EHLO client.example\r\n");
	is_int(client_reply(&c, reply, sizeof reply), 250, "EHLO: 250");
	ok(strstr(reply, "250-STARTTLS\r\n") != NULL &&
	    strstr(reply, "250 HELP\r\n") != NULL, "EHLO offers STARTTLS");
	ok(step(&c, "MAIL FROM:<student@client.example>\r\n", "250 2.1.0 ") &&
	    step(&c, "RCPT TO:<alice@practice.test>\r\n", "250 2.1.5 ") &&
	    step(&c, "RCPT TO:<mallory@elsewhere.example>\r\n",
	    "554 5.7.1 <mallory@elsewhere.example>: Relay access denied\r\n") &&
	    step(&c, "DATA\r\n", "354 ") &&
	    step(&c, "Subject: hello\r\n\r\n..dot\r\n.\r\n",
	    "250 2.0.0 Ok: queued as "), "a transaction in clear");

	/* Pipelined commands in one write, answered in order. */
	client_send(&c, "MAIL FROM:<>\r\nRCPT TO:<bob@practice.test>\r\n"
	    "RCPT TO:<nobody@practice.test>\r\nDATA\r\n");
	good = client_reply(&c, reply, sizeof reply) == 250;
	good &= client_reply(&c, reply, sizeof reply) == 250;
	good &= client_reply(&c, reply, sizeof reply) == 550;
	good &= client_reply(&c, reply, sizeof reply) == 354;
	ok(good, "pipelined replies in order");
	ok(step(&c, "x\r\n.\r\n", "250 2.0.0 "), "pipelined message accepted");

	ok(step(&c, "NOOP\n", "250 2.0.0 Ok\r\n"), "bare LF accepted");
	ok(step(&c, "nOoP\r\n", "250 2.0.0 Ok\r\n"), "case-insensitive");
	line = malloc(40003);
	memset(line, 'x', 40000);
	memcpy(line + 40000, "\r\n", 3);
	memcpy(line, "NOOP ", 5);
	line[600] = '\r';
	line[601] = '\n';
	line[602] = '\0';
	ok(step(&c, line, "500 5.5.6 Error: line too long\r\n"),
	    "600 octets: 500 5.5.6");
	line[600] = 'x';
	line[601] = 'x';
	line[602] = 'x';
	ok(step(&c, line, "500 5.5.6 Error: line too long\r\n"),
	    "40000 octets: one 500 5.5.6");
	free(line);
	ok(step(&c, "NOOP\r\n", "250 2.0.0 Ok\r\n"), "the session recovers");
	ok(step(&c, "QUIT\r\n", "221 2.0.0 Bye\r\n"), "QUIT: 221");
	ok(client_eof(&c), "closed after 221");
	client_close(&c);
}

/* STARTTLS with a client that trusts only the practice certificate. */
static void
test_starttls(struct practice *p)
{
	struct client	 c;
	SSL_CTX		*ctx;
	char		 reply[4096];
	long		 verify;

	ctx = client_ctx(practice_cert_pem(p));

	ok(client_connect(&c, practice_port(p), 0) == 0 &&
	    step(&c, NULL, "220 ") && step(&c, "EHLO a\r\n", "250-") &&
	    step(&c, "AUTH PLAIN AGRlbW8AZGVtbw==\r\n", "235 2.7.0 ") &&
	    step(&c, "STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n"),
	    "STARTTLS: 220");
	is_int(c.len, 0, "nothing after the 220");
	ok(client_tls(&c, ctx, "localhost", NULL, 1, &verify) == 0,
	    "handshake, checking the name localhost");
	is_int(verify, X509_V_OK, "certificate verifies for localhost");
	ok(strcmp(SSL_get_version(c.ssl), "TLSv1.2") == 0 ||
	    strcmp(SSL_get_version(c.ssl), "TLSv1.3") == 0, "TLS 1.2 or 1.3");
	ok(step(&c, "MAIL FROM:<>\r\n", "503 5.5.1 "),
	    "EHLO forgotten after TLS");
	client_send(&c, "EHLO a\r\n");
	is_int(client_reply(&c, reply, sizeof reply), 250, "EHLO over TLS");
	ok(strstr(reply, "STARTTLS") == NULL &&
	    strstr(reply, "250-AUTH PLAIN LOGIN\r\n") != NULL,
	    "EHLO after TLS has no STARTTLS");
	ok(step(&c, "STARTTLS\r\n", "503 5.5.1 "), "STARTTLS twice: 503");
	ok(step(&c, "MAIL FROM:<>\r\n", "250 ") &&
	    step(&c, "RCPT TO:<x@elsewhere.example>\r\n", "554 5.7.1 "),
	    "AUTH forgotten after TLS");
	ok(step(&c, "RSET\r\n", "250 ") &&
	    step(&c, "AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n") &&
	    step(&c, "ZGVtbw==\r\n", "334 UGFzc3dvcmQ6\r\n") &&
	    step(&c, "ZGVtbw==\r\n", "235 2.7.0 ") &&
	    step(&c, "MAIL FROM:<demo@practice.test> SIZE=100\r\n", "250 ") &&
	    step(&c, "RCPT TO:<x@elsewhere.example>\r\n", "250 2.1.5 ") &&
	    step(&c, "DATA\r\n", "354 ") &&
	    step(&c, "Subject: over TLS\r\n\r\nhi\r\n.\r\n", "250 2.0.0 ") &&
	    step(&c, "QUIT\r\n", "221 2.0.0 "), "a relayed message over TLS");
	ok(client_eof(&c), "closed after 221 over TLS");
	client_close(&c);

	ok(client_connect(&c, practice_port(p), 0) == 0 &&
	    step(&c, NULL, "220 ") && step(&c, "EHLO a\r\n", "250-") &&
	    step(&c, "STARTTLS\r\n", "220 ") &&
	    client_tls(&c, ctx, NULL, "127.0.0.1", 1, &verify) == 0 &&
	    verify == X509_V_OK, "certificate verifies for IP 127.0.0.1");
	client_close(&c);

	ok(client_connect(&c, practice_port(p), 0) == 0 &&
	    step(&c, NULL, "220 ") && step(&c, "EHLO a\r\n", "250-") &&
	    step(&c, "STARTTLS\r\n", "220 ") &&
	    client_tls(&c, ctx, "wrong.example", NULL, 0, &verify) == 0,
	    "handshake without enforcing the check");
	is_int(verify, X509_V_ERR_HOSTNAME_MISMATCH,
	    "and the name check does fail for another name");
	client_close(&c);

	/* RFC 3207 5: commands pipelined after STARTTLS are thrown away. */
	ok(client_connect(&c, practice_port(p), 0) == 0 &&
	    step(&c, NULL, "220 ") && step(&c, "EHLO a\r\n", "250-"),
	    "connect for the injection test");
	client_send(&c, "STARTTLS\r\nRSET\r\n");
	ok(step(&c, NULL, "220 ") && c.len == 0 &&
	    client_tls(&c, ctx, "localhost", NULL, 1, &verify) == 0,
	    "STARTTLS with a command behind it");
	ok(step(&c, "NOOP\r\n", "250 2.0.0 Ok\r\n") &&
	    step(&c, "QUIT\r\n", "221 "),
	    "the injected command got no reply");
	client_close(&c);
	SSL_CTX_free(ctx);
}

/* Many clients at once, each finishing a transaction. */
static void
test_concurrent(struct practice *p)
{
	static struct client	 c[NCLIENTS];
	static const char	*steps[][2] = {
		{ NULL, "220 " },
		{ "EHLO many.example\r\n", "250-" },
		{ "MAIL FROM:<s@many.example>\r\n", "250 2.1.0 " },
		{ "RCPT TO:<bob@practice.test>\r\n", "250 2.1.5 " },
		{ "DATA\r\n", "354 " },
		{ "Subject: many\r\n\r\nbody\r\n.\r\n", "250 2.0.0 Ok: " },
		{ "QUIT\r\n", "221 " },
	};
	size_t			 i, k, good = 0, open = 0;
	int			 all = 1;

	for (i = 0; i < NCLIENTS; i++)
		open += client_connect(&c[i], practice_port(p), 0) == 0;
	is_int(open, NCLIENTS, "%d clients connected at once", NCLIENTS);
	/* Every client does each step before any does the next. */
	for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		for (i = 0; i < NCLIENTS; i++) {
			if (steps[k][0] != NULL)
				client_send(&c[i], steps[k][0]);
		}
		for (i = 0; i < NCLIENTS; i++)
			all &= step(&c[i], NULL, steps[k][1]);
	}
	for (i = 0; i < NCLIENTS; i++) {
		good += client_eof(&c[i]);
		client_close(&c[i]);
	}
	ok(all, "%d interleaved transactions completed", NCLIENTS);
	is_int(good, NCLIENTS, "all closed after QUIT");
}

/* Override scripts over the network: delays, raw replies, closing. */
static void
test_script(void)
{
	struct practice_config	 cfg;
	struct practice		*p;
	struct client		 c;
	pthread_t		 t;
	int64_t			 t0, t1;
	char			 path[] = "/tmp/practice-net.XXXXXX", *cause;
	char			 reply[512];
	const char		*script = "delay CONNECT 200\n"
	    "delay NOOP 300\n"
	    "reply-raw STARTTLS 220 Go ahead\\r\\n250 injected\\r\\n\n"
	    "close-after MAIL\n";
	int			 fd, good;

	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, script, strlen(script)) != (ssize_t)strlen(script)) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	close(fd);
	memset(&cfg, 0, sizeof cfg);
	cfg.tls = 1;
	cfg.script = path;
	if ((p = practice_new(&cfg, &cause)) == NULL ||
	    practice_listen(p, "localhost", "0", &cause) != 0) {
		printf("Bail out! %s\n", cause);
		exit(1);
	}
	unlink(path);
	pthread_create(&t, NULL, run_server, p);

	t0 = now_ms();
	ok(client_connect(&c, practice_port(p), 0) == 0 &&
	    step(&c, NULL, "220 "), "greeting with a script");
	ok(now_ms() - t0 >= 190, "delay CONNECT held the greeting back");
	client_send(&c, "NOOP\r\nRSET\r\n");
	t0 = now_ms();
	good = client_reply(&c, reply, sizeof reply) == 250;
	t1 = now_ms();
	good &= client_reply(&c, reply, sizeof reply) == 250 &&
	    strcmp(reply, "250 2.0.0 Ok\r\n") == 0;
	ok(good && t1 - t0 >= 290, "delay NOOP held its reply back");
	ok(now_ms() - t0 >= 290, "and the pipelined RSET waited behind it");
	ok(step(&c, "EHLO a\r\n", "250-") &&
	    step(&c, "STARTTLS\r\n", "220 Go ahead\r\n") &&
	    c.len == strlen("250 injected\r\n"),
	    "reply-raw sends both lines in one write");
	ok(step(&c, NULL, "250 injected\r\n"), "the injected line follows");
	client_close(&c);

	ok(client_connect(&c, practice_port(p), 0) == 0 &&
	    step(&c, NULL, "220 ") && step(&c, "HELO a\r\n", "250 ") &&
	    step(&c, "MAIL FROM:<>\r\n", "250 2.1.0 Ok\r\n"),
	    "MAIL answered");
	ok(client_eof(&c), "close-after MAIL closed the connection");
	client_close(&c);
	practice_stop(p);
	pthread_join(t, NULL);
	practice_free(p);
}

/* The client limit, the idle timeout and a client that does not read. */
static void
test_limits(void)
{
	struct practice	*p;
	struct client	 c[3], slow;
	pthread_t	 t;
	int64_t		 t0;
	char		*flood, reply[512];
	size_t		 i, sent = 0;
	ssize_t		 n;
	int		 done;

	p = start(&t, 2, 1, 0, 0);
	ok(client_connect(&c[0], practice_port(p), 0) == 0 &&
	    step(&c[0], NULL, "220 ") &&
	    client_connect(&c[1], practice_port(p), 0) == 0 &&
	    step(&c[1], NULL, "220 "), "two clients of two");
	ok(client_connect(&c[2], practice_port(p), 0) == 0 &&
	    step(&c[2], NULL, "421 4.3.2 practice.smtpscope.test Error: too "
	    "many connections: all 2 places on this server are taken; try "
	    "again later\r\n"), "the third gets 421 4.3.2, saying why");
	ok(client_eof(&c[2]), "and is closed");
	client_close(&c[2]);
	ok(step(&c[0], "NOOP\r\n", "250 "), "the first still works");

	/* Idle timeout of 1 s. */
	t0 = now_ms();
	ok(step(&c[1], NULL, "421 4.4.2 practice.smtpscope.test Error: "
	    "timeout exceeded\r\n"), "idle client: 421 4.4.2");
	ok(now_ms() - t0 >= 500 && now_ms() - t0 < 5000,
	    "after about a second");
	ok(client_eof(&c[1]), "then closed");
	client_close(&c[1]);
	client_close(&c[0]);
	practice_stop(p);
	pthread_join(t, NULL);
	practice_free(p);

	/*
	 * A client that never reads: the server stops reading it, others go
	 * on, and once it has read nothing for the idle timeout (1 s) it is
	 * closed.
	 */
	p = start(&t, 0, 1, 0, 0);
	ok(client_connect(&slow, practice_port(p), 4096) == 0 &&
	    step(&slow, NULL, "220 "), "slow reader connected");
	flood = malloc(6 * 10000 + 1);
	for (i = 0; i < 10000; i++)
		memcpy(flood + i * 6, "NOOP\r\n", 6);
	flood[6 * 10000] = '\0';
	t0 = now_ms();
	for (i = 0; i < 100 && now_ms() - t0 < 700; i++) {
		n = send(slow.fd, flood, 6 * 10000,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n <= 0 && errno != EAGAIN)
			break;
		if (n > 0)
			sent += (size_t)n;
		else
			usleep(20000);
	}
	free(flood);
	ok(client_connect(&c[0], practice_port(p), 0) == 0 &&
	    step(&c[0], NULL, "220 ") && step(&c[0], "NOOP\r\n", "250 "),
	    "another client is served meanwhile");
	client_close(&c[0]);
	usleep(2500 * 1000);
	done = 0;
	n = -1;
	t0 = now_ms();
	while (!done && now_ms() - t0 < 10000) {
		if ((n = read(slow.fd, reply, sizeof reply)) <= 0)
			done = 1;
	}
	ok(n == 0 || errno == ECONNRESET, "the client that did not read was "
	    "closed after the idle timeout (sent %zu bytes of commands)",
	    sent);
	client_close(&slow);
	practice_stop(p);
	pthread_join(t, NULL);
	practice_free(p);
}

/*
 * The per-address limits: 16 connections at once from one address by
 * default, and client-rate new ones a minute; each refusal says which
 * limit it is, and another address is still served.
 */
static void
test_per_address(void)
{
	struct practice_config	 cfg;
	struct practice		*p;
	static struct client	 c[CLASS_SIZE];
	struct client		 other;
	pthread_t		 t;
	int			 i, good, other_ok;

	/*
	 * The defaults spare loopback: a class of 30 logged in to the
	 * teacher's machine all connect at once.
	 */
	memset(&cfg, 0, sizeof cfg);
	p = start_cfg(&t, &cfg, NULL);
	for (i = 0, good = 1; i < CLASS_SIZE; i++) {
		good &= client_connect(&c[i], practice_port(p), 0) == 0 &&
		    step(&c[i], NULL, "220 ");
	}
	ok(good, "default limits: %d at once from 127.0.0.1 are served",
	    CLASS_SIZE);
	for (i = 0; i < CLASS_SIZE; i++)
		client_close(&c[i]);
	stop(p, t);

	/* A limit the teacher sets holds for loopback too. */
	memset(&cfg, 0, sizeof cfg);
	cfg.client_limit = PRACTICE_CLIENT_LIMIT;
	p = start_cfg(&t, &cfg, NULL);
	for (i = 0, good = 1; i < PRACTICE_CLIENT_LIMIT; i++) {
		good &= client_connect(&c[i], practice_port(p), 0) == 0 &&
		    step(&c[i], NULL, "220 ");
	}
	ok(good, "%d connections from 127.0.0.1 are served",
	    PRACTICE_CLIENT_LIMIT);
	ok(client_connect(&c[i], practice_port(p), 0) == 0 &&
	    step(&c[i], NULL, "421 4.7.0 practice.smtpscope.test Error: too "
	    "many connections from 127.0.0.1: 16 at once is the limit for one "
	    "address; close one and try again\r\n"),
	    "the next one gets 421 4.7.0 naming the per-address limit");
	ok(client_eof(&c[i]), "and is closed");
	client_close(&c[i]);
	other_ok = client_connect_from(&other, practice_port(p),
	    "127.0.0.2") == 0;
	if (other_ok) {
		ok(step(&other, NULL, "220 ") &&
		    step(&other, "NOOP\r\n", "250 "),
		    "a student on another address is served meanwhile");
		client_close(&other);
	} else
		ok(1, "# SKIP cannot bind 127.0.0.2: %s", strerror(errno));
	ok(step(&c[0], "QUIT\r\n", "221 ") && client_eof(&c[0]),
	    "one of the sixteen quits");
	client_close(&c[0]);
	/* The server notices the end in its own time: try a few times. */
	for (i = 0, good = 0; i < 40 && !good; i++) {
		if (client_connect(&c[0], practice_port(p), 0) != 0)
			break;
		good = step(&c[0], NULL, "220 ");
		if (!good) {
			client_close(&c[0]);
			usleep(50000);
		}
	}
	ok(good, "then a new one from 127.0.0.1 is served");
	for (i = 0; i < PRACTICE_CLIENT_LIMIT; i++)
		client_close(&c[i]);
	stop(p, t);

	/* The rate: 5 a minute. */
	memset(&cfg, 0, sizeof cfg);
	p = start_cfg(&t, &cfg, "set client-rate 5\n");
	for (i = 0, good = 1; i < 5; i++) {
		good &= client_connect(&c[0], practice_port(p), 0) == 0 &&
		    step(&c[0], NULL, "220 ") && step(&c[0], "QUIT\r\n", "221 ");
		client_close(&c[0]);
	}
	ok(good, "five connections one after another are served");
	ok(client_connect(&c[0], practice_port(p), 0) == 0 &&
	    step(&c[0], NULL, "421 4.7.0 practice.smtpscope.test Error: too "
	    "many new connections from 127.0.0.1: 5 a minute is the limit "
	    "for one address; wait a minute and try again\r\n"),
	    "the sixth in the minute gets 421 4.7.0 naming the rate");
	client_close(&c[0]);
	if (other_ok) {
		ok(client_connect_from(&other, practice_port(p),
		    "127.0.0.2") == 0 && step(&other, NULL, "220 "),
		    "another address is still served");
		client_close(&other);
	} else
		ok(1, "# SKIP cannot bind 127.0.0.2");
	stop(p, t);

	/* A class behind one address: the teacher raises the limit. */
	memset(&cfg, 0, sizeof cfg);
	p = start_cfg(&t, &cfg, "set client-limit 17\n");
	for (i = 0, good = 1; i < PRACTICE_CLIENT_LIMIT + 1; i++) {
		good &= client_connect(&c[i], practice_port(p), 0) == 0 &&
		    step(&c[i], NULL, "220 ");
	}
	ok(good, "set client-limit 17: 17 from one address are served");
	for (i = 0; i < PRACTICE_CLIENT_LIMIT + 1; i++)
		client_close(&c[i]);
	stop(p, t);
}

/*
 * A line that never ends is cut off after line-timeout, however often
 * a byte of it comes; whole lines sent slowly are not.
 */
static void
test_line_timeout(void)
{
	struct practice_config	 cfg;
	struct practice		*p;
	struct client		 c;
	pthread_t		 t;
	int64_t			 t0;
	char			 reply[512];
	int			 i, good, code = -1;

	memset(&cfg, 0, sizeof cfg);
	cfg.idle_timeout = 3;
	cfg.line_timeout = 1;
	p = start_cfg(&t, &cfg, NULL);

	ok(client_connect(&c, practice_port(p), 0) == 0 &&
	    step(&c, NULL, "220 ") && client_send(&c, "NO") == 0,
	    "a client starts a line");
	t0 = now_ms();
	/* A byte every 200 ms keeps the idle timer (3 s) from firing. */
	while (now_ms() - t0 < 4000) {
		struct pollfd	pfd = { c.fd, POLLIN, 0 };

		if (poll(&pfd, 1, 200) > 0) {
			code = client_reply(&c, reply, sizeof reply);
			break;
		}
		if (client_send(&c, "O") != 0)
			break;
	}
	is_int(code, 421, "a byte every 200 ms, never a line end: 421");
	ok(strcmp(reply, "421 4.4.2 practice.smtpscope.test Error: timeout "
	    "exceeded: a line did not end (CRLF) within 1 s of its start; "
	    "send each command whole\r\n") == 0, "saying why");
	ok(now_ms() - t0 >= 800 && now_ms() - t0 < 2500,
	    "after about the line timeout of 1 s (%lld ms)",
	    (long long)(now_ms() - t0));
	ok(client_eof(&c), "then closed");
	client_close(&c);

	ok(client_connect(&c, practice_port(p), 0) == 0 &&
	    step(&c, NULL, "220 "), "another client");
	for (i = 0, good = 1; i < 6; i++) {
		usleep(300000);
		good &= step(&c, "NOOP\r\n", "250 ");
	}
	ok(good, "whole lines every 300 ms for 1.8 s are answered");
	client_send(&c, "NO");
	usleep(500000);
	ok(step(&c, "OP\r\n", "250 "), "a line that ends within the "
	    "timeout is answered");
	client_send(&c, "RSET\r\nNO");
	usleep(700000);
	ok(step(&c, NULL, "250 ") && step(&c, "OP\r\n", "250 "),
	    "the time counts from the line's own start");
	ok(step(&c, "QUIT\r\n", "221 "), "QUIT");
	client_close(&c);
	stop(p, t);
}

/*
 * A client that sends commands and reads no reply: the server answers
 * until PRACTICE_OUT_MAX bytes wait, then reads no more (memory stays
 * bounded) and drops nothing: once the client reads, every command is
 * answered and the session goes on.  Pipes, so that the kernel's buffers
 * are known (64 KiB towards the server, one page back).
 */
static void
test_slow_reader(void)
{
	struct practice_config	 cfg;
	struct practice		*p;
	struct fds_arg		 a;
	struct client		 c;
	pthread_t		 t;
	int			 to_server[2], from_server[2], flags;
	char			*flood, *buf;
	size_t			 sent = 0, got = 0, lines = 0, i;
	ssize_t			 n;
	int64_t			 t0, last;

	memset(&cfg, 0, sizeof cfg);
	cfg.idle_timeout = 10;
	if ((p = practice_new(&cfg, &buf)) == NULL ||
	    pipe(to_server) == -1 || pipe(from_server) == -1) {
		printf("Bail out! slow reader setup\n");
		exit(1);
	}
#ifdef F_SETPIPE_SZ
	fcntl(from_server[1], F_SETPIPE_SZ, 4096);
#endif
	/* Non-blocking, as a socket of practice_run() is. */
	fcntl(to_server[0], F_SETFL, fcntl(to_server[0], F_GETFL) | O_NONBLOCK);
	fcntl(from_server[1], F_SETFL, fcntl(from_server[1], F_GETFL) |
	    O_NONBLOCK);
	a.p = p;
	a.in = to_server[0];
	a.out = from_server[1];
	a.rv = -2;
	pthread_create(&t, NULL, run_fds, &a);
	client_init(&c, from_server[0], to_server[1]);
	ok(step(&c, NULL, "220 "), "slow reader: greeted");

	flood = malloc(6 * 10000);
	for (i = 0; i < 10000; i++)
		memcpy(flood + i * 6, "NOOP\r\n", 6);
	flags = fcntl(to_server[1], F_GETFL);
	fcntl(to_server[1], F_SETFL, flags | O_NONBLOCK);
	t0 = last = now_ms();
	/* Write until nothing more goes in for 500 ms (at most 3 s). */
	while (now_ms() - last < 500 && now_ms() - t0 < 3000 &&
	    sent < 4 * 1024 * 1024) {
		/* Go on where a short write stopped, mid-NOOP perhaps. */
		n = write(to_server[1], flood + sent % 6, 6 * 10000 - sent % 6);
		if (n > 0) {
			sent += (size_t)n;
			last = now_ms();
		} else if (n == -1 && errno != EAGAIN)
			break;
		else
			usleep(10000);
	}
	fcntl(to_server[1], F_SETFL, flags);
	free(flood);
	diag("the server took %zu bytes of commands before it stopped "
	    "reading", sent);
	ok(sent < 320 * 1024, "the server stops reading a client whose "
	    "replies wait (took %zu bytes, at most 320 KiB)", sent);

	/* Now read: every NOOP has its 250, and the session goes on. */
	buf = malloc(65536);
	t0 = now_ms();
	while (lines < sent / 6 && now_ms() - t0 < 10000) {
		struct pollfd	pfd = { c.fd, POLLIN, 0 };

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		if ((n = read(c.fd, buf, 65536)) <= 0)
			break;
		for (i = 0; i < (size_t)n; i++)
			lines += buf[i] == '\n';
		got += (size_t)n;
	}
	free(buf);
	is_int(lines, sent / 6, "every command was answered once read "
	    "(%zu bytes of replies)", got);
	/* The last write may have cut a NOOP: finish it. */
	ok((sent % 6 == 0 || step(&c, "NOOP\r\n" + sent % 6, "250 ")) &&
	    step(&c, "QUIT\r\n", "221 "), "the session goes on: QUIT 221");
	pthread_join(t, NULL);
	is_int(a.rv, 0, "and ends in order");
	client_close(&c);
	close(to_server[0]);
	close(from_server[1]);
	practice_free(p);
}

/* Inetd-style sessions on a socketpair and on two pipes. */
static void
test_fds(struct practice *p)
{
	struct fds_arg	 a;
	struct client	 c;
	pthread_t	 t;
	SSL_CTX		*ctx;
	long		 verify;
	int		 sv[2], to_server[2], from_server[2];

	ctx = client_ctx(practice_cert_pem(p));

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		printf("Bail out! socketpair\n");
		exit(1);
	}
	a.p = p;
	a.in = a.out = sv[0];
	a.rv = -2;
	pthread_create(&t, NULL, run_fds, &a);
	client_init(&c, sv[1], sv[1]);
	ok(step(&c, NULL, "220 practice.smtpscope.test ESMTP ") &&
	    step(&c, "EHLO a\r\n", "250-") &&
	    step(&c, "STARTTLS\r\n", "220 ") &&
	    client_tls(&c, ctx, "localhost", NULL, 1, &verify) == 0 &&
	    step(&c, "EHLO a\r\n", "250-") &&
	    step(&c, "QUIT\r\n", "221 "), "a session with TLS on a socketpair");
	pthread_join(t, NULL);
	is_int(a.rv, 0, "practice_serve_fds returns 0 after QUIT");
	client_close(&c);
	close(sv[0]);

	if (pipe(to_server) == -1 || pipe(from_server) == -1) {
		printf("Bail out! pipe\n");
		exit(1);
	}
	a.in = to_server[0];
	a.out = from_server[1];
	a.rv = -2;
	pthread_create(&t, NULL, run_fds, &a);
	client_init(&c, from_server[0], to_server[1]);
	ok(step(&c, NULL, "220 ") && step(&c, "EHLO a\r\n", "250-") &&
	    step(&c, "STARTTLS\r\n", "220 ") &&
	    client_tls(&c, ctx, "localhost", NULL, 1, &verify) == 0 &&
	    step(&c, "EHLO a\r\n", "250-") &&
	    step(&c, "MAIL FROM:<>\r\n", "250 "),
	    "a session with TLS on two pipes");
	client_close(&c);	/* EOF instead of QUIT */
	pthread_join(t, NULL);
	is_int(a.rv, 0, "practice_serve_fds returns 0 at EOF");
	close(to_server[0]);
	close(from_server[1]);
	SSL_CTX_free(ctx);
}

/* Run the tests. */
int
main(void)
{
	struct practice	*p, *q;
	struct client	 c;
	pthread_t	 t, tq;
	int64_t		 t0;

	signal(SIGPIPE, SIG_IGN);
	alarm(120);	/* a hung test fails instead of hanging */

	p = start(&t, 0, 0, 1, 0);
	q = start(&tq, 0, 0, 0, 0);
	ok(practice_port(p) > 0 && practice_port(q) > 0 &&
	    practice_port(p) != practice_port(q),
	    "two servers in one process, ephemeral ports");
	test_clear(p);
	test_starttls(p);
	test_concurrent(p);
	test_concurrent(q);
	test_fds(p);
	test_limits();
	test_per_address();
	test_line_timeout();
	test_slow_reader();
	test_script();

	ok(client_connect(&c, practice_port(p), 0) == 0 &&
	    step(&c, NULL, "220 ") && step(&c, "EHLO a\r\n", "250-"),
	    "a client in the middle of a session");
	t0 = now_ms();
	practice_stop(p);
	pthread_join(t, NULL);
	ok(now_ms() - t0 < 2000, "practice_run returns promptly after stop");
	ok(step(&c, NULL, "421 4.3.2 practice.smtpscope.test Service shutting "
	    "down\r\n"), "open clients are told 421 4.3.2");
	ok(client_eof(&c), "and closed");
	client_close(&c);
	practice_stop(p);
	practice_run(p);
	ok(1, "a stopped server stays stopped");
	practice_free(p);

	practice_stop(q);
	pthread_join(tq, NULL);
	practice_free(q);
	return (done_testing());
}
