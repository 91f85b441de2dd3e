/* SPDX-License-Identifier: MIT */
#ifndef SIFT_BUFFER_H
#define SIFT_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

/* The one growable byte buffer for untrusted data.  Its maximum size is
   fixed at creation; an append that would pass it appends nothing, returns
   -1 and sets `overflow`, so a caller can flag a defect and carry on.  The
   data is always followed by a NUL byte (not counted in len), but may
   contain NULs itself: the length travels with it. */
struct sift_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	bool overflow;
};

/* max == 0 means no maximum beyond what memory allows. */
void sift_buf_init(struct sift_buf *buf, size_t max);
void sift_buf_free(struct sift_buf *buf);
/* Empties the buffer, keeping its memory and maximum; clears overflow. */
void sift_buf_reset(struct sift_buf *buf);

int sift_buf_append(struct sift_buf *buf, const void *data, size_t len);
/* Makes room for len more bytes (and the NUL) without appending, so a
   caller can read() straight into data + len; -1 and overflow when that
   would pass the maximum. */
int sift_buf_reserve(struct sift_buf *buf, size_t len);
int sift_buf_append_c(struct sift_buf *buf, char c);
int sift_buf_append_str(struct sift_buf *buf, const char *s);
int sift_buf_printf(struct sift_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends as much of data as fits, flagging overflow if not all did. */
void sift_buf_append_trunc(struct sift_buf *buf, const void *data, size_t len);
/* Shortens the content to len bytes (no-op if already shorter). */
void sift_buf_truncate(struct sift_buf *buf, size_t len);
/* Takes the data out of the buffer (caller frees with sift_free); the
   buffer is left empty. */
char *sift_buf_steal(struct sift_buf *buf, size_t *len_r);

#endif
