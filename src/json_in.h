/* json_in.h: request JSON through jsmn with hard caps: a token budget, a
 * nesting limit, strict primitives, exactly one top-level value, valid UTF-8
 * strings. Tokens live in the per-request arena. */
#ifndef LK_JSON_IN_H
#define LK_JSON_IN_H

#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER
#include <stddef.h>

#include "arena.h"
#include "json_out.h"

enum jerr {
	JE_OK = 0,    /* parsed */
	JE_SYNTAX,    /* not JSON */
	JE_TOO_BIG,   /* token budget exceeded */
	JE_DEPTH,     /* nested deeper than LK_MAX_JSON_DEPTH */
	JE_NOMEM      /* arena exhausted */
};

struct jdoc {
	const char *js;  /* source text, not owned */
	size_t len;      /* its length */
	jsmntok_t *t;    /* tokens (arena) */
	int n;           /* token count */
};

/* Parses js[0..len) into d. Returns JE_OK or an error. */
enum jerr jdoc_parse(struct jdoc *d, struct arena *a, const char *js, size_t len);
/* Returns the index of the token after the whole subtree rooted at i. */
int jdoc_skip(const struct jdoc *d, int i);
/* Returns the value token of member `key` of object token obj, or -1. */
int jdoc_get(const struct jdoc *d, int obj, const char *key);
/* Decodes string token i (escapes resolved, UTF-8 checked, NUL bytes and
 * lone surrogates refused) into a NUL-terminated arena string; *n gets the
 * length. Returns NULL when the token is not a valid string or on no memory. */
char *jdoc_str(const struct jdoc *d, int i, struct arena *a, size_t *n);
/* Returns 1 when token i is the literal true/false/null, 0 otherwise;
 * *v gets 1 for true. */
int jdoc_is_bool(const struct jdoc *d, int i, int *v);
int jdoc_is_null(const struct jdoc *d, int i);
/* Returns 1 when token i is a number primitive. */
int jdoc_is_number(const struct jdoc *d, int i);
/* Re-emits the subtree at i through the writer (canonical, compact).
 * Returns 0, or -1 on an invalid string inside. */
int jdoc_emit(const struct jdoc *d, int i, struct jw *w, struct arena *a);

#endif
