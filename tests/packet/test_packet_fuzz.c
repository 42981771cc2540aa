// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet fuzzing: the real xlb_xdp program, BPF_PROG_TEST_RUN on many random and mutated frames.
 *
 * Test that whatever arrives — mutations of the frames the packet tests build (truncations, bit
 * flips, wrong IP and UDP lengths, IPv4 options, IPv6 extension chains, VLAN tags, ICMP errors
 * quoting flows, fragments) and purely random bytes — gets a verdict the design allows, and that:
 *   - the verdict is XDP_PASS, XDP_TX or XDP_DROP, and exactly one reason_stats index moved, by
 *     one packet of the frame's length, a reason that goes with that verdict;
 *   - a frame not sent on (PASS, DROP) leaves byte-identical, and one holding no VIP address at
 *     all is never forwarded nor blamed on a VIP (no_backend, no_mac, other_host);
 *   - a forwarded frame differs from its input only in the two MACs: the destination is a live
 *     backend with a MAC of the VIP an independent parse of the frame finds (L4 header inside
 *     the IP datagram, behind at most two VLAN tags, a first fragment too; an ICMP error
 *     addressed to the address its quote came from; a later fragment: a VIP of its address and
 *     protocol, the only ones a first fragment can have opened the way for), the source is
 *     iface_mac, and it was sent to iface_mac;
 *   - NAT (fuzz_nat.h; in a namespace of the fuzzer's own, for the FIB): a frame is rewritten
 *     only when it is a flow of a NAT VIP (to a backend of it) or a reply a nat_flows entry names
 *     (from that entry's VIP:port), and then exactly: translated address and port, one hop
 *     less, each checksum as far off as it came; a reply with an entry sent to iface_mac is
 *     translated unless its tag or TTL refuses it;
 *   - no per-CPU counter (reason, VIP, backend) goes backwards over a batch, and the reasons
 *     count every frame of the batch once.
 * Then a tun phase (fuzz_tun.h): tun VIPs reaching their backends through a FIB, in a network
 * namespace of its own, their frames encapsulated or answered too big, checked byte for byte.
 * Deterministic: the seed is printed and XLB_PKTFUZZ_SEED sets it, XLB_PKTFUZZ_FRAMES the count;
 * a failing frame is printed in hex with its mutation and index.
 */
#include <inttypes.h>
#include <net/if.h>
#include <time.h>

#include "fixture.h"
#include "fuzz_rng.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FUZZ_FRAMES_DEFAULT 120000
#define FUZZ_BATCH 1000
#define FUZZ_MAX_FAILS 10

static const uint8_t iface_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t router_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xfe };
static const uint8_t other_mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x03 };
static const uint8_t bcast_mac[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define CLIENT4 "192.0.2.1"
#define CLIENT6 "2001:db8:c::1"

/* The configuration fuzzed against: every kind of VIP the packet tests know. */
static const struct fuzz_vip {
	uint32_t id;
	int family;
	const char *addr;
	uint8_t proto;
	uint16_t port;  /* 0: every port */
	uint32_t ring;
	uint8_t fwd;
	bool no_table;
	uint32_t members[4];
	uint32_t fate;  /* reason of a frame of its flows sent to iface_mac */
	uint16_t bport; /* nat: its backend's port; 0 = the VIP's */
} vips[] = {
	{ 1, 4, "203.0.113.10", IPPROTO_TCP, 80, 251, .members = { 1, 2, 3 } },
	{ 2, 4, "203.0.113.10", IPPROTO_UDP, 53, 13, .members = { 4, 5 } },
	{ 3, 4, "203.0.113.20", IPPROTO_TCP, 0, 7, .members = { 6 } },
	{ 4, 6, "2001:db8:a::10", IPPROTO_TCP, 443, 13, .members = { 7, 8 } },
	{ 5, 6, "2001:db8:a::10", IPPROTO_UDP, 53, 7, .members = { 9 } },
	/* its only backend has no MAC */
	{ 6, 4, "203.0.113.30", IPPROTO_TCP, 80, 7, .members = { 10 }, .fate = XLB_R_DROP_NO_MAC },
	{ 7, 4, "203.0.113.31", IPPROTO_TCP, 80, 7, .no_table = true,
	  .fate = XLB_R_DROP_NO_BACKEND },
	/* the tunnel map stays empty: no FIB here to depend on */
	{ 8, 4, "203.0.113.35", IPPROTO_TCP, 80, 7, XLB_FWD_TUN, .members = { 11 },
	  .fate = XLB_R_DROP_NO_TUN_SRC },
	{ 9, 6, "2001:db8:a::20", IPPROTO_UDP, 0, 7, .members = { 12 } },
	/* nat, to backends the namespace has neighbours for (fuzz_nat.h) */
	{ 10, 4, "203.0.113.50", IPPROTO_TCP, 80, 7, XLB_FWD_NAT, .members = { 13 }, .bport = 8080 },
	{ 11, 6, "2001:db8:a::50", IPPROTO_UDP, 53, 7, XLB_FWD_NAT, .members = { 14 } },
};
#define FUZZ_BACKENDS 14
#define BE_OK (XLB_BE_F_USED | XLB_BE_F_LIVE | XLB_BE_F_MAC)

static const char *const non_vips4[] = { "203.0.113.99", "192.0.2.1", "198.51.100.1" };
static const char *const non_vips6[] = { "2001:db8:a::99", "2001:db8:c::1" };

/* ---------------------------------------------------------------------------------------------
 * The corpus: frames of the kinds tests/packet builds, over this file's VIPs and non-VIPs.
 */

#define CORPUS_MAX 512

static struct pkt corpus[CORPUS_MAX];
static size_t corpus_len;

static struct pkt *corpus_add(void)
{
	if (corpus_len == CORPUS_MAX)
		pkt_die("corpus full");
	pkt_init(&corpus[corpus_len]);
	return &corpus[corpus_len++];
}

struct frame_spec {
	int family;
	const char *dst;
	uint8_t proto;
	uint16_t sport, dport;
	bool vlan, syn;
	uint8_t ip_opts;       /* IPv4 option bytes, multiple of 4 */
	uint8_t ext[5], n_ext; /* IPv6 extension headers */
	uint16_t frag;         /* IPv4: offset in bytes | 1 for MF */
	uint16_t payload;
	bool pad60;
};

static const uint8_t ext_types[] = { PKT_NEXTHDR_HOP, PKT_NEXTHDR_ROUTING, PKT_NEXTHDR_DEST };

static void build_spec(struct pkt *p, const struct frame_spec *s)
{
	pkt_init(p);
	if (s->vlan) {
		pkt_eth(p, iface_mac, router_mac, ETH_P_8021Q);
		pkt_vlan(p, 100, s->family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	} else {
		pkt_eth(p, iface_mac, router_mac, s->family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	}
	if (s->family == 6) {
		uint8_t i;

		pkt_ipv6(p, CLIENT6, s->dst);
		for (i = 0; i < s->n_ext; i++)
			pkt_ipv6_ext(p, s->ext[i], s->ext[i] == PKT_NEXTHDR_ROUTING ? 24 : 8 * (1 + i % 2));
	} else {
		pkt_ipv4(p, CLIENT4, s->dst);
		if (s->ip_opts)
			pkt_ipv4_opts(p, s->ip_opts);
		if (s->frag)
			pkt_ipv4_frag(p, s->frag & ~1u, s->frag & 1);
	}
	if (s->proto == IPPROTO_TCP) {
		struct tcphdr th;

		pkt_tcp(p, s->sport, s->dport);
		if (s->syn) {
			memcpy(&th, p->data + p->l4, sizeof(th));
			th.syn = 1;
			th.ack = 0;
			memcpy(p->data + p->l4, &th, sizeof(th));
		}
	} else if (s->proto == IPPROTO_UDP) {
		pkt_udp(p, s->sport, s->dport);
	} else {
		pkt_icmp_echo(p, 0x4242, 1);
	}
	if (s->payload)
		pkt_payload(p, s->payload);
	pkt_finish(p);
	if (s->pad60 && p->len < 60)
		pkt_put(p, 60 - p->len);
}

/* An ICMP frag-needed (v4) or packet-too-big (v6) to `to`, quoting quoted's IP datagram. */
static void build_icmp_error(struct pkt *p, const struct pkt *quoted, const char *to,
			     uint32_t keep)
{
	uint32_t qlen = quoted->len - quoted->l3, room = PKT_MAX - ETH_HLEN - 40 - 8;

	if (keep && keep < qlen)
		qlen = keep;
	if (qlen > room)
		qlen = room;
	pkt_pmtu_error(p, iface_mac, router_mac, quoted->family,
		       quoted->family == 6 ? "2001:db8:c::fe" : "192.0.2.254", to,
		       quoted->data + quoted->l3, qlen);
}

/* The reply a backend sends for vip v from its address and port to the client. */
static void build_reply(struct pkt *p, const struct fuzz_vip *v, uint16_t client_port)
{
	struct frame_spec s = { .family = v->family, .dst = v->addr, .proto = v->proto,
				.sport = v->port ? v->port : 8443, .dport = client_port };

	build_spec(p, &s);
	/* The reply goes VIP -> client: swap the addresses the builder wrote. */
	if (v->family == 6) {
		struct ipv6hdr ip6;

		memcpy(&ip6, p->data + p->l3, sizeof(ip6));
		pkt_addr(6, v->addr, &ip6.saddr);
		pkt_addr(6, CLIENT6, &ip6.daddr);
		memcpy(p->data + p->l3, &ip6, sizeof(ip6));
	} else {
		struct iphdr ip;

		memcpy(&ip, p->data + p->l3, sizeof(ip));
		pkt_addr(4, v->addr, &ip.saddr);
		pkt_addr(4, CLIENT4, &ip.daddr);
		memcpy(p->data + p->l3, &ip, sizeof(ip));
	}
	pkt_finish(p);
}

static void corpus_build(void)
{
	size_t i;
	int k;

	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		const struct fuzz_vip *v = &vips[i];
		uint16_t port = v->port ? v->port : 4242;
		uint8_t proto = v->proto;
		struct frame_spec base = { .family = v->family, .dst = v->addr, .proto = proto,
					   .sport = 40001, .dport = port };
		struct frame_spec s;
		struct pkt reply;

		build_spec(corpus_add(), &base);
		s = base, s.syn = true, s.payload = 16;
		build_spec(corpus_add(), &s);
		s = base, s.payload = 100;
		build_spec(corpus_add(), &s);
		s = base, s.pad60 = true;
		build_spec(corpus_add(), &s);
		s = base, s.vlan = true;
		build_spec(corpus_add(), &s);
		s = base, s.dport = port + 1;
		build_spec(corpus_add(), &s);
		s = base, s.proto = proto == IPPROTO_TCP ? IPPROTO_UDP : IPPROTO_TCP;
		build_spec(corpus_add(), &s);
		s = base, s.proto = v->family == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		build_spec(corpus_add(), &s);
		if (v->family == 4) {
			for (k = 4; k <= 40; k += 12) {
				s = base, s.ip_opts = k;
				build_spec(corpus_add(), &s);
			}
			s = base, s.frag = 1, s.payload = 32;
			build_spec(corpus_add(), &s);
		} else {
			for (k = 1; k <= 5; k++) {
				int j;

				s = base, s.n_ext = k;
				for (j = 0; j < k; j++)
					s.ext[j] = ext_types[(j + k) % ARRAY_SIZE(ext_types)];
				build_spec(corpus_add(), &s);
			}
			s = base, s.n_ext = 1, s.ext[0] = PKT_NEXTHDR_FRAGMENT;
			build_spec(corpus_add(), &s);
		}
		/* ICMP errors quoting this VIP's reply: to the VIP, and to an address that is not. */
		build_reply(&reply, v, 40001);
		build_icmp_error(corpus_add(), &reply, v->addr, 0);
		build_icmp_error(corpus_add(), &reply, v->addr, 28 + (v->family == 6 ? 20 : 0));
		build_icmp_error(corpus_add(), &reply,
				 v->family == 6 ? non_vips6[0] : non_vips4[0], 0);
	}
	for (i = 0; i < ARRAY_SIZE(non_vips4); i++) {
		struct frame_spec s = { .family = 4, .dst = non_vips4[i], .proto = IPPROTO_TCP,
					.sport = 40001, .dport = 80 };

		build_spec(corpus_add(), &s);
		s.proto = IPPROTO_UDP;
		build_spec(corpus_add(), &s);
	}
	for (i = 0; i < ARRAY_SIZE(non_vips6); i++) {
		struct frame_spec s = { .family = 6, .dst = non_vips6[i], .proto = IPPROTO_TCP,
					.sport = 40001, .dport = 443 };

		build_spec(corpus_add(), &s);
	}
	{
		struct pkt *p = corpus_add();

		pkt_eth(p, bcast_mac, router_mac, ETH_P_ARP);
		pkt_arp_request(p, router_mac, CLIENT4, "203.0.113.10");
	}
}

/* ---------------------------------------------------------------------------------------------
 * Mutations. Each takes a copy of a corpus frame (offsets valid) and changes it.
 */

enum mutation {
	M_AS_IS,
	M_TRUNCATE,
	M_BIT_FLIP,
	M_BYTES,
	M_IP_LEN,
	M_L4_LEN,
	M_IPV4_OPTS,
	M_IPV6_EXT,
	M_VLAN,
	M_ICMP_ERROR,
	M_FRAGMENT,
	M_DST_MAC,
	M_HAVOC,
	M_RANDOM,
	M_RANDOM_IP,
	M_MAX,
};

static const char *const mutation_names[M_MAX] = {
	[M_AS_IS] = "as_is",           [M_TRUNCATE] = "truncate",   [M_BIT_FLIP] = "bit_flip",
	[M_BYTES] = "bytes",           [M_IP_LEN] = "ip_len",       [M_L4_LEN] = "l4_len",
	[M_IPV4_OPTS] = "ipv4_opts",   [M_IPV6_EXT] = "ipv6_ext",   [M_VLAN] = "vlan",
	[M_ICMP_ERROR] = "icmp_error", [M_FRAGMENT] = "fragment",   [M_DST_MAC] = "dst_mac",
	[M_HAVOC] = "havoc",           [M_RANDOM] = "random",       [M_RANDOM_IP] = "random_ip",
};

/* A length near the interesting edges: 0, the header, the frame, one off each, or anything. */
static uint16_t edge_len(uint32_t hdr, uint32_t frame)
{
	static const int deltas[] = { -8, -4, -1, 0, 1, 4, 8 };
	int d = deltas[rnd_below(ARRAY_SIZE(deltas))];

	switch (rnd_below(4)) {
	case 0:
		return (uint16_t)(hdr + d);
	case 1:
		return (uint16_t)(frame + d);
	case 2:
		return (uint16_t)rnd_below(hdr + 9);
	default:
		return (uint16_t)rnd();
	}
}

static void mut_bytes(struct pkt *p)
{
	static const uint8_t interesting[] = { 0, 1, 4, 5, 6, 17, 43, 44, 58, 59, 60, 0x7f, 0x80,
					       0xff };
	uint32_t n = 1 + rnd_below(4), i;

	for (i = 0; i < n; i++)
		p->data[rnd_below(p->len)] = rnd_chance(2) ?
			interesting[rnd_below(ARRAY_SIZE(interesting))] : (uint8_t)rnd();
}

static void mut_ip_len(struct pkt *p)
{
	uint32_t frame = p->len - p->l3;

	if (p->l3 < 0)
		return mut_bytes(p);
	if (p->family == 4)
		put16(p->data + p->l3 + 2, edge_len(p->l3_hlen, frame));
	else
		put16(p->data + p->l3 + 4, edge_len(0, frame - sizeof(struct ipv6hdr)));
	/* Now and then the frame is cut to what the header claims, or padded past it. */
	if (rnd_chance(4))
		mut_truncate(p);
}

static void mut_l4_len(struct pkt *p)
{
	if (p->l4 < 0 || (uint32_t)p->l4 + 8 > p->len)
		return mut_ip_len(p);
	if (p->proto == IPPROTO_UDP)
		put16(p->data + p->l4 + 4, edge_len(8, p->len - p->l4));
	else if (p->proto == IPPROTO_TCP && (uint32_t)p->l4 + 13 <= p->len)
		p->data[p->l4 + 12] = (uint8_t)(rnd_below(16) << 4);
	else
		mut_ip_len(p);
}

/* Fresh IPv4 frames to a VIP with options of any size, IHL then and again made wrong. */
static void mut_ipv4_opts(struct pkt *p)
{
	const struct fuzz_vip *v;
	struct frame_spec s;

	do
		v = &vips[rnd_below(ARRAY_SIZE(vips))];
	while (v->family != 4);
	s = (struct frame_spec){ .family = 4, .dst = v->addr, .proto = v->proto,
				 .sport = (uint16_t)rnd(), .dport = v->port ? v->port : (uint16_t)rnd(),
				 .ip_opts = 4 * rnd_below(11), .payload = rnd_below(64) };
	build_spec(p, &s);
	if (s.ip_opts && rnd_chance(2)) {
		/* Option bytes of any kind, lengths wrong included: the data path must skip, not read. */
		uint32_t i;

		for (i = 20; i < (uint32_t)p->l3_hlen; i++)
			p->data[p->l3 + i] = (uint8_t)rnd();
	}
	if (rnd_chance(3))
		p->data[p->l3] = 0x40 | rnd_below(16);
}

/* Fresh IPv6 frames with a random chain: known and unknown headers, any hdrlen, any length. */
static void mut_ipv6_ext(struct pkt *p)
{
	static const uint8_t types[] = { PKT_NEXTHDR_HOP, PKT_NEXTHDR_ROUTING, PKT_NEXTHDR_DEST,
					 PKT_NEXTHDR_FRAGMENT, PKT_NEXTHDR_NONE, 50, 51, 135 };
	const struct fuzz_vip *v;
	uint32_t n = rnd_below(7), i;

	do
		v = &vips[rnd_below(ARRAY_SIZE(vips))];
	while (v->family != 6);
	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, ETH_P_IPV6);
	pkt_ipv6(p, CLIENT6, v->addr);
	for (i = 0; i < n; i++) {
		uint8_t t = rnd_chance(3) ? types[rnd_below(ARRAY_SIZE(types))] :
					    ext_types[rnd_below(ARRAY_SIZE(ext_types))];

		pkt_ipv6_ext(p, t, 8 * (1 + rnd_below(4)));
	}
	if (v->proto == IPPROTO_TCP)
		pkt_tcp(p, (uint16_t)rnd(), v->port ? v->port : (uint16_t)rnd());
	else
		pkt_udp(p, (uint16_t)rnd(), v->port ? v->port : (uint16_t)rnd());
	pkt_payload(p, rnd_below(48));
	pkt_finish(p);
	/* A hdrlen that points anywhere: the walk must stay bounded by the frame. */
	if (n && rnd_chance(3))
		p->data[p->l3 + sizeof(struct ipv6hdr) + 1] = (uint8_t)rnd();
}

/* One or two 802.1Q / 802.1ad tags pushed after the MACs. */
static void mut_vlan(struct pkt *p)
{
	uint32_t tags = 1 + rnd_below(2), t;

	if (p->len + 4 * tags > PKT_MAX)
		return mut_bytes(p);
	for (t = 0; t < tags; t++) {
		memmove(p->data + 16, p->data + 12, p->len - 12);
		put16(p->data + 12, rnd_chance(2) ? ETH_P_8021Q : ETH_P_8021AD);
		put16(p->data + 14, (uint16_t)rnd_below(4096));
		p->len += 4;
	}
}

/* An ICMP error quoting a corpus frame's datagram, to the VIP, a non-VIP or its quoted source. */
static void mut_icmp_error(struct pkt *p)
{
	const struct fuzz_vip *v = &vips[rnd_below(ARRAY_SIZE(vips))];
	const char *to;
	struct pkt reply;

	build_reply(&reply, v, (uint16_t)(40000 + rnd_below(8)));
	switch (rnd_below(4)) {
	case 0:
		to = v->family == 6 ? non_vips6[rnd_below(ARRAY_SIZE(non_vips6))] :
				      non_vips4[rnd_below(ARRAY_SIZE(non_vips4))];
		break;
	case 1:
		to = vips[rnd_below(ARRAY_SIZE(vips))].addr;
		if (strchr(to, ':') ? v->family != 6 : v->family != 4)
			to = v->addr;
		break;
	default:
		to = v->addr;
		break;
	}
	build_icmp_error(p, &reply, to, rnd_chance(3) ? rnd_below(60) : 0);
	if (rnd_chance(3))
		mut_bytes(p);
}

static void mut_fragment(struct pkt *p)
{
	if (p->family == 4 && p->l3 >= 0) {
		put16(p->data + p->l3 + 6, (uint16_t)(rnd_below(4) << 13 | rnd_below(4) * rnd_below(0x2000)));
		pkt_ipv4_csum(p);
	} else if (p->family == 6 && p->l3 >= 0 && p->len + 8 <= PKT_MAX) {
		/* A fragment header right after the fixed header. */
		uint8_t *h = p->data + p->l3 + sizeof(struct ipv6hdr);

		memmove(h + 8, h, p->len - (p->l3 + sizeof(struct ipv6hdr)));
		h[0] = p->data[p->l3 + 6];
		h[1] = 0;
		put16(h + 2, (uint16_t)rnd());
		memset(h + 4, 0xab, 4);
		p->data[p->l3 + 6] = PKT_NEXTHDR_FRAGMENT;
		p->len += 8;
		put16(p->data + p->l3 + 4, get16(p->data + p->l3 + 4) + 8);
	} else {
		mut_bytes(p);
	}
}

static void mut_dst_mac(struct pkt *p)
{
	const uint8_t *macs[] = { other_mac, bcast_mac, router_mac };

	memcpy(p->data, macs[rnd_below(ARRAY_SIZE(macs))], ETH_ALEN);
}

static void mut_random(struct pkt *p, bool ip)
{
	uint32_t i;

	pkt_init(p);
	p->len = ETH_HLEN + rnd_below(PKT_MAX - ETH_HLEN + 1);
	for (i = 0; i < p->len; i++)
		p->data[i] = (uint8_t)rnd();
	if (!ip)
		return;
	memcpy(p->data, iface_mac, ETH_ALEN);
	if (rnd_chance(2)) {
		put16(p->data + 12, ETH_P_IP);
		if (p->len > ETH_HLEN)
			p->data[ETH_HLEN] = 0x40 | (p->data[ETH_HLEN] & 0x0f);
	} else {
		put16(p->data + 12, ETH_P_IPV6);
		if (p->len > ETH_HLEN)
			p->data[ETH_HLEN] = 0x60 | (p->data[ETH_HLEN] & 0x0f);
	}
}

static void mutate(struct pkt *p, enum mutation m)
{
	uint32_t n, i;

	*p = corpus[rnd_below(corpus_len)];
	switch (m) {
	case M_AS_IS:
		break;
	case M_TRUNCATE:
		mut_truncate(p);
		break;
	case M_BIT_FLIP:
		mut_bit_flip(p);
		break;
	case M_BYTES:
		mut_bytes(p);
		break;
	case M_IP_LEN:
		mut_ip_len(p);
		break;
	case M_L4_LEN:
		mut_l4_len(p);
		break;
	case M_IPV4_OPTS:
	case M_IPV6_EXT:
		if (m == M_IPV4_OPTS)
			mut_ipv4_opts(p);
		else
			mut_ipv6_ext(p);
		/* Now and then a length that disagrees with the headers built. */
		if (rnd_chance(3))
			mut_ip_len(p);
		break;
	case M_VLAN:
		mut_vlan(p);
		break;
	case M_ICMP_ERROR:
		mut_icmp_error(p);
		break;
	case M_FRAGMENT:
		mut_fragment(p);
		break;
	case M_DST_MAC:
		mut_dst_mac(p);
		break;
	case M_HAVOC:
		n = 2 + rnd_below(4);
		for (i = 0; i < n; i++) {
			static const enum mutation stack[] = { M_TRUNCATE, M_BIT_FLIP, M_BYTES,
							       M_IP_LEN, M_L4_LEN, M_FRAGMENT };
			enum mutation s = stack[rnd_below(ARRAY_SIZE(stack))];

			if (s == M_TRUNCATE)
				mut_truncate(p);
			else if (s == M_BIT_FLIP)
				mut_bit_flip(p);
			else if (s == M_BYTES)
				mut_bytes(p);
			else if (s == M_IP_LEN)
				mut_ip_len(p);
			else if (s == M_L4_LEN)
				mut_l4_len(p);
			else
				mut_fragment(p);
		}
		break;
	case M_RANDOM:
	case M_RANDOM_IP:
		mut_random(p, m == M_RANDOM_IP);
		break;
	case M_MAX:
		break;
	}
	if (p->len < ETH_HLEN)
		p->len = ETH_HLEN;
}

/* ---------------------------------------------------------------------------------------------
 * The reference: an independent reading of a frame, the flow a VIP could claim, if any.
 */

static const struct fuzz_vip *vip_find(const struct xlb_flow *f)
{
	const struct fuzz_vip *any = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		const struct fuzz_vip *v = &vips[i];
		uint8_t addr[16] = {};

		if (v->proto != f->proto || (v->family == 6) != (f->family == XLB_FAMILY_V6))
			continue;
		pkt_addr(v->family, v->addr, addr);
		if (memcmp(addr, f->dst, 16))
			continue;
		if (v->port == ntohs(f->dport))
			return v;
		if (!v->port)
			any = v;
	}
	return any;
}

/* Whether a DR or NAT VIP (id vip_id, or any when 0) serves f's address and protocol, whatever port. */
static bool vip_of_addr(const struct xlb_flow *f, uint32_t vip_id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		const struct fuzz_vip *v = &vips[i];
		uint8_t addr[16] = {};

		if (v->proto != f->proto || (v->family == 6) != (f->family == XLB_FAMILY_V6) ||
		    (vip_id && v->id != vip_id) || (v->fwd != XLB_FWD_DR && v->fwd != XLB_FWD_NAT))
			continue;
		pkt_addr(v->family, v->addr, addr);
		if (!memcmp(addr, f->dst, 16))
			return true;
	}
	return false;
}

/* Quoted ports at q (room bytes of datagram left) of a reply VIP -> client: the flow reversed. */
static bool ref_quoted_ports(const uint8_t *q, int32_t room, uint8_t proto, struct xlb_flow *f)
{
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || room < 4)
		return false;
	memcpy(&f->sport, q + 2, 2);
	memcpy(&f->dport, q, 2);
	f->proto = proto;
	return true;
}

/* Set by ref_flow: the flow it found is an ICMP error's quote, reversed. */
static bool ref_icmp;

enum ref_kind {
	REF_NONE,  /* no VIP may claim the frame */
	REF_FLOW,  /* f is the flow, ports included */
	REF_FIRST, /* the same, the first fragment of datagram *frag_id */
	REF_LATER, /* a later fragment of TCP/UDP datagram *frag_id: f has addresses, proto, no ports */
};

/*
 * The flow the design lets a VIP claim from this frame, behind at most two VLAN tags: a TCP/UDP
 * datagram or first fragment whose L4 header lies inside both frame and IP length, or a
 * frag-needed / packet-too-big addressed to the address its quote was sent from, quoting such a
 * reply within the datagram; or a later fragment, which may only follow a first one.
 */
static enum ref_kind ref_flow(const struct pkt *p, struct xlb_flow *f, uint32_t *frag_id)
{
	enum ref_kind kind = REF_FLOW;
	uint32_t l2 = ETH_HLEN;
	uint16_t ethertype = get16(p->data + 12);
	const uint8_t *l3;
	int32_t avail;
	int tags;

	for (tags = 0; tags < 2 && (ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD); tags++) {
		if (p->len < l2 + 4)
			return REF_NONE;
		ethertype = get16(p->data + l2 + 2);
		l2 += 4;
	}
	l3 = p->data + l2;
	avail = (int32_t)p->len - (int32_t)l2;
	memset(f, 0, sizeof(*f));
	ref_icmp = false;
	if (ethertype == ETH_P_IP) {
		uint32_t ihl, tot;

		if (avail < 20 || l3[0] >> 4 != 4 || (l3[0] & 0xf) < 5)
			return REF_NONE;
		ihl = (l3[0] & 0xf) * 4;
		tot = get16(l3 + 2);
		if (tot < ihl || (int32_t)tot > avail)
			return REF_NONE;
		f->family = XLB_FAMILY_V4;
		if (get16(l3 + 6) & 0x3fff) {
			if (l3[9] != IPPROTO_TCP && l3[9] != IPPROTO_UDP)
				return REF_NONE;
			*frag_id = get16(l3 + 4);
			kind = REF_FIRST;
			if (get16(l3 + 6) & 0x1fff) {
				memcpy(&f->src[0], l3 + 12, 4);
				memcpy(&f->dst[0], l3 + 16, 4);
				f->proto = l3[9];
				return REF_LATER;
			}
		}
		if (l3[9] == IPPROTO_ICMP) {
			const uint8_t *in = l3 + ihl + 8;
			uint32_t in_ihl;

			if (tot < ihl + 8 + 20 || l3[ihl] != 3 || l3[ihl + 1] != 4)
				return REF_NONE;
			in_ihl = (in[0] & 0xf) * 4;
			if (in[0] >> 4 != 4 || in_ihl < 20 || get16(in + 6) & 0x1fff)
				return REF_NONE;
			/* Sent to the reply's source: the address the quote came from. */
			if (memcmp(l3 + 16, in + 12, 4))
				return REF_NONE;
			memcpy(&f->src[0], in + 16, 4);
			memcpy(&f->dst[0], in + 12, 4);
			ref_icmp = true;
			return ref_quoted_ports(in + in_ihl, (int32_t)tot - ihl - 8 - in_ihl, in[9], f) ? REF_FLOW : REF_NONE;
		}
		if (l3[9] != IPPROTO_TCP && l3[9] != IPPROTO_UDP)
			return REF_NONE;
		if (tot < ihl + (l3[9] == IPPROTO_TCP ? 20 : 8))
			return REF_NONE;
		memcpy(&f->src[0], l3 + 12, 4);
		memcpy(&f->dst[0], l3 + 16, 4);
		memcpy(&f->sport, l3 + ihl, 2);
		memcpy(&f->dport, l3 + ihl + 2, 2);
		f->proto = l3[9];
		return kind;
	}
	if (ethertype == ETH_P_IPV6) {
		uint32_t plen, off = 40;
		uint8_t next;
		int i;

		if (avail < 40 || l3[0] >> 4 != 6)
			return REF_NONE;
		plen = get16(l3 + 4);
		if ((int32_t)(40 + plen) > avail)
			return REF_NONE;
		f->family = XLB_FAMILY_V6;
		/* At most 4 extension headers, as the design bounds the walk; an error after them
		 * is not looked into either. */
		next = l3[6];
		for (i = 0; i < 4; i++) {
			if (next == IPPROTO_TCP || next == IPPROTO_UDP || next == IPPROTO_ICMPV6)
				break;
			if (next != PKT_NEXTHDR_HOP && next != PKT_NEXTHDR_ROUTING &&
			    next != PKT_NEXTHDR_DEST && next != PKT_NEXTHDR_FRAGMENT && next != 51)
				return REF_NONE;
			if (off + 8 > 40 + plen)
				return REF_NONE;
			if (next == PKT_NEXTHDR_FRAGMENT && get16(l3 + off + 2) & 0xfff8) {
				if (l3[off] != IPPROTO_TCP && l3[off] != IPPROTO_UDP)
					return REF_NONE;
				memcpy(f->src, l3 + 8, 16);
				memcpy(f->dst, l3 + 24, 16);
				f->proto = l3[off];
				*frag_id = (uint32_t)get16(l3 + off + 4) << 16 | get16(l3 + off + 6);
				return REF_LATER;
			}
			if (next == PKT_NEXTHDR_FRAGMENT && get16(l3 + off + 2) & 1) {
				*frag_id = (uint32_t)get16(l3 + off + 4) << 16 | get16(l3 + off + 6);
				kind = REF_FIRST;
			}
			/* AH counts 4-byte units less 2, the others 8-byte units less 1. */
			if (next == PKT_NEXTHDR_FRAGMENT)
				off += 8, next = l3[off - 8];
			else if (next == 51)
				next = l3[off], off += (l3[off + 1] + 2) * 4;
			else
				next = l3[off], off += (l3[off + 1] + 1) * 8;
		}
		if (next == IPPROTO_ICMPV6 && kind == REF_FIRST)
			return REF_NONE;
		if (next == IPPROTO_ICMPV6 && i < 4) {
			const uint8_t *in = l3 + off + 8;

			if (off + 8 + 40 > 40 + plen || l3[off] != 2)
				return REF_NONE;
			if (memcmp(l3 + 24, in + 8, 16))
				return REF_NONE;
			memcpy(f->src, in + 24, 16);
			memcpy(f->dst, in + 8, 16);
			ref_icmp = true;
			return ref_quoted_ports(in + 40, (int32_t)(40 + plen) - (off + 8 + 40), in[6], f) ? REF_FLOW : REF_NONE;
		}
		if (next != IPPROTO_TCP && next != IPPROTO_UDP)
			return REF_NONE;
		if (off + (next == IPPROTO_TCP ? 20 : 8) > 40 + plen)
			return REF_NONE;
		memcpy(f->src, l3 + 8, 16);
		memcpy(f->dst, l3 + 24, 16);
		memcpy(&f->sport, l3 + off, 2);
		memcpy(&f->dport, l3 + off + 2, 2);
		f->proto = next;
		return kind;
	}
	return REF_NONE;
}

/* Whether any VIP address appears anywhere in the frame. */
static bool holds_vip_address(const struct pkt *p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		uint8_t addr[16];
		int n = vips[i].family == 6 ? 16 : 4;

		pkt_addr(vips[i].family, vips[i].addr, addr);
		if (memmem(p->data, p->len, addr, n))
			return true;
	}
	return false;
}

#include "fuzz_nat.h"

/* ---------------------------------------------------------------------------------------------
 * Running and checking
 */

struct fuzz {
	struct xlb_fixture fx;
	int ifindex; /* the namespace's veth, every run's ingress */
	uint64_t thrown[M_MAX];
	uint64_t violated[M_MAX]; /* frames of each mutation that broke an invariant */
	uint64_t last_violated;   /* frame_no + 1 of the last frame counted there */
	uint64_t verdicts[XDP_REDIRECT + 1];
	uint64_t reasons[XLB_R_MAX];
	unsigned int fails;
	uint64_t frame_no;
	enum mutation m;
	const struct pkt *p;
	struct xlb_counters reasons_now[XLB_R_MAX]; /* reason_stats after the last frame */
	/* First fragments forwarded, newest over oldest: where their later fragments must go. */
	struct {
		struct xlb_flow f; /* addresses, proto, family; no ports */
		uint32_t id, be;
	} firsts[256];
	unsigned int n_firsts;
};

/* The firsts slot of datagram id of f's addresses, or a free / the oldest one if none. */
static unsigned int first_slot(struct fuzz *z, const struct xlb_flow *f, uint32_t id, bool *found)
{
	unsigned int i, n = z->n_firsts < ARRAY_SIZE(z->firsts) ? z->n_firsts : ARRAY_SIZE(z->firsts);

	for (i = 0; i < n; i++) {
		if (z->firsts[i].id == id && !memcmp(&z->firsts[i].f, f, sizeof(*f))) {
			*found = true;
			return i;
		}
	}
	*found = false;
	return z->n_firsts++ % ARRAY_SIZE(z->firsts);
}

static __attribute__((format(printf, 2, 3))) void violation(struct fuzz *z, const char *fmt, ...)
{
	va_list ap;

	z->fails++;
	if (z->last_violated != z->frame_no + 1) {
		z->violated[z->m]++;
		z->last_violated = z->frame_no + 1;
	}
	if (z->fails > FUZZ_MAX_FAILS)
		return;
	fprintf(stderr, "VIOLATION frame %" PRIu64 " (%s, %u bytes): ", z->frame_no,
		mutation_names[z->m], z->p->len);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n  ");
	print_frame(z->p);
}

struct counter_snap {
	struct xlb_counters reason[XLB_R_MAX];
	struct xlb_counters vip[ARRAY_SIZE(vips) + 1];
	struct xlb_counters be[FUZZ_BACKENDS + 1];
};

static int snap_reasons(const struct xlb_fixture *fx, struct xlb_counters *r)
{
	uint32_t i;
	int err;

	for (i = 0; i < XLB_R_MAX; i++) {
		err = fx_counters(fx, fx->skel->maps.reason_stats, i, &r[i]);
		if (err)
			return err;
	}
	return 0;
}

static int snap_all(const struct xlb_fixture *fx, struct counter_snap *s)
{
	uint32_t i;
	int err = snap_reasons(fx, s->reason);

	for (i = 1; !err && i <= ARRAY_SIZE(vips); i++)
		err = fx_counters(fx, fx->skel->maps.vip_stats, i, &s->vip[i]);
	for (i = 1; !err && i <= FUZZ_BACKENDS; i++)
		err = fx_counters(fx, fx->skel->maps.backend_stats, i, &s->be[i]);
	return err;
}

static bool went_back(const struct xlb_counters *a, const struct xlb_counters *b)
{
	return b->packets < a->packets || b->bytes < a->bytes || b->new_flows < a->new_flows;
}

/* Counters over a batch of n frames of total bytes: none backwards, every frame one reason. */
static void check_batch(struct fuzz *z, const struct counter_snap *a, const struct counter_snap *b,
			uint64_t n, uint64_t bytes)
{
	uint64_t pk = 0, by = 0;
	uint32_t i;

	for (i = 0; i < XLB_R_MAX; i++) {
		if (went_back(&a->reason[i], &b->reason[i]))
			violation(z, "reason_stats[%u] went backwards over the batch", i);
		pk += b->reason[i].packets - a->reason[i].packets;
		by += b->reason[i].bytes - a->reason[i].bytes;
	}
	for (i = 1; i <= ARRAY_SIZE(vips); i++)
		if (went_back(&a->vip[i], &b->vip[i]))
			violation(z, "vip_stats[%u] went backwards over the batch", i);
	for (i = 1; i <= FUZZ_BACKENDS; i++)
		if (went_back(&a->be[i], &b->be[i]))
			violation(z, "backend_stats[%u] went backwards over the batch", i);
	if (pk != n || by != bytes)
		violation(z, "batch of %" PRIu64 " frames, %" PRIu64 " bytes: reasons counted %" PRIu64
			  " packets, %" PRIu64 " bytes", n, bytes, pk, by);
}

static bool reason_is_drop(uint32_t r)
{
	return r == XLB_R_DROP_TRUNCATED || r == XLB_R_DROP_BAD_HEADER ||
	       r == XLB_R_DROP_NO_BACKEND || r == XLB_R_DROP_NO_MAC || r == XLB_R_DROP_NO_TUN_SRC ||
	       r == XLB_R_DROP_NO_ROUTE || r == XLB_R_DROP_TOO_BIG || r == XLB_R_DROP_NO_TX_PORT;
}

/* Which reason moved for this frame; -1 (and a violation) unless exactly one, by this frame. */
static int reason_moved(struct fuzz *z, const struct xlb_counters *a, const struct xlb_counters *b)
{
	int moved = -1;
	uint32_t i;

	for (i = 0; i < XLB_R_MAX; i++) {
		uint64_t dp = b[i].packets - a[i].packets, db = b[i].bytes - a[i].bytes;

		if (!dp && !db)
			continue;
		if (dp != 1 || db != z->p->len || moved >= 0) {
			violation(z, "reason_stats[%u] moved by %" PRIu64 " packets, %" PRIu64
				  " bytes", i, dp, db);
			return -1;
		}
		moved = i;
	}
	if (moved < 0)
		violation(z, "no reason_stats index moved");
	return moved;
}

static const struct fuzz_vip *vip_by_id(uint32_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vips); i++)
		if (vips[i].id == id)
			return &vips[i];
	return NULL;
}

/* A reply translated: only with a nat_flows entry for it, and then exactly (fuzz_nat.h). */
static void check_nat_reply(struct fuzz *z, const uint8_t *out)
{
	uint32_t frag_id = 0;
	struct xlb_nat nat;
	struct xlb_flow f;
	enum ref_kind kind = ref_flow(z->p, &f, &frag_id);
	const char *err;

	if (memcmp(out, client_mac, ETH_ALEN))
		violation(z, "translated reply not sent to the client's neighbour MAC");
	if (kind == REF_NONE || ref_icmp ||
	    (kind == REF_LATER && !nat_frag_ports(&z->fx, &f, frag_id)) ||
	    !nat_entry(&z->fx, &f, &nat)) {
		violation(z, "translated a reply no nat_flows entry names");
		return;
	}
	err = nat_check(z->p->data, out, z->p->len, true, (const uint8_t *)nat.vip, nat.vport);
	if (err)
		violation(z, "%s", err);
}

static void check_forwarded(struct fuzz *z, const uint8_t *out, int r)
{
	const struct xlb_fixture *fx = &z->fx;
	uint32_t id, frag_id = 0;
	const struct fuzz_vip *v;
	enum ref_kind kind;
	struct xlb_flow f;

	if (memcmp(z->p->data, iface_mac, ETH_ALEN))
		violation(z, "forwarded a frame sent to another MAC");
	if (memcmp(out + ETH_ALEN, iface_mac, ETH_ALEN))
		violation(z, "forwarded frame's source MAC is not iface_mac");
	if (r == XLB_R_NAT_REPLY) {
		check_nat_reply(z, out);
		return;
	}
	id = (uint32_t)out[3] << 16 | out[4] << 8 | out[5];
	if (id < 1 || id > FUZZ_BACKENDS || memcmp(out, fx->backends[id].mac, ETH_ALEN)) {
		violation(z, "forwarded to a MAC that is no backend's");
		return;
	}
	v = vip_by_id(fx->backends[id].vip_id);
	if (v && v->fwd == XLB_FWD_NAT) {
		const struct xlb_backend *be = &fx->backends[id];
		const char *err;

		ref_flow(z->p, &f, &frag_id);
		err = nat_check(z->p->data, out, z->p->len, false, (const uint8_t *)be->addr,
				be->port ? be->port : f.dport);
		if (err)
			violation(z, "%s", err);
	} else if (memcmp(out + 2 * ETH_ALEN, z->p->data + 2 * ETH_ALEN,
			  z->p->len - 2 * ETH_ALEN)) {
		violation(z, "forwarded frame changed after the MACs");
	}
	if ((fx->backends[id].flags & BE_OK) != BE_OK)
		violation(z, "forwarded to backend %u, not live with a MAC", id);
	kind = ref_flow(z->p, &f, &frag_id);
	if (kind == REF_FIRST || kind == REF_LATER) {
		struct xlb_flow key = f;
		unsigned int slot;
		bool found;

		key.sport = key.dport = 0;
		slot = first_slot(z, &key, frag_id, &found);
		if (kind == REF_FIRST) {
			z->firsts[slot].f = key;
			z->firsts[slot].id = frag_id;
			z->firsts[slot].be = id;
		} else if (found && z->firsts[slot].be != id) {
			violation(z, "later fragment forwarded to backend %u, its first went to %u", id,
				  z->firsts[slot].be);
		} else if (!found) {
			z->n_firsts--; /* nothing to record: give the slot back */
		}
	}
	if (kind == REF_LATER) {
		/* Only a first fragment, balanced to one of this address's VIPs, opens the way. */
		if (!vip_of_addr(&f, fx->backends[id].vip_id))
			violation(z, "later fragment forwarded to backend %u of vip %u, not a vip of "
				  "its address and protocol", id, fx->backends[id].vip_id);
		return;
	}
	if (!kind || !(v = vip_find(&f)))
		return; /* check_fate says so */
	if (fx->backends[id].vip_id != v->id)
		violation(z, "forwarded to backend %u of vip %u, the flow is vip %u's", id,
			  fx->backends[id].vip_id, v->id);
}

/* Whether the frame is a reply the data path finds in nat_flows (then nat holds the entry). */
static bool nat_reply_of(struct fuzz *z, struct xlb_nat *nat)
{
	uint32_t frag_id = 0;
	struct xlb_flow f;
	enum ref_kind kind = ref_flow(z->p, &f, &frag_id);

	if (kind == REF_NONE || kind == REF_LATER || ref_icmp || vip_find(&f) ||
	    memcmp(z->p->data, iface_mac, ETH_ALEN))
		return false;
	return nat_entry(&z->fx, &f, nat);
}

/*
 * Whether addr (16 bytes) is the corpus's client: a reply to it has a next hop; a packet from
 * it is routed to its backend. Other addresses, mutated, may be ones the FIB will not route
 * for (link-local, multicast; asked only when a backend's cached answer is over a second old).
 */
static bool nat_client_known(const struct xlb_flow *f, const __be32 *addr)
{
	uint8_t client[16] = {};

	if (f->family == XLB_FAMILY_V4)
		pkt_addr(4, CLIENT4, client);
	else
		pkt_addr(6, CLIENT6, client);
	return !memcmp(client, addr, 16);
}

/*
 * The other way round: a frame the independent parse gives a VIP flow must meet that VIP's fate
 * (forwarded, or the VIP's drop, or other_host when sent to another MAC), and only such a frame
 * may get a reason that needs a VIP.
 */
static void check_fate(struct fuzz *z, int r)
{
	const struct fuzz_vip *v = NULL;
	enum ref_kind kind;
	uint32_t frag_id = 0;
	struct xlb_nat nat;
	struct xlb_flow f;
	int want;

	if (r < 0)
		return;
	kind = ref_flow(z->p, &f, &frag_id);
	switch (kind) {
	case REF_LATER:
		/* A NAT reply's later fragment finds its ports through the first one's frags
		 * record, then its nat_flows entry; no VIP claims it. */
		if (nat_frag_ports(&z->fx, &f, frag_id) && !vip_find(&f)) {
			want = XLB_R_PASS_NOT_VIP;
			if (!memcmp(z->p->data, iface_mac, ETH_ALEN) && nat_entry(&z->fx, &f, &nat))
				want = nat_refusal(z->p, XLB_R_NAT_REPLY);
			if (r != want && r != XLB_R_DROP_TRUNCATED)
				violation(z, "later fragment of a reply got reason %d, want %d", r, want);
			return;
		}
		/* Follows its first fragment's backend (checked in check_forwarded), or goes to the
		 * kernel; only its VIP's drops and other_host otherwise (nat: its refusals). */
		if (r != XLB_R_FORWARDED && r != XLB_R_PASS_FRAG_UNKNOWN && r != XLB_R_PASS_OTHER_HOST &&
		    r != XLB_R_DROP_NO_MAC && r != XLB_R_DROP_TRUNCATED && r != XLB_R_PASS_TTL &&
		    r != XLB_R_PASS_NAT_VLAN)
			violation(z, "later fragment got reason %d", r);
		if (r != XLB_R_PASS_FRAG_UNKNOWN && r != XLB_R_DROP_TRUNCATED && !vip_of_addr(&f, 0))
			violation(z, "later fragment to no vip address got reason %d", r);
		return;
	case REF_FLOW:
	case REF_FIRST:
		v = vip_find(&f);
		break;
	case REF_NONE:
		break;
	}
	if (!v && nat_reply_of(z, &nat)) {
		/* A reply of a NAT flow; a client the namespace has no neighbour for (a mutated
		 * address some forwarded flow opened an entry for) is unreachable. */
		want = nat_refusal(z->p, XLB_R_NAT_REPLY);
		if (r == XLB_R_DROP_NO_ROUTE && !nat_client_known(&f, f.dst))
			want = r;
		if (r != want)
			violation(z, "a reply of vip %u got reason %d, the design says %d", nat.vip_id,
				  r, want);
		return;
	}
	if (!v) {
		if (r == XLB_R_FORWARDED || r == XLB_R_DROP_NO_BACKEND || r == XLB_R_DROP_NO_MAC ||
		    r == XLB_R_PASS_OTHER_HOST || r == XLB_R_DROP_NO_TUN_SRC ||
		    r == XLB_R_DROP_NO_ROUTE || r == XLB_R_DROP_TOO_BIG || r == XLB_R_NAT_REPLY ||
		    r == XLB_R_PASS_TTL || r == XLB_R_PASS_NAT_VLAN || r == XLB_R_DROP_NO_TX_PORT)
			violation(z, "reason %d for a frame the design gives no VIP flow", r);
		return;
	}
	want = v->fate;
	if (v->fwd == XLB_FWD_NAT)
		want = nat_refusal(z->p, want);
	if (v->fwd == XLB_FWD_NAT && r == XLB_R_DROP_NO_ROUTE &&
	    !nat_client_known(&f, f.src))
		want = r;
	if (memcmp(z->p->data, iface_mac, ETH_ALEN))
		want = XLB_R_PASS_OTHER_HOST;
	if (r != want)
		violation(z, "a flow of vip %u got reason %d, the design says %d", v->id, r, want);
}

static int throw_one(struct fuzz *z, const struct pkt *p)
{
	struct xlb_counters before[XLB_R_MAX], *after = z->reasons_now;
	uint32_t out_len = 0, verdict = 0;
	uint8_t out[PKT_MAX];
	struct xlb_nat nat;
	int err, r;

	z->p = p;
	memcpy(before, after, sizeof(before));
	err = fx_run_on(&z->fx, z->ifindex, p->data, p->len, out, &out_len, &verdict);
	if (!err)
		err = snap_reasons(&z->fx, after);
	if (err) {
		fprintf(stderr, "test_packet_fuzz: frame %" PRIu64 ": %s\n", z->frame_no,
			strerror(-err));
		return err;
	}
	z->thrown[z->m]++;
	if (verdict <= XDP_REDIRECT)
		z->verdicts[verdict]++;
	r = reason_moved(z, before, after);
	if (r >= 0)
		z->reasons[r]++;
	if (verdict != XDP_PASS && verdict != XDP_TX && verdict != XDP_DROP) {
		violation(z, "verdict %u is not PASS, TX or DROP", verdict);
		return 0;
	}
	if (out_len != p->len)
		violation(z, "frame left with %u bytes, came with %u", out_len, p->len);
	if (r >= 0 && (r == XLB_R_FORWARDED || r == XLB_R_NAT_REPLY) != (verdict == XDP_TX))
		violation(z, "verdict %u with reason %d", verdict, r);
	if (r >= 0 && verdict != XDP_TX && reason_is_drop(r) != (verdict == XDP_DROP))
		violation(z, "verdict %u with reason %d", verdict, r);
	if (verdict == XDP_TX) {
		check_forwarded(z, out, r);
		check_fate(z, r);
		return 0;
	}
	if (memcmp(out, p->data, p->len))
		violation(z, "frame not forwarded (verdict %u) but changed", verdict);
	if (!holds_vip_address(p) && verdict != XDP_PASS && r != XLB_R_DROP_TRUNCATED &&
	    r != XLB_R_DROP_BAD_HEADER && !nat_reply_of(z, &nat))
		violation(z, "frame without a VIP address got verdict %u, reason %d", verdict, r);
	check_fate(z, r);
	return 0;
}

static int fuzz_config(struct xlb_fixture *fx)
{
	uint32_t id;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		const struct fuzz_vip *v = &vips[i];
		struct xlb_vip vip = { .id = v->id, .ring_size = v->ring,
				       .sched = XLB_SCHED_MAGLEV, .fwd = v->fwd,
				       .fallback = XLB_NO_BACKEND };
		char addr[INET6_ADDRSTRLEN];
		size_t n = 0;

		for (n = 0; n < ARRAY_SIZE(v->members) && v->members[n]; n++) {
			id = v->members[n];
			snprintf(addr, sizeof(addr), v->family == 6 ? "2001:db8:b::%u" :
				 "198.51.100.%u", id);
			err = fx_backend_set(fx, id, v->family, addr, v->id,
					     id == 10 ? XLB_BE_F_USED | XLB_BE_F_LIVE : BE_OK, 1);
			if (err)
				return err;
		}
		err = fx_vip_set(fx, v->family, v->addr, v->proto, v->port, &vip);
		if (!err && !v->no_table)
			err = fx_table_build(fx, v->id, v->members, n, v->ring);
		if (err)
			return err;
	}
	return 0;
}

#include "fuzz_tun.h"

int main(void)
{
	struct counter_snap a, b;
	struct fuzz z = {};
	uint64_t frames, seed, batch_n = 0, batch_bytes = 0, i;
	struct pkt p;
	int err, k;

	if (geteuid() != 0) {
		fprintf(stderr, "test_packet_fuzz: BPF_PROG_TEST_RUN needs root; skipped\n");
		return 77;
	}
	/* NAT's next hops come from the FIB: a namespace of the fuzzer's own (fuzz_nat.h). */
	err = fx_netns_enter(netns_setup, ARRAY_SIZE(netns_setup));
	z.ifindex = err ? 0 : if_nametoindex("xf0");
	if (!z.ifindex) {
		fprintf(stderr, "test_packet_fuzz: namespace setup failed\n");
		return 1;
	}
	seed = fuzz_start("test_packet_fuzz", "XLB_PKTFUZZ_SEED", "XLB_PKTFUZZ_FRAMES",
			  FUZZ_FRAMES_DEFAULT, &frames);

	err = fx_open(&z.fx, iface_mac);
	if (!err)
		err = fuzz_config(&z.fx);
	if (!err)
		err = nat_config(&z.fx);
	if (err) {
		fprintf(stderr, "test_packet_fuzz: fixture: %s\n", strerror(-err));
		fx_close(&z.fx);
		return 1;
	}
	corpus_build();
	nat_corpus_build();
	err = snap_all(&z.fx, &a);
	memcpy(z.reasons_now, a.reason, sizeof(z.reasons_now));
	for (i = 0; !err && i < frames; i++) {
		/* Mutations in turn, then a random one, so every kind gets its share. */
		z.m = i % 2 ? (enum mutation)(i / 2 % M_MAX) : (enum mutation)rnd_below(M_MAX);
		z.frame_no = i;
		mutate(&p, z.m);
		err = throw_one(&z, &p);
		batch_n++;
		batch_bytes += p.len;
		if (!err && (batch_n == FUZZ_BATCH || i + 1 == frames)) {
			err = snap_all(&z.fx, &b);
			if (!err)
				check_batch(&z, &a, &b, batch_n, batch_bytes);
			a = b;
			batch_n = batch_bytes = 0;
		}
	}
	/* Last: the tun phase moves into a namespace of its own (fuzz_tun.h). */
	if (!err)
		err = fuzz_tun(&z, frames / 4);
	fx_close(&z.fx);
	if (err)
		return 1;

	printf("frames thrown per mutation:");
	for (k = 0; k < M_MAX; k++)
		printf(" %s %" PRIu64, mutation_names[k], z.thrown[k]);
	printf("\nverdicts: PASS %" PRIu64 " TX %" PRIu64 " DROP %" PRIu64 "\nreasons:",
	       z.verdicts[XDP_PASS], z.verdicts[XDP_TX], z.verdicts[XDP_DROP]);
	for (k = 0; k < XLB_R_MAX; k++)
		printf(" %d:%" PRIu64, k, z.reasons[k]);
	printf("\n");
	if (z.fails) {
		printf("frames violating an invariant per mutation:");
		for (k = 0; k < M_MAX; k++)
			printf(" %s %" PRIu64, mutation_names[k], z.violated[k]);
		printf("\ntest_packet_fuzz: FAIL, %u invariant violations (seed %" PRIu64 ")\n",
		       z.fails, seed);
		return 1;
	}
	printf("test_packet_fuzz: PASS, %" PRIu64 " frames, no invariant violated\n", frames);
	return 0;
}
