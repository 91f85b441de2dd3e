/* SPDX-License-Identifier: MIT */
/* The limits table.  Defaults follow Postfix and Dovecot where they have the
   same limit (MIME depth 100 and 10 000 parts as Dovecot's message parser,
   boundary length 2048 as Postfix's mime_boundary_length_limit). */
#include "limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KIB 1024ULL
#define MIB (1024ULL * 1024)
#define GIB (1024ULL * 1024 * 1024)

const struct sift_limit_def sift_limit_defs[SIFT_LIMIT_COUNT] = {
    [SIFT_LIMIT_HEADER_BYTES] = {"header_bytes", 1 * MIB, 1 * KIB, 1 * GIB, "bytes",
                                 "header bytes kept per message, all parts together"},
    [SIFT_LIMIT_HEADER_COUNT] = {"header_count", 10000, 10, 10000000, "count",
                                 "header fields kept per message, all parts together"},
    [SIFT_LIMIT_LINE_LENGTH] = {"line_length", 64 * KIB, 998, 64 * MIB, "bytes",
                                "longest header field kept; longer ones are cut"},
    [SIFT_LIMIT_MIME_DEPTH] = {"mime_depth", 100, 1, 10000, "count", "MIME nesting depth parsed"},
    [SIFT_LIMIT_MIME_PARTS] = {"mime_parts", 10000, 1, 10000000, "count", "MIME parts per message"},
    [SIFT_LIMIT_BOUNDARY_LENGTH] = {"boundary_length", 2048, 70, 1 * MIB, "bytes",
                                    "longest multipart boundary accepted"},
    [SIFT_LIMIT_BODY_MEMORY] = {"body_memory", 1 * MIB, 0, 4 * GIB, "bytes",
                                "message bytes held in memory before spilling to a file"},
    [SIFT_LIMIT_BODY_SCAN] = {"body_scan", 64 * MIB, 1 * KIB, 1024 * GIB, "bytes",
                              "message bytes stored and scanned"},
    [SIFT_LIMIT_ADDRESS_COUNT] = {"address_count", 10000, 1, 10000000, "count",
                                  "addresses taken from one header field"},
    [SIFT_LIMIT_SCRIPT_BYTES] = {"script_bytes", 1 * MIB, 1 * KIB, 1 * GIB, "bytes",
                                 "largest Sieve script compiled"},
    [SIFT_LIMIT_SCRIPT_NESTING] = {"script_nesting", 32, 15, 1000, "count",
                                   "blocks and test lists nested in a Sieve script"},
    [SIFT_LIMIT_ACTIONS] = {"actions", 32, 1, 100000, "count", "actions in one Sieve result"},
    [SIFT_LIMIT_REDIRECTS] = {"redirects", 4, 0, 10000, "count",
                              "redirect actions in one Sieve result"},
    [SIFT_LIMIT_VARIABLES] = {"variables", 255, 1, 100000, "count",
                              "variables declared in one Sieve script"},
    [SIFT_LIMIT_VARIABLE_BYTES] = {"variable_bytes", 4 * KIB, 1, 64 * MIB, "bytes",
                                   "bytes kept in one Sieve variable"},
    [SIFT_LIMIT_REGEX_MATCH] = {"regex_match", 1000000, 1000, 1000000000, "count",
                                "PCRE2 match limit for one regex match"},
    [SIFT_LIMIT_REGEX_DEPTH] = {"regex_depth", 10000, 100, 10000000, "count",
                                "PCRE2 depth limit for one regex match"},
    [SIFT_LIMIT_CPU_TIME] = {"cpu_time", 30000, 0, 3600000, "count",
                             "milliseconds one Sieve run may take (0: no limit)"},
    [SIFT_LIMIT_HEADER_EDIT_BYTES] = {"header_edit_bytes", 2 * KIB, 64, 1 * MIB, "bytes",
                                      "longest header field a Sieve script may add"},
};

void
sift_limits_init(struct sift_limits *limits)
{
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++)
		limits->value[i] = sift_limit_defs[i].def;
}

int
sift_limit_lookup(const char *name)
{
	for (int i = 0; i < SIFT_LIMIT_COUNT; i++) {
		if (strcasecmp(sift_limit_defs[i].name, name) == 0)
			return i;
	}
	return -1;
}

int
sift_limits_set(struct sift_limits *limits, const char *name, const char *value,
                const char **error_r)
{
	static __thread char errbuf[160];
	int id = sift_limit_lookup(name);
	if (id < 0) {
		snprintf(errbuf, sizeof(errbuf), "unknown limit '%.60s'", name);
		*error_r = errbuf;
		return -1;
	}
	const struct sift_limit_def *def = &sift_limit_defs[id];
	char *end;
	errno = 0;
	if (value[0] < '0' || value[0] > '9')
		goto bad;
	unsigned long long n = strtoull(value, &end, 10);
	if (errno != 0)
		goto bad;
	unsigned long long mult = 1;
	if (strcmp(def->unit, "bytes") == 0 && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k':
		case 'K':
			mult = KIB;
			end++;
			break;
		case 'm':
		case 'M':
			mult = MIB;
			end++;
			break;
		case 'g':
		case 'G':
			mult = GIB;
			end++;
			break;
		}
	}
	if (*end != '\0' || (n != 0 && mult > UINT64_MAX / n))
		goto bad;
	n *= mult;
	if (n < def->min || n > def->max) {
		snprintf(errbuf, sizeof(errbuf), "limit %s must be between %llu and %llu",
		         def->name, (unsigned long long)def->min, (unsigned long long)def->max);
		*error_r = errbuf;
		return -1;
	}
	limits->value[id] = n;
	return 0;
bad:
	snprintf(errbuf, sizeof(errbuf), "limit %s: '%.40s' is not a valid %s", def->name, value,
	         strcmp(def->unit, "bytes") == 0 ? "size" : "number");
	*error_r = errbuf;
	return -1;
}
