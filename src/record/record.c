/* SPDX-License-Identifier: ISC */
/*
 * Session events into a scrollback.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "kb/explain.h"
#include "kb/format.h"
#include "base/i18n.h"
#include "record/record.h"
#include "smtp/reply.h"
#include "record/scrollback.h"
#include "smtp/session.h"
#include "net/tls.h"

static int64_t	record_now_ms(void);
static void	record_dropped(struct record *);

/* Start recording into sb. */
void
record_init(struct record *rec, struct scrollback *sb, const struct kb *kb)
{
	memset(rec, 0, sizeof *rec);
	rec->sb = sb;
	rec->kb = kb;
	rec->pending = -1;
}

/* Wall-clock milliseconds. */
static int64_t
record_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Add one line. */
void
record_line(struct record *rec, int kind, int sec, const char *text,
    size_t len)
{
	sb_add(rec->sb, kind, sec, rec->when != 0 ? rec->when :
	    record_now_ms(), -1, 0, text, len);
}

/* The notice that the oldest lines went, into b (reset first). */
void
record_drop_notice(const struct record *rec, struct buf *b)
{
	char	limit[32], text[32];
	size_t	lines, bytes;

	buf_reset(b);
	lines = sb_dropped(rec->sb, &bytes);
	if (sb_max_bytes(rec->sb) == 0) {
		buf_printf(b, _("the dialogue keeps its newest %zu lines: "
		    "older ones are no longer shown"), sb_max(rec->sb));
		return;
	}
	sb_format_size(limit, sizeof limit, sb_max_bytes(rec->sb));
	sb_format_size(text, sizeof text, bytes);
	buf_printf(b, _("the dialogue keeps at most %s (--scrollback): its "
	    "oldest %zu lines (%s of text) were dropped, and older lines keep "
	    "going as new ones come"), limit, lines, text);
}

/*
 * Say once that the oldest lines are gone.  Not between the lines of a
 * reply, which are kept together: after it.
 */
static void
record_dropped(struct record *rec)
{
	struct buf	b;

	if (rec->dropped || rec->pending >= 0 || sb_first(rec->sb) == 0)
		return;
	rec->dropped = 1;
	buf_init(&b, 0);
	record_drop_notice(rec, &b);
	record_line(rec, SB_WARNING, 0, b.data, b.len);
	buf_release(&b);
}

/*
 * The connection ended with a reply half told: its continuation lines
 * are on screen but its last line never came.  Say so under them.
 */
static void
record_cut(struct record *rec, int sec)
{
	const char	*msg;

	if (rec->pending < 0)
		return;
	rec->pending = -1;
	msg = _("(the reply above is incomplete: the connection ended "
	    "before its last line)");
	record_line(rec, SB_WARNING, sec, msg, strlen(msg));
}

/* Record an event. */
int
record_event(struct record *rec, const struct session_event *ev)
{
	const struct reply	*r;
	struct sb_reply		 sr;
	struct buf		 b;
	char			*p, *nl;
	int			 done = 0;

	/* A replay carries the time each line was recorded. */
	rec->when = ev->time_ms;
	switch (ev->type) {
	case SESSION_EV_SENT:
		record_line(rec, SB_CLIENT, ev->sec, ev->text, strlen(ev->text));
		break;
	case SESSION_EV_LINE:
		/* Shown the moment it arrives; the reply is filled in later. */
		if (rec->pending < 0) {
			memset(&sr, 0, sizeof sr);
			sr.code = ev->code;
			sr.verb = ev->verb;
			sr.rtt_us = -1;
			sr.sec = ev->sec;
			rec->pending = sb_add_reply(rec->sb, &sr);
		}
		sb_add(rec->sb, SB_SERVER, ev->sec, rec->when != 0 ?
		    rec->when : record_now_ms(), rec->pending, (ev->final ? SB_F_LAST : 0) | ((ev->flags &
		    REPLY_F_BARE_LF) ? SB_F_BARE_LF : 0), ev->data, ev->len);
		break;
	case SESSION_EV_REPLY:
		r = ev->reply;
		memset(&sr, 0, sizeof sr);
		sr.code = (r->flags & REPLY_F_MALFORMED) ? 0 : r->code;
		snprintf(sr.enh, sizeof sr.enh, "%s", r->enh);
		sr.verb = ev->verb;
		sr.command = ev->command;
		sr.decoded = ev->decoded;
		sr.flags = r->flags;
		sr.notes = ev->notes;
		sr.rtt_us = ev->rtt_us;
		sr.sec = ev->sec;
		if (ev->verb != NULL && strcmp(ev->verb, "CONNECT") == 0)
			rec->server = explain_server(rec->kb, r, ev->verb);
		else if (rec->server == NULL)
			rec->server = explain_server(rec->kb, r, ev->verb);
		if (rec->pending < 0)
			rec->pending = sb_add_reply(rec->sb, &sr);
		sb_update_reply(rec->sb, rec->pending, &sr);
		rec->pending = -1;
		/* Never cut silently: say what the limits kept out. */
		if (r->dropped_bytes > 0) {
			buf_init(&b, 0);
			buf_printf(&b, _("(%zu bytes of lines longer than %d "
			    "were not kept)"), r->dropped_bytes, REPLY_LINE_MAX);
			record_line(rec, SB_WARNING, ev->sec, b.data, b.len);
			buf_release(&b);
		}
		done = 1;
		break;
	case SESSION_EV_NOTICE:
	case SESSION_EV_WARNING:
		record_line(rec, ev->type == SESSION_EV_NOTICE ? SB_NOTICE :
		    SB_WARNING, ev->sec, ev->text, strlen(ev->text));
		if (ev->data != NULL)
			record_line(rec, ev->type == SESSION_EV_NOTICE ?
			    SB_NOTICE : SB_WARNING, ev->sec, ev->data, ev->len);
		break;
	case SESSION_EV_FAILED:
		record_cut(rec, ev->sec);
		buf_init(&b, 0);
		buf_printf(&b, _("error: %s"), ev->text);
		record_line(rec, SB_WARNING, ev->sec, b.data, b.len);
		buf_release(&b);
		if (ev->data != NULL)
			record_line(rec, SB_ERROR, ev->sec, ev->data, ev->len);
		break;
	case SESSION_EV_TLS:
		buf_init(&b, 0);
		buf_printf(&b, _("---- TLS started: %s, %s; certificate %s ----"),
		    ev->tls->protocol, ev->tls->cipher, ev->tls->verified ?
		    _("verified") : _("NOT verified"));
		record_line(rec, SB_TLS, ev->sec, b.data, b.len);
		buf_reset(&b);
		format_tls(&b, ev->tls, "");
		/* Only the verdict here; the rest is on demand (F3). */
		for (p = b.data; *p != '\0'; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				break;
			*nl = '\0';
			if (strncmp(p, "check:", 6) == 0)
				record_line(rec, ev->tls->verified ? SB_TLS :
				    SB_WARNING, ev->sec, p, strlen(p));
		}
		buf_release(&b);
		break;
	case SESSION_EV_CLOSED:
		record_cut(rec, ev->sec);
		record_line(rec, SB_NOTICE, ev->sec, _("connection closed"),
		    strlen(_("connection closed")));
		break;
	default:
		break;
	}
	record_dropped(rec);
	rec->when = 0;
	return (done);
}
