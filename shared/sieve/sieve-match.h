/* SPDX-License-Identifier: MIT */
#ifndef SIFT_SIEVE_MATCH_H
#define SIFT_SIEVE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* Comparators (RFC 4790 as used by RFC 5228 2.7.3, RFC 4790 9.3 for
   i;ascii-numeric) and match types (RFC 5228 2.7.1, RFC 5231 relational,
   RFC 5229 match variables, draft-ietf-sieve-regex).  Keys are prepared
   once ("compiled") when a script is compiled: folded for their
   comparator, regexes compiled and JIT-compiled.  Matching is then
   allocation-free except for match variables. */

enum sift_cmp {
	SIFT_CMP_OCTET,
	SIFT_CMP_ASCII_CASEMAP, /* the default */
	SIFT_CMP_ASCII_NUMERIC,
};

enum sift_match_type {
	SIFT_MATCH_IS, /* the default */
	SIFT_MATCH_CONTAINS,
	SIFT_MATCH_MATCHES,
	SIFT_MATCH_REGEX,
	SIFT_MATCH_VALUE,
	SIFT_MATCH_COUNT,
};

enum sift_rel {
	SIFT_REL_GT,
	SIFT_REL_GE,
	SIFT_REL_LT,
	SIFT_REL_LE,
	SIFT_REL_EQ,
	SIFT_REL_NE,
};

/* Comparator by its registered name ("i;octet"); -1 when unknown. */
int sift_cmp_lookup(const char *name, size_t len);
const char *sift_cmp_name(enum sift_cmp cmp);
/* Whether the comparator can do substring matching (:contains,
   :matches, :regex).  i;ascii-numeric cannot (RFC 4790 9.3). */
bool sift_cmp_can_substring(enum sift_cmp cmp);
/* Relational operator by name ("gt", case-insensitive); -1 when unknown. */
int sift_rel_lookup(const char *name, size_t len);
const char *sift_rel_name(enum sift_rel rel);

/* Orders two values under a comparator: <0, 0, >0.  For i;ascii-numeric
   a value that does not start with a digit is positive infinity, equal
   to every other such value (RFC 4790 9.3). */
int sift_cmp_order(enum sift_cmp cmp, const char *a, size_t alen, const char *b, size_t blen);

struct sift_match_limits {
	uint32_t regex_match_limit; /* PCRE2 match limit; 0: PCRE2's default */
	uint32_t regex_depth_limit; /* PCRE2 depth limit; 0: PCRE2's default */
};

/* A prepared key.  Opaque beyond what is shown; allocated in the arena
   given to sift_match_key_prepare (the regex code is freed by
   sift_match_key_free). */
struct sift_match_key {
	const char *text; /* as written */
	size_t len;
	const char *folded; /* folded for the comparator (casemap: lower case) */
	size_t folded_len;
	void *regex; /* pcre2_code *, for SIFT_MATCH_REGEX */
};

/* Prepares one key.  For :regex, compiles it (PCRE2_UTF |
   PCRE2_MATCH_INVALID_UTF | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY, the last
   two for POSIX's `.` and `$`; PCRE2_CASELESS for i;ascii-casemap; JIT when
   available); a bad regex returns -1 and *error_r (arena memory) with
   PCRE2's message and offset. */
int sift_match_key_prepare(struct sift_arena *arena, enum sift_cmp cmp, enum sift_match_type type,
                           const char *key, size_t len, struct sift_match_key *out,
                           const char **error_r);
void sift_match_key_free(struct sift_match_key *key);

/* Match variables ${0}..${9} (RFC 5229 3.2 for :matches, the regex draft
   for :regex): ${0} is the whole matched value, then one per wildcard or
   group in order.  Filled only when `want` is set by the caller. */
#define SIFT_MATCH_VARS 10
struct sift_match_vars {
	bool want;
	unsigned int count; /* entries set, 0..10 */
	/* Copies, owned by the struct: freed by sift_match_vars_clear. */
	char *value[SIFT_MATCH_VARS];
	size_t len[SIFT_MATCH_VARS];
};
void sift_match_vars_clear(struct sift_match_vars *vars);

/* Per-run scratch space (PCRE2 match data and match context with the
   limits); one per thread or run, never shared. */
struct sift_match_scratch;
struct sift_match_scratch *sift_match_scratch_create(const struct sift_match_limits *limits);
void sift_match_scratch_destroy(struct sift_match_scratch **scratch);

enum sift_match_outcome {
	SIFT_MATCH_NO = 0,
	SIFT_MATCH_YES = 1,
	SIFT_MATCH_ERROR = -1, /* a regex hit its match or depth limit */
};

/* Matches one value against one prepared key with match type `type`
   (not SIFT_MATCH_COUNT, which the caller does by counting values and
   comparing the count with sift_cmp_order and the relation).  `rel` is
   used by SIFT_MATCH_VALUE only.  On a match and when vars->want is set,
   the match variables are replaced.  :matches wildcards match as few
   characters as possible, left to right, like Pigeonhole; `\*` and `\?`
   match a literal star and question mark.  `?` matches one byte under
   every comparator, as in Pigeonhole 0.5.  Only :matches and :regex set
   match variables.  *error_r on SIFT_MATCH_ERROR is static text. */
enum sift_match_outcome sift_match_value(struct sift_match_scratch *scratch, enum sift_cmp cmp,
                                         enum sift_match_type type, enum sift_rel rel,
                                         const struct sift_match_key *key, const char *value,
                                         size_t len, struct sift_match_vars *vars,
                                         const char **error_r);

#endif
