/* test_factors.c: check suite for src/factors.c, a session's factor list
 * (the JSON array stored in sessions.factors). Table tests for what
 * factors_parse accepts (latchkey's own rendering and Appwrite's stored
 * spellings: spaces, upper case, duplicates) and everything it refuses;
 * parse/render round trips; factors_add and factors_has; the exact buffer
 * bounds of factors_render. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "crypto.h"
#include "factors.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* What the MFA handlers render into (api_mfa.c) and what the column holds
 * (sessions.factors VARCHAR(255)). */
#define RENDER_CAP 256

/* Eight distinct names of the longest length (LK_FACTOR_NAME - 1). */
static const char *const longest[LK_MAX_FACTORS] = {
	"aaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbb", "ccccccccccccccc", "ddddddddddddddd",
	"eeeeeeeeeeeeeee", "fffffffffffffff", "ggggggggggggggg", "hhhhhhhhhhhhhhh",
};

/* Fills f with the names of a NULL-terminated list, asserting each is new. */
static void
fill(struct factors *f, const char *const *names)
{
	f->n = 0;
	for (; *names != NULL; names++)
		ck_assert_int_eq(factors_add(f, *names), 1);
}

/* ---- factors_parse: accepted ---- */

static const struct {
	const char *json;   /* stored text */
	const char *want;   /* the list as factors_render writes it */
} parse_ok[] = {
	/* latchkey's own rendering */
	{ "[]", "[]" },
	{ "[\"password\"]", "[\"password\"]" },
	{ "[\"password\",\"totp\"]", "[\"password\",\"totp\"]" },
	{ "[\"password\",\"totp\",\"email\",\"phone\",\"recoverycode\"]",
	  "[\"password\",\"totp\",\"email\",\"phone\",\"recoverycode\"]" },
	/* Appwrite's stored spellings: spaces between tokens, any JSON white
	 * space, camel case (lower-cased here) */
	{ "[ ]", "[]" },
	{ " [] ", "[]" },
	{ "[ \"password\" , \"totp\" ]", "[\"password\",\"totp\"]" },
	{ "\t[\n\"email\"\r\n]\n", "[\"email\"]" },
	{ "[\"recoveryCode\"]", "[\"recoverycode\"]" },
	{ "[\"TOTP\",\"Email\",\"PHONE\"]", "[\"totp\",\"email\",\"phone\"]" },
	/* duplicates kept once, in the order first seen, whatever their case */
	{ "[\"totp\",\"totp\"]", "[\"totp\"]" },
	{ "[\"totp\",\"password\",\"TOTP\",\"Totp\",\"password\"]",
	  "[\"totp\",\"password\"]" },
	/* digits; one character; the longest name */
	{ "[\"a1\",\"2fa\",\"x\"]", "[\"a1\",\"2fa\",\"x\"]" },
	{ "[\"abcdefghijklmno\"]", "[\"abcdefghijklmno\"]" },
	/* exactly LK_MAX_FACTORS names, and more entries when some repeat */
	{ "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]",
	  "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]" },
	{ "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"A\",\"h\",\"a\"]",
	  "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]" },
};

/* Each parse_ok row parses and renders as its canonical form, which parses
 * to the same list. */
START_TEST(test_parse_ok)
{
	const char *json = parse_ok[_i].json, *want = parse_ok[_i].want;
	struct factors f, g;
	char out[RENDER_CAP];
	int i;

	ck_assert_msg(factors_parse(json, strlen(json), &f) == 0, "refused %s", json);
	ck_assert_int_eq(factors_render(&f, out, sizeof out), (int)strlen(want));
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(factors_parse(out, strlen(out), &g), 0);
	ck_assert_int_eq(g.n, f.n);
	for (i = 0; i < f.n; i++)
		ck_assert_str_eq(g.name[i], f.name[i]);
}
END_TEST

/* ---- factors_parse: refused ---- */

static const char *const parse_bad[] = {
	/* not an array */
	"", " ", "\t\n", "{}", "{\"totp\":true}", "\"totp\"", "totp", "null",
	"true", "0", "]", "[", "[ ", "(\"totp\")",
	/* broken arrays */
	"[,]", "[\"totp\",]", "[,\"totp\"]", "[\"totp\",,\"email\"]",
	"[\"totp\" \"email\"]", "[\"totp\";\"email\"]", "[\"totp\"", "[\"totp",
	"[\"totp\",", "['totp']", "[[\"totp\"]]",
	/* items that are not strings */
	"[1]", "[true]", "[null]", "[{}]", "[{\"type\":\"totp\"}]", "[\"totp\",2]",
	"[\"totp\",null]",
	/* escapes: never written by latchkey or Appwrite for these names */
	"[\"to\\u0074p\"]", "[\"totp\\n\"]", "[\"to\\\"tp\"]", "[\"\\\\\"]",
	"[\"totp\\\"]",
	/* names with other characters, or none */
	"[\"\"]", "[\"totp\",\"\"]", "[\"to tp\"]", "[\" totp\"]", "[\"totp \"]",
	"[\"recovery-code\"]", "[\"recovery_code\"]", "[\"totp.\"]",
	"[\"t\xc3\xb6tp\"]", "[\"totp\t\"]", "[\"to\ntp\"]",
	/* a name of LK_FACTOR_NAME characters or more */
	"[\"abcdefghijklmnop\"]", "[\"totp\",\"abcdefghijklmnopqrstuvwxyz\"]",
	/* more than LK_MAX_FACTORS distinct names */
	"[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]",
	"[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"h\",\"i\"]",
	/* trailing garbage */
	"[]]", "[] []", "[]x", "[\"totp\"]x", "[\"totp\"] ]", "[\"totp\"],",
	"[\"totp\"]\"", "[\"totp\"] null",
};

/* Each parse_bad row is refused and leaves the list empty. */
START_TEST(test_parse_bad)
{
	const char *json = parse_bad[_i];
	struct factors f;

	f.n = 0;
	ck_assert_int_eq(factors_add(&f, "password"), 1);
	ck_assert_msg(factors_parse(json, strlen(json), &f) == -1, "accepted %s", json);
	ck_assert_int_eq(f.n, 0);
}
END_TEST

/* The length given is the text: a NUL inside it is a bad byte, bytes past
 * it are not read, and NULL is refused. */
START_TEST(test_parse_bounds)
{
	static const char nul_name[] = "[\"to\0tp\"]";
	static const char nul_after[] = "[\"totp\"]\0";
	static const char tail[] = "[\"totp\"]garbage";
	struct factors f;

	ck_assert_int_eq(factors_parse(nul_name, sizeof nul_name - 1, &f), -1);
	ck_assert_int_eq(factors_parse(nul_after, sizeof nul_after - 1, &f), -1);
	ck_assert_int_eq(factors_parse(nul_after, sizeof nul_after - 2, &f), 0);
	ck_assert_int_eq(f.n, 1);
	/* the text ends at the length: garbage beyond it is not seen, a cut
	 * inside the array is refused */
	ck_assert_int_eq(factors_parse(tail, 8, &f), 0);
	ck_assert_str_eq(f.name[0], "totp");
	ck_assert_int_eq(factors_parse(tail, 7, &f), -1);
	ck_assert_int_eq(factors_parse(tail, 1, &f), -1);
	ck_assert_int_eq(factors_parse(tail, 0, &f), -1);
	ck_assert_int_eq(factors_parse("[]", 1, &f), -1);
	/* NULL text, with or without a length */
	f.n = 1;
	ck_assert_int_eq(factors_parse(NULL, 0, &f), -1);
	ck_assert_int_eq(f.n, 0);
	ck_assert_int_eq(factors_parse(NULL, 8, &f), -1);
}
END_TEST

/* ---- round trips ---- */

/* The largest list (LK_MAX_FACTORS names of the longest length) renders
 * within the handlers' 256 bytes, and parses back to itself. */
START_TEST(test_roundtrip_largest)
{
	const char *names[LK_MAX_FACTORS + 1];
	struct factors f, g;
	char out[RENDER_CAP];
	int n, i;

	memcpy(names, longest, sizeof longest);
	names[LK_MAX_FACTORS] = NULL;
	fill(&f, names);
	n = factors_render(&f, out, sizeof out);
	/* 8 names of 15 with their quotes, 7 commas and the brackets: 145 */
	ck_assert_int_eq(n, LK_MAX_FACTORS * (LK_FACTOR_NAME + 2) + 1);
	ck_assert_int_lt(n, 256);
	ck_assert_int_eq(factors_parse(out, (size_t)n, &g), 0);
	ck_assert_int_eq(g.n, LK_MAX_FACTORS);
	for (i = 0; i < LK_MAX_FACTORS; i++)
		ck_assert_str_eq(g.name[i], longest[i]);
}
END_TEST

/* 2000 random lists of random valid names (0 to LK_MAX_FACTORS of them, 1
 * to 15 characters of [A-Za-z0-9]) added, rendered, parsed back: the same
 * names lower-cased, in the same order; spaced out and upper-cased as
 * Appwrite may store them, they parse to the same list too. */
START_TEST(test_roundtrip_random)
{
	static const char alnum[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct factors f, g;
	char out[RENDER_CAP], loose[2 * RENDER_CAP], name[LK_FACTOR_NAME];
	uint8_t rnd[1 + LK_MAX_FACTORS * LK_FACTOR_NAME]; /* count, then names */
	size_t i, o;          /* out and loose index */
	int iter, k, j, len, r;

	for (iter = 0; iter < 2000; iter++) {
		ck_assert_int_eq(crypto_random(rnd, sizeof rnd), 0);
		f.n = 0;
		for (k = 0; k < rnd[0] % (LK_MAX_FACTORS + 1); k++) {
			const uint8_t *p = rnd + 1 + k * LK_FACTOR_NAME;
			len = 1 + p[0] % (LK_FACTOR_NAME - 1);
			for (j = 0; j < len; j++)
				name[j] = alnum[p[1 + j] % (sizeof alnum - 1)];
			name[len] = '\0';
			r = factors_add(&f, name);
			ck_assert(r == 1 || r == 0);  /* 0: a repeat */
			ck_assert(factors_has(&f, f.name[f.n - 1]));
		}
		r = factors_render(&f, out, sizeof out);
		ck_assert_int_gt(r, 1);
		ck_assert_uint_eq(strlen(out), (size_t)r);
		ck_assert_int_eq(factors_parse(out, (size_t)r, &g), 0);
		ck_assert_int_eq(g.n, f.n);
		for (k = 0; k < f.n; k++)
			ck_assert_str_eq(g.name[k], f.name[k]);
		/* the same list as another writer spells it */
		for (i = 0, o = 0; out[i]; i++) {
			char c = out[i];
			if (c == ',' || c == '[' || c == ']')
				loose[o++] = ' ';
			loose[o++] = (iter % 2 && c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
			if (c == ',' || c == '[')
				loose[o++] = '\n';
		}
		ck_assert_int_eq(factors_parse(loose, o, &g), 0);
		ck_assert_int_eq(g.n, f.n);
		for (k = 0; k < f.n; k++)
			ck_assert_str_eq(g.name[k], f.name[k]);
	}
}
END_TEST

/* ---- factors_add, factors_has ---- */

/* A name is added once, lower-cased; factors_has sees the stored
 * (lower-case) spelling. */
START_TEST(test_add_once)
{
	struct factors f;

	f.n = 0;
	ck_assert_int_eq(factors_add(&f, "password"), 1);
	ck_assert_int_eq(factors_add(&f, "password"), 0);
	ck_assert_int_eq(factors_add(&f, "TOTP"), 1);
	ck_assert_int_eq(factors_add(&f, "totp"), 0);
	ck_assert_int_eq(factors_add(&f, "Totp"), 0);
	ck_assert_int_eq(factors_add(&f, "recoveryCode"), 1);
	ck_assert_int_eq(f.n, 3);
	ck_assert_str_eq(f.name[0], "password");
	ck_assert_str_eq(f.name[1], "totp");
	ck_assert_str_eq(f.name[2], "recoverycode");
	ck_assert_int_eq(factors_has(&f, "totp"), 1);
	ck_assert_int_eq(factors_has(&f, "recoverycode"), 1);
	ck_assert_int_eq(factors_has(&f, "TOTP"), 0);
	ck_assert_int_eq(factors_has(&f, "email"), 0);
	ck_assert_int_eq(factors_has(&f, "tot"), 0);
	ck_assert_int_eq(factors_has(&f, ""), 0);
}
END_TEST

static const char *const add_bad[] = {
	"", "to tp", " totp", "totp ", "to-tp", "recovery_code", "totp\n",
	"t\xc3\xb6tp", "\"totp\"", "abcdefghijklmnop",
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
};

/* Each add_bad row is refused and leaves the list as it was. */
START_TEST(test_add_bad)
{
	struct factors f;

	f.n = 0;
	ck_assert_int_eq(factors_add(&f, "password"), 1);
	ck_assert_int_eq(factors_add(&f, add_bad[_i]), -1);
	ck_assert_int_eq(f.n, 1);
	ck_assert_str_eq(f.name[0], "password");
}
END_TEST

/* A full list refuses a new name and still answers 0 for one it has. */
START_TEST(test_add_full)
{
	const char *names[LK_MAX_FACTORS + 1];
	struct factors f;

	memcpy(names, longest, sizeof longest);
	names[LK_MAX_FACTORS] = NULL;
	fill(&f, names);
	ck_assert_int_eq(f.n, LK_MAX_FACTORS);
	ck_assert_int_eq(factors_add(&f, "totp"), -1);
	ck_assert_int_eq(factors_add(&f, "a"), -1);
	ck_assert_int_eq(factors_add(&f, longest[3]), 0);
	ck_assert_int_eq(factors_add(&f, "HHHHHHHHHHHHHHH"), 0);
	ck_assert_int_eq(f.n, LK_MAX_FACTORS);
	ck_assert_int_eq(factors_has(&f, "totp"), 0);
}
END_TEST

/* ---- factors_render bounds ---- */

static const char *const render_lists[][LK_MAX_FACTORS + 1] = {
	{ NULL },
	{ "totp", NULL },
	{ "password", "totp", NULL },
	{ "password", "totp", "email", "phone", "recoverycode", NULL },
	{ "aaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbb", "ccccccccccccccc",
	  "ddddddddddddddd", "eeeeeeeeeeeeeee", "fffffffffffffff",
	  "ggggggggggggggg", "hhhhhhhhhhhhhhh", NULL },
};

/* For list _i, every capacity from 0 to one past the length: below length
 * + 1 the answer is -1, from it the length; nothing is ever written at or
 * past the capacity. */
START_TEST(test_render_bounds)
{
	struct factors f;
	char want[RENDER_CAP], out[RENDER_CAP + 8];
	size_t cap, len, k;
	int n;

	fill(&f, render_lists[_i]);
	n = factors_render(&f, want, sizeof want);
	ck_assert_int_gt(n, 1);
	len = (size_t)n;
	ck_assert_uint_eq(strlen(want), len);
	for (cap = 0; cap <= len + 1; cap++) {
		memset(out, 'X', sizeof out);
		n = factors_render(&f, out, cap);
		if (cap <= len) {
			ck_assert_msg(n == -1, "list %d: capacity %zu gave %d", _i, cap, n);
		} else {
			ck_assert_int_eq(n, (int)len);
			ck_assert_str_eq(out, want);
		}
		for (k = cap; k < sizeof out; k++)
			ck_assert_msg(out[k] == 'X', "list %d: capacity %zu: byte %zu "
			    "written", _i, cap, k);
	}
}
END_TEST

/* The empty list is "[]": it needs three bytes. */
START_TEST(test_render_empty)
{
	struct factors f;
	char out[4];

	f.n = 0;
	ck_assert_int_eq(factors_render(&f, out, 0), -1);
	ck_assert_int_eq(factors_render(&f, NULL, 0), -1);
	ck_assert_int_eq(factors_render(&f, out, 2), -1);
	ck_assert_int_eq(factors_render(&f, out, 3), 2);
	ck_assert_str_eq(out, "[]");
}
END_TEST

/* Builds the factors suite. */
static Suite *
factors_suite(void)
{
	Suite *s = suite_create("factors");
	TCase *tc;

	tc = check_tcase("parse");
	tcase_add_loop_test(tc, test_parse_ok, 0, NELEM(parse_ok));
	tcase_add_loop_test(tc, test_parse_bad, 0, NELEM(parse_bad));
	tcase_add_test(tc, test_parse_bounds);
	suite_add_tcase(s, tc);

	tc = check_tcase("roundtrip");
	tcase_add_test(tc, test_roundtrip_largest);
	tcase_add_test(tc, test_roundtrip_random);
	suite_add_tcase(s, tc);

	tc = check_tcase("add");
	tcase_add_test(tc, test_add_once);
	tcase_add_loop_test(tc, test_add_bad, 0, NELEM(add_bad));
	tcase_add_test(tc, test_add_full);
	suite_add_tcase(s, tc);

	tc = check_tcase("render");
	tcase_add_loop_test(tc, test_render_bounds, 0, NELEM(render_lists));
	tcase_add_test(tc, test_render_empty);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exit status 1 when any test failed. */
int
main(void)
{
	return check_run(factors_suite());
}
