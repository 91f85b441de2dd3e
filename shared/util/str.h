/* SPDX-License-Identifier: MIT */
#ifndef SIFT_STR_H
#define SIFT_STR_H

#include <stdbool.h>
#include <stddef.h>

/* Byte-string helpers.  All take explicit lengths: NULs are data. */

static inline char
sift_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Value of a hexadecimal digit, -1 for anything else. */
static inline int
sift_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool
sift_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* ASCII case-insensitive comparison of a counted string with a C string. */
bool sift_mem_eq_ci(const char *a, size_t alen, const char *b);
/* The same for two counted strings. */
bool sift_mem_eq_ci_len(const char *a, size_t alen, const char *b, size_t blen);
/* Lower-cases len bytes in place (ASCII only). */
void sift_mem_lower(char *s, size_t len);
/* Copies len bytes from src to dst in ASCII lower case (one pass). */
void sift_mem_lower_copy(char *dst, const char *src, size_t len);
/* Strips leading and trailing spaces, tabs, CRs and LFs. */
void sift_mem_trim(const char **s, size_t *len);
/* True if the bytes are valid UTF-8 (no overlongs, no surrogates). */
bool sift_utf8_valid(const char *s, size_t len);
/* Length of the valid UTF-8 sequence starting at s (1 to 4), or 0 if the
   bytes there do not start one. */
size_t sift_utf8_seq_len(const unsigned char *s, size_t avail);

#endif
