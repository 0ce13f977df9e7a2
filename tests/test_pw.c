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

/* Common passwords zxcvbn alone refuses (no list loaded): top ranks of
 * every public password list, and trivial variants of them. */
static const char *const common[] = {
	"password", "12345678", "123456789", "1234567890", "qwertyuiop",
	"11111111", "baseball", "football", "iloveyou", "sunshine", "trustno1",
	"princess", "password1", "qwerty123", "password123", "1q2w3e4r",
	"superman", "starwars", "computer", "P@ssw0rd", "Password1", "abcdefgh",
	"aaaaaaaa", "zaq12wsx",
};

START_TEST(test_common)
{
	ck_assert_msg(pw_common(common[_i], strlen(common[_i])), "%s", common[_i]);
	ck_assert_int_le(pw_score(common[_i], strlen(common[_i])), 1);
}
END_TEST

/* Passphrases a person would pick and that must pass every default. */
static const char *const strong[] = {
	"violet-harbour-71-quill", "correct horse battery staple",
	"my-marguerite-1", "bartholomew-2024", "aaPersonal42xbb", "Ab3$efgh",
	"bench password 1234",
};

START_TEST(test_not_common)
{
	struct pw_policy p = { .dictionary = 1, .min_length = 8 };
	char msg[200];

	ck_assert_msg(!pw_common(strong[_i], strlen(strong[_i])), "%s", strong[_i]);
	ck_assert_ptr_null(pw_policy_check(&p, strong[_i], strlen(strong[_i]), msg, sizeof msg));
}
END_TEST

/* Each rule of the policy, alone: the message names it. */
START_TEST(test_policy)
{
	struct pw_policy p;
	char msg[200];
	const char *m;

#define CHECK(pw) pw_policy_check(&p, pw, strlen(pw), msg, sizeof msg)
	memset(&p, 0, sizeof p);
	ck_assert_ptr_null(CHECK("password123"));      /* everything off */
	p.dictionary = 1;
	ck_assert_str_eq(CHECK("password123"), PW_DICTIONARY_MESSAGE);
	memset(&p, 0, sizeof p);
	p.min_length = 12;
	ck_assert_ptr_nonnull(m = CHECK("eleven-char"));
	ck_assert_str_eq(m, "Password must be at least 12 characters long.");
	ck_assert_ptr_null(CHECK("twelve-chars"));
	/* characters, not bytes: 12 two-byte letters pass */
	ck_assert_ptr_null(CHECK("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
	ck_assert_ptr_nonnull(CHECK("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
	memset(&p, 0, sizeof p);
	p.upper = 1;
	ck_assert_ptr_nonnull(strstr(CHECK("alllowercase-pass-77"), "uppercase"));
	ck_assert_ptr_null(CHECK("oneUppercase-pass-77"));
	memset(&p, 0, sizeof p);
	p.lower = 1;
	ck_assert_ptr_nonnull(strstr(CHECK("ALLUPPER-PASS-77"), "lowercase"));
	ck_assert_ptr_null(CHECK("ALLUPPEr-PASS-77"));
	memset(&p, 0, sizeof p);
	p.number = 1;
	ck_assert_ptr_nonnull(strstr(CHECK("no-digits-here-at-all"), "number"));
	ck_assert_ptr_null(CHECK("one-digit-here-at-all-7"));
	memset(&p, 0, sizeof p);
	p.symbol = 1;
	ck_assert_ptr_nonnull(strstr(CHECK("NoSymbolsHere77x"), "symbol"));
	ck_assert_ptr_nonnull(strstr(CHECK("No Symbols Here 77x"), "symbol")); /* a space is none */
	ck_assert_ptr_null(CHECK("NoSymbolsHere77x!"));
	ck_assert_ptr_null(CHECK("NoSymbolsHere77x\xc3\xa9"));
	memset(&p, 0, sizeof p);
	p.min_score = 3;
	ck_assert_ptr_nonnull(strstr(CHECK("Password2"), "too weak"));
	ck_assert_ptr_null(CHECK("violet-harbour-71-quill"));
	/* rules in order: the first broken one is named */
	memset(&p, 0, sizeof p);
	p.upper = p.number = 1;
	ck_assert_ptr_nonnull(strstr(CHECK("lowercase-only"), "uppercase"));
#undef CHECK
}
END_TEST

/* zxcvbn on the longest passwords we accept: judged on a bounded prefix,
 * never slow or crashing. */
START_TEST(test_long)
{
	char pw[257];

	memset(pw, 'a', 256);
	pw[256] = '\0';
	ck_assert_int_le(pw_score(pw, 256), 1);
	for (int i = 0; i < 256; i++)
		pw[i] = (char)('!' + (i * 37) % 90);
	ck_assert_int_eq(pw_common(pw, 256), 0);
	ck_assert_int_eq(pw_score(pw, 256), 4);
}
END_TEST

/* The ranked list scripts/run extracts from Debian's python3-zxcvbn, when
 * that package is here: every one of its 10,000 entries is refused once
 * loaded. */
START_TEST(test_ranked_list)
{
	const char *src = "/usr/lib/python3/dist-packages/zxcvbn/frequency_lists.py";
	char path[] = "/tmp/lk-test-pw-XXXXXX", *line = NULL;
	size_t cap = 0, n = 0;
	FILE *in = fopen(src, "r"), *out;
	int fd;

	if (in == NULL)
		return;  /* python3-zxcvbn not installed: nothing to compare with */
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(out = fdopen(fd, "w"));
	while (getline(&line, &cap, in) > 0) {
		char *p = strstr(line, "\"passwords\": \""), *e;
		if (p == NULL)
			continue;
		p += 14;
		while (n < 10000 && (e = strpbrk(p, ",\"")) != NULL) {
			fprintf(out, "%.*s\n", (int)(e - p), p);
			n++;
			if (*e == '"')
				break;
			p = e + 1;
		}
		break;
	}
	fclose(in);
	fclose(out);
	ck_assert_uint_eq(n, 10000);
	ck_assert_int_eq(pw_dict_load(path), 0);
	ck_assert_ptr_nonnull(in = fopen(path, "r"));
	while (getline(&line, &cap, in) > 0) {
		size_t k = strcspn(line, "\n");
		ck_assert_msg(pw_common(line, k), "%.*s", (int)k, line);
		ck_assert_int_eq(pw_dict_has(line, k), 1);
	}
	fclose(in);
	unlink(path);
	free(line);
}
END_TEST

/* Writes n words "<prefix><i>" to a temporary file; returns its path. */
static char *word_file(const char *prefix, int n)
{
	static char paths[2][32];
	static int k;
	char *path = paths[k++ % 2];
	FILE *f;
	int fd, i;

	snprintf(path, sizeof paths[0], "/tmp/lk-test-dict-XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	for (i = 0; i < n; i++)
		fprintf(f, "%s%d\n", prefix, i);
	fclose(f);
	return path;
}

/* password_dictionary lists several files: each load appends to the list
 * (the second load once wrote past the first one's allocation). */
START_TEST(test_dict_two_files)
{
	char *a = word_file("alpha-word-", 1500), *b = word_file("bravo-word-", 1500);

	ck_assert_int_eq(pw_dict_load(a), 0);
	ck_assert_int_eq(pw_dict_load(b), 0);
	ck_assert_int_eq(pw_dict_has("alpha-word-0", 12), 1);
	ck_assert_int_eq(pw_dict_has("alpha-word-1499", 15), 1);
	ck_assert_int_eq(pw_dict_has("bravo-word-0", 12), 1);
	ck_assert_int_eq(pw_dict_has("bravo-word-1499", 15), 1);
	ck_assert_int_eq(pw_dict_has("charlie-word-0", 14), 0);
	ck_assert_int_eq(pw_dict_load("/nonexistent/list"), -1);
	ck_assert_int_eq(pw_dict_has("bravo-word-7", 12), 1);
	unlink(a);
	unlink(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pw");
	TCase *tc = check_tcase("pw");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_library_hashes);
	tcase_add_test(tc, test_appwrite_vector);
	tcase_add_loop_test(tc, test_hostile, 0, (int)(sizeof hostile / sizeof hostile[0]));
	tcase_add_test(tc, test_null_and_dummy);
	tcase_add_test(tc, test_slot_of_dead_holder);
	tcase_add_test(tc, test_kept_memory);
	suite_add_tcase(s, tc);
	tc = check_tcase("policy");
	tcase_add_loop_test(tc, test_common, 0, (int)(sizeof common / sizeof common[0]));
	tcase_add_loop_test(tc, test_not_common, 0, (int)(sizeof strong / sizeof strong[0]));
	tcase_add_test(tc, test_policy);
	tcase_add_test(tc, test_long);
	tcase_add_test(tc, test_ranked_list);
	tcase_add_test(tc, test_dict_two_files);
	suite_add_tcase(s, tc);
	return check_run(s);
}
