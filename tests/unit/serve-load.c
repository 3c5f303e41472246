/* SPDX-License-Identifier: ISC */
/*
 * A class on one practice server: start the real `smtpscope --serve` on a
 * loopback port, open 200 sessions at once and drive each through a whole
 * transaction (greeting, EHLO, MAIL, RCPT, DATA, message, QUIT) in one
 * poll() loop.  Bounded in time; the server is stopped by its pid.
 *
 * All 200 come from 127.0.0.1, as a class behind one NAT address does, so
 * the server is given a practice script that raises its limit per address
 * (16 at once by default) to 200: what a teacher does for such a class.
 * The default limit itself is tested in tests/unit/practice-net.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define CLIENTS		200
#define DEADLINE_MS	60000

/* What each client sends, and the code it waits for before the next. */
static const struct {
	const char	*send;		/* NULL: only wait */
	const char	*want;		/* code of the final reply line */
} steps[] = {
	{ NULL, "220" },
	{ "EHLO student.test\r\n", "250" },
	{ "MAIL FROM:<student@school.test>\r\n", "250" },
	{ "RCPT TO:<alice@practice.test>\r\n", "250" },
	{ "DATA\r\n", "354" },
	{ "Subject: homework\r\n\r\nHello, Alice.\r\n.\r\n", "250" },
	{ "QUIT\r\n", "221" },
};
#define NSTEPS	(sizeof steps / sizeof steps[0])

struct client {
	int	fd;
	size_t	step;
	char	in[8192];
	size_t	len;
	int	done;
	int	failed;
};

static long
ms_since(const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) /
	    1000000);
}

/* Look for a complete final reply line with the wanted code. */
static int
client_reply(struct client *c, int *bad)
{
	char	*line = c->in, *nl;

	*bad = 0;
	while ((nl = memchr(line, '\n', c->len - (size_t)(line - c->in))) !=
	    NULL) {
		if (nl - line >= 4 && line[3] == ' ') {
			if (strncmp(line, steps[c->step].want, 3) != 0)
				*bad = 1;
			c->len = 0;
			return (1);
		}
		line = nl + 1;
	}
	return (0);
}

int
main(void)
{
	const char		*top = getenv("top_builddir");
	char			 bin[4096], buf[512];
	struct client		*cl;
	struct pollfd		 pfd[CLIENTS];
	struct sockaddr_in	 sin;
	struct timespec		 t0;
	int			 out[2], i, port = 0, n, done = 0, failed = 0;
	int			 bad, status, fd;
	char			 script[] = "/tmp/serve-load.XXXXXX";
	const char		*settings = "set client-limit 200\n";
	pid_t			 pid;
	FILE			*f;
	ssize_t			 r;

	signal(SIGPIPE, SIG_IGN);
	snprintf(bin, sizeof bin, "%s/src/smtpscope", top != NULL ? top : ".");
	if ((fd = mkstemp(script)) == -1 || write(fd, settings,
	    strlen(settings)) != (ssize_t)strlen(settings)) {
		printf("Bail out! cannot write %s\n", script);
		return (1);
	}
	close(fd);
	if (pipe(out) == -1)
		return (1);
	if ((pid = fork()) == 0) {
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execl(bin, "smtpscope", "--serve", "127.0.0.1:0",
		    "--practice-script", script, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	while (port == 0 && fgets(buf, sizeof buf, f) != NULL) {
		char	*p = strstr(buf, " port ");

		if (p != NULL)
			port = atoi(p + 6);
	}
	ok(port > 0, "practice server started (port %d)", port);
	unlink(script);
	if (port == 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		return (done_testing());
	}

	cl = calloc(CLIENTS, sizeof *cl);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < CLIENTS; i++) {
		cl[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (cl[i].fd == -1 || connect(cl[i].fd, (struct sockaddr *)&sin,
		    sizeof sin) == -1) {
			cl[i].failed = cl[i].done = 1;
			failed++;
			done++;
		}
	}
	ok(failed == 0, "%d sessions open at once", CLIENTS - failed);

	while (done < CLIENTS && ms_since(&t0) < DEADLINE_MS) {
		for (i = 0; i < CLIENTS; i++) {
			pfd[i].fd = cl[i].done ? -1 : cl[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if ((n = poll(pfd, CLIENTS, 1000)) <= 0)
			continue;
		for (i = 0; i < CLIENTS; i++) {
			struct client	*c = &cl[i];

			if (c->done || !(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(c->fd, c->in + c->len, sizeof c->in - 1 -
			    c->len);
			if (r <= 0) {
				c->done = c->failed = 1;
				done++;
				failed++;
				continue;
			}
			c->len += (size_t)r;
			c->in[c->len] = '\0';
			if (!client_reply(c, &bad))
				continue;
			if (bad) {
				c->done = c->failed = 1;
				done++;
				failed++;
				continue;
			}
			if (++c->step == NSTEPS) {
				c->done = 1;
				done++;
				continue;
			}
			if (write(c->fd, steps[c->step].send,
			    strlen(steps[c->step].send)) == -1) {
				c->done = c->failed = 1;
				done++;
				failed++;
			}
		}
	}
	diag("%d sessions finished in %ld ms", done, ms_since(&t0));
	ok(done == CLIENTS, "every session ended within %d s", DEADLINE_MS /
	    1000);
	ok(failed == 0, "all %d sessions completed a whole transaction "
	    "(%d failed)", CLIENTS, failed);
	for (i = 0; i < CLIENTS; i++)
		if (cl[i].fd != -1)
			close(cl[i].fd);
	free(cl);
	kill(pid, SIGTERM);
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the server stops cleanly on SIGTERM");
	fclose(f);
	return (done_testing());
}
