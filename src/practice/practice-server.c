/* SPDX-License-Identifier: ISC */
/*
 * The practice server's network side: creating the server (configuration,
 * override script, an in-memory self-signed certificate and TLS context),
 * listening sockets, and one poll() loop serving many clients at once.
 * Each client has a capped input buffer split into lines for the engine in
 * practice.c, an output buffer that is dropped with the client when it
 * passes its cap (a client that never reads cannot hold memory), timers
 * for idle clients and for the delay directive, and non-blocking OpenSSL
 * once STARTTLS has been agreed.  The same per-client code serves one
 * session on an fd pair for practice_serve_fds().
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/buf.h"
#include "base/log.h"
#include "practice/practice.h"
#include "practice/practice-int.h"
#include "base/text.h"
#include "base/xmalloc.h"

#define PRACTICE_LINE_MAX	16384	/* longer lines are counted, not kept */
#define PRACTICE_READ_CHUNK	65536
#define PRACTICE_SCRIPT_MAX	(1024 * 1024)
#define PRACTICE_ACCEPT_BURST	64
#define PRACTICE_ACCEPT_PAUSE	100	/* ms, when out of fds */
#define PRACTICE_RATE_WINDOW	60000	/* ms: client-rate counts a minute */

enum practice_tls {
	PRACTICE_TLS_OFF = 0,	/* plain text */
	PRACTICE_TLS_HANDSHAKE,	/* STARTTLS agreed, handshake running */
	PRACTICE_TLS_ON,	/* handshake done */
	PRACTICE_TLS_LAST
};

static const char *practice_tls_names[] = {
	"OFF",
	"HANDSHAKE",
	"ON",
};
_Static_assert(sizeof practice_tls_names / sizeof practice_tls_names[0] ==
    PRACTICE_TLS_LAST, "practice_tls_names does not match the states");

struct practice_client {
	struct practice		*p;
	struct practice_session	*sess;
	int			 rfd;
	int			 wfd;
	int			 sock;		/* send() with MSG_NOSIGNAL */
	int			 own;		/* close the fds when done */
	SSL			*ssl;
	enum practice_tls	 tls;
	short			 ssl_rd_want;	/* POLLIN/POLLOUT for reading */
	short			 ssl_wr_want;	/* POLLIN/POLLOUT for writing */
	struct buf		 in;		/* bytes read, not yet lines */
	size_t			 skipping;	/* bytes of an overlong line */
	struct buf		 out;		/* replies not yet written */
	size_t			 out_hold;	/* sendable while held */
	int64_t			 hold_until;	/* ms; 0: not held */
	int64_t			 last_active;	/* ms */
	int64_t			 line_start;	/* ms: an unfinished line began */
	int			 closing;	/* close once all is sent */
	int			 greet_held;	/* the greeting waits: read anyway */
	int			 starttls;	/* start TLS when sent */
	int			 greet_after_tls; /* tls-on-connect */
	int			 dead;		/* close now */
	int			 failed;	/* ended by an I/O error */
	const char		*why;		/* for the log */
	char			 peer[96];
	char			 addr[64];	/* counted in p->hosts if set */
};

static int64_t	practice_now(void);
static int	practice_fd_setup(int, int);
static char	*practice_ssl_cause(const char *);
static int	practice_hostname_ok(const char *);
static int	practice_read_script(struct practice *, const char *, char **);
static int	practice_tls_init(struct practice *, char **);
static int	practice_ssl_too_weak(void);
static int	practice_tls_load(SSL_CTX *, const char *, const char *,
		    char **);
static X509	*practice_make_cert(struct practice *, EVP_PKEY *);

static struct practice_client *practice_client_new(struct practice *, int,
		    int, int, int);
static void	practice_client_free(struct practice_client *);
static void	practice_client_open(struct practice_client *, int64_t);
static void	practice_client_greet(struct practice_client *, int64_t);
static void	practice_client_end(struct practice_client *, int,
		    const char *);
static int	practice_client_can_read(const struct practice_client *);
static size_t	practice_client_sendable(const struct practice_client *);
static void	practice_client_events(const struct practice_client *,
		    short *, short *);
static int	practice_client_timeout(const struct practice_client *,
		    int64_t);
static void	practice_client_timers(struct practice_client *, int64_t);
static void	practice_client_io(struct practice_client *, short, short,
		    int64_t);
static void	practice_client_read(struct practice_client *, int64_t);
static void	practice_client_pregreet(struct practice_client *);
static void	practice_client_write(struct practice_client *, int64_t);
static void	practice_client_process(struct practice_client *, int64_t);
static void	practice_client_after(struct practice_client *, int64_t);
static void	practice_client_start_tls(struct practice_client *, int64_t);
static void	practice_client_handshake(struct practice_client *, int64_t);
static void	practice_accept(struct practice *, int, int64_t, int64_t *);
static struct practice_host *practice_host_get(struct practice *,
		    const char *, int64_t);
static int	practice_addr_loopback(const char *);
static void	practice_host_put(struct practice *, const char *);
static int	practice_host_refuse(struct practice *,
		    struct practice_host *, int64_t, char *, size_t);
static void	practice_reap(struct practice *);

/* Return a monotonic time in milliseconds. */
static int64_t
practice_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Make an fd close-on-exec and, if asked, non-blocking. */
static int
practice_fd_setup(int fd, int nonblock)
{
	int	flags;

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return (-1);
	if (!nonblock)
		return (0);
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return (-1);
	return (0);
}

/* Describe the last OpenSSL error, prefixed with what failed. */
static char *
practice_ssl_cause(const char *what)
{
	char		 text[256];
	unsigned long	 e;

	e = ERR_get_error();
	if (e == 0)
		return (xasprintf("%s", what));
	ERR_error_string_n(e, text, sizeof text);
	ERR_clear_error();
	return (xasprintf("%s: %s", what, text));
}

/* Is this usable as our host name (LDH labels separated by dots)? */
static int
practice_hostname_ok(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > 255 || s[0] == '.' || s[0] == '-' ||
	    s[n - 1] == '.' || s[n - 1] == '-')
		return (0);
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    (s[i] == '.' && s[i + 1] != '.')))
			return (0);
	}
	return (1);
}

/* Create a server. */
struct practice *
practice_new(const struct practice_config *cfg, char **cause)
{
	static const struct practice_config	 defaults = { .tls = 1 };
	struct practice				*p;
	const struct practice_scenario		*sc;
	const struct practice_rule		*r;
	const char				*host;
	char					*esc;
	size_t					 i;

	if (cfg == NULL)
		cfg = &defaults;
	host = cfg->hostname != NULL ? cfg->hostname : PRACTICE_HOSTNAME;
	if (!practice_hostname_ok(host)) {
		esc = text_escape_dup(host, strlen(host));
		*cause = xasprintf("bad host name \"%s\"", esc);
		free(esc);
		return (NULL);
	}
	if ((sc = practice_scenario_find(cfg->scenario)) == NULL) {
		esc = text_escape_dup(cfg->scenario, strlen(cfg->scenario));
		*cause = xasprintf("unknown scenario \"%s\"", esc);
		free(esc);
		return (NULL);
	}

	p = xcalloc(1, sizeof *p);
	p->hostname = xstrdup(host);
	p->scenario = sc;
	p->size_limit = cfg->size_limit != 0 ? cfg->size_limit :
	    PRACTICE_SIZE_LIMIT;
	p->tls = cfg->tls != 0;
	p->idle_timeout = cfg->idle_timeout > 0 ? cfg->idle_timeout :
	    PRACTICE_IDLE_TIMEOUT;
	p->max_clients = cfg->max_clients > 0 ? (size_t)cfg->max_clients :
	    PRACTICE_MAX_CLIENTS;
	p->out_max = PRACTICE_OUT_MAX;
	atomic_init(&p->serial, 0);
	atomic_init(&p->stopped, 0);
	p->port = -1;
	for (i = 0; i < PRACTICE_LISTEN_MAX; i++)
		p->listeners[i] = -1;
	p->wake[0] = p->wake[1] = -1;

	if (pipe(p->wake) == -1 || practice_fd_setup(p->wake[0], 1) == -1 ||
	    practice_fd_setup(p->wake[1], 1) == -1) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		goto fail;
	}
	p->line_timeout = cfg->line_timeout > 0 ? cfg->line_timeout :
	    PRACTICE_LINE_TIMEOUT;
	p->client_limit = cfg->client_limit > 0 ? (size_t)cfg->client_limit :
	    PRACTICE_CLIENT_LIMIT;
	p->client_rate = cfg->client_rate > 0 ? (unsigned)cfg->client_rate :
	    PRACTICE_CLIENT_RATE;
	if (cfg->script != NULL &&
	    practice_read_script(p, cfg->script, cause) != 0)
		goto fail;
	/* The script's settings beat the configuration. */
	if ((r = practice_setting_find(p, "idle-timeout")) != NULL)
		p->idle_timeout = (int)r->value;
	if ((r = practice_setting_find(p, "line-timeout")) != NULL)
		p->line_timeout = (int)r->value;
	if ((r = practice_setting_find(p, "client-limit")) != NULL)
		p->client_limit = (size_t)r->value;
	if ((r = practice_setting_find(p, "client-rate")) != NULL)
		p->client_rate = (unsigned)r->value;
	/*
	 * Limits the teacher chose hold for every address; the defaults
	 * spare loopback clients, as Postfix's anvil spares $mynetworks: a
	 * class logged in to the teacher's machine all comes from there.
	 */
	p->limit_loopback = cfg->client_limit > 0 || cfg->client_rate > 0 ||
	    practice_setting_find(p, "client-limit") != NULL ||
	    practice_setting_find(p, "client-rate") != NULL;
	if (p->tls && practice_tls_init(p, cause) != 0)
		goto fail;
	log_debug("%s: %s, scenario %s, %zu override rules, TLS %s", __func__,
	    p->hostname, sc->name, p->nrules, p->tls ? "on" : "off");
	log_debug("%s: idle %d s, line %d s, %zu clients, %zu per address, "
	    "%u a minute per address", __func__, p->idle_timeout,
	    p->line_timeout, p->max_clients, p->client_limit, p->client_rate);
	return (p);

fail:
	practice_free(p);
	return (NULL);
}

/* Read and parse the override script. */
static int
practice_read_script(struct practice *p, const char *path, char **cause)
{
	FILE	*f;
	char	*text;
	size_t	 len;
	int	 error;

	if ((f = fopen(path, "rb")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return (-1);
	}
	text = xmalloc(PRACTICE_SCRIPT_MAX + 1);
	len = fread(text, 1, PRACTICE_SCRIPT_MAX + 1, f);
	error = ferror(f);
	fclose(f);
	if (error) {
		*cause = xasprintf("%s: read error", path);
		free(text);
		return (-1);
	}
	if (len > PRACTICE_SCRIPT_MAX) {
		*cause = xasprintf("%s: larger than %d bytes", path,
		    PRACTICE_SCRIPT_MAX);
		free(text);
		return (-1);
	}
	error = practice_rules_parse(text, len, path, &p->rules, &p->nrules,
	    cause);
	free(text);
	return (error);
}

/*
 * Make the TLS context: the protocol range and certificate the script asks
 * for ("set tls-min", "set cert" ...), else TLSv1.2 and up with a fresh key
 * and self-signed certificate.
 */
static int
practice_tls_init(struct practice *p, char **cause)
{
	const struct practice_rule	*lo, *hi, *cert, *key, *ioc, *cn;
	EVP_PKEY_CTX			*kctx = NULL;
	EVP_PKEY			*pkey = NULL;
	X509				*x = NULL;
	BIO				*bio = NULL;
	BUF_MEM				*mem;
	SSL_CTX				*ctx = NULL;
	long				 opts, min, max;
	int				 rv = -1;

	lo = practice_setting_find(p, "tls-min");
	hi = practice_setting_find(p, "tls-max");
	cert = practice_setting_find(p, "cert");
	key = practice_setting_find(p, "key");
	ioc = practice_setting_find(p, "tls-on-connect");
	cn = practice_setting_find(p, "close-notify");
	max = hi != NULL ? hi->value : 0;
	if (lo != NULL)
		min = lo->value;
	else if (max != 0 && max < TLS1_2_VERSION)
		min = TLS1_VERSION;
	else
		min = TLS1_2_VERSION;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, min) ||
	    !SSL_CTX_set_max_proto_version(ctx, max)) {
		*cause = practice_ssl_cause("cannot make the TLS context");
		goto out;
	}
	/*
	 * OpenSSL 3 will not make TLSv1 or TLSv1.1 handshakes above security
	 * level 0 (they sign with SHA-1).  The practice server is meant to
	 * offer what a badly set up server offers: refusing is the client's
	 * job.
	 */
	if (min < TLS1_2_VERSION) {
		log_debug("%s: protocols below TLSv1.2: security level 0",
		    __func__);
		SSL_CTX_set_security_level(ctx, 0);
	}
	if (cert != NULL) {
		if (practice_tls_load(ctx, cert->text, key != NULL ?
		    key->text : cert->text, cause) != 0)
			goto out;
	} else {
		if ((kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL)) == NULL ||
		    EVP_PKEY_keygen_init(kctx) <= 0 ||
		    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx,
		    NID_X9_62_prime256v1) <= 0 ||
		    EVP_PKEY_keygen(kctx, &pkey) <= 0) {
			*cause = practice_ssl_cause("cannot make an EC P-256 "
			    "key");
			goto out;
		}
		if ((x = practice_make_cert(p, pkey)) == NULL) {
			*cause = practice_ssl_cause("cannot make the "
			    "certificate");
			goto out;
		}
		if ((bio = BIO_new(BIO_s_mem())) == NULL ||
		    !PEM_write_bio_X509(bio, x)) {
			*cause = practice_ssl_cause("cannot write the "
			    "certificate");
			goto out;
		}
		BIO_get_mem_ptr(bio, &mem);
		p->cert_pem = xstrndup(mem->data, mem->length);
		if (SSL_CTX_use_certificate(ctx, x) != 1 ||
		    SSL_CTX_use_PrivateKey(ctx, pkey) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			*cause = practice_ssl_cause("cannot make the TLS "
			    "context");
			goto out;
		}
	}
	opts = SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE;
#ifdef SSL_OP_NO_RENEGOTIATION
	opts |= SSL_OP_NO_RENEGOTIATION;
#endif
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* A client that just closes after QUIT is not an error. */
	opts |= SSL_OP_IGNORE_UNEXPECTED_EOF;
#endif
	SSL_CTX_set_options(ctx, opts);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	p->ctx = ctx;
	ctx = NULL;
	p->tls_on_connect = ioc != NULL && ioc->value != 0;
	p->no_close_notify = cn != NULL && cn->value == 0;
	log_debug("%s: TLS %ld to %ld, %s certificate%s", __func__, min, max,
	    cert != NULL ? cert->text : "self-signed",
	    p->tls_on_connect ? ", TLS on connect" : "");
	rv = 0;

out:
	SSL_CTX_free(ctx);
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(kctx);
	return (rv);
}

/*
 * Is the latest OpenSSL error a key or digest below the security level?
 * (SSL_CTX_use_certificate() and SSL_CTX_add0_chain_cert() raise these.)
 */
static int
practice_ssl_too_weak(void)
{
	unsigned long	e = ERR_peek_last_error();

	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return (0);
	switch (ERR_GET_REASON(e)) {
	case SSL_R_EE_KEY_TOO_SMALL:
	case SSL_R_CA_KEY_TOO_SMALL:
	case SSL_R_CA_MD_TOO_WEAK:
		return (1);
	}
	return (0);
}

/*
 * Load the certificate chain in certfile and the private key in keyfile.
 * A weak key or digest lowers the context's security level to 0, so that
 * the server can present what a badly set up server presents.
 */
static int
practice_tls_load(SSL_CTX *ctx, const char *certfile, const char *keyfile,
    char **cause)
{
	char	*what;
	int	 r;

	ERR_clear_error();
	r = SSL_CTX_use_certificate_chain_file(ctx, certfile);
	if (r != 1 && practice_ssl_too_weak()) {
		log_debug("%s: %s: %s: security level 0", __func__, certfile,
		    ERR_reason_error_string(ERR_peek_last_error()));
		ERR_clear_error();
		SSL_CTX_set_security_level(ctx, 0);
		r = SSL_CTX_use_certificate_chain_file(ctx, certfile);
	}
	if (r != 1) {
		what = xasprintf("%s: cannot use the certificate chain",
		    certfile);
		*cause = practice_ssl_cause(what);
		free(what);
		return (-1);
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, keyfile, SSL_FILETYPE_PEM) != 1) {
		what = xasprintf("%s: cannot use the private key", keyfile);
		*cause = practice_ssl_cause(what);
		free(what);
		return (-1);
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		what = xasprintf("%s: the key does not match the certificate "
		    "in %s", keyfile, certfile);
		*cause = practice_ssl_cause(what);
		free(what);
		return (-1);
	}
	return (0);
}

/*
 * Make the self-signed certificate.  It has no keyUsage extension on
 * purpose: OpenSSL treats a certificate whose keyUsage lacks keyCertSign as
 * not self-issued, and then a client could not use it as its own trust
 * anchor without X509_V_FLAG_PARTIAL_CHAIN.
 */
static X509 *
practice_make_cert(struct practice *p, EVP_PKEY *key)
{
	X509		*x;
	X509_NAME	*name;
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;
	BIGNUM		*bn = NULL;
	unsigned char	 rnd[16];
	char		 san[600], value[64];
	const char	*cn;
	size_t		 i;
	struct {
		int		 nid;
		const char	*value;
	} exts[] = {
		{ NID_basic_constraints, "critical,CA:FALSE" },
		{ NID_ext_key_usage, "serverAuth" },
		{ NID_subject_key_identifier, "hash" },
		{ NID_subject_alt_name, san },
	};

	snprintf(san, sizeof san, "DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1",
	    p->hostname);
	/* X.520 caps a common name at 64 characters. */
	cn = strlen(p->hostname) <= 64 ? p->hostname : PRACTICE_HOSTNAME;

	if ((x = X509_new()) == NULL)
		return (NULL);
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		goto fail;
	rnd[0] = (rnd[0] & 0x7f) | 0x40;	/* positive, full length */
	if ((bn = BN_bin2bn(rnd, sizeof rnd, NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, 2) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) == NULL ||
	    !X509_set_pubkey(x, key))
		goto fail;
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	for (i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		/* Older OpenSSL releases take a non-const string. */
		if (exts[i].nid != NID_subject_alt_name) {
			snprintf(value, sizeof value, "%s", exts[i].value);
			ext = X509V3_EXT_conf_nid(NULL, &v3, exts[i].nid,
			    value);
		} else
			ext = X509V3_EXT_conf_nid(NULL, &v3, exts[i].nid, san);
		if (ext == NULL)
			goto fail;
		if (!X509_add_ext(x, ext, -1)) {
			X509_EXTENSION_free(ext);
			goto fail;
		}
		X509_EXTENSION_free(ext);
	}
	if (X509_sign(x, key, EVP_sha256()) <= 0)
		goto fail;
	BN_free(bn);
	return (x);

fail:
	BN_free(bn);
	X509_free(x);
	return (NULL);
}

/* Free a server. */
void
practice_free(struct practice *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nclients; i++)
		practice_client_free(p->clients[i]);
	free(p->clients);
	free(p->hosts);
	for (i = 0; i < p->nlisteners; i++)
		close(p->listeners[i]);
	if (p->wake[0] != -1)
		close(p->wake[0]);
	if (p->wake[1] != -1)
		close(p->wake[1]);
	SSL_CTX_free(p->ctx);
	free(p->cert_pem);
	practice_rules_free(p->rules, p->nrules);
	free(p->hostname);
	free(p);
}

/* Return the bound port. */
int
practice_port(const struct practice *p)
{
	return (p->port);
}

/* Return the certificate in PEM form. */
const char *
practice_cert_pem(const struct practice *p)
{
	return (p->cert_pem);
}

/* Listen on an address and port. */
int
practice_listen(struct practice *p, const char *addr, const char *port,
    char **cause)
{
	struct addrinfo		 hints, *res, *ai;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 fd, error, on = 1, bound = 0, chosen = 0;
	char			*last = NULL;

	if (addr == NULL)
		addr = "127.0.0.1";
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((error = getaddrinfo(addr, port, &hints, &res)) != 0) {
		*cause = xasprintf("%s port %s: %s", addr, port,
		    gai_strerror(error));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (p->nlisteners == PRACTICE_LISTEN_MAX) {
			free(last);
			last = xasprintf("too many listening sockets");
			break;
		}
		if (ai->ai_addrlen > sizeof ss)
			continue;
		memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
		/* With port 0, give every address the same port. */
		if (chosen != 0 && ss.ss_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = htons(chosen);
		else if (chosen != 0 && ss.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&ss)->sin6_port = htons(chosen);
		if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1)
			goto next;
		if (practice_fd_setup(fd, 1) == -1)
			goto close;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof on);
		if (bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) == -1 ||
		    listen(fd, 128) == -1)
			goto close;
		sslen = sizeof ss;
		if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0) {
			if (ss.ss_family == AF_INET)
				chosen = ntohs(((struct sockaddr_in *)&ss)->
				    sin_port);
			else if (ss.ss_family == AF_INET6)
				chosen = ntohs(((struct sockaddr_in6 *)&ss)->
				    sin6_port);
		}
		if (p->port == -1)
			p->port = chosen;
		p->listeners[p->nlisteners++] = fd;
		bound++;
		log_debug("%s: listening on %s port %d", __func__, addr,
		    chosen);
		continue;
close:
		error = errno;
		close(fd);
		errno = error;
next:
		free(last);
		last = xasprintf("%s port %s: %s", addr, port,
		    strerror(errno));
	}
	freeaddrinfo(res);
	if (bound == 0) {
		*cause = last != NULL ? last : xasprintf("%s port %s: no "
		    "address", addr, port);
		return (-1);
	}
	free(last);
	return (0);
}

/* Ask the loop to stop; only async-signal-safe calls here. */
void
practice_stop(struct practice *p)
{
	int	saved = errno;

	atomic_store(&p->stopped, 1);
	if (write(p->wake[1], "", 1) == -1) {
		/* A full pipe already wakes the loop. */
	}
	errno = saved;
}

/* Make a client for an fd pair. */
static struct practice_client *
practice_client_new(struct practice *p, int rfd, int wfd, int sock, int own)
{
	struct practice_client	*c;

	c = xcalloc(1, sizeof *c);
	c->p = p;
	c->sess = practice_session_new(p);
	c->rfd = rfd;
	c->wfd = wfd;
	c->sock = sock;
	c->own = own;
	c->ssl_rd_want = POLLIN;
	c->ssl_wr_want = POLLOUT;
	buf_init(&c->in, PRACTICE_LINE_MAX + PRACTICE_READ_CHUNK + 1);
	buf_init(&c->out, 0);
	c->last_active = practice_now();
	return (c);
}

/* Close and free a client. */
static void
practice_client_free(struct practice_client *c)
{
	if (c == NULL)
		return;
	log_debug("practice: %s: closed: %s", c->peer,
	    c->why != NULL ? c->why : "server stopped");
	if (c->ssl != NULL) {
		/*
		 * Best effort close_notify, unless told to hang up the way
		 * many real servers do (OpenSMTPD after 221).
		 */
		if (!c->failed && c->tls == PRACTICE_TLS_ON &&
		    !c->p->no_close_notify) {
			ERR_clear_error();
			SSL_shutdown(c->ssl);
		}
		SSL_free(c->ssl);
	}
	ERR_clear_error();
	if (c->addr[0] != '\0')
		practice_host_put(c->p, c->addr);
	if (c->own) {
		close(c->rfd);
		if (c->wfd != c->rfd)
			close(c->wfd);
	}
	practice_session_free(c->sess);
	buf_release(&c->in);
	buf_release(&c->out);
	free(c);
}

/* Start a new client: the greeting, or TLS first with tls-on-connect. */
static void
practice_client_open(struct practice_client *c, int64_t now)
{
	if (c->p->ctx != NULL && c->p->tls_on_connect) {
		c->greet_after_tls = 1;
		practice_client_start_tls(c, now);
	} else
		practice_client_greet(c, now);
}

/* Send the greeting. */
static void
practice_client_greet(struct practice_client *c, int64_t now)
{
	unsigned	delay;

	practice_session_greeting(c->sess, &c->out);
	if ((delay = practice_session_delay(c->sess)) != 0) {
		c->hold_until = now + delay;
		c->out_hold = 0;
		c->greet_held = 1;
	}
	if (practice_session_closing(c->sess))
		c->closing = 1;
}

/* Mark a client for closing now. */
static void
practice_client_end(struct practice_client *c, int failed, const char *why)
{
	if (c->dead)
		return;
	c->dead = 1;
	c->failed = failed;
	c->why = why;
}

/* May we read from this client now? */
static int
practice_client_can_read(const struct practice_client *c)
{
	return (!c->dead && !c->closing && !c->starttls &&
	    c->tls != PRACTICE_TLS_HANDSHAKE &&
	    (c->hold_until == 0 || c->greet_held) &&
	    c->out.len < c->p->out_max &&
	    buf_room(&c->in) >= PRACTICE_READ_CHUNK);
}

/* Return how many output bytes may be written now. */
static size_t
practice_client_sendable(const struct practice_client *c)
{
	if (c->dead || c->tls == PRACTICE_TLS_HANDSHAKE)
		return (0);
	return (c->hold_until != 0 ? c->out_hold : c->out.len);
}

/* Return the poll events wanted on the read and the write fd. */
static void
practice_client_events(const struct practice_client *c, short *ein,
    short *eout)
{
	*ein = *eout = 0;
	if (c->dead)
		return;
	if (c->tls == PRACTICE_TLS_HANDSHAKE) {
		if (c->ssl_rd_want == POLLOUT)
			*eout = POLLOUT;
		else
			*ein = POLLIN;
		return;
	}
	if (practice_client_can_read(c)) {
		if (c->ssl != NULL && c->ssl_rd_want == POLLOUT)
			*eout |= POLLOUT;
		else
			*ein |= POLLIN;
	}
	if (practice_client_sendable(c) > 0) {
		if (c->ssl != NULL && c->ssl_wr_want == POLLIN)
			*ein |= POLLIN;
		else
			*eout |= POLLOUT;
	}
}

/* Return the poll timeout this client needs, -1 for none. */
static int
practice_client_timeout(const struct practice_client *c, int64_t now)
{
	int64_t	t;

	if (c->dead)
		return (0);
	if (c->ssl != NULL && practice_client_can_read(c) &&
	    SSL_pending(c->ssl) > 0)
		return (0);
	if (c->hold_until != 0)
		t = c->hold_until - now;
	else {
		t = c->last_active + (int64_t)c->p->idle_timeout * 1000 - now;
		if (c->line_start != 0 && practice_client_can_read(c) &&
		    c->line_start + (int64_t)c->p->line_timeout * 1000 - now <
		    t)
			t = c->line_start + (int64_t)c->p->line_timeout *
			    1000 - now;
	}
	if (t < 0)
		t = 0;
	return (t > INT_MAX ? INT_MAX : (int)t);
}

/*
 * Run a client's timers: the end of a delay, a line not finished in time
 * (RFC 5321 4.5.3.2 bounds the wait for each command; any byte would
 * otherwise keep a client for ever), the idle timeout.
 */
static void
practice_client_timers(struct practice_client *c, int64_t now)
{
	if (c->dead)
		return;
	if (c->hold_until != 0) {
		if (now < c->hold_until)
			return;
		c->hold_until = 0;
		c->greet_held = 0;
		c->last_active = now;
		practice_client_process(c, now);
	} else if (c->line_start != 0 && practice_client_can_read(c) &&
	    now - c->line_start >= (int64_t)c->p->line_timeout * 1000) {
		buf_printf(&c->out, "421 4.4.2 %s Error: timeout exceeded: "
		    "a line did not end (CRLF) within %d s of its start; "
		    "send each command whole\r\n", c->p->hostname,
		    c->p->line_timeout);
		c->closing = 1;
		c->why = "line not finished in time";
		c->line_start = 0;
		c->last_active = now;
	} else if (now - c->last_active >=
	    (int64_t)c->p->idle_timeout * 1000) {
		if (c->closing || c->starttls ||
		    c->tls == PRACTICE_TLS_HANDSHAKE) {
			practice_client_end(c, 0, "timeout");
			return;
		}
		if (c->out.len >= c->p->out_max) {
			/* A 421 would only wait behind the rest. */
			practice_client_end(c, 0, "replies not read for the "
			    "idle timeout");
			return;
		}
		buf_printf(&c->out, "421 4.4.2 %s Error: timeout exceeded\r\n",
		    c->p->hostname);
		c->closing = 1;
		c->why = "idle timeout";
		c->last_active = now;
	}
	practice_client_after(c, now);
}

/* Do the I/O that poll() said is possible. */
static void
practice_client_io(struct practice_client *c, short rin, short rout,
    int64_t now)
{
	short	rd, wr;

	if (c->dead)
		return;
	if ((rin | rout) & POLLNVAL) {
		practice_client_end(c, 1, "bad file descriptor");
		return;
	}
	if (c->tls == PRACTICE_TLS_HANDSHAKE) {
		if ((rin | rout) != 0)
			practice_client_handshake(c, now);
		return;
	}
	rin &= POLLIN | POLLHUP | POLLERR;
	rout &= POLLOUT | POLLHUP | POLLERR;
	wr = c->ssl != NULL && c->ssl_wr_want == POLLIN ? rin : rout;
	if (practice_client_sendable(c) > 0 && wr != 0)
		practice_client_write(c, now);
	rd = c->ssl != NULL && c->ssl_rd_want == POLLOUT ? rout : rin;
	if (practice_client_can_read(c) && (rd != 0 ||
	    (c->ssl != NULL && SSL_pending(c->ssl) > 0)))
		practice_client_read(c, now);
	practice_client_process(c, now);
	practice_client_after(c, now);
}

/* Read once from a client into its input buffer. */
static void
practice_client_read(struct practice_client *c, int64_t now)
{
	char	tmp[PRACTICE_READ_CHUNK];
	ssize_t	n;
	int	r;

	if (c->ssl != NULL) {
		ERR_clear_error();
		r = SSL_read(c->ssl, tmp, sizeof tmp);
		if (r <= 0) {
			switch (SSL_get_error(c->ssl, r)) {
			case SSL_ERROR_WANT_READ:
				c->ssl_rd_want = POLLIN;
				return;
			case SSL_ERROR_WANT_WRITE:
				c->ssl_rd_want = POLLOUT;
				return;
			case SSL_ERROR_ZERO_RETURN:
				c->closing = 1;
				c->why = "client closed TLS";
				return;
			case SSL_ERROR_SYSCALL:
				if (ERR_peek_error() == 0 && (r == 0 ||
				    errno == 0 || errno == ECONNRESET)) {
					c->closing = 1;
					c->why = "client went away";
					return;
				}
				/* FALLTHROUGH */
			default:
				log_debug("practice: %s: TLS read: %s", c->peer,
				    ERR_reason_error_string(ERR_peek_error()));
				practice_client_end(c, 1, "TLS read error");
				return;
			}
		}
		c->ssl_rd_want = POLLIN;
		n = r;
	} else {
		if (c->sock)
			n = recv(c->rfd, tmp, sizeof tmp, 0);
		else
			n = read(c->rfd, tmp, sizeof tmp);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			practice_client_end(c, 1, "read error");
			log_debug("practice: %s: read: %s", c->peer,
			    strerror(errno));
			return;
		}
		if (n == 0) {
			c->closing = 1;
			c->why = "client closed the connection";
			return;
		}
	}
	buf_add(&c->in, tmp, (size_t)n);
	c->last_active = now;
	/* When did the line that is still unfinished begin? */
	if (tmp[n - 1] == '\n')
		c->line_start = 0;
	else if (c->line_start == 0 || memchr(tmp, '\n', (size_t)n) != NULL)
		c->line_start = now;
	if (c->greet_held)
		practice_client_pregreet(c);
}

/* The client talked while its greeting was held back. */
static void
practice_client_pregreet(struct practice_client *c)
{
	struct buf	reply;

	c->greet_held = 0;	/* read no more until the greeting is out */
	buf_init(&reply, 0);
	if (practice_session_pregreet(c->sess, &reply) == PRACTICE_CLOSE) {
		log_debug("practice: %s: %zu bytes before the greeting",
		    c->peer, c->in.len);
		buf_reset(&c->out);
		buf_add(&c->out, reply.data, reply.len);
		buf_reset(&c->in);
		c->hold_until = 0;
		c->closing = 1;
		c->why = "talked before the greeting";
	}
	buf_release(&reply);
}

/* Write as much pending output as the fd takes. */
static void
practice_client_write(struct practice_client *c, int64_t now)
{
	size_t	len;
	ssize_t	n;
	int	r, full = c->out.len >= c->p->out_max;

	/*
	 * While the output was full nothing was read: the time to finish a
	 * line counts again from when reading resumes.
	 */
	if (full && c->line_start != 0)
		c->line_start = now;
	while ((len = practice_client_sendable(c)) > 0) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			r = SSL_write(c->ssl, c->out.data,
			    len > INT_MAX ? INT_MAX : (int)len);
			if (r <= 0) {
				switch (SSL_get_error(c->ssl, r)) {
				case SSL_ERROR_WANT_READ:
					c->ssl_wr_want = POLLIN;
					return;
				case SSL_ERROR_WANT_WRITE:
					c->ssl_wr_want = POLLOUT;
					return;
				default:
					practice_client_end(c, 1,
					    "TLS write error");
					return;
				}
			}
			c->ssl_wr_want = POLLOUT;
			n = r;
		} else {
			if (c->sock)
				n = send(c->wfd, c->out.data, len,
				    MSG_NOSIGNAL);
			else
				n = write(c->wfd, c->out.data, len);
			if (n == -1) {
				if (errno == EAGAIN || errno == EWOULDBLOCK ||
				    errno == EINTR)
					return;
				log_debug("practice: %s: write: %s", c->peer,
				    strerror(errno));
				practice_client_end(c, 1, "write error");
				return;
			}
		}
		buf_consume(&c->out, (size_t)n);
		if (c->hold_until != 0)
			c->out_hold -= (size_t)n;
		c->last_active = now;
	}
}

/* Hand complete input lines to the engine, in order. */
static void
practice_client_process(struct practice_client *c, int64_t now)
{
	const char	*nl, *line;
	size_t		 n, len, mark, off = 0;
	unsigned	 delay;
	int		 rv;

	/*
	 * Lines are taken from an offset and the buffer is shifted once at
	 * the end: a 100 MB message arrives as millions of short lines.
	 */
	while (!c->dead && !c->closing && !c->starttls && c->hold_until == 0 &&
	    c->out.len < c->p->out_max) {
		line = c->in.data + off;
		nl = memchr(line, '\n', c->in.len - off);
		if (nl == NULL) {
			/* Too long to keep: count it and drop it. */
			if (c->in.len - off > PRACTICE_LINE_MAX) {
				c->skipping += c->in.len - off;
				off = c->in.len;
			}
			break;
		}
		n = (size_t)(nl - line);
		/* A bare LF ends a line too, as in most MTAs. */
		len = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
		mark = c->out.len;
		if (c->skipping != 0) {
			rv = practice_session_overlong(c->sess,
			    c->skipping + len, &c->out);
			c->skipping = 0;
		} else
			rv = practice_session_line(c->sess, line, len,
			    &c->out);
		off += n + 1;
		if ((delay = practice_session_delay(c->sess)) != 0) {
			c->hold_until = now + delay;
			c->out_hold = mark;
		}
		if (rv == PRACTICE_STARTTLS) {
			c->starttls = 1;
			/* RFC 3207 5: nothing sent before TLS may count. */
			if (c->in.len != off || c->skipping != 0) {
				log_debug("practice: %s: dropped %zu bytes "
				    "pipelined after STARTTLS", c->peer,
				    c->in.len - off + c->skipping);
			}
			off = c->in.len;
			c->skipping = 0;
			c->line_start = 0;
		} else if (rv == PRACTICE_CLOSE) {
			c->closing = 1;
			c->why = "closed after the reply";
		}
	}
	buf_consume(&c->in, off);
}

/* Once the output is out: start TLS, or finish the client. */
static void
practice_client_after(struct practice_client *c, int64_t now)
{
	if (c->dead || c->out.len != 0 || c->hold_until != 0)
		return;
	if (c->starttls)
		practice_client_start_tls(c, now);
	else if (c->closing)
		practice_client_end(c, 0, c->why != NULL ? c->why : "closed");
}

/* Begin the server side of the TLS handshake. */
static void
practice_client_start_tls(struct practice_client *c, int64_t now)
{
	c->starttls = 0;
	ERR_clear_error();
	if ((c->ssl = SSL_new(c->p->ctx)) == NULL) {
		practice_client_end(c, 1, "SSL_new failed");
		return;
	}
	if (c->rfd == c->wfd ? SSL_set_fd(c->ssl, c->rfd) != 1 :
	    SSL_set_rfd(c->ssl, c->rfd) != 1 ||
	    SSL_set_wfd(c->ssl, c->wfd) != 1) {
		practice_client_end(c, 1, "SSL_set_fd failed");
		return;
	}
	SSL_set_accept_state(c->ssl);
	c->tls = PRACTICE_TLS_HANDSHAKE;
	c->ssl_rd_want = POLLIN;
	c->last_active = now;
	log_debug("practice: %s: TLS %s", c->peer,
	    practice_tls_names[c->tls]);
	practice_client_handshake(c, now);
}

/* Take the handshake one step further. */
static void
practice_client_handshake(struct practice_client *c, int64_t now)
{
	unsigned long	e;
	int		r;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		c->tls = PRACTICE_TLS_ON;
		c->ssl_rd_want = POLLIN;
		c->ssl_wr_want = POLLOUT;
		c->last_active = now;
		practice_session_tls_started(c->sess);
		log_debug("practice: %s: TLS %s: %s %s", c->peer,
		    practice_tls_names[c->tls], SSL_get_version(c->ssl),
		    SSL_get_cipher_name(c->ssl));
		if (c->greet_after_tls) {
			c->greet_after_tls = 0;
			practice_client_greet(c, now);
		}
		return;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		c->ssl_rd_want = POLLIN;
		break;
	case SSL_ERROR_WANT_WRITE:
		c->ssl_rd_want = POLLOUT;
		break;
	default:
		e = ERR_peek_error();
		log_debug("practice: %s: TLS handshake failed: %s", c->peer,
		    e != 0 ? ERR_reason_error_string(e) : "connection lost");
		practice_client_end(c, 1, "TLS handshake failed");
		break;
	}
}

/* Accept new connections on a listening socket. */
static void
practice_accept(struct practice *p, int lfd, int64_t now,
    int64_t *pause_until)
{
	struct practice_client	*c;
	struct practice_host	*h;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 host[64], serv[16], msg[1024];
	int			 fd, k, on = 1;

	for (k = 0; k < PRACTICE_ACCEPT_BURST; k++) {
		sslen = sizeof ss;
		if ((fd = accept(lfd, (struct sockaddr *)&ss, &sslen)) == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_debug("%s: %s", __func__, strerror(errno));
				*pause_until = now + PRACTICE_ACCEPT_PAUSE;
			}
			return;
		}
		if (getnameinfo((struct sockaddr *)&ss, sslen, host,
		    sizeof host, serv, sizeof serv,
		    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
			snprintf(host, sizeof host, "?");
			snprintf(serv, sizeof serv, "?");
		}
		if (practice_fd_setup(fd, 1) == -1) {
			close(fd);
			continue;
		}
		h = practice_host_get(p, host, now);
		if (practice_host_refuse(p, h, now, msg, sizeof msg)) {
			/* Best effort: the socket buffer is empty. */
			if (send(fd, msg, strlen(msg), MSG_NOSIGNAL) == -1)
				log_debug("%s: send: %s", __func__,
				    strerror(errno));
			close(fd);
			log_debug("practice: [%s]:%s refused: %zu clients, %zu "
			    "from it, %u this minute", host, serv, p->nclients,
			    h->open, h->opened);
			continue;
		}
		h->open++;
		h->opened++;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
		c = practice_client_new(p, fd, fd, 1, 1);
		snprintf(c->peer, sizeof c->peer, "[%s]:%s", host, serv);
		snprintf(c->addr, sizeof c->addr, "%s", h->addr);
		practice_session_set_peer(c->sess, host);
		if (p->nclients == p->clients_cap) {
			p->clients_cap = p->clients_cap == 0 ? 16 :
			    p->clients_cap * 2;
			p->clients = xreallocarray(p->clients, p->clients_cap,
			    sizeof *p->clients);
		}
		p->clients[p->nclients++] = c;
		log_debug("practice: %s: connected (%zu open)", c->peer,
		    p->nclients);
		practice_client_open(c, now);
	}
}

/*
 * Return the entry of a client address, made if need be.  Entries that
 * have no connection open and whose minute is over are forgotten on the
 * way; when the table is full, the one with no connection open whose
 * minute began first makes room (there is one: the table holds more
 * entries than the server takes clients).
 */
static struct practice_host *
practice_host_get(struct practice *p, const char *addr, int64_t now)
{
	struct practice_host	*h, *victim = NULL;
	size_t			 i = 0;

	while (i < p->nhosts) {
		h = &p->hosts[i];
		if (strcmp(h->addr, addr) == 0)
			return (h);
		if (h->open == 0 && now - h->window >= PRACTICE_RATE_WINDOW) {
			*h = p->hosts[--p->nhosts];
			continue;
		}
		if (h->open == 0 && (victim == NULL ||
		    h->window < victim->window))
			victim = h;
		i++;
	}
	if (p->nhosts >= p->max_clients + PRACTICE_HOSTS_SPARE &&
	    victim != NULL)
		h = victim;
	else {
		if (p->nhosts == p->hosts_cap) {
			p->hosts_cap = p->hosts_cap == 0 ? 16 :
			    p->hosts_cap * 2;
			p->hosts = xreallocarray(p->hosts, p->hosts_cap,
			    sizeof *p->hosts);
		}
		h = &p->hosts[p->nhosts++];
	}
	memset(h, 0, sizeof *h);
	snprintf(h->addr, sizeof h->addr, "%s", addr);
	h->window = now;
	return (h);
}

/* A connection from this address has ended. */
static void
practice_host_put(struct practice *p, const char *addr)
{
	size_t	i;

	for (i = 0; i < p->nhosts; i++) {
		if (strcmp(p->hosts[i].addr, addr) == 0) {
			if (p->hosts[i].open > 0)
				p->hosts[i].open--;
			return;
		}
	}
}

/* Is addr, a numeric host, on the loopback (127/8, ::1, or mapped)? */
static int
practice_addr_loopback(const char *addr)
{
	if (strncmp(addr, "::ffff:", 7) == 0)
		addr += 7;
	return (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0);
}

/*
 * Should a new connection from h be turned away?  If so, put the 421 that
 * says which limit it met, and what the student can do, in msg and
 * return 1.  The per-address limits come first: they name what the client
 * itself can change.
 */
static int
practice_host_refuse(struct practice *p, struct practice_host *h,
    int64_t now, char *msg, size_t size)
{
	int	per_address;

	if (now - h->window >= PRACTICE_RATE_WINDOW) {
		h->window = now;
		h->opened = 0;
	}
	per_address = p->limit_loopback || !practice_addr_loopback(h->addr);
	if (per_address && h->open >= p->client_limit) {
		snprintf(msg, size, "421 4.7.0 %s Error: too many connections "
		    "from %s: %zu at once is the limit for one address; close "
		    "one and try again\r\n", p->hostname, h->addr,
		    p->client_limit);
	} else if (per_address && p->client_rate != 0 &&
	    h->opened >= p->client_rate) {
		snprintf(msg, size, "421 4.7.0 %s Error: too many new "
		    "connections from %s: %u a minute is the limit for one "
		    "address; wait a minute and try again\r\n", p->hostname,
		    h->addr, p->client_rate);
	} else if (p->nclients >= p->max_clients) {
		snprintf(msg, size, "421 4.3.2 %s Error: too many connections: "
		    "all %zu places on this server are taken; try again "
		    "later\r\n", p->hostname, p->max_clients);
	} else
		return (0);
	return (1);
}

/* Free the clients that are done. */
static void
practice_reap(struct practice *p)
{
	size_t	i = 0;

	while (i < p->nclients) {
		if (!p->clients[i]->dead) {
			i++;
			continue;
		}
		practice_client_free(p->clients[i]);
		p->clients[i] = p->clients[--p->nclients];
	}
}

/* Serve all listeners until practice_stop(). */
void
practice_run(struct practice *p)
{
	struct practice_client	*c;
	struct pollfd		*pfd = NULL;
	size_t			 cap = 0, n, i, first, polled;
	int64_t			 now, pause_until = 0;
	int			 timeout, t;
	short			 ein, eout;
	char			 msg[256];

	while (!atomic_load(&p->stopped)) {
		now = practice_now();
		for (i = 0; i < p->nclients; i++)
			practice_client_timers(p->clients[i], now);
		practice_reap(p);

		if (cap < 1 + p->nlisteners + p->nclients) {
			cap = 1 + p->nlisteners + p->nclients + 16;
			pfd = xreallocarray(pfd, cap, sizeof *pfd);
		}
		n = 0;
		timeout = -1;
		pfd[n].fd = p->wake[0];
		pfd[n++].events = POLLIN;
		for (i = 0; i < p->nlisteners; i++) {
			pfd[n].fd = now >= pause_until ? p->listeners[i] : -1;
			pfd[n++].events = POLLIN;
		}
		if (now < pause_until)
			timeout = (int)(pause_until - now);
		first = n;
		polled = p->nclients;
		for (i = 0; i < polled; i++) {
			c = p->clients[i];
			practice_client_events(c, &ein, &eout);
			pfd[n].fd = (ein | eout) != 0 ? c->rfd : -1;
			pfd[n++].events = ein | eout;
			t = practice_client_timeout(c, now);
			if (t >= 0 && (timeout == -1 || t < timeout))
				timeout = t;
		}
		if (poll(pfd, n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			log_debug("%s: poll: %s", __func__, strerror(errno));
			break;
		}
		/*
		 * The wake pipe is never drained: only practice_stop() writes
		 * to it, and then every loop on this server ends.
		 */
		if (atomic_load(&p->stopped))
			break;
		now = practice_now();
		for (i = 0; i < p->nlisteners; i++) {
			if (pfd[1 + i].revents & POLLIN)
				practice_accept(p, p->listeners[i], now,
				    &pause_until);
		}
		/* New clients were appended after the polled ones. */
		for (i = 0; i < polled; i++) {
			practice_client_io(p->clients[i],
			    pfd[first + i].revents, pfd[first + i].revents,
			    now);
		}
	}
	free(pfd);

	snprintf(msg, sizeof msg, "421 4.3.2 %s Service shutting down\r\n",
	    p->hostname);
	for (i = 0; i < p->nclients; i++) {
		c = p->clients[i];
		if (!c->dead && c->tls != PRACTICE_TLS_HANDSHAKE) {
			buf_reset(&c->out);
			c->hold_until = 0;
			buf_addstr(&c->out, msg);
			practice_client_write(c, practice_now());
		}
		practice_client_free(c);
	}
	p->nclients = 0;
	log_debug("%s: stopped", __func__);
}

/* Serve one session on an fd pair. */
int
practice_serve_fds(struct practice *p, int in, int out)
{
	struct practice_client	*c;
	struct pollfd		 pfd[3];
	struct stat		 sin, sout;
	int64_t			 now;
	int			 rv, sock;
	short			 ein, eout, rin, rout;
	nfds_t			 n;

	sock = fstat(in, &sin) == 0 && fstat(out, &sout) == 0 &&
	    S_ISSOCK(sin.st_mode) && S_ISSOCK(sout.st_mode);
	c = practice_client_new(p, in, out, sock, 0);
	snprintf(c->peer, sizeof c->peer, "fd %d/%d", in, out);
	log_debug("practice: %s: session started", c->peer);
	practice_client_open(c, practice_now());
	while (!c->dead) {
		now = practice_now();
		practice_client_timers(c, now);
		if (c->dead)
			break;
		practice_client_events(c, &ein, &eout);
		n = 0;
		pfd[n].fd = p->wake[0];
		pfd[n++].events = POLLIN;
		pfd[n].fd = in;
		pfd[n++].events = in == out ? ein | eout : ein;
		if (in != out) {
			pfd[n].fd = out;
			pfd[n++].events = eout;
		}
		if (poll(pfd, n, practice_client_timeout(c, now)) == -1) {
			if (errno == EINTR)
				continue;
			practice_client_end(c, 1, "poll failed");
			break;
		}
		if (atomic_load(&p->stopped)) {
			practice_client_end(c, 0, "server stopped");
			break;
		}
		rin = pfd[1].revents;
		rout = in == out ? pfd[1].revents : pfd[2].revents;
		practice_client_io(c, rin, rout, practice_now());
	}
	rv = c->failed ? -1 : 0;
	practice_client_free(c);
	return (rv);
}
