/* SPDX-License-Identifier: MIT */
/* Streaming RFC 5322 / MIME parser (see message-parser.h).

   Every byte fed is first appended to the body store, then scanned.  The
   scan is line-based only where lines matter: header blocks (kept whole,
   up to line_length per field) and, inside multiparts, lines that start
   with '-' (kept up to the longest boundary, to compare with the open
   boundaries).  Other body lines are skipped with memchr, and the body of
   a part that no boundary can end (a single-part message) is not scanned
   at all.

   Structure rules, chosen to agree with what the MTA delivers (Postfix
   and Python's email package make the same choices):
   - a line in a header block that is neither a field nor a continuation
     ends the block; it is the first body line (defect header_syntax);
   - a boundary line is "--" boundary ["--"] followed only by white space,
     checked against every open multipart from the innermost out, so an
     outer boundary also ends the inner parts (defect
     missing_close_boundary on the inner multipart);
   - the line end before a boundary line belongs to the boundary;
   - a leading mbox "From " line of a raw message is skipped.

   Limits (util/limits.h): past header_bytes/header_count fields are
   dropped; fields longer than line_length are cut; past mime_depth or
   mime_parts a part's body is kept as opaque data; boundaries longer than
   boundary_length are not used; bytes past body_scan are counted and not
   kept.  Each case sets a defect bit, and time stays linear in the input. */
#include "mail/message-parser.h"

#include <stddef.h>
#include <string.h>

#include "mail/body-store.h"
#include "mail/charset.h"
#include "mail/defects.h"
#include "mail/rfc5322-address.h"
#include "mail/transfer-decode.h"
#include "util/alloc.h"
#include "util/str.h"

#define UNSET_OFFSET UINT64_MAX
/* White space allowed after a boundary on its line (transport padding). */
#define BOUNDARY_PADDING 64
/* A header line longer than this breaks RFC 5322 2.1.1. */
#define RFC5322_LINE_MAX 998

/* The public part plus what only this module uses. */
struct part_impl {
	struct sift_part pub;
	struct sift_part *last_child;
	bool disposition_parsed;
	const char *disposition;
	const char *filename;
};

struct open_boundary {
	struct sift_part *multipart;
	const char *boundary;
	size_t len;
	/* mime_parts was reached: further delimiters start no part. */
	bool no_more_parts;
};

enum feed_mode {
	FEED_NONE,
	FEED_RAW,
	FEED_FIELDS,
};

enum parse_state {
	STATE_HEADERS,
	STATE_BODY,
};

struct sift_message {
	struct sift_arena *arena;
	struct sift_limits limits;
	struct sift_body_store *store;
	struct sift_part *root;
	struct sift_part *cur;
	enum parse_state state;
	enum feed_mode mode;
	bool finished;

	uint64_t size;   /* bytes fed */
	uint64_t offset; /* bytes stored and scanned */
	uint64_t scan_max;

	/* The line being read: its bytes (headers: up to line_length; body:
	   a prefix long enough for any boundary), where it started, and
	   whether the rest of it is being skipped. */
	struct sift_buf line;
	uint64_t line_start;
	uint64_t line_len;
	bool line_skipping;
	bool line_cut;
	char prev_byte;        /* the byte before the next one to scan */
	unsigned int prev_eol; /* length of the previous line's end: 0, 1 or 2 */
	bool first_line;       /* no line of the message seen yet */

	/* The header field being collected (continuation lines join it). */
	struct sift_buf field;
	bool field_pending;
	uint64_t header_bytes;
	uint64_t header_count;

	struct open_boundary *bounds;
	size_t nbounds;
	size_t bounds_alloc;
	size_t part_count;
	size_t line_cap_body;
};

static struct part_impl *
impl(struct sift_part *part)
{
	return (struct part_impl *)((char *)part - offsetof(struct part_impl, pub));
}

static struct sift_part *
part_new(struct sift_message *msg, struct sift_part *parent, uint64_t header_offset)
{
	struct part_impl *pi = sift_arena_zalloc(msg->arena, sizeof(*pi));
	struct sift_part *part = &pi->pub;
	part->parent = parent;
	part->index = (unsigned int)msg->part_count++;
	part->depth = parent != NULL ? parent->depth + 1 : 0;
	part->header_offset = header_offset;
	part->body_offset = UNSET_OFFSET;
	part->body_end = UNSET_OFFSET;
	part->type = "text";
	part->subtype = "plain";
	part->cte = SIFT_CTE_7BIT;
	if (parent != NULL) {
		struct part_impl *ppi = impl(parent);
		if (ppi->last_child != NULL)
			ppi->last_child->next = part;
		else
			parent->children = part;
		ppi->last_child = part;
	}
	return part;
}

struct sift_message *
sift_message_create(const struct sift_limits *limits, const char *tmpdir)
{
	struct sift_message *msg = sift_calloc(1, sizeof(*msg));
	msg->arena = sift_arena_create(16384);
	if (limits != NULL)
		msg->limits = *limits;
	else
		sift_limits_init(&msg->limits);
	const struct sift_limits *l = &msg->limits;
	msg->store = sift_body_store_create((size_t)sift_limit(l, SIFT_LIMIT_BODY_MEMORY), tmpdir);
	msg->scan_max = sift_limit(l, SIFT_LIMIT_BODY_SCAN);
	msg->line_cap_body =
	    2 + (size_t)sift_limit(l, SIFT_LIMIT_BOUNDARY_LENGTH) + 2 + BOUNDARY_PADDING + 2;
	/* A header line is kept whole up to the field limit, plus its end. */
	sift_buf_init(&msg->line, 0);
	sift_buf_init(&msg->field, (size_t)sift_limit(l, SIFT_LIMIT_LINE_LENGTH));
	msg->root = part_new(msg, NULL, 0);
	msg->cur = msg->root;
	msg->state = STATE_HEADERS;
	msg->first_line = true;
	return msg;
}

void
sift_message_destroy(struct sift_message **msgp)
{
	struct sift_message *msg = *msgp;
	if (msg == NULL)
		return;
	*msgp = NULL;
	sift_body_store_destroy(&msg->store);
	sift_buf_free(&msg->line);
	sift_buf_free(&msg->field);
	sift_free(msg->bounds);
	sift_arena_destroy(&msg->arena);
	sift_free(msg);
}

/* ---- header fields ------------------------------------------------------ */

/* Is this line the start of a header field?  A name of printable ASCII
   other than ':' (RFC 5322 2.2), then optional white space (obs-syntax),
   then ':'.  Returns the name length, or -1. */
static ssize_t
field_name_len(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && (unsigned char)s[i] > 32 && (unsigned char)s[i] < 127 && s[i] != ':')
		i++;
	if (i == 0)
		return -1;
	size_t name_len = i;
	while (i < len && sift_is_wsp(s[i]))
		i++;
	if (i >= len || s[i] != ':')
		return -1;
	return (ssize_t)name_len;
}

/* Printable ASCII other than ':', at least one (RFC 5322 2.2). */
static bool
field_name_valid(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= 32 || (unsigned char)s[i] >= 127 || s[i] == ':')
			return false;
	}
	return len > 0;
}

static void
field_flush(struct sift_message *msg)
{
	if (!msg->field_pending)
		return;
	msg->field_pending = false;
	struct sift_part *part = msg->cur;
	const char *s = msg->field.data;
	size_t len = msg->field.len;
	if (msg->field.overflow)
		part->defects |= SIFT_DEFECT_LINE_LIMIT;

	if (msg->header_count >= sift_limit(&msg->limits, SIFT_LIMIT_HEADER_COUNT) ||
	    msg->header_bytes + len > sift_limit(&msg->limits, SIFT_LIMIT_HEADER_BYTES)) {
		part->defects |= SIFT_DEFECT_HEADER_LIMIT;
		return;
	}
	ssize_t name_len = field_name_len(s, len);
	if (name_len < 0)
		return; /* checked when the field started */
	const char *raw = (const char *)memchr(s + name_len, ':', len - (size_t)name_len) + 1;
	size_t raw_len = len - (size_t)(raw - s);
	while (raw_len > 0 && sift_is_wsp(*raw)) {
		raw++;
		raw_len--;
	}
	/* Folding right after the colon ("Subject:\r\n  text") is skipped
	   too: the value starts at its first visible byte. */
	while (raw_len > 0 && (*raw == '\r' || *raw == '\n' || sift_is_wsp(*raw))) {
		raw++;
		raw_len--;
	}
	struct sift_header *hdr =
	    sift_header_add(msg->arena, &part->headers, s, (size_t)name_len, raw, raw_len);
	part->defects |= hdr->defects;
	msg->header_count++;
	msg->header_bytes += len;
}

/* Reads the MIME fields of a part whose header block has ended. */
static void
part_interpret_headers(struct sift_message *msg, struct sift_part *part)
{
	size_t len;
	struct sift_header *hdr = sift_header_find(&part->headers, "content-type", NULL);
	struct sift_content_type ct;
	bool typed = false;

	if (hdr != NULL) {
		const char *value = sift_header_unfolded(msg->arena, hdr, &len);
		if (sift_rfc2045_content_type(msg->arena, value, len, &ct, &part->defects) == 0) {
			part->type = ct.type;
			part->subtype = ct.subtype;
			typed = true;
		}
		/* Kept even when the type is unusable: "text; charset=x"
		   still names its charset. */
		part->params = ct.params;
	}
	if (!typed) {
		struct sift_part *parent = part->parent;
		if (parent != NULL && parent->is_multipart &&
		    strcmp(parent->subtype, "digest") == 0) {
			part->type = "message";
			part->subtype = "rfc822";
		}
	}
	const struct sift_param *cs = sift_param_find(part->params, "charset");
	if (cs != NULL) {
		const char *v = cs->value;
		size_t vlen = cs->value_len;
		sift_mem_trim(&v, &vlen);
		if (vlen > 0) {
			char *lower = sift_arena_memdup0(msg->arena, v, vlen);
			sift_mem_lower(lower, vlen);
			part->charset = lower;
		}
	}
	hdr = sift_header_find(&part->headers, "content-transfer-encoding", NULL);
	if (hdr != NULL) {
		const char *value = sift_header_unfolded(msg->arena, hdr, &len);
		part->cte = sift_rfc2045_cte(value, len);
		if (part->cte == SIFT_CTE_UNKNOWN)
			part->defects |= SIFT_DEFECT_BAD_CTE;
	}
}

static void
bounds_push(struct sift_message *msg, struct sift_part *multipart, const char *boundary, size_t len)
{
	if (msg->nbounds == msg->bounds_alloc) {
		msg->bounds_alloc = msg->bounds_alloc == 0 ? 8 : msg->bounds_alloc * 2;
		msg->bounds = sift_realloc(msg->bounds, msg->bounds_alloc * sizeof(*msg->bounds));
	}
	struct open_boundary *b = &msg->bounds[msg->nbounds++];
	b->multipart = multipart;
	b->boundary = boundary;
	b->len = len;
	b->no_more_parts = false;
}

/* The header block of msg->cur ended at body_offset.  With `descend`
   false (the block was cut short by a boundary or the end of input) the
   part gets no children. */
static void
headers_end(struct sift_message *msg, uint64_t body_offset, bool descend)
{
	struct sift_part *part = msg->cur;
	field_flush(msg);
	part->body_offset = body_offset;
	part_interpret_headers(msg, part);
	msg->state = STATE_BODY;
	if (!descend)
		return;

	bool multipart = strcmp(part->type, "multipart") == 0;
	bool message =
	    strcmp(part->type, "message") == 0 &&
	    (strcmp(part->subtype, "rfc822") == 0 || strcmp(part->subtype, "global") == 0);
	if (!multipart && !message)
		return;

	const char *boundary = NULL;
	size_t blen = 0;
	if (multipart) {
		const struct sift_param *b = sift_param_find(part->params, "boundary");
		if (b == NULL || b->value_len == 0) {
			part->defects |= SIFT_DEFECT_NO_BOUNDARY;
			return;
		}
		if (b->value_len > sift_limit(&msg->limits, SIFT_LIMIT_BOUNDARY_LENGTH)) {
			part->defects |= SIFT_DEFECT_BOUNDARY_LIMIT;
			return;
		}
		boundary = b->value;
		blen = b->value_len;
	} else if (part->cte == SIFT_CTE_BASE64 || part->cte == SIFT_CTE_QP) {
		/* RFC 2046 5.2.1 forbids it; decoding first would break the
		   single pass, so the enclosed message stays opaque. */
		part->defects |= SIFT_DEFECT_ENCODED_MESSAGE;
		return;
	}
	if (part->depth + 1 > sift_limit(&msg->limits, SIFT_LIMIT_MIME_DEPTH)) {
		part->defects |= SIFT_DEFECT_DEPTH_LIMIT;
		return;
	}
	if (multipart) {
		part->is_multipart = true;
		bounds_push(msg, part, boundary, blen);
		return;
	}
	if (msg->part_count >= sift_limit(&msg->limits, SIFT_LIMIT_MIME_PARTS)) {
		part->defects |= SIFT_DEFECT_PARTS_LIMIT;
		return;
	}
	part->is_message = true;
	msg->cur = part_new(msg, part, body_offset);
	msg->state = STATE_HEADERS;
}

/* ---- boundaries ------------------------------------------------------- */

static bool
all_wsp(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!sift_is_wsp(s[i]))
			return false;
	}
	return true;
}

/* Index of the innermost open boundary this line is a delimiter of, or
   -1.  *close_r tells a close delimiter ("--b--"). */
static ssize_t
boundary_match(const struct sift_message *msg, const char *s, size_t len, bool *close_r)
{
	if (len < 3 || s[0] != '-' || s[1] != '-')
		return -1;
	for (size_t i = msg->nbounds; i-- > 0;) {
		const struct open_boundary *b = &msg->bounds[i];
		if (len - 2 < b->len || memcmp(s + 2, b->boundary, b->len) != 0)
			continue;
		const char *rest = s + 2 + b->len;
		size_t rlen = len - 2 - b->len;
		if (rlen >= 2 && rest[0] == '-' && rest[1] == '-' && all_wsp(rest + 2, rlen - 2)) {
			*close_r = true;
			return (ssize_t)i;
		}
		if (all_wsp(rest, rlen)) {
			*close_r = false;
			return (ssize_t)i;
		}
	}
	return -1;
}

/* Sets the end of every open part from cur up to (not including) stop. */
static void
parts_close(struct sift_message *msg, struct sift_part *stop, uint64_t end)
{
	for (struct sift_part *p = msg->cur; p != NULL && p != stop; p = p->parent) {
		if (p->body_end == UNSET_OFFSET)
			p->body_end = end < p->body_offset ? p->body_offset : end;
	}
}

/* A delimiter line of bounds[k] starts at line_start; the next byte to
   scan is the first after it. */
static void
boundary_seen(struct sift_message *msg, size_t k, bool close, uint64_t line_start)
{
	struct open_boundary *b = &msg->bounds[k];
	struct sift_part *multipart = b->multipart;
	uint64_t end = line_start >= msg->prev_eol ? line_start - msg->prev_eol : line_start;

	if (msg->state == STATE_HEADERS)
		headers_end(msg, line_start, false);
	/* The body of the part before the boundary ends at the line end
	   before it, unless that line end was the blank line of its own
	   header block. */
	if (msg->cur->body_offset > end)
		end = msg->cur->body_offset;
	parts_close(msg, multipart, end);
	for (size_t i = msg->nbounds; i-- > k + 1;)
		msg->bounds[i].multipart->defects |= SIFT_DEFECT_MISSING_CLOSE;
	msg->nbounds = k + 1;
	msg->cur = multipart;
	msg->state = STATE_BODY;

	if (close) {
		if (multipart->children == NULL)
			multipart->defects |= SIFT_DEFECT_NO_PARTS;
		msg->nbounds = k;
		return;
	}
	if (b->no_more_parts)
		return;
	if (msg->part_count >= sift_limit(&msg->limits, SIFT_LIMIT_MIME_PARTS)) {
		multipart->defects |= SIFT_DEFECT_PARTS_LIMIT;
		b->no_more_parts = true;
		return;
	}
	msg->cur = part_new(msg, multipart, msg->offset);
	msg->state = STATE_HEADERS;
}

/* ---- lines -------------------------------------------------------------- */

/* A whole line has been read (or the input ended inside one: eol 0). */
static void
line_done(struct sift_message *msg, unsigned int eol)
{
	const char *s = msg->line.data != NULL ? msg->line.data : "";
	size_t len = msg->line.len;
	uint64_t line_start = msg->line_start;
	bool first = msg->first_line;

	if (!msg->line_cut) {
		/* The line end is in the buffer: take it off. */
		if (len > 0 && s[len - 1] == '\n')
			len--;
		if (len > 0 && s[len - 1] == '\r' && eol == 2)
			len--;
	}
	msg->first_line = false;

	if (msg->nbounds > 0 && !msg->line_cut && len >= 3 && s[0] == '-') {
		size_t tlen = len;
		while (tlen > 0 && sift_is_wsp(s[tlen - 1]))
			tlen--;
		bool close;
		ssize_t k = boundary_match(msg, s, tlen, &close);
		if (k >= 0) {
			boundary_seen(msg, (size_t)k, close, line_start);
			goto done;
		}
	}
	if (msg->state == STATE_BODY)
		goto done;

	/* A header line. */
	struct sift_part *part;
header_line:
	part = msg->cur;
	if (msg->line_len - eol > RFC5322_LINE_MAX)
		part->defects |= SIFT_DEFECT_LONG_LINE;
	if (first && part == msg->root && msg->mode == FEED_RAW && len >= 5 &&
	    memcmp(s, "From ", 5) == 0) {
		/* mbox separator: not part of the message proper. */
		part->header_offset = msg->offset;
		goto done;
	}
	if (len == 0 && !msg->line_cut) {
		headers_end(msg, msg->offset, true);
		goto done;
	}
	if (sift_is_wsp(s[0])) {
		if (msg->field_pending) {
			if (msg->prev_eol == 2)
				(void)sift_buf_append(&msg->field, "\r\n", 2);
			else
				(void)sift_buf_append(&msg->field, "\n", 1);
			sift_buf_append_trunc(&msg->field, s, len);
		} else {
			part->defects |= SIFT_DEFECT_HEADER_SYNTAX;
		}
		goto done;
	}
	field_flush(msg);
	if (field_name_len(s, len) < 0) {
		/* Not a field: the header block is over and this line is the
		   first line of the body. */
		part->defects |= SIFT_DEFECT_HEADER_SYNTAX;
		headers_end(msg, line_start, true);
		/* An enclosed message starts right here: the line is the
		   first of its header block.  Its default type is text/plain,
		   which does not descend, so this ends. */
		if (msg->state == STATE_HEADERS)
			goto header_line;
		goto done;
	}
	sift_buf_reset(&msg->field);
	sift_buf_append_trunc(&msg->field, s, len);
	if (msg->line_cut)
		msg->field.overflow = true;
	msg->field_pending = true;
done:
	msg->prev_eol = eol;
	sift_buf_reset(&msg->line);
	msg->line_len = 0;
	msg->line_cut = false;
	msg->line_skipping = false;
	msg->line_start = msg->offset;
}

/* Scans bytes that have just been stored. */
static void
scan(struct sift_message *msg, const char *p, size_t n)
{
	while (n > 0) {
		if (msg->state == STATE_BODY && msg->nbounds == 0) {
			/* Nothing can end this body before the input ends. */
			msg->offset += n;
			msg->prev_byte = p[n - 1];
			msg->line_len += n;
			return;
		}
		const char *nl = memchr(p, '\n', n);
		size_t k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		char before_nl = nl == NULL ? 0 : (nl > p ? nl[-1] : msg->prev_byte);

		if (!msg->line_skipping) {
			if (msg->state == STATE_BODY && msg->line.len == 0 && p[0] != '-') {
				/* Not a boundary: no need to keep it. */
				msg->line_skipping = true;
			} else {
				size_t cap = msg->state == STATE_HEADERS ? msg->field.max + 2
				                                         : msg->line_cap_body;
				size_t room = cap > msg->line.len ? cap - msg->line.len : 0;
				if (k <= room) {
					(void)sift_buf_append(&msg->line, p, k);
				} else {
					(void)sift_buf_append(&msg->line, p, room);
					msg->line_cut = true;
					msg->line_skipping = true;
				}
			}
		}
		msg->line_len += k;
		msg->offset += k;
		msg->prev_byte = p[k - 1];
		p += k;
		n -= k;
		if (nl != NULL) {
			if (msg->line_skipping && msg->state == STATE_BODY && !msg->line_cut) {
				/* A skipped body line: only its end matters. */
				msg->prev_eol = before_nl == '\r' ? 2 : 1;
				msg->line_skipping = false;
				msg->line_len = 0;
				msg->line_start = msg->offset;
				msg->first_line = false;
				continue;
			}
			line_done(msg, before_nl == '\r' ? 2 : 1);
		}
	}
}

static int
feed_bytes(struct sift_message *msg, const void *data, size_t len, const char **error_r)
{
	if (msg->finished) {
		*error_r = "message already finished";
		return -1;
	}
	msg->size += len;
	if (msg->offset >= msg->scan_max) {
		msg->root->defects |= SIFT_DEFECT_BODY_LIMIT;
		return 0;
	}
	if (len > msg->scan_max - msg->offset) {
		len = (size_t)(msg->scan_max - msg->offset);
		msg->root->defects |= SIFT_DEFECT_BODY_LIMIT;
	}
	if (len == 0)
		return 0;
	if (sift_body_store_append(msg->store, data, len, error_r) < 0)
		return -1;
	scan(msg, data, len);
	return 0;
}

int
sift_message_feed(struct sift_message *msg, const void *data, size_t len, const char **error_r)
{
	if (msg->mode == FEED_FIELDS) {
		*error_r = "raw bytes fed to a message fed by fields";
		return -1;
	}
	msg->mode = FEED_RAW;
	return feed_bytes(msg, data, len, error_r);
}

int
sift_message_feed_header(struct sift_message *msg, const char *name, size_t name_len,
                         const char *value, size_t value_len, const char **error_r)
{
	if (msg->mode == FEED_RAW || msg->state != STATE_HEADERS || msg->cur != msg->root) {
		*error_r = "header field fed out of order";
		return -1;
	}
	msg->mode = FEED_FIELDS;
	if (!field_name_valid(name, name_len)) {
		/* The MTA took it for a field, but no rule can name it and it
		   could not be written back as one field. */
		msg->root->defects |= SIFT_DEFECT_HEADER_SYNTAX;
		return 0;
	}
	/* Rebuilt as it stood in the message, with CRLF line ends, so that
	   the stored copy and every offset mean the same in both modes.  A
	   line end inside the value that is not followed by white space gets
	   a space, so the value can neither end the header block nor start
	   another field. */
	struct sift_buf buf;
	sift_buf_init(&buf, 0);
	(void)sift_buf_append(&buf, name, name_len);
	(void)sift_buf_append_c(&buf, ':');
	if (value_len == 0 || !sift_is_wsp(value[0]))
		(void)sift_buf_append_c(&buf, ' ');
	for (size_t i = 0; i < value_len; i++) {
		if (value[i] == '\r' && i + 1 < value_len && value[i + 1] == '\n')
			continue;
		if (value[i] != '\n') {
			(void)sift_buf_append_c(&buf, value[i]);
			continue;
		}
		(void)sift_buf_append(&buf, "\r\n", 2);
		if (i + 1 >= value_len || !sift_is_wsp(value[i + 1]))
			(void)sift_buf_append_c(&buf, ' ');
	}
	(void)sift_buf_append(&buf, "\r\n", 2);
	int ret = feed_bytes(msg, buf.data, buf.len, error_r);
	sift_buf_free(&buf);
	return ret;
}

int
sift_message_feed_end_of_headers(struct sift_message *msg, const char **error_r)
{
	if (msg->mode == FEED_RAW) {
		*error_r = "end of headers fed to a raw message";
		return -1;
	}
	msg->mode = FEED_FIELDS;
	return feed_bytes(msg, "\r\n", 2, error_r);
}

int
sift_message_feed_body(struct sift_message *msg, const void *data, size_t len, const char **error_r)
{
	if (msg->mode == FEED_NONE)
		msg->mode = FEED_RAW;
	return feed_bytes(msg, data, len, error_r);
}

int
sift_message_finish(struct sift_message *msg, const char **error_r)
{
	if (msg->finished)
		return 0;
	if (msg->line_len > 0 && !(msg->line_skipping && !msg->line_cut))
		line_done(msg, 0);
	if (msg->state == STATE_HEADERS) {
		/* Input ended in a header block: legal for a message without
		   body when the last line was complete. */
		if (msg->prev_eol == 0 && msg->offset > msg->cur->header_offset)
			msg->cur->defects |= SIFT_DEFECT_TRUNCATED;
		headers_end(msg, msg->offset, false);
	}
	parts_close(msg, NULL, msg->offset);
	for (size_t i = 0; i < msg->nbounds; i++)
		msg->bounds[i].multipart->defects |= SIFT_DEFECT_MISSING_CLOSE;
	msg->nbounds = 0;
	msg->finished = true;
	(void)error_r;
	return 0;
}

/* ---- access --------------------------------------------------------------- */

struct sift_part *
sift_message_root(struct sift_message *msg)
{
	return msg->root;
}

struct sift_arena *
sift_message_arena(struct sift_message *msg)
{
	return msg->arena;
}

const struct sift_limits *
sift_message_limits(const struct sift_message *msg)
{
	return &msg->limits;
}

uint64_t
sift_message_size(const struct sift_message *msg)
{
	return msg->size;
}

uint64_t
sift_message_stored(const struct sift_message *msg)
{
	return msg->offset;
}

size_t
sift_message_part_count(const struct sift_message *msg)
{
	return msg->part_count;
}

uint32_t
sift_message_defects(const struct sift_message *msg)
{
	uint32_t defects = 0;
	for (struct sift_part *p = msg->root; p != NULL; p = sift_part_next(p))
		defects |= p->defects;
	return defects;
}

ssize_t
sift_message_read(struct sift_message *msg, uint64_t offset, void *buf, size_t len,
                  const char **error_r)
{
	return sift_body_store_read(msg->store, offset, buf, len, error_r);
}

struct sift_part *
sift_part_next(struct sift_part *part)
{
	if (part->children != NULL)
		return part->children;
	for (; part != NULL; part = part->parent) {
		if (part->next != NULL)
			return part->next;
	}
	return NULL;
}

int
sift_part_decode(struct sift_message *msg, struct sift_part *part, unsigned int flags,
                 struct sift_buf *out, const char **error_r)
{
	bool charset = (flags & SIFT_DECODE_CHARSET) != 0 && strcmp(part->type, "text") == 0;
	enum sift_cte cte = (flags & SIFT_DECODE_TRANSFER) != 0 ? part->cte : SIFT_CTE_7BIT;
	struct sift_buf tmp;
	struct sift_buf *dest = out;
	/* Text that is already what the conversion would give (ASCII, or
	   valid UTF-8 labelled so) is decoded straight into out and checked
	   afterwards, so a large body is not held twice. */
	const char *cs = part->charset;
	bool label_utf8 = cs != NULL && (strcmp(cs, "utf-8") == 0 || strcmp(cs, "utf8") == 0);
	bool direct = charset && (cs == NULL || label_utf8 || strcmp(cs, "us-ascii") == 0 ||
	                          strcmp(cs, "ascii") == 0);
	size_t mark = out->len;
	if (charset) {
		sift_buf_init(&tmp, out->max);
		if (!direct)
			dest = &tmp;
	}
	struct sift_base64_decoder b64;
	struct sift_qp_decoder qp;
	sift_base64_init(&b64);
	sift_qp_init(&qp);

	char chunk[65536];
	uint64_t pos = part->body_offset;
	uint64_t end = part->body_end;
	int ret = 0;
	while (pos < end && !dest->overflow) {
		size_t want = end - pos < sizeof(chunk) ? (size_t)(end - pos) : sizeof(chunk);
		ssize_t n = sift_body_store_read(msg->store, pos, chunk, want, error_r);
		if (n < 0) {
			ret = -1;
			break;
		}
		if (n == 0)
			break;
		pos += (uint64_t)n;
		if (cte == SIFT_CTE_BASE64)
			sift_base64_decode(&b64, chunk, (size_t)n, dest, &part->defects);
		else if (cte == SIFT_CTE_QP)
			sift_qp_decode(&qp, chunk, (size_t)n, dest, &part->defects);
		else
			sift_buf_append_trunc(dest, chunk, (size_t)n);
	}
	if (ret == 0 && cte == SIFT_CTE_BASE64)
		sift_base64_finish(&b64, dest, &part->defects);
	else if (ret == 0 && cte == SIFT_CTE_QP)
		sift_qp_finish(&qp, dest, &part->defects);

	if (direct) {
		const char *d = out->data != NULL ? out->data + mark : "";
		size_t n = out->len - mark;
		bool ascii = true;
		for (size_t i = 0; i < n && ascii; i++)
			ascii = (unsigned char)d[i] < 0x80;
		if (ascii || (label_utf8 && sift_utf8_valid(d, n))) {
			sift_buf_free(&tmp);
			return ret;
		}
		/* Not as labelled: convert as usual. */
		sift_buf_append_trunc(&tmp, d, n);
		if (out->overflow)
			tmp.overflow = true;
		sift_buf_truncate(out, mark);
		out->overflow = false;
	}
	if (charset) {
		cs = part->charset != NULL ? part->charset : "us-ascii";
		if (ret == 0 &&
		    sift_charset_to_utf8(cs, strlen(cs), tmp.data != NULL ? tmp.data : "", tmp.len,
		                         out, &part->defects) < 0) {
			part->defects |= SIFT_DEFECT_UNKNOWN_CHARSET;
			sift_buf_append_trunc(out, tmp.data != NULL ? tmp.data : "", tmp.len);
		}
		if (tmp.overflow)
			out->overflow = true;
		sift_buf_free(&tmp);
	}
	return ret;
}

const char *
sift_part_disposition(struct sift_message *msg, struct sift_part *part, const char **filename_r)
{
	struct part_impl *pi = impl(part);
	if (!pi->disposition_parsed) {
		pi->disposition_parsed = true;
		struct sift_header *hdr =
		    sift_header_find(&part->headers, "content-disposition", NULL);
		struct sift_param *params = NULL;
		if (hdr != NULL) {
			size_t len;
			const char *value = sift_header_unfolded(msg->arena, hdr, &len);
			const char *type;
			if (sift_rfc2045_disposition(msg->arena, value, len, &type, &params,
			                             &part->defects) == 0)
				pi->disposition = type;
		}
		const struct sift_param *fn = sift_param_find(params, "filename");
		if (fn == NULL)
			fn = sift_param_find(part->params, "name");
		if (fn != NULL)
			pi->filename = fn->value;
	}
	if (filename_r != NULL)
		*filename_r = pi->filename;
	return pi->disposition;
}

const char *
sift_message_header_address(struct sift_message *msg, const char *field)
{
	struct sift_part *root = sift_message_root(msg);
	struct sift_arena *arena = sift_message_arena(msg);
	struct sift_header *h = sift_header_find(&root->headers, field, NULL);
	if (h == NULL)
		return NULL;
	size_t len;
	const char *v = sift_header_unfolded(arena, h, &len);
	struct sift_address *list = NULL;
	uint32_t defects = 0;
	if (sift_address_parse_list(arena, v, len, 1, &list, &defects) == 0 || list->invalid)
		return NULL;
	return sift_address_spec(arena, list);
}
