/* arena.c: per-request bump allocator (see arena.h). */
#include <stdlib.h>
#include <string.h>

#include "arena.h"

int arena_init(struct arena *a, size_t size)
{
	a->base = malloc(size);
	a->size = a->base ? size : 0;
	a->used = 0;
	return a->base ? 0 : -1;
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t start = (a->used + 15) & ~(size_t)15; /* aligned offset */

	if (start > a->size || n > a->size - start)
		return NULL;
	a->used = start + n;
	return a->base + start;
}

char *arena_strndup(struct arena *a, const char *p, size_t n)
{
	char *s;

	if (n == (size_t)-1 || (s = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void arena_reset(struct arena *a)
{
	a->used = 0;
}

void arena_free(struct arena *a)
{
	free(a->base);
	a->base = NULL;
	a->size = a->used = 0;
}
