/* SPDX-License-Identifier: MIT */
/* Fuzz target for the milter's decisions: a fuzzed message, fed as
   libmilter hands it over (header fields one by one, then the body), goes
   through a fixed script that edits headers, redirects, files with a
   signed hint and refuses some recipients; milter_decide must give a
   plan whatever the input, and the reply text of the input must come out
   printable without CR or LF.  The first input line, if any, is the
   envelope sender. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/alloc.h"
#include "mail/message-parser.h"
#include "milter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char script[] =
    "require [\"envelope\", \"ereject\", \"editheader\", \"fileinto\", \"imap4flags\",\n"
    "         \"copy\", \"variables\", \"vnd.mailsift.quarantine\"];\n"
    "if header :matches \"subject\" \"*x*\" { addheader \"X-Subject-Seen\" \"${1}\"; }\n"
    "if envelope :domain :is \"to\" \"refuse.test\" { ereject \"no ${1}\"; stop; }\n"
    "if exists \"list-id\" { fileinto :flags \"\\\\Seen\" \"Lists/${1}\"; }\n"
    "if header :contains \"subject\" \"fwd\" { redirect :copy \"copy@elsewhere.test\"; }\n"
    "if address :domain :is \"from\" \"hold.test\" { quarantine \"held\"; }\n"
    "deleteheader :index 2 \"received\";\n"
    "deleteheader :contains \"x-spam\" \"yes\";\n";

static struct milter_program *
program(void)
{
	static struct milter_program *prog;
	if (prog != NULL)
		return prog;
	prog = sift_calloc(1, sizeof(*prog));
	prog->refcount = 1;
	milter_config_init(&prog->cfg);
	struct sift_diags diags;
	sift_diags_init(&diags);
	prog->sieve =
	    sift_sieve_compile("fuzz", script, sizeof(script) - 1, &prog->cfg.limits, &diags);
	sift_diags_free(&diags);
	static unsigned char key[32] = "0123456789abcdef0123456789abcdef";
	prog->hint_key = key;
	prog->hint_key_len = sizeof(key);
	return prog;
}

/* Feeds data as header fields (one per line, "name: value", folded
   lines joined) and a body after the first empty line. */
static int
feed(struct sift_message *msg, const char *data, size_t size)
{
	const char *error;
	size_t pos = 0;
	while (pos < size) {
		const char *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl != NULL ? (size_t)(nl - data) : size;
		size_t next = nl != NULL ? end + 1 : size;
		while (nl != NULL && next < size && (data[next] == ' ' || data[next] == '\t')) {
			nl = memchr(data + next, '\n', size - next);
			end = nl != NULL ? (size_t)(nl - data) : size;
			next = nl != NULL ? end + 1 : size;
		}
		if (end == pos || (end == pos + 1 && data[pos] == '\r')) {
			pos = next;
			break;
		}
		const char *colon = memchr(data + pos, ':', end - pos);
		size_t nlen = colon != NULL ? (size_t)(colon - (data + pos)) : end - pos;
		const char *value = colon != NULL ? colon + 1 : data + end;
		if (sift_message_feed_header(msg, data + pos, nlen, value,
		                             (size_t)(data + end - value), &error) < 0)
			return -1;
		pos = next;
	}
	if (sift_message_feed_end_of_headers(msg, &error) < 0 ||
	    sift_message_feed_body(msg, data + pos, size - pos, &error) < 0 ||
	    sift_message_finish(msg, &error) < 0)
		return -1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct milter_program *prog = program();
	if (prog->sieve == NULL)
		return 0;
	const char *text = (const char *)data;

	char *reply = milter_reply_text(text, size, 400);
	for (const char *p = reply; *p != '\0'; p++) {
		if (*p == '\r' || (*p != '\n' && ((unsigned char)*p < 32 || (unsigned char)*p > 126)))
			__builtin_trap();
	}
	sift_free(reply);

	const char *nl = memchr(text, '\n', size);
	size_t slen = nl != NULL ? (size_t)(nl - text) : 0;
	char *sender = sift_memdup0(text, slen < 200 ? slen : 200);
	struct sift_message *msg = sift_message_create(&prog->cfg.limits, NULL);
	if (feed(msg, text + (nl != NULL ? slen + 1 : 0), size - (nl != NULL ? slen + 1 : 0)) ==
	    0) {
		struct milter_rcpt rcpts[] = {
		    {.addr = "bob@example.org"},
		    {.addr = "carol@refuse.test"},
		    {.addr = "dave@example.net", .orcpt = "rfc822;dave@example.net"},
		};
		struct milter_decide_input in = {
		    .prog = prog,
		    .msg = msg,
		    .sender = strchr(sender, '\0') == sender ? "" : sender,
		    .rcpts = rcpts,
		    .nrcpts = 3,
		    .host_name = "mx.test",
		    .now = 1763700000,
		};
		struct milter_plan plan;
		const char *error;
		if (milter_decide(&in, &plan, &error) == 0) {
			for (size_t i = 0; i < plan.nhdr_ops; i++) {
				const char *v = plan.hdr_ops[i].value;
				/* No field may carry a bare line break into the header. */
				for (size_t k = 0; v != NULL && v[k] != '\0'; k++) {
					if ((v[k] == '\n' || v[k] == '\r') && v[k + 1] != '\n' &&
					    v[k + 1] != ' ' && v[k + 1] != '\t')
						__builtin_trap();
				}
			}
		}
		milter_plan_free(&plan);
	}
	sift_message_destroy(&msg);
	sift_free(sender);
	return 0;
}
