/* fuzz_cookie.c: libFuzzer harness for http_cookie. The input is a cookie
 * name, a newline, then the Cookie header (both made NUL-terminated, as
 * FastCGI hands them over). The name is also looked up in fixed forms
 * (a_session_<p> and its _legacy twin). Also replayed by replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "lk_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_cookie: check failed: %s (line %d)\n", #cond, \
	    __LINE__); abort(); } } while (0)

/* Looks name up in h and checks the answer. */
static void
lookup(struct arena *a, const char *h, const char *name)
{
	struct str out = { NULL, 0 };

	if (http_cookie(a, h, name, &out)) {
		FUZZ_CHECK(out.p != NULL);
		FUZZ_CHECK(out.n <= strlen(h));
		FUZZ_CHECK(out.p[out.n] == '\0');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t nn = nl ? (size_t)(nl - data) : 0;
	const uint8_t *hp = nl ? nl + 1 : data;
	size_t hn = size - (size_t)(hp - data);
	char *name, *h;

	if (size > 4 * LK_MAX_COOKIE_HEADER)
		return 0;
	if (a.base == NULL && arena_init(&a, LK_ARENA_SIZE) < 0)
		abort();
	arena_reset(&a);
	name = malloc(nn + 1);
	h = malloc(hn + 1);
	FUZZ_CHECK(name != NULL && h != NULL);
	memcpy(name, data, nn);
	name[nn] = '\0';
	memcpy(h, hp, hn);
	h[hn] = '\0';
	lookup(&a, h, name);
	lookup(&a, h, "a_session_demo");
	lookup(&a, h, "a_session_demo_legacy");
	free(name);
	free(h);
	return 0;
}
