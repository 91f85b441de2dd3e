/* SPDX-License-Identifier: MIT */
/* Allocation wrappers: every allocation of the core goes through here so
   that running out of memory has exactly one, host-chosen, outcome. */
#include "alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sift_oom_handler_t *oom_handler;

void
sift_set_oom_handler(sift_oom_handler_t *handler)
{
	oom_handler = handler;
}

static void
out_of_memory(size_t size)
{
	if (oom_handler != NULL)
		oom_handler(size);
	fprintf(stderr, "mailsift: out of memory (allocating %zu bytes)\n", size);
	abort();
}

void *
sift_malloc(size_t size)
{
	void *p = malloc(size == 0 ? 1 : size);
	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
sift_calloc(size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	void *p = calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size);
	if (p == NULL)
		out_of_memory(nmemb * size);
	return p;
}

void *
sift_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size == 0 ? 1 : size);
	if (p == NULL)
		out_of_memory(size);
	return p;
}

char *
sift_memdup0(const void *data, size_t len)
{
	if (len == SIZE_MAX)
		out_of_memory(len);
	char *p = sift_malloc(len + 1);
	if (len > 0)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

char *
sift_strdup(const char *s)
{
	return sift_memdup0(s, strlen(s));
}

void
sift_free_ptr(void *ptr)
{
	free(ptr);
}
