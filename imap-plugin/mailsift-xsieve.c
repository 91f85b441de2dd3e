/* SPDX-License-Identifier: MIT */
/* The X-SIEVE search key: SEARCH X-SIEVE "<sieve test>" selects the
   messages for which that one Sieve test is true, combined with every
   other key by Dovecot itself (AND, OR, NOT, sequence sets, SEARCHRES,
   ESEARCH, SORT, THREAD, CONTEXT=SEARCH updates).

   Dovecot's search argument types are a closed set, so the key rides on
   one that nothing else evaluates before us: the parser (registered in
   the IMAP search-key registry) compiles the test, so a bad one is a
   tagged BAD at once, and returns a SEARCH_GUID argument whose value is
   XSIEVE_PREFIX + the test.  Like Dovecot's fts plugin, the mailbox's
   search functions are wrapped:

     search_init             compiles each distinct test text again, with
                             the user's limits, into this search's context
     search_next_match_mail  runs the undecided X-SIEVE arguments on the
                             candidate message (after Dovecot has narrowed
                             by sequence set, UID and flags) and sets
                             their results before Dovecot's own matcher
                             runs, which then never looks at them
     search_next_update_seq,
     search_next_nonblock    stop the search once a test has failed
     search_deinit           turns that failure into the storage error:
                             a tagged NO [LIMIT] or NO [SERVERBUG]

   Only tests on the message itself are allowed: Dovecot remembers a
   static key's non-matches for search updates, so a test that depends on
   flags, the time, the envelope, the environment or other mailboxes is
   refused when parsed.  Nothing is stored in the argument but its text
   (arguments are refcounted, duplicated and shared, and index-search frees
   their context pointer). */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "ioloop.h"
#include "module-context.h"
#include "mail-user.h"
#include "mail-storage-private.h"
#include "mail-storage-hooks.h"
#include "mail-search.h"
#include "mail-search-build.h"
#include "mail-search-parser.h"
#include "mail-search-register.h"

#include "mailsift-plugin.h"
#include "mail/message-parser.h"
#include "util/diag.h"

#include <string.h>

/* No GUID holds a \001. */
#define XSIEVE_PREFIX "\001x-sieve\001"
#define XSIEVE_KEY "X-SIEVE"
/* The longest test text accepted. */
#define XSIEVE_MAX_TEXT 8192

#define XSIEVE_BOX_CONTEXT(obj) MODULE_CONTEXT(obj, xsieve_storage_module)
#define XSIEVE_BOX_CONTEXT_REQUIRE(obj) MODULE_CONTEXT_REQUIRE(obj, xsieve_storage_module)
#define XSIEVE_SEARCH_CONTEXT(obj) MODULE_CONTEXT(obj, xsieve_storage_module)

struct xsieve_mailbox {
	union mailbox_module_context module_ctx;
};

/* One distinct test text of a search, compiled, with its result on the
   message being matched (identical keys are evaluated once). */
struct xsieve_test {
	const char *text;
	struct sift_sieve_program *program;
	unsigned int memo_gen;
	int memo_ret;
};

struct xsieve_search {
	union mail_search_module_context module_ctx;
	pool_t pool;
	struct mail_user *user;
	struct sift_limits limits;
	ARRAY(struct xsieve_test *) tests;
	unsigned int eval_gen;
	unsigned int evaluations;

	/* The first failure, reported by search_deinit. */
	bool failed;
	enum mail_error error_code;
	const char *error;
};

/* The message being matched, parsed once for all its tests. */
struct xsieve_eval {
	struct xsieve_search *xs;
	struct mail *mail;
	struct sift_message *msg;
	bool lost;
};

static MODULE_CONTEXT_DEFINE_INIT(xsieve_storage_module, &mail_storage_module_register);

/* Tests that depend on more than the message. */
static const char *const refused_tests[] = {
    "envelope", "environment", "hasflag", "mailboxexists", "currentdate",
};

/* ---- compiling ---- */

static const char *
first_error(const struct sift_diags *diags)
{
	for (size_t i = 0; i < diags->count; i++) {
		const struct sift_diag *d = &diags->items[i];
		if (d->severity != SIFT_SEV_ERROR)
			continue;
		if (d->line == 0)
			return t_strdup(d->text);
		return t_strdup_printf("line %u, column %u: %s", d->line, d->column, d->text);
	}
	return "does not compile";
}

/* Compiles a test text; NULL with *error_r (for the client). */
static struct sift_sieve_program *
xsieve_compile(const char *text, const struct sift_limits *limits, const char **error_r)
{
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile_test(text, strlen(text), limits, &diags);
	if (prog == NULL)
		*error_r = first_error(&diags);
	sift_diags_free(&diags);
	if (prog == NULL)
		return NULL;
	for (unsigned int i = 0; i < N_ELEMENTS(refused_tests); i++) {
		if (sift_sieve_program_has(prog, refused_tests[i])) {
			*error_r = t_strdup_printf("the %s test cannot select stored messages: "
			                           "only tests of the message itself can",
			                           refused_tests[i]);
			sift_sieve_program_unref(&prog);
			return NULL;
		}
	}
	return prog;
}

static bool
arg_is_ours(const struct mail_search_arg *arg)
{
	return arg->type == SEARCH_GUID && arg->value.str != NULL &&
	       str_begins(arg->value.str, XSIEVE_PREFIX);
}

static const char *
arg_text(const struct mail_search_arg *arg)
{
	return arg->value.str + strlen(XSIEVE_PREFIX);
}

/* X-SIEVE <astring>: compiled here so that a broken test is a BAD reply. */
static struct mail_search_arg *
xsieve_search_build(struct mail_search_build_context *ctx)
{
	const char *value, *text, *error;
	if (mail_search_parse_string(ctx->parser, &value) < 0)
		return NULL;
	struct mail_search_arg *sarg = mail_search_build_new(ctx, SEARCH_GUID);
	/* The CHARSET's text as UTF-8, not title-cased as Dovecot's own
	   keys are: Sieve strings are case-sensitive. */
	if (mail_search_build_get_utf8(ctx, value, &text) < 0)
		return NULL;
	if (strlen(text) > XSIEVE_MAX_TEXT) {
		ctx->_error = p_strdup_printf(ctx->pool, XSIEVE_KEY ": the test is longer than %u bytes",
		                              XSIEVE_MAX_TEXT);
		return NULL;
	}
	struct sift_sieve_program *prog = xsieve_compile(text, NULL, &error);
	if (prog == NULL) {
		ctx->_error = p_strconcat(ctx->pool, XSIEVE_KEY ": ", error, NULL);
		return NULL;
	}
	sift_sieve_program_unref(&prog);
	sarg->value.str = p_strconcat(ctx->pool, XSIEVE_PREFIX, text, NULL);
	sarg->no_fts = TRUE;
	return sarg;
}

static const struct mail_search_register_arg xsieve_register_arg = {
    .key = XSIEVE_KEY,
    .build = xsieve_search_build,
};

/* ---- one search ---- */

static void
xsieve_fail(struct xsieve_search *xs, enum mail_error code, const char *error)
{
	if (xs->failed)
		return;
	xs->failed = TRUE;
	xs->error_code = code;
	xs->error = p_strconcat(xs->pool, XSIEVE_KEY ": ", error, NULL);
}

static struct xsieve_test *
xsieve_get_test(struct xsieve_search *xs, const char *text)
{
	struct xsieve_test *const *tp;
	array_foreach(&xs->tests, tp) {
		if (strcmp((*tp)->text, text) == 0)
			return *tp;
	}
	const char *error;
	struct sift_sieve_program *prog = xsieve_compile(text, &xs->limits, &error);
	if (prog == NULL) {
		xsieve_fail(xs, MAIL_ERROR_PARAMS, error);
		return NULL;
	}
	struct xsieve_test *test = p_new(xs->pool, struct xsieve_test, 1);
	test->text = p_strdup(xs->pool, text);
	test->program = prog;
	array_push_back(&xs->tests, &test);
	return test;
}

/* Whether args hold our key (INTHREAD's subargs are a search of their own,
   which comes through these hooks again). */
static bool
args_have_ours(const struct mail_search_arg *args)
{
	for (; args != NULL; args = args->next) {
		if (args->type == SEARCH_OR || args->type == SEARCH_SUB) {
			if (args_have_ours(args->value.subargs))
				return TRUE;
		} else if (arg_is_ours(args)) {
			return TRUE;
		}
	}
	return FALSE;
}

/* Compiles every test up front: a broken one fails the search even when
   no message reaches it. */
static void
collect_tests(struct xsieve_search *xs, const struct mail_search_arg *args)
{
	for (; args != NULL && !xs->failed; args = args->next) {
		if (args->type == SEARCH_OR || args->type == SEARCH_SUB)
			collect_tests(xs, args->value.subargs);
		else if (arg_is_ours(args))
			(void)xsieve_get_test(xs, arg_text(args));
	}
}

static struct mail_search_context *
xsieve_search_init(struct mailbox_transaction_context *t, struct mail_search_args *args,
                   const enum mail_sort_type *sort_program, enum mail_fetch_field wanted_fields,
                   struct mailbox_header_lookup_ctx *wanted_headers)
{
	struct xsieve_mailbox *xbox = XSIEVE_BOX_CONTEXT_REQUIRE(t->box);
	struct mail_search_context *ctx =
	    xbox->module_ctx.super.search_init(t, args, sort_program, wanted_fields, wanted_headers);
	if (!args_have_ours(args->args))
		return ctx;

	pool_t pool = pool_alloconly_create("mailsift x-sieve", 1024);
	struct xsieve_search *xs = p_new(pool, struct xsieve_search, 1);
	xs->pool = pool;
	xs->user = t->box->storage->user;
	p_array_init(&xs->tests, pool, 4);
	MODULE_CONTEXT_SET(ctx, xsieve_storage_module, xs);

	struct mailsift_settings set;
	const char *error;
	T_BEGIN {
		if (mailsift_settings_read(xs->user, &set, &error) < 0) {
			e_error(xs->user->event, "mailsift: %s", error);
			xsieve_fail(xs, MAIL_ERROR_TEMP, "the server's settings are broken");
		}
		xs->limits = set.limits;
		xs->limits.value[SIFT_LIMIT_CPU_TIME] = set.search_cpu_time;
	}
	T_END;
	if (xbox->module_ctx.super.search_next_match_mail == NULL ||
	    strcmp(t->box->storage->name, "imapc") == 0 ||
	    strcmp(t->box->storage->name, "pop3c") == 0) {
		/* A proxy storage would send the disguised argument to the
		   remote server (imapc builds its SEARCH in search_init). */
		xsieve_fail(xs, MAIL_ERROR_NOTPOSSIBLE, "not supported for this mailbox type");
	}
	collect_tests(xs, args->args);
	return ctx;
}

static bool
xsieve_search_next_nonblock(struct mail_search_context *ctx, struct mail **mail_r,
                            bool *tryagain_r)
{
	struct xsieve_mailbox *xbox = XSIEVE_BOX_CONTEXT_REQUIRE(ctx->transaction->box);
	struct xsieve_search *xs = XSIEVE_SEARCH_CONTEXT(ctx);
	if (xs != NULL && xs->failed) {
		*tryagain_r = FALSE;
		return FALSE;
	}
	return xbox->module_ctx.super.search_next_nonblock(ctx, mail_r, tryagain_r);
}

static bool
xsieve_search_next_update_seq(struct mail_search_context *ctx)
{
	struct xsieve_mailbox *xbox = XSIEVE_BOX_CONTEXT_REQUIRE(ctx->transaction->box);
	struct xsieve_search *xs = XSIEVE_SEARCH_CONTEXT(ctx);
	if (xs != NULL && xs->failed)
		return FALSE;
	return xbox->module_ctx.super.search_next_update_seq(ctx);
}

/* mail_search_args_foreach() visits only undecided leaves and stops an
   AND at its first 0 and an OR at its first 1, as Dovecot's matcher
   does: a test runs only when its result can still matter.  Other keys
   are left to Dovecot. */
static void
xsieve_eval_arg(struct mail_search_arg *arg, struct xsieve_eval *ev)
{
	struct xsieve_search *xs = ev->xs;
	if (!arg_is_ours(arg) || xs->failed || ev->lost)
		return;
	struct xsieve_test *test = xsieve_get_test(xs, arg_text(arg));
	if (test == NULL)
		return;
	if (test->memo_gen == xs->eval_gen) {
		ARG_SET_RESULT(arg, test->memo_ret);
		return;
	}
	int ret;
	T_BEGIN {
		const char *error;
		if (ev->msg == NULL) {
			ev->msg = mailsift_mail_parse(ev->mail, &xs->limits,
			                              xs->user->set->mail_temp_dir, &error);
			if (ev->msg == NULL) {
				if (mailsift_mail_is_lost(ev->mail))
					ev->lost = TRUE;
				else
					xsieve_fail(xs, MAIL_ERROR_TEMP, error);
			}
		}
		ret = -1;
		if (ev->msg != NULL) {
			struct sift_sieve_run_params params = {
			    .msg = ev->msg,
			    .location = "MS",
			    .phase = "post",
			    .now = ioloop_time,
			    .limits = &xs->limits,
			    .scratch = mailsift_scratch(),
			};
			struct sift_sieve_result *res;
			xs->evaluations++;
			ret = sift_sieve_test(test->program, &params, &res, &error);
			if (ret < 0) {
				/* NO [LIMIT] for CPU time and regex steps; NO
				   [SERVERBUG] when the body could not be read; NO
				   [CANNOT] for what the test itself got wrong (a
				   regex made of a match variable, say). */
				enum mail_error code = res == NULL          ? MAIL_ERROR_TEMP
				                       : res->limit_exceeded ? MAIL_ERROR_LIMIT
				                                             : MAIL_ERROR_PARAMS;
				xsieve_fail(xs, code,
				            t_strdup_printf("UID %u: %s", ev->mail->uid, error));
			}
			sift_sieve_result_free(&res);
		}
	}
	T_END;
	if (ret >= 0) {
		test->memo_gen = xs->eval_gen;
		test->memo_ret = ret;
		ARG_SET_RESULT(arg, ret);
	}
}

static int
xsieve_search_next_match_mail(struct mail_search_context *ctx, struct mail *mail)
{
	struct xsieve_mailbox *xbox = XSIEVE_BOX_CONTEXT_REQUIRE(ctx->transaction->box);
	struct xsieve_search *xs = XSIEVE_SEARCH_CONTEXT(ctx);
	if (xs != NULL) {
		struct xsieve_eval ev = {.xs = xs, .mail = mail};
		if (!xs->failed) {
			if (++xs->eval_gen == 0)
				xs->eval_gen++; /* 0 is no generation */
			(void)mail_search_args_foreach(ctx->args->args, xsieve_eval_arg, &ev);
		}
		sift_message_destroy(&ev.msg);
		if (xs->failed || ev.lost) {
			/* Not a match, and Dovecot must not evaluate the
			   disguised argument itself. */
			if (ev.lost)
				ctx->seen_lost_data = TRUE;
			mail_search_args_reset(ctx->args->args, FALSE);
			return 0;
		}
	}
	return xbox->module_ctx.super.search_next_match_mail(ctx, mail);
}

static int
xsieve_search_deinit(struct mail_search_context *ctx)
{
	struct mailbox *box = ctx->transaction->box;
	struct xsieve_mailbox *xbox = XSIEVE_BOX_CONTEXT_REQUIRE(box);
	struct xsieve_search *xs = XSIEVE_SEARCH_CONTEXT(ctx);
	/* super frees ctx and may set a storage error of its own: ours
	   goes after it. */
	int ret = xbox->module_ctx.super.search_deinit(ctx);
	if (xs == NULL)
		return ret;
	e_debug(xs->user->event, "mailsift: X-SIEVE on %s: %u tests run%s", box->vname,
	        xs->evaluations, xs->failed ? " (failed)" : "");
	if (xs->failed) {
		mail_storage_set_error(box->storage, xs->error_code, xs->error);
		ret = -1;
	}
	struct xsieve_test *const *tp;
	array_foreach(&xs->tests, tp) {
		struct sift_sieve_program *prog = (*tp)->program;
		sift_sieve_program_unref(&prog);
	}
	pool_unref(&xs->pool);
	return ret;
}

static void
xsieve_mailbox_allocated(struct mailbox *box)
{
	struct mailbox_vfuncs *v = box->vlast;
	struct xsieve_mailbox *xbox = p_new(box->pool, struct xsieve_mailbox, 1);
	xbox->module_ctx.super = *v;
	box->vlast = &xbox->module_ctx.super;
	v->search_init = xsieve_search_init;
	v->search_deinit = xsieve_search_deinit;
	v->search_next_nonblock = xsieve_search_next_nonblock;
	v->search_next_update_seq = xsieve_search_next_update_seq;
	if (v->search_next_match_mail != NULL)
		v->search_next_match_mail = xsieve_search_next_match_mail;
	MODULE_CONTEXT_SET(box, xsieve_storage_module, xbox);
}

static struct mail_storage_hooks xsieve_hooks = {
    .mailbox_allocated = xsieve_mailbox_allocated,
};

void
mailsift_xsieve_init(struct module *module)
{
	mail_storage_hooks_add(module, &xsieve_hooks);
	/* There is no way to unregister a key: the registry keeps pointing
	   here until the process exits, which is also when Dovecot unloads
	   mail plugins. */
	struct mail_search_register *reg = mail_search_register_get_imap();
	if (mail_search_register_find(reg, XSIEVE_KEY) == NULL)
		mail_search_register_add(reg, &xsieve_register_arg, 1);
}

void
mailsift_xsieve_deinit(void)
{
	mail_storage_hooks_remove(&xsieve_hooks);
}
