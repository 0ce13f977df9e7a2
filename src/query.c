/* query.c: `queries` parsing and matching (see query.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_in.h"
#include "query.h"

static const struct { const char *name; int op; } ops[] = {
	{ "equal", Q_EQUAL }, { "notEqual", Q_NOT_EQUAL }, { "lessThan", Q_LT },
	{ "lessThanEqual", Q_LTE }, { "greaterThan", Q_GT },
	{ "greaterThanEqual", Q_GTE }, { "startsWith", Q_STARTS },
	{ "endsWith", Q_ENDS }, { "isNull", Q_IS_NULL },
	{ "isNotNull", Q_IS_NOT_NULL }, { "contains", Q_CONTAINS },
	{ "search", Q_SEARCH }, { "between", Q_BETWEEN },
};

/* Reads a non-negative integer token; returns -1 when it is not one. */
static long int_value(const struct jdoc *d, int t)
{
	const char *s = d->js + d->t[t].start;
	int n = d->t[t].end - d->t[t].start, i;
	long v = 0;

	if (!jdoc_is_number(d, t) || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Index of attribute a in attrs, or -1. */
static int attr_index(const char *const *attrs, const char *a)
{
	int i;

	for (i = 0; attrs && attrs[i]; i++)
		if (strcmp(attrs[i], a) == 0)
			return i;
	return -1;
}

/* Parses one query string into q. */
static int parse_one(struct arena *a, const char *s, size_t n,
    const char *const *attrs, struct qlist *q, char *err, size_t errn)
{
	struct jdoc d;
	const char *method, *attr = "";
	int tm, ta, tv, nv, i, j, ai;

	if (jdoc_parse(&d, a, s, n) != JE_OK || d.t[0].type != JSMN_OBJECT) {
		snprintf(err, errn, "Query must be a JSON object");
		return -1;
	}
	tm = jdoc_get(&d, 0, "method");
	ta = jdoc_get(&d, 0, "attribute");
	tv = jdoc_get(&d, 0, "values");
	if (tm < 0 || (method = jdoc_str(&d, tm, a, NULL)) == NULL) {
		snprintf(err, errn, "Invalid query method: ");
		return -1;
	}
	if (ta >= 0 && (attr = jdoc_str(&d, ta, a, NULL)) == NULL) {
		snprintf(err, errn, "Attribute must be a string");
		return -1;
	}
	if (tv >= 0 && d.t[tv].type != JSMN_ARRAY) {
		snprintf(err, errn, "Values must be an array");
		return -1;
	}
	nv = tv >= 0 ? d.t[tv].size : 0;
	if (strcmp(method, "limit") == 0 || strcmp(method, "offset") == 0) {
		long v = nv == 1 ? int_value(&d, tv + 1) : -1;
		int lim = method[0] == 'l';
		if (lim && (v < 1 || v > 5000)) {
			snprintf(err, errn, "Invalid limit: Value must be a valid range "
			    "between 1 and 5,000");
			return -1;
		}
		if (!lim && v < 0) {
			snprintf(err, errn, "Invalid offset: Value must be a valid "
			    "integer of 0 or more");
			return -1;
		}
		if (lim)
			q->limit = v;
		else
			q->offset = v;
		return 0;
	}
	if (attrs == NULL) {
		snprintf(err, errn, "Invalid query method: %.64s", method);
		return -1;
	}
	if (strcmp(method, "orderAsc") == 0 || strcmp(method, "orderDesc") == 0) {
		if ((ai = attr_index(attrs, attr)) < 0) {
			snprintf(err, errn, "Attribute not found in schema: %.64s", attr);
			return -1;
		}
		q->order_attr = ai;
		q->order_desc = method[5] == 'D';
		return 0;
	}
	if (strcmp(method, "cursorAfter") == 0 || strcmp(method, "cursorBefore") == 0) {
		if (nv != 1 || (q->cursor = jdoc_str(&d, tv + 1, a, NULL)) == NULL) {
			snprintf(err, errn, "Invalid cursor");
			return -1;
		}
		q->cursor_before = method[6] == 'B';
		return 0;
	}
	for (i = 0; i < (int)(sizeof ops / sizeof ops[0]); i++)
		if (strcmp(method, ops[i].name) == 0)
			break;
	if (i == (int)(sizeof ops / sizeof ops[0])) {
		snprintf(err, errn, "Invalid query method: %.64s", method);
		return -1;
	}
	if ((ai = attr_index(attrs, attr)) < 0) {
		snprintf(err, errn, "Attribute not found in schema: %.64s", attr);
		return -1;
	}
	if (q->nfilters >= LK_MAX_FILTERS || nv > LK_MAX_FILTER_VALUES ||
	    (ops[i].op == Q_BETWEEN && nv != 2)) {
		snprintf(err, errn, "Query value is invalid for attribute \"%.64s\"", attr);
		return -1;
	}
	{
		struct qfilter *f = &q->f[q->nfilters];
		f->op = (enum qop)ops[i].op;
		f->attr = ai;
		f->nvals = 0;
		for (j = 0, tv = tv + 1; j < nv; j++, tv = jdoc_skip(&d, tv)) {
			if ((f->vals[j] = jdoc_str(&d, tv, a, NULL)) == NULL) {
				snprintf(err, errn, "Query value is invalid for attribute \"%.64s\"", attr);
				return -1;
			}
			f->nvals++;
		}
	}
	q->nfilters++;
	return 0;
}

int query_parse(struct arena *a, const struct http_param *p,
    const char *const *attrs, struct qlist *q, char *err, size_t errn)
{
	int i;

	memset(q, 0, sizeof *q);
	q->limit = 25;
	q->order_attr = -1;
	if (p == NULL)
		return 0;
	for (i = 0; i < p->nitems; i++) {
		if (p->items_n[i] > 4096) {
			snprintf(err, errn, "Query too long");
			return -1;
		}
		if (parse_one(a, p->items[i], p->items_n[i], attrs, q, err, errn) < 0)
			return -1;
	}
	return 0;
}

int query_match(const struct qfilter *f, const char *v)
{
	int i, c;
	size_t vl, al;

	switch (f->op) {
	case Q_IS_NULL: return v == NULL || *v == '\0';
	case Q_IS_NOT_NULL: return v != NULL && *v != '\0';
	default: break;
	}
	if (v == NULL)
		v = "";
	vl = strlen(v);
	if (f->op == Q_BETWEEN)
		return strcmp(v, f->vals[0]) >= 0 && strcmp(v, f->vals[1]) <= 0;
	for (i = 0; i < f->nvals; i++) {
		c = strcmp(v, f->vals[i]);
		al = strlen(f->vals[i]);
		switch (f->op) {
		case Q_EQUAL: if (c == 0) return 1; break;
		case Q_NOT_EQUAL: if (c == 0) return 0; break;
		case Q_LT: if (c < 0) return 1; break;
		case Q_LTE: if (c <= 0) return 1; break;
		case Q_GT: if (c > 0) return 1; break;
		case Q_GTE: if (c >= 0) return 1; break;
		case Q_STARTS: if (al <= vl && memcmp(v, f->vals[i], al) == 0) return 1; break;
		case Q_ENDS: if (al <= vl && memcmp(v + vl - al, f->vals[i], al) == 0) return 1; break;
		case Q_CONTAINS: case Q_SEARCH: if (strstr(v, f->vals[i])) return 1; break;
		default: break;
		}
	}
	return f->op == Q_NOT_EQUAL;
}
