/* SPDX-License-Identifier: MIT */
#ifndef SIFT_SIEVE_EXTRACT_H
#define SIFT_SIEVE_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buffer.h"
#include "mail/message-parser.h"
#include "mail/rfc5322-date.h"

/* What the date and body tests extract from a message, as plain
   functions of the message: the interpreter matches the strings they
   produce. */

/* ---- date and index (RFC 5260) ---- */

/* Date parts by name ("year", "month", "day", "date", "julian", "hour",
   "minute", "second", "time", "iso8601", "std11", "zone", "weekday"),
   case-insensitive; -1 when unknown. */
int sift_sieve_date_part_lookup(const char *name, size_t len);
const char *sift_sieve_date_part_name(int part);

/* Formats one date part of the instant `timestamp` seen in the zone
   `zone` (minutes east of UTC) into buf (NUL-terminated), RFC 5260 2.3:
   year "2009", month "01".."12", day "01".."31", date "2009-06-21",
   julian the Modified Julian Day as a decimal number, hour/minute/second
   two digits, time "hh:mm:ss", iso8601 "2009-06-21T18:12:00-07:00"
   (RFC 3339 form as Pigeonhole prints it: "Z" for a zero offset), std11
   RFC 5322 form "Sun, 21 Jun 2009 18:12:00 -0700", zone "+hhmm"/"-hhmm",
   weekday "0" (Sunday) .. "6".  When zone_known is false, `zone` is
   ignored: the time is shown in UTC, zone and std11 say "-0000", iso8601
   "-00:00" (RFC 3339 4.3).  Years past 9999 get more digits, years before
   1 a sign ("-0001", astronomical numbering); any timestamp is valid.
   An unknown part gives "".  Returns the length. */
size_t sift_sieve_date_format(int part, int64_t timestamp, int zone, bool zone_known, char buf[64]);

/* Parses a :zone argument "+hhmm"/"-hhmm" (hh 00-23, mm 00-59) into
   minutes east of UTC; -1 when it is not of that form (RFC 5260 2.4: the
   test then fails). */
int sift_sieve_zone_parse(const char *s, size_t len, int *zone_r);

/* ---- body (RFC 5173) ---- */

enum sift_sieve_body_transform {
	SIFT_SIEVE_BODY_TEXT, /* the default: text parts, decoded */
	SIFT_SIEVE_BODY_RAW,
	SIFT_SIEVE_BODY_CONTENT,
};

/* Called once per extracted piece; return false to stop extracting
   (the caller found its match). */
typedef bool sift_sieve_body_cb(void *context, const char *data, size_t len);

/* Extracts the body as RFC 5173 says:
   - RAW: the undecoded body of the whole message (everything after the
     top-level header block), as one piece (an empty body is one empty
     piece);
   - CONTENT: every part whose Content-Type matches one of `types` (5.2:
     "" matches all; "text" matches the type; "text/html" type and
     subtype; case-insensitive; a type that starts or ends with '/' or
     holds two '/' matches nothing), in pre-order, searched through
     multiparts and enclosed messages whatever their own type:
     . a leaf part: its body transfer-decoded and, for text/ parts,
       converted to UTF-8, one piece;
     . a multipart: its preamble (always, possibly empty) and its epilogue
       (when bytes follow the close delimiter line), undecoded, as two
       pieces; its body parts are pieces only if they match themselves;
     . a message/rfc822 (or message/global) part: the header block of the
       enclosed message as it was received, without the empty line that
       ends it, one piece; its body parts likewise only if they match;
   - TEXT: as CONTENT with types {"text"} (text/html is not stripped of
     its mark-up).
   At most max_bytes of each piece are delivered (0: no limit).  Pieces
   never span two parts.  The message must be finished.  Returns 0, or -1
   with *error_r when the body store cannot be read. */
int sift_sieve_body_extract(struct sift_message *msg, enum sift_sieve_body_transform transform,
                            const char *const *types, size_t ntypes, uint64_t max_bytes,
                            sift_sieve_body_cb *cb, void *context, const char **error_r);

/* The same, handing each piece over: the callback owns data (NUL-
   terminated, free with sift_free) whatever it returns, so a caller that
   keeps the pieces does not hold each one twice. */
typedef bool sift_sieve_body_take_cb(void *context, char *data, size_t len);
int sift_sieve_body_extract_take(struct sift_message *msg,
                                 enum sift_sieve_body_transform transform,
                                 const char *const *types, size_t ntypes, uint64_t max_bytes,
                                 sift_sieve_body_take_cb *cb, void *context,
                                 const char **error_r);

#endif
