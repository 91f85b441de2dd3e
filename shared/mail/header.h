/* SPDX-License-Identifier: MIT */
#ifndef SIFT_HEADER_H
#define SIFT_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* One header block: the fields of a message or of a MIME part, in the order
   received.  Field names and values are counted byte strings (NULs and
   8-bit bytes are data).  The unfolded and decoded views are computed on
   first use and kept. */

struct sift_header {
	struct sift_header *next;
	/* The field name as received, without the colon and the white space
	   that obs-syntax allows before it. */
	const char *name;
	size_t name_len;
	/* The field body as received: the bytes after the colon, leading
	   white space skipped, folding kept, without the final line end. */
	const char *raw;
	size_t raw_len;
	/* Defects seen in this field (SIFT_DEFECT_*). */
	uint32_t defects;

	/* Cached views, see sift_header_unfolded() / sift_header_value(). */
	const char *unfolded;
	size_t unfolded_len;
	const char *value;
	size_t value_len;
};

struct sift_header_list {
	struct sift_header *first;
	struct sift_header *last;
	size_t count;
};

/* Appends a field.  raw points to the field body as received; it is
   copied into the arena.  NUL and 8-bit bytes are flagged on the field. */
struct sift_header *sift_header_add(struct sift_arena *arena, struct sift_header_list *list,
                                    const char *name, size_t name_len, const char *raw,
                                    size_t raw_len);

/* The next field after `after` (the first if NULL) whose name matches
   case-insensitively; NULL when there is none. */
struct sift_header *sift_header_find(const struct sift_header_list *list, const char *name,
                                     const struct sift_header *after);
/* Number of fields with that name. */
size_t sift_header_count(const struct sift_header_list *list, const char *name);

/* The field body with folding removed (CRLF/LF before white space
   deleted, RFC 5322 2.2.3), trailing white space trimmed. */
const char *sift_header_unfolded(struct sift_arena *arena, struct sift_header *hdr, size_t *len_r);
/* The unfolded body with RFC 2047 encoded words decoded to UTF-8 (text
   outside encoded words is kept as it is).  Decoding defects are added to
   hdr->defects. */
const char *sift_header_value(struct sift_arena *arena, struct sift_header *hdr, size_t *len_r);

/* True if the name is one whose value is an address list (From, To, Cc,
   Bcc, Sender, Reply-To, Resent-*, Return-Path ...). */
bool sift_header_is_address(const char *name, size_t name_len);

#endif
