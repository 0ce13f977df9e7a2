/* pw_policy.c: a project's password rules (pw.h): the common-password
 * check behind Appwrite's passwordDictionary and the strength policy of
 * 004_password_policy.sql. Strength is estimated by Debian's libzxcvbn (the
 * C port of Dropbox's zxcvbn): it returns the entropy in bits of the
 * cheapest way it finds to guess a password (dictionaries of common
 * passwords, words and names, keyboard walks, sequences, repeats, dates,
 * l33t), so 2^bits is its estimate of the guesses an attacker needs. */
#include <stdio.h>
#include <string.h>

#include <zxcvbn.h>

#include "pw.h"

/* zxcvbn's own score thresholds, as log2 of the guesses: 10^3, 10^6, 10^8
 * and 10^10 guesses. */
static const double score_bits[4] = { 9.9658, 19.9316, 26.5754, 33.2193 };

/* Found in fewer guesses than this, a password is "common": among the
 * 10,000 most likely (log2 10^4). */
#define COMMON_BITS 13.2877

/* zxcvbn's work grows quickly with the length; past this many bytes a
 * password is judged by its first ones (a long password is not common). */
#define ZXCVBN_MAX 128

/* The entropy zxcvbn finds in pw[0..n). */
static double entropy(const char *pw, size_t n)
{
	char s[ZXCVBN_MAX + 1];

	if (n > ZXCVBN_MAX)
		n = ZXCVBN_MAX;
	memcpy(s, pw, n);
	s[n] = '\0';
	return ZxcvbnMatch(s, NULL, NULL);
}

int pw_score(const char *pw, size_t n)
{
	double bits = entropy(pw, n);
	int s = 0;

	while (s < 4 && bits >= score_bits[s])
		s++;
	return s;
}

int pw_common(const char *pw, size_t n)
{
	return pw_dict_has(pw, n) || entropy(pw, n) < COMMON_BITS;
}

/* Characters (UTF-8 code points) in pw[0..n). */
static size_t chars(const char *pw, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)pw[i] & 0xC0) != 0x80)
			k++;
	return k;
}

/* 1 when some byte of pw[0..n) is in [lo, hi]. */
static int has_range(const char *pw, size_t n, char lo, char hi)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pw[i] >= lo && pw[i] <= hi)
			return 1;
	return 0;
}

/* 1 when pw has a symbol: ASCII punctuation or any non-ASCII character. */
static int has_symbol(const char *pw, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)pw[i];
		if (ch >= 0x80 || (ch > ' ' && ch < 0x7F && !(ch >= '0' && ch <= '9') &&
		    !(ch >= 'A' && ch <= 'Z') && !(ch >= 'a' && ch <= 'z')))
			return 1;
	}
	return 0;
}

const char *pw_policy_check(const struct pw_policy *p, const char *pw, size_t n,
    char *msg, size_t msgn)
{
	int score;

	if (p->dictionary && pw_common(pw, n))
		return PW_DICTIONARY_MESSAGE;
	if (p->min_length > 8 && chars(pw, n) < (size_t)p->min_length) {
		snprintf(msg, msgn, "Password must be at least %d characters long.",
		    p->min_length);
		return msg;
	}
	if (p->upper && !has_range(pw, n, 'A', 'Z'))
		return "Password must contain at least one uppercase letter.";
	if (p->lower && !has_range(pw, n, 'a', 'z'))
		return "Password must contain at least one lowercase letter.";
	if (p->number && !has_range(pw, n, '0', '9'))
		return "Password must contain at least one number.";
	if (p->symbol && !has_symbol(pw, n))
		return "Password must contain at least one symbol.";
	if (p->min_score > 0 && (score = pw_score(pw, n)) < p->min_score) {
		snprintf(msg, msgn, "Password is too weak: its strength score is %d of 4 "
		    "and this project asks for at least %d.", score, p->min_score);
		return msg;
	}
	return NULL;
}
