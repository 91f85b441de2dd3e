/* SPDX-License-Identifier: MIT */
/* Tests of the streaming message parser: structure, byte ranges, defects,
   the two feed shapes, chunking invariance, limits and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mail/defects.h"
#include "mail/message-parser.h"
#include "util/alloc.h"
#include "util/buffer.h"

/* ---- helpers ------------------------------------------------------------ */

static struct sift_message *
parse_chunks(const char *data, size_t len, size_t chunk, const struct sift_limits *limits)
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
	return parse_chunks(data, strlen(data), 0, NULL);
}

/* One line per part: what the structure tests compare. */
static char *
summary(struct sift_message *msg)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	for (struct sift_part *p = sift_message_root(msg); p != NULL; p = sift_part_next(p)) {
		sift_buf_printf(&buf, "%u d%u %s/%s h%llu b%llu-%llu f%x n%zu\n", p->index,
		                p->depth, p->type, p->subtype, (unsigned long long)p->header_offset,
		                (unsigned long long)p->body_offset, (unsigned long long)p->body_end,
		                p->defects, p->headers.count);
	}
	char *s = sift_buf_steal(&buf, NULL);
	return s;
}

static char *
body_of(struct sift_message *msg, struct sift_part *part)
{
	size_t len = (size_t)(part->body_end - part->body_offset);
	char *buf = sift_malloc(len + 1);
	const char *error;
	assert_int_equal(sift_message_read(msg, part->body_offset, buf, len, &error), (ssize_t)len);
	buf[len] = '\0';
	return buf;
}

static struct sift_part *
part_at(struct sift_message *msg, unsigned int index)
{
	for (struct sift_part *p = sift_message_root(msg); p != NULL; p = sift_part_next(p)) {
		if (p->index == index)
			return p;
	}
	fail_msg("no part %u", index);
	return NULL;
}

static void
assert_body(struct sift_message *msg, unsigned int index, const char *expect)
{
	char *body = body_of(msg, part_at(msg, index));
	assert_string_equal(body, expect);
	sift_free(body);
}

static const char nested_msg[] = "From: a@example.org\r\n"
                                 "Subject: nested\r\n"
                                 "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
                                 "\r\n"
                                 "preamble line\r\n"
                                 "--outer\r\n"
                                 "Content-Type: multipart/alternative; boundary=inner\r\n"
                                 "\r\n"
                                 "--inner\r\n"
                                 "Content-Type: text/plain\r\n"
                                 "\r\n"
                                 "plain text\r\n"
                                 "--inner\r\n"
                                 "Content-Type: text/html\r\n"
                                 "\r\n"
                                 "<p>html</p>\r\n"
                                 "--inner--\r\n"
                                 "--outer\r\n"
                                 "Content-Type: message/rfc822\r\n"
                                 "\r\n"
                                 "Subject: inside\r\n"
                                 "\r\n"
                                 "enclosed body\r\n"
                                 "--outer--\r\n"
                                 "epilogue\r\n";

/* ---- structure -------------------------------------------------------- */

static void
test_simple_lf(void **state)
{
	const char *m = "From: a@b\nSubject: hi\n\nbody\nline two\n";
	struct sift_message *msg = parse(m);
	struct sift_part *root = sift_message_root(msg);
	assert_string_equal(root->type, "text");
	assert_string_equal(root->subtype, "plain");
	assert_int_equal(root->headers.count, 2);
	assert_int_equal(root->header_offset, 0);
	assert_int_equal(root->body_offset, strlen("From: a@b\nSubject: hi\n\n"));
	assert_int_equal(root->body_end, strlen(m));
	assert_int_equal(root->defects, 0);
	struct sift_header *subject = sift_header_find(&root->headers, "SUBJECT", NULL);
	assert_non_null(subject);
	assert_int_equal(subject->raw_len, 2);
	assert_memory_equal(subject->raw, "hi", 2);
	assert_int_equal(sift_message_size(msg), strlen(m));
	assert_int_equal(sift_message_part_count(msg), 1);
	sift_message_destroy(&msg);
	assert_null(msg);
}

static void
test_folded_header(void **state)
{
	const char *m = "Subject: one\r\n two\r\n\tthree\r\nTo:\r\n  x@y\r\n\r\n";
	struct sift_message *msg = parse(m);
	struct sift_part *root = sift_message_root(msg);
	struct sift_header *h = sift_header_find(&root->headers, "subject", NULL);
	assert_int_equal(h->raw_len, strlen("one\r\n two\r\n\tthree"));
	assert_memory_equal(h->raw, "one\r\n two\r\n\tthree", h->raw_len);
	size_t len;
	const char *unfolded = sift_header_unfolded(sift_message_arena(msg), h, &len);
	assert_string_equal(unfolded, "one two\tthree");
	h = sift_header_find(&root->headers, "to", NULL);
	assert_int_equal(h->raw_len, 3);
	assert_memory_equal(h->raw, "x@y", 3);
	sift_message_destroy(&msg);
}

static void
test_nested_structure(void **state)
{
	struct sift_message *msg = parse(nested_msg);
	/* root, alternative, plain, html, message/rfc822, enclosed message */
	assert_int_equal(sift_message_part_count(msg), 6);
	struct sift_part *root = sift_message_root(msg);
	assert_true(root->is_multipart);
	assert_string_equal(root->subtype, "mixed");
	struct sift_part *alt = part_at(msg, 1);
	assert_string_equal(alt->subtype, "alternative");
	assert_int_equal(alt->depth, 1);
	assert_true(alt->is_multipart);
	assert_body(msg, 2, "plain text");
	assert_body(msg, 3, "<p>html</p>");
	assert_int_equal(part_at(msg, 3)->depth, 2);
	struct sift_part *rfc822 = part_at(msg, 4);
	assert_string_equal(rfc822->type, "message");
	assert_true(rfc822->is_message);
	struct sift_part *inner = part_at(msg, 5);
	assert_ptr_equal(inner->parent, rfc822);
	assert_int_equal(inner->depth, 2);
	assert_int_equal(inner->header_offset, rfc822->body_offset);
	assert_body(msg, 5, "enclosed body");
	assert_non_null(sift_header_find(&inner->headers, "subject", NULL));
	sift_message_destroy(&msg);
}

static void
test_preamble_epilogue(void **state)
{
	struct sift_message *msg = parse(nested_msg);
	struct sift_part *root = sift_message_root(msg);
	char *body = body_of(msg, root);
	assert_true(strncmp(body, "preamble line\r\n--outer\r\n", 24) == 0);
	assert_non_null(strstr(body, "--outer--\r\nepilogue\r\n"));
	sift_free(body);
	/* Neither preamble nor epilogue is a part. */
	for (struct sift_part *p = root->children; p != NULL; p = p->next)
		assert_true(strcmp(p->type, "multipart") == 0 || strcmp(p->type, "message") == 0);
	assert_int_equal(root->defects, 0);
	sift_message_destroy(&msg);
}

static void
test_chunking_invariance(void **state)
{
	size_t len = strlen(nested_msg);
	struct sift_message *ref = parse(nested_msg);
	char *expect = summary(ref);
	sift_message_destroy(&ref);
	for (size_t chunk = 1; chunk <= 9; chunk++) {
		struct sift_message *msg = parse_chunks(nested_msg, len, chunk, NULL);
		char *got = summary(msg);
		assert_string_equal(got, expect);
		sift_free(got);
		sift_message_destroy(&msg);
	}
	/* Every two-piece split. */
	for (size_t split = 1; split < len; split++) {
		struct sift_message *msg = sift_message_create(NULL, NULL);
		const char *error;
		assert_int_equal(sift_message_feed(msg, nested_msg, split, &error), 0);
		assert_int_equal(sift_message_feed(msg, nested_msg + split, len - split, &error),
		                 0);
		assert_int_equal(sift_message_finish(msg, &error), 0);
		char *got = summary(msg);
		assert_string_equal(got, expect);
		sift_free(got);
		sift_message_destroy(&msg);
	}
	sift_free(expect);
}

static void
test_missing_close_boundary(void **state)
{
	const char *m = "Content-Type: multipart/mixed; boundary=b\n\n"
	                "--b\n\none\n--b\n\ntwo\n";
	struct sift_message *msg = parse(m);
	struct sift_part *root = sift_message_root(msg);
	assert_true((root->defects & SIFT_DEFECT_MISSING_CLOSE) != 0);
	assert_int_equal(sift_message_part_count(msg), 3);
	assert_body(msg, 1, "one");
	/* The last part runs to the end of the input. */
	assert_body(msg, 2, "two\n");
	sift_message_destroy(&msg);
}

static void
test_outer_boundary_closes_inner(void **state)
{
	const char *m = "Content-Type: multipart/mixed; boundary=out\n\n"
	                "--out\nContent-Type: multipart/related; boundary=in\n\n"
	                "--in\n\ninner one\n"
	                "--out\n\nsecond\n--out--\n";
	struct sift_message *msg = parse(m);
	assert_int_equal(sift_message_part_count(msg), 4);
	struct sift_part *related = part_at(msg, 1);
	assert_true((related->defects & SIFT_DEFECT_MISSING_CLOSE) != 0);
	assert_body(msg, 2, "inner one");
	assert_body(msg, 3, "second");
	assert_int_equal(part_at(msg, 3)->depth, 1);
	assert_int_equal(sift_message_root(msg)->defects, 0);
	sift_message_destroy(&msg);
}

static void
test_boundary_prefix(void **state)
{
	/* The inner boundary starts with the outer one: only exact lines
	   count, so "--abcdef" is not the outer delimiter. */
	const char *m = "Content-Type: multipart/mixed; boundary=abc\n\n"
	                "--abc\nContent-Type: multipart/alternative; boundary=abcdef\n\n"
	                "--abcdef\n\nA\n--abcdef\n\nB\n--abcdef--\n"
	                "--abc\n\nC\n--abc--\n";
	struct sift_message *msg = parse(m);
	assert_int_equal(sift_message_part_count(msg), 5);
	assert_body(msg, 2, "A");
	assert_body(msg, 3, "B");
	assert_body(msg, 4, "C");
	assert_int_equal(sift_message_defects(msg), 0);
	sift_message_destroy(&msg);
}

static void
test_boundary_whitespace_and_eof(void **state)
{
	/* Transport padding after a boundary; a close delimiter without a
	   final line end. */
	const char *m = "Content-Type: multipart/mixed; boundary=\"b b\"\r\n\r\n"
	                "--b b \t\r\n\r\nx\r\n--b b-- ";
	struct sift_message *msg = parse(m);
	assert_int_equal(sift_message_part_count(msg), 2);
	assert_body(msg, 1, "x");
	assert_int_equal(sift_message_defects(msg), 0);
	sift_message_destroy(&msg);
}

static void
test_no_boundary_param(void **state)
{
	const char *m = "Content-Type: multipart/mixed\n\n--x\n\nbody\n--x--\n";
	struct sift_message *msg = parse(m);
	struct sift_part *root = sift_message_root(msg);
	assert_false(root->is_multipart);
	assert_true((root->defects & SIFT_DEFECT_NO_BOUNDARY) != 0);
	assert_int_equal(sift_message_part_count(msg), 1);
	assert_string_equal(root->type, "multipart");
	sift_message_destroy(&msg);
}

static void
test_empty_multipart(void **state)
{
	const char *m = "Content-Type: multipart/mixed; boundary=b\n\n--b--\n";
	struct sift_message *msg = parse(m);
	assert_true((sift_message_root(msg)->defects & SIFT_DEFECT_NO_PARTS) != 0);
	sift_message_destroy(&msg);
}

static void
test_digest_default(void **state)
{
	const char *m = "Content-Type: multipart/digest; boundary=d\n\n"
	                "--d\n\nSubject: one\n\nfirst\n"
	                "--d\nContent-Type: text/plain\n\nnot a message\n--d--\n";
	struct sift_message *msg = parse(m);
	struct sift_part *p1 = part_at(msg, 1);
	assert_string_equal(p1->type, "message");
	assert_string_equal(p1->subtype, "rfc822");
	assert_true(p1->is_message);
	struct sift_part *enclosed = part_at(msg, 2);
	assert_non_null(sift_header_find(&enclosed->headers, "subject", NULL));
	assert_body(msg, 2, "first");
	assert_string_equal(part_at(msg, 3)->type, "text");
	sift_message_destroy(&msg);
}

static void
test_header_syntax_ends_headers(void **state)
{
	const char *m = "Subject: a\nthis is no header\nMore: text\n";
	struct sift_message *msg = parse(m);
	struct sift_part *root = sift_message_root(msg);
	assert_int_equal(root->headers.count, 1);
	assert_true((root->defects & SIFT_DEFECT_HEADER_SYNTAX) != 0);
	assert_int_equal(root->body_offset, strlen("Subject: a\n"));
	assert_body(msg, 0, "this is no header\nMore: text\n");
	sift_message_destroy(&msg);
}

static void
test_obs_space_before_colon(void **state)
{
	const char *m = "Subject : spaced\n\n";
	struct sift_message *msg = parse(m);
	struct sift_part *root = sift_message_root(msg);
	struct sift_header *h = sift_header_find(&root->headers, "subject", NULL);
	assert_non_null(h);
	assert_int_equal(h->raw_len, 6);
	assert_int_equal(root->defects, 0);
	sift_message_destroy(&msg);
}

static void
test_first_line_continuation(void **state)
{
	const char *m = " leading\nSubject: x\n\n";
	struct sift_message *msg = parse(m);
	struct sift_part *root = sift_message_root(msg);
	assert_true((root->defects & SIFT_DEFECT_HEADER_SYNTAX) != 0);
	assert_int_equal(root->headers.count, 1);
	sift_message_destroy(&msg);
}

static void
test_mbox_from_line(void **state)
{
	const char *m = "From someone@example.org Mon Jan  1 00:00:00 2024\nSubject: s\n\nb\n";
	struct sift_message *msg = parse(m);
	struct sift_part *root = sift_message_root(msg);
	assert_int_equal(root->headers.count, 1);
	assert_int_equal(root->defects, 0);
	assert_int_equal(root->header_offset,
	                 strlen("From someone@example.org Mon Jan  1 00:00:00 2024\n"));
	sift_message_destroy(&msg);
}

static void
test_headers_only(void **state)
{
	struct sift_message *msg = parse("Subject: s\r\nTo: t@x\r\n");
	struct sift_part *root = sift_message_root(msg);
	assert_int_equal(root->headers.count, 2);
	assert_int_equal(root->defects, 0);
	assert_int_equal(root->body_offset, root->body_end);
	sift_message_destroy(&msg);

	msg = parse("Subject: s\r\nTo: t@x");
	root = sift_message_root(msg);
	assert_int_equal(root->headers.count, 2);
	assert_true((root->defects & SIFT_DEFECT_TRUNCATED) != 0);
	sift_message_destroy(&msg);

	msg = parse("");
	root = sift_message_root(msg);
	assert_int_equal(root->headers.count, 0);
	assert_int_equal(root->defects, 0);
	sift_message_destroy(&msg);
}

static void
test_nul_and_8bit_header(void **state)
{
	const char m[] = "Subject: a\0b \xc3\xa9\n\nbody\n";
	struct sift_message *msg = parse_chunks(m, sizeof(m) - 1, 0, NULL);
	struct sift_part *root = sift_message_root(msg);
	struct sift_header *h = sift_header_find(&root->headers, "subject", NULL);
	assert_int_equal(h->raw_len, 6);
	assert_memory_equal(h->raw, "a\0b \xc3\xa9", 6);
	assert_true((root->defects & SIFT_DEFECT_NUL_IN_HEADER) != 0);
	assert_true((root->defects & SIFT_DEFECT_8BIT_HEADER) != 0);
	sift_message_destroy(&msg);
}

static void
test_milter_shape_matches_raw(void **state)
{
	struct sift_message *raw = parse(nested_msg);
	char *expect = summary(raw);
	sift_message_destroy(&raw);

	struct sift_message *msg = sift_message_create(NULL, NULL);
	const char *error;
	assert_int_equal(sift_message_feed_header(msg, "From", 4, "a@example.org", 13, &error), 0);
	assert_int_equal(sift_message_feed_header(msg, "Subject", 7, "nested", 6, &error), 0);
	const char *ct = "multipart/mixed; boundary=\"outer\"";
	assert_int_equal(sift_message_feed_header(msg, "Content-Type", 12, ct, strlen(ct), &error),
	                 0);
	assert_int_equal(sift_message_feed_end_of_headers(msg, &error), 0);
	const char *body = strstr(nested_msg, "\r\n\r\n") + 4;
	assert_int_equal(sift_message_feed_body(msg, body, strlen(body), &error), 0);
	assert_int_equal(sift_message_finish(msg, &error), 0);
	char *got = summary(msg);
	assert_string_equal(got, expect);
	/* Mixing the shapes is refused. */
	struct sift_message *mixed = sift_message_create(NULL, NULL);
	assert_int_equal(sift_message_feed(mixed, "A: b\r\n", 6, &error), 0);
	assert_int_equal(sift_message_feed_header(mixed, "X", 1, "y", 1, &error), -1);
	sift_message_destroy(&mixed);
	sift_free(got);
	sift_free(expect);
	sift_message_destroy(&msg);
}

static void
test_milter_folded_value(void **state)
{
	struct sift_message *msg = sift_message_create(NULL, NULL);
	const char *error;
	assert_int_equal(sift_message_feed_header(msg, "Subject", 7, "one\n\ttwo", 8, &error), 0);
	assert_int_equal(sift_message_feed_end_of_headers(msg, &error), 0);
	assert_int_equal(sift_message_finish(msg, &error), 0);
	struct sift_header *h = sift_header_find(&sift_message_root(msg)->headers, "subject", NULL);
	assert_int_equal(h->raw_len, 9);
	assert_memory_equal(h->raw, "one\r\n\ttwo", 9);
	sift_message_destroy(&msg);
}

static void
test_milter_hostile_fields(void **state)
{
	/* Whatever the MTA hands over, each call is one field: a value with
	   bare or doubled line ends cannot end the header block, and a name
	   that is no field name is dropped with a defect. */
	struct sift_message *msg = sift_message_create(NULL, NULL);
	const char *error;
	assert_int_equal(sift_message_feed_header(msg, "Bad Name", 8, "x", 1, &error), 0);
	assert_int_equal(sift_message_feed_header(msg, "\xff", 1, "x", 1, &error), 0);
	assert_int_equal(sift_message_feed_header(msg, "", 0, "x", 1, &error), 0);
	assert_int_equal(
	    sift_message_feed_header(msg, "A", 1, "one\n\ntwo\nThree: 3\n", 18, &error), 0);
	assert_int_equal(sift_message_feed_header(msg, "B", 1, "", 0, &error), 0);
	assert_int_equal(sift_message_feed_end_of_headers(msg, &error), 0);
	assert_int_equal(sift_message_feed_body(msg, "body\r\n", 6, &error), 0);
	assert_int_equal(sift_message_finish(msg, &error), 0);
	struct sift_part *root = sift_message_root(msg);
	assert_int_equal(root->headers.count, 2);
	assert_true((root->defects & SIFT_DEFECT_HEADER_SYNTAX) != 0);
	struct sift_header *a = sift_header_find(&root->headers, "a", NULL);
	size_t len;
	assert_string_equal(sift_header_unfolded(sift_message_arena(msg), a, &len),
	                    "one  two Three: 3");
	assert_null(sift_header_find(&root->headers, "three", NULL));
	assert_body(msg, 0, "body\r\n");
	/* No field after the end of the headers. */
	assert_int_equal(sift_message_feed_header(msg, "C", 1, "c", 1, &error), -1);
	sift_message_destroy(&msg);
}

/* ---- decoding ------------------------------------------------------------ */

static void
test_decode_parts(void **state)
{
	const char *m = "Content-Type: multipart/mixed; boundary=b\n\n"
	                "--b\nContent-Transfer-Encoding: base64\nContent-Type: application/x\n\n"
	                "SGVs\nbG8s\nIHdvcmxk\n"
	                "--b\nContent-Type: text/plain; charset=iso-8859-1\n"
	                "Content-Transfer-Encoding: quoted-printable\n\n"
	                "caf=E9 =\nau lait\n"
	                "--b--\n";
	struct sift_message *msg = parse(m);
	struct sift_buf out;
	const char *error;
	sift_buf_init(&out, 0);
	assert_int_equal(sift_part_decode(msg, part_at(msg, 1), SIFT_DECODE_TRANSFER, &out, &error),
	                 0);
	assert_int_equal(out.len, 12);
	assert_memory_equal(out.data, "Hello, world", 12);
	sift_buf_reset(&out);
	assert_int_equal(sift_part_decode(msg, part_at(msg, 2),
	                                  SIFT_DECODE_TRANSFER | SIFT_DECODE_CHARSET, &out, &error),
	                 0);
	assert_string_equal(out.data, "caf\xc3\xa9 au lait");
	sift_buf_reset(&out);
	/* Without flags: the raw body. */
	assert_int_equal(sift_part_decode(msg, part_at(msg, 1), 0, &out, &error), 0);
	assert_string_equal(out.data, "SGVs\nbG8s\nIHdvcmxk");
	/* The output maximum bounds the work. */
	struct sift_buf small;
	sift_buf_init(&small, 5);
	assert_int_equal(
	    sift_part_decode(msg, part_at(msg, 1), SIFT_DECODE_TRANSFER, &small, &error), 0);
	assert_true(small.len <= 5);
	assert_true(small.overflow);
	sift_buf_free(&small);
	sift_buf_free(&out);
	sift_message_destroy(&msg);
}

/* ---- limits and hostile input ------------------------------------------- */

static char *
deep_nesting(unsigned int levels, size_t *len_r)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	for (unsigned int i = 0; i < levels; i++)
		sift_buf_printf(&buf, "Content-Type: multipart/mixed; boundary=\"b%u\"\n\n--b%u\n",
		                i, i);
	sift_buf_append_str(&buf, "Content-Type: text/plain\n\ndeepest\n");
	for (unsigned int i = levels; i-- > 0;)
		sift_buf_printf(&buf, "--b%u--\n", i);
	return sift_buf_steal(&buf, len_r);
}

static void
test_depth_limit(void **state)
{
	size_t len;
	char *m = deep_nesting(200, &len);
	clock_t start = clock();
	struct sift_message *msg = parse_chunks(m, len, 4096, NULL);
	double secs = (double)(clock() - start) / CLOCKS_PER_SEC;
	assert_true(secs < 2.0);
	unsigned int max_depth = 0;
	for (struct sift_part *p = sift_message_root(msg); p != NULL; p = sift_part_next(p)) {
		if (p->depth > max_depth)
			max_depth = p->depth;
	}
	assert_int_equal(max_depth, 100);
	assert_true((sift_message_defects(msg) & SIFT_DEFECT_DEPTH_LIMIT) != 0);
	assert_int_equal(sift_message_part_count(msg), 101);
	sift_message_destroy(&msg);

	/* A smaller configured limit. */
	struct sift_limits limits;
	const char *error;
	sift_limits_init(&limits);
	assert_int_equal(sift_limits_set(&limits, "mime_depth", "3", &error), 0);
	msg = parse_chunks(m, len, 0, &limits);
	assert_int_equal(sift_message_part_count(msg), 4);
	sift_message_destroy(&msg);
	sift_free(m);
}

static void
test_parts_limit(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	sift_buf_append_str(&buf, "Content-Type: multipart/mixed; boundary=p\n\n");
	for (int i = 0; i < 10050; i++)
		sift_buf_append_str(&buf, "--p\n\nx\n");
	sift_buf_append_str(&buf, "--p--\n");
	struct sift_message *msg = parse_chunks(buf.data, buf.len, 65536, NULL);
	assert_int_equal(sift_message_part_count(msg), 10000);
	assert_true((sift_message_root(msg)->defects & SIFT_DEFECT_PARTS_LIMIT) != 0);
	/* The root body still runs to its close delimiter. */
	assert_int_equal(sift_message_root(msg)->body_end, buf.len);
	sift_message_destroy(&msg);
	sift_buf_free(&buf);
}

static void
test_long_header_line(void **state)
{
	size_t n = 1024 * 1024;
	char *m = sift_malloc(n + 64);
	memcpy(m, "Subject: ", 9);
	memset(m + 9, 'x', n);
	memcpy(m + 9 + n, "\nTo: a@b\n\nbody\n", 15);
	struct sift_message *msg = parse_chunks(m, n + 24, 8192, NULL);
	struct sift_part *root = sift_message_root(msg);
	assert_true((root->defects & SIFT_DEFECT_LINE_LIMIT) != 0);
	assert_true((root->defects & SIFT_DEFECT_LONG_LINE) != 0);
	struct sift_header *h = sift_header_find(&root->headers, "subject", NULL);
	assert_non_null(h);
	assert_true(h->raw_len <= 64 * 1024);
	assert_non_null(sift_header_find(&root->headers, "to", NULL));
	assert_body(msg, 0, "body\n");
	sift_message_destroy(&msg);
	sift_free(m);
}

static void
test_header_count_limit(void **state)
{
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	for (int i = 0; i < 20000; i++)
		sift_buf_printf(&buf, "X-H%d: v\n", i);
	sift_buf_append_str(&buf, "\nbody\n");
	struct sift_message *msg = parse_chunks(buf.data, buf.len, 0, NULL);
	struct sift_part *root = sift_message_root(msg);
	assert_int_equal(root->headers.count, 10000);
	assert_true((root->defects & SIFT_DEFECT_HEADER_LIMIT) != 0);
	assert_body(msg, 0, "body\n");
	sift_message_destroy(&msg);
	sift_buf_free(&buf);
}

static void
test_body_scan_limit_and_spill(void **state)
{
	struct sift_limits limits;
	const char *error;
	sift_limits_init(&limits);
	assert_int_equal(sift_limits_set(&limits, "body_memory", "4K", &error), 0);
	assert_int_equal(sift_limits_set(&limits, "body_scan", "64K", &error), 0);
	size_t n = 200 * 1024;
	char *m = sift_malloc(n);
	memcpy(m, "Subject: big\n\n", 14);
	for (size_t i = 14; i < n; i++)
		m[i] = (char)('a' + i % 26);
	struct sift_message *msg = parse_chunks(m, n, 1000, &limits);
	assert_int_equal(sift_message_size(msg), n);
	assert_int_equal(sift_message_stored(msg), 64 * 1024);
	assert_true((sift_message_root(msg)->defects & SIFT_DEFECT_BODY_LIMIT) != 0);
	/* Read back across the memory/file border. */
	char buf[8192];
	assert_int_equal(sift_message_read(msg, 1000, buf, sizeof(buf), &error), sizeof(buf));
	assert_memory_equal(buf, m + 1000, sizeof(buf));
	assert_int_equal(sift_message_read(msg, 60 * 1024, buf, sizeof(buf), &error), 4 * 1024);
	assert_memory_equal(buf, m + 60 * 1024, 4 * 1024);
	sift_message_destroy(&msg);
	sift_free(m);
}

static void
test_garbage_is_bounded(void **state)
{
	/* Pseudo-random bytes biased towards the characters the parser
	   cares about: it must finish, with every range inside the input. */
	const char alphabet[] = "-\r\n:; =\"bB\tContent-Type: multipart/mixed; boundary=b";
	unsigned int seed = 12345;
	for (int round = 0; round < 200; round++) {
		size_t len = 1 + (seed % 4096);
		char *m = sift_malloc(len);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			m[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		struct sift_message *msg = parse_chunks(m, len, 1 + round % 7, NULL);
		for (struct sift_part *p = sift_message_root(msg); p != NULL;
		     p = sift_part_next(p)) {
			assert_true(p->header_offset <= p->body_offset);
			assert_true(p->body_offset <= p->body_end);
			assert_true(p->body_end <= len);
		}
		sift_message_destroy(&msg);
		sift_free(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simple_lf),
	    cmocka_unit_test(test_folded_header),
	    cmocka_unit_test(test_nested_structure),
	    cmocka_unit_test(test_preamble_epilogue),
	    cmocka_unit_test(test_chunking_invariance),
	    cmocka_unit_test(test_missing_close_boundary),
	    cmocka_unit_test(test_outer_boundary_closes_inner),
	    cmocka_unit_test(test_boundary_prefix),
	    cmocka_unit_test(test_boundary_whitespace_and_eof),
	    cmocka_unit_test(test_no_boundary_param),
	    cmocka_unit_test(test_empty_multipart),
	    cmocka_unit_test(test_digest_default),
	    cmocka_unit_test(test_header_syntax_ends_headers),
	    cmocka_unit_test(test_obs_space_before_colon),
	    cmocka_unit_test(test_first_line_continuation),
	    cmocka_unit_test(test_mbox_from_line),
	    cmocka_unit_test(test_headers_only),
	    cmocka_unit_test(test_nul_and_8bit_header),
	    cmocka_unit_test(test_milter_shape_matches_raw),
	    cmocka_unit_test(test_milter_folded_value),
	    cmocka_unit_test(test_milter_hostile_fields),
	    cmocka_unit_test(test_decode_parts),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_parts_limit),
	    cmocka_unit_test(test_long_header_line),
	    cmocka_unit_test(test_header_count_limit),
	    cmocka_unit_test(test_body_scan_limit_and_spill),
	    cmocka_unit_test(test_garbage_is_bounded),
	};
	return cmocka_run_group_tests_name("message-parser", tests, NULL, NULL);
}
