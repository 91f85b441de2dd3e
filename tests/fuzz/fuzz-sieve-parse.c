/* SPDX-License-Identifier: MIT */
/* Fuzz target for sieve/sieve-lexer.c and sieve/sieve-parser.c: the input
   is lexed to the end (every token must consume input, so at most one per
   byte plus the last), then parsed with a small nesting limit (6), a
   script size limit (64 KiB) and a short diagnostics list.  The result
   must be a tree exactly when no error was reported, and the tree must
   keep every promise of sieve-ast.h: lower-case names matching their
   spelling, NUL-terminated counted strings, non-empty string lists, at
   most one test outside a test list, positions from 1, and nesting
   within the limit.  One arena per input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sieve/sieve-ast.h"
#include "sieve/sieve-lexer.h"
#include "util/arena.h"
#include "util/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NESTING 6

static void
check_string(const struct sift_sieve_string *s)
{
	if (s->data == NULL || s->data[s->len] != '\0' || s->line == 0 || s->column == 0)
		__builtin_trap();
}

static void
check_name(const char *name, const char *written)
{
	size_t n = strlen(name);

	if (n == 0 || strlen(written) != n)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		char w = written[i];
		char lower = w >= 'A' && w <= 'Z' ? (char)(w - 'A' + 'a') : w;
		if (name[i] != lower)
			__builtin_trap();
	}
}

/* Recursion here is bounded by the limits the parser enforces. */
static void
check_node(const struct sift_sieve_node *n, unsigned int block_level, unsigned int test_level)
{
	if (block_level > MAX_NESTING || test_level > MAX_NESTING)
		__builtin_trap();
	if (n->line == 0 || n->column == 0)
		__builtin_trap();
	check_name(n->name, n->name_as_written);
	if ((n->nargs > 0) != (n->args != NULL))
		__builtin_trap();
	for (size_t i = 0; i < n->nargs; i++) {
		const struct sift_sieve_arg *a = &n->args[i];
		if (a->line == 0 || a->column == 0)
			__builtin_trap();
		switch (a->type) {
		case SIFT_SIEVE_ARG_NUMBER:
			break;
		case SIFT_SIEVE_ARG_TAG:
			check_name(a->tag, a->tag);
			break;
		case SIFT_SIEVE_ARG_STRING:
			if (a->list.count != 1)
				__builtin_trap();
			/* fall through */
		case SIFT_SIEVE_ARG_STRING_LIST:
			if (a->list.count == 0)
				__builtin_trap();
			for (size_t j = 0; j < a->list.count; j++)
				check_string(&a->list.items[j]);
			break;
		default:
			__builtin_trap();
		}
	}
	if (!n->test_list && n->ntests > 1)
		__builtin_trap();
	if (n->test_list && n->ntests == 0)
		__builtin_trap();
	for (size_t i = 0; i < n->ntests; i++)
		check_node(&n->tests[i], block_level, test_level + 1);
	if (!n->has_block && n->nblock != 0)
		__builtin_trap();
	/* Tests never carry blocks. */
	if (n->has_block && test_level > 1)
		__builtin_trap();
	for (size_t i = 0; i < n->nblock; i++)
		check_node(&n->block[i], block_level + 1, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_diags diags;

	/* The lexer alone, to the end. */
	struct sift_sieve_lexer lex;
	struct sift_sieve_token tok;
	size_t ntok = 0;
	sift_diags_init(&diags);
	sift_sieve_lex_init(&lex, arena, in, size, &diags);
	do {
		sift_sieve_lex_next(&lex, &tok);
		if (++ntok > size + 1 || tok.line == 0 || tok.column == 0)
			__builtin_trap();
		if (tok.type == SIFT_SIEVE_TOK_STRING)
			check_string(&tok.string);
	} while (tok.type != SIFT_SIEVE_TOK_EOF && tok.type != SIFT_SIEVE_TOK_ERROR);
	if (tok.type == SIFT_SIEVE_TOK_ERROR && diags.errors == 0)
		__builtin_trap();
	sift_diags_free(&diags);

	/* The parser. */
	struct sift_sieve_parse_limits limits = {.max_script_bytes = 64 * 1024,
	                                         .max_nesting = MAX_NESTING};
	sift_diags_init(&diags);
	diags.max = 8;
	struct sift_sieve_script *script = sift_sieve_parse(arena, in, size, &limits, &diags);
	if ((script == NULL) != (diags.errors > 0))
		__builtin_trap();
	if (diags.count > diags.max + 1)
		__builtin_trap();
	if (script != NULL) {
		if ((script->ncommands > 0) != (script->commands != NULL))
			__builtin_trap();
		for (size_t i = 0; i < script->ncommands; i++)
			check_node(&script->commands[i], 1, 1);
	}
	sift_diags_free(&diags);
	sift_arena_destroy(&arena);
	return 0;
}
