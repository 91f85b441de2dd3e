/* SPDX-License-Identifier: MIT */
#ifndef SIFT_RFC5322_H
#define SIFT_RFC5322_H

#include <stddef.h>

/* RFC 5322 lexical pieces shared by the parsers of structured fields. */

enum sift_comment_status {
	SIFT_COMMENT_CLOSED,   /* the comment ended */
	SIFT_COMMENT_TOO_DEEP, /* it ended, but nested deeper than allowed */
	SIFT_COMMENT_UNCLOSED, /* the input ended inside it */
};

/* Skips the comment that starts at in[pos] (a '('): nested comments and
   quoted-pairs (RFC 5322 3.2.2) included, counted, not recursed into.
   Returns the index just past its closing ')', or len when it does not
   close.  Nesting deeper than max_depth is reported, not stopped at. */
size_t sift_rfc5322_skip_comment(const char *in, size_t len, size_t pos, size_t max_depth,
                                 enum sift_comment_status *status_r);

#endif
