/* SPDX-License-Identifier: MIT */
/* Diagnostics list (see diag.h).  Bounded: a hostile input cannot make the
   list grow without end. */
#include "diag.h"
#include "alloc.h"
#include "buffer.h"

#include <stdarg.h>
#include <stdio.h>

void
sift_diags_init(struct sift_diags *diags)
{
	diags->items = NULL;
	diags->count = 0;
	diags->alloc = 0;
	diags->errors = 0;
	diags->max = 100;
}

void
sift_diags_free(struct sift_diags *diags)
{
	for (size_t i = 0; i < diags->count; i++)
		sift_free(diags->items[i].text);
	sift_free(diags->items);
	diags->count = 0;
	diags->alloc = 0;
	diags->errors = 0;
}

static void
diags_push(struct sift_diags *diags, enum sift_severity severity, unsigned int line,
           unsigned int column, char *text)
{
	if (diags->count == diags->alloc) {
		diags->alloc = diags->alloc == 0 ? 8 : diags->alloc * 2;
		diags->items = sift_realloc(diags->items, diags->alloc * sizeof(*diags->items));
	}
	struct sift_diag *d = &diags->items[diags->count++];
	d->severity = severity;
	d->line = line;
	d->column = column;
	d->text = text;
}

void
sift_diags_add(struct sift_diags *diags, enum sift_severity severity, unsigned int line,
               unsigned int column, const char *fmt, ...)
{
	size_t max = diags->max == 0 ? 100 : diags->max;
	if (severity == SIFT_SEV_ERROR)
		diags->errors++;
	if (diags->count > max)
		return;
	if (diags->count == max) {
		diags_push(diags, SIFT_SEV_NOTE, 0, 0,
		           sift_strdup("too many diagnostics; the rest are not shown"));
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diags_push(diags, severity, line, column, sift_strdup(buf));
}

const char *
sift_severity_name(enum sift_severity severity)
{
	switch (severity) {
	case SIFT_SEV_ERROR:
		return "error";
	case SIFT_SEV_WARNING:
		return "warning";
	case SIFT_SEV_NOTE:
		return "note";
	}
	return "error";
}

void
sift_diag_format(struct sift_buf *out, const char *file, const struct sift_diag *diag)
{
	if (diag->line == 0)
		sift_buf_printf(out, "%s: %s: ", file, sift_severity_name(diag->severity));
	else
		sift_buf_printf(out, "%s:%u:%u: %s: ", file, diag->line, diag->column,
		                sift_severity_name(diag->severity));
	for (const char *p = diag->text; *p != '\0'; p++)
		sift_buf_append_c(out, (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
}
