/* SPDX-License-Identifier: MIT */
/* Tests of milter-dsn: the exact layout of a composed DSN and its
   structure as the core's parser reads it back, hostile strings (line
   ends, 8-bit, huge header blocks), the status taken from a reply, and
   submission over SMTP to an in-test server thread on the loopback and
   through commands (exit status, signals, timeouts, early exit). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/header.h"
#include "mail/message-parser.h"
#include "util/alloc.h"
#include "util/buffer.h"
#include "milter.h"

#define NOW     1763200000 /* Sat, 15 Nov 2025 09:46:40 +0000 */
#define ARRIVAL 1763199000 /* Sat, 15 Nov 2025 09:30:00 +0000 */

static const char orig_headers[] = "From: alice@example.com\r\n"
                                   "To: bob@example.org, carol@example.org\r\n"
                                   "Subject: hello\r\n"
                                   "Message-ID: <1@example.com>\r\n";

static const struct milter_dsn_rcpt two_rcpts[] = {
    {"bob@example.org", "rfc822;bob@example.org", "550 5.7.1 Refused by policy"},
    {"carol@example.org", NULL, "550 5.1.1 <carol@example.org>: no such user"},
};

static struct milter_dsn
base_dsn(void)
{
	struct milter_dsn dsn = {
	    .reporting_mta = "mx.example.org",
	    .sender = "alice@example.com",
	    .queue_id = "4AbCdE",
	    .client = "mail.example.net [192.0.2.7]",
	    .arrival = ARRIVAL,
	    .rcpts = two_rcpts,
	    .nrcpts = 2,
	    .headers = orig_headers,
	    .headers_len = sizeof(orig_headers) - 1,
	};
	return dsn;
}

/* ---- helpers: composing and reading back ------------------------------- */

static char *
compose(const struct milter_dsn *dsn, size_t *len_r)
{
	struct sift_buf out;
	sift_buf_init(&out, 0);
	assert_int_equal(milter_dsn_compose(dsn, NOW, &out), 0);
	assert_false(out.overflow);
	return sift_buf_steal(&out, len_r);
}

static struct sift_message *
parse(const char *data, size_t len)
{
	struct sift_message *msg = sift_message_create(NULL, NULL);
	const char *error = NULL;
	assert_int_equal(sift_message_feed(msg, data, len, &error), 0);
	assert_int_equal(sift_message_finish(msg, &error), 0);
	return msg;
}

/* The unfolded value of the first field of that name, copied (free with
   sift_free), or NULL. */
static char *
hval(struct sift_message *msg, struct sift_part *part, const char *name)
{
	struct sift_header *h = sift_header_find(&part->headers, name, NULL);
	if (h == NULL)
		return NULL;
	size_t len;
	const char *v = sift_header_unfolded(sift_message_arena(msg), h, &len);
	return sift_memdup0(v, len);
}

static void
assert_hval(struct sift_message *msg, struct sift_part *part, const char *name, const char *want)
{
	char *v = hval(msg, part, name);
	if (want == NULL) {
		if (v != NULL)
			fail_msg("%s: unexpected \"%s\"", name, v);
		return;
	}
	if (v == NULL)
		fail_msg("%s: missing, want \"%s\"", name, want);
	assert_string_equal(v, want);
	sift_free(v);
}

static char *
part_body(struct sift_message *msg, struct sift_part *part, size_t *len_r)
{
	size_t len = (size_t)(part->body_end - part->body_offset);
	char *buf = sift_malloc(len + 1);
	const char *error;
	assert_int_equal(sift_message_read(msg, part->body_offset, buf, len, &error), (ssize_t)len);
	buf[len] = '\0';
	*len_r = len;
	return buf;
}

static struct sift_part *
child(struct sift_message *msg, unsigned int n)
{
	struct sift_part *p = sift_message_root(msg)->children;
	for (unsigned int i = 0; i < n && p != NULL; i++)
		p = p->next;
	assert_non_null(p);
	return p;
}

/* The blocks of a message/delivery-status body (RFC 3464 2.1: groups of
   header-like fields separated by empty lines), each parsed as a header
   block. */
#define MAX_BLOCKS 16
struct status_blocks {
	struct sift_message *msg[MAX_BLOCKS];
	size_t count;
};

static void
read_status(struct sift_message *msg, struct sift_part *part, struct status_blocks *sb)
{
	size_t len;
	char *body = part_body(msg, part, &len);
	sb->count = 0;
	const char *p = body, *end = body + len;
	while (p < end && sb->count < MAX_BLOCKS) {
		const char *sep = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		const char *stop = sep != NULL ? sep + 2 : end;
		struct sift_buf blk;
		sift_buf_init(&blk, 0);
		sift_buf_append(&blk, p, (size_t)(stop - p));
		sift_buf_append_str(&blk, "\r\n");
		sb->msg[sb->count++] = parse(blk.data, blk.len);
		sift_buf_free(&blk);
		p = sep != NULL ? sep + 4 : end;
	}
	sift_free(body);
}

static void
free_status(struct status_blocks *sb)
{
	for (size_t i = 0; i < sb->count; i++)
		sift_message_destroy(&sb->msg[i]);
}

static void
assert_block(struct status_blocks *sb, size_t i, const char *name, const char *want)
{
	assert_true(i < sb->count);
	assert_hval(sb->msg[i], sift_message_root(sb->msg[i]), name, want);
}

/* Every line ends in CRLF, no bare CR or LF, no NUL, no 8-bit byte, no
   line longer than 998 bytes. */
static void
assert_clean_lines(const char *s, size_t len)
{
	size_t col = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r') {
			assert_true(i + 1 < len && s[i + 1] == '\n');
			i++;
			col = 0;
			continue;
		}
		assert_true(c != '\n' && c != '\0' && c < 0x80);
		col++;
		if (col > 998)
			fail_msg("line longer than 998 bytes at offset %zu", i);
	}
	assert_int_equal(col, 0); /* ends with CRLF */
}

/* The line of s that starts with prefix (the rest of it, copied), or
   NULL. */
static char *
line_after(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix);
	for (const char *p = s; p != NULL && *p != '\0';) {
		if (strncmp(p, prefix, plen) == 0) {
			const char *e = strstr(p, "\r\n");
			return sift_memdup0(p + plen,
			                    e != NULL ? (size_t)(e - p) - plen : strlen(p + plen));
		}
		p = strstr(p, "\r\n");
		if (p != NULL)
			p += 2;
	}
	return NULL;
}

static char *
replace_all(const char *s, const char *from, const char *to)
{
	struct sift_buf b;
	sift_buf_init(&b, 0);
	size_t flen = strlen(from);
	for (const char *p = s;;) {
		const char *q = strstr(p, from);
		if (q == NULL) {
			sift_buf_append_str(&b, p);
			break;
		}
		sift_buf_append(&b, p, (size_t)(q - p));
		sift_buf_append_str(&b, to);
		p = q + flen;
	}
	return sift_buf_steal(&b, NULL);
}

/* ---- compose: layout and structure ------------------------------------- */

static const char expected_dsn[] =
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
    "To: <alice@example.com>\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "Date: Sat, 15 Nov 2025 09:46:40 +0000\r\n"
    "Message-ID: <@ID@@mx.example.org>\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
    "\tboundary=\"@B@\"\r\n"
    "\r\n"
    "This is a MIME-encapsulated message.\r\n"
    "\r\n"
    "--@B@\r\n"
    "Content-Description: Notification\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "This is the mail system at host mx.example.org.\r\n"
    "\r\n"
    "Your message could not be delivered to the recipients below:\r\n"
    "the receiving system refused them.  Other recipients of the\r\n"
    "same message, if any, were not affected.\r\n"
    "\r\n"
    "Queue id: 4AbCdE\r\n"
    "\r\n"
    "<bob@example.org>: 550 5.7.1 Refused by policy\r\n"
    "<carol@example.org>: 550 5.1.1 <carol@example.org>: no such user\r\n"
    "\r\n"
    "--@B@\r\n"
    "Content-Description: Delivery report\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mx.example.org\r\n"
    "X-Mailsift-Queue-ID: 4AbCdE\r\n"
    "Received-From-MTA: dns; mail.example.net\r\n"
    "Arrival-Date: Sat, 15 Nov 2025 09:30:00 +0000\r\n"
    "\r\n"
    "Original-Recipient: rfc822;bob@example.org\r\n"
    "Final-Recipient: rfc822; bob@example.org\r\n"
    "Action: failed\r\n"
    "Status: 5.7.1\r\n"
    "Diagnostic-Code: smtp; 550 5.7.1 Refused by policy\r\n"
    "\r\n"
    "Final-Recipient: rfc822; carol@example.org\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <carol@example.org>: no such user\r\n"
    "\r\n"
    "--@B@\r\n"
    "Content-Description: Undelivered Message Headers\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "From: alice@example.com\r\n"
    "To: bob@example.org, carol@example.org\r\n"
    "Subject: hello\r\n"
    "Message-ID: <1@example.com>\r\n"
    "\r\n"
    "--@B@--\r\n";

static void
test_compose_exact(void **state)
{
	struct milter_dsn dsn = base_dsn();
	size_t len;
	char *out = compose(&dsn, &len);
	assert_int_equal(strlen(out), len);

	/* The random parts: the boundary and the Message-ID's left side. */
	char *b = line_after(out, "\tboundary=\"");
	assert_non_null(b);
	assert_true(strlen(b) > 1 && b[strlen(b) - 1] == '"');
	b[strlen(b) - 1] = '\0';
	assert_true(strlen(b) >= 30 && strlen(b) <= 70); /* RFC 2046 5.1.1 */
	char *id = line_after(out, "Message-ID: <");
	assert_non_null(id);
	char *at = strstr(id, "@mx.example.org>");
	assert_non_null(at);
	*at = '\0';
	assert_true(strlen(id) > 10);
	assert_null(strchr(id, '@'));

	char *want1 = replace_all(expected_dsn, "@B@", b);
	char *want = replace_all(want1, "@ID@", id);
	assert_string_equal(out, want);
	assert_clean_lines(out, len);

	sift_free(want1);
	sift_free(want);
	sift_free(b);
	sift_free(id);
	sift_free(out);
}

static void
test_compose_structure(void **state)
{
	struct milter_dsn dsn = base_dsn();
	size_t len;
	char *out = compose(&dsn, &len);
	struct sift_message *msg = parse(out, len);
	struct sift_part *root = sift_message_root(msg);

	assert_int_equal(sift_message_defects(msg), 0);
	assert_string_equal(root->type, "multipart");
	assert_string_equal(root->subtype, "report");
	assert_true(root->is_multipart);
	const struct sift_param *rt = sift_param_find(root->params, "report-type");
	assert_non_null(rt);
	assert_string_equal(rt->value, "delivery-status");
	assert_int_equal(sift_message_part_count(msg), 4);

	assert_hval(msg, root, "From", "Mail Delivery System <MAILER-DAEMON@mx.example.org>");
	assert_hval(msg, root, "To", "<alice@example.com>");
	assert_hval(msg, root, "Subject", "Undelivered Mail Returned to Sender");
	assert_hval(msg, root, "Date", "Sat, 15 Nov 2025 09:46:40 +0000");
	assert_hval(msg, root, "Auto-Submitted", "auto-replied");
	assert_hval(msg, root, "MIME-Version", "1.0");
	assert_int_equal(sift_header_count(&root->headers, "Message-ID"), 1);

	struct sift_part *p1 = child(msg, 0), *p2 = child(msg, 1), *p3 = child(msg, 2);
	assert_null(p3->next);
	assert_string_equal(p1->type, "text");
	assert_string_equal(p1->subtype, "plain");
	assert_string_equal(p1->charset, "us-ascii");
	assert_string_equal(p2->type, "message");
	assert_string_equal(p2->subtype, "delivery-status");
	assert_false(p2->is_message);
	assert_string_equal(p3->type, "text");
	assert_string_equal(p3->subtype, "rfc822-headers");

	size_t blen;
	char *text = part_body(msg, p1, &blen);
	assert_non_null(strstr(text, "\r\n<bob@example.org>: 550 5.7.1 Refused by policy\r\n"));
	assert_non_null(strstr(
	    text, "\r\n<carol@example.org>: 550 5.1.1 <carol@example.org>: no such user\r\n"));
	sift_free(text);

	/* The headers come back byte for byte (the CRLF before the closing
	   delimiter belongs to the delimiter, RFC 2046 5.1.1). */
	char *hdrs = part_body(msg, p3, &blen);
	assert_int_equal(blen, sizeof(orig_headers) - 1);
	assert_memory_equal(hdrs, orig_headers, sizeof(orig_headers) - 1);
	sift_free(hdrs);

	struct status_blocks sb;
	read_status(msg, p2, &sb);
	assert_int_equal(sb.count, 3);
	assert_block(&sb, 0, "Reporting-MTA", "dns; mx.example.org");
	assert_block(&sb, 0, "Received-From-MTA", "dns; mail.example.net");
	assert_block(&sb, 0, "Arrival-Date", "Sat, 15 Nov 2025 09:30:00 +0000");
	assert_block(&sb, 0, "X-Mailsift-Queue-ID", "4AbCdE");
	assert_block(&sb, 0, "Final-Recipient", NULL);
	assert_block(&sb, 1, "Original-Recipient", "rfc822;bob@example.org");
	assert_block(&sb, 1, "Final-Recipient", "rfc822; bob@example.org");
	assert_block(&sb, 1, "Action", "failed");
	assert_block(&sb, 1, "Status", "5.7.1");
	assert_block(&sb, 1, "Diagnostic-Code", "smtp; 550 5.7.1 Refused by policy");
	assert_block(&sb, 2, "Original-Recipient", NULL);
	assert_block(&sb, 2, "Final-Recipient", "rfc822; carol@example.org");
	assert_block(&sb, 2, "Action", "failed");
	assert_block(&sb, 2, "Status", "5.1.1");
	assert_block(&sb, 2, "Diagnostic-Code",
	             "smtp; 550 5.1.1 <carol@example.org>: no such user");
	assert_block(&sb, 2, "Reporting-MTA", NULL);
	free_status(&sb);

	sift_message_destroy(&msg);
	sift_free(out);
}

/* Optional fields left out: no client, no arrival, no queue id, no
   headers; a single recipient. */
static void
test_compose_minimal(void **state)
{
	struct milter_dsn_rcpt r = {"x@example.org", NULL, "554 5.7.0 no"};
	struct milter_dsn dsn = {
	    .reporting_mta = "mx",
	    .sender = "<s@example.com>", /* brackets are dropped */
	    .rcpts = &r,
	    .nrcpts = 1,
	};
	size_t len;
	char *out = compose(&dsn, &len);
	assert_clean_lines(out, len);
	struct sift_message *msg = parse(out, len);
	struct sift_part *root = sift_message_root(msg);
	assert_int_equal(sift_message_defects(msg), 0);
	assert_hval(msg, root, "To", "<s@example.com>");
	assert_int_equal(sift_message_part_count(msg), 4);
	struct status_blocks sb;
	read_status(msg, child(msg, 1), &sb);
	assert_int_equal(sb.count, 2);
	assert_block(&sb, 0, "Reporting-MTA", "dns; mx");
	assert_block(&sb, 0, "Received-From-MTA", NULL);
	assert_block(&sb, 0, "Arrival-Date", NULL);
	assert_block(&sb, 0, "X-Mailsift-Queue-ID", NULL);
	assert_block(&sb, 1, "Status", "5.7.0");
	free_status(&sb);
	size_t blen;
	char *hdrs = part_body(msg, child(msg, 2), &blen);
	assert_int_equal(blen, 0);
	sift_free(hdrs);
	assert_null(strstr(out, "Queue id"));
	sift_message_destroy(&msg);
	sift_free(out);
}

/* ---- compose: status codes --------------------------------------------- */

static char *
status_for(const char *reply)
{
	struct milter_dsn_rcpt r = {"x@example.org", NULL, reply};
	struct milter_dsn dsn = base_dsn();
	dsn.rcpts = &r;
	dsn.nrcpts = 1;
	size_t len;
	char *out = compose(&dsn, &len);
	char *st = line_after(out, "Status: ");
	assert_non_null(st);
	sift_free(out);
	return st;
}

static void
test_status_codes(void **state)
{
	static const struct {
		const char *reply, *status;
	} cases[] = {
	    {"550 5.7.1 Refused", "5.7.1"},
	    {"550 5.1.1", "5.1.1"},
	    {"553 5.1.10 null MX", "5.1.10"},
	    {"550-5.7.1 first\r\n550 5.7.1 second", "5.7.1"},
	    {"554 5.123.456 x", "5.123.456"},
	    {"550 no enhanced code", "5.0.0"},
	    {"550", "5.0.0"},
	    {"451 4.7.1 later", "4.7.1"},
	    {"450 try later", "4.0.0"},
	    {"550 4.7.1 class differs", "5.0.0"},
	    {"550 5.1234.1 too many digits", "5.0.0"},
	    {"550 5.7.1x glued", "5.0.0"},
	    {"550 5.7. short", "5.0.0"},
	    {"550 5..1", "5.0.0"},
	    {"250 2.0.0 not a refusal", "5.0.0"},
	    {"", "5.0.0"},
	    {"garbage", "5.0.0"},
	    {"55", "5.0.0"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *st = status_for(cases[i].reply);
		if (strcmp(st, cases[i].status) != 0)
			fail_msg("reply \"%s\": status %s, want %s", cases[i].reply, st,
			         cases[i].status);
		sift_free(st);
	}
	/* A NULL reply is a refusal without text. */
	char *st = status_for(NULL);
	assert_string_equal(st, "5.0.0");
	sift_free(st);
}

/* ---- compose: hostile strings ------------------------------------------ */

static void
test_hostile_strings(void **state)
{
	struct milter_dsn_rcpt r[] = {
	    {"bob@example.org\r\nBcc: victim@example.net", "rfc822;a\r\nX: y",
	     "550 5.7.1 bad\r\nBcc: evil@example.net\r\n\r\n--x\tcaf\xc3\xa9 \x01\x7f end  "},
	};
	struct milter_dsn dsn = base_dsn();
	dsn.rcpts = r;
	dsn.nrcpts = 1;
	dsn.reporting_mta = "mx.example.org\r\nBcc: x@y>";
	dsn.sender = "alice@example.com\r\nBcc: z@example.net";
	dsn.client = "evil\r\nhost [192.0.2.1]";
	dsn.queue_id = "Q\r\nBcc: q";
	size_t len;
	char *out = compose(&dsn, &len);
	assert_clean_lines(out, len);
	/* Nothing injected starts a line. */
	assert_null(strstr(out, "\r\nBcc:"));
	assert_null(strstr(out, "\r\nX: y"));

	struct sift_message *msg = parse(out, len);
	struct sift_part *root = sift_message_root(msg);
	assert_int_equal(sift_header_count(&root->headers, "Bcc"), 0);
	assert_hval(msg, root, "From",
	            "Mail Delivery System <MAILER-DAEMON@mx.example.org--Bcc--x-y->");
	assert_hval(msg, root, "To", "<alice@example.com Bcc: z@example.net>");
	struct status_blocks sb;
	read_status(msg, child(msg, 1), &sb);
	assert_int_equal(sb.count, 2);
	assert_block(&sb, 0, "Reporting-MTA", "dns; mx.example.org--Bcc--x-y-");
	assert_block(&sb, 0, "Received-From-MTA", "dns; evil--host");
	assert_block(&sb, 0, "X-Mailsift-Queue-ID", "Q Bcc: q");
	/* An ORCPT that is not addr-type;xtext is left out. */
	assert_block(&sb, 1, "Original-Recipient", NULL);
	assert_block(&sb, 1, "Final-Recipient", "rfc822; bob@example.org Bcc: victim@example.net");
	assert_block(&sb, 1, "Diagnostic-Code",
	             "smtp; 550 5.7.1 bad Bcc: evil@example.net --x caf?? end");
	assert_block(&sb, 1, "Bcc", NULL);
	free_status(&sb);
	sift_message_destroy(&msg);
	sift_free(out);
}

static void
test_orcpt(void **state)
{
	static const struct {
		const char *orcpt;
		bool kept;
	} cases[] = {
	    {"rfc822;bob@example.org", true},
	    {"rfc822;bob+2Bx@example.org", true},
	    {"x-local;~!#$%^&*", true},
	    {"rfc822;a b", false},
	    {"rfc822;a=b", false},
	    {"rfc822;a+2", false},
	    {"rfc822;a+zz", false},
	    {"rfc822;a+2b", false}, /* xtext hex digits are upper case */
	    {"rfc822;", false},
	    {";bob@example.org", false},
	    {"bob@example.org", false},
	    {"rfc 822;bob", false},
	    {"rfc822;b\xc3\xa9", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct milter_dsn_rcpt r = {"x@example.org", cases[i].orcpt, "550 5.7.1 no"};
		struct milter_dsn dsn = base_dsn();
		dsn.rcpts = &r;
		dsn.nrcpts = 1;
		size_t len;
		char *out = compose(&dsn, &len);
		char *v = line_after(out, "Original-Recipient: ");
		if (cases[i].kept) {
			assert_non_null(v);
			assert_string_equal(v, cases[i].orcpt);
		} else if (v != NULL) {
			fail_msg("ORCPT \"%s\" kept as \"%s\"", cases[i].orcpt, v);
		}
		sift_free(v);
		sift_free(out);
	}
	/* Longer than any address may be: left out. */
	char big[1200];
	memcpy(big, "rfc822;", 7);
	memset(big + 7, 'a', sizeof(big) - 8);
	big[sizeof(big) - 1] = '\0';
	struct milter_dsn_rcpt r = {"x@example.org", big, "550 5.7.1 no"};
	struct milter_dsn dsn = base_dsn();
	dsn.rcpts = &r;
	dsn.nrcpts = 1;
	size_t len;
	char *out = compose(&dsn, &len);
	assert_null(strstr(out, "Original-Recipient"));
	sift_free(out);
}

static void
test_client_forms(void **state)
{
	static const struct {
		const char *client, *want;
	} cases[] = {
	    {"mail.example.net [192.0.2.7]", "dns; mail.example.net"},
	    {"unknown [192.0.2.1]", "dns; [192.0.2.1]"},
	    {"[2001:db8::1]", "dns; [2001:db8::1]"},
	    {"host.example", "dns; host.example"},
	    {"bad name! [x]", "dns; bad-name-"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct milter_dsn dsn = base_dsn();
		dsn.client = cases[i].client;
		size_t len;
		char *out = compose(&dsn, &len);
		char *v = line_after(out, "Received-From-MTA: ");
		assert_non_null(v);
		assert_string_equal(v, cases[i].want);
		sift_free(v);
		sift_free(out);
	}
}

/* A long reply is folded at spaces (unfolding gives it back); a word
   longer than a line is cut at 998 bytes. */
static void
test_long_reply(void **state)
{
	struct sift_buf reply;
	sift_buf_init(&reply, 0);
	sift_buf_append_str(&reply, "550 5.7.1");
	for (int i = 0; i < 300; i++)
		sift_buf_printf(&reply, " word%d", i);
	struct milter_dsn_rcpt r = {"x@example.org", NULL, reply.data};
	struct milter_dsn dsn = base_dsn();
	dsn.rcpts = &r;
	dsn.nrcpts = 1;
	size_t len;
	char *out = compose(&dsn, &len);
	assert_clean_lines(out, len);
	struct sift_message *msg = parse(out, len);
	struct status_blocks sb;
	read_status(msg, child(msg, 1), &sb);
	char *want = NULL;
	{
		struct sift_buf w;
		sift_buf_init(&w, 0);
		sift_buf_printf(&w, "smtp; %s", reply.data);
		want = sift_buf_steal(&w, NULL);
	}
	assert_block(&sb, 1, "Diagnostic-Code", want);
	/* Folded near 78 columns, not just under 998. */
	char *d = strstr(out, "Diagnostic-Code: ");
	assert_non_null(d);
	assert_true(strstr(d, "\r\n") - d <= 78);
	sift_free(want);
	free_status(&sb);
	sift_message_destroy(&msg);
	sift_free(out);

	/* One 3000-byte word: cut at the hard limit. */
	sift_buf_reset(&reply);
	sift_buf_append_str(&reply, "550 5.7.1 ");
	for (int i = 0; i < 3000; i++)
		sift_buf_append_c(&reply, (char)('a' + i % 26));
	r.reply = reply.data;
	out = compose(&dsn, &len);
	assert_clean_lines(out, len);
	msg = parse(out, len);
	read_status(msg, child(msg, 1), &sb);
	char *v = hval(sb.msg[1], sift_message_root(sb.msg[1]), "Diagnostic-Code");
	assert_non_null(v);
	/* Unfolding keeps the inserted spaces: the text comes back with a
	   space at each cut, nothing lost. */
	size_t letters = 0;
	for (const char *p = v + strlen("smtp; 550 5.7.1 "); *p != '\0'; p++) {
		if (*p != ' ')
			assert_int_equal(*p, 'a' + letters++ % 26);
	}
	assert_int_equal(letters, 3000);
	sift_free(v);
	free_status(&sb);
	sift_message_destroy(&msg);
	sift_free(out);

	/* Past DSN_TEXT_MAX the reply is cut: the DSN stays small. */
	sift_buf_reset(&reply);
	sift_buf_append_str(&reply, "550 5.7.1");
	for (int i = 0; i < 20000; i++)
		sift_buf_append_str(&reply, " xx");
	r.reply = reply.data;
	out = compose(&dsn, &len);
	assert_clean_lines(out, len);
	assert_true(len < 2 * 4000 + 4096);
	sift_free(out);
	sift_buf_free(&reply);
}

/* The header block: line ends made CRLF, NUL/control as space, 8-bit as
   '?', long lines broken into continuation lines, stopped at an empty
   line. */
static void
test_hostile_headers(void **state)
{
	static const char hdr[] = "Subject: caf\xc3\xa9\n"
	                          "X-Nul: a\0b\r\n"
	                          "X-Cr: c\rX-After-Cr: d\r\n"
	                          "X-Tab:\tkept\r\n"
	                          "\r\n"
	                          "body text that must not come back\r\n";
	struct milter_dsn dsn = base_dsn();
	dsn.headers = hdr;
	dsn.headers_len = sizeof(hdr) - 1;
	size_t len;
	char *out = compose(&dsn, &len);
	assert_clean_lines(out, len);
	assert_null(strstr(out, "body text"));
	struct sift_message *msg = parse(out, len);
	size_t blen;
	char *h = part_body(msg, child(msg, 2), &blen);
	assert_string_equal(h, "Subject: caf??\r\n"
	                       "X-Nul: a b\r\n"
	                       "X-Cr: c\r\n"
	                       "X-After-Cr: d\r\n"
	                       "X-Tab:\tkept\r\n");
	sift_free(h);
	sift_message_destroy(&msg);
	sift_free(out);

	/* A 3000-byte line: continuation lines of at most 998 bytes. */
	struct sift_buf big;
	sift_buf_init(&big, 0);
	sift_buf_append_str(&big, "X-Long: ");
	while (big.len < 3000)
		sift_buf_append_c(&big, 'z');
	sift_buf_append_str(&big, "\r\nX-Next: 1\r\n");
	dsn.headers = big.data;
	dsn.headers_len = big.len;
	out = compose(&dsn, &len);
	assert_clean_lines(out, len);
	msg = parse(out, len);
	h = part_body(msg, child(msg, 2), &blen);
	struct sift_message *hm = parse(h, blen);
	char *v = hval(hm, sift_message_root(hm), "X-Long");
	size_t zs = 0;
	for (const char *p = v; *p != '\0'; p++)
		zs += *p == 'z';
	assert_int_equal(zs, 3000 - 8);
	sift_free(v);
	assert_hval(hm, sift_message_root(hm), "X-Next", "1");
	sift_message_destroy(&hm);
	sift_free(h);
	sift_message_destroy(&msg);
	sift_free(out);
	sift_buf_free(&big);
}

/* A huge header block is cut at a line end, to at most 64 KiB. */
static void
test_huge_headers(void **state)
{
	struct sift_buf big;
	sift_buf_init(&big, 0);
	for (int i = 0; big.len < 200 * 1024; i++)
		sift_buf_printf(&big, "X-Filler-%06d: %080d\r\n", i, i);
	struct milter_dsn dsn = base_dsn();
	dsn.headers = big.data;
	dsn.headers_len = big.len;
	size_t len;
	char *out = compose(&dsn, &len);
	assert_clean_lines(out, len);
	assert_true(len < 64 * 1024 + 4096);
	struct sift_message *msg = parse(out, len);
	size_t blen;
	char *h = part_body(msg, child(msg, 2), &blen);
	/* A prefix of the original, whole lines, close to the limit. */
	size_t hlen = blen;
	assert_true(hlen <= 64 * 1024);
	assert_true(hlen > 64 * 1024 - 200);
	assert_memory_equal(h, big.data, hlen);
	assert_memory_equal(h + hlen - 2, "\r\n", 2);
	assert_memory_equal(big.data + hlen, "X-Filler-", 9);
	sift_free(h);
	sift_message_destroy(&msg);
	sift_free(out);
	sift_buf_free(&big);
}

/* The boundary is random, absent from the content, and Message-IDs are
   unique. */
static void
test_boundary_and_ids(void **state)
{
	/* Header lines that look like delimiters of our shape. */
	static const char hdr[] = "X-A: 1\r\n"
	                          "--=_mailsift-dsn_\r\n"
	                          "--=_mailsift-dsn_00000000000000000000000000000000\r\n";
	struct milter_dsn dsn = base_dsn();
	dsn.headers = hdr;
	dsn.headers_len = sizeof(hdr) - 1;
	char *prev_b = NULL, *prev_id = NULL;
	for (int round = 0; round < 20; round++) {
		size_t len;
		char *out = compose(&dsn, &len);
		char *b = line_after(out, "\tboundary=\"");
		b[strlen(b) - 1] = '\0';
		char *id = line_after(out, "Message-ID: ");
		/* Three delimiters and the close, nothing else. */
		size_t n = 0;
		for (const char *p = strstr(out, b); p != NULL; p = strstr(p + 1, b))
			n++;
		assert_int_equal(n, 1 + 4);
		assert_null(strstr(hdr, b));
		if (prev_b != NULL) {
			assert_string_not_equal(b, prev_b);
			assert_string_not_equal(id, prev_id);
		}
		sift_free(prev_b);
		sift_free(prev_id);
		prev_b = b;
		prev_id = id;
		struct sift_message *msg = parse(out, len);
		assert_int_equal(sift_message_part_count(msg), 4);
		sift_message_destroy(&msg);
		sift_free(out);
	}
	sift_free(prev_b);
	sift_free(prev_id);
}

static void
test_compose_refusals(void **state)
{
	struct sift_buf out;
	sift_buf_init(&out, 0);
	sift_buf_append_str(&out, "keep");
	struct milter_dsn dsn = base_dsn();

	/* Never to the null sender. */
	dsn.sender = "";
	assert_int_equal(milter_dsn_compose(&dsn, NOW, &out), -1);
	dsn.sender = "<>";
	assert_int_equal(milter_dsn_compose(&dsn, NOW, &out), -1);
	dsn.sender = "\r\n";
	assert_int_equal(milter_dsn_compose(&dsn, NOW, &out), -1);
	dsn.sender = NULL;
	assert_int_equal(milter_dsn_compose(&dsn, NOW, &out), -1);
	dsn = base_dsn();
	dsn.nrcpts = 0;
	assert_int_equal(milter_dsn_compose(&dsn, NOW, &out), -1);
	assert_int_equal(out.len, 4);
	sift_buf_free(&out);

	/* Too small: -1, overflow, nothing appended. */
	sift_buf_init(&out, 600);
	sift_buf_append_str(&out, "keep");
	dsn = base_dsn();
	assert_int_equal(milter_dsn_compose(&dsn, NOW, &out), -1);
	assert_true(out.overflow);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "keep");
	sift_buf_free(&out);

	/* Big enough works (the Message-ID's counter may grow a digit). */
	size_t len;
	char *full = compose(&dsn, &len);
	sift_buf_init(&out, len + 16);
	assert_int_equal(milter_dsn_compose(&dsn, NOW, &out), 0);
	assert_true(out.len >= len && out.len <= len + 2);
	assert_false(out.overflow);
	sift_buf_free(&out);
	sift_free(full);
}

static void
test_dates(void **state)
{
	struct milter_dsn dsn = base_dsn();
	dsn.arrival = 951782400; /* leap day */
	struct sift_buf out;
	sift_buf_init(&out, 0);
	assert_int_equal(milter_dsn_compose(&dsn, 0, &out), 0);
	char *d = line_after(out.data, "Date: ");
	assert_string_equal(d, "Thu, 1 Jan 1970 00:00:00 +0000");
	sift_free(d);
	d = line_after(out.data, "Arrival-Date: ");
	assert_string_equal(d, "Tue, 29 Feb 2000 00:00:00 +0000");
	sift_free(d);
	sift_buf_free(&out);
}

/* ---- SMTP submission: a scripted server -------------------------------- */

struct server {
	int lfd;
	unsigned short port;
	int family;
	/* Replies, each a whole reply with its CRLFs; NULL closes the
	   connection when that command comes (greeting NULL: say nothing
	   and wait for the client to go). */
	const char *greeting, *ehlo, *helo, *mail, *rcpt, *data, *end, *quit;
	/* Hang up right after the 354. */
	bool close_in_data;
	/* What came in: command lines joined by "\n", the DATA bytes up
	   to and including the final ".\r\n". */
	struct sift_buf log;
	struct sift_buf data_in;
	bool accepted;
	pthread_t thread;
};

static bool
srv_send(int fd, const char *s)
{
	if (s == NULL)
		return false;
	size_t len = strlen(s);
	return send(fd, s, len, MSG_NOSIGNAL) == (ssize_t)len;
}

/* Reads one CRLF line (without it) into line; false on EOF or after 10 s
   of silence. */
static bool
srv_line(int fd, struct sift_buf *line, char *buf, size_t *pos, size_t *len)
{
	sift_buf_reset(line);
	for (;;) {
		while (*pos < *len) {
			char c = buf[(*pos)++];
			sift_buf_append_c(line, c);
			if (line->len >= 2 && memcmp(line->data + line->len - 2, "\r\n", 2) == 0) {
				sift_buf_truncate(line, line->len - 2);
				return true;
			}
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 10000) <= 0)
			return false;
		ssize_t n = recv(fd, buf, 4096, 0);
		if (n <= 0)
			return false;
		*pos = 0;
		*len = (size_t)n;
	}
}

static void *
srv_main(void *arg)
{
	struct server *s = arg;
	struct pollfd lp = {.fd = s->lfd, .events = POLLIN};
	if (poll(&lp, 1, 10000) <= 0)
		return NULL;
	int fd = accept(s->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	s->accepted = true;
	char buf[4096];
	size_t pos = 0, len = 0;
	struct sift_buf line;
	sift_buf_init(&line, 0);
	if (s->greeting == NULL) {
		/* Silent: wait until the client gives up. */
		struct pollfd p = {.fd = fd, .events = POLLIN};
		while (poll(&p, 1, 10000) > 0 && recv(fd, buf, sizeof(buf), 0) > 0)
			;
		goto done;
	}
	if (!srv_send(fd, s->greeting))
		goto done;
	while (srv_line(fd, &line, buf, &pos, &len)) {
		sift_buf_append(&s->log, line.data, line.len);
		sift_buf_append_c(&s->log, '\n');
		const char *reply = NULL;
		if (strncmp(line.data, "EHLO ", 5) == 0)
			reply = s->ehlo;
		else if (strncmp(line.data, "HELO ", 5) == 0)
			reply = s->helo;
		else if (strncmp(line.data, "MAIL FROM:", 10) == 0)
			reply = s->mail;
		else if (strncmp(line.data, "RCPT TO:", 8) == 0)
			reply = s->rcpt;
		else if (strcmp(line.data, "QUIT") == 0)
			reply = s->quit;
		else if (strcmp(line.data, "DATA") == 0)
			reply = s->data;
		else
			reply = "500 5.5.1 what?\r\n";
		if (!srv_send(fd, reply))
			break;
		if (strcmp(line.data, "QUIT") == 0)
			break;
		if (strcmp(line.data, "DATA") == 0 && strncmp(reply, "354", 3) == 0) {
			if (s->close_in_data)
				break;
			for (;;) {
				if (!srv_line(fd, &line, buf, &pos, &len))
					goto done;
				sift_buf_append(&s->data_in, line.data, line.len);
				sift_buf_append_str(&s->data_in, "\r\n");
				if (strcmp(line.data, ".") == 0)
					break;
			}
			if (!srv_send(fd, s->end))
				break;
		}
	}
done:
	sift_buf_free(&line);
	close(fd);
	return NULL;
}

static const struct server default_script = {
    .greeting = "220 test.example ESMTP\r\n",
    .ehlo = "250-test.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
    .helo = "250 test.example\r\n",
    .mail = "250 2.1.0 Ok\r\n",
    .rcpt = "250 2.1.5 Ok\r\n",
    .data = "354 End data with <CR><LF>.<CR><LF>\r\n",
    .end = "250 2.0.0 Ok: queued as ABC\r\n",
    .quit = "221 2.0.0 Bye\r\n",
};

/* Listens on the loopback (IPv4 or IPv6) on a free port; false when the
   family is not available here. */
static bool
srv_listen(struct server *s, int family)
{
	s->family = family;
	s->lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return false;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		sl = sizeof(*in6);
	}
	if (bind(s->lfd, (struct sockaddr *)&ss, sl) < 0 || listen(s->lfd, 4) < 0) {
		close(s->lfd);
		return false;
	}
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&ss, &sl), 0);
	s->port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                  : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return true;
}

static void
srv_start(struct server *s, int family)
{
	sift_buf_init(&s->log, 0);
	sift_buf_init(&s->data_in, 0);
	s->accepted = false;
	assert_true(srv_listen(s, family));
	assert_int_equal(pthread_create(&s->thread, NULL, srv_main, s), 0);
}

static void
srv_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->lfd);
	sift_buf_append(&s->log, "", 0);
	sift_buf_append(&s->data_in, "", 0);
}

static void
srv_free(struct server *s)
{
	sift_buf_free(&s->log);
	sift_buf_free(&s->data_in);
}

static int
submit_smtp(struct server *s, const char *host, unsigned int timeout, const char *rcpt,
            const char *msg, size_t len, const char **error_r)
{
	struct milter_submit sub = {
	    .kind = MILTER_SUBMIT_SMTP,
	    .host = (char *)host,
	    .port = s->port,
	    .timeout = timeout,
	};
	*error_r = NULL;
	return milter_dsn_submit(&sub, rcpt, msg, len, error_r);
}

/* The EHLO line varies with the host name; the rest of the log is
   fixed. */
static void
assert_log(struct server *s, const char *want_after_ehlo)
{
	const char *log = s->log.data;
	assert_true(strncmp(log, "EHLO ", 5) == 0);
	const char *nl = strchr(log, '\n');
	assert_non_null(nl);
	for (const char *p = log + 5; p < nl; p++)
		assert_true(*p > ' ' && *p < 0x7f);
	assert_string_equal(nl + 1, want_after_ehlo);
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
test_smtp_ok(void **state)
{
	static const char msg[] = "Subject: t\r\n"
	                          "\r\n"
	                          ".hidden\r\n"
	                          "..two\n"
	                          "bare lf\n"
	                          ".\n"
	                          "a\r.b\r\n"
	                          "last line without end";
	struct server s = default_script;
	srv_start(&s, AF_INET);
	const char *error;
	int r = submit_smtp(&s, "127.0.0.1", 5, "alice@example.com", msg, sizeof(msg) - 1, &error);
	srv_stop(&s);
	if (r != 0)
		fail_msg("submit: %s", error);
	assert_log(&s, "MAIL FROM:<>\n"
	               "RCPT TO:<alice@example.com>\n"
	               "DATA\n"
	               "QUIT\n");
	assert_string_equal(s.data_in.data, "Subject: t\r\n"
	                                    "\r\n"
	                                    "..hidden\r\n"
	                                    "...two\r\n"
	                                    "bare lf\r\n"
	                                    "..\r\n"
	                                    "a\r\n"
	                                    "..b\r\n"
	                                    "last line without end\r\n"
	                                    ".\r\n");
	srv_free(&s);
}

/* A multi-line greeting; EHLO refused, HELO accepted; the message ends
   with its line end (no extra empty line); "localhost" resolves. */
static void
test_smtp_helo_fallback(void **state)
{
	struct server s = default_script;
	s.greeting = "220-test.example\r\n220-more text\r\n220 ready\r\n";
	s.ehlo = "502 5.5.2 what is EHLO\r\n";
	s.rcpt = "251 2.1.5 will forward\r\n";
	srv_start(&s, AF_INET);
	const char *error;
	int r = submit_smtp(&s, "127.0.0.1", 5, "a@b", "x\r\n", 3, &error);
	srv_stop(&s);
	if (r != 0)
		fail_msg("submit: %s", error);
	const char *nl = strchr(s.log.data, '\n');
	assert_non_null(nl);
	assert_true(strncmp(nl + 1, "HELO ", 5) == 0);
	assert_non_null(strstr(s.log.data, "\nMAIL FROM:<>\nRCPT TO:<a@b>\nDATA\nQUIT\n"));
	assert_string_equal(s.data_in.data, "x\r\n.\r\n");
	srv_free(&s);
}

static void
test_smtp_rcpt_refused(void **state)
{
	struct server s = default_script;
	s.rcpt = "550-5.1.1 no such user\r\n550 5.1.1 really\x01 not\r\n";
	srv_start(&s, AF_INET);
	const char *error;
	int r = submit_smtp(&s, "127.0.0.1", 5, "nobody@example.com", "x", 1, &error);
	/* The client goes away without DATA; the server sees EOF. */
	srv_stop(&s);
	assert_int_equal(r, -1);
	assert_non_null(error);
	assert_non_null(strstr(error, "RCPT TO"));
	assert_non_null(strstr(error, "550-5.1.1 no such user 550 5.1.1 really? not"));
	assert_null(strstr(s.log.data, "DATA"));
	srv_free(&s);
}

static void
test_smtp_errors(void **state)
{
	static const struct {
		const char *greeting, *ehlo, *mail, *data, *end;
		const char *want; /* in the error */
	} cases[] = {
	    {"554 5.3.2 go away\r\n", NULL, NULL, NULL, NULL, "554 5.3.2 go away"},
	    {"220 ok\r\n", "421 4.3.2 busy\r\n", NULL, NULL, NULL, "421 4.3.2 busy"},
	    {"220 ok\r\n", NULL, NULL, NULL, NULL, "closed"},
	    {"hello there\r\n", NULL, NULL, NULL, NULL, "bad reply line \"hello there\""},
	    {"220-ok\r\n221 mixed\r\n", NULL, NULL, NULL, NULL, "bad reply"},
	    {"220 ok\r\n", "250 ok\r\n", "451 4.3.0 no\r\n", NULL, NULL, "MAIL FROM: 451"},
	    {"220 ok\r\n", "250 ok\r\n", "250 ok\r\n", "250 not 354\r\n", NULL,
	     "DATA: 250 not 354"},
	    {"220 ok\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "552 5.3.4 too big\r\n",
	     "end of DATA: 552 5.3.4 too big"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct server s = default_script;
		s.greeting = cases[i].greeting;
		s.ehlo = cases[i].ehlo;
		if (cases[i].mail != NULL)
			s.mail = cases[i].mail;
		if (cases[i].data != NULL)
			s.data = cases[i].data;
		if (cases[i].end != NULL)
			s.end = cases[i].end;
		srv_start(&s, AF_INET);
		const char *error;
		int r = submit_smtp(&s, "127.0.0.1", 5, "a@example.com", "x\r\n", 3, &error);
		srv_stop(&s);
		assert_int_equal(r, -1);
		assert_non_null(error);
		if (strstr(error, cases[i].want) == NULL)
			fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, error, cases[i].want);
		srv_free(&s);
	}
}

/* The server hangs up while the message is being sent: an error, and
   no SIGPIPE kills the process. */
static void
test_smtp_hangup_in_data(void **state)
{
	struct sift_buf big;
	sift_buf_init(&big, 0);
	while (big.len < 8 * 1024 * 1024)
		sift_buf_append_str(&big, "0123456789abcdef0123456789abcdef\r\n");
	struct server s = default_script;
	s.close_in_data = true;
	srv_start(&s, AF_INET);
	const char *error;
	int r = submit_smtp(&s, "127.0.0.1", 5, "a@example.com", big.data, big.len, &error);
	srv_stop(&s);
	assert_int_equal(r, -1);
	if (strstr(error, "sending the message") == NULL &&
	    strstr(error, "end of DATA: connection closed") == NULL)
		fail_msg("error: %s", error);
	srv_free(&s);
	sift_buf_free(&big);
}

static void
test_smtp_timeout(void **state)
{
	struct server s = default_script;
	s.greeting = NULL;
	srv_start(&s, AF_INET);
	const char *error;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = submit_smtp(&s, "127.0.0.1", 1, "a@example.com", "x", 1, &error);
	double t = elapsed(&t0);
	srv_stop(&s);
	assert_int_equal(r, -1);
	assert_non_null(strstr(error, "timed out"));
	assert_true(s.accepted);
	assert_true(t >= 0.9 && t < 3.0);
	srv_free(&s);
}

static void
test_smtp_refused_connection(void **state)
{
	struct server s = default_script;
	assert_true(srv_listen(&s, AF_INET));
	close(s.lfd); /* the port is free now: nobody listens */
	const char *error;
	int r = submit_smtp(&s, "127.0.0.1", 5, "a@example.com", "x", 1, &error);
	assert_int_equal(r, -1);
	assert_non_null(strstr(error, "cannot connect"));

	struct milter_submit sub = {.kind = MILTER_SUBMIT_SMTP, .host = "", .port = 25};
	assert_int_equal(milter_dsn_submit(&sub, "a@b", "x", 1, &error), -1);
	sub.host = "no-such-host.invalid";
	assert_int_equal(milter_dsn_submit(&sub, "a@b", "x", 1, &error), -1);
	assert_non_null(strstr(error, "resolve"));
}

static void
test_smtp_ipv6(void **state)
{
	struct server s = default_script;
	if (!srv_listen(&s, AF_INET6)) {
		skip();
		return;
	}
	sift_buf_init(&s.log, 0);
	sift_buf_init(&s.data_in, 0);
	assert_int_equal(pthread_create(&s.thread, NULL, srv_main, &s), 0);
	const char *error;
	int r = submit_smtp(&s, "[::1]", 5, "a@example.com", "x", 1, &error);
	srv_stop(&s);
	if (r != 0)
		fail_msg("submit: %s", error);
	assert_string_equal(s.data_in.data, "x\r\n.\r\n");
	srv_free(&s);
}

static void
test_bad_rcpt(void **state)
{
	static const char *const bad[] = {
	    "",
	    "a b@example.com",
	    "a\r\n@example.com",
	    "a@example.com\r\nRSET",
	    "<a@example.com>",
	    "a>b@example.com",
	    "a\t@example.com",
	    "caf\xc3\xa9@example.com",
	    NULL,
	};
	struct server s = default_script;
	assert_true(srv_listen(&s, AF_INET));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *error;
		struct milter_submit sub = {
		    .kind = MILTER_SUBMIT_SMTP,
		    .host = "127.0.0.1",
		    .port = s.port,
		    .timeout = 2,
		};
		assert_int_equal(milter_dsn_submit(&sub, bad[i], "x", 1, &error), -1);
		assert_non_null(strstr(error, "invalid recipient"));
	}
	char long_rcpt[300];
	memset(long_rcpt, 'a', sizeof(long_rcpt) - 1);
	long_rcpt[sizeof(long_rcpt) - 1] = '\0';
	const char *error;
	struct milter_submit sub = {
	    .kind = MILTER_SUBMIT_SMTP, .host = "127.0.0.1", .port = s.port};
	assert_int_equal(milter_dsn_submit(&sub, long_rcpt, "x", 1, &error), -1);
	/* Refused before connecting: nothing is waiting to be accepted. */
	struct pollfd p = {.fd = s.lfd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 100), 0);
	close(s.lfd);
}

/* A composed DSN goes through SMTP and comes out the same once the dot
   stuffing is undone. */
static void
test_compose_and_submit(void **state)
{
	static const char hdr[] = "From: a@example.com\r\n"
	                          ".Dotted: header line\r\n"
	                          "Subject: x\r\n";
	struct milter_dsn dsn = base_dsn();
	dsn.headers = hdr;
	dsn.headers_len = sizeof(hdr) - 1;
	size_t len;
	char *msg = compose(&dsn, &len);
	struct server s = default_script;
	srv_start(&s, AF_INET);
	const char *error;
	int r = submit_smtp(&s, "localhost", 5, dsn.sender, msg, len, &error);
	srv_stop(&s);
	if (r != 0)
		fail_msg("submit: %s", error);
	assert_non_null(strstr(s.data_in.data, "\r\n..Dotted: header line\r\n"));
	char *undone = replace_all(s.data_in.data, "\r\n..", "\r\n.");
	size_t ulen = strlen(undone);
	assert_int_equal(ulen, len + 3);
	assert_memory_equal(undone, msg, len);
	assert_string_equal(undone + len, ".\r\n");
	sift_free(undone);
	sift_free(msg);
	srv_free(&s);
}

/* ---- command submission ------------------------------------------------ */

static char tmpdir[64];

static int
setup_tmpdir(void **state)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/test-milter-dsn.XXXXXX",
	         base != NULL && strlen(base) < 30 ? base : "/tmp");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown_tmpdir(void **state)
{
	char path[128];
	static const char *const names[] = {"out", "out.rcpt"};
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return 0;
}

static char *
read_file(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct sift_buf b;
	sift_buf_init(&b, 0);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sift_buf_append(&b, chunk, n);
	fclose(f);
	return sift_buf_steal(&b, len_r);
}

static int
submit_cmd(char **argv, unsigned int timeout, const char *rcpt, const char *msg, size_t len,
           const char **error_r)
{
	struct milter_submit sub = {
	    .kind = MILTER_SUBMIT_COMMAND,
	    .argv = argv,
	    .timeout = timeout,
	};
	*error_r = NULL;
	return milter_dsn_submit(&sub, rcpt, msg, len, error_r);
}

static void
test_command_ok(void **state)
{
	char out[128];
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	/* $0 is the output file, $1 the recipient appended by submit. */
	char *argv[] = {"/bin/sh", "-c", "cat > \"$0\" && printf '%s' \"$1\" > \"$0.rcpt\"", out,
	                NULL};
	static const char msg[] = "Subject: t\r\n\r\n.dot\r\nbin\0ary\xff\n";
	const char *error;
	int r = submit_cmd(argv, 5, "alice@example.com", msg, sizeof(msg) - 1, &error);
	if (r != 0)
		fail_msg("submit: %s", error);
	size_t len;
	char *got = read_file(out, &len);
	assert_non_null(got);
	/* Bytes as given: no dot stuffing, no line end change. */
	assert_int_equal(len, sizeof(msg) - 1);
	assert_memory_equal(got, msg, len);
	sift_free(got);
	char rpath[140];
	snprintf(rpath, sizeof(rpath), "%s.rcpt", out);
	got = read_file(rpath, &len);
	assert_non_null(got);
	assert_string_equal(got, "alice@example.com");
	sift_free(got);

	/* A message bigger than a pipe buffer. */
	struct sift_buf big;
	sift_buf_init(&big, 0);
	for (int i = 0; big.len < 1024 * 1024; i++)
		sift_buf_printf(&big, "line %d\r\n", i);
	r = submit_cmd(argv, 10, "b@example.com", big.data, big.len, &error);
	if (r != 0)
		fail_msg("submit: %s", error);
	got = read_file(out, &len);
	assert_int_equal(len, big.len);
	assert_memory_equal(got, big.data, len);
	sift_free(got);
	sift_buf_free(&big);
}

static void
test_command_failures(void **state)
{
	const char *error;
	char *exit3[] = {"/bin/sh", "-c", "cat > /dev/null; exit 3", "sh", NULL};
	assert_int_equal(submit_cmd(exit3, 5, "a@example.com", "x\n", 2, &error), -1);
	assert_non_null(strstr(error, "exit status 3"));

	char *killed[] = {"/bin/sh", "-c", "kill -9 $$", "sh", NULL};
	assert_int_equal(submit_cmd(killed, 5, "a@example.com", "x\n", 2, &error), -1);
	assert_non_null(strstr(error, "signal 9"));

	char *missing[] = {"/nonexistent/sendmail", "-i", NULL};
	assert_int_equal(submit_cmd(missing, 5, "a@example.com", "x\n", 2, &error), -1);
	assert_non_null(strstr(error, "cannot run"));

	char *empty[] = {NULL};
	assert_int_equal(submit_cmd(empty, 5, "a@example.com", "x\n", 2, &error), -1);
	assert_int_equal(submit_cmd(NULL, 5, "a@example.com", "x\n", 2, &error), -1);

	/* A recipient that reads as an option never reaches the command. */
	char *cat[] = {"/bin/cat", NULL};
	assert_int_equal(submit_cmd(cat, 5, "-oQ/tmp", "x\n", 2, &error), -1);
	assert_non_null(strstr(error, "'-'"));
	assert_int_equal(submit_cmd(cat, 5, "a b", "x\n", 2, &error), -1);
	assert_non_null(strstr(error, "invalid recipient"));
}

/* A command that exits 0 without reading: EPIPE, not SIGPIPE, and an
   error since the message was not taken. */
static void
test_command_early_exit(void **state)
{
	struct sift_buf big;
	sift_buf_init(&big, 0);
	while (big.len < 1024 * 1024)
		sift_buf_append_str(&big, "0123456789abcdef0123456789abcdef\r\n");
	char *argv[] = {"/bin/sh", "-c", "exit 0", "sh", NULL};
	const char *error;
	assert_int_equal(submit_cmd(argv, 5, "a@example.com", big.data, big.len, &error), -1);
	assert_non_null(strstr(error, "did not read the whole message"));
	/* No SIGPIPE left pending for this thread either. */
	sigset_t pending;
	sigemptyset(&pending);
	sigpending(&pending);
	assert_int_equal(sigismember(&pending, SIGPIPE), 0);
	sift_buf_free(&big);
}

static void
test_command_timeout(void **state)
{
	const char *error;
	struct timespec t0;

	/* Reads nothing and never ends: the write waits, then the kill. */
	struct sift_buf big;
	sift_buf_init(&big, 0);
	while (big.len < 512 * 1024)
		sift_buf_append_str(&big, "0123456789abcdef0123456789abcdef\r\n");
	char *sleeper[] = {"/bin/sh", "-c", "exec sleep 30", "sh", NULL};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(submit_cmd(sleeper, 1, "a@example.com", big.data, big.len, &error), -1);
	double t = elapsed(&t0);
	assert_non_null(strstr(error, "timed out"));
	assert_true(t >= 0.9 && t < 3.0);

	/* Reads everything, then hangs. */
	char *hang[] = {"/bin/sh", "-c", "cat > /dev/null; exec sleep 30", "sh", NULL};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(submit_cmd(hang, 1, "a@example.com", "x\n", 2, &error), -1);
	t = elapsed(&t0);
	assert_non_null(strstr(error, "timed out"));
	assert_true(t >= 0.9 && t < 3.0);

	/* Every child was reaped. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	sift_buf_free(&big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compose_exact),
	    cmocka_unit_test(test_compose_structure),
	    cmocka_unit_test(test_compose_minimal),
	    cmocka_unit_test(test_status_codes),
	    cmocka_unit_test(test_hostile_strings),
	    cmocka_unit_test(test_orcpt),
	    cmocka_unit_test(test_client_forms),
	    cmocka_unit_test(test_long_reply),
	    cmocka_unit_test(test_hostile_headers),
	    cmocka_unit_test(test_huge_headers),
	    cmocka_unit_test(test_boundary_and_ids),
	    cmocka_unit_test(test_compose_refusals),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_smtp_ok),
	    cmocka_unit_test(test_smtp_helo_fallback),
	    cmocka_unit_test(test_smtp_rcpt_refused),
	    cmocka_unit_test(test_smtp_errors),
	    cmocka_unit_test(test_smtp_hangup_in_data),
	    cmocka_unit_test(test_smtp_timeout),
	    cmocka_unit_test(test_smtp_refused_connection),
	    cmocka_unit_test(test_smtp_ipv6),
	    cmocka_unit_test(test_bad_rcpt),
	    cmocka_unit_test(test_compose_and_submit),
	    cmocka_unit_test_setup_teardown(test_command_ok, setup_tmpdir, teardown_tmpdir),
	    cmocka_unit_test(test_command_failures),
	    cmocka_unit_test(test_command_early_exit),
	    cmocka_unit_test(test_command_timeout),
	};
	return cmocka_run_group_tests_name("milter-dsn", tests, NULL, NULL);
}
