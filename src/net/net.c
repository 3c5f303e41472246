/* SPDX-License-Identifier: ISC */
/*
 * Resolving, connecting, and spawning a --pipe process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net/net.h"
#include "base/xmalloc.h"

static void	net_error(struct net_attempt *, const char *);

/* Make a descriptor non-blocking and close-on-exec. */
int
net_nonblock(int fd)
{
	int	fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return (-1);
	if ((fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return (-1);
	return (0);
}

/*
 * A name looked up by a thread of its own, so that a slow resolver never
 * stops the poll loop.  The caller and the thread each hold a reference;
 * the last to let go frees it, so the caller may give up (the user
 * leaves, the time runs out) while getaddrinfo() is still running.  The
 * thread says it is done by writing a byte to fds[1]; the caller polls
 * fds[0].
 */
struct net_lookup {
	pthread_mutex_t	 mu;
	int		 refs;
	int		 done;		/* the answer is in */
	char		*host;
	char		*port;
	int		 family;
	struct addrinfo	*list;		/* the answer, until taken */
	int		 error;		/* what getaddrinfo() returned */
	int		 sys_errno;	/* errno, for EAI_SYSTEM */
	int		 fds[2];	/* [0] the caller's, [1] the thread's */
};

/* getaddrinfo() with our hints; returns its result. */
static int
net_getaddrinfo(const char *host, const char *port, int family, int flags,
    struct addrinfo **list, int *sys_errno)
{
	struct addrinfo	hints;
	int		e;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG | flags;
	*list = NULL;
	e = getaddrinfo(host, port, &hints, list);
	if (e == EAI_ADDRFAMILY || e == EAI_NONAME) {
		/* AI_ADDRCONFIG hides ::1 on hosts with no IPv6 address. */
		hints.ai_flags = flags;
		e = getaddrinfo(host, port, &hints, list);
	}
	*sys_errno = e == EAI_SYSTEM ? errno : 0;
	return (e);
}

/* The words for a failed lookup. */
static char *
net_resolve_error(const char *host, const char *port, int e, int sys_errno)
{
	return (xasprintf("cannot resolve %s port %s: %s", host, port,
	    e == EAI_SYSTEM ? strerror(sys_errno) : gai_strerror(e)));
}

/* Let go of a lookup; the last reference frees it. */
static void
net_lookup_unref(struct net_lookup *l)
{
	int	last;

	pthread_mutex_lock(&l->mu);
	last = --l->refs == 0;
	pthread_mutex_unlock(&l->mu);
	if (!last)
		return;
	if (l->list != NULL)
		freeaddrinfo(l->list);
	free(l->host);
	free(l->port);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* The lookup thread. */
static void *
net_lookup_main(void *arg)
{
	struct net_lookup	*l = arg;
	struct addrinfo		*list;
	int			 e, sys_errno;

	e = net_getaddrinfo(l->host, l->port, l->family, 0, &list,
	    &sys_errno);
	pthread_mutex_lock(&l->mu);
	l->list = list;
	l->error = e;
	l->sys_errno = sys_errno;
	l->done = 1;
	pthread_mutex_unlock(&l->mu);
	/* No SIGPIPE when the caller has already given up. */
	(void)send(l->fds[1], "", 1, MSG_NOSIGNAL);
	close(l->fds[1]);
	net_lookup_unref(l);
	return (NULL);
}

/* Start resolving a host and port. */
int
net_resolve_start(struct net_attempt *na, const char *host,
    const char *port, int family, char **cause)
{
	struct net_lookup	*l;
	pthread_attr_t		 attr;
	pthread_t		 tid;
	sigset_t		 all, old;
	int			 e, sys_errno;

	memset(na, 0, sizeof *na);
	na->fd = -1;
	/* An address needs no resolver: no thread. */
	e = net_getaddrinfo(host, port, family, AI_NUMERICHOST, &na->list,
	    &sys_errno);
	if (e == 0) {
		na->next = na->list;
		return (0);
	}
	if (e != EAI_NONAME) {
		*cause = net_resolve_error(host, port, e, sys_errno);
		return (-1);
	}

	l = xcalloc(1, sizeof *l);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, l->fds) == -1) {
		*cause = xasprintf("cannot resolve %s: %s", host,
		    strerror(errno));
		free(l);
		return (-1);
	}
	net_nonblock(l->fds[0]);
	pthread_mutex_init(&l->mu, NULL);
	l->refs = 2;
	l->host = xstrdup(host);
	l->port = xstrdup(port);
	l->family = family;
	/* Signals stay with the main thread: block them all in this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&tid, &attr, net_lookup_main, l);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		*cause = xasprintf("cannot resolve %s: cannot start a "
		    "thread: %s", host, strerror(e));
		close(l->fds[0]);
		close(l->fds[1]);
		l->refs = 1;
		net_lookup_unref(l);
		return (-1);
	}
	na->lookup = l;
	return (1);
}

/* The descriptor to poll while a lookup runs. */
int
net_lookup_fd(const struct net_attempt *na)
{
	return (na->lookup != NULL ? na->lookup->fds[0] : -1);
}

/* Take the answer of a lookup. */
int
net_resolve_finish(struct net_attempt *na, char **cause)
{
	struct net_lookup	*l = na->lookup;
	int			 done, e = 0, sys_errno = 0;

	if (l == NULL)
		return (na->list != NULL ? 0 : -1);
	pthread_mutex_lock(&l->mu);
	if ((done = l->done)) {
		na->list = l->list;
		l->list = NULL;
		e = l->error;
		sys_errno = l->sys_errno;
	}
	pthread_mutex_unlock(&l->mu);
	if (!done)
		return (1);
	if (e != 0)
		*cause = net_resolve_error(l->host, l->port, e, sys_errno);
	close(l->fds[0]);
	net_lookup_unref(l);
	na->lookup = NULL;
	if (e != 0)
		return (-1);
	na->next = na->list;
	return (0);
}

/* Append a failure to the list. */
static void
net_error(struct net_attempt *na, const char *why)
{
	char	*s;

	if (na->errors == NULL)
		s = xasprintf("%s: %s", na->addr, why);
	else
		s = xasprintf("%s; %s: %s", na->errors, na->addr, why);
	free(na->errors);
	na->errors = s;
}

/* Start connecting to the next address. */
int
net_connect_next(struct net_attempt *na, char **cause)
{
	struct addrinfo	*ai;
	char		 port[16];
	int		 fd, one = 1;

	while ((ai = na->next) != NULL) {
		na->next = ai->ai_next;
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, na->addr,
		    sizeof na->addr, port, sizeof port,
		    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			snprintf(na->addr, sizeof na->addr, "?");
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			net_error(na, strerror(errno));
			continue;
		}
		if (net_nonblock(fd) == -1) {
			net_error(na, strerror(errno));
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
		    errno != EINPROGRESS) {
			net_error(na, strerror(errno));
			close(fd);
			continue;
		}
		na->fd = fd;
		return (0);
	}
	*cause = xstrdup(na->errors != NULL ? na->errors : "no address");
	return (-1);
}

/* See whether a connection in progress succeeded. */
int
net_connect_check(struct net_attempt *na)
{
	int		err = 0;
	socklen_t	len = sizeof err;

	if (getsockopt(na->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0)
		return (1);
	net_error(na, strerror(err));
	close(na->fd);
	na->fd = -1;
	return (-1);
}

/* Free the address list (the connected fd is not closed). */
void
net_attempt_release(struct net_attempt *na)
{
	if (na->lookup != NULL) {
		close(na->lookup->fds[0]);
		net_lookup_unref(na->lookup);
		na->lookup = NULL;
	}
	if (na->list != NULL)
		freeaddrinfo(na->list);
	free(na->errors);
	na->list = na->next = NULL;
	na->errors = NULL;
}

/* Connect to a unix socket. */
int
net_unix(const char *path, char **cause)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		*cause = xasprintf("%s: socket path too long", path);
		return (-1);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	if (net_nonblock(fd) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Start a process that speaks SMTP on stdin/stdout. */
pid_t
net_pipe(const char *cmd, int *fd, int *errfd, char **cause)
{
	int	sv[2], ev[2];
	pid_t	pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		*cause = xasprintf("socketpair: %s", strerror(errno));
		return (-1);
	}
	if (pipe(ev) == -1) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return (-1);
	}
	switch (pid = fork()) {
	case -1:
		*cause = xasprintf("fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		close(ev[0]);
		close(ev[1]);
		return (-1);
	case 0:
		/* Own session: the user's ^C is for us, not for the server. */
		setsid();
		signal(SIGPIPE, SIG_DFL);
		dup2(sv[1], STDIN_FILENO);
		dup2(sv[1], STDOUT_FILENO);
		dup2(ev[1], STDERR_FILENO);
		close(sv[0]);
		close(sv[1]);
		close(ev[0]);
		close(ev[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		dprintf(STDERR_FILENO, "cannot run /bin/sh: %s\n",
		    strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	close(ev[1]);
	net_nonblock(sv[0]);
	net_nonblock(ev[0]);
	*fd = sv[0];
	*errfd = ev[0];
	return (pid);
}
