/* SPDX-License-Identifier: MIT */
#ifndef SIFT_DELIVERY_HINT_H
#define SIFT_DELIVERY_HINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buffer.h"

/* The SMTP → delivery hint (DESIGN.md, docs/mailsift-hint.7): the milter
   cannot file into a folder or set flags, so it writes one signed
   Mailsift-Hint header field per recipient that has such actions, and
   the Dovecot plugin carries them out.

       Mailsift-Hint: v=1; rcpt=<bob@example.org>; t=1763700000;
        folder=<base64url of the UTF-8 name>; flags=\Seen $Label1;
        mac=<base64 HMAC-SHA256>

   The MAC (HMAC-SHA256 with a key both sides read from a file of at
   least 32 bytes) covers v, rcpt, t, folder, flags and the message's
   Message-ID, so a hint cannot be forged, moved to another recipient or
   to another message. */

#define SIFT_HINT_FIELD   "Mailsift-Hint"
#define SIFT_HINT_KEY_MIN 32
#define SIFT_HINT_KEY_MAX 4096
/* Longest field body sift_hint_parse() reads (folding included). */
#define SIFT_HINT_VALUE_MAX 4096
/* Longest address, folder name (UTF-8) and flags list (canonical). */
#define SIFT_HINT_ITEM_MAX 512

struct sift_hint {
	const char *rcpt; /* the recipient, without <> */
	size_t rcpt_len;
	int64_t t; /* when the hint was written (Unix seconds) */
	/* The mailbox (UTF-8), or NULL when the hint sets flags only. */
	const char *folder;
	size_t folder_len;
	/* IMAP flags and keywords, space-separated, or NULL when none. */
	const char *flags;
	size_t flags_len;
};

/* Reads a key file: all its bytes are the key (at least
   SIFT_HINT_KEY_MIN, at most SIFT_HINT_KEY_MAX) of a regular file.  A
   key file with any permission for group or others (mode & 077) is
   refused.  Returns 0 with *key_r (sift_free) or -1 with
   *error_r (static or thread-local text). */
int sift_hint_key_load(const char *path, unsigned char **key_r, size_t *len_r,
                       const char **error_r);

/* Appends the field body (what follows "Mailsift-Hint:"), folded with
   CRLF and a space before folder=, flags= and mac= when the line would
   pass 78 columns (libmilter wants LF-only folds: drop the CRs before
   smfi_addheader).  message_id is the Message-ID field body as it will
   be delivered.  Returns 0 (out unchanged on -1), or -1 when the hint
   cannot be written: an address or flag with a control character, ';',
   '<' or '>' (a flag also with an 8-bit byte), an address or
   folder name that is empty, not UTF-8 or longer than SIFT_HINT_ITEM_MAX,
   a folder name with a control character, t < 0, an empty Message-ID, a
   key of the wrong size, or out's maximum. */
int sift_hint_build(const struct sift_hint *hint, const char *message_id, size_t message_id_len,
                    const unsigned char *key, size_t key_len, struct sift_buf *out);

/* Parses a field body (folded with CRLF or LF, or not) into *hint_r
   (strings in arena, NUL-terminated; the folder decoded; flags with
   single spaces).  Does not check the MAC.  Returns 0, or -1 with
   *error_r when it is not a well-formed version 1 hint (or is longer
   than SIFT_HINT_VALUE_MAX). */
int sift_hint_parse(const char *value, size_t len, struct sift_arena *arena,
                    struct sift_hint *hint_r, const char **error_r);

/* Parses and checks a field body: the MAC over the message's
   Message-ID, and the age (t not older than max_age seconds before now,
   not more than 5 minutes in the future; max_age 0: no age check).
   Returns 0 with *hint_r, or -1 with *hint_r zeroed and *error_r ("bad
   signature", "too old", "from the future", "no Message-ID", or a parse
   error). */
int sift_hint_verify(const char *value, size_t len, const char *message_id, size_t message_id_len,
                     const unsigned char *key, size_t key_len, int64_t now, uint64_t max_age,
                     struct sift_arena *arena, struct sift_hint *hint_r, const char **error_r);

#endif
