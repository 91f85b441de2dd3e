/* SPDX-License-Identifier: MIT */
/* Unit tests for util/limits.c: the table itself (names, defaults inside
   their ranges), lookup, and sift_limits_set() with suffixes, range checks
   and every kind of bad text, which must leave the limit unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/limits.h"

#define KIB 1024ULL
#define MIB (1024ULL * 1024)
#define GIB (1024ULL * 1024 * 1024)

static void
test_table_well_formed(void **state)
{
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++) {
		const struct sift_limit_def *def = &sift_limit_defs[i];
		assert_non_null(def->name);
		assert_true(strlen(def->name) > 0);
		for (const char *p = def->name; *p != '\0'; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
		assert_true(strcmp(def->unit, "bytes") == 0 || strcmp(def->unit, "count") == 0);
		assert_non_null(def->description);
		assert_true(strlen(def->description) > 0);
		assert_true(def->min <= def->def);
		assert_true(def->def <= def->max);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(def->name, sift_limit_defs[j].name);
	}
}

static void
test_defaults(void **state)
{
	struct sift_limits limits;
	memset(&limits, 0xa5, sizeof(limits));
	sift_limits_init(&limits);
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++)
		assert_int_equal(sift_limit(&limits, i), sift_limit_defs[i].def);
	/* The defaults that are promised elsewhere (Dovecot's depth and part
	   count, Postfix's boundary length, header block of 1 MiB). */
	assert_int_equal(sift_limit(&limits, SIFT_LIMIT_MIME_DEPTH), 100);
	assert_int_equal(sift_limit(&limits, SIFT_LIMIT_MIME_PARTS), 10000);
	assert_int_equal(sift_limit(&limits, SIFT_LIMIT_BOUNDARY_LENGTH), 2048);
	assert_int_equal(sift_limit(&limits, SIFT_LIMIT_HEADER_BYTES), 1 * MIB);
	/* A header field may be as long as RFC 5322 allows a line, at least. */
	assert_true(sift_limit(&limits, SIFT_LIMIT_LINE_LENGTH) >= 998);
}

static void
test_names(void **state)
{
	static const struct {
		const char *name;
		enum sift_limit_id id;
	} names[] = {
	    {"header_bytes", SIFT_LIMIT_HEADER_BYTES},
	    {"header_count", SIFT_LIMIT_HEADER_COUNT},
	    {"line_length", SIFT_LIMIT_LINE_LENGTH},
	    {"mime_depth", SIFT_LIMIT_MIME_DEPTH},
	    {"mime_parts", SIFT_LIMIT_MIME_PARTS},
	    {"boundary_length", SIFT_LIMIT_BOUNDARY_LENGTH},
	    {"body_memory", SIFT_LIMIT_BODY_MEMORY},
	    {"body_scan", SIFT_LIMIT_BODY_SCAN},
	    {"address_count", SIFT_LIMIT_ADDRESS_COUNT},
	    {"script_bytes", SIFT_LIMIT_SCRIPT_BYTES},
	    {"script_nesting", SIFT_LIMIT_SCRIPT_NESTING},
	    {"actions", SIFT_LIMIT_ACTIONS},
	    {"redirects", SIFT_LIMIT_REDIRECTS},
	    {"variables", SIFT_LIMIT_VARIABLES},
	    {"variable_bytes", SIFT_LIMIT_VARIABLE_BYTES},
	    {"regex_match", SIFT_LIMIT_REGEX_MATCH},
	    {"regex_depth", SIFT_LIMIT_REGEX_DEPTH},
	    {"cpu_time", SIFT_LIMIT_CPU_TIME},
	    {"header_edit_bytes", SIFT_LIMIT_HEADER_EDIT_BYTES},
	};
	assert_int_equal(sizeof(names) / sizeof(names[0]), SIFT_LIMIT_COUNT);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(sift_limit_defs[names[i].id].name, names[i].name);
		assert_int_equal(sift_limit_lookup(names[i].name), names[i].id);
	}
}

static void
test_lookup_case_insensitive(void **state)
{
	assert_int_equal(sift_limit_lookup("HEADER_BYTES"), SIFT_LIMIT_HEADER_BYTES);
	assert_int_equal(sift_limit_lookup("Mime_Depth"), SIFT_LIMIT_MIME_DEPTH);
	assert_int_equal(sift_limit_lookup("bOdY_sCaN"), SIFT_LIMIT_BODY_SCAN);
}

static void
test_lookup_unknown(void **state)
{
	assert_int_equal(sift_limit_lookup(""), -1);
	assert_int_equal(sift_limit_lookup("header"), -1);
	assert_int_equal(sift_limit_lookup("header_bytes_"), -1);
	assert_int_equal(sift_limit_lookup(" header_bytes"), -1);
	assert_int_equal(sift_limit_lookup("header-bytes"), -1);
	assert_int_equal(sift_limit_lookup("limit_header_bytes"), -1);
	assert_int_equal(sift_limit_lookup("nosuchlimit"), -1);
}

/* Sets name to value and expects success with the given result. */
static void
expect_set(const char *name, const char *value, uint64_t expected)
{
	struct sift_limits limits;
	const char *error = NULL;
	sift_limits_init(&limits);
	int id = sift_limit_lookup(name);
	assert_true(id >= 0);
	if (sift_limits_set(&limits, name, value, &error) != 0)
		fail_msg("setting %s to '%s' failed: %s", name, value, error);
	assert_int_equal(sift_limit(&limits, id), expected);
	/* The others are untouched. */
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++) {
		if (i != id)
			assert_int_equal(sift_limit(&limits, i), sift_limit_defs[i].def);
	}
}

/* Expects the set to fail with a message, leaving every limit unchanged. */
static void
expect_fail(const char *name, const char *value)
{
	struct sift_limits limits;
	const char *error = NULL;
	sift_limits_init(&limits);
	if (sift_limits_set(&limits, name, value, &error) != -1)
		fail_msg("setting %s to '%s' was accepted", name, value);
	assert_non_null(error);
	assert_true(strlen(error) > 0);
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++)
		assert_int_equal(sift_limit(&limits, i), sift_limit_defs[i].def);
}

static void
test_set_plain(void **state)
{
	expect_set("header_count", "100", 100);
	expect_set("mime_depth", "1", 1);
	expect_set("mime_depth", "007", 7);
	expect_set("header_bytes", "4096", 4096);
	expect_set("body_memory", "0", 0);
	expect_set("MIME_PARTS", "20000", 20000);
}

static void
test_set_suffixes(void **state)
{
	expect_set("header_bytes", "64K", 64 * KIB);
	expect_set("header_bytes", "64k", 64 * KIB);
	expect_set("header_bytes", "2M", 2 * MIB);
	expect_set("header_bytes", "3m", 3 * MIB);
	expect_set("header_bytes", "1G", 1 * GIB);
	expect_set("header_bytes", "1g", 1 * GIB);
	expect_set("body_scan", "1024G", 1024 * GIB);
	expect_set("body_memory", "0K", 0);
	expect_set("line_length", "1M", 1 * MIB);
	expect_set("boundary_length", "1K", 1 * KIB);
}

static void
test_set_suffix_on_count(void **state)
{
	/* Suffixes are for sizes only. */
	expect_fail("header_count", "10K");
	expect_fail("mime_parts", "1M");
	expect_fail("mime_depth", "1G");
	expect_fail("address_count", "5k");
}

static void
test_set_range(void **state)
{
	char text[64];
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++) {
		const struct sift_limit_def *def = &sift_limit_defs[i];
		snprintf(text, sizeof(text), "%llu", (unsigned long long)def->min);
		expect_set(def->name, text, def->min);
		snprintf(text, sizeof(text), "%llu", (unsigned long long)def->max);
		expect_set(def->name, text, def->max);
		if (def->min > 0) {
			snprintf(text, sizeof(text), "%llu", (unsigned long long)def->min - 1);
			expect_fail(def->name, text);
		}
		snprintf(text, sizeof(text), "%llu", (unsigned long long)def->max + 1);
		expect_fail(def->name, text);
	}
	/* Out of range through a suffix. */
	expect_fail("header_bytes", "2G");
	expect_fail("header_bytes", "0K");
	expect_fail("line_length", "997");
	expect_fail("body_scan", "1025G");
}

static void
test_set_range_message(void **state)
{
	struct sift_limits limits;
	const char *error = NULL;
	sift_limits_init(&limits);
	assert_int_equal(sift_limits_set(&limits, "mime_depth", "0", &error), -1);
	assert_non_null(strstr(error, "mime_depth"));
	assert_non_null(strstr(error, "10000"));
}

static void
test_set_unknown(void **state)
{
	struct sift_limits limits;
	const char *error = NULL;
	sift_limits_init(&limits);
	assert_int_equal(sift_limits_set(&limits, "no_such_limit", "5", &error), -1);
	assert_non_null(error);
	assert_non_null(strstr(error, "no_such_limit"));
	expect_fail("", "5");
	expect_fail("header", "5");
}

static void
test_set_garbage(void **state)
{
	static const char *const bad[] = {
	    "",      "abc",   "-1",   "+5",
	    " 5",    "5 ",    "5\t",  "5KB",
	    "5X",    "0x10",  "1.5M", "1e3",
	    "K",     "5k5",   "5KK",  "5 K",
	    "5\n",   "--5",   "5-",   "5,000",
	    "5_000", "0b101", "\xff", "\xd9\xa1\xd9\xa2", /* Arabic-Indic digits 1 2 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_fail("header_bytes", bad[i]);
		expect_fail("mime_depth", bad[i]);
	}
}

static void
test_set_overflow(void **state)
{
	/* Numbers that do not fit 64 bits, before or after the suffix. */
	expect_fail("body_scan", "99999999999999999999G");
	expect_fail("body_scan", "99999999999999999999");
	expect_fail("body_scan", "18446744073709551616");
	expect_fail("body_scan", "18446744073709551615");
	expect_fail("body_scan", "18446744073709551615K");
	expect_fail("body_scan", "17179869184G"); /* exactly 2^64 */
	expect_fail("body_scan", "17592186044416M");
	expect_fail("body_scan", "18014398509481984K");
	expect_fail("header_count", "99999999999999999999999999999999999999");
	/* Large but representable, then out of range. */
	expect_fail("body_scan", "17179869183G");
}

static void
test_set_keeps_previous_on_error(void **state)
{
	struct sift_limits limits;
	const char *error = NULL;
	sift_limits_init(&limits);
	assert_int_equal(sift_limits_set(&limits, "mime_depth", "50", &error), 0);
	assert_int_equal(sift_limits_set(&limits, "mime_depth", "junk", &error), -1);
	assert_int_equal(sift_limits_set(&limits, "mime_depth", "0", &error), -1);
	assert_int_equal(sift_limit(&limits, SIFT_LIMIT_MIME_DEPTH), 50);
	/* Setting again overrides. */
	assert_int_equal(sift_limits_set(&limits, "Mime_Depth", "60", &error), 0);
	assert_int_equal(sift_limit(&limits, SIFT_LIMIT_MIME_DEPTH), 60);
}

static void
test_limits_independent(void **state)
{
	/* Two tables never share state. */
	struct sift_limits a, b;
	const char *error = NULL;
	sift_limits_init(&a);
	sift_limits_init(&b);
	assert_int_equal(sift_limits_set(&a, "header_count", "123", &error), 0);
	assert_int_equal(sift_limit(&a, SIFT_LIMIT_HEADER_COUNT), 123);
	assert_int_equal(sift_limit(&b, SIFT_LIMIT_HEADER_COUNT),
	                 sift_limit_defs[SIFT_LIMIT_HEADER_COUNT].def);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_well_formed),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_lookup_case_insensitive),
	    cmocka_unit_test(test_lookup_unknown),
	    cmocka_unit_test(test_set_plain),
	    cmocka_unit_test(test_set_suffixes),
	    cmocka_unit_test(test_set_suffix_on_count),
	    cmocka_unit_test(test_set_range),
	    cmocka_unit_test(test_set_range_message),
	    cmocka_unit_test(test_set_unknown),
	    cmocka_unit_test(test_set_garbage),
	    cmocka_unit_test(test_set_overflow),
	    cmocka_unit_test(test_set_keeps_previous_on_error),
	    cmocka_unit_test(test_limits_independent),
	};
	return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
