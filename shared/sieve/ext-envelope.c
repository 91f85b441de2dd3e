/* SPDX-License-Identifier: MIT */
/* envelope (RFC 5228 5.4): the SMTP envelope the host hands over.  The
   null reverse path is the empty string whatever the address part. */

#include <string.h>

#include "util/str.h"
#include "sieve/ext.h"

enum env_part { ENV_FROM, ENV_TO, ENV_AUTH };

static int
part_of(const char *s, size_t len)
{
	if (sift_mem_eq_ci_len(s, len, "from", 4))
		return ENV_FROM;
	if (sift_mem_eq_ci_len(s, len, "to", 2))
		return ENV_TO;
	if (sift_mem_eq_ci_len(s, len, "auth", 4))
		return ENV_AUTH;
	return -1;
}

static int
validate_envelope(struct sift_vctx *vctx, struct sift_node *node)
{
	int ret = 0;
	node->address_part = SIFT_TAG_ALL;
	static const enum sift_tag parts[] = {SIFT_TAG_LOCALPART, SIFT_TAG_DOMAIN, SIFT_TAG_USER,
	                                      SIFT_TAG_DETAIL};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (node->tags & (UINT64_C(1) << parts[i]))
			node->address_part = parts[i];
	}
	for (size_t i = 0; i < node->pos[0]->count; i++) {
		const struct sift_sval *s = &node->pos[0]->items[i];
		if (s->pieces == NULL && part_of(s->data, s->len) < 0) {
			sift_vctx_error(
			    vctx, s->line, s->column,
			    "unknown envelope part \"%s\" (expected \"from\" or \"to\")", s->data);
			ret = -1;
		}
	}
	if (sift_validate_match(vctx, node, node->pos[1]) < 0)
		ret = -1;
	return ret;
}

static int
exec_envelope(struct sift_run *run, const struct sift_node *node)
{
	struct sift_matcher m;
	sift_matcher_init(&m, run, node);
	const struct sift_sieve_envelope *env = &run->params->envelope;
	bool done = false;
	for (size_t i = 0; i < node->pos[0]->count && !done; i++) {
		size_t plen;
		const char *pname = sift_run_expand(run, &node->pos[0]->items[i], &plen);
		int part = part_of(pname, plen);
		const char *addr = part == ENV_FROM   ? env->from
		                   : part == ENV_TO   ? env->to
		                   : part == ENV_AUTH ? env->auth
		                                      : NULL;
		if (addr == NULL)
			continue;
		size_t alen = strlen(addr);
		if (alen == 0) {
			/* The null reverse path (RFC 5228 5.4). */
			done = sift_matcher_value(&m, "", 0);
			continue;
		}
		const char *at = memrchr(addr, '@', alen);
		const char *local = addr;
		size_t local_len = at != NULL ? (size_t)(at - addr) : alen;
		const char *domain = at != NULL ? at + 1 : NULL;
		size_t domain_len = at != NULL ? alen - local_len - 1 : 0;
		size_t vlen = 0;
		const char *v;
		if (node->address_part == SIFT_TAG_ALL) {
			v = addr;
			vlen = alen;
		} else {
			v = sift_address_part(run, node->address_part, local, local_len, domain,
			                      domain_len, &vlen);
		}
		if (v != NULL)
			done = sift_matcher_value(&m, v, vlen);
	}
	return sift_matcher_finish(&m);
}

const struct sift_cmd_def sift_test_envelope = {"envelope",
                                                SIFT_CMD_TEST,
                                                SIFT_EXT_ENVELOPE,
                                                SIFT_TAGS_MATCH | SIFT_TAGS_ADDRESS_PART,
                                                "ll",
                                                0,
                                                0,
                                                validate_envelope,
                                                exec_envelope};
