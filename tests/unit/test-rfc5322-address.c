/* SPDX-License-Identifier: MIT */
/* Unit tests for mail/rfc5322-address.c: the examples of RFC 5322
   Appendix A (A.1.1-A.1.3, A.2, A.5, A.6.1, A.6.3), obsolete syntax,
   recovery from broken entries, hostile input (10 000 addresses, 1 MB of
   '(', unterminated quotes, NUL and 8-bit bytes), addr-spec re-quoting and
   RFC 5233 subaddresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/defects.h"
#include "mail/rfc5322-address.h"
#include "util/alloc.h"
#include "util/arena.h"

/* One expected entry; NULL display/domain/group mean "none". */
struct exp {
	const char *display;
	const char *local;
	const char *domain;
	const char *group;
	bool invalid;
};

#define BAD SIFT_DEFECT_BAD_ADDRESS

static void
check_field(const char *what, size_t i, const char *got, size_t got_len, const char *want,
            size_t want_len)
{
	if (want == NULL) {
		if (got != NULL)
			fail_msg("entry %zu: %s is \"%.*s\", want none", i, what, (int)got_len,
			         got);
		return;
	}
	if (got == NULL)
		fail_msg("entry %zu: %s is none, want \"%s\"", i, what, want);
	if (got_len != want_len || memcmp(got, want, want_len) != 0)
		fail_msg("entry %zu: %s is \"%.*s\" (%zu), want \"%s\" (%zu)", i, what,
		         (int)got_len, got, got_len, want, want_len);
	/* Arena strings carry a NUL after their length. */
	assert_int_equal(got[got_len], '\0');
}

/* Parses in[0..len) and compares with exp[0..n) and the defect set. */
static void
check_len(const char *in, size_t len, size_t max, const struct exp *exp, size_t n,
          uint32_t want_defects)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_address *list = (void *)1;
	uint32_t defects = 0;
	size_t count = sift_address_parse_list(arena, in, len, max, &list, &defects);

	if (count != n)
		fail_msg("\"%.*s\": %zu entries, want %zu", (int)len, in, count, n);
	size_t i = 0;
	for (struct sift_address *a = list; a != NULL; a = a->next, i++) {
		assert_true(i < n);
		check_field("display_name", i, a->display_name, a->display_name_len, exp[i].display,
		            exp[i].display ? strlen(exp[i].display) : 0);
		check_field("local_part", i, a->local_part, a->local_part_len, exp[i].local,
		            strlen(exp[i].local));
		check_field("domain", i, a->domain, a->domain_len, exp[i].domain,
		            exp[i].domain ? strlen(exp[i].domain) : 0);
		if (exp[i].group == NULL)
			assert_null(a->group);
		else
			assert_string_equal(a->group, exp[i].group);
		assert_int_equal(a->invalid, exp[i].invalid);
	}
	assert_int_equal(i, n);
	if (n == 0)
		assert_null(list);
	if (defects != want_defects)
		fail_msg("\"%.*s\": defects %#x, want %#x", (int)len, in, defects, want_defects);
	sift_arena_destroy(&arena);
}

#define CHECK(in, defects, ...)                                                                    \
	do {                                                                                       \
		static const struct exp e_[] = {__VA_ARGS__};                                      \
		check_len(in, strlen(in), 1000, e_, sizeof(e_) / sizeof(e_[0]), defects);          \
	} while (0)

#define CHECK_NONE(in, defects) check_len(in, strlen(in), 1000, NULL, 0, defects)

/* ---- RFC 5322 Appendix A --------------------------------------------------- */

static void
test_a1_1(void **state)
{
	CHECK("John Doe <jdoe@machine.example>", 0,
	      {"John Doe", "jdoe", "machine.example", NULL, false});
	CHECK("Michael Jones <mjones@machine.example>", 0,
	      {"Michael Jones", "mjones", "machine.example", NULL, false});
	CHECK(" Mary Smith <mary@example.net>", 0,
	      {"Mary Smith", "mary", "example.net", NULL, false});
}

static void
test_a1_2(void **state)
{
	CHECK("\"Joe Q. Public\" <john.q.public@example.com>", 0,
	      {"Joe Q. Public", "john.q.public", "example.com", NULL, false});
	CHECK("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>", 0,
	      {"Mary Smith", "mary", "x.test", NULL, false},
	      {NULL, "jdoe", "example.org", NULL, false}, {"Who?", "one", "y.test", NULL, false});
	CHECK("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>", 0,
	      {NULL, "boss", "nil.test", NULL, false},
	      {"Giant; \"Big\" Box", "sysservices", "example.net", NULL, false});
}

static void
test_a1_3_groups(void **state)
{
	CHECK("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;", 0,
	      {"Ed Jones", "c", "a.test", "A Group", false},
	      {NULL, "joe", "where.test", "A Group", false},
	      {"John", "jdoe", "one.test", "A Group", false});
	CHECK_NONE("Undisclosed recipients:;", 0);
	CHECK("Pete <pete@silly.example>", 0, {"Pete", "pete", "silly.example", NULL, false});
}

static void
test_a2_reply(void **state)
{
	CHECK("\"Mary Smith: Personal Account\" <smith@home.example>", 0,
	      {"Mary Smith: Personal Account", "smith", "home.example", NULL, false});
}

static void
test_a5_comments(void **state)
{
	CHECK("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", 0,
	      {"Pete", "pete", "silly.test", NULL, false});
	CHECK("A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
	      "         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of "
	      "the group)",
	      0, {"Chris Jones", "c", "public.example", "A Group", false},
	      {NULL, "joe", "example.org", "A Group", false},
	      {"John", "jdoe", "one.test", "A Group", false});
	CHECK_NONE("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;", 0);
}

static void
test_a6_1_obsolete(void **state)
{
	CHECK("Joe Q. Public <john.q.public@example.com>", 0,
	      {"Joe Q. Public", "john.q.public", "example.com", NULL, false});
	CHECK("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example", 0,
	      {"Mary Smith", "mary", "example.net", NULL, false},
	      {NULL, "jdoe", "test.example", NULL, false});
}

static void
test_a6_3_obsolete_ws(void **state)
{
	CHECK(" John Doe <jdoe@machine(comment).  example>", 0,
	      {"John Doe", "jdoe", "machine.example", NULL, false});
	CHECK(" Mary Smith\r\n  \r\n          <mary@example.net>", 0,
	      {"Mary Smith", "mary", "example.net", NULL, false});
}

/* ---- syntax corners ---------------------------------------------------------- */

static void
test_odd_but_valid(void **state)
{
	/* tests/messages/address-odd.eml */
	CHECK("\"Doe, John\" <\"john.q doe\"@example.com>", 0,
	      {"Doe, John", "john.q doe", "example.com", NULL, false});
	CHECK("<@relay1.example.net,@relay2.example.net:bob@example.org>,\r\n carol (Carol "
	      "Comment) @ example.net,\r\n Dave (the (nested) comment) <dave@example.net>",
	      0, {NULL, "bob", "example.org", NULL, false},
	      {NULL, "carol", "example.net", NULL, false},
	      {"Dave", "dave", "example.net", NULL, false});
	CHECK("\"eve\\\\x\"@example.com, frank.o'neil@example.org", 0,
	      {NULL, "eve\\x", "example.com", NULL, false},
	      {NULL, "frank.o'neil", "example.org", NULL, false});
}

static void
test_obs_local_part(void **state)
{
	CHECK("john . \"q doe\" (c) . public @ x.test", 0,
	      {NULL, "john.q doe.public", "x.test", NULL, false});
	CHECK("\"a\".\"b\"@x", 0, {NULL, "a.b", "x", NULL, false});
	CHECK("\"\"@x", 0, {NULL, "", "x", NULL, false});
	/* Empty words: kept as written, flagged. */
	CHECK("a..b@x, .c@x, d.@x", BAD, {NULL, "a..b", "x", NULL, false},
	      {NULL, ".c", "x", NULL, false}, {NULL, "d.", "x", NULL, false});
}

static void
test_domain_literal(void **state)
{
	CHECK("jdoe@[192.0.2.1], x@[ IPv6:2001:db8::1 ] (c)", 0,
	      {NULL, "jdoe", "[192.0.2.1]", NULL, false},
	      {NULL, "x", "[IPv6:2001:db8::1]", NULL, false});
	CHECK("Jo <jo@[10.0.0.1]>", 0, {"Jo", "jo", "[10.0.0.1]", NULL, false});
}

static void
test_obs_route(void **state)
{
	CHECK("<@a.test,@b.test:user@x.test>", 0, {NULL, "user", "x.test", NULL, false});
	CHECK("Route <,@a.test, ,@[1.2.3.4]:user@x.test>", 0,
	      {"Route", "user", "x.test", NULL, false});
	/* A route without its ':' is no address. */
	CHECK("<@a.test user@x.test>, ok@x", BAD, {NULL, "<@a.test user@x.test>", NULL, NULL, true},
	      {NULL, "ok", "x", NULL, false});
}

static void
test_commas(void **state)
{
	CHECK(",, a@x ,,, b@y ,", 0, {NULL, "a", "x", NULL, false}, {NULL, "b", "y", NULL, false});
	CHECK_NONE("", 0);
	CHECK_NONE(" , ,(c), ", 0);
	/* Missing commas. */
	CHECK("a@x b@y", BAD, {NULL, "a", "x", NULL, false}, {NULL, "b", "y", NULL, false});
	CHECK("<a@x><b@y> Name <c@z> d@w", BAD, {NULL, "a", "x", NULL, false},
	      {NULL, "b", "y", NULL, false}, {"Name", "c", "z", NULL, false},
	      {NULL, "d", "w", NULL, false});
}

static void
test_local_without_domain(void **state)
{
	CHECK("user", BAD, {NULL, "user", NULL, NULL, false});
	CHECK("MAILER-DAEMON, <postmaster>, a@x", BAD, {NULL, "MAILER-DAEMON", NULL, NULL, false},
	      {NULL, "postmaster", NULL, NULL, false}, {NULL, "a", "x", NULL, false});
	CHECK("Post Master <postmaster>", BAD, {"Post Master", "postmaster", NULL, NULL, false});
	CHECK("\"john doe\"", BAD, {NULL, "john doe", NULL, NULL, false});
}

static void
test_name_without_address(void **state)
{
	CHECK("John Doe", BAD, {NULL, "John Doe", NULL, NULL, true});
	CHECK("John Doe, a@x", BAD, {NULL, "John Doe", NULL, NULL, true},
	      {NULL, "a", "x", NULL, false});
	CHECK("Joe Doe@example.com, a@x", BAD, {NULL, "Joe Doe@example.com", NULL, NULL, true},
	      {NULL, "a", "x", NULL, false});
}

static void
test_addr_spec_as_name(void **state)
{
	CHECK("bob@example.org <bob@example.org>", BAD,
	      {"bob@example.org", "bob", "example.org", NULL, false});
}

static void
test_bad_entries(void **state)
{
	CHECK("<>, a@x", BAD, {NULL, "<>", NULL, NULL, true}, {NULL, "a", "x", NULL, false});
	CHECK("a@, @b, a@b., a@.b, c@d", BAD, {NULL, "a@", NULL, NULL, true},
	      {NULL, "@b", NULL, NULL, true}, {NULL, "a@b.", NULL, NULL, true},
	      {NULL, "a@.b", NULL, NULL, true}, {NULL, "c", "d", NULL, false});
	CHECK("John <a@x, c@d", BAD, {NULL, "John <a@x", NULL, NULL, true},
	      {NULL, "c", "d", NULL, false});
	CHECK("a@x>, c@d", BAD, {NULL, "a", "x", NULL, false}, {NULL, ">", NULL, NULL, true},
	      {NULL, "c", "d", NULL, false});
	CHECK("a) b@c, d@e", BAD, {NULL, "a) b@c", NULL, NULL, true},
	      {NULL, "d", "e", NULL, false});
	CHECK("a\\b@c, d@e", BAD, {NULL, "a\\b@c", NULL, NULL, true},
	      {NULL, "d", "e", NULL, false});
	/* After a literal the address is complete: what follows is the next. */
	CHECK("<a@b@c>, x@[a]b]", BAD, {NULL, "<a@b@c>", NULL, NULL, true},
	      {NULL, "x", "[a]", NULL, false}, {NULL, "b]", NULL, NULL, true});
}

static void
test_unbalanced(void **state)
{
	/* What is never closed runs to the end of the field. */
	CHECK("\"John <a@x>, c@d", BAD, {NULL, "\"John <a@x>, c@d", NULL, NULL, true});
	CHECK("ok@x, John (comment <a@x>, c@d", BAD, {NULL, "ok", "x", NULL, false},
	      {NULL, "John (comment <a@x>, c@d", NULL, NULL, true});
	CHECK("a@[1.2.3.4, c@d", BAD, {NULL, "a@[1.2.3.4, c@d", NULL, NULL, true});
	CHECK("\"abc\\", BAD, {NULL, "\"abc\\", NULL, NULL, true});
	CHECK("(\\", BAD, {NULL, "(\\", NULL, NULL, true});
	CHECK("John <john@exa", BAD, {NULL, "John <john@exa", NULL, NULL, true});
}

static void
test_groups(void **state)
{
	/* tests/messages/address-groups.eml */
	CHECK("Team: bob@example.org, \"Carol C.\" <carol@example.net>;, dave@example.net", 0,
	      {NULL, "bob", "example.org", "Team", false},
	      {"Carol C.", "carol", "example.net", "Team", false},
	      {NULL, "dave", "example.net", NULL, false});
	CHECK_NONE("undisclosed-recipients:;", 0);
	CHECK("G:;, a@x", 0, {NULL, "a", "x", NULL, false});
	/* Missing ';'. */
	CHECK_NONE("undisclosed-recipients:", BAD);
	CHECK("G: a@x, b@y", BAD, {NULL, "a", "x", "G", false}, {NULL, "b", "y", "G", false});
	/* No nested groups; the bad entry stays in its group. */
	CHECK("A: B: c@d;, e@f", BAD, {NULL, "B: c@d", NULL, "A", true},
	      {NULL, "e", "f", NULL, false});
	CHECK("G: bad bad; e@f", BAD, {NULL, "bad bad", NULL, "G", true},
	      {NULL, "e", "f", NULL, false});
	/* Stray ';' and ':' without a name. */
	CHECK("a@x; b@y", BAD, {NULL, "a", "x", NULL, false}, {NULL, "b", "y", NULL, false});
	CHECK(": a@x, b@y", BAD, {NULL, ": a@x", NULL, NULL, true}, {NULL, "b", "y", NULL, false});
	CHECK("\"The  Team\" (x) : a@x;", 0, {NULL, "a", "x", "The Team", false});
}

static void
test_display_names(void **state)
{
	CHECK("\"John \t  Doe\"   Smith (c)Jr <a@x>", 0,
	      {"John Doe Smith Jr", "a", "x", NULL, false});
	CHECK("Dr. J. R. \"Bob\" Dobbs <bob@x>", 0,
	      {"Dr. J. R. Bob Dobbs", "bob", "x", NULL, false});
	CHECK("\"\" <a@x>", 0, {NULL, "a", "x", NULL, false});
	CHECK("\"  \" <a@x>", 0, {NULL, "a", "x", NULL, false});
}

static void
test_rfc2047_names(void **state)
{
	CHECK("=?UTF-8?B?SsO8cmdlbg==?= =?UTF-8?Q?_M=C3=BCller?= <j@x>", 0,
	      {"J\xc3\xbcrgen M\xc3\xbcller", "j", "x", NULL, false});
	/* Quoted encoded words are decoded too (common, if wrong). */
	CHECK("\"=?utf-8?q?J=C3=BCrgen?=\" <j@x>", 0, {"J\xc3\xbcrgen", "j", "x", NULL, false});
	CHECK("=?utf-8?q?Gr=C3=BCn?=: a@x;", 0, {NULL, "a", "x", "Gr\xc3\xbcn", false});
	CHECK("=?x-unknown?q?abc?= <j@x>", SIFT_DEFECT_UNKNOWN_CHARSET,
	      {"=?x-unknown?q?abc?=", "j", "x", NULL, false});
}

static void
test_8bit(void **state)
{
	/* RFC 6532: UTF-8 is atom text. */
	CHECK("J\xc3\xbcrgen M\xc3\xbcller <j\xc3\xbcrgen@b\xc3\xbcro.example>", 0,
	      {"J\xc3\xbcrgen M\xc3\xbcller", "j\xc3\xbcrgen", "b\xc3\xbcro.example", NULL, false});
	/* Not UTF-8: still data. */
	CHECK("\xe9t\xe9@x", 0, {NULL, "\xe9t\xe9", "x", NULL, false});
	CHECK("\"\xff\xfe\" <a@x>", 0, {"\xff\xfe", "a", "x", NULL, false});
}

static void
test_nul_and_controls(void **state)
{
	static const char in1[] = "a\0b@c, d@e";
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_address *list;
	uint32_t defects = 0;

	/* The raw text of the bad entry keeps its NUL. */
	assert_int_equal(sift_address_parse_list(arena, in1, sizeof(in1) - 1, 10, &list, &defects),
	                 2);
	assert_true(list->invalid);
	assert_int_equal(list->local_part_len, 5);
	assert_memory_equal(list->local_part, "a\0b@c", 5);
	assert_false(list->next->invalid);
	assert_string_equal(list->next->local_part, "d");
	assert_int_equal(defects, BAD);
	sift_arena_destroy(&arena);
}

static void
test_nul_and_controls2(void **state)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_address *list;
	uint32_t defects = 0;
	static const char in2[] = "\"a\0b\"@c, (x\0y) ok@x";

	assert_int_equal(sift_address_parse_list(arena, in2, sizeof(in2) - 1, 10, &list, &defects),
	                 2);
	assert_true(list->invalid);
	assert_int_equal(list->local_part_len, 7);
	/* A NUL inside a comment is dropped with the comment. */
	assert_false(list->next->invalid);
	assert_string_equal(list->next->local_part, "ok");
	assert_int_equal(defects, BAD);
	sift_arena_destroy(&arena);

	CHECK("a\x01z@x, b@y", BAD, {NULL, "a\x01z@x", NULL, NULL, true},
	      {NULL, "b", "y", NULL, false});
	/* Controls are obs-qtext inside quotes. */
	CHECK("\"a\x01z\"@x", 0, {NULL, "a\x01z", "x", NULL, false});
}

/* ---- hostile sizes ----------------------------------------------------------- */

static void
test_many_addresses(void **state)
{
	size_t cap = 10000 * 16;
	char *in = sift_malloc(cap);
	size_t len = 0;
	for (int i = 0; i < 10000; i++)
		len += (size_t)snprintf(in + len, cap - len, "u%d@x.test, ", i);

	struct sift_arena *arena = sift_arena_create(0);
	struct sift_address *list;
	uint32_t defects = 0;
	assert_int_equal(sift_address_parse_list(arena, in, len, 10000, &list, &defects), 10000);
	assert_int_equal(defects, 0);
	assert_int_equal(sift_address_parse_list(arena, in, len, 1000, &list, &defects), 1000);
	size_t n = 0;
	const struct sift_address *last = NULL;
	for (const struct sift_address *a = list; a != NULL; a = a->next, n++)
		last = a;
	assert_int_equal(n, 1000);
	assert_string_equal(last->local_part, "u999");
	list = (void *)1;
	assert_int_equal(sift_address_parse_list(arena, in, len, 0, &list, &defects), 0);
	assert_null(list);
	assert_int_equal(sift_address_parse_list(arena, in, len, 1, &list, &defects), 1);
	assert_null(list->next);
	sift_arena_destroy(&arena);
	sift_free(in);
}

static void
test_deep_comments(void **state)
{
	size_t n = 1024 * 1024;
	char *in = sift_malloc(2 * n + 16);
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_address *list;
	uint32_t defects = 0;

	/* 1 MB of '(': one comment that never ends. */
	memset(in, '(', n);
	assert_int_equal(sift_address_parse_list(arena, in, n, 10, &list, &defects), 1);
	assert_true(list->invalid);
	assert_int_equal(list->local_part_len, n);
	assert_int_equal(defects, BAD);

	/* Balanced but 512 K deep: invalid, and the next entry is read. */
	memset(in + n / 2, ')', n / 2);
	memcpy(in + n, "a@x, b@y", 8);
	defects = 0;
	assert_int_equal(sift_address_parse_list(arena, in, n + 8, 10, &list, &defects), 2);
	assert_true(list->invalid);
	assert_int_equal(list->local_part_len, n + 3);
	assert_false(list->next->invalid);
	assert_string_equal(list->next->local_part, "b");
	assert_int_equal(defects, BAD);
	sift_arena_destroy(&arena);
	sift_free(in);
}

static void
test_comment_depth_cap(void **state)
{
	char in[512];
	size_t len;

	/* 100 levels are fine, 101 are not. */
	len = 0;
	for (int i = 0; i < 100; i++)
		in[len++] = '(';
	for (int i = 0; i < 100; i++)
		in[len++] = ')';
	memcpy(in + len, "a@x", 3);
	len += 3;
	static const struct exp ok[] = {{NULL, "a", "x", NULL, false}};
	check_len(in, len, 10, ok, 1, 0);

	len = 0;
	for (int i = 0; i < 101; i++)
		in[len++] = '(';
	for (int i = 0; i < 101; i++)
		in[len++] = ')';
	memcpy(in + len, "a@x", 3);
	len += 3;
	in[len] = '\0';
	struct exp bad[] = {{NULL, in, NULL, NULL, true}};
	check_len(in, len, 10, bad, 1, BAD);
}

static void
test_long_tokens(void **state)
{
	size_t n = 200000;
	char *in = sift_malloc(n + 16);
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_address *list;
	uint32_t defects = 0;

	memset(in, 'a', n);
	memcpy(in + n, "@x", 2);
	assert_int_equal(sift_address_parse_list(arena, in, n + 2, 10, &list, &defects), 1);
	assert_int_equal(list->local_part_len, n);
	assert_false(list->invalid);
	/* Alternating dots: many tokens in one local part. */
	for (size_t i = 1; i < n; i += 2)
		in[i] = '.';
	in[n - 1] = 'a';
	assert_int_equal(sift_address_parse_list(arena, in, n + 2, 10, &list, &defects), 1);
	assert_int_equal(list->local_part_len, n);
	assert_int_equal(defects, 0);
	sift_arena_destroy(&arena);
	sift_free(in);
}

/* ---- sift_address_spec ------------------------------------------------------- */

static const char *
spec_of(struct sift_arena *arena, const char *in)
{
	struct sift_address *list;
	uint32_t defects = 0;
	assert_int_equal(sift_address_parse_list(arena, in, strlen(in), 10, &list, &defects), 1);
	return sift_address_spec(arena, list);
}

static void
test_spec(void **state)
{
	struct sift_arena *arena = sift_arena_create(0);

	assert_string_equal(spec_of(arena, "Jo <jo@x.test>"), "jo@x.test");
	assert_string_equal(spec_of(arena, "john . q @ x"), "john.q@x");
	assert_string_equal(spec_of(arena, "\"john.q\"@x"), "john.q@x");
	assert_string_equal(spec_of(arena, "\"john doe\"@x"), "\"john doe\"@x");
	assert_string_equal(spec_of(arena, "\"a\\\"b\\\\c\"@x"), "\"a\\\"b\\\\c\"@x");
	assert_string_equal(spec_of(arena, "\"\"@x"), "\"\"@x");
	assert_string_equal(spec_of(arena, "a..b@x"), "\"a..b\"@x");
	assert_string_equal(spec_of(arena, "a.@x"), "\"a.\"@x");
	assert_string_equal(spec_of(arena, "\"a,b\"@[1.2.3.4]"), "\"a,b\"@[1.2.3.4]");
	assert_string_equal(spec_of(arena, "user"), "user");
	assert_string_equal(spec_of(arena, "\"us er\""), "\"us er\"");
	assert_string_equal(spec_of(arena, "j\xc3\xbcrgen@x"), "j\xc3\xbcrgen@x");
	assert_string_equal(spec_of(arena, "!#$%&'*+-/=?^_`{|}~@x"), "!#$%&'*+-/=?^_`{|}~@x");
	/* An invalid entry gives its raw text back. */
	assert_string_equal(spec_of(arena, "John Doe"), "John Doe");

	struct sift_address a = {0};
	a.local_part = "x\0y";
	a.local_part_len = 3;
	a.domain = "d";
	a.domain_len = 1;
	assert_memory_equal(sift_address_spec(arena, &a), "\"x\0y\"@d", 8);
	sift_arena_destroy(&arena);
}

/* ---- sift_address_subaddress ------------------------------------------------- */

static void
check_sub(const char *local, size_t len, const char *seps, const char *user, const char *detail)
{
	const char *u, *d;
	size_t ulen, dlen;

	sift_address_subaddress(local, len, seps, &u, &ulen, &d, &dlen);
	assert_ptr_equal(u, local);
	assert_int_equal(ulen, strlen(user));
	assert_memory_equal(u, user, ulen);
	if (detail == NULL) {
		assert_null(d);
		assert_int_equal(dlen, 0);
	} else {
		assert_non_null(d);
		assert_true(d >= local && d + dlen <= local + len);
		assert_int_equal(dlen, strlen(detail));
		assert_memory_equal(d, detail, dlen);
	}
}

static void
test_subaddress(void **state)
{
	check_sub("ken+sieve", 9, "+", "ken", "sieve");
	check_sub("ken+sieve+x", 11, "+", "ken", "sieve+x");
	check_sub("ken-a+b", 7, "+-", "ken", "a+b");
	check_sub("ken", 3, "+", "ken", NULL);
	check_sub("ken+", 4, "+", "ken", "");
	check_sub("+x", 2, "+", "", "x");
	check_sub("ken+x", 5, "", "ken+x", NULL);
	check_sub("ken+x", 5, NULL, "ken+x", NULL);
	check_sub("", 0, "+", "", NULL);
	/* A NUL byte is no separator, and the length is honoured. */
	const char *u, *d;
	size_t ulen, dlen;
	sift_address_subaddress("a\0b+c", 5, "+", &u, &ulen, &d, &dlen);
	assert_int_equal(ulen, 3);
	assert_int_equal(dlen, 1);
	assert_int_equal(d[0], 'c');
	check_sub("ab+c", 2, "+", "ab", NULL);
}

/* SIFT_ADDRESS_RAW_NAMES: the same addresses, names left as written. */
static void
test_raw_names(void **state)
{
	(void)state;
	struct sift_arena *arena = sift_arena_create(0);
	const char *in = "=?utf-8?q?J=C3=B6rg?= <j@example.de>, Team: =?iso-8859-1?q?B=E4r?= "
	                 "<b@example.org>;";
	struct sift_address *dec = NULL, *raw = NULL;
	uint32_t d1 = 0, d2 = 0;
	assert_int_equal(sift_address_parse_list(arena, in, strlen(in), 10, &dec, &d1), 2);
	assert_int_equal(sift_address_parse_list_flags(arena, in, strlen(in), 10,
	                                               SIFT_ADDRESS_RAW_NAMES, &raw, &d2),
	                 2);
	assert_string_equal(dec->display_name, "J\xc3\xb6rg");
	assert_string_equal(raw->display_name, "=?utf-8?q?J=C3=B6rg?=");
	for (struct sift_address *a = dec, *b = raw; a != NULL; a = a->next, b = b->next) {
		assert_non_null(b);
		assert_string_equal(sift_address_spec(arena, a), sift_address_spec(arena, b));
		assert_string_equal(a->group != NULL ? a->group : "",
		                    b->group != NULL ? b->group : "");
	}
	sift_arena_destroy(&arena);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a1_1),
	    cmocka_unit_test(test_a1_2),
	    cmocka_unit_test(test_a1_3_groups),
	    cmocka_unit_test(test_a2_reply),
	    cmocka_unit_test(test_a5_comments),
	    cmocka_unit_test(test_a6_1_obsolete),
	    cmocka_unit_test(test_a6_3_obsolete_ws),
	    cmocka_unit_test(test_odd_but_valid),
	    cmocka_unit_test(test_obs_local_part),
	    cmocka_unit_test(test_domain_literal),
	    cmocka_unit_test(test_obs_route),
	    cmocka_unit_test(test_commas),
	    cmocka_unit_test(test_local_without_domain),
	    cmocka_unit_test(test_name_without_address),
	    cmocka_unit_test(test_addr_spec_as_name),
	    cmocka_unit_test(test_bad_entries),
	    cmocka_unit_test(test_unbalanced),
	    cmocka_unit_test(test_groups),
	    cmocka_unit_test(test_display_names),
	    cmocka_unit_test(test_rfc2047_names),
	    cmocka_unit_test(test_8bit),
	    cmocka_unit_test(test_nul_and_controls),
	    cmocka_unit_test(test_nul_and_controls2),
	    cmocka_unit_test(test_many_addresses),
	    cmocka_unit_test(test_deep_comments),
	    cmocka_unit_test(test_comment_depth_cap),
	    cmocka_unit_test(test_long_tokens),
	    cmocka_unit_test(test_spec),
	    cmocka_unit_test(test_subaddress),
	    cmocka_unit_test(test_raw_names),
	};
	return cmocka_run_group_tests_name("rfc5322-address", tests, NULL, NULL);
}
