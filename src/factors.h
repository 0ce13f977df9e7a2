/* factors.h: a session's factor list (spec 1.8, 1.9): the JSON array of
 * factor names stored in sessions.factors, e.g. ["password","totp"]. */
#ifndef LK_FACTORS_H
#define LK_FACTORS_H

#include <stddef.h>

#define LK_MAX_FACTORS 8      /* names in one list (there are 7 kinds) */
#define LK_FACTOR_NAME 16     /* longest name + 1 ("recoverycode") */

struct factors {
	int n;                                  /* names in use */
	char name[LK_MAX_FACTORS][LK_FACTOR_NAME]; /* lower-case [a-z0-9] */
};

/* Reads a stored list. Accepts only what factors_render writes and what
 * Appwrite stores: a JSON array of strings of [A-Za-z0-9] (lower-cased
 * here), spaces between tokens. Duplicates are kept once; more than
 * LK_MAX_FACTORS names, a longer name or any other JSON is an error.
 * Returns 0, or -1 with f empty. */
int factors_parse(const char *json, size_t n, struct factors *f);
/* Adds name (lower-cased) unless present. Returns 1 when added, 0 when
 * already there, -1 when it is not a valid name or the list is full. */
int factors_add(struct factors *f, const char *name);
/* 1 when name is in the list. */
int factors_has(const struct factors *f, const char *name);
/* Writes the list as a JSON array into out (cap bytes incl. NUL). Returns
 * the length, or -1 when it does not fit. */
int factors_render(const struct factors *f, char *out, size_t cap);

#endif
