/* SPDX-License-Identifier: MIT */
#ifndef SIFT_RFC2231_H
#define SIFT_RFC2231_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* MIME parameters (RFC 2045 5.1) with RFC 2231 extensions: continuations
   (name*0, name*1 ...), charset and language (name*=utf-8'en'%E2%82%AC),
   in any order and mixed. */

struct sift_param {
	struct sift_param *next;
	const char *name;  /* lower case, without the * suffixes */
	const char *value; /* decoded: quotes removed, continuations joined,
	                      %XX decoded and converted to UTF-8 when a
	                      charset was given; NUL-terminated */
	size_t value_len;
	const char *charset;  /* the RFC 2231 charset, or NULL */
	const char *language; /* the RFC 2231 language, or NULL */
};

/* Parses the parameter list that follows a Content-Type or
   Content-Disposition value ("; a=b; c*0=...").  `in` may start at the
   first ';' or before it at white space.  Comments (RFC 5322 CFWS) are
   skipped.  Parameters keep their order of first appearance; a repeated
   name keeps the first.  A parameter that does not parse is skipped up to
   the next ';' and sets SIFT_DEFECT_BAD_PARAMETER; so do gaps in
   continuation numbers (what is there is joined in order).  A quoted value
   that holds RFC 2047 encoded words (a common violation for filenames) is
   decoded too.  An unknown charset keeps the %XX-decoded bytes and sets
   SIFT_DEFECT_UNKNOWN_CHARSET.  When a name comes both plain and in RFC
   2231 form (filename= and filename*=), the RFC 2231 value wins.  At most
   1000 name=value pairs are read (the rest is ignored and flagged).
   Returns the list (NULL if empty). */
struct sift_param *sift_rfc2231_parse(struct sift_arena *arena, const char *in, size_t len,
                                      uint32_t *defects);

/* RFC 2045 token characters: CHAR except SPACE, CTLs and tspecials. */
bool sift_rfc2231_token_char(char c);

/* Skips white space, line ends (a value may still be folded) and comments
   (nested, with quoted-pairs); an unclosed comment runs to the end and sets
   SIFT_DEFECT_BAD_PARAMETER when defects is not NULL. */
const char *sift_rfc2231_skip_cfws(const char *p, const char *end, uint32_t *defects);

/* First parameter of that name (case-insensitive), or NULL. */
const struct sift_param *sift_param_find(const struct sift_param *list, const char *name);

#endif
