/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tables of the stateful schedulers (include/xlb/abi.h, enum xlb_sched): rr and wrr walk a
 * smooth weighted sequence, one slot per new flow; lc and wlc scan the list of live backends.
 * Backends are ordered by key first, so dispatchers given the same backends build the same table.
 */
#ifndef XLB_DISPATCH_SEQ_H
#define XLB_DISPATCH_SEQ_H

#include <stddef.h>
#include <stdint.h>

#include "dispatch/sched.h"

/*
 * wrr's table length: the sum of weight / gcd over the backends of non-zero weight (one cycle of
 * the sequence). Above XLB_MAGLEV_MAX_SIZE the weights are scaled down to fit (see
 * xlb_wrr_build). 1 when no backend has weight: the one slot then names XLB_NO_BACKEND.
 */
uint32_t xlb_wrr_size(const struct xlb_sched_backend *be, size_t n, uint32_t maglev_size);

/*
 * Fill table[0..size) with nginx's smooth weighted round-robin over one cycle: at each step every
 * backend's current weight grows by its weight, the largest (the first in key order on a tie) is
 * picked and loses the total. Over the cycle each backend gets exactly weight / gcd slots, spread
 * as evenly as the weights allow (weights 5 1 1 give a a b a c a a, not a a a a a b c).
 * size must be xlb_wrr_size()'s answer.
 *
 * Scaled weights: when the cycle would exceed XLB_MAGLEV_MAX_SIZE (M), each weight w becomes
 * max(1, floor(w * (M - n) / W)), W the sum, n the backends of non-zero weight. A backend of
 * share p then gets a share within (1 + n * p) / (M - 2 n) of p: under 0.4% even with
 * XLB_MAX_BACKENDS backends, under 0.003% for 16 backends.
 *
 * Cost O(size * n) on a rebuild. Returns 0 or -EINVAL / -ENOMEM.
 */
int xlb_wrr_build(const struct xlb_sched_backend *be, size_t n, uint32_t *table, uint32_t size);

/* rr: as wrr with every non-zero weight 1, so the table lists each backend once. */
uint32_t xlb_rr_size(const struct xlb_sched_backend *be, size_t n, uint32_t maglev_size);
int xlb_rr_build(const struct xlb_sched_backend *be, size_t n, uint32_t *table, uint32_t size);

/*
 * lc / wlc: each backend of non-zero weight once, in key order (the data path reads weights and
 * counts itself). The size is their count, at most XLB_LC_MAX_BACKENDS (the config's cap); 1
 * slot naming XLB_NO_BACKEND when there are none. Returns 0 or -EINVAL / -ENOMEM.
 */
uint32_t xlb_lc_size(const struct xlb_sched_backend *be, size_t n, uint32_t maglev_size);
int xlb_lc_build(const struct xlb_sched_backend *be, size_t n, uint32_t *table, uint32_t size);

#endif /* XLB_DISPATCH_SEQ_H */
