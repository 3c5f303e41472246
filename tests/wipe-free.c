/* SPDX-License-Identifier: ISC */
/*
 * Preloaded by tests/wipe.sh: free() and realloc() that look into every
 * block given back for the texts in $WIPE_MARK (a password the test typed,
 * and its base64 forms; separated by spaces) and, when they find one,
 * write "freed with the secret" and a backtrace to the file $WIPE_LOG.  A secret wiped with the wrong length, or not at
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
#define WIPE_MARKS	8
static char		 wipe_marks[512];
static const char	*wipe_mark[WIPE_MARKS];
static size_t		 wipe_marklen[WIPE_MARKS];
static int		 wipe_nmarks;
static int		 wipe_fd = -1;
static __thread int	 wipe_busy;

/* Find the real functions, the mark and the log. */
__attribute__((constructor)) static void
wipe_init(void)
{
	const char	*log = getenv("WIPE_LOG"), *marks = getenv("WIPE_MARK");
	char		*p, *save;

	wipe_real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	wipe_real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT,
	    "realloc");
	if (log != NULL)
		wipe_fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (marks == NULL || strlen(marks) >= sizeof wipe_marks)
		return;
	strcpy(wipe_marks, marks);
	for (p = strtok_r(wipe_marks, " ", &save); p != NULL &&
	    wipe_nmarks < WIPE_MARKS; p = strtok_r(NULL, " ", &save)) {
		wipe_mark[wipe_nmarks] = p;
		wipe_marklen[wipe_nmarks++] = strlen(p);
	}
}

/* Report a block that still holds the mark. */
static void
wipe_check(void *p)
{
	static const char	 msg[] = "freed with the secret\n";
	void			*frames[32];
	size_t			 size;
	int			 i, n;

	if (p == NULL || wipe_fd == -1 || wipe_busy)
		return;
	size = malloc_usable_size(p);
	for (i = 0; i < wipe_nmarks; i++) {
		if (memmem(p, size, wipe_mark[i], wipe_marklen[i]) != NULL)
			break;
	}
	if (i == wipe_nmarks)
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
