/* test_misc.c: check suite for the small pure modules: query.c (the
 * `queries` parser and matcher), jwt.c (HS256 sign/verify), timeutil.c
 * (formats and ISO parsing), config.c (file + environment, validation),
 * errors.c (status masking, types), arena.c and buf.c (caps, sticky
 * errors). Table-driven where the input is data. Rows marked BUG fail
 * against the current src/ on purpose. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "arena.h"
#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "errors.h"
#include "http.h"
#include "jwt.h"
#include "lk_limits.h"
#include "query.h"
#include "timeutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

extern char **environ;

static struct arena ar; /* per-test arena (fixture) */

static void
setup(void)
{
	ck_assert_int_eq(arena_init(&ar, LK_ARENA_SIZE), 0);
}

static void
teardown(void)
{
	arena_free(&ar);
}

/* ---- query_parse ---- */

static const char *const qattrs[] = {
	"provider", "providerUid", "providerEmail", "userId", NULL
};

/* Makes an array parameter of the NULL-terminated items (arena). */
static struct http_param *
mkqueries(const char *const *items, int n)
{
	struct http_param *p = arena_alloc(&ar, sizeof *p);
	int i;

	ck_assert_ptr_nonnull(p);
	memset(p, 0, sizeof *p);
	p->name = "queries";
	p->kind = PK_ARRAY;
	p->tok = -1;
	p->items = arena_alloc(&ar, sizeof(char *) * (size_t)(n ? n : 1));
	p->items_n = arena_alloc(&ar, sizeof(size_t) * (size_t)(n ? n : 1));
	ck_assert(p->items != NULL && p->items_n != NULL);
	for (i = 0; i < n; i++) {
		size_t len = strlen(items[i]);
		/* exact-size unterminated copies: overreads show up */
		char *c = arena_alloc(&ar, len ? len : 1);
		ck_assert_ptr_nonnull(c);
		memcpy(c, items[i], len);
		p->items[i] = c;
		p->items_n[i] = len;
	}
	p->nitems = n;
	return p;
}

struct qcase {
	const char *q[4];  /* query strings (NULL ends) */
	int attrs;         /* 1: qattrs, 0: NULL (only limit/offset) */
	int rc;            /* expected result */
	const char *err;   /* expected message (rc < 0) */
	long limit, offset;/* expected paging */
	int nfilters;      /* expected filter count */
	int order_attr;    /* expected order attribute */
	int order_desc;    /* expected direction */
	const char *cursor;/* expected cursor or NULL */
	int cursor_before; /* expected cursor direction */
};

#define L(v) "{\"method\":\"limit\",\"values\":[" v "]}"
#define O(v) "{\"method\":\"offset\",\"values\":[" v "]}"
#define Q(m, a, v) "{\"method\":\"" m "\",\"attribute\":\"" a "\",\"values\":[" v "]}"
#define OK_(lim, off) 0, "", lim, off
#define BAD(msg) -1, msg, 25, 0

static const struct qcase query_cases[] = {
	{ { NULL }, 0, OK_(25, 0), 0, -1, 0, NULL, 0 },
	{ { L("10"), NULL }, 0, OK_(10, 0), 0, -1, 0, NULL, 0 },
	{ { L("1"), NULL }, 0, OK_(1, 0), 0, -1, 0, NULL, 0 },
	{ { L("5000"), NULL }, 0, OK_(5000, 0), 0, -1, 0, NULL, 0 },
	{ { L("0"), NULL }, 0,
	  BAD("Invalid limit: Value must be a valid range between 1 and 5,000"),
	  0, -1, 0, NULL, 0 },
	{ { L("5001"), NULL }, 0, BAD("Invalid limit: Value must be a valid "
	  "range between 1 and 5,000"), 0, -1, 0, NULL, 0 },
	{ { L("-1"), NULL }, 0, BAD("Invalid limit: Value must be a valid "
	  "range between 1 and 5,000"), 0, -1, 0, NULL, 0 },
	{ { L("\"10\""), NULL }, 0, BAD("Invalid limit: Value must be a valid "
	  "range between 1 and 5,000"), 0, -1, 0, NULL, 0 },
	{ { L("1.5"), NULL }, 0, BAD("Invalid limit: Value must be a valid "
	  "range between 1 and 5,000"), 0, -1, 0, NULL, 0 },
	{ { L("1e3"), NULL }, 0, BAD("Invalid limit: Value must be a valid "
	  "range between 1 and 5,000"), 0, -1, 0, NULL, 0 },
	{ { L("9999999999"), NULL }, 0, BAD("Invalid limit: Value must be a "
	  "valid range between 1 and 5,000"), 0, -1, 0, NULL, 0 },
	{ { L(""), NULL }, 0, BAD("Invalid limit: Value must be a valid range "
	  "between 1 and 5,000"), 0, -1, 0, NULL, 0 },
	{ { L("1,2"), NULL }, 0, BAD("Invalid limit: Value must be a valid "
	  "range between 1 and 5,000"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"limit\"}", NULL }, 0, BAD("Invalid limit: Value must "
	  "be a valid range between 1 and 5,000"), 0, -1, 0, NULL, 0 },
	{ { O("0"), NULL }, 0, OK_(25, 0), 0, -1, 0, NULL, 0 },
	{ { O("100"), NULL }, 0, OK_(25, 100), 0, -1, 0, NULL, 0 },
	{ { O("5001"), NULL }, 0, OK_(25, 5001), 0, -1, 0, NULL, 0 }, /* no cap */
	{ { O("999999999"), NULL }, 0, OK_(25, 999999999), 0, -1, 0, NULL, 0 },
	{ { O("-1"), NULL }, 0, BAD("Invalid offset: Value must be a valid "
	  "integer of 0 or more"), 0, -1, 0, NULL, 0 },
	{ { L("7"), O("3"), NULL }, 0, OK_(7, 3), 0, -1, 0, NULL, 0 },
	{ { L("7"), L("8"), NULL }, 0, OK_(8, 0), 0, -1, 0, NULL, 0 },
	{ { "x", NULL }, 0, BAD("Query must be a JSON object"), 0, -1, 0, NULL, 0 },
	{ { "", NULL }, 0, BAD("Query must be a JSON object"), 0, -1, 0, NULL, 0 },
	{ { "[]", NULL }, 0, BAD("Query must be a JSON object"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"limit\",\"values\":[1]", NULL }, 0,
	  BAD("Query must be a JSON object"), 0, -1, 0, NULL, 0 },
	{ { "{}", NULL }, 0, BAD("Invalid query method: "), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":1}", NULL }, 0, BAD("Invalid query method: "), 0, -1, 0,
	  NULL, 0 },
	{ { "{\"method\":\"\\u0000\"}", NULL }, 0, BAD("Invalid query method: "),
	  0, -1, 0, NULL, 0 },
	{ { L("10"), "nope", NULL }, 0, BAD("Query must be a JSON object"), 0, -1,
	  0, NULL, 0 },
	/* without an attribute list only paging is allowed */
	{ { Q("equal", "provider", "\"x\""), NULL }, 0,
	  BAD("Invalid query method: equal"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"orderAsc\",\"attribute\":\"provider\"}", NULL }, 0,
	  BAD("Invalid query method: orderAsc"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"cursorAfter\",\"values\":[\"a\"]}", NULL }, 0,
	  BAD("Invalid query method: cursorAfter"), 0, -1, 0, NULL, 0 },
	/* with qattrs */
	{ { Q("equal", "provider", "\"google\""), NULL }, 1, OK_(25, 0), 1, -1, 0,
	  NULL, 0 },
	{ { Q("equal", "provider", "\"a\""), Q("notEqual", "userId", "\"b\""),
	    L("5"), NULL }, 1, OK_(5, 0), 2, -1, 0, NULL, 0 },
	{ { Q("isNull", "providerEmail", ""), NULL }, 1, OK_(25, 0), 1, -1, 0,
	  NULL, 0 },
	{ { "{\"method\":\"isNotNull\",\"attribute\":\"providerEmail\"}", NULL }, 1,
	  OK_(25, 0), 1, -1, 0, NULL, 0 },
	{ { Q("between", "userId", "\"a\",\"c\""), NULL }, 1, OK_(25, 0), 1, -1,
	  0, NULL, 0 },
	{ { Q("between", "userId", "\"a\""), NULL }, 1,
	  BAD("Query value is invalid for attribute \"userId\""), 0, -1, 0, NULL, 0 },
	{ { Q("between", "userId", "\"a\",\"b\",\"c\""), NULL }, 1,
	  BAD("Query value is invalid for attribute \"userId\""), 0, -1, 0, NULL, 0 },
	{ { Q("equal", "provider", "1"), NULL }, 1,
	  BAD("Query value is invalid for attribute \"provider\""), 0, -1, 0, NULL, 0 },
	{ { Q("equal", "provider", "\"a\",null"), NULL }, 1,
	  BAD("Query value is invalid for attribute \"provider\""), 0, -1, 0, NULL, 0 },
	{ { Q("equal", "nope", "\"a\""), NULL }, 1,
	  BAD("Attribute not found in schema: nope"), 0, -1, 0, NULL, 0 },
	{ { Q("equal", "Provider", "\"a\""), NULL }, 1,
	  BAD("Attribute not found in schema: Provider"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"equal\",\"values\":[\"a\"]}", NULL }, 1,
	  BAD("Attribute not found in schema: "), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"equal\",\"attribute\":5,\"values\":[\"a\"]}", NULL }, 1,
	  BAD("Attribute must be a string"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"equal\",\"attribute\":\"provider\",\"values\":\"a\"}",
	    NULL }, 1, BAD("Values must be an array"), 0, -1, 0, NULL, 0 },
	{ { Q("foo", "provider", "\"a\""), NULL }, 1,
	  BAD("Invalid query method: foo"), 0, -1, 0, NULL, 0 },
	{ { Q("EQUAL", "provider", "\"a\""), NULL }, 1,
	  BAD("Invalid query method: EQUAL"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"orderAsc\",\"attribute\":\"provider\"}", NULL }, 1,
	  OK_(25, 0), 0, 0, 0, NULL, 0 },
	{ { "{\"method\":\"orderDesc\",\"attribute\":\"userId\"}", NULL }, 1,
	  OK_(25, 0), 0, 3, 1, NULL, 0 },
	{ { "{\"method\":\"orderDesc\",\"attribute\":\"nope\"}", NULL }, 1,
	  BAD("Attribute not found in schema: nope"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"orderAsc\"}", NULL }, 1,
	  BAD("Attribute not found in schema: "), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"cursorAfter\",\"values\":[\"abc\"]}", NULL }, 1,
	  OK_(25, 0), 0, -1, 0, "abc", 0 },
	{ { "{\"method\":\"cursorBefore\",\"values\":[\"x\"]}", NULL }, 1,
	  OK_(25, 0), 0, -1, 0, "x", 1 },
	{ { "{\"method\":\"cursorAfter\",\"values\":[]}", NULL }, 1,
	  BAD("Invalid cursor"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"cursorAfter\",\"values\":[1]}", NULL }, 1,
	  BAD("Invalid cursor"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"cursorAfter\",\"values\":[\"a\",\"b\"]}", NULL }, 1,
	  BAD("Invalid cursor"), 0, -1, 0, NULL, 0 },
	{ { "{\"method\":\"cursorAfter\"}", NULL }, 1, BAD("Invalid cursor"), 0,
	  -1, 0, NULL, 0 },
};

/* Each query_cases row. */
START_TEST(test_query)
{
	const struct qcase *c = &query_cases[_i];
	struct qlist q;
	char err[256] = "";
	int n, rc;

	for (n = 0; n < 4 && c->q[n]; n++)
		;
	rc = query_parse(&ar, mkqueries(c->q, n), c->attrs ? qattrs : NULL, &q,
	    err, sizeof err);
	ck_assert_msg(rc == c->rc, "row %d: rc %d (%s)", _i, rc, err);
	if (rc < 0) {
		ck_assert_str_eq(err, c->err);
		return;
	}
	ck_assert_int_eq(q.limit, c->limit);
	ck_assert_int_eq(q.offset, c->offset);
	ck_assert_int_eq(q.nfilters, c->nfilters);
	ck_assert_int_eq(q.order_attr, c->order_attr);
	ck_assert_int_eq(q.order_desc, c->order_desc);
	if (c->cursor == NULL)
		ck_assert_ptr_null(q.cursor);
	else {
		ck_assert_ptr_nonnull(q.cursor);
		ck_assert_str_eq(q.cursor, c->cursor);
	}
	ck_assert_int_eq(q.cursor_before, c->cursor_before);
}
END_TEST

/* No parameter gives the defaults. */
START_TEST(test_query_null)
{
	struct qlist q;
	char err[8];

	memset(&q, 0x5a, sizeof q);
	ck_assert_int_eq(query_parse(&ar, NULL, qattrs, &q, err, sizeof err), 0);
	ck_assert_int_eq(q.limit, 25);
	ck_assert_int_eq(q.offset, 0);
	ck_assert_int_eq(q.nfilters, 0);
	ck_assert_int_eq(q.order_attr, -1);
	ck_assert_ptr_null(q.cursor);
}
END_TEST

/* Filters carry their op, attribute and decoded values. */
START_TEST(test_query_filters)
{
	static const char *const items[] = {
		Q("equal", "provider", "\"a\",\"b\\u00e9\""),
		Q("startsWith", "providerEmail", "\"x@\""),
		Q("between", "userId", "\"1\",\"9\""),
		Q("search", "providerUid", "\"q\""),
	};
	static const enum qop ops[] = { Q_EQUAL, Q_STARTS, Q_BETWEEN, Q_SEARCH };
	static const int attrs[] = { 0, 2, 3, 1 };
	struct qlist q;
	char err[128];
	int i;

	ck_assert_int_eq(query_parse(&ar, mkqueries(items, 4), qattrs, &q, err,
	    sizeof err), 0);
	ck_assert_int_eq(q.nfilters, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(q.f[i].op, ops[i]);
		ck_assert_int_eq(q.f[i].attr, attrs[i]);
	}
	ck_assert_int_eq(q.f[0].nvals, 2);
	ck_assert_str_eq(q.f[0].vals[0], "a");
	ck_assert_str_eq(q.f[0].vals[1], "b\xc3\xa9");
	ck_assert_str_eq(q.f[2].vals[1], "9");
}
END_TEST

/* Builds an equal query on provider with n values "v0".."v<n-1>". */
static const char *
many_values(int n)
{
	struct buf b;
	const char *s;
	int i;

	buf_init(&b, 1 << 16);
	buf_adds(&b, "{\"method\":\"equal\",\"attribute\":\"provider\",\"values\":[");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s\"v%d\"", i ? "," : "", i);
	buf_adds(&b, "]}");
	s = arena_strndup(&ar, b.data, b.len);
	buf_free(&b);
	return s;
}

/* Caps: LK_MAX_FILTERS filters, LK_MAX_FILTER_VALUES values, 4096 bytes. */
START_TEST(test_query_caps)
{
	const char *items[LK_MAX_FILTERS + 1];
	struct qlist q;
	char err[128];
	char *big;
	int i;

	/* (the arena is reset between parses: see test_query_many_regression) */
	for (i = 0; i <= LK_MAX_FILTERS; i++)
		items[i] = Q("equal", "provider", "\"a\"");
	ck_assert_int_eq(query_parse(&ar, mkqueries(items, LK_MAX_FILTERS),
	    qattrs, &q, err, sizeof err), 0);
	ck_assert_int_eq(q.nfilters, LK_MAX_FILTERS);
	arena_reset(&ar);
	ck_assert_int_eq(query_parse(&ar, mkqueries(items, LK_MAX_FILTERS + 1),
	    qattrs, &q, err, sizeof err), -1);
	ck_assert_str_eq(err, "Query value is invalid for attribute \"provider\"");

	arena_reset(&ar);
	items[0] = many_values(LK_MAX_FILTER_VALUES);
	ck_assert_int_eq(query_parse(&ar, mkqueries(items, 1), qattrs, &q, err,
	    sizeof err), 0);
	ck_assert_int_eq(q.f[0].nvals, LK_MAX_FILTER_VALUES);
	ck_assert_str_eq(q.f[0].vals[LK_MAX_FILTER_VALUES - 1], "v499");
	arena_reset(&ar);
	items[0] = many_values(LK_MAX_FILTER_VALUES + 1);
	ck_assert_int_eq(query_parse(&ar, mkqueries(items, 1), qattrs, &q, err,
	    sizeof err), -1);

	/* a 4096-byte query (padded with JSON whitespace) passes, 4097 not */
	arena_reset(&ar);
	big = arena_alloc(&ar, 4098);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', 4097);
	memcpy(big, L("3"), strlen(L("3")));
	big[4096] = '\0';
	items[0] = big;
	ck_assert_int_eq(query_parse(&ar, mkqueries(items, 1), NULL, &q, err,
	    sizeof err), 0);
	ck_assert_int_eq(q.limit, 3);
	big[4096] = ' ';
	big[4097] = '\0';
	ck_assert_int_eq(query_parse(&ar, mkqueries(items, 1), NULL, &q, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "Query too long");
}
END_TEST

/* The error text is truncated to errn, never overflowed. */
START_TEST(test_query_small_err)
{
	static const char *const items[] = { Q("nosuchmethod", "provider", "") };
	struct qlist q;
	char err[8];

	memset(err, 'x', sizeof err);
	ck_assert_int_eq(query_parse(&ar, mkqueries(items, 1), qattrs, &q, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "Invalid");
}
END_TEST

/* A request may carry LK_MAX_ARRAY_ITEMS queries (Appwrite allows 100), and
 * their parse must fit in the request arena together with the request.
 * Fixed bug (query.c parse_one -> json_in.c jdoc_parse): every query string is
 * parsed with a full token budget from the request arena:
 * LK_MAX_JSON_TOKENS * sizeof(jsmntok_t) + LK_MAX_JSON_TOKENS bytes
 * (~84 KiB) per query, never given back, so the 2 MiB arena is exhausted
 * at the 25th query (fewer after a JSON body) and a valid request fails
 * with 400 "Invalid query: Query must be a JSON object". Fix: have
 * jdoc_parse size the token array from a counting pass
 * (jsmn_parse(..., NULL, 0)), or let query.c roll the arena back after
 * each query (it only keeps the decoded strings). */
START_TEST(test_query_many_regression)
{
	const char *items[LK_MAX_ARRAY_ITEMS];
	struct qlist q;
	char err[128] = "";
	int i, rc;

	/* paging queries only: 50 filters would be over LK_MAX_FILTERS */
	for (i = 0; i < LK_MAX_ARRAY_ITEMS; i++)
		items[i] = i % 2 ? O("1") : L("2");
	rc = query_parse(&ar, mkqueries(items, LK_MAX_ARRAY_ITEMS), qattrs, &q,
	    err, sizeof err);
	ck_assert_msg(rc == 0, "regression: query.c/json_in.c: %d queries exhaust the "
	    "request arena (%s; arena used %zu of %zu)", LK_MAX_ARRAY_ITEMS,
	    err, ar.used, ar.size);
}
END_TEST

/* ---- query_match ---- */

struct mcase {
	enum qop op;          /* operator */
	const char *vals[3];  /* filter values (NULL ends) */
	const char *v;        /* document value, NULL: null */
	int want;             /* expected result */
};

static const struct mcase match_cases[] = {
	{ Q_EQUAL, { "a" }, "a", 1 },
	{ Q_EQUAL, { "a" }, "b", 0 },
	{ Q_EQUAL, { "a" }, "ab", 0 },
	{ Q_EQUAL, { "a" }, NULL, 0 },
	{ Q_EQUAL, { "" }, NULL, 1 },
	{ Q_EQUAL, { "a", "b" }, "b", 1 },
	{ Q_EQUAL, { NULL }, "a", 0 },
	{ Q_NOT_EQUAL, { "a" }, "a", 0 },
	{ Q_NOT_EQUAL, { "a" }, "b", 1 },
	{ Q_NOT_EQUAL, { "a", "b" }, "b", 0 },
	{ Q_NOT_EQUAL, { "a" }, NULL, 1 },
	{ Q_LT, { "m" }, "a", 1 },
	{ Q_LT, { "m" }, "m", 0 },
	{ Q_LT, { "m" }, "z", 0 },
	{ Q_LTE, { "m" }, "m", 1 },
	{ Q_LTE, { "m" }, "n", 0 },
	{ Q_GT, { "m" }, "z", 1 },
	{ Q_GT, { "m" }, "m", 0 },
	{ Q_GTE, { "m" }, "m", 1 },
	{ Q_GTE, { "m" }, "a", 0 },
	{ Q_GT, { "2024-01-01" }, "2024-06-01 00:00:00.000", 1 },
	{ Q_STARTS, { "go" }, "google", 1 },
	{ Q_STARTS, { "go" }, "ogle", 0 },
	{ Q_STARTS, { "google!" }, "google", 0 },
	{ Q_STARTS, { "" }, "x", 1 },
	{ Q_STARTS, { "a" }, NULL, 0 },
	{ Q_ENDS, { "le" }, "google", 1 },
	{ Q_ENDS, { "goo" }, "google", 0 },
	{ Q_ENDS, { "xgoogle" }, "google", 0 },
	{ Q_IS_NULL, { NULL }, NULL, 1 },
	{ Q_IS_NULL, { NULL }, "", 1 },
	{ Q_IS_NULL, { NULL }, "x", 0 },
	{ Q_IS_NOT_NULL, { NULL }, NULL, 0 },
	{ Q_IS_NOT_NULL, { NULL }, "x", 1 },
	{ Q_CONTAINS, { "oo" }, "google", 1 },
	{ Q_CONTAINS, { "xx", "gl" }, "google", 1 },
	{ Q_CONTAINS, { "xx" }, "google", 0 },
	{ Q_SEARCH, { "ogl" }, "google", 1 },
	{ Q_SEARCH, { "q" }, NULL, 0 },
	{ Q_BETWEEN, { "b", "d" }, "c", 1 },
	{ Q_BETWEEN, { "b", "d" }, "b", 1 },
	{ Q_BETWEEN, { "b", "d" }, "d", 1 },
	{ Q_BETWEEN, { "b", "d" }, "a", 0 },
	{ Q_BETWEEN, { "b", "d" }, "e", 0 },
	{ Q_BETWEEN, { "b", "d" }, NULL, 0 },
};

/* Each match_cases row. */
START_TEST(test_match)
{
	const struct mcase *c = &match_cases[_i];
	struct qfilter f;

	memset(&f, 0, sizeof f);
	f.op = c->op;
	for (f.nvals = 0; f.nvals < 3 && c->vals[f.nvals]; f.nvals++)
		f.vals[f.nvals] = c->vals[f.nvals];
	ck_assert_msg(query_match(&f, c->v) == c->want, "row %d", _i);
}
END_TEST

/* ---- jwt ---- */

static const char jkey[] = "0123456789abcdef0123456789abcdef"; /* 32 bytes */
#define JEXP 2000000000LL

/* Builds header.payload.signature with HMAC(key) over any header and
 * payload text into out (a token that is "signed" but arbitrary). */
static size_t
forge(const char *header, const char *payload, const char *key, char *out,
    size_t cap)
{
	ssize_t a, b, c;
	uint8_t mac[32];

	a = crypto_b64_encode((const uint8_t *)header, strlen(header), out, cap, 1);
	ck_assert_int_ge(a, 0);
	out[a] = '.';
	b = crypto_b64_encode((const uint8_t *)payload, strlen(payload),
	    out + a + 1, cap - (size_t)a - 1, 1);
	ck_assert_int_ge(b, 0);
	crypto_hmac_sha256(key, strlen(key), out, (size_t)(a + 1 + b), mac);
	out[a + 1 + b] = '.';
	c = crypto_b64_encode(mac, 32, out + a + b + 2, cap - (size_t)(a + b) - 2, 1);
	ck_assert_int_ge(c, 0);
	return (size_t)(a + b + 2 + c);
}

#define JHDR "{\"typ\":\"JWT\",\"alg\":\"HS256\"}"

/* Sign then verify: the claims come back; expiry has no leeway. */
START_TEST(test_jwt_roundtrip)
{
	char tok[LK_JWT_MAX];
	struct jwt_claims c;

	ck_assert_int_eq(jwt_sign(jkey, 32, "u1", "s1", "p1", JEXP, tok), 0);
	ck_assert_int_eq(strncmp(tok, "eyJ", 3), 0);
	ck_assert_int_eq(jwt_verify(jkey, 32, tok, strlen(tok), JEXP - 1, &ar, &c), 0);
	ck_assert_str_eq(c.user_id, "u1");
	ck_assert_str_eq(c.session_id, "s1");
	ck_assert_str_eq(c.project_id, "p1");
	ck_assert_int_eq(c.exp, JEXP);
	ck_assert_int_eq(jwt_verify(jkey, 32, tok, strlen(tok), 0, &ar, &c), 0);
	ck_assert_int_eq(jwt_verify(jkey, 32, tok, strlen(tok), JEXP, &ar, &c), -1);
	ck_assert_int_eq(jwt_verify(jkey, 32, tok, strlen(tok), JEXP + 1, &ar, &c), -1);
	/* strings that need escaping survive */
	ck_assert_int_eq(jwt_sign(jkey, 32, "a\"b\\c", "\xc3\xa9", "", JEXP, tok), 0);
	ck_assert_int_eq(jwt_verify(jkey, 32, tok, strlen(tok), 0, &ar, &c), 0);
	ck_assert_str_eq(c.user_id, "a\"b\\c");
	ck_assert_str_eq(c.session_id, "\xc3\xa9");
	ck_assert_str_eq(c.project_id, "");
}
END_TEST

/* The wrong key, a different key length, or one changed byte anywhere
 * fails. */
START_TEST(test_jwt_tamper)
{
	char tok[LK_JWT_MAX], bad[LK_JWT_MAX];
	char key2[33];
	struct jwt_claims c;
	size_t n, i;

	ck_assert_int_eq(jwt_sign(jkey, 32, "user", "sess", "proj", JEXP, tok), 0);
	n = strlen(tok);
	memcpy(key2, jkey, sizeof key2);
	key2[5] ^= 1;
	ck_assert_int_eq(jwt_verify(key2, 32, tok, n, 0, &ar, &c), -1);
	ck_assert_int_eq(jwt_verify(jkey, 31, tok, n, 0, &ar, &c), -1);
	ck_assert_int_eq(jwt_verify("", 0, tok, n, 0, &ar, &c), -1);
	for (i = 0; i < n; i++) {
		memcpy(bad, tok, n + 1);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		arena_reset(&ar);
		ck_assert_msg(jwt_verify(jkey, 32, bad, n, 0, &ar, &c) == -1,
		    "byte %zu changed still verifies", i);
	}
	/* every prefix and one byte more */
	for (i = 0; i < n; i++) {
		arena_reset(&ar);
		ck_assert_int_eq(jwt_verify(jkey, 32, tok, i, 0, &ar, &c), -1);
	}
	memcpy(bad, tok, n);
	bad[n] = 'A';
	ck_assert_int_eq(jwt_verify(jkey, 32, bad, n + 1, 0, &ar, &c), -1);
	bad[n] = '.';
	ck_assert_int_eq(jwt_verify(jkey, 32, bad, n + 1, 0, &ar, &c), -1);
}
END_TEST

struct jcase {
	const char *tok;  /* raw token, or NULL to forge from hdr + payload */
	const char *hdr;  /* forged header */
	const char *pl;   /* forged payload */
	int rc;           /* expected result */
	const char *uid;  /* expected userId when rc == 0 */
};

static const struct jcase jwt_cases[] = {
	{ "", NULL, NULL, -1, NULL },
	{ ".", NULL, NULL, -1, NULL },
	{ "..", NULL, NULL, -1, NULL },
	{ "...", NULL, NULL, -1, NULL },
	{ "a.b.c", NULL, NULL, -1, NULL },
	{ "abc", NULL, NULL, -1, NULL },
	{ "a.b", NULL, NULL, -1, NULL },
	{ "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9", NULL, NULL, -1, NULL },
	{ "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9..", NULL, NULL, -1, NULL },
	{ "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.", NULL, NULL, -1, NULL },
	{ "Bearer x.y.z", NULL, NULL, -1, NULL },
	/* signed, but the header is not ours */
	{ NULL, "{\"typ\":\"JWT\",\"alg\":\"none\"}", "{\"exp\":2000000000}", -1, NULL },
	{ NULL, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"exp\":2000000000}", -1, NULL },
	{ NULL, "{\"typ\":\"JWT\",\"alg\":\"HS512\"}", "{\"exp\":2000000000}", -1, NULL },
	{ NULL, JHDR " ", "{\"exp\":2000000000}", -1, NULL },
	/* signed with our header, odd payloads */
	{ NULL, JHDR, "{\"exp\":2000000000}", 0, "" },
	{ NULL, JHDR, "{\"exp\":2000000000,\"userId\":\"u\"}", 0, "u" },
	{ NULL, JHDR, "{\"exp\":2000000000,\"userId\":7}", 0, "" },
	{ NULL, JHDR, "{\"exp\":2000000000,\"userId\":\"\\u0000\"}", 0, "" },
	{ NULL, JHDR, "{\"userId\":\"u\",\"exp\":999999999999999999}", 0, "u" },
	{ NULL, JHDR, "{\"exp\":1000000000000000000}", -1, NULL },   /* 19 digits */
	{ NULL, JHDR, "{\"exp\":99999999999999999999999}", -1, NULL },
	{ NULL, JHDR, "{\"exp\":\"2000000000\"}", -1, NULL },
	{ NULL, JHDR, "{\"exp\":-1}", -1, NULL },
	{ NULL, JHDR, "{\"exp\":2e9}", -1, NULL },
	{ NULL, JHDR, "{\"exp\":2000000000.5}", -1, NULL },
	{ NULL, JHDR, "{\"exp\":true}", -1, NULL },
	{ NULL, JHDR, "{\"exp\":0}", -1, NULL },
	{ NULL, JHDR, "{\"userId\":\"u\"}", -1, NULL },
	{ NULL, JHDR, "[2000000000]", -1, NULL },
	{ NULL, JHDR, "{\"exp\":2000000000", -1, NULL },
	{ NULL, JHDR, "", -1, NULL },
	{ NULL, JHDR, "null", -1, NULL },
};

/* Each jwt_cases row, verified at now = 1. */
START_TEST(test_jwt_cases)
{
	const struct jcase *c = &jwt_cases[_i];
	char buf[LK_JWT_MAX * 2];
	const char *tok = c->tok;
	size_t n;
	struct jwt_claims cl;
	int rc;

	if (tok == NULL) {
		n = forge(c->hdr, c->pl, jkey, buf, sizeof buf);
		buf[n] = '\0';
		tok = buf;
	} else
		n = strlen(tok);
	rc = jwt_verify(jkey, 32, tok, n, 1, &ar, &cl);
	ck_assert_msg(rc == c->rc, "row %d: rc %d", _i, rc);
	if (rc == 0)
		ck_assert_str_eq(cl.user_id, c->uid);
}
END_TEST

/* Tokens longer than LK_JWT_MAX are refused, even signed ones; claims that
 * do not fit are refused by jwt_sign. */
START_TEST(test_jwt_long)
{
	char big[1200], tok[LK_JWT_MAX];
	char pl[1100];
	struct jwt_claims c;
	size_t n;

	snprintf(pl, sizeof pl, "{\"exp\":2000000000,\"userId\":\"%0400d\"}", 0);
	n = forge(JHDR, pl, jkey, big, sizeof big);
	ck_assert_uint_gt(n, LK_JWT_MAX);
	ck_assert_int_eq(jwt_verify(jkey, 32, big, n, 1, &ar, &c), -1);
	memset(pl, 'u', 400);
	pl[400] = '\0';
	ck_assert_int_eq(jwt_sign(jkey, 32, pl, "s", "p", JEXP, tok), -1);
	pl[200] = '\0';
	ck_assert_int_eq(jwt_sign(jkey, 32, pl, "s", "p", JEXP, tok), 0);
	ck_assert_uint_lt(strlen(tok), LK_JWT_MAX);
	ck_assert_int_eq(jwt_verify(jkey, 32, tok, strlen(tok), 1, &ar, &c), 0);
	ck_assert_uint_eq(strlen(c.user_id), 200);
}
END_TEST

/* ---- timeutil ---- */

struct tfcase {
	int64_t ms;       /* input */
	const char *db;   /* time_db */
	const char *iso;  /* time_iso */
};

static const struct tfcase tfmt_cases[] = {
	{ 0, "1970-01-01 00:00:00.000", "1970-01-01T00:00:00.000+00:00" },
	{ 1, "1970-01-01 00:00:00.001", "1970-01-01T00:00:00.001+00:00" },
	{ 999, "1970-01-01 00:00:00.999", "1970-01-01T00:00:00.999+00:00" },
	{ 1700000000123LL, "2023-11-14 22:13:20.123", "2023-11-14T22:13:20.123+00:00" },
	{ 1709164800000LL, "2024-02-29 00:00:00.000", "2024-02-29T00:00:00.000+00:00" },
	{ 4102444799999LL, "2099-12-31 23:59:59.999", "2099-12-31T23:59:59.999+00:00" },
	{ 253402300799999LL, "9999-12-31 23:59:59.999", "9999-12-31T23:59:59.999+00:00" },
};

/* Each tfmt_cases row, and the ISO text parses back to the same ms. */
START_TEST(test_time_format)
{
	const struct tfcase *c = &tfmt_cases[_i];
	char db[LK_DBTIME_LEN], iso[LK_ISOTIME_LEN];
	int64_t ms = -1;

	time_db(c->ms, db);
	time_iso(c->ms, iso);
	ck_assert_str_eq(db, c->db);
	ck_assert_str_eq(iso, c->iso);
	ck_assert_int_eq(time_parse_iso(iso, &ms), 0);
	ck_assert_int_eq(ms, c->ms);
	ck_assert_int_eq(time_parse_iso(db, &ms), 0);
	ck_assert_int_eq(ms, c->ms);
}
END_TEST

struct tpcase {
	const char *s;  /* input */
	int rc;         /* expected result */
	int64_t ms;     /* expected value when rc == 0 */
};

#define T0 1704067200000LL /* 2024-01-01T00:00:00Z */

static const struct tpcase tparse_cases[] = {
	{ "2024-01-01T00:00:00.000+00:00", 0, T0 },
	{ "2024-01-01 00:00:00.000", 0, T0 },
	{ "2024-01-01T00:00:00", 0, T0 },
	{ "2024-01-01T00:00:00Z", 0, T0 },
	{ "2024-01-01T00:00:00.5Z", 0, T0 + 500 },
	{ "2024-01-01T00:00:00.12", 0, T0 + 120 },
	{ "2024-01-01T00:00:00.123456", 0, T0 + 123 },
	{ "2024-01-01T00:00:00+00:00", 0, T0 },
	{ "2024-01-01T05:30:00.000+05:30", 0, T0 },
	{ "2023-12-31T23:00:00.000-01:00", 0, T0 },
	{ "2024-01-01T01:00:00.000+01:00", 0, T0 },
	{ "2024-01-01T23:59:59.999+00:00", 0, T0 + 86399999 },
	{ "2024-02-29T00:00:00.000+00:00", 0, 1709164800000LL },
	{ "1970-01-01T00:00:00.000+00:00", 0, 0 },
	/* refused */
	{ NULL, -1, 0 },
	{ "", -1, 0 },
	{ "2024-01-01", -1, 0 },
	{ "2024-01-01T00:00", -1, 0 },
	{ "2024-01-01T00:00:0", -1, 0 },
	{ "2024/01/01T00:00:00.000", -1, 0 },
	{ "2024-01-01X00:00:00.000", -1, 0 },
	{ "2024-01-01T00-00-00.000", -1, 0 },
	{ "20x4-01-01T00:00:00.000", -1, 0 },
	{ "2024-0a-01T00:00:00.000", -1, 0 },
	{ "2024-01-01T0a:00:00.000", -1, 0 },
	{ "2024-00-01T00:00:00.000", -1, 0 },
	{ "2024-13-01T00:00:00.000", -1, 0 },
	{ "2024-01-00T00:00:00.000", -1, 0 },
	{ "2024-01-32T00:00:00.000", -1, 0 },
	{ "2024-01-01T24:00:00.000", -1, 0 },
	{ "2024-01-01T00:60:00.000", -1, 0 },
	{ "2024-01-01T00:00:61.000", -1, 0 },
	{ "2024-13-45T99:99:99.000+00:00", -1, 0 },
	{ "-024-01-01T00:00:00.000", -1, 0 },
	{ "2024-01-01T00:00:00.000 ", -1, 0 },
	{ " 2024-01-01T00:00:00.000", -1, 0 },
	{ "2024-01-01T00:00:00.000garbage", -1, 0 },
	{ "2024-01-01T00:00:00.000+00", -1, 0 },
	{ "2024-01-01T00:00:00.000+0000", -1, 0 },
	{ "2024-01-01T00:00:00.000+00:00:00", -1, 0 },
	{ "2024-01-01T00:00:00.000+0a:00", -1, 0 },
	{ "2024-01-01T00:00:00.000*00:00", -1, 0 },
	{ "2024-01-01T00:00:00.000ZZ", -1, 0 },
	{ "2024-01-01T00:00:00.000z", -1, 0 },
};

/* Each tparse_cases row. */
START_TEST(test_time_parse)
{
	const struct tpcase *c = &tparse_cases[_i];
	int64_t ms = 0;
	int rc = time_parse_iso(c->s, &ms);

	ck_assert_msg(rc == c->rc, "row %d: '%s' -> %d", _i, c->s ? c->s : "(null)", rc);
	if (rc == 0)
		ck_assert_msg(ms == c->ms, "row %d: %lld != %lld", _i, (long long)ms,
		    (long long)c->ms);
}
END_TEST

/* The clock is sane and the microsecond format has its shape. */
START_TEST(test_time_now)
{
	char us[40], iso[LK_ISOTIME_LEN];
	int64_t a = time_now_ms(), b, back;
	int i;

	ck_assert_int_gt(a, 1600000000000LL);
	b = time_now_ms();
	ck_assert_int_ge(b, a);
	time_db_us(us);
	ck_assert_uint_eq(strlen(us), 26);
	for (i = 0; i < 26; i++)
		ck_assert(strchr(i == 4 || i == 7 ? "-" : i == 10 ? " " :
		    i == 13 || i == 16 ? ":" : i == 19 ? "." : "0123456789",
		    us[i]) != NULL);
	time_iso(b, iso);
	ck_assert_int_eq(time_parse_iso(iso, &back), 0);
	ck_assert_int_eq(back, b);
}
END_TEST

/* ---- config ---- */

/* Frees and zeroes every string of cfg and drops every LATCHKEY_ variable,
 * so each test starts from nothing whatever ran before. */
static void
cfg_clean(void)
{
	char *names[256];
	int i, n = 0;

	config_free();
	for (i = 0; environ[i] && n < 256; i++)
		if (strncmp(environ[i], "LATCHKEY_", 9) == 0) {
			const char *eq = strchr(environ[i], '=');
			size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
			names[n] = malloc(len + 1);
			ck_assert_ptr_nonnull(names[n]);
			memcpy(names[n], environ[i], len);
			names[n++][len] = '\0';
		}
	for (i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
}

static void
cfg_setup(void)
{
	cfg_clean();
}

static void
cfg_teardown(void)
{
	cfg_clean();
}

/* Writes text to a new temporary file; returns its malloc'ed path. */
static char *
tmpfile_with(const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(4096);
	size_t n = strlen(text);
	int fd;

	ck_assert_ptr_nonnull(path);
	snprintf(path, 4096, "%s/lk-cfg-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

/* Loads text (NULL: no file) with the environment in env ("K=V" items,
 * NULL-terminated); returns config_load's result, err gets the message. */
static int
load(const char *text, const char *const *env, char *err, size_t errn)
{
	char *path = text ? tmpfile_with(text) : NULL;
	int rc, i;

	for (i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(eq - env[i]), env[i]);
		ck_assert_int_eq(setenv(name, eq + 1, 1), 0);
	}
	err[0] = '\0';
	rc = config_load(path, err, errn);
	if (path) {
		unlink(path);
		free(path);
	}
	return rc;
}

#define PE "public_endpoint = https://auth.example.com/v1\n"
#define SK PE "secret_key = 0123456789abcdef0123456789abcdef\n"
#define EK "enc_key = fedcba9876543210fedcba9876543210\n"
#define SKE "LATCHKEY_SECRET_KEY=0123456789abcdef0123456789abcdef"
#define EKE "LATCHKEY_ENC_KEY=fedcba9876543210fedcba9876543210"
#define PEE "LATCHKEY_PUBLIC_ENDPOINT=http://127.0.0.1:8080/v1"

struct cfcase {
	const char *text;      /* file contents, NULL: no file */
	const char *env[5];    /* environment (NULL ends) */
	int rc;                /* expected result */
	const char *err;       /* expected message prefix (rc < 0) */
	const char *key;       /* a numeric key to check (rc == 0) or NULL */
	long val;              /* its expected value */
};

static const struct cfcase cfg_cases[] = {
	{ SK EK, { NULL }, 0, NULL, "socket_mode", 0660 },
	{ SK EK, { NULL }, 0, NULL, "max_requests", 10000 },
	{ SK EK, { NULL }, 0, NULL, "abuse", 1 },
	{ SK EK, { NULL }, 0, NULL, "argon2_memory", 7168 },
	{ SK EK, { NULL }, 0, NULL, "argon2_time", 5 },
	{ SK EK, { NULL }, 0, NULL, "argon2_threads", 1 },
	{ SK EK, { NULL }, 0, NULL, "db_port", 0 },
	{ EK, { NULL }, -1, "secret_key is required", NULL, 0 },
	{ SK, { NULL }, -1, "enc_key is required", NULL, 0 },
	{ "", { NULL }, -1, "secret_key is required", NULL, 0 },
	{ "# nothing\n\n", { NULL }, -1, "secret_key is required", NULL, 0 },
	{ PE "secret_key = 0123456789abcdef0123456789abcde\n" EK, { NULL }, -1,
	  "secret_key: must be at least 32 characters", NULL, 0 },
	{ PE "secret_key =\n" EK, { NULL }, -1,
	  "secret_key: must be at least 32 characters", NULL, 0 },
	{ SK "enc_key = short\n", { NULL }, -1,
	  "enc_key: must be at least 32 characters", NULL, 0 },
	{ SK EK "bogus = 1\n", { NULL }, -1, "", NULL, 0 },        /* file:line */
	{ SK EK "Workers = 1\n", { NULL }, -1, "", NULL, 0 },
	{ SK EK "workers 4\n", { NULL }, -1, "", NULL, 0 },
	{ SK EK "= 4\n", { NULL }, -1, "", NULL, 0 },
	{ "# c\n\n   \n\t# indented comment\n" SK EK "  workers=4  \n", { NULL },
	  0, NULL, "workers", 4 },
	{ SK EK "workers = 256\n", { NULL }, 0, NULL, "workers", 256 },
	{ SK EK "workers = 257\n", { NULL }, -1,
	  "workers: expected a number in 0..256", NULL, 0 },
	{ SK EK "workers = -1\n", { NULL }, -1, "workers: expected", NULL, 0 },
	{ SK EK "workers = abc\n", { NULL }, -1, "workers: expected", NULL, 0 },
	{ SK EK "workers = 4x\n", { NULL }, -1, "workers: expected", NULL, 0 },
	{ SK EK "workers = 4 4\n", { NULL }, -1, "workers: expected", NULL, 0 },
	{ SK EK "workers =\n", { NULL }, -1, "workers: expected", NULL, 0 },
	{ SK EK "workers = 0x10\n", { NULL }, -1, "workers: expected", NULL, 0 },
	{ SK EK "workers = 99999999999999999999999\n", { NULL }, -1,
	  "workers: expected", NULL, 0 },
	{ SK EK "socket_mode = 0600\n", { NULL }, 0, NULL, "socket_mode", 0600 },
	{ SK EK "socket_mode = 777\n", { NULL }, 0, NULL, "socket_mode", 0777 },
	{ SK EK "socket_mode = 0800\n", { NULL }, -1, "socket_mode: expected",
	  NULL, 0 },
	{ SK EK "socket_mode = 1000\n", { NULL }, -1, "socket_mode: expected",
	  NULL, 0 },
	{ SK EK "db_port = 65535\n", { NULL }, 0, NULL, "db_port", 65535 },
	{ SK EK "db_port = 65536\n", { NULL }, -1, "db_port: expected", NULL, 0 },
	{ SK EK "abuse = 0\n", { NULL }, 0, NULL, "abuse", 0 },
	{ SK EK "abuse = 2\n", { NULL }, -1, "abuse: expected", NULL, 0 },
	{ SK EK "max_requests = 0\n", { NULL }, -1, "max_requests: expected",
	  NULL, 0 },
	{ SK EK "argon2_threads = 17\n", { NULL }, -1, "argon2_threads: expected",
	  NULL, 0 },
	{ SK EK "argon2_memory = 7\n", { NULL }, -1, "argon2_memory: expected",
	  NULL, 0 },
	{ SK EK "db_user =\n", { NULL }, -1,
	  "db_user: must be at least 1 characters", NULL, 0 },
	{ SK EK "workers = 2\nworkers = 3\n", { NULL }, 0, NULL, "workers", 3 },
	{ PE "secret_key = 0123456789abcdef0123456789abcdef\r\n\r\n"
	  "enc_key = fedcba9876543210fedcba9876543210\r\nworkers = 5\r\n", { NULL },
	  0, NULL, "workers", 5 },
	/* the environment overrides the file */
	{ SK EK "workers = 2\n", { "LATCHKEY_WORKERS=3", NULL }, 0, NULL,
	  "workers", 3 },
	{ SK EK, { "LATCHKEY_ABUSE=0", NULL }, 0, NULL, "abuse", 0 },
	{ SK EK "workers = 2\n", { "LATCHKEY_WORKERS=999", NULL }, -1,
	  "workers: expected", NULL, 0 },
	{ NULL, { SKE, EKE, PEE, NULL }, 0, NULL, "abuse", 1 },
	{ NULL, { SKE, PEE, NULL }, -1, "enc_key is required", NULL, 0 },
	{ NULL, { SKE, EKE, PEE, "LATCHKEY_BOGUS=1" }, 0, NULL, "abuse", 1 },
	{ NULL, { "LATCHKEY_SECRET_KEY=short", EKE, PEE, NULL }, -1,
	  "secret_key: must be at least 32", NULL, 0 },
	{ NULL, { SKE, EKE, PEE, "latchkey_workers=7" }, 0, NULL, "workers", -1 },
	{ EK, { SKE, PEE, NULL }, 0, NULL, "abuse", 1 },
	/* public_endpoint: required, an absolute http(s) URL (SECURITY.md 19) */
	{ "secret_key = 0123456789abcdef0123456789abcdef\n" EK, { NULL }, -1,
	  "public_endpoint is required", NULL, 0 },
	{ SK EK "public_endpoint = ftp://auth.example.com/v1\n", { NULL }, -1,
	  "public_endpoint: expected", NULL, 0 },
	{ SK EK "public_endpoint = auth.example.com/v1\n", { NULL }, -1,
	  "public_endpoint: expected", NULL, 0 },
	{ SK EK "public_endpoint = https://auth.example.com/v1?x=1\n", { NULL }, -1,
	  "public_endpoint: expected", NULL, 0 },
	{ SK EK "public_endpoint = https://user@auth.example.com/v1\n", { NULL }, -1,
	  "public_endpoint: expected", NULL, 0 },
	{ SK EK "public_endpoint = https://auth.example.com:x/v1\n", { NULL }, -1,
	  "public_endpoint: expected", NULL, 0 },
	{ SK EK "public_endpoint =\n", { NULL }, -1, "public_endpoint: expected", NULL, 0 },
	/* lifetimes: Appwrite's by default, settable */
	{ SK EK, { NULL }, 0, NULL, "recovery_ttl", 3600 },
	{ SK EK, { NULL }, 0, NULL, "verification_ttl", 3600 },
	{ SK EK, { NULL }, 0, NULL, "magic_url_ttl", 3600 },
	{ SK EK, { NULL }, 0, NULL, "otp_ttl", 900 },
	{ SK EK, { NULL }, 0, NULL, "mfa_fresh", 1800 },
	{ SK EK "otp_ttl = 15\n", { NULL }, 0, NULL, "otp_ttl", 15 },
	{ SK EK, { "LATCHKEY_RECOVERY_TTL=15", NULL }, 0, NULL, "recovery_ttl", 15 },
	{ SK EK "magic_url_ttl = 0\n", { NULL }, -1, "magic_url_ttl: expected", NULL, 0 },
};

/* Returns the long field of cfg named k. */
static long
cfg_long(const char *k)
{
	static const struct { const char *k; const long *v; } f[] = {
		{ "socket_mode", &cfg.socket_mode }, { "workers", &cfg.workers },
		{ "max_requests", &cfg.max_requests }, { "db_port", &cfg.db_port },
		{ "abuse", &cfg.abuse }, { "argon2_memory", &cfg.argon2_memory },
		{ "argon2_time", &cfg.argon2_time },
		{ "argon2_threads", &cfg.argon2_threads },
		{ "recovery_ttl", &cfg.recovery_ttl },
		{ "verification_ttl", &cfg.verification_ttl },
		{ "magic_url_ttl", &cfg.magic_url_ttl }, { "otp_ttl", &cfg.otp_ttl },
		{ "mfa_fresh", &cfg.mfa_fresh },
	};
	size_t i;

	for (i = 0; i < NELEM(f); i++)
		if (strcmp(f[i].k, k) == 0)
			return *f[i].v;
	ck_abort_msg("no field %s", k);
	return 0;
}

/* Each cfg_cases row. */
START_TEST(test_config)
{
	const struct cfcase *c = &cfg_cases[_i];
	char err[512];
	int rc = load(c->text, c->env, err, sizeof err);

	ck_assert_msg(rc == c->rc, "row %d: rc %d (%s)", _i, rc, err);
	if (rc < 0) {
		ck_assert_msg(err[0] != '\0', "row %d: no message", _i);
		ck_assert_msg(strstr(err, c->err) != NULL, "row %d: '%s'", _i, err);
		return;
	}
	ck_assert_str_eq(cfg.secret_key, "0123456789abcdef0123456789abcdef");
	ck_assert_str_eq(cfg.enc_key, "fedcba9876543210fedcba9876543210");
	ck_assert_int_gt(cfg.workers, 0);
	if (c->key && c->val >= 0)
		ck_assert_int_eq(cfg_long(c->key), c->val);
}
END_TEST

/* String values: defaults, trimming, empty listen means NULL, the
 * message names the file line. */
START_TEST(test_config_strings)
{
	char err[512];

	ck_assert_int_eq(load(SK EK "user = www data \n listen = 127.0.0.1:9000\n"
	    "db_password = p=ss#word\n", NULL, err, sizeof err), 0);
	ck_assert_str_eq(cfg.user, "www data");
	ck_assert_str_eq(cfg.listen, "127.0.0.1:9000");
	ck_assert_str_eq(cfg.db_password, "p=ss#word");
	ck_assert_str_eq(cfg.db_user, "latchkey");
	ck_assert_str_eq(cfg.db_name, "latchkey");
	ck_assert_str_eq(cfg.trusted_proxies, "");
	ck_assert_ptr_null(cfg.db_host);
	ck_assert_ptr_null(cfg.pidfile);
	ck_assert_ptr_nonnull(cfg.schema_dir);
	cfg_clean();
	ck_assert_int_eq(load(SK EK "listen =\n", NULL, err, sizeof err), 0);
	ck_assert_ptr_null(cfg.listen);
	cfg_clean();
	ck_assert_int_eq(load(SK EK "\nbogus = 1\n", NULL, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, ":5: unknown key 'bogus'"));
	cfg_clean();
	ck_assert_int_eq(load(SK EK "workers 4\n", NULL, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, ":4: expected key = value"));
	cfg_clean();
	/* public_endpoint's origin and host: what every built URL starts with */
	ck_assert_int_eq(load(SK EK, NULL, err, sizeof err), 0);
	ck_assert_str_eq(cfg.public_origin, "https://auth.example.com");
	ck_assert_str_eq(cfg.public_host, "auth.example.com");
	cfg_clean();
	ck_assert_int_eq(load(SK EK "public_endpoint = HTTP://Auth.Example.COM:8443\n",
	    NULL, err, sizeof err), 0);
	ck_assert_str_eq(cfg.public_origin, "http://auth.example.com:8443");
	ck_assert_str_eq(cfg.public_host, "auth.example.com");
	cfg_clean();
	ck_assert_int_eq(load(SK EK "public_endpoint = http://[::1]:8080/v1\n",
	    NULL, err, sizeof err), 0);
	ck_assert_str_eq(cfg.public_origin, "http://[::1]:8080");
	ck_assert_str_eq(cfg.public_host, "::1");
	cfg_clean();
	ck_assert_int_eq(config_load("/nonexistent/latchkey.conf", err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

/* A long comment line is still a comment. Fixed bug (config.c load_file): lines
 * are read with fgets into char line[1024], so a line of 1024 bytes or
 * more is split and its tail is parsed as a line of its own: a long
 * comment fails start-up with "expected key = value", and a commented-out
 * setting at the end of a long comment line takes effect (below: the
 * "abuse=0" that ends a comment turns rate limits off). Fix: detect a
 * line without '\n' that filled the buffer and fail ("line too long"), or
 * read with getline(). */
START_TEST(test_config_long_comment_regression)
{
	char text[4096], err[512];
	int rc;

	snprintf(text, sizeof text, SK EK "# %01100d\n", 0);
	rc = load(text, NULL, err, sizeof err);
	ck_assert_msg(rc == 0, "regression: config.c load_file: a 1103-byte comment "
	    "line fails: %s", err);
}
END_TEST

/* The same bug, the dangerous way round (see above). */
START_TEST(test_config_long_line_setting_regression)
{
	char text[4096], err[512];
	int rc;

	snprintf(text, sizeof text, SK EK "# %01021dabuse=0\n", 0);
	rc = load(text, NULL, err, sizeof err);
	ck_assert_msg(rc != 0 || cfg.abuse == 1, "regression: config.c load_file: "
	    "'abuse=0' at the end of a long comment line turned rate limits off");
}
END_TEST

struct tpxcase {
	const char *list;  /* trusted_proxies */
	const char *ip;    /* asked */
	int want;          /* expected */
};

static const struct tpxcase proxy_cases[] = {
	{ "", "127.0.0.1", 0 },
	{ "127.0.0.1", "127.0.0.1", 1 },
	{ "127.0.0.1", "127.0.0.10", 0 },
	{ "127.0.0.10", "127.0.0.1", 0 },
	{ "10.0.0.1,10.0.0.2", "10.0.0.2", 1 },
	{ "10.0.0.1, 10.0.0.2 ", "10.0.0.2", 1 },
	{ " 10.0.0.1 ,10.0.0.2", "10.0.0.1", 1 },
	{ "10.0.0.1,,10.0.0.2", "10.0.0.2", 1 },
	{ "10.0.0.1", "", 0 },
	{ "10.0.0.1,", "", 0 },
	{ "::1", "::1", 1 },
	{ "10.0.0.", "10.0.0.1", 0 },
};

/* Each proxy_cases row. */
START_TEST(test_trusted_proxy)
{
	const struct tpxcase *c = &proxy_cases[_i];
	char err[256];
	char env[256];
	const char *e[5] = { SKE, EKE, PEE, env, NULL };

	snprintf(env, sizeof env, "LATCHKEY_TRUSTED_PROXIES=%s", c->list);
	ck_assert_int_eq(load(NULL, e, err, sizeof err), 0);
	ck_assert_str_eq(cfg.trusted_proxies, c->list);
	ck_assert_msg(config_trusted_proxy(c->ip) == c->want, "row %d", _i);
}
END_TEST

/* ---- errors ---- */

struct erow {
	enum lk_err e;    /* enum value */
	int status;       /* declared status */
	const char *type; /* declared type */
	const char *msg;  /* declared message */
};

static const struct erow err_decl[] = {
#define E(name, status, type, msg) { name, status, type, msg },
#include "errors.def"
#undef E
};

/* Every row of errors.def: masked statuses become 500 "Server Error" with
 * the type kept; others pass through unchanged. */
START_TEST(test_errors_rows)
{
	const struct erow *r = &err_decl[_i];
	int pass = err_status_passes(r->status);

	ck_assert_int_eq(r->e, _i);
	ck_assert_str_eq(err_type(r->e), r->type);
	if (r->e == LK_OK)
		return;
	ck_assert_int_eq(err_status(r->e), pass ? r->status : 500);
	ck_assert_str_eq(err_message(r->e), pass ? r->msg : "Server Error");
	ck_assert(r->type[0] != '\0');
	ck_assert(r->msg[0] != '\0');
}
END_TEST

struct scase {
	int status; /* HTTP status */
	int pass;   /* Appwrite passes it through */
};

static const struct scase status_cases[] = {
	{ 400, 1 }, { 401, 1 }, { 402, 1 }, { 403, 1 }, { 404, 1 }, { 408, 1 },
	{ 409, 1 }, { 412, 1 }, { 413, 1 }, { 416, 1 }, { 429, 1 }, { 451, 1 },
	{ 501, 1 }, { 503, 1 },
	{ 405, 0 }, { 424, 0 }, { 426, 0 }, { 500, 0 }, { 502, 0 }, { 504, 0 },
	{ 200, 0 }, { 0, 0 }, { -1, 0 }, { 410, 0 }, { 422, 0 },
};

/* Each status_cases row. */
START_TEST(test_errors_status)
{
	ck_assert_int_eq(err_status_passes(status_cases[_i].status),
	    status_cases[_i].pass);
}
END_TEST

/* Known rows and out-of-range values. */
START_TEST(test_errors_misc)
{
	ck_assert_int_eq(err_status(E_ROUTE_NOT_FOUND), 404);
	ck_assert_str_eq(err_type(E_ROUTE_NOT_FOUND), "general_route_not_found");
	ck_assert_int_eq(err_status(E_RATE_LIMIT), 429);
	ck_assert_int_eq(err_status(E_USER_AUTH_METHOD_UNSUPPORTED), 501);
	ck_assert_int_eq(err_status(E_GENERAL_SERVER_ERROR), 500);
	ck_assert_str_eq(err_message(E_GENERAL_SERVER_ERROR), "Server Error");
	ck_assert_int_eq(err_status(E_PAYLOAD_TOO_LARGE), 413);
	ck_assert_int_eq(err_status(E__COUNT), 500);
	ck_assert_str_eq(err_type(E__COUNT), "general_unknown");
	ck_assert_str_eq(err_message(E__COUNT), "Server Error");
	ck_assert_int_eq(err_status((enum lk_err)-1), 500);
	ck_assert_str_eq(err_type((enum lk_err)-1), "general_unknown");
	ck_assert_str_eq(err_message((enum lk_err)100000), "Server Error");
}
END_TEST

/* ---- arena ---- */

/* Allocations are 16-aligned, distinct, capped; reset reuses the block. */
START_TEST(test_arena)
{
	struct arena a;
	char *p, *q, *r;

	ck_assert_int_eq(arena_init(&a, 64), 0);
	ck_assert_uint_eq(a.size, 64);
	p = arena_alloc(&a, 1);
	q = arena_alloc(&a, 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q);
	ck_assert_uint_eq((uintptr_t)p % 16, 0);
	ck_assert_uint_eq((uintptr_t)q % 16, 0);
	ck_assert_ptr_eq(q, p + 16);
	r = arena_alloc(&a, 32);
	ck_assert_ptr_eq(r, p + 32);
	memset(r, 'x', 32);                        /* the last byte is ours */
	ck_assert_ptr_null(arena_alloc(&a, 1));    /* full */
	ck_assert_ptr_null(arena_alloc(&a, (size_t)-1));
	ck_assert_ptr_null(arena_alloc(&a, (size_t)-16));
	arena_reset(&a);
	ck_assert_uint_eq(a.used, 0);
	ck_assert_ptr_eq(arena_alloc(&a, 64), p);
	ck_assert_ptr_null(arena_alloc(&a, 1));
	arena_reset(&a);
	ck_assert_ptr_null(arena_alloc(&a, 65));
	ck_assert_ptr_nonnull(arena_alloc(&a, 0));
	arena_free(&a);
	ck_assert_ptr_null(a.base);
	ck_assert_uint_eq(a.size, 0);
	ck_assert_ptr_null(arena_alloc(&a, 1));    /* freed arena: nothing */
	arena_free(&a);                            /* twice is harmless */
}
END_TEST

/* arena_strndup copies, terminates and refuses what does not fit. */
START_TEST(test_arena_strndup)
{
	struct arena a;
	char *s;

	ck_assert_int_eq(arena_init(&a, 48), 0);
	s = arena_strndup(&a, "hello world", 5);
	ck_assert_str_eq(s, "hello");
	s = arena_strndup(&a, "", 0);
	ck_assert_str_eq(s, "");
	s = arena_strndup(&a, NULL, 0);
	ck_assert_str_eq(s, "");
	ck_assert_ptr_null(arena_strndup(&a, "x", (size_t)-1));
	ck_assert_ptr_null(arena_strndup(&a, "0123456789abcdef0123456789", 26));
	arena_reset(&a);
	s = arena_strndup(&a, "a\0b", 3);
	ck_assert_mem_eq(s, "a\0b", 4);
	arena_free(&a);
}
END_TEST

/* A zero-size arena hands out nothing but empty allocations. */
START_TEST(test_arena_zero)
{
	struct arena a;

	(void)arena_init(&a, 0);
	ck_assert_ptr_null(arena_alloc(&a, 1));
	arena_free(&a);
}
END_TEST

/* ---- buf ---- */

/* Appends, terminates, grows past the first block and resets. */
START_TEST(test_buf_basic)
{
	struct buf b;
	int i;

	buf_init(&b, 1 << 20);
	ck_assert_ptr_null(b.data);
	ck_assert_int_eq(buf_add(&b, "ab", 2), 0);
	ck_assert_int_eq(buf_adds(&b, "cd"), 0);
	ck_assert_int_eq(buf_addc(&b, 'e'), 0);
	ck_assert_int_eq(buf_printf(&b, "%d-%s", 42, "x"), 0);
	ck_assert_str_eq(b.data, "abcde42-x");
	ck_assert_uint_eq(b.len, 9);
	ck_assert_int_eq(buf_add(&b, NULL, 0), 0);
	ck_assert_uint_eq(b.len, 9);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_printf(&b, "%04d", i), 0);
	ck_assert_uint_eq(b.len, 9 + 4000);
	ck_assert_uint_eq(strlen(b.data), b.len);
	ck_assert_int_eq(memcmp(b.data + b.len - 4, "0999", 4), 0);
	ck_assert_uint_gt(b.cap, b.len);
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.max, 1 << 20);
	buf_reset(&b);                 /* on a freed buffer: harmless */
	buf_free(&b);
}
END_TEST

/* Exactly max bytes fit; one more sets the sticky error, and every later
 * append fails until buf_reset. */
START_TEST(test_buf_cap)
{
	struct buf b;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_adds(&b, "12345678"), 0);
	ck_assert_int_eq(b.err, 0);
	ck_assert_int_eq(buf_addc(&b, '9'), -1);
	ck_assert_int_eq(b.err, 1);
	ck_assert_str_eq(b.data, "12345678");
	buf_reset(&b);
	ck_assert_int_eq(b.err, 0);
	ck_assert_int_eq(buf_adds(&b, "123"), 0);
	ck_assert_int_eq(buf_adds(&b, "123456"), -1);   /* no partial write */
	ck_assert_str_eq(b.data, "123");
	ck_assert_int_eq(buf_adds(&b, "4"), -1);        /* sticky */
	ck_assert_int_eq(buf_add(&b, "", 0), -1);
	ck_assert_int_eq(buf_printf(&b, "x"), -1);
	ck_assert_str_eq(b.data, "123");
	buf_free(&b);

	buf_init(&b, 8);
	ck_assert_int_eq(buf_printf(&b, "%s", "123456789"), -1);
	ck_assert_int_eq(b.err, 1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);

	buf_init(&b, 0);
	ck_assert_int_eq(buf_add(&b, "", 0), 0);
	ck_assert_int_eq(buf_addc(&b, 'x'), -1);
	buf_free(&b);

	buf_init(&b, 10);
	ck_assert_int_eq(buf_add(&b, "x", (size_t)-1), -1);
	ck_assert_int_eq(b.err, 1);
	buf_free(&b);
}
END_TEST

/* A buffer may reach a large max exactly. */
START_TEST(test_buf_large)
{
	struct buf b;
	char chunk[1000];
	size_t i;

	memset(chunk, 'z', sizeof chunk);
	buf_init(&b, 100000);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(buf_add(&b, chunk, sizeof chunk), 0);
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert_int_eq(buf_addc(&b, 'z'), -1);
	buf_free(&b);
}
END_TEST

/* Builds the misc suite. */
static Suite *
misc_suite(void)
{
	Suite *s = suite_create("misc");
	TCase *tc;

	tc = check_tcase("query");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_query, 0, NELEM(query_cases));
	tcase_add_test(tc, test_query_null);
	tcase_add_test(tc, test_query_filters);
	tcase_add_test(tc, test_query_caps);
	tcase_add_test(tc, test_query_small_err);
	tcase_add_loop_test(tc, test_match, 0, NELEM(match_cases));
	suite_add_tcase(s, tc);

	tc = check_tcase("jwt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_jwt_roundtrip);
	tcase_add_test(tc, test_jwt_tamper);
	tcase_add_loop_test(tc, test_jwt_cases, 0, NELEM(jwt_cases));
	tcase_add_test(tc, test_jwt_long);
	suite_add_tcase(s, tc);

	tc = check_tcase("time");
	tcase_add_loop_test(tc, test_time_format, 0, NELEM(tfmt_cases));
	tcase_add_loop_test(tc, test_time_parse, 0, NELEM(tparse_cases));
	tcase_add_test(tc, test_time_now);
	suite_add_tcase(s, tc);

	tc = check_tcase("config");
	tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
	tcase_add_loop_test(tc, test_config, 0, NELEM(cfg_cases));
	tcase_add_test(tc, test_config_strings);
	tcase_add_loop_test(tc, test_trusted_proxy, 0, NELEM(proxy_cases));
	suite_add_tcase(s, tc);

	tc = check_tcase("errors");
	tcase_add_loop_test(tc, test_errors_rows, 0, NELEM(err_decl));
	tcase_add_loop_test(tc, test_errors_status, 0, NELEM(status_cases));
	tcase_add_test(tc, test_errors_misc);
	suite_add_tcase(s, tc);

	tc = check_tcase("arena_buf");
	tcase_add_test(tc, test_arena);
	tcase_add_test(tc, test_arena_strndup);
	tcase_add_test(tc, test_arena_zero);
	tcase_add_test(tc, test_buf_basic);
	tcase_add_test(tc, test_buf_cap);
	tcase_add_test(tc, test_buf_large);
	suite_add_tcase(s, tc);

	/* tests that expose bugs in src/ (see the comments above them) */
	tc = check_tcase("regressions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
	tcase_add_test(tc, test_query_many_regression);
	tcase_add_test(tc, test_config_long_comment_regression);
	tcase_add_test(tc, test_config_long_line_setting_regression);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	return check_run(misc_suite());
}
