/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * tun forwarding (keepalived's TUN): the client's packet, byte for byte, inside an outer IPv4 or
 * IPv6 header addressed to the backend, which strips it and answers the client directly. The
 * backend may sit behind routers: next hop, MACs and egress interface come from the FIB.
 */
#ifndef XLB_BPF_TUN_H
#define XLB_BPF_TUN_H

#include "common.h"
#include "icmp_reply.h"
#include "maps.h"
#include "neigh.h"
#include "parse.h"

#define XLB_AF_INET 2
#define XLB_AF_INET6 10
#define XLB_IPPROTO_IPIP 4
#define XLB_IPPROTO_IPV6 41
#define XLB_TUN_TTL 64
/*
 * How long a FIB answer serves a backend: a new neighbour MAC, route or path MTU is seen
 * within this much, for the price of one lookup per backend, CPU and period.
 */
#define XLB_TUN_HOP_NS 1000000000ull

/*
 * What the outer header copies from the inner one. tos: DSCP and ECN. id and df: an inner IPv4
 * datagram that may be fragmented keeps its id and lets routers fragment the outer one too;
 * an inner IPv6 packet is never fragmented on the way, so its outer header says DF.
 */
struct xlb_tun_inner {
	__u32 len;   /* inner datagram's bytes, from its IP header on (no Ethernet padding) */
	__be16 id;   /* outer IPv4 id */
	__be16 df;   /* outer IPv4 frag_off: DF or 0 */
	__u8 tos;    /* outer tos / traffic class */
	__u8 proto;  /* outer protocol / next header: IPIP or IPV6 */
};

static __always_inline int xlb_tun_inner(void *l3, void *data_end, __u8 family,
					 struct xlb_tun_inner *in)
{
	if (family == XLB_FAMILY_V4) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return -1;
		in->len = bpf_ntohs(ip->tot_len);
		in->id = ip->id;
		in->df = ip->frag_off & bpf_htons(XLB_IP_DF);
		in->tos = ip->tos;
		in->proto = XLB_IPPROTO_IPIP;
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		in->len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
		in->id = 0;
		in->df = bpf_htons(XLB_IP_DF);
		in->tos = ip6->priority << 4 | ip6->flow_lbl[0] >> 4;
		in->proto = XLB_IPPROTO_IPV6;
	}
	return 0;
}

/* The next hop toward be for a datagram of tot_len bytes: the cached one, or the FIB's. */
static __always_inline int xlb_tun_hop(struct xdp_md *ctx, const struct xlb_backend *be, __u32 id,
				       __u64 now, struct bpf_fib_lookup *fib,
				       struct xlb_tun_hop **hopp)
{
	struct xlb_tun_hop *hop = bpf_map_lookup_elem(&tun_hops, &id);
	__u32 tot_len = fib->tot_len;
	int rc;

	if (!hop)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	*hopp = hop;
	if (now - hop->stamp < XLB_TUN_HOP_NS && tot_len <= hop->mtu &&
	    !((hop->daddr[0] ^ be->addr[0]) | (hop->daddr[1] ^ be->addr[1]) |
	      (hop->daddr[2] ^ be->addr[2]) | (hop->daddr[3] ^ be->addr[3])))
		return BPF_FIB_LKUP_RET_SUCCESS;
	rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		xlb_neigh_want(be->family, be->addr, fib->ifindex);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	__builtin_memcpy(hop->daddr, be->addr, sizeof(hop->daddr));
	hop->stamp = now;
	hop->ifindex = fib->ifindex;
	/* Kernels that do not report the MTU on success leave tot_len: then only datagrams up
	 * to this one's size use the entry, larger ones ask the FIB again. */
	hop->mtu = fib->mtu_result;
	__builtin_memcpy(hop->dmac, fib->dmac, ETH_ALEN);
	__builtin_memcpy(hop->smac, fib->smac, ETH_ALEN);
	return rc;
}

/*
 * Encapsulate toward be and send it on: XDP_TX out of the ingress interface, XDP_REDIRECT to
 * another one, or XDP_DROP with pkt->reason set; too big for the path, XDP_TX of an ICMP answer
 * to the client with pkt->reason XLB_R_ICMP_TOO_BIG. The FIB is asked before the frame is touched,
 * so a dropped packet leaves as it came.
 */
static __always_inline int xlb_fwd_tun(struct xdp_md *ctx, struct xlb_pkt *pkt,
				       const struct xlb_backend *be, __u32 id, __u64 now)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct bpf_fib_lookup fib = {};
	struct xlb_tun_hop *hop = NULL;
	struct xlb_tun_inner in;
	struct xlb_tunnel *tun;
	struct ethhdr *eth;
	__u32 key = 0, hdr, l2 = xlb_l3_off(pkt);
	int rc;

	if (xlb_tun_inner(data + l2, data_end, pkt->flow.family, &in))
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
	tun = bpf_map_lookup_elem(&tunnel, &key);
	if (!tun)
		return xlb_verdict(pkt, XLB_R_DROP_NO_TUN_SRC, XDP_DROP);

	fib.ifindex = ctx->ingress_ifindex;
	fib.l4_protocol = in.proto;
	if (be->family == XLB_FAMILY_V4) {
		if (!(tun->flags & XLB_TUN_F_SRC4))
			return xlb_verdict(pkt, XLB_R_DROP_NO_TUN_SRC, XDP_DROP);
		hdr = sizeof(struct iphdr);
		fib.family = XLB_AF_INET;
		fib.tos = in.tos;
		fib.ipv4_src = tun->src4;
		fib.ipv4_dst = be->addr[0];
	} else {
		if (!(tun->flags & XLB_TUN_F_SRC6))
			return xlb_verdict(pkt, XLB_R_DROP_NO_TUN_SRC, XDP_DROP);
		hdr = sizeof(struct ipv6hdr);
		fib.family = XLB_AF_INET6;
		__builtin_memcpy(fib.ipv6_src, tun->src6, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, be->addr, sizeof(fib.ipv6_dst));
	}
	/* tot_len is what the MTU check compares. It shares its field with mtu_result, which
	 * the kernel fills in on success too: the outer length is computed again below. */
	fib.tot_len = hdr + in.len;
	rc = xlb_tun_hop(ctx, be, id, now, &fib, &hop);
	/* The FIB reports the path's MTU in mtu_result: the client may send that less the outer
	 * header (a path under it leaves 0, below every minimum, and the packet is dropped). */
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return xlb_icmp_too_big(ctx, pkt, fib.mtu_result > hdr ? fib.mtu_result - hdr : 0);
	/* No route, no neighbour, or forwarding off on the ingress interface (FWD_DISABLED:
	 * the FIB answers only for interfaces that forward). */
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return xlb_verdict(pkt, XLB_R_DROP_NO_ROUTE, XDP_DROP);

	/* VLAN tags go: the FIB's route and egress interface know none (they are the client's
	 * side's); the outer header follows a new untagged Ethernet header. */
	if (bpf_xdp_adjust_head(ctx, (int)(l2 - sizeof(*eth)) - (int)hdr))
		return xlb_verdict(pkt, XLB_R_DROP_NO_ROUTE, XDP_DROP);
	/* adjust_head invalidated every packet pointer, pkt->eth too: re-derive from ctx. */
	data_end = (void *)(long)ctx->data_end;
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
	if (!hop)
		return xlb_verdict(pkt, XLB_R_DROP_NO_ROUTE, XDP_DROP);
	__builtin_memcpy(eth->h_dest, hop->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, hop->smac, ETH_ALEN);

	if (be->family == XLB_FAMILY_V4) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
		eth->h_proto = bpf_htons(ETH_P_IP);
		/* Version and IHL in one byte store, not two read-modify-writes of bitfields. */
		*(__u8 *)ip = 4 << 4 | sizeof(*ip) / 4;
		ip->tos = in.tos;
		ip->tot_len = bpf_htons(sizeof(*ip) + in.len);
		ip->id = in.id;
		ip->frag_off = in.df;
		ip->ttl = XLB_TUN_TTL;
		ip->protocol = in.proto;
		ip->check = 0;
		ip->saddr = tun->src4;
		ip->daddr = be->addr[0];
		ip->check = xlb_ipv4_csum(ip);
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
		eth->h_proto = bpf_htons(ETH_P_IPV6);
		/* Version, traffic class and flow label in one store, not five read-modify-writes
		 * of bitfields. Flow label 0: routers on the way hash the outer header by address. */
		*(__be32 *)ip6 = bpf_htonl(6u << 28 | (__u32)in.tos << 20);
		ip6->payload_len = bpf_htons(in.len);
		ip6->nexthdr = in.proto;
		ip6->hop_limit = XLB_TUN_TTL;
		__builtin_memcpy(&ip6->saddr, tun->src6, sizeof(ip6->saddr));
		__builtin_memcpy(&ip6->daddr, be->addr, sizeof(ip6->daddr));
	}
	if (hop->ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(hop->ifindex, 0);
}

#endif /* XLB_BPF_TUN_H */
