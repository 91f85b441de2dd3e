/* SPDX-License-Identifier: MIT */
/* Compiled scripts, kept per process.

   A Dovecot process (lmtp, imap, dovecot-lda) delivers for one user or
   many; each script file is compiled the first time it is needed and
   again only when it changes: the cache entry remembers the file's
   device, inode, size and change and modification times, and a stat()
   per use tells whether they still hold.  There are no compiled files on
   disk, so a global script needs only to be readable by the users it
   runs for.

   A script that does not compile is remembered as broken (with its first
   error) until the file changes, so its diagnostics are logged once per
   version and not on every delivery.  The cache holds at most
   CACHE_MAX entries; past that the least recently used goes.  Programs
   are reference counted: one evicted while a delivery uses it lives on
   until that delivery lets go. */

#include "lib.h"

#include "mailsift-plugin.h"
#include "util/alloc.h"
#include "util/buffer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAX 256
/* Diagnostics logged for one broken script. */
#define LOG_DIAGS_MAX 10

struct cached_script {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	struct sift_limits limits; /* compiled with */
	struct sift_sieve_program *program; /* NULL: broken */
	char *error;
	/* Every diagnostic of the compilation, a line each as
	   "LINE:COLUMN: severity: text" + CRLF without the file's name (for
	   IMAP FILTER), errors and warnings apart; NULL when none. */
	char *errors, *warnings;
	uint64_t used; /* LRU clock */
};

static struct cached_script *cache;
static size_t cache_count;
static uint64_t cache_clock;

static void
entry_clear(struct cached_script *e)
{
	sift_free(e->path);
	sift_free(e->error);
	sift_free(e->errors);
	sift_free(e->warnings);
	sift_sieve_program_unref(&e->program);
	memset(e, 0, sizeof(*e));
}

/* One per process: Dovecot's processes run one script at a time. */
static struct sift_sieve_scratch *scratch;

struct sift_sieve_scratch *
mailsift_scratch(void)
{
	if (scratch == NULL)
		scratch = sift_sieve_scratch_create();
	return scratch;
}

void
mailsift_script_cache_clear(void)
{
	sift_sieve_scratch_destroy(&scratch);
	for (size_t i = 0; i < cache_count; i++)
		entry_clear(&cache[i]);
	sift_free(cache);
	cache = NULL;
	cache_count = 0;
}

static bool
same_file(const struct cached_script *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
	       e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       e->ctime.tv_sec == st->st_ctim.tv_sec && e->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* The entry for path: the existing one, a free slot, or the least
   recently used one emptied. */
static struct cached_script *
entry_for(const char *path)
{
	for (size_t i = 0; i < cache_count; i++) {
		if (strcmp(cache[i].path, path) == 0)
			return &cache[i];
	}
	if (cache == NULL)
		cache = sift_calloc(CACHE_MAX, sizeof(*cache));
	struct cached_script *e;
	if (cache_count < CACHE_MAX) {
		e = &cache[cache_count++];
	} else {
		e = &cache[0];
		for (size_t i = 1; i < cache_count; i++) {
			if (cache[i].used < e->used)
				e = &cache[i];
		}
		entry_clear(e);
	}
	e->path = sift_strdup(path);
	return e;
}

/* Reads the open script into memory, refusing more than max bytes. */
static int
read_all(int fd, const char *path, size_t max, struct sift_buf *out, const char **error_r)
{
	char chunk[8192];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*error_r = t_strdup_printf("read(%s) failed: %m", path);
			return -1;
		}
		if (n == 0)
			return 0;
		if (sift_buf_append(out, chunk, (size_t)n) < 0) {
			*error_r = t_strdup_printf("%s: script larger than %zu bytes "
			                           "(mailsift_limit_script_bytes)",
			                           path, max);
			return -1;
		}
	}
}

static void
compile_into(struct cached_script *e, int fd, const struct stat *st,
             const struct sift_limits *limits, struct event *event)
{
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	e->limits = *limits;
	sift_sieve_program_unref(&e->program);
	sift_free(e->error);
	e->error = NULL;
	sift_free(e->errors);
	sift_free(e->warnings);
	e->errors = e->warnings = NULL;

	size_t max = (size_t)sift_limit(limits, SIFT_LIMIT_SCRIPT_BYTES);
	struct sift_buf text;
	sift_buf_init(&text, max);
	const char *error;
	if (read_all(fd, e->path, max, &text, &error) < 0) {
		e->error = sift_strdup(error);
		e_error(event, "mailsift: %s", error);
		sift_buf_free(&text);
		return;
	}

	struct sift_diags diags;
	sift_diags_init(&diags);
	e->program = sift_sieve_compile(e->path, text.data, text.len, limits, &diags);
	sift_buf_free(&text);

	struct sift_buf line, errors, warnings;
	sift_buf_init(&line, 0);
	sift_buf_init(&errors, 0);
	sift_buf_init(&warnings, 0);
	size_t logged = 0;
	for (size_t i = 0; i < diags.count; i++) {
		const struct sift_diag *d = &diags.items[i];
		struct sift_buf *report = d->severity == SIFT_SEV_ERROR ? &errors : &warnings;
		/* The file's name is left out: sift_diag_format's "F:" is cut. */
		sift_buf_reset(&line);
		sift_diag_format(&line, "F", d);
		(void)sift_buf_append_str(report, line.data + 2);
		(void)sift_buf_append_str(report, "\r\n");
		if (logged == LOG_DIAGS_MAX)
			continue;
		sift_buf_reset(&line);
		sift_diag_format(&line, e->path, d);
		if (d->severity == SIFT_SEV_ERROR) {
			e_error(event, "mailsift: %s", line.data);
			if (e->error == NULL)
				e->error = sift_strdup(line.data);
		} else {
			e_warning(event, "mailsift: %s", line.data);
		}
		logged++;
	}
	if (e->program == NULL && e->error == NULL)
		e->error = sift_strdup(t_strdup_printf("%s: does not compile", e->path));
	if (errors.len > 0)
		e->errors = sift_strdup(errors.data);
	if (warnings.len > 0)
		e->warnings = sift_strdup(warnings.data);
	sift_buf_free(&line);
	sift_buf_free(&errors);
	sift_buf_free(&warnings);
	sift_diags_free(&diags);
}

/* A file that cannot be read now has no diagnostics of an earlier
   version to show (a missing one shows none anyway). */
static void
forget_diagnostics(const char *path)
{
	for (size_t i = 0; i < cache_count; i++) {
		if (strcmp(cache[i].path, path) == 0) {
			sift_free(cache[i].errors);
			sift_free(cache[i].warnings);
			cache[i].errors = cache[i].warnings = NULL;
		}
	}
}

enum mailsift_script_status
mailsift_script_get(const char *path, const struct sift_limits *limits, struct event *event,
                    struct sift_sieve_program **program_r, const char **error_r)
{
	*program_r = NULL;
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return MAILSIFT_SCRIPT_MISSING;
		*error_r = t_strdup_printf("stat(%s) failed: %m", path);
		forget_diagnostics(path);
		e_error(event, "mailsift: %s", *error_r);
		return MAILSIFT_SCRIPT_BROKEN;
	}
	if (!S_ISREG(st.st_mode)) {
		forget_diagnostics(path);
		*error_r = t_strdup_printf("%s: not a regular file", path);
		e_error(event, "mailsift: %s", *error_r);
		return MAILSIFT_SCRIPT_BROKEN;
	}

	struct cached_script *e = entry_for(path);
	e->used = ++cache_clock;
	bool fresh = (e->program != NULL || e->error != NULL) && same_file(e, &st) &&
	             memcmp(&e->limits, limits, sizeof(*limits)) == 0;
	if (!fresh) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			*error_r = t_strdup_printf("open(%s) failed: %m", path);
			e_error(event, "mailsift: %s", *error_r);
			/* Not remembered: a permission fixed later is seen at once. */
			entry_clear(e);
			e->path = sift_strdup(path);
			return MAILSIFT_SCRIPT_BROKEN;
		}
		/* The file may have changed between stat() and open(). */
		if (fstat(fd, &st) < 0)
			i_zero(&st);
		compile_into(e, fd, &st, limits, event);
		i_close_fd(&fd);
		if (e->program != NULL)
			e_debug(event, "mailsift: compiled %s", path);
	}
	if (e->program == NULL) {
		*error_r = t_strdup(e->error);
		return MAILSIFT_SCRIPT_BROKEN;
	}
	sift_sieve_program_ref(e->program);
	*program_r = e->program;
	return MAILSIFT_SCRIPT_OK;
}

void
mailsift_script_diagnostics(const char *path, const char **errors_r, const char **warnings_r)
{
	*errors_r = *warnings_r = NULL;
	for (size_t i = 0; i < cache_count; i++) {
		if (strcmp(cache[i].path, path) == 0) {
			*errors_r = t_strdup(cache[i].errors);
			*warnings_r = t_strdup(cache[i].warnings);
			return;
		}
	}
}
