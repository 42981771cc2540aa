// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet tests of tun forwarding: the real xlb_xdp program, run with BPF_PROG_TEST_RUN.
 *
 * bpf_fib_lookup reads the routing and neighbour tables of the network namespace the program
 * runs in, so this test first moves into a namespace of its own (it dies with the process) and
 * builds there what the cases need: veth xt0 (the ingress, iface_mac) with on-link backends, a
 * router and routes behind it, a second veth xt2 for a backend on another interface, and routes
 * with a locked MTU for the too-big cases. Nothing of the host's tables can change a result.
 *
 * Every output byte is checked: the Ethernet header (MACs from the neighbour table), the outer
 * header built here field by field and its checksum recomputed from scratch, and the client's
 * packet after it byte for byte. A dropped frame leaves byte-identical. Exactly one reason_stats
 * index moves per frame.
 */
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <cmocka.h>

/* Frames up to a 1500-byte path MTU and the answers quoting them. */
#define PKT_MAX 2048
#include "cases.h"
#include "fixture.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t iface_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t xt2_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02 };
static const uint8_t client_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xcc };
static const uint8_t router_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x01, 0xfe };
static const uint8_t be_mac[ETH_ALEN] = { 0x02, 0xbe, 0x00, 0x00, 0x00, 0x12 };
static const uint8_t be2_mac[ETH_ALEN] = { 0x02, 0xbe, 0x00, 0x00, 0x00, 0x22 };

#define SRC4 "198.51.100.1"
#define SRC6 "2001:db8:b::1"

/* The namespace's network: one command a line, run in order by sh. */
static const char *const netns_setup[] = {
	"ip link set lo up",
	/* bpf_fib_lookup answers FWD_DISABLED unless the ingress interface forwards */
	"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1",
	"ip link add xt0 address 02:00:5e:00:00:01 type veth peer name xt1",
	"ip link add xt2 address 02:00:5e:00:00:02 type veth peer name xt3",
	"ip link set xt0 up && ip link set xt1 up && ip link set xt2 up && ip link set xt3 up",
	"ip addr add " SRC4 "/25 dev xt0",
	"ip addr add " SRC6 "/64 dev xt0 nodad",
	"ip addr add 192.0.2.129/25 dev xt2",
	/* on-link backends and the router */
	"ip neigh add 198.51.100.18 lladdr 02:be:00:00:00:12 dev xt0 nud permanent",
	"ip neigh add 198.51.100.126 lladdr 02:00:5e:00:01:fe dev xt0 nud permanent",
	"ip -6 neigh add 2001:db8:b::18 lladdr 02:be:00:00:00:12 dev xt0 nud permanent",
	"ip -6 neigh add 2001:db8:b::fe lladdr 02:00:5e:00:01:fe dev xt0 nud permanent",
	"ip neigh add 192.0.2.150 lladdr 02:be:00:00:00:22 dev xt2 nud permanent",
	/* backends behind the router */
	"ip route add 198.51.100.128/25 via 198.51.100.126",
	"ip -6 route add 2001:db8:e::/64 via 2001:db8:b::fe",
	/* paths with a small MTU: 200 bytes of outer datagram fit, 201 do not */
	"ip route add 198.51.100.99/32 via 198.51.100.126 mtu lock 200",
	"ip -6 route add 2001:db8:f::/64 via 2001:db8:b::fe mtu lock 200",
	/* paths that leave the client an MTU to be told: 980 and 1360 bytes (IPv4 outer, IPv6
	 * outer), and one that leaves it less than IPv4's 68 */
	"ip route add 198.51.100.98/32 via 198.51.100.126 mtu lock 1000",
	"ip -6 route add 2001:db8:9::/64 via 2001:db8:b::fe mtu lock 1400",
	"ip route add 198.51.100.97/32 via 198.51.100.126 mtu lock 80",
};

enum egress { EG_NONE, EG_XT0, EG_XT2 };

struct tun_case {
	const char *name;
	int vip_family;     /* 4 or 6: the client's packet */
	int be_family;      /* 4 or 6: the outer header */
	const char *be;     /* backend address */
	uint32_t ip_len;    /* the client's datagram, IP header on; 0 = just the headers */
	uint32_t tun_flags; /* XLB_TUN_F_* written to the tunnel map */
	uint32_t verdict;
	uint32_t reason;
	enum egress egress;
	const uint8_t *dmac; /* next hop's MAC */
};

#define BOTH (XLB_TUN_F_SRC4 | XLB_TUN_F_SRC6)

static const struct tun_case cases[] = {
	{ "ipip to an on-link backend -> XDP_TX, MACs from the neighbour table", 4, 4,
	  "198.51.100.18", 0, BOTH, XDP_TX, XLB_R_FORWARDED, EG_XT0, be_mac },
	{ "ipip to a backend behind a router -> XDP_TX to the router's MAC", 4, 4,
	  "198.51.100.200", 0, BOTH, XDP_TX, XLB_R_FORWARDED, EG_XT0, router_mac },
	{ "ipip to a backend on another interface -> XDP_REDIRECT, that interface's MAC", 4, 4,
	  "192.0.2.150", 0, BOTH, XDP_REDIRECT, XLB_R_FORWARDED, EG_XT2, be2_mac },
	{ "ipip, 180-byte datagram on a 200-byte MTU path: fits exactly -> XDP_TX", 4, 4,
	  "198.51.100.99", 180, BOTH, XDP_TX, XLB_R_FORWARDED, EG_XT0, router_mac },
	{ "ipip to an on-link backend without a neighbour entry -> XDP_DROP no_route", 4, 4,
	  "198.51.100.77", 0, BOTH, XDP_DROP, XLB_R_DROP_NO_ROUTE },
	{ "ipip to a backend without a route -> XDP_DROP no_route", 4, 4, "203.0.113.250", 0,
	  BOTH, XDP_DROP, XLB_R_DROP_NO_ROUTE },
	{ "ipip without an ipv4 tunnel source -> XDP_DROP no_tun_src", 4, 4, "198.51.100.18", 0,
	  XLB_TUN_F_SRC6, XDP_DROP, XLB_R_DROP_NO_TUN_SRC },
	{ "ip6ip6 to an on-link backend -> XDP_TX, MACs from the neighbour table", 6, 6,
	  "2001:db8:b::18", 0, BOTH, XDP_TX, XLB_R_FORWARDED, EG_XT0, be_mac },
	{ "ip6ip6 to a backend behind a router -> XDP_TX to the router's MAC", 6, 6,
	  "2001:db8:e::18", 0, BOTH, XDP_TX, XLB_R_FORWARDED, EG_XT0, router_mac },
	{ "ip6ip6, 160-byte packet on a 200-byte MTU path: fits exactly -> XDP_TX", 6, 6,
	  "2001:db8:f::18", 160, BOTH, XDP_TX, XLB_R_FORWARDED, EG_XT0, router_mac },
	/* 160 bytes is under IPv6's minimum MTU: telling the client would not help it */
	{ "ip6ip6, 161-byte packet on a 200-byte MTU path -> XDP_DROP too_big", 6, 6,
	  "2001:db8:f::18", 161, BOTH, XDP_DROP, XLB_R_DROP_TOO_BIG },
	{ "ipip, 61-byte datagram on an 80-byte MTU path (60 is under 68) -> XDP_DROP too_big", 4,
	  4, "198.51.100.97", 61, BOTH, XDP_DROP, XLB_R_DROP_TOO_BIG },
	{ "ip6ip6 to a backend without a route -> XDP_DROP no_route", 6, 6, "2001:db8:dead::1", 0,
	  BOTH, XDP_DROP, XLB_R_DROP_NO_ROUTE },
	{ "ip6ip6 without an ipv6 tunnel source -> XDP_DROP no_tun_src", 6, 6, "2001:db8:b::18", 0,
	  XLB_TUN_F_SRC4, XDP_DROP, XLB_R_DROP_NO_TUN_SRC },
	{ "ipv4 in ipv6 to an on-link ipv6 backend -> XDP_TX", 4, 6, "2001:db8:b::18", 0, BOTH,
	  XDP_TX, XLB_R_FORWARDED, EG_XT0, be_mac },
	{ "ipv6 in ipv4 to an on-link ipv4 backend -> XDP_TX", 6, 4, "198.51.100.18", 0, BOTH,
	  XDP_TX, XLB_R_FORWARDED, EG_XT0, be_mac },
};

#define VIP_ID 3
#define BE_ID 7

static struct xlb_fixture fx;
static int ifindex_xt0, ifindex_xt2;

static int netns_enter(void)
{
	int err = fx_netns_enter(netns_setup, ARRAY_SIZE(netns_setup));

	if (err)
		return err;
	ifindex_xt0 = if_nametoindex("xt0");
	ifindex_xt2 = if_nametoindex("xt2");
	return ifindex_xt0 && ifindex_xt2 ? 0 : -ENODEV;
}

static int tunnel_set(uint32_t flags)
{
	struct xlb_tunnel t = { .flags = flags };
	uint32_t key = 0;

	pkt_addr(4, SRC4, &t.src4);
	pkt_addr(6, SRC6, t.src6);
	if (bpf_map_update_elem(bpf_map__fd(fx.skel->maps.tunnel), &key, &t, BPF_ANY))
		return -errno;
	return 0;
}

/* One VIP (TCP 80) with one backend, which has no MAC: tun needs none. */
static int config_set(const struct tun_case *c)
{
	const char *vip = c->vip_family == 4 ? "203.0.113.40" : "2001:db8:a::40";
	struct xlb_vip v = { .id = VIP_ID, .ring_size = 7, .fwd = XLB_FWD_TUN,
			     .fallback = XLB_NO_BACKEND };
	uint32_t ids[] = { BE_ID };
	int err;

	err = fx_vip_set(&fx, c->vip_family, vip, IPPROTO_TCP, 80, &v);
	if (!err)
		err = fx_backend_set(&fx, BE_ID, c->be_family, c->be, VIP_ID,
				     XLB_BE_F_USED | XLB_BE_F_LIVE, 1);
	if (!err)
		err = fx_table_build(&fx, VIP_ID, ids, 1, 7);
	if (!err)
		err = tunnel_set(c->tun_flags);
	return err;
}

/* The client's frame: TCP to the VIP, with DF, a tos and a payload to reach ip_len. */
static void client_frame_df(const struct tun_case *c, struct pkt *p, int df)
{
	uint32_t hdrs;

	pkt_init(p);
	if (c->vip_family == 4) {
		pkt_iphdr *ip;

		pkt_eth(p, iface_mac, client_mac, ETH_P_IP);
		ip = pkt_ipv4(p, "192.0.2.1", "203.0.113.40");
		ip->frag_off = df ? htons(PKT_IP_DF) : 0;
		ip->tos = 0xb8;
	} else {
		pkt_ipv6hdr *ip6;

		pkt_eth(p, iface_mac, client_mac, ETH_P_IPV6);
		ip6 = pkt_ipv6(p, "2001:db8:c::1", "2001:db8:a::40");
		ip6->priority = 0xb;
		ip6->flow_lbl[0] = 0x85;
	}
	pkt_tcp(p, 40001, 80);
	hdrs = p->len - p->l3;
	if (c->ip_len > hdrs)
		pkt_payload(p, c->ip_len - hdrs);
	pkt_finish(p);
}

static void client_frame(const struct tun_case *c, struct pkt *p)
{
	client_frame_df(c, p, 1);
}

/* The outer header as RFC 2003 / RFC 2473 and the design say, built from the inner one. */
static uint32_t outer_header(const struct tun_case *c, const struct pkt *in, uint8_t *hdr)
{
	const uint8_t *l3 = in->data + in->l3;
	uint32_t ip_len = in->len - in->l3;
	uint8_t tos = c->vip_family == 4 ? l3[1] : (uint8_t)(l3[0] << 4 | l3[1] >> 4);
	uint8_t proto = c->vip_family == 4 ? 4 : 41;

	if (c->be_family == 4) {
		pkt_iphdr *ip = (pkt_iphdr *)hdr;

		memset(ip, 0, sizeof(*ip));
		ip->version = 4;
		ip->ihl = 5;
		ip->tos = tos;
		ip->tot_len = htons(sizeof(*ip) + ip_len);
		/* an inner IPv4 datagram lends its id and DF bit; an IPv6 one is never fragmented */
		if (c->vip_family == 4) {
			memcpy(&ip->id, l3 + 4, 2);
			ip->frag_off = ((const pkt_iphdr *)l3)->frag_off & htons(PKT_IP_DF);
		} else {
			ip->frag_off = htons(PKT_IP_DF);
		}
		ip->ttl = 64;
		ip->protocol = proto;
		pkt_addr(4, SRC4, &ip->saddr);
		pkt_addr(4, c->be, &ip->daddr);
		ip->check = pkt_fold(pkt_sum(0, ip, sizeof(*ip)));
		return sizeof(*ip);
	}
	pkt_ipv6hdr *ip6 = (pkt_ipv6hdr *)hdr;

	memset(ip6, 0, sizeof(*ip6));
	ip6->version = 6;
	ip6->priority = tos >> 4;
	ip6->flow_lbl[0] = (uint8_t)(tos << 4);
	ip6->payload_len = htons(ip_len);
	ip6->nexthdr = proto;
	ip6->hop_limit = 64;
	pkt_addr(6, SRC6, &ip6->saddr);
	pkt_addr(6, c->be, &ip6->daddr);
	return sizeof(*ip6);
}

static const char *const outer4_fields[] = {
	"version/ihl", "tos", "tot_len", "tot_len", "id", "id", "frag_off", "frag_off", "ttl",
	"protocol", "check", "check", "saddr", "saddr", "saddr", "saddr", "daddr", "daddr",
	"daddr", "daddr",
};

static void check_bytes(const char *what, const uint8_t *got, const uint8_t *want, uint32_t len,
			int outer_family)
{
	uint32_t i;

	for (i = 0; i < len; i++) {
		const char *field = what;

		if (got[i] == want[i])
			continue;
		if (outer_family == 4)
			field = outer4_fields[i];
		else if (outer_family == 6)
			field = i < 4 ? "version/class/flow" : i < 6 ? "payload_len" :
				i == 6 ? "nexthdr" : i == 7 ? "hop_limit" : i < 24 ? "saddr" : "daddr";
		fail_msg("%s: byte %u (%s) is 0x%02x, want 0x%02x", what, i, field, got[i], want[i]);
	}
}

static int run(const struct pkt *p, uint8_t *out, uint32_t *out_len, uint32_t *retval)
{
	return fx_run_on(&fx, ifindex_xt0, p->data, p->len, out, out_len, retval);
}

static void test_case(void **state)
{
	const struct tun_case *c = *state;
	struct xlb_counters before[XLB_R_MAX], after[XLB_R_MAX];
	uint8_t out[PKT_MAX], hdr[64];
	uint32_t out_len = 0, retval = 0, hlen;
	struct pkt p;
	int err;

	assert_int_equal(config_set(c), 0);
	client_frame(c, &p);
	pc_snapshot(&fx, before);
	err = run(&p, out, &out_len, &retval);
	if (err)
		fail_msg("bpf_prog_test_run_opts: %s", strerror(-err));
	if (retval != c->verdict)
		fail_msg("verdict %u, want %u", retval, c->verdict);
	pc_snapshot(&fx, after);
	pc_one_reason(before, after, c->reason, p.len);
	if (c->verdict == XDP_DROP) {
		if (out_len != p.len || memcmp(out, p.data, p.len))
			fail_msg("a dropped frame must leave as it came");
		return;
	}

	hlen = outer_header(c, &p, hdr);
	if (out_len != p.len + hlen)
		fail_msg("data_size_out %u, want %u + %u outer bytes", out_len, p.len, hlen);
	check_bytes("destination MAC", out, c->dmac, ETH_ALEN, 0);
	check_bytes("source MAC", out + ETH_ALEN, c->egress == EG_XT2 ? xt2_mac : iface_mac,
		    ETH_ALEN, 0);
	if (out[12] != (c->be_family == 4 ? 0x08 : 0x86) || out[13] != (c->be_family == 4 ? 0 : 0xdd))
		fail_msg("ethertype %02x%02x is not the outer family's", out[12], out[13]);
	check_bytes("outer header", out + ETH_HLEN, hdr, hlen, c->be_family);
	/* The checksum as a receiver checks it: the whole header sums to zero. */
	if (c->be_family == 4 && pkt_fold(pkt_sum(0, out + ETH_HLEN, hlen)))
		fail_msg("outer ipv4 checksum does not verify");
	check_bytes("inner packet", out + ETH_HLEN + hlen, p.data + ETH_HLEN, p.len - ETH_HLEN, 0);
}

/*
 * Too big for the path after encapsulation: the client gets ICMP "fragmentation needed" (IPv4,
 * RFC 1191) or "packet too big" (IPv6, RFC 4443) from the VIP, quoting its own packet, with the
 * MTU it may use: the path's less the outer header. Each answer is rebuilt here from the RFCs,
 * every byte compared, both checksums verified by summing from scratch.
 */
struct too_big_case {
	const char *name;
	struct tun_case tc;  /* the client, the backend (its path's MTU), ip_len of the packet */
	int df;              /* IPv4: the client's DF bit */
	uint32_t mtu;        /* the MTU field; 0: no answer, drop_too_big */
	uint32_t quote;      /* bytes of the client's datagram quoted */
};

static const struct too_big_case too_big_cases[] = {
	{ "ipip, 181-byte datagram on a 200-byte MTU path -> frag needed, mtu 180, all 181 quoted",
	  { .vip_family = 4, .be_family = 4, .be = "198.51.100.99", .ip_len = 181,
	    .tun_flags = BOTH }, 1, 180, 181 },
	{ "ipip, 1200-byte datagram on a 1000-byte MTU path -> frag needed, mtu 980, 548 quoted",
	  { .vip_family = 4, .be_family = 4, .be = "198.51.100.98", .ip_len = 1200,
	    .tun_flags = BOTH }, 1, 980, 548 },
	{ "ip6ip6, 1400-byte packet on a 1400-byte MTU path -> packet too big, mtu 1360, 1232 quoted",
	  { .vip_family = 6, .be_family = 6, .be = "2001:db8:9::18", .ip_len = 1400,
	    .tun_flags = BOTH }, 1, 1360, 1232 },
	{ "ip6ip6, 1361-byte packet on a 1400-byte MTU path -> packet too big, mtu 1360",
	  { .vip_family = 6, .be_family = 6, .be = "2001:db8:9::18", .ip_len = 1361,
	    .tun_flags = BOTH }, 1, 1360, 1232 },
	{ "ipv4 in ipv6, 1361-byte datagram on a 1400-byte MTU path -> frag needed, mtu 1360",
	  { .vip_family = 4, .be_family = 6, .be = "2001:db8:9::18", .ip_len = 1361,
	    .tun_flags = BOTH }, 1, 1360, 548 },
	{ "ipip, 181-byte datagram without DF on a 200-byte MTU path -> XDP_DROP too_big",
	  { .vip_family = 4, .be_family = 4, .be = "198.51.100.99", .ip_len = 181,
	    .tun_flags = BOTH }, 0, 0, 0 },
};

static void test_too_big(void **state)
{
	const struct too_big_case *t = *state;
	const struct tun_case *c = &t->tc;
	uint32_t want_reason = t->mtu ? XLB_R_ICMP_TOO_BIG : XLB_R_DROP_TOO_BIG;
	struct xlb_counters before[XLB_R_MAX], after[XLB_R_MAX];
	uint32_t out_len = 0, retval = 0;
	uint8_t out[PKT_MAX];
	struct xlb_conn conn;
	struct xlb_flow f;
	struct pkt p;

	assert_int_equal(config_set(c), 0);
	client_frame_df(c, &p, t->df);
	/* Earlier cases forwarded this 5-tuple and bound it; start without. */
	pkt_flow(&p, &f);
	bpf_map_delete_elem(bpf_map__fd(fx.skel->maps.conns), &f);
	pc_snapshot(&fx, before);
	assert_int_equal(run(&p, out, &out_len, &retval), 0);
	pc_snapshot(&fx, after);
	pc_one_reason(before, after, want_reason, p.len);
	/* Nothing was forwarded: no flow is bound, the next packet is scheduled afresh. */
	if (fx_conn(&fx, &f, &conn) != -ENOENT)
		fail_msg("a too-big packet bound a flow");
	if (!t->mtu) {
		if (retval != XDP_DROP || out_len != p.len || memcmp(out, p.data, p.len))
			fail_msg("verdict %u: a packet not answered must be dropped as it came",
				 retval);
		return;
	}
	if (retval != XDP_TX)
		fail_msg("verdict %u, want XDP_TX", retval);

	pc_check_too_big(out, out_len, &p, t->mtu, t->quote);
}

/* The same frame with an 802.1Q tag (VLAN 100) after the MACs. */
static void tag_frame(struct pkt *p)
{
	memmove(p->data + 16, p->data + 12, p->len - 12);
	p->data[12] = 0x81;
	p->data[13] = 0x00;
	p->data[14] = 0x00;
	p->data[15] = 100;
	p->len += 4;
	p->l3 += 4;
	p->l4 += 4;
}

/*
 * A tagged client frame: the tunnelled packet goes where the FIB says, a route that knows no
 * VLAN, so it carries the client's datagram without the tag; a too-big answer goes back to the
 * client the way it came, tag kept.
 */
static void test_tagged(void **state)
{
	const struct tun_case *c = &cases[0];
	const struct too_big_case *t = &too_big_cases[0];
	uint32_t out_len = 0, retval = 0, hlen;
	uint8_t out[PKT_MAX], hdr[64];
	struct pkt p, plain;

	(void)state;
	assert_int_equal(config_set(c), 0);
	client_frame(c, &plain);
	p = plain;
	tag_frame(&p);
	assert_int_equal(run(&p, out, &out_len, &retval), 0);
	if (retval != XDP_TX)
		fail_msg("tagged: verdict %u, want XDP_TX", retval);
	hlen = outer_header(c, &plain, hdr);
	if (out_len != plain.len + hlen)
		fail_msg("tagged: data_size_out %u, want %u + %u outer bytes", out_len, plain.len,
			 hlen);
	check_bytes("destination MAC", out, c->dmac, ETH_ALEN, 0);
	check_bytes("source MAC", out + ETH_ALEN, iface_mac, ETH_ALEN, 0);
	if (out[12] != 0x08 || out[13] != 0)
		fail_msg("tagged: ethertype %02x%02x, want the outer IPv4's", out[12], out[13]);
	check_bytes("outer header", out + ETH_HLEN, hdr, hlen, 4);
	check_bytes("inner packet", out + ETH_HLEN + hlen, plain.data + ETH_HLEN,
		    plain.len - ETH_HLEN, 0);

	assert_int_equal(config_set(&t->tc), 0);
	client_frame_df(&t->tc, &plain, 1);
	p = plain;
	tag_frame(&p);
	assert_int_equal(run(&p, out, &out_len, &retval), 0);
	if (retval != XDP_TX)
		fail_msg("tagged too big: verdict %u, want XDP_TX", retval);
	pc_check_too_big(out, out_len, &p, t->mtu, t->quote);
}

/* Established flows: the second packet of a flow goes out the same way, from conns. */
static void test_established(void **state)
{
	const struct tun_case *c = &cases[0];
	uint8_t out1[PKT_MAX], out2[PKT_MAX];
	uint32_t len1 = 0, len2 = 0, rv1 = 0, rv2 = 0;
	struct xlb_conn conn;
	struct xlb_flow f;
	struct pkt p;

	(void)state;
	assert_int_equal(config_set(c), 0);
	client_frame(c, &p);
	assert_int_equal(run(&p, out1, &len1, &rv1), 0);
	pkt_flow(&p, &f);
	assert_int_equal(fx_conn(&fx, &f, &conn), 0);
	assert_int_equal(conn.backend, BE_ID);
	assert_int_equal(run(&p, out2, &len2, &rv2), 0);
	assert_int_equal(rv1, XDP_TX);
	assert_int_equal(rv2, XDP_TX);
	assert_int_equal(len1, len2);
	assert_memory_equal(out1, out2, len1);
}

/*
 * The data path keeps the FIB's answer per backend for a while (tun_hops): a neighbour that
 * changes its MAC is followed once that while is over. The wait is the data path's own period
 * (XLB_TUN_HOP_NS, 1 s) and a margin for the coarse clock.
 */
static void test_hop_follows_neighbour(void **state)
{
	static const uint8_t new_mac[ETH_ALEN] = { 0x02, 0xbe, 0x00, 0x00, 0x00, 0x99 };
	const struct tun_case *c = &cases[0];
	struct timespec wait = { 1, 200 * 1000 * 1000 };
	uint32_t len = 0, rv = 0;
	uint8_t out[PKT_MAX];
	struct pkt p;

	(void)state;
	assert_int_equal(config_set(c), 0);
	client_frame(c, &p);
	assert_int_equal(run(&p, out, &len, &rv), 0);
	check_bytes("destination MAC", out, be_mac, ETH_ALEN, 0);
	assert_int_equal(system("ip neigh replace 198.51.100.18 lladdr 02:be:00:00:00:99 dev xt0 "
				"nud permanent"), 0);
	nanosleep(&wait, NULL);
	assert_int_equal(run(&p, out, &len, &rv), 0);
	assert_int_equal(rv, XDP_TX);
	check_bytes("destination MAC after the change", out, new_mac, ETH_ALEN, 0);
	assert_int_equal(system("ip neigh replace 198.51.100.18 lladdr 02:be:00:00:00:12 dev xt0 "
				"nud permanent"), 0);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + ARRAY_SIZE(too_big_cases) + 3];
	size_t i;
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "test_packet_tun: BPF_PROG_TEST_RUN needs root; skipped\n");
		return 77;
	}
	if (netns_enter() || fx_open(&fx, iface_mac))
		return 1;
	memset(tests, 0, sizeof(tests));
	i = pc_table(tests, cases, ARRAY_SIZE(cases), sizeof(cases[0]), test_case);
	i += pc_table(tests + i, too_big_cases, ARRAY_SIZE(too_big_cases), sizeof(too_big_cases[0]),
		      test_too_big);
	tests[i].name = "a tagged client: tunnelled without its tag, answered too big with it";
	tests[i++].test_func = test_tagged;
	tests[i].name = "established ipip flow: second packet from conns, same bytes out";
	tests[i++].test_func = test_established;
	tests[i].name = "a backend's next hop follows its neighbour's new MAC within a second";
	tests[i].test_func = test_hop_follows_neighbour;
	failed = _cmocka_run_group_tests("tun packet cases", tests, ARRAY_SIZE(tests), NULL, NULL);
	fx_close(&fx);
	return failed ? 1 : 0;
}
