/* test_http.c: check suite for src/http.c. Tables for the CGI environment
 * (http_env, http_init), percent-decoding, parameters from query strings
 * (PHP bracket arrays), form bodies and JSON bodies with their caps, the
 * parameter setter and Cookie header lookup. Rows marked BUG fail against
 * the current src/ on purpose. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "arena.h"
#include "http.h"
#include "lk_limits.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXENV 8

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

/* Copies the NULL-terminated list in[] into a mutable, NULL-terminated
 * arena array (http_init takes char **). */
static char **
mkenv(const char *const *in)
{
	char **e = arena_alloc(&ar, sizeof(char *) * (MAXENV + 1)); /* copy */
	int i;                                                       /* entry */

	ck_assert_ptr_nonnull(e);
	for (i = 0; i < MAXENV && in[i]; i++) {
		e[i] = arena_strndup(&ar, in[i], strlen(in[i]));
		ck_assert_ptr_nonnull(e[i]);
	}
	e[i] = NULL;
	return e;
}

/* ---- http_env ---- */

struct envcase {
	const char *name; /* looked up */
	const char *want; /* value, NULL: absent */
};

static const char *const env_list[] = {
	"REQUEST_METHOD=POST", "HTTP_X_APPWRITE_PROJECT=demo", "EMPTY=",
	"HTTP_X=1", "A=b=c", NULL
};

static const struct envcase env_cases[] = {
	{ "REQUEST_METHOD", "POST" },
	{ "HTTP_X_APPWRITE_PROJECT", "demo" },
	{ "HTTP_X", "1" },                /* not a prefix of the longer name */
	{ "HTTP_X_APPWRITE", NULL },
	{ "HTTP", NULL },
	{ "EMPTY", "" },
	{ "A", "b=c" },
	{ "request_method", NULL },
	{ "", NULL },
	{ "MISSING", NULL },
};

/* Each env_cases row. */
START_TEST(test_env)
{
	const struct envcase *c = &env_cases[_i];
	struct req r;
	const char *v;

	memset(&r, 0, sizeof r);
	ck_assert_int_eq(http_env_index(&r, &ar, mkenv(env_list)), 0);
	v = http_env(&r, c->name);

	if (c->want == NULL)
		ck_assert_ptr_null(v);
	else {
		ck_assert_ptr_nonnull(v);
		ck_assert_str_eq(v, c->want);
	}
}
END_TEST

/* A NULL environment has nothing. */
START_TEST(test_env_null)
{
	struct req r;

	memset(&r, 0, sizeof r);
	ck_assert_int_eq(http_env_index(&r, &ar, NULL), 0);
	ck_assert_ptr_null(http_env(&r, "A"));
}
END_TEST

/* ---- http_init ---- */

struct initcase {
	const char *env[MAXENV]; /* CGI parameters */
	int rc;                  /* expected result */
	const char *method;      /* expected method */
	const char *path;        /* expected path */
	const char *query;       /* expected raw query */
};

static const struct initcase init_cases[] = {
	{ { "REQUEST_METHOD=GET", "REQUEST_URI=/v1/account?x=1",
	    "QUERY_STRING=x=1", NULL }, 0, "GET", "/v1/account", "x=1" },
	{ { "REQUEST_METHOD=POST", "REQUEST_URI=/v1/account/sessions/email",
	    NULL }, 0, "POST", "/v1/account/sessions/email", "" },
	{ { "REQUEST_URI=/v1/account", NULL }, 0, "GET", "/v1/account", "" },
	{ { "REQUEST_METHOD=DELETE", "DOCUMENT_URI=/v1/account/sessions/x",
	    NULL }, 0, "DELETE", "/v1/account/sessions/x", "" },
	{ { "REQUEST_URI=/v1/a?b?c", "QUERY_STRING=b?c", NULL }, 0, "GET",
	  "/v1/a", "b?c" },
	{ { "REQUEST_URI=/?", NULL }, 0, "GET", "/", "" },
	{ { "REQUEST_URI=/", NULL }, 0, "GET", "/", "" },
	{ { "REQUEST_URI=/v1/%2e%2e/x", NULL }, 0, "GET", "/v1/%2e%2e/x", "" },
	{ { "REQUEST_METHOD=GET", NULL }, -1, NULL, NULL, NULL },
	{ { "REQUEST_URI=", NULL }, -1, NULL, NULL, NULL },
	{ { "REQUEST_URI=v1/account", NULL }, -1, NULL, NULL, NULL },
	{ { "REQUEST_URI=http://x/v1", NULL }, -1, NULL, NULL, NULL },
	{ { NULL }, -1, NULL, NULL, NULL },
};

/* Each init_cases row. */
START_TEST(test_init)
{
	const struct initcase *c = &init_cases[_i];
	struct req r;
	int rc = http_init(&r, &ar, mkenv(c->env));

	ck_assert_int_eq(rc, c->rc);
	if (rc < 0)
		return;
	ck_assert_str_eq(r.method, c->method);
	ck_assert_msg(str_eqc(r.path, c->path), "path '%.*s' != '%s'",
	    (int)r.path.n, r.path.p, c->path);
	ck_assert_msg(str_eqc(r.query, c->query), "query '%.*s'",
	    (int)r.query.n, r.query.p ? r.query.p : "");
	ck_assert_int_eq(r.nparams, 0);
	ck_assert_int_eq(r.has_doc, 0);
	ck_assert_ptr_eq(r.a, &ar);
}
END_TEST

/* Paths up to LK_MAX_PATH bytes pass, longer ones are refused. */
START_TEST(test_init_path_cap)
{
	struct buf b;
	const char *env[3] = { NULL, NULL, NULL };
	struct req r;
	size_t len;

	for (len = LK_MAX_PATH; len <= LK_MAX_PATH + 1; len++) {
		buf_init(&b, 1 << 16);
		buf_adds(&b, "REQUEST_URI=/");
		while (b.len < len + 12)
			buf_addc(&b, 'a');
		buf_adds(&b, "?q=1");
		env[0] = b.data;
		ck_assert_int_eq(http_init(&r, &ar, mkenv(env)),
		    len == LK_MAX_PATH ? 0 : -1);
		if (len == LK_MAX_PATH)
			ck_assert_uint_eq(r.path.n, LK_MAX_PATH);
		buf_free(&b);
	}
}
END_TEST

/* ---- http_urldecode ---- */

struct ucase {
	const char *in;  /* encoded */
	int form;        /* + means space */
	const char *out; /* decoded */
	size_t outn;     /* explicit decoded length, else 0 */
};

static const struct ucase url_cases[] = {
	{ "", 0, "", 0 },
	{ "abc", 0, "abc", 0 },
	{ "a%20b", 0, "a b", 0 },
	{ "a+b", 1, "a b", 0 },
	{ "a+b", 0, "a+b", 0 },
	{ "%2B", 1, "+", 0 },
	{ "%41%42", 0, "AB", 0 },
	{ "%c3%A9", 0, "\xc3\xa9", 0 },
	{ "%e2%82%ac", 0, "\xe2\x82\xac", 0 },
	{ "x%41", 0, "xA", 0 },
	{ "%", 0, "%", 0 },
	{ "%4", 0, "%4", 0 },
	{ "a%", 0, "a%", 0 },
	{ "a%4", 0, "a%4", 0 },
	{ "%zz", 0, "%zz", 0 },
	{ "%4g", 0, "%4g", 0 },
	{ "%g4", 0, "%g4", 0 },
	{ "%%41", 0, "%A", 0 },
	{ "%2541", 0, "%41", 0 },          /* decoded once only */
	{ "%00", 0, "\0", 1 },
	{ "a%00b", 0, "a\0b", 3 },
	{ "%ff", 0, "\xff", 0 },
	{ "%0a%0D", 0, "\n\r", 0 },
	{ "++", 1, "  ", 0 },
	{ "%7B%22a%22%3A1%7D", 1, "{\"a\":1}", 0 },
};

/* Each url_cases row, on an exact-size unterminated copy. */
START_TEST(test_urldecode)
{
	const struct ucase *c = &url_cases[_i];
	size_t n = strlen(c->in), want = c->outn ? c->outn : strlen(c->out);
	char *in = malloc(n ? n : 1);
	size_t outn = 999;
	char *o;

	ck_assert_ptr_nonnull(in);
	memcpy(in, c->in, n);
	o = http_urldecode(&ar, in, n, c->form, &outn);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(outn, want);
	ck_assert_mem_eq(o, c->out, want);
	ck_assert_int_eq(o[outn], '\0');
	ck_assert_ptr_nonnull(http_urldecode(&ar, in, n, c->form, NULL));
	free(in);
}
END_TEST

/* An exhausted arena is NULL. */
START_TEST(test_urldecode_nomem)
{
	struct arena small;

	ck_assert_int_eq(arena_init(&small, 8), 0);
	ck_assert_ptr_null(http_urldecode(&small, "0123456789", 10, 0, NULL));
	arena_free(&small);
}
END_TEST

/* ---- http_parse_params ---- */

/* One expected parameter. */
struct pexp {
	const char *name;     /* parameter name, NULL ends the list */
	enum pkind kind;      /* expected kind */
	const char *val;      /* expected val (PK_ARRAY: items joined by '|') */
	int nitems;           /* PK_ARRAY: expected nitems */
};

struct ppcase {
	const char *method;   /* REQUEST_METHOD */
	const char *ctype;    /* content type or NULL */
	const char *query;    /* QUERY_STRING or NULL */
	const char *body;     /* body or NULL */
	int rc;               /* expected result */
	int nparams;          /* expected count (when rc == 0) */
	struct pexp p[6];     /* some expected parameters */
};

#define JSON "application/json"
#define FORM "application/x-www-form-urlencoded"

static const struct ppcase pp_cases[] = {
	/* query strings */
	{ "GET", NULL, "a=1&b=two&c=&d", NULL, 0, 4,
	  { { "a", PK_STRING, "1", 0 }, { "b", PK_STRING, "two", 0 },
	    { "c", PK_STRING, "", 0 }, { "d", PK_STRING, "", 0 } } },
	{ "GET", NULL, "", NULL, 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "GET", NULL, NULL, NULL, 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "GET", NULL, "a=1&a=2", NULL, 0, 1, { { "a", PK_STRING, "2", 0 } } },
	{ "GET", NULL, "q=a%20b+c%2B", NULL, 0, 1, { { "q", PK_STRING, "a b c+", 0 } } },
	{ "GET", NULL, "&&a=1&", NULL, 0, 1, { { "a", PK_STRING, "1", 0 } } },
	{ "GET", NULL, "=x&=&&", NULL, 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "GET", NULL, "a==b", NULL, 0, 1, { { "a", PK_STRING, "=b", 0 } } },
	{ "GET", NULL, "a%3Db=c", NULL, 0, 1, { { "a=b", PK_STRING, "c", 0 } } },
	{ "GET", NULL, "%00a=1", NULL, -1, 0, { { NULL, 0, NULL, 0 } } },
	{ "GET", NULL, "queries[0]=x&queries[1]=y", NULL, 0, 1,
	  { { "queries", PK_ARRAY, "x|y", 2 } } },
	{ "GET", NULL, "queries[]=x&queries[]=y&queries[]=", NULL, 0, 1,
	  { { "queries", PK_ARRAY, "x|y|", 3 } } },
	{ "GET", NULL, "queries%5B0%5D=a%26b&total=false", NULL, 0, 2,
	  { { "queries", PK_ARRAY, "a&b", 1 }, { "total", PK_STRING, "false", 0 } } },
	{ "GET", NULL, "queries=x&queries[]=y", NULL, 0, 1,
	  { { "queries", PK_ARRAY, "y", 1 } } },
	{ "GET", NULL, "queries[]=y&queries=x", NULL, 0, 1,
	  { { "queries", PK_STRING, "x", 0 } } },
	{ "GET", NULL, "a[b][c]=1", NULL, 0, 1, { { "a", PK_ARRAY, "1", 1 } } },
	{ "GET", NULL, "a[=1", NULL, 0, 1, { { "a[", PK_STRING, "1", 0 } } },
	{ "GET", NULL, "a]=1", NULL, 0, 1, { { "a]", PK_STRING, "1", 0 } } },
	{ "HEAD", NULL, "a=1", "b=2", 0, 1, { { "a", PK_STRING, "1", 0 } } },
	/* bodyful methods read the body, not the query string */
	{ "POST", JSON, "q=1", "{\"a\":\"x\"}", 0, 1, { { "a", PK_STRING, "x", 0 } } },
	{ "POST", FORM, "q=1", "a=1&b=%C3%A9+x", 0, 2,
	  { { "a", PK_STRING, "1", 0 }, { "b", PK_STRING, "\xc3\xa9 x", 0 } } },
	{ "PUT", FORM, NULL, "l[]=1&l[]=2", 0, 1, { { "l", PK_ARRAY, "1|2", 2 } } },
	{ "POST", "text/plain", "a=1", "a=1", 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "POST", NULL, "a=1", "{\"a\":1}", 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "POST", "application/json; charset=utf-8", NULL, "{\"a\":true}", 0, 1,
	  { { "a", PK_BOOL, "true", 0 } } },
	{ "PATCH", "APPLICATION/JSON", NULL, "{\"a\":false}", 0, 1,
	  { { "a", PK_BOOL, "false", 0 } } },
	{ "DELETE", JSON, NULL, "{\"a\":null}", 0, 1, { { "a", PK_NULL, "null", 0 } } },
	/* JSON bodies */
	{ "POST", JSON, NULL,
	  "{\"email\":\"a@b.c\",\"n\":5,\"o\":{\"x\":[1]},\"arr\":[\"a\",\"\\u00e9\"],"
	  "\"mixed\":[\"a\",1],\"bad\":\"\\u0000\"}", 0, 6,
	  { { "email", PK_STRING, "a@b.c", 0 }, { "n", PK_NUMBER, "5", 0 },
	    { "o", PK_OBJECT, "{\"x\":[1]}", 0 },
	    { "arr", PK_ARRAY, "a|\xc3\xa9", 2 }, { "mixed", PK_ARRAY, NULL, -1 },
	    { "bad", PK_INVALID, "", 0 } } },
	{ "POST", JSON, NULL, "{\"a\":[]}", 0, 1, { { "a", PK_ARRAY, "", 0 } } },
	{ "POST", JSON, NULL, "{\"a\":[[\"x\"]]}", 0, 1, { { "a", PK_ARRAY, NULL, -1 } } },
	{ "POST", JSON, NULL, "{\"a\":-1.5e3}", 0, 1, { { "a", PK_NUMBER, "-1.5e3", 0 } } },
	{ "POST", JSON, NULL, "{\"a\":\"\xff\"}", 0, 1, { { "a", PK_INVALID, "", 0 } } },
	{ "POST", JSON, NULL, "{\"a\":\"x\",\"a\":\"y\"}", 0, 1, { { "a", PK_STRING, "y", 0 } } },
	{ "POST", JSON, NULL, "{\"\\u0061\":\"x\"}", 0, 1, { { "a", PK_STRING, "x", 0 } } },
	{ "POST", JSON, NULL, "{\"\\u0000\":\"x\",\"b\":1}", 0, 1, { { "b", PK_NUMBER, "1", 0 } } },
	{ "POST", JSON, NULL, "{}", 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "POST", JSON, NULL, "", 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "POST", JSON, NULL, "[\"a\"]", 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "POST", JSON, NULL, "{\"a\":1,}", 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "POST", JSON, NULL, "not json", 0, 0, { { NULL, 0, NULL, 0 } } },
	{ "POST", JSON, NULL, "{\"a\":1} x", 0, 0, { { NULL, 0, NULL, 0 } } },
};

/* Joins the items of p with '|' into the arena. */
static const char *
join_items(const struct http_param *p)
{
	struct buf b;
	char *s;
	int i;

	buf_init(&b, 1 << 20);
	buf_adds(&b, "");
	for (i = 0; i < p->nitems; i++) {
		if (i)
			buf_addc(&b, '|');
		buf_add(&b, p->items[i], p->items_n[i]);
	}
	s = arena_strndup(&ar, b.data, b.len);
	buf_free(&b);
	return s;
}

/* Sets up r for method/query/body from a row. */
static int
run_params(struct req *r, const char *method, const char *ctype,
    const char *query, const char *body, size_t bodyn)
{
	const char *env[4] = { NULL, "REQUEST_URI=/v1/x", NULL, NULL };
	struct buf m, q;
	int rc;

	buf_init(&m, 64);
	buf_init(&q, 1 << 20);
	buf_printf(&m, "REQUEST_METHOD=%s", method);
	env[0] = m.data;
	if (query) {
		buf_adds(&q, "QUERY_STRING=");
		buf_adds(&q, query);
		env[2] = q.data;
	}
	ck_assert_int_eq(http_init(r, &ar, mkenv(env)), 0);
	if (body) {
		/* an exact-size arena copy: overreads hit the next block */
		char *bp = arena_alloc(&ar, bodyn ? bodyn : 1);
		ck_assert_ptr_nonnull(bp);
		memcpy(bp, body, bodyn);
		r->body.p = bp;
		r->body.n = bodyn;
	}
	rc = http_parse_params(r, ctype);
	buf_free(&m);
	buf_free(&q);
	return rc;
}

/* Each pp_cases row. */
START_TEST(test_params)
{
	const struct ppcase *c = &pp_cases[_i];
	struct req r;
	int i, rc;

	rc = run_params(&r, c->method, c->ctype, c->query, c->body,
	    c->body ? strlen(c->body) : 0);
	ck_assert_msg(rc == c->rc, "row %d: rc %d", _i, rc);
	if (rc < 0)
		return;
	ck_assert_msg(r.nparams == c->nparams, "row %d: nparams %d", _i, r.nparams);
	for (i = 0; i < 6 && c->p[i].name; i++) {
		const struct pexp *e = &c->p[i];
		const struct http_param *p = http_param(&r, e->name);
		ck_assert_msg(p != NULL, "row %d: no '%s'", _i, e->name);
		ck_assert_str_eq(p->name, e->name);
		ck_assert_msg(p->kind == e->kind, "row %d '%s': kind %d", _i,
		    e->name, p->kind);
		if (e->kind == PK_ARRAY) {
			ck_assert_int_eq(p->nitems, e->nitems);
			if (e->val)
				ck_assert_str_eq(join_items(p), e->val);
			continue;
		}
		ck_assert_uint_eq(p->val_n, strlen(e->val));
		ck_assert_mem_eq(p->val, e->val, p->val_n);
		if (e->kind == PK_STRING || e->kind == PK_INVALID)
			ck_assert_int_eq(p->val[p->val_n], '\0');
		if (!r.has_doc)
			ck_assert_int_eq(p->tok, -1);
	}
	ck_assert_ptr_null(http_param(&r, "nope"));
}
END_TEST

/* JSON parameters keep their token; has_doc says the body was an object. */
START_TEST(test_params_json_doc)
{
	static const char body[] = "{\"prefs\":{\"a\":[1,2]},\"s\":\"x\"}";
	const struct http_param *p;
	struct req r;

	ck_assert_int_eq(run_params(&r, "PATCH", JSON, NULL, body, sizeof body - 1), 0);
	ck_assert_int_eq(r.has_doc, 1);
	p = http_param(&r, "prefs");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->tok, 2);
	ck_assert_int_eq(r.doc.t[p->tok].type, JSMN_OBJECT);
	p = http_param(&r, "s");
	ck_assert_int_eq(r.doc.t[p->tok].type, JSMN_STRING);

	ck_assert_int_eq(run_params(&r, "PATCH", JSON, NULL, "[]", 2), 0);
	ck_assert_int_eq(r.has_doc, 0);
	ck_assert_int_eq(run_params(&r, "GET", JSON, "a=1", body, sizeof body - 1), 0);
	ck_assert_int_eq(r.has_doc, 0);
	ck_assert_int_eq(r.params[0].tok, -1);
}
END_TEST

/* Builds "k0=v&k1=v&..." (or "name[]=i&..." when arr) with n pairs. */
static char *
many_pairs(int n, int arr)
{
	struct buf b;
	char *s;
	int i;

	buf_init(&b, 1 << 20);
	for (i = 0; i < n; i++) {
		if (arr)
			buf_printf(&b, "%sq[]=%d", i ? "&" : "", i);
		else
			buf_printf(&b, "%sk%d=v", i ? "&" : "", i);
	}
	s = arena_strndup(&ar, b.data, b.len);
	buf_free(&b);
	return s;
}

/* Builds {"k0":0,"k1":1,...} with n members, or {"a":["0","1",...]}. */
static char *
many_json(int n, int arr)
{
	struct buf b;
	char *s;
	int i;

	buf_init(&b, 1 << 20);
	buf_adds(&b, arr ? "{\"a\":[" : "{");
	for (i = 0; i < n; i++) {
		if (arr)
			buf_printf(&b, "%s\"%d\"", i ? "," : "", i);
		else
			buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
	}
	buf_adds(&b, arr ? "]}" : "}");
	s = arena_strndup(&ar, b.data, b.len);
	buf_free(&b);
	return s;
}

/* Parameter, array item and query string caps. */
START_TEST(test_params_caps)
{
	struct req r;
	const struct http_param *p;
	char *s;

	s = many_pairs(LK_MAX_PARAMS, 0);
	ck_assert_int_eq(run_params(&r, "GET", NULL, s, NULL, 0), 0);
	ck_assert_int_eq(r.nparams, LK_MAX_PARAMS);
	s = many_pairs(LK_MAX_PARAMS + 1, 0);
	ck_assert_int_eq(run_params(&r, "GET", NULL, s, NULL, 0), -1);

	s = many_pairs(LK_MAX_ARRAY_ITEMS, 1);
	ck_assert_int_eq(run_params(&r, "GET", NULL, s, NULL, 0), 0);
	ck_assert_int_eq(http_param(&r, "q")->nitems, LK_MAX_ARRAY_ITEMS);
	s = many_pairs(LK_MAX_ARRAY_ITEMS + 1, 1);
	ck_assert_int_eq(run_params(&r, "GET", NULL, s, NULL, 0), -1);

	s = many_json(LK_MAX_PARAMS, 0);
	ck_assert_int_eq(run_params(&r, "POST", JSON, NULL, s, strlen(s)), 0);
	ck_assert_int_eq(r.nparams, LK_MAX_PARAMS);
	s = many_json(LK_MAX_PARAMS + 1, 0);
	ck_assert_int_eq(run_params(&r, "POST", JSON, NULL, s, strlen(s)), -1);

	/* too many JSON array items: the parameter is marked, not the request */
	s = many_json(LK_MAX_ARRAY_ITEMS, 1);
	ck_assert_int_eq(run_params(&r, "POST", JSON, NULL, s, strlen(s)), 0);
	ck_assert_int_eq(http_param(&r, "a")->nitems, LK_MAX_ARRAY_ITEMS);
	s = many_json(LK_MAX_ARRAY_ITEMS + 1, 1);
	ck_assert_int_eq(run_params(&r, "POST", JSON, NULL, s, strlen(s)), 0);
	p = http_param(&r, "a");
	ck_assert_int_eq(p->kind, PK_ARRAY);
	ck_assert_int_eq(p->nitems, -1);

	/* JSON token budget */
	s = many_json(LK_MAX_JSON_TOKENS, 1);
	ck_assert_int_eq(run_params(&r, "POST", JSON, NULL, s, strlen(s)), -1);

	/* JSON depth: LK_MAX_JSON_DEPTH + 1 nested arrays */
	s = arena_alloc(&ar, 2 * LK_MAX_JSON_DEPTH + 2);
	ck_assert_ptr_nonnull(s);
	memset(s, '[', LK_MAX_JSON_DEPTH + 1);
	memset(s + LK_MAX_JSON_DEPTH + 1, ']', LK_MAX_JSON_DEPTH + 1);
	ck_assert_int_eq(run_params(&r, "POST", JSON, NULL, s,
	    2 * LK_MAX_JSON_DEPTH + 2), -1);
}
END_TEST

/* The whole query string is capped at LK_MAX_QUERY_STRING; a form body
 * is not (the body cap applies instead). */
START_TEST(test_params_query_cap)
{
	struct req r;
	char *s = arena_alloc(&ar, LK_MAX_QUERY_STRING + 2);
	size_t n;

	ck_assert_ptr_nonnull(s);
	for (n = LK_MAX_QUERY_STRING; n <= LK_MAX_QUERY_STRING + 1; n++) {
		memset(s, 'a', n);
		memcpy(s, "x=", 2);
		s[n] = '\0';
		ck_assert_int_eq(run_params(&r, "GET", NULL, s, NULL, 0),
		    n == LK_MAX_QUERY_STRING ? 0 : -1);
		ck_assert_int_eq(run_params(&r, "POST", FORM, NULL, s, n), 0);
		ck_assert_uint_eq(http_param(&r, "x")->val_n, n - 2);
	}
}
END_TEST

/* A %00 in a value is kept (the length says so); in a name it fails the
 * request. */
START_TEST(test_params_nul)
{
	struct req r;
	const struct http_param *p;

	ck_assert_int_eq(run_params(&r, "GET", NULL, "a=x%00y", NULL, 0), 0);
	p = http_param(&r, "a");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->val_n, 3);
	ck_assert_mem_eq(p->val, "x\0y", 4);
	ck_assert_int_eq(run_params(&r, "GET", NULL, "a%00b=1", NULL, 0), -1);
	ck_assert_int_eq(run_params(&r, "POST", FORM, NULL, "q[%00]=1", 8), -1);
}
END_TEST

/* http_param_set adds, replaces (also array parameters) and caps. */
START_TEST(test_param_set)
{
	struct req r;
	const struct http_param *p;
	char names[LK_MAX_PARAMS + 1][8];
	int i;

	ck_assert_int_eq(run_params(&r, "GET", NULL, "a[]=1&b=2", NULL, 0), 0);
	ck_assert_int_eq(http_param_set(&r, "a", "x", 1), 0);
	p = http_param(&r, "a");
	ck_assert_int_eq(p->kind, PK_STRING);
	ck_assert_str_eq(p->val, "x");
	ck_assert_int_eq(p->nitems, 0);
	ck_assert_int_eq(p->tok, -1);
	ck_assert_int_eq(http_param_set(&r, "sessionId", "current", 7), 0);
	ck_assert_int_eq(r.nparams, 3);
	ck_assert_str_eq(http_param(&r, "sessionId")->val, "current");

	for (i = 0; i <= LK_MAX_PARAMS; i++)
		snprintf(names[i], sizeof names[i], "n%d", i);
	for (i = 0; r.nparams < LK_MAX_PARAMS; i++)
		ck_assert_int_eq(http_param_set(&r, names[i], "v", 1), 0);
	ck_assert_int_eq(http_param_set(&r, names[LK_MAX_PARAMS], "v", 1), -1);
	ck_assert_int_eq(http_param_set(&r, "a", "y", 1), 0);   /* replace */
	ck_assert_str_eq(http_param(&r, "a")->val, "y");
}
END_TEST

/* ---- http_cookie ---- */

struct ccase {
	const char *header; /* Cookie header, NULL: none */
	const char *name;   /* cookie name */
	int found;          /* expected result */
	const char *val;    /* expected value */
	size_t valn;        /* explicit value length, else 0 */
};

static const struct ccase cookie_cases[] = {
	{ "a=1; b=2", "b", 1, "2", 0 },
	{ "a=1; b=2", "a", 1, "1", 0 },
	{ "a=1;b=2", "b", 1, "2", 0 },
	{ "a=1;\tb=2", "b", 1, "2", 0 },
	{ "  a=1", "a", 1, "1", 0 },
	{ "A=1", "a", 1, "1", 0 },
	{ "a_session_DEMO=x", "a_session_demo", 1, "x", 0 },
	{ "ab=1; a=2", "a", 1, "2", 0 },
	{ "ba=1; a=2", "a", 1, "2", 0 },
	{ "a=1", "ab", 0, NULL, 0 },
	{ "a=1", "", 0, NULL, 0 },
	{ "a=1; a=2", "a", 1, "1", 0 },
	{ "a=\"x y\"", "a", 1, "x y", 0 },
	{ "a=\"\"", "a", 1, "", 0 },
	{ "a=\"", "a", 1, "\"", 0 },
	{ "a=%7B%22x%22%7D", "a", 1, "{\"x\"}", 0 },
	{ "a=a+b", "a", 1, "a+b", 0 },
	{ "a=1%00", "a", 1, "1\0", 2 },
	{ "a=1  ; b", "a", 1, "1", 0 },
	{ "a=1\t", "a", 1, "1", 0 },
	{ "a= 1", "a", 1, " 1", 0 },
	{ "a=", "a", 1, "", 0 },
	{ "a=;b=2", "a", 1, "", 0 },
	{ "a=b=c", "a", 1, "b=c", 0 },
	{ "a; b=1", "a", 0, NULL, 0 },
	{ "a; b=1", "b", 1, "1", 0 },
	{ "a =1", "a", 0, NULL, 0 },
	{ ";;;", "a", 0, NULL, 0 },
	{ "", "a", 0, NULL, 0 },
	{ "=1", "a", 0, NULL, 0 },
	{ NULL, "a", 0, NULL, 0 },
	{ "a_session_p_legacy=old; a_session_p=new", "a_session_p", 1, "new", 0 },
	{ "a_session_p=new; a_session_p_legacy=old", "a_session_p_legacy", 1, "old", 0 },
};

/* Each cookie_cases row. */
START_TEST(test_cookie)
{
	const struct ccase *c = &cookie_cases[_i];
	struct str out = { NULL, 0 };
	int found = http_cookie(&ar, c->header, c->name, &out);

	ck_assert_msg(found == c->found, "row %d: found %d", _i, found);
	if (found) {
		size_t n = c->valn ? c->valn : strlen(c->val);
		ck_assert_uint_eq(out.n, n);
		ck_assert_mem_eq(out.p, c->val, n);
		ck_assert_int_eq(out.p[n], '\0');
	}
}
END_TEST

/* Cookie headers up to LK_MAX_COOKIE_HEADER bytes are read, longer ones
 * ignored. */
START_TEST(test_cookie_cap)
{
	char *h = arena_alloc(&ar, LK_MAX_COOKIE_HEADER + 2);
	struct str out;
	size_t n;

	ck_assert_ptr_nonnull(h);
	for (n = LK_MAX_COOKIE_HEADER; n <= LK_MAX_COOKIE_HEADER + 1; n++) {
		memset(h, 'v', n);
		memcpy(h, "a=", 2);
		h[n] = '\0';
		ck_assert_int_eq(http_cookie(&ar, h, "a", &out),
		    n == LK_MAX_COOKIE_HEADER);
	}
}
END_TEST

/* Builds the http suite. */
static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc;

	tc = check_tcase("env");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_env, 0, NELEM(env_cases));
	tcase_add_test(tc, test_env_null);
	tcase_add_loop_test(tc, test_init, 0, NELEM(init_cases));
	tcase_add_test(tc, test_init_path_cap);
	suite_add_tcase(s, tc);

	tc = check_tcase("urldecode");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_urldecode, 0, NELEM(url_cases));
	tcase_add_test(tc, test_urldecode_nomem);
	suite_add_tcase(s, tc);

	tc = check_tcase("params");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_params, 0, NELEM(pp_cases));
	tcase_add_test(tc, test_params_json_doc);
	tcase_add_test(tc, test_params_caps);
	tcase_add_test(tc, test_params_query_cap);
	tcase_add_test(tc, test_params_nul);
	tcase_add_test(tc, test_param_set);
	suite_add_tcase(s, tc);

	tc = check_tcase("cookie");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_cookie, 0, NELEM(cookie_cases));
	tcase_add_test(tc, test_cookie_cap);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	return check_run(http_suite());
}
