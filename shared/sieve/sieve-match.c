/* SPDX-License-Identifier: MIT */
/* Comparators and match types (see sieve-match.h).  This is the engine's
   hot path: matching allocates nothing but the copies made for match
   variables and a case-folding buffer in the scratch struct, which grows
   to the longest value seen and is then reused.

   :matches goes section by section: the key is cut at its unescaped
   stars; the first section must match at the start of the value, the
   last at its end, and each one in between is taken at its leftmost
   place after the previous one.  Leftmost placement is always a valid
   choice when any placement is (a later one only leaves less room), so
   there is no backtracking: one pass over the value per section (memmem,
   or Shift-And for a section with '?' of up to 64 bytes; longer ones cost
   value * section).  It also gives each star the fewest characters, left
   to right: the match variables RFC 5229 3.2 asks for and Pigeonhole
   gives.  `?` is one byte under both comparators (RFC 5228 2.7.1, and
   Pigeonhole).  A lone backslash at the end of a key (Pigeonhole asserts
   on it) matches a backslash.

   Bad input: any bytes, NULs included, are data.  A regex that hits its
   match, depth, heap or JIT-stack limit gives SIFT_MATCH_ERROR. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sieve-match.h"

#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buffer.h"
#include "util/str.h"

/* Values up to this size are kept with their folded copy, to be reused
   when the next key or rule tests the same value. */
#define FOLD_CACHE_MAX (64 * 1024)

/* JIT stack: PCRE2's own default is 32 KiB of machine stack, which deep
   but harmless patterns exhaust; past this they get an error. */
#define JIT_STACK_START (32 * 1024)
#define JIT_STACK_MAX   (1024 * 1024)

struct sift_match_scratch {
	pcre2_match_context *mctx;
	pcre2_match_data *mdata;
	pcre2_jit_stack *jit_stack;
	/* The value folded to lower case, for casemap substring search, and
	   the value it was folded from (address and bytes) for reuse. */
	struct sift_buf fold;
	struct sift_buf fold_raw;
	const char *fold_src;
	size_t fold_len;
};

static const char *const cmp_names[] = {
    [SIFT_CMP_OCTET] = "i;octet",
    [SIFT_CMP_ASCII_CASEMAP] = "i;ascii-casemap",
    [SIFT_CMP_ASCII_NUMERIC] = "i;ascii-numeric",
};

static const char *const rel_names[] = {
    [SIFT_REL_GT] = "gt", [SIFT_REL_GE] = "ge", [SIFT_REL_LT] = "lt",
    [SIFT_REL_LE] = "le", [SIFT_REL_EQ] = "eq", [SIFT_REL_NE] = "ne",
};

/* ---- names --------------------------------------------------------------- */

int
sift_cmp_lookup(const char *name, size_t len)
{
	/* Pigeonhole accepts "I;OCTET": collation names compare
	   case-insensitively (RFC 4790 3.1). */
	for (size_t i = 0; i < sizeof(cmp_names) / sizeof(cmp_names[0]); i++) {
		if (sift_mem_eq_ci(name, len, cmp_names[i]))
			return (int)i;
	}
	return -1;
}

const char *
sift_cmp_name(enum sift_cmp cmp)
{
	if ((unsigned int)cmp >= sizeof(cmp_names) / sizeof(cmp_names[0]))
		return "unknown";
	return cmp_names[cmp];
}

bool
sift_cmp_can_substring(enum sift_cmp cmp)
{
	return cmp == SIFT_CMP_OCTET || cmp == SIFT_CMP_ASCII_CASEMAP;
}

int
sift_rel_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(rel_names) / sizeof(rel_names[0]); i++) {
		if (sift_mem_eq_ci(name, len, rel_names[i]))
			return (int)i;
	}
	return -1;
}

const char *
sift_rel_name(enum sift_rel rel)
{
	if ((unsigned int)rel >= sizeof(rel_names) / sizeof(rel_names[0]))
		return "unknown";
	return rel_names[rel];
}

/* ---- ordering ------------------------------------------------------------ */

static inline unsigned char
fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
order_bytes(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen, bool casemap)
{
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = casemap ? fold(a[i]) : a[i];
		unsigned char y = casemap ? fold(b[i]) : b[i];
		if (x != y)
			return x < y ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* RFC 4790 9.3: the number is the run of leading digits, compared by
   value; comparing the digit strings without their leading zeros, by
   length and then bytewise, needs no arithmetic and so cannot overflow. */
static int
order_numeric(const char *a, size_t alen, const char *b, size_t blen)
{
	bool a_inf = alen == 0 || !is_digit(a[0]);
	bool b_inf = blen == 0 || !is_digit(b[0]);
	if (a_inf || b_inf)
		return (int)a_inf - (int)b_inf;

	size_t an = 0, bn = 0;
	while (an < alen && is_digit(a[an]))
		an++;
	while (bn < blen && is_digit(b[bn]))
		bn++;
	while (an > 0 && *a == '0') {
		a++;
		an--;
	}
	while (bn > 0 && *b == '0') {
		b++;
		bn--;
	}
	if (an != bn)
		return an < bn ? -1 : 1;
	int r = an == 0 ? 0 : memcmp(a, b, an);
	return r < 0 ? -1 : r > 0 ? 1 : 0;
}

int
sift_cmp_order(enum sift_cmp cmp, const char *a, size_t alen, const char *b, size_t blen)
{
	switch (cmp) {
	case SIFT_CMP_OCTET:
		return order_bytes((const unsigned char *)a, alen, (const unsigned char *)b, blen,
		                   false);
	case SIFT_CMP_ASCII_CASEMAP:
		return order_bytes((const unsigned char *)a, alen, (const unsigned char *)b, blen,
		                   true);
	case SIFT_CMP_ASCII_NUMERIC:
		return order_numeric(a, alen, b, blen);
	}
	return 0;
}

static bool
rel_holds(enum sift_rel rel, int order)
{
	switch (rel) {
	case SIFT_REL_GT:
		return order > 0;
	case SIFT_REL_GE:
		return order >= 0;
	case SIFT_REL_LT:
		return order < 0;
	case SIFT_REL_LE:
		return order <= 0;
	case SIFT_REL_EQ:
		return order == 0;
	case SIFT_REL_NE:
		return order != 0;
	}
	return false;
}

/* ---- keys ---------------------------------------------------------------- */

static int
compile_regex(struct sift_arena *arena, enum sift_cmp cmp, struct sift_match_key *out,
              const char **error_r)
{
	/* DOTALL and DOLLAR_ENDONLY give `.` and `$` their POSIX meaning
	   (regcomp without REG_NEWLINE), which is what Pigeonhole uses. */
	uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOTALL |
	                   PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C;
	if (cmp == SIFT_CMP_ASCII_CASEMAP)
		options |= PCRE2_CASELESS;

	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code =
	    pcre2_compile((PCRE2_SPTR)out->text, out->len, options, &errcode, &erroff, NULL);
	if (code == NULL) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
			strcpy((char *)msg, "unknown error");
		char buf[320];
		snprintf(buf, sizeof(buf), "invalid regular expression: %s at offset %zu",
		         (const char *)msg, (size_t)erroff);
		*error_r = sift_arena_strdup(arena, buf);
		return -1;
	}
	/* Without JIT support (or memory for it) the interpreter runs. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	out->regex = code;
	return 0;
}

int
sift_match_key_prepare(struct sift_arena *arena, enum sift_cmp cmp, enum sift_match_type type,
                       const char *key, size_t len, struct sift_match_key *out,
                       const char **error_r)
{
	memset(out, 0, sizeof(*out));
	if (!sift_cmp_can_substring(cmp) &&
	    (type == SIFT_MATCH_CONTAINS || type == SIFT_MATCH_MATCHES ||
	     type == SIFT_MATCH_REGEX)) {
		*error_r = type == SIFT_MATCH_REGEX
		               ? "comparator i;ascii-numeric cannot be used with :regex"
		           : type == SIFT_MATCH_MATCHES
		               ? "comparator i;ascii-numeric cannot be used with :matches"
		               : "comparator i;ascii-numeric cannot be used with :contains";
		return -1;
	}
	char *text = sift_arena_memdup0(arena, key, len);
	out->text = text;
	out->len = len;
	out->folded = text;
	out->folded_len = len;
	if (cmp == SIFT_CMP_ASCII_CASEMAP && type != SIFT_MATCH_REGEX) {
		char *f = sift_arena_memdup0(arena, key, len);
		sift_mem_lower(f, len);
		out->folded = f;
	}
	if (type == SIFT_MATCH_REGEX)
		return compile_regex(arena, cmp, out, error_r);
	return 0;
}

void
sift_match_key_free(struct sift_match_key *key)
{
	if (key->regex != NULL) {
		pcre2_code_free(key->regex);
		key->regex = NULL;
	}
}

/* ---- match variables ----------------------------------------------------- */

void
sift_match_vars_clear(struct sift_match_vars *vars)
{
	for (unsigned int i = 0; i < SIFT_MATCH_VARS; i++) {
		sift_free(vars->value[i]);
		vars->len[i] = 0;
	}
	vars->count = 0;
}

/* Reuses the entry's memory: a loop over many messages refills the same
   variables again and again. */
static void
var_set(struct sift_match_vars *vars, unsigned int i, const char *data, size_t len)
{
	vars->value[i] = sift_realloc(vars->value[i], len + 1);
	if (len > 0)
		memcpy(vars->value[i], data, len);
	vars->value[i][len] = '\0';
	vars->len[i] = len;
}

static void
vars_set_count(struct sift_match_vars *vars, unsigned int count)
{
	for (unsigned int i = count; i < SIFT_MATCH_VARS; i++) {
		sift_free(vars->value[i]);
		vars->len[i] = 0;
	}
	vars->count = count;
}

/* ---- scratch ------------------------------------------------------------- */

struct sift_match_scratch *
sift_match_scratch_create(const struct sift_match_limits *limits)
{
	struct sift_match_scratch *s = sift_calloc(1, sizeof(*s));
	s->mctx = pcre2_match_context_create(NULL);
	/* ${0}..${9}: more pairs are never looked at. */
	s->mdata = pcre2_match_data_create(SIFT_MATCH_VARS, NULL);
	/* Without these (PCRE2 out of memory) :regex reports an error. */
	if (s->mctx != NULL && limits != NULL && limits->regex_match_limit != 0)
		pcre2_set_match_limit(s->mctx, limits->regex_match_limit);
	if (s->mctx != NULL && limits != NULL && limits->regex_depth_limit != 0)
		pcre2_set_depth_limit(s->mctx, limits->regex_depth_limit);
	s->jit_stack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
	if (s->mctx != NULL && s->jit_stack != NULL)
		pcre2_jit_stack_assign(s->mctx, NULL, s->jit_stack);
	sift_buf_init(&s->fold, 0);
	sift_buf_init(&s->fold_raw, 0);
	return s;
}

void
sift_match_scratch_destroy(struct sift_match_scratch **scratch)
{
	struct sift_match_scratch *s = *scratch;
	if (s == NULL)
		return;
	pcre2_match_data_free(s->mdata);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jit_stack);
	sift_buf_free(&s->fold);
	sift_buf_free(&s->fold_raw);
	sift_free(*scratch);
}

/* ---- :contains ----------------------------------------------------------- */

/* Case-insensitive search without a folded copy (no scratch given). */
static bool
contains_fold_slow(const unsigned char *v, size_t vlen, const unsigned char *k, size_t klen)
{
	if (klen == 0)
		return true;
	for (size_t p = 0; p + klen <= vlen; p++) {
		size_t i = 0;
		while (i < klen && fold(v[p + i]) == k[i])
			i++;
		if (i == klen)
			return true;
	}
	return false;
}

/* The value in lower case: in the scratch buffer, or NULL when there is
   no scratch to hold it. */
static const char *
fold_value(struct sift_match_scratch *scratch, const char *value, size_t len)
{
	if (scratch == NULL)
		return NULL;
	/* Many keys and rules test the same value (a header, a body piece):
	   when it is the one folded last, the copy is reused.  Comparing the
	   bytes is much cheaper than folding them again, and a buffer reused
	   with other content at the same address is still caught. */
	if (scratch->fold_src == value && scratch->fold_len == len &&
	    scratch->fold_raw.len == len && memcmp(scratch->fold_raw.data, value, len) == 0)
		return scratch->fold.data;
	sift_buf_reset(&scratch->fold);
	sift_buf_reset(&scratch->fold_raw);
	/* A large value (a body piece) is not kept a second time to be
	   recognised later: folding it again is cheaper than the memory. */
	if (len > FOLD_CACHE_MAX) {
		scratch->fold_src = NULL;
		if (sift_buf_append(&scratch->fold, value, len) < 0)
			return NULL;
		sift_mem_lower_copy(scratch->fold.data, value, len);
		return scratch->fold.data;
	}
	if (sift_buf_append(&scratch->fold_raw, value, len) < 0 ||
	    sift_buf_append(&scratch->fold, value, len) < 0) {
		scratch->fold_src = NULL;
		return NULL;
	}
	sift_mem_lower_copy(scratch->fold.data, value, len);
	scratch->fold_src = value;
	scratch->fold_len = len;
	return scratch->fold.data;
}

static bool
match_contains(struct sift_match_scratch *scratch, enum sift_cmp cmp,
               const struct sift_match_key *key, const char *value, size_t len)
{
	if (key->folded_len == 0)
		return true;
	const char *hay = value;
	if (cmp == SIFT_CMP_ASCII_CASEMAP) {
		hay = fold_value(scratch, value, len);
		if (hay == NULL)
			return contains_fold_slow((const unsigned char *)value, len,
			                          (const unsigned char *)key->folded,
			                          key->folded_len);
	}
	return memmem(hay, len, key->folded, key->folded_len) != NULL;
}

/* ---- :matches ------------------------------------------------------------ */

/* A section of a :matches key: the text between two unescaped stars, as
   written (escapes still in), and the number of value bytes it takes. */
struct section {
	const unsigned char *s;
	size_t slen;
	size_t n;       /* bytes of value matched */
	bool plain;     /* no '?' and no '\\': the bytes are the text */
	bool first_lit; /* starts with a literal byte, first_byte */
	unsigned char first_byte;
};

/* Cuts the next section off key[*pos..klen), leaving *pos past the star
   that ends it (or at klen). */
static void
next_section(const unsigned char *key, size_t klen, size_t *pos, struct section *sec)
{
	size_t i = *pos;
	sec->s = key + i;
	sec->n = 0;
	sec->plain = true;
	sec->first_lit = false;
	while (i < klen && key[i] != '*') {
		unsigned char c = key[i];
		if (c == '?') {
			sec->plain = false;
			i++;
		} else if (c == '\\') {
			sec->plain = false;
			c = i + 1 < klen ? key[i + 1] : '\\';
			i += i + 1 < klen ? 2 : 1;
			if (sec->n == 0) {
				sec->first_lit = true;
				sec->first_byte = c;
			}
		} else {
			if (sec->n == 0) {
				sec->first_lit = true;
				sec->first_byte = c;
			}
			i++;
		}
		sec->n++;
	}
	sec->slen = (size_t)(key + i - sec->s);
	*pos = i < klen ? i + 1 : i;
}

/* Whether the section matches hay at p (the caller checked the room). */
static bool
section_at(const struct section *sec, const unsigned char *hay, size_t p, bool fold_hay)
{
	const unsigned char *k = sec->s;
	size_t i = 0;
	for (size_t j = 0; j < sec->n; j++) {
		unsigned char c = k[i];
		unsigned char h = fold_hay ? fold(hay[p + j]) : hay[p + j];
		if (c == '?') {
			i++;
			continue;
		}
		if (c == '\\') {
			c = i + 1 < sec->slen ? k[i + 1] : '\\';
			i += i + 1 < sec->slen ? 2 : 1;
		} else {
			i++;
		}
		if (c != h)
			return false;
	}
	return true;
}

/* Shift-And (Baeza-Yates and Gonnet): one pass over the value whatever
   the '?'s, for sections of up to 64 bytes.  Bit j of the state is set
   when the last j + 1 value bytes match the first j + 1 of the section. */
static size_t
section_find_bits(const struct section *sec, const unsigned char *hay, size_t from, size_t end,
                  bool fold_hay)
{
	uint64_t mask[256];
	uint64_t any = 0;
	memset(mask, 0, sizeof(mask));
	size_t i = 0;
	for (size_t j = 0; j < sec->n; j++) {
		unsigned char c = sec->s[i];
		uint64_t bit = (uint64_t)1 << j;
		if (c == '?') {
			any |= bit;
			i++;
			continue;
		}
		if (c == '\\') {
			c = i + 1 < sec->slen ? sec->s[i + 1] : '\\';
			i += i + 1 < sec->slen ? 2 : 1;
		} else {
			i++;
		}
		mask[c] |= bit;
		/* The key is folded; an unfolded value's capitals match too. */
		if (fold_hay && c >= 'a' && c <= 'z')
			mask[c - ('a' - 'A')] |= bit;
	}
	if (any != 0) {
		for (int b = 0; b < 256; b++)
			mask[b] |= any;
	}
	uint64_t state = 0, hit = (uint64_t)1 << (sec->n - 1);
	for (size_t p = from; p < end; p++) {
		state = ((state << 1) | 1) & mask[hay[p]];
		if (state & hit)
			return p + 1 - sec->n;
	}
	return SIZE_MAX;
}

/* Leftmost p in [from, end - n] where the section matches; SIZE_MAX if none. */
static size_t
section_find(const struct section *sec, const unsigned char *hay, size_t from, size_t end,
             bool fold_hay)
{
	if (from > end || end - from < sec->n)
		return SIZE_MAX;
	if (sec->n == 0)
		return from;
	if (sec->plain && !fold_hay) {
		const unsigned char *m = memmem(hay + from, end - from, sec->s, sec->n);
		return m == NULL ? SIZE_MAX : (size_t)(m - hay);
	}
	/* Setting up the bit masks costs about as much as a short scan. */
	if (sec->n <= 64 && end - from >= 256)
		return section_find_bits(sec, hay, from, end, fold_hay);
	size_t last = end - sec->n;
	for (size_t p = from; p <= last; p++) {
		if (sec->first_lit && !fold_hay) {
			const unsigned char *m = memchr(hay + p, sec->first_byte, last - p + 1);
			if (m == NULL)
				return SIZE_MAX;
			p = (size_t)(m - hay);
		}
		if (section_at(sec, hay, p, fold_hay))
			return p;
	}
	return SIZE_MAX;
}

/* What each wildcard matched, in key order (only the first nine are
   kept), for the match variables. */
struct spans {
	unsigned int count; /* wildcards seen, may pass 9 */
	size_t start[SIFT_MATCH_VARS - 1];
	size_t len[SIFT_MATCH_VARS - 1];
};

static void
span_add(struct spans *sp, size_t start, size_t len)
{
	if (sp->count < SIFT_MATCH_VARS - 1) {
		sp->start[sp->count] = start;
		sp->len[sp->count] = len;
	}
	sp->count++;
}

static void
span_add_questions(struct spans *sp, const struct section *sec, size_t p)
{
	if (sec->plain)
		return;
	size_t i = 0;
	for (size_t j = 0; j < sec->n && sp->count < SIFT_MATCH_VARS - 1; j++) {
		if (sec->s[i] == '?') {
			span_add(sp, p + j, 1);
			i++;
		} else {
			i += sec->s[i] == '\\' && i + 1 < sec->slen ? 2 : 1;
		}
	}
}

static bool
match_matches(const unsigned char *key, size_t klen, const unsigned char *hay, size_t len,
              bool fold_hay, struct spans *sp)
{
	/* First pass: where the last section starts, and whether there is a
	   star at all. */
	size_t last_start = 0;
	bool star = false;
	for (size_t i = 0; i < klen; i++) {
		if (key[i] == '\\')
			i++;
		else if (key[i] == '*') {
			star = true;
			last_start = i + 1;
		}
	}
	size_t pos = 0;
	struct section sec, last;
	next_section(key, klen, &pos, &sec);
	if (!star) {
		if (sec.n != len || !section_at(&sec, hay, 0, fold_hay))
			return false;
		span_add_questions(sp, &sec, 0);
		return true;
	}
	size_t lpos = last_start;
	next_section(key, klen, &lpos, &last);
	if (sec.n + last.n > len || !section_at(&sec, hay, 0, fold_hay))
		return false;
	size_t tail = len - last.n; /* where the last section must start */
	if (!section_at(&last, hay, tail, fold_hay))
		return false;
	span_add_questions(sp, &sec, 0);

	size_t at = sec.n; /* value consumed so far */
	while (pos < last_start) {
		next_section(key, klen, &pos, &sec);
		size_t p = section_find(&sec, hay, at, tail, fold_hay);
		if (p == SIZE_MAX)
			return false;
		span_add(sp, at, p - at);
		span_add_questions(sp, &sec, p);
		at = p + sec.n;
	}
	span_add(sp, at, tail - at);
	span_add_questions(sp, &last, tail);
	return true;
}

/* ---- :regex -------------------------------------------------------------- */

static enum sift_match_outcome
match_regex(struct sift_match_scratch *scratch, const struct sift_match_key *key, const char *value,
            size_t len, struct sift_match_vars *vars, const char **error_r)
{
	if (key->regex == NULL) {
		*error_r = "regex key not prepared";
		return SIFT_MATCH_ERROR;
	}
	if (scratch == NULL || scratch->mctx == NULL || scratch->mdata == NULL) {
		*error_r = "regex match out of memory";
		return SIFT_MATCH_ERROR;
	}
	/* A zero-length subject needs a valid pointer. */
	PCRE2_SPTR subject = len == 0 ? (PCRE2_SPTR) "" : (PCRE2_SPTR)value;
	int rc = pcre2_match(key->regex, subject, len, 0, 0, scratch->mdata, scratch->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return SIFT_MATCH_NO;
	if (rc < 0) {
		switch (rc) {
		case PCRE2_ERROR_MATCHLIMIT:
		case PCRE2_ERROR_DEPTHLIMIT:
		case PCRE2_ERROR_HEAPLIMIT:
		case PCRE2_ERROR_JIT_STACKLIMIT:
			*error_r = "regex match limit exceeded";
			break;
		case PCRE2_ERROR_NOMEMORY:
			*error_r = "regex match out of memory";
			break;
		default:
			*error_r = "regex match failed";
			break;
		}
		return SIFT_MATCH_ERROR;
	}
	if (vars == NULL || !vars->want)
		return SIFT_MATCH_YES;

	/* rc == 0: more groups than pairs, all pairs are set. */
	uint32_t groups = 0;
	(void)pcre2_pattern_info(key->regex, PCRE2_INFO_CAPTURECOUNT, &groups);
	unsigned int count = groups + 1 < SIFT_MATCH_VARS ? groups + 1 : SIFT_MATCH_VARS;
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(scratch->mdata);
	uint32_t pairs = pcre2_get_ovector_count(scratch->mdata);
	for (unsigned int i = 0; i < count; i++) {
		/* Groups that took no part in the match are empty. */
		if (i >= pairs || ov[2 * i] == PCRE2_UNSET || ov[2 * i + 1] < ov[2 * i])
			var_set(vars, i, "", 0);
		else
			var_set(vars, i, value + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
	}
	vars_set_count(vars, count);
	return SIFT_MATCH_YES;
}

/* ---- entry point --------------------------------------------------------- */

static bool
match_is(enum sift_cmp cmp, const struct sift_match_key *key, const char *value, size_t len)
{
	if (cmp == SIFT_CMP_ASCII_NUMERIC)
		return order_numeric(value, len, key->text, key->len) == 0;
	if (len != key->folded_len)
		return false;
	if (cmp == SIFT_CMP_OCTET)
		return len == 0 || memcmp(value, key->folded, len) == 0;
	const unsigned char *v = (const unsigned char *)value;
	const unsigned char *k = (const unsigned char *)key->folded;
	for (size_t i = 0; i < len; i++) {
		if (fold(v[i]) != k[i])
			return false;
	}
	return true;
}

enum sift_match_outcome
sift_match_value(struct sift_match_scratch *scratch, enum sift_cmp cmp, enum sift_match_type type,
                 enum sift_rel rel, const struct sift_match_key *key, const char *value, size_t len,
                 struct sift_match_vars *vars, const char **error_r)
{
	if (value == NULL)
		value = "";

	switch (type) {
	case SIFT_MATCH_IS:
		return match_is(cmp, key, value, len) ? SIFT_MATCH_YES : SIFT_MATCH_NO;
	case SIFT_MATCH_CONTAINS:
		if (!sift_cmp_can_substring(cmp))
			return SIFT_MATCH_NO;
		return match_contains(scratch, cmp, key, value, len) ? SIFT_MATCH_YES
		                                                     : SIFT_MATCH_NO;
	case SIFT_MATCH_VALUE:
		return rel_holds(rel, sift_cmp_order(cmp, value, len, key->text, key->len))
		           ? SIFT_MATCH_YES
		           : SIFT_MATCH_NO;
	case SIFT_MATCH_MATCHES: {
		if (!sift_cmp_can_substring(cmp))
			return SIFT_MATCH_NO;
		const char *hay = value;
		bool fold_hay = false;
		if (cmp == SIFT_CMP_ASCII_CASEMAP) {
			hay = fold_value(scratch, value, len);
			if (hay == NULL) {
				hay = value;
				fold_hay = true;
			}
		}
		struct spans sp;
		sp.count = 0;
		if (!match_matches((const unsigned char *)key->folded, key->folded_len,
		                   (const unsigned char *)hay, len, fold_hay, &sp))
			return SIFT_MATCH_NO;
		if (vars != NULL && vars->want) {
			unsigned int n =
			    sp.count < SIFT_MATCH_VARS - 1 ? sp.count : SIFT_MATCH_VARS - 1;
			var_set(vars, 0, value, len);
			for (unsigned int i = 0; i < n; i++)
				var_set(vars, i + 1, value + sp.start[i], sp.len[i]);
			vars_set_count(vars, n + 1);
		}
		return SIFT_MATCH_YES;
	}
	case SIFT_MATCH_REGEX:
		if (!sift_cmp_can_substring(cmp))
			return SIFT_MATCH_NO;
		return match_regex(scratch, key, value, len, vars, error_r);
	case SIFT_MATCH_COUNT:
		break;
	}
	return SIFT_MATCH_NO;
}
