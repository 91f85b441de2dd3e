/* SPDX-License-Identifier: MIT */
/* Header blocks (see header.h).  Fields are stored as received; the
   unfolded and RFC 2047-decoded views are made on demand, once, because
   most fields of most messages are never looked at. */
#include "mail/header.h"

#include <string.h>

#include "mail/defects.h"
#include "mail/rfc2047.h"
#include "util/buffer.h"
#include "util/str.h"

static uint32_t
header_scan_defects(const char *s, size_t len)
{
	uint32_t defects = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0)
			defects |= SIFT_DEFECT_NUL_IN_HEADER;
		else if (c >= 0x80)
			defects |= SIFT_DEFECT_8BIT_HEADER;
		else if (c == '\r' && (i + 1 == len || s[i + 1] != '\n'))
			defects |= SIFT_DEFECT_BARE_CR;
	}
	return defects;
}

struct sift_header *
sift_header_add(struct sift_arena *arena, struct sift_header_list *list, const char *name,
                size_t name_len, const char *raw, size_t raw_len)
{
	struct sift_header *hdr = sift_arena_zalloc(arena, sizeof(*hdr));
	/* Name and value in one allocation: "name\0raw\0". */
	char *copy = sift_arena_alloc(arena, name_len + raw_len + 2);
	memcpy(copy, name, name_len);
	copy[name_len] = '\0';
	memcpy(copy + name_len + 1, raw, raw_len);
	copy[name_len + 1 + raw_len] = '\0';
	hdr->name = copy;
	hdr->name_len = name_len;
	hdr->raw = copy + name_len + 1;
	hdr->raw_len = raw_len;
	hdr->defects = header_scan_defects(name, name_len) | header_scan_defects(raw, raw_len);

	if (list->last != NULL)
		list->last->next = hdr;
	else
		list->first = hdr;
	list->last = hdr;
	list->count++;
	return hdr;
}

struct sift_header *
sift_header_find(const struct sift_header_list *list, const char *name,
                 const struct sift_header *after)
{
	struct sift_header *hdr = after != NULL ? after->next : list->first;
	for (; hdr != NULL; hdr = hdr->next) {
		if (sift_mem_eq_ci(hdr->name, hdr->name_len, name))
			return hdr;
	}
	return NULL;
}

size_t
sift_header_count(const struct sift_header_list *list, const char *name)
{
	size_t n = 0;
	for (struct sift_header *hdr = list->first; hdr != NULL; hdr = hdr->next) {
		if (sift_mem_eq_ci(hdr->name, hdr->name_len, name))
			n++;
	}
	return n;
}

const char *
sift_header_unfolded(struct sift_arena *arena, struct sift_header *hdr, size_t *len_r)
{
	if (hdr->unfolded == NULL) {
		const char *raw = hdr->raw;
		size_t len = hdr->raw_len;
		char *out = sift_arena_alloc(arena, len + 1);
		size_t o = 0;
		for (size_t i = 0; i < len; i++) {
			/* A line end is removed; the white space that
			   follows it stays (RFC 5322 2.2.3).  A bare CR or
			   LF not followed by white space (milter input can
			   have them) is removed the same way. */
			if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n')
				continue;
			if (raw[i] == '\n' || raw[i] == '\r')
				continue;
			out[o++] = raw[i];
		}
		while (o > 0 && sift_is_wsp(out[o - 1]))
			o--;
		out[o] = '\0';
		hdr->unfolded = out;
		hdr->unfolded_len = o;
	}
	*len_r = hdr->unfolded_len;
	return hdr->unfolded;
}

const char *
sift_header_value(struct sift_arena *arena, struct sift_header *hdr, size_t *len_r)
{
	if (hdr->value == NULL) {
		size_t len;
		const char *unfolded = sift_header_unfolded(arena, hdr, &len);
		if (memchr(unfolded, '=', len) == NULL) {
			/* No encoded word possible: share the unfolded copy. */
			hdr->value = unfolded;
			hdr->value_len = len;
		} else {
			struct sift_buf buf;
			sift_buf_init(&buf, 0);
			sift_rfc2047_decode(unfolded, len, &buf, &hdr->defects);
			hdr->value =
			    sift_arena_memdup0(arena, buf.data != NULL ? buf.data : "", buf.len);
			hdr->value_len = buf.len;
			sift_buf_free(&buf);
		}
	}
	*len_r = hdr->value_len;
	return hdr->value;
}

bool
sift_header_is_address(const char *name, size_t name_len)
{
	static const char *const names[] = {
	    "from",
	    "sender",
	    "reply-to",
	    "to",
	    "cc",
	    "bcc",
	    "resent-from",
	    "resent-sender",
	    "resent-to",
	    "resent-cc",
	    "resent-bcc",
	    "return-path",
	    "delivered-to",
	    "envelope-to",
	    "x-original-to",
	    "errors-to",
	    "disposition-notification-to",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (sift_mem_eq_ci(name, name_len, names[i]))
			return true;
	}
	return false;
}
