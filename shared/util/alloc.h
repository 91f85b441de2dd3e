/* SPDX-License-Identifier: MIT */
#ifndef SIFT_ALLOC_H
#define SIFT_ALLOC_H

#include <stddef.h>

/* Memory allocation for the core.  Out of memory is not an error the core
   can recover from: the host installs a handler that logs and ends the
   process (the MTA then tempfails, so no mail is lost).  The handler must
   not return; if none is installed the core aborts. */
typedef void sift_oom_handler_t(size_t size);
void sift_set_oom_handler(sift_oom_handler_t *handler);

void *sift_malloc(size_t size);
/* Zero-filled; nmemb * size is checked for overflow. */
void *sift_calloc(size_t nmemb, size_t size);
void *sift_realloc(void *ptr, size_t size);
/* Copies len bytes and adds a NUL (the copy may contain NULs). */
char *sift_memdup0(const void *data, size_t len);
char *sift_strdup(const char *s);
/* Frees *ptr and sets it to NULL. */
#define sift_free(ptr)                                                                             \
	do {                                                                                       \
		sift_free_ptr(ptr);                                                                \
		(ptr) = NULL;                                                                      \
	} while (0)
void sift_free_ptr(void *ptr);

#endif
