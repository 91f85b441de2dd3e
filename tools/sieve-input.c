/* SPDX-License-Identifier: MIT */
/* Shared input handling for `mailsift test` and `mailsift run`. */
#include "mailsift-config.h"
#include "sieve-input.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailsift.h"
#include "util/alloc.h"
#include "util/str.h"
#include "mail/header.h"
#include "mail/rfc5322-address.h"

enum {
	OPT_LOCATION = 256,
	OPT_PHASE,
	OPT_ENV,
	OPT_MAILBOX,
	OPT_TRACE,
	OPT_FORMAT,
	OPT_STATS,
	OPT_LIMIT,
	OPT_NOW,
};

int
tool_parse_opts(int argc, char **argv, struct tool_opts *opts, bool for_run)
{
	static const struct option longopts[] = {
	    {"location", required_argument, NULL, OPT_LOCATION},
	    {"phase", required_argument, NULL, OPT_PHASE},
	    {"env", required_argument, NULL, OPT_ENV},
	    {"mailbox", required_argument, NULL, OPT_MAILBOX},
	    {"trace", no_argument, NULL, OPT_TRACE},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"stats", no_argument, NULL, OPT_STATS},
	    {"limit", required_argument, NULL, OPT_LIMIT},
	    {"now", required_argument, NULL, OPT_NOW},
	    {NULL, 0, NULL, 0},
	};
	memset(opts, 0, sizeof(*opts));
	sift_limits_init(&opts->limits);
	opts->format = TOOL_FORMAT_TEXT;
	if (gethostname(opts->hostname, sizeof(opts->hostname) - 1) < 0)
		strcpy(opts->hostname, "localhost");
	opts->env = sift_calloc((size_t)argc, sizeof(*opts->env));
	opts->mailboxes = sift_calloc((size_t)argc, sizeof(*opts->mailboxes));
	optind = 1;
	opterr = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+f:r:a:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			opts->from = optarg;
			break;
		case 'r':
			opts->to = optarg;
			break;
		case 'a':
			opts->orig_to = optarg;
			break;
		case OPT_LOCATION:
			opts->location = optarg;
			break;
		case OPT_PHASE:
			opts->phase = optarg;
			break;
		case OPT_ENV:
			if (strchr(optarg, '=') == NULL) {
				tool_error("--env expects NAME=VALUE, not '%s'", optarg);
				return -1;
			}
			opts->env[opts->nenv++] = optarg;
			break;
		case OPT_MAILBOX:
			opts->mailboxes[opts->nmailboxes++] = optarg;
			break;
		case OPT_TRACE:
			if (for_run) {
				tool_error("--trace is an option of 'mailsift test'");
				return -1;
			}
			opts->trace = true;
			break;
		case OPT_STATS:
			if (!for_run) {
				tool_error("--stats is an option of 'mailsift run'");
				return -1;
			}
			opts->stats = true;
			break;
		case OPT_FORMAT:
			if (for_run) {
				tool_error("--format is an option of 'mailsift test'");
				return -1;
			}
			if (strcmp(optarg, "text") == 0)
				opts->format = TOOL_FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				opts->format = TOOL_FORMAT_JSON;
			else if (strcmp(optarg, "pigeonhole") == 0)
				opts->format = TOOL_FORMAT_PIGEONHOLE;
			else {
				tool_error("unknown format '%s' (text, json or pigeonhole)",
				           optarg);
				return -1;
			}
			break;
		case OPT_LIMIT: {
			char *eq = strchr(optarg, '=');
			const char *error;
			if (eq == NULL) {
				tool_error("--limit expects NAME=VALUE, not '%s'", optarg);
				return -1;
			}
			*eq = '\0';
			int r = sift_limits_set(&opts->limits, optarg, eq + 1, &error);
			*eq = '=';
			if (r < 0) {
				tool_error("--limit %s: %s", optarg, error);
				return -1;
			}
			break;
		}
		case OPT_NOW: {
			char *end;
			errno = 0;
			long long v = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0') {
				tool_error("--now expects seconds since 1970, not '%s'", optarg);
				return -1;
			}
			opts->have_now = true;
			opts->now = v;
			break;
		}
		default:
			return -1;
		}
	}
	return optind;
}

int
tool_read_file(const char *path, struct sift_buf *out)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		tool_error("%s: %s", path, strerror(errno));
		return -1;
	}
	/* Read straight into the buffer, sized from the file when it says. */
	struct stat st;
	size_t want = 65536;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		want = (size_t)st.st_size + 1;
	int ret = 0;
	for (;;) {
		size_t room = out->cap > out->len + 1 ? out->cap - out->len - 1 : 0;
		if (room == 0) {
			size_t allowed = out->max - out->len;
			if (allowed == 0) {
				/* Full: an error only if there is more to read. */
				char c;
				ssize_t more;
				do
					more = read(fd, &c, 1);
				while (more < 0 && errno == EINTR);
				if (more > 0) {
					out->overflow = true;
					tool_error("%s: file too large", path);
					ret = -1;
				}
				break;
			}
			(void)sift_buf_reserve(out, want < allowed ? want : allowed);
			room = out->cap - out->len - 1;
		}
		ssize_t n = read(fd, out->data + out->len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tool_error("%s: %s", path, strerror(errno));
			ret = -1;
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		want = 65536;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

struct sift_sieve_program *
tool_compile(const char *path, const struct sift_limits *limits)
{
	struct sift_buf text;
	/* A little more than the limit, so the compiler can say "too large". */
	sift_buf_init(&text, (size_t)sift_limit(limits, SIFT_LIMIT_SCRIPT_BYTES) + 1);
	if (tool_read_file(path, &text) < 0 && !text.overflow) {
		sift_buf_free(&text);
		return NULL;
	}
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile(path, text.data != NULL ? text.data : "", text.len, limits, &diags);
	struct sift_buf line;
	sift_buf_init(&line, 0);
	for (size_t i = 0; i < diags.count; i++) {
		sift_buf_reset(&line);
		sift_diag_format(&line, path, &diags.items[i]);
		fprintf(stderr, "%s\n", line.data);
	}
	sift_buf_free(&line);
	sift_diags_free(&diags);
	sift_buf_free(&text);
	return prog;
}

struct sift_message *
tool_parse_message(const char *name, const char *data, size_t len, const struct sift_limits *limits)
{
	struct sift_message *msg = sift_message_create(limits, NULL);
	const char *error;
	if (sift_message_feed(msg, data, len, &error) < 0 || sift_message_finish(msg, &error) < 0) {
		tool_error("%s: %s", name, error);
		sift_message_destroy(&msg);
		return NULL;
	}
	return msg;
}

struct tool_host {
	const struct tool_opts *opts;
};

static int
host_mailbox_exists(void *context, const char *name, size_t len)
{
	const struct tool_opts *opts = context;
	if (sift_mem_eq_ci_len(name, len, "INBOX", 5))
		return 1;
	for (size_t i = 0; i < opts->nmailboxes; i++) {
		if (strlen(opts->mailboxes[i]) == len && memcmp(opts->mailboxes[i], name, len) == 0)
			return 1;
	}
	return 0;
}

static const char *
host_environment(void *context, const char *name, size_t *len_r)
{
	const struct tool_opts *opts = context;
	size_t nlen = strlen(name);
	for (size_t i = opts->nenv; i-- > 0;) {
		const char *eq = strchr(opts->env[i], '=');
		if ((size_t)(eq - opts->env[i]) == nlen &&
		    sift_mem_eq_ci(opts->env[i], nlen, name)) {
			*len_r = strlen(eq + 1);
			return eq + 1;
		}
	}
	const char *v = NULL;
	if (strcmp(name, "host") == 0) {
		v = opts->hostname;
	} else if (strcmp(name, "domain") == 0) {
		const char *dot = strchr(opts->hostname, '.');
		v = dot != NULL && dot[1] != '\0' ? dot + 1 : opts->hostname;
	}
	if (v != NULL)
		*len_r = strlen(v);
	return v;
}

static int
local_zone(int64_t now)
{
	time_t t = (time_t)now;
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}

void
tool_run_params(const struct tool_opts *opts, const struct sift_sieve_program *prog,
                struct sift_message *msg, struct sift_sieve_host *host,
                struct sift_sieve_run_params *params)
{
	memset(params, 0, sizeof(*params));
	memset(host, 0, sizeof(*host));
	host->context = (void *)opts;
	host->mailbox_exists = host_mailbox_exists;
	host->environment = host_environment;
	params->msg = msg;
	params->host = host;
	params->location = opts->location;
	params->phase = opts->phase;
	params->limits = &opts->limits;
	params->now = opts->have_now ? opts->now : (int64_t)time(NULL);
	params->now_zone = local_zone(params->now);

	/* The envelope from the header fields only for scripts that look at
	   it: finding it costs an address parse per message. */
	bool need = sift_sieve_program_uses(prog, "envelope");
	const char *from = opts->from;
	if (from != NULL && (strcmp(from, "<>") == 0 || from[0] == '\0'))
		from = "";
	if (from == NULL && !need)
		from = "sender@example.com";
	if (from == NULL)
		from = sift_message_header_address(msg, "Return-Path");
	if (from == NULL)
		from = sift_message_header_address(msg, "Sender");
	if (from == NULL)
		from = sift_message_header_address(msg, "From");
	const char *to = opts->orig_to != NULL ? opts->orig_to : opts->to;
	if (to == NULL && !need)
		to = "recipient@example.com";
	if (to == NULL)
		to = sift_message_header_address(msg, "Envelope-To");
	if (to == NULL)
		to = sift_message_header_address(msg, "To");
	params->envelope.from = from != NULL ? from : "sender@example.com";
	params->envelope.to = to != NULL ? to : "recipient@example.com";
	params->envelope.orig_to = opts->orig_to;
}
