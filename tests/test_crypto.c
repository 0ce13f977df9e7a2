/* test_crypto.c: check suite for src/crypto.c. Known-answer vectors for
 * SHA-256 (FIPS 180-2), HMAC-SHA256 (RFC 4231) and base64 (RFC 4648), table
 * tests for the decoder's rejections and bounds, and shape tests for the
 * random helpers. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_run.h"
#include "crypto.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Returns the value of hex digit c, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes the lower-case hex string h into out (strlen(h)/2 bytes, the
 * caller's buffer). Returns the byte count. */
static size_t
unhex(const char *h, uint8_t *out)
{
	size_t i, n = strlen(h) / 2; /* index; bytes */

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(hexval(h[2 * i]) << 4 | hexval(h[2 * i + 1]));
	return n;
}

/* Returns 1 when s[0..n) is all lower-case hex, else 0. */
static int
all_lower_hex(const char *s, size_t n)
{
	size_t i; /* index */

	for (i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			return 0;
	return 1;
}

/* ---- SHA-256 ---- */

static const struct {
	const char *msg;  /* input text */
	const char *hex;  /* expected digest */
} sha_vec[] = {
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

/* Each sha_vec row hashes to its digest, raw and hex. */
START_TEST(test_sha256)
{
	char hex[65];
	uint8_t raw[32], want[32];

	crypto_sha256_hex(sha_vec[_i].msg, strlen(sha_vec[_i].msg), hex);
	ck_assert_str_eq(hex, sha_vec[_i].hex);
	crypto_sha256(sha_vec[_i].msg, strlen(sha_vec[_i].msg), raw);
	unhex(sha_vec[_i].hex, want);
	ck_assert_mem_eq(raw, want, 32);
}
END_TEST

/* A NULL pointer with length 0 is the empty message. */
START_TEST(test_sha256_null_empty)
{
	char hex[65];

	crypto_sha256_hex(NULL, 0, hex);
	ck_assert_str_eq(hex, sha_vec[1].hex);
}
END_TEST

/* ---- HMAC-SHA256, RFC 4231 ---- */

static const struct {
	uint8_t kbyte;     /* key byte repeated klen times, or 0 for ktext */
	size_t klen;       /* key length */
	const char *ktext; /* textual key */
	uint8_t mbyte;     /* message byte repeated mlen times, or 0 */
	size_t mlen;       /* message length */
	const char *mtext; /* textual message */
	const char *mac;   /* expected HMAC */
} hmac_vec[] = {
	/* Test case 1 */
	{ 0x0b, 20, NULL, 0, 0, "Hi There",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	/* Test case 2 */
	{ 0, 0, "Jefe", 0, 0, "what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	/* Test case 3 */
	{ 0xaa, 20, NULL, 0xdd, 50, NULL,
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	/* Test case 6: key longer than the block size */
	{ 0xaa, 131, NULL, 0, 0,
	  "Test Using Larger Than Block-Size Key - Hash Key First",
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
};

/* Each hmac_vec row gives its MAC. */
START_TEST(test_hmac)
{
	uint8_t key[256], msg[256], mac[32], want[32];
	size_t klen, mlen;

	if (hmac_vec[_i].ktext != NULL) {
		klen = strlen(hmac_vec[_i].ktext);
		memcpy(key, hmac_vec[_i].ktext, klen);
	} else {
		klen = hmac_vec[_i].klen;
		memset(key, hmac_vec[_i].kbyte, klen);
	}
	if (hmac_vec[_i].mtext != NULL) {
		mlen = strlen(hmac_vec[_i].mtext);
		memcpy(msg, hmac_vec[_i].mtext, mlen);
	} else {
		mlen = hmac_vec[_i].mlen;
		memset(msg, hmac_vec[_i].mbyte, mlen);
	}
	crypto_hmac_sha256(key, klen, msg, mlen, mac);
	unhex(hmac_vec[_i].mac, want);
	ck_assert_mem_eq(mac, want, 32);
}
END_TEST

/* An empty key and message work (NULL pointers included) and agree. */
START_TEST(test_hmac_empty)
{
	uint8_t a[32], b[32], want[32];

	crypto_hmac_sha256(NULL, 0, NULL, 0, a);
	crypto_hmac_sha256("", 0, "", 0, b);
	ck_assert_mem_eq(a, b, 32);
	unhex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
	    want);
	ck_assert_mem_eq(a, want, 32);
}
END_TEST

/* ---- hex, ct_eq, wipe ---- */

/* crypto_hex writes lower-case hex and a NUL. */
START_TEST(test_hex)
{
	static const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(in) + 2];

	memset(out, 'X', sizeof(out));
	crypto_hex(in, sizeof(in), out);
	ck_assert_str_eq(out, "00017f80abff");
	ck_assert_int_eq(out[sizeof(out) - 1], 'X');
	crypto_hex(in, 0, out);
	ck_assert_str_eq(out, "");
}
END_TEST

static const struct {
	const char *a, *b; /* operands */
	size_t n;          /* bytes compared */
	int eq;            /* expected result */
} cteq_vec[] = {
	{ "", "", 0, 1 },
	{ "a", "b", 0, 1 },
	{ "abc", "abc", 3, 1 },
	{ "abc", "abd", 3, 0 },
	{ "xbc", "abc", 3, 0 },
	{ "abc", "abd", 2, 1 },
	{ "secret\0a", "secret\0b", 8, 0 },
	{ "secret\0a", "secret\0a", 8, 1 },
};

/* Each cteq_vec row compares as expected. */
START_TEST(test_ct_eq)
{
	ck_assert_int_eq(crypto_ct_eq(cteq_vec[_i].a, cteq_vec[_i].b,
	    cteq_vec[_i].n), cteq_vec[_i].eq);
}
END_TEST

/* crypto_wipe zeroes exactly the bytes asked for. */
START_TEST(test_wipe)
{
	uint8_t buf[16];
	size_t i;

	memset(buf, 0xa5, sizeof(buf));
	crypto_wipe(buf, 15);
	for (i = 0; i < 15; i++)
		ck_assert_int_eq(buf[i], 0);
	ck_assert_int_eq(buf[15], 0xa5);
	crypto_wipe(NULL, 0);
}
END_TEST

/* ---- base64 ---- */

static const struct {
	const char *plain; /* input bytes */
	size_t pn;         /* their count */
	const char *std;   /* standard, padded */
	const char *url;   /* URL-safe, unpadded */
} b64_vec[] = {
	/* RFC 4648 section 10 */
	{ "", 0, "", "" },
	{ "f", 1, "Zg==", "Zg" },
	{ "fo", 2, "Zm8=", "Zm8" },
	{ "foo", 3, "Zm9v", "Zm9v" },
	{ "foob", 4, "Zm9vYg==", "Zm9vYg" },
	{ "fooba", 5, "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", 6, "Zm9vYmFy", "Zm9vYmFy" },
	/* the two alphabets differ */
	{ "\xfb\xff", 2, "+/8=", "-_8" },
	{ "\xfb\xef\xff", 3, "++//", "--__" },
	{ "\x00\x01\x02\x03\x04", 5, "AAECAwQ=", "AAECAwQ" },
	{ "\x00\x00\x00", 3, "AAAA", "AAAA" },
};

/* Encoding each row gives the expected text in both alphabets, and decoding
 * that text (and the other padding style) gives the plain bytes back. */
START_TEST(test_b64_vectors)
{
	const char *plain = b64_vec[_i].plain;
	size_t pn = b64_vec[_i].pn;
	char enc[64];
	uint8_t dec[64];
	ssize_t r;

	r = crypto_b64_encode((const uint8_t *)plain, pn, enc, sizeof(enc), 0);
	ck_assert_int_eq(r, (ssize_t)strlen(b64_vec[_i].std));
	ck_assert_str_eq(enc, b64_vec[_i].std);
	r = crypto_b64_encode((const uint8_t *)plain, pn, enc, sizeof(enc), 1);
	ck_assert_int_eq(r, (ssize_t)strlen(b64_vec[_i].url));
	ck_assert_str_eq(enc, b64_vec[_i].url);

	r = crypto_b64_decode(b64_vec[_i].std, strlen(b64_vec[_i].std), dec,
	    sizeof(dec), 0);
	ck_assert_int_eq(r, (ssize_t)pn);
	ck_assert_mem_eq(dec, plain, pn);
	r = crypto_b64_decode(b64_vec[_i].url, strlen(b64_vec[_i].url), dec,
	    sizeof(dec), 1);
	ck_assert_int_eq(r, (ssize_t)pn);
	ck_assert_mem_eq(dec, plain, pn);
}
END_TEST

static const struct {
	const char *in; /* decoder input */
	size_t n;       /* its length (0: strlen) */
	int url;        /* alphabet */
	ssize_t want;   /* expected return */
} b64_dec_vec[] = {
	/* accepted */
	{ "Zg", 0, 0, 1 },         /* padding omitted */
	{ "Zm8", 0, 0, 2 },
	{ "Zg==", 0, 1, 1 },       /* url: correct padding tolerated */
	{ "Zm8=", 0, 1, 2 },
	{ "", 0, 0, 0 },
	{ "", 0, 1, 0 },
	/* wrong padding */
	{ "Zg=", 0, 0, -1 },
	{ "Zg===", 0, 0, -1 },
	{ "Zm8==", 0, 0, -1 },
	{ "Zm9v=", 0, 0, -1 },
	{ "Zm9v==", 0, 0, -1 },
	{ "=", 0, 0, -1 },
	{ "==", 0, 0, -1 },
	{ "====", 0, 0, -1 },
	{ "Z===", 0, 0, -1 },
	{ "Zg=", 0, 1, -1 },
	/* impossible length */
	{ "Z", 0, 0, -1 },
	{ "Zm9vY", 0, 0, -1 },
	{ "Zm9vY", 0, 1, -1 },
	/* garbage characters */
	{ "Zm 9v", 0, 0, -1 },
	{ "Zm9v\n", 0, 0, -1 },
	{ " Zm9v", 0, 0, -1 },
	{ "Zm=v", 0, 0, -1 },
	{ "Zg==Zg==", 0, 0, -1 },
	{ "Zm9v!", 0, 0, -1 },
	{ "Zm9\x80", 0, 0, -1 },
	{ "Zm\0v", 4, 0, -1 },
	/* wrong alphabet */
	{ "-_8", 0, 0, -1 },
	{ "+/8=", 0, 1, -1 },
	{ "+/8", 0, 1, -1 },
	/* non-canonical: bits left over in the last character */
	{ "Zh==", 0, 0, -1 },
	{ "Zh", 0, 1, -1 },
	{ "Zm9=", 0, 0, -1 },
};

/* Each b64_dec_vec row decodes to the expected length or fails. */
START_TEST(test_b64_decode_table)
{
	uint8_t out[16];
	size_t n = b64_dec_vec[_i].n ? b64_dec_vec[_i].n :
	    strlen(b64_dec_vec[_i].in);

	ck_assert_int_eq(crypto_b64_decode(b64_dec_vec[_i].in, n, out,
	    sizeof(out), b64_dec_vec[_i].url), b64_dec_vec[_i].want);
}
END_TEST

/* Output bounds: exact capacity succeeds, one byte less fails. */
START_TEST(test_b64_bounds)
{
	char enc[16];
	uint8_t dec[16];
	ssize_t r;

	memset(enc, 'X', sizeof(enc));
	/* "foob" -> "Zm9vYg==" needs 9 bytes with the NUL. */
	ck_assert_int_eq(crypto_b64_encode((const uint8_t *)"foob", 4, enc, 9,
	    0), 8);
	memset(enc, 'X', sizeof(enc));
	ck_assert_int_eq(crypto_b64_encode((const uint8_t *)"foob", 4, enc, 8,
	    0), -1);
	ck_assert_int_eq(enc[0], '\0'); /* failure leaves "" */
	ck_assert_int_eq(enc[7], 'X');  /* and writes nothing else */
	/* URL-safe "Zm9vYg" needs 7. */
	ck_assert_int_eq(crypto_b64_encode((const uint8_t *)"foob", 4, enc, 7,
	    1), 6);
	ck_assert_int_eq(crypto_b64_encode((const uint8_t *)"foob", 4, enc, 6,
	    1), -1);
	ck_assert_int_eq(crypto_b64_encode((const uint8_t *)"", 0, enc, 0, 0),
	    -1);
	ck_assert_int_eq(crypto_b64_encode((const uint8_t *)"", 0, enc, 1, 0),
	    0);
	ck_assert_str_eq(enc, "");

	memset(dec, 0xee, sizeof(dec));
	r = crypto_b64_decode("Zm9vYmE=", 8, dec, 5, 0);
	ck_assert_int_eq(r, 5);
	ck_assert_int_eq(dec[5], 0xee);
	ck_assert_int_eq(crypto_b64_decode("Zm9vYmE=", 8, dec, 4, 0), -1);
	ck_assert_int_eq(crypto_b64_decode("Zm9vYmE", 7, dec, 4, 1), -1);
	ck_assert_int_eq(crypto_b64_decode("", 0, NULL, 0, 0), 0);
}
END_TEST

/* Random byte strings of every length 0..200 round-trip in both alphabets. */
START_TEST(test_b64_roundtrip)
{
	uint8_t in[200], dec[200];
	char enc[300];
	size_t n;
	ssize_t e, d;

	ck_assert_int_eq(crypto_random(in, sizeof(in)), 0);
	for (n = 0; n <= sizeof(in); n++) {
		e = crypto_b64_encode(in, n, enc, sizeof(enc), _i);
		ck_assert_int_ge(e, 0);
		ck_assert_uint_eq(strlen(enc), (size_t)e);
		if (_i == 0)
			ck_assert_uint_eq((size_t)e % 4, 0);
		else
			ck_assert_ptr_null(memchr(enc, '=', (size_t)e));
		d = crypto_b64_decode(enc, (size_t)e, dec, sizeof(dec), _i);
		ck_assert_int_eq(d, (ssize_t)n);
		ck_assert_mem_eq(dec, in, n);
	}
}
END_TEST

/* ---- randomness ---- */

static const size_t rand_len[] = { 0, 1, 2, 7, 31, 63, 64, 65, 128, 129, 256,
    1000 };

/* crypto_random_hex writes exactly n lower-case hex characters and a NUL,
 * and two long draws differ. */
START_TEST(test_random_hex)
{
	size_t n = rand_len[_i];
	char a[1002], b[1002];

	memset(a, 'X', sizeof(a));
	ck_assert_int_eq(crypto_random_hex(a, n), 0);
	ck_assert_uint_eq(strlen(a), n);
	ck_assert(all_lower_hex(a, n));
	ck_assert_int_eq(a[n + 1], 'X');
	if (n >= 31) {
		ck_assert_int_eq(crypto_random_hex(b, n), 0);
		ck_assert_str_ne(a, b);
	}
}
END_TEST

/* crypto_random_digits writes exactly n digits and a NUL. */
START_TEST(test_random_digits)
{
	size_t n = rand_len[_i], i;
	char a[1002];

	memset(a, 'X', sizeof(a));
	ck_assert_int_eq(crypto_random_digits(a, n), 0);
	ck_assert_uint_eq(strlen(a), n);
	for (i = 0; i < n; i++)
		ck_assert(a[i] >= '0' && a[i] <= '9');
	ck_assert_int_eq(a[n + 1], 'X');
}
END_TEST

/* 100 000 digits: every digit occurs 10 000 +/- 800 times (about 8 standard
 * deviations, so a false failure is practically impossible). */
START_TEST(test_random_digits_spread)
{
	enum { N = 100000 };
	static char buf[N + 1];
	size_t count[10] = { 0 }, i;

	ck_assert_int_eq(crypto_random_digits(buf, N), 0);
	for (i = 0; i < N; i++)
		count[buf[i] - '0']++;
	for (i = 0; i < 10; i++) {
		ck_assert_uint_gt(count[i], 9200);
		ck_assert_uint_lt(count[i], 10800);
	}
}
END_TEST

/* crypto_random fills n bytes, and n = 0 is a no-op. */
START_TEST(test_random_bytes)
{
	uint8_t a[64], b[64];

	ck_assert_int_eq(crypto_random(a, 0), 0);
	ck_assert_int_eq(crypto_random(NULL, 0), 0);
	ck_assert_int_eq(crypto_random(a, sizeof(a)), 0);
	ck_assert_int_eq(crypto_random(b, sizeof(b)), 0);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
}
END_TEST

/* IDs are 20 lower-case hex characters whose first 8 are the current time,
 * whose next 5 are microseconds below 1 000 000, and which differ. */
START_TEST(test_unique_id)
{
	char a[21], b[21];
	unsigned long sec = 0, usec = 0;
	time_t now = time(NULL);
	size_t i;

	ck_assert_int_eq(crypto_unique_id(a), 0);
	ck_assert_int_eq(crypto_unique_id(b), 0);
	ck_assert_uint_eq(strlen(a), 20);
	ck_assert(all_lower_hex(a, 20));
	ck_assert_str_ne(a, b);
	for (i = 0; i < 8; i++)
		sec = sec << 4 | (unsigned long)hexval(a[i]);
	for (i = 8; i < 13; i++)
		usec = usec << 4 | (unsigned long)hexval(a[i]);
	ck_assert_uint_le(sec, (unsigned long)now + 1);
	ck_assert_uint_ge(sec + 2, (unsigned long)now);
	ck_assert_uint_lt(usec, 1000000);
	/* b was made after a: never earlier in its time prefix. */
	ck_assert_int_le(memcmp(a, b, 8), 0);
}
END_TEST

/* Builds the crypto suite. */
static Suite *
crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc;

	tc = check_tcase("sha256");
	tcase_add_loop_test(tc, test_sha256, 0, NELEM(sha_vec));
	tcase_add_test(tc, test_sha256_null_empty);
	suite_add_tcase(s, tc);

	tc = check_tcase("hmac");
	tcase_add_loop_test(tc, test_hmac, 0, NELEM(hmac_vec));
	tcase_add_test(tc, test_hmac_empty);
	suite_add_tcase(s, tc);

	tc = check_tcase("helpers");
	tcase_add_test(tc, test_hex);
	tcase_add_loop_test(tc, test_ct_eq, 0, NELEM(cteq_vec));
	tcase_add_test(tc, test_wipe);
	suite_add_tcase(s, tc);

	tc = check_tcase("base64");
	tcase_add_loop_test(tc, test_b64_vectors, 0, NELEM(b64_vec));
	tcase_add_loop_test(tc, test_b64_decode_table, 0, NELEM(b64_dec_vec));
	tcase_add_test(tc, test_b64_bounds);
	tcase_add_loop_test(tc, test_b64_roundtrip, 0, 2);
	suite_add_tcase(s, tc);

	tc = check_tcase("random");
	tcase_add_loop_test(tc, test_random_hex, 0, NELEM(rand_len));
	tcase_add_loop_test(tc, test_random_digits, 0, NELEM(rand_len));
	tcase_add_test(tc, test_random_digits_spread);
	tcase_add_test(tc, test_random_bytes);
	tcase_add_test(tc, test_unique_id);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	return check_run(crypto_suite());
}
