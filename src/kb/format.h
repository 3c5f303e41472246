/* SPDX-License-Identifier: ISC */
/*
 * Plain-text rendering of explanations and TLS details, shared by the line
 * front end, --explain and the transcript.  Every string that may hold
 * server bytes is escaped here (text_escape), so callers can print the
 * result as it is.
 */
#ifndef FORMAT_H
#define FORMAT_H

struct buf;
struct explanation;
struct tls_info;

/*
 * Append an explanation as lines, each starting with prefix and ending in
 * "\n".  verbose adds the source lines.
 */
void	format_explanation(struct buf *, const struct explanation *,
	    const char *, int);
/*
 * Append the explanation of a session failure (explain_failure()) as
 * lines, each starting with prefix, its headings lined up as in
 * format_explanation().
 */
void	format_failure(struct buf *, const char *, const char *, const char *,
	    const char *);
/* Append the TLS summary as lines, each starting with prefix. */
void	format_tls(struct buf *, const struct tls_info *, const char *);
/*
 * Append a side-by-side reading of two explanations: each one's class,
 * meaning, when and fix, then the key differences and which applies when.
 */
struct kb;
void	format_compare(struct buf *, const struct kb *,
	    const struct explanation *, const struct explanation *);
/* Describe a verb as the thing a reply answers: "the greeting", "RCPT". */
const char *format_answers(const char *);

#endif
