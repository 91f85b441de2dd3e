/* SPDX-License-Identifier: MIT */
/*
 * MIME parameter lists: the RFC 2045 5.1 syntax with the RFC 2231
 * extensions.  One pass reads the raw name=value pairs; they are then
 * sorted by name and section number, joined, %XX-decoded and converted to
 * UTF-8.  RFC 2047 words inside plain values are decoded too, because
 * mailers put them in file names.
 *
 * Limits: at most PARAM_MAX_PAIRS pairs are read from one field and the
 * rest is ignored; section numbers above PARAM_MAX_SECTION are dropped (the
 * sections before them could not all have been read anyway).  Comments
 * nest through a counter, not recursion.  Work is O(n log n) in the input.
 *
 * Bad input sets SIFT_DEFECT_BAD_PARAMETER and parsing goes on at the next
 * ';'.  Leniencies, each listed in docs/VIOLATIONS.md: an unquoted value
 * runs to the next ';' or the next "name=" (so `name=foo bar.txt` gives
 * "foo bar.txt" and `boundary=--=_x` gives "--=_x"); a missing ';' before
 * "name=" is supplied; 8-bit bytes are accepted in values; RFC 2231 values
 * may be quoted; inside quotes only \" and \\ are escapes (a Windows path
 * keeps its backslashes, as in Python's email package); an unterminated
 * quote runs to the end of the field.
 */
#include "mail/rfc2231.h"
#include "mail/rfc5322.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/charset.h"
#include "mail/defects.h"
#include "mail/rfc2047.h"
#include "util/alloc.h"
#include "util/buffer.h"
#include "util/str.h"

/* More is never seen in real mail and only costs time. */
#define PARAM_MAX_PAIRS 1000
/* name*N with N above this is dropped: sections are counted from 0 and
   fewer than PARAM_MAX_PAIRS of them can be read. */
#define PARAM_MAX_SECTION (PARAM_MAX_PAIRS - 1)

/* One name=value as read, before sections are joined. */
struct pair {
	const char *name; /* without the * suffixes, case as written */
	size_t name_len;
	const char *value; /* for a quoted value, what is between the quotes */
	size_t value_len;
	int section; /* -1 when there is no *N */
	bool extended;
	bool quoted;
	unsigned int order;
};

/* The pairs sharing one name: pairs[start .. start + count). */
struct group {
	size_t start;
	size_t count;
	unsigned int first;
};

struct parse_ctx {
	struct sift_arena *arena;
	uint32_t *defects;
	struct pair *pairs;
	size_t count;
	size_t alloc;
	struct sift_buf tmp;
	struct sift_buf joined;
	struct sift_buf out;
};

bool
sift_rfc2231_token_char(char ch)
{
	unsigned char c = (unsigned char)ch;
	if (c <= 0x20 || c >= 0x7f)
		return false;
	switch (c) {
	case '(':
	case ')':
	case '<':
	case '>':
	case '@':
	case ',':
	case ';':
	case ':':
	case '\\':
	case '"':
	case '/':
	case '[':
	case ']':
	case '?':
	case '=':
		return false;
	default:
		return true;
	}
}

/* p is at '('; returns the position after the matching ')', or end. */
static const char *
skip_comment(const char *p, const char *end, bool *closed_r)
{
	enum sift_comment_status status;
	size_t n = sift_rfc5322_skip_comment(p, (size_t)(end - p), 0, SIZE_MAX, &status);
	*closed_r = status != SIFT_COMMENT_UNCLOSED;
	return p + n;
}

const char *
sift_rfc2231_skip_cfws(const char *p, const char *end, uint32_t *defects)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
		} else if (*p == '(') {
			bool closed;
			p = skip_comment(p, end, &closed);
			if (!closed && defects != NULL)
				*defects |= SIFT_DEFECT_BAD_PARAMETER;
		} else {
			break;
		}
	}
	return p;
}

/* p is at '"'; returns the position after the closing quote, or end. */
static const char *
skip_quoted(const char *p, const char *end, bool *closed_r)
{
	p++;
	while (p < end) {
		char c = *p++;
		if (c == '\\') {
			if (p < end)
				p++;
		} else if (c == '"') {
			*closed_r = true;
			return p;
		}
	}
	*closed_r = false;
	return end;
}

/* Skips what cannot be understood up to the next ';' that is not inside a
   quoted string or a comment. */
static const char *
skip_junk(const char *p, const char *end)
{
	bool closed;

	while (p < end && *p != ';') {
		if (*p == '"')
			p = skip_quoted(p, end, &closed);
		else if (*p == '(')
			p = skip_comment(p, end, &closed);
		else
			p++;
	}
	return p;
}

/* If a "name =" starts at p, returns the position of its '='. */
static const char *
param_start(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && sift_rfc2231_token_char(*q))
		q++;
	if (q == p)
		return NULL;
	q = sift_rfc2231_skip_cfws(q, end, NULL);
	return q < end && *q == '=' ? q : NULL;
}

static bool
ends_loose_word(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(';
}

/* Splits "name*N*" into name, section and the extended mark.  Returns
   false when the pair must be dropped. */
static bool
split_name(struct pair *pr, uint32_t *defects)
{
	const char *name = pr->name;
	size_t n = pr->name_len;

	if (n > 0 && name[n - 1] == '*') {
		pr->extended = true;
		n--;
	}
	size_t d = n;
	while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
		d--;
	if (d < n && d > 0 && name[d - 1] == '*') {
		unsigned int section = 0;
		bool too_big = false;
		if (n - d > 1 && name[d] == '0')
			*defects |= SIFT_DEFECT_BAD_PARAMETER;
		for (size_t i = d; i < n; i++) {
			section = section * 10 + (unsigned int)(name[i] - '0');
			if (section > PARAM_MAX_SECTION) {
				too_big = true;
				break;
			}
		}
		if (too_big) {
			*defects |= SIFT_DEFECT_BAD_PARAMETER;
			return false;
		}
		pr->section = (int)section;
		n = d - 1;
	}
	if (n == 0) {
		*defects |= SIFT_DEFECT_BAD_PARAMETER;
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		/* Not attribute-char (RFC 2231 7): kept, as the name it seems. */
		if (name[i] == '*' || name[i] == '\'' || name[i] == '%') {
			*defects |= SIFT_DEFECT_BAD_PARAMETER;
			break;
		}
	}
	pr->name_len = n;
	return true;
}

static void
add_pair(struct parse_ctx *ctx, const struct pair *pr)
{
	if (ctx->count == ctx->alloc) {
		ctx->alloc = ctx->alloc == 0 ? 8 : ctx->alloc * 2;
		if (ctx->alloc > PARAM_MAX_PAIRS)
			ctx->alloc = PARAM_MAX_PAIRS;
		ctx->pairs = sift_realloc(ctx->pairs, ctx->alloc * sizeof(*ctx->pairs));
	}
	ctx->pairs[ctx->count] = *pr;
	ctx->pairs[ctx->count].order = (unsigned int)ctx->count;
	ctx->count++;
}

/* An unquoted value.  RFC 2045 wants one token; what mail has is also
   "foo bar.txt", "a/b", "--=_x" or "file(1).txt", so the value runs over
   words up to the next ';', a following "name=", or trailing comments. */
static const char *
read_loose_value(struct parse_ctx *ctx, const char *p, const char *end, struct pair *pr)
{
	const char *start = p;
	const char *vend;
	bool clean = true;

	for (;;) {
		while (p < end && !ends_loose_word(*p)) {
			if (!sift_rfc2231_token_char(*p) && (unsigned char)*p < 0x80)
				clean = false;
			p++;
		}
		vend = p;
		if (p == end || *p == ';')
			break;
		p = sift_rfc2231_skip_cfws(p, end, ctx->defects);
		if (p == end || *p == ';' || param_start(p, end) != NULL)
			break;
		clean = false;
	}
	if (!clean)
		*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;
	pr->value = start;
	pr->value_len = (size_t)(vend - start);
	return p;
}

/* Reads one "name = value" starting at a token character (or at junk). */
static const char *
read_pair(struct parse_ctx *ctx, const char *p, const char *end)
{
	uint32_t *defects = ctx->defects;
	struct pair pr = {.section = -1};

	pr.name = p;
	while (p < end && sift_rfc2231_token_char(*p))
		p++;
	pr.name_len = (size_t)(p - pr.name);
	if (pr.name_len == 0) {
		*defects |= SIFT_DEFECT_BAD_PARAMETER;
		return skip_junk(p, end);
	}
	p = sift_rfc2231_skip_cfws(p, end, defects);
	if (p == end || *p != '=') {
		/* A parameter without a value ("; foo;"). */
		*defects |= SIFT_DEFECT_BAD_PARAMETER;
		return skip_junk(p, end);
	}
	p++;
	const char *after_eq = p;
	p = sift_rfc2231_skip_cfws(p, end, defects);
	bool keep = split_name(&pr, defects);

	const char *next_eq = p != after_eq ? param_start(p, end) : NULL;
	if (p == end || *p == ';' ||
	    (next_eq != NULL && (next_eq + 1 == end || next_eq[1] != '='))) {
		/* "name=" with nothing, or "a= b=c" where the value of a is
		   missing and b is the next parameter. */
		*defects |= SIFT_DEFECT_BAD_PARAMETER;
		pr.value = p;
		pr.value_len = 0;
	} else if (*p == '"') {
		bool closed;
		const char *q = skip_quoted(p, end, &closed);
		pr.quoted = true;
		pr.value = p + 1;
		pr.value_len = (size_t)((closed ? q - 1 : q) - (p + 1));
		if (!closed)
			*defects |= SIFT_DEFECT_BAD_PARAMETER;
		p = sift_rfc2231_skip_cfws(q, end, defects);
		if (p < end && *p != ';' && param_start(p, end) == NULL) {
			/* name="value"junk: the junk is dropped. */
			*defects |= SIFT_DEFECT_BAD_PARAMETER;
			p = skip_junk(p, end);
		}
	} else {
		p = read_loose_value(ctx, p, end, &pr);
	}
	if (keep)
		add_pair(ctx, &pr);
	return p;
}

static void
read_pairs(struct parse_ctx *ctx, const char *p, const char *end)
{
	bool need_sep = true;

	while (p < end) {
		p = sift_rfc2231_skip_cfws(p, end, ctx->defects);
		if (p == end)
			break;
		if (*p == ';') {
			p++;
			need_sep = false;
			continue;
		}
		if (ctx->count == PARAM_MAX_PAIRS) {
			*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;
			break;
		}
		if (need_sep)
			*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;
		need_sep = true;
		p = read_pair(ctx, p, end);
	}
}

static int
name_cmp(const struct pair *x, const struct pair *y)
{
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;

	for (size_t i = 0; i < n; i++) {
		unsigned char a = (unsigned char)sift_ascii_lower(x->name[i]);
		unsigned char b = (unsigned char)sift_ascii_lower(y->name[i]);
		if (a != b)
			return a < b ? -1 : 1;
	}
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return 0;
}

/* Within a name: plain values first, then name*, then the sections in
   number order; ties in order of appearance, so the first one wins. */
static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a;
	const struct pair *y = b;
	int c = name_cmp(x, y);

	if (c != 0)
		return c;
	int kx = x->section >= 0 ? 2 : x->extended;
	int ky = y->section >= 0 ? 2 : y->extended;
	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
group_cmp(const void *a, const void *b)
{
	const struct group *x = a;
	const struct group *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Appends a value as written: quotes undone, line ends of a folded field
   dropped.  Only \" and \\ are escapes (see the top of the file). */
static void
append_literal(struct sift_buf *buf, const struct pair *pr)
{
	const char *v = pr->value;
	size_t len = pr->value_len;
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		bool escape =
		    pr->quoted && c == '\\' && i + 1 < len && (v[i + 1] == '"' || v[i + 1] == '\\');
		if (!escape && c != '\r' && c != '\n')
			continue;
		sift_buf_append(buf, v + run, i - run);
		if (escape)
			i++;
		run = escape ? i : i + 1;
	}
	sift_buf_append(buf, v + run, len - run);
}

/* Appends %XX-decoded bytes; a '%' without two hex digits stays as it is. */
static void
append_pct_decoded(struct sift_buf *buf, const char *v, size_t len, uint32_t *defects)
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		if (v[i] != '%' && v[i] != '\r' && v[i] != '\n')
			continue;
		if (v[i] == '%') {
			int hi = i + 2 < len ? sift_hex_value(v[i + 1]) : -1;
			int lo = i + 2 < len ? sift_hex_value(v[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				*defects |= SIFT_DEFECT_BAD_PARAMETER;
				continue;
			}
			sift_buf_append(buf, v + run, i - run);
			sift_buf_append_c(buf, (char)(hi * 16 + lo));
			i += 2;
		} else {
			sift_buf_append(buf, v + run, i - run);
		}
		run = i + 1;
	}
	sift_buf_append(buf, v + run, len - run);
}

struct ext_info {
	const char *charset;
	size_t charset_len;
	const char *language;
};

/* Appends an RFC 2231 value (name* or name*N*) to ctx->joined; the
   initial one first gives charset'language'. */
static void
append_extended(struct parse_ctx *ctx, const struct pair *pr, bool initial, struct ext_info *ext)
{
	const char *v = pr->value;
	size_t len = pr->value_len;

	if (pr->quoted) {
		/* RFC 2231 7 has no quoted form, but mailers send one. */
		*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;
		sift_buf_reset(&ctx->tmp);
		append_literal(&ctx->tmp, pr);
		v = ctx->tmp.data;
		len = ctx->tmp.len;
	}
	if (len == 0) {
		if (initial)
			*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;
		return;
	}
	if (initial) {
		const char *q1 = memchr(v, '\'', len);
		const char *q2 = NULL;
		if (q1 != NULL)
			q2 = memchr(q1 + 1, '\'', len - (size_t)(q1 + 1 - v));
		if (q2 == NULL) {
			/* No charset'language': decoded, but left unconverted. */
			*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;
		} else {
			if (q1 > v) {
				ext->charset_len = (size_t)(q1 - v);
				ext->charset = sift_arena_memdup0(ctx->arena, v, ext->charset_len);
			}
			if (q2 > q1 + 1)
				ext->language =
				    sift_arena_memdup0(ctx->arena, q1 + 1, (size_t)(q2 - q1 - 1));
			len -= (size_t)(q2 + 1 - v);
			v = q2 + 1;
		}
	}
	append_pct_decoded(&ctx->joined, v, len, ctx->defects);
}

static bool
has_encoded_word(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] == '=' && s[i + 1] == '?')
			return true;
	}
	return false;
}

/* Builds one parameter from the sorted pairs of one name. */
static struct sift_param *
build_param(struct parse_ctx *ctx, const struct pair *g, size_t n)
{
	const struct pair *plain = NULL;
	const struct pair *star = NULL;
	size_t nplain = 0;
	size_t nstar = 0;
	size_t i = 0;
	struct ext_info ext = {NULL, 0, NULL};
	bool any_extended = false;

	while (i < n && g[i].section < 0 && !g[i].extended) {
		if (plain == NULL)
			plain = &g[i];
		nplain++;
		i++;
	}
	while (i < n && g[i].section < 0) {
		if (star == NULL)
			star = &g[i];
		nstar++;
		i++;
	}
	const struct pair *sec = g + i;
	size_t nsec = n - i;
	if (nplain > 1 || nstar > 1 || (star != NULL && nsec > 0))
		*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;

	sift_buf_reset(&ctx->joined);
	if (star != NULL) {
		/* The RFC 2231 form wins over a plain name= given for old
		   readers, and name* over name*0 when a mailer sent both. */
		append_extended(ctx, star, true, &ext);
		any_extended = true;
	} else if (nsec > 0) {
		int want = 0;
		for (size_t k = 0; k < nsec; k++) {
			const struct pair *s = &sec[k];
			if (k > 0 && s->section == sec[k - 1].section) {
				*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;
				continue;
			}
			if (s->section != want)
				*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;
			want = s->section + 1;
			if (s->extended) {
				append_extended(ctx, s, s->section == 0, &ext);
				any_extended = true;
			} else {
				append_literal(&ctx->joined, s);
			}
		}
	} else {
		append_literal(&ctx->joined, plain);
	}

	const char *data = ctx->joined.data != NULL ? ctx->joined.data : "";
	size_t len = ctx->joined.len;
	sift_buf_reset(&ctx->out);
	if (ext.charset != NULL) {
		/* Converted after joining: mailers split multibyte characters
		   across sections. */
		if (sift_charset_to_utf8(ext.charset, ext.charset_len, data, len, &ctx->out,
		                         ctx->defects) < 0) {
			*ctx->defects |= SIFT_DEFECT_UNKNOWN_CHARSET;
		} else {
			data = ctx->out.data != NULL ? ctx->out.data : "";
			len = ctx->out.len;
		}
	} else if (!any_extended && has_encoded_word(data, len) &&
	           !sift_mem_eq_ci(g->name, g->name_len, "boundary")) {
		/* Never for a boundary: it must match the body byte for byte. */
		sift_rfc2047_decode(data, len, &ctx->out, ctx->defects);
		data = ctx->out.data != NULL ? ctx->out.data : "";
		len = ctx->out.len;
	}
	if (ctx->out.overflow)
		*ctx->defects |= SIFT_DEFECT_BAD_PARAMETER;

	struct sift_param *param = sift_arena_zalloc(ctx->arena, sizeof(*param));
	char *name = sift_arena_memdup0(ctx->arena, g->name, g->name_len);
	sift_mem_lower(name, g->name_len);
	param->name = name;
	param->value = sift_arena_memdup0(ctx->arena, data, len);
	param->value_len = len;
	param->charset = ext.charset;
	param->language = ext.language;
	return param;
}

struct sift_param *
sift_rfc2231_parse(struct sift_arena *arena, const char *in, size_t len, uint32_t *defects)
{
	uint32_t ignored = 0;
	struct parse_ctx ctx = {.arena = arena, .defects = defects != NULL ? defects : &ignored};

	if (in == NULL || len == 0)
		return NULL;
	read_pairs(&ctx, in, in + len);
	if (ctx.count == 0) {
		sift_free(ctx.pairs);
		return NULL;
	}

	qsort(ctx.pairs, ctx.count, sizeof(*ctx.pairs), pair_cmp);
	struct group *groups = sift_malloc(ctx.count * sizeof(*groups));
	size_t ngroups = 0;
	for (size_t i = 0; i < ctx.count;) {
		size_t j = i + 1;
		unsigned int first = ctx.pairs[i].order;
		while (j < ctx.count && name_cmp(&ctx.pairs[i], &ctx.pairs[j]) == 0) {
			if (ctx.pairs[j].order < first)
				first = ctx.pairs[j].order;
			j++;
		}
		groups[ngroups++] = (struct group){.start = i, .count = j - i, .first = first};
		i = j;
	}
	qsort(groups, ngroups, sizeof(*groups), group_cmp);

	/* Decoded values are at most as long as the input, except that a
	   charset conversion writes up to 3 bytes per input byte (U+FFFD). */
	size_t out_max = len < (SIZE_MAX - 64) / 4 ? len * 4 + 64 : 0;
	sift_buf_init(&ctx.tmp, len + 1);
	sift_buf_init(&ctx.joined, len + 1);
	sift_buf_init(&ctx.out, out_max);
	struct sift_param *head = NULL;
	struct sift_param **tail = &head;
	for (size_t k = 0; k < ngroups; k++) {
		*tail = build_param(&ctx, ctx.pairs + groups[k].start, groups[k].count);
		tail = &(*tail)->next;
	}
	sift_buf_free(&ctx.tmp);
	sift_buf_free(&ctx.joined);
	sift_buf_free(&ctx.out);
	sift_free(groups);
	sift_free(ctx.pairs);
	return head;
}

const struct sift_param *
sift_param_find(const struct sift_param *list, const char *name)
{
	size_t len = strlen(name);

	for (const struct sift_param *p = list; p != NULL; p = p->next) {
		if (sift_mem_eq_ci(name, len, p->name))
			return p;
	}
	return NULL;
}
