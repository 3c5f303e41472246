/* SPDX-License-Identifier: ISC */
/*
 * Reaching a server: resolve a host and port to addresses and connect to
 * them in turn without blocking, connect to a unix socket, or start a
 * process that speaks SMTP on its stdin and stdout (--pipe).
 */
#ifndef NET_H
#define NET_H

#include <sys/socket.h>
#include <sys/types.h>

struct addrinfo;

struct net_attempt {
	struct addrinfo	*list;		/* all addresses (freeaddrinfo) */
	struct addrinfo	*next;		/* next to try */
	int		 fd;		/* connection in progress, or -1 */
	char		 addr[64];	/* numeric form of the current address */
	char		*errors;	/* failures so far, "addr: why; ..." */
};

/*
 * Resolve host and port (family AF_UNSPEC, AF_INET or AF_INET6).  Returns 0,
 * or -1 with *cause set (the caller frees it).  This call may block in the
 * resolver.
 */
int	net_resolve(struct net_attempt *, const char *, const char *, int,
	    char **);
/*
 * Start connecting to the next address: returns 0 with na->fd in progress,
 * or -1 when no address is left (*cause lists what failed).
 */
int	net_connect_next(struct net_attempt *, char **);
/*
 * Check a connection in progress after poll() said it is writable: returns
 * 1 when connected, -1 when it failed (the reason is recorded in
 * na->errors and na->fd is closed).
 */
int	net_connect_check(struct net_attempt *);
void	net_attempt_release(struct net_attempt *);
/* Connect to a unix socket; returns the fd or -1 with *cause. */
int	net_unix(const char *, char **);
/*
 * Start "sh -c cmd" in its own session; its stdin/stdout become *fd (a
 * socket) and its stderr *errfd.  Returns the pid or -1 with *cause.
 */
pid_t	net_pipe(const char *, int *, int *, char **);
/* Make fd non-blocking and close-on-exec. */
int	net_nonblock(int);

#endif
