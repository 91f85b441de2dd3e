/* SPDX-License-Identifier: MIT */
/*
 * MIME header fields: Content-Type and Content-Transfer-Encoding (RFC 2045)
 * and Content-Disposition (RFC 2183).  Types are RFC 2045 tokens, folded to
 * lower case, with comments and white space allowed around them and
 * around the '/'; parameters are read by sift_rfc2231_parse().
 *
 * Bad input: a Content-Type without type/subtype is refused (-1,
 * SIFT_DEFECT_BAD_CONTENT_TYPE) so the caller applies its default, but its
 * parameters are still read, as Python's email package does (a charset
 * still matters to the default text/plain).  A disposition without a type
 * is refused the same way, its parameters still read.  A transfer encoding
 * is its first token: what follows is ignored.  No recursion; comments
 * nest through a counter.
 */
#include "mail/rfc2045.h"

#include <stdbool.h>

#include "mail/defects.h"
#include "util/str.h"

static const char *
skip_token(const char *p, const char *end)
{
	while (p < end && sift_rfc2231_token_char(*p))
		p++;
	return p;
}

/* The first ';' outside quoted strings and comments, or NULL. */
static const char *
find_params(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ';')
			return p;
		if (*p == '"') {
			p++;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end)
					p++;
				p++;
			}
			if (p < end)
				p++;
		} else if (*p == '(') {
			p = sift_rfc2231_skip_cfws(p, end, NULL);
		} else {
			p++;
		}
	}
	return NULL;
}

static const char *
lower_dup(struct sift_arena *arena, const char *s, size_t len)
{
	char *copy = sift_arena_memdup0(arena, s, len);
	sift_mem_lower(copy, len);
	return copy;
}

int
sift_rfc2045_content_type(struct sift_arena *arena, const char *in, size_t len,
                          struct sift_content_type *ct_r, uint32_t *defects)
{
	uint32_t ignored = 0;

	if (in == NULL) {
		in = "";
		len = 0;
	}
	const char *end = in + len;
	const char *p = sift_rfc2231_skip_cfws(in, end, NULL);
	const char *type = p;

	if (defects == NULL)
		defects = &ignored;
	ct_r->type = NULL;
	ct_r->subtype = NULL;
	ct_r->params = NULL;

	p = skip_token(p, end);
	size_t type_len = (size_t)(p - type);
	p = sift_rfc2231_skip_cfws(p, end, NULL);
	if (type_len == 0 || p == end || *p != '/')
		goto bad;
	p = sift_rfc2231_skip_cfws(p + 1, end, NULL);
	const char *subtype = p;
	p = skip_token(p, end);
	size_t subtype_len = (size_t)(p - subtype);
	if (subtype_len == 0)
		goto bad;

	ct_r->type = lower_dup(arena, type, type_len);
	ct_r->subtype = lower_dup(arena, subtype, subtype_len);
	ct_r->params = sift_rfc2231_parse(arena, p, (size_t)(end - p), defects);
	return 0;

bad:
	*defects |= SIFT_DEFECT_BAD_CONTENT_TYPE;
	p = find_params(in, end);
	if (p != NULL)
		ct_r->params = sift_rfc2231_parse(arena, p, (size_t)(end - p), defects);
	return -1;
}

enum sift_cte
sift_rfc2045_cte(const char *in, size_t len)
{
	static const struct {
		const char *name;
		enum sift_cte cte;
	} names[] = {
	    {"7bit", SIFT_CTE_7BIT},     {"8bit", SIFT_CTE_8BIT},
	    {"binary", SIFT_CTE_BINARY}, {"quoted-printable", SIFT_CTE_QP},
	    {"base64", SIFT_CTE_BASE64},
	};

	if (in == NULL)
		return SIFT_CTE_UNKNOWN;
	const char *end = in + len;
	const char *token = sift_rfc2231_skip_cfws(in, end, NULL);
	size_t token_len = (size_t)(skip_token(token, end) - token);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (sift_mem_eq_ci(token, token_len, names[i].name))
			return names[i].cte;
	}
	return SIFT_CTE_UNKNOWN;
}

const char *
sift_cte_name(enum sift_cte cte)
{
	switch (cte) {
	case SIFT_CTE_7BIT:
		return "7bit";
	case SIFT_CTE_8BIT:
		return "8bit";
	case SIFT_CTE_BINARY:
		return "binary";
	case SIFT_CTE_QP:
		return "quoted-printable";
	case SIFT_CTE_BASE64:
		return "base64";
	case SIFT_CTE_UNKNOWN:
		break;
	}
	return "unknown";
}

int
sift_rfc2045_disposition(struct sift_arena *arena, const char *in, size_t len, const char **type_r,
                         struct sift_param **params_r, uint32_t *defects)
{
	uint32_t ignored = 0;

	if (in == NULL) {
		in = "";
		len = 0;
	}
	const char *end = in + len;
	const char *type = sift_rfc2231_skip_cfws(in, end, NULL);
	const char *p = skip_token(type, end);
	size_t type_len = (size_t)(p - type);
	const char *after = sift_rfc2231_skip_cfws(p, end, NULL);

	if (defects == NULL)
		defects = &ignored;
	*type_r = NULL;
	*params_r = NULL;
	if (type_len == 0 || (after < end && *after == '=')) {
		/* No type, or "filename=x" where a type should be: refused,
		   but the parameters are kept for callers after a name. */
		*defects |= SIFT_DEFECT_BAD_PARAMETER;
		*params_r = sift_rfc2231_parse(arena, type, (size_t)(end - type), defects);
		return -1;
	}
	*type_r = lower_dup(arena, type, type_len);
	*params_r = sift_rfc2231_parse(arena, p, (size_t)(end - p), defects);
	return 0;
}
