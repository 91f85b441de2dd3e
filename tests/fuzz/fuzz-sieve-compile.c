/* SPDX-License-Identifier: MIT */
/* Fuzz target: the whole Sieve compiler (parse, validate, prepare keys)
   on arbitrary script bytes.  It must never crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>

#include "sieve/sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sift_limits limits;
	sift_limits_init(&limits);
	struct sift_diags diags;
	sift_diags_init(&diags);
	struct sift_sieve_program *prog =
	    sift_sieve_compile("fuzz", (const char *)data, size, &limits, &diags);
	sift_sieve_program_unref(&prog);
	sift_diags_free(&diags);
	return 0;
}
