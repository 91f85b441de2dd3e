/* SPDX-License-Identifier: MIT */
#ifndef SIFT_LIMITS_H
#define SIFT_LIMITS_H

#include <stdint.h>

/* Every resource limit of the core, in one table.  Each has a name (the
   configuration key, `limit_<name>` in host configuration files), a
   default and an allowed range.  Hosts start from sift_limits_init() and
   override single entries from their configuration. */
enum sift_limit_id {
	/* Header bytes kept per message, all header blocks of all parts. */
	SIFT_LIMIT_HEADER_BYTES,
	/* Header fields kept per message, all parts. */
	SIFT_LIMIT_HEADER_COUNT,
	/* Longest header field kept (all its folded lines together). */
	SIFT_LIMIT_LINE_LENGTH,
	/* MIME nesting depth parsed; deeper parts are kept as opaque data. */
	SIFT_LIMIT_MIME_DEPTH,
	/* MIME parts per message. */
	SIFT_LIMIT_MIME_PARTS,
	/* Longest multipart boundary accepted. */
	SIFT_LIMIT_BOUNDARY_LENGTH,
	/* Message bytes held in memory before the rest spills to a file. */
	SIFT_LIMIT_BODY_MEMORY,
	/* Message bytes stored and scanned; the rest is counted, not kept. */
	SIFT_LIMIT_BODY_SCAN,
	/* Addresses taken from one header field. */
	SIFT_LIMIT_ADDRESS_COUNT,
	/* Sieve: script size accepted by the compiler. */
	SIFT_LIMIT_SCRIPT_BYTES,
	/* Sieve: blocks and test lists nested in a script. */
	SIFT_LIMIT_SCRIPT_NESTING,
	/* Sieve: actions in one result (Pigeonhole's sieve_max_actions). */
	SIFT_LIMIT_ACTIONS,
	/* Sieve: redirect actions in one result (sieve_max_redirects). */
	SIFT_LIMIT_REDIRECTS,
	/* Sieve: variables declared in one script. */
	SIFT_LIMIT_VARIABLES,
	/* Sieve: bytes kept in one variable; longer values are cut. */
	SIFT_LIMIT_VARIABLE_BYTES,
	/* Sieve: PCRE2 match limit for one regex match. */
	SIFT_LIMIT_REGEX_MATCH,
	/* Sieve: PCRE2 depth limit for one regex match. */
	SIFT_LIMIT_REGEX_DEPTH,
	/* Sieve: time one run may take, in milliseconds (0: none), measured on
	   the monotonic clock (it bounds the CPU time from above). */
	SIFT_LIMIT_CPU_TIME,
	/* Sieve: longest header field addheader may add. */
	SIFT_LIMIT_HEADER_EDIT_BYTES,
	SIFT_LIMIT_COUNT
};

struct sift_limit_def {
	const char *name;
	uint64_t def;
	uint64_t min;
	uint64_t max;
	/* "bytes" or "count": bytes accept K, M and G suffixes. */
	const char *unit;
	const char *description;
};

struct sift_limits {
	uint64_t value[SIFT_LIMIT_COUNT];
};

extern const struct sift_limit_def sift_limit_defs[SIFT_LIMIT_COUNT];

/* Fills every limit with its default. */
void sift_limits_init(struct sift_limits *limits);
/* Finds a limit by its name; -1 if there is none. */
int sift_limit_lookup(const char *name);
/* Sets a limit from configuration text ("64K", "100"); -1 and *error_r on
   an unknown name, bad number or value out of range. */
int sift_limits_set(struct sift_limits *limits, const char *name, const char *value,
                    const char **error_r);

static inline uint64_t
sift_limit(const struct sift_limits *limits, enum sift_limit_id id)
{
	return limits->value[id];
}

#endif
