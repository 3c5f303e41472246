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
struct net_lookup;

struct net_attempt {
	struct net_lookup *lookup;	/* a name being resolved, or NULL */
	struct addrinfo	*list;		/* all addresses (freeaddrinfo) */
	struct addrinfo	*next;		/* next to try */
	int		 fd;		/* connection in progress, or -1 */
	char		 addr[64];	/* numeric form of the current address */
	char		*errors;	/* failures so far, "addr: why; ..." */
};

/*
 * Start resolving host and port (family AF_UNSPEC, AF_INET or AF_INET6)
 * without blocking: a numeric address is resolved at once (returns 0); a
 * name is looked up by a thread of its own (returns 1; poll
 * net_lookup_fd() for POLLIN, then call net_resolve_finish()).  Returns -1
 * with *cause set (the caller frees it) on failure.
 */
int	net_resolve_start(struct net_attempt *, const char *, const char *,
	    int, char **);
/* The descriptor to poll for POLLIN while a lookup runs, or -1. */
int	net_lookup_fd(const struct net_attempt *);
/*
 * After POLLIN on net_lookup_fd(): returns 0 with the addresses ready for
 * net_connect_next(), 1 when the lookup is still running, or -1 with
 * *cause set.
 */
int	net_resolve_finish(struct net_attempt *, char **);
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
/*
 * Free the addresses and abandon a lookup still running (its thread ends
 * on its own); the fd of a connection is left alone.
 */
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
