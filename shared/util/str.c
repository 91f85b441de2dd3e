/* SPDX-License-Identifier: MIT */
/* Byte-string helpers (see str.h). */
#include "str.h"

#include <stdint.h>
#include <string.h>

bool
sift_mem_eq_ci(const char *a, size_t alen, const char *b)
{
	return sift_mem_eq_ci_len(a, alen, b, strlen(b));
}

bool
sift_mem_eq_ci_len(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		if (sift_ascii_lower(a[i]) != sift_ascii_lower(b[i]))
			return false;
	}
	return true;
}

/* Eight bytes at a time: a byte is an upper-case ASCII letter when it is
   at least 'A' and not above 'Z' with its high bit clear; such bytes get
   0x20 added.  The sums below never carry from one byte into the next
   because the high bits are masked off first. */
static inline uint64_t
lower8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u;
	const uint64_t high = 0x8080808080808080u;
	uint64_t low7 = x & ~high;
	uint64_t ge_a = low7 + ones * (0x80 - 'A');
	uint64_t gt_z = low7 + ones * (0x7f - 'Z');
	uint64_t upper = (ge_a & ~gt_z) & ~x & high;
	return x | (upper >> 2);
}

void
sift_mem_lower_copy(char *dst, const char *src, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t x;
		memcpy(&x, src + i, 8);
		x = lower8(x);
		memcpy(dst + i, &x, 8);
	}
	for (; i < len; i++)
		dst[i] = sift_ascii_lower(src[i]);
}

void
sift_mem_lower(char *s, size_t len)
{
	sift_mem_lower_copy(s, s, len);
}

void
sift_mem_trim(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len;
	while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	while (n > 0 &&
	       (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	*s = p;
	*len = n;
}

size_t
sift_utf8_seq_len(const unsigned char *s, size_t avail)
{
	if (avail == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned int min;
	unsigned int cp;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		min = 0x800;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool
sift_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = sift_utf8_seq_len(p + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}
