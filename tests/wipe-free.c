/* SPDX-License-Identifier: ISC */
/*
 * Preloaded by tests/wipe.sh: free() and realloc() that look into every
 * block given back for the text in $WIPE_MARK (a password the test typed)
 * and, when they find it, write "freed with the secret" and a backtrace
 * to the file $WIPE_LOG.  A secret wiped with the wrong length, or not at
 * all, is found there.  realloc() always moves the block, so that a
 * buffer that grows with a secret in it is caught whatever the allocator
 * would have done.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void		(*wipe_real_free)(void *);
static void		*(*wipe_real_realloc)(void *, size_t);
static const char	*wipe_mark;
static size_t		 wipe_marklen;
static int		 wipe_fd = -1;
static __thread int	 wipe_busy;

/* Find the real functions, the mark and the log. */
__attribute__((constructor)) static void
wipe_init(void)
{
	const char	*log = getenv("WIPE_LOG");

	wipe_real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	wipe_real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT,
	    "realloc");
	if (log != NULL)
		wipe_fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	wipe_mark = getenv("WIPE_MARK");
	if (wipe_mark != NULL && *wipe_mark != '\0')
		wipe_marklen = strlen(wipe_mark);
	else
		wipe_mark = NULL;
}

/* Report a block that still holds the mark. */
static void
wipe_check(void *p)
{
	static const char	 msg[] = "freed with the secret\n";
	void			*frames[32];
	int			 n;

	if (p == NULL || wipe_mark == NULL || wipe_fd == -1 || wipe_busy)
		return;
	if (memmem(p, malloc_usable_size(p), wipe_mark, wipe_marklen) ==
	    NULL)
		return;
	wipe_busy = 1;
	if (write(wipe_fd, msg, sizeof msg - 1) == (ssize_t)sizeof msg - 1) {
		n = backtrace(frames, 32);
		backtrace_symbols_fd(frames, n, wipe_fd);
	}
	wipe_busy = 0;
}

/*
 * free(), after a look into the block; then zeroed, so that a block used
 * again does not show the secret once more (only the first is reported).
 */
void
free(void *p)
{
	wipe_check(p);
	if (p != NULL)
		memset(p, 0, malloc_usable_size(p));
	if (wipe_real_free != NULL)
		wipe_real_free(p);
}

/* realloc(), always to a new block, after a look into the old one. */
void *
realloc(void *p, size_t size)
{
	void	*n;
	size_t	 old;

	if (wipe_real_realloc == NULL)
		wipe_real_realloc = (void *(*)(void *, size_t))dlsym(
		    RTLD_NEXT, "realloc");
	if (p == NULL || size == 0 || wipe_real_free == NULL)
		return (wipe_real_realloc(p, size));
	if ((n = malloc(size)) == NULL)
		return (NULL);
	old = malloc_usable_size(p);
	memcpy(n, p, old < size ? old : size);
	free(p);
	return (n);
}
