/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU counters (no atomics needed, userspace sums the CPUs), and the per-CPU clock. */
#ifndef XLB_BPF_STATS_H
#define XLB_BPF_STATS_H

#include "maps.h"

static __always_inline void xlb_count(void *map, __u32 idx, __u64 bytes, __u64 new_flows)
{
	struct xlb_counters *c = bpf_map_lookup_elem(map, &idx);

	if (!c)
		return;
	c->packets++;
	c->bytes += bytes;
	c->new_flows += new_flows;
}

/*
 * bpf_ktime_get_coarse_ns() without its cost on every packet: the coarse clock only moves at a
 * tick, so it is read once per jiffy per CPU (bpf_jiffies64() is inlined by the verifier, the
 * clock is three nested kernel calls, a tenth of an established packet's own time). What a
 * packet gets is the coarse clock as some packet of this CPU read it during the current jiffy:
 * never ahead of it, behind it by at most a tick, as the coarse clock itself may be. Across
 * CPUs two values of one jiffy may differ by that tick either way.
 */
static __always_inline __u64 xlb_now(void)
{
	__u32 key = 0;
	struct xlb_clock *c = bpf_map_lookup_elem(&clock, &key);
	__u64 j = bpf_jiffies64();

	if (!c)
		return bpf_ktime_get_coarse_ns();
	if (c->jiffies != j) {
		c->jiffies = j;
		c->coarse_ns = bpf_ktime_get_coarse_ns();
	}
	return c->coarse_ns;
}

#endif /* XLB_BPF_STATS_H */
