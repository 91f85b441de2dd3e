/* SPDX-License-Identifier: MIT */
/* Fuzz target for the delivery hint.  Each input is read three ways:
   - as a Mailsift-Hint field body, parsed and verified with a fixed key
     and Message-ID; a body that parses must build again, and what is
     built must parse to the same hint and verify;
   - as the Message-ID of a message whose (fixed) hint is verified;
   - split at \x01 bytes into rcpt, folder and flags for building; what
     builds must parse back to the same hint and verify.
   Every byte of every returned string is read so that ASan catches a
   wrong length. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/delivery-hint.h"
#include "util/arena.h"
#include "util/buffer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[] = "0123456789abcdef0123456789abcdef";
#define KEY_LEN 32
#define MID     "<20261122.1234@mx.example.org>"

static volatile unsigned char sink;

static void
touch(const char *s, size_t len)
{
	unsigned char acc = 0;

	if (s == NULL) {
		if (len != 0)
			__builtin_trap();
		return;
	}
	for (size_t i = 0; i <= len; i++)
		acc ^= (unsigned char)s[i];
	if (s[len] != '\0')
		__builtin_trap();
	sink ^= acc;
}

static bool
same_str(const char *a, size_t alen, const char *b, size_t blen)
{
	if ((a == NULL) != (b == NULL) || alen != blen)
		return false;
	return a == NULL || memcmp(a, b, alen) == 0;
}

static bool
same_hint(const struct sift_hint *a, const struct sift_hint *b)
{
	return a->t == b->t && same_str(a->rcpt, a->rcpt_len, b->rcpt, b->rcpt_len) &&
	       same_str(a->folder, a->folder_len, b->folder, b->folder_len) &&
	       same_str(a->flags, a->flags_len, b->flags, b->flags_len);
}

/* hint was accepted by build: the field built from it must come back. */
static void
round_trip(struct sift_arena *arena, const struct sift_hint *want, const char *value, size_t len,
           const char *mid, size_t mid_len)
{
	struct sift_hint got;
	const char *error;

	if (len > SIFT_HINT_VALUE_MAX)
		__builtin_trap();
	if (sift_hint_parse(value, len, arena, &got, &error) < 0 || !same_hint(want, &got))
		__builtin_trap();
	if (sift_hint_verify(value, len, mid, mid_len, key, KEY_LEN, want->t, 1, arena, &got,
	                     &error) < 0 ||
	    !same_hint(want, &got))
		__builtin_trap();
}

static void
as_field(struct sift_arena *arena, const char *in, size_t size)
{
	struct sift_hint hint, verified;
	const char *error = NULL;
	struct sift_buf out;

	int parsed = sift_hint_parse(in, size, arena, &hint, &error);
	int ok = sift_hint_verify(in, size, MID, strlen(MID), key, KEY_LEN, 1763700000, 0, arena,
	                          &verified, &error);
	if (ok == 0 && (parsed < 0 || !same_hint(&hint, &verified)))
		__builtin_trap();
	if (ok < 0 && (error == NULL || verified.rcpt != NULL || verified.folder != NULL))
		__builtin_trap();
	if (parsed < 0) {
		if (error == NULL || hint.rcpt != NULL)
			__builtin_trap();
		return;
	}
	touch(hint.rcpt, hint.rcpt_len);
	touch(hint.folder, hint.folder_len);
	touch(hint.flags, hint.flags_len);

	sift_buf_init(&out, SIFT_HINT_VALUE_MAX);
	if (sift_hint_build(&hint, MID, strlen(MID), key, KEY_LEN, &out) < 0)
		__builtin_trap();
	round_trip(arena, &hint, out.data, out.len, MID, strlen(MID));
	sift_buf_free(&out);
}

static void
as_message_id(struct sift_arena *arena, const char *in, size_t size)
{
	static const struct sift_hint fixed = {
	    .rcpt = "bob@example.org", .rcpt_len = 15, .t = 5, .flags = "\\Seen", .flags_len = 5};
	struct sift_buf out;

	sift_buf_init(&out, 0);
	if (sift_hint_build(&fixed, in, size, key, KEY_LEN, &out) == 0)
		round_trip(arena, &fixed, out.data, out.len, in, size);
	sift_buf_free(&out);
}

static void
as_items(struct sift_arena *arena, const char *in, size_t size)
{
	const char *item[3] = {NULL, NULL, NULL};
	size_t item_len[3] = {0, 0, 0};
	struct sift_hint hint = {.t = (int64_t)size * 1000003};
	struct sift_buf out;
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= size && n < 3; i++) {
		if (i == size || in[i] == '\x01') {
			item[n] = in + start;
			item_len[n++] = i - start;
			start = i + 1;
		}
	}
	hint.rcpt = item[0];
	hint.rcpt_len = item_len[0];
	hint.folder = item[1];
	hint.folder_len = item_len[1];
	hint.flags = item[2];
	hint.flags_len = item_len[2];

	sift_buf_init(&out, 0);
	if (sift_hint_build(&hint, MID, strlen(MID), key, KEY_LEN, &out) == 0) {
		struct sift_hint got;
		const char *error;
		if (sift_hint_parse(out.data, out.len, arena, &got, &error) < 0)
			__builtin_trap();
		/* Flags come back with single spaces (none when there were
		   only spaces); everything else as given. */
		char flags[SIFT_HINT_ITEM_MAX + 1];
		size_t flags_len = 0;
		for (size_t i = 0; i < hint.flags_len; i++) {
			char c = hint.flags[i];
			if (c == ' ' || c == '\t')
				continue;
			if (flags_len > 0 &&
			    (hint.flags[i - 1] == ' ' || hint.flags[i - 1] == '\t'))
				flags[flags_len++] = ' ';
			if (flags_len >= sizeof(flags))
				__builtin_trap();
			flags[flags_len++] = c;
		}
		if (!same_str(got.flags, got.flags_len, flags_len == 0 ? NULL : flags, flags_len))
			__builtin_trap();
		hint.flags = got.flags;
		hint.flags_len = got.flags_len;
		round_trip(arena, &hint, out.data, out.len, MID, strlen(MID));
	}
	sift_buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_arena *arena = sift_arena_create(0);
	const char *in = (const char *)data;

	as_field(arena, in, size);
	as_message_id(arena, in, size);
	as_items(arena, in, size);
	sift_arena_destroy(&arena);
	return 0;
}
