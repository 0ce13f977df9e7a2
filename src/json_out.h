/* json_out.h: the only way latchkey writes JSON. A writer appends to a
 * struct buf and keeps a scope stack so commas and nesting are always right;
 * strings are escaped (control bytes, quotes, backslash; invalid UTF-8 is
 * replaced by U+FFFD). Errors are sticky in the underlying buf. */
#ifndef LK_JSON_OUT_H
#define LK_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "lk_limits.h"

struct jw {
	struct buf *b;                          /* destination, not owned */
	int depth;                              /* open scopes */
	unsigned char first[LK_MAX_JSON_DEPTH + 1]; /* 1 while a scope has no member yet */
	int after_key;                          /* 1 right after jw_key() */
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj(struct jw *w);   /* { */
void jw_obj_end(struct jw *w); /* } */
void jw_arr(struct jw *w);   /* [ */
void jw_arr_end(struct jw *w); /* ] */
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *p, size_t n);
void jw_strc(struct jw *w, const char *s); /* NULL writes "" */
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* Appends already-valid JSON text verbatim (caller guarantees validity). */
void jw_raw(struct jw *w, const char *p, size_t n);

/* key + value shorthands */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_kstrn(struct jw *w, const char *k, const char *p, size_t n);
void jw_kint(struct jw *w, const char *k, int64_t v);
void jw_kbool(struct jw *w, const char *k, int v);

/* Appends p[0..n) JSON-escaped (without quotes) to b. */
void json_escape(struct buf *b, const char *p, size_t n);

#endif
