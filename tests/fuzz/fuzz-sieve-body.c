/* SPDX-License-Identifier: MIT */
/* Fuzz target for the Sieve body extraction (and date parts).  The first
   input byte chooses the feed chunk size and the per-piece maximum; the
   rest is a raw message, fed through the message parser with small limits.
   Every transform runs (:raw, :text, :content with several type lists,
   bad ones included); each piece must lie within the maximum and be
   readable, :raw must equal the stored body, and a callback that stops
   early must be called exactly once.  The Date field, when it parses, is
   formatted in every date part, in its own zone or in a :zone taken from
   the last 5 input bytes; the last 8 bytes as a timestamp must format. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/defects.h"
#include "mail/message-parser.h"
#include "mail/rfc5322-date.h"
#include "sieve/sieve-extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
	uint64_t max;
	size_t calls;
	size_t stop_after; /* 0: never stop */
	uint32_t sum;
	const uint8_t *raw; /* the expected :raw piece, or NULL */
	size_t raw_len;
};

static bool
piece(void *context, const char *data, size_t len)
{
	struct check *c = context;
	if (data == NULL || (c->max != 0 && len > c->max))
		abort();
	/* Touch every byte, so that ASan sees a bad range. */
	for (size_t i = 0; i < len; i++)
		c->sum += (unsigned char)data[i];
	if (data[len] != '\0')
		abort();
	if (c->raw != NULL) {
		size_t want = c->raw_len;
		if (c->max != 0 && want > c->max)
			want = (size_t)c->max;
		if (len != want || memcmp(data, c->raw, len) != 0)
			abort();
	}
	c->calls++;
	return c->stop_after == 0 || c->calls < c->stop_after;
}

static void
run(struct sift_message *msg, enum sift_sieve_body_transform t, const char *const *types,
    size_t ntypes, struct check *c)
{
	const char *error;
	c->calls = 0;
	if (sift_sieve_body_extract(msg, t, types, ntypes, c->max, piece, c, &error) < 0)
		abort();
	if (c->stop_after != 0 && c->calls > c->stop_after)
		abort();
}

static void
dates(struct sift_message *msg, const uint8_t *data, size_t size)
{
	struct sift_part *root = sift_message_root(msg);
	struct sift_header *h = sift_header_find(&root->headers, "date", NULL);
	if (h == NULL)
		return;
	size_t len;
	const char *value = sift_header_unfolded(sift_message_arena(msg), h, &len);
	struct sift_date d;
	if (sift_date_parse(value, len, &d) < 0)
		return;
	int zone = d.zone;
	/* A :zone from the last bytes of the input, when they are one. */
	if (size >= 5 && sift_sieve_zone_parse((const char *)data + size - 5, 5, &zone) < 0)
		zone = d.zone;
	char buf[64];
	for (int p = -1; p <= 13; p++) {
		size_t n = sift_sieve_date_format(p, d.timestamp, zone, d.zone_known, buf);
		if (n >= 64 || strlen(buf) != n)
			abort();
		const char *name = sift_sieve_date_part_name(p);
		if (name != NULL && sift_sieve_date_part_lookup(name, strlen(name)) != p)
			abort();
	}
	/* The raw input as a timestamp too: any int64 must format. */
	if (size >= 8) {
		int64_t t;
		memcpy(&t, data + size - sizeof(t), sizeof(t));
		for (int p = 0; p < 13; p++) {
			size_t n = sift_sieve_date_format(p, t, zone, true, buf);
			if (n >= 64 || strlen(buf) != n)
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const uint64_t maxes[8] = {0, 1, 2, 3, 7, 16, 100, 4096};
	size_t chunk = 1 + (data[0] & 0x1f);
	uint64_t max = maxes[(data[0] >> 5) & 7];
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

	struct sift_message *msg = sift_message_create(&limits, NULL);
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		if (sift_message_feed(msg, data + off, n, &error) < 0)
			abort();
	}
	if (sift_message_finish(msg, &error) < 0)
		abort();

	struct check c = {.max = max};
	struct sift_part *root = sift_message_root(msg);
	if (root->body_offset <= root->body_end && root->body_end <= size &&
	    (root->defects & SIFT_DEFECT_BODY_LIMIT) == 0) {
		/* Offsets index the input: the store keeps every byte fed. */
		c.raw = data + root->body_offset;
		c.raw_len = (size_t)(root->body_end - root->body_offset);
	}
	run(msg, SIFT_SIEVE_BODY_RAW, NULL, 0, &c);
	if (c.calls != 1)
		abort();
	c.raw = NULL;

	run(msg, SIFT_SIEVE_BODY_TEXT, NULL, 0, &c);
	static const char *const all[] = {""};
	static const char *const lists[][3] = {
	    {"text", "multipart", "message"},
	    {"text/plain", "TEXT/HTML", "application"},
	    {"message/rfc822", "multipart/alternative", "/"},
	    {"text/", "a/b/c", "image/png"},
	};
	run(msg, SIFT_SIEVE_BODY_CONTENT, all, 1, &c);
	size_t total = c.calls;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		run(msg, SIFT_SIEVE_BODY_CONTENT, lists[i], 3, &c);

	/* Stopping after the first piece calls back once. */
	c.stop_after = 1;
	run(msg, SIFT_SIEVE_BODY_CONTENT, all, 1, &c);
	if (c.calls != (total > 0 ? 1u : 0u))
		abort();

	dates(msg, data, size);
	sift_message_destroy(&msg);
	return 0;
}
