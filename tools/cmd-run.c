/* SPDX-License-Identifier: MIT */
/* mailsift run: a dry run of one script over many messages — files,
   Maildirs (cur/ and new/), directories of message files and mbox files —
   with one summary line per
   message or, with --stats, counts per action and per rule line.  A
   message that cannot be read is reported and counted, never fatal. */
#include "mailsift-config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mailsift.h"
#include "report.h"
#include "sieve-input.h"
#include "util/alloc.h"

struct run_stats {
	uint64_t messages;
	uint64_t unreadable;
	uint64_t failed;
	uint64_t implicit_keep;
	uint64_t by_action[SIFT_SIEVE_ACT_DELETEHEADER + 1];
	/* Per line of the script: messages for which a test there was true or
	   an action there ran. */
	uint64_t *by_line;
	size_t lines;
};

struct run_ctx {
	struct tool_opts opts;
	struct sift_sieve_program *prog;
	struct sift_sieve_scratch *scratch;
	struct run_stats stats;
	struct sift_buf line;
};

static void
print_line(struct run_ctx *ctx, const char *name, const struct sift_sieve_result *res)
{
	struct sift_buf *b = &ctx->line;
	sift_buf_reset(b);
	sift_buf_append_str(b, name);
	sift_buf_append_str(b, ": ");
	size_t n = 0;
	if (res->failed) {
		sift_buf_printf(b, "error (line %u): ", res->error_line);
		for (const char *p = res->error; *p != '\0'; p++)
			sift_buf_append_c(b, (unsigned char)*p < 0x20 ? '?' : *p);
		n++;
	} else {
		for (size_t i = 0; i < res->nactions; i++) {
			const struct sift_sieve_action *a = &res->actions[i];
			if (n++ > 0)
				sift_buf_append_str(b, ", ");
			sift_buf_append_str(b, report_action_name(a->type));
			switch (a->type) {
			case SIFT_SIEVE_ACT_FILEINTO:
			case SIFT_SIEVE_ACT_REJECT:
			case SIFT_SIEVE_ACT_EREJECT:
			case SIFT_SIEVE_ACT_TEMPFAIL:
			case SIFT_SIEVE_ACT_QUARANTINE:
			case SIFT_SIEVE_ACT_ADDHEADER:
			case SIFT_SIEVE_ACT_DELETEHEADER:
				sift_buf_append_c(b, ' ');
				report_quote(b, a->arg, a->arg_len);
				break;
			case SIFT_SIEVE_ACT_REDIRECT:
				sift_buf_append_str(b, " <");
				sift_buf_append(b, a->arg, a->arg_len);
				sift_buf_append_c(b, '>');
				break;
			default:
				break;
			}
		}
	}
	if (res->implicit_keep) {
		if (n++ > 0)
			sift_buf_append_str(b, ", ");
		sift_buf_append_str(b, "implicit keep");
	}
	sift_buf_append_c(b, '\n');
	fwrite(b->data, 1, b->len, stdout);
}

static void
count(struct run_ctx *ctx, const struct sift_sieve_result *res)
{
	struct run_stats *s = &ctx->stats;
	s->messages++;
	if (res->failed)
		s->failed++;
	if (res->implicit_keep)
		s->implicit_keep++;
	if (!res->failed) {
		for (size_t i = 0; i < res->nactions; i++)
			s->by_action[res->actions[i].type]++;
	}
	for (size_t i = 0; i < res->nmatched_lines; i++) {
		unsigned int line = res->matched_lines[i];
		if (line >= s->lines) {
			size_t n = line + 64;
			s->by_line = sift_realloc(s->by_line, n * sizeof(*s->by_line));
			memset(s->by_line + s->lines, 0, (n - s->lines) * sizeof(*s->by_line));
			s->lines = n;
		}
		s->by_line[line]++;
	}
}

static void
run_one(struct run_ctx *ctx, const char *name, const char *data, size_t len)
{
	struct sift_message *msg = tool_parse_message(name, data, len, &ctx->opts.limits);
	if (msg == NULL) {
		ctx->stats.unreadable++;
		return;
	}
	struct sift_sieve_host host;
	struct sift_sieve_run_params params;
	tool_run_params(&ctx->opts, ctx->prog, msg, &host, &params);
	params.scratch = ctx->scratch;
	struct sift_sieve_result *res = NULL;
	const char *error;
	if (sift_sieve_run(ctx->prog, &params, &res, &error) < 0) {
		tool_error("%s: %s", name, error);
		ctx->stats.unreadable++;
	} else {
		if (!ctx->opts.stats)
			print_line(ctx, name, res);
		count(ctx, res);
	}
	sift_sieve_result_free(&res);
	sift_message_destroy(&msg);
}

static void
run_file(struct run_ctx *ctx, const char *path, struct sift_buf *data)
{
	sift_buf_reset(data);
	if (tool_read_file(path, data) < 0) {
		ctx->stats.unreadable++;
		return;
	}
	run_one(ctx, path, data->data != NULL ? data->data : "", data->len);
}

static bool
is_mbox(const char *data, size_t len)
{
	return len >= 5 && memcmp(data, "From ", 5) == 0;
}

/* mbox: messages start at "From " lines at the start of the file or after
   an empty line; the "From " line itself is not part of the message. */
static void
run_mbox(struct run_ctx *ctx, const char *path, const char *data, size_t len)
{
	size_t start = 0;
	unsigned int n = 0;
	while (start < len) {
		const char *nl = memchr(data + start, '\n', len - start);
		size_t body = nl == NULL ? len : (size_t)(nl - data) + 1;
		size_t end = body;
		for (;;) {
			const char *p = memmem(data + end, len - end, "\nFrom ", 6);
			if (p == NULL) {
				end = len;
				break;
			}
			size_t at = (size_t)(p - data) + 1;
			if (at >= 2 && (data[at - 2] == '\n')) {
				end = at;
				break;
			}
			end = at;
		}
		char name[4096];
		snprintf(name, sizeof(name), "%s:%u", path, ++n);
		run_one(ctx, name, data + body, end - body);
		start = end;
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A Maildir's cur/ and new/, or (maildir false) the files of a plain
   directory, each in name order. */
static void
run_dir(struct run_ctx *ctx, const char *path, struct sift_buf *data, bool maildir)
{
	static const char *const subs[] = {"cur", "new"};
	for (size_t s = 0; s < (maildir ? 2 : 1); s++) {
		char dir[4096];
		if (maildir)
			snprintf(dir, sizeof(dir), "%s/%s", path, subs[s]);
		else
			snprintf(dir, sizeof(dir), "%s", path);
		DIR *d = opendir(dir);
		if (d == NULL)
			continue;
		char **names = NULL;
		size_t n = 0, alloc = 0;
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (n == alloc) {
				alloc = alloc == 0 ? 256 : alloc * 2;
				names = sift_realloc(names, alloc * sizeof(*names));
			}
			names[n++] = sift_strdup(de->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof(*names), cmp_str);
		for (size_t i = 0; i < n; i++) {
			char file[8192];
			snprintf(file, sizeof(file), "%s/%s", dir, names[i]);
			struct stat fst;
			if (!maildir && (stat(file, &fst) < 0 || !S_ISREG(fst.st_mode))) {
				sift_free(names[i]);
				continue;
			}
			run_file(ctx, file, data);
			sift_free(names[i]);
		}
		sift_free(names);
	}
}

static void
run_path(struct run_ctx *ctx, const char *path, struct sift_buf *data)
{
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) < 0) {
		tool_error("%s: %s", path, strerror(errno));
		ctx->stats.unreadable++;
		return;
	}
	if (strcmp(path, "-") != 0 && S_ISDIR(st.st_mode)) {
		char cur[4096];
		struct stat cst;
		bool maildir = false;
		snprintf(cur, sizeof(cur), "%s/cur", path);
		if (stat(cur, &cst) == 0 && S_ISDIR(cst.st_mode))
			maildir = true;
		snprintf(cur, sizeof(cur), "%s/new", path);
		if (stat(cur, &cst) == 0 && S_ISDIR(cst.st_mode))
			maildir = true;
		run_dir(ctx, path, data, maildir);
		return;
	}
	sift_buf_reset(data);
	if (tool_read_file(path, data) < 0) {
		ctx->stats.unreadable++;
		return;
	}
	if (is_mbox(data->data, data->len))
		run_mbox(ctx, path, data->data, data->len);
	else
		run_one(ctx, path, data->data != NULL ? data->data : "", data->len);
}

static void
print_stats(const struct run_ctx *ctx)
{
	const struct run_stats *s = &ctx->stats;
	printf("messages: %llu\n", (unsigned long long)s->messages);
	printf("unreadable: %llu\n", (unsigned long long)s->unreadable);
	printf("failed: %llu\n", (unsigned long long)s->failed);
	printf("implicit keep: %llu\n", (unsigned long long)s->implicit_keep);
	for (int t = 0; t <= SIFT_SIEVE_ACT_DELETEHEADER; t++) {
		if (s->by_action[t] > 0)
			printf("action %s: %llu\n",
			       report_action_name((enum sift_sieve_action_type)t),
			       (unsigned long long)s->by_action[t]);
	}
	for (size_t l = 0; l < s->lines; l++) {
		if (s->by_line[l] > 0)
			printf("line %zu: %llu\n", l, (unsigned long long)s->by_line[l]);
	}
}

int
cmd_run(int argc, char **argv)
{
	struct run_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	int first = tool_parse_opts(argc, argv, &ctx.opts, true);
	if (first < 0 || argc - first < 2) {
		fputs(
		    "usage: mailsift run [-f ADDR] [-r ADDR] [-a ADDR] [--location L] [--phase P]\n"
		    "                    [--env NAME=VALUE]... [--mailbox NAME]... [--stats]\n"
		    "                    [--limit NAME=VALUE]... [--now SECONDS] SCRIPT PATH...\n",
		    stderr);
		sift_free(ctx.opts.env);
		sift_free(ctx.opts.mailboxes);
		return MAILSIFT_EXIT_USAGE;
	}
	ctx.prog = tool_compile(argv[first], &ctx.opts.limits);
	if (ctx.prog == NULL) {
		sift_free(ctx.opts.env);
		sift_free(ctx.opts.mailboxes);
		return MAILSIFT_EXIT_USAGE;
	}
	sift_buf_init(&ctx.line, 0);
	ctx.scratch = sift_sieve_scratch_create();
	struct sift_buf data;
	sift_buf_init(&data, 0);
	for (int i = first + 1; i < argc; i++)
		run_path(&ctx, argv[i], &data);
	if (ctx.opts.stats)
		print_stats(&ctx);
	fflush(stdout);
	sift_buf_free(&data);
	sift_buf_free(&ctx.line);
	sift_free(ctx.stats.by_line);
	sift_sieve_scratch_destroy(&ctx.scratch);
	sift_sieve_program_unref(&ctx.prog);
	sift_free(ctx.opts.env);
	sift_free(ctx.opts.mailboxes);
	return ctx.stats.failed > 0 || ctx.stats.unreadable > 0 ? MAILSIFT_EXIT_FAIL
	                                                        : MAILSIFT_EXIT_OK;
}
