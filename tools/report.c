/* SPDX-License-Identifier: MIT */
/* Result reports of `mailsift test` and the trace lines of --trace. */
#include "mailsift-config.h"
#include "report.h"

#include <string.h>

#include "json-writer.h"
#include "util/str.h"

const char *
report_action_name(enum sift_sieve_action_type type)
{
	switch (type) {
	case SIFT_SIEVE_ACT_KEEP:
		return "keep";
	case SIFT_SIEVE_ACT_FILEINTO:
		return "fileinto";
	case SIFT_SIEVE_ACT_REDIRECT:
		return "redirect";
	case SIFT_SIEVE_ACT_DISCARD:
		return "discard";
	case SIFT_SIEVE_ACT_REJECT:
		return "reject";
	case SIFT_SIEVE_ACT_EREJECT:
		return "ereject";
	case SIFT_SIEVE_ACT_TEMPFAIL:
		return "tempfail";
	case SIFT_SIEVE_ACT_QUARANTINE:
		return "quarantine";
	case SIFT_SIEVE_ACT_ADDHEADER:
		return "addheader";
	case SIFT_SIEVE_ACT_DELETEHEADER:
		return "deleteheader";
	}
	return "?";
}

void
report_quote(struct sift_buf *out, const char *s, size_t len)
{
	sift_buf_append_c(out, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80) {
			size_t n = sift_utf8_seq_len((const unsigned char *)s + i, len - i);
			if (n > 0) {
				sift_buf_append(out, s + i, n);
				i += n;
				continue;
			}
		}
		if (c == '"' || c == '\\') {
			sift_buf_append_c(out, '\\');
			sift_buf_append_c(out, (char)c);
		} else if (c == '\n') {
			sift_buf_append_str(out, "\\n");
		} else if (c == '\r') {
			sift_buf_append_str(out, "\\r");
		} else if (c == '\t') {
			sift_buf_append_str(out, "\\t");
		} else if (c < 0x20 || c >= 0x7f) {
			sift_buf_printf(out, "\\x%02x", c);
		} else {
			sift_buf_append_c(out, (char)c);
		}
		i++;
	}
	sift_buf_append_c(out, '"');
}

/* ---- trace ---- */

void
report_trace_init(struct report_trace *trace)
{
	memset(trace, 0, sizeof(*trace));
	sift_buf_init(&trace->text, 64 * 1024 * 1024);
	sift_buf_init(&trace->json, 64 * 1024 * 1024);
}

void
report_trace_free(struct report_trace *trace)
{
	sift_buf_free(&trace->text);
	sift_buf_free(&trace->json);
}

void
report_trace_event(void *context, const struct sift_sieve_trace_event *ev)
{
	struct report_trace *t = context;
	const char *outcome = ev->is_action      ? "done"
	                      : ev->outcome > 0  ? "true"
	                      : ev->outcome == 0 ? "false"
	                                         : "error";
	/* text: "line 3:5: header: "Hello" :contains "hello" -> true" */
	struct sift_buf *b = &t->text;
	sift_buf_printf(b, "trace: line %u:%u: %s", ev->line, ev->column, ev->test);
	if (ev->no_value) {
		sift_buf_append_str(b, ": (nothing to compare)");
	} else if (ev->extracted_len > 0 || ev->key != NULL || ev->match != NULL) {
		sift_buf_append_str(b, ": ");
		report_quote(b, ev->extracted, ev->extracted_len);
	}
	if (ev->key != NULL) {
		sift_buf_printf(b, " :%s ", ev->match != NULL ? ev->match : "is");
		report_quote(b, ev->key, ev->key_len);
	}
	sift_buf_printf(b, " -> %s\n", outcome);

	struct sift_buf j;
	sift_buf_init(&j, 0);
	struct json_writer w;
	json_init(&w, &j, false);
	json_begin_object(&w);
	json_key(&w, "line");
	json_uint(&w, ev->line);
	json_key(&w, "column");
	json_uint(&w, ev->column);
	json_key(&w, ev->is_action ? "action" : "test");
	json_cstring(&w, ev->test);
	json_key(&w, "extracted");
	if (ev->no_value)
		json_null(&w);
	else
		json_string(&w, ev->extracted, ev->extracted_len);
	if (ev->key != NULL) {
		json_key(&w, "match");
		json_cstring(&w, ev->match != NULL ? ev->match : "is");
		json_key(&w, "key");
		json_string(&w, ev->key, ev->key_len);
	}
	json_key(&w, "outcome");
	json_cstring(&w, outcome);
	json_end_object(&w);
	sift_buf_append_str(&t->json, t->count > 0 ? ",\n    " : "\n    ");
	sift_buf_append(&t->json, j.data, j.len);
	sift_buf_free(&j);
	t->count++;
}

/* ---- text ---- */

static void
text_flags(struct sift_buf *b, const char **flags)
{
	if (flags == NULL || flags[0] == NULL)
		return;
	sift_buf_append_str(b, " flags");
	for (size_t i = 0; flags[i] != NULL; i++) {
		sift_buf_append_c(b, ' ');
		report_quote(b, flags[i], strlen(flags[i]));
	}
}

static void
text_action(struct sift_buf *b, const struct sift_sieve_action *a)
{
	sift_buf_printf(b, "  line %u: %s", a->line, report_action_name(a->type));
	switch (a->type) {
	case SIFT_SIEVE_ACT_KEEP:
		break;
	case SIFT_SIEVE_ACT_FILEINTO:
	case SIFT_SIEVE_ACT_REDIRECT:
	case SIFT_SIEVE_ACT_REJECT:
	case SIFT_SIEVE_ACT_EREJECT:
	case SIFT_SIEVE_ACT_TEMPFAIL:
	case SIFT_SIEVE_ACT_QUARANTINE:
	case SIFT_SIEVE_ACT_DELETEHEADER:
		sift_buf_append_c(b, ' ');
		report_quote(b, a->arg, a->arg_len);
		break;
	case SIFT_SIEVE_ACT_ADDHEADER:
		sift_buf_append_c(b, ' ');
		report_quote(b, a->arg, a->arg_len);
		sift_buf_append_c(b, ' ');
		report_quote(b, a->value, a->value_len);
		break;
	case SIFT_SIEVE_ACT_DISCARD:
		break;
	}
	if (a->copy)
		sift_buf_append_str(b, " :copy");
	if (a->create)
		sift_buf_append_str(b, " :create");
	if (a->last)
		sift_buf_append_str(b, " :last");
	if (a->type == SIFT_SIEVE_ACT_DELETEHEADER)
		sift_buf_printf(b, " (%u removed)", a->deleted);
	text_flags(b, a->flags);
	sift_buf_append_c(b, '\n');
}

void
report_text(FILE *out, const char *script, const struct sift_sieve_result *res,
            const struct report_trace *trace)
{
	(void)script;
	struct sift_buf b;
	sift_buf_init(&b, 0);
	if (trace != NULL && trace->text.len > 0)
		sift_buf_append(&b, trace->text.data, trace->text.len);
	if (res->failed) {
		sift_buf_printf(&b, "runtime error: line %u: ", res->error_line);
		sift_buf_append_str(&b, res->error);
		sift_buf_append_c(&b, '\n');
		sift_buf_append_str(
		    &b, res->nactions > 0 ? "actions decided before the error (not carried out):\n"
		                          : "actions: none\n");
	} else {
		sift_buf_append_str(&b, res->nactions > 0 ? "actions:\n" : "actions: none\n");
	}
	for (size_t i = 0; i < res->nactions; i++)
		text_action(&b, &res->actions[i]);
	sift_buf_append_str(&b, "implicit keep: ");
	sift_buf_append_str(&b, res->implicit_keep ? (res->failed ? "yes (after the error)" : "yes")
	                                           : "no");
	if (res->implicit_keep && !res->failed)
		text_flags(&b, res->implicit_keep_flags);
	sift_buf_append_c(&b, '\n');
	fwrite(b.data, 1, b.len, out);
	sift_buf_free(&b);
}

/* ---- json ---- */

static void
json_flags(struct json_writer *w, const char **flags)
{
	json_begin_array(w);
	for (size_t i = 0; flags != NULL && flags[i] != NULL; i++)
		json_cstring(w, flags[i]);
	json_end_array(w);
}

void
report_json(FILE *out, const char *script, const struct sift_sieve_result *res,
            const struct report_trace *trace)
{
	struct sift_buf b;
	sift_buf_init(&b, 0);
	struct json_writer w;
	json_init(&w, &b, true);
	json_begin_object(&w);
	json_key(&w, "script");
	json_cstring(&w, script);
	json_key(&w, "status");
	json_cstring(&w, res->failed ? "failed" : "ok");
	json_key(&w, "error");
	if (res->failed) {
		json_begin_object(&w);
		json_key(&w, "line");
		json_uint(&w, res->error_line);
		json_key(&w, "message");
		json_cstring(&w, res->error);
		json_end_object(&w);
	} else {
		json_null(&w);
	}
	json_key(&w, "actions");
	json_begin_array(&w);
	for (size_t i = 0; i < res->nactions; i++) {
		const struct sift_sieve_action *a = &res->actions[i];
		json_begin_object(&w);
		json_key(&w, "type");
		json_cstring(&w, report_action_name(a->type));
		json_key(&w, "line");
		json_uint(&w, a->line);
		switch (a->type) {
		case SIFT_SIEVE_ACT_KEEP:
		case SIFT_SIEVE_ACT_FILEINTO:
			json_key(&w, "mailbox");
			json_string(&w, a->arg, a->arg_len);
			json_key(&w, "flags");
			json_flags(&w, a->flags);
			json_key(&w, "copy");
			json_bool(&w, a->copy);
			json_key(&w, "create");
			json_bool(&w, a->create);
			break;
		case SIFT_SIEVE_ACT_REDIRECT:
			json_key(&w, "address");
			json_string(&w, a->arg, a->arg_len);
			json_key(&w, "copy");
			json_bool(&w, a->copy);
			break;
		case SIFT_SIEVE_ACT_REJECT:
		case SIFT_SIEVE_ACT_EREJECT:
		case SIFT_SIEVE_ACT_TEMPFAIL:
		case SIFT_SIEVE_ACT_QUARANTINE:
			json_key(&w, "reason");
			json_string(&w, a->arg, a->arg_len);
			break;
		case SIFT_SIEVE_ACT_ADDHEADER:
			json_key(&w, "name");
			json_string(&w, a->arg, a->arg_len);
			json_key(&w, "value");
			json_string(&w, a->value, a->value_len);
			json_key(&w, "last");
			json_bool(&w, a->last);
			break;
		case SIFT_SIEVE_ACT_DELETEHEADER:
			json_key(&w, "name");
			json_string(&w, a->arg, a->arg_len);
			json_key(&w, "removed");
			json_uint(&w, a->deleted);
			break;
		case SIFT_SIEVE_ACT_DISCARD:
			break;
		}
		json_end_object(&w);
	}
	json_end_array(&w);
	json_key(&w, "implicit_keep");
	json_bool(&w, res->implicit_keep);
	json_key(&w, "implicit_keep_flags");
	json_flags(&w, res->implicit_keep && !res->failed ? res->implicit_keep_flags : NULL);
	json_end_object(&w);
	/* The trace is spliced in as an array before the closing brace. */
	if (trace != NULL) {
		while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '}'))
			b.len--;
		sift_buf_append_str(&b, ",\n  \"trace\": [");
		sift_buf_append(&b, trace->json.data, trace->json.len);
		sift_buf_append_str(&b, trace->count > 0 ? "\n  ]\n}" : "]\n}");
	}
	sift_buf_append_c(&b, '\n');
	fwrite(b.data, 1, b.len, out);
	sift_buf_free(&b);
}

/* ---- pigeonhole ---- */

/* sieve-test prints system flags first, lower case, in this order, and
   drops backslash flags it does not know. */
static void
ph_flags(struct sift_buf *b, const char **flags)
{
	static const char *const sys[] = {"\\flagged", "\\answered", "\\deleted", "\\seen",
	                                  "\\draft"};
	struct sift_buf line;
	sift_buf_init(&line, 0);
	for (size_t s = 0; s < 5; s++) {
		for (size_t i = 0; flags != NULL && flags[i] != NULL; i++) {
			if (sift_mem_eq_ci(flags[i], strlen(flags[i]), sys[s])) {
				sift_buf_append_c(&line, ' ');
				sift_buf_append_str(&line, sys[s]);
				break;
			}
		}
	}
	for (size_t i = 0; flags != NULL && flags[i] != NULL; i++) {
		if (flags[i][0] == '\\')
			continue;
		sift_buf_append_c(&line, ' ');
		sift_buf_append_str(&line, flags[i]);
	}
	if (line.len > 0) {
		sift_buf_append_str(b, "        + add IMAP flags:");
		sift_buf_append(b, line.data, line.len);
		sift_buf_append_c(b, '\n');
	}
	sift_buf_free(&line);
}

/* As sieve-test prints a reason: script line breaks are CRLF there,
   control characters become '?', a NUL ends the text, and more than 128
   bytes are cut to 125 (on a character boundary) plus "...". */
static void
ph_reason(struct sift_buf *b, const char *s, size_t len)
{
	struct sift_buf crlf;
	sift_buf_init(&crlf, 0);
	for (size_t i = 0; i < len && s[i] != '\0'; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			sift_buf_append_c(&crlf, '\r');
		sift_buf_append_c(&crlf, s[i]);
	}
	size_t n = crlf.len;
	bool cut = n > 128;
	if (cut) {
		n = 125;
		while (n > 0 && ((unsigned char)crlf.data[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)crlf.data[i];
		sift_buf_append_c(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	if (cut)
		sift_buf_append_str(b, "...");
	sift_buf_free(&crlf);
}

void
report_pigeonhole(FILE *out, const struct sift_sieve_result *res)
{
	if (res->failed)
		return; /* sieve-test prints nothing on stdout after a runtime error */
	struct sift_buf b;
	sift_buf_init(&b, 0);
	sift_buf_append_str(&b, "\nPerformed actions:\n\n");
	size_t shown = 0;
	for (size_t i = 0; i < res->nactions; i++) {
		const struct sift_sieve_action *a = &res->actions[i];
		switch (a->type) {
		case SIFT_SIEVE_ACT_KEEP:
		case SIFT_SIEVE_ACT_FILEINTO:
			sift_buf_append_str(&b, " * store message in folder: ");
			sift_buf_append(&b, a->arg, a->arg_len);
			sift_buf_append_c(&b, '\n');
			if (a->create)
				sift_buf_append_str(
				    &b, "        + create mailbox if it does not exist\n");
			if (a->flags_first)
				ph_flags(&b, a->flags);
			if (a->copy)
				sift_buf_append_str(&b, "        + preserve implicit keep\n");
			if (!a->flags_first)
				ph_flags(&b, a->flags);
			break;
		case SIFT_SIEVE_ACT_REDIRECT:
			sift_buf_append_str(&b, " * redirect message to: <");
			sift_buf_append(&b, a->arg, a->arg_len);
			sift_buf_append_str(&b, ">\n");
			if (a->copy)
				sift_buf_append_str(&b, "        + preserve implicit keep\n");
			break;
		case SIFT_SIEVE_ACT_DISCARD:
			sift_buf_append_str(&b, " * discard\n");
			break;
		case SIFT_SIEVE_ACT_REJECT:
		case SIFT_SIEVE_ACT_EREJECT:
			/* Pigeonhole's ereject is a plain reject. */
			sift_buf_append_str(&b, " * reject message with reason: ");
			ph_reason(&b, a->arg, a->arg_len);
			sift_buf_append_c(&b, '\n');
			break;
		case SIFT_SIEVE_ACT_TEMPFAIL:
			sift_buf_append_str(&b, " * tempfail message with reason: ");
			ph_reason(&b, a->arg, a->arg_len);
			sift_buf_append_c(&b, '\n');
			break;
		case SIFT_SIEVE_ACT_QUARANTINE:
			sift_buf_append_str(&b, " * quarantine message with reason: ");
			ph_reason(&b, a->arg, a->arg_len);
			sift_buf_append_c(&b, '\n');
			break;
		case SIFT_SIEVE_ACT_ADDHEADER:
		case SIFT_SIEVE_ACT_DELETEHEADER:
			/* Header edits do not appear in sieve-test's report. */
			continue;
		}
		shown++;
	}
	if (shown == 0)
		sift_buf_append_str(&b, "  (none)\n");
	sift_buf_append_str(&b, "\nImplicit keep:\n\n");
	if (res->implicit_keep) {
		sift_buf_append_str(&b, " * store message in folder: INBOX\n");
		ph_flags(&b, res->implicit_keep_flags);
	} else {
		sift_buf_append_str(&b, "  (none)\n");
	}
	sift_buf_append_c(&b, '\n');
	fwrite(b.data, 1, b.len, out);
	sift_buf_free(&b);
}

void
report_runtime_error(const char *script, const struct sift_sieve_result *res)
{
	struct sift_buf b;
	sift_buf_init(&b, 0);
	sift_buf_printf(&b, "%s:%u: error: ", script, res->error_line);
	for (const char *p = res->error; *p != '\0'; p++)
		sift_buf_append_c(&b, (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
	sift_buf_append_str(&b, "\nmailsift: the script failed; the implicit keep applies\n");
	fwrite(b.data, 1, b.len, stderr);
	sift_buf_free(&b);
}
