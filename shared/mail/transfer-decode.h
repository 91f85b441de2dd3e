/* SPDX-License-Identifier: MIT */
#ifndef SIFT_TRANSFER_DECODE_H
#define SIFT_TRANSFER_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buffer.h"

/* Streaming Content-Transfer-Encoding decoders (RFC 2045 6.7, 6.8): feed
   chunks of any size, split anywhere, then finish.  Both are tolerant:
   they never stop on bad input, they decode what can be decoded and set a
   defect bit (SIFT_DEFECT_BAD_BASE64 / SIFT_DEFECT_BAD_QP).  Output and
   defects do not depend on where the input is split.  Once out reaches
   its maximum, decoding stops (the output is cut there).  A finished
   decoder is back in its initial state and can be used again. */

struct sift_base64_decoder {
	uint32_t bits;
	unsigned int nbits; /* sextets held in bits, 0..3 */
	unsigned int pad;   /* '=' seen in the current quantum */
	bool ended;         /* the padding of a final quantum was seen */
};

void sift_base64_init(struct sift_base64_decoder *dec);
/* Whitespace and line ends are skipped; other characters outside the
   alphabet are skipped and flagged; data after the final padding is
   decoded too (concatenated base64 is common) and flagged, as is an '='
   where no padding can stand. */
void sift_base64_decode(struct sift_base64_decoder *dec, const void *in, size_t len,
                        struct sift_buf *out, uint32_t *defects);
/* Flushes a truncated final quantum (the whole bytes it holds) and flags
   it. */
void sift_base64_finish(struct sift_base64_decoder *dec, struct sift_buf *out, uint32_t *defects);

struct sift_qp_decoder {
	char pending[80]; /* an '=' sequence or trailing whitespace not yet decidable */
	size_t pending_len;
};

void sift_qp_init(struct sift_qp_decoder *dec);
/* Soft line breaks ("=" at end of line) are removed, "=XX" decoded (hex
   digits of either case), trailing whitespace at line ends dropped, line
   ends kept as they are.  An '=' not followed by two hex digits or a line
   end is kept literally and flagged.  "=" (and white space) at the very
   end of the input is a soft line break; trailing white space of the last
   line is dropped. */
void sift_qp_decode(struct sift_qp_decoder *dec, const void *in, size_t len, struct sift_buf *out,
                    uint32_t *defects);
void sift_qp_finish(struct sift_qp_decoder *dec, struct sift_buf *out, uint32_t *defects);

#endif
