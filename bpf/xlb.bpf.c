// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xlb's XDP entry point: the life of one packet. Parsing, scheduling and forwarding live in the
 * headers beside this file; here is only the order they run in.
 */
#include "common.h"
#include "frag.h"
#include "fwd.h"
#include "maps.h"
#include "nat.h"
#include "parse.h"
#include "sched.h"
#include "stats.h"
#include "tun.h"

/* Set by xlbd while it is a master with a sync peer; in .bss so it can change at run time. */
__u32 sync_flows = 0;
/* New flows whose sync event did not fit in flow_events (xlbd fell behind). */
__u64 sync_lost = 0;

/* Tell xlbd about a new binding; costs nothing unless a standby is listening. */
static __always_inline void xlb_sync_flow(const struct xlb_flow *flow, __u32 id, __u32 vip_id)
{
	struct xlb_flow_event ev = { .flow = *flow, .backend = id, .vip_id = vip_id };

	if (!sync_flows)
		return;
	if (bpf_ringbuf_output(&flow_events, &ev, sizeof(ev), 0))
		__sync_fetch_and_add(&sync_lost, 1);
}

static __always_inline int xlb_balance(struct xdp_md *ctx, struct xlb_pkt *pkt)
{
	struct xlb_backend *be = NULL;
	struct xlb_frag *frag = NULL;
	struct xlb_conn *conn = NULL;
	struct xlb_vip *vip;
	__u64 now, new_flow = 0, touched = 0;
	__u32 id = XLB_NO_BACKEND;
	int action;

	if (pkt->frag == XLB_FRAG_LATER) {
		frag = xlb_frag_follow(pkt);
		if (!frag)
			return xlb_verdict(pkt, XLB_R_PASS_FRAG_UNKNOWN, XDP_PASS);
	}
	vip = xlb_vip_find(&pkt->flow);
	if (!vip)
		return xlb_nat_reply(ctx, pkt);
	/* Every mode up to nat is implemented: one compare refuses a value from a newer xlbd. */
	if (vip->fwd > XLB_FWD_NAT)
		return xlb_verdict(pkt, XLB_R_PASS_NOT_VIP, XDP_PASS);
	if (!xlb_frame_is_ours(pkt->eth))
		return xlb_verdict(pkt, XLB_R_PASS_OTHER_HOST, XDP_PASS);

	now = xlb_now();
	if (frag) {
		/* A later fragment goes where its first did, or nowhere (a datagram cannot be
		 * reassembled from two backends): not rescheduled. */
		id = frag->backend;
		be = frag->vip_id == vip->id ? xlb_backend_live(id, vip->id) : NULL;
		if (!be)
			return xlb_verdict(pkt, XLB_R_PASS_FRAG_UNKNOWN, XDP_PASS);
	} else if (!pkt->tcp_syn) {
		/* A SYN opens a new connection even when its 5-tuple is still in conns from an
		 * old one (clients reuse ports): it is scheduled afresh, so a drained or
		 * re-weighted backend does not keep getting new connections through stale
		 * entries. */
		conn = bpf_map_lookup_elem(&conns, &pkt->flow);
	}
	if (conn) {
		id = conn->backend;
		be = xlb_backend_live(id, vip->id);
		if (be && now - conn->last_seen > XLB_CONN_TOUCH_NS) {
			conn->last_seen = now;
			touched = 1;
		}
	}
	if (!be) {
		/* New flow, or its backend left: pick again and remember the choice. An ICMP
		 * error about an unknown flow goes where the table says, and is not remembered. */
		be = xlb_schedule(vip, &pkt->flow, &id);
		if (!be) {
			xlb_count(&vip_stats, vip->id, pkt->len, 0);
			return xlb_verdict(pkt, XLB_R_DROP_NO_BACKEND, XDP_DROP);
		}
		new_flow = !pkt->icmp_err;
	}
	/* Forward first, remember after: a packet that cannot leave binds no flow. */
	if (vip->fwd == XLB_FWD_TUN)
		action = xlb_fwd_tun(ctx, pkt, be, id, now);
	else if (vip->fwd == XLB_FWD_NAT)
		action = xlb_fwd_nat(ctx, pkt, be, id, now);
	else if (be->flags & XLB_BE_F_MAC)
		action = xlb_fwd_dr(pkt->eth, be);
	else
		action = xlb_verdict(pkt, XLB_R_DROP_NO_MAC, XDP_DROP);
	/* Dropped, or answered instead of forwarded (too big: icmp_reply.h). */
	if (action == XDP_DROP || pkt->reason != XLB_R_FORWARDED) {
		xlb_count(&vip_stats, vip->id, pkt->len, 0);
		return action;
	}
	/* nat: a TTL that runs out here, a tagged frame: the kernel's. */
	if (action == XDP_PASS)
		return action;
	if (new_flow) {
		struct xlb_conn c = { .backend = id, .vip_id = vip->id, .last_seen = now };

		/* A full table evicts the least recently used flow; losing the insert only costs
		 * the flow its pinning, hashing still sends it to the same backend. */
		bpf_map_update_elem(&conns, &pkt->flow, &c, BPF_ANY);
		xlb_sync_flow(&pkt->flow, id, vip->id);
	}
	/* The reply mapping is refreshed with its conn, once a second: never per packet. */
	if (vip->fwd == XLB_FWD_NAT && (new_flow || touched))
		xlb_nat_record(pkt, be, id, vip->id, now);
	if (pkt->frag == XLB_FRAG_FIRST)
		xlb_frag_record(pkt, id, vip->id);

	xlb_count(&vip_stats, vip->id, pkt->len, new_flow);
	xlb_count(&backend_stats, id, pkt->len, new_flow);
	return xlb_verdict(pkt, XLB_R_FORWARDED, action);
}

SEC("xdp")
int xlb_xdp(struct xdp_md *ctx)
{
	struct xlb_pkt pkt = {};
	int action;

	action = xlb_parse(ctx, &pkt);
	if (action == XLB_CONTINUE)
		action = xlb_balance(ctx, &pkt);
	xlb_count(&reason_stats, pkt.reason, pkt.len, 0);
	return action;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
