/* SPDX-License-Identifier: ISC */
/*
 * Client-side TLS through OpenSSL: context set-up (system CAs, --cafile, an
 * extra trusted PEM for the practice server), a non-blocking handshake on a
 * live connection, and what happened described in plain words.
 *
 * Verification is done but never aborts the handshake inside OpenSSL: the
 * result is read afterwards (SSL_get_verify_result), so the user sees the
 * certificate and the reason it failed, and the session decides whether to
 * go on (--insecure) or stop.
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/*
 * Bounds on what is kept of a certificate: the chain certificates
 * described (real chains have 2 to 5), and the bytes of the subject
 * alternative names listed (a few hundred names).  What goes past them is
 * counted and told ("chain cut at", "... and N more names"), never
 * dropped silently.
 */
#define TLS_CHAIN_MAX	16
#define TLS_NAMES_MAX	16384

/*
 * The names taken from a certificate (subject, issuer, sans) are escaped
 * with text_escape() here, with their full length (a NUL inside a name
 * shows as \x00 instead of cutting it): they are safe to show as they are
 * and must not be escaped again.
 */
struct tls_cert {
	char	*subject;	/* one line, RFC 2253 style */
	char	*issuer;
};

struct tls_info {
	char		*protocol;	/* "TLSv1.3" */
	char		*cipher;	/* "TLS_AES_256_GCM_SHA384" */
	int		 bits;
	char		*subject;	/* of the server's certificate */
	char		*issuer;
	char		*sans;		/* "DNS:a, DNS:b, IP:1.2.3.4" */
	char		*not_before;	/* "2026-11-22 16:00:00 UTC" */
	char		*not_after;
	char		*key;		/* "EC 256 bits", "RSA 2048 bits" */
	long		 verify_code;	/* X509_V_OK when verified */
	int		 verified;
	char		*verify_text;	/* plain words, always set */
	const char	*verify_name;	/* name checked, or NULL */
	int		 malformed;	/* a name of the leaf holds a NUL */
	struct tls_cert	 chain[TLS_CHAIN_MAX];
	size_t		 nchain;
	size_t		 chain_total;	/* certificates the server sent */
};

/*
 * Make a client context.  cafile (may be NULL) replaces the system store;
 * trust_pem (may be NULL) adds one trusted certificate.  Returns NULL and
 * sets *cause (caller frees) on failure.
 */
SSL_CTX	*tls_client_ctx(const char *, const char *, char **);
/*
 * Make a connection object on rfd/wfd that will check name (a host name or
 * an IP literal) and send sni (NULL: name, unless name is an address).
 */
SSL	*tls_client_ssl(SSL_CTX *, int, int, const char *, const char *,
	    char **);
/*
 * Step the handshake: returns 1 when done, 0 when it must wait (*events
 * gets POLLIN or POLLOUT), -1 on failure with *cause set.
 */
int	tls_handshake(SSL *, short *, char **);
/*
 * Describe the session; release with tls_info_release().  checked is the
 * name the certificate was checked against (NULL: none, as over --unix and
 * --pipe without --sni); sni says it came from --sni.  A wrong name is
 * told with the name checked and the names the certificate holds.
 */
void	tls_info_get(SSL *, const char *, int, struct tls_info *);
/*
 * The certificate part of tls_info_get(), without a connection: describe
 * leaf (may be NULL: none sent) and chain (may be NULL) as verified with
 * result code, for the name checked (NULL: none) given with --sni or not.
 * protocol and cipher stay NULL.  A name of the leaf holding a NUL byte
 * makes the certificate malformed and never verified, whatever code says.
 */
void	tls_info_cert(X509 *, STACK_OF(X509) *, long, const char *, int,
	    struct tls_info *);
void	tls_info_release(struct tls_info *);
/*
 * How many times the server asked to renegotiate on ssl (TLS 1.2): every
 * request is refused with a no_renegotiation alert, as the context made by
 * tls_client_ctx() says; the caller tells the user.
 */
unsigned int tls_renegotiations(const SSL *);
/* Plain words for a verification result code. */
const char *tls_verify_words(long);
/*
 * Plain words (untranslated: pass them through _()) for an OpenSSL error
 * code from ERR_get_error() during a handshake that never reached the
 * certificate check: no TLS version in common, plain text instead of TLS,
 * the server hanging up, no cipher in common ...  Says what failed and
 * what the server's admin should check.  Returns a static string, or NULL
 * for a code it does not explain.
 */
const char *tls_handshake_words(unsigned long);
/*
 * Text for the latest OpenSSL errors after a failed call on ssl (may be
 * NULL) that returned ret: what, then each OpenSSL error, then the plain
 * words of tls_handshake_words() when there are some.  what is shown as
 * it is: the caller translates it (_("...")).  Empties the OpenSSL error
 * queue; the caller frees the result.
 */
char	*tls_error(SSL *, int, const char *);

#endif
