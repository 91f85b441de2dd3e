/* SPDX-License-Identifier: MIT */
/* mailsift test: run a script on one message and report the result. */
#include "mailsift-config.h"

#include <stdio.h>
#include <string.h>

#include "mailsift.h"
#include "report.h"
#include "sieve-input.h"
#include "util/alloc.h"

static void
usage(FILE *f)
{
	fputs("usage: mailsift test [-f ADDR] [-r ADDR] [-a ADDR] [--location L] [--phase P]\n"
	      "                     [--env NAME=VALUE]... [--mailbox NAME]... [--trace]\n"
	      "                     [--format=text|json|pigeonhole] [--limit NAME=VALUE]...\n"
	      "                     [--now SECONDS] SCRIPT MESSAGE\n",
	      f);
}

int
cmd_test(int argc, char **argv)
{
	struct tool_opts opts;
	int first = tool_parse_opts(argc, argv, &opts, false);
	if (first < 0 || argc - first != 2) {
		usage(stderr);
		sift_free(opts.env);
		sift_free(opts.mailboxes);
		return MAILSIFT_EXIT_USAGE;
	}
	const char *script = argv[first];
	const char *message = argv[first + 1];
	int status = MAILSIFT_EXIT_USAGE;
	struct sift_message *msg = NULL;
	struct sift_sieve_result *res = NULL;
	struct sift_buf data;
	sift_buf_init(&data, 0);
	struct sift_sieve_program *prog = tool_compile(script, &opts.limits);
	if (prog == NULL)
		goto out;
	if (tool_read_file(message, &data) < 0)
		goto out;
	msg =
	    tool_parse_message(message, data.data != NULL ? data.data : "", data.len, &opts.limits);
	if (msg == NULL)
		goto out;

	struct sift_sieve_host host;
	struct sift_sieve_run_params params;
	tool_run_params(&opts, prog, msg, &host, &params);
	struct report_trace trace;
	report_trace_init(&trace);
	if (opts.trace) {
		params.trace = report_trace_event;
		params.trace_context = &trace;
	}
	const char *error;
	if (sift_sieve_run(prog, &params, &res, &error) < 0) {
		tool_error("%s: %s", message, error);
		report_trace_free(&trace);
		status = MAILSIFT_EXIT_FAIL;
		goto out;
	}
	switch (opts.format) {
	case TOOL_FORMAT_TEXT:
		report_text(stdout, script, res, opts.trace ? &trace : NULL);
		break;
	case TOOL_FORMAT_JSON:
		report_json(stdout, script, res, opts.trace ? &trace : NULL);
		break;
	case TOOL_FORMAT_PIGEONHOLE:
		if (opts.trace)
			fwrite(trace.text.data, 1, trace.text.len, stderr);
		report_pigeonhole(stdout, res);
		break;
	}
	if (res->failed)
		report_runtime_error(script, res);
	report_trace_free(&trace);
	status = res->failed ? MAILSIFT_EXIT_FAIL : MAILSIFT_EXIT_OK;
out:
	fflush(stdout);
	sift_sieve_result_free(&res);
	sift_message_destroy(&msg);
	sift_sieve_program_unref(&prog);
	sift_buf_free(&data);
	sift_free(opts.env);
	sift_free(opts.mailboxes);
	return status;
}
