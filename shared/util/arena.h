/* SPDX-License-Identifier: MIT */
#ifndef SIFT_ARENA_H
#define SIFT_ARENA_H

#include <stddef.h>

/* Region allocator: one per message (or per compiled script).  Everything
   allocated from it is freed at once by sift_arena_destroy(); nothing is
   freed singly.  Allocations are aligned for any type. */
struct sift_arena;

/* block_size is the size of each chunk taken from malloc (0 = 8 KiB);
   larger requests get a chunk of their own. */
struct sift_arena *sift_arena_create(size_t block_size);
void sift_arena_destroy(struct sift_arena **arena);

void *sift_arena_alloc(struct sift_arena *arena, size_t size);
void *sift_arena_zalloc(struct sift_arena *arena, size_t size);
/* Copy of len bytes plus a terminating NUL. */
char *sift_arena_memdup0(struct sift_arena *arena, const void *data, size_t len);
char *sift_arena_strdup(struct sift_arena *arena, const char *s);
/* Bytes handed out so far (for limits and statistics). */
size_t sift_arena_used(const struct sift_arena *arena);

#endif
