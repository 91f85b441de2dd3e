/* SPDX-License-Identifier: MIT */
/* Unit tests for util/arena.c: every allocation aligned for any type,
   allocations never overlap, big requests and many small ones, zalloc,
   memdup0 with NULs, used(), and impossible sizes going to the
   out-of-memory handler instead of returning a short block. */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/alloc.h"
#include "util/arena.h"

/* Requests of near SIZE_MAX bytes must reach the OOM handler; under ASan
   malloc then has to return NULL instead of stopping the process. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

#define ALIGN alignof(max_align_t)

static int
is_aligned(const void *p)
{
	return ((uintptr_t)p % ALIGN) == 0;
}

static void
test_create_destroy(void **state)
{
	struct sift_arena *arena = sift_arena_create(0);
	assert_non_null(arena);
	assert_int_equal(sift_arena_used(arena), 0);
	sift_arena_destroy(&arena);
	assert_null(arena);
	/* Destroying NULL is a no-op. */
	sift_arena_destroy(&arena);
	assert_null(arena);
}

/* Allocates sizes 1..max (and again, interleaved with big ones), fills each
   with its own byte and checks that none overwrote another. */
static void
check_alloc_pattern(size_t block_size, size_t max)
{
	struct sift_arena *arena = sift_arena_create(block_size);
	size_t n = 2 * max;
	unsigned char **ptrs = sift_calloc(n, sizeof(*ptrs));
	size_t *sizes = sift_calloc(n, sizeof(*sizes));
	for (size_t i = 0; i < n; i++) {
		sizes[i] = i % 7 == 6 ? 3 * block_size + i : i % max + 1;
		ptrs[i] = sift_arena_alloc(arena, sizes[i]);
		assert_non_null(ptrs[i]);
		assert_true(is_aligned(ptrs[i]));
		memset(ptrs[i], (int)(i & 0xff), sizes[i]);
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(ptrs[i][j], i & 0xff);
	}
	sift_free(ptrs);
	sift_free(sizes);
	sift_arena_destroy(&arena);
}

static void
test_alignment_default_block(void **state)
{
	check_alloc_pattern(0, 300);
}

static void
test_alignment_odd_block_sizes(void **state)
{
	/* Block sizes that are no multiple of the alignment, and tiny ones
	   where every request is a "big" one. */
	static const size_t blocks[] = {1, 7, 17, 63, 64, 100, 1000, 4097};
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		check_alloc_pattern(blocks[i], 200);
}

static void
test_alignment_usable_for_any_type(void **state)
{
	struct sift_arena *arena = sift_arena_create(256);
	for (int i = 0; i < 1000; i++) {
		(void)sift_arena_alloc(arena, (size_t)(i % 13) + 1);
		long double *ld = sift_arena_alloc(arena, sizeof(long double));
		assert_true(is_aligned(ld));
		*ld = (long double)i;
		uint64_t *u = sift_arena_alloc(arena, sizeof(uint64_t) * 3);
		assert_true(is_aligned(u));
		u[2] = (uint64_t)i << 32;
		assert_true(*ld == (long double)i);
	}
	sift_arena_destroy(&arena);
}

static void
test_big_allocations(void **state)
{
	struct sift_arena *arena = sift_arena_create(1024);
	char *small1 = sift_arena_alloc(arena, 10);
	memcpy(small1, "small-one", 10);
	/* Bigger than the block size: a chunk of its own. */
	size_t big_sizes[] = {1025, 4096, 100000, 4 * 1024 * 1024};
	unsigned char *big[4];
	for (int i = 0; i < 4; i++) {
		big[i] = sift_arena_alloc(arena, big_sizes[i]);
		assert_true(is_aligned(big[i]));
		memset(big[i], 0x40 + i, big_sizes[i]);
	}
	/* Small ones after the big ones still work and do not clobber them. */
	char *small2 = sift_arena_alloc(arena, 10);
	assert_true(is_aligned(small2));
	memcpy(small2, "small-two", 10);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(big[i][0], 0x40 + i);
		assert_int_equal(big[i][big_sizes[i] - 1], 0x40 + i);
		assert_int_equal(big[i][big_sizes[i] / 2], 0x40 + i);
	}
	assert_string_equal(small1, "small-one");
	assert_string_equal(small2, "small-two");
	assert_true(sift_arena_used(arena) >= 20 + 1025 + 4096 + 100000 + 4 * 1024 * 1024);
	sift_arena_destroy(&arena);
}

static void
test_big_first(void **state)
{
	/* A big request as the very first allocation, then small ones. */
	struct sift_arena *arena = sift_arena_create(64);
	unsigned char *big = sift_arena_alloc(arena, 1000);
	memset(big, 0xaa, 1000);
	for (int i = 0; i < 100; i++) {
		unsigned char *p = sift_arena_alloc(arena, 8);
		assert_true(is_aligned(p));
		memset(p, 0x55, 8);
	}
	for (int i = 0; i < 1000; i++)
		assert_int_equal(big[i], 0xaa);
	sift_arena_destroy(&arena);
}

static void
test_many_small(void **state)
{
	enum { N = 100000 };
	struct sift_arena *arena = sift_arena_create(0);
	uint32_t **ptrs = sift_calloc(N, sizeof(*ptrs));
	size_t total = 0;
	for (uint32_t i = 0; i < N; i++) {
		size_t size = sizeof(uint32_t) * (1 + i % 5);
		ptrs[i] = sift_arena_alloc(arena, size);
		assert_true(is_aligned(ptrs[i]));
		for (size_t k = 0; k < size / sizeof(uint32_t); k++)
			ptrs[i][k] = i ^ (uint32_t)k;
		total += size;
	}
	for (uint32_t i = 0; i < N; i++) {
		for (size_t k = 0; k < 1 + i % 5; k++)
			assert_int_equal(ptrs[i][k], i ^ (uint32_t)k);
	}
	size_t used = sift_arena_used(arena);
	assert_true(used >= total);
	assert_true(used <= total + (size_t)N * (ALIGN - 1));
	sift_free(ptrs);
	sift_arena_destroy(&arena);
}

static void
test_zalloc(void **state)
{
	/* Dirty the heap first so zalloc cannot pass by luck on fresh pages. */
	for (int round = 0; round < 3; round++) {
		struct sift_arena *dirty = sift_arena_create(4096);
		for (int i = 0; i < 8; i++)
			memset(sift_arena_alloc(dirty, 1000), 0xee, 1000);
		sift_arena_destroy(&dirty);

		struct sift_arena *arena = sift_arena_create(4096);
		for (int i = 0; i < 8; i++) {
			unsigned char *p = sift_arena_zalloc(arena, 1000);
			assert_true(is_aligned(p));
			for (int j = 0; j < 1000; j++)
				assert_int_equal(p[j], 0);
			memset(p, 0xee, 1000);
		}
		unsigned char *big = sift_arena_zalloc(arena, 20000);
		for (int j = 0; j < 20000; j++)
			assert_int_equal(big[j], 0);
		sift_arena_destroy(&arena);
	}
}

static void
test_memdup0(void **state)
{
	struct sift_arena *arena = sift_arena_create(0);
	static const char data[] = {'a', '\0', 'b', '\0'};
	char *p = sift_arena_memdup0(arena, data, sizeof(data));
	assert_true(is_aligned(p));
	assert_memory_equal(p, data, sizeof(data));
	assert_int_equal(p[4], '\0');

	char *empty = sift_arena_memdup0(arena, "", 0);
	assert_non_null(empty);
	assert_int_equal(empty[0], '\0');
	assert_true(empty != p);

	/* 8-bit bytes are copied as they are. */
	char *hi = sift_arena_memdup0(arena, "\xff\x80\x00\x01", 4);
	assert_memory_equal(hi, "\xff\x80\x00\x01\x00", 5);

	char *s = sift_arena_strdup(arena, "hello");
	assert_string_equal(s, "hello");
	/* The copies are independent of the source and of each other. */
	char src[] = "mutable";
	char *copy = sift_arena_strdup(arena, src);
	src[0] = 'X';
	assert_string_equal(copy, "mutable");
	assert_memory_equal(p, data, sizeof(data));

	/* A copy bigger than the block size. */
	char *long_src = sift_malloc(20000);
	memset(long_src, 'z', 20000);
	long_src[100] = '\0';
	char *long_copy = sift_arena_memdup0(arena, long_src, 20000);
	assert_memory_equal(long_copy, long_src, 20000);
	assert_int_equal(long_copy[20000], '\0');
	sift_free(long_src);
	sift_arena_destroy(&arena);
}

static void
test_used(void **state)
{
	struct sift_arena *arena = sift_arena_create(128);
	assert_int_equal(sift_arena_used(arena), 0);
	size_t requested = 0;
	size_t prev = 0;
	size_t sizes[] = {1, 16, 17, 100, 500, 3, 10000, 0, 31};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		(void)sift_arena_alloc(arena, sizes[i]);
		requested += sizes[i];
		size_t used = sift_arena_used(arena);
		assert_true(used >= prev);
		assert_true(used >= requested);
		assert_true(used <= requested + (i + 1) * (ALIGN - 1));
		prev = used;
	}
	(void)sift_arena_memdup0(arena, "abc", 3);
	assert_true(sift_arena_used(arena) >= prev + 4);
	sift_arena_destroy(&arena);
}

static jmp_buf oom_jmp;
static size_t oom_size;

static void
oom_handler(size_t size)
{
	oom_size = size;
	longjmp(oom_jmp, 1);
}

/* A request that cannot be satisfied must end in the OOM handler; it must
   never return a block shorter than asked for. */
static void
check_impossible(size_t size)
{
	struct sift_arena *volatile arena = sift_arena_create(0);
	(void)sift_arena_alloc(arena, 10);
	volatile int reached_handler = 0;
	oom_size = 0;
	sift_set_oom_handler(oom_handler);
	if (setjmp(oom_jmp) == 0) {
		void *p = sift_arena_alloc(arena, size);
		(void)p;
	} else {
		reached_handler = 1;
	}
	sift_set_oom_handler(NULL);
	struct sift_arena *a = arena;
	sift_arena_destroy(&a);
	if (!reached_handler)
		fail_msg("sift_arena_alloc(%zu) returned instead of reporting out of memory", size);
	assert_true(oom_size > 0);
}

static void
test_impossible_sizes(void **state)
{
	check_impossible(SIZE_MAX / 2);
	check_impossible(SIZE_MAX - 100);
	check_impossible(SIZE_MAX - ALIGN);
	check_impossible(SIZE_MAX - 1);
	check_impossible(SIZE_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_destroy),
	    cmocka_unit_test(test_alignment_default_block),
	    cmocka_unit_test(test_alignment_odd_block_sizes),
	    cmocka_unit_test(test_alignment_usable_for_any_type),
	    cmocka_unit_test(test_big_allocations),
	    cmocka_unit_test(test_big_first),
	    cmocka_unit_test(test_many_small),
	    cmocka_unit_test(test_zalloc),
	    cmocka_unit_test(test_memdup0),
	    cmocka_unit_test(test_used),
	    cmocka_unit_test(test_impossible_sizes),
	};
	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
