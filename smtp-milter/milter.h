/* SPDX-License-Identifier: MIT */
#ifndef MILTER_H
#define MILTER_H

/* mailsift-milter, the map of the program.  The daemon is a thin host
   over the core: it reads its configuration (milter-config.c), keeps the
   compiled program and reloads it (milter-program.c), feeds each SMTP
   transaction to the core and decides per recipient (milter-filter.c,
   milter-decide.c), writes delivery hints (shared/mail/delivery-hint.c)
   and DSNs (milter-dsn.c), and logs (milter-log.c).  main.c starts it:
   options, socket, privileges, signals. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buffer.h"
#include "util/diag.h"
#include "util/limits.h"
#include "sieve/sieve.h"

/* ---- logging (milter-log.c) ---- */

enum milter_log_level {
	MILTER_LOG_ERROR,
	MILTER_LOG_WARNING,
	MILTER_LOG_INFO,
	MILTER_LOG_DEBUG,
};

/* Opens the log: syslog with the facility, or standard error when
   to_stderr (foreground, -t).  Messages above `level` are dropped. */
void milter_log_open(const char *ident, int facility, bool to_stderr,
                     enum milter_log_level level);
void milter_log_set_level(enum milter_log_level level);
bool milter_log_enabled(enum milter_log_level level);
void milter_log(enum milter_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Untrusted text made printable for a log line: control and 8-bit bytes
   as \xNN, cut at size-1 bytes with "..." when longer.  Returns buf. */
const char *milter_log_safe(char *buf, size_t size, const char *text, size_t len);

/* ---- configuration (milter-config.c, docs/mailsift-milter.conf.5) ---- */

enum milter_on_error {
	MILTER_ON_ERROR_TEMPFAIL,
	MILTER_ON_ERROR_ACCEPT,
};

/* An SMTP reply: code ("550"), enhanced status ("5.7.1") and the text
   used when the script gives none. */
struct milter_reply {
	char code[4];
	char xcode[12];
	char *text;
};

enum milter_submit_kind {
	MILTER_SUBMIT_SMTP,
	MILTER_SUBMIT_COMMAND,
};

/* How DSNs leave: an SMTP server, or a sendmail-compatible command that
   reads the message on standard input (the recipient is appended as
   the last argument). */
struct milter_submit {
	enum milter_submit_kind kind;
	char *host; /* SMTP */
	unsigned int port;
	char **argv; /* COMMAND: NULL-terminated */
	unsigned int timeout; /* seconds, for the whole submission */
};

struct milter_config {
	char *socket;             /* libmilter socket spec */
	char *user;               /* user to run as (when started as root) */
	char *group;              /* group of the socket, or NULL */
	unsigned int socket_mode; /* permission bits of a unix socket */
	char *pidfile;            /* or NULL */
	char *script;             /* the SMTP-time Sieve script */
	enum milter_on_error on_error;
	struct milter_reply reject;   /* ereject/reject: 550 5.7.1 */
	struct milter_reply tempfail; /* tempfail: 451 4.7.1 */
	struct milter_reply error;    /* on_error = tempfail: 451 4.3.0 */
	char *hint_key_file;          /* or NULL: no hints */
	uint64_t hint_max_age;        /* seconds */
	struct milter_submit dsn_submit;
	unsigned int max_recipients; /* per message; more get 452 4.5.3 */
	unsigned int timeout;        /* libmilter's MTA read/write timeout, seconds */
	char *tmpdir;                /* where bodies past limit_body_memory spill */
	enum milter_log_level log_level;
	int syslog_facility; /* LOG_MAIL, ... */
	/* Engine limits (limit_<name>); body_max sets body_scan. */
	struct sift_limits limits;
};

/* Defaults that differ from the core's: body_max (limit_body_scan)
   16 MiB, limit_line_length 102400 (Postfix's header_size_limit). */
#define MILTER_BODY_MAX_DEFAULT (UINT64_C(16) << 20)
#define MILTER_LINE_LENGTH_DEFAULT UINT64_C(102400)

/* Fills every setting with its default. */
void milter_config_init(struct milter_config *cfg);
/* Reads a configuration file over the current settings.  Every problem
   is added to diags with its line (unknown key, bad value, duplicate
   key); returns 0, or -1 when diags has errors (cfg may then be partly
   changed) or the file cannot be read (line 0). */
int milter_config_load(struct milter_config *cfg, const char *path, struct sift_diags *diags);
/* The same for configuration text in memory; name is for diagnostics. */
int milter_config_load_buffer(struct milter_config *cfg, const char *name, const char *data,
                              size_t len, struct sift_diags *diags);
/* Parses "550 5.7.1" into a reply's code and enhanced status: a 4xx or
   5xx code whose class matches the status's first digit.  Returns 0 or
   -1 with *error_r. */
int milter_config_parse_status(struct milter_reply *reply, const char *text, const char **error_r);
/* Parses a dsn_submit value: "smtp:HOST:PORT" ("smtp:[::1]:25") or
   "command:/path args". */
int milter_config_parse_submit(struct milter_submit *submit, const char *text,
                               const char **error_r);
void milter_config_free(struct milter_config *cfg);

/* ---- DSNs (milter-dsn.c) ---- */

struct milter_dsn_rcpt {
	const char *addr;  /* the recipient as given at RCPT TO, without <> */
	const char *orcpt; /* ORCPT (addr-type;xtext), or NULL */
	const char *reply; /* the SMTP reply we gave: "550 5.7.1 text" */
};

struct milter_dsn {
	const char *reporting_mta; /* our host name */
	const char *sender;        /* reverse path of the original, never "" */
	const char *queue_id;      /* the MTA's queue id, or NULL */
	const char *client;        /* "name [addr]" of the SMTP client, or NULL */
	int64_t arrival;           /* when the message came in */
	const struct milter_dsn_rcpt *rcpts;
	size_t nrcpts;
	/* The original header block (CRLF line ends), returned as
	   text/rfc822-headers. */
	const char *headers;
	size_t headers_len;
};

/* Composes the DSN (RFC 3464 multipart/report; report-type=
   delivery-status) with CRLF line ends: a human-readable part, the
   message/delivery-status part with one block per recipient (Action:
   failed, Status from the reply), the original header block; From
   MAILER-DAEMON@reporting_mta, Auto-Submitted: auto-replied.  Every
   string that goes into it is made safe for a header (no CR/LF, no NUL,
   8-bit as '?').  Returns 0, or -1 when out is too small. */
int milter_dsn_compose(const struct milter_dsn *dsn, int64_t now, struct sift_buf *out);

/* Sends a message with the null reverse path to one recipient: over
   SMTP (EHLO, MAIL FROM:<>, RCPT TO, DATA with dot-stuffing, QUIT) or
   through the command.  Returns 0, or -1 with *error_r (static or
   thread-local text) when it was not accepted. */
/* Whether an address can receive a DSN from us: printable ASCII, no
   white space or angle brackets, not empty, not too long. */
bool milter_dsn_rcpt_ok(const char *rcpt);

int milter_dsn_submit(const struct milter_submit *submit, const char *rcpt, const char *msg,
                      size_t len, const char **error_r);

/* ---- the program in force (milter-program.c) ---- */

/* What one configuration load gives: the settings, the compiled script,
   the hint key, and what the script needs of the SMTP transaction.
   Reference counted: a connection holds the one it started with while a
   reload puts another in force. */
struct milter_program {
	int refcount;
	struct milter_config cfg;
	struct sift_sieve_program *sieve;
	unsigned char *hint_key; /* NULL: no hints */
	size_t hint_key_len;
	unsigned int needs;      /* SIFT_SIEVE_NEEDS_* */
	bool early;              /* may refuse or defer at RCPT TO */
	bool wants_headers;      /* always: incoming hints are deleted */
	bool wants_body;
	bool uses_helo;
	/* RCPT-time runs may read the session (environment items, envelope
	   "auth"): its macros are needed from the start; otherwise they are
	   asked for once, at the end of the message. */
	bool session_early;
	int64_t loaded; /* time of the load */
};

/* Settings given on the command line override those of the file. */
struct milter_overrides {
	const char *socket;
	const char *user;
};

/* Loads the configuration and compiles the script: a new program with
   one reference, or NULL with every problem in diags.  *diag_file_r
   (to be freed with sift_free) names the file the diagnostics are about:
   the configuration's path, or the script's. */
struct milter_program *milter_program_load(const char *config_path,
                                           const struct milter_overrides *overrides,
                                           struct sift_diags *diags, char **diag_file_r);
void milter_program_ref(struct milter_program *prog);
void milter_program_unref(struct milter_program **prog);

/* The program in force for the process: set once at start, replaced by
   reloads.  milter_program_current() returns it with a reference taken,
   after reloading when milter_program_request_reload() was called or,
   at most once a second, when the configuration or the script file
   changed.  A reload that fails logs its diagnostics and keeps the old
   program. */
void milter_program_install(struct milter_program *prog, const char *config_path,
                            const struct milter_overrides *overrides);
struct milter_program *milter_program_current(void);
void milter_program_request_reload(void);
/* Drops the process's reference at exit. */
void milter_program_shutdown(void);

/* ---- deciding (milter-decide.c) ---- */

/* What a Sieve result means for one recipient. */
enum milter_verdict {
	MILTER_V_ACCEPT,   /* delivered: kept, filed (hint) or redirected */
	MILTER_V_DISCARD,  /* nothing delivered, silently */
	MILTER_V_REFUSE,   /* reject or ereject */
	MILTER_V_TEMPFAIL, /* tempfail: the whole message is deferred */
	MILTER_V_ERROR,    /* runtime error: on_error decides */
};
/* The verdict, and its text (the reason, the error) or NULL. */
enum milter_verdict milter_verdict_of(const struct sift_sieve_result *res, const char **text_r,
                                      size_t *text_len_r);

/* At RCPT TO: runs the program with the envelope alone.  When every way
   the tests on the message could go ends in ereject, or every way in
   tempfail, returns MILTER_V_REFUSE or MILTER_V_TEMPFAIL with the text of
   the first way (all those tests false) in *text_r (malloc'd); otherwise
   MILTER_V_ACCEPT: nothing can be decided yet (a way that ends in a
   runtime error would be deferred, not refused). */
enum milter_verdict milter_decide_early(const struct sift_sieve_program *prog,
                                        const struct sift_sieve_run_params *params,
                                        char **text_r);

struct milter_rcpt {
	char *addr;  /* without <> */
	char *orcpt; /* ORCPT= of RCPT TO, or NULL */
};

/* A header change for the MTA, in the order to apply. */
enum milter_hdr_op_kind {
	MILTER_HDR_INSERT, /* smfi_insheader at index */
	MILTER_HDR_ADD,    /* smfi_addheader (at the end) */
	MILTER_HDR_DELETE, /* smfi_chgheader(name, index, NULL) */
};
struct milter_hdr_op {
	enum milter_hdr_op_kind kind;
	char *name;
	char *value;        /* INSERT/ADD */
	unsigned int index; /* INSERT: position (0 top); DELETE: 1-based among fields of that name */
};

enum milter_outcome {
	MILTER_OUT_ACCEPT,   /* with the changes of the plan */
	MILTER_OUT_REJECT,   /* every recipient refused: the reply */
	MILTER_OUT_TEMPFAIL, /* the reply */
	MILTER_OUT_DISCARD,  /* nobody gets it (after the DSN, if any) */
};

/* What to do with a message, decided once all of it is there. */
struct milter_plan {
	enum milter_outcome outcome;
	struct milter_reply reply; /* REJECT and TEMPFAIL */
	char *quarantine;          /* reason, or NULL */
	char **del_rcpts;
	size_t ndel_rcpts;
	char **add_rcpts;
	size_t nadd_rcpts;
	struct milter_hdr_op *hdr_ops;
	size_t nhdr_ops;
	/* Refused recipients to report in a DSN (empty when the sender is
	   null or the whole message is refused). */
	struct milter_dsn_rcpt *dsn;
	size_t ndsn;
	/* One line per group of recipients with the same result, and notes
	   (edits not applied, hints without key), for the log. */
	char **log;
	size_t nlog;
};

struct milter_decide_input {
	const struct milter_program *prog;
	struct sift_message *msg; /* finished; its headers are those the MTA has */
	const char *sender;       /* "" for the null sender */
	const struct milter_rcpt *rcpts;
	size_t nrcpts;
	const char *auth;      /* SASL user or NULL */
	const char *host_name; /* ours, for a Message-ID we add */
	const struct sift_sieve_host *host;
	struct sift_sieve_scratch *scratch;
	int64_t now;
	int now_zone;
};

/* Runs the program once per recipient and groups the results into a
   plan (DESIGN.md: tempfail and quarantine from any recipient apply to
   the whole message; header edits only when every accepting recipient
   asks for the same; refusals of some recipients become a DSN).
   Returns 0, or -1 with *error_r when the engine could not run (the host
   then answers as on_error says). */
int milter_decide(const struct milter_decide_input *in, struct milter_plan *plan,
                  const char **error_r);
void milter_plan_free(struct milter_plan *plan);

/* The text of an SMTP reply made safe for libmilter and SMTP: printable
   ASCII, no CR/LF, '%' doubled (libmilter formats it), at most max bytes
   per line and lines cut at word boundaries; lines separated by '\n'.
   Returns a malloc'd string. */
char *milter_reply_text(const char *text, size_t len, size_t max);

/* ---- the filter (milter-filter.c) ---- */

/* Largest milter packet taken (smfi_setmaxdatasize), negotiated with
   SMFIP_MDS_1M. */
#define MILTER_MAX_PACKET (1024 * 1024)

/* The libmilter description of the filter, for smfi_register. */
extern struct smfiDesc milter_filter_desc;

#endif
