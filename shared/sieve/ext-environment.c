/* SPDX-License-Identifier: MIT */
/* environment (RFC 5183).  The engine answers name and version itself,
   location and phase from the run; every other item (domain, host,
   remote-host, remote-ip, vnd.mailsift.*) comes from the host.  An item
   nobody knows makes the test false. */
#include "mailsift-config.h"

#include <string.h>

#include "util/str.h"
#include "sieve/ext.h"

static int
validate_environment(struct sift_vctx *vctx, struct sift_node *node)
{
	return sift_validate_match(vctx, node, node->pos[1]);
}

static const char *
item_value(struct sift_run *run, const char *name, size_t *len_r)
{
	const struct sift_sieve_host *host = run->params->host;
	if (host != NULL && host->environment != NULL) {
		const char *v = host->environment(host->context, name, len_r);
		if (v != NULL)
			return v;
	}
	const char *v = NULL;
	if (strcmp(name, "name") == 0)
		v = "mailsift";
	else if (strcmp(name, "version") == 0)
		v = PACKAGE_VERSION;
	else if (strcmp(name, "location") == 0)
		v = run->params->location != NULL ? run->params->location : "MDA";
	else if (strcmp(name, "phase") == 0)
		v = run->params->phase != NULL ? run->params->phase : "during";
	if (v != NULL)
		*len_r = strlen(v);
	return v;
}

static int
exec_environment(struct sift_run *run, const struct sift_node *node)
{
	struct sift_matcher m;
	sift_matcher_init(&m, run, node);
	size_t nlen;
	const char *name = sift_run_expand(run, &node->pos[0]->items[0], &nlen);
	char *lower = sift_arena_memdup0(run->scratch, name, nlen);
	sift_mem_lower(lower, nlen);
	size_t vlen = 0;
	const char *v = memchr(lower, '\0', nlen) == NULL ? item_value(run, lower, &vlen) : NULL;
	if (v == NULL) {
		sift_run_trace(run, node, NULL, 0, NULL, 0, 0);
		return 0;
	}
	sift_matcher_value(&m, v, vlen);
	return sift_matcher_finish(&m);
}

const struct sift_cmd_def sift_test_environment = {
    "environment",        SIFT_CMD_TEST,   SIFT_EXT_ENVIRONMENT, SIFT_TAGS_MATCH, "sl", 0, 0,
    validate_environment, exec_environment};
