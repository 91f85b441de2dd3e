/* SPDX-License-Identifier: MIT */
/* Tests for mail/rfc2231.c: the RFC 2045 5.1 and RFC 2231 examples,
   continuations in any order, charsets, bad %XX, the leniencies towards
   real mail, limits (10 000 parameters, 1 MB values) and NUL bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/defects.h"
#include "mail/rfc2231.h"
#include "util/alloc.h"
#include "util/buffer.h"

#define BAD SIFT_DEFECT_BAD_PARAMETER

static int
setup(void **state)
{
	*state = sift_arena_create(0);
	return 0;
}

static int
teardown(void **state)
{
	struct sift_arena *arena = *state;
	sift_arena_destroy(&arena);
	return 0;
}

static struct sift_param *
parse_n(void **state, const char *in, size_t len, uint32_t *defects)
{
	*defects = 0;
	return sift_rfc2231_parse(*state, in, len, defects);
}

static struct sift_param *
parse(void **state, const char *in, uint32_t *defects)
{
	return parse_n(state, in, strlen(in), defects);
}

static size_t
count(const struct sift_param *p)
{
	size_t n = 0;
	for (; p != NULL; p = p->next)
		n++;
	return n;
}

static const struct sift_param *
expect_param(const struct sift_param *list, const char *name, const char *value, size_t len)
{
	const struct sift_param *p = sift_param_find(list, name);
	if (p == NULL)
		fail_msg("parameter %s missing", name);
	assert_string_equal(p->name, name);
	assert_int_equal(p->value_len, len);
	assert_memory_equal(p->value, value, len);
	assert_int_equal(p->value[len], '\0');
	return p;
}

#define EXPECT(list, name, lit) expect_param(list, name, lit, sizeof(lit) - 1)

static void
test_token(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; charset=us-ascii", &d);
	assert_int_equal(count(l), 1);
	const struct sift_param *p = EXPECT(l, "charset", "us-ascii");
	assert_null(p->charset);
	assert_null(p->language);
	assert_int_equal(d, 0);
}

static void
test_quoted_string(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; name=\"quoted \\\"string\\\" \\\\ back;slash\"", &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "name", "quoted \"string\" \\ back;slash");
	assert_int_equal(d, 0);

	l = parse(state, "; name=\"\"", &d);
	EXPECT(l, "name", "");
	assert_int_equal(d, 0);
}

static void
test_names_case_insensitive(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; CharSet=UTF-8; BOUNDARY=\"Ab\"", &d);
	assert_int_equal(count(l), 2);
	assert_string_equal(l->name, "charset");
	assert_string_equal(l->value, "UTF-8");
	assert_string_equal(l->next->name, "boundary");
	assert_string_equal(l->next->value, "Ab");
	assert_ptr_equal(sift_param_find(l, "CHARSET"), l);
	assert_ptr_equal(sift_param_find(l, "Boundary"), l->next);
	assert_null(sift_param_find(l, "charse"));
	assert_null(sift_param_find(NULL, "charset"));
	assert_int_equal(d, 0);
}

static void
test_comments(void **state)
{
	uint32_t d;
	struct sift_param *l =
	    parse(state,
	          "(c1) ; (c2) charset (c3) = (c4) \"us-ascii\" (c5 (nested) \\) ) ;"
	          " format=flowed(c6);delsp=(c7)yes",
	          &d);
	assert_int_equal(count(l), 3);
	EXPECT(l, "charset", "us-ascii");
	EXPECT(l, "format", "flowed");
	EXPECT(l, "delsp", "yes");
	assert_int_equal(d, 0);
}

/* RFC 2045 5.1: the two forms are equivalent. */
static void
test_rfc2045_examples(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; charset=us-ascii (Plain text)", &d);
	EXPECT(l, "charset", "us-ascii");
	assert_int_equal(d, 0);
	l = parse(state, "; charset=\"us-ascii\"", &d);
	EXPECT(l, "charset", "us-ascii");
	assert_int_equal(d, 0);
	/* RFC 2046 5.1.1 */
	l = parse(state, "; boundary=gc0p4Jq0M2Yt08jU534c0p", &d);
	EXPECT(l, "boundary", "gc0p4Jq0M2Yt08jU534c0p");
	assert_int_equal(d, 0);
	l = parse(state, "; boundary=\"simple boundary\"", &d);
	EXPECT(l, "boundary", "simple boundary");
	assert_int_equal(d, 0);
}

/* RFC 2231 3 */
static void
test_rfc2231_continuations(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state,
	                             "; access-type=URL;\r\n URL*0=\"ftp://\";\r\n"
	                             " URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
	                             &d);
	assert_int_equal(count(l), 2);
	assert_string_equal(l->name, "access-type");
	EXPECT(l, "access-type", "URL");
	const struct sift_param *p =
	    EXPECT(l, "url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
	assert_null(p->charset);
	assert_int_equal(d, 0);
}

/* RFC 2231 4 */
static void
test_rfc2231_charset_language(void **state)
{
	uint32_t d;
	struct sift_param *l =
	    parse(state, ";\r\n title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", &d);
	assert_int_equal(count(l), 1);
	const struct sift_param *p = EXPECT(l, "title", "This is ***fun***");
	assert_string_equal(p->charset, "us-ascii");
	assert_string_equal(p->language, "en-us");
	assert_int_equal(d, 0);
}

/* RFC 2231 4.1, with the ';' the published text forgot. */
static void
test_rfc2231_combined(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state,
	                             ";\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
	                             " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
	                             " title*2=\"isn't it!\"",
	                             &d);
	assert_int_equal(count(l), 1);
	const struct sift_param *p = EXPECT(l, "title", "This is even more ***fun*** isn't it!");
	assert_string_equal(p->charset, "us-ascii");
	assert_string_equal(p->language, "en");
	assert_int_equal(d, 0);
}

/* RFC 2231 4.1 exactly as printed: no ';' between the sections. */
static void
test_rfc2231_combined_verbatim(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state,
	                             "\r\n    title*0*=us-ascii'en'This%20is%20even%20more%20\r\n"
	                             "    title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n"
	                             "    title*2=\"isn't it!\"",
	                             &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "title", "This is even more ***fun*** isn't it!");
	assert_int_equal(d, BAD);
}

/* RFC 2231 5 language in an encoded word, met inside a quoted value. */
static void
test_rfc2231_encoded_word_language(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; name=\"=?US-ASCII*EN?Q?Keith_Moore?=\"", &d);
	EXPECT(l, "name", "Keith Moore");
	assert_int_equal(d, 0);
}

static void
test_out_of_order(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; a*2=c; a*0=a; b=x; a*1=b", &d);
	assert_int_equal(count(l), 2);
	assert_string_equal(l->name, "a");
	EXPECT(l, "a", "abc");
	EXPECT(l, "b", "x");
	assert_int_equal(d, 0);

	l = parse(state, "; name*1*=%C3%A9.pdf; name*0*=utf-8''r%C3%A9sum", &d);
	const struct sift_param *p = EXPECT(l, "name", "r\xc3\xa9sum\xc3\xa9.pdf");
	assert_string_equal(p->charset, "utf-8");
	assert_null(p->language);
	assert_int_equal(d, 0);
}

static void
test_mixed_sections(void **state)
{
	uint32_t d;
	/* Sections without '*' are literal: %41 stays. */
	struct sift_param *l = parse(state, "; t*0*=utf-8''%C3%A9; t*1=%41; t*2*=%42", &d);
	EXPECT(l, "t", "\xc3\xa9%41B");
	assert_int_equal(d, 0);

	/* Only section 0 carries charset'language'. */
	l = parse(state, "; t*0=plain; t*1*=utf-8'en'%41", &d);
	const struct sift_param *p = EXPECT(l, "t", "plainutf-8'en'A");
	assert_null(p->charset);
	assert_null(p->language);
	assert_int_equal(d, 0);
}

static void
test_split_multibyte(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; f*0*=utf-8''%E2%82; f*1*=%AC.txt", &d);
	EXPECT(l, "f", "\xe2\x82\xac.txt");
	assert_int_equal(d, 0);
}

static void
test_gaps(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; a*0=x; a*2=z", &d);
	EXPECT(l, "a", "xz");
	assert_int_equal(d, BAD);

	l = parse(state, "; a*1=y; a*2=z", &d);
	EXPECT(l, "a", "yz");
	assert_int_equal(d, BAD);

	/* No section 0, so no charset either: %-decoded, not converted. */
	l = parse(state, "; a*1*=utf-8''%41", &d);
	const struct sift_param *p = EXPECT(l, "a", "utf-8''A");
	assert_null(p->charset);
	assert_int_equal(d, BAD);
}

static void
test_repeated_section(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; a*0=x; a*1=y; a*0=q", &d);
	EXPECT(l, "a", "xy");
	assert_int_equal(d, BAD);
}

static void
test_huge_section_numbers(void **state)
{
	uint32_t d;
	struct sift_param *l =
	    parse(state, "; a*0=x; a*1000=y; a*99999999999999999999999999=z; a*1=w; a*999=v", &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "a", "xwv");
	assert_int_equal(d, BAD);

	/* Leading zeros: read as the number, flagged. */
	l = parse(state, "; a*00=x; a*01=y", &d);
	EXPECT(l, "a", "xy");
	assert_int_equal(d, BAD);

	/* 1000 sections: the most one field may carry. */
	struct sift_buf b;
	sift_buf_init(&b, 0);
	for (int i = 999; i >= 0; i--)
		sift_buf_printf(&b, "; a*%d=%c", i, 'a' + i % 26);
	l = parse_n(state, b.data, b.len, &d);
	assert_int_equal(d, 0);
	const struct sift_param *p = sift_param_find(l, "a");
	assert_non_null(p);
	assert_int_equal(p->value_len, 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(p->value[i], 'a' + i % 26);
	sift_buf_free(&b);
}

static void
test_empty_charset_language(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; t*=''%41", &d);
	const struct sift_param *p = EXPECT(l, "t", "A");
	assert_null(p->charset);
	assert_null(p->language);
	assert_int_equal(d, 0);

	l = parse(state, "; t*='en'x", &d);
	p = EXPECT(l, "t", "x");
	assert_null(p->charset);
	assert_string_equal(p->language, "en");
	assert_int_equal(d, 0);

	l = parse(state, "; t*=utf-8''", &d);
	p = EXPECT(l, "t", "");
	assert_string_equal(p->charset, "utf-8");
	assert_int_equal(d, 0);
}

static void
test_bad_percent(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; t*=us-ascii''a%G1b%4", &d);
	EXPECT(l, "t", "a%G1b%4");
	assert_int_equal(d, BAD);

	l = parse(state, "; t*=us-ascii''%41%", &d);
	EXPECT(l, "t", "A%");
	assert_int_equal(d, BAD);

	l = parse(state, "; t*=us-ascii''%%41", &d);
	EXPECT(l, "t", "%A");
	assert_int_equal(d, BAD);

	l = parse(state, "; t*=''%00%0a", &d);
	EXPECT(l, "t", "\0\n");
	assert_int_equal(d, 0);
}

static void
test_unknown_charset(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; t*=x-no-such-charset'fr'caf%E9", &d);
	const struct sift_param *p = EXPECT(l, "t", "caf\xe9");
	assert_string_equal(p->charset, "x-no-such-charset");
	assert_string_equal(p->language, "fr");
	assert_int_equal(d, SIFT_DEFECT_UNKNOWN_CHARSET);
}

static void
test_charset_conversion(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; t*=ISO-8859-1'de'caf%E9", &d);
	const struct sift_param *p = EXPECT(l, "t", "caf\xc3\xa9");
	assert_string_equal(p->charset, "ISO-8859-1");
	assert_string_equal(p->language, "de");
	assert_int_equal(d, 0);

	/* Bytes invalid in their charset: U+FFFD, flagged by the converter. */
	l = parse(state, "; t*=utf-8''%FFa", &d);
	EXPECT(l, "t",
	       "\xef\xbf\xbd"
	       "a");
	assert_int_equal(d, SIFT_DEFECT_BAD_CHARSET_DATA);
}

/* A value both as name and name*: the RFC 2231 one wins, either order. */
static void
test_plain_and_extended(void **state)
{
	uint32_t d;
	struct sift_param *l =
	    parse(state, "; filename=\"fallback.txt\"; filename*=utf-8''r%C3%A9sum%C3%A9.txt", &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "filename", "r\xc3\xa9sum\xc3\xa9.txt");
	assert_int_equal(d, 0);

	l = parse(state, "; filename*0*=utf-8''%E2%82%AC; filename=\"EUR\"; x=y", &d);
	assert_int_equal(count(l), 2);
	assert_string_equal(l->name, "filename");
	EXPECT(l, "filename", "\xe2\x82\xac");
	assert_int_equal(d, 0);

	/* name* and name*0 both: name* wins, flagged. */
	l = parse(state, "; a*0=x; a*=utf-8''y", &d);
	EXPECT(l, "a", "y");
	assert_int_equal(d, BAD);
}

static void
test_rfc2047_in_values(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; filename=\"=?utf-8?B?csOpc3Vtw6kucGRm?=\"", &d);
	const struct sift_param *p = EXPECT(l, "filename", "r\xc3\xa9sum\xc3\xa9.pdf");
	assert_null(p->charset);
	assert_int_equal(d, 0);

	l = parse(state, "; name=\"=?iso-8859-1?Q?caf=E9?= =?iso-8859-1?Q?.txt?=\"", &d);
	EXPECT(l, "name", "caf\xc3\xa9.txt");
	assert_int_equal(d, 0);

	/* Split across continuations. */
	l = parse(state, "; filename*0=\"=?utf-8?B?csOpc3\"; filename*1=\"Vtw6kucGRm?=\"", &d);
	EXPECT(l, "filename", "r\xc3\xa9sum\xc3\xa9.pdf");
	assert_int_equal(d, 0);

	/* Unquoted (invalid twice over), as some mailers send it. */
	l = parse(state, "; name==?utf-8?B?csOpc3Vtw6kucGRm?=", &d);
	EXPECT(l, "name", "r\xc3\xa9sum\xc3\xa9.pdf");
	assert_int_equal(d, BAD);

	/* A boundary must stay byte for byte. */
	l = parse(state, "; boundary=\"=?utf-8?q?abc?=\"", &d);
	EXPECT(l, "boundary", "=?utf-8?q?abc?=");
	assert_int_equal(d, 0);

	/* Not applied to RFC 2231 values. */
	l = parse(state, "; t*=utf-8''=?utf-8?q?abc?=", &d);
	EXPECT(l, "t", "=?utf-8?q?abc?=");
}

static void
test_loose_values(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; name=foo bar.txt", &d);
	EXPECT(l, "name", "foo bar.txt");
	assert_int_equal(d, BAD);

	l = parse(state, "; name=foo \t bar.txt (comment) ; size=10", &d);
	assert_int_equal(count(l), 2);
	EXPECT(l, "name", "foo \t bar.txt");
	EXPECT(l, "size", "10");
	assert_int_equal(d, BAD);

	l = parse(state, "; name=dir/file.txt", &d);
	EXPECT(l, "name", "dir/file.txt");
	assert_int_equal(d, BAD);

	l = parse(state, "; boundary=----=_Part_1_2.3; charset=x", &d);
	EXPECT(l, "boundary", "----=_Part_1_2.3");
	EXPECT(l, "charset", "x");
	assert_int_equal(d, BAD);

	l = parse(state, "; name=file(1).txt", &d);
	EXPECT(l, "name", "file(1).txt");
	assert_int_equal(d, BAD);

	/* A comment right after a token is a comment (RFC 2045 5.1). */
	l = parse(state, "; charset=us-ascii(Plain text)", &d);
	EXPECT(l, "charset", "us-ascii");
	assert_int_equal(d, 0);

	/* Folded between words: the line end goes, the space stays. */
	l = parse(state, "; name=foo\r\n bar.txt", &d);
	EXPECT(l, "name", "foo bar.txt");
	assert_int_equal(d, BAD);
}

static void
test_missing_semicolon(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; a=b c=\"d e\" f = g", &d);
	assert_int_equal(count(l), 3);
	EXPECT(l, "a", "b");
	EXPECT(l, "c", "d e");
	EXPECT(l, "f", "g");
	assert_int_equal(d, BAD);

	/* No ';' before the first parameter either. */
	l = parse(state, "a=b", &d);
	EXPECT(l, "a", "b");
	assert_int_equal(d, BAD);
}

static void
test_trailing_and_empty_separators(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; a=b;", &d);
	assert_int_equal(count(l), 1);
	assert_int_equal(d, 0);
	l = parse(state, ";;; a=b ; ; ;", &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "a", "b");
	assert_int_equal(d, 0);
}

static void
test_empty_value(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; name=; a=b", &d);
	assert_int_equal(count(l), 2);
	EXPECT(l, "name", "");
	EXPECT(l, "a", "b");
	assert_int_equal(d, BAD);

	l = parse(state, "; name=", &d);
	EXPECT(l, "name", "");
	assert_int_equal(d, BAD);

	/* "foo= boundary=..." : foo has no value, boundary is its own. */
	l = parse(state, "; foo=\r\n boundary=\"---\"", &d);
	assert_int_equal(count(l), 2);
	EXPECT(l, "foo", "");
	EXPECT(l, "boundary", "---");
	assert_int_equal(d, BAD);

	/* But "a= b==" is a value with '=' in it. */
	l = parse(state, "; a= b==", &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "a", "b==");
	assert_int_equal(d, BAD);
}

static void
test_stray_quotes(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; name=foo\"bar\"", &d);
	EXPECT(l, "name", "foo\"bar\"");
	assert_int_equal(d, BAD);

	/* Unterminated: runs to the end of the field. */
	l = parse(state, "; name=\"foo; a=b", &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "name", "foo; a=b");
	assert_int_equal(d, BAD);

	/* Junk after the closing quote is dropped. */
	l = parse(state, "; name=\"foo\"bar\"; x\"; a=b", &d);
	assert_int_equal(count(l), 2);
	EXPECT(l, "name", "foo");
	EXPECT(l, "a", "b");
	assert_int_equal(d, BAD);

	/* An escaped closing quote leaves the string open. */
	l = parse(state, "; name=\"a\\\"", &d);
	EXPECT(l, "name", "a\"");
	assert_int_equal(d, BAD);
}

static void
test_8bit(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; name=r\xc3\xa9sum\xc3\xa9.pdf", &d);
	EXPECT(l, "name", "r\xc3\xa9sum\xc3\xa9.pdf");
	assert_int_equal(d, 0);

	l = parse(state, "; name=\"\xe9t\xe9 \xff\"", &d);
	EXPECT(l, "name", "\xe9t\xe9 \xff");
	assert_int_equal(d, 0);

	/* 8-bit in a name: not a name. */
	l = parse(state, "; n\xe9=v; a=b", &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "a", "b");
	assert_int_equal(d, BAD);
}

static void
test_no_equals(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; foo; a=b; bar \"x;y\"; =v; c=d; baz", &d);
	assert_int_equal(count(l), 2);
	EXPECT(l, "a", "b");
	EXPECT(l, "c", "d");
	assert_int_equal(d, BAD);
}

static void
test_repeated_name(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; a=1; b=2; A=3", &d);
	assert_int_equal(count(l), 2);
	EXPECT(l, "a", "1");
	assert_int_equal(d, BAD);

	l = parse(state, "; a*=''1; a*=''2", &d);
	EXPECT(l, "a", "1");
	assert_int_equal(d, BAD);
}

static void
test_odd_names(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; a*b=c", &d);
	EXPECT(l, "a*b", "c");
	assert_int_equal(d, BAD);

	/* Only suffixes and no name: dropped. */
	l = parse(state, "; *0=x; *=y; *12*=z", &d);
	assert_null(l);
	assert_int_equal(d, BAD);
}

static void
test_many_params(void **state)
{
	uint32_t d;
	struct sift_buf b;
	sift_buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		sift_buf_printf(&b, "; p%d=v%d", i, i);
	struct sift_param *l = parse_n(state, b.data, b.len, &d);
	assert_int_equal(count(l), 1000);
	assert_int_equal(d, BAD);
	assert_string_equal(l->name, "p0");
	EXPECT(l, "p999", "v999");
	assert_null(sift_param_find(l, "p1000"));
	sift_buf_free(&b);

	/* All the same name: 1000 pairs read, one kept. */
	sift_buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		sift_buf_printf(&b, "; a=%d", i);
	l = parse_n(state, b.data, b.len, &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "a", "0");
	assert_int_equal(d, BAD);
	sift_buf_free(&b);
}

static void
test_big_value(void **state)
{
	uint32_t d;
	size_t n = 1u << 20;
	char *in = sift_malloc(n * 3 + 32);

	memcpy(in, "; a=\"", 5);
	memset(in + 5, 'x', n);
	memcpy(in + 5 + n, "\"", 1);
	struct sift_param *l = parse_n(state, in, n + 6, &d);
	const struct sift_param *p = sift_param_find(l, "a");
	assert_non_null(p);
	assert_int_equal(p->value_len, n);
	assert_int_equal(p->value[0], 'x');
	assert_int_equal(p->value[n - 1], 'x');
	assert_int_equal(p->value[n], '\0');
	assert_int_equal(d, 0);

	size_t off = strlen("; t*=utf-8''");
	memcpy(in, "; t*=utf-8''", off);
	for (size_t i = 0; i < n; i++)
		memcpy(in + off + 3 * i, "%41", 3);
	l = parse_n(state, in, off + 3 * n, &d);
	p = sift_param_find(l, "t");
	assert_non_null(p);
	assert_int_equal(p->value_len, n);
	assert_int_equal(p->value[n / 2], 'A');
	assert_int_equal(d, 0);
	sift_free(in);
}

static void
test_nul_bytes(void **state)
{
	uint32_t d;
	static const char in[] = "; a=\"x\0y\"; b=c\0d; n\0m=v; e=f";
	struct sift_param *l = parse_n(state, in, sizeof(in) - 1, &d);
	assert_int_equal(count(l), 3);
	EXPECT(l, "a", "x\0y");
	EXPECT(l, "b", "c\0d");
	EXPECT(l, "e", "f");
	assert_int_equal(d, BAD);
}

static void
test_empty_input(void **state)
{
	uint32_t d = 0;
	assert_null(sift_rfc2231_parse(*state, NULL, 0, &d));
	assert_null(parse(state, "", &d));
	assert_null(parse(state, " \t\r\n", &d));
	assert_null(parse(state, ";;;", &d));
	assert_null(parse(state, "(comment) ; (more)", &d));
	assert_int_equal(d, 0);
	assert_null(parse(state, "; (unterminated", &d));
	assert_int_equal(d, BAD);
	/* A NULL defects pointer is allowed. */
	assert_non_null(sift_rfc2231_parse(*state, "; a=b c", 7, NULL));
}

static void
test_comment_nesting(void **state)
{
	uint32_t d;
	size_t n = 100000;
	char *in = sift_malloc(2 * n + 16);
	memcpy(in, "; a=b ", 6);
	memset(in + 6, '(', n);
	memset(in + 6 + n, ')', n);
	memcpy(in + 6 + 2 * n, ";c=d", 4);
	struct sift_param *l = parse_n(state, in, 2 * n + 10, &d);
	assert_int_equal(count(l), 2);
	EXPECT(l, "a", "b");
	EXPECT(l, "c", "d");
	assert_int_equal(d, 0);

	/* Unclosed: the comment eats the rest. */
	l = parse_n(state, in, n + 6, &d);
	assert_int_equal(count(l), 1);
	EXPECT(l, "a", "b");
	assert_int_equal(d, BAD);
	sift_free(in);
}

static void
test_windows_path(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; filename=\"C:\\Temp\\a b.txt\"", &d);
	EXPECT(l, "filename", "C:\\Temp\\a b.txt");
	assert_int_equal(d, 0);
}

static void
test_quoted_extended(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; t*=\"utf-8''%41%20b\"", &d);
	const struct sift_param *p = EXPECT(l, "t", "A b");
	assert_string_equal(p->charset, "utf-8");
	assert_int_equal(d, BAD);

	/* Without charset'language': %-decoded only. */
	l = parse(state, "; t*=abc%41", &d);
	p = EXPECT(l, "t", "abcA");
	assert_null(p->charset);
	assert_int_equal(d, BAD);
}

static void
test_folded_quoted(void **state)
{
	uint32_t d;
	struct sift_param *l = parse(state, "; a=\"x\r\n y\"", &d);
	EXPECT(l, "a", "x y");
	assert_int_equal(d, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_token),
	    T(test_quoted_string),
	    T(test_names_case_insensitive),
	    T(test_comments),
	    T(test_rfc2045_examples),
	    T(test_rfc2231_continuations),
	    T(test_rfc2231_charset_language),
	    T(test_rfc2231_combined),
	    T(test_rfc2231_combined_verbatim),
	    T(test_rfc2231_encoded_word_language),
	    T(test_out_of_order),
	    T(test_mixed_sections),
	    T(test_split_multibyte),
	    T(test_gaps),
	    T(test_repeated_section),
	    T(test_huge_section_numbers),
	    T(test_empty_charset_language),
	    T(test_bad_percent),
	    T(test_unknown_charset),
	    T(test_charset_conversion),
	    T(test_plain_and_extended),
	    T(test_rfc2047_in_values),
	    T(test_loose_values),
	    T(test_missing_semicolon),
	    T(test_trailing_and_empty_separators),
	    T(test_empty_value),
	    T(test_stray_quotes),
	    T(test_8bit),
	    T(test_no_equals),
	    T(test_repeated_name),
	    T(test_odd_names),
	    T(test_many_params),
	    T(test_big_value),
	    T(test_nul_bytes),
	    T(test_empty_input),
	    T(test_comment_nesting),
	    T(test_windows_path),
	    T(test_quoted_extended),
	    T(test_folded_quoted),
#undef T
	};
	return cmocka_run_group_tests_name("rfc2231", tests, NULL, NULL);
}
