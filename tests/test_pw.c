/* test_pw.c: password hashing: PHC strings we write verify with libargon2's
 * own verifier and the other way round, known vectors, and hostile stored
 * strings that must never verify (nor crash). */
#include <argon2.h>
#include <sys/wait.h>
#include <unistd.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "pw.h"

START_TEST(test_roundtrip)
{
	char h[LK_PW_HASH_MAX];
	const char *pw = "correct horse battery staple";

	ck_assert_int_eq(pw_init(64, 1, 1), 0);
	ck_assert_int_eq(pw_hash(pw, strlen(pw), h), 0);
	ck_assert_str_eq(strstr(h, "$argon2id$v=19$m=64,t=1,p=1$") == h ? "ok" : h, "ok");
	ck_assert_int_eq(pw_verify(h, pw, strlen(pw)), 1);
	ck_assert_int_eq(pw_verify(h, "correct horse battery stapl", 27), 0);
	ck_assert_int_eq(argon2id_verify(h, pw, strlen(pw)), ARGON2_OK);
	ck_assert_str_eq(pw_options_json(),
	    "{\"type\":\"argon2\",\"memoryCost\":64,\"timeCost\":1,\"threads\":1}");
}
END_TEST

START_TEST(test_library_hashes)
{
	char e[256];
	static const argon2_type types[] = { Argon2_i, Argon2_id };
	unsigned i;

	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(argon2_hash(2, 256, 2, "secret-pw", 9, "0123456789abcdef",
		    16, NULL, 24, e, sizeof e, types[i], ARGON2_VERSION_13), ARGON2_OK);
		ck_assert_int_eq(pw_verify(e, "secret-pw", 9), 1);
		ck_assert_int_eq(pw_verify(e, "secret-pW", 9), 0);
	}
	/* version 0x10 strings carry no v= part */
	ck_assert_int_eq(argon2_hash(2, 256, 1, "old", 3, "0123456789abcdef", 16,
	    NULL, 32, e, sizeof e, Argon2_i, ARGON2_VERSION_10), ARGON2_OK);
	ck_assert_int_eq(pw_verify(e, "old", 3), 1);
}
END_TEST

START_TEST(test_appwrite_vector)
{
	/* the argon2i vector of Appwrite's users tests (password "appwrite") */
	const char *h = "$argon2i$v=19$m=20,t=3,p=2$YXBwd3JpdGU$A/54i238ed09ZR4NwlACU5XnkjNBZU9QeOEuhjLiexI";

	ck_assert_int_eq(pw_verify(h, "appwrite", 8), 1);
	ck_assert_int_eq(pw_verify(h, "appwritf", 8), 0);
}
END_TEST

static const char *const hostile[] = {
	"", "$", "$argon2id$", "$argon2id$v=19$", "$argon2id$v=19$m=64,t=1,p=1$",
	"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$", "$argon2x$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
	"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
	"$argon2id$v=19$m=99999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
	"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
	"$argon2id$v=19$m=64,t=1,p=0$c2FsdHNhbHQ$aGFzaGhhc2g",
	"$argon2id$v=19$m=64,t=1,p=1$!!!!$aGFzaGhhc2g",
	"$2y$10$abcdefghijklmnopqrstuv", "plain text", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$%%%%",
};

START_TEST(test_hostile)
{
	ck_assert_int_eq(pw_verify(hostile[_i], "whatever1", 9), 0);
}
END_TEST

START_TEST(test_null_and_dummy)
{
	ck_assert_int_eq(pw_init(64, 1, 1), 0);
	ck_assert_int_eq(pw_verify(NULL, "x", 1), 0);
	pw_verify_dummy("anything", 8); /* burns time, returns nothing */
}
END_TEST

/* A worker killed while hashing must not keep its slot: the next process
 * takes the slot over (robust mutex) instead of waiting for ever. */
/* Resident kB of anonymous memory of this process. */
static long rss_anon_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "RssAnon:", 8) == 0)
			kb = strtol(line + 8, NULL, 10);
	fclose(f);
	return kb;
}

/* argon2's working memory is kept from one hash to the next (no fresh
 * zeroed pages per hash) and given back on request; pw_init gives back what
 * its dummy hash used so forked workers do not inherit it. */
START_TEST(test_kept_memory)
{
	char h[LK_PW_HASH_MAX], h2[LK_PW_HASH_MAX];
	long before, kept;

	ck_assert_int_eq(pw_init(4096, 1, 1), 0);
	ck_assert_int_eq(pw_holds_memory(), 0);
	before = rss_anon_kb();
	ck_assert_int_eq(pw_hash("first password", 14, h), 0);
	ck_assert_int_eq(pw_holds_memory(), 1);
	ck_assert_int_eq(pw_memory_idle(), 0);
	kept = rss_anon_kb();
	ck_assert_msg(kept - before >= 3 * 1024, "kept %ld kB, before %ld kB", kept, before);
	/* the next hash and a verify reuse it: nothing new becomes resident */
	ck_assert_int_eq(pw_hash("second password", 15, h2), 0);
	ck_assert_int_eq(pw_verify(h, "first password", 14), 1);
	ck_assert_int_eq(pw_verify(h2, "first password", 14), 0);
	ck_assert_msg(rss_anon_kb() - kept < 1024, "grew to %ld kB", rss_anon_kb());
	/* a stored hash with other costs gets its own mapping, unmapped after */
	ck_assert_int_eq(pw_verify("$argon2id$v=19$m=2048,t=1,p=1$c2FsdHNhbHRzYWx0$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", 1), 0);
	ck_assert_msg(rss_anon_kb() - kept < 1024, "other costs stayed: %ld kB", rss_anon_kb());
	sleep(1);
	ck_assert_int_eq(pw_memory_idle(), 1);
	pw_release_memory();
	ck_assert_int_eq(pw_holds_memory(), 0);
	ck_assert_msg(rss_anon_kb() - before < 1024, "released to %ld kB", rss_anon_kb());
	ck_assert_int_eq(pw_verify(h2, "second password", 15), 1);
}
END_TEST

START_TEST(test_slot_of_dead_holder)
{
	char h[LK_PW_HASH_MAX];
	pid_t pid;
	int st;

	ck_assert_int_eq(pw_limit_init(1), 0);
	if ((pid = fork()) == 0) {
		pw_slot_acquire();
		_exit(0); /* dies holding the only slot */
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(pw_init(64, 1, 1), 0);
	ck_assert_int_eq(pw_hash("after-a-crash", 13, h), 0);
	ck_assert_int_eq(pw_verify(h, "after-a-crash", 13), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pw");
	TCase *tc = tcase_create("pw");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_library_hashes);
	tcase_add_test(tc, test_appwrite_vector);
	tcase_add_loop_test(tc, test_hostile, 0, (int)(sizeof hostile / sizeof hostile[0]));
	tcase_add_test(tc, test_null_and_dummy);
	tcase_add_test(tc, test_slot_of_dead_holder);
	tcase_add_test(tc, test_kept_memory);
	suite_add_tcase(s, tc);
	return check_run(s);
}
