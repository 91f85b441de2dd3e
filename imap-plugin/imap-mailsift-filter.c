/* SPDX-License-Identifier: MIT */
/* FILTER and UID FILTER (capability FILTER=SIEVE, the syntax of
   draft-bosch-imap-filter-sieve-00): Sieve scripts run over the messages
   of the selected mailbox that match search criteria.

     FILTER SIEVE DELIVERY [CHARSET c] <criteria>       the user's delivery
                                                        scripts, in order
     FILTER SIEVE PERSONAL <name> [CHARSET c] <criteria>  mailsift_user_dir/NAME.sieve
     FILTER SIEVE GLOBAL <name> [CHARSET c] <criteria>    mailsift_global_dir/NAME.sieve
     FILTER SIEVE SCRIPT <string> [CHARSET c] <criteria>  the script given

   A script that does not compile: one "* FILTER (TAG t) ERRORS <text>" and
   a tagged NO; nothing is touched.  Otherwise each matching message gets
   "* <seq> FILTERED (TAG t) UID <uid> OK", or WARNINGS <text> (an action
   FILTER does not carry out: reject, ereject, tempfail, quarantine), or
   ERRORS <text> (a runtime error: the message is left as it was).

   What the actions do to a stored message (the draft's section 4):
   fileinto copies it (with the script's header edits, if any); keep and
   the implicit keep leave it where it is, with the flags the script set
   (the imap4flags variable starts as the message's flags); redirect sends
   a copy through Dovecot's submission settings with the user as sender;
   a message whose keep was cancelled (fileinto, redirect, discard) is
   marked \Deleted, not expunged.  The flag changes reach the client as
   FETCH responses when the command syncs.

   The search runs in steps, like Dovecot's SEARCH: the command yields when
   Dovecot's search asks to, every FILTER_STEP messages, and while the
   client's output buffer is full. */

#include "imap-common.h"
#include "array.h"
#include "str.h"
#include "str-sanitize.h"
#include "ioloop.h"
#include "ostream.h"
#include "unichar.h"
#include "utc-offset.h"
#include "smtp-address.h"
#include "mail-storage.h"
#include "mail-search.h"
#include "imap-arg.h"
#include "imap-quote.h"
#include "imap-commands.h"
#include "imap-search-args.h"
#include "imap-sync.h"

#include "mailsift-plugin.h"
#include "mail/message-parser.h"
#include "util/diag.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

/* Messages filtered before the command gives the ioloop a turn. */
#define FILTER_STEP 50
/* Longest script name (ManageSieve allows any; ours name files). */
#define FILTER_NAME_MAX 255

struct filter_context {
	struct client_command_context *cmd;
	struct mail_user *user;
	struct mailbox *box;
	struct sift_limits limits;
	ARRAY(struct sift_sieve_program *) scripts;
	ARRAY_TYPE(const_string) script_names; /* for the client */
	/* The two as plain arrays, for the runs. */
	struct sift_sieve_program *const *programs;
	const char *const *names;
	unsigned int nprograms;
	/* Compile warnings of all the scripts: one FILTER response. */
	string_t *warnings;
	struct smtp_address *mail_from;

	struct mailbox_transaction_context *t;
	struct mail_search_args *sargs;
	struct mail_search_context *search;
	struct timeout *to;

	unsigned int filtered, copied, deleted, redirected, errors;
};

/* ---- the reply ---- */

static void
send_filter_problem(struct client_command_context *cmd, const char *kind, const char *text)
{
	string_t *str = t_str_new(128);
	str_append(str, "* FILTER (TAG ");
	imap_append_quoted(str, cmd->tag);
	str_printfa(str, ") %s ", kind);
	imap_append_string(str, text);
	client_send_line(cmd->client, str_c(str));
}

/* ---- loading the scripts ---- */

/* ManageSieve (RFC 5804 1.6) script names: UTF-8, no control characters,
   no line or paragraph separator; ours are file names as well. */
static bool
script_name_valid(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > FILTER_NAME_MAX || name[0] == '.' || strchr(name, '/') != NULL ||
	    !uni_utf8_str_is_valid(name))
		return FALSE;
	const char *p = name;
	while (*p != '\0') {
		unichar_t chr;
		int n = uni_utf8_get_char(p, &chr);
		if (n <= 0 || chr < 0x20 || (chr >= 0x7f && chr <= 0x9f) || chr == 0x2028 ||
		    chr == 0x2029)
			return FALSE;
		p += n;
	}
	return TRUE;
}

/* Diagnostic lines of a script ("LINE:COL: severity: text" CRLF), each
   prefixed with the script's name as the client knows it. */
static void
append_named(string_t *dest, const char *name, const char *lines)
{
	while (*lines != '\0') {
		const char *end = strchr(lines, '\n');
		size_t len = end != NULL ? (size_t)(end - lines) + 1 : strlen(lines);
		str_printfa(dest, "%s:", name);
		str_append_data(dest, lines, len);
		lines += len;
	}
}

/* A script file into ctx->scripts; display is its name for the client
   (never the server's path).  missing_ok: a missing file is no script
   (DELIVERY).  -1 when the command has been answered. */
static int
add_script_file(struct filter_context *ctx, const char *path, const char *display,
                bool missing_ok)
{
	struct client_command_context *cmd = ctx->cmd;
	struct sift_sieve_program *prog;
	const char *error, *errors, *warnings;
	enum mailsift_script_status st =
	    mailsift_script_get(path, &ctx->limits, ctx->user->event, &prog, &error);
	if (st == MAILSIFT_SCRIPT_MISSING) {
		if (missing_ok)
			return 0;
		client_send_tagline(cmd, "NO [NONEXISTENT] Sieve script does not exist.");
		return -1;
	}
	mailsift_script_diagnostics(path, &errors, &warnings);
	if (st == MAILSIFT_SCRIPT_BROKEN) {
		string_t *text = t_str_new(256);
		if (errors != NULL)
			append_named(text, display, errors);
		else
			str_printfa(text, "%s: the script cannot be read\r\n", display);
		send_filter_problem(cmd, "ERRORS", str_c(text));
		client_send_tagline(cmd, "NO Sieve filter failed to compile.");
		return -1;
	}
	if (warnings != NULL)
		append_named(ctx->warnings, display, warnings);
	const char *name = p_strdup(cmd->pool, display);
	array_push_back(&ctx->scripts, &prog);
	array_push_back(&ctx->script_names, &name);
	return 0;
}

static int
add_script_text(struct filter_context *ctx, const char *text)
{
	struct client_command_context *cmd = ctx->cmd;
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile("script", text, strlen(text), &ctx->limits, &diags);
	string_t *errors = t_str_new(256);
	struct sift_buf line;
	sift_buf_init(&line, 0);
	for (size_t i = 0; i < diags.count; i++) {
		sift_buf_reset(&line);
		sift_diag_format(&line, "script", &diags.items[i]);
		string_t *dest = diags.items[i].severity == SIFT_SEV_ERROR ? errors : ctx->warnings;
		str_append(dest, line.data);
		str_append(dest, "\r\n");
	}
	sift_buf_free(&line);
	sift_diags_free(&diags);
	if (prog == NULL) {
		send_filter_problem(cmd, "ERRORS", str_c(errors));
		client_send_tagline(cmd, "NO Sieve filter failed to compile.");
		return -1;
	}
	const char *name = "script";
	array_push_back(&ctx->scripts, &prog);
	array_push_back(&ctx->script_names, &name);
	return 0;
}

/* How many arguments the filter specification takes: 2 (SIEVE DELIVERY)
   or 3; 0 when it is malformed and the command has been answered. */
static unsigned int
spec_length(struct client_command_context *cmd, const struct imap_arg *args)
{
	const char *kind, *value;
	if (!imap_arg_atom_equals(&args[0], "SIEVE")) {
		client_send_command_error(cmd, "Unknown filter type: only SIEVE is supported.");
		return 0;
	}
	if (!imap_arg_get_atom(&args[1], &kind)) {
		client_send_command_error(cmd, "Missing filter specification.");
		return 0;
	}
	if (strcasecmp(kind, "DELIVERY") == 0)
		return 2;
	bool named = strcasecmp(kind, "PERSONAL") == 0 || strcasecmp(kind, "GLOBAL") == 0;
	if (!named && strcasecmp(kind, "SCRIPT") != 0) {
		client_send_command_error(cmd, "Unknown Sieve filter specification.");
		return 0;
	}
	if (!imap_arg_get_astring(&args[2], &value)) {
		client_send_command_error(cmd, named ? "Missing script name." : "Missing script.");
		return 0;
	}
	return 3;
}

/* Loads the scripts of a filter specification that spec_length()
   accepted.  -1 when the command has been answered. */
static int
load_scripts(struct filter_context *ctx, const struct mailsift_settings *set,
             const struct imap_arg *args)
{
	struct client_command_context *cmd = ctx->cmd;
	const char *kind, *value;
	if (!imap_arg_get_atom(&args[1], &kind))
		i_unreached();
	if (strcasecmp(kind, "DELIVERY") == 0) {
		/* Named after their settings: mailsift_before2, mailsift_user. */
		for (unsigned int i = 0; i < set->nscripts; i++) {
			const char *setting;
			unsigned int n;
			if ((int)i == set->user_script) {
				setting = "user";
				n = 1;
			} else if (i < set->nbefore) {
				setting = "before";
				n = i + 1;
			} else {
				setting = "after";
				n = i + 1 - set->nbefore - (set->user_script >= 0 ? 1 : 0);
			}
			const char *display = n == 1 ? t_strconcat("mailsift_", setting, NULL)
			                             : t_strdup_printf("mailsift_%s%u", setting, n);
			if (add_script_file(ctx, set->scripts[i], display, TRUE) < 0)
				return -1;
		}
		return 0;
	}
	if (!imap_arg_get_astring(&args[2], &value))
		i_unreached();
	bool personal = strcasecmp(kind, "PERSONAL") == 0;
	bool global = strcasecmp(kind, "GLOBAL") == 0;
	if (!personal && !global)
		return add_script_text(ctx, value);
	if (!script_name_valid(value)) {
		client_send_command_error(cmd, "Invalid script name.");
		return -1;
	}
	const char *dir = personal ? set->user_dir : set->global_dir;
	if (dir == NULL) {
		client_send_tagline(cmd, personal ? "NO [NONEXISTENT] No personal Sieve scripts here."
		                                  : "NO [NONEXISTENT] No global Sieve scripts here.");
		return -1;
	}
	return add_script_file(ctx, t_strconcat(dir, "/", value, ".sieve", NULL), value, FALSE);
}

/* ---- one message ---- */

static bool
is_source_mailbox(struct filter_context *ctx, const char *vname)
{
	const char *source = mailbox_get_vname(ctx->box);
	if (strcasecmp(vname, "INBOX") == 0 && strcasecmp(source, "INBOX") == 0)
		return TRUE;
	return strcmp(vname, source) == 0;
}

struct filter_outcome {
	string_t *errors;
	string_t *warnings;
};

static void
note(string_t *dest, unsigned int line, const char *fmt, ...) ATTR_FORMAT(3, 4);
static void
note(string_t *dest, unsigned int line, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	if (line > 0)
		str_printfa(dest, "line %u: ", line);
	str_vprintfa(dest, fmt, args);
	str_append(dest, "\r\n");
	va_end(args);
}

/* Carries out the actions of the scripts' results on mail. */
static void
filter_execute(struct filter_context *ctx, struct mail *mail, const struct mailsift_sequence *seq,
               const char *flags_before, struct sift_message *msg, struct filter_outcome *out)
{
	bool keep = seq->keep;
	const char *const *keep_flags = seq->keep_flags;
	/* An action that failed leaves the message as it was (ERRORS); what
	   was done already (copies, redirects) stays done. */
	bool failed = FALSE;
	string_t *header = NULL;
	if (seq->headers != NULL) {
		header = t_str_new(1024);
		mailsift_header_serialize(seq->headers, NULL, NULL, header);
	}
	struct sift_sieve_result *const *resp;
	array_foreach(&seq->results, resp) {
		const struct sift_sieve_result *res = *resp;
		for (size_t i = 0; i < res->nactions; i++) {
			const struct sift_sieve_action *a = &res->actions[i];
			const char *arg = t_strndup(a->arg != NULL ? a->arg : "", a->arg_len);
			const char *error;
			switch (a->type) {
			case SIFT_SIEVE_ACT_KEEP:
				keep = TRUE;
				if (a->has_flags)
					keep_flags = a->flags;
				break;
			case SIFT_SIEVE_ACT_FILEINTO:
				if (is_source_mailbox(ctx, arg)) {
					keep = TRUE;
					if (a->has_flags)
						keep_flags = a->flags;
				} else if (mailsift_mail_copy_into(ctx->user, mail, arg, a->create,
				                                   a->has_flags ? a->flags : NULL, header,
				                                   &error) < 0) {
					note(out->errors, a->line, "fileinto %s: %s", str_sanitize(arg, 80),
					     error);
					failed = TRUE;
				} else {
					ctx->copied++;
				}
				break;
			case SIFT_SIEVE_ACT_REDIRECT:
				if (mailsift_redirect_loops(msg, arg)) {
					note(out->warnings, a->line,
					     "not redirected to <%s>: it came through a redirect "
					     "to that address",
					     str_sanitize(arg, 80));
					keep = TRUE;
				} else if (mailsift_redirect(ctx->user->event, ctx->cmd->client->smtp_set,
				                             ctx->mail_from, mail, header, arg,
				                             &error) < 0) {
					note(out->errors, a->line, "%s", error);
					failed = TRUE;
				} else {
					ctx->redirected++;
				}
				break;
			case SIFT_SIEVE_ACT_REJECT:
			case SIFT_SIEVE_ACT_EREJECT:
				/* Ignored, and so is its cancelling the keep:
				   the message stays. */
				note(out->warnings, a->line,
				     "%s ignored: the message was delivered long ago",
				     a->type == SIFT_SIEVE_ACT_REJECT ? "reject" : "ereject");
				keep = TRUE;
				break;
			case SIFT_SIEVE_ACT_TEMPFAIL:
			case SIFT_SIEVE_ACT_QUARANTINE:
				note(out->warnings, a->line, "%s ignored: it is an SMTP-time action",
				     a->type == SIFT_SIEVE_ACT_TEMPFAIL ? "tempfail" : "quarantine");
				keep = TRUE;
				break;
			case SIFT_SIEVE_ACT_DISCARD:
			case SIFT_SIEVE_ACT_ADDHEADER:
			case SIFT_SIEVE_ACT_DELETEHEADER:
				break;
			}
		}
	}
	if (failed)
		return;
	if (!keep) {
		mail_update_flags(mail, MODIFY_ADD, MAIL_DELETED);
		ctx->deleted++;
	} else if (keep_flags != NULL &&
	           strcmp(flags_before, t_strarray_join(keep_flags, " ")) != 0) {
		mailsift_mail_set_flags(mail, keep_flags);
	}
}

/* Runs the scripts on one message and acts; sends its FILTERED line. */
static void
filter_mail(struct filter_context *ctx, struct mail *mail)
{
	struct client_command_context *cmd = ctx->cmd;
	struct filter_outcome out = {t_str_new(128), t_str_new(128)};
	const char *error;
	struct sift_message *msg =
	    mailsift_mail_parse(mail, &ctx->limits, ctx->user->set->mail_temp_dir, &error);
	if (msg == NULL) {
		if (mailsift_mail_is_lost(mail))
			return;
		note(out.errors, 0, "%s", error);
	} else {
		struct sift_sieve_host host = {
		    .context = ctx->user,
		    .mailbox_exists = mailsift_host_mailbox_exists,
		    .environment = mailsift_host_environment,
		};
		struct tm *tm = localtime(&ioloop_time);
		const char *flags_before = mailsift_mail_flags_text(mail);
		const char *envelope_from = sift_message_header_address(msg, "Return-Path");
		struct sift_sieve_run_params params = {
		    .msg = msg,
		    /* What the stored message still tells of its envelope: the
		       sender from its Return-Path, the recipient is this user. */
		    .envelope = {.from = envelope_from != NULL ? envelope_from : "",
		                 .to = strchr(ctx->user->username, '@') != NULL ? ctx->user->username
		                                                               : ""},
		    .host = &host,
		    .location = "MS",
		    .phase = "post",
		    .now = ioloop_time,
		    .now_zone = tm != NULL ? utc_offset(tm, ioloop_time) : 0,
		    .limits = &ctx->limits,
		    .scratch = mailsift_scratch(),
		    .flags = flags_before,
		};
		struct mailsift_sequence seq;
		if (mailsift_sequence_run(ctx->programs, ctx->nprograms, &params, &seq) < 0) {
			if (ctx->nprograms > 1)
				str_printfa(out.errors, "%s: ", ctx->names[seq.failed]);
			note(out.errors, 0, "%s", seq.error);
		} else {
			filter_execute(ctx, mail, &seq, flags_before, msg, &out);
		}
		mailsift_sequence_free(&seq);
		sift_message_destroy(&msg);
	}

	ctx->filtered++;
	string_t *line = t_str_new(128);
	str_printfa(line, "* %u FILTERED (TAG ", mail->seq);
	imap_append_quoted(line, cmd->tag);
	str_printfa(line, ") UID %u ", mail->uid);
	if (str_len(out.errors) > 0) {
		ctx->errors++;
		str_append(line, "ERRORS ");
		imap_append_string(line, str_c(out.errors));
	} else if (str_len(out.warnings) > 0) {
		str_append(line, "WARNINGS ");
		imap_append_string(line, str_c(out.warnings));
	} else {
		str_append(line, "OK");
	}
	client_send_line(cmd->client, str_c(line));
}

/* ---- the command ---- */

static void
filter_context_free(struct filter_context *ctx)
{
	struct sift_sieve_program **prog;
	array_foreach_modifiable(&ctx->scripts, prog)
		sift_sieve_program_unref(prog);
	array_clear(&ctx->scripts);
	timeout_remove(&ctx->to);
	if (ctx->search != NULL)
		(void)mailbox_search_deinit(&ctx->search);
	/* Committed even when the search failed or the client left: the
	   messages filtered so far had their copies made and their lines
	   sent, so their flags go with them. */
	if (ctx->t != NULL && mailbox_transaction_commit(&ctx->t) < 0)
		e_error(ctx->user->event, "mailsift: FILTER on %s: %s", mailbox_get_vname(ctx->box),
		        mailbox_get_last_internal_error(ctx->box, NULL));
	if (ctx->sargs != NULL)
		mail_search_args_unref(&ctx->sargs);
}

static bool cmd_filter_more(struct client_command_context *cmd);

static void
cmd_filter_more_callback(struct client_command_context *cmd)
{
	struct client *client = cmd->client;
	o_stream_cork(client->output);
	bool finished = command_exec(cmd);
	o_stream_uncork(client->output);
	if (!finished)
		(void)client_handle_unfinished_cmd(cmd);
	else
		client_command_free(&cmd);
	(void)cmd_sync_delayed(client);
	if (client->disconnected)
		client_destroy(client, NULL);
	else
		client_continue_pending_input(client);
}

static bool
cmd_filter_more(struct client_command_context *cmd)
{
	struct filter_context *ctx = cmd->context;
	if (cmd->cancel) {
		filter_context_free(ctx);
		return TRUE;
	}
	timeout_remove(&ctx->to);
	struct mail *mail;
	bool tryagain = FALSE;
	unsigned int n = 0;
	while (n < FILTER_STEP &&
	       o_stream_get_buffer_used_size(cmd->client->output) < CLIENT_OUTPUT_OPTIMAL_SIZE * 8 &&
	       mailbox_search_next_nonblock(ctx->search, &mail, &tryagain)) {
		T_BEGIN {
			filter_mail(ctx, mail);
		}
		T_END;
		n++;
		tryagain = TRUE; /* not finished yet */
	}
	if (tryagain) {
		if (o_stream_get_buffer_used_size(cmd->client->output) >=
		    CLIENT_OUTPUT_OPTIMAL_SIZE * 8) {
			cmd->state = CLIENT_COMMAND_STATE_WAIT_OUTPUT;
			o_stream_set_flush_pending(cmd->client->output, TRUE);
		} else {
			cmd->state = CLIENT_COMMAND_STATE_WAIT_EXTERNAL;
			ctx->to = timeout_add_short(0, cmd_filter_more_callback, cmd);
		}
		return FALSE;
	}

	int ret = mailbox_search_deinit(&ctx->search);
	if (ret < 0) {
		/* The search failed (an X-SIEVE limit, say): the messages
		   filtered so far keep their flags, committed first, then
		   the search's error goes to the client. */
		enum mail_error code;
		const char *error = t_strdup(mailbox_get_last_error(ctx->box, &code));
		filter_context_free(ctx);
		client_send_error(cmd, error, code);
		return TRUE;
	}
	ret = mailbox_transaction_commit(&ctx->t);
	e_info(ctx->user->event,
	       "mailsift: FILTER on %s: %u messages, %u copied, %u redirected, %u marked "
	       "\\Deleted, %u with errors",
	       mailbox_get_vname(ctx->box), ctx->filtered, ctx->copied, ctx->redirected,
	       ctx->deleted, ctx->errors);
	if (ret < 0) {
		client_send_box_error(cmd, ctx->box);
		filter_context_free(ctx);
		return TRUE;
	}
	filter_context_free(ctx);
	return cmd_sync(cmd, 0, IMAP_SYNC_FLAG_SAFE, "OK FILTER completed.");
}

bool
cmd_mailsift_filter(struct client_command_context *cmd)
{
	const struct imap_arg *args;
	if (!client_read_args(cmd, 0, 0, &args))
		return FALSE;
	if (!client_verify_open_mailbox(cmd))
		return TRUE;

	struct filter_context *ctx = p_new(cmd->pool, struct filter_context, 1);
	ctx->cmd = cmd;
	ctx->user = cmd->client->user;
	ctx->box = cmd->client->mailbox;
	p_array_init(&ctx->scripts, cmd->pool, 4);
	p_array_init(&ctx->script_names, cmd->pool, 4);

	const struct imap_arg *spec = args;
	unsigned int spec_len = spec_length(cmd, spec);
	if (spec_len == 0)
		return TRUE;
	args += spec_len;
	const char *charset = "UTF-8";
	if (imap_arg_atom_equals(args, "CHARSET")) {
		if (!imap_arg_get_astring(&args[1], &charset)) {
			client_send_command_error(cmd, "Invalid charset argument.");
			return TRUE;
		}
		args += 2;
	}
	if (IMAP_ARG_IS_EOL(args)) {
		client_send_command_error(cmd, "Missing search criteria.");
		return TRUE;
	}
	/* The criteria first: when they must wait for earlier commands
	   (0), this function runs again from the start, and nothing may have
	   been sent or compiled yet. */
	int ret = imap_search_args_build(cmd, args, charset, &ctx->sargs);
	if (ret <= 0)
		return ret < 0;

	struct mailsift_settings set;
	const char *error;
	if (mailsift_settings_read(ctx->user, &set, &error) < 0) {
		e_error(ctx->user->event, "mailsift: %s", error);
		client_send_tagline(cmd, "NO [SERVERBUG] The server's Sieve settings are broken.");
		filter_context_free(ctx);
		return TRUE;
	}
	ctx->limits = set.limits;
	ctx->warnings = str_new(cmd->pool, 128);
	if (load_scripts(ctx, &set, spec) < 0) {
		filter_context_free(ctx);
		return TRUE;
	}
	if (str_len(ctx->warnings) > 0)
		send_filter_problem(cmd, "WARNINGS", str_c(ctx->warnings));
	ctx->programs = array_get(&ctx->scripts, &ctx->nprograms);
	ctx->names = array_get(&ctx->script_names, &ctx->nprograms);

	if (strchr(ctx->user->username, '@') != NULL)
		(void)smtp_address_parse_username(cmd->pool, ctx->user->username, &ctx->mail_from,
		                                  &error);
	ctx->t = mailbox_transaction_begin(ctx->box, 0, imap_client_command_get_reason(cmd));
	ctx->search = mailbox_search_init(ctx->t, ctx->sargs, NULL, 0, NULL);
	cmd->func = cmd_filter_more;
	cmd->context = ctx;
	return cmd_filter_more(cmd);
}
