/* SPDX-License-Identifier: MIT */
#ifndef SIFT_SIEVE_EXT_H
#define SIFT_SIEVE_EXT_H

/* The command and test definitions of every extension, collected in
   sieve-ext.c.  One ext-<name>.c per extension defines its own. */

#include "sieve/sieve-private.h"

#define SIFT_T(tag) (UINT64_C(1) << (SIFT_TAG_##tag))
#define SIFT_TAGS_MATCH                                                                            \
	(SIFT_T(COMPARATOR) | SIFT_T(IS) | SIFT_T(CONTAINS) | SIFT_T(MATCHES) | SIFT_T(REGEX) |    \
	 SIFT_T(VALUE) | SIFT_T(COUNT))
#define SIFT_TAGS_ADDRESS_PART                                                                     \
	(SIFT_T(ALL) | SIFT_T(LOCALPART) | SIFT_T(DOMAIN) | SIFT_T(USER) | SIFT_T(DETAIL))

/* ext-core.c (RFC 5228) */
extern const struct sift_cmd_def sift_cmd_require, sift_cmd_if, sift_cmd_elsif, sift_cmd_else,
    sift_cmd_stop, sift_cmd_keep, sift_cmd_discard, sift_cmd_redirect, sift_test_address,
    sift_test_header, sift_test_exists, sift_test_size, sift_test_allof, sift_test_anyof,
    sift_test_not, sift_test_true, sift_test_false;
/* ext-fileinto.c, ext-envelope.c, ext-reject.c */
extern const struct sift_cmd_def sift_cmd_fileinto, sift_test_envelope, sift_cmd_reject,
    sift_cmd_ereject;
/* ext-imap4flags.c */
extern const struct sift_cmd_def sift_cmd_setflag, sift_cmd_addflag, sift_cmd_removeflag,
    sift_test_hasflag;
/* ext-variables.c */
extern const struct sift_cmd_def sift_cmd_set, sift_test_string;
/* ext-body.c, ext-date.c */
extern const struct sift_cmd_def sift_test_body, sift_test_date, sift_test_currentdate;
/* ext-editheader.c */
extern const struct sift_cmd_def sift_cmd_addheader, sift_cmd_deleteheader;
/* ext-environment.c, ext-mailbox.c, ext-ihave.c */
extern const struct sift_cmd_def sift_test_environment, sift_test_mailboxexists, sift_test_ihave,
    sift_cmd_error;
/* ext-vnd-mailsift.c */
extern const struct sift_cmd_def sift_cmd_tempfail, sift_cmd_quarantine;

/* Helpers shared by the extensions (sieve-interp.c). */

/* Address-part of one address for the address and envelope tests; NULL
   when the part does not exist (:detail without separator). */
const char *sift_address_part(struct sift_run *run, enum sift_tag part, const char *local,
                              size_t local_len, const char *domain, size_t domain_len,
                              size_t *len_r);
/* Validation helper: a :comparator/:match argument check shared by tests. */
int sift_validate_match(struct sift_vctx *vctx, struct sift_node *node, struct sift_slist *keys);

/* sieve-interp.c: calls fn for each header field the test looks at: the
   fields named by the strings of `names`, in message order, only the one
   :index/:last selects when given, until fn returns true. */
typedef bool sift_field_fn(struct sift_run *run, struct sift_matcher *m, struct sift_header *field);
void sift_run_fields(struct sift_run *run, const struct sift_node *node,
                     const struct sift_slist *names, struct sift_matcher *m, sift_field_fn *fn);
bool sift_index_selects(const struct sift_node *node, size_t pos, size_t total);
int sift_validate_index(struct sift_vctx *vctx, struct sift_node *node);

/* ext-imap4flags.c: the flags a keep or fileinto stores with: its :flags
   argument, else the internal variable when imap4flags is in use.  Sets
   *has_flags_r false when neither applies. */
const char **sift_store_flags(struct sift_run *run, const struct sift_node *node, bool *has_flags_r,
                              bool *flags_first_r);

/* ext-core.c: normalises a redirect address ("Name <a@b>" → "a@B" with
   the domain in lower case); NULL when it is not one valid address. */
const char *sift_redirect_address(struct sift_arena *arena, const char *in, size_t len,
                                  size_t *len_r);
/* ext-body.c: frees the body pieces a run kept (the list itself lives in
   the run's scratch arena). */
void sift_body_cache_release(struct sift_body_cache *cache);

/* ext-fileinto.c: checks a mailbox name; NULL when fine, else why not. */
const char *sift_mailbox_name_problem(const char *name, size_t len);
#endif
