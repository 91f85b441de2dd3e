/* SPDX-License-Identifier: MIT */
/* Unit tests for the Sieve validator/compiler: require handling, names
   and suggestions, tags, argument types and counts, match types and
   comparators, encoded characters, variables, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sieve/sieve.h"
#include "util/alloc.h"

static char first_error[512];
static size_t n_errors;
static size_t n_warnings;

/* Compiles; returns true when it compiled.  The first error goes to
   first_error as "LINE:COL: TEXT". */
static bool
compile_limits(const char *script, const struct sift_limits *limits)
{
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile("t", script, strlen(script), limits, &diags);
	first_error[0] = '\0';
	n_errors = diags.errors;
	n_warnings = 0;
	for (size_t i = 0; i < diags.count; i++) {
		if (diags.items[i].severity == SIFT_SEV_WARNING)
			n_warnings++;
		if (diags.items[i].severity == SIFT_SEV_ERROR && first_error[0] == '\0')
			snprintf(first_error, sizeof(first_error), "%u:%u: %s", diags.items[i].line,
			         diags.items[i].column, diags.items[i].text);
	}
	sift_diags_free(&diags);
	bool ok = prog != NULL;
	assert_true(ok == (n_errors == 0));
	sift_sieve_program_unref(&prog);
	return ok;
}

static bool
compile(const char *script)
{
	return compile_limits(script, NULL);
}

static void
expect_error(const char *script, const char *error)
{
	assert_false(compile(script));
	assert_string_equal(first_error, error);
}

static void
test_empty_and_core(void **state)
{
	(void)state;
	assert_true(compile(""));
	assert_true(compile("keep;"));
	assert_true(compile("if true { stop; } elsif false { discard; } else { keep; }"));
	assert_true(compile("if allof (true, not false, anyof (false, true)) { keep; }"));
	assert_true(compile("redirect \"a@example.org\";"));
	assert_true(compile("if size :over 1M { discard; }"));
	assert_true(compile("if exists [\"From\", \"X-Spam\"] { keep; }"));
}

static void
test_require(void **state)
{
	(void)state;
	assert_true(compile("require \"fileinto\"; fileinto \"X\";"));
	assert_true(compile("require [\"fileinto\", \"envelope\"]; require \"copy\"; keep;"));
	expect_error("fileinto \"X\";",
	             "1:1: command 'fileinto' requires the \"fileinto\" extension (add it to "
	             "'require')");
	expect_error("require \"fileintoo\";",
	             "1:9: unknown capability \"fileintoo\"; did you mean \"fileinto\"?");
	expect_error("require \"nonsense-thing\";", "1:9: unknown capability \"nonsense-thing\"");
	expect_error("keep;\nrequire \"fileinto\";",
	             "2:1: 'require' must come before any other command");
	/* Capability names are case-sensitive (RFC 5228 3.2). */
	expect_error("require \"FileInto\";",
	             "1:9: unknown capability \"FileInto\"; did you mean \"fileinto\"?");
	expect_error("if true { require \"fileinto\"; }",
	             "1:11: 'require' must come before any other command");
}

static void
test_unknown_names(void **state)
{
	(void)state;
	expect_error("require \"fileinto\";\nfileint \"X\";",
	             "2:1: unknown command 'fileint'; did you mean 'fileinto'?");
	expect_error("if heade \"subject\" \"x\" { keep; }",
	             "1:4: unknown test 'heade'; did you mean 'header'?");
	expect_error("frobnicate;", "1:1: unknown command 'frobnicate'");
	expect_error("if keep { stop; }", "1:4: 'keep' is a command, not a test");
	expect_error("header \"a\" \"b\";", "1:1: 'header' is a test, not a command");
	/* Identifiers are case-insensitive. */
	assert_true(compile("KEEP; If TRUE { Stop; }"));
}

static void
test_tags(void **state)
{
	(void)state;
	expect_error("if header :iz \"a\" \"b\" { keep; }",
	             "1:11: unknown tag ':iz' for test 'header'; did you mean ':is'?");
	expect_error("if header :is :is \"a\" \"b\" { keep; }", "1:15: tag ':is' given twice");
	expect_error("if header :is :contains \"a\" \"b\" { keep; }",
	             "1:15: conflicting match types ':is' and ':contains'");
	expect_error("if address :localpart :domain \"from\" \"b\" { keep; }",
	             "1:23: tags ':localpart' and ':domain' cannot be used together");
	expect_error("if header :regex \"a\" \"b\" { keep; }",
	             "1:11: tag ':regex' requires the \"regex\" extension");
	expect_error("if header \"a\" :is \"b\" { keep; }",
	             "1:15: tag ':is' must come before the positional arguments of 'header'");
	expect_error("if header :comparator \"i;nonsense\" \"a\" \"b\" { keep; }",
	             "1:23: unknown comparator \"i;nonsense\"");
	expect_error("if header :comparator 5 \"a\" \"b\" { keep; }",
	             "1:23: tag ':comparator' expects a string, not a number");
}

static void
test_comparators(void **state)
{
	(void)state;
	assert_true(compile("if header :comparator \"i;octet\" :contains \"a\" \"b\" { keep; }"));
	expect_error("if header :comparator \"i;ascii-numeric\" \"a\" \"1\" { keep; }",
	             "1:23: comparator \"i;ascii-numeric\" requires the "
	             "\"comparator-i;ascii-numeric\" extension");
	expect_error("require \"comparator-i;ascii-numeric\";\n"
	             "if header :contains :comparator \"i;ascii-numeric\" \"a\" \"1\" { keep; }",
	             "2:33: comparator \"i;ascii-numeric\" cannot be used with match type "
	             "':contains'");
	assert_true(compile("require [\"relational\", \"comparator-i;ascii-numeric\"];\n"
	                    "if header :value \"ge\" :comparator \"i;ascii-numeric\" \"x\" \"5\" "
	                    "{ keep; }"));
	expect_error("require \"relational\";\nif header :value \"gte\" \"x\" \"5\" { keep; }",
	             "2:18: invalid relational operator \"gte\" (expected gt, ge, lt, le, eq or "
	             "ne)");
}

static void
test_arguments(void **state)
{
	(void)state;
	expect_error("keep \"x\";", "1:6: too many arguments for 'keep'");
	expect_error("require \"fileinto\"; fileinto;",
	             "1:21: 'fileinto' expects 1 positional argument, got 0");
	expect_error("require \"fileinto\"; fileinto [\"a\", \"b\"];",
	             "1:30: argument 1 of 'fileinto' must be a string, not a string list");
	expect_error("if header \"a\" { keep; }",
	             "1:4: 'header' expects 2 positional arguments, got 1");
	expect_error("if size 100 { keep; }",
	             "1:4: 'size' expects :over or :under before the number");
	expect_error("if size :over \"x\" { keep; }",
	             "1:15: tag ':over' expects a number, not a string");
	/* "true keep" is the test true with a test argument (RFC 5228 8.2). */
	expect_error("if true keep;", "1:9: 'true' takes no test");
	expect_error("if true;", "1:1: 'if' expects a block { ... }");
	expect_error("if (true, false) { keep; }",
	             "1:1: 'if' expects a single test, not a test list");
	expect_error("if not (true) { keep; }",
	             "1:4: 'not' expects a single test, not a test list");
	expect_error("if anyof true { keep; }", "1:4: 'anyof' expects a test list ( ... )");
	expect_error("keep { stop; }", "1:1: 'keep' takes no block");
	expect_error("else { keep; }", "1:1: 'else' without a preceding 'if' or 'elsif'");
	expect_error("keep;\nelsif true { keep; }",
	             "2:1: 'elsif' without a preceding 'if' or 'elsif'");
	expect_error("redirect \"not an address\";",
	             "1:10: invalid redirect address \"not an address\"");
	expect_error("if address \"subject\" \"x\" { keep; }",
	             "1:12: header \"subject\" does not hold addresses");
	expect_error("if header \"bad name\" \"x\" { keep; }",
	             "1:11: invalid header name \"bad name\"");
}

static void
test_several_errors(void **state)
{
	(void)state;
	assert_false(compile("frob;\nkeep \"x\";\nif heade \"a\" \"b\" { keep; }\n"));
	assert_int_equal(n_errors, 3);
	assert_string_equal(first_error, "1:1: unknown command 'frob'");
}

static void
test_encoded_character(void **state)
{
	(void)state;
	/* RFC 5228 2.4.2.4 examples compile; invalid code points do not. */
	assert_true(
	    compile("require [\"encoded-character\", \"fileinto\"];\n"
	            "fileinto \"$${hex:24 24}\"; fileinto \"${hex:40}\";\n"
	            "fileinto \"${HEX: 40}\"; fileinto \"${hex:40\"; fileinto \"${hex:400}\";\n"
	            "fileinto \"${hex:4${hex:30}}\"; fileinto \"${unicode:40}\";\n"
	            "fileinto \"${ unicode:40}\"; fileinto \"${UNICODE:40}\";\n"
	            "fileinto \"${UnICoDE:0000040}\"; fileinto \"${Unicode:Cool}\";\n"));
	expect_error("require \"encoded-character\";\nreject \"${unicode:200000}\";",
	             "2:8: invalid Unicode code point U+200000 in encoded character");
	expect_error("require \"encoded-character\";\nreject \"${Unicode:DF01}\";",
	             "2:8: invalid Unicode code point U+DF01 in encoded character");
	/* Without the extension the text is plain. */
	assert_true(compile("require \"reject\"; reject \"${unicode:200000}\";"));
}

static void
test_variables(void **state)
{
	(void)state;
	assert_true(compile("require \"variables\"; set \"a\" \"x\"; set :upper :length \"b\" "
	                    "\"${a}${1}\";"));
	expect_error("require \"variables\"; set \"my-var\" \"x\";",
	             "1:26: invalid variable name \"my-var\"");
	expect_error("require \"variables\"; set :lower :upper \"a\" \"x\";",
	             "1:33: tags ':lower' and ':upper' cannot be used together");
	expect_error("require [\"variables\", \"fileinto\"]; fileinto \"${env.x}\";",
	             "1:45: unknown variable namespace 'env'");
	/* Too many variables. */
	struct sift_limits limits;
	sift_limits_init(&limits);
	const char *err = NULL;
	assert_int_equal(sift_limits_set(&limits, "variables", "2", &err), 0);
	assert_false(compile_limits("require \"variables\"; set \"a\" \"1\"; set \"b\" \"2\"; "
	                            "set \"c\" \"3\";",
	                            &limits));
	assert_string_equal(first_error, "1:52: too many variables (limit 2)");
}

static void
test_regex(void **state)
{
	(void)state;
	assert_true(compile("require \"regex\"; if header :regex \"subject\" \"^(a|b)+$\" "
	                    "{ keep; }"));
	assert_false(compile("require \"regex\"; if header :regex \"subject\" \"a(b\" { keep; }"));
	assert_string_equal(first_error,
	                    "1:45: invalid regular expression: missing closing parenthesis at "
	                    "offset 3");
}

static void
test_extensions_compile(void **state)
{
	(void)state;
	assert_true(compile(
	    "require [\"fileinto\", \"imap4flags\", \"copy\", \"mailbox\", \"body\", \"date\", "
	    "\"index\", \"editheader\", \"environment\", \"ihave\", \"subaddress\", \"envelope\", "
	    "\"vnd.mailsift.tempfail\", \"vnd.mailsift.quarantine\", \"ereject\"];\n"
	    "addflag \"\\\\Seen\"; fileinto :copy :create :flags \"a b\" \"X\";\n"
	    "if body :raw :contains \"x\" { keep; }\n"
	    "if date :zone \"+0200\" :index 1 :last \"date\" \"hour\" \"10\" { keep; }\n"
	    "if currentdate \"year\" \"2026\" { keep; }\n"
	    "addheader :last \"X-A\" \"b\"; deleteheader :index 1 \"X-A\";\n"
	    "if environment \"location\" \"MTA\" { tempfail \"later\"; }\n"
	    "if address :detail \"to\" \"lists\" { quarantine \"hold\"; }\n"
	    "if envelope :domain \"from\" \"example.org\" { ereject \"no\"; }\n"
	    "if mailboxexists \"X\" { keep; }\n"));
	/* An ihave block may use what is unknown (RFC 5463 4). */
	assert_true(compile("require \"ihave\"; if ihave \"x-unknown\" { frobnicate; }"));
	/* ihave makes a known extension usable inside its block. */
	assert_true(compile("require \"ihave\"; if ihave \"fileinto\" { fileinto \"X\"; }"));
	expect_error("require \"index\"; if header :last \"a\" \"b\" { keep; }",
	             "1:28: ':last' requires ':index'");
	expect_error("require \"editheader\"; addheader \"X:Y\" \"v\";",
	             "1:33: header field name \"X:Y\" is not a valid header field name");
	expect_error("require \"envelope\"; if envelope \"sender\" \"x\" { keep; }",
	             "1:33: unknown envelope part \"sender\" (expected \"from\" or \"to\")");
	/* A protected field is a warning, not an error. */
	assert_true(compile("require \"editheader\"; deleteheader \"Received\";"));
	assert_int_equal(n_warnings, 1);
}

static void
test_nesting_and_size_limits(void **state)
{
	(void)state;
	char script[4096];
	size_t o = 0;
	/* 15 nested blocks and 15 nested test lists are required to work. */
	for (int i = 0; i < 15; i++)
		o += (size_t)snprintf(script + o, sizeof(script) - o, "if anyof(true) {");
	o += (size_t)snprintf(script + o, sizeof(script) - o, "keep;");
	for (int i = 0; i < 15; i++)
		o += (size_t)snprintf(script + o, sizeof(script) - o, "}");
	assert_true(compile(script));
	/* 100 levels are refused with an error. */
	o = 0;
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(script + o, sizeof(script) - o, "if true {");
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(script + o, sizeof(script) - o, "}");
	assert_false(compile(script));
	/* Script size limit. */
	struct sift_limits limits;
	sift_limits_init(&limits);
	const char *err;
	assert_int_equal(sift_limits_set(&limits, "script_bytes", "1K", &err), 0);
	char *big = sift_malloc(4096);
	memset(big, ' ', 4095);
	big[4095] = '\0';
	assert_false(compile_limits(big, &limits));
	sift_free(big);
}

static void
test_refcount(void **state)
{
	(void)state;
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *p = sift_sieve_compile("t", "keep;", 5, NULL, &diags);
	assert_non_null(p);
	struct sift_sieve_program *q = p;
	sift_sieve_program_ref(q);
	sift_sieve_program_unref(&p);
	assert_null(p);
	assert_true(sift_sieve_program_uses(q, "fileinto") == false);
	sift_sieve_program_unref(&q);
	sift_diags_free(&diags);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_and_core),
	    cmocka_unit_test(test_require),
	    cmocka_unit_test(test_unknown_names),
	    cmocka_unit_test(test_tags),
	    cmocka_unit_test(test_comparators),
	    cmocka_unit_test(test_arguments),
	    cmocka_unit_test(test_several_errors),
	    cmocka_unit_test(test_encoded_character),
	    cmocka_unit_test(test_variables),
	    cmocka_unit_test(test_regex),
	    cmocka_unit_test(test_extensions_compile),
	    cmocka_unit_test(test_nesting_and_size_limits),
	    cmocka_unit_test(test_refcount),
	};
	return cmocka_run_group_tests_name("sieve-validate", tests, NULL, NULL);
}
