/* SPDX-License-Identifier: ISC */
/*
 * Growable byte buffer with a hard size cap.  Every buffer fed by the
 * network is a struct buf with a cap, so a hostile peer cannot make us grow
 * without bound.
 *
 * Invariants: data is never NULL after buf_init(); data[len] is always '\0'
 * (not counted in len), so text buffers can be used as C strings.
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;		/* contents, NUL-terminated */
	size_t	 len;		/* bytes used */
	size_t	 cap;		/* bytes allocated (excluding the NUL) */
	size_t	 max;		/* hard cap on len; 0 means no cap */
	int	 secret;	/* may hold a secret: see buf_secret() */
};

/* Initialise an empty buffer holding at most max bytes (0: unbounded). */
void	buf_init(struct buf *, size_t);
/* Free the storage; the buffer may be used again after buf_init(). */
void	buf_release(struct buf *);
/* Hand over the storage: the caller now owns it and frees it with free(). */
char	*buf_detach(struct buf *, size_t *);
/* Append bytes; returns -1 and appends nothing if the cap would be passed. */
int	buf_add(struct buf *, const void *, size_t);
int	buf_addstr(struct buf *, const char *);
int	buf_addch(struct buf *, int);
int	buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
int	buf_vprintf(struct buf *, const char *, va_list) __attribute__((format(printf, 2, 0)));
/*
 * Make room for n more bytes and return where they go, or NULL (nothing
 * changed) if the cap would be passed; buf_commit() then counts the m <= n
 * bytes written there.
 */
char	*buf_reserve(struct buf *, size_t);
void	buf_commit(struct buf *, size_t);
/* Drop the first n bytes; the bytes that go are zeroed, not left behind. */
void	buf_consume(struct buf *, size_t);
/* Empty the buffer, keeping its storage (zeroed). */
void	buf_reset(struct buf *);
/*
 * From now until it is next emptied (buf_reset, or buf_consume of
 * everything: the mark ends there), b may hold a secret (AUTH
 * credentials).  Bytes dropped or emptied are zeroed in any buffer; a
 * marked one also grows by copy, its old storage overwritten before it is
 * freed (realloc would leave a copy behind), and is overwritten when
 * released.  Mark the buffer before the secret goes in.  buf_detach()
 * hands the bytes over as they are.
 */
void	buf_secret(struct buf *);
/* Bytes that may still be added before the cap. */
size_t	buf_room(const struct buf *);

#endif
