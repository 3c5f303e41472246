/* SPDX-License-Identifier: ISC */
/*
 * The session as a handout: one self-contained HTML5 page (CSS embedded,
 * no script, no external file) with every command and reply, each reply's
 * explanation beside it, and the TLS and certificate summary.  Meant for
 * teachers: readable on a projector, printable on A4 or Letter.
 *
 * Everything from the server is escaped twice over: text_escape() first
 * (controls, invalid UTF-8, invisible code points), then HTML, so nothing
 * the server sends can become markup.  The dialogue comes from the
 * scrollback, where AUTH payloads are already masked; nothing secret is
 * added here.
 */
#ifndef EXPORT_H
#define EXPORT_H

#include <stdio.h>

struct scrollback;
struct kb;
struct tls_info;

/* What the page says about the session; any field may be NULL. */
struct export_info {
	const char		*title;	/* "SMTP session with ..." */
	const char		*target; /* host:port, "practice server" */
	const char		*server; /* key from explain_server() */
	const struct tls_info	*tls;	/* the last handshake */
	const char		*when;	/* "2026-11-22 16:21 UTC" */
};

/*
 * Fill info for the handout of a session written now: the usual title,
 * the time of writing in UTC (kept in when, of size whensize), then
 * target, server and tls as given (each may be NULL).
 */
void	export_info_now(struct export_info *, char *, size_t, const char *,
	    const char *, const struct tls_info *);
/*
 * Write the handout of everything kept in sb to out, explaining replies
 * with kb (text in the language of explain_set_lang(); headings through
 * gettext).  Any field of info may be NULL.  Nothing is closed; out is
 * flushed.  Returns 0, or -1 with *cause set (the caller frees it) when
 * writing failed.
 */
int	export_html(const struct scrollback *, const struct kb *,
	    const struct export_info *, FILE *, char **);
/*
 * The same, written to path whole through file_atomic_open(): a new file
 * renamed over the old one, mode 0600, or 0644 when public is set; a
 * symbolic link, a directory or another user's file is refused.  Returns 0,
 * or -1 with *cause set (the caller frees it).
 */
int	export_html_file(const struct scrollback *, const struct kb *,
	    const struct export_info *, const char *, int, char **);
/*
 * Split the argument of /export: the file name (returned, the caller frees
 * it) and a last word "public" (*public set to 1, else 0).
 */
char	*export_arg(const char *, int *);

#endif
