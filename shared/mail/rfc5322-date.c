/* SPDX-License-Identifier: MIT */
/* RFC 5322 date-time (3.3) with the obsolete forms of 4.3.

   Accepted: an optional day of week (three-letter or full name, with or
   without its comma; not checked against the date), day (1-2 digits),
   month name (three-letter or full, any case), year (4 digits; 2 digits:
   00-49 -> 20xx, 50-99 -> 19xx; 3 digits: +1900), hh:mm[:ss] (1-2 digits
   each), then a numeric zone, a zone name, or no zone.  Comments (nested,
   up to DATE_COMMENT_DEPTH) and white space may stand between any two
   tokens.  Anything after the zone is ignored, as are tokens after the time
   that are no zone (the zone is then -0000).

   Range checks: years 1900-9999, the day against the month (leap years
   included), hour < 24, minute < 60, second <= 60 (a leap second is read
   as :59), zone minutes < 60.  Out of range or missing fields: -1.

   The timestamp is computed from the civil date here, with no mktime() or
   TZ dependence. */
#include "mail/rfc5322-date.h"
#include "mail/rfc5322.h"
#include "util/str.h"

#include <string.h>

#define DATE_COMMENT_DEPTH 100

enum date_tok_type {
	DTOK_END,
	DTOK_NUM,
	DTOK_ALPHA,
	DTOK_CHAR,
	/* Unterminated or too deep comment. */
	DTOK_BAD,
};

struct date_tok {
	enum date_tok_type type;
	const char *s;
	size_t len;
};

struct date_lexer {
	const char *in;
	size_t len;
	size_t pos;
};

static bool
date_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
date_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skips the comment at lx->pos; false if it does not end or nests too
   deep. */
static bool
date_skip_comment(struct date_lexer *lx)
{
	enum sift_comment_status status;
	lx->pos = sift_rfc5322_skip_comment(lx->in, lx->len, lx->pos, DATE_COMMENT_DEPTH, &status);
	return status == SIFT_COMMENT_CLOSED;
}

static void
date_next(struct date_lexer *lx, struct date_tok *t)
{
	for (;;) {
		if (lx->pos >= lx->len) {
			t->type = DTOK_END;
			t->s = lx->in + lx->len;
			t->len = 0;
			return;
		}
		char c = lx->in[lx->pos];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			lx->pos++;
		} else if (c == '(') {
			if (!date_skip_comment(lx)) {
				t->type = DTOK_BAD;
				t->s = lx->in + lx->len;
				t->len = 0;
				return;
			}
		} else {
			break;
		}
	}

	size_t start = lx->pos;
	char c = lx->in[start];
	if (date_is_digit(c)) {
		t->type = DTOK_NUM;
		while (lx->pos < lx->len && date_is_digit(lx->in[lx->pos]))
			lx->pos++;
	} else if (date_is_alpha(c)) {
		t->type = DTOK_ALPHA;
		while (lx->pos < lx->len && date_is_alpha(lx->in[lx->pos]))
			lx->pos++;
	} else {
		t->type = DTOK_CHAR;
		lx->pos++;
	}
	t->s = lx->in + start;
	t->len = lx->pos - start;
}

static bool
date_is_char(const struct date_tok *t, char c)
{
	return t->type == DTOK_CHAR && t->s[0] == c;
}

/* Value of a number token of min to max digits, or -1. */
static int
date_num(const struct date_tok *t, size_t min, size_t max)
{
	if (t->type != DTOK_NUM || t->len < min || t->len > max)
		return -1;
	int v = 0;
	for (size_t i = 0; i < t->len; i++)
		v = v * 10 + (t->s[i] - '0');
	return v;
}

static const char *const date_days[7][2] = {
    {"mon", "monday"}, {"tue", "tuesday"},  {"wed", "wednesday"}, {"thu", "thursday"},
    {"fri", "friday"}, {"sat", "saturday"}, {"sun", "sunday"},
};

static const char *const date_months[12][2] = {
    {"jan", "january"},   {"feb", "february"}, {"mar", "march"},    {"apr", "april"},
    {"may", "may"},       {"jun", "june"},     {"jul", "july"},     {"aug", "august"},
    {"sep", "september"}, {"oct", "october"},  {"nov", "november"}, {"dec", "december"},
};

static bool
date_is_day_name(const struct date_tok *t)
{
	for (size_t i = 0; i < 7; i++) {
		if (sift_mem_eq_ci(t->s, t->len, date_days[i][0]) ||
		    sift_mem_eq_ci(t->s, t->len, date_days[i][1]))
			return true;
	}
	return false;
}

/* Month 1-12 or -1. */
static int
date_month(const struct date_tok *t)
{
	if (t->type != DTOK_ALPHA)
		return -1;
	for (size_t i = 0; i < 12; i++) {
		if (sift_mem_eq_ci(t->s, t->len, date_months[i][0]) ||
		    sift_mem_eq_ci(t->s, t->len, date_months[i][1]))
			return (int)i + 1;
	}
	return -1;
}

struct date_zone_name {
	const char *name;
	int minutes;
};

/* RFC 5322 4.3; "UTC" is not in the RFC but its meaning is not in doubt. */
static const struct date_zone_name date_zones[] = {
    {"ut", 0},        {"utc", 0},       {"gmt", 0},       {"z", 0},
    {"est", -5 * 60}, {"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60},
    {"mst", -7 * 60}, {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60},
};

static void
date_zone_name(const struct date_tok *t, struct sift_date *date)
{
	for (size_t i = 0; i < sizeof(date_zones) / sizeof(date_zones[0]); i++) {
		if (sift_mem_eq_ci(t->s, t->len, date_zones[i].name)) {
			date->zone = date_zones[i].minutes;
			date->zone_known = true;
			return;
		}
	}
	/* Military letters (RFC 822 had their signs backwards) and names
	   whose meaning is not known: RFC 5322 4.3 says -0000. */
}

static bool
date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
date_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.  The
   year is counted from March so the leap day comes last; a 400-year era
   holds 146097 days; 719468 is 0000-03-01 to 1970-01-01. */
static int64_t
date_days_from_civil(int y, int m, int d)
{
	if (m <= 2)
		y--;
	int64_t era = y / 400; /* y >= 1899: no negative rounding */
	int64_t yoe = y - era * 400;
	int64_t mp = m > 2 ? m - 3 : m + 9;
	int64_t doy = (153 * mp + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
sift_date_parse(const char *in, size_t len, struct sift_date *date_r)
{
	struct date_lexer lx = {in, in == NULL ? 0 : len, 0};
	struct date_tok t;
	struct sift_date date = {0, 0, false};

	date_next(&lx, &t);
	if (t.type == DTOK_ALPHA) {
		if (!date_is_day_name(&t))
			return -1;
		date_next(&lx, &t);
		if (date_is_char(&t, ','))
			date_next(&lx, &t);
	}

	int day = date_num(&t, 1, 2);
	date_next(&lx, &t);
	int month = date_month(&t);
	date_next(&lx, &t);
	int year = date_num(&t, 2, 4);
	if (day < 1 || month < 0 || year < 0)
		return -1;
	if (t.len == 2)
		year += year < 50 ? 2000 : 1900;
	else if (t.len == 3)
		year += 1900;
	if (year < 1900 || day > date_days_in_month(year, month))
		return -1;

	date_next(&lx, &t);
	int hour = date_num(&t, 1, 2);
	date_next(&lx, &t);
	if (hour < 0 || hour > 23 || !date_is_char(&t, ':'))
		return -1;
	date_next(&lx, &t);
	int minute = date_num(&t, 1, 2);
	if (minute < 0 || minute > 59)
		return -1;
	int second = 0;
	date_next(&lx, &t);
	if (date_is_char(&t, ':')) {
		date_next(&lx, &t);
		second = date_num(&t, 1, 2);
		if (second < 0 || second > 60)
			return -1;
		if (second == 60)
			second = 59;
		date_next(&lx, &t);
	}

	if (date_is_char(&t, '+') || date_is_char(&t, '-')) {
		bool minus = t.s[0] == '-';
		date_next(&lx, &t);
		int hhmm = date_num(&t, 4, 4);
		if (hhmm < 0 || hhmm % 100 > 59)
			return -1;
		int zone = hhmm / 100 * 60 + hhmm % 100;
		date.zone = minus ? -zone : zone;
		/* "-0000": the local time is all that is known. */
		date.zone_known = !(minus && zone == 0);
	} else if (t.type == DTOK_ALPHA) {
		date_zone_name(&t, &date);
	}

	date.timestamp = date_days_from_civil(year, month, day) * 86400 + hour * 3600 +
	                 minute * 60 + second - (int64_t)date.zone * 60;
	*date_r = date;
	return 0;
}

void
sift_date_zone_format(const struct sift_date *date, char buf[6])
{
	long zone = date->zone_known ? date->zone : 0;
	char sign = !date->zone_known || zone < 0 ? '-' : '+';

	if (zone < 0)
		zone = -zone;
	long hh = zone / 60;
	long mm = zone % 60;
	if (hh > 99) {
		hh = 99;
		mm = 59;
	}
	buf[0] = sign;
	buf[1] = (char)('0' + hh / 10);
	buf[2] = (char)('0' + hh % 10);
	buf[3] = (char)('0' + mm / 10);
	buf[4] = (char)('0' + mm % 10);
	buf[5] = '\0';
}
