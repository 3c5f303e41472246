/* SPDX-License-Identifier: ISC */
/*
 * The SMTP client session: connection, reply pairing, phases, capabilities,
 * STARTTLS and implicit TLS, DATA, AUTH.  It never prints, never exits and
 * never polls: it says which descriptors it wants (session_pollfds), acts
 * on poll results (session_io), and reports everything that happens through
 * one event callback that front ends, the transcript and tests implement.
 *
 * Lines given to session_submit() are queued and sent in order when SMTP
 * allows: after the greeting, one at a time unless the server offers
 * PIPELINING (RFC 2920), never after STARTTLS until the handshake is done
 * (RFC 3207), and after a 354 as message lines until "." alone.
 * While the server waits for an answer to an AUTH challenge (334), the
 * next line queued is that answer, whatever it says: the session knows
 * nothing of the front end's /commands, which never reach it (cmd.h).
 *
 * From inside the event callback a front end may call the accessors,
 * session_submit(), session_mark() and session_close(), never
 * session_free().  Event pointers are valid for the callback only.
 */
#ifndef SESSION_H
#define SESSION_H

#include <poll.h>
#include <stddef.h>

struct caps;
struct conn;
struct reply;
struct tls_info;

enum session_phase {
	SESSION_PHASE_CONNECTING,	/* resolving and connecting */
	SESSION_PHASE_TLS_CONNECT,	/* implicit TLS handshake */
	SESSION_PHASE_GREETING,		/* waiting for the server's 220 */
	SESSION_PHASE_CONNECTED,	/* greeted: EHLO or HELO next */
	SESSION_PHASE_HELLO,		/* EHLO/HELO accepted */
	SESSION_PHASE_STARTTLS,		/* handshake after STARTTLS */
	SESSION_PHASE_AUTH,		/* inside an AUTH exchange */
	SESSION_PHASE_READY,		/* logged in, or a transaction ended:
					   a new one (MAIL FROM) may begin */
	SESSION_PHASE_MAIL,		/* sender accepted */
	SESSION_PHASE_RCPT,		/* a recipient accepted */
	SESSION_PHASE_DATA,		/* 354 received: sending the message */
	SESSION_PHASE_QUIT,		/* QUIT sent */
	SESSION_PHASE_CLOSED,		/* connection gone */
	SESSION_PHASE_LAST
};
extern const char *const session_phase_names[SESSION_PHASE_LAST];

/* How a line travelled. */
enum session_sec {
	SESSION_SEC_CLEAR,		/* no TLS */
	SESSION_SEC_TLS,		/* TLS, certificate verified */
	SESSION_SEC_TLS_UNVERIFIED	/* TLS, certificate not verified */
};

/* Failure classes (OpenSMTPD's taxonomy). */
enum session_fail {
	SESSION_FAIL_NONE,
	SESSION_FAIL_INTERNAL,		/* out of resources, bug */
	SESSION_FAIL_CONN,		/* connect, timeout, connection lost */
	SESSION_FAIL_TLS,		/* handshake, certificate, no STARTTLS */
	SESSION_FAIL_PROTO,		/* hostile or broken server */
	SESSION_FAIL_LAST
};

enum session_ev {
	SESSION_EV_NOTICE,	/* text: what happened, in our words */
	SESSION_EV_WARNING,	/* text: something the user must not miss */
	SESSION_EV_SENT,	/* text: a line we sent (secrets masked) */
	SESSION_EV_LINE,	/* data/len: a server line as it arrives;
				   code, final; verb of the command due */
	SESSION_EV_REPLY,	/* reply, verb, command, rtt_us, decoded */
	SESSION_EV_TLS,		/* tls: the handshake finished */
	SESSION_EV_PHASE,	/* phase changed */
	SESSION_EV_MARK,	/* cookie: a session_mark() was reached */
	SESSION_EV_FAILED,	/* fail, text; data/len: bytes to show */
	SESSION_EV_CLOSED	/* the connection is gone */
};

/* Reply notes (ev->notes). */
#define SESSION_NOTE_UNSOLICITED	0x1	/* no command was waiting */
#define SESSION_NOTE_EARLY		0x2	/* greeting arrived after a 421 */
#define SESSION_NOTE_DATA_NO_RCPT	0x4	/* 354 though no RCPT accepted */
#define SESSION_NOTE_ENH		0x8	/* ENHANCEDSTATUSCODES in force */

struct session_event {
	enum session_ev		 type;
	enum session_sec	 sec;
	enum session_phase	 phase;
	const char		*text;
	const struct reply	*reply;
	const char		*verb;	/* context key of the command answered */
	const char		*command; /* that command as sent (masked) */
	const char		*decoded; /* 334 challenge decoded, or NULL */
	const struct tls_info	*tls;
	enum session_fail	 fail;
	const char		*data;	/* raw bytes to show escaped */
	size_t			 len;
	long long		 rtt_us;	/* -1 when not measured */
	unsigned		 notes;
	long long		 time_ms; /* when it happened (replays), 0: now */
	int			 code;	/* SESSION_EV_LINE: 0 if malformed */
	int			 final;	/* SESSION_EV_LINE: ends its reply */
	unsigned		 flags;	/* SESSION_EV_LINE: REPLY_F_* */
	void			*cookie; /* SESSION_EV_MARK: as given */
};

enum session_tls_mode {
	SESSION_TLS_OPTIONAL,		/* STARTTLS only when typed */
	SESSION_TLS_STARTTLS,		/* --tls: STARTTLS required */
	SESSION_TLS_IMPLICIT		/* --tls-on-connect */
};

struct session_config {
	const char		*host;		/* host name or address */
	const char		*port;		/* "25" */
	int			 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	const char		*unix_path;	/* --unix, or NULL */
	const char		*pipe_cmd;	/* --pipe, or NULL */
	enum session_tls_mode	 tls;
	int			 insecure;	/* go on after a failed check */
	const char		*cafile;
	const char		*sni;
	const char		*trust_pem;	/* extra trusted certificate */
	const char		*verify_name;	/* name to check (NULL: host) */
	int			 timeout;	/* seconds; 0: RFC 5321 values */
	const char		*helo;		/* name for automatic EHLO */
	int			 use_fd;	/* talk over fd (tests, inetd) */
	int			 stop_on_error;	/* stop at the first reply
						   counted against us */
	int			 fd;		/* a connected socket */
};

typedef void session_cb(void *, const struct session_event *);

struct session;

/* Create a session; nothing happens until session_start(). */
struct session	*session_new(const struct session_config *, session_cb *,
		    void *);
void		 session_free(struct session *);
/*
 * Resolve and start connecting (the resolver may block).  Returns 0, or -1
 * with *cause set (the caller frees it); a failure is also reported as a
 * SESSION_EV_FAILED event.
 */
int		 session_start(struct session *, char **);
/* Fill pfd (room for SESSION_POLLFDS) with what to poll; returns the count. */
#define SESSION_POLLFDS	4
int		 session_pollfds(struct session *, struct pollfd *);
/* Act on poll results for those descriptors; also runs timers. */
void		 session_io(struct session *, const struct pollfd *, int);
/* Milliseconds until the next timer (-1: none; 0: work is ready now). */
int		 session_timeout(struct session *);
/*
 * Queue a line the user typed (without its line end).  Returns 0, or -1
 * with *cause when the line cannot be sent (a CR, LF or NUL in it).
 * When a typed AUTH is refused (503, 535, ...) the lines queued or typed
 * after it that look like its answers (base64 text that is not an SMTP
 * verb, or "*") are held back, never sent, and a warning says so without
 * showing them.  That lasts for as many lines as the mechanism still
 * needed (one for PLAIN, CRAM-MD5 and the other one-step mechanisms, two
 * for LOGIN and the others, less the answers already given), and ends
 * early at the first line that is a command.  Outside a message and a
 * challenge, a line starting with "/" is never sent: no SMTP verb does.
 */
int		 session_submit(struct session *, const char *, size_t,
		    char **);
/*
 * Queue a barrier: once everything queued before it has been answered (or
 * sent, inside a message), the session emits SESSION_EV_MARK with cookie,
 * so a front end can run its own commands in turn.  Every mark is reported
 * exactly once, in order; marks still queued when the session closes are
 * reported then (what came before them will never be answered).  Returns 0,
 * or -1 when the session is closed already (nothing is reported: act now).
 * session_free() reports nothing, so close the session first.
 */
int		 session_mark(struct session *, void *);
/*
 * Could a line submitted now be read as an answer in an AUTH exchange?
 * True while an AUTH command is queued or waits for its reply, during a
 * 334 challenge, and just after a refusal (see session_submit): a front
 * end keeps such lines out of its history.
 */
int		 session_in_auth(const struct session *);
/*
 * Queue raw bytes to send exactly as given (the /raw command: for testing
 * how a server treats bare LF or CR, SMTP smuggling).  Nothing is added,
 * not even CRLF; NUL is refused.  The line is shown marked "[raw]".
 */
int		 session_raw(struct session *, const char *, size_t, char **);
/* Queue a message body from a file: after 354, or by sending DATA first. */
int		 session_send_file(struct session *, const char *, char **);
/*
 * Queue AUTH with mechanism "PLAIN" or "LOGIN".  The password is kept only
 * until it is sent, then wiped; it never appears in an event.
 */
int		 session_auth(struct session *, const char *, const char *,
		    const char *, char **);
/*
 * The transport, or NULL before the connection: for tests that look into
 * its buffers (tests/unit/session.c checks no credentials stay there).
 */
const struct conn *session_conn(const struct session *);
/* The input has ended: close once everything queued is answered. */
void		 session_finish(struct session *);
/*
 * Leave politely: send nothing more that is queued, cancel an AUTH
 * exchange waiting for an answer ("*"), send QUIT, and close when its
 * reply comes; the replies still due are waited for a few seconds at most
 * (no failure when they do not come).  Where QUIT cannot be sent (no
 * greeting yet, inside a message or a handshake) this is session_close().
 * May be called from the event callback.
 */
void		 session_quit(struct session *);
/* Leave now: send QUIT if connected (without waiting) and close. */
void		 session_close(struct session *);
int		 session_closed(const struct session *);
enum session_phase session_phase(const struct session *);
/* Did AUTH succeed (235) on this connection, since the last TLS start? */
int		 session_authenticated(const struct session *);
enum session_sec session_sec(const struct session *);
/* Is the next line a message line (after 354)? */
int		 session_in_message(const struct session *);
const struct caps *session_caps(const struct session *);
/* Capabilities of the last EHLO before STARTTLS (valid == 0 if none). */
const struct caps *session_caps_before_tls(const struct session *);
/* The last TLS handshake's details, or NULL before any. */
const struct tls_info *session_tls(const struct session *);
/* Numeric address connected to ("" before), and the name shown for it. */
const char	*session_peer(const struct session *);
/* Round trip of the last reply in microseconds, -1 when none. */
long long	 session_last_rtt(const struct session *);
/* Code of the last reply (0: none), and the failure class. */
int		 session_last_code(const struct session *);
/*
 * The replies counted against the session: the code of the first 5xx, or
 * else of the first 4xx, that was not expected (0: none).  Replies to what
 * smtpscope sends itself to end the session (QUIT, "*") do not count, nor,
 * with stop_on_error, those after the one that stopped it.
 */
int		 session_worst_code(const struct session *);
enum session_fail session_failure(const struct session *);
/* Lines waiting to be sent, and commands waiting for replies. */
size_t		 session_queued(const struct session *);
size_t		 session_outstanding(const struct session *);

#endif
