/* SPDX-License-Identifier: MIT */
/* mailsift dump: the parsed structure of one message as JSON, in the
   layout docs/mailsift.1 defines (it changes only by addition). */
#include "mailsift.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json-writer.h"
#include "sieve-input.h"
#include "mail/defects.h"
#include "mail/message-parser.h"
#include "mail/rfc5322-address.h"
#include "mail/rfc5322-date.h"
#include "util/alloc.h"

/* What the dump shows of a part beyond the parser's own fields; worked out
   before anything is printed, because working it out can add defects. */
struct part_view {
	bool decoded;
	uint64_t decoded_size;
	const char *disposition;
	const char *filename;
	bool has_date;
	struct sift_date date;
	struct sift_address *addresses[6];
};

static const char *const address_fields[6] = {"from", "sender", "reply-to", "to", "cc", "bcc"};
static const char *const address_keys[6] = {"from", "sender", "reply_to", "to", "cc", "bcc"};

static bool
part_is_message(const struct sift_part *part)
{
	return part->parent == NULL || part->parent->is_message;
}

/* Appends the addresses of every field of that name to *tail. */
static void
collect_addresses(struct sift_message *msg, struct sift_part *part, const char *field,
                  struct sift_address **head)
{
	struct sift_arena *arena = sift_message_arena(msg);
	size_t max = sift_limit(sift_message_limits(msg), SIFT_LIMIT_ADDRESS_COUNT);
	struct sift_address **tail = head;
	for (struct sift_header *hdr = sift_header_find(&part->headers, field, NULL); hdr != NULL;
	     hdr = sift_header_find(&part->headers, field, hdr)) {
		size_t len;
		const char *value = sift_header_unfolded(arena, hdr, &len);
		struct sift_address *list = NULL;
		(void)sift_address_parse_list(arena, value, len, max, &list, &part->defects);
		*tail = list;
		while (*tail != NULL)
			tail = &(*tail)->next;
	}
}

static void
view_prepare(struct sift_message *msg, struct sift_part *part, struct part_view *view)
{
	struct sift_arena *arena = sift_message_arena(msg);
	size_t len;

	for (struct sift_header *hdr = part->headers.first; hdr != NULL; hdr = hdr->next) {
		(void)sift_header_value(arena, hdr, &len);
		part->defects |= hdr->defects;
	}
	view->disposition = sift_part_disposition(msg, part, &view->filename);
	if (!part->is_multipart && !part->is_message) {
		struct sift_buf buf;
		const char *error;
		sift_buf_init(&buf, 0);
		if (sift_part_decode(msg, part, SIFT_DECODE_TRANSFER, &buf, &error) == 0) {
			view->decoded = true;
			view->decoded_size = buf.len;
		}
		sift_buf_free(&buf);
	}
	if (part_is_message(part)) {
		struct sift_header *date = sift_header_find(&part->headers, "date", NULL);
		if (date != NULL) {
			const char *value = sift_header_unfolded(arena, date, &len);
			if (sift_date_parse(value, len, &view->date) == 0)
				view->has_date = true;
			else
				part->defects |= SIFT_DEFECT_BAD_DATE;
		}
		for (int i = 0; i < 6; i++)
			collect_addresses(msg, part, address_fields[i], &view->addresses[i]);
	}
}

static void
write_defects(struct json_writer *w, uint32_t defects)
{
	json_begin_array(w);
	for (int i = 0; i < SIFT_DEFECT_COUNT; i++) {
		if ((defects & (1u << i)) != 0)
			json_cstring(w, sift_defect_name(1u << i));
	}
	json_end_array(w);
}

static void
write_address(struct json_writer *w, struct sift_arena *arena, const struct sift_address *a)
{
	json_begin_object(w);
	json_key(w, "name");
	if (a->display_name != NULL)
		json_string(w, a->display_name, a->display_name_len);
	else
		json_null(w);
	json_key(w, "local");
	json_string(w, a->local_part, a->local_part_len);
	json_key(w, "domain");
	if (a->domain != NULL)
		json_string(w, a->domain, a->domain_len);
	else
		json_null(w);
	json_key(w, "address");
	json_cstring(w, sift_address_spec(arena, a));
	json_key(w, "group");
	json_cstring(w, a->group);
	json_key(w, "invalid");
	json_bool(w, a->invalid);
	json_end_object(w);
}

static void
write_part(struct json_writer *w, struct sift_message *msg, struct sift_part *part,
           struct part_view *views)
{
	struct sift_arena *arena = sift_message_arena(msg);
	struct part_view *view = &views[part->index];
	size_t len;

	json_begin_object(w);
	json_key(w, "index");
	json_uint(w, part->index);
	json_key(w, "depth");
	json_uint(w, part->depth);
	json_key(w, "content_type");
	char ct[512];
	snprintf(ct, sizeof(ct), "%s/%s", part->type, part->subtype);
	json_cstring(w, ct);
	json_key(w, "params");
	json_begin_array(w);
	for (const struct sift_param *p = part->params; p != NULL; p = p->next) {
		json_begin_object(w);
		json_key(w, "name");
		json_cstring(w, p->name);
		json_key(w, "value");
		json_string(w, p->value, p->value_len);
		if (p->charset != NULL) {
			json_key(w, "charset");
			json_cstring(w, p->charset);
		}
		if (p->language != NULL) {
			json_key(w, "language");
			json_cstring(w, p->language);
		}
		json_end_object(w);
	}
	json_end_array(w);
	json_key(w, "charset");
	json_cstring(w, part->charset);
	json_key(w, "transfer_encoding");
	json_cstring(w, sift_cte_name(part->cte));
	json_key(w, "disposition");
	json_cstring(w, view->disposition);
	json_key(w, "filename");
	json_cstring(w, view->filename);
	json_key(w, "header_offset");
	json_uint(w, part->header_offset);
	json_key(w, "header_size");
	json_uint(w, part->body_offset - part->header_offset);
	json_key(w, "body_offset");
	json_uint(w, part->body_offset);
	json_key(w, "body_size");
	json_uint(w, part->body_end - part->body_offset);
	json_key(w, "decoded_size");
	if (view->decoded)
		json_uint(w, view->decoded_size);
	else
		json_null(w);
	json_key(w, "defects");
	write_defects(w, part->defects);
	json_key(w, "headers");
	json_begin_array(w);
	for (struct sift_header *hdr = part->headers.first; hdr != NULL; hdr = hdr->next) {
		json_begin_object(w);
		json_key(w, "name");
		json_string(w, hdr->name, hdr->name_len);
		json_key(w, "raw");
		json_string(w, hdr->raw, hdr->raw_len);
		json_key(w, "value");
		const char *value = sift_header_value(arena, hdr, &len);
		json_string(w, value, len);
		json_end_object(w);
	}
	json_end_array(w);
	if (part_is_message(part)) {
		json_key(w, "date");
		if (view->has_date) {
			char zone[6];
			sift_date_zone_format(&view->date, zone);
			json_begin_object(w);
			json_key(w, "timestamp");
			json_int(w, view->date.timestamp);
			json_key(w, "zone");
			json_string(w, zone, 5);
			json_end_object(w);
		} else {
			json_null(w);
		}
		for (int i = 0; i < 6; i++) {
			json_key(w, address_keys[i]);
			json_begin_array(w);
			for (const struct sift_address *a = view->addresses[i]; a != NULL;
			     a = a->next)
				write_address(w, arena, a);
			json_end_array(w);
		}
	}
	if (part->parent == NULL) {
		json_key(w, "message_size");
		json_uint(w, sift_message_size(msg));
		json_key(w, "part_count");
		json_uint(w, sift_message_part_count(msg));
		json_key(w, "defects_all");
		write_defects(w, sift_message_defects(msg));
	}
	json_key(w, "parts");
	json_begin_array(w);
	for (struct sift_part *child = part->children; child != NULL; child = child->next)
		write_part(w, msg, child, views);
	json_end_array(w);
	json_end_object(w);
}

int
cmd_dump(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: mailsift dump MESSAGE\n", stderr);
		return MAILSIFT_EXIT_USAGE;
	}
	struct sift_limits limits;
	sift_limits_init(&limits);
	struct sift_buf data;
	sift_buf_init(&data, 0);
	struct sift_message *msg = NULL;
	if (tool_read_file(argv[1], &data) == 0)
		msg = tool_parse_message(argv[1], data.data != NULL ? data.data : "", data.len,
		                         &limits);
	sift_buf_free(&data);
	if (msg == NULL)
		return MAILSIFT_EXIT_USAGE;
	size_t count = sift_message_part_count(msg);
	struct part_view *views = sift_calloc(count, sizeof(*views));
	for (struct sift_part *p = sift_message_root(msg); p != NULL; p = sift_part_next(p))
		view_prepare(msg, p, &views[p->index]);

	struct sift_buf out;
	struct json_writer w;
	sift_buf_init(&out, 0);
	json_init(&w, &out, true);
	write_part(&w, msg, sift_message_root(msg), views);
	(void)sift_buf_append_c(&out, '\n');
	int ret = MAILSIFT_EXIT_OK;
	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		tool_error("writing output: %s", strerror(errno));
		ret = MAILSIFT_EXIT_FAIL;
	}
	sift_buf_free(&out);
	sift_free(views);
	sift_message_destroy(&msg);
	return ret;
}
