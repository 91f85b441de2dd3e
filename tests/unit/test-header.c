/* SPDX-License-Identifier: MIT */
/* Tests of header blocks: order, lookup, unfolding and decoded values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/defects.h"
#include "mail/header.h"

static void
test_add_and_find(void **state)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_header_list list = {0};
	sift_header_add(arena, &list, "Received", 8, "one", 3);
	sift_header_add(arena, &list, "Subject", 7, "s", 1);
	sift_header_add(arena, &list, "RECEIVED", 8, "two", 3);
	assert_int_equal(list.count, 3);
	struct sift_header *h = sift_header_find(&list, "received", NULL);
	assert_string_equal(h->raw, "one");
	h = sift_header_find(&list, "received", h);
	assert_string_equal(h->raw, "two");
	assert_string_equal(h->name, "RECEIVED");
	assert_null(sift_header_find(&list, "received", h));
	assert_null(sift_header_find(&list, "receive", NULL));
	assert_int_equal(sift_header_count(&list, "Received"), 2);
	assert_int_equal(sift_header_count(&list, "x"), 0);
	sift_arena_destroy(&arena);
}

static void
test_defects_on_add(void **state)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_header_list list = {0};
	struct sift_header *h = sift_header_add(arena, &list, "X", 1, "a\0b", 3);
	assert_int_equal(h->defects, SIFT_DEFECT_NUL_IN_HEADER);
	assert_int_equal(h->raw_len, 3);
	assert_memory_equal(h->raw, "a\0b", 3);
	h = sift_header_add(arena, &list, "X", 1, "caf\xc3\xa9", 5);
	assert_int_equal(h->defects, SIFT_DEFECT_8BIT_HEADER);
	h = sift_header_add(arena, &list, "X", 1, "plain", 5);
	assert_int_equal(h->defects, 0);
	h = sift_header_add(arena, &list, "X", 1, "a\rb", 3);
	assert_int_equal(h->defects, SIFT_DEFECT_BARE_CR);
	h = sift_header_add(arena, &list, "X", 1, "a\r", 2);
	assert_int_equal(h->defects, SIFT_DEFECT_BARE_CR);
	h = sift_header_add(arena, &list, "X", 1, "a\r\n b", 5);
	assert_int_equal(h->defects, 0);
	sift_arena_destroy(&arena);
}

static void
test_unfold(void **state)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_header_list list = {0};
	const char *raw = "a\r\n b\n\tc  \r\n ";
	struct sift_header *h = sift_header_add(arena, &list, "X", 1, raw, strlen(raw));
	size_t len;
	const char *u = sift_header_unfolded(arena, h, &len);
	assert_string_equal(u, "a b\tc");
	assert_int_equal(len, 5);
	/* Cached: the same pointer the second time. */
	assert_ptr_equal(sift_header_unfolded(arena, h, &len), u);
	sift_arena_destroy(&arena);
}

static void
test_value_decodes_encoded_words(void **state)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_header_list list = {0};
	const char *raw = "=?utf-8?q?caf=C3=A9?=\r\n =?utf-8?q?_au_lait?=";
	struct sift_header *h = sift_header_add(arena, &list, "Subject", 7, raw, strlen(raw));
	size_t len;
	const char *v = sift_header_value(arena, h, &len);
	assert_string_equal(v, "caf\xc3\xa9 au lait");
	/* No '=' at all: the unfolded text itself. */
	h = sift_header_add(arena, &list, "Subject", 7, "plain\r\n text", 12);
	v = sift_header_value(arena, h, &len);
	assert_string_equal(v, "plain text");
	sift_arena_destroy(&arena);
}

static void
test_is_address(void **state)
{
	assert_true(sift_header_is_address("From", 4));
	assert_true(sift_header_is_address("reply-to", 8));
	assert_true(sift_header_is_address("RESENT-CC", 9));
	assert_false(sift_header_is_address("Subject", 7));
	assert_false(sift_header_is_address("Fro", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_and_find), cmocka_unit_test(test_defects_on_add),
	    cmocka_unit_test(test_unfold),       cmocka_unit_test(test_value_decodes_encoded_words),
	    cmocka_unit_test(test_is_address),
	};
	return cmocka_run_group_tests_name("header", tests, NULL, NULL);
}
