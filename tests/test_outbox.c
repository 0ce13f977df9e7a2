/* test_outbox.c: the outbox state machine after failures, and sealing of
 * message bodies at rest (what the delivery process relies on). */
#define _GNU_SOURCE /* memmem */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "crypto.h"
#include "outbox.h"

/* One row: attempts so far, permanent?, expected status and wait. */
static const struct {
	int attempts;        /* attempts made */
	int permanent;       /* the failure cannot be fixed by retrying */
	const char *status;  /* next status */
	long long delay;     /* seconds until the next attempt */
} rows[] = {
	{ 1, 0, "pending", 1 },
	{ 2, 0, "pending", 2 },
	{ 3, 0, "pending", 4 },
	{ 4, 0, "pending", 8 },
	{ 5, 0, "pending", 16 },
	{ 6, 0, "pending", 30 },
	{ 20, 0, "pending", 30 },
	{ 49, 0, "pending", 30 },
	{ 50, 0, "failed", 30 },
	{ 1, 1, "failed", 1 },
	{ 7, 1, "failed", 30 },
};

START_TEST(test_after_failure)
{
	long long d = -1;
	const char *st = outbox_after_failure(rows[_i].attempts, rows[_i].permanent, &d);

	ck_assert_str_eq(st, rows[_i].status);
	ck_assert_int_eq(d, rows[_i].delay);
}
END_TEST

START_TEST(test_backoff_monotonic)
{
	long long prev = 0, d;
	int a;

	for (a = 1; a < 60; a++) {
		(void)outbox_after_failure(a, 0, &d);
		ck_assert_int_ge(d, prev);
		ck_assert_int_le(d, 30);
		prev = d;
	}
}
END_TEST

START_TEST(test_seal_roundtrip)
{
	const char *key = "0123456789abcdef0123456789abcdef";
	const char msg[] = "<p>code 123456</p>\0code 123456";
	uint8_t sealed[128], plain[128];
	ssize_t n, m;

	n = crypto_seal(key, (const uint8_t *)msg, sizeof msg, sealed, sizeof sealed);
	ck_assert_int_eq(n, (ssize_t)sizeof msg + LK_SEAL_OVERHEAD);
	ck_assert(memmem(sealed, (size_t)n, "123456", 6) == NULL);
	m = crypto_open(key, sealed, (size_t)n, plain, sizeof plain);
	ck_assert_int_eq(m, (ssize_t)sizeof msg);
	ck_assert(memcmp(plain, msg, sizeof msg) == 0);
	/* another key, or one flipped bit anywhere, opens nothing */
	ck_assert_int_eq(crypto_open("another key, 32 characters long!", sealed,
	    (size_t)n, plain, sizeof plain), -1);
	for (int i = 0; i < n; i++) {
		sealed[i] ^= 1;
		ck_assert_int_eq(crypto_open(key, sealed, (size_t)n, plain, sizeof plain), -1);
		sealed[i] ^= 1;
	}
	/* too small buffers and truncated input are refused */
	ck_assert_int_eq(crypto_seal(key, (const uint8_t *)msg, sizeof msg, sealed, 20), -1);
	ck_assert_int_eq(crypto_open(key, sealed, 10, plain, sizeof plain), -1);
	ck_assert_int_eq(crypto_open(key, sealed, (size_t)n, plain, 4), -1);
}
END_TEST

START_TEST(test_seal_nonce_unique)
{
	const char *key = "0123456789abcdef0123456789abcdef";
	uint8_t a[64], b[64];

	ck_assert_int_gt(crypto_seal(key, (const uint8_t *)"same", 4, a, sizeof a), 0);
	ck_assert_int_gt(crypto_seal(key, (const uint8_t *)"same", 4, b, sizeof b), 0);
	ck_assert(memcmp(a, b, 4 + LK_SEAL_OVERHEAD) != 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = check_tcase("outbox");

	tcase_add_loop_test(tc, test_after_failure, 0, (int)(sizeof rows / sizeof rows[0]));
	tcase_add_test(tc, test_backoff_monotonic);
	tcase_add_test(tc, test_seal_roundtrip);
	tcase_add_test(tc, test_seal_nonce_unique);
	suite_add_tcase(s, tc);
	return check_run(s);
}
