/* SPDX-License-Identifier: MIT */
/* Tests of the RFC 5322 lexical helpers: comment skipping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/rfc5322.h"
#include "util/alloc.h"

static size_t
comment_end(const char *s, size_t pos, size_t max_depth, enum sift_comment_status *status)
{
	return sift_rfc5322_skip_comment(s, strlen(s), pos, max_depth, status);
}

static void
test_simple_and_nested(void **state)
{
	enum sift_comment_status st;
	assert_int_equal(comment_end("(a) x", 0, 10, &st), 3);
	assert_int_equal(st, SIFT_COMMENT_CLOSED);
	assert_int_equal(comment_end("x (a (b) c) y", 2, 10, &st), 11);
	assert_int_equal(st, SIFT_COMMENT_CLOSED);
	assert_int_equal(comment_end("()", 0, 10, &st), 2);
	assert_int_equal(st, SIFT_COMMENT_CLOSED);
}

static void
test_quoted_pairs(void **state)
{
	enum sift_comment_status st;
	/* RFC 5322 A.5: "(A nice \) chap)" is one comment. */
	const char *s = "(A nice \\) chap) <pete>";
	assert_int_equal(comment_end(s, 0, 10, &st), strlen("(A nice \\) chap)"));
	assert_int_equal(st, SIFT_COMMENT_CLOSED);
	assert_int_equal(comment_end("(\\(\\() z", 0, 10, &st), 6);
	assert_int_equal(st, SIFT_COMMENT_CLOSED);
}

static void
test_unclosed(void **state)
{
	enum sift_comment_status st;
	assert_int_equal(comment_end("(a (b)", 0, 10, &st), 6);
	assert_int_equal(st, SIFT_COMMENT_UNCLOSED);
	/* A backslash as the last byte must not read past the end. */
	const char s[] = {'(', 'a', '\\'};
	assert_int_equal(sift_rfc5322_skip_comment(s, sizeof(s), 0, 10, &st), sizeof(s));
	assert_int_equal(st, SIFT_COMMENT_UNCLOSED);
}

static void
test_depth(void **state)
{
	enum sift_comment_status st;
	assert_int_equal(comment_end("((()))", 0, 3, &st), 6);
	assert_int_equal(st, SIFT_COMMENT_CLOSED);
	assert_int_equal(comment_end("(((())))", 0, 3, &st), 8);
	assert_int_equal(st, SIFT_COMMENT_TOO_DEEP);
}

static void
test_deep_input_is_linear(void **state)
{
	/* A megabyte of '(' then as many ')': no recursion, one pass. */
	size_t n = 512 * 1024;
	char *s = sift_malloc(2 * n);
	memset(s, '(', n);
	memset(s + n, ')', n);
	enum sift_comment_status st;
	assert_int_equal(sift_rfc5322_skip_comment(s, 2 * n, 0, 100, &st), 2 * n);
	assert_int_equal(st, SIFT_COMMENT_TOO_DEEP);
	assert_int_equal(sift_rfc5322_skip_comment(s, n, 0, SIZE_MAX, &st), n);
	assert_int_equal(st, SIFT_COMMENT_UNCLOSED);
	sift_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simple_and_nested),
	    cmocka_unit_test(test_quoted_pairs),
	    cmocka_unit_test(test_unclosed),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_deep_input_is_linear),
	};
	return cmocka_run_group_tests_name("rfc5322", tests, NULL, NULL);
}
