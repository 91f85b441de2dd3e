/* SPDX-License-Identifier: MIT */
/* reject and ereject (RFC 5429).  The conflicts with delivering actions
   are enforced when the result is built (sieve-result.c). */

#include "sieve/ext.h"

static int
exec_reject(struct sift_run *run, const struct sift_node *node)
{
	size_t len;
	const char *reason = sift_run_expand(run, &node->pos[0]->items[0], &len);
	struct sift_sieve_action a = {
	    .type = node->def == &sift_cmd_reject ? SIFT_SIEVE_ACT_REJECT : SIFT_SIEVE_ACT_EREJECT,
	    .line = node->line,
	    .arg = sift_arena_memdup0(run->arena, reason, len),
	    .arg_len = len,
	};
	sift_run_trace(run, node, reason, len, NULL, 0, 1);
	return sift_result_add(run, &a);
}

const struct sift_cmd_def sift_cmd_reject = {
    "reject", SIFT_CMD_COMMAND, SIFT_EXT_REJECT, 0, "s", 0, 0, NULL, exec_reject};
const struct sift_cmd_def sift_cmd_ereject = {
    "ereject", SIFT_CMD_COMMAND, SIFT_EXT_EREJECT, 0, "s", 0, 0, NULL, exec_reject};
