/* SPDX-License-Identifier: MIT */
/* Stored copy of a message (see body-store.h).  The first mem_max bytes
   live in memory; past that, everything already held is written to an
   unlinked temporary file (O_TMPFILE where the file system has it, else
   mkstemp + unlink) and later bytes are appended there, so a large message
   costs file space, not memory.  Nothing is ever read back into memory
   whole. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mkostemp, O_TMPFILE */
#endif
#include "mail/body-store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buffer.h"

struct sift_body_store {
	struct sift_buf mem;
	size_t mem_max;
	char *tmpdir;
	int fd; /* -1 until spilled */
	uint64_t size;
	char error[160];
};

struct sift_body_store *
sift_body_store_create(size_t mem_max, const char *tmpdir)
{
	struct sift_body_store *store = sift_calloc(1, sizeof(*store));
	sift_buf_init(&store->mem, 0);
	store->mem_max = mem_max;
	store->tmpdir = tmpdir != NULL ? sift_strdup(tmpdir) : NULL;
	store->fd = -1;
	return store;
}

void
sift_body_store_destroy(struct sift_body_store **storep)
{
	struct sift_body_store *store = *storep;
	if (store == NULL)
		return;
	*storep = NULL;
	if (store->fd >= 0)
		close(store->fd);
	sift_buf_free(&store->mem);
	sift_free(store->tmpdir);
	sift_free(store);
}

static int
store_fail(struct sift_body_store *store, const char *what, const char **error_r)
{
	snprintf(store->error, sizeof(store->error), "message spill file: %s: %s", what,
	         strerror(errno));
	*error_r = store->error;
	return -1;
}

static int
write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
store_spill(struct sift_body_store *store, const char **error_r)
{
	const char *dir = store->tmpdir;
	if (dir == NULL)
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
#ifdef O_TMPFILE
	store->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (store->fd < 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/mailsift-body.XXXXXX", dir);
		store->fd = mkostemp(path, O_CLOEXEC);
		if (store->fd < 0)
			return store_fail(store, "create", error_r);
		unlink(path);
	}
	if (write_all(store->fd, store->mem.data, store->mem.len) < 0)
		return store_fail(store, "write", error_r);
	sift_buf_free(&store->mem);
	return 0;
}

int
sift_body_store_append(struct sift_body_store *store, const void *data, size_t len,
                       const char **error_r)
{
	if (len == 0)
		return 0;
	if (store->fd < 0 && store->mem.len + len > store->mem_max) {
		if (store_spill(store, error_r) < 0)
			return -1;
	}
	if (store->fd >= 0) {
		if (write_all(store->fd, data, len) < 0)
			return store_fail(store, "write", error_r);
	} else {
		(void)sift_buf_append(&store->mem, data, len);
	}
	store->size += len;
	return 0;
}

uint64_t
sift_body_store_size(const struct sift_body_store *store)
{
	return store->size;
}

bool
sift_body_store_spilled(const struct sift_body_store *store)
{
	return store->fd >= 0;
}

ssize_t
sift_body_store_read(struct sift_body_store *store, uint64_t offset, void *buf, size_t len,
                     const char **error_r)
{
	if (offset >= store->size)
		return 0;
	if (len > store->size - offset)
		len = (size_t)(store->size - offset);
	if (store->fd < 0) {
		memcpy(buf, store->mem.data + offset, len);
		return (ssize_t)len;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t n =
		    pread(store->fd, (char *)buf + done, len - done, (off_t)(offset + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return store_fail(store, "read", error_r);
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

const void *
sift_body_store_peek(const struct sift_body_store *store, uint64_t offset, size_t len)
{
	if (store->fd >= 0 || offset > store->size || len > store->size - offset)
		return NULL;
	return store->mem.data + offset;
}
