// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compiled, not run: `clang -target bpfeb -O2 -S` folds this to `r0 = 1` exactly when
 * xlb_flow_hash() on a big-endian host gives the known answers (r0 = 0 otherwise), so a
 * little-endian machine checks what a big-endian fleet member would compute.
 */
#include <linux/types.h>

#include "xlb/hash.h"
#include "hash_kat.h"

int xlb_hash_kats_match(void)
{
	int ok = 1;
	__u32 i;

	for (i = 0; i < XLB_HASH_KATS; i++)
		ok &= xlb_flow_hash(&xlb_hash_kats[i].flow) == xlb_hash_kats[i].hash;
	return ok;
}
