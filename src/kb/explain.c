/* SPDX-License-Identifier: ISC */
/*
 * Reply explanations from the knowledge base.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/i18n.h"
#include "kb/explain.h"
#include "kb/kb.h"
#include "kb/match.h"
#include "smtp/reply.h"
#include "smtp/session.h"

/* Commands with their own context notes in data/replies.kb. */
static const char *explain_verbs[] = {
	"CONNECT", "EHLO", "HELO", "MAIL", "RCPT", "DATA", ".", "BDAT",
	"RSET", "NOOP", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH", "QUIT",
	"*", NULL
};

static void	explain_note(struct explanation *, const char *);

static const char	*explain_lang_name;

/* Choose the language of knowledge-base text. */
void
explain_set_lang(const char *lang)
{
	explain_lang_name = lang;
}

/* The language in use, or NULL for English. */
const char *
explain_lang(void)
{
	return (explain_lang_name);
}

/* RFC 5321 4.2.1: the first digit says how the command fared. */
const char *
explain_class_name(int digit)
{
	switch (digit) {
	case 2:
		return (_("2xx Positive Completion"));
	case 3:
		return (_("3xx Positive Intermediate"));
	case 4:
		return (_("4xx Transient Negative Completion"));
	case 5:
		return (_("5xx Permanent Negative Completion"));
	}
	return (NULL);
}

/* What the class means, in a sentence. */
static const char *
explain_class_meaning(int digit)
{
	switch (digit) {
	case 2:
		return (_("The command succeeded; the next one may be sent."));
	case 3:
		return (_("The server accepted the command and waits for more "
		    "from the client before it can finish."));
	case 4:
		return (_("The command failed for now; the same command may work "
		    "if tried again later."));
	case 5:
		return (_("The command failed and repeating it unchanged will "
		    "fail again."));
	}
	return (NULL);
}

/* RFC 5321 4.2.1: the second digit gives the area of the reply. */
static const char *
explain_category(int digit)
{
	switch (digit) {
	case 0:
		return (_("x0z syntax: about the form of the command"));
	case 1:
		return (_("x1z information: a reply to a request for information"));
	case 2:
		return (_("x2z connections: about the transmission channel"));
	case 3:
	case 4:
		return (_("x3z/x4z: not assigned by RFC 5321"));
	case 5:
		return (_("x5z mail system: about the state of the receiver"));
	}
	return (_("second digit above 5: outside RFC 5321's scheme"));
}

/* Normalise a verb name. */
const char *
explain_verb(const char *verb)
{
	size_t	i;

	if (verb == NULL || *verb == '\0')
		return (NULL);
	if (strcasecmp(verb, "greeting") == 0 || strcasecmp(verb, "connect") ==
	    0 || strcasecmp(verb, "banner") == 0)
		return ("CONNECT");
	if (strcmp(verb, ".") == 0 || strcasecmp(verb, "end") == 0 ||
	    strcasecmp(verb, "eom") == 0 || strcasecmp(verb, "dot") == 0)
		return (".");
	if (strcasecmp(verb, "MAIL FROM") == 0)
		return ("MAIL");
	if (strcasecmp(verb, "RCPT TO") == 0)
		return ("RCPT");
	for (i = 0; explain_verbs[i] != NULL; i++)
		if (strcasecmp(verb, explain_verbs[i]) == 0)
			return (explain_verbs[i]);
	return (NULL);
}

/* Add a note. */
static void
explain_note(struct explanation *ex, const char *note)
{
	if (ex->nnotes < EXPLAIN_NOTES_MAX)
		ex->notes[ex->nnotes++] = note;
}

/* Explain a code. */
void
explain_code(const struct kb *kb, int code, const char *enh, const char *verb,
    struct explanation *ex)
{
	char		 key[32], after[32];
	int		 cl, su, de;

	memset(ex, 0, sizeof *ex);
	ex->code = code;
	ex->verb = verb != NULL ? verb : "";
	ex->class_name = explain_class_name(code / 100);
	ex->class_meaning = explain_class_meaning(code / 100);
	ex->category = explain_category((code / 10) % 10);
	ex->nonstandard = (code / 10) % 10 > 5;

	snprintf(key, sizeof key, "%03d", code);
	if (kb_has(kb, key)) {
		ex->known = 1;
		ex->title = kb_get_lang(kb, key, "title", explain_lang_name);
		ex->meaning = kb_get_lang(kb, key, "meaning",
		    explain_lang_name);
		ex->when = kb_get_lang(kb, key, "when", explain_lang_name);
		ex->fix = kb_get_lang(kb, key, "fix", explain_lang_name);
		ex->source = kb_get(kb, key, "source");
		if (verb != NULL) {
			snprintf(after, sizeof after, "after %s", verb);
			ex->context = kb_get_lang(kb, key, after,
			    explain_lang_name);
		}

	}
	if (ex->title == NULL)
		ex->title = ex->known ? _("(untitled)") :
		    _("Not a standard reply code");
	if (!ex->known)
		explain_note(ex, _("This code is not defined by RFC 5321 or its "
		    "extensions; only its class and area can be read from its "
		    "digits."));

	if (enh == NULL || *enh == '\0')
		return;
	if (reply_parse_enhanced(enh, strlen(enh), &cl, &su, &de) <= 0)
		return;
	snprintf(ex->enh, sizeof ex->enh, "%d.%d.%d", cl, su, de);
	snprintf(key, sizeof key, "class %d", cl);
	ex->enh_class_title = kb_get_lang(kb, key, "title", explain_lang_name);
	snprintf(key, sizeof key, "subject %d", su);
	ex->enh_subject_title = kb_get_lang(kb, key, "title",
	    explain_lang_name);
	snprintf(key, sizeof key, "X.%d.%d", su, de);
	if (kb_has(kb, key)) {
		ex->enh_known = 1;
		ex->enh_title = kb_get_lang(kb, key, "title", explain_lang_name);
		ex->enh_meaning = kb_get_lang(kb, key, "meaning",
		    explain_lang_name);
		ex->enh_fix = kb_get_lang(kb, key, "fix", explain_lang_name);
		ex->enh_source = kb_get(kb, key, "source");
	} else
		explain_note(ex, _("The enhanced status code is not in the IANA "
		    "registry; only its class and subject can be decoded."));
	if (cl != code / 100)
		explain_note(ex, _("The enhanced code's class disagrees with the "
		    "reply code's first digit; RFC 3463 says they must match, "
		    "so the server is misconfigured."));
}

/* The commands a code has context notes for. */
void
explain_after_verbs(const struct kb *kb, int code, char *out, size_t size)
{
	char		 key[8];
	const char	*f;
	size_t		 i, j, len = 0;

	*out = '\0';
	snprintf(key, sizeof key, "%03d", code);
	for (i = 0; i < kb_count(kb); i++) {
		if (strcmp(kb_key(kb, i), key) != 0)
			continue;
		for (j = 0; j < kb_nfields(kb, i); j++) {
			f = kb_field_name(kb, i, j);
			if (strncmp(f, "after ", 6) != 0 ||
			    strchr(f + 6, '[') != NULL)
				continue;
			if (len + strlen(f + 6) + 2 >= size)
				return;
			len += (size_t)snprintf(out + len, size - len, "%s%s",
			    len > 0 ? " " : "", strcmp(f + 6, ".") == 0 ?
			    "end-of-data" : f + 6);
		}
	}
}

/* Split two replies given on one line. */
int
explain_split_pair(const char *s, char *a, size_t asz, char *b, size_t bsz)
{
	const char	*sep, *p, *tok[4];
	size_t		 n = 0, len[4];
	int		 cl, su, de;

	if ((sep = strchr(s, ',')) != NULL || (sep = strcasestr(s, " vs ")) !=
	    NULL) {
		const char	*q = sep + (*sep == ',' ? 1 : 4);
		size_t		 alen = (size_t)(sep - s);

		while (*s == ' ' && alen > 0) {
			s++;
			alen--;
		}
		while (alen > 0 && s[alen - 1] == ' ')
			alen--;
		while (*q == ' ')
			q++;
		snprintf(a, asz, "%.*s", (int)alen, s);
		snprintf(b, bsz, "%s", q);
		alen = strlen(b);
		while (alen > 0 && b[alen - 1] == ' ')
			b[--alen] = '\0';
		return (*a != '\0' && *b != '\0' ? 0 : -1);
	}
	for (p = s; *p != '\0' && n < 4;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		tok[n] = p;
		while (*p != '\0' && *p != ' ')
			p++;
		len[n] = (size_t)(p - tok[n]);
		n++;
	}
	if (n == 2) {
		snprintf(a, asz, "%.*s", (int)len[0], tok[0]);
		snprintf(b, bsz, "%.*s", (int)len[1], tok[1]);
		return (0);
	}
	/* "550 5.1.1 552" or "550 552 5.2.2" or both with codes. */
	if (n == 3 && reply_parse_enhanced(tok[1], len[1], &cl, &su, &de) > 0) {
		snprintf(a, asz, "%.*s %.*s", (int)len[0], tok[0], (int)len[1],
		    tok[1]);
		snprintf(b, bsz, "%.*s", (int)len[2], tok[2]);
		return (0);
	}
	if (n == 3 && reply_parse_enhanced(tok[2], len[2], &cl, &su, &de) > 0) {
		snprintf(a, asz, "%.*s", (int)len[0], tok[0]);
		snprintf(b, bsz, "%.*s %.*s", (int)len[1], tok[1], (int)len[2],
		    tok[2]);
		return (0);
	}
	if (n == 4) {
		snprintf(a, asz, "%.*s %.*s", (int)len[0], tok[0], (int)len[1],
		    tok[1]);
		snprintf(b, bsz, "%.*s %.*s", (int)len[2], tok[2], (int)len[3],
		    tok[3]);
		return (0);
	}
	return (-1);
}

/* What a failure means. */
void
explain_failure(int fail, const char **title, const char **meaning,
    const char **fix)
{
	switch (fail) {
	case SESSION_FAIL_CONN:
		*title = _("The connection failed or was lost");
		*meaning = _("The server could not be reached, did not answer "
		    "within the time allowed, or closed the connection "
		    "without QUIT, 221 or 421. Nothing more arrives in this "
		    "session; what was received is kept.");
		*fix = _("Check the host and port (25, 587, 465) and any "
		    "firewall on the way; for a timeout the server may be "
		    "overloaded or slowing you down on purpose (--timeout "
		    "changes the RFC 5321 waiting times). The server's own "
		    "log says why it hung up.");
		return;
	case SESSION_FAIL_TLS:
		*title = _("TLS failed, or was refused where it is required");
		*meaning = _("The TLS handshake failed, the certificate could "
		    "not be trusted, or STARTTLS was not available while --tls "
		    "required it. smtpscope stopped rather than go on in clear "
		    "or with a server it cannot authenticate.");
		*fix = _("Read the reason in the dialogue; F3 shows the "
		    "certificate. Fix the server's certificate or TLS "
		    "settings, give a private CA with --cafile, or look "
		    "further with --insecure (the failure stays shown).");
		return;
	case SESSION_FAIL_PROTO:
		*title = _("The server broke the protocol");
		*meaning = _("Bytes arrived that a correct server never sends "
		    "at that point, such as replies injected after STARTTLS, "
		    "which is how a man in the middle attacks a mail "
		    "connection. smtpscope stopped.");
		*fix = _("Do not trust this network path. Tell the server's "
		    "admin: a server that writes after its 220 to STARTTLS is "
		    "broken or under attack (the NO STARTTLS findings, 2021).");
		return;
	}
	*title = _("smtpscope itself failed");
	*meaning = _("Something went wrong on this side, not the server's.");
	*fix = _("Run it again with --debug FILE and look at the log.");
}

/* Display name of a server key. */
const char *
explain_server_name(const struct kb *kb, const char *server)
{
	char	key[96];

	if (server == NULL)
		return (NULL);
	snprintf(key, sizeof key, "server %s", server);
	return (kb_get(kb, key, "name"));
}

/* Recognise the server behind a reply. */
const char *
explain_server(const struct kb *kb, const struct reply *r, const char *verb)
{
	char		*text;
	const char	*found;

	if (r->flags & REPLY_F_MALFORMED)
		return (NULL);
	text = match_reply_text(r);
	found = match_server(kb_match(kb), text, strlen(text),
	    verb != NULL && strcmp(verb, "CONNECT") == 0);
	free(text);
	return (found);
}

/* Add what the wording patterns say. */
static void
explain_patterns(const struct kb *kb, const struct reply *r, const char *verb,
    const struct explain_ctx *ctx, struct explanation *ex)
{
	struct match_hit	 hits[EXPLAIN_HITS_MAX];
	struct explain_hit	*h;
	const char		*server;
	char			*text;
	size_t			 n, i;

	text = match_reply_text(r);
	n = match_reply(kb_match(kb), r->code, verb, text, strlen(text), hits,
	    EXPLAIN_HITS_MAX);
	free(text);
	for (i = 0; i < n; i++) {
		h = &ex->hits[ex->nhits++];
		h->name = hits[i].name;
		h->title = kb_get_lang(kb, hits[i].key, "title",
		    explain_lang_name);
		h->advice = kb_get_lang(kb, hits[i].key, "advice",
		    explain_lang_name);
		h->admin = kb_get_lang(kb, hits[i].key, "admin",
		    explain_lang_name);
		h->source = kb_get(kb, hits[i].key, "source");
		server = kb_get(kb, hits[i].key, "server");
		if (server == NULL && ctx != NULL)
			server = ctx->server;
		h->server = explain_server_name(kb, server);
	}
}

/* Explain a parsed reply. */
void
explain_reply(const struct kb *kb, const struct reply *r, const char *verb,
    const struct explain_ctx *ctx, struct explanation *ex)
{
	char	key[96];

	if (r->flags & REPLY_F_MALFORMED) {
		memset(ex, 0, sizeof *ex);
		ex->verb = verb != NULL ? verb : "";
		ex->title = _("Not an SMTP reply");
		ex->meaning = _("The server sent a line that does not start with "
		    "a three-digit reply code (2xx to 5xx) followed by a space, "
		    "a hyphen or the line end.");
		ex->when = _("Talking to something that is not an SMTP server "
		    "(a web or TLS port, a proxy's error page), a server that "
		    "is broken, or bytes that arrived out of step.");
		ex->fix = _("Check the host and port; a TLS-only port needs "
		    "--tls-on-connect.  The line is shown escaped as "
		    "received.");
		ex->source = "RFC 5321 section 4.2";
	} else
		explain_code(kb, r->code, r->enh, verb, ex);

	if (r->flags & REPLY_F_BARE_LF)
		explain_note(ex, _("A line ended in a bare LF instead of CRLF "
		    "(RFC 5321 2.3.8 requires CRLF)."));
	if (r->flags & REPLY_F_CONTROL)
		explain_note(ex, _("The text holds control or invisible "
		    "characters; they are shown escaped (\\e, \\xHH, \\uHHHH)."));
	if (r->flags & REPLY_F_BAD_UTF8)
		explain_note(ex, _("The text holds bytes that are not valid "
		    "UTF-8; they are shown as \\xHH."));
	if (r->flags & REPLY_F_MIXED_CODES)
		explain_note(ex, _("The lines of this reply do not all carry the "
		    "same code (RFC 5321 4.2.1 requires one code per reply)."));
	if (r->flags & REPLY_F_LINE_TRUNCATED)
		explain_note(ex, _("A line was longer than smtpscope keeps; its "
		    "tail was dropped (RFC 5321 allows 512 octets)."));
	if (r->flags & REPLY_F_LINES_DROPPED)
		explain_note(ex, _("The reply had more lines than smtpscope "
		    "keeps; lines in the middle were dropped."));
	if (r->flags & REPLY_F_ENH_MALFORMED)
		explain_note(ex, _("The text starts like an enhanced status "
		    "code but is not a valid one (RFC 3463: class.subject."
		    "detail, e.g. 5.1.1)."));
	if (r->flags & REPLY_F_NONSTANDARD)
		explain_note(ex, _("The second digit is above 5, which RFC 5321 "
		    "4.2.1 does not define."));
	if (r->flags & REPLY_F_MALFORMED)
		return;

	explain_patterns(kb, r, verb, ctx, ex);
	if (ctx == NULL)
		return;
	if (ctx->server != NULL) {
		snprintf(key, sizeof key, "server %s", ctx->server);
		ex->server_name = kb_get(kb, key, "name");
		ex->server_about = kb_get_lang(kb, key, "about",
		    explain_lang_name);
		ex->server_docs = kb_get(kb, key, "docs");
	}
	/* RFC 2034 3: greetings, EHLO/HELO, 334 and 354 may go without. */
	if (ctx->enh_expected && r->enh[0] == '\0' && r->code != 334 &&
	    r->code != 354 && (verb == NULL || (strcmp(verb, "CONNECT") != 0 &&
	    strcmp(verb, "EHLO") != 0 && strcmp(verb, "HELO") != 0)))
		explain_note(ex, _("The server advertised ENHANCEDSTATUSCODES but "
		    "this reply carries no enhanced code (RFC 2034 asks for one "
		    "in every reply after EHLO)."));
	if (ctx->flags & EXPLAIN_CTX_UNSOLICITED)
		explain_note(ex, _("No command was waiting for this reply: the "
		    "server spoke out of turn (an early talker, or a reply "
		    "sent twice)."));
	if (ctx->flags & EXPLAIN_CTX_DATA_NO_RCPT)
		explain_note(ex, _("354 although no recipient was accepted: with "
		    "pipelining the server may say this; RFC 2920 has the "
		    "client end the empty message with a lone \".\" and the "
		    "server then refuse it."));
}
