/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the table-driven packet tests (test_packet_tun, test_packet_nat) share under cmocka:
 * the reason_stats snapshot around one frame and its check that exactly one reason moved, by
 * that frame, the filling of a test array from a case table, and the check of an ICMP too-big
 * answer rebuilt from the RFCs. Include after cmocka.h and fixture.h.
 */
#ifndef XLB_TEST_CASES_H
#define XLB_TEST_CASES_H

#include <inttypes.h>

#include "common/names.h"
#include "fixture.h"

static inline void pc_snapshot(const struct xlb_fixture *fx, struct xlb_counters *c)
{
	uint32_t r;

	for (r = 0; r < XLB_R_MAX; r++)
		assert_int_equal(fx_counters(fx, fx->skel->maps.reason_stats, r, &c[r]), 0);
}

/* Between the two snapshots exactly reason moved, by one frame of len bytes. */
static inline void pc_one_reason(const struct xlb_counters *before,
				 const struct xlb_counters *after, uint32_t reason, uint32_t len)
{
	uint32_t r;

	for (r = 0; r < XLB_R_MAX; r++) {
		uint64_t dp = after[r].packets - before[r].packets;
		uint64_t db = after[r].bytes - before[r].bytes;

		if (dp != (r == reason) || db != (r == reason ? len : 0))
			fail_msg("reason_stats[%s] moved by %" PRIu64 " packets, %" PRIu64
				 " bytes; want %s by one frame of %u", xlb_reason_name(r), dp, db,
				 xlb_reason_name(reason), len);
	}
}

/*
 * tests[0..n) run func once per case of a table whose elements (size bytes each) start with
 * their name; the case is the test's state. Returns n, where the caller's own tests go on.
 */
static inline size_t pc_table(struct CMUnitTest *tests, const void *cases, size_t n, size_t size,
			      CMUnitTestFunction func)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const void *c = (const char *)cases + i * size;

		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = *(const char *const *)c;
		tests[i].test_func = func;
		tests[i].initial_state = (void *)c;
	}
	return n;
}

static inline void pc_bytes(const char *what, const uint8_t *got, const uint8_t *want, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			fail_msg("%s: byte %u is 0x%02x, want 0x%02x", what, i, got[i], want[i]);
}

/* An answer's IP header as the RFCs say: from the VIP to the client, precedence 6 for IPv4. */
static inline uint32_t pc_answer_ip_header(const struct pkt *in, uint32_t quote, uint8_t *hdr)
{
	const uint8_t *l3 = in->data + in->l3;

	if (in->family == 4) {
		pkt_iphdr *ip = (pkt_iphdr *)hdr;
		const pkt_iphdr *cl = (const pkt_iphdr *)l3;

		memset(ip, 0, sizeof(*ip));
		ip->version = 4;
		ip->ihl = 5;
		ip->tos = 0xc0;
		ip->tot_len = htons(sizeof(*ip) + 8 + quote);
		ip->frag_off = htons(PKT_IP_DF);
		ip->ttl = 64;
		ip->protocol = IPPROTO_ICMP;
		ip->saddr = cl->daddr;
		ip->daddr = cl->saddr;
		ip->check = pkt_fold(pkt_sum(0, ip, sizeof(*ip)));
		return sizeof(*ip);
	}
	pkt_ipv6hdr *ip6 = (pkt_ipv6hdr *)hdr;
	const pkt_ipv6hdr *cl6 = (const pkt_ipv6hdr *)l3;

	memset(ip6, 0, sizeof(*ip6));
	ip6->version = 6;
	ip6->payload_len = htons(8 + quote);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 64;
	memcpy(&ip6->saddr, &cl6->daddr, 16);
	memcpy(&ip6->daddr, &cl6->saddr, 16);
	return sizeof(*ip6);
}

/*
 * out[0..out_len) is the answer to the client's frame in (ICMP "fragmentation needed", RFC 1191,
 * or "packet too big", RFC 4443): MACs swapped, in's ethertype and tags kept, the IP header
 * rebuilt here field by field, type, code, the MTU field, quote bytes of in's datagram, and both
 * checksums verified by summing the output from scratch (ICMPv6's with its pseudo-header).
 */
static inline void pc_check_too_big(const uint8_t *out, uint32_t out_len, const struct pkt *in,
				    uint32_t mtu, uint32_t quote)
{
	uint32_t l2 = (uint32_t)in->l3, hlen, sum;
	uint8_t hdr[64];
	const uint8_t *ic;

	hlen = pc_answer_ip_header(in, quote, hdr);
	if (out_len != l2 + hlen + 8 + quote)
		fail_msg("data_size_out %u, want %u + %u + 8 + a %u-byte quote", out_len, l2, hlen,
			 quote);
	pc_bytes("destination MAC (the client's)", out, in->data + ETH_ALEN, ETH_ALEN);
	pc_bytes("source MAC (the frame's destination)", out + ETH_ALEN, in->data, ETH_ALEN);
	pc_bytes("ethertype and tags", out + 2 * ETH_ALEN, in->data + 2 * ETH_ALEN,
		 l2 - 2 * ETH_ALEN);
	pc_bytes("answer's ip header", out + l2, hdr, hlen);
	if (in->family == 4 && pkt_fold(pkt_sum(0, out + l2, hlen)))
		fail_msg("answer's ipv4 checksum does not verify");
	ic = out + l2 + hlen;
	if (ic[0] != (in->family == 4 ? ICMP_DEST_UNREACH : ICMPV6_PKT_TOOBIG) ||
	    ic[1] != (in->family == 4 ? ICMP_FRAG_NEEDED : 0))
		fail_msg("icmp type %u code %u", ic[0], ic[1]);
	if (in->family == 4 && (ic[4] | ic[5] || (uint32_t)(ic[6] << 8 | ic[7]) != mtu))
		fail_msg("unused/next-hop mtu %02x%02x %u, want 0000 %u", ic[4], ic[5],
			 ic[6] << 8 | ic[7], mtu);
	if (in->family == 6 && (uint32_t)(ic[4] << 24 | ic[5] << 16 | ic[6] << 8 | ic[7]) != mtu)
		fail_msg("mtu %u, want %u", ic[4] << 24 | ic[5] << 16 | ic[6] << 8 | ic[7], mtu);
	sum = pkt_sum(0, ic, 8 + quote);
	if (in->family == 6) {
		uint8_t pseudo[40] = { 0 };
		uint32_t ulen = htonl(8 + quote);

		memcpy(pseudo, out + l2 + 8, 32);
		memcpy(pseudo + 32, &ulen, 4);
		pseudo[39] = IPPROTO_ICMPV6;
		sum = pkt_sum(sum, pseudo, sizeof(pseudo));
	}
	if (pkt_fold(sum))
		fail_msg("icmp checksum does not verify (sum 0x%04x)", pkt_fold(sum));
	pc_bytes("quoted packet", ic + 8, in->data + l2, quote);
}

#endif /* XLB_TEST_CASES_H */
