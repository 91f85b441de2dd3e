/* SPDX-License-Identifier: MIT */
/* DSNs for recipients refused at SMTP time (see milter.h).  Composes an
   RFC 3464 delivery-status report inside RFC 6522 multipart/report, marked
   Auto-Submitted (RFC 3834), and sends it with the null reverse path over
   SMTP or through a sendmail-like command.

   Limits: interpolated strings are cut (addresses at DSN_ADDR_MAX, host
   names at DSN_HOST_MAX, replies at DSN_TEXT_MAX), the returned header
   block at DSN_HEADERS_MAX (at a line end); no output line passes 998
   bytes.  A submission takes at most submit->timeout seconds after the
   host name lookup, which the resolver bounds by itself.

   Bad input: every string from outside (addresses, replies, the header
   block) is made safe before it is written: control bytes become spaces
   (a run of them one space), 8-bit bytes '?'; line ends in the header
   block become CRLF.  An ORCPT that is not addr-type;xtext is left out.
   A server reply that is not SMTP syntax ends the submission with an
   error naming it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerror_r returning char *, memmem, pipe2 */
#endif

#include "milter.h"
#include "util/alloc.h"
#include "util/buffer.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Folding: lines are wrapped at spaces near DSN_LINE_SOFT and never pass
   DSN_LINE_MAX (RFC 5322 2.1.1). */
#define DSN_LINE_SOFT 78
#define DSN_LINE_MAX  998
/* Original header block returned in the third part. */
#define DSN_HEADERS_MAX (64 * 1024)
/* An address fits on one header line with its field name and brackets;
   RFC 5321 paths are at most 256 bytes, so nothing valid is cut. */
#define DSN_ADDR_MAX 900
#define DSN_HOST_MAX 255
/* SMTP reply text: RFC 5321 lines are at most 512 bytes; multi-line
   replies get a few of them. */
#define DSN_TEXT_MAX     4000
#define DSN_QUEUE_ID_MAX 64
/* Tries to find a boundary absent from the content; with 128 random bits
   one try is enough, the rest is for a broken random source. */
#define DSN_BOUNDARY_TRIES 8

#define SUBMIT_TIMEOUT_DEFAULT 60
/* An SMTP reply line longer than this is kept cut; a reply with more
   lines than SMTP_REPLY_LINES is an error. */
#define SMTP_LINE_MAX    1024
#define SMTP_REPLY_LINES 200
/* A string given as SMTP recipient: RFC 5321 4.5.3.1.3 path limit. */
#define SUBMIT_RCPT_MAX 254

/* ---- errors ------------------------------------------------------------- */

/* Several milter threads submit at once: each has its own error text. */
static __thread char dsn_error_buf[512];

static const char *dsn_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
dsn_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dsn_error_buf, sizeof(dsn_error_buf), fmt, ap);
	va_end(ap);
	return dsn_error_buf;
}

/* Untrusted text (a server reply) made printable for an error string:
   control and 8-bit bytes as '?', cut with "..." at size-1 bytes. */
static const char *
dsn_printable(char *buf, size_t size, const char *text, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)text[i];
		buf[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (n < len && size >= 4) {
		n = n > size - 4 ? size - 4 : n;
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static const char *
dsn_strerror(int err, char *buf, size_t size)
{
	return strerror_r(err, buf, size);
}

/* ---- randomness and unique names --------------------------------------- */

static unsigned long dsn_counter;

/* Random bytes for boundaries and Message-IDs.  They need to be
   unpredictable only so that a sender cannot plant a boundary in the
   returned headers; if getrandom() fails the clock and a counter still
   make them unique. */
static void
dsn_random(unsigned char *out, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(out + got, len - got, GRND_NONBLOCK);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	if (got == len)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)ts.tv_sec * 1000000007u + (uint64_t)ts.tv_nsec;
	x ^= (uint64_t)getpid() << 32;
	x += __atomic_add_fetch(&dsn_counter, 1, __ATOMIC_RELAXED) * 0x9e3779b97f4a7c15ull;
	for (; got < len; got++) {
		/* splitmix64 */
		x += 0x9e3779b97f4a7c15ull;
		uint64_t z = x;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		out[got] = (unsigned char)(z ^ (z >> 31));
	}
}

static void
dsn_hex(char *out, const unsigned char *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* ---- making strings safe ------------------------------------------------ */

/* Fills tmp with s made safe for a header line: a run of control bytes
   (CR, LF, TAB, NUL ...) becomes one space, 8-bit bytes become '?',
   white space at both ends is dropped, and at most max bytes are kept. */
static void
dsn_clean(struct sift_buf *tmp, const char *s, size_t len, size_t max)
{
	sift_buf_reset(tmp);
	sift_buf_append(tmp, "", 0); /* data is never NULL */
	bool space = true;           /* drops leading white space */
	for (size_t i = 0; i < len && tmp->len < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == ' ') {
			if (!space)
				sift_buf_append_c(tmp, ' ');
			space = true;
			continue;
		}
		sift_buf_append_c(tmp, c >= 0x80 ? '?' : (char)c);
		space = false;
	}
	while (tmp->len > 0 && tmp->data[tmp->len - 1] == ' ')
		tmp->len--;
	tmp->data[tmp->len] = '\0';
}

static void
dsn_clean_str(struct sift_buf *tmp, const char *s, size_t max)
{
	dsn_clean(tmp, s != NULL ? s : "", s != NULL ? strlen(s) : 0, max);
}

/* A host name for From, Message-ID and Reporting-MTA: letters, digits,
   '.', '-', '_', or an address literal "[...]" which may hold colons; any
   other byte becomes '-'.  Empty gives "localhost". */
static void
dsn_clean_host(struct sift_buf *tmp, const char *s, size_t len)
{
	sift_buf_reset(tmp);
	bool literal = len >= 2 && s[0] == '[' && s[len - 1] == ']';
	for (size_t i = 0; i < len && tmp->len < DSN_HOST_MAX; i++) {
		char c = s[i];
		bool ok =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_' ||
		    (literal && (c == ':' || ((c == '[' || c == ']') && (i == 0 || i == len - 1))));
		sift_buf_append_c(tmp, ok ? c : '-');
	}
	if (tmp->len == 0)
		sift_buf_append_str(tmp, "localhost");
}

/* addr-type ";" xtext (RFC 3461 4.2): an atom, then printable ASCII
   without '=' where '+' starts two upper-case hex digits. */
static bool
dsn_orcpt_ok(const char *s)
{
	if (strlen(s) > DSN_ADDR_MAX)
		return false;
	size_t i = 0;
	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	       (s[i] >= '0' && s[i] <= '9') || s[i] == '-')
		i++;
	if (i == 0 || s[i] != ';')
		return false;
	i++;
	size_t start = i;
	for (; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < '!' || c > '~' || c == '=')
			return false;
		if (c == '+') {
			for (int k = 1; k <= 2; k++) {
				char h = s[i + k];
				if (!((h >= '0' && h <= '9') || (h >= 'A' && h <= 'F')))
					return false;
			}
			i += 2;
		}
	}
	return i > start;
}

/* ---- output helpers ----------------------------------------------------- */

/* Appends text (already made safe: no control bytes) starting at column
   col, then CRLF.  Long text is folded before a space near the soft
   limit, so unfolding gives the text back; a word too long for a line
   is cut at the hard limit with CRLF SP. */
static void
dsn_put_folded(struct sift_buf *out, size_t col, const char *text, size_t len)
{
	size_t pos = 0;
	while (len - pos > DSN_LINE_SOFT - (col < DSN_LINE_SOFT ? col : DSN_LINE_SOFT)) {
		size_t soft = col < DSN_LINE_SOFT ? DSN_LINE_SOFT - col : 0;
		size_t hard = DSN_LINE_MAX - col;
		size_t brk = 0;
		/* Break before the last space of a run so that the next line
		   starts with one space and a word. */
		for (size_t i = pos + 1; i <= pos + soft && i + 1 < len; i++) {
			if (text[i] == ' ' && text[i + 1] != ' ')
				brk = i;
		}
		if (brk == 0) {
			for (size_t i = pos + soft + 1; i < pos + hard && i + 1 < len; i++) {
				if (text[i] == ' ' && text[i + 1] != ' ') {
					brk = i;
					break;
				}
			}
		}
		if (brk == 0 && len - pos <= hard)
			break;
		if (brk == 0) {
			sift_buf_append(out, text + pos, hard);
			sift_buf_append(out, "\r\n ", 3);
			pos += hard;
			col = 1;
			continue;
		}
		sift_buf_append(out, text + pos, brk - pos);
		sift_buf_append(out, "\r\n", 2);
		pos = brk;
		col = 0;
	}
	sift_buf_append(out, text + pos, len - pos);
	sift_buf_append(out, "\r\n", 2);
}

/* "Name: " prefix value, folded.  The value is already safe. */
static void
dsn_field(struct sift_buf *out, const char *name, const char *prefix, const struct sift_buf *val)
{
	size_t start = out->len;
	sift_buf_printf(out, "%s: %s", name, prefix);
	dsn_put_folded(out, out->len - start, val->data != NULL ? val->data : "", val->len);
}

static const char *const dsn_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const dsn_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* RFC 5322 date-time in UTC; the names are written out so that the
   locale cannot change them. */
static void
dsn_date(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	snprintf(buf, size, "%s, %d %s %04d %02d:%02d:%02d +0000", dsn_days[tm.tm_wday % 7],
	         tm.tm_mday, dsn_months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         tm.tm_sec);
}

/* The enhanced status code (RFC 3463) in a reply "550 5.7.1 text" or
   "550-5.7.1 ...": class, subject and detail of 1-3 digits each, class
   equal to the reply's first digit.  Without one, X.0.0 of the reply's
   class (5.0.0 when even that is missing). */
static void
dsn_status(const char *reply, char out[16])
{
	const char *r = reply != NULL ? reply : "";
	while (*r == ' ')
		r++;
	char cls = '5';
	if ((r[0] == '4' || r[0] == '5') && r[1] >= '0' && r[1] <= '9' && r[2] >= '0' &&
	    r[2] <= '9')
		cls = r[0];
	snprintf(out, 16, "%c.0.0", cls);
	if (!(r[0] >= '2' && r[0] <= '5' && r[1] >= '0' && r[1] <= '9' && r[2] >= '0' &&
	      r[2] <= '9' && (r[3] == ' ' || r[3] == '-')))
		return;
	const char *p = r + 4;
	if (p[0] != cls || p[1] != '.')
		return;
	size_t i = 2;
	for (int part = 0; part < 2; part++) {
		size_t n = 0;
		while (p[i + n] >= '0' && p[i + n] <= '9')
			n++;
		if (n == 0 || n > 3)
			return;
		i += n;
		if (part == 0) {
			if (p[i] != '.')
				return;
			i++;
		}
	}
	if (p[i] != '\0' && p[i] != ' ' && p[i] != '\r' && p[i] != '\n')
		return;
	memcpy(out, p, i);
	out[i] = '\0';
}

/* The header block for the third part: line ends made CRLF, NUL and
   other control bytes as space, 8-bit as '?', lines cut into
   continuation lines at DSN_LINE_MAX, stopped at an empty line (the end
   of the header block) and at DSN_HEADERS_MAX, always at a line end. */
static void
dsn_headers(struct sift_buf *out, const char *hdr, size_t len)
{
	size_t pos = 0;
	size_t limit = DSN_HEADERS_MAX;
	while (pos < len) {
		size_t end = pos;
		while (end < len && hdr[end] != '\r' && hdr[end] != '\n')
			end++;
		size_t next = end;
		if (next < len && hdr[next] == '\r')
			next++;
		if (next < len && hdr[next] == '\n')
			next++;
		if (end == pos)
			break; /* the empty line ending the header block */
		/* The line as it will be written, breaks included. */
		size_t line = end - pos;
		size_t cost = line + 2 + (line / DSN_LINE_MAX) * 3;
		if (cost > limit)
			break;
		limit -= cost;
		size_t col = 0;
		for (size_t i = pos; i < end; i++) {
			if (col == DSN_LINE_MAX) {
				sift_buf_append(out, "\r\n ", 3);
				col = 1;
			}
			unsigned char c = (unsigned char)hdr[i];
			if (c >= 0x80)
				sift_buf_append_c(out, '?');
			else if ((c < 0x20 && c != '\t') || c == 0x7f)
				sift_buf_append_c(out, ' ');
			else
				sift_buf_append_c(out, (char)c);
			col++;
		}
		sift_buf_append(out, "\r\n", 2);
		pos = next;
	}
}

/* ---- compose ------------------------------------------------------------ */

/* Received-From-MTA from "name [addr]": the name when it is known,
   else the address literal. */
static void
dsn_client(struct sift_buf *tmp, const char *client)
{
	size_t len = strlen(client);
	const char *open = NULL;
	if (len >= 2 && client[len - 1] == ']')
		open = memrchr(client, '[', len - 1);
	size_t name_len = open != NULL ? (size_t)(open - client) : len;
	while (name_len > 0 && client[name_len - 1] == ' ')
		name_len--;
	bool unknown = name_len == 0 || (name_len == 7 && memcmp(client, "unknown", 7) == 0);
	if (unknown && open != NULL)
		dsn_clean_host(tmp, open, (size_t)(client + len - open));
	else
		dsn_clean_host(tmp, client, name_len);
}

static void
dsn_human_part(struct sift_buf *out, const struct milter_dsn *dsn, const char *mta,
               struct sift_buf *tmp, struct sift_buf *tmp2)
{
	sift_buf_printf(out, "This is the mail system at host %s.\r\n\r\n", mta);
	sift_buf_append_str(out, "Your message could not be delivered to the recipients below:\r\n"
	                         "the receiving system refused them.  Other recipients of the\r\n"
	                         "same message, if any, were not affected.\r\n");
	if (dsn->queue_id != NULL && dsn->queue_id[0] != '\0') {
		dsn_clean_str(tmp, dsn->queue_id, DSN_QUEUE_ID_MAX);
		sift_buf_printf(out, "\r\nQueue id: %s\r\n", tmp->data);
	}
	sift_buf_append_str(out, "\r\n");
	for (size_t i = 0; i < dsn->nrcpts; i++) {
		const struct milter_dsn_rcpt *r = &dsn->rcpts[i];
		dsn_clean_str(tmp, r->addr, DSN_ADDR_MAX);
		dsn_clean_str(tmp2, r->reply, DSN_TEXT_MAX);
		size_t start = out->len;
		sift_buf_printf(out, "<%s>: ", tmp->data);
		dsn_put_folded(out, out->len - start, tmp2->data, tmp2->len);
	}
}

static void
dsn_status_part(struct sift_buf *out, const struct milter_dsn *dsn, const char *mta,
                struct sift_buf *tmp)
{
	sift_buf_printf(out, "Reporting-MTA: dns; %s\r\n", mta);
	if (dsn->queue_id != NULL && dsn->queue_id[0] != '\0') {
		dsn_clean_str(tmp, dsn->queue_id, DSN_QUEUE_ID_MAX);
		if (tmp->len > 0)
			sift_buf_printf(out, "X-Mailsift-Queue-ID: %s\r\n", tmp->data);
	}
	if (dsn->client != NULL && dsn->client[0] != '\0') {
		dsn_client(tmp, dsn->client);
		sift_buf_printf(out, "Received-From-MTA: dns; %s\r\n", tmp->data);
	}
	if (dsn->arrival > 0) {
		char date[64];
		dsn_date(date, sizeof(date), dsn->arrival);
		sift_buf_printf(out, "Arrival-Date: %s\r\n", date);
	}
	for (size_t i = 0; i < dsn->nrcpts; i++) {
		const struct milter_dsn_rcpt *r = &dsn->rcpts[i];
		sift_buf_append_str(out, "\r\n");
		if (r->orcpt != NULL && dsn_orcpt_ok(r->orcpt))
			sift_buf_printf(out, "Original-Recipient: %s\r\n", r->orcpt);
		dsn_clean_str(tmp, r->addr, DSN_ADDR_MAX);
		dsn_field(out, "Final-Recipient", "rfc822; ", tmp);
		sift_buf_append_str(out, "Action: failed\r\n");
		char status[16];
		dsn_status(r->reply, status);
		sift_buf_printf(out, "Status: %s\r\n", status);
		dsn_clean_str(tmp, r->reply, DSN_TEXT_MAX);
		dsn_field(out, "Diagnostic-Code", "smtp; ", tmp);
	}
}

static bool
dsn_contains(const struct sift_buf *buf, const char *s)
{
	return buf->len > 0 && memmem(buf->data, buf->len, s, strlen(s)) != NULL;
}

int
milter_dsn_compose(const struct milter_dsn *dsn, int64_t now, struct sift_buf *out)
{
	if (dsn == NULL || dsn->sender == NULL || dsn->rcpts == NULL || dsn->nrcpts == 0)
		return -1;
	/* The sender may come with its brackets; without them, an empty one
	   is the null sender, which never gets a DSN (RFC 5321 6.1). */
	const char *sender = dsn->sender;
	size_t sender_len = strlen(sender);
	if (sender_len >= 2 && sender[0] == '<' && sender[sender_len - 1] == '>') {
		sender++;
		sender_len -= 2;
	}
	struct sift_buf to;
	sift_buf_init(&to, 0);
	dsn_clean(&to, sender, sender_len, DSN_ADDR_MAX);
	if (to.len == 0) {
		sift_buf_free(&to);
		return -1;
	}

	size_t start = out->len;
	bool was_overflow = out->overflow;
	out->overflow = false;

	struct sift_buf mta, tmp, tmp2, human, status, headers;
	sift_buf_init(&mta, 0);
	sift_buf_init(&tmp, 0);
	sift_buf_init(&tmp2, 0);
	sift_buf_init(&human, out->max);
	sift_buf_init(&status, out->max);
	sift_buf_init(&headers, out->max);

	const char *rmta = dsn->reporting_mta != NULL ? dsn->reporting_mta : "";
	dsn_clean_host(&mta, rmta, strlen(rmta));

	dsn_human_part(&human, dsn, mta.data, &tmp, &tmp2);
	dsn_status_part(&status, dsn, mta.data, &tmp);
	if (dsn->headers != NULL)
		dsn_headers(&headers, dsn->headers, dsn->headers_len);

	unsigned char rnd[16];
	char boundary[80];
	char hex[2 * sizeof(rnd) + 1];
	bool found = false;
	for (int i = 0; i < DSN_BOUNDARY_TRIES && !found; i++) {
		dsn_random(rnd, sizeof(rnd));
		dsn_hex(hex, rnd, sizeof(rnd));
		snprintf(boundary, sizeof(boundary), "=_mailsift-dsn_%s", hex);
		found = !dsn_contains(&headers, boundary) && !dsn_contains(&human, boundary) &&
		        !dsn_contains(&status, boundary);
	}

	char date[64];
	dsn_date(date, sizeof(date), now);
	dsn_random(rnd, 8);
	dsn_hex(hex, rnd, 8);
	unsigned long count = __atomic_add_fetch(&dsn_counter, 1, __ATOMIC_RELAXED);

	sift_buf_printf(out, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n", mta.data);
	sift_buf_printf(out, "To: <%s>\r\n", to.data);
	sift_buf_append_str(out, "Subject: Undelivered Mail Returned to Sender\r\n");
	sift_buf_printf(out, "Date: %s\r\n", date);
	sift_buf_printf(out, "Message-ID: <%lld.%ld.%lu.%s@%s>\r\n", (long long)now, (long)getpid(),
	                count, hex, mta.data);
	sift_buf_append_str(out,
	                    "Auto-Submitted: auto-replied\r\n"
	                    "MIME-Version: 1.0\r\n"
	                    "Content-Type: multipart/report; report-type=delivery-status;\r\n");
	sift_buf_printf(out, "\tboundary=\"%s\"\r\n", boundary);
	sift_buf_append_str(out, "\r\nThis is a MIME-encapsulated message.\r\n\r\n");

	sift_buf_printf(out, "--%s\r\n", boundary);
	sift_buf_append_str(out, "Content-Description: Notification\r\n"
	                         "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
	sift_buf_append(out, human.data, human.len);
	sift_buf_printf(out, "\r\n--%s\r\n", boundary);
	sift_buf_append_str(out, "Content-Description: Delivery report\r\n"
	                         "Content-Type: message/delivery-status\r\n\r\n");
	sift_buf_append(out, status.data, status.len);
	sift_buf_printf(out, "\r\n--%s\r\n", boundary);
	sift_buf_append_str(out, "Content-Description: Undelivered Message Headers\r\n"
	                         "Content-Type: text/rfc822-headers\r\n\r\n");
	sift_buf_append(out, headers.data, headers.len);
	sift_buf_printf(out, "\r\n--%s--\r\n", boundary);

	bool failed =
	    !found || human.overflow || status.overflow || headers.overflow || out->overflow;
	sift_buf_free(&to);
	sift_buf_free(&mta);
	sift_buf_free(&tmp);
	sift_buf_free(&tmp2);
	sift_buf_free(&human);
	sift_buf_free(&status);
	sift_buf_free(&headers);
	if (failed) {
		sift_buf_truncate(out, start);
		out->overflow = true;
		return -1;
	}
	out->overflow = was_overflow;
	return 0;
}

/* ---- submission: common ------------------------------------------------- */

static int64_t
dsn_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events or the deadline passes: 1 ready,
   0 timed out, -1 error (errno). */
static int
dsn_poll(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - dsn_now_ms();
		if (left <= 0)
			return 0;
		struct pollfd pfd = {.fd = fd, .events = events};
		int r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* A recipient we put on a command line or into RCPT TO: printable
   ASCII, no white space, no brackets, not empty, not too long. */
bool
milter_dsn_rcpt_ok(const char *rcpt)
{
	size_t len = rcpt != NULL ? strlen(rcpt) : 0;
	if (len == 0 || len > SUBMIT_RCPT_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)rcpt[i];
		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>')
			return false;
	}
	return true;
}

/* ---- submission over SMTP ----------------------------------------------- */

struct smtp_conn {
	int fd;
	int64_t deadline;
	const char *host;
	unsigned int port;
	/* Received bytes not yet consumed. */
	char in[4096];
	size_t in_pos, in_len;
	/* The last reply, its lines joined by spaces, and its code. */
	struct sift_buf reply;
	int code;
	/* Data being sent, for the dot-stuffed message. */
	char out[16384];
	size_t out_len;
};

static const char *
smtp_fail(struct smtp_conn *c, const char *what, const char *why)
{
	return dsn_error("SMTP %s port %u: %s: %s", c->host, c->port, what, why);
}

static int
smtp_send(struct smtp_conn *c, const char *data, size_t len, const char *what, const char **error_r)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = send(c->fd, data + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int r = dsn_poll(c->fd, POLLOUT, c->deadline);
			if (r == 0) {
				*error_r = smtp_fail(c, what, "timed out sending");
				return -1;
			}
			if (r > 0)
				continue;
		}
		char eb[128];
		*error_r = smtp_fail(c, what, dsn_strerror(errno, eb, sizeof(eb)));
		return -1;
	}
	return 0;
}

/* Reads one line into line (cut at SMTP_LINE_MAX), without its line
   end.  Returns 0, or -1 with *error_r. */
static int
smtp_read_line(struct smtp_conn *c, struct sift_buf *line, const char *what, const char **error_r)
{
	sift_buf_reset(line);
	for (;;) {
		while (c->in_pos < c->in_len) {
			char ch = c->in[c->in_pos++];
			if (ch == '\n') {
				if (line->len > 0 && line->data[line->len - 1] == '\r')
					sift_buf_truncate(line, line->len - 1);
				return 0;
			}
			if (line->len < SMTP_LINE_MAX)
				sift_buf_append_c(line, ch);
		}
		int r = dsn_poll(c->fd, POLLIN, c->deadline);
		if (r == 0) {
			*error_r = smtp_fail(c, what, "timed out waiting for the reply");
			return -1;
		}
		ssize_t n = r < 0 ? -1 : recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT);
		if (n == 0) {
			*error_r = smtp_fail(c, what, "connection closed by the server");
			return -1;
		}
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			char eb[128];
			*error_r = smtp_fail(c, what, dsn_strerror(errno, eb, sizeof(eb)));
			return -1;
		}
		c->in_pos = 0;
		c->in_len = (size_t)n;
	}
}

/* Reads a whole reply (RFC 5321 4.2: "ddd-text" lines, then "ddd text"
   or "ddd") into c->reply and c->code. */
static int
smtp_read_reply(struct smtp_conn *c, const char *what, const char **error_r)
{
	struct sift_buf line;
	sift_buf_init(&line, 0);
	sift_buf_reset(&c->reply);
	c->code = 0;
	int ret = -1;
	for (int n = 0;; n++) {
		if (n == SMTP_REPLY_LINES) {
			*error_r = smtp_fail(c, what, "reply has too many lines");
			break;
		}
		if (smtp_read_line(c, &line, what, error_r) < 0)
			break;
		const char *l = line.data != NULL ? line.data : "";
		bool syntax = line.len >= 3 && l[0] >= '2' && l[0] <= '5' && l[1] >= '0' &&
		              l[1] <= '9' && l[2] >= '0' && l[2] <= '9' &&
		              (line.len == 3 || l[3] == ' ' || l[3] == '-');
		int code = syntax ? (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0') : 0;
		if (!syntax || (n > 0 && code != c->code)) {
			char pb[200];
			*error_r =
			    dsn_error("SMTP %s port %u: %s: bad reply line \"%s\"", c->host,
			              c->port, what, dsn_printable(pb, sizeof(pb), l, line.len));
			break;
		}
		c->code = code;
		if (c->reply.len > 0)
			sift_buf_append_c(&c->reply, ' ');
		if (c->reply.len < DSN_TEXT_MAX)
			sift_buf_append(&c->reply, l, line.len);
		if (line.len == 3 || l[3] == ' ') {
			ret = 0;
			break;
		}
	}
	sift_buf_free(&line);
	return ret;
}

/* Reads a reply and checks its code: want is an exact code (220, 354)
   or a class (2 for any 2xx). */
static int
smtp_expect(struct smtp_conn *c, int want, const char *what, const char **error_r)
{
	if (smtp_read_reply(c, what, error_r) < 0)
		return -1;
	bool ok = want < 10 ? c->code / 100 == want : c->code == want;
	if (ok)
		return 0;
	char pb[360];
	*error_r = dsn_error("SMTP %s port %u: %s: %s", c->host, c->port, what,
	                     dsn_printable(pb, sizeof(pb), c->reply.data, c->reply.len));
	return -1;
}

static int
smtp_command(struct smtp_conn *c, const char *cmd, int want, const char *what, const char **error_r)
{
	if (smtp_send(c, cmd, strlen(cmd), what, error_r) < 0)
		return -1;
	return smtp_expect(c, want, what, error_r);
}

static int
smtp_flush(struct smtp_conn *c, const char **error_r)
{
	int r = smtp_send(c, c->out, c->out_len, "sending the message", error_r);
	c->out_len = 0;
	return r;
}

static int
smtp_put(struct smtp_conn *c, const char *data, size_t len, const char **error_r)
{
	if (sizeof(c->out) - c->out_len < len && smtp_flush(c, error_r) < 0)
		return -1;
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

/* The message as DATA content (RFC 5321 4.5.2): every line end CRLF (a
   bare CR or LF too, so that no ".\n" can end the data early), a line
   starting with '.' gets another, and CRLF.CRLF at the end. */
static int
smtp_data(struct smtp_conn *c, const char *msg, size_t len, const char **error_r)
{
	bool bol = true;
	size_t i = 0;
	while (i < len) {
		char ch = msg[i];
		if (ch == '\r' || ch == '\n') {
			i += (ch == '\r' && i + 1 < len && msg[i + 1] == '\n') ? 2 : 1;
			if (smtp_put(c, "\r\n", 2, error_r) < 0)
				return -1;
			bol = true;
			continue;
		}
		/* A run of ordinary bytes in one copy. */
		size_t end = i;
		while (end < len && msg[end] != '\r' && msg[end] != '\n' &&
		       end - i < sizeof(c->out) / 2)
			end++;
		if (bol && ch == '.' && smtp_put(c, ".", 1, error_r) < 0)
			return -1;
		if (smtp_put(c, msg + i, end - i, error_r) < 0)
			return -1;
		bol = false;
		i = end;
	}
	if (!bol && smtp_put(c, "\r\n", 2, error_r) < 0)
		return -1;
	if (smtp_put(c, ".\r\n", 3, error_r) < 0 || smtp_flush(c, error_r) < 0)
		return -1;
	return 0;
}

/* Connects to one address before the deadline: the socket, or -1 with
   errno. */
static int
smtp_connect_one(const struct addrinfo *ai, int64_t deadline)
{
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EINTR) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	int r = dsn_poll(fd, POLLOUT, deadline);
	int err = 0;
	socklen_t elen = sizeof(err);
	if (r == 0)
		err = ETIMEDOUT;
	else if (r < 0)
		err = errno;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	if (err != 0) {
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int
smtp_connect(struct smtp_conn *c, const char **error_r)
{
	char host[256];
	size_t hlen = strlen(c->host);
	/* "[::1]" as written in a configuration means the address. */
	if (hlen >= 2 && c->host[0] == '[' && c->host[hlen - 1] == ']' && hlen - 2 < sizeof(host)) {
		memcpy(host, c->host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	} else {
		snprintf(host, sizeof(host), "%s", c->host);
	}
	char port[16];
	snprintf(port, sizeof(port), "%u", c->port);
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *res = NULL;
	int gr = getaddrinfo(host, port, &hints, &res);
	if (gr != 0) {
		*error_r = smtp_fail(c, "cannot resolve the host", gai_strerror(gr));
		return -1;
	}
	int err = ENOENT;
	for (struct addrinfo *ai = res; ai != NULL && c->fd < 0; ai = ai->ai_next) {
		if (dsn_now_ms() >= c->deadline) {
			err = ETIMEDOUT;
			break;
		}
		c->fd = smtp_connect_one(ai, c->deadline);
		if (c->fd < 0)
			err = errno;
	}
	freeaddrinfo(res);
	if (c->fd < 0) {
		char eb[128];
		*error_r = smtp_fail(c, "cannot connect", dsn_strerror(err, eb, sizeof(eb)));
		return -1;
	}
	return 0;
}

/* Our name for EHLO: the host name, made a safe token. */
static void
smtp_helo_name(char *buf, size_t size)
{
	char name[256];
	if (gethostname(name, sizeof(name)) < 0)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	size_t n = 0;
	for (size_t i = 0; name[i] != '\0' && n + 1 < size; i++) {
		char ch = name[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
		buf[n++] = ok ? ch : '-';
	}
	buf[n] = '\0';
	if (n == 0)
		snprintf(buf, size, "localhost");
}

static int
smtp_dialogue(struct smtp_conn *c, const char *rcpt, const char *msg, size_t len,
              const char **error_r)
{
	char cmd[600];
	char name[256];
	if (smtp_expect(c, 220, "greeting", error_r) < 0)
		return -1;
	smtp_helo_name(name, sizeof(name));
	snprintf(cmd, sizeof(cmd), "EHLO %s\r\n", name);
	if (smtp_send(c, cmd, strlen(cmd), "EHLO", error_r) < 0 ||
	    smtp_read_reply(c, "EHLO", error_r) < 0)
		return -1;
	if (c->code / 100 == 5) {
		/* An old server: RFC 5321 4.1.4 lets the client fall back. */
		snprintf(cmd, sizeof(cmd), "HELO %s\r\n", name);
		if (smtp_command(c, cmd, 2, "HELO", error_r) < 0)
			return -1;
	} else if (c->code / 100 != 2) {
		char pb[360];
		*error_r = smtp_fail(c, "EHLO",
		                     dsn_printable(pb, sizeof(pb), c->reply.data, c->reply.len));
		return -1;
	}
	if (smtp_command(c, "MAIL FROM:<>\r\n", 2, "MAIL FROM", error_r) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>\r\n", rcpt);
	if (smtp_command(c, cmd, 2, "RCPT TO", error_r) < 0)
		return -1;
	if (smtp_command(c, "DATA\r\n", 354, "DATA", error_r) < 0)
		return -1;
	if (smtp_data(c, msg, len, error_r) < 0 || smtp_expect(c, 2, "end of DATA", error_r) < 0)
		return -1;
	/* The message is queued now: what QUIT gets does not change that. */
	const char *ignored;
	if (smtp_send(c, "QUIT\r\n", 6, "QUIT", &ignored) == 0)
		(void)smtp_read_reply(c, "QUIT", &ignored);
	return 0;
}

static int
dsn_submit_smtp(const struct milter_submit *submit, const char *rcpt, const char *msg, size_t len,
                int64_t deadline, const char **error_r)
{
	if (submit->host == NULL || submit->host[0] == '\0') {
		*error_r = "DSN submission: no SMTP host configured";
		return -1;
	}
	struct smtp_conn *c = sift_calloc(1, sizeof(*c));
	c->fd = -1;
	c->deadline = deadline;
	c->host = submit->host;
	c->port = submit->port != 0 ? submit->port : 25;
	sift_buf_init(&c->reply, 0);
	int ret = smtp_connect(c, error_r);
	if (ret == 0)
		ret = smtp_dialogue(c, rcpt, msg, len, error_r);
	if (c->fd >= 0)
		close(c->fd);
	sift_buf_free(&c->reply);
	sift_free(c);
	return ret;
}

/* ---- submission through a command --------------------------------------- */

/* Writes to the pipe with SIGPIPE blocked in this thread, so that a
   command that exits early gives EPIPE instead of killing the daemon; a
   SIGPIPE raised here is taken back unless one was pending before. */
static ssize_t
cmd_write(int fd, const char *data, size_t len)
{
	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigemptyset(&pending);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE) == 1;
	ssize_t n = write(fd, data, len);
	int err = errno;
	if (n < 0 && err == EPIPE && !was_pending) {
		struct timespec zero = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return n;
}

/* Reaps the child before the deadline; on timeout kills and reaps it.
   Returns 0 with *status_r, 1 on timeout, -1 on a wait error (errno). */
static int
cmd_wait(pid_t pid, int64_t deadline, int *status_r)
{
	long nap_ms = 1;
	for (;;) {
		pid_t r = waitpid(pid, status_r, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		int64_t left = deadline - dsn_now_ms();
		if (left <= 0)
			break;
		if (nap_ms > left)
			nap_ms = (long)left;
		struct timespec ts = {nap_ms / 1000, (nap_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		if (nap_ms < 50)
			nap_ms *= 2;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status_r, 0) < 0 && errno == EINTR)
		;
	return 1;
}

static int
cmd_spawn(const struct milter_submit *submit, const char *rcpt, int in_fd, pid_t *pid_r,
          const char **error_r)
{
	size_t argc = 0;
	while (submit->argv[argc] != NULL)
		argc++;
	char **argv = sift_calloc(argc + 2, sizeof(*argv));
	for (size_t i = 0; i < argc; i++)
		argv[i] = submit->argv[i];
	argv[argc] = (char *)rcpt;

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	/* The command starts with no signal blocked (milter threads block
	   some) and default dispositions for those we may have changed. */
	sigset_t none, deflt;
	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGCHLD);
	sigaddset(&deflt, SIGHUP);
	sigaddset(&deflt, SIGTERM);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGUSR1);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	int err = posix_spawn(pid_r, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	sift_free(argv);
	if (err != 0) {
		char eb[128], pb[200];
		*error_r = dsn_error(
		    "DSN command %s: cannot run: %s",
		    dsn_printable(pb, sizeof(pb), submit->argv[0], strlen(submit->argv[0])),
		    dsn_strerror(err, eb, sizeof(eb)));
		return -1;
	}
	return 0;
}

static int
dsn_submit_command(const struct milter_submit *submit, const char *rcpt, const char *msg,
                   size_t len, int64_t deadline, unsigned int timeout, const char **error_r)
{
	if (submit->argv == NULL || submit->argv[0] == NULL || submit->argv[0][0] == '\0') {
		*error_r = "DSN submission: no command configured";
		return -1;
	}
	/* The recipient is an argument: it must not read as an option. */
	if (rcpt[0] == '-') {
		*error_r = "DSN submission: recipient starts with '-'";
		return -1;
	}
	char pb[200], eb[128];
	const char *name = dsn_printable(pb, sizeof(pb), submit->argv[0], strlen(submit->argv[0]));
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*error_r = dsn_error("DSN command %s: pipe: %s", name,
		                     dsn_strerror(errno, eb, sizeof(eb)));
		return -1;
	}
	pid_t pid;
	if (cmd_spawn(submit, rcpt, pfd[0], &pid, error_r) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[0]);
	fcntl(pfd[1], F_SETFL, fcntl(pfd[1], F_GETFL) | O_NONBLOCK);

	const char *werr = NULL;
	bool timed_out = false;
	size_t done = 0;
	while (done < len) {
		ssize_t n = cmd_write(pfd[1], msg + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			int r = dsn_poll(pfd[1], POLLOUT, deadline);
			if (r > 0)
				continue;
			if (r == 0) {
				timed_out = true;
				break;
			}
		}
		werr = errno == EPIPE ? "it did not read the whole message"
		                      : dsn_strerror(errno, eb, sizeof(eb));
		break;
	}
	close(pfd[1]);
	if (timed_out)
		deadline = dsn_now_ms();

	int status = 0;
	int w = cmd_wait(pid, deadline, &status);
	if (w > 0) {
		*error_r = dsn_error("DSN command %s: timed out after %u s, killed", name, timeout);
		return -1;
	}
	if (w < 0) {
		*error_r = dsn_error("DSN command %s: cannot wait for it: %s", name,
		                     dsn_strerror(errno, eb, sizeof(eb)));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		*error_r = dsn_error("DSN command %s: killed by signal %d", name, WTERMSIG(status));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*error_r = dsn_error("DSN command %s: exit status %d", name,
		                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	if (werr != NULL) {
		*error_r = dsn_error("DSN command %s: %s", name, werr);
		return -1;
	}
	return 0;
}

int
milter_dsn_submit(const struct milter_submit *submit, const char *rcpt, const char *msg, size_t len,
                  const char **error_r)
{
	const char *unused;
	if (error_r == NULL)
		error_r = &unused;
	if (!milter_dsn_rcpt_ok(rcpt)) {
		*error_r = "DSN submission: invalid recipient address";
		return -1;
	}
	if (msg == NULL && len > 0) {
		*error_r = "DSN submission: no message";
		return -1;
	}
	unsigned int timeout = submit->timeout != 0 ? submit->timeout : SUBMIT_TIMEOUT_DEFAULT;
	int64_t deadline = dsn_now_ms() + (int64_t)timeout * 1000;
	switch (submit->kind) {
	case MILTER_SUBMIT_SMTP:
		return dsn_submit_smtp(submit, rcpt, msg, len, deadline, error_r);
	case MILTER_SUBMIT_COMMAND:
		return dsn_submit_command(submit, rcpt, msg, len, deadline, timeout, error_r);
	}
	*error_r = "DSN submission: unknown kind";
	return -1;
}
