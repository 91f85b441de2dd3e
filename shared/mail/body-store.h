/* SPDX-License-Identifier: MIT */
#ifndef SIFT_BODY_STORE_H
#define SIFT_BODY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The stored copy of a message's bytes: in memory up to a limit, then
   spilled to an unlinked temporary file.  Append-only while the message
   streams in; readable at any offset afterwards (and during). */
struct sift_body_store;

/* mem_max: bytes held in memory before spilling; tmpdir: where the spill
   file goes (NULL: $TMPDIR or /tmp). */
struct sift_body_store *sift_body_store_create(size_t mem_max, const char *tmpdir);
void sift_body_store_destroy(struct sift_body_store **store);

/* Returns 0, or -1 with *error_r if the spill file cannot be made or
   written (the host then tempfails). */
int sift_body_store_append(struct sift_body_store *store, const void *data, size_t len,
                           const char **error_r);
uint64_t sift_body_store_size(const struct sift_body_store *store);
bool sift_body_store_spilled(const struct sift_body_store *store);

/* Copies up to len bytes from offset into buf; returns the count copied
   (short only at the end of the data) or -1 with *error_r on I/O error. */
ssize_t sift_body_store_read(struct sift_body_store *store, uint64_t offset, void *buf, size_t len,
                             const char **error_r);
/* A pointer to len contiguous bytes at offset when they are in memory,
   else NULL (the caller then reads into its own buffer). */
const void *sift_body_store_peek(const struct sift_body_store *store, uint64_t offset, size_t len);

#endif
