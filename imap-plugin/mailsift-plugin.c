/* SPDX-License-Identifier: MIT */
/* lib95_mailsift_plugin.so: the plugin Dovecot loads as "mailsift"
   (mail_plugins = $mail_plugins mailsift).  In dovecot-lda and lmtp it
   hooks delivery (mailsift-deliver.c), in imap it runs the rules on
   IMAP events (mailsift-imap-events.c); the compiled scripts it caches
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
	mailsift_deliver_init();
	mailsift_imap_events_init(module);
}

void
mailsift_plugin_deinit(void)
{
	mailsift_imap_events_deinit();
	mailsift_deliver_deinit();
	mailsift_script_cache_clear();
	sift_charset_thread_deinit();
}
