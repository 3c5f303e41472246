/* SPDX-License-Identifier: ISC */
/*
 * A scripted hostile SMTP server for the tests in tests/hostile.
 *
 *	hostile CASE PORTFILE
 *
 * listens on 127.0.0.1 (port 0), writes the port number to PORTFILE,
 * serves one connection the way CASE says and exits.  Every line the
 * client sends is copied to stderr as "C: line", so a test can check what
 * was sent.  Nothing runs longer than 60 seconds.  Most TLS cases only
 * look for the ClientHello's first byte (0x16) and then stall, close or
 * talk plain text; "renegotiate" speaks TLS 1.2 through OpenSSL.
 * "hostile list" prints the cases.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define HOSTILE_LIFETIME	60		/* seconds, at most */
#define HOSTILE_LINE_MAX	8192

/* Hostile text: every escape a terminal might act on. */
#define ESCAPES								\
	"\033[2J\033[H clear, \033]0;owned\007 title, "			\
	"\033]52;c;aGFja2Vk\007 clipboard, "				\
	"\033]8;;http://evil.test/\033\\link\033]8;;\033\\ link, "	\
	"\033[6n status, \033[1234Z unique, \302\2331234Z c1, "		\
	"\233 raw c1, \033P+q544e\033\\ dcs, back\b\b\bspace, del\177, "	\
	"carriage\rreturn"
#define BIDI								\
	"\342\200\252lre \342\200\253rle \342\200\254pdf \342\200\255lro "	\
	"\342\200\256rlo \342\201\246lri \342\201\247rli \342\201\250fsi "	\
	"\342\201\251pdi \342\200\213zwsp \342\200\214zwnj \342\200\215zwj"

/*
 * Other code points that show nothing (Unicode's default-ignorable and
 * format characters): tags (LANGUAGE TAG, TAG LATIN CAPITAL LETTER A,
 * CANCEL TAG), MONGOLIAN VOWEL SEPARATOR, the interlinear annotation
 * characters, variation selectors 16 and 17, Hangul fillers, COMBINING
 * GRAPHEME JOINER; and a combining acute accent on a space.
 */
#define INVISIBLE							\
	"tag \363\240\200\201\363\240\201\201\363\240\201\277 "		\
	"mvs a\341\240\216b annot \357\277\271x\357\277\272y\357\277\273 "	\
	"vs a\357\270\217a\363\240\204\200 "				\
	"hangul \341\205\237\341\205\240\343\205\244\357\276\240 "		\
	"cgj a\315\217b mark \314\201x"

/* Write a string literal that may hold NUL bytes, without its last NUL. */
#define OUT_LITERAL(s)	out((s), sizeof(s) - 1)

/* A command hook: returns 1 when it answered the command itself. */
typedef int hook_fn(const char *, const char *);

struct hostile_case {
	const char	*name;
	void		(*fn)(void);
	const char	*about;
};

static int		 cfd = -1;	/* the client */
static const char	*eol = "\r\n";	/* line end of our replies */
static int		 offer_tls;	/* STARTTLS in the EHLO reply */
static int		 slow;		/* one byte per second */
static const char	*starttls_answer = "220 2.0.0 Ready to start TLS";

static void	out(const void *, size_t);
static void	say(const char *);
static void	reply(const char *);
static int	getcmd(char *, size_t);
static int	get_hello(void);
static void	drain(void);
static void	reset(void);
static void	spew(const char *, const char *, size_t);
static void	ehlo_reply(void);
static void	read_message(void);
static void	dialogue(hook_fn *);
static void	greet(void);
static void	terse(const char *, const char *);

/* Write all of a buffer; leave when the client has gone. */
static void
out(const void *p, size_t len)
{
	const char	*s = p;
	ssize_t		 n;
	size_t		 step;

	while (len > 0) {
		step = slow ? 1 : len;
		n = send(cfd, s, step, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			exit(0);
		s += n;
		len -= (size_t)n;
		if (slow)
			sleep(1);
	}
}

/* Write a string. */
static void
say(const char *s)
{
	out(s, strlen(s));
}

/* Write one reply line with our line end. */
static void
reply(const char *line)
{
	say(line);
	say(eol);
}

/* Read one line from the client (no line end); -1 at the end. */
static int
getcmd(char *b, size_t size)
{
	size_t	len = 0;
	ssize_t	n;
	char	c;

	for (;;) {
		n = read(cfd, &c, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		if (c == '\n')
			break;
		if (len + 1 < size)
			b[len++] = c;
	}
	if (len > 0 && b[len - 1] == '\r')
		len--;
	b[len] = '\0';
	fprintf(stderr, "C: %s\n", b);
	return ((int)len);
}

/* Wait for the first byte after a STARTTLS 220: 0x16 is a ClientHello. */
static int
get_hello(void)
{
	unsigned char	c;
	ssize_t		n;

	do
		n = read(cfd, &c, 1);
	while (n == -1 && errno == EINTR);
	if (n != 1)
		return (-1);
	fprintf(stderr, "C: <byte 0x%02x%s>\n", c, c == 0x16 ?
	    ", a TLS ClientHello" : "");
	return (c);
}

/* Read and forget everything until the client leaves. */
static void
drain(void)
{
	char	b[4096];
	ssize_t	n;

	while ((n = read(cfd, b, sizeof b)) != 0)
		if (n == -1 && errno != EINTR)
			break;
}

/* Close with a TCP reset (SO_LINGER 0) and leave. */
static void
reset(void)
{
	struct linger	l = { 1, 0 };

	setsockopt(cfd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(cfd);
	exit(0);
}

/* Write n lines "head N tail" (N counts from 1), batched. */
static void
spew(const char *head, const char *tail, size_t n)
{
	char	 b[65536];
	size_t	 i, len = 0;
	int	 k;

	for (i = 1; i <= n; i++) {
		k = snprintf(b + len, sizeof b - len, "%s%zu%s\r\n", head, i,
		    tail);
		if (k < 0 || (size_t)k >= sizeof b - len) {
			out(b, len);
			len = 0;
			i--;
			continue;
		}
		len += (size_t)k;
	}
	out(b, len);
}

/* Answer EHLO the ordinary way. */
static void
ehlo_reply(void)
{
	reply("250-hostile.test greets you");
	reply("250-8BITMIME");
	if (offer_tls)
		reply("250-STARTTLS");
	reply("250 SIZE 1000000");
}

/* After 354: read the message up to "." and answer. */
static void
read_message(void)
{
	char	b[HOSTILE_LINE_MAX];

	while (getcmd(b, sizeof b) != -1)
		if (strcmp(b, ".") == 0) {
			reply("250 2.0.0 queued as H0STILE");
			return;
		}
	exit(0);
}

/* Serve commands, letting hook answer first; ends after QUIT or EOF. */
static void
dialogue(hook_fn *hook)
{
	char	line[HOSTILE_LINE_MAX], verb[16];
	size_t	i;

	while (getcmd(line, sizeof line) != -1) {
		for (i = 0; i + 1 < sizeof verb && line[i] != '\0' &&
		    line[i] != ' ' && line[i] != ':'; i++)
			verb[i] = (char)toupper((unsigned char)line[i]);
		verb[i] = '\0';
		if (hook != NULL && hook(verb, line))
			continue;
		if (strcmp(verb, "EHLO") == 0)
			ehlo_reply();
		else if (strcmp(verb, "HELO") == 0)
			reply("250 hostile.test");
		else if (strcmp(verb, "DATA") == 0) {
			reply("354 end with <CRLF>.<CRLF>");
			read_message();
		} else if (strcmp(verb, "QUIT") == 0) {
			reply("221 2.0.0 bye");
			return;
		} else if (strcmp(verb, "VRFY") == 0)
			reply("252 2.0.0 cannot verify");
		else if (strcmp(verb, "MAIL") == 0 ||
		    strcmp(verb, "RCPT") == 0 || strcmp(verb, "RSET") == 0 ||
		    strcmp(verb, "NOOP") == 0)
			reply("250 2.0.0 ok");
		else
			reply("500 5.5.2 command not recognised");
	}
}

/* The ordinary greeting. */
static void
greet(void)
{
	reply("220 hostile.test ESMTP");
}

/* Answer every command with ok, and QUIT with bye. */
static void
terse(const char *ok, const char *bye)
{
	char	b[HOSTILE_LINE_MAX];

	while (getcmd(b, sizeof b) != -1) {
		if (strncasecmp(b, "QUIT", 4) == 0) {
			reply(bye);
			return;
		}
		reply(ok);
	}
}

/* Cases. */

static void
c_no_greeting(void)
{
	drain();
}

static void
c_endless_greeting(void)
{
	for (;;)
		spew("220-hostile.test endless greeting line ", "", 1000);
}

static int
h_normal(const char *verb, const char *line)
{
	(void)verb;
	(void)line;
	return (0);
}

static void
c_huge_line(void)
{
	static char	a[65536];
	int		i;

	memset(a, 'A', sizeof a);
	say("220 hostile.test ");
	for (i = 0; i < 160; i++)		/* 10 MB */
		out(a, sizeof a);
	say("\r\n");
	dialogue(h_normal);
}

static void
c_huge_line_close(void)
{
	static char	a[65536];
	int		i;

	memset(a, 'A', sizeof a);
	say("220 hostile.test ");
	for (i = 0; i < 160; i++)
		out(a, sizeof a);
	sleep(1);
}

static int
h_nul(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "NOOP") != 0)
		return (0);
	OUT_LITERAL("250 2.0.0 ok\0hidden after NUL\0\r\n");
	return (1);
}

static void
c_nul_bytes(void)
{
	OUT_LITERAL("220 hostile.test\0NUL in the greeting ESMTP\r\n");
	dialogue(h_nul);
}

static void
c_bad_utf8(void)
{
	reply("220 hostile.test \377\376 ff fe, \300\257 overlong, "
	    "\355\240\200 surrogate, \342\202 cut short ESMTP");
	dialogue(h_normal);
}

static int
h_escapes(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "EHLO") == 0) {
		reply("250-hostile.test " ESCAPES);
		reply("250-X-\033]52;c;aGFja2Vk\007");
		reply("250 SIZE 1000");
		return (1);
	}
	if (strcmp(verb, "NOOP") == 0) {
		reply("250 2.0.0 " ESCAPES);
		return (1);
	}
	return (0);
}

static void
c_escapes(void)
{
	reply("220 hostile.test " ESCAPES " ESMTP");
	dialogue(h_escapes);
}

static void
c_bare_lf(void)
{
	eol = "\n";
	greet();
	dialogue(h_normal);
}

static void
c_bare_cr(void)
{
	/* No LF ever: the client can never complete a line. */
	eol = "\r";
	greet();
	reply("250-hostile.test bare CR");
	reply("250 after it");
	sleep(2);
}

static void
c_partial_stall(void)
{
	say("220 hostile.test half a greeting");
	drain();
}

static int
h_huge_reply(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "EHLO") != 0)
		return (0);
	spew("250-line ", " of a huge reply", 100000);
	reply("250 end of the huge reply");
	return (1);
}

static void
c_huge_reply(void)
{
	greet();
	dialogue(h_huge_reply);
}

static int
h_mixed(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "EHLO") != 0)
		return (0);
	reply("250-hostile.test");
	reply("251-another code");
	reply("550-a refusal inside");
	reply("250 SIZE 1000");
	return (1);
}

static void
c_mixed_codes(void)
{
	greet();
	dialogue(h_mixed);
}

static int
h_bad_codes(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "NOOP") != 0)
		return (0);
	reply("099 too low");
	reply("600 too high");
	reply("2x0 letters");
	reply("25");
	reply("250x no separator");
	reply("260 second digit above 5");
	reply("250 2.0.0 ok after the garbage");
	return (1);
}

static void
c_bad_codes(void)
{
	greet();
	dialogue(h_bad_codes);
}

static void
c_empty_text(void)
{
	reply("220");
	terse("250", "221");
}

static void
c_early_talker(void)
{
	/* The greeting and an extra reply in one write: nobody asked. */
	say("220 hostile.test ESMTP\r\n250 2.0.0 extra reply before any "
	    "command\r\n");
	dialogue(h_normal);
}

static void
c_greeting_mixed(void)
{
	/* Another reply interleaved with a multi-line greeting. */
	say("220-hostile.test first line\r\n250 2.0.0 interrupting\r\n"
	    "220 hostile.test second greeting\r\n");
	dialogue(h_normal);
}

static int
h_unasked(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "EHLO") != 0)
		return (0);
	say("250-hostile.test\r\n250 SIZE 1000\r\n"
	    "250 2.0.0 reply to nothing\r\n"
	    "550 5.0.0 another reply to nothing\r\n"
	    "354 go ahead (nobody sent DATA)\r\n"
	    "334 VXNlcm5hbWU6\r\n");
	return (1);
}

static void
c_unasked(void)
{
	greet();
	dialogue(h_unasked);
}

static int
h_reset(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "EHLO") != 0)
		return (0);
	say("250-hostile.test\r\n250-PIPELINING\r\n250-SIZE 10");
	usleep(500000);		/* let the client read it first */
	reset();
	return (1);
}

static void
c_reset_mid_reply(void)
{
	greet();
	dialogue(h_reset);
}

static void
c_reset_at_once(void)
{
	reset();
}

static void
c_half_close(void)
{
	char	b[HOSTILE_LINE_MAX];

	greet();
	shutdown(cfd, SHUT_WR);
	while (getcmd(b, sizeof b) != -1)
		;
}

static int
h_injection(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "STARTTLS") != 0)
		return (0);
	say("220 Ready\r\n250 injected \033]52;c;aGFja2Vk\007\r\n");
	drain();
	exit(0);
}

static void
c_starttls_injection(void)
{
	offer_tls = 1;
	greet();
	dialogue(h_injection);
}

static int
h_tls_plain(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "STARTTLS") != 0)
		return (0);
	reply(starttls_answer);
	if (get_hello() == 0x16)
		reply("250 ok \033[1234Z plaintext after the ClientHello");
	drain();
	exit(0);
}

static void
c_starttls_plaintext(void)
{
	offer_tls = 1;
	greet();
	dialogue(h_tls_plain);
}

static int
h_tls_stall(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "STARTTLS") != 0)
		return (0);
	reply(starttls_answer);
	drain();
	exit(0);
}

static void
c_handshake_stall(void)
{
	offer_tls = 1;
	greet();
	dialogue(h_tls_stall);
}

static int
h_tls_close(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "STARTTLS") != 0)
		return (0);
	reply(starttls_answer);
	get_hello();
	close(cfd);
	exit(0);
}

static void
c_handshake_close(void)
{
	offer_tls = 1;
	greet();
	dialogue(h_tls_close);
}

static int
h_late_stall(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "EHLO") == 0) {
		sleep(3);
		ehlo_reply();
		return (1);
	}
	return (h_tls_stall(verb, line));
}

static void
c_late_handshake_stall(void)
{
	offer_tls = 1;
	greet();
	dialogue(h_late_stall);
}

static void
c_slowloris(void)
{
	slow = 1;
	reply("220 s");
	terse("250 k", "221 b");
}

static void
c_slowloris_endless(void)
{
	/* Complete lines, one a second, a greeting that never ends. */
	for (;;) {
		reply("220-slow");
		sleep(1);
	}
}

static int
h_bidi(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "NOOP") != 0)
		return (0);
	reply("250 2.0.0 " BIDI);
	return (1);
}

static void
c_bidi(void)
{
	reply("220 hostile.test " BIDI " ESMTP");
	dialogue(h_bidi);
}

static int
h_invisible(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "NOOP") != 0)
		return (0);
	reply("250 2.0.0 " INVISIBLE);
	return (1);
}

static void
c_invisible(void)
{
	reply("220 hostile.test " INVISIBLE " ESMTP");
	dialogue(h_invisible);
}

static void
c_no_starttls(void)
{
	greet();
	dialogue(h_normal);
}

static int
h_tls_code(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "STARTTLS") != 0)
		return (0);
	reply(starttls_answer);
	return (1);
}

static void
c_starttls_454(void)
{
	offer_tls = 1;
	starttls_answer = "454 4.7.0 TLS not available";
	greet();
	dialogue(h_tls_code);
}

static void
c_starttls_502(void)
{
	offer_tls = 1;
	starttls_answer = "502 5.5.1 command not implemented";
	greet();
	dialogue(h_tls_code);
}

static void
c_starttls_354(void)
{
	offer_tls = 1;
	starttls_answer = "354 go ahead";
	greet();
	dialogue(h_tls_code);
}

static int
h_no_rcpt(const char *verb, const char *line)
{
	char	b[HOSTILE_LINE_MAX];

	(void)line;
	if (strcmp(verb, "RCPT") == 0) {
		reply("550 5.1.1 no such user");
		return (1);
	}
	if (strcmp(verb, "DATA") != 0)
		return (0);
	reply("354 go ahead");
	while (getcmd(b, sizeof b) != -1)
		if (strcmp(b, ".") == 0)
			break;
	reply("554 5.5.1 no valid recipients");
	return (1);
}

static void
c_data_no_rcpt(void)
{
	greet();
	dialogue(h_no_rcpt);
}

static int
h_close_after_dot(const char *verb, const char *line)
{
	char	b[HOSTILE_LINE_MAX];

	(void)line;
	if (strcmp(verb, "DATA") != 0)
		return (0);
	reply("354 go ahead");
	while (getcmd(b, sizeof b) != -1)
		if (strcmp(b, ".") == 0)
			break;
	close(cfd);
	exit(0);
}

static void
c_close_after_dot(void)
{
	greet();
	dialogue(h_close_after_dot);
}

static int
h_caps(const char *verb, const char *line)
{
	char	b[6000];
	size_t	len;
	int	i;

	(void)line;
	if (strcmp(verb, "EHLO") != 0)
		return (0);
	reply("250-hostile.test");
	len = (size_t)snprintf(b, sizeof b, "250-AUTH");
	for (i = 0; i < 800 && len + 8 < sizeof b; i++)
		len += (size_t)snprintf(b + len, sizeof b - len, " M%04d", i);
	reply(b);
	reply("250-X-\033[1234Z-KEYWORD \033]0;owned\007");
	reply("250-");
	spew("250-X-KEYWORD-", " with params", 3000);
	reply("250 STARTTLS");
	return (1);
}

static void
c_caps_overflow(void)
{
	greet();
	dialogue(h_caps);
}

static int
h_auth(const char *verb, const char *line)
{
	char	b[HOSTILE_LINE_MAX];

	(void)line;
	if (strcmp(verb, "EHLO") == 0) {
		reply("250-hostile.test");
		reply("250 AUTH LOGIN PLAIN");
		return (1);
	}
	if (strcmp(verb, "AUTH") != 0)
		return (0);
	/* base64 of "\e]52;c;aGFja2Vk\aUser:" and of "\e[1234ZPass:" */
	reply("334 G101MjtjO2FHRmphMlZrB1VzZXI6");
	if (getcmd(b, sizeof b) == -1)
		exit(0);
	reply("334 G1sxMjM0WlBhc3M6");
	if (getcmd(b, sizeof b) == -1)
		exit(0);
	reply("235 2.7.0 authenticated");
	return (1);
}

static void
c_auth_challenge(void)
{
	greet();
	dialogue(h_auth);
}

static int
h_garbage(const char *verb, const char *line)
{
	unsigned char	b[8192];
	unsigned int	x = 12345;
	size_t		i;

	(void)line;
	if (strcmp(verb, "NOOP") != 0)
		return (0);
	for (i = 0; i < sizeof b; i++) {
		x = x * 1103515245 + 12345;
		b[i] = (unsigned char)(x >> 16);
	}
	out(b, sizeof b);
	say("\r\n250 2.0.0 ok after the garbage\r\n");
	return (1);
}

static void
c_binary_garbage(void)
{
	greet();
	dialogue(h_garbage);
}

static int
h_flood(const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "NOOP") != 0)
		return (0);
	spew("250 2.0.0 flood reply ", "", 20000);
	return (1);
}

static void
c_reply_flood(void)
{
	greet();
	dialogue(h_flood);
}

static int
h_long_lines(const char *verb, const char *line)
{
	char	b[5001];
	int	i;

	(void)line;
	if (strcmp(verb, "NOOP") != 0)
		return (0);
	memset(b, 'L', sizeof b - 1);
	b[sizeof b - 1] = '\0';
	memcpy(b, "250-", 4);
	for (i = 0; i < 10; i++)
		reply(b);
	reply("250 2.0.0 ok");
	return (1);
}

static void
c_long_lines(void)
{
	greet();
	dialogue(h_long_lines);
}

/*
 * A flood meant to fill the client's memory: one reply of 8,000 lines of
 * 4,000 bytes, 32 MB in all, each line within the client's 4096-byte line
 * limit, so all of it is kept unless the dialogue is bounded in bytes.
 */
static int
h_memory_flood(const char *verb, const char *line)
{
	char	b[4001];
	int	i;

	(void)line;
	if (strcmp(verb, "NOOP") != 0)
		return (0);
	memset(b, 'M', sizeof b - 1);
	b[sizeof b - 1] = '\0';
	memcpy(b, "250-", 4);
	for (i = 0; i < 8000; i++) {
		snprintf(b + 4, 16, "%07d", i);
		b[11] = ' ';
		reply(b);
	}
	reply("250 2.0.0 flood done");
	return (1);
}

static void
c_memory_flood(void)
{
	greet();
	dialogue(h_memory_flood);
}

static void
c_greeting_421(void)
{
	reply("421 4.3.2 hostile.test busy, come back later");
	sleep(1);
}

static void
c_tls_on_connect_plain(void)
{
	/* A plaintext server where the client expects implicit TLS. */
	greet();
	if (get_hello() == 0x16)
		reply("500 5.5.1 \033[1234Z that was not SMTP");
	drain();
}

static void
c_tls_on_connect_stall(void)
{
	get_hello();
	drain();
}

/* A TLS 1.2 server context with a throwaway self-signed certificate. */
static SSL_CTX *
tls_server_ctx(void)
{
	SSL_CTX		*ctx;
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*name;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    (key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
		return (NULL);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"hostile.test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, key, EVP_sha256()) == 0 ||
	    SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1)
		return (NULL);
	X509_free(x);
	EVP_PKEY_free(key);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	return (ctx);
}

/*
 * TLS from the first byte (TLS 1.2), a greeting, then a renegotiation
 * request (HelloRequest).  A client that refuses it gets a fatal alert
 * from OpenSSL and the connection ends; one that goes along gets a normal
 * dialogue.
 */
static void
c_renegotiate(void)
{
	const char	*greeting = "220 renegotiating ESMTP\r\n";
	SSL_CTX		*ctx;
	SSL		*ssl;
	char		 line[HOSTILE_LINE_MAX], *p;
	size_t		 len = 0;
	int		 n = 0;

	if ((ctx = tls_server_ctx()) == NULL || (ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(ssl, cfd) != 1 || SSL_accept(ssl) != 1) {
		fprintf(stderr, "hostile: TLS set-up or handshake failed\n");
		ERR_print_errors_fp(stderr);
		return;
	}
	SSL_write(ssl, greeting, (int)strlen(greeting));
	/* Send a HelloRequest; the client answers in its next records. */
	if (SSL_renegotiate(ssl) != 1 || SSL_do_handshake(ssl) != 1) {
		fprintf(stderr, "hostile: cannot ask to renegotiate\n");
		ERR_print_errors_fp(stderr);
		goto out;
	}
	fprintf(stderr, "hostile: renegotiation asked for\n");
	/*
	 * A client that refuses sends a no_renegotiation alert, which
	 * OpenSSL makes fatal here; one that goes along gets a dialogue.
	 */
	while ((n = SSL_read(ssl, line + len, (int)(sizeof line - len - 1))) >
	    0) {
		len += (size_t)n;
		line[len] = '\0';
		while ((p = strstr(line, "\r\n")) != NULL) {
			*p = '\0';
			fprintf(stderr, "C: %s\n", line);
			if (strncasecmp(line, "QUIT", 4) == 0) {
				SSL_write(ssl, "221 b\r\n", 7);
				goto out;
			}
			SSL_write(ssl, "250 k\r\n", 7);
			len -= (size_t)(p + 2 - line);
			memmove(line, p + 2, len + 1);
		}
		if (len >= sizeof line - 1)
			break;
	}
	if (n <= 0) {
		fprintf(stderr, "hostile: SSL_read failed (%d renegotiations "
		    "done)\n", (int)SSL_num_renegotiations(ssl));
		ERR_print_errors_fp(stderr);
	}
out:
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}

static const struct hostile_case cases[] = {
	{ "no-greeting", c_no_greeting, "accept and say nothing" },
	{ "endless-greeting", c_endless_greeting, "220- lines for ever" },
	{ "huge-line", c_huge_line, "a 10 MB greeting line, then normal" },
	{ "huge-line-close", c_huge_line_close, "10 MB, no line end, close" },
	{ "nul-bytes", c_nul_bytes, "NUL bytes in replies" },
	{ "bad-utf8", c_bad_utf8, "invalid UTF-8 in the greeting" },
	{ "escapes", c_escapes, "terminal escape sequences in replies" },
	{ "bare-lf", c_bare_lf, "lines end in LF alone" },
	{ "bare-cr", c_bare_cr, "lines end in CR alone, then close" },
	{ "partial-stall", c_partial_stall, "half a greeting line, stall" },
	{ "huge-reply", c_huge_reply, "a 100,000-line EHLO reply" },
	{ "mixed-codes", c_mixed_codes, "continuation lines, other codes" },
	{ "bad-codes", c_bad_codes, "099, 600, 2x0, 25, 250x, 260" },
	{ "empty-text", c_empty_text, "replies with a code and no text" },
	{ "early-talker", c_early_talker, "an extra reply after the greeting" },
	{ "greeting-mixed", c_greeting_mixed, "a reply inside the greeting" },
	{ "unasked", c_unasked, "replies to commands never sent" },
	{ "reset-mid-reply", c_reset_mid_reply, "TCP reset inside a reply" },
	{ "reset-at-once", c_reset_at_once, "TCP reset before the greeting" },
	{ "half-close", c_half_close, "shutdown(SHUT_WR) after the greeting" },
	{ "starttls-injection", c_starttls_injection, "220 + 250 in one write" },
	{ "starttls-plaintext", c_starttls_plaintext, "plain text for TLS" },
	{ "handshake-stall", c_handshake_stall, "no answer to the ClientHello" },
	{ "handshake-close", c_handshake_close, "close after the ClientHello" },
	{ "late-handshake-stall", c_late_handshake_stall,
	    "EHLO answered after 3 s, then a handshake stall" },
	{ "slowloris", c_slowloris, "one byte a second" },
	{ "slowloris-endless", c_slowloris_endless, "a line a second, for ever" },
	{ "bidi", c_bidi, "BiDi controls and zero-width characters" },
	{ "invisible", c_invisible, "tags, variation selectors, fillers" },
	{ "no-starttls", c_no_starttls, "EHLO without STARTTLS" },
	{ "starttls-454", c_starttls_454, "STARTTLS answered 454" },
	{ "starttls-502", c_starttls_502, "STARTTLS answered 502" },
	{ "starttls-354", c_starttls_354, "STARTTLS answered 354" },
	{ "data-no-rcpt", c_data_no_rcpt, "RCPT refused, DATA gets 354" },
	{ "close-after-dot", c_close_after_dot, "close instead of the verdict" },
	{ "caps-overflow", c_caps_overflow, "absurd EHLO capabilities" },
	{ "auth-challenge", c_auth_challenge, "334 challenges with escapes" },
	{ "binary-garbage", c_binary_garbage, "8 KB of binary noise" },
	{ "reply-flood", c_reply_flood, "20,000 replies to one NOOP" },
	{ "long-lines", c_long_lines, "reply lines over 4096 bytes" },
	{ "memory-flood", c_memory_flood, "32 MB of 4,000-byte reply lines" },
	{ "greeting-421", c_greeting_421, "421 at once, then close" },
	{ "tls-on-connect-plain", c_tls_on_connect_plain, "plain, not TLS" },
	{ "tls-on-connect-stall", c_tls_on_connect_stall, "no ServerHello" },
	{ "renegotiate", c_renegotiate, "TLS 1.2 renegotiation after 220" },
};

int
main(int argc, char **argv)
{
	const struct hostile_case	*hc = NULL;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof sin;
	char				 tmp[4096];
	FILE				*f;
	size_t				 i;
	int				 lfd, one = 1;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
			printf("%-22s %s\n", cases[i].name, cases[i].about);
		return (0);
	}
	if (argc != 3) {
		fprintf(stderr, "usage: hostile CASE PORTFILE | hostile list\n");
		return (2);
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (strcmp(cases[i].name, argv[1]) == 0)
			hc = &cases[i];
	if (hc == NULL) {
		fprintf(stderr, "hostile: no case %s\n", argv[1]);
		return (2);
	}
	signal(SIGPIPE, SIG_IGN);
	alarm(HOSTILE_LIFETIME);

	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		perror("hostile: socket");
		return (1);
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(lfd, 1) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &slen) == -1) {
		perror("hostile: bind");
		return (1);
	}
	/* Write the port whole: to a temporary name, then rename. */
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
	if ((f = fopen(tmp, "w")) == NULL ||
	    fprintf(f, "%d\n", ntohs(sin.sin_port)) < 0 || fclose(f) != 0 ||
	    rename(tmp, argv[2]) == -1) {
		perror("hostile: port file");
		return (1);
	}
	do
		cfd = accept(lfd, NULL, NULL);
	while (cfd == -1 && errno == EINTR);
	if (cfd == -1) {
		perror("hostile: accept");
		return (1);
	}
	close(lfd);
	hc->fn();
	close(cfd);
	return (0);
}
