/* SPDX-License-Identifier: MIT */
/* editheader (RFC 5293): addheader and deleteheader.  Edits apply to a
   copy of the message's top-level header list that later tests see; the
   result records them for the host.  Received and Auto-Submitted cannot
   be deleted (RFC 5293 6, 9: loop detection relies on them; the command
   is then a no-op, as in Pigeonhole), a name that is not a
   field name is refused, and a value cannot carry a line break into the
   header (line breaks become spaces). */

#include <string.h>

#include "util/str.h"
#include "mail/header.h"
#include "sieve/ext.h"

static bool
is_protected(const char *name, size_t len)
{
	return sift_mem_eq_ci_len(name, len, "received", 8) ||
	       sift_mem_eq_ci_len(name, len, "auto-submitted", 14);
}

static const char *
name_problem(const char *name, size_t len)
{
	if (len == 0)
		return "is empty";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= 32 || c >= 127 || c == ':')
			return "is not a valid header field name";
	}
	return NULL;
}

static int
validate_name(struct sift_vctx *vctx, const struct sift_sval *s)
{
	const char *problem;
	if (s->pieces == NULL && (problem = name_problem(s->data, s->len)) != NULL) {
		sift_vctx_error(vctx, s->line, s->column, "header field name \"%s\" %s", s->data,
		                problem);
		return -1;
	}
	return 0;
}

static int
validate_addheader(struct sift_vctx *vctx, struct sift_node *node)
{
	int ret = validate_name(vctx, &node->pos[0]->items[0]);
	const struct sift_sval *v = &node->pos[1]->items[0];
	if (v->pieces == NULL && memchr(v->data, '\0', v->len) != NULL) {
		sift_vctx_error(vctx, v->line, v->column, "header value contains a NUL byte");
		ret = -1;
	}
	return ret;
}

/* Copies the top-level header list on the first edit, so the message
   itself stays as received. */
static struct sift_header_list *
edit_list(struct sift_run *run)
{
	if (run->headers != NULL)
		return run->headers;
	struct sift_header_list *copy = sift_header_list_copy(run->arena, sift_run_headers(run));
	run->headers = copy;
	return copy;
}

static int
exec_addheader(struct sift_run *run, const struct sift_node *node)
{
	size_t nlen, vlen;
	const char *name = sift_run_expand(run, &node->pos[0]->items[0], &nlen);
	const char *problem = name_problem(name, nlen);
	if (problem != NULL)
		return sift_run_error(run, NULL, node->line,
		                      "addheader: header field name \"%s\" %s", name, problem);
	const char *value = sift_run_expand(run, &node->pos[1]->items[0], &vlen);
	if (memchr(value, '\0', vlen) != NULL)
		return sift_run_error(run, NULL, node->line,
		                      "addheader: header value contains a NUL byte");
	uint64_t max = sift_limit(run->limits, SIFT_LIMIT_HEADER_EDIT_BYTES);
	if (nlen + 2 + vlen > max)
		return sift_run_error(run, NULL, node->line,
		                      "addheader: header field too long (%zu bytes, limit %llu)",
		                      nlen + 2 + vlen, (unsigned long long)max);
	char *clean = sift_arena_alloc(run->arena, vlen + 1);
	size_t o = 0;
	for (size_t i = 0; i < vlen; i++) {
		if (value[i] == '\r' || value[i] == '\n') {
			while (i + 1 < vlen && (value[i + 1] == '\r' || value[i + 1] == '\n'))
				i++;
			clean[o++] = ' ';
			continue;
		}
		clean[o++] = value[i];
	}
	clean[o] = '\0';
	char *cname = sift_arena_memdup0(run->arena, name, nlen);

	struct sift_header_list *list = edit_list(run);
	struct sift_header *h = sift_arena_zalloc(run->arena, sizeof(*h));
	h->name = cname;
	h->name_len = nlen;
	h->raw = clean;
	h->raw_len = o;
	bool last = (node->tags & SIFT_T(LAST)) != 0;
	if (last || list->first == NULL) {
		if (list->last != NULL)
			list->last->next = h;
		else
			list->first = h;
		list->last = h;
	} else {
		h->next = list->first;
		list->first = h;
	}
	list->count++;
	struct sift_sieve_action a = {.type = SIFT_SIEVE_ACT_ADDHEADER,
	                              .line = node->line,
	                              .arg = cname,
	                              .arg_len = nlen,
	                              .value = clean,
	                              .value_len = o,
	                              .last = last};
	sift_run_trace(run, node, clean, o, NULL, 0, 1);
	return sift_result_add(run, &a);
}

const struct sift_cmd_def sift_cmd_addheader = {
    "addheader", SIFT_CMD_COMMAND,   SIFT_EXT_EDITHEADER, SIFT_T(LAST), "ss", 0,
    0,           validate_addheader, exec_addheader};

static int
validate_deleteheader(struct sift_vctx *vctx, struct sift_node *node)
{
	int ret = validate_name(vctx, &node->pos[0]->items[0]);
	const struct sift_sval *n = &node->pos[0]->items[0];
	if (n->pieces == NULL && is_protected(n->data, n->len))
		sift_vctx_warning(vctx, n->line, n->column,
		                  "header field \"%s\" is protected: deleteheader leaves it alone",
		                  n->data);
	if (sift_validate_index(vctx, node) < 0)
		ret = -1;
	/* Without value patterns every field of that name goes. */
	if (sift_validate_match(vctx, node, node->pos[1]) < 0)
		ret = -1;
	return ret;
}

static int
exec_deleteheader(struct sift_run *run, const struct sift_node *node)
{
	size_t nlen;
	const char *name = sift_run_expand(run, &node->pos[0]->items[0], &nlen);
	if (name_problem(name, nlen) != NULL)
		return sift_run_error(run, NULL, node->line,
		                      "deleteheader: \"%s\" is not a valid header field name",
		                      name);
	if (is_protected(name, nlen)) {
		/* Trace fields and Auto-Submitted stay (RFC 5293 6 and 9). */
		sift_run_trace(run, node, name, nlen, NULL, 0, 0);
		return 0;
	}
	struct sift_header_list *list = edit_list(run);
	struct sift_arena *marena =
	    run->msg != NULL ? sift_message_arena(run->msg) : run->scratch;
	size_t total = 0;
	for (struct sift_header *h = list->first; h != NULL; h = h->next)
		total += sift_mem_eq_ci_len(h->name, h->name_len, name, nlen);
	size_t pos = 0;
	unsigned int deleted = 0;
	struct sift_header *prev = NULL;
	for (struct sift_header *h = list->first; h != NULL;) {
		struct sift_header *next = h->next;
		bool del = false;
		if (sift_mem_eq_ci_len(h->name, h->name_len, name, nlen) &&
		    sift_index_selects(node, pos++, total)) {
			if (node->pos[1] == NULL) {
				del = true;
			} else {
				struct sift_matcher m;
				sift_matcher_init(&m, run, node);
				size_t vlen;
				const char *v = sift_header_value(marena, h, &vlen);
				sift_matcher_value(&m, v, vlen);
				int r = sift_matcher_finish(&m);
				if (r < 0)
					return -1;
				del = r > 0;
			}
		}
		if (del) {
			if (prev != NULL)
				prev->next = next;
			else
				list->first = next;
			if (list->last == h)
				list->last = prev;
			list->count--;
			deleted++;
		} else {
			prev = h;
		}
		h = next;
	}
	struct sift_sieve_action a = {.type = SIFT_SIEVE_ACT_DELETEHEADER,
	                              .line = node->line,
	                              .arg = sift_arena_memdup0(run->arena, name, nlen),
	                              .arg_len = nlen,
	                              .deleted = deleted};
	sift_run_trace(run, node, name, nlen, NULL, 0, deleted > 0);
	return sift_result_add(run, &a);
}

const struct sift_cmd_def sift_cmd_deleteheader = {"deleteheader",
                                                   SIFT_CMD_COMMAND,
                                                   SIFT_EXT_EDITHEADER,
                                                   SIFT_TAGS_MATCH | SIFT_T(INDEX) | SIFT_T(LAST),
                                                   "s?l",
                                                   0,
                                                   0,
                                                   validate_deleteheader,
                                                   exec_deleteheader};
