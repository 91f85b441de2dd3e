/* SPDX-License-Identifier: MIT */
/* Tests for mail/delivery-hint.c: the exact field body for fixed inputs
   (MACs computed once with `openssl dgst -sha256 -hmac KEY` over the MAC
   input written out by hand, and pasted), a MAC recomputed here with
   OpenSSL's HMAC() over a hand-written MAC input, build → parse → verify
   round trips, folding (CRLF, LF, tabs), forged and moved hints, the age
   window, key files, and malformed and hostile field bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mail/delivery-hint.h"
#include "util/alloc.h"
#include "util/buffer.h"

/* 32 bytes, also usable as `openssl dgst -hmac` text. */
#define KEY     "0123456789abcdef0123456789abcdef"
#define KEY_LEN 32
#define MID     "<20261122.1234@mx.example.org>"
#define T0      1763700000
#define DAY     INT64_C(86400)

/* Any well-formed mac value, for tests that only parse. */
#define MAC_OK "UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoYwvM="

static const unsigned char *const key = (const unsigned char *)KEY;

/* The hint of DESIGN.md's example, folder "Ünterlagen/2026". */
static const struct sift_hint hint1 = {
    .rcpt = "bob@example.org",
    .rcpt_len = 15,
    .t = T0,
    .folder = "\xc3\x9cnterlagen/2026",
    .folder_len = 16,
    .flags = "\\Seen $Label1",
    .flags_len = 13,
};

/* printf 'v=1\nrcpt=bob@example.org\nt=1763700000\nfolder=w5xudGVybGFnZW4vMjAyNg\n
   flags=\\Seen $Label1\nmessage-id=<20261122.1234@mx.example.org>\n' |
   openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef -binary | base64
   (the folder value from Python's base64.urlsafe_b64encode, '=' stripped) */
static const char expect1[] = "v=1; rcpt=<bob@example.org>; t=1763700000;\r\n"
                              " folder=w5xudGVybGFnZW4vMjAyNg; flags=\\Seen $Label1;\r\n"
                              " mac=UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoYwvM=";

/* printf 'v=1\nrcpt=alice@example.net\nt=0\nfolder=\nflags=\\Flagged\nmessage-id=<x@y>\n'
   | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef -binary | base64 */
static const char expect2[] = "v=1; rcpt=<alice@example.net>; t=0; flags=\\Flagged;\r\n"
                              " mac=LvUW/WGcLhzfsT2DAvmFbYtj8+3cumH+dqZSlmakG2Q=";

static int
setup(void **state)
{
	*state = sift_arena_create(0);
	return 0;
}

static int
teardown(void **state)
{
	struct sift_arena *arena = *state;
	sift_arena_destroy(&arena);
	return 0;
}

/* Builds into a fresh buffer; the caller frees it. */
static char *
build(const struct sift_hint *hint, const char *mid, size_t *len_r)
{
	struct sift_buf out;
	sift_buf_init(&out, 0);
	assert_int_equal(sift_hint_build(hint, mid, strlen(mid), key, KEY_LEN, &out), 0);
	return sift_buf_steal(&out, len_r);
}

static int
build_rc(const struct sift_hint *hint, const char *mid)
{
	struct sift_buf out;
	sift_buf_init(&out, 0);
	int rc = sift_hint_build(hint, mid, strlen(mid), key, KEY_LEN, &out);
	if (rc < 0)
		assert_int_equal(out.len, 0);
	sift_buf_free(&out);
	return rc;
}

static int
verify(void **state, const char *value, size_t len, const char *mid, int64_t now, uint64_t max_age,
       struct sift_hint *hint, const char **error)
{
	*error = NULL;
	int rc = sift_hint_verify(value, len, mid, strlen(mid), key, KEY_LEN, now, max_age, *state,
	                          hint, error);
	if (rc == 0)
		assert_null(*error);
	else
		assert_non_null(*error);
	return rc;
}

static void
expect_verify_error(void **state, const char *value, const char *mid, int64_t now, uint64_t max_age,
                    const char *error)
{
	struct sift_hint h;
	const char *e;
	assert_int_equal(verify(state, value, strlen(value), mid, now, max_age, &h, &e), -1);
	assert_string_equal(e, error);
	/* Nothing of a refused hint may be used by accident. */
	assert_null(h.rcpt);
	assert_null(h.folder);
	assert_null(h.flags);
	assert_int_equal(h.t, 0);
}

static void
expect_parse_error_n(void **state, const char *value, size_t len, const char *error)
{
	struct sift_hint h;
	const char *e = NULL;
	if (sift_hint_parse(value, len, *state, &h, &e) == 0)
		fail_msg("parsed, expected \"%s\": %.*s", error, (int)(len > 200 ? 200 : len),
		         value);
	assert_string_equal(e, error);
	assert_null(h.rcpt);
}

#define expect_parse_error(state, value, error)                                                    \
	expect_parse_error_n(state, value, strlen(value), error)

static void
expect_hint(const struct sift_hint *got, const struct sift_hint *want)
{
	assert_int_equal(got->rcpt_len, want->rcpt_len);
	assert_memory_equal(got->rcpt, want->rcpt, want->rcpt_len);
	assert_int_equal(got->rcpt[got->rcpt_len], '\0');
	assert_int_equal(got->t, want->t);
	if (want->folder == NULL) {
		assert_null(got->folder);
		assert_int_equal(got->folder_len, 0);
	} else {
		assert_non_null(got->folder);
		assert_int_equal(got->folder_len, want->folder_len);
		assert_memory_equal(got->folder, want->folder, want->folder_len);
		assert_int_equal(got->folder[got->folder_len], '\0');
	}
	if (want->flags == NULL) {
		assert_null(got->flags);
		assert_int_equal(got->flags_len, 0);
	} else {
		assert_non_null(got->flags);
		assert_int_equal(got->flags_len, want->flags_len);
		assert_memory_equal(got->flags, want->flags, want->flags_len);
		assert_int_equal(got->flags[got->flags_len], '\0');
	}
}

/* Replaces every occurrence of `from` by `to` (for LF and tab folds). */
static char *
replace(const char *s, const char *from, const char *to)
{
	struct sift_buf out;
	size_t flen = strlen(from);
	sift_buf_init(&out, 0);
	while (*s != '\0') {
		if (strncmp(s, from, flen) == 0) {
			sift_buf_append_str(&out, to);
			s += flen;
		} else {
			sift_buf_append_c(&out, *s++);
		}
	}
	return sift_buf_steal(&out, NULL);
}

static void
test_build_exact(void **state)
{
	size_t len;
	char *v = build(&hint1, MID, &len);
	assert_int_equal(len, sizeof(expect1) - 1);
	assert_memory_equal(v, expect1, len);
	sift_free(v);

	/* No folder: folder= is left out and the MAC input has "folder=\n". */
	const struct sift_hint h2 = {.rcpt = "alice@example.net",
	                             .rcpt_len = 17,
	                             .t = 0,
	                             .flags = "\\Flagged",
	                             .flags_len = 8};
	v = build(&h2, "<x@y>", &len);
	assert_string_equal(v, expect2);
	assert_int_equal(len, sizeof(expect2) - 1);
	sift_free(v);

	/* The Message-ID is trimmed and unfolded before it is signed. */
	v = build(&h2, "\r\n\t <x@y> \r\n", &len);
	assert_string_equal(v, expect2);
	sift_free(v);

	/* Flags are written with single spaces, whatever came in. */
	struct sift_hint h3 = hint1;
	h3.flags = " \\Seen\t \t$Label1  ";
	h3.flags_len = strlen(h3.flags);
	v = build(&h3, MID, &len);
	assert_string_equal(v, expect1);
	sift_free(v);

	/* Appends after what the buffer holds, and leaves it alone on failure. */
	struct sift_buf out;
	sift_buf_init(&out, 0);
	sift_buf_append_str(&out, "Mailsift-Hint: ");
	assert_int_equal(sift_hint_build(&hint1, MID, strlen(MID), key, KEY_LEN, &out), 0);
	assert_int_equal(out.len, 15 + sizeof(expect1) - 1);
	assert_memory_equal(out.data + 15, expect1, sizeof(expect1) - 1);
	sift_buf_free(&out);
}

/* The MAC, recomputed with HMAC() over the MAC input as the man page
   defines it, for a hint with a folder and no flags. */
static void
test_mac_independent(void **state)
{
	static const char input[] = "v=1\nrcpt=\"j doe\"@example.com\nt=1234567890\n"
	                            "folder=SU5CT1gvU3BhbQ\nflags=\n"
	                            "message-id=<a b@c> (comment)\n";
	const struct sift_hint h = {.rcpt = "\"j doe\"@example.com",
	                            .rcpt_len = 19,
	                            .t = 1234567890,
	                            .folder = "INBOX/Spam",
	                            .folder_len = 10};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char b64[64];

	assert_non_null(HMAC(EVP_sha256(), KEY, KEY_LEN, (const unsigned char *)input,
	                     sizeof(input) - 1, md, &md_len));
	assert_int_equal(md_len, 32);
	assert_int_equal(EVP_EncodeBlock((unsigned char *)b64, md, 32), 44);

	size_t len;
	char *v = build(&h, "  <a b@c>\r\n (comment)\r\n", &len);
	char want[256];
	snprintf(want, sizeof(want),
	         "v=1; rcpt=<\"j doe\"@example.com>; t=1234567890;\r\n"
	         " folder=SU5CT1gvU3BhbQ; mac=%s",
	         b64);
	assert_string_equal(v, want);
	sift_free(v);
}

static void
test_round_trip(void **state)
{
	size_t len;
	char *v = build(&hint1, MID, &len);
	struct sift_hint h;
	const char *e;

	assert_int_equal(sift_hint_parse(v, len, *state, &h, &e), 0);
	expect_hint(&h, &hint1);
	assert_int_equal(verify(state, v, len, MID, T0 + 60, 7 * DAY, &h, &e), 0);
	expect_hint(&h, &hint1);
	assert_memory_equal(h.folder, "\xc3\x9cnterlagen/2026", 16);
	assert_string_equal(h.flags, "\\Seen $Label1");
	sift_free(v);

	/* Flags only, folder only, neither. */
	struct sift_hint variants[3] = {hint1, hint1, hint1};
	variants[0].folder = NULL;
	variants[0].folder_len = 0;
	variants[1].flags = NULL;
	variants[1].flags_len = 0;
	variants[2].folder = NULL;
	variants[2].folder_len = 0;
	variants[2].flags = NULL;
	variants[2].flags_len = 0;
	for (int i = 0; i < 3; i++) {
		v = build(&variants[i], MID, &len);
		assert_int_equal(strstr(v, "folder=") != NULL, variants[i].folder != NULL);
		assert_int_equal(strstr(v, "flags=") != NULL, variants[i].flags != NULL);
		assert_int_equal(verify(state, v, len, MID, T0, 7 * DAY, &h, &e), 0);
		expect_hint(&h, &variants[i]);
		sift_free(v);
	}

	/* An SMTPUTF8 address and every folder length from 1 to 6 bytes
	   (all base64url tail lengths). */
	struct sift_hint u = {.rcpt = "j\xc3\xb6rg@b\xc3\xbc"
	                              "cher.example",
	                      .t = INT64_MAX};
	u.rcpt_len = strlen(u.rcpt);
	const char *names[] = {"A",     "\xc3\xa9",          "\xe2\x82\xac", "a\xe2\x82\xac",
	                       "ab/cd", "\xf0\x9f\x93\x81!!"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		u.folder = names[i];
		u.folder_len = strlen(names[i]);
		assert_int_equal(u.folder_len, i + 1);
		v = build(&u, MID, &len);
		assert_int_equal(verify(state, v, len, MID, 0, 0, &h, &e), 0);
		expect_hint(&h, &u);
		sift_free(v);
	}
}

static void
check_lines(const char *v, size_t max_col)
{
	size_t col = 15; /* "Mailsift-Hint: " */
	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '\r') {
			assert_int_equal(p[1], '\n');
			assert_int_equal(p[2], ' ');
			assert_true(col <= max_col);
			col = 0;
			p++;
			continue;
		}
		assert_int_not_equal(*p, '\n');
		col++;
	}
	assert_true(col <= max_col);
}

static void
test_folding(void **state)
{
	size_t len;
	char *v = build(&hint1, MID, &len);
	struct sift_hint h;
	const char *e;

	check_lines(v, 78);
	/* LF-only folds, as libmilter hands header values over. */
	char *lf = replace(v, "\r\n", "\n");
	assert_int_equal(verify(state, lf, strlen(lf), MID, T0, DAY, &h, &e), 0);
	expect_hint(&h, &hint1);
	/* Refolded with tabs, and folded again in other places. */
	char *tab = replace(v, "\r\n ", "\r\n\t");
	assert_int_equal(verify(state, tab, strlen(tab), MID, T0, DAY, &h, &e), 0);
	char *more = replace(v, "; ", " ;\r\n\t \r\n ");
	char *more2 = replace(more, "t=1", "t\n = \r\n\t1");
	char *more3 = replace(more2, "mac=U", "mac\r\n\t=\n U");
	assert_int_equal(verify(state, more3, strlen(more3), MID, T0, DAY, &h, &e), 0);
	expect_hint(&h, &hint1);
	sift_free(more3);
	sift_free(lf);
	sift_free(tab);
	sift_free(more);
	sift_free(more2);
	sift_free(v);

	/* Short items stay on the first line. */
	const struct sift_hint s = {
	    .rcpt = "a@b", .rcpt_len = 3, .t = 5, .flags = "x", .flags_len = 1};
	v = build(&s, "<m@n>", &len);
	assert_memory_equal(v, "v=1; rcpt=<a@b>; t=5; flags=x;\r\n mac=", 37);
	check_lines(v, 78);
	sift_free(v);

	/* The fold comes only past column 78: "Mailsift-Hint: v=1; rcpt=<" R
	   ">; t=5; flags=x;" is 42 + R columns. */
	char r36[40];
	memset(r36, 'a', sizeof(r36));
	memcpy(r36 + 30, "@b.org", 6);
	struct sift_hint edge = s;
	edge.rcpt = r36;
	edge.rcpt_len = 36;
	v = build(&edge, "<m@n>", &len);
	assert_memory_equal(v + 11 + 36,
	                    ">; t=5; flags=x;\r\n mac=", strlen(">; t=5; flags=x;\r\n mac="));
	check_lines(v, 78);
	sift_free(v);
	memmove(r36 + 1, r36, 36);
	edge.rcpt_len = 37;
	v = build(&edge, "<m@n>", &len);
	assert_memory_equal(v + 11 + 37,
	                    ">; t=5;\r\n flags=x; mac=", strlen(">; t=5;\r\n flags=x; mac="));
	check_lines(v, 78);
	sift_free(v);

	/* Longest items: every line stays under RFC 5322's 998 octets, the
	   whole body under SIFT_HINT_VALUE_MAX. */
	char rcpt[SIFT_HINT_ITEM_MAX + 1], folder[SIFT_HINT_ITEM_MAX + 1],
	    flags[SIFT_HINT_ITEM_MAX + 1];
	memset(rcpt, 'r', SIFT_HINT_ITEM_MAX);
	memcpy(rcpt + SIFT_HINT_ITEM_MAX - 12, "@example.org", 12);
	for (size_t i = 0; i < SIFT_HINT_ITEM_MAX; i += 2)
		memcpy(folder + i, "\xc3\xa4", 2);
	for (size_t i = 0; i < SIFT_HINT_ITEM_MAX; i += 8)
		memcpy(flags + i, "$Label1 ", 8);
	flags[SIFT_HINT_ITEM_MAX - 1] = 'x';
	const struct sift_hint big = {.rcpt = rcpt,
	                              .rcpt_len = SIFT_HINT_ITEM_MAX,
	                              .t = INT64_MAX,
	                              .folder = folder,
	                              .folder_len = SIFT_HINT_ITEM_MAX,
	                              .flags = flags,
	                              .flags_len = SIFT_HINT_ITEM_MAX};
	v = build(&big, MID, &len);
	check_lines(v, 997);
	assert_true(len <= SIFT_HINT_VALUE_MAX);
	assert_int_equal(verify(state, v, len, MID, 0, 0, &h, &e), 0);
	expect_hint(&h, &big);
	sift_free(v);
}

static void
test_bad_signature(void **state)
{
	size_t len;
	char *v = build(&hint1, MID, &len);
	char *forged;

	/* One character of the folder: w5xu -> x5xu decodes to "\xc7\x9c..."
	   (valid UTF-8, so it is the MAC that refuses it). */
	forged = replace(v, "folder=w5xu", "folder=x5xu");
	expect_verify_error(state, forged, MID, T0, DAY, "bad signature");
	sift_free(forged);
	/* Moved to another recipient or another message. */
	forged = replace(v, "bob@", "eve@");
	expect_verify_error(state, forged, MID, T0, DAY, "bad signature");
	sift_free(forged);
	expect_verify_error(state, v, "<20261122.1235@mx.example.org>", T0, DAY, "bad signature");
	expect_verify_error(state, v, "<20261122.1234@mx.example.org> ()", T0, DAY,
	                    "bad signature");
	/* Other time, flags, no flags, no folder. */
	forged = replace(v, "t=1763700000", "t=1763700001");
	expect_verify_error(state, forged, MID, T0, DAY, "bad signature");
	sift_free(forged);
	forged = replace(v, "$Label1", "$Label2");
	expect_verify_error(state, forged, MID, T0, DAY, "bad signature");
	sift_free(forged);
	forged = replace(v, " flags=\\Seen $Label1;", "");
	expect_verify_error(state, forged, MID, T0, DAY, "bad signature");
	sift_free(forged);
	forged = replace(v, " folder=w5xudGVybGFnZW4vMjAyNg;", "");
	expect_verify_error(state, forged, MID, T0, DAY, "bad signature");
	sift_free(forged);
	/* One bit of the MAC. */
	forged = replace(v, "mac=UM1W", "mac=UM1X");
	expect_verify_error(state, forged, MID, T0, DAY, "bad signature");
	sift_free(forged);

	/* Another key. */
	struct sift_hint h;
	const char *e;
	const unsigned char other[] = KEY "!";
	assert_int_equal(
	    sift_hint_verify(v, len, MID, strlen(MID), other, 33, T0, DAY, *state, &h, &e), -1);
	assert_string_equal(e, "bad signature");
	assert_null(h.rcpt);

	/* The same Message-ID folded or padded differently is the same. */
	assert_int_equal(verify(state, v, len, "\n " MID "\r\n", T0, DAY, &h, &e), 0);
	/* A message without Message-ID cannot carry a hint. */
	expect_verify_error(state, v, "", T0, DAY, "no Message-ID");
	expect_verify_error(state, v, " \r\n\t", T0, DAY, "no Message-ID");
	sift_free(v);
}

static void
test_age(void **state)
{
	size_t len;
	char *v = build(&hint1, MID, &len);
	struct sift_hint h;
	const char *e;

	assert_int_equal(verify(state, v, len, MID, T0, 7 * DAY, &h, &e), 0);
	assert_int_equal(verify(state, v, len, MID, T0 + 7 * DAY, 7 * DAY, &h, &e), 0);
	expect_verify_error(state, v, MID, T0 + 7 * DAY + 1, 7 * DAY, "too old");
	expect_verify_error(state, v, MID, T0 + 100 * 365 * DAY, 7 * DAY, "too old");
	/* Up to five minutes ahead of our clock. */
	assert_int_equal(verify(state, v, len, MID, T0 - 300, 7 * DAY, &h, &e), 0);
	expect_verify_error(state, v, MID, T0 - 301, 7 * DAY, "from the future");
	expect_verify_error(state, v, MID, INT64_MIN, 1, "from the future");
	expect_verify_error(state, v, MID, INT64_MAX, (uint64_t)INT64_MAX - T0 - 1, "too old");
	assert_int_equal(verify(state, v, len, MID, INT64_MAX, (uint64_t)INT64_MAX - T0, &h, &e),
	                 0);
	/* max_age 0: no age check at all. */
	assert_int_equal(verify(state, v, len, MID, INT64_MIN, 0, &h, &e), 0);
	assert_int_equal(verify(state, v, len, MID, INT64_MAX, 0, &h, &e), 0);
	/* The signature is checked before the age. */
	expect_verify_error(state, v, "<other@id>", T0 + 30 * DAY, DAY, "bad signature");
	sift_free(v);

	/* t at both ends of its range. */
	struct sift_hint t = hint1;
	t.t = 0;
	v = build(&t, MID, &len);
	assert_non_null(strstr(v, " t=0;"));
	expect_verify_error(state, v, MID, INT64_MAX, (uint64_t)INT64_MAX - 1, "too old");
	assert_int_equal(verify(state, v, len, MID, INT64_MAX, INT64_MAX, &h, &e), 0);
	assert_int_equal(verify(state, v, len, MID, 0, 1, &h, &e), 0);
	sift_free(v);
	t.t = INT64_MAX;
	v = build(&t, MID, &len);
	assert_non_null(strstr(v, " t=9223372036854775807;"));
	expect_verify_error(state, v, MID, INT64_MIN, UINT64_MAX, "from the future");
	assert_int_equal(verify(state, v, len, MID, INT64_MAX - 300, 1, &h, &e), 0);
	sift_free(v);
}

/* ---- key files ---- */

static char keydir[64];

static char *
key_path(const char *name)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", keydir, name);
	return path;
}

static void
write_key(const char *name, size_t len, mode_t mode)
{
	char *path = key_path(name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < len; i++)
		fputc((int)(i * 7 + 1) & 0xff, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int
key_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(keydir, sizeof(keydir), "%s/test-hint-XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(keydir) == NULL)
		return -1;
	return 0;
}

static int
key_teardown(void **state)
{
	static const char *const names[] = {"ok",  "k644", "k640",  "k604", "k601", "short", "min",
	                                    "max", "long", "empty", "fifo", "link", "k400"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(key_path(names[i]));
	rmdir(key_path("dir"));
	rmdir(keydir);
	return 0;
}

static void
expect_key_error(const char *name, const char *error)
{
	unsigned char *k = (unsigned char *)"x";
	size_t len = 99;
	const char *e = NULL;
	assert_int_equal(sift_hint_key_load(key_path(name), &k, &len, &e), -1);
	assert_null(k);
	assert_int_equal(len, 0);
	assert_non_null(e);
	if (strcmp(e, error) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", name, e, error);
}

static void
expect_key_ok(const char *name, size_t want_len)
{
	unsigned char *k = NULL;
	size_t len = 0;
	const char *e = NULL;
	if (sift_hint_key_load(key_path(name), &k, &len, &e) < 0)
		fail_msg("%s: %s", name, e);
	assert_int_equal(len, want_len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(k[i], (i * 7 + 1) & 0xff);
	sift_free(k);
}

static void
test_key_file(void **state)
{
	write_key("ok", 48, 0600);
	expect_key_ok("ok", 48);
	write_key("k400", 32, 0400);
	expect_key_ok("k400", 32);
	write_key("min", SIFT_HINT_KEY_MIN, 0600);
	expect_key_ok("min", SIFT_HINT_KEY_MIN);
	write_key("max", SIFT_HINT_KEY_MAX, 0600);
	expect_key_ok("max", SIFT_HINT_KEY_MAX);

	write_key("k644", 48, 0644);
	expect_key_error("k644", "key file is open to group or others (mode 0644): it must be "
	                         "0600 or 0400");
	write_key("k640", 48, 0640);
	expect_key_error("k640", "key file is open to group or others (mode 0640): it must be "
	                         "0600 or 0400");
	write_key("k604", 48, 0604);
	expect_key_error("k604", "key file is open to group or others (mode 0604): it must be "
	                         "0600 or 0400");
	write_key("k601", 48, 0601);
	expect_key_error("k601", "key file is open to group or others (mode 0601): it must be "
	                         "0600 or 0400");
	write_key("short", SIFT_HINT_KEY_MIN - 1, 0600);
	expect_key_error("short", "key file is shorter than 32 bytes");
	write_key("empty", 0, 0600);
	expect_key_error("empty", "key file is shorter than 32 bytes");
	write_key("long", SIFT_HINT_KEY_MAX + 1, 0600);
	expect_key_error("long", "key file is longer than 4096 bytes");
	expect_key_error("missing", "cannot open key file: No such file or directory");
	assert_int_equal(mkdir(key_path("dir"), 0700), 0);
	expect_key_error("dir", "key file is not a regular file");
	/* A FIFO is refused without waiting for a writer. */
	assert_int_equal(mkfifo(key_path("fifo"), 0600), 0);
	expect_key_error("fifo", "key file is not a regular file");
	/* Symbolic links are followed; the target's mode counts. */
	char target[128];
	snprintf(target, sizeof(target), "%s", key_path("ok"));
	assert_int_equal(symlink(target, key_path("link")), 0);
	expect_key_ok("link", 48);
	assert_int_equal(chmod(key_path("ok"), 0640), 0);
	expect_key_error("link", "key file is open to group or others (mode 0640): it must be "
	                         "0600 or 0400");

	/* A loaded key signs and verifies. */
	unsigned char *k;
	size_t klen;
	const char *e;
	assert_int_equal(sift_hint_key_load(key_path("max"), &k, &klen, &e), 0);
	struct sift_buf out;
	sift_buf_init(&out, 0);
	assert_int_equal(sift_hint_build(&hint1, MID, strlen(MID), k, klen, &out), 0);
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_hint h;
	assert_int_equal(
	    sift_hint_verify(out.data, out.len, MID, strlen(MID), k, klen, T0, DAY, arena, &h, &e),
	    0);
	assert_int_equal(sift_hint_verify(out.data, out.len, MID, strlen(MID), key, KEY_LEN, T0,
	                                  DAY, arena, &h, &e),
	                 -1);
	assert_string_equal(e, "bad signature");
	sift_arena_destroy(&arena);
	sift_buf_free(&out);
	sift_free(k);
}

static void
test_key_size_arguments(void **state)
{
	struct sift_buf out;
	struct sift_hint h;
	const char *e;
	unsigned char big[SIFT_HINT_KEY_MAX + 1];
	memset(big, 'k', sizeof(big));

	sift_buf_init(&out, 0);
	assert_int_equal(sift_hint_build(&hint1, MID, strlen(MID), key, 31, &out), -1);
	assert_int_equal(sift_hint_build(&hint1, MID, strlen(MID), NULL, 32, &out), -1);
	assert_int_equal(sift_hint_build(&hint1, MID, strlen(MID), big, sizeof(big), &out), -1);
	assert_int_equal(out.len, 0);
	assert_int_equal(sift_hint_build(&hint1, MID, strlen(MID), big, SIFT_HINT_KEY_MAX, &out),
	                 0);
	assert_int_equal(sift_hint_verify(out.data, out.len, MID, strlen(MID), big,
	                                  SIFT_HINT_KEY_MAX, T0, DAY, *state, &h, &e),
	                 0);
	assert_int_equal(
	    sift_hint_verify(out.data, out.len, MID, strlen(MID), big, 31, T0, DAY, *state, &h, &e),
	    -1);
	assert_string_equal(e, "key must be 32 to 4096 bytes");
	sift_buf_free(&out);
}

/* ---- what build refuses ---- */

static void
test_build_refuses(void **state)
{
	static const char *const bad_rcpt[] = {
	    "a\r@b",   "a\n@b", "a;b@c", "<a@b",   "a@b>",   "a\t@b",
	    "a\x7f@b", " a@b",  "a@b ",  "\xff@b", "\xc3@b", "\xed\xa0\x80@b",
	};
	struct sift_hint h = hint1;

	for (size_t i = 0; i < sizeof(bad_rcpt) / sizeof(bad_rcpt[0]); i++) {
		h.rcpt = bad_rcpt[i];
		h.rcpt_len = strlen(bad_rcpt[i]);
		if (build_rc(&h, MID) != -1)
			fail_msg("rcpt %zu was accepted", i);
	}
	h.rcpt = "a\0@b";
	h.rcpt_len = 4;
	assert_int_equal(build_rc(&h, MID), -1);
	h.rcpt = "";
	h.rcpt_len = 0;
	assert_int_equal(build_rc(&h, MID), -1);
	h.rcpt = NULL;
	assert_int_equal(build_rc(&h, MID), -1);
	char longer[SIFT_HINT_ITEM_MAX + 1];
	memset(longer, 'a', sizeof(longer));
	h.rcpt = longer;
	h.rcpt_len = SIFT_HINT_ITEM_MAX + 1;
	assert_int_equal(build_rc(&h, MID), -1);
	h.rcpt_len = SIFT_HINT_ITEM_MAX;
	assert_int_equal(build_rc(&h, MID), 0);
	/* Spaces inside are data (a quoted local part). */
	h.rcpt = "\"a b\"@c";
	h.rcpt_len = 7;
	assert_int_equal(build_rc(&h, MID), 0);

	static const char *const bad_flags[] = {
	    "\\Seen\r", "\\Seen\n$x", "a;b", "<x>", "a>", "\xc3\xa4", "\x01", "a\x7f",
	};
	h = hint1;
	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		h.flags = bad_flags[i];
		h.flags_len = strlen(bad_flags[i]);
		if (build_rc(&h, MID) != -1)
			fail_msg("flags %zu were accepted", i);
	}
	h.flags = "\\Seen\0";
	h.flags_len = 6;
	assert_int_equal(build_rc(&h, MID), -1);
	h.flags = longer;
	h.flags_len = SIFT_HINT_ITEM_MAX + 1;
	assert_int_equal(build_rc(&h, MID), -1);
	h.flags_len = SIFT_HINT_ITEM_MAX;
	assert_int_equal(build_rc(&h, MID), 0);
	/* Only white space: no flags at all. */
	h.flags = " \t ";
	h.flags_len = 3;
	size_t len;
	char *v = build(&h, MID, &len);
	assert_null(strstr(v, "flags="));
	sift_free(v);

	static const char *const bad_folder[] = {
	    "a\nb", "a\rb", "a\tb", "\x7f", "\xff", "\xc3", "\xc0\x80", "\xed\xa0\x80", "",
	};
	h = hint1;
	for (size_t i = 0; i < sizeof(bad_folder) / sizeof(bad_folder[0]); i++) {
		h.folder = bad_folder[i];
		h.folder_len = strlen(bad_folder[i]);
		if (build_rc(&h, MID) != -1)
			fail_msg("folder %zu was accepted", i);
	}
	h.folder = "a\0b";
	h.folder_len = 3;
	assert_int_equal(build_rc(&h, MID), -1);
	h.folder = longer;
	h.folder_len = SIFT_HINT_ITEM_MAX + 1;
	assert_int_equal(build_rc(&h, MID), -1);

	h = hint1;
	h.t = -1;
	assert_int_equal(build_rc(&h, MID), -1);
	h.t = INT64_MIN;
	assert_int_equal(build_rc(&h, MID), -1);
	assert_int_equal(build_rc(&hint1, ""), -1);
	assert_int_equal(build_rc(&hint1, " \r\n "), -1);
	assert_int_equal(build_rc(NULL, MID), -1);

	/* out's maximum: nothing is left behind. */
	struct sift_buf out;
	sift_buf_init(&out, 100);
	sift_buf_append_str(&out, "keep");
	assert_int_equal(sift_hint_build(&hint1, MID, strlen(MID), key, KEY_LEN, &out), -1);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "keep");
	sift_buf_free(&out);
	sift_buf_init(&out, sizeof(expect1) - 1);
	assert_int_equal(sift_hint_build(&hint1, MID, strlen(MID), key, KEY_LEN, &out), 0);
	sift_buf_free(&out);
}

/* ---- what parse refuses ---- */

#define BODY_RCPT "v=1; rcpt=<a@b>; t=5; "

static void
test_parse_malformed(void **state)
{
	static const struct {
		const char *value;
		const char *error;
	} cases[] = {
	    {"", "empty tag"},
	    {"   ", "empty tag"},
	    {"v=1; rcpt=<a@b>; t=5", "missing mac"},
	    {"rcpt=<a@b>; t=5; mac=" MAC_OK, "missing v"},
	    {"v=1; t=5; mac=" MAC_OK, "missing rcpt"},
	    {"v=1; rcpt=<a@b>; mac=" MAC_OK, "missing t"},
	    {BODY_RCPT "mac=" MAC_OK "; mac=" MAC_OK, "duplicate tag"},
	    {"v=1; v=1; rcpt=<a@b>; t=5; mac=" MAC_OK, "duplicate tag"},
	    {BODY_RCPT "flags=a; flags=b; mac=" MAC_OK, "duplicate tag"},
	    {BODY_RCPT "folder=QQ; folder=QQ; mac=" MAC_OK, "duplicate tag"},
	    {"v=2; rcpt=<a@b>; t=5; mac=" MAC_OK, "unsupported version"},
	    {"v=01; rcpt=<a@b>; t=5; mac=" MAC_OK, "unsupported version"},
	    {"v=; rcpt=<a@b>; t=5; mac=" MAC_OK, "unsupported version"},
	    {"v=1 1; rcpt=<a@b>; t=5; mac=" MAC_OK, "unsupported version"},
	    {BODY_RCPT "x=1; mac=" MAC_OK, "unknown tag"},
	    {BODY_RCPT "MAC=" MAC_OK, "unknown tag"},
	    {BODY_RCPT "=" MAC_OK, "unknown tag"},
	    {BODY_RCPT "m ac=" MAC_OK, "unknown tag"},
	    {BODY_RCPT "mac=" MAC_OK ";", "empty tag"},
	    {BODY_RCPT ";mac=" MAC_OK, "empty tag"},
	    {BODY_RCPT "mac", "tag without '='"},
	    {"v=1; rcpt=a@b; t=5; mac=" MAC_OK, "rcpt is not <address>"},
	    {"v=1; rcpt=<a@b; t=5; mac=" MAC_OK, "rcpt is not <address>"},
	    {"v=1; rcpt=<; t=5; mac=" MAC_OK, "rcpt is not <address>"},
	    {"v=1; rcpt=<a@b> x; t=5; mac=" MAC_OK, "rcpt is not <address>"},
	    {"v=1; rcpt=<>; t=5; mac=" MAC_OK, "empty rcpt"},
	    {"v=1; rcpt=<<a@b>>; t=5; mac=" MAC_OK, "rcpt has a character that is not allowed"},
	    {"v=1; rcpt=<a\t@b>; t=5; mac=" MAC_OK, "rcpt has a character that is not allowed"},
	    {"v=1; rcpt=< a@b>; t=5; mac=" MAC_OK, "white space around the rcpt address"},
	    {"v=1; rcpt=<\xff@b>; t=5; mac=" MAC_OK, "rcpt is not UTF-8"},
	    {"v=1; rcpt=<a@b>; t=; mac=" MAC_OK, "t is not a decimal number of seconds"},
	    {"v=1; rcpt=<a@b>; t=05; mac=" MAC_OK, "t is not a decimal number of seconds"},
	    {"v=1; rcpt=<a@b>; t=+5; mac=" MAC_OK, "t is not a decimal number of seconds"},
	    {"v=1; rcpt=<a@b>; t=-5; mac=" MAC_OK, "t is not a decimal number of seconds"},
	    {"v=1; rcpt=<a@b>; t=5s; mac=" MAC_OK, "t is not a decimal number of seconds"},
	    {"v=1; rcpt=<a@b>; t=1 5; mac=" MAC_OK, "t is not a decimal number of seconds"},
	    {"v=1; rcpt=<a@b>; t=9223372036854775808; mac=" MAC_OK,
	     "t is not a decimal number of seconds"},
	    {"v=1; rcpt=<a@b>; t=18446744073709551617; mac=" MAC_OK,
	     "t is not a decimal number of seconds"},
	    {BODY_RCPT "folder=; mac=" MAC_OK, "empty folder"},
	    {BODY_RCPT "folder=QQ==; mac=" MAC_OK, "folder is not base64url"},
	    {BODY_RCPT "folder=a+b/; mac=" MAC_OK, "folder is not base64url"},
	    {BODY_RCPT "folder=QR; mac=" MAC_OK, "folder is not base64url"},    /* stray bits */
	    {BODY_RCPT "folder=QUJDR; mac=" MAC_OK, "folder is not base64url"}, /* 5 chars */
	    {BODY_RCPT "folder=QU JD; mac=" MAC_OK, "folder is not base64url"},
	    {BODY_RCPT "folder=__4; mac=" MAC_OK, "folder name is not UTF-8"},  /* ff fe */
	    {BODY_RCPT "folder=wIA; mac=" MAC_OK, "folder name is not UTF-8"},  /* c0 80 */
	    {BODY_RCPT "folder=7aCA; mac=" MAC_OK, "folder name is not UTF-8"}, /* surrogate */
	    {BODY_RCPT "folder=YQpi; mac=" MAC_OK, "folder name has a control character"},
	    {BODY_RCPT "folder=YQBi; mac=" MAC_OK, "folder name has a control character"},
	    {BODY_RCPT "folder=DQ; mac=" MAC_OK, "folder name has a control character"},
	    {BODY_RCPT "flags=; mac=" MAC_OK, "empty flags"},
	    {BODY_RCPT "flags=\\Seen <x>; mac=" MAC_OK,
	     "flags have a character that is not allowed"},
	    {BODY_RCPT "flags=\\Seen \xc3\xa4; mac=" MAC_OK,
	     "flags have a character that is not allowed"},
	    {BODY_RCPT "flags=\\Seen\x01; mac=" MAC_OK,
	     "flags have a character that is not allowed"},
	    {BODY_RCPT "mac=", "mac is not base64 of 32 bytes"},
	    {BODY_RCPT "mac=UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoYwvM",
	     "mac is not base64 of 32 bytes"},
	    {BODY_RCPT "mac=UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoYwvM==",
	     "mac is not base64 of 32 bytes"},
	    {BODY_RCPT "mac=UM1Wh4c1eC4D_Ivbyku6v7LdTNbGSFlTgSV2tUoYwvM=",
	     "mac is not base64 of 32 bytes"},
	    {BODY_RCPT "mac=UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoYwvN=",
	     "mac is not base64 of 32 bytes"}, /* stray bits */
	    {BODY_RCPT "mac=UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoY====",
	     "mac is not base64 of 32 bytes"},
	    {BODY_RCPT "mac=UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoYwv==",
	     "mac is not base64 of 32 bytes"},
	    {BODY_RCPT "mac=UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoYw=M=",
	     "mac is not base64 of 32 bytes"},
	    {BODY_RCPT "mac=" MAC_OK "\r\n", "line break outside folding"},
	    {BODY_RCPT "mac=" MAC_OK "\n", "line break outside folding"},
	    {BODY_RCPT "\rmac=" MAC_OK, "line break outside folding"},
	    {BODY_RCPT "\r mac=" MAC_OK, "line break outside folding"},
	    {"v=1; rcpt=<a\r\n@b>; t=5; mac=" MAC_OK, "line break outside folding"},
	    {BODY_RCPT "flags=\\Seen\n$x; mac=" MAC_OK, "line break outside folding"},
	    {BODY_RCPT "flags=\\Seen\r\n\r\n $x; mac=" MAC_OK, "line break outside folding"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_parse_error(state, cases[i].value, cases[i].error);
}

static void
test_parse_nul_and_huge(void **state)
{
	/* NUL anywhere: in rcpt, in flags, in a tag, at the end. */
	static const char in_rcpt[] = "v=1; rcpt=<a\0@b>; t=5; mac=" MAC_OK;
	static const char in_flags[] = BODY_RCPT "flags=\\Seen\0; mac=" MAC_OK;
	static const char at_end[] = BODY_RCPT "mac=" MAC_OK "\0";
	expect_parse_error_n(state, in_rcpt, sizeof(in_rcpt) - 1, "NUL byte in the hint");
	expect_parse_error_n(state, in_flags, sizeof(in_flags) - 1, "NUL byte in the hint");
	expect_parse_error_n(state, at_end, sizeof(at_end) - 1, "NUL byte in the hint");

	/* A huge value is refused before it is read. */
	size_t huge = 16u << 20;
	char *big = sift_malloc(huge);
	memset(big, ' ', huge);
	memcpy(big, BODY_RCPT "mac=" MAC_OK, strlen(BODY_RCPT "mac=" MAC_OK));
	expect_parse_error_n(state, big, huge, "hint too long");
	expect_parse_error_n(state, big, SIFT_HINT_VALUE_MAX + 1, "hint too long");
	/* At the maximum it is read (white space is allowed around tags). */
	struct sift_hint h;
	const char *e;
	assert_int_equal(sift_hint_parse(big, SIFT_HINT_VALUE_MAX, *state, &h, &e), 0);
	assert_string_equal(h.rcpt, "a@b");

	/* Items over SIFT_HINT_ITEM_MAX inside the field maximum. */
	struct sift_buf v;
	sift_buf_init(&v, 0);
	sift_buf_append_str(&v, "v=1; rcpt=<");
	for (int i = 0; i < SIFT_HINT_ITEM_MAX - 3; i++)
		sift_buf_append_c(&v, 'a');
	sift_buf_append_str(&v, "@bc>; t=5; mac=" MAC_OK);
	assert_int_equal(sift_hint_parse(v.data, v.len, *state, &h, &e), 0);
	assert_int_equal(h.rcpt_len, SIFT_HINT_ITEM_MAX);
	sift_buf_reset(&v);
	sift_buf_append_str(&v, "v=1; rcpt=<");
	for (int i = 0; i < SIFT_HINT_ITEM_MAX - 2; i++)
		sift_buf_append_c(&v, 'a');
	sift_buf_append_str(&v, "@bc>; t=5; mac=" MAC_OK);
	expect_parse_error_n(state, v.data, v.len, "rcpt too long");

	/* 684 base64url characters are 513 bytes. */
	sift_buf_reset(&v);
	sift_buf_append_str(&v, BODY_RCPT "folder=");
	for (int i = 0; i < 684; i++)
		sift_buf_append_c(&v, 'Q');
	sift_buf_append_str(&v, "; mac=" MAC_OK);
	expect_parse_error_n(state, v.data, v.len, "folder name too long");
	/* 683 'Q's end in stray bits; "QUFB"... decodes to 'A's. */
	sift_buf_reset(&v);
	sift_buf_append_str(&v, BODY_RCPT "folder=");
	for (int i = 0; i < 170; i++)
		sift_buf_append_str(&v, "QUFB");
	sift_buf_append_str(&v, "QUE; mac=" MAC_OK);
	assert_int_equal(sift_hint_parse(v.data, v.len, *state, &h, &e), 0);
	assert_int_equal(h.folder_len, SIFT_HINT_ITEM_MAX);

	sift_buf_reset(&v);
	sift_buf_append_str(&v, BODY_RCPT "flags=");
	for (int i = 0; i < SIFT_HINT_ITEM_MAX / 2; i++)
		sift_buf_append_str(&v, "x ");
	sift_buf_append_str(&v, "; mac=" MAC_OK);
	/* 256 flags of one byte: 511 bytes with single spaces. */
	assert_int_equal(sift_hint_parse(v.data, v.len, *state, &h, &e), 0);
	assert_int_equal(h.flags_len, SIFT_HINT_ITEM_MAX - 1);
	sift_buf_truncate(&v, v.len - strlen("; mac=" MAC_OK));
	sift_buf_append_str(&v, "yz; mac=" MAC_OK);
	expect_parse_error_n(state, v.data, v.len, "flags too long");
	sift_buf_free(&v);
	sift_free(big);
}

static void
test_parse_lenient_spacing(void **state)
{
	struct sift_hint h;
	const char *e;
	const char *v = "  mac = " MAC_OK " ;\tflags =  \\Seen \t\t $Label1 ; folder=QQ;"
	                " t\t=\t0 ;rcpt= <\"x y\"@b> ; v = 1  ";
	assert_int_equal(sift_hint_parse(v, strlen(v), *state, &h, &e), 0);
	const struct sift_hint want = {.rcpt = "\"x y\"@b",
	                               .rcpt_len = 7,
	                               .t = 0,
	                               .folder = "A",
	                               .folder_len = 1,
	                               .flags = "\\Seen $Label1",
	                               .flags_len = 13};
	expect_hint(&h, &want);

	/* A built hint, with its tags reordered and spaced out, still
	   verifies: the MAC is over the hint, not its spelling. */
	const char *moved = " mac=UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoYwvM=;\n"
	                    "\tflags = \\Seen   $Label1 ;folder = w5xudGVybGFnZW4vMjAyNg;"
	                    "t=1763700000;\r\n rcpt=<bob@example.org>;v=1";
	assert_int_equal(verify(state, moved, strlen(moved), MID, T0, DAY, &h, &e), 0);
	expect_hint(&h, &hint1);
}

static void
test_parse_null_value(void **state)
{
	expect_parse_error_n(state, NULL, 0, "empty tag");
	expect_parse_error_n(state, "v", 0, "empty tag");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_build_exact),
	    T(test_mac_independent),
	    T(test_round_trip),
	    T(test_folding),
	    T(test_bad_signature),
	    T(test_age),
	    cmocka_unit_test_setup_teardown(test_key_file, key_setup, key_teardown),
	    T(test_key_size_arguments),
	    T(test_build_refuses),
	    T(test_parse_malformed),
	    T(test_parse_nul_and_huge),
	    T(test_parse_lenient_spacing),
	    T(test_parse_null_value),
#undef T
	};
	return cmocka_run_group_tests_name("delivery-hint", tests, NULL, NULL);
}
