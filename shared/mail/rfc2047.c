/* SPDX-License-Identifier: MIT */
/* RFC 2047 encoded words in unfolded header text.

   A word is "=?charset[*lang]?B|Q?text?=" (encoding letter in either
   case).  Runs of adjacent decoded words with the same charset are joined
   as bytes and converted once, so a character split over two words (a
   violation of 2047 section 5, but common) comes out whole.  White space
   (SP, HT, CR, LF) between two decoded words is dropped (6.2).

   Leniencies, as most readers and Python's email.policy.default have
   them:
   - words are decoded wherever they stand, also inside a token
     ("foo=?utf-8?q?bar?=", "=?a?q?x?==?a?q?y?=") or next to "(" or ")"
     in unstructured text, where RFC 2047 5 says they are not words;
     this is not flagged;
   - encoded text holding spaces, 8-bit or control bytes, a Q "=" without
     two hex digits, or B text that is badly padded or truncated is
     decoded as far as it goes and flagged (SIFT_DEFECT_BAD_ENCODED_WORD);
   - the 75-character length limit of a word is not enforced.

   Not decoded, copied literally and flagged: an unknown encoding letter,
   an empty charset, B text holding characters outside the base64
   alphabet (BAD_ENCODED_WORD); a charset that is not known
   (UNKNOWN_CHARSET); a word whose "?=" never comes (BAD_ENCODED_WORD).
   Text that only starts like a word ("=?" without "charset?X?") is plain
   text.

   Work is linear in the input: every byte is read a bounded number of
   times (a word's parts end at the next '?', and the charset is at most
   EW_CHARSET_MAX bytes), and output stops at out's maximum. */
#include "mail/rfc2047.h"
#include "mail/charset.h"
#include "mail/defects.h"
#include "mail/transfer-decode.h"
#include "util/str.h"

#include <stdbool.h>
#include <string.h>

/* charset*lang: generous, but keeps a stray "=?" from scanning far. */
#define EW_CHARSET_MAX 100

enum ew_result {
	EW_NONE,            /* not an encoded word: plain text */
	EW_OK,              /* decodable */
	EW_UNTERMINATED,    /* "=?cs?X?" with no "?=" after the text */
	EW_BAD,             /* a word, but not decodable */
	EW_UNKNOWN_CHARSET, /* a word in a charset we cannot convert */
};

struct ew {
	const char *charset; /* without the *lang suffix */
	size_t charset_len;
	char encoding; /* 'b' or 'q' */
	const char *text;
	size_t text_len;
	size_t end; /* offset just past "?=" */
};

/* The decoded bytes of a run of words with one charset. */
struct ew_run {
	struct sift_buf bytes;
	const char *charset;
	size_t charset_len;
	bool open;
};

static bool
ew_charset_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '?';
}

static bool
ew_base64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=' || c == ' ' || c == '\t';
}

static bool
ew_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
ew_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)sift_ascii_lower((char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads the word starting with "=?" at in[at]. */
static enum ew_result
ew_parse(const char *in, size_t len, size_t at, struct ew *w)
{
	size_t i = at + 2;
	size_t cs_start = i;
	while (i < len && i - cs_start <= EW_CHARSET_MAX && ew_charset_char((unsigned char)in[i]))
		i++;
	if (i >= len || in[i] != '?' || i - cs_start > EW_CHARSET_MAX)
		return EW_NONE;
	size_t cs_len = i - cs_start;
	i++;
	if (len - i < 2 || in[i + 1] != '?')
		return EW_NONE;
	char enc = sift_ascii_lower(in[i]);
	i += 2;
	const char *q = memchr(in + i, '?', len - i);
	if (q == NULL || (size_t)(q - in) + 1 >= len || q[1] != '=')
		return EW_UNTERMINATED;
	w->text = in + i;
	w->text_len = (size_t)(q - (in + i));
	w->end = (size_t)(q - in) + 2;

	const char *star = memchr(in + cs_start, '*', cs_len);
	w->charset = in + cs_start;
	w->charset_len = star != NULL ? (size_t)(star - w->charset) : cs_len;
	w->encoding = enc;
	if (w->charset_len == 0 || (enc != 'b' && enc != 'q'))
		return EW_BAD;
	if (enc == 'b') {
		for (size_t k = 0; k < w->text_len; k++) {
			if (!ew_base64_char((unsigned char)w->text[k]))
				return EW_BAD;
		}
	}
	if (!sift_charset_known(w->charset, w->charset_len))
		return EW_UNKNOWN_CHARSET;
	return EW_OK;
}

/* Q encoding (RFC 2047 4.2) into run; true if the text was clean. */
static bool
ew_decode_q(const char *text, size_t len, struct sift_buf *run)
{
	bool clean = true;
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && text[i] != '_' && text[i] != '=' &&
		       (unsigned char)text[i] > 0x20 && (unsigned char)text[i] < 0x7f)
			i++;
		(void)sift_buf_append(run, text + start, i - start);
		if (i >= len)
			break;
		unsigned char c = (unsigned char)text[i];
		int hi;
		int lo;
		if (c == '_') {
			c = ' ';
			i++;
		} else if (c == '=' && len - i >= 3 &&
		           (hi = ew_hex((unsigned char)text[i + 1])) >= 0 &&
		           (lo = ew_hex((unsigned char)text[i + 2])) >= 0) {
			c = (unsigned char)(hi << 4 | lo);
			i += 3;
		} else {
			/* A stray '=', a space, an 8-bit or control byte:
			   kept as it is. */
			clean = false;
			i++;
		}
		(void)sift_buf_append_c(run, (char)c);
	}
	return clean;
}

static bool
ew_decode_b(const char *text, size_t len, struct sift_buf *run)
{
	struct sift_base64_decoder dec;
	uint32_t b64_defects = 0;
	bool clean = memchr(text, ' ', len) == NULL && memchr(text, '\t', len) == NULL;

	sift_base64_init(&dec);
	sift_base64_decode(&dec, text, len, run, &b64_defects);
	sift_base64_finish(&dec, run, &b64_defects);
	return clean && b64_defects == 0;
}

/* Converts the run's bytes and closes it. */
static void
ew_run_flush(struct ew_run *run, struct sift_buf *out, uint32_t *defects)
{
	if (!run->open)
		return;
	if (run->bytes.len > 0 &&
	    sift_charset_to_utf8(run->charset, run->charset_len, run->bytes.data, run->bytes.len,
	                         out, defects) < 0) {
		/* Known when the word was read, so iconv ran out of
		   resources since: keep what is UTF-8, flag the rest. */
		*defects |= SIFT_DEFECT_UNKNOWN_CHARSET;
		sift_charset_utf8_sanitize(run->bytes.data, run->bytes.len, out, defects);
	}
	sift_buf_reset(&run->bytes);
	run->open = false;
}

/* The next "=?" in s, or NULL. */
static const char *
find_word_start(const char *s, size_t len)
{
	while (len >= 2) {
		const char *e = memchr(s, '=', len - 1);
		if (e == NULL)
			return NULL;
		if (e[1] == '?')
			return e;
		len -= (size_t)(e + 1 - s);
		s = e + 1;
	}
	return NULL;
}

static bool
all_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!ew_is_space(s[i]))
			return false;
	}
	return true;
}

void
sift_rfc2047_decode(const char *in, size_t len, struct sift_buf *out, uint32_t *defects)
{
	const char *hit = find_word_start(in, len);
	if (hit == NULL) {
		sift_buf_append_trunc(out, in, len);
		return;
	}

	struct ew_run run = {.open = false};
	size_t literal = 0; /* start of text not yet written */
	size_t i = (size_t)(hit - in);
	sift_buf_init(&run.bytes, 0);
	while (i < len && !out->overflow) {
		hit = find_word_start(in + i, len - i);
		if (hit == NULL)
			break;
		size_t at = (size_t)(hit - in);
		struct ew w;
		switch (ew_parse(in, len, at, &w)) {
		case EW_NONE:
			i = at + 1;
			continue;
		case EW_UNTERMINATED:
			*defects |= SIFT_DEFECT_BAD_ENCODED_WORD;
			i = at + 1;
			continue;
		case EW_BAD:
			*defects |= SIFT_DEFECT_BAD_ENCODED_WORD;
			i = w.end;
			continue;
		case EW_UNKNOWN_CHARSET:
			*defects |= SIFT_DEFECT_UNKNOWN_CHARSET;
			i = w.end;
			continue;
		case EW_OK:
			break;
		}
		/* Text between the previous decoded word and this one is
		   dropped when it is only white space. */
		if (!run.open || !all_space(in + literal, at - literal)) {
			ew_run_flush(&run, out, defects);
			sift_buf_append_trunc(out, in + literal, at - literal);
		}
		if (run.open &&
		    !sift_mem_eq_ci_len(run.charset, run.charset_len, w.charset, w.charset_len))
			ew_run_flush(&run, out, defects);
		bool clean = w.encoding == 'b' ? ew_decode_b(w.text, w.text_len, &run.bytes)
		                               : ew_decode_q(w.text, w.text_len, &run.bytes);
		if (!clean || w.text_len == 0)
			*defects |= SIFT_DEFECT_BAD_ENCODED_WORD;
		run.charset = w.charset;
		run.charset_len = w.charset_len;
		run.open = true;
		literal = w.end;
		i = w.end;
	}
	ew_run_flush(&run, out, defects);
	if (!out->overflow)
		sift_buf_append_trunc(out, in + literal, len - literal);
	sift_buf_free(&run.bytes);
}
