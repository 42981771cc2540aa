// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The backends' end of xlb's tun forwarding, for hosts without the ipip / ip6_tunnel modules:
 * strips the outer header the dispatcher added (IPIP: IPv4 protocol 4; 6in4: IPv4 protocol 41;
 * IP6IP6: IPv6 next header 41; 4in6: IPv6 next header 4) and passes the inner packet, addressed
 * to the VIP the backend holds on lo, to the kernel. Only for outer destinations listed in
 * decap_addrs (an empty map strips nothing). Anything it does not strip passes unchanged, its
 * reason counted: the kernel decides, as it would without this program.
 */
#include "common.h"
#include "xlb/decap.h"

/* Outer destinations accepted; filled by `xlbctl decap attach`. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_DECAP_MAX_ADDRS);
	__type(key, struct xlb_decap_addr);
	__type(value, __u8);
} decap_addrs SEC(".maps");

/* enum xlb_decap_reason -> counters, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DECAP_R_MAX);
	__type(key, __u32);
	__type(value, struct xlb_decap_counters);
} decap_stats SEC(".maps");

#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

static __always_inline int decap_verdict(__u32 reason, __u64 bytes, int action)
{
	struct xlb_decap_counters *c = bpf_map_lookup_elem(&decap_stats, &reason);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
	return action;
}

/* IPv4 protocol / IPv6 next header -> inner ethertype, 0 if not a tunnel we strip. */
static __always_inline __u16 decap_inner_proto(__u8 proto)
{
	if (proto == IPPROTO_IPIP)
		return ETH_P_IP;
	if (proto == IPPROTO_IPV6)
		return ETH_P_IPV6;
	return 0;
}

/*
 * The inner header must be whole inside the outer datagram (end: where its length says it ends,
 * within the frame) and of the version the outer protocol names. Bytes past that end are
 * Ethernet padding, not a packet (the fuzzer found this program stripping "inner headers" there).
 */
static __always_inline __u32 decap_check_inner(void *inner, void *end, void *data_end,
					       __u16 inner_proto)
{
	__u32 need = inner_proto == ETH_P_IP ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	__u8 *version = inner;

	if ((void *)(version + 1) > data_end || inner + need > data_end || inner + need > end)
		return XLB_DECAP_R_TRUNCATED;
	if ((*version >> 4) != (inner_proto == ETH_P_IP ? 4 : 6))
		return XLB_DECAP_R_BAD_INNER;
	return XLB_DECAP_R_STRIPPED;
}

/* Outer IPv4: the reason, and on STRIPPED the header length and inner ethertype. */
static __always_inline __u32 decap_outer_v4(void *l3, void *data_end, __u32 *hlen, __u16 *inner)
{
	struct iphdr *ip = l3;
	struct xlb_decap_addr key = { .family = XLB_FAMILY_V4 };
	__u32 tot;

	if ((void *)(ip + 1) > data_end)
		return XLB_DECAP_R_TRUNCATED;
	*inner = decap_inner_proto(ip->protocol);
	if (ip->version != 4 || !*inner)
		return XLB_DECAP_R_NOT_TUNNEL;
	if (ip->ihl != 5)
		return ip->ihl < 5 ? XLB_DECAP_R_TRUNCATED : XLB_DECAP_R_OPTIONS;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return XLB_DECAP_R_FRAGMENT;
	if (xlb_ipv4_csum(ip))
		return XLB_DECAP_R_BAD_CSUM;
	tot = bpf_ntohs(ip->tot_len);
	/* Ethernet padding may follow the datagram; a datagram longer than the frame is cut. */
	if (tot < sizeof(*ip) || l3 + tot > data_end)
		return XLB_DECAP_R_TRUNCATED;
	key.addr[0] = ip->daddr;
	if (!bpf_map_lookup_elem(&decap_addrs, &key))
		return XLB_DECAP_R_NOT_ALLOWED;
	*hlen = sizeof(*ip);
	return decap_check_inner(ip + 1, l3 + tot, data_end, *inner);
}

/* Outer IPv6; the tunnel header must follow the fixed header directly, as the dispatcher writes
 * it (an extension header in between is not a tunnel this program strips). */
static __always_inline __u32 decap_outer_v6(void *l3, void *data_end, __u32 *hlen, __u16 *inner)
{
	struct ipv6hdr *ip6 = l3;
	struct xlb_decap_addr key = { .family = XLB_FAMILY_V6 };
	__u32 plen;

	if ((void *)(ip6 + 1) > data_end)
		return XLB_DECAP_R_TRUNCATED;
	*inner = decap_inner_proto(ip6->nexthdr);
	if (ip6->version != 6 || !*inner)
		return XLB_DECAP_R_NOT_TUNNEL;
	plen = bpf_ntohs(ip6->payload_len);
	/* payload_len 0 is a jumbogram's, which needs a hop-by-hop header: not ours either. */
	if (!plen || (void *)(ip6 + 1) + plen > data_end)
		return XLB_DECAP_R_TRUNCATED;
	__builtin_memcpy(key.addr, &ip6->daddr, sizeof(key.addr));
	if (!bpf_map_lookup_elem(&decap_addrs, &key))
		return XLB_DECAP_R_NOT_ALLOWED;
	*hlen = sizeof(*ip6);
	return decap_check_inner(ip6 + 1, (void *)(ip6 + 1) + plen, data_end, *inner);
}

SEC("xdp")
int xlb_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct ethhdr *eth = data, copy;
	__u16 inner = 0;
	__u32 reason, hlen = 0;

	if ((void *)(eth + 1) > data_end)
		return decap_verdict(XLB_DECAP_R_NOT_TUNNEL, bytes, XDP_PASS);
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		reason = decap_outer_v4(eth + 1, data_end, &hlen, &inner);
	else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		reason = decap_outer_v6(eth + 1, data_end, &hlen, &inner);
	else
		reason = XLB_DECAP_R_NOT_TUNNEL;
	if (reason != XLB_DECAP_R_STRIPPED)
		return decap_verdict(reason, bytes, XDP_PASS);

	/* The Ethernet header moves forward over the outer IP header; only its type changes. */
	__builtin_memcpy(&copy, eth, sizeof(copy));
	copy.h_proto = bpf_htons(inner);
	if (bpf_xdp_adjust_head(ctx, (int)hlen))
		return decap_verdict(XLB_DECAP_R_ADJUST, bytes, XDP_PASS);
	/* adjust_head invalidates every packet pointer: the verifier wants them reloaded. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	/* Cannot fail (the inner header was in the frame), but the verifier needs the check. */
	if ((void *)(eth + 1) > data_end)
		return decap_verdict(XLB_DECAP_R_ADJUST, bytes, XDP_PASS);
	__builtin_memcpy(eth, &copy, sizeof(copy));
	return decap_verdict(XLB_DECAP_R_STRIPPED, bytes, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
