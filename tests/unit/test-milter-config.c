/* SPDX-License-Identifier: MIT */
/* Unit tests for smtp-milter/milter-config.c: the defaults, every key,
   the line syntax (comments, white space, CRLF, "#" inside values), every
   error with its exact line, column and text (unknown keys and their
   suggestions, duplicates, long lines, NULs, bad values), status and
   dsn_submit parsing on their own, the engine limits, reading real files,
   reloading over the same settings (no leaks under ASan), and the
   example file in docs/examples (found through MAILSIFT_TEST_DATA). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "milter.h"
#include "util/alloc.h"
#include "util/buffer.h"

/* Not in milter.h yet (see milter-config.c). */
int milter_config_load_buffer(struct milter_config *cfg, const char *name, const char *data,
                              size_t len, struct sift_diags *diags);

#define MIB (1024ULL * 1024)

/* ---- helpers ---- */

static int
load_len(struct milter_config *cfg, struct sift_diags *diags, const char *text, size_t len)
{
	return milter_config_load_buffer(cfg, "test.conf", text, len, diags);
}

static int
load(struct milter_config *cfg, struct sift_diags *diags, const char *text)
{
	return load_len(cfg, diags, text, strlen(text));
}

/* Loads text over the defaults and expects exactly one diagnostic. */
static void
expect_one(const char *text, enum sift_severity sev, unsigned int line, unsigned int column,
           const char *message)
{
	struct milter_config cfg;
	struct sift_diags diags;
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	int ret = load(&cfg, &diags, text);
	if (diags.count != 1) {
		for (size_t i = 0; i < diags.count; i++)
			print_error("diag %zu: %u:%u: %s\n", i, diags.items[i].line,
			            diags.items[i].column, diags.items[i].text);
	}
	assert_int_equal(diags.count, 1);
	assert_string_equal(diags.items[0].text, message);
	assert_int_equal(diags.items[0].severity, sev);
	assert_int_equal(diags.items[0].line, line);
	assert_int_equal(diags.items[0].column, column);
	assert_int_equal(ret, sev == SIFT_SEV_ERROR ? -1 : 0);
	sift_diags_free(&diags);
	milter_config_free(&cfg);
}

static void
expect_error(const char *text, unsigned int line, unsigned int column, const char *message)
{
	expect_one(text, SIFT_SEV_ERROR, line, column, message);
}

/* Loads text and expects no diagnostic at all. */
static void
load_clean(struct milter_config *cfg, const char *text)
{
	struct sift_diags diags;
	sift_diags_init(&diags);
	int ret = load(cfg, &diags, text);
	for (size_t i = 0; i < diags.count; i++)
		print_error("unexpected diag %u:%u: %s\n", diags.items[i].line,
		            diags.items[i].column, diags.items[i].text);
	assert_int_equal(diags.count, 0);
	assert_int_equal(ret, 0);
	sift_diags_free(&diags);
}

static void
assert_str_or_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void
assert_reply_equal(const struct milter_reply *a, const struct milter_reply *b)
{
	assert_string_equal(a->code, b->code);
	assert_string_equal(a->xcode, b->xcode);
	assert_str_or_null(a->text, b->text);
}

static void
assert_config_equal(const struct milter_config *a, const struct milter_config *b)
{
	assert_str_or_null(a->socket, b->socket);
	assert_str_or_null(a->user, b->user);
	assert_str_or_null(a->group, b->group);
	assert_int_equal(a->socket_mode, b->socket_mode);
	assert_str_or_null(a->pidfile, b->pidfile);
	assert_str_or_null(a->script, b->script);
	assert_int_equal(a->on_error, b->on_error);
	assert_reply_equal(&a->reject, &b->reject);
	assert_reply_equal(&a->tempfail, &b->tempfail);
	assert_reply_equal(&a->error, &b->error);
	assert_str_or_null(a->hint_key_file, b->hint_key_file);
	assert_int_equal(a->hint_max_age, b->hint_max_age);
	assert_int_equal(a->dsn_submit.kind, b->dsn_submit.kind);
	assert_str_or_null(a->dsn_submit.host, b->dsn_submit.host);
	assert_int_equal(a->dsn_submit.port, b->dsn_submit.port);
	assert_int_equal(a->dsn_submit.timeout, b->dsn_submit.timeout);
	assert_true((a->dsn_submit.argv == NULL) == (b->dsn_submit.argv == NULL));
	if (a->dsn_submit.argv != NULL) {
		size_t i = 0;
		for (; a->dsn_submit.argv[i] != NULL; i++)
			assert_str_or_null(a->dsn_submit.argv[i], b->dsn_submit.argv[i]);
		assert_null(b->dsn_submit.argv[i]);
	}
	assert_int_equal(a->max_recipients, b->max_recipients);
	assert_int_equal(a->timeout, b->timeout);
	assert_str_or_null(a->tmpdir, b->tmpdir);
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->syslog_facility, b->syslog_facility);
	assert_memory_equal(&a->limits, &b->limits, sizeof(a->limits));
}

static void
free_submit(struct milter_submit *s)
{
	sift_free(s->host);
	if (s->argv != NULL) {
		for (char **a = s->argv; *a != NULL; a++)
			sift_free(*a);
		sift_free(s->argv);
	}
}

/* ---- defaults ---- */

static void
test_defaults(void **state)
{
	struct milter_config cfg;
	memset(&cfg, 0x5a, sizeof(cfg));
	milter_config_init(&cfg);
	assert_string_equal(cfg.socket, "unix:/run/mailsift/milter.sock");
	assert_string_equal(cfg.user, "mailsift");
	assert_null(cfg.group);
	assert_int_equal(cfg.socket_mode, 0660);
	assert_string_equal(cfg.pidfile, "/run/mailsift/milter.pid");
	assert_string_equal(cfg.script, "/etc/mailsift/milter.sieve");
	assert_int_equal(cfg.on_error, MILTER_ON_ERROR_TEMPFAIL);
	assert_string_equal(cfg.reject.code, "550");
	assert_string_equal(cfg.reject.xcode, "5.7.1");
	assert_string_equal(cfg.reject.text, "Message refused by policy");
	assert_string_equal(cfg.tempfail.code, "451");
	assert_string_equal(cfg.tempfail.xcode, "4.7.1");
	assert_string_equal(cfg.tempfail.text, "Try again later");
	assert_string_equal(cfg.error.code, "451");
	assert_string_equal(cfg.error.xcode, "4.3.0");
	assert_string_equal(cfg.error.text, "Temporary local problem, try again later");
	assert_null(cfg.hint_key_file);
	assert_int_equal(cfg.hint_max_age, 7 * 86400);
	assert_int_equal(cfg.dsn_submit.kind, MILTER_SUBMIT_SMTP);
	assert_string_equal(cfg.dsn_submit.host, "127.0.0.1");
	assert_int_equal(cfg.dsn_submit.port, 25);
	assert_null(cfg.dsn_submit.argv);
	assert_int_equal(cfg.dsn_submit.timeout, 60);
	assert_int_equal(cfg.max_recipients, 1000);
	assert_int_equal(cfg.timeout, 300);
	assert_null(cfg.tmpdir);
	assert_int_equal(cfg.log_level, MILTER_LOG_INFO);
	assert_int_equal(cfg.syslog_facility, LOG_MAIL);
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++)
		assert_int_equal(cfg.limits.value[i],
		                 i == SIFT_LIMIT_BODY_SCAN     ? MILTER_BODY_MAX_DEFAULT
		                 : i == SIFT_LIMIT_LINE_LENGTH ? MILTER_LINE_LENGTH_DEFAULT
		                                               : sift_limit_defs[i].def);
	/* Freeing an init-only config, and freeing twice, are both safe. */
	milter_config_free(&cfg);
	assert_null(cfg.socket);
	assert_null(cfg.reject.text);
	assert_null(cfg.dsn_submit.host);
	milter_config_free(&cfg);
}

static void
test_empty_input(void **state)
{
	struct milter_config cfg, def;
	milter_config_init(&cfg);
	milter_config_init(&def);
	load_clean(&cfg, "");
	load_clean(&cfg, "\n\n   \n\t\n");
	load_clean(&cfg, "# only a comment\n   # indented comment\n\t#tab\n#\n");
	assert_config_equal(&cfg, &def);
	milter_config_free(&cfg);
	milter_config_free(&def);
}

/* ---- every key ---- */

static void
test_every_key(void **state)
{
	struct milter_config cfg;
	milter_config_init(&cfg);
	load_clean(&cfg, "socket = local:/var/spool/postfix/ms/milter\n"
	                 "user = filter\n"
	                 "group = postfix\n"
	                 "socket_mode = 0640\n"
	                 "pidfile = /var/run/ms.pid\n"
	                 "script = /etc/ms/rules.sieve\n"
	                 "on_error = accept\n"
	                 "reject_status = 554 5.7.0\n"
	                 "reject_text = Go away\n"
	                 "tempfail_status = 450 4.2.0\n"
	                 "tempfail_text = Later please\n"
	                 "error_status = 421 4.3.2\n"
	                 "error_text = Broken here, sorry\n"
	                 "body_max = 10M\n"
	                 "hint_key_file = /etc/ms/hint.key\n"
	                 "hint_max_age = 2d\n"
	                 "dsn_submit = command:/usr/sbin/sendmail -i -oi\n"
	                 "dsn_timeout = 2m\n"
	                 "max_recipients = 50\n"
	                 "timeout = 1h\n"
	                 "tmpdir = /var/tmp/ms\n"
	                 "log_level = debug\n"
	                 "syslog_facility = local3\n"
	                 "limit_mime_depth = 20\n"
	                 "limit_header_bytes = 256K\n");
	assert_string_equal(cfg.socket, "local:/var/spool/postfix/ms/milter");
	assert_string_equal(cfg.user, "filter");
	assert_string_equal(cfg.group, "postfix");
	assert_int_equal(cfg.socket_mode, 0640);
	assert_string_equal(cfg.pidfile, "/var/run/ms.pid");
	assert_string_equal(cfg.script, "/etc/ms/rules.sieve");
	assert_int_equal(cfg.on_error, MILTER_ON_ERROR_ACCEPT);
	assert_string_equal(cfg.reject.code, "554");
	assert_string_equal(cfg.reject.xcode, "5.7.0");
	assert_string_equal(cfg.reject.text, "Go away");
	assert_string_equal(cfg.tempfail.code, "450");
	assert_string_equal(cfg.tempfail.xcode, "4.2.0");
	assert_string_equal(cfg.tempfail.text, "Later please");
	assert_string_equal(cfg.error.code, "421");
	assert_string_equal(cfg.error.xcode, "4.3.2");
	assert_string_equal(cfg.error.text, "Broken here, sorry");
	assert_int_equal(cfg.limits.value[SIFT_LIMIT_BODY_SCAN], 10 * MIB);
	assert_string_equal(cfg.hint_key_file, "/etc/ms/hint.key");
	assert_int_equal(cfg.hint_max_age, 2 * 86400);
	assert_int_equal(cfg.dsn_submit.kind, MILTER_SUBMIT_COMMAND);
	assert_null(cfg.dsn_submit.host);
	assert_non_null(cfg.dsn_submit.argv);
	assert_string_equal(cfg.dsn_submit.argv[0], "/usr/sbin/sendmail");
	assert_string_equal(cfg.dsn_submit.argv[1], "-i");
	assert_string_equal(cfg.dsn_submit.argv[2], "-oi");
	assert_null(cfg.dsn_submit.argv[3]);
	assert_int_equal(cfg.dsn_submit.timeout, 120);
	assert_int_equal(cfg.max_recipients, 50);
	assert_int_equal(cfg.timeout, 3600);
	assert_string_equal(cfg.tmpdir, "/var/tmp/ms");
	assert_int_equal(cfg.log_level, MILTER_LOG_DEBUG);
	assert_int_equal(cfg.syslog_facility, LOG_LOCAL3);
	assert_int_equal(cfg.limits.value[SIFT_LIMIT_MIME_DEPTH], 20);
	assert_int_equal(cfg.limits.value[SIFT_LIMIT_HEADER_BYTES], 256 * 1024);
	/* The other limits keep their defaults. */
	assert_int_equal(cfg.limits.value[SIFT_LIMIT_ACTIONS], 32);
	milter_config_free(&cfg);
}

static void
test_enumerations(void **state)
{
	static const struct {
		const char *name;
		int facility;
	} facilities[] = {
	    {"mail", LOG_MAIL},     {"daemon", LOG_DAEMON}, {"user", LOG_USER},
	    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
	    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
	    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
	};
	static const struct {
		const char *name;
		enum milter_log_level level;
	} levels[] = {
	    {"error", MILTER_LOG_ERROR},
	    {"warning", MILTER_LOG_WARNING},
	    {"info", MILTER_LOG_INFO},
	    {"debug", MILTER_LOG_DEBUG},
	};
	char text[64];
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		struct milter_config cfg;
		milter_config_init(&cfg);
		snprintf(text, sizeof(text), "syslog_facility = %s\n", facilities[i].name);
		load_clean(&cfg, text);
		assert_int_equal(cfg.syslog_facility, facilities[i].facility);
		milter_config_free(&cfg);
	}
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		struct milter_config cfg;
		milter_config_init(&cfg);
		snprintf(text, sizeof(text), "log_level = %s\n", levels[i].name);
		load_clean(&cfg, text);
		assert_int_equal(cfg.log_level, levels[i].level);
		milter_config_free(&cfg);
	}
	struct milter_config cfg;
	milter_config_init(&cfg);
	load_clean(&cfg, "on_error = accept\n");
	assert_int_equal(cfg.on_error, MILTER_ON_ERROR_ACCEPT);
	load_clean(&cfg, "on_error = tempfail\n");
	assert_int_equal(cfg.on_error, MILTER_ON_ERROR_TEMPFAIL);
	milter_config_free(&cfg);

	expect_error("on_error = reject\n", 1, 12,
	             "on_error must be \"tempfail\" or \"accept\", not \"reject\"");
	expect_error("on_error = Accept\n", 1, 12,
	             "on_error must be \"tempfail\" or \"accept\", not \"Accept\"");
	expect_error("log_level = verbose\n", 1, 13,
	             "log_level must be error, warning, info or debug, not \"verbose\"");
	expect_error("syslog_facility = local8\n", 1, 19,
	             "syslog_facility must be mail, daemon, user or local0 to local7, not "
	             "\"local8\"");
	expect_error("syslog_facility = kern\n", 1, 19,
	             "syslog_facility must be mail, daemon, user or local0 to local7, not "
	             "\"kern\"");
}

/* ---- line syntax ---- */

static void
test_syntax(void **state)
{
	struct milter_config cfg;
	milter_config_init(&cfg);
	/* White space around "=" and at line ends, tabs, no space at all,
	   CRLF, a last line without a newline. */
	load_clean(&cfg, "  user=alice   \n"
	                 "\tgroup\t =\t mail\t\r\n"
	                 "\n"
	                 "   # socket = inet:1@host\n"
	                 "max_recipients   =   7");
	assert_string_equal(cfg.user, "alice");
	assert_string_equal(cfg.group, "mail");
	assert_string_equal(cfg.socket, "unix:/run/mailsift/milter.sock");
	assert_int_equal(cfg.max_recipients, 7);
	/* A UTF-8 byte order mark at the very start is skipped; anywhere
	   else it is data. */
	load_clean(&cfg, "\xef\xbb\xbfuser = bom\n");
	assert_string_equal(cfg.user, "bom");
	expect_error("\n\xef\xbb\xbfuser = bom\n", 2, 1, "unknown key \"\\xef\\xbb\\xbfuser\"");
	/* A value may hold "=" and "#" (here without a warning: texts). */
	load_clean(&cfg, "reject_text = a=b # see #42\n");
	assert_string_equal(cfg.reject.text, "a=b # see #42");
	milter_config_free(&cfg);
}

static void
test_hash_inside_value(void **state)
{
	/* Kept as data, with a warning pointing at the "#". */
	struct milter_config cfg;
	struct sift_diags diags;
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	assert_int_equal(load(&cfg, &diags, "script = /etc/a b #comment\n"), 0);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].severity, SIFT_SEV_WARNING);
	assert_int_equal(diags.items[0].line, 1);
	assert_int_equal(diags.items[0].column, 19);
	assert_string_equal(diags.items[0].text,
	                    "\"#\" is part of the value of \"script\": comments start only at "
	                    "the beginning of a line");
	assert_string_equal(cfg.script, "/etc/a b #comment");
	sift_diags_free(&diags);
	/* "#" not after white space is just data. */
	load_clean(&cfg, "pidfile = /run/a#b.pid\n");
	assert_string_equal(cfg.pidfile, "/run/a#b.pid");
	milter_config_free(&cfg);
}

static void
test_line_errors(void **state)
{
	expect_error("user = a\njust some words\n", 2, 1,
	             "missing \"=\": a line is \"key = value\" (\"just some words\")");
	expect_error("\n\n  = value\n", 3, 1, "missing key before \"=\"");
	expect_error("socket =\n", 1, 9, "missing value for \"socket\"");
	expect_error("user =    \n", 1, 11, "missing value for \"user\"");
	/* NUL bytes: the column is the NUL's. */
	{
		struct milter_config cfg;
		struct sift_diags diags;
		static const char text[] = "user = a\nuser2 = b\0c\nscript = /x\n";
		milter_config_init(&cfg);
		sift_diags_init(&diags);
		assert_int_equal(load_len(&cfg, &diags, text, sizeof(text) - 1), -1);
		assert_int_equal(diags.count, 1);
		assert_int_equal(diags.items[0].line, 2);
		assert_int_equal(diags.items[0].column, 10);
		assert_string_equal(diags.items[0].text, "NUL byte in line");
		/* The lines around it still count. */
		assert_string_equal(cfg.user, "a");
		assert_string_equal(cfg.script, "/x");
		sift_diags_free(&diags);
		milter_config_free(&cfg);
	}
}

static void
test_long_lines(void **state)
{
	struct milter_config cfg;
	struct sift_diags diags;
	struct sift_buf b;
	sift_buf_init(&b, 0);
	/* Exactly 4096 bytes is allowed (a comment, then a text that is too
	   long for a reply but fits in a line). */
	sift_buf_append_c(&b, '#');
	for (int i = 1; i < 4096; i++)
		sift_buf_append_c(&b, 'x');
	sift_buf_append_str(&b, "\r\nuser = u\n");
	milter_config_init(&cfg);
	load_clean(&cfg, b.data);
	assert_string_equal(cfg.user, "u");
	milter_config_free(&cfg);

	/* 4097 bytes is not, wherever they are; the next line is read. */
	sift_buf_reset(&b);
	sift_buf_append_str(&b, "user = a\nscript = /");
	for (int i = 10; i < 4097; i++)
		sift_buf_append_c(&b, 'y');
	sift_buf_append_str(&b, "\nuser2 = x\n");
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	assert_int_equal(load(&cfg, &diags, b.data), -1);
	assert_int_equal(diags.count, 2);
	assert_int_equal(diags.items[0].line, 2);
	assert_int_equal(diags.items[0].column, 1);
	assert_string_equal(diags.items[0].text, "line longer than 4096 bytes");
	assert_int_equal(diags.items[1].line, 3);
	assert_string_equal(diags.items[1].text, "unknown key \"user2\" (did you mean \"user\"?)");
	assert_string_equal(cfg.script, "/etc/mailsift/milter.sieve");
	sift_diags_free(&diags);
	milter_config_free(&cfg);
	sift_buf_free(&b);
}

static void
test_unknown_keys(void **state)
{
	expect_error("sokcet = unix:/x\n", 1, 1,
	             "unknown key \"sokcet\" (did you mean \"socket\"?)");
	expect_error("\n\nsoket = unix:/x\n", 3, 1,
	             "unknown key \"soket\" (did you mean \"socket\"?)");
	expect_error("rejcet_txt = x\n", 1, 1,
	             "unknown key \"rejcet_txt\" (did you mean \"reject_text\"?)");
	expect_error("SOCKET = unix:/x\n", 1, 1,
	             "unknown key \"SOCKET\" (did you mean \"socket\"?)");
	expect_error("limit_mime_dept = 3\n", 1, 1,
	             "unknown key \"limit_mime_dept\" (did you mean \"limit_mime_depth\"?)");
	expect_error("limit_MIME_DEPTH = 3\n", 1, 1,
	             "unknown key \"limit_MIME_DEPTH\" (did you mean \"limit_mime_depth\"?)");
	expect_error("mime_depth = 3\n", 1, 1, "unknown key \"mime_depth\"");
	expect_error("frobnicate = 1\n", 1, 1, "unknown key \"frobnicate\"");
	expect_error("limit_nothing = 1\n", 1, 1, "unknown key \"limit_nothing\"");
	/* Distance 3 is too far; distance 2 is not. */
	expect_error("sxxxet = 1\n", 1, 1, "unknown key \"sxxxet\"");
	expect_error("soxxet = 1\n", 1, 1, "unknown key \"soxxet\" (did you mean \"socket\"?)");
	/* Hostile bytes in a key are shown escaped. */
	expect_error("us\x01\xff\"er = x\n", 1, 1, "unknown key \"us\\x01\\xff\\\"er\"");
	/* A key with white space inside is one (unknown) key. */
	expect_error("user name = x\n", 1, 1, "unknown key \"user name\"");
	/* A very long key: no suggestion, shown cut. */
	{
		char text[300];
		memset(text, 'k', 200);
		memcpy(text + 200, " = 1\n", 6);
		struct milter_config cfg;
		struct sift_diags diags;
		milter_config_init(&cfg);
		sift_diags_init(&diags);
		assert_int_equal(load(&cfg, &diags, text), -1);
		assert_int_equal(diags.count, 1);
		assert_true(strncmp(diags.items[0].text, "unknown key \"kkkk", 17) == 0);
		assert_non_null(strstr(diags.items[0].text, "...\""));
		assert_null(strstr(diags.items[0].text, "did you mean"));
		assert_true(strlen(diags.items[0].text) < 120);
		sift_diags_free(&diags);
		milter_config_free(&cfg);
	}
}

static void
test_duplicates(void **state)
{
	struct milter_config cfg;
	struct sift_diags diags;
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	assert_int_equal(load(&cfg, &diags,
	                      "user = a\n# x\nuser = b\nlimit_actions = 5\n"
	                      "limit_actions = 6\n"),
	                 -1);
	assert_int_equal(diags.count, 2);
	assert_int_equal(diags.items[0].line, 3);
	assert_int_equal(diags.items[0].column, 1);
	assert_string_equal(diags.items[0].text, "duplicate key \"user\" (first given on line 1)");
	assert_int_equal(diags.items[1].line, 5);
	assert_string_equal(diags.items[1].text,
	                    "duplicate key \"limit_actions\" (first given on line 4)");
	/* The first value stands. */
	assert_string_equal(cfg.user, "a");
	assert_int_equal(cfg.limits.value[SIFT_LIMIT_ACTIONS], 5);
	sift_diags_free(&diags);
	milter_config_free(&cfg);

	/* A key whose first value was bad is still given twice. */
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	assert_int_equal(load(&cfg, &diags, "timeout = 0\ntimeout = 5\n"), -1);
	assert_int_equal(diags.count, 2);
	assert_string_equal(diags.items[1].text,
	                    "duplicate key \"timeout\" (first given on line 1)");
	assert_int_equal(cfg.timeout, 300);
	sift_diags_free(&diags);
	milter_config_free(&cfg);

	/* body_max and limit_body_scan are one setting. */
	expect_error("body_max = 1M\nlimit_body_scan = 2M\n", 2, 1,
	             "duplicate key \"limit_body_scan\" (\"body_max\" on line 1 sets the same "
	             "limit)");
	expect_error("limit_body_scan = 2M\n\nbody_max = 1M\n", 3, 1,
	             "duplicate key \"body_max\" (\"limit_body_scan\" on line 1 sets the same "
	             "limit)");

	/* Duplicates are per input: loading again may set a key again. */
	milter_config_init(&cfg);
	load_clean(&cfg, "user = a\n");
	load_clean(&cfg, "user = b\n");
	assert_string_equal(cfg.user, "b");
	milter_config_free(&cfg);
}

static void
test_errors_continue(void **state)
{
	/* Every bad line is reported and the good ones still apply; the
	   return value says there were errors. */
	struct milter_config cfg;
	struct sift_diags diags;
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	assert_int_equal(load(&cfg, &diags,
	                      "timeout = 10\n"
	                      "bogus\n"
	                      "max_recipients = x\n"
	                      "user = bob\n"
	                      "sockett = inet:1\n"),
	                 -1);
	assert_int_equal(diags.count, 3);
	assert_int_equal(diags.errors, 3);
	assert_int_equal(diags.items[0].line, 2);
	assert_int_equal(diags.items[1].line, 3);
	assert_int_equal(diags.items[1].column, 18);
	assert_string_equal(diags.items[1].text, "max_recipients: \"x\" is not a number");
	assert_int_equal(diags.items[2].line, 5);
	assert_int_equal(cfg.timeout, 10);
	assert_string_equal(cfg.user, "bob");
	assert_int_equal(cfg.max_recipients, 1000);
	sift_diags_free(&diags);

	/* Errors already in diags from elsewhere do not make a clean load fail. */
	sift_diags_init(&diags);
	sift_diags_add(&diags, SIFT_SEV_ERROR, 1, 1, "earlier");
	assert_int_equal(load(&cfg, &diags, "user = carol\n"), 0);
	assert_int_equal(diags.count, 1);
	sift_diags_free(&diags);
	milter_config_free(&cfg);
}

static void
test_many_errors_bounded(void **state)
{
	/* A file of junk: the diagnostics list stays bounded. */
	struct sift_buf b;
	sift_buf_init(&b, 0);
	for (int i = 0; i < 5000; i++)
		sift_buf_append_str(&b, "\xff\xfe junk\n");
	struct milter_config cfg;
	struct sift_diags diags;
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	assert_int_equal(load(&cfg, &diags, b.data), -1);
	assert_int_equal(diags.errors, 5000);
	assert_int_equal(diags.count, 101);
	assert_string_equal(diags.items[0].text,
	                    "missing \"=\": a line is \"key = value\" (\"\\xff\\xfe junk\")");
	assert_int_equal(diags.items[100].severity, SIFT_SEV_NOTE);
	sift_diags_free(&diags);
	milter_config_free(&cfg);
	sift_buf_free(&b);
}

/* ---- values ---- */

static void
test_socket(void **state)
{
	static const char *const good[] = {
	    "unix:/run/x.sock",       "local:/var/spool/postfix/ms",
	    "inet:10030@127.0.0.1",   "inet:10030",
	    "inet:1@localhost",       "inet:65535@mx.example.org",
	    "inet:10030@[127.0.0.1]", "inet6:10030@::1",
	    "inet6:10030@[::1]",      "inet6:10030",
	    "inet6:25@ip6-localhost", "inet6:25@[2001:db8::1]",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct milter_config cfg;
		char text[128];
		milter_config_init(&cfg);
		snprintf(text, sizeof(text), "socket = %s\n", good[i]);
		load_clean(&cfg, text);
		assert_string_equal(cfg.socket, good[i]);
		milter_config_free(&cfg);
	}
	expect_error("socket = unix:run/x.sock\n", 1, 10,
	             "socket: a unix socket path must be absolute, not \"run/x.sock\"");
	expect_error("socket = local:\n", 1, 10,
	             "socket: a unix socket path must be absolute, not \"\"");
	expect_error("socket = /run/x.sock\n", 1, 10,
	             "socket: \"/run/x.sock\" is not a socket (use unix:/path, local:/path, "
	             "inet:PORT@HOST, inet:PORT, inet6:PORT@HOST or inet6:PORT)");
	expect_error("socket = tcp:25\n", 1, 10,
	             "socket: \"tcp:25\" is not a socket (use unix:/path, local:/path, "
	             "inet:PORT@HOST, inet:PORT, inet6:PORT@HOST or inet6:PORT)");
	expect_error("socket = UNIX:/x\n", 1, 10,
	             "socket: \"UNIX:/x\" is not a socket (use unix:/path, local:/path, "
	             "inet:PORT@HOST, inet:PORT, inet6:PORT@HOST or inet6:PORT)");
	expect_error("socket = inet:0@localhost\n", 1, 10,
	             "socket: the port must be a number from 1 to 65535, not \"0\"");
	expect_error("socket = inet:65536\n", 1, 10,
	             "socket: the port must be a number from 1 to 65535, not \"65536\"");
	expect_error("socket = inet:smtp@localhost\n", 1, 10,
	             "socket: the port must be a number from 1 to 65535, not \"smtp\"");
	expect_error("socket = inet:@localhost\n", 1, 10,
	             "socket: the port must be a number from 1 to 65535, not \"\"");
	expect_error("socket = inet:25@\n", 1, 10,
	             "socket: \"\" is not a host name or IPv4 address");
	expect_error("socket = inet:25@::1\n", 1, 10,
	             "socket: \"::1\" is not a host name or IPv4 address");
	expect_error("socket = inet:25@[::1]\n", 1, 10,
	             "socket: \"[::1]\" is not a host name or IPv4 address");
	expect_error("socket = inet6:25@[127.0.0.1]\n", 1, 10,
	             "socket: \"[127.0.0.1]\" is not a host name or IPv6 address");
	expect_error("socket = inet6:25@fe80::zz\n", 1, 10,
	             "socket: \"fe80::zz\" is not a host name or IPv6 address");
	expect_error("socket = inet:25@a..b\n", 1, 10,
	             "socket: \"a..b\" is not a host name or IPv4 address");
	expect_error("socket = inet:25@a b\n", 1, 10,
	             "socket: \"a b\" is not a host name or IPv4 address");

	/* sun_path is 108 bytes on Linux; libmilter needs the path plus NUL
	   to stay below it. */
	char text[256];
	char path[200];
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	snprintf(text, sizeof(text), "socket = unix:%.106s\n", path);
	struct milter_config cfg;
	milter_config_init(&cfg);
	load_clean(&cfg, text);
	milter_config_free(&cfg);
	snprintf(text, sizeof(text), "socket = unix:%.107s\n", path);
	expect_error(text, 1, 10, "socket: unix socket path longer than 106 bytes");
}

static void
test_socket_mode(void **state)
{
	struct milter_config cfg;
	milter_config_init(&cfg);
	load_clean(&cfg, "socket_mode = 0600\n");
	assert_int_equal(cfg.socket_mode, 0600);
	milter_config_free(&cfg);
	milter_config_init(&cfg);
	load_clean(&cfg, "socket_mode = 770\n");
	assert_int_equal(cfg.socket_mode, 0770);
	milter_config_free(&cfg);
	milter_config_init(&cfg);
	load_clean(&cfg, "socket_mode = 0\n");
	assert_int_equal(cfg.socket_mode, 0);
	milter_config_free(&cfg);

	expect_error("socket_mode = 0666\n", 1, 15,
	             "socket_mode 0666 is world-writable: every local user could connect to the "
	             "filter and talk to it as if they were the MTA; let the MTA in through the "
	             "group instead (0660)");
	expect_error("socket_mode = 0002\n", 1, 15,
	             "socket_mode 0002 is world-writable: every local user could connect to the "
	             "filter and talk to it as if they were the MTA; let the MTA in through the "
	             "group instead (0660)");
	expect_error("socket_mode = 0668\n", 1, 15,
	             "socket_mode must be octal permission bits from 0000 to 0777, not \"0668\"");
	expect_error("socket_mode = 4660\n", 1, 15,
	             "socket_mode must be octal permission bits from 0000 to 0777, not \"4660\"");
	expect_error("socket_mode = rw-rw----\n", 1, 15,
	             "socket_mode must be octal permission bits from 0000 to 0777, not "
	             "\"rw-rw----\"");
	expect_error("socket_mode = -660\n", 1, 15,
	             "socket_mode must be octal permission bits from 0000 to 0777, not \"-660\"");
	/* With an inet socket the mode means nothing: a warning, not an error. */
	expect_one("socket_mode = 0600\nsocket = inet:1\n", SIFT_SEV_WARNING, 1, 1,
	           "socket_mode applies to unix sockets only; ignored with socket = inet:1");
}

static void
test_names_and_paths(void **state)
{
	struct milter_config cfg;
	milter_config_init(&cfg);
	load_clean(&cfg, "user = _mailsift-1\ngroup = 123\npidfile = none\n"
	                 "hint_key_file = /k\ntmpdir = /t\n");
	assert_string_equal(cfg.user, "_mailsift-1");
	assert_string_equal(cfg.group, "123");
	assert_null(cfg.pidfile);
	assert_string_equal(cfg.hint_key_file, "/k");
	assert_string_equal(cfg.tmpdir, "/t");
	/* Empty (or none) unsets the optional ones. */
	load_clean(&cfg, "group =\nhint_key_file = none\ntmpdir =\n");
	assert_null(cfg.group);
	assert_null(cfg.hint_key_file);
	assert_null(cfg.tmpdir);
	load_clean(&cfg, "hint_key_file = /k2\ntmpdir = none\n");
	assert_string_equal(cfg.hint_key_file, "/k2");
	load_clean(&cfg, "hint_key_file =\n");
	assert_null(cfg.hint_key_file);
	/* A path may hold spaces and 8-bit bytes. */
	load_clean(&cfg, "script = /etc/my rules/caf\xc3\xa9.sieve\n");
	assert_string_equal(cfg.script, "/etc/my rules/caf\xc3\xa9.sieve");
	milter_config_free(&cfg);

	expect_error("script = milter.sieve\n", 1, 10,
	             "script must be an absolute path, not \"milter.sieve\"");
	expect_error("pidfile = run/x.pid\n", 1, 11,
	             "pidfile must be an absolute path, not \"run/x.pid\"");
	expect_error("pidfile =\n", 1, 10, "missing value for \"pidfile\"");
	expect_error("hint_key_file = ./key\n", 1, 17,
	             "hint_key_file must be an absolute path, not \"./key\"");
	expect_error("tmpdir = tmp\n", 1, 10, "tmpdir must be an absolute path, not \"tmp\"");
	expect_error("script = /a\x01/b\n", 1, 10,
	             "script: control characters are not allowed in a path");
	expect_error("user = a b\n", 1, 8,
	             "user: a name of printable ASCII without spaces or \":\" is expected");
	expect_error("group = wh:eel\n", 1, 9,
	             "group: a name of printable ASCII without spaces or \":\" is expected");
	expect_error("user = m\xc3\xa4il\n", 1, 8,
	             "user: a name of printable ASCII without spaces or \":\" is expected");
	expect_error("user =\n", 1, 7, "missing value for \"user\"");
	char text[400];
	memset(text, 0, sizeof(text));
	memcpy(text, "user = ", 7);
	memset(text + 7, 'u', 257);
	text[7 + 257] = '\n';
	expect_error(text, 1, 8, "user: name longer than 256 bytes");
	text[7 + 256] = '\n';
	text[7 + 257] = '\0';
	milter_config_init(&cfg);
	load_clean(&cfg, text);
	assert_int_equal(strlen(cfg.user), 256);
	milter_config_free(&cfg);
}

static void
test_status_parse(void **state)
{
	static const struct {
		const char *text;
		const char *code;
		const char *xcode;
	} good[] = {
	    {"550 5.7.1", "550", "5.7.1"},         {"451 4.7.1", "451", "4.7.1"},
	    {"421 4.3.2", "421", "4.3.2"},         {"554 5.0.0", "554", "5.0.0"},
	    {"550\t5.7.1", "550", "5.7.1"},        {"550   5.7.1", "550", "5.7.1"},
	    {"552 5.123.999", "552", "5.123.999"}, {"450 4.12.3", "450", "4.12.3"},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct milter_reply r = {"", "", NULL};
		const char *error = NULL;
		assert_int_equal(milter_config_parse_status(&r, good[i].text, &error), 0);
		assert_string_equal(r.code, good[i].code);
		assert_string_equal(r.xcode, good[i].xcode);
		assert_null(r.text);
	}
	static const struct {
		const char *text;
		const char *error;
	} bad[] = {
	    {"250 2.0.0", "the reply code must be 4xx (temporary) or 5xx (permanent)"},
	    {"650 6.0.0", "the reply code must be 4xx (temporary) or 5xx (permanent)"},
	    {"550 4.7.1", "enhanced status class 4 does not match reply code 550 (must be 5.x.x)"},
	    {"451 5.7.1", "enhanced status class 5 does not match reply code 451 (must be 4.x.x)"},
	    {"451 2.0.0", "enhanced status class 2 does not match reply code 451 (must be 4.x.x)"},
	    {"590 5.7.1", "the reply code's second digit must be 0 to 5 (RFC 5321 4.2)"},
	    {"550", "missing enhanced status code after the reply code, as in \"550 5.7.1\""},
	    {"55 5.7.1",
	     "expected a 3-digit reply code and an enhanced status code, as in \"550 5.7.1\""},
	    {"5500 5.7.1",
	     "expected a 3-digit reply code and an enhanced status code, as in \"550 5.7.1\""},
	    {"", "expected a 3-digit reply code and an enhanced status code, as in \"550 5.7.1\""},
	    {" 550 5.7.1",
	     "expected a 3-digit reply code and an enhanced status code, as in \"550 5.7.1\""},
	    {"550-5.7.1", "expected a space between the reply code and the enhanced status code"},
	    {"550 ", "the enhanced status code must be class.subject.detail, as in \"5.7.1\""},
	    {"550 x.7.1", "the enhanced status code must be class.subject.detail, as in \"5.7.1\""},
	    {"550 55.7.1",
	     "the enhanced status code must be class.subject.detail, as in \"5.7.1\""},
	    {"550 5.7", "the enhanced status code must be class.subject.detail with 1 to 3 "
	                "digits each, as in \"5.7.1\" (RFC 3463)"},
	    {"550 5.7.", "the enhanced status code must be class.subject.detail with 1 to 3 "
	                 "digits each, as in \"5.7.1\" (RFC 3463)"},
	    {"550 5..1", "the enhanced status code must be class.subject.detail with 1 to 3 "
	                 "digits each, as in \"5.7.1\" (RFC 3463)"},
	    {"550 5.7.1234", "the enhanced status code must be class.subject.detail with 1 to 3 "
	                     "digits each, as in \"5.7.1\" (RFC 3463)"},
	    {"550 5.1000.1", "the enhanced status code must be class.subject.detail with 1 to 3 "
	                     "digits each, as in \"5.7.1\" (RFC 3463)"},
	    {"550 5.7.1 text", "the enhanced status code must be class.subject.detail with 1 to "
	                       "3 digits each, as in \"5.7.1\" (RFC 3463)"},
	    {"550 5.7.1 ", "the enhanced status code must be class.subject.detail with 1 to 3 "
	                   "digits each, as in \"5.7.1\" (RFC 3463)"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct milter_reply r = {"999", "9.9.9", NULL};
		const char *error = NULL;
		assert_int_equal(milter_config_parse_status(&r, bad[i].text, &error), -1);
		assert_non_null(error);
		assert_string_equal(error, bad[i].error);
		/* Unchanged on error. */
		assert_string_equal(r.code, "999");
		assert_string_equal(r.xcode, "9.9.9");
	}
}

static void
test_status_keys(void **state)
{
	expect_error("reject_status = 451 4.7.1\n", 1, 17,
	             "reject_status must be a 5xx reply (a permanent refusal), not 451");
	expect_error("tempfail_status = 550 5.7.1\n", 1, 19,
	             "tempfail_status must be a 4xx reply (a temporary failure), not 550");
	expect_error("error_status = 554 5.3.0\n", 1, 16,
	             "error_status must be a 4xx reply (a temporary failure), not 554");
	expect_error("reject_status = 550 4.7.1\n", 1, 17,
	             "reject_status: enhanced status class 4 does not match reply code 550 (must "
	             "be 5.x.x)");
	expect_error("reject_status = 550\n", 1, 17,
	             "reject_status: missing enhanced status code after the reply code, as in "
	             "\"550 5.7.1\"");
	/* A bad status leaves the reply as it was. */
	struct milter_config cfg;
	struct sift_diags diags;
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	assert_int_equal(load(&cfg, &diags, "tempfail_status = 550 5.7.1\n"), -1);
	assert_string_equal(cfg.tempfail.code, "451");
	assert_string_equal(cfg.tempfail.xcode, "4.7.1");
	sift_diags_free(&diags);
	load_clean(&cfg, "error_status = 421 4.4.5\n");
	assert_string_equal(cfg.error.code, "421");
	assert_string_equal(cfg.error.xcode, "4.4.5");
	milter_config_free(&cfg);
}

static void
test_texts(void **state)
{
	struct milter_config cfg;
	char text[512];
	/* 400 bytes is the most. */
	memcpy(text, "reject_text = ", 14);
	memset(text + 14, 'r', 400);
	memcpy(text + 414, "\n", 2);
	milter_config_init(&cfg);
	load_clean(&cfg, text);
	assert_int_equal(strlen(cfg.reject.text), 400);
	milter_config_free(&cfg);
	memcpy(text + 414, "r\n", 3);
	expect_error(text, 1, 15, "reject_text is longer than 400 bytes");

	/* Printable ASCII only; the column is the bad byte's. */
	expect_error("reject_text = Refus\xc3\xa9\n", 1, 20,
	             "reject_text: only printable ASCII is allowed in an SMTP reply (byte 0xc3)");
	expect_error("tempfail_text = a\tb\n", 1, 18,
	             "tempfail_text: only printable ASCII is allowed in an SMTP reply (byte 0x09)");
	expect_error("error_text = a\x7f\n", 1, 15,
	             "error_text: only printable ASCII is allowed in an SMTP reply (byte 0x7f)");
	expect_error("error_text = a\rb\n", 1, 15,
	             "error_text: only printable ASCII is allowed in an SMTP reply (byte 0x0d)");
	expect_error("reject_text =\n", 1, 14, "missing value for \"reject_text\"");

	/* '%' is kept as written (doubling it for libmilter is the caller's job). */
	milter_config_init(&cfg);
	load_clean(&cfg, "reject_text = 100% spam\ntempfail_text = Later\n"
	                 "error_text = ~!@#$^&*()_+{}|:\"<>?`-=[]\\;',./\n");
	assert_string_equal(cfg.reject.text, "100% spam");
	assert_string_equal(cfg.tempfail.text, "Later");
	assert_string_equal(cfg.error.text, "~!@#$^&*()_+{}|:\"<>?`-=[]\\;',./");
	milter_config_free(&cfg);
}

static void
test_numbers_and_durations(void **state)
{
	static const struct {
		const char *text;
		uint64_t age;
	} ages[] = {
	    {"hint_max_age = 60\n", 60},
	    {"hint_max_age = 90s\n", 90},
	    {"hint_max_age = 5m\n", 300},
	    {"hint_max_age = 36h\n", 36 * 3600},
	    {"hint_max_age = 365d\n", 365 * 86400ULL},
	    {"hint_max_age = 7D\n", 7 * 86400},
	};
	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		struct milter_config cfg;
		milter_config_init(&cfg);
		load_clean(&cfg, ages[i].text);
		assert_int_equal(cfg.hint_max_age, ages[i].age);
		milter_config_free(&cfg);
	}
	expect_error("hint_max_age = 59\n", 1, 16,
	             "hint_max_age must be between 60 and 31536000 seconds");
	expect_error("hint_max_age = 366d\n", 1, 16,
	             "hint_max_age must be between 60 and 31536000 seconds");
	expect_error("hint_max_age = 1w\n", 1, 16,
	             "hint_max_age: \"1w\" is not a duration (seconds, or a number followed by s, "
	             "m, h or d)");
	expect_error("hint_max_age = d\n", 1, 16,
	             "hint_max_age: \"d\" is not a duration (seconds, or a number followed by s, "
	             "m, h or d)");
	expect_error("hint_max_age = 1 d\n", 1, 16,
	             "hint_max_age: \"1 d\" is not a duration (seconds, or a number followed by "
	             "s, m, h or d)");
	expect_error("hint_max_age = -5\n", 1, 16,
	             "hint_max_age: \"-5\" is not a duration (seconds, or a number followed by "
	             "s, m, h or d)");
	/* Overflow, in the number and in the multiplication. */
	expect_error("timeout = 99999999999999999999999\n", 1, 11,
	             "timeout: \"99999999999999999999999\" is not a duration (seconds, or a "
	             "number followed by s, m, h or d)");
	expect_error("timeout = 999999999999999999d\n", 1, 11,
	             "timeout: \"999999999999999999d\" is not a duration (seconds, or a number "
	             "followed by s, m, h or d)");
	expect_error("timeout = 0\n", 1, 11, "timeout must be between 1 and 86400 seconds");
	expect_error("timeout = 86401\n", 1, 11, "timeout must be between 1 and 86400 seconds");
	expect_error("dsn_timeout = 0\n", 1, 15, "dsn_timeout must be between 1 and 3600 seconds");
	expect_error("dsn_timeout = 2h\n", 1, 15, "dsn_timeout must be between 1 and 3600 seconds");

	struct milter_config cfg;
	milter_config_init(&cfg);
	load_clean(&cfg, "timeout = 86400\ndsn_timeout = 1\nmax_recipients = 100000\n");
	assert_int_equal(cfg.timeout, 86400);
	assert_int_equal(cfg.dsn_submit.timeout, 1);
	assert_int_equal(cfg.max_recipients, 100000);
	load_clean(&cfg, "max_recipients = 1\n");
	assert_int_equal(cfg.max_recipients, 1);
	milter_config_free(&cfg);
	expect_error("max_recipients = 0\n", 1, 18, "max_recipients must be between 1 and 100000");
	expect_error("max_recipients = 100001\n", 1, 18,
	             "max_recipients must be between 1 and 100000");
	expect_error("max_recipients = 1e3\n", 1, 18, "max_recipients: \"1e3\" is not a number");
	expect_error("max_recipients = +5\n", 1, 18, "max_recipients: \"+5\" is not a number");
}

static void
test_body_max_and_limits(void **state)
{
	struct milter_config cfg;
	milter_config_init(&cfg);
	load_clean(&cfg, "body_max = 2048\n");
	assert_int_equal(cfg.limits.value[SIFT_LIMIT_BODY_SCAN], 2048);
	milter_config_free(&cfg);
	milter_config_init(&cfg);
	load_clean(&cfg, "body_max = 1G\n");
	assert_int_equal(cfg.limits.value[SIFT_LIMIT_BODY_SCAN], 1024 * MIB);
	milter_config_free(&cfg);
	milter_config_init(&cfg);
	load_clean(&cfg, "limit_body_scan = 3k\n");
	assert_int_equal(cfg.limits.value[SIFT_LIMIT_BODY_SCAN], 3072);
	milter_config_free(&cfg);
	/* The core's own messages. */
	expect_error("body_max = 100\n", 1, 12,
	             "body_max: limit body_scan must be between 1024 and 1099511627776");
	expect_error("body_max = 10X\n", 1, 12,
	             "body_max: limit body_scan: '10X' is not a valid size");
	expect_error("limit_actions = 0\n", 1, 17, "limit actions must be between 1 and 100000");
	expect_error("limit_actions = 5K\n", 1, 17, "limit actions: '5K' is not a valid number");
	expect_error("limit_mime_depth = many\n", 1, 20,
	             "limit mime_depth: 'many' is not a valid number");
	/* The core quotes the value: control bytes in it come out escaped. */
	expect_error("limit_mime_depth = 1\x1b[2J\n", 1, 20,
	             "limit mime_depth: '1\\x1b[2J' is not a valid number");

	/* Every limit is a key: set each to its default written out, then to
	   its minimum. */
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++) {
		char text[128];
		milter_config_init(&cfg);
		snprintf(text, sizeof(text), "limit_%s = %llu\n", sift_limit_defs[i].name,
		         (unsigned long long)sift_limit_defs[i].min);
		load_clean(&cfg, text);
		assert_int_equal(cfg.limits.value[i], sift_limit_defs[i].min);
		for (int j = 0; j < SIFT_LIMIT_COUNT; j++) {
			if (j != i)
				assert_int_equal(
				    cfg.limits.value[j],
				    j == SIFT_LIMIT_BODY_SCAN     ? MILTER_BODY_MAX_DEFAULT
				    : j == SIFT_LIMIT_LINE_LENGTH ? MILTER_LINE_LENGTH_DEFAULT
				                                  : sift_limit_defs[j].def);
		}
		milter_config_free(&cfg);
	}
}

static void
test_submit_parse(void **state)
{
	struct milter_submit s;
	const char *error;

	memset(&s, 0x5a, sizeof(s));
	s.timeout = 77;
	assert_int_equal(milter_config_parse_submit(&s, "smtp:mail.example.org:587", &error), 0);
	assert_int_equal(s.kind, MILTER_SUBMIT_SMTP);
	assert_string_equal(s.host, "mail.example.org");
	assert_int_equal(s.port, 587);
	assert_null(s.argv);
	assert_int_equal(s.timeout, 77);
	free_submit(&s);

	memset(&s, 0, sizeof(s));
	assert_int_equal(milter_config_parse_submit(&s, "smtp:[::1]:25", &error), 0);
	assert_string_equal(s.host, "::1");
	assert_int_equal(s.port, 25);
	free_submit(&s);
	memset(&s, 0, sizeof(s));
	assert_int_equal(milter_config_parse_submit(&s, "smtp:[2001:db8::25]:10025", &error), 0);
	assert_string_equal(s.host, "2001:db8::25");
	assert_int_equal(s.port, 10025);
	free_submit(&s);
	memset(&s, 0, sizeof(s));
	assert_int_equal(milter_config_parse_submit(&s, "smtp:192.0.2.1:65535", &error), 0);
	assert_string_equal(s.host, "192.0.2.1");
	assert_int_equal(s.port, 65535);
	free_submit(&s);

	/* Commands: split on runs of spaces and tabs, no quoting. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(milter_config_parse_submit(
	                     &s, "command:  /usr/sbin/sendmail\t-i  -f \"a b\"\t ", &error),
	                 0);
	assert_int_equal(s.kind, MILTER_SUBMIT_COMMAND);
	assert_null(s.host);
	assert_string_equal(s.argv[0], "/usr/sbin/sendmail");
	assert_string_equal(s.argv[1], "-i");
	assert_string_equal(s.argv[2], "-f");
	assert_string_equal(s.argv[3], "\"a");
	assert_string_equal(s.argv[4], "b\"");
	assert_null(s.argv[5]);
	free_submit(&s);
	memset(&s, 0, sizeof(s));
	assert_int_equal(milter_config_parse_submit(&s, "command:/bin/true", &error), 0);
	assert_string_equal(s.argv[0], "/bin/true");
	assert_null(s.argv[1]);
	free_submit(&s);

	static const struct {
		const char *text;
		const char *error;
	} bad[] = {
	    {"smtp:[::1]", "smtp: missing port, as in \"smtp:[::1]:25\""},
	    {"smtp:[::1]25", "smtp: missing port, as in \"smtp:[::1]:25\""},
	    {"smtp:[::1:25", "smtp: missing \"]\" after the IPv6 address"},
	    {"smtp:[127.0.0.1]:25", "smtp: not an IPv6 address between \"[\" and \"]\""},
	    {"smtp:[]:25", "smtp: not an IPv6 address between \"[\" and \"]\""},
	    {"smtp:::1:25", "smtp: an IPv6 address goes in brackets, as in \"smtp:[::1]:25\""},
	    {"smtp:localhost", "smtp: missing port, as in \"smtp:127.0.0.1:25\""},
	    {"smtp:localhost:", "smtp: the port must be a number from 1 to 65535"},
	    {"smtp:localhost:0", "smtp: the port must be a number from 1 to 65535"},
	    {"smtp:localhost:65536", "smtp: the port must be a number from 1 to 65535"},
	    {"smtp:localhost:smtp", "smtp: the port must be a number from 1 to 65535"},
	    {"smtp:localhost:25 ", "smtp: the port must be a number from 1 to 65535"},
	    {"smtp::25", "smtp: bad host name or IPv4 address"},
	    {"smtp:bad host:25", "smtp: bad host name or IPv4 address"},
	    {"smtp:-.x:25", "smtp: bad host name or IPv4 address"},
	    {"command:sendmail -i", "command: the program must be an absolute path (no shell or "
	                            "PATH search is involved)"},
	    {"command:./sendmail", "command: the program must be an absolute path (no shell or "
	                           "PATH search is involved)"},
	    {"command:", "command: missing program, as in \"command:/usr/sbin/sendmail -i\""},
	    {"command: \t ", "command: missing program, as in \"command:/usr/sbin/sendmail -i\""},
	    {"command:/bin/x\x01y", "command: control characters are not allowed"},
	    {"command:/bin/x\ny", "command: control characters are not allowed"},
	    {"lmtp:localhost:24", "expected \"smtp:HOST:PORT\" or \"command:/path args\""},
	    {"SMTP:localhost:25", "expected \"smtp:HOST:PORT\" or \"command:/path args\""},
	    {"/usr/sbin/sendmail", "expected \"smtp:HOST:PORT\" or \"command:/path args\""},
	    {"", "expected \"smtp:HOST:PORT\" or \"command:/path args\""},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0, sizeof(s));
		error = NULL;
		assert_int_equal(milter_config_parse_submit(&s, bad[i].text, &error), -1);
		assert_non_null(error);
		assert_string_equal(error, bad[i].error);
		/* Nothing written on error. */
		assert_null(s.host);
		assert_null(s.argv);
		assert_int_equal(s.port, 0);
	}
	/* "smtp:-.x" has an empty label after "-": rejected above; a plain
	   name with a dash is fine. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(milter_config_parse_submit(&s, "smtp:mx-1.example:25", &error), 0);
	free_submit(&s);
}

static void
test_submit_key(void **state)
{
	struct milter_config cfg;
	milter_config_init(&cfg);
	/* Replacing the value again and again frees what it held. */
	load_clean(&cfg, "dsn_submit = command:/usr/sbin/sendmail -i\ndsn_timeout = 30\n");
	assert_int_equal(cfg.dsn_submit.kind, MILTER_SUBMIT_COMMAND);
	assert_int_equal(cfg.dsn_submit.timeout, 30);
	load_clean(&cfg, "dsn_submit = command:/usr/lib/sendmail -t -i -oi\n");
	assert_string_equal(cfg.dsn_submit.argv[0], "/usr/lib/sendmail");
	assert_string_equal(cfg.dsn_submit.argv[3], "-oi");
	load_clean(&cfg, "dsn_submit = smtp:[::1]:10025\n");
	assert_int_equal(cfg.dsn_submit.kind, MILTER_SUBMIT_SMTP);
	assert_null(cfg.dsn_submit.argv);
	assert_string_equal(cfg.dsn_submit.host, "::1");
	assert_int_equal(cfg.dsn_submit.port, 10025);
	/* The timeout is its own key: dsn_submit leaves it alone. */
	assert_int_equal(cfg.dsn_submit.timeout, 30);
	load_clean(&cfg, "dsn_submit = smtp:localhost:25\n");
	assert_string_equal(cfg.dsn_submit.host, "localhost");
	milter_config_free(&cfg);

	expect_error("dsn_submit = command:sendmail\n", 1, 14,
	             "dsn_submit: command: the program must be an absolute path (no shell or PATH "
	             "search is involved)");
	expect_error("dsn_submit = smtp:::1:25\n", 1, 14,
	             "dsn_submit: smtp: an IPv6 address goes in brackets, as in "
	             "\"smtp:[::1]:25\"");
	/* A bad value leaves the old one. */
	milter_config_init(&cfg);
	struct sift_diags diags;
	sift_diags_init(&diags);
	assert_int_equal(load(&cfg, &diags, "dsn_submit = smtp:x\n"), -1);
	assert_string_equal(cfg.dsn_submit.host, "127.0.0.1");
	assert_int_equal(cfg.dsn_submit.port, 25);
	sift_diags_free(&diags);
	milter_config_free(&cfg);
}

/* ---- files ---- */

static char *
write_temp(const char *data, size_t len)
{
	char *path = sift_strdup("/tmp/test-milter-config-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void
test_load_file(void **state)
{
	struct milter_config cfg;
	struct sift_diags diags;
	static const char text[] = "# test\nuser = fileuser\nsocket = inet6:10030@[::1]\n";
	char *path = write_temp(text, sizeof(text) - 1);
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	assert_int_equal(milter_config_load(&cfg, path, &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_string_equal(cfg.user, "fileuser");
	assert_string_equal(cfg.socket, "inet6:10030@[::1]");
	unlink(path);
	sift_free(path);

	/* Errors in a file come with their lines. */
	static const char bad[] = "user = a\n\nsokcet = x\n";
	path = write_temp(bad, sizeof(bad) - 1);
	assert_int_equal(milter_config_load(&cfg, path, &diags), -1);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].line, 3);
	assert_string_equal(diags.items[0].text,
	                    "unknown key \"sokcet\" (did you mean \"socket\"?)");
	unlink(path);
	sift_free(path);
	sift_diags_free(&diags);

	/* A missing file: line 0. */
	sift_diags_init(&diags);
	assert_int_equal(milter_config_load(&cfg, "/nonexistent/milter.conf", &diags), -1);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].line, 0);
	assert_int_equal(diags.items[0].column, 0);
	assert_string_equal(diags.items[0].text,
	                    "cannot open /nonexistent/milter.conf: No such file or directory");
	sift_diags_free(&diags);

	/* A directory opens but cannot be read. */
	sift_diags_init(&diags);
	assert_int_equal(milter_config_load(&cfg, "/tmp", &diags), -1);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].line, 0);
	assert_string_equal(diags.items[0].text, "cannot read /tmp: Is a directory");
	sift_diags_free(&diags);

	/* An empty file is fine. */
	path = write_temp("", 0);
	sift_diags_init(&diags);
	assert_int_equal(milter_config_load(&cfg, path, &diags), 0);
	assert_int_equal(diags.count, 0);
	unlink(path);
	sift_free(path);
	sift_diags_free(&diags);
	milter_config_free(&cfg);
}

static void
test_file_too_large(void **state)
{
	/* 1 MiB of comments is read; one byte more is refused whole. */
	size_t size = 1024 * 1024;
	char *data = sift_malloc(size + 1);
	memset(data, '#', size + 1);
	for (size_t i = 99; i < size + 1; i += 100)
		data[i] = '\n';
	struct milter_config cfg;
	struct sift_diags diags;
	milter_config_init(&cfg);
	sift_diags_init(&diags);
	char *path = write_temp(data, size);
	assert_int_equal(milter_config_load(&cfg, path, &diags), 0);
	assert_int_equal(diags.count, 0);
	unlink(path);
	sift_free(path);
	path = write_temp(data, size + 1);
	assert_int_equal(milter_config_load(&cfg, path, &diags), -1);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].line, 0);
	char expected[128];
	snprintf(expected, sizeof(expected), "%s is larger than 1048576 bytes", path);
	assert_string_equal(diags.items[0].text, expected);
	unlink(path);
	sift_free(path);
	sift_diags_free(&diags);
	milter_config_free(&cfg);
	sift_free(data);
}

static void
test_reload_no_leak(void **state)
{
	/* Every string-valued key, loaded three times over one config:
	   LeakSanitizer fails the test if an old value is not freed. */
	static const char text[] = "socket = unix:/run/a.sock\nuser = u\ngroup = g\n"
	                           "pidfile = /p\nscript = /s\nreject_text = r\n"
	                           "tempfail_text = t\nerror_text = e\nhint_key_file = /k\n"
	                           "dsn_submit = command:/bin/cat -u\ntmpdir = /t\n";
	struct milter_config cfg;
	milter_config_init(&cfg);
	for (int i = 0; i < 3; i++)
		load_clean(&cfg, text);
	assert_string_equal(cfg.socket, "unix:/run/a.sock");
	assert_string_equal(cfg.dsn_submit.argv[1], "-u");
	milter_config_free(&cfg);
}

/* The example in docs/examples: read as shipped it gives the defaults
   without a word; with every "#key = value" line made active it still
   gives the defaults, so the file documents them truthfully. */
static void
test_example_file(void **state)
{
	const char *dir = getenv("MAILSIFT_TEST_DATA");
	if (dir == NULL) {
		print_message("MAILSIFT_TEST_DATA not set: example file not checked\n");
		skip();
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/../docs/examples/milter.conf", dir);
	struct milter_config cfg, def;
	struct sift_diags diags;
	milter_config_init(&cfg);
	milter_config_init(&def);
	sift_diags_init(&diags);
	assert_int_equal(milter_config_load(&cfg, path, &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_config_equal(&cfg, &def);
	milter_config_free(&cfg);

	FILE *f = fopen(path, "r");
	assert_non_null(f);
	struct sift_buf b;
	sift_buf_init(&b, 0);
	char line[4200];
	int active = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		/* "#key = value" (no space after "#") is a setting at its default. */
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' &&
		    strchr(line, '=') != NULL) {
			sift_buf_append_str(&b, line + 1);
			active++;
		} else {
			sift_buf_append_str(&b, line);
		}
	}
	fclose(f);
	/* Every key, limit_body_scan excepted (it is body_max). */
	assert_int_equal(active, 23 + SIFT_LIMIT_COUNT - 1);
	milter_config_init(&cfg);
	load_clean(&cfg, b.data);
	assert_config_equal(&cfg, &def);
	milter_config_free(&cfg);
	milter_config_free(&def);
	sift_buf_free(&b);
	sift_diags_free(&diags);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_empty_input),
	    cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_enumerations),
	    cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_hash_inside_value),
	    cmocka_unit_test(test_line_errors),
	    cmocka_unit_test(test_long_lines),
	    cmocka_unit_test(test_unknown_keys),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_errors_continue),
	    cmocka_unit_test(test_many_errors_bounded),
	    cmocka_unit_test(test_socket),
	    cmocka_unit_test(test_socket_mode),
	    cmocka_unit_test(test_names_and_paths),
	    cmocka_unit_test(test_status_parse),
	    cmocka_unit_test(test_status_keys),
	    cmocka_unit_test(test_texts),
	    cmocka_unit_test(test_numbers_and_durations),
	    cmocka_unit_test(test_body_max_and_limits),
	    cmocka_unit_test(test_submit_parse),
	    cmocka_unit_test(test_submit_key),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_file_too_large),
	    cmocka_unit_test(test_reload_no_leak),
	    cmocka_unit_test(test_example_file),
	};
	return cmocka_run_group_tests_name("milter-config", tests, NULL, NULL);
}
