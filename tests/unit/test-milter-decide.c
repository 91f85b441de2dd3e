/* SPDX-License-Identifier: MIT */
/* Unit tests for milter-decide: the verdict of a result, the RCPT-time
   decision, and the plan for a whole message with several recipients
   (refusals, DSN entries, tempfail and errors per on_error, discard,
   redirect and its loop guard, header edits and their agreement rule,
   incoming hints removed, signed hints, quarantine), and reply texts
   made safe for SMTP and libmilter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/alloc.h"
#include "mail/delivery-hint.h"
#include "milter.h"

struct fixture {
	struct milter_program prog;
	struct sift_message *msg;
	struct milter_plan plan;
};

static const char *const key32 = "0123456789abcdef0123456789abcdef";

static void
setup_prog(struct fixture *f, const char *script)
{
	memset(f, 0, sizeof(*f));
	milter_config_init(&f->prog.cfg);
	struct sift_diags diags;
	sift_diags_init(&diags);
	f->prog.sieve =
	    sift_sieve_compile("t", script, strlen(script), &f->prog.cfg.limits, &diags);
	for (size_t i = 0; i < diags.count; i++)
		fprintf(stderr, "%u:%u: %s\n", diags.items[i].line, diags.items[i].column,
		        diags.items[i].text);
	sift_diags_free(&diags);
	assert_non_null(f->prog.sieve);
}

static void
feed(struct fixture *f, const char *message)
{
	f->msg = sift_message_create(&f->prog.cfg.limits, NULL);
	const char *error;
	assert_int_equal(sift_message_feed(f->msg, message, strlen(message), &error), 0);
	assert_int_equal(sift_message_finish(f->msg, &error), 0);
}

/* Decides for a sender and recipients given as a NULL-terminated list. */
static void
decide(struct fixture *f, const char *sender, ...)
{
	struct milter_rcpt rcpts[16];
	size_t n = 0;
	va_list ap;
	va_start(ap, sender);
	for (const char *r; (r = va_arg(ap, const char *)) != NULL && n < 16;)
		rcpts[n++] = (struct milter_rcpt){.addr = (char *)r};
	va_end(ap);
	struct milter_decide_input in = {
	    .prog = &f->prog,
	    .msg = f->msg,
	    .sender = sender,
	    .rcpts = rcpts,
	    .nrcpts = n,
	    .host_name = "mx.test",
	    .now = 1763700000,
	};
	const char *error = NULL;
	assert_int_equal(milter_decide(&in, &f->plan, &error), 0);
}

static void
teardown_fixture(struct fixture *f)
{
	milter_plan_free(&f->plan);
	sift_message_destroy(&f->msg);
	sift_sieve_program_unref(&f->prog.sieve);
	milter_config_free(&f->prog.cfg);
}

static bool
log_has(const struct milter_plan *plan, const char *needle)
{
	for (size_t i = 0; i < plan->nlog; i++) {
		if (strstr(plan->log[i], needle) != NULL)
			return true;
	}
	return false;
}

static const char *msg_plain = "From: alice@example.com\r\n"
                               "To: bob@example.org\r\n"
                               "Subject: hello\r\n"
                               "Message-ID: <m1@example.com>\r\n"
                               "\r\n"
                               "body\r\n";

static void
test_keep_accepts_unchanged(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "keep;");
	feed(&f, msg_plain);
	decide(&f, "alice@example.com", "bob@example.org", "carol@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	assert_int_equal(f.plan.ndel_rcpts, 0);
	assert_int_equal(f.plan.nadd_rcpts, 0);
	assert_int_equal(f.plan.nhdr_ops, 0);
	assert_int_equal(f.plan.ndsn, 0);
	/* Two recipients, one result: one group. */
	assert_int_equal(f.plan.nlog, 1);
	assert_string_equal(f.plan.log[0], "<bob@example.org> and others: accept");
	teardown_fixture(&f);
}

static const char *refuse_org = "require [\"envelope\", \"ereject\"];\n"
                                "if allof (envelope :domain :is \"to\" \"example.org\",\n"
                                "          header :contains \"subject\" \"hello\")\n"
                                "{ ereject \"not here 100%\"; }\n";

static void
test_all_refuse_rejects(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, refuse_org);
	feed(&f, msg_plain);
	decide(&f, "alice@example.com", "bob@example.org", "carol@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_REJECT);
	assert_string_equal(f.plan.reply.code, "550");
	assert_string_equal(f.plan.reply.xcode, "5.7.1");
	/* libmilter formats the text: '%' doubled. */
	assert_string_equal(f.plan.reply.text, "not here 100%%");
	assert_int_equal(f.plan.ndsn, 0);
	teardown_fixture(&f);
}

static void
test_some_refuse_dsn(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, refuse_org);
	feed(&f, msg_plain);
	decide(&f, "alice@example.com", "bob@example.org", "dave@example.net", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	assert_int_equal(f.plan.ndel_rcpts, 1);
	assert_string_equal(f.plan.del_rcpts[0], "bob@example.org");
	assert_int_equal(f.plan.ndsn, 1);
	assert_string_equal(f.plan.dsn[0].addr, "bob@example.org");
	assert_string_equal(f.plan.dsn[0].reply, "550 5.7.1 not here 100%");
	assert_int_equal(f.plan.nlog, 2);
	milter_plan_free(&f.plan);

	/* The null sender gets no DSN. */
	decide(&f, "", "bob@example.org", "dave@example.net", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	assert_int_equal(f.plan.ndel_rcpts, 1);
	assert_int_equal(f.plan.ndsn, 0);
	assert_true(log_has(&f.plan, "no DSN to the null sender"));
	teardown_fixture(&f);
}

static void
test_tempfail_wins(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "require [\"envelope\", \"vnd.mailsift.tempfail\", \"ereject\"];\n"
	               "if envelope :is \"to\" \"bob@example.org\" { tempfail \"busy\r\nnow\"; }\n"
	               "else { ereject \"no\"; }\n");
	feed(&f, msg_plain);
	decide(&f, "alice@example.com", "carol@example.org", "bob@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_TEMPFAIL);
	assert_string_equal(f.plan.reply.code, "451");
	assert_string_equal(f.plan.reply.xcode, "4.7.1");
	assert_string_equal(f.plan.reply.text, "busy now");
	teardown_fixture(&f);
}

static void
test_runtime_error_on_error(void **state)
{
	(void)state;
	struct fixture f;
	const char *script = "require [\"ihave\", \"editheader\"];\n"
	                     "addheader \"X-Before\" \"1\";\n"
	                     "error \"broken rule\";\n";
	setup_prog(&f, script);
	feed(&f, msg_plain);
	decide(&f, "alice@example.com", "bob@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_TEMPFAIL);
	assert_string_equal(f.plan.reply.code, "451");
	assert_string_equal(f.plan.reply.xcode, "4.3.0");
	assert_true(log_has(&f.plan, "broken rule"));
	milter_plan_free(&f.plan);

	f.prog.cfg.on_error = MILTER_ON_ERROR_ACCEPT;
	decide(&f, "alice@example.com", "bob@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	/* The edit decided before the error is not carried out. */
	assert_int_equal(f.plan.nhdr_ops, 0);
	assert_int_equal(f.plan.ndel_rcpts, 0);
	assert_true(log_has(&f.plan, "accepted (on_error)"));
	teardown_fixture(&f);
}

static void
test_discard(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "require \"envelope\";\n"
	               "if envelope :is \"to\" \"bob@example.org\" { discard; }\n");
	feed(&f, msg_plain);
	decide(&f, "alice@example.com", "bob@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_DISCARD);
	milter_plan_free(&f.plan);
	decide(&f, "alice@example.com", "bob@example.org", "carol@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	assert_int_equal(f.plan.ndel_rcpts, 1);
	assert_string_equal(f.plan.del_rcpts[0], "bob@example.org");
	teardown_fixture(&f);
}

static void
test_redirect(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "require [\"envelope\", \"copy\"];\n"
	               "if envelope :is \"to\" \"bob@example.org\" { redirect \"b@elsewhere.test\"; }\n"
	               "if envelope :is \"to\" \"carol@example.org\" {\n"
	               "  redirect :copy \"c@elsewhere.test\";\n"
	               "  redirect \"bob@example.org\";\n"
	               "}\n");
	feed(&f, msg_plain);
	decide(&f, "alice@example.com", "bob@example.org", "carol@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	/* bob is redirected away; carol's copy goes to c@ and, as her
	   plain redirect cancels her keep, to bob, who is removed and added
	   again (the host removes before it adds). */
	assert_int_equal(f.plan.nadd_rcpts, 3);
	assert_string_equal(f.plan.add_rcpts[0], "b@elsewhere.test");
	assert_string_equal(f.plan.add_rcpts[1], "c@elsewhere.test");
	assert_string_equal(f.plan.add_rcpts[2], "bob@example.org");
	assert_int_equal(f.plan.ndel_rcpts, 2);
	assert_string_equal(f.plan.del_rcpts[0], "bob@example.org");
	assert_string_equal(f.plan.del_rcpts[1], "carol@example.org");
	size_t marks = 0;
	for (size_t i = 0; i < f.plan.nhdr_ops; i++)
		marks += strcmp(f.plan.hdr_ops[i].name, "Mailsift-Redirected") == 0;
	assert_int_equal(marks, 3);
	teardown_fixture(&f);
}

static void
test_redirect_loop_keeps(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "redirect \"b@elsewhere.test\";\n");
	feed(&f, "Mailsift-Redirected: <B@elsewhere.test>\r\n"
	         "Subject: again\r\n\r\nbody\r\n");
	decide(&f, "alice@example.com", "bob@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	assert_int_equal(f.plan.nadd_rcpts, 0);
	assert_int_equal(f.plan.ndel_rcpts, 0);
	assert_true(log_has(&f.plan, "it loops; kept"));
	teardown_fixture(&f);
}

static const char *msg_edit = "Received: from a by b\r\n"
                              "X-A: one\r\n"
                              "Subject: hi\r\n"
                              "X-A: two\r\n"
                              "Mailsift-Hint: v=1; forged\r\n"
                              "\r\n"
                              "body\r\n";

static void
test_header_edits(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "require \"editheader\";\n"
	               "addheader \"X-Top\" \"1\";\n"
	               "addheader \"X-Top2\" \"2\";\n"
	               "addheader :last \"X-End\" \"3\";\n"
	               "deleteheader :contains \"x-a\" \"two\";\n");
	feed(&f, msg_edit);
	decide(&f, "alice@example.com", "bob@example.org", "carol@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	struct {
		enum milter_hdr_op_kind kind;
		const char *name;
		const char *value;
		unsigned int index;
	} want[] = {
	    {MILTER_HDR_INSERT, "X-Top2", "2", 0},
	    {MILTER_HDR_INSERT, "X-Top", "1", 1},
	    {MILTER_HDR_ADD, "X-End", "3", 0},
	    {MILTER_HDR_DELETE, "Mailsift-Hint", NULL, 1},
	    {MILTER_HDR_DELETE, "X-A", NULL, 2},
	};
	assert_int_equal(f.plan.nhdr_ops, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < f.plan.nhdr_ops; i++) {
		const struct milter_hdr_op *op = &f.plan.hdr_ops[i];
		assert_int_equal(op->kind, want[i].kind);
		assert_string_equal(op->name, want[i].name);
		if (want[i].value != NULL)
			assert_string_equal(op->value, want[i].value);
		assert_int_equal(op->index, want[i].index);
	}
	teardown_fixture(&f);
}

static void
test_header_edits_disagree(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "require [\"editheader\", \"envelope\"];\n"
	               "if envelope :is \"to\" \"bob@example.org\" { addheader \"X-Bob\" \"1\"; }\n");
	feed(&f, msg_edit);
	decide(&f, "alice@example.com", "bob@example.org", "carol@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	/* Only the incoming hint goes. */
	assert_int_equal(f.plan.nhdr_ops, 1);
	assert_int_equal(f.plan.hdr_ops[0].kind, MILTER_HDR_DELETE);
	assert_string_equal(f.plan.hdr_ops[0].name, "Mailsift-Hint");
	assert_true(log_has(&f.plan, "header edits not applied"));
	teardown_fixture(&f);
}

static void
test_fileinto_hint(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "require [\"fileinto\", \"imap4flags\"];\n"
	               "fileinto :flags \"\\\\Seen\" \"Lists/Dev\";\n");
	feed(&f, msg_plain);
	decide(&f, "alice@example.com", "bob@example.org", NULL);
	/* Without a key: delivered to INBOX, logged. */
	assert_int_equal(f.plan.nhdr_ops, 0);
	assert_true(log_has(&f.plan, "ignored: no hint_key_file"));
	milter_plan_free(&f.plan);

	f.prog.hint_key = (unsigned char *)key32;
	f.prog.hint_key_len = 32;
	decide(&f, "alice@example.com", "bob@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	assert_int_equal(f.plan.nhdr_ops, 1);
	const struct milter_hdr_op *op = &f.plan.hdr_ops[0];
	assert_int_equal(op->kind, MILTER_HDR_ADD);
	assert_string_equal(op->name, "Mailsift-Hint");
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_hint hint;
	const char *error = NULL;
	const char *mid = "<m1@example.com>";
	int r = sift_hint_verify(op->value, strlen(op->value), mid, strlen(mid),
	                         (const unsigned char *)key32, 32, 1763700000, 0, arena, &hint,
	                         &error);
	if (r < 0)
		fprintf(stderr, "verify: %s\n", error);
	assert_int_equal(r, 0);
	assert_memory_equal(hint.folder, "Lists/Dev", 9);
	assert_memory_equal(hint.flags, "\\Seen", 5);
	assert_memory_equal(hint.rcpt, "bob@example.org", 15);
	sift_arena_destroy(&arena);
	f.prog.hint_key = NULL;
	teardown_fixture(&f);
}

static void
test_hint_adds_message_id(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "require \"fileinto\";\nfileinto \"Junk\";\n");
	feed(&f, "Subject: no id\r\n\r\nbody\r\n");
	f.prog.hint_key = (unsigned char *)key32;
	f.prog.hint_key_len = 32;
	decide(&f, "alice@example.com", "bob@example.org", NULL);
	assert_int_equal(f.plan.nhdr_ops, 2);
	assert_string_equal(f.plan.hdr_ops[0].name, "Mailsift-Hint");
	assert_string_equal(f.plan.hdr_ops[1].name, "Message-ID");
	const char *mid = f.plan.hdr_ops[1].value;
	assert_non_null(strstr(mid, ".mailsift@mx.test>"));
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_hint hint;
	const char *error = NULL;
	assert_int_equal(sift_hint_verify(f.plan.hdr_ops[0].value,
	                                  strlen(f.plan.hdr_ops[0].value), mid, strlen(mid),
	                                  (const unsigned char *)key32, 32, 1763700000, 0, arena,
	                                  &hint, &error),
	                 0);
	sift_arena_destroy(&arena);
	f.prog.hint_key = NULL;
	teardown_fixture(&f);
}

static void
test_quarantine(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "require [\"vnd.mailsift.quarantine\", \"envelope\"];\n"
	               "if envelope :is \"to\" \"carol@example.org\" { quarantine \"look\tat it\"; }\n");
	feed(&f, msg_plain);
	decide(&f, "alice@example.com", "bob@example.org", "carol@example.org", NULL);
	assert_int_equal(f.plan.outcome, MILTER_OUT_ACCEPT);
	assert_non_null(f.plan.quarantine);
	assert_string_equal(f.plan.quarantine, "look at it");
	teardown_fixture(&f);
}

static void
test_reply_text(void **state)
{
	(void)state;
	struct {
		const char *in;
		size_t max;
		const char *out;
	} cases[] = {
	    {"plain", 400, "plain"},
	    {"  lead\r\n\r\nfold\ttab  ", 400, "lead fold tab"},
	    {"50% off", 400, "50%% off"},
	    {"caf\xc3\xa9 \x01", 400, "caf?? ?"},
	    {"one two three four five six", 16, "one two three\nfour five six"},
	    {"abcdefghijklmnopqrstuvwxyz", 16, "abcdefghijklmnop\nqrstuvwxyz"},
	    {"", 400, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = milter_reply_text(cases[i].in, strlen(cases[i].in), cases[i].max);
		assert_string_equal(t, cases[i].out);
		sift_free(t);
	}
}

static void
test_early(void **state)
{
	(void)state;
	struct fixture f;
	setup_prog(&f, "require [\"envelope\", \"ereject\", \"vnd.mailsift.tempfail\"];\n"
	               "if envelope :domain :is \"to\" \"old.example\" { ereject \"moved\"; }\n"
	               "if envelope :domain :is \"to\" \"busy.example\" { tempfail \"later\"; }\n"
	               "if envelope :domain :is \"to\" \"maybe.example\" {\n"
	               "  if header :is \"x-ok\" \"1\" { stop; }\n"
	               "  ereject \"no\";\n"
	               "}\n"
	               "if envelope :domain :is \"to\" \"texts.example\" {\n"
	               "  if header :is \"x-a\" \"1\" { ereject \"a\"; stop; }\n"
	               "  ereject \"first\"; stop;\n"
	               "}\n"
	               "if envelope :domain :is \"to\" \"error.example\" {\n"
	               "  ereject \"one\";\n"
	               "  if header :is \"x-b\" \"1\" { ereject \"two\"; }\n"
	               "}\n");
	struct {
		const char *to;
		enum milter_verdict v;
		const char *text;
	} cases[] = {
	    {"a@old.example", MILTER_V_REFUSE, "moved"},
	    {"a@busy.example", MILTER_V_TEMPFAIL, "later"},
	    {"a@maybe.example", MILTER_V_ACCEPT, NULL},
	    {"a@fine.example", MILTER_V_ACCEPT, NULL},
	    /* Refused every way: the text of the way with the tests false. */
	    {"a@texts.example", MILTER_V_REFUSE, "first"},
	    /* One way is a runtime error (deferred at the end): not now. */
	    {"a@error.example", MILTER_V_ACCEPT, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sift_sieve_run_params params = {
		    .envelope = {.from = "alice@example.com", .to = cases[i].to},
		    .location = "MTA",
		    .phase = "pre",
		};
		char *text = NULL;
		assert_int_equal(milter_decide_early(f.prog.sieve, &params, &text), cases[i].v);
		if (cases[i].text != NULL)
			assert_string_equal(text, cases[i].text);
		else
			assert_null(text);
		sift_free(text);
	}
	teardown_fixture(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keep_accepts_unchanged),
	    cmocka_unit_test(test_all_refuse_rejects),
	    cmocka_unit_test(test_some_refuse_dsn),
	    cmocka_unit_test(test_tempfail_wins),
	    cmocka_unit_test(test_runtime_error_on_error),
	    cmocka_unit_test(test_discard),
	    cmocka_unit_test(test_redirect),
	    cmocka_unit_test(test_redirect_loop_keeps),
	    cmocka_unit_test(test_header_edits),
	    cmocka_unit_test(test_header_edits_disagree),
	    cmocka_unit_test(test_fileinto_hint),
	    cmocka_unit_test(test_hint_adds_message_id),
	    cmocka_unit_test(test_quarantine),
	    cmocka_unit_test(test_reply_text),
	    cmocka_unit_test(test_early),
	};
	return cmocka_run_group_tests_name("milter-decide", tests, NULL, NULL);
}
