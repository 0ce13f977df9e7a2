/* fuzz_query.c: libFuzzer harness for query.c. The input is up to
 * LK_MAX_ARRAY_ITEMS query strings separated by newlines (the items of a
 * `queries` parameter); query_parse runs with an attribute list and
 * without one, and every parsed filter is matched against a few values.
 * Also replayed by replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "lk_limits.h"
#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_query: check failed: %s (line %d)\n", #cond, \
	    __LINE__); abort(); } } while (0)

static const char *const attrs[] = {
	"userId", "provider", "providerUid", "providerEmail", NULL
};
#define NATTRS 4

/* Parses p with list (may be NULL) and checks the result. */
static void
run(struct arena *a, const struct http_param *p, const char *const *list)
{
	struct qlist q;
	char err[128];
	int i, j;

	arena_reset(a);
	if (query_parse(a, p, list, &q, err, sizeof err) < 0) {
		FUZZ_CHECK(strlen(err) < sizeof err);
		return;
	}
	FUZZ_CHECK(q.limit >= 1 && q.limit <= 5000 && q.offset >= 0);
	FUZZ_CHECK(q.nfilters >= 0 && q.nfilters <= LK_MAX_FILTERS);
	FUZZ_CHECK(q.order_attr >= -1 && q.order_attr < NATTRS);
	FUZZ_CHECK(list != NULL || (q.nfilters == 0 && q.order_attr == -1 &&
	    q.cursor == NULL));
	for (i = 0; i < q.nfilters; i++) {
		const struct qfilter *f = &q.f[i];
		FUZZ_CHECK(f->attr >= 0 && f->attr < NATTRS);
		FUZZ_CHECK(f->nvals >= 0 && f->nvals <= LK_MAX_FILTER_VALUES);
		FUZZ_CHECK(f->op != Q_BETWEEN || f->nvals == 2);
		(void)query_match(f, NULL);
		(void)query_match(f, "");
		(void)query_match(f, "google");
		for (j = 0; j < f->nvals; j++)
			(void)query_match(f, f->vals[j]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	const char *items[LK_MAX_ARRAY_ITEMS];
	char *owned[LK_MAX_ARRAY_ITEMS];      /* the same pointers, to free */
	size_t items_n[LK_MAX_ARRAY_ITEMS];
	struct http_param p;
	size_t i = 0;
	int k, n = 0;

	if (size > LK_MAX_QUERY_STRING * 4)
		return 0;
	if (a.base == NULL && arena_init(&a, LK_ARENA_SIZE) < 0)
		abort();
	while (n < LK_MAX_ARRAY_ITEMS && (i < size || (n == 0 && size == 0))) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (data + i)) : size - i;
		char *c = malloc(len ? len : 1);   /* exact size */
		FUZZ_CHECK(c != NULL);
		if (len)
			memcpy(c, data + i, len);
		items[n] = owned[n] = c;
		items_n[n++] = len;
		i += len + 1;
	}
	memset(&p, 0, sizeof p);
	p.name = "queries";
	p.kind = PK_ARRAY;
	p.tok = -1;
	p.items = items;
	p.items_n = items_n;
	p.nitems = n;
	run(&a, &p, attrs);
	run(&a, &p, NULL);
	for (k = 0; k < n; k++)
		free(owned[k]);
	return 0;
}
