/* SPDX-License-Identifier: MIT */
#ifndef SIFT_DEFECTS_H
#define SIFT_DEFECTS_H

#include <stdint.h>

/* Malformed mail is data: each thing wrong with a message or a part is one
   bit in a defect set, recorded where it was seen and carried on from.
   sift_defect_name() gives the stable name used in JSON and logs;
   sift_defect_status() the enhanced status code (RFC 3463) a host uses
   when it refuses a message for that defect. */
enum sift_defect {
	SIFT_DEFECT_NUL_IN_HEADER = 1u << 0, /* NUL byte in a header field */
	SIFT_DEFECT_8BIT_HEADER = 1u << 1,   /* raw 8-bit bytes in a header field */
	SIFT_DEFECT_HEADER_SYNTAX = 1u << 2, /* a line in a header block that is no field */
	SIFT_DEFECT_HEADER_LIMIT = 1u << 3,  /* header_bytes/header_count reached: fields dropped */
	SIFT_DEFECT_LINE_LIMIT = 1u << 4,    /* a header field longer than line_length, cut */
	SIFT_DEFECT_LONG_LINE = 1u << 5,     /* a line longer than 998 bytes (RFC 5322 2.1.1) */
	SIFT_DEFECT_BARE_CR = 1u << 6,       /* CR not followed by LF in a header field */
	SIFT_DEFECT_NO_BOUNDARY = 1u << 7,   /* multipart without a usable boundary parameter */
	SIFT_DEFECT_MISSING_CLOSE = 1u << 8, /* multipart without its closing boundary */
	SIFT_DEFECT_NO_PARTS = 1u << 9,      /* multipart with no body part at all */
	SIFT_DEFECT_DEPTH_LIMIT = 1u << 10,  /* nesting deeper than mime_depth: not descended */
	SIFT_DEFECT_PARTS_LIMIT = 1u << 11,  /* more parts than mime_parts: not collected */
	SIFT_DEFECT_BOUNDARY_LIMIT = 1u << 12,   /* boundary longer than boundary_length */
	SIFT_DEFECT_BODY_LIMIT = 1u << 13,       /* message longer than body_scan: rest not kept */
	SIFT_DEFECT_BAD_CONTENT_TYPE = 1u << 14, /* Content-Type that does not parse */
	SIFT_DEFECT_BAD_CTE = 1u << 15,          /* unknown Content-Transfer-Encoding */
	SIFT_DEFECT_BAD_BASE64 = 1u << 16,       /* invalid or truncated base64 */
	SIFT_DEFECT_BAD_QP = 1u << 17,           /* invalid quoted-printable */
	SIFT_DEFECT_BAD_ENCODED_WORD = 1u << 18, /* RFC 2047 word that does not decode */
	SIFT_DEFECT_BAD_PARAMETER = 1u << 19,    /* RFC 2045/2231 parameter syntax */
	SIFT_DEFECT_UNKNOWN_CHARSET = 1u << 20,  /* charset iconv does not know: raw text kept */
	SIFT_DEFECT_BAD_CHARSET_DATA = 1u << 21, /* bytes invalid in their charset: replaced */
	SIFT_DEFECT_BAD_ADDRESS = 1u << 22,      /* address list with invalid entries */
	SIFT_DEFECT_BAD_DATE = 1u << 23,         /* Date that does not parse */
	SIFT_DEFECT_ENCODED_MESSAGE = 1u << 24,  /* message/rfc822 with base64/qp: not descended */
	SIFT_DEFECT_TRUNCATED = 1u << 25,        /* input ended inside a header block */
};

#define SIFT_DEFECT_COUNT 26

/* Stable lower-case name of one defect bit ("missing_close_boundary"). */
const char *sift_defect_name(uint32_t defect);
/* Enhanced status code for one defect bit ("5.6.0"). */
const char *sift_defect_status(uint32_t defect);

#endif
