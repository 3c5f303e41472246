/* SPDX-License-Identifier: ISC */
/*
 * Debug log and fatal errors.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"
#include "base/xmalloc.h"

static FILE	*log_file;
static void	(*log_fatal_hook)(void);

static void	log_vwrite(const char *, va_list) __attribute__((format(printf, 1, 0)));
static void	fatal_common(int, const char *, va_list) __attribute__((format(printf, 2, 0), noreturn));

/* Open the debug log. */
int
log_open(const char *path, char **cause)
{
	FILE	*f;
	int	 fd, saved;

	if ((fd = file_open_append(path, 0600, cause)) == -1)
		return (-1);
	if ((f = fdopen(fd, "a")) == NULL) {
		saved = errno;
		close(fd);
		*cause = xasprintf("%s: %s", path, strerror(saved));
		return (-1);
	}
	setvbuf(f, NULL, _IOLBF, 0);
	log_close();
	log_file = f;
	return (0);
}

/* Close the debug log. */
void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

/* Write one timestamped line to the log. */
static void
log_vwrite(const char *fmt, va_list ap)
{
	struct timespec	ts;

	if (log_file == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(log_file, "%lld.%06ld ", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000);
	vfprintf(log_file, fmt, ap);
	fputc('\n', log_file);
}

/* Log a debug message. */
void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(fmt, ap);
	va_end(ap);
}

/* Set the hook that restores the terminal before a fatal message. */
void
log_set_fatal_hook(void (*hook)(void))
{
	log_fatal_hook = hook;
}

/* Print a fatal message, with errno's text if asked, and exit. */
static void
fatal_common(int with_errno, const char *fmt, va_list ap)
{
	int	saved = errno;
	char	msg[1024];

	if (log_fatal_hook != NULL) {
		void	(*hook)(void) = log_fatal_hook;

		log_fatal_hook = NULL;
		hook();
	}
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (with_errno)
		fprintf(stderr, "smtpscope: fatal: %s: %s\n", msg,
		    strerror(saved));
	else
		fprintf(stderr, "smtpscope: fatal: %s\n", msg);
	if (log_file != NULL)
		fprintf(log_file, "fatal: %s\n", msg);
	exit(1);
}

/* Exit with a message and errno's text. */
void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fatal_common(1, fmt, ap);
}

/* Exit with a message. */
void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fatal_common(0, fmt, ap);
}
