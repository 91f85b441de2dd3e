/* SPDX-License-Identifier: MIT */
/* Deciding what the MTA does with a message: per recipient, the Sieve
   result becomes a verdict and effects; the recipients' results are then
   merged into one plan for the one queued copy, as DESIGN.md says:
   tempfail or quarantine from any recipient apply to the whole message,
   header edits only when every accepting recipient asks for the same
   ones, refusals of some recipients become a DSN, and all refusing
   refuses the message.  Nothing here talks to libmilter, so it is tested
   without an MTA.  Bad input cannot reach this far unbounded: recipient
   count, header count and result sizes are capped upstream. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "util/alloc.h"
#include "util/str.h"
#include "mail/delivery-hint.h"
#include "mail/header.h"
#include "mail/message-parser.h"
#include "milter.h"

/* Envelope-only outcomes explored at RCPT TO, at most. */
#define MILTER_EARLY_MAX_PATHS 64

enum milter_verdict
milter_verdict_of(const struct sift_sieve_result *res, const char **text_r, size_t *text_len_r)
{
	*text_r = NULL;
	*text_len_r = 0;
	if (res->failed) {
		*text_r = res->error;
		*text_len_r = res->error != NULL ? strlen(res->error) : 0;
		return MILTER_V_ERROR;
	}
	bool delivered = res->implicit_keep;
	const struct sift_sieve_action *refuse = NULL;
	for (size_t i = 0; i < res->nactions; i++) {
		const struct sift_sieve_action *a = &res->actions[i];
		switch (a->type) {
		case SIFT_SIEVE_ACT_TEMPFAIL:
			*text_r = a->arg;
			*text_len_r = a->arg_len;
			return MILTER_V_TEMPFAIL;
		case SIFT_SIEVE_ACT_REJECT:
		case SIFT_SIEVE_ACT_EREJECT:
			refuse = a;
			break;
		case SIFT_SIEVE_ACT_KEEP:
		case SIFT_SIEVE_ACT_FILEINTO:
		case SIFT_SIEVE_ACT_REDIRECT:
			delivered = true;
			break;
		default:
			break;
		}
	}
	if (refuse != NULL) {
		*text_r = refuse->arg;
		*text_len_r = refuse->arg_len;
		return MILTER_V_REFUSE;
	}
	return delivered ? MILTER_V_ACCEPT : MILTER_V_DISCARD;
}

/* ---- RCPT TO ---- */

struct early {
	enum milter_verdict verdict;
	char *text;
	size_t text_len;
	bool first;
	bool agree;
};

static bool
early_outcome(void *context, const struct sift_sieve_result *res)
{
	struct early *e = context;
	const char *text;
	size_t len;
	enum milter_verdict v = milter_verdict_of(res, &text, &len);
	/* Only ereject refuses one recipient by itself; reject depends on
	   the other recipients (DESIGN.md). */
	if (v == MILTER_V_REFUSE) {
		for (size_t i = 0; i < res->nactions; i++) {
			if (res->actions[i].type == SIFT_SIEVE_ACT_REJECT)
				v = MILTER_V_ACCEPT;
		}
	}
	if (v != MILTER_V_REFUSE && v != MILTER_V_TEMPFAIL) {
		e->agree = false;
		return false;
	}
	if (e->first) {
		e->first = false;
		e->verdict = v;
		e->text = sift_memdup0(text != NULL ? text : "", len);
		e->text_len = len;
		return true;
	}
	/* Refused (or deferred) whatever the message says: that is the
	   decision; the reply gives the text of the first way, where every
	   test on the message is false. */
	if (v != e->verdict) {
		e->agree = false;
		return false;
	}
	return true;
}

enum milter_verdict
milter_decide_early(const struct sift_sieve_program *prog,
                    const struct sift_sieve_run_params *params, char **text_r)
{
	struct early e = {.first = true, .agree = true};
	const char *error;
	*text_r = NULL;
	int n = sift_sieve_explore(prog, params, MILTER_EARLY_MAX_PATHS, early_outcome, &e, &error);
	if (n <= 0 || !e.agree) {
		sift_free(e.text);
		return MILTER_V_ACCEPT;
	}
	*text_r = e.text;
	return e.verdict;
}

/* ---- reply texts ---- */

char *
milter_reply_text(const char *text, size_t len, size_t max)
{
	struct sift_buf out;
	sift_buf_init(&out, 0);
	if (max < 16)
		max = 16;
	size_t line_start = 0, last_space = 0;
	bool space = true; /* drop leading and repeated white space */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
			if (space)
				continue;
			c = ' ';
			space = true;
		} else {
			space = false;
			if (c < 32 || c >= 127)
				c = '?';
		}
		if (c == ' ')
			last_space = out.len;
		if (c == '%')
			sift_buf_append_c(&out, '%');
		sift_buf_append_c(&out, (char)c);
		if (out.len - line_start > max) {
			/* Break at the last space of the line, else hard. */
			if (last_space > line_start) {
				out.data[last_space] = '\n';
				line_start = last_space + 1;
			} else {
				char carry = out.data[out.len - 1];
				out.data[out.len - 1] = '\n';
				line_start = out.len;
				sift_buf_append_c(&out, carry);
			}
		}
	}
	while (out.len > 0 && (out.data[out.len - 1] == ' ' || out.data[out.len - 1] == '\n'))
		out.len--;
	/* A lone '%' cut from its double at a break would be formatted. */
	if (out.len > 0 && out.data[out.len - 1] == '%' &&
	    (out.len < 2 || out.data[out.len - 2] != '%'))
		sift_buf_append_c(&out, '%');
	sift_buf_append_c(&out, '\0');
	size_t n;
	return sift_buf_steal(&out, &n);
}

/* ---- the plan ---- */

struct rcpt_eval {
	const struct milter_rcpt *rcpt;
	struct sift_sieve_result *res;
	enum milter_verdict verdict;
	const char *text;
	size_t text_len;
	bool local;   /* delivered to the recipient's own mailbox */
	size_t group; /* index of the first recipient with the same result */
	struct sift_buf edits; /* signature of its header edits */
};

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return sift_strdup(line);
}

static void plan_log(struct milter_plan *plan, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
plan_log(struct milter_plan *plan, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	plan->log = sift_realloc(plan->log, (plan->nlog + 1) * sizeof(*plan->log));
	plan->log[plan->nlog++] = sift_strdup(line);
}

static void
add_string(char ***arr, size_t *n, const char *s, size_t len)
{
	*arr = sift_realloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[(*n)++] = sift_memdup0(s, len);
}

static bool
has_string_ci(char *const *arr, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (sift_mem_eq_ci_len(arr[i], strlen(arr[i]), s, len))
			return true;
	}
	return false;
}

static void
add_hdr_op(struct milter_plan *plan, enum milter_hdr_op_kind kind, const char *name,
           size_t name_len, const char *value, size_t value_len, unsigned int index)
{
	plan->hdr_ops = sift_realloc(plan->hdr_ops, (plan->nhdr_ops + 1) * sizeof(*plan->hdr_ops));
	struct milter_hdr_op *op = &plan->hdr_ops[plan->nhdr_ops++];
	op->kind = kind;
	op->name = sift_memdup0(name, name_len);
	op->value = value != NULL ? sift_memdup0(value, value_len) : NULL;
	op->index = index;
}

/* A description of a result's effects, equal for equal results: used to
   group recipients and to compare header edits. */
static void
result_signature(const struct rcpt_eval *ev, struct sift_buf *sig, struct sift_buf *edits)
{
	const struct sift_sieve_result *res = ev->res;
	sift_buf_printf(sig, "%d|%d|", ev->verdict, res->implicit_keep);
	if (ev->text != NULL)
		sift_buf_append(sig, ev->text, ev->text_len);
	for (size_t i = 0; i < res->nactions; i++) {
		const struct sift_sieve_action *a = &res->actions[i];
		struct sift_buf *b =
		    a->type == SIFT_SIEVE_ACT_ADDHEADER || a->type == SIFT_SIEVE_ACT_DELETEHEADER
		        ? edits
		        : sig;
		sift_buf_printf(b, "|%d:%d%d:", a->type, a->copy, a->last);
		if (a->arg != NULL)
			sift_buf_append(b, a->arg, a->arg_len);
		sift_buf_append_c(b, '=');
		if (a->value != NULL)
			sift_buf_append(b, a->value, a->value_len);
		for (const char **f = a->flags; f != NULL && *f != NULL; f++)
			sift_buf_printf(b, " %s", *f);
	}
	for (const char **f = res->implicit_keep_flags; f != NULL && *f != NULL; f++)
		sift_buf_printf(sig, " %s", *f);
	sift_buf_append(sig, edits->data, edits->len);
}

static const char *
verdict_name(enum milter_verdict v)
{
	static const char *const names[] = {"accept", "discard", "refuse", "tempfail", "error"};
	return names[v];
}

/* The Message-ID as the hint's MAC covers it, or NULL. */
static const char *
message_id(struct sift_message *msg, size_t *len_r)
{
	struct sift_header *h =
	    sift_header_find(&sift_message_root(msg)->headers, "message-id", NULL);
	if (h == NULL)
		return NULL;
	return sift_header_unfolded(sift_message_arena(msg), h, len_r);
}

/* Joins a NULL-terminated flag array with spaces (arena of the result). */
static void
join_flags(struct sift_buf *out, const char **flags)
{
	for (const char **f = flags; f != NULL && *f != NULL; f++) {
		if (out->len > 0)
			sift_buf_append_c(out, ' ');
		sift_buf_append_str(out, *f);
	}
}

/* Delivery hints of one accepting recipient: one per store (fileinto,
   or a keep with flags).  Without a key they are logged as ignored. */
static void
plan_hints(const struct milter_decide_input *in, const struct rcpt_eval *ev,
           struct milter_plan *plan, const char *mid, size_t mid_len, bool *need_mid)
{
	const struct milter_program *prog = in->prog;
	const struct sift_sieve_result *res = ev->res;
	struct sift_buf flags, value;
	sift_buf_init(&flags, 0);
	sift_buf_init(&value, 0);
	for (size_t i = 0; i <= res->nactions; i++) {
		const char *folder = NULL;
		size_t folder_len = 0;
		const char **fl;
		bool has_flags;
		if (i < res->nactions) {
			const struct sift_sieve_action *a = &res->actions[i];
			if (a->type != SIFT_SIEVE_ACT_FILEINTO && a->type != SIFT_SIEVE_ACT_KEEP)
				continue;
			if (a->type == SIFT_SIEVE_ACT_FILEINTO) {
				folder = a->arg;
				folder_len = a->arg_len;
			}
			fl = a->flags;
			has_flags = a->has_flags && a->flags != NULL && a->flags[0] != NULL;
		} else {
			if (!res->implicit_keep)
				break;
			fl = res->implicit_keep_flags;
			has_flags = res->implicit_keep_has_flags && fl != NULL && fl[0] != NULL;
		}
		if (folder == NULL && !has_flags)
			continue;
		if (prog->hint_key == NULL) {
			plan_log(plan, "<%s>: %s%.*s ignored: no hint_key_file, delivered to INBOX",
			         ev->rcpt->addr, folder != NULL ? "fileinto " : "flags",
			         (int)(folder != NULL ? folder_len : 0), folder != NULL ? folder : "");
			continue;
		}
		sift_buf_reset(&flags);
		if (has_flags)
			join_flags(&flags, fl);
		struct sift_hint hint = {
		    .rcpt = ev->rcpt->addr,
		    .rcpt_len = strlen(ev->rcpt->addr),
		    .t = in->now,
		    .folder = folder,
		    .folder_len = folder_len,
		    .flags = flags.len > 0 ? flags.data : NULL,
		    .flags_len = flags.len,
		};
		sift_buf_reset(&value);
		if (mid == NULL)
			*need_mid = true;
		if (sift_hint_build(&hint, mid != NULL ? mid : "", mid_len, prog->hint_key,
		                    prog->hint_key_len, &value) < 0) {
			plan_log(plan, "<%s>: cannot write a delivery hint for it", ev->rcpt->addr);
			continue;
		}
		add_hdr_op(plan, MILTER_HDR_ADD, SIFT_HINT_FIELD, strlen(SIFT_HINT_FIELD),
		           value.data, value.len, 0);
	}
	sift_buf_free(&flags);
	sift_buf_free(&value);
}

/* Header edits: the difference between the message's header and the
   edited one the result holds.  Deletions are numbered among the fields
   of the same name, applied from the last so the numbers stay right;
   additions before the first kept field go on top, the others at the
   end.  Incoming Mailsift-Hint fields are always deleted. */
static void
plan_header_edits(struct sift_message *msg, const struct sift_sieve_result *res,
                  struct milter_plan *plan)
{
	const struct sift_header_list *orig = &sift_message_root(msg)->headers;
	size_t n = orig->count;
	bool *keep = sift_calloc(n + 1, sizeof(*keep));
	const struct sift_header **fields = sift_calloc(n + 1, sizeof(*fields));
	size_t i = 0;
	for (const struct sift_header *h = orig->first; h != NULL && i < n; h = h->next)
		fields[i++] = h;
	n = i;
	size_t top = 0;
	bool seen_kept = false;
	if (res != NULL && res->headers_edited) {
		for (const struct sift_header *e = res->edited_headers->first; e != NULL;
		     e = e->next) {
			size_t j;
			for (j = 0; j < n; j++) {
				if (fields[j]->raw == e->raw && fields[j]->name == e->name)
					break;
			}
			if (j < n) {
				keep[j] = true;
				seen_kept = true;
			} else if (!seen_kept) {
				add_hdr_op(plan, MILTER_HDR_INSERT, e->name, e->name_len, e->raw,
				           e->raw_len, (unsigned int)top++);
			} else {
				add_hdr_op(plan, MILTER_HDR_ADD, e->name, e->name_len, e->raw,
				           e->raw_len, 0);
			}
		}
	} else {
		for (size_t j = 0; j < n; j++)
			keep[j] = true;
	}
	for (size_t j = 0; j < n; j++) {
		if (sift_mem_eq_ci_len(fields[j]->name, fields[j]->name_len, SIFT_HINT_FIELD,
		                       strlen(SIFT_HINT_FIELD)))
			keep[j] = false;
	}
	for (size_t j = n; j-- > 0;) {
		if (keep[j])
			continue;
		unsigned int idx = 0;
		for (size_t k = 0; k <= j; k++)
			idx += sift_mem_eq_ci_len(fields[k]->name, fields[k]->name_len,
			                          fields[j]->name, fields[j]->name_len);
		add_hdr_op(plan, MILTER_HDR_DELETE, fields[j]->name, fields[j]->name_len, NULL, 0,
		           idx);
	}
	sift_free(keep);
	sift_free(fields);
}

/* The address a redirect would loop to: the message already went
   through a redirect to it (a Mailsift-Redirected field names it). */
static bool
redirect_loops(struct sift_message *msg, const char *addr, size_t len)
{
	const struct sift_header_list *hl = &sift_message_root(msg)->headers;
	for (struct sift_header *h = sift_header_find(hl, "mailsift-redirected", NULL); h != NULL;
	     h = sift_header_find(hl, "mailsift-redirected", h)) {
		size_t vlen;
		const char *v = sift_header_unfolded(sift_message_arena(msg), h, &vlen);
		if (vlen >= 2 && v[0] == '<' && v[vlen - 1] == '>') {
			v++;
			vlen -= 2;
		}
		if (sift_mem_eq_ci_len(v, vlen, addr, len))
			return true;
	}
	return false;
}

static void
set_reply(struct milter_reply *dst, const struct milter_reply *conf, const char *text,
          size_t len)
{
	memcpy(dst->code, conf->code, sizeof(dst->code));
	memcpy(dst->xcode, conf->xcode, sizeof(dst->xcode));
	if (text != NULL && len > 0)
		dst->text = milter_reply_text(text, len, 400);
	else
		dst->text = milter_reply_text(conf->text, strlen(conf->text), 400);
}

int
milter_decide(const struct milter_decide_input *in, struct milter_plan *plan,
              const char **error_r)
{
	const struct milter_config *cfg = &in->prog->cfg;
	memset(plan, 0, sizeof(*plan));
	struct rcpt_eval *evs = sift_calloc(in->nrcpts + 1, sizeof(*evs));
	struct sift_buf *sigs = sift_calloc(in->nrcpts + 1, sizeof(*sigs));
	int ret = 0;

	/* Run per recipient, and group equal results. */
	for (size_t i = 0; i < in->nrcpts; i++) {
		struct rcpt_eval *ev = &evs[i];
		ev->rcpt = &in->rcpts[i];
		sift_buf_init(&ev->edits, 0);
		sift_buf_init(&sigs[i], 0);
		struct sift_sieve_run_params params = {
		    .msg = in->msg,
		    .scratch = in->scratch,
		    .envelope = {.from = in->sender,
		                 .to = ev->rcpt->addr,
		                 .orig_to = ev->rcpt->orcpt,
		                 .auth = in->auth},
		    .host = in->host,
		    .location = "MTA",
		    .phase = "pre",
		    .now = in->now,
		    .now_zone = in->now_zone,
		};
		if (sift_sieve_run(in->prog->sieve, &params, &ev->res, error_r) < 0) {
			ret = -1;
			goto out;
		}
		ev->verdict = milter_verdict_of(ev->res, &ev->text, &ev->text_len);
		if (ev->verdict == MILTER_V_ERROR && cfg->on_error == MILTER_ON_ERROR_ACCEPT) {
			plan_log(plan, "<%s>: runtime error at line %u: %s; accepted (on_error)",
			         ev->rcpt->addr, ev->res->error_line,
			         ev->res->error != NULL ? ev->res->error : "");
		}
		ev->local = ev->res->implicit_keep;
		for (size_t k = 0; k < ev->res->nactions; k++) {
			enum sift_sieve_action_type t = ev->res->actions[k].type;
			if (t == SIFT_SIEVE_ACT_KEEP || t == SIFT_SIEVE_ACT_FILEINTO)
				ev->local = true;
		}
		result_signature(ev, &sigs[i], &ev->edits);
		ev->group = i;
		for (size_t j = 0; j < i; j++) {
			if (sigs[j].len == sigs[i].len &&
			    memcmp(sigs[j].data, sigs[i].data, sigs[i].len) == 0) {
				ev->group = evs[j].group;
				break;
			}
		}
	}

	/* Log one line per group. */
	for (size_t i = 0; i < in->nrcpts; i++) {
		if (evs[i].group != i)
			continue;
		size_t count = 0;
		for (size_t j = i; j < in->nrcpts; j++)
			count += evs[j].group == i;
		char text[200];
		milter_log_safe(text, sizeof(text), evs[i].text != NULL ? evs[i].text : "",
		                evs[i].text_len);
		plan_log(plan, "<%s>%s%s: %s%s%s%s", evs[i].rcpt->addr,
		         count > 1 ? " and " : "", count > 1 ? "others" : "",
		         verdict_name(evs[i].verdict), evs[i].text != NULL ? " \"" : "", text,
		         evs[i].text != NULL ? "\"" : "");
	}

	/* Whole-message effects: quarantine, then tempfail and errors. */
	size_t refused = 0, accepted = 0;
	for (size_t i = 0; i < in->nrcpts; i++) {
		struct rcpt_eval *ev = &evs[i];
		if (ev->verdict == MILTER_V_ERROR && cfg->on_error == MILTER_ON_ERROR_ACCEPT) {
			/* As if the script said nothing: implicit keep. */
			ev->verdict = MILTER_V_ACCEPT;
			ev->local = true;
			sift_buf_reset(&ev->edits);
			sift_sieve_result_free(&ev->res);
			accepted++;
			continue;
		}
		if (plan->quarantine == NULL && !ev->res->failed) {
			for (size_t k = 0; k < ev->res->nactions; k++) {
				const struct sift_sieve_action *a = &ev->res->actions[k];
				if (a->type == SIFT_SIEVE_ACT_QUARANTINE) {
					plan->quarantine = milter_reply_text(
					    a->arg_len > 0 ? a->arg : "quarantined by rule",
					    a->arg_len > 0 ? a->arg_len : 19, 400);
					break;
				}
			}
		}
		if (ev->verdict == MILTER_V_TEMPFAIL && plan->outcome != MILTER_OUT_TEMPFAIL) {
			plan->outcome = MILTER_OUT_TEMPFAIL;
			set_reply(&plan->reply, &cfg->tempfail, ev->text, ev->text_len);
		}
		if (ev->verdict == MILTER_V_ERROR && plan->outcome != MILTER_OUT_TEMPFAIL) {
			plan->outcome = MILTER_OUT_TEMPFAIL;
			set_reply(&plan->reply, &cfg->error, NULL, 0);
			plan_log(plan, "<%s>: runtime error at line %u: %s; deferred (on_error)",
			         ev->rcpt->addr, ev->res->error_line,
			         ev->res->error != NULL ? ev->res->error : "");
		}
		refused += ev->verdict == MILTER_V_REFUSE;
		accepted += ev->verdict == MILTER_V_ACCEPT;
	}
	if (plan->outcome == MILTER_OUT_TEMPFAIL)
		goto out;
	if (in->nrcpts > 0 && refused == in->nrcpts) {
		plan->outcome = MILTER_OUT_REJECT;
		set_reply(&plan->reply, &cfg->reject, evs[0].text, evs[0].text_len);
		goto out;
	}

	/* Per recipient: removals, redirects, DSN entries. */
	for (size_t i = 0; i < in->nrcpts; i++) {
		struct rcpt_eval *ev = &evs[i];
		const char *addr = ev->rcpt->addr;
		if (ev->verdict == MILTER_V_REFUSE) {
			add_string(&plan->del_rcpts, &plan->ndel_rcpts, addr, strlen(addr));
			if (in->sender[0] == '\0') {
				plan_log(plan, "<%s>: refused; no DSN to the null sender", addr);
				continue;
			}
			plan->dsn =
			    sift_realloc(plan->dsn, (plan->ndsn + 1) * sizeof(*plan->dsn));
			struct milter_reply r;
			set_reply(&r, &cfg->reject, ev->text, ev->text_len);
			char *line = xprintf("%s %s %s", r.code, r.xcode, r.text);
			sift_free(r.text);
			/* The DSN wants the text as sent: undo the doubled '%'. */
			char *o = line;
			for (const char *p = line; *p != '\0'; p++) {
				if (*p == '%' && p[1] == '%')
					p++;
				*o++ = *p == '\n' ? ' ' : *p;
			}
			*o = '\0';
			plan->dsn[plan->ndsn++] = (struct milter_dsn_rcpt){
			    .addr = sift_strdup(addr),
			    .orcpt = ev->rcpt->orcpt != NULL ? sift_strdup(ev->rcpt->orcpt) : NULL,
			    .reply = line,
			};
			continue;
		}
		if (ev->verdict == MILTER_V_DISCARD) {
			add_string(&plan->del_rcpts, &plan->ndel_rcpts, addr, strlen(addr));
			continue;
		}
		if (ev->res == NULL)
			continue; /* an error accepted as implicit keep */
		bool kept_for_loop = false;
		for (size_t k = 0; k < ev->res->nactions; k++) {
			const struct sift_sieve_action *a = &ev->res->actions[k];
			if (a->type != SIFT_SIEVE_ACT_REDIRECT)
				continue;
			if (redirect_loops(in->msg, a->arg, a->arg_len)) {
				plan_log(plan, "<%s>: redirect to <%.*s> skipped: it loops; kept",
				         addr, (int)a->arg_len, a->arg);
				kept_for_loop = true;
				continue;
			}
			bool is_rcpt = false;
			for (size_t j = 0; j < in->nrcpts; j++)
				is_rcpt |= sift_mem_eq_ci_len(in->rcpts[j].addr,
				                              strlen(in->rcpts[j].addr), a->arg,
				                              a->arg_len) &&
				           evs[j].local;
			if (is_rcpt ||
			    has_string_ci(plan->add_rcpts, plan->nadd_rcpts, a->arg, a->arg_len))
				continue;
			add_string(&plan->add_rcpts, &plan->nadd_rcpts, a->arg, a->arg_len);
			char *v = xprintf("<%.*s>", (int)a->arg_len, a->arg);
			add_hdr_op(plan, MILTER_HDR_ADD, "Mailsift-Redirected", 19, v, strlen(v), 0);
			sift_free(v);
		}
		if (!ev->local && !kept_for_loop)
			add_string(&plan->del_rcpts, &plan->ndel_rcpts, addr, strlen(addr));
	}

	if (accepted == 0) {
		/* Nobody gets the message: discard it once the DSN is out. */
		plan->outcome = MILTER_OUT_DISCARD;
		goto out;
	}

	/* Header edits of the accepting recipients, when they all agree. */
	const struct rcpt_eval *first = NULL;
	bool agree = true;
	for (size_t i = 0; i < in->nrcpts; i++) {
		const struct rcpt_eval *ev = &evs[i];
		if (ev->verdict != MILTER_V_ACCEPT)
			continue;
		if (first == NULL) {
			first = ev;
		} else if (ev->edits.len != first->edits.len ||
		           (ev->edits.len > 0 &&
		            memcmp(ev->edits.data, first->edits.data, ev->edits.len) != 0)) {
			agree = false;
		}
	}
	if (!agree)
		plan_log(plan, "header edits not applied: the recipients' rules disagree");
	plan_header_edits(in->msg,
	                  agree && first != NULL && first->res != NULL ? first->res : NULL, plan);

	/* Delivery hints for the recipients that keep or file. */
	size_t mid_len = 0;
	const char *mid = message_id(in->msg, &mid_len);
	bool need_mid = false;
	char *made_mid = NULL;
	if (mid == NULL && in->prog->hint_key != NULL) {
		/* The hint's MAC covers the Message-ID: give the message one. */
		unsigned char rnd[8] = {0};
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			memcpy(rnd, &evs, sizeof(evs) < sizeof(rnd) ? sizeof(evs) : sizeof(rnd));
		made_mid = xprintf("<%lld.%02x%02x%02x%02x%02x%02x%02x%02x.mailsift@%s>",
		                   (long long)in->now, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
		                   rnd[5], rnd[6], rnd[7],
		                   in->host_name != NULL ? in->host_name : "localhost");
		mid = made_mid;
		mid_len = strlen(made_mid);
	}
	size_t ops_before = plan->nhdr_ops;
	for (size_t i = 0; i < in->nrcpts; i++) {
		if (evs[i].verdict == MILTER_V_ACCEPT && evs[i].res != NULL)
			plan_hints(in, &evs[i], plan, mid, mid_len, &need_mid);
	}
	if (made_mid != NULL && plan->nhdr_ops > ops_before)
		add_hdr_op(plan, MILTER_HDR_ADD, "Message-ID", 10, made_mid, strlen(made_mid), 0);
	sift_free(made_mid);

out:
	for (size_t i = 0; i < in->nrcpts; i++) {
		sift_sieve_result_free(&evs[i].res);
		sift_buf_free(&evs[i].edits);
		sift_buf_free(&sigs[i]);
	}
	sift_free(evs);
	sift_free(sigs);
	return ret;
}

void
milter_plan_free(struct milter_plan *plan)
{
	sift_free(plan->reply.text);
	sift_free(plan->quarantine);
	for (size_t i = 0; i < plan->ndel_rcpts; i++)
		sift_free(plan->del_rcpts[i]);
	sift_free(plan->del_rcpts);
	for (size_t i = 0; i < plan->nadd_rcpts; i++)
		sift_free(plan->add_rcpts[i]);
	sift_free(plan->add_rcpts);
	for (size_t i = 0; i < plan->nhdr_ops; i++) {
		sift_free(plan->hdr_ops[i].name);
		sift_free(plan->hdr_ops[i].value);
	}
	sift_free(plan->hdr_ops);
	for (size_t i = 0; i < plan->ndsn; i++) {
		sift_free_ptr((char *)plan->dsn[i].addr);
		sift_free_ptr((char *)plan->dsn[i].orcpt);
		sift_free_ptr((char *)plan->dsn[i].reply);
	}
	sift_free(plan->dsn);
	for (size_t i = 0; i < plan->nlog; i++)
		sift_free(plan->log[i]);
	sift_free(plan->log);
	memset(plan, 0, sizeof(*plan));
}
