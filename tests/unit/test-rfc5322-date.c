/* SPDX-License-Identifier: MIT */
/* Unit tests for mail/rfc5322-date.c: the dates of RFC 5322 Appendix A
   (A.1-A.6), obsolete forms (4.3), every kind of zone, range checks
   (calendar, clock, zone), comments and white space, hostile input, and
   timestamps against values computed independently (Python's
   email.utils.mktime_tz). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/rfc5322-date.h"
#include "util/alloc.h"

static void
check_date_len(const char *in, size_t len, int64_t ts, int zone, bool known)
{
	struct sift_date d = {-1, 12345, true};

	if (sift_date_parse(in, len, &d) != 0)
		fail_msg("\"%.*s\": no date", (int)len, in);
	if (d.timestamp != ts || d.zone != zone || d.zone_known != known)
		fail_msg("\"%.*s\": %lld zone %d known %d, want %lld zone %d known %d", (int)len,
		         in, (long long)d.timestamp, d.zone, d.zone_known, (long long)ts, zone,
		         known);
}

static void
check_date(const char *in, int64_t ts, int zone, bool known)
{
	check_date_len(in, strlen(in), ts, zone, known);
}

static void
check_bad_len(const char *in, size_t len)
{
	struct sift_date d = {777, 5, true};

	if (sift_date_parse(in, len, &d) != -1)
		fail_msg("\"%.*s\": parsed, want -1", (int)len, in);
	/* A failed parse leaves the output alone. */
	assert_int_equal(d.timestamp, 777);
	assert_int_equal(d.zone, 5);
}

static void
check_bad(const char *in)
{
	check_bad_len(in, strlen(in));
}

static void
test_rfc_examples(void **state)
{
	/* A.1.1, A.1.2, A.1.3 */
	check_date("Fri, 21 Nov 1997 09:55:06 -0600", 880127706, -360, true);
	check_date("Tue, 1 Jul 2003 10:52:37 +0200", 1057049557, 120, true);
	check_date("Thu, 13 Feb 1969 23:32:54 -0330", -27723426, -210, true);
	/* A.2, A.3 */
	check_date("Fri, 21 Nov 1997 10:01:10 -0600", 880128070, -360, true);
	check_date("Mon, 24 Nov 1997 14:22:01 -0800", 880410121, -480, true);
	/* A.4: no day of week */
	check_date("21 Nov 1997 10:05:43 -0600", 880128343, -360, true);
	/* A.5: folding white space and a comment */
	check_date("Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
	           "               -0330 (Newfoundland Time)",
	           -27723426 - 54, -210, true);
	/* A.6.2: two-digit year, zone name */
	check_date("21 Nov 97 09:55:06 GMT", 880106106, 0, true);
	/* A.6.3: comments and white space inside the time */
	check_date("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", 880127706, -360, true);
}

static void
test_zones(void **state)
{
	const int64_t utc = 880106106; /* 21 Nov 1997 09:55:06 UTC */
	static const struct {
		const char *name;
		int minutes;
	} named[] = {
	    {"UT", 0},     {"GMT", 0},    {"Z", 0},      {"UTC", 0},    {"EST", -300},
	    {"EDT", -240}, {"CST", -360}, {"CDT", -300}, {"MST", -420}, {"MDT", -360},
	    {"PST", -480}, {"PDT", -420}, {"gmt", 0},    {"pdt", -420}, {"z", 0},
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		snprintf(buf, sizeof(buf), "21 Nov 1997 09:55:06 %s", named[i].name);
		check_date(buf, utc - named[i].minutes * 60, named[i].minutes, true);
	}
	/* Military letters and unknown names: -0000, the time read as UTC. */
	static const char *const unknown[] = {"A", "I",   "J",   "K",   "M",      "N",   "Y",
	                                      "a", "CET", "MEZ", "JST", "Europe", "ESTX"};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		snprintf(buf, sizeof(buf), "21 Nov 1997 09:55:06 %s", unknown[i]);
		check_date(buf, utc, 0, false);
	}
	/* Numeric zones. */
	check_date("21 Nov 1997 09:55:06 +0000", utc, 0, true);
	check_date("21 Nov 1997 09:55:06 -0000", utc, 0, false);
	check_date("21 Nov 1997 09:55:06 +0530", utc - 330 * 60, 330, true);
	check_date("21 Nov 1997 09:55:06 -0959", utc + 599 * 60, -599, true);
	check_date("21 Nov 1997 09:55:06 +9959", utc - 5999 * 60, 5999, true);
	/* No zone at all. */
	check_date("21 Nov 1997 09:55:06", utc, 0, false);
	check_date("21 Nov 1997 09:55:06 (no zone)", utc, 0, false);
	/* Bad numeric zones. */
	check_bad("21 Nov 1997 09:55:06 +0060");
	check_bad("21 Nov 1997 09:55:06 -0099");
	check_bad("21 Nov 1997 09:55:06 +060");
	check_bad("21 Nov 1997 09:55:06 +06000");
	check_bad("21 Nov 1997 09:55:06 +");
	check_bad("21 Nov 1997 09:55:06 -EST");
}

static void
test_years(void **state)
{
	check_date("1 Jan 49 00:00:00 +0000", 2493072000, 0, true);
	check_date("1 Jan 50 00:00:00 +0000", -631152000, 0, true);
	check_date("1 Jan 00 00:00:00 +0000", 946684800, 0, true);
	/* Three digits: + 1900. */
	check_date("1 Jul 103 10:52:37 +0000", 1057056757, 0, true);
	check_date("1 Jan 070 00:00:00 +0000", 0, 0, true);
	/* The range ends. */
	check_date("1 Jan 1900 00:00:00 +0000", -2208988800LL, 0, true);
	check_date("31 Dec 9999 23:59:59 +0000", 253402300799LL, 0, true);
	check_date("1 Jan 1970 00:00:00 +0000", 0, 0, true);
	check_bad("31 Dec 1899 23:59:59 +0000");
	check_bad("1 Jan 10000 00:00:00 +0000");
	check_bad("1 Jan 0999 00:00:00 +0000");
	check_bad("1 Jan 7 00:00:00 +0000");
	check_bad("1 Jan 99999999999999999999 00:00:00 +0000");
}

static void
test_calendar(void **state)
{
	check_date("29 Feb 2000 12:00:00 +0000", 951825600, 0, true);
	check_date("29 Feb 2024 00:00:00 +0530", 1709145000, 330, true);
	check_bad("29 Feb 1900 00:00:00 +0000");
	check_bad("29 Feb 2023 00:00:00 +0000");
	check_bad("30 Feb 2024 00:00:00 +0000");
	check_bad("31 Apr 2024 00:00:00 +0000");
	check_bad("31 Jun 2024 00:00:00 +0000");
	check_bad("31 Sep 2024 00:00:00 +0000");
	check_bad("31 Nov 2024 00:00:00 +0000");
	check_bad("0 Jan 2024 00:00:00 +0000");
	check_bad("32 Jan 2024 00:00:00 +0000");
	check_bad("001 Jan 2024 00:00:00 +0000");
	/* Every month with its last day, and the day after it. */
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char buf[64];
	struct sift_date d;
	int64_t prev = 0;
	for (int m = 0; m < 12; m++) {
		snprintf(buf, sizeof(buf), "%d %s 2023 00:00:00 +0000", days[m], mon[m]);
		assert_int_equal(sift_date_parse(buf, strlen(buf), &d), 0);
		/* Consecutive month ends are one month length apart. */
		if (m > 0)
			assert_int_equal(d.timestamp - prev, (int64_t)days[m] * 86400);
		prev = d.timestamp;
		snprintf(buf, sizeof(buf), "%d %s 2023 00:00:00 +0000", days[m] + 1, mon[m]);
		check_bad(buf);
	}
	assert_int_equal(prev, 1703980800); /* 31 Dec 2023 */
}

static void
test_clock(void **state)
{
	const int64_t day = 880070400; /* 21 Nov 1997 00:00:00 UTC */
	check_date("21 Nov 1997 23:59:59 +0000", day + 86399, 0, true);
	check_date("21 Nov 1997 09:55 +0000", day + 9 * 3600 + 55 * 60, 0, true);
	check_date("21 Nov 1997 9:5:6 +0000", day + 9 * 3600 + 5 * 60 + 6, 0, true);
	/* Leap second: read as :59. */
	check_date("31 Dec 2016 23:59:60 +0000", 1483228799, 0, true);
	check_bad("21 Nov 1997 24:00:00 +0000");
	check_bad("21 Nov 1997 23:60:00 +0000");
	check_bad("21 Nov 1997 23:59:61 +0000");
	check_bad("21 Nov 1997 123:00:00 +0000");
	check_bad("21 Nov 1997 12:000:00 +0000");
	check_bad("21 Nov 1997 12 +0000");
	check_bad("21 Nov 1997 12: +0000");
	check_bad("21 Nov 1997 12:30: +0000");
	check_bad("21 Nov 1997");
	check_bad("21 Nov 1997 12.30 +0000");
}

static void
test_names(void **state)
{
	/* The day of week is not checked against the date. */
	check_date("Mon, 21 Nov 1997 09:55:06 -0600", 880127706, -360, true);
	check_date("Friday, 21 Nov 1997 09:55:06 -0600", 880127706, -360, true);
	check_date("fri 21 Nov 1997 09:55:06 -0600", 880127706, -360, true);
	check_date("FRI , 21 nov 1997 09:55:06 -0600", 880127706, -360, true);
	check_date("21 NOV 1997 09:55:06 -0600", 880127706, -360, true);
	check_date("21 November 1997 09:55:06 -0600", 880127706, -360, true);
	check_bad("Fry, 21 Nov 1997 09:55:06 -0600");
	check_bad("Fri, 21 Nvo 1997 09:55:06 -0600");
	check_bad("Fri, 21 11 1997 09:55:06 -0600");
	check_bad("Fri, Nov 21 1997 09:55:06 -0600");
	check_bad("Fri, 21 No 1997 09:55:06 -0600");
	check_bad(", 21 Nov 1997 09:55:06 -0600");
}

static void
test_comments_and_junk(void **state)
{
	check_date("(c)Fri(c),(c)21(c)Nov(c)1997(c)09(c):(c)55(c):(c)06(c)-0600(c)", 880127706,
	           -360, true);
	check_date("  \t Fri,   21\tNov 1997 09:55:06   -0600  ", 880127706, -360, true);
	check_date("Fri, 21 Nov 1997 09:55:06 -0600 ((nested) \\) comment)", 880127706, -360, true);
	/* Trailing junk after the zone is tolerated. */
	check_date("Fri, 21 Nov 1997 09:55:06 -0600 CST", 880127706, -360, true);
	check_date("Fri, 21 Nov 1997 09:55:06 +0000 UTC extra junk 123 \x01", 880106106, 0, true);
	check_date("Fri, 21 Nov 1997 09:55:06 -0600 (unterminated", 880127706, -360, true);
	/* ... and after the time, instead of a zone: -0000. */
	check_date("Fri, 21 Nov 1997 09:55:06 0600", 880106106, 0, false);
	check_date("Fri, 21 Nov 1997 09:55:06 ,-0600", 880106106, 0, false);
	/* Junk anywhere else is not. */
	check_bad("Fri, 21 Nov 1997 junk 09:55:06 -0600");
	check_bad("Fri, 21 Nov, 1997 09:55:06 -0600");
	check_bad("Fri, 21-Nov-1997 09:55:06 -0600");
	check_bad("(unterminated Fri, 21 Nov 1997 09:55:06 -0600");
	check_bad("");
	check_bad("   ");
	check_bad("(only a comment)");
	check_bad("Fri,");
}

static void
test_hostile(void **state)
{
	static const char nul[] = "Fri, 21 Nov\0 1997 09:55:06 -0600";
	check_bad_len(nul, sizeof(nul) - 1);
	static const char nul_after[] = "Fri, 21 Nov 1997 09:55:06 -0600\0junk";
	check_date_len(nul_after, sizeof(nul_after) - 1, 880127706, -360, true);
	/* The length is honoured: no read past it. */
	check_date_len("21 Nov 1997 09:55:06 -0600", 19, 880106100, 0, false);
	check_bad_len("21 Nov 1997 09:55:06 -0600", 14);
	check_bad_len(NULL, 0);
	check_bad("\xff\xfe 21 Nov 1997 09:55:06 -0600");
	check_bad("21 N\xc3\xb6v 1997 09:55:06 -0600");

	/* 1 MB of '(' and 1 MB of digits: rejected, in linear time. */
	size_t n = 1024 * 1024;
	char *in = sift_malloc(n + 64);
	memset(in, '(', n);
	check_bad_len(in, n);
	memset(in, '0', n);
	check_bad_len(in, n);
	/* Comments nested 100 deep are fine, 101 are not. */
	for (int depth = 100; depth <= 101; depth++) {
		size_t len = 0;
		for (int i = 0; i < depth; i++)
			in[len++] = '(';
		for (int i = 0; i < depth; i++)
			in[len++] = ')';
		memcpy(in + len, "21 Nov 1997 09:55:06 -0600", 26);
		if (depth == 100)
			check_date_len(in, len + 26, 880127706, -360, true);
		else
			check_bad_len(in, len + 26);
	}
	sift_free(in);
}

static void
check_zone(int zone, bool known, const char *want)
{
	struct sift_date d = {0, zone, known};
	char buf[6];

	memset(buf, 'x', sizeof(buf));
	sift_date_zone_format(&d, buf);
	assert_string_equal(buf, want);
}

static void
test_zone_format(void **state)
{
	check_zone(0, true, "+0000");
	check_zone(0, false, "-0000");
	check_zone(-360, true, "-0600");
	check_zone(330, true, "+0530");
	check_zone(-210, true, "-0330");
	check_zone(5999, true, "+9959");
	check_zone(-599, true, "-0959");
	/* Not known: always -0000, whatever the minutes say. */
	check_zone(120, false, "-0000");
	/* Out of the field's range: clamped, never more than 5 bytes. */
	check_zone(100000, true, "+9959");
	check_zone(-2147483647 - 1, true, "-9959");

	/* Round trip through the parser. */
	struct sift_date d;
	char buf[6];
	assert_int_equal(sift_date_parse("1 Jan 2000 00:00 -0330", 22, &d), 0);
	sift_date_zone_format(&d, buf);
	assert_string_equal(buf, "-0330");
	assert_int_equal(sift_date_parse("1 Jan 2000 00:00 EDT", 20, &d), 0);
	sift_date_zone_format(&d, buf);
	assert_string_equal(buf, "-0400");
	assert_int_equal(sift_date_parse("1 Jan 2000 00:00 Q", 18, &d), 0);
	sift_date_zone_format(&d, buf);
	assert_string_equal(buf, "-0000");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc_examples),
	    cmocka_unit_test(test_zones),
	    cmocka_unit_test(test_years),
	    cmocka_unit_test(test_calendar),
	    cmocka_unit_test(test_clock),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_comments_and_junk),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_zone_format),
	};
	return cmocka_run_group_tests_name("rfc5322-date", tests, NULL, NULL);
}
