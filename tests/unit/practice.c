/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the practice server's engine (src/practice/practice.c): lines
 * in, exact replies out, no sockets.  Override scripts are written to temporary
 * files and loaded through practice_new().  Every scenario is checked here with
 * its exact codes and wording; the greylist test sleeps about a second to see a
 * delay expire.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/buf.h"
#include "practice/practice.h"
#include "practice/practice-int.h"
#include "tap.h"

static struct buf	 out;
static int		 last_rv;

static struct practice	*server(const char *, size_t, int, char **);
static struct practice	*server_in(const char *, const char *, size_t, int,
			    char **);
static struct practice	*scenario(const char *, const char *, size_t, int);
static const char	*greet(struct practice_session *);
static const char	*mail_to(struct practice_session *, const char *,
			    const char *);
static const char	*say(struct practice_session *, const char *);
static int		 starts(const char *, const char *);
static struct practice_session *hello(struct practice *);
static void		 test_new(void);
static void		 test_greeting_ehlo(void);
static void		 test_sequence(void);
static void		 test_mail_rcpt(void);
static void		 test_data(void);
static void		 test_misc_commands(void);
static void		 test_pipelining(void);
static void		 test_starttls(void);
static void		 test_auth(void);
static void		 test_script(void);
static void		 test_script_errors(void);
static int		 make_cert(const char *, const char *, int,
			    const EVP_MD *);
static void		 test_tls_settings(void);
static void		 test_tls_files(void);
static void		 test_scenario_table(void);
static void		 test_sc_vrfy(void);
static void		 test_sc_greylist(void);
static void		 test_sc_greylist_delay(void);
static void		 test_sc_greylist_students(void);
static void		 test_sc_closing(void);
static void		 test_sc_tls_required(void);
static void		 test_sc_auth_required(void);
static void		 test_sc_mailbox_full(void);
static void		 test_sc_relay_denied(void);
static void		 test_sc_strict_syntax(void);
static void		 test_sc_size_limit(void);
static void		 test_sc_slow(void);
static void		 test_sc_pipelining(void);
static void		 test_sc_dnsbl(void);

/* Make a server with an optional script (written to a temporary file). */
static struct practice *
server(const char *script, size_t size_limit, int tls, char **cause)
{
	return (server_in(NULL, script, size_limit, tls, cause));
}

/* Make a server for a scenario; exit if that fails. */
static struct practice *
scenario(const char *name, const char *script, size_t size_limit, int tls)
{
	struct practice	*p;
	char		*cause = NULL;

	if ((p = server_in(name, script, size_limit, tls, &cause)) == NULL) {
		printf("Bail out! scenario %s: %s\n", name,
		    cause != NULL ? cause : "?");
		exit(1);
	}
	return (p);
}

/* Return the greeting of a session. */
static const char *
greet(struct practice_session *s)
{
	buf_reset(&out);
	practice_session_greeting(s, &out);
	return (out.data);
}

/* Say MAIL FROM (unless from is NULL) and RCPT TO; return the RCPT reply. */
static const char *
mail_to(struct practice_session *s, const char *from, const char *to)
{
	char	line[300];

	if (from != NULL) {
		say(s, "RSET");
		snprintf(line, sizeof line, "MAIL FROM:<%s>", from);
		if (strcmp(say(s, line), "250 2.1.0 Ok\r\n") != 0)
			diag("MAIL FROM:<%s> got %s", from, out.data);
	}
	snprintf(line, sizeof line, "RCPT TO:<%s>", to);
	return (say(s, line));
}

/* Make a server in a scenario, with an optional script. */
static struct practice *
server_in(const char *name, const char *script, size_t size_limit, int tls,
    char **cause)
{
	struct practice_config	 cfg;
	struct practice		*p;
	char			 path[] = "/tmp/practice-test.XXXXXX";
	int			 fd = -1;

	memset(&cfg, 0, sizeof cfg);
	cfg.scenario = name;
	cfg.size_limit = size_limit;
	cfg.tls = tls;
	if (script != NULL) {
		if ((fd = mkstemp(path)) == -1 ||
		    write(fd, script, strlen(script)) !=
		    (ssize_t)strlen(script)) {
			perror("mkstemp/write");
			exit(1);
		}
		close(fd);
		cfg.script = path;
	}
	*cause = NULL;
	p = practice_new(&cfg, cause);
	if (script != NULL)
		unlink(path);
	return (p);
}

/* Send one line; return everything the session answered. */
static const char *
say(struct practice_session *s, const char *line)
{
	buf_reset(&out);
	last_rv = practice_session_line(s, line, strlen(line), &out);
	return (out.data);
}

/* Does s start with prefix? */
static int
starts(const char *s, const char *prefix)
{
	int	yes = strncmp(s, prefix, strlen(prefix)) == 0;

	if (!yes)
		diag("expected a start of \"%s\", got \"%s\"", prefix, s);
	return (yes);
}

/* Start a session and say EHLO. */
static struct practice_session *
hello(struct practice *p)
{
	struct practice_session	*s = practice_session_new(p);

	say(s, "EHLO client.example");
	return (s);
}

/* practice_new() and its failures. */
static void
test_new(void)
{
	struct practice_config	 cfg;
	struct practice		*p;
	const char *const	*names;
	char			*cause = NULL;

	p = practice_new(NULL, &cause);
	ok(p != NULL, "practice_new(NULL) works");
	ok(practice_cert_pem(p) != NULL && starts(practice_cert_pem(p),
	    "-----BEGIN CERTIFICATE-----\n"), "a NULL config makes a cert");
	is_int(practice_port(p), -1, "no port before practice_listen");
	practice_free(p);
	practice_free(NULL);

	memset(&cfg, 0, sizeof cfg);
	p = practice_new(&cfg, &cause);
	ok(p != NULL && practice_cert_pem(p) == NULL, "tls 0: no cert");
	ok(p != NULL && p->idle_timeout == PRACTICE_IDLE_TIMEOUT &&
	    p->line_timeout == PRACTICE_LINE_TIMEOUT &&
	    p->client_limit == PRACTICE_CLIENT_LIMIT &&
	    p->client_rate == PRACTICE_CLIENT_RATE &&
	    p->out_max == PRACTICE_OUT_MAX && PRACTICE_OUT_MAX <= 64 * 1024,
	    "the class limits default to 300 s idle, 60 s a line, 16 at once "
	    "and 600 a minute per address, 64 KiB of unsent replies");
	practice_free(p);
	cfg.idle_timeout = 7;
	cfg.line_timeout = 3;
	cfg.client_limit = 2;
	cfg.client_rate = 9;
	p = practice_new(&cfg, &cause);
	ok(p != NULL && p->idle_timeout == 7 && p->line_timeout == 3 &&
	    p->client_limit == 2 && p->client_rate == 9,
	    "the configuration sets them");
	practice_free(p);
	memset(&cfg, 0, sizeof cfg);
	p = server("set idle-timeout 5\nset line-timeout 4\n"
	    "set client-limit 300\nset client-rate 0\n", 0, 0, &cause);
	ok(p != NULL && p->idle_timeout == 5 && p->line_timeout == 4 &&
	    p->client_limit == 300 && p->client_rate == 0,
	    "and so do the script's set directives (client-rate 0: no limit)");
	practice_free(p);

	cfg.hostname = "bad host\r\n";
	ok(practice_new(&cfg, &cause) == NULL && cause != NULL &&
	    starts(cause, "bad host name \"bad host\\r\\n\""),
	    "a bad host name is refused, escaped");
	free(cause);
	cfg.hostname = NULL;
	cfg.scenario = "nope";
	cause = NULL;
	ok(practice_new(&cfg, &cause) == NULL && cause != NULL &&
	    strstr(cause, "nope") != NULL, "an unknown scenario is refused");
	free(cause);
	cfg.scenario = "default";
	cfg.script = "/nonexistent/practice.script";
	cause = NULL;
	ok(practice_new(&cfg, &cause) == NULL && cause != NULL &&
	    starts(cause, "/nonexistent/practice.script: "),
	    "an unreadable script is refused with its name");
	free(cause);

	names = practice_scenarios();
	ok(names[0] != NULL && strcmp(names[0], "default") == 0,
	    "the first scenario is default");
}

/* The greeting, EHLO and HELO. */
static void
test_greeting_ehlo(void)
{
	struct practice		*p;
	struct practice_session	*s;
	struct practice_config	 cfg;
	char			*cause;

	p = server(NULL, 0, 1, &cause);
	s = practice_session_new(p);
	buf_reset(&out);
	practice_session_greeting(s, &out);
	is_str(out.data, "220 practice.smtpscope.test ESMTP smtpscope "
	    "practice server\r\n", "greeting");
	is_int(practice_session_closing(s), 0, "not closing after greeting");
	is_int(practice_session_delay(s), 0, "no delay");
	is_str(say(s, "EHLO"), "501 Syntax: EHLO hostname\r\n",
	    "EHLO needs a name");
	is_str(say(s, "EHLO client.example"),
	    "250-practice.smtpscope.test greets client.example\r\n"
	    "250-PIPELINING\r\n"
	    "250-SIZE 10485760\r\n"
	    "250-8BITMIME\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-STARTTLS\r\n"
	    "250-AUTH PLAIN LOGIN\r\n"
	    "250 HELP\r\n", "EHLO lists the extensions");
	is_int(last_rv, PRACTICE_CONTINUE, "EHLO continues");
	ok(starts(say(s, "EHLO \x1b[31mevil"),
	    "250-practice.smtpscope.test greets ?[31mevil\r\n"),
	    "EHLO name is echoed without controls");
	is_str(say(s, "HELO client.example"), "250 practice.smtpscope.test\r\n",
	    "HELO is one line");
	is_str(say(s, "HELO"), "501 Syntax: HELO hostname\r\n",
	    "HELO needs a name");
	is_str(say(s, "ehlo x"), out.data, "ehlo in lower case");
	ok(starts(out.data, "250-practice.smtpscope.test greets x\r\n"),
	    "lower-case ehlo works");
	practice_session_free(s);
	practice_free(p);

	p = server(NULL, 1234, 0, &cause);
	s = practice_session_new(p);
	ok(strstr(say(s, "EHLO a"), "STARTTLS") == NULL &&
	    strstr(out.data, "250-SIZE 1234\r\n") != NULL,
	    "without TLS: no STARTTLS, SIZE follows the limit");
	is_str(say(s, "STARTTLS"), "502 5.5.1 Error: command not "
	    "implemented\r\n", "STARTTLS without TLS: 502");
	practice_session_free(s);
	practice_free(p);

	memset(&cfg, 0, sizeof cfg);
	cfg.hostname = "mx.school.example";
	p = practice_new(&cfg, &cause);
	s = practice_session_new(p);
	buf_reset(&out);
	practice_session_greeting(s, &out);
	is_str(out.data, "220 mx.school.example ESMTP smtpscope practice "
	    "server\r\n", "greeting uses the configured host name");
	say(s, "EHLO a");
	say(s, "MAIL FROM:<>");
	is_str(say(s, "RCPT TO:<bob@mx.school.example>"), "250 2.1.5 Ok\r\n",
	    "the host name is a local domain too");
	practice_session_free(s);
	practice_free(p);
}

/* Commands out of order. */
static void
test_sequence(void)
{
	struct practice		*p;
	struct practice_session	*s;
	char			*cause;

	p = server(NULL, 0, 1, &cause);
	s = practice_session_new(p);
	is_str(say(s, "MAIL FROM:<a@b.example>"),
	    "503 5.5.1 Error: send HELO/EHLO first\r\n", "MAIL before EHLO");
	is_str(say(s, "RCPT TO:<alice@practice.test>"),
	    "503 5.5.1 Error: need MAIL command\r\n", "RCPT before MAIL");
	is_str(say(s, "DATA"), "503 5.5.1 Error: need MAIL command\r\n",
	    "DATA before MAIL");
	say(s, "HELO a");
	is_str(say(s, "MAIL FROM:<a@b.example>"), "250 2.1.0 Ok\r\n",
	    "MAIL after HELO");
	is_str(say(s, "MAIL FROM:<a@b.example>"),
	    "503 5.5.1 Error: nested MAIL command\r\n", "nested MAIL");
	is_str(say(s, "DATA"), "554 5.5.1 Error: no valid recipients\r\n",
	    "DATA without recipients");
	is_str(say(s, "RCPT TO:<nobody@practice.test>"), "550 5.1.1 "
	    "<nobody@practice.test>: Recipient address rejected: User "
	    "unknown\r\n", "unknown local user");
	is_str(say(s, "DATA"), "554 5.5.1 Error: no valid recipients\r\n",
	    "DATA after only a rejected recipient");
	is_str(say(s, "RSET"), "250 2.0.0 Ok\r\n", "RSET");
	is_str(say(s, "RSET now"), "501 5.5.4 Syntax: RSET\r\n",
	    "RSET takes no argument");
	is_str(say(s, "RCPT TO:<alice@practice.test>"),
	    "503 5.5.1 Error: need MAIL command\r\n", "RSET ended MAIL");
	is_str(say(s, "NOOP"), "250 2.0.0 Ok\r\n", "NOOP");
	is_str(say(s, "NOOP hello there"), "250 2.0.0 Ok\r\n",
	    "NOOP with text");
	say(s, "MAIL FROM:<>");
	say(s, "EHLO again");
	is_str(say(s, "RCPT TO:<alice@practice.test>"),
	    "503 5.5.1 Error: need MAIL command\r\n", "EHLO resets MAIL");
	is_str(say(s, "QUIT"), "221 2.0.0 Bye\r\n", "QUIT");
	is_int(last_rv, PRACTICE_CLOSE, "QUIT closes");
	is_int(practice_session_closing(s), 1, "closing after QUIT");
	practice_session_free(s);
	practice_free(p);
}

/* MAIL and RCPT syntax, parameters and recipients. */
static void
test_mail_rcpt(void)
{
	struct practice		*p;
	struct practice_session	*s;
	char			*cause, line[128];
	const char		*long_local = "a23456789012345678901234567890"
	    "12345678901234567890123456789012345";
	int			 i, good;

	p = server(NULL, 5000, 1, &cause);
	s = hello(p);
	is_str(say(s, "MAIL"), "501 5.5.4 Syntax: MAIL FROM:<address>\r\n",
	    "MAIL without FROM:");
	is_str(say(s, "MAIL TO:<a@b.example>"),
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n", "MAIL TO:");
	is_str(say(s, "MAIL FROM:a@b.example"),
	    "501 5.1.7 Bad sender address syntax\r\n", "no angle brackets");
	is_str(say(s, "MAIL FROM:<a@b.example"),
	    "501 5.1.7 Bad sender address syntax\r\n", "no closing bracket");
	is_str(say(s, "MAIL FROM:<a@@b.example>"),
	    "501 5.1.7 Bad sender address syntax\r\n", "two @");
	is_str(say(s, "MAIL FROM:<a..b@b.example>"),
	    "501 5.1.7 Bad sender address syntax\r\n", "two dots");
	is_str(say(s, "MAIL FROM:<a@-b.example>"),
	    "501 5.1.7 Bad sender address syntax\r\n", "bad domain");
	is_str(say(s, "MAIL FROM:<a@b.example>x"),
	    "501 5.1.7 Bad sender address syntax\r\n", "garbage after >");
	is_str(say(s, "MAIL FROM:<a@b.example> SIZE=5001"),
	    "552 5.3.4 Message size exceeds fixed limit\r\n", "SIZE too big");
	is_str(say(s, "MAIL FROM:<a@b.example> SIZE=99999999999999999999"),
	    "552 5.3.4 Message size exceeds fixed limit\r\n", "SIZE huge");
	is_str(say(s, "MAIL FROM:<a@b.example> SIZE=12k"),
	    "501 5.5.4 Bad SIZE parameter syntax\r\n", "SIZE not a number");
	is_str(say(s, "MAIL FROM:<a@b.example> BODY=BINARYMIME"),
	    "501 5.5.4 Bad BODY parameter syntax\r\n", "BODY unknown");
	is_str(say(s, "MAIL FROM:<a@b.example> SMTPUTF8"),
	    "555 5.5.4 Unsupported option: SMTPUTF8\r\n", "unknown parameter");
	is_str(say(s, "MAIL FROM:<\"odd user\"@[192.0.2.1]> SIZE=5000 "
	    "BODY=8bitmime AUTH=<>"), "250 2.1.0 Ok\r\n",
	    "quoted local part, literal, parameters");
	say(s, "RSET");
	is_str(say(s, "mail from: <@relay.example:a@b.example>"),
	    "250 2.1.0 Ok\r\n", "lower case, blank after colon, source route");

	is_str(say(s, "RCPT"), "501 5.5.4 Syntax: RCPT TO:<address>\r\n",
	    "RCPT without TO:");
	is_str(say(s, "RCPT TO:<>"), "501 5.1.3 Bad recipient address "
	    "syntax\r\n", "RCPT TO:<>");
	is_str(say(s, "RCPT TO:alice@practice.test"), "501 5.1.3 Bad "
	    "recipient address syntax\r\n", "RCPT without brackets");
	is_str(say(s, "RCPT TO:<alice@practice.test> NOTIFY=NEVER"),
	    "555 5.5.4 Unsupported option: NOTIFY\r\n", "RCPT parameter");
	is_str(say(s, "RCPT TO:<x@elsewhere.example>"), "554 5.7.1 "
	    "<x@elsewhere.example>: Relay access denied\r\n", "relay denied");
	is_str(say(s, "RCPT TO:<bob>"), "504 5.5.2 <bob>: Recipient address "
	    "rejected: need fully-qualified address\r\n", "unqualified");
	is_str(say(s, "RCPT TO:<Postmaster>"), "250 2.1.5 Ok\r\n",
	    "<Postmaster> needs no domain");
	is_str(say(s, "rcpt to:<ALICE@Practice.TEST>"), "250 2.1.5 Ok\r\n",
	    "case does not matter");
	is_str(say(s, "RCPT TO:<bob@practice.smtpscope.test>"),
	    "250 2.1.5 Ok\r\n", "the host name is local");
	for (i = 3, good = 1; i < 100; i++)
		good &= strcmp(say(s, "RCPT TO:<postmaster@practice.test>"),
		    "250 2.1.5 Ok\r\n") == 0;
	ok(good, "100 recipients accepted");
	is_str(say(s, "RCPT TO:<bob@practice.test>"), "452 4.5.3 Error: too "
	    "many recipients\r\n", "the 101st is refused");
	is_str(say(s, "DATA now"), "501 5.5.4 Syntax: DATA\r\n",
	    "DATA takes no argument");
	practice_session_free(s);

	/* An address at the length limit and one past it. */
	s = hello(p);
	say(s, "MAIL FROM:<>");
	snprintf(line, sizeof line, "RCPT TO:<%.64s@elsewhere.example>",
	    long_local);
	ok(starts(say(s, line), "554 5.7.1 "), "a local part of 64 characters");
	snprintf(line, sizeof line, "RCPT TO:<%.65s@practice.test>",
	    long_local);
	is_str(say(s, line), "501 5.1.3 Bad recipient address syntax\r\n",
	    "a local part of 65 characters");
	practice_session_free(s);
	practice_free(p);
}

/* DATA: dot-stuffing, the size limit, queue ids. */
static void
test_data(void)
{
	struct practice		*p;
	struct practice_session	*s;
	char			*cause, big[201];
	int			 i;

	p = server(NULL, 100, 1, &cause);
	s = hello(p);
	say(s, "MAIL FROM:<a@b.example>");
	say(s, "RCPT TO:<alice@practice.test>");
	is_str(say(s, "DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n",
	    "DATA says 354");
	/*
	 * 100 bytes of text once the doubled dots are removed (103 with
	 * them): exactly the limit.
	 */
	is_str(say(s, "Subject: dots ........"), "", "text line: no reply");
	is_str(say(s, "..leading dot........."), "", "dot-stuffed line");
	say(s, ".. and another......");
	say(s, "abc");
	say(s, "QUIT and MAIL are text");
	is_int(last_rv, PRACTICE_CONTINUE, "commands in DATA are text");
	is_str(say(s, ".."), "", "a lone doubled dot is text");
	ok(starts(say(s, "."), "250 2.0.0 Ok: queued as "),
	    "the limit counts unstuffed bytes (100 of 100)");
	is_str(say(s, "RCPT TO:<alice@practice.test>"),
	    "503 5.5.1 Error: need MAIL command\r\n",
	    "the transaction ended");

	say(s, "MAIL FROM:<a@b.example>");
	say(s, "RCPT TO:<alice@practice.test>");
	say(s, "DATA");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	say(s, big);
	is_str(say(s, "."), "552 5.3.4 Error: message file too big\r\n",
	    "body over the limit: 552 at the dot");
	is_str(say(s, "MAIL FROM:<a@b.example>"), "250 2.1.0 Ok\r\n",
	    "a new transaction after 552");
	say(s, "RCPT TO:<alice@practice.test>");
	say(s, "DATA");
	buf_reset(&out);
	practice_session_overlong(s, 20000, &out);
	is_str(out.data, "", "an overlong text line is counted silently");
	is_str(say(s, "."), "552 5.3.4 Error: message file too big\r\n",
	    "and counts towards the limit");
	buf_reset(&out);
	practice_session_overlong(s, 20000, &out);
	is_str(out.data, "500 5.5.6 Error: line too long\r\n",
	    "an overlong command line: 500 5.5.6");
	practice_session_free(s);
	practice_free(p);

	/* Queue ids differ per message and carry the session number. */
	p = server(NULL, 0, 1, &cause);
	s = hello(p);
	for (i = 0; i < 2; i++) {
		say(s, "MAIL FROM:<>");
		say(s, "RCPT TO:<bob@practice.test>");
		say(s, "DATA");
		say(s, ".");
	}
	is_str(out.data, "250 2.0.0 Ok: queued as 0000100002\r\n",
	    "queue id of the 2nd message of session 1");
	practice_session_free(s);
	practice_free(p);
}

/* VRFY, EXPN, HELP, unknown verbs and long lines. */
static void
test_misc_commands(void)
{
	struct practice		*p;
	struct practice_session	*s;
	char			*cause, line[600];
	const char		*r;

	p = server(NULL, 0, 1, &cause);
	s = practice_session_new(p);
	ok(starts(say(s, "VRFY alice"), "252 2.0.0 alice: cannot verify"),
	    "VRFY: 252 2.0.0");
	is_str(say(s, "VRFY"), "501 5.5.4 Syntax: VRFY address\r\n",
	    "VRFY without argument");
	is_str(say(s, "EXPN staff"), "502 5.5.1 Error: EXPN is disabled on "
	    "this server\r\n", "EXPN: 502");
	is_str(say(s, "EXPN"), "501 5.5.4 Syntax: EXPN mailing-list\r\n",
	    "EXPN without argument");
	r = say(s, "HELP");
	ok(starts(r, "214-2.0.0 ") && strstr(r, "STARTTLS") != NULL &&
	    strstr(r, "\r\n214 2.0.0 End of HELP info\r\n") != NULL &&
	    strstr(r, "TURN") == NULL, "HELP: multi-line 214");
	r = say(s, "help mail");
	ok(starts(r, "214-2.0.0 Syntax: MAIL FROM:<sender>") &&
	    strstr(r, "\r\n214 2.0.0 End of HELP info\r\n") != NULL,
	    "HELP MAIL describes MAIL");
	ok(starts(say(s, "HELP TURN"), "214-2.0.0 TURN is not implemented"),
	    "HELP TURN says it is not implemented");
	is_str(say(s, "HELP XYZZY"), "504 5.5.1 Error: no HELP for that "
	    "topic\r\n", "HELP of an unknown topic");
	is_str(say(s, "XYZZY"), "500 5.5.2 Error: command not recognized\r\n",
	    "unknown verb");
	is_str(say(s, ""), "500 5.5.2 Error: command not recognized\r\n",
	    "empty line");
	is_str(say(s, "TURN"), "502 5.5.1 Error: command not implemented\r\n",
	    "TURN");
	is_str(say(s, "ETRN example.com"), "502 5.5.1 Error: command not "
	    "implemented\r\n", "ETRN");
	is_str(say(s, "BDAT 10 LAST"), "502 5.5.1 Error: command not "
	    "implemented\r\n", "BDAT (no CHUNKING)");
	buf_reset(&out);
	practice_session_line(s, "NOOP\0x", 6, &out);
	is_str(out.data, "500 5.5.2 Error: bad syntax\r\n", "NUL in a command");

	/* 510 octets plus CRLF is the most a command may have. */
	memset(line, 'x', sizeof line);
	memcpy(line, "NOOP ", 5);
	line[510] = '\0';
	is_str(say(s, line), "250 2.0.0 Ok\r\n", "510 octets + CRLF is fine");
	line[510] = 'x';
	line[511] = '\0';
	is_str(say(s, line), "500 5.5.6 Error: line too long\r\n",
	    "511 octets + CRLF: 500 5.5.6");
	is_str(say(s, "NOOP"), "250 2.0.0 Ok\r\n", "and the session goes on");
	practice_session_free(s);
	practice_free(p);
}

/* Many commands at once are answered in order. */
static void
test_pipelining(void)
{
	struct practice		*p;
	struct practice_session	*s;
	char			*cause;
	const char		*lines[] = { "EHLO a",
	    "MAIL FROM:<a@b.example>",
	    "RCPT TO:<alice@practice.test>", "RCPT TO:<x@other.example>",
	    "RCPT TO:<bob@practice.test>", "DATA", "Subject: hi", "",
	    "text", ".", "QUIT" };
	size_t			 i;
	const char		*want;

	p = server(NULL, 0, 0, &cause);
	s = practice_session_new(p);
	buf_reset(&out);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		last_rv = practice_session_line(s, lines[i], strlen(lines[i]),
		    &out);
	want = strstr(out.data, "250 HELP\r\n");
	ok(want != NULL, "EHLO reply first");
	is_str(want != NULL ? want + 10 : "", "250 2.1.0 Ok\r\n"
	    "250 2.1.5 Ok\r\n"
	    "554 5.7.1 <x@other.example>: Relay access denied\r\n"
	    "250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n"
	    "250 2.0.0 Ok: queued as 0000100001\r\n"
	    "221 2.0.0 Bye\r\n", "pipelined replies come in order");
	is_int(last_rv, PRACTICE_CLOSE, "QUIT at the end closes");
	practice_session_free(s);
	practice_free(p);
}

/* STARTTLS and the reset that follows it. */
static void
test_starttls(void)
{
	struct practice		*p;
	struct practice_session	*s;
	char			*cause;

	p = server(NULL, 0, 1, &cause);
	s = hello(p);
	is_str(say(s, "STARTTLS now"), "501 5.5.4 Syntax: STARTTLS\r\n",
	    "STARTTLS with an argument");
	say(s, "MAIL FROM:<>");
	is_str(say(s, "STARTTLS"), "503 5.5.1 Error: MAIL transaction in "
	    "progress\r\n", "STARTTLS inside a transaction");
	say(s, "RSET");
	say(s, "AUTH PLAIN AGRlbW8AZGVtbw==");
	is_str(say(s, "STARTTLS"), "220 2.0.0 Ready to start TLS\r\n",
	    "STARTTLS: 220");
	is_int(last_rv, PRACTICE_STARTTLS, "STARTTLS asks for TLS");
	practice_session_tls_started(s);
	is_str(say(s, "MAIL FROM:<>"), "503 5.5.1 Error: send HELO/EHLO "
	    "first\r\n", "after TLS the EHLO is forgotten");
	ok(strstr(say(s, "EHLO a"), "STARTTLS") == NULL &&
	    strstr(out.data, "250-AUTH PLAIN LOGIN\r\n") != NULL,
	    "EHLO after TLS has no STARTTLS");
	is_str(say(s, "STARTTLS"), "503 5.5.1 Error: TLS already active\r\n",
	    "STARTTLS twice");
	is_int(last_rv, PRACTICE_CONTINUE, "and no second handshake");
	say(s, "MAIL FROM:<>");
	is_str(say(s, "RCPT TO:<x@other.example>"), "554 5.7.1 "
	    "<x@other.example>: Relay access denied\r\n",
	    "after TLS the AUTH is forgotten");
	practice_session_free(s);
	practice_free(p);
}

/* AUTH PLAIN and LOGIN: success, failure, cancel, sequence. */
static void
test_auth(void)
{
	struct practice		*p;
	struct practice_session	*s;
	char			*cause;

	p = server(NULL, 0, 1, &cause);
	s = practice_session_new(p);
	is_str(say(s, "AUTH PLAIN AGRlbW8AZGVtbw=="), "503 5.5.1 Error: send "
	    "EHLO first\r\n", "AUTH before EHLO");
	say(s, "HELO a");
	is_str(say(s, "AUTH PLAIN AGRlbW8AZGVtbw=="), "503 5.5.1 Error: send "
	    "EHLO first\r\n", "AUTH after HELO");
	say(s, "EHLO a");
	is_str(say(s, "AUTH"), "501 5.5.4 Syntax: AUTH mechanism "
	    "[initial-response]\r\n", "AUTH without a mechanism");
	is_str(say(s, "AUTH CRAM-MD5"), "504 5.5.4 Error: unrecognized "
	    "authentication type\r\n", "unknown mechanism");
	is_str(say(s, "AUTH PLAIN AGRlbW8Ad3Jvbmc="), "535 5.7.8 Error: "
	    "authentication failed\r\n", "PLAIN, wrong password");
	is_str(say(s, "AUTH PLAIN AGRlbW8AZGVtbw"), "501 5.5.2 Error: cannot "
	    "decode the response (bad base64)\r\n", "PLAIN, bad base64");
	is_str(say(s, "AUTH PLAIN ZGVtbwBkZW1v"), "535 5.7.8 Error: "
	    "authentication failed\r\n", "PLAIN with one NUL");
	is_str(say(s, "AUTH PLAIN Ym9iAGRlbW8AZGVtbw=="), "535 5.7.8 Error: "
	    "authentication failed\r\n", "PLAIN acting as somebody else");
	is_str(say(s, "AUTH PLAIN ="), "535 5.7.8 Error: authentication "
	    "failed\r\n", "PLAIN with an empty initial response");
	is_str(say(s, "AUTH PLAIN"), "334 \r\n", "PLAIN without IR: 334");
	is_str(say(s, "*"), "501 5.7.0 Error: authentication cancelled\r\n",
	    "cancel with *");
	say(s, "AUTH PLAIN");
	is_str(say(s, "!!!!"), "501 5.5.2 Error: cannot decode the response "
	    "(bad base64)\r\n", "bad base64 response");
	is_str(say(s, "AUTH LOGIN"), "334 VXNlcm5hbWU6\r\n",
	    "LOGIN asks the user name");
	is_str(say(s, "ZGVtbw=="), "334 UGFzc3dvcmQ6\r\n",
	    "LOGIN asks the password");
	is_str(say(s, "d3Jvbmc="), "535 5.7.8 Error: authentication failed\r\n",
	    "LOGIN, wrong password");
	say(s, "AUTH LOGIN");
	is_str(say(s, "*"), "501 5.7.0 Error: authentication cancelled\r\n",
	    "LOGIN cancelled");
	is_str(say(s, "NOOP"), "250 2.0.0 Ok\r\n", "back to commands");
	say(s, "MAIL FROM:<>");
	is_str(say(s, "AUTH PLAIN AGRlbW8AZGVtbw=="), "503 5.5.1 Error: MAIL "
	    "transaction in progress\r\n", "AUTH during a transaction");
	say(s, "RSET");
	is_str(say(s, "AUTH PLAIN"), "334 \r\n", "PLAIN again");
	is_str(say(s, "ZGVtbwBkZW1vAGRlbW8="), "235 2.7.0 Authentication "
	    "successful\r\n", "PLAIN with authzid = authcid");
	is_str(say(s, "AUTH LOGIN"), "503 5.5.1 Error: already "
	    "authenticated\r\n", "AUTH twice");
	say(s, "MAIL FROM:<demo@practice.test>");
	is_str(say(s, "RCPT TO:<x@elsewhere.example>"), "250 2.1.5 Ok\r\n",
	    "relaying once authenticated");
	practice_session_free(s);

	s = hello(p);
	is_str(say(s, "auth login ZGVtbw=="), "334 UGFzc3dvcmQ6\r\n",
	    "LOGIN with the user name as initial response");
	is_str(say(s, "ZGVtbw=="), "235 2.7.0 Authentication successful\r\n",
	    "LOGIN succeeds");
	practice_session_free(s);

	s = hello(p);
	is_str(say(s, "AUTH PLAIN AGRlbW8AZGVtbw=="), "235 2.7.0 "
	    "Authentication successful\r\n", "PLAIN with initial response");
	practice_session_free(s);
	practice_free(p);
}

/* Override directives. */
static void
test_script(void)
{
	struct practice		*p;
	struct practice_session	*s;
	char			*cause;

	p = server("# misbehave\n"
	    "\n"
	    "greeting 220-first line\\r\\n220 second line\n"
	    "reply STARTTLS 454 4.7.0 TLS not available due to temporary "
	    "reason\n"
	    "reply mail 451 4.3.0 Error: try again later  \n"
	    "delay noop 250\n"
	    "reply-raw VRFY 250 \\x41\\tB\n"
	    "reply xyzzy 250 2.0.0 Nothing happens\n"
	    "close-after RSET\n"
	    "reply . 451 4.3.0 Error: queue file write error\n", 0, 1, &cause);
	ok(p != NULL, "script loads");
	if (p == NULL) {
		diag("%s", cause);
		free(cause);
		return;
	}
	s = practice_session_new(p);
	buf_reset(&out);
	practice_session_greeting(s, &out);
	is_str(out.data, "220-first line\r\n220 second line\r\n",
	    "greeting with escapes");
	say(s, "EHLO a");
	is_str(say(s, "STARTTLS"), "454 4.7.0 TLS not available due to "
	    "temporary reason\r\n", "STARTTLS refused by the script");
	is_int(last_rv, PRACTICE_CONTINUE, "and no TLS");
	is_str(say(s, "MAIL FROM:<>"), "451 4.3.0 Error: try again later\r\n",
	    "MAIL refused by the script");
	is_str(say(s, "RCPT TO:<alice@practice.test>"),
	    "503 5.5.1 Error: need MAIL command\r\n",
	    "a refused MAIL opens no transaction");
	is_str(say(s, "NOOP"), "250 2.0.0 Ok\r\n", "NOOP reply unchanged");
	is_int(practice_session_delay(s), 250, "but delayed 250 ms");
	is_str(say(s, "VRFY x"), "250 A\tB", "reply-raw adds no CRLF");
	is_int(practice_session_delay(s), 0, "delay is per reply");
	is_str(say(s, "XYZZY"), "250 2.0.0 Nothing happens\r\n",
	    "an unknown verb can be given a reply");
	is_str(say(s, "RSET"), "250 2.0.0 Ok\r\n", "RSET answered");
	is_int(last_rv, PRACTICE_CLOSE, "then close-after RSET closes");
	practice_session_free(s);
	practice_free(p);

	p = server("greeting 554 5.3.2 go away\n", 0, 1, &cause);
	s = practice_session_new(p);
	buf_reset(&out);
	practice_session_greeting(s, &out);
	is_str(out.data, "554 5.3.2 go away\r\n", "554 greeting");
	is_str(say(s, "EHLO a"), "503 5.5.1 Error: no SMTP service here\r\n",
	    "after 554 greeting: 503");
	is_str(say(s, "QUIT"), "221 2.0.0 Bye\r\n", "QUIT still works");
	practice_session_free(s);
	practice_free(p);

	p = server("greeting 421 4.3.2 not now\nreply DATA 354 go on\n"
	    "reply RCPT 250 2.1.5 sure\nreply-raw STARTTLS 220 Go\\r\\n250 "
	    "injected\\r\\n\n", 0, 1, &cause);
	s = practice_session_new(p);
	buf_reset(&out);
	practice_session_greeting(s, &out);
	is_int(practice_session_closing(s), 1, "421 greeting closes");
	say(s, "EHLO a");
	is_str(say(s, "STARTTLS"), "220 Go\r\n250 injected\r\n",
	    "reply-raw STARTTLS sends both lines");
	is_int(last_rv, PRACTICE_STARTTLS, "and 220 really starts TLS");
	practice_session_tls_started(s);
	say(s, "EHLO a");
	say(s, "MAIL FROM:<>");
	is_str(say(s, "RCPT TO:<nobody@practice.test>"),
	    "250 2.1.5 sure\r\n", "a 2xx override changes only the words");
	is_str(say(s, "DATA"), "354 go on\r\n", "DATA's words replaced");
	is_str(say(s, "Subject: x"), "500 5.5.2 Error: command not "
	    "recognized\r\n", "but DATA failed: no recipient was accepted");
	practice_session_free(s);
	practice_free(p);

	p = server("close-after connect\ndelay CONNECT 100\n", 0, 0, &cause);
	s = practice_session_new(p);
	buf_reset(&out);
	practice_session_greeting(s, &out);
	ok(starts(out.data, "220 practice.smtpscope.test ESMTP"),
	    "close-after CONNECT keeps the greeting");
	is_int(practice_session_closing(s), 1, "but closes after it");
	is_int(practice_session_delay(s), 100, "delay CONNECT");
	practice_session_free(s);
	practice_free(p);

	p = server("reply . 451 4.3.0 Error: queue file write error\n"
	    "close-after .\n", 0, 1, &cause);
	s = hello(p);
	say(s, "MAIL FROM:<>");
	say(s, "RCPT TO:<bob@practice.test>");
	say(s, "DATA");
	is_str(say(s, "."), "451 4.3.0 Error: queue file write error\r\n",
	    "reply . replaces the end-of-data reply");
	is_int(last_rv, PRACTICE_CLOSE, "close-after . closes");
	practice_session_free(s);
	practice_free(p);
}

/* Bad override scripts name the file and line. */
static void
test_script_errors(void)
{
	static const struct {
		const char	*text;
		const char	*cause;
	} bad[] = {
		{ "# ok\n\nfrobnicate MAIL\n", ":3: unknown directive "
		  "\"frobnicate\"" },
		{ "reply MAIL\n", ":1: missing reply text" },
		{ "reply\n", ":1: missing verb" },
		{ "greeting\n", ":1: missing reply text" },
		{ "reply MA!L 250 x\n", ":1: a verb is letters" },
		{ "reply MAIL 250 \\q\n", ":1: unknown escape" },
		{ "reply MAIL 250 \\x4\n", ":1: \\x needs two hex digits" },
		{ "reply MAIL 250 a\nreply mail 250 b\n", ":2: second reply" },
		{ "greeting 220 a\nreply-raw CONNECT 220 b\n",
		  ":2: second reply" },
		{ "delay MAIL soon\n", ":1: delay wants milliseconds" },
		{ "delay MAIL 600001\n", ":1: delay wants milliseconds" },
		{ "delay MAIL 5\ndelay MAIL 6\n", ":2: second delay" },
		{ "close-after QUIT now\n", ":1: close-after takes only" },
		{ "close-after QUIT\nclose-after quit\n", ":2: second close" },
		{ "set\n", ":1: set knows greylist-delay, slow-delay, size, "
		  "cert, key, tls-min, tls-max, tls-on-connect, close-notify, "
		  "idle-timeout, line-timeout, client-limit and client-rate" },
		{ "set close-notify maybe\n", ":1: set close-notify wants "
		  "yes or no" },
		{ "set idle-timeout 0\n", ":1: set idle-timeout wants "
		  "seconds, 1 to 3600" },
		{ "set line-timeout 3601\n", ":1: set line-timeout wants "
		  "seconds, 1 to 3600" },
		{ "set line-timeout\n", ":1: set line-timeout wants" },
		{ "set client-limit 0\n", ":1: set client-limit wants "
		  "connections, 1 to 65536" },
		{ "set client-limit 65537\n", ":1: set client-limit wants" },
		{ "set client-limit 9999999999999999999999\n",
		  ":1: set client-limit wants" },
		{ "set client-rate -1\n", ":1: set client-rate wants "
		  "connections a minute, 0 (no limit) to 1000000" },
		{ "set client-rate 1000001\n", ":1: set client-rate wants" },
		{ "set client-rate 5\nset client-rate 6\n", ":2: second set" },
		{ "set size 0\n", ":1: set size wants bytes" },
		{ "set size 10k\n", ":1: set size wants bytes" },
		{ "set size 1099511627777\n", ":1: set size wants bytes" },
		{ "set size 99999999999999999999999\n", ":1: set size wants" },
		{ "set greeting-delay 1\n", ":1: set knows greylist-delay" },
		{ "set greylist-delay\n", ":1: set wants seconds, 0 to 3600" },
		{ "set slow-delay soon\n", ":1: set wants seconds" },
		{ "set slow-delay -1\n", ":1: set wants seconds" },
		{ "set greylist-delay 3601\n", ":1: set wants seconds" },
		{ "set greylist-delay 1 2\n", ":1: set wants seconds" },
		{ "set slow-delay 1\nset slow-delay 2\n", ":2: second set" },
		{ "set cert\n", ":1: set cert and set key want a PEM file" },
		{ "set key  \n", ":1: set cert and set key want a PEM file" },
		{ "set cert a.pem\nset cert b.pem\n", ":2: second set" },
		{ "set key k.pem\n", ":1: set key needs set cert" },
		{ "# x\nset key k.pem\nset tls-max TLSv1.3\n",
		  ":2: set key needs set cert" },
		{ "set tls-max TLSv1.4\n", ":1: set tls-min and tls-max want "
		  "TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3" },
		{ "set tls-min SSLv3\n", ":1: set tls-min and tls-max want" },
		{ "set tls-min\n", ":1: set tls-min and tls-max want" },
		{ "set tls-min 1.2\n", ":1: set tls-min and tls-max want" },
		{ "set tls-min TLSv1.3\nset tls-max TLSv1.2\n",
		  ":2: tls-min is above tls-max" },
		{ "set tls-max TLSv1\n\nset tls-min TLSv1.1\n",
		  ":3: tls-min is above tls-max" },
		{ "set tls-on-connect maybe\n", ":1: set tls-on-connect wants "
		  "yes or no" },
		{ "set tls-on-connect\n", ":1: set tls-on-connect wants" },
		{ "set tls-on-connect yes\nset tls-on-connect no\n",
		  ":2: second set" },
		{ "set Cert a.pem\n", ":1: set knows greylist-delay" },
	};
	struct practice	*p;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = server(bad[i].text, 0, 0, &cause);
		ok(p == NULL && cause != NULL &&
		    starts(cause, "/tmp/practice-test.") &&
		    strstr(cause, bad[i].cause) != NULL,
		    "script error %zu: %s", i, bad[i].cause);
		if (p == NULL && cause != NULL && strstr(cause,
		    bad[i].cause) == NULL)
			diag("got %s", cause);
		practice_free(p);
		free(cause);
	}
}

/* The TLS settings of an override script, parsed (TLS off: no files). */
static void
test_tls_settings(void)
{
	const struct practice_rule	*r;
	struct practice			*p;
	char				*cause;

	p = server("set cert /x/my cert.pem  \n"
	    "set key\t/x/k.pem\n"
	    "set tls-min tlsv1.1\n"
	    "set tls-max TLSv1.2\n"
	    "set tls-on-connect yes\n", 0, 0, &cause);
	ok(p != NULL, "TLS settings load");
	if (p == NULL) {
		diag("%s", cause);
		free(cause);
		return;
	}
	r = practice_setting_find(p, "cert");
	ok(r != NULL && r->text != NULL && strcmp(r->text,
	    "/x/my cert.pem") == 0, "set cert: the rest of the line, "
	    "trailing blanks dropped");
	r = practice_setting_find(p, "key");
	ok(r != NULL && r->text != NULL && strcmp(r->text, "/x/k.pem") == 0,
	    "set key after a tab");
	r = practice_setting_find(p, "tls-min");
	ok(r != NULL && r->value == TLS1_1_VERSION,
	    "set tls-min tlsv1.1 (any case)");
	r = practice_setting_find(p, "tls-max");
	ok(r != NULL && r->value == TLS1_2_VERSION, "set tls-max TLSv1.2");
	r = practice_setting_find(p, "tls-on-connect");
	ok(r != NULL && r->value == 1, "set tls-on-connect yes");
	ok(practice_rule_find(p, "cert") == NULL &&
	    practice_rule_find(p, "TLS-MIN") == NULL,
	    "settings are not verb rules");
	ok(practice_setting_find(p, "slow-delay") == NULL,
	    "an unset setting is not found");
	ok(p->ctx == NULL && p->tls_on_connect == 0,
	    "with TLS off the TLS settings are ignored");
	practice_free(p);

	p = server("set tls-min TLSv1.0\nset tls-max tlsv1\n"
	    "set tls-on-connect no\nset tls-min-x 1\n", 0, 0, &cause);
	ok(p == NULL && cause != NULL && strstr(cause, ":4: set knows") !=
	    NULL, "an unknown setting after good ones");
	free(cause);
	p = server("set tls-min TLSv1.0\nset tls-max tlsv1\n"
	    "set tls-on-connect no\n", 0, 0, &cause);
	ok(p != NULL && practice_setting_find(p, "tls-min")->value ==
	    TLS1_VERSION && practice_setting_find(p, "tls-max")->value ==
	    TLS1_VERSION, "TLSv1.0 and TLSv1 both mean TLS 1.0");
	ok(p != NULL && practice_setting_find(p, "tls-on-connect")->value == 0,
	    "set tls-on-connect no");
	practice_free(p);
}

/*
 * Write a certificate for localhost to certfile and its key to keyfile
 * (NULL: after the certificate, in the same file): RSA bits, or EC P-256
 * when bits is 0; self-signed with md.  Returns 0, or -1.
 */
static int
make_cert(const char *certfile, const char *keyfile, int bits,
    const EVP_MD *md)
{
	EVP_PKEY_CTX	*kctx;
	EVP_PKEY	*key = NULL;
	X509		*x = NULL;
	FILE		*f = NULL;
	int		 rv = -1;

	kctx = EVP_PKEY_CTX_new_id(bits != 0 ? EVP_PKEY_RSA : EVP_PKEY_EC,
	    NULL);
	if (kctx == NULL || EVP_PKEY_keygen_init(kctx) <= 0)
		goto out;
	if (bits != 0 ? EVP_PKEY_CTX_set_rsa_keygen_bits(kctx, bits) <= 0 :
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx,
	    NID_X9_62_prime256v1) <= 0)
		goto out;
	if (EVP_PKEY_keygen(kctx, &key) <= 0 || (x = X509_new()) == NULL)
		goto out;
	if (!X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
	    !X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(x)) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 3600) == NULL ||
	    !X509_set_pubkey(x, key) || X509_sign(x, key, md) <= 0)
		goto out;
	if ((f = fopen(certfile, "w")) == NULL || !PEM_write_X509(f, x))
		goto out;
	if (keyfile != NULL) {
		if (fclose(f) != 0) {
			f = NULL;
			goto out;
		}
		if ((f = fopen(keyfile, "w")) == NULL)
			goto out;
	}
	if (!PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL))
		goto out;
	rv = 0;
out:
	if (f != NULL && fclose(f) != 0)
		rv = -1;
	X509_free(x);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(kctx);
	return (rv);
}

/* The TLS settings at work: files, protocol range, security level. */
static void
test_tls_files(void)
{
	char		 dir[] = "/tmp/practice-tls.XXXXXX";
	char		 ec[64], eck[64], both[64], rsa[64], sha1[64];
	char		 script[512];
	struct practice	*p;
	SSL_CTX		*ctx;
	char		*cause;
	int		 level;

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		exit(1);
	}
	snprintf(ec, sizeof ec, "%s/ec.pem", dir);
	snprintf(eck, sizeof eck, "%s/ec.key", dir);
	snprintf(both, sizeof both, "%s/both.pem", dir);
	snprintf(rsa, sizeof rsa, "%s/rsa1024.pem", dir);
	snprintf(sha1, sizeof sha1, "%s/sha1.pem", dir);
	if (make_cert(ec, eck, 0, EVP_sha256()) != 0 ||
	    make_cert(both, NULL, 0, EVP_sha256()) != 0 ||
	    make_cert(rsa, NULL, 1024, EVP_sha256()) != 0 ||
	    make_cert(sha1, NULL, 2048, EVP_sha1()) != 0) {
		printf("Bail out! cannot make test certificates\n");
		exit(1);
	}
	/* What this machine's OpenSSL configuration starts a context at. */
	ctx = SSL_CTX_new(TLS_server_method());
	level = SSL_CTX_get_security_level(ctx);
	SSL_CTX_free(ctx);

	p = server(NULL, 0, 1, &cause);
	ok(p != NULL && SSL_CTX_get_min_proto_version(p->ctx) ==
	    TLS1_2_VERSION && SSL_CTX_get_max_proto_version(p->ctx) == 0 &&
	    SSL_CTX_get_security_level(p->ctx) == level &&
	    practice_cert_pem(p) != NULL && !p->tls_on_connect,
	    "defaults: TLSv1.2 and up, the security level kept, its own "
	    "certificate");
	practice_free(p);

	snprintf(script, sizeof script, "set cert %s\nset key %s\n", ec, eck);
	p = server(script, 0, 1, &cause);
	ok(p != NULL && p->ctx != NULL && practice_cert_pem(p) == NULL &&
	    SSL_CTX_get_security_level(p->ctx) == level,
	    "set cert and set key: served, no certificate to trust");
	if (p == NULL)
		diag("%s", cause);
	practice_free(p);

	snprintf(script, sizeof script, "set cert %s\nset tls-on-connect yes\n",
	    both);
	p = server(script, 0, 1, &cause);
	ok(p != NULL && p->tls_on_connect,
	    "set cert alone reads the key from the same file; tls-on-connect");
	practice_free(p);

	snprintf(script, sizeof script, "set cert %s\nset tls-max TLSv1.1\n",
	    both);
	p = server(script, 0, 1, &cause);
	ok(p != NULL && SSL_CTX_get_min_proto_version(p->ctx) ==
	    TLS1_VERSION && SSL_CTX_get_max_proto_version(p->ctx) ==
	    TLS1_1_VERSION && SSL_CTX_get_security_level(p->ctx) == 0,
	    "tls-max TLSv1.1 alone: TLSv1 to TLSv1.1, security level 0");
	practice_free(p);

	p = server("set tls-min TLSv1.3\n", 0, 1, &cause);
	ok(p != NULL && SSL_CTX_get_min_proto_version(p->ctx) ==
	    TLS1_3_VERSION && SSL_CTX_get_max_proto_version(p->ctx) == 0 &&
	    SSL_CTX_get_security_level(p->ctx) == level,
	    "tls-min TLSv1.3: TLSv1.3 only, security level kept");
	practice_free(p);

	p = server("set tls-min TLSv1.2\nset tls-max TLSv1.2\n", 0, 1, &cause);
	ok(p != NULL && SSL_CTX_get_min_proto_version(p->ctx) ==
	    TLS1_2_VERSION && SSL_CTX_get_max_proto_version(p->ctx) ==
	    TLS1_2_VERSION, "TLSv1.2 only");
	practice_free(p);

	snprintf(script, sizeof script, "set cert %s\n", rsa);
	p = server(script, 0, 1, &cause);
	ok(p != NULL && (level < 2 || SSL_CTX_get_security_level(p->ctx) ==
	    0), "an RSA 1024 certificate is served (security level lowered "
	    "from %d if need be)", level);
	if (p == NULL)
		diag("%s", cause);
	practice_free(p);

	snprintf(script, sizeof script, "set cert %s\n", sha1);
	p = server(script, 0, 1, &cause);
	ok(p != NULL, "a SHA-1 signed certificate is served");
	if (p == NULL)
		diag("%s", cause);
	practice_free(p);

	snprintf(script, sizeof script, "set cert %s/none.pem\n", dir);
	p = server(script, 0, 1, &cause);
	ok(p == NULL && cause != NULL && starts(cause, dir) &&
	    strstr(cause, "none.pem: cannot use the certificate chain") !=
	    NULL, "a missing certificate file is named");
	free(cause);

	snprintf(script, sizeof script, "set cert %s\n", ec);
	p = server(script, 0, 1, &cause);
	ok(p == NULL && cause != NULL &&
	    strstr(cause, "ec.pem: cannot use the private key") != NULL,
	    "a certificate file without a key, and no set key: refused");
	free(cause);

	snprintf(script, sizeof script, "set cert %s\nset key %s\n", ec, rsa);
	p = server(script, 0, 1, &cause);
	ok(p == NULL && cause != NULL && strstr(cause, "rsa1024.pem: the key "
	    "does not match the certificate in ") != NULL,
	    "a key that does not match is refused");
	free(cause);

	unlink(ec);
	unlink(eck);
	unlink(both);
	unlink(rsa);
	unlink(sha1);
	rmdir(dir);
}

/* The scenario table: names, order, descriptions. */
static void
test_scenario_table(void)
{
	static const char *const want[] = { "default", "vrfy-open",
	    "vrfy-hidden", "greylist", "busy", "shutdown", "tls-required",
	    "auth-required", "mailbox-full", "relay-denied", "strict-syntax",
	    "size-limit", "slow", "pipelining", "dnsbl" };
	const char *const		*names = practice_scenarios();
	const struct practice_scenario	*sc;
	const char			*d;
	size_t				 i, n;
	int				 good = 1;

	for (n = 0; names[n] != NULL; n++)
		continue;
	is_int(n, sizeof want / sizeof want[0], "15 scenarios");
	is_int(n, PRACTICE_SC_LAST, "as many as enum practice_sc has");
	for (i = 0; i < n && i < sizeof want / sizeof want[0]; i++) {
		sc = practice_scenario_find(names[i]);
		d = practice_scenario_describe(names[i]);
		if (strcmp(names[i], want[i]) != 0 || sc == NULL ||
		    sc->id != (enum practice_sc)i || d == NULL ||
		    strlen(d) < 20 || strlen(d) > 110 ||
		    strchr(d, '\n') != NULL) {
			diag("scenario %zu: %s", i, names[i]);
			good = 0;
		}
	}
	ok(good, "each name is found, in enum order, with a one-line "
	    "description");
	is_str(practice_scenario_find(NULL)->name, "default",
	    "NULL finds default");
	ok(practice_scenario_describe("nope") == NULL &&
	    practice_scenario_describe(NULL) == NULL,
	    "no description for an unknown scenario");
	is_str(practice_scenario_describe("greylist"), "greylisting as "
	    "Postgrey does it: a new sender and recipient get 450 4.7.1, a "
	    "retry 10 s later passes", "the greylist description");
}

/* vrfy-open and vrfy-hidden: what VRFY and EXPN reveal. */
static void
test_sc_vrfy(void)
{
	struct practice		*p;
	struct practice_session	*s;

	p = scenario("vrfy-open", NULL, 0, 1);
	s = practice_session_new(p);
	is_str(greet(s), "220 practice.smtpscope.test ESMTP smtpscope practice "
	    "server (scenario vrfy-open)\r\n", "vrfy-open: greeting names it");
	is_str(say(s, "VRFY alice"), "250 2.1.5 Alice Example "
	    "<alice@practice.test>\r\n", "vrfy-open: VRFY alice 250");
	is_str(say(s, "VRFY <BOB@Practice.Test>"), "250 2.1.5 Bob Example "
	    "<bob@practice.test>\r\n", "vrfy-open: VRFY <address>, any case");
	is_str(say(s, "VRFY postmaster@practice.smtpscope.test"),
	    "250 2.1.5 Postmaster <postmaster@practice.test>\r\n",
	    "vrfy-open: VRFY postmaster at the host name");
	is_str(say(s, "VRFY carol"), "251 2.1.5 User not local; will forward "
	    "to <carol@elsewhere.example>\r\n", "vrfy-open: VRFY carol 251");
	is_str(say(s, "VRFY nobody"), "550 5.1.1 nobody... User unknown\r\n",
	    "vrfy-open: unknown user 550 5.1.1");
	is_str(say(s, "VRFY Alice Example"), "553 5.1.3 Alice Example... Bad "
	    "destination mailbox address syntax\r\n",
	    "vrfy-open: a blank makes it malformed, 553 5.1.3");
	is_str(say(s, "VRFY @practice.test"), "553 5.1.3 @practice.test... "
	    "Bad destination mailbox address syntax\r\n",
	    "vrfy-open: no local part, 553 5.1.3");
	is_str(say(s, "VRFY <>"), "553 5.1.3 <>... Bad destination mailbox "
	    "address syntax\r\n", "vrfy-open: <> is 553 5.1.3");
	is_str(say(s, "VRFY x@elsewhere.example"), "252 2.1.5 "
	    "x@elsewhere.example... Cannot VRFY a remote address; send RCPT TO "
	    "to try delivery\r\n", "vrfy-open: a remote address 252");
	is_str(say(s, "VRFY staff"), "252 2.1.5 staff... Unable to verify "
	    "members of mailing list; use EXPN\r\n",
	    "vrfy-open: VRFY of the list 252");
	is_str(say(s, "VRFY \x1b[2Jx"), "553 5.1.3 ?[2Jx... Bad destination "
	    "mailbox address syntax\r\n", "vrfy-open: controls not echoed");
	is_str(say(s, "EXPN staff"), "250-2.1.5 Alice Example "
	    "<alice@practice.test>\r\n250 2.1.5 Bob Example "
	    "<bob@practice.test>\r\n", "vrfy-open: EXPN staff lists two");
	is_str(say(s, "EXPN <staff@practice.test>"), out.data,
	    "vrfy-open: EXPN <staff@practice.test>");
	ok(starts(out.data, "250-2.1.5 Alice"), "the same list");
	is_str(say(s, "EXPN friends"), "550 5.1.1 friends... User unknown\r\n",
	    "vrfy-open: EXPN of an unknown list 550 5.1.1");
	is_str(say(s, "EXPN bob"), "250 2.1.5 Bob Example "
	    "<bob@practice.test>\r\n", "vrfy-open: EXPN of a user");
	say(s, "EHLO a");
	is_str(mail_to(s, "t@school.test", "carol@practice.test"), "251 2.1.5 "
	    "User not local; will forward to <carol@elsewhere.example>\r\n",
	    "vrfy-open: RCPT carol 251 too");
	is_str(mail_to(s, NULL, "staff@practice.test"), "250 2.1.5 Ok\r\n",
	    "vrfy-open: RCPT staff 250");
	is_str(mail_to(s, NULL, "nobody@practice.test"), "550 5.1.1 "
	    "<nobody@practice.test>: Recipient address rejected: User "
	    "unknown\r\n", "vrfy-open: RCPT nobody 550");
	is_str(say(s, "DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n",
	    "vrfy-open: carol and staff count as recipients");
	practice_session_free(s);
	practice_free(p);

	p = scenario("vrfy-hidden", NULL, 0, 1);
	s = practice_session_new(p);
	ok(starts(greet(s), "220 practice.smtpscope.test ESMTP smtpscope "
	    "practice server (scenario vrfy-hidden)\r\n"),
	    "vrfy-hidden: greeting");
	is_str(say(s, "VRFY alice"), "252 2.0.0 alice: cannot verify this "
	    "user, but will accept mail for it and attempt delivery\r\n",
	    "vrfy-hidden: VRFY alice 252");
	is_str(say(s, "VRFY nobody"), "252 2.0.0 nobody: cannot verify this "
	    "user, but will accept mail for it and attempt delivery\r\n",
	    "vrfy-hidden: VRFY nobody 252 as well");
	is_str(say(s, "EXPN staff"), "502 5.5.1 Error: EXPN is disabled on "
	    "this server\r\n", "vrfy-hidden: EXPN 502 5.5.1");
	practice_session_free(s);
	practice_free(p);
}

/* greylist: the triple memory, shared by sessions, bounded. */
static void
test_sc_greylist(void)
{
	struct practice		*p;
	struct practice_session	*s, *s2;
	char			 rcpt[64];
	const char		*grey = "450 4.7.1 <alice@practice.test>: "
	    "Recipient address rejected: Greylisted, see "
	    "https://postgrey.schweikert.ch/help/practice.test.html\r\n";
	int			 i, good;

	unsetenv(PRACTICE_ENV_GREYLIST_DELAY);
	p = scenario("greylist", "set greylist-delay 0\n", 0, 1);
	s = hello(p);
	is_str(mail_to(s, "t@school.test", "alice@practice.test"), grey,
	    "greylist: the first attempt gets Postgrey's 450 4.7.1");
	is_str(say(s, "DATA"), "554 5.5.1 Error: no valid recipients\r\n",
	    "greylist: so there is no recipient");
	is_str(mail_to(s, "t@school.test", "bob@practice.test"), "450 4.7.1 "
	    "<bob@practice.test>: Recipient address rejected: Greylisted, see "
	    "https://postgrey.schweikert.ch/help/practice.test.html\r\n",
	    "greylist: another recipient is another triple");
	is_str(mail_to(s, "t@school.test", "nobody@practice.test"), "550 5.1.1 "
	    "<nobody@practice.test>: Recipient address rejected: User "
	    "unknown\r\n", "greylist: an unknown user is refused at once");
	is_str(mail_to(s, NULL, "x@elsewhere.example"), "554 5.7.1 "
	    "<x@elsewhere.example>: Relay access denied\r\n",
	    "greylist: relaying is refused at once");
	is_str(mail_to(s, "t@school.test", "postmaster"), "450 4.7.1 "
	    "<postmaster>: Recipient address rejected: Greylisted, see "
	    "https://postgrey.schweikert.ch/help/practice.test.html\r\n",
	    "greylist: <postmaster> names the local domain");
	is_str(mail_to(s, "T@School.TEST", "Alice@Practice.test"), "250 2.1.5 "
	    "Ok\r\n", "greylist: a retry passes (delay 0; case ignored)");
	practice_session_free(s);

	s = hello(p);
	is_str(mail_to(s, "t@school.test", "alice@practice.test"),
	    "250 2.1.5 Ok\r\n", "greylist: a new connection is remembered");
	is_str(mail_to(s, "other@school.test", "alice@practice.test"), out.data,
	    "greylist: another sender");
	ok(starts(out.data, "450 4.7.1 "), "is another triple");
	s2 = practice_session_new(p);
	practice_session_set_peer(s2, "192.0.2.7");
	say(s2, "EHLO b");
	ok(starts(mail_to(s2, "t@school.test", "alice@practice.test"),
	    "450 4.7.1 "), "greylist: another client address too");
	say(s2, "RSET");
	say(s2, "AUTH PLAIN AGRlbW8AZGVtbw==");
	is_str(mail_to(s2, "new@school.test", "alice@practice.test"),
	    "250 2.1.5 Ok\r\n", "greylist: authenticated clients pass");
	practice_session_free(s2);

	/* A student's memory is bounded: their stalest triple goes first. */
	practice_session_free(s);
	p->ngreylist = 0;
	s = hello(p);
	ok(starts(mail_to(s, "first@school.test", "alice@practice.test"),
	    "450 "), "greylist: a first triple");
	for (i = 0, good = 1; i < PRACTICE_GREYLIST_STUDENT; i++) {
		snprintf(rcpt, sizeof rcpt, "many%d@school.test", i);
		good &= starts(mail_to(s, rcpt, "bob@practice.test"), "450 ");
	}
	ok(good, "greylist: %d more triples", PRACTICE_GREYLIST_STUDENT);
	is_int(p->ngreylist, PRACTICE_GREYLIST_STUDENT, "greylist: a "
	    "student keeps %d, not more", PRACTICE_GREYLIST_STUDENT);
	ok(starts(mail_to(s, "first@school.test", "alice@practice.test"),
	    "450 "), "greylist: the first triple was forgotten");
	snprintf(rcpt, sizeof rcpt, "many%d@school.test",
	    PRACTICE_GREYLIST_STUDENT - 1);
	ok(starts(mail_to(s, rcpt, "bob@practice.test"), "250 "),
	    "greylist: a recent one was not");
	practice_session_free(s);
	practice_free(p);
}

/*
 * greylist: one student's flood, or one address's, does not push the
 * other students' triples out of the shared table; triples are per
 * student (address and EHLO name).
 */
static void
test_sc_greylist_students(void)
{
	struct practice		*p;
	struct practice_session	*a, *b, *c, *d;
	char			 line[128];
	int			 i, good;

	unsetenv(PRACTICE_ENV_GREYLIST_DELAY);
	p = scenario("greylist", "set greylist-delay 0\n", 0, 0);
	a = practice_session_new(p);
	say(a, "EHLO alice-laptop");
	ok(starts(mail_to(a, "a@school.test", "alice@practice.test"), "450 "),
	    "students: student A is greylisted");
	b = practice_session_new(p);
	say(b, "EHLO bob-laptop");
	ok(starts(mail_to(b, "a@school.test", "alice@practice.test"), "450 "),
	    "students: B on the same address has a triple of their own");

	/* B floods from A's address, with one EHLO name. */
	for (i = 0, good = 1; i < 2 * PRACTICE_GREYLIST_MAX; i++) {
		snprintf(line, sizeof line, "flood%d@school.test", i);
		good &= starts(mail_to(b, line, "bob@practice.test"), "450 ");
	}
	ok(good, "students: B tries %d triples", 2 * PRACTICE_GREYLIST_MAX);
	ok(p->ngreylist <= PRACTICE_GREYLIST_STUDENT + 2, "students: B keeps "
	    "at most %d of them (table: %zu)", PRACTICE_GREYLIST_STUDENT,
	    p->ngreylist);

	/* C floods from another address, with a new EHLO name each time. */
	c = practice_session_new(p);
	practice_session_set_peer(c, "192.0.2.9");
	for (i = 0, good = 1; i < 2 * PRACTICE_GREYLIST_MAX; i++) {
		snprintf(line, sizeof line, "EHLO host%d.example", i);
		say(c, line);
		snprintf(line, sizeof line, "c%d@school.test", i);
		good &= starts(mail_to(c, line, "bob@practice.test"), "450 ");
	}
	ok(good, "students: C tries %d triples under as many names",
	    2 * PRACTICE_GREYLIST_MAX);
	ok(p->ngreylist <= PRACTICE_GREYLIST_ADDR +
	    PRACTICE_GREYLIST_STUDENT + 2, "students: C's address keeps at "
	    "most %d (table: %zu)", PRACTICE_GREYLIST_ADDR, p->ngreylist);
	is_str(mail_to(a, "a@school.test", "alice@practice.test"),
	    "250 2.1.5 Ok\r\n", "students: A's retry passes after both "
	    "floods");
	ok(starts(mail_to(b, "flood0@school.test", "bob@practice.test"),
	    "450 "), "students: B's flood pushed out B's own first triple");

	/* Many addresses at once: the table stays bounded. */
	d = practice_session_new(p);
	for (i = 0, good = 1; i < 2 * PRACTICE_GREYLIST_MAX; i++) {
		snprintf(line, sizeof line, "198.51.100.%d", i % 250);
		practice_session_set_peer(d, line);
		snprintf(line, sizeof line, "EHLO d%d", i);
		say(d, line);
		snprintf(line, sizeof line, "d%d@school.test", i);
		good &= starts(mail_to(d, line, "bob@practice.test"), "450 ");
	}
	ok(good, "students: many addresses try %d triples",
	    2 * PRACTICE_GREYLIST_MAX);
	is_int(p->ngreylist, PRACTICE_GREYLIST_MAX, "students: the table is "
	    "full, not larger");
	practice_session_free(a);
	practice_session_free(b);
	practice_session_free(c);
	practice_session_free(d);
	practice_free(p);
}

/* greylist: the delay, from the environment and the script. */
static void
test_sc_greylist_delay(void)
{
	struct practice		*p;
	struct practice_session	*s;

	setenv(PRACTICE_ENV_GREYLIST_DELAY, "1", 1);
	p = scenario("greylist", NULL, 0, 1);
	s = hello(p);
	ok(starts(mail_to(s, "t@school.test", "alice@practice.test"),
	    "450 4.7.1 <alice@practice.test>: Recipient address rejected: "
	    "Greylisted"), "delay 1: the first attempt 450");
	ok(starts(mail_to(s, "t@school.test", "alice@practice.test"),
	    "450 4.7.1 "), "delay 1: a retry at once is too early");
	practice_session_free(s);
	usleep(1100 * 1000);
	s = hello(p);
	is_str(mail_to(s, "t@school.test", "alice@practice.test"),
	    "250 2.1.5 Ok\r\n", "delay 1: a retry after 1.1 s passes, on a "
	    "new connection");
	practice_session_free(s);
	practice_free(p);

	setenv(PRACTICE_ENV_GREYLIST_DELAY, "1", 1);
	p = scenario("greylist", "set greylist-delay 0\n", 0, 1);
	s = hello(p);
	mail_to(s, "t@school.test", "alice@practice.test");
	is_str(mail_to(s, "t@school.test", "alice@practice.test"),
	    "250 2.1.5 Ok\r\n", "set greylist-delay beats the environment");
	practice_session_free(s);
	practice_free(p);

	setenv(PRACTICE_ENV_GREYLIST_DELAY, "soon", 1);
	p = scenario("greylist", NULL, 0, 1);
	s = hello(p);
	mail_to(s, "t@school.test", "alice@practice.test");
	usleep(50 * 1000);
	ok(starts(mail_to(s, "t@school.test", "alice@practice.test"),
	    "450 "), "a bad environment value: the default 10 s");
	practice_session_free(s);
	practice_free(p);
	unsetenv(PRACTICE_ENV_GREYLIST_DELAY);
}

/* busy and shutdown: 421 and close. */
static void
test_sc_closing(void)
{
	struct practice		*p;
	struct practice_session	*s;

	p = scenario("busy", NULL, 0, 1);
	s = practice_session_new(p);
	is_str(greet(s), "421 4.3.2 practice.smtpscope.test Service not "
	    "available, too many connections\r\n", "busy: 421 4.3.2 greeting");
	is_int(practice_session_closing(s), 1, "busy: and close");
	practice_session_free(s);
	practice_free(p);

	p = scenario("busy", "greeting 220 fine today\n", 0, 1);
	s = practice_session_new(p);
	is_str(greet(s), "220 fine today\r\n", "busy: a script greeting wins");
	is_int(practice_session_closing(s), 0, "and does not close");
	practice_session_free(s);
	practice_free(p);

	p = scenario("shutdown", NULL, 0, 1);
	s = practice_session_new(p);
	ok(starts(greet(s), "220 practice.smtpscope.test ESMTP smtpscope "
	    "practice server (scenario shutdown)\r\n"), "shutdown: greeting");
	ok(starts(say(s, "EHLO a"), "250-"), "shutdown: EHLO as usual");
	is_str(say(s, "NOOP"), "250 2.0.0 Ok\r\n", "shutdown: NOOP as usual");
	is_str(say(s, "RCPT TO:<alice@practice.test>"), "503 5.5.1 Error: need "
	    "MAIL command\r\n", "shutdown: RCPT as usual");
	is_int(practice_session_closing(s), 0, "shutdown: still open");
	is_str(say(s, "MAIL FROM:<t@school.test>"), "421 4.3.2 "
	    "practice.smtpscope.test Service shutting down, closing "
	    "transmission channel\r\n", "shutdown: the first MAIL gets 421");
	is_int(last_rv, PRACTICE_CLOSE, "shutdown: and closes");
	is_int(practice_session_closing(s), 1, "shutdown: closing");
	practice_session_free(s);
	practice_free(p);
}

/* tls-required: 530 before STARTTLS, AUTH only under TLS. */
static void
test_sc_tls_required(void)
{
	static const char *const refused[] = { "MAIL FROM:<t@school.test>",
	    "RCPT TO:<alice@practice.test>", "DATA", "VRFY alice",
	    "EXPN staff", "AUTH PLAIN AGRlbW8AZGVtbw==" };
	struct practice		*p;
	struct practice_session	*s;
	size_t			 i;
	int			 good;

	p = scenario("tls-required", NULL, 0, 1);
	s = practice_session_new(p);
	is_str(say(s, "EHLO a"), "250-practice.smtpscope.test greets a\r\n"
	    "250-PIPELINING\r\n"
	    "250-SIZE 10485760\r\n"
	    "250-8BITMIME\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-STARTTLS\r\n"
	    "250 HELP\r\n", "tls-required: STARTTLS but no AUTH in clear");
	for (i = 0, good = 1; i < sizeof refused / sizeof refused[0]; i++) {
		if (strcmp(say(s, refused[i]), "530 5.7.0 Must issue a "
		    "STARTTLS command first\r\n") != 0) {
			diag("%s: %s", refused[i], out.data);
			good = 0;
		}
	}
	ok(good, "tls-required: MAIL RCPT DATA VRFY EXPN AUTH get 530 5.7.0");
	is_str(say(s, "NOOP"), "250 2.0.0 Ok\r\n", "tls-required: NOOP works");
	is_str(say(s, "STARTTLS"), "220 2.0.0 Ready to start TLS\r\n",
	    "tls-required: STARTTLS 220");
	practice_session_tls_started(s);
	ok(strstr(say(s, "EHLO a"), "250-AUTH PLAIN LOGIN\r\n") != NULL &&
	    strstr(out.data, "STARTTLS") == NULL,
	    "tls-required: AUTH offered under TLS");
	is_str(mail_to(s, "t@school.test", "alice@practice.test"),
	    "250 2.1.5 Ok\r\n", "tls-required: then all is normal");
	ok(starts(say(s, "VRFY alice"), "252 2.0.0 "), "tls-required: VRFY");
	practice_session_free(s);
	practice_free(p);
}

/* auth-required: 530 before AUTH, 535 for wrong credentials. */
static void
test_sc_auth_required(void)
{
	struct practice		*p;
	struct practice_session	*s;

	p = scenario("auth-required", NULL, 0, 1);
	s = practice_session_new(p);
	ok(strstr(say(s, "EHLO a"), "250-AUTH PLAIN LOGIN\r\n") != NULL,
	    "auth-required: EHLO offers AUTH PLAIN LOGIN");
	is_str(say(s, "MAIL FROM:<t@school.test>"), "530 5.7.0 Authentication "
	    "required\r\n", "auth-required: MAIL before AUTH 530 5.7.0");
	is_str(say(s, "AUTH PLAIN AGRlbW8Ad3Jvbmc="), "535 5.7.8 Error: "
	    "authentication failed\r\n", "auth-required: wrong password 535");
	is_str(say(s, "MAIL FROM:<t@school.test>"), "530 5.7.0 Authentication "
	    "required\r\n", "auth-required: still 530");
	is_str(say(s, "AUTH PLAIN AGRlbW8AZGVtbw=="), "235 2.7.0 "
	    "Authentication successful\r\n", "auth-required: demo/demo 235");
	is_str(mail_to(s, "demo@practice.test", "x@elsewhere.example"),
	    "250 2.1.5 Ok\r\n", "auth-required: then mail, even relayed");
	practice_session_free(s);
	s = practice_session_new(p);
	is_str(say(s, "MAIL FROM:<t@school.test>"), "503 5.5.1 Error: send "
	    "HELO/EHLO first\r\n", "auth-required: EHLO is still first");
	practice_session_free(s);
	practice_free(p);
}

/* mailbox-full: 452 at RCPT for bob, 552 after the dot for alice. */
static void
test_sc_mailbox_full(void)
{
	struct practice		*p;
	struct practice_session	*s;

	p = scenario("mailbox-full", NULL, 0, 1);
	s = hello(p);
	is_str(mail_to(s, "t@school.test", "bob@practice.test"), "452 4.2.2 "
	    "<bob@practice.test>: Recipient address rejected: Mailbox is "
	    "full\r\n", "mailbox-full: RCPT bob 452 4.2.2 (temporary)");
	is_str(mail_to(s, NULL, "ALICE@practice.test"), "250 2.1.5 Ok\r\n",
	    "mailbox-full: RCPT alice accepted");
	is_str(mail_to(s, NULL, "postmaster@practice.test"),
	    "250 2.1.5 Ok\r\n", "mailbox-full: and postmaster");
	say(s, "DATA");
	say(s, "Subject: hi");
	is_str(say(s, "."), "552 5.2.2 <ALICE@practice.test> Quota exceeded "
	    "(mailbox for user is full)\r\n",
	    "mailbox-full: alice: 552 5.2.2 after the dot (permanent)");
	is_str(mail_to(s, "t@school.test", "postmaster@practice.test"),
	    "250 2.1.5 Ok\r\n", "mailbox-full: a new transaction");
	say(s, "DATA");
	ok(starts(say(s, "."), "250 2.0.0 Ok: queued as "),
	    "mailbox-full: without alice the message is taken");
	practice_session_free(s);
	practice_free(p);
}

/* relay-denied: 554 relay, 553 for our domain without AUTH. */
static void
test_sc_relay_denied(void)
{
	struct practice		*p;
	struct practice_session	*s;

	p = scenario("relay-denied", NULL, 0, 1);
	s = hello(p);
	is_str(mail_to(s, "t@school.test", "x@elsewhere.example"), "554 5.7.1 "
	    "<x@elsewhere.example>: Relay access denied\r\n",
	    "relay-denied: 554 5.7.1 relay");
	is_str(mail_to(s, NULL, "bob@practice.test"), "250 2.1.5 Ok\r\n",
	    "relay-denied: local mail from outside is fine");
	is_str(mail_to(s, "alice@practice.test", "bob@practice.test"),
	    "553 5.7.1 <alice@practice.test>: Sender address rejected: not "
	    "logged in\r\n", "relay-denied: our domain, no AUTH: 553 5.7.1 at "
	    "RCPT");
	is_str(mail_to(s, "bob@Practice.Smtpscope.Test", "x@elsewhere.example"),
	    "553 5.7.1 <bob@Practice.Smtpscope.Test>: Sender address "
	    "rejected: not logged in\r\n", "relay-denied: the sender check "
	    "comes first");
	is_str(mail_to(s, "", "bob@practice.test"), "250 2.1.5 Ok\r\n",
	    "relay-denied: the null sender is fine");
	say(s, "RSET");
	say(s, "AUTH PLAIN AGRlbW8AZGVtbw==");
	is_str(mail_to(s, "alice@practice.test", "x@elsewhere.example"),
	    "250 2.1.5 Ok\r\n", "relay-denied: logged in, both pass");
	practice_session_free(s);
	practice_free(p);
}

/* strict-syntax: no brackets or a blank after the colon: 501 5.5.4. */
static void
test_sc_strict_syntax(void)
{
	struct practice		*p;
	struct practice_session	*s;

	p = scenario("strict-syntax", NULL, 0, 1);
	s = hello(p);
	is_str(say(s, "MAIL FROM:t@school.test"), "501 5.5.4 Syntax: MAIL "
	    "FROM:<address>\r\n", "strict-syntax: MAIL without brackets");
	is_str(say(s, "MAIL FROM: t@school.test"), "501 5.5.4 Syntax: MAIL "
	    "FROM:<address>\r\n", "strict-syntax: MAIL FROM: a@b");
	is_str(say(s, "MAIL FROM: <t@school.test>"), "501 5.5.4 Syntax: MAIL "
	    "FROM:<address>\r\n", "strict-syntax: a blank after the colon");
	is_str(say(s, "MAIL FROM:<t@school.test>"), "250 2.1.0 Ok\r\n",
	    "strict-syntax: MAIL FROM:<address> is fine");
	is_str(say(s, "RCPT TO:bob@practice.test"), "501 5.5.4 Syntax: RCPT "
	    "TO:<address>\r\n", "strict-syntax: RCPT without brackets");
	is_str(say(s, "RCPT TO: <bob@practice.test>"), "501 5.5.4 Syntax: RCPT "
	    "TO:<address>\r\n", "strict-syntax: RCPT TO: <address>");
	is_str(say(s, "rcpt to:<bob@practice.test>"), "250 2.1.5 Ok\r\n",
	    "strict-syntax: the verb's case is free (RFC 5321 2.4)");
	practice_session_free(s);
	practice_free(p);
}

/* size-limit: SIZE 1000000, 552 5.3.4 at MAIL and at the dot. */
static void
test_sc_size_limit(void)
{
	struct practice		*p;
	struct practice_session	*s;
	char			 line[1001];
	int			 i;

	p = scenario("size-limit", NULL, 0, 1);
	s = practice_session_new(p);
	ok(strstr(say(s, "EHLO a"), "\r\n250-SIZE 1000000\r\n") != NULL,
	    "size-limit: SIZE 1000000 advertised");
	is_str(say(s, "MAIL FROM:<t@school.test> SIZE=1000001"), "552 5.3.4 "
	    "Message size exceeds fixed limit\r\n",
	    "size-limit: SIZE= over it 552 5.3.4 at MAIL");
	is_str(say(s, "MAIL FROM:<t@school.test> SIZE=1000000"),
	    "250 2.1.0 Ok\r\n", "size-limit: SIZE=1000000 is fine");
	say(s, "RCPT TO:<alice@practice.test>");
	say(s, "DATA");
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	for (i = 0; i < 998; i++)	/* 998 * 1002 = 999996 bytes */
		say(s, line);
	ok(starts(say(s, "."), "250 2.0.0 Ok: queued"),
	    "size-limit: 999996 bytes pass");
	say(s, "MAIL FROM:<t@school.test>");
	say(s, "RCPT TO:<alice@practice.test>");
	say(s, "DATA");
	for (i = 0; i < 999; i++)	/* 999 * 1002 = 1000998 bytes */
		say(s, line);
	is_str(say(s, "."), "552 5.3.4 Error: message file too big\r\n",
	    "size-limit: 1000998 bytes get 552 5.3.4 at the dot");
	practice_session_free(s);
	practice_free(p);

	p = scenario("size-limit", NULL, 5000, 0);
	s = practice_session_new(p);
	ok(strstr(say(s, "EHLO a"), "\r\n250-SIZE 5000\r\n") != NULL,
	    "size-limit: a smaller configured limit wins");
	practice_session_free(s);
	practice_free(p);

	/* "set size" beats both (a benchmark sends 100 MB). */
	p = scenario("default", "set size 2000\n", 0, 0);
	s = practice_session_new(p);
	ok(strstr(say(s, "EHLO a"), "\r\n250-SIZE 2000\r\n") != NULL,
	    "set size: advertised");
	is_str(say(s, "MAIL FROM:<t@school.test> SIZE=2001"), "552 5.3.4 "
	    "Message size exceeds fixed limit\r\n", "set size: enforced");
	practice_session_free(s);
	practice_free(p);
	p = scenario("size-limit", "set size 104857600\n", 0, 0);
	s = practice_session_new(p);
	ok(strstr(say(s, "EHLO a"), "\r\n250-SIZE 104857600\r\n") != NULL,
	    "set size: beats the scenario's own limit");
	practice_session_free(s);
	practice_free(p);
}

/* slow: the greeting's delay, and early talkers. */
static void
test_sc_slow(void)
{
	struct practice		*p;
	struct practice_session	*s;

	unsetenv(PRACTICE_ENV_SLOW_DELAY);
	p = scenario("slow", NULL, 0, 1);
	s = practice_session_new(p);
	is_str(greet(s), "220 practice.smtpscope.test ESMTP smtpscope practice "
	    "server (scenario slow)\r\n", "slow: greeting");
	is_int(practice_session_delay(s), 3000, "slow: held back 3 s");
	is_int(practice_session_closing(s), 0, "slow: not closing");
	buf_reset(&out);
	is_int(practice_session_pregreet(s, &out), PRACTICE_CLOSE,
	    "slow: talking first closes");
	is_str(out.data, "554 5.5.0 Error: SMTP protocol synchronization\r\n",
	    "slow: with Postfix's 554 5.5.0");
	is_int(practice_session_closing(s), 1, "slow: closing");
	practice_session_free(s);
	s = practice_session_new(p);
	greet(s);
	is_str(say(s, "EHLO a"), out.data, "slow: a patient client");
	ok(starts(out.data, "250-practice.smtpscope.test greets a\r\n"),
	    "gets the usual EHLO reply");
	is_int(practice_session_delay(s), 0, "slow: only the greeting waits");
	practice_session_free(s);
	setenv(PRACTICE_ENV_SLOW_DELAY, "2", 1);
	s = practice_session_new(p);
	greet(s);
	is_int(practice_session_delay(s), 2000, "slow: "
	    PRACTICE_ENV_SLOW_DELAY "=2");
	practice_session_free(s);
	practice_free(p);

	p = scenario("slow", "set slow-delay 1\n", 0, 1);
	s = practice_session_new(p);
	greet(s);
	is_int(practice_session_delay(s), 1000, "slow: set slow-delay 1 beats "
	    "the environment");
	practice_session_free(s);
	practice_free(p);
	unsetenv(PRACTICE_ENV_SLOW_DELAY);

	p = scenario("slow", "delay CONNECT 10\n", 0, 1);
	s = practice_session_new(p);
	greet(s);
	is_int(practice_session_delay(s), 10, "slow: delay CONNECT wins");
	practice_session_free(s);
	practice_free(p);

	p = scenario("default", "delay CONNECT 500\n", 0, 1);
	s = practice_session_new(p);
	greet(s);
	buf_reset(&out);
	is_int(practice_session_pregreet(s, &out), PRACTICE_CONTINUE,
	    "default: an early talker is tolerated");
	is_str(out.data, "", "default: nothing said");
	is_int(practice_session_closing(s), 0, "default: not closing");
	practice_session_free(s);
	practice_free(p);
}

/* pipelining: the first reply of a group is held back. */
static void
test_sc_pipelining(void)
{
	struct practice		*p;
	struct practice_session	*s;
	const char		*lines[] = { "MAIL FROM:<t@school.test>",
	    "RCPT TO:<alice@practice.test>", "RCPT TO:<nobody@practice.test>",
	    "RCPT TO:<bob@practice.test>", "DATA" };
	unsigned		 delays[] = { 50, 0, 0, 0, 0 };
	size_t			 i;
	int			 good = 1;

	p = scenario("pipelining", NULL, 0, 1);
	s = practice_session_new(p);
	ok(starts(greet(s), "220 practice.smtpscope.test ESMTP smtpscope "
	    "practice server (scenario pipelining)\r\n"),
	    "pipelining: greeting");
	ok(strstr(say(s, "EHLO a"), "\r\n250-PIPELINING\r\n") != NULL &&
	    practice_session_delay(s) == 0, "pipelining: EHLO at once");
	buf_reset(&out);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		last_rv = practice_session_line(s, lines[i], strlen(lines[i]),
		    &out);
		if (practice_session_delay(s) != delays[i]) {
			diag("%s: delay %u", lines[i],
			    practice_session_delay(s));
			good = 0;
		}
	}
	ok(good, "pipelining: only the group's first reply is held");
	is_str(out.data, "250 2.1.0 Ok\r\n"
	    "250 2.1.5 Ok\r\n"
	    "550 5.1.1 <nobody@practice.test>: Recipient address rejected: "
	    "User unknown\r\n"
	    "250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n",
	    "pipelining: accepted, unknown, accepted, in order");
	say(s, ".");
	is_int(practice_session_delay(s), 0, "pipelining: the dot at once");
	say(s, "RSET");
	is_int(practice_session_delay(s), 50,
	    "pipelining: RSET starts a group");
	say(s, "MAIL FROM:<>");
	is_int(practice_session_delay(s), 0,
	    "pipelining: MAIL goes on with it");
	say(s, "NOOP");
	is_int(practice_session_delay(s), 0, "pipelining: NOOP ends it");
	say(s, "RCPT TO:<bob@practice.test>");
	is_int(practice_session_delay(s), 50, "pipelining: RCPT after NOOP "
	    "starts a new group");
	practice_session_free(s);
	practice_free(p);

	p = scenario("pipelining", "delay MAIL 7\n", 0, 1);
	s = hello(p);
	say(s, "MAIL FROM:<>");
	is_int(practice_session_delay(s), 7, "pipelining: a delay directive "
	    "wins");
	practice_session_free(s);
	practice_free(p);
}

/* dnsbl: every RCPT refused, naming the client's address. */
static void
test_sc_dnsbl(void)
{
	struct practice		*p;
	struct practice_session	*s;

	p = scenario("dnsbl", NULL, 0, 1);
	s = practice_session_new(p);
	ok(starts(greet(s), "220 practice.smtpscope.test ESMTP smtpscope "
	    "practice server (scenario dnsbl)\r\n"),
	    "dnsbl: a normal greeting");
	say(s, "EHLO a");
	is_str(mail_to(s, "t@school.test", "alice@practice.test"), "554 5.7.1 "
	    "Service unavailable; Client host [127.0.0.1] blocked using "
	    "zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1\r\n",
	    "dnsbl: RCPT alice 554 5.7.1 blocked using zen.spamhaus.org");
	ok(starts(mail_to(s, NULL, "nobody@practice.test"), "554 5.7.1 "
	    "Service unavailable; "), "dnsbl: every RCPT");
	practice_session_free(s);
	s = hello(p);
	practice_session_set_peer(s, "192.0.2.7\r\n");
	is_str(mail_to(s, "t@school.test", "bob@practice.test"), "554 5.7.1 "
	    "Service unavailable; Client host [192.0.2.7??] blocked using "
	    "zen.spamhaus.org; "
	    "https://www.spamhaus.org/query/ip/192.0.2.7??\r\n",
	    "dnsbl: the peer's address, controls not echoed");
	say(s, "RSET");
	say(s, "AUTH PLAIN AGRlbW8AZGVtbw==");
	is_str(mail_to(s, "t@school.test", "bob@practice.test"),
	    "250 2.1.5 Ok\r\n", "dnsbl: an authenticated client passes");
	practice_session_free(s);
	practice_free(p);
}

/* Run the tests. */
int
main(void)
{
	buf_init(&out, 0);
	test_new();
	test_greeting_ehlo();
	test_sequence();
	test_mail_rcpt();
	test_data();
	test_misc_commands();
	test_pipelining();
	test_starttls();
	test_auth();
	test_script();
	test_script_errors();
	test_tls_settings();
	test_tls_files();
	test_scenario_table();
	test_sc_vrfy();
	test_sc_greylist();
	test_sc_greylist_delay();
	test_sc_greylist_students();
	test_sc_closing();
	test_sc_tls_required();
	test_sc_auth_required();
	test_sc_mailbox_full();
	test_sc_relay_denied();
	test_sc_strict_syntax();
	test_sc_size_limit();
	test_sc_slow();
	test_sc_pipelining();
	test_sc_dnsbl();
	buf_release(&out);
	return (done_testing());
}
