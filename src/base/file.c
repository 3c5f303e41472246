/* SPDX-License-Identifier: ISC */
/*
 * Files written safely (see file.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "base/i18n.h"
#include "base/xmalloc.h"

/* Tries when the file comes and goes between two opens. */
#define FILE_OPEN_TRIES	5

static char	*file_stat_why(const char *, const struct stat *);
static char	*file_errno_why(const char *, int);
static void	 file_atomic_release(struct file_atomic *);

/* What is wrong with an existing file at path, or NULL when nothing. */
static char *
file_stat_why(const char *path, const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return (xasprintf(_("%s is a symbolic link, and smtpscope "
		    "never writes through one: remove the link or give "
		    "another file name"), path));
	if (S_ISDIR(st->st_mode))
		return (xasprintf(_("%s is a directory: give a file name"),
		    path));
	if (!S_ISREG(st->st_mode))
		return (xasprintf(_("%s is not a regular file (a device, a "
		    "pipe or a socket): give another file name"), path));
	if (st->st_uid != geteuid())
		return (xasprintf(_("%s belongs to another user (uid %lu), "
		    "and smtpscope writes only to its own files: remove it "
		    "or give another file name"), path,
		    (unsigned long)st->st_uid));
	if (st->st_nlink > 1)
		return (xasprintf(_("%s has other hard links, and writing "
		    "it would change them too: remove it or give another "
		    "file name"), path));
	return (NULL);
}

/* The message for an open of path that failed with err. */
static char *
file_errno_why(const char *path, int err)
{
	struct stat	st;
	char		*why;

	/* O_NOFOLLOW gives ELOOP, O_NONBLOCK on a FIFO ENXIO: say why. */
	if ((err == ELOOP || err == ENXIO || err == EISDIR) && lstat(path, &st) == 0 &&
	    (why = file_stat_why(path, &st)) != NULL)
		return (why);
	return (xasprintf(_("cannot write %s: %s"), path, strerror(err)));
}

/* Check that path may be written. */
int
file_check(const char *path, char **cause)
{
	struct stat	st;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return (0);
		*cause = file_errno_why(path, errno);
		return (-1);
	}
	if ((*cause = file_stat_why(path, &st)) != NULL)
		return (-1);
	return (0);
}

/* Open path for appending. */
int
file_open_append(const char *path, mode_t mode, char **cause)
{
	struct stat	st;
	int		fd, flags, tries;

	for (tries = 0; tries < FILE_OPEN_TRIES; tries++) {
		/* A new file: ours, with exactly the mode asked. */
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd != -1) {
			if (fchmod(fd, mode) == -1) {
				*cause = xasprintf(_("cannot set the mode "
				    "of %s: %s"), path, strerror(errno));
				close(fd);
				return (-1);
			}
			return (fd);
		}
		if (errno != EEXIST) {
			*cause = file_errno_why(path, errno);
			return (-1);
		}
		/* An old one: no link followed, no FIFO waited on. */
		fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
		if (fd != -1)
			break;
		if (errno != ENOENT) {
			*cause = file_errno_why(path, errno);
			return (-1);
		}
	}
	if (fd == -1) {
		*cause = xasprintf(_("cannot write %s: it keeps being created "
		    "and removed"), path);
		return (-1);
	}
	if (fstat(fd, &st) == -1) {
		*cause = file_errno_why(path, errno);
		close(fd);
		return (-1);
	}
	if ((*cause = file_stat_why(path, &st)) != NULL) {
		close(fd);
		return (-1);
	}
	if ((st.st_mode & 077 & ~mode) != 0 &&
	    fchmod(fd, st.st_mode & 07777 & ~(077 & ~mode)) == -1) {
		*cause = xasprintf(_("cannot make %s private: %s"), path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		*cause = file_errno_why(path, errno);
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Free what fa holds. */
static void
file_atomic_release(struct file_atomic *fa)
{
	free(fa->path);
	free(fa->tmp);
	memset(fa, 0, sizeof *fa);
}

/* Start writing the whole of path. */
FILE *
file_atomic_open(struct file_atomic *fa, const char *path, mode_t mode,
    char **cause)
{
	const char	*slash;
	int		 fd, saved;

	memset(fa, 0, sizeof *fa);
	if (*path == '\0') {
		*cause = xstrdup(_("no file name given"));
		return (NULL);
	}
	if (file_check(path, cause) == -1)
		return (NULL);
	/* Beside the target, so the rename stays on one file system. */
	slash = strrchr(path, '/');
	if (slash == NULL)
		fa->tmp = xasprintf(".%s.XXXXXX", path);
	else
		fa->tmp = xasprintf("%.*s.%s.XXXXXX", (int)(slash - path + 1),
		    path, slash + 1);
	if ((fd = mkstemp(fa->tmp)) == -1) {
		saved = errno;
		*cause = xasprintf(_("cannot write %s: cannot create a "
		    "temporary file in its directory: %s"), path,
		    strerror(saved));
		file_atomic_release(fa);
		return (NULL);
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    (fa->f = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		unlink(fa->tmp);
		*cause = xasprintf(_("cannot write %s: %s"), path,
		    strerror(saved));
		file_atomic_release(fa);
		return (NULL);
	}
	fa->path = xstrdup(path);
	fa->mode = mode;
	return (fa->f);
}

/* Put the finished file in place. */
int
file_atomic_commit(struct file_atomic *fa, char **cause)
{
	int	fd = fileno(fa->f), err = 0;

	errno = 0;
	if (fflush(fa->f) != 0 || ferror(fa->f))
		err = errno != 0 ? errno : EIO;
	else if (fsync(fd) == -1 && errno != EINVAL && errno != EROFS)
		err = errno;
	else if (fchmod(fd, fa->mode) == -1)
		err = errno;
	if (fclose(fa->f) != 0 && err == 0)
		err = errno;
	fa->f = NULL;
	if (err != 0) {
		*cause = xasprintf(_("cannot write %s: %s"), fa->path,
		    strerror(err));
		goto fail;
	}
	/* Whatever appeared meanwhile is checked again, then replaced. */
	if (file_check(fa->path, cause) == -1)
		goto fail;
	if (rename(fa->tmp, fa->path) == -1) {
		*cause = xasprintf(_("cannot write %s: %s"), fa->path,
		    strerror(errno));
		goto fail;
	}
	file_atomic_release(fa);
	return (0);

fail:
	unlink(fa->tmp);
	file_atomic_release(fa);
	return (-1);
}

/* Give up writing. */
void
file_atomic_abort(struct file_atomic *fa)
{
	if (fa->f != NULL)
		fclose(fa->f);
	if (fa->tmp != NULL)
		unlink(fa->tmp);
	file_atomic_release(fa);
}
