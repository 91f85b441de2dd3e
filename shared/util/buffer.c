/* SPDX-License-Identifier: MIT */
/* Growable byte buffer with a hard maximum (see buffer.h).  Growth doubles,
   capped at the maximum, so appends are amortised O(1). */
#include "buffer.h"
#include "alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void
sift_buf_init(struct sift_buf *buf, size_t max)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	/* One byte is always kept for the terminating NUL. */
	buf->max = (max == 0 || max == SIZE_MAX) ? SIZE_MAX - 1 : max;
	buf->overflow = false;
}

void
sift_buf_free(struct sift_buf *buf)
{
	sift_free(buf->data);
	buf->len = 0;
	buf->cap = 0;
}

void
sift_buf_reset(struct sift_buf *buf)
{
	buf->len = 0;
	buf->overflow = false;
	if (buf->data != NULL)
		buf->data[0] = '\0';
}

/* Makes room for len more bytes plus the trailing NUL. */
static int
buf_reserve(struct sift_buf *buf, size_t len)
{
	if (len > buf->max - buf->len) {
		buf->overflow = true;
		return -1;
	}
	size_t need = buf->len + len + 1;
	if (need <= buf->cap)
		return 0;
	size_t cap = buf->cap < 64 ? 64 : buf->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > buf->max + 1)
		cap = buf->max + 1;
	buf->data = sift_realloc(buf->data, cap);
	buf->cap = cap;
	return 0;
}

int
sift_buf_reserve(struct sift_buf *buf, size_t len)
{
	return buf_reserve(buf, len);
}

int
sift_buf_append(struct sift_buf *buf, const void *data, size_t len)
{
	if (buf_reserve(buf, len) < 0)
		return -1;
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return 0;
}

int
sift_buf_append_c(struct sift_buf *buf, char c)
{
	if (buf->len + 1 < buf->cap) {
		buf->data[buf->len++] = c;
		buf->data[buf->len] = '\0';
		return 0;
	}
	return sift_buf_append(buf, &c, 1);
}

int
sift_buf_append_str(struct sift_buf *buf, const char *s)
{
	return sift_buf_append(buf, s, strlen(s));
}

int
sift_buf_printf(struct sift_buf *buf, const char *fmt, ...)
{
	char small[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return sift_buf_append(buf, small, n);
	if (buf_reserve(buf, n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, n + 1, fmt, ap);
	va_end(ap);
	buf->len += n;
	return 0;
}

void
sift_buf_append_trunc(struct sift_buf *buf, const void *data, size_t len)
{
	size_t room = buf->max - buf->len;
	if (len > room) {
		(void)sift_buf_append(buf, data, room);
		buf->overflow = true;
		return;
	}
	(void)sift_buf_append(buf, data, len);
}

void
sift_buf_truncate(struct sift_buf *buf, size_t len)
{
	if (len < buf->len) {
		buf->len = len;
		buf->data[len] = '\0';
	}
}

char *
sift_buf_steal(struct sift_buf *buf, size_t *len_r)
{
	char *data = buf->data;
	if (data == NULL)
		data = sift_memdup0("", 0);
	if (len_r != NULL)
		*len_r = buf->len;
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	return data;
}
