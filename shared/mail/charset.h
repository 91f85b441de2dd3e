/* SPDX-License-Identifier: MIT */
#ifndef SIFT_CHARSET_H
#define SIFT_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buffer.h"

/* Conversion of text in a named charset to UTF-8, through iconv.  Charset
   names are matched case-insensitively and through the aliases mail uses
   in practice (utf8, latin1, ks_c_5601-1987, gb2312 read as GB18030, ...).
   Names that are not charsets ("unknown-8bit", "x-unknown", "", names
   with characters other than letters, digits and "-_.:+", names longer
   than 64 bytes) are unknown.  us-ascii and utf-8 take a fast path without
   iconv; 8-bit bytes in us-ascii text are read as UTF-8 where they form
   valid UTF-8 (mislabelled UTF-8 is common), always setting
   SIFT_DEFECT_BAD_CHARSET_DATA.  iconv descriptors are cached per thread. */

/* Converts len bytes of charset text to UTF-8, appending to out.  Bytes
   that are invalid in the charset become U+FFFD (one per byte iconv cannot
   decode, the conversion going on with the next byte; one for an
   incomplete sequence at the end) and set SIFT_DEFECT_BAD_CHARSET_DATA in
   *defects.  Returns 0, or -1 when the charset is unknown: then nothing is
   appended and the caller decides (usually: keep the raw bytes and set
   SIFT_DEFECT_UNKNOWN_CHARSET).  If out reaches its maximum the output is
   cut at a character boundary and conversion stops; the return is still
   0. */
int sift_charset_to_utf8(const char *charset, size_t charset_len, const void *in, size_t len,
                         struct sift_buf *out, uint32_t *defects);

/* True if sift_charset_to_utf8() would accept this charset name. */
bool sift_charset_known(const char *charset, size_t charset_len);

/* Appends bytes that should be UTF-8: valid sequences are copied, each
   maximal invalid subpart (Unicode 3.9: a lone byte, or the valid start of
   a sequence cut short) becomes one U+FFFD and sets
   SIFT_DEFECT_BAD_CHARSET_DATA.  NUL bytes are data and are copied. */
void sift_charset_utf8_sanitize(const void *in, size_t len, struct sift_buf *out,
                                uint32_t *defects);

/* Frees this thread's cached iconv descriptors.  Threads that used the
   cache also free them automatically when they exit; this is for hosts
   that want them closed earlier (and for leak checkers in tests). */
void sift_charset_thread_deinit(void);

#endif
