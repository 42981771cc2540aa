/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The connection table: which flow goes where, in which state, and the per-backend counts.
 *
 * conns holds PROVEN flows only: a TCP flow enters it with its first non-SYN packet (a spoofed
 * SYN's source never sends one), a UDP flow with its first datagram. A SYN is scheduled without
 * an insert: maglev and sh give its ACK the same answer; a stateful scheduler's pick (rr, wrr, lc,
 * wlc) waits in syns, which a flood churns instead of conns. A SYN reusing the 5-tuple of an entry
 * in conns rewrites that entry in place (state SYN), never inserts.
 *
 * backend_conns counts ActiveConn (TCP entries of conns in ACTIVE) and InActConn (every other
 * entry of conns and syns) with atomic adds on each insert, delete and state change. Races of
 * two CPUs on one flow and LRU evictions go unseen: the counts are approximate, xlbd's sweep
 * recounts and corrects them.
 */
#ifndef XLB_BPF_CONN_H
#define XLB_BPF_CONN_H

#include "maps.h"
#include "parse.h"
#include "persist.h"
#include "sched.h"

/* Set by xlbd while it is a master with a sync peer; in .bss so it can change at run time. */
__u32 sync_flows = 0;
/* Sync events that did not fit in flow_events (xlbd fell behind). */
__u64 sync_lost = 0;

/* Tell xlbd about a binding or a state change; costs nothing unless a standby is listening. */
static __always_inline void xlb_sync_flow(const struct xlb_flow *flow, __u32 id, __u32 vip_id,
					  __u8 state)
{
	struct xlb_flow_event ev = {
		.flow = *flow, .backend = id, .vip_id = vip_id, .state = state,
	};

	if (!sync_flows)
		return;
	if (bpf_ringbuf_output(&flow_events, &ev, sizeof(ev), 0))
		__sync_fetch_and_add(&sync_lost, 1);
}

/* An entry of proto in state joins (delta 1) or leaves (-1) backend id's counts. */
static __always_inline void xlb_conn_count(__u32 id, __u8 proto, __u8 state, int delta)
{
	struct xlb_backend_conns *c = bpf_map_lookup_elem(&backend_conns, &id);

	if (!c)
		return;
	if (proto == IPPROTO_TCP && state == XLB_CS_ACTIVE)
		__sync_fetch_and_add(&c->active, delta);
	else
		__sync_fetch_and_add(&c->inactive, delta);
}

/*
 * Backend for a packet without a usable conn, chosen as its SYN's was: the client's template or
 * pending template (persistent VIP), the flow's syns entry (stateful VIP), else the scheduler.
 * *via says which, for what the caller records after forwarding.
 */
static __always_inline struct xlb_backend *xlb_conn_choose(const struct xlb_vip *vip,
							   const struct xlb_pkt *pkt, __u64 now,
							   __u32 *id, __u8 *via)
{
	int stateful = !xlb_sched_stateless(vip);
	struct xlb_backend *be;
	struct xlb_conn *s;

	if (vip->flags & XLB_VIP_F_PERSIST) {
		be = xlb_persist_find(vip, &pkt->flow, stateful, now, id, via);
		if (be)
			return be;
	} else if (stateful && pkt->flow.proto == IPPROTO_TCP) {
		/* A persistent VIP's SYN leaves a pending template, never a flow entry. */
		s = bpf_map_lookup_elem(&syns, &pkt->flow);
		if (s) {
			be = xlb_backend_live(s->backend, vip->id);
			if (be) {
				*id = s->backend;
				*via = XLB_VIA_SYNS;
				return be;
			}
		}
	}
	*via = XLB_VIA_SCHED;
	return xlb_schedule(vip, &pkt->flow, id);
}

/*
 * A SYN was forwarded to id. A stateful VIP remembers a fresh pick in syns (a persistent one as
 * the client's pending template) so the retransmits and the ACK find it; a conns entry of the
 * same 5-tuple (the client reused a port) is rewritten in place, which also remembers it. No
 * conns insert, no sync event: nothing here is proven.
 */
static __always_inline void xlb_conn_syn(const struct xlb_vip *vip, const struct xlb_pkt *pkt,
					 struct xlb_conn *conn, __u32 id, __u8 via, __u64 now)
{
	struct xlb_conn c = {
		.backend = id, .vip_id = vip->id, .state = XLB_CS_SYN, .last_seen = now,
	};

	if (via == XLB_VIA_CONN)
		return;
	if (via == XLB_VIA_SCHED && !xlb_sched_stateless(vip)) {
		if (vip->flags & XLB_VIP_F_PERSIST) {
			xlb_pending_insert(vip, &pkt->flow, id, now);
		} else if (!conn && !bpf_map_update_elem(&syns, &pkt->flow, &c, BPF_ANY)) {
			/* BPF_ANY: an LRU insert may evict an older SYN, whose count the
			 * sweep corrects. */
			xlb_conn_count(id, IPPROTO_TCP, XLB_CS_SYN, 1);
		}
	}
	if (conn) {
		xlb_conn_count(conn->backend, pkt->flow.proto, conn->state, -1);
		*conn = c;
		xlb_conn_count(id, IPPROTO_TCP, XLB_CS_SYN, 1);
	}
}

/*
 * The first packet of a proven flow was forwarded to id: into conns (in place over an entry
 * whose backend left), out of syns, and for a persistent VIP into its client's template.
 * Returns the state the flow entered, for its sync event.
 */
static __always_inline __u8 xlb_conn_prove(const struct xlb_vip *vip, const struct xlb_pkt *pkt,
					   struct xlb_conn *conn, __u32 id, __u8 via, __u64 now)
{
	struct xlb_conn c = { .backend = id, .vip_id = vip->id, .last_seen = now };
	__u8 proto = pkt->flow.proto;
	struct xlb_flow ev = {};

	/* A FIN or RST of a flow not in conns (expired, or synced late) still closes it. */
	c.state = pkt->tcp_end ? XLB_CS_CLOSING : XLB_CS_ACTIVE;
	if (conn) {
		xlb_conn_count(conn->backend, proto, conn->state, -1);
		*conn = c;
	} else {
		/* A full table evicts the least recently used flow; losing the insert only
		 * costs the flow its pinning, hashing still sends it to the same backend. */
		bpf_map_update_elem(&conns, &pkt->flow, &c, BPF_ANY);
	}
	xlb_conn_count(id, proto, c.state, 1);
	/* Only the CPU whose delete succeeds takes the syns entry's count back. */
	if (via == XLB_VIA_SYNS && !bpf_map_delete_elem(&syns, &pkt->flow))
		xlb_conn_count(id, IPPROTO_TCP, XLB_CS_SYN, -1);
	if ((vip->flags & XLB_VIP_F_PERSIST) && via != XLB_VIA_TEMPLATE &&
	    xlb_persist_prove(vip, &pkt->flow, id, via, now, &ev))
		xlb_sync_flow(&ev, id, vip->id, XLB_CS_ACTIVE);
	return c.state;
}

/*
 * A packet of a conn in a state other than ACTIVE, or a FIN / RST: SYN -> ACTIVE on the first
 * non-SYN packet (the proof), SYN or ACTIVE -> CLOSING on a FIN or RST. ICMP errors are not the
 * client's packets and change nothing. Returns the new state, or XLB_CS_MAX when none.
 */
static __always_inline __u8 xlb_conn_seen(const struct xlb_vip *vip, const struct xlb_pkt *pkt,
					  struct xlb_conn *conn, __u64 now)
{
	struct xlb_flow ev = {};
	__u8 state;

	if (pkt->icmp_err)
		return XLB_CS_MAX;
	if (pkt->tcp_end)
		state = XLB_CS_CLOSING;
	else if (conn->state == XLB_CS_SYN)
		state = XLB_CS_ACTIVE;
	else
		return XLB_CS_MAX;
	if (state == conn->state)
		return XLB_CS_MAX;
	xlb_conn_count(conn->backend, pkt->flow.proto, conn->state, -1);
	xlb_conn_count(conn->backend, pkt->flow.proto, state, 1);
	/* A reused port's SYN was proven: its client's template, as on a conns miss. */
	if (conn->state == XLB_CS_SYN && (vip->flags & XLB_VIP_F_PERSIST) &&
	    xlb_persist_prove(vip, &pkt->flow, conn->backend, XLB_VIA_CONN, now, &ev))
		xlb_sync_flow(&ev, conn->backend, vip->id, XLB_CS_ACTIVE);
	conn->state = state;
	conn->last_seen = now;
	return state;
}

#endif /* XLB_BPF_CONN_H */
