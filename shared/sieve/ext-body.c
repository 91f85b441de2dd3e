/* SPDX-License-Identifier: MIT */
/* body (RFC 5173): :raw, :content and :text transforms over the body
   pieces sieve-extract.c produces; at most body_scan bytes per piece. */

#include <string.h>

#include "sieve/ext.h"
#include "sieve/sieve-extract.h"

static int
validate_body(struct sift_vctx *vctx, struct sift_node *node)
{
	return sift_validate_match(vctx, node, node->pos[0]);
}

static bool
body_piece(void *context, const char *data, size_t len)
{
	return !sift_matcher_value(context, data, len);
}

static int
exec_body(struct sift_run *run, const struct sift_node *node)
{
	struct sift_matcher m;
	sift_matcher_init(&m, run, node);
	enum sift_sieve_body_transform t = SIFT_SIEVE_BODY_TEXT;
	const char *text_type = "text";
	const char *const *types = &text_type;
	size_t ntypes = 1;
	if (node->tags & SIFT_T(RAW)) {
		t = SIFT_SIEVE_BODY_RAW;
	} else if (node->tags & SIFT_T(CONTENT)) {
		t = SIFT_SIEVE_BODY_CONTENT;
		const struct sift_slist *l = node->tag_list[SIFT_TAG_CONTENT];
		const char **arr = sift_arena_alloc(run->scratch, l->count * sizeof(*arr));
		for (size_t i = 0; i < l->count; i++)
			arr[i] = l->items[i].data;
		types = arr;
		ntypes = l->count;
	}
	const char *error = NULL;
	if (sift_sieve_body_extract(run->msg, t, types, ntypes,
	                            sift_limit(run->limits, SIFT_LIMIT_BODY_SCAN), body_piece, &m,
	                            &error) < 0)
		return sift_run_error(run, NULL, node->line, "cannot read the message body: %s",
		                      error != NULL ? error : "?");
	return sift_matcher_finish(&m);
}

const struct sift_cmd_def sift_test_body = {"body",
                                            SIFT_CMD_TEST,
                                            SIFT_EXT_BODY,
                                            SIFT_TAGS_MATCH | SIFT_T(RAW) | SIFT_T(CONTENT) |
                                                SIFT_T(TEXT),
                                            "l",
                                            0,
                                            0,
                                            validate_body,
                                            exec_body};
