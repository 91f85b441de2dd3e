/* SPDX-License-Identifier: MIT */
/* One Sieve test on its own, as a search key (IMAP X-SIEVE): the text is
   compiled as the condition of `if <test> { stop; }` behind a require of
   every extension that defines a test, a match type, a comparator or an
   address part, and the test is true when a run reaches the stop.  The
   compiled program must be exactly that one `if`: a text that closes the
   condition and writes commands of its own is refused. */

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buffer.h"
#include "sieve/ext.h"
#include "sieve/sieve-private.h"

#define SINGLE_PREFIX                                                                              \
	"require [\"comparator-i;ascii-numeric\", \"relational\", \"subaddress\", \"regex\", "      \
	"\"body\", \"date\", \"index\", \"variables\", \"envelope\", \"environment\", "             \
	"\"imap4flags\", \"mailbox\", \"encoded-character\", \"ihave\"];\n"
#define SINGLE_IF "if "
#define SINGLE_SUFFIX "\n{ stop; }\n"

/* Moves the diagnostics added since `from` back onto the caller's text:
   the text starts on line 2 after "if ".  What the compiler found after
   the text (a condition that stops short) is put at the text's end. */
static void
diags_to_text(struct sift_diags *diags, size_t from, const char *text, size_t len)
{
	unsigned int lines = 1, last_len = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			lines++;
			last_len = 0;
		} else {
			last_len++;
		}
	}
	for (size_t i = from; i < diags->count; i++) {
		struct sift_diag *d = &diags->items[i];
		if (d->line < 2)
			continue;
		d->line--;
		if (d->line == 1 && d->column > strlen(SINGLE_IF))
			d->column -= (unsigned int)strlen(SINGLE_IF);
		if (d->line > lines) {
			d->line = lines;
			d->column = last_len + 1;
		}
	}
}

static bool
blank(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			return false;
	}
	return true;
}

struct sift_sieve_program *
sift_sieve_compile_test(const char *text, size_t len, const struct sift_limits *limits,
                        struct sift_diags *diags)
{
	if (blank(text, len)) {
		sift_diags_add(diags, SIFT_SEV_ERROR, 1, 1, "the test is empty");
		return NULL;
	}
	size_t from = diags->count;
	struct sift_buf script;
	sift_buf_init(&script, 0);
	(void)sift_buf_append_str(&script, SINGLE_PREFIX SINGLE_IF);
	(void)sift_buf_append(&script, text, len);
	(void)sift_buf_append_str(&script, SINGLE_SUFFIX);
	struct sift_sieve_program *prog =
	    sift_sieve_compile("test", script.data, script.len, limits, diags);
	sift_buf_free(&script);
	diags_to_text(diags, from, text, len);
	if (prog == NULL)
		return NULL;
	const struct sift_node *cmd = prog->ncommands == 1 ? prog->commands[0] : NULL;
	if (cmd == NULL || cmd->def != &sift_cmd_if || cmd->nblock != 1 ||
	    cmd->block[0]->def != &sift_cmd_stop) {
		sift_diags_add(diags, SIFT_SEV_ERROR, 1, 1,
		               "a single test is expected, not commands");
		sift_sieve_program_unref(&prog);
		return NULL;
	}
	return prog;
}

int
sift_sieve_test(const struct sift_sieve_program *program, const struct sift_sieve_run_params *params,
                struct sift_sieve_result **result_r, const char **error_r)
{
	*result_r = NULL;
	if (sift_sieve_run(program, params, result_r, error_r) < 0)
		return -1;
	if ((*result_r)->failed) {
		*error_r = (*result_r)->error;
		return -1;
	}
	return (*result_r)->stopped ? 1 : 0;
}
