/* SPDX-License-Identifier: MIT */
/* Region allocator: a list of chunks, bump allocation inside the newest. */
#include "arena.h"
#include "alloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct sift_arena {
	struct arena_chunk *chunks;
	size_t block_size;
	size_t total;
};

#define ARENA_ALIGN alignof(max_align_t)

struct sift_arena *
sift_arena_create(size_t block_size)
{
	struct sift_arena *arena = sift_calloc(1, sizeof(*arena));
	arena->block_size = block_size == 0 ? 8192 : block_size;
	return arena;
}

void
sift_arena_destroy(struct sift_arena **arenap)
{
	struct sift_arena *arena = *arenap;
	if (arena == NULL)
		return;
	*arenap = NULL;
	struct arena_chunk *chunk = arena->chunks;
	while (chunk != NULL) {
		struct arena_chunk *next = chunk->next;
		sift_free(chunk);
		chunk = next;
	}
	sift_free(arena);
}

static struct arena_chunk *
arena_new_chunk(size_t size)
{
	if (size > SIZE_MAX - sizeof(struct arena_chunk)) {
		/* Cannot be had: let sift_malloc report it. */
		return sift_malloc(SIZE_MAX);
	}
	struct arena_chunk *chunk = sift_malloc(sizeof(*chunk) + size);
	chunk->size = size;
	chunk->used = 0;
	return chunk;
}

void *
sift_arena_alloc(struct sift_arena *arena, size_t size)
{
	size_t rounded = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (rounded < size)
		rounded = SIZE_MAX;
	struct arena_chunk *chunk = arena->chunks;
	arena->total += rounded;
	if (chunk != NULL && chunk->size - chunk->used >= rounded) {
		void *p = chunk->data + chunk->used;
		chunk->used += rounded;
		return p;
	}
	if (rounded > arena->block_size / 4) {
		/* A big request gets its own chunk, behind the current one so
		   the current chunk's free space is not wasted. */
		struct arena_chunk *big = arena_new_chunk(rounded);
		big->used = rounded;
		if (chunk != NULL) {
			big->next = chunk->next;
			chunk->next = big;
		} else {
			big->next = NULL;
			arena->chunks = big;
		}
		return big->data;
	}
	chunk = arena_new_chunk(arena->block_size);
	chunk->next = arena->chunks;
	arena->chunks = chunk;
	chunk->used = rounded;
	return chunk->data;
}

void *
sift_arena_zalloc(struct sift_arena *arena, size_t size)
{
	void *p = sift_arena_alloc(arena, size);
	memset(p, 0, size);
	return p;
}

char *
sift_arena_memdup0(struct sift_arena *arena, const void *data, size_t len)
{
	char *p = sift_arena_alloc(arena, len == SIZE_MAX ? SIZE_MAX : len + 1);
	if (len > 0)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

char *
sift_arena_strdup(struct sift_arena *arena, const char *s)
{
	return sift_arena_memdup0(arena, s, strlen(s));
}

size_t
sift_arena_used(const struct sift_arena *arena)
{
	return arena->total;
}
