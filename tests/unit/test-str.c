/* SPDX-License-Identifier: MIT */
/* Unit tests for util/str.c: trimming, case-insensitive comparison with
   NULs and 8-bit bytes, and UTF-8 validation checked against the byte
   ranges of RFC 3629 section 4 (overlongs, surrogates, > U+10FFFF,
   truncated sequences), exhaustively up to three bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/str.h"

/* ---- trim --------------------------------------------------------------- */

static void
check_trim(const char *in, size_t in_len, size_t skip, size_t out_len)
{
	const char *s = in;
	size_t len = in_len;
	sift_mem_trim(&s, &len);
	assert_ptr_equal(s, in + skip);
	assert_int_equal(len, out_len);
}

static void
test_trim(void **state)
{
	check_trim("abc", 3, 0, 3);
	check_trim("  abc  ", 7, 2, 3);
	check_trim("\t\r\n abc \r\n\t", 11, 4, 3);
	check_trim("a b", 3, 0, 3); /* inner space stays */
	check_trim(" a\tb ", 5, 1, 3);
	check_trim("", 0, 0, 0);
	check_trim("    ", 4, 4, 0); /* all blank: empty, at the end */
	check_trim("\r\n", 2, 2, 0);
	/* Only SP, HTAB, CR, LF are blanks: not VT, FF, NUL or NBSP. */
	check_trim("\vx\f", 3, 0, 3);
	check_trim("\0 x \0", 5, 0, 5);
	check_trim(" \0x\0 ", 5, 1, 3);
	check_trim("\xa0x\xa0", 3, 0, 3);
	/* The length is honoured: bytes past it are not looked at. */
	check_trim(" ab  cd", 5, 1, 2);
	check_trim("x   ", 1, 0, 1);
}

/* ---- case-insensitive comparison ---------------------------------------- */

static void
test_eq_ci(void **state)
{
	assert_true(sift_mem_eq_ci("Content-Type", 12, "content-type"));
	assert_true(sift_mem_eq_ci("CONTENT-TYPE", 12, "Content-Type"));
	assert_true(sift_mem_eq_ci("", 0, ""));
	assert_true(sift_mem_eq_ci("abc", 3, "ABC"));
	/* Counted: only the first alen bytes take part. */
	assert_true(sift_mem_eq_ci("fromXXX", 4, "FROM"));
	assert_false(sift_mem_eq_ci("from", 3, "FROM"));
	assert_false(sift_mem_eq_ci("from", 4, "FRO"));
	assert_false(sift_mem_eq_ci("", 0, "a"));
	assert_false(sift_mem_eq_ci("a", 1, ""));
	/* A NUL inside the counted string is data, not an end. */
	assert_false(sift_mem_eq_ci("to\0x", 4, "to"));
	assert_false(sift_mem_eq_ci("to\0", 3, "to"));
	/* ASCII folding only: Latin-1/UTF-8 letters are not folded, and
	   bytes that differ by 0x20 outside A-Z are different. */
	assert_false(sift_mem_eq_ci("\xc4", 1, "\xe4"));
	assert_false(sift_mem_eq_ci("\xc3\x84", 2, "\xc3\xa4"));
	assert_true(sift_mem_eq_ci("\xc3\x84", 2, "\xc3\x84"));
	assert_false(sift_mem_eq_ci("@", 1, "`"));
	assert_false(sift_mem_eq_ci("[", 1, "{"));
	assert_false(sift_mem_eq_ci("^", 1, "~"));
	assert_false(sift_mem_eq_ci("-", 1, "\r"));
	assert_false(sift_mem_eq_ci("contenttype", 11, "content-type"));
}

/* The word-at-a-time fold agrees with the byte fold for every byte value
   at every position of a word, and for every length and alignment. */
static void
test_mem_lower_every_byte(void **state)
{
	(void)state;
	char src[64], dst[64], want[64];
	for (int b = 0; b < 256; b++) {
		for (size_t pos = 0; pos < 24; pos++) {
			for (size_t i = 0; i < sizeof(src); i++)
				src[i] = (char)((i * 37 + (size_t)b) & 0xff);
			src[pos] = (char)b;
			for (size_t i = 0; i < sizeof(src); i++)
				want[i] = sift_ascii_lower(src[i]);
			for (size_t off = 0; off < 8; off++) {
				size_t n = sizeof(src) - off;
				sift_mem_lower_copy(dst, src + off, n);
				assert_memory_equal(dst, want + off, n);
			}
			sift_mem_lower(src, sizeof(src));
			assert_memory_equal(src, want, sizeof(src));
		}
	}
}

static void
test_ascii_lower_and_mem_lower(void **state)
{
	for (int c = 0; c < 256; c++) {
		char expect = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
		assert_int_equal((unsigned char)sift_ascii_lower((char)c), (unsigned char)expect);
	}
	char s[] = "MiXeD\0CASE\xc4\xd6@[Z";
	sift_mem_lower(s, sizeof(s) - 1);
	assert_memory_equal(s, "mixed\0case\xc4\xd6@[z", sizeof(s));
	/* Only len bytes are touched. */
	char t[] = "ABCD";
	sift_mem_lower(t, 2);
	assert_string_equal(t, "abCD");
	assert_true(sift_is_wsp(' '));
	assert_true(sift_is_wsp('\t'));
	assert_false(sift_is_wsp('\r'));
	assert_false(sift_is_wsp('\n'));
	assert_false(sift_is_wsp('\0'));
	assert_false(sift_is_wsp('\xa0'));
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Length of a valid sequence at s by the byte ranges of RFC 3629's ABNF,
   written independently of the code under test (which decodes code
   points); 0 when invalid or truncated. */
static size_t
ref_seq_len(const unsigned char *s, size_t avail)
{
	if (avail == 0)
		return 0;
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;
	if (c <= 0x7f)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c == 0xe0) {
		n = 3;
		lo = 0xa0;
	} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
		n = 3;
	} else if (c == 0xed) {
		n = 3;
		hi = 0x9f;
	} else if (c == 0xf0) {
		n = 4;
		lo = 0x90;
	} else if (c >= 0xf1 && c <= 0xf3) {
		n = 4;
	} else if (c == 0xf4) {
		n = 4;
		hi = 0x8f;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

#define U(s) ((const unsigned char *)(s))

static void
test_seq_len_examples(void **state)
{
	/* RFC 3629 section 7 examples. */
	assert_int_equal(sift_utf8_seq_len(U("A"), 1), 1);
	assert_int_equal(sift_utf8_seq_len(U("\xe2\x89\xa2"), 3), 3);     /* U+2262 */
	assert_int_equal(sift_utf8_seq_len(U("\xce\x91"), 2), 2);         /* U+0391 */
	assert_int_equal(sift_utf8_seq_len(U("\xed\x95\x9c"), 3), 3);     /* U+D55C */
	assert_int_equal(sift_utf8_seq_len(U("\xe6\x97\xa5"), 3), 3);     /* U+65E5 */
	assert_int_equal(sift_utf8_seq_len(U("\xef\xbb\xbf"), 3), 3);     /* BOM */
	assert_int_equal(sift_utf8_seq_len(U("\xf0\xa3\x8e\xb4"), 4), 4); /* U+233B4 */
	/* NUL is a one-byte character. */
	assert_int_equal(sift_utf8_seq_len(U("\0"), 1), 1);
	/* Nothing available. */
	assert_int_equal(sift_utf8_seq_len(U("A"), 0), 0);
	/* Boundaries of each length. */
	assert_int_equal(sift_utf8_seq_len(U("\x7f"), 1), 1);
	assert_int_equal(sift_utf8_seq_len(U("\xc2\x80"), 2), 2);         /* U+0080 */
	assert_int_equal(sift_utf8_seq_len(U("\xdf\xbf"), 2), 2);         /* U+07FF */
	assert_int_equal(sift_utf8_seq_len(U("\xe0\xa0\x80"), 3), 3);     /* U+0800 */
	assert_int_equal(sift_utf8_seq_len(U("\xed\x9f\xbf"), 3), 3);     /* U+D7FF */
	assert_int_equal(sift_utf8_seq_len(U("\xee\x80\x80"), 3), 3);     /* U+E000 */
	assert_int_equal(sift_utf8_seq_len(U("\xef\xbf\xbf"), 3), 3);     /* U+FFFF */
	assert_int_equal(sift_utf8_seq_len(U("\xf0\x90\x80\x80"), 4), 4); /* U+10000 */
	assert_int_equal(sift_utf8_seq_len(U("\xf4\x8f\xbf\xbf"), 4), 4); /* U+10FFFF */
	/* Only the first sequence counts; what follows is not its business. */
	assert_int_equal(sift_utf8_seq_len(U("\xc3\xa9\xff"), 3), 2);
}

static void
test_seq_len_invalid(void **state)
{
	/* Overlong forms. */
	assert_int_equal(sift_utf8_seq_len(U("\xc0\x80"), 2), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xc0\xaf"), 2), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xc1\xbf"), 2), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xe0\x80\xaf"), 3), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xe0\x9f\xbf"), 3), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xf0\x80\x80\xaf"), 4), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xf0\x8f\xbf\xbf"), 4), 0);
	/* Surrogates U+D800..U+DFFF. */
	assert_int_equal(sift_utf8_seq_len(U("\xed\xa0\x80"), 3), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xed\xad\xbf"), 3), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xed\xb0\x80"), 3), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xed\xbf\xbf"), 3), 0);
	/* A CESU-8 style surrogate pair is not UTF-8. */
	assert_false(sift_utf8_valid("\xed\xa0\xbd\xed\xb8\x80", 6));
	/* Above U+10FFFF, and the 5- and 6-byte forms of old. */
	assert_int_equal(sift_utf8_seq_len(U("\xf4\x90\x80\x80"), 4), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xf5\x80\x80\x80"), 4), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xf7\xbf\xbf\xbf"), 4), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xf8\x88\x80\x80\x80"), 5), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xfc\x84\x80\x80\x80\x80"), 6), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xfe"), 1), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xff"), 1), 0);
	/* Lone continuation bytes. */
	assert_int_equal(sift_utf8_seq_len(U("\x80"), 1), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xbf\x80"), 2), 0);
	/* Truncated: the lead byte promises more than is available, even
	   when the bytes after the counted length would complete it. */
	assert_int_equal(sift_utf8_seq_len(U("\xc3"), 1), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xc3\xa9"), 1), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xe2\x82\xac"), 2), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xe2\x82\xac"), 1), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xf0\x9f\x98\x80"), 3), 0);
	/* Continuation byte replaced by ASCII or by a new lead byte. */
	assert_int_equal(sift_utf8_seq_len(U("\xc3("), 2), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xe2\x28\xa1"), 3), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xe2\x82\x28"), 3), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xf0\x9f\x98\xc3"), 4), 0);
	assert_int_equal(sift_utf8_seq_len(U("\xc3\xc3\xa9"), 3), 0);
}

static void
test_seq_len_exhaustive_short(void **state)
{
	unsigned char b[3];
	for (unsigned int c0 = 0; c0 < 256; c0++) {
		b[0] = (unsigned char)c0;
		assert_int_equal(sift_utf8_seq_len(b, 1), ref_seq_len(b, 1));
		for (unsigned int c1 = 0; c1 < 256; c1++) {
			b[1] = (unsigned char)c1;
			assert_int_equal(sift_utf8_seq_len(b, 2), ref_seq_len(b, 2));
			for (unsigned int c2 = 0; c2 < 256; c2++) {
				b[2] = (unsigned char)c2;
				size_t got = sift_utf8_seq_len(b, 3);
				if (got != ref_seq_len(b, 3))
					fail_msg("%02x %02x %02x: got %zu, want %zu", c0, c1, c2,
					         got, ref_seq_len(b, 3));
			}
		}
	}
}

static void
test_seq_len_four_byte(void **state)
{
	/* Every lead byte F0..FF with every second byte, and third/fourth
	   bytes at and just outside the continuation range. */
	static const unsigned char tails[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0xa5,
	                                      0xbf, 0xc0, 0xc2, 0xe0, 0xf0, 0xff};
	unsigned char b[4];
	for (unsigned int c0 = 0xf0; c0 < 256; c0++) {
		b[0] = (unsigned char)c0;
		for (unsigned int c1 = 0; c1 < 256; c1++) {
			b[1] = (unsigned char)c1;
			for (size_t i = 0; i < sizeof(tails); i++) {
				b[2] = tails[i];
				for (size_t j = 0; j < sizeof(tails); j++) {
					b[3] = tails[j];
					for (size_t avail = 1; avail <= 4; avail++) {
						size_t got = sift_utf8_seq_len(b, avail);
						size_t want = ref_seq_len(b, avail);
						if (got != want)
							fail_msg("%02x %02x %02x %02x/%zu: got "
							         "%zu, want %zu",
							         c0, c1, b[2], b[3], avail, got,
							         want);
					}
				}
			}
		}
	}
}

static void
test_utf8_valid(void **state)
{
	assert_true(sift_utf8_valid("", 0));
	assert_true(sift_utf8_valid("plain ascii", 11));
	assert_true(sift_utf8_valid("a\0b", 3)); /* NUL is valid UTF-8 data */
	assert_true(sift_utf8_valid("Gr\xc3\xbc\xc3\x9f"
	                            "e",
	                            7));
	assert_true(sift_utf8_valid("\xe2\x82\xac 5", 5));
	assert_true(sift_utf8_valid("\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 8));
	/* RFC 3629 section 7: "A<NOT IDENTICAL TO><ALPHA>." */
	assert_true(sift_utf8_valid("\x41\xe2\x89\xa2\xce\x91\x2e", 7));
	/* Invalid anywhere in the string. */
	assert_false(sift_utf8_valid("abc\xff", 4));
	assert_false(sift_utf8_valid("\x80"
	                             "abc",
	                             4));
	assert_false(sift_utf8_valid("ab\xc0\x80"
	                             "cd",
	                             6));
	assert_false(sift_utf8_valid("\xed\xa0\x80", 3));
	assert_false(sift_utf8_valid("\xf4\x90\x80\x80", 4));
	assert_false(sift_utf8_valid("x\xe0\x80\x80", 4));
	/* Latin-1 text is not UTF-8. */
	assert_false(sift_utf8_valid("Gr\xfc\xdf"
	                             "e",
	                             5));
	/* Truncated at the end of the counted length. */
	assert_false(sift_utf8_valid("abc\xe2\x82", 5));
	assert_false(sift_utf8_valid("abc\xe2\x82\xac", 5));
	assert_true(sift_utf8_valid("abc\xe2\x82\xac", 6));
	assert_false(sift_utf8_valid("\xf0\x9f\x98", 3));
	/* The counted length is all that is looked at. */
	assert_true(sift_utf8_valid("ok\xff", 2));
	/* Sequence after a NUL is still checked. */
	assert_false(sift_utf8_valid("a\0\xff", 3));
}

static void
test_utf8_valid_matches_seq_len(void **state)
{
	/* Pseudo-random byte strings, biased towards UTF-8-ish bytes: valid
	   exactly when the reference walk consumes every byte. */
	uint32_t x = 12345;
	unsigned char s[16];
	static const unsigned char pool[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f,
	                                     0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1,
	                                     0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
	for (int round = 0; round < 200000; round++) {
		x = x * 1103515245 + 12345;
		size_t len = (x >> 16) % sizeof(s);
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245 + 12345;
			s[i] = pool[(x >> 16) % sizeof(pool)];
		}
		bool want = true;
		for (size_t i = 0; i < len;) {
			size_t n = ref_seq_len(s + i, len - i);
			if (n == 0) {
				want = false;
				break;
			}
			i += n;
		}
		assert_int_equal(sift_utf8_valid((const char *)s, len), want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trim),
	    cmocka_unit_test(test_eq_ci),
	    cmocka_unit_test(test_ascii_lower_and_mem_lower),
	    cmocka_unit_test(test_mem_lower_every_byte),
	    cmocka_unit_test(test_seq_len_examples),
	    cmocka_unit_test(test_seq_len_invalid),
	    cmocka_unit_test(test_seq_len_exhaustive_short),
	    cmocka_unit_test(test_seq_len_four_byte),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_valid_matches_seq_len),
	};
	return cmocka_run_group_tests_name("str", tests, NULL, NULL);
}
