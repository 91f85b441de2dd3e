/* SPDX-License-Identifier: MIT */
/* mailbox (RFC 5490): the mailboxexists test through the host; fileinto's
   :create tag is carried in the result.  Without a host callback only
   INBOX exists. */

#include <string.h>

#include "util/str.h"
#include "sieve/ext.h"

static int
exec_mailboxexists(struct sift_run *run, const struct sift_node *node)
{
	const struct sift_sieve_host *host = run->params->host;
	for (size_t i = 0; i < node->pos[0]->count; i++) {
		size_t len;
		const char *name = sift_run_expand(run, &node->pos[0]->items[i], &len);
		int exists;
		if (sift_mailbox_name_problem(name, len) != NULL)
			exists = 0;
		else if (host != NULL && host->mailbox_exists != NULL)
			exists = host->mailbox_exists(host->context, name, len);
		else
			exists = sift_mem_eq_ci_len(name, len, "INBOX", 5);
		if (exists <= 0) {
			sift_run_trace(run, node, name, len, NULL, 0, 0);
			return 0;
		}
	}
	sift_run_trace(run, node, NULL, 0, NULL, 0, 1);
	return 1;
}

const struct sift_cmd_def sift_test_mailboxexists = {
    "mailboxexists", SIFT_CMD_TEST, SIFT_EXT_MAILBOX, 0, "l", 0, 0, NULL, exec_mailboxexists};
