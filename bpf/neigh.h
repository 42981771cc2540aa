/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpf_fib_lookup finds neighbours but never resolves one: a destination whose next hop the
 * kernel has not talked to yet (a NAT pair's new master and the clients' router) answers
 * NO_NEIGH for as long as nothing else makes the kernel resolve it. The data path names such a
 * destination on neigh_wants; xlbd probes it, unbound, so the hop its route takes gets resolved.
 */
#ifndef XLB_BPF_NEIGH_H
#define XLB_BPF_NEIGH_H

#include "common.h"
#include "maps.h"

/*
 * Ask xlbd to resolve the hop toward addr, at most once per XLB_NEIGH_WANT_NS per destination
 * on this CPU: a flood of replies to one client costs a slot lookup each, not a ring record.
 * Destinations sharing a slot each get through (more records, never fewer); a full ring loses
 * the want, and the sender's retransmit asks again.
 */
static __always_inline void xlb_neigh_want(__u8 family, const __be32 *addr, __u32 ifindex)
{
	struct xlb_neigh_want ev = { .ifindex = ifindex, .family = family };
	__u32 h = (addr[0] ^ addr[1] ^ addr[2] ^ addr[3] ^ family) * 0x9e3779b1u;
	__u32 slot = (h >> 16) & (XLB_NEIGH_SLOTS - 1);
	struct xlb_neigh_slot *s = bpf_map_lookup_elem(&neigh_slots, &slot);
	__u64 now = bpf_ktime_get_ns();

	if (!s)
		return;
	if (s->family == family && now - s->stamp < XLB_NEIGH_WANT_NS &&
	    !((s->addr[0] ^ addr[0]) | (s->addr[1] ^ addr[1]) | (s->addr[2] ^ addr[2]) |
	      (s->addr[3] ^ addr[3])))
		return;
	__builtin_memcpy(s->addr, addr, sizeof(s->addr));
	s->family = family;
	s->stamp = now;
	__builtin_memcpy(ev.addr, addr, sizeof(ev.addr));
	bpf_ringbuf_output(&neigh_wants, &ev, sizeof(ev), 0);
}

#endif /* XLB_BPF_NEIGH_H */
