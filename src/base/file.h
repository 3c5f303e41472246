/* SPDX-License-Identifier: ISC */
/*
 * Every file smtpscope writes is opened here, so the rules hold for all of
 * them (doc/smtpscope.1, SECURITY):
 *
 * - a symbolic link is never followed, nor replaced;
 * - a file is created with the mode asked (0600 unless a handout is made
 *   public), whatever the umask;
 * - an existing file is written to only when it is a regular file, owned
 *   by the user running smtpscope, with no other hard link;
 * - a whole file (a handout, the history) is written into a new temporary
 *   file beside it (O_CREAT|O_EXCL, mode 0600), synced, then renamed over
 *   the old one, so a reader never sees half of it and nothing is written
 *   through whatever sat at the path.
 *
 * Errors come back as *cause, a message naming the path, what is wrong and
 * what to do; the caller frees it.
 */
#ifndef FILE_H
#define FILE_H

#include <stdio.h>
#include <sys/types.h>

/* A whole file being written; see file_atomic_open(). */
struct file_atomic {
	char	*path;		/* the file to create or replace */
	char	*tmp;		/* the temporary file beside it */
	FILE	*f;		/* where to write */
	mode_t	 mode;		/* mode given at commit */
};

/*
 * Check that path may be written: 0 when nothing is there or it is a
 * regular file of ours with one link; -1 and *cause otherwise.
 */
int	file_check(const char *, char **);
/*
 * Open path for appending: created with exactly mode when missing, else
 * used only if it passes file_check() (looked at through the open
 * descriptor), and made private when mode is and the file is not.
 * Returns a close-on-exec, blocking descriptor, or -1 and *cause.
 */
int	file_open_append(const char *, mode_t, char **);
/*
 * Start writing the whole of path: refused unless file_check() passes;
 * returns fa->f to write to, or NULL and *cause.  End with
 * file_atomic_commit() or file_atomic_abort().
 */
FILE	*file_atomic_open(struct file_atomic *, const char *, mode_t,
	    char **);
/*
 * Flush and sync the file, give it its mode and rename it over the path
 * (checked again first).  Returns 0, or -1 and *cause, the temporary file
 * removed; fa is released either way.
 */
int	file_atomic_commit(struct file_atomic *, char **);
/* Give up: close and remove the temporary file and release fa. */
void	file_atomic_abort(struct file_atomic *);

#endif
