/* SPDX-License-Identifier: MIT */
#ifndef REPORT_H
#define REPORT_H

/* How `mailsift test` prints a result: text (for people), json (for
   programs) and pigeonhole (byte for byte the report of Pigeonhole's
   sieve-test, for differential testing).  Layouts: docs/mailsift.1. */

#include <stdio.h>

#include "util/buffer.h"
#include "sieve/sieve.h"

/* Trace lines collected during a run (--trace). */
struct report_trace {
	struct sift_buf text; /* the text layout, one line per event */
	struct sift_buf json; /* JSON objects separated by commas */
	size_t count;
};
void report_trace_init(struct report_trace *trace);
void report_trace_free(struct report_trace *trace);
/* sift_sieve_trace_cb for a struct report_trace. */
void report_trace_event(void *context, const struct sift_sieve_trace_event *event);

void report_text(FILE *out, const char *script, const struct sift_sieve_result *res,
                 const struct report_trace *trace);
void report_json(FILE *out, const char *script, const struct sift_sieve_result *res,
                 const struct report_trace *trace);
void report_pigeonhole(FILE *out, const struct sift_sieve_result *res);
/* The runtime error line on stderr: FILE:LINE: error: TEXT. */
void report_runtime_error(const char *script, const struct sift_sieve_result *res);

/* One short word for an action type ("fileinto"). */
const char *report_action_name(enum sift_sieve_action_type type);
/* Appends a string quoted C-style, bytes outside printable ASCII as
   \xNN (UTF-8 kept when valid). */
void report_quote(struct sift_buf *out, const char *s, size_t len);

#endif
