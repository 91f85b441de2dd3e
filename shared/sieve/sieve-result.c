/* SPDX-License-Identifier: MIT */
/* The result of a run: actions in the order decided, with the merging
   and conflict rules of RFC 5228 4 and RFC 5429, the limits on actions
   and redirects, and whether the implicit keep stands.  Duplicates merge
   into the first occurrence as Pigeonhole does (the last one's flags
   win, :copy and :create of the first stay), so reports agree. */

#include <string.h>

#include "util/str.h"
#include "sieve/sieve-private.h"

static bool
is_store(const struct sift_sieve_action *a)
{
	return a->type == SIFT_SIEVE_ACT_KEEP || a->type == SIFT_SIEVE_ACT_FILEINTO;
}

static bool
is_inbox(const char *name, size_t len)
{
	return sift_mem_eq_ci_len(name, len, "INBOX", 5);
}

static bool
same_store(const struct sift_sieve_action *a, const struct sift_sieve_action *b)
{
	if (is_inbox(a->arg, a->arg_len) && is_inbox(b->arg, b->arg_len))
		return a->type == SIFT_SIEVE_ACT_KEEP || b->type == SIFT_SIEVE_ACT_KEEP ||
		       (a->arg_len == b->arg_len && memcmp(a->arg, b->arg, a->arg_len) == 0);
	return a->arg_len == b->arg_len && memcmp(a->arg, b->arg, a->arg_len) == 0;
}

static const char *
action_word(const struct sift_sieve_action *a)
{
	switch (a->type) {
	case SIFT_SIEVE_ACT_KEEP:
	case SIFT_SIEVE_ACT_FILEINTO:
		return "store";
	case SIFT_SIEVE_ACT_REDIRECT:
		return "redirect";
	case SIFT_SIEVE_ACT_DISCARD:
		return "discard";
	case SIFT_SIEVE_ACT_REJECT:
		return "reject";
	case SIFT_SIEVE_ACT_EREJECT:
		return "ereject";
	default:
		return "other";
	}
}

static bool
counts_as_action(const struct sift_sieve_action *a)
{
	return a->type != SIFT_SIEVE_ACT_ADDHEADER && a->type != SIFT_SIEVE_ACT_DELETEHEADER;
}

int
sift_result_add(struct sift_run *run, struct sift_sieve_action *action)
{
	struct sift_sieve_result *res = run->result;
	bool rejecting =
	    action->type == SIFT_SIEVE_ACT_REJECT || action->type == SIFT_SIEVE_ACT_EREJECT;
	size_t counted = 0;
	for (size_t i = 0; i < res->nactions; i++) {
		struct sift_sieve_action *old = &res->actions[i];
		bool old_rejecting =
		    old->type == SIFT_SIEVE_ACT_REJECT || old->type == SIFT_SIEVE_ACT_EREJECT;
		if (counts_as_action(old))
			counted++;
		/* RFC 5429 2.1: reject and ereject exclude delivery. */
		if (rejecting && old_rejecting)
			return sift_run_error(
			    run, NULL, action->line,
			    "second %s action not allowed (the first is on line %u)",
			    action_word(action), old->line);
		if ((rejecting && (is_store(old) || old->type == SIFT_SIEVE_ACT_REDIRECT)) ||
		    (old_rejecting &&
		     (is_store(action) || action->type == SIFT_SIEVE_ACT_REDIRECT)))
			return sift_run_error(run, NULL, action->line,
			                      "%s action conflicts with the %s action on line %u: "
			                      "the message cannot be "
			                      "both refused and delivered",
			                      rejecting ? action_word(action) : action_word(old),
			                      rejecting ? action_word(old) : action_word(action),
			                      rejecting ? old->line : action->line);
		/* Duplicates merge into the first occurrence. */
		if (is_store(old) && is_store(action) && same_store(old, action)) {
			if (action->type == SIFT_SIEVE_ACT_KEEP &&
			    old->type == SIFT_SIEVE_ACT_FILEINTO) {
				old->arg = "INBOX";
				old->arg_len = 5;
			}
			bool old_had = old->flags != NULL && old->flags[0] != NULL;
			old->flags = action->flags;
			old->has_flags = action->has_flags;
			if (!old_had)
				old->flags_first = false;
			/* A copy without :copy cancels the implicit keep after all
			   (RFC 3894 3); Pigeonhole keeps the first one's :copy. */
			old->copy = old->copy && action->copy;
			return 0;
		}
		if (old->type == SIFT_SIEVE_ACT_REDIRECT &&
		    action->type == SIFT_SIEVE_ACT_REDIRECT && old->arg_len == action->arg_len &&
		    memcmp(old->arg, action->arg, action->arg_len) == 0) {
			old->copy = old->copy && action->copy;
			return 0;
		}
		if (old->type == SIFT_SIEVE_ACT_DISCARD && action->type == SIFT_SIEVE_ACT_DISCARD)
			return 0;
		if ((old->type == SIFT_SIEVE_ACT_TEMPFAIL ||
		     old->type == SIFT_SIEVE_ACT_QUARANTINE) &&
		    old->type == action->type)
			return 0;
	}
	if (counts_as_action(action)) {
		uint64_t max = sift_limit(run->limits, SIFT_LIMIT_ACTIONS);
		if (counted + 1 > max)
			return sift_run_error(run, NULL, action->line,
			                      "too many actions (%zu, limit %llu)", counted + 1,
			                      (unsigned long long)max);
	}
	if (action->type == SIFT_SIEVE_ACT_REDIRECT) {
		uint64_t max = sift_limit(run->limits, SIFT_LIMIT_REDIRECTS);
		if (run->redirects + 1 > max)
			return sift_run_error(run, NULL, action->line,
			                      "too many redirect actions (%zu, limit %llu)",
			                      run->redirects + 1, (unsigned long long)max);
		run->redirects++;
	}
	if (res->nactions == run->actions_alloc) {
		size_t n = run->actions_alloc == 0 ? 8 : run->actions_alloc * 2;
		struct sift_sieve_action *arr = sift_arena_alloc(run->arena, n * sizeof(*arr));
		if (res->nactions > 0)
			memcpy(arr, res->actions, res->nactions * sizeof(*arr));
		res->actions = arr;
		run->actions_alloc = n;
	}
	res->actions[res->nactions++] = *action;
	return 0;
}

/* Whether the actions decided leave the implicit keep in place
   (RFC 5228 2.10.2): every delivering or refusing action without :copy
   cancels it. */
bool sift_result_keeps(const struct sift_sieve_result *res);
bool
sift_result_keeps(const struct sift_sieve_result *res)
{
	for (size_t i = 0; i < res->nactions; i++) {
		const struct sift_sieve_action *a = &res->actions[i];
		switch (a->type) {
		case SIFT_SIEVE_ACT_KEEP:
		case SIFT_SIEVE_ACT_DISCARD:
		case SIFT_SIEVE_ACT_REJECT:
		case SIFT_SIEVE_ACT_EREJECT:
			return false;
		case SIFT_SIEVE_ACT_FILEINTO:
		case SIFT_SIEVE_ACT_REDIRECT:
			if (!a->copy)
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}
