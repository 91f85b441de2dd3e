/* SPDX-License-Identifier: MIT */
/* Fuzz target for mail/rfc5322-address.c and mail/rfc5322-date.c: the input
   is parsed as an address list (at most 1000 entries), every entry goes
   through sift_address_spec() and sift_address_subaddress(), and the same
   bytes are parsed as a Date.  One arena per input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/rfc5322-address.h"
#include "mail/rfc5322-date.h"
#include "util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_address *list;
	uint32_t defects = 0;
	const char *in = (const char *)data;
	size_t n = sift_address_parse_list(arena, in, size, 1000, &list, &defects);
	size_t seen = 0;

	for (const struct sift_address *a = list; a != NULL; a = a->next, seen++) {
		const char *spec = sift_address_spec(arena, a);
		const char *user, *detail;
		size_t user_len, detail_len;

		/* The spec holds at least the local part (quoting only adds). */
		if (strlen(spec) > a->local_part_len + a->domain_len + 3 + 2 * a->local_part_len)
			__builtin_trap();
		sift_address_subaddress(a->local_part, a->local_part_len, "+-", &user, &user_len,
		                        &detail, &detail_len);
		if (user_len > a->local_part_len ||
		    (detail != NULL && detail + detail_len != a->local_part + a->local_part_len))
			__builtin_trap();
		if (a->display_name != NULL && a->display_name[a->display_name_len] != '\0')
			__builtin_trap();
	}
	if (seen != n || n > 1000)
		__builtin_trap();

	struct sift_date date;
	if (sift_date_parse(in, size, &date) == 0) {
		char zone[6];
		sift_date_zone_format(&date, zone);
		/* 1900-01-01 minus a day to 9999-12-31 plus a day. */
		if (date.timestamp < -2208988800LL - 2 * 86400 ||
		    date.timestamp > 253402300799LL + 2 * 86400)
			__builtin_trap();
	}
	sift_arena_destroy(&arena);
	return 0;
}
