/* SPDX-License-Identifier: ISC */
/*
 * Growable byte buffer with a hard cap.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/buf.h"
#include "base/xmalloc.h"

static void	buf_grow(struct buf *, size_t);

/* Initialise an empty buffer. */
void
buf_init(struct buf *b, size_t max)
{
	b->cap = 64;
	b->data = xmalloc(b->cap + 1);
	b->data[0] = '\0';
	b->len = 0;
	b->max = max;
	b->secret = 0;
}

/* Free the storage. */
void
buf_release(struct buf *b)
{
	if (b->secret && b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap + 1);
	b->secret = 0;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Give the storage to the caller. */
char *
buf_detach(struct buf *b, size_t *len)
{
	char	*p = b->data;

	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	b->secret = 0;
	return (p);
}

/* Make room for need more bytes. */
static void
buf_grow(struct buf *b, size_t need)
{
	size_t	 cap = b->cap;
	char	*p;

	if (b->len + need <= cap)
		return;
	while (cap < b->len + need)
		cap = cap < 4096 ? cap * 2 : cap + cap / 2;
	if (b->secret) {
		/* Copy by hand, so the old block is wiped before it goes. */
		p = xmalloc(cap + 1);
		memcpy(p, b->data, b->len + 1);
		OPENSSL_cleanse(b->data, b->cap + 1);
		free(b->data);
		b->data = p;
	} else
		b->data = xrealloc(b->data, cap + 1);
	b->cap = cap;
}

/* Bytes that may still be added. */
size_t
buf_room(const struct buf *b)
{
	if (b->max == 0)
		return ((size_t)-1 - b->len - 1);
	return (b->len >= b->max ? 0 : b->max - b->len);
}

/* Append bytes within the cap. */
int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n > buf_room(b))
		return (-1);
	if (n == 0)
		return (0);
	buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return (0);
}

/* Room to write into. */
char *
buf_reserve(struct buf *b, size_t n)
{
	if (n > buf_room(b))
		return (NULL);
	buf_grow(b, n);
	return (b->data + b->len);
}

/* Count what was written into reserved room. */
void
buf_commit(struct buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append a C string. */
int
buf_addstr(struct buf *b, const char *s)
{
	return (buf_add(b, s, strlen(s)));
}

/* Append one byte. */
int
buf_addch(struct buf *b, int c)
{
	char	ch = (char)c;

	return (buf_add(b, &ch, 1));
}

/* Append formatted text. */
int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return (r);
}

/* Append formatted text from a va_list. */
int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	aq;
	int	n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || (size_t)n > buf_room(b))
		return (-1);
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return (0);
}

/*
 * Drop bytes from the front.  The bytes left behind past the new end are
 * zeroed: no stale copy of what went (a password typed, an AUTH line sent)
 * stays in the storage.
 */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	memset(b->data + b->len, 0, n + 1);
}

/* Empty the buffer, its bytes zeroed; the secret mark ends. */
void
buf_reset(struct buf *b)
{
	memset(b->data, 0, b->len + 1);
	b->len = 0;
	b->secret = 0;
}

/* The buffer may hold a secret from now on. */
void
buf_secret(struct buf *b)
{
	b->secret = 1;
}
