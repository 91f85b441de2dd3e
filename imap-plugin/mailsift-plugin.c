/* SPDX-License-Identifier: MIT */
/* lib95_mailsift_plugin.so: the plugin Dovecot loads as "mailsift"
   (mail_plugins = $mail_plugins mailsift).  In dovecot-lda and lmtp it
   hooks delivery (mailsift-deliver.c); the compiled scripts it caches
   are let go when the plugin is unloaded. */

#include "lib.h"
#include "module-dir.h"

#include "mailsift-plugin.h"
#include "mail/charset.h"

const char *mailsift_plugin_version = DOVECOT_ABI_VERSION;

void mailsift_plugin_init(struct module *module);
void mailsift_plugin_deinit(void);

void
mailsift_plugin_init(struct module *module)
{
	(void)module;
	mailsift_deliver_init();
}

void
mailsift_plugin_deinit(void)
{
	mailsift_deliver_deinit();
	mailsift_script_cache_clear();
	sift_charset_thread_deinit();
}
