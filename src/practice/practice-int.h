/* SPDX-License-Identifier: ISC */
/*
 * Private interface between the practice server's engine (practice.c) and
 * its network side (practice-server.c).  Nothing outside those two files and
 * their unit tests includes this header.
 */
#ifndef PRACTICE_INT_H
#define PRACTICE_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct buf;
struct practice_client;
struct practice_session;

#define PRACTICE_LISTEN_MAX	8
/*
 * Unsent replies per client: past this the server reads nothing more from
 * that client (and answers none of its lines already read) until the
 * client has read enough.  One line's replies may go over it, never more.
 */
#define PRACTICE_OUT_MAX	(64 * 1024)
/*
 * Addresses remembered for the per-address limits: every one with a
 * connection open, and this many more that connected in the last minute.
 */
#define PRACTICE_HOSTS_SPARE	1024

/*
 * One client address, for the per-address limits: its connections open,
 * and the connections it opened in the minute that started at window.
 */
struct practice_host {
	char		 addr[64];
	size_t		 open;
	int64_t		 window;	/* ms (monotonic) */
	unsigned	 opened;	/* accepted since window */
};

/*
 * One override rule, gathered from all script directives naming the same
 * verb.  The verb is upper case; "CONNECT" stands for the greeting and "."
 * for the end of DATA.
 */
struct practice_rule {
	char		*verb;		/* or a setting's name, lower case */
	int		 setting;	/* a "set NAME VALUE" directive */
	long		 value;		/* the setting's value */
	char		*text;		/* a setting's file name, or NULL */
	unsigned	 line;		/* a setting's line in the script */
	char		*reply;		/* bytes to send instead, or NULL */
	size_t		 reply_len;
	int		 reply_code;	/* its three-digit code, or 0 */
	int		 raw;		/* reply-raw: no CRLF was added */
	int		 close_after;
	unsigned	 delay_ms;
	int		 has_delay;
};

/*
 * The scenarios, in the order of practice_scenarios().  Each one makes the
 * server behave as a real server does in one situation worth teaching; the
 * engine tests the id where a scenario departs from the default.
 */
enum practice_sc {
	PRACTICE_SC_DEFAULT = 0,	/* Postfix-like, nothing special */
	PRACTICE_SC_VRFY_OPEN,		/* VRFY and EXPN reveal users */
	PRACTICE_SC_VRFY_HIDDEN,	/* VRFY 252, EXPN 502 */
	PRACTICE_SC_GREYLIST,		/* Postgrey: a new triple gets 450 */
	PRACTICE_SC_BUSY,		/* 421 greeting, then close */
	PRACTICE_SC_SHUTDOWN,		/* 421 at the first MAIL, then close */
	PRACTICE_SC_TLS_REQUIRED,	/* 530 until STARTTLS */
	PRACTICE_SC_AUTH_REQUIRED,	/* 530 until AUTH */
	PRACTICE_SC_MAILBOX_FULL,	/* bob 452 at RCPT, alice 552 at "." */
	PRACTICE_SC_RELAY_DENIED,	/* 554 relay, 553 not logged in */
	PRACTICE_SC_STRICT_SYNTAX,	/* 501 5.5.4 unless FROM:<addr> */
	PRACTICE_SC_SIZE_LIMIT,		/* SIZE 1000000 */
	PRACTICE_SC_SLOW,		/* late greeting; early talkers 554 */
	PRACTICE_SC_PIPELINING,		/* a group's replies in one write */
	PRACTICE_SC_DNSBL,		/* every RCPT: blocked using zen */
	PRACTICE_SC_LAST
};

/*
 * A scenario: its name, the one line --demo=list shows, and how VRFY and
 * EXPN answer.  VRFY and EXPN are functions so that a scenario can answer
 * 250/251/550/553 or list a mailing list; the argument is checked to be
 * non-empty and is raw client text (escape it before echoing).
 */
struct practice_scenario {
	const char	*name;
	const char	*summary;
	enum practice_sc id;
	void		(*vrfy)(struct practice_session *, const char *,
			    struct buf *);
	void		(*expn)(struct practice_session *, const char *,
			    struct buf *);
};

/*
 * The greylist: what the "greylist" scenario remembers of the (client
 * address, sender, recipient) triples it has seen, for every connection to
 * one server.  Each triple belongs to a student: the client address and
 * the name given with EHLO or HELO.  A triple is kept as a digest, its
 * student and address as shorter ones.  A new triple makes room, in this
 * order: from its student's own, past PRACTICE_GREYLIST_STUDENT of them;
 * from its address's own, past PRACTICE_GREYLIST_ADDR; from the whole
 * table when it is full.  Each time the entry tried longest ago goes.  So
 * one student's flood evicts only their own triples, and one address's only
 * that address's, unless many addresses flood at once.
 */
#define PRACTICE_GREYLIST_MAX		4096
#define PRACTICE_GREYLIST_ADDR		1024
#define PRACTICE_GREYLIST_STUDENT	32
#define PRACTICE_GREYLIST_KEY		16	/* bytes of SHA-256 kept */

struct practice_greylist {
	unsigned char	 key[PRACTICE_GREYLIST_KEY];
	uint64_t	 student;	/* digest of address and EHLO name */
	uint64_t	 addr;		/* digest of the address */
	int64_t		 first;		/* ms (monotonic): first attempt */
	uint64_t	 used;		/* when last tried, in greylist_uses */
	int		 passed;	/* retried late enough: let through */
};


struct practice {
	char		*hostname;
	const struct practice_scenario *scenario;
	struct practice_rule *rules;
	size_t		 nrules;
	size_t		 size_limit;
	int		 tls;
	int		 tls_on_connect;	/* "set tls-on-connect yes" */
	int		 no_close_notify;	/* "set close-notify no" */
	int		 idle_timeout;	/* seconds */
	int		 line_timeout;	/* seconds from a line's start to end */
	size_t		 max_clients;
	size_t		 client_limit;	/* open at once from one address */
	unsigned	 client_rate;	/* a minute from one address; 0: any */
	int		 limit_loopback;	/* limits set: loopback too */
	size_t		 out_max;	/* PRACTICE_OUT_MAX; tests lower it */
	atomic_uint	 serial;	/* sessions started, for queue ids */

	SSL_CTX		*ctx;		/* NULL when TLS is off */
	char		*cert_pem;	/* NULL with "set cert" */

	int		 listeners[PRACTICE_LISTEN_MAX];
	size_t		 nlisteners;
	int		 port;
	int		 wake[2];	/* practice_stop() writes to wake[1] */
	atomic_int	 stopped;

	struct practice_client **clients;
	size_t		 nclients;
	size_t		 clients_cap;

	struct practice_host *hosts;	/* for the per-address limits */
	size_t		 nhosts;
	size_t		 hosts_cap;

	/* The greylist scenario's memory (no allocation: freed with p). */
	struct practice_greylist greylist[PRACTICE_GREYLIST_MAX];
	size_t		 ngreylist;
	/*
	 * Attempts counted, to tell the stalest triple: a clock could give
	 * many attempts the same millisecond.
	 */
	uint64_t	 greylist_uses;
};

/* Find a scenario by name (NULL: "default"); NULL when unknown. */
const struct practice_scenario *practice_scenario_find(const char *);

/*
 * Parse an override script of len bytes; name is used in messages.
 * Returns 0 and sets *rules and *nrules (free them with
 * practice_rules_free()), or
 * -1 and sets *cause ("name:line: ...", the caller frees it).
 */
int	practice_rules_parse(const char *, size_t, const char *,
	    struct practice_rule **, size_t *, char **);
void	practice_rules_free(struct practice_rule *, size_t);
/*
 * Find the rule for a verb (any case); NULL when there is none.  Settings
 * ("set NAME VALUE") are never returned.
 */
const struct practice_rule *practice_rule_find(const struct practice *,
	    const char *);
/*
 * Find the setting NAME ("set NAME VALUE", NAME in lower case); NULL when
 * the script does not set it.  For tls-min and tls-max the value is an
 * OpenSSL version (TLS1_VERSION ... TLS1_3_VERSION), for tls-on-connect 1
 * or 0, for cert and key the file name is in text; for the others it is
 * the number given (practice_new() copies the class limits into struct
 * practice).
 */
const struct practice_rule *practice_setting_find(const struct practice *,
	    const char *);

#endif
