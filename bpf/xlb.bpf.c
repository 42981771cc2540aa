// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xlb's XDP entry point: the life of one packet. Parsing, scheduling and forwarding live in the
 * headers beside this file; here is only the order they run in.
 */
#include "common.h"
#include "conn.h"
#include "frag.h"
#include "fwd.h"
#include "maps.h"
#include "nat.h"
#include "parse.h"
#include "sched.h"
#include "stats.h"
#include "tun.h"

static __always_inline int xlb_balance(struct xdp_md *ctx, struct xlb_pkt *pkt)
{
	struct xlb_backend *be = NULL;
	struct xlb_frag *frag = NULL;
	struct xlb_conn *conn = NULL;
	struct xlb_vip *vip;
	__u64 now, new_flow = 0, touched = 0;
	__u32 id = XLB_NO_BACKEND;
	__u8 via = XLB_VIA_CONN, state;
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
	} else if (!pkt->tcp_syn || !xlb_sched_stateless(vip)) {
		/* A SYN of a maglev or sh VIP looks nothing up: the table answers it as it will
		 * answer its ACK, and a miss in a full conns costs more than all the rest of the
		 * SYN's path (cold buckets). Its ACK, should it find an old connection's entry of
		 * the same 5-tuple, is handled below. */
		conn = bpf_map_lookup_elem(&conns, &pkt->flow);
	}
	/* A SYN opens a new connection even when its 5-tuple is still in conns from an old one
	 * (clients reuse ports): it is scheduled afresh, so a drained or re-weighted backend does
	 * not keep getting new connections through stale entries. Only a retransmit of a SYN
	 * that already rewrote the entry (state SYN) keeps it. */
	if (conn && (!pkt->tcp_syn || conn->state == XLB_CS_SYN)) {
		id = conn->backend;
		be = xlb_backend_live(id, vip->id);
		/* A closed connection's entry, quiet for a while, seen with a packet that is
		 * neither FIN nor RST: a new connection on the reused port, whose SYN (looking
		 * nothing up) went where the table says. Its entry is proven afresh. */
		if (be && conn->state == XLB_CS_CLOSING && !pkt->tcp_end && !pkt->icmp_err &&
		    now - conn->last_seen > XLB_CONN_REUSE_NS)
			be = NULL;
		if (be && now - conn->last_seen > XLB_CONN_TOUCH_NS) {
			conn->last_seen = now;
			touched = 1;
		}
	}
	if (!be) {
		/* New flow, or its backend left: chosen as its SYN was (conn.h). An ICMP error
		 * about an unknown flow goes where the table says, and is not remembered. */
		be = xlb_conn_choose(vip, pkt, now, &id, &via);
		if (!be) {
			xlb_count(&vip_stats, vip->id, pkt->len, 0);
			return xlb_verdict(pkt, XLB_R_DROP_NO_BACKEND, XDP_DROP);
		}
		/* A SYN proves nothing: only the flow's next packet enters conns. */
		new_flow = !pkt->icmp_err && !pkt->tcp_syn;
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
	if (pkt->tcp_syn) {
		xlb_conn_syn(vip, pkt, conn, id, via, now);
	} else if (new_flow) {
		state = xlb_conn_prove(vip, pkt, conn, id, via, now);
		xlb_sync_flow(&pkt->flow, id, vip->id, state);
	} else if (conn && (conn->state | pkt->tcp_end)) {
		/* The established path pays this one test (XLB_CS_ACTIVE is 0). */
		state = xlb_conn_seen(vip, pkt, conn, now);
		if (state != XLB_CS_MAX)
			xlb_sync_flow(&pkt->flow, id, vip->id, state);
		/* A reused port's new connection, proven: counted as the insert would be. */
		new_flow = state == XLB_CS_ACTIVE;
	}
	/* The reply mapping is refreshed with its conn, once a second: never per packet. A
	 * SYN writes it too: the backend's SYN-ACK must find its way back. */
	if (vip->fwd == XLB_FWD_NAT &&
	    (new_flow || touched || (pkt->tcp_syn && via != XLB_VIA_CONN)))
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
