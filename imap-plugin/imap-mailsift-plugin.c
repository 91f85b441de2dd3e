/* SPDX-License-Identifier: MIT */
/* lib95_imap_mailsift_plugin.so: the plugin Dovecot's imap loads as
   "imap_mailsift" (protocol imap { mail_plugins = $mail_plugins
   imap_mailsift }).  It adds the FILTER and UID FILTER commands
   (imap-mailsift-filter.c, capability FILTER=SIEVE) and the X-SIEVE
   search key (mailsift-xsieve.c, capability SEARCH=X-SIEVE).

   It stands alone: it does not need the "mailsift" plugin (which sorts
   before it in the module directory, so could not be a declared
   dependency), and it exports nothing but its entry points, so its copy
   of the engine never meets that plugin's when both are loaded. */

#include "imap-common.h"
#include "str.h"
#include "module-dir.h"
#include "imap-commands.h"

#include "mailsift-plugin.h"
#include "mail/charset.h"

#include <string.h>

const char *imap_mailsift_plugin_version = DOVECOT_ABI_VERSION;
/* A char array: Dovecot reads the symbol's address as the string. */
const char imap_mailsift_plugin_binary_dependency[] = "imap";

void imap_mailsift_plugin_init(struct module *module);
void imap_mailsift_plugin_deinit(void);

static struct module *imap_mailsift_module;
static imap_client_created_func_t *next_hook_client_created;
/* FILTER was free to register (Pigeonhole's imap_filter_sieve not loaded). */
static bool filter_registered;

/* Adds a capability unless the imap_capability setting already names it
   (client_add_capability would add it twice after "+..."). */
static void
add_capability(struct client *client, const char *name)
{
	const char *caps = str_c(client->capability_string);
	size_t len = strlen(name);
	for (const char *p = caps; (p = strstr(p, name)) != NULL; p += len) {
		bool starts = p == caps || p[-1] == ' ';
		bool ends = p[len] == '\0' || p[len] == ' ';
		if (starts && ends)
			return;
	}
	client_add_capability(client, name);
}

static void
imap_mailsift_client_created(struct client **clientp)
{
	struct client *client = *clientp;
	if (mail_user_is_plugin_loaded(client->user, imap_mailsift_module)) {
		if (filter_registered)
			add_capability(client, "FILTER=SIEVE");
		add_capability(client, "SEARCH=X-SIEVE");
	}
	if (next_hook_client_created != NULL)
		next_hook_client_created(clientp);
}

void
imap_mailsift_plugin_init(struct module *module)
{
	imap_mailsift_module = module;
	if (command_find("FILTER") == NULL) {
		command_register("FILTER", cmd_mailsift_filter, COMMAND_FLAG_USES_SEQS);
		command_register("UID FILTER", cmd_mailsift_filter, COMMAND_FLAG_BREAKS_SEQS);
		filter_registered = TRUE;
	} else {
		i_warning("imap_mailsift: another plugin (imap_filter_sieve?) has the FILTER "
		          "command: mailsift's FILTER is not available");
	}
	mailsift_xsieve_init(module);
	next_hook_client_created = imap_client_created_hook_set(imap_mailsift_client_created);
}

void
imap_mailsift_plugin_deinit(void)
{
	if (filter_registered) {
		command_unregister("FILTER");
		command_unregister("UID FILTER");
		filter_registered = FALSE;
	}
	mailsift_xsieve_deinit();
	imap_client_created_hook_set(next_hook_client_created);
	mailsift_script_cache_clear();
	sift_charset_thread_deinit();
}
