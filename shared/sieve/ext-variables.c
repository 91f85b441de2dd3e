/* SPDX-License-Identifier: MIT */
/* variables (RFC 5229): the set command with its modifiers and the
   string test.  Values are cut at the variable_bytes limit (on a UTF-8
   character boundary), never refused. */

#include <string.h>

#include "util/alloc.h"
#include "util/str.h"
#include "sieve/ext.h"

static int
validate_set(struct sift_vctx *vctx, struct sift_node *node)
{
	int slot = sift_vctx_variable_arg(vctx, &node->pos[0]->items[0]);
	if (slot < 0)
		return -1;
	node->kind = slot;
	return 0;
}

static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	/* Do not split a multibyte character. */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static size_t
utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static int
exec_set(struct sift_run *run, const struct sift_node *node)
{
	size_t len;
	const char *value = sift_run_expand(run, &node->pos[1]->items[0], &len);
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	sift_buf_append(&buf, value, len);
	/* Modifiers by precedence (RFC 5229 4.1): case, first letter,
	   quoting, length. */
	if (node->tags & SIFT_T(LOWER))
		sift_mem_lower(buf.data, buf.len);
	if (node->tags & SIFT_T(UPPER)) {
		for (size_t i = 0; i < buf.len; i++) {
			if (buf.data[i] >= 'a' && buf.data[i] <= 'z')
				buf.data[i] = (char)(buf.data[i] - 'a' + 'A');
		}
	}
	if (buf.len > 0 && (node->tags & SIFT_T(LOWERFIRST)))
		buf.data[0] = sift_ascii_lower(buf.data[0]);
	if (buf.len > 0 && (node->tags & SIFT_T(UPPERFIRST)) && buf.data[0] >= 'a' &&
	    buf.data[0] <= 'z')
		buf.data[0] = (char)(buf.data[0] - 'a' + 'A');
	if (node->tags & (SIFT_T(QUOTEWILDCARD) | SIFT_T(QUOTEREGEX))) {
		/* :quoteregex (draft-ietf-sieve-regex 4) escapes what is special
		   in a regular expression, :quotewildcard what is special to
		   :matches. */
		const char *special =
		    (node->tags & SIFT_T(QUOTEREGEX)) ? "\\.[]()*+?{}|^$" : "*?\\";
		struct sift_buf q;
		sift_buf_init(&q, 0);
		for (size_t i = 0; i < buf.len; i++) {
			char c = buf.data[i];
			if (c != '\0' && strchr(special, c) != NULL)
				sift_buf_append_c(&q, '\\');
			sift_buf_append_c(&q, c);
		}
		sift_buf_free(&buf);
		buf = q;
	}
	if (node->tags & SIFT_T(LENGTH)) {
		size_t n = utf8_chars(buf.data, buf.len);
		sift_buf_reset(&buf);
		sift_buf_printf(&buf, "%zu", n);
	}
	struct sift_var_value *v = &run->vars[node->kind];
	size_t keep = utf8_cut(buf.data != NULL ? buf.data : "", buf.len,
	                       (size_t)sift_limit(run->limits, SIFT_LIMIT_VARIABLE_BYTES));
	if (keep + 1 > v->cap) {
		v->cap = keep + 1 < 32 ? 32 : keep + 1;
		v->data = sift_realloc(v->data, v->cap);
	}
	if (keep > 0)
		memcpy(v->data, buf.data, keep);
	v->data[keep] = '\0';
	v->len = keep;
	sift_buf_free(&buf);
	sift_run_trace(run, node, v->data, v->len, NULL, 0, 1);
	return 0;
}

const struct sift_cmd_def sift_cmd_set = {"set",
                                          SIFT_CMD_COMMAND,
                                          SIFT_EXT_VARIABLES,
                                          SIFT_T(LOWER) | SIFT_T(UPPER) | SIFT_T(LOWERFIRST) |
                                              SIFT_T(UPPERFIRST) | SIFT_T(QUOTEWILDCARD) |
                                              SIFT_T(QUOTEREGEX) | SIFT_T(LENGTH),
                                          "ss",
                                          0,
                                          0,
                                          validate_set,
                                          exec_set};

static int
validate_string(struct sift_vctx *vctx, struct sift_node *node)
{
	return sift_validate_match(vctx, node, node->pos[1]);
}

static int
exec_string(struct sift_run *run, const struct sift_node *node)
{
	struct sift_matcher m;
	sift_matcher_init(&m, run, node);
	for (size_t i = 0; i < node->pos[0]->count; i++) {
		size_t len;
		const char *v = sift_run_expand(run, &node->pos[0]->items[i], &len);
		/* :count counts the strings that are not empty (RFC 5229 5). */
		if (node->match == SIFT_MATCH_COUNT && len == 0)
			continue;
		if (sift_matcher_value(&m, v, len))
			break;
	}
	return sift_matcher_finish(&m);
}

const struct sift_cmd_def sift_test_string = {
    "string", SIFT_CMD_TEST,   SIFT_EXT_VARIABLES, SIFT_TAGS_MATCH, "ll", 0,
    0,        validate_string, exec_string};
