/* SPDX-License-Identifier: MIT */
/* Delivery: the scripts of a user run on a message at LDA or LMTP time
   and Dovecot's delivery carries out what they decided.

   The scripts run in sequence (mailsift_before..., the user's,
   mailsift_after...) into one verdict: their actions accumulate, `stop`
   ends the sequence, and the implicit keep stands at the end only if no
   script cancelled it.  Header edits of one script are what the next one
   sees.  A verified Mailsift-Hint from the milter (DESIGN.md) counts as a
   first script: its folder is a fileinto with its flags.

   Never lose mail:
   - a script that does not compile, a runtime error, or settings that do
     not parse: nothing any script decided is carried out and the message
     is kept in the default mailbox;
   - a store that fails (no such mailbox without :create, a name that is
     not a mailbox of this user, a storage error), a redirect or a
     rejection that cannot be sent: the message is kept;
   - a keep that fails and nothing else stored: the delivery fails with
     a temporary error (LMTP 451, LDA EX_TEMPFAIL), so the sender keeps it.

   The stored copy is the message as received unless editheader changed
   the header or Mailsift-Hint fields have to go: then its header block is
   written anew (mailsift_header_serialize) in front of the original body,
   and that copy is given to Dovecot's save as a raw mail. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "str-sanitize.h"
#include "ioloop.h"
#include "istream.h"
#include "istream-concat.h"
#include "message-size.h"
#include "istream-header-filter.h"
#include "ostream.h"
#include "unichar.h"
#include "utc-offset.h"
#include "smtp-address.h"
#include "smtp-submit.h"
#include "mail-storage.h"
#include "mail-user.h"
#include "mail-namespace.h"
#include "mail-deliver.h"
#include "mail-send.h"
#include "raw-storage.h"

#include "mailsift-plugin.h"
#include "mail/delivery-hint.h"
#include "mail/message-parser.h"
#include "util/alloc.h"
#include "util/str.h"

#include <string.h>
#include <time.h>

/* lib-lda is part of dovecot-lda and lmtp, not of imap, where this plugin
   is loaded too (for IMAP events): its functions are weak references, so
   the plugin loads everywhere and hooks delivery where they exist. */
#pragma weak mail_deliver_hook_set
#pragma weak mail_deliver_save
#pragma weak mail_deliver_get_return_address
#pragma weak mail_send_rejection


struct store {
	const char *vname; /* UTF-8; NULL: the default mailbox (keep) */
	const char *const *flags; /* NULL-terminated, NULL: none */
	bool create;
	unsigned int line; /* 0: from the hint */
};

struct mailsift_verdict {
	pool_t pool;
	struct mail_user *user;
	struct mail *src_mail;

	ARRAY(struct store) stores;
	ARRAY_TYPE(const_string) redirects;
	const char *reject; /* reason of reject or ereject, or NULL */
	bool ereject;
	const char *tempfail; /* reason, or NULL */
	bool discard;
	bool keep; /* the implicit keep stands */
	const char *const *keep_flags;
	/* Something went wrong: nothing the scripts decided is done, the
	   message is kept (without their flags). */
	bool failed;
	/* The header block of the stored copy, or NULL: the mail as it is. */
	string_t *header;

	struct sift_message *msg;
	bool scripts_ran; /* at least one script ran */
	const char *hint_rcpt; /* the recipient of the applied hint, for the log */
};

/* Handed over by the LMTP module for the next delivery hook call. */
static struct mailsift_verdict *pending;
static deliver_mail_func_t *next_deliver_mail;

void
mailsift_verdict_free(struct mailsift_verdict **_verdict)
{
	struct mailsift_verdict *v = *_verdict;
	if (v == NULL)
		return;
	*_verdict = NULL;
	sift_message_destroy(&v->msg);
	pool_unref(&v->pool);
}

/* ---- the hint ---- */

struct hint_filter {
	/* The applied hint fields, kept in the stored copy. */
	ARRAY(const struct sift_header *) keep;
};

static bool
drop_hints(void *context, const struct sift_header *hdr)
{
	struct hint_filter *f = context;
	if (!sift_mem_eq_ci_len(hdr->name, hdr->name_len, SIFT_HINT_FIELD, strlen(SIFT_HINT_FIELD)))
		return FALSE;
	/* By content: a script's editheader works on a copy of the fields. */
	const struct sift_header *const *k;
	array_foreach(&f->keep, k) {
		if (hdr->raw_len == (*k)->raw_len && memcmp(hdr->raw, (*k)->raw, hdr->raw_len) == 0)
			return FALSE;
	}
	return TRUE;
}

static bool
addr_eq(const char *a, size_t alen, const char *b)
{
	return b != NULL && sift_mem_eq_ci_len(a, alen, b, strlen(b));
}

/* ---- running the scripts ---- */

static const char *const *
flags_dup(pool_t pool, const char **flags)
{
	if (flags == NULL)
		return NULL;
	ARRAY_TYPE(const_string) arr;
	p_array_init(&arr, pool, 4);
	for (; *flags != NULL; flags++) {
		const char *f = p_strdup(pool, *flags);
		array_push_back(&arr, &f);
	}
	array_append_zero(&arr);
	return array_front(&arr);
}

/* Splits "\Seen $Label" as the hint carries flags. */
static const char *const *
flags_split(pool_t pool, const char *flags, size_t len)
{
	const char **arr = (const char **)p_strsplit_spaces(pool, t_strndup(flags, len), " ");
	return arr;
}

static bool
has_store(struct mailsift_verdict *v, const char *vname)
{
	const struct store *s;
	array_foreach(&v->stores, s) {
		if (null_strcmp(s->vname, vname) == 0)
			return TRUE;
	}
	return FALSE;
}

static void
add_store(struct mailsift_verdict *v, const char *vname, const char *const *flags, bool create,
          unsigned int line)
{
	/* RFC 5228 4.1: storing twice into one mailbox stores once. */
	if (has_store(v, vname))
		return;
	struct store *s = array_append_space(&v->stores);
	s->vname = p_strdup(v->pool, vname); /* NULL stays NULL */
	s->flags = flags;
	s->create = create;
	s->line = line;
}

/* Applies each hint for this recipient (rcpt_to, or the original
   recipient when the MTA passed one on) whose MAC and age verify, like a
   first script: the milter writes one per fileinto, and two for one
   folder are one store.  The applied fields go into f->keep; returns the
   number of hint fields in the message. */
static unsigned int
apply_hints(struct mailsift_verdict *v, const struct mailsift_settings *set, const char *rcpt_to,
            const char *orig_rcpt_to, struct event *event, struct hint_filter *f)
{
	struct sift_part *root = sift_message_root(v->msg);
	struct sift_arena *arena = sift_message_arena(v->msg);
	unsigned int count = (unsigned int)sift_header_count(&root->headers, SIFT_HINT_FIELD);
	if (count == 0 || set->hint_key_path == NULL)
		return count;

	unsigned char *key;
	size_t key_len;
	const char *error;
	if (sift_hint_key_load(set->hint_key_path, &key, &key_len, &error) < 0) {
		e_error(event, "mailsift: mailsift_hint_key %s: %s (hints ignored)",
		        set->hint_key_path, error);
		return count;
	}
	size_t mid_len = 0;
	const char *mid = NULL;
	struct sift_header *mh = sift_header_find(&root->headers, "message-id", NULL);
	if (mh != NULL)
		mid = sift_header_unfolded(arena, mh, &mid_len);

	for (struct sift_header *h = sift_header_find(&root->headers, SIFT_HINT_FIELD, NULL);
	     h != NULL; h = sift_header_find(&root->headers, SIFT_HINT_FIELD, h)) {
		struct sift_hint hint;
		if (sift_hint_verify(h->raw, h->raw_len, mid != NULL ? mid : "", mid_len, key,
		                     key_len, ioloop_time, set->hint_max_age, arena, &hint,
		                     &error) < 0) {
			e_info(event, "mailsift: Mailsift-Hint ignored: %s", error);
			continue;
		}
		if (!addr_eq(hint.rcpt, hint.rcpt_len, rcpt_to) &&
		    !addr_eq(hint.rcpt, hint.rcpt_len, orig_rcpt_to))
			continue;
		const struct sift_header *applied = h;
		array_push_back(&f->keep, &applied);
		const char *const *flags =
		    hint.flags != NULL ? flags_split(v->pool, hint.flags, hint.flags_len) : NULL;
		v->hint_rcpt = p_strndup(v->pool, hint.rcpt, hint.rcpt_len);
		if (hint.folder != NULL) {
			add_store(v, t_strndup(hint.folder, hint.folder_len), flags, FALSE, 0);
			v->keep = FALSE;
		} else {
			v->keep_flags = flags;
		}
		e_info(event, "mailsift: Mailsift-Hint for <%s> applied%s%s%s%s", v->hint_rcpt,
		       hint.folder != NULL ? ": fileinto " : "",
		       hint.folder != NULL ? str_sanitize(t_strndup(hint.folder, hint.folder_len), 80)
		                           : "",
		       hint.flags != NULL ? " flags " : "",
		       hint.flags != NULL ? str_sanitize(t_strndup(hint.flags, hint.flags_len), 80)
		                          : "");
	}
	explicit_bzero(key, key_len);
	sift_free(key);
	return count;
}

/* Takes the actions of one script's result into the verdict. */
static void
take_actions(struct mailsift_verdict *v, const struct sift_sieve_result *res, struct event *event)
{
	for (size_t i = 0; i < res->nactions; i++) {
		const struct sift_sieve_action *a = &res->actions[i];
		const char *arg = a->arg != NULL ? p_strndup(v->pool, a->arg, a->arg_len) : "";
		switch (a->type) {
		case SIFT_SIEVE_ACT_KEEP:
			add_store(v, NULL, a->has_flags ? flags_dup(v->pool, a->flags) : NULL,
			          FALSE, a->line);
			break;
		case SIFT_SIEVE_ACT_FILEINTO:
			add_store(v, arg, a->has_flags ? flags_dup(v->pool, a->flags) : NULL,
			          a->create, a->line);
			break;
		case SIFT_SIEVE_ACT_REDIRECT:
			array_push_back(&v->redirects, &arg);
			break;
		case SIFT_SIEVE_ACT_DISCARD:
			v->discard = TRUE;
			break;
		case SIFT_SIEVE_ACT_REJECT:
		case SIFT_SIEVE_ACT_EREJECT:
			if (v->reject == NULL) {
				v->reject = arg;
				v->ereject = a->type == SIFT_SIEVE_ACT_EREJECT;
			}
			break;
		case SIFT_SIEVE_ACT_TEMPFAIL:
			if (v->tempfail == NULL)
				v->tempfail = arg[0] != '\0' ? arg : "Temporary failure";
			break;
		case SIFT_SIEVE_ACT_QUARANTINE:
			/* The MTA's hold queue is not reachable from here: keep
			   the message where the owner sees it. */
			e_warning(event,
			          "mailsift: line %u: quarantine is an MTA action; "
			          "the message is kept",
			          a->line);
			add_store(v, NULL, NULL, FALSE, a->line);
			break;
		case SIFT_SIEVE_ACT_ADDHEADER:
		case SIFT_SIEVE_ACT_DELETEHEADER:
			/* Applied through the result's edited header. */
			break;
		}
	}
}

/* The envelope address of a Dovecot SMTP address, without <>. */
static const char *
envelope_text(const struct smtp_address *addr)
{
	return addr == NULL ? "" : smtp_address_encode(addr);
}

struct mailsift_verdict *
mailsift_deliver_evaluate(struct mail_user *user, struct mail *src_mail, const char *mail_from,
                          const char *rcpt_to, const char *orig_rcpt_to, const char **ereject_r)
{
	struct event *event = user->event;
	*ereject_r = NULL;

	struct mailsift_settings set;
	const char *error;
	bool settings_ok = mailsift_settings_read(user, &set, &error) == 0;
	if (!settings_ok) {
		e_error(event, "mailsift: %s (message kept)", error);
		/* The limits may be half set: the defaults read the message. */
		sift_limits_init(&set.limits);
		set.nscripts = 0;
		set.hint_key_path = NULL;
	}

	/* Programs first: no script and no hint field means nothing to do
	   and the message is not parsed at all. */
	struct sift_sieve_program *programs[N_ELEMENTS(set.scripts)];
	const char *paths[N_ELEMENTS(set.scripts)];
	unsigned int nprograms = 0;
	bool broken = !settings_ok;
	for (unsigned int i = 0; i < set.nscripts && !broken; i++) {
		struct sift_sieve_program *prog;
		switch (mailsift_script_get(set.scripts[i], &set.limits, event, &prog, &error)) {
		case MAILSIFT_SCRIPT_OK:
			paths[nprograms] = set.scripts[i];
			programs[nprograms++] = prog;
			break;
		case MAILSIFT_SCRIPT_MISSING:
			if ((int)i != set.user_script)
				e_warning(event, "mailsift: %s: no such script (skipped)",
				          set.scripts[i]);
			break;
		case MAILSIFT_SCRIPT_BROKEN:
			e_error(event, "mailsift: %s (this and later scripts not run; "
			        "message kept)", error);
			broken = TRUE;
			break;
		}
	}

	pool_t pool = pool_alloconly_create("mailsift verdict", 2048);
	bool parse = nprograms > 0 || broken;
	if (!parse) {
		/* No script: only a hint field (to apply or to remove) is
		   worth reading the message for; Dovecot's cached header
		   lookup answers that. */
		const char *value;
		parse = mail_get_first_header(src_mail, SIFT_HINT_FIELD, &value) != 0;
	}
	struct mailsift_verdict *v = p_new(pool, struct mailsift_verdict, 1);
	v->pool = pool;
	v->user = user;
	v->src_mail = src_mail;
	v->keep = TRUE;
	v->failed = broken;
	p_array_init(&v->stores, pool, 4);
	p_array_init(&v->redirects, pool, 2);

	if (!parse)
		goto out;
	const char *tmpdir = user->set->mail_temp_dir;
	v->msg = mailsift_mail_parse(src_mail, &set.limits, tmpdir, &error);
	if (v->msg == NULL) {
		e_error(event, "mailsift: %s", error);
		v->tempfail = "Temporary failure reading the message";
		goto out;
	}

	struct hint_filter filter;
	t_array_init(&filter.keep, 2);
	unsigned int nhints = apply_hints(v, &set, rcpt_to, orig_rcpt_to, event, &filter);

	struct sift_sieve_host host = {
	    .context = user,
	    .mailbox_exists = mailsift_host_mailbox_exists,
	    .environment = mailsift_host_environment,
	};
	struct tm *tm = localtime(&ioloop_time);
	struct sift_sieve_run_params params = {
	    .msg = v->msg,
	    .envelope = {.from = mail_from, .to = rcpt_to, .orig_to = orig_rcpt_to},
	    .host = &host,
	    .location = "MDA",
	    .phase = "during",
	    .now = ioloop_time,
	    .now_zone = tm != NULL ? utc_offset(tm, ioloop_time) : 0,
	    .limits = &set.limits,
	    .scratch = mailsift_scratch(),
	};
	/* A flags-only hint is the imap4flags variable the scripts start with. */
	if (v->keep_flags != NULL)
		params.flags = t_strarray_join(v->keep_flags, " ");
	/* A broken script or broken settings: none of the scripts runs. */
	struct mailsift_sequence seq;
	if (mailsift_sequence_run(programs, v->failed ? 0 : nprograms, &params, &seq) < 0) {
		e_error(event, "mailsift: %s: %s (message kept)", paths[seq.failed], seq.error);
		v->failed = TRUE;
	}
	v->scripts_ran = array_count(&seq.results) > 0;
	const struct sift_header_list *headers = NULL;
	if (v->failed) {
		/* Nothing the scripts decided is carried out, their header
		   edits and flags included. */
		v->keep_flags = NULL;
	} else {
		struct sift_sieve_result *const *res;
		array_foreach(&seq.results, res)
			take_actions(v, *res, event);
		/* The hint's fileinto cancelled the implicit keep already. */
		if (!seq.keep)
			v->keep = FALSE;
		if (seq.keep_flags != NULL)
			v->keep_flags = flags_dup(pool, (const char **)seq.keep_flags);
		headers = seq.headers;
	}

	if (headers != NULL || nhints > array_count(&filter.keep)) {
		v->header = str_new(pool, 1024);
		mailsift_header_serialize(headers != NULL ? headers
		                                          : &sift_message_root(v->msg)->headers,
		                          drop_hints, &filter, v->header);
	}
	mailsift_sequence_free(&seq);
	if (v->reject != NULL && v->ereject && !v->failed && v->tempfail == NULL)
		*ereject_r = v->reject;
out:
	for (unsigned int i = 0; i < nprograms; i++)
		sift_sieve_program_unref(&programs[i]);
	return v;
}

/* ---- carrying it out ---- */

/* The copy a store saves: the source mail, or a raw mail of the edited
   stream. */
struct save_source {
	struct mail_user *raw_user;
	struct mailbox *raw_box;
	struct mailbox_transaction_context *raw_trans;
	struct mail *mail;
};

static int
save_source_open(struct mailsift_verdict *v, struct mail_deliver_context *ctx,
                 struct save_source *src, const char **error_r)
{
	i_zero(src);
	if (v->header == NULL) {
		src->mail = ctx->src_mail;
		return 0;
	}
	struct istream *input = mailsift_edited_stream(v->src_mail, v->header, error_r);
	if (input == NULL)
		return -1;
	src->raw_user = raw_storage_create_from_set(v->user->set_info, v->user->unexpanded_set);
	int ret = raw_mailbox_alloc_stream(src->raw_user, input, (time_t)-1,
	                                   envelope_text(ctx->mail_from), &src->raw_box);
	i_stream_unref(&input);
	if (ret < 0) {
		*error_r = t_strdup(mailbox_get_last_internal_error(src->raw_box, NULL));
		mailbox_free(&src->raw_box);
		mail_user_unref(&src->raw_user);
		return -1;
	}
	src->raw_trans = mailbox_transaction_begin(src->raw_box, 0, "mailsift edited copy");
	src->mail = mail_alloc(src->raw_trans, 0, NULL);
	mail_set_seq(src->mail, 1);
	return 0;
}

static void
save_source_close(struct save_source *src)
{
	if (src->raw_box == NULL)
		return;
	mail_free(&src->mail);
	mailbox_transaction_rollback(&src->raw_trans);
	mailbox_free(&src->raw_box);
	mail_user_unref(&src->raw_user);
}

/* Stores the copy into one mailbox.  Returns 0 or -1 (logged). */
static int
do_store(struct mailsift_verdict *v, struct mail_deliver_context *ctx, struct save_source *src,
         const char *vname, const char *const *flags, bool create,
         struct mail_storage **storage_r)
{
	const char *error;
	struct mailbox *box = mailsift_user_mailbox_alloc(ctx->rcpt_user, vname, &error);
	if (box == NULL) {
		e_error(ctx->event, "mailsift: cannot store into %s: %s",
		        str_sanitize(vname, 80), error);
		return -1;
	}
	if (create) {
		enum mailbox_existence existence;
		if (mailbox_exists(box, TRUE, &existence) == 0 &&
		    existence == MAILBOX_EXISTENCE_NONE && mailbox_create(box, NULL, FALSE) < 0) {
			enum mail_error err;
			const char *text = mailbox_get_last_error(box, &err);
			if (err != MAIL_ERROR_EXISTS) {
				e_error(ctx->event, "mailsift: cannot create %s: %s",
				        str_sanitize(vname, 80), text);
				mailbox_free(&box);
				return -1;
			}
		}
	}
	mailbox_free(&box);

	enum mail_flags mflags;
	ARRAY_TYPE(const_string) keywords;
	t_array_init(&keywords, 4);
	mailsift_flags_to_dovecot(flags, &mflags, &keywords);

	/* Dovecot's LMTP reuses the first stored copy as the source for the
	   next recipients: only an unchanged copy may be that. */
	bool want_dest = ctx->save_dest_mail;
	struct mail *orig = ctx->src_mail;
	if (src->mail != orig || ctx->dest_mail != NULL)
		ctx->save_dest_mail = FALSE;
	ctx->src_mail = src->mail;
	int ret = mail_deliver_save(ctx, vname, mflags, array_front(&keywords), storage_r);
	ctx->src_mail = orig;
	ctx->save_dest_mail = want_dest;
	if (ret == 0)
		ctx->saved_mail = TRUE;
	return ret;
}

/* Carries out a verdict.  Returns 1 when the message was dealt with, -1
   when Dovecot must fail the delivery (tempfail_error set, or its
   storage error in *storage_r). */
static int
execute(struct mailsift_verdict *v, struct mail_deliver_context *ctx,
        struct mail_storage **storage_r)
{
	if (v->tempfail != NULL) {
		e_info(ctx->event, "mailsift: tempfail: %s", str_sanitize(v->tempfail, 200));
		ctx->tempfail_error = p_strdup(ctx->pool, v->tempfail);
		ctx->tried_default_save = TRUE;
		return -1;
	}

	struct save_source src;
	const char *error;
	if (save_source_open(v, ctx, &src, &error) < 0) {
		/* The edited copy cannot be made: store the message as it came
		   rather than not at all. */
		e_error(ctx->event, "mailsift: cannot edit the stored copy: %s", error);
		v->header = NULL;
		(void)save_source_open(v, ctx, &src, &error);
	}

	bool must_keep = v->failed, kept = FALSE;
	if (!v->failed) {
		const struct store *s;
		array_foreach(&v->stores, s) {
			const char *vname = s->vname != NULL ? s->vname : ctx->rcpt_default_mailbox;
			bool is_keep = strcmp(vname, ctx->rcpt_default_mailbox) == 0;
			if (is_keep && kept)
				continue;
			T_BEGIN {
				if (do_store(v, ctx, &src, vname, s->flags, s->create, storage_r) < 0)
					must_keep = TRUE;
				else if (is_keep)
					kept = TRUE;
			}
			T_END;
		}
		const char *const *addr;
		array_foreach(&v->redirects, addr) {
			T_BEGIN {
				if (mailsift_redirect_loops(v->msg, *addr)) {
					e_info(ctx->event,
					       "mailsift: not redirected to <%s>: it came through "
					       "a redirect to that address (kept)",
					       str_sanitize(*addr, 80));
					must_keep = TRUE;
				} else if (mailsift_redirect(ctx->event, ctx->smtp_set, ctx->mail_from,
				                             ctx->src_mail, v->header, *addr,
				                             &error) < 0) {
					e_error(ctx->event, "mailsift: %s", error);
					must_keep = TRUE;
				} else {
					e_info(ctx->event, "mailsift: redirected to <%s>",
					       str_sanitize(*addr, 80));
				}
			}
			T_END;
		}
		if (v->reject != NULL) {
			const struct smtp_address *ret_addr = mail_deliver_get_return_address(ctx);
			if (ret_addr == NULL || ret_addr->localpart == NULL) {
				e_info(ctx->event, "mailsift: rejected (no rejection message to "
				       "the null sender): %s",
				       str_sanitize(v->reject, 200));
			} else if (mail_send_rejection(ctx, ret_addr, v->reject) < 0) {
				must_keep = TRUE;
			} else {
				e_info(ctx->event, "mailsift: rejected: %s",
				       str_sanitize(v->reject, 200));
			}
		}
		if (v->discard && !v->keep && array_count(&v->stores) == 0)
			e_info(ctx->event, "mailsift: discarded");
	}

	int ret = 1;
	if ((v->keep || must_keep) && !kept) {
		T_BEGIN {
			const char *const *flags = must_keep ? NULL : v->keep_flags;
			if (do_store(v, ctx, &src, ctx->rcpt_default_mailbox, flags, FALSE,
			             storage_r) < 0 &&
			    !ctx->saved_mail) {
				/* Dovecot tries INBOX once more, then fails the
				   delivery with a temporary error. */
				ret = -1;
			}
		}
		T_END;
	}
	save_source_close(&src);
	return ret;
}

static int
mailsift_deliver_mail(struct mail_deliver_context *ctx, struct mail_storage **storage_r)
{
	struct mailsift_verdict *v = pending;
	pending = NULL;
	if (v != NULL && (v->user != ctx->rcpt_user || v->src_mail != ctx->src_mail))
		mailsift_verdict_free(&v);
	if (v == NULL) {
		const char *ereject;
		const char *orig = ctx->rcpt_params.orcpt.addr != NULL
		                       ? smtp_address_encode(ctx->rcpt_params.orcpt.addr)
		                       : NULL;
		v = mailsift_deliver_evaluate(ctx->rcpt_user, ctx->src_mail,
		                              envelope_text(ctx->mail_from),
		                              envelope_text(ctx->rcpt_to), orig, &ereject);
	}
	if (v->tempfail == NULL && !v->failed && v->header == NULL && !v->scripts_ran &&
	    v->hint_rcpt == NULL) {
		/* No script ran and no hint: Dovecot's own delivery. */
		mailsift_verdict_free(&v);
		if (next_deliver_mail != NULL)
			return next_deliver_mail(ctx, storage_r);
		return 0;
	}
	int ret = execute(v, ctx, storage_r);
	mailsift_verdict_free(&v);
	return ret;
}

void
mailsift_deliver_set_pending(struct mailsift_verdict *verdict)
{
	mailsift_verdict_free(&pending);
	pending = verdict;
}

void
mailsift_deliver_init(void)
{
	if (mail_deliver_hook_set == NULL)
		return;
	next_deliver_mail = mail_deliver_hook_set(mailsift_deliver_mail);
}

void
mailsift_deliver_deinit(void)
{
	mailsift_verdict_free(&pending);
	if (mail_deliver_hook_set != NULL)
		mail_deliver_hook_set(next_deliver_mail);
}
