/* SPDX-License-Identifier: MIT */
/* parse-bench: the streaming parser's throughput next to that of only reading
   the same files, measured in one run with one process model.

   usage: parse-bench [--rounds N] [--limit NAME=VALUE]... PATH...

   A PATH is a message file or a directory: a Maildir (its cur/ and new/ are
   walked) or else a plain directory of message files (not recursive).
   For every file both modes open() it, read() it in 64 KiB chunks into one
   buffer reused for all files, and close() it; "parse" mode also feeds each
   chunk to a new sift_message and finishes and destroys it (headers and MIME
   structure; no body decoding).  A first read pass warms the page cache,
   then read and parse passes alternate for N rounds and the best (least)
   time of each is kept.

   This is a host, not library code: it prints, and exits on errors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail/defects.h"
#include "mail/message-parser.h"
#include "util/alloc.h"
#include "util/limits.h"

#define CHUNK_SIZE (64 * 1024)

struct file_list {
	char **paths;
	size_t count;
	size_t alloc;
};

/* What one parse pass saw; the same on every round. */
struct parse_stats {
	uint64_t bytes;
	size_t multipart_roots;
	size_t parts;
	size_t with_defects;
	size_t defect_count[SIFT_DEFECT_COUNT];
};

static unsigned char chunk[CHUNK_SIZE];

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;
	fputs("parse-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
list_add(struct file_list *list, char *path)
{
	if (list->count == list->alloc) {
		list->alloc = list->alloc == 0 ? 1024 : list->alloc * 2;
		list->paths = sift_realloc(list->paths, list->alloc * sizeof(*list->paths));
	}
	list->paths[list->count++] = path;
}

static char *
path_join(const char *dir, const char *name)
{
	size_t dlen = strlen(dir);
	size_t nlen = strlen(name);
	char *path = sift_malloc(dlen + 1 + nlen + 1);
	memcpy(path, dir, dlen);
	path[dlen] = '/';
	memcpy(path + dlen + 1, name, nlen + 1);
	return path;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the regular files of dir, sorted by name so every run visits them in
   the same order. */
static void
add_dir_files(struct file_list *list, const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		die("cannot open directory %s: %s", dir, strerror(errno));
	size_t first = list->count;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *path = path_join(dir, de->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			list_add(list, path);
		else
			sift_free(path);
	}
	closedir(d);
	qsort(list->paths + first, list->count - first, sizeof(*list->paths), cmp_str);
}

static bool
is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
add_path(struct file_list *list, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		die("cannot stat %s: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		list_add(list, sift_strdup(path));
		return;
	}
	if (!S_ISDIR(st.st_mode))
		die("%s is neither a file nor a directory", path);
	char *cur = path_join(path, "cur");
	char *new = path_join(path, "new");
	if (is_dir(cur) || is_dir(new)) {
		if (is_dir(cur))
			add_dir_files(list, cur);
		if (is_dir(new))
			add_dir_files(list, new);
	} else {
		add_dir_files(list, path);
	}
	sift_free(cur);
	sift_free(new);
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one file in chunks; feeds each chunk to msg when there is one. */
static uint64_t
read_file(const char *path, struct sift_message *msg)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	uint64_t total = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("cannot read %s: %s", path, strerror(errno));
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (msg != NULL) {
			const char *error;
			if (sift_message_feed(msg, chunk, (size_t)n, &error) < 0)
				die("feeding %s: %s", path, error);
		}
	}
	close(fd);
	return total;
}

static uint64_t
read_pass(const struct file_list *list)
{
	uint64_t bytes = 0;
	for (size_t i = 0; i < list->count; i++)
		bytes += read_file(list->paths[i], NULL);
	return bytes;
}

static void
parse_pass(const struct file_list *list, const struct sift_limits *limits,
           struct parse_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	for (size_t i = 0; i < list->count; i++) {
		struct sift_message *msg = sift_message_create(limits, NULL);
		stats->bytes += read_file(list->paths[i], msg);
		const char *error;
		if (sift_message_finish(msg, &error) < 0)
			die("finishing %s: %s", list->paths[i], error);
		if (sift_message_root(msg)->is_multipart)
			stats->multipart_roots++;
		stats->parts += sift_message_part_count(msg);
		uint32_t defects = sift_message_defects(msg);
		if (defects != 0) {
			stats->with_defects++;
			for (int bit = 0; bit < SIFT_DEFECT_COUNT; bit++) {
				if ((defects & (1u << bit)) != 0)
					stats->defect_count[bit]++;
			}
		}
		sift_message_destroy(&msg);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: parse-bench [--rounds N] [--limit NAME=VALUE]... PATH...\n"
	                "  PATH: a message file, a Maildir (cur/ and new/) or a directory\n");
	exit(2);
}

static void
print_mode(const char *mode, double secs, size_t files, uint64_t bytes)
{
	printf("%-6s %9.3f s %12.0f msg/s %10.1f MB/s\n", mode, secs, (double)files / secs,
	       (double)bytes / 1e6 / secs);
}

int
main(int argc, char **argv)
{
	struct sift_limits limits;
	struct file_list list = {0};
	long rounds = 5;

	sift_limits_init(&limits);
	int i = 1;
	for (; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--rounds") == 0 && i + 1 < argc) {
			char *end;
			rounds = strtol(argv[++i], &end, 10);
			if (*end != '\0' || rounds < 1 || rounds > 1000)
				die("bad --rounds value '%s'", argv[i]);
		} else if (strcmp(arg, "--limit") == 0 && i + 1 < argc) {
			char *spec = sift_strdup(argv[++i]);
			char *eq = strchr(spec, '=');
			const char *error;
			if (eq == NULL)
				die("--limit wants NAME=VALUE, not '%s'", spec);
			*eq = '\0';
			if (sift_limits_set(&limits, spec, eq + 1, &error) < 0)
				die("%s", error);
			sift_free(spec);
		} else if (strcmp(arg, "--") == 0) {
			i++;
			break;
		} else if (arg[0] == '-') {
			usage();
		} else {
			break;
		}
	}
	if (i >= argc)
		usage();
	for (; i < argc; i++)
		add_path(&list, argv[i]);
	if (list.count == 0)
		die("no message files found in %s", argv[argc - 1]);

	/* Warm the page cache (and the allocator, for the parse passes). */
	uint64_t bytes = read_pass(&list);

	double best_read = 1e30;
	double best_parse = 1e30;
	struct parse_stats stats;
	for (long r = 0; r < rounds; r++) {
		double t0 = now();
		uint64_t b = read_pass(&list);
		double t1 = now();
		parse_pass(&list, &limits, &stats);
		double t2 = now();
		if (b != bytes || stats.bytes != bytes)
			die("the files changed during the run");
		if (t1 - t0 < best_read)
			best_read = t1 - t0;
		if (t2 - t1 < best_parse)
			best_parse = t2 - t1;
	}

	printf("files  %zu, %llu bytes (%.1f MB), %ld rounds, best time of each\n", list.count,
	       (unsigned long long)bytes, (double)bytes / 1e6, rounds);
	print_mode("read", best_read, list.count, bytes);
	print_mode("parse", best_parse, list.count, bytes);
	printf("multipart root %zu of %zu (%.1f%%), %zu parts, %zu messages with defects\n",
	       stats.multipart_roots, list.count,
	       100.0 * (double)stats.multipart_roots / (double)list.count, stats.parts,
	       stats.with_defects);
	for (int bit = 0; bit < SIFT_DEFECT_COUNT; bit++) {
		if (stats.defect_count[bit] != 0)
			printf("  defect %-24s %zu\n", sift_defect_name(1u << bit),
			       stats.defect_count[bit]);
	}
	printf("ratio parse/read = %.2f (target <= 6)\n", best_parse / best_read);

	for (size_t k = 0; k < list.count; k++)
		sift_free(list.paths[k]);
	sift_free(list.paths);
	return 0;
}
