/* SPDX-License-Identifier: MIT */
#ifndef MAILSIFT_PLUGIN_H
#define MAILSIFT_PLUGIN_H

/* The Dovecot side of mailsift: the map of the plugin's modules.

   lib95_mailsift_plugin.so (plugin name "mailsift") holds everything that
   runs where mail is stored:
     mailsift-plugin.c    init/deinit, the delivery hook
     mailsift-settings.c  plugin { } settings of a user, engine limits
     mailsift-script.c    the per-process cache of compiled scripts
     mailsift-mail.c      a Dovecot mail as a parsed sift_message, the
                          stored copy with edited headers
     mailsift-store.c     acting on a stored message: flags, copies,
                          mailboxexists, redirect
     mailsift-deliver.c   running the delivery scripts and acting on the
                          result (LDA and LMTP)
     mailsift-imap-events.c  rules on IMAP events (RFC 6785): APPEND,
                          COPY/MOVE and flag changes in the imap process
   lib95_imap_mailsift_plugin.so (imap only, plugin name "imap_mailsift")
   stands alone with its own copy of the settings, script and store code:
     imap-mailsift-plugin.c  init/deinit, capabilities
     imap-mailsift-filter.c  the FILTER and UID FILTER commands
     mailsift-xsieve.c    the X-SIEVE search key
   lib96_lmtp_mailsift_plugin.so (LMTP only; 96 so that it loads after "mailsift", which it needs) evaluates before the delivery
   so that `ereject` becomes a 550 reply to that recipient; it calls
   mailsift_deliver_evaluate() and the delivery hook reuses the verdict.

   Dovecot's headers (lib.h first) are included by each .c file; this
   header needs only their forward declarations. */

#include "array.h"
#include "mail-types.h"

#include "util/limits.h"
#include "sieve/sieve.h"

struct mail;
struct mail_user;
struct mail_deliver_context;
struct mailbox;
struct module;
struct event;
struct istream;
struct smtp_address;
struct smtp_submit_settings;
struct sift_message;

#define MAILSIFT_SETTING_PREFIX "mailsift_"
/* Most before/after scripts and IMAP rules read from the settings. */
#define MAILSIFT_MAX_SEQUENCE 32

/* ---- settings (mailsift-settings.c) ---- */

struct mailsift_settings {
	/* Scripts run at delivery, in order: before, the user's, after.
	   Absolute paths (~ expanded). */
	const char *scripts[MAILSIFT_MAX_SEQUENCE * 2 + 1];
	unsigned int nscripts;
	/* How many of scripts[] are before scripts; the index of the user's
	   script, or -1 when none is set. */
	unsigned int nbefore;
	int user_script;
	const char *hint_key_path; /* NULL: hints are not honoured */
	uint64_t hint_max_age;     /* seconds */
	/* FILTER SIEVE PERSONAL/GLOBAL: directories of NAME.sieve files
	   (NULL: refused). */
	const char *user_dir;
	const char *global_dir;
	/* The CPU time one X-SIEVE test may take on one message (ms). */
	uint64_t search_cpu_time;
	struct sift_limits limits;
};

/* Reads a user's settings (allocated from the data stack: use within one
   T_BEGIN frame or one delivery).  Returns 0, or -1 with *error_r when a
   setting is malformed (the caller keeps the message). */
int mailsift_settings_read(struct mail_user *user, struct mailsift_settings *set_r,
                           const char **error_r);

/* ---- compiled scripts (mailsift-script.c) ---- */

enum mailsift_script_status {
	MAILSIFT_SCRIPT_OK,
	MAILSIFT_SCRIPT_MISSING, /* no such file: nothing to run */
	MAILSIFT_SCRIPT_BROKEN,  /* unreadable or does not compile */
};

/* The compiled program of a script file, compiled again when the file
   changes (device, inode, size or change time); *program_r is a new
   reference (sift_sieve_program_unref).  BROKEN: *error_r says why (the
   compiler's first diagnostic with its position), and the full
   diagnostics were logged to event once per version of the file. */
enum mailsift_script_status mailsift_script_get(const char *path, const struct sift_limits *limits,
                                                struct event *event,
                                                struct sift_sieve_program **program_r,
                                                const char **error_r);
/* The diagnostics of the last compilation of path (after
   mailsift_script_get): lines "LINE:COLUMN: severity: text" + CRLF without
   the file's name, errors and warnings apart, NULL when there are none or
   the file was not read.  From the data stack. */
void mailsift_script_diagnostics(const char *path, const char **errors_r,
                                 const char **warnings_r);
/* The engine's working memory (regex match data, JIT stack), made once
   per process and reused by every run: Dovecot's processes run one
   script at a time.  Freed with the cache. */
struct sift_sieve_scratch *mailsift_scratch(void);
/* Forgets every compiled script and the scratch. */
void mailsift_script_cache_clear(void);

/* ---- messages (mailsift-mail.c) ---- */

/* Parses a mail's full stream.  Returns NULL with *error_r when the stream
   cannot be read (the caller tempfails). */
struct sift_message *mailsift_mail_parse(struct mail *mail, const struct sift_limits *limits,
                                         const char *tmpdir, const char **error_r);

/* The header block to store: `headers` without the fields the filter
   drops, serialized with CRLF line ends and the empty line that ends it. */
typedef bool mailsift_header_drop_fn(void *context, const struct sift_header *hdr);
void mailsift_header_serialize(const struct sift_header_list *headers,
                               mailsift_header_drop_fn *drop, void *context, string_t *out);

/* A mailbox a script may store into: a UTF-8 name without control
   characters, in a private namespace of this user (not another user's
   shared folder, not a public one), that the storage accepts as a name
   (no "..", no path tricks).  NULL with *error_r otherwise. */
struct mailbox *mailsift_user_mailbox_alloc(struct mail_user *user, const char *vname,
                                            const char **error_r);
/* Splits Sieve flags into Dovecot's system flags and keywords (a
   NULL-terminated array appended to keywords); \Recent and unknown
   system flags are dropped. */
void mailsift_flags_to_dovecot(const char *const *flags, enum mail_flags *flags_r,
                               ARRAY_TYPE(const_string) *keywords);

/* ---- stored messages (mailsift-store.c) ---- */

/* The field a redirected copy carries, naming the address it went to;
   the milter adds the same one. */
#define MAILSIFT_REDIRECTED_FIELD "Mailsift-Redirected"

/* Appends the names of the system flags in flags, space-separated. */
void mailsift_append_system_flags(string_t *str, enum mail_flags flags);
/* Whether reading the mail failed because it was expunged meanwhile. */
bool mailsift_mail_is_lost(struct mail *mail);
/* The mail's flags and keywords as the imap4flags variable holds them. */
const char *mailsift_mail_flags_text(struct mail *mail);
/* Replaces the mail's flags and keywords with Sieve flags. */
void mailsift_mail_set_flags(struct mail *mail, const char *const *flags);
/* The mailboxexists test: 1 the user can select it, 0 not, -1 error. */
int mailsift_mailbox_exists(struct mail_user *user, const char *name, size_t len);
/* struct sift_sieve_host callbacks for a context that is the struct
   mail_user: mailboxexists, and the environment items host and domain. */
int mailsift_host_mailbox_exists(void *context, const char *name, size_t len);
const char *mailsift_host_environment(void *context, const char *name, size_t *len_r);
/* The mail with its header block replaced by header (serialized with
   mailsift_header_serialize). */
struct istream *mailsift_edited_stream(struct mail *mail, const string_t *header,
                                       const char **error_r);
/* Copies mail into the user's mailbox vname (created first when create
   and missing), with flags (NULL: the mail's own) and its header block
   replaced by header when not NULL.  0, or -1 with *error_r. */
int mailsift_mail_copy_into(struct mail_user *user, struct mail *mail, const char *vname,
                            bool create, const char *const *flags, const string_t *header,
                            const char **error_r);
/* Whether the message came through a redirect to addr already. */
bool mailsift_redirect_loops(struct sift_message *msg, const char *addr);
/* Sends mail (header replaced when not NULL) on to addr through Dovecot's
   submission settings, envelope sender mail_from, with a
   Mailsift-Redirected field naming addr.  0, or -1 with *error_r. */
int mailsift_redirect(struct event *event, const struct smtp_submit_settings *smtp_set,
                      const struct smtp_address *mail_from, struct mail *mail,
                      const string_t *header, const char *addr, const char **error_r);

/* Scripts run in order as one (mailsift-store.c): each sees the header as
   the earlier ones left it and starts with the imap4flags variable they
   left (params->flags at the start: the message's flags, or none),
   `stop` ends the sequence, and the implicit keep stands only if no
   script cancelled it.  Delivery and FILTER run their scripts so. */
struct mailsift_sequence {
	ARRAY(struct sift_sieve_result *) results; /* of the scripts that ran */
	bool keep;
	/* The flags of the implicit keep (in a result), NULL when no script
	   uses imap4flags. */
	const char *const *keep_flags;
	/* The header as the scripts left it (in a result), NULL: unedited. */
	const struct sift_header_list *headers;
	/* When a script failed: its index and the error ("line N: ..."). */
	unsigned int failed;
	const char *error;
};
/* 0, or -1 when a script failed (its result, if any, is the last one);
   params->headers and params->flags are changed.  Free seq in every case. */
int mailsift_sequence_run(struct sift_sieve_program *const *programs, unsigned int n,
                          struct sift_sieve_run_params *params, struct mailsift_sequence *seq);
void mailsift_sequence_free(struct mailsift_sequence *seq);

/* ---- IMAP events (mailsift-imap-events.c) ---- */

void mailsift_imap_events_init(struct module *module);
void mailsift_imap_events_deinit(void);

/* ---- lib95_imap_mailsift_plugin.so ---- */

/* The X-SIEVE search key (mailsift-xsieve.c). */
void mailsift_xsieve_init(struct module *module);
void mailsift_xsieve_deinit(void);

struct client_command_context;
/* FILTER and UID FILTER (imap-mailsift-filter.c). */
bool cmd_mailsift_filter(struct client_command_context *cmd);

/* ---- delivery (mailsift-deliver.c) ---- */

/* What the delivery scripts decided for one recipient, computed once. */
struct mailsift_verdict;

/* Runs the delivery scripts for the recipient of ctx-like data given by
   the LMTP module before Dovecot's delivery starts.  Returns the verdict
   (NULL when the user has no scripts and no hint applies).  When the
   verdict refuses the recipient with ereject, *ereject_r is its reason. */
struct mailsift_verdict *mailsift_deliver_evaluate(struct mail_user *user, struct mail *src_mail,
                                                   const char *mail_from, const char *rcpt_to,
                                                   const char *orig_rcpt_to,
                                                   const char **ereject_r);
/* Hands a verdict over to the delivery hook that runs next for the same
   user and mail (the LMTP module calls it right before the default
   delivery); the hook frees it. */
void mailsift_deliver_set_pending(struct mailsift_verdict *verdict);
void mailsift_verdict_free(struct mailsift_verdict **verdict);

void mailsift_deliver_init(void);
void mailsift_deliver_deinit(void);

#endif
