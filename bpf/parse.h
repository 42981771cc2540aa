/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Header parsing: Ethernet (up to two VLAN tags), IPv4 (with options), IPv6 (with a bounded walk
 * over extension headers, AH and fragment headers included), TCP and UDP, into a struct
 * xlb_flow; fragments are marked in pkt->frag for frag.h. Every read is bounds-checked against data_end
 * with the cursor pattern the verifier wants (`if (hdr + 1 > data_end)`).
 */
#ifndef XLB_BPF_PARSE_H
#define XLB_BPF_PARSE_H

#include "common.h"

/* Extension headers walked before giving up on an IPv6 packet (each costs a bounded step). */
#ifndef XLB_IPV6_MAX_EXT
#define XLB_IPV6_MAX_EXT 4
#endif

#define XLB_IP_DF 0x4000
#define XLB_IP_MF 0x2000
#define XLB_IP_OFFSET 0x1fff

/* ICMP and ICMPv6 share this 8-byte header shape; the UAPI icmpv6.h drags in libc headers. */
struct xlb_icmp_hdr {
	__u8 type;
	__u8 code;
	__sum16 csum;
	__be32 rest; /* unused / next-hop MTU / MTU */
};

#define XLB_ICMP_DEST_UNREACH 3
#define XLB_ICMP_FRAG_NEEDED 4
#define XLB_ICMPV6_PKT_TOOBIG 2

#define XLB_NEXTHDR_HOP 0
#define XLB_NEXTHDR_ROUTING 43
#define XLB_NEXTHDR_FRAGMENT 44
#define XLB_NEXTHDR_DEST 60
#define XLB_NEXTHDR_AUTH 51 /* AH: its length counts 4-byte units, less 2 */

/* The TCP header's flags byte (CWR ECE URG ACK PSH RST SYN FIN) and the bits of it read here. */
#define XLB_TCP_FLAGS_OFF 13
#define XLB_TCP_FIN 0x01
#define XLB_TCP_SYN 0x02
#define XLB_TCP_RST 0x04
#define XLB_TCP_ACK 0x10

/* 802.1Q / 802.1ad tags parsed through before giving up (QinQ is two). */
#define XLB_VLAN_MAX 2

struct xlb_vlan_hdr {
	__be16 tci;
	__be16 proto; /* the encapsulated ethertype */
};

/* The IPv6 fragment header (the UAPI's frag_hdr lives in a kernel-only header). */
struct xlb_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-byte units << 3, bit 0: more fragments */
	__be32 id;
};

#define XLB_IP6_MF 0x0001
#define XLB_IP6_OFFSET 0xfff8

/* pkt->frag: where in a fragmented datagram the packet is. */
enum {
	XLB_FRAG_NONE = 0,
	XLB_FRAG_FIRST, /* offset 0, more to come: has the ports, is recorded in frags */
	XLB_FRAG_LATER, /* offset > 0: no ports; flow has addresses and proto, frag_id the id */
};

struct xlb_pkt {
	struct xlb_flow flow;
	struct ethhdr *eth;
	__u64 len;     /* frame length, for byte counters */
	__u32 reason;  /* enum xlb_reason, set when the verdict is decided */
	__u8 tcp_syn;  /* a TCP SYN without ACK: a connection is being opened */
	__u8 tcp_end;  /* a TCP FIN or RST: the client is closing (non-zero, not a boolean) */
	__u8 icmp_err; /* an ICMP error quoting a VIP flow; flow is that flow, as the client sent it */
	__u8 frag;     /* XLB_FRAG_* */
	__be32 frag_id; /* IPv4 identification / IPv6 fragment id, when frag is set */
	__u16 l3_off;  /* IP header's offset in the frame (after the VLAN tags): xlb_l3_off */
	__u16 l4_off;  /* TCP/UDP or ICMP header's offset (later fragments: none); nat.h rewrites there */
};

static __always_inline int xlb_verdict(struct xlb_pkt *pkt, __u32 reason, int action)
{
	pkt->reason = reason;
	return action;
}

/*
 * Ports of a TCP or UDP header at l4; both start with source and destination port. room is what
 * the IP length leaves for it: bytes past the datagram (Ethernet padding) are not its header.
 */
static __always_inline int xlb_parse_l4(void *l4, void *data_end, __u32 room, __u8 proto,
					struct xlb_pkt *pkt)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end || room < sizeof(*th))
			return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
		__u8 flags = ((__u8 *)th)[XLB_TCP_FLAGS_OFF];

		pkt->flow.sport = th->source;
		pkt->flow.dport = th->dest;
		/* One byte read for every flag the connection table needs, not a bitfield each. */
		pkt->tcp_syn = (flags & (XLB_TCP_SYN | XLB_TCP_ACK)) == XLB_TCP_SYN;
		pkt->tcp_end = flags & (XLB_TCP_FIN | XLB_TCP_RST);
	} else {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end || room < sizeof(*uh))
			return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
		pkt->flow.sport = uh->source;
		pkt->flow.dport = uh->dest;
	}
	pkt->flow.proto = proto;
	return XLB_CONTINUE;
}

/*
 * Path MTU discovery through the dispatcher: a router on the backend's way back sends
 * "fragmentation needed" / "packet too big" to the reply's source, the VIP, so it arrives here.
 * The quoted packet is the reply (VIP -> client); the flow it belongs to is its reverse, which
 * conns knows. Only the ports of the quoted L4 header are needed (RFC 792 quotes 8 bytes).
 * An error sent anywhere but to the quote's source is not about a reply of ours (a forged
 * quote, or the host's own traffic): the callers leave it to the kernel.
 */
static __always_inline int xlb_parse_quoted_ports(void *l4, void *data_end, __s32 room, __u8 proto,
						  struct xlb_pkt *pkt)
{
	__be16 *ports = l4;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return xlb_verdict(pkt, XLB_R_PASS_NOT_L4, XDP_PASS);
	if ((void *)(ports + 2) > data_end || room < 4)
		return xlb_verdict(pkt, XLB_R_PASS_NOT_L4, XDP_PASS);
	pkt->flow.sport = ports[1];
	pkt->flow.dport = ports[0];
	pkt->flow.proto = proto;
	pkt->icmp_err = 1;
	return XLB_CONTINUE;
}

/* room: bytes of the outer datagram from the ICMP header on. */
static __always_inline int lb4_parse_icmp(const struct iphdr *ip, void *l4, void *data_end,
					  __u32 room, struct xlb_pkt *pkt)
{
	struct xlb_icmp_hdr *ic = l4;
	struct iphdr *in = (void *)(ic + 1);

	if ((void *)(in + 1) > data_end || room < sizeof(*ic) + sizeof(*in) ||
	    ic->type != XLB_ICMP_DEST_UNREACH || ic->code != XLB_ICMP_FRAG_NEEDED)
		return xlb_verdict(pkt, XLB_R_PASS_NOT_L4, XDP_PASS);
	if (in->version != 4 || in->ihl < 5 || in->frag_off & bpf_htons(XLB_IP_OFFSET))
		return xlb_verdict(pkt, XLB_R_PASS_NOT_L4, XDP_PASS);
	if (ip->daddr != in->saddr)
		return xlb_verdict(pkt, XLB_R_PASS_NOT_VIP, XDP_PASS);
	pkt->flow.family = XLB_FAMILY_V4;
	pkt->flow.src[0] = in->daddr;
	pkt->flow.dst[0] = in->saddr;
	return xlb_parse_quoted_ports((void *)in + in->ihl * 4, data_end,
				      (__s32)room - (__s32)sizeof(*ic) - in->ihl * 4, in->protocol,
				      pkt);
}

static __always_inline int lb4_parse(void *l3, void *data_end, struct xlb_pkt *pkt)
{
	struct iphdr *ip = l3;
	__u32 ihl, tot_len;

	if ((void *)(ip + 1) > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
	if (ip->version != 4 || ip->ihl < 5)
		return xlb_verdict(pkt, XLB_R_DROP_BAD_HEADER, XDP_DROP);
	ihl = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < ihl)
		return xlb_verdict(pkt, XLB_R_DROP_BAD_HEADER, XDP_DROP);
	/* A datagram longer than the frame lost its end; the kernel would drop it too. */
	if (l3 + tot_len > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
	/* Options are skipped, not parsed: ihl is 20..60, the check below bounds l4 for the verifier. */
	if (l3 + ihl > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
	/* Only the first fragment has ports: it is balanced, later ones follow it (frag.h). A
	 * fragmented ICMP error or other protocol is the kernel's to reassemble. */
	if (ip->frag_off & bpf_htons(XLB_IP_MF | XLB_IP_OFFSET)) {
		if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
			return xlb_verdict(pkt, XLB_R_PASS_FRAGMENT, XDP_PASS);
		pkt->frag = ip->frag_off & bpf_htons(XLB_IP_OFFSET) ? XLB_FRAG_LATER : XLB_FRAG_FIRST;
		pkt->frag_id = ip->id;
	}
	pkt->l4_off = pkt->l3_off + ihl;
	if (ip->protocol == IPPROTO_ICMP)
		return lb4_parse_icmp(ip, l3 + ihl, data_end, tot_len - ihl, pkt);
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return xlb_verdict(pkt, XLB_R_PASS_NOT_L4, XDP_PASS);

	pkt->flow.family = XLB_FAMILY_V4;
	pkt->flow.src[0] = ip->saddr;
	pkt->flow.dst[0] = ip->daddr;
	if (pkt->frag == XLB_FRAG_LATER) {
		pkt->flow.proto = ip->protocol;
		return XLB_CONTINUE;
	}
	return xlb_parse_l4(l3 + ihl, data_end, tot_len - ihl, ip->protocol, pkt);
}

static __always_inline int xlb_addr6_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return !((a->in6_u.u6_addr32[0] ^ b->in6_u.u6_addr32[0]) |
		 (a->in6_u.u6_addr32[1] ^ b->in6_u.u6_addr32[1]) |
		 (a->in6_u.u6_addr32[2] ^ b->in6_u.u6_addr32[2]) |
		 (a->in6_u.u6_addr32[3] ^ b->in6_u.u6_addr32[3]));
}

/* room: bytes of the outer payload from the ICMPv6 header on. */
static __always_inline int lb6_parse_icmp(const struct ipv6hdr *ip6, void *l4, void *data_end,
					  __s32 room, struct xlb_pkt *pkt)
{
	struct xlb_icmp_hdr *ic = l4;
	struct ipv6hdr *in = (void *)(ic + 1);

	/* Quoted extension headers are not walked: such errors go to the kernel. */
	if ((void *)(in + 1) > data_end || room < (__s32)(sizeof(*ic) + sizeof(*in)) ||
	    ic->type != XLB_ICMPV6_PKT_TOOBIG)
		return xlb_verdict(pkt, XLB_R_PASS_NOT_L4, XDP_PASS);
	if (!xlb_addr6_eq(&ip6->daddr, &in->saddr))
		return xlb_verdict(pkt, XLB_R_PASS_NOT_VIP, XDP_PASS);
	pkt->flow.family = XLB_FAMILY_V6;
	__builtin_memcpy(pkt->flow.src, &in->daddr, sizeof(pkt->flow.src));
	__builtin_memcpy(pkt->flow.dst, &in->saddr, sizeof(pkt->flow.dst));
	return xlb_parse_quoted_ports(in + 1, data_end,
				      room - (__s32)(sizeof(*ic) + sizeof(*in)), in->nexthdr, pkt);
}

static __always_inline int lb6_parse(void *l3, void *data_end, struct xlb_pkt *pkt)
{
	struct ipv6hdr *ip6 = l3;
	void *cur = ip6 + 1;
	__u32 plen, ext = 0; /* payload length, extension header bytes walked */
	__u8 nexthdr;
	int i;

	if (cur > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
	if (ip6->version != 6)
		return xlb_verdict(pkt, XLB_R_DROP_BAD_HEADER, XDP_DROP);
	plen = bpf_ntohs(ip6->payload_len);
	if (cur + plen > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);

	nexthdr = ip6->nexthdr;
	for (i = 0; i < XLB_IPV6_MAX_EXT; i++) {
		struct ipv6_opt_hdr *opt = cur;

		__u32 len;

		if (nexthdr == IPPROTO_TCP || nexthdr == IPPROTO_UDP)
			break;
		if (nexthdr == IPPROTO_ICMPV6) {
			if (pkt->frag)
				return xlb_verdict(pkt, XLB_R_PASS_FRAGMENT, XDP_PASS);
			pkt->l4_off = pkt->l3_off + sizeof(*ip6) + ext;
			return lb6_parse_icmp(ip6, cur, data_end, (__s32)plen - (__s32)ext, pkt);
		}
		if (nexthdr != XLB_NEXTHDR_HOP && nexthdr != XLB_NEXTHDR_ROUTING &&
		    nexthdr != XLB_NEXTHDR_DEST && nexthdr != XLB_NEXTHDR_FRAGMENT &&
		    nexthdr != XLB_NEXTHDR_AUTH)
			return xlb_verdict(pkt, XLB_R_PASS_NOT_L4, XDP_PASS);
		/* Every one of these starts with next header and a length byte; the fragment
		 * header's 8 bytes are checked whole before its fields are read. */
		if ((void *)(opt + 1) > data_end)
			return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
		if (nexthdr == XLB_NEXTHDR_FRAGMENT) {
			struct xlb_frag_hdr *fh = cur;

			/* Also within the payload length: a later fragment has no L4 check after. */
			if ((void *)(fh + 1) > data_end || ext + sizeof(*fh) > plen)
				return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
			len = sizeof(*fh);
			/* Offset 0 without M is an atomic fragment (RFC 6946): a whole datagram. */
			if (fh->frag_off & bpf_htons(XLB_IP6_OFFSET | XLB_IP6_MF)) {
				pkt->frag_id = fh->id;
				pkt->frag = fh->frag_off & bpf_htons(XLB_IP6_OFFSET) ? XLB_FRAG_LATER :
										      XLB_FRAG_FIRST;
			}
			if (pkt->frag == XLB_FRAG_LATER) {
				/* What follows is data; the header names its protocol. */
				if (fh->nexthdr != IPPROTO_TCP && fh->nexthdr != IPPROTO_UDP)
					return xlb_verdict(pkt, XLB_R_PASS_FRAGMENT, XDP_PASS);
				pkt->flow.family = XLB_FAMILY_V6;
				__builtin_memcpy(pkt->flow.src, &ip6->saddr, sizeof(pkt->flow.src));
				__builtin_memcpy(pkt->flow.dst, &ip6->daddr, sizeof(pkt->flow.dst));
				pkt->flow.proto = fh->nexthdr;
				return XLB_CONTINUE;
			}
		} else if (nexthdr == XLB_NEXTHDR_AUTH) {
			len = (opt->hdrlen + 2) * 4;
		} else {
			len = (opt->hdrlen + 1) * 8;
		}
		nexthdr = opt->nexthdr;
		ext += len;
		cur += len;
	}
	/* Chains longer than the walk (a bounded loop for the verifier) go to the kernel. */
	if (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_UDP)
		return xlb_verdict(pkt, XLB_R_PASS_IP_EXT, XDP_PASS);

	pkt->flow.family = XLB_FAMILY_V6;
	__builtin_memcpy(pkt->flow.src, &ip6->saddr, sizeof(pkt->flow.src));
	__builtin_memcpy(pkt->flow.dst, &ip6->daddr, sizeof(pkt->flow.dst));
	pkt->l4_off = pkt->l3_off + sizeof(*ip6) + ext;
	/* Headers walked past the payload length leave no room: the L4 check then drops it. */
	return xlb_parse_l4(cur, data_end, ext > plen ? 0 : plen - ext, nexthdr, pkt);
}

/* The furthest an IP header can start: Ethernet and XLB_VLAN_MAX tags (more are passed). */
#define XLB_L3_OFF_MAX (sizeof(struct ethhdr) + XLB_VLAN_MAX * sizeof(struct xlb_vlan_hdr))

/*
 * Where the parse found the IP header, for the paths that reshape the frame (tun, the too-big
 * answer): the one record of it, so the tags are walked once per packet. The cap is for the
 * verifier: read back from the stack, l3_off is any 16-bit value, and a bounds check past a
 * pointer whose offset may reach 64 KiB is not credited. The family tells the header's kind.
 */
static __always_inline __u32 xlb_l3_off(const struct xlb_pkt *pkt)
{
	__u32 off = pkt->l3_off;

	return off < XLB_L3_OFF_MAX ? off : XLB_L3_OFF_MAX;
}

/* Fill pkt from the frame, or decide its fate (pkt->reason says why). */
static __always_inline int xlb_parse(struct xdp_md *ctx, struct xlb_pkt *pkt)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	void *cur = eth + 1;
	__be16 proto;
	int i;

	pkt->len = data_end - data;
	if (cur > data_end)
		return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
	pkt->eth = eth;
	pkt->l3_off = sizeof(*eth);

	/* Tags are parsed through, not removed: XDP_TX sends the frame back out with them. */
	proto = eth->h_proto;
	if (proto != bpf_htons(ETH_P_IP)) {
		/* Untagged IPv4 skips the walk: DR's every packet pays for each test here. */
		for (i = 0; i < XLB_VLAN_MAX; i++) {
			struct xlb_vlan_hdr *tag = cur;

			if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
				break;
			if ((void *)(tag + 1) > data_end)
				return xlb_verdict(pkt, XLB_R_DROP_TRUNCATED, XDP_DROP);
			proto = tag->proto;
			cur = tag + 1;
			pkt->l3_off += sizeof(*tag);
		}
		if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
			return xlb_verdict(pkt, XLB_R_PASS_VLAN_DEPTH, XDP_PASS);
	}
	if (proto == bpf_htons(ETH_P_IP))
		return lb4_parse(cur, data_end, pkt);
	if (proto == bpf_htons(ETH_P_IPV6))
		return lb6_parse(cur, data_end, pkt);
	return xlb_verdict(pkt, XLB_R_PASS_NOT_IP, XDP_PASS);
}

#endif /* XLB_BPF_PARSE_H */
