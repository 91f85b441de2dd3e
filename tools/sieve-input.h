/* SPDX-License-Identifier: MIT */
#ifndef SIEVE_INPUT_H
#define SIEVE_INPUT_H

/* What `mailsift test` and `mailsift run` share: reading scripts and
   messages, printing compile diagnostics, the options of DESIGN.md and
   the host callbacks the offline tool answers. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/buffer.h"
#include "util/limits.h"
#include "mail/message-parser.h"
#include "sieve/sieve.h"

enum tool_format { TOOL_FORMAT_TEXT, TOOL_FORMAT_JSON, TOOL_FORMAT_PIGEONHOLE };

struct tool_opts {
	const char *from;    /* -f; NULL: from the message's headers */
	const char *to;      /* -r */
	const char *orig_to; /* -a */
	const char *location;
	const char *phase;
	const char **env; /* NAME=VALUE */
	size_t nenv;
	const char **mailboxes;
	size_t nmailboxes;
	bool trace;
	bool stats;
	enum tool_format format;
	struct sift_limits limits;
	bool have_now;
	int64_t now;
	char hostname[256];
};

/* Parses the options shared by test and run from argv (getopt_long);
   returns the index of the first operand, or -1 after printing an
   error. */
int tool_parse_opts(int argc, char **argv, struct tool_opts *opts, bool for_run);

/* Reads a whole file ("-": standard input); -1 after printing an error. */
int tool_read_file(const char *path, struct sift_buf *out);

/* Compiles a script file, printing diagnostics as FILE:LINE:COL:
   severity: text to stderr.  NULL on failure (*usage_r true when the
   file could not be read). */
struct sift_sieve_program *tool_compile(const char *path, const struct sift_limits *limits);

/* Parses a message held in memory; NULL after printing an error. */
struct sift_message *tool_parse_message(const char *name, const char *data, size_t len,
                                        const struct sift_limits *limits);

/* Fills run parameters for one message: envelope from the options or,
   like Pigeonhole's sieve-test, from Return-Path/Sender/From and
   Envelope-To/To (looked up only when the program uses the envelope
   extension); the host callbacks; location, phase and time. */
void tool_run_params(const struct tool_opts *opts, const struct sift_sieve_program *prog,
                     struct sift_message *msg, struct sift_sieve_host *host,
                     struct sift_sieve_run_params *params);

#endif
