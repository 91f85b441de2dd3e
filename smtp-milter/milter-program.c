/* SPDX-License-Identifier: MIT */
/* The program in force: the configuration, the compiled script and the
   hint key of one load, reference counted so that a reload never pulls
   them from under a running connection.  Reloads happen on SIGUSR1
   (libmilter owns SIGHUP) and, checked at most once a second when a
   connection starts, when the configuration, the script or the key file
   changed.  Only one thread reloads at a time; the others go on with the
   old program meanwhile.  A reload that fails keeps the old program and
   logs why, with the script's diagnostics. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "mail/delivery-hint.h"
#include "milter.h"

/* Reads a whole file, at most max bytes; -1 with errno (EFBIG past max). */
static int
read_file(const char *path, size_t max, char **data_r, size_t *len_r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct sift_buf buf;
	sift_buf_init(&buf, max + 1);
	for (;;) {
		if (sift_buf_reserve(&buf, 65536) < 0 && sift_buf_reserve(&buf, 1) < 0) {
			sift_buf_free(&buf);
			close(fd);
			errno = EFBIG;
			return -1;
		}
		size_t room = buf.cap - buf.len - 1;
		ssize_t n = read(fd, buf.data + buf.len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			sift_buf_free(&buf);
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		buf.len += (size_t)n;
		if (buf.len > max) {
			sift_buf_free(&buf);
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	close(fd);
	buf.data[buf.len] = '\0';
	*data_r = sift_buf_steal(&buf, len_r);
	return 0;
}

static void
replace_string(char **dst, const char *src)
{
	if (src == NULL)
		return;
	sift_free(*dst);
	*dst = sift_strdup(src);
}

struct milter_program *
milter_program_load(const char *config_path, const struct milter_overrides *overrides,
                    struct sift_diags *diags, char **diag_file_r)
{
	struct milter_program *prog = sift_calloc(1, sizeof(*prog));
	prog->refcount = 1;
	prog->loaded = (int64_t)time(NULL);
	milter_config_init(&prog->cfg);
	*diag_file_r = sift_strdup(config_path);
	if (milter_config_load(&prog->cfg, config_path, diags) < 0)
		goto fail;
	if (overrides != NULL) {
		replace_string(&prog->cfg.socket, overrides->socket);
		replace_string(&prog->cfg.user, overrides->user);
	}
	if (prog->cfg.hint_key_file != NULL) {
		const char *error;
		if (sift_hint_key_load(prog->cfg.hint_key_file, &prog->hint_key,
		                       &prog->hint_key_len, &error) < 0) {
			sift_diags_add(diags, SIFT_SEV_ERROR, 0, 0, "hint_key_file %s: %s",
			               prog->cfg.hint_key_file, error);
			goto fail;
		}
	}

	sift_free(*diag_file_r);
	*diag_file_r = sift_strdup(prog->cfg.script);
	char *text;
	size_t len;
	size_t max = (size_t)sift_limit(&prog->cfg.limits, SIFT_LIMIT_SCRIPT_BYTES);
	if (read_file(prog->cfg.script, max, &text, &len) < 0) {
		if (errno == EFBIG)
			sift_diags_add(diags, SIFT_SEV_ERROR, 0, 0,
			               "script is larger than limit_script_bytes (%zu bytes)", max);
		else
			sift_diags_add(diags, SIFT_SEV_ERROR, 0, 0, "cannot read the script: %s",
			               strerror(errno));
		goto fail;
	}
	prog->sieve = sift_sieve_compile(prog->cfg.script, text, len, &prog->cfg.limits, diags);
	sift_free(text);
	if (prog->sieve == NULL)
		goto fail;

	const struct sift_sieve_program *s = prog->sieve;
	prog->needs = sift_sieve_program_needs(s);
	prog->early = sift_sieve_program_uses(s, "ereject") ||
	              sift_sieve_program_uses(s, "vnd.mailsift.tempfail");
	/* The header is always seen: incoming Mailsift-Hint fields are
	   always deleted (DESIGN.md), and redirect loops and DSNs need it.
	   The MTA is told not to wait for an answer to each field. */
	prog->wants_headers = true;
	prog->wants_body = (prog->needs & SIFT_SIEVE_NEEDS_BODY) != 0;
	prog->uses_helo = sift_sieve_program_uses(s, "environment");
	prog->session_early = prog->early && (sift_sieve_program_uses(s, "environment") ||
	                                      sift_sieve_program_reads_envelope(s, "auth"));
	return prog;
fail:
	milter_program_unref(&prog);
	return NULL;
}

void
milter_program_ref(struct milter_program *prog)
{
	__atomic_add_fetch(&prog->refcount, 1, __ATOMIC_RELAXED);
}

void
milter_program_unref(struct milter_program **progp)
{
	struct milter_program *prog = *progp;
	*progp = NULL;
	if (prog == NULL || __atomic_sub_fetch(&prog->refcount, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	sift_sieve_program_unref(&prog->sieve);
	if (prog->hint_key != NULL) {
		memset(prog->hint_key, 0, prog->hint_key_len);
		sift_free(prog->hint_key);
	}
	milter_config_free(&prog->cfg);
	sift_free(prog);
}

/* ---- the one in force ---- */

struct file_id {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct timespec ctime;
};

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct milter_program *current;
static char *saved_config_path;
static struct milter_overrides saved_overrides;
static struct file_id ids[3]; /* configuration, script, key */
static bool reloading;
static time_t last_check;
static atomic_int reload_requested;

static void
file_id_get(const char *path, struct file_id *id)
{
	struct stat st;
	memset(id, 0, sizeof(*id));
	if (path == NULL || stat(path, &st) < 0)
		return;
	id->exists = true;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	id->ctime = st.st_ctim;
}

static bool
file_id_equal(const struct file_id *a, const struct file_id *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static void
files_of(const struct milter_program *prog, struct file_id out[3])
{
	file_id_get(saved_config_path, &out[0]);
	file_id_get(prog->cfg.script, &out[1]);
	file_id_get(prog->cfg.hint_key_file, &out[2]);
}

void
milter_program_install(struct milter_program *prog, const char *config_path,
                       const struct milter_overrides *overrides)
{
	pthread_mutex_lock(&current_lock);
	saved_config_path = sift_strdup(config_path);
	if (overrides != NULL) {
		saved_overrides.socket =
		    overrides->socket != NULL ? sift_strdup(overrides->socket) : NULL;
		saved_overrides.user = overrides->user != NULL ? sift_strdup(overrides->user) : NULL;
	}
	files_of(prog, ids);
	last_check = time(NULL);
	current = prog;
	pthread_mutex_unlock(&current_lock);
}

void
milter_program_request_reload(void)
{
	atomic_store(&reload_requested, 1);
}

/* Settings that only a restart changes. */
static void
warn_fixed_settings(const struct milter_config *old, const struct milter_config *new)
{
	struct {
		const char *name;
		const char *a, *b;
	} s[] = {
	    {"socket", old->socket, new->socket},
	    {"user", old->user, new->user},
	    {"group", old->group, new->group},
	    {"pidfile", old->pidfile, new->pidfile},
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		bool differ = (s[i].a == NULL) != (s[i].b == NULL) ||
		              (s[i].a != NULL && strcmp(s[i].a, s[i].b) != 0);
		if (differ)
			milter_log(MILTER_LOG_WARNING, "reload: a new %s takes effect at restart",
			           s[i].name);
	}
	if (old->socket_mode != new->socket_mode)
		milter_log(MILTER_LOG_WARNING, "reload: a new socket_mode takes effect at restart");
}

static void
log_diags(enum milter_log_level level, const char *file, const struct sift_diags *diags)
{
	struct sift_buf line;
	sift_buf_init(&line, 0);
	for (size_t i = 0; i < diags->count; i++) {
		sift_buf_reset(&line);
		sift_diag_format(&line, file, &diags->items[i]);
		milter_log(level, "%s", line.data);
	}
	sift_buf_free(&line);
}

/* Loads again; returns the new program, or NULL (logged) to keep the old. */
static struct milter_program *
reload(const struct milter_program *old, bool asked)
{
	struct sift_diags diags;
	sift_diags_init(&diags);
	char *file;
	struct milter_program *prog =
	    milter_program_load(saved_config_path, &saved_overrides, &diags, &file);
	if (prog == NULL) {
		log_diags(MILTER_LOG_ERROR, file, &diags);
		milter_log(MILTER_LOG_ERROR, "reload failed: the rules loaded before stay in force");
	} else {
		log_diags(MILTER_LOG_WARNING, file, &diags);
		warn_fixed_settings(&old->cfg, &prog->cfg);
		milter_log_set_level(prog->cfg.log_level);
		milter_log(MILTER_LOG_INFO, "reloaded %s (%s)", prog->cfg.script,
		           asked ? "SIGUSR1" : "a file changed");
	}
	sift_diags_free(&diags);
	sift_free(file);
	return prog;
}

struct milter_program *
milter_program_current(void)
{
	pthread_mutex_lock(&current_lock);
	struct milter_program *prog = current;
	milter_program_ref(prog);
	bool asked = atomic_load(&reload_requested) != 0;
	time_t now = time(NULL);
	bool check = !reloading && (asked || now != last_check);
	struct file_id now_ids[3];
	if (check) {
		last_check = now;
		files_of(prog, now_ids);
		check = asked || !file_id_equal(&now_ids[0], &ids[0]) ||
		        !file_id_equal(&now_ids[1], &ids[1]) ||
		        !file_id_equal(&now_ids[2], &ids[2]);
		if (check) {
			reloading = true;
			atomic_store(&reload_requested, 0);
			/* A failed reload is not retried until a file changes again. */
			memcpy(ids, now_ids, sizeof(ids));
		}
	}
	pthread_mutex_unlock(&current_lock);
	if (!check)
		return prog;

	struct milter_program *fresh = reload(prog, asked);
	pthread_mutex_lock(&current_lock);
	reloading = false;
	struct milter_program *old = NULL;
	if (fresh != NULL) {
		old = current;
		current = fresh;
		files_of(fresh, ids);
		milter_program_ref(fresh);
	}
	pthread_mutex_unlock(&current_lock);
	milter_program_unref(&old);
	if (fresh != NULL) {
		milter_program_unref(&prog);
		return fresh;
	}
	return prog;
}

void
milter_program_shutdown(void)
{
	pthread_mutex_lock(&current_lock);
	struct milter_program *prog = current;
	current = NULL;
	pthread_mutex_unlock(&current_lock);
	milter_program_unref(&prog);
	sift_free(saved_config_path);
	sift_free_ptr((char *)saved_overrides.socket);
	sift_free_ptr((char *)saved_overrides.user);
	saved_overrides.socket = saved_overrides.user = NULL;
}
