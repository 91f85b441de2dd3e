/* SPDX-License-Identifier: MIT */
/* Streaming base64 and quoted-printable decoders (RFC 2045 6.7, 6.8).
   They run over whole bodies, so the inner loops are table driven and
   write into a stack chunk that goes to the output buffer in runs.

   Both give the same output and defects however the input is split into
   chunks: every decision that needs bytes not yet seen is held in the
   decoder state (base64: the sextets of an open quantum; QP: an '='
   sequence or a run of white space, at most sizeof(pending) bytes).

   Bad input, base64: characters outside the alphabet are skipped and
   flagged (CR, LF, space and tab silently); data after the final padding
   is decoded as a new stream and flagged; a missing or misplaced '=' is
   flagged; a truncated final quantum gives its whole bytes and is flagged.
   Bad input, QP: an '=' not followed by two hex digits or a line end is
   kept literally and flagged.  Lines longer than 76 characters, 8-bit and
   control bytes are kept as they are, unflagged (common and harmless).
   A run of white space longer than the pending buffer is written out even
   if a line end follows it; a legal QP line cannot hold such a run.

   When the output buffer overflows, decoding stops: the output is the
   decoded text cut at the buffer's maximum. */
#include "mail/transfer-decode.h"
#include "mail/defects.h"

#include <string.h>

#define B64_WS  64 /* skipped silently */
#define B64_PAD 65
#define B64_BAD 66 /* skipped and flagged */

/* Sextet value of each byte, or one of the B64_ classes (all >= 64). */
static const unsigned char b64_value[256] = {
    66, 66, 66, 66, 66, 66, 66, 66, 66, 64, 64, 66, 66, 64, 66, 66, /* 0x00 */
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, /* 0x10 */
    64, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 62, 66, 66, 66, 63, /* 0x20 */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 66, 66, 66, 65, 66, 66, /* 0x30 */
    66, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, /* 0x40 */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 66, 66, 66, 66, 66, /* 0x50 */
    66, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* 0x60 */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 66, 66, 66, 66, 66, /* 0x70 */
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, /* 0x80 */
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, /* 0x90 */
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, /* 0xa0 */
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, /* 0xb0 */
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, /* 0xc0 */
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, /* 0xd0 */
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, /* 0xe0 */
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, /* 0xf0 */
};

/* Value of a hex digit (either case), 255 for anything else. */
static const unsigned char hex_value[256] = {
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0,   1,   2,   3,   4,   5,   6,   7,   8,
    9,   255, 255, 255, 255, 255, 255, 255, 10,  11,  12,  13,  14,  15,  255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 10,  11,  12,  13,  14,  15,  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255,
};

/* Output staging: bytes collect here and reach the sift_buf in runs. */
struct chunk_out {
	struct sift_buf *out;
	size_t n;
	bool stopped; /* out overflowed: decode no further */
	unsigned char buf[4096];
};

static void
chunk_flush(struct chunk_out *o)
{
	if (o->n > 0 && !o->stopped) {
		sift_buf_append_trunc(o->out, o->buf, o->n);
		if (o->out->overflow)
			o->stopped = true;
	}
	o->n = 0;
}

static void
chunk_init(struct chunk_out *o, struct sift_buf *out)
{
	o->out = out;
	o->n = 0;
	o->stopped = out->overflow;
}

/* For the slow paths: len is at most sizeof(pending) + 1. */
static void
chunk_put(struct chunk_out *o, const void *data, size_t len)
{
	if (sizeof(o->buf) - o->n < len)
		chunk_flush(o);
	memcpy(o->buf + o->n, data, len);
	o->n += len;
}

/* ---- base64 ---------------------------------------------------------------- */

void
sift_base64_init(struct sift_base64_decoder *dec)
{
	memset(dec, 0, sizeof(*dec));
}

/* Writes the whole bytes of an incomplete quantum (2 or 3 sextets). */
static void
b64_put_partial(struct chunk_out *o, uint32_t bits, unsigned int nbits)
{
	unsigned char b[2];
	if (nbits == 2) {
		b[0] = (unsigned char)(bits >> 4);
		chunk_put(o, b, 1);
	} else if (nbits == 3) {
		b[0] = (unsigned char)(bits >> 10);
		b[1] = (unsigned char)(bits >> 2);
		chunk_put(o, b, 2);
	}
}

void
sift_base64_decode(struct sift_base64_decoder *dec, const void *in, size_t len,
                   struct sift_buf *out, uint32_t *defects)
{
	const unsigned char *p = in;
	struct chunk_out o;
	uint32_t bits = dec->bits;
	unsigned int nbits = dec->nbits;
	size_t i = 0;

	chunk_init(&o, out);
	while (i < len && !o.stopped) {
		if (o.n > sizeof(o.buf) - 3) {
			chunk_flush(&o);
			continue;
		}
		if (nbits == 0 && dec->pad == 0 && !dec->ended) {
			/* Whole quanta of alphabet characters: the common case. */
			size_t room = (sizeof(o.buf) - o.n) / 3;
			while (room > 0 && len - i >= 4) {
				unsigned int a = b64_value[p[i]];
				unsigned int b = b64_value[p[i + 1]];
				unsigned int c = b64_value[p[i + 2]];
				unsigned int d = b64_value[p[i + 3]];
				if ((a | b | c | d) >= 64)
					break;
				uint32_t v = a << 18 | b << 12 | c << 6 | d;
				o.buf[o.n++] = (unsigned char)(v >> 16);
				o.buf[o.n++] = (unsigned char)(v >> 8);
				o.buf[o.n++] = (unsigned char)v;
				i += 4;
				room--;
			}
			if (room == 0 || len - i < 1)
				continue;
		}
		unsigned int v = b64_value[p[i++]];
		if (v < 64) {
			if (dec->pad > 0) {
				/* "QQ=Q": padding cut short.  Close that
				   quantum and start a new one. */
				b64_put_partial(&o, bits, nbits);
				nbits = 0;
				bits = 0;
				dec->pad = 0;
				*defects |= SIFT_DEFECT_BAD_BASE64;
			} else if (dec->ended) {
				/* Data after the final padding. */
				*defects |= SIFT_DEFECT_BAD_BASE64;
			}
			dec->ended = false;
			bits = bits << 6 | v;
			if (++nbits == 4) {
				o.buf[o.n++] = (unsigned char)(bits >> 16);
				o.buf[o.n++] = (unsigned char)(bits >> 8);
				o.buf[o.n++] = (unsigned char)bits;
				bits = 0;
				nbits = 0;
			}
		} else if (v == B64_PAD) {
			if (nbits == 3) {
				b64_put_partial(&o, bits, nbits);
			} else if (nbits == 2 && dec->pad == 0) {
				dec->pad = 1;
				continue;
			} else if (nbits == 2) {
				b64_put_partial(&o, bits, nbits);
			} else {
				/* No padding can stand here ("=" first, "Q=",
				   a third '='). */
				*defects |= SIFT_DEFECT_BAD_BASE64;
				continue;
			}
			bits = 0;
			nbits = 0;
			dec->pad = 0;
			dec->ended = true;
		} else if (v == B64_BAD) {
			*defects |= SIFT_DEFECT_BAD_BASE64;
		}
	}
	chunk_flush(&o);
	dec->bits = bits;
	dec->nbits = nbits;
}

void
sift_base64_finish(struct sift_base64_decoder *dec, struct sift_buf *out, uint32_t *defects)
{
	if (dec->nbits != 0) {
		struct chunk_out o;
		chunk_init(&o, out);
		b64_put_partial(&o, dec->bits, dec->nbits);
		chunk_flush(&o);
		*defects |= SIFT_DEFECT_BAD_BASE64;
	}
	sift_base64_init(dec);
}

/* ---- quoted-printable -------------------------------------------------------- */

/* Bytes the fast loop cannot copy blindly. */
static bool
qp_special(unsigned char c)
{
	return c == '=' || c == ' ' || c == '\t';
}

/* After white space: bytes that leave open whether it is trailing. */
static bool
qp_ws_open(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void
sift_qp_init(struct sift_qp_decoder *dec)
{
	dec->pending_len = 0;
}

static void qp_step(struct sift_qp_decoder *dec, unsigned char c, struct chunk_out *o,
                    uint32_t *defects);

/* The pending '=' sequence is not an escape: the '=' is literal text and
   what followed it (hex digit, white space, CR: never another '=') is
   read again as ordinary input, then c. */
static void
qp_bad_escape(struct sift_qp_decoder *dec, unsigned char c, struct chunk_out *o, uint32_t *defects)
{
	char tail[sizeof(dec->pending)];
	size_t tail_len = dec->pending_len - 1;

	*defects |= SIFT_DEFECT_BAD_QP;
	memcpy(tail, dec->pending + 1, tail_len);
	dec->pending_len = 0;
	chunk_put(o, "=", 1);
	for (size_t i = 0; i < tail_len; i++)
		qp_step(dec, (unsigned char)tail[i], o, defects);
	qp_step(dec, c, o, defects);
}

/* One byte through the state machine; the pending bytes are the state. */
static void
qp_step(struct sift_qp_decoder *dec, unsigned char c, struct chunk_out *o, uint32_t *defects)
{
	char *pend = dec->pending;
	size_t n = dec->pending_len;
	bool ws = c == ' ' || c == '\t';

	if (n == 0) {
		if (c == '=' || ws) {
			pend[0] = (char)c;
			dec->pending_len = 1;
		} else {
			chunk_put(o, &c, 1);
		}
		return;
	}
	unsigned char last = (unsigned char)pend[n - 1];
	if (pend[0] == '=') {
		if (n == 1 && hex_value[c] != 255) {
			pend[1] = (char)c;
			dec->pending_len = 2;
		} else if (n == 2 && hex_value[(unsigned char)pend[1]] != 255) {
			if (hex_value[c] == 255) {
				qp_bad_escape(dec, c, o, defects);
				return;
			}
			unsigned int hi = hex_value[(unsigned char)pend[1]];
			unsigned char b = (unsigned char)(hi << 4 | hex_value[c]);
			chunk_put(o, &b, 1);
			dec->pending_len = 0;
		} else if (c == '\n') {
			/* "=\n", "=\r\n", "= \t\r\n": soft line break. */
			dec->pending_len = 0;
		} else if (last != '\r' && (c == '\r' || (ws && n < sizeof(dec->pending) - 1))) {
			pend[n] = (char)c;
			dec->pending_len = n + 1;
		} else {
			qp_bad_escape(dec, c, o, defects);
		}
		return;
	}
	/* White space, perhaps followed by a CR. */
	if (last == '\r') {
		dec->pending_len = 0;
		if (c == '\n') {
			chunk_put(o, "\r\n", 2); /* trailing white space dropped */
		} else {
			chunk_put(o, pend, n);
			qp_step(dec, c, o, defects);
		}
	} else if (c == '\n') {
		dec->pending_len = 0;
		chunk_put(o, "\n", 1);
	} else if (c == '\r' || (ws && n < sizeof(dec->pending) - 1)) {
		pend[n] = (char)c;
		dec->pending_len = n + 1;
	} else {
		chunk_put(o, pend, n);
		dec->pending_len = 0;
		qp_step(dec, c, o, defects);
	}
}

void
sift_qp_decode(struct sift_qp_decoder *dec, const void *in, size_t len, struct sift_buf *out,
               uint32_t *defects)
{
	const unsigned char *p = in;
	struct chunk_out o;
	size_t i = 0;

	chunk_init(&o, out);
	while (i < len && !o.stopped) {
		if (dec->pending_len == 0) {
			/* Fast loop: plain bytes, "=XX", and white space
			   that is followed by something other than white
			   space or a line end, all decided on the spot. */
			size_t room = sizeof(o.buf) - o.n;
			while (room > 0 && i < len) {
				unsigned char c = p[i];
				if (!qp_special(c)) {
					o.buf[o.n++] = c;
					i++;
				} else if (c == '=') {
					if (len - i < 3 || hex_value[p[i + 1]] == 255 ||
					    hex_value[p[i + 2]] == 255)
						break;
					o.buf[o.n++] = (unsigned char)(hex_value[p[i + 1]] << 4 |
					                               hex_value[p[i + 2]]);
					i += 3;
				} else {
					if (len - i < 2 || qp_ws_open(p[i + 1]))
						break;
					o.buf[o.n++] = c;
					i++;
				}
				room--;
			}
			if (room == 0) {
				chunk_flush(&o);
				continue;
			}
			if (i >= len)
				break;
		}
		qp_step(dec, p[i++], &o, defects);
	}
	chunk_flush(&o);
}

void
sift_qp_finish(struct sift_qp_decoder *dec, struct sift_buf *out, uint32_t *defects)
{
	const char *pend = dec->pending;
	size_t n = dec->pending_len;
	struct chunk_out o;

	chunk_init(&o, out);
	if (n == 0) {
		/* nothing held */
	} else if (pend[0] == '=') {
		/* "=" (white space, CR) at the very end: a soft line break
		   on the last line, as encoders write to avoid a final line
		   end.  "=X" is a cut escape. */
		if (n == 2 && hex_value[(unsigned char)pend[1]] != 255) {
			chunk_put(&o, pend, n);
			*defects |= SIFT_DEFECT_BAD_QP;
		}
	} else if (pend[n - 1] == '\r') {
		chunk_put(&o, "\r", 1); /* the white space before it is trailing */
	}
	/* Trailing white space of the last line is dropped. */
	chunk_flush(&o);
	dec->pending_len = 0;
}
