/* SPDX-License-Identifier: ISC */
/*
 * Client-side TLS: the context and connection set-up, the non-blocking
 * handshake, and plain words for what went wrong.  A failure is explained
 * twice over: OpenSSL's own text (to search for, or to quote in a ticket)
 * and what it means, in words a mail admin can act on.  Certificate
 * problems come from the verification result (tls_verify_words()); a
 * handshake that never reached the certificate check is explained from
 * OpenSSL's reason code (tls_handshake_words()).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/text.h"
#include "net/tls.h"
#include "base/xmalloc.h"

static char	*tls_name(X509_NAME *);
static char	*tls_time(const ASN1_TIME *);
static char	*tls_sans(X509 *, int, int *);
static void	 tls_gen_name(struct buf *, const GENERAL_NAME *, int,
		    int *);
static int	 tls_name_nul(X509_NAME *);
static int	 tls_is_address(const char *);
static const char *tls_key_type(EVP_PKEY *);
static const char *tls_closed_words(SSL *, int);
static char	*tls_held_names(X509 *, const char *);
static char	*tls_verify_text(X509 *, long, const char *, int,
		    int);
static void	 tls_info_cb(const SSL *, int, int);

/* SSL ex_data slot counting the renegotiations refused (tls_info_cb). */
static int	 tls_reneg_index = -1;

/*
 * A name with a NUL byte inside.  OpenSSL's own name check compares names
 * with their full length (X509_check_host() takes the ASN.1 length, and
 * SSL_set1_host() refuses a name with a NUL), so "localhost\0.evil.test"
 * never matches localhost.  But software that reads such a name as a C
 * string sees "localhost", which is how certificates were forged
 * (CVE-2009-2408), no CA may issue one (RFC 5280 4.2.1.6), and a
 * certificate holding it next to a right name passes OpenSSL's check: it
 * is refused here on its own.
 */
static const char tls_malformed_words[] = N_("the certificate is malformed: "
    "a name in it holds a NUL (zero) byte, shown escaped above, which no "
    "real name has; it is a known way to make a certificate look as if it "
    "named another host, so the certificate is refused whatever else the "
    "check says; the server needs a properly issued certificate");

static const char tls_closed_in_handshake[] = N_("the server closed the "
    "connection during the TLS handshake without saying why; the admin "
    "should look in the server's log: it often means the server cannot read "
    "its certificate or key, or its TLS policy refuses this client's "
    "versions or ciphers");
static const char tls_closed_after_handshake[] = N_("the server closed the "
    "connection without ending TLS first (no close_notify)");

/*
 * Count the server's renegotiation requests refused: OpenSSL answers each
 * with a no_renegotiation alert (SSL_OP_NO_RENEGOTIATION).
 */
static void
tls_info_cb(const SSL *ssl, int where, int ret)
{
	uintptr_t	n;

	if (!(where & SSL_CB_WRITE_ALERT) || (ret & 0xff) !=
	    SSL_AD_NO_RENEGOTIATION || tls_reneg_index == -1)
		return;
	n = (uintptr_t)SSL_get_ex_data(ssl, tls_reneg_index);
	SSL_set_ex_data((SSL *)ssl, tls_reneg_index, (void *)(n + 1));
}

/* How many renegotiations the server asked for, all refused. */
unsigned int
tls_renegotiations(const SSL *ssl)
{
	if (ssl == NULL || tls_reneg_index == -1)
		return (0);
	return ((unsigned int)(uintptr_t)SSL_get_ex_data(ssl,
	    tls_reneg_index));
}

/* Make a client context. */
SSL_CTX *
tls_client_ctx(const char *cafile, const char *trust_pem, char **cause)
{
	SSL_CTX		*ctx;
	X509_STORE	*store;
	BIO		*bio;
	X509		*x;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		*cause = tls_error(NULL, 0, _("cannot create a TLS context"));
		return (NULL);
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	    SSL_MODE_ENABLE_PARTIAL_WRITE);
	/*
	 * A renegotiation in TLS 1.2 could change the certificate after it
	 * was checked and shown: refuse it (the alert is counted, the
	 * session warns).  TLS 1.3 has none.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	if (tls_reneg_index == -1)
		tls_reneg_index = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    NULL);
	SSL_CTX_set_info_callback(ctx, tls_info_cb);
	if (cafile != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
			*cause = tls_error(NULL, 0, _("cannot load --cafile"));
			SSL_CTX_free(ctx);
			return (NULL);
		}
	} else
		SSL_CTX_set_default_verify_paths(ctx);
	if (trust_pem != NULL) {
		bio = BIO_new_mem_buf(trust_pem, -1);
		x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) :
		    NULL;
		BIO_free(bio);
		store = SSL_CTX_get_cert_store(ctx);
		if (x == NULL || X509_STORE_add_cert(store, x) != 1) {
			X509_free(x);
			*cause = tls_error(NULL, 0, _("cannot trust the "
			    "practice server's certificate"));
			SSL_CTX_free(ctx);
			return (NULL);
		}
		X509_free(x);
	}
	return (ctx);
}

/* Is name an IPv4 or IPv6 literal? */
static int
tls_is_address(const char *name)
{
	unsigned char	a[16];

	return (inet_pton(AF_INET, name, a) == 1 ||
	    inet_pton(AF_INET6, name, a) == 1);
}

/* Make a connection object. */
SSL *
tls_client_ssl(SSL_CTX *ctx, int rfd, int wfd, const char *name,
    const char *sni, char **cause)
{
	SSL			*ssl;
	X509_VERIFY_PARAM	*vp;

	ERR_clear_error();
	if ((ssl = SSL_new(ctx)) == NULL) {
		*cause = tls_error(NULL, 0, _("cannot create a TLS "
		    "connection"));
		return (NULL);
	}
	if (SSL_set_rfd(ssl, rfd) != 1 || SSL_set_wfd(ssl, wfd) != 1) {
		*cause = tls_error(NULL, 0, _("cannot attach TLS to "
		    "the connection"));
		SSL_free(ssl);
		return (NULL);
	}
	if (sni == NULL && name != NULL && !tls_is_address(name))
		sni = name;
	if (sni != NULL && *sni != '\0')
		SSL_set_tlsext_host_name(ssl, sni);
	if (name != NULL && *name != '\0') {
		vp = SSL_get0_param(ssl);
		if (tls_is_address(name))
			X509_VERIFY_PARAM_set1_ip_asc(vp, name);
		else {
			X509_VERIFY_PARAM_set_hostflags(vp,
			    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
			SSL_set1_host(ssl, name);
		}
	}
	SSL_set_connect_state(ssl);
	return (ssl);
}

/* Step the handshake. */
int
tls_handshake(SSL *ssl, short *events, char **cause)
{
	int	r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(ssl);
	if (r == 1)
		return (1);
	e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_READ) {
		*events = POLLIN;
		return (0);
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		*events = POLLOUT;
		return (0);
	}
	*cause = tls_error(ssl, r, _("TLS handshake failed"));
	return (-1);
}

/*
 * Describe an OpenSSL failure: what, then OpenSSL's error text, then what
 * it means in plain words when that is known.
 */
char *
tls_error(SSL *ssl, int ret, const char *what)
{
	unsigned long	 e;
	char		 tmp[256];
	struct buf	 b;
	const char	*words = NULL, *w;
	int		 saved = errno;
	int		 se = ssl != NULL ? SSL_get_error(ssl, ret) : 0;

	buf_init(&b, 0);
	buf_addstr(&b, what);
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, tmp, sizeof tmp);
		buf_printf(&b, ": %s", tmp);
		if (words == NULL && (w = tls_handshake_words(e)) != NULL)
			words = w;
	}
	/* An early end is only a handshake failure during the handshake. */
	if (words == tls_closed_in_handshake && ssl != NULL &&
	    SSL_is_init_finished(ssl))
		words = tls_closed_after_handshake;
	if (se == SSL_ERROR_SYSCALL) {
		if (saved != 0)
			buf_printf(&b, ": %s", strerror(saved));
		if (words == NULL)
			words = tls_closed_words(ssl, saved);
	} else if (se == SSL_ERROR_ZERO_RETURN)
		buf_printf(&b, ": %s", _("the server ended TLS"));
	if (words != NULL)
		buf_printf(&b, ": %s", _(words));
	return (buf_detach(&b, NULL));
}

/*
 * Plain words for a connection that went away under TLS (errno was err),
 * or NULL.
 */
static const char *
tls_closed_words(SSL *ssl, int err)
{
	if (err != 0 && err != ECONNRESET && err != EPIPE)
		return (NULL);
	if (!SSL_is_init_finished(ssl))
		return (tls_closed_in_handshake);
	if (err != 0)
		return (NULL);
	return (tls_closed_after_handshake);
}

/*
 * Plain words for an OpenSSL error seen during a handshake: what failed
 * and what the server's admin should check.  NULL when the code is not one
 * we explain (OpenSSL's text is all there is then).
 */
const char *
tls_handshake_words(unsigned long e)
{
	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return (NULL);
	switch (ERR_GET_REASON(e)) {
	case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_VERSION_TOO_LOW:
	case SSL_R_WRONG_SSL_VERSION:
	case SSL_R_TLSV1_ALERT_INAPPROPRIATE_FALLBACK:
		return (N_("the server and smtpscope have no TLS version in "
		    "common: smtpscope speaks TLSv1.2 and TLSv1.3, and the "
		    "server offers only older versions (TLSv1.0, TLSv1.1 or "
		    "SSL), which are broken and refused; the admin should "
		    "enable TLSv1.2 and TLSv1.3 in the server's TLS settings "
		    "(Postfix: smtpd_tls_protocols), or update its TLS "
		    "library"));
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
		return (N_("no TLS version is allowed on this side: check the "
		    "MinProtocol and MaxProtocol settings in this machine's "
		    "OpenSSL configuration (openssl.cnf)"));
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
	case SSL_R_RECORD_LENGTH_MISMATCH:
	case SSL_R_UNKNOWN_PROTOCOL:
	case SSL_R_BAD_PROTOCOL_VERSION_NUMBER:
	case SSL_R_HTTP_REQUEST:
		return (N_("what came back is not TLS: the server answered in "
		    "plain text where the TLS handshake should be.  With "
		    "--tls-on-connect, this port probably wants STARTTLS "
		    "(--tls; ports 25 and 587 do); otherwise the server said "
		    "it would start TLS and did not, and the admin should "
		    "check its TLS set-up and any firewall or proxy that "
		    "inspects SMTP on the way"));
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
	case SSL_R_UNEXPECTED_EOF_WHILE_READING:
		return (tls_closed_in_handshake);
#endif
	case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
	case SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY:
	case SSL_R_NO_SHARED_CIPHER:
	case SSL_R_NO_CIPHERS_AVAILABLE:
	case SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS:
	case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
	case SSL_R_NO_SUITABLE_KEY_SHARE:
	case SSL_R_NO_SHARED_GROUPS:
		return (N_("the server and smtpscope found no cipher, key "
		    "exchange or signature algorithm they both accept: the "
		    "server allows only old or unusual ones; the admin should "
		    "check the server's cipher settings (Postfix: "
		    "smtpd_tls_ciphers, tls_high_cipherlist) and that its "
		    "certificate's key type suits them"));
	case SSL_R_DH_KEY_TOO_SMALL:
		return (N_("the server's Diffie-Hellman parameters are too "
		    "small to be safe (Logjam); the admin should configure "
		    "2048-bit DH parameters or prefer ECDHE key exchange"));
	case SSL_R_EE_KEY_TOO_SMALL:
	case SSL_R_CA_KEY_TOO_SMALL:
		return (N_("a key in the server's certificate chain is too "
		    "small for the security level in force (RSA under 2048 "
		    "bits); the certificate must be reissued with a stronger "
		    "key"));
	case SSL_R_CA_MD_TOO_WEAK:
		return (N_("a certificate in the server's chain is signed with "
		    "a digest considered broken (MD5 or SHA-1); it must be "
		    "reissued"));
	case SSL_R_TLSV1_ALERT_INTERNAL_ERROR:
		return (N_("the server hit an internal error during the "
		    "handshake; the admin should look in the server's log, "
		    "often for a certificate or key it cannot use"));
	case SSL_R_TLSV1_UNRECOGNIZED_NAME:
		return (N_("the server does not know the host name smtpscope "
		    "sent (SNI); check --sni, or the server's per-name "
		    "certificate settings"));
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
		return (N_("the server wants a client certificate, which "
		    "smtpscope does not send; the admin should make client "
		    "certificates optional on this port"));
	}
	return (NULL);
}

/* Plain words for a verification result. */
const char *
tls_verify_words(long code)
{
	switch (code) {
	case X509_V_OK:
		return (N_("the certificate is valid, signed by a trusted "
		    "authority, and names this server"));
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return (N_("the certificate is self-signed: it vouches for "
		    "itself and no trusted authority stands behind it; the "
		    "admin should install one issued by a CA (if you know "
		    "this one, trust it with --cafile)"));
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return (N_("the chain ends in a self-signed root that is not in "
		    "the trust store (a private CA?); give it with --cafile"));
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		return (N_("the certificate's issuer is unknown here: either a "
		    "private CA (give it with --cafile) or the server does not "
		    "send its intermediate certificate"));
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return (N_("no trusted issuer could be found for the server's "
		    "certificate; the server may be missing an intermediate "
		    "certificate in its chain"));
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return (N_("the certificate has expired: the server needs a "
		    "renewed certificate"));
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return (N_("the certificate is not valid yet: check the clocks "
		    "of this machine and of the server, or the certificate's "
		    "start date"));
	case X509_V_ERR_HOSTNAME_MISMATCH:
		return (N_("the certificate does not name the host you connected "
		    "to: check the host name, or use --sni and --cafile if "
		    "you reached it by another name"));
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return (N_("the certificate does not list the IP address you "
		    "connected to; connect by the host name it names"));
	case X509_V_ERR_CA_KEY_TOO_SMALL:
	case X509_V_ERR_EE_KEY_TOO_SMALL:
		return (N_("a key in the chain is too small for the security "
		    "level in force; the certificate must be reissued with a "
		    "stronger key"));
	case X509_V_ERR_CA_MD_TOO_WEAK:
		return (N_("a certificate in the chain is signed with a digest "
		    "considered broken (MD5 or SHA-1); it must be reissued"));
	case X509_V_ERR_CERT_REVOKED:
		return (N_("the certificate has been revoked"));
	case X509_V_ERR_INVALID_CA:
		return (N_("a certificate in the chain acts as a CA but is not "
		    "allowed to"));
	}
	return (X509_verify_cert_error_string(code));
}

/*
 * One-line form of a name, escaped (text_escape()) with its full length:
 * OpenSSL writes it in RFC 2253 form, its specials (, + " \\ < > ;)
 * behind a backslash, everything else as UTF-8 as it is.
 */
static char *
tls_name(X509_NAME *name)
{
	BIO		*bio;
	char		*p;
	long		 n;
	struct buf	 b;

	if (name == NULL)
		return (xstrdup("(none)"));
	bio = BIO_new(BIO_s_mem());
	X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 &
	    ~(ASN1_STRFLGS_ESC_MSB | ASN1_STRFLGS_ESC_CTRL));
	n = BIO_get_mem_data(bio, &p);
	buf_init(&b, 0);
	text_escape(&b, p, n > 0 ? (size_t)n : 0);
	BIO_free(bio);
	return (buf_detach(&b, NULL));
}

/* Does an entry of a name hold a NUL (once read as UTF-8)? */
static int
tls_name_nul(X509_NAME *name)
{
	unsigned char	*u;
	int		 i, n, nul = 0;

	for (i = 0; name != NULL && i < X509_NAME_entry_count(name); i++) {
		n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(name, i)));
		if (n < 0)
			continue;
		if (memchr(u, '\0', (size_t)n) != NULL)
			nul = 1;
		OPENSSL_free(u);
	}
	return (nul);
}

/* A certificate time as "YYYY-MM-DD HH:MM:SS UTC". */
static char *
tls_time(const ASN1_TIME *t)
{
	struct tm	tm;
	char		s[64];

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return (xstrdup("(unknown)"));
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return (xstrdup(s));
}

/*
 * Append one subject alternative name, escaped with its full length (as it
 * is if escape is 0); set *nul when a name meant as text holds a NUL.
 */
static void
tls_gen_name(struct buf *b, const GENERAL_NAME *g, int escape, int *nul)
{
	const ASN1_STRING	*s;
	const unsigned char	*a;
	const char		*tag;
	char			 ip[64];
	int			 len;

	switch (g->type) {
	case GEN_DNS:
		tag = "DNS:";
		s = g->d.dNSName;
		break;
	case GEN_EMAIL:
		tag = "email:";
		s = g->d.rfc822Name;
		break;
	case GEN_URI:
		tag = "URI:";
		s = g->d.uniformResourceIdentifier;
		break;
	case GEN_IPADD:
		len = ASN1_STRING_length(g->d.iPAddress);
		a = ASN1_STRING_get0_data(g->d.iPAddress);
		if (len == 4)
			inet_ntop(AF_INET, a, ip, sizeof ip);
		else if (len == 16)
			inet_ntop(AF_INET6, a, ip, sizeof ip);
		else
			snprintf(ip, sizeof ip, "?");
		buf_printf(b, "IP:%s", ip);
		return;
	default:
		buf_addstr(b, "other");
		return;
	}
	buf_addstr(b, tag);
	len = ASN1_STRING_length(s);
	a = ASN1_STRING_get0_data(s);
	if (len <= 0 || a == NULL)
		return;
	if (memchr(a, '\0', (size_t)len) != NULL)
		*nul = 1;
	if (escape)
		text_escape(b, (const char *)a, (size_t)len);
	else
		buf_add(b, a, (size_t)len);
}

/*
 * The subject alternative names, comma separated and escaped (as they are
 * if escape is 0), at most TLS_NAMES_MAX bytes of them, then "... and N
 * more names".  Every name is looked at for a NUL (*nul), shown or not.
 */
static char *
tls_sans(X509 *x, int escape, int *nul)
{
	GENERAL_NAMES	*gens;
	struct buf	 b, one;
	int		 i, n, more = 0;

	buf_init(&b, 0);
	buf_init(&one, 0);
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	n = gens != NULL ? sk_GENERAL_NAME_num(gens) : 0;
	for (i = 0; i < n; i++) {
		buf_reset(&one);
		tls_gen_name(&one, sk_GENERAL_NAME_value(gens, i), escape,
		    nul);
		if (more > 0 || b.len + 2 + one.len > TLS_NAMES_MAX) {
			more++;
			continue;
		}
		if (b.len > 0)
			buf_addstr(&b, ", ");
		buf_add(&b, one.data, one.len);
	}
	GENERAL_NAMES_free(gens);
	buf_release(&one);
	if (more > 0) {
		if (b.len > 0)
			buf_addstr(&b, ", ");
		buf_printf(&b, ngettext("... and %d more name (not shown)",
		    "... and %d more names (not shown)", more), more);
	}
	if (b.len == 0)
		buf_addstr(&b, "(none)");
	return (buf_detach(&b, NULL));
}

/* Name a key type the way people say it. */
static const char *
tls_key_type(EVP_PKEY *pk)
{
	switch (EVP_PKEY_base_id(pk)) {
	case EVP_PKEY_RSA:
		return ("RSA");
	case EVP_PKEY_EC:
		return ("EC");
	case EVP_PKEY_DSA:
		return ("DSA");
	case EVP_PKEY_ED25519:
		return ("Ed25519");
	case EVP_PKEY_ED448:
		return ("Ed448");
	}
	return (OBJ_nid2sn(EVP_PKEY_base_id(pk)));
}

/*
 * The names a certificate holds for the name check: its subject
 * alternative names (sans, as tls_sans() gave them), or its common name
 * when it has none.  The caller frees the result.  Only called for a
 * certificate that is not malformed: no name holds a NUL.
 */
static char *
tls_held_names(X509 *x, const char *sans)
{
	X509_NAME		*name = X509_get_subject_name(x);
	const ASN1_STRING	*cn;
	int			 i;

	if (strcmp(sans, "(none)") != 0)
		return (xstrdup(sans));
	i = name != NULL ? X509_NAME_get_index_by_NID(name, NID_commonName,
	    -1) : -1;
	if (i < 0)
		return (xstrdup(_("no name at all")));
	cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	return (xasprintf("CN=%.*s", ASN1_STRING_length(cn),
	    (const char *)ASN1_STRING_get0_data(cn)));
}

/*
 * Plain words for the check of certificate x: verification code code,
 * name checked (NULL: none), given with --sni or not, malformed or not.
 * Fixed words are left untranslated (the front ends translate them); a
 * wrong name is told with the names, translated here.
 */
static char *
tls_verify_text(X509 *x, long code, const char *checked, int sni,
    int malformed)
{
	char	*held, *text, *sans;
	int	 nul = 0;

	if (malformed)
		return (xstrdup(tls_malformed_words));
	if (code == X509_V_OK && (checked == NULL || *checked == '\0'))
		return (xstrdup(N_("the certificate is valid and signed by a "
		    "trusted authority; no name was checked against it, so "
		    "whether it is this server's is not known (give --sni "
		    "NAME to check a name)")));
	if (checked == NULL || (code != X509_V_ERR_HOSTNAME_MISMATCH &&
	    code != X509_V_ERR_IP_ADDRESS_MISMATCH))
		return (xstrdup(tls_verify_words(code)));
	/* Unescaped: the verification text is escaped where it is shown. */
	sans = tls_sans(x, 0, &nul);
	held = tls_held_names(x, sans);
	free(sans);
	if (sni)
		text = xasprintf(_("the certificate does not name %s, the name "
		    "given with --sni: it names %s; give --sni one of those "
		    "names, or check that this is the server you meant"),
		    checked, held);
	else if (code == X509_V_ERR_IP_ADDRESS_MISMATCH)
		text = xasprintf(_("the certificate does not list %s, the "
		    "address you connected to: it names %s; connect by one of "
		    "those names, or give one with --sni NAME"), checked, held);
	else
		text = xasprintf(_("the certificate does not name %s, the host "
		    "you connected to: it names %s; check the host name, or "
		    "give --sni NAME (and --cafile) if you reached it by "
		    "another name"), checked, held);
	free(held);
	return (text);
}

/* Describe the session after a handshake. */
void
tls_info_get(SSL *ssl, const char *checked, int sni, struct tls_info *ti)
{
	X509		*x;
	const SSL_CIPHER *c;

	x = SSL_get_peer_certificate(ssl);
	tls_info_cert(x, SSL_get_peer_cert_chain(ssl),
	    SSL_get_verify_result(ssl), checked, sni, ti);
	X509_free(x);
	ti->protocol = xstrdup(SSL_get_version(ssl));
	c = SSL_get_current_cipher(ssl);
	ti->cipher = xstrdup(c != NULL ? SSL_CIPHER_get_name(c) : "(none)");
	ti->bits = c != NULL ? SSL_CIPHER_get_bits(c, NULL) : 0;
}

/* Describe a certificate and its chain. */
void
tls_info_cert(X509 *x, STACK_OF(X509) *chain, long code,
    const char *checked, int sni, struct tls_info *ti)
{
	EVP_PKEY	*pk;
	X509		*y;
	int		 i, nul = 0;

	memset(ti, 0, sizeof *ti);
	ti->verify_name = checked;
	ti->verify_code = code;
	if (x == NULL) {
		ti->verify_code = X509_V_ERR_UNSPECIFIED;
		ti->verify_text = xstrdup("the server sent no certificate");
		return;
	}
	ti->subject = tls_name(X509_get_subject_name(x));
	ti->issuer = tls_name(X509_get_issuer_name(x));
	ti->sans = tls_sans(x, 1, &nul);
	if (tls_name_nul(X509_get_subject_name(x)))
		nul = 1;
	ti->malformed = nul;
	ti->verified = code == X509_V_OK && !ti->malformed;
	ti->verify_text = tls_verify_text(x, code, checked, sni,
	    ti->malformed);
	ti->not_before = tls_time(X509_get0_notBefore(x));
	ti->not_after = tls_time(X509_get0_notAfter(x));
	if ((pk = X509_get0_pubkey(x)) != NULL)
		ti->key = xasprintf("%s %d bits", tls_key_type(pk),
		    EVP_PKEY_bits(pk));
	else
		ti->key = xstrdup("(unknown)");

	ti->chain_total = chain != NULL ? (size_t)sk_X509_num(chain) : 0;
	for (i = 0; (size_t)i < ti->chain_total && ti->nchain < TLS_CHAIN_MAX;
	    i++) {
		y = sk_X509_value(chain, i);
		ti->chain[ti->nchain].subject =
		    tls_name(X509_get_subject_name(y));
		ti->chain[ti->nchain].issuer =
		    tls_name(X509_get_issuer_name(y));
		ti->nchain++;
	}
}

/* Free what tls_info_get() allocated. */
void
tls_info_release(struct tls_info *ti)
{
	size_t	i;

	free(ti->protocol);
	free(ti->cipher);
	free(ti->subject);
	free(ti->issuer);
	free(ti->sans);
	free(ti->not_before);
	free(ti->not_after);
	free(ti->key);
	free(ti->verify_text);
	for (i = 0; i < ti->nchain; i++) {
		free(ti->chain[i].subject);
		free(ti->chain[i].issuer);
	}
	memset(ti, 0, sizeof *ti);
}
