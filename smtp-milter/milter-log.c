/* SPDX-License-Identifier: MIT */
/* Logging for mailsift-milter: syslog in the daemon, standard error in
   the foreground and for -t.  One format-checked call; whatever comes
   from a client is passed through milter_log_safe() first, so a log line
   never carries control characters or a forged second line. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "milter.h"

static bool log_stderr = true;
static enum milter_log_level log_level = MILTER_LOG_INFO;

void
milter_log_open(const char *ident, int facility, bool to_stderr, enum milter_log_level level)
{
	log_stderr = to_stderr;
	log_level = level;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
milter_log_set_level(enum milter_log_level level)
{
	log_level = level;
}

bool
milter_log_enabled(enum milter_log_level level)
{
	return level <= log_level;
}

void
milter_log(enum milter_log_level level, const char *fmt, ...)
{
	static const int priorities[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	static const char *const names[] = {"error", "warning", "info", "debug"};
	if (level > log_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (log_stderr) {
		char line[2048];
		vsnprintf(line, sizeof(line), fmt, ap);
		/* One write per line, so threads do not interleave. */
		fprintf(stderr, "mailsift-milter: %s: %s\n", names[level], line);
	} else {
		vsyslog(priorities[level], fmt, ap);
	}
	va_end(ap);
}

const char *
milter_log_safe(char *buf, size_t size, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (size == 0)
		return buf;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		size_t need = c >= 32 && c < 127 && c != '\\' ? 1 : c == '\\' ? 2 : 4;
		if (o + need + 4 > size) {
			if (o + 4 <= size) {
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1) {
			buf[o++] = (char)c;
		} else if (need == 2) {
			buf[o++] = '\\';
			buf[o++] = '\\';
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
