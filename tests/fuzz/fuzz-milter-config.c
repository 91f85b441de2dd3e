/* SPDX-License-Identifier: MIT */
/* Fuzz target for smtp-milter/milter-config.c: the input is a whole
   configuration file, loaded twice over one config (the second load must
   free what the first set), then every setting is checked against the
   promises of the man page (ranges, absolute paths, printable replies
   with matching classes, a usable dsn_submit).  The same bytes, cut at
   the first NUL, also go through milter_config_parse_status and
   milter_config_parse_submit on their own. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "milter.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int milter_config_load_buffer(struct milter_config *cfg, const char *name, const char *data,
                              size_t len, struct sift_diags *diags);

static void
check_path(const char *path)
{
	if (path != NULL && path[0] != '/')
		__builtin_trap();
}

static void
check_reply(const struct milter_reply *reply, char cls)
{
	struct milter_reply again;
	const char *error;
	char text[32];

	if (reply->code[0] != cls || reply->xcode[0] != cls || reply->text == NULL)
		__builtin_trap();
	/* What was stored parses again to the same thing. */
	memcpy(text, reply->code, 3);
	text[3] = ' ';
	memcpy(text + 4, reply->xcode, strlen(reply->xcode) + 1);
	if (milter_config_parse_status(&again, text, &error) != 0 ||
	    strcmp(again.code, reply->code) != 0 || strcmp(again.xcode, reply->xcode) != 0)
		__builtin_trap();
	size_t len = strlen(reply->text);
	if (len == 0 || len > 400)
		__builtin_trap();
	for (size_t i = 0; i < len; i++) {
		if (reply->text[i] < 0x20 || reply->text[i] > 0x7e)
			__builtin_trap();
	}
}

static void
check_config(const struct milter_config *cfg)
{
	if (cfg->socket == NULL ||
	    (strncmp(cfg->socket, "unix:/", 6) != 0 && strncmp(cfg->socket, "local:/", 7) != 0 &&
	     strncmp(cfg->socket, "inet:", 5) != 0 && strncmp(cfg->socket, "inet6:", 6) != 0))
		__builtin_trap();
	if (cfg->user == NULL || cfg->user[0] == '\0' || cfg->script == NULL)
		__builtin_trap();
	if (cfg->socket_mode > 0777 || (cfg->socket_mode & 0002) != 0)
		__builtin_trap();
	check_path(cfg->pidfile);
	check_path(cfg->script);
	check_path(cfg->hint_key_file);
	check_path(cfg->tmpdir);
	check_reply(&cfg->reject, '5');
	check_reply(&cfg->tempfail, '4');
	check_reply(&cfg->error, '4');
	if (cfg->hint_max_age < 60 || cfg->hint_max_age > 365 * 86400ULL)
		__builtin_trap();
	if (cfg->max_recipients < 1 || cfg->max_recipients > 100000 || cfg->timeout < 1 ||
	    cfg->timeout > 86400)
		__builtin_trap();
	const struct milter_submit *s = &cfg->dsn_submit;
	if (s->timeout < 1 || s->timeout > 3600)
		__builtin_trap();
	if (s->kind == MILTER_SUBMIT_SMTP && (s->host == NULL || s->host[0] == '\0' ||
	                                      s->port < 1 || s->port > 65535 || s->argv != NULL))
		__builtin_trap();
	if (s->kind == MILTER_SUBMIT_COMMAND &&
	    (s->host != NULL || s->argv == NULL || s->argv[0] == NULL || s->argv[0][0] != '/'))
		__builtin_trap();
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++) {
		if (cfg->limits.value[i] < sift_limit_defs[i].min ||
		    cfg->limits.value[i] > sift_limit_defs[i].max)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct milter_config cfg;
	struct sift_diags diags;
	const char *in = (const char *)data;

	milter_config_init(&cfg);
	for (int round = 0; round < 2; round++) {
		sift_diags_init(&diags);
		int ret = milter_config_load_buffer(&cfg, "fuzz", in, size, &diags);
		if ((ret == 0) != (diags.errors == 0))
			__builtin_trap();
		for (size_t i = 0; i < diags.count; i++) {
			if (diags.items[i].text == NULL)
				__builtin_trap();
		}
		sift_diags_free(&diags);
		check_config(&cfg);
	}
	milter_config_free(&cfg);

	/* The two value parsers on their own, with the input as one value. */
	char *text = sift_memdup0(in, size);
	struct milter_reply reply;
	const char *error = NULL;
	if (milter_config_parse_status(&reply, text, &error) == 0) {
		if (reply.code[0] != reply.xcode[0] ||
		    (reply.code[0] != '4' && reply.code[0] != '5'))
			__builtin_trap();
	} else if (error == NULL) {
		__builtin_trap();
	}
	struct milter_submit submit;
	memset(&submit, 0, sizeof(submit));
	error = NULL;
	if (milter_config_parse_submit(&submit, text, &error) == 0) {
		sift_free(submit.host);
		if (submit.argv != NULL) {
			for (char **a = submit.argv; *a != NULL; a++)
				sift_free(*a);
			sift_free(submit.argv);
		}
	} else if (error == NULL) {
		__builtin_trap();
	}
	sift_free(text);
	return 0;
}
