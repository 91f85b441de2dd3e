/* SPDX-License-Identifier: MIT */
/* Tests of the body store: memory, spill to file, reads across the border. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/body-store.h"
#include "util/alloc.h"

static void
fill(char *buf, size_t len, size_t start)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)((start + i) * 7 % 251);
}

static void
test_memory_only(void **state)
{
	struct sift_body_store *store = sift_body_store_create(1024, NULL);
	const char *error;
	assert_int_equal(sift_body_store_append(store, "hello ", 6, &error), 0);
	assert_int_equal(sift_body_store_append(store, "world", 5, &error), 0);
	assert_int_equal(sift_body_store_append(store, "", 0, &error), 0);
	assert_int_equal(sift_body_store_size(store), 11);
	assert_false(sift_body_store_spilled(store));
	char buf[32];
	assert_int_equal(sift_body_store_read(store, 3, buf, 100, &error), 8);
	assert_memory_equal(buf, "lo world", 8);
	assert_int_equal(sift_body_store_read(store, 11, buf, 10, &error), 0);
	assert_int_equal(sift_body_store_read(store, 500, buf, 10, &error), 0);
	const char *peek = sift_body_store_peek(store, 6, 5);
	assert_non_null(peek);
	assert_memory_equal(peek, "world", 5);
	assert_null(sift_body_store_peek(store, 6, 6));
	sift_body_store_destroy(&store);
	assert_null(store);
}

static void
test_spill(void **state)
{
	struct sift_body_store *store = sift_body_store_create(1000, NULL);
	const char *error;
	char chunk[333];
	size_t total = 0;
	for (int i = 0; i < 30; i++) {
		fill(chunk, sizeof(chunk), total);
		assert_int_equal(sift_body_store_append(store, chunk, sizeof(chunk), &error), 0);
		total += sizeof(chunk);
	}
	assert_true(sift_body_store_spilled(store));
	assert_int_equal(sift_body_store_size(store), total);
	assert_null(sift_body_store_peek(store, 0, 1));
	char *all = sift_malloc(total);
	char *expect = sift_malloc(total);
	fill(expect, total, 0);
	assert_int_equal(sift_body_store_read(store, 0, all, total, &error), (ssize_t)total);
	assert_memory_equal(all, expect, total);
	assert_int_equal(sift_body_store_read(store, 990, all, 50, &error), 50);
	assert_memory_equal(all, expect + 990, 50);
	sift_free(all);
	sift_free(expect);
	sift_body_store_destroy(&store);
}

static void
test_spill_to_bad_dir_fails_cleanly(void **state)
{
	struct sift_body_store *store = sift_body_store_create(4, "/nonexistent/mailsift-dir");
	const char *error = NULL;
	assert_int_equal(sift_body_store_append(store, "abc", 3, &error), 0);
	assert_int_equal(sift_body_store_append(store, "defgh", 5, &error), -1);
	assert_non_null(error);
	assert_non_null(strstr(error, "spill"));
	sift_body_store_destroy(&store);
}

static void
test_zero_memory(void **state)
{
	/* body_memory 0: everything goes to the file at once. */
	struct sift_body_store *store = sift_body_store_create(0, NULL);
	const char *error;
	assert_int_equal(sift_body_store_append(store, "x", 1, &error), 0);
	assert_true(sift_body_store_spilled(store));
	char c;
	assert_int_equal(sift_body_store_read(store, 0, &c, 1, &error), 1);
	assert_int_equal(c, 'x');
	sift_body_store_destroy(&store);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memory_only),
	    cmocka_unit_test(test_spill),
	    cmocka_unit_test(test_spill_to_bad_dir_fails_cleanly),
	    cmocka_unit_test(test_zero_memory),
	};
	return cmocka_run_group_tests_name("body-store", tests, NULL, NULL);
}
