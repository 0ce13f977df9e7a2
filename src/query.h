/* query.h: the `queries` parameter (spec/CONTRACT.md 11): JSON query strings
 * parsed and checked against a per-list allow-list. Filtering and paging of
 * the small per-user lists happen in C over rows fetched by a fixed
 * statement, so no SQL is ever built from a query. */
#ifndef LK_QUERY_H
#define LK_QUERY_H

#include <stddef.h>

#include "arena.h"
#include "http.h"

#define LK_MAX_FILTERS 16
#define LK_MAX_FILTER_VALUES 500

enum qop { Q_EQUAL, Q_NOT_EQUAL, Q_LT, Q_LTE, Q_GT, Q_GTE, Q_STARTS, Q_ENDS,
	Q_IS_NULL, Q_IS_NOT_NULL, Q_CONTAINS, Q_SEARCH, Q_BETWEEN };

struct qfilter {
	enum qop op;                 /* comparison */
	int attr;                    /* index into the allow-list */
	int nvals;                   /* values */
	const char *vals[LK_MAX_FILTER_VALUES]; /* string values (arena) */
};

struct qlist {
	long limit;            /* page size (default 25) */
	long offset;           /* rows skipped */
	int nfilters;          /* entries in f */
	struct qfilter f[LK_MAX_FILTERS]; /* all must hold */
	int order_attr;        /* -1: natural order */
	int order_desc;        /* 1: descending */
	const char *cursor;    /* cursor document ID or NULL */
	int cursor_before;     /* 1: cursorBefore */
};

/* Parses param p (may be NULL) into q. attrs: attributes allowed for
 * filters and ordering (NULL-terminated; NULL list = only limit/offset).
 * Returns 0, or -1 with the detail (after "Invalid query: ") in err. */
int query_parse(struct arena *a, const struct http_param *p,
    const char *const *attrs, struct qlist *q, char *err, size_t errn);

/* Returns 1 when value v (NULL = null) passes filter f. */
int query_match(const struct qfilter *f, const char *v);

#endif
