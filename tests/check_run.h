/* check_run.h: the one way a unit suite runs (every tests/test_*.c main). */
#ifndef LK_CHECK_RUN_H
#define LK_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

/* Every test case's time limit, in seconds.  Check's default (4 s) is for
 * an idle machine: a case that loops over thousands of inputs (test_ua's
 * 20,000 random strings) overran it under `make distcheck` on a loaded
 * 2-core machine.  The limit is there to stop a hang, not to time code:
 * speed is measured by bench/, never by a test. */
#define CHECK_TCASE_TIMEOUT 120

/* A test case with CHECK_TCASE_TIMEOUT (CK_TIMEOUT_MULTIPLIER still
 * scales it). */
static inline TCase *
check_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, CHECK_TCASE_TIMEOUT);
	return tc;
}

/* Runs s and frees it; EXIT_FAILURE when any test failed. */
static inline int
check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
