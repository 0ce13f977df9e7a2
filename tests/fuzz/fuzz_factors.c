/* fuzz_factors.c: libFuzzer harness for factors.c, a session's factor list
 * (the JSON array stored in sessions.factors, read on every MFA answer).
 * Every input is used two ways:
 * 1: as stored text: factors_parse reads an exact-size copy and must not
 *    crash; a refusal leaves the list empty; an accepted list holds at most
 *    LK_MAX_FACTORS distinct names of 1 to LK_FACTOR_NAME - 1 characters
 *    of [a-z0-9], renders within the handlers' 256 bytes (and is refused
 *    one byte short of its length + 1), and the rendering parses back to the
 *    same names in the same order and renders the same again;
 * 2: as a NUL-terminated name for factors_add: it is accepted exactly when
 *    it is 1 to LK_FACTOR_NAME - 1 characters of [A-Za-z0-9], once
 *    (a second add answers 0), stored lower-cased; a full list takes no new
 *    name.
 * Also replayed by replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_factors: check failed: %s (line %d)\n", #cond, \
	    __LINE__); abort(); } } while (0)

/* Largest input tried: a valid list is at most 145 bytes plus white space;
 * longer inputs only test the same loops longer. */
#define FUZZ_MAX 4096

/* What the MFA handlers render into (api_mfa.c). */
#define RENDER_CAP 256

/* 1 when s is a name as the list stores it: 1 to LK_FACTOR_NAME - 1
 * characters of [a-z0-9], NUL-terminated inside its slot. */
static int
stored_name(const char *s)
{
	size_t len = strnlen(s, LK_FACTOR_NAME), i;

	if (len == 0 || len >= LK_FACTOR_NAME)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* 1 when the lists hold the same names in the same order. */
static int
same(const struct factors *a, const struct factors *b)
{
	int i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->name[i], b->name[i]) != 0)
			return 0;
	return 1;
}

/* Mode 1: text[0..n) as a stored list. */
static void
parse_text(const char *text, size_t n)
{
	struct factors f, g;
	char out[RENDER_CAP], again[RENDER_CAP];
	char *exact;   /* the rendering's exact size, and one byte less */
	int len, i, j;

	memset(&f, 0x5a, sizeof f);
	if (factors_parse(text, n, &f) < 0) {
		FUZZ_CHECK(f.n == 0);
		return;
	}
	FUZZ_CHECK(f.n >= 0 && f.n <= LK_MAX_FACTORS);
	for (i = 0; i < f.n; i++) {
		FUZZ_CHECK(stored_name(f.name[i]));
		FUZZ_CHECK(factors_has(&f, f.name[i]));
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(f.name[i], f.name[j]) != 0);
	}
	len = factors_render(&f, out, sizeof out);
	FUZZ_CHECK(len >= 2 && (size_t)len < sizeof out && strlen(out) == (size_t)len);
	FUZZ_CHECK(factors_parse(out, (size_t)len, &g) == 0 && same(&f, &g));
	FUZZ_CHECK(factors_render(&g, again, sizeof again) == len);
	FUZZ_CHECK(memcmp(out, again, (size_t)len + 1) == 0);
	/* exact-size buffers: one byte short must be refused inside it */
	if ((exact = malloc((size_t)len + 1)) == NULL)
		abort();
	FUZZ_CHECK(factors_render(&f, exact, (size_t)len + 1) == len);
	FUZZ_CHECK(memcmp(exact, out, (size_t)len + 1) == 0);
	FUZZ_CHECK(factors_render(&f, exact, (size_t)len) == -1);
	free(exact);
}

/* 1 when name is 1 to LK_FACTOR_NAME - 1 characters of [A-Za-z0-9]. */
static int
valid_name(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len >= LK_FACTOR_NAME)
		return 0;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' &&
		    name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return 1;
}

/* Mode 2: name (NUL-terminated) added to an empty and to a full list. */
static void
add_name(const char *name)
{
	struct factors f, full;
	char low[LK_FACTOR_NAME];
	int ok = valid_name(name), r, i;

	f.n = 0;
	r = factors_add(&f, name);
	FUZZ_CHECK(r == (ok ? 1 : -1));
	FUZZ_CHECK(f.n == (ok ? 1 : 0));
	if (!ok)
		return;
	for (i = 0; name[i]; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	low[i] = '\0';
	FUZZ_CHECK(strcmp(f.name[0], low) == 0 && factors_has(&f, low));
	FUZZ_CHECK(factors_add(&f, name) == 0 && factors_add(&f, low) == 0 && f.n == 1);
	/* a full list (z0 .. z7): the name is refused, unless it is one of
	 * them (then it is already there: 0) */
	full.n = 0;
	for (i = 0; i < LK_MAX_FACTORS; i++) {
		char other[3] = { 'z', (char)('0' + i), '\0' };
		FUZZ_CHECK(factors_add(&full, other) == 1);
	}
	r = factors_add(&full, name);
	FUZZ_CHECK(r == (factors_has(&full, low) ? 0 : -1));
	FUZZ_CHECK(full.n == LK_MAX_FACTORS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > FUZZ_MAX)
		return 0;
	/* exact-size copy: reads past the input show up under ASan */
	if ((text = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(text, data, size);
	parse_text(text, size);
	free(text);
	/* NUL-terminated copy for factors_add (stops at an inner NUL) */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	add_name(text);
	free(text);
	return 0;
}
