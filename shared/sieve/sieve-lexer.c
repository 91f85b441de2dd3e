/* SPDX-License-Identifier: MIT */
/* Sieve lexer (RFC 5228 sections 2.2 to 2.4 and 8.1).  One pass over the
   script, each byte looked at a bounded number of times (strings twice:
   once to measure and check, once to copy into an arena block of the exact
   size), so time is linear in the script size.

   Leniencies and choices, each matching Pigeonhole 0.5:
   - bare LF is a line end everywhere, like CRLF; inside strings both are
     stored as CRLF, so a script edited on Unix means the same;
   - a CR not followed by LF is white space between tokens, but an error
     inside a string;
   - a hash comment may end at the end of the script without a line end;
   - quantifiers are case-insensitive ("100k", as in the RFC's own
     example), and so is "text:".
   Errors, all reported with the position of the offending byte or of the
   token that starts the trouble: NUL anywhere ("NUL character in script":
   RFC 5228 2.1 never permits it), a stray character, a number that does
   not fit 64 bits, junk after "text:", and input ending inside a string
   or comment.  The last kind ends the token stream; the others do not. */
#include "sieve/sieve-lexer.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "util/str.h"

static bool
is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c);
}

void
sift_sieve_lex_init(struct sift_sieve_lexer *lex, struct sift_arena *arena, const char *text,
                    size_t len, struct sift_diags *diags)
{
	memset(lex, 0, sizeof(*lex));
	lex->arena = arena;
	lex->diags = diags;
	lex->text = text == NULL ? "" : text;
	lex->len = text == NULL ? 0 : len;
	lex->line = 1;
}

static unsigned int
lex_column(const struct sift_sieve_lexer *lex, size_t pos)
{
	size_t col = pos - lex->line_start + 1;
	return col > UINT_MAX ? UINT_MAX : (unsigned int)col;
}

static void
lex_newline(struct sift_sieve_lexer *lex, size_t lf_pos)
{
	if (lex->line < UINT_MAX)
		lex->line++;
	lex->line_start = lf_pos + 1;
}

/* An error at pos, which must lie on the current line. */
static void
lex_error(struct sift_sieve_lexer *lex, size_t pos, const char *text)
{
	sift_diags_add(lex->diags, SIFT_SEV_ERROR, lex->line, lex_column(lex, pos), "%s", text);
}

/* Skips white space and comments.  False when a bracket comment is not
   closed (reported; the input is used up). */
static bool
lex_skip_space(struct sift_sieve_lexer *lex)
{
	const char *s = lex->text;
	size_t len = lex->len;

	while (lex->pos < len) {
		size_t p = lex->pos;
		char c = s[p];

		if (c == ' ' || c == '\t' || c == '\r') {
			lex->pos++;
		} else if (c == '\n') {
			lex_newline(lex, p);
			lex->pos++;
		} else if (c == '#') {
			bool nul = false;
			for (p++; p < len && s[p] != '\n'; p++) {
				if (s[p] == '\0' && !nul) {
					lex_error(lex, p, "NUL character in script");
					nul = true;
				}
			}
			lex->pos = p;
		} else if (c == '/' && p + 1 < len && s[p + 1] == '*') {
			unsigned int line = lex->line, column = lex_column(lex, p);
			bool nul = false;
			for (p += 2;; p++) {
				if (p >= len) {
					sift_diags_add(lex->diags, SIFT_SEV_ERROR, line, column,
					               "unterminated comment");
					lex->pos = len;
					return false;
				}
				if (s[p] == '*' && p + 1 < len && s[p + 1] == '/')
					break;
				if (s[p] == '\n') {
					lex_newline(lex, p);
				} else if (s[p] == '\0' && !nul) {
					lex_error(lex, p, "NUL character in script");
					nul = true;
				}
			}
			lex->pos = p + 2;
		} else {
			break;
		}
	}
	return true;
}

/* One content byte of a string: a lone CR or a NUL is reported once per
   string (by the measuring pass, which has report set), then the byte is
   stored (by the writing pass, which has out) and counted in *n. */
static void
string_byte(struct sift_sieve_lexer *lex, char *out, size_t *n, size_t p, char c, bool report,
            bool lone_cr, const char *cr_text, bool *cr, bool *nul)
{
	if (report && lone_cr && !*cr) {
		lex_error(lex, p, cr_text);
		*cr = true;
	} else if (report && c == '\0' && !*nul) {
		lex_error(lex, p, "NUL character in script");
		*nul = true;
	}
	if (out != NULL)
		out[*n] = c;
	(*n)++;
}

/* Quoted strings and multi-line strings are read in two passes sharing one
   function: the first (out == NULL) finds the end, counts the decoded
   bytes, follows line ends and reports bad bytes; the second writes into a
   block of exactly that size.  Each returns the decoded length and the
   offset after the string in *end_r, or SIZE_MAX when the input ends
   first. */
static size_t
quoted_pass(struct sift_sieve_lexer *lex, size_t start, char *out, size_t *end_r)
{
	const char *s = lex->text;
	size_t len = lex->len, p = start + 1, n = 0;
	bool report = out == NULL, nul = false, cr = false;

	for (;;) {
		if (p >= len)
			return SIZE_MAX;
		char c = s[p];
		if (c == '"') {
			*end_r = p + 1;
			return n;
		}
		if (c == '\\') {
			/* RFC 5228 2.4.2: an undefined escape is the character
			   itself, so only the backslash goes. */
			if (++p >= len)
				return SIZE_MAX;
			c = s[p];
		}
		if (c == '\n' || (c == '\r' && p + 1 < len && s[p + 1] == '\n')) {
			if (c == '\r')
				p++;
			if (report)
				lex_newline(lex, p);
			if (out != NULL) {
				out[n] = '\r';
				out[n + 1] = '\n';
			}
			n += 2;
			p++;
			continue;
		}
		string_byte(lex, out, &n, p, c, report, c == '\r' && p + 1 < len,
		            "CR without LF in string", &cr, &nul);
		p++;
	}
}

/* start is the offset of the 't' of "text:". */
static size_t
multiline_pass(struct sift_sieve_lexer *lex, size_t start, char *out, size_t *end_r)
{
	const char *s = lex->text;
	size_t len = lex->len, p = start + 5, n = 0;
	bool report = out == NULL, nul = false, cr = false;

	/* "text:" *(SP / HTAB) (hash-comment / CRLF) */
	while (p < len && (s[p] == ' ' || s[p] == '\t'))
		p++;
	if (p < len && s[p] == '#') {
		bool comment_nul = false;
		for (; p < len && s[p] != '\n'; p++) {
			if (report && s[p] == '\0' && !comment_nul) {
				lex_error(lex, p, "NUL character in script");
				comment_nul = true;
			}
		}
	} else if (p + 1 < len && s[p] == '\r' && s[p + 1] == '\n') {
		p++;
	} else if (p < len && s[p] != '\n') {
		/* Taking the rest of the line as junk keeps the string's
		   lines from being read as commands. */
		if (report)
			lex_error(lex, p, "expected end of line after 'text:'");
		while (p < len && s[p] != '\n')
			p++;
	}
	if (p >= len)
		return SIZE_MAX;
	if (report)
		lex_newline(lex, p);
	p++;

	for (;;) {
		if (p >= len)
			return SIZE_MAX;
		if (s[p] == '.') {
			size_t q = p + 1;
			if (q + 1 < len && s[q] == '\r' && s[q + 1] == '\n')
				q++;
			if (q < len && s[q] == '\n') {
				if (report)
					lex_newline(lex, q);
				*end_r = q + 1;
				return n;
			}
			if (p + 1 < len && s[p + 1] == '.')
				p++; /* dot-stuffing */
		}
		for (; p < len && s[p] != '\n'; p++) {
			char c = s[p];
			if (c == '\r' && p + 1 < len && s[p + 1] == '\n')
				continue; /* the CRLF is written below */
			string_byte(lex, out, &n, p, c, report, c == '\r' && p + 1 < len,
			            "CR without LF in multi-line string", &cr, &nul);
		}
		if (p >= len)
			return SIZE_MAX;
		if (report)
			lex_newline(lex, p);
		if (out != NULL) {
			out[n] = '\r';
			out[n + 1] = '\n';
		}
		n += 2;
		p++;
	}
}

/* Reads a string whose first byte is at lex->pos; false when unterminated
   (reported at the string's start). */
static bool
lex_string(struct sift_sieve_lexer *lex, struct sift_sieve_token *tok, bool multiline)
{
	size_t start = lex->pos, end = 0;
	size_t (*pass)(struct sift_sieve_lexer *, size_t, char *, size_t *) =
	    multiline ? multiline_pass : quoted_pass;
	size_t n = pass(lex, start, NULL, &end);

	if (n == SIZE_MAX) {
		sift_diags_add(lex->diags, SIFT_SEV_ERROR, tok->line, tok->column, "%s",
		               multiline ? "unterminated multi-line string"
		                         : "unterminated string");
		lex->pos = lex->len;
		return false;
	}
	char *data = sift_arena_alloc(lex->arena, n + 1);
	pass(lex, start, data, &end);
	data[n] = '\0';
	tok->type = SIFT_SIEVE_TOK_STRING;
	tok->string.data = data;
	tok->string.len = n;
	tok->string.line = tok->line;
	tok->string.column = tok->column;
	tok->string.multiline = multiline;
	lex->pos = end;
	return true;
}

static void
lex_number(struct sift_sieve_lexer *lex, struct sift_sieve_token *tok)
{
	const char *s = lex->text;
	size_t p = lex->pos;
	uint64_t v = 0;
	bool big = false;

	for (; p < lex->len && is_digit(s[p]); p++) {
		unsigned int d = (unsigned int)(s[p] - '0');
		if (v > (UINT64_MAX - d) / 10)
			big = true;
		else
			v = v * 10 + d;
	}
	if (p < lex->len) {
		unsigned int shift = 0;
		switch (s[p]) {
		case 'K':
		case 'k':
			shift = 10;
			break;
		case 'M':
		case 'm':
			shift = 20;
			break;
		case 'G':
		case 'g':
			shift = 30;
			break;
		}
		if (shift != 0) {
			p++;
			if (v > (UINT64_MAX >> shift))
				big = true;
			else
				v <<= shift;
		}
	}
	if (big) {
		lex_error(lex, lex->pos, "number too large");
		v = UINT64_MAX;
	}
	tok->type = SIFT_SIEVE_TOK_NUMBER;
	tok->number = v;
	lex->pos = p;
}

/* An identifier or tag name from..to; sets the token's names, one copy
   for both when it is written in lower case already (the common case). */
static void
lex_name(struct sift_sieve_lexer *lex, struct sift_sieve_token *tok, size_t from, size_t to)
{
	size_t n = to - from;
	char *written = sift_arena_memdup0(lex->arena, lex->text + from, n);
	char *lower = written;

	for (size_t i = 0; i < n; i++) {
		if (written[i] >= 'A' && written[i] <= 'Z') {
			lower = sift_arena_memdup0(lex->arena, written, n);
			sift_mem_lower(lower, n);
			break;
		}
	}
	tok->name = lower;
	tok->name_as_written = written;
	tok->name_len = n;
}

/* Bytes that end a run of stray characters: where a token or white space
   may start again. */
static bool
ends_stray_run(const struct sift_sieve_lexer *lex, size_t p)
{
	char c = lex->text[p];

	if (c == '/')
		return p + 1 < lex->len && lex->text[p + 1] == '*';
	return strchr(" \t\r\n[](){},;\":#", c) != NULL; /* strchr finds the NUL too */
}

void
sift_sieve_lex_next(struct sift_sieve_lexer *lex, struct sift_sieve_token *tok)
{
	const char *s = lex->text;

	memset(tok, 0, sizeof(*tok));
	for (;;) {
		if (!lex->failed && !lex_skip_space(lex))
			lex->failed = true;
		tok->line = lex->line;
		tok->column = lex_column(lex, lex->pos);
		if (lex->failed) {
			tok->type = SIFT_SIEVE_TOK_ERROR;
			return;
		}
		if (lex->pos >= lex->len) {
			tok->type = SIFT_SIEVE_TOK_EOF;
			return;
		}

		size_t p = lex->pos;
		char c = s[p];
		static const char punct[] = "[](){},;";
		static const enum sift_sieve_tok punct_tok[] = {
		    SIFT_SIEVE_TOK_LBRACKET, SIFT_SIEVE_TOK_RBRACKET,  SIFT_SIEVE_TOK_LPAREN,
		    SIFT_SIEVE_TOK_RPAREN,   SIFT_SIEVE_TOK_LBRACE,    SIFT_SIEVE_TOK_RBRACE,
		    SIFT_SIEVE_TOK_COMMA,    SIFT_SIEVE_TOK_SEMICOLON,
		};
		const char *pc = c == '\0' ? NULL : strchr(punct, c);

		if (pc != NULL) {
			tok->type = punct_tok[pc - punct];
			lex->pos++;
			return;
		}
		if (c == '"') {
			if (lex_string(lex, tok, false))
				return;
			lex->failed = true;
			continue;
		}
		if (is_digit(c)) {
			lex_number(lex, tok);
			return;
		}
		if (is_ident_start(c)) {
			size_t q = p + 1;
			while (q < lex->len && is_ident_char(s[q]))
				q++;
			if (q - p == 4 && q < lex->len && s[q] == ':' &&
			    sift_mem_eq_ci(s + p, 4, "text")) {
				if (lex_string(lex, tok, true))
					return;
				lex->failed = true;
				continue;
			}
			tok->type = SIFT_SIEVE_TOK_IDENTIFIER;
			lex_name(lex, tok, p, q);
			lex->pos = q;
			return;
		}
		if (c == ':' && p + 1 < lex->len && is_ident_start(s[p + 1])) {
			size_t q = p + 2;
			while (q < lex->len && is_ident_char(s[q]))
				q++;
			tok->type = SIFT_SIEVE_TOK_TAG;
			lex_name(lex, tok, p + 1, q);
			lex->pos = q;
			return;
		}

		/* Nothing can start here: report, skip, read on. */
		if (c == ':') {
			lex_error(lex, p, "expected tag name after ':'");
			lex->pos++;
		} else if (c == '\0') {
			lex_error(lex, p, "NUL character in script");
			lex->pos++;
		} else {
			char text[64];
			unsigned char u = (unsigned char)c;
			if (u > 0x20 && u < 0x7f)
				snprintf(text, sizeof(text), "unexpected character '%c'", c);
			else
				snprintf(text, sizeof(text), "unexpected byte 0x%02x", u);
			lex_error(lex, p, text);
			for (p++; p < lex->len && !ends_stray_run(lex, p); p++)
				;
			lex->pos = p;
		}
	}
}

const char *
sift_sieve_lex_describe(const struct sift_sieve_token *tok, char *buf, size_t size)
{
	switch (tok->type) {
	case SIFT_SIEVE_TOK_EOF:
		return "end of script";
	case SIFT_SIEVE_TOK_ERROR:
		return "invalid input";
	case SIFT_SIEVE_TOK_IDENTIFIER:
	case SIFT_SIEVE_TOK_TAG:
		snprintf(buf, size, "%s '%s%.32s%s'",
		         tok->type == SIFT_SIEVE_TOK_TAG ? "tag" : "identifier",
		         tok->type == SIFT_SIEVE_TOK_TAG ? ":" : "", tok->name_as_written,
		         tok->name_len > 32 ? "..." : "");
		return buf;
	case SIFT_SIEVE_TOK_NUMBER:
		return "number";
	case SIFT_SIEVE_TOK_STRING:
		return tok->string.multiline ? "multi-line string" : "string";
	case SIFT_SIEVE_TOK_LBRACKET:
		return "'['";
	case SIFT_SIEVE_TOK_RBRACKET:
		return "']'";
	case SIFT_SIEVE_TOK_LPAREN:
		return "'('";
	case SIFT_SIEVE_TOK_RPAREN:
		return "')'";
	case SIFT_SIEVE_TOK_LBRACE:
		return "'{'";
	case SIFT_SIEVE_TOK_RBRACE:
		return "'}'";
	case SIFT_SIEVE_TOK_COMMA:
		return "','";
	case SIFT_SIEVE_TOK_SEMICOLON:
		return "';'";
	}
	return "token";
}
