/* SPDX-License-Identifier: MIT */
/* The one table of Sieve extensions: capability names, the tags they
   bring and every command and test, each defined in its ext-<name>.c. */

#include <string.h>

#include "sieve/sieve-private.h"
#include "sieve/ext.h"

const char *const sift_ext_names[SIFT_EXT_COUNT] = {
    [SIFT_EXT_CORE] = "",
    [SIFT_EXT_FILEINTO] = "fileinto",
    [SIFT_EXT_ENVELOPE] = "envelope",
    [SIFT_EXT_ENCODED_CHARACTER] = "encoded-character",
    [SIFT_EXT_CMP_OCTET] = "comparator-i;octet",
    [SIFT_EXT_CMP_CASEMAP] = "comparator-i;ascii-casemap",
    [SIFT_EXT_CMP_NUMERIC] = "comparator-i;ascii-numeric",
    [SIFT_EXT_REJECT] = "reject",
    [SIFT_EXT_EREJECT] = "ereject",
    [SIFT_EXT_IMAP4FLAGS] = "imap4flags",
    [SIFT_EXT_VARIABLES] = "variables",
    [SIFT_EXT_RELATIONAL] = "relational",
    [SIFT_EXT_SUBADDRESS] = "subaddress",
    [SIFT_EXT_REGEX] = "regex",
    [SIFT_EXT_COPY] = "copy",
    [SIFT_EXT_BODY] = "body",
    [SIFT_EXT_DATE] = "date",
    [SIFT_EXT_INDEX] = "index",
    [SIFT_EXT_EDITHEADER] = "editheader",
    [SIFT_EXT_ENVIRONMENT] = "environment",
    [SIFT_EXT_MAILBOX] = "mailbox",
    [SIFT_EXT_IHAVE] = "ihave",
    [SIFT_EXT_TEMPFAIL] = "vnd.mailsift.tempfail",
    [SIFT_EXT_QUARANTINE] = "vnd.mailsift.quarantine",
};

int
sift_ext_lookup(const char *name, size_t len)
{
	/* Capability names are compared exactly (RFC 5228 3.2 says they are
	   case-sensitive). */
	for (int i = 1; i < SIFT_EXT_COUNT; i++) {
		if (strlen(sift_ext_names[i]) == len && memcmp(sift_ext_names[i], name, len) == 0)
			return i;
	}
	return -1;
}

const char *
sift_sieve_capabilities(void)
{
	return "fileinto envelope encoded-character comparator-i;octet "
	       "comparator-i;ascii-casemap comparator-i;ascii-numeric reject ereject imap4flags "
	       "variables relational subaddress regex copy body date index editheader "
	       "environment mailbox ihave vnd.mailsift.tempfail vnd.mailsift.quarantine";
}

const struct sift_tag_def sift_tag_defs[SIFT_TAG_MAX] = {
    [SIFT_TAG_COMPARATOR] = {"comparator", SIFT_EXT_CORE, SIFT_TGROUP_NONE, SIFT_AK_STRING},
    [SIFT_TAG_IS] = {"is", SIFT_EXT_CORE, SIFT_TGROUP_MATCH, SIFT_AK_NONE},
    [SIFT_TAG_CONTAINS] = {"contains", SIFT_EXT_CORE, SIFT_TGROUP_MATCH, SIFT_AK_NONE},
    [SIFT_TAG_MATCHES] = {"matches", SIFT_EXT_CORE, SIFT_TGROUP_MATCH, SIFT_AK_NONE},
    [SIFT_TAG_REGEX] = {"regex", SIFT_EXT_REGEX, SIFT_TGROUP_MATCH, SIFT_AK_NONE},
    [SIFT_TAG_VALUE] = {"value", SIFT_EXT_RELATIONAL, SIFT_TGROUP_MATCH, SIFT_AK_STRING},
    [SIFT_TAG_COUNT] = {"count", SIFT_EXT_RELATIONAL, SIFT_TGROUP_MATCH, SIFT_AK_STRING},
    [SIFT_TAG_ALL] = {"all", SIFT_EXT_CORE, SIFT_TGROUP_ADDRESS_PART, SIFT_AK_NONE},
    [SIFT_TAG_LOCALPART] = {"localpart", SIFT_EXT_CORE, SIFT_TGROUP_ADDRESS_PART, SIFT_AK_NONE},
    [SIFT_TAG_DOMAIN] = {"domain", SIFT_EXT_CORE, SIFT_TGROUP_ADDRESS_PART, SIFT_AK_NONE},
    [SIFT_TAG_USER] = {"user", SIFT_EXT_SUBADDRESS, SIFT_TGROUP_ADDRESS_PART, SIFT_AK_NONE},
    [SIFT_TAG_DETAIL] = {"detail", SIFT_EXT_SUBADDRESS, SIFT_TGROUP_ADDRESS_PART, SIFT_AK_NONE},
    [SIFT_TAG_OVER] = {"over", SIFT_EXT_CORE, SIFT_TGROUP_SIZE, SIFT_AK_NUMBER},
    [SIFT_TAG_UNDER] = {"under", SIFT_EXT_CORE, SIFT_TGROUP_SIZE, SIFT_AK_NUMBER},
    [SIFT_TAG_COPY] = {"copy", SIFT_EXT_COPY, SIFT_TGROUP_NONE, SIFT_AK_NONE},
    [SIFT_TAG_FLAGS] = {"flags", SIFT_EXT_IMAP4FLAGS, SIFT_TGROUP_NONE, SIFT_AK_STRING_LIST},
    [SIFT_TAG_CREATE] = {"create", SIFT_EXT_MAILBOX, SIFT_TGROUP_NONE, SIFT_AK_NONE},
    [SIFT_TAG_RAW] = {"raw", SIFT_EXT_BODY, SIFT_TGROUP_BODY, SIFT_AK_NONE},
    [SIFT_TAG_CONTENT] = {"content", SIFT_EXT_BODY, SIFT_TGROUP_BODY, SIFT_AK_STRING_LIST},
    [SIFT_TAG_TEXT] = {"text", SIFT_EXT_BODY, SIFT_TGROUP_BODY, SIFT_AK_NONE},
    [SIFT_TAG_ZONE] = {"zone", SIFT_EXT_DATE, SIFT_TGROUP_ZONE, SIFT_AK_STRING},
    [SIFT_TAG_ORIGINALZONE] = {"originalzone", SIFT_EXT_DATE, SIFT_TGROUP_ZONE, SIFT_AK_NONE},
    [SIFT_TAG_INDEX] = {"index", SIFT_EXT_INDEX, SIFT_TGROUP_NONE, SIFT_AK_NUMBER},
    [SIFT_TAG_LAST] = {"last", SIFT_EXT_INDEX, SIFT_TGROUP_NONE, SIFT_AK_NONE},
    [SIFT_TAG_LOWER] = {"lower", SIFT_EXT_VARIABLES, SIFT_TGROUP_CASE, SIFT_AK_NONE},
    [SIFT_TAG_UPPER] = {"upper", SIFT_EXT_VARIABLES, SIFT_TGROUP_CASE, SIFT_AK_NONE},
    [SIFT_TAG_LOWERFIRST] = {"lowerfirst", SIFT_EXT_VARIABLES, SIFT_TGROUP_FIRST, SIFT_AK_NONE},
    [SIFT_TAG_UPPERFIRST] = {"upperfirst", SIFT_EXT_VARIABLES, SIFT_TGROUP_FIRST, SIFT_AK_NONE},
    [SIFT_TAG_QUOTEWILDCARD] = {"quotewildcard", SIFT_EXT_VARIABLES, SIFT_TGROUP_QUOTE,
                                SIFT_AK_NONE},
    [SIFT_TAG_QUOTEREGEX] = {"quoteregex", SIFT_EXT_REGEX, SIFT_TGROUP_QUOTE, SIFT_AK_NONE},
    [SIFT_TAG_LENGTH] = {"length", SIFT_EXT_VARIABLES, SIFT_TGROUP_NONE, SIFT_AK_NONE},
};

const struct sift_cmd_def *const sift_cmd_table[] = {
    /* RFC 5228 */
    &sift_cmd_require,
    &sift_cmd_if,
    &sift_cmd_elsif,
    &sift_cmd_else,
    &sift_cmd_stop,
    &sift_cmd_keep,
    &sift_cmd_discard,
    &sift_cmd_redirect,
    &sift_test_address,
    &sift_test_header,
    &sift_test_exists,
    &sift_test_size,
    &sift_test_allof,
    &sift_test_anyof,
    &sift_test_not,
    &sift_test_true,
    &sift_test_false,
    /* extensions */
    &sift_cmd_fileinto,
    &sift_test_envelope,
    &sift_cmd_reject,
    &sift_cmd_ereject,
    &sift_cmd_setflag,
    &sift_cmd_addflag,
    &sift_cmd_removeflag,
    &sift_test_hasflag,
    &sift_cmd_set,
    &sift_test_string,
    &sift_test_body,
    &sift_test_date,
    &sift_test_currentdate,
    &sift_cmd_addheader,
    &sift_cmd_deleteheader,
    &sift_test_environment,
    &sift_test_mailboxexists,
    &sift_test_ihave,
    &sift_cmd_error,
    &sift_cmd_tempfail,
    &sift_cmd_quarantine,
};
const size_t sift_cmd_table_size = sizeof(sift_cmd_table) / sizeof(sift_cmd_table[0]);
