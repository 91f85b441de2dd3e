/* SPDX-License-Identifier: MIT */
/* Fuzz target for MIME parameters: each input is read as a Content-Type,
   a Content-Disposition and a bare parameter list.  Every byte of every
   returned string is read so that ASan catches a wrong length. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/rfc2045.h"
#include "mail/rfc2231.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned char sink;

static void
touch(const char *s, size_t len)
{
	unsigned char acc = 0;

	if (s == NULL)
		return;
	for (size_t i = 0; i <= len; i++)
		acc ^= (unsigned char)s[i];
	if (s[len] != '\0')
		__builtin_trap();
	sink ^= acc;
}

static void
touch_params(const struct sift_param *list)
{
	static const char *const names[] = {"charset", "boundary", "name", "filename", "title"};

	for (const struct sift_param *p = list; p != NULL; p = p->next) {
		touch(p->name, strlen(p->name));
		touch(p->value, p->value_len);
		if (p->charset != NULL)
			touch(p->charset, strlen(p->charset));
		if (p->language != NULL)
			touch(p->language, strlen(p->language));
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct sift_param *p = sift_param_find(list, names[i]);
		if (p != NULL)
			touch(p->value, p->value_len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_arena *arena = sift_arena_create(0);
	const char *in = (const char *)data;
	uint32_t defects = 0;
	struct sift_content_type ct;

	if (sift_rfc2045_content_type(arena, in, size, &ct, &defects) == 0) {
		touch(ct.type, strlen(ct.type));
		touch(ct.subtype, strlen(ct.subtype));
	} else if (ct.type != NULL || ct.subtype != NULL) {
		__builtin_trap();
	}
	touch_params(ct.params);

	const char *type;
	struct sift_param *params;
	if (sift_rfc2045_disposition(arena, in, size, &type, &params, &defects) == 0)
		touch(type, strlen(type));
	touch_params(params);

	touch_params(sift_rfc2231_parse(arena, in, size, &defects));
	sink ^= (unsigned char)sift_rfc2045_cte(in, size);
	sift_arena_destroy(&arena);
	return 0;
}
