/* SPDX-License-Identifier: MIT */
#ifndef SIFT_SIEVE_AST_H
#define SIFT_SIEVE_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/diag.h"

/* The syntax tree of a Sieve script (RFC 5228 section 8), as the parser
   builds it: untyped, nothing resolved.  Names are not checked against any
   extension here; the validator does that.  All memory comes from one
   arena.  Strings are counted (a script may hold NUL bytes through
   encoded-character later, and bytes that are not UTF-8 are kept). */

struct sift_sieve_string {
	char *data; /* NUL-terminated copy, escapes and dot-stuffing removed */
	size_t len;
	unsigned int line; /* position of the opening quote or "text:" */
	unsigned int column;
	bool multiline; /* written as text: ... . */
};

enum sift_sieve_arg_type {
	SIFT_SIEVE_ARG_NUMBER,
	SIFT_SIEVE_ARG_STRING,      /* a single string: list.count == 1 */
	SIFT_SIEVE_ARG_STRING_LIST, /* [ "a", "b" ]: list.count >= 1 */
	SIFT_SIEVE_ARG_TAG,
};

struct sift_sieve_arg {
	enum sift_sieve_arg_type type;
	unsigned int line;
	unsigned int column;
	/* NUMBER: the value with its K/M/G quantifier applied. */
	uint64_t number;
	/* STRING and STRING_LIST. */
	struct {
		struct sift_sieve_string *items;
		size_t count;
	} list;
	/* TAG: the identifier after ':', lower case, NUL-terminated. */
	const char *tag;
};

/* A command or a test: identifier, arguments, then for a command an
   optional test or test list and an optional block. */
struct sift_sieve_node {
	const char *name; /* lower case (identifiers are case-insensitive) */
	const char *name_as_written;
	unsigned int line;
	unsigned int column;

	struct sift_sieve_arg *args;
	size_t nargs;

	/* Tests: for a command, `if anyof (a, b)` has one test (anyof) which
	   has two.  test_list is true when they were written in ( ). */
	struct sift_sieve_node *tests;
	size_t ntests;
	bool test_list;

	/* Commands only: the block { ... }.  has_block is false for a
	   command ended by ';'. */
	struct sift_sieve_node *block;
	size_t nblock;
	bool has_block;
};

struct sift_sieve_script {
	struct sift_sieve_node *commands; /* the top-level commands, in order */
	size_t ncommands;
};

struct sift_sieve_parse_limits {
	size_t max_script_bytes; /* 0: no limit */
	/* Nesting depth, counted as Pigeonhole counts it: top-level commands
	   are level 1 and each '{' adds one; a command's test is level 1 and
	   each nested test adds one.  Deeper is an error; 0: 32. */
	unsigned int max_nesting;
};

/* Parses a script.  Errors go to diags as "line, column, text" (text in
   the style "unexpected '}'", "unterminated string", "number too large");
   the parser recovers at the next ';' or '}' where it can, so one run
   reports several errors.  Returns the tree, or NULL when there were
   errors.  Never crashes or recurses without bound, whatever the input. */
struct sift_sieve_script *sift_sieve_parse(struct sift_arena *arena, const char *text, size_t len,
                                           const struct sift_sieve_parse_limits *limits,
                                           struct sift_diags *diags);

#endif
