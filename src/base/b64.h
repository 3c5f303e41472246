/* SPDX-License-Identifier: ISC */
/*
 * Base64 (RFC 4648) for SASL, through OpenSSL's encoder.
 */
#ifndef B64_H
#define B64_H

#include <stddef.h>

/* Encode len bytes; the caller frees the result. */
char	*b64_encode(const void *, size_t);
/*
 * Decode text (whitespace around it ignored); returns a new buffer (the
 * caller frees it, it is NUL-terminated) and sets *outlen, or NULL when the
 * text is not valid base64.
 */
char	*b64_decode(const char *, size_t, size_t *);

#endif
