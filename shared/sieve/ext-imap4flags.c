/* SPDX-License-Identifier: MIT */
/* imap4flags (RFC 5232): setflag, addflag, removeflag on the internal
   flag variable or a named one, the hasflag test and the :flags tag of
   keep and fileinto.  A flag variable holds flags separated by single
   spaces, each once (compared case-insensitively, first spelling kept). */

#include <string.h>

#include "util/alloc.h"
#include "util/str.h"
#include "sieve/ext.h"

static struct sift_var_value *
target(struct sift_run *run, const struct sift_node *node)
{
	if (node->pos[0] == NULL)
		return &run->flags;
	return &run->vars[node->kind];
}

static bool
has_flag(const struct sift_var_value *v, const char *flag, size_t len)
{
	for (size_t i = 0; i < v->len;) {
		size_t s = i;
		while (i < v->len && v->data[i] != ' ')
			i++;
		if (sift_mem_eq_ci_len(v->data + s, i - s, flag, len))
			return true;
		i++;
	}
	return false;
}

static void
append(struct sift_var_value *v, const char *data, size_t len)
{
	if (v->len + len + 1 > v->cap) {
		v->cap = (v->len + len + 1) * 2;
		v->data = sift_realloc(v->data, v->cap);
	}
	memcpy(v->data + v->len, data, len);
	v->len += len;
	v->data[v->len] = '\0';
}

static void
add_flags(struct sift_run *run, struct sift_var_value *v, const char *flags, size_t len)
{
	uint64_t max = sift_limit(run->limits, SIFT_LIMIT_VARIABLE_BYTES);
	for (size_t i = 0; i < len;) {
		while (i < len && flags[i] == ' ')
			i++;
		size_t s = i;
		while (i < len && flags[i] != ' ')
			i++;
		if (i == s || has_flag(v, flags + s, i - s))
			continue;
		if (v->len + (i - s) + 1 > max)
			break;
		if (v->len > 0)
			append(v, " ", 1);
		append(v, flags + s, i - s);
	}
}

static void
remove_flags(struct sift_var_value *v, const char *flags, size_t len)
{
	for (size_t i = 0; i < len;) {
		while (i < len && flags[i] == ' ')
			i++;
		size_t s = i;
		while (i < len && flags[i] != ' ')
			i++;
		if (i == s)
			continue;
		/* Rebuild without the flag. */
		size_t o = 0;
		for (size_t j = 0; j < v->len;) {
			size_t fs = j;
			while (j < v->len && v->data[j] != ' ')
				j++;
			size_t fl = j - fs;
			j++;
			if (sift_mem_eq_ci_len(v->data + fs, fl, flags + s, i - s))
				continue;
			if (o > 0)
				v->data[o++] = ' ';
			memmove(v->data + o, v->data + fs, fl);
			o += fl;
		}
		v->len = o;
		if (v->data != NULL)
			v->data[o] = '\0';
	}
}

static int
validate_flag_cmd(struct sift_vctx *vctx, struct sift_node *node)
{
	if (node->pos[0] == NULL)
		return 0;
	const struct sift_sval *name = &node->pos[0]->items[0];
	if (!vctx->ext_required[SIFT_EXT_VARIABLES]) {
		sift_vctx_error(vctx, name->line, name->column,
		                "a flag variable name requires the \"variables\" extension");
		return -1;
	}
	int slot = sift_vctx_variable_arg(vctx, name);
	if (slot < 0)
		return -1;
	node->kind = slot;
	return 0;
}

static int
exec_flag_cmd(struct sift_run *run, const struct sift_node *node)
{
	struct sift_var_value *v = target(run, node);
	const struct sift_slist *list = node->pos[1];
	if (node->def == &sift_cmd_setflag)
		v->len = 0;
	for (size_t i = 0; i < list->count; i++) {
		size_t len;
		const char *flags = sift_run_expand(run, &list->items[i], &len);
		if (node->def == &sift_cmd_removeflag)
			remove_flags(v, flags, len);
		else
			add_flags(run, v, flags, len);
	}
	if (v->data != NULL)
		v->data[v->len] = '\0';
	sift_run_trace(run, node, v->data, v->len, NULL, 0, 1);
	return 0;
}

const struct sift_cmd_def sift_cmd_setflag = {
    "setflag", SIFT_CMD_COMMAND,  SIFT_EXT_IMAP4FLAGS, 0, "?sl", 0,
    0,         validate_flag_cmd, exec_flag_cmd};
const struct sift_cmd_def sift_cmd_addflag = {
    "addflag", SIFT_CMD_COMMAND,  SIFT_EXT_IMAP4FLAGS, 0, "?sl", 0,
    0,         validate_flag_cmd, exec_flag_cmd};
const struct sift_cmd_def sift_cmd_removeflag = {
    "removeflag",      SIFT_CMD_COMMAND, SIFT_EXT_IMAP4FLAGS, 0, "?sl", 0, 0,
    validate_flag_cmd, exec_flag_cmd};

/* ---- hasflag ---- */

static int
validate_hasflag(struct sift_vctx *vctx, struct sift_node *node)
{
	int ret = 0;
	if (node->pos[0] != NULL) {
		if (!vctx->ext_required[SIFT_EXT_VARIABLES]) {
			sift_vctx_error(
			    vctx, node->pos[0]->line, node->pos[0]->column,
			    "a flag variable list requires the \"variables\" extension");
			return -1;
		}
		struct sift_slist *l = node->pos[0];
		int *slots = sift_arena_alloc(vctx->arena, l->count * sizeof(*slots));
		for (size_t i = 0; i < l->count; i++) {
			slots[i] = sift_vctx_variable_arg(vctx, &l->items[i]);
			if (slots[i] < 0)
				ret = -1;
		}
		node->data = slots;
	}
	if (sift_validate_match(vctx, node, node->pos[1]) < 0)
		ret = -1;
	return ret;
}

static bool
match_flags(struct sift_matcher *m, const struct sift_var_value *v)
{
	for (size_t i = 0; i < v->len;) {
		size_t s = i;
		while (i < v->len && v->data[i] != ' ')
			i++;
		if (i > s && sift_matcher_value(m, v->data + s, i - s))
			return true;
		i++;
	}
	return false;
}

static int
exec_hasflag(struct sift_run *run, const struct sift_node *node)
{
	struct sift_matcher m;
	sift_matcher_init(&m, run, node);
	if (node->pos[0] == NULL) {
		match_flags(&m, &run->flags);
	} else {
		const int *slots = node->data;
		for (size_t i = 0; i < node->pos[0]->count; i++) {
			if (match_flags(&m, &run->vars[slots[i]]))
				break;
		}
	}
	return sift_matcher_finish(&m);
}

const struct sift_cmd_def sift_test_hasflag = {
    "hasflag", SIFT_CMD_TEST,    SIFT_EXT_IMAP4FLAGS, SIFT_TAGS_MATCH, "?ll", 0,
    0,         validate_hasflag, exec_hasflag};

/* ---- :flags on keep and fileinto ---- */

const char **
sift_store_flags(struct sift_run *run, const struct sift_node *node, bool *has_flags_r,
                 bool *flags_first_r)
{
	*flags_first_r = false;
	if (node->tags & SIFT_T(FLAGS)) {
		const struct sift_slist *list = node->tag_list[SIFT_TAG_FLAGS];
		struct sift_buf all;
		sift_buf_init(&all, 0);
		for (size_t i = 0; i < list->count; i++) {
			size_t len;
			const char *f = sift_run_expand(run, &list->items[i], &len);
			if (all.len > 0)
				sift_buf_append_c(&all, ' ');
			sift_buf_append(&all, f, len);
		}
		const char **arr = sift_run_flags_array(run, all.data, all.len);
		sift_buf_free(&all);
		*has_flags_r = true;
		*flags_first_r = (node->tags & SIFT_T(COPY)) == 0 ||
		                 node->tag_pos[SIFT_TAG_FLAGS] < node->tag_pos[SIFT_TAG_COPY];
		return arr;
	}
	if (run->program->ext_used[SIFT_EXT_IMAP4FLAGS]) {
		*has_flags_r = true;
		return sift_run_flags_array(run, run->flags.data, run->flags.len);
	}
	*has_flags_r = false;
	return NULL;
}
