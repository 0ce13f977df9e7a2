/* arena.h: the per-request bump allocator with a hard cap.
 * Everything a request allocates comes from here and dies with arena_reset(). */
#ifndef LK_ARENA_H
#define LK_ARENA_H

#include <stddef.h>

struct arena {
	char *base;  /* owned block of `size` bytes */
	size_t size; /* capacity */
	size_t used; /* bytes handed out so far */
};

/* Allocates the block; returns 0 or -1. */
int arena_init(struct arena *a, size_t size);
/* Returns n bytes aligned to 16, or NULL when the cap is reached. The memory
 * belongs to the arena and is valid until the next arena_reset(). */
void *arena_alloc(struct arena *a, size_t n);
/* Returns a NUL-terminated copy of p[0..n) in the arena, or NULL. */
char *arena_strndup(struct arena *a, const char *p, size_t n);
/* Forgets every allocation (the block is kept). */
void arena_reset(struct arena *a);
/* Frees the block. */
void arena_free(struct arena *a);

#endif
