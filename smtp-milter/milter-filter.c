/* SPDX-License-Identifier: MIT */
/* The libmilter callbacks: one connection's state, the message fed to
   the core as the MTA hands it over, the early decision at RCPT TO and
   the plan carried out at end of message.  Only the stages the loaded
   rules need are negotiated, and stages whose answer is always
   "continue" are asked not to wait for one.  Every failure (engine,
   spill file, MTA refusing a change) answers as on_error says; nothing
   from the client reaches a reply or a log line unsanitized. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "util/alloc.h"
#include "util/str.h"
#include "mail/message-parser.h"
#include "milter.h"

/* Bytes of the original header kept to quote in a DSN. */
#define DSN_HEADER_MAX 65536

struct conn {
	struct milter_program *prog;
	unsigned long protocol; /* SMFIP_* agreed */
	struct sift_sieve_scratch *scratch;
	char *client_addr;
	char *client_name;
	char *helo;
	char *mta_name; /* macro j */

	/* The transaction. */
	bool in_mail;
	char *sender;
	char *auth;
	bool tls;
	struct milter_rcpt *rcpts;
	size_t nrcpts;
	size_t rcpts_alloc;
	size_t rcpts_seen; /* including refused ones, for max_recipients */
	struct sift_message *msg;
	bool body_started;
	bool feed_failed;
	struct sift_buf header_text; /* for a DSN */
	int64_t arrival;
};

/* Sieve scratch space (regex match data, JIT stack, folding buffers) is
   kept between connections: an MTA opens one per SMTP session, often for
   a single message. */
#define SCRATCH_POOL_MAX 64
static pthread_mutex_t scratch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sift_sieve_scratch *scratch_pool[SCRATCH_POOL_MAX];
static size_t scratch_pooled;

static struct sift_sieve_scratch *
scratch_get(void)
{
	struct sift_sieve_scratch *s = NULL;
	pthread_mutex_lock(&scratch_lock);
	if (scratch_pooled > 0)
		s = scratch_pool[--scratch_pooled];
	pthread_mutex_unlock(&scratch_lock);
	return s != NULL ? s : sift_sieve_scratch_create();
}

static void
scratch_put(struct sift_sieve_scratch **s)
{
	pthread_mutex_lock(&scratch_lock);
	if (scratch_pooled < SCRATCH_POOL_MAX) {
		scratch_pool[scratch_pooled++] = *s;
		*s = NULL;
	}
	pthread_mutex_unlock(&scratch_lock);
	sift_sieve_scratch_destroy(s);
}

static struct conn *
conn_get(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	if (c == NULL) {
		/* An MTA that does not negotiate (very old): all stages. */
		c = sift_calloc(1, sizeof(*c));
		c->prog = milter_program_current();
		c->scratch = scratch_get();
		smfi_setpriv(ctx, c);
	}
	return c;
}

static void
transaction_reset(struct conn *c)
{
	sift_free(c->sender);
	sift_free(c->auth);
	for (size_t i = 0; i < c->nrcpts; i++) {
		sift_free(c->rcpts[i].addr);
		sift_free(c->rcpts[i].orcpt);
	}
	sift_free(c->rcpts);
	c->nrcpts = c->rcpts_alloc = c->rcpts_seen = 0;
	sift_message_destroy(&c->msg);
	sift_buf_free(&c->header_text);
	c->body_started = c->feed_failed = c->in_mail = c->tls = false;
}

static void
conn_free(struct conn *c)
{
	transaction_reset(c);
	sift_free(c->client_addr);
	sift_free(c->client_name);
	sift_free(c->helo);
	sift_free(c->mta_name);
	scratch_put(&c->scratch);
	milter_program_unref(&c->prog);
	sift_free(c);
}

/* The answer for a stage the MTA may have been told not to wait on. */
static sfsistat
go_on(const struct conn *c, unsigned long nr_flag)
{
	return (c->protocol & nr_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static char *
macro(SMFICTX *ctx, const char *name)
{
	char *v = smfi_getsymval(ctx, (char *)name);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* An address from MAIL FROM/RCPT TO: without its angle brackets. */
static char *
strip_brackets(const char *arg)
{
	size_t len = strlen(arg);
	while (len > 0 && (arg[0] == ' ' || arg[0] == '\t')) {
		arg++;
		len--;
	}
	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>') {
		arg++;
		len -= 2;
	}
	return sift_memdup0(arg, len);
}

/* Where the transaction's text goes in a log line. */
static const char *
safe(char *buf, size_t size, const char *s)
{
	return milter_log_safe(buf, size, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* Sets the SMTP reply: the text split into lines libmilter takes. */
static void
set_reply(SMFICTX *ctx, const char *code, const char *xcode, const char *text)
{
	char *copy = sift_strdup(text[0] != '\0' ? text : "-");
	char *lines[8] = {0};
	size_t n = 0;
	for (char *p = copy; p != NULL && n < 8;) {
		lines[n++] = p;
		p = strchr(p, '\n');
		if (p != NULL)
			*p++ = '\0';
	}
	int r;
	if (n == 1)
		r = smfi_setreply(ctx, (char *)code, (char *)xcode, lines[0]);
	else
		r = smfi_setmlreply(ctx, code, xcode, lines[0], lines[1], lines[2], lines[3],
		                    lines[4], lines[5], lines[6], lines[7], (char *)NULL);
	if (r != MI_SUCCESS)
		milter_log(MILTER_LOG_WARNING, "the MTA refused the reply text for %s %s", code,
		           xcode);
	sift_free(copy);
}

/* The answer for an internal failure, per on_error. */
static sfsistat
on_error(SMFICTX *ctx, const struct conn *c)
{
	const struct milter_config *cfg = &c->prog->cfg;
	if (cfg->on_error == MILTER_ON_ERROR_ACCEPT)
		return SMFIS_ACCEPT;
	char *text = milter_reply_text(cfg->error.text, strlen(cfg->error.text), 400);
	set_reply(ctx, cfg->error.code, cfg->error.xcode, text);
	sift_free(text);
	return SMFIS_TEMPFAIL;
}

/* ---- environment items (RFC 5183 and ours) ---- */

static const char *
host_environment(void *context, const char *name, size_t *len_r)
{
	const struct conn *c = context;
	const char *v = NULL;
	if (strcmp(name, "remote-ip") == 0) {
		v = c->client_addr;
	} else if (strcmp(name, "remote-host") == 0) {
		/* Postfix says "unknown" when the client has no verified name. */
		v = c->client_name;
		if (v != NULL && (strcmp(v, "unknown") == 0 || v[0] == '['))
			v = NULL;
	} else if (strcmp(name, "host") == 0) {
		v = c->mta_name;
	} else if (strcmp(name, "domain") == 0) {
		v = c->mta_name != NULL ? strchr(c->mta_name, '.') : NULL;
		if (v != NULL)
			v++;
	} else if (strcmp(name, "vnd.mailsift.helo") == 0) {
		v = c->helo != NULL ? c->helo : "";
	} else if (strcmp(name, "vnd.mailsift.sasl-user") == 0) {
		v = c->auth != NULL ? c->auth : "";
	} else if (strcmp(name, "vnd.mailsift.tls") == 0) {
		v = c->tls ? "yes" : "no";
	}
	if (v != NULL)
		*len_r = strlen(v);
	return v;
}

static const struct sift_sieve_host host_table_template = {
    .environment = host_environment,
};

/* ---- callbacks ---- */

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
             unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
             unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	struct conn *c = sift_calloc(1, sizeof(*c));
	c->prog = milter_program_current();
	c->scratch = scratch_get();
	smfi_setpriv(ctx, c);
	const struct milter_program *p = c->prog;

	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT |
	             SMFIF_QUARANTINE | SMFIF_SETSYMLIST);
	/* Ask to be left out of what the rules do not read, and not to be
	   waited on where the answer is always "continue". */
	unsigned long want = SMFIP_NODATA | SMFIP_NOUNKNOWN | SMFIP_NOEOH | SMFIP_NR_CONN |
	                     SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_BODY |
	                     SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_EOH;
	if (!p->wants_headers)
		want |= SMFIP_NOHDRS;
	if (!p->wants_body)
		want |= SMFIP_NOBODY;
	if (!p->uses_helo)
		want |= SMFIP_NOHELO;
	if (!p->session_early)
		want |= SMFIP_NOCONNECT;
	/* Packets up to 1M (main.c sets libmilter's limit to match). */
	want |= SMFIP_MDS_1M;
	*pf1 = want & f1;
	c->protocol = *pf1;
	*pf2 = 0;
	*pf3 = 0;
	/* Only the macros the environment items and the log use; an empty
	   list spares the MTA a macro packet at that stage. */
	if ((*pf0 & SMFIF_SETSYMLIST) && p->session_early) {
		smfi_setsymlist(ctx, SMFIM_CONNECT, "j {client_addr} {client_name}");
		smfi_setsymlist(ctx, SMFIM_HELO, "");
		smfi_setsymlist(ctx, SMFIM_ENVFROM, "{auth_authen} {tls_version}");
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, "");
		smfi_setsymlist(ctx, SMFIM_DATA, "");
		smfi_setsymlist(ctx, SMFIM_EOH, "");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	} else if (*pf0 & SMFIF_SETSYMLIST) {
		/* Every macro packet is one more for the MTA to write and us to
		   read: all at once, at the end (the MTA knows the session's
		   macros at any stage). */
		smfi_setsymlist(ctx, SMFIM_CONNECT, "");
		smfi_setsymlist(ctx, SMFIM_HELO, "");
		smfi_setsymlist(ctx, SMFIM_ENVFROM, "");
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, "");
		smfi_setsymlist(ctx, SMFIM_DATA, "");
		smfi_setsymlist(ctx, SMFIM_EOH, "");
		smfi_setsymlist(ctx, SMFIM_EOM,
		                "i j {client_addr} {client_name} {auth_authen} {tls_version}");
	}
	return SMFIS_CONTINUE;
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *addr)
{
	struct conn *c = conn_get(ctx);
	char ip[INET6_ADDRSTRLEN] = "";
	if (addr != NULL && addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)addr)->sin_addr, ip, sizeof(ip));
	else if (addr != NULL && addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)addr)->sin6_addr, ip,
		          sizeof(ip));
	const char *m = macro(ctx, "{client_addr}");
	sift_free(c->client_addr);
	c->client_addr = ip[0] != '\0' ? sift_strdup(ip) : m != NULL ? sift_strdup(m) : NULL;
	sift_free(c->client_name);
	c->client_name = hostname != NULL ? sift_strdup(hostname) : NULL;
	if ((m = macro(ctx, "j")) != NULL) {
		sift_free(c->mta_name);
		c->mta_name = sift_strdup(m);
	}
	return go_on(c, SMFIP_NR_CONN);
}

static sfsistat
cb_helo(SMFICTX *ctx, char *name)
{
	struct conn *c = conn_get(ctx);
	sift_free(c->helo);
	c->helo = name != NULL ? sift_strdup(name) : NULL;
	return go_on(c, SMFIP_NR_HELO);
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);
	transaction_reset(c);
	c->in_mail = true;
	c->sender = strip_brackets(argv[0] != NULL ? argv[0] : "");
	const char *m = macro(ctx, "{auth_authen}");
	c->auth = m != NULL ? sift_strdup(m) : NULL;
	c->tls = macro(ctx, "{tls_version}") != NULL;
	c->arrival = (int64_t)time(NULL);
	if (c->mta_name == NULL && (m = macro(ctx, "j")) != NULL)
		c->mta_name = sift_strdup(m);
	if (c->client_addr == NULL && (m = macro(ctx, "{client_addr}")) != NULL)
		c->client_addr = sift_strdup(m);
	return go_on(c, SMFIP_NR_MAIL);
}

static void
run_params(struct conn *c, struct sift_sieve_host *host, struct sift_sieve_run_params *params,
           const char *rcpt)
{
	*host = host_table_template;
	host->context = c;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	localtime_r(&ts.tv_sec, &tm);
	*params = (struct sift_sieve_run_params){
	    .scratch = c->scratch,
	    .envelope = {.from = c->sender, .to = rcpt, .auth = c->auth},
	    .host = host,
	    .location = "MTA",
	    .phase = "pre",
	    .now = (int64_t)ts.tv_sec,
	    .now_zone = (int)(tm.tm_gmtoff / 60),
	};
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);
	const struct milter_config *cfg = &c->prog->cfg;
	char lb[512];
	if (++c->rcpts_seen > cfg->max_recipients) {
		set_reply(ctx, "452", "4.5.3", "Too many recipients");
		return SMFIS_TEMPFAIL;
	}
	char *addr = strip_brackets(argv[0] != NULL ? argv[0] : "");
	char *orcpt = NULL;
	for (size_t i = 1; argv[i] != NULL; i++) {
		if (strncasecmp(argv[i], "ORCPT=", 6) == 0)
			orcpt = sift_strdup(argv[i] + 6);
	}
	if (c->prog->early) {
		struct sift_sieve_host host;
		struct sift_sieve_run_params params;
		run_params(c, &host, &params, addr);
		char *text = NULL;
		enum milter_verdict v = milter_decide_early(c->prog->sieve, &params, &text);
		if (v == MILTER_V_REFUSE || v == MILTER_V_TEMPFAIL) {
			const struct milter_reply *r = v == MILTER_V_REFUSE ? &cfg->reject
			                                                     : &cfg->tempfail;
			char *reply = text[0] != '\0' ? milter_reply_text(text, strlen(text), 400)
			                               : milter_reply_text(r->text,
			                                                   strlen(r->text), 400);
			set_reply(ctx, r->code, r->xcode, reply);
			/* The log shows the text as sent: '%' not doubled. */
			const char *shown = text[0] != '\0' ? text : r->text;
			milter_log(MILTER_LOG_INFO, "from=<%s> to=<%s>: %s at RCPT: %s %s %s",
			           safe(lb, 160, c->sender), safe(lb + 160, 160, addr),
			           v == MILTER_V_REFUSE ? "refused" : "deferred", r->code, r->xcode,
			           safe(lb + 320, 192, shown));
			sift_free(reply);
			sift_free(text);
			sift_free(addr);
			sift_free(orcpt);
			return v == MILTER_V_REFUSE ? SMFIS_REJECT : SMFIS_TEMPFAIL;
		}
		sift_free(text);
	}
	if (c->nrcpts == c->rcpts_alloc) {
		c->rcpts_alloc = c->rcpts_alloc == 0 ? 8 : c->rcpts_alloc * 2;
		c->rcpts = sift_realloc(c->rcpts, c->rcpts_alloc * sizeof(*c->rcpts));
	}
	c->rcpts[c->nrcpts++] = (struct milter_rcpt){.addr = addr, .orcpt = orcpt};
	return SMFIS_CONTINUE;
}

static void
ensure_message(struct conn *c)
{
	if (c->msg == NULL) {
		c->msg = sift_message_create(&c->prog->cfg.limits, c->prog->cfg.tmpdir);
		sift_buf_init(&c->header_text, DSN_HEADER_MAX);
	}
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_get(ctx);
	ensure_message(c);
	const char *error;
	size_t nlen = strlen(name), vlen = strlen(value);
	if (!c->feed_failed &&
	    sift_message_feed_header(c->msg, name, nlen, value, vlen, &error) < 0) {
		milter_log(MILTER_LOG_ERROR, "cannot keep the message: %s", error);
		c->feed_failed = true;
	}
	if (!c->header_text.overflow) {
		/* CRLF line ends for the DSN, whatever the MTA folded with. */
		struct sift_buf *b = &c->header_text;
		size_t mark = b->len;
		sift_buf_append(b, name, nlen);
		sift_buf_append(b, ": ", 2);
		for (size_t i = 0; i < vlen; i++) {
			if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
				sift_buf_append_c(b, '\r');
			sift_buf_append_c(b, value[i]);
		}
		sift_buf_append(b, "\r\n", 2);
		if (b->overflow)
			sift_buf_truncate(b, mark);
	}
	return go_on(c, SMFIP_NR_HDR);
}

static sfsistat
cb_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct conn *c = conn_get(ctx);
	ensure_message(c);
	const char *error;
	if (!c->body_started) {
		c->body_started = true;
		if (sift_message_feed_end_of_headers(c->msg, &error) < 0)
			c->feed_failed = true;
	}
	if (!c->feed_failed && sift_message_feed_body(c->msg, data, len, &error) < 0) {
		milter_log(MILTER_LOG_ERROR, "cannot keep the message body: %s", error);
		c->feed_failed = true;
	}
	return go_on(c, SMFIP_NR_BODY);
}

/* "<addr>", as the MTA gave and wants recipients. */
static char *
bracketed(const char *addr)
{
	size_t len = strlen(addr);
	char *s = sift_malloc(len + 3);
	s[0] = '<';
	memcpy(s + 1, addr, len);
	s[len + 1] = '>';
	s[len + 2] = '\0';
	return s;
}

/* Carries out the changes of an accepted plan; -1 when the MTA refused
   one (the message must then not go on half changed). */
static int
apply_changes(SMFICTX *ctx, const struct milter_plan *plan)
{
	int ret = 0;
	if (plan->quarantine != NULL && smfi_quarantine(ctx, plan->quarantine) != MI_SUCCESS) {
		milter_log(MILTER_LOG_ERROR, "the MTA refused to quarantine the message");
		ret = -1;
	}
	/* Deletions first (from the last field), then insertions on top,
	   then additions at the end, so no change moves another's index. */
	static const enum milter_hdr_op_kind order[] = {MILTER_HDR_DELETE, MILTER_HDR_INSERT,
	                                                MILTER_HDR_ADD};
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < plan->nhdr_ops; i++) {
			const struct milter_hdr_op *op = &plan->hdr_ops[i];
			if (op->kind != order[k])
				continue;
			/* libmilter wants folds as a bare LF; the MTA adds the CR. */
			if (op->value != NULL) {
				char *o = op->value;
				for (const char *p = op->value; *p != '\0'; p++) {
					if (*p != '\r')
						*o++ = *p;
				}
				*o = '\0';
			}
			int r = op->kind == MILTER_HDR_DELETE
			            ? smfi_chgheader(ctx, op->name, (int)op->index, NULL)
			        : op->kind == MILTER_HDR_INSERT
			            ? smfi_insheader(ctx, (int)op->index, op->name, op->value)
			            : smfi_addheader(ctx, op->name, op->value);
			if (r != MI_SUCCESS) {
				char lb[128];
				milter_log(MILTER_LOG_ERROR, "the MTA refused a change of %s",
				           safe(lb, sizeof(lb), op->name));
				ret = -1;
			}
		}
	}
	/* Removals first: a redirect may add back an address removed. */
	for (size_t i = 0; i < plan->ndel_rcpts; i++) {
		char *a = bracketed(plan->del_rcpts[i]);
		if (smfi_delrcpt(ctx, a) != MI_SUCCESS) {
			milter_log(MILTER_LOG_ERROR, "the MTA refused to remove a recipient");
			ret = -1;
		}
		sift_free(a);
	}
	for (size_t i = 0; i < plan->nadd_rcpts; i++) {
		char *a = bracketed(plan->add_rcpts[i]);
		if (smfi_addrcpt(ctx, a) != MI_SUCCESS) {
			milter_log(MILTER_LOG_ERROR, "the MTA refused to add a recipient");
			ret = -1;
		}
		sift_free(a);
	}
	return ret;
}

static int
send_dsn(struct conn *c, const struct milter_plan *plan, const char *queue_id)
{
	const struct milter_config *cfg = &c->prog->cfg;
	char client[600] = "";
	if (c->client_addr != NULL)
		snprintf(client, sizeof(client), "%s [%s]",
		         c->client_name != NULL ? c->client_name : "unknown", c->client_addr);
	struct milter_dsn dsn = {
	    .reporting_mta = c->mta_name != NULL ? c->mta_name : "localhost",
	    .sender = c->sender,
	    .queue_id = queue_id,
	    .client = client[0] != '\0' ? client : NULL,
	    .arrival = c->arrival,
	    .rcpts = plan->dsn,
	    .nrcpts = plan->ndsn,
	    .headers = c->header_text.data,
	    .headers_len = c->header_text.len,
	};
	/* Room for the header block and a few kilobytes per recipient. */
	struct sift_buf out;
	sift_buf_init(&out, 2 * DSN_HEADER_MAX + plan->ndsn * 8192);
	int ret = milter_dsn_compose(&dsn, (int64_t)time(NULL), &out);
	const char *error = "the DSN does not fit";
	if (ret == 0)
		ret = milter_dsn_submit(&cfg->dsn_submit, c->sender, out.data, out.len, &error);
	char lb[512];
	if (ret < 0)
		milter_log(MILTER_LOG_ERROR, "%s: DSN to <%s> not sent: %s",
		           queue_id != NULL ? queue_id : "-", safe(lb, 256, c->sender),
		           safe(lb + 256, 256, error));
	else
		milter_log(MILTER_LOG_INFO, "%s: DSN sent to <%s> for %zu recipient(s)",
		           queue_id != NULL ? queue_id : "-", safe(lb, 256, c->sender), plan->ndsn);
	sift_buf_free(&out);
	return ret;
}

/* Takes the session macros where the MTA gave them (at connect and MAIL,
   or all at the end of the message). */
static void
session_macros(SMFICTX *ctx, struct conn *c)
{
	const char *m;
	if ((m = macro(ctx, "j")) != NULL && (c->mta_name == NULL || strcmp(m, c->mta_name) != 0)) {
		sift_free(c->mta_name);
		c->mta_name = sift_strdup(m);
	}
	if (c->client_addr == NULL && (m = macro(ctx, "{client_addr}")) != NULL)
		c->client_addr = sift_strdup(m);
	if (c->client_name == NULL && (m = macro(ctx, "{client_name}")) != NULL)
		c->client_name = sift_strdup(m);
	if (c->auth == NULL && (m = macro(ctx, "{auth_authen}")) != NULL)
		c->auth = sift_strdup(m);
	if (!c->tls)
		c->tls = macro(ctx, "{tls_version}") != NULL;
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct conn *c = conn_get(ctx);
	const char *error;
	session_macros(ctx, c);
	ensure_message(c);
	if (!c->body_started) {
		c->body_started = true;
		if (sift_message_feed_end_of_headers(c->msg, &error) < 0)
			c->feed_failed = true;
	}
	if (!c->feed_failed && sift_message_finish(c->msg, &error) < 0)
		c->feed_failed = true;
	const char *qid = macro(ctx, "i");
	char qbuf[64];
	qid = qid != NULL ? safe(qbuf, sizeof(qbuf), qid) : "-";
	if (c->feed_failed) {
		milter_log(MILTER_LOG_ERROR, "%s: the message could not be kept for the rules",
		           qid);
		sfsistat r = on_error(ctx, c);
		transaction_reset(c);
		return r;
	}

	struct sift_sieve_host host;
	struct sift_sieve_run_params params;
	run_params(c, &host, &params, NULL);
	struct milter_decide_input in = {
	    .prog = c->prog,
	    .msg = c->msg,
	    .sender = c->sender != NULL ? c->sender : "",
	    .rcpts = c->rcpts,
	    .nrcpts = c->nrcpts,
	    .auth = c->auth,
	    .host_name = c->mta_name,
	    .host = &host,
	    .scratch = c->scratch,
	    .now = params.now,
	    .now_zone = params.now_zone,
	};
	struct milter_plan plan;
	if (milter_decide(&in, &plan, &error) < 0) {
		milter_log(MILTER_LOG_ERROR, "%s: the rules could not run: %s", qid, error);
		milter_plan_free(&plan);
		sfsistat r = on_error(ctx, c);
		transaction_reset(c);
		return r;
	}
	/* A message accepted unchanged is logged at debug level only: the
	   MTA logs it anyway; what the rules did is logged at info. */
	bool quiet = plan.outcome == MILTER_OUT_ACCEPT && plan.nhdr_ops == 0 &&
	             plan.nadd_rcpts == 0 && plan.ndel_rcpts == 0 && plan.quarantine == NULL;
	for (size_t i = 0; i < plan.nlog && quiet; i++) {
		size_t n = strlen(plan.log[i]);
		quiet = n >= 8 && strcmp(plan.log[i] + n - 8, ": accept") == 0;
	}
	enum milter_log_level level = quiet ? MILTER_LOG_DEBUG : MILTER_LOG_INFO;
	char lb[256];
	for (size_t i = 0; i < plan.nlog && milter_log_enabled(level); i++)
		milter_log(level, "%s: %s", qid,
		           milter_log_safe(lb, sizeof(lb), plan.log[i], strlen(plan.log[i])));
	if (plan.quarantine != NULL)
		milter_log(MILTER_LOG_INFO, "%s: quarantined: %s", qid,
		           milter_log_safe(lb, sizeof(lb), plan.quarantine,
		                           strlen(plan.quarantine)));

	sfsistat r = SMFIS_CONTINUE;
	switch (plan.outcome) {
	case MILTER_OUT_REJECT:
		set_reply(ctx, plan.reply.code, plan.reply.xcode, plan.reply.text);
		r = SMFIS_REJECT;
		break;
	case MILTER_OUT_TEMPFAIL:
		set_reply(ctx, plan.reply.code, plan.reply.xcode, plan.reply.text);
		r = SMFIS_TEMPFAIL;
		break;
	case MILTER_OUT_DISCARD:
	case MILTER_OUT_ACCEPT:
		/* Changes first: if the MTA refuses one, the message is deferred
		   before a DSN has gone out for it. */
		if (plan.outcome == MILTER_OUT_ACCEPT && apply_changes(ctx, &plan) < 0) {
			r = on_error(ctx, c);
			break;
		}
		if (plan.ndsn > 0 && !milter_dsn_rcpt_ok(c->sender)) {
			/* Retrying would not help: the refusals stand, unreported. */
			milter_log(MILTER_LOG_WARNING,
			           "%s: no DSN: the sender address <%s> cannot take one", qid,
			           safe(lb, sizeof(lb), c->sender));
		} else if (plan.ndsn > 0 && send_dsn(c, &plan, qid) < 0 &&
		           c->prog->cfg.on_error == MILTER_ON_ERROR_TEMPFAIL) {
			/* The sender must learn of the refusals: try again later. */
			r = on_error(ctx, c);
			break;
		}
		if (plan.outcome == MILTER_OUT_DISCARD)
			r = SMFIS_DISCARD;
		break;
	}
	milter_plan_free(&plan);
	transaction_reset(c);
	return r;
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	if (c != NULL)
		transaction_reset(c);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	if (c != NULL) {
		smfi_setpriv(ctx, NULL);
		conn_free(c);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc milter_filter_desc = {
    .xxfi_name = "mailsift",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT |
                  SMFIF_QUARANTINE | SMFIF_SETSYMLIST,
    .xxfi_connect = cb_connect,
    .xxfi_helo = cb_helo,
    .xxfi_envfrom = cb_envfrom,
    .xxfi_envrcpt = cb_envrcpt,
    .xxfi_header = cb_header,
    .xxfi_eoh = NULL,
    .xxfi_body = cb_body,
    .xxfi_eom = cb_eom,
    .xxfi_abort = cb_abort,
    .xxfi_close = cb_close,
    .xxfi_unknown = NULL,
    .xxfi_data = NULL,
    .xxfi_negotiate = cb_negotiate,
};
