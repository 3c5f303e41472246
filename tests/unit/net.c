/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for resolving and connecting (src/net/net.c): a numeric address
 * is resolved at once, without a thread; a name is looked up by a thread
 * whose answer arrives through a descriptor to poll; a lookup given up
 * while it runs frees itself; an unknown port is refused with a reason.  Names
 * come only from /etc/hosts ("localhost"), and the only connection made is
 * to a listener of our own on 127.0.0.1.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"
#include "tap.h"

/* Is localhost a 127.0.0.1 name in /etc/hosts (so no resolver is asked)? */
static int
localhost_in_hosts(void)
{
	FILE	*f;
	char	 line[512], *p;
	int	 found = 0;

	if ((f = fopen("/etc/hosts", "r")) == NULL)
		return (0);
	while (!found && fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "127.0.0.1", 9) != 0)
			continue;
		for (p = strtok(line + 9, " \t\n"); p != NULL;
		    p = strtok(NULL, " \t\n"))
			if (strcmp(p, "localhost") == 0)
				found = 1;
	}
	fclose(f);
	return (found);
}

/* A listener on 127.0.0.1; its port goes to *port. */
static int
listener(char *port, size_t size)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 4) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return (-1);
	}
	snprintf(port, size, "%u", (unsigned)ntohs(sin.sin_port));
	return (fd);
}

static void
test_numeric(void)
{
	struct net_attempt	 na;
	char			*cause = NULL;
	int			 r;

	ok(net_resolve_start(&na, "127.0.0.1", "25", AF_UNSPEC, &cause) == 0,
	    "a numeric address is resolved at once");
	ok(net_lookup_fd(&na) == -1, "...with nothing to poll");
	ok(net_resolve_finish(&na, &cause) == 0, "...and finishing is a no-op");
	net_attempt_release(&na);

	r = net_resolve_start(&na, "127.0.0.1", "no-such-service", AF_UNSPEC,
	    &cause);
	ok(r == -1 && cause != NULL &&
	    strstr(cause, "port no-such-service") != NULL,
	    "an unknown port is refused, named (%s)", r == -1 && cause != NULL ?
	    cause : "no cause");
	if (r == -1)
		free(cause);
	else
		net_attempt_release(&na);
}

static void
test_name(void)
{
	struct net_attempt	 na;
	struct pollfd		 pfd;
	char			*cause = NULL, port[16];
	int			 lfd, r, i, bad = 0;

	if (!localhost_in_hosts()) {
		diag("localhost is not 127.0.0.1 in /etc/hosts: names not tried");
		ok(1, "# SKIP no localhost in /etc/hosts");
		return;
	}
	if ((lfd = listener(port, sizeof port)) == -1) {
		ok(0, "a listener on 127.0.0.1");
		return;
	}
	r = net_resolve_start(&na, "localhost", port, AF_INET, &cause);
	ok(r == 1, "a name is looked up in the background (%d)", r);
	ok(net_lookup_fd(&na) != -1, "...with a descriptor to poll");
	pfd.fd = net_lookup_fd(&na);
	pfd.events = POLLIN;
	ok(poll(&pfd, 1, 10000) == 1, "the answer arrives");
	ok(net_resolve_finish(&na, &cause) == 0, "...and is taken");
	ok(net_lookup_fd(&na) == -1, "nothing to poll after it");
	ok(net_connect_next(&na, &cause) == 0 && strcmp(na.addr,
	    "127.0.0.1") == 0, "connecting to 127.0.0.1 starts");
	pfd.fd = na.fd;
	pfd.events = POLLOUT;
	ok(poll(&pfd, 1, 10000) == 1 && net_connect_check(&na) == 1,
	    "...and succeeds");
	close(na.fd);
	net_attempt_release(&na);
	close(lfd);

	/* Given up at once, while the thread may still run: no leak. */
	for (i = 0; i < 200; i++) {
		if (net_resolve_start(&na, "localhost", "25", AF_INET,
		    &cause) != 1)
			bad++;
		net_attempt_release(&na);
	}
	ok(bad == 0, "200 lookups given up while running");
	/* Finished but never taken. */
	net_resolve_start(&na, "localhost", "25", AF_INET, &cause);
	pfd.fd = net_lookup_fd(&na);
	pfd.events = POLLIN;
	poll(&pfd, 1, 10000);
	net_attempt_release(&na);
	ok(1, "an answer never taken is freed");
	/* Let the abandoned threads end before the leak check at exit. */
	sleep(1);
}

int
main(void)
{
	test_numeric();
	test_name();
	return (done_testing());
}
