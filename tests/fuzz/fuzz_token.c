/* fuzz_token.c: libFuzzer harness for the session token reader of
 * identity.c and the base64 decoder under it. The first byte picks a mode:
 * 0: the rest is a cookie value: ident_token_decode must not crash, and
 *    what it returns must be NUL-terminated arena strings;
 * 1: the rest is the decoded JSON: when the fast path (ident_token_fast)
 *    accepts it, the JSON parser must accept it too and find the same id
 *    and secret (the fast path may only take a shortcut, never answer
 *    differently);
 * 2: the rest is base64 text: crypto_b64_decode (both alphabets) must agree
 *    with the one-character-at-a-time reference decoder below.
 * Also replayed by replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "crypto.h"
#include "identity.h"
#include "json_in.h"
#include "lk_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_token: check failed: %s (line %d)\n", #cond, \
	    __LINE__); abort(); } } while (0)

/* Reference: value of c in the alphabet, or -1. */
static int
ref_val(unsigned char c, int url)
{
	static const char std[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char web[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p = c ? strchr(url ? web : std, c) : NULL;

	return p ? (int)(p - (url ? web : std)) : -1;
}

/* Reference decoder: padding as crypto_b64_decode documents it (up to two
 * '=' making the length a multiple of 4; without it, no length of 1 mod 4),
 * no characters outside the alphabet, zero leftover bits. */
static ssize_t
ref_decode(const char *in, size_t n, uint8_t *out, int url)
{
	size_t len = n, pad = 0, i, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	while (pad < len && pad < 3 && in[len - 1 - pad] == '=')
		pad++;
	if (pad > 2 || (pad > 0 && n % 4 != 0))
		return -1;
	len -= pad;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		int v = ref_val((unsigned char)in[i], url);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return acc != 0 ? -1 : (ssize_t)o;
}

static void
mode_decode(struct arena *a, const char *p, size_t n)
{
	const char *id = NULL, *secret = NULL;

	if (ident_token_decode(a, p, n, &id, &secret)) {
		FUZZ_CHECK((id && *id) || (secret && *secret));
		if (id)
			FUZZ_CHECK(strlen(id) <= n);
		if (secret)
			FUZZ_CHECK(strlen(secret) <= n);
	}
}

static void
mode_fast(struct arena *a, const char *p, size_t n)
{
	const char *id = NULL, *secret = NULL, *jid, *jsecret;
	struct jdoc d;
	int t;

	if (!ident_token_fast(a, p, n, &id, &secret))
		return;
	FUZZ_CHECK(id && secret && *id && *secret);
	FUZZ_CHECK(jdoc_parse(&d, a, p, n) == JE_OK && d.t[0].type == JSMN_OBJECT);
	FUZZ_CHECK((t = jdoc_get(&d, 0, "id")) >= 0);
	FUZZ_CHECK((jid = jdoc_str(&d, t, a, NULL)) != NULL && strcmp(jid, id) == 0);
	FUZZ_CHECK((t = jdoc_get(&d, 0, "secret")) >= 0);
	FUZZ_CHECK((jsecret = jdoc_str(&d, t, a, NULL)) != NULL &&
	    strcmp(jsecret, secret) == 0);
}

static void
mode_b64(const char *p, size_t n)
{
	uint8_t *got = malloc(n + 1), *want = malloc(n + 1);
	int url;

	FUZZ_CHECK(got && want);
	for (url = 0; url <= 1; url++) {
		ssize_t g = crypto_b64_decode(p, n, got, n + 1, url);
		ssize_t w = ref_decode(p, n, want, url);
		FUZZ_CHECK(g == w);
		if (g > 0)
			FUZZ_CHECK(memcmp(got, want, (size_t)g) == 0);
	}
	free(got);
	free(want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	char *p;

	if (size < 1 || size > 4096)
		return 0;
	if (a.base == NULL && arena_init(&a, LK_ARENA_SIZE) < 0)
		abort();
	arena_reset(&a);
	/* exact-size copy: reads past the input show up under ASan */
	if ((p = malloc(size - 1 ? size - 1 : 1)) == NULL)
		abort();
	memcpy(p, data + 1, size - 1);
	switch (data[0] % 3) {
	case 0: mode_decode(&a, p, size - 1); break;
	case 1: mode_fast(&a, p, size - 1); break;
	default: mode_b64(p, size - 1); break;
	}
	free(p);
	return 0;
}
