/* SPDX-License-Identifier: MIT */
/* RFC 5322 address lists (3.4), with the obsolete syntax of 4.4 and the
   8-bit text of RFC 6532 (bytes >= 0x80 are atom text, kept as data).

   One pass: a lexer turns the field value into tokens (atoms, quoted
   strings, domain literals, specials), dropping white space and comments,
   and a parser with one token of lookahead builds the entries.  Time and
   memory are linear in the input.  Comments are skipped with a counter, not
   recursion; one nested deeper than ADDR_COMMENT_DEPTH makes its entry
   invalid.

   Bad input: an entry that does not parse is kept with invalid = true and
   its raw text, SIFT_DEFECT_BAD_ADDRESS is set, and parsing resumes at the
   next ',' (or ';' inside a group).  An unterminated quoted string, comment
   or domain literal runs to the end of the input, so it is the last entry.
   Control bytes in atoms and NUL outside comments make the entry invalid
   (controls are obs-qtext inside quoted strings).  Leniencies, which keep the entry valid
   but also set SIFT_DEFECT_BAD_ADDRESS: a local part without a domain
   ("user", "<user>": Postfix and Pigeonhole read it as a local address),
   empty words in a local part ("a..b@x", "a.@x"), missing commas between
   addresses, an addr-spec used as display name ("a@x <a@x>"), a group
   without its ';', a stray ';'. */
#include "mail/rfc5322-address.h"
#include "mail/rfc5322.h"
#include "mail/defects.h"
#include "mail/rfc2047.h"
#include "util/buffer.h"

#include <string.h>

/* Deeper comment nesting than this is not mail, it is an attack. */
#define ADDR_COMMENT_DEPTH 100

enum addr_tok_type {
	TOK_END,
	TOK_ATOM,
	TOK_QSTR,
	TOK_DLIT,
	TOK_SPECIAL,
	/* Unterminated quoted string, comment or literal; too deep comment. */
	TOK_BAD,
};

struct addr_tok {
	enum addr_tok_type type;
	char c; /* the character of a TOK_SPECIAL */
	size_t start, end;
	/* White space or a comment came before the token. */
	bool space;
	/* NUL or control bytes inside: the entry holding it is invalid. */
	bool bad;
};

struct addr_parser {
	struct sift_arena *arena;
	const char *in;
	size_t len;
	size_t pos;
	struct addr_tok cur;
	size_t last_end;
	uint32_t defects;
	bool entry_bad;
	bool in_group;
	const char *group;
	struct sift_address *head, **tail;
	size_t count;
	struct sift_buf display, local, domain, decoded;
	bool raw_names; /* SIFT_ADDRESS_RAW_NAMES */
};

/* What collect_words() saw: enough to tell a local part from a phrase. */
struct addr_words {
	size_t tokens;
	size_t words;
	/* Two words with no '.' between them: a phrase, not a local part. */
	bool adjacent;
	/* A leading, trailing or doubled '.'. */
	bool empty_word;
};

/* One parsed mailbox before it is stored. */
struct addr_mailbox {
	const char *display;
	size_t display_len;
	const char *local;
	size_t local_len;
	const char *domain;
	size_t domain_len;
};

static bool
addr_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
addr_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool
addr_is_special(unsigned char c)
{
	switch (c) {
	case '(':
	case ')':
	case '<':
	case '>':
	case '[':
	case ']':
	case ':':
	case ';':
	case '@':
	case '\\':
	case ',':
	case '.':
	case '"':
		return true;
	default:
		return false;
	}
}

/* Skips the comment at p->pos.  Returns 0, -1 when it nests too deep, -2
   when it does not end (p->pos is then the end of the input). */
static int
addr_skip_comment(struct addr_parser *p)
{
	enum sift_comment_status status;
	p->pos = sift_rfc5322_skip_comment(p->in, p->len, p->pos, ADDR_COMMENT_DEPTH, &status);
	switch (status) {
	case SIFT_COMMENT_CLOSED:
		return 0;
	case SIFT_COMMENT_TOO_DEEP:
		return -1;
	case SIFT_COMMENT_UNCLOSED:
		break;
	}
	return -2;
}

/* Scans a quoted string or domain literal from p->pos up to its closing
   character; false when it does not close. */
static bool
addr_scan_delimited(struct addr_parser *p, char close, bool *bad_r)
{
	size_t i = p->pos + 1;

	while (i < p->len && p->in[i] != close) {
		if (p->in[i] == '\\') {
			i++;
			if (i < p->len && p->in[i] == '\0')
				*bad_r = true;
		} else if (p->in[i] == '\0' || (close == ']' && p->in[i] == '[')) {
			/* NUL is no data; '[' inside a literal is not dtext. */
			*bad_r = true;
		}
		i++;
	}
	if (i >= p->len) {
		p->pos = p->len;
		return false;
	}
	p->pos = i + 1;
	return true;
}

static void
addr_lex(struct addr_parser *p)
{
	struct addr_tok *t = &p->cur;
	bool space = false;

	memset(t, 0, sizeof(*t));
	for (;;) {
		if (p->pos >= p->len) {
			t->type = TOK_END;
			t->start = t->end = p->len;
			t->space = space;
			return;
		}
		unsigned char c = p->in[p->pos];
		if (addr_is_ws(c)) {
			p->pos++;
			space = true;
			continue;
		}
		if (c != '(')
			break;
		size_t start = p->pos;
		if (addr_skip_comment(p) == 0) {
			space = true;
			continue;
		}
		t->type = TOK_BAD;
		t->start = start;
		t->end = p->pos;
		t->space = space;
		return;
	}

	unsigned char c = p->in[p->pos];
	t->start = p->pos;
	t->space = space;
	if (c == '"' || c == '[') {
		t->type = c == '"' ? TOK_QSTR : TOK_DLIT;
		if (!addr_scan_delimited(p, c == '"' ? '"' : ']', &t->bad))
			t->type = TOK_BAD;
	} else if (addr_is_special(c)) {
		t->type = TOK_SPECIAL;
		t->c = (char)c;
		p->pos++;
	} else {
		t->type = TOK_ATOM;
		while (p->pos < p->len) {
			c = p->in[p->pos];
			if (addr_is_ws(c) || addr_is_special(c))
				break;
			if (addr_is_ctl(c))
				t->bad = true;
			p->pos++;
		}
	}
	t->end = p->pos;
}

static void
addr_advance(struct addr_parser *p)
{
	p->last_end = p->cur.end;
	if (p->cur.bad)
		p->entry_bad = true;
	addr_lex(p);
}

static bool
addr_at(const struct addr_parser *p, char c)
{
	return p->cur.type == TOK_SPECIAL && p->cur.c == c;
}

/* Appends the value of a quoted string: quotes and quoted-pair backslashes
   removed, the CR and LF of folding dropped. */
static void
addr_append_qstr(struct sift_buf *buf, const char *s, size_t len)
{
	for (size_t i = 1; i + 1 < len; i++) {
		if (s[i] == '\\' && i + 2 < len)
			sift_buf_append_c(buf, s[++i]);
		else if (s[i] != '\r' && s[i] != '\n')
			sift_buf_append_c(buf, s[i]);
	}
}

static void
addr_append_tok(const struct addr_parser *p, struct sift_buf *buf)
{
	const char *s = p->in + p->cur.start;
	size_t len = p->cur.end - p->cur.start;

	if (p->cur.type == TOK_QSTR)
		addr_append_qstr(buf, s, len);
	else
		sift_buf_append(buf, s, len);
}

/* Reads a run of words and dots: a display name (into p->display, with a
   space where the input had white space or a comment) or a local part
   (into p->local, without).  Which one it is, the next token tells. */
static void
addr_collect_words(struct addr_parser *p, struct addr_words *w)
{
	bool prev_word = false;

	memset(w, 0, sizeof(*w));
	sift_buf_reset(&p->display);
	sift_buf_reset(&p->local);
	while (p->cur.type == TOK_ATOM || p->cur.type == TOK_QSTR || addr_at(p, '.')) {
		if (w->tokens > 0 && p->cur.space)
			sift_buf_append_c(&p->display, ' ');
		addr_append_tok(p, &p->display);
		addr_append_tok(p, &p->local);
		if (p->cur.type == TOK_SPECIAL) {
			if (!prev_word)
				w->empty_word = true;
			prev_word = false;
		} else {
			if (prev_word)
				w->adjacent = true;
			w->words++;
			prev_word = true;
		}
		w->tokens++;
		addr_advance(p);
	}
	if (w->tokens > 0 && !prev_word)
		w->empty_word = true;
}

static bool
addr_is_local_part(struct addr_parser *p, const struct addr_words *w)
{
	if (w->words == 0 || w->adjacent)
		return false;
	if (w->empty_word)
		p->defects |= SIFT_DEFECT_BAD_ADDRESS;
	return true;
}

static bool
addr_has_encoded_word(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] == '=' && s[i + 1] == '?')
			return true;
	}
	return false;
}

/* Folds white space runs of p->display to single spaces, trims it and
   decodes RFC 2047 words.  Returns arena memory, NULL if empty. */
static const char *
addr_finish_display(struct addr_parser *p, size_t *len_r)
{
	struct sift_buf *d = &p->display;
	size_t out = 0;
	bool ws = false;

	for (size_t i = 0; i < d->len; i++) {
		if (addr_is_ws((unsigned char)d->data[i])) {
			ws = true;
			continue;
		}
		if (ws && out > 0)
			d->data[out++] = ' ';
		ws = false;
		d->data[out++] = d->data[i];
	}
	sift_buf_truncate(d, out);
	*len_r = 0;
	if (d->len == 0)
		return NULL;
	if (p->raw_names || !addr_has_encoded_word(d->data, d->len)) {
		*len_r = d->len;
		return sift_arena_memdup0(p->arena, d->data, d->len);
	}
	sift_buf_reset(&p->decoded);
	sift_rfc2047_decode(d->data, d->len, &p->decoded, &p->defects);
	*len_r = p->decoded.len;
	return sift_arena_memdup0(p->arena, p->decoded.data == NULL ? "" : p->decoded.data,
	                          p->decoded.len);
}

/* domain = dot-atom / domain-literal / obs-domain, into p->domain. */
static bool
addr_parse_domain(struct addr_parser *p)
{
	sift_buf_reset(&p->domain);
	if (p->cur.type == TOK_DLIT) {
		for (size_t i = p->cur.start; i < p->cur.end; i++) {
			if (!addr_is_ws((unsigned char)p->in[i]))
				sift_buf_append_c(&p->domain, p->in[i]);
		}
		addr_advance(p);
		return true;
	}
	if (p->cur.type != TOK_ATOM)
		return false;
	addr_append_tok(p, &p->domain);
	addr_advance(p);
	while (addr_at(p, '.')) {
		addr_advance(p);
		if (p->cur.type != TOK_ATOM)
			return false;
		sift_buf_append_c(&p->domain, '.');
		addr_append_tok(p, &p->domain);
		addr_advance(p);
	}
	return true;
}

static void
addr_take_local(struct addr_parser *p, struct addr_mailbox *mb)
{
	mb->local_len = p->local.len;
	mb->local =
	    sift_arena_memdup0(p->arena, p->local.data == NULL ? "" : p->local.data, p->local.len);
}

/* "@" domain after a local part, or nothing (a local address). */
static bool
addr_parse_at_domain(struct addr_parser *p, struct addr_mailbox *mb)
{
	if (!addr_at(p, '@')) {
		p->defects |= SIFT_DEFECT_BAD_ADDRESS;
		mb->domain = NULL;
		mb->domain_len = 0;
		return true;
	}
	addr_advance(p);
	if (!addr_parse_domain(p))
		return false;
	mb->domain_len = p->domain.len;
	mb->domain = sift_arena_memdup0(p->arena, p->domain.data, p->domain.len);
	return true;
}

/* angle-addr / obs-angle-addr, at the '<'.  The source route of
   obs-route ("@a,@b:") is read and dropped. */
static bool
addr_parse_angle(struct addr_parser *p, struct addr_mailbox *mb)
{
	struct addr_words w;

	addr_advance(p);
	if (addr_at(p, '@') || addr_at(p, ',')) {
		while (p->cur.type == TOK_ATOM || p->cur.type == TOK_DLIT || addr_at(p, '@') ||
		       addr_at(p, ',') || addr_at(p, '.'))
			addr_advance(p);
		if (!addr_at(p, ':'))
			return false;
		addr_advance(p);
	}
	addr_collect_words(p, &w);
	if (!addr_is_local_part(p, &w))
		return false;
	addr_take_local(p, mb);
	if (!addr_parse_at_domain(p, mb))
		return false;
	if (!addr_at(p, '>'))
		return false;
	addr_advance(p);
	return true;
}

static void
addr_store(struct addr_parser *p, const struct addr_mailbox *mb, bool invalid)
{
	struct sift_address *a = sift_arena_zalloc(p->arena, sizeof(*a));

	a->display_name = mb->display;
	a->display_name_len = mb->display_len;
	a->local_part = mb->local;
	a->local_part_len = mb->local_len;
	a->domain = mb->domain;
	a->domain_len = mb->domain_len;
	a->group = p->group;
	a->invalid = invalid;
	*p->tail = a;
	p->tail = &a->next;
	p->count++;
}

static void
addr_store_invalid(struct addr_parser *p, size_t start)
{
	struct addr_mailbox mb = {0};

	p->defects |= SIFT_DEFECT_BAD_ADDRESS;
	mb.local_len = p->last_end - start;
	mb.local = sift_arena_memdup0(p->arena, p->in + start, mb.local_len);
	addr_store(p, &mb, true);
}

static bool
addr_at_entry_end(const struct addr_parser *p)
{
	return p->cur.type == TOK_END || addr_at(p, ',') || addr_at(p, ';');
}

/* One address, group start or invalid entry, from a token that is not
   ',', ';' or the end. */
static void
addr_parse_entry(struct addr_parser *p)
{
	size_t start = p->cur.start;
	struct addr_mailbox mb = {0};
	struct addr_words w;

	p->entry_bad = false;
	p->last_end = start;
	addr_collect_words(p, &w);
	if (addr_at(p, '<')) {
		mb.display = addr_finish_display(p, &mb.display_len);
		if (!addr_parse_angle(p, &mb))
			goto fail;
	} else if (addr_at(p, ':')) {
		if (w.tokens == 0 || p->in_group)
			goto fail;
		size_t len;
		const char *name = addr_finish_display(p, &len);
		p->group = name != NULL ? name : "";
		p->in_group = true;
		if (p->entry_bad)
			p->defects |= SIFT_DEFECT_BAD_ADDRESS;
		addr_advance(p);
		return;
	} else if (addr_is_local_part(p, &w) && (addr_at(p, '@') || addr_at_entry_end(p))) {
		addr_take_local(p, &mb);
		if (!addr_parse_at_domain(p, &mb))
			goto fail;
		if (mb.domain != NULL && addr_at(p, '<')) {
			/* "a@x <a@x>": what a reader sees as the name. */
			p->defects |= SIFT_DEFECT_BAD_ADDRESS;
			sift_buf_reset(&p->display);
			sift_buf_append(&p->display, p->in + start, p->last_end - start);
			mb.display = addr_finish_display(p, &mb.display_len);
			if (!addr_parse_angle(p, &mb))
				goto fail;
		}
	} else {
		goto fail;
	}
	if (p->entry_bad) {
		addr_store_invalid(p, start);
		return;
	}
	addr_store(p, &mb, false);
	if (!addr_at_entry_end(p))
		p->defects |= SIFT_DEFECT_BAD_ADDRESS; /* missing comma */
	return;

fail:
	while (p->cur.type != TOK_END && !addr_at(p, ',') && !(p->in_group && addr_at(p, ';')))
		addr_advance(p);
	addr_store_invalid(p, start);
}

size_t
sift_address_parse_list(struct sift_arena *arena, const char *in, size_t len, size_t max,
                        struct sift_address **list_r, uint32_t *defects)
{
	return sift_address_parse_list_flags(arena, in, len, max, 0, list_r, defects);
}

size_t
sift_address_parse_list_flags(struct sift_arena *arena, const char *in, size_t len, size_t max,
                              unsigned int flags, struct sift_address **list_r, uint32_t *defects)
{
	struct addr_parser p;

	*list_r = NULL;
	if (max == 0)
		return 0;
	memset(&p, 0, sizeof(p));
	p.raw_names = (flags & SIFT_ADDRESS_RAW_NAMES) != 0;
	p.arena = arena;
	p.in = in;
	p.len = in == NULL ? 0 : len;
	p.tail = &p.head;
	sift_buf_init(&p.display, 0);
	sift_buf_init(&p.local, 0);
	sift_buf_init(&p.domain, 0);
	sift_buf_init(&p.decoded, 0);

	addr_lex(&p);
	while (p.count < max && p.cur.type != TOK_END) {
		if (addr_at(&p, ',')) {
			addr_advance(&p);
		} else if (addr_at(&p, ';')) {
			if (!p.in_group)
				p.defects |= SIFT_DEFECT_BAD_ADDRESS;
			p.in_group = false;
			p.group = NULL;
			addr_advance(&p);
		} else {
			addr_parse_entry(&p);
		}
	}
	if (p.in_group && p.cur.type == TOK_END)
		p.defects |= SIFT_DEFECT_BAD_ADDRESS;

	sift_buf_free(&p.display);
	sift_buf_free(&p.local);
	sift_buf_free(&p.domain);
	sift_buf_free(&p.decoded);
	if (defects != NULL)
		*defects |= p.defects;
	*list_r = p.head;
	return p.count;
}

/* atext of RFC 5322 3.2.3, plus the UTF-8 bytes of RFC 6532. */
static bool
addr_is_atext(unsigned char c)
{
	if (c >= 0x80)
		return true;
	if (c <= 0x20 || c == 0x7f)
		return false;
	return !addr_is_special(c);
}

static bool
addr_is_dot_atom(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return false;
		} else if (!addr_is_atext((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

const char *
sift_address_spec(struct sift_arena *arena, const struct sift_address *addr)
{
	const char *local = addr->local_part == NULL ? "" : addr->local_part;
	size_t llen = addr->local_part_len;
	bool quote = !addr->invalid && !addr_is_dot_atom(local, llen);
	bool at = !addr->invalid && addr->domain != NULL;
	size_t need = llen + 1;

	if (quote) {
		need += 2;
		for (size_t i = 0; i < llen; i++)
			need += local[i] == '"' || local[i] == '\\';
	}
	if (at)
		need += 1 + addr->domain_len;

	char *out = sift_arena_alloc(arena, need);
	size_t o = 0;
	if (quote)
		out[o++] = '"';
	for (size_t i = 0; i < llen; i++) {
		if (quote && (local[i] == '"' || local[i] == '\\'))
			out[o++] = '\\';
		out[o++] = local[i];
	}
	if (quote)
		out[o++] = '"';
	if (at) {
		out[o++] = '@';
		memcpy(out + o, addr->domain, addr->domain_len);
		o += addr->domain_len;
	}
	out[o] = '\0';
	return out;
}

void
sift_address_subaddress(const char *local, size_t len, const char *separators, const char **user_r,
                        size_t *user_len_r, const char **detail_r, size_t *detail_len_r)
{
	*user_r = local;
	*user_len_r = len;
	*detail_r = NULL;
	*detail_len_r = 0;
	if (separators == NULL || separators[0] == '\0')
		return;
	for (size_t i = 0; i < len; i++) {
		/* strchr() would find the terminator for a NUL byte. */
		if (local[i] != '\0' && strchr(separators, local[i]) != NULL) {
			*user_len_r = i;
			*detail_r = local + i + 1;
			*detail_len_r = len - i - 1;
			return;
		}
	}
}
