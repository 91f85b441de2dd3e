/* SPDX-License-Identifier: MIT */
#ifndef SIFT_SIEVE_LEXER_H
#define SIFT_SIEVE_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sieve/sieve-ast.h"
#include "util/arena.h"
#include "util/diag.h"

/* The tokens of a Sieve script (RFC 5228 section 8.1), read one at a time.
   Positions are 1-based; a column counts bytes from the start of its line.
   Identifiers and tags are case-insensitive: they come lower-cased and as
   written.  Strings come decoded: quoted strings without their escapes
   ("\x" is "x" for any x), multi-line strings without dot-stuffing, and in
   both every line end (CRLF or a bare LF) stored as CRLF.  Bytes that are
   not UTF-8 are kept.

   Lexical errors go to the diagnostics list.  Where the token is still
   clear (a number too large, a NUL or a CR without LF inside a string or
   comment) the error is reported and the token delivered all the same;
   stray bytes between tokens are reported and skipped.  Either way a
   parser sees no cascade.  Input that ends inside a string or comment
   yields SIFT_SIEVE_TOK_ERROR, and nothing after it. */

enum sift_sieve_tok {
	SIFT_SIEVE_TOK_EOF,
	SIFT_SIEVE_TOK_ERROR, /* unterminated string or comment (reported) */
	SIFT_SIEVE_TOK_IDENTIFIER,
	SIFT_SIEVE_TOK_TAG,
	SIFT_SIEVE_TOK_NUMBER,
	SIFT_SIEVE_TOK_STRING, /* quoted or multi-line */
	SIFT_SIEVE_TOK_LBRACKET,
	SIFT_SIEVE_TOK_RBRACKET,
	SIFT_SIEVE_TOK_LPAREN,
	SIFT_SIEVE_TOK_RPAREN,
	SIFT_SIEVE_TOK_LBRACE,
	SIFT_SIEVE_TOK_RBRACE,
	SIFT_SIEVE_TOK_COMMA,
	SIFT_SIEVE_TOK_SEMICOLON,
};

struct sift_sieve_token {
	enum sift_sieve_tok type;
	unsigned int line; /* of the token's first byte */
	unsigned int column;
	/* IDENTIFIER and TAG (a tag without its ':'): NUL-terminated copies in
	   the arena, lower case and as written; name_len bytes each. */
	const char *name;
	const char *name_as_written;
	size_t name_len;
	/* NUMBER: the value with its quantifier applied; UINT64_MAX when it
	   was too large (reported). */
	uint64_t number;
	/* STRING: the decoded value, in the arena, with its position. */
	struct sift_sieve_string string;
};

/* The lexer's state: plain data, so it can live on the caller's stack.
   Fields are private to sieve-lexer.c. */
struct sift_sieve_lexer {
	struct sift_arena *arena;
	struct sift_diags *diags;
	const char *text;
	size_t len;
	size_t pos;
	size_t line_start; /* offset of the first byte of the current line */
	unsigned int line;
	bool failed; /* an unterminated string or comment was met */
};

/* Starts reading text (len bytes, NULs included).  Strings and names are
   allocated from arena; errors go to diags.  Nothing is read yet. */
void sift_sieve_lex_init(struct sift_sieve_lexer *lex, struct sift_arena *arena, const char *text,
                         size_t len, struct sift_diags *diags);
/* Reads the next token into *tok.  After EOF or ERROR, every call returns
   the same type again. */
void sift_sieve_lex_next(struct sift_sieve_lexer *lex, struct sift_sieve_token *tok);
/* Describes a token for an error message ("'{'", "string", "identifier
   'keep'", "end of script"), using buf (size bytes) where it needs to;
   long names are shortened. */
const char *sift_sieve_lex_describe(const struct sift_sieve_token *tok, char *buf, size_t size);

#endif
