/* SPDX-License-Identifier: ISC */
/*
 * The practice server's SMTP engine: one struct practice_session per
 * connection, fed one line at a time, answering with the reply bytes.  It
 * does no I/O; practice-server.c moves the bytes.  It follows RFC 5321
 * (SMTP), 1870 (SIZE), 2034 and 3463 (enhanced status codes), 2920
 * (PIPELINING), 3207 (STARTTLS) and 4954 (AUTH), and words its replies the
 * way common MTAs do.  Accepted messages are counted and thrown away.
 *
 * Override scripts
 * ----------------
 * An override script makes the server misbehave on purpose, for tests and
 * for showing a class what a client meets in the wild.  It is a text file
 * with one directive per line; blank lines and lines starting with "#" are
 * ignored, and leading and trailing blanks are dropped.  VERB is an SMTP
 * verb in any case (also unknown ones such as XCLIENT), "CONNECT" for the
 * greeting, or "." for the end of the DATA text.
 *
 *	greeting TEXT		send TEXT as the greeting (= reply CONNECT)
 *	reply VERB TEXT		answer VERB with TEXT instead of the usual reply
 *	reply-raw VERB BYTES	answer VERB with exactly BYTES
 *	close-after VERB	close the connection after answering VERB
 *	delay VERB MS		hold the answer to VERB back for MS milliseconds
 *				(0 to 600000)
 *	set NAME SECONDS	change a scenario setting: greylist-delay (how
 *				long a greylisted triple waits) or slow-delay
 *				(how late the slow scenario greets); 0 to 3600
 *	set cert FILE		serve the PEM certificate chain in FILE (the
 *				server's certificate first) instead of the
 *				self-signed one made in memory
 *	set key FILE		its private key, PEM (default: from the cert
 *				FILE); needs set cert
 *	set tls-min VERSION	the oldest and newest TLS versions offered:
 *	set tls-max VERSION	TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3 (default
 *				TLSv1.2 to TLSv1.3; a tls-max below TLSv1.2
 *				alone makes tls-min TLSv1)
 *	set tls-on-connect yes	TLS from the first byte (implicit TLS, as on
 *				port 465) instead of STARTTLS; yes or no
 *	set close-notify no	hang up without a TLS close_notify, as many
 *				servers do after 221; yes (the default) or no
 *	set size BYTES		the SIZE advertised and enforced, 1 byte to
 *				1 TiB, whatever the scenario (a benchmark
 *				sends 100 MB)
 *	set idle-timeout SECONDS  close a client silent this long (1 to 3600)
 *	set line-timeout SECONDS  close a client that takes this long from
 *				the first byte of a line to its end (1 to 3600)
 *	set client-limit N	connections at once from one address (1 to
 *				65536)
 *	set client-rate N	new connections a minute from one address
 *				(0: no limit, to 1000000)
 *
 * The TLS settings are there to make the server look like a badly set up
 * real one: an expired or self-signed certificate, a weak key or digest,
 * only old protocol versions.  The server lowers its OpenSSL security level
 * to 0 when that is what it takes to serve them (it is the client's job to
 * refuse); they are ignored when TLS is off.  FILE is read when the server
 * starts; a relative name is relative to the current directory.
 *
 * TEXT and BYTES may use the escapes \r \n \t \\ and \xHH (two hex digits),
 * so one directive can write a multi-line or a deliberately broken reply.
 * "greeting" and "reply" add CRLF at the end of TEXT; "reply-raw" adds
 * nothing, so "reply-raw STARTTLS 220 Go\r\n250 injected\r\n" sends both
 * lines in one write.  A verb may have at most one reply (or reply-raw),
 * one close-after and one delay; anything else is an error naming the file
 * and line.
 *
 * What the server does with an overridden verb depends on the code TEXT
 * starts with.  2xx or 3xx: the command still takes effect as usual and only
 * the words change (STARTTLS really starts TLS only when TEXT starts with
 * 220).  421: the command is refused and the connection closed.  Anything
 * else, even no code at all: the command is refused and nothing changes.
 * A greeting starting with 554 leaves a server that answers 503 to
 * everything but QUIT (RFC 5321 3.1); one starting with 421 closes at once.
 * Overrides do not apply to DATA text lines or AUTH responses, and they
 * take precedence over the scenario.  A setting may be set once; "set"
 * beats the environment variables (SMTPSCOPE_GREYLIST_DELAY,
 * SMTPSCOPE_SLOW_DELAY), which beat the defaults.
 *
 * Scenarios
 * ---------
 * practice.h lists what each scenario does.  Their wording follows the
 * servers that behave so in real life: Postfix (530, 535, 552, 553, 554
 * relay and DNSBL replies), Postgrey (the greylisting text), Dovecot's
 * quota service and LMTP (mailbox full), Sendmail (VRFY and EXPN that tell
 * all).  A scenario never needs more than the engine's view of a session,
 * except the client's address (practice_session_set_peer()) and whether it
 * talked before the greeting (practice_session_pregreet()), which only the
 * network side knows.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/buf.h"
#include "base/log.h"
#include "practice/practice.h"
#include "practice/practice-int.h"
#include "base/text.h"
#include "base/xmalloc.h"

/* RFC 5321 4.5.3.1.4: 512 octets per command line, CRLF included. */
#define PRACTICE_CMD_MAX	510
/* RFC 4954 4: AUTH lines and responses may be up to 12288 octets. */
#define PRACTICE_AUTH_MAX	12286
/* RFC 5321 4.5.3.1.8 asks for at least 100 recipients. */
#define PRACTICE_RCPT_MAX	100
/* RFC 5321 4.5.3.1.3: a path is at most 256 octets with its brackets. */
#define PRACTICE_PATH_MAX	256
/* Client text echoed in replies (EHLO name, VRFY argument) is cut here. */
#define PRACTICE_ECHO_MAX	64
#define PRACTICE_VERB_MAX	32
#define PRACTICE_DELAY_MAX	600000
#define PRACTICE_PEER_MAX	64
/* The most "set client-limit" and "set client-rate" take. */
#define PRACTICE_COUNT_MAX	65536
#define PRACTICE_RATE_MAX	1000000

/* What the scenarios name: the DNSBL, Postgrey's help page, a forward. */
#define PRACTICE_DNSBL		"zen.spamhaus.org"
#define PRACTICE_DNSBL_URL	"https://www.spamhaus.org/query/ip/"
#define PRACTICE_POSTGREY_URL	"https://postgrey.schweikert.ch/help/"
#define PRACTICE_MAILING_LIST	"staff"
#define PRACTICE_MOVED_USER	"carol"
#define PRACTICE_MOVED_TO	"carol@elsewhere.example"

enum practice_mode {
	PRACTICE_MODE_COMMAND = 0,	/* reading commands */
	PRACTICE_MODE_DATA,		/* reading message text after 354 */
	PRACTICE_MODE_AUTH_PLAIN,	/* AUTH PLAIN waits for the response */
	PRACTICE_MODE_AUTH_USER,	/* AUTH LOGIN asked for the user name */
	PRACTICE_MODE_AUTH_PASS,	/* AUTH LOGIN asked for the password */
	PRACTICE_MODE_LAST
};

static const char *practice_mode_names[] = {
	"COMMAND",
	"DATA",
	"AUTH_PLAIN",
	"AUTH_USER",
	"AUTH_PASS",
};
_Static_assert(sizeof practice_mode_names / sizeof practice_mode_names[0] ==
    PRACTICE_MODE_LAST, "practice_mode_names does not match the modes");

/* What the value of a "set NAME VALUE" directive is. */
enum practice_set_kind {
	PRACTICE_SET_SECONDS,		/* 0 to PRACTICE_SETTING_MAX */
	PRACTICE_SET_BYTES,		/* 1 to PRACTICE_SIZE_MAX */
	PRACTICE_SET_FILE,		/* a file name: the rest of the line */
	PRACTICE_SET_PROTOCOL,		/* TLSv1 ... TLSv1.3 */
	PRACTICE_SET_YESNO,		/* yes or no */
	PRACTICE_SET_NUMBER		/* a whole number, min to max */
};

#define PRACTICE_HELLO_NONE	0
#define PRACTICE_HELLO_HELO	1
#define PRACTICE_HELLO_EHLO	2

struct practice_session {
	struct practice	*p;
	enum practice_mode mode;
	int		 hello;		/* PRACTICE_HELLO_* */
	int		 tls;		/* TLS is on */
	int		 authenticated;
	int		 in_mail;	/* MAIL accepted, transaction open */
	int		 refusing;	/* 554 greeting: only QUIT works */
	int		 closing;	/* asked to close after the output */
	unsigned	 nrcpt;		/* recipients accepted */
	size_t		 data_bytes;	/* message size so far */
	char		*login_user;	/* AUTH LOGIN user name, decoded */
	size_t		 login_user_len; /* its bytes (it may hold a NUL) */
	unsigned	 serial;	/* session number, for queue ids */
	unsigned	 nmsg;		/* messages ended with "." */
	unsigned	 delay_ms;	/* hold the last output back */
	int		 group_open;	/* pipelining: a group's reply held */
	int		 full_rcpt;	/* mailbox-full: alice is a recipient */
	char		 full_addr[PRACTICE_PATH_MAX]; /* how alice was named */
	char		 mail_from[PRACTICE_PATH_MAX]; /* MAIL FROM address */
	char		 peer[PRACTICE_PEER_MAX]; /* client address */
	char		 name[PRACTICE_PATH_MAX]; /* EHLO name, lower case */
};

struct practice_command {
	const char	*verb;
	int		(*fn)(struct practice_session *, const char *,
			    struct buf *);
	const char	*syntax;	/* HELP VERB; NULL: not implemented */
	const char	*help;
};

static void	practice_set_mode(struct practice_session *,
		    enum practice_mode);
static void	practice_reply(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	practice_multi(struct buf *, const char *, const char *,
		    const char *const *, size_t);
static void	practice_clean(const char *, char *, size_t);
static void	practice_reset(struct practice_session *);
static int	practice_command(struct practice_session *, const char *,
		    size_t, struct buf *);
static int	practice_execute(struct practice_session *,
		    const struct practice_command *, const char *,
		    const char *, struct buf *);
static const struct practice_command *practice_command_find(const char *);
static int	practice_data_line(struct practice_session *, const char *,
		    size_t, struct buf *);
static int	practice_data_end(struct practice_session *, struct buf *);
static int	practice_auth_response(struct practice_session *,
		    const char *, size_t, struct buf *);
static void	practice_auth_plain(struct practice_session *, const char *,
		    size_t, struct buf *);
static void	practice_forget_user(struct practice_session *);
static void	practice_auth_check(struct practice_session *, const char *,
		    const char *, struct buf *);
static int	practice_b64_decode(const char *, size_t, char **, size_t *);
static int	practice_path(const char *, const char **, char *, size_t);
static int	practice_addr_check(const char *, size_t *);
static int	practice_domain_check(const char *);
static int	practice_local_domain(const struct practice_session *,
		    const char *);
static int	practice_local_user(const char *, size_t);
static int	practice_mail_params(struct practice_session *, const char *,
		    struct buf *);

static int	practice_cmd_helo(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_ehlo(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_mail(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_rcpt(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_data(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_rset(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_noop(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_quit(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_vrfy(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_expn(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_help(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_starttls(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_auth(struct practice_session *, const char *,
		    struct buf *);
static int	practice_cmd_notimpl(struct practice_session *, const char *,
		    struct buf *);

static void	practice_vrfy_cannot(struct practice_session *, const char *,
		    struct buf *);
static void	practice_expn_refuse(struct practice_session *, const char *,
		    struct buf *);
static void	practice_vrfy_open(struct practice_session *, const char *,
		    struct buf *);
static void	practice_expn_open(struct practice_session *, const char *,
		    struct buf *);
static void	practice_reveal(struct practice_session *, const char *, int,
		    struct buf *);
static const char *practice_person(const char *, size_t);
static int	practice_is(const char *, size_t, const char *);

static int	practice_gate(struct practice_session *, const char *,
		    struct buf *);
static void	practice_group(struct practice_session *, const char *);
static int	practice_rcpt_accept(struct practice_session *, const char *,
		    size_t, struct buf *);
static uint64_t	practice_digest64(const void *, size_t);
static int	practice_greylist_pass(struct practice_session *,
		    const char *);
static size_t	practice_size_limit(const struct practice_session *);
static long	practice_setting(const struct practice *, const char *,
		    const char *, long);
static int64_t	practice_now(void);
static void	practice_lower(const char *, char *, size_t);

struct practice_rule_index;
static struct practice_rule *practice_rule_get(struct practice_rule **,
		    size_t *, struct practice_rule_index *, const char *);
static int	practice_unescape(const char *, struct buf *, const char **);
static int	practice_set(struct practice_rule **, size_t *, char *,
		    unsigned, const char **);
static const struct practice_rule *practice_rules_setting(
		    const struct practice_rule *, size_t, const char *);
static int	practice_settings_check(const struct practice_rule *, size_t,
		    unsigned *, const char **);
static int	practice_verb_ok(const char *);

static const struct practice_command practice_commands[] = {
	{ "HELO", practice_cmd_helo, "HELO <your host name>",
	  "Say hello the old way (RFC 821): no extensions are listed." },
	{ "EHLO", practice_cmd_ehlo, "EHLO <your host name>",
	  "Say hello and get the list of extensions this server has." },
	{ "MAIL", practice_cmd_mail,
	  "MAIL FROM:<sender> [SIZE=<bytes>] [BODY=7BIT|8BITMIME]",
	  "Start a message; MAIL FROM:<> is the empty sender of bounces." },
	{ "RCPT", practice_cmd_rcpt, "RCPT TO:<recipient>",
	  "Add a recipient; users here: alice, bob, postmaster@"
	  PRACTICE_LOCAL_DOMAIN "." },
	{ "DATA", practice_cmd_data, "DATA",
	  "Send the message after 354 and end it with a line holding \".\"." },
	{ "RSET", practice_cmd_rset, "RSET",
	  "Forget the message in progress; the session stays open." },
	{ "NOOP", practice_cmd_noop, "NOOP",
	  "Do nothing; the server answers 250 (keeps a session alive)." },
	{ "QUIT", practice_cmd_quit, "QUIT",
	  "End the session politely." },
	{ "VRFY", practice_cmd_vrfy, "VRFY <user or address>",
	  "Ask whether a mailbox exists; many servers will not tell." },
	{ "EXPN", practice_cmd_expn, "EXPN <mailing list>",
	  "Ask for the members of a list; usually refused." },
	{ "HELP", practice_cmd_help, "HELP [command]",
	  "List the commands, or show how one of them is used." },
	{ "STARTTLS", practice_cmd_starttls, "STARTTLS",
	  "Switch to TLS after 220, then say EHLO again." },
	{ "AUTH", practice_cmd_auth,
	  "AUTH PLAIN [initial-response] | AUTH LOGIN [initial-response]",
	  "Log in with base64 credentials; the practice account is "
	  PRACTICE_DEMO_USER "/" PRACTICE_DEMO_PASSWORD "." },
	{ "TURN", practice_cmd_notimpl, NULL, NULL },
	{ "ETRN", practice_cmd_notimpl, NULL, NULL },
	{ "BDAT", practice_cmd_notimpl, NULL, NULL },
};
#define PRACTICE_NCOMMANDS \
	(sizeof practice_commands / sizeof practice_commands[0])

/* In the order of enum practice_sc; main() shows them in this order. */
static const struct practice_scenario practice_scenario_table[] = {
	{ "default", "a Postfix-like server: VRFY answers 252, EXPN is "
	  "disabled, relaying needs AUTH", PRACTICE_SC_DEFAULT,
	  practice_vrfy_cannot, practice_expn_refuse },
	{ "vrfy-open", "VRFY and EXPN tell all: 250 with the name, 251 for a "
	  "user who moved, 550 unknown, 553 malformed", PRACTICE_SC_VRFY_OPEN,
	  practice_vrfy_open, practice_expn_open },
	{ "vrfy-hidden", "VRFY never says yes or no (252), EXPN is turned "
	  "off (502)", PRACTICE_SC_VRFY_HIDDEN,
	  practice_vrfy_cannot, practice_expn_refuse },
	{ "greylist", "greylisting as Postgrey does it: a new sender and "
	  "recipient get 450 4.7.1, a retry 10 s later passes",
	  PRACTICE_SC_GREYLIST, practice_vrfy_cannot, practice_expn_refuse },
	{ "busy", "too many connections: the greeting is 421 4.3.2 and the "
	  "server hangs up", PRACTICE_SC_BUSY,
	  practice_vrfy_cannot, practice_expn_refuse },
	{ "shutdown", "the server is going down: the first MAIL gets 421 4.3.2 "
	  "and the connection closes", PRACTICE_SC_SHUTDOWN,
	  practice_vrfy_cannot, practice_expn_refuse },
	{ "tls-required", "mail only over TLS: 530 5.7.0 until STARTTLS, AUTH "
	  "offered only after it", PRACTICE_SC_TLS_REQUIRED,
	  practice_vrfy_cannot, practice_expn_refuse },
	{ "auth-required", "a submission server: 530 5.7.0 until AUTH (demo / "
	  "demo), 535 5.7.8 for a wrong password", PRACTICE_SC_AUTH_REQUIRED,
	  practice_vrfy_cannot, practice_expn_refuse },
	{ "mailbox-full", "over quota: RCPT to bob gets 452 4.2.2 (temporary), "
	  "a message to alice 552 5.2.2 at the final dot",
	  PRACTICE_SC_MAILBOX_FULL, practice_vrfy_cannot,
	  practice_expn_refuse },
	{ "relay-denied", "no open relay: 554 5.7.1 Relay access denied; our "
	  "own domain as sender without AUTH: 553 5.7.1",
	  PRACTICE_SC_RELAY_DENIED, practice_vrfy_cannot,
	  practice_expn_refuse },
	{ "strict-syntax", "RFC 5321 to the letter: FROM:<address> and "
	  "TO:<address>, no blank after the colon, else 501 5.5.4",
	  PRACTICE_SC_STRICT_SYNTAX, practice_vrfy_cannot,
	  practice_expn_refuse },
	{ "size-limit", "SIZE 1000000: a bigger message gets 552 5.3.4, at "
	  "MAIL (SIZE=) or at the final dot", PRACTICE_SC_SIZE_LIMIT,
	  practice_vrfy_cannot, practice_expn_refuse },
	{ "slow", "the greeting comes 3 s late; a client that talks first "
	  "gets 554 5.5.0 and is cut off", PRACTICE_SC_SLOW,
	  practice_vrfy_cannot, practice_expn_refuse },
	{ "pipelining", "replies to a pipelined group come back together and "
	  "in order: accepted, unknown user, accepted", PRACTICE_SC_PIPELINING,
	  practice_vrfy_cannot, practice_expn_refuse },
	{ "dnsbl", "the client is on a blocklist: every RCPT gets 554 5.7.1 "
	  "... blocked using " PRACTICE_DNSBL, PRACTICE_SC_DNSBL,
	  practice_vrfy_cannot, practice_expn_refuse },
};
#define PRACTICE_NSCENARIOS \
	(sizeof practice_scenario_table / sizeof practice_scenario_table[0])
_Static_assert(PRACTICE_NSCENARIOS == PRACTICE_SC_LAST,
    "practice_scenario_table does not match enum practice_sc");

static const char *const practice_scenario_names[PRACTICE_SC_LAST + 1] = {
	"default",
	"vrfy-open",
	"vrfy-hidden",
	"greylist",
	"busy",
	"shutdown",
	"tls-required",
	"auth-required",
	"mailbox-full",
	"relay-denied",
	"strict-syntax",
	"size-limit",
	"slow",
	"pipelining",
	"dnsbl",
	NULL
};

static const char *const practice_local_users[] = {
	"alice", "bob", "postmaster"
};

/* Who the users are, for a VRFY that tells all (Sendmail's form). */
static const struct {
	const char	*user;
	const char	*name;
} practice_people[] = {
	{ "alice", "Alice Example" },
	{ "bob", "Bob Example" },
	{ "postmaster", "Postmaster" },
};

/* The members of the mailing list EXPN shows. */
static const char *const practice_list_members[] = { "alice", "bob" };

/* Return the names of the built-in scenarios. */
const char *const *
practice_scenarios(void)
{
	return (practice_scenario_names);
}

/* Find a scenario by name. */
const struct practice_scenario *
practice_scenario_find(const char *name)
{
	size_t	i;

	if (name == NULL)
		name = "default";
	for (i = 0; i < PRACTICE_NSCENARIOS; i++) {
		if (strcmp(practice_scenario_table[i].name, name) == 0)
			return (&practice_scenario_table[i]);
	}
	return (NULL);
}

/* Return a scenario's one-line description. */
const char *
practice_scenario_describe(const char *name)
{
	const struct practice_scenario	*sc;

	if (name == NULL || (sc = practice_scenario_find(name)) == NULL)
		return (NULL);
	return (sc->summary);
}

/* Start a session on a server. */
struct practice_session *
practice_session_new(struct practice *p)
{
	struct practice_session	*s;

	s = xcalloc(1, sizeof *s);
	s->p = p;
	s->mode = PRACTICE_MODE_COMMAND;
	snprintf(s->peer, sizeof s->peer, "127.0.0.1");
	s->serial = atomic_fetch_add(&p->serial, 1) + 1;
	return (s);
}

/* Free a session. */
void
practice_session_free(struct practice_session *s)
{
	if (s == NULL)
		return;
	practice_forget_user(s);
	free(s);
}

/* Change the input mode; the only place that does. */
static void
practice_set_mode(struct practice_session *s, enum practice_mode mode)
{
	if (s->mode == mode)
		return;
	log_debug("%s: session %u: %s -> %s", __func__, s->serial,
	    practice_mode_names[s->mode], practice_mode_names[mode]);
	s->mode = mode;
}

/* Append one reply line and its CRLF. */
static void
practice_reply(struct buf *out, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(out, fmt, ap);
	va_end(ap);
	buf_add(out, "\r\n", 2);
}

/* Append a multi-line reply: code, optional enhanced code, lines. */
static void
practice_multi(struct buf *out, const char *code, const char *enh,
    const char *const *lines, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		buf_printf(out, "%s%c%s%s%s\r\n", code, i + 1 < n ? '-' : ' ',
		    enh != NULL ? enh : "", enh != NULL ? " " : "", lines[i]);
}

/*
 * Copy client text into dst for echoing in a reply: controls and non-ASCII
 * bytes become '?', and long text is cut with "...".
 */
static void
practice_clean(const char *s, char *dst, size_t size)
{
	size_t	i, n = strlen(s);
	int	cut = 0;

	if (n > size - 1) {
		n = size - 4;
		cut = 1;
	}
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] >= 0x7f)
			dst[i] = '?';
		else
			dst[i] = s[i];
	}
	if (cut) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

/* Forget the mail transaction (RSET, EHLO, end of DATA, TLS). */
static void
practice_reset(struct practice_session *s)
{
	s->in_mail = 0;
	s->nrcpt = 0;
	s->data_bytes = 0;
	s->full_rcpt = 0;
	s->full_addr[0] = '\0';
	s->mail_from[0] = '\0';
}

/* Copy text in lower case (ASCII), cut to fit. */
static void
practice_lower(const char *src, char *dst, size_t size)
{
	size_t	i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++) {
		dst[i] = src[i];
		if (dst[i] >= 'A' && dst[i] <= 'Z')
			dst[i] += 'a' - 'A';
	}
	dst[i] = '\0';
}

/* Return a monotonic time in milliseconds. */
static int64_t
practice_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * Return a scenario setting in seconds: the script's "set NAME", else the
 * environment variable env, else def.  A bad environment value is ignored.
 */
static long
practice_setting(const struct practice *p, const char *name, const char *env,
    long def)
{
	const char	*e;
	char		*end;
	long		 v;
	size_t		 i;

	for (i = 0; i < p->nrules; i++) {
		if (p->rules[i].setting && strcmp(p->rules[i].verb, name) == 0)
			return (p->rules[i].value);
	}
	if ((e = getenv(env)) != NULL && *e != '\0') {
		v = strtol(e, &end, 10);
		if (*e >= '0' && *e <= '9' && *end == '\0' && v >= 0 &&
		    v <= PRACTICE_SETTING_MAX)
			return (v);
		log_debug("%s: %s: not 0 to %d seconds, ignored", __func__,
		    env, PRACTICE_SETTING_MAX);
	}
	return (def);
}

/* Return the size limit this session advertises and enforces. */
static size_t
practice_size_limit(const struct practice_session *s)
{
	const struct practice_rule	*r;

	if ((r = practice_setting_find(s->p, "size")) != NULL)
		return ((size_t)r->value);
	if (s->p->scenario->id == PRACTICE_SC_SIZE_LIMIT &&
	    s->p->size_limit > PRACTICE_SCENARIO_SIZE)
		return (PRACTICE_SCENARIO_SIZE);
	return (s->p->size_limit);
}

/* Append the greeting. */
void
practice_session_greeting(struct practice_session *s, struct buf *out)
{
	const struct practice_rule	*rule;
	enum practice_sc		 id = s->p->scenario->id;

	s->delay_ms = 0;
	rule = practice_rule_find(s->p, "CONNECT");
	if (rule != NULL && rule->reply != NULL) {
		buf_add(out, rule->reply, rule->reply_len);
		if (rule->reply_code == 554)
			s->refusing = 1;
		else if (rule->reply_code == 421)
			s->closing = 1;
	} else if (id == PRACTICE_SC_BUSY) {
		/* RFC 5321 3.8: 421 and close, the client tries later. */
		practice_reply(out, "421 4.3.2 %s Service not available, too "
		    "many connections", s->p->hostname);
		s->closing = 1;
	} else if (id == PRACTICE_SC_DEFAULT) {
		practice_reply(out, "220 %s ESMTP smtpscope practice server",
		    s->p->hostname);
	} else {
		practice_reply(out, "220 %s ESMTP smtpscope practice server "
		    "(scenario %s)", s->p->hostname, s->p->scenario->name);
	}
	if (id == PRACTICE_SC_SLOW) {
		s->delay_ms = (unsigned)practice_setting(s->p, "slow-delay",
		    PRACTICE_ENV_SLOW_DELAY, PRACTICE_SLOW_DELAY) * 1000;
	}
	if (rule != NULL) {
		if (rule->close_after)
			s->closing = 1;
		if (rule->has_delay)
			s->delay_ms = rule->delay_ms;
	}
}

/* Set the client's address. */
void
practice_session_set_peer(struct practice_session *s, const char *addr)
{
	practice_clean(addr, s->peer, sizeof s->peer);
}

/*
 * The client talked before the greeting.  The slow scenario answers as
 * Postfix does when smtpd_forbid_unauth_pipelining catches a client that
 * does not wait (postscreen's pregreet test would say "521 5.5.1 Protocol
 * error"), and hangs up.
 */
int
practice_session_pregreet(struct practice_session *s, struct buf *out)
{
	s->delay_ms = 0;
	if (s->p->scenario->id != PRACTICE_SC_SLOW || s->closing)
		return (PRACTICE_CONTINUE);
	log_debug("%s: session %u: the client talked first", __func__,
	    s->serial);
	practice_reply(out, "554 5.5.0 Error: SMTP protocol synchronization");
	s->closing = 1;
	return (PRACTICE_CLOSE);
}

/* Handle one line. */
int
practice_session_line(struct practice_session *s, const char *line,
    size_t len, struct buf *out)
{
	s->delay_ms = 0;
	switch (s->mode) {
	case PRACTICE_MODE_DATA:
		return (practice_data_line(s, line, len, out));
	case PRACTICE_MODE_AUTH_PLAIN:
	case PRACTICE_MODE_AUTH_USER:
	case PRACTICE_MODE_AUTH_PASS:
		return (practice_auth_response(s, line, len, out));
	default:
		return (practice_command(s, line, len, out));
	}
}

/* Handle a line that was too long to keep. */
int
practice_session_overlong(struct practice_session *s, size_t len,
    struct buf *out)
{
	s->delay_ms = 0;
	if (s->mode == PRACTICE_MODE_DATA) {
		/* Long text lines are accepted (as Postfix does). */
		if (s->data_bytes < (size_t)-1 - len - 2)
			s->data_bytes += len + 2;
		else
			s->data_bytes = (size_t)-1;
		return (PRACTICE_CONTINUE);
	}
	practice_set_mode(s, PRACTICE_MODE_COMMAND);
	practice_reply(out, "500 5.5.6 Error: line too long");
	return (PRACTICE_CONTINUE);
}

/* Reset the session after the TLS handshake (RFC 3207 4.2). */
void
practice_session_tls_started(struct practice_session *s)
{
	s->tls = 1;
	s->hello = PRACTICE_HELLO_NONE;
	s->authenticated = 0;
	practice_forget_user(s);
	practice_reset(s);
	practice_set_mode(s, PRACTICE_MODE_COMMAND);
}

/* Does the session want to close? */
int
practice_session_closing(const struct practice_session *s)
{
	return (s->closing);
}

/* Return the delay asked for the last output. */
unsigned
practice_session_delay(const struct practice_session *s)
{
	return (s->delay_ms);
}

/* Find a command by its upper-case verb. */
static const struct practice_command *
practice_command_find(const char *verb)
{
	size_t	i;

	for (i = 0; i < PRACTICE_NCOMMANDS; i++) {
		if (strcmp(practice_commands[i].verb, verb) == 0)
			return (&practice_commands[i]);
	}
	return (NULL);
}

/* Split a command line into verb and argument, apply overrides, run it. */
static int
practice_command(struct practice_session *s, const char *line, size_t len,
    struct buf *out)
{
	const struct practice_command	*cmd;
	const struct practice_rule	*rule;
	struct buf			 scratch;
	char				 verb[PRACTICE_VERB_MAX + 1], *copy;
	const char			*args;
	size_t				 n, end;
	int				 rv;

	if (len > PRACTICE_AUTH_MAX || (len > PRACTICE_CMD_MAX &&
	    (len < 5 || strncasecmp(line, "AUTH ", 5) != 0))) {
		practice_reply(out, "500 5.5.6 Error: line too long");
		return (PRACTICE_CONTINUE);
	}
	if (memchr(line, '\0', len) != NULL) {
		practice_reply(out, "500 5.5.2 Error: bad syntax");
		return (PRACTICE_CONTINUE);
	}
	copy = xstrndup(line, len);
	end = len;
	while (end > 0 && (copy[end - 1] == ' ' || copy[end - 1] == '\t'))
		copy[--end] = '\0';
	n = strcspn(copy, " ");
	if (n > PRACTICE_VERB_MAX)
		n = 0;	/* no command or rule is this long */
	for (end = 0; end < n; end++) {
		verb[end] = copy[end];
		if (verb[end] >= 'a' && verb[end] <= 'z')
			verb[end] -= 'a' - 'A';
	}
	verb[n] = '\0';
	args = copy + strcspn(copy, " ");
	while (*args == ' ')
		args++;

	cmd = practice_command_find(verb);
	rule = practice_rule_find(s->p, verb);
	if (rule != NULL && rule->reply != NULL) {
		if (rule->reply_code >= 200 && rule->reply_code < 400) {
			buf_init(&scratch, 0);
			rv = practice_execute(s, cmd, verb, args, &scratch);
			buf_release(&scratch);
			if (rv == PRACTICE_STARTTLS && rule->reply_code != 220)
				rv = PRACTICE_CONTINUE;
		} else if (rule->reply_code == 421)
			rv = PRACTICE_CLOSE;
		else
			rv = PRACTICE_CONTINUE;
		buf_add(out, rule->reply, rule->reply_len);
	} else
		rv = practice_execute(s, cmd, verb, args, out);
	if (s->p->scenario->id == PRACTICE_SC_PIPELINING)
		practice_group(s, verb);
	if (rule != NULL) {
		if (rule->close_after)
			rv = PRACTICE_CLOSE;
		if (rule->has_delay)
			s->delay_ms = rule->delay_ms;
	}
	if (rv == PRACTICE_CLOSE)
		s->closing = 1;
	/* An AUTH line holds a secret; all len bytes (trimming put NULs in). */
	OPENSSL_cleanse(copy, len);
	free(copy);
	return (rv);
}

/*
 * The pipelining scenario: hold back the reply to the first command of a
 * group a little, so that the rest of the group (already sent, RFC 2920)
 * arrives and all the replies leave in one write.  RFC 2920 3.1: RSET,
 * MAIL and RCPT may be followed by more commands; anything else ends the
 * group.  A client that does not pipeline only waits the short hold.
 */
static void
practice_group(struct practice_session *s, const char *verb)
{
	if (strcmp(verb, "MAIL") == 0 || strcmp(verb, "RCPT") == 0 ||
	    strcmp(verb, "RSET") == 0) {
		if (!s->group_open)
			s->delay_ms = PRACTICE_GROUP_HOLD;
		s->group_open = 1;
	} else
		s->group_open = 0;
}

/*
 * Refuse a command the scenario does not allow yet; returns -1 when the
 * command may run, else what practice_session_line() returns.
 */
static int
practice_gate(struct practice_session *s, const char *verb, struct buf *out)
{
	static const char *const tls_verbs[] = {
		"MAIL", "RCPT", "DATA", "VRFY", "EXPN", "AUTH"
	};
	size_t			 i;

	switch (s->p->scenario->id) {
	case PRACTICE_SC_TLS_REQUIRED:
		/* Postfix with smtpd_tls_security_level = encrypt. */
		if (s->tls)
			break;
		for (i = 0; i < sizeof tls_verbs / sizeof tls_verbs[0]; i++) {
			if (strcmp(verb, tls_verbs[i]) == 0) {
				practice_reply(out, "530 5.7.0 Must issue a "
				    "STARTTLS command first");
				return (PRACTICE_CONTINUE);
			}
		}
		break;
	case PRACTICE_SC_SHUTDOWN:
		/* RFC 5321 3.8: a server going down answers 421 and closes. */
		if (strcmp(verb, "MAIL") == 0) {
			practice_reply(out, "421 4.3.2 %s Service shutting "
			    "down, closing transmission channel",
			    s->p->hostname);
			return (PRACTICE_CLOSE);
		}
		break;
	default:
		break;
	}
	return (-1);
}

/* Run a command's handler, or refuse it. */
static int
practice_execute(struct practice_session *s,
    const struct practice_command *cmd, const char *verb, const char *args,
    struct buf *out)
{
	int	rv;

	/* RFC 5321 3.1: after a 554 greeting, only QUIT is served. */
	if (s->refusing && strcmp(verb, "QUIT") != 0) {
		practice_reply(out, "503 5.5.1 Error: no SMTP service here");
		return (PRACTICE_CONTINUE);
	}
	if (cmd == NULL) {
		practice_reply(out, "500 5.5.2 Error: command not recognized");
		return (PRACTICE_CONTINUE);
	}
	if ((rv = practice_gate(s, verb, out)) != -1)
		return (rv);
	return (cmd->fn(s, args, out));
}

/* HELO: the old greeting; no extensions. */
static int
practice_cmd_helo(struct practice_session *s, const char *args,
    struct buf *out)
{
	/* RFC 2034 3: no enhanced codes in replies to HELO and EHLO. */
	if (*args == '\0') {
		practice_reply(out, "501 Syntax: HELO hostname");
		return (PRACTICE_CONTINUE);
	}
	practice_reset(s);
	s->hello = PRACTICE_HELLO_HELO;
	practice_lower(args, s->name, sizeof s->name);
	practice_reply(out, "250 %s", s->p->hostname);
	return (PRACTICE_CONTINUE);
}

/* EHLO: greet and list the extensions (RFC 5321 4.1.1.1). */
static int
practice_cmd_ehlo(struct practice_session *s, const char *args,
    struct buf *out)
{
	const char	*lines[10];
	char		 name[PRACTICE_ECHO_MAX], size[64];
	char		 first[PRACTICE_ECHO_MAX + 300];
	size_t		 n = 0;

	if (*args == '\0') {
		practice_reply(out, "501 Syntax: EHLO hostname");
		return (PRACTICE_CONTINUE);
	}
	practice_reset(s);
	s->hello = PRACTICE_HELLO_EHLO;
	practice_lower(args, s->name, sizeof s->name);
	practice_clean(args, name, sizeof name);
	snprintf(first, sizeof first, "%s greets %s", s->p->hostname, name);
	snprintf(size, sizeof size, "SIZE %zu", practice_size_limit(s));
	lines[n++] = first;
	lines[n++] = "PIPELINING";
	lines[n++] = size;
	lines[n++] = "8BITMIME";
	lines[n++] = "ENHANCEDSTATUSCODES";
	if (s->p->ctx != NULL && !s->tls)
		lines[n++] = "STARTTLS";
	/* Postfix's smtpd_tls_auth_only: no AUTH in clear text. */
	if (s->p->scenario->id != PRACTICE_SC_TLS_REQUIRED || s->tls)
		lines[n++] = "AUTH PLAIN LOGIN";
	lines[n++] = "HELP";
	practice_multi(out, "250", NULL, lines, n);
	return (PRACTICE_CONTINUE);
}

/* MAIL FROM:<path> [parameters]: start a transaction. */
static int
practice_cmd_mail(struct practice_session *s, const char *args,
    struct buf *out)
{
	char		 addr[PRACTICE_PATH_MAX];
	const char	*p, *end;

	if (s->hello == PRACTICE_HELLO_NONE) {
		practice_reply(out, "503 5.5.1 Error: send HELO/EHLO first");
		return (PRACTICE_CONTINUE);
	}
	if (s->in_mail) {
		practice_reply(out, "503 5.5.1 Error: nested MAIL command");
		return (PRACTICE_CONTINUE);
	}
	if (s->p->scenario->id == PRACTICE_SC_AUTH_REQUIRED &&
	    !s->authenticated) {
		/* A submission port: log in first (RFC 4954 6). */
		practice_reply(out, "530 5.7.0 Authentication required");
		return (PRACTICE_CONTINUE);
	}
	/*
	 * RFC 5321 4.1.2 has no blank after the colon: the strict scenario
	 * holds to it, the others are lenient like most MTAs.
	 */
	if (strncasecmp(args, "FROM:", 5) != 0 ||
	    (s->p->scenario->id == PRACTICE_SC_STRICT_SYNTAX &&
	    args[5] != '<')) {
		practice_reply(out, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return (PRACTICE_CONTINUE);
	}
	p = args + 5;
	while (*p == ' ')
		p++;
	if (practice_path(p, &end, addr, sizeof addr) != 0 ||
	    (*end != '\0' && *end != ' ')) {
		practice_reply(out, "501 5.1.7 Bad sender address syntax");
		return (PRACTICE_CONTINUE);
	}
	if (practice_mail_params(s, end, out) != 0)
		return (PRACTICE_CONTINUE);
	s->in_mail = 1;
	s->nrcpt = 0;
	snprintf(s->mail_from, sizeof s->mail_from, "%s", addr);
	practice_reply(out, "250 2.1.0 Ok");
	return (PRACTICE_CONTINUE);
}

/* Check MAIL parameters (RFC 1870, 6152, 4954); reply and -1 if bad. */
static int
practice_mail_params(struct practice_session *s, const char *p,
    struct buf *out)
{
	char		 key[PRACTICE_ECHO_MAX];
	const char	*start, *eq;
	size_t		 len, klen, vlen, i;
	unsigned long long size;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return (0);
		start = p;
		len = strcspn(p, " ");
		p += len;
		eq = memchr(start, '=', len);
		klen = eq != NULL ? (size_t)(eq - start) : len;
		vlen = eq != NULL ? len - klen - 1 : 0;
		if (klen == 4 && strncasecmp(start, "SIZE", 4) == 0) {
			size = 0;
			if (eq == NULL || vlen == 0 || vlen > 20) {
				practice_reply(out,
				    "501 5.5.4 Bad SIZE parameter syntax");
				return (-1);
			}
			for (i = 0; i < vlen; i++) {
				if (eq[1 + i] < '0' || eq[1 + i] > '9') {
					practice_reply(out, "501 5.5.4 Bad "
					    "SIZE parameter syntax");
					return (-1);
				}
				if (size <= ~0ULL / 10 - 10)
					size = size * 10 + (eq[1 + i] - '0');
				else
					size = ~0ULL;
			}
			if (size > practice_size_limit(s)) {
				practice_reply(out, "552 5.3.4 Message size "
				    "exceeds fixed limit");
				return (-1);
			}
		} else if (klen == 4 && strncasecmp(start, "BODY", 4) == 0) {
			if (eq == NULL || !((vlen == 4 &&
			    strncasecmp(eq + 1, "7BIT", 4) == 0) ||
			    (vlen == 8 &&
			    strncasecmp(eq + 1, "8BITMIME", 8) == 0))) {
				practice_reply(out,
				    "501 5.5.4 Bad BODY parameter syntax");
				return (-1);
			}
		} else if (klen == 4 && strncasecmp(start, "AUTH", 4) == 0) {
			/* RFC 4954 5: accepted and ignored here. */
			if (eq == NULL || vlen == 0) {
				practice_reply(out,
				    "501 5.5.4 Bad AUTH parameter syntax");
				return (-1);
			}
		} else {
			if (klen >= sizeof key)
				klen = sizeof key - 1;
			memcpy(key, start, klen);
			key[klen] = '\0';
			practice_clean(key, key, sizeof key);
			practice_reply(out, "555 5.5.4 Unsupported option: %s",
			    key);
			return (-1);
		}
	}
}

/* RCPT TO:<path>: add a recipient if it is local or we may relay. */
static int
practice_cmd_rcpt(struct practice_session *s, const char *args,
    struct buf *out)
{
	char		 addr[PRACTICE_PATH_MAX], key[PRACTICE_ECHO_MAX];
	const char	*p, *end;
	size_t		 at;

	if (!s->in_mail) {
		practice_reply(out, "503 5.5.1 Error: need MAIL command");
		return (PRACTICE_CONTINUE);
	}
	if (strncasecmp(args, "TO:", 3) != 0 ||
	    (s->p->scenario->id == PRACTICE_SC_STRICT_SYNTAX &&
	    args[3] != '<')) {
		practice_reply(out, "501 5.5.4 Syntax: RCPT TO:<address>");
		return (PRACTICE_CONTINUE);
	}
	p = args + 3;
	while (*p == ' ')
		p++;
	if (practice_path(p, &end, addr, sizeof addr) != 0 ||
	    (*end != '\0' && *end != ' ') || *addr == '\0') {
		practice_reply(out, "501 5.1.3 Bad recipient address syntax");
		return (PRACTICE_CONTINUE);
	}
	while (*end == ' ')
		end++;
	if (*end != '\0') {
		practice_clean(end, key, sizeof key);
		key[strcspn(key, " =")] = '\0';
		practice_reply(out, "555 5.5.4 Unsupported option: %s", key);
		return (PRACTICE_CONTINUE);
	}
	if (s->nrcpt >= PRACTICE_RCPT_MAX) {
		practice_reply(out, "452 4.5.3 Error: too many recipients");
		return (PRACTICE_CONTINUE);
	}
	/*
	 * Postfix's order: the client's restrictions, the sender's, then the
	 * recipient's (smtpd_delay_reject puts them all at RCPT time).
	 */
	if (s->p->scenario->id == PRACTICE_SC_DNSBL && !s->authenticated) {
		practice_reply(out, "554 5.7.1 Service unavailable; Client "
		    "host [%s] blocked using " PRACTICE_DNSBL "; "
		    PRACTICE_DNSBL_URL "%s", s->peer, s->peer);
		return (PRACTICE_CONTINUE);
	}
	if (s->p->scenario->id == PRACTICE_SC_RELAY_DENIED &&
	    !s->authenticated && (p = strrchr(s->mail_from, '@')) != NULL &&
	    practice_local_domain(s, p + 1)) {
		/* reject_sender_login_mismatch: our domain, not logged in. */
		practice_reply(out, "553 5.7.1 <%s>: Sender address rejected: "
		    "not logged in", s->mail_from);
		return (PRACTICE_CONTINUE);
	}
	practice_addr_check(addr, &at);
	if (addr[at] == '\0') {
		/* RFC 5321 4.5.1: <postmaster> needs no domain. */
		if (strcasecmp(addr, "postmaster") == 0)
			return (practice_rcpt_accept(s, addr, at, out));
		practice_reply(out, "504 5.5.2 <%s>: Recipient address "
		    "rejected: need fully-qualified address", addr);
		return (PRACTICE_CONTINUE);
	}
	if (practice_local_domain(s, addr + at + 1)) {
		if (!practice_local_user(addr, at) &&
		    (s->p->scenario->id != PRACTICE_SC_VRFY_OPEN ||
		    (!practice_is(addr, at, PRACTICE_MOVED_USER) &&
		    !practice_is(addr, at, PRACTICE_MAILING_LIST)))) {
			practice_reply(out, "550 5.1.1 <%s>: Recipient address "
			    "rejected: User unknown", addr);
			return (PRACTICE_CONTINUE);
		}
	} else if (!s->authenticated) {
		practice_reply(out, "554 5.7.1 <%s>: Relay access denied",
		    addr);
		return (PRACTICE_CONTINUE);
	}
	return (practice_rcpt_accept(s, addr, at, out));
}

/*
 * A recipient the server would take; the scenario has the last word
 * (quota, greylisting, a forward).  at is the offset of the "@" or the
 * length.
 */
static int
practice_rcpt_accept(struct practice_session *s, const char *addr,
    size_t at, struct buf *out)
{
	char	domain[PRACTICE_PATH_MAX];
	int	local = addr[at] == '\0' || practice_local_domain(s,
		    addr + at + 1);

	switch (s->p->scenario->id) {
	case PRACTICE_SC_MAILBOX_FULL:
		/*
		 * Postfix asking Dovecot's quota-status service, set to fail
		 * temporarily: bob's mailbox may have room again later.
		 */
		if (local && practice_is(addr, at, "bob")) {
			practice_reply(out, "452 4.2.2 <%s>: Recipient address "
			    "rejected: Mailbox is full", addr);
			return (PRACTICE_CONTINUE);
		}
		if (local && practice_is(addr, at, "alice")) {
			s->full_rcpt = 1;
			snprintf(s->full_addr, sizeof s->full_addr, "%s",
			    addr);
		}
		break;
	case PRACTICE_SC_GREYLIST:
		/* Postfix's permit_sasl_authenticated comes first. */
		if (s->authenticated || practice_greylist_pass(s, addr))
			break;
		practice_lower(local ? (addr[at] != '\0' ? addr + at + 1 :
		    PRACTICE_LOCAL_DOMAIN) : addr + at + 1, domain,
		    sizeof domain);
		practice_reply(out, "450 4.7.1 <%s>: Recipient address "
		    "rejected: Greylisted, see " PRACTICE_POSTGREY_URL
		    "%s.html", addr, domain);
		return (PRACTICE_CONTINUE);
	case PRACTICE_SC_VRFY_OPEN:
		/* RFC 5321 3.4: 251, the server forwards the message. */
		if (local && practice_is(addr, at, PRACTICE_MOVED_USER)) {
			s->nrcpt++;
			practice_reply(out, "251 2.1.5 User not local; will "
			    "forward to <" PRACTICE_MOVED_TO ">");
			return (PRACTICE_CONTINUE);
		}
		break;
	default:
		break;
	}
	s->nrcpt++;
	practice_reply(out, "250 2.1.5 Ok");
	return (PRACTICE_CONTINUE);
}

/* Return the first 8 bytes of the SHA-256 of len bytes (0 on failure). */
static uint64_t
practice_digest64(const void *data, size_t len)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	uint64_t	v = 0;
	size_t		i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < 8)
		return (0);
	for (i = 0; i < 8; i++)
		v = v << 8 | md[i];
	return (v);
}

/*
 * Greylisting as Postgrey does it: the first attempt of a (client address,
 * sender, recipient) triple is refused, a retry once the delay has passed
 * is let through, and so is every later attempt of that triple.  Returns 1
 * when the triple may pass.  Unlike Postgrey, a triple belongs to a
 * student, the client address with the EHLO name, so that the students
 * of a class behind one address each have their own, and what one student
 * adds makes room first from their own (see struct practice_greylist).
 */
static int
practice_greylist_pass(struct practice_session *s, const char *rcpt)
{
	struct practice			*p = s->p;
	struct practice_greylist	*g, *own = NULL, *near = NULL;
	struct practice_greylist	*oldest = NULL;
	unsigned char			 md[EVP_MAX_MD_SIZE];
	unsigned int			 mdlen = 0;
	char				 low[PRACTICE_PATH_MAX];
	struct buf			 key;
	int64_t				 now = practice_now(), delay;
	uint64_t			 student, addr;
	size_t				 i, nown = 0, nnear = 0;

	delay = (int64_t)practice_setting(p, "greylist-delay",
	    PRACTICE_ENV_GREYLIST_DELAY, PRACTICE_GREYLIST_DELAY) * 1000;
	buf_init(&key, 0);
	buf_add(&key, s->peer, strlen(s->peer) + 1);
	addr = practice_digest64(key.data, key.len);
	buf_add(&key, s->name, strlen(s->name) + 1);
	student = practice_digest64(key.data, key.len);
	practice_lower(s->mail_from, low, sizeof low);
	buf_add(&key, low, strlen(low) + 1);
	practice_lower(rcpt, low, sizeof low);
	buf_add(&key, low, strlen(low));
	if (EVP_Digest(key.data, key.len, md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen < PRACTICE_GREYLIST_KEY) {
		buf_release(&key);
		log_debug("%s: SHA-256 failed: not greylisting", __func__);
		return (1);
	}
	buf_release(&key);

	for (i = 0; i < p->ngreylist; i++) {
		g = &p->greylist[i];
		if (memcmp(g->key, md, PRACTICE_GREYLIST_KEY) == 0) {
			g->used = ++p->greylist_uses;
			if (!g->passed && now - g->first >= delay)
				g->passed = 1;
			log_debug("%s: session %u: <%s> seen %lld ms ago: %s",
			    __func__, s->serial, rcpt,
			    (long long)(now - g->first),
			    g->passed ? "pass" : "too early");
			return (g->passed);
		}
		if (g->student == student) {
			nown++;
			if (own == NULL || g->used < own->used)
				own = g;
		}
		if (g->addr == addr) {
			nnear++;
			if (near == NULL || g->used < near->used)
				near = g;
		}
		if (oldest == NULL || g->used < oldest->used)
			oldest = g;
	}
	/*
	 * A new triple.  Make room from this student's own, then from this
	 * address's, and only then from everybody's: the stalest goes.
	 */
	if (nown >= PRACTICE_GREYLIST_STUDENT)
		g = own;
	else if (nnear >= PRACTICE_GREYLIST_ADDR)
		g = near;
	else if (p->ngreylist < PRACTICE_GREYLIST_MAX)
		g = &p->greylist[p->ngreylist++];
	else
		g = oldest;
	memcpy(g->key, md, PRACTICE_GREYLIST_KEY);
	g->student = student;
	g->addr = addr;
	g->first = now;
	g->used = ++p->greylist_uses;
	g->passed = 0;
	log_debug("%s: session %u: <%s> is new: greylisted (the student "
	    "had %zu, the address %zu)", __func__, s->serial, rcpt, nown,
	    nnear);
	return (0);
}

/* Is this domain ours? */
static int
practice_local_domain(const struct practice_session *s, const char *domain)
{
	return (strcasecmp(domain, PRACTICE_LOCAL_DOMAIN) == 0 ||
	    strcasecmp(domain, s->p->hostname) == 0);
}

/* Is this local part one of our users? */
static int
practice_local_user(const char *local, size_t len)
{
	size_t	i;

	for (i = 0; i < sizeof practice_local_users /
	    sizeof practice_local_users[0]; i++) {
		if (strlen(practice_local_users[i]) == len &&
		    strncasecmp(practice_local_users[i], local, len) == 0)
			return (1);
	}
	return (0);
}

/* DATA: start reading the message if there is somebody to send it to. */
static int
practice_cmd_data(struct practice_session *s, const char *args,
    struct buf *out)
{
	if (*args != '\0') {
		practice_reply(out, "501 5.5.4 Syntax: DATA");
		return (PRACTICE_CONTINUE);
	}
	if (!s->in_mail) {
		practice_reply(out, "503 5.5.1 Error: need MAIL command");
		return (PRACTICE_CONTINUE);
	}
	if (s->nrcpt == 0) {
		practice_reply(out, "554 5.5.1 Error: no valid recipients");
		return (PRACTICE_CONTINUE);
	}
	s->data_bytes = 0;
	practice_set_mode(s, PRACTICE_MODE_DATA);
	/* RFC 2034: intermediate replies carry no enhanced code. */
	practice_reply(out, "354 End data with <CR><LF>.<CR><LF>");
	return (PRACTICE_CONTINUE);
}

/* Count one line of message text, or end the message. */
static int
practice_data_line(struct practice_session *s, const char *line, size_t len,
    struct buf *out)
{
	if (len == 1 && line[0] == '.')
		return (practice_data_end(s, out));
	/* RFC 5321 4.5.2: remove the dot a client doubled. */
	if (len > 0 && line[0] == '.')
		len--;
	if (s->data_bytes < (size_t)-1 - len - 2)
		s->data_bytes += len + 2;
	else
		s->data_bytes = (size_t)-1;
	return (PRACTICE_CONTINUE);
}

/* End of DATA: accept the message (and throw it away) or refuse it. */
static int
practice_data_end(struct practice_session *s, struct buf *out)
{
	const struct practice_rule	*rule;
	int				 rv = PRACTICE_CONTINUE;

	practice_set_mode(s, PRACTICE_MODE_COMMAND);
	rule = practice_rule_find(s->p, ".");
	if (rule != NULL && rule->reply != NULL) {
		buf_add(out, rule->reply, rule->reply_len);
		if (rule->reply_code == 421)
			rv = PRACTICE_CLOSE;
	} else if (s->data_bytes > practice_size_limit(s)) {
		practice_reply(out, "552 5.3.4 Error: message file too big");
	} else if (s->p->scenario->id == PRACTICE_SC_MAILBOX_FULL &&
	    s->full_rcpt) {
		/*
		 * Delivery at the end of DATA (Dovecot LMTP behind the server)
		 * finds alice over quota: this message is refused for good.
		 */
		practice_reply(out, "552 5.2.2 <%s> Quota exceeded (mailbox "
		    "for user is full)", s->full_addr);
	} else {
		s->nmsg++;
		practice_reply(out, "250 2.0.0 Ok: queued as %05X%05X",
		    s->serial & 0xfffff, s->nmsg & 0xfffff);
	}
	log_debug("%s: session %u: message of %zu bytes ended", __func__,
	    s->serial, s->data_bytes);
	practice_reset(s);
	if (rule != NULL) {
		if (rule->close_after)
			rv = PRACTICE_CLOSE;
		s->delay_ms = rule->delay_ms;
	}
	if (rv == PRACTICE_CLOSE)
		s->closing = 1;
	return (rv);
}

/* RSET: forget the transaction. */
static int
practice_cmd_rset(struct practice_session *s, const char *args,
    struct buf *out)
{
	if (*args != '\0') {
		practice_reply(out, "501 5.5.4 Syntax: RSET");
		return (PRACTICE_CONTINUE);
	}
	practice_reset(s);
	practice_reply(out, "250 2.0.0 Ok");
	return (PRACTICE_CONTINUE);
}

/* NOOP: nothing; an argument is allowed (RFC 5321 4.1.1.9). */
static int
practice_cmd_noop(struct practice_session *s, const char *args,
    struct buf *out)
{
	practice_reply(out, "250 2.0.0 Ok");
	return (PRACTICE_CONTINUE);
}

/* QUIT: say goodbye and close. */
static int
practice_cmd_quit(struct practice_session *s, const char *args,
    struct buf *out)
{
	practice_reply(out, "221 2.0.0 Bye");
	return (PRACTICE_CLOSE);
}

/* VRFY: the scenario decides what to reveal. */
static int
practice_cmd_vrfy(struct practice_session *s, const char *args,
    struct buf *out)
{
	if (*args == '\0') {
		practice_reply(out, "501 5.5.4 Syntax: VRFY address");
		return (PRACTICE_CONTINUE);
	}
	s->p->scenario->vrfy(s, args, out);
	return (PRACTICE_CONTINUE);
}

/* EXPN: the scenario decides what to reveal. */
static int
practice_cmd_expn(struct practice_session *s, const char *args,
    struct buf *out)
{
	if (*args == '\0') {
		practice_reply(out, "501 5.5.4 Syntax: EXPN mailing-list");
		return (PRACTICE_CONTINUE);
	}
	s->p->scenario->expn(s, args, out);
	return (PRACTICE_CONTINUE);
}

/* Default VRFY: 252, as Postfix answers (RFC 5321 3.5.3). */
static void
practice_vrfy_cannot(struct practice_session *s, const char *arg,
    struct buf *out)
{
	char	what[PRACTICE_ECHO_MAX];

	practice_clean(arg, what, sizeof what);
	practice_reply(out, "252 2.0.0 %s: cannot verify this user, but will "
	    "accept mail for it and attempt delivery", what);
}

/* Default EXPN: turned off, as on most servers. */
static void
practice_expn_refuse(struct practice_session *s, const char *arg,
    struct buf *out)
{
	practice_reply(out, "502 5.5.1 Error: EXPN is disabled on this server");
}

/* Is the local part of len bytes this name (any case)? */
static int
practice_is(const char *local, size_t len, const char *name)
{
	return (strlen(name) == len && strncasecmp(local, name, len) == 0);
}

/* Return the full name of a local user, or NULL. */
static const char *
practice_person(const char *local, size_t len)
{
	size_t	i;

	for (i = 0; i < sizeof practice_people / sizeof practice_people[0];
	    i++) {
		if (practice_is(local, len, practice_people[i].user))
			return (practice_people[i].name);
	}
	return (NULL);
}

/* VRFY that tells all (RFC 5321 3.5.1, worded as Sendmail does). */
static void
practice_vrfy_open(struct practice_session *s, const char *arg,
    struct buf *out)
{
	practice_reveal(s, arg, 0, out);
}

/* EXPN that lists the members of the mailing list (RFC 5321 3.5.2). */
static void
practice_expn_open(struct practice_session *s, const char *arg,
    struct buf *out)
{
	practice_reveal(s, arg, 1, out);
}

/*
 * Answer VRFY or EXPN (expand set) with what the server knows: a user,
 * the user who moved, the mailing list, or nobody.  The argument is a
 * local part or an address, in angle brackets or not (RFC 5321 3.5.1).
 */
static void
practice_reveal(struct practice_session *s, const char *arg, int expand,
    struct buf *out)
{
	char		 addr[PRACTICE_PATH_MAX], what[PRACTICE_ECHO_MAX];
	const char	*name, *lines[4];
	char		 member[4][PRACTICE_ECHO_MAX + 64];
	size_t		 len = strlen(arg), at, i, n = 0;

	practice_clean(arg, what, sizeof what);
	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>') {
		arg++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof addr) {
		practice_reply(out, "553 5.1.3 %s... Bad destination mailbox "
		    "address syntax", what);
		return;
	}
	memcpy(addr, arg, len);
	addr[len] = '\0';
	/* Blanks, a missing local part, two "@": not a mailbox. */
	if (strchr(addr, ' ') != NULL || practice_addr_check(addr, &at) != 0) {
		practice_reply(out, "553 5.1.3 %s... Bad destination mailbox "
		    "address syntax", what);
		return;
	}
	if (addr[at] != '\0' && !practice_local_domain(s, addr + at + 1)) {
		/* RFC 5321 3.5.3: what cannot be checked gets 252. */
		practice_reply(out, "252 2.1.5 %s... Cannot VRFY a remote "
		    "address; send RCPT TO to try delivery", what);
		return;
	}
	if ((name = practice_person(addr, at)) != NULL) {
		addr[at] = '\0';
		practice_lower(addr, addr, sizeof addr);
		practice_reply(out, "250 2.1.5 %s <%s@%s>", name, addr,
		    PRACTICE_LOCAL_DOMAIN);
		return;
	}
	if (practice_is(addr, at, PRACTICE_MOVED_USER)) {
		/* RFC 5321 3.4: a user who moved, and we forward. */
		practice_reply(out, "251 2.1.5 User not local; will forward to "
		    "<" PRACTICE_MOVED_TO ">");
		return;
	}
	if (practice_is(addr, at, PRACTICE_MAILING_LIST)) {
		if (!expand) {
			/* One of RFC 5321 3.5.3's answers for a list. */
			practice_reply(out, "252 2.1.5 %s... Unable to verify "
			    "members of mailing list; use EXPN", what);
			return;
		}
		for (i = 0; i < sizeof practice_list_members /
		    sizeof practice_list_members[0]; i++) {
			name = practice_person(practice_list_members[i],
			    strlen(practice_list_members[i]));
			snprintf(member[n], sizeof member[n], "%s <%s@%s>",
			    name, practice_list_members[i],
			    PRACTICE_LOCAL_DOMAIN);
			lines[n] = member[n];
			n++;
		}
		practice_multi(out, "250", "2.1.5", lines, n);
		return;
	}
	practice_reply(out, "550 5.1.1 %s... User unknown", what);
}

/* HELP [verb]: list the commands or describe one (RFC 5321 4.1.1.8). */
static int
practice_cmd_help(struct practice_session *s, const char *args,
    struct buf *out)
{
	const struct practice_command	*cmd;
	const char			*lines[12];
	char				 verb[PRACTICE_VERB_MAX + 1];
	char				 row[3][80], syntax[200], help[200];
	size_t				 i, n = 0, r = 0, k;

	if (*args == '\0') {
		lines[n++] = "smtpscope practice server: mail is accepted, "
		    "then thrown away.";
		lines[n++] = "Commands:";
		for (i = 0, k = 0; i < PRACTICE_NCOMMANDS; i++) {
			if (practice_commands[i].syntax == NULL)
				continue;
			if (k % 5 == 0) {
				if (k > 0)
					lines[n++] = row[r++];
				row[r][0] = '\0';
			}
			snprintf(row[r] + strlen(row[r]), sizeof row[r] -
			    strlen(row[r]), "    %-8s",
			    practice_commands[i].verb);
			k++;
		}
		lines[n++] = row[r];
		lines[n++] = "Send HELP <command> to see how a command is "
		    "used.";
		lines[n++] = "End of HELP info";
		practice_multi(out, "214", "2.0.0", lines, n);
		return (PRACTICE_CONTINUE);
	}
	for (i = 0; i < sizeof verb - 1 && args[i] != '\0' && args[i] != ' ';
	    i++)
		verb[i] = args[i] >= 'a' && args[i] <= 'z' ?
		    args[i] - ('a' - 'A') : args[i];
	verb[i] = '\0';
	cmd = practice_command_find(verb);
	if (cmd == NULL) {
		practice_reply(out, "504 5.5.1 Error: no HELP for that topic");
		return (PRACTICE_CONTINUE);
	}
	if (cmd->syntax == NULL) {
		snprintf(syntax, sizeof syntax, "%s is not implemented on "
		    "this server.", cmd->verb);
		lines[n++] = syntax;
	} else {
		snprintf(syntax, sizeof syntax, "Syntax: %s", cmd->syntax);
		snprintf(help, sizeof help, "%s", cmd->help);
		lines[n++] = syntax;
		lines[n++] = help;
	}
	lines[n++] = "End of HELP info";
	practice_multi(out, "214", "2.0.0", lines, n);
	return (PRACTICE_CONTINUE);
}

/* STARTTLS: agree, then the caller starts the handshake (RFC 3207). */
static int
practice_cmd_starttls(struct practice_session *s, const char *args,
    struct buf *out)
{
	if (s->p->ctx == NULL) {
		practice_reply(out, "502 5.5.1 Error: command not implemented");
		return (PRACTICE_CONTINUE);
	}
	if (*args != '\0') {
		practice_reply(out, "501 5.5.4 Syntax: STARTTLS");
		return (PRACTICE_CONTINUE);
	}
	if (s->tls) {
		practice_reply(out, "503 5.5.1 Error: TLS already active");
		return (PRACTICE_CONTINUE);
	}
	if (s->in_mail) {
		practice_reply(out, "503 5.5.1 Error: MAIL transaction in "
		    "progress");
		return (PRACTICE_CONTINUE);
	}
	practice_reply(out, "220 2.0.0 Ready to start TLS");
	return (PRACTICE_STARTTLS);
}

/* AUTH mechanism [initial-response] (RFC 4954 4). */
static int
practice_cmd_auth(struct practice_session *s, const char *args,
    struct buf *out)
{
	const char	*ir;
	char		*user;
	size_t		 n, len;

	if (s->hello != PRACTICE_HELLO_EHLO) {
		practice_reply(out, "503 5.5.1 Error: send EHLO first");
		return (PRACTICE_CONTINUE);
	}
	if (s->authenticated) {
		practice_reply(out, "503 5.5.1 Error: already authenticated");
		return (PRACTICE_CONTINUE);
	}
	if (s->in_mail) {
		practice_reply(out, "503 5.5.1 Error: MAIL transaction in "
		    "progress");
		return (PRACTICE_CONTINUE);
	}
	n = strcspn(args, " ");
	if (n == 0) {
		practice_reply(out, "501 5.5.4 Syntax: AUTH mechanism "
		    "[initial-response]");
		return (PRACTICE_CONTINUE);
	}
	ir = args + n;
	while (*ir == ' ')
		ir++;
	if (*ir == '\0')
		ir = NULL;
	if (n == 5 && strncasecmp(args, "PLAIN", 5) == 0) {
		if (ir == NULL) {
			practice_set_mode(s, PRACTICE_MODE_AUTH_PLAIN);
			practice_reply(out, "334 ");
		} else if (strcmp(ir, "=") == 0)
			practice_auth_plain(s, "", 0, out);
		else
			practice_auth_plain(s, ir, strlen(ir), out);
		return (PRACTICE_CONTINUE);
	}
	if (n == 5 && strncasecmp(args, "LOGIN", 5) == 0) {
		if (ir == NULL) {
			practice_set_mode(s, PRACTICE_MODE_AUTH_USER);
			practice_reply(out, "334 VXNlcm5hbWU6");
			return (PRACTICE_CONTINUE);
		}
		if (strcmp(ir, "=") == 0) {
			user = xstrdup("");
			len = 0;
		} else if (practice_b64_decode(ir, strlen(ir), &user,
		    &len) != 0) {
			practice_reply(out, "501 5.5.2 Error: cannot decode "
			    "the response (bad base64)");
			return (PRACTICE_CONTINUE);
		}
		practice_forget_user(s);
		s->login_user = user;
		s->login_user_len = len;
		practice_set_mode(s, PRACTICE_MODE_AUTH_PASS);
		practice_reply(out, "334 UGFzc3dvcmQ6");
		return (PRACTICE_CONTINUE);
	}
	practice_reply(out, "504 5.5.4 Error: unrecognized authentication "
	    "type");
	return (PRACTICE_CONTINUE);
}

/* Handle a client response to a 334 challenge. */
static int
practice_auth_response(struct practice_session *s, const char *line,
    size_t len, struct buf *out)
{
	enum practice_mode	 mode = s->mode;
	char			*text;
	size_t			 tlen;

	practice_set_mode(s, PRACTICE_MODE_COMMAND);
	if (len == 1 && line[0] == '*') {
		/* RFC 4954 4: the client cancelled the exchange. */
		practice_reply(out, "501 5.7.0 Error: authentication "
		    "cancelled");
		return (PRACTICE_CONTINUE);
	}
	if (len > PRACTICE_AUTH_MAX) {
		practice_reply(out, "500 5.5.6 Error: line too long");
		return (PRACTICE_CONTINUE);
	}
	if (mode == PRACTICE_MODE_AUTH_PLAIN) {
		practice_auth_plain(s, line, len, out);
		return (PRACTICE_CONTINUE);
	}
	if (practice_b64_decode(line, len, &text, &tlen) != 0) {
		practice_reply(out, "501 5.5.2 Error: cannot decode the "
		    "response (bad base64)");
		return (PRACTICE_CONTINUE);
	}
	if (mode == PRACTICE_MODE_AUTH_USER) {
		practice_forget_user(s);
		s->login_user = text;
		s->login_user_len = tlen;
		practice_set_mode(s, PRACTICE_MODE_AUTH_PASS);
		practice_reply(out, "334 UGFzc3dvcmQ6");
		return (PRACTICE_CONTINUE);
	}
	practice_auth_check(s, s->login_user != NULL ? s->login_user : "",
	    text, out);
	OPENSSL_cleanse(text, tlen);
	free(text);
	return (PRACTICE_CONTINUE);
}

/* Check an AUTH PLAIN message: authzid NUL authcid NUL password. */
static void
practice_auth_plain(struct practice_session *s, const char *b64, size_t len,
    struct buf *out)
{
	char	*msg, *authc, *pass;
	size_t	 mlen;

	if (practice_b64_decode(b64, len, &msg, &mlen) != 0) {
		practice_reply(out, "501 5.5.2 Error: cannot decode the "
		    "response (bad base64)");
		return;
	}
	authc = memchr(msg, '\0', mlen);
	pass = authc != NULL ? memchr(authc + 1, '\0',
	    mlen - (size_t)(authc + 1 - msg)) : NULL;
	if (authc == NULL || pass == NULL ||
	    memchr(pass + 1, '\0', mlen - (size_t)(pass + 1 - msg)) != NULL ||
	    (authc != msg && strcmp(msg, authc + 1) != 0)) {
		/* Malformed, or acting as somebody else: not allowed. */
		practice_reply(out, "535 5.7.8 Error: authentication failed");
	} else
		practice_auth_check(s, authc + 1, pass + 1, out);
	OPENSSL_cleanse(msg, mlen);
	free(msg);
}

/* Compare credentials with the demo account. */
static void
practice_auth_check(struct practice_session *s, const char *user,
    const char *pass, struct buf *out)
{
	if (strcmp(user, PRACTICE_DEMO_USER) == 0 &&
	    strcmp(pass, PRACTICE_DEMO_PASSWORD) == 0) {
		s->authenticated = 1;
		log_debug("%s: session %u: authenticated", __func__,
		    s->serial);
		practice_reply(out, "235 2.7.0 Authentication successful");
	} else
		practice_reply(out, "535 5.7.8 Error: authentication failed");
	practice_forget_user(s);
}

/*
 * Wipe and free the AUTH LOGIN user name, by its decoded length: a NUL in
 * it would stop strlen() short of the end.
 */
static void
practice_forget_user(struct practice_session *s)
{
	if (s->login_user != NULL) {
		OPENSSL_cleanse(s->login_user, s->login_user_len);
		free(s->login_user);
		s->login_user = NULL;
	}
	s->login_user_len = 0;
}

/*
 * Decode strict base64 (RFC 4648 4: padded, no blanks) into a new
 * NUL-terminated buffer; -1 when the text is not base64.
 */
static int
practice_b64_decode(const char *in, size_t len, char **out, size_t *outlen)
{
	unsigned char	*dst;
	size_t		 i, pad = 0;
	int		 n = 0;
	char		 c;

	if (len % 4 != 0 || len > PRACTICE_AUTH_MAX + 2)
		return (-1);
	for (i = 0; i < len; i++) {
		c = in[i];
		if (c == '=') {
			if (i + 2 < len)
				return (-1);
			pad++;
			continue;
		}
		if (pad != 0)
			return (-1);
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return (-1);
	}
	dst = xmalloc(len / 4 * 3 + 1);
	if (len > 0 && (n = EVP_DecodeBlock(dst, (const unsigned char *)in,
	    (int)len)) < 0) {
		free(dst);
		return (-1);
	}
	*outlen = (size_t)n - pad;
	dst[*outlen] = '\0';
	*out = (char *)dst;
	return (0);
}

/* Reject a command that exists but is not offered here. */
static int
practice_cmd_notimpl(struct practice_session *s, const char *args,
    struct buf *out)
{
	practice_reply(out, "502 5.5.1 Error: command not implemented");
	return (PRACTICE_CONTINUE);
}

/*
 * Parse "<path>" at s (RFC 5321 4.1.2).  Copies the address, without the
 * brackets and any obsolete source route, into addr and points *end past
 * the '>'.  An empty address ("<>") is allowed here.  Returns -1 on bad
 * syntax.
 */
static int
practice_path(const char *s, const char **end, char *addr, size_t size)
{
	const char	*p, *start, *colon;
	size_t		 len, at;
	int		 quoted = 0;

	if (*s != '<')
		return (-1);
	p = s + 1;
	/* "<@relay1,@relay2:user@domain>": the route is ignored (C.1). */
	if (*p == '@') {
		colon = strchr(p, ':');
		if (colon == NULL ||
		    memchr(p, '>', (size_t)(colon - p)) != NULL)
			return (-1);
		p = colon + 1;
	}
	start = p;
	for (; *p != '\0'; p++) {
		if (quoted) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = 0;
		} else if (*p == '"')
			quoted = 1;
		else if (*p == '>')
			break;
	}
	if (*p != '>')
		return (-1);
	len = (size_t)(p - start);
	if (len >= size)
		return (-1);
	memcpy(addr, start, len);
	addr[len] = '\0';
	*end = p + 1;
	if (len > 0 && practice_addr_check(addr, &at) != 0)
		return (-1);
	return (0);
}

/*
 * Check a mailbox: a dot-atom or quoted local part, then optionally "@"
 * and a domain.  Sets *at to the offset of that "@" (or the length when
 * there is no domain); returns -1 on bad syntax.
 */
static int
practice_addr_check(const char *addr, size_t *at)
{
	static const char	 atext[] = "!#$%&'*+-/=?^_`{|}~";
	const char		*p = addr;

	*at = strlen(addr);
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\\')
				p++;
			if (*p < 0x20 || *p >= 0x7f)
				return (-1);
		}
		p++;
	} else {
		for (; *p != '\0' && *p != '@'; p++) {
			if (*p == '.') {
				if (p == addr || p[-1] == '.')
					return (-1);
			} else if (!((*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') ||
			    (*p != '\0' && strchr(atext, *p) != NULL)))
				return (-1);
		}
		if (p == addr || p[-1] == '.')
			return (-1);
	}
	if (p - addr > 64)
		return (-1);
	if (*p == '\0')
		return (0);
	if (*p != '@')
		return (-1);
	*at = (size_t)(p - addr);
	return (practice_domain_check(p + 1));
}

/* Check a domain: LDH labels, or an address literal in brackets. */
static int
practice_domain_check(const char *d)
{
	const char	*p;
	size_t		 label = 0;

	if (*d == '[') {
		for (p = d + 1; *p != ']'; p++) {
			if (*p <= 0x20 || *p >= 0x7f || *p == '[' ||
			    *p == '\\')
				return (-1);
		}
		return (p == d + 1 || p[1] != '\0' ? -1 : 0);
	}
	if (*d == '\0' || strlen(d) > 255)
		return (-1);
	for (p = d; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return (-1);
			label = 0;
		} else if ((*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    (*p == '-' && label > 0)) {
			if (++label > 63)
				return (-1);
		} else
			return (-1);
	}
	return (label == 0 || p[-1] == '-' ? -1 : 0);
}

/* Find the rule for a verb. */
const struct practice_rule *
practice_rule_find(const struct practice *p, const char *verb)
{
	size_t	i;

	for (i = 0; i < p->nrules; i++) {
		if (!p->rules[i].setting &&
		    strcasecmp(p->rules[i].verb, verb) == 0)
			return (&p->rules[i]);
	}
	return (NULL);
}

/* Free parsed rules. */
void
practice_rules_free(struct practice_rule *rules, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(rules[i].verb);
		free(rules[i].reply);
		free(rules[i].text);
	}
	free(rules);
}

/*
 * While a script is read: where each verb's rule is, by a hash of the verb
 * (open addressing, at most half full), and how many rules the array has
 * room for, so that reading n rules takes time linear in n.
 */
struct practice_rule_index {
	size_t	*slots;		/* a rule's index + 1, or 0 */
	size_t	 nslots;	/* 0 or a power of two */
	size_t	 used;
	size_t	 cap;		/* rules allocated */
};

/* FNV-1a hash of a verb. */
static size_t
practice_rule_hash(const char *verb)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *verb != '\0'; verb++) {
		h ^= (unsigned char)*verb;
		h *= 1099511628211ULL;
	}
	return ((size_t)h);
}

/* Put rule i in the index, which has room for it. */
static void
practice_rule_index_put(struct practice_rule_index *ix,
    const struct practice_rule *rules, size_t i)
{
	size_t	h = practice_rule_hash(rules[i].verb) & (ix->nslots - 1);

	while (ix->slots[h] != 0)
		h = (h + 1) & (ix->nslots - 1);
	ix->slots[h] = i + 1;
	ix->used++;
}

/* Return the rule for a verb, adding an empty one if needed. */
static struct practice_rule *
practice_rule_get(struct practice_rule **rules, size_t *n,
    struct practice_rule_index *ix, const char *verb)
{
	struct practice_rule	*r;
	size_t			 h, i;

	if (ix->nslots > 0) {
		h = practice_rule_hash(verb) & (ix->nslots - 1);
		for (; ix->slots[h] != 0; h = (h + 1) & (ix->nslots - 1)) {
			r = &(*rules)[ix->slots[h] - 1];
			if (strcmp(r->verb, verb) == 0)
				return (r);
		}
	}
	if (*n == ix->cap) {
		ix->cap = ix->cap < 16 ? 16 : ix->cap * 2;
		*rules = xreallocarray(*rules, ix->cap, sizeof **rules);
	}
	r = &(*rules)[(*n)++];
	memset(r, 0, sizeof *r);
	r->verb = xstrdup(verb);
	if (2 * (ix->used + 1) > ix->nslots) {
		free(ix->slots);
		ix->nslots = ix->nslots == 0 ? 64 : ix->nslots * 2;
		ix->slots = xcalloc(ix->nslots, sizeof *ix->slots);
		ix->used = 0;
		for (i = 0; i < *n; i++) {
			if (!(*rules)[i].setting)
				practice_rule_index_put(ix, *rules, i);
		}
	} else
		practice_rule_index_put(ix, *rules, *n - 1);
	return (r);
}

/* Is this a verb a rule may name: letters, digits and '-', or "."? */
static int
practice_verb_ok(const char *verb)
{
	size_t	i, n = strlen(verb);

	if (strcmp(verb, ".") == 0)
		return (1);
	if (n == 0 || n > PRACTICE_VERB_MAX)
		return (0);
	for (i = 0; i < n; i++) {
		if (!((verb[i] >= 'A' && verb[i] <= 'Z') ||
		    (verb[i] >= '0' && verb[i] <= '9') || verb[i] == '-'))
			return (0);
	}
	return (1);
}

/* Decode the escapes of a directive's text; -1 and *why on error. */
static int
practice_unescape(const char *s, struct buf *b, const char **why)
{
	int	hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			buf_addch(b, *s);
			continue;
		}
		switch (*++s) {
		case 'r':
			buf_addch(b, '\r');
			break;
		case 'n':
			buf_addch(b, '\n');
			break;
		case 't':
			buf_addch(b, '\t');
			break;
		case '\\':
			buf_addch(b, '\\');
			break;
		case 'x':
			hi = s[1] == '\0' ? -1 : OPENSSL_hexchar2int(s[1]);
			lo = hi < 0 || s[2] == '\0' ? -1 :
			    OPENSSL_hexchar2int(s[2]);
			if (lo < 0) {
				*why = "\\x needs two hex digits";
				return (-1);
			}
			buf_addch(b, hi * 16 + lo);
			s += 2;
			break;
		default:
			*why = "unknown escape (use \\r \\n \\t \\\\ \\xHH)";
			return (-1);
		}
	}
	return (0);
}

/*
 * Parse "NAME VALUE" of a set directive on line lineno into a setting
 * rule: seconds for the delays, a file name for cert and key (the rest of
 * the line, blanks and all), a protocol version for tls-min and tls-max,
 * yes or no for tls-on-connect and close-notify, a number in its own
 * range for the class limits (idle-timeout, line-timeout, client-limit,
 * client-rate).
 */
static int
practice_set(struct practice_rule **rules, size_t *n, char *args,
    unsigned lineno, const char **why)
{
	static const struct {
		const char		*name;
		enum practice_set_kind	 kind;
		long			 min;	/* PRACTICE_SET_NUMBER */
		long			 max;
		const char		*why;
	} names[] = {
		{ "greylist-delay", PRACTICE_SET_SECONDS, 0, 0, NULL },
		{ "slow-delay", PRACTICE_SET_SECONDS, 0, 0, NULL },
		{ "size", PRACTICE_SET_BYTES, 0, 0, NULL },
		{ "cert", PRACTICE_SET_FILE, 0, 0, NULL },
		{ "key", PRACTICE_SET_FILE, 0, 0, NULL },
		{ "tls-min", PRACTICE_SET_PROTOCOL, 0, 0, NULL },
		{ "tls-max", PRACTICE_SET_PROTOCOL, 0, 0, NULL },
		{ "tls-on-connect", PRACTICE_SET_YESNO, 0, 0, NULL },
		{ "close-notify", PRACTICE_SET_YESNO, 0, 0, NULL },
		{ "idle-timeout", PRACTICE_SET_NUMBER, 1, PRACTICE_SETTING_MAX,
		  "set idle-timeout wants seconds, 1 to 3600" },
		{ "line-timeout", PRACTICE_SET_NUMBER, 1, PRACTICE_SETTING_MAX,
		  "set line-timeout wants seconds, 1 to 3600" },
		{ "client-limit", PRACTICE_SET_NUMBER, 1, PRACTICE_COUNT_MAX,
		  "set client-limit wants connections, 1 to 65536" },
		{ "client-rate", PRACTICE_SET_NUMBER, 0, PRACTICE_RATE_MAX,
		  "set client-rate wants connections a minute, 0 (no limit) "
		  "to 1000000" },
	};
	static const struct {
		const char	*name;
		long		 version;
	} protocols[] = {
		{ "TLSv1", TLS1_VERSION },
		{ "TLSv1.0", TLS1_VERSION },
		{ "TLSv1.1", TLS1_1_VERSION },
		{ "TLSv1.2", TLS1_2_VERSION },
		{ "TLSv1.3", TLS1_3_VERSION },
	};
	struct practice_rule	*r;
	char			*value, *end, *text = NULL;
	long			 v = 0;
	size_t			 i, j;

	value = args + strcspn(args, " \t");
	if (*value != '\0')
		*value++ = '\0';
	value += strspn(value, " \t");
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(args, names[i].name) == 0)
			break;
	}
	if (i == sizeof names / sizeof names[0]) {
		*why = "set knows greylist-delay, slow-delay, size, cert, "
		    "key, tls-min, tls-max, tls-on-connect, close-notify, "
		    "idle-timeout, line-timeout, client-limit and client-rate";
		return (-1);
	}
	switch (names[i].kind) {
	case PRACTICE_SET_SECONDS:
		v = strtol(value, &end, 10);
		if (*value < '0' || *value > '9' || *end != '\0' || v < 0 ||
		    v > PRACTICE_SETTING_MAX) {
			*why = "set wants seconds, 0 to 3600";
			return (-1);
		}
		break;
	case PRACTICE_SET_BYTES:
		errno = 0;
		v = strtol(value, &end, 10);
		if (*value < '0' || *value > '9' || *end != '\0' || errno != 0 ||
		    v < 1 || v > PRACTICE_SIZE_MAX) {
			*why = "set size wants bytes, 1 to 1099511627776";
			return (-1);
		}
		break;
	case PRACTICE_SET_FILE:
		if (*value == '\0') {
			*why = "set cert and set key want a PEM file name";
			return (-1);
		}
		break;
	case PRACTICE_SET_PROTOCOL:
		for (j = 0; j < sizeof protocols / sizeof protocols[0]; j++) {
			if (strcasecmp(value, protocols[j].name) == 0)
				break;
		}
		if (j == sizeof protocols / sizeof protocols[0]) {
			*why = "set tls-min and tls-max want TLSv1, TLSv1.1, "
			    "TLSv1.2 or TLSv1.3";
			return (-1);
		}
		v = protocols[j].version;
		break;
	case PRACTICE_SET_YESNO:
		if (strcmp(value, "yes") == 0)
			v = 1;
		else if (strcmp(value, "no") == 0)
			v = 0;
		else {
			*why = strcmp(args, "close-notify") == 0 ?
			    "set close-notify wants yes or no" :
			    "set tls-on-connect wants yes or no";
			return (-1);
		}
		break;
	case PRACTICE_SET_NUMBER:
		errno = 0;
		v = strtol(value, &end, 10);
		if (*value < '0' || *value > '9' || *end != '\0' || errno != 0 ||
		    v < names[i].min || v > names[i].max) {
			*why = names[i].why;
			return (-1);
		}
		break;
	}
	for (j = 0; j < *n; j++) {
		if ((*rules)[j].setting &&
		    strcmp((*rules)[j].verb, args) == 0) {
			*why = "second set for this setting";
			return (-1);
		}
	}
	if (names[i].kind == PRACTICE_SET_FILE)
		text = xstrdup(value);
	*rules = xreallocarray(*rules, *n + 1, sizeof **rules);
	r = &(*rules)[(*n)++];
	memset(r, 0, sizeof *r);
	r->verb = xstrdup(args);
	r->setting = 1;
	r->value = v;
	r->text = text;
	r->line = lineno;
	return (0);
}

/* Find a setting in parsed rules. */
static const struct practice_rule *
practice_rules_setting(const struct practice_rule *rules, size_t n,
    const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (rules[i].setting && strcmp(rules[i].verb, name) == 0)
			return (&rules[i]);
	}
	return (NULL);
}

/* Find a setting. */
const struct practice_rule *
practice_setting_find(const struct practice *p, const char *name)
{
	return (practice_rules_setting(p->rules, p->nrules, name));
}

/*
 * Check the settings that only make sense together; -1 with *why and
 * *lineno (the line to blame) when they do not.
 */
static int
practice_settings_check(const struct practice_rule *rules, size_t n,
    unsigned *lineno, const char **why)
{
	const struct practice_rule	*lo, *hi, *cert, *key;

	lo = practice_rules_setting(rules, n, "tls-min");
	hi = practice_rules_setting(rules, n, "tls-max");
	if (lo != NULL && hi != NULL && lo->value > hi->value) {
		*lineno = lo->line > hi->line ? lo->line : hi->line;
		*why = "tls-min is above tls-max";
		return (-1);
	}
	cert = practice_rules_setting(rules, n, "cert");
	key = practice_rules_setting(rules, n, "key");
	if (key != NULL && cert == NULL) {
		*lineno = key->line;
		*why = "set key needs set cert";
		return (-1);
	}
	return (0);
}

/* Parse an override script. */
int
practice_rules_parse(const char *text, size_t len, const char *name,
    struct practice_rule **rulesp, size_t *nrulesp, char **cause)
{
	struct practice_rule	*rules = NULL, *r;
	struct practice_rule_index ix;
	size_t			 nrules = 0, n, i;
	unsigned		 lineno = 0;
	const char		*p = text, *nl, *why = NULL, *rverb;
	char			*line = NULL, *word, *verb, *rest, *esc;
	char			*endp;
	struct buf		 b;
	long			 ms;

	memset(&ix, 0, sizeof ix);
	while (p < text + len) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(text + len - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(text + len - p);
		free(line);
		line = xstrndup(p, n);
		p += n + (nl != NULL);
		if (strlen(line) != n) {
			why = "NUL byte in the line";
			goto fail;
		}
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
		    line[n - 1] == '\t'))
			line[--n] = '\0';
		word = line + strspn(line, " \t");
		if (*word == '\0' || *word == '#')
			continue;
		verb = word + strcspn(word, " \t");
		if (*verb != '\0')
			*verb++ = '\0';
		verb += strspn(verb, " \t");
		if (strcmp(word, "set") == 0) {
			if (practice_set(&rules, &nrules, verb, lineno,
			    &why) != 0)
				goto fail;
			/* It made the array exactly that long. */
			ix.cap = nrules;
			continue;
		}
		if (strcmp(word, "greeting") == 0) {
			/* The whole rest of the line is the text. */
			rest = verb;
			rverb = "CONNECT";
		} else if (strcmp(word, "reply") == 0 ||
		    strcmp(word, "reply-raw") == 0 ||
		    strcmp(word, "close-after") == 0 ||
		    strcmp(word, "delay") == 0) {
			rest = verb + strcspn(verb, " \t");
			if (*rest != '\0')
				*rest++ = '\0';
			rest += strspn(rest, " \t");
			for (i = 0; verb[i] != '\0'; i++) {
				if (verb[i] >= 'a' && verb[i] <= 'z')
					verb[i] -= 'a' - 'A';
			}
			rverb = verb;
		} else {
			esc = text_escape_dup(word, strlen(word));
			*cause = xasprintf("%s:%u: unknown directive \"%s\"",
			    name, lineno, esc);
			free(esc);
			goto fail_cause;
		}
		if (*rverb == '\0') {
			why = "missing verb";
			goto fail;
		}
		if (!practice_verb_ok(rverb)) {
			why = "a verb is letters, digits and '-', or \".\"";
			goto fail;
		}
		r = practice_rule_get(&rules, &nrules, &ix, rverb);
		if (strcmp(word, "close-after") == 0) {
			if (*rest != '\0') {
				why = "close-after takes only a verb";
				goto fail;
			}
			if (r->close_after) {
				why = "second close-after for this verb";
				goto fail;
			}
			r->close_after = 1;
		} else if (strcmp(word, "delay") == 0) {
			ms = strtol(rest, &endp, 10);
			if (*rest < '0' || *rest > '9' || *endp != '\0' ||
			    ms < 0 || ms > PRACTICE_DELAY_MAX) {
				why = "delay wants milliseconds, 0 to 600000";
				goto fail;
			}
			if (r->has_delay) {
				why = "second delay for this verb";
				goto fail;
			}
			r->has_delay = 1;
			r->delay_ms = (unsigned)ms;
		} else {
			if (*rest == '\0') {
				why = "missing reply text";
				goto fail;
			}
			if (r->reply != NULL) {
				why = "second reply for this verb";
				goto fail;
			}
			buf_init(&b, 0);
			if (practice_unescape(rest, &b, &why) != 0) {
				buf_release(&b);
				goto fail;
			}
			r->raw = strcmp(word, "reply-raw") == 0;
			if (!r->raw)
				buf_add(&b, "\r\n", 2);
			if (b.len >= 3 && b.data[0] >= '1' &&
			    b.data[0] <= '9' && b.data[1] >= '0' &&
			    b.data[1] <= '9' && b.data[2] >= '0' &&
			    b.data[2] <= '9')
				r->reply_code = (b.data[0] - '0') * 100 +
				    (b.data[1] - '0') * 10 + (b.data[2] - '0');
			r->reply = buf_detach(&b, &r->reply_len);
		}
	}
	if (practice_settings_check(rules, nrules, &lineno, &why) != 0)
		goto fail;
	free(line);
	free(ix.slots);
	*rulesp = rules;
	*nrulesp = nrules;
	return (0);

fail:
	*cause = xasprintf("%s:%u: %s", name, lineno, why);
fail_cause:
	free(line);
	free(ix.slots);
	practice_rules_free(rules, nrules);
	return (-1);
}
