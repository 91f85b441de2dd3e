/* SPDX-License-Identifier: MIT */
#ifndef SIFT_RFC2047_H
#define SIFT_RFC2047_H

#include <stddef.h>
#include <stdint.h>

#include "util/buffer.h"

/* RFC 2047 encoded words ("=?charset?B?...?=", "=?charset*lang?Q?...?="). */

/* Decodes an unfolded header text (unstructured text or a phrase), appending
   UTF-8 to out.  Text outside encoded words is copied unchanged (8-bit
   bytes included).  White space between two adjacent encoded words is
   dropped (RFC 2047 6.2); adjacent words of the same charset are joined
   before conversion, so a multibyte character split across two words comes
   out whole.  A malformed word is copied literally and sets
   SIFT_DEFECT_BAD_ENCODED_WORD; a word in an unknown charset is copied
   literally and sets SIFT_DEFECT_UNKNOWN_CHARSET.  Leniencies (as in
   Python's email.policy.default): words are decoded also where they touch
   other text ("foo=?utf-8?q?bar?="), unflagged; a word whose text is
   damaged but readable (spaces inside, 8-bit bytes, a stray '=', bad
   base64 padding) is decoded as far as it goes and sets
   SIFT_DEFECT_BAD_ENCODED_WORD.  Output stops at out's maximum. */
void sift_rfc2047_decode(const char *in, size_t len, struct sift_buf *out, uint32_t *defects);

#endif
