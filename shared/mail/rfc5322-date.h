/* SPDX-License-Identifier: MIT */
#ifndef SIFT_RFC5322_DATE_H
#define SIFT_RFC5322_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 5322 date-time (3.3) and the obsolete forms of 4.3: optional day of
   week, optional seconds, two- and three-digit years (RFC 5322 4.3 rules),
   zone names (UT, GMT, EST ... and military letters, read as -0000 except
   UT/UTC/GMT/Z and the US zones), comments and extra white space anywhere. */

struct sift_date {
	int64_t timestamp; /* seconds since 1970-01-01T00:00:00Z */
	int zone;          /* original zone, minutes east of UTC */
	bool zone_known;   /* false for -0000 and unknown zone names */
};

/* Parses an unfolded Date field value.  Returns 0, or -1 when it is no
   date (out-of-range fields included: month day 31 in April, hour 25 ...). */
int sift_date_parse(const char *in, size_t len, struct sift_date *date_r);

/* Formats a zone as "+hhmm"/"-hhmm" ("-0000" when not known) into buf,
   which has room for 6 bytes. */
void sift_date_zone_format(const struct sift_date *date, char buf[6]);

#endif
