/* SPDX-License-Identifier: MIT */
#ifndef SIFT_SIEVE_H
#define SIFT_SIEVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/limits.h"
#include "mail/message-parser.h"

/* The Sieve engine: compile a script once into an immutable program,
   run it on many messages (from any number of threads), get back a
   result that the host carries out.  The engine does no I/O: what only
   the host knows comes through struct sift_sieve_host. */

struct sift_sieve_program;

/* Compiles a script.  name is used in diagnostics only.  The limits
   script_bytes, script_nesting and variables apply here, the others at
   run time (they are copied into the program).  Diagnostics (errors and
   warnings with line and column) go to diags.  Returns NULL on errors. */
struct sift_sieve_program *sift_sieve_compile(const char *name, const char *text, size_t len,
                                              const struct sift_limits *limits,
                                              struct sift_diags *diags);
void sift_sieve_program_ref(struct sift_sieve_program *program);
void sift_sieve_program_unref(struct sift_sieve_program **program);

/* Capabilities the engine knows, space-separated ("fileinto envelope ..."). */
const char *sift_sieve_capabilities(void);
/* Whether the program requires (or ihave-probes successfully) an extension. */
bool sift_sieve_program_uses(const struct sift_sieve_program *program, const char *capability);

/* What of the message a program can look at, so a host that receives
   the message in stages (an MTA) asks only for those. */
enum sift_sieve_need {
	SIFT_SIEVE_NEEDS_HEADER = 1 << 0, /* header, address, exists, date, deleteheader */
	SIFT_SIEVE_NEEDS_BODY = 1 << 1,   /* body, size */
};
unsigned int sift_sieve_program_needs(const struct sift_sieve_program *program);
/* Whether a command or test of that name occurs in the program. */
bool sift_sieve_program_has(const struct sift_sieve_program *program, const char *name);
/* Whether an envelope test may read that envelope part ("auth", ...):
   it names it, or names a part through a variable. */
bool sift_sieve_program_reads_envelope(const struct sift_sieve_program *program,
                                       const char *part);

/* ---- running ---- */

struct sift_sieve_host {
	void *context;
	/* mailboxexists (RFC 5490): 1 exists, 0 does not, -1 cannot tell
	   (the test then fails).  NULL: only INBOX exists. */
	int (*mailbox_exists)(void *context, const char *name, size_t len);
	/* Environment item (RFC 5183) by lower-case name: the value, or NULL
	   when the host does not know it (the test is then false).  Items the
	   engine knows itself (name, version) are asked of the host first.
	   NULL callback: only the engine's own items and the run's location
	   and phase. */
	const char *(*environment)(void *context, const char *name, size_t *len_r);
};

struct sift_sieve_envelope {
	const char *from;    /* reverse path without <>, "" for the null sender */
	const char *to;      /* the recipient this run is for */
	const char *orig_to; /* original recipient (RFC 3461 ORCPT), or NULL */
	const char *auth;    /* SASL user, or NULL */
};

/* One line of a trace: emitted per test evaluated (and per action
   decided) when the run asks for it. */
struct sift_sieve_trace_event {
	unsigned int line;
	unsigned int column;
	const char *test;      /* test or command name */
	const char *extracted; /* what was taken from the message, "" when nothing */
	size_t extracted_len;
	const char *key; /* what it was compared with, or NULL */
	size_t key_len;
	const char *match; /* "is", "contains", ..., "value ge", "count eq" */
	int outcome;       /* 1 true, 0 false, -1 error; for an action: 1 */
	bool is_action;
	/* The test found nothing to compare (no such header field, ...). */
	bool no_value;
};
typedef void sift_sieve_trace_cb(void *context, const struct sift_sieve_trace_event *event);

/* Working memory a host may keep between runs on one thread (regex match
   data and JIT stack, folding buffers), so a run does not set them up
   again.  Optional; never used by two runs at once. */
struct sift_sieve_scratch;
struct sift_sieve_scratch *sift_sieve_scratch_create(void);
void sift_sieve_scratch_destroy(struct sift_sieve_scratch **scratch);

struct sift_sieve_run_params {
	struct sift_message *msg; /* parsed and finished */
	/* Reused working memory, or NULL: the run makes its own. */
	struct sift_sieve_scratch *scratch;
	struct sift_sieve_envelope envelope;
	const struct sift_sieve_host *host; /* may be NULL */
	const char *location; /* environment "location": MTA, MDA, MS, MUA; NULL: MDA */
	const char *phase;    /* "pre", "during", "post"; NULL: during */
	int64_t now;          /* current time for currentdate (seconds), fixed per run */
	int now_zone;         /* local zone in minutes east of UTC */
	/* Limits used at run time (actions, redirects, variable bytes, regex
	   limits, run time); NULL: those the program was compiled with. */
	const struct sift_limits *limits;
	sift_sieve_trace_cb *trace;
	void *trace_context;
	/* The top-level header as the earlier scripts of a sequence left it
	   (their result's edited_headers), or NULL: the message's own.  Tests
	   see it and editheader works on a copy of it. */
	const struct sift_header_list *headers;
	/* The imap4flags internal variable at the start (space-separated),
	   or NULL: empty.  At IMAP events it is the message's own flags
	   (RFC 6785 3.6). */
	const char *flags;
};

enum sift_sieve_action_type {
	SIFT_SIEVE_ACT_KEEP,
	SIFT_SIEVE_ACT_FILEINTO,
	SIFT_SIEVE_ACT_REDIRECT,
	SIFT_SIEVE_ACT_DISCARD,
	SIFT_SIEVE_ACT_REJECT,
	SIFT_SIEVE_ACT_EREJECT,
	SIFT_SIEVE_ACT_TEMPFAIL,
	SIFT_SIEVE_ACT_QUARANTINE,
	SIFT_SIEVE_ACT_ADDHEADER,
	SIFT_SIEVE_ACT_DELETEHEADER,
};

struct sift_sieve_action {
	enum sift_sieve_action_type type;
	unsigned int line; /* where the script decided it */
	/* KEEP/FILEINTO: the mailbox (KEEP: "INBOX"); REDIRECT: the address;
	   REJECT/EREJECT/TEMPFAIL/QUARANTINE: the reason;
	   ADDHEADER/DELETEHEADER: the field name. */
	const char *arg;
	size_t arg_len;
	/* ADDHEADER: the value. */
	const char *value;
	size_t value_len;
	/* KEEP/FILEINTO: the IMAP flags to set (NULL-terminated array, may be
	   empty); has_flags false when no flags were given at all. */
	const char **flags;
	bool has_flags;
	bool copy;   /* :copy */
	bool create; /* fileinto :create */
	bool last;   /* addheader :last */
	/* Reports list the :flags of a store before its :copy when the script
	   wrote them in that order. */
	bool flags_first;
	/* DELETEHEADER: how many fields it removed. */
	unsigned int deleted;
};

struct sift_sieve_result {
	struct sift_sieve_action *actions; /* in the order decided */
	size_t nactions;
	/* Whether the implicit keep stands (RFC 5228 2.10.2), and the flags
	   it stores with (imap4flags). */
	bool implicit_keep;
	const char **implicit_keep_flags;
	bool implicit_keep_has_flags;
	/* The script ended with `stop`: a host running scripts in sequence
	   runs none after it. */
	bool stopped;
	/* A runtime error stopped the script: the actions above are those
	   decided before it (they are NOT to be carried out except what
	   failure_keep says), and the message is kept. */
	bool failed;
	const char *error; /* the runtime error text */
	unsigned int error_line;
	/* The runtime error is a resource limit running out (CPU time, the
	   steps or memory of a regex match), not a fault of the script. */
	bool limit_exceeded;
	/* Lines of the tests that were true and of the actions executed,
	   for statistics (each at most once, in order). */
	unsigned int *matched_lines;
	size_t nmatched_lines;
	/* The message header as edited by editheader (or as params->headers
	   gave it), for hosts that rewrite it. */
	struct sift_header_list *edited_headers;
	bool headers_edited;
	/* Private: the result's memory. */
	struct sift_arena *arena;
};

/* Runs a program on a message.  Returns 0 and *result_r (to be freed
   with sift_sieve_result_free) in every case where the host has a result
   to act on, including runtime errors (result->failed); -1 and *error_r
   only when the engine could not run at all (the body store could not be
   read): the host then tempfails. */
int sift_sieve_run(const struct sift_sieve_program *program,
                   const struct sift_sieve_run_params *params, struct sift_sieve_result **result_r,
                   const char **error_r);
void sift_sieve_result_free(struct sift_sieve_result **result);

/* ---- one test on its own (a search key) ---- */

/* Compiles text as one Sieve test (what may follow "if"), with every
   extension that defines a test, match type, comparator or address part
   required: `header :regex "subject" "^\\[t-[0-9]+\\]"`, `anyof (...)`.
   Diagnostics carry positions in text.  A text that is not exactly one
   test (it closes the condition and adds commands) is an error.  NULL on
   errors.  A host that searches stored mail refuses the tests that depend
   on more than the message (sift_sieve_program_has: envelope,
   environment, hasflag, mailboxexists, currentdate). */
struct sift_sieve_program *sift_sieve_compile_test(const char *text, size_t len,
                                                   const struct sift_limits *limits,
                                                   struct sift_diags *diags);
/* Runs a program from sift_sieve_compile_test: 1 true, 0 false, -1 with
   *error_r (a runtime error or limit, or the body store could not be
   read).  *result_r, when set, holds *error_r and is freed with
   sift_sieve_result_free. */
int sift_sieve_test(const struct sift_sieve_program *program, const struct sift_sieve_run_params *params,
                    struct sift_sieve_result **result_r, const char **error_r);

/* ---- before the message: three-valued runs ---- */

/* An MTA knows the envelope before the message.  A program run with
   params->msg NULL treats every test that needs the message (header,
   address, exists, size, body, date) as unknown; allof, anyof and not
   follow three-valued logic, and an `if` whose condition is unknown is
   taken both ways.  sift_sieve_explore runs the program once for each
   way the unknown conditions can go and gives each outcome to cb, which
   returns false to stop early; so a host can act before the message
   comes when every outcome agrees (e.g. refuse a recipient at RCPT TO).
   Returns the number of outcomes; 0 when cb stopped; -1 with *error_r
   when the outcomes cannot be known: more than max_paths of them, or a
   string that uses a match variable an unknown test may have set. */
typedef bool sift_sieve_outcome_cb(void *context, const struct sift_sieve_result *result);
int sift_sieve_explore(const struct sift_sieve_program *program,
                       const struct sift_sieve_run_params *params, unsigned int max_paths,
                       sift_sieve_outcome_cb *cb, void *context, const char **error_r);

#endif
