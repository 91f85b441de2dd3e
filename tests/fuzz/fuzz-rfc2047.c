/* SPDX-License-Identifier: MIT */
/* Fuzz target for mail/rfc2047.c, mail/transfer-decode.c and
   mail/charset.c.  The input is decoded as a header value into a buffer
   capped at 64 KiB; through the base64 and quoted-printable decoders in
   one piece, in three pieces split at points taken from the data, and
   byte by byte (short inputs), all of which must agree exactly; and
   through the charset converter under a charset picked by the first
   byte.  Invariants broken abort(). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/charset.h"
#include "mail/rfc2047.h"
#include "mail/transfer-decode.h"
#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX (64 * 1024)

static const char *const charsets[] = {
    "utf-8",  "us-ascii",   "iso-8859-1",   "windows-1252", "shift_jis",    "iso-2022-jp",
    "euc-kr", "gb2312",     "big5",         "koi8-r",       "utf-16",       "utf-7",
    "utf-32", "big5-hkscs", "iso-8859-8-i", "euc-jp",       "windows-1255", "bogus",
};

static void
decode(int qp, const uint8_t *data, size_t size, size_t a, size_t b, struct sift_buf *out,
       uint32_t *defects)
{
	size_t cut[4] = {0, a, b, size};
	struct sift_base64_decoder b64;
	struct sift_qp_decoder q;
	sift_base64_init(&b64);
	sift_qp_init(&q);
	for (int i = 0; i < 3; i++) {
		if (qp)
			sift_qp_decode(&q, data + cut[i], cut[i + 1] - cut[i], out, defects);
		else
			sift_base64_decode(&b64, data + cut[i], cut[i + 1] - cut[i], out, defects);
	}
	if (qp)
		sift_qp_finish(&q, out, defects);
	else
		sift_base64_finish(&b64, out, defects);
}

static void
same_or_abort(const struct sift_buf *x, uint32_t dx, const struct sift_buf *y, uint32_t dy)
{
	if (x->len != y->len || dx != dy || (x->len > 0 && memcmp(x->data, y->data, x->len) != 0))
		abort();
}

static void
check_transfer(int qp, const uint8_t *data, size_t size, size_t a, size_t b)
{
	struct sift_buf one, split;
	uint32_t d_one = 0, d_split = 0;

	/* Unbounded: the output is never longer than the input. */
	sift_buf_init(&one, 0);
	sift_buf_init(&split, 0);
	decode(qp, data, size, size, size, &one, &d_one);
	decode(qp, data, size, a, b, &split, &d_split);
	same_or_abort(&one, d_one, &split, d_split);
	if (qp ? one.len > size : one.len > size / 4 * 3 + 2)
		abort();

	if (size <= 512) {
		struct sift_base64_decoder b64;
		struct sift_qp_decoder q;
		sift_buf_reset(&split);
		d_split = 0;
		sift_base64_init(&b64);
		sift_qp_init(&q);
		for (size_t i = 0; i < size; i++) {
			if (qp)
				sift_qp_decode(&q, data + i, 1, &split, &d_split);
			else
				sift_base64_decode(&b64, data + i, 1, &split, &d_split);
		}
		if (qp)
			sift_qp_finish(&q, &split, &d_split);
		else
			sift_base64_finish(&b64, &split, &d_split);
		same_or_abort(&one, d_one, &split, d_split);
	}
	sift_buf_free(&one);
	sift_buf_free(&split);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct sift_buf out;
	uint32_t defects = 0;

	/* Encoded words.  Valid UTF-8 in gives valid UTF-8 out: literal text
	   is copied whole and decoded text is converted to UTF-8. */
	sift_buf_init(&out, OUT_MAX);
	sift_rfc2047_decode(in, size, &out, &defects);
	if (out.len > OUT_MAX || (out.data != NULL && out.data[out.len] != '\0'))
		abort();
	if (!out.overflow && sift_utf8_valid(in, size) && !sift_utf8_valid(out.data, out.len))
		abort();
	if (size > 0 && memchr(in, '=', size) == NULL &&
	    (out.len != size || memcmp(out.data, in, size) != 0))
		abort();
	sift_buf_free(&out);

	/* Transfer decoders, split where the data says. */
	size_t a = 0, b = 0;
	if (size > 0) {
		a = ((size_t)data[0] << 8 | data[size - 1]) % (size + 1);
		b = a + (size_t)data[size / 2] * 7 % (size - a + 1);
	}
	check_transfer(0, data, size, a, b);
	check_transfer(1, data, size, a, b);

	/* Charset conversion always gives valid UTF-8. */
	if (size > 0) {
		const char *cs = charsets[data[0] % (sizeof(charsets) / sizeof(charsets[0]))];
		sift_buf_init(&out, OUT_MAX);
		defects = 0;
		int ret = sift_charset_to_utf8(cs, strlen(cs), data + 1, size - 1, &out, &defects);
		if (ret == 0 && !sift_utf8_valid(out.data, out.len))
			abort();
		if (ret < 0 && out.len != 0)
			abort();
		sift_buf_free(&out);
	}
	return 0;
}
