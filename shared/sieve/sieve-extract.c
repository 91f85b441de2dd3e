/* SPDX-License-Identifier: MIT */
/* What the Sieve date, currentdate (RFC 5260) and body (RFC 5173) tests
   extract from a message (see sieve-extract.h).

   Dates: the civil date comes from the day count by our own arithmetic
   (proleptic Gregorian calendar, 400-year eras counted from March 1st so
   that the leap day ends each year), in 64 bits, with no gmtime() or TZ:
   the output depends on nothing but the arguments, in any thread.  Every
   int64 timestamp formats: shifting it by the zone saturates instead of
   overflowing, years outside 0000-9999 get a sign or more digits.

   Body: pieces are read from the body store into one buffer per call
   whose maximum is max_bytes (reset for each piece), so memory stays
   bounded by max_bytes whatever the message (twice that while a text part
   is converted: sift_part_decode() holds the undecoded charset text); a
   piece longer than that is cut and the next piece starts afresh.  The MIME
   structure is the parser's: multipart preambles and epilogues are found
   from its byte offsets (the delimiter line that ends a preamble is the
   line just before the first body part; the epilogue starts after the
   line that follows the last body part).

   Bad input: decoding problems are flagged on the part by the decoders
   and the decoded remainder is matched.  A multipart whose body was not
   split (no boundary, too deep) is a leaf: its body is its content.  A
   multipart with a close delimiter and no body part (defect no_parts)
   has its whole body as preamble, delimiter line included.  An enclosed
   message that was not parsed (encoded, too deep) is a leaf too: its
   decoded body, header included, is its content. */
#include "sieve/sieve-extract.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

/* ---- date parts ---------------------------------------------------------- */

enum date_part {
	DATE_YEAR,
	DATE_MONTH,
	DATE_DAY,
	DATE_DATE,
	DATE_JULIAN,
	DATE_HOUR,
	DATE_MINUTE,
	DATE_SECOND,
	DATE_TIME,
	DATE_ISO8601,
	DATE_STD11,
	DATE_ZONE,
	DATE_WEEKDAY,
	DATE_PART_COUNT
};

static const char *const date_part_names[DATE_PART_COUNT] = {
    [DATE_YEAR] = "year",       [DATE_MONTH] = "month",   [DATE_DAY] = "day",
    [DATE_DATE] = "date",       [DATE_JULIAN] = "julian", [DATE_HOUR] = "hour",
    [DATE_MINUTE] = "minute",   [DATE_SECOND] = "second", [DATE_TIME] = "time",
    [DATE_ISO8601] = "iso8601", [DATE_STD11] = "std11",   [DATE_ZONE] = "zone",
    [DATE_WEEKDAY] = "weekday",
};

static const char *const weekday_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days from 1970-01-01 to 1858-11-17, the day the Modified Julian Day
   count starts. */
#define MJD_OF_UNIX_EPOCH 40587
/* Days from 0000-03-01 to 1970-01-01, and the length of a 400-year era. */
#define DAYS_0000_03_01_TO_EPOCH 719468
#define DAYS_PER_ERA             146097

struct civil {
	int64_t year;
	int month; /* 1..12 */
	int day;   /* 1..31 */
	int hour;
	int minute;
	int second;
	int weekday; /* 0 = Sunday */
	int64_t mjd;
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

static void
civil_from_time(int64_t t, struct civil *c)
{
	/* Split without forming days * 86400, which can pass INT64_MIN. */
	int64_t days = t / 86400;
	int64_t secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	c->hour = (int)(secs / 3600);
	c->minute = (int)(secs / 60 % 60);
	c->second = (int)(secs % 60);
	int64_t wd = (days + 4) % 7; /* 1970-01-01 was a Thursday */
	c->weekday = (int)(wd < 0 ? wd + 7 : wd);
	c->mjd = days + MJD_OF_UNIX_EPOCH;

	/* Count from 0000-03-01: each era then has the same 146097 days, and
	   a year's leap day is its last day. */
	int64_t z = days + DAYS_0000_03_01_TO_EPOCH;
	int64_t era = floor_div(z, DAYS_PER_ERA);
	int64_t doe = z - era * DAYS_PER_ERA;                                /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
	int64_t mp = (5 * doy + 2) / 153;                                    /* 0 = March */
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = era * 400 + yoe + (c->month <= 2 ? 1 : 0);
}

int
sift_sieve_date_part_lookup(const char *name, size_t len)
{
	for (int i = 0; i < DATE_PART_COUNT; i++) {
		if (sift_mem_eq_ci(name, len, date_part_names[i]))
			return i;
	}
	return -1;
}

const char *
sift_sieve_date_part_name(int part)
{
	if (part < 0 || part >= DATE_PART_COUNT)
		return NULL;
	return date_part_names[part];
}

/* "2009", "10000", "-0001". */
static void
year_format(int64_t year, char out[24])
{
	if (year < 0)
		snprintf(out, 24, "-%04" PRId64, -year);
	else
		snprintf(out, 24, "%04" PRId64, year);
}

/* "+hhmm" ("+hh:mm" with colon); an unknown zone is "-0000" ("-00:00"). */
static void
zone_format(int zone, bool zone_known, bool colon, char out[24])
{
	long long minutes = zone_known ? zone : 0;
	char sign = (!zone_known || minutes < 0) ? '-' : '+';
	if (minutes < 0)
		minutes = -minutes;
	snprintf(out, 24, "%c%02lld%s%02lld", sign, minutes / 60, colon ? ":" : "", minutes % 60);
}

size_t
sift_sieve_date_format(int part, int64_t timestamp, int zone, bool zone_known, char buf[64])
{
	int64_t local;
	int64_t shift = zone_known ? (int64_t)zone * 60 : 0;
	if (__builtin_add_overflow(timestamp, shift, &local))
		local = shift > 0 ? INT64_MAX : INT64_MIN;
	struct civil c;
	civil_from_time(local, &c);

	char year[24];
	char zbuf[24];
	year_format(c.year, year);
	int n = 0;
	switch (part) {
	case DATE_YEAR:
		n = snprintf(buf, 64, "%s", year);
		break;
	case DATE_MONTH:
		n = snprintf(buf, 64, "%02d", c.month);
		break;
	case DATE_DAY:
		n = snprintf(buf, 64, "%02d", c.day);
		break;
	case DATE_DATE:
		n = snprintf(buf, 64, "%s-%02d-%02d", year, c.month, c.day);
		break;
	case DATE_JULIAN:
		n = snprintf(buf, 64, "%" PRId64, c.mjd);
		break;
	case DATE_HOUR:
		n = snprintf(buf, 64, "%02d", c.hour);
		break;
	case DATE_MINUTE:
		n = snprintf(buf, 64, "%02d", c.minute);
		break;
	case DATE_SECOND:
		n = snprintf(buf, 64, "%02d", c.second);
		break;
	case DATE_TIME:
		n = snprintf(buf, 64, "%02d:%02d:%02d", c.hour, c.minute, c.second);
		break;
	case DATE_ISO8601:
		if (zone_known && zone == 0)
			strcpy(zbuf, "Z");
		else
			zone_format(zone, zone_known, true, zbuf);
		n = snprintf(buf, 64, "%s-%02d-%02dT%02d:%02d:%02d%s", year, c.month, c.day, c.hour,
		             c.minute, c.second, zbuf);
		break;
	case DATE_STD11:
		zone_format(zone, zone_known, false, zbuf);
		n = snprintf(buf, 64, "%s, %02d %s %s %02d:%02d:%02d %s", weekday_names[c.weekday],
		             c.day, month_names[c.month - 1], year, c.hour, c.minute, c.second,
		             zbuf);
		break;
	case DATE_ZONE:
		zone_format(zone, zone_known, false, zbuf);
		n = snprintf(buf, 64, "%s", zbuf);
		break;
	case DATE_WEEKDAY:
		n = snprintf(buf, 64, "%d", c.weekday);
		break;
	default:
		buf[0] = '\0';
		break;
	}
	if (n < 0)
		n = 0;
	return (size_t)n < 64 ? (size_t)n : 63;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
sift_sieve_zone_parse(const char *s, size_t len, int *zone_r)
{
	if (len != 5 || (s[0] != '+' && s[0] != '-'))
		return -1;
	for (size_t i = 1; i < 5; i++) {
		if (!is_digit(s[i]))
			return -1;
	}
	int hh = (s[1] - '0') * 10 + (s[2] - '0');
	int mm = (s[3] - '0') * 10 + (s[4] - '0');
	/* RFC 3339 time-numoffset bounds, so that iso8601 output stays valid. */
	if (hh > 23 || mm > 59)
		return -1;
	int minutes = hh * 60 + mm;
	*zone_r = s[0] == '-' ? -minutes : minutes;
	return 0;
}

/* ---- body ---------------------------------------------------------------- */

#define READ_CHUNK 8192

struct body_run {
	struct sift_message *msg;
	/* The one buffer of the call; its maximum is max_bytes. */
	struct sift_buf buf;
	/* Bytes in the store: every range read is clamped to it. */
	uint64_t stored;
	sift_sieve_body_cb *cb;
	sift_sieve_body_take_cb *take;
	void *context;
	const char **error_r;
	bool stopped;
};

static void
deliver(struct body_run *run)
{
	if (run->take != NULL) {
		size_t len, cap = run->buf.cap;
		bool overflow = run->buf.overflow;
		char *data = sift_buf_steal(&run->buf, &len);
		run->buf.overflow = overflow;
		/* The piece may be kept for the whole run: give back what the
		   buffer's doubling left unused. */
		if (cap > len + 1 + len / 4)
			data = sift_realloc(data, len + 1);
		if (!run->take(run->context, data, len))
			run->stopped = true;
		return;
	}
	const char *data = run->buf.data != NULL ? run->buf.data : "";
	if (!run->cb(run->context, data, run->buf.len))
		run->stopped = true;
}

/* Puts the stored bytes [start, end) into run->buf, cut at its maximum. */
static int
read_range(struct body_run *run, uint64_t start, uint64_t end)
{
	char chunk[READ_CHUNK];
	sift_buf_reset(&run->buf);
	if (end > run->stored)
		end = run->stored;
	while (start < end && !run->buf.overflow) {
		size_t want = end - start < sizeof(chunk) ? (size_t)(end - start) : sizeof(chunk);
		/* Read no more than can still be kept (plus one byte, to
		   notice the cut). */
		size_t room = run->buf.max - run->buf.len;
		if (want > room + 1)
			want = room + 1;
		ssize_t n = sift_message_read(run->msg, start, chunk, want, run->error_r);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		sift_buf_append_trunc(&run->buf, chunk, (size_t)n);
		start += (uint64_t)n;
	}
	return 0;
}

/* Reads up to len (<= 8) bytes at off; *got_r is how many exist. */
static int
peek(struct body_run *run, uint64_t off, char *out, size_t len, size_t *got_r)
{
	*got_r = 0;
	if (off >= run->stored)
		return 0;
	if (len > run->stored - off)
		len = (size_t)(run->stored - off);
	ssize_t n = sift_message_read(run->msg, off, out, len, run->error_r);
	if (n < 0)
		return -1;
	*got_r = (size_t)n;
	return 0;
}

/* Offset just past the last LF in [lower, pos), or lower if there is none. */
static int
line_start_before(struct body_run *run, uint64_t lower, uint64_t pos, uint64_t *start_r)
{
	char chunk[512];
	if (pos > run->stored)
		pos = run->stored;
	while (pos > lower) {
		size_t n = pos - lower < sizeof(chunk) ? (size_t)(pos - lower) : sizeof(chunk);
		uint64_t from = pos - n;
		ssize_t got = sift_message_read(run->msg, from, chunk, n, run->error_r);
		if (got < 0)
			return -1;
		for (size_t i = (size_t)got; i-- > 0;) {
			if (chunk[i] == '\n') {
				*start_r = from + i + 1;
				return 0;
			}
		}
		pos = from;
	}
	*start_r = lower;
	return 0;
}

/* Offset just past the first LF in [pos, end), or end if there is none. */
static int
line_end_after(struct body_run *run, uint64_t pos, uint64_t end, uint64_t *next_r)
{
	char chunk[512];
	if (end > run->stored)
		end = run->stored;
	while (pos < end) {
		size_t n = end - pos < sizeof(chunk) ? (size_t)(end - pos) : sizeof(chunk);
		ssize_t got = sift_message_read(run->msg, pos, chunk, n, run->error_r);
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		const char *nl = memchr(chunk, '\n', (size_t)got);
		if (nl != NULL) {
			*next_r = pos + (uint64_t)(nl - chunk) + 1;
			return 0;
		}
		pos += (uint64_t)got;
	}
	*next_r = end;
	return 0;
}

/* The line end (LF or CRLF) that ends just before pos, within [lower,
   pos): its length, 0 if there is none. */
static int
eol_before(struct body_run *run, uint64_t lower, uint64_t pos, size_t *len_r)
{
	char b[2];
	size_t got;
	*len_r = 0;
	if (pos <= lower)
		return 0;
	uint64_t from = pos - lower >= 2 ? pos - 2 : pos - 1;
	if (peek(run, from, b, (size_t)(pos - from), &got) < 0)
		return -1;
	if (got != pos - from || b[got - 1] != '\n')
		return 0;
	*len_r = got == 2 && b[0] == '\r' ? 2 : 1;
	return 0;
}

static uint64_t
part_end(const struct body_run *run, const struct sift_part *part)
{
	/* Unset offsets (an unfinished message) read as the end of the data. */
	uint64_t end = part->body_end;
	return end > run->stored ? run->stored : end;
}

static uint64_t
part_body(const struct body_run *run, const struct sift_part *part)
{
	uint64_t start = part->body_offset;
	return start > run->stored ? run->stored : start;
}

/* RFC 5173 5.2: a matching multipart offers its preamble and epilogue. */
static int
multipart_pieces(struct body_run *run, struct sift_part *mp)
{
	uint64_t body = part_body(run, mp);
	uint64_t end = part_end(run, mp);
	struct sift_part *first = mp->children;
	if (first == NULL) {
		if (read_range(run, body, end) < 0)
			return -1;
		deliver(run);
		return 0;
	}

	/* The first delimiter line ends where the first body part starts;
	   the line end before it belongs to it (RFC 2046 5.1.1). */
	uint64_t delim_end = first->header_offset;
	size_t eol;
	if (eol_before(run, body, delim_end, &eol) < 0)
		return -1;
	uint64_t delim_start;
	if (line_start_before(run, body, delim_end - eol, &delim_start) < 0)
		return -1;
	uint64_t pre_end = delim_start;
	if (eol_before(run, body, delim_start, &eol) < 0)
		return -1;
	pre_end -= eol;
	if (read_range(run, body, pre_end) < 0)
		return -1;
	deliver(run);
	if (run->stopped)
		return 0;

	/* The epilogue follows the line after the last body part (the close
	   delimiter), if anything does. */
	struct sift_part *last = first;
	while (last->next != NULL)
		last = last->next;
	uint64_t pos = part_end(run, last);
	if (pos < body)
		pos = body;
	if (pos >= end)
		return 0;
	char b[2];
	size_t got;
	if (peek(run, pos, b, 2, &got) < 0)
		return -1;
	if (got >= 1 && b[0] == '\n')
		pos += 1;
	else if (got == 2 && b[0] == '\r' && b[1] == '\n')
		pos += 2;
	uint64_t epi_start;
	if (line_end_after(run, pos, end, &epi_start) < 0)
		return -1;
	if (epi_start >= end)
		return 0;
	if (read_range(run, epi_start, end) < 0)
		return -1;
	deliver(run);
	return 0;
}

/* RFC 5173 5.2: a matching message/rfc822 offers the enclosed header. */
static int
message_piece(struct body_run *run, struct sift_part *part)
{
	struct sift_part *inner = part->children;
	uint64_t start = inner->header_offset;
	uint64_t end = part_body(run, inner);
	if (start > end)
		start = end;
	/* Drop the empty line that ends the block, when it is there. */
	size_t eol;
	if (eol_before(run, start, end, &eol) < 0)
		return -1;
	if (eol > 0) {
		size_t prev;
		if (end - eol == start) {
			end = start;
		} else {
			if (eol_before(run, start, end - eol, &prev) < 0)
				return -1;
			if (prev > 0)
				end -= eol;
		}
	}
	if (read_range(run, start, end) < 0)
		return -1;
	deliver(run);
	return 0;
}

static int
leaf_piece(struct body_run *run, struct sift_part *part)
{
	sift_buf_reset(&run->buf);
	if (part->body_offset < run->stored &&
	    sift_part_decode(run->msg, part, SIFT_DECODE_TRANSFER | SIFT_DECODE_CHARSET, &run->buf,
	                     run->error_r) < 0)
		return -1;
	deliver(run);
	return 0;
}

/* RFC 5173 5.2 content-type specifications. */
static bool
type_matches(const char *spec, const struct sift_part *part)
{
	size_t len = strlen(spec);
	if (len == 0)
		return true;
	const char *slash = memchr(spec, '/', len);
	if (slash == NULL)
		return sift_mem_eq_ci(spec, len, part->type);
	size_t tlen = (size_t)(slash - spec);
	size_t slen = len - tlen - 1;
	if (tlen == 0 || slen == 0 || memchr(slash + 1, '/', slen) != NULL)
		return false;
	return sift_mem_eq_ci(spec, tlen, part->type) &&
	       sift_mem_eq_ci(slash + 1, slen, part->subtype);
}

static bool
types_match(const char *const *types, size_t ntypes, const struct sift_part *part)
{
	for (size_t i = 0; i < ntypes; i++) {
		if (types[i] != NULL && type_matches(types[i], part))
			return true;
	}
	return false;
}

static int
extract_content(struct body_run *run, const char *const *types, size_t ntypes)
{
	for (struct sift_part *p = sift_message_root(run->msg); p != NULL && !run->stopped;
	     p = sift_part_next(p)) {
		if (!types_match(types, ntypes, p))
			continue;
		int ret;
		if (p->is_multipart)
			ret = multipart_pieces(run, p);
		else if (p->is_message && p->children != NULL)
			ret = message_piece(run, p);
		else
			ret = leaf_piece(run, p);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static int
body_extract(struct sift_message *msg, enum sift_sieve_body_transform transform,
             const char *const *types, size_t ntypes, uint64_t max_bytes, sift_sieve_body_cb *cb,
             sift_sieve_body_take_cb *take, void *context, const char **error_r)
{
	static const char *const text_types[] = {"text"};
	struct body_run run = {
	    .msg = msg,
	    .stored = sift_message_stored(msg),
	    .cb = cb,
	    .take = take,
	    .context = context,
	    .error_r = error_r,
	};
	sift_buf_init(&run.buf, max_bytes > SIZE_MAX ? SIZE_MAX : (size_t)max_bytes);

	int ret = 0;
	switch (transform) {
	case SIFT_SIEVE_BODY_RAW: {
		struct sift_part *root = sift_message_root(msg);
		ret = read_range(&run, part_body(&run, root), part_end(&run, root));
		if (ret == 0)
			deliver(&run);
		break;
	}
	case SIFT_SIEVE_BODY_CONTENT:
		ret = extract_content(&run, types, types != NULL ? ntypes : 0);
		break;
	case SIFT_SIEVE_BODY_TEXT:
	default:
		ret = extract_content(&run, text_types, 1);
		break;
	}
	sift_buf_free(&run.buf);
	return ret;
}

int
sift_sieve_body_extract(struct sift_message *msg, enum sift_sieve_body_transform transform,
                        const char *const *types, size_t ntypes, uint64_t max_bytes,
                        sift_sieve_body_cb *cb, void *context, const char **error_r)
{
	return body_extract(msg, transform, types, ntypes, max_bytes, cb, NULL, context, error_r);
}

int
sift_sieve_body_extract_take(struct sift_message *msg, enum sift_sieve_body_transform transform,
                             const char *const *types, size_t ntypes, uint64_t max_bytes,
                             sift_sieve_body_take_cb *cb, void *context, const char **error_r)
{
	return body_extract(msg, transform, types, ntypes, max_bytes, NULL, cb, context, error_r);
}
