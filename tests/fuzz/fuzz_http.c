/* fuzz_http.c: libFuzzer harness for http.c's parameter parsing. The input
 * is QUERY_STRING, a NUL byte, then a body: the query string is parsed as
 * a GET request (PHP bracket arrays included) and its `queries` go through
 * query_parse; the body is parsed as a JSON POST and as a form POST. Every
 * parameter is checked against http.h's contract and read in full. Also
 * replayed by replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "http.h"
#include "json_out.h"
#include "lk_limits.h"
#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_http: check failed: %s (line %d)\n", #cond, \
	    __LINE__); abort(); } } while (0)

static const char *const attrs[] = {
	"userId", "provider", "providerUid", "providerEmail", NULL
};

/* Returns a checksum of p[0..n) so every byte is read (ASan sees it). */
static unsigned
touch(const char *p, size_t n)
{
	unsigned h = 0;
	size_t i;

	for (i = 0; i < n; i++)
		h = h * 31 + (unsigned char)p[i];
	return h;
}

/* Checks every parameter of r against the contract of http.h. */
static void
check_params(struct req *r)
{
	volatile unsigned sink = 0;
	int i, k;

	FUZZ_CHECK(r->nparams >= 0 && r->nparams <= LK_MAX_PARAMS);
	for (i = 0; i < r->nparams; i++) {
		const struct http_param *p = &r->params[i];
		FUZZ_CHECK(p->name != NULL);
		FUZZ_CHECK(http_param(r, p->name) == p);   /* names are unique */
		switch (p->kind) {
		case PK_STRING:
		case PK_INVALID:
			FUZZ_CHECK(p->val != NULL && p->val[p->val_n] == '\0');
			sink += touch(p->val, p->val_n);
			break;
		case PK_ARRAY:
			FUZZ_CHECK(p->nitems >= -1 && p->nitems <= LK_MAX_ARRAY_ITEMS);
			for (k = 0; k < p->nitems; k++) {
				FUZZ_CHECK(p->items[k][p->items_n[k]] == '\0');
				sink += touch(p->items[k], p->items_n[k]);
			}
			break;
		default:
			FUZZ_CHECK(p->tok >= 0 && p->tok < r->doc.n);
			sink += touch(p->val, p->val_n);
		}
	}
	(void)sink;
}

/* Builds the CGI environment in the arena and initialises r. */
static void
init_req(struct req *r, struct arena *a, const char *method, const char *q,
    size_t qn)
{
	char **env = arena_alloc(a, 4 * sizeof(char *));
	char *qs = arena_alloc(a, qn + 14);
	static char m[3][32];

	FUZZ_CHECK(env != NULL && qs != NULL);
	snprintf(m[0], sizeof m[0], "REQUEST_METHOD=%s", method);
	snprintf(m[1], sizeof m[1], "REQUEST_URI=/v1/account/logs");
	memcpy(qs, "QUERY_STRING=", 13);
	memcpy(qs + 13, q, qn);
	qs[13 + qn] = '\0';
	env[0] = m[0];
	env[1] = m[1];
	env[2] = qs;
	env[3] = NULL;
	FUZZ_CHECK(http_init(r, a, env) == 0);
}

/* Parses body as method/ctype and checks the result. */
static void
run_body(struct arena *a, const char *ctype, const uint8_t *body, size_t n)
{
	static struct req r;
	char *copy = malloc(n ? n : 1);      /* exact size: overreads show */
	int k;

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, body, n);
	arena_reset(a);
	init_req(&r, a, "POST", "", 0);
	r.body.p = copy;
	r.body.n = n;
	if (http_parse_params(&r, ctype) == 0) {
		check_params(&r);
		for (k = 0; k < r.nparams; k++)
			if (r.params[k].kind == PK_OBJECT) {
				struct buf b;
				struct jw w;
				buf_init(&b, LK_MAX_RESPONSE);
				jw_init(&w, &b);
				(void)jdoc_emit(&r.doc, r.params[k].tok, &w, a);
				buf_free(&b);
			}
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	static struct req r;                 /* large: keep it off the stack */
	const uint8_t *nul = memchr(data, 0, size);
	size_t qn = nul ? (size_t)(nul - data) : size;
	struct qlist q;
	char err[256];

	if (size > LK_MAX_BODY)
		return 0;
	if (a.base == NULL && arena_init(&a, LK_ARENA_SIZE) < 0)
		abort();
	arena_reset(&a);
	init_req(&r, &a, "GET", (const char *)data, qn);
	if (http_parse_params(&r, NULL) == 0) {
		check_params(&r);
		if (query_parse(&a, http_param(&r, "queries"), attrs, &q, err,
		    sizeof err) == 0) {
			FUZZ_CHECK(q.limit >= 1 && q.offset >= 0);
			FUZZ_CHECK(q.nfilters >= 0 && q.nfilters <= LK_MAX_FILTERS);
		}
	}
	if (nul) {
		run_body(&a, "application/json", nul + 1, size - qn - 1);
		run_body(&a, "application/x-www-form-urlencoded", nul + 1,
		    size - qn - 1);
	}
	return 0;
}
