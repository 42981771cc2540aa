/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * nat forwarding (keepalived's NAT, two-armed): the client's packet goes to the backend with its
 * destination rewritten to the backend's address and port and its source kept; the backend
 * routes its replies through the dispatcher, where nat_flows turns their source back into
 * VIP:port. Both ways the dispatcher acts as a router: TTL / hop limit decremented, checksums
 * updated incrementally (RFC 1624), next hop and egress interface from the FIB, out of the
 * ingress interface (XDP_TX) or another one (tx_ports redirect).
 *
 * Every check that can refuse a packet runs before the first byte is written, so a packet that
 * is passed or dropped leaves as it came.
 */
#ifndef XLB_BPF_NAT_H
#define XLB_BPF_NAT_H

#include "common.h"
#include "frag.h"
#include "fwd.h"
#include "maps.h"
#include "neigh.h"
#include "parse.h"
#include "sched.h"
#include "stats.h"
#include "tun.h"

/*
 * The verifier credits a bounds check on a packet pointer with a variable offset only while
 * offset and constant stay under 64 KiB, so l4_off is capped first; a header further in than
 * this (a jumbo frame's IPv6 extension chain) is refused as truncated, never rewritten.
 */
#define XLB_NAT_L4_OFF_MAX 0x3fff

/* The ones' complement sum change of replacing from by to (RFC 1624, eqn. 3: ~m + m'). */
static __always_inline __u32 xlb_csum_diff4(__be32 from, __be32 to)
{
	return (~from & 0xffff) + (~from >> 16) + (to & 0xffff) + (to >> 16);
}

static __always_inline __u32 xlb_csum_diff2(__be16 from, __be16 to)
{
	return (__u16)~from + (__u32)to;
}

static __always_inline __u32 xlb_csum_diff_addr(const __be32 *from, const __be32 *to, __u8 family)
{
	__u32 d = xlb_csum_diff4(from[0], to[0]);

	if (family == XLB_FAMILY_V6)
		d += xlb_csum_diff4(from[1], to[1]) + xlb_csum_diff4(from[2], to[2]) +
		     xlb_csum_diff4(from[3], to[3]);
	return d;
}

/* check after changes summing to diff: ~(~check + diff), folded. */
static __always_inline __sum16 xlb_csum_apply(__sum16 check, __u32 diff)
{
	__u32 s = (__u16)~check + diff;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__sum16)~s;
}

/* A UDP checksum that computes to 0 is sent as all ones: 0 means "none" (RFC 768). */
static __always_inline __sum16 xlb_csum_apply_udp(__sum16 check, __u32 diff)
{
	__sum16 c = xlb_csum_apply(check, diff);

	return c ? c : (__sum16)0xffff;
}

static __always_inline void xlb_addr_copy(__be32 *to, const __be32 *from, __u8 family)
{
	to[0] = from[0];
	if (family == XLB_FAMILY_V6) {
		to[1] = from[1];
		to[2] = from[2];
		to[3] = from[3];
	}
}

/*
 * What a rewrite changes, decided before any byte is written: the address (destination going
 * to a backend, source coming back from one), the port beside it, the next hop.
 */
struct xlb_nat_out {
	__be32 addr[4];   /* the new address */
	__be16 port;      /* the new port */
	__u8 dst;         /* 1: destination rewritten (to the backend), 0: source (a reply) */
	__u8 pad;
	__u32 ifindex;    /* egress interface */
	const __u8 *dmac; /* next hop's MAC */
	const __u8 *smac; /* egress interface's MAC */
};

/*
 * The FIB query for a packet about to be routed: family, length (for the MTU check), tos or
 * flow label, ingress interface. NAT rewrites at a fixed offset: a VLAN-tagged frame goes to
 * the kernel (the FIB names the VLAN device, never a tag, and XDP cannot redirect to one; the
 * README's NAT section says why XDP_TX with the tags kept is no answer either), as does a
 * packet whose TTL would run out here: the kernel sends time exceeded as a router must (a
 * VIP it holds itself is delivered locally, as without xlb).
 */
static __always_inline int xlb_nat_fib_prep(struct xdp_md *ctx, struct xlb_pkt *pkt,
					    struct bpf_fib_lookup *fib)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *l3 = pkt->eth + 1;
	struct ipv6hdr *ip6 = l3;
	struct iphdr *ip = l3;
	__u8 ttl;

	if (pkt->l3_off != sizeof(struct ethhdr))
		return xlb_verdict(pkt, XLB_R_PASS_NAT_VLAN, XDP_PASS);
	/* The larger header's check covers the IPv4 one too; the parse saw a whole one. */
	if ((void *)(ip6 + 1) > data_end && (pkt->flow.family == XLB_FAMILY_V6 ||
					     (void *)(ip + 1) > data_end))
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
	fib->ifindex = ctx->ingress_ifindex;
	if (pkt->flow.family == XLB_FAMILY_V4) {
		ttl = ip->ttl;
		fib->family = XLB_AF_INET;
		fib->tos = ip->tos;
		fib->l4_protocol = ip->protocol;
		fib->tot_len = bpf_ntohs(ip->tot_len);
	} else {
		ttl = ip6->hop_limit;
		fib->family = XLB_AF_INET6;
		fib->flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		fib->l4_protocol = ip6->nexthdr;
		fib->tot_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	}
	if (ttl <= 1)
		return xlb_verdict(pkt, XLB_R_PASS_TTL, XDP_PASS);
	return XLB_CONTINUE;
}

static __always_inline void xlb_fib_addrs(struct bpf_fib_lookup *fib, __u8 family,
					  const __be32 *src, const __be32 *dst)
{
	if (family == XLB_FAMILY_V4) {
		fib->ipv4_src = src[0];
		fib->ipv4_dst = dst[0];
	} else {
		__builtin_memcpy(fib->ipv6_src, src, sizeof(fib->ipv6_src));
		__builtin_memcpy(fib->ipv6_dst, dst, sizeof(fib->ipv6_dst));
	}
}

/* The FIB's answer as a verdict: XLB_CONTINUE with the way out in out, or why not. */
static __always_inline int xlb_nat_egress(struct xdp_md *ctx, struct xlb_pkt *pkt, int rc,
					  struct xlb_nat_out *out)
{
	long action;

	/* Only a reply gets here too big (a client's packet is answered in xlb_fwd_nat): the
	 * answer would come from the client's address, so it is dropped and counted. */
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
	/* No route, no neighbour, or forwarding off on the ingress interface. */
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return xlb_verdict(pkt, XLB_R_DROP_NO_ROUTE, XDP_DROP);
	if (out->ifindex == ctx->ingress_ifindex)
		return XLB_CONTINUE;
	/* Only now, with every check passed, is the redirect armed; it fires on return. */
	action = bpf_redirect_map(&tx_ports, out->ifindex, XDP_DROP);
	if (action != XDP_REDIRECT)
		return xlb_verdict(pkt, XLB_R_DROP_NO_TX_PORT, XDP_DROP);
	return XLB_CONTINUE;
}

/*
 * Rewrite a TCP/UDP packet (or a later fragment, which has no L4 header) as out says: address,
 * port, TTL, and the checksums that cover them. -1, nothing written, if a header is not where
 * the parse found it (cannot happen; the verifier needs the checks).
 */
static __always_inline int xlb_nat_rewrite(struct xdp_md *ctx, const struct xlb_pkt *pkt,
					   const struct xlb_nat_out *out)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	void *l3 = data + sizeof(struct ethhdr);
	__u32 l4_off = pkt->l4_off;
	__be16 *port = NULL, *ttlw;
	__sum16 *check = NULL;
	__be32 *addr;
	__be16 ttl_old;
	__u32 d;
	int udp = pkt->flow.proto == IPPROTO_UDP;
	void *l4;

	if (l4_off > XLB_NAT_L4_OFF_MAX)
		return -1;
	l4 = data + l4_off;
	if (pkt->frag != XLB_FRAG_LATER) {
		if (udp) {
			struct udphdr *uh = l4;

			if ((void *)(uh + 1) > data_end)
				return -1;
			port = out->dst ? &uh->dest : &uh->source;
			/* IPv4 UDP without a checksum stays without one. */
			if (uh->check || pkt->flow.family == XLB_FAMILY_V6)
				check = &uh->check;
		} else {
			struct tcphdr *th = l4;

			if ((void *)(th + 1) > data_end)
				return -1;
			port = out->dst ? &th->dest : &th->source;
			check = &th->check;
		}
	}
	if (pkt->flow.family == XLB_FAMILY_V4) {
		struct iphdr *ip = l3;
		__u32 dip;

		if ((void *)(ip + 1) > data_end)
			return -1;
		addr = out->dst ? &ip->daddr : &ip->saddr;
		d = xlb_csum_diff4(*addr, out->addr[0]);
		/* TTL shares its checksummed 16-bit word with the protocol. */
		ttlw = (__be16 *)&ip->ttl;
		ttl_old = *ttlw;
		ip->ttl--;
		dip = d + xlb_csum_diff2(ttl_old, *ttlw);
		ip->check = xlb_csum_apply(ip->check, dip);
		*addr = out->addr[0];
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		addr = out->dst ? ip6->daddr.in6_u.u6_addr32 : ip6->saddr.in6_u.u6_addr32;
		d = xlb_csum_diff_addr(addr, out->addr, XLB_FAMILY_V6);
		ip6->hop_limit--;
		xlb_addr_copy(addr, out->addr, XLB_FAMILY_V6);
	}
	if (!port)
		return 0;
	/* The L4 checksum covers the pseudo-header's address and the port. */
	d += xlb_csum_diff2(*port, out->port);
	*port = out->port;
	if (check)
		*check = udp ? xlb_csum_apply_udp(*check, d) : xlb_csum_apply(*check, d);
	return 0;
}

/*
 * An ICMP error about a NAT flow, on its way to the flow's backend: the outer destination (the
 * VIP) becomes the backend, and the quoted packet, a reply as it left the dispatcher
 * (VIP:vport -> client), is made what the backend sent (backend:bport -> client): quoted
 * source, the quoted IPv4 header's checksum, the quoted L4 checksum where the quote holds it,
 * then the ICMP checksum over all that (ICMPv6's with its pseudo-header) and the outer one.
 */
static __always_inline int xlb_nat_rewrite_icmp(struct xdp_md *ctx, const struct xlb_pkt *pkt,
						const struct xlb_nat_out *out)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	void *l3 = data + sizeof(struct ethhdr);
	__u32 l4_off = pkt->l4_off, d_out, d_q, d_ic;
	struct xlb_icmp_hdr *ic;
	__sum16 *qcheck = NULL, qold;
	__be32 *qaddr;
	__be16 *ports;
	__s32 qlen; /* the quote's bytes from its L4 header to the datagram's end */

	if (l4_off > XLB_NAT_L4_OFF_MAX)
		return -1;
	ic = data + l4_off;
	if ((void *)(ic + 1) > data_end)
		return -1;
	if (pkt->flow.family == XLB_FAMILY_V4) {
		struct iphdr *ip = l3, *in = (void *)(ic + 1);
		__be16 ttl_old, incheck_old;

		if ((void *)(ip + 1) > data_end || (void *)(in + 1) > data_end)
			return -1;
		ports = (void *)in + in->ihl * 4;
		if ((void *)(ports + 2) > data_end)
			return -1;
		qlen = (__s32)(sizeof(struct ethhdr) + bpf_ntohs(ip->tot_len)) -
		       (__s32)(pkt->l4_off + sizeof(*ic) + in->ihl * 4);
		d_out = xlb_csum_diff4(ip->daddr, out->addr[0]);
		d_q = xlb_csum_diff4(in->saddr, out->addr[0]);
		incheck_old = in->check;
		in->check = xlb_csum_apply(in->check, d_q);
		in->saddr = out->addr[0];
		/* ICMP's checksum has no pseudo-header: only the quote's changes count. */
		d_ic = d_q + xlb_csum_diff2(incheck_old, in->check);
		ttl_old = *(__be16 *)&ip->ttl;
		ip->ttl--;
		ip->check = xlb_csum_apply(ip->check,
					   d_out + xlb_csum_diff2(ttl_old, *(__be16 *)&ip->ttl));
		ip->daddr = out->addr[0];
	} else {
		struct ipv6hdr *ip6 = l3, *in = (void *)(ic + 1);

		if ((void *)(ip6 + 1) > data_end || (void *)(in + 1) > data_end)
			return -1;
		ports = (void *)(in + 1);
		if ((void *)(ports + 2) > data_end)
			return -1;
		qlen = (__s32)(sizeof(struct ethhdr) + sizeof(*ip6) + bpf_ntohs(ip6->payload_len)) -
		       (__s32)(pkt->l4_off + sizeof(*ic) + sizeof(*in));
		qaddr = in->saddr.in6_u.u6_addr32;
		d_out = xlb_csum_diff_addr(ip6->daddr.in6_u.u6_addr32, out->addr, XLB_FAMILY_V6);
		d_q = xlb_csum_diff_addr(qaddr, out->addr, XLB_FAMILY_V6);
		xlb_addr_copy(qaddr, out->addr, XLB_FAMILY_V6);
		/* ICMPv6's pseudo-header holds the outer destination. */
		d_ic = d_out + d_q;
		ip6->hop_limit--;
		xlb_addr_copy(ip6->daddr.in6_u.u6_addr32, out->addr, XLB_FAMILY_V6);
	}
	/* The quoted source port: vport back to the backend's port. */
	d_ic += xlb_csum_diff2(ports[0], out->port);
	/* A quoted checksum past the datagram (RFC 792 quotes 8 bytes) stays unread; an IPv4
	 * UDP one of 0 (none) stays 0. */
	if (pkt->flow.proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)ports;

		if ((void *)&th->check + 2 <= data_end && qlen >= 18)
			qcheck = &th->check;
	} else {
		struct udphdr *uh = (void *)ports;

		if ((void *)(uh + 1) <= data_end && qlen >= 8 &&
		    (uh->check || pkt->flow.family == XLB_FAMILY_V6))
			qcheck = &uh->check;
	}
	if (qcheck) {
		qold = *qcheck;
		*qcheck = pkt->flow.proto == IPPROTO_UDP ?
				  xlb_csum_apply_udp(qold, d_q + xlb_csum_diff2(ports[0], out->port)) :
				  xlb_csum_apply(qold, d_q + xlb_csum_diff2(ports[0], out->port));
		d_ic += xlb_csum_diff2(qold, *qcheck);
	}
	ports[0] = out->port;
	ic->csum = xlb_csum_apply(ic->csum, d_ic);
	return 0;
}

/* The frame leaves toward out's next hop: MACs, then XDP_TX or the redirect armed before. */
static __always_inline int xlb_nat_send(struct xdp_md *ctx, const struct xlb_nat_out *out)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth->h_dest, out->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, out->smac, ETH_ALEN);
	return out->ifindex == ctx->ingress_ifindex ? XDP_TX : XDP_REDIRECT;
}

/*
 * To the backend: destination address and port become be's (port 0: the client's), the
 * client's source stays. The next hop is the FIB's, kept per backend in tun_hops (a backend
 * belongs to one VIP, so to one mode). XDP_TX / XDP_REDIRECT, or a verdict with its reason.
 */
static __always_inline int xlb_fwd_nat(struct xdp_md *ctx, struct xlb_pkt *pkt,
				       const struct xlb_backend *be, __u32 id, __u64 now)
{
	struct bpf_fib_lookup fib = {};
	struct xlb_tun_hop *hop = NULL;
	struct xlb_nat_out out = { .dst = 1 };
	int rc;

	/* A backend of the other family is a config error: no route to it from this packet. */
	if (be->family != pkt->flow.family)
		return xlb_verdict(pkt, XLB_R_DROP_NO_ROUTE, XDP_DROP);
	rc = xlb_nat_fib_prep(ctx, pkt, &fib);
	if (rc != XLB_CONTINUE)
		return rc;
	xlb_fib_addrs(&fib, be->family, pkt->flow.src, be->addr);
	rc = xlb_tun_hop(ctx, be, id, now, &fib, &hop);
	/* Too big for the backend's side: the client learns the MTU, as from a router. */
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return xlb_icmp_too_big(ctx, pkt, fib.mtu_result);
	if (!hop)
		return xlb_verdict(pkt, XLB_R_DROP_NO_ROUTE, XDP_DROP);
	out.ifindex = hop->ifindex;
	out.dmac = hop->dmac;
	out.smac = hop->smac;
	rc = xlb_nat_egress(ctx, pkt, rc, &out);
	if (rc != XLB_CONTINUE)
		return rc;
	__builtin_memcpy(out.addr, be->addr, sizeof(out.addr));
	out.port = be->port ? be->port : pkt->flow.dport;
	rc = pkt->icmp_err ? xlb_nat_rewrite_icmp(ctx, pkt, &out) : xlb_nat_rewrite(ctx, pkt, &out);
	if (rc)
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
	return xlb_nat_send(ctx, &out);
}

/* A new (or refreshed) NAT flow: how its replies will look, and what they become again. */
static __always_inline void xlb_nat_record(const struct xlb_pkt *pkt, const struct xlb_backend *be,
					   __u32 id, __u32 vip_id, __u64 now)
{
	struct xlb_nat_key key = {
		.bport = be->port ? be->port : pkt->flow.dport,
		.cport = pkt->flow.sport,
		.proto = pkt->flow.proto,
		.family = pkt->flow.family,
	};
	struct xlb_nat nat = {
		.vport = pkt->flow.dport,
		.vip_id = vip_id,
		.backend = id,
		.last_seen = now,
	};

	__builtin_memcpy(key.backend, be->addr, sizeof(key.backend));
	__builtin_memcpy(key.client, pkt->flow.src, sizeof(key.client));
	__builtin_memcpy(nat.vip, pkt->flow.dst, sizeof(nat.vip));
	/* As for conns: a full table evicts the least recently used flow. */
	bpf_map_update_elem(&nat_flows, &key, &nat, BPF_ANY);
}

/*
 * A packet for no VIP: a backend's reply to a NAT flow, or traffic of the host's own. One
 * nat_flows lookup tells them apart (only frames sent to this interface pay it); a reply gets
 * its source back as VIP:port and is routed to the client, anything else goes to the kernel
 * untouched. ICMP errors travelling toward a client are left to the kernel.
 */
static __always_inline int xlb_nat_reply(struct xdp_md *ctx, struct xlb_pkt *pkt)
{
	struct xlb_nat_key key = {
		.bport = pkt->flow.sport,
		.cport = pkt->flow.dport,
		.proto = pkt->flow.proto,
		.family = pkt->flow.family,
	};
	struct bpf_fib_lookup fib = {};
	struct xlb_nat_out out = { .dst = 0 };
	struct xlb_nat *nat;
	__u64 now;
	int rc;

	if (pkt->icmp_err || !xlb_frame_is_ours(pkt->eth))
		return xlb_verdict(pkt, XLB_R_PASS_NOT_VIP, XDP_PASS);
	__builtin_memcpy(key.backend, pkt->flow.src, sizeof(key.backend));
	__builtin_memcpy(key.client, pkt->flow.dst, sizeof(key.client));
	nat = bpf_map_lookup_elem(&nat_flows, &key);
	if (!nat)
		return xlb_verdict(pkt, XLB_R_PASS_NOT_VIP, XDP_PASS);

	rc = xlb_nat_fib_prep(ctx, pkt, &fib);
	if (rc != XLB_CONTINUE)
		return rc;
	xlb_fib_addrs(&fib, pkt->flow.family, nat->vip, pkt->flow.dst);
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	/* Clients are not known in advance: their hop is resolved when a reply first needs it. */
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		xlb_neigh_want(pkt->flow.family, pkt->flow.dst, fib.ifindex);
	out.ifindex = fib.ifindex;
	out.dmac = fib.dmac;
	out.smac = fib.smac;
	rc = xlb_nat_egress(ctx, pkt, rc, &out);
	if (rc != XLB_CONTINUE)
		return rc;
	__builtin_memcpy(out.addr, nat->vip, sizeof(out.addr));
	out.port = nat->vport;
	if (xlb_nat_rewrite(ctx, pkt, &out))
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);

	now = bpf_ktime_get_coarse_ns();
	if (now - nat->last_seen > XLB_CONN_TOUCH_NS)
		nat->last_seen = now;
	/* The datagram's later fragments find the flow again through frags (xlb_balance). */
	if (pkt->frag == XLB_FRAG_FIRST)
		xlb_frag_record(pkt, nat->backend, nat->vip_id);
	xlb_count(&vip_stats, nat->vip_id, pkt->len, 0);
	xlb_count(&backend_stats, nat->backend, pkt->len, 0);
	return xlb_verdict(pkt, XLB_R_NAT_REPLY, xlb_nat_send(ctx, &out));
}

#endif /* XLB_BPF_NAT_H */
