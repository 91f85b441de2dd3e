/* SPDX-License-Identifier: MIT */
/* Fuzz target: one Sieve test on its own, as an IMAP client sends it in
   SEARCH X-SIEVE (sift_sieve_compile_test), and when it compiles, run on a
   fixed message.  Text that escapes the `if` condition must be refused,
   never run as commands.  Must never crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sieve/sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char message[] = "Return-Path: <alice@example.com>\r\n"
                              "From: Alice <alice@example.com>\r\n"
                              "To: bob+lists@example.org\r\n"
                              "Subject: =?UTF-8?Q?[ticket-12]_r=C3=A9sum=C3=A9?=\r\n"
                              "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
                              "X-Spam-Score: 7\r\n"
                              "Content-Type: text/plain; charset=utf-8\r\n"
                              "\r\n"
                              "An invoice is attached.\r\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_limits limits;
	sift_limits_init(&limits);
	const char *err;
	/* Keep single inputs fast. */
	sift_limits_set(&limits, "regex_match", "100000", &err);
	sift_limits_set(&limits, "cpu_time", "2000", &err);
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile_test((const char *)data, size, &limits, &diags);
	sift_diags_free(&diags);
	if (prog == NULL)
		return 0;
	/* A single test decides no action. */
	struct sift_message *msg = sift_message_create(&limits, NULL);
	if (sift_message_feed(msg, message, sizeof(message) - 1, &err) == 0 &&
	    sift_message_finish(msg, &err) == 0) {
		struct sift_sieve_run_params params = {.msg = msg, .now = 1700000000};
		struct sift_sieve_result *res;
		int ret = sift_sieve_test(prog, &params, &res, &err);
		if (ret >= 0 && res->nactions != 0)
			abort();
		sift_sieve_result_free(&res);
	}
	sift_message_destroy(&msg);
	sift_sieve_program_unref(&prog);
	return 0;
}
