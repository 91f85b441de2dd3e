/* SPDX-License-Identifier: MIT */
/* fileinto (RFC 5228 4.1) with :copy (RFC 3894), :flags (RFC 5232) and
   :create (RFC 5490).  The engine checks only what makes a name unusable
   anywhere (NUL, invalid UTF-8, empty); mapping names onto a mail store
   safely is the host's job. */

#include <string.h>

#include "util/str.h"
#include "sieve/ext.h"

const char *
sift_mailbox_name_problem(const char *name, size_t len)
{
	if (memchr(name, '\0', len) != NULL)
		return "contains a NUL byte";
	if (!sift_utf8_valid(name, len))
		return "is not valid UTF-8";
	return NULL;
}

static int
validate_fileinto(struct sift_vctx *vctx, struct sift_node *node)
{
	const struct sift_sval *s = &node->pos[0]->items[0];
	const char *problem;
	if (s->pieces == NULL && (problem = sift_mailbox_name_problem(s->data, s->len)) != NULL) {
		sift_vctx_error(vctx, s->line, s->column, "invalid mailbox name: it %s", problem);
		return -1;
	}
	return 0;
}

static int
exec_fileinto(struct sift_run *run, const struct sift_node *node)
{
	size_t len;
	const char *name = sift_run_expand(run, &node->pos[0]->items[0], &len);
	const char *problem = sift_mailbox_name_problem(name, len);
	if (problem != NULL)
		return sift_run_error(run, NULL, node->line, "invalid mailbox name: it %s",
		                      problem);
	struct sift_sieve_action a = {
	    .type = SIFT_SIEVE_ACT_FILEINTO,
	    .line = node->line,
	    .arg = sift_arena_memdup0(run->arena, name, len),
	    .arg_len = len,
	    .copy = (node->tags & SIFT_T(COPY)) != 0,
	    .create = (node->tags & SIFT_T(CREATE)) != 0,
	};
	a.flags = sift_store_flags(run, node, &a.has_flags, &a.flags_first);
	sift_run_trace(run, node, name, len, NULL, 0, 1);
	return sift_result_add(run, &a);
}

const struct sift_cmd_def sift_cmd_fileinto = {"fileinto",
                                               SIFT_CMD_COMMAND,
                                               SIFT_EXT_FILEINTO,
                                               SIFT_T(COPY) | SIFT_T(FLAGS) | SIFT_T(CREATE),
                                               "s",
                                               0,
                                               0,
                                               validate_fileinto,
                                               exec_fileinto};
