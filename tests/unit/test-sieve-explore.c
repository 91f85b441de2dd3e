/* SPDX-License-Identifier: MIT */
/* Unit tests for envelope-only runs (sift_sieve_explore): which tests
   are unknown, three-valued allof/anyof/not, one outcome per way the
   unknown conditions can go, and the cases where the outcomes cannot be
   known (too many paths, match variables of an unknown test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sieve/sieve.h"
#include "util/buffer.h"

/* What the outcomes looked like: one line per path, "keep" when the
   implicit keep stands, else the action types and arguments. */
struct outcomes {
	struct sift_buf text;
	unsigned int stop_after; /* 0: never stop */
	unsigned int seen;
};

static bool
collect(void *context, const struct sift_sieve_result *res)
{
	struct outcomes *o = context;
	o->seen++;
	if (res->failed)
		sift_buf_printf(&o->text, "error;");
	for (size_t i = 0; i < res->nactions; i++) {
		const struct sift_sieve_action *a = &res->actions[i];
		static const char *const names[] = {"keep",   "fileinto", "redirect",
		                                    "discard", "reject",  "ereject",
		                                    "tempfail", "quarantine", "addheader",
		                                    "deleteheader"};
		sift_buf_printf(&o->text, "%s", names[a->type]);
		if (a->arg != NULL && a->type != SIFT_SIEVE_ACT_KEEP)
			sift_buf_printf(&o->text, "(%.*s)", (int)a->arg_len, a->arg);
		sift_buf_append_c(&o->text, ';');
	}
	if (res->implicit_keep && !res->failed)
		sift_buf_printf(&o->text, "implicit;");
	sift_buf_append_c(&o->text, '\n');
	return o->stop_after == 0 || o->seen < o->stop_after;
}

/* Compiles a script that must compile. */
static struct sift_sieve_program *
compile(const char *script)
{
	struct sift_limits limits;
	sift_limits_init(&limits);
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile("t", script, strlen(script), &limits, &diags);
	for (size_t i = 0; i < diags.count; i++)
		fprintf(stderr, "%u:%u: %s\n", diags.items[i].line, diags.items[i].column,
		        diags.items[i].text);
	sift_diags_free(&diags);
	assert_non_null(prog);
	return prog;
}

/* Explores a script for one recipient; returns what sift_sieve_explore
   returned, the outcomes in o. */
static int
explore(const char *script, const char *to, unsigned int max_paths, struct outcomes *o,
        const char **error_r)
{
	struct sift_sieve_program *prog = compile(script);
	struct sift_sieve_run_params params = {
	    .envelope = {.from = "alice@example.com", .to = to},
	    .location = "MTA",
	    .phase = "pre",
	};
	sift_buf_init(&o->text, 0);
	int r = sift_sieve_explore(prog, &params, max_paths, collect, o, error_r);
	sift_sieve_program_unref(&prog);
	return r;
}

static void
test_envelope_only_is_decided(void **state)
{
	(void)state;
	const char *script = "require [\"envelope\", \"ereject\"];\n"
	                     "if envelope :domain :is \"to\" \"old.example\" { ereject \"moved\"; }\n";
	struct outcomes o = {0};
	const char *error = NULL;
	assert_int_equal(explore(script, "bob@old.example", 16, &o, &error), 1);
	assert_string_equal(o.text.data, "ereject(moved);\n");
	sift_buf_free(&o.text);

	memset(&o, 0, sizeof(o));
	assert_int_equal(explore(script, "bob@new.example", 16, &o, &error), 1);
	assert_string_equal(o.text.data, "implicit;\n");
	sift_buf_free(&o.text);
}

static void
test_unknown_if_goes_both_ways(void **state)
{
	(void)state;
	const char *script = "require [\"envelope\", \"ereject\", \"fileinto\"];\n"
	                     "if header :contains \"subject\" \"sale\" { fileinto \"Ads\"; stop; }\n"
	                     "if envelope :domain :is \"to\" \"old.example\" { ereject \"moved\"; }\n";
	struct outcomes o = {0};
	const char *error = NULL;
	assert_int_equal(explore(script, "bob@old.example", 16, &o, &error), 2);
	/* false first, then true */
	assert_string_equal(o.text.data, "ereject(moved);\nfileinto(Ads);\n");
	sift_buf_free(&o.text);
}

static void
test_every_message_test_is_unknown(void **state)
{
	(void)state;
	const char *tests[] = {
	    "header :is \"x\" \"y\"", "address :is \"from\" \"a@b\"", "exists \"x\"",
	    "size :over 10",           "body :contains \"x\"",         "date :is \"date\" \"year\" \"2020\"",
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		char script[256];
		snprintf(script, sizeof(script),
		         "require [\"body\", \"date\", \"ereject\"];\nif %s { ereject \"x\"; }\n",
		         tests[i]);
		struct outcomes o = {0};
		const char *error = NULL;
		assert_int_equal(explore(script, "bob@example.org", 16, &o, &error), 2);
		assert_string_equal(o.text.data, "implicit;\nereject(x);\n");
		sift_buf_free(&o.text);
	}
}

static void
test_three_valued_logic(void **state)
{
	(void)state;
	struct {
		const char *test;
		int paths;
	} cases[] = {
	    /* false and unknown: false */
	    {"allof (envelope :is \"to\" \"nobody@x\", header :is \"x\" \"y\")", 1},
	    /* true and unknown: unknown */
	    {"allof (envelope :is \"to\" \"bob@example.org\", header :is \"x\" \"y\")", 2},
	    /* true or unknown: true */
	    {"anyof (header :is \"x\" \"y\", envelope :is \"to\" \"bob@example.org\")", 1},
	    /* false or unknown: unknown */
	    {"anyof (header :is \"x\" \"y\", false)", 2},
	    {"not header :is \"x\" \"y\"", 2},
	    {"not not true", 1},
	    {"not anyof (true, exists \"x\")", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char script[256];
		snprintf(script, sizeof(script),
		         "require [\"envelope\", \"ereject\"];\nif %s { ereject \"x\"; }\n",
		         cases[i].test);
		struct outcomes o = {0};
		const char *error = NULL;
		int r = explore(script, "bob@example.org", 16, &o, &error);
		if (r != cases[i].paths)
			fprintf(stderr, "case %zu: %s: %d paths\n", i, cases[i].test, r);
		assert_int_equal(r, cases[i].paths);
		sift_buf_free(&o.text);
	}
}

static void
test_elsif_chain(void **state)
{
	(void)state;
	const char *script = "require [\"ereject\", \"vnd.mailsift.tempfail\"];\n"
	                     "if header :is \"a\" \"1\" { ereject \"a\"; }\n"
	                     "elsif header :is \"b\" \"1\" { tempfail \"b\"; }\n"
	                     "else { discard; }\n";
	struct outcomes o = {0};
	const char *error = NULL;
	assert_int_equal(explore(script, "bob@example.org", 16, &o, &error), 3);
	/* tempfail leaves the implicit keep to the host (it defers all). */
	assert_string_equal(o.text.data, "discard;\ntempfail(b);implicit;\nereject(a);\n");
	sift_buf_free(&o.text);
}

static void
test_too_many_paths(void **state)
{
	(void)state;
	struct sift_buf script;
	sift_buf_init(&script, 0);
	sift_buf_append_str(&script, "require \"fileinto\";\n");
	for (int i = 0; i < 10; i++)
		sift_buf_printf(&script, "if header :is \"x%d\" \"y\" { fileinto \"f%d\"; }\n", i, i);
	struct outcomes o = {0};
	const char *error = NULL;
	assert_int_equal(explore(script.data, "bob@example.org", 64, &o, &error), -1);
	assert_string_equal(error, "too many ways the unknown tests could go");
	assert_int_equal(o.seen, 64);
	sift_buf_free(&o.text);

	memset(&o, 0, sizeof(o));
	assert_int_equal(explore(script.data, "bob@example.org", 1024, &o, &error), 1024);
	sift_buf_free(&o.text);
	sift_buf_free(&script);
}

static void
test_callback_stops(void **state)
{
	(void)state;
	const char *script = "if header :is \"a\" \"1\" { discard; }\n"
	                     "if header :is \"b\" \"1\" { discard; }\n";
	struct outcomes o = {.stop_after = 2};
	const char *error = NULL;
	assert_int_equal(explore(script, "bob@example.org", 16, &o, &error), 0);
	assert_int_equal(o.seen, 2);
	sift_buf_free(&o.text);
}

static void
test_unknown_match_variables(void **state)
{
	(void)state;
	/* ${1} after an unknown :matches could be anything. */
	const char *script = "require [\"variables\", \"ereject\"];\n"
	                     "if header :matches \"subject\" \"*\" { set \"s\" \"${1}\"; }\n"
	                     "ereject \"${s}\";\n";
	struct outcomes o = {0};
	const char *error = NULL;
	assert_int_equal(explore(script, "bob@example.org", 16, &o, &error), -1);
	assert_string_equal(error, "a string depends on what an unknown test matched");
	sift_buf_free(&o.text);

	/* Match variables set by a known test are fine. */
	script = "require [\"variables\", \"ereject\", \"envelope\"];\n"
	         "if envelope :matches \"to\" \"*@*\" { ereject \"no ${2}\"; }\n";
	memset(&o, 0, sizeof(o));
	assert_int_equal(explore(script, "bob@example.org", 16, &o, &error), 1);
	assert_string_equal(o.text.data, "ereject(no example.org);\n");
	sift_buf_free(&o.text);

	/* Script variables that do not come from a match stay known. */
	script = "require [\"variables\", \"ereject\"];\n"
	         "set \"r\" \"gone\";\n"
	         "if header :is \"x\" \"y\" { set \"r\" \"away\"; }\n"
	         "ereject \"${r}\";\n";
	memset(&o, 0, sizeof(o));
	assert_int_equal(explore(script, "bob@example.org", 16, &o, &error), 2);
	assert_string_equal(o.text.data, "ereject(gone);\nereject(away);\n");
	sift_buf_free(&o.text);
}

static void
test_header_edits_without_message(void **state)
{
	(void)state;
	const char *script = "require [\"editheader\", \"ereject\"];\n"
	                     "deleteheader \"subject\";\n"
	                     "deleteheader :contains \"x-spam\" \"yes\";\n"
	                     "addheader \"X-Seen\" \"1\";\n"
	                     "if exists \"x-seen\" { ereject \"x\"; }\n";
	struct outcomes o = {0};
	const char *error = NULL;
	assert_int_equal(explore(script, "bob@example.org", 16, &o, &error), 2);
	assert_string_equal(o.text.data, "deleteheader(subject);deleteheader(x-spam);addheader(X-Seen);"
	                                 "implicit;\n"
	                                 "deleteheader(subject);deleteheader(x-spam);addheader(X-Seen);"
	                                 "ereject(x);\n");
	sift_buf_free(&o.text);
}

static void
test_runtime_error_on_one_path(void **state)
{
	(void)state;
	/* reject and fileinto conflict: an error on the path where both run. */
	const char *script = "require [\"reject\", \"fileinto\"];\n"
	                     "if header :is \"x\" \"y\" { fileinto \"A\"; }\n"
	                     "reject \"no\";\n";
	struct outcomes o = {0};
	const char *error = NULL;
	assert_int_equal(explore(script, "bob@example.org", 16, &o, &error), 2);
	assert_string_equal(o.text.data, "reject(no);\nerror;fileinto(A);\n");
	sift_buf_free(&o.text);
}

static void
test_program_needs(void **state)
{
	(void)state;
	struct {
		const char *script;
		unsigned int needs;
	} cases[] = {
	    {"require \"envelope\"; if envelope :is \"to\" \"a@b\" { discard; }", 0},
	    {"if anyof (false, not exists \"x\") { discard; }", SIFT_SIEVE_NEEDS_HEADER},
	    {"if true { if size :over 1K { discard; } }", SIFT_SIEVE_NEEDS_BODY},
	    {"require \"body\"; if body :text :contains \"x\" { discard; }",
	     SIFT_SIEVE_NEEDS_BODY},
	    {"require \"editheader\"; if true { addheader \"X\" \"y\"; }", 0},
	    {"require \"editheader\"; if true { deleteheader \"X\"; }",
	     SIFT_SIEVE_NEEDS_HEADER},
	    {"require \"date\"; if date :is \"date\" \"year\" \"2020\" { stop; } elsif "
	     "size :under 1 { stop; }",
	     SIFT_SIEVE_NEEDS_HEADER | SIFT_SIEVE_NEEDS_BODY},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sift_sieve_program *prog = compile(cases[i].script);
		assert_int_equal(sift_sieve_program_needs(prog), cases[i].needs);
		assert_true(sift_sieve_program_has(prog, "if"));
		assert_false(sift_sieve_program_has(prog, "redirect"));
		assert_false(sift_sieve_program_reads_envelope(prog, "auth"));
		sift_sieve_program_unref(&prog);
	}
}

static void
test_program_reads_envelope(void **state)
{
	(void)state;
	struct {
		const char *script;
		bool auth;
	} cases[] = {
	    {"require \"envelope\"; if envelope :is \"from\" \"a@b\" { stop; }", false},
	    {"require \"envelope\"; if true { if envelope :is [\"to\", \"AUTH\"] \"a\" { stop; } }",
	     true},
	    {"require [\"envelope\", \"variables\"]; set \"p\" \"auth\";\n"
	     "if not envelope :is \"${p}\" \"a\" { stop; }",
	     true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sift_sieve_program *prog = compile(cases[i].script);
		assert_int_equal(sift_sieve_program_reads_envelope(prog, "auth"), cases[i].auth);
		sift_sieve_program_unref(&prog);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_envelope_only_is_decided),
	    cmocka_unit_test(test_unknown_if_goes_both_ways),
	    cmocka_unit_test(test_every_message_test_is_unknown),
	    cmocka_unit_test(test_three_valued_logic),
	    cmocka_unit_test(test_elsif_chain),
	    cmocka_unit_test(test_too_many_paths),
	    cmocka_unit_test(test_callback_stops),
	    cmocka_unit_test(test_unknown_match_variables),
	    cmocka_unit_test(test_header_edits_without_message),
	    cmocka_unit_test(test_runtime_error_on_one_path),
	    cmocka_unit_test(test_program_needs),
	    cmocka_unit_test(test_program_reads_envelope),
	};
	return cmocka_run_group_tests_name("sieve-explore", tests, NULL, NULL);
}
