// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet tests: the real xlb_xdp program, run with BPF_PROG_TEST_RUN on crafted frames.
 *
 * Test that every kind of frame the dispatcher can meet gets the verdict, the drop/pass reason and
 * the output bytes it should: a balanced frame leaves with only its destination MAC (the backend's)
 * and source MAC (iface_mac) changed; a passed or dropped frame leaves byte-identical. The backend
 * a balanced frame must reach is predicted independently, from the fixture's shadow of the Maglev
 * table and the shared xlb_flow_hash(). Each case also checks that exactly one reason_stats index
 * moved, by one packet of the frame's length, and the VIP/backend counters and the conns entry.
 *
 * The table of cases comes first, then scenario tests (flows across table rebuilds and backend
 * removal, counters over two packets on two CPUs, conns contents). The cases share one program
 * loaded with the standard configuration below, with conns emptied before each; every scenario
 * loads its own, since it changes the configuration.
 */
#include <inttypes.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <cmocka.h>

#include "common/names.h"
#include "fixture.h"

/* ---------------------------------------------------------------------------------------------
 * Standard configuration. Test networks are the documentation ranges: clients in 192.0.2.0/24,
 * VIPs in 203.0.113.0/24, backends in 198.51.100.0/24, and 2001:db8::/32 for IPv6.
 */

static const uint8_t iface_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t router_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xfe };

#define CLIENT4 "192.0.2.1"
#define CLIENT6 "2001:db8:c::1"
#define CLIENT_PORT 40001

#define VIP4_A "203.0.113.10" /* web (TCP 80) and dns (UDP 53) */
#define VIP4_B "203.0.113.20" /* every TCP port, plus an exact TCP 8080 */
#define VIP4_EMPTY "203.0.113.30"
#define VIP4_FALLBACK "203.0.113.31"
#define VIP4_NOMAC "203.0.113.32"
#define VIP4_NOTABLE "203.0.113.33"
#define VIP4_FOREIGN "203.0.113.34"
#define VIP4_TUN "203.0.113.35"
#define VIP6_A "2001:db8:a::10" /* web (TCP 443) and dns (UDP 53) */
#define NOT_VIP4 "203.0.113.99"
#define NOT_VIP6 "2001:db8:a::99"

/* VIP ids start at 1 so that 0 in a case means "no VIP involved". */
enum {
	VIP_NONE = 0,
	VIP_WEB4,     /* VIP4_A TCP 80, backends 1-4, default 65537-slot table */
	VIP_DNS4,     /* VIP4_A UDP 53, backends 5-7 */
	VIP_ANY4,     /* VIP4_B TCP port 0 (every port), backends 8-9 */
	VIP_ALT4,     /* VIP4_B TCP 8080 exactly, backend 10: must win over VIP_ANY4 */
	VIP_WEB6,     /* VIP6_A TCP 443, backends 11-13 */
	VIP_DNS6,     /* VIP6_A UDP 53, backends 14-15 */
	VIP_EMPTY,    /* table with every slot empty, no fallback */
	VIP_FALLBACK, /* table with every slot empty, fallback backend 16 */
	VIP_NOMAC,    /* only backend (17) has no resolved MAC */
	VIP_NOTABLE,  /* no inner map in maglev_tables at all */
	VIP_FOREIGN,  /* table names backend 1, which serves VIP_WEB4, not this VIP */
	VIP_TUN,      /* forwarding mode TUN; the tunnel map is left empty here (test_packet_tun) */
};

#define BE_OK (XLB_BE_F_USED | XLB_BE_F_LIVE | XLB_BE_F_MAC)

static const struct std_vip {
	uint32_t id;
	int family;
	const char *addr;
	uint8_t proto;
	uint16_t port;
	uint32_t ring;        /* Maglev table size (prime) */
	uint8_t fwd;
	uint32_t fallback;    /* backend id, 0 = none */
	bool no_table;        /* leave maglev_tables[id] empty */
	uint32_t members[5];  /* backends the table is built over, 0-terminated */
} std_vips[] = {
	{ VIP_WEB4, 4, VIP4_A, IPPROTO_TCP, 80, XLB_MAGLEV_DEFAULT_SIZE, .members = { 1, 2, 3, 4 } },
	{ VIP_DNS4, 4, VIP4_A, IPPROTO_UDP, 53, 251, .members = { 5, 6, 7 } },
	{ VIP_ANY4, 4, VIP4_B, IPPROTO_TCP, 0, 13, .members = { 8, 9 } },
	{ VIP_ALT4, 4, VIP4_B, IPPROTO_TCP, 8080, 7, .members = { 10 } },
	{ VIP_WEB6, 6, VIP6_A, IPPROTO_TCP, 443, 1009, .members = { 11, 12, 13 } },
	{ VIP_DNS6, 6, VIP6_A, IPPROTO_UDP, 53, 97, .members = { 14, 15 } },
	{ VIP_EMPTY, 4, VIP4_EMPTY, IPPROTO_TCP, 80, 13 },
	{ VIP_FALLBACK, 4, VIP4_FALLBACK, IPPROTO_TCP, 80, 13, .fallback = 16 },
	{ VIP_NOMAC, 4, VIP4_NOMAC, IPPROTO_TCP, 80, 13, .members = { 17 } },
	{ VIP_NOTABLE, 4, VIP4_NOTABLE, IPPROTO_TCP, 80, 13, .no_table = true },
	{ VIP_FOREIGN, 4, VIP4_FOREIGN, IPPROTO_TCP, 80, 13, .members = { 1 } },
	{ VIP_TUN, 4, VIP4_TUN, IPPROTO_TCP, 80, 13, XLB_FWD_TUN, .members = { 18 } },
};

static const struct std_backend {
	uint32_t id;
	int family;
	const char *addr;
	uint32_t vip;
	uint8_t flags;
	uint16_t weight;
} std_backends[] = {
	{ 1, 4, "198.51.100.1", VIP_WEB4, BE_OK, 1 },
	{ 2, 4, "198.51.100.2", VIP_WEB4, BE_OK, 1 },
	{ 3, 4, "198.51.100.3", VIP_WEB4, BE_OK, 1 },
	{ 4, 4, "198.51.100.4", VIP_WEB4, BE_OK, 2 },
	{ 5, 4, "198.51.100.5", VIP_DNS4, BE_OK, 1 },
	{ 6, 4, "198.51.100.6", VIP_DNS4, BE_OK, 1 },
	{ 7, 4, "198.51.100.7", VIP_DNS4, BE_OK, 1 },
	{ 8, 4, "198.51.100.8", VIP_ANY4, BE_OK, 1 },
	{ 9, 4, "198.51.100.9", VIP_ANY4, BE_OK, 1 },
	{ 10, 4, "198.51.100.10", VIP_ALT4, BE_OK, 1 },
	{ 11, 6, "2001:db8:b::11", VIP_WEB6, BE_OK, 1 },
	{ 12, 6, "2001:db8:b::12", VIP_WEB6, BE_OK, 1 },
	{ 13, 6, "2001:db8:b::13", VIP_WEB6, BE_OK, 1 },
	{ 14, 6, "2001:db8:b::14", VIP_DNS6, BE_OK, 1 },
	{ 15, 6, "2001:db8:b::15", VIP_DNS6, BE_OK, 1 },
	{ 16, 4, "198.51.100.16", VIP_FALLBACK, BE_OK, 1 },
	{ 17, 4, "198.51.100.17", VIP_NOMAC, XLB_BE_F_USED | XLB_BE_F_LIVE, 1 },
	{ 18, 4, "198.51.100.18", VIP_TUN, BE_OK, 1 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int std_config(struct xlb_fixture *fx)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(std_backends); i++) {
		const struct std_backend *b = &std_backends[i];

		err = fx_backend_set(fx, b->id, b->family, b->addr, b->vip, b->flags, b->weight);
		if (err)
			return err;
	}
	for (i = 0; i < ARRAY_SIZE(std_vips); i++) {
		const struct std_vip *v = &std_vips[i];
		struct xlb_vip vip = {
			.id = v->id,
			.ring_size = v->ring,
			.sched = XLB_SCHED_MAGLEV,
			.fwd = v->fwd,
			.fallback = v->fallback ? v->fallback : XLB_NO_BACKEND,
		};
		size_t n = 0;

		err = fx_vip_set(fx, v->family, v->addr, v->proto, v->port, &vip);
		if (err)
			return err;
		if (v->no_table)
			continue;
		while (n < ARRAY_SIZE(v->members) && v->members[n])
			n++;
		err = fx_table_build(fx, v->id, v->members, n, v->ring);
		if (err)
			return err;
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Assertions that say what they check
 */

#define check_u64(label, got, want)                                                          \
	do {                                                                                 \
		uint64_t got_ = (got), want_ = (want);                                       \
		if (got_ != want_)                                                           \
			fail_msg("%s: got %" PRIu64 " (%#" PRIx64 "), want %" PRIu64         \
				 " (%#" PRIx64 ")",                                          \
				 (label), got_, got_, want_, want_);                         \
	} while (0)

static void check_frame(const char *label, const uint8_t *got, uint32_t got_len,
			const uint8_t *want, uint32_t want_len)
{
	uint32_t i;

	if (got_len != want_len)
		fail_msg("%s: data_size_out %u, want %u", label, got_len, want_len);
	for (i = 0; i < want_len; i++) {
		if (got[i] != want[i])
			fail_msg("%s: byte %u (%s) is 0x%02x, want 0x%02x", label, i,
				 i < ETH_ALEN ? "destination MAC" :
				 i < 2 * ETH_ALEN ? "source MAC" : "after the MACs",
				 got[i], want[i]);
	}
}

static const char *verdict_name(uint32_t v)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return v < ARRAY_SIZE(names) ? names[v] : "?";
}

struct reason_snap {
	struct xlb_counters c[XLB_R_MAX];
};

static void reason_snapshot(const struct xlb_fixture *fx, struct reason_snap *s)
{
	uint32_t r;

	for (r = 0; r < XLB_R_MAX; r++)
		assert_int_equal(fx_counters(fx, fx->skel->maps.reason_stats, r, &s->c[r]), 0);
}

/* Exactly reason `want` moved, by one packet of len bytes; no other index moved at all. */
static void check_reason_moved(const struct xlb_fixture *fx, const struct reason_snap *before,
			       uint32_t want, uint32_t len)
{
	struct reason_snap after;
	char label[96];
	uint32_t r;

	reason_snapshot(fx, &after);
	for (r = 0; r < XLB_R_MAX; r++) {
		snprintf(label, sizeof(label), "reason_stats[%s] packets", xlb_reason_name(r));
		check_u64(label, after.c[r].packets - before->c[r].packets, r == want ? 1 : 0);
		snprintf(label, sizeof(label), "reason_stats[%s] bytes", xlb_reason_name(r));
		check_u64(label, after.c[r].bytes - before->c[r].bytes, r == want ? len : 0);
	}
}

/* Frame as it must leave after DR to backend be: MACs rewritten, every other byte as it came. */
static void expect_dr(const struct xlb_fixture *fx, uint32_t be, const struct pkt *in,
		      uint8_t *want)
{
	memcpy(want, in->data, in->len);
	memcpy(want, fx->backends[be].mac, ETH_ALEN);
	memcpy(want + ETH_ALEN, fx->iface_mac, ETH_ALEN);
}

/* Run one frame, check verdict and output bytes (DR to be for XDP_TX, untouched otherwise). */
static void run_and_check(const struct xlb_fixture *fx, const struct pkt *p, uint32_t verdict,
			  uint32_t be)
{
	uint8_t out[PKT_MAX], want[PKT_MAX];
	uint32_t out_len = 0, retval = 0;
	int err;

	err = fx_run(fx, p->data, p->len, out, &out_len, &retval);
	if (err)
		fail_msg("bpf_prog_test_run_opts: %s", strerror(-err));
	if (retval != verdict)
		fail_msg("verdict: got %s (%u), want %s (%u)", verdict_name(retval), retval,
			 verdict_name(verdict), verdict);
	if (verdict == XDP_TX) {
		expect_dr(fx, be, p, want);
		check_frame("XDP_TX frame: only the MACs change", out, out_len, want, p->len);
	} else {
		check_frame("frame left byte-identical", out, out_len, p->data, p->len);
	}
}

/* ---------------------------------------------------------------------------------------------
 * The table of cases
 */

struct pkt_desc {
	uint16_t ethertype;    /* 0: IPv4 or IPv6 by family; else ETH_P_ARP or ETH_P_8021Q */
	uint8_t family;        /* 4 or 6 */
	const char *dst;       /* destination address; the source is CLIENT4 / CLIENT6 */
	uint8_t proto;         /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	uint16_t dport;
	uint16_t sport;        /* 0: CLIENT_PORT */
	uint8_t ip_opts;       /* IPv4 option bytes */
	bool df;               /* IPv4 Don't Fragment */
	bool mf;               /* IPv4 More Fragments */
	uint16_t frag_offset;  /* IPv4 fragment offset in bytes; non-zero: payload only, no L4 */
	uint8_t ext[6];        /* IPv6 extension headers before L4, n_ext of them, in order */
	uint8_t n_ext;
	uint16_t payload;      /* bytes after the L4 header */
	uint32_t trunc;        /* keep only the first trunc bytes of the frame; 0 = all */
	void (*tweak)(struct pkt *p); /* after the checksums: break something on purpose */
	const char *icmp_to;   /* quote the backend's reply to this flow in a frag-needed /
				* packet-too-big from a router to icmp_to (before tweak) */
};

struct pkt_case {
	const char *name;
	struct pkt_desc pkt;
	uint32_t verdict;
	uint32_t reason;       /* enum xlb_reason */
	uint32_t vip;          /* VIP whose counters move (and whose table picks), VIP_NONE if none */
	uint32_t backend;      /* XDP_TX to this backend; 0 = the one the VIP's table hashes to */
};

/* Extension header sizes vary so that the walk's (hdrlen + 1) * 8 arithmetic is exercised. */
static uint32_t ext_len(uint8_t type)
{
	switch (type) {
	case PKT_NEXTHDR_DEST:
		return 16;
	case PKT_NEXTHDR_ROUTING:
		return 24;
	default:
		return 8;
	}
}

/* Swap n bytes at a and b. */
static void swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
	uint8_t tmp[16];

	memcpy(tmp, a, n);
	memcpy(a, b, n);
	memcpy(b, tmp, n);
}

/*
 * Replace p by the ICMP error a router on the backend's way back sends to `to` about p's flow:
 * it quotes the reply (VIP -> client, addresses and ports the other way round).
 */
static void wrap_in_icmp_error(struct pkt *p, const char *to)
{
	uint8_t *ip = p->data + p->l3;
	struct pkt err;

	if (p->family == 6)
		swap_bytes(ip + offsetof(struct ipv6hdr, saddr), ip + offsetof(struct ipv6hdr, daddr), 16);
	else
		swap_bytes(ip + offsetof(struct iphdr, saddr), ip + offsetof(struct iphdr, daddr), 4);
	swap_bytes(p->data + p->l4, p->data + p->l4 + 2, 2);
	pkt_finish(p);

	pkt_pmtu_error(&err, iface_mac, router_mac, p->family,
		       p->family == 6 ? "2001:db8:c::fe" : "192.0.2.254", to, ip, p->len - p->l3);
	*p = err;
}

static void build_desc(const struct pkt_desc *d, struct pkt *p)
{
	uint16_t sport = d->sport ? d->sport : CLIENT_PORT;
	uint8_t i;

	pkt_init(p);
	if (d->ethertype == ETH_P_ARP) {
		pkt_eth(p, (const uint8_t[ETH_ALEN]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
			router_mac, ETH_P_ARP);
		pkt_arp_request(p, router_mac, CLIENT4, d->dst);
		goto finish;
	}
	if (d->ethertype == ETH_P_8021Q) {
		pkt_eth(p, iface_mac, router_mac, ETH_P_8021Q);
		pkt_vlan(p, 100, d->family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	} else {
		pkt_eth(p, iface_mac, router_mac, d->family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	}
	if (d->family == 6) {
		pkt_ipv6(p, CLIENT6, d->dst);
		for (i = 0; i < d->n_ext; i++)
			pkt_ipv6_ext(p, d->ext[i], ext_len(d->ext[i]));
	} else {
		pkt_iphdr *ip = pkt_ipv4(p, CLIENT4, d->dst);

		if (d->ip_opts)
			pkt_ipv4_opts(p, d->ip_opts);
		pkt_ipv4_frag(p, d->frag_offset, d->mf);
		if (d->df)
			ip->frag_off |= htons(PKT_IP_DF);
		if (d->frag_offset) {
			/* A later fragment carries only data; the header still names the protocol. */
			ip->protocol = d->proto;
			pkt_payload(p, d->payload ? d->payload : 64);
			goto finish;
		}
	}
	switch (d->proto) {
	case IPPROTO_TCP:
		pkt_tcp(p, sport, d->dport);
		break;
	case IPPROTO_UDP:
		pkt_udp(p, sport, d->dport);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		pkt_icmp_echo(p, 0x4242, 1);
		break;
	}
	if (d->payload)
		pkt_payload(p, d->payload);
finish:
	pkt_finish(p);
	if (d->icmp_to)
		wrap_in_icmp_error(p, d->icmp_to);
	if (d->tweak)
		d->tweak(p);
	if (d->trunc)
		pkt_truncate(p, d->trunc);
}

static void tweak_ihl_4(struct pkt *p)
{
	((pkt_iphdr *)(p->data + p->l3))->ihl = 4;
	pkt_ipv4_csum(p);
}

static void tweak_tot_len_short(struct pkt *p)
{
	/* 24 bytes of options make the header 44 bytes; claim a 40-byte datagram. */
	((pkt_iphdr *)(p->data + p->l3))->tot_len = htons(40);
	pkt_ipv4_csum(p);
}

/* Make the IP header claim a datagram of len bytes (its own header included), frame unchanged. */
static void set_ip_len(struct pkt *p, uint32_t len)
{
	uint16_t v;

	if (p->family == 6) {
		v = htons(len - sizeof(struct ipv6hdr));
		memcpy(p->data + p->l3 + offsetof(struct ipv6hdr, payload_len), &v, sizeof(v));
		return;
	}
	v = htons(len);
	memcpy(p->data + p->l3 + offsetof(struct iphdr, tot_len), &v, sizeof(v));
	pkt_ipv4_csum(p);
}

/* The IP length ends 8 (4) bytes into the L4 or ICMP header; the frame still holds the rest. */
static void tweak_ip_len_l4_plus_8(struct pkt *p)
{
	set_ip_len(p, p->l4 - p->l3 + 8);
}

static void tweak_ip_len_l4_plus_4(struct pkt *p)
{
	set_ip_len(p, p->l4 - p->l3 + 4);
}

static void tweak_ip_len_past_frame(struct pkt *p)
{
	set_ip_len(p, p->len - p->l3 + 8);
}

static void tweak_version_6_in_ipv4(struct pkt *p)
{
	((pkt_iphdr *)(p->data + p->l3))->version = 6;
	pkt_ipv4_csum(p);
}

static void tweak_version_4_in_ipv6(struct pkt *p)
{
	((pkt_ipv6hdr *)(p->data + p->l3))->version = 4;
}

/* Ethernet's minimum frame: 60 bytes before the FCS, zero padding after the IP datagram. */
static void tweak_pad_to_60(struct pkt *p)
{
	if (p->len < 60)
		pkt_put(p, 60 - p->len);
}

/* A frame for another host on the segment, as a promiscuous NIC hands it up. */
static void tweak_other_host(struct pkt *p)
{
	static const uint8_t other[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x03 };

	memcpy(p->data, other, ETH_ALEN);
}

#define ETH ETH_HLEN
#define IP4 ((uint32_t)sizeof(struct iphdr))
#define IP6 ((uint32_t)sizeof(struct ipv6hdr))
#define TCP ((uint32_t)sizeof(struct tcphdr))
#define UDP ((uint32_t)sizeof(struct udphdr))

#define V4_TCP(addr, port) .family = 4, .dst = (addr), .proto = IPPROTO_TCP, .dport = (port)
#define V4_UDP(addr, port) .family = 4, .dst = (addr), .proto = IPPROTO_UDP, .dport = (port)
#define V6_TCP(addr, port) .family = 6, .dst = (addr), .proto = IPPROTO_TCP, .dport = (port)
#define V6_UDP(addr, port) .family = 6, .dst = (addr), .proto = IPPROTO_UDP, .dport = (port)

static const struct pkt_case cases[] = {
	/* Balanced: the hashed backend of the right VIP, only the MACs rewritten. */
	{ "ipv4 tcp vip hit -> XDP_TX to hashed backend",
	  { V4_TCP(VIP4_A, 80) }, XDP_TX, XLB_R_FORWARDED, VIP_WEB4 },
	{ "ipv4 tcp vip hit, other client port -> XDP_TX to hashed backend",
	  { V4_TCP(VIP4_A, 80), .sport = 51515, .payload = 100 }, XDP_TX, XLB_R_FORWARDED,
	  VIP_WEB4 },
	{ "ipv4 udp vip hit -> XDP_TX to hashed backend",
	  { V4_UDP(VIP4_A, 53), .payload = 29 }, XDP_TX, XLB_R_FORWARDED, VIP_DNS4 },
	{ "ipv6 tcp vip hit -> XDP_TX to hashed backend",
	  { V6_TCP(VIP6_A, 443) }, XDP_TX, XLB_R_FORWARDED, VIP_WEB6 },
	{ "ipv6 udp vip hit -> XDP_TX to hashed backend",
	  { V6_UDP(VIP6_A, 53), .payload = 33 }, XDP_TX, XLB_R_FORWARDED, VIP_DNS6 },
	{ "ipv4 tcp with DF set is not a fragment -> XDP_TX",
	  { V4_TCP(VIP4_A, 80), .df = true }, XDP_TX, XLB_R_FORWARDED, VIP_WEB4 },
	{ "ipv4 udp padded to the 60-byte ethernet minimum -> XDP_TX, padding untouched",
	  { V4_UDP(VIP4_A, 53), .payload = 4, .tweak = tweak_pad_to_60 }, XDP_TX,
	  XLB_R_FORWARDED, VIP_DNS4 },
	{ "ipv4 with 12 bytes of options -> XDP_TX, bytes after L2 unchanged",
	  { V4_TCP(VIP4_A, 80), .ip_opts = 12, .payload = 10 }, XDP_TX, XLB_R_FORWARDED,
	  VIP_WEB4 },
	{ "ipv4 with 40 bytes of options (IHL 15) -> XDP_TX",
	  { V4_UDP(VIP4_A, 53), .ip_opts = 40, .payload = 8 }, XDP_TX, XLB_R_FORWARDED,
	  VIP_DNS4 },
	{ "ipv6 hop-by-hop + dest-opts before tcp -> XDP_TX",
	  { V6_TCP(VIP6_A, 443), .ext = { PKT_NEXTHDR_HOP, PKT_NEXTHDR_DEST }, .n_ext = 2 },
	  XDP_TX, XLB_R_FORWARDED, VIP_WEB6 },
	{ "ipv6 routing header before udp -> XDP_TX",
	  { V6_UDP(VIP6_A, 53), .ext = { PKT_NEXTHDR_ROUTING }, .n_ext = 1, .payload = 12 },
	  XDP_TX, XLB_R_FORWARDED, VIP_DNS6 },
	{ "ipv6 four extension headers (the walk's limit) before tcp -> XDP_TX",
	  { V6_TCP(VIP6_A, 443),
	    .ext = { PKT_NEXTHDR_HOP, PKT_NEXTHDR_DEST, PKT_NEXTHDR_ROUTING, PKT_NEXTHDR_DEST },
	    .n_ext = 4 },
	  XDP_TX, XLB_R_FORWARDED, VIP_WEB6 },

	/* VIP matching: port 0, exact port over port 0, protocol and port mismatches. */
	{ "port-0 vip matches tcp port 443 -> XDP_TX to its backend",
	  { V4_TCP(VIP4_B, 443) }, XDP_TX, XLB_R_FORWARDED, VIP_ANY4 },
	{ "port-0 vip matches tcp port 1 -> XDP_TX to its backend",
	  { V4_TCP(VIP4_B, 1) }, XDP_TX, XLB_R_FORWARDED, VIP_ANY4 },
	{ "exact-port vip wins over port-0 vip on the same address",
	  { V4_TCP(VIP4_B, 8080) }, XDP_TX, XLB_R_FORWARDED, VIP_ALT4 },
	{ "port-0 tcp vip does not match udp -> XDP_PASS not_vip",
	  { V4_UDP(VIP4_B, 443) }, XDP_PASS, XLB_R_PASS_NOT_VIP },
	{ "vip address on another port -> XDP_PASS not_vip",
	  { V4_TCP(VIP4_A, 81) }, XDP_PASS, XLB_R_PASS_NOT_VIP },
	{ "vip address and port with the other protocol (udp 80) -> XDP_PASS not_vip",
	  { V4_UDP(VIP4_A, 80) }, XDP_PASS, XLB_R_PASS_NOT_VIP },
	{ "ipv4 tcp vip traffic sent to another host's MAC -> XDP_PASS other_host",
	  { V4_TCP(VIP4_A, 80), .tweak = tweak_other_host }, XDP_PASS, XLB_R_PASS_OTHER_HOST },
	{ "ipv4 non-vip address -> XDP_PASS not_vip",
	  { V4_TCP(NOT_VIP4, 80) }, XDP_PASS, XLB_R_PASS_NOT_VIP },
	{ "ipv6 non-vip address -> XDP_PASS not_vip",
	  { V6_TCP(NOT_VIP6, 443) }, XDP_PASS, XLB_R_PASS_NOT_VIP },
	{ "tun vip while no tunnel source is configured -> XDP_DROP no_tun_src",
	  { V4_TCP(VIP4_TUN, 80) }, XDP_DROP, XLB_R_DROP_NO_TUN_SRC },

	/* Not IP, not TCP/UDP. */
	{ "arp request for a vip -> XDP_PASS not_ip",
	  { .ethertype = ETH_P_ARP, .dst = VIP4_A }, XDP_PASS, XLB_R_PASS_NOT_IP },
	{ "802.1Q-tagged ipv4 to a vip -> XDP_TX, the tag kept",
	  { .ethertype = ETH_P_8021Q, V4_TCP(VIP4_A, 80) }, XDP_TX, XLB_R_FORWARDED, VIP_WEB4 },
	{ "icmp echo to a vip -> XDP_PASS not_l4",
	  { .family = 4, .dst = VIP4_A, .proto = IPPROTO_ICMP, .payload = 56 }, XDP_PASS,
	  XLB_R_PASS_NOT_L4 },
	{ "icmpv6 echo to a vip -> XDP_PASS not_l4",
	  { .family = 6, .dst = VIP6_A, .proto = IPPROTO_ICMPV6, .payload = 56 }, XDP_PASS,
	  XLB_R_PASS_NOT_L4 },
	{ "ipv6 five extension headers (over the walk's limit) -> XDP_PASS ip_ext",
	  { V6_TCP(VIP6_A, 443),
	    .ext = { PKT_NEXTHDR_HOP, PKT_NEXTHDR_DEST, PKT_NEXTHDR_ROUTING, PKT_NEXTHDR_DEST,
		     PKT_NEXTHDR_DEST },
	    .n_ext = 5 },
	  XDP_PASS, XLB_R_PASS_IP_EXT },

	/* Fragments: a first one is balanced; a later one without its first goes to the kernel
	 * (frags is emptied before each case; test_packet_frag has them following). */
	{ "ipv4 first fragment (MF, offset 0) -> XDP_TX to hashed backend",
	  { V4_UDP(VIP4_A, 53), .mf = true, .payload = 64 }, XDP_TX, XLB_R_FORWARDED, VIP_DNS4 },
	{ "ipv4 middle fragment (MF, offset 1480), first unseen -> XDP_PASS frag_unknown",
	  { V4_UDP(VIP4_A, 53), .mf = true, .frag_offset = 1480 }, XDP_PASS,
	  XLB_R_PASS_FRAG_UNKNOWN },
	{ "ipv4 last fragment (offset 2960, no MF), first unseen -> XDP_PASS frag_unknown",
	  { V4_UDP(VIP4_A, 53), .frag_offset = 2960 }, XDP_PASS, XLB_R_PASS_FRAG_UNKNOWN },
	{ "ipv6 first fragment -> XDP_TX to hashed backend",
	  { V6_UDP(VIP6_A, 53), .ext = { PKT_NEXTHDR_FRAGMENT }, .n_ext = 1, .payload = 16 },
	  XDP_TX, XLB_R_FORWARDED, VIP_DNS6 },
	{ "ipv6 hop-by-hop then first fragment -> XDP_TX to hashed backend",
	  { V6_UDP(VIP6_A, 53), .ext = { PKT_NEXTHDR_HOP, PKT_NEXTHDR_FRAGMENT }, .n_ext = 2 },
	  XDP_TX, XLB_R_FORWARDED, VIP_DNS6 },

	/* Truncation at every header. */
	{ "ethernet header cut short (13 bytes) -> XDP_DROP truncated",
	  { V4_TCP(VIP4_A, 80), .trunc = ETH - 1 }, XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "ipv4 base header cut short -> XDP_DROP truncated",
	  { V4_TCP(VIP4_A, 80), .trunc = ETH + IP4 - 1 }, XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "ipv4 options cut short -> XDP_DROP truncated",
	  { V4_TCP(VIP4_A, 80), .ip_opts = 12, .trunc = ETH + IP4 + 4 }, XDP_DROP,
	  XLB_R_DROP_TRUNCATED },
	{ "tcp header after ipv4 cut short -> XDP_DROP truncated",
	  { V4_TCP(VIP4_A, 80), .trunc = ETH + IP4 + TCP - 1 }, XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "tcp header after ipv4 options cut short -> XDP_DROP truncated",
	  { V4_TCP(VIP4_A, 80), .ip_opts = 8, .trunc = ETH + IP4 + 8 + 4 }, XDP_DROP,
	  XLB_R_DROP_TRUNCATED },
	{ "udp header after ipv4 cut short -> XDP_DROP truncated",
	  { V4_UDP(VIP4_A, 53), .trunc = ETH + IP4 + UDP - 1 }, XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "ipv6 base header cut short -> XDP_DROP truncated",
	  { V6_TCP(VIP6_A, 443), .trunc = ETH + IP6 - 1 }, XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "ipv6 extension header cut short (1 byte of it) -> XDP_DROP truncated",
	  { V6_TCP(VIP6_A, 443), .ext = { PKT_NEXTHDR_HOP }, .n_ext = 1, .trunc = ETH + IP6 + 1 },
	  XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "ipv6 dest-opts header cut inside its body -> XDP_DROP truncated",
	  { V6_TCP(VIP6_A, 443), .ext = { PKT_NEXTHDR_DEST }, .n_ext = 1,
	    .trunc = ETH + IP6 + 8 },
	  XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "tcp header after ipv6 cut short -> XDP_DROP truncated",
	  { V6_TCP(VIP6_A, 443), .trunc = ETH + IP6 + TCP - 1 }, XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "tcp header after ipv6 hop-by-hop cut short -> XDP_DROP truncated",
	  { V6_TCP(VIP6_A, 443), .ext = { PKT_NEXTHDR_HOP }, .n_ext = 1,
	    .trunc = ETH + IP6 + 8 + TCP - 1 },
	  XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "udp header after ipv6 cut short -> XDP_DROP truncated",
	  { V6_UDP(VIP6_A, 53), .trunc = ETH + IP6 + UDP - 1 }, XDP_DROP, XLB_R_DROP_TRUNCATED },

	/* Malformed headers. */
	{ "ipv4 IHL 4 (< 5) -> XDP_DROP bad_header",
	  { V4_TCP(VIP4_A, 80), .tweak = tweak_ihl_4 }, XDP_DROP, XLB_R_DROP_BAD_HEADER },
	{ "ipv4 tot_len shorter than its header -> XDP_DROP bad_header",
	  { V4_TCP(VIP4_A, 80), .ip_opts = 24, .tweak = tweak_tot_len_short }, XDP_DROP,
	  XLB_R_DROP_BAD_HEADER },
	{ "version 6 under the ipv4 ethertype -> XDP_DROP bad_header",
	  { V4_TCP(VIP4_A, 80), .tweak = tweak_version_6_in_ipv4 }, XDP_DROP,
	  XLB_R_DROP_BAD_HEADER },
	{ "version 4 under the ipv6 ethertype -> XDP_DROP bad_header",
	  { V6_TCP(VIP6_A, 443), .tweak = tweak_version_4_in_ipv6 }, XDP_DROP,
	  XLB_R_DROP_BAD_HEADER },

	/* The IP length bounds the L4 header: bytes after it are padding, whatever they hold. */
	{ "ipv4 tot_len ends inside the tcp header, padding holds the rest -> XDP_DROP truncated",
	  { V4_TCP(VIP4_A, 80), .payload = 16, .tweak = tweak_ip_len_l4_plus_8 }, XDP_DROP,
	  XLB_R_DROP_TRUNCATED },
	{ "ipv4 tot_len ends inside the udp header -> XDP_DROP truncated",
	  { V4_UDP(VIP4_A, 53), .tweak = tweak_ip_len_l4_plus_4 }, XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "ipv4 with options, tot_len ends inside the tcp header -> XDP_DROP truncated",
	  { V4_TCP(VIP4_A, 80), .ip_opts = 12, .tweak = tweak_ip_len_l4_plus_8 }, XDP_DROP,
	  XLB_R_DROP_TRUNCATED },
	{ "ipv4 tot_len past the end of the frame -> XDP_DROP truncated",
	  { V4_TCP(VIP4_A, 80), .tweak = tweak_ip_len_past_frame }, XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "ipv6 payload_len ends inside the tcp header -> XDP_DROP truncated",
	  { V6_TCP(VIP6_A, 443), .payload = 16, .tweak = tweak_ip_len_l4_plus_8 }, XDP_DROP,
	  XLB_R_DROP_TRUNCATED },
	{ "ipv6 hop-by-hop, payload_len ends inside the udp header -> XDP_DROP truncated",
	  { V6_UDP(VIP6_A, 53), .ext = { PKT_NEXTHDR_HOP }, .n_ext = 1, .payload = 16,
	    .tweak = tweak_ip_len_l4_plus_4 }, XDP_DROP, XLB_R_DROP_TRUNCATED },
	{ "ipv6 payload_len past the end of the frame -> XDP_DROP truncated",
	  { V6_TCP(VIP6_A, 443), .tweak = tweak_ip_len_past_frame }, XDP_DROP,
	  XLB_R_DROP_TRUNCATED },

	/* ICMP errors: only one sent to the address its quote came from is about a VIP's flow. */
	{ "frag-needed quoting a vip flow, sent to a non-vip address -> XDP_PASS not_vip",
	  { V4_TCP(VIP4_A, 80), .icmp_to = NOT_VIP4 }, XDP_PASS, XLB_R_PASS_NOT_VIP },
	{ "frag-needed quoting a vip flow, sent to another vip -> XDP_PASS not_vip",
	  { V4_TCP(VIP4_A, 80), .icmp_to = VIP4_B }, XDP_PASS, XLB_R_PASS_NOT_VIP },
	{ "packet-too-big quoting a vip flow, sent to a non-vip address -> XDP_PASS not_vip",
	  { V6_TCP(VIP6_A, 443), .icmp_to = NOT_VIP6 }, XDP_PASS, XLB_R_PASS_NOT_VIP },
	{ "frag-needed whose tot_len ends before the quote -> XDP_PASS not_l4",
	  { V4_TCP(VIP4_A, 80), .icmp_to = VIP4_A, .tweak = tweak_ip_len_l4_plus_8 }, XDP_PASS,
	  XLB_R_PASS_NOT_L4 },
	{ "packet-too-big whose payload_len ends before the quote -> XDP_PASS not_l4",
	  { V6_TCP(VIP6_A, 443), .icmp_to = VIP6_A, .tweak = tweak_ip_len_l4_plus_8 },
	  XDP_PASS, XLB_R_PASS_NOT_L4 },

	/* No usable backend. */
	{ "vip with an empty table and no fallback -> XDP_DROP no_backend",
	  { V4_TCP(VIP4_EMPTY, 80) }, XDP_DROP, XLB_R_DROP_NO_BACKEND, VIP_EMPTY },
	{ "vip with no table in maglev_tables -> XDP_DROP no_backend",
	  { V4_TCP(VIP4_NOTABLE, 80) }, XDP_DROP, XLB_R_DROP_NO_BACKEND, VIP_NOTABLE },
	{ "table naming another vip's backend is not trusted -> XDP_DROP no_backend",
	  { V4_TCP(VIP4_FOREIGN, 80) }, XDP_DROP, XLB_R_DROP_NO_BACKEND, VIP_FOREIGN },
	{ "empty table with a fallback backend -> XDP_TX to the fallback",
	  { V4_TCP(VIP4_FALLBACK, 80) }, XDP_TX, XLB_R_FORWARDED, VIP_FALLBACK, 16 },
	{ "backend without a resolved MAC -> XDP_DROP no_mac",
	  { V4_TCP(VIP4_NOMAC, 80) }, XDP_DROP, XLB_R_DROP_NO_MAC, VIP_NOMAC },
};

struct test_ctx {
	struct xlb_fixture *fx;
	struct xlb_fixture own;   /* a scenario's private fixture */
	const struct pkt_case *c; /* table case, NULL for a scenario */
};

/*
 * The table cases share one loaded program: every maglev_tables update from userspace waits for an
 * RCU grace period (~15 ms here), so loading the standard config per case would dominate the run.
 * Cases only add flows, which each case's setup clears, and check counters as deltas.
 */
static struct xlb_fixture shared_fx;

static int std_fixture_open(struct xlb_fixture *fx)
{
	int err = fx_open(fx, iface_mac);

	if (!err)
		err = std_config(fx);
	if (err) {
		print_error("fixture: %s\n", strerror(-err));
		fx_close(fx);
	}
	return err;
}

static int cases_group_setup(void **state)
{
	(void)state;
	return std_fixture_open(&shared_fx) ? -1 : 0;
}

static int cases_group_teardown(void **state)
{
	(void)state;
	fx_close(&shared_fx);
	return 0;
}

static int case_setup(void **state)
{
	struct test_ctx *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->c = *state;
	t->fx = &shared_fx;
	if (fx_map_clear(t->fx->skel->maps.conns) || fx_map_clear(t->fx->skel->maps.frags)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int case_teardown(void **state)
{
	free(*state);
	return 0;
}

/* A scenario changes the configuration: it gets a program of its own. */
static int scenario_setup(void **state)
{
	struct test_ctx *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	if (std_fixture_open(&t->own)) {
		free(t);
		return -1;
	}
	t->fx = &t->own;
	*state = t;
	return 0;
}

static int scenario_teardown(void **state)
{
	struct test_ctx *t = *state;

	fx_close(&t->own);
	free(t);
	return 0;
}

static void test_case(void **state)
{
	struct test_ctx *t = *state;
	const struct pkt_case *c = t->c;
	struct xlb_fixture *fx = t->fx;
	struct xlb_counters vip0 = {}, vip1, be0 = {}, be1;
	struct reason_snap before;
	struct xlb_flow flow;
	struct xlb_conn conn;
	uint32_t be = 0;
	struct pkt p;

	build_desc(&c->pkt, &p);
	if (p.len < ETH_HLEN) {
		/*
		 * BPF_PROG_TEST_RUN refuses XDP frames shorter than ETH_HLEN with EINVAL (also
		 * behind XDP metadata), and drivers, bpf_xdp_adjust_head() and _tail() never make
		 * one either: the data path's Ethernet bounds check is only reachable by the
		 * verifier. Run it anyway so a kernel that starts accepting such frames gets the
		 * real check.
		 */
		uint8_t out[PKT_MAX];
		uint32_t out_len, retval;
		int err = fx_run(fx, p.data, p.len, out, &out_len, &retval);

		if (err == -EINVAL) {
			print_message("SKIP: kernel refuses a %u-byte XDP test frame (EINVAL): "
				      "data_size_in must be >= ETH_HLEN\n", p.len);
			skip();
		}
	}
	if (c->verdict == XDP_TX) {
		pkt_flow(&p, &flow);
		be = c->backend ? c->backend : fx_table_pick(fx, c->vip, &flow);
		if (be == XLB_NO_BACKEND || be >= XLB_MAX_BACKENDS)
			fail_msg("case broken: vip %u's table names no backend for this flow", c->vip);
		/* The prediction must be a backend of this VIP, or the case proves nothing. */
		check_u64("predicted backend's vip", fx->backends[be].vip_id, c->vip);
		assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, be, &be0), 0);
	}
	if (c->vip)
		assert_int_equal(fx_counters(fx, fx->skel->maps.vip_stats, c->vip, &vip0), 0);
	reason_snapshot(fx, &before);

	run_and_check(fx, &p, c->verdict, be);

	check_reason_moved(fx, &before, c->reason, p.len);
	if (c->vip) {
		/* A VIP counts every packet it decided on, dropped ones too; new flows only on TX. */
		assert_int_equal(fx_counters(fx, fx->skel->maps.vip_stats, c->vip, &vip1), 0);
		check_u64("vip_stats packets", vip1.packets - vip0.packets, 1);
		check_u64("vip_stats bytes", vip1.bytes - vip0.bytes, p.len);
		check_u64("vip_stats new_flows", vip1.new_flows - vip0.new_flows,
			  c->verdict == XDP_TX);
	}
	if (c->verdict == XDP_TX) {
		assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, be, &be1), 0);
		check_u64("backend_stats packets", be1.packets - be0.packets, 1);
		check_u64("backend_stats bytes", be1.bytes - be0.bytes, p.len);
		check_u64("backend_stats new_flows", be1.new_flows - be0.new_flows, 1);
		if (fx_conn(fx, &flow, &conn))
			fail_msg("conns has no entry for the balanced flow");
		check_u64("conns backend", conn.backend, be);
		check_u64("conns vip_id", conn.vip_id, c->vip);
	} else if (c->vip) {
		/* A flow that was not forwarded must not be pinned to anything. */
		pkt_flow(&p, &flow);
		check_u64("conns entry for a dropped flow", fx_conn(fx, &flow, &conn), -ENOENT);
	}
}

/* ---------------------------------------------------------------------------------------------
 * Scenarios
 */

static void build_tcp4(struct pkt *p, const char *dst, uint16_t sport, uint16_t dport)
{
	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, ETH_P_IP);
	pkt_ipv4(p, CLIENT4, dst);
	pkt_tcp(p, sport, dport);
	pkt_payload(p, 24);
	pkt_finish(p);
}

static void build_tcp6(struct pkt *p, const char *dst, uint16_t sport, uint16_t dport)
{
	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, ETH_P_IPV6);
	pkt_ipv6(p, CLIENT6, dst);
	pkt_tcp(p, sport, dport);
	pkt_payload(p, 24);
	pkt_finish(p);
}

/* The VIP's table shadow copied, so a test can ask what it used to say after a rebuild. */
static uint32_t *table_copy(const struct xlb_fixture *fx, uint32_t vip)
{
	uint32_t *copy = malloc(fx->table_size[vip] * sizeof(*copy));

	assert_non_null(copy);
	memcpy(copy, fx->tables[vip], fx->table_size[vip] * sizeof(*copy));
	return copy;
}

/* WEB4's members but one, for a rebuild without it. */
static size_t web4_members_without(uint32_t gone, uint32_t *ids)
{
	size_t n = 0;
	uint32_t id;

	for (id = 1; id <= 4; id++) {
		if (id != gone)
			ids[n++] = id;
	}
	return n;
}

/* A client port whose flow to VIP4_A:80 the given table sends to backend want. */
static uint16_t port_hashing_to(const struct xlb_fixture *fx, const uint32_t *table,
				uint32_t want)
{
	struct xlb_flow f;
	struct pkt p;
	uint32_t port;

	for (port = 1024; port < 65536; port++) {
		build_tcp4(&p, VIP4_A, port, 80);
		pkt_flow(&p, &f);
		if (table[xlb_flow_hash(&f) % fx->table_size[VIP_WEB4]] == want)
			return port;
	}
	fail_msg("no client port hashes to backend %u", want);
	return 0;
}

/*
 * Test that an established flow keeps its backend when the VIP's table is rebuilt without it
 * (the backend draining: still USED|LIVE) — gets XDP_TX to the old backend, while a new flow that
 * the old table sent there now goes where the new table says.
 */
static void test_established_flow_survives_rebuild(void **state)
{
	struct test_ctx *t = *state;
	struct xlb_fixture *fx = t->fx;
	uint32_t ids[4], *old_table, b, moved_be;
	struct xlb_flow f, g;
	struct xlb_conn conn;
	struct pkt p, q;
	size_t n;

	build_tcp4(&p, VIP4_A, CLIENT_PORT, 80);
	pkt_flow(&p, &f);
	b = fx_table_pick(fx, VIP_WEB4, &f);
	run_and_check(fx, &p, XDP_TX, b);

	old_table = table_copy(fx, VIP_WEB4);
	n = web4_members_without(b, ids);
	assert_int_equal(fx_table_build(fx, VIP_WEB4, ids, n, XLB_MAGLEV_DEFAULT_SIZE), 0);
	if (fx_table_pick(fx, VIP_WEB4, &f) == b)
		fail_msg("rebuilt table still names backend %u", b);
	check_u64("drained backend flags", fx->backends[b].flags, BE_OK);

	run_and_check(fx, &p, XDP_TX, b);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	check_u64("conns backend after rebuild", conn.backend, b);

	/* A flow the drained backend has never seen follows the new table. */
	build_tcp4(&q, VIP4_A, port_hashing_to(fx, old_table, b), 80);
	pkt_flow(&q, &g);
	moved_be = fx_table_pick(fx, VIP_WEB4, &g);
	assert_int_not_equal(moved_be, b);
	run_and_check(fx, &q, XDP_TX, moved_be);
	free(old_table);
}

/*
 * Test that a flow whose backend is removed (flags cleared, table rebuilt without it) — gets
 * rescheduled to the backend the new table names, counted as a new flow, and its conns entry
 * rewritten to that backend.
 */
static void test_flow_of_removed_backend_moves(void **state)
{
	struct test_ctx *t = *state;
	struct xlb_fixture *fx = t->fx;
	struct xlb_counters c0, c1;
	struct xlb_conn conn;
	struct xlb_flow f;
	uint32_t ids[4], b, b2;
	struct pkt p;
	size_t n;

	build_tcp4(&p, VIP4_A, CLIENT_PORT, 80);
	pkt_flow(&p, &f);
	b = fx_table_pick(fx, VIP_WEB4, &f);
	run_and_check(fx, &p, XDP_TX, b);

	assert_int_equal(fx_backend_flags(fx, b, 0), 0);
	n = web4_members_without(b, ids);
	assert_int_equal(fx_table_build(fx, VIP_WEB4, ids, n, XLB_MAGLEV_DEFAULT_SIZE), 0);
	b2 = fx_table_pick(fx, VIP_WEB4, &f);
	assert_int_not_equal(b2, b);

	assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, b2, &c0), 0);
	run_and_check(fx, &p, XDP_TX, b2);
	assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, b2, &c1), 0);
	check_u64("new backend's new_flows", c1.new_flows - c0.new_flows, 1);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	check_u64("conns backend after reschedule", conn.backend, b2);
	check_u64("conns vip_id after reschedule", conn.vip_id, VIP_WEB4);
}

/*
 * Test that a backend that stays configured but stops being LIVE (health check failed before the
 * table is rebuilt) — loses its established flow to the VIP's fallback backend.
 */
static void test_flow_of_dead_backend_takes_fallback(void **state)
{
	struct test_ctx *t = *state;
	struct xlb_fixture *fx = t->fx;
	struct xlb_vip vip = {
		.id = VIP_WEB4,
		.ring_size = XLB_MAGLEV_DEFAULT_SIZE,
		.fallback = 0,
	};
	struct xlb_conn conn;
	struct xlb_flow f;
	uint32_t b;
	struct pkt p;

	build_tcp4(&p, VIP4_A, CLIENT_PORT, 80);
	pkt_flow(&p, &f);
	b = fx_table_pick(fx, VIP_WEB4, &f);
	run_and_check(fx, &p, XDP_TX, b);

	/* The fallback is another WEB4 backend; the old one is configured but not live. */
	vip.fallback = b == 1 ? 2 : 1;
	assert_int_equal(fx_vip_set(fx, 4, VIP4_A, IPPROTO_TCP, 80, &vip), 0);
	assert_int_equal(fx_backend_flags(fx, b, XLB_BE_F_USED | XLB_BE_F_MAC), 0);
	run_and_check(fx, &p, XDP_TX, vip.fallback);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	check_u64("conns backend after failover", conn.backend, vip.fallback);
}

/*
 * Test that a conns entry naming a backend of another VIP (stale after a config change, or
 * synced from a peer with different ids) — is not trusted: the flow is rescheduled by its own
 * VIP's table and the entry corrected.
 */
static void test_conn_to_other_vips_backend_is_rescheduled(void **state)
{
	struct test_ctx *t = *state;
	struct xlb_fixture *fx = t->fx;
	struct xlb_conn conn = { .backend = 5, .vip_id = VIP_WEB4 };
	struct xlb_flow f;
	uint32_t b;
	struct pkt p;

	build_tcp4(&p, VIP4_A, CLIENT_PORT, 80);
	pkt_flow(&p, &f);
	b = fx_table_pick(fx, VIP_WEB4, &f);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx->skel->maps.conns), &f, &conn,
					     BPF_ANY), 0);
	run_and_check(fx, &p, XDP_TX, b);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	check_u64("conns backend", conn.backend, b);
}

static bool run_on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

/*
 * Test that the counters move — vip_stats, backend_stats and reason_stats each gain one packet
 * of the frame's length per packet, new_flows 1 for a flow's first packet and 0 for its second,
 * summed over CPUs (the two packets run on different CPUs when there are two).
 */
static void test_counters_first_and_second_packet(void **state)
{
	struct test_ctx *t = *state;
	struct xlb_fixture *fx = t->fx;
	struct xlb_counters v, be, r;
	cpu_set_t saved;
	struct xlb_flow f;
	bool pinned;
	uint32_t b;
	struct pkt p;

	assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);
	build_tcp4(&p, VIP4_A, CLIENT_PORT, 80);
	pkt_flow(&p, &f);
	b = fx_table_pick(fx, VIP_WEB4, &f);

	pinned = fx->ncpus > 1 && run_on_cpu(0);
	run_and_check(fx, &p, XDP_TX, b);
	assert_int_equal(fx_counters(fx, fx->skel->maps.vip_stats, VIP_WEB4, &v), 0);
	assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, b, &be), 0);
	check_u64("vip packets after 1st", v.packets, 1);
	check_u64("vip bytes after 1st", v.bytes, p.len);
	check_u64("vip new_flows after 1st", v.new_flows, 1);
	check_u64("backend packets after 1st", be.packets, 1);
	check_u64("backend bytes after 1st", be.bytes, p.len);
	check_u64("backend new_flows after 1st", be.new_flows, 1);

	if (pinned && !run_on_cpu(1))
		pinned = false;
	run_and_check(fx, &p, XDP_TX, b);
	sched_setaffinity(0, sizeof(saved), &saved);
	assert_int_equal(fx_counters(fx, fx->skel->maps.vip_stats, VIP_WEB4, &v), 0);
	assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, b, &be), 0);
	assert_int_equal(fx_counters(fx, fx->skel->maps.reason_stats, XLB_R_FORWARDED, &r), 0);
	check_u64("vip packets after 2nd", v.packets, 2);
	check_u64("vip bytes after 2nd", v.bytes, 2 * p.len);
	check_u64("vip new_flows after 2nd", v.new_flows, 1);
	check_u64("backend packets after 2nd", be.packets, 2);
	check_u64("backend bytes after 2nd", be.bytes, 2 * p.len);
	check_u64("backend new_flows after 2nd", be.new_flows, 1);
	check_u64("reason forwarded packets", r.packets, 2);
	check_u64("reason forwarded bytes", r.bytes, 2 * p.len);
	check_u64("reason forwarded new_flows (unused)", r.new_flows, 0);
	if (!pinned)
		print_message("note: both packets ran on one CPU (%d CPUs)\n", fx->ncpus);
}

static uint64_t coarse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void check_first_packet_conn(struct xlb_fixture *fx, const struct pkt *p, uint32_t vip)
{
	struct xlb_conn conn;
	struct xlb_flow f;
	uint64_t t0, t1;
	uint32_t b;

	pkt_flow(p, &f);
	b = fx_table_pick(fx, vip, &f);
	check_u64("conns entry before the first packet", fx_conn(fx, &f, &conn), -ENOENT);
	t0 = coarse_now();
	run_and_check(fx, p, XDP_TX, b);
	t1 = coarse_now();
	if (fx_conn(fx, &f, &conn))
		fail_msg("no conns entry under the flow key the hash is computed on");
	check_u64("conns backend", conn.backend, b);
	check_u64("conns vip_id", conn.vip_id, vip);
	if (conn.last_seen < t0 || conn.last_seen > t1)
		fail_msg("conns last_seen %" PRIu64 " outside [%" PRIu64 ", %" PRIu64 "]",
			 (uint64_t)conn.last_seen, t0, t1);
}

/* Test that the first packet of an ipv4 flow — leaves conns {backend, vip_id, last_seen = now}. */
static void test_conn_entry_after_first_packet_v4(void **state)
{
	struct test_ctx *t = *state;
	struct pkt p;

	build_tcp4(&p, VIP4_A, CLIENT_PORT, 80);
	check_first_packet_conn(t->fx, &p, VIP_WEB4);
}

/* Test that the first packet of an ipv6 flow — leaves conns {backend, vip_id, last_seen = now}. */
static void test_conn_entry_after_first_packet_v6(void **state)
{
	struct test_ctx *t = *state;
	struct pkt p;

	build_tcp6(&p, VIP6_A, CLIENT_PORT, 443);
	check_first_packet_conn(t->fx, &p, VIP_WEB6);
}

/*
 * Test that an established packet refreshes a conn's last_seen older than a second — and leaves
 * a recent one alone (the refresh is rate-limited to spare the cache line).
 */
static void test_conn_last_seen_refresh(void **state)
{
	struct test_ctx *t = *state;
	struct xlb_fixture *fx = t->fx;
	int conns = bpf_map__fd(fx->skel->maps.conns);
	struct xlb_conn conn, got;
	struct xlb_flow f;
	uint64_t t0, t1;
	struct pkt p;

	build_tcp4(&p, VIP4_A, CLIENT_PORT, 80);
	pkt_flow(&p, &f);
	conn.backend = fx_table_pick(fx, VIP_WEB4, &f);
	conn.vip_id = VIP_WEB4;

	conn.last_seen = coarse_now() - 5000000000ull;
	assert_int_equal(bpf_map_update_elem(conns, &f, &conn, BPF_ANY), 0);
	t0 = coarse_now();
	run_and_check(fx, &p, XDP_TX, conn.backend);
	t1 = coarse_now();
	assert_int_equal(fx_conn(fx, &f, &got), 0);
	if (got.last_seen < t0 || got.last_seen > t1)
		fail_msg("stale last_seen not refreshed: %" PRIu64 " outside [%" PRIu64
			 ", %" PRIu64 "]", (uint64_t)got.last_seen, t0, t1);

	conn.last_seen = coarse_now() - 1000000ull; /* 1 ms ago */
	assert_int_equal(bpf_map_update_elem(conns, &f, &conn, BPF_ANY), 0);
	run_and_check(fx, &p, XDP_TX, conn.backend);
	assert_int_equal(fx_conn(fx, &f, &got), 0);
	check_u64("recent last_seen left alone", got.last_seen, conn.last_seen);
}

/*
 * Test that many flows to one VIP — each reach the backend the hash predicts, and between them
 * reach every backend of the VIP (so the prediction is not trivially one backend).
 */
static void many_flows(struct xlb_fixture *fx, int family, uint32_t vip, uint32_t first_be,
		       uint32_t n_be)
{
	uint32_t hits[8] = {}, i, b;
	struct xlb_flow f;
	struct pkt p;

	for (i = 0; i < 256; i++) {
		if (family == 6)
			build_tcp6(&p, VIP6_A, 20000 + i * 7, 443);
		else
			build_tcp4(&p, VIP4_A, 20000 + i * 7, 80);
		pkt_flow(&p, &f);
		b = fx_table_pick(fx, vip, &f);
		assert_in_range(b, first_be, first_be + n_be - 1);
		run_and_check(fx, &p, XDP_TX, b);
		hits[b - first_be]++;
	}
	for (i = 0; i < n_be; i++) {
		if (!hits[i])
			fail_msg("backend %u got none of 256 flows", first_be + i);
	}
}

static void test_many_flows_v4(void **state)
{
	many_flows(((struct test_ctx *)*state)->fx, 4, VIP_WEB4, 1, 4);
}

static void test_many_flows_v6(void **state)
{
	many_flows(((struct test_ctx *)*state)->fx, 6, VIP_WEB6, 11, 3);
}

/*
 * Test that an ICMP error quoting a VIP flow (fragmentation needed / packet too big, sent to the
 * VIP because the backend answered from it) — goes to that flow's backend, as DESIGN.md's data
 * plane section asks, so path MTU discovery works through the dispatcher.
 */
static void icmp_error_for_flow(struct xlb_fixture *fx, int family)
{
	struct xlb_flow f;
	struct pkt p, inner, err;
	uint32_t b;
	struct reason_snap before;

	/* Establish client -> VIP first. */
	if (family == 6)
		build_tcp6(&p, VIP6_A, CLIENT_PORT, 443);
	else
		build_tcp4(&p, VIP4_A, CLIENT_PORT, 80);
	pkt_flow(&p, &f);
	b = fx_table_pick(fx, family == 6 ? VIP_WEB6 : VIP_WEB4, &f);
	run_and_check(fx, &p, XDP_TX, b);

	/* The backend's reply VIP -> client, too big for a router on the way back. */
	pkt_init(&inner);
	if (family == 6) {
		pkt_ipv6(&inner, VIP6_A, CLIENT6);
		pkt_tcp(&inner, 443, CLIENT_PORT);
	} else {
		pkt_ipv4(&inner, VIP4_A, CLIENT4);
		pkt_tcp(&inner, 80, CLIENT_PORT);
	}
	pkt_payload(&inner, 32);
	pkt_finish(&inner);

	pkt_pmtu_error(&err, iface_mac, router_mac, family,
		       family == 6 ? "2001:db8:c::fe" : "192.0.2.254", family == 6 ? VIP6_A : VIP4_A,
		       inner.data, inner.len);

	reason_snapshot(fx, &before);
	run_and_check(fx, &err, XDP_TX, b);
	check_reason_moved(fx, &before, XLB_R_FORWARDED, err.len);
}

/* An ICMPv4 frag-needed from a router to `to`, quoting a reply from `quoted_src`:80. */
static void build_frag_needed(struct pkt *err, const char *to, const char *quoted_src,
			      uint32_t keep)
{
	struct pkt inner;

	pkt_init(&inner);
	pkt_ipv4(&inner, quoted_src, CLIENT4);
	pkt_tcp(&inner, 80, CLIENT_PORT);
	pkt_payload(&inner, 32);
	pkt_finish(&inner);
	pkt_pmtu_error(err, iface_mac, router_mac, 4, "192.0.2.254", to, inner.data,
		       keep ? keep : inner.len);
}

/*
 * Test that ICMP errors the data path must not steer go to the kernel untouched: one quoting a
 * flow of an address that is no VIP (the host's own traffic) — XDP_PASS not_vip; one whose quote
 * stops inside the quoted IP header — XDP_PASS not_l4.
 */
static void test_icmp_errors_not_for_vip_flows_pass(void **state)
{
	struct xlb_fixture *fx = ((struct test_ctx *)*state)->fx;
	struct reason_snap before;
	struct pkt err;

	build_frag_needed(&err, NOT_VIP4, NOT_VIP4, 0);
	reason_snapshot(fx, &before);
	run_and_check(fx, &err, XDP_PASS, 0);
	check_reason_moved(fx, &before, XLB_R_PASS_NOT_VIP, err.len);

	build_frag_needed(&err, VIP4_A, VIP4_A, 12);
	reason_snapshot(fx, &before);
	run_and_check(fx, &err, XDP_PASS, 0);
	check_reason_moved(fx, &before, XLB_R_PASS_NOT_L4, err.len);
}

static void test_icmp_frag_needed_to_flow_backend(void **state)
{
	icmp_error_for_flow(((struct test_ctx *)*state)->fx, 4);
}

static void test_icmpv6_packet_too_big_to_flow_backend(void **state)
{
	icmp_error_for_flow(((struct test_ctx *)*state)->fx, 6);
}

/* Make p's TCP segment a connection-opening SYN (no ACK) and fix its checksum. */
static void make_syn(struct pkt *p)
{
	pkt_tcphdr *th = (pkt_tcphdr *)(p->data + p->l4);

	th->syn = 1;
	th->ack = 0;
	th->ack_seq = 0;
	pkt_finish(p);
}

/*
 * Test that a SYN reusing the 5-tuple of a finished connection — whose conns entry still names a
 * backend now taken out of the table (drained) — is scheduled afresh by the table, while a
 * non-SYN segment of that tuple keeps the old backend.
 */
static void test_syn_reusing_tuple_is_rescheduled(void **state)
{
	struct test_ctx *t = *state;
	uint32_t old, b, ids[4];
	struct xlb_flow f;
	struct pkt p;
	size_t n;

	build_tcp4(&p, VIP4_A, CLIENT_PORT + 9, 80);
	pkt_flow(&p, &f);
	old = fx_table_pick(t->fx, VIP_WEB4, &f);
	run_and_check(t->fx, &p, XDP_TX, old);

	/* Drain old: the rebuilt table leaves it out, its entry stays LIVE. */
	n = web4_members_without(old, ids);
	assert_int_equal(fx_table_build(t->fx, VIP_WEB4, ids, n, XLB_MAGLEV_DEFAULT_SIZE), 0);
	b = fx_table_pick(t->fx, VIP_WEB4, &f);
	assert_int_not_equal(b, old);

	run_and_check(t->fx, &p, XDP_TX, old);
	make_syn(&p);
	run_and_check(t->fx, &p, XDP_TX, b);
}

struct events_seen {
	struct xlb_flow_event last;
	uint64_t n;
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct events_seen *seen = ctx;

	if (len >= sizeof(seen->last))
		seen->last = *(struct xlb_flow_event *)data;
	seen->n++;
	return 0;
}

/*
 * Test that a new flow is reported on flow_events with its binding while sync_flows is set, that
 * an established packet is not, and that nothing is reported with sync_flows clear.
 */
static void test_flow_event_for_sync(void **state)
{
	struct test_ctx *t = *state;
	struct events_seen ev = {};
	struct ring_buffer *rb;
	struct xlb_flow f;
	struct pkt p;
	uint32_t b;

	rb = ring_buffer__new(bpf_map__fd(t->fx->skel->maps.flow_events), on_event, &ev, NULL);
	assert_non_null(rb);

	build_tcp4(&p, VIP4_A, CLIENT_PORT + 7, 80);
	pkt_flow(&p, &f);
	b = fx_table_pick(t->fx, VIP_WEB4, &f);
	t->fx->skel->bss->sync_flows = 0;
	run_and_check(t->fx, &p, XDP_TX, b);
	ring_buffer__consume(rb);
	check_u64("events with sync_flows clear", ev.n, 0);

	build_tcp4(&p, VIP4_A, CLIENT_PORT + 8, 80);
	pkt_flow(&p, &f);
	b = fx_table_pick(t->fx, VIP_WEB4, &f);
	t->fx->skel->bss->sync_flows = 1;
	run_and_check(t->fx, &p, XDP_TX, b);
	run_and_check(t->fx, &p, XDP_TX, b);
	ring_buffer__consume(rb);
	check_u64("events for one new flow and one established packet", ev.n, 1);
	check_u64("event backend", ev.last.backend, b);
	check_u64("event vip_id", ev.last.vip_id, VIP_WEB4);
	if (memcmp(&ev.last.flow, &f, sizeof(f)))
		fail_msg("event flow differs from the conns key");
	t->fx->skel->bss->sync_flows = 0;
	ring_buffer__free(rb);
}

static const struct CMUnitTest scenarios[] = {
	{ "established flow keeps its draining backend after the table is rebuilt without it",
	  test_established_flow_survives_rebuild },
	{ "flow of a removed backend is rescheduled by the new table and conns updated",
	  test_flow_of_removed_backend_moves },
	{ "flow of a configured but dead backend moves to the vip's fallback",
	  test_flow_of_dead_backend_takes_fallback },
	{ "conns entry naming another vip's backend is not trusted, flow rescheduled",
	  test_conn_to_other_vips_backend_is_rescheduled },
	{ "counters: packets, bytes = frame length, new_flows 1 then 0, summed over cpus",
	  test_counters_first_and_second_packet },
	{ "conns entry after the first ipv4 packet: backend, vip_id, last_seen",
	  test_conn_entry_after_first_packet_v4 },
	{ "conns entry after the first ipv6 packet: backend, vip_id, last_seen",
	  test_conn_entry_after_first_packet_v6 },
	{ "established packet refreshes a stale last_seen, leaves a recent one",
	  test_conn_last_seen_refresh },
	{ "syn reusing an old flow's tuple is scheduled afresh, not sent to its drained backend",
	  test_syn_reusing_tuple_is_rescheduled },
	{ "new flow reported on flow_events while sync_flows is set, and only then",
	  test_flow_event_for_sync },
	{ "256 ipv4 flows each reach the hashed backend, all backends used", test_many_flows_v4 },
	{ "256 ipv6 flows each reach the hashed backend, all backends used", test_many_flows_v6 },
	{ "icmp errors quoting a non-vip flow, or cut inside the quote -> XDP_PASS",
	  test_icmp_errors_not_for_vip_flows_pass },
	{ "icmp frag-needed quoting a vip flow -> XDP_TX to that flow's backend",
	  test_icmp_frag_needed_to_flow_backend },
	{ "icmpv6 packet-too-big quoting a vip flow -> XDP_TX to that flow's backend",
	  test_icmpv6_packet_too_big_to_flow_backend },
};

int main(void)
{
	size_t n_cases = ARRAY_SIZE(cases), i;
	struct CMUnitTest *tests, scen[ARRAY_SIZE(scenarios)];
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "test_packet: BPF_PROG_TEST_RUN needs root; skipped\n");
		return 77;
	}
	/* One cmocka test per table row, so each row is reported under its own name. */
	tests = calloc(n_cases, sizeof(*tests));
	if (!tests)
		return 1;
	for (i = 0; i < n_cases; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = test_case;
		tests[i].setup_func = case_setup;
		tests[i].teardown_func = case_teardown;
		tests[i].initial_state = (void *)&cases[i];
	}
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		scen[i] = scenarios[i];
		scen[i].setup_func = scenario_setup;
		scen[i].teardown_func = scenario_teardown;
	}
	failed = _cmocka_run_group_tests("packet cases", tests, n_cases, cases_group_setup,
					 cases_group_teardown);
	failed += _cmocka_run_group_tests("packet scenarios", scen, ARRAY_SIZE(scen), NULL, NULL);
	free(tests);
	return failed ? 1 : 0;
}
