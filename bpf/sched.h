/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* VIP match, connection table and backend choice for new flows. */
#ifndef XLB_BPF_SCHED_H
#define XLB_BPF_SCHED_H

#include "maps.h"

/* Refresh a conn's last_seen at most this often: a write per packet would bounce the cache line. */
#define XLB_CONN_TOUCH_NS 1000000000ULL

/* Exact {address, port, protocol} first, then the address's every-port VIP. */
static __always_inline struct xlb_vip *xlb_vip_find(const struct xlb_flow *f)
{
	struct xlb_vip_key key = {
		.port = f->dport,
		.proto = f->proto,
		.family = f->family,
	};
	struct xlb_vip *vip;

	__builtin_memcpy(key.addr, f->dst, sizeof(key.addr));
	vip = bpf_map_lookup_elem(&vips, &key);
	if (vip)
		return vip;
	key.port = 0;
	return bpf_map_lookup_elem(&vips, &key);
}

/* The backend if it may carry flows of this VIP, else NULL. */
static __always_inline struct xlb_backend *xlb_backend_live(__u32 id, __u32 vip_id)
{
	struct xlb_backend *be = bpf_map_lookup_elem(&backends, &id);

	if (!be || be->vip_id != vip_id)
		return NULL;
	if ((be->flags & (XLB_BE_F_USED | XLB_BE_F_LIVE)) != (XLB_BE_F_USED | XLB_BE_F_LIVE))
		return NULL;
	return be;
}

static __always_inline __u32 xlb_maglev_pick(const struct xlb_vip *vip, const struct xlb_flow *f)
{
	__u32 key = vip->id + (vip->flags & XLB_VIP_F_BANK ? XLB_MAX_VIPS : 0);
	__u32 slot, *id;
	void *table;

	table = bpf_map_lookup_elem(&maglev_tables, &key);
	if (!table || !vip->ring_size)
		return XLB_NO_BACKEND;
	slot = xlb_flow_hash(f) % vip->ring_size;
	/* The inner map's size is not known to the verifier; the helper bounds-checks slot. */
	id = bpf_map_lookup_elem(table, &slot);
	return id ? *id : XLB_NO_BACKEND;
}

/*
 * maglev and sh answer alike for every packet of a flow while the table stays: a SYN needs no
 * entry for its first ACK to find the same backend. The others keep the SYN's choice in syns.
 */
static __always_inline int xlb_sched_stateless(const struct xlb_vip *vip)
{
	return vip->sched <= XLB_SCHED_SH;
}

/* Backend for a flow without a usable conn: the VIP's table, else its fallback. */
static __always_inline struct xlb_backend *xlb_schedule(const struct xlb_vip *vip,
							const struct xlb_flow *f, __u32 *id)
{
	struct xlb_backend *be;

	*id = xlb_maglev_pick(vip, f);
	be = xlb_backend_live(*id, vip->id);
	if (be)
		return be;
	*id = vip->fallback;
	if (*id == XLB_NO_BACKEND)
		return NULL;
	return xlb_backend_live(*id, vip->id);
}

#endif /* XLB_BPF_SCHED_H */
