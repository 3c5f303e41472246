/* SPDX-License-Identifier: ISC */
/*
 * The --log transcript.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/file.h"
#include "kb/format.h"
#include "smtp/reply.h"
#include "smtp/session.h"
#include "base/text.h"
#include "net/tls.h"
#include "record/transcript.h"
#include "base/xmalloc.h"

struct transcript {
	int	fd;
};

static void	transcript_line(struct transcript *, char, const char *,
		    const char *, size_t, int);

/* Short name of a protection level. */
const char *
transcript_sec(int sec)
{
	switch (sec) {
	case SESSION_SEC_TLS:
		return ("tls");
	case SESSION_SEC_TLS_UNVERIFIED:
		return ("tls!");
	}
	return ("clear");
}

/* Open the transcript. */
struct transcript *
transcript_open(const char *path, char **cause)
{
	struct transcript	*t;
	int			 fd;

	if ((fd = file_open_append(path, 0600, cause)) == -1)
		return (NULL);
	t = xcalloc(1, sizeof *t);
	t->fd = fd;
	return (t);
}

/* Close the transcript. */
void
transcript_close(struct transcript *t)
{
	if (t == NULL)
		return;
	close(t->fd);
	free(t);
}

/* Write one line, escaped, with the time; one write() so it lands whole. */
static void
transcript_line(struct transcript *t, char dir, const char *sec,
    const char *text, size_t len, int escape)
{
	struct buf	 b;
	struct timespec	 ts;
	struct tm	 tm;
	char		 stamp[32];
	ssize_t		 n;
	size_t		 off = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_init(&b, 0);
	buf_printf(&b, "%s.%03ldZ %c %-5s ", stamp, ts.tv_nsec / 1000000, dir,
	    sec);
	if (escape)
		text_escape(&b, text, len);
	else
		buf_add(&b, text, len);
	buf_addch(&b, '\n');
	while (off < b.len) {
		n = write(t->fd, b.data + off, b.len - off);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	buf_release(&b);
}

/* Write an event. */
void
transcript_event(struct transcript *t, const struct session_event *ev)
{
	const char	*sec = transcript_sec(ev->sec);
	struct buf	 b;
	char		*nl, *p;

	if (t == NULL)
		return;
	switch (ev->type) {
	case SESSION_EV_SENT:
		transcript_line(t, 'C', sec, ev->text, strlen(ev->text), 1);
		break;
	case SESSION_EV_LINE:
		/* Written as it arrives: a lost connection loses nothing. */
		transcript_line(t, 'S', sec, ev->data, ev->len, 1);
		break;
	case SESSION_EV_REPLY:
		/* Say what the limits kept out: never cut silently. */
		if (ev->reply->dropped_bytes > 0) {
			char	*m = xasprintf("(%zu bytes of lines longer than "
			    "%d were not kept)", ev->reply->dropped_bytes,
			    REPLY_LINE_MAX);

			transcript_line(t, '!', "-", m, strlen(m), 1);
			free(m);
		}
		break;
	case SESSION_EV_NOTICE:
	case SESSION_EV_WARNING:
	case SESSION_EV_FAILED:
		transcript_line(t, ev->type == SESSION_EV_NOTICE ? '*' : '!',
		    "-", ev->text, strlen(ev->text), 1);
		if (ev->data != NULL)
			transcript_line(t, ev->type == SESSION_EV_NOTICE ?
			    '*' : '!', "-", ev->data, ev->len, 1);
		break;
	case SESSION_EV_TLS:
		buf_init(&b, 0);
		format_tls(&b, ev->tls, "");
		for (p = b.data; *p != '\0'; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				break;
			/* Already escaped by format_tls. */
			*nl = '\0';
			transcript_line(t, '*', "-", p, strlen(p), 0);
		}
		buf_release(&b);
		break;
	case SESSION_EV_CLOSED:
		transcript_line(t, '*', "-", "connection closed", 17, 1);
		break;
	default:
		break;
	}
}
