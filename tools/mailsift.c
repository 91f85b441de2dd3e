/* SPDX-License-Identifier: MIT */
/* mailsift: the offline tool.  Dispatches to one subcommand; the command
   line is fixed by DESIGN.md and documented in docs/mailsift.1. */
#include "mailsift-config.h"
#include "mailsift.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

static void
oom(size_t size)
{
	fprintf(stderr, "mailsift: out of memory (allocating %zu bytes)\n", size);
	exit(MAILSIFT_EXIT_FAIL);
}

void
tool_error(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	fprintf(stderr, "mailsift: %s\n", buf);
}

static void
usage(FILE *f)
{
	fputs("usage: mailsift check SCRIPT...     compile scripts, print diagnostics\n"
	      "       mailsift test [OPTIONS] SCRIPT MESSAGE   run a script on one message\n"
	      "       mailsift run [OPTIONS] SCRIPT PATH...    dry-run over files, Maildirs, mbox\n"
	      "       mailsift dump MESSAGE        print the parsed structure as JSON\n"
	      "       mailsift --version\n"
	      "SCRIPT and MESSAGE may be - for standard input.  See mailsift(1).\n",
	      f);
}

int
main(int argc, char **argv)
{
	sift_set_oom_handler(oom);
	if (argc < 2) {
		usage(stderr);
		return MAILSIFT_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "test") == 0)
		return cmd_test(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "--version") == 0) {
		puts("mailsift " PACKAGE_VERSION);
		return MAILSIFT_EXIT_OK;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return MAILSIFT_EXIT_OK;
	}
	tool_error("unknown command '%s'", cmd);
	usage(stderr);
	return MAILSIFT_EXIT_USAGE;
}
