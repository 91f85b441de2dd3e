/* SPDX-License-Identifier: MIT */
/* Fuzz target for the message parser's two feed shapes.  The first input
   byte chooses the shape and the chunk size.  Raw shape: the input fed in
   chunks must give the same structure as fed whole, every byte range must
   lie inside the input, and decoding every leaf part must stay bounded.
   Milter shape: the input's lines up to the first empty one are fed as
   fields (name before the first ':'), the rest as body chunks. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message-parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_structure(struct sift_message *a, struct sift_message *b, size_t len)
{
	struct sift_part *p = sift_message_root(a);
	struct sift_part *q = sift_message_root(b);
	while (p != NULL && q != NULL) {
		if (p->index != q->index || p->depth != q->depth ||
		    p->body_offset != q->body_offset || p->body_end != q->body_end ||
		    p->header_offset != q->header_offset || p->defects != q->defects ||
		    p->headers.count != q->headers.count || strcmp(p->type, q->type) != 0 ||
		    strcmp(p->subtype, q->subtype) != 0)
			abort();
		if (p->header_offset > p->body_offset || p->body_offset > p->body_end ||
		    p->body_end > len)
			abort();
		p = sift_part_next(p);
		q = sift_part_next(q);
	}
	if (p != NULL || q != NULL)
		abort();
}

static void
exercise(struct sift_message *msg)
{
	const char *error;
	struct sift_buf out;
	sift_buf_init(&out, 64 * 1024);
	struct sift_arena *arena = sift_message_arena(msg);
	for (struct sift_part *p = sift_message_root(msg); p != NULL; p = sift_part_next(p)) {
		size_t len;
		for (struct sift_header *h = p->headers.first; h != NULL; h = h->next)
			(void)sift_header_value(arena, h, &len);
		const char *filename;
		(void)sift_part_disposition(msg, p, &filename);
		if (p->is_multipart || p->is_message)
			continue;
		sift_buf_reset(&out);
		if (sift_part_decode(msg, p, SIFT_DECODE_TRANSFER | SIFT_DECODE_CHARSET, &out,
		                     &error) < 0)
			abort();
	}
	sift_buf_free(&out);
}

static void
feed_fields(const struct sift_limits *limits, const uint8_t *data, size_t size, size_t chunk)
{
	struct sift_message *msg = sift_message_create(limits, NULL);
	const char *s = (const char *)data;
	const char *end = s + size;
	const char *error;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *line_end = nl != NULL ? nl : end;
		if (line_end == s) {
			s++;
			break;
		}
		const char *colon = memchr(s, ':', (size_t)(line_end - s));
		const char *value = colon != NULL ? colon + 1 : line_end;
		size_t name_len = (size_t)((colon != NULL ? colon : line_end) - s);
		if (sift_message_feed_header(msg, s, name_len, value, (size_t)(line_end - value),
		                             &error) < 0)
			abort();
		s = nl != NULL ? nl + 1 : end;
	}
	if (sift_message_feed_end_of_headers(msg, &error) < 0)
		abort();
	while (s < end) {
		size_t n = (size_t)(end - s) < chunk ? (size_t)(end - s) : chunk;
		if (sift_message_feed_body(msg, s, n, &error) < 0)
			abort();
		s += n;
	}
	if (sift_message_finish(msg, &error) < 0)
		abort();
	uint64_t stored = sift_message_stored(msg);
	for (struct sift_part *p = sift_message_root(msg); p != NULL; p = sift_part_next(p)) {
		if (p->header_offset > p->body_offset || p->body_offset > p->body_end ||
		    p->body_end > stored)
			abort();
	}
	exercise(msg);
	sift_message_destroy(&msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = 1 + data[0] % 64;
	bool fields = (data[0] & 0x80) != 0;
	data++;
	size--;

	struct sift_limits limits;
	const char *error;
	sift_limits_init(&limits);
	/* Small limits, so that fuzzing reaches them. */
	(void)sift_limits_set(&limits, "mime_depth", "8", &error);
	(void)sift_limits_set(&limits, "mime_parts", "50", &error);
	(void)sift_limits_set(&limits, "header_count", "100", &error);
	(void)sift_limits_set(&limits, "body_memory", "2K", &error);

	if (fields) {
		feed_fields(&limits, data, size, chunk);
		return 0;
	}
	struct sift_message *whole = sift_message_create(&limits, NULL);
	struct sift_message *split = sift_message_create(&limits, NULL);
	if (sift_message_feed(whole, data, size, &error) < 0 ||
	    sift_message_finish(whole, &error) < 0)
		abort();
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		if (sift_message_feed(split, data + off, n, &error) < 0)
			abort();
	}
	if (sift_message_finish(split, &error) < 0)
		abort();
	check_structure(whole, split, size);
	exercise(whole);
	sift_message_destroy(&whole);
	sift_message_destroy(&split);
	return 0;
}
