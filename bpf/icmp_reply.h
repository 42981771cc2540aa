/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Path MTU discovery for the clients of a VIP: a packet that will not fit the way on (tun's
 * outer header, NAT's egress interface) is answered, as a router would, with ICMP "fragmentation
 * needed" (RFC 1191) or ICMPv6 "packet too big" (RFC 4443 3.2), from the VIP the client sent to:
 * its PMTU cache then keys on the path it uses, and a filter that admits the VIP's traffic admits
 * the answer. The frame is turned around in place: MACs swapped, VLAN tags kept, the client's
 * datagram quoted after the new headers, the tail trimmed, XDP_TX.
 *
 * Not answered, dropped as drop_too_big: an IPv4 datagram without DF (routers would fragment it;
 * XDP cannot, and XDP_PASS hands a VIP the kernel holds to its own stack), a later IPv4 fragment
 * (RFC 1122 3.2.2: errors only about the first), an ICMP error (never an error about an error),
 * a source that is not unicast, and an MTU under the family's minimum (68, RFC 791; 1280, RFC
 * 8200 5: a client never goes below it, so the answer would not help).
 */
#ifndef XLB_BPF_ICMP_REPLY_H
#define XLB_BPF_ICMP_REPLY_H

#include "common.h"
#include "parse.h"

#define XLB_IPV4_MIN_MTU 68
#define XLB_IPV6_MIN_MTU 1280
/* The largest answer: RFC 1812 4.3.2.3 (576 bytes), RFC 4443 2.4 (c) (the IPv6 minimum MTU). */
#define XLB_ICMP4_MAX 576
#define XLB_ICMP6_MAX XLB_IPV6_MIN_MTU
#define XLB_ICMP_TTL 64
/* RFC 1812 4.3.2.5: ICMP errors go with precedence 6, internetwork control. */
#define XLB_ICMP_TOS 0xc0
#define XLB_IPPROTO_ICMPV6 58

/* Bytes summed per bpf_csum_diff call; the quote is at most 1232 bytes, 20 calls cover it. */
#define XLB_CSUM_CHUNK 64
#define XLB_CSUM_CHUNKS ((XLB_ICMP6_MAX + XLB_CSUM_CHUNK - 1) / XLB_CSUM_CHUNK)

static __always_inline __u32 xlb_csum_add(__u32 sum, __u32 v)
{
	sum += v;
	return sum + (sum < v);
}

static __always_inline __u16 xlb_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Where a summed range may start, exclusive (a power of two): past Ethernet, two tags and IPv6. */
#define XLB_CSUM_MAX_OFF 64

/*
 * The unfolded sum, added to sum, of len bytes at offset off of the packet, len even or odd, in
 * memory order (as the checksum field is stored). Whole chunks through the helper, then 4-byte
 * words, then the last 0..3 bytes.
 *
 * Global, not inlined: the verifier checks it once, on its own, with off and len unknown (hence
 * the bounds it opens with). Inlined, its loops were walked again on every path into them, with
 * that path's offsets, past the verifier's million instructions.
 */
__noinline __u32 xlb_csum_pkt(struct xdp_md *ctx, __u32 off, __u32 len, __u32 sum)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *p = (void *)(long)ctx->data;
	int i;

	/* A mask, not a test, bounds p for the verifier: clang applied a test to one copy of
	 * off and added another. Callers never pass more. */
	if (len > XLB_ICMP6_MAX)
		return sum;
	p += off & (XLB_CSUM_MAX_OFF - 1);
	for (i = 0; i < XLB_CSUM_CHUNKS; i++) {
		if (len < XLB_CSUM_CHUNK || p + XLB_CSUM_CHUNK > data_end)
			break;
		sum = (__u32)bpf_csum_diff(NULL, 0, p, XLB_CSUM_CHUNK, sum);
		p += XLB_CSUM_CHUNK;
		len -= XLB_CSUM_CHUNK;
	}
	for (i = 0; i < XLB_CSUM_CHUNK / 4; i++) {
		if (len < 4 || p + 4 > data_end)
			break;
		sum = xlb_csum_add(sum, *(__u32 *)p);
		p += 4;
		len -= 4;
	}
	if (len >= 2 && p + 2 <= data_end) {
		sum = xlb_csum_add(sum, *(__u16 *)p);
		p += 2;
		len -= 2;
	}
	if (len && p + 1 <= data_end) {
		/* The odd byte is the high-order half of a word padded with zero (RFC 1071). */
		union { __u8 b[2]; __u16 w; } last = { .b = { *(__u8 *)p, 0 } };

		sum = xlb_csum_add(sum, last.w);
	}
	return sum;
}

/* Whether a reply may go to this source: unicast only (RFC 1812 4.3.2.7, RFC 4443 2.4 (e)). */
static __always_inline int lb4_is_unicast(__be32 a)
{
	__u8 first = bpf_ntohl(a) >> 24;

	return a && first < 224;
}

/*
 * Answer the client whose packet (the frame in ctx, as parsed into pkt) is too big for the way
 * on: mtu is the largest datagram, IP header on, the client may send (the path's MTU less what
 * the data path adds to it). Returns XDP_TX with pkt->reason XLB_R_ICMP_TOO_BIG, or XDP_DROP
 * with XLB_R_DROP_TOO_BIG when no answer may be sent (see the top of this file) or the frame
 * cannot be reshaped. The caller must not bind a flow for it: nothing was forwarded.
 */
static __always_inline int xlb_icmp_too_big(struct xdp_md *ctx, struct xlb_pkt *pkt, __u32 mtu)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	__u32 l2, ip_len, hdr, quote, max;
	struct xlb_icmp_hdr *ic;
	__u8 old_eth[ETH_ALEN * 2];
	__u32 sum;

	if (pkt->icmp_err || (void *)(eth + 1) > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
	/* The tags stay: the answer leaves on the VLAN the client is on. */
	l2 = xlb_l3_off(pkt);
	if (pkt->flow.family == XLB_FAMILY_V4) {
		struct iphdr *ip = data + l2;

		if ((void *)(ip + 1) > data_end)
			return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
		if (!(ip->frag_off & bpf_htons(XLB_IP_DF)) || ip->frag_off & bpf_htons(XLB_IP_OFFSET) ||
		    mtu < XLB_IPV4_MIN_MTU || !lb4_is_unicast(ip->saddr))
			return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
		ip_len = bpf_ntohs(ip->tot_len);
		hdr = sizeof(struct iphdr) + sizeof(*ic);
		max = XLB_ICMP4_MAX;
	} else {
		struct ipv6hdr *ip6 = data + l2;

		if ((void *)(ip6 + 1) > data_end)
			return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
		/* ff00::/8 multicast; :: unspecified (its first word 0 suffices: no client is ::/32) */
		if (mtu < XLB_IPV6_MIN_MTU || ip6->saddr.in6_u.u6_addr8[0] == 0xff ||
		    !ip6->saddr.in6_u.u6_addr32[0])
			return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
		ip_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
		hdr = sizeof(struct ipv6hdr) + sizeof(*ic);
		max = XLB_ICMP6_MAX;
	}
	/* The client's datagram without Ethernet padding, as much as the answer's limit leaves. */
	quote = ip_len < max - hdr ? ip_len : max - hdr;
	if (data + l2 + quote > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
	__builtin_memcpy(old_eth, eth, sizeof(old_eth));

	/* Trim first (less to keep), then make room for the answer's IP and ICMP headers. */
	if (bpf_xdp_adjust_tail(ctx, (int)(l2 + quote) - (int)(data_end - data)))
		return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
	if (bpf_xdp_adjust_head(ctx, -(int)hdr))
		return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
	/* Both helpers invalidated every packet pointer: re-derive from ctx. */
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	eth = data;
	/* The old Ethernet header and tags now start hdr (>= 28) bytes in: copying the 22 bytes
	 * an Ethernet header and two tags can take never overlaps; bytes past l2 are rewritten. */
	if (data + hdr + sizeof(*eth) + 2 * sizeof(struct xlb_vlan_hdr) > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
	__builtin_memcpy((void *)eth + ETH_ALEN * 2, data + hdr + ETH_ALEN * 2,
			 2 + 2 * sizeof(struct xlb_vlan_hdr));
	__builtin_memcpy(eth->h_dest, old_eth + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old_eth, ETH_ALEN);

	if (pkt->flow.family == XLB_FAMILY_V4) {
		struct iphdr *ip = data + l2;
		struct iphdr *in = (void *)(ip + 1) + sizeof(*ic);

		ic = (void *)(ip + 1);
		if ((void *)(in + 1) > data_end)
			return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
		ip->version = 4;
		ip->ihl = sizeof(*ip) / 4;
		ip->tos = XLB_ICMP_TOS;
		ip->tot_len = bpf_htons(hdr + quote);
		/* DF and id 0 (RFC 6864 4.1: an atomic datagram's id is not used). */
		ip->id = 0;
		ip->frag_off = bpf_htons(XLB_IP_DF);
		ip->ttl = XLB_ICMP_TTL;
		ip->protocol = IPPROTO_ICMP;
		ip->check = 0;
		ip->saddr = in->daddr;
		ip->daddr = in->saddr;
		ip->check = xlb_ipv4_csum(ip);
		ic->type = XLB_ICMP_DEST_UNREACH;
		ic->code = XLB_ICMP_FRAG_NEEDED;
		/* RFC 1191: 16 unused bits, then the next-hop MTU (paths are under 64 KiB). */
		ic->rest = bpf_htonl(mtu & 0xffff);
		sum = 0;
	} else {
		struct ipv6hdr *ip6 = data + l2;
		struct ipv6hdr *in = (void *)(ip6 + 1) + sizeof(*ic);

		ic = (void *)(ip6 + 1);
		if ((void *)(in + 1) > data_end)
			return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
		ip6->version = 6;
		ip6->priority = 0;
		ip6->flow_lbl[0] = 0;
		ip6->flow_lbl[1] = 0;
		ip6->flow_lbl[2] = 0;
		ip6->payload_len = bpf_htons(sizeof(*ic) + quote);
		ip6->nexthdr = XLB_IPPROTO_ICMPV6;
		ip6->hop_limit = XLB_ICMP_TTL;
		ip6->saddr = in->daddr;
		ip6->daddr = in->saddr;
		ic->type = XLB_ICMPV6_PKT_TOOBIG;
		ic->code = 0;
		ic->rest = bpf_htonl(mtu);
		/* RFC 8200 8.1 pseudo-header: addresses, upper-layer length, next header. */
		sum = (__u32)bpf_csum_diff(NULL, 0, (__be32 *)&ip6->saddr, 32, 0);
		sum = xlb_csum_add(sum, bpf_htonl(sizeof(*ic) + quote));
		sum = xlb_csum_add(sum, bpf_htonl(XLB_IPPROTO_ICMPV6));
	}
	ic->csum = 0;
	hdr -= sizeof(*ic); /* now the IP header's length */
	sum = xlb_csum_pkt(ctx, l2 + hdr, sizeof(*ic) + quote, sum);
	/* A call the verifier checked apart: re-derive the pointer it gets back to. */
	data_end = (void *)(long)ctx->data_end;
	ic = (void *)(long)ctx->data + l2 + hdr;
	if ((void *)(ic + 1) > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TOO_BIG, XDP_DROP);
	ic->csum = xlb_csum_fold(sum);
	return xlb_verdict(pkt, XLB_R_ICMP_TOO_BIG, XDP_TX);
}

#endif /* XLB_BPF_ICMP_REPLY_H */
