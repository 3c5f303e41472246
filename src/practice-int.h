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

#include <openssl/ssl.h>

struct buf;
struct practice_client;
struct practice_session;

#define PRACTICE_LISTEN_MAX	8
#define PRACTICE_OUT_MAX	(1024 * 1024)	/* unsent replies per client */

/*
 * One override rule, gathered from all script directives naming the same
 * verb.  The verb is upper case; "CONNECT" stands for the greeting and "."
 * for the end of DATA.
 */
struct practice_rule {
	char		*verb;
	char		*reply;		/* bytes to send instead, or NULL */
	size_t		 reply_len;
	int		 reply_code;	/* its three-digit code, or 0 */
	int		 raw;		/* reply-raw: no CRLF was added */
	int		 close_after;
	unsigned	 delay_ms;
	int		 has_delay;
};

/*
 * A scenario: how the server answers where real MTAs differ.  VRFY and EXPN
 * are functions so that a scenario can answer 250/251/550/553 or list a
 * mailing list; the argument is checked to be non-empty and is raw client
 * text (escape it before echoing).
 */
struct practice_scenario {
	const char	*name;
	const char	*summary;
	void		(*vrfy)(struct practice_session *, const char *,
			    struct buf *);
	void		(*expn)(struct practice_session *, const char *,
			    struct buf *);
};

struct practice {
	char		*hostname;
	const struct practice_scenario *scenario;
	struct practice_rule *rules;
	size_t		 nrules;
	size_t		 size_limit;
	int		 tls;
	int		 idle_timeout;	/* seconds */
	size_t		 max_clients;
	size_t		 out_max;	/* PRACTICE_OUT_MAX; tests lower it */
	atomic_uint	 serial;	/* sessions started, for queue ids */

	SSL_CTX		*ctx;		/* NULL when TLS is off */
	char		*cert_pem;

	int		 listeners[PRACTICE_LISTEN_MAX];
	size_t		 nlisteners;
	int		 port;
	int		 wake[2];	/* practice_stop() writes to wake[1] */
	atomic_int	 stopped;

	struct practice_client **clients;
	size_t		 nclients;
	size_t		 clients_cap;
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
/* Find the rule for a verb (any case); NULL when there is none. */
const struct practice_rule *practice_rule_find(const struct practice *,
	    const char *);

#endif
