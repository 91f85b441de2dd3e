/* SPDX-License-Identifier: MIT */
/* Charset conversion to UTF-8.  Labels are resolved through a table of the
   aliases mail uses in practice, then handed to iconv; us-ascii and utf-8
   never reach iconv.  Each thread caches a few iconv descriptors, reset
   before every use, and frees them at thread exit (a pthread key
   destructor) or in sift_charset_thread_deinit().

   Limits: charset names longer than CHARSET_NAME_MAX or holding anything
   but letters, digits and "-_.:+" are unknown (this also keeps iconv's
   "//TRANSLIT" suffixes and path-like names away from iconv_open).
   Bad input: each undecodable byte (for UTF-8: each maximal invalid
   subpart, as Unicode recommends and Python and browsers do) becomes one
   U+FFFD and the conversion goes on; an incomplete sequence at the end
   becomes one U+FFFD.  Work is linear in the input: every iconv pass
   consumes input or ends the loop, and output stops at out's maximum. */
#include "mail/charset.h"
#include "mail/defects.h"
#include "util/str.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Longer than any IANA charset name (the longest has 45 characters). */
#define CHARSET_NAME_MAX 64
/* Descriptors kept per thread: a message rarely uses more than three. */
#define CD_CACHE_SIZE 6

static const char utf8_replacement[3] = {'\xef', '\xbf', '\xbd'};

enum charset_kind {
	CHARSET_UNKNOWN,
	CHARSET_UTF8,
	CHARSET_ASCII,
	CHARSET_ICONV,
};

struct charset_alias {
	const char *label;
	const char *name;
};

/* Labels seen in mail that iconv does not know, or knows as something
   narrower than what senders mean.  Supersets are chosen where senders
   routinely use the superset under the narrower label: GB2312/GBK mail is
   written by GBK/GB18030 encoders, EUC-KR mail by CP949 ones, and
   Shift_JIS mail by Windows (CP932, which also keeps 0x5C and 0x7E as
   backslash and tilde where glibc's SHIFT_JIS gives yen and overline).
   The "-i"/"-e" Hebrew and Arabic labels only say how text is laid out. */
static const struct charset_alias charset_aliases[] = {
    {"utf8", "utf-8"},
    {"unicode-1-1-utf-8", "utf-8"},
    {"unicode-2-0-utf-8", "utf-8"},
    {"ascii", "us-ascii"},
    {"us", "us-ascii"},
    {"ansi_x3.4-1968", "us-ascii"},
    {"ansi_x3.4-1986", "us-ascii"},
    {"iso646-us", "us-ascii"},
    {"iso-ir-6", "us-ascii"},
    {"cp367", "us-ascii"},
    {"ibm367", "us-ascii"},
    {"csascii", "us-ascii"},
    {"646", "us-ascii"},
    {"latin1", "ISO-8859-1"},
    {"latin-1", "ISO-8859-1"},
    {"l1", "ISO-8859-1"},
    {"iso8859-1", "ISO-8859-1"},
    {"iso_8859-1", "ISO-8859-1"},
    {"latin2", "ISO-8859-2"},
    {"latin-2", "ISO-8859-2"},
    {"l2", "ISO-8859-2"},
    {"latin9", "ISO-8859-15"},
    {"latin-9", "ISO-8859-15"},
    {"l9", "ISO-8859-15"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-8859-6-e", "ISO-8859-6"},
    {"iso_8859-6-i", "ISO-8859-6"},
    {"iso_8859-6-e", "ISO-8859-6"},
    {"iso-8859-8-i", "ISO-8859-8"},
    {"iso-8859-8-e", "ISO-8859-8"},
    {"iso_8859-8-i", "ISO-8859-8"},
    {"iso_8859-8-e", "ISO-8859-8"},
    {"csiso88598i", "ISO-8859-8"},
    {"csiso88598e", "ISO-8859-8"},
    {"logical", "ISO-8859-8"},
    {"visual", "ISO-8859-8"},
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601-1989", "CP949"},
    {"ks_c_5601", "CP949"},
    {"ks_c_5601_1987", "CP949"},
    {"ksc5601", "CP949"},
    {"ksc_5601", "CP949"},
    {"korean", "CP949"},
    {"euc-kr", "CP949"},
    {"euckr", "CP949"},
    {"cseuckr", "CP949"},
    {"uhc", "CP949"},
    {"cp949", "CP949"},
    {"gb2312", "GB18030"},
    {"gb_2312", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"csgb2312", "GB18030"},
    {"euc-cn", "GB18030"},
    {"euccn", "GB18030"},
    {"chinese", "GB18030"},
    {"iso-ir-58", "GB18030"},
    {"gbk", "GB18030"},
    {"cp936", "GB18030"},
    {"gb18030", "GB18030"},
    {"big5", "BIG5"},
    {"big-5", "BIG5"},
    {"cn-big5", "BIG5"},
    {"csbig5", "BIG5"},
    {"shift_jis", "CP932"},
    {"shift-jis", "CP932"},
    {"sjis", "CP932"},
    {"ms_kanji", "CP932"},
    {"csshiftjis", "CP932"},
    {"windows-31j", "CP932"},
    {"cswindows31j", "CP932"},
    {"cp932", "CP932"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"euc-jp", "EUC-JP"},
    {"eucjp", "EUC-JP"},
    {"koi8-r", "KOI8-R"},
    {"koi8r", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"cskoi8r", "KOI8-R"},
    {"koi8-u", "KOI8-U"},
    {"koi8u", "KOI8-U"},
    {"utf-16", "UTF-16"},
    {"utf16", "UTF-16"},
    {"unicode", "UTF-16"},
    {"utf-32", "UTF-32"},
    {"utf32", "UTF-32"},
    {"utf-7", "UTF-7"},
    {"utf7", "UTF-7"},
    {"unicode-1-1-utf-7", "UTF-7"},
    {"csunicode11utf7", "UTF-7"},
    {"mac", "MACINTOSH"},
    {"macintosh", "MACINTOSH"},
    {"mac-roman", "MACINTOSH"},
    {"macroman", "MACINTOSH"},
    {"tis-620", "TIS-620"},
};

/* Labels that name no charset: converting them would be a guess. glibc
   would also read "" as the locale's charset and "wchar_t" as its own
   internal form. */
static const char *const charset_not_charsets[] = {
    "unknown", "unknown-8bit", "user-defined", "default", "none",    "null",     "charset",
    "8bit",    "7bit",         "binary",       "char",    "wchar_t", "internal",
};

static bool
charset_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.' || c == ':' || c == '+';
}

static bool
has_prefix(const char *s, size_t len, const char *prefix, size_t *plen_r)
{
	size_t plen = strlen(prefix);
	if (len < plen || memcmp(s, prefix, plen) != 0)
		return false;
	*plen_r = plen;
	return true;
}

/* "windows-1252", "cp-1252", "ms-936", "cp850" ... -> "cp1252" in buf. */
static bool
charset_codepage(char *buf, size_t *len)
{
	static const char *const prefixes[] = {"windows-", "win-", "cp-", "cp_", "cp", "ms-", "ms"};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t plen;
		if (!has_prefix(buf, *len, prefixes[i], &plen))
			continue;
		size_t digits = *len - plen;
		if (digits < 3 || digits > 5)
			return false;
		for (size_t j = plen; j < *len; j++) {
			if (buf[j] < '0' || buf[j] > '9')
				return false;
		}
		memmove(buf + 2, buf + plen, digits);
		buf[0] = 'c';
		buf[1] = 'p';
		*len = 2 + digits;
		buf[*len] = '\0';
		return true;
	}
	return false;
}

static bool
charset_rejected(const char *name)
{
	for (size_t i = 0; i < sizeof(charset_not_charsets) / sizeof(charset_not_charsets[0]);
	     i++) {
		if (strcmp(name, charset_not_charsets[i]) == 0)
			return true;
	}
	return false;
}

/* Maps a label to what converts it.  For CHARSET_ICONV, *name_r is the
   name for iconv_open() (pointing into buf or the alias table). */
static enum charset_kind
charset_resolve_slow(const char *label, size_t len, char buf[CHARSET_NAME_MAX + 1],
                     const char **name_r)
{
	sift_mem_trim(&label, &len);
	if (len == 0 || len > CHARSET_NAME_MAX)
		return CHARSET_UNKNOWN;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)sift_ascii_lower(label[i]);
		if (!charset_name_char(c))
			return CHARSET_UNKNOWN;
		buf[i] = (char)c;
	}
	buf[len] = '\0';
	if (charset_rejected(buf))
		return CHARSET_UNKNOWN;
	/* "x-sjis", "x-gbk", "x-x-big5", "x-mac-roman": the private-use
	   prefix on a name that is known without it. */
	char *name = buf;
	size_t plen;
	while (has_prefix(name, len, "x-", &plen) && len > plen) {
		name += plen;
		len -= plen;
	}
	if (name != buf) {
		memmove(buf, name, len + 1);
		name = buf;
	}
	if (charset_rejected(name))
		return CHARSET_UNKNOWN;
	(void)charset_codepage(name, &len);
	const char *resolved = name;
	for (size_t i = 0; i < sizeof(charset_aliases) / sizeof(charset_aliases[0]); i++) {
		if (strcmp(name, charset_aliases[i].label) == 0) {
			resolved = charset_aliases[i].name;
			break;
		}
	}
	if (strcmp(resolved, "utf-8") == 0)
		return CHARSET_UTF8;
	if (strcmp(resolved, "us-ascii") == 0)
		return CHARSET_ASCII;
	*name_r = resolved;
	return CHARSET_ICONV;
}

/* Mail uses a handful of labels over and over (every encoded word asks
   twice): the last few answers are kept per thread. */
#define RESOLVE_CACHE_SIZE 8
struct resolve_slot {
	uint8_t label_len; /* 0: empty */
	char label[CHARSET_NAME_MAX];
	enum charset_kind kind;
	char name[CHARSET_NAME_MAX + 1];
};
static _Thread_local struct resolve_slot resolve_cache[RESOLVE_CACHE_SIZE];
static _Thread_local unsigned int resolve_next;

static enum charset_kind
charset_resolve(const char *label, size_t len, char buf[CHARSET_NAME_MAX + 1], const char **name_r)
{
	if (len == 0 || len > CHARSET_NAME_MAX || len > UINT8_MAX)
		return charset_resolve_slow(label, len, buf, name_r);
	for (unsigned int i = 0; i < RESOLVE_CACHE_SIZE; i++) {
		struct resolve_slot *s = &resolve_cache[i];
		if (s->label_len == len && memcmp(s->label, label, len) == 0) {
			if (s->kind == CHARSET_ICONV) {
				memcpy(buf, s->name, strlen(s->name) + 1);
				*name_r = buf;
			}
			return s->kind;
		}
	}
	const char *name = NULL;
	enum charset_kind kind = charset_resolve_slow(label, len, buf, &name);
	struct resolve_slot *s = &resolve_cache[resolve_next++ % RESOLVE_CACHE_SIZE];
	s->label_len = (uint8_t)len;
	memcpy(s->label, label, len);
	s->kind = kind;
	s->name[0] = '\0';
	if (kind == CHARSET_ICONV) {
		size_t n = strlen(name);
		if (n > CHARSET_NAME_MAX) {
			s->label_len = 0;
		} else {
			memcpy(s->name, name, n + 1);
		}
		*name_r = name;
	}
	return kind;
}

/* ---- per-thread descriptor cache ---------------------------------------- */

struct cd_slot {
	iconv_t cd;     /* (iconv_t)-1: iconv does not know the name */
	uint64_t stamp; /* last use; 0 = empty slot */
	char name[CHARSET_NAME_MAX + 1];
};

struct cd_cache {
	struct cd_slot slot[CD_CACHE_SIZE];
	uint64_t clock;
	bool registered;
};

static _Thread_local struct cd_cache cd_cache;
static pthread_key_t cd_cache_key;
static pthread_once_t cd_cache_once = PTHREAD_ONCE_INIT;
static bool cd_cache_key_ok;

static void
cd_cache_clear(struct cd_cache *cache)
{
	for (size_t i = 0; i < CD_CACHE_SIZE; i++) {
		struct cd_slot *slot = &cache->slot[i];
		if (slot->stamp != 0 && slot->cd != (iconv_t)-1)
			iconv_close(slot->cd);
		slot->stamp = 0;
		slot->cd = (iconv_t)-1;
	}
}

/* Runs at the exit of a thread that used the cache, so threads that never
   call sift_charset_thread_deinit() do not leak descriptors.  (So the core
   must not be unloaded while such threads live: true of the milter, which
   links it, and of Dovecot, whose processes have one thread.) */
static void
cd_cache_thread_exit(void *arg)
{
	struct cd_cache *cache = arg;
	cd_cache_clear(cache);
	cache->registered = false;
}

static void
cd_cache_make_key(void)
{
	cd_cache_key_ok = pthread_key_create(&cd_cache_key, cd_cache_thread_exit) == 0;
}

static void
cd_cache_register(void)
{
	if (cd_cache.registered)
		return;
	(void)pthread_once(&cd_cache_once, cd_cache_make_key);
	if (cd_cache_key_ok && pthread_setspecific(cd_cache_key, &cd_cache) == 0)
		cd_cache.registered = true;
}

/* The descriptor for an iconv name, opened on first use; (iconv_t)-1 if
   iconv does not know it (remembered too, so a header full of one unknown
   charset costs one failed iconv_open). */
static iconv_t
cd_cache_get(const char *name)
{
	struct cd_cache *cache = &cd_cache;
	struct cd_slot *victim = &cache->slot[0];
	for (size_t i = 0; i < CD_CACHE_SIZE; i++) {
		struct cd_slot *slot = &cache->slot[i];
		if (slot->stamp != 0 && strcmp(slot->name, name) == 0) {
			slot->stamp = ++cache->clock;
			return slot->cd;
		}
		if (slot->stamp < victim->stamp)
			victim = slot;
	}
	cd_cache_register();
	if (victim->stamp != 0 && victim->cd != (iconv_t)-1)
		iconv_close(victim->cd);
	iconv_t cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1 && errno != EINVAL) {
		/* Out of memory or descriptors: not the name's fault, so
		   not remembered. */
		victim->stamp = 0;
		return cd;
	}
	victim->cd = cd;
	victim->stamp = ++cache->clock;
	strcpy(victim->name, name); /* resolved names are at most CHARSET_NAME_MAX */
	return cd;
}

void
sift_charset_thread_deinit(void)
{
	cd_cache_clear(&cd_cache);
}

/* ---- conversion ------------------------------------------------------------ */

/* Appends UTF-8 text; if it does not all fit, appends what does up to a
   character boundary and returns -1 (out->overflow is set). */
static int
append_utf8(struct sift_buf *out, const char *s, size_t n)
{
	if (sift_buf_append(out, s, n) == 0)
		return 0;
	size_t room = out->max - out->len;
	while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80)
		room--;
	(void)sift_buf_append(out, s, room);
	out->overflow = true;
	return -1;
}

/* Appends what iconv wrote, checked: glibc's UCS-4 decoder hands values
   past U+10FFFF to its UTF-8 encoder, which writes them out as 5- and
   6-byte forms.  iconv writes whole characters, so each piece of its
   output can be checked on its own. */
static int
append_converted(struct sift_buf *out, const char *s, size_t n, uint32_t *defects)
{
	if (sift_utf8_valid(s, n))
		return append_utf8(out, s, n);
	sift_charset_utf8_sanitize(s, n, out, defects);
	return out->overflow ? -1 : 0;
}

/* Length of the maximal subpart of an ill-formed or incomplete UTF-8
   sequence at s (Unicode 3.9, table 3-7), or 0 if a well-formed sequence
   starts there; *seq_r gets the well-formed sequence's length. */
static size_t
utf8_bad_prefix(const unsigned char *s, size_t avail, size_t *seq_r)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80;
	unsigned char hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 1;
	}
	size_t i = 1;
	for (; i < n && i < avail; i++) {
		if (s[i] < lo || s[i] > hi)
			return i;
		lo = 0x80;
		hi = 0xbf;
	}
	if (i < n)
		return i;
	*seq_r = n;
	return 0;
}

void
sift_charset_utf8_sanitize(const void *in, size_t len, struct sift_buf *out, uint32_t *defects)
{
	const unsigned char *p = in;
	size_t start = 0;
	size_t i = 0;
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t seq = 0;
		size_t bad = utf8_bad_prefix(p + i, len - i, &seq);
		if (bad == 0) {
			i += seq;
			continue;
		}
		*defects |= SIFT_DEFECT_BAD_CHARSET_DATA;
		if (append_utf8(out, (const char *)p + start, i - start) < 0 ||
		    append_utf8(out, utf8_replacement, sizeof(utf8_replacement)) < 0)
			return;
		i += bad;
		start = i;
	}
	(void)append_utf8(out, (const char *)p + start, len - start);
}

static void
ascii_to_utf8(const unsigned char *p, size_t len, struct sift_buf *out, uint32_t *defects)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] >= 0x80) {
			/* 8-bit text labelled us-ascii is almost always
			   mislabelled UTF-8: keep what is valid UTF-8. */
			*defects |= SIFT_DEFECT_BAD_CHARSET_DATA;
			sift_charset_utf8_sanitize(p, len, out, defects);
			return;
		}
	}
	(void)append_utf8(out, (const char *)p, len);
}

/* Bytes to skip past an undecodable sequence: one, except in the
   fixed-width forms, where skipping less would misalign the rest. */
static size_t
charset_unit(const char *name)
{
	if (strncasecmp(name, "utf-16", 6) == 0 || strncasecmp(name, "ucs-2", 5) == 0)
		return 2;
	if (strncasecmp(name, "utf-32", 6) == 0 || strncasecmp(name, "ucs-4", 5) == 0)
		return 4;
	return 1;
}

static void
iconv_to_utf8(iconv_t cd, size_t unit, const char *in, size_t len, struct sift_buf *out,
              uint32_t *defects)
{
	char tmp[4096];
	char *inp = (char *)in;
	size_t inleft = len;
	char *outp;
	size_t outleft;

	(void)iconv(cd, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		outp = tmp;
		outleft = sizeof(tmp);
		size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
		int err = r == (size_t)-1 ? errno : 0;
		if (append_converted(out, tmp, outp - tmp, defects) < 0)
			return;
		if (r != (size_t)-1)
			break;
		if (err == E2BIG && outp != tmp)
			continue;
		*defects |= SIFT_DEFECT_BAD_CHARSET_DATA;
		if (append_utf8(out, utf8_replacement, sizeof(utf8_replacement)) < 0)
			return;
		if (err == EINVAL)
			break; /* incomplete sequence at the end */
		/* EILSEQ (or anything unexpected): skip one unit. */
		size_t skip = inleft < unit ? inleft : unit;
		inp += skip;
		inleft -= skip;
	}
	/* Decoders that hold back a character to combine it with the next
	   (BIG5-HKSCS, CP1255, CP1258 ...) release it here. */
	outp = tmp;
	outleft = sizeof(tmp);
	(void)iconv(cd, NULL, NULL, &outp, &outleft);
	(void)append_converted(out, tmp, outp - tmp, defects);
}

/* ISO-8859-1 and windows-1252, the commonest charsets of 8-bit mail after
   UTF-8, are converted here without iconv: the same output, a good deal
   faster.  windows-1252 leaves five bytes unassigned (0 below); text with
   one of them goes to iconv, so what happens then stays iconv's. */
static const uint16_t cp1252_c1[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

static bool
single_byte_to_utf8(bool cp1252, const unsigned char *in, size_t len, struct sift_buf *out)
{
	if (cp1252) {
		for (size_t i = 0; i < len; i++) {
			if (in[i] >= 0x80 && in[i] < 0xa0 && cp1252_c1[in[i] - 0x80] == 0)
				return false;
		}
	}
	char tmp[4096];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (n + 3 > sizeof(tmp)) {
			if (append_utf8(out, tmp, n) < 0)
				return true;
			n = 0;
		}
		unsigned int c = in[i];
		if (cp1252 && c >= 0x80 && c < 0xa0)
			c = cp1252_c1[c - 0x80];
		if (c < 0x80) {
			tmp[n++] = (char)c;
		} else if (c < 0x800) {
			tmp[n++] = (char)(0xc0 | (c >> 6));
			tmp[n++] = (char)(0x80 | (c & 0x3f));
		} else {
			tmp[n++] = (char)(0xe0 | (c >> 12));
			tmp[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
			tmp[n++] = (char)(0x80 | (c & 0x3f));
		}
	}
	(void)append_utf8(out, tmp, n);
	return true;
}

/* glibc reads the byte-order mark of UTF-16 and UTF-32 only on the first
   use of a descriptor, and a reset does not undo that, so the byte order
   is chosen here and the descriptor is for a fixed order.  Without a mark
   RFC 2781 4.3 says big-endian, but unmarked UTF-16 in mail comes mostly
   from Windows, little-endian: when the text has more zero bytes in odd
   positions than in even ones (Latin text, "A\0B\0"), it is read as
   little-endian; otherwise big-endian. */
static bool
utf16_looks_le(const unsigned char *in, size_t len)
{
	size_t even = 0;
	size_t odd = 0;
	size_t n = len < 4096 ? len : 4096;
	for (size_t i = 0; i + 1 < n; i += 2) {
		even += in[i] == 0;
		odd += in[i + 1] == 0;
	}
	return odd > even;
}

static const char *
charset_byte_order(const char *name, const unsigned char *in, size_t len, size_t *skip_r)
{
	*skip_r = 0;
	if (strcmp(name, "UTF-16") == 0) {
		if (len >= 2 && in[0] == 0xff && in[1] == 0xfe) {
			*skip_r = 2;
			return "UTF-16LE";
		}
		if (len >= 2 && in[0] == 0xfe && in[1] == 0xff) {
			*skip_r = 2;
			return "UTF-16BE";
		}
		return utf16_looks_le(in, len) ? "UTF-16LE" : "UTF-16BE";
	}
	if (strcmp(name, "UTF-32") == 0) {
		if (len >= 4 && memcmp(in, "\xff\xfe\0\0", 4) == 0) {
			*skip_r = 4;
			return "UTF-32LE";
		}
		if (len >= 4 && memcmp(in, "\0\0\xfe\xff", 4) == 0)
			*skip_r = 4;
		return "UTF-32BE";
	}
	return name;
}

int
sift_charset_to_utf8(const char *charset, size_t charset_len, const void *in, size_t len,
                     struct sift_buf *out, uint32_t *defects)
{
	char buf[CHARSET_NAME_MAX + 1];
	const char *name = NULL;
	switch (charset_resolve(charset, charset_len, buf, &name)) {
	case CHARSET_UNKNOWN:
		return -1;
	case CHARSET_UTF8:
		if (!out->overflow)
			sift_charset_utf8_sanitize(in, len, out, defects);
		return 0;
	case CHARSET_ASCII:
		if (!out->overflow)
			ascii_to_utf8(in, len, out, defects);
		return 0;
	case CHARSET_ICONV:
		break;
	}
	bool latin1 = strcasecmp(name, "iso-8859-1") == 0 || strcasecmp(name, "iso8859-1") == 0;
	bool cp1252 = strcasecmp(name, "cp1252") == 0 || strcasecmp(name, "windows-1252") == 0;
	if (latin1 || cp1252) {
		if (out->overflow)
			return 0;
		if (single_byte_to_utf8(cp1252, in, len, out))
			return 0;
	}
	size_t skip;
	name = charset_byte_order(name, in, len, &skip);
	iconv_t cd = cd_cache_get(name);
	if (cd == (iconv_t)-1)
		return -1;
	if (!out->overflow && len > skip)
		iconv_to_utf8(cd, charset_unit(name), (const char *)in + skip, len - skip, out,
		              defects);
	return 0;
}

bool
sift_charset_known(const char *charset, size_t charset_len)
{
	char buf[CHARSET_NAME_MAX + 1];
	const char *name = NULL;
	switch (charset_resolve(charset, charset_len, buf, &name)) {
	case CHARSET_UNKNOWN:
		return false;
	case CHARSET_UTF8:
	case CHARSET_ASCII:
		return true;
	case CHARSET_ICONV:
		break;
	}
	size_t skip;
	name = charset_byte_order(name, NULL, 0, &skip);
	return cd_cache_get(name) != (iconv_t)-1;
}
