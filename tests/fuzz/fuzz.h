/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the libFuzzer harnesses share. A property that does not hold aborts with the line and
 * what was expected, which libFuzzer reports as a crash and saves the input for.
 */
#ifndef XLB_FUZZ_H
#define XLB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                  \
			abort();                                                         \
		}                                                                        \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* XLB_FUZZ_H */
