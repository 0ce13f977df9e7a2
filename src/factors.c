/* factors.c: a session's factor list (see factors.h). */
#include <stdio.h>
#include <string.h>

#include "factors.h"

/* 1 for [A-Za-z0-9]. */
static int name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9');
}

/* Adds name[0..n) lower-cased; see factors_add. */
static int add(struct factors *f, const char *name, size_t n)
{
	char low[LK_FACTOR_NAME];
	size_t i;

	if (n == 0 || n >= sizeof low)
		return -1;
	for (i = 0; i < n; i++) {
		if (!name_char(name[i]))
			return -1;
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	}
	low[n] = '\0';
	if (factors_has(f, low))
		return 0;
	if (f->n >= LK_MAX_FACTORS)
		return -1;
	memcpy(f->name[f->n++], low, n + 1);
	return 1;
}

int factors_has(const struct factors *f, const char *name)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return 1;
	return 0;
}

int factors_add(struct factors *f, const char *name)
{
	return add(f, name, strlen(name));
}

/* Skips JSON white space. */
static size_t ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

int factors_parse(const char *json, size_t n, struct factors *f)
{
	size_t i = 0;

	f->n = 0;
	if (json == NULL)
		goto bad;
	i = ws(json, i, n);
	if (i >= n || json[i++] != '[')
		goto bad;
	i = ws(json, i, n);
	if (i < n && json[i] == ']')
		goto end;
	for (;;) {
		size_t start;
		if (i >= n || json[i++] != '"')
			goto bad;
		start = i;
		while (i < n && json[i] != '"')
			i++;
		if (i >= n || add(f, json + start, i - start) < 0)
			goto bad;
		i = ws(json, i + 1, n);
		if (i < n && json[i] == ',') {
			i = ws(json, i + 1, n);
			continue;
		}
		if (i < n && json[i] == ']')
			break;
		goto bad;
	}
end:
	if (ws(json, i + 1, n) != n)
		goto bad;
	return 0;
bad:
	f->n = 0;
	return -1;
}

int factors_render(const struct factors *f, char *out, size_t cap)
{
	size_t k = 0;
	int i, w;

	if (cap < 3)
		return -1;
	out[k++] = '[';
	for (i = 0; i < f->n; i++) {
		w = snprintf(out + k, cap - k, "%s\"%s\"", i ? "," : "", f->name[i]);
		if (w < 0 || (size_t)w >= cap - k)
			return -1;
		k += (size_t)w;
	}
	if (k + 2 > cap)
		return -1;
	out[k++] = ']';
	out[k] = '\0';
	return (int)k;
}
