/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Weighted Maglev lookup tables (Eisenbud et al., NSDI 2016, section 3.4), built in userspace and
 * swapped into the data path whole.
 */
#ifndef XLB_MAGLEV_H
#define XLB_MAGLEV_H

#include <stddef.h>
#include <stdint.h>

#include "dispatch/sched.h"

/*
 * Fill table[0..size) (size prime) with backend ids. The same backends (by key and weight) give the
 * same table whatever their order in the array, so dispatchers of a fleet agree. With no backend of
 * non-zero weight every slot is XLB_NO_BACKEND. Returns 0 or -EINVAL / -ENOMEM.
 */
int xlb_maglev_build(const struct xlb_sched_backend *be, size_t n, uint32_t *table, uint32_t size);

int xlb_is_prime(uint32_t n);

#endif /* XLB_MAGLEV_H */
