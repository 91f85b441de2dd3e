/* SPDX-License-Identifier: MIT */
/* The Sieve compiler: parse, then check the tree against the extension
   table (require first and complete, names, tags, argument types and
   counts, match types and comparators, nesting) and turn it into the
   immutable program the interpreter runs.  Every problem becomes a
   diagnostic with line and column; checking goes on after an error so a
   run reports as many as it can.  Strings are prepared by
   sieve-string.c (encoded characters, variable templates); constant match
   keys are prepared once here. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/str.h"
#include "sieve/ext.h"

static struct sift_node *compile_node(struct sift_vctx *vctx, const struct sift_sieve_node *ast,
                                      enum sift_cmd_kind kind);

void
sift_vctx_error(struct sift_vctx *vctx, unsigned int line, unsigned int col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sift_diags_add(vctx->diags, SIFT_SEV_ERROR, line, col, "%s", buf);
}

void
sift_vctx_warning(struct sift_vctx *vctx, unsigned int line, unsigned int col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sift_diags_add(vctx->diags, SIFT_SEV_WARNING, line, col, "%s", buf);
}

/* ---- names and suggestions ---- */

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t row[41];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The closest known name within a distance of 2 (1 for short names). */
static const char *
suggest(const char *name, const char *const *names, size_t count)
{
	const char *best = NULL;
	size_t best_d = strlen(name) <= 4 ? 2 : 3;
	for (size_t i = 0; i < count; i++) {
		size_t d = edit_distance(name, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}

static const struct sift_cmd_def *
find_def(const char *name, enum sift_cmd_kind kind, const struct sift_cmd_def **other_kind_r)
{
	*other_kind_r = NULL;
	for (size_t i = 0; i < sift_cmd_table_size; i++) {
		const struct sift_cmd_def *def = sift_cmd_table[i];
		if (strcmp(def->name, name) != 0)
			continue;
		if (def->kind == kind)
			return def;
		*other_kind_r = def;
	}
	return NULL;
}

static void
unknown_name(struct sift_vctx *vctx, const struct sift_sieve_node *ast, enum sift_cmd_kind kind)
{
	const char *what = kind == SIFT_CMD_COMMAND ? "command" : "test";
	const char *names[64];
	size_t n = 0;
	for (size_t i = 0; i < sift_cmd_table_size && n < 64; i++) {
		if (sift_cmd_table[i]->kind == kind)
			names[n++] = sift_cmd_table[i]->name;
	}
	const char *s = suggest(ast->name, names, n);
	if (s != NULL)
		sift_vctx_error(vctx, ast->line, ast->column, "unknown %s '%s'; did you mean '%s'?",
		                what, ast->name_as_written, s);
	else
		sift_vctx_error(vctx, ast->line, ast->column, "unknown %s '%s'", what,
		                ast->name_as_written);
}

/* ---- arguments ---- */

static struct sift_slist *
make_slist(struct sift_vctx *vctx, const struct sift_sieve_arg *arg, bool templates)
{
	struct sift_slist *list = sift_arena_zalloc(vctx->arena, sizeof(*list));
	list->line = arg->line;
	list->column = arg->column;
	list->count = arg->list.count;
	list->items = sift_arena_zalloc(vctx->arena, list->count * sizeof(*list->items));
	for (size_t i = 0; i < list->count; i++) {
		const struct sift_sieve_string *str = &arg->list.items[i];
		struct sift_sval *sv = &list->items[i];
		sv->data = str->data;
		sv->len = str->len;
		sv->line = str->line;
		sv->column = str->column;
		if (templates && vctx->ext_required[SIFT_EXT_VARIABLES])
			sift_vctx_compile_template(vctx, sv);
	}
	return list;
}

static const char *
arg_kind_name(enum sift_sieve_arg_type type)
{
	switch (type) {
	case SIFT_SIEVE_ARG_NUMBER:
		return "a number";
	case SIFT_SIEVE_ARG_STRING:
		return "a string";
	case SIFT_SIEVE_ARG_STRING_LIST:
		return "a string list";
	case SIFT_SIEVE_ARG_TAG:
		return "a tag";
	}
	return "?";
}

static bool
arg_fits(const struct sift_sieve_arg *arg, char want)
{
	switch (want) {
	case 's':
		return arg->type == SIFT_SIEVE_ARG_STRING;
	case 'l':
		return arg->type == SIFT_SIEVE_ARG_STRING ||
		       arg->type == SIFT_SIEVE_ARG_STRING_LIST;
	case 'n':
		return arg->type == SIFT_SIEVE_ARG_NUMBER;
	}
	return false;
}

static const char *
want_name(char want)
{
	return want == 's' ? "a string" : want == 'l' ? "a string list" : "a number";
}

static int
compile_args(struct sift_vctx *vctx, const struct sift_sieve_node *ast, struct sift_node *node)
{
	const struct sift_cmd_def *def = node->def;
	size_t i = 0;
	int ret = 0;
	unsigned int group_tag[16] = {0};
	/* Tagged arguments come first (RFC 5228 2.6.2). */
	while (i < ast->nargs && ast->args[i].type == SIFT_SIEVE_ARG_TAG) {
		const struct sift_sieve_arg *arg = &ast->args[i++];
		int tag = -1;
		for (int t = 0; t < SIFT_TAG_MAX; t++) {
			if ((def->tags & (UINT64_C(1) << t)) != 0 &&
			    strcmp(sift_tag_defs[t].name, arg->tag) == 0) {
				tag = t;
				break;
			}
		}
		if (tag < 0) {
			const char *names[SIFT_TAG_MAX];
			size_t n = 0;
			for (int t = 0; t < SIFT_TAG_MAX; t++) {
				if ((def->tags & (UINT64_C(1) << t)) != 0)
					names[n++] = sift_tag_defs[t].name;
			}
			const char *s = suggest(arg->tag, names, n);
			if (s != NULL)
				sift_vctx_error(
				    vctx, arg->line, arg->column,
				    "unknown tag ':%s' for %s '%s'; did you mean ':%s'?", arg->tag,
				    def->kind == SIFT_CMD_TEST ? "test" : "command", def->name, s);
			else
				sift_vctx_error(vctx, arg->line, arg->column,
				                "unknown tag ':%s' for %s '%s'", arg->tag,
				                def->kind == SIFT_CMD_TEST ? "test" : "command",
				                def->name);
			ret = -1;
			/* Skip a value that clearly belongs to it. */
			continue;
		}
		const struct sift_tag_def *td = &sift_tag_defs[tag];
		/* editheader defines its own :index and :last (RFC 5293 5). */
		bool own = def->ext == SIFT_EXT_EDITHEADER &&
		           (tag == SIFT_TAG_INDEX || tag == SIFT_TAG_LAST);
		if (td->ext != SIFT_EXT_CORE && !own && !vctx->ext_required[td->ext]) {
			sift_vctx_error(vctx, arg->line, arg->column,
			                "tag ':%s' requires the \"%s\" extension", td->name,
			                sift_ext_names[td->ext]);
			ret = -1;
		}
		if ((node->tags & (UINT64_C(1) << tag)) != 0) {
			sift_vctx_error(vctx, arg->line, arg->column, "tag ':%s' given twice",
			                td->name);
			ret = -1;
		} else if (td->group != SIFT_TGROUP_NONE && group_tag[td->group] != 0) {
			const char *other = sift_tag_defs[group_tag[td->group] - 1].name;
			if (td->group == SIFT_TGROUP_MATCH)
				sift_vctx_error(vctx, arg->line, arg->column,
				                "conflicting match types ':%s' and ':%s'", other,
				                td->name);
			else
				sift_vctx_error(vctx, arg->line, arg->column,
				                "tags ':%s' and ':%s' cannot be used together",
				                other, td->name);
			ret = -1;
		}
		node->tags |= UINT64_C(1) << tag;
		if (node->tag_pos[tag] == 0)
			node->tag_pos[tag] = (unsigned char)(i < 255 ? i : 255);
		node->tag_at[tag].line = arg->line;
		node->tag_at[tag].column = arg->column;
		if (td->group != SIFT_TGROUP_NONE)
			group_tag[td->group] = (unsigned int)tag + 1;
		if (td->arg == SIFT_AK_NONE)
			continue;
		const struct sift_sieve_arg *val = i < ast->nargs ? &ast->args[i] : NULL;
		bool fits =
		    val != NULL &&
		    ((td->arg == SIFT_AK_NUMBER && val->type == SIFT_SIEVE_ARG_NUMBER) ||
		     (td->arg == SIFT_AK_STRING && val->type == SIFT_SIEVE_ARG_STRING) ||
		     (td->arg == SIFT_AK_STRING_LIST && (val->type == SIFT_SIEVE_ARG_STRING ||
		                                         val->type == SIFT_SIEVE_ARG_STRING_LIST)));
		if (!fits) {
			const char *want = td->arg == SIFT_AK_NUMBER   ? "a number"
			                   : td->arg == SIFT_AK_STRING ? "a string"
			                                               : "a string list";
			if (val == NULL)
				sift_vctx_error(vctx, arg->line, arg->column,
				                "tag ':%s' expects %s after it", td->name, want);
			else
				sift_vctx_error(vctx, val->line, val->column,
				                "tag ':%s' expects %s, not %s", td->name, want,
				                arg_kind_name(val->type));
			ret = -1;
			continue;
		}
		i++;
		node->tag_at[tag].arg_line = val->line;
		node->tag_at[tag].arg_column = val->column;
		if ((tag == SIFT_TAG_VALUE || tag == SIFT_TAG_COUNT) &&
		    sift_rel_lookup(val->list.items[0].data, val->list.items[0].len) < 0) {
			sift_vctx_error(
			    vctx, val->line, val->column,
			    "invalid relational operator \"%s\" (expected gt, ge, lt, le, "
			    "eq or ne)",
			    val->list.items[0].data);
			return -1;
		}
		if (td->arg == SIFT_AK_NUMBER)
			node->tag_number[tag] = val->number;
		else
			node->tag_list[tag] = make_slist(vctx, val, tag == SIFT_TAG_FLAGS);
	}
	/* Positional arguments.  '?' before a kind makes that one optional
	   (imap4flags' variable name, deleteheader's value patterns): it is
	   left out when fewer arguments are given. */
	char kinds[4];
	size_t slot_of[4];
	size_t nkinds = 0, nreq = 0;
	int optional = -1;
	for (const char *w = def->positional; *w != '\0' && nkinds < 3; w++) {
		if (*w == '?') {
			optional = (int)nkinds;
			continue;
		}
		kinds[nkinds++] = *w;
	}
	size_t given = 0;
	for (size_t k = i; k < ast->nargs; k++)
		given += ast->args[k].type != SIFT_SIEVE_ARG_TAG;
	nreq = optional >= 0 ? nkinds - 1 : nkinds;
	size_t nuse = 0;
	for (size_t k = 0; k < nkinds; k++) {
		if ((int)k == optional && given <= nreq)
			continue;
		slot_of[nuse] = k;
		kinds[nuse++] = kinds[k];
	}
	size_t npos = 0;
	for (; i < ast->nargs; i++) {
		const struct sift_sieve_arg *arg = &ast->args[i];
		if (arg->type == SIFT_SIEVE_ARG_TAG) {
			sift_vctx_error(
			    vctx, arg->line, arg->column,
			    "tag ':%s' must come before the positional arguments of '%s'", arg->tag,
			    def->name);
			ret = -1;
			continue;
		}
		if (npos >= nuse) {
			if (arg->type == SIFT_SIEVE_ARG_NUMBER &&
			    (def->tags & (SIFT_T(OVER) | SIFT_T(UNDER))) != 0)
				sift_vctx_error(vctx, ast->line, ast->column,
				                "'%s' expects :over or :under before the number",
				                def->name);
			else
				sift_vctx_error(vctx, arg->line, arg->column,
				                "too many arguments for '%s'", def->name);
			return -1;
		}
		char want = kinds[npos];
		if (!arg_fits(arg, want)) {
			sift_vctx_error(vctx, arg->line, arg->column,
			                "argument %zu of '%s' must be %s, not %s", npos + 1,
			                def->name, want_name(want), arg_kind_name(arg->type));
			ret = -1;
		} else if (want == 'n') {
			node->number = arg->number;
		} else {
			node->pos[slot_of[npos]] = make_slist(vctx, arg, true);
		}
		npos++;
	}
	if (npos < nuse) {
		sift_vctx_error(vctx, ast->line, ast->column,
		                "'%s' expects %s%zu positional argument%s, got %zu", def->name,
		                optional >= 0 ? "at least " : "", nreq, nreq == 1 ? "" : "s", npos);
		ret = -1;
	}
	return ret;
}

/* ---- match part ---- */

static void
register_regex(struct sift_vctx *vctx, struct sift_match_key *key)
{
	struct sift_sieve_program *prog = vctx->program;
	if (prog->nregex_keys == prog->regex_keys_alloc) {
		prog->regex_keys_alloc =
		    prog->regex_keys_alloc == 0 ? 8 : prog->regex_keys_alloc * 2;
		prog->regex_keys = sift_realloc(prog->regex_keys,
		                                prog->regex_keys_alloc * sizeof(*prog->regex_keys));
	}
	prog->regex_keys[prog->nregex_keys++] = key;
}

int
sift_validate_match(struct sift_vctx *vctx, struct sift_node *node, struct sift_slist *keys)
{
	int ret = 0;
	node->cmp = SIFT_CMP_ASCII_CASEMAP;
	node->match = SIFT_MATCH_IS;
	node->keys = keys;
	if (node->tags & SIFT_T(COMPARATOR)) {
		const struct sift_sval *name = &node->tag_list[SIFT_TAG_COMPARATOR]->items[0];
		int cmp = sift_cmp_lookup(name->data, name->len);
		if (cmp < 0) {
			sift_vctx_error(vctx, name->line, name->column, "unknown comparator \"%s\"",
			                name->data);
			ret = -1;
		} else {
			node->cmp = (enum sift_cmp)cmp;
			if (cmp == SIFT_CMP_ASCII_NUMERIC &&
			    !vctx->ext_required[SIFT_EXT_CMP_NUMERIC]) {
				sift_vctx_error(vctx, name->line, name->column,
				                "comparator \"i;ascii-numeric\" requires the "
				                "\"comparator-i;ascii-numeric\" extension");
				ret = -1;
			}
		}
	}
	static const struct {
		enum sift_tag tag;
		enum sift_match_type type;
	} types[] = {
	    {SIFT_TAG_IS, SIFT_MATCH_IS},           {SIFT_TAG_CONTAINS, SIFT_MATCH_CONTAINS},
	    {SIFT_TAG_MATCHES, SIFT_MATCH_MATCHES}, {SIFT_TAG_REGEX, SIFT_MATCH_REGEX},
	    {SIFT_TAG_VALUE, SIFT_MATCH_VALUE},     {SIFT_TAG_COUNT, SIFT_MATCH_COUNT},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (node->tags & (UINT64_C(1) << types[i].tag))
			node->match = types[i].type;
	}
	if (node->match == SIFT_MATCH_VALUE || node->match == SIFT_MATCH_COUNT) {
		enum sift_tag t = node->match == SIFT_MATCH_VALUE ? SIFT_TAG_VALUE : SIFT_TAG_COUNT;
		const struct sift_sval *op = &node->tag_list[t]->items[0];
		int rel = sift_rel_lookup(op->data, op->len);
		if (rel < 0) {
			sift_vctx_error(
			    vctx, op->line, op->column,
			    "invalid relational operator \"%s\" (expected gt, ge, lt, le, "
			    "eq or ne)",
			    op->data);
			ret = -1;
		} else {
			node->rel = (enum sift_rel)rel;
		}
	}
	if ((node->match == SIFT_MATCH_CONTAINS || node->match == SIFT_MATCH_MATCHES ||
	     node->match == SIFT_MATCH_REGEX) &&
	    !sift_cmp_can_substring(node->cmp)) {
		unsigned int line = node->line, col = node->column;
		if (node->tags & SIFT_T(COMPARATOR)) {
			line = node->tag_at[SIFT_TAG_COMPARATOR].arg_line;
			col = node->tag_at[SIFT_TAG_COMPARATOR].arg_column;
		}
		sift_vctx_error(vctx, line, col,
		                "comparator \"%s\" cannot be used with match type ':%s'",
		                sift_cmp_name(node->cmp),
		                node->match == SIFT_MATCH_CONTAINS  ? "contains"
		                : node->match == SIFT_MATCH_MATCHES ? "matches"
		                                                    : "regex");
		ret = -1;
	}
	if (ret < 0 || keys == NULL)
		return ret;
	/* Prepare the constant keys now. */
	for (size_t i = 0; i < keys->count; i++) {
		struct sift_sval *k = &keys->items[i];
		if (k->pieces != NULL)
			continue;
		const char *error = NULL;
		if (sift_match_key_prepare(vctx->arena, node->cmp, node->match, k->data, k->len,
		                           &k->key, &error) < 0) {
			sift_vctx_error(vctx, k->line, k->column, "%s",
			                error != NULL ? error : "invalid regular expression");
			ret = -1;
			continue;
		}
		k->key_ready = true;
		if (k->key.regex != NULL)
			register_regex(vctx, &k->key);
	}
	return ret;
}

/* ---- nodes and blocks ---- */

static int compile_block(struct sift_vctx *vctx, const struct sift_sieve_node *ast, size_t n,
                         bool top, struct sift_node ***out_r, size_t *nout_r);

static bool
ihave_unknown(const struct sift_sieve_node *test)
{
	if (strcmp(test->name, "ihave") != 0 || test->nargs != 1)
		return false;
	const struct sift_sieve_arg *arg = &test->args[0];
	if (arg->type != SIFT_SIEVE_ARG_STRING && arg->type != SIFT_SIEVE_ARG_STRING_LIST)
		return false;
	for (size_t i = 0; i < arg->list.count; i++) {
		if (sift_ext_lookup(arg->list.items[i].data, arg->list.items[i].len) < 0)
			return true;
	}
	return false;
}

static struct sift_node *
compile_node(struct sift_vctx *vctx, const struct sift_sieve_node *ast, enum sift_cmd_kind kind)
{
	const struct sift_cmd_def *other;
	const struct sift_cmd_def *def = find_def(ast->name, kind, &other);
	if (def == NULL) {
		if (other != NULL)
			sift_vctx_error(vctx, ast->line, ast->column, "'%s' is a %s, not a %s",
			                ast->name_as_written,
			                kind == SIFT_CMD_COMMAND ? "test" : "command",
			                kind == SIFT_CMD_COMMAND ? "command" : "test");
		else
			unknown_name(vctx, ast, kind);
		return NULL;
	}
	int ret = 0;
	if (def->ext != SIFT_EXT_CORE && !vctx->ext_required[def->ext]) {
		sift_vctx_error(vctx, ast->line, ast->column,
		                "%s '%s' requires the \"%s\" extension (add it to 'require')",
		                kind == SIFT_CMD_COMMAND ? "command" : "test", def->name,
		                sift_ext_names[def->ext]);
		ret = -1;
	}
	struct sift_node *node = sift_arena_zalloc(vctx->arena, sizeof(*node));
	node->def = def;
	node->line = ast->line;
	node->column = ast->column;
	if (compile_args(vctx, ast, node) < 0)
		ret = -1;

	/* Tests. */
	if (def->tests == 0 && ast->ntests > 0) {
		const struct sift_cmd_def *cmd = NULL;
		(void)find_def(ast->tests[0].name, SIFT_CMD_TEST, &cmd);
		if (cmd != NULL && def->kind == SIFT_CMD_COMMAND && !ast->test_list)
			/* "keep\nstop;": the next command was read as a test. */
			sift_vctx_error(vctx, ast->tests[0].line, ast->tests[0].column,
			                "missing ';' after '%s' (before '%s')", def->name,
			                ast->tests[0].name_as_written);
		else
			sift_vctx_error(vctx, ast->tests[0].line, ast->tests[0].column,
			                "'%s' takes no test", def->name);
		ret = -1;
	} else if (def->tests == 1 && (ast->ntests != 1 || ast->test_list)) {
		sift_vctx_error(vctx, ast->line, ast->column,
		                ast->ntests == 0 ? "'%s' expects a test"
		                                 : "'%s' expects a single test, not a test list",
		                def->name);
		ret = -1;
	} else if (def->tests < 0 && !ast->test_list) {
		sift_vctx_error(vctx, ast->line, ast->column, "'%s' expects a test list ( ... )",
		                def->name);
		ret = -1;
	}
	if (def->tests != 0 && ast->ntests > 0) {
		node->tests = sift_arena_zalloc(vctx->arena, ast->ntests * sizeof(*node->tests));
		node->ntests = ast->ntests;
		for (size_t i = 0; i < ast->ntests; i++) {
			node->tests[i] = compile_node(vctx, &ast->tests[i], SIFT_CMD_TEST);
			if (node->tests[i] == NULL)
				ret = -1;
		}
	}

	/* Block. */
	if (def->block != 0 && !ast->has_block) {
		sift_vctx_error(vctx, ast->line, ast->column, "'%s' expects a block { ... }",
		                def->name);
		ret = -1;
	} else if (def->block == 0 && ast->has_block) {
		sift_vctx_error(vctx, ast->line, ast->column, "'%s' takes no block", def->name);
		ret = -1;
	} else if (def->block != 0) {
		/* The block of `if ihave "unknown"` is never run and may use
		   what this implementation does not know (RFC 5463 4). */
		bool skip = ast->ntests == 1 && ihave_unknown(&ast->tests[0]);
		if (!skip && ast->ntests == 1 && strcmp(ast->tests[0].name, "ihave") == 0 &&
		    ast->tests[0].nargs == 1) {
			/* What ihave found is usable inside its block (RFC 5463 4). */
			const struct sift_sieve_arg *arg = &ast->tests[0].args[0];
			for (size_t i = 0; i < arg->list.count; i++) {
				int ext = sift_ext_lookup(arg->list.items[i].data,
				                          arg->list.items[i].len);
				if (ext > 0) {
					vctx->ext_required[ext] = true;
					vctx->program->ext_used[ext] = true;
				}
			}
		}
		node->has_block = true;
		if (!skip && compile_block(vctx, ast->block, ast->nblock, false, &node->block,
		                           &node->nblock) < 0)
			ret = -1;
	}
	if (ret == 0 && def->validate != NULL && def->validate(vctx, node) < 0)
		ret = -1;
	return ret == 0 ? node : NULL;
}

static void
do_require(struct sift_vctx *vctx, const struct sift_sieve_node *ast)
{
	if (ast->nargs != 1 || (ast->args[0].type != SIFT_SIEVE_ARG_STRING &&
	                        ast->args[0].type != SIFT_SIEVE_ARG_STRING_LIST)) {
		unsigned int line = ast->nargs > 0 ? ast->args[0].line : ast->line;
		unsigned int col = ast->nargs > 0 ? ast->args[0].column : ast->column;
		if (ast->nargs > 1 && ast->args[0].type != SIFT_SIEVE_ARG_NUMBER &&
		    ast->args[0].type != SIFT_SIEVE_ARG_TAG) {
			line = ast->args[1].line;
			col = ast->args[1].column;
		}
		sift_vctx_error(vctx, line, col,
		                "'require' expects one string list of capabilities");
		return;
	}
	if (ast->ntests > 0 || ast->has_block) {
		sift_vctx_error(vctx, ast->line, ast->column, "'require' takes no test or block");
		return;
	}
	const struct sift_sieve_arg *arg = &ast->args[0];
	for (size_t i = 0; i < arg->list.count; i++) {
		const struct sift_sieve_string *s = &arg->list.items[i];
		int ext = sift_ext_lookup(s->data, s->len);
		if (ext < 0) {
			const char *names[SIFT_EXT_COUNT];
			for (int e = 1; e < SIFT_EXT_COUNT; e++)
				names[e - 1] = sift_ext_names[e];
			const char *sug = suggest(s->data, names, SIFT_EXT_COUNT - 1);
			if (sug != NULL)
				sift_vctx_error(vctx, s->line, s->column,
				                "unknown capability \"%s\"; did you mean \"%s\"?",
				                s->data, sug);
			else
				sift_vctx_error(vctx, s->line, s->column,
				                "unknown capability \"%s\"", s->data);
			continue;
		}
		vctx->ext_required[ext] = true;
		vctx->program->ext_used[ext] = true;
		/* ereject implies reject's conflicts; date brings index's
		   companion tests not; relational etc. are tag-only. */
	}
}

static int
compile_block(struct sift_vctx *vctx, const struct sift_sieve_node *ast, size_t n, bool top,
              struct sift_node ***out_r, size_t *nout_r)
{
	int ret = 0;
	struct sift_node **out = sift_arena_zalloc(vctx->arena, (n == 0 ? 1 : n) * sizeof(*out));
	size_t nout = 0;
	bool requires_done = !top;
	const char *prev = NULL; /* name of the previous command */
	for (size_t i = 0; i < n; i++) {
		const struct sift_sieve_node *cmd = &ast[i];
		if (strcmp(cmd->name, "require") == 0) {
			if (requires_done) {
				sift_vctx_error(vctx, cmd->line, cmd->column,
				                "'require' must come before any other command");
				ret = -1;
			}
			prev = cmd->name;
			continue;
		}
		requires_done = true;
		if ((strcmp(cmd->name, "elsif") == 0 || strcmp(cmd->name, "else") == 0) &&
		    (prev == NULL || (strcmp(prev, "if") != 0 && strcmp(prev, "elsif") != 0))) {
			sift_vctx_error(vctx, cmd->line, cmd->column,
			                "'%s' without a preceding 'if' or 'elsif'",
			                cmd->name_as_written);
			ret = -1;
		}
		prev = cmd->name;
		struct sift_node *node = compile_node(vctx, cmd, SIFT_CMD_COMMAND);
		if (node == NULL) {
			ret = -1;
			continue;
		}
		out[nout++] = node;
	}
	*out_r = out;
	*nout_r = nout;
	return ret;
}

static void
program_free(struct sift_sieve_program *prog)
{
	for (size_t i = 0; i < prog->nregex_keys; i++)
		sift_match_key_free(prog->regex_keys[i]);
	sift_free(prog->regex_keys);
	sift_arena_destroy(&prog->arena);
	sift_free(prog);
}

struct sift_sieve_program *
sift_sieve_compile(const char *name, const char *text, size_t len, const struct sift_limits *limits,
                   struct sift_diags *diags)
{
	(void)name;
	struct sift_sieve_program *prog = sift_calloc(1, sizeof(*prog));
	prog->refcount = 1;
	prog->arena = sift_arena_create(0);
	if (limits != NULL)
		prog->limits = *limits;
	else
		sift_limits_init(&prog->limits);

	size_t errors_before = diags->errors;
	struct sift_sieve_parse_limits plimits = {
	    .max_script_bytes = (size_t)sift_limit(&prog->limits, SIFT_LIMIT_SCRIPT_BYTES),
	    .max_nesting = (unsigned int)sift_limit(&prog->limits, SIFT_LIMIT_SCRIPT_NESTING),
	};
	struct sift_sieve_script *script =
	    sift_sieve_parse(prog->arena, text, len, &plimits, diags);
	if (script == NULL || diags->errors > errors_before) {
		program_free(prog);
		return NULL;
	}
	struct sift_vctx vctx = {
	    .arena = prog->arena,
	    .diags = diags,
	    .program = prog,
	};
	/* require commands lead the script (RFC 5228 3.2). */
	for (size_t i = 0; i < script->ncommands; i++) {
		if (strcmp(script->commands[i].name, "require") != 0)
			break;
		do_require(&vctx, &script->commands[i]);
	}
	if (vctx.ext_required[SIFT_EXT_ENCODED_CHARACTER]) {
		for (size_t i = 0; i < script->ncommands; i++) {
			if (strcmp(script->commands[i].name, "require") != 0)
				sift_vctx_decode_encoded(&vctx, &script->commands[i]);
		}
	}
	compile_block(&vctx, script->commands, script->ncommands, true, &prog->commands,
	              &prog->ncommands);
	if (diags->errors > errors_before) {
		program_free(prog);
		return NULL;
	}
	return prog;
}

void
sift_sieve_program_ref(struct sift_sieve_program *program)
{
	__atomic_add_fetch(&program->refcount, 1, __ATOMIC_RELAXED);
}

void
sift_sieve_program_unref(struct sift_sieve_program **program)
{
	struct sift_sieve_program *prog = *program;
	if (prog == NULL)
		return;
	*program = NULL;
	if (__atomic_sub_fetch(&prog->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		program_free(prog);
}

bool
sift_sieve_program_uses(const struct sift_sieve_program *program, const char *capability)
{
	int ext = sift_ext_lookup(capability, strlen(capability));
	return ext >= 0 && program->ext_used[ext];
}
