/* SPDX-License-Identifier: MIT */
/* Tests for mail/charset: aliases, unknown names, the us-ascii and utf-8
   fast paths, invalid and incomplete input, the output maximum, the
   per-thread descriptor cache and its reset between uses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <iconv.h>

#include <pthread.h>
#include <string.h>

#include "mail/charset.h"
#include "util/str.h"
#include "mail/defects.h"

#define S(lit) lit, sizeof(lit) - 1

#define FFFD "\xef\xbf\xbd"

/* Converts and checks the exact output bytes and defect bits. */
static void
check_conv(const char *charset, const char *in, size_t in_len, const char *want, size_t want_len,
           uint32_t want_defects)
{
	struct sift_buf out;
	uint32_t defects = 0;
	sift_buf_init(&out, 0);
	int ret = sift_charset_to_utf8(charset, strlen(charset), in, in_len, &out, &defects);
	assert_int_equal(ret, 0);
	if (out.len != want_len || memcmp(out.data == NULL ? "" : out.data, want, want_len) != 0) {
		print_error("charset %s gave:", charset);
		for (size_t i = 0; i < out.len; i++)
			print_error(" %02x", (unsigned char)out.data[i]);
		print_error("\n");
	}
	assert_int_equal(out.len, want_len);
	assert_memory_equal(out.data == NULL ? "" : out.data, want, want_len);
	assert_int_equal(defects, want_defects);
	assert_false(out.overflow);
	sift_buf_free(&out);
	assert_true(sift_charset_known(charset, strlen(charset)));
}

#define CHECK(cs, in, want, defects) check_conv(cs, S(in), S(want), defects)

static void
test_utf8_aliases(void **state)
{
	static const char *const names[] = {
	    "utf-8", "UTF-8", "utf8", "Utf8", "x-utf8", " utf-8 ", "unicode-1-1-utf-8"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(names[i], "h\xc3\xa9 \xf0\x9f\x98\x80", "h\xc3\xa9 \xf0\x9f\x98\x80", 0);
}

static void
test_latin1_aliases(void **state)
{
	static const char *const names[] = {"latin1",    "L1",         "l1",
	                                    "latin-1",   "ISO-8859-1", "iso_8859-1",
	                                    "iso8859-1", "x-latin1",   "cp819"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(names[i], "caf\xe9 \xa0\x80", "caf\xc3\xa9 \xc2\xa0\xc2\x80", 0);
}

static void
test_korean(void **state)
{
	/* 0x8c63 exists only in CP949 (the UHC extension), which is what
	   ks_c_5601-1987 and euc-kr mail is written in. */
	static const char *const names[] = {"ks_c_5601-1987", "KS_C_5601-1987", "euc-kr",
	                                    "cp949",          "windows-949",    "ks_c_5601"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(names[i], "\xc7\xd1\x8c\x63", "\xed\x95\x9c\xeb\x98\xa0", 0);
}

static void
test_chinese(void **state)
{
	/* 0xe946 is GBK only; 0x81308130 is a GB18030 four-byte sequence. */
	static const char *const names[] = {"gb2312", "GB2312",  "gbk",   "x-gbk",
	                                    "cp936",  "gb18030", "euc-cn"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(names[i], "\xd6\xd0\xce\xc4\xe9\x46\x81\x30\x81\x30",
		      "\xe4\xb8\xad\xe6\x96\x87\xe9\x95\x95\xc2\x80", 0);
	CHECK("big5", "\xa4\xa4\xa4\xe5", "\xe4\xb8\xad\xe6\x96\x87", 0);
	CHECK("BIG5", "\xa4\xa4\xa4\xe5", "\xe4\xb8\xad\xe6\x96\x87", 0);
}

static void
test_hebrew(void **state)
{
	static const char *const names[] = {"iso-8859-8-i", "ISO-8859-8-I", "iso-8859-8-e",
	                                    "iso-8859-8", "visual"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(names[i], "\xf9\xec\xe5\xed", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 0);
}

static void
test_japanese(void **state)
{
	/* Shift_JIS labels read as CP932: 0x5c and 0x7e stay backslash and
	   tilde, and NEC special characters (circled one, 0x8740) decode. */
	static const char *const names[] = {"shift_jis", "Shift_JIS", "shift-jis",   "x-sjis",
	                                    "sjis",      "ms_kanji",  "windows-31j", "cp932"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(names[i], "\x83\x65\x83\x58\x83\x67\\~\x87\x40",
		      "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88\\~\xe2\x91\xa0", 0);
	CHECK("iso-2022-jp", "a\x1b$B%F%9%H\x1b(Bb",
	      "a\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88"
	      "b",
	      0);
	CHECK("ISO-2022-JP", "\x1b$B%F\x1b(B", "\xe3\x83\x86", 0);
	CHECK("euc-jp", "\xa5\xc6", "\xe3\x83\x86", 0);
}

static void
test_windows_codepages(void **state)
{
	static const char *const names[] = {"windows-1252", "WINDOWS-1252", "cp1252",  "cp-1252",
	                                    "ms-1252",      "x-cp1252",     "win-1252"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(names[i], "\x80\x93q\x94", "\xe2\x82\xac\xe2\x80\x9cq\xe2\x80\x9d", 0);
	CHECK("windows-1250", "\x8a", "\xc5\xa0", 0);
	CHECK("cp-850", "\x82", "\xc3\xa9", 0);
	/* 0x81 is not assigned in windows-1252. */
	CHECK("windows-1252", "a\x81z", "a" FFFD "z", SIFT_DEFECT_BAD_CHARSET_DATA);
}

static void
test_cyrillic(void **state)
{
	CHECK("koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4",
	      "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 0);
	CHECK("KOI8-R", "\xf0", "\xd0\x9f", 0);
	CHECK("koi8-u", "\xa4", "\xd1\x94", 0);
}

static void
test_unicode_forms(void **state)
{
	CHECK("utf-16", "\xfe\xff\x00\x41\x00\xe9", "A\xc3\xa9", 0);
	CHECK("UTF-16", "\xff\xfe\x41\x00\xe9\x00", "A\xc3\xa9", 0);
	CHECK("utf-16le", "\x41\x00", "A", 0);
	CHECK("utf-16", "\x00\x41", "A", 0);
	/* Unmarked: the zero bytes tell the order of Latin text. */
	CHECK("utf-16", "\x41\x00\xe9\x00", "A\xc3\xa9", 0);
	CHECK("utf-16", "\x00\x41\x00\xe9", "A\xc3\xa9", 0);
	/* No zero bytes at all (CJK): big-endian, as RFC 2781 says. */
	CHECK("utf-16", "\x4e\x2d\x65\x87", "\xe4\xb8\xad\xe6\x96\x87", 0);
	CHECK("unicode", "\xff\xfe\x41\x00", "A", 0);
	CHECK("utf-32", "\xff\xfe\0\0\x41\0\0\0", "A", 0);
	CHECK("utf-32", "\0\0\xfe\xff\0\0\0\x41", "A", 0);
	CHECK("utf-32", "\0\0\0\x41", "A", 0);
	/* A BOM only. */
	CHECK("utf-16", "\xff\xfe", "", 0);
	/* An odd byte at the end: an incomplete sequence. */
	CHECK("utf-16be", "\x00\x41\x00", "A" FFFD, SIFT_DEFECT_BAD_CHARSET_DATA);
	/* RFC 2152's example. */
	CHECK("utf-7", "Hi Mom -+Jjo--!", "Hi Mom -\xe2\x98\xba-!", 0);
	CHECK("unicode-1-1-utf-7", "+AOk-", "\xc3\xa9", 0);
}

static void
test_other_charsets(void **state)
{
	CHECK("iso-8859-15", "\xa4", "\xe2\x82\xac", 0);
	CHECK("latin9", "\xa4", "\xe2\x82\xac", 0);
	CHECK("x-mac-roman", "\x8e", "\xc3\xa9", 0);
	CHECK("macintosh", "\x8e", "\xc3\xa9", 0);
	/* The final flush of a decoder that holds back a character to
	   combine it: 0x8862 is two code points in HKSCS. */
	CHECK("big5-hkscs", "\x88\x62", "\xc3\x8a\xcc\x84", 0);
	/* windows-1255 holds a letter back until it knows whether a point
	   follows to compose with: released by the final flush. */
	CHECK("windows-1255", "\xf9", "\xd7\xa9", 0);
	CHECK("windows-1255", "a\xe0", "a\xd7\x90", 0);
	/* NUL bytes are data. */
	CHECK("latin1", "a\0b", "a\0b", 0);
}

static void
test_unknown_names(void **state)
{
	static const struct {
		const char *name;
		size_t len;
	} names[] = {
	    {S("")},
	    {S("   ")},
	    {S("unknown-8bit")},
	    {S("UNKNOWN-8BIT")},
	    {S("x-unknown")},
	    {S("unknown")},
	    {S("x-user-defined")},
	    {S("default")},
	    {S("8bit")},
	    {S("wchar_t")},
	    {S("char")},
	    {S("x-")},
	    {S("-")},
	    {S("utf-8//TRANSLIT")},
	    {S("utf-8//IGNORE")},
	    {S("../../lib/utf-8")},
	    {S("utf 8")},
	    {S("utf-8*en")},
	    {S("\"utf-8\"")},
	    {S("utf-8\0")},
	    {S("utf\0-8")},
	    {S("l\xc3\xa1tin1")},
	    {S("no-such-charset-here")},
	    {S("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")},
	    {S("utf-8aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sift_buf out;
		uint32_t defects = 0;
		sift_buf_init(&out, 0);
		sift_buf_append_str(&out, "pre");
		int ret =
		    sift_charset_to_utf8(names[i].name, names[i].len, S("abc\xe9"), &out, &defects);
		assert_int_equal(ret, -1);
		assert_int_equal(out.len, 3);
		assert_string_equal(out.data, "pre");
		assert_int_equal(defects, 0);
		assert_false(sift_charset_known(names[i].name, names[i].len));
		sift_buf_free(&out);
	}
	/* The same name twice: the negative answer is cached, still -1. */
	assert_false(sift_charset_known(S("no-such-charset-here")));
	/* Exactly 64 bytes is still a name (iconv does not know it). */
	static const char name64[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	assert_int_equal(sizeof(name64) - 1, 64);
	assert_false(sift_charset_known(S(name64)));
}

static void
test_known(void **state)
{
	assert_true(sift_charset_known(S("utf-8")));
	assert_true(sift_charset_known(S("US-ASCII")));
	assert_true(sift_charset_known(S("ks_c_5601-1987")));
	assert_true(sift_charset_known(S("iso-8859-15")));
	assert_true(sift_charset_known(S("tis-620")));
	assert_true(sift_charset_known(S("\tlatin1 ")));
	/* Length is respected: "utf-8" followed by garbage not counted. */
	assert_true(sift_charset_known("utf-8 garbage", 5));
}

static void
test_us_ascii(void **state)
{
	static const char *const names[] = {"us-ascii", "US-ASCII", "ascii", "ANSI_X3.4-1968",
	                                    "us"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK(names[i], "plain text\r\n\0", "plain text\r\n\0", 0);
		/* Valid UTF-8 under a us-ascii label is kept, but flagged. */
		CHECK(names[i], "caf\xc3\xa9", "caf\xc3\xa9", SIFT_DEFECT_BAD_CHARSET_DATA);
		CHECK(names[i], "caf\xe9!", "caf" FFFD "!", SIFT_DEFECT_BAD_CHARSET_DATA);
	}
}

static void
check_sanitize(const char *in, size_t in_len, const char *want, size_t want_len,
               uint32_t want_defects)
{
	struct sift_buf out;
	uint32_t defects = 0;
	sift_buf_init(&out, 0);
	sift_charset_utf8_sanitize(in, in_len, &out, &defects);
	assert_int_equal(out.len, want_len);
	assert_memory_equal(out.data == NULL ? "" : out.data, want, want_len);
	assert_int_equal(defects, want_defects);
	sift_buf_free(&out);
	/* The utf-8 charset takes the same path. */
	check_conv("utf-8", in, in_len, want, want_len, want_defects);
}

#define SANITIZE(in, want, defects) check_sanitize(S(in), S(want), defects)

static void
test_utf8_sanitize(void **state)
{
	const uint32_t bad = SIFT_DEFECT_BAD_CHARSET_DATA;
	SANITIZE("", "", 0);
	SANITIZE("a\0b", "a\0b", 0);
	SANITIZE("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
	         "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 0);
	/* Cut at the end: one U+FFFD for the valid start of a sequence. */
	SANITIZE("a\xc3", "a" FFFD, bad);
	SANITIZE("a\xe2\x82", "a" FFFD, bad);
	SANITIZE("a\xf0\x9f\x98", "a" FFFD, bad);
	/* Cut in the middle. */
	SANITIZE("\xe2\x82"
	         "A",
	         FFFD "A", bad);
	SANITIZE("\xf0\x9f\x98"
	         "A\xf0\x9f\x98\x80",
	         FFFD "A\xf0\x9f\x98\x80", bad);
	/* Overlong forms, surrogates, past U+10FFFF, 5-byte forms: every
	   byte is its own maximal subpart. */
	SANITIZE("\xc0\xaf", FFFD FFFD, bad);
	SANITIZE("\xe0\x80\xaf", FFFD FFFD FFFD, bad);
	SANITIZE("\xed\xa0\x80", FFFD FFFD FFFD, bad);
	SANITIZE("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD, bad);
	SANITIZE("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD, bad);
	/* Lone continuation bytes and 0xff. */
	SANITIZE("x\x80\xbfy\xff", "x" FFFD FFFD "y" FFFD, bad);
	/* Latin-1 that is not UTF-8. */
	SANITIZE("caf\xe9 cr\xe8me", "caf" FFFD " cr" FFFD "me", bad);
}

static void
test_iconv_invalid(void **state)
{
	const uint32_t bad = SIFT_DEFECT_BAD_CHARSET_DATA;
	/* A lead byte with an impossible trail byte: U+FFFD for the lead,
	   the trail byte read again as itself. */
	CHECK("shift_jis",
	      "A\x81\x20"
	      "B",
	      "A" FFFD " B", bad);
	/* Incomplete double-byte character at the end. */
	CHECK("shift_jis", "A\x83", "A" FFFD, bad);
	CHECK("euc-kr", "\xc7\xd1\xc7", "\xed\x95\x9c" FFFD, bad);
	CHECK("gb2312", "\xd6", FFFD, bad);
	/* A four-byte GB18030 sequence cut after three: one U+FFFD, not one
	   per byte. */
	CHECK("gb18030", "a\x81\x30\x81", "a" FFFD, bad);
	/* Several bad bytes in a row: one U+FFFD each. */
	CHECK("windows-1252", "\x81\x8d\x8f", FFFD FFFD FFFD, bad);
	/* ISO-2022-JP is 7-bit. */
	CHECK("iso-2022-jp",
	      "a\xe9"
	      "b",
	      "a" FFFD "b", bad);
	/* A UTF-16 surrogate without its pair: skipped as one unit, so the
	   rest stays aligned. */
	CHECK("utf-16le",
	      "\x00\xd8"
	      "A\x00",
	      FFFD "A", bad);
	CHECK("utf-32", "\0\0\xd8\0\0\0\0A", FFFD "A", bad);
	CHECK("utf-32", "\0\x11\0\0\0\0\0A", FFFD "A", bad);
}

static void
test_iconv_invalid_output(void **state)
{
	/* glibc decodes UCS-4 values past U+10FFFF and writes them as 6-byte
	   "UTF-8"; what comes out must still be UTF-8: only U+FFFD here. */
	struct sift_buf out;
	uint32_t defects = 0;
	sift_buf_init(&out, 0);
	assert_int_equal(
	    sift_charset_to_utf8(S("ucs-4"), S("\x3d\x49\x12\x39\0\0\0A"), &out, &defects), 0);
	assert_true(out.len >= 4);
	assert_true(out.len % 3 == 1);
	for (size_t i = 0; i + 1 < out.len; i += 3)
		assert_memory_equal(out.data + i, FFFD, 3);
	assert_int_equal(out.data[out.len - 1], 'A');
	assert_int_equal(defects, SIFT_DEFECT_BAD_CHARSET_DATA);
	sift_buf_free(&out);
}

static void
test_iconv_reset(void **state)
{
	/* The first text leaves the decoder in JIS X 0208 mode; the next
	   conversion must start in ASCII again. */
	CHECK("iso-2022-jp", "\x1b$B%F", "\xe3\x83\x86", 0);
	CHECK("iso-2022-jp", "%F", "%F", 0);
	/* Same when the output filled up in the middle of JIS text. */
	struct sift_buf small;
	uint32_t defects = 0;
	sift_buf_init(&small, 4);
	assert_int_equal(
	    sift_charset_to_utf8(S("iso-2022-jp"), S("\x1b$B%F%F%F"), &small, &defects), 0);
	assert_int_equal(small.len, 3);
	assert_true(small.overflow);
	sift_buf_free(&small);
	CHECK("iso-2022-jp", "%F", "%F", 0);
	/* Same after an error in the middle of a character. */
	CHECK("shift_jis", "\x83", FFFD, SIFT_DEFECT_BAD_CHARSET_DATA);
	CHECK("shift_jis", "e", "e", 0);
	/* The byte order of one text does not carry over to the next. */
	CHECK("utf-16", "\xff\xfe\x41\x00", "A", 0);
	CHECK("utf-16", "\x00\x41", "A", 0);
	CHECK("utf-16", "\xfe\xff\x00\x41", "A", 0);
	CHECK("utf-16", "\xff\xfe\x41\x00", "A", 0);
	/* UTF-7 left inside a base64 run. */
	CHECK("utf-7", "+AOk", "\xc3\xa9", 0);
	CHECK("utf-7", "AOk", "AOk", 0);
}

static void
test_cache_churn(void **state)
{
	/* More charsets than cache slots, round and round. */
	for (int round = 0; round < 3; round++) {
		CHECK("latin1", "\xe9", "\xc3\xa9", 0);
		CHECK("koi8-r", "\xf0", "\xd0\x9f", 0);
		CHECK("windows-1252", "\x80", "\xe2\x82\xac", 0);
		CHECK("iso-8859-15", "\xa4", "\xe2\x82\xac", 0);
		CHECK("shift_jis", "\x83\x65", "\xe3\x83\x86", 0);
		CHECK("gbk", "\xd6\xd0", "\xe4\xb8\xad", 0);
		CHECK("euc-kr", "\xc7\xd1", "\xed\x95\x9c", 0);
		CHECK("iso-8859-8-i", "\xf9", "\xd7\xa9", 0);
		CHECK("big5", "\xa4\xa4", "\xe4\xb8\xad", 0);
		assert_false(sift_charset_known(S("bogus-one")));
		assert_false(sift_charset_known(S("bogus-two")));
		CHECK("iso-2022-jp", "\x1b$B%F\x1b(B", "\xe3\x83\x86", 0);
	}
	sift_charset_thread_deinit();
	/* Usable again after deinit. */
	CHECK("latin1", "\xe9", "\xc3\xa9", 0);
	sift_charset_thread_deinit();
	sift_charset_thread_deinit();
}

static void
test_large_input(void **state)
{
	/* Larger than the conversion's staging buffer. */
	size_t n = 10000;
	char *in = test_malloc(n);
	memset(in, '\xe9', n);
	struct sift_buf out;
	uint32_t defects = 0;
	sift_buf_init(&out, 0);
	assert_int_equal(sift_charset_to_utf8(S("latin1"), in, n, &out, &defects), 0);
	assert_int_equal(out.len, 2 * n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal((unsigned char)out.data[2 * i], 0xc3);
		assert_int_equal((unsigned char)out.data[2 * i + 1], 0xa9);
	}
	assert_int_equal(defects, 0);
	sift_buf_free(&out);

	/* Invalid bytes everywhere: one U+FFFD each, no quadratic work. */
	memset(in, '\x81', n);
	sift_buf_init(&out, 0);
	assert_int_equal(sift_charset_to_utf8(S("windows-1252"), in, n, &out, &defects), 0);
	assert_int_equal(out.len, 3 * n);
	assert_memory_equal(out.data + 3 * (n - 1), FFFD, 3);
	assert_int_equal(defects, SIFT_DEFECT_BAD_CHARSET_DATA);
	sift_buf_free(&out);
	test_free(in);
}

static void
test_output_max(void **state)
{
	struct sift_buf out;
	uint32_t defects = 0;

	/* iconv path: "é" is 2 bytes, the third does not fit in 5. */
	sift_buf_init(&out, 5);
	assert_int_equal(sift_charset_to_utf8(S("latin1"), S("\xe9\xe9\xe9"), &out, &defects), 0);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, "\xc3\xa9\xc3\xa9", 4);
	assert_true(out.overflow);
	/* Further conversions append nothing. */
	assert_int_equal(sift_charset_to_utf8(S("latin1"), S("a"), &out, &defects), 0);
	assert_int_equal(out.len, 4);
	sift_buf_free(&out);

	/* utf-8 path: cut before the character that does not fit. */
	sift_buf_init(&out, 6);
	assert_int_equal(sift_charset_to_utf8(S("utf-8"),
	                                      S("aaaa\xe2\x82\xac"
	                                        "b"),
	                                      &out, &defects),
	                 0);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, "aaaa", 4);
	assert_true(out.overflow);
	sift_buf_free(&out);

	/* A replacement character that does not fit. */
	sift_buf_init(&out, 2);
	sift_charset_utf8_sanitize(S("a\xff"), &out, &defects);
	assert_int_equal(out.len, 1);
	assert_true(out.overflow);
	assert_int_equal(defects, SIFT_DEFECT_BAD_CHARSET_DATA);
	sift_buf_free(&out);
	defects = 0;

	/* Big input, small maximum: stops early. */
	size_t n = 100000;
	char *in = test_malloc(n);
	memset(in, '\xe9', n);
	sift_buf_init(&out, 7001);
	assert_int_equal(sift_charset_to_utf8(S("latin1"), in, n, &out, &defects), 0);
	assert_int_equal(out.len, 7000);
	assert_true(out.overflow);
	sift_buf_free(&out);
	test_free(in);
	assert_int_equal(defects, 0);
}

static void *
thread_convert(void *arg)
{
	int *ok = arg;
	struct sift_buf out;
	uint32_t defects = 0;
	sift_buf_init(&out, 0);
	/* Two threads using the same names must not share descriptors.
	   No deinit: the thread-exit destructor closes them (a leak
	   checker run sees it if it does not). */
	for (int i = 0; i < 2000; i++) {
		sift_buf_reset(&out);
		if (sift_charset_to_utf8(S("koi8-r"), S("\xf0\xd2"), &out, &defects) != 0 ||
		    sift_charset_to_utf8(S("iso-2022-jp"), S("\x1b$B%F"), &out, &defects) != 0)
			return NULL;
		if (out.len != 7 || memcmp(out.data, "\xd0\x9f\xd1\x80\xe3\x83\x86", 7) != 0)
			return NULL;
	}
	sift_buf_free(&out);
	*ok = defects == 0;
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t t[3];
	int ok[3] = {0, 0, 0};
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_convert, &ok[i]), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_true(ok[i]);
	}
}

static void
test_empty_input(void **state)
{
	CHECK("latin1", "", "", 0);
	CHECK("utf-8", "", "", 0);
	CHECK("us-ascii", "", "", 0);
	CHECK("iso-2022-jp", "", "", 0);
}

/* The ISO-8859-1 and windows-1252 fast path gives exactly what glibc's
   iconv gives, for every byte value and with the output limit hit. */
static void
test_single_byte_fast_path(void **state)
{
	(void)state;
	static const char *const names[][2] = {
	    {"iso-8859-1", "ISO-8859-1"}, {"ISO_8859-1", "ISO-8859-1"}, {"latin1", "ISO-8859-1"},
	    {"windows-1252", "CP1252"},   {"cp1252", "CP1252"},
	};
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		iconv_t cd = iconv_open("UTF-8", names[n][1]);
		assert_true(cd != (iconv_t)-1);
		for (int b = 1; b < 256; b++) {
			unsigned char in[3] = {'a', (unsigned char)b, 'z'};
			char want[16];
			char *ip = (char *)in, *op = want;
			size_t il = 3, ol = sizeof(want);
			size_t r = iconv(cd, &ip, &il, &op, &ol);
			struct sift_buf out;
			sift_buf_init(&out, 0);
			uint32_t defects = 0;
			assert_int_equal(sift_charset_to_utf8(names[n][0], strlen(names[n][0]), in,
			                                      3, &out, &defects),
			                 0);
			if (r != (size_t)-1) {
				assert_int_equal(out.len, (size_t)(op - want));
				assert_memory_equal(out.data, want, out.len);
				assert_int_equal(defects, 0);
			} else {
				/* Unassigned in windows-1252: replaced and flagged. */
				assert_memory_equal(out.data, "a\xef\xbf\xbdz", 5);
				assert_true(defects != 0);
			}
			sift_buf_free(&out);
			(void)iconv(cd, NULL, NULL, NULL, NULL);
		}
		/* All 256 bytes at once, with a maximum that cuts a character. */
		struct sift_buf cut;
		sift_buf_init(&cut, 101);
		uint32_t defects = 0;
		(void)sift_charset_to_utf8(names[n][0], strlen(names[n][0]), all + 0xa0, 96, &cut,
		                           &defects);
		assert_true(cut.overflow);
		assert_true(cut.len <= 101);
		assert_true(sift_utf8_valid(cut.data, cut.len));
		sift_buf_free(&cut);
		iconv_close(cd);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_aliases),
	    cmocka_unit_test(test_latin1_aliases),
	    cmocka_unit_test(test_korean),
	    cmocka_unit_test(test_chinese),
	    cmocka_unit_test(test_hebrew),
	    cmocka_unit_test(test_japanese),
	    cmocka_unit_test(test_windows_codepages),
	    cmocka_unit_test(test_cyrillic),
	    cmocka_unit_test(test_unicode_forms),
	    cmocka_unit_test(test_other_charsets),
	    cmocka_unit_test(test_unknown_names),
	    cmocka_unit_test(test_known),
	    cmocka_unit_test(test_us_ascii),
	    cmocka_unit_test(test_utf8_sanitize),
	    cmocka_unit_test(test_iconv_invalid),
	    cmocka_unit_test(test_iconv_invalid_output),
	    cmocka_unit_test(test_iconv_reset),
	    cmocka_unit_test(test_cache_churn),
	    cmocka_unit_test(test_large_input),
	    cmocka_unit_test(test_output_max),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_empty_input),
	    cmocka_unit_test(test_single_byte_fast_path),
	};
	int failed = cmocka_run_group_tests_name("charset", tests, NULL, NULL);
	sift_charset_thread_deinit();
	return failed;
}
