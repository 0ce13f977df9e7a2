/* test_totp.c: check suite for src/totp.c. Known-answer vectors for base32
 * (RFC 4648 §10), HOTP (RFC 4226 Appendix D) and TOTP with SHA-1 (RFC 6238
 * Appendix B); table tests for the base32 decoder's leniencies and
 * rejections, the one-step acceptance rule of the MFA routes, the otpauth
 * URI and new secrets. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "crypto.h"
#include "totp.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The RFC 4226 / RFC 6238 SHA-1 test secret. */
static const uint8_t rfc_key[] = "12345678901234567890";
#define RFC_KLEN (sizeof(rfc_key) - 1)

/* ---- base32 ---- */

static const struct {
	const char *raw; /* input bytes */
	const char *b32; /* unpadded RFC 4648 encoding */
} b32_vec[] = {
	{ "", "" },
	{ "f", "MY" },
	{ "fo", "MZXQ" },
	{ "foo", "MZXW6" },
	{ "foob", "MZXW6YQ" },
	{ "fooba", "MZXW6YTB" },
	{ "foobar", "MZXW6YTBOI" },
};

/* Each b32_vec row encodes to its text and decodes back. */
START_TEST(test_b32_vectors)
{
	const char *raw = b32_vec[_i].raw, *b32 = b32_vec[_i].b32;
	char enc[32];
	uint8_t dec[32];

	ck_assert_int_eq(totp_b32_encode((const uint8_t *)raw, strlen(raw), enc,
	    sizeof(enc)), (ssize_t)strlen(b32));
	ck_assert_str_eq(enc, b32);
	ck_assert_uint_eq(TOTP_B32_LEN(strlen(raw)), strlen(b32));
	ck_assert_int_eq(totp_b32_decode(b32, strlen(b32), dec, sizeof(dec)),
	    (ssize_t)strlen(raw));
	ck_assert_mem_eq(dec, raw, strlen(raw));
}
END_TEST

static const struct {
	const char *in;   /* text to decode */
	const char *want; /* decoded bytes, or NULL when it must be refused */
} b32_dec_vec[] = {
	/* lower and mixed case */
	{ "mzxw6ytboi", "foobar" },
	{ "MzXw6YtBoI", "foobar" },
	/* RFC 4648 padding, ignored */
	{ "MY======", "f" },
	{ "MZXQ====", "fo" },
	{ "MZXW6===", "foo" },
	{ "MZXW6YQ=", "foob" },
	{ "mzxw6yq=", "foob" },
	{ "MZXW6", "foo" },
	{ "MZXW6=", "foo" },
	/* spaces anywhere, as apps show secrets in groups */
	{ "MZXW 6YTB OI", "foobar" },
	{ " MZXW6YTBOI ", "foobar" },
	{ "MY== ====", "f" },
	{ "MY ======", "f" },
	/* nothing to decode */
	{ "", "" },
	{ "   ", "" },
	{ "======", "" },
	/* bytes outside the alphabet */
	{ "MZXW0", NULL },
	{ "MZXW1", NULL },
	{ "MZXW8", NULL },
	{ "MZXW9", NULL },
	{ "MZXW6!", NULL },
	{ "MZ\tXW6", NULL },
	{ "MZXW6\n", NULL },
	{ "MZ-XW6", NULL },
	{ "MZXW6\xc3\xa9", NULL },
	/* '=' before data, or more than six */
	{ "MY=XW6", NULL },
	{ "=MZXW6", NULL },
	{ "MY=======", NULL },
	/* lengths no encoder produces (1, 3, 6 mod 8) */
	{ "M", NULL },
	{ "MZX", NULL },
	{ "MZXW6Y", NULL },
	{ "MZXW6YTBO", NULL },
	/* non-zero bits after the last byte: not the canonical "MY" */
	{ "MZ", NULL },
	{ "MZXR", NULL },
};

/* Each b32_dec_vec row decodes to its bytes or is refused. */
START_TEST(test_b32_decode_table)
{
	const char *in = b32_dec_vec[_i].in, *want = b32_dec_vec[_i].want;
	uint8_t out[32];
	ssize_t n;

	n = totp_b32_decode(in, strlen(in), out, sizeof(out));
	if (want == NULL) {
		ck_assert_msg(n == -1, "\"%s\" decoded", in);
		return;
	}
	ck_assert_msg(n == (ssize_t)strlen(want), "\"%s\" gave %zd", in, n);
	ck_assert_mem_eq(out, want, strlen(want));
}
END_TEST

/* A NUL inside the text is a bad byte, not an end. */
START_TEST(test_b32_decode_nul)
{
	static const char in[] = "MZXW6\0YTBOI";
	uint8_t out[32];

	ck_assert_int_eq(totp_b32_decode(in, sizeof(in) - 1, out, sizeof(out)), -1);
	ck_assert_int_eq(totp_b32_decode(in, 5, out, sizeof(out)), 3);
}
END_TEST

/* Encoder and decoder respect the caller's bounds exactly; a refused decode
 * leaves no decoded bytes behind. */
START_TEST(test_b32_bounds)
{
	char enc[11];
	uint8_t dec[6];

	memset(enc, 'X', sizeof(enc));
	ck_assert_int_eq(totp_b32_encode((const uint8_t *)"foobar", 6, enc, 10), -1);
	ck_assert_str_eq(enc, "");
	ck_assert_int_eq(totp_b32_encode((const uint8_t *)"foobar", 6, enc, 11), 10);
	ck_assert_int_eq(totp_b32_encode((const uint8_t *)"f", 1, NULL, 0), -1);
	ck_assert_int_eq(totp_b32_encode(NULL, 0, enc, 1), 0);
	ck_assert_str_eq(enc, "");

	ck_assert_int_eq(totp_b32_decode("MZXW6YTBOI", 10, dec, 5), -1);
	ck_assert_int_eq(totp_b32_decode("MZXW6YTBOI", 10, dec, 6), 6);
	ck_assert_int_eq(totp_b32_decode("", 0, NULL, 0), 0);
	ck_assert_int_eq(totp_b32_decode(NULL, 1, dec, sizeof(dec)), -1);
	/* valid up to the last character, whose leftover bits are not zero */
	memset(dec, 0, sizeof(dec));
	ck_assert_int_eq(totp_b32_decode("MZXW6YTBOJ", 10, dec, sizeof(dec)), -1);
	ck_assert_int_eq(dec[0], 0);
}
END_TEST

/* 2000 random inputs of 0-63 bytes round-trip, also after lower-casing,
 * grouping by spaces and padding. */
START_TEST(test_b32_roundtrip)
{
	uint8_t raw[64], back[64], len;  /* input, decoded, input length */
	char enc[TOTP_B32_LEN(64) + 1];  /* canonical encoding */
	char loose[2 * sizeof(enc) + 8]; /* the same, spaced and padded */
	size_t i, o;                     /* enc and loose index */
	ssize_t n;                       /* encoded length */
	char c;                          /* one character of enc */
	int iter;

	for (iter = 0; iter < 2000; iter++) {
		ck_assert_int_eq(crypto_random(&len, 1), 0);
		len %= sizeof(raw);
		ck_assert_int_eq(crypto_random(raw, len), 0);
		n = totp_b32_encode(raw, len, enc, sizeof(enc));
		ck_assert_int_eq(n, (ssize_t)TOTP_B32_LEN((size_t)len));
		ck_assert_int_eq(totp_b32_decode(enc, (size_t)n, back, sizeof(back)),
		    len);
		ck_assert_mem_eq(back, raw, len);
		for (i = 0, o = 0; i < (size_t)n; i++) {
			if (i % 4 == 0)
				loose[o++] = ' ';
			c = enc[i];
			if (iter % 2 == 1 && c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			loose[o++] = c;
		}
		for (i = (size_t)n; i % 8 != 0; i++)
			loose[o++] = '=';
		ck_assert_int_eq(totp_b32_decode(loose, o, back, sizeof(back)), len);
		ck_assert_mem_eq(back, raw, len);
	}
}
END_TEST

/* ---- HOTP, RFC 4226 Appendix D ---- */

static const char *const hotp_vec[] = {
	"755224", "287082", "359152", "969429", "338314",
	"254676", "287922", "162583", "399871", "520489",
};

/* Counter _i gives the RFC's value. */
START_TEST(test_hotp)
{
	char code[TOTP_DIGITS + 1];

	ck_assert_int_eq(totp_hotp(rfc_key, RFC_KLEN, (uint64_t)_i, code), 0);
	ck_assert_str_eq(code, hotp_vec[_i]);
}
END_TEST

/* ---- TOTP, RFC 6238 Appendix B (SHA-1) ---- */

static const struct {
	int64_t t;         /* unix seconds */
	int64_t step;      /* T = floor(t / 30) */
	const char *code;  /* last 6 of the RFC's 8 digits */
} totp_vec[] = {
	{ 59, 1, "287082" },                 /* 94287082 */
	{ 1111111109, 37037036, "081804" },  /* 07081804 */
	{ 1111111111, 37037037, "050471" },  /* 14050471 */
	{ 1234567890, 41152263, "005924" },  /* 89005924 */
	{ 2000000000, 66666666, "279037" },  /* 69279037 */
	{ 20000000000, 666666666, "353130" }, /* 65353130 */
};

/* Time _i gives the RFC's step and code, and the code verifies. */
START_TEST(test_totp_rfc)
{
	char code[TOTP_DIGITS + 1];
	int64_t step = totp_step(totp_vec[_i].t);

	ck_assert_int_eq(step, totp_vec[_i].step);
	ck_assert_int_eq(totp_code(rfc_key, RFC_KLEN, step, code), 0);
	ck_assert_str_eq(code, totp_vec[_i].code);
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KLEN, totp_vec[_i].code, step), 1);
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KLEN, totp_vec[_i].code,
	    step + 1), 0);
}
END_TEST

/* Steps floor toward minus infinity at the 30-second boundaries. */
START_TEST(test_totp_step)
{
	ck_assert_int_eq(totp_step(0), 0);
	ck_assert_int_eq(totp_step(29), 0);
	ck_assert_int_eq(totp_step(30), 1);
	ck_assert_int_eq(totp_step(-1), -1);
	ck_assert_int_eq(totp_step(-30), -1);
	ck_assert_int_eq(totp_step(-31), -2);
	ck_assert_int_eq(totp_step(INT64_MAX), INT64_MAX / 30);
	ck_assert_int_eq(totp_step(INT64_MIN), INT64_MIN / 30 - 1);
}
END_TEST

/* No code for a negative step, an empty key or one over TOTP_KEY_MAX. */
START_TEST(test_totp_bad_args)
{
	uint8_t big[TOTP_KEY_MAX + 1];
	char code[TOTP_DIGITS + 1];

	memset(big, 0x5a, sizeof(big));
	memset(code, 'X', sizeof(code));
	ck_assert_int_eq(totp_code(rfc_key, RFC_KLEN, -1, code), -1);
	ck_assert_str_eq(code, "");
	ck_assert_int_eq(totp_code(rfc_key, 0, 1, code), -1);
	ck_assert_int_eq(totp_code(NULL, 20, 1, code), -1);
	ck_assert_int_eq(totp_code(big, sizeof(big), 1, code), -1);
	ck_assert_int_eq(totp_code(big, TOTP_KEY_MAX, 1, code), 0);
	ck_assert_uint_eq(strlen(code), TOTP_DIGITS);
	ck_assert_int_eq(totp_code(rfc_key, RFC_KLEN, 1, NULL), -1);
	ck_assert_int_eq(totp_verify(rfc_key, 0, "287082", 1), 0);
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KLEN, "287082", -1), 0);
}
END_TEST

/* ---- totp_accept: the current step only, each step once ---- */

#define T_A 1111111109 /* step 37037036, code 081804 */
#define T_B 1111111111 /* step 37037037, code 050471 */

static const struct {
	int64_t now;       /* the caller's clock */
	const char *otp;   /* submitted code */
	int64_t last;      /* last accepted step */
	int ok;            /* expected answer */
} accept_vec[] = {
	{ T_A, "081804", -1, 1 },
	{ T_B, "050471", -1, 1 },
	{ 37037036LL * 30, "081804", 37037035, 1 },      /* first second of the step */
	{ 37037036LL * 30 + 29, "081804", 37037035, 1 }, /* last second */
	{ T_B, "081804", -1, 0 },       /* the previous step's code */
	{ T_A, "050471", -1, 0 },       /* the next step's code */
	{ 37037036LL * 30 - 1, "081804", -1, 0 }, /* one second early */
	{ T_A, "081804", 37037036, 0 }, /* replay in the same step */
	{ T_A, "081804", 37037040, 0 }, /* a later step already used */
	{ T_A, "081805", -1, 0 },
	{ T_A, "08180a", -1, 0 },
	{ T_A, " 81804", -1, 0 },
	{ T_A, "+81804", -1, 0 },
	{ T_A, "081804 ", -1, 0 },
	{ T_A, "08180", -1, 0 },        /* 5 digits */
	{ T_A, "0818040", -1, 0 },      /* 7 digits */
	{ T_A, "", -1, 0 },
	{ T_A, NULL, -1, 0 },
	{ -5, "000000", -100, 0 },      /* before 1970: no step to accept */
};

/* Each accept_vec row gives its answer; *step_out is set on success only. */
START_TEST(test_totp_accept)
{
	int64_t step = -42;

	ck_assert_int_eq(totp_accept(rfc_key, RFC_KLEN, accept_vec[_i].otp,
	    accept_vec[_i].now, accept_vec[_i].last, &step), accept_vec[_i].ok);
	ck_assert_int_eq(step, accept_vec[_i].ok ? totp_step(accept_vec[_i].now)
	    : -42);
}
END_TEST

/* An accepted step becomes last_step and the same code is then refused;
 * step_out may be NULL. */
START_TEST(test_totp_accept_once)
{
	int64_t last = -1;

	ck_assert_int_eq(totp_accept(rfc_key, RFC_KLEN, "081804", T_A, last,
	    &last), 1);
	ck_assert_int_eq(last, 37037036);
	ck_assert_int_eq(totp_accept(rfc_key, RFC_KLEN, "081804", T_A + 1, last,
	    &last), 0);
	ck_assert_int_eq(totp_accept(rfc_key, RFC_KLEN, "050471", T_B, last,
	    NULL), 1);
}
END_TEST

/* ---- otpauth URI ---- */

#define SECRET "JBSWY3DPEHPK3PXP"
#define ISSUER "My App: Prod"
#define ISSUER_PCT "My%20App%3A%20Prod"

static const struct {
	const char *issuer, *email, *phone, *uid; /* inputs */
	const char *uri;                          /* expected URI */
} uri_vec[] = {
	{ ISSUER, "a.b+c@example.com", "+14155550100", "uid1",
	  "otpauth://totp/" ISSUER_PCT "%3Aa.b%2Bc%40example.com?issuer="
	  ISSUER_PCT "&secret=" SECRET },
	/* no email: the phone */
	{ ISSUER, "", "+14155550100", "uid1",
	  "otpauth://totp/" ISSUER_PCT "%3A%2B14155550100?issuer=" ISSUER_PCT
	  "&secret=" SECRET },
	{ ISSUER, NULL, "+14155550100", NULL,
	  "otpauth://totp/" ISSUER_PCT "%3A%2B14155550100?issuer=" ISSUER_PCT
	  "&secret=" SECRET },
	/* neither: the user id */
	{ ISSUER, "", "", "66f0a1b2c3d4e5f6a7b8",
	  "otpauth://totp/" ISSUER_PCT "%3A66f0a1b2c3d4e5f6a7b8?issuer="
	  ISSUER_PCT "&secret=" SECRET },
	/* nothing at all: an empty label */
	{ ISSUER, "", "", "",
	  "otpauth://totp/" ISSUER_PCT "%3A?issuer=" ISSUER_PCT "&secret=" SECRET },
	{ ISSUER, NULL, NULL, NULL,
	  "otpauth://totp/" ISSUER_PCT "%3A?issuer=" ISSUER_PCT "&secret=" SECRET },
	/* no issuer: neither prefix nor parameter */
	{ "", "a@b.c", "", "",
	  "otpauth://totp/a%40b.c?secret=" SECRET },
	/* unreserved bytes kept, UTF-8 encoded byte by byte */
	{ "Z\xc3\xbcrich~Lab_1.0-x", "x", "", "",
	  "otpauth://totp/Z%C3%BCrich~Lab_1.0-x%3Ax?issuer=Z%C3%BCrich~Lab_1.0-x"
	  "&secret=" SECRET },
	{ "a/b?c&d=e#f%", "x", "", "",
	  "otpauth://totp/a%2Fb%3Fc%26d%3De%23f%25%3Ax"
	  "?issuer=a%2Fb%3Fc%26d%3De%23f%25&secret=" SECRET },
};

/* Each uri_vec row gives its URI. */
START_TEST(test_uri)
{
	char out[512];
	ssize_t n;

	n = totp_uri(out, sizeof(out), uri_vec[_i].issuer, uri_vec[_i].email,
	    uri_vec[_i].phone, uri_vec[_i].uid, SECRET);
	ck_assert_str_eq(out, uri_vec[_i].uri);
	ck_assert_int_eq(n, (ssize_t)strlen(uri_vec[_i].uri));
}
END_TEST

/* The URI fits exactly in length + 1 bytes; one less is refused with "". */
START_TEST(test_uri_bounds)
{
	const char *want = uri_vec[0].uri;
	size_t len = strlen(want);
	char out[512];

	ck_assert_int_eq(totp_uri(out, len + 1, ISSUER, "a.b+c@example.com",
	    NULL, NULL, SECRET), (ssize_t)len);
	ck_assert_str_eq(out, want);
	memset(out, 'X', sizeof(out));
	ck_assert_int_eq(totp_uri(out, len, ISSUER, "a.b+c@example.com", NULL,
	    NULL, SECRET), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(totp_uri(out, 1, ISSUER, "a", NULL, NULL, SECRET), -1);
	ck_assert_int_eq(totp_uri(out, 0, ISSUER, "a", NULL, NULL, SECRET), -1);
	ck_assert_int_eq(totp_uri(NULL, 64, ISSUER, "a", NULL, NULL, SECRET), -1);
}
END_TEST

/* ---- new secrets ---- */

/* A secret is 32 base32 characters of 20 bytes; two differ, and the URI
 * carries the secret verbatim. */
START_TEST(test_secret_new)
{
	char a[TOTP_SECRET_B32 + 1], b[TOTP_SECRET_B32 + 1], uri[256];
	uint8_t raw[TOTP_SECRET_BYTES + 8];

	ck_assert_int_eq(totp_secret_new(a), 0);
	ck_assert_int_eq(totp_secret_new(b), 0);
	ck_assert_uint_eq(strlen(a), TOTP_SECRET_B32);
	ck_assert_uint_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
	    TOTP_SECRET_B32);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(totp_b32_decode(a, strlen(a), raw, sizeof(raw)),
	    TOTP_SECRET_BYTES);
	ck_assert_int_eq(totp_b32_decode(b, strlen(b), raw, sizeof(raw)),
	    TOTP_SECRET_BYTES);
	ck_assert_int_gt(totp_uri(uri, sizeof(uri), "P", "e@x.io", NULL, NULL, a),
	    0);
	ck_assert_ptr_nonnull(strstr(uri, "&secret="));
	ck_assert_str_eq(strstr(uri, "&secret=") + 8, a);
	ck_assert_int_eq(totp_secret_new(NULL), -1);
}
END_TEST

/* Builds the totp suite. */
static Suite *
totp_suite(void)
{
	Suite *s = suite_create("totp");
	TCase *tc;

	tc = check_tcase("base32");
	tcase_add_loop_test(tc, test_b32_vectors, 0, NELEM(b32_vec));
	tcase_add_loop_test(tc, test_b32_decode_table, 0, NELEM(b32_dec_vec));
	tcase_add_test(tc, test_b32_decode_nul);
	tcase_add_test(tc, test_b32_bounds);
	tcase_add_test(tc, test_b32_roundtrip);
	suite_add_tcase(s, tc);

	tc = check_tcase("hotp");
	tcase_add_loop_test(tc, test_hotp, 0, NELEM(hotp_vec));
	suite_add_tcase(s, tc);

	tc = check_tcase("totp");
	tcase_add_loop_test(tc, test_totp_rfc, 0, NELEM(totp_vec));
	tcase_add_test(tc, test_totp_step);
	tcase_add_test(tc, test_totp_bad_args);
	tcase_add_loop_test(tc, test_totp_accept, 0, NELEM(accept_vec));
	tcase_add_test(tc, test_totp_accept_once);
	suite_add_tcase(s, tc);

	tc = check_tcase("uri");
	tcase_add_loop_test(tc, test_uri, 0, NELEM(uri_vec));
	tcase_add_test(tc, test_uri_bounds);
	suite_add_tcase(s, tc);

	tc = check_tcase("secret");
	tcase_add_test(tc, test_secret_new);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	return check_run(totp_suite());
}
