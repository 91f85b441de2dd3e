/* SPDX-License-Identifier: MIT */
/* JSON writer (see json-writer.h). */
#include "json-writer.h"

#include <inttypes.h>
#include <string.h>

#include "util/str.h"

void
json_init(struct json_writer *w, struct sift_buf *out, bool pretty)
{
	w->out = out;
	w->depth = 0;
	w->need_comma = false;
	w->after_key = false;
	w->pretty = pretty;
}

static void
json_newline(struct json_writer *w)
{
	if (!w->pretty)
		return;
	(void)sift_buf_append_c(w->out, '\n');
	for (unsigned int i = 0; i < w->depth; i++)
		(void)sift_buf_append(w->out, "  ", 2);
}

/* Separator and indentation before a value or key. */
static void
json_prefix(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma)
		(void)sift_buf_append_c(w->out, ',');
	if (w->depth > 0)
		json_newline(w);
}

void
json_begin_object(struct json_writer *w)
{
	json_prefix(w);
	(void)sift_buf_append_c(w->out, '{');
	w->depth++;
	w->need_comma = false;
}

static void
json_close(struct json_writer *w, char c)
{
	w->depth--;
	if (w->need_comma)
		json_newline(w);
	(void)sift_buf_append_c(w->out, c);
	w->need_comma = true;
}

void
json_end_object(struct json_writer *w)
{
	json_close(w, '}');
}

void
json_begin_array(struct json_writer *w)
{
	json_prefix(w);
	(void)sift_buf_append_c(w->out, '[');
	w->depth++;
	w->need_comma = false;
}

void
json_end_array(struct json_writer *w)
{
	json_close(w, ']');
}

static void
json_raw_string(struct json_writer *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	(void)sift_buf_append_c(w->out, '"');
	size_t i = 0;
	while (i < len) {
		size_t run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' &&
		       p[run] != '\\')
			run++;
		if (run > i) {
			(void)sift_buf_append(w->out, s + i, run - i);
			i = run;
			continue;
		}
		unsigned char c = p[i];
		if (c >= 0x80) {
			size_t n = sift_utf8_seq_len(p + i, len - i);
			if (n > 0) {
				(void)sift_buf_append(w->out, s + i, n);
				i += n;
				continue;
			}
		}
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			(void)sift_buf_append(w->out, esc, 6);
			i++;
			continue;
		}
		(void)sift_buf_append(w->out, esc, 2);
		i++;
	}
	(void)sift_buf_append_c(w->out, '"');
}

void
json_key(struct json_writer *w, const char *key)
{
	json_prefix(w);
	json_raw_string(w, key, strlen(key));
	(void)sift_buf_append(w->out, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->after_key = true;
	w->need_comma = true;
}

void
json_string(struct json_writer *w, const char *s, size_t len)
{
	json_prefix(w);
	json_raw_string(w, s, len);
	w->need_comma = true;
}

void
json_cstring(struct json_writer *w, const char *s)
{
	if (s == NULL)
		json_null(w);
	else
		json_string(w, s, strlen(s));
}

void
json_uint(struct json_writer *w, uint64_t n)
{
	json_prefix(w);
	(void)sift_buf_printf(w->out, "%" PRIu64, n);
	w->need_comma = true;
}

void
json_int(struct json_writer *w, int64_t n)
{
	json_prefix(w);
	(void)sift_buf_printf(w->out, "%" PRId64, n);
	w->need_comma = true;
}

void
json_bool(struct json_writer *w, bool b)
{
	json_prefix(w);
	(void)sift_buf_append_str(w->out, b ? "true" : "false");
	w->need_comma = true;
}

void
json_null(struct json_writer *w)
{
	json_prefix(w);
	(void)sift_buf_append(w->out, "null", 4);
	w->need_comma = true;
}
