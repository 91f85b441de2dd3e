/* SPDX-License-Identifier: MIT */
/* RFC 5228 itself: control commands, keep, discard, redirect, and the
   tests address, header, exists, size, allof, anyof, not, true, false. */

#include <stdio.h>
#include <string.h>

#include "util/str.h"
#include "mail/header.h"
#include "mail/rfc5322-address.h"
#include "sieve/ext.h"

static int
exec_nothing(struct sift_run *run, const struct sift_node *node)
{
	(void)run;
	(void)node;
	return 0;
}

const struct sift_cmd_def sift_cmd_require = {
    "require", SIFT_CMD_COMMAND, SIFT_EXT_CORE, 0, "l", 0, 0, NULL, exec_nothing};
const struct sift_cmd_def sift_cmd_if = {"if", SIFT_CMD_COMMAND, SIFT_EXT_CORE, 0, "", 1, 1,
                                         NULL, exec_nothing};
const struct sift_cmd_def sift_cmd_elsif = {"elsif", SIFT_CMD_COMMAND, SIFT_EXT_CORE, 0, "", 1, 1,
                                            NULL,    exec_nothing};
const struct sift_cmd_def sift_cmd_else = {"else", SIFT_CMD_COMMAND, SIFT_EXT_CORE, 0, "", 0, 1,
                                           NULL,   exec_nothing};

static int
exec_stop(struct sift_run *run, const struct sift_node *node)
{
	(void)run;
	(void)node;
	return 1;
}
const struct sift_cmd_def sift_cmd_stop = {"stop", SIFT_CMD_COMMAND, SIFT_EXT_CORE, 0, "", 0, 0,
                                           NULL,   exec_stop};

static int
exec_keep(struct sift_run *run, const struct sift_node *node)
{
	struct sift_sieve_action a = {
	    .type = SIFT_SIEVE_ACT_KEEP, .line = node->line, .arg = "INBOX", .arg_len = 5};
	a.flags = sift_store_flags(run, node, &a.has_flags, &a.flags_first);
	sift_run_trace(run, node, NULL, 0, NULL, 0, 1);
	return sift_result_add(run, &a);
}
const struct sift_cmd_def sift_cmd_keep = {
    "keep", SIFT_CMD_COMMAND, SIFT_EXT_CORE, SIFT_T(FLAGS), "", 0, 0, NULL, exec_keep};

static int
exec_discard(struct sift_run *run, const struct sift_node *node)
{
	struct sift_sieve_action a = {.type = SIFT_SIEVE_ACT_DISCARD, .line = node->line};
	sift_run_trace(run, node, NULL, 0, NULL, 0, 1);
	return sift_result_add(run, &a);
}
const struct sift_cmd_def sift_cmd_discard = {
    "discard", SIFT_CMD_COMMAND, SIFT_EXT_CORE, 0, "", 0, 0, NULL, exec_discard};

/* ---- redirect ---- */

const char *
sift_redirect_address(struct sift_arena *arena, const char *in, size_t len, size_t *len_r)
{
	struct sift_address *list = NULL;
	uint32_t defects = 0;
	size_t n = sift_address_parse_list(arena, in, len, 2, &list, &defects);
	if (n != 1 || list->invalid || list->domain == NULL || list->domain_len == 0 ||
	    list->local_part_len == 0 || list->group != NULL)
		return NULL;
	const char *spec = sift_address_spec(arena, list);
	size_t slen = strlen(spec);
	char *out = sift_arena_memdup0(arena, spec, slen);
	/* The domain is case-insensitive: compare and print it in lower case. */
	sift_mem_lower(out + slen - list->domain_len, list->domain_len);
	*len_r = slen;
	return out;
}

static int
validate_redirect(struct sift_vctx *vctx, struct sift_node *node)
{
	const struct sift_sval *s = &node->pos[0]->items[0];
	size_t len;
	if (s->pieces == NULL &&
	    sift_redirect_address(vctx->arena, s->data, s->len, &len) == NULL) {
		sift_vctx_error(vctx, s->line, s->column, "invalid redirect address \"%s\"",
		                s->data);
		return -1;
	}
	return 0;
}

static int
exec_redirect(struct sift_run *run, const struct sift_node *node)
{
	size_t len, alen;
	const char *text = sift_run_expand(run, &node->pos[0]->items[0], &len);
	const char *addr = sift_redirect_address(run->arena, text, len, &alen);
	if (addr == NULL)
		return sift_run_error(run, NULL, node->line, "invalid redirect address \"%s\"",
		                      text);
	struct sift_sieve_action a = {.type = SIFT_SIEVE_ACT_REDIRECT,
	                              .line = node->line,
	                              .arg = addr,
	                              .arg_len = alen,
	                              .copy = (node->tags & SIFT_T(COPY)) != 0};
	sift_run_trace(run, node, addr, alen, NULL, 0, 1);
	return sift_result_add(run, &a);
}
const struct sift_cmd_def sift_cmd_redirect = {
    "redirect", SIFT_CMD_COMMAND,  SIFT_EXT_CORE, SIFT_T(COPY), "s", 0,
    0,          validate_redirect, exec_redirect};

/* ---- header names ---- */

static int
validate_header_names(struct sift_vctx *vctx, const struct sift_slist *list)
{
	int ret = 0;
	for (size_t i = 0; i < list->count; i++) {
		const struct sift_sval *s = &list->items[i];
		if (s->pieces != NULL)
			continue;
		bool ok = s->len > 0;
		for (size_t j = 0; j < s->len && ok; j++) {
			unsigned char c = (unsigned char)s->data[j];
			ok = c > 32 && c < 127 && c != ':';
		}
		if (!ok) {
			sift_vctx_error(vctx, s->line, s->column, "invalid header name \"%s\"",
			                s->data);
			ret = -1;
		}
	}
	return ret;
}

/* ---- header ---- */

static int
validate_header(struct sift_vctx *vctx, struct sift_node *node)
{
	int ret = validate_header_names(vctx, node->pos[0]);
	if (sift_validate_index(vctx, node) < 0)
		ret = -1;
	if (sift_validate_match(vctx, node, node->pos[1]) < 0)
		ret = -1;
	return ret;
}

static bool
header_field(struct sift_run *run, struct sift_matcher *m, struct sift_header *h)
{
	size_t vlen;
	const char *v = sift_header_value(sift_message_arena(run->msg), h, &vlen);
	return sift_matcher_value(m, v, vlen);
}

/* header and address: the values of the named fields against the keys. */
static int
field_test(struct sift_run *run, const struct sift_node *node, sift_field_fn *fn)
{
	struct sift_matcher m;
	sift_matcher_init(&m, run, node);
	sift_run_fields(run, node, node->pos[0], &m, fn);
	return sift_matcher_finish(&m);
}

static int
exec_header(struct sift_run *run, const struct sift_node *node)
{
	return field_test(run, node, header_field);
}

const struct sift_cmd_def sift_test_header = {"header",
                                              SIFT_CMD_TEST,
                                              SIFT_EXT_CORE,
                                              SIFT_TAGS_MATCH | SIFT_T(INDEX) | SIFT_T(LAST),
                                              "ll",
                                              0,
                                              0,
                                              validate_header,
                                              exec_header};

/* ---- address ---- */

struct sift_addr_cache {
	struct sift_addr_cache *next;
	const struct sift_header *hdr;
	struct sift_address *list;
	size_t count;
};

/* The addresses of one field, parsed once per run.  Edited fields are
   new header structs, so they never hit a stale entry. */
static struct sift_addr_cache *
field_addresses(struct sift_run *run, struct sift_header *h)
{
	for (struct sift_addr_cache *c = run->addr_cache; c != NULL; c = c->next) {
		if (c->hdr == h)
			return c;
	}
	struct sift_arena *marena = sift_message_arena(run->msg);
	size_t ulen;
	const char *unfolded = sift_header_unfolded(marena, h, &ulen);
	struct sift_addr_cache *c = sift_arena_zalloc(run->scratch, sizeof(*c));
	uint32_t defects = 0;
	c->hdr = h;
	/* The address test never looks at display names: not decoded. */
	c->count = sift_address_parse_list_flags(
	    run->scratch, unfolded, ulen, (size_t)sift_limit(run->limits, SIFT_LIMIT_ADDRESS_COUNT),
	    SIFT_ADDRESS_RAW_NAMES, &c->list, &defects);
	c->next = run->addr_cache;
	run->addr_cache = c;
	return c;
}

static void
resolve_address_part(struct sift_node *node)
{
	static const enum sift_tag parts[] = {SIFT_TAG_ALL, SIFT_TAG_LOCALPART, SIFT_TAG_DOMAIN,
	                                      SIFT_TAG_USER, SIFT_TAG_DETAIL};
	node->address_part = SIFT_TAG_ALL;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (node->tags & (UINT64_C(1) << parts[i]))
			node->address_part = parts[i];
	}
}

/* RFC 5228 5.1: the address test is for fields that hold addresses.
   Beyond the standard ones, any X- field and the Original-* fields of
   RFC 5337 are allowed, for site-specific address fields. */
static bool
may_hold_addresses(const char *name, size_t len)
{
	return sift_header_is_address(name, len) || (len > 2 && sift_mem_eq_ci(name, 2, "x-")) ||
	       (len > 9 && sift_mem_eq_ci(name, 9, "original-")) ||
	       sift_mem_eq_ci_len(name, len, "approved", 8);
}

static int
validate_address(struct sift_vctx *vctx, struct sift_node *node)
{
	resolve_address_part(node);
	int ret = validate_header_names(vctx, node->pos[0]);
	for (size_t i = 0; ret == 0 && i < node->pos[0]->count; i++) {
		const struct sift_sval *n = &node->pos[0]->items[i];
		if (n->pieces == NULL && !may_hold_addresses(n->data, n->len)) {
			sift_vctx_error(vctx, n->line, n->column,
			                "header \"%s\" does not hold addresses", n->data);
			ret = -1;
		}
	}
	if (sift_validate_index(vctx, node) < 0)
		ret = -1;
	if (sift_validate_match(vctx, node, node->pos[1]) < 0)
		ret = -1;
	return ret;
}

static bool
address_field(struct sift_run *run, struct sift_matcher *m, struct sift_header *h)
{
	const struct sift_node *node = m->node;
	struct sift_addr_cache *fa = field_addresses(run, h);
	if (fa->count == 0 && node->address_part == SIFT_TAG_ALL) {
		/* An empty field is one empty, invalid address: only :all sees
		   it (RFC 5228 2.7.4). */
		size_t ulen;
		const char *t = sift_header_unfolded(sift_message_arena(run->msg), h, &ulen);
		sift_mem_trim(&t, &ulen);
		if (ulen == 0 && sift_matcher_value(m, "", 0))
			return true;
	}
	for (struct sift_address *a = fa->list; a != NULL; a = a->next) {
		size_t plen = 0;
		const char *part;
		if (a->invalid) {
			if (node->address_part != SIFT_TAG_ALL)
				continue;
			part = a->local_part;
			plen = a->local_part_len;
		} else if (node->address_part == SIFT_TAG_ALL) {
			part = sift_address_spec(run->scratch, a);
			plen = strlen(part);
		} else {
			part =
			    sift_address_part(run, node->address_part, a->local_part,
			                      a->local_part_len, a->domain, a->domain_len, &plen);
		}
		if (part != NULL && sift_matcher_value(m, part, plen))
			return true;
	}
	return false;
}

static int
exec_address(struct sift_run *run, const struct sift_node *node)
{
	return field_test(run, node, address_field);
}

const struct sift_cmd_def sift_test_address = {"address",
                                               SIFT_CMD_TEST,
                                               SIFT_EXT_CORE,
                                               SIFT_TAGS_MATCH | SIFT_TAGS_ADDRESS_PART |
                                                   SIFT_T(INDEX) | SIFT_T(LAST),
                                               "ll",
                                               0,
                                               0,
                                               validate_address,
                                               exec_address};

/* ---- exists, size, logic ---- */

static int
validate_exists(struct sift_vctx *vctx, struct sift_node *node)
{
	return validate_header_names(vctx, node->pos[0]);
}

static int
exec_exists(struct sift_run *run, const struct sift_node *node)
{
	struct sift_header_list *headers = sift_run_headers(run);
	for (size_t i = 0; i < node->pos[0]->count; i++) {
		size_t nlen;
		const char *name = sift_run_expand(run, &node->pos[0]->items[i], &nlen);
		bool found = false;
		for (struct sift_header *h = headers->first; h != NULL && !found; h = h->next)
			found = sift_mem_eq_ci_len(h->name, h->name_len, name, nlen);
		if (!found) {
			sift_run_trace(run, node, name, nlen, NULL, 0, 0);
			return 0;
		}
	}
	sift_run_trace(run, node, NULL, 0, NULL, 0, 1);
	return 1;
}
const struct sift_cmd_def sift_test_exists = {"exists", SIFT_CMD_TEST,   SIFT_EXT_CORE, 0, "l", 0,
                                              0,        validate_exists, exec_exists};

static int
validate_size(struct sift_vctx *vctx, struct sift_node *node)
{
	if ((node->tags & (SIFT_T(OVER) | SIFT_T(UNDER))) == 0) {
		sift_vctx_error(vctx, node->line, node->column, "'size' expects :over or :under");
		return -1;
	}
	return 0;
}

static int
exec_size(struct sift_run *run, const struct sift_node *node)
{
	uint64_t size = sift_message_size(run->msg);
	bool over = (node->tags & SIFT_T(OVER)) != 0;
	uint64_t limit = node->tag_number[over ? SIFT_TAG_OVER : SIFT_TAG_UNDER];
	int r = over ? size > limit : size < limit;
	if (run->params->trace != NULL) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)size);
		char key[64];
		int k = snprintf(key, sizeof(key), "%s %llu", over ? "over" : "under",
		                 (unsigned long long)limit);
		sift_run_trace(run, node, buf, (size_t)n, key, (size_t)k, r);
	}
	return r;
}
const struct sift_cmd_def sift_test_size = {
    "size", SIFT_CMD_TEST, SIFT_EXT_CORE, SIFT_T(OVER) | SIFT_T(UNDER), "", 0,
    0,      validate_size, exec_size};

/* allof, anyof and not follow three-valued logic when a test is unknown
   (an envelope-only run): false and unknown is false, true or unknown is
   true, otherwise unknown stays unknown. */
static int
exec_allof(struct sift_run *run, const struct sift_node *node)
{
	int ret = 1;
	for (size_t i = 0; i < node->ntests; i++) {
		int r = sift_run_test(run, node->tests[i]);
		if (r <= 0)
			return r;
		if (r == SIFT_TEST_UNKNOWN)
			ret = r;
	}
	return ret;
}
const struct sift_cmd_def sift_test_allof = {"allof", SIFT_CMD_TEST, SIFT_EXT_CORE, 0, "", -1,
                                             0,       NULL,          exec_allof};

static int
exec_anyof(struct sift_run *run, const struct sift_node *node)
{
	int ret = 0;
	for (size_t i = 0; i < node->ntests; i++) {
		int r = sift_run_test(run, node->tests[i]);
		if (r == SIFT_TEST_UNKNOWN)
			ret = r;
		else if (r != 0)
			return r;
	}
	return ret;
}
const struct sift_cmd_def sift_test_anyof = {"anyof", SIFT_CMD_TEST, SIFT_EXT_CORE, 0, "", -1,
                                             0,       NULL,          exec_anyof};

static int
exec_not(struct sift_run *run, const struct sift_node *node)
{
	int r = sift_run_test(run, node->tests[0]);
	return r < 0 || r == SIFT_TEST_UNKNOWN ? r : !r;
}
const struct sift_cmd_def sift_test_not = {"not", SIFT_CMD_TEST, SIFT_EXT_CORE, 0, "", 1,
                                           0,     NULL,          exec_not};

static int
exec_true(struct sift_run *run, const struct sift_node *node)
{
	(void)run;
	(void)node;
	return 1;
}
static int
exec_false(struct sift_run *run, const struct sift_node *node)
{
	(void)run;
	(void)node;
	return 0;
}
const struct sift_cmd_def sift_test_true = {"true", SIFT_CMD_TEST, SIFT_EXT_CORE, 0, "", 0,
                                            0,      NULL,          exec_true};
const struct sift_cmd_def sift_test_false = {"false", SIFT_CMD_TEST, SIFT_EXT_CORE, 0, "", 0,
                                             0,       NULL,          exec_false};
