/* SPDX-License-Identifier: MIT */
/* Fuzz target: compile a script and run it on a fuzzed message.  The
   input is the script, a line "%%%%" and the message; inputs without the
   separator run a fixed script that exercises every extension on the
   whole input as a message.  Must never crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sieve/sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_script[] =
    "require [\"fileinto\", \"envelope\", \"body\", \"date\", \"index\", \"variables\", "
    "\"regex\", \"relational\", \"imap4flags\", \"editheader\", \"subaddress\", "
    "\"comparator-i;ascii-numeric\", \"copy\", \"mailbox\", \"environment\"];\n"
    "if address :all :matches [\"from\", \"to\", \"cc\"] \"*@*\" { set \"d\" \"${2}\"; }\n"
    "if header :regex \"subject\" \"^(re|fwd?): *(.*)$\" { addflag \"${2}\"; }\n"
    "if body :content \"text\" :contains \"x\" { fileinto :copy \"B\"; }\n"
    "if body :raw :matches \"*a?b*\" { fileinto \"R\"; }\n"
    "if date :originalzone :index 1 :last \"received\" \"iso8601\" \"*\" { set \"r\" \"${0}\"; }\n"
    "if date :zone \"-0800\" \"date\" \"weekday\" \"0\" { keep; }\n"
    "if address :detail \"to\" \"x\" { discard; }\n"
    "if header :count \"gt\" :comparator \"i;ascii-numeric\" \"received\" \"3\" { stop; }\n"
    "deleteheader :index 2 \"received\"; addheader \"X-F\" \"${d}\";\n"
    "if exists \"x-f\" { fileinto :flags \"\\\\Seen\" \"${d}\"; }\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *script = fixed_script;
	size_t script_len = sizeof(fixed_script) - 1;
	const char *msg_data = text;
	size_t msg_len = size;
	const char *sep = memmem(text, size, "\n%%%%\n", 6);
	if (sep != NULL) {
		script = text;
		script_len = (size_t)(sep - text);
		msg_data = sep + 6;
		msg_len = size - script_len - 6;
	}
	struct sift_limits limits;
	sift_limits_init(&limits);
	const char *err;
	/* Keep single inputs fast. */
	sift_limits_set(&limits, "regex_match", "100000", &err);
	sift_limits_set(&limits, "cpu_time", "2000", &err);
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile("fuzz", script, script_len, &limits, &diags);
	sift_diags_free(&diags);
	if (prog == NULL)
		return 0;
	struct sift_message *msg = sift_message_create(&limits, NULL);
	if (sift_message_feed(msg, msg_data, msg_len, &err) == 0 &&
	    sift_message_finish(msg, &err) == 0) {
		struct sift_sieve_run_params params = {
		    .msg = msg,
		    .envelope = {.from = "a+b@example.org", .to = "c+d@example.net"},
		    .now = 1700000000,
		};
		struct sift_sieve_result *res = NULL;
		if (sift_sieve_run(prog, &params, &res, &err) == 0)
			sift_sieve_result_free(&res);
	}
	sift_message_destroy(&msg);
	sift_sieve_program_unref(&prog);
	return 0;
}
