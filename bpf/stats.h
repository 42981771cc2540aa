/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU counters: no atomics needed, userspace sums the CPUs. */
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

#endif /* XLB_BPF_STATS_H */
