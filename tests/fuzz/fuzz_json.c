/* fuzz_json.c: libFuzzer harness for json_in.c and json_out.c. The input is
 * a request body: jdoc_parse it; every token goes through the readers
 * (jdoc_str, jdoc_skip, jdoc_is_*); a parsed document is re-emitted through
 * the writer without a writer error, and that output must parse again and
 * re-emit byte for byte (canonical form is a fixed point). Also replayed by
 * replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "json_in.h"
#include "json_out.h"
#include "lk_limits.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message when cond is false (a finding). */
#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_json: check failed: %s (line %d)\n", #cond, \
	    __LINE__); abort(); } } while (0)

/* Emits token 0 of d into b (initialised here); returns jdoc_emit's result. */
static int
emit(const struct jdoc *d, struct buf *b, struct arena *a)
{
	struct jw w;

	buf_init(b, LK_MAX_RESPONSE);
	jw_init(&w, b);
	return jdoc_emit(d, 0, &w, a);
}

/* Runs every reader over every token of d. */
static void
read_all(const struct jdoc *d, struct arena *a)
{
	int i, v;
	size_t n;
	char *s;

	for (i = 0; i < d->n; i++) {
		int next = jdoc_skip(d, i);
		FUZZ_CHECK(next > i && next <= d->n);
		if ((s = jdoc_str(d, i, a, &n)) != NULL) {
			FUZZ_CHECK(d->t[i].type == JSMN_STRING);
			FUZZ_CHECK(strlen(s) == n);          /* no NUL inside */
			FUZZ_CHECK(val_utf8(s, n));
		}
		if (jdoc_is_bool(d, i, &v))
			FUZZ_CHECK(v == 0 || v == 1);
		FUZZ_CHECK(!(jdoc_is_null(d, i) && jdoc_is_number(d, i)));
	}
	if (d->t[0].type == JSMN_OBJECT) {
		int t = jdoc_get(d, 0, "a");
		FUZZ_CHECK(t == -1 || (t > 0 && t < d->n));
		(void)jdoc_get(d, 0, "method");
		(void)jdoc_get(d, 0, "");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;   /* one request arena, reused */
	struct jdoc d, d2;
	struct buf b1, b2;
	int rc;

	if (size > LK_MAX_BODY)
		return 0;
	if (a.base == NULL && arena_init(&a, LK_ARENA_SIZE) < 0)
		abort();
	arena_reset(&a);
	if (jdoc_parse(&d, &a, (const char *)data, size) != JE_OK)
		return 0;
	FUZZ_CHECK(d.n > 0);
	read_all(&d, &a);
	rc = emit(&d, &b1, &a);
	/* the output is never longer than the input, so a writer error after a
	 * successful emit means a document the reader accepts cannot be
	 * written back */
	FUZZ_CHECK(rc != 0 || !b1.err);
	if (rc == 0 && !b1.err) {
		FUZZ_CHECK(b1.len > 0);
		FUZZ_CHECK(jdoc_parse(&d2, &a, b1.data, b1.len) == JE_OK);
		FUZZ_CHECK(d2.n == d.n);
		FUZZ_CHECK(emit(&d2, &b2, &a) == 0 && !b2.err);
		FUZZ_CHECK(b2.len == b1.len && memcmp(b1.data, b2.data, b1.len) == 0);
		buf_free(&b2);
	}
	buf_free(&b1);
	return 0;
}
