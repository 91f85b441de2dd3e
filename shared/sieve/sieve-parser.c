/* SPDX-License-Identifier: MIT */
/* Sieve parser (RFC 5228 section 8.2): tokens from sieve-lexer.c into the
   syntax tree of sieve-ast.h.  Names are not looked at; the validator does
   that.

   The parser does not recurse.  It keeps an explicit stack of frames (a
   command list, a command, a test), so neither the C stack nor the time
   depends on how deep the input nests; the frame stack is bounded by the
   nesting limit.  Arguments and nodes not yet complete wait on two shared
   stacks (a frame's own items are always on top while it is open); when a
   node or block completes, its items move into an array of exactly their
   size.  All memory, stacks included, comes from the caller's arena; the
   stacks grow by doubling, so what they leave behind is bounded by twice
   their peak, and the total stays linear in the script size.

   Limits, counted as Pigeonhole counts them so that a script accepted by
   one is accepted by the other: top-level commands are at block level 1
   and each '{' adds one; a command's test is at test level 2 and every
   test inside another (after `not`, inside `anyof (...)`) one more.
   Either level passing max_nesting (default 32) is "nesting too deep".
   The script size is checked before anything is read.

   Bad input: every error is reported with the position of the offending
   token.  The parser then drops the command it was in and skips to the
   next ';' or past the next balanced '}' of that command (a '}' closing
   the enclosing block is left for it), so one run reports several errors.
   It stops when the diagnostics list is full or the lexer meets an
   unterminated string or comment (everything after is part of it).
   Any error: the result is NULL. */
#include "sieve/sieve-ast.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sieve/sieve-lexer.h"

#define DEFAULT_MAX_NESTING 32

struct vec {
	void *items;
	size_t count;
	size_t cap;
};

enum frame_kind {
	FRAME_BLOCK, /* the top-level command list or a { } block */
	FRAME_COMMAND,
	FRAME_TEST,
};

enum node_state {
	STATE_ARGS,           /* arguments, then maybe a test or '(' */
	STATE_TEST_LIST,      /* after '(' or ',': a test must follow */
	STATE_TEST_LIST_NEXT, /* after a test of a list: ',' or ')' */
	STATE_END,            /* a command wants ';' or '{'; a test is done */
};

struct frame {
	enum frame_kind kind;
	enum node_state state;
	/* Block level of a block's commands; test level of a node. */
	unsigned int level;
	unsigned int line; /* a block's '{' */
	unsigned int column;
	struct sift_sieve_node node;
	/* Where the frame's own items start on the pending stacks: a node's
	   arguments and tests, a block's commands. */
	size_t args_base;
	size_t nodes_base;
};

struct parser {
	struct sift_arena *arena;
	struct sift_diags *diags;
	struct sift_sieve_lexer lex;
	struct sift_sieve_token tok;
	bool have_tok;
	unsigned int max_nesting;
	size_t diag_limit;
	struct vec frames;  /* struct frame */
	struct vec args;    /* struct sift_sieve_arg, pending */
	struct vec nodes;   /* struct sift_sieve_node, pending */
	struct vec strings; /* struct sift_sieve_string, the list being read */
};

static void *
vec_push(struct sift_arena *arena, struct vec *v, size_t size)
{
	if (v->count == v->cap) {
		size_t cap = v->cap == 0 ? 4 : v->cap * 2;
		void *items =
		    sift_arena_alloc(arena, cap > SIZE_MAX / size ? SIZE_MAX : cap * size);
		if (v->count > 0)
			memcpy(items, v->items, v->count * size);
		v->items = items;
		v->cap = cap;
	}
	void *slot = (char *)v->items + v->count * size;
	v->count++;
	memset(slot, 0, size);
	return slot;
}

/* Moves the items from base up off the stack into an array of their own;
   NULL when there are none. */
static void *
take(struct parser *p, struct vec *v, size_t base, size_t size, size_t *count_r)
{
	size_t n = v->count - base;
	void *items = NULL;

	if (n > 0) {
		items = sift_arena_alloc(p->arena, n * size);
		memcpy(items, (char *)v->items + base * size, n * size);
	}
	v->count = base;
	*count_r = n;
	return items;
}

static struct frame *
frame_at(struct parser *p, size_t i)
{
	return &((struct frame *)p->frames.items)[i];
}

static struct frame *
top(struct parser *p)
{
	return frame_at(p, p->frames.count - 1);
}

/* Pointers into the frame stack die at the next push. */
static struct frame *
push(struct parser *p, enum frame_kind kind, unsigned int level)
{
	struct frame *f = vec_push(p->arena, &p->frames, sizeof(struct frame));
	f->kind = kind;
	f->state = STATE_ARGS;
	f->level = level;
	f->args_base = p->args.count;
	f->nodes_base = p->nodes.count;
	return f;
}

static const struct sift_sieve_token *
peek(struct parser *p)
{
	if (!p->have_tok) {
		sift_sieve_lex_next(&p->lex, &p->tok);
		p->have_tok = true;
	}
	return &p->tok;
}

static void
consume(struct parser *p)
{
	p->have_tok = false;
}

static bool
diags_full(const struct parser *p)
{
	return p->diags->count > p->diag_limit;
}

/* The node's name comes from the identifier token under it. */
static void
push_node(struct parser *p, enum frame_kind kind, unsigned int level)
{
	const struct sift_sieve_token *t = peek(p);
	struct frame *f = push(p, kind, level);

	f->node.name = t->name;
	f->node.name_as_written = t->name_as_written;
	f->node.line = t->line;
	f->node.column = t->column;
	consume(p);
}

/* Pops the complete node on top; it becomes the last pending item of its
   parent (a block's command or a node's test). */
static void
finish_node(struct parser *p)
{
	struct frame *f = top(p);
	struct sift_sieve_node node = f->node;

	node.args = take(p, &p->args, f->args_base, sizeof(*node.args), &node.nargs);
	node.tests = take(p, &p->nodes, f->nodes_base, sizeof(*node.tests), &node.ntests);
	p->frames.count--;
	*(struct sift_sieve_node *)vec_push(p->arena, &p->nodes, sizeof(node)) = node;
}

static void report(struct parser *p, unsigned int line, unsigned int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
report(struct parser *p, unsigned int line, unsigned int column, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sift_diags_add(p->diags, SIFT_SEV_ERROR, line, column, "%s", text);
}

/* Drops the unfinished command and skips to where the next one can start:
   past a ';' or a balanced '{...}' at the command's own level, or up to a
   '}' that closes the enclosing block.  depth > 0 when a '{' has been
   consumed already. */
static void
recover(struct parser *p, unsigned int depth)
{
	while (top(p)->kind != FRAME_BLOCK) {
		p->args.count = top(p)->args_base;
		p->nodes.count = top(p)->nodes_base;
		p->frames.count--;
	}
	for (;;) {
		const struct sift_sieve_token *t = peek(p);
		if (t->type == SIFT_SIEVE_TOK_EOF || t->type == SIFT_SIEVE_TOK_ERROR)
			return;
		if (t->type == SIFT_SIEVE_TOK_LBRACE) {
			if (depth < UINT_MAX)
				depth++;
		} else if (t->type == SIFT_SIEVE_TOK_RBRACE) {
			if (depth == 0)
				return;
			if (--depth == 0) {
				consume(p);
				return;
			}
		} else if (t->type == SIFT_SIEVE_TOK_SEMICOLON && depth == 0) {
			consume(p);
			return;
		}
		consume(p);
	}
}

/* ')' ']' ',' where no rule wants them. */
static bool
is_stray_closer(const struct sift_sieve_token *t)
{
	return t->type == SIFT_SIEVE_TOK_RPAREN || t->type == SIFT_SIEVE_TOK_RBRACKET ||
	       t->type == SIFT_SIEVE_TOK_COMMA;
}

static void
error_unexpected(struct parser *p, const struct sift_sieve_token *t)
{
	char buf[80];
	report(p, t->line, t->column, "unexpected %s",
	       sift_sieve_lex_describe(t, buf, sizeof(buf)));
}

static void
error_expected(struct parser *p, const struct sift_sieve_token *t, const char *what)
{
	char buf[80];
	report(p, t->line, t->column, "expected %s, found %s", what,
	       sift_sieve_lex_describe(t, buf, sizeof(buf)));
}

/* "[" string *("," string) "]", the '[' being the current token.  False
   after an error (reported and recovered from). */
static bool
parse_string_list(struct parser *p, struct sift_sieve_arg *arg)
{
	const struct sift_sieve_token *t = peek(p);
	unsigned int line = t->line, column = t->column;

	p->strings.count = 0;
	consume(p);
	for (;;) {
		t = peek(p);
		if (t->type == SIFT_SIEVE_TOK_RBRACKET && p->strings.count == 0) {
			report(p, line, column, "empty string list");
			recover(p, 0);
			return false;
		}
		if (t->type != SIFT_SIEVE_TOK_STRING) {
			error_expected(p, t, "string in string list");
			recover(p, 0);
			return false;
		}
		*(struct sift_sieve_string *)vec_push(p->arena, &p->strings,
		                                      sizeof(struct sift_sieve_string)) = t->string;
		consume(p);
		t = peek(p);
		if (t->type == SIFT_SIEVE_TOK_RBRACKET) {
			consume(p);
			break;
		}
		if (t->type != SIFT_SIEVE_TOK_COMMA) {
			error_expected(p, t, "',' or ']' in string list");
			recover(p, 0);
			return false;
		}
		consume(p);
	}
	arg->type = SIFT_SIEVE_ARG_STRING_LIST;
	arg->line = line;
	arg->column = column;
	arg->list.items = take(p, &p->strings, 0, sizeof(*arg->list.items), &arg->list.count);
	return true;
}

/* Pushes a test under the node on top, or reports that it nests too deep
   (and recovers).  The identifier is the current token. */
static bool
start_test(struct parser *p)
{
	unsigned int level = top(p)->level + 1;

	if (level > p->max_nesting) {
		report(p, p->tok.line, p->tok.column, "nesting too deep (limit %u)",
		       p->max_nesting);
		recover(p, 0);
		return false;
	}
	push_node(p, FRAME_TEST, level);
	return true;
}

static void
step_block(struct parser *p, bool *done)
{
	const struct sift_sieve_token *t = peek(p);

	switch (t->type) {
	case SIFT_SIEVE_TOK_IDENTIFIER:
		/* A command starts its tests at level 1. */
		push_node(p, FRAME_COMMAND, 1);
		return;
	case SIFT_SIEVE_TOK_RBRACE:
		if (p->frames.count == 1) {
			error_unexpected(p, t);
			consume(p);
			return;
		}
		struct frame *b = top(p);
		size_t n;
		struct sift_sieve_node *cmds = take(p, &p->nodes, b->nodes_base, sizeof(*cmds), &n);
		p->frames.count--;
		struct frame *c = top(p);
		c->node.block = cmds;
		c->node.nblock = n;
		c->node.has_block = true;
		consume(p);
		finish_node(p);
		return;
	case SIFT_SIEVE_TOK_EOF:
		if (p->frames.count > 1) {
			const struct frame *open = top(p);
			report(p, t->line, t->column, "expected '}' before end of script");
			sift_diags_add(p->diags, SIFT_SEV_NOTE, open->line, open->column,
			               "to match this '{'");
		}
		*done = true;
		return;
	default:
		if (is_stray_closer(t))
			error_unexpected(p, t);
		else
			error_expected(p, t, "command");
		recover(p, 0);
		return;
	}
}

static void
step_node(struct parser *p)
{
	const struct sift_sieve_token *t = peek(p);
	struct frame *f = top(p);
	struct sift_sieve_arg *arg;

	switch (f->state) {
	case STATE_ARGS:
		switch (t->type) {
		case SIFT_SIEVE_TOK_STRING:
			arg = vec_push(p->arena, &p->args, sizeof(*arg));
			arg->type = SIFT_SIEVE_ARG_STRING;
			arg->line = t->line;
			arg->column = t->column;
			arg->list.items =
			    sift_arena_alloc(p->arena, sizeof(struct sift_sieve_string));
			arg->list.items[0] = t->string;
			arg->list.count = 1;
			consume(p);
			return;
		case SIFT_SIEVE_TOK_NUMBER:
			arg = vec_push(p->arena, &p->args, sizeof(*arg));
			arg->type = SIFT_SIEVE_ARG_NUMBER;
			arg->line = t->line;
			arg->column = t->column;
			arg->number = t->number;
			consume(p);
			return;
		case SIFT_SIEVE_TOK_TAG:
			arg = vec_push(p->arena, &p->args, sizeof(*arg));
			arg->type = SIFT_SIEVE_ARG_TAG;
			arg->line = t->line;
			arg->column = t->column;
			arg->tag = t->name;
			consume(p);
			return;
		case SIFT_SIEVE_TOK_LBRACKET: {
			struct sift_sieve_arg list;
			memset(&list, 0, sizeof(list));
			if (parse_string_list(p, &list))
				*(struct sift_sieve_arg *)vec_push(p->arena, &p->args,
				                                   sizeof(list)) = list;
			return;
		}
		case SIFT_SIEVE_TOK_IDENTIFIER:
			f->state = STATE_END;
			start_test(p);
			return;
		case SIFT_SIEVE_TOK_LPAREN:
			f->node.test_list = true;
			f->state = STATE_TEST_LIST;
			consume(p);
			return;
		default:
			f->state = STATE_END;
			return;
		}
	case STATE_TEST_LIST:
		if (t->type != SIFT_SIEVE_TOK_IDENTIFIER) {
			error_expected(p, t, "test");
			recover(p, 0);
			return;
		}
		f->state = STATE_TEST_LIST_NEXT;
		start_test(p);
		return;
	case STATE_TEST_LIST_NEXT:
		if (t->type == SIFT_SIEVE_TOK_COMMA) {
			f->state = STATE_TEST_LIST;
			consume(p);
		} else if (t->type == SIFT_SIEVE_TOK_RPAREN) {
			f->state = STATE_END;
			consume(p);
		} else {
			/* The test just finished is the last pending node. */
			const struct sift_sieve_node *last =
			    &((struct sift_sieve_node *)p->nodes.items)[p->nodes.count - 1];
			report(p, t->line, t->column, "expected ',' or ')' after test '%.64s'",
			       last->name_as_written);
			recover(p, 0);
		}
		return;
	case STATE_END:
		if (f->kind == FRAME_TEST) {
			finish_node(p);
			return;
		}
		if (t->type == SIFT_SIEVE_TOK_SEMICOLON) {
			consume(p);
			finish_node(p);
			return;
		}
		if (t->type == SIFT_SIEVE_TOK_LBRACE) {
			/* The enclosing block sits right under the command. */
			unsigned int level = frame_at(p, p->frames.count - 2)->level + 1;
			unsigned int line = t->line, column = t->column;
			consume(p);
			if (level > p->max_nesting) {
				report(p, line, column, "nesting too deep (limit %u)",
				       p->max_nesting);
				recover(p, 1);
				return;
			}
			struct frame *b = push(p, FRAME_BLOCK, level);
			b->line = line;
			b->column = column;
			return;
		}
		if (is_stray_closer(t))
			error_unexpected(p, t);
		else
			report(p, t->line, t->column, "expected ';' or '{' after command '%.64s'",
			       f->node.name_as_written);
		recover(p, 0);
		return;
	}
}

struct sift_sieve_script *
sift_sieve_parse(struct sift_arena *arena, const char *text, size_t len,
                 const struct sift_sieve_parse_limits *limits, struct sift_diags *diags)
{
	size_t errors = diags->errors;
	size_t max_bytes = limits == NULL ? 0 : limits->max_script_bytes;

	if (max_bytes != 0 && len > max_bytes) {
		sift_diags_add(diags, SIFT_SEV_ERROR, 0, 0,
		               "script too large (%zu bytes, limit %zu)", len, max_bytes);
		return NULL;
	}

	struct parser p;
	memset(&p, 0, sizeof(p));
	p.arena = arena;
	p.diags = diags;
	p.max_nesting =
	    limits == NULL || limits->max_nesting == 0 ? DEFAULT_MAX_NESTING : limits->max_nesting;
	p.diag_limit = diags->max == 0 ? 100 : diags->max;
	sift_sieve_lex_init(&p.lex, arena, text, len, diags);
	push(&p, FRAME_BLOCK, 1);

	bool done = false;
	while (!done) {
		/* Whatever follows an unterminated string or comment is inside
		   it: nothing more to say. */
		if (peek(&p)->type == SIFT_SIEVE_TOK_ERROR)
			break;
		if (diags->errors > errors && diags_full(&p))
			break;
		if (top(&p)->kind == FRAME_BLOCK)
			step_block(&p, &done);
		else
			step_node(&p);
	}
	if (diags->errors > errors)
		return NULL;

	struct sift_sieve_script *script = sift_arena_zalloc(arena, sizeof(*script));
	script->commands = take(&p, &p.nodes, 0, sizeof(*script->commands), &script->ncommands);
	return script;
}
