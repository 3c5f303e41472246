/* SPDX-License-Identifier: ISC */
/*
 * The HTML handout of a session (see export.h).  The dialogue is cut into
 * exchanges: the lines up to and including the last line of a reply, plus
 * the notices that follow it until the next command or server line.  Each
 * exchange becomes one block, dialogue on the left and the explanation of
 * its reply on the right, which never breaks across a printed page when it
 * fits on one.
 *
 * Every string that is not one of our own fixed headings goes through
 * export_text(): text_escape() makes it safe as text, then the five HTML
 * specials are written as entities.  No attribute value holds server text.
 */
#include "config.h"


#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "kb/explain.h"
#include "base/file.h"
#include "record/export.h"
#include "kb/format.h"
#include "base/i18n.h"
#include "smtp/reply.h"
#include "record/scrollback.h"
#include "smtp/session.h"
#include "base/text.h"
#include "net/tls.h"
#include "record/record.h"
#include "base/xmalloc.h"

/* Reply lines looked at when explaining a reply (as the screen does). */
#define EXPORT_REPLY_LINES	64

/* One exchange: lines [start, end) and the reply they end with, or -1. */
struct export_block {
	size_t	start;
	size_t	end;
	long	reply;
};

struct export_blocks {
	struct export_block	*v;
	size_t			 n;
	size_t			 cap;
};

static void	 export_html_escape(struct buf *, const char *, size_t);
static void	 export_text(struct buf *, const char *, size_t);
static void	 export_str(struct buf *, const char *);
static void	 export_own(struct buf *, const char *);
static void	 export_heading(struct buf *, const char *);
static void	 export_field(struct buf *, const char *, const char *,
		    const char *);
static int	 export_flush(struct buf *, FILE *, int *);
static const char *export_class(int);
static void	 export_lang(struct buf *);
static void	 export_push(struct export_blocks *, size_t, size_t, long);
static void	 export_split(const struct scrollback *,
		    struct export_blocks *);
static void	 export_head(struct buf *, const struct scrollback *,
		    const struct kb *, const struct export_info *);
static void	 export_tls(struct buf *, const struct tls_info *, int);
static void	 export_line(struct buf *, const struct scrollback *,
		    size_t);
static void	 export_explain(struct buf *, const struct scrollback *,
		    const struct kb *, const struct export_info *, long);
static void	 export_block(struct buf *, const struct scrollback *,
		    const struct kb *, const struct export_info *,
		    const struct export_block *);

/*
 * The style sheet.  Colour marks the reply class, but every block also says
 * its class in words; printed, nothing needs a background to be read.
 */
static const char export_css[] =
":root{--c2:#1a7f37;--c3:#0b5cad;--c4:#9a6700;--c5:#c0392b;--c0:#6e7781;"
"--ink:#1f2328;--mute:#57606a;--rule:#d0d7de;--pane:#f6f8fa}\n"
"*{box-sizing:border-box}\n"
"html{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,"
"\"Noto Sans\",\"Noto Sans CJK SC\",\"Liberation Sans\",sans-serif;"
"color:var(--ink);background:#fff}\n"
"body{max-width:1180px;margin:0 auto;padding:24px}\n"
"h1{font-size:1.6em;margin:0 0 .4em}\n"
"h2{font-size:1.15em;margin:1.2em 0 .5em}\n"
".meta{display:grid;grid-template-columns:max-content 1fr;"
"gap:.15em 1.2em;margin:0}\n"
".meta dt{font-weight:600;color:var(--mute)}\n"
".meta dd{margin:0;overflow-wrap:anywhere}\n"
"pre,.dlg{font-family:ui-monospace,\"DejaVu Sans Mono\",\"Liberation Mono\","
"Menlo,Consolas,monospace}\n"
".tls{border:1px solid var(--rule);border-left:6px solid var(--c2);"
"padding:.6em .9em;margin:1em 0}\n"
".tls.bad{border-left-color:var(--c5)}\n"
".tls.none{border-left-color:var(--c0)}\n"
".tls h2{margin:0 0 .3em}\n"
".tls pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.4em 0 0;"
"font-size:.85em}\n"
".verdict{font-weight:700;margin:0}\n"
".tls.bad .verdict{color:var(--c5)}\n"
".legend{font-size:.85em;color:var(--mute);margin:.6em 0 1.2em}\n"
".x{display:grid;grid-template-columns:minmax(0,9fr) minmax(0,11fr);"
"border:1px solid var(--rule);border-left:6px solid var(--c0);"
"margin:0 0 .8em;break-inside:avoid;page-break-inside:avoid}\n"
".c2{--k:var(--c2)}.c3{--k:var(--c3)}.c4{--k:var(--c4)}.c5{--k:var(--c5)}"
".c0{--k:var(--c0)}\n"
".x{border-left-color:var(--k,var(--c0))}\n"
".dlg{padding:.5em .6em;font-size:.8em;background:var(--pane);"
"border-right:1px solid var(--rule)}\n"
".dlg table{border-collapse:collapse;width:100%}\n"
".dlg td{vertical-align:top;padding:0 .45em 0 0;white-space:nowrap}\n"
".dlg td.tx{white-space:pre-wrap;overflow-wrap:anywhere;width:100%;"
"padding:0}\n"
"td.tm{color:var(--mute)}\n"
"td.dir{font-weight:700}\n"
"td.sec{font-size:.85em}\n"
".s-clear{color:var(--mute)}.s-tls{color:var(--c2)}"
".s-unv{color:var(--c5);font-weight:700}\n"
"tr.client td.tx{font-weight:700;color:#0a3069}\n"
"tr.server td.tx{color:var(--k,var(--ink))}\n"
"tr.server.c2 td.tx,tr.server.c3 td.tx{color:var(--ink)}\n"
"tr.notice td.tx{font-style:italic;color:var(--mute)}\n"
"tr.warning td.tx,tr.error td.tx{font-weight:700;color:var(--c5)}\n"
"tr.tlsl td.tx{font-style:italic;color:var(--c2)}\n"
".ex{padding:.5em .8em;overflow-wrap:anywhere}\n"
".ex p{margin:.3em 0}\n"
".ex .rh{font-weight:700;font-size:1.05em;margin-top:0}\n"
".badge{display:inline-block;border:1.5px solid var(--k,var(--c0));"
"color:var(--k,var(--c0));border-radius:3px;padding:0 .4em;font-size:.8em;"
"font-weight:700}\n"
".k{font-weight:600}\n"
".ctx{color:var(--mute)}\n"
".note{color:var(--c5)}\n"
".hit{border-left:3px solid var(--rule);padding-left:.6em;margin:.5em 0}\n"
".noreply{color:var(--mute);font-style:italic}\n"
"footer{margin-top:1.5em;font-size:.8em;color:var(--mute)}\n"
"@page{margin:14mm 12mm}\n"
"@media screen and (max-width:760px){.x{grid-template-columns:1fr}"
".dlg{border-right:0;border-bottom:1px solid var(--rule)}}\n"
"@media print{html{font-size:9.5pt}body{max-width:none;padding:0}"
".dlg{background:none}.x,.tls{break-inside:avoid;page-break-inside:avoid}"
"h1,h2{break-after:avoid;page-break-after:avoid}}\n";

/* Append len bytes of already safe text with & < > " ' as entities. */
static void
export_html_escape(struct buf *b, const char *s, size_t len)
{
	size_t	i, from = 0;
	const char *ent;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		buf_add(b, s + from, i - from);
		buf_addstr(b, ent);
		from = i + 1;
	}
	buf_add(b, s + from, len - from);
}

/* Append untrusted bytes: escaped as text, then as HTML. */
static void
export_text(struct buf *b, const char *s, size_t len)
{
	struct buf	t;

	buf_init(&t, 0);
	text_escape(&t, s, len);
	export_html_escape(b, t.data, t.len);
	buf_release(&t);
}

/* Append an untrusted string (NULL: nothing). */
static void
export_str(struct buf *b, const char *s)
{
	if (s != NULL)
		export_text(b, s, strlen(s));
}

/* Append one of our own strings (no server bytes in it): HTML only. */
static void
export_own(struct buf *b, const char *s)
{
	export_html_escape(b, s, strlen(s));
}

/* Append one of our headings, without the indent the screen uses. */
static void
export_heading(struct buf *b, const char *head)
{
	while (*head == ' ')
		head++;
	buf_addstr(b, "<span class=\"k\">");
	export_own(b, head);
	buf_addstr(b, "</span>");
}

/* Append a paragraph "head text" when text is set. */
static void
export_field(struct buf *b, const char *cls, const char *head,
    const char *text)
{
	if (text == NULL || *text == '\0')
		return;
	buf_printf(b, "<p class=\"%s\">", cls);
	export_heading(b, head);
	export_str(b, text);
	buf_addstr(b, "</p>\n");
}

/*
 * Write what b holds to out and empty it.  Returns -1 on a write error,
 * keeping the first errno in *err.
 */
static int
export_flush(struct buf *b, FILE *out, int *err)
{
	int	rc = 0;

	errno = 0;
	if (b->len > 0 && fwrite(b->data, 1, b->len, out) != b->len) {
		if (*err == 0)
			*err = errno != 0 ? errno : EIO;
		rc = -1;
	}
	buf_reset(b);
	return (rc);
}

/* CSS class of a reply code. */
static const char *
export_class(int code)
{
	switch (code / 100) {
	case 2:
		return ("c2");
	case 3:
		return ("c3");
	case 4:
		return ("c4");
	case 5:
		return ("c5");
	}
	return ("c0");
}

/* Append the page language as a BCP 47 tag ("zh-CN"). */
static void
export_lang(struct buf *b)
{
	const char	*l = explain_lang(), *p;

	if (l == NULL || *l == '\0' || strcmp(l, "C") == 0) {
		buf_addstr(b, "en");
		return;
	}
	for (p = l; *p != '\0' && *p != '.' && *p != '@'; p++) {
		if (*p == '_' || *p == '-')
			buf_addch(b, '-');
		else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
		    *p <= 'Z') || (*p >= '0' && *p <= '9'))
			buf_addch(b, *p);
	}
}

/* Add an exchange to the list. */
static void
export_push(struct export_blocks *bl, size_t start, size_t end, long reply)
{
	if (start == end && reply < 0)
		return;
	if (bl->n == bl->cap) {
		bl->cap = bl->cap == 0 ? 64 : bl->cap * 2;
		bl->v = xreallocarray(bl->v, bl->cap, sizeof *bl->v);
	}
	bl->v[bl->n].start = start;
	bl->v[bl->n].end = end;
	bl->v[bl->n].reply = reply;
	bl->n++;
}

/*
 * Cut the dialogue into exchanges.  A block ends with the last line of a
 * reply and keeps the notices after it (the TLS boundary after STARTTLS,
 * "connection closed" after QUIT) until a command or a server line starts
 * the next one.  A reply recorded without lines ends a block where it
 * stood, so that every reply kept is explained once.
 */
static void
export_split(const struct scrollback *sb, struct export_blocks *bl)
{
	const struct sb_reply	*r;
	size_t			 i, start = sb_first(sb);
	size_t			 end = sb_end(sb);
	long			 cur = -1, ri, next = 0;
	long			 nr = sb_nreplies(sb);
	int			 kind;

	for (i = start; i <= end; i++) {
		/* Replies without lines that stood before this line. */
		while (next < nr) {
			if ((r = sb_reply(sb, next)) == NULL) {
				next++;
				continue;
			}
			if (r->nlines != 0 || r->first > i)
				break;
			/* It answers what came before it. */
			if (cur >= 0) {
				export_push(bl, start, i, cur);
				start = i;
			}
			cur = next++;
		}
		if (i == end)
			break;
		kind = sb_kind(sb, i);
		if (cur >= 0 && (kind == SB_CLIENT || kind == SB_SERVER)) {
			export_push(bl, start, i, cur);
			start = i;
			cur = -1;
		}
		if (kind != SB_SERVER || (ri = sb_reply_of(sb, i)) < 0 ||
		    (r = sb_reply(sb, ri)) == NULL || r->nlines == 0)
			continue;
		if (i == r->first + r->nlines - 1) {
			cur = ri;
			if (next <= ri)
				next = ri + 1;
		}
	}
	export_push(bl, start, end, cur);
}

/* The TLS and certificate summary. */
static void
export_tls(struct buf *b, const struct tls_info *ti, int tls_seen)
{
	struct buf	t;

	if (ti == NULL) {
		buf_addstr(b, "<section class=\"tls none\">\n<h2>");
		export_own(b, _("TLS and certificate"));
		buf_addstr(b, "</h2>\n<p class=\"verdict\">");
		/* A replayed transcript marks TLS lines but keeps no cert. */
		if (tls_seen)
			export_own(b, _("Part of this session went inside TLS; "
			    "the certificate's details were not recorded."));
		else
			export_own(b, _("No TLS handshake in this session: "
			    "everything went in clear text."));
		buf_addstr(b, "</p>\n</section>\n");
		return;
	}
	buf_printf(b, "<section class=\"tls %s\">\n<h2>",
	    ti->verified ? "ok" : "bad");
	export_own(b, _("TLS and certificate"));
	buf_addstr(b, "</h2>\n<p class=\"verdict\">");
	if (ti->verified)
		export_own(b, _("Certificate verified: "));
	else
		export_own(b, _("Certificate NOT verified: "));
	if (ti->verify_text != NULL)
		export_str(b, _(ti->verify_text));
	buf_addstr(b, "</p>\n<pre>");
	/* format_tls() escapes the certificate's fields itself. */
	buf_init(&t, 0);
	format_tls(&t, ti, "");
	while (t.len > 0 && t.data[t.len - 1] == '\n')
		t.data[--t.len] = '\0';
	export_html_escape(b, t.data, t.len);
	buf_release(&t);
	buf_addstr(b, "</pre>\n</section>\n");
}

/* The page head: title, target, server, date, counts, TLS, legend. */
static void
export_head(struct buf *b, const struct scrollback *sb, const struct kb *kb,
    const struct export_info *info)
{
	const struct sb_reply	*r;
	const char		*title, *name;
	long			 i, n = sb_nreplies(sb), total = 0;
	long			 count[6];
	size_t			 li;
	int			 tls_seen = 0;

	title = info->title != NULL ? info->title : _("SMTP session");
	buf_addstr(b, "<!DOCTYPE html>\n<html lang=\"");
	export_lang(b);
	buf_addstr(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n");
	buf_printf(b, "<meta name=\"generator\" content=\"%s\">\n",
	    PACKAGE_STRING);
	buf_addstr(b, "<title>");
	export_str(b, title);
	buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
	    "<header>\n<h1>", export_css);
	export_str(b, title);
	buf_addstr(b, "</h1>\n<dl class=\"meta\">\n");
	if (info->target != NULL) {
		buf_addstr(b, "<dt>");
		export_own(b, _("Target"));
		buf_addstr(b, "</dt><dd>");
		export_str(b, info->target);
		buf_addstr(b, "</dd>\n");
	}
	if (info->server != NULL) {
		name = explain_server_name(kb, info->server);
		buf_addstr(b, "<dt>");
		export_own(b, _("Server software"));
		buf_addstr(b, "</dt><dd>");
		export_str(b, name != NULL ? name : info->server);
		buf_addstr(b, "</dd>\n");
	}
	if (info->when != NULL) {
		buf_addstr(b, "<dt>");
		export_own(b, _("Date"));
		buf_addstr(b, "</dt><dd>");
		export_str(b, info->when);
		buf_addstr(b, "</dd>\n");
	}
	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++) {
		if ((r = sb_reply(sb, i)) == NULL)
			continue;
		total++;
		count[r->code >= 200 && r->code < 600 ? r->code / 100 : 0]++;
	}
	buf_addstr(b, "<dt>");
	export_own(b, _("Replies"));
	buf_printf(b, "</dt><dd>%ld", total);
	if (total > 0) {
		const char	*sep = " (";

		for (i = 2; i <= 5; i++) {
			if (count[i] == 0)
				continue;
			buf_printf(b, "%s%ldxx: %ld", sep, i, count[i]);
			sep = ", ";
		}
		if (count[0] != 0) {
			buf_printf(b, "%s", sep);
			export_own(b, _("malformed"));
			buf_printf(b, ": %ld", count[0]);
		}
		buf_addstr(b, ")");
	}
	buf_addstr(b, "</dd>\n</dl>\n");
	for (li = sb_first(sb); li < sb_end(sb); li++)
		if (sb_sec(sb, li) == SESSION_SEC_TLS ||
		    sb_sec(sb, li) == SESSION_SEC_TLS_UNVERIFIED) {
			tls_seen = 1;
			break;
		}
	export_tls(b, info->tls, tls_seen);
	buf_addstr(b, "<p class=\"legend\">");
	export_own(b, _("How to read this: C is what the client sent, S what "
	    "the server answered, * a note from smtpscope, ! a warning. "
	    "\"clear\" marks lines sent unencrypted, \"TLS\" lines inside "
	    "TLS with a verified certificate, \"TLS unverified\" lines inside "
	    "TLS whose certificate was not verified. Passwords were masked "
	    "when the session was recorded. Control characters from the "
	    "server are shown escaped (\\e, \\xHH)."));
	buf_addstr(b, "</p>\n</header>\n<main>\n");
}

/* One dialogue line as a table row. */
static void
export_line(struct buf *b, const struct scrollback *sb, size_t i)
{
	const struct sb_reply	*r;
	const char		*text, *cls = "notice", *dir = "*";
	const char		*kcls = "", *mark, *mcls;
	size_t			 len;
	int64_t			 ms = sb_time(sb, i);
	int			 kind = sb_kind(sb, i);
	char			 stamp[16];
	struct tm		 tm;
	time_t			 secs;

	switch (kind) {
	case SB_SERVER:
		cls = "server";
		dir = "S";
		r = sb_reply(sb, sb_reply_of(sb, i));
		kcls = export_class(r != NULL ? r->code : 0);
		break;
	case SB_CLIENT:
		cls = "client";
		dir = "C";
		break;
	case SB_WARNING:
		cls = "warning";
		dir = "!";
		break;
	case SB_ERROR:
		cls = "error";
		dir = "!";
		break;
	case SB_TLS:
		cls = "tlsl";
		break;
	}
	buf_printf(b, "<tr class=\"%s%s%s\"><td class=\"tm\">", cls,
	    *kcls != '\0' ? " " : "", kcls);
	stamp[0] = '\0';
	if (ms > 0) {
		secs = (time_t)(ms / 1000);
		if (localtime_r(&secs, &tm) != NULL)
			strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	}
	buf_addstr(b, stamp);
	buf_addstr(b, "</td><td class=\"sec\">");
	if (kind == SB_SERVER || kind == SB_CLIENT) {
		switch (sb_sec(sb, i)) {
		case SESSION_SEC_TLS:
			mark = "TLS";
			mcls = "s-tls";
			break;
		case SESSION_SEC_TLS_UNVERIFIED:
			mark = _("TLS unverified");
			mcls = "s-unv";
			break;
		default:
			mark = _("clear");
			mcls = "s-clear";
			break;
		}
		buf_printf(b, "<span class=\"%s\">", mcls);
		export_own(b, mark);
		buf_addstr(b, "</span>");
	}
	buf_printf(b, "</td><td class=\"dir\">%s</td><td class=\"tx\">", dir);
	text = sb_text(sb, i, &len);
	export_text(b, text, len);
	buf_addstr(b, "</td></tr>\n");
}

/* The explanation of reply idx, as the explanation pane gives it. */
static void
export_explain(struct buf *b, const struct scrollback *sb,
    const struct kb *kb, const struct export_info *info, long idx)
{
	const struct sb_reply	*r = sb_reply(sb, idx);
	struct explanation	 ex;
	struct explain_ctx	 ctx;
	struct reply		 fake;
	struct reply_line	 lines[EXPORT_REPLY_LINES];
	struct buf		 t;
	const char		*name;
	size_t			 i, from, len;

	if (r == NULL)
		return;
	/* The reply again, its lines borrowed from the scrollback. */
	memset(&fake, 0, sizeof fake);
	fake.code = r->code;
	fake.flags = r->flags;
	snprintf(fake.enh, sizeof fake.enh, "%s", r->enh);
	from = r->first < sb_first(sb) ? sb_first(sb) : r->first;
	for (i = 0; i < EXPORT_REPLY_LINES && from + i < r->first + r->nlines;
	    i++) {
		lines[i].raw = (char *)sb_text(sb, from + i, &len);
		lines[i].len = len;
		lines[i].text = r->code == 0 ? 0 : (len > 3 ? 4 : len);
	}
	fake.lines = lines;
	fake.nlines = i;
	memset(&ctx, 0, sizeof ctx);
	ctx.server = info->server;
	ctx.enh_expected = (r->notes & SESSION_NOTE_ENH) != 0;
	if (r->notes & SESSION_NOTE_UNSOLICITED)
		ctx.flags |= EXPLAIN_CTX_UNSOLICITED;
	if (r->notes & SESSION_NOTE_DATA_NO_RCPT)
		ctx.flags |= EXPLAIN_CTX_DATA_NO_RCPT;
	explain_reply(kb, &fake, r->verb, &ctx, &ex);

	buf_addstr(b, "<div class=\"ex\">\n<p class=\"rh\">");
	if (r->code != 0)
		buf_printf(b, "%03d ", r->code);
	export_str(b, ex.title);
	buf_addstr(b, "</p>\n<p><span class=\"badge\">");
	export_str(b, ex.class_name != NULL ? ex.class_name :
	    _("not a valid reply line"));
	buf_addstr(b, "</span></p>\n<p class=\"ctx\">");
	export_heading(b, _("In reply to: "));
	if (r->command != NULL && r->verb != NULL &&
	    strcmp(r->verb, "CONNECT") != 0)
		export_str(b, r->command);
	else
		export_str(b, format_answers(r->verb));
	if (r->rtt_us >= 0) {
		buf_init(&t, 0);
		buf_printf(&t, _(", after %lld ms"), r->rtt_us / 1000);
		export_own(b, t.data);
		buf_release(&t);
	}
	buf_addstr(b, "</p>\n");
	export_field(b, "dec", _("Decoded: "), r->decoded);
	export_field(b, "here", _("Here: "), ex.context);
	if (ex.enh[0] != '\0') {
		buf_addstr(b, "<p class=\"enh\">");
		buf_init(&t, 0);
		buf_printf(&t, _("Enhanced %s: "), ex.enh);
		export_heading(b, t.data);
		buf_release(&t);
		if (ex.enh_title != NULL)
			export_str(b, ex.enh_title);
		else
			export_own(b, _("(not in the registry)"));
		buf_addstr(b, " [");
		export_str(b, ex.enh_class_title != NULL ?
		    ex.enh_class_title : "?");
		buf_addstr(b, " / ");
		export_str(b, ex.enh_subject_title != NULL ?
		    ex.enh_subject_title : _("unassigned subject"));
		buf_addstr(b, "]");
		if (ex.enh_meaning != NULL && *ex.enh_meaning != '\0') {
			buf_addstr(b, "<br>");
			export_str(b, ex.enh_meaning);
		}
		buf_addstr(b, "</p>\n");
	}
	if (!ex.known && ex.code != 0) {
		export_field(b, "cls", _("Class: "), ex.class_meaning);
		export_field(b, "area", _("Area: "), ex.category);
	}
	export_field(b, "meaning", _("Meaning: "), ex.meaning);
	export_field(b, "when", _("When: "), ex.when);
	export_field(b, "fix", _("Fix: "), ex.fix);
	if (ex.enh_fix != NULL && r->code >= 400)
		export_field(b, "fix", _("Also: "), ex.enh_fix);
	for (i = 0; i < ex.nhits; i++) {
		buf_addstr(b, "<div class=\"hit\">\n");
		export_field(b, "pat", i == 0 ? _("Recognised: ") :
		    _("Also: "), ex.hits[i].title);
		export_field(b, "advice", _("  What to do: "),
		    ex.hits[i].advice);
		if (ex.hits[i].admin != NULL) {
			buf_init(&t, 0);
			buf_printf(&t, _("  For the admin%s%s%s: "),
			    ex.hits[i].server != NULL ? " (" : "",
			    ex.hits[i].server != NULL ? ex.hits[i].server : "",
			    ex.hits[i].server != NULL ? ")" : "");
			export_field(b, "admin", t.data, ex.hits[i].admin);
			buf_release(&t);
		}
		buf_addstr(b, "</div>\n");
	}
	/* The header names the server already; say it when it differs. */
	if (ex.server_name != NULL && (info->server == NULL ||
	    (name = explain_server_name(kb, info->server)) == NULL ||
	    strcmp(name, ex.server_name) != 0))
		export_field(b, "srv", _("Server: "), ex.server_name);
	for (i = 0; i < ex.nnotes; i++) {
		buf_init(&t, 0);
		buf_printf(&t, _("Note: %s"), _(ex.notes[i]));
		buf_addstr(b, "<p class=\"note\">");
		export_own(b, t.data);
		buf_addstr(b, "</p>\n");
		buf_release(&t);
	}
	buf_addstr(b, "</div>\n");
}

/* One exchange: its dialogue lines beside the explanation of its reply. */
static void
export_block(struct buf *b, const struct scrollback *sb, const struct kb *kb,
    const struct export_info *info, const struct export_block *bk)
{
	const struct sb_reply	*r = NULL;
	size_t			 i;

	if (bk->reply >= 0)
		r = sb_reply(sb, bk->reply);
	if (r != NULL)
		buf_printf(b, "<section class=\"x %s\" id=\"reply-%ld\">\n",
		    export_class(r->code), bk->reply + 1);
	else
		buf_addstr(b, "<section class=\"x c0\">\n");
	buf_addstr(b, "<div class=\"dlg\"><table>\n");
	for (i = bk->start; i < bk->end; i++)
		export_line(b, sb, i);
	if (r != NULL && r->nlines == 0) {
		buf_addstr(b, "<tr class=\"notice\"><td class=\"tm\"></td>"
		    "<td class=\"sec\"></td><td class=\"dir\">*</td>"
		    "<td class=\"tx\">");
		export_own(b, _("(the lines of this reply were not kept)"));
		buf_addstr(b, "</td></tr>\n");
	}
	buf_addstr(b, "</table></div>\n");
	if (r != NULL)
		export_explain(b, sb, kb, info, bk->reply);
	else {
		buf_addstr(b, "<div class=\"ex noreply\"><p>");
		export_own(b, _("No reply to explain here."));
		buf_addstr(b, "</p></div>\n");
	}
	buf_addstr(b, "</section>\n");
}

/* Write the handout. */
int
export_html(const struct scrollback *sb, const struct kb *kb,
    const struct export_info *info, FILE *out, char **cause)
{
	static const struct export_info	 none;
	struct export_blocks		 bl = { NULL, 0, 0 };
	struct buf			 b;
	size_t				 i;
	int				 rc = 0, err = 0;

	if (info == NULL)
		info = &none;
	buf_init(&b, 0);
	export_head(&b, sb, kb, info);
	rc |= export_flush(&b, out, &err);
	export_split(sb, &bl);
	if (bl.n == 0) {
		buf_addstr(&b, "<p class=\"noreply\">");
		export_own(&b, _("The dialogue is empty."));
		buf_addstr(&b, "</p>\n");
	}
	for (i = 0; i < bl.n && rc == 0; i++) {
		export_block(&b, sb, kb, info, &bl.v[i]);
		rc |= export_flush(&b, out, &err);
	}
	buf_addstr(&b, "</main>\n<footer><p>");
	export_own(&b, _("Made with smtpscope. Server text is shown as "
	    "received, escaped; the explanations come from its knowledge "
	    "base."));
	buf_addstr(&b, "</p></footer>\n</body>\n</html>\n");
	rc |= export_flush(&b, out, &err);
	buf_release(&b);
	free(bl.v);
	errno = 0;
	if (fflush(out) != 0 || ferror(out)) {
		if (err == 0)
			err = errno != 0 ? errno : EIO;
		rc = -1;
	}
	if (rc != 0) {
		if (cause != NULL)
			*cause = xasprintf(_("writing the handout failed: %s"),
			    strerror(err));
		return (-1);
	}
	return (0);
}

/* Fill info for the handout of a session written now. */
void
export_info_now(struct export_info *info, char *when, size_t whensize,
    const char *target, const char *server, const struct tls_info *tls)
{
	time_t		now = time(NULL);
	struct tm	tm;

	memset(info, 0, sizeof *info);
	gmtime_r(&now, &tm);
	if (strftime(when, whensize, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		when[0] = '\0';
	info->title = _("SMTP session explained");
	info->target = target;
	info->server = server;
	info->tls = tls;
	info->when = when;
}

/* Write the handout to a file. */
int
export_html_file(const struct scrollback *sb, const struct kb *kb,
    const struct export_info *info, const char *path, int public,
    char **cause)
{
	struct file_atomic	 fa;
	FILE			*f;

	if ((f = file_atomic_open(&fa, path, public ? 0644 : 0600,
	    cause)) == NULL)
		return (-1);
	if (export_html(sb, kb, info, f, cause) == -1) {
		file_atomic_abort(&fa);
		return (-1);
	}
	return (file_atomic_commit(&fa, cause));
}

/* Split an /export argument into its file name and the word "public". */
char *
export_arg(const char *arg, int *public)
{
	size_t	len = strlen(arg);

	*public = 0;
	while (len > 0 && arg[len - 1] == ' ')
		len--;
	if (len > 7 && strncmp(arg + len - 7, " public", 7) == 0) {
		*public = 1;
		len -= 7;
		while (len > 0 && arg[len - 1] == ' ')
			len--;
	}
	return (xstrndup(arg, len));
}
