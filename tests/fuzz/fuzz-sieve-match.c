/* SPDX-License-Identifier: MIT */
/* Fuzz target for sieve/sieve-match.c.  The first byte picks the
   relation and whether match variables are wanted, the second where the
   rest splits into key and value.  Every comparator and match type runs
   on the pair (regexes that do not compile are fine; the regex match
   limit is small so nothing hangs), and these must hold, else abort():
   :is agrees with sift_cmp_order and with :matches on the key with every
   byte escaped; :contains agrees with :matches on "*" + escaped key +
   "*"; :value agrees with sift_cmp_order; a :matches hit has ${0} equal
   to the value and, when the key has at most nine wildcards, putting the
   variables back into the key gives the value again; every variable is
   NUL-terminated and no longer than the value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sieve/sieve-match.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sift_match_scratch *scratch;

static void
check_vars(const struct sift_match_vars *vars, size_t vlen)
{
	if (vars->count > SIFT_MATCH_VARS)
		abort();
	for (unsigned int i = 0; i < SIFT_MATCH_VARS; i++) {
		if (i >= vars->count) {
			if (vars->value[i] != NULL)
				abort();
			continue;
		}
		if (vars->value[i] == NULL || vars->len[i] > vlen ||
		    vars->value[i][vars->len[i]] != '\0')
			abort();
	}
}

static enum sift_match_outcome
match(struct sift_arena *arena, enum sift_cmp cmp, enum sift_match_type type, enum sift_rel rel,
      const char *key, size_t klen, const char *val, size_t vlen, struct sift_match_vars *vars,
      bool *prepared)
{
	struct sift_match_key k;
	const char *err = NULL;
	*prepared = sift_match_key_prepare(arena, cmp, type, key, klen, &k, &err) == 0;
	if (!*prepared) {
		/* Only regexes and i;ascii-numeric substring matching fail. */
		if (err == NULL || (type != SIFT_MATCH_REGEX && sift_cmp_can_substring(cmp)))
			abort();
		return SIFT_MATCH_NO;
	}
	enum sift_match_outcome r =
	    sift_match_value(scratch, cmp, type, rel, &k, val, vlen, vars, &err);
	if (r == SIFT_MATCH_ERROR && (type != SIFT_MATCH_REGEX || err == NULL))
		abort();
	if (r != SIFT_MATCH_NO && r != SIFT_MATCH_YES && r != SIFT_MATCH_ERROR)
		abort();
	sift_match_key_free(&k);
	if (vars != NULL)
		check_vars(vars, vlen);
	return r;
}

/* Each key byte escaped with a backslash, optionally inside stars. */
static char *
escaped(const char *key, size_t klen, bool stars, size_t *len_r)
{
	char *e = sift_malloc(2 * klen + 3);
	size_t n = 0;
	if (stars)
		e[n++] = '*';
	for (size_t i = 0; i < klen; i++) {
		e[n++] = '\\';
		e[n++] = key[i];
	}
	if (stars)
		e[n++] = '*';
	*len_r = n;
	return e;
}

static bool
same(enum sift_cmp cmp, const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (cmp == SIFT_CMP_ASCII_CASEMAP ? sift_ascii_lower(a[i]) != sift_ascii_lower(b[i])
		                                  : a[i] != b[i])
			return false;
	}
	return true;
}

/* Puts the variables of a :matches hit back into the key: must give the
   value. */
static void
check_rebuild(enum sift_cmp cmp, const char *key, size_t klen, const char *val, size_t vlen,
              const struct sift_match_vars *vars)
{
	if (vars->count < 1 || vars->len[0] != vlen || memcmp(vars->value[0], val, vlen) != 0)
		abort();
	size_t pos = 0;
	unsigned int w = 1;
	for (size_t i = 0; i < klen; i++) {
		char c = key[i];
		if (c == '*' || c == '?') {
			if (w >= SIFT_MATCH_VARS)
				return; /* more wildcards than variables */
			size_t n = vars->len[w];
			if ((c == '?' && n != 1) || n > vlen - pos ||
			    memcmp(vars->value[w], val + pos, n) != 0)
				abort();
			pos += n;
			w++;
			continue;
		}
		if (c == '\\')
			c = i + 1 < klen ? key[++i] : '\\';
		if (pos >= vlen || !same(cmp, &c, val + pos, 1))
			abort();
		pos++;
	}
	if (pos != vlen || w != vars->count)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if (scratch == NULL) {
		/* Small limits: a catastrophic regex ends in an error, fast. */
		struct sift_match_limits lim = {.regex_match_limit = 20000,
		                                .regex_depth_limit = 2000};
		scratch = sift_match_scratch_create(&lim);
	}
	enum sift_rel rel = (enum sift_rel)(data[0] % 6);
	bool want = (data[0] & 0x80) != 0;
	size_t rest = size - 2;
	size_t klen = data[1] % (rest + 1);
	const char *key = (const char *)data + 2;
	const char *val = key + klen;
	size_t vlen = rest - klen;

	struct sift_arena *arena = sift_arena_create(0);
	struct sift_match_vars vars = {.want = want};
	static const enum sift_match_type types[] = {SIFT_MATCH_IS, SIFT_MATCH_CONTAINS,
	                                             SIFT_MATCH_MATCHES, SIFT_MATCH_REGEX,
	                                             SIFT_MATCH_VALUE};
	for (int cmp = 0; cmp < 3; cmp++) {
		enum sift_match_outcome r[5];
		bool ok[5];
		for (int t = 0; t < 5; t++)
			r[t] = match(arena, (enum sift_cmp)cmp, types[t], rel, key, klen, val, vlen,
			             &vars, &ok[t]);
		int order = sift_cmp_order((enum sift_cmp)cmp, val, vlen, key, klen);
		if (sift_cmp_order((enum sift_cmp)cmp, key, klen, val, vlen) != -order)
			abort();
		if ((r[0] == SIFT_MATCH_YES) != (order == 0))
			abort();
		bool holds = rel == SIFT_REL_GT   ? order > 0
		             : rel == SIFT_REL_GE ? order >= 0
		             : rel == SIFT_REL_LT ? order < 0
		             : rel == SIFT_REL_LE ? order <= 0
		             : rel == SIFT_REL_EQ ? order == 0
		                                  : order != 0;
		if ((r[4] == SIFT_MATCH_YES) != holds)
			abort();
		if (!sift_cmp_can_substring((enum sift_cmp)cmp)) {
			if (ok[1] || ok[2] || ok[3])
				abort();
			continue;
		}

		/* :matches with the variables, checked by rebuilding. */
		struct sift_match_vars mv = {.want = true};
		bool p;
		if (match(arena, (enum sift_cmp)cmp, SIFT_MATCH_MATCHES, rel, key, klen, val, vlen,
		          &mv, &p) == SIFT_MATCH_YES)
			check_rebuild((enum sift_cmp)cmp, key, klen, val, vlen, &mv);
		else if (mv.count != 0)
			abort();
		sift_match_vars_clear(&mv);

		/* :is and :contains through :matches. */
		size_t elen;
		char *e = escaped(key, klen, false, &elen);
		if (match(arena, (enum sift_cmp)cmp, SIFT_MATCH_MATCHES, rel, e, elen, val, vlen,
		          NULL, &p) != r[0])
			abort();
		sift_free(e);
		e = escaped(key, klen, true, &elen);
		if (match(arena, (enum sift_cmp)cmp, SIFT_MATCH_MATCHES, rel, e, elen, val, vlen,
		          NULL, &p) != r[1])
			abort();
		sift_free(e);
	}
	sift_match_vars_clear(&vars);
	sift_arena_destroy(&arena);
	return 0;
}
