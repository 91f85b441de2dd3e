/* SPDX-License-Identifier: MIT */
/* mailsift-milter's configuration file (docs/mailsift-milter.conf.5):
   "key = value" lines read over the defaults of milter_config_init().
   Limits: files of at most 1 MiB, lines of at most 4096 bytes, reply
   texts of at most 400 bytes.  Every value is checked here (syntax,
   range, absolute paths) so that `mailsift-milter -t` finds all mistakes
   before the daemon starts.  Bad input is never fatal: each problem
   becomes a diagnostic with its line and column, the bad line changes
   nothing, and the rest of the file is still read so that one run shows
   every mistake.  Nothing here logs or exits. */
#include "milter.h"
#include "util/alloc.h"
#include "util/str.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_LINE_MAX 4096
#define REPLY_TEXT_MAX  400
#define NAME_MAX_LEN    256
/* A key longer than this gets no "did you mean": no key is near it. */
#define SUGGEST_KEY_MAX  40
#define SUGGEST_DISTANCE 2

#define DEFAULT_SOCKET   "unix:/run/mailsift/milter.sock"
#define DEFAULT_USER     "mailsift"
#define DEFAULT_PIDFILE  "/run/mailsift/milter.pid"
#define DEFAULT_SCRIPT   "/etc/mailsift/milter.sieve"
#define DEFAULT_DSN_HOST "127.0.0.1"

enum config_key {
	KEY_SOCKET,
	KEY_USER,
	KEY_GROUP,
	KEY_SOCKET_MODE,
	KEY_PIDFILE,
	KEY_SCRIPT,
	KEY_ON_ERROR,
	KEY_REJECT_STATUS,
	KEY_REJECT_TEXT,
	KEY_TEMPFAIL_STATUS,
	KEY_TEMPFAIL_TEXT,
	KEY_ERROR_STATUS,
	KEY_ERROR_TEXT,
	KEY_BODY_MAX,
	KEY_HINT_KEY_FILE,
	KEY_HINT_MAX_AGE,
	KEY_DSN_SUBMIT,
	KEY_DSN_TIMEOUT,
	KEY_MAX_RECIPIENTS,
	KEY_TIMEOUT,
	KEY_TMPDIR,
	KEY_LOG_LEVEL,
	KEY_SYSLOG_FACILITY,
	KEY_FIXED_COUNT,
	/* limit_<name> keys follow: KEY_FIXED_COUNT + enum sift_limit_id. */
	KEY_ALL_COUNT = KEY_FIXED_COUNT + SIFT_LIMIT_COUNT
};

static const char *const key_names[KEY_FIXED_COUNT] = {
    [KEY_SOCKET] = "socket",
    [KEY_USER] = "user",
    [KEY_GROUP] = "group",
    [KEY_SOCKET_MODE] = "socket_mode",
    [KEY_PIDFILE] = "pidfile",
    [KEY_SCRIPT] = "script",
    [KEY_ON_ERROR] = "on_error",
    [KEY_REJECT_STATUS] = "reject_status",
    [KEY_REJECT_TEXT] = "reject_text",
    [KEY_TEMPFAIL_STATUS] = "tempfail_status",
    [KEY_TEMPFAIL_TEXT] = "tempfail_text",
    [KEY_ERROR_STATUS] = "error_status",
    [KEY_ERROR_TEXT] = "error_text",
    [KEY_BODY_MAX] = "body_max",
    [KEY_HINT_KEY_FILE] = "hint_key_file",
    [KEY_HINT_MAX_AGE] = "hint_max_age",
    [KEY_DSN_SUBMIT] = "dsn_submit",
    [KEY_DSN_TIMEOUT] = "dsn_timeout",
    [KEY_MAX_RECIPIENTS] = "max_recipients",
    [KEY_TIMEOUT] = "timeout",
    [KEY_TMPDIR] = "tmpdir",
    [KEY_LOG_LEVEL] = "log_level",
    [KEY_SYSLOG_FACILITY] = "syslog_facility",
};

/* Durations and counts with their ranges (seconds for durations). */
#define HINT_MAX_AGE_MIN   60ULL
#define HINT_MAX_AGE_MAX   (365ULL * 86400)
#define DSN_TIMEOUT_MIN    1ULL
#define DSN_TIMEOUT_MAX    3600ULL
#define TIMEOUT_MIN        1ULL
#define TIMEOUT_MAX        86400ULL
#define MAX_RECIPIENTS_MIN 1ULL
#define MAX_RECIPIENTS_MAX 100000ULL

static const struct {
	const char *name;
	enum milter_log_level level;
} log_levels[] = {
    {"error", MILTER_LOG_ERROR},
    {"warning", MILTER_LOG_WARNING},
    {"info", MILTER_LOG_INFO},
    {"debug", MILTER_LOG_DEBUG},
};

static const struct {
	const char *name;
	int facility;
} facilities[] = {
    {"mail", LOG_MAIL},     {"daemon", LOG_DAEMON}, {"user", LOG_USER},     {"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

struct config_parse {
	struct milter_config *cfg;
	struct sift_diags *diags;
	unsigned int line;
	unsigned int value_column;
	/* Per key slot: the line that set it in this input (0: not yet),
	   and which key did (body_max and limit_body_scan share a slot). */
	unsigned int seen_line[KEY_ALL_COUNT];
	int seen_key[KEY_ALL_COUNT];
};

/* ---- small helpers ---- */

/* Text from the file made fit for a diagnostic: printable ASCII kept,
   quotes and backslashes escaped, anything else as \xNN, cut with "...". */
static const char *
printable(char *buf, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t need = (c >= 0x20 && c < 0x7f) ? (c == '"' || c == '\\' ? 2 : 1) : 4;
		if (o + need + 4 > size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (need == 1) {
			buf[o++] = (char)c;
		} else if (need == 2) {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

static void diag_at(struct config_parse *p, enum sift_severity sev, unsigned int column,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
diag_at(struct config_parse *p, enum sift_severity sev, unsigned int column, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sift_diags_add(p->diags, sev, p->line, column, "%s", text);
}

#define value_error(p, ...) diag_at((p), SIFT_SEV_ERROR, (p)->value_column, __VA_ARGS__)

static void
replace_string(char **dst, const char *value)
{
	sift_free(*dst);
	*dst = value != NULL ? sift_strdup(value) : NULL;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

/* Decimal digits only, no sign, no overflow. */
static bool
parse_u64(const char *s, uint64_t *n_r)
{
	uint64_t n = 0;
	if (!is_digit(*s))
		return false;
	for (; is_digit(*s); s++) {
		unsigned int d = (unsigned int)(*s - '0');
		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	if (*s != '\0')
		return false;
	*n_r = n;
	return true;
}

/* Seconds, or a number with one of s, m, h, d. */
static bool
parse_duration(const char *s, uint64_t *n_r)
{
	size_t len = strlen(s);
	uint64_t mult = 1;
	char num[32];
	if (len == 0 || len >= sizeof(num))
		return false;
	switch (s[len - 1]) {
	case 's':
	case 'S':
		len--;
		break;
	case 'm':
	case 'M':
		mult = 60;
		len--;
		break;
	case 'h':
	case 'H':
		mult = 3600;
		len--;
		break;
	case 'd':
	case 'D':
		mult = 86400;
		len--;
		break;
	}
	memcpy(num, s, len);
	num[len] = '\0';
	uint64_t n;
	if (!parse_u64(num, &n) || (n != 0 && mult > UINT64_MAX / n))
		return false;
	*n_r = n * mult;
	return true;
}

static bool
parse_port(const char *s, size_t len, unsigned int *port_r)
{
	unsigned int port = 0;
	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
		port = port * 10 + (unsigned int)(s[i] - '0');
	}
	if (port < 1 || port > 65535)
		return false;
	*port_r = port;
	return true;
}

/* A host name or an IPv4 address as written: labels of letters, digits,
   '-' (not first or last) and '_', 1 to 63 bytes, between dots (one final
   dot allowed).  Nothing is resolved here; that is the job of whoever
   connects or binds. */
static bool
valid_hostname(const char *s, size_t len)
{
	size_t label = 0;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
		           c == '_' || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return s[len - 1] != '-';
}

/* inet_pton on a counted string. */
static bool
valid_address(int family, const char *s, size_t len)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	unsigned char out[sizeof(struct in6_addr)];
	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return inet_pton(family, tmp, out) == 1;
}

/* ---- public parsers ---- */

void
milter_config_init(struct milter_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->socket = sift_strdup(DEFAULT_SOCKET);
	cfg->user = sift_strdup(DEFAULT_USER);
	cfg->group = NULL;
	cfg->socket_mode = 0660;
	cfg->pidfile = sift_strdup(DEFAULT_PIDFILE);
	cfg->script = sift_strdup(DEFAULT_SCRIPT);
	cfg->on_error = MILTER_ON_ERROR_TEMPFAIL;
	memcpy(cfg->reject.code, "550", 4);
	memcpy(cfg->reject.xcode, "5.7.1", 6);
	cfg->reject.text = sift_strdup("Message refused by policy");
	memcpy(cfg->tempfail.code, "451", 4);
	memcpy(cfg->tempfail.xcode, "4.7.1", 6);
	cfg->tempfail.text = sift_strdup("Try again later");
	memcpy(cfg->error.code, "451", 4);
	memcpy(cfg->error.xcode, "4.3.0", 6);
	cfg->error.text = sift_strdup("Temporary local problem, try again later");
	cfg->hint_key_file = NULL;
	cfg->hint_max_age = 7 * 86400;
	cfg->dsn_submit.kind = MILTER_SUBMIT_SMTP;
	cfg->dsn_submit.host = sift_strdup(DEFAULT_DSN_HOST);
	cfg->dsn_submit.port = 25;
	cfg->dsn_submit.argv = NULL;
	cfg->dsn_submit.timeout = 60;
	cfg->max_recipients = 1000;
	cfg->timeout = 300;
	cfg->tmpdir = NULL;
	cfg->log_level = MILTER_LOG_INFO;
	cfg->syslog_facility = LOG_MAIL;
	sift_limits_init(&cfg->limits);
	/* Body tests hold up to about three copies of what they scan (the
	   decoded text, the piece, a case-folded copy), per message being
	   checked at once: the milter scans less than the offline tool. */
	cfg->limits.value[SIFT_LIMIT_BODY_SCAN] = MILTER_BODY_MAX_DEFAULT;
	/* A field as long as Postfix passes (header_size_limit) is read
	   whole: padding a field must not hide its end from the rules. */
	cfg->limits.value[SIFT_LIMIT_LINE_LENGTH] = MILTER_LINE_LENGTH_DEFAULT;
}

static void
free_argv(char ***argv)
{
	if (*argv == NULL)
		return;
	for (char **a = *argv; *a != NULL; a++)
		sift_free(*a);
	sift_free(*argv);
}

void
milter_config_free(struct milter_config *cfg)
{
	sift_free(cfg->socket);
	sift_free(cfg->user);
	sift_free(cfg->group);
	sift_free(cfg->pidfile);
	sift_free(cfg->script);
	sift_free(cfg->reject.text);
	sift_free(cfg->tempfail.text);
	sift_free(cfg->error.text);
	sift_free(cfg->hint_key_file);
	sift_free(cfg->dsn_submit.host);
	free_argv(&cfg->dsn_submit.argv);
	sift_free(cfg->tmpdir);
}

/* RFC 5321 4.2 reply code (only 4yz and 5yz: the milter refuses or
   defers, it never answers 2yz) and RFC 3463 enhanced status code,
   class.subject.detail with 1 to 3 digits each.  The reply is only
   written on success. */
int
milter_config_parse_status(struct milter_reply *reply, const char *text, const char **error_r)
{
	static __thread char errbuf[128];
	const char *p = text;
	if (!is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]) || is_digit(p[3])) {
		*error_r = "expected a 3-digit reply code and an enhanced status code, "
		           "as in \"550 5.7.1\"";
		return -1;
	}
	if (p[0] != '4' && p[0] != '5') {
		*error_r = "the reply code must be 4xx (temporary) or 5xx (permanent)";
		return -1;
	}
	if (p[1] > '5') {
		*error_r = "the reply code's second digit must be 0 to 5 (RFC 5321 4.2)";
		return -1;
	}
	const char *code = p;
	p += 3;
	if (*p == '\0') {
		*error_r = "missing enhanced status code after the reply code, as in \"550 5.7.1\"";
		return -1;
	}
	if (!sift_is_wsp(*p)) {
		*error_r = "expected a space between the reply code and the enhanced status code";
		return -1;
	}
	while (sift_is_wsp(*p))
		p++;
	const char *x = p;
	if (!is_digit(x[0]) || x[1] != '.') {
		*error_r = "the enhanced status code must be class.subject.detail, as in \"5.7.1\"";
		return -1;
	}
	if (x[0] != code[0]) {
		snprintf(errbuf, sizeof(errbuf),
		         "enhanced status class %c does not match reply code %.3s (must be %c.x.x)",
		         x[0], code, code[0]);
		*error_r = errbuf;
		return -1;
	}
	p = x + 2;
	for (int part = 0; part < 2; part++) {
		size_t n = 0;
		while (is_digit(p[n]))
			n++;
		if (n < 1 || n > 3 || (part == 0 && p[n] != '.') || (part == 1 && p[n] != '\0')) {
			*error_r =
			    "the enhanced status code must be class.subject.detail with 1 to 3 "
			    "digits each, as in \"5.7.1\" (RFC 3463)";
			return -1;
		}
		p += n + (part == 0 ? 1 : 0);
	}
	memcpy(reply->code, code, 3);
	reply->code[3] = '\0';
	size_t xlen = (size_t)(p - x);
	memcpy(reply->xcode, x, xlen);
	reply->xcode[xlen] = '\0';
	return 0;
}

/* smtp:HOST:PORT, smtp:[IPv6]:PORT, or command:/abs/path args (split on
   spaces and tabs, no quoting).  On success kind, host, port and argv are
   overwritten WITHOUT freeing what they held (the struct may be
   uninitialised; a caller replacing a value frees the old one first);
   timeout is left alone.  On error nothing is written. */
int
milter_config_parse_submit(struct milter_submit *submit, const char *text, const char **error_r)
{
	if (strncmp(text, "smtp:", 5) == 0) {
		const char *h = text + 5;
		const char *host;
		size_t host_len;
		const char *rest;
		if (*h == '[') {
			const char *end = strchr(h, ']');
			if (end == NULL) {
				*error_r = "smtp: missing \"]\" after the IPv6 address";
				return -1;
			}
			host = h + 1;
			host_len = (size_t)(end - host);
			if (!valid_address(AF_INET6, host, host_len)) {
				*error_r = "smtp: not an IPv6 address between \"[\" and \"]\"";
				return -1;
			}
			rest = end + 1;
		} else {
			const char *colon = strchr(h, ':');
			if (colon == NULL) {
				*error_r = "smtp: missing port, as in \"smtp:127.0.0.1:25\"";
				return -1;
			}
			if (strchr(colon + 1, ':') != NULL) {
				*error_r = "smtp: an IPv6 address goes in brackets, as in "
				           "\"smtp:[::1]:25\"";
				return -1;
			}
			host = h;
			host_len = (size_t)(colon - h);
			if (!valid_hostname(host, host_len)) {
				*error_r = "smtp: bad host name or IPv4 address";
				return -1;
			}
			rest = colon;
		}
		unsigned int port;
		if (*rest != ':') {
			*error_r = "smtp: missing port, as in \"smtp:[::1]:25\"";
			return -1;
		}
		if (!parse_port(rest + 1, strlen(rest + 1), &port)) {
			*error_r = "smtp: the port must be a number from 1 to 65535";
			return -1;
		}
		submit->kind = MILTER_SUBMIT_SMTP;
		submit->host = sift_memdup0(host, host_len);
		submit->port = port;
		submit->argv = NULL;
		return 0;
	}
	if (strncmp(text, "command:", 8) == 0) {
		const char *c = text + 8;
		size_t count = 0;
		/* Tabs separate arguments; every other control byte is an error. */
		for (const char *q = c; *q != '\0'; q++) {
			if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f) {
				*error_r = "command: control characters are not allowed";
				return -1;
			}
		}
		for (const char *q = c; *q != '\0';) {
			while (sift_is_wsp(*q))
				q++;
			if (*q == '\0')
				break;
			count++;
			while (*q != '\0' && !sift_is_wsp(*q))
				q++;
		}
		while (sift_is_wsp(*c))
			c++;
		if (count == 0) {
			*error_r =
			    "command: missing program, as in \"command:/usr/sbin/sendmail -i\"";
			return -1;
		}
		if (*c != '/') {
			*error_r = "command: the program must be an absolute path (no shell or "
			           "PATH search is involved)";
			return -1;
		}
		char **argv = sift_calloc(count + 1, sizeof(*argv));
		size_t i = 0;
		for (const char *q = c; *q != '\0' && i < count;) {
			while (sift_is_wsp(*q))
				q++;
			const char *start = q;
			while (*q != '\0' && !sift_is_wsp(*q))
				q++;
			if (q > start)
				argv[i++] = sift_memdup0(start, (size_t)(q - start));
		}
		argv[i] = NULL;
		submit->kind = MILTER_SUBMIT_COMMAND;
		submit->host = NULL;
		submit->port = 0;
		submit->argv = argv;
		return 0;
	}
	*error_r = "expected \"smtp:HOST:PORT\" or \"command:/path args\"";
	return -1;
}

/* ---- one value per key ---- */

static bool
check_abs_path(struct config_parse *p, const char *key, const char *v)
{
	char shown[96];
	if (v[0] != '/') {
		value_error(p, "%s must be an absolute path, not \"%s\"", key,
		            printable(shown, sizeof(shown), v, strlen(v)));
		return false;
	}
	if (has_control(v)) {
		value_error(p, "%s: control characters are not allowed in a path", key);
		return false;
	}
	if (strlen(v) >= PATH_MAX) {
		value_error(p, "%s: path longer than %d bytes", key, PATH_MAX - 1);
		return false;
	}
	return true;
}

static void
set_socket(struct config_parse *p, const char *v)
{
	char shown[96];
	const char *path = NULL;
	if (strncmp(v, "unix:", 5) == 0)
		path = v + 5;
	else if (strncmp(v, "local:", 6) == 0)
		path = v + 6;
	if (path != NULL) {
		struct sockaddr_un sun;
		if (path[0] != '/') {
			value_error(p, "socket: a unix socket path must be absolute, not \"%s\"",
			            printable(shown, sizeof(shown), path, strlen(path)));
			return;
		}
		if (has_control(path)) {
			value_error(p, "socket: control characters are not allowed in a path");
			return;
		}
		/* libmilter wants the path and its NUL to fit with a byte to spare. */
		if (strlen(path) + 1 >= sizeof(sun.sun_path)) {
			value_error(p, "socket: unix socket path longer than %zu bytes",
			            sizeof(sun.sun_path) - 2);
			return;
		}
		replace_string(&p->cfg->socket, v);
		return;
	}
	int family = 0;
	const char *rest = NULL;
	if (strncmp(v, "inet:", 5) == 0) {
		family = AF_INET;
		rest = v + 5;
	} else if (strncmp(v, "inet6:", 6) == 0) {
		family = AF_INET6;
		rest = v + 6;
	}
	if (rest == NULL) {
		value_error(p,
		            "socket: \"%s\" is not a socket (use unix:/path, local:/path, "
		            "inet:PORT@HOST, inet:PORT, inet6:PORT@HOST or inet6:PORT)",
		            printable(shown, sizeof(shown), v, strlen(v)));
		return;
	}
	const char *at = strchr(rest, '@');
	size_t port_len = at != NULL ? (size_t)(at - rest) : strlen(rest);
	unsigned int port;
	if (!parse_port(rest, port_len, &port)) {
		value_error(p, "socket: the port must be a number from 1 to 65535, not \"%s\"",
		            printable(shown, sizeof(shown), rest, port_len));
		return;
	}
	if (at != NULL) {
		const char *host = at + 1;
		size_t host_len = strlen(host);
		bool ok;
		if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']')
			ok = valid_address(family, host + 1, host_len - 2);
		else if (family == AF_INET6 && strchr(host, ':') != NULL)
			ok = valid_address(AF_INET6, host, host_len);
		else
			ok = valid_hostname(host, host_len);
		if (!ok) {
			value_error(p, "socket: \"%s\" is not a host name or %s address",
			            printable(shown, sizeof(shown), host, host_len),
			            family == AF_INET ? "IPv4" : "IPv6");
			return;
		}
	}
	replace_string(&p->cfg->socket, v);
}

/* User and group names: what getpwnam/getgrnam can take, minus anything
   that would be confusing in a log line. */
static bool
check_name(struct config_parse *p, const char *key, const char *v)
{
	size_t len = strlen(v);
	if (len > NAME_MAX_LEN) {
		value_error(p, "%s: name longer than %d bytes", key, NAME_MAX_LEN);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= 0x20 || c >= 0x7f || c == ':') {
			value_error(p,
			            "%s: a name of printable ASCII without spaces or \":\" "
			            "is expected",
			            key);
			return false;
		}
	}
	return true;
}

static void
set_socket_mode(struct config_parse *p, const char *v)
{
	char shown[96];
	unsigned int mode = 0;
	size_t len = strlen(v);
	bool ok = len >= 1 && len <= 6;
	for (size_t i = 0; ok && i < len; i++) {
		if (v[i] < '0' || v[i] > '7')
			ok = false;
		else
			mode = mode * 8 + (unsigned int)(v[i] - '0');
	}
	if (!ok || mode > 0777) {
		value_error(p,
		            "socket_mode must be octal permission bits from 0000 to 0777, "
		            "not \"%s\"",
		            printable(shown, sizeof(shown), v, len));
		return;
	}
	if (mode & 0002) {
		value_error(p,
		            "socket_mode %04o is world-writable: every local user could connect "
		            "to the filter and talk to it as if they were the MTA; let the MTA "
		            "in through the group instead (0660)",
		            mode);
		return;
	}
	p->cfg->socket_mode = mode;
}

static void
set_status(struct config_parse *p, const char *key, struct milter_reply *reply, char want,
           const char *v)
{
	struct milter_reply tmp;
	const char *error;
	if (milter_config_parse_status(&tmp, v, &error) < 0) {
		value_error(p, "%s: %s", key, error);
		return;
	}
	if (tmp.code[0] != want) {
		value_error(p, "%s must be a %cxx reply (%s), not %s", key, want,
		            want == '5' ? "a permanent refusal" : "a temporary failure", tmp.code);
		return;
	}
	memcpy(reply->code, tmp.code, sizeof(reply->code));
	memcpy(reply->xcode, tmp.xcode, sizeof(reply->xcode));
}

static void
set_text(struct config_parse *p, const char *key, struct milter_reply *reply, const char *v)
{
	size_t len = strlen(v);
	if (len > REPLY_TEXT_MAX) {
		value_error(p, "%s is longer than %d bytes", key, REPLY_TEXT_MAX);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c > 0x7e) {
			diag_at(
			    p, SIFT_SEV_ERROR, p->value_column + (unsigned int)i,
			    "%s: only printable ASCII is allowed in an SMTP reply (byte 0x%02x)",
			    key, c);
			return;
		}
	}
	replace_string(&reply->text, v);
}

static bool
set_duration(struct config_parse *p, const char *key, const char *v, uint64_t min, uint64_t max,
             uint64_t *n_r)
{
	char shown[96];
	uint64_t n;
	if (!parse_duration(v, &n)) {
		value_error(p,
		            "%s: \"%s\" is not a duration (seconds, or a number followed by "
		            "s, m, h or d)",
		            key, printable(shown, sizeof(shown), v, strlen(v)));
		return false;
	}
	if (n < min || n > max) {
		value_error(p, "%s must be between %llu and %llu seconds", key,
		            (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*n_r = n;
	return true;
}

static void
set_submit(struct config_parse *p, const char *v)
{
	struct milter_submit tmp;
	const char *error;
	if (milter_config_parse_submit(&tmp, v, &error) < 0) {
		value_error(p, "dsn_submit: %s", error);
		return;
	}
	struct milter_submit *s = &p->cfg->dsn_submit;
	sift_free(s->host);
	free_argv(&s->argv);
	s->kind = tmp.kind;
	s->host = tmp.host;
	s->port = tmp.port;
	s->argv = tmp.argv;
}

static void
set_value(struct config_parse *p, int key, const char *v)
{
	struct milter_config *cfg = p->cfg;
	const char *error;
	char shown[96];
	char core[256];
	uint64_t n;

	/* The core's limit errors quote the value as it is: made printable
	   here like every other piece of the file shown in a diagnostic. */
	if (key >= KEY_FIXED_COUNT) {
		const char *name = sift_limit_defs[key - KEY_FIXED_COUNT].name;
		if (sift_limits_set(&cfg->limits, name, v, &error) < 0)
			value_error(p, "%s", printable(core, sizeof(core), error, strlen(error)));
		return;
	}
	switch ((enum config_key)key) {
	case KEY_SOCKET:
		set_socket(p, v);
		break;
	case KEY_USER:
		if (check_name(p, "user", v))
			replace_string(&cfg->user, v);
		break;
	case KEY_GROUP:
		if (v[0] == '\0')
			replace_string(&cfg->group, NULL);
		else if (check_name(p, "group", v))
			replace_string(&cfg->group, v);
		break;
	case KEY_SOCKET_MODE:
		set_socket_mode(p, v);
		break;
	case KEY_PIDFILE:
		if (strcmp(v, "none") == 0)
			replace_string(&cfg->pidfile, NULL);
		else if (check_abs_path(p, "pidfile", v))
			replace_string(&cfg->pidfile, v);
		break;
	case KEY_SCRIPT:
		if (check_abs_path(p, "script", v))
			replace_string(&cfg->script, v);
		break;
	case KEY_ON_ERROR:
		if (strcmp(v, "tempfail") == 0)
			cfg->on_error = MILTER_ON_ERROR_TEMPFAIL;
		else if (strcmp(v, "accept") == 0)
			cfg->on_error = MILTER_ON_ERROR_ACCEPT;
		else
			value_error(p, "on_error must be \"tempfail\" or \"accept\", not \"%s\"",
			            printable(shown, sizeof(shown), v, strlen(v)));
		break;
	case KEY_REJECT_STATUS:
		set_status(p, "reject_status", &cfg->reject, '5', v);
		break;
	case KEY_REJECT_TEXT:
		set_text(p, "reject_text", &cfg->reject, v);
		break;
	case KEY_TEMPFAIL_STATUS:
		set_status(p, "tempfail_status", &cfg->tempfail, '4', v);
		break;
	case KEY_TEMPFAIL_TEXT:
		set_text(p, "tempfail_text", &cfg->tempfail, v);
		break;
	case KEY_ERROR_STATUS:
		set_status(p, "error_status", &cfg->error, '4', v);
		break;
	case KEY_ERROR_TEXT:
		set_text(p, "error_text", &cfg->error, v);
		break;
	case KEY_BODY_MAX:
		if (sift_limits_set(&cfg->limits, "body_scan", v, &error) < 0)
			value_error(p, "body_max: %s",
			            printable(core, sizeof(core), error, strlen(error)));
		break;
	case KEY_HINT_KEY_FILE:
		if (v[0] == '\0' || strcmp(v, "none") == 0)
			replace_string(&cfg->hint_key_file, NULL);
		else if (check_abs_path(p, "hint_key_file", v))
			replace_string(&cfg->hint_key_file, v);
		break;
	case KEY_HINT_MAX_AGE:
		if (set_duration(p, "hint_max_age", v, HINT_MAX_AGE_MIN, HINT_MAX_AGE_MAX, &n))
			cfg->hint_max_age = n;
		break;
	case KEY_DSN_SUBMIT:
		set_submit(p, v);
		break;
	case KEY_DSN_TIMEOUT:
		if (set_duration(p, "dsn_timeout", v, DSN_TIMEOUT_MIN, DSN_TIMEOUT_MAX, &n))
			cfg->dsn_submit.timeout = (unsigned int)n;
		break;
	case KEY_MAX_RECIPIENTS:
		if (!parse_u64(v, &n))
			value_error(p, "max_recipients: \"%s\" is not a number",
			            printable(shown, sizeof(shown), v, strlen(v)));
		else if (n < MAX_RECIPIENTS_MIN || n > MAX_RECIPIENTS_MAX)
			value_error(p, "max_recipients must be between %llu and %llu",
			            MAX_RECIPIENTS_MIN, MAX_RECIPIENTS_MAX);
		else
			cfg->max_recipients = (unsigned int)n;
		break;
	case KEY_TIMEOUT:
		if (set_duration(p, "timeout", v, TIMEOUT_MIN, TIMEOUT_MAX, &n))
			cfg->timeout = (unsigned int)n;
		break;
	case KEY_TMPDIR:
		if (v[0] == '\0' || strcmp(v, "none") == 0)
			replace_string(&cfg->tmpdir, NULL);
		else if (check_abs_path(p, "tmpdir", v))
			replace_string(&cfg->tmpdir, v);
		break;
	case KEY_LOG_LEVEL:
		for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
			if (strcmp(v, log_levels[i].name) == 0) {
				cfg->log_level = log_levels[i].level;
				return;
			}
		}
		value_error(p, "log_level must be error, warning, info or debug, not \"%s\"",
		            printable(shown, sizeof(shown), v, strlen(v)));
		break;
	case KEY_SYSLOG_FACILITY:
		for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
			if (strcmp(v, facilities[i].name) == 0) {
				cfg->syslog_facility = facilities[i].facility;
				return;
			}
		}
		value_error(p,
		            "syslog_facility must be mail, daemon, user or local0 to local7, "
		            "not \"%s\"",
		            printable(shown, sizeof(shown), v, strlen(v)));
		break;
	case KEY_FIXED_COUNT:
	case KEY_ALL_COUNT:
		break;
	}
}

/* ---- keys ---- */

/* The name of key k into buf (limit keys are built from the limits table). */
static const char *
key_name(int k, char *buf, size_t size)
{
	if (k < KEY_FIXED_COUNT)
		return key_names[k];
	snprintf(buf, size, "limit_%s", sift_limit_defs[k - KEY_FIXED_COUNT].name);
	return buf;
}

static int
find_key(const char *key)
{
	for (int k = 0; k < KEY_FIXED_COUNT; k++) {
		if (strcmp(key, key_names[k]) == 0)
			return k;
	}
	if (strncmp(key, "limit_", 6) == 0) {
		/* sift_limit_lookup ignores case; configuration keys do not. */
		int id = sift_limit_lookup(key + 6);
		if (id >= 0 && strcmp(sift_limit_defs[id].name, key + 6) == 0)
			return KEY_FIXED_COUNT + id;
	}
	return -1;
}

/* Optimal string alignment distance (Levenshtein plus adjacent
   transpositions), ASCII case folded; both strings are short (the caller
   bounds a to SUGGEST_KEY_MAX, b is a key name). */
static size_t
edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t rows[3][SUGGEST_KEY_MAX + 2];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	if (blen > SUGGEST_KEY_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= blen; j++)
		prev[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			char ca = sift_ascii_lower(a[i - 1]);
			char cb = sift_ascii_lower(b[j - 1]);
			size_t cost = ca == cb ? 0 : 1;
			size_t best = prev[j - 1] + cost;
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == sift_ascii_lower(b[j - 2]) &&
			    sift_ascii_lower(a[i - 2]) == cb && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[blen];
}

/* The nearest key within SUGGEST_DISTANCE, or NULL; ties go to the first
   key in table order. */
static const char *
suggest_key(const char *key, size_t len, char *buf, size_t size)
{
	size_t best = SUGGEST_DISTANCE + 1;
	int best_key = -1;
	char name_buf[64];
	if (len > SUGGEST_KEY_MAX)
		return NULL;
	for (int k = 0; k < KEY_ALL_COUNT; k++) {
		const char *name = key_name(k, name_buf, sizeof(name_buf));
		size_t name_len = strlen(name);
		/* The length difference alone is a lower bound of the distance. */
		if (len > name_len + SUGGEST_DISTANCE || name_len > len + SUGGEST_DISTANCE)
			continue;
		size_t d = edit_distance(key, len, name, name_len);
		if (d < best) {
			best = d;
			best_key = k;
		}
	}
	if (best_key < 0)
		return NULL;
	snprintf(buf, size, "%s", key_name(best_key, name_buf, sizeof(name_buf)));
	return buf;
}

/* body_max is another name for limit_body_scan: both share one slot so
   that giving both is reported like a key given twice. */
static int
key_slot(int k)
{
	return k == KEY_BODY_MAX ? KEY_FIXED_COUNT + SIFT_LIMIT_BODY_SCAN : k;
}

/* ---- lines ---- */

static void
parse_line(struct config_parse *p, const char *line, size_t len)
{
	char shown[96];
	char name_buf[64];
	char value[CONFIG_LINE_MAX + 1];

	/* A CRLF file (edited elsewhere) reads like an LF one. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > CONFIG_LINE_MAX) {
		diag_at(p, SIFT_SEV_ERROR, 1, "line longer than %d bytes", CONFIG_LINE_MAX);
		return;
	}
	const char *nul = memchr(line, '\0', len);
	if (nul != NULL) {
		diag_at(p, SIFT_SEV_ERROR, (unsigned int)(nul - line) + 1, "NUL byte in line");
		return;
	}
	size_t i = 0;
	while (i < len && sift_is_wsp(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return;
	const char *eq = memchr(line, '=', len);
	if (eq == NULL) {
		diag_at(p, SIFT_SEV_ERROR, 1, "missing \"=\": a line is \"key = value\" (\"%s\")",
		        printable(shown, sizeof(shown), line + i, len - i));
		return;
	}
	const char *key = line + i;
	size_t key_len = (size_t)(eq - key);
	while (key_len > 0 && sift_is_wsp(key[key_len - 1]))
		key_len--;
	if (key_len == 0) {
		diag_at(p, SIFT_SEV_ERROR, 1, "missing key before \"=\"");
		return;
	}
	size_t v = (size_t)(eq - line) + 1;
	while (v < len && sift_is_wsp(line[v]))
		v++;
	size_t vend = len;
	while (vend > v && (sift_is_wsp(line[vend - 1]) || line[vend - 1] == '\r'))
		vend--;
	p->value_column = (unsigned int)v + 1;
	memcpy(value, line + v, vend - v);
	value[vend - v] = '\0';

	char key_str[CONFIG_LINE_MAX + 1];
	memcpy(key_str, key, key_len);
	key_str[key_len] = '\0';
	int k = find_key(key_str);
	if (k < 0) {
		char suggestion[64];
		/* Past the diagnostics' maximum nothing more is shown, so a file
		   of junk costs no search per line. */
		size_t max = p->diags->max == 0 ? 100 : p->diags->max;
		printable(shown, sizeof(shown), key, key_len);
		if (p->diags->count < max &&
		    suggest_key(key, key_len, suggestion, sizeof(suggestion)) != NULL)
			diag_at(p, SIFT_SEV_ERROR, 1, "unknown key \"%s\" (did you mean \"%s\"?)",
			        shown, suggestion);
		else
			diag_at(p, SIFT_SEV_ERROR, 1, "unknown key \"%s\"", shown);
		return;
	}
	int slot = key_slot(k);
	if (p->seen_line[slot] != 0) {
		if (p->seen_key[slot] == k)
			diag_at(p, SIFT_SEV_ERROR, 1,
			        "duplicate key \"%s\" (first given on line %u)", key_str,
			        p->seen_line[slot]);
		else
			diag_at(p, SIFT_SEV_ERROR, 1,
			        "duplicate key \"%s\" (\"%s\" on line %u sets the same limit)",
			        key_str, key_name(p->seen_key[slot], name_buf, sizeof(name_buf)),
			        p->seen_line[slot]);
		return;
	}
	p->seen_line[slot] = p->line;
	p->seen_key[slot] = k;

	if (vend == v && k != KEY_GROUP && k != KEY_HINT_KEY_FILE && k != KEY_TMPDIR) {
		value_error(p, "missing value for \"%s\"", key_str);
		return;
	}
	/* "#" starts a comment only at the start of a line; say so where an
	   administrator may have meant one (reply texts may well hold "#"). */
	if (k != KEY_REJECT_TEXT && k != KEY_TEMPFAIL_TEXT && k != KEY_ERROR_TEXT) {
		for (size_t j = 1; j < vend - v; j++) {
			if (value[j] == '#' && sift_is_wsp(value[j - 1])) {
				diag_at(
				    p, SIFT_SEV_WARNING, p->value_column + (unsigned int)j,
				    "\"#\" is part of the value of \"%s\": comments start only at "
				    "the beginning of a line",
				    key_str);
				break;
			}
		}
	}
	set_value(p, k, value);
}

/* Settings that only make sense together, checked once the whole input
   is read (keys may come in any order). */
static void
check_combinations(struct config_parse *p)
{
	unsigned int line = p->seen_line[KEY_SOCKET_MODE];
	if (line != 0 && strncmp(p->cfg->socket, "inet", 4) == 0) {
		p->line = line;
		diag_at(p, SIFT_SEV_WARNING, 1,
		        "socket_mode applies to unix sockets only; ignored with socket = %s",
		        p->cfg->socket);
	}
}

int
milter_config_load_buffer(struct milter_config *cfg, const char *name, const char *data, size_t len,
                          struct sift_diags *diags)
{
	size_t errors = diags->errors;
	if (len > CONFIG_FILE_MAX) {
		sift_diags_add(diags, SIFT_SEV_ERROR, 0, 0, "%s is larger than %d bytes",
		               name != NULL ? name : "the configuration", CONFIG_FILE_MAX);
		return -1;
	}
	/* Some editors start a UTF-8 file with a byte order mark; nobody sees
	   it, so it must not make the first key unknown. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	struct config_parse *p = sift_calloc(1, sizeof(*p));
	p->cfg = cfg;
	p->diags = diags;
	size_t pos = 0;
	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += line_len + (nl != NULL ? 1 : 0);
		p->line++;
		parse_line(p, line, line_len);
	}
	check_combinations(p);
	sift_free(p);
	return diags->errors > errors ? -1 : 0;
}

int
milter_config_load(struct milter_config *cfg, const char *path, struct sift_diags *diags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		sift_diags_add(diags, SIFT_SEV_ERROR, 0, 0, "cannot open %s: %s", path,
		               strerror(errno));
		return -1;
	}
	/* One byte past the maximum, so that a file that is too large is
	   seen as such and not silently cut. */
	struct sift_buf buf;
	sift_buf_init(&buf, CONFIG_FILE_MAX + 1);
	for (;;) {
		size_t room = CONFIG_FILE_MAX + 1 - buf.len;
		if (room == 0)
			break;
		if (room > 65536)
			room = 65536;
		if (sift_buf_reserve(&buf, room) < 0)
			break;
		ssize_t n = read(fd, buf.data + buf.len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			sift_diags_add(diags, SIFT_SEV_ERROR, 0, 0, "cannot read %s: %s", path,
			               strerror(err));
			close(fd);
			sift_buf_free(&buf);
			return -1;
		}
		if (n == 0)
			break;
		buf.len += (size_t)n;
	}
	close(fd);
	int ret =
	    milter_config_load_buffer(cfg, path, buf.data != NULL ? buf.data : "", buf.len, diags);
	sift_buf_free(&buf);
	return ret;
}
