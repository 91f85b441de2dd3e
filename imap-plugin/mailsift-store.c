/* SPDX-License-Identifier: MIT */
/* Acting on a message the store already holds, for the code that runs
   scripts on one (delivery, IMAP events, FILTER): its flags as the
   imap4flags variable holds them and setting them back, copying it into
   a mailbox of the user (as it is, or with a new header block), whether a
   mailbox exists (the mailboxexists test), and sending it on (redirect). */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "str-sanitize.h"
#include "hostpid.h"
#include "istream.h"
#include "istream-concat.h"
#include "istream-header-filter.h"
#include "ostream.h"
#include "message-size.h"
#include "smtp-address.h"
#include "smtp-submit.h"
#include "mail-storage-private.h"
#include "mail-user.h"

#include "mailsift-plugin.h"
#include "mail/message-parser.h"
#include "util/str.h"

#include <string.h>

static const struct {
	enum mail_flags flag;
	const char *name;
} system_flag_names[] = {
    {MAIL_ANSWERED, "\\Answered"}, {MAIL_FLAGGED, "\\Flagged"}, {MAIL_DELETED, "\\Deleted"},
    {MAIL_SEEN, "\\Seen"},         {MAIL_DRAFT, "\\Draft"},
};

void
mailsift_append_system_flags(string_t *str, enum mail_flags flags)
{
	for (unsigned int i = 0; i < N_ELEMENTS(system_flag_names); i++) {
		if ((flags & system_flag_names[i].flag) != 0) {
			if (str_len(str) > 0)
				str_append_c(str, ' ');
			str_append(str, system_flag_names[i].name);
		}
	}
}

bool
mailsift_mail_is_lost(struct mail *mail)
{
	return mail->expunged || mailbox_get_last_mail_error(mail->box) == MAIL_ERROR_EXPUNGED;
}

const char *
mailsift_mail_flags_text(struct mail *mail)
{
	string_t *str = t_str_new(64);
	mailsift_append_system_flags(str, mail_get_flags(mail));
	const char *const *kw = mail_get_keywords(mail);
	for (; kw != NULL && *kw != NULL; kw++) {
		if (str_len(str) > 0)
			str_append_c(str, ' ');
		str_append(str, *kw);
	}
	return str_c(str);
}

void
mailsift_mail_set_flags(struct mail *mail, const char *const *flags)
{
	enum mail_flags mflags;
	ARRAY_TYPE(const_string) keywords;
	t_array_init(&keywords, 4);
	mailsift_flags_to_dovecot(flags, &mflags, &keywords);
	struct mail_keywords *kw = mailbox_keywords_create_valid(mail->box, array_front(&keywords));
	mail_update_flags(mail, MODIFY_REPLACE, mflags);
	mail_update_keywords(mail, MODIFY_REPLACE, kw);
	mailbox_keywords_unref(&kw);
}

int
mailsift_mailbox_exists(struct mail_user *user, const char *name, size_t len)
{
	int ret;
	T_BEGIN {
		const char *error;
		struct mailbox *box = mailsift_user_mailbox_alloc(user, t_strndup(name, len), &error);
		if (box == NULL) {
			ret = 0;
		} else {
			enum mailbox_existence existence;
			if (mailbox_exists(box, TRUE, &existence) < 0)
				ret = -1;
			else
				ret = existence == MAILBOX_EXISTENCE_SELECT ? 1 : 0;
			mailbox_free(&box);
		}
	}
	T_END;
	return ret;
}

int
mailsift_host_mailbox_exists(void *context, const char *name, size_t len)
{
	struct mail_user *user = context;
	return mailsift_mailbox_exists(user, name, len);
}

const char *
mailsift_host_environment(void *context, const char *name, size_t *len_r)
{
	(void)context;
	const char *value = NULL;
	if (strcmp(name, "host") == 0)
		value = my_hostname;
	else if (strcmp(name, "domain") == 0)
		value = my_hostdomain();
	if (value != NULL)
		*len_r = strlen(value);
	return value;
}

struct istream *
mailsift_edited_stream(struct mail *mail, const string_t *header, const char **error_r)
{
	struct message_size hdr_size;
	struct istream *input;
	if (mail_get_stream(mail, &hdr_size, NULL, &input) < 0) {
		*error_r = mailbox_get_last_internal_error(mail->box, NULL);
		return NULL;
	}
	struct istream *parts[3];
	parts[0] = i_stream_create_from_data(str_data(header), str_len(header));
	parts[1] = i_stream_create_range(input, hdr_size.physical_size, (uoff_t)-1);
	parts[2] = NULL;
	struct istream *cat = i_stream_create_concat(parts);
	/* A raw mailbox is named after its stream. */
	i_stream_set_name(cat, "mailsift-edited");
	i_stream_unref(&parts[0]);
	i_stream_unref(&parts[1]);
	return cat;
}

/* Saves input as a new message of box. */
static int
save_stream(struct mail_save_context **save, struct mail *mail, struct istream *input)
{
	time_t received;
	if (mail_get_received_date(mail, &received) == 0)
		mailbox_save_set_received_date(*save, received, 0);
	if (mailbox_save_begin(save, input) < 0)
		return -1;
	int ret;
	while ((ret = i_stream_read(input)) > 0 || ret == -2) {
		if (mailbox_save_continue(*save) < 0)
			break;
	}
	if (input->stream_errno != 0) {
		mail_storage_set_critical((*save)->transaction->box->storage, "read(%s) failed: %s",
		                          i_stream_get_name(input), i_stream_get_error(input));
		mailbox_save_cancel(save);
		return -1;
	}
	if (ret != -1 || !input->eof) {
		mailbox_save_cancel(save);
		return -1;
	}
	return mailbox_save_finish(save);
}

int
mailsift_mail_copy_into(struct mail_user *user, struct mail *mail, const char *vname, bool create,
                        const char *const *flags, const string_t *header, const char **error_r)
{
	struct mailbox *box = mailsift_user_mailbox_alloc(user, vname, error_r);
	if (box == NULL)
		return -1;
	if (create) {
		enum mailbox_existence existence;
		if (mailbox_exists(box, TRUE, &existence) == 0 && existence == MAILBOX_EXISTENCE_NONE)
			(void)mailbox_create(box, NULL, FALSE);
	}
	/* mailbox_create() leaves a new mailbox open; an existing one is not. */
	if (!box->opened && mailbox_open(box) < 0) {
		*error_r = t_strdup(mailbox_get_last_internal_error(box, NULL));
		mailbox_free(&box);
		return -1;
	}
	struct mailbox_transaction_context *t =
	    mailbox_transaction_begin(box, MAILBOX_TRANSACTION_FLAG_EXTERNAL, "mailsift fileinto");
	struct mail_save_context *save = mailbox_save_alloc(t);
	struct mail_keywords *kw = NULL;
	if (flags != NULL) {
		enum mail_flags mflags;
		ARRAY_TYPE(const_string) keywords;
		t_array_init(&keywords, 4);
		mailsift_flags_to_dovecot(flags, &mflags, &keywords);
		kw = mailbox_keywords_create_valid(box, array_front(&keywords));
		mailbox_save_set_flags(save, mflags, kw);
	} else {
		mailbox_save_copy_flags(save, mail);
	}
	int ret;
	const char *read_error = NULL;
	if (header == NULL) {
		ret = mailbox_copy(&save, mail);
	} else {
		struct istream *input = mailsift_edited_stream(mail, header, &read_error);
		if (input == NULL) {
			mailbox_save_cancel(&save);
			ret = -1;
		} else {
			ret = save_stream(&save, mail, input);
			i_stream_unref(&input);
		}
	}
	if (ret < 0)
		mailbox_transaction_rollback(&t);
	else
		ret = mailbox_transaction_commit(&t);
	if (kw != NULL)
		mailbox_keywords_unref(&kw);
	if (ret < 0) {
		/* The source could not be read, or the target's storage
		   failed. */
		*error_r = read_error != NULL ? read_error
		                              : t_strdup(mailbox_get_last_internal_error(box, NULL));
	}
	mailbox_free(&box);
	return ret;
}

/* ---- redirect ---- */

bool
mailsift_redirect_loops(struct sift_message *msg, const char *addr)
{
	const struct sift_header_list *hl = &sift_message_root(msg)->headers;
	for (struct sift_header *h = sift_header_find(hl, MAILSIFT_REDIRECTED_FIELD, NULL);
	     h != NULL; h = sift_header_find(hl, MAILSIFT_REDIRECTED_FIELD, h)) {
		size_t len;
		const char *s = sift_header_unfolded(sift_message_arena(msg), h, &len);
		if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
			s++;
			len -= 2;
		}
		if (sift_mem_eq_ci_len(s, len, addr, strlen(addr)))
			return TRUE;
	}
	return FALSE;
}

static const char *const redirect_drop_fields[] = {"Return-Path"};

int
mailsift_redirect(struct event *event, const struct smtp_submit_settings *smtp_set,
                  const struct smtp_address *mail_from, struct mail *mail, const string_t *header,
                  const char *addr, const char **error_r)
{
	struct smtp_address *rcpt;
	const char *error;
	if (smtp_address_parse_path(pool_datastack_create(), t_strconcat("<", addr, ">", NULL),
	                            SMTP_ADDRESS_PARSE_FLAG_ALLOW_LOCALPART, &rcpt, &error) < 0 ||
	    rcpt == NULL || rcpt->localpart == NULL) {
		*error_r = t_strdup_printf("redirect to %s: bad address: %s", str_sanitize(addr, 80),
		                           error != NULL ? error : "empty");
		return -1;
	}
	struct istream *input;
	if (header != NULL) {
		input = mailsift_edited_stream(mail, header, &error);
		if (input == NULL) {
			*error_r = t_strdup_printf("redirect: %s", error);
			return -1;
		}
	} else {
		struct istream *mail_input;
		if (mail_get_stream(mail, NULL, NULL, &mail_input) < 0) {
			*error_r = t_strdup_printf("redirect: %s",
			                           mailbox_get_last_internal_error(mail->box, NULL));
			return -1;
		}
		input = i_stream_create_limit(mail_input, (uoff_t)-1);
	}
	struct istream *filtered = i_stream_create_header_filter(
	    input, HEADER_FILTER_EXCLUDE, redirect_drop_fields, N_ELEMENTS(redirect_drop_fields),
	    *null_header_filter_callback, (void *)NULL);
	i_stream_unref(&input);

	struct smtp_submit_input sinput;
	i_zero(&sinput);
	sinput.event_parent = event;
	struct smtp_submit *subm = smtp_submit_init_simple(&sinput, smtp_set, mail_from);
	smtp_submit_add_rcpt(subm, rcpt);
	struct ostream *out = smtp_submit_send(subm);
	o_stream_nsend_str(out, t_strdup_printf(MAILSIFT_REDIRECTED_FIELD ": <%s>\r\n",
	                                        smtp_address_encode(rcpt)));
	enum ostream_send_istream_result sres = o_stream_send_istream(out, filtered);
	int ret = 0;
	if (sres != OSTREAM_SEND_ISTREAM_RESULT_FINISHED) {
		error = filtered->stream_errno != 0 ? i_stream_get_error(filtered)
		                                    : o_stream_get_error(out);
		*error_r = t_strdup_printf("redirect to %s: %s", smtp_address_encode(rcpt), error);
		ret = -1;
	}
	i_stream_unref(&filtered);
	if (ret == 0 && smtp_submit_run(subm, &error) <= 0) {
		*error_r = t_strdup_printf("redirect to %s failed: %s", smtp_address_encode(rcpt),
		                           error);
		ret = -1;
	}
	smtp_submit_deinit(&subm);
	return ret;
}

/* ---- script sequences ---- */

int
mailsift_sequence_run(struct sift_sieve_program *const *programs, unsigned int n,
                      struct sift_sieve_run_params *params, struct mailsift_sequence *seq)
{
	i_zero(seq);
	i_array_init(&seq->results, n > 0 ? n : 1);
	seq->keep = TRUE;
	seq->failed = n;
	for (unsigned int i = 0; i < n; i++) {
		struct sift_sieve_result *res = NULL;
		params->headers = seq->headers;
		const char *error;
		if (sift_sieve_run(programs[i], params, &res, &error) < 0) {
			seq->failed = i;
			seq->error = t_strdup(error);
			return -1;
		}
		array_push_back(&seq->results, &res);
		if (res->failed) {
			seq->failed = i;
			seq->error = t_strdup_printf("line %u: %s", res->error_line, res->error);
			return -1;
		}
		seq->keep = seq->keep && res->implicit_keep;
		if (res->implicit_keep_has_flags) {
			seq->keep_flags = (const char *const *)res->implicit_keep_flags;
			/* The next script starts with the flags this one left. */
			params->flags = t_strarray_join(seq->keep_flags, " ");
		}
		if (res->headers_edited)
			seq->headers = res->edited_headers;
		if (res->stopped)
			break;
	}
	return 0;
}

void
mailsift_sequence_free(struct mailsift_sequence *seq)
{
	if (!array_is_created(&seq->results))
		return;
	struct sift_sieve_result **res;
	array_foreach_modifiable(&seq->results, res)
		sift_sieve_result_free(res);
	array_free(&seq->results);
}
