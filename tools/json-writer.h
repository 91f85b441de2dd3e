/* SPDX-License-Identifier: MIT */
#ifndef MAILSIFT_JSON_WRITER_H
#define MAILSIFT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buffer.h"

/* A small JSON writer for the tool's output: objects and arrays nest,
   commas and indentation are placed by the writer.  Strings are byte
   strings: valid UTF-8 is written as is (control characters escaped), and
   every byte that is not part of valid UTF-8 is written as \u00XX with
   the byte's value, so no input can produce invalid JSON. */
struct json_writer {
	struct sift_buf *out;
	unsigned int depth;
	bool need_comma;
	bool after_key;
	bool pretty;
};

void json_init(struct json_writer *w, struct sift_buf *out, bool pretty);
void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s, size_t len);
/* NULL writes null. */
void json_cstring(struct json_writer *w, const char *s);
void json_uint(struct json_writer *w, uint64_t n);
void json_int(struct json_writer *w, int64_t n);
void json_bool(struct json_writer *w, bool b);
void json_null(struct json_writer *w);

#endif
