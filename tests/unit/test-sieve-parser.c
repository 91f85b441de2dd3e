/* SPDX-License-Identifier: MIT */
/* Tests for sieve/sieve-parser: the syntactically interesting examples of
   RFC 5228 (section 9's extended example, if/elsif/else, test lists,
   comments, every argument kind) as whole trees with positions; tests as
   arguments of tests; each syntax error with its exact text and
   line:column; recovery reporting several errors in one run; the
   diagnostics limit; nesting at and past the limit for blocks, `not` and
   test lists; pathological depth; the script size limit; CRLF against LF;
   NULs, non-UTF-8 and huge strings; and multi-megabyte scripts in linear
   time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sieve/sieve-ast.h"
#include "util/alloc.h"
#include "util/buffer.h"

#define S(lit) lit, sizeof(lit) - 1

static void
dump_string(struct sift_buf *out, const struct sift_sieve_string *s)
{
	assert_int_equal(s->data[s->len], '\0');
	sift_buf_append_str(out, s->multiline ? "M\"" : "\"");
	for (size_t i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->data[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			sift_buf_append_c(out, (char)c);
		else
			sift_buf_printf(out, "\\x%02x", c);
	}
	sift_buf_printf(out, "\"@%u:%u", s->line, s->column);
}

/* One line per node: indent, name (name/AsWritten when they differ),
   @line:column, arguments.  A node's tests follow, indented, each
   prefixed by '?'; "(" and ")" lines enclose a test list; a block is
   "{" ... "}". */
static void
dump_node(struct sift_buf *out, const struct sift_sieve_node *n, int indent, const char *prefix)
{
	sift_buf_printf(out, "%*s%s%s", indent, "", prefix, n->name);
	if (strcmp(n->name, n->name_as_written) != 0)
		sift_buf_printf(out, "/%s", n->name_as_written);
	sift_buf_printf(out, "@%u:%u", n->line, n->column);
	for (size_t i = 0; i < n->nargs; i++) {
		const struct sift_sieve_arg *a = &n->args[i];
		sift_buf_append_c(out, ' ');
		switch (a->type) {
		case SIFT_SIEVE_ARG_NUMBER:
			sift_buf_printf(out, "%llu@%u:%u", (unsigned long long)a->number, a->line,
			                a->column);
			break;
		case SIFT_SIEVE_ARG_TAG:
			sift_buf_printf(out, ":%s@%u:%u", a->tag, a->line, a->column);
			break;
		case SIFT_SIEVE_ARG_STRING:
			assert_int_equal(a->list.count, 1);
			assert_int_equal(a->line, a->list.items[0].line);
			assert_int_equal(a->column, a->list.items[0].column);
			dump_string(out, &a->list.items[0]);
			break;
		case SIFT_SIEVE_ARG_STRING_LIST:
			assert_true(a->list.count >= 1);
			sift_buf_printf(out, "[@%u:%u", a->line, a->column);
			for (size_t j = 0; j < a->list.count; j++) {
				sift_buf_append_c(out, ' ');
				dump_string(out, &a->list.items[j]);
			}
			sift_buf_append_c(out, ']');
			break;
		}
	}
	sift_buf_append_c(out, '\n');
	if (n->test_list)
		sift_buf_printf(out, "%*s(\n", indent + 2, "");
	else
		assert_true(n->ntests <= 1);
	for (size_t i = 0; i < n->ntests; i++)
		dump_node(out, &n->tests[i], indent + (n->test_list ? 4 : 2), "?");
	if (n->test_list)
		sift_buf_printf(out, "%*s)\n", indent + 2, "");
	if (n->has_block) {
		sift_buf_printf(out, "%*s{\n", indent, "");
		for (size_t i = 0; i < n->nblock; i++)
			dump_node(out, &n->block[i], indent + 2, "");
		sift_buf_printf(out, "%*s}\n", indent, "");
	} else {
		assert_int_equal(n->nblock, 0);
	}
}

struct result {
	struct sift_buf tree; /* "NULL" when the parser returned NULL */
	struct sift_buf diags;
	size_t errors;
};

static void
parse_into(const char *in, size_t len, const struct sift_sieve_parse_limits *limits,
           size_t diag_max, struct result *r)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_diags diags;

	sift_buf_init(&r->tree, 0);
	sift_buf_init(&r->diags, 0);
	sift_diags_init(&diags);
	if (diag_max != 0)
		diags.max = diag_max;
	struct sift_sieve_script *script = sift_sieve_parse(arena, in, len, limits, &diags);
	if (script == NULL) {
		sift_buf_append_str(&r->tree, "NULL");
		assert_true(diags.errors > 0);
	} else {
		assert_int_equal(diags.errors, 0);
		for (size_t i = 0; i < script->ncommands; i++)
			dump_node(&r->tree, &script->commands[i], 0, "");
	}
	for (size_t i = 0; i < diags.count; i++) {
		const struct sift_diag *d = &diags.items[i];
		sift_buf_printf(&r->diags, "%u:%u: %s: %s\n", d->line, d->column,
		                sift_severity_name(d->severity), d->text);
	}
	r->errors = diags.errors;
	sift_diags_free(&diags);
	sift_arena_destroy(&arena);
}

static void
result_free(struct result *r)
{
	sift_buf_free(&r->tree);
	sift_buf_free(&r->diags);
}

static const char *
text_of(const struct sift_buf *b)
{
	return b->len == 0 ? "" : b->data;
}

static void
check_parse(const char *in, size_t len, const struct sift_sieve_parse_limits *limits,
            const char *want_tree, const char *want_diags)
{
	struct result r;

	parse_into(in, len, limits, 0, &r);
	if (strcmp(text_of(&r.tree), want_tree) != 0)
		print_error("tree:\n%s\ndiags:\n%s", text_of(&r.tree), text_of(&r.diags));
	assert_string_equal(text_of(&r.tree), want_tree);
	assert_string_equal(text_of(&r.diags), want_diags);
	result_free(&r);
}

/* A valid script and its tree. */
#define TREE(in, tree) check_parse(S(in), NULL, tree, "")
/* An invalid script and its diagnostics. */
#define ERRORS(in, diags) check_parse(S(in), NULL, "NULL", diags)

static void
test_parse_empty(void **state)
{
	TREE("", "");
	check_parse(NULL, 0, NULL, "", "");
	TREE("  \r\n\t\n", "");
}

static void
test_parse_only_comments(void **state)
{
	TREE("# one\r\n/* two\r\n */ # three", "");
}

/* RFC 5228 section 9, verbatim (CRLF line ends). */
static const char rfc5228_section9[] =
    "#\r\n"
    "# Example Sieve Filter\r\n"
    "# Declare any optional features or extension used by the script\r\n"
    "#\r\n"
    "require [\"fileinto\"];\r\n"
    "\r\n"
    "#\r\n"
    "# Handle messages from known mailing lists\r\n"
    "# Move messages from IETF filter discussion list to filter mailbox\r\n"
    "#\r\n"
    "if header :is \"Sender\" \"owner-ietf-mta-filters@imc.org\"\r\n"
    "        {\r\n"
    "        fileinto \"filter\";  # move to \"filter\" mailbox\r\n"
    "        }\r\n"
    "#\r\n"
    "# Keep all messages to or from people in my company\r\n"
    "#\r\n"
    "elsif address :DOMAIN :is [\"From\", \"To\"] \"example.com\"\r\n"
    "        {\r\n"
    "        keep;               # keep in \"In\" mailbox\r\n"
    "        }\r\n"
    "\r\n"
    "#\r\n"
    "# Try and catch unsolicited email.  If a message is not to me,\r\n"
    "# or it contains a subject known to be spam, file it away.\r\n"
    "#\r\n"
    "elsif anyof (NOT address :all :contains\r\n"
    "               [\"To\", \"Cc\", \"Bcc\"] \"me@example.com\",\r\n"
    "             header :matches \"subject\"\r\n"
    "               [\"*make*money*fast*\", \"*university*dipl*mas*\"])\r\n"
    "        {\r\n"
    "        fileinto \"spam\";   # move to \"spam\" mailbox\r\n"
    "        }\r\n"
    "else\r\n"
    "        {\r\n"
    "        # Move all other (non-company) mail to \"personal\"\r\n"
    "        # mailbox.\r\n"
    "        fileinto \"personal\";\r\n"
    "        }\r\n";

static const char rfc5228_section9_tree[] =
    "require@5:1 [@5:9 \"fileinto\"@5:10]\n"
    "if@11:1\n"
    "  ?header@11:4 :is@11:11 \"Sender\"@11:15 \"owner-ietf-mta-filters@imc.org\"@11:24\n"
    "{\n"
    "  fileinto@13:9 \"filter\"@13:18\n"
    "}\n"
    "elsif@18:1\n"
    "  ?address@18:7 :domain@18:15 :is@18:23 [@18:27 \"From\"@18:28 \"To\"@18:36] "
    "\"example.com\"@18:42\n"
    "{\n"
    "  keep@20:9\n"
    "}\n"
    "elsif@27:1\n"
    "  ?anyof@27:7\n"
    "    (\n"
    "      ?not/NOT@27:14\n"
    "        ?address@27:18 :all@27:26 :contains@27:31 [@28:16 \"To\"@28:17 \"Cc\"@28:23 "
    "\"Bcc\"@28:29] \"me@example.com\"@28:36\n"
    "      ?header@29:14 :matches@29:21 \"subject\"@29:30 [@30:16 "
    "\"*make*money*fast*\"@30:17 \"*university*dipl*mas*\"@30:38]\n"
    "    )\n"
    "{\n"
    "  fileinto@32:9 \"spam\"@32:18\n"
    "}\n"
    "else@34:1\n"
    "{\n"
    "  fileinto@38:9 \"personal\"@38:18\n"
    "}\n";

static void
test_parse_rfc5228_extended_example(void **state)
{
	/* The RFC writes ":DOMAIN" and "NOT" in capitals: both fold. */
	check_parse(rfc5228_section9, sizeof(rfc5228_section9) - 1, NULL, rfc5228_section9_tree,
	            "");
}

static void
test_parse_lf_same_as_crlf(void **state)
{
	/* The same script with bare LF: the same tree, the same positions. */
	char lf[sizeof(rfc5228_section9)];
	size_t n = 0;
	for (size_t i = 0; i + 1 < sizeof(rfc5228_section9); i++) {
		if (rfc5228_section9[i] != '\r')
			lf[n++] = rfc5228_section9[i];
	}
	check_parse(lf, n, NULL, rfc5228_section9_tree, "");
}

static void
test_parse_rfc3028_reject_example(void **state)
{
	/* The RFC 3028 version of the example has a text: string with its
	   dot-stuffed ".... Fred". */
	TREE("if size :over 1M\n"
	     "        {\n"
	     "        reject text:\n"
	     "Please do not send me large attachments.\n"
	     "Put your file on a server and send me the URL.\n"
	     "Thank you.\n"
	     ".... Fred\n"
	     ".\n"
	     ";\n"
	     "        stop;\n"
	     "        }\n",
	     "if@1:1\n"
	     "  ?size@1:4 :over@1:9 1048576@1:15\n"
	     "{\n"
	     "  reject@3:9 M\"Please do not send me large attachments.\\x0d\\x0a"
	     "Put your file on a server and send me the URL.\\x0d\\x0aThank you.\\x0d\\x0a"
	     "... Fred\\x0d\\x0a\"@3:16\n"
	     "  stop@10:9\n"
	     "}\n");
}

static void
test_parse_rfc5228_control_examples(void **state)
{
	/* Section 3.1. */
	TREE("require \"fileinto\";\n"
	     "if header :contains \"from\" \"coyote\" {\n"
	     "   discard;\n"
	     "} elsif header :contains [\"subject\"] [\"$$$\"] {\n"
	     "   discard;\n"
	     "} else {\n"
	     "   fileinto \"INBOX\";\n"
	     "}\n",
	     "require@1:1 \"fileinto\"@1:9\n"
	     "if@2:1\n"
	     "  ?header@2:4 :contains@2:11 \"from\"@2:21 \"coyote\"@2:28\n"
	     "{\n"
	     "  discard@3:4\n"
	     "}\n"
	     "elsif@4:3\n"
	     "  ?header@4:9 :contains@4:16 [@4:26 \"subject\"@4:27] [@4:38 \"$$$\"@4:39]\n"
	     "{\n"
	     "  discard@5:4\n"
	     "}\n"
	     "else@6:3\n"
	     "{\n"
	     "  fileinto@7:4 \"INBOX\"@7:13\n"
	     "}\n");
	/* Sections 3.2 and 4.3. */
	TREE("require [\"fileinto\", \"reject\"];\nrequire \"fileinto\";\nrequire \"vacation\";",
	     "require@1:1 [@1:9 \"fileinto\"@1:10 \"reject\"@1:22]\n"
	     "require@2:1 \"fileinto\"@2:9\n"
	     "require@3:1 \"vacation\"@3:9\n");
	TREE("if size :under 1M { keep; } else { discard; }",
	     "if@1:1\n"
	     "  ?size@1:4 :under@1:9 1048576@1:16\n"
	     "{\n"
	     "  keep@1:21\n"
	     "}\n"
	     "else@1:29\n"
	     "{\n"
	     "  discard@1:36\n"
	     "}\n");
	TREE("if not size :under 1M { discard; }", "if@1:1\n"
	                                           "  ?not@1:4\n"
	                                           "    ?size@1:8 :under@1:13 1048576@1:20\n"
	                                           "{\n"
	                                           "  discard@1:25\n"
	                                           "}\n");
	/* Section 4.2. */
	TREE("redirect \"bart@example.com\";", "redirect@1:1 \"bart@example.com\"@1:10\n");
}

static void
test_parse_rfc5228_test_examples(void **state)
{
	/* Section 2.5.1. */
	TREE("if anyof (not exists [\"From\", \"Date\"],\n"
	     "          header :contains \"from\" \"fool@example.com\") {\n"
	     "   discard;\n"
	     "}\n",
	     "if@1:1\n"
	     "  ?anyof@1:4\n"
	     "    (\n"
	     "      ?not@1:11\n"
	     "        ?exists@1:15 [@1:22 \"From\"@1:23 \"Date\"@1:31]\n"
	     "      ?header@2:11 :contains@2:18 \"from\"@2:28 \"fool@example.com\"@2:35\n"
	     "    )\n"
	     "{\n"
	     "  discard@3:4\n"
	     "}\n");
	/* Section 2.7.3. */
	TREE("if header :contains :comparator \"i;octet\" \"Subject\"\n"
	     "      \"MAKE MONEY FAST\" {\n"
	     "   discard;\n"
	     "}\n",
	     "if@1:1\n"
	     "  ?header@1:4 :contains@1:11 :comparator@1:21 \"i;octet\"@1:33 \"Subject\"@1:43 "
	     "\"MAKE MONEY FAST\"@2:7\n"
	     "{\n"
	     "  discard@3:4\n"
	     "}\n");
	/* Sections 2.4.2.4, 5.1 and 5.4. */
	TREE("require \"encoded-character\";\n"
	     "if header :contains \"Subject\" \"$${hex:24 24}\" { discard; }\n"
	     "if address :is :all \"from\" \"tim@example.com\" { discard; }\n"
	     "if envelope :all :is \"from\" \"tim@example.com\" { discard; }\n",
	     "require@1:1 \"encoded-character\"@1:9\n"
	     "if@2:1\n"
	     "  ?header@2:4 :contains@2:11 \"Subject\"@2:21 \"$${hex:24 24}\"@2:31\n"
	     "{\n"
	     "  discard@2:49\n"
	     "}\n"
	     "if@3:1\n"
	     "  ?address@3:4 :is@3:12 :all@3:16 \"from\"@3:21 \"tim@example.com\"@3:28\n"
	     "{\n"
	     "  discard@3:48\n"
	     "}\n"
	     "if@4:1\n"
	     "  ?envelope@4:4 :all@4:13 :is@4:18 \"from\"@4:22 \"tim@example.com\"@4:29\n"
	     "{\n"
	     "  discard@4:49\n"
	     "}\n");
}

static void
test_parse_rfc5228_comment_examples(void **state)
{
	/* Section 2.3: both comment examples. */
	TREE("if size :over 100k { # this is a comment\n   discard;\n}\n"
	     "if size :over 100K { /* this is a comment\n"
	     "   this is still a comment */ discard /* this is a comment\n"
	     "   */ ;\n}\n",
	     "if@1:1\n"
	     "  ?size@1:4 :over@1:9 102400@1:15\n"
	     "{\n"
	     "  discard@2:4\n"
	     "}\n"
	     "if@4:1\n"
	     "  ?size@4:4 :over@4:9 102400@4:15\n"
	     "{\n"
	     "  discard@5:31\n"
	     "}\n");
}

static void
test_parse_tests_inside_tests(void **state)
{
	/* A test's arguments may end in a test or a test list. */
	TREE("if allof(not exists \"x\", true) { keep; }", "if@1:1\n"
	                                                   "  ?allof@1:4\n"
	                                                   "    (\n"
	                                                   "      ?not@1:10\n"
	                                                   "        ?exists@1:14 \"x\"@1:21\n"
	                                                   "      ?true@1:26\n"
	                                                   "    )\n"
	                                                   "{\n"
	                                                   "  keep@1:34\n"
	                                                   "}\n");
	TREE("if not anyof(false, not not true) {}", "if@1:1\n"
	                                             "  ?not@1:4\n"
	                                             "    ?anyof@1:8\n"
	                                             "      (\n"
	                                             "        ?false@1:14\n"
	                                             "        ?not@1:21\n"
	                                             "          ?not@1:25\n"
	                                             "            ?true@1:29\n"
	                                             "      )\n"
	                                             "{\n"
	                                             "}\n");
	/* Arguments before the test, a one-test list, an empty block. */
	TREE("foo :a 1 \"s\" [\"l\"] bar (baz) {}",
	     "foo@1:1 :a@1:5 1@1:8 \"s\"@1:10 [@1:14 \"l\"@1:15]\n"
	     "  ?bar@1:20\n"
	     "    (\n"
	     "      ?baz@1:25\n"
	     "    )\n"
	     "{\n"
	     "}\n");
	/* Syntax allows a test on any command and a block without a test;
	   the validator judges. */
	TREE("keep true; else { stop; }", "keep@1:1\n"
	                                  "  ?true@1:6\n"
	                                  "else@1:12\n"
	                                  "{\n"
	                                  "  stop@1:19\n"
	                                  "}\n");
}

static void
test_parse_argument_kinds(void **state)
{
	/* Numbers with quantifiers, tags in lower case, a text: string in a
	   list, single strings with their own positions. */
	TREE("x 0 10K 2m 1G :OVER [\"a\", text:\nb\n.\n, \"c\"] \"d\";",
	     "x@1:1 0@1:3 10240@1:5 2097152@1:9 1073741824@1:12 :over@1:15 [@1:21 \"a\"@1:22 "
	     "M\"b\\x0d\\x0a\"@1:27 \"c\"@4:3] \"d\"@4:8\n");
	TREE("n 18446744073709551615;", "n@1:1 18446744073709551615@1:3\n");
	/* Identifiers fold to lower case; the spelling is kept. */
	TREE("IF TRUE { KeEp; }", "if/IF@1:1\n"
	                          "  ?true/TRUE@1:4\n"
	                          "{\n"
	                          "  keep/KeEp@1:11\n"
	                          "}\n");
}

static void
test_parse_strings(void **state)
{
	/* Non-UTF-8 bytes are kept; escapes and line ends are decoded. */
	TREE("fileinto \"\xff\xfe\x80\" \"a\\\\b\\\"c\\d\" \"x\ny\";",
	     "fileinto@1:1 \"\\xff\\xfe\\x80\"@1:10 \"a\\x5cb\\x22cd\"@1:16 "
	     "\"x\\x0d\\x0ay\"@1:28\n");
}

static void
test_parse_error_missing_semicolon(void **state)
{
	ERRORS("keep", "1:5: error: expected ';' or '{' after command 'keep'\n");
	ERRORS("if true {\n  Keep\n}\n", "3:1: error: expected ';' or '{' after command 'Keep'\n");
	ERRORS("stop \"x\" :tag 3 ]", "1:17: error: unexpected ']'\n");
}

static void
test_parse_error_unexpected(void **state)
{
	ERRORS("if true ) { keep; }", "1:9: error: unexpected ')'\n");
	ERRORS("keep;\n}\n", "2:1: error: unexpected '}'\n");
	ERRORS(", keep;", "1:1: error: unexpected ','\n");
	ERRORS("\"s\";", "1:1: error: expected command, found string\n");
	ERRORS(":tag;", "1:1: error: expected command, found tag ':tag'\n");
	ERRORS("12;", "1:1: error: expected command, found number\n");
	ERRORS("{ keep; }", "1:1: error: expected command, found '{'\n");
	ERRORS("if true { ; }", "1:11: error: expected command, found ';'\n");
	ERRORS("text:\nabc\n.\n;", "1:1: error: expected command, found multi-line string\n");
}

static void
test_parse_error_string_lists(void **state)
{
	/* RFC 5228 8.2: a string list has at least one string. */
	ERRORS("exists [];", "1:8: error: empty string list\n");
	ERRORS("exists [\"a\",];", "1:13: error: expected string in string list, found ']'\n");
	ERRORS("exists [\"a\" \"b\"];",
	       "1:13: error: expected ',' or ']' in string list, found string\n");
	ERRORS("exists [1];", "1:9: error: expected string in string list, found number\n");
	ERRORS("exists [\"a\";", "1:12: error: expected ',' or ']' in string list, found ';'\n");
	ERRORS("exists [[\"a\"]];", "1:9: error: expected string in string list, found '['\n");
}

static void
test_parse_error_test_lists(void **state)
{
	ERRORS("if anyof() {}", "1:10: error: expected test, found ')'\n");
	ERRORS("if anyof(true,) {}", "1:15: error: expected test, found ')'\n");
	ERRORS("if anyof(\"x\") {}", "1:10: error: expected test, found string\n");
	ERRORS("if anyof(true ]) {}", "1:15: error: expected ',' or ')' after test 'true'\n");
	ERRORS("if anyof(true {}", "1:15: error: expected ',' or ')' after test 'true'\n");
	ERRORS("if anyof(true", "1:14: error: expected ',' or ')' after test 'true'\n");
	/* Only one test or test list, then ';' or a block.  (In "if true
	   (false)" the list would belong to "true", which is syntax.) */
	ERRORS("if (true) (false) {}", "1:11: error: expected ';' or '{' after command 'if'\n");
	ERRORS("if (true) \"x\" {}", "1:11: error: expected ';' or '{' after command 'if'\n");
}

static void
test_parse_error_braces(void **state)
{
	ERRORS("if true {\n  keep;\n", "3:1: error: expected '}' before end of script\n"
	                               "1:9: note: to match this '{'\n");
	ERRORS("if true { if false {\n  keep; }", "2:10: error: expected '}' before end of script\n"
	                                          "1:9: note: to match this '{'\n");
	ERRORS("if true { keep; } }", "1:19: error: unexpected '}'\n");
}

static void
test_parse_error_lexical(void **state)
{
	/* Lexical errors come from the lexer; the parser adds nothing after
	   an unterminated string or comment. */
	ERRORS("if true {\n  fileinto \"abc;\n}\n", "2:12: error: unterminated string\n");
	ERRORS("if true { /* keep; }", "1:11: error: unterminated comment\n");
	ERRORS("reject text:\nabc\n", "1:8: error: unterminated multi-line string\n");
	/* A number too large is reported once, parsing goes on. */
	ERRORS("if size :over 99999999999999999999 { keep }",
	       "1:15: error: number too large\n"
	       "1:43: error: expected ';' or '{' after command 'keep'\n");
	/* Stray bytes too. */
	ERRORS("keep @;\nstop;", "1:6: error: unexpected character '@'\n");
}

static void
test_parse_error_nul(void **state)
{
	/* RFC 5228 2.1: NUL is never permitted (Pigeonhole refuses it too). */
	ERRORS("fileinto \"a\0b\";", "1:12: error: NUL character in script\n");
	ERRORS("keep;\0", "1:6: error: NUL character in script\n");
	ERRORS("keep; # \0\n", "1:9: error: NUL character in script\n");
}

static void
test_parse_recovery_several_errors(void **state)
{
	/* Each error drops its command only: later ones are still parsed
	   and checked, inside and outside blocks. */
	ERRORS("keep }\n"
	       "if true ) { keep; }\n"
	       "fileinto [\"a\" \"b\"];\n"
	       "if anyof(true; keep;\n"
	       "if true {\n"
	       "  stop \"x\" ] ;\n"
	       "  if exists [] { discard; }\n"
	       "  keep\n"
	       "}\n"
	       "redirect 1 2 3 4 , ;\n"
	       "keep;\n",
	       "1:6: error: expected ';' or '{' after command 'keep'\n"
	       "1:6: error: unexpected '}'\n"
	       "2:9: error: unexpected ')'\n"
	       "3:15: error: expected ',' or ']' in string list, found string\n"
	       "4:14: error: expected ',' or ')' after test 'true'\n"
	       "6:12: error: unexpected ']'\n"
	       "7:13: error: empty string list\n"
	       "9:1: error: expected ';' or '{' after command 'keep'\n"
	       "10:18: error: unexpected ','\n");
}

static void
test_parse_recovery_skips_block(void **state)
{
	/* A broken command's block goes with it, braces balanced, and a
	   stray '}' of the enclosing block still closes it. */
	ERRORS("if exists \"a\" ] { if true { \"x\"; } }\n"
	       "elsif true { \"y\" }\n"
	       "keep;",
	       "1:15: error: unexpected ']'\n"
	       "2:14: error: expected command, found string\n");
}

static void
test_parse_diags_limit(void **state)
{
	/* 1000 errors, a list that holds 10: the parser stops once the
	   list is full, and the list says so. */
	char in[4000];
	for (size_t i = 0; i < 1000; i++)
		memcpy(in + 3 * i, ");\n", 3);

	struct result r;
	parse_into(in, 3000, NULL, 10, &r);
	assert_string_equal(text_of(&r.tree), "NULL");
	assert_string_equal(text_of(&r.diags), "1:1: error: unexpected ')'\n"
	                                       "2:1: error: unexpected ')'\n"
	                                       "3:1: error: unexpected ')'\n"
	                                       "4:1: error: unexpected ')'\n"
	                                       "5:1: error: unexpected ')'\n"
	                                       "6:1: error: unexpected ')'\n"
	                                       "7:1: error: unexpected ')'\n"
	                                       "8:1: error: unexpected ')'\n"
	                                       "9:1: error: unexpected ')'\n"
	                                       "10:1: error: unexpected ')'\n"
	                                       "0:0: note: too many diagnostics; the rest are "
	                                       "not shown\n");
	assert_int_equal(r.errors, 11);
	result_free(&r);
}

/* "if true {" n times, "keep;", "}" n times. */
static struct sift_buf
nested_blocks(unsigned int n)
{
	struct sift_buf b;
	sift_buf_init(&b, 0);
	for (unsigned int i = 0; i < n; i++)
		sift_buf_append_str(&b, "if true {\n");
	sift_buf_append_str(&b, "keep;");
	for (unsigned int i = 0; i < n; i++)
		sift_buf_append_c(&b, '}');
	return b;
}

/* "if" + n times "not" + "true {}", or n times "anyof(" + "true" + n ")". */
static struct sift_buf
nested_tests(unsigned int n, bool lists)
{
	struct sift_buf b;
	sift_buf_init(&b, 0);
	sift_buf_append_str(&b, "if");
	for (unsigned int i = 0; i < n; i++)
		sift_buf_append_str(&b, lists ? " anyof(" : " not");
	sift_buf_append_str(&b, " true");
	for (unsigned int i = 0; lists && i < n; i++)
		sift_buf_append_c(&b, ')');
	sift_buf_append_str(&b, " { keep; }\nstop;");
	return b;
}

static void
check_nesting(struct sift_buf in, const struct sift_sieve_parse_limits *limits,
              const char *want_diags)
{
	struct result r;
	parse_into(in.data, in.len, limits, 0, &r);
	assert_string_equal(text_of(&r.diags), want_diags);
	if (want_diags[0] == '\0')
		assert_string_not_equal(text_of(&r.tree), "NULL");
	else
		assert_string_equal(text_of(&r.tree), "NULL");
	result_free(&r);
	sift_buf_free(&in);
}

static void
test_parse_nesting_blocks(void **state)
{
	/* As Pigeonhole: top-level commands are level 1, so 31 nested blocks
	   are the most the default limit of 32 allows. */
	check_nesting(nested_blocks(31), NULL, "");
	check_nesting(nested_blocks(32), NULL, "32:9: error: nesting too deep (limit 32)\n");
	/* Past it by far: one error, the rest skipped in balance. */
	check_nesting(nested_blocks(40), NULL, "32:9: error: nesting too deep (limit 32)\n");
	/* RFC 5228 2.10.7: at least 15 levels of nested blocks. */
	check_nesting(nested_blocks(15), NULL, "");

	struct sift_sieve_parse_limits limits = {.max_nesting = 3};
	check_nesting(nested_blocks(2), &limits, "");
	check_nesting(nested_blocks(3), &limits, "3:9: error: nesting too deep (limit 3)\n");
}

static void
test_parse_nesting_not(void **state)
{
	/* The command's test is level 2, each `not` one more: 30 `not`s
	   and the `true` under them reach 32. */
	check_nesting(nested_tests(30, false), NULL, "");
	check_nesting(nested_tests(31, false), NULL, "1:128: error: nesting too deep (limit 32)\n");

	struct sift_sieve_parse_limits limits = {.max_nesting = 3};
	check_nesting(nested_tests(1, false), &limits, "");
	check_nesting(nested_tests(2, false), &limits, "1:12: error: nesting too deep (limit 3)\n");
}

static void
test_parse_nesting_test_lists(void **state)
{
	/* RFC 5228 2.10.7: at least 15 levels of nested test lists. */
	check_nesting(nested_tests(15, true), NULL, "");
	check_nesting(nested_tests(30, true), NULL, "");
	check_nesting(nested_tests(31, true), NULL, "1:221: error: nesting too deep (limit 32)\n");
}

static void
test_parse_nesting_pathological(void **state)
{
	/* A megabyte of "if true {", of '{', of "anyof(" and of "not": one
	   error each (and the missing '}'), in linear time, no recursion. */
	size_t n = 1u << 20;
	char *in = sift_malloc(n + 32);
	struct result r;
	clock_t t0 = clock();

	size_t len = 0;
	for (unsigned int i = 0; i < 100000; i++, len += 9)
		memcpy(in + len, "if true {", 9);
	parse_into(in, len, NULL, 0, &r);
	assert_string_equal(text_of(&r.diags), "1:288: error: nesting too deep (limit 32)\n"
	                                       "1:900001: error: expected '}' before end of "
	                                       "script\n"
	                                       "1:279: note: to match this '{'\n");
	result_free(&r);

	/* '{' cannot start a command: the skip over the rest counts them. */
	memcpy(in, "if true ", 8);
	memset(in + 8, '{', n);
	parse_into(in, n + 8, NULL, 0, &r);
	assert_string_equal(text_of(&r.diags), "1:10: error: expected command, found '{'\n"
	                                       "1:1048585: error: expected '}' before end of "
	                                       "script\n"
	                                       "1:9: note: to match this '{'\n");
	result_free(&r);

	len = 3;
	memcpy(in, "if ", 3);
	for (; len + 6 <= n; len += 6)
		memcpy(in + len, "anyof(", 6);
	parse_into(in, len, NULL, 0, &r);
	assert_string_equal(text_of(&r.diags), "1:190: error: nesting too deep (limit 32)\n");
	result_free(&r);

	len = 3;
	for (; len + 4 <= n; len += 4)
		memcpy(in + len, "not ", 4);
	parse_into(in, len, NULL, 0, &r);
	assert_string_equal(text_of(&r.diags), "1:128: error: nesting too deep (limit 32)\n");
	result_free(&r);

	/* 100 000 levels under a huge limit: still no recursion; every test
	   ends up where it belongs. */
	struct sift_sieve_parse_limits limits = {.max_nesting = 4000000};
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_diags diags;
	len = 3;
	for (unsigned int i = 0; i < 100000; i++, len += 4)
		memcpy(in + len, "not ", 4);
	memcpy(in + len, "true {}", 7);
	len += 7;
	sift_diags_init(&diags);
	struct sift_sieve_script *script = sift_sieve_parse(arena, in, len, &limits, &diags);
	assert_non_null(script);
	assert_int_equal(script->ncommands, 1);
	const struct sift_sieve_node *node = &script->commands[0];
	for (unsigned int i = 0; i < 100000; i++) {
		assert_int_equal(node->ntests, 1);
		node = &node->tests[0];
		assert_string_equal(node->name, "not");
		assert_int_equal(node->column, 4 + 4 * i);
	}
	assert_int_equal(node->ntests, 1);
	assert_string_equal(node->tests[0].name, "true");
	assert_int_equal(node->tests[0].ntests, 0);
	sift_diags_free(&diags);
	sift_arena_destroy(&arena);

	sift_free(in);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 10.0);
}

static void
test_parse_script_too_large(void **state)
{
	struct sift_sieve_parse_limits limits = {.max_script_bytes = 5};
	check_parse(S("keep;"), &limits, "keep@1:1\n", "");
	check_parse(S("stop; "), &limits, "NULL",
	            "0:0: error: script too large (6 bytes, limit 5)\n");
}

static void
test_parse_huge_script(void **state)
{
	/* About 4 MB: 100 000 commands with strings and nested tests, plus a
	   2 MB string.  Linear: well under a second even with sanitizers. */
	struct sift_buf b;
	size_t len;
	sift_buf_init(&b, 0);
	for (unsigned int i = 0; i < 100000; i++)
		sift_buf_printf(&b,
		                "if anyof(header :is \"x-%u\" \"v\", not true) { fileinto "
		                "\"f\"; }\n",
		                i);
	sift_buf_append_str(&b, "reject \"");
	for (unsigned int i = 0; i < (2u << 20) / 8; i++)
		sift_buf_append_str(&b, "0123456\n");
	sift_buf_append_str(&b, "\";\n");
	char *in = sift_buf_steal(&b, &len);
	assert_true(len > (6u << 20));

	struct sift_arena *arena = sift_arena_create(0);
	struct sift_diags diags;
	sift_diags_init(&diags);
	clock_t t0 = clock();
	struct sift_sieve_script *script = sift_sieve_parse(arena, in, len, NULL, &diags);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;

	assert_non_null(script);
	assert_int_equal(diags.count, 0);
	assert_int_equal(script->ncommands, 100001);
	const struct sift_sieve_node *last_if = &script->commands[99999];
	assert_int_equal(last_if->line, 100000);
	assert_string_equal(last_if->tests[0].tests[0].args[1].list.items[0].data, "x-99999");
	const struct sift_sieve_node *reject = &script->commands[100000];
	assert_int_equal(reject->line, 100001);
	assert_int_equal(reject->args[0].list.items[0].len, (2u << 20) / 8 * 9);
	assert_true(secs < 5.0);
	sift_diags_free(&diags);
	sift_arena_destroy(&arena);
	sift_free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_empty),
	    cmocka_unit_test(test_parse_only_comments),
	    cmocka_unit_test(test_parse_rfc5228_extended_example),
	    cmocka_unit_test(test_parse_lf_same_as_crlf),
	    cmocka_unit_test(test_parse_rfc3028_reject_example),
	    cmocka_unit_test(test_parse_rfc5228_control_examples),
	    cmocka_unit_test(test_parse_rfc5228_test_examples),
	    cmocka_unit_test(test_parse_rfc5228_comment_examples),
	    cmocka_unit_test(test_parse_tests_inside_tests),
	    cmocka_unit_test(test_parse_argument_kinds),
	    cmocka_unit_test(test_parse_strings),
	    cmocka_unit_test(test_parse_error_missing_semicolon),
	    cmocka_unit_test(test_parse_error_unexpected),
	    cmocka_unit_test(test_parse_error_string_lists),
	    cmocka_unit_test(test_parse_error_test_lists),
	    cmocka_unit_test(test_parse_error_braces),
	    cmocka_unit_test(test_parse_error_lexical),
	    cmocka_unit_test(test_parse_error_nul),
	    cmocka_unit_test(test_parse_recovery_several_errors),
	    cmocka_unit_test(test_parse_recovery_skips_block),
	    cmocka_unit_test(test_parse_diags_limit),
	    cmocka_unit_test(test_parse_nesting_blocks),
	    cmocka_unit_test(test_parse_nesting_not),
	    cmocka_unit_test(test_parse_nesting_test_lists),
	    cmocka_unit_test(test_parse_nesting_pathological),
	    cmocka_unit_test(test_parse_script_too_large),
	    cmocka_unit_test(test_parse_huge_script),
	};
	return cmocka_run_group_tests_name("sieve-parser", tests, NULL, NULL);
}
