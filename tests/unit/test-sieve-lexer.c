/* SPDX-License-Identifier: MIT */
/* Tests for sieve/sieve-lexer: every token type, the RFC 5228 2.3 comment
   examples, numbers with K/M/G at the 64-bit edge, quoted-string escapes
   (the RFC's "undefined escape is the character" rule), text: strings with
   dot-stuffing and a hash comment, CRLF and bare LF, exact line:column of
   tokens and errors, unterminated strings and comments, NULs, bare CRs,
   stray and 8-bit bytes, and a multi-megabyte string in linear time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sieve/sieve-lexer.h"
#include "util/alloc.h"
#include "util/buffer.h"

#define S(lit) lit, sizeof(lit) - 1

static void
put_bytes(struct sift_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			sift_buf_append_c(out, (char)c);
		else
			sift_buf_printf(out, "\\x%02x", c);
	}
}

/* All tokens, one per word: name@L:C (name/AsWritten when they differ),
   :tag@L:C, #number@L:C, "string"@L:C (M"..." for text:), punctuation,
   EOF or ERROR; then the diagnostics, one "L:C: text" per line. */
static void
lex_all(const char *in, size_t len, struct sift_buf *toks, struct sift_buf *diag_out)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_diags diags;
	struct sift_sieve_lexer lex;
	struct sift_sieve_token tok;

	sift_diags_init(&diags);
	sift_sieve_lex_init(&lex, arena, in, len, &diags);
	for (;;) {
		sift_sieve_lex_next(&lex, &tok);
		if (toks->len > 0)
			sift_buf_append_c(toks, ' ');
		switch (tok.type) {
		case SIFT_SIEVE_TOK_EOF:
			sift_buf_append_str(toks, "EOF");
			break;
		case SIFT_SIEVE_TOK_ERROR:
			sift_buf_append_str(toks, "ERROR");
			break;
		case SIFT_SIEVE_TOK_IDENTIFIER:
		case SIFT_SIEVE_TOK_TAG:
			assert_int_equal(strlen(tok.name), tok.name_len);
			assert_int_equal(strlen(tok.name_as_written), tok.name_len);
			sift_buf_printf(toks, "%s%s", tok.type == SIFT_SIEVE_TOK_TAG ? ":" : "",
			                tok.name);
			if (strcmp(tok.name, tok.name_as_written) != 0)
				sift_buf_printf(toks, "/%s", tok.name_as_written);
			break;
		case SIFT_SIEVE_TOK_NUMBER:
			sift_buf_printf(toks, "#%llu", (unsigned long long)tok.number);
			break;
		case SIFT_SIEVE_TOK_STRING:
			assert_int_equal(tok.string.data[tok.string.len], '\0');
			assert_int_equal(tok.string.line, tok.line);
			assert_int_equal(tok.string.column, tok.column);
			sift_buf_append_str(toks, tok.string.multiline ? "M\"" : "\"");
			put_bytes(toks, tok.string.data, tok.string.len);
			sift_buf_append_c(toks, '"');
			break;
		default: {
			char buf[80];
			const char *d = sift_sieve_lex_describe(&tok, buf, sizeof(buf));
			/* "'['" -> "[" */
			sift_buf_append(toks, d + 1, 1);
			break;
		}
		}
		sift_buf_printf(toks, "@%u:%u", tok.line, tok.column);
		if (tok.type == SIFT_SIEVE_TOK_EOF || tok.type == SIFT_SIEVE_TOK_ERROR) {
			struct sift_sieve_token again;
			sift_sieve_lex_next(&lex, &again);
			assert_int_equal(again.type, tok.type);
			break;
		}
	}
	for (size_t i = 0; i < diags.count; i++) {
		assert_int_equal(diags.items[i].severity, SIFT_SEV_ERROR);
		sift_buf_printf(diag_out, "%u:%u: %s\n", diags.items[i].line, diags.items[i].column,
		                diags.items[i].text);
	}
	assert_int_equal(diags.errors, diags.count);
	sift_diags_free(&diags);
	sift_arena_destroy(&arena);
}

static void
check_lex(const char *in, size_t len, const char *want_toks, const char *want_diags)
{
	struct sift_buf toks, diags;

	sift_buf_init(&toks, 0);
	sift_buf_init(&diags, 0);
	lex_all(in, len, &toks, &diags);
	assert_string_equal(toks.len == 0 ? "" : toks.data, want_toks);
	assert_string_equal(diags.len == 0 ? "" : diags.data, want_diags);
	sift_buf_free(&toks);
	sift_buf_free(&diags);
}

#define LEX(in, toks, diags) check_lex(S(in), toks, diags)

static void
test_lex_empty(void **state)
{
	LEX("", "EOF@1:1", "");
	check_lex(NULL, 0, "EOF@1:1", "");
	LEX(" \t\r\n  ", "EOF@2:3", "");
}

static void
test_lex_punctuation(void **state)
{
	LEX("[](){},;", "[@1:1 ]@1:2 (@1:3 )@1:4 {@1:5 }@1:6 ,@1:7 ;@1:8 EOF@1:9", "");
	LEX(" [ \"a\" , \"b\" ] ;", "[@1:2 \"a\"@1:4 ,@1:8 \"b\"@1:10 ]@1:14 ;@1:16 EOF@1:17", "");
}

static void
test_lex_identifiers_case(void **state)
{
	LEX("keep KEEP FileInto _x a1_b2 x_",
	    "keep@1:1 keep/KEEP@1:6 fileinto/FileInto@1:11 _x@1:20 a1_b2@1:23 x_@1:29 EOF@1:31",
	    "");
	/* An identifier ends where a non-identifier byte starts. */
	LEX("keep;stop", "keep@1:1 ;@1:5 stop@1:6 EOF@1:10", "");
}

static void
test_lex_tags(void **state)
{
	LEX(":is :Contains :COMPARATOR :over_2",
	    ":is@1:1 :contains/Contains@1:5 :comparator/COMPARATOR@1:15 :over_2@1:27 EOF@1:34", "");
	/* A tag needs its name right after the colon. */
	LEX(": is", "is@1:3 EOF@1:5", "1:1: expected tag name after ':'\n");
	LEX(":1", "#1@1:2 EOF@1:3", "1:1: expected tag name after ':'\n");
	LEX("x:", "x@1:1 EOF@1:3", "1:2: expected tag name after ':'\n");
}

static void
test_lex_numbers(void **state)
{
	LEX("0 42 007 1K 1k 2M 3m 4G 5g",
	    "#0@1:1 #42@1:3 #7@1:6 #1024@1:10 #1024@1:13 #2097152@1:16 #3145728@1:19 "
	    "#4294967296@1:22 #5368709120@1:25 EOF@1:27",
	    "");
	/* RFC 5228 2.4.1: at least 2^31 - 1. */
	LEX("2147483647", "#2147483647@1:1 EOF@1:11", "");
	/* The quantifier must touch the digits; anything after it is a new
	   token, as in Pigeonhole. */
	LEX("100 K 100Kx 1abc 1T",
	    "#100@1:1 k/K@1:5 #102400@1:7 x@1:11 #1@1:13 abc@1:14 #1@1:18 t/T@1:19 EOF@1:20", "");
}

static void
test_lex_number_edges(void **state)
{
	LEX("18446744073709551615", "#18446744073709551615@1:1 EOF@1:21", "");
	LEX(" 18446744073709551616", "#18446744073709551615@1:2 EOF@1:22",
	    "1:2: number too large\n");
	LEX("99999999999999999999999999", "#18446744073709551615@1:1 EOF@1:27",
	    "1:1: number too large\n");
	/* (2^34 - 1) * 2^30 fits, 2^34 * 2^30 = 2^64 does not. */
	LEX("17179869183G", "#18446744072635809792@1:1 EOF@1:13", "");
	LEX("17179869184G", "#18446744073709551615@1:1 EOF@1:13", "1:1: number too large\n");
	LEX("17592186044415M 17592186044416M",
	    "#18446744073708503040@1:1 #18446744073709551615@1:17 EOF@1:32",
	    "1:17: number too large\n");
	LEX("18014398509481983K 18014398509481984K",
	    "#18446744073709550592@1:1 #18446744073709551615@1:20 EOF@1:38",
	    "1:20: number too large\n");
	/* Too large before the quantifier, one report. */
	LEX("18446744073709551616K", "#18446744073709551615@1:1 EOF@1:22",
	    "1:1: number too large\n");
}

static void
test_lex_quoted_escapes(void **state)
{
	LEX("\"\"", "\"\"@1:1 EOF@1:3", "");
	LEX("\"a\\\"b\\\\c\"", "\"a\\x22b\\x5cc\"@1:1 EOF@1:10", "");
	/* RFC 5228 2.4.2: "\a" is just "a"; other escapes drop the
	   backslash too. */
	LEX("\"\\a\\q\\n\\t\\*\\?\"", "\"aqnt*?\"@1:1 EOF@1:15", "");
	/* "\\*" is a backslash and a star (the :matches escape). */
	LEX("\"\\\\*\"", "\"\\x5c*\"@1:1 EOF@1:6", "");
	/* Comment starts and hashes are data inside a string. */
	LEX("\"# /* x */\"", "\"# /* x */\"@1:1 EOF@1:12", "");
}

static void
test_lex_quoted_line_ends(void **state)
{
	/* Both line ends are kept as CRLF; the next token's line is right. */
	LEX("\"a\nb\r\nc\" x", "\"a\\x0d\\x0ab\\x0d\\x0ac\"@1:1 x@3:4 EOF@3:5", "");
	/* A backslash before a line end only drops the backslash. */
	LEX("\"a\\\nb\" \"c\\\r\nd\"", "\"a\\x0d\\x0ab\"@1:1 \"c\\x0d\\x0ad\"@2:4 EOF@3:3", "");
	/* Tabs and other control bytes are data. */
	LEX("\"\t\x01\x7f\"", "\"\\x09\\x01\\x7f\"@1:1 EOF@1:6", "");
}

static void
test_lex_quoted_unterminated(void **state)
{
	LEX("keep \"abc", "keep@1:1 ERROR@1:10", "1:6: unterminated string\n");
	LEX("x\n  \"abc\n\ndef\\\"", "x@1:1 ERROR@4:6", "2:3: unterminated string\n");
	/* A backslash as the very last byte. */
	LEX("\"\\", "ERROR@1:3", "1:1: unterminated string\n");
}

static void
test_lex_multiline_basic(void **state)
{
	LEX("text:\r\nline 1\r\nline 2\r\n.\r\n;",
	    "M\"line 1\\x0d\\x0aline 2\\x0d\\x0a\"@1:1 ;@5:1 EOF@5:2", "");
	/* Bare LF: the same value, CRLF inside. */
	LEX("text:\nline 1\nline 2\n.\n;",
	    "M\"line 1\\x0d\\x0aline 2\\x0d\\x0a\"@1:1 ;@5:1 EOF@5:2", "");
	/* Empty value and empty lines. */
	LEX("text:\n.\n", "M\"\"@1:1 EOF@3:1", "");
	LEX("text:\n\n\n.\n", "M\"\\x0d\\x0a\\x0d\\x0a\"@1:1 EOF@5:1", "");
	/* "text:" is case-insensitive and may follow other tokens directly. */
	LEX("reject TEXT:\nx\n.\n;", "reject@1:1 M\"x\\x0d\\x0a\"@1:8 ;@4:1 EOF@4:2", "");
	/* No escapes or comments inside. */
	LEX("text:\n\\\" # /* */\n.\n", "M\"\\x5c\\x22 # /* */\\x0d\\x0a\"@1:1 EOF@4:1", "");
}

static void
test_lex_multiline_dot_stuffing(void **state)
{
	/* RFC 5228 2.4.2: ".." loses a dot, ".foo" stays, "." alone ends. */
	LEX("text:\n..\n...\n.foo\n..foo\n. \n.\n",
	    "M\".\\x0d\\x0a..\\x0d\\x0a.foo\\x0d\\x0a.foo\\x0d\\x0a. \\x0d\\x0a\"@1:1 EOF@8:1", "");
	/* The RFC's own ".... Fred" line. */
	LEX("text:\r\n.... Fred\r\n.\r\n", "M\"... Fred\\x0d\\x0a\"@1:1 EOF@4:1", "");
	/* ".;" is content, not the end. */
	LEX("text:\na\n.;\n.\n;", "M\"a\\x0d\\x0a.;\\x0d\\x0a\"@1:1 ;@5:1 EOF@5:2", "");
}

static void
test_lex_multiline_header(void **state)
{
	/* White space and a hash comment may follow "text:". */
	LEX("text: \t # a comment \" [\r\nabc\r\n.\r\n", "M\"abc\\x0d\\x0a\"@1:1 EOF@4:1", "");
	LEX("text:   \nabc\n.\n", "M\"abc\\x0d\\x0a\"@1:1 EOF@4:1", "");
	/* Anything else is an error; the rest of the line is dropped and the
	   lines after it still form the string. */
	LEX("text: foo\nabc\n.\n;", "M\"abc\\x0d\\x0a\"@1:1 ;@4:1 EOF@4:2",
	    "1:7: expected end of line after 'text:'\n");
	LEX("text:/* c */\nabc\n.\n", "M\"abc\\x0d\\x0a\"@1:1 EOF@4:1",
	    "1:6: expected end of line after 'text:'\n");
	/* "text" with a space before the colon is an identifier. */
	LEX("text :x", "text@1:1 :x@1:6 EOF@1:8", "");
	LEX("texts:\n", "texts@1:1 EOF@2:1", "1:6: expected tag name after ':'\n");
}

static void
test_lex_multiline_unterminated(void **state)
{
	LEX("text:", "ERROR@1:6", "1:1: unterminated multi-line string\n");
	LEX("x text: # c", "x@1:1 ERROR@1:12", "1:3: unterminated multi-line string\n");
	LEX("text:\nabc\n", "ERROR@3:1", "1:1: unterminated multi-line string\n");
	/* The final "." needs its line end (RFC 5228 8.1, and Pigeonhole). */
	LEX("text:\nabc\n.", "ERROR@3:2", "1:1: unterminated multi-line string\n");
	LEX("text:\nabc\n.\r", "ERROR@3:3", "1:1: unterminated multi-line string\n");
	LEX("text:\nabc", "ERROR@2:4", "1:1: unterminated multi-line string\n");
}

static void
test_lex_comments(void **state)
{
	/* RFC 5228 2.3 examples. */
	LEX("if size :over 100k { # this is a comment\r\n   discard;\r\n}\r\n",
	    "if@1:1 size@1:4 :over@1:9 #102400@1:15 {@1:20 discard@2:4 ;@2:11 }@3:1 EOF@4:1", "");
	LEX("if size :over 100K { /* this is a comment\r\n"
	    "   this is still a comment */ discard /* this is a comment\r\n"
	    "   */ ;\r\n}\r\n",
	    "if@1:1 size@1:4 :over@1:9 #102400@1:15 {@1:20 discard@2:31 ;@3:7 }@4:1 EOF@5:1", "");
	/* Stars and slashes inside; a comment needs no white space around. */
	LEX("a/* ** / * */b/**/c/***/d", "a@1:1 b@1:14 c@1:19 d@1:25 EOF@1:26", "");
	/* Slash, star, slash opens a comment but does not close it. */
	LEX("/*/ x */y", "y@1:9 EOF@1:10", "");
	/* A hash comment may end the script without a line end. */
	LEX("keep; # no newline", "keep@1:1 ;@1:5 EOF@1:19", "");
	LEX("# only\n# comments\n/* here */\n", "EOF@4:1", "");
	/* "#" inside a bracket comment and the reverse. */
	LEX("/* # */ x # /* \ny */", "x@1:9 y@2:1 EOF@2:5", "2:3: unexpected character '*'\n");
}

static void
test_lex_comment_unterminated(void **state)
{
	LEX("keep;\n  /* never\nclosed *", "keep@1:1 ;@1:5 ERROR@3:9",
	    "2:3: unterminated comment\n");
	LEX("/*", "ERROR@1:3", "1:1: unterminated comment\n");
}

static void
test_lex_positions(void **state)
{
	/* Tabs count one column; a multi-line string and a comment move the
	   line on; CRLF and LF both end lines. */
	LEX("\tif\t:is\r\n\"a\" text:\r\nx\r\n.\r\n  /*\n\n*/ }\n\n{",
	    "if@1:2 :is@1:5 \"a\"@2:1 M\"x\\x0d\\x0a\"@2:5 }@7:4 {@9:1 EOF@9:2", "");
}

static void
test_lex_nul(void **state)
{
	/* RFC 5228 2.1: NUL is never permitted.  Pigeonhole refuses it
	   everywhere; so do we, but the token around it survives. */
	LEX("\"a\0b\0c\" x", "\"a\\x00b\\x00c\"@1:1 x@1:9 EOF@1:10",
	    "1:3: NUL character in script\n");
	LEX("keep;\0stop;", "keep@1:1 ;@1:5 stop@1:7 ;@1:11 EOF@1:12",
	    "1:6: NUL character in script\n");
	LEX("# a\0b\nx /* \0 */ y", "x@2:1 y@2:11 EOF@2:12",
	    "1:4: NUL character in script\n2:6: NUL character in script\n");
	LEX("text: #\0\nA\0\n.\n", "M\"A\\x00\\x0d\\x0a\"@1:1 EOF@4:1",
	    "1:8: NUL character in script\n2:2: NUL character in script\n");
	LEX("\0", "EOF@1:2", "1:1: NUL character in script\n");
}

static void
test_lex_bare_cr(void **state)
{
	/* Between tokens a lone CR is white space (Pigeonhole too) and does
	   not start a line. */
	LEX("keep;\rstop;\r\r\nx", "keep@1:1 ;@1:5 stop@1:7 ;@1:11 x@2:1 EOF@2:2", "");
	/* Inside strings it is an error, reported once per string; the
	   byte is kept. */
	LEX("\"a\rb\rc\"", "\"a\\x0db\\x0dc\"@1:1 EOF@1:8", "1:3: CR without LF in string\n");
	LEX("text:\na\rb\n.\n", "M\"a\\x0db\\x0d\\x0a\"@1:1 EOF@4:1",
	    "2:2: CR without LF in multi-line string\n");
}

static void
test_lex_stray_bytes(void **state)
{
	/* One report per run of bytes that cannot start a token. */
	LEX("keep @foo;", "keep@1:1 ;@1:10 EOF@1:11", "1:6: unexpected character '@'\n");
	LEX("a $ b", "a@1:1 b@1:5 EOF@1:6", "1:3: unexpected character '$'\n");
	LEX("x / y", "x@1:1 y@1:5 EOF@1:6", "1:3: unexpected character '/'\n");
	/* 8-bit bytes are fine in strings and comments only. */
	LEX("\xc3\xa9t\xc3\xa9 \"\xc3\xa9\" # \xff\n", "\"\\xc3\\xa9\"@1:7 EOF@2:1",
	    "1:1: unexpected byte 0xc3\n");
	LEX("\x7f", "EOF@1:2", "1:1: unexpected byte 0x7f\n");
}

static void
test_lex_non_utf8_strings(void **state)
{
	/* RFC 5228 2.4.2: strings that are not UTF-8 are accepted as they
	   are. */
	LEX("\"\xff\xfe\x80\xc3\" text:\n\xc0\xaf\n.\n",
	    "\"\\xff\\xfe\\x80\\xc3\"@1:1 M\"\\xc0\\xaf\\x0d\\x0a\"@1:8 EOF@4:1", "");
}

static void
test_lex_huge_string(void **state)
{
	/* 8 MiB of quoted string with escapes and line ends, then a token:
	   linear time, exact length. */
	size_t n = 8u << 20;
	char *in = sift_malloc(n + 16);
	size_t len = 0;
	in[len++] = '"';
	for (size_t i = 0; i < n / 4; i++) {
		memcpy(in + len, i % 2 == 0 ? "ab\\\"" : "c\nd\\", 4);
		len += 4;
	}
	in[len++] = 'x';
	memcpy(in + len, "\" ;", 3);
	len += 3;

	struct sift_arena *arena = sift_arena_create(0);
	struct sift_diags diags;
	struct sift_sieve_lexer lex;
	struct sift_sieve_token tok;
	clock_t t0 = clock();

	sift_diags_init(&diags);
	sift_sieve_lex_init(&lex, arena, in, len, &diags);
	sift_sieve_lex_next(&lex, &tok);
	assert_int_equal(tok.type, SIFT_SIEVE_TOK_STRING);
	/* An even chunk decodes to 3 bytes (its first byte escaped by the
	   chunk before, which changes nothing), an odd one to 4 (c CR LF d,
	   its backslash escaping the next byte). */
	size_t want = 0;
	for (size_t i = 0; i < n / 4; i++)
		want += i % 2 == 0 ? 3 : 4;
	want += 1; /* the final "\x" is "x" */
	assert_int_equal(tok.string.len, want);
	assert_memory_equal(tok.string.data, "ab\"c\r\nd", 7);
	assert_memory_equal(tok.string.data + want - 1, "x", 1);
	sift_sieve_lex_next(&lex, &tok);
	assert_int_equal(tok.type, SIFT_SIEVE_TOK_SEMICOLON);
	assert_int_equal(tok.line, n / 8 + 1);
	sift_sieve_lex_next(&lex, &tok);
	assert_int_equal(tok.type, SIFT_SIEVE_TOK_EOF);
	assert_int_equal(diags.count, 0);
	/* Generous: well under a second even with sanitizers. */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	sift_diags_free(&diags);
	sift_arena_destroy(&arena);
	sift_free(in);
}

static void
test_lex_describe(void **state)
{
	struct sift_sieve_token tok;
	char buf[80];
	char name[100];

	memset(&tok, 0, sizeof(tok));
	tok.type = SIFT_SIEVE_TOK_EOF;
	assert_string_equal(sift_sieve_lex_describe(&tok, buf, sizeof(buf)), "end of script");
	tok.type = SIFT_SIEVE_TOK_RBRACE;
	assert_string_equal(sift_sieve_lex_describe(&tok, buf, sizeof(buf)), "'}'");
	tok.type = SIFT_SIEVE_TOK_STRING;
	assert_string_equal(sift_sieve_lex_describe(&tok, buf, sizeof(buf)), "string");
	tok.string.multiline = true;
	assert_string_equal(sift_sieve_lex_describe(&tok, buf, sizeof(buf)), "multi-line string");
	tok.type = SIFT_SIEVE_TOK_NUMBER;
	assert_string_equal(sift_sieve_lex_describe(&tok, buf, sizeof(buf)), "number");
	tok.type = SIFT_SIEVE_TOK_IDENTIFIER;
	tok.name = "keep";
	tok.name_as_written = "KeeP";
	tok.name_len = 4;
	assert_string_equal(sift_sieve_lex_describe(&tok, buf, sizeof(buf)), "identifier 'KeeP'");
	tok.type = SIFT_SIEVE_TOK_TAG;
	assert_string_equal(sift_sieve_lex_describe(&tok, buf, sizeof(buf)), "tag ':KeeP'");
	memset(name, 'a', 99);
	name[99] = '\0';
	tok.name = tok.name_as_written = name;
	tok.name_len = 99;
	assert_string_equal(sift_sieve_lex_describe(&tok, buf, sizeof(buf)),
	                    "tag ':aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lex_empty),
	    cmocka_unit_test(test_lex_punctuation),
	    cmocka_unit_test(test_lex_identifiers_case),
	    cmocka_unit_test(test_lex_tags),
	    cmocka_unit_test(test_lex_numbers),
	    cmocka_unit_test(test_lex_number_edges),
	    cmocka_unit_test(test_lex_quoted_escapes),
	    cmocka_unit_test(test_lex_quoted_line_ends),
	    cmocka_unit_test(test_lex_quoted_unterminated),
	    cmocka_unit_test(test_lex_multiline_basic),
	    cmocka_unit_test(test_lex_multiline_dot_stuffing),
	    cmocka_unit_test(test_lex_multiline_header),
	    cmocka_unit_test(test_lex_multiline_unterminated),
	    cmocka_unit_test(test_lex_comments),
	    cmocka_unit_test(test_lex_comment_unterminated),
	    cmocka_unit_test(test_lex_positions),
	    cmocka_unit_test(test_lex_nul),
	    cmocka_unit_test(test_lex_bare_cr),
	    cmocka_unit_test(test_lex_stray_bytes),
	    cmocka_unit_test(test_lex_non_utf8_strings),
	    cmocka_unit_test(test_lex_huge_string),
	    cmocka_unit_test(test_lex_describe),
	};
	return cmocka_run_group_tests_name("sieve-lexer", tests, NULL, NULL);
}
