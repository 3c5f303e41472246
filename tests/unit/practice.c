/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the practice server's engine (src/practice.c): lines in,
 * exact replies out, no sockets.  Override scripts are written to temporary
 * files and loaded through practice_new().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "practice.h"
#include "tap.h"

static struct buf	 out;
static int		 last_rv;

static struct practice	*server(const char *, size_t, int, char **);
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

/* Make a server with an optional script (written to a temporary file). */
static struct practice *
server(const char *script, size_t size_limit, int tls, char **cause)
{
	struct practice_config	 cfg;
	struct practice		*p;
	char			 path[] = "/tmp/practice-test.XXXXXX";
	int			 fd = -1;

	memset(&cfg, 0, sizeof cfg);
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
	ok(names[0] != NULL && strcmp(names[0], "default") == 0 &&
	    names[1] == NULL, "one scenario: default");
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
	buf_release(&out);
	return (done_testing());
}
