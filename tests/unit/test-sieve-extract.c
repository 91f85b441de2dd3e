/* SPDX-License-Identifier: MIT */
/* Tests of the date-part formatting (RFC 5260 2.3) and body extraction
   (RFC 5173 5).  Expected strings marked "Pigeonhole" were checked with
   Pigeonhole 0.5.19's sieve-test (date :matches "*" / body :is with
   encoded-character keys); the others follow the RFCs where Pigeonhole
   cannot say (dates before 1970) or differs (see the report). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/charset.h"
#include "mail/defects.h"
#include "mail/message-parser.h"
#include "mail/rfc5322-date.h"
#include "sieve/sieve-extract.h"
#include "util/alloc.h"
#include "util/limits.h"

/* ---- date helpers ------------------------------------------------------- */

static const char *const part_names[] = {"year",  "month",  "day",    "date", "julian",
                                         "hour",  "minute", "second", "time", "iso8601",
                                         "std11", "zone",   "weekday"};
#define NPARTS (sizeof(part_names) / sizeof(part_names[0]))

static int
part(const char *name)
{
	int p = sift_sieve_date_part_lookup(name, strlen(name));
	assert_true(p >= 0);
	return p;
}

/* Formats one part and checks the length against the string. */
static const char *
fmt(const char *name, int64_t t, int zone, bool known)
{
	static char buf[64];
	memset(buf, 'X', sizeof(buf));
	size_t n = sift_sieve_date_format(part(name), t, zone, known, buf);
	assert_int_equal(n, strlen(buf));
	return buf;
}

/* All 13 parts joined with '|', in the order of part_names. */
static void
assert_all_parts(int64_t t, int zone, bool known, const char *expect)
{
	char joined[1024] = "";
	for (size_t i = 0; i < NPARTS; i++) {
		if (i > 0)
			strcat(joined, "|");
		strcat(joined, fmt(part_names[i], t, zone, known));
	}
	assert_string_equal(joined, expect);
}

static int64_t
parse_date(const char *s)
{
	struct sift_date d;
	assert_int_equal(sift_date_parse(s, strlen(s), &d), 0);
	return d.timestamp;
}

/* ---- date part names ---------------------------------------------------- */

static void
test_part_lookup_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < NPARTS; i++) {
		int p = sift_sieve_date_part_lookup(part_names[i], strlen(part_names[i]));
		assert_int_equal(p, (int)i);
		assert_string_equal(sift_sieve_date_part_name(p), part_names[i]);
	}
}

static void
test_part_lookup_case_and_length(void **state)
{
	(void)state;
	assert_int_equal(sift_sieve_date_part_lookup("YEAR", 4), part("year"));
	assert_int_equal(sift_sieve_date_part_lookup("Iso8601", 7), part("iso8601"));
	assert_int_equal(sift_sieve_date_part_lookup("STD11", 5), part("std11"));
	/* The length counts, not a NUL. */
	assert_int_equal(sift_sieve_date_part_lookup("year\0", 5), -1);
	assert_int_equal(sift_sieve_date_part_lookup("yearly", 4), part("year"));
	assert_int_equal(sift_sieve_date_part_lookup("yea", 3), -1);
	assert_int_equal(sift_sieve_date_part_lookup("years", 5), -1);
	assert_int_equal(sift_sieve_date_part_lookup("", 0), -1);
	assert_int_equal(sift_sieve_date_part_lookup("julian\xc3\xa9", 8), -1);
	assert_int_equal(sift_sieve_date_part_lookup("week day", 8), -1);
}

static void
test_part_name_bounds(void **state)
{
	(void)state;
	assert_null(sift_sieve_date_part_name(-1));
	assert_null(sift_sieve_date_part_name((int)NPARTS));
	assert_null(sift_sieve_date_part_name(1000));
}

/* ---- date formatting ---------------------------------------------------- */

/* The instant of the header's example, in its own zone (Pigeonhole,
   :originalzone). */
static void
test_format_original_zone(void **state)
{
	(void)state;
	int64_t t = parse_date("Sun, 21 Jun 2009 18:12:00 -0700");
	assert_all_parts(t, -420, true,
	                 "2009|06|21|2009-06-21|55003|18|12|00|18:12:00|"
	                 "2009-06-21T18:12:00-07:00|Sun, 21 Jun 2009 18:12:00 -0700|-0700|0");
}

/* The same instant under :zone "+0200" (Pigeonhole). */
static void
test_format_zone_shift(void **state)
{
	(void)state;
	int64_t t = parse_date("Sun, 21 Jun 2009 18:12:00 -0700");
	assert_all_parts(t, 120, true,
	                 "2009|06|22|2009-06-22|55004|03|12|00|03:12:00|"
	                 "2009-06-22T03:12:00+02:00|Mon, 22 Jun 2009 03:12:00 +0200|+0200|1");
	/* :zone "-1200" (Pigeonhole). */
	assert_string_equal(fmt("iso8601", t, -720, true), "2009-06-21T13:12:00-12:00");
	assert_string_equal(fmt("std11", t, -720, true), "Sun, 21 Jun 2009 13:12:00 -1200");
}

/* A known zero offset: "Z" in iso8601, a positive sign elsewhere
   (Pigeonhole; RFC 5260 2.3: "An offset of 0 (Zulu) always has a positive
   sign"). */
static void
test_format_utc(void **state)
{
	(void)state;
	int64_t t = parse_date("Sun, 21 Jun 2009 18:12:00 -0700");
	assert_all_parts(t, 0, true,
	                 "2009|06|22|2009-06-22|55004|01|12|00|01:12:00|"
	                 "2009-06-22T01:12:00Z|Mon, 22 Jun 2009 01:12:00 +0000|+0000|1");
}

/* An unknown zone (-0000 in the Date field): shown in UTC, marked
   unknown; the zone argument is ignored. */
static void
test_format_unknown_zone(void **state)
{
	(void)state;
	int64_t t = parse_date("Sun, 21 Jun 2009 18:12:00 -0000");
	assert_all_parts(t, 0, false,
	                 "2009|06|21|2009-06-21|55003|18|12|00|18:12:00|"
	                 "2009-06-21T18:12:00-00:00|Sun, 21 Jun 2009 18:12:00 -0000|-0000|0");
	assert_string_equal(fmt("hour", t, 600, false), "18");
	assert_string_equal(fmt("zone", t, 600, false), "-0000");
}

static void
test_format_negative_minute_zones(void **state)
{
	(void)state;
	assert_string_equal(fmt("zone", 0, -570, true), "-0930");
	assert_string_equal(fmt("iso8601", 0, -570, true), "1969-12-31T14:30:00-09:30");
	/* Less than an hour west keeps its sign. */
	assert_string_equal(fmt("zone", 0, -30, true), "-0030");
	assert_string_equal(fmt("iso8601", 0, -30, true), "1969-12-31T23:30:00-00:30");
	assert_string_equal(fmt("std11", 0, 345, true), "Thu, 01 Jan 1970 05:45:00 +0545");
	assert_string_equal(fmt("zone", 0, 23 * 60 + 59, true), "+2359");
	assert_string_equal(fmt("zone", 0, -(23 * 60 + 59), true), "-2359");
}

/* 1970 and just before it: 64-bit days, no gmtime(). */
static void
test_format_epoch(void **state)
{
	(void)state;
	assert_all_parts(0, 0, true,
	                 "1970|01|01|1970-01-01|40587|00|00|00|00:00:00|"
	                 "1970-01-01T00:00:00Z|Thu, 01 Jan 1970 00:00:00 +0000|+0000|4");
	assert_all_parts(-1, 0, true,
	                 "1969|12|31|1969-12-31|40586|23|59|59|23:59:59|"
	                 "1969-12-31T23:59:59Z|Wed, 31 Dec 1969 23:59:59 +0000|+0000|3");
	/* A negative timestamp that is still 1970 locally (Pigeonhole). */
	int64_t t = parse_date("1 Jan 1970 00:30:00 +0100");
	assert_true(t == -1800);
	assert_all_parts(t, 60, true,
	                 "1970|01|01|1970-01-01|40587|00|30|00|00:30:00|"
	                 "1970-01-01T00:30:00+01:00|Thu, 01 Jan 1970 00:30:00 +0100|+0100|4");
}

/* The Modified Julian Day starts on 1858-11-17 and is negative before. */
static void
test_format_mjd_origin(void **state)
{
	(void)state;
	assert_string_equal(fmt("julian", -3506716800, 0, true), "0");
	assert_string_equal(fmt("date", -3506716800, 0, true), "1858-11-17");
	assert_string_equal(fmt("weekday", -3506716800, 0, true), "3");
	assert_string_equal(fmt("julian", -3506716801, 0, true), "-1");
	assert_string_equal(fmt("time", -3506716801, 0, true), "23:59:59");
	assert_string_equal(fmt("julian", -5364662400, 0, true), "-21504");
	assert_string_equal(fmt("std11", -5364662400, 0, true), "Wed, 01 Jan 1800 00:00:00 +0000");
	/* A zone moves the local date and with it the day number. */
	assert_string_equal(fmt("julian", -3506716800, -60, true), "-1");
	assert_string_equal(fmt("julian", -3506716801, 60, true), "0");
}

/* Years around 0: astronomical numbering, proleptic Gregorian. */
static void
test_format_year_zero_and_before(void **state)
{
	(void)state;
	assert_all_parts(-62135596800, 0, true,
	                 "0001|01|01|0001-01-01|-678575|00|00|00|00:00:00|"
	                 "0001-01-01T00:00:00Z|Mon, 01 Jan 0001 00:00:00 +0000|+0000|1");
	assert_string_equal(fmt("date", -62135596801, 0, true), "0000-12-31");
	assert_string_equal(fmt("weekday", -62135596801, 0, true), "0");
	assert_string_equal(fmt("date", -62167219200, 0, true), "0000-01-01");
	assert_string_equal(fmt("std11", -62167219200, 0, true), "Sat, 01 Jan 0000 00:00:00 +0000");
	assert_string_equal(fmt("iso8601", -62167219201, 0, true), "-0001-12-31T23:59:59Z");
	assert_string_equal(fmt("year", -62167219201, 0, true), "-0001");
	assert_string_equal(fmt("julian", -62167219201, 0, true), "-678942");
	assert_string_equal(fmt("weekday", -62167219201, 0, true), "5");
}

/* Past 9999 the year gets a fifth digit (Pigeonhole: :zone "+1400" on
   "Fri, 31 Dec 9999 23:00:00 -0200"). */
static void
test_format_year_10000(void **state)
{
	(void)state;
	int64_t t = parse_date("Fri, 31 Dec 9999 23:00:00 -0200");
	assert_all_parts(t, -120, true,
	                 "9999|12|31|9999-12-31|2973483|23|00|00|23:00:00|"
	                 "9999-12-31T23:00:00-02:00|Fri, 31 Dec 9999 23:00:00 -0200|-0200|5");
	assert_all_parts(t, 840, true,
	                 "10000|01|01|10000-01-01|2973484|15|00|00|15:00:00|"
	                 "10000-01-01T15:00:00+14:00|Sat, 01 Jan 10000 15:00:00 +1400|+1400|6");
}

/* The ends of int64: no overflow, the zone shift saturates. */
static void
test_format_extreme_timestamps(void **state)
{
	(void)state;
	assert_all_parts(INT64_MAX, 0, true,
	                 "292277026596|12|04|292277026596-12-04|106751991207887|15|30|07|15:30:07|"
	                 "292277026596-12-04T15:30:07Z|Sun, 04 Dec 292277026596 15:30:07 +0000|"
	                 "+0000|0");
	assert_all_parts(INT64_MIN, 0, true,
	                 "-292277022657|01|27|-292277022657-01-27|-106751991126714|08|29|52|"
	                 "08:29:52|-292277022657-01-27T08:29:52Z|"
	                 "Sun, 27 Jan -292277022657 08:29:52 +0000|+0000|0");
	assert_string_equal(fmt("time", INT64_MAX, 1439, true), "15:30:07");
	assert_string_equal(fmt("time", INT64_MIN, -1439, true), "08:29:52");
	assert_string_equal(fmt("time", INT64_MIN, 840, true), "22:29:52");
	/* Any int zone a caller might pass formats without overflow. */
	char buf[64];
	size_t n = sift_sieve_date_format(part("iso8601"), INT64_MAX, INT32_MAX, true, buf);
	assert_int_equal(n, strlen(buf));
	assert_true(n < 64);
	n = sift_sieve_date_format(part("std11"), INT64_MIN, INT32_MIN, true, buf);
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, " -35791394"));
}

static void
test_format_leap_years(void **state)
{
	(void)state;
	/* 1900 is not a leap year, 2000 and 2400 are, 2100 is not. */
	assert_string_equal(fmt("date", -2203977600 + 86400, 0, true), "1900-03-01");
	assert_string_equal(fmt("date", 951782400, 0, true), "2000-02-29");
	assert_string_equal(fmt("weekday", 951782400, 0, true), "2");
	assert_string_equal(fmt("date", 4107456000 + 86400, 0, true), "2100-03-01");
	assert_string_equal(fmt("date", 13574563200, 0, true), "2400-02-29");
	/* Pigeonhole: 2000-02-29 12:00 +0530. */
	int64_t t = parse_date("29 Feb 2000 12:00:00 +0530");
	assert_all_parts(t, 330, true,
	                 "2000|02|29|2000-02-29|51603|12|00|00|12:00:00|"
	                 "2000-02-29T12:00:00+05:30|Tue, 29 Feb 2000 12:00:00 +0530|+0530|2");
	assert_string_equal(fmt("std11", t, 840, true), "Tue, 29 Feb 2000 20:30:00 +1400");
}

/* Every day from 1600 to 2400: the date advances by one day, months have
   their lengths, weekdays cycle and the day number counts up. */
static void
test_format_every_day_1600_2400(void **state)
{
	(void)state;
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 1600, m = 1, d = 1, wd = 6;
	long long mjd = -94553;
	char expect[64];
	for (int64_t t = -11676096000; t <= 13601001600; t += 86400) {
		snprintf(expect, sizeof(expect), "%04d-%02d-%02d", y, m, d);
		assert_string_equal(fmt("date", t + 86399, 0, true), expect);
		snprintf(expect, sizeof(expect), "%d", wd);
		assert_string_equal(fmt("weekday", t, 0, true), expect);
		snprintf(expect, sizeof(expect), "%lld", mjd);
		assert_string_equal(fmt("julian", t, 0, true), expect);
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		int len = mdays[m - 1] + (m == 2 && leap ? 1 : 0);
		if (++d > len) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
		wd = (wd + 1) % 7;
		mjd++;
	}
	assert_int_equal(y, 2401);
	assert_string_equal(fmt("julian", 0, 0, true), "40587");
}

/* std11 output parses back to the same instant and zone with the
   project's RFC 5322 date parser (an independent days-from-civil). */
static void
test_format_std11_roundtrip(void **state)
{
	(void)state;
	static const int zones[] = {0, 60, -60, 330, -570, 840, -720, 1439, -1439};
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* 1900-01-02 .. 9999-12-30 */
		int64_t t = -2208902400 + (int64_t)(x % 255611203199ULL);
		int zone = zones[i % (int)(sizeof(zones) / sizeof(zones[0]))];
		const char *s = fmt("std11", t, zone, true);
		struct sift_date d;
		assert_int_equal(sift_date_parse(s, strlen(s), &d), 0);
		assert_true(d.timestamp == t);
		assert_int_equal(d.zone, zone);
		assert_true(d.zone_known);
	}
}

static void
test_format_unknown_part(void **state)
{
	(void)state;
	char buf[64];
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(sift_sieve_date_format(-1, 0, 0, true, buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sift_sieve_date_format((int)NPARTS, 0, 0, true, buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sift_sieve_date_format(12345, 0, 0, true, buf), 0);
}

/* ---- :zone -------------------------------------------------------------- */

static void
test_zone_parse_valid(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int zone;
	} cases[] = {
	    {"+0000", 0},    {"-0000", 0},     {"+0200", 120}, {"-0700", -420},
	    {"+0530", 330},  {"-0930", -570},  {"+1400", 840}, {"-1200", -720},
	    {"+2359", 1439}, {"-2359", -1439}, {"-0001", -1},  {"+0059", 59},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int zone = 12345;
		assert_int_equal(sift_sieve_zone_parse(cases[i].s, 5, &zone), 0);
		assert_int_equal(zone, cases[i].zone);
	}
}

static void
test_zone_parse_invalid(void **state)
{
	(void)state;
	/* Pigeonhole reads all of these as +0000 or normalizes them (+0060
	   as +0100, +2400 as a day); RFC 5260 says "+hhmm"/"-hhmm". */
	static const char *const bad[] = {
	    "",       "+",      "0200",   "+02",    "+02000",
	    "+2400",  "-2400",  "+0060",  "+9959",  "+0A00",
	    " +0100", "+0100 ", "+01:00", "++0100", "\357\274\2130100", /* U+FF0B FULLWIDTH PLUS */
	    "Z",      "UTC",    "+-100",  "+ 100",  "-00 0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int zone = 12345;
		assert_int_equal(sift_sieve_zone_parse(bad[i], strlen(bad[i]), &zone), -1);
		assert_int_equal(zone, 12345);
	}
	int zone = 12345;
	/* NUL inside: the length counts. */
	assert_int_equal(sift_sieve_zone_parse("+01\0000", 5, &zone), -1);
	assert_int_equal(sift_sieve_zone_parse("+0100", 4, &zone), -1);
	assert_int_equal(sift_sieve_zone_parse("+0100\0", 6, &zone), -1);
	assert_int_equal(zone, 12345);
}

/* Every valid :zone reads back through the zone part unchanged ("-0000"
   becomes "+0000": a zero offset has a positive sign). */
static void
test_zone_parse_format_roundtrip(void **state)
{
	(void)state;
	char s[32];
	for (int sign = 0; sign < 2; sign++) {
		for (int hh = 0; hh < 24; hh++) {
			for (int mm = 0; mm < 60; mm++) {
				snprintf(s, sizeof(s), "%c%02d%02d", sign ? '-' : '+', hh, mm);
				int zone;
				assert_int_equal(sift_sieve_zone_parse(s, 5, &zone), 0);
				const char *z = fmt("zone", 1245607920, zone, true);
				if (hh == 0 && mm == 0)
					assert_string_equal(z, "+0000");
				else
					assert_string_equal(z, s);
			}
		}
	}
}

/* ---- body helpers ------------------------------------------------------- */

#define MAX_PIECES 64

struct pieces {
	size_t count;
	char *data[MAX_PIECES];
	size_t len[MAX_PIECES];
	/* Answer false after this many pieces (0: never). */
	size_t stop_after;
};

static bool
collect(void *context, const char *data, size_t len)
{
	struct pieces *p = context;
	assert_true(p->count < MAX_PIECES);
	assert_non_null(data);
	p->data[p->count] = sift_memdup0(data, len);
	p->len[p->count] = len;
	p->count++;
	return p->stop_after == 0 || p->count < p->stop_after;
}

static void
pieces_free(struct pieces *p)
{
	for (size_t i = 0; i < p->count; i++)
		sift_free(p->data[i]);
	p->count = 0;
}

static struct sift_message *
parse_with(const char *data, size_t len, const struct sift_limits *limits, size_t chunk)
{
	struct sift_message *msg = sift_message_create(limits, NULL);
	const char *error = NULL;
	if (chunk == 0)
		chunk = len == 0 ? 1 : len;
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		assert_int_equal(sift_message_feed(msg, data + off, n, &error), 0);
	}
	assert_int_equal(sift_message_finish(msg, &error), 0);
	return msg;
}

static struct sift_message *
parse(const char *data)
{
	return parse_with(data, strlen(data), NULL, 0);
}

static void
extract(struct sift_message *msg, enum sift_sieve_body_transform transform,
        const char *const *types, size_t ntypes, uint64_t max, struct pieces *out)
{
	const char *error = NULL;
	assert_int_equal(
	    sift_sieve_body_extract(msg, transform, types, ntypes, max, collect, out, &error), 0);
}

static void
extract_type(struct sift_message *msg, const char *type, struct pieces *out)
{
	const char *types[1] = {type};
	extract(msg, SIFT_SIEVE_BODY_CONTENT, types, 1, 0, out);
}

static void
assert_piece_len(const struct pieces *p, size_t i, const char *expect, size_t len)
{
	assert_true(i < p->count);
	if (p->len[i] != len || memcmp(p->data[i], expect, len) != 0)
		fail_msg("piece %zu is \"%s\" (%zu bytes), expected \"%s\"", i, p->data[i],
		         p->len[i], expect);
}

static void
assert_piece(const struct pieces *p, size_t i, const char *expect)
{
	assert_piece_len(p, i, expect, strlen(expect));
}

/* Pigeonhole's nested example message (checked with sieve-test). */
static const char nested[] = "From: a@b\n"
                             "Subject: nested TOPSUBJ\n"
                             "MIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=\"outer\"\n"
                             "\n"
                             "outer preamble PREAMBLE1\n"
                             "--outer\n"
                             "Content-Type: text/plain; charset=iso-8859-1\n"
                             "Content-Transfer-Encoding: quoted-printable\n"
                             "\n"
                             "plain caf=E9 PLAINTEXT\n"
                             "--outer\n"
                             "Content-Type: multipart/alternative; boundary=\"inner\"\n"
                             "\n"
                             "inner preamble PREAMBLE2\n"
                             "--inner\n"
                             "Content-Type: text/html\n"
                             "\n"
                             "<b>HTMLTEXT</b>\n"
                             "--inner\n"
                             "Content-Type: application/octet-stream\n"
                             "Content-Transfer-Encoding: base64\n"
                             "\n"
                             "QklOQVJZREFUQQ==\n"
                             "--inner--\n"
                             "inner epilogue EPILOGUE2\n"
                             "--outer\n"
                             "Content-Type: message/rfc822\n"
                             "\n"
                             "Subject: inner msg SUBJINNER\n"
                             "Content-Type: text/plain\n"
                             "\n"
                             "EMBEDDED body\n"
                             "--outer--\n"
                             "outer epilogue EPILOGUE1\n";

/* ---- :raw --------------------------------------------------------------- */

static void
test_raw_simple(void **state)
{
	(void)state;
	struct sift_message *msg = parse("From: a@b\n\nhello\n");
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "hello\n"); /* Pigeonhole */
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* RFC 5173 5.1: boundaries and part headers are content, nothing is
   decoded. */
static void
test_raw_multipart(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	const char *body = strstr(nested, "\n\n") + 2;
	assert_piece(&p, 0, body);
	assert_null(strstr(p.data[0], "TOPSUBJ"));
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* An empty body is still one item (Pigeonhole gives none). */
static void
test_raw_empty_body(void **state)
{
	(void)state;
	struct sift_message *msg = parse("From: a@b\n\n");
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "");
	pieces_free(&p);
	sift_message_destroy(&msg);

	msg = parse("From: a@b\r\n");
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

static void
test_raw_nul_and_8bit(void **state)
{
	(void)state;
	static const char data[] = "Subject: x\r\n\r\na\0b\xff\xfe\r\nc\0";
	struct sift_message *msg = parse_with(data, sizeof(data) - 1, NULL, 3);
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece_len(&p, 0, "a\0b\xff\xfe\r\nc\0", 9);
	pieces_free(&p);
	/* The text transform keeps the NULs too (valid UTF-8). */
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_true(p.len[0] > 5);
	assert_int_equal(p.data[0][1], '\0');
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* ---- :text and :content on the nested message (Pigeonhole) ------------- */

static void
test_text_nested(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 3);
	assert_piece(&p, 0, "plain caf\xc3\xa9 PLAINTEXT");
	/* Pigeonhole strips the mark-up here; RFC 5173 5.3 allows, not asks. */
	assert_piece(&p, 1, "<b>HTMLTEXT</b>");
	assert_piece(&p, 2, "EMBEDDED body");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* RFC 5173 5.2: a matching multipart offers its preamble and epilogue,
   each as one string, and nothing of its body parts. */
static void
test_content_multipart_nested(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {0};
	extract_type(msg, "multipart", &p);
	assert_int_equal(p.count, 4);
	assert_piece(&p, 0, "outer preamble PREAMBLE1");
	assert_piece(&p, 1, "outer epilogue EPILOGUE1\n");
	assert_piece(&p, 2, "inner preamble PREAMBLE2");
	assert_piece(&p, 3, "inner epilogue EPILOGUE2");
	pieces_free(&p);

	extract_type(msg, "multipart/alternative", &p);
	assert_int_equal(p.count, 2);
	assert_piece(&p, 0, "inner preamble PREAMBLE2");
	assert_piece(&p, 1, "inner epilogue EPILOGUE2");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* RFC 5173 5.2: a matching message/rfc822 offers the enclosed header as
   one string; its body is searched only if its own type matches. */
static void
test_content_message_header(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {0};
	extract_type(msg, "message/rfc822", &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "Subject: inner msg SUBJINNER\nContent-Type: text/plain\n");
	pieces_free(&p);
	extract_type(msg, "message", &p);
	assert_int_equal(p.count, 1);
	assert_null(strstr(p.data[0], "EMBEDDED"));
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* The Pigeonhole test suite's message (content.svtest), CRLF line ends:
   the header block keeps its folding and its last line end. */
static void
test_content_message_header_crlf(void **state)
{
	(void)state;
	struct sift_message *msg =
	    parse("From: Whomever <whoever@example.com>\r\n"
	          "Content-Type: multipart/mixed; boundary=outer\r\n"
	          "\r\n"
	          "This is a multi-part message in MIME format.\r\n"
	          "\r\n"
	          "--outer\r\n"
	          "Content-Type: multipart/alternative; boundary=inner\r\n"
	          "\r\n"
	          "This is a nested multi-part message in MIME format.\r\n"
	          "\r\n"
	          "--inner\r\n"
	          "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
	          "\r\n"
	          "Hello\r\n"
	          "\r\n"
	          "--inner\r\n"
	          "Content-Type: text/html; charset=\"us-ascii\"\r\n"
	          "\r\n"
	          "<html><body>Hello</body></html>\r\n"
	          "\r\n"
	          "--inner--\r\n"
	          "\r\n"
	          "This is the end of the inner MIME multipart.\r\n"
	          "\r\n"
	          "--outer\r\n"
	          "Content-Type: message/rfc822\r\n"
	          "\r\n"
	          "From: Someone Else\r\n"
	          "Subject: Hello, this is an elaborate request for you to finally say hello\r\n"
	          " already!\r\n"
	          "\r\n"
	          "Please say Hello\r\n"
	          "\r\n"
	          "--outer--\r\n"
	          "\r\n"
	          "This is the end of the outer MIME multipart.\r\n");
	struct pieces p = {0};
	extract_type(msg, "message/rfc822", &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0,
	             "From: Someone Else\r\n"
	             "Subject: Hello, this is an elaborate request for you to finally say hello\r\n"
	             " already!\r\n");
	pieces_free(&p);
	extract_type(msg, "text", &p);
	assert_int_equal(p.count, 3);
	assert_piece(&p, 0, "Hello\r\n");
	assert_piece(&p, 1, "<html><body>Hello</body></html>\r\n");
	assert_piece(&p, 2, "Please say Hello\r\n");
	pieces_free(&p);
	extract_type(msg, "multipart", &p);
	assert_int_equal(p.count, 4);
	assert_piece(&p, 0, "This is a multi-part message in MIME format.\r\n");
	assert_piece(&p, 1, "\r\nThis is the end of the outer MIME multipart.\r\n");
	assert_piece(&p, 2, "This is a nested multi-part message in MIME format.\r\n");
	assert_piece(&p, 3, "\r\nThis is the end of the inner MIME multipart.\r\n");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* "" matches every part: 2 preambles, 2 epilogues, 3 leaves, the
   enclosed header and the enclosed body (Pigeonhole counts 9 too). */
static void
test_content_all(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {0};
	extract_type(msg, "", &p);
	assert_int_equal(p.count, 9);
	assert_piece(&p, 0, "outer preamble PREAMBLE1");
	assert_piece(&p, 1, "outer epilogue EPILOGUE1\n");
	assert_piece(&p, 2, "plain caf\xc3\xa9 PLAINTEXT");
	assert_piece(&p, 3, "inner preamble PREAMBLE2");
	assert_piece(&p, 4, "inner epilogue EPILOGUE2");
	assert_piece(&p, 5, "<b>HTMLTEXT</b>");
	assert_piece(&p, 6, "BINARYDATA");
	assert_piece(&p, 7, "Subject: inner msg SUBJINNER\nContent-Type: text/plain\n");
	assert_piece(&p, 8, "EMBEDDED body");
	for (size_t i = 0; i < p.count; i++)
		assert_null(strstr(p.data[i], "TOPSUBJ"));
	pieces_free(&p);
	sift_message_destroy(&msg);
}

static void
test_content_application_decoded(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {0};
	extract_type(msg, "application", &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "BINARYDATA");
	pieces_free(&p);
	extract_type(msg, "application/octet-stream", &p);
	assert_int_equal(p.count, 1);
	pieces_free(&p);
	extract_type(msg, "application/pdf", &p);
	assert_int_equal(p.count, 0);
	sift_message_destroy(&msg);
}

static void
test_content_case_insensitive(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {0};
	extract_type(msg, "TEXT/PLAIN", &p);
	assert_int_equal(p.count, 2);
	assert_piece(&p, 0, "plain caf\xc3\xa9 PLAINTEXT");
	assert_piece(&p, 1, "EMBEDDED body");
	pieces_free(&p);
	extract_type(msg, "Text/Html", &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "<b>HTMLTEXT</b>");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* RFC 5173 5.2: a type that begins or ends with '/' or has two slashes
   matches nothing (Pigeonhole's content.svtest). */
static void
test_content_bad_specs(void **state)
{
	(void)state;
	struct sift_message *msg = parse("From: a@b\n"
	                                 "Content-Type: multipart/mixed; boundary=donkey\n"
	                                 "\n"
	                                 "preamble\n"
	                                 "--donkey\n"
	                                 "Content-Type: text/plain\n"
	                                 "\n"
	                                 "Plain Text\n"
	                                 "--donkey\n"
	                                 "Content-Type: text/plain/stupid\n"
	                                 "\n"
	                                 "Plain Stupid Text\n"
	                                 "--donkey--\n");
	static const char *const bad[] = {
	    "/plain", "text/", "text/plain/stupid", "/", "//", "text//plain", "*", "text/*"};
	struct pieces p = {0};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		extract_type(msg, bad[i], &p);
		assert_int_equal(p.count, 0);
	}
	/* The part whose Content-Type does not parse is text/plain. */
	extract_type(msg, "text/plain", &p);
	assert_int_equal(p.count, 2);
	assert_piece(&p, 0, "Plain Text");
	assert_piece(&p, 1, "Plain Stupid Text");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

static void
test_content_type_lists(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {0};
	const char *two[] = {"text/html", "application"};
	extract(msg, SIFT_SIEVE_BODY_CONTENT, two, 2, 0, &p);
	assert_int_equal(p.count, 2);
	assert_piece(&p, 0, "<b>HTMLTEXT</b>");
	assert_piece(&p, 1, "BINARYDATA");
	pieces_free(&p);
	/* A part matching two types is still one piece. */
	const char *overlap[] = {"text", "text/plain", ""};
	extract(msg, SIFT_SIEVE_BODY_CONTENT, overlap, 2, 0, &p);
	assert_int_equal(p.count, 3);
	pieces_free(&p);
	/* No types, or a NULL entry: nothing. */
	extract(msg, SIFT_SIEVE_BODY_CONTENT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 0);
	const char *none[] = {NULL};
	extract(msg, SIFT_SIEVE_BODY_CONTENT, none, 1, 0, &p);
	assert_int_equal(p.count, 0);
	sift_message_destroy(&msg);
}

/* RFC 5173 section 7, the examples: a text part with "missile" goes to
   "secrets", an audio/mp3 part makes :contains "" true. */
static void
test_content_rfc5173_examples(void **state)
{
	(void)state;
	struct sift_message *msg = parse("From: a@b\r\n"
	                                 "Content-Type: multipart/mixed; boundary=X\r\n"
	                                 "\r\n"
	                                 "--X\r\n"
	                                 "Content-Type: text/plain\r\n"
	                                 "\r\n"
	                                 "the missile coordinates\r\n"
	                                 "--X\r\n"
	                                 "Content-Type: audio/mp3\r\n"
	                                 "Content-Transfer-Encoding: base64\r\n"
	                                 "\r\n"
	                                 "SUQz\r\n"
	                                 "--X--\r\n");
	struct pieces p = {0};
	extract_type(msg, "text", &p);
	assert_int_equal(p.count, 1);
	assert_non_null(strstr(p.data[0], "missile"));
	pieces_free(&p);
	extract_type(msg, "audio/mp3", &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "ID3");
	pieces_free(&p);
	extract_type(msg, "audio/mpeg", &p);
	assert_int_equal(p.count, 0);
	sift_message_destroy(&msg);
}

/* ---- preambles and epilogues (each shape checked with Pigeonhole) ------- */

static void
assert_multipart_pieces(const char *body, const char *text, size_t n, const char *first,
                        const char *second)
{
	char msgtext[512];
	snprintf(msgtext, sizeof(msgtext),
	         "From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n%s", body);
	struct sift_message *msg = parse(msgtext);
	struct pieces p = {0};
	extract_type(msg, "multipart", &p);
	assert_int_equal(p.count, n);
	if (n > 0)
		assert_piece(&p, 0, first);
	if (n > 1)
		assert_piece(&p, 1, second);
	pieces_free(&p);
	extract_type(msg, "text", &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, text);
	pieces_free(&p);
	sift_message_destroy(&msg);
}

#define PART "--b\nContent-Type: text/plain\n\nx\n"

static void
test_preamble_epilogue_shapes(void **state)
{
	(void)state;
	assert_multipart_pieces(PART "--b--\nEPI\n", "x", 2, "", "EPI\n");
	assert_multipart_pieces("PRE\n" PART "--b--", "x", 1, "PRE", NULL);
	assert_multipart_pieces("PRE\n" PART "--b--\n", "x", 1, "PRE", NULL);
	/* No close delimiter: the last part runs to the end. */
	assert_multipart_pieces("PRE\n" PART, "x\n", 1, "PRE", NULL);
	assert_multipart_pieces(PART "--b--", "x", 1, "", NULL);
	assert_multipart_pieces(PART "--b--\n\n", "x", 2, "", "\n");
	assert_multipart_pieces("\n" PART "--b--", "x", 1, "", NULL);
	assert_multipart_pieces("a\nb\n\n" PART "--b--  \n\nend", "x", 2, "a\nb\n", "\nend");
	/* Transport padding after the delimiter lines. */
	assert_multipart_pieces("PRE\n--b \t\nContent-Type: text/plain\n\nx\n--b-- \nEPI", "x", 2,
	                        "PRE", "EPI");
}

static void
test_preamble_epilogue_crlf(void **state)
{
	(void)state;
	struct sift_message *msg = parse("From: a@b\r\n"
	                                 "Content-Type: multipart/mixed; boundary=b\r\n"
	                                 "\r\n"
	                                 "pre 1\r\n"
	                                 "pre 2\r\n"
	                                 "--b\r\n"
	                                 "\r\n"
	                                 "one\r\n"
	                                 "--b\r\n"
	                                 "\r\n"
	                                 "--b--\r\n"
	                                 "epi 1\r\n"
	                                 "epi 2");
	struct pieces p = {0};
	extract_type(msg, "multipart", &p);
	assert_int_equal(p.count, 2);
	assert_piece(&p, 0, "pre 1\r\npre 2");
	assert_piece(&p, 1, "epi 1\r\nepi 2");
	pieces_free(&p);
	/* The second part's body is empty: its header's blank line was the
	   line end before the close delimiter. */
	extract_type(msg, "text", &p);
	assert_int_equal(p.count, 2);
	assert_piece(&p, 0, "one");
	assert_piece(&p, 1, "");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* ---- limits, stopping, bad input ---------------------------------------- */

static void
test_max_bytes_per_piece(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {0};
	const char *all[] = {""};
	extract(msg, SIFT_SIEVE_BODY_CONTENT, all, 1, 5, &p);
	assert_int_equal(p.count, 9);
	assert_piece(&p, 0, "outer");
	assert_piece(&p, 1, "outer");
	assert_piece(&p, 2, "plain");
	assert_piece(&p, 5, "<b>HT");
	assert_piece(&p, 6, "BINAR");
	assert_piece(&p, 7, "Subje");
	assert_piece(&p, 8, "EMBED");
	pieces_free(&p);
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 7, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "outer p");
	pieces_free(&p);
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 1, &p);
	assert_int_equal(p.count, 3);
	assert_piece(&p, 0, "p");
	assert_piece(&p, 1, "<");
	assert_piece(&p, 2, "E");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* A cut inside converted text stays valid UTF-8. */
static void
test_max_bytes_utf8_cut(void **state)
{
	(void)state;
	struct sift_message *msg = parse("Content-Type: text/plain; charset=iso-8859-1\n"
	                                 "\n"
	                                 "\xe9\xe9\xe9\xe9");
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 5, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "\xc3\xa9\xc3\xa9");
	pieces_free(&p);
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_piece(&p, 0, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

static void
test_callback_stops(void **state)
{
	(void)state;
	struct sift_message *msg = parse(nested);
	struct pieces p = {.stop_after = 1};
	const char *all[] = {""};
	extract(msg, SIFT_SIEVE_BODY_CONTENT, all, 1, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "outer preamble PREAMBLE1");
	pieces_free(&p);
	p.stop_after = 2;
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 2);
	pieces_free(&p);
	/* Stopping between a preamble and its epilogue. */
	p.stop_after = 1;
	extract_type(msg, "multipart", &p);
	assert_int_equal(p.count, 1);
	pieces_free(&p);
	sift_message_destroy(&msg);
}

static void
test_unknown_charset_kept(void **state)
{
	(void)state;
	struct sift_message *msg = parse("Content-Type: text/plain; charset=x-klingon\n"
	                                 "\n"
	                                 "qapla\xff\n");
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "qapla\xff\n");
	assert_true((sift_message_root(msg)->defects & SIFT_DEFECT_UNKNOWN_CHARSET) != 0);
	pieces_free(&p);
	sift_message_destroy(&msg);
}

static void
test_bad_base64_flagged(void **state)
{
	(void)state;
	struct sift_message *msg = parse("Content-Type: text/plain\n"
	                                 "Content-Transfer-Encoding: base64\n"
	                                 "\n"
	                                 "aGVs!bG8=\n");
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "hello");
	assert_true((sift_message_root(msg)->defects & SIFT_DEFECT_BAD_BASE64) != 0);
	pieces_free(&p);
	/* :raw does not decode. */
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 0, &p);
	assert_piece(&p, 0, "aGVs!bG8=\n");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* 300 nested multiparts, past mime_depth: bounded work, the innermost
   text is not reached, the cut-off multipart is a leaf. */
static void
test_deep_nesting(void **state)
{
	(void)state;
	struct sift_buf b;
	sift_buf_init(&b, 0);
	sift_buf_printf(&b, "From: a@b\n");
	for (int i = 0; i < 300; i++)
		sift_buf_printf(&b,
		                "Content-Type: multipart/mixed; boundary=\"b%d\"\n\npre%d\n--b%d\n",
		                i, i, i);
	sift_buf_printf(&b, "Content-Type: text/plain\n\ndeep text\n");
	for (int i = 299; i >= 0; i--)
		sift_buf_printf(&b, "--b%d--\nepi%d\n", i, i);
	struct sift_limits limits;
	sift_limits_init(&limits);
	struct sift_message *msg = parse_with(b.data, b.len, &limits, 0);
	assert_true((sift_message_defects(msg) & SIFT_DEFECT_DEPTH_LIMIT) != 0);
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 0);
	pieces_free(&p);
	const char *multi[] = {"multipart"};
	struct pieces first = {.stop_after = 3};
	extract(msg, SIFT_SIEVE_BODY_CONTENT, multi, 1, 0, &first);
	assert_int_equal(first.count, 3);
	assert_piece(&first, 0, "pre0");
	assert_piece(&first, 1, "epi0\n");
	assert_piece(&first, 2, "pre1");
	pieces_free(&first);
	sift_buf_free(&b);
	sift_message_destroy(&msg);
}

/* With body_memory 0 every byte comes from the spill file. */
static void
test_spilled_store(void **state)
{
	(void)state;
	struct sift_limits limits;
	const char *error;
	sift_limits_init(&limits);
	assert_int_equal(sift_limits_set(&limits, "body_memory", "0", &error), 0);
	struct sift_message *msg = parse_with(nested, strlen(nested), &limits, 7);
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 0, &p);
	assert_piece(&p, 0, strstr(nested, "\n\n") + 2);
	pieces_free(&p);
	extract_type(msg, "", &p);
	assert_int_equal(p.count, 9);
	assert_piece(&p, 1, "outer epilogue EPILOGUE1\n");
	assert_piece(&p, 2, "plain caf\xc3\xa9 PLAINTEXT");
	assert_piece(&p, 7, "Subject: inner msg SUBJINNER\nContent-Type: text/plain\n");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* libmilter's shape: fields one by one, then the body. */
static void
test_milter_shape(void **state)
{
	(void)state;
	const char *error;
	struct sift_message *msg = sift_message_create(NULL, NULL);
	assert_int_equal(sift_message_feed_header(msg, "Subject", 7, "x", 1, &error), 0);
	static const char ct[] = "multipart/mixed;\r\n\tboundary=zz";
	assert_int_equal(
	    sift_message_feed_header(msg, "Content-Type", 12, ct, sizeof(ct) - 1, &error), 0);
	assert_int_equal(sift_message_feed_end_of_headers(msg, &error), 0);
	static const char body[] = "pre\r\n--zz\r\nContent-Type: message/rfc822\r\n\r\n"
	                           "Subject: in\r\n\r\nbody\r\n--zz--\r\n";
	assert_int_equal(sift_message_feed_body(msg, body, sizeof(body) - 1, &error), 0);
	assert_int_equal(sift_message_finish(msg, &error), 0);
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 0, &p);
	assert_piece(&p, 0, body);
	pieces_free(&p);
	extract_type(msg, "", &p);
	assert_int_equal(p.count, 3);
	assert_piece(&p, 0, "pre");
	assert_piece(&p, 1, "Subject: in\r\n");
	assert_piece(&p, 2, "body");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* A base64 message/rfc822 is not descended (RFC 2046 5.2.1): its decoded
   body, header included, is the content. */
static void
test_encoded_message_is_leaf(void **state)
{
	(void)state;
	struct sift_message *msg = parse("Content-Type: message/rfc822\n"
	                                 "Content-Transfer-Encoding: base64\n"
	                                 "\n"
	                                 "U3ViamVjdDogaGkKCmJvZHkK\n");
	assert_true((sift_message_defects(msg) & SIFT_DEFECT_ENCODED_MESSAGE) != 0);
	struct pieces p = {0};
	extract_type(msg, "message", &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "Subject: hi\n\nbody\n");
	pieces_free(&p);
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 0);
	sift_message_destroy(&msg);
}

static void
test_multipart_without_boundary_is_leaf(void **state)
{
	(void)state;
	struct sift_message *msg = parse("Content-Type: multipart/mixed\n"
	                                 "\n"
	                                 "--b\nContent-Type: text/plain\n\nx\n--b--\n");
	assert_true((sift_message_defects(msg) & SIFT_DEFECT_NO_BOUNDARY) != 0);
	struct pieces p = {0};
	extract_type(msg, "multipart", &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "--b\nContent-Type: text/plain\n\nx\n--b--\n");
	pieces_free(&p);
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 0);
	sift_message_destroy(&msg);
}

/* A close delimiter with no body part: the whole body is the preamble. */
static void
test_multipart_no_parts(void **state)
{
	(void)state;
	struct sift_message *msg = parse("Content-Type: multipart/mixed; boundary=b\n"
	                                 "\n"
	                                 "nothing here\n--b--\nafter\n");
	assert_true((sift_message_defects(msg) & SIFT_DEFECT_NO_PARTS) != 0);
	struct pieces p = {0};
	extract_type(msg, "multipart", &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "nothing here\n--b--\nafter\n");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* Empty text parts are one empty piece each (Pigeonhole: :text on a
   message without body counts 1). */
static void
test_empty_text_parts(void **state)
{
	(void)state;
	struct sift_message *msg = parse("From: a@b\n\n");
	struct pieces p = {0};
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "");
	pieces_free(&p);
	sift_message_destroy(&msg);

	/* Input that ends inside the header block: no body at all. */
	msg = parse("From: a@b");
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "");
	pieces_free(&p);
	extract(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, 0, &p);
	assert_int_equal(p.count, 1);
	assert_piece(&p, 0, "");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* Header blocks cut short: an enclosed message whose header has no
   empty line, and one with nothing at all. */
static void
test_enclosed_header_edges(void **state)
{
	(void)state;
	struct sift_message *msg = parse("Content-Type: multipart/mixed; boundary=b\n"
	                                 "\n"
	                                 "--b\n"
	                                 "Content-Type: message/rfc822\n"
	                                 "\n"
	                                 "Subject: cut\n"
	                                 "--b\n"
	                                 "Content-Type: message/rfc822\n"
	                                 "\n"
	                                 "\n"
	                                 "only body\n"
	                                 "--b--\n");
	struct pieces p = {0};
	extract_type(msg, "message/rfc822", &p);
	assert_int_equal(p.count, 2);
	assert_piece(&p, 0, "Subject: cut\n");
	assert_piece(&p, 1, "");
	pieces_free(&p);
	extract(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, 0, &p);
	assert_int_equal(p.count, 2);
	assert_piece(&p, 0, "");
	assert_piece(&p, 1, "only body");
	pieces_free(&p);
	sift_message_destroy(&msg);
}

/* The same pieces however the message was split when fed. */
static void
test_chunking_invariance(void **state)
{
	(void)state;
	struct sift_message *whole = parse(nested);
	struct pieces a = {0};
	extract_type(whole, "", &a);
	for (size_t chunk = 1; chunk < 40; chunk += 3) {
		struct sift_message *msg = parse_with(nested, strlen(nested), NULL, chunk);
		struct pieces b = {0};
		extract_type(msg, "", &b);
		assert_int_equal(a.count, b.count);
		for (size_t i = 0; i < a.count; i++)
			assert_piece_len(&b, i, a.data[i], a.len[i]);
		pieces_free(&b);
		sift_message_destroy(&msg);
	}
	pieces_free(&a);
	sift_message_destroy(&whole);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_part_lookup_names),
	    cmocka_unit_test(test_part_lookup_case_and_length),
	    cmocka_unit_test(test_part_name_bounds),
	    cmocka_unit_test(test_format_original_zone),
	    cmocka_unit_test(test_format_zone_shift),
	    cmocka_unit_test(test_format_utc),
	    cmocka_unit_test(test_format_unknown_zone),
	    cmocka_unit_test(test_format_negative_minute_zones),
	    cmocka_unit_test(test_format_epoch),
	    cmocka_unit_test(test_format_mjd_origin),
	    cmocka_unit_test(test_format_year_zero_and_before),
	    cmocka_unit_test(test_format_year_10000),
	    cmocka_unit_test(test_format_extreme_timestamps),
	    cmocka_unit_test(test_format_leap_years),
	    cmocka_unit_test(test_format_every_day_1600_2400),
	    cmocka_unit_test(test_format_std11_roundtrip),
	    cmocka_unit_test(test_format_unknown_part),
	    cmocka_unit_test(test_zone_parse_valid),
	    cmocka_unit_test(test_zone_parse_invalid),
	    cmocka_unit_test(test_zone_parse_format_roundtrip),
	    cmocka_unit_test(test_raw_simple),
	    cmocka_unit_test(test_raw_multipart),
	    cmocka_unit_test(test_raw_empty_body),
	    cmocka_unit_test(test_raw_nul_and_8bit),
	    cmocka_unit_test(test_text_nested),
	    cmocka_unit_test(test_content_multipart_nested),
	    cmocka_unit_test(test_content_message_header),
	    cmocka_unit_test(test_content_message_header_crlf),
	    cmocka_unit_test(test_content_all),
	    cmocka_unit_test(test_content_application_decoded),
	    cmocka_unit_test(test_content_case_insensitive),
	    cmocka_unit_test(test_content_bad_specs),
	    cmocka_unit_test(test_content_type_lists),
	    cmocka_unit_test(test_content_rfc5173_examples),
	    cmocka_unit_test(test_preamble_epilogue_shapes),
	    cmocka_unit_test(test_preamble_epilogue_crlf),
	    cmocka_unit_test(test_max_bytes_per_piece),
	    cmocka_unit_test(test_max_bytes_utf8_cut),
	    cmocka_unit_test(test_callback_stops),
	    cmocka_unit_test(test_unknown_charset_kept),
	    cmocka_unit_test(test_bad_base64_flagged),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_spilled_store),
	    cmocka_unit_test(test_milter_shape),
	    cmocka_unit_test(test_encoded_message_is_leaf),
	    cmocka_unit_test(test_multipart_without_boundary_is_leaf),
	    cmocka_unit_test(test_multipart_no_parts),
	    cmocka_unit_test(test_empty_text_parts),
	    cmocka_unit_test(test_enclosed_header_edges),
	    cmocka_unit_test(test_chunking_invariance),
	};
	int ret = cmocka_run_group_tests_name("sieve-extract", tests, NULL, NULL);
	sift_charset_thread_deinit();
	return ret;
}
