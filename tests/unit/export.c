/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the HTML handout (src/record/export.c): a session built by
 * hand in a scrollback (greeting, EHLO, STARTTLS, masked AUTH PLAIN, a 550
 * 5.1.1, DATA, a hostile server line, QUIT) is written out and the page is
 * checked: its structure, one explanation per reply beside the lines it
 * explains, nothing from the server turned into markup, no escape byte, the
 * masked AUTH, the TLS summary; then the edge cases (an empty dialogue, a reply
 * without lines, write errors, a directory as target), and the warnings the
 * recorder (src/record/record.c) adds when a limit bites.
 *
 * The page of the main session is left at $EXPORT_OUT (default
 * /tmp/smtpscope-export-test.html) for tests/export/export.sh to render.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "kb/explain.h"
#include "record/export.h"
#include "kb/kb.h"
#include "record/record.h"
#include "smtp/reply.h"
#include "record/scrollback.h"
#include "smtp/session.h"
#include "net/tls.h"
#include "tap.h"

#define T0	1795364460000LL		/* 2026-11-22 16:21 UTC */

static long	 add_reply(struct scrollback *, int, const char *,
		    const char *, const char *, int, long long,
		    const char *const *);
static void	 add_line(struct scrollback *, int, int, const char *);
static struct scrollback *build_session(void);
static void	 fill_tls(struct tls_info *);
static char	*render(const struct scrollback *, const struct kb *,
		    const struct export_info *, const char *, int *);
static size_t	 count(const char *, const char *);
static char	*html(const char *);
static int	 has_html(const char *, const char *);
static void	 test_session(const struct kb *);
static void	 test_edges(const struct kb *);

static int64_t	now_ms = T0;

/* Add a line one second after the previous one. */
static void
add_line(struct scrollback *sb, int kind, int sec, const char *text)
{
	now_ms += 1000;
	sb_add(sb, kind, sec, now_ms, -1, 0, text, strlen(text));
}

/* Record a reply and add its lines; returns its index. */
static long
add_reply(struct scrollback *sb, int code, const char *enh, const char *verb,
    const char *command, int sec, long long rtt_us,
    const char *const *lines)
{
	struct sb_reply	 r;
	long		 idx;
	size_t		 i, n;

	memset(&r, 0, sizeof r);
	r.code = code;
	snprintf(r.enh, sizeof r.enh, "%s", enh != NULL ? enh : "");
	r.verb = explain_verb(verb);
	r.command = command;
	r.rtt_us = rtt_us;
	r.sec = sec;
	r.notes = SESSION_NOTE_ENH;
	/* The flags the parser would give, line by line. */
	for (n = 0; lines[n] != NULL; n++) {
		struct reply	*p;

		p = reply_from_line(lines[n], strlen(lines[n]));

		if (p != NULL)
			r.flags |= p->flags;
		reply_free(p);
	}
	idx = sb_add_reply(sb, &r);
	for (i = 0; i < n; i++) {
		now_ms += 10;
		sb_add(sb, SB_SERVER, sec, now_ms, idx, i + 1 == n ? SB_F_LAST :
		    0, lines[i], strlen(lines[i]));
	}
	return (idx);
}

/* The session every test here looks at: 12 replies. */
static struct scrollback *
build_session(void)
{
	static const char *const greet[] = {
	    "220 mx.example.org ESMTP Postfix (Debian/GNU)", NULL };
	static const char *const ehlo1[] = { "250-mx.example.org",
	    "250-PIPELINING", "250-SIZE 10240000", "250-STARTTLS",
	    "250-ENHANCEDSTATUSCODES", "250 8BITMIME", NULL };
	static const char *const ready[] = {
	    "220 2.0.0 Ready to start TLS", NULL };
	static const char *const ehlo2[] = { "250-mx.example.org",
	    "250-AUTH PLAIN LOGIN", "250-ENHANCEDSTATUSCODES",
	    "250 8BITMIME", NULL };
	static const char *const authok[] = {
	    "235 2.7.0 Authentication successful", NULL };
	static const char *const mailok[] = { "250 2.1.0 Ok", NULL };
	static const char *const unknown[] = { "550 5.1.1 "
	    "<nobody@example.org>: Recipient address rejected: User unknown "
	    "in local recipient table", NULL };
	static const char *const rcptok[] = { "250 2.1.5 Ok", NULL };
	static const char *const go[] = {
	    "354 End data with <CR><LF>.<CR><LF>", NULL };
	static const char *const queued[] = {
	    "250 2.0.0 Ok: queued as 4Xk2LQ0d1Hz9", NULL };
	static const char *const hostile[] = { "250 2.0.0 Ok "
	    "<script>alert(1)</script>\x1b[2J\x1b]0;owned\x07 "
	    "<img src=x onerror=alert(2)> & \"quoted\"", NULL };
	static const char *const bye[] = { "221 2.0.0 Bye", NULL };
	struct scrollback	*sb = sb_new(0);
	const int		 clr = SESSION_SEC_CLEAR;
	const int		 tls = SESSION_SEC_TLS;

	now_ms = T0;
	add_line(sb, SB_NOTICE, clr, "connecting to 127.0.0.1:2525");
	add_reply(sb, 220, "", "CONNECT", NULL, clr, 41000, greet);
	add_line(sb, SB_CLIENT, clr, "EHLO client.example");
	add_reply(sb, 250, "", "EHLO", "EHLO client.example", clr, 12000,
	    ehlo1);
	add_line(sb, SB_CLIENT, clr, "STARTTLS");
	add_reply(sb, 220, "2.0.0", "STARTTLS", "STARTTLS", clr, 9000, ready);
	add_line(sb, SB_TLS, tls, "---- TLS started: TLSv1.3, "
	    "TLS_AES_256_GCM_SHA384; certificate verified ----");
	add_line(sb, SB_TLS, tls, "check:   OK for mx.example.org: the "
	    "certificate is valid for this name");
	add_line(sb, SB_CLIENT, tls, "EHLO client.example");
	add_reply(sb, 250, "", "EHLO", "EHLO client.example", tls, 11000,
	    ehlo2);
	add_line(sb, SB_CLIENT, tls,
	    "AUTH PLAIN ******** (user \"alice\", password hidden)");
	add_reply(sb, 235, "2.7.0", "AUTH",
	    "AUTH PLAIN ******** (user \"alice\", password hidden)", tls,
	    212000, authok);
	add_line(sb, SB_CLIENT, tls, "MAIL FROM:<alice@example.org>");
	add_reply(sb, 250, "2.1.0", "MAIL", "MAIL FROM:<alice@example.org>",
	    tls, 8000, mailok);
	add_line(sb, SB_CLIENT, tls, "RCPT TO:<nobody@example.org>");
	add_reply(sb, 550, "5.1.1", "RCPT", "RCPT TO:<nobody@example.org>",
	    tls, 38000, unknown);
	add_line(sb, SB_CLIENT, tls, "RCPT TO:<bob@example.org>");
	add_reply(sb, 250, "2.1.5", "RCPT", "RCPT TO:<bob@example.org>", tls,
	    9000, rcptok);
	add_line(sb, SB_CLIENT, tls, "DATA");
	add_reply(sb, 354, "", "DATA", "DATA", tls, 7000, go);
	add_line(sb, SB_CLIENT, tls, "Subject: hello class");
	add_line(sb, SB_CLIENT, tls, "");
	add_line(sb, SB_CLIENT, tls, "This is the message.");
	add_line(sb, SB_CLIENT, tls, ".");
	add_reply(sb, 250, "2.0.0", ".", NULL, tls, 154000, queued);
	add_line(sb, SB_CLIENT, tls, "NOOP");
	add_reply(sb, 250, "2.0.0", "NOOP", "NOOP", tls, 6000, hostile);
	add_line(sb, SB_WARNING, tls, "the reply held control characters; "
	    "they are shown escaped");
	add_line(sb, SB_CLIENT, tls, "QUIT");
	add_reply(sb, 221, "2.0.0", "QUIT", "QUIT", tls, 5000, bye);
	add_line(sb, SB_NOTICE, tls, "connection closed");
	return (sb);
}

/* A verified TLS 1.3 handshake. */
static void
fill_tls(struct tls_info *ti)
{
	static char	proto[] = "TLSv1.3";
	static char	cipher[] = "TLS_AES_256_GCM_SHA384";
	static char	subject[] = "CN=mx.example.org";
	static char	issuer[] = "CN=Example Teaching CA,O=Example School";
	static char	sans[] = "DNS:mx.example.org, DNS:mail.example.org";
	static char	nb[] = "2026-10-01 00:00:00 UTC";
	static char	na[] = "2027-01-01 00:00:00 UTC";
	static char	key[] = "EC 256 bits";
	static char	words[128];

	memset(ti, 0, sizeof *ti);
	ti->protocol = proto;
	ti->cipher = cipher;
	ti->bits = 256;
	ti->subject = subject;
	ti->issuer = issuer;
	ti->sans = sans;
	ti->not_before = nb;
	ti->not_after = na;
	ti->key = key;
	ti->verify_code = X509_V_OK;
	ti->verified = 1;
	snprintf(words, sizeof words, "%s", tls_verify_words(X509_V_OK));
	ti->verify_text = words;
	ti->verify_name = "mx.example.org";
	ti->chain[0].subject = subject;
	ti->chain[0].issuer = issuer;
	ti->nchain = 1;
}

/* Write the handout to path and read it back; *rc gets export_html(). */
static char *
render(const struct scrollback *sb, const struct kb *kb,
    const struct export_info *info, const char *path, int *rc)
{
	FILE	*f;
	char	*cause = NULL, *data;
	long	 size;

	if ((f = fopen(path, "w+")) == NULL) {
		diag("%s: %s", path, strerror(errno));
		exit(1);
	}
	*rc = export_html(sb, kb, info, f, &cause);
	if (*rc != 0)
		diag("export_html: %s", cause != NULL ? cause : "?");
	free(cause);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc((size_t)size + 1);
	if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size)
		exit(1);
	data[size] = '\0';
	fclose(f);
	return (data);
}

/* How many times needle occurs in s. */
static size_t
count(const char *s, const char *needle)
{
	size_t	n = 0, len = strlen(needle);

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += len;
	}
	return (n);
}

/* A string as the page writes it: & < > " ' as entities. */
static char *
html(const char *s)
{
	struct buf	b;

	buf_init(&b, 0);
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_addstr(&b, "&amp;");
			break;
		case '<':
			buf_addstr(&b, "&lt;");
			break;
		case '>':
			buf_addstr(&b, "&gt;");
			break;
		case '"':
			buf_addstr(&b, "&quot;");
			break;
		case '\'':
			buf_addstr(&b, "&#39;");
			break;
		default:
			buf_addch(&b, *s);
			break;
		}
	}
	return (buf_detach(&b, NULL));
}

/* Does page hold text as HTML? */
static int
has_html(const char *page, const char *text)
{
	char	*h = html(text);
	int	 found = strstr(page, h) != NULL;

	if (!found)
		diag("not in the page: %s", h);
	free(h);
	return (found);
}

/* The whole session. */
static void
test_session(const struct kb *kb)
{
	struct scrollback	*sb = build_session();
	struct tls_info		 ti;
	struct export_info	 info;
	struct explanation	 ex;
	struct reply		*r;
	const char		*path, *sec, *end, *p;
	const char		*line550 = "550 5.1.1 <nobody@example.org>: "
	    "Recipient address rejected: User unknown in local recipient table";
	char			*page, *low;
	size_t			 i, n;
	int			 rc, ordered;

	fill_tls(&ti);
	memset(&info, 0, sizeof info);
	info.title = "SMTP session with mx.example.org";
	info.target = "mx.example.org:25";
	info.server = "postfix";
	info.tls = &ti;
	info.when = "2026-11-22 16:21 UTC";
	if ((path = getenv("EXPORT_OUT")) == NULL || *path == '\0')
		path = "/tmp/smtpscope-export-test.html";
	page = render(sb, kb, &info, path, &rc);
	diag("handout written to %s (%zu bytes)", path, strlen(page));

	/* Structure. */
	is_int(rc, 0, "export_html returns 0");
	ok(strncmp(page, "<!DOCTYPE html>\n<html lang=\"en\">\n", 33) == 0,
	    "starts with the HTML5 doctype and a lang attribute");
	ok(strstr(page, "<meta charset=\"utf-8\">") != NULL, "declares UTF-8");
	n = strlen(page);
	ok(n > 8 && strcmp(page + n - 8, "</html>\n") == 0,
	    "ends with </html>");
	ok(count(page, "<head>") == 1 && count(page, "</head>") == 1 &&
	    count(page, "<body>") == 1 && count(page, "</body>") == 1 &&
	    count(page, "<main>") == 1 && count(page, "</main>") == 1,
	    "one head, body and main");
	is_int(count(page, "<section"), count(page, "</section>"),
	    "sections are closed");
	is_int(count(page, "<tr"), count(page, "</tr>"), "rows are closed");
	is_int(count(page, "<p>") + count(page, "<p "), count(page, "</p>"),
	    "paragraphs are closed");
	is_int(count(page, "<pre>"), count(page, "</pre>"), "pre is closed");
	is_int(count(page, "<div"), count(page, "</div>"), "divs are closed");
	is_int(count(page, "<style>"), 1, "the CSS is embedded");
	ok(strstr(page, "@media print") != NULL && strstr(page, "break-inside:"
	    "avoid") != NULL, "print rules keep a block on one page");
	ok(strstr(page, "<link") == NULL && strstr(page, "@import") == NULL &&
	    strstr(page, "url(") == NULL && strstr(page, "src=\"") == NULL &&
	    strstr(page, "http://") == NULL && strstr(page, "https://") == NULL,
	    "no external resource");
	has_html(page, "SMTP session with mx.example.org");
	ok(strstr(page, "<title>SMTP session with mx.example.org</title>") !=
	    NULL, "title in <title>");
	ok(has_html(page, "mx.example.org:25") &&
	    has_html(page, "2026-11-22 16:21 UTC") && has_html(page, "Postfix"),
	    "target, date and server name in the header");
	ok(strstr(page, "</dt><dd>12 (2xx: 10, 3xx: 1, 5xx: 1)</dd>") != NULL,
	    "reply counts by class");

	/* Every reply explained once, in its own block. */
	is_int(sb_nreplies(sb), 12, "12 replies in the scrollback");
	is_int(count(page, "<div class=\"ex\">"), sb_nreplies(sb),
	    "one explanation block per reply");
	is_int(count(page, "<section class=\"x "), sb_nreplies(sb),
	    "one exchange per reply");
	ok(count(page, "<section class=\"x c2\"") == 10 &&
	    count(page, "<section class=\"x c3\"") == 1 &&
	    count(page, "<section class=\"x c5\"") == 1,
	    "blocks coloured by class");
	ok(has_html(page, "2xx Positive Completion") &&
	    has_html(page, "3xx Positive Intermediate") &&
	    has_html(page, "5xx Permanent Negative Completion"),
	    "the class is said in words too");
	is_int(count(page, "class=\"badge\""), 12, "a class badge per reply");

	/* The 550 block: RCPT, the reply, then its explanation. */
	p = strstr(page, "User unknown in local recipient table");
	ok(p != NULL, "the 550 line is shown");
	sec = p;
	while (sec > page && strncmp(sec, "<section", 8) != 0)
		sec--;
	end = p != NULL ? strstr(p, "</section>") : NULL;
	ordered = p != NULL && end != NULL;
	if (ordered) {
		const char	*cmd, *exp;

		cmd = strstr(sec, "RCPT TO:&lt;nobody@example.org&gt;");
		exp = strstr(sec, "<div class=\"ex\">");

		ordered = cmd != NULL && cmd < p && exp != NULL && exp > p &&
		    exp < end;
	}
	ok(ordered, "the 550 block holds RCPT, the 550 line and then the "
	    "explanation");
	ok(strncmp(sec, "<section class=\"x c5\"", 21) == 0,
	    "the 550 block is marked 5xx");
	r = reply_from_line(line550, strlen(line550));
	if (r == NULL)
		exit(1);
	explain_reply(kb, r, "RCPT", NULL, &ex);
	ok(ex.title != NULL && has_html(page, ex.title), "550 title shown");
	ok(ex.meaning != NULL && has_html(page, ex.meaning), "550 meaning");
	ok(ex.when != NULL && has_html(page, ex.when), "550 when");
	ok(ex.fix != NULL && has_html(page, ex.fix), "550 fix");
	ok(ex.context != NULL && has_html(page, ex.context),
	    "550 note for RCPT");
	ok(ex.enh_title != NULL && has_html(page, ex.enh_title) &&
	    strstr(page, "Enhanced 5.1.1: ") != NULL, "5.1.1 decoded");
	ok(ex.enh_meaning != NULL && has_html(page, ex.enh_meaning),
	    "5.1.1 meaning");
	ok(ex.nhits > 0 && has_html(page, ex.hits[0].title) &&
	    has_html(page, ex.hits[0].advice), "the Postfix wording matched, "
	    "with advice");
	ok(ex.nhits > 0 && ex.hits[0].admin != NULL &&
	    has_html(page, ex.hits[0].admin), "and the admin hint");
	ok(strstr(page, "In reply to: </span>RCPT TO:&lt;nobody@example.org"
	    "&gt;, after 38 ms") != NULL, "in reply to RCPT, with the time");
	reply_free(r);
	ok(has_html(page, "the connection (greeting)"), "greeting answers "
	    "the connection");
	ok(has_html(page, "the end of the message (\".\")"),
	    "the 250 after the message answers \".\"");

	/* Nothing from the server became markup. */
	low = strdup(page);
	for (i = 0; low != NULL && low[i] != '\0'; i++)
		if (low[i] >= 'A' && low[i] <= 'Z')
			low[i] = (char)(low[i] - 'A' + 'a');
	ok(low != NULL && strstr(low, "<script") == NULL, "no <script");
	ok(low != NULL && strstr(low, "<img") == NULL, "no <img");
	free(low);
	ok(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
	    "the script tag is shown as text");
	ok(strstr(page, "&lt;img src=x onerror=alert(2)&gt; &amp; "
	    "&quot;quoted&quot;") != NULL, "& and quotes escaped");
	ok(memchr(page, 0x1b, strlen(page)) == NULL, "no ESC byte");
	ok(memchr(page, 0x07, strlen(page)) == NULL, "no BEL byte");
	ok(strstr(page, "\\e[2J\\e]0;owned\\x07") != NULL,
	    "the escape sequences are shown escaped");
	ok(strstr(page, "Note: ") != NULL, "the control characters get a note");

	/* Secrets stay masked. */
	ok(strstr(page, "AUTH PLAIN ******** (user &quot;alice&quot;, "
	    "password hidden)") != NULL, "the AUTH line is shown masked");
	ok(strstr(page, "AGFsaWNl") == NULL, "no credentials in base64");

	/* TLS. */
	ok(strstr(page, "TLS is up: TLSv1.3, cipher TLS_AES_256_GCM_SHA384 "
	    "(256-bit)") != NULL, "the TLS summary");
	ok(strstr(page, "<section class=\"tls ok\">") != NULL &&
	    strstr(page, "Certificate verified: ") != NULL, "the verdict");
	ok(strstr(page, "CN=mx.example.org") != NULL &&
	    strstr(page, "DNS:mail.example.org") != NULL &&
	    strstr(page, "2027-01-01 00:00:00 UTC") != NULL,
	    "the certificate's subject, names and dates");
	ok(strstr(page, "<span class=\"s-clear\">clear</span>") != NULL &&
	    strstr(page, "<span class=\"s-tls\">TLS</span>") != NULL,
	    "lines marked clear and TLS");
	is_int(count(page, "<tr class=\"tlsl\">"), 2, "the TLS lines shown");
	ok(strstr(page, "<tr class=\"notice\">") != NULL &&
	    strstr(page, "font-style:italic") != NULL, "notices in italics");
	free(page);

	/* Unverified TLS. */
	ti.verified = 0;
	ti.verify_code = 18;
	page = render(sb, kb, &info, path, &rc);
	ok(rc == 0 && strstr(page, "<section class=\"tls bad\">") != NULL &&
	    strstr(page, "Certificate NOT verified: ") != NULL,
	    "an unverified certificate is said so");
	free(page);
	/* The page for the browser test is the verified one. */
	ti.verified = 1;
	page = render(sb, kb, &info, path, &rc);
	free(page);
	sb_free(sb);
}

/* Empty dialogue, lines without a reply, write errors. */
static void
test_edges(const struct kb *kb)
{
	struct scrollback	*sb = sb_new(0);
	struct sb_reply		 r;
	struct export_info	 info;
	struct stat		 st;
	char			 dir[] = "/tmp/export-test.XXXXXX";
	char			 file[64];
	char			*page, *cause = NULL;
	const char		*p;
	FILE			*f;
	int			 rc;

	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(file, sizeof file, "%s/out.html", dir);
	memset(&info, 0, sizeof info);

	page = render(sb, kb, NULL, file, &rc);
	ok(rc == 0 && strstr(page, "</html>") != NULL &&
	    count(page, "<div class=\"ex\">") == 0 &&
	    strstr(page, "class=\"tls none\"") != NULL,
	    "an empty dialogue gives a page without blocks");
	free(page);

	/* A command left unanswered, a reply recorded without its lines. */
	add_line(sb, SB_CLIENT, 0, "HELP");
	memset(&r, 0, sizeof r);
	r.code = 214;
	r.verb = "HELP";
	r.rtt_us = -1;
	sb_add_reply(sb, &r);
	add_line(sb, SB_CLIENT, 0, "QUIT");
	page = render(sb, kb, &info, file, &rc);
	ok(rc == 0 && count(page, "<div class=\"ex\">") == 1 &&
	    count(page, "<div class=\"ex noreply\">") == 1,
	    "a reply without lines is explained; the unanswered QUIT is not");
	p = strstr(page, "HELP");
	ok(p != NULL && strstr(p, "(the lines of this reply were not kept)") !=
	    NULL && strstr(p, "214 ") != NULL && strstr(page, "214 ") <
	    strstr(page, "QUIT"), "HELP, then its 214 in the same block");
	ok(strstr(page, "HELP") != NULL && strstr(page, "QUIT") != NULL &&
	    strstr(page, "214") != NULL, "both commands and the 214 shown");
	ok(strstr(page, ", after") == NULL, "no time when none was measured");
	free(page);

	/* Files. */
	rc = export_html_file(sb, kb, &info, dir, 0, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "directory") != NULL,
	    "a directory is refused");
	free(cause);
	cause = NULL;
	rc = export_html_file(sb, kb, &info, file, 0, &cause);
	ok(rc == 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > 1000, "export_html_file writes the page");
	unlink(file);
	umask(022);
	rc = export_html_file(sb, kb, &info, file, 0, &cause);
	ok(rc == 0 && stat(file, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "created 0600 by default, whatever the umask");
	rc = export_html_file(sb, kb, &info, file, 1, &cause);
	ok(rc == 0 && stat(file, &st) == 0 && (st.st_mode & 0777) == 0644,
	    "replaced, 0644 when public");
	unlink(file);
	{
		char	 victim[512], *arg;
		int	 public;

		snprintf(victim, sizeof victim, "%s.victim", file);
		if ((f = fopen(victim, "w")) != NULL) {
			fputs("precious\n", f);
			fclose(f);
		}
		ok(symlink(victim, file) == 0, "a link planted");
		rc = export_html_file(sb, kb, &info, file, 0, &cause);
		ok(rc == -1 && cause != NULL &&
		    strstr(cause, "symbolic link") != NULL &&
		    stat(victim, &st) == 0 && st.st_size == 9,
		    "a symbolic link is refused, its target untouched");
		free(cause);
		cause = NULL;
		unlink(file);
		unlink(victim);

		arg = export_arg("a b.html  public ", &public);
		ok(strcmp(arg, "a b.html") == 0 && public == 1,
		    "export_arg: a last word public");
		free(arg);
		arg = export_arg("public", &public);
		ok(strcmp(arg, "public") == 0 && public == 0,
		    "export_arg: a file named public");
		free(arg);
		arg = export_arg("x.html", &public);
		ok(strcmp(arg, "x.html") == 0 && public == 0,
		    "export_arg: a file name alone");
		free(arg);
	}
	rc = export_html_file(sb, kb, &info, "/nonexistent/dir/x.html", 0,
	    &cause);
	ok(rc == -1 && cause != NULL, "a bad path fails with a cause");
	free(cause);
	cause = NULL;
	if ((f = fopen("/dev/full", "w")) != NULL) {
		rc = export_html(sb, kb, &info, f, &cause);
		ok(rc == -1 && cause != NULL && strstr(cause, "space") != NULL,
		    "a full disk is reported (%s)", cause != NULL ? cause :
		    "no cause");
		free(cause);
		cause = NULL;
		fclose(f);
	} else
		ok(1, "# SKIP no /dev/full");

	/* The page follows the language. */
	explain_set_lang("zh_CN");
	page = render(sb, kb, &info, file, &rc);
	ok(rc == 0 && strstr(page, "<html lang=\"zh-CN\">") != NULL,
	    "lang=\"zh-CN\" for --lang zh_CN");
	free(page);
	explain_set_lang(NULL);
	unlink(file);
	rmdir(dir);
	sb_free(sb);
}

/* The recorder says which limits kept text out, with the real limits. */
static void
test_record_limits(struct kb *kb)
{
	struct scrollback	*sb = sb_new(3);
	struct record		 rec;
	struct session_event	 ev;
	struct reply		 r;
	char			 want[128];
	const char		*old = "the dialogue keeps its newest 3 lines: "
				    "older ones are no longer shown";
	const char		*text;
	size_t			 i, len, found_cut = 0, found_old = 0;

	record_init(&rec, sb, kb);
	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_SENT;
	ev.text = "NOOP";
	for (i = 0; i < 5; i++)
		record_event(&rec, &ev);
	memset(&r, 0, sizeof r);
	r.code = 250;
	r.enh_class = -1;
	r.dropped_bytes = 10;
	memset(&ev, 0, sizeof ev);
	ev.type = SESSION_EV_REPLY;
	ev.reply = &r;
	ev.verb = "NOOP";
	ev.rtt_us = -1;
	ok(record_event(&rec, &ev) == 1, "a reply completes");
	snprintf(want, sizeof want, "(10 bytes of lines longer than %d were "
	    "not kept)", REPLY_LINE_MAX);
	for (i = sb_first(sb); i < sb_end(sb); i++) {
		text = sb_text(sb, i, &len);
		if (sb_kind(sb, i) != SB_WARNING)
			continue;
		if (len == strlen(want) && memcmp(text, want, len) == 0)
			found_cut++;
		if (len == strlen(old) && memcmp(text, old, len) == 0)
			found_old++;
	}
	ok(found_cut == 1, "the bytes cut from long lines are counted");
	ok(found_old == 1, "the line limit is told as it is (3), once");
	sb_free(sb);
}

int
main(void)
{
	struct kb	*kb = kb_new();

	test_session(kb);
	test_edges(kb);
	test_record_limits(kb);
	kb_free(kb);
	return (done_testing());
}
