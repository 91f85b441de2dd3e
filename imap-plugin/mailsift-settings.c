/* SPDX-License-Identifier: MIT */
/* A user's mailsift settings from Dovecot's plugin { } block:

     mailsift_before, mailsift_before2 ... mailsift_before32
     mailsift_user        (default ~/.dovecot.sieve; "" or "none": no user script)
     mailsift_after, mailsift_after2 ... mailsift_after32
     mailsift_hint_key, mailsift_hint_max_age
     mailsift_limit_<name> for every engine limit
     mailsift_user_dir    (default ~/sieve): FILTER SIEVE PERSONAL's NAME.sieve
     mailsift_global_dir  (unset: no FILTER SIEVE GLOBAL)
     mailsift_search_cpu_time  (default 1000 ms): one X-SIEVE test on one message

   Paths are plain files; ~/ is the user's home.  Numbered settings stop
   at the first one missing, as Dovecot's own numbered settings do. */

#include "lib.h"
#include "strnum.h"
#include "mail-user.h"

#include "mailsift-plugin.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_USER_SCRIPT "~/.dovecot.sieve"
#define DEFAULT_HINT_MAX_AGE (7 * 24 * 3600)
#define DEFAULT_USER_DIR "~/sieve"
#define DEFAULT_SEARCH_CPU_TIME 1000

static const char *
expand_path(struct mail_user *user, const char *path)
{
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		return mail_user_home_expand(user, path);
	return path;
}

/* Reads name, name2, name3 ... into the script list. */
static int
read_numbered(struct mail_user *user, const char *name, struct mailsift_settings *set,
              const char **error_r)
{
	for (unsigned int i = 1; i <= MAILSIFT_MAX_SEQUENCE; i++) {
		const char *key = i == 1 ? name : t_strdup_printf("%s%u", name, i);
		const char *value = mail_user_plugin_getenv(user, key);
		if (value == NULL || value[0] == '\0')
			break;
		const char *path = expand_path(user, value);
		if (path[0] != '/') {
			*error_r = t_strdup_printf("%s: not an absolute path: %s", key, value);
			return -1;
		}
		set->scripts[set->nscripts++] = path;
	}
	return 0;
}

/* "7d", "12h", "30m", "45s" or plain seconds. */
static int
parse_age(const char *value, uint64_t *secs_r)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(value, &end, 10);
	if (errno != 0 || end == value || value[0] == '-')
		return -1;
	uint64_t mult = 1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (n > UINT64_MAX / mult)
		return -1;
	*secs_r = n * mult;
	return 0;
}

int
mailsift_settings_read(struct mail_user *user, struct mailsift_settings *set_r,
                       const char **error_r)
{
	i_zero(set_r);
	set_r->user_script = -1;
	sift_limits_init(&set_r->limits);

	if (read_numbered(user, MAILSIFT_SETTING_PREFIX "before", set_r, error_r) < 0)
		return -1;
	set_r->nbefore = set_r->nscripts;

	const char *value = mail_user_plugin_getenv(user, MAILSIFT_SETTING_PREFIX "user");
	if (value == NULL)
		value = DEFAULT_USER_SCRIPT;
	if (value[0] != '\0' && strcmp(value, "none") != 0) {
		const char *path = expand_path(user, value);
		if (path[0] != '/') {
			/* A user without a home has no personal script. */
			if (value[0] != '~') {
				*error_r = t_strdup_printf(MAILSIFT_SETTING_PREFIX
				                           "user: not an absolute path: %s",
				                           value);
				return -1;
			}
		} else {
			set_r->user_script = (int)set_r->nscripts;
			set_r->scripts[set_r->nscripts++] = path;
		}
	}

	if (read_numbered(user, MAILSIFT_SETTING_PREFIX "after", set_r, error_r) < 0)
		return -1;

	value = mail_user_plugin_getenv(user, MAILSIFT_SETTING_PREFIX "hint_key");
	if (value != NULL && value[0] != '\0')
		set_r->hint_key_path = expand_path(user, value);
	set_r->hint_max_age = DEFAULT_HINT_MAX_AGE;
	value = mail_user_plugin_getenv(user, MAILSIFT_SETTING_PREFIX "hint_max_age");
	if (value != NULL && value[0] != '\0' && parse_age(value, &set_r->hint_max_age) < 0) {
		*error_r = t_strdup_printf(MAILSIFT_SETTING_PREFIX "hint_max_age: bad age: %s",
		                           value);
		return -1;
	}

	value = mail_user_plugin_getenv(user, MAILSIFT_SETTING_PREFIX "user_dir");
	if (value == NULL)
		value = DEFAULT_USER_DIR;
	if (value[0] != '\0' && strcmp(value, "none") != 0)
		set_r->user_dir = expand_path(user, value);
	value = mail_user_plugin_getenv(user, MAILSIFT_SETTING_PREFIX "global_dir");
	if (value != NULL && value[0] != '\0') {
		if (value[0] != '/') {
			*error_r = t_strdup_printf(MAILSIFT_SETTING_PREFIX
			                           "global_dir: not an absolute path: %s",
			                           value);
			return -1;
		}
		set_r->global_dir = value;
	}
	set_r->search_cpu_time = DEFAULT_SEARCH_CPU_TIME;
	value = mail_user_plugin_getenv(user, MAILSIFT_SETTING_PREFIX "search_cpu_time");
	if (value != NULL && value[0] != '\0' &&
	    (str_to_uint64(value, &set_r->search_cpu_time) < 0 || set_r->search_cpu_time == 0 ||
	     set_r->search_cpu_time > 3600000)) {
		*error_r = t_strdup_printf(MAILSIFT_SETTING_PREFIX
		                           "search_cpu_time: not a number of milliseconds "
		                           "from 1 to 3600000: %s",
		                           value);
		return -1;
	}

	for (unsigned int i = 0; i < SIFT_LIMIT_COUNT; i++) {
		const char *key = t_strconcat(MAILSIFT_SETTING_PREFIX "limit_",
		                              sift_limit_defs[i].name, NULL);
		value = mail_user_plugin_getenv(user, key);
		if (value == NULL || value[0] == '\0')
			continue;
		const char *error;
		if (sift_limits_set(&set_r->limits, sift_limit_defs[i].name, value, &error) < 0) {
			*error_r = t_strdup_printf("%s: %s", key, error);
			return -1;
		}
	}
	return 0;
}
