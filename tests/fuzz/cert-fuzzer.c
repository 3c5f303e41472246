/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the certificate formatter: the input is DER given
 * to d2i_X509; what parses is described by tls_info_cert() (src/net/tls.c) as
 * a verified certificate checked against no name, then as one failing the
 * name check of mail.example.org with and without --sni, each time alone
 * and as the whole of a chain, and written out by format_tls()
 * (src/kb/format.c).  What comes out must be printable text within the
 * bounds of tls.h, and a name with a NUL must make the certificate
 * malformed and never verified.  Built by tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/buf.h"
#include "kb/format.h"
#include "net/tls.h"
#include "base/xmalloc.h"

#include "fuzz/fuzz-common.h"

/* Does a name of x (subject entries read as UTF-8, SAN strings) hold a NUL? */
static int
has_nul(X509 *x)
{
	X509_NAME	*name = X509_get_subject_name(x);
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*g;
	unsigned char	*u;
	int		 i, n, nul = 0;

	for (i = 0; name != NULL && i < X509_NAME_entry_count(name); i++) {
		n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(name, i)));
		if (n < 0)
			continue;
		if (memchr(u, 0, (size_t)n) != NULL)
			nul = 1;
		OPENSSL_free(u);
	}
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if ((g->type == GEN_DNS || g->type == GEN_EMAIL ||
		    g->type == GEN_URI) && ASN1_STRING_length(g->d.ia5) > 0 &&
		    memchr(ASN1_STRING_get0_data(g->d.ia5), 0,
		    (size_t)ASN1_STRING_length(g->d.ia5)) != NULL)
			nul = 1;
	}
	GENERAL_NAMES_free(gens);
	return (nul);
}

/* Describe x once and check what is shown. */
static void
one(X509 *x, STACK_OF(X509) *chain, long code, const char *checked,
    int sni, int nul)
{
	struct tls_info	 ti;
	struct buf	 b;
	size_t		 i;

	tls_info_cert(x, chain, code, checked, sni, &ti);
	FUZZ_CHECK(ti.protocol == NULL && ti.cipher == NULL);
	ti.protocol = xstrdup("TLSv1.3");
	ti.cipher = xstrdup("TLS_AES_256_GCM_SHA384");
	ti.bits = 256;
	FUZZ_CHECK(ti.subject != NULL && ti.issuer != NULL &&
	    ti.sans != NULL && ti.verify_text != NULL && ti.key != NULL);
	FUZZ_CHECK(ti.malformed == nul);
	if (nul || code != X509_V_OK)
		FUZZ_CHECK(!ti.verified);
	else
		FUZZ_CHECK(ti.verified);
	FUZZ_CHECK(ti.nchain <= TLS_CHAIN_MAX && ti.nchain <= ti.chain_total);
	FUZZ_CHECK(ti.chain_total == (chain != NULL ?
	    (size_t)sk_X509_num(chain) : 0));
	/* The escaped names: printable, the list bounded. */
	FUZZ_CHECK(fuzz_printable(ti.subject, strlen(ti.subject), NULL));
	FUZZ_CHECK(fuzz_printable(ti.issuer, strlen(ti.issuer), NULL));
	FUZZ_CHECK(fuzz_printable(ti.sans, strlen(ti.sans), NULL));
	FUZZ_CHECK(strlen(ti.sans) <= TLS_NAMES_MAX + 64);
	for (i = 0; i < ti.nchain; i++) {
		FUZZ_CHECK(fuzz_printable(ti.chain[i].subject,
		    strlen(ti.chain[i].subject), NULL));
		FUZZ_CHECK(fuzz_printable(ti.chain[i].issuer,
		    strlen(ti.chain[i].issuer), NULL));
	}

	buf_init(&b, 0);
	format_tls(&b, &ti, "* ");
	FUZZ_CHECK(b.len == strlen(b.data));
	FUZZ_CHECK(fuzz_printable(b.data, b.len, "\n"));
	FUZZ_CHECK(b.len > 0 && b.data[b.len - 1] == '\n');
	buf_release(&b);
	tls_info_release(&ti);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char	*p = data;
	X509			*x;
	STACK_OF(X509)		*chain;
	struct tls_info		 ti;
	static int		 none_done;
	int			 nul;

	if ((x = d2i_X509(NULL, &p, (long)size)) == NULL)
		return (0);
	/* No certificate at all (the first input only: it never varies). */
	if (!none_done) {
		none_done = 1;
		tls_info_cert(NULL, NULL, X509_V_OK, NULL, 0, &ti);
		FUZZ_CHECK(!ti.verified && ti.subject == NULL &&
		    ti.verify_text != NULL);
		tls_info_release(&ti);
	}
	nul = has_nul(x);
	chain = sk_X509_new_null();
	sk_X509_push(chain, x);
	one(x, NULL, X509_V_OK, NULL, 0, nul);
	one(x, chain, X509_V_OK, "mx.example.org", 0, nul);
	one(x, chain, X509_V_ERR_HOSTNAME_MISMATCH, "mail.example.org", 0,
	    nul);
	one(x, NULL, X509_V_ERR_HOSTNAME_MISMATCH, "mail.example.org", 1,
	    nul);
	one(x, chain, X509_V_ERR_IP_ADDRESS_MISMATCH, "192.0.2.1", 0, nul);
	sk_X509_free(chain);
	X509_free(x);
	return (0);
}
