/* SPDX-License-Identifier: MIT */
/* lib96_lmtp_mailsift_plugin.so: the LMTP-only part of mailsift
   (protocol lmtp { mail_plugins = $mail_plugins mailsift lmtp_mailsift }).

   Dovecot's delivery hook can store, or fail the delivery with a
   temporary error; it cannot refuse one recipient for good.  So for LMTP
   the scripts run one step earlier, in the client's local_deliver: when
   the verdict is `ereject`, that recipient gets "550 5.7.1 <reason>"
   and nothing is stored; otherwise the verdict is handed to the delivery
   hook (mailsift_deliver_set_pending), which carries it out without
   running the scripts again.  Without this module, ereject at LMTP is a
   rejection message, as at LDA. */

#include "lib.h"
#include "str.h"
#include "module-dir.h"
#include "module-context.h"
#include "str-sanitize.h"
#include "smtp-address.h"
#include "smtp-server.h"
#include "lmtp-common.h"
#include "lmtp-client.h"
#include "lmtp-recipient.h"

#include "mailsift-plugin.h"

#include <string.h>

#define MAILSIFT_LMTP_CONTEXT(obj) MODULE_CONTEXT_REQUIRE(obj, mailsift_lmtp_module)

struct mailsift_lmtp_client {
	union lmtp_module_context module_ctx;
};

static MODULE_CONTEXT_DEFINE_INIT(mailsift_lmtp_module, &lmtp_module_register);
static lmtp_client_created_func_t *next_client_created;

const char *lmtp_mailsift_plugin_version = DOVECOT_ABI_VERSION;
const char lmtp_mailsift_plugin_binary_dependency[] = "lmtp";
const char *lmtp_mailsift_plugin_dependencies[] = {"mailsift", NULL};

void lmtp_mailsift_plugin_init(struct module *module);
void lmtp_mailsift_plugin_deinit(void);

/* An SMTP reply text must be one line of printable ASCII: the script's
   reason may hold anything. */
static const char *
reply_text(const char *reason)
{
	string_t *out = t_str_new(128);
	for (const unsigned char *p = (const unsigned char *)reason; *p != '\0'; p++) {
		if (str_len(out) >= 400) {
			str_append(out, "...");
			break;
		}
		if (*p == '\r' || *p == '\n' || *p == '\t')
			str_append_c(out, ' ');
		else if (*p < 0x20 || *p >= 0x7f)
			str_append_c(out, '?');
		else
			str_append_c(out, (char)*p);
	}
	if (str_len(out) == 0)
		str_append(out, "Rejected by the recipient's rules");
	return str_c(out);
}

static int
mailsift_lmtp_local_deliver(struct client *client, struct lmtp_recipient *lrcpt,
                            struct smtp_server_cmd_ctx *cmd, struct smtp_server_transaction *trans,
                            struct lmtp_local_deliver_context *lldctx)
{
	struct mailsift_lmtp_client *mclient = MAILSIFT_LMTP_CONTEXT(client);
	struct smtp_server_recipient *rcpt = lrcpt->rcpt;
	const struct smtp_address *orig = rcpt->params.orcpt.addr;
	const char *ereject;

	struct mailsift_verdict *v = mailsift_deliver_evaluate(
	    lldctx->rcpt_user, lldctx->src_mail,
	    trans->mail_from != NULL ? smtp_address_encode(trans->mail_from) : "",
	    smtp_address_encode(rcpt->path), orig != NULL ? smtp_address_encode(orig) : NULL,
	    &ereject);
	if (ereject != NULL) {
		e_info(rcpt->event, "mailsift: ereject: %s", str_sanitize(ereject, 200));
		smtp_server_recipient_reply(rcpt, 550, "5.7.1", "%s", reply_text(ereject));
		mailsift_verdict_free(&v);
		return -1;
	}
	mailsift_deliver_set_pending(v);
	int ret = mclient->module_ctx.super.local_deliver(client, lrcpt, cmd, trans, lldctx);
	/* Not taken when the delivery never reached the hook. */
	mailsift_deliver_set_pending(NULL);
	return ret;
}

static void
mailsift_lmtp_client_created(struct client **_client)
{
	struct client *client = *_client;
	struct mailsift_lmtp_client *mclient = p_new(client->pool, struct mailsift_lmtp_client, 1);
	mclient->module_ctx.super = client->v;
	client->v.local_deliver = mailsift_lmtp_local_deliver;
	MODULE_CONTEXT_SET(client, mailsift_lmtp_module, mclient);
	if (next_client_created != NULL)
		next_client_created(_client);
}

void
lmtp_mailsift_plugin_init(struct module *module)
{
	(void)module;
	next_client_created = lmtp_client_created_hook_set(mailsift_lmtp_client_created);
}

void
lmtp_mailsift_plugin_deinit(void)
{
	lmtp_client_created_hook_set(next_client_created);
}
