/* str.h: the (pointer, length) view used for all untrusted data.
 * A struct str never owns its bytes; whoever filled it says how long they live
 * (usually the per-request arena). */
#ifndef LK_STR_H
#define LK_STR_H

#include <stddef.h>
#include <string.h>

struct str {
	const char *p; /* first byte; may be NULL when n == 0 */
	size_t n;      /* length in bytes, no terminator counted */
};

#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })
#define STR_NULL ((struct str){ NULL, 0 })

/* Returns a view of the NUL-terminated string s (NULL gives the empty view). */
static inline struct str str_c(const char *s)
{
	return (struct str){ s, s ? strlen(s) : 0 };
}

/* Returns 1 when a and b hold the same bytes, else 0 (not constant time). */
static inline int str_eq(struct str a, struct str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Returns 1 when a equals the NUL-terminated c, else 0. */
static inline int str_eqc(struct str a, const char *c)
{
	return str_eq(a, str_c(c));
}

#endif
