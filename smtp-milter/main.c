/* SPDX-License-Identifier: MIT */
/* mailsift-milter: options, configuration check (-t), the listening
   socket (mode and group from the configuration, never world-writable),
   the pid file, dropping privileges once the socket is open, reload on
   SIGUSR1 (libmilter owns SIGHUP, SIGINT and SIGTERM: they stop it), and
   handing over to libmilter's main loop.  Out of memory ends the process:
   the MTA then answers as its milter_default_action says (tempfail), so
   no message is lost. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "mailsift-config.h"
#include "util/alloc.h"
#include "milter.h"

#define DEFAULT_CONFIG "/etc/mailsift/milter.conf"

static void
usage(FILE *out)
{
	fprintf(out, "usage: mailsift-milter [-c FILE] [-p SOCKET] [-u USER] [-f] [-t] [-d]\n"
	             "  -c FILE    configuration file (default " DEFAULT_CONFIG ")\n"
	             "  -p SOCKET  socket: unix:/path, inet:PORT@HOST, inet6:PORT@HOST\n"
	             "  -u USER    user to run as after opening the socket\n"
	             "  -f         stay in the foreground, log to standard error\n"
	             "  -t         check the configuration and the script, then exit\n"
	             "  -d         debug logging\n");
}

/* Diagnostics as `mailsift check` prints them; text made printable. */
static void
print_diags(const char *file, const struct sift_diags *diags)
{
	struct sift_buf line;
	sift_buf_init(&line, 0);
	for (size_t i = 0; i < diags->count; i++) {
		sift_buf_reset(&line);
		sift_diag_format(&line, file, &diags->items[i]);
		fprintf(stderr, "%s\n", line.data);
	}
	sift_buf_free(&line);
}

static void
out_of_memory(size_t size)
{
	milter_log(MILTER_LOG_ERROR, "out of memory (%zu bytes): stopping", size);
	_exit(EXIT_FAILURE);
}

/* The path of a unix socket spec, or NULL for inet sockets. */
static const char *
unix_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

struct ids {
	bool switch_user;
	uid_t uid;
	gid_t gid;
	gid_t socket_gid;
	const char *name;
};

static int
lookup_ids(const struct milter_config *cfg, struct ids *ids)
{
	memset(ids, 0, sizeof(*ids));
	ids->uid = getuid();
	ids->gid = getgid();
	ids->socket_gid = (gid_t)-1;
	if (geteuid() == 0 && cfg->user != NULL) {
		struct passwd *pw = getpwnam(cfg->user);
		if (pw == NULL) {
			fprintf(stderr, "mailsift-milter: user \"%s\" does not exist\n", cfg->user);
			return -1;
		}
		ids->switch_user = true;
		ids->uid = pw->pw_uid;
		ids->gid = pw->pw_gid;
		ids->name = cfg->user;
		ids->socket_gid = pw->pw_gid;
	}
	if (cfg->group != NULL) {
		struct group *gr = getgrnam(cfg->group);
		if (gr == NULL) {
			fprintf(stderr, "mailsift-milter: group \"%s\" does not exist\n", cfg->group);
			return -1;
		}
		ids->socket_gid = gr->gr_gid;
	}
	return 0;
}

static int
drop_privileges(const struct ids *ids)
{
	if (!ids->switch_user)
		return 0;
	if (initgroups(ids->name, ids->gid) < 0 || setgid(ids->gid) < 0 ||
	    setuid(ids->uid) < 0) {
		milter_log(MILTER_LOG_ERROR, "cannot become %s: %s", ids->name, strerror(errno));
		return -1;
	}
	if (ids->uid != 0 && setuid(0) == 0) {
		milter_log(MILTER_LOG_ERROR, "privileges could not be dropped");
		return -1;
	}
	return 0;
}

static int
write_pidfile(const char *path, const struct ids *ids)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		milter_log(MILTER_LOG_ERROR, "cannot write pid file %s: %s", path,
		           strerror(errno));
		return -1;
	}
	char line[32];
	int n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	bool ok = write(fd, line, (size_t)n) == n;
	/* The unprivileged process removes it at exit. */
	if (ids->switch_user && fchown(fd, ids->uid, ids->gid) < 0)
		ok = false;
	close(fd);
	return ok ? 0 : -1;
}

static int
daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	int fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

/* SIGUSR1 is blocked in every thread and taken here: reload now, so
   problems are logged at once, not at the next connection. */
static void *
signal_thread(void *arg)
{
	sigset_t *set = arg;
	for (;;) {
		int sig;
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			milter_log(MILTER_LOG_INFO, "SIGUSR1: reloading");
			milter_program_request_reload();
			struct milter_program *p = milter_program_current();
			milter_program_unref(&p);
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *config_path = DEFAULT_CONFIG;
	struct milter_overrides ov = {0};
	bool foreground = false, check_only = false, debug = false;
	int opt;
	while ((opt = getopt(argc, argv, "c:p:u:ftdhV")) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			ov.socket = optarg;
			break;
		case 'u':
			ov.user = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 't':
			check_only = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mailsift-milter %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	struct sift_diags diags;
	sift_diags_init(&diags);
	char *diag_file;
	struct milter_program *prog = milter_program_load(config_path, &ov, &diags, &diag_file);
	print_diags(diag_file, &diags);
	sift_diags_free(&diags);
	sift_free(diag_file);
	if (check_only) {
		int ret = prog != NULL ? 0 : 1;
		if (prog != NULL)
			printf("%s: ok (script %s)\n", config_path, prog->cfg.script);
		milter_program_unref(&prog);
		return ret;
	}
	if (prog == NULL)
		return 1;
	const struct milter_config *cfg = &prog->cfg;

	milter_log_open("mailsift-milter", cfg->syslog_facility, foreground,
	                debug ? MILTER_LOG_DEBUG : cfg->log_level);
	sift_set_oom_handler(out_of_memory);

	struct ids ids;
	if (lookup_ids(cfg, &ids) < 0)
		return 1;

	/* Postfix passes header fields up to its header_size_limit (100K by
	   default): take packets up to 1M, not libmilter's 64K. */
	smfi_setmaxdatasize(MILTER_MAX_PACKET);
	if (smfi_setconn(cfg->socket) != MI_SUCCESS ||
	    smfi_settimeout((int)cfg->timeout) != MI_SUCCESS ||
	    smfi_register(milter_filter_desc) != MI_SUCCESS) {
		fprintf(stderr, "mailsift-milter: cannot set up libmilter for %s\n", cfg->socket);
		return 1;
	}
	const char *path = unix_path(cfg->socket);
	/* The socket is born without access for others. */
	mode_t old_mask = umask(0177);
	if (smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "mailsift-milter: cannot open socket %s\n", cfg->socket);
		return 1;
	}
	umask(old_mask);
	if (path != NULL) {
		if (chown(path, ids.switch_user ? ids.uid : (uid_t)-1, ids.socket_gid) < 0 ||
		    chmod(path, cfg->socket_mode & 0770) < 0) {
			fprintf(stderr, "mailsift-milter: cannot set the owner or mode of %s: %s\n",
			        path, strerror(errno));
			return 1;
		}
	}

	if (!foreground && daemonize() < 0) {
		fprintf(stderr, "mailsift-milter: cannot become a daemon: %s\n", strerror(errno));
		return 1;
	}
	if (cfg->pidfile != NULL && write_pidfile(cfg->pidfile, &ids) < 0)
		return 1;
	if (drop_privileges(&ids) < 0)
		return 1;

	signal(SIGPIPE, SIG_IGN);
	/* Every thread blocks the signals: SIGUSR1 goes to our signal
	   thread, SIGHUP, SIGINT and SIGTERM to libmilter's, which stops the
	   filter cleanly. */
	sigset_t all;
	sigemptyset(&all);
	sigaddset(&all, SIGUSR1);
	sigaddset(&all, SIGHUP);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	static sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_t tid;
	if (pthread_create(&tid, NULL, signal_thread, &set) != 0) {
		milter_log(MILTER_LOG_ERROR, "cannot start the signal thread");
		return 1;
	}
	pthread_detach(tid);

	char *pidfile = cfg->pidfile != NULL ? sift_strdup(cfg->pidfile) : NULL;
	char *socket_path = path != NULL ? sift_strdup(path) : NULL;
	milter_log(MILTER_LOG_INFO, "started on %s with %s (headers %s, body %s, RCPT-time %s)",
	           cfg->socket, cfg->script, prog->wants_headers ? "yes" : "no",
	           prog->wants_body ? "yes" : "no", prog->early ? "yes" : "no");
	milter_program_install(prog, config_path, &ov);

	int r = smfi_main();

	milter_log(MILTER_LOG_INFO, "stopped");
	if (pidfile != NULL)
		unlink(pidfile);
	if (socket_path != NULL)
		unlink(socket_path);
	sift_free(pidfile);
	sift_free(socket_path);
	milter_program_shutdown();
	return r == MI_SUCCESS ? 0 : 1;
}
