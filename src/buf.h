/* buf.h: growable byte buffer with a hard maximum and a sticky error flag.
 * Appends after an error are ignored; check buf.err once at the end. */
#ifndef LK_BUF_H
#define LK_BUF_H

#include <stddef.h>

struct buf {
	char *data;  /* owned; always NUL-terminated when non-NULL */
	size_t len;  /* bytes used, excluding the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard limit on len */
	int err;     /* sticky: 1 after an allocation failure or overflow */
};

/* Initialises an empty buffer that may grow to max bytes. */
void buf_init(struct buf *b, size_t max);
/* Appends n bytes; returns 0, or -1 (and sets err) when over max. */
int buf_add(struct buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string. */
int buf_adds(struct buf *b, const char *s);
/* Appends one byte. */
int buf_addc(struct buf *b, char c);
/* Appends printf-formatted text (bounded by max). */
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empties the buffer and clears err; keeps the allocation. */
void buf_reset(struct buf *b);
/* Frees the allocation. */
void buf_free(struct buf *b);

#endif
