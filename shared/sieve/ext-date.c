/* SPDX-License-Identifier: MIT */
/* date and currentdate (RFC 5260 4 and 5), with :zone/:originalzone and
   the index extension's :index/:last (RFC 5260 6).  A header that does
   not hold a parseable date yields no value (the test is false). */

#include <string.h>

#include "util/str.h"
#include "mail/header.h"
#include "mail/rfc5322-date.h"
#include "sieve/ext.h"
#include "sieve/sieve-extract.h"

struct date_data {
	int part;
	bool has_zone;
	int zone; /* minutes east of UTC, when has_zone and constant */
	bool bad_zone;
	bool unknown_part;
};

static int
validate_zone_and_part(struct sift_vctx *vctx, struct sift_node *node, const struct sift_sval *part)
{
	struct date_data *d = sift_arena_zalloc(vctx->arena, sizeof(*d));
	node->data = d;
	int ret = 0;
	d->part = -1;
	if (part->pieces == NULL) {
		d->part = sift_sieve_date_part_lookup(part->data, part->len);
		if (d->part < 0) {
			/* The test is then false, as in Pigeonhole. */
			sift_vctx_warning(vctx, part->line, part->column,
			                  "unknown date part \"%s\": the test is always false",
			                  part->data);
			d->unknown_part = true;
		}
	}
	if (node->tags & SIFT_T(ZONE)) {
		const struct sift_sval *z = &node->tag_list[SIFT_TAG_ZONE]->items[0];
		d->has_zone = true;
		if (sift_sieve_zone_parse(z->data, z->len, &d->zone) < 0) {
			/* Pigeonhole accepts it and keeps the date's own zone;
			   so do we, with a warning. */
			sift_vctx_warning(vctx, z->line, z->column,
			                  "invalid time zone \"%s\" (expected +hhmm or -hhmm); the "
			                  "date's own zone is used",
			                  z->data);
			d->has_zone = false;
			d->bad_zone = true;
		}
	}
	return ret;
}

int
sift_validate_index(struct sift_vctx *vctx, struct sift_node *node)
{
	if ((node->tags & SIFT_T(LAST)) && !(node->tags & SIFT_T(INDEX))) {
		sift_vctx_error(vctx, node->tag_at[SIFT_TAG_LAST].line,
		                node->tag_at[SIFT_TAG_LAST].column, "':last' requires ':index'");
		return -1;
	}
	if ((node->tags & SIFT_T(INDEX)) && node->tag_number[SIFT_TAG_INDEX] == 0) {
		sift_vctx_error(vctx, node->tag_at[SIFT_TAG_INDEX].arg_line,
		                node->tag_at[SIFT_TAG_INDEX].arg_column,
		                "':index' counts from 1, not 0");
		return -1;
	}
	return 0;
}

static int
validate_date(struct sift_vctx *vctx, struct sift_node *node)
{
	int ret = validate_zone_and_part(vctx, node, &node->pos[1]->items[0]);
	if (sift_validate_index(vctx, node) < 0)
		ret = -1;
	if (sift_validate_match(vctx, node, node->pos[2]) < 0)
		ret = -1;
	return ret;
}

static bool
match_date(struct sift_run *run, struct sift_matcher *m, const struct sift_node *node,
           const struct sift_sval *part_sval, int64_t ts, int orig_zone, bool zone_known)
{
	const struct date_data *d = node->data;
	int part = d->part;
	if (d->unknown_part)
		return false;
	if (part < 0) {
		size_t plen;
		const char *p = sift_run_expand(run, part_sval, &plen);
		part = sift_sieve_date_part_lookup(p, plen);
		if (part < 0)
			return false;
	}
	int zone;
	bool known = true;
	if (d->has_zone)
		zone = d->zone;
	else if ((node->tags & SIFT_T(ORIGINALZONE)) || d->bad_zone) {
		zone = orig_zone;
		known = zone_known;
	} else
		zone = run->params->now_zone;
	char buf[64];
	size_t len = sift_sieve_date_format(part, ts, zone, known, buf);
	return sift_matcher_value(m, buf, len);
}

static bool
date_field(struct sift_run *run, struct sift_matcher *m, struct sift_header *h)
{
	size_t vlen;
	const char *v = sift_header_unfolded(sift_message_arena(run->msg), h, &vlen);
	/* Received: the date follows the last ';' (RFC 5322 3.6.7). */
	const char *semi = memrchr(v, ';', vlen);
	if (semi != NULL) {
		vlen -= (size_t)(semi + 1 - v);
		v = semi + 1;
	}
	struct sift_date date;
	if (sift_date_parse(v, vlen, &date) < 0)
		return false;
	const struct sift_node *node = m->node;
	return match_date(run, m, node, &node->pos[1]->items[0], date.timestamp, date.zone,
	                  date.zone_known);
}

static int
exec_date(struct sift_run *run, const struct sift_node *node)
{
	struct sift_matcher m;
	sift_matcher_init(&m, run, node);
	sift_run_fields(run, node, node->pos[0], &m, date_field);
	return sift_matcher_finish(&m);
}

const struct sift_cmd_def sift_test_date = {"date",
                                            SIFT_CMD_TEST,
                                            SIFT_EXT_DATE,
                                            SIFT_TAGS_MATCH | SIFT_T(ZONE) | SIFT_T(ORIGINALZONE) |
                                                SIFT_T(INDEX) | SIFT_T(LAST),
                                            "sll",
                                            0,
                                            0,
                                            validate_date,
                                            exec_date};

static int
validate_currentdate(struct sift_vctx *vctx, struct sift_node *node)
{
	int ret = validate_zone_and_part(vctx, node, &node->pos[0]->items[0]);
	if (sift_validate_match(vctx, node, node->pos[1]) < 0)
		ret = -1;
	return ret;
}

static int
exec_currentdate(struct sift_run *run, const struct sift_node *node)
{
	struct sift_matcher m;
	sift_matcher_init(&m, run, node);
	match_date(run, &m, node, &node->pos[0]->items[0], run->params->now, run->params->now_zone,
	           true);
	return sift_matcher_finish(&m);
}

const struct sift_cmd_def sift_test_currentdate = {"currentdate",
                                                   SIFT_CMD_TEST,
                                                   SIFT_EXT_DATE,
                                                   SIFT_TAGS_MATCH | SIFT_T(ZONE),
                                                   "sl",
                                                   0,
                                                   0,
                                                   validate_currentdate,
                                                   exec_currentdate};
