/* SPDX-License-Identifier: MIT */
/* Unit tests for the Sieve interpreter and result: actions, implicit
   keep, merging and conflicts, limits, match variables, flags, header
   edits, host callbacks, tracing, and hostile scripts that must end with
   a clear error inside the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "sieve/sieve.h"
#include "util/alloc.h"
#include "util/buffer.h"

static const char *default_msg = "Return-Path: <alice@example.com>\r\n"
                                 "From: Alice <alice@example.com>\r\n"
                                 "To: bob+lists@example.org, carol@example.net\r\n"
                                 "Subject: Hello World\r\n"
                                 "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
                                 "X-Spam-Score: 7\r\n"
                                 "\r\n"
                                 "Body text here.\r\n";

struct ctx {
	struct sift_message *msg;
	struct sift_sieve_program *prog;
	struct sift_sieve_result *res;
	struct sift_limits limits;
	struct sift_buf trace;
};

static void
trace_cb(void *context, const struct sift_sieve_trace_event *ev)
{
	struct sift_buf *b = context;
	sift_buf_printf(b, "%u:%s=%d;", ev->line, ev->test, ev->outcome);
}

static int
host_mailbox(void *context, const char *name, size_t len)
{
	(void)context;
	return (len == 4 && memcmp(name, "Work", 4) == 0) ||
	       (len == 5 && memcmp(name, "INBOX", 5) == 0);
}

static const char *
host_env(void *context, const char *name, size_t *len_r)
{
	(void)context;
	if (strcmp(name, "remote-ip") == 0) {
		*len_r = 9;
		return "192.0.2.1";
	}
	return NULL;
}

/* Compiles and runs; the run must succeed at the API level. */
static struct sift_sieve_result *
run_msg(struct ctx *c, const char *script, const char *message)
{
	struct sift_diags diags;
	sift_diags_init(&diags);
	c->prog = sift_sieve_compile("t", script, strlen(script), &c->limits, &diags);
	if (c->prog == NULL) {
		for (size_t i = 0; i < diags.count; i++)
			fprintf(stderr, "%u:%u: %s\n", diags.items[i].line, diags.items[i].column,
			        diags.items[i].text);
	}
	sift_diags_free(&diags);
	assert_non_null(c->prog);
	c->msg = sift_message_create(&c->limits, NULL);
	const char *error;
	assert_int_equal(sift_message_feed(c->msg, message, strlen(message), &error), 0);
	assert_int_equal(sift_message_finish(c->msg, &error), 0);
	struct sift_sieve_host host = {.mailbox_exists = host_mailbox, .environment = host_env};
	struct sift_sieve_run_params params = {
	    .msg = c->msg,
	    .envelope = {.from = "alice@example.com", .to = "bob+lists@example.org"},
	    .host = &host,
	    .now = 1700000000,
	    .trace = trace_cb,
	    .trace_context = &c->trace,
	};
	assert_int_equal(sift_sieve_run(c->prog, &params, &c->res, &error), 0);
	return c->res;
}

static struct sift_sieve_result *
run(struct ctx *c, const char *script)
{
	return run_msg(c, script, default_msg);
}

static int
setup(void **state)
{
	struct ctx *c = sift_calloc(1, sizeof(*c));
	sift_limits_init(&c->limits);
	sift_buf_init(&c->trace, 0);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;
	sift_sieve_result_free(&c->res);
	sift_message_destroy(&c->msg);
	sift_sieve_program_unref(&c->prog);
	sift_buf_free(&c->trace);
	sift_free(c);
	return 0;
}

static void
assert_action(const struct sift_sieve_action *a, enum sift_sieve_action_type type, const char *arg)
{
	assert_int_equal(a->type, type);
	if (arg != NULL) {
		assert_int_equal(a->arg_len, strlen(arg));
		assert_memory_equal(a->arg, arg, a->arg_len);
	}
}

static void
test_implicit_keep(void **state)
{
	struct sift_sieve_result *r = run(*state, "");
	assert_int_equal(r->nactions, 0);
	assert_true(r->implicit_keep);
	assert_false(r->failed);
}

static void
test_fileinto_cancels_keep(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require \"fileinto\";\nif header :contains \"subject\" \"world\" {\n"
	                "  fileinto \"Greetings\";\n}\n");
	assert_int_equal(r->nactions, 1);
	assert_action(&r->actions[0], SIFT_SIEVE_ACT_FILEINTO, "Greetings");
	assert_int_equal(r->actions[0].line, 3);
	assert_false(r->implicit_keep);
	assert_int_equal(r->nmatched_lines, 2);
	assert_int_equal(r->matched_lines[0], 2);
	assert_int_equal(r->matched_lines[1], 3);
}

static void
test_copy_keeps(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"fileinto\", \"copy\"]; fileinto :copy \"A\"; redirect :copy "
	                "\"x@Example.COM\";");
	assert_int_equal(r->nactions, 2);
	assert_true(r->implicit_keep);
	assert_action(&r->actions[1], SIFT_SIEVE_ACT_REDIRECT, "x@example.com");
}

static void
test_duplicates_merge(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require \"fileinto\"; fileinto \"X\"; keep; fileinto \"X\"; "
	                "fileinto \"inbox\"; redirect \"a@b.c\"; redirect \"a@b.c\"; discard; "
	                "discard;");
	assert_int_equal(r->nactions, 4);
	assert_action(&r->actions[0], SIFT_SIEVE_ACT_FILEINTO, "X");
	assert_action(&r->actions[1], SIFT_SIEVE_ACT_KEEP, "INBOX");
	assert_action(&r->actions[2], SIFT_SIEVE_ACT_REDIRECT, "a@b.c");
	assert_action(&r->actions[3], SIFT_SIEVE_ACT_DISCARD, NULL);
}

static void
test_stop_and_elsif(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require \"fileinto\";\n"
	                "if header :is \"x-none\" \"a\" { fileinto \"A\"; }\n"
	                "elsif header :contains \"subject\" \"hello\" { fileinto \"B\"; }\n"
	                "elsif true { fileinto \"C\"; }\n"
	                "else { fileinto \"D\"; }\n"
	                "stop;\nfileinto \"E\";\n");
	assert_int_equal(r->nactions, 1);
	assert_action(&r->actions[0], SIFT_SIEVE_ACT_FILEINTO, "B");
}

static void
test_reject_conflict_is_runtime_error(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"reject\", \"fileinto\"];\nfileinto \"A\";\nreject \"no\";\n");
	assert_true(r->failed);
	assert_true(r->implicit_keep);
	assert_int_equal(r->error_line, 3);
	assert_non_null(strstr(r->error, "conflicts"));
	/* The actions decided before the error are reported. */
	assert_int_equal(r->nactions, 1);
}

static void
test_redirect_limit(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "redirect \"a@x.org\"; redirect \"b@x.org\"; redirect \"c@x.org\";\n"
	                "redirect \"d@x.org\"; redirect \"e@x.org\";\n");
	assert_true(r->failed);
	assert_string_equal(r->error, "too many redirect actions (5, limit 4)");
	assert_int_equal(r->error_line, 2);
	assert_true(r->implicit_keep);
}

static void
test_action_limit(void **state)
{
	struct sift_buf s;
	sift_buf_init(&s, 0);
	sift_buf_append_str(&s, "require \"fileinto\";\n");
	for (int i = 0; i < 40; i++)
		sift_buf_printf(&s, "fileinto \"F%d\";\n", i);
	struct sift_sieve_result *r = run(*state, s.data);
	sift_buf_free(&s);
	assert_true(r->failed);
	assert_string_equal(r->error, "too many actions (33, limit 32)");
	assert_int_equal(r->nactions, 32);
}

static void
test_match_variables(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"variables\", \"fileinto\"];\n"
	                "if header :matches \"subject\" \"* *\" { fileinto \"${2}-${1}\"; }\n"
	                "if address :matches :localpart \"to\" \"*+*\" { fileinto \"d-${2}\"; }\n");
	assert_int_equal(r->nactions, 2);
	assert_action(&r->actions[0], SIFT_SIEVE_ACT_FILEINTO, "World-Hello");
	assert_action(&r->actions[1], SIFT_SIEVE_ACT_FILEINTO, "d-lists");
}

static void
test_set_modifiers(void **state)
{
	struct sift_sieve_result *r = run(
	    *state, "require [\"variables\", \"fileinto\"];\n"
	            "set :upperfirst :lower \"a\" \"hELLO\"; set :length \"n\" \"h\xc3\xa9llo\";\n"
	            "set :quotewildcard \"q\" \"a*b?\"; fileinto \"${a}/${n}/${q}\";\n");
	assert_int_equal(r->nactions, 1);
	assert_action(&r->actions[0], SIFT_SIEVE_ACT_FILEINTO, "Hello/5/a\\*b\\?");
}

static void
test_relational_count(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"relational\", \"comparator-i;ascii-numeric\", \"fileinto\"];\n"
	                "if address :count \"ge\" :comparator \"i;ascii-numeric\" \"to\" \"2\" "
	                "{ fileinto \"many\"; }\n"
	                "if header :value \"gt\" :comparator \"i;ascii-numeric\" \"x-spam-score\" "
	                "\"5\" { fileinto \"spam\"; }\n");
	assert_int_equal(r->nactions, 2);
	assert_action(&r->actions[0], SIFT_SIEVE_ACT_FILEINTO, "many");
	assert_action(&r->actions[1], SIFT_SIEVE_ACT_FILEINTO, "spam");
}

static void
test_envelope_and_subaddress(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"envelope\", \"subaddress\", \"fileinto\"];\n"
	                "if envelope :detail \"to\" \"lists\" { fileinto \"lists\"; }\n"
	                "if envelope :domain \"from\" \"EXAMPLE.com\" { fileinto \"dom\"; }\n"
	                "if envelope :user \"to\" \"bob\" { fileinto \"user\"; }\n");
	assert_int_equal(r->nactions, 3);
}

static void
test_flags(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"imap4flags\", \"fileinto\"];\n"
	                "addflag \"\\\\Seen a\"; addflag \"A b\"; removeflag \"b\";\n"
	                "if hasflag :is \"a\" { fileinto \"X\"; }\n"
	                "fileinto :flags \"z\" \"Y\";\n");
	assert_int_equal(r->nactions, 2);
	assert_string_equal(r->actions[0].flags[0], "\\Seen");
	assert_string_equal(r->actions[0].flags[1], "a");
	assert_null(r->actions[0].flags[2]);
	assert_string_equal(r->actions[1].flags[0], "z");
	assert_null(r->actions[1].flags[1]);
	assert_false(r->implicit_keep);
}

static void
test_editheader_visible(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"editheader\", \"fileinto\"];\n"
	                "addheader \"X-Added\" \"yes\r\nInjected: evil\";\n"
	                "deleteheader \"subject\";\n"
	                "if exists \"subject\" { fileinto \"still\"; }\n"
	                "if header :is \"x-added\" \"yes Injected: evil\" { fileinto \"added\"; }\n"
	                "deleteheader \"received\";\n");
	assert_true(r->headers_edited);
	/* The line break became a space: no header injection. */
	assert_int_equal(r->nactions, 3);
	assert_action(&r->actions[2], SIFT_SIEVE_ACT_FILEINTO, "added");
	assert_int_equal(r->actions[1].deleted, 1);
	assert_string_equal(r->edited_headers->first->name, "X-Added");
}

static void
test_host_callbacks(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"mailbox\", \"environment\", \"fileinto\"];\n"
	                "if mailboxexists \"Work\" { fileinto \"w\"; }\n"
	                "if mailboxexists [\"Work\", \"Nope\"] { fileinto \"n\"; }\n"
	                "if environment \"remote-ip\" \"192.0.2.1\" { fileinto \"ip\"; }\n"
	                "if environment \"location\" \"MDA\" { fileinto \"loc\"; }\n"
	                "if environment \"unknown-item\" \"\" { fileinto \"unk\"; }\n"
	                "if environment :contains \"name\" \"mailsift\" { fileinto \"name\"; }\n");
	assert_int_equal(r->nactions, 4);
	assert_action(&r->actions[0], SIFT_SIEVE_ACT_FILEINTO, "w");
	assert_action(&r->actions[1], SIFT_SIEVE_ACT_FILEINTO, "ip");
	assert_action(&r->actions[2], SIFT_SIEVE_ACT_FILEINTO, "loc");
	assert_action(&r->actions[3], SIFT_SIEVE_ACT_FILEINTO, "name");
}

static void
test_date(void **state)
{
	struct sift_sieve_result *r =
	    run(*state,
	        "require [\"date\", \"fileinto\", \"relational\"];\n"
	        "if date :originalzone \"date\" \"hour\" \"10\" { fileinto \"orig\"; }\n"
	        "if date :zone \"+0000\" \"date\" \"iso8601\" \"2003-07-01T08:52:37Z\" "
	        "{ fileinto \"utc\"; }\n"
	        "if currentdate :zone \"+0000\" \"date\" \"2023-11-14\" { fileinto \"now\"; }\n");
	assert_int_equal(r->nactions, 3);
}

static void
test_error_command(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"ihave\", \"fileinto\"];\nfileinto \"A\";\nerror \"custom\";\n");
	assert_true(r->failed);
	assert_string_equal(r->error, "custom");
	assert_int_equal(r->error_line, 3);
	assert_true(r->implicit_keep);
}

static void
test_vnd(void **state)
{
	struct sift_sieve_result *r =
	    run(*state, "require [\"vnd.mailsift.tempfail\", \"vnd.mailsift.quarantine\"];\n"
	                "tempfail \"later\"; quarantine \"look\";\n");
	assert_int_equal(r->nactions, 2);
	assert_action(&r->actions[0], SIFT_SIEVE_ACT_TEMPFAIL, "later");
	assert_action(&r->actions[1], SIFT_SIEVE_ACT_QUARANTINE, "look");
	/* Neither cancels the implicit keep: nothing is lost. */
	assert_true(r->implicit_keep);
}

static void
test_trace(void **state)
{
	struct ctx *c = *state;
	run(c, "if header :contains \"subject\" \"nomatch\" { keep; } elsif true { discard; }");
	assert_non_null(strstr(c->trace.data, "1:header=0;"));
	assert_non_null(strstr(c->trace.data, "1:discard=1;"));
}

/* ---- hostile scripts ---- */

static void
test_catastrophic_regex(void **state)
{
	struct ctx *c = *state;
	const char *err;
	assert_int_equal(sift_limits_set(&c->limits, "regex_match", "10000", &err), 0);
	char msg[512];
	snprintf(msg, sizeof(msg), "Subject: %s!\r\n\r\nx\r\n",
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	clock_t t0 = clock();
	struct sift_sieve_result *r = run_msg(
	    c, "require \"regex\"; if header :regex \"subject\" \"^(a+)+$\" { discard; }", msg);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	/* Either the limit stopped it with an error, or the JIT answered no;
	   both within a second, and the message is kept. */
	assert_true(secs < 1.0);
	assert_true(r->implicit_keep);
}

static void
test_variable_blowup(void **state)
{
	struct ctx *c = *state;
	struct sift_buf s;
	sift_buf_init(&s, 0);
	sift_buf_append_str(&s, "require [\"variables\", \"fileinto\"]; set \"a\" \"xxxxxxxx\";\n");
	for (int i = 0; i < 60; i++)
		sift_buf_append_str(&s, "set \"a\" \"${a}${a}\";\n");
	sift_buf_append_str(&s, "set :length \"n\" \"${a}\"; fileinto \"${n}\";\n");
	struct sift_sieve_result *r = run(c, s.data);
	sift_buf_free(&s);
	/* Capped at variable_bytes (4096). */
	assert_int_equal(r->nactions, 1);
	assert_action(&r->actions[0], SIFT_SIEVE_ACT_FILEINTO, "4096");
}

static void
test_cpu_limit(void **state)
{
	struct ctx *c = *state;
	const char *err;
	assert_int_equal(sift_limits_set(&c->limits, "cpu_time", "1", &err), 0);
	/* Thousands of slow-ish tests on a big body: the CPU limit ends it. */
	struct sift_buf s, m;
	sift_buf_init(&s, 0);
	sift_buf_init(&m, 0);
	sift_buf_append_str(&s, "require \"body\";\n");
	for (int i = 0; i < 3000; i++)
		sift_buf_printf(&s, "if body :raw :contains \"needle%d\" { discard; }\n", i);
	sift_buf_append_str(&m, "Subject: big\r\n\r\n");
	for (int i = 0; i < 20000; i++)
		sift_buf_append_str(&m, "hay hay hay hay hay hay hay hay hay hay hay hay hay\r\n");
	struct sift_sieve_result *r = run_msg(c, s.data, m.data);
	sift_buf_free(&s);
	sift_buf_free(&m);
	assert_true(r->failed);
	assert_non_null(strstr(r->error, "time limit exceeded"));
	assert_true(r->implicit_keep);
}

static void
test_huge_string_and_flood(void **state)
{
	struct ctx *c = *state;
	struct sift_buf s;
	sift_buf_init(&s, 0);
	sift_buf_append_str(&s, "require \"fileinto\"; if header :contains \"subject\" \"");
	for (int i = 0; i < 200000; i++)
		sift_buf_append_c(&s, 'q');
	sift_buf_append_str(&s, "\" { discard; }\n");
	for (int i = 0; i < 100; i++)
		sift_buf_append_str(&s, "redirect \"flood@example.org\";\n");
	struct sift_sieve_result *r = run(c, s.data);
	sift_buf_free(&s);
	/* Identical redirects merge; no flood reaches the result. */
	assert_false(r->failed);
	assert_int_equal(r->nactions, 1);
}

/* One compiled program, four threads, each with its own messages and
   scratch: the program is only read, so every run gets the same answer. */
struct thread_job {
	const struct sift_sieve_program *prog;
	int agree;
};

static void *
thread_main(void *arg)
{
	struct thread_job *job = arg;
	struct sift_sieve_scratch *scratch = sift_sieve_scratch_create();
	for (int i = 0; i < 200; i++) {
		struct sift_limits limits;
		sift_limits_init(&limits);
		struct sift_message *msg = sift_message_create(&limits, NULL);
		const char *error;
		char text[256];
		snprintf(text, sizeof(text),
		         "From: u%d@example.org\r\nSubject: n%d\r\n\r\nbody %d\r\n", i, i % 3, i);
		sift_message_feed(msg, text, strlen(text), &error);
		sift_message_finish(msg, &error);
		struct sift_sieve_run_params params = {.msg = msg, .scratch = scratch};
		struct sift_sieve_result *res = NULL;
		if (sift_sieve_run(job->prog, &params, &res, &error) == 0) {
			/* n0 and n2 are filed by the regex, n1 is not. */
			bool want = i % 3 != 1;
			bool got =
			    res->nactions == 1 && res->actions[0].type == SIFT_SIEVE_ACT_FILEINTO;
			if (want == got && !res->failed)
				job->agree++;
		}
		sift_sieve_result_free(&res);
		sift_message_destroy(&msg);
	}
	sift_sieve_scratch_destroy(&scratch);
	return NULL;
}

static void
test_threads_share_program(void **state)
{
	(void)state;
	const char *script = "require [\"fileinto\", \"regex\", \"variables\"];\n"
	                     "if header :regex \"subject\" \"^n([02])$\" { fileinto \"F${1}\"; }\n";
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile("t", script, strlen(script), NULL, &diags);
	sift_diags_free(&diags);
	assert_non_null(prog);
	pthread_t th[4];
	struct thread_job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i].prog = prog;
		jobs[i].agree = 0;
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].agree, 200);
	}
	sift_sieve_program_unref(&prog);
}

/* ---- running scripts in sequence (the Dovecot plugin's delivery) ---- */

/* Compiles a second program and runs it on c->msg with params adjusted
   by the caller's headers and flags. */
static struct sift_sieve_result *
run_next(struct ctx *c, struct sift_sieve_program **prog, const char *script,
         const struct sift_header_list *headers, const char *flags)
{
	struct sift_diags diags;
	sift_diags_init(&diags);
	*prog = sift_sieve_compile("t2", script, strlen(script), &c->limits, &diags);
	sift_diags_free(&diags);
	assert_non_null(*prog);
	struct sift_sieve_host host = {.mailbox_exists = host_mailbox};
	struct sift_sieve_run_params params = {
	    .msg = c->msg,
	    .envelope = {.from = "alice@example.com", .to = "bob@example.org"},
	    .host = &host,
	    .now = 1700000000,
	    .headers = headers,
	    .flags = flags,
	};
	struct sift_sieve_result *res;
	const char *error;
	assert_int_equal(sift_sieve_run(*prog, &params, &res, &error), 0);
	return res;
}

static void
test_stopped(void **state)
{
	struct ctx *c = *state;
	struct sift_sieve_result *res = run(c, "if true { stop; } keep;");
	assert_true(res->stopped);
	assert_int_equal(res->nactions, 0);
	assert_true(res->implicit_keep);

	struct sift_sieve_program *prog;
	struct sift_sieve_result *r2 = run_next(c, &prog, "keep;", NULL, NULL);
	assert_false(r2->stopped);
	sift_sieve_result_free(&r2);
	sift_sieve_program_unref(&prog);
	/* A runtime error is not a stop. */
	r2 = run_next(c, &prog,
	              "redirect \"a@x.org\"; redirect \"b@x.org\"; redirect \"c@x.org\";\n"
	              "redirect \"d@x.org\"; redirect \"e@x.org\"; stop;\n",
	              NULL, NULL);
	assert_true(r2->failed);
	assert_false(r2->stopped);
	sift_sieve_result_free(&r2);
	sift_sieve_program_unref(&prog);
}

/* Compiles text with sift_sieve_compile_test: the program, or NULL with
   the first diagnostic as "line:column: text" in first_r. */
static struct sift_sieve_program *
compile_test(struct ctx *c, const char *text, char *first, size_t first_size)
{
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile_test(text, strlen(text), &c->limits, &diags);
	first[0] = '\0';
	if (diags.count > 0)
		snprintf(first, first_size, "%u:%u: %s", diags.items[0].line, diags.items[0].column,
		         diags.items[0].text);
	sift_diags_free(&diags);
	return prog;
}

/* 1, 0 or -1 for one test on the default message; *limit_r (if not
   NULL) whether a -1 was a limit. */
static int
eval_test_limit(struct ctx *c, const char *text, bool *limit_r)
{
	char first[256];
	struct sift_sieve_program *prog = compile_test(c, text, first, sizeof(first));
	if (prog == NULL)
		fprintf(stderr, "%s: %s\n", text, first);
	assert_non_null(prog);
	if (c->msg == NULL) {
		const char *error;
		c->msg = sift_message_create(&c->limits, NULL);
		assert_int_equal(sift_message_feed(c->msg, default_msg, strlen(default_msg), &error), 0);
		assert_int_equal(sift_message_finish(c->msg, &error), 0);
	}
	struct sift_sieve_run_params params = {.msg = c->msg, .now = 1700000000};
	struct sift_sieve_result *res;
	const char *error;
	int ret = sift_sieve_test(prog, &params, &res, &error);
	if (ret < 0)
		assert_non_null(error);
	if (limit_r != NULL)
		*limit_r = res != NULL && res->limit_exceeded;
	sift_sieve_result_free(&res);
	sift_sieve_program_unref(&prog);
	return ret;
}

static int
eval_test(struct ctx *c, const char *text)
{
	return eval_test_limit(c, text, NULL);
}

/* One test on its own: true and false, every test extension without a
   require, positions in the caller's text, commands refused. */
static void
test_single_test(void **state)
{
	struct ctx *c = *state;
	assert_int_equal(eval_test(c, "header :contains \"subject\" \"world\""), 1);
	assert_int_equal(eval_test(c, "header :contains \"subject\" \"moon\""), 0);
	assert_int_equal(eval_test(c, "header :regex \"subject\" \"^hel+o\""), 1);
	assert_int_equal(eval_test(c, "address :domain :is \"from\" \"example.com\""), 1);
	assert_int_equal(eval_test(c, "address :detail \"to\" \"lists\""), 1);
	assert_int_equal(eval_test(c, "body :text :contains \"text here\""), 1);
	assert_int_equal(eval_test(c, "header :value \"ge\" :comparator \"i;ascii-numeric\" "
	                              "\"x-spam-score\" \"5\""),
	                 1);
	assert_int_equal(eval_test(c, "date :is \"date\" \"year\" \"2003\""), 1);
	assert_int_equal(eval_test(c, "not anyof (size :over 10K, exists \"x-nope\")"), 1);
	assert_int_equal(eval_test(c, "header :index 1 :is \"subject\" \"Hello World\""), 1);

	char first[256];
	assert_null(compile_test(c, "header :contains \"subject\"", first, sizeof(first)));
	assert_string_equal(first, "1:1: 'header' expects 2 positional arguments, got 1");
	assert_null(compile_test(c, "true { discard; } if true", first, sizeof(first)));
	assert_null(compile_test(c, "true { stop; } if true", first, sizeof(first)));
	assert_string_equal(first, "1:1: a single test is expected, not commands");
	assert_null(compile_test(c, "true { stop; } else", first, sizeof(first)));
	assert_null(compile_test(c, " \n", first, sizeof(first)));
	assert_string_equal(first, "1:1: the test is empty");
	assert_null(compile_test(c, "header :is \"subject\"\n  \"x\" junk", first, sizeof(first)));
	assert_null(compile_test(c, "not", first, sizeof(first)));
	assert_string_equal(first, "1:1: 'not' expects a test");
	/* What went wrong after the text is placed at its end. */
	assert_null(compile_test(c, "anyof (true,\n false", first, sizeof(first)));
	assert_memory_equal(first, "2:7: ", 5);
	assert_null(compile_test(c, "allof (true,\n  frob)", first, sizeof(first)));
	assert_string_equal(first, "2:3: unknown test 'frob'");

	/* A runtime error is -1, not false; a regex out of steps is a limit,
	   a regex that does not compile is not. */
	bool limit = false;
	assert_int_equal(eval_test_limit(c, "allof (header :matches \"subject\" \"*\", "
	                                    "header :regex \"subject\" \"${1}(\")",
	                                 &limit),
	                 -1);
	assert_false(limit);
	c->limits.value[SIFT_LIMIT_REGEX_MATCH] = 1000;
	assert_int_equal(eval_test_limit(c, "header :regex \"subject\" \"^(.*)*(.*)*[0-9]$\"",
	                                 &limit),
	                 -1);
	assert_true(limit);
}

/* The second script of a sequence sees the first one's edits, edits a
   copy of them, and leaves the first result's list as it was. */
static void
test_headers_from_earlier_script(void **state)
{
	struct ctx *c = *state;
	struct sift_sieve_result *first =
	    run(c, "require \"editheader\"; addheader \"X-Seen\" \"first\";");
	assert_true(first->headers_edited);
	size_t before = first->edited_headers->count;

	struct sift_sieve_program *prog;
	struct sift_sieve_result *res = run_next(
	    c, &prog,
	    "require [\"editheader\", \"fileinto\"];\n"
	    "if header :is \"x-seen\" \"first\" { fileinto \"Work\"; }\n"
	    "deleteheader \"subject\";",
	    first->edited_headers, NULL);
	assert_false(res->failed);
	assert_int_equal(res->nactions, 2);
	assert_int_equal(res->actions[0].type, SIFT_SIEVE_ACT_FILEINTO);
	assert_string_equal(res->actions[0].arg, "Work");
	assert_true(res->headers_edited);
	assert_int_equal(res->edited_headers->count, before - 1);
	assert_non_null(sift_header_find(res->edited_headers, "x-seen", NULL));
	assert_null(sift_header_find(res->edited_headers, "subject", NULL));
	/* The earlier list still has its Subject. */
	assert_int_equal(first->edited_headers->count, before);
	assert_non_null(sift_header_find(first->edited_headers, "subject", NULL));
	sift_sieve_result_free(&res);
	sift_sieve_program_unref(&prog);
}

/* At IMAP events the imap4flags variable starts as the message's flags. */
static void
test_initial_flags(void **state)
{
	struct ctx *c = *state;
	run(c, "keep;");
	struct sift_sieve_program *prog;
	struct sift_sieve_result *res = run_next(
	    c, &prog,
	    "require [\"imap4flags\", \"fileinto\"];\n"
	    "if hasflag \"$old\" { addflag \"\\\\Flagged\"; }\n"
	    "removeflag \"\\\\Seen\";",
	    NULL, "\\Seen $Old");
	assert_false(res->failed);
	assert_true(res->implicit_keep);
	assert_true(res->implicit_keep_has_flags);
	assert_string_equal(res->implicit_keep_flags[0], "$Old");
	assert_string_equal(res->implicit_keep_flags[1], "\\Flagged");
	assert_null(res->implicit_keep_flags[2]);
	sift_sieve_result_free(&res);
	sift_sieve_program_unref(&prog);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_implicit_keep),
	    T(test_fileinto_cancels_keep),
	    T(test_copy_keeps),
	    T(test_duplicates_merge),
	    T(test_stop_and_elsif),
	    T(test_reject_conflict_is_runtime_error),
	    T(test_redirect_limit),
	    T(test_action_limit),
	    T(test_match_variables),
	    T(test_set_modifiers),
	    T(test_relational_count),
	    T(test_envelope_and_subaddress),
	    T(test_flags),
	    T(test_editheader_visible),
	    T(test_host_callbacks),
	    T(test_date),
	    T(test_error_command),
	    T(test_vnd),
	    T(test_trace),
	    T(test_catastrophic_regex),
	    T(test_variable_blowup),
	    T(test_cpu_limit),
	    T(test_huge_string_and_flood),
	    T(test_stopped),
	    T(test_headers_from_earlier_script),
	    T(test_initial_flags),
	    T(test_single_test),
	    cmocka_unit_test(test_threads_share_program),
	};
	return cmocka_run_group_tests_name("sieve-interp", tests, NULL, NULL);
}
