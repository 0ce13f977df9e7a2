/* fuzz_jwt.c: libFuzzer harness for jwt.c. The first byte picks a mode:
 * 0: the rest is a token, verified as is (garbage, bad signatures);
 * 1: the rest is a payload, signed with our header and key and verified,
 *    so the JSON and exp parsing behind the signature are reached;
 * 2: the rest is userId\nsessionId\nprojectId: jwt_sign then jwt_verify
 *    must give the claims back (for valid UTF-8 IDs).
 * Also replayed by replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "crypto.h"
#include "jwt.h"
#include "lk_limits.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_jwt: check failed: %s (line %d)\n", #cond, \
	    __LINE__); abort(); } } while (0)

static const char key[] = "0123456789abcdef0123456789abcdef";
static const char hdr[] = "{\"typ\":\"JWT\",\"alg\":\"HS256\"}";
#define NOW 1700000000LL

/* Verifies tok[0..n) (exact-size copy) and checks the claims. */
static int
verify(struct arena *a, const char *tok, size_t n, struct jwt_claims *c)
{
	char *copy = malloc(n ? n : 1);
	int rc;

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, tok, n);
	arena_reset(a);
	rc = jwt_verify(key, sizeof key - 1, copy, n, NOW, a, c);
	if (rc == 0) {
		FUZZ_CHECK(c->user_id && c->session_id && c->project_id);
		FUZZ_CHECK(c->exp > NOW);
	}
	free(copy);
	return rc;
}

/* Mode 1: sign payload p[0..n) with our header and verify it. */
static void
signed_payload(struct arena *a, const uint8_t *p, size_t n)
{
	char tok[2 * LK_JWT_MAX];
	uint8_t mac[32];
	ssize_t h, b, s;
	struct jwt_claims c;

	if (n > LK_JWT_MAX)
		return;
	h = crypto_b64_encode((const uint8_t *)hdr, sizeof hdr - 1, tok,
	    sizeof tok, 1);
	FUZZ_CHECK(h > 0);
	tok[h] = '.';
	b = crypto_b64_encode(p, n, tok + h + 1, sizeof tok - (size_t)h - 1, 1);
	FUZZ_CHECK(b >= 0);
	crypto_hmac_sha256(key, sizeof key - 1, tok, (size_t)(h + 1 + b), mac);
	tok[h + 1 + b] = '.';
	s = crypto_b64_encode(mac, 32, tok + h + b + 2,
	    sizeof tok - (size_t)(h + b) - 2, 1);
	FUZZ_CHECK(s > 0);
	(void)verify(a, tok, (size_t)(h + b + 2 + s), &c);
}

/* Copies the next '\n'-separated field of p into out (NUL-terminated). */
static void
field(const uint8_t **p, const uint8_t *end, char *out, size_t cap)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t len = (size_t)((nl ? nl : end) - *p);

	if (len >= cap)
		len = cap - 1;
	memcpy(out, *p, len);
	out[len] = '\0';
	*p = nl ? nl + 1 : end;
}

/* Mode 2: sign IDs from the input, verify, compare. */
static void
roundtrip(struct arena *a, const uint8_t *p, size_t n)
{
	char uid[256], sid[256], pid[256], tok[LK_JWT_MAX];
	const uint8_t *end = p + n;
	struct jwt_claims c;

	field(&p, end, uid, sizeof uid);
	field(&p, end, sid, sizeof sid);
	field(&p, end, pid, sizeof pid);
	if (jwt_sign(key, sizeof key - 1, uid, sid, pid, NOW + 900, tok) < 0)
		return;
	FUZZ_CHECK(strlen(tok) < LK_JWT_MAX);
	FUZZ_CHECK(verify(a, tok, strlen(tok), &c) == 0);
	FUZZ_CHECK(c.exp == NOW + 900);
	if (val_utf8(uid, strlen(uid)))
		FUZZ_CHECK(strcmp(c.user_id, uid) == 0);
	if (val_utf8(sid, strlen(sid)))
		FUZZ_CHECK(strcmp(c.session_id, sid) == 0);
	if (val_utf8(pid, strlen(pid)))
		FUZZ_CHECK(strcmp(c.project_id, pid) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	struct jwt_claims c;

	if (size < 1 || size > 4 * LK_JWT_MAX)
		return 0;
	if (a.base == NULL && arena_init(&a, LK_ARENA_SIZE) < 0)
		abort();
	switch (data[0] % 3) {
	case 0:
		(void)verify(&a, (const char *)data + 1, size - 1, &c);
		break;
	case 1:
		signed_payload(&a, data + 1, size - 1);
		break;
	default:
		roundtrip(&a, data + 1, size - 1);
	}
	return 0;
}
