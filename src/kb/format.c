/* SPDX-License-Identifier: ISC */
/*
 * Plain-text rendering of explanations.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "base/buf.h"
#include "kb/explain.h"
#include "kb/format.h"
#include "base/text.h"
#include "net/tls.h"
#include "base/width.h"

static void	format_field(struct buf *, const char *, const char *,
		    const char *);
static void	format_field_safe(struct buf *, const char *, const char *,
		    const char *);
static void	format_heading(struct buf *, const char *, const char *);
static void	format_compare_one(struct buf *, const struct explanation *);
static const char *format_class_short(int);

/* What a reply answers, for people. */
const char *
format_answers(const char *verb)
{
	if (verb == NULL || *verb == '\0')
		return (_("no command (unsolicited)"));
	if (strcmp(verb, "CONNECT") == 0)
		return (_("the connection (greeting)"));
	if (strcmp(verb, ".") == 0)
		return (_("the end of the message (\".\")"));
	if (strcmp(verb, "*") == 0)
		return (_("an unrecognised command"));
	return (verb);
}

/*
 * Append "prefix name " padded so the texts after the usual headings line
 * up, whatever their language (CJK characters take two columns).
 */
static void
format_heading(struct buf *b, const char *prefix, const char *name)
{
	static const char *const common[] = { N_("meaning:"), N_("here:"),
	    N_("when:"), N_("fix:"), N_("note:"), NULL };
	size_t	w, target = 8, i, cw;

	for (i = 0; common[i] != NULL; i++) {
		cw = width_str(_(common[i]), strlen(_(common[i])));
		if (cw > target && cw <= 16)
			target = cw;
	}
	buf_printf(b, "%s%s ", prefix, name);
	for (w = width_str(name, strlen(name)); w < target; w++)
		buf_addch(b, ' ');
}

/* Append "prefix name: value". */
static void
format_field(struct buf *b, const char *prefix, const char *name,
    const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	format_heading(b, prefix, name);
	text_escape(b, value, strlen(value));
	buf_addch(b, '\n');
}

/* Append the explanation of a session failure. */
void
format_failure(struct buf *b, const char *prefix, const char *title,
    const char *meaning, const char *fix)
{
	buf_addstr(b, prefix);
	text_escape(b, title, strlen(title));
	buf_addch(b, '\n');
	format_field(b, prefix, _("meaning:"), meaning);
	format_field(b, prefix, _("fix:"), fix);
}

/* Append an explanation. */
void
format_explanation(struct buf *b, const struct explanation *ex,
    const char *prefix, int verbose)
{
	size_t	i;

	if (ex->code != 0) {
		buf_printf(b, "%s%03d ", prefix, ex->code);
		text_escape(b, ex->title, strlen(ex->title));
		buf_printf(b, " | %s", ex->class_name != NULL ?
		    ex->class_name : _("unknown class"));
	} else {
		buf_printf(b, "%s", prefix);
		text_escape(b, ex->title, strlen(ex->title));
	}
	if (ex->verb != NULL && *ex->verb != '\0')
		buf_printf(b, _(" | answers %s"), format_answers(ex->verb));
	buf_addch(b, '\n');
	if (!ex->known && ex->code != 0) {
		format_field(b, prefix, _("class:"), ex->class_meaning);
		format_field(b, prefix, _("area:"), ex->category);
	}
	format_field(b, prefix, _("meaning:"), ex->meaning);
	if (ex->context != NULL) {
		char	name[32];

		snprintf(name, sizeof name, _("here:"));
		format_field(b, prefix, name, ex->context);
	}
	format_field(b, prefix, _("when:"), ex->when);
	format_field(b, prefix, _("fix:"), ex->fix);
	if (ex->enh[0] != '\0') {
		buf_printf(b, _("%senhanced %s: "), prefix, ex->enh);
		if (ex->enh_title != NULL)
			text_escape(b, ex->enh_title, strlen(ex->enh_title));
		else
			buf_addstr(b, _("(not in the registry)"));
		buf_printf(b, " [%s / %s]\n",
		    ex->enh_class_title != NULL ? ex->enh_class_title : "?",
		    ex->enh_subject_title != NULL ? ex->enh_subject_title :
		    _("unassigned subject"));
		format_field(b, prefix, _("  means:"), ex->enh_meaning);
		format_field(b, prefix, _("  fix:"), ex->enh_fix);
	}
	for (i = 0; i < ex->nhits; i++) {
		format_field(b, prefix, i == 0 ? _("pattern:") :
		    _("also matches:"),
		    ex->hits[i].title);
		format_field(b, prefix, _("  do:"), ex->hits[i].advice);
		if (ex->hits[i].admin != NULL) {
			char	name[96];

			snprintf(name, sizeof name, _("  admin%s%s%s:"),
			    ex->hits[i].server != NULL ? " (" : "",
			    ex->hits[i].server != NULL ? ex->hits[i].server : "",
			    ex->hits[i].server != NULL ? ")" : "");
			buf_printf(b, "%s%s ", prefix, name);
			text_escape(b, ex->hits[i].admin,
			    strlen(ex->hits[i].admin));
			buf_addch(b, '\n');
		}
		if (verbose)
			format_field(b, prefix, _("  source:"),
			    ex->hits[i].source);
	}
	format_field(b, prefix, _("server:"), ex->server_name);
	format_field(b, prefix, "", ex->server_about);
	/* Notes are our own static words: no escaping needed. */
	for (i = 0; i < ex->nnotes; i++) {
		format_heading(b, prefix, _("note:"));
		buf_printf(b, "%s\n", _(ex->notes[i]));
	}
	if (verbose) {
		format_field(b, prefix, _("source:"), ex->source);
		format_field(b, prefix, _("  source:"), ex->enh_source);
	}
}

/* One code in a comparison. */
static void
format_compare_one(struct buf *b, const struct explanation *ex)
{
	buf_printf(b, "%03d ", ex->code);
	text_escape(b, ex->title, strlen(ex->title));
	if (ex->enh[0] != '\0') {
		buf_printf(b, " (%s", ex->enh);
		if (ex->enh_title != NULL) {
			buf_addstr(b, " ");
			text_escape(b, ex->enh_title, strlen(ex->enh_title));
		}
		buf_addstr(b, ")");
	}
	buf_printf(b, "\n  %s\n", ex->class_name != NULL ? ex->class_name :
	    "?");
	if (ex->enh_meaning != NULL)
		format_field(b, "  ", _("enhanced:"), ex->enh_meaning);
	format_field(b, "  ", _("meaning:"), ex->meaning != NULL ? ex->meaning :
	    ex->class_meaning);
	format_field(b, "  ", _("when:"), ex->when);
}

/* What a class says about retrying, in a few words. */
static const char *
format_class_short(int code)
{
	switch (code / 100) {
	case 2:
		return (_("a success: the command was done"));
	case 3:
		return (_("an intermediate step: the server waits for more"));
	case 4:
		return (_("a temporary failure: the same command may work later"));
	case 5:
		return (_("a permanent failure: repeating it unchanged fails "
		    "again"));
	}
	return (_("not a valid class"));
}

/* Compare two explanations. */
void
format_compare(struct buf *b, const struct kb *kb,
    const struct explanation *a, const struct explanation *c)
{
	char	va[256], vc[256];

	buf_printf(b, "%03d ", a->code);
	text_escape(b, a->title, strlen(a->title));
	buf_printf(b, "  vs  %03d ", c->code);
	text_escape(b, c->title, strlen(c->title));
	buf_addstr(b, "\n\n");
	if (a->code / 100 == c->code / 100)
		buf_printf(b, _("Both are %s.\n\n"), a->class_name != NULL ?
		    a->class_name : _("of the same class"));
	else
		buf_printf(b, _("%03d is %s; %03d is %s.\n\n"), a->code,
		    a->class_name != NULL ? a->class_name : "?", c->code,
		    c->class_name != NULL ? c->class_name : "?");
	format_compare_one(b, a);
	buf_addch(b, '\n');
	format_compare_one(b, c);

	buf_addstr(b, _("\nKey differences\n"));
	if (a->code == c->code)
		buf_printf(b, _("  - The same code: what differs is the enhanced "
		    "code and the text.\n"));
	else if (a->code / 100 != c->code / 100)
		buf_printf(b, "  - %03d is %s; %03d is %s.\n", a->code,
		    format_class_short(a->code), c->code,
		    format_class_short(c->code));
	else
		buf_printf(b, _("  - Same class (%s); they differ in what the "
		    "server is telling you.\n"), format_class_short(a->code));
	if ((a->code / 10) % 10 != (c->code / 10) % 10)
		buf_printf(b, _("  - Area: %03d is %s; %03d is %s.\n"), a->code,
		    a->category, c->code, c->category);
	explain_after_verbs(kb, a->code, va, sizeof va);
	explain_after_verbs(kb, c->code, vc, sizeof vc);
	if (*va != '\0' || *vc != '\0')
		buf_printf(b, _("  - Seen after: %03d: %s; %03d: %s.\n"), a->code,
		    *va != '\0' ? va : _("(no usual command)"), c->code,
		    *vc != '\0' ? vc : _("(no usual command)"));
	if (!a->known || !c->known)
		buf_printf(b, _("  - %s is not a standard reply code.\n"),
		    !a->known ? _("The first") : _("The second"));

	buf_addstr(b, _("\nWhich applies when, and what to do\n"));
	buf_printf(b, _("  If you see %03d: "), a->code);
	text_escape(b, a->fix != NULL ? a->fix : a->class_meaning,
	    strlen(a->fix != NULL ? a->fix : a->class_meaning));
	buf_printf(b, _("\n  If you see %03d: "), c->code);
	text_escape(b, c->fix != NULL ? c->fix : c->class_meaning,
	    strlen(c->fix != NULL ? c->fix : c->class_meaning));
	buf_addch(b, '\n');
}

/* Append "prefix name: value" for a value already escaped (tls.h). */
static void
format_field_safe(struct buf *b, const char *prefix, const char *name,
    const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	format_heading(b, prefix, name);
	buf_addstr(b, value);
	buf_addch(b, '\n');
}

/*
 * Append a TLS summary.  The certificate's names come escaped from tls.c
 * (with their full length: a NUL inside one cannot cut it short).
 */
void
format_tls(struct buf *b, const struct tls_info *ti, const char *prefix)
{
	size_t	i;

	buf_printf(b, _("%sTLS is up: %s, cipher %s (%d-bit)\n"), prefix,
	    ti->protocol, ti->cipher, ti->bits);
	if (ti->subject == NULL) {
		buf_printf(b, _("%scertificate: none sent\n"), prefix);
		return;
	}
	format_field_safe(b, prefix, _("subject:"), ti->subject);
	format_field_safe(b, prefix, _("issuer:"), ti->issuer);
	format_field_safe(b, prefix, _("names:"), ti->sans);
	buf_printf(b, _("%svalid:   %s to %s\n"), prefix, ti->not_before,
	    ti->not_after);
	format_field(b, prefix, _("key:"), ti->key);
	for (i = 1; i < ti->nchain; i++) {
		buf_printf(b, _("%schain %zu:  "), prefix, i);
		buf_addstr(b, ti->chain[i].subject);
		buf_addstr(b, _(" (issuer "));
		buf_addstr(b, ti->chain[i].issuer);
		buf_addstr(b, ")\n");
	}
	if (ti->chain_total > ti->nchain)
		buf_printf(b, _("%schain cut at %zu of %zu certificates: the "
		    "rest is not shown\n"), prefix, ti->nchain,
		    ti->chain_total);
	buf_printf(b, "%scheck:   %s", prefix, ti->verified ? "OK" : "FAILED");
	if (ti->verify_name != NULL) {
		buf_addstr(b, " for ");
		text_escape(b, ti->verify_name, strlen(ti->verify_name));
	} else
		buf_addstr(b, _(" (no host name to check it against)"));
	buf_addstr(b, ": ");
	text_escape(b, _(ti->verify_text), strlen(_(ti->verify_text)));
	buf_addch(b, '\n');
}
