/* SPDX-License-Identifier: MIT */
/*
 * The signed SMTP → delivery hint (docs/mailsift-hint.7): the milter writes
 * a Mailsift-Hint field body, the Dovecot plugin parses and verifies it.
 *
 * One canonical form serves both sides: build and verify compute the MAC
 * from the same canon_make() output, and parse accepts only encodings that
 * map one to one onto it (no leading zeros in t, canonical base64 without
 * stray bits), so what verifies is exactly what was signed.
 *
 * Limits: a field body longer than SIFT_HINT_VALUE_MAX is refused before
 * it is read; the address, the folder name (decoded) and the flags are at
 * most SIFT_HINT_ITEM_MAX bytes each, which keeps every line the builder
 * writes under RFC 5322's 998.  All work is one pass over bounded input,
 * on the stack; only the results go to the arena.
 *
 * Bad input: a hint is a security token, not mail, so nothing is repaired.
 * Anything other than a well-formed version 1 hint is refused with a short
 * error text (the caller then ignores the hint).
 */
#include "mail/delivery-hint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "util/alloc.h"
#include "util/str.h"

#define HINT_MAC_LEN 32
/* Standard base64 of 32 bytes, with its one '='. */
#define HINT_MAC_B64_LEN 44
/* base64url without padding of SIFT_HINT_ITEM_MAX bytes. */
#define HINT_FOLDER_B64_MAX ((SIFT_HINT_ITEM_MAX * 4 + 2) / 3)
/* Clocks of the two hosts may differ a little. */
#define HINT_FUTURE_SLACK 300
#define HINT_FOLD_COLUMN  78
/* The MTA writes "Mailsift-Hint: " before the body. */
#define HINT_FIRST_COLUMN (sizeof(SIFT_HINT_FIELD ": ") - 1)
/* INT64_MAX has 19 digits. */
#define HINT_T_DIGITS_MAX 19

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The hint as the MAC sees it: each item in its wire spelling. */
struct canon {
	const char *rcpt;
	size_t rcpt_len;
	char t[HINT_T_DIGITS_MAX + 2];
	size_t t_len;
	char folder[HINT_FOLDER_B64_MAX + 1]; /* base64url, or empty */
	size_t folder_len;
	char flags[SIFT_HINT_ITEM_MAX + 1]; /* single spaces between flags, or empty */
	size_t flags_len;
};

static int
fail(const char **error_r, const char *text)
{
	if (error_r != NULL)
		*error_r = text;
	return -1;
}

static bool
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static size_t
b64_encode(const unsigned char *in, size_t len, const char *alphabet, bool pad, char *out)
{
	size_t n = 0, i = 0;

	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[n++] = alphabet[v >> 18];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = alphabet[(v >> 6) & 63];
		out[n++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[n++] = alphabet[v >> 18];
		out[n++] = alphabet[(v >> 12) & 63];
		if (pad) {
			out[n++] = '=';
			out[n++] = '=';
		}
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[n++] = alphabet[v >> 18];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = alphabet[(v >> 6) & 63];
		if (pad)
			out[n++] = '=';
	}
	return n;
}

static int
b64_value(const char *alphabet, char c)
{
	const char *p = c == '\0' ? NULL : memchr(alphabet, c, 64);
	return p == NULL ? -1 : (int)(p - alphabet);
}

/* Strict decoding: only the alphabet, padding exactly as `pad` says, and
   the unused low bits of the last character zero, so that every byte
   string has one encoding only.  Returns the decoded length, or -1 (also
   when more than out_max bytes would come out). */
static ssize_t
b64_decode(const char *in, size_t len, const char *alphabet, bool pad, unsigned char *out,
           size_t out_max)
{
	if (pad) {
		if (len % 4 != 0)
			return -1;
		if (len > 0 && in[len - 1] == '=')
			len--;
		if (len > 0 && in[len - 1] == '=')
			len--;
	}
	if (len % 4 == 1 || len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1) > out_max)
		return -1;

	uint32_t acc = 0;
	unsigned int nbits = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value(alphabet, in[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			out[n++] = (unsigned char)(acc >> nbits);
			acc &= (1u << nbits) - 1;
		}
	}
	if (acc != 0)
		return -1;
	return (ssize_t)n;
}

/* The address between the angle brackets. */
static int
rcpt_check(const char *s, size_t len, const char **error_r)
{
	if (len == 0)
		return fail(error_r, "empty rcpt");
	if (len > SIFT_HINT_ITEM_MAX)
		return fail(error_r, "rcpt too long");
	if (s[0] == ' ' || s[len - 1] == ' ')
		return fail(error_r, "white space around the rcpt address");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_ctl(c) || c == ';' || c == '<' || c == '>')
			return fail(error_r, "rcpt has a character that is not allowed");
	}
	if (!sift_utf8_valid(s, len))
		return fail(error_r, "rcpt is not UTF-8");
	return 0;
}

static int
folder_check(const char *s, size_t len, const char **error_r)
{
	if (len == 0)
		return fail(error_r, "empty folder name");
	if (len > SIFT_HINT_ITEM_MAX)
		return fail(error_r, "folder name too long");
	for (size_t i = 0; i < len; i++) {
		if (is_ctl((unsigned char)s[i]))
			return fail(error_r, "folder name has a control character");
	}
	if (!sift_utf8_valid(s, len))
		return fail(error_r, "folder name is not UTF-8");
	return 0;
}

/* Flags separated by any run of spaces and tabs, written out with single
   spaces.  A flag is printable ASCII without ';', '<' and '>'; which
   flags are valid IMAP is for the delivery side to say. */
static int
flags_canon(const char *s, size_t len, char *out, size_t *out_len_r, const char **error_r)
{
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		if (sift_is_wsp(s[i])) {
			i++;
			continue;
		}
		if (n > 0) {
			if (n >= SIFT_HINT_ITEM_MAX)
				return fail(error_r, "flags too long");
			out[n++] = ' ';
		}
		for (; i < len && !sift_is_wsp(s[i]); i++) {
			unsigned char c = (unsigned char)s[i];
			if (c <= 0x20 || c >= 0x7f || c == ';' || c == '<' || c == '>')
				return fail(error_r, "flags have a character that is not allowed");
			if (n >= SIFT_HINT_ITEM_MAX)
				return fail(error_r, "flags too long");
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	*out_len_r = n;
	return 0;
}

/* Checks a hint and spells out its items for the MAC and the field. */
static int
canon_make(const struct sift_hint *hint, struct canon *c, const char **error_r)
{
	if (hint->rcpt == NULL)
		return fail(error_r, "missing rcpt");
	if (rcpt_check(hint->rcpt, hint->rcpt_len, error_r) < 0)
		return -1;
	c->rcpt = hint->rcpt;
	c->rcpt_len = hint->rcpt_len;

	if (hint->t < 0)
		return fail(error_r, "negative t");
	c->t_len = (size_t)snprintf(c->t, sizeof(c->t), "%" PRId64, hint->t);

	c->folder_len = 0;
	if (hint->folder != NULL) {
		if (folder_check(hint->folder, hint->folder_len, error_r) < 0)
			return -1;
		c->folder_len = b64_encode((const unsigned char *)hint->folder, hint->folder_len,
		                           b64_url, false, c->folder);
	}
	c->folder[c->folder_len] = '\0';

	c->flags_len = 0;
	c->flags[0] = '\0';
	if (hint->flags != NULL &&
	    flags_canon(hint->flags, hint->flags_len, c->flags, &c->flags_len, error_r) < 0)
		return -1;
	return 0;
}

/* The Message-ID as the MAC takes it: trimmed here, CR and LF removed
   while it is fed (mac_update_mid), so folding done by either MTA does
   not matter. */
static void
mid_trim(const char **mid, size_t *len)
{
	if (*mid == NULL) {
		*len = 0;
		return;
	}
	sift_mem_trim(mid, len);
}

static int
mac_update_mid(EVP_MAC_CTX *ctx, const char *mid, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && mid[i] != '\r' && mid[i] != '\n')
			continue;
		if (i > start &&
		    !EVP_MAC_update(ctx, (const unsigned char *)mid + start, i - start))
			return -1;
		start = i + 1;
	}
	return 0;
}

/* HMAC-SHA256 over
   "v=1\nrcpt=" ADDR "\nt=" T "\nfolder=" FOLDER "\nflags=" FLAGS
   "\nmessage-id=" MID "\n" (docs/mailsift-hint.7, "The MAC"). */
static int
hint_mac(const struct canon *c, const char *mid, size_t mid_len, const unsigned char *key,
         size_t key_len, unsigned char mac[HINT_MAC_LEN])
{
	const struct {
		const char *s;
		size_t len;
	} parts[] = {
	    {"v=1\nrcpt=", 9}, {c->rcpt, c->rcpt_len},   {"\nt=", 3},
	    {c->t, c->t_len},  {"\nfolder=", 8},         {c->folder, c->folder_len},
	    {"\nflags=", 7},   {c->flags, c->flags_len}, {"\nmessage-id=", 12},
	};
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
	    OSSL_PARAM_construct_end(),
	};
	EVP_MAC *alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = alg == NULL ? NULL : EVP_MAC_CTX_new(alg);
	size_t out_len = 0;
	int ret = -1;

	if (ctx == NULL || !EVP_MAC_init(ctx, key, key_len, params))
		goto out;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].len > 0 &&
		    !EVP_MAC_update(ctx, (const unsigned char *)parts[i].s, parts[i].len))
			goto out;
	}
	if (mac_update_mid(ctx, mid, mid_len) < 0 ||
	    !EVP_MAC_update(ctx, (const unsigned char *)"\n", 1) ||
	    !EVP_MAC_final(ctx, mac, &out_len, HINT_MAC_LEN) || out_len != HINT_MAC_LEN)
		goto out;
	ret = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(alg);
	return ret;
}

int
sift_hint_key_load(const char *path, unsigned char **key_r, size_t *len_r, const char **error_r)
{
	static __thread char errbuf[160];
	unsigned char *key = NULL;
	struct stat st;
	size_t len = 0;
	int fd;

	*key_r = NULL;
	*len_r = 0;
	/* O_NONBLOCK: a FIFO put in the key's place must not hang us before
	   fstat() tells us it is not a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		snprintf(errbuf, sizeof(errbuf), "cannot open key file: %s", strerror(errno));
		return fail(error_r, errbuf);
	}
	if (fstat(fd, &st) < 0) {
		snprintf(errbuf, sizeof(errbuf), "cannot stat key file: %s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(errbuf, sizeof(errbuf), "key file is not a regular file");
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(errbuf, sizeof(errbuf),
		         "key file is open to group or others (mode %04o): it must be 0600 or 0400",
		         (unsigned int)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_size > SIFT_HINT_KEY_MAX) {
		snprintf(errbuf, sizeof(errbuf), "key file is longer than %d bytes",
		         SIFT_HINT_KEY_MAX);
		goto fail;
	}
	/* One byte more than allowed, to see a file that grew since fstat. */
	key = sift_malloc(SIFT_HINT_KEY_MAX + 1);
	while (len <= SIFT_HINT_KEY_MAX) {
		ssize_t n = read(fd, key + len, SIFT_HINT_KEY_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(errbuf, sizeof(errbuf), "cannot read key file: %s",
			         strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > SIFT_HINT_KEY_MAX) {
		snprintf(errbuf, sizeof(errbuf), "key file is longer than %d bytes",
		         SIFT_HINT_KEY_MAX);
		goto fail;
	}
	if (len < SIFT_HINT_KEY_MIN) {
		snprintf(errbuf, sizeof(errbuf), "key file is shorter than %d bytes",
		         SIFT_HINT_KEY_MIN);
		goto fail;
	}
	close(fd);
	*key_r = key;
	*len_r = len;
	return 0;
fail:
	if (key != NULL) {
		OPENSSL_cleanse(key, SIFT_HINT_KEY_MAX + 1);
		sift_free(key);
	}
	close(fd);
	return fail(error_r, errbuf);
}

static bool
key_ok(const unsigned char *key, size_t key_len)
{
	return key != NULL && key_len >= SIFT_HINT_KEY_MIN && key_len <= SIFT_HINT_KEY_MAX;
}

/* Appends one item, folding first when it would pass the fold column. */
static int
emit_item(struct sift_buf *out, size_t *col, const char *prefix, const char *val, size_t val_len,
          bool last)
{
	size_t len = strlen(prefix) + val_len + (last ? 0 : 1);

	if (*col + len > HINT_FOLD_COLUMN) {
		if (sift_buf_append(out, "\r\n", 2) < 0)
			return -1;
		*col = 0;
	}
	if (sift_buf_append_str(out, prefix) < 0 || sift_buf_append(out, val, val_len) < 0 ||
	    (!last && sift_buf_append_c(out, ';') < 0))
		return -1;
	*col += len;
	return 0;
}

int
sift_hint_build(const struct sift_hint *hint, const char *message_id, size_t message_id_len,
                const unsigned char *key, size_t key_len, struct sift_buf *out)
{
	unsigned char mac[HINT_MAC_LEN];
	char mac64[HINT_MAC_B64_LEN + 1];
	const char *error;
	struct canon c;
	size_t start = out->len;

	if (hint == NULL || !key_ok(key, key_len) || canon_make(hint, &c, &error) < 0)
		return -1;
	mid_trim(&message_id, &message_id_len);
	if (message_id_len == 0)
		return -1;
	if (hint_mac(&c, message_id, message_id_len, key, key_len, mac) < 0)
		return -1;
	b64_encode(mac, sizeof(mac), b64_std, true, mac64);

	/* v, rcpt and t always share the first line. */
	size_t col = HINT_FIRST_COLUMN;
	size_t first = out->len;
	if (sift_buf_append_str(out, "v=1; rcpt=<") < 0 ||
	    sift_buf_append(out, c.rcpt, c.rcpt_len) < 0 || sift_buf_append_str(out, ">; t=") < 0 ||
	    sift_buf_append(out, c.t, c.t_len) < 0 || sift_buf_append_c(out, ';') < 0)
		goto fail;
	col += out->len - first;
	if (c.folder_len > 0 && emit_item(out, &col, " folder=", c.folder, c.folder_len, false) < 0)
		goto fail;
	if (c.flags_len > 0 && emit_item(out, &col, " flags=", c.flags, c.flags_len, false) < 0)
		goto fail;
	if (emit_item(out, &col, " mac=", mac64, HINT_MAC_B64_LEN, true) < 0)
		goto fail;
	return 0;
fail:
	sift_buf_truncate(out, start);
	return -1;
}

enum hint_tag { TAG_V, TAG_RCPT, TAG_T, TAG_FOLDER, TAG_FLAGS, TAG_MAC, TAG_COUNT };

static const char *const tag_names[TAG_COUNT] = {"v", "rcpt", "t", "folder", "flags", "mac"};

static void
wsp_trim(const char **s, size_t *len)
{
	while (*len > 0 && sift_is_wsp(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && sift_is_wsp((*s)[*len - 1]))
		(*len)--;
}

/* Copies value to buf with the folds removed: a line end (CRLF or, as
   libmilter hands them over, LF) counts only when white space follows. */
static int
unfold(const char *value, size_t len, char *buf, size_t *len_r, const char **error_r)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = value[i];
		if (c == '\0')
			return fail(error_r, "NUL byte in the hint");
		if (c == '\r' || c == '\n') {
			size_t j = i + 1;
			if (c == '\r') {
				if (j >= len || value[j] != '\n')
					return fail(error_r, "line break outside folding");
				j++;
			}
			if (j >= len || !sift_is_wsp(value[j]))
				return fail(error_r, "line break outside folding");
			i = j - 1;
			continue;
		}
		buf[n++] = c;
	}
	*len_r = n;
	return 0;
}

/* t: decimal without sign or leading zeros, at most INT64_MAX. */
static int
parse_t(const char *s, size_t len, int64_t *t_r)
{
	uint64_t v = 0;

	if (len == 0 || len > HINT_T_DIGITS_MAX || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > INT64_MAX)
		return -1;
	*t_r = (int64_t)v;
	return 0;
}

static int
hint_parse(const char *value, size_t len, struct sift_arena *arena, struct sift_hint *hint_r,
           unsigned char mac_r[HINT_MAC_LEN], const char **error_r)
{
	char buf[SIFT_HINT_VALUE_MAX];
	unsigned char folder[SIFT_HINT_ITEM_MAX];
	const char *val[TAG_COUNT] = {NULL};
	size_t val_len[TAG_COUNT] = {0};
	struct sift_hint hint = {0};
	struct canon c;
	size_t n;

	memset(hint_r, 0, sizeof(*hint_r));
	if (len > SIFT_HINT_VALUE_MAX)
		return fail(error_r, "hint too long");
	if (value == NULL)
		len = 0;
	if (unfold(value, len, buf, &n, error_r) < 0)
		return -1;

	for (size_t pos = 0; pos <= n;) {
		const char *seg = buf + pos;
		const char *semi = memchr(seg, ';', n - pos);
		size_t seg_len = semi == NULL ? n - pos : (size_t)(semi - seg);
		const char *eq = memchr(seg, '=', seg_len);
		pos += seg_len + 1;

		if (eq == NULL) {
			wsp_trim(&seg, &seg_len);
			return fail(error_r, seg_len == 0 ? "empty tag" : "tag without '='");
		}
		const char *tag = seg, *v = eq + 1;
		size_t tag_len = (size_t)(eq - seg), v_len = seg_len - tag_len - 1;
		wsp_trim(&tag, &tag_len);
		wsp_trim(&v, &v_len);
		int idx = -1;
		for (int i = 0; i < TAG_COUNT; i++) {
			if (tag_len == strlen(tag_names[i]) &&
			    memcmp(tag, tag_names[i], tag_len) == 0)
				idx = i;
		}
		if (idx < 0)
			return fail(error_r, "unknown tag");
		if (val[idx] != NULL)
			return fail(error_r, "duplicate tag");
		val[idx] = v;
		val_len[idx] = v_len;
	}

	if (val[TAG_V] == NULL)
		return fail(error_r, "missing v");
	if (val[TAG_RCPT] == NULL)
		return fail(error_r, "missing rcpt");
	if (val[TAG_T] == NULL)
		return fail(error_r, "missing t");
	if (val[TAG_MAC] == NULL)
		return fail(error_r, "missing mac");
	if (val_len[TAG_V] != 1 || val[TAG_V][0] != '1')
		return fail(error_r, "unsupported version");

	const char *r = val[TAG_RCPT];
	size_t r_len = val_len[TAG_RCPT];
	if (r_len < 2 || r[0] != '<' || r[r_len - 1] != '>')
		return fail(error_r, "rcpt is not <address>");
	hint.rcpt = r + 1;
	hint.rcpt_len = r_len - 2;

	if (parse_t(val[TAG_T], val_len[TAG_T], &hint.t) < 0)
		return fail(error_r, "t is not a decimal number of seconds");

	if (val[TAG_FOLDER] != NULL) {
		if (val_len[TAG_FOLDER] == 0)
			return fail(error_r, "empty folder");
		if (val_len[TAG_FOLDER] > HINT_FOLDER_B64_MAX)
			return fail(error_r, "folder name too long");
		ssize_t fl = b64_decode(val[TAG_FOLDER], val_len[TAG_FOLDER], b64_url, false,
		                        folder, sizeof(folder));
		if (fl < 0)
			return fail(error_r, "folder is not base64url");
		hint.folder = (const char *)folder;
		hint.folder_len = (size_t)fl;
	}
	if (val[TAG_FLAGS] != NULL) {
		if (val_len[TAG_FLAGS] == 0)
			return fail(error_r, "empty flags");
		hint.flags = val[TAG_FLAGS];
		hint.flags_len = val_len[TAG_FLAGS];
	}
	if (val_len[TAG_MAC] != HINT_MAC_B64_LEN ||
	    b64_decode(val[TAG_MAC], val_len[TAG_MAC], b64_std, true, mac_r, HINT_MAC_LEN) !=
	        HINT_MAC_LEN)
		return fail(error_r, "mac is not base64 of 32 bytes");

	if (canon_make(&hint, &c, error_r) < 0)
		return -1;

	hint_r->rcpt = sift_arena_memdup0(arena, hint.rcpt, hint.rcpt_len);
	hint_r->rcpt_len = hint.rcpt_len;
	hint_r->t = hint.t;
	if (hint.folder != NULL) {
		hint_r->folder = sift_arena_memdup0(arena, hint.folder, hint.folder_len);
		hint_r->folder_len = hint.folder_len;
	}
	if (hint.flags != NULL) {
		hint_r->flags = sift_arena_memdup0(arena, c.flags, c.flags_len);
		hint_r->flags_len = c.flags_len;
	}
	return 0;
}

int
sift_hint_parse(const char *value, size_t len, struct sift_arena *arena, struct sift_hint *hint_r,
                const char **error_r)
{
	unsigned char mac[HINT_MAC_LEN];

	return hint_parse(value, len, arena, hint_r, mac, error_r);
}

int
sift_hint_verify(const char *value, size_t len, const char *message_id, size_t message_id_len,
                 const unsigned char *key, size_t key_len, int64_t now, uint64_t max_age,
                 struct sift_arena *arena, struct sift_hint *hint_r, const char **error_r)
{
	unsigned char mac[HINT_MAC_LEN], want[HINT_MAC_LEN];
	struct sift_hint hint;
	struct canon c;

	memset(hint_r, 0, sizeof(*hint_r));
	if (!key_ok(key, key_len))
		return fail(error_r, "key must be 32 to 4096 bytes");
	if (hint_parse(value, len, arena, &hint, mac, error_r) < 0)
		return -1;
	if (canon_make(&hint, &c, error_r) < 0)
		return -1;
	mid_trim(&message_id, &message_id_len);
	if (message_id_len == 0)
		return fail(error_r, "no Message-ID");
	if (hint_mac(&c, message_id, message_id_len, key, key_len, want) < 0)
		return fail(error_r, "cannot compute the MAC");
	if (CRYPTO_memcmp(mac, want, HINT_MAC_LEN) != 0)
		return fail(error_r, "bad signature");

	/* Unsigned arithmetic: t and now may be anywhere in int64_t. */
	if (max_age != 0) {
		if (hint.t < now && (uint64_t)now - (uint64_t)hint.t > max_age)
			return fail(error_r, "too old");
		if (hint.t > now && (uint64_t)hint.t - (uint64_t)now > HINT_FUTURE_SLACK)
			return fail(error_r, "from the future");
	}
	*hint_r = hint;
	return 0;
}
