/* SPDX-License-Identifier: MIT */
/* RFC 5322 lexical helpers (see rfc5322.h).  One pass, no recursion, so
   time is linear and the stack bounded whatever the nesting. */
#include "mail/rfc5322.h"

#include <stdbool.h>

size_t
sift_rfc5322_skip_comment(const char *in, size_t len, size_t pos, size_t max_depth,
                          enum sift_comment_status *status_r)
{
	size_t depth = 0;
	bool deep = false;
	size_t i = pos;

	while (i < len) {
		char c = in[i];
		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c == '(') {
			if (++depth > max_depth)
				deep = true;
		} else if (c == ')' && --depth == 0) {
			*status_r = deep ? SIFT_COMMENT_TOO_DEEP : SIFT_COMMENT_CLOSED;
			return i + 1;
		}
		i++;
	}
	*status_r = SIFT_COMMENT_UNCLOSED;
	return len;
}
