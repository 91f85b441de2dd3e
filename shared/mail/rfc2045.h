/* SPDX-License-Identifier: MIT */
#ifndef SIFT_RFC2045_H
#define SIFT_RFC2045_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "mail/rfc2231.h"

/* MIME header fields (RFC 2045, RFC 2183): Content-Type,
   Content-Transfer-Encoding, Content-Disposition. */

struct sift_content_type {
	const char *type;    /* lower case, NUL-terminated ("text") */
	const char *subtype; /* lower case ("plain") */
	struct sift_param *params;
};

/* Parses an unfolded Content-Type value ("Text/Plain (c); charset=x").
   Returns 0, or -1 when no type/subtype can be read: then type and
   subtype are NULL and SIFT_DEFECT_BAD_CONTENT_TYPE is set; the caller
   applies the default type.  params then holds what follows the first ';'
   if anything (as Python's email package keeps it: the charset of
   "text; charset=koi8-r" still applies to the default text/plain).
   Parameter problems are flagged as sift_rfc2231_parse() does, without
   failing. */
int sift_rfc2045_content_type(struct sift_arena *arena, const char *in, size_t len,
                              struct sift_content_type *ct_r, uint32_t *defects);

enum sift_cte {
	SIFT_CTE_7BIT,
	SIFT_CTE_8BIT,
	SIFT_CTE_BINARY,
	SIFT_CTE_QP,
	SIFT_CTE_BASE64,
	SIFT_CTE_UNKNOWN,
};

/* Reads a Content-Transfer-Encoding value (case-insensitive, comments and
   white space allowed).  Unknown tokens (x-uuencode ...) give
   SIFT_CTE_UNKNOWN; the caller flags that. */
enum sift_cte sift_rfc2045_cte(const char *in, size_t len);
/* "7bit", "quoted-printable", ... ("unknown" for SIFT_CTE_UNKNOWN). */
const char *sift_cte_name(enum sift_cte cte);

/* Parses a Content-Disposition value: *type_r is the lower-case
   disposition type ("attachment"), *params_r its parameters.  Returns 0
   or -1 when there is no type (*type_r NULL, SIFT_DEFECT_BAD_PARAMETER
   set; *params_r still holds any parameters that could be read, so a
   bare "filename=x" is not lost to a caller looking for names). */
int sift_rfc2045_disposition(struct sift_arena *arena, const char *in, size_t len,
                             const char **type_r, struct sift_param **params_r, uint32_t *defects);

#endif
