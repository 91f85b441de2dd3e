/* SPDX-License-Identifier: MIT */
/* Unit tests for util/buffer.c: the contract of buffer.h (hard maximum,
   nothing appended past it, overflow flag, trailing NUL not counted,
   embedded NULs kept, printf growth, steal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/alloc.h"
#include "util/buffer.h"

/* The invariants every buffer must keep after every operation. */
static void
check_invariants(const struct sift_buf *buf)
{
	assert_true(buf->len <= buf->max);
	if (buf->data != NULL) {
		assert_true(buf->len < buf->cap);
		assert_int_equal(buf->data[buf->len], '\0');
	} else {
		assert_int_equal(buf->len, 0);
	}
}

static void
test_init_empty(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 100);
	assert_int_equal(buf.len, 0);
	assert_false(buf.overflow);
	assert_int_equal(buf.max, 100);
	check_invariants(&buf);
	sift_buf_free(&buf);
	assert_null(buf.data);
	assert_int_equal(buf.len, 0);
}

static void
test_append_nul_terminated(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	assert_int_equal(sift_buf_append(&buf, "abc", 3), 0);
	assert_int_equal(buf.len, 3);
	assert_string_equal(buf.data, "abc");
	check_invariants(&buf);
	assert_int_equal(sift_buf_append_str(&buf, "def"), 0);
	assert_int_equal(buf.len, 6);
	assert_string_equal(buf.data, "abcdef");
	assert_int_equal(sift_buf_append_c(&buf, 'g'), 0);
	assert_string_equal(buf.data, "abcdefg");
	/* An empty append keeps everything as it was. */
	assert_int_equal(sift_buf_append(&buf, NULL, 0), 0);
	assert_int_equal(buf.len, 7);
	assert_false(buf.overflow);
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_empty_append_allocates_terminator(void **state)
{
	/* After any successful call data is usable as a C string. */
	struct sift_buf buf;
	sift_buf_init(&buf, 10);
	assert_int_equal(sift_buf_append(&buf, "", 0), 0);
	assert_non_null(buf.data);
	assert_string_equal(buf.data, "");
	check_invariants(&buf);
	sift_buf_free(&buf);

	sift_buf_init(&buf, 10);
	assert_int_equal(sift_buf_printf(&buf, "%s", ""), 0);
	assert_non_null(buf.data);
	assert_int_equal(buf.len, 0);
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_embedded_nuls(void **state)
{
	static const char data[] = {'a', '\0', 'b', '\0', '\0', 'c'};
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	assert_int_equal(sift_buf_append(&buf, data, sizeof(data)), 0);
	assert_int_equal(sift_buf_append_c(&buf, '\0'), 0);
	assert_int_equal(buf.len, 7);
	assert_memory_equal(buf.data, data, sizeof(data));
	assert_int_equal(buf.data[6], '\0');
	check_invariants(&buf);
	/* Truncating inside the NULs keeps the counted bytes. */
	sift_buf_truncate(&buf, 3);
	assert_int_equal(buf.len, 3);
	assert_memory_equal(buf.data, "a\0b", 3);
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_append_c_growth(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	for (int i = 0; i < 5000; i++) {
		assert_int_equal(sift_buf_append_c(&buf, (char)('a' + i % 26)), 0);
		check_invariants(&buf);
	}
	assert_int_equal(buf.len, 5000);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf.data[i], 'a' + i % 26);
	sift_buf_free(&buf);
}

static void
test_large_unlimited(void **state)
{
	char chunk[4096];
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	for (int i = 0; i < 256; i++) {
		memset(chunk, i, sizeof(chunk));
		assert_int_equal(sift_buf_append(&buf, chunk, sizeof(chunk)), 0);
	}
	assert_int_equal(buf.len, 256 * 4096);
	assert_false(buf.overflow);
	check_invariants(&buf);
	for (size_t i = 0; i < buf.len; i += 4093)
		assert_int_equal((unsigned char)buf.data[i], (i / 4096) & 0xff);
	sift_buf_free(&buf);
}

static void
test_maximum_exact_fit(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 10);
	assert_int_equal(sift_buf_append(&buf, "0123456789", 10), 0);
	assert_int_equal(buf.len, 10);
	assert_false(buf.overflow);
	assert_string_equal(buf.data, "0123456789");
	/* The maximum bounds the memory too: data + NUL, no more. */
	assert_true(buf.cap <= 11);
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_maximum_overflow_appends_nothing(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 10);
	assert_int_equal(sift_buf_append(&buf, "abcd", 4), 0);
	/* 4 + 7 > 10: nothing of it goes in. */
	assert_int_equal(sift_buf_append(&buf, "efghijk", 7), -1);
	assert_true(buf.overflow);
	assert_int_equal(buf.len, 4);
	assert_string_equal(buf.data, "abcd");
	check_invariants(&buf);
	/* A later append that fits still works; overflow stays set. */
	assert_int_equal(sift_buf_append(&buf, "efghij", 6), 0);
	assert_int_equal(buf.len, 10);
	assert_string_equal(buf.data, "abcdefghij");
	assert_true(buf.overflow);
	assert_int_equal(sift_buf_append_c(&buf, 'x'), -1);
	assert_int_equal(sift_buf_append_str(&buf, "x"), -1);
	assert_int_equal(buf.len, 10);
	assert_string_equal(buf.data, "abcdefghij");
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_maximum_append_c(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 3);
	assert_int_equal(sift_buf_append_c(&buf, 'a'), 0);
	assert_int_equal(sift_buf_append_c(&buf, 'b'), 0);
	assert_int_equal(sift_buf_append_c(&buf, 'c'), 0);
	assert_false(buf.overflow);
	assert_int_equal(sift_buf_append_c(&buf, 'd'), -1);
	assert_true(buf.overflow);
	assert_int_equal(buf.len, 3);
	assert_string_equal(buf.data, "abc");
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_maximum_one(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 1);
	assert_int_equal(sift_buf_append(&buf, "ab", 2), -1);
	assert_int_equal(buf.len, 0);
	assert_int_equal(sift_buf_append_c(&buf, '\0'), 0);
	assert_int_equal(buf.len, 1);
	assert_int_equal(buf.data[0], '\0');
	assert_int_equal(buf.data[1], '\0');
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_maximum_huge_length(void **state)
{
	/* A length near SIZE_MAX must be refused, not wrap around. */
	struct sift_buf buf;
	sift_buf_init(&buf, 100);
	assert_int_equal(sift_buf_append(&buf, "ab", 2), 0);
	assert_int_equal(sift_buf_append(&buf, "x", SIZE_MAX), -1);
	assert_int_equal(sift_buf_append(&buf, "x", SIZE_MAX - 1), -1);
	assert_true(buf.overflow);
	assert_int_equal(buf.len, 2);
	check_invariants(&buf);
	sift_buf_free(&buf);

	sift_buf_init(&buf, 0);
	assert_int_equal(sift_buf_append(&buf, "ab", 2), 0);
	assert_int_equal(sift_buf_append(&buf, "x", SIZE_MAX), -1);
	assert_true(buf.overflow);
	assert_int_equal(buf.len, 2);
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_maximum_size_max(void **state)
{
	/* SIZE_MAX is a legal maximum ("as much as memory allows"); the buffer
	   must still grow to hold what it is given. */
	struct sift_buf buf;
	sift_buf_init(&buf, SIZE_MAX);
	assert_int_equal(sift_buf_append(&buf, "hello", 5), 0);
	assert_true(buf.cap >= 6);
	assert_string_equal(buf.data, "hello");
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_reset(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 5);
	assert_int_equal(sift_buf_append(&buf, "abcdef", 6), -1);
	assert_true(buf.overflow);
	assert_int_equal(sift_buf_append(&buf, "abc", 3), 0);
	sift_buf_reset(&buf);
	assert_int_equal(buf.len, 0);
	assert_false(buf.overflow);
	assert_int_equal(buf.max, 5);
	assert_string_equal(buf.data, "");
	check_invariants(&buf);
	/* The maximum still holds after a reset. */
	assert_int_equal(sift_buf_append(&buf, "12345", 5), 0);
	assert_int_equal(sift_buf_append_c(&buf, '6'), -1);
	assert_string_equal(buf.data, "12345");
	/* Resetting a buffer that never allocated is harmless. */
	struct sift_buf empty;
	sift_buf_init(&empty, 0);
	sift_buf_reset(&empty);
	assert_int_equal(empty.len, 0);
	sift_buf_free(&empty);
	sift_buf_free(&buf);
}

static void
test_append_trunc(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 10);
	sift_buf_append_trunc(&buf, "abcd", 4);
	assert_false(buf.overflow);
	assert_string_equal(buf.data, "abcd");
	sift_buf_append_trunc(&buf, "efghijklmn", 10);
	assert_true(buf.overflow);
	assert_int_equal(buf.len, 10);
	assert_string_equal(buf.data, "abcdefghij");
	check_invariants(&buf);
	/* Full: nothing more goes in. */
	sift_buf_append_trunc(&buf, "z", 1);
	assert_int_equal(buf.len, 10);
	assert_string_equal(buf.data, "abcdefghij");
	check_invariants(&buf);
	sift_buf_free(&buf);

	/* Fits exactly: no overflow. */
	sift_buf_init(&buf, 4);
	sift_buf_append_trunc(&buf, "wxyz", 4);
	assert_false(buf.overflow);
	assert_string_equal(buf.data, "wxyz");
	sift_buf_append_trunc(&buf, "", 0);
	assert_false(buf.overflow);
	assert_int_equal(buf.len, 4);
	sift_buf_free(&buf);

	/* Truncation keeps embedded NULs as data. */
	sift_buf_init(&buf, 3);
	sift_buf_append_trunc(&buf, "\0\0\0\0", 4);
	assert_true(buf.overflow);
	assert_int_equal(buf.len, 3);
	assert_memory_equal(buf.data, "\0\0\0", 4);
	sift_buf_free(&buf);

	/* Into an empty buffer with max smaller than the data. */
	sift_buf_init(&buf, 2);
	sift_buf_append_trunc(&buf, "hello", 5);
	assert_true(buf.overflow);
	assert_string_equal(buf.data, "he");
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_printf_small(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	assert_int_equal(sift_buf_printf(&buf, "%d-%s-%05u", -42, "x", 7u), 0);
	assert_string_equal(buf.data, "-42-x-00007");
	assert_int_equal(buf.len, 11);
	assert_int_equal(sift_buf_printf(&buf, "[%c]", 'q'), 0);
	assert_string_equal(buf.data, "-42-x-00007[q]");
	check_invariants(&buf);
	sift_buf_free(&buf);
}

static void
test_printf_embedded_nul(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	assert_int_equal(sift_buf_printf(&buf, "a%cb", 0), 0);
	assert_int_equal(buf.len, 3);
	assert_memory_equal(buf.data, "a\0b", 4);
	sift_buf_free(&buf);
}

/* Builds a string of n bytes, cycling through the alphabet. */
static char *
make_text(size_t n)
{
	char *s = sift_malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('A' + i % 26);
	s[n] = '\0';
	return s;
}

static void
test_printf_boundaries(void **state)
{
	/* Outputs of 255, 256 and 257 bytes straddle the 256-byte stack
	   buffer the implementation formats into first. */
	for (size_t n = 250; n <= 260; n++) {
		char *s = make_text(n);
		struct sift_buf buf;
		sift_buf_init(&buf, 0);
		assert_int_equal(sift_buf_printf(&buf, "%s", s), 0);
		assert_int_equal(buf.len, n);
		assert_string_equal(buf.data, s);
		check_invariants(&buf);
		sift_buf_free(&buf);
		sift_free(s);
	}
}

static void
test_printf_growth(void **state)
{
	char *s = make_text(5000);
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	assert_int_equal(sift_buf_append(&buf, "pre:", 4), 0);
	assert_int_equal(sift_buf_printf(&buf, "%s|%08d|%s", s, 123, "end"), 0);
	assert_int_equal(buf.len, 4 + 5000 + 1 + 8 + 1 + 3);
	assert_memory_equal(buf.data, "pre:", 4);
	assert_memory_equal(buf.data + 4, s, 5000);
	assert_string_equal(buf.data + 5004, "|00000123|end");
	check_invariants(&buf);
	/* A second long printf appends after the first. */
	assert_int_equal(sift_buf_printf(&buf, "%.300s", s), 0);
	assert_int_equal(buf.len, 5017 + 300);
	assert_memory_equal(buf.data + 5017, s, 300);
	check_invariants(&buf);
	sift_buf_free(&buf);
	sift_free(s);
}

static void
test_printf_maximum(void **state)
{
	char *s = make_text(400);
	struct sift_buf buf;

	/* Long output that does not fit: nothing appended. */
	sift_buf_init(&buf, 300);
	assert_int_equal(sift_buf_append(&buf, "0123456789", 10), 0);
	assert_int_equal(sift_buf_printf(&buf, "%.291s", s), -1);
	assert_true(buf.overflow);
	assert_int_equal(buf.len, 10);
	assert_string_equal(buf.data, "0123456789");
	check_invariants(&buf);
	/* Long output that fits exactly. */
	assert_int_equal(sift_buf_printf(&buf, "%.290s", s), 0);
	assert_int_equal(buf.len, 300);
	assert_memory_equal(buf.data + 10, s, 290);
	check_invariants(&buf);
	sift_buf_free(&buf);

	/* Short output that does not fit. */
	sift_buf_init(&buf, 5);
	assert_int_equal(sift_buf_printf(&buf, "%s", "abcdef"), -1);
	assert_true(buf.overflow);
	assert_int_equal(buf.len, 0);
	assert_int_equal(sift_buf_printf(&buf, "%s", "abcde"), 0);
	assert_string_equal(buf.data, "abcde");
	sift_buf_free(&buf);
	sift_free(s);
}

static void
test_truncate(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	assert_int_equal(sift_buf_append_str(&buf, "hello world"), 0);
	sift_buf_truncate(&buf, 100);
	assert_int_equal(buf.len, 11);
	assert_string_equal(buf.data, "hello world");
	sift_buf_truncate(&buf, 5);
	assert_int_equal(buf.len, 5);
	assert_string_equal(buf.data, "hello");
	sift_buf_truncate(&buf, 0);
	assert_int_equal(buf.len, 0);
	assert_string_equal(buf.data, "");
	check_invariants(&buf);
	sift_buf_free(&buf);

	/* On a buffer that never allocated. */
	sift_buf_init(&buf, 0);
	sift_buf_truncate(&buf, 0);
	assert_int_equal(buf.len, 0);
	sift_buf_free(&buf);
}

static void
test_truncate_frees_room(void **state)
{
	/* The maximum applies to the current content, not to history. */
	struct sift_buf buf;
	sift_buf_init(&buf, 4);
	assert_int_equal(sift_buf_append(&buf, "abcd", 4), 0);
	sift_buf_truncate(&buf, 1);
	assert_int_equal(sift_buf_append(&buf, "xyz", 3), 0);
	assert_string_equal(buf.data, "axyz");
	sift_buf_free(&buf);
}

static void
test_steal(void **state)
{
	struct sift_buf buf;
	size_t len = 99;
	sift_buf_init(&buf, 0);
	assert_int_equal(sift_buf_append(&buf, "x\0y", 3), 0);
	char *data = sift_buf_steal(&buf, &len);
	assert_non_null(data);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "x\0y", 4); /* NUL-terminated as well */
	assert_null(buf.data);
	assert_int_equal(buf.len, 0);
	sift_free(data);
	/* The buffer works again after a steal. */
	assert_int_equal(sift_buf_append_str(&buf, "again"), 0);
	assert_string_equal(buf.data, "again");
	check_invariants(&buf);
	data = sift_buf_steal(&buf, NULL);
	assert_string_equal(data, "again");
	sift_free(data);
	sift_buf_free(&buf);
}

static void
test_steal_empty(void **state)
{
	/* Never allocated: still a valid, freeable, empty string. */
	struct sift_buf buf;
	size_t len = 99;
	sift_buf_init(&buf, 0);
	char *data = sift_buf_steal(&buf, &len);
	assert_non_null(data);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	sift_free(data);
	assert_null(data);
	sift_buf_free(&buf);
}

static void
test_steal_keeps_maximum(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 4);
	assert_int_equal(sift_buf_append(&buf, "abcd", 4), 0);
	char *data = sift_buf_steal(&buf, NULL);
	assert_string_equal(data, "abcd");
	sift_free(data);
	assert_int_equal(sift_buf_append(&buf, "abcd", 4), 0);
	assert_int_equal(sift_buf_append_c(&buf, 'e'), -1);
	sift_buf_free(&buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_empty),
	    cmocka_unit_test(test_append_nul_terminated),
	    cmocka_unit_test(test_empty_append_allocates_terminator),
	    cmocka_unit_test(test_embedded_nuls),
	    cmocka_unit_test(test_append_c_growth),
	    cmocka_unit_test(test_large_unlimited),
	    cmocka_unit_test(test_maximum_exact_fit),
	    cmocka_unit_test(test_maximum_overflow_appends_nothing),
	    cmocka_unit_test(test_maximum_append_c),
	    cmocka_unit_test(test_maximum_one),
	    cmocka_unit_test(test_maximum_huge_length),
	    cmocka_unit_test(test_maximum_size_max),
	    cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_append_trunc),
	    cmocka_unit_test(test_printf_small),
	    cmocka_unit_test(test_printf_embedded_nul),
	    cmocka_unit_test(test_printf_boundaries),
	    cmocka_unit_test(test_printf_growth),
	    cmocka_unit_test(test_printf_maximum),
	    cmocka_unit_test(test_truncate),
	    cmocka_unit_test(test_truncate_frees_room),
	    cmocka_unit_test(test_steal),
	    cmocka_unit_test(test_steal_empty),
	    cmocka_unit_test(test_steal_keeps_maximum),
	};
	return cmocka_run_group_tests_name("buffer", tests, NULL, NULL);
}
