/* check_run.h: the one way a unit suite runs (every tests/test_*.c main). */
#ifndef LK_CHECK_RUN_H
#define LK_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

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
