/* SPDX-License-Identifier: MIT */
/* ihave (RFC 5463): the ihave test, decided when the script is compiled,
   and the error command, which stops the script as a runtime error. */

#include "sieve/ext.h"

static int
validate_ihave(struct sift_vctx *vctx, struct sift_node *node)
{
	const struct sift_slist *l = node->pos[0];
	node->kind = 1;
	for (size_t i = 0; i < l->count; i++) {
		if (l->items[i].pieces != NULL) {
			sift_vctx_error(vctx, l->items[i].line, l->items[i].column,
			                "'ihave' takes constant capability names");
			return -1;
		}
		if (sift_ext_lookup(l->items[i].data, l->items[i].len) < 0)
			node->kind = 0;
	}
	return 0;
}

static int
exec_ihave(struct sift_run *run, const struct sift_node *node)
{
	sift_run_trace(run, node, NULL, 0, NULL, 0, node->kind);
	return node->kind;
}

const struct sift_cmd_def sift_test_ihave = {"ihave", SIFT_CMD_TEST,  SIFT_EXT_IHAVE, 0, "l", 0,
                                             0,       validate_ihave, exec_ihave};

static int
exec_error(struct sift_run *run, const struct sift_node *node)
{
	size_t len;
	const char *msg = sift_run_expand(run, &node->pos[0]->items[0], &len);
	return sift_run_error(run, NULL, node->line, "%.*s", (int)(len > 400 ? 400 : len), msg);
}

const struct sift_cmd_def sift_cmd_error = {"error", SIFT_CMD_COMMAND, SIFT_EXT_IHAVE, 0, "s", 0, 0,
                                            NULL,    exec_error};
