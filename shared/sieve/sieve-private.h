/* SPDX-License-Identifier: MIT */
#ifndef SIFT_SIEVE_PRIVATE_H
#define SIFT_SIEVE_PRIVATE_H

/* The engine's inside: the compiled program (a tree of typed nodes), the
   table of extensions with their commands and tests, and the run
   context.  Only shared/sieve/ includes this. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buffer.h"
#include "util/diag.h"
#include "util/limits.h"
#include "sieve/sieve.h"
#include "sieve/sieve-ast.h"
#include "sieve/sieve-match.h"

/* ---- capabilities ---- */

enum sift_sieve_ext {
	SIFT_EXT_CORE, /* always there */
	SIFT_EXT_FILEINTO,
	SIFT_EXT_ENVELOPE,
	SIFT_EXT_ENCODED_CHARACTER,
	SIFT_EXT_CMP_OCTET,
	SIFT_EXT_CMP_CASEMAP,
	SIFT_EXT_CMP_NUMERIC,
	SIFT_EXT_REJECT,
	SIFT_EXT_EREJECT,
	SIFT_EXT_IMAP4FLAGS,
	SIFT_EXT_VARIABLES,
	SIFT_EXT_RELATIONAL,
	SIFT_EXT_SUBADDRESS,
	SIFT_EXT_REGEX,
	SIFT_EXT_COPY,
	SIFT_EXT_BODY,
	SIFT_EXT_DATE,
	SIFT_EXT_INDEX,
	SIFT_EXT_EDITHEADER,
	SIFT_EXT_ENVIRONMENT,
	SIFT_EXT_MAILBOX,
	SIFT_EXT_IHAVE,
	SIFT_EXT_TEMPFAIL,
	SIFT_EXT_QUARANTINE,
	SIFT_EXT_COUNT
};
extern const char *const sift_ext_names[SIFT_EXT_COUNT];
int sift_ext_lookup(const char *name, size_t len);

/* ---- tags ---- */

enum sift_tag {
	SIFT_TAG_COMPARATOR,
	SIFT_TAG_IS,
	SIFT_TAG_CONTAINS,
	SIFT_TAG_MATCHES,
	SIFT_TAG_REGEX,
	SIFT_TAG_VALUE,
	SIFT_TAG_COUNT,
	SIFT_TAG_ALL,
	SIFT_TAG_LOCALPART,
	SIFT_TAG_DOMAIN,
	SIFT_TAG_USER,
	SIFT_TAG_DETAIL,
	SIFT_TAG_OVER,
	SIFT_TAG_UNDER,
	SIFT_TAG_COPY,
	SIFT_TAG_FLAGS,
	SIFT_TAG_CREATE,
	SIFT_TAG_RAW,
	SIFT_TAG_CONTENT,
	SIFT_TAG_TEXT,
	SIFT_TAG_ZONE,
	SIFT_TAG_ORIGINALZONE,
	SIFT_TAG_INDEX,
	SIFT_TAG_LAST,
	SIFT_TAG_LOWER,
	SIFT_TAG_UPPER,
	SIFT_TAG_LOWERFIRST,
	SIFT_TAG_UPPERFIRST,
	SIFT_TAG_QUOTEWILDCARD,
	SIFT_TAG_QUOTEREGEX,
	SIFT_TAG_LENGTH,
	SIFT_TAG_MAX
};

/* Tags that exclude each other share a group (0: no group). */
enum sift_tag_group {
	SIFT_TGROUP_NONE,
	SIFT_TGROUP_MATCH,
	SIFT_TGROUP_ADDRESS_PART,
	SIFT_TGROUP_SIZE,
	SIFT_TGROUP_BODY,
	SIFT_TGROUP_ZONE,
	SIFT_TGROUP_CASE,  /* :lower/:upper */
	SIFT_TGROUP_FIRST, /* :lowerfirst/:upperfirst */
	SIFT_TGROUP_QUOTE, /* :quotewildcard/:quoteregex */
};

enum sift_arg_kind {
	SIFT_AK_NONE,
	SIFT_AK_STRING,
	SIFT_AK_STRING_LIST,
	SIFT_AK_NUMBER,
};

struct sift_tag_def {
	const char *name;
	enum sift_sieve_ext ext;
	enum sift_tag_group group;
	enum sift_arg_kind arg;
};
extern const struct sift_tag_def sift_tag_defs[SIFT_TAG_MAX];

/* ---- compiled strings ---- */

/* A string as the program holds it.  Without variables in it, it is a
   constant; with them, a template of literal pieces and variable
   references expanded at run time. */
enum sift_sval_piece_kind {
	SIFT_PIECE_LITERAL,
	SIFT_PIECE_VAR,   /* a script variable, by slot */
	SIFT_PIECE_MATCH, /* a match variable ${0}..${9} */
};
struct sift_sval_piece {
	enum sift_sval_piece_kind kind;
	const char *data; /* LITERAL */
	size_t len;
	unsigned int index; /* VAR slot or MATCH number */
};
struct sift_sval {
	const char *data; /* the constant value (also the text as written) */
	size_t len;
	unsigned int line;
	unsigned int column;
	struct sift_sval_piece *pieces; /* NULL: constant */
	size_t npieces;
	/* Prepared key when this string is a match key and constant. */
	struct sift_match_key key;
	bool key_ready;
};
struct sift_slist {
	struct sift_sval *items;
	size_t count;
	unsigned int line;
	unsigned int column;
};

/* ---- compiled nodes ---- */

struct sift_cmd_def;
struct sift_run;

struct sift_node {
	const struct sift_cmd_def *def;
	unsigned int line;
	unsigned int column;

	/* Tags given: a bit per enum sift_tag, and their arguments. */
	uint64_t tags;
	struct sift_slist *tag_list[SIFT_TAG_MAX]; /* string and string-list args */
	uint64_t tag_number[SIFT_TAG_MAX];
	/* Order in which the tags were written (1-based; 0: absent). */
	unsigned char tag_pos[SIFT_TAG_MAX];
	/* Where each tag and its argument were written. */
	struct {
		unsigned int line, column, arg_line, arg_column;
	} tag_at[SIFT_TAG_MAX];

	/* Positional arguments in order; numbers in `number`. */
	struct sift_slist *pos[3];
	uint64_t number;

	/* The match part of a test, resolved with defaults. */
	enum sift_cmp cmp;
	enum sift_match_type match;
	enum sift_rel rel;
	enum sift_tag address_part; /* SIFT_TAG_ALL, ... */
	/* The slist holding the keys (one of pos[]), or NULL. */
	struct sift_slist *keys;

	/* Extension data prepared by the validator. */
	int kind; /* e.g. date part, environment item, variable slot */
	void *data;

	struct sift_node **tests;
	size_t ntests;
	struct sift_node **block;
	size_t nblock;
	bool has_block;
};

/* ---- command and test definitions ---- */

struct sift_vctx; /* validation context */

enum sift_cmd_kind {
	SIFT_CMD_COMMAND,
	SIFT_CMD_TEST,
};

struct sift_cmd_def {
	const char *name;
	enum sift_cmd_kind kind;
	enum sift_sieve_ext ext;
	/* Tags allowed: a bit per enum sift_tag (capability of each tag is
	   checked separately). */
	uint64_t tags;
	/* Positional arguments: a string of 's' (string), 'l' (string list),
	   'n' (number). */
	const char *positional;
	/* Tests taken: 0, 1 (if, not) or -1 (a test list: allof, anyof). */
	int tests;
	/* Block: 0 none, 1 required. */
	int block;
	/* Extra checks after the generic ones; -1 after adding an error. */
	int (*validate)(struct sift_vctx *vctx, struct sift_node *node);
	/* Commands: 0 go on, 1 stop, -1 runtime error (set in run).
	   Tests: 1 true, 0 false, -1 runtime error. */
	int (*exec)(struct sift_run *run, const struct sift_node *node);
};

extern const struct sift_cmd_def *const sift_cmd_table[];
extern const size_t sift_cmd_table_size;

/* ---- the program ---- */

struct sift_var_def {
	const char *name; /* lower case */
	size_t len;
};

struct sift_sieve_program {
	int refcount;
	struct sift_arena *arena;
	struct sift_limits limits;
	bool ext_used[SIFT_EXT_COUNT];
	struct sift_node **commands;
	size_t ncommands;
	/* Script variables: slots, in order of first use. */
	struct sift_var_def *vars;
	size_t nvars;
	/* Prepared regex keys to free with the program. */
	struct sift_match_key **regex_keys;
	size_t nregex_keys;
	size_t regex_keys_alloc;
};

/* ---- validation context (sieve-validate.c) ---- */

struct sift_vctx {
	struct sift_arena *arena;
	struct sift_diags *diags;
	struct sift_sieve_program *program;
	bool ext_required[SIFT_EXT_COUNT];
};

void sift_vctx_error(struct sift_vctx *vctx, unsigned int line, unsigned int col, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));
void sift_vctx_warning(struct sift_vctx *vctx, unsigned int line, unsigned int col, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));
/* Variable slot for a name, declared on first use; -1 past the limit. */
int sift_vctx_variable(struct sift_vctx *vctx, const char *name, size_t len, unsigned int line,
                       unsigned int col);
/* sieve-string.c: decodes encoded characters in every string of a node
   and its children (when the script requires encoded-character). */
void sift_vctx_decode_encoded(struct sift_vctx *vctx, struct sift_sieve_node *node);
/* sieve-string.c: splits a string into literal pieces and variable
   references (when the script requires variables). */
void sift_vctx_compile_template(struct sift_vctx *vctx, struct sift_sval *sval);
/* The slot of a variable named by a constant string argument (set,
   imap4flags); -1 after an error when it is no valid name. */
int sift_vctx_variable_arg(struct sift_vctx *vctx, const struct sift_sval *name);
/* Whether a string argument is a valid variable name (RFC 5229 3). */
bool sift_sieve_var_name_valid(const char *name, size_t len);

/* ---- the run (sieve-interp.c) ---- */

struct sift_var_value {
	char *data;
	size_t len;
	size_t cap;
};

struct sift_run {
	const struct sift_sieve_program *program;
	const struct sift_sieve_run_params *params;
	const struct sift_limits *limits;
	struct sift_message *msg;
	struct sift_arena *arena;   /* the result's arena */
	struct sift_arena *scratch; /* per-run scratch (extraction) */
	struct sift_sieve_result *result;
	struct sift_match_scratch *mscratch;

	struct sift_var_value *vars;
	struct sift_match_vars match_vars;
	/* imap4flags internal variable: the current flags. */
	struct sift_var_value flags;

	size_t redirects;
	size_t actions_alloc;
	size_t matched_alloc;
	bool keep_cancelled;
	bool stopped;

	/* Per-run caches (scratch arena): parsed address fields and
	   extracted body pieces, so many rules over the same field or body
	   parse and decode it once. */
	struct sift_addr_cache *addr_cache;
	struct sift_body_cache *body_cache;

	/* editheader: the top-level header list, copied on first edit. */
	struct sift_header_list *headers;

	/* Runtime error. */
	char error[512];
	unsigned int error_line;
	/* The error is a resource limit (CPU time, regex steps). */
	bool error_limit;
	bool failed;

	uint64_t cpu_deadline_ns; /* 0: none */
	unsigned int steps;

	/* Set when the run has no message (sift_sieve_explore). */
	struct sift_explore *explore;
};

/* A test's answer when it needs the message and the run has none. */
#define SIFT_TEST_UNKNOWN 2

/* One path through the unknown tests of an envelope-only run: the way
   each `if` on an unknown condition went, in the order met. */
struct sift_explore {
	bool *choices;
	size_t nchoices;
	size_t alloc;
	size_t pos; /* next choice to read */
	/* The match variables may hold what an unknown test matched. */
	bool match_vars_unknown;
	/* A string used a value that depends on an unknown test: the
	   outcome of this path is not known. */
	bool undecidable;
};

int sift_run_error(struct sift_run *run, const struct sift_sieve_node *unused, unsigned int line,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Expands a compiled string: the constant, or the template with current
   variable values (arena memory of the run's scratch).  */
const char *sift_run_expand(struct sift_run *run, const struct sift_sval *sval, size_t *len_r);

/* Matches the values produced by a test against its keys, with the
   node's comparator, match type and relation; handles :count. Values
   are given one by one through the matcher. */
struct sift_matcher {
	struct sift_run *run;
	const struct sift_node *node;
	size_t count; /* values seen (for :count) */
	int result;   /* 1 matched, 0 not yet, -1 error */
};
void sift_matcher_init(struct sift_matcher *m, struct sift_run *run, const struct sift_node *node);
/* Returns true when the matcher is decided (match found or error) and
   extraction can stop. */
bool sift_matcher_value(struct sift_matcher *m, const char *value, size_t len);
/* The outcome after the last value: 1, 0 or -1. */
int sift_matcher_finish(struct sift_matcher *m);

/* Adds an action to the result, applying limits, merges and conflicts.
   Returns 0 or -1 (runtime error set). */
int sift_result_add(struct sift_run *run, struct sift_sieve_action *action);
/* Enforces the CPU limit: checked every few steps, or now. */
int sift_run_check_cpu(struct sift_run *run, const struct sift_node *node, bool now);
/* Tests a node: 1 true, 0 false, -1 runtime error, SIFT_TEST_UNKNOWN
   when it needs the message and the run has none. */
int sift_run_test(struct sift_run *run, const struct sift_node *node);
bool sift_result_keeps(const struct sift_sieve_result *res);
/* Records a line that was true/executed for statistics. */
void sift_run_matched_line(struct sift_run *run, unsigned int line);
void sift_run_trace(struct sift_run *run, const struct sift_node *node, const char *extracted,
                    size_t extracted_len, const char *key, size_t key_len, int outcome);
/* Current imap4flags flags as a NULL-terminated array (run arena). */
/* A shallow copy of a header list in arena: the fields' bytes are shared,
   the links are the copy's own, so the copy can be edited. */
struct sift_header_list *sift_header_list_copy(struct sift_arena *arena,
                                               const struct sift_header_list *orig);
const char **sift_run_flags_array(struct sift_run *run, const char *flags, size_t len);

/* The top-level header fields as tests must see them (after editheader). */
struct sift_header_list *sift_run_headers(struct sift_run *run);

#endif
