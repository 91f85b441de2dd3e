/* SPDX-License-Identifier: MIT */
/* A Dovecot mail as mailsift sees it.

   mailsift_mail_parse() reads the mail's stream once, in the chunks the
   stream hands out, into the streaming parser: the limits of the table
   bound what is kept (headers, MIME parts, body bytes scanned), the rest
   is counted and dropped, so a huge message costs time, not memory.  The
   stream is read through a limit stream of its own, so the mail's stream
   position is left to its other readers.

   mailsift_header_serialize() writes a header block back out, for the
   stored copy when editheader changed the header or hints have to go:
   each field as "Name: raw value" with its folding as received (line
   ends made CRLF), then the empty line. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "array.h"
#include "unichar.h"
#include "mail-storage.h"
#include "mail-namespace.h"

#include "mailsift-plugin.h"
#include "mail/message-parser.h"

struct sift_message *
mailsift_mail_parse(struct mail *mail, const struct sift_limits *limits, const char *tmpdir,
                    const char **error_r)
{
	struct istream *input;
	if (mail_get_stream(mail, NULL, NULL, &input) < 0) {
		*error_r = t_strdup_printf("reading the message: %s",
		                           mailbox_get_last_internal_error(mail->box, NULL));
		return NULL;
	}
	struct istream *in = i_stream_create_limit(input, (uoff_t)-1);
	struct sift_message *msg = sift_message_create(limits, tmpdir);
	const unsigned char *data;
	size_t size;
	int ret;
	const char *error = NULL;
	while ((ret = i_stream_read_more(in, &data, &size)) > 0) {
		if (sift_message_feed(msg, data, size, &error) < 0)
			break;
		i_stream_skip(in, size);
	}
	if (error == NULL && in->stream_errno != 0)
		error = t_strdup_printf("reading the message: %s", i_stream_get_error(in));
	else if (error == NULL && ret == 0)
		error = "reading the message: the stream would block";
	i_stream_unref(&in);
	if (error == NULL && sift_message_finish(msg, &error) == 0)
		return msg;
	*error_r = t_strdup(error);
	sift_message_destroy(&msg);
	return NULL;
}

/* Appends a field body with its line ends made CRLF. */
static void
append_crlf(string_t *out, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		size_t end = i > start && s[i - 1] == '\r' ? i - 1 : i;
		str_append_data(out, s + start, end - start);
		str_append(out, "\r\n");
		start = i + 1;
	}
	str_append_data(out, s + start, len - start);
}

void
mailsift_header_serialize(const struct sift_header_list *headers, mailsift_header_drop_fn *drop,
                          void *context, string_t *out)
{
	for (const struct sift_header *h = headers->first; h != NULL; h = h->next) {
		if (drop != NULL && drop(context, h))
			continue;
		str_append_data(out, h->name, h->name_len);
		str_append(out, ": ");
		append_crlf(out, h->raw, h->raw_len);
		str_append(out, "\r\n");
	}
	str_append(out, "\r\n");
}

/* A mailbox name the scripts may use: valid UTF-8 without control
   characters, in a private namespace of this user (not another user's
   shared folder, not a public one), acceptable to the storage as a name
   (no "..", no path tricks). */
struct mailbox *
mailsift_user_mailbox_alloc(struct mail_user *user, const char *vname, const char **error_r)
{
	if (!uni_utf8_str_is_valid(vname)) {
		*error_r = "mailbox name is not UTF-8";
		return NULL;
	}
	for (const unsigned char *p = (const unsigned char *)vname; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*error_r = "mailbox name has a control character";
			return NULL;
		}
	}
	if (vname[0] == '\0') {
		*error_r = "empty mailbox name";
		return NULL;
	}
	struct mail_namespace *ns = mail_namespace_find(user->namespaces, vname);
	if (ns == NULL || ns->type != MAIL_NAMESPACE_TYPE_PRIVATE) {
		*error_r = "not a mailbox of the user's own";
		return NULL;
	}
	struct mailbox *box = mailbox_alloc(ns->list, vname, MAILBOX_FLAG_POST_SESSION);
	if (mailbox_verify_create_name(box) < 0) {
		*error_r = t_strdup(mailbox_get_last_error(box, NULL));
		mailbox_free(&box);
		return NULL;
	}
	return box;
}

void
mailsift_flags_to_dovecot(const char *const *flags, enum mail_flags *flags_r,
                 ARRAY_TYPE(const_string) *keywords)
{
	static const struct {
		const char *name;
		enum mail_flags flag;
	} system_flags[] = {
	    {"\\seen", MAIL_SEEN},         {"\\answered", MAIL_ANSWERED},
	    {"\\flagged", MAIL_FLAGGED},   {"\\deleted", MAIL_DELETED},
	    {"\\draft", MAIL_DRAFT},
	};
	*flags_r = 0;
	for (; flags != NULL && *flags != NULL; flags++) {
		const char *f = *flags;
		if (f[0] == '\\') {
			for (unsigned int i = 0; i < N_ELEMENTS(system_flags); i++) {
				if (strcasecmp(f, system_flags[i].name) == 0)
					*flags_r |= system_flags[i].flag;
			}
			/* \Recent and unknown system flags cannot be set. */
			continue;
		}
		array_push_back(keywords, &f);
	}
	array_append_zero(keywords);
}

