/* SPDX-License-Identifier: MIT */
#ifndef SIFT_DIAG_H
#define SIFT_DIAG_H

#include <stddef.h>

/* Diagnostics: what the core has to say about an input (a script, a
   configuration), with position, for the host to print or log.  The core
   never prints them itself. */
enum sift_severity {
	SIFT_SEV_ERROR,
	SIFT_SEV_WARNING,
	SIFT_SEV_NOTE,
};

struct sift_diag {
	enum sift_severity severity;
	unsigned int line; /* 1-based; 0 when not tied to a position */
	unsigned int column;
	char *text;
};

struct sift_diags {
	struct sift_diag *items;
	size_t count;
	size_t alloc;
	size_t errors;
	/* Stop recording past this many (0 = 100); a last note says so. */
	size_t max;
};

void sift_diags_init(struct sift_diags *diags);
void sift_diags_free(struct sift_diags *diags);
void sift_diags_add(struct sift_diags *diags, enum sift_severity severity, unsigned int line,
                    unsigned int column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
const char *sift_severity_name(enum sift_severity severity);

struct sift_buf;
/* Appends one diagnostic as a line without its line end, in the gcc style
   every host prints: "FILE:LINE:COL: error: TEXT" ("FILE: error: TEXT"
   when it has no position).  Control bytes of the text (diagnostics
   quote their input) become '?'. */
void sift_diag_format(struct sift_buf *out, const char *file, const struct sift_diag *diag);

#endif
