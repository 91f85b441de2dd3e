/* SPDX-License-Identifier: MIT */
/* Tests for mail/rfc2045.c: Content-Type (RFC 2045 5.1 and RFC 2046
   examples), Content-Transfer-Encoding and Content-Disposition (RFC 2183
   examples), with comments, broken types, NULs and 8-bit bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/defects.h"
#include "mail/rfc2045.h"

static int
setup(void **state)
{
	*state = sift_arena_create(0);
	return 0;
}

static int
teardown(void **state)
{
	struct sift_arena *arena = *state;
	sift_arena_destroy(&arena);
	return 0;
}

static int
ct_n(void **state, const char *in, size_t len, struct sift_content_type *ct, uint32_t *d)
{
	*d = 0;
	return sift_rfc2045_content_type(*state, in, len, ct, d);
}

static int
ct(void **state, const char *in, struct sift_content_type *c, uint32_t *d)
{
	return ct_n(state, in, strlen(in), c, d);
}

static void
param_is(const struct sift_param *list, const char *name, const char *value)
{
	const struct sift_param *p = sift_param_find(list, name);
	if (p == NULL)
		fail_msg("parameter %s missing", name);
	assert_int_equal(p->value_len, strlen(value));
	assert_string_equal(p->value, value);
}

static void
expect_bad(void **state, const char *in, size_t len)
{
	struct sift_content_type c;
	uint32_t d;
	assert_int_equal(ct_n(state, in, len, &c, &d), -1);
	assert_null(c.type);
	assert_null(c.subtype);
	assert_null(c.params);
	assert_int_equal(d, SIFT_DEFECT_BAD_CONTENT_TYPE);
}

static void
test_ct_simple(void **state)
{
	struct sift_content_type c;
	uint32_t d;
	assert_int_equal(ct(state, "text/plain;charset=us-ascii", &c, &d), 0);
	assert_string_equal(c.type, "text");
	assert_string_equal(c.subtype, "plain");
	param_is(c.params, "charset", "us-ascii");
	assert_null(c.params->next);
	assert_int_equal(d, 0);

	assert_int_equal(ct(state, "text/plain", &c, &d), 0);
	assert_string_equal(c.type, "text");
	assert_string_equal(c.subtype, "plain");
	assert_null(c.params);
	assert_int_equal(d, 0);

	assert_int_equal(ct(state, "application/vnd.ms-excel", &c, &d), 0);
	assert_string_equal(c.type, "application");
	assert_string_equal(c.subtype, "vnd.ms-excel");
	assert_int_equal(d, 0);
}

static void
test_ct_case_and_comments(void **state)
{
	struct sift_content_type c;
	uint32_t d;
	assert_int_equal(ct(state, "TEXT/HTML (comment) ; CHARSET=\"UTF-8\"", &c, &d), 0);
	assert_string_equal(c.type, "text");
	assert_string_equal(c.subtype, "html");
	assert_string_equal(c.params->name, "charset");
	param_is(c.params, "charset", "UTF-8");
	assert_int_equal(d, 0);

	assert_int_equal(ct(state, " (a) Text (b (nested)) / (c) Plain (d) ; (e) a=b (f)", &c, &d),
	                 0);
	assert_string_equal(c.type, "text");
	assert_string_equal(c.subtype, "plain");
	param_is(c.params, "a", "b");
	assert_int_equal(d, 0);

	assert_int_equal(ct(state, "\r\n\tmultipart/mixed;\r\n\tboundary=x", &c, &d), 0);
	assert_string_equal(c.subtype, "mixed");
	param_is(c.params, "boundary", "x");
	assert_int_equal(d, 0);
}

/* RFC 2045 5.1 and 5.2 */
static void
test_ct_rfc2045_examples(void **state)
{
	struct sift_content_type c;
	uint32_t d;
	assert_int_equal(ct(state, "text/plain; charset=us-ascii (Plain text)", &c, &d), 0);
	param_is(c.params, "charset", "us-ascii");
	assert_int_equal(d, 0);
	assert_int_equal(ct(state, "text/plain; charset=\"us-ascii\"", &c, &d), 0);
	param_is(c.params, "charset", "us-ascii");
	assert_int_equal(d, 0);
}

/* RFC 2046 5.1.1, 5.2.2.3, 5.2.3.7 */
static void
test_ct_rfc2046_examples(void **state)
{
	struct sift_content_type c;
	uint32_t d;
	assert_int_equal(ct(state, "multipart/mixed; boundary=gc0p4Jq0M2Yt08jU534c0p", &c, &d), 0);
	param_is(c.params, "boundary", "gc0p4Jq0M2Yt08jU534c0p");
	assert_int_equal(d, 0);

	assert_int_equal(ct(state, "multipart/mixed; boundary=\"simple boundary\"", &c, &d), 0);
	param_is(c.params, "boundary", "simple boundary");
	assert_int_equal(d, 0);

	assert_int_equal(ct(state,
	                    "Message/Partial; number=2; total=3;\r\n"
	                    "     id=\"oc=jpbe0M2Yt4s@thumper.bellcore.com\"",
	                    &c, &d),
	                 0);
	assert_string_equal(c.type, "message");
	assert_string_equal(c.subtype, "partial");
	param_is(c.params, "number", "2");
	param_is(c.params, "total", "3");
	param_is(c.params, "id", "oc=jpbe0M2Yt4s@thumper.bellcore.com");
	assert_int_equal(d, 0);

	assert_int_equal(ct(state,
	                    "message/external-body; access-type=local-file;\r\n"
	                    "     name=\"/u/nsb/Me.jpeg\"",
	                    &c, &d),
	                 0);
	param_is(c.params, "access-type", "local-file");
	param_is(c.params, "name", "/u/nsb/Me.jpeg");
	assert_int_equal(d, 0);
}

static void
test_ct_multipart_boundary(void **state)
{
	struct sift_content_type c;
	uint32_t d;
	assert_int_equal(ct(state, "multipart/mixed; boundary=\"----=_Part_1\"", &c, &d), 0);
	assert_string_equal(c.type, "multipart");
	assert_string_equal(c.subtype, "mixed");
	param_is(c.params, "boundary", "----=_Part_1");
	assert_int_equal(d, 0);

	/* Unquoted with '=': invalid, taken whole. */
	assert_int_equal(ct(state, "multipart/alternative; boundary=----=_NextPart_000", &c, &d),
	                 0);
	param_is(c.params, "boundary", "----=_NextPart_000");
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);
}

static void
test_ct_bad(void **state)
{
	expect_bad(state, "text", 4);
	expect_bad(state, "/plain", 6);
	expect_bad(state, "text/", 5);
	expect_bad(state, "text/ (comment)", 15);
	expect_bad(state, "", 0);
	expect_bad(state, NULL, 0);
	expect_bad(state, "   (only a comment)", 19);
	expect_bad(state, "t\xe9xt/plain", 10);
	expect_bad(state, "te\0xt/plain", 11);
	expect_bad(state, "\"text\"/plain", 12);
	expect_bad(state, "text (unclosed /plain", 21);
	expect_bad(state, "charset=utf-8", 13);
}

/* Like Python's email package, an invalid type keeps its parameters. */
static void
test_ct_bad_keeps_params(void **state)
{
	struct sift_content_type c;
	uint32_t d;
	assert_int_equal(ct(state, "text; charset=koi8-r", &c, &d), -1);
	assert_null(c.type);
	assert_null(c.subtype);
	param_is(c.params, "charset", "koi8-r");
	assert_int_equal(d, SIFT_DEFECT_BAD_CONTENT_TYPE);

	assert_int_equal(ct(state, "(x;y) \"a;b\" / ; name=\"n\"", &c, &d), -1);
	param_is(c.params, "name", "n");
	assert_null(c.params->next);
	assert_int_equal(d, SIFT_DEFECT_BAD_CONTENT_TYPE);
}

static void
test_ct_bad_params(void **state)
{
	struct sift_content_type c;
	uint32_t d;
	assert_int_equal(ct(state, "text/plain charset=x", &c, &d), 0);
	param_is(c.params, "charset", "x");
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);

	assert_int_equal(ct(state, "text/plain/html; a=b", &c, &d), 0);
	assert_string_equal(c.subtype, "plain");
	param_is(c.params, "a", "b");
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);

	assert_int_equal(ct(state, "text/plain (oops", &c, &d), 0);
	assert_null(c.params);
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);

	assert_int_equal(ct_n(state, "text/pl\0ain; a=b", 16, &c, &d), 0);
	assert_string_equal(c.subtype, "pl");
	param_is(c.params, "a", "b");
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);
}

static void
test_ct_encoded_name(void **state)
{
	struct sift_content_type c;
	uint32_t d;
	assert_int_equal(ct(state,
	                    "application/pdf; name=\"=?UTF-8?B?csOpc3Vtw6kucGRm?=\"; "
	                    "name*=utf-8''r%C3%A9sum%C3%A9-2.pdf",
	                    &c, &d),
	                 0);
	param_is(c.params, "name", "r\xc3\xa9sum\xc3\xa9-2.pdf");
	assert_int_equal(d, 0);
	assert_int_equal(
	    ct(state, "application/pdf; name=\"=?UTF-8?B?csOpc3Vtw6kucGRm?=\"", &c, &d), 0);
	param_is(c.params, "name", "r\xc3\xa9sum\xc3\xa9.pdf");
	assert_int_equal(d, 0);
}

static void
test_cte(void **state)
{
	static const struct {
		const char *in;
		enum sift_cte cte;
	} cases[] = {
	    {"7bit", SIFT_CTE_7BIT},
	    {"7BIT", SIFT_CTE_7BIT},
	    {"8Bit", SIFT_CTE_8BIT},
	    {"Binary", SIFT_CTE_BINARY},
	    {"quoted-printable", SIFT_CTE_QP},
	    {" QUOTED-PRINTABLE \r\n", SIFT_CTE_QP},
	    {"base64", SIFT_CTE_BASE64},
	    {"(c) Base64 (c)", SIFT_CTE_BASE64},
	    {"(nested (c)) base64", SIFT_CTE_BASE64},
	    {"base64; junk", SIFT_CTE_BASE64},
	    {"\tbase64\t", SIFT_CTE_BASE64},
	    {"x-uuencode", SIFT_CTE_UNKNOWN},
	    {"", SIFT_CTE_UNKNOWN},
	    {"   ", SIFT_CTE_UNKNOWN},
	    {"quoted printable", SIFT_CTE_UNKNOWN},
	    {"base64x", SIFT_CTE_UNKNOWN},
	    {"base6", SIFT_CTE_UNKNOWN},
	    {"\"base64\"", SIFT_CTE_UNKNOWN},
	    {"(unclosed base64", SIFT_CTE_UNKNOWN},
	    {"b\xe4se64", SIFT_CTE_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sift_cte got = sift_rfc2045_cte(cases[i].in, strlen(cases[i].in));
		if (got != cases[i].cte)
			fail_msg("\"%s\": %d, want %d", cases[i].in, got, cases[i].cte);
	}
	assert_int_equal(sift_rfc2045_cte("\0base64", 7), SIFT_CTE_UNKNOWN);
	assert_int_equal(sift_rfc2045_cte("base64\0x", 8), SIFT_CTE_BASE64);
	assert_int_equal(sift_rfc2045_cte(NULL, 0), SIFT_CTE_UNKNOWN);
	/* Length is respected: "base64" cut to "base". */
	assert_int_equal(sift_rfc2045_cte("base64", 4), SIFT_CTE_UNKNOWN);
}

static void
test_cte_name(void **state)
{
	assert_string_equal(sift_cte_name(SIFT_CTE_7BIT), "7bit");
	assert_string_equal(sift_cte_name(SIFT_CTE_8BIT), "8bit");
	assert_string_equal(sift_cte_name(SIFT_CTE_BINARY), "binary");
	assert_string_equal(sift_cte_name(SIFT_CTE_QP), "quoted-printable");
	assert_string_equal(sift_cte_name(SIFT_CTE_BASE64), "base64");
	assert_string_equal(sift_cte_name(SIFT_CTE_UNKNOWN), "unknown");
	assert_string_equal(sift_cte_name((enum sift_cte)99), "unknown");
	/* Round trip. */
	for (int i = SIFT_CTE_7BIT; i < SIFT_CTE_UNKNOWN; i++) {
		const char *name = sift_cte_name((enum sift_cte)i);
		assert_int_equal(sift_rfc2045_cte(name, strlen(name)), i);
	}
}

static int
disp(void **state, const char *in, size_t len, const char **type, struct sift_param **params,
     uint32_t *d)
{
	*d = 0;
	return sift_rfc2045_disposition(*state, in, len, type, params, d);
}

/* RFC 2183 2 and 2.8 */
static void
test_disposition_rfc2183(void **state)
{
	const char *type;
	struct sift_param *params;
	uint32_t d;
	assert_int_equal(disp(state, "inline", 6, &type, &params, &d), 0);
	assert_string_equal(type, "inline");
	assert_null(params);
	assert_int_equal(d, 0);

	const char *in = "attachment; filename=genome.jpeg;\r\n"
	                 "  modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\";";
	assert_int_equal(disp(state, in, strlen(in), &type, &params, &d), 0);
	assert_string_equal(type, "attachment");
	param_is(params, "filename", "genome.jpeg");
	param_is(params, "modification-date", "Wed, 12 Feb 1997 16:29:51 -0500");
	assert_string_equal(params->name, "filename");
	assert_int_equal(d, 0);
}

static void
test_disposition_filenames(void **state)
{
	const char *type;
	struct sift_param *params;
	uint32_t d;
	const char *in = "Attachment (c) ; FileName*=utf-8''%E2%82%AC.txt";
	assert_int_equal(disp(state, in, strlen(in), &type, &params, &d), 0);
	assert_string_equal(type, "attachment");
	const struct sift_param *p = sift_param_find(params, "filename");
	assert_non_null(p);
	assert_string_equal(p->value, "\xe2\x82\xac.txt");
	assert_string_equal(p->charset, "utf-8");
	assert_int_equal(d, 0);

	in = "attachment; filename=\"=?utf-8?B?csOpc3Vtw6kucGRm?=\"";
	assert_int_equal(disp(state, in, strlen(in), &type, &params, &d), 0);
	param_is(params, "filename", "r\xc3\xa9sum\xc3\xa9.pdf");
	assert_int_equal(d, 0);

	in = "attachment; filename*0*=utf-8''%E2%82; filename*1*=%AC; filename=\"x.txt\"";
	assert_int_equal(disp(state, in, strlen(in), &type, &params, &d), 0);
	param_is(params, "filename", "\xe2\x82\xac");
	assert_int_equal(d, 0);
}

static void
test_disposition_bad(void **state)
{
	const char *type;
	struct sift_param *params;
	uint32_t d;
	assert_int_equal(disp(state, "; filename=x", 12, &type, &params, &d), -1);
	assert_null(type);
	param_is(params, "filename", "x");
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);

	assert_int_equal(disp(state, "filename=\"x.exe\"", 16, &type, &params, &d), -1);
	assert_null(type);
	param_is(params, "filename", "x.exe");
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);

	assert_int_equal(disp(state, "", 0, &type, &params, &d), -1);
	assert_null(type);
	assert_null(params);
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);

	assert_int_equal(disp(state, NULL, 0, &type, &params, &d), -1);
	assert_null(params);

	assert_int_equal(disp(state, "(c)", 3, &type, &params, &d), -1);
	assert_null(params);

	assert_int_equal(disp(state, "attachment filename=x", 21, &type, &params, &d), 0);
	assert_string_equal(type, "attachment");
	param_is(params, "filename", "x");
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);

	assert_int_equal(disp(state, "inl\0ine", 7, &type, &params, &d), 0);
	assert_string_equal(type, "inl");
	assert_null(params);
	assert_int_equal(d, SIFT_DEFECT_BAD_PARAMETER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_ct_simple),
	    T(test_ct_case_and_comments),
	    T(test_ct_rfc2045_examples),
	    T(test_ct_rfc2046_examples),
	    T(test_ct_multipart_boundary),
	    T(test_ct_bad),
	    T(test_ct_bad_keeps_params),
	    T(test_ct_bad_params),
	    T(test_ct_encoded_name),
	    T(test_cte),
	    T(test_cte_name),
	    T(test_disposition_rfc2183),
	    T(test_disposition_filenames),
	    T(test_disposition_bad),
#undef T
	};
	return cmocka_run_group_tests_name("rfc2045", tests, NULL, NULL);
}
