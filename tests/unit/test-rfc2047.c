/* SPDX-License-Identifier: MIT */
/* Tests for mail/rfc2047: every example of RFC 2047 section 8, Japanese
   words, characters split over words, the leniencies (words inside
   tokens, spaces inside words), malformed and unknown-charset words,
   truncation, NULs, the output maximum, and big headers in bounded time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "mail/charset.h"
#include "mail/defects.h"
#include "mail/rfc2047.h"

#define S(lit) lit, sizeof(lit) - 1

#define FFFD "\xef\xbf\xbd"

static const uint32_t BAD_WORD = SIFT_DEFECT_BAD_ENCODED_WORD;
static const uint32_t UNKNOWN = SIFT_DEFECT_UNKNOWN_CHARSET;

static void
check(const char *in, size_t in_len, const char *want, size_t want_len, uint32_t want_defects)
{
	struct sift_buf out;
	uint32_t defects = 0;
	sift_buf_init(&out, 0);
	sift_rfc2047_decode(in, in_len, &out, &defects);
	if (out.len != want_len || memcmp(out.data == NULL ? "" : out.data, want, want_len) != 0) {
		print_error("gave %zu bytes: \"", out.len);
		for (size_t i = 0; i < out.len; i++) {
			unsigned char c = (unsigned char)out.data[i];
			if (c >= 0x20 && c < 0x7f)
				print_error("%c", c);
			else
				print_error("\\x%02x", c);
		}
		print_error("\"\n");
	}
	assert_int_equal(out.len, want_len);
	assert_memory_equal(out.data == NULL ? "" : out.data, want, want_len);
	assert_int_equal(defects, want_defects);
	assert_false(out.overflow);
	sift_buf_free(&out);
}

#define CHECK(in, want, defects) check(S(in), S(want), defects)

static void
test_rfc2047_section8_headers(void **state)
{
	CHECK("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore <moore@cs.utk.edu>", 0);
	CHECK("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
	      "Keld J\xc3\xb8rn Simonsen <keld@dkuug.dk>", 0);
	CHECK("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
	      "Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>", 0);
	/* Folded as in the RFC, and unfolded. */
	CHECK("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
	      "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	      "If you can read this you understand the example.", 0);
	CHECK("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= "
	      "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	      "If you can read this you understand the example.", 0);
	CHECK("=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>",
	      "Olle J\xc3\xa4rnefors <ojarnef@admin.kth.se>", 0);
	CHECK("=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?= <paf@nada.kth.se>",
	      "Patrik F\xc3\xa4ltstr\xc3\xb6m <paf@nada.kth.se>", 0);
	CHECK("Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
	      "    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
	      "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
	      "    (\xd7\x9d\xd7\x95\xd7\x9c\xd7\xa9 \xd7\x9f\xd7\x91 "
	      "\xd7\x99\xd7\x9c\xd7\x98\xd7\xa4\xd7\xa0)",
	      0);
}

static void
test_rfc2047_section8_table(void **state)
{
	CHECK("(=?ISO-8859-1?Q?a?=)", "(a)", 0);
	CHECK("(=?ISO-8859-1?Q?a?= b)", "(a b)", 0);
	CHECK("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)", 0);
	CHECK("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)", 0);
	CHECK("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)", 0);
	CHECK("(=?ISO-8859-1?Q?a_b?=)", "(a b)", 0);
	CHECK("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)", 0);
	/* The same cases written without the comment. */
	CHECK("(a =?ISO-8859-1?Q?b?=)", "(a b)", 0);
	CHECK("=?ISO-8859-1?Q?a?=\t=?ISO-8859-1?Q?b?=", "ab", 0);
	CHECK("=?ISO-8859-1?Q?a?= b =?ISO-8859-1?Q?c?=", "a b c", 0);
}

static void
test_encoding_letters(void **state)
{
	CHECK("=?utf-8?b?aGVsbG8=?=", "hello", 0);
	CHECK("=?utf-8?B?aGVsbG8=?=", "hello", 0);
	CHECK("=?utf-8?q?hello?=", "hello", 0);
	CHECK("=?UTF-8?Q?hello?=", "hello", 0);
	CHECK("=?utf-8?Q?=e2=82=ac?=", "\xe2\x82\xac", 0);
	CHECK("=?utf-8?q?a=3Fb=3Dc=5Fd_e?=", "a?b=c_d e", 0);
}

static void
test_language_suffix(void **state)
{
	/* RFC 2231 section 5. */
	CHECK("=?utf-8*en?q?hello?=", "hello", 0);
	CHECK("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore", 0);
	CHECK("=?UTF-8*EN-us?B?aGVsbG8=?=", "hello", 0);
	/* Words that differ only in language still join. */
	CHECK("=?utf-8*en?q?=E2=82?= =?utf-8*fr?q?=AC?=", "\xe2\x82\xac", 0);
}

static void
test_japanese(void **state)
{
	CHECK("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=", "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", 0);
	CHECK("=?iso-2022-jp?B?GyRCJUYbKEI=?= =?iso-2022-jp?q?abc?=",
	      "\xe3\x83\x86"
	      "abc",
	      0);
	CHECK("Re: =?Shift_JIS?B?g2WDWINn?= ok", "Re: \xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88 ok", 0);
	CHECK("=?shift_jis?Q?=83e=83X=83g?=", "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", 0);
	/* A Shift_JIS character split over two words. */
	CHECK("=?shift_jis?b?gw==?= =?shift_jis?b?ZQ==?=", "\xe3\x83\x86", 0);
	/* ISO-2022-JP text cut in JIS mode, joined with the next word. */
	CHECK("=?iso-2022-jp?b?GyRCJUY=?= =?iso-2022-jp?b?JTkbKEI=?=", "\xe3\x83\x86\xe3\x82\xb9",
	      0);
}

static void
test_split_characters(void **state)
{
	/* U+20AC split over two B words, and over two Q words. */
	CHECK("=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=", "\xe2\x82\xac", 0);
	CHECK("=?UTF-8?B?YeI=?= =?UTF-8?B?gqxi?=",
	      "a\xe2\x82\xac"
	      "b",
	      0);
	CHECK("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=", "caf\xc3\xa9", 0);
	CHECK("=?utf-8?q?=E2?=\r\n =?utf-8?q?=82?= =?utf-8?q?=AC?=", "\xe2\x82\xac", 0);
	/* Charset names compare without case. */
	CHECK("=?UTF-8?Q?=E2=82?= =?utf-8?Q?=AC?=", "\xe2\x82\xac", 0);
	/* Mixed B and Q in one run. */
	CHECK("=?utf-8?b?4oI=?= =?utf-8?q?=AC?=", "\xe2\x82\xac", 0);
	/* A different charset ends the run: the first half is invalid. */
	CHECK("=?utf-8?q?=C3?= =?iso-8859-1?q?=A9?=", FFFD "\xc2\xa9",
	      SIFT_DEFECT_BAD_CHARSET_DATA);
	/* Text between words ends the run too. */
	CHECK("=?utf-8?q?=E2=82?= x =?utf-8?q?=AC?=", FFFD " x " FFFD,
	      SIFT_DEFECT_BAD_CHARSET_DATA);
}

static void
test_adjacent_text(void **state)
{
	/* Decoded wherever they stand (see VIOLATIONS.md), unflagged. */
	CHECK("foo=?utf-8?q?bar?=", "foobar", 0);
	CHECK("=?utf-8?q?bar?=baz", "barbaz", 0);
	CHECK("=?utf-8?q?a?==?utf-8?q?b?=", "ab", 0);
	CHECK("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?==?ISO-8859-2?B?dSB1bmRlcnN0YW5kIH"
	      "RoZSBleGFtcGxlLg==?==?US-ASCII?Q?.._cool!?=",
	      "If you can read this you understand the example... cool!", 0);
	CHECK("\"=?utf-8?q?quoted?=\" <a@b>", "\"quoted\" <a@b>", 0);
	CHECK("==?utf-8?q?x?=", "=x", 0);
}

static void
test_space_inside(void **state)
{
	/* Not an encoded word per RFC 2047 (no spaces in encoded-text), but
	   decoded, as Python's email does, and flagged. */
	CHECK("=?utf-8?q?a b?=", "a b", BAD_WORD);
	CHECK("=?utf-8?q?caf=C3=A9 cr=C3=A8me?= x", "caf\xc3\xa9 cr\xc3\xa8me x", BAD_WORD);
	CHECK("=?utf-8?b?YW Jj?=", "abc", BAD_WORD);
	CHECK("=?utf-8?b?YWJj\t?=", "abc", BAD_WORD);
}

static void
test_malformed(void **state)
{
	/* Not decodable: copied literally. */
	CHECK("=?utf-8?x?abc?= end", "=?utf-8?x?abc?= end", BAD_WORD);
	CHECK("=??q?abc?=", "=??q?abc?=", BAD_WORD);
	CHECK("=?*en?q?abc?=", "=?*en?q?abc?=", BAD_WORD);
	CHECK("=?utf-8?b?!!!!?=", "=?utf-8?b?!!!!?=", BAD_WORD);
	CHECK("=?utf-8?b?a_b-?=", "=?utf-8?b?a_b-?=", BAD_WORD);
	/* Decodable with damage: decoded and flagged. */
	CHECK("=?utf-8?b?YWI?=", "ab", BAD_WORD);
	CHECK("=?utf-8?b?YWJjZA?=", "abcd", BAD_WORD);
	CHECK("=?utf-8?b?YWJj=?=", "abc", BAD_WORD);
	CHECK("=?utf-8?b?YQ==YQ==?=", "aa", BAD_WORD);
	CHECK("=?utf-8?q?100=?=", "100=", BAD_WORD);
	CHECK("=?utf-8?q?=4?=", "=4", BAD_WORD);
	CHECK("=?utf-8?q?=ZZ?=", "=ZZ", BAD_WORD);
	CHECK("=?utf-8?q?"
	      "?=",
	      "", BAD_WORD);
	CHECK("=?utf-8?b?"
	      "?=",
	      "", BAD_WORD);
	CHECK("=?utf-8?q?caf\xc3\xa9?=", "caf\xc3\xa9", BAD_WORD);
	/* A good word after a bad one keeps its white space. */
	CHECK("=?utf-8?x?a?= =?utf-8?q?b?=", "=?utf-8?x?a?= b", BAD_WORD);
	/* Bytes invalid in the charset. */
	CHECK("=?utf-8?q?=E9t=E9?=", FFFD "t" FFFD, SIFT_DEFECT_BAD_CHARSET_DATA);
	CHECK("=?us-ascii?q?=E9?=", FFFD, SIFT_DEFECT_BAD_CHARSET_DATA);
}

static void
test_not_words(void **state)
{
	/* Only the start of a word, or not even that: plain text. */
	CHECK("=?", "=?", 0);
	CHECK("=", "=", 0);
	CHECK("", "", 0);
	CHECK("a=?b", "a=?b", 0);
	CHECK("=?utf-8", "=?utf-8", 0);
	CHECK("=?utf-8?", "=?utf-8?", 0);
	CHECK("=?utf-8?q", "=?utf-8?q", 0);
	CHECK("=?utf-8?qq?abc?=", "=?utf-8?qq?abc?=", 0);
	CHECK("=?utf 8?q?abc?=", "=?utf 8?q?abc?=", 0);
	CHECK("What=?Why?", "What=?Why?", 0);
	CHECK("1+1=?", "1+1=?", 0);
	/* A charset name past 100 bytes ends the attempt. */
#define A50 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	CHECK("=?" A50 A50 "a?q?x?=", "=?" A50 A50 "a?q?x?=", 0);
	/* 100 bytes is still a charset name (an unknown one). */
	CHECK("=?" A50 A50 "?q?x?=", "=?" A50 A50 "?q?x?=", UNKNOWN);
#undef A50
}

static void
test_truncated(void **state)
{
	CHECK("Subject =?utf-8?q?abc", "Subject =?utf-8?q?abc", BAD_WORD);
	CHECK("=?utf-8?q?abc?", "=?utf-8?q?abc?", BAD_WORD);
	CHECK("=?utf-8?b?YWJj?", "=?utf-8?b?YWJj?", BAD_WORD);
	CHECK("=?utf-8?q?", "=?utf-8?q?", BAD_WORD);
	CHECK("=?utf-8?q?a?= =?utf-8?q?b", "a =?utf-8?q?b", BAD_WORD);
	/* A '?' inside the text ends it: the first word never closes, the
	   second decodes. */
	CHECK("=?utf-8?q?abc =?utf-8?q?def?=", "=?utf-8?q?abc def", BAD_WORD);
}

static void
test_unknown_charset(void **state)
{
	CHECK("=?x-unknown?q?abc?= rest", "=?x-unknown?q?abc?= rest", UNKNOWN);
	CHECK("=?bogus?B?YWJj?=", "=?bogus?B?YWJj?=", UNKNOWN);
	CHECK("=?unknown-8bit?q?abc?=", "=?unknown-8bit?q?abc?=", UNKNOWN);
	CHECK("=?utf-8//TRANSLIT?q?abc?=", "=?utf-8//TRANSLIT?q?abc?=", UNKNOWN);
	/* White space next to it is text and is kept. */
	CHECK("=?utf-8?q?a?= =?bogus?q?b?= =?utf-8?q?c?=", "a =?bogus?q?b?= c", UNKNOWN);
	CHECK("=?bogus?q?a?= =?x-unknown?q?b?=", "=?bogus?q?a?= =?x-unknown?q?b?=", UNKNOWN);
	CHECK("=?bogus?x?a?= =?utf-8?b?!?=", "=?bogus?x?a?= =?utf-8?b?!?=", BAD_WORD);
}

static void
test_nul_and_8bit(void **state)
{
	CHECK("a\0b =?utf-8?q?x=00y?= \0", "a\0b x\0y \0", 0);
	CHECK("=?utf-8?q?x\0y?=", "x\0y", BAD_WORD);
	CHECK("=?utf-8?b?AA==?=", "\0", 0);
	/* A NUL in the charset: not a word. */
	CHECK("=?utf\0-8?q?x?=", "=?utf\0-8?q?x?=", 0);
	/* 8-bit text outside words is copied as it is. */
	CHECK("caf\xe9 =?utf-8?q?x?= \xff", "caf\xe9 x \xff", 0);
	CHECK("\xff\xfe", "\xff\xfe", 0);
}

static void
test_appends(void **state)
{
	struct sift_buf out;
	uint32_t defects = 0;
	sift_buf_init(&out, 0);
	sift_buf_append_str(&out, "Subject: ");
	sift_rfc2047_decode(S("=?utf-8?q?hi?= there"), &out, &defects);
	sift_rfc2047_decode(S(" plain"), &out, &defects);
	assert_string_equal(out.data, "Subject: hi there plain");
	assert_int_equal(defects, 0);
	sift_buf_free(&out);
}

static void
test_output_max(void **state)
{
	struct sift_buf out;
	uint32_t defects = 0;

	sift_buf_init(&out, 10);
	sift_rfc2047_decode(S("=?utf-8?q?0123456789abcdef?= tail"), &out, &defects);
	assert_int_equal(out.len, 10);
	assert_memory_equal(out.data, "0123456789", 10);
	assert_true(out.overflow);
	sift_buf_free(&out);

	sift_buf_init(&out, 10);
	sift_rfc2047_decode(S("plain text longer than ten"), &out, &defects);
	assert_int_equal(out.len, 10);
	assert_true(out.overflow);
	sift_buf_free(&out);

	/* Cut at a character boundary inside converted text. */
	sift_buf_init(&out, 5);
	sift_rfc2047_decode(S("ab=?utf-8?q?=E2=82=AC=E2=82=AC?="), &out, &defects);
	assert_int_equal(out.len, 5);
	assert_memory_equal(out.data, "ab\xe2\x82\xac", 5);
	sift_buf_free(&out);
	assert_int_equal(defects, 0);
}

/* Decodes a big header and checks it took bounded time (generous, so a
   loaded, sanitized build passes; quadratic behaviour would not). */
static void
decode_timed(const char *in, size_t len, struct sift_buf *out, uint32_t *defects)
{
	clock_t start = clock();
	sift_rfc2047_decode(in, len, out, defects);
	double secs = (double)(clock() - start) / CLOCKS_PER_SEC;
	assert_true(secs < 2.0);
}

static void
test_big_headers(void **state)
{
	const size_t words = 10000;
	char *in = test_malloc(200000);
	struct sift_buf out;
	uint32_t defects;
	size_t n;

	/* 10 000 adjacent 12-byte words (120 KB): one run. */
	n = 0;
	for (size_t i = 0; i < words; i++) {
		memcpy(in + n, "=?l1?q?=E9?=", 12);
		n += 12;
	}
	sift_buf_init(&out, 0);
	defects = 0;
	decode_timed(in, n, &out, &defects);
	assert_int_equal(out.len, 2 * words);
	for (size_t i = 0; i < words; i++)
		assert_memory_equal(out.data + 2 * i, "\xc3\xa9", 2);
	assert_int_equal(defects, 0);
	sift_buf_free(&out);

	/* 10 000 words alternating charsets with text between (one
	   conversion each). */
	n = 0;
	for (size_t i = 0; i < words; i++) {
		const char *w = i % 2 ? "=?koi8-r?q?=F0?= x " : "=?utf-8?b?w6k=?= y ";
		memcpy(in + n, w, 19);
		n += 19;
	}
	sift_buf_init(&out, 0);
	defects = 0;
	decode_timed(in, n, &out, &defects);
	assert_int_equal(out.len, 5 * words);
	assert_memory_equal(out.data, "\xc3\xa9 y \xd0\x9f x ", 10);
	assert_memory_equal(out.data + out.len - 10, "\xc3\xa9 y \xd0\x9f x ", 10);
	assert_int_equal(defects, 0);
	sift_buf_free(&out);

	/* 10 000 words in an unknown charset: copied as they are. */
	n = 0;
	for (size_t i = 0; i < words; i++) {
		memcpy(in + n, "=?bogus?q?x?= ", 14);
		n += 14;
	}
	sift_buf_init(&out, 0);
	defects = 0;
	decode_timed(in, n, &out, &defects);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, in, n);
	assert_int_equal(defects, UNKNOWN);
	sift_buf_free(&out);

	/* Hostile: 100 KB of word starts that never complete. */
	static const char *const junk[] = {"=?", "=?a?", "=?a?q?", "=?a?q?b", "=?utf-8?q?x "};
	for (size_t j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
		size_t jl = strlen(junk[j]);
		n = 0;
		while (n + jl <= 100000) {
			memcpy(in + n, junk[j], jl);
			n += jl;
		}
		sift_buf_init(&out, 0);
		defects = 0;
		decode_timed(in, n, &out, &defects);
		assert_int_equal(out.len, n);
		assert_memory_equal(out.data, in, n);
		sift_buf_free(&out);
	}

	/* A word start followed by 100 KB without a '?'. */
	memcpy(in, "=?utf-8?q?", 10);
	memset(in + 10, 'x', 100000);
	sift_buf_init(&out, 0);
	defects = 0;
	decode_timed(in, 100010, &out, &defects);
	assert_int_equal(out.len, 100010);
	assert_int_equal(defects, BAD_WORD);
	sift_buf_free(&out);

	/* One 100 KB word (over the 75-byte limit, still decoded). */
	memcpy(in, "=?utf-8?q?", 10);
	memset(in + 10, 'x', 100000);
	memcpy(in + 100010, "?=", 2);
	sift_buf_init(&out, 0);
	defects = 0;
	decode_timed(in, 100012, &out, &defects);
	assert_int_equal(out.len, 100000);
	assert_int_equal(defects, 0);
	sift_buf_free(&out);

	test_free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc2047_section8_headers),
	    cmocka_unit_test(test_rfc2047_section8_table),
	    cmocka_unit_test(test_encoding_letters),
	    cmocka_unit_test(test_language_suffix),
	    cmocka_unit_test(test_japanese),
	    cmocka_unit_test(test_split_characters),
	    cmocka_unit_test(test_adjacent_text),
	    cmocka_unit_test(test_space_inside),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_not_words),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_unknown_charset),
	    cmocka_unit_test(test_nul_and_8bit),
	    cmocka_unit_test(test_appends),
	    cmocka_unit_test(test_output_max),
	    cmocka_unit_test(test_big_headers),
	};
	int failed = cmocka_run_group_tests_name("rfc2047", tests, NULL, NULL);
	sift_charset_thread_deinit();
	return failed;
}
