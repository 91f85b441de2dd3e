/* SPDX-License-Identifier: MIT */
/* mailsift check: compile scripts and print their diagnostics. */
#include "mailsift-config.h"

#include <stdio.h>
#include <string.h>

#include "mailsift.h"
#include "sieve-input.h"

int
cmd_check(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs("usage: mailsift check SCRIPT...\n", argc < 2 ? stderr : stdout);
		return argc < 2 ? MAILSIFT_EXIT_USAGE : MAILSIFT_EXIT_OK;
	}
	struct sift_limits limits;
	sift_limits_init(&limits);
	int status = MAILSIFT_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		struct sift_sieve_program *prog = tool_compile(argv[i], &limits);
		if (prog == NULL)
			status = MAILSIFT_EXIT_FAIL;
		sift_sieve_program_unref(&prog);
	}
	return status;
}
