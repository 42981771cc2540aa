/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* VIP match, connection table and backend choice for new flows. */
#ifndef XLB_BPF_SCHED_H
#define XLB_BPF_SCHED_H

#include "maps.h"

/* Refresh a conn's last_seen at most this often: a write per packet would bounce the cache line. */
#define XLB_CONN_TOUCH_NS 1000000000ULL
/*
 * A CLOSING entry quiet this long is over: the client's last packets of a closed connection (its
 * final ACK, FIN retransmits) come within a round trip, and a port is not reused within a second
 * (TIME_WAIT, tcp_tw_reuse's one second).
 */
#define XLB_CONN_REUSE_NS 1000000000ULL

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

/* What xlb_lc_step() is told, and the best backend so far. */
struct xlb_lc_scan {
	__u32 table_key; /* maglev_tables key of the VIP's table */
	__u32 vip_id;
	__u32 weighted;  /* wlc: per unit of weight; lc: every backend weighs 1 */
	__u32 best;      /* backend id, XLB_NO_BACKEND until one is live */
	__u64 best_oh;   /* its overhead, active * 256 + inactive */
	__u64 best_w;    /* its weight */
};

/*
 * One slot of lc / wlc's scan (LVS's ip_vs_lc / ip_vs_wlc): the backend there wins if its
 * overhead active * 256 + inactive (ip_vs_dest_conn_overhead) per unit of weight is less than the
 * best one's, compared cross-multiplied so no division is needed; ties go to the earlier slot.
 *
 * A bpf_loop() callback: the verifier checks its body once, not once per iteration as a
 * bounded loop's (113k instructions processed, for a 256-slot bound, against ~1k). It cannot
 * hold the inner map from one call to the next, so each call looks the table up by key.
 */
static long xlb_lc_step(__u64 i, void *data)
{
	struct xlb_lc_scan *scan = data;
	struct xlb_backend_conns *c;
	struct xlb_backend *be;
	__s64 active = 0, inactive = 0;
	__u32 slot = (__u32)i, *id;
	__u64 oh, w;
	void *table;

	table = bpf_map_lookup_elem(&maglev_tables, &scan->table_key);
	if (!table)
		return 1;
	id = bpf_map_lookup_elem(table, &slot);
	if (!id)
		return 1;
	be = xlb_backend_live(*id, scan->vip_id);
	/* LVS skips a weight-0 destination in lc too: it is quiesced. */
	if (!be || !be->weight)
		return 0;
	c = bpf_map_lookup_elem(&backend_conns, id);
	if (c) {
		active = c->active;
		inactive = c->inactive;
	}
	/* Counts may dip below 0 between xlbd's sweeps (unseen evictions, races): a negative
	 * one must not pull every new flow to its backend. */
	if (active < 0)
		active = 0;
	if (inactive < 0)
		inactive = 0;
	/* At most 2^31 * 257 * 65535 < 2^56: the products fit. */
	oh = (__u64)active * 256 + (__u64)inactive;
	w = scan->weighted ? be->weight : 1;
	if (scan->best == XLB_NO_BACKEND || oh * scan->best_w < scan->best_oh * w) {
		scan->best = *id;
		scan->best_oh = oh;
		scan->best_w = w;
	}
	return 0;
}

/*
 * lc / wlc: the live backend of least connections (per weight), over the VIP's table of live
 * backends, ring <= XLB_LC_MAX_BACKENDS slots (the config's cap; clamped here too).
 */
static __always_inline __u32 xlb_lc_pick(__u32 table_key, __u32 ring, __u32 vip_id,
					 __u32 weighted)
{
	struct xlb_lc_scan scan = {
		.table_key = table_key,
		.vip_id = vip_id,
		.weighted = weighted,
		.best = XLB_NO_BACKEND,
		.best_w = 1,
	};

	bpf_loop(ring < XLB_LC_MAX_BACKENDS ? ring : XLB_LC_MAX_BACKENDS, xlb_lc_step, &scan, 0);
	return scan.best;
}

/* The backend id the VIP's table gives this flow, by the VIP's scheduler; XLB_NO_BACKEND if none. */
static __always_inline __u32 xlb_table_pick(const struct xlb_vip *vip, const struct xlb_flow *f)
{
	__u32 key = vip->id + (vip->flags & XLB_VIP_F_BANK ? XLB_MAX_VIPS : 0);
	__u32 ring = vip->ring_size;
	__u32 slot, *id, *pos;
	void *table;

	table = bpf_map_lookup_elem(&maglev_tables, &key);
	if (!table || !ring)
		return XLB_NO_BACKEND;
	switch (vip->sched) {
	case XLB_SCHED_MAGLEV:
		/* Persistent: a client's first connections, opened at once before any
		 * template exists, all hash alike. */
		slot = (vip->flags & XLB_VIP_F_PERSIST ? xlb_client_hash(f) : xlb_flow_hash(f)) %
		       ring;
		break;
	case XLB_SCHED_SH:
		slot = xlb_client_hash(f) % ring;
		break;
	case XLB_SCHED_WRR:
	case XLB_SCHED_RR:
		/* Per CPU, so no atomic: each CPU walks the whole smooth sequence. Kept below
		 * ring (also after the table shrank) rather than wrapping at 2^32. */
		pos = bpf_map_lookup_elem(&sched_pos, &vip->id);
		if (!pos)
			return XLB_NO_BACKEND;
		slot = *pos % ring;
		*pos = slot + 1 < ring ? slot + 1 : 0;
		break;
	case XLB_SCHED_WLC:
	case XLB_SCHED_LC:
		return xlb_lc_pick(key, ring, vip->id, vip->sched == XLB_SCHED_WLC);
	default:
		return XLB_NO_BACKEND;
	}
	/* The inner map's size is not known to the verifier; the helper bounds-checks slot. */
	id = bpf_map_lookup_elem(table, &slot);
	return id ? *id : XLB_NO_BACKEND;
}

/*
 * maglev and sh answer alike for every packet of a flow while the table stays: a SYN needs no
 * entry for its first ACK to find the same backend. The others keep the SYN's choice in syns,
 * and so do maglev and sh while their table settles after a change (XLB_VIP_F_SETTLING).
 */
static __always_inline int xlb_sched_stateless(const struct xlb_vip *vip)
{
	return vip->sched <= XLB_SCHED_SH && !(vip->flags & XLB_VIP_F_SETTLING);
}

/* Backend for a flow without a usable conn: the VIP's table, else its fallback. */
static __always_inline struct xlb_backend *xlb_schedule(const struct xlb_vip *vip,
							const struct xlb_flow *f, __u32 *id)
{
	struct xlb_backend *be;

	*id = xlb_table_pick(vip, f);
	be = xlb_backend_live(*id, vip->id);
	if (be)
		return be;
	*id = vip->fallback;
	if (*id == XLB_NO_BACKEND)
		return NULL;
	return xlb_backend_live(*id, vip->id);
}

#endif /* XLB_BPF_SCHED_H */
