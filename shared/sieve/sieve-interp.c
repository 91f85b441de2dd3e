/* SPDX-License-Identifier: MIT */
/* The Sieve interpreter: walks the compiled program over one message.
   Everything a run changes lives in struct sift_run; the program is only
   read, so one program serves many threads.  A runtime error stops the
   script, keeps the actions decided so far for the report and falls back
   to the implicit keep (RFC 5228 2.10.6).  Time is bounded by the CPU
   limit checked between commands and tests, and by the regex limits. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/str.h"
#include "mail/rfc5322-address.h"
#include "sieve/ext.h"

int
sift_run_error(struct sift_run *run, const struct sift_sieve_node *unused, unsigned int line,
               const char *fmt, ...)
{
	(void)unused;
	if (run->failed)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(run->error, sizeof(run->error), fmt, ap);
	va_end(ap);
	run->error_line = line;
	run->failed = true;
	return -1;
}

void
sift_run_trace(struct sift_run *run, const struct sift_node *node, const char *extracted,
               size_t extracted_len, const char *key, size_t key_len, int outcome)
{
	if (run->params->trace == NULL)
		return;
	static const char *const match_names[] = {"is", "contains", "matches", "regex"};
	/* :value and :count show their relation: "value ge". */
	static const char *const rel_names[2][6] = {
	    {"value gt", "value ge", "value lt", "value le", "value eq", "value ne"},
	    {"count gt", "count ge", "count lt", "count le", "count eq", "count ne"},
	};
	const char *match = NULL;
	if (node->keys != NULL)
		match = node->match == SIFT_MATCH_VALUE   ? rel_names[0][node->rel]
		        : node->match == SIFT_MATCH_COUNT ? rel_names[1][node->rel]
		                                          : match_names[node->match];
	struct sift_sieve_trace_event ev = {
	    .line = node->line,
	    .column = node->column,
	    .test = node->def->name,
	    .extracted = extracted != NULL ? extracted : "",
	    .extracted_len = extracted != NULL ? extracted_len : 0,
	    .key = key,
	    .key_len = key_len,
	    .match = match,
	    .outcome = outcome,
	    .is_action = node->def->kind == SIFT_CMD_COMMAND,
	    .no_value = extracted == NULL && key == NULL && outcome == 0 && node->keys != NULL,
	};
	run->params->trace(run->params->trace_context, &ev);
}

void
sift_run_matched_line(struct sift_run *run, unsigned int line)
{
	struct sift_sieve_result *res = run->result;
	if (res->nmatched_lines > 0 && res->matched_lines[res->nmatched_lines - 1] == line)
		return;
	for (size_t i = 0; i < res->nmatched_lines; i++) {
		if (res->matched_lines[i] == line)
			return;
	}
	if (res->nmatched_lines == run->matched_alloc) {
		size_t n = run->matched_alloc == 0 ? 16 : run->matched_alloc * 2;
		unsigned int *arr = sift_arena_alloc(run->arena, n * sizeof(*arr));
		if (res->nmatched_lines > 0)
			memcpy(arr, res->matched_lines, res->nmatched_lines * sizeof(*arr));
		res->matched_lines = arr;
		run->matched_alloc = n;
	}
	res->matched_lines[res->nmatched_lines++] = line;
}

const char *
sift_run_expand(struct sift_run *run, const struct sift_sval *sval, size_t *len_r)
{
	if (sval->pieces == NULL) {
		*len_r = sval->len;
		return sval->data;
	}
	size_t total = 0;
	for (size_t i = 0; i < sval->npieces; i++) {
		const struct sift_sval_piece *p = &sval->pieces[i];
		if (p->kind == SIFT_PIECE_LITERAL)
			total += p->len;
		else if (p->kind == SIFT_PIECE_VAR)
			total += run->vars[p->index].len;
		else if (p->index < run->match_vars.count)
			total += run->match_vars.len[p->index];
		if (p->kind == SIFT_PIECE_MATCH && run->explore != NULL &&
		    run->explore->match_vars_unknown)
			run->explore->undecidable = true;
	}
	char *out = sift_arena_alloc(run->scratch, total + 1);
	size_t o = 0;
	for (size_t i = 0; i < sval->npieces; i++) {
		const struct sift_sval_piece *p = &sval->pieces[i];
		const char *d = NULL;
		size_t l = 0;
		if (p->kind == SIFT_PIECE_LITERAL) {
			d = p->data;
			l = p->len;
		} else if (p->kind == SIFT_PIECE_VAR) {
			d = run->vars[p->index].data;
			l = run->vars[p->index].len;
		} else if (p->index < run->match_vars.count) {
			d = run->match_vars.value[p->index];
			l = run->match_vars.len[p->index];
		}
		if (l > 0) {
			memcpy(out + o, d, l);
			o += l;
		}
	}
	out[o] = '\0';
	*len_r = o;
	return out;
}

/* ---- matching ---- */

void
sift_matcher_init(struct sift_matcher *m, struct sift_run *run, const struct sift_node *node)
{
	memset(m, 0, sizeof(*m));
	m->run = run;
	m->node = node;
}

static void
trace_value(struct sift_matcher *m, const char *value, size_t len, const char *key, size_t key_len,
            int outcome)
{
	if (m->run->params->trace != NULL)
		sift_run_trace(m->run, m->node, value, len, key, key_len, outcome);
}

bool
sift_matcher_value(struct sift_matcher *m, const char *value, size_t len)
{
	struct sift_run *run = m->run;
	const struct sift_node *node = m->node;
	m->count++;
	if (node->match == SIFT_MATCH_COUNT || m->result != 0)
		return m->result != 0;
	const struct sift_slist *keys = node->keys;
	for (size_t i = 0; i < keys->count; i++) {
		const struct sift_sval *k = &keys->items[i];
		struct sift_match_key dyn;
		const struct sift_match_key *key = &k->key;
		if (!k->key_ready) {
			size_t klen;
			const char *text = sift_run_expand(run, k, &klen);
			const char *error = NULL;
			if (sift_match_key_prepare(run->scratch, node->cmp, node->match, text, klen,
			                           &dyn, &error) < 0) {
				m->result = sift_run_error(
				    run, NULL, k->line, "%s (key \"%s\")",
				    error != NULL ? error : "invalid regular expression", text);
				return true;
			}
			key = &dyn;
		}
		const char *error = NULL;
		enum sift_match_outcome out =
		    sift_match_value(run->mscratch, node->cmp, node->match, node->rel, key, value,
		                     len, &run->match_vars, &error);
		if (!k->key_ready)
			sift_match_key_free(&dyn);
		if (out == SIFT_MATCH_ERROR) {
			/* Steps or memory of a regex match ran out. */
			if (!run->failed)
				run->error_limit = true;
			m->result = sift_run_error(run, NULL, node->line, "%s",
			                           error != NULL ? error : "match failed");
			return true;
		}
		if (out == SIFT_MATCH_YES) {
			trace_value(m, value, len, key->text, key->len, 1);
			m->result = 1;
			return true;
		}
	}
	trace_value(m, value, len, NULL, 0, 0);
	return false;
}

int
sift_matcher_finish(struct sift_matcher *m)
{
	if (m->result == 0 && m->count == 0 && m->node->match != SIFT_MATCH_COUNT)
		trace_value(m, NULL, 0, NULL, 0, 0);
	if (m->result != 0 || m->node->match != SIFT_MATCH_COUNT)
		return m->result;
	struct sift_run *run = m->run;
	const struct sift_node *node = m->node;
	char num[32];
	int nlen = snprintf(num, sizeof(num), "%zu", m->count);
	for (size_t i = 0; i < node->keys->count; i++) {
		size_t klen;
		const char *key = sift_run_expand(run, &node->keys->items[i], &klen);
		int c = sift_cmp_order(node->cmp, num, (size_t)nlen, key, klen);
		bool ok = false;
		switch (node->rel) {
		case SIFT_REL_GT:
			ok = c > 0;
			break;
		case SIFT_REL_GE:
			ok = c >= 0;
			break;
		case SIFT_REL_LT:
			ok = c < 0;
			break;
		case SIFT_REL_LE:
			ok = c <= 0;
			break;
		case SIFT_REL_EQ:
			ok = c == 0;
			break;
		case SIFT_REL_NE:
			ok = c != 0;
			break;
		}
		if (ok) {
			trace_value(m, num, (size_t)nlen, key, klen, 1);
			return 1;
		}
	}
	trace_value(m, num, (size_t)nlen, NULL, 0, 0);
	return 0;
}

/* ---- addresses ---- */

const char *
sift_address_part(struct sift_run *run, enum sift_tag part, const char *local, size_t local_len,
                  const char *domain, size_t domain_len, size_t *len_r)
{
	switch (part) {
	case SIFT_TAG_LOCALPART:
		*len_r = local_len;
		return local;
	case SIFT_TAG_DOMAIN:
		if (domain == NULL)
			return NULL;
		*len_r = domain_len;
		return domain;
	case SIFT_TAG_USER:
	case SIFT_TAG_DETAIL: {
		const char *user, *detail;
		size_t ulen, dlen;
		sift_address_subaddress(local, local_len, "+", &user, &ulen, &detail, &dlen);
		if (part == SIFT_TAG_USER) {
			*len_r = ulen;
			return user;
		}
		if (detail == NULL)
			return NULL;
		*len_r = dlen;
		return detail;
	}
	default: {
		size_t n = local_len + (domain != NULL ? 1 + domain_len : 0);
		char *all = sift_arena_alloc(run->scratch, n + 1);
		memcpy(all, local, local_len);
		if (domain != NULL) {
			all[local_len] = '@';
			memcpy(all + local_len + 1, domain, domain_len);
		}
		all[n] = '\0';
		*len_r = n;
		return all;
	}
	}
}

/* ---- headers as tests see them ---- */

struct sift_header_list *
sift_run_headers(struct sift_run *run)
{
	if (run->headers != NULL)
		return run->headers;
	if (run->msg == NULL) {
		/* An envelope-only run: no header is known; editheader works on
		   an empty list. */
		return sift_arena_zalloc(run->arena, sizeof(struct sift_header_list));
	}
	return &sift_message_root(run->msg)->headers;
}

/* ---- header fields ---- */

bool
sift_index_selects(const struct sift_node *node, size_t pos, size_t total)
{
	if (!(node->tags & SIFT_T(INDEX)))
		return true;
	uint64_t idx = node->tag_number[SIFT_TAG_INDEX];
	if (node->tags & SIFT_T(LAST))
		return idx <= total && pos == total - idx;
	return pos == idx - 1;
}

void
sift_run_fields(struct sift_run *run, const struct sift_node *node, const struct sift_slist *names,
                struct sift_matcher *m, sift_field_fn *fn)
{
	struct sift_header_list *headers = sift_run_headers(run);
	for (size_t i = 0; i < names->count; i++) {
		size_t nlen;
		const char *name = sift_run_expand(run, &names->items[i], &nlen);
		size_t total = 0;
		if (node->tags & SIFT_T(INDEX)) {
			for (const struct sift_header *h = headers->first; h != NULL; h = h->next)
				total += sift_mem_eq_ci_len(h->name, h->name_len, name, nlen);
		}
		size_t pos = 0;
		for (struct sift_header *h = headers->first; h != NULL; h = h->next) {
			if (!sift_mem_eq_ci_len(h->name, h->name_len, name, nlen) ||
			    !sift_index_selects(node, pos++, total))
				continue;
			if (fn(run, m, h))
				return;
		}
	}
}

/* ---- execution ---- */

/* The run-time limit is measured on the monotonic clock: it bounds the
   CPU time from above, and reading it costs no system call, so it can be
   checked before every command and test. */
static uint64_t
cpu_now_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct sift_sieve_scratch {
	struct sift_match_scratch *match;
	struct sift_match_limits limits;
};

struct sift_sieve_scratch *
sift_sieve_scratch_create(void)
{
	return sift_calloc(1, sizeof(struct sift_sieve_scratch));
}

void
sift_sieve_scratch_destroy(struct sift_sieve_scratch **scratch)
{
	if (*scratch == NULL)
		return;
	sift_match_scratch_destroy(&(*scratch)->match);
	sift_free(*scratch);
	*scratch = NULL;
}

/* The match scratch for a run: the host's, made again only when the
   limits changed, or one of the run's own. */
static struct sift_match_scratch *
match_scratch(struct sift_sieve_scratch *host, const struct sift_match_limits *limits)
{
	if (host == NULL)
		return sift_match_scratch_create(limits);
	if (host->match == NULL || memcmp(&host->limits, limits, sizeof(*limits)) != 0) {
		sift_match_scratch_destroy(&host->match);
		host->match = sift_match_scratch_create(limits);
		host->limits = *limits;
	}
	return host->match;
}

int
sift_run_check_cpu(struct sift_run *run, const struct sift_node *node, bool now)
{
	(void)now;
	if (run->cpu_deadline_ns == 0)
		return 0;
	if (cpu_now_ns() > run->cpu_deadline_ns) {
		if (!run->failed)
			run->error_limit = true;
		return sift_run_error(
		    run, NULL, node->line, "time limit exceeded (%llu ms)",
		    (unsigned long long)sift_limit(run->limits, SIFT_LIMIT_CPU_TIME));
	}
	return 0;
}

/* Tests that look at the message: unknown in an envelope-only run. */
static bool
needs_message(const struct sift_cmd_def *def)
{
	return def == &sift_test_header || def == &sift_test_address ||
	       def == &sift_test_exists || def == &sift_test_size || def == &sift_test_body ||
	       def == &sift_test_date;
}

static unsigned int
node_needs(const struct sift_node *node)
{
	const struct sift_cmd_def *def = node->def;
	unsigned int needs = 0;
	if (def == &sift_test_body || def == &sift_test_size)
		needs |= SIFT_SIEVE_NEEDS_BODY;
	else if (needs_message(def) || def == &sift_cmd_deleteheader)
		needs |= SIFT_SIEVE_NEEDS_HEADER;
	/* Nesting is bounded by the script_nesting limit. */
	for (size_t i = 0; i < node->ntests; i++)
		needs |= node_needs(node->tests[i]);
	for (size_t i = 0; i < node->nblock; i++)
		needs |= node_needs(node->block[i]);
	return needs;
}

unsigned int
sift_sieve_program_needs(const struct sift_sieve_program *program)
{
	unsigned int needs = 0;
	for (size_t i = 0; i < program->ncommands; i++)
		needs |= node_needs(program->commands[i]);
	return needs;
}

static bool
node_has(const struct sift_node *node, const char *name)
{
	if (strcmp(node->def->name, name) == 0)
		return true;
	for (size_t i = 0; i < node->ntests; i++) {
		if (node_has(node->tests[i], name))
			return true;
	}
	for (size_t i = 0; i < node->nblock; i++) {
		if (node_has(node->block[i], name))
			return true;
	}
	return false;
}

static bool
node_reads_envelope(const struct sift_node *node, const char *part)
{
	if (node->def == &sift_test_envelope) {
		const struct sift_slist *l = node->pos[0];
		for (size_t i = 0; l != NULL && i < l->count; i++) {
			const struct sift_sval *v = &l->items[i];
			if (v->pieces != NULL || sift_mem_eq_ci_len(v->data, v->len, part, strlen(part)))
				return true;
		}
	}
	for (size_t i = 0; i < node->ntests; i++) {
		if (node_reads_envelope(node->tests[i], part))
			return true;
	}
	for (size_t i = 0; i < node->nblock; i++) {
		if (node_reads_envelope(node->block[i], part))
			return true;
	}
	return false;
}

bool
sift_sieve_program_reads_envelope(const struct sift_sieve_program *program, const char *part)
{
	for (size_t i = 0; i < program->ncommands; i++) {
		if (node_reads_envelope(program->commands[i], part))
			return true;
	}
	return false;
}

bool
sift_sieve_program_has(const struct sift_sieve_program *program, const char *name)
{
	for (size_t i = 0; i < program->ncommands; i++) {
		if (node_has(program->commands[i], name))
			return true;
	}
	return false;
}

int
sift_run_test(struct sift_run *run, const struct sift_node *node)
{
	if (sift_run_check_cpu(run, node, false) < 0)
		return -1;
	if (run->explore != NULL && needs_message(node->def)) {
		/* A match the test might have made is not known either. */
		run->explore->match_vars_unknown = true;
		return SIFT_TEST_UNKNOWN;
	}
	int r = node->def->exec(run, node);
	if (r == 1)
		sift_run_matched_line(run, node->line);
	return r;
}

/* Which way an `if` on an unknown condition goes on this path: the
   recorded choice, or false the first time (the explorer flips it to
   true on a later path). */
static bool
explore_choose(struct sift_explore *ex)
{
	if (ex->pos < ex->nchoices)
		return ex->choices[ex->pos++];
	if (ex->nchoices == ex->alloc) {
		ex->alloc = ex->alloc == 0 ? 16 : ex->alloc * 2;
		ex->choices = sift_realloc(ex->choices, ex->alloc * sizeof(*ex->choices));
	}
	ex->choices[ex->nchoices++] = false;
	ex->pos++;
	return false;
}

static int exec_block(struct sift_run *run, struct sift_node *const *nodes, size_t n);

static int
exec_block(struct sift_run *run, struct sift_node *const *nodes, size_t n)
{
	bool chain_done = false;
	for (size_t i = 0; i < n; i++) {
		const struct sift_node *node = nodes[i];
		const struct sift_cmd_def *def = node->def;
		if (sift_run_check_cpu(run, node, false) < 0)
			return -1;
		if (def == &sift_cmd_if || def == &sift_cmd_elsif || def == &sift_cmd_else) {
			if (def == &sift_cmd_if)
				chain_done = false;
			if (chain_done)
				continue;
			if (def != &sift_cmd_else) {
				int t = sift_run_test(run, node->tests[0]);
				if (t < 0)
					return -1;
				if (t == SIFT_TEST_UNKNOWN)
					t = explore_choose(run->explore);
				if (t == 0)
					continue;
			}
			chain_done = true;
			int r = exec_block(run, node->block, node->nblock);
			if (r != 0)
				return r;
			continue;
		}
		int r = def->exec(run, node);
		if (r < 0)
			return -1;
		if (def->kind == SIFT_CMD_COMMAND && def != &sift_cmd_require)
			sift_run_matched_line(run, node->line);
		if (r > 0)
			return 1;
	}
	return 0;
}

const char **
sift_run_flags_array(struct sift_run *run, const char *flags, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		while (i < len && flags[i] == ' ')
			i++;
		if (i >= len)
			break;
		n++;
		while (i < len && flags[i] != ' ')
			i++;
	}
	const char **arr = sift_arena_alloc(run->arena, (n + 1) * sizeof(*arr));
	n = 0;
	for (size_t i = 0; i < len;) {
		while (i < len && flags[i] == ' ')
			i++;
		if (i >= len)
			break;
		size_t s = i;
		while (i < len && flags[i] != ' ')
			i++;
		arr[n++] = sift_arena_memdup0(run->arena, flags + s, i - s);
	}
	arr[n] = NULL;
	return arr;
}

/* A shallow copy of a header list in the run's arena: the fields stay
   where they are, the links are the run's own, so editheader can change
   the list without touching the one it came from. */
struct sift_header_list *
sift_header_list_copy(struct sift_arena *arena, const struct sift_header_list *orig)
{
	struct sift_header_list *copy = sift_arena_zalloc(arena, sizeof(*copy));
	for (const struct sift_header *h = orig->first; h != NULL; h = h->next) {
		struct sift_header *n = sift_arena_alloc(arena, sizeof(*n));
		*n = *h;
		n->next = NULL;
		if (copy->last != NULL)
			copy->last->next = n;
		else
			copy->first = n;
		copy->last = n;
		copy->count++;
	}
	return copy;
}

static void
run_program(const struct sift_sieve_program *program, const struct sift_sieve_run_params *params,
            struct sift_explore *explore, struct sift_sieve_result **result_r)
{
	struct sift_arena *arena = sift_arena_create(0);
	struct sift_sieve_result *res = sift_arena_zalloc(arena, sizeof(*res));
	res->arena = arena;
	struct sift_run run = {
	    .program = program,
	    .params = params,
	    .limits = params->limits != NULL ? params->limits : &program->limits,
	    .msg = params->msg,
	    .arena = arena,
	    .scratch = sift_arena_create(0),
	    .result = res,
	    .explore = explore,
	};
	struct sift_match_limits mlimits = {
	    .regex_match_limit = (uint32_t)sift_limit(run.limits, SIFT_LIMIT_REGEX_MATCH),
	    .regex_depth_limit = (uint32_t)sift_limit(run.limits, SIFT_LIMIT_REGEX_DEPTH),
	};
	run.mscratch = match_scratch(params->scratch, &mlimits);
	run.match_vars.want = program->ext_used[SIFT_EXT_VARIABLES];
	if (program->nvars > 0)
		run.vars = sift_calloc(program->nvars, sizeof(*run.vars));
	uint64_t cpu_ms = sift_limit(run.limits, SIFT_LIMIT_CPU_TIME);
	if (cpu_ms > 0)
		run.cpu_deadline_ns = cpu_now_ns() + cpu_ms * 1000000u;

	if (params->headers != NULL)
		run.headers = sift_header_list_copy(arena, params->headers);
	if (params->flags != NULL && params->flags[0] != '\0') {
		run.flags.len = strlen(params->flags);
		run.flags.cap = run.flags.len + 1;
		run.flags.data = sift_memdup0(params->flags, run.flags.len);
	}

	bool stopped = exec_block(&run, program->commands, program->ncommands) > 0;

	if (run.failed) {
		res->failed = true;
		res->error = sift_arena_strdup(arena, run.error);
		res->error_line = run.error_line;
		res->limit_exceeded = run.error_limit;
		res->implicit_keep = true;
	} else {
		res->implicit_keep = sift_result_keeps(res);
		res->stopped = stopped;
	}
	if (program->ext_used[SIFT_EXT_IMAP4FLAGS] && !run.failed) {
		res->implicit_keep_flags =
		    sift_run_flags_array(&run, run.flags.data, run.flags.len);
		res->implicit_keep_has_flags = true;
	}
	if (run.headers != NULL) {
		res->edited_headers = run.headers;
		res->headers_edited = true;
	}
	for (size_t i = 0; i < program->nvars; i++)
		sift_free(run.vars[i].data);
	sift_free(run.vars);
	sift_free(run.flags.data);
	sift_match_vars_clear(&run.match_vars);
	sift_body_cache_release(run.body_cache);
	if (params->scratch == NULL)
		sift_match_scratch_destroy(&run.mscratch);
	sift_arena_destroy(&run.scratch);
	*result_r = res;
}

int
sift_sieve_run(const struct sift_sieve_program *program, const struct sift_sieve_run_params *params,
               struct sift_sieve_result **result_r, const char **error_r)
{
	(void)error_r;
	run_program(program, params, NULL, result_r);
	return 0;
}

/* Paths are enumerated by running the program again with a longer or
   changed list of choices, depth first: after each run the last choice
   that went false is made true and the ones after it are forgotten.  A
   run keeps no state between paths, so nothing has to be copied. */
int
sift_sieve_explore(const struct sift_sieve_program *program,
                   const struct sift_sieve_run_params *params, unsigned int max_paths,
                   sift_sieve_outcome_cb *cb, void *context, const char **error_r)
{
	struct sift_explore ex = {0};
	int paths = 0, ret;
	for (;;) {
		if ((unsigned int)paths >= max_paths) {
			*error_r = "too many ways the unknown tests could go";
			ret = -1;
			break;
		}
		ex.pos = 0;
		ex.match_vars_unknown = false;
		ex.undecidable = false;
		struct sift_sieve_result *res;
		run_program(program, params, &ex, &res);
		paths++;
		if (ex.undecidable) {
			sift_sieve_result_free(&res);
			*error_r = "a string depends on what an unknown test matched";
			ret = -1;
			break;
		}
		bool go_on = cb(context, res);
		sift_sieve_result_free(&res);
		if (!go_on) {
			ret = 0;
			break;
		}
		ex.nchoices = ex.pos;
		while (ex.nchoices > 0 && ex.choices[ex.nchoices - 1])
			ex.nchoices--;
		if (ex.nchoices == 0) {
			ret = paths;
			break;
		}
		ex.choices[ex.nchoices - 1] = true;
	}
	sift_free(ex.choices);
	return ret;
}

void
sift_sieve_result_free(struct sift_sieve_result **result)
{
	if (*result == NULL)
		return;
	struct sift_arena *arena = (*result)->arena;
	*result = NULL;
	sift_arena_destroy(&arena);
}
