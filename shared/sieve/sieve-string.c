/* SPDX-License-Identifier: MIT */
/* Strings of a Sieve script as the compiler prepares them: encoded
   characters decoded (RFC 5228 2.4.2.4; a malformed sequence stays as it
   is, a code point outside Unicode is an error) and variable references
   compiled into templates (RFC 5229 3; a malformed reference stays
   literal text, an unknown namespace is an error).  Variable names and
   slots live here too. */

#include <string.h>

#include "util/alloc.h"
#include "util/buffer.h"
#include "util/str.h"
#include "sieve/sieve-private.h"

/* ---- encoded-character (RFC 5228 2.4.2.4) ---- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Tries to decode one "${hex:...}" or "${unicode:...}" at s (which starts
   with "${").  Returns the bytes consumed and appends the decoded bytes,
   0 when it is not a valid encoding (left as it is), -1 on an error
   (a code point outside Unicode). */
static long
decode_encoded(const char *s, size_t len, struct sift_buf *out, uint32_t *bad_cp_r)
{
	bool unicode;
	size_t p;
	if (len >= 6 && sift_mem_eq_ci(s + 2, 4, "hex:")) {
		unicode = false;
		p = 6;
	} else if (len >= 10 && sift_mem_eq_ci(s + 2, 8, "unicode:")) {
		unicode = true;
		p = 10;
	} else {
		return 0;
	}
	size_t mark = out->len;
	bool any = false;
	for (;;) {
		size_t blanks = 0;
		while (p < len && is_blank(s[p])) {
			p++;
			blanks++;
		}
		if (p >= len)
			goto invalid;
		if (s[p] == '}') {
			if (!any)
				goto invalid;
			return (long)(p + 1);
		}
		if (any && blanks == 0)
			goto invalid;
		size_t start = p;
		uint64_t v = 0;
		while (p < len && sift_hex_value(s[p]) >= 0) {
			if (v <= 0xffffffffu)
				v = v * 16 + (uint64_t)sift_hex_value(s[p]);
			p++;
		}
		size_t digits = p - start;
		if (digits == 0 || (!unicode && digits > 2))
			goto invalid;
		if (!unicode) {
			sift_buf_append_c(out, (char)v);
		} else {
			if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
				*bad_cp_r = (uint32_t)(v > 0xffffffffu ? 0xffffffffu : v);
				sift_buf_truncate(out, mark);
				return -1;
			}
			char u[4];
			size_t n;
			if (v < 0x80) {
				u[0] = (char)v;
				n = 1;
			} else if (v < 0x800) {
				u[0] = (char)(0xc0 | (v >> 6));
				u[1] = (char)(0x80 | (v & 0x3f));
				n = 2;
			} else if (v < 0x10000) {
				u[0] = (char)(0xe0 | (v >> 12));
				u[1] = (char)(0x80 | ((v >> 6) & 0x3f));
				u[2] = (char)(0x80 | (v & 0x3f));
				n = 3;
			} else {
				u[0] = (char)(0xf0 | (v >> 18));
				u[1] = (char)(0x80 | ((v >> 12) & 0x3f));
				u[2] = (char)(0x80 | ((v >> 6) & 0x3f));
				u[3] = (char)(0x80 | (v & 0x3f));
				n = 4;
			}
			sift_buf_append(out, u, n);
		}
		any = true;
	}
invalid:
	sift_buf_truncate(out, mark);
	return 0;
}

static void
decode_string(struct sift_vctx *vctx, struct sift_sieve_string *str)
{
	if (memmem(str->data, str->len, "${", 2) == NULL)
		return;
	struct sift_buf out;
	sift_buf_init(&out, 0);
	size_t i = 0;
	while (i < str->len) {
		if (str->data[i] == '$' && i + 1 < str->len && str->data[i + 1] == '{') {
			uint32_t bad = 0;
			long n = decode_encoded(str->data + i, str->len - i, &out, &bad);
			if (n < 0) {
				sift_vctx_error(
				    vctx, str->line, str->column,
				    "invalid Unicode code point U+%X in encoded character",
				    (unsigned int)bad);
				sift_buf_free(&out);
				return;
			}
			if (n > 0) {
				i += (size_t)n;
				continue;
			}
		}
		sift_buf_append_c(&out, str->data[i]);
		i++;
	}
	str->data = sift_arena_memdup0(vctx->arena, out.data, out.len);
	str->len = out.len;
	sift_buf_free(&out);
}

void
sift_vctx_decode_encoded(struct sift_vctx *vctx, struct sift_sieve_node *node)
{
	for (size_t i = 0; i < node->nargs; i++) {
		struct sift_sieve_arg *arg = &node->args[i];
		if (arg->type != SIFT_SIEVE_ARG_STRING && arg->type != SIFT_SIEVE_ARG_STRING_LIST)
			continue;
		for (size_t j = 0; j < arg->list.count; j++)
			decode_string(vctx, &arg->list.items[j]);
	}
	for (size_t i = 0; i < node->ntests; i++)
		sift_vctx_decode_encoded(vctx, &node->tests[i]);
	for (size_t i = 0; i < node->nblock; i++)
		sift_vctx_decode_encoded(vctx, &node->block[i]);
}

/* ---- variables (RFC 5229) ---- */

bool
sift_sieve_var_name_valid(const char *name, size_t len)
{
	if (len == 0)
		return false;
	if (!(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z') ||
	      (name[0] >= 'A' && name[0] <= 'Z')))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = name[i];
		if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

int
sift_vctx_variable(struct sift_vctx *vctx, const char *name, size_t len, unsigned int line,
                   unsigned int col)
{
	struct sift_sieve_program *prog = vctx->program;
	for (size_t i = 0; i < prog->nvars; i++) {
		if (sift_mem_eq_ci_len(prog->vars[i].name, prog->vars[i].len, name, len))
			return (int)i;
	}
	uint64_t max = sift_limit(&prog->limits, SIFT_LIMIT_VARIABLES);
	if (prog->nvars >= max) {
		sift_vctx_error(vctx, line, col, "too many variables (limit %llu)",
		                (unsigned long long)max);
		return -1;
	}
	if ((prog->nvars & (prog->nvars - 1)) == 0) {
		size_t n = prog->nvars == 0 ? 8 : prog->nvars * 2;
		struct sift_var_def *v = sift_arena_alloc(vctx->arena, n * sizeof(*v));
		if (prog->nvars > 0)
			memcpy(v, prog->vars, prog->nvars * sizeof(*v));
		prog->vars = v;
	}
	char *lower = sift_arena_memdup0(vctx->arena, name, len);
	sift_mem_lower(lower, len);
	prog->vars[prog->nvars].name = lower;
	prog->vars[prog->nvars].len = len;
	return (int)prog->nvars++;
}

int
sift_vctx_variable_arg(struct sift_vctx *vctx, const struct sift_sval *name)
{
	if (name->pieces != NULL || !sift_sieve_var_name_valid(name->data, name->len)) {
		sift_vctx_error(vctx, name->line, name->column, "invalid variable name \"%s\"",
		                name->data);
		return -1;
	}
	return sift_vctx_variable(vctx, name->data, name->len, name->line, name->column);
}

static bool
all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

/* Splits a string into literal pieces and variable references.  A
   reference that is not well formed stays literal text (RFC 5229 3). */
void
sift_vctx_compile_template(struct sift_vctx *vctx, struct sift_sval *sval)
{
	const char *s = sval->data;
	size_t len = sval->len;
	if (memmem(s, len, "${", 2) == NULL)
		return;
	struct sift_sval_piece pieces[64];
	size_t np = 0;
	size_t lit_start = 0;
	size_t i = 0;
	bool any_ref = false;
	struct sift_sval_piece *heap = NULL;
	size_t heap_alloc = 0;
	while (i + 1 < len) {
		if (s[i] != '$' || s[i + 1] != '{') {
			i++;
			continue;
		}
		const char *close = memchr(s + i + 2, '}', len - i - 2);
		if (close == NULL)
			break;
		const char *name = s + i + 2;
		size_t nlen = (size_t)(close - name);
		struct sift_sval_piece ref = {0};
		bool ok = false;
		if (all_digits(name, nlen)) {
			unsigned int v = 0;
			for (size_t k = 0; k < nlen && v < 1000; k++)
				v = v * 10 + (unsigned int)(name[k] - '0');
			ref.kind = SIFT_PIECE_MATCH;
			ref.index = v;
			ok = true;
		} else if (sift_sieve_var_name_valid(name, nlen)) {
			int slot = sift_vctx_variable(vctx, name, nlen, sval->line, sval->column);
			if (slot < 0)
				return;
			ref.kind = SIFT_PIECE_VAR;
			ref.index = (unsigned int)slot;
			ok = true;
		} else {
			/* namespace.name: no namespace is supported. */
			const char *dot = memchr(name, '.', nlen);
			if (dot != NULL && sift_sieve_var_name_valid(name, (size_t)(dot - name))) {
				bool parts_ok = true;
				const char *p = name;
				const char *end = name + nlen;
				while (p < end) {
					const char *d = memchr(p, '.', (size_t)(end - p));
					size_t plen =
					    d == NULL ? (size_t)(end - p) : (size_t)(d - p);
					if (!sift_sieve_var_name_valid(p, plen) &&
					    !all_digits(p, plen))
						parts_ok = false;
					p += plen + (d != NULL ? 1 : 0);
					if (d != NULL && p == end)
						parts_ok = false;
				}
				if (parts_ok) {
					sift_vctx_error(vctx, sval->line, sval->column,
					                "unknown variable namespace '%.*s'",
					                (int)(dot - name), name);
					return;
				}
			}
		}
		if (!ok) {
			i += 2;
			continue;
		}
		/* Need room for a literal and the reference. */
		if (np + 2 > 64 && heap == NULL) {
			heap_alloc = 256;
			heap = sift_malloc(heap_alloc * sizeof(*heap));
			memcpy(heap, pieces, np * sizeof(*heap));
		} else if (heap != NULL && np + 2 > heap_alloc) {
			heap_alloc *= 2;
			heap = sift_realloc(heap, heap_alloc * sizeof(*heap));
		}
		struct sift_sval_piece *arr = heap != NULL ? heap : pieces;
		if (i > lit_start) {
			arr[np].kind = SIFT_PIECE_LITERAL;
			arr[np].data = s + lit_start;
			arr[np].len = i - lit_start;
			np++;
		}
		arr[np++] = ref;
		any_ref = true;
		i = (size_t)(close - s) + 1;
		lit_start = i;
	}
	if (!any_ref) {
		sift_free(heap);
		return;
	}
	struct sift_sval_piece *arr = heap != NULL ? heap : pieces;
	if (heap == NULL ? np + 1 > 64 : np + 1 > heap_alloc) {
		if (heap == NULL) {
			heap = sift_malloc((np + 1) * sizeof(*heap));
			memcpy(heap, pieces, np * sizeof(*heap));
		} else {
			heap = sift_realloc(heap, (np + 1) * sizeof(*heap));
		}
		arr = heap;
	}
	if (lit_start < len) {
		arr[np].kind = SIFT_PIECE_LITERAL;
		arr[np].data = s + lit_start;
		arr[np].len = len - lit_start;
		np++;
	}
	sval->pieces = sift_arena_alloc(vctx->arena, np * sizeof(*arr));
	memcpy(sval->pieces, arr, np * sizeof(*arr));
	sval->npieces = np;
	sift_free(heap);
}
