/* SPDX-License-Identifier: MIT */
/* Rules on IMAP events (RFC 6785): a script runs when an IMAP client
   appends a message to a mailbox, copies or moves one into it, or
   changes a message's flags there.

     plugin {
       mailsift_imap_rule  = Spam COPY /etc/mailsift/learn-spam.sieve
       mailsift_imap_rule2 = * APPEND,FLAG /etc/mailsift/tag.sieve
     }

   A rule is "<mailbox pattern> <causes> <script>": the pattern as IMAP
   LIST takes it (`*` matches across hierarchy levels, `%` within one),
   the causes a comma-separated list of APPEND, COPY (MOVE is a COPY) and
   FLAG.  Every rule that matches runs, in the order of the settings.

   Only the imap service has events: deliveries, doveadm and the plugin's
   own actions do not trigger rules, so a rule whose action changes flags
   or copies a message does not start another one.

   The scripts run after the client's transaction is committed, on each
   message it saved or whose flags it changed, with environment location
   "MS", phase "post" and the imap.* items of RFC 6785.  The imap4flags
   variable starts as the message's own flags.  Actions (RFC 6785 3.6):
   keep leaves the message (with the flags the script set), fileinto
   copies it, discard marks it \Deleted and expunges it; redirect,
   reject, ereject and the MTA actions are runtime errors, and so is a
   script that reads the envelope, which an IMAP event does not have.  A
   runtime error leaves the message as it is. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "str-sanitize.h"
#include "ioloop.h"
#include "utc-offset.h"
#include "seq-range-array.h"
#include "imap-match.h"
#include "mail-storage-private.h"
#include "mail-storage-hooks.h"
#include "mail-namespace.h"
#include "mail-user.h"
#include "module-context.h"

#include "mailsift-plugin.h"
#include "mail/message-parser.h"

#include <string.h>

#define MAILSIFT_USER_CONTEXT(obj) MODULE_CONTEXT(obj, mailsift_user_module)
#define MAILSIFT_BOX_CONTEXT(obj) MODULE_CONTEXT_REQUIRE(obj, mailsift_storage_module)
#define MAILSIFT_TRANS_CONTEXT(obj) MODULE_CONTEXT(obj, mailsift_storage_module)
#define MAILSIFT_MAIL_CONTEXT(obj) MODULE_CONTEXT_REQUIRE(obj, mailsift_mail_module)

enum cause {
	CAUSE_APPEND = 1 << 0,
	CAUSE_COPY = 1 << 1,
	CAUSE_FLAG = 1 << 2,
};

struct imap_rule {
	const char *pattern;
	struct imap_match_glob *glob;
	unsigned int causes;
	const char *path;
	/* The script was missing at the last event (warned once). */
	bool missing;
};

struct mailsift_user {
	union mail_user_module_context module_ctx;
	ARRAY(struct imap_rule) rules;
	struct sift_limits limits;
	/* Set while the plugin itself acts: nothing it does is an event. */
	bool acting;
};

struct mailsift_mailbox {
	union mailbox_module_context module_ctx;
};

struct event_rec {
	enum cause cause;
	uint32_t uid; /* FLAG: the message; APPEND/COPY: from saved_uids */
	const char *changed; /* FLAG: the flags that changed */
};

ARRAY_DEFINE_TYPE(event_rec, struct event_rec);

struct mailsift_transaction {
	union mailbox_transaction_module_context module_ctx;
	pool_t pool;
	ARRAY_TYPE(event_rec) saves; /* in save order */
	ARRAY_TYPE(event_rec) flags;
	bool copying;
};

static MODULE_CONTEXT_DEFINE_INIT(mailsift_user_module, &mail_user_module_register);
static MODULE_CONTEXT_DEFINE_INIT(mailsift_storage_module, &mail_storage_module_register);
static MODULE_CONTEXT_DEFINE_INIT(mailsift_mail_module, &mail_module_register);

/* ---- settings ---- */

static int
parse_causes(const char *text, unsigned int *causes_r)
{
	*causes_r = 0;
	const char *const *names = t_strsplit(text, ",");
	for (; *names != NULL; names++) {
		if (strcasecmp(*names, "APPEND") == 0)
			*causes_r |= CAUSE_APPEND;
		else if (strcasecmp(*names, "COPY") == 0 || strcasecmp(*names, "MOVE") == 0)
			*causes_r |= CAUSE_COPY;
		else if (strcasecmp(*names, "FLAG") == 0)
			*causes_r |= CAUSE_FLAG;
		else if (**names != '\0')
			return -1;
	}
	return *causes_r == 0 ? -1 : 0;
}

static void
read_rules(struct mail_user *user, struct mailsift_user *muser)
{
	for (unsigned int i = 1; i <= MAILSIFT_MAX_SEQUENCE; i++) {
		const char *key = i == 1 ? MAILSIFT_SETTING_PREFIX "imap_rule"
		                         : t_strdup_printf(MAILSIFT_SETTING_PREFIX "imap_rule%u", i);
		const char *value = mail_user_plugin_getenv(user, key);
		if (value == NULL || value[0] == '\0')
			break;
		const char *const *words = t_strsplit_spaces(value, " \t");
		struct imap_rule rule;
		i_zero(&rule);
		if (str_array_length(words) != 3 || parse_causes(words[1], &rule.causes) < 0) {
			e_error(user->event,
			        "mailsift: %s: expected \"<mailbox pattern> <APPEND,COPY,FLAG> "
			        "<script path>\": %s (rule ignored)",
			        key, value);
			continue;
		}
		rule.path = words[2][0] == '~' ? mail_user_home_expand(user, words[2]) : words[2];
		if (rule.path[0] != '/') {
			e_error(user->event, "mailsift: %s: not an absolute path: %s (rule ignored)",
			        key, words[2]);
			continue;
		}
		rule.path = p_strdup(user->pool, rule.path);
		rule.pattern = p_strdup(user->pool, words[0]);
		array_push_back(&muser->rules, &rule);
	}
}

/* Whether a rule's pattern matches a mailbox name.  The pattern is
   compiled on first use: the hierarchy separator is known only once the
   user's namespaces exist. */
static bool
rule_matches(struct mail_user *user, struct imap_rule *rule, const char *vname)
{
	if (rule->glob == NULL) {
		struct mail_namespace *ns = user->namespaces == NULL
		                                ? NULL
		                                : mail_namespace_find_inbox(user->namespaces);
		char sep = ns != NULL ? mail_namespace_get_sep(ns) : '/';
		rule->glob = imap_match_init(user->pool, rule->pattern, TRUE, sep);
	}
	return imap_match(rule->glob, vname) == IMAP_MATCH_YES;
}

static bool
rules_match(struct mail_user *user, struct mailsift_user *muser, const char *vname,
            enum cause cause)
{
	struct imap_rule *rule;
	array_foreach_modifiable(&muser->rules, rule) {
		if ((rule->causes & cause) != 0 && rule_matches(user, rule, vname))
			return TRUE;
	}
	return FALSE;
}

/* ---- running a rule on one message ---- */

struct event_host {
	struct mail_user *user;
	const char *cause;
	const char *mailbox;
	const char *changed;
};

static const char *
event_environment(void *context, const char *name, size_t *len_r)
{
	struct event_host *eh = context;
	const char *value = NULL;
	if (strcmp(name, "imap.user") == 0)
		value = eh->user->username;
	else if (strcmp(name, "imap.email") == 0)
		value = strchr(eh->user->username, '@') != NULL ? eh->user->username : NULL;
	else if (strcmp(name, "imap.cause") == 0)
		value = eh->cause;
	else if (strcmp(name, "imap.mailbox") == 0)
		value = eh->mailbox;
	else if (strcmp(name, "imap.changedflags") == 0)
		value = eh->changed;
	else
		return mailsift_host_environment(eh->user, name, len_r);
	if (value != NULL)
		*len_r = strlen(value);
	return value;
}

static int
event_mailbox_exists(void *context, const char *name, size_t len)
{
	struct event_host *eh = context;
	return mailsift_host_mailbox_exists(eh->user, name, len);
}

/* The actions RFC 6785 leaves out; the first one found, or NULL. */
static const struct sift_sieve_action *
forbidden_action(const struct sift_sieve_result *res)
{
	for (size_t i = 0; i < res->nactions; i++) {
		switch (res->actions[i].type) {
		case SIFT_SIEVE_ACT_REDIRECT:
		case SIFT_SIEVE_ACT_REJECT:
		case SIFT_SIEVE_ACT_EREJECT:
		case SIFT_SIEVE_ACT_TEMPFAIL:
		case SIFT_SIEVE_ACT_QUARANTINE:
			return &res->actions[i];
		default:
			break;
		}
	}
	return NULL;
}

static const char *const action_names[] = {
    [SIFT_SIEVE_ACT_REDIRECT] = "redirect", [SIFT_SIEVE_ACT_REJECT] = "reject",
    [SIFT_SIEVE_ACT_EREJECT] = "ereject",   [SIFT_SIEVE_ACT_TEMPFAIL] = "tempfail",
    [SIFT_SIEVE_ACT_QUARANTINE] = "quarantine",
};

/* Runs one rule's script on mail and acts on the result in trans (the
   flag changes and expunge; copies commit on their own). */
static void
run_rule(struct mailsift_user *muser, struct mail_user *user, struct imap_rule *rule,
         struct mail *mail, const struct event_rec *ev)
{
	struct sift_sieve_program *prog;
	const char *error;
	enum mailsift_script_status st =
	    mailsift_script_get(rule->path, &muser->limits, user->event, &prog, &error);
	if (st == MAILSIFT_SCRIPT_MISSING) {
		/* Once per session, not once per message. */
		if (!rule->missing)
			e_warning(user->event, "mailsift: imap rule %s: no such script", rule->path);
		rule->missing = TRUE;
		return;
	}
	rule->missing = FALSE;
	if (st != MAILSIFT_SCRIPT_OK)
		return;
	if (sift_sieve_program_has(prog, "envelope")) {
		e_error(user->event,
		        "mailsift: %s: the envelope test is not available at IMAP events "
		        "(message left as it is)",
		        rule->path);
		sift_sieve_program_unref(&prog);
		return;
	}
	struct sift_message *msg =
	    mailsift_mail_parse(mail, &muser->limits, user->set->mail_temp_dir, &error);
	if (msg == NULL) {
		e_error(user->event, "mailsift: %s: %s", rule->path, error);
		sift_sieve_program_unref(&prog);
		return;
	}
	static const char *const cause_names[] = {
	    [CAUSE_APPEND] = "APPEND", [CAUSE_COPY] = "COPY", [CAUSE_FLAG] = "FLAG"};
	struct event_host eh = {
	    .user = user,
	    .cause = cause_names[ev->cause],
	    .mailbox = mailbox_get_vname(mail->box),
	    .changed = ev->changed != NULL ? ev->changed : "",
	};
	struct sift_sieve_host host = {
	    .context = &eh,
	    .mailbox_exists = event_mailbox_exists,
	    .environment = event_environment,
	};
	struct tm *tm = localtime(&ioloop_time);
	struct sift_sieve_run_params params = {
	    .msg = msg,
	    .envelope = {.from = "", .to = ""},
	    .host = &host,
	    .location = "MS",
	    .phase = "post",
	    .now = ioloop_time,
	    .now_zone = tm != NULL ? utc_offset(tm, ioloop_time) : 0,
	    .limits = &muser->limits,
	    .scratch = mailsift_scratch(),
	    .flags = mailsift_mail_flags_text(mail),
	};
	struct sift_sieve_result *res = NULL;
	const struct sift_sieve_action *bad;
	if (sift_sieve_run(prog, &params, &res, &error) < 0) {
		e_error(user->event, "mailsift: %s: %s (message left as it is)", rule->path, error);
	} else if (res->failed) {
		e_error(user->event, "mailsift: %s: line %u: %s (message left as it is)", rule->path,
		        res->error_line, res->error);
	} else if ((bad = forbidden_action(res)) != NULL) {
		e_error(user->event,
		        "mailsift: %s: line %u: %s is not available at IMAP events "
		        "(message left as it is)",
		        rule->path, bad->line, action_names[bad->type]);
	} else {
		bool discard = FALSE;
		const char *const *keep_flags = NULL;
		for (size_t i = 0; i < res->nactions; i++) {
			const struct sift_sieve_action *a = &res->actions[i];
			if (a->type == SIFT_SIEVE_ACT_FILEINTO) {
				T_BEGIN {
					const char *vname = t_strndup(a->arg, a->arg_len);
					const char *const *flags = a->has_flags ? a->flags : NULL;
					const char *cerror;
					if (mailsift_mail_copy_into(user, mail, vname, a->create, flags,
					                            NULL, &cerror) < 0)
						e_error(user->event, "mailsift: fileinto %s: %s",
						        str_sanitize(vname, 80), cerror);
					else
						e_info(user->event, "mailsift: copied to %s",
						       str_sanitize(vname, 80));
				}
				T_END;
			} else if (a->type == SIFT_SIEVE_ACT_KEEP && a->has_flags) {
				keep_flags = a->flags;
			} else if (a->type == SIFT_SIEVE_ACT_DISCARD) {
				discard = TRUE;
			}
		}
		if (res->implicit_keep && res->implicit_keep_has_flags)
			keep_flags = res->implicit_keep_flags;
		if (discard && !res->implicit_keep && keep_flags == NULL) {
			mail_update_flags(mail, MODIFY_ADD, MAIL_DELETED);
			mail_expunge(mail);
			e_info(user->event, "mailsift: %s: discarded (expunged) uid %u", rule->path,
			       mail->uid);
		} else if (keep_flags != NULL &&
		           strcmp(params.flags, t_strarray_join(keep_flags, " ")) != 0) {
			mailsift_mail_set_flags(mail, keep_flags);
		}
	}
	sift_sieve_result_free(&res);
	sift_message_destroy(&msg);
	sift_sieve_program_unref(&prog);
}

/* After the client's transaction: each recorded message, each matching
   rule. */
static void
run_events(struct mailsift_user *muser, struct mailbox *orig_box,
           const ARRAY_TYPE(seq_range) *saved_uids, const ARRAY_TYPE(event_rec) *saves,
           const ARRAY_TYPE(event_rec) *flags)
{
	struct mail_user *user = orig_box->storage->user;
	ARRAY_TYPE(event_rec) events;
	t_array_init(&events, 8);
	if (array_count(saves) > 0 && saved_uids != NULL) {
		struct seq_range_iter iter;
		seq_range_array_iter_init(&iter, saved_uids);
		const struct event_rec *ev;
		unsigned int n = 0;
		uint32_t uid;
		array_foreach(saves, ev) {
			if (!seq_range_array_iter_nth(&iter, n++, &uid))
				break;
			struct event_rec *e = array_append_space(&events);
			*e = *ev;
			e->uid = uid;
		}
	}
	array_append_array(&events, flags);
	if (array_count(&events) == 0)
		return;

	struct mailbox *box = mailbox_alloc(orig_box->list, orig_box->vname, 0);
	if (mailbox_sync(box, 0) < 0) {
		e_error(user->event, "mailsift: imap rules on %s: %s", orig_box->vname,
		        mailbox_get_last_internal_error(box, NULL));
		mailbox_free(&box);
		return;
	}
	/* Not an EXTERNAL transaction: its expunges and flag changes must go
	   through the storage, not only into the index. */
	struct mailbox_transaction_context *t = mailbox_transaction_begin(box, 0, "mailsift imap rules");
	struct mail *mail = mail_alloc(t, 0, NULL);
	const struct event_rec *ev;
	array_foreach(&events, ev) {
		if (!mail_set_uid(mail, ev->uid))
			continue; /* expunged meanwhile */
		struct imap_rule *rule;
		array_foreach_modifiable(&muser->rules, rule) {
			if ((rule->causes & ev->cause) == 0 || !rule_matches(user, rule, box->vname))
				continue;
			T_BEGIN {
				run_rule(muser, user, rule, mail, ev);
			}
			T_END;
			if (mail->expunged)
				break;
		}
	}
	mail_free(&mail);
	/* The sync after the commit carries out expunges in the storage. */
	if (mailbox_transaction_commit(&t) < 0 || mailbox_sync(box, 0) < 0)
		e_error(user->event, "mailsift: imap rules on %s: %s", box->vname,
		        mailbox_get_last_internal_error(box, NULL));
	mailbox_free(&box);
}

/* ---- hooks into the storage ---- */

static struct mailsift_transaction *
trans_ctx(struct mailbox_transaction_context *t)
{
	return MAILSIFT_TRANS_CONTEXT(t);
}

static void
record(struct mailbox_transaction_context *t, enum cause cause, uint32_t uid, const char *changed)
{
	struct mailsift_transaction *mt = trans_ctx(t);
	if (mt == NULL)
		return;
	if (cause == CAUSE_FLAG && array_count(&mt->flags) > 0) {
		/* One STORE changes a message's flags and then its keywords, in
		   two calls one after the other: one event per message, with
		   every flag that changed.  Only the last event can be the same
		   message's, so a STORE over many messages stays linear. */
		struct event_rec *e = array_back_modifiable(&mt->flags);
		if (e->uid == uid) {
			const char *const *had = t_strsplit_spaces(e->changed, " ");
			const char *const *now = t_strsplit_spaces(changed, " ");
			for (; *now != NULL; now++) {
				if (!str_array_icase_find(had, *now))
					e->changed = p_strconcat(mt->pool, e->changed, " ", *now, NULL);
			}
			return;
		}
	}
	struct event_rec *e = cause == CAUSE_FLAG ? array_append_space(&mt->flags)
	                                          : array_append_space(&mt->saves);
	e->cause = cause;
	e->uid = uid;
	e->changed = changed != NULL ? p_strdup(mt->pool, changed) : NULL;
}

static struct mailbox_transaction_context *
mailsift_transaction_begin(struct mailbox *box, enum mailbox_transaction_flags flags,
                           const char *reason)
{
	struct mailsift_mailbox *mbox = MAILSIFT_BOX_CONTEXT(box);
	struct mailbox_transaction_context *t =
	    mbox->module_ctx.super.transaction_begin(box, flags, reason);
	pool_t pool = pool_alloconly_create("mailsift transaction", 512);
	struct mailsift_transaction *mt = p_new(pool, struct mailsift_transaction, 1);
	mt->pool = pool;
	p_array_init(&mt->saves, pool, 4);
	p_array_init(&mt->flags, pool, 4);
	MODULE_CONTEXT_SET(t, mailsift_storage_module, mt);
	return t;
}

static int
mailsift_transaction_commit(struct mailbox_transaction_context *t,
                            struct mail_transaction_commit_changes *changes_r)
{
	struct mailbox *box = t->box;
	struct mailsift_mailbox *mbox = MAILSIFT_BOX_CONTEXT(box);
	struct mailsift_transaction *mt = trans_ctx(t);
	struct mailsift_user *muser = MAILSIFT_USER_CONTEXT(box->storage->user);
	int ret = mbox->module_ctx.super.transaction_commit(t, changes_r);
	if (ret == 0 && mt != NULL && muser != NULL && !muser->acting) {
		muser->acting = TRUE;
		T_BEGIN {
			run_events(muser, box, &changes_r->saved_uids, &mt->saves, &mt->flags);
		}
		T_END;
		muser->acting = FALSE;
	}
	if (mt != NULL)
		pool_unref(&mt->pool);
	return ret;
}

static void
mailsift_transaction_rollback(struct mailbox_transaction_context *t)
{
	struct mailsift_mailbox *mbox = MAILSIFT_BOX_CONTEXT(t->box);
	struct mailsift_transaction *mt = trans_ctx(t);
	mbox->module_ctx.super.transaction_rollback(t);
	if (mt != NULL)
		pool_unref(&mt->pool);
}

static bool
box_wants(struct mailbox *box, enum cause cause)
{
	struct mailsift_user *muser = MAILSIFT_USER_CONTEXT(box->storage->user);
	return muser != NULL && !muser->acting &&
	       rules_match(box->storage->user, muser, box->vname, cause);
}

static int
mailsift_save_finish(struct mail_save_context *ctx)
{
	struct mailbox_transaction_context *t = ctx->transaction;
	struct mailsift_mailbox *mbox = MAILSIFT_BOX_CONTEXT(t->box);
	struct mailsift_transaction *mt = trans_ctx(t);
	int ret = mbox->module_ctx.super.save_finish(ctx);
	if (ret == 0 && mt != NULL && !mt->copying && box_wants(t->box, CAUSE_APPEND))
		record(t, CAUSE_APPEND, 0, NULL);
	return ret;
}

static int
mailsift_copy(struct mail_save_context *ctx, struct mail *mail)
{
	struct mailbox_transaction_context *t = ctx->transaction;
	struct mailsift_mailbox *mbox = MAILSIFT_BOX_CONTEXT(t->box);
	struct mailsift_transaction *mt = trans_ctx(t);
	if (mt != NULL)
		mt->copying = TRUE;
	int ret = mbox->module_ctx.super.copy(ctx, mail);
	if (mt != NULL)
		mt->copying = FALSE;
	if (ret == 0 && mt != NULL && box_wants(t->box, CAUSE_COPY))
		record(t, CAUSE_COPY, 0, NULL);
	return ret;
}

static const char *
changed_flags(struct mail *mail, enum modify_type type, enum mail_flags flags,
              const char *const *keywords)
{
	string_t *str = t_str_new(64);
	if (keywords == NULL) {
		enum mail_flags old = mail_get_flags(mail) & MAIL_FLAGS_NONRECENT;
		enum mail_flags now = type == MODIFY_ADD      ? old | flags
		                      : type == MODIFY_REMOVE ? old & ~flags
		                                              : flags;
		mailsift_append_system_flags(str, (old ^ now) & MAIL_FLAGS_NONRECENT);
		return str_c(str);
	}
	const char *const *old = mail_get_keywords(mail);
	for (const char *const *k = keywords; *k != NULL; k++) {
		bool had = old != NULL && str_array_icase_find(old, *k);
		if ((type == MODIFY_ADD && !had) || (type == MODIFY_REMOVE && had) ||
		    (type == MODIFY_REPLACE && !had)) {
			if (str_len(str) > 0)
				str_append_c(str, ' ');
			str_append(str, *k);
		}
	}
	if (type == MODIFY_REPLACE) {
		for (const char *const *k = old; k != NULL && *k != NULL; k++) {
			if (!str_array_icase_find(keywords, *k)) {
				if (str_len(str) > 0)
					str_append_c(str, ' ');
				str_append(str, *k);
			}
		}
	}
	return str_c(str);
}

static void
mailsift_update_flags(struct mail *_mail, enum modify_type type, enum mail_flags flags)
{
	struct mail_private *mail = (struct mail_private *)_mail;
	union mail_module_context *mmail = MAILSIFT_MAIL_CONTEXT(mail);
	const char *changed = NULL;
	if (box_wants(_mail->box, CAUSE_FLAG))
		changed = changed_flags(_mail, type, flags, NULL);
	mmail->super.update_flags(_mail, type, flags);
	if (changed != NULL && changed[0] != '\0')
		record(_mail->transaction, CAUSE_FLAG, _mail->uid, changed);
}

static void
mailsift_update_keywords(struct mail *_mail, enum modify_type type, struct mail_keywords *kw)
{
	struct mail_private *mail = (struct mail_private *)_mail;
	union mail_module_context *mmail = MAILSIFT_MAIL_CONTEXT(mail);
	const char *changed = NULL;
	if (box_wants(_mail->box, CAUSE_FLAG)) {
		/* The names of the keywords, by their index in the mailbox. */
		struct mailbox_status status;
		mailbox_get_open_status(_mail->box, STATUS_KEYWORDS, &status);
		unsigned int nall = array_count(status.keywords);
		const char *const *all = array_front(status.keywords);
		const char **names = t_new(const char *, (kw != NULL ? kw->count : 0) + 1);
		unsigned int n = 0;
		for (unsigned int i = 0; kw != NULL && i < kw->count; i++) {
			if (kw->idx[i] < nall)
				names[n++] = all[kw->idx[i]];
		}
		changed = changed_flags(_mail, type, 0, names);
	}
	mmail->super.update_keywords(_mail, type, kw);
	if (changed != NULL && changed[0] != '\0')
		record(_mail->transaction, CAUSE_FLAG, _mail->uid, changed);
}

static void
mailsift_mail_allocated(struct mail *_mail)
{
	struct mail_private *mail = (struct mail_private *)_mail;
	struct mailsift_user *muser = MAILSIFT_USER_CONTEXT(_mail->box->storage->user);
	if (muser == NULL)
		return;
	struct mail_vfuncs *v = mail->vlast;
	union mail_module_context *mmail = p_new(mail->pool, union mail_module_context, 1);
	mmail->super = *v;
	mail->vlast = &mmail->super;
	v->update_flags = mailsift_update_flags;
	v->update_keywords = mailsift_update_keywords;
	MODULE_CONTEXT_SET_SELF(mail, mailsift_mail_module, mmail);
}

static void
mailsift_mailbox_allocated(struct mailbox *box)
{
	struct mailsift_user *muser = MAILSIFT_USER_CONTEXT(box->storage->user);
	if (muser == NULL)
		return;
	struct mailbox_vfuncs *v = box->vlast;
	struct mailsift_mailbox *mbox = p_new(box->pool, struct mailsift_mailbox, 1);
	mbox->module_ctx.super = *v;
	box->vlast = &mbox->module_ctx.super;
	v->transaction_begin = mailsift_transaction_begin;
	v->transaction_commit = mailsift_transaction_commit;
	v->transaction_rollback = mailsift_transaction_rollback;
	v->save_finish = mailsift_save_finish;
	v->copy = mailsift_copy;
	MODULE_CONTEXT_SET(box, mailsift_storage_module, mbox);
}

static void
mailsift_mail_user_created(struct mail_user *user)
{
	/* Events come from IMAP clients only. */
	if (user->service == NULL || strcmp(user->service, "imap") != 0)
		return;
	struct mailsift_user *muser = p_new(user->pool, struct mailsift_user, 1);
	p_array_init(&muser->rules, user->pool, 4);
	read_rules(user, muser);
	if (array_count(&muser->rules) == 0)
		return;
	struct mailsift_settings set;
	const char *error;
	if (mailsift_settings_read(user, &set, &error) < 0) {
		e_error(user->event, "mailsift: %s (imap rules use the default limits)", error);
		sift_limits_init(&set.limits);
	}
	muser->limits = set.limits;
	MODULE_CONTEXT_SET(user, mailsift_user_module, muser);
}

static struct mail_storage_hooks mailsift_events_hooks = {
    .mail_user_created = mailsift_mail_user_created,
    .mailbox_allocated = mailsift_mailbox_allocated,
    .mail_allocated = mailsift_mail_allocated,
};

void
mailsift_imap_events_init(struct module *module)
{
	mail_storage_hooks_add(module, &mailsift_events_hooks);
}

void
mailsift_imap_events_deinit(void)
{
	mail_storage_hooks_remove(&mailsift_events_hooks);
}
