/* SPDX-License-Identifier: MIT */
/* Tests for mail/transfer-decode: the base64 and quoted-printable
   decoders, one-shot and fed in pieces split at every point (two-way,
   three-way for short inputs, byte by byte), with exact output bytes and
   defect bits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mail/defects.h"
#include "mail/transfer-decode.h"

#define S(lit) lit, sizeof(lit) - 1

enum codec { B64, QP };

/* Decodes in, fed as the pieces [0,a) [a,b) [b,len). */
static void
decode_split(enum codec codec, const char *in, size_t len, size_t a, size_t b, struct sift_buf *out,
             uint32_t *defects)
{
	size_t cut[4] = {0, a, b, len};
	if (codec == B64) {
		struct sift_base64_decoder dec;
		sift_base64_init(&dec);
		for (int i = 0; i < 3; i++)
			sift_base64_decode(&dec, in + cut[i], cut[i + 1] - cut[i], out, defects);
		sift_base64_finish(&dec, out, defects);
	} else {
		struct sift_qp_decoder dec;
		sift_qp_init(&dec);
		for (int i = 0; i < 3; i++)
			sift_qp_decode(&dec, in + cut[i], cut[i + 1] - cut[i], out, defects);
		sift_qp_finish(&dec, out, defects);
	}
}

static void
decode_bytewise(enum codec codec, const char *in, size_t len, struct sift_buf *out,
                uint32_t *defects)
{
	struct sift_base64_decoder b64;
	struct sift_qp_decoder qp;
	sift_base64_init(&b64);
	sift_qp_init(&qp);
	for (size_t i = 0; i < len; i++) {
		if (codec == B64)
			sift_base64_decode(&b64, in + i, 1, out, defects);
		else
			sift_qp_decode(&qp, in + i, 1, out, defects);
	}
	if (codec == B64)
		sift_base64_finish(&b64, out, defects);
	else
		sift_qp_finish(&qp, out, defects);
}

static void
expect_result(const struct sift_buf *out, uint32_t defects, const char *want, size_t want_len,
              uint32_t want_defects, size_t a, size_t b)
{
	const char *got = out->data == NULL ? "" : out->data;
	if (out->len != want_len || memcmp(got, want, want_len) != 0) {
		print_error("split at %zu,%zu gave %zu bytes:", a, b, out->len);
		for (size_t i = 0; i < out->len; i++)
			print_error(" %02x", (unsigned char)out->data[i]);
		print_error("\n");
	}
	assert_int_equal(out->len, want_len);
	assert_memory_equal(out->data == NULL ? "" : out->data, want, want_len);
	assert_int_equal(defects, want_defects);
}

/* Checks the exact result one-shot, split at every pair of points (every
   single point for long inputs) and byte by byte. */
static void
check_decode(enum codec codec, const char *in, size_t len, const char *want, size_t want_len,
             uint32_t want_defects)
{
	struct sift_buf out;
	uint32_t defects;
	sift_buf_init(&out, 0);

	defects = 0;
	decode_split(codec, in, len, len, len, &out, &defects);
	expect_result(&out, defects, want, want_len, want_defects, len, len);

	for (size_t a = 0; a <= len; a++) {
		size_t b_first = len <= 100 ? a : len;
		for (size_t b = b_first; b <= len; b++) {
			sift_buf_reset(&out);
			defects = 0;
			decode_split(codec, in, len, a, b, &out, &defects);
			expect_result(&out, defects, want, want_len, want_defects, a, b);
		}
	}
	sift_buf_reset(&out);
	defects = 0;
	decode_bytewise(codec, in, len, &out, &defects);
	expect_result(&out, defects, want, want_len, want_defects, 1, 1);
	sift_buf_free(&out);
}

#define B64_OK(in, want)  check_decode(B64, S(in), S(want), 0)
#define B64_BAD(in, want) check_decode(B64, S(in), S(want), SIFT_DEFECT_BAD_BASE64)
#define QP_OK(in, want)   check_decode(QP, S(in), S(want), 0)
#define QP_BAD(in, want)  check_decode(QP, S(in), S(want), SIFT_DEFECT_BAD_QP)

/* ---- test encoders (straightforward, to produce big inputs) ---------------- */

static char *
b64_encode(const unsigned char *in, size_t len, size_t line, size_t *len_r)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = test_malloc(len * 2 + 16);
	size_t n = 0;
	size_t col = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[n++] = alpha[v >> 18];
		out[n++] = alpha[(v >> 12) & 63];
		out[n++] = i + 1 < len ? alpha[(v >> 6) & 63] : '=';
		out[n++] = i + 2 < len ? alpha[v & 63] : '=';
		col += 4;
		if (line > 0 && col >= line) {
			out[n++] = '\r';
			out[n++] = '\n';
			col = 0;
		}
	}
	*len_r = n;
	return out;
}

/* Every byte as =XX, soft line breaks (alternating "=\r\n" and "= \n")
   every 25 escapes. */
static char *
qp_encode_all(const unsigned char *in, size_t len, size_t *len_r)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = test_malloc(len * 4 + 16);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		out[n++] = '=';
		out[n++] = hex[in[i] >> 4];
		out[n++] = hex[in[i] & 15];
		if (i % 25 == 24) {
			memcpy(out + n, i % 50 == 24 ? "=\r\n" : "= \n", 3);
			n += 3;
		}
	}
	*len_r = n;
	return out;
}

/* ---- base64 ------------------------------------------------------------------ */

static void
test_b64_rfc4648_vectors(void **state)
{
	/* RFC 4648 section 10. */
	B64_OK("", "");
	B64_OK("Zg==", "f");
	B64_OK("Zm8=", "fo");
	B64_OK("Zm9v", "foo");
	B64_OK("Zm9vYg==", "foob");
	B64_OK("Zm9vYmE=", "fooba");
	B64_OK("Zm9vYmFy", "foobar");
	B64_OK("+/+/", "\xfb\xff\xbf");
	B64_OK("AAAA", "\0\0\0");
}

static void
test_b64_whitespace(void **state)
{
	B64_OK("Zm9v\r\nYmFy\r\n", "foobar");
	B64_OK(" Zm 9v\tYg =\n=\n", "foob");
	B64_OK("\r\n\r\n", "");
	B64_OK("Zm9vYmFy\n\n\n   \t", "foobar");
}

static void
test_b64_garbage(void **state)
{
	B64_BAD("Zm9v!YmFy", "foobar");
	B64_BAD("Zm9v\0YmFy", "foobar");
	B64_BAD("Zm\xff\xfe"
	        "9vYmFy",
	        "foobar");
	B64_BAD("-_.", "");
	B64_BAD("Zm9v-", "foo");
	/* Form feed and vertical tab are not the white space mail puts in. */
	B64_BAD("Zm9v\fYmFy\v", "foobar");
}

static void
test_b64_truncated(void **state)
{
	B64_BAD("Zm9vYg", "foob");
	B64_BAD("Zm9vYmE", "fooba");
	/* A single sextet holds no whole byte. */
	B64_BAD("Zm9vY", "foo");
	B64_BAD("Z", "");
	/* One '=' of two. */
	B64_BAD("Zg=", "f");
	B64_BAD("Zg=\r\n", "f");
}

static void
test_b64_padding(void **state)
{
	/* Concatenated base64 streams: decoded and flagged. */
	B64_BAD("Zg==Zm8=", "ffo");
	B64_BAD("Zm8=Zm9v", "fofoo");
	B64_BAD("Zg==\r\nZm9vYmFy\r\n", "ffoobar");
	/* Extra or misplaced padding. */
	B64_BAD("Zg===", "f");
	B64_BAD("=Zm9v", "foo");
	B64_BAD("Z=m9v", "foo");
	B64_BAD("Zm9v=", "foo");
	/* Padding cut short by data. */
	B64_BAD("Zg=Zm9v", "ffoo");
	/* White space between padding characters is fine. */
	B64_OK("Zg= =", "f");
}

static void
test_b64_all_bytes(void **state)
{
	unsigned char bytes[256 * 3];
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 7);
	for (size_t len = 0; len < 40; len++) {
		size_t enc_len;
		char *enc = b64_encode(bytes, len, 8, &enc_len);
		check_decode(B64, enc, enc_len, (const char *)bytes, len, 0);
		test_free(enc);
	}
	size_t enc_len;
	char *enc = b64_encode(bytes, sizeof(bytes), 76, &enc_len);
	check_decode(B64, enc, enc_len, (const char *)bytes, sizeof(bytes), 0);
	test_free(enc);
}

static void
test_b64_large(void **state)
{
	/* Bigger than the decoder's staging chunk, fed in odd sizes. */
	size_t len = 300000;
	unsigned char *bytes = test_malloc(len);
	uint32_t x = 12345;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		bytes[i] = (unsigned char)(x >> 16);
	}
	size_t enc_len;
	char *enc = b64_encode(bytes, len, 76, &enc_len);
	static const size_t steps[] = {1, 3, 4, 7, 77, 4095, 4096, 5000, 1 << 20};
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		struct sift_base64_decoder dec;
		struct sift_buf out;
		uint32_t defects = 0;
		sift_base64_init(&dec);
		sift_buf_init(&out, 0);
		for (size_t i = 0; i < enc_len; i += steps[s]) {
			size_t n = enc_len - i < steps[s] ? enc_len - i : steps[s];
			sift_base64_decode(&dec, enc + i, n, &out, &defects);
		}
		sift_base64_finish(&dec, &out, &defects);
		assert_int_equal(out.len, len);
		assert_memory_equal(out.data, bytes, len);
		assert_int_equal(defects, 0);
		sift_buf_free(&out);
	}
	test_free(enc);
	test_free(bytes);
}

static void
test_b64_output_max(void **state)
{
	struct sift_base64_decoder dec;
	struct sift_buf out;
	uint32_t defects = 0;

	sift_base64_init(&dec);
	sift_buf_init(&out, 5);
	sift_base64_decode(&dec, S("Zm9vYmFyZm9vYmFy"), &out, &defects);
	sift_base64_finish(&dec, &out, &defects);
	assert_int_equal(out.len, 5);
	assert_memory_equal(out.data, "fooba", 5);
	assert_true(out.overflow);
	/* Nothing more is decoded once the output is full. */
	sift_base64_decode(&dec, S("Zm9v"), &out, &defects);
	assert_int_equal(out.len, 5);
	sift_buf_free(&out);
}

static void
test_b64_reuse_after_finish(void **state)
{
	struct sift_base64_decoder dec;
	struct sift_buf out;
	uint32_t defects = 0;

	sift_base64_init(&dec);
	sift_buf_init(&out, 0);
	sift_base64_decode(&dec, S("Zg"), &out, &defects);
	sift_base64_finish(&dec, &out, &defects);
	assert_int_equal(defects, SIFT_DEFECT_BAD_BASE64);
	defects = 0;
	sift_base64_decode(&dec, S("Zm9v"), &out, &defects);
	sift_base64_finish(&dec, &out, &defects);
	assert_int_equal(defects, 0);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, "ffoo", 4);
	sift_buf_free(&out);
}

/* ---- quoted-printable ---------------------------------------------------------- */

static void
test_qp_escapes(void **state)
{
	QP_OK("Hello=20World", "Hello World");
	QP_OK("caf=C3=A9", "caf\xc3\xa9");
	QP_OK("caf=c3=a9", "caf\xc3\xa9");
	QP_OK("caf=c3=A9", "caf\xc3\xa9");
	QP_OK("=3D=3d", "==");
	QP_OK("=00=FF", "\0\xff");
	QP_OK("", "");
	QP_OK("plain text, nothing to do.", "plain text, nothing to do.");
}

static void
test_qp_rfc2045_example(void **state)
{
	/* RFC 2045 6.7 rule (5) example: a soft line break splitting a long
	   line, and "=3D" for a literal '='. */
	QP_OK("Now's the time =\r\n"
	      "for all folk to come=\r\n"
	      " to the aid of their country.",
	      "Now's the time for all folk to come to the aid of their country.");
	QP_OK("a=3Db\r\n", "a=b\r\n");
}

static void
test_qp_soft_breaks(void **state)
{
	QP_OK("abc=\r\ndef", "abcdef");
	QP_OK("abc=\ndef", "abcdef");
	QP_OK("abc=  \t\r\ndef", "abcdef");
	QP_OK("abc= \ndef", "abcdef");
	QP_OK("=\r\n=\n=\r\n", "");
	/* At the very end of the data: a soft break on the last line. */
	QP_OK("abc=", "abc");
	QP_OK("abc=  ", "abc");
	QP_OK("abc=\r", "abc");
}

static void
test_qp_trailing_whitespace(void **state)
{
	QP_OK("abc  \r\ndef \t\nghi", "abc\r\ndef\nghi");
	QP_OK("a  b\tc", "a  b\tc");
	QP_OK("a =3D", "a =");
	QP_OK(" \r\n", "\r\n");
	QP_OK("abc  ", "abc");
	QP_OK("abc \r", "abc\r");
	/* White space before a bare CR is not trailing. */
	QP_OK("a \rb", "a \rb");
	QP_OK("a \r \n", "a \r\n");
	/* Line ends are kept as they are. */
	QP_OK("a\r\nb\nc\rd", "a\r\nb\nc\rd");
}

static void
test_qp_bad_escapes(void **state)
{
	QP_BAD("a=G1b", "a=G1b");
	QP_BAD("a=4Gb", "a=4Gb");
	QP_BAD("a=4", "a=4");
	QP_BAD("a=\rb", "a=\rb");
	QP_BAD("a= b", "a= b");
	QP_BAD("a=\t=41", "a=\tA");
	QP_BAD("==41", "=A");
	QP_BAD("=\r=41", "=\rA");
	QP_BAD("= \r\r\n", "= \r\r\n");
	QP_BAD("=  x  \n", "=  x\n");
	QP_BAD("100% =sure", "100% =sure");
	QP_BAD("=\0", "=\0");
}

static void
test_qp_raw_bytes(void **state)
{
	/* NUL, 8-bit and control bytes are kept, unflagged. */
	QP_OK("a\0b\xff\x01", "a\0b\xff\x01");
	QP_OK("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");
}

static void
test_qp_long_whitespace(void **state)
{
	char in[128];
	char want[128];

	/* 100 spaces then a line end: the first 79 cannot be held back. */
	memset(in, ' ', 100);
	in[100] = '\n';
	memset(want, ' ', 79);
	want[79] = '\n';
	check_decode(QP, in, 101, want, 80, 0);

	/* 70 spaces then a line end: all trailing. */
	in[70] = '\n';
	check_decode(QP, in, 71, "\n", 1, 0);

	/* "=" then 100 spaces: no soft break can be that long. */
	in[0] = '=';
	memset(in + 1, ' ', 100);
	in[101] = '\n';
	want[0] = '=';
	memset(want + 1, ' ', 79);
	want[80] = '\n';
	check_decode(QP, in, 102, want, 81, SIFT_DEFECT_BAD_QP);

	/* "=" then 77 spaces and CRLF: still a soft break. */
	memset(in + 1, ' ', 77);
	memcpy(in + 78, "\r\nx", 3);
	check_decode(QP, in, 81, "x", 1, 0);
}

static void
test_qp_all_bytes(void **state)
{
	unsigned char bytes[512];
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)i;
	size_t enc_len;
	char *enc = qp_encode_all(bytes, sizeof(bytes), &enc_len);
	check_decode(QP, enc, enc_len, (const char *)bytes, sizeof(bytes), 0);
	test_free(enc);
}

static void
test_qp_large(void **state)
{
	/* A body bigger than the staging chunk, with every kind of thing in
	   it, decoded in one go and in odd sizes: same result. */
	static const char line[] = "Voil=C3=A0 un texte, avec des espaces   \r\n"
	                           "et une ligne coup=\r\n"
	                           "=C3=A9e, =3D, =zz ok\t\r\n";
	size_t reps = 3000;
	size_t len = (sizeof(line) - 1) * reps;
	char *in = test_malloc(len);
	for (size_t i = 0; i < reps; i++)
		memcpy(in + i * (sizeof(line) - 1), line, sizeof(line) - 1);

	struct sift_buf want;
	uint32_t want_defects = 0;
	struct sift_qp_decoder dec;
	sift_buf_init(&want, 0);
	sift_qp_init(&dec);
	sift_qp_decode(&dec, in, len, &want, &want_defects);
	sift_qp_finish(&dec, &want, &want_defects);
	assert_int_equal(want_defects, SIFT_DEFECT_BAD_QP);
	static const char dline[] = "Voil\xc3\xa0 un texte, avec des espaces\r\n"
	                            "et une ligne coup\xc3\xa9"
	                            "e, =, =zz ok\r\n";
	assert_int_equal(want.len, (sizeof(dline) - 1) * reps);
	for (size_t i = 0; i < reps; i++)
		assert_memory_equal(want.data + i * (sizeof(dline) - 1), dline, sizeof(dline) - 1);

	static const size_t steps[] = {1, 2, 3, 5, 61, 4095, 4097};
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		struct sift_buf out;
		uint32_t defects = 0;
		sift_buf_init(&out, 0);
		sift_qp_init(&dec);
		for (size_t i = 0; i < len; i += steps[s]) {
			size_t n = len - i < steps[s] ? len - i : steps[s];
			sift_qp_decode(&dec, in + i, n, &out, &defects);
		}
		sift_qp_finish(&dec, &out, &defects);
		assert_int_equal(out.len, want.len);
		assert_memory_equal(out.data, want.data, want.len);
		assert_int_equal(defects, want_defects);
		sift_buf_free(&out);
	}
	sift_buf_free(&want);
	test_free(in);
}

static void
test_qp_output_max(void **state)
{
	struct sift_qp_decoder dec;
	struct sift_buf out;
	uint32_t defects = 0;

	sift_qp_init(&dec);
	sift_buf_init(&out, 4);
	sift_qp_decode(&dec, S("ab=43de=46"), &out, &defects);
	sift_qp_finish(&dec, &out, &defects);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, "abCd", 4);
	assert_true(out.overflow);
	sift_qp_decode(&dec, S("more"), &out, &defects);
	assert_int_equal(out.len, 4);
	sift_buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_b64_rfc4648_vectors),
	    cmocka_unit_test(test_b64_whitespace),
	    cmocka_unit_test(test_b64_garbage),
	    cmocka_unit_test(test_b64_truncated),
	    cmocka_unit_test(test_b64_padding),
	    cmocka_unit_test(test_b64_all_bytes),
	    cmocka_unit_test(test_b64_large),
	    cmocka_unit_test(test_b64_output_max),
	    cmocka_unit_test(test_b64_reuse_after_finish),
	    cmocka_unit_test(test_qp_escapes),
	    cmocka_unit_test(test_qp_rfc2045_example),
	    cmocka_unit_test(test_qp_soft_breaks),
	    cmocka_unit_test(test_qp_trailing_whitespace),
	    cmocka_unit_test(test_qp_bad_escapes),
	    cmocka_unit_test(test_qp_raw_bytes),
	    cmocka_unit_test(test_qp_long_whitespace),
	    cmocka_unit_test(test_qp_all_bytes),
	    cmocka_unit_test(test_qp_large),
	    cmocka_unit_test(test_qp_output_max),
	};
	return cmocka_run_group_tests_name("transfer-decode", tests, NULL, NULL);
}
