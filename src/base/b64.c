/* SPDX-License-Identifier: ISC */
/*
 * Base64 through OpenSSL's EVP_EncodeBlock and EVP_DecodeBlock.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/b64.h"
#include "base/xmalloc.h"

/* Encode bytes. */
char *
b64_encode(const void *p, size_t len)
{
	char	*out;

	if (len > (size_t)0x3fffffff)
		return (NULL);
	out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	return (out);
}

/* Decode text. */
char *
b64_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char	*out;
	size_t		 pad = 0, i;
	int		 n;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (len % 4 != 0 || len > (size_t)0x3fffffff)
		return (NULL);
	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c == '=') {
			if (i < len - 2)
				return (NULL);
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return (NULL);
		if (i > 0 && s[i - 1] == '=')
			return (NULL);
	}
	if (len > 0 && s[len - 1] == '=')
		pad++;
	if (len > 1 && s[len - 2] == '=')
		pad++;
	out = xmalloc(len / 4 * 3 + 1);
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n < pad) {
		free(out);
		return (NULL);
	}
	*outlen = (size_t)n - pad;
	out[*outlen] = '\0';
	return ((char *)out);
}
