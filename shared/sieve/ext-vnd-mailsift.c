/* SPDX-License-Identifier: MIT */
/* vnd.mailsift.tempfail and vnd.mailsift.quarantine (docs/vnd-mailsift.7):
   decisions only an MTA can carry out.  Neither cancels the implicit
   keep, so a host that cannot act on them still delivers. */

#include "sieve/ext.h"

static int
exec_vnd(struct sift_run *run, const struct sift_node *node)
{
	size_t len;
	const char *reason = sift_run_expand(run, &node->pos[0]->items[0], &len);
	struct sift_sieve_action a = {
	    .type = node->def == &sift_cmd_tempfail ? SIFT_SIEVE_ACT_TEMPFAIL
	                                            : SIFT_SIEVE_ACT_QUARANTINE,
	    .line = node->line,
	    .arg = sift_arena_memdup0(run->arena, reason, len),
	    .arg_len = len,
	};
	sift_run_trace(run, node, reason, len, NULL, 0, 1);
	return sift_result_add(run, &a);
}

const struct sift_cmd_def sift_cmd_tempfail = {
    "tempfail", SIFT_CMD_COMMAND, SIFT_EXT_TEMPFAIL, 0, "s", 0, 0, NULL, exec_vnd};
const struct sift_cmd_def sift_cmd_quarantine = {
    "quarantine", SIFT_CMD_COMMAND, SIFT_EXT_QUARANTINE, 0, "s", 0, 0, NULL, exec_vnd};
