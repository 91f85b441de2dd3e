/* SPDX-License-Identifier: MIT */
/* body (RFC 5173): :raw, :content and :text transforms over the body
   pieces sieve-extract.c produces; at most body_scan bytes per piece,
   extracted once per run and transform. */

#include <string.h>

#include "util/alloc.h"
#include "util/buffer.h"

#include "sieve/ext.h"
#include "sieve/sieve-extract.h"

static int
validate_body(struct sift_vctx *vctx, struct sift_node *node)
{
	return sift_validate_match(vctx, node, node->pos[0]);
}

/* The pieces of one transform and type list, extracted once per run:
   a script with many body rules decodes the body once. */
struct body_piece {
	const char *data;
	size_t len;
};
struct sift_body_cache {
	struct sift_body_cache *next;
	enum sift_sieve_body_transform transform;
	const char *key; /* the content types, NUL-separated */
	size_t key_len;
	struct body_piece *pieces;
	size_t count;
	size_t alloc;
	struct sift_arena *arena;
};

/* Takes each piece as the extractor made it (no copy); the pieces are
   freed with the run (sift_body_cache_release). */
static bool
collect_piece(void *context, char *data, size_t len)
{
	struct sift_body_cache *c = context;
	if (c->count == c->alloc) {
		size_t n = c->alloc == 0 ? 8 : c->alloc * 2;
		struct body_piece *p = sift_arena_alloc(c->arena, n * sizeof(*p));
		if (c->count > 0)
			memcpy(p, c->pieces, c->count * sizeof(*p));
		c->pieces = p;
		c->alloc = n;
	}
	c->pieces[c->count].data = data;
	c->pieces[c->count].len = len;
	c->count++;
	return true;
}

static struct sift_body_cache *
body_pieces(struct sift_run *run, enum sift_sieve_body_transform t, const char *const *types,
            size_t ntypes, const char **error_r)
{
	/* :text is :content "text" (RFC 5173 5.3): one cache entry for both. */
	static const char *const text_types[] = {"text"};
	if (t == SIFT_SIEVE_BODY_TEXT) {
		t = SIFT_SIEVE_BODY_CONTENT;
		types = text_types;
		ntypes = 1;
	}
	struct sift_buf key;
	sift_buf_init(&key, 0);
	for (size_t i = 0; t == SIFT_SIEVE_BODY_CONTENT && i < ntypes; i++)
		sift_buf_append(&key, types[i], strlen(types[i]) + 1);
	for (struct sift_body_cache *c = run->body_cache; c != NULL; c = c->next) {
		if (c->transform == t && c->key_len == key.len &&
		    (key.len == 0 || memcmp(c->key, key.data, key.len) == 0)) {
			sift_buf_free(&key);
			return c;
		}
	}
	struct sift_body_cache *c = sift_arena_zalloc(run->scratch, sizeof(*c));
	c->transform = t;
	c->arena = run->scratch;
	c->key = key.len > 0 ? sift_arena_memdup0(run->scratch, key.data, key.len) : "";
	c->key_len = key.len;
	sift_buf_free(&key);
	/* Linked before extraction, so pieces taken before an error are
	   freed with the run too. */
	c->next = run->body_cache;
	run->body_cache = c;
	if (sift_sieve_body_extract_take(run->msg, t, types, ntypes,
	                                 sift_limit(run->limits, SIFT_LIMIT_BODY_SCAN),
	                                 collect_piece, c, error_r) < 0) {
		run->body_cache = c->next;
		sift_body_cache_release(c);
		return NULL;
	}
	return c;
}

void
sift_body_cache_release(struct sift_body_cache *cache)
{
	for (struct sift_body_cache *c = cache; c != NULL; c = c->next) {
		for (size_t i = 0; i < c->count; i++)
			sift_free_ptr((char *)c->pieces[i].data);
		c->count = 0;
	}
}

static int
exec_body(struct sift_run *run, const struct sift_node *node)
{
	if (sift_run_check_cpu(run, node, true) < 0)
		return -1;
	struct sift_matcher m;
	sift_matcher_init(&m, run, node);
	enum sift_sieve_body_transform t = SIFT_SIEVE_BODY_TEXT;
	const char *text_type = "text";
	const char *const *types = &text_type;
	size_t ntypes = 1;
	if (node->tags & SIFT_T(RAW)) {
		t = SIFT_SIEVE_BODY_RAW;
	} else if (node->tags & SIFT_T(CONTENT)) {
		t = SIFT_SIEVE_BODY_CONTENT;
		const struct sift_slist *l = node->tag_list[SIFT_TAG_CONTENT];
		const char **arr = sift_arena_alloc(run->scratch, l->count * sizeof(*arr));
		for (size_t i = 0; i < l->count; i++)
			arr[i] = l->items[i].data;
		types = arr;
		ntypes = l->count;
	}
	const char *error = NULL;
	struct sift_body_cache *c = body_pieces(run, t, types, ntypes, &error);
	if (c == NULL)
		return sift_run_error(run, NULL, node->line, "cannot read the message body: %s",
		                      error != NULL ? error : "?");
	for (size_t i = 0; i < c->count; i++) {
		if (sift_matcher_value(&m, c->pieces[i].data, c->pieces[i].len))
			break;
	}
	return sift_matcher_finish(&m);
}

const struct sift_cmd_def sift_test_body = {"body",
                                            SIFT_CMD_TEST,
                                            SIFT_EXT_BODY,
                                            SIFT_TAGS_MATCH | SIFT_T(RAW) | SIFT_T(CONTENT) |
                                                SIFT_T(TEXT),
                                            "l",
                                            0,
                                            0,
                                            validate_body,
                                            exec_body};
