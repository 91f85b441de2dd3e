/* SPDX-License-Identifier: MIT */
#ifndef SIFT_MESSAGE_PARSER_H
#define SIFT_MESSAGE_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/arena.h"
#include "util/buffer.h"
#include "util/limits.h"
#include "mail/header.h"
#include "mail/rfc2045.h"

/* The streaming message parser: a message enters in pieces and comes out as
   a tree of MIME parts with their header fields, while its bytes go to a
   body store (memory, then a temporary file).

   Two ways in, not to be mixed for one message:
   - raw bytes in chunks of any size, split anywhere (files, Dovecot
     istreams): sift_message_feed();
   - libmilter's shape: whole header fields one by one, the end of the
     headers, then body chunks: sift_message_feed_header(),
     sift_message_feed_end_of_headers(), sift_message_feed_body().
   Both accept CRLF and bare LF line ends.  Then sift_message_finish().

   Bad mail is data: every problem becomes a defect bit on the part where it
   was seen, and the limits of the table (header bytes and count, field
   length, MIME depth and parts, boundary length, body bytes) keep time and
   memory bounded whatever the input.  Only a failing spill file makes a
   feed call fail. */

struct sift_part {
	struct sift_part *parent;
	struct sift_part *children; /* first child */
	struct sift_part *next;     /* next sibling */
	unsigned int index;         /* pre-order number, the root is 0 */
	unsigned int depth; /* the root is 0; each multipart or message/rfc822 level adds 1 */

	struct sift_header_list headers;

	/* Content-Type, lower case, with RFC defaults applied (text/plain;
	   message/rfc822 inside multipart/digest) when the field is absent
	   or does not parse. */
	const char *type;
	const char *subtype;
	struct sift_param *params;
	const char *charset; /* lower-case charset parameter, or NULL */
	enum sift_cte cte;

	/* Byte positions in the message (offset 0 is its first byte). */
	uint64_t header_offset;
	uint64_t body_offset;
	uint64_t body_end;

	uint32_t defects;
	bool is_multipart; /* its body was split into child parts */
	bool is_message;   /* its body was parsed as an enclosed message */
};

struct sift_message;

/* tmpdir: where a spill file goes (NULL: $TMPDIR or /tmp). */
struct sift_message *sift_message_create(const struct sift_limits *limits, const char *tmpdir);
void sift_message_destroy(struct sift_message **msg);

/* All feed functions return 0, or -1 with *error_r when the body store
   cannot be written (the host tempfails); malformed input never fails. */
int sift_message_feed(struct sift_message *msg, const void *data, size_t len, const char **error_r);
/* One whole header field; the value may be folded with LF or CRLF. */
int sift_message_feed_header(struct sift_message *msg, const char *name, size_t name_len,
                             const char *value, size_t value_len, const char **error_r);
int sift_message_feed_end_of_headers(struct sift_message *msg, const char **error_r);
int sift_message_feed_body(struct sift_message *msg, const void *data, size_t len,
                           const char **error_r);
/* Ends the input: open parts are closed at the end of the data and
   flagged as they deserve.  The message is read-only afterwards. */
int sift_message_finish(struct sift_message *msg, const char **error_r);

struct sift_part *sift_message_root(struct sift_message *msg);
/* The first address of the first top-level field of that name (Return-Path,
   Sender, ...) as an addr-spec in the message's arena; NULL when there is
   no such field or its first address does not parse ("<>" included). */
const char *sift_message_header_address(struct sift_message *msg, const char *field);
struct sift_arena *sift_message_arena(struct sift_message *msg);
const struct sift_limits *sift_message_limits(const struct sift_message *msg);
/* Bytes fed, including those past body_scan that were not kept. */
uint64_t sift_message_size(const struct sift_message *msg);
/* Bytes kept in the body store. */
uint64_t sift_message_stored(const struct sift_message *msg);
size_t sift_message_part_count(const struct sift_message *msg);
/* Union of the defects of all parts. */
uint32_t sift_message_defects(const struct sift_message *msg);

/* Reads stored bytes of the message (see sift_body_store_read()). */
ssize_t sift_message_read(struct sift_message *msg, uint64_t offset, void *buf, size_t len,
                          const char **error_r);

/* Pre-order walk: the next part after `part`, or NULL at the end. */
struct sift_part *sift_part_next(struct sift_part *part);

enum sift_decode_flags {
	/* Undo the Content-Transfer-Encoding (base64, quoted-printable). */
	SIFT_DECODE_TRANSFER = 1 << 0,
	/* For text/ parts, convert from the charset to UTF-8 as well. */
	SIFT_DECODE_CHARSET = 1 << 1,
};

/* Appends the body of a part to out, decoded as flags say; out's maximum
   bounds the work.  Decoding defects are added to part->defects.  Returns
   0, or -1 with *error_r on a body store read error. */
int sift_part_decode(struct sift_message *msg, struct sift_part *part, unsigned int flags,
                     struct sift_buf *out, const char **error_r);

/* Content-Disposition type (lower case) or NULL, parsed on first use;
   *filename_r gets the disposition's filename or else Content-Type's name
   parameter (decoded), or NULL. */
const char *sift_part_disposition(struct sift_message *msg, struct sift_part *part,
                                  const char **filename_r);

#endif
