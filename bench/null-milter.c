/* SPDX-License-Identifier: MIT */
/* The reference filter of bench/milter: a libmilter filter that asks the
   MTA for what mailsift-milter asks for with the benchmark's rules (the
   header and the body without waiting for answers, RCPT TO and the end
   of the message answered, the session's macros at the end) and decides
   nothing: it adds one header field to every message and logs one line.
   What it costs Postfix is what libmilter and the milter protocol cost,
   whatever a filter does.  Not installed; never used outside bench/milter.

   usage: null-milter -f -c CONFIG [-u USER]   (reads "socket = unix:PATH"
   and "group = NAME" from CONFIG, as mailsift-milter would) */

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

static sfsistat
null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
               unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
               unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_SETSYMLIST);
	*pf1 = f1 & (SMFIP_NODATA | SMFIP_NOUNKNOWN | SMFIP_NOEOH | SMFIP_NOCONNECT | SMFIP_NOHELO |
	             SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_BODY);
	*pf2 = 0;
	*pf3 = 0;
	if (*pf0 & SMFIF_SETSYMLIST) {
		static const int empty[] = {SMFIM_CONNECT, SMFIM_HELO, SMFIM_ENVFROM,
		                            SMFIM_ENVRCPT, SMFIM_DATA, SMFIM_EOH};
		for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
			smfi_setsymlist(ctx, empty[i], "");
		smfi_setsymlist(ctx, SMFIM_EOM,
		                "i j {client_addr} {client_name} {auth_authen} {tls_version}");
	}
	return SMFIS_CONTINUE;
}

static sfsistat
null_envfrom(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_NOREPLY;
}

static sfsistat
null_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
null_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return SMFIS_NOREPLY;
}

static sfsistat
null_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return SMFIS_NOREPLY;
}

static sfsistat
null_eom(SMFICTX *ctx)
{
	smfi_addheader(ctx, "X-Null-Filter", "seen");
	/* bench/milter counts these lines. */
	fputs("null-milter: -: <rcpt>: accept\n", stderr);
	return SMFIS_CONTINUE;
}

/* The value of "key = value" in the configuration, or NULL. */
static char *
config_value(const char *path, const char *key, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char line[1024];
	char *found = NULL;
	size_t klen = strlen(key);
	while (found == NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) != 0 || strncmp(line + klen, " = ", 3) != 0)
			continue;
		snprintf(buf, size, "%s", line + klen + 3);
		buf[strcspn(buf, "\n")] = '\0';
		found = buf;
	}
	fclose(f);
	return found;
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "c:u:ft")) != -1) {
		if (opt == 'c')
			config = optarg;
		else if (opt == 't')
			return 0;
	}
	char spec[600], group[128];
	if (config == NULL || config_value(config, "socket", spec, sizeof(spec)) == NULL ||
	    strncmp(spec, "unix:", 5) != 0) {
		fprintf(stderr, "usage: null-milter -f -c CONFIG (with socket = unix:PATH)\n");
		return 2;
	}
	struct smfiDesc desc = {
	    .xxfi_name = "null",
	    .xxfi_version = SMFI_VERSION,
	    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_SETSYMLIST,
	    .xxfi_envfrom = null_envfrom,
	    .xxfi_envrcpt = null_envrcpt,
	    .xxfi_header = null_header,
	    .xxfi_body = null_body,
	    .xxfi_eom = null_eom,
	    .xxfi_negotiate = null_negotiate,
	};
	setvbuf(stderr, NULL, _IOLBF, 0);
	umask(0117);
	if (smfi_setconn(spec) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "null-milter: cannot listen on %s\n", spec);
		return 1;
	}
	struct group *gr;
	if (config_value(config, "group", group, sizeof(group)) != NULL &&
	    (gr = getgrnam(group)) != NULL && chown(spec + 5, (uid_t)-1, gr->gr_gid) < 0) {
		perror("null-milter: chown");
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
