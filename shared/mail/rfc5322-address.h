/* SPDX-License-Identifier: MIT */
#ifndef SIFT_RFC5322_ADDRESS_H
#define SIFT_RFC5322_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* RFC 5322 address lists (3.4), with the obsolete syntax of 4.4: groups,
   comments, quoted local parts, route-addrs with source routes (dropped),
   obs-local-part, missing and doubled commas. */

struct sift_address {
	struct sift_address *next;
	/* Display name decoded to UTF-8 (RFC 2047), quotes and comments
	   removed, white space folded to single spaces; NULL if none. */
	const char *display_name;
	size_t display_name_len;
	/* Local part in unquoted form (quotes and quoted-pair backslashes
	   removed).  For an invalid entry: the raw text of the entry. */
	const char *local_part;
	size_t local_part_len;
	/* Domain as written (a domain-literal keeps its brackets), comments
	   and folding white space removed; NULL when there is no '@'. */
	const char *domain;
	size_t domain_len;
	/* Display name of the group this address belongs to, or NULL. */
	const char *group;
	/* The entry is not a valid mailbox; local_part holds its raw text. */
	bool invalid;
};

/* Parses an unfolded address-list field value (From, To, Cc, Reply-To,
   ...).  Returns the number of entries stored in *list_r (arena memory, in
   order), at most max; entries past max are not collected.  Empty entries
   and empty groups produce no entries.  Invalid entries are kept with
   invalid = true and set SIFT_DEFECT_BAD_ADDRESS in *defects; parsing goes
   on at the next ',' (outside quotes, comments and angle brackets). */
size_t sift_address_parse_list(struct sift_arena *arena, const char *in, size_t len, size_t max,
                               struct sift_address **list_r, uint32_t *defects);

/* The same with flags: SIFT_ADDRESS_RAW_NAMES leaves display and group
   names as written (RFC 2047 words not decoded, their defects not seen),
   for callers that only look at addresses (Sieve's address test). */
#define SIFT_ADDRESS_RAW_NAMES 1u
size_t sift_address_parse_list_flags(struct sift_arena *arena, const char *in, size_t len,
                                     size_t max, unsigned int flags, struct sift_address **list_r,
                                     uint32_t *defects);

/* The addr-spec "local@domain" (just the local part when there is no
   domain), with the local part quoted again if it needs to be
   (RFC 5322 3.4.1).  Arena memory, NUL-terminated. */
const char *sift_address_spec(struct sift_arena *arena, const struct sift_address *addr);

/* Splits a local part into user and detail at the first of the separator
   characters (RFC 5233; separators such as "+").  Without a separator the
   detail is NULL with length 0.  Pointers point into `local`. */
void sift_address_subaddress(const char *local, size_t len, const char *separators,
                             const char **user_r, size_t *user_len_r, const char **detail_r,
                             size_t *detail_len_r);

#endif
