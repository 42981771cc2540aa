// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet tests of nat forwarding: the real xlb_xdp program, run with BPF_PROG_TEST_RUN.
 *
 * Test that a client's packet to a NAT VIP leaves for its backend with the backend's address
 * and port, the client's source, one hop less and checksums a receiver accepts; that the
 * backend's reply leaves for the client from VIP:port again; that ICMP errors about a flow reach
 * its backend translated inside and out; that a packet too big for the backend's path gets the
 * client an ICMP too-big answer (with DF; IPv6 on a path of at least 1280) and binds no flow; and
 * that everything refused (TTL 1, too big without an answer, no route, no tx port, no nat_flows
 * entry, a tag) leaves byte-identical with its one reason counted.
 *
 * bpf_fib_lookup reads the tables of the namespace the program runs in: the test moves into one
 * of its own and builds a dispatcher with two arms, xn0 (the clients' side, the ingress, iface_mac;
 * an on-link backend too, for one-armed NAT) and xn2 (the backends' side, a router with a
 * small-MTU path behind it). One program serves both arms here: the replies are run as received
 * on xn2 but addressed to the program's iface_mac.
 *
 * Every output byte is checked against a frame built from scratch by the builders (fixture.h),
 * whose checksums are computed over the whole frame, never updated; and the output's own
 * checksums are recomputed from its bytes and must match what it carries.
 */
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* Frames up to a 1400-byte path MTU and the answers quoting them. */
#define PKT_MAX 2048
#include "cases.h"
#include "fixture.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t iface_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t xn2_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02 };
static const uint8_t client_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xcc };
static const uint8_t router_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x01, 0xfe };
static const uint8_t be_mac[ETH_ALEN] = { 0x02, 0xbe, 0x00, 0x00, 0x00, 0x12 };
static const uint8_t be2_mac[ETH_ALEN] = { 0x02, 0xbe, 0x00, 0x00, 0x00, 0x22 };

static const char *const netns_setup[] = {
	"ip link set lo up",
	/* bpf_fib_lookup answers FWD_DISABLED unless the ingress interface forwards */
	"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1",
	"ip link add xn0 address 02:00:5e:00:00:01 type veth peer name xn1",
	"ip link add xn2 address 02:00:5e:00:00:02 type veth peer name xn3",
	"ip link set xn0 up && ip link set xn1 up && ip link set xn2 up && ip link set xn3 up",
	"ip addr add 192.0.2.254/24 dev xn0 && ip addr add 2001:db8:c::fe/64 dev xn0 nodad",
	"ip addr add 198.51.100.254/24 dev xn2 && ip addr add 2001:db8:b::fe/64 dev xn2 nodad",
	/* the clients, and a backend on the clients' arm */
	"ip neigh add 192.0.2.1 lladdr 02:00:5e:00:00:cc dev xn0 nud permanent",
	"ip -6 neigh add 2001:db8:c::1 lladdr 02:00:5e:00:00:cc dev xn0 nud permanent",
	"ip neigh add 192.0.2.18 lladdr 02:be:00:00:00:12 dev xn0 nud permanent",
	"ip -6 neigh add 2001:db8:c::18 lladdr 02:be:00:00:00:12 dev xn0 nud permanent",
	/* the backends' arm: a backend, a router, a 200-byte path behind it */
	"ip neigh add 198.51.100.18 lladdr 02:be:00:00:00:22 dev xn2 nud permanent",
	"ip -6 neigh add 2001:db8:b::18 lladdr 02:be:00:00:00:22 dev xn2 nud permanent",
	"ip neigh add 198.51.100.126 lladdr 02:00:5e:00:01:fe dev xn2 nud permanent",
	"ip -6 neigh add 2001:db8:b::7e lladdr 02:00:5e:00:01:fe dev xn2 nud permanent",
	"ip route add 198.51.100.99/32 via 198.51.100.126 mtu lock 200",
	"ip -6 route add 2001:db8:f::/64 via 2001:db8:b::7e mtu lock 200",
	/* paths a client can be told about: 1000 bytes (IPv4), 1400 (IPv6, over its 1280) */
	"ip route add 198.51.100.98/32 via 198.51.100.126 mtu lock 1000",
	"ip -6 route add 2001:db8:9::/64 via 2001:db8:b::7e mtu lock 1400",
	/* clients behind a router on the clients' arm, on small paths: replies too big for them */
	"ip neigh add 192.0.2.126 lladdr 02:00:5e:00:01:fe dev xn0 nud permanent",
	"ip -6 neigh add 2001:db8:c::7e lladdr 02:00:5e:00:01:fe dev xn0 nud permanent",
	"ip route add 192.0.2.99/32 via 192.0.2.126 mtu lock 200",
	"ip -6 route add 2001:db8:d::/64 via 2001:db8:c::7e mtu lock 1400",
};

#define VIP4 "203.0.113.40"
#define VIP6 "2001:db8:a::40"
#define CLIENT4 "192.0.2.1"
#define CLIENT6 "2001:db8:c::1"
#define ROUTER4 "192.0.2.126" /* where ICMP errors come from */
#define ROUTER6 "2001:db8:c::7e"
#define VPORT 80
#define CPORT 40001
#define VIP_ID 3
#define BE_ID 7

enum ifc { IF_NONE, IF_XN0, IF_XN2 };

enum kind {
	K_FWD,   /* the client's packet */
	K_REPLY, /* the backend's reply, after the client's packet opened the flow */
	K_ICMP,  /* a router's too-big about a reply, to the VIP */
	K_FRAG,  /* a later IPv4 fragment, after its first */
	K_RFRAG, /* a later IPv4 fragment of a reply, after its first */
};

struct nat_case {
	const char *name;
	enum kind kind;
	int family;
	uint8_t proto;
	const char *be;     /* backend address */
	uint16_t bport;     /* its configured port; 0 = the VIP's */
	uint8_t ttl;        /* of the frame under test; 0 = 64 */
	uint32_t ip_len;    /* datagram bytes, IP header on; 0 = just the headers */
	bool udp_nocsum;    /* IPv4 UDP sent without a checksum */
	bool df;            /* IPv4: the client's packet says DF */
	bool vlan;          /* the frame under test carries an 802.1Q tag */
	bool other_cport;   /* a reply for a client port no flow has */
	bool no_tx_port;    /* xn2 missing from tx_ports */
	uint32_t verdict;
	uint32_t reason;
	enum ifc egress;
	const uint8_t *dmac; /* next hop's MAC */
	const char *client;  /* the client's address; NULL: CLIENT4 / CLIENT6 */
};

static const struct nat_case cases[] = {
	{ "ipv4 tcp to a backend on the other arm, port 8080 -> XDP_REDIRECT", K_FWD, 4,
	  IPPROTO_TCP, "198.51.100.18", 8080, .verdict = XDP_REDIRECT,
	  .reason = XLB_R_FORWARDED, .egress = IF_XN2, .dmac = be2_mac },
	{ "ipv4 tcp to a backend on the ingress arm, same port -> XDP_TX", K_FWD, 4, IPPROTO_TCP,
	  "192.0.2.18", 0, .verdict = XDP_TX, .reason = XLB_R_FORWARDED, .egress = IF_XN0,
	  .dmac = be_mac },
	{ "ipv4 udp with a checksum, port 5353 -> XDP_REDIRECT", K_FWD, 4, IPPROTO_UDP,
	  "198.51.100.18", 5353, .verdict = XDP_REDIRECT, .reason = XLB_R_FORWARDED,
	  .egress = IF_XN2, .dmac = be2_mac },
	{ "ipv4 udp without a checksum: stays without -> XDP_REDIRECT", K_FWD, 4, IPPROTO_UDP,
	  "198.51.100.18", 5353, .udp_nocsum = true, .verdict = XDP_REDIRECT,
	  .reason = XLB_R_FORWARDED, .egress = IF_XN2, .dmac = be2_mac },
	{ "ipv6 tcp to a backend on the other arm, port 8080 -> XDP_REDIRECT", K_FWD, 6,
	  IPPROTO_TCP, "2001:db8:b::18", 8080, .verdict = XDP_REDIRECT,
	  .reason = XLB_R_FORWARDED, .egress = IF_XN2, .dmac = be2_mac },
	{ "ipv6 tcp to a backend on the ingress arm, same port -> XDP_TX", K_FWD, 6, IPPROTO_TCP,
	  "2001:db8:c::18", 0, .verdict = XDP_TX, .reason = XLB_R_FORWARDED, .egress = IF_XN0,
	  .dmac = be_mac },
	{ "ipv6 udp, port 5353 -> XDP_REDIRECT", K_FWD, 6, IPPROTO_UDP, "2001:db8:b::18", 5353,
	  .verdict = XDP_REDIRECT, .reason = XLB_R_FORWARDED, .egress = IF_XN2, .dmac = be2_mac },
	{ "ipv4 ttl 2: leaves with 1 -> XDP_REDIRECT", K_FWD, 4, IPPROTO_TCP, "198.51.100.18",
	  8080, .ttl = 2, .verdict = XDP_REDIRECT, .reason = XLB_R_FORWARDED, .egress = IF_XN2,
	  .dmac = be2_mac },
	{ "ipv4 ttl 1 -> XDP_PASS pass_ttl, untouched", K_FWD, 4, IPPROTO_TCP, "198.51.100.18",
	  8080, .ttl = 1, .verdict = XDP_PASS, .reason = XLB_R_PASS_TTL },
	{ "ipv6 hop limit 1 -> XDP_PASS pass_ttl, untouched", K_FWD, 6, IPPROTO_TCP,
	  "2001:db8:b::18", 8080, .ttl = 1, .verdict = XDP_PASS, .reason = XLB_R_PASS_TTL },
	{ "ipv4 200-byte datagram on a 200-byte path: fits -> XDP_REDIRECT to the router", K_FWD,
	  4, IPPROTO_TCP, "198.51.100.99", 8080, .ip_len = 200, .verdict = XDP_REDIRECT,
	  .reason = XLB_R_FORWARDED, .egress = IF_XN2, .dmac = router_mac },
	{ "ipv4 1000 bytes with DF on a 1000-byte path: fits -> XDP_REDIRECT to the router",
	  K_FWD, 4, IPPROTO_TCP, "198.51.100.98", 8080, .ip_len = 1000, .df = true,
	  .verdict = XDP_REDIRECT, .reason = XLB_R_FORWARDED, .egress = IF_XN2,
	  .dmac = router_mac },
	{ "ipv6 1400-byte packet on a 1400-byte path: fits -> XDP_REDIRECT to the router", K_FWD,
	  6, IPPROTO_TCP, "2001:db8:9::18", 8080, .ip_len = 1400, .verdict = XDP_REDIRECT,
	  .reason = XLB_R_FORWARDED, .egress = IF_XN2, .dmac = router_mac },
	/* Without DF a router would fragment, which XDP cannot: dropped, not answered. */
	{ "ipv4 201-byte datagram on a 200-byte path -> XDP_DROP drop_too_big", K_FWD, 4,
	  IPPROTO_TCP, "198.51.100.99", 8080, .ip_len = 201, .verdict = XDP_DROP,
	  .reason = XLB_R_DROP_TOO_BIG },
	/* 200 is under IPv6's minimum MTU: telling the client would not help it. */
	{ "ipv6 201-byte packet on a 200-byte path -> XDP_DROP drop_too_big", K_FWD, 6,
	  IPPROTO_TCP, "2001:db8:f::18", 8080, .ip_len = 201, .verdict = XDP_DROP,
	  .reason = XLB_R_DROP_TOO_BIG },
	{ "ipv4 backend without a route -> XDP_DROP drop_no_route", K_FWD, 4, IPPROTO_TCP,
	  "203.0.113.250", 8080, .verdict = XDP_DROP, .reason = XLB_R_DROP_NO_ROUTE },
	{ "ipv6 backend without a route -> XDP_DROP drop_no_route", K_FWD, 6, IPPROTO_TCP,
	  "2001:db8:dead::1", 8080, .verdict = XDP_DROP, .reason = XLB_R_DROP_NO_ROUTE },
	{ "ipv4 egress not in tx_ports -> XDP_DROP drop_no_tx_port", K_FWD, 4, IPPROTO_TCP,
	  "198.51.100.18", 8080, .no_tx_port = true, .verdict = XDP_DROP,
	  .reason = XLB_R_DROP_NO_TX_PORT },
	{ "ipv4 802.1Q-tagged -> XDP_PASS pass_nat_vlan", K_FWD, 4, IPPROTO_TCP, "198.51.100.18",
	  8080, .vlan = true, .verdict = XDP_PASS, .reason = XLB_R_PASS_NAT_VLAN },
	/* Tagged, a frame is the kernel's before any FIB lookup: too big or not, it is passed
	 * (the kernel, forwarding on the VLAN device, answers it itself). */
	{ "ipv4 802.1Q-tagged, 201 bytes with DF on a 200-byte path -> XDP_PASS pass_nat_vlan",
	  K_FWD, 4, IPPROTO_TCP, "198.51.100.99", 8080, .ip_len = 201, .df = true, .vlan = true,
	  .verdict = XDP_PASS, .reason = XLB_R_PASS_NAT_VLAN },
	{ "ipv6 802.1Q-tagged, 1401 bytes on a 1400-byte path -> XDP_PASS pass_nat_vlan", K_FWD,
	  6, IPPROTO_TCP, "2001:db8:9::18", 8080, .ip_len = 1401, .vlan = true,
	  .verdict = XDP_PASS, .reason = XLB_R_PASS_NAT_VLAN },
	{ "ipv4 tcp reply from port 8080 -> VIP:80, XDP_REDIRECT to the client's arm", K_REPLY, 4,
	  IPPROTO_TCP, "198.51.100.18", 8080, .verdict = XDP_REDIRECT, .reason = XLB_R_NAT_REPLY,
	  .egress = IF_XN0, .dmac = client_mac },
	{ "ipv4 tcp reply on the one arm, same port -> XDP_TX", K_REPLY, 4, IPPROTO_TCP,
	  "192.0.2.18", 0, .verdict = XDP_TX, .reason = XLB_R_NAT_REPLY, .egress = IF_XN0,
	  .dmac = client_mac },
	{ "ipv4 udp reply without a checksum -> VIP:80, stays without", K_REPLY, 4, IPPROTO_UDP,
	  "198.51.100.18", 5353, .udp_nocsum = true, .verdict = XDP_REDIRECT,
	  .reason = XLB_R_NAT_REPLY, .egress = IF_XN0, .dmac = client_mac },
	{ "ipv6 tcp reply from port 8080 -> VIP:80, XDP_REDIRECT", K_REPLY, 6, IPPROTO_TCP,
	  "2001:db8:b::18", 8080, .verdict = XDP_REDIRECT, .reason = XLB_R_NAT_REPLY,
	  .egress = IF_XN0, .dmac = client_mac },
	{ "ipv6 udp reply -> VIP:80, XDP_REDIRECT", K_REPLY, 6, IPPROTO_UDP, "2001:db8:b::18",
	  5353, .verdict = XDP_REDIRECT, .reason = XLB_R_NAT_REPLY, .egress = IF_XN0,
	  .dmac = client_mac },
	{ "ipv4 reply for no flow -> XDP_PASS pass_not_vip, untouched", K_REPLY, 4, IPPROTO_TCP,
	  "198.51.100.18", 8080, .other_cport = true, .verdict = XDP_PASS,
	  .reason = XLB_R_PASS_NOT_VIP },
	{ "ipv6 reply for no flow -> XDP_PASS pass_not_vip, untouched", K_REPLY, 6, IPPROTO_TCP,
	  "2001:db8:b::18", 8080, .other_cport = true, .verdict = XDP_PASS,
	  .reason = XLB_R_PASS_NOT_VIP },
	{ "ipv4 reply with ttl 1 -> XDP_PASS pass_ttl, untouched", K_REPLY, 4, IPPROTO_TCP,
	  "198.51.100.18", 8080, .ttl = 1, .verdict = XDP_PASS, .reason = XLB_R_PASS_TTL },
	/* An answer would have to come from the client's address: dropped. */
	{ "ipv4 reply, 201 bytes with DF, client on a 200-byte path -> XDP_DROP drop_too_big",
	  K_REPLY, 4, IPPROTO_TCP, "198.51.100.18", 8080, .ip_len = 201, .df = true,
	  .verdict = XDP_DROP, .reason = XLB_R_DROP_TOO_BIG, .client = "192.0.2.99" },
	{ "ipv6 reply, 1401 bytes, client on a 1400-byte path -> XDP_DROP drop_too_big", K_REPLY,
	  6, IPPROTO_TCP, "2001:db8:b::18", 8080, .ip_len = 1401, .verdict = XDP_DROP,
	  .reason = XLB_R_DROP_TOO_BIG, .client = "2001:db8:d::1" },
	{ "ipv4 802.1Q-tagged reply of a flow -> XDP_PASS pass_nat_vlan, untouched", K_REPLY, 4,
	  IPPROTO_TCP, "198.51.100.18", 8080, .vlan = true, .verdict = XDP_PASS,
	  .reason = XLB_R_PASS_NAT_VLAN },
	{ "ipv6 802.1Q-tagged reply of a flow -> XDP_PASS pass_nat_vlan, untouched", K_REPLY, 6,
	  IPPROTO_TCP, "2001:db8:b::18", 8080, .vlan = true, .verdict = XDP_PASS,
	  .reason = XLB_R_PASS_NAT_VLAN },
	{ "ipv4 frag-needed about a reply -> the backend, quote translated", K_ICMP, 4,
	  IPPROTO_TCP, "198.51.100.18", 8080, .verdict = XDP_REDIRECT, .reason = XLB_R_FORWARDED,
	  .egress = IF_XN2, .dmac = be2_mac },
	{ "ipv4 frag-needed about a udp reply -> the backend, quote translated", K_ICMP, 4,
	  IPPROTO_UDP, "198.51.100.18", 5353, .verdict = XDP_REDIRECT,
	  .reason = XLB_R_FORWARDED, .egress = IF_XN2, .dmac = be2_mac },
	{ "ipv6 packet-too-big about a reply -> the backend, quote translated", K_ICMP, 6,
	  IPPROTO_TCP, "2001:db8:b::18", 8080, .verdict = XDP_REDIRECT,
	  .reason = XLB_R_FORWARDED, .egress = IF_XN2, .dmac = be2_mac },
	{ "ipv4 later fragment: address only -> XDP_REDIRECT", K_FRAG, 4, IPPROTO_UDP,
	  "198.51.100.18", 5353, .verdict = XDP_REDIRECT, .reason = XLB_R_FORWARDED,
	  .egress = IF_XN2, .dmac = be2_mac },
	{ "ipv4 later fragment of a reply: address only -> XDP_REDIRECT", K_RFRAG, 4, IPPROTO_UDP,
	  "198.51.100.18", 5353, .verdict = XDP_REDIRECT, .reason = XLB_R_NAT_REPLY,
	  .egress = IF_XN0, .dmac = client_mac },
};

static struct xlb_fixture fx;
static int ifindex_xn0, ifindex_xn2;

/* One frame as the builders make it: lengths and checksums from scratch. */
struct frame {
	int family;
	uint8_t proto;
	const uint8_t *dmac, *smac;
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t ttl;
	uint32_t ip_len;
	bool udp_nocsum, df, vlan;
	int frag; /* 0: whole, 1: first fragment (MF), 2: a later one at offset 64, no L4 header */
};

static void build(struct pkt *p, const struct frame *f)
{
	uint16_t ethertype = f->family == 4 ? ETH_P_IP : ETH_P_IPV6;
	uint32_t hdrs;

	pkt_init(p);
	if (f->vlan) {
		pkt_eth(p, f->dmac, f->smac, ETH_P_8021Q);
		pkt_vlan(p, 100, ethertype);
	} else {
		pkt_eth(p, f->dmac, f->smac, ethertype);
	}
	if (f->family == 4) {
		pkt_iphdr *ip = pkt_ipv4(p, f->src, f->dst);

		ip->ttl = f->ttl ? f->ttl : 64;
		ip->tos = 0xb8;
		if (f->df)
			ip->frag_off = htons(PKT_IP_DF);
		if (f->frag)
			pkt_ipv4_frag(p, f->frag == 2 ? 64 : 0, f->frag == 1);
		if (f->frag == 2) {
			ip->protocol = f->proto;
			pkt_payload(p, 40);
			pkt_finish(p);
			return;
		}
	} else {
		pkt_ipv6hdr *ip6 = pkt_ipv6(p, f->src, f->dst);

		ip6->hop_limit = f->ttl ? f->ttl : 64;
		ip6->priority = 0xb;
		ip6->flow_lbl[0] = 0x85;
	}
	if (f->proto == IPPROTO_TCP)
		pkt_tcp(p, f->sport, f->dport);
	else
		pkt_udp(p, f->sport, f->dport);
	hdrs = p->len - p->l3;
	pkt_payload(p, f->ip_len > hdrs ? f->ip_len - hdrs : 24);
	pkt_finish(p);
	if (f->udp_nocsum)
		((pkt_udphdr *)(p->data + p->l4))->check = 0;
}

static const char *vip_of(int family)
{
	return family == 4 ? VIP4 : VIP6;
}

static const char *client_of(const struct nat_case *c)
{
	if (c->client)
		return c->client;
	return c->family == 4 ? CLIENT4 : CLIENT6;
}

static int netns_enter(void)
{
	int err = fx_netns_enter(netns_setup, ARRAY_SIZE(netns_setup));

	if (err)
		return err;
	ifindex_xn0 = if_nametoindex("xn0");
	ifindex_xn2 = if_nametoindex("xn2");
	return ifindex_xn0 && ifindex_xn2 ? 0 : -ENODEV;
}

/* tx_ports as xlbd fills it: every interface, ifindex -> ifindex; or without xn2. */
static int tx_ports_set(bool with_xn2)
{
	int fd = bpf_map__fd(fx.skel->maps.tx_ports);
	uint32_t k;

	k = ifindex_xn0;
	if (bpf_map_update_elem(fd, &k, &k, BPF_ANY))
		return -errno;
	k = ifindex_xn2;
	if (with_xn2)
		return bpf_map_update_elem(fd, &k, &k, BPF_ANY) ? -errno : 0;
	if (bpf_map_delete_elem(fd, &k) && errno != ENOENT)
		return -errno;
	return 0;
}

/* One NAT VIP (TCP or UDP, port 80) with one backend at be:bport, which needs no MAC. */
static int config_set(const struct nat_case *c)
{
	struct xlb_vip v = { .id = VIP_ID, .ring_size = 7, .fwd = XLB_FWD_NAT,
			     .fallback = XLB_NO_BACKEND };
	struct xlb_backend be;
	uint32_t ids[] = { BE_ID }, id = BE_ID;
	int err;

	err = fx_vip_set(&fx, c->family, vip_of(c->family), c->proto, VPORT, &v);
	if (!err)
		err = fx_backend_set(&fx, BE_ID, c->family, c->be, VIP_ID,
				     XLB_BE_F_USED | XLB_BE_F_LIVE, 1);
	if (err)
		return err;
	be = fx.backends[BE_ID];
	be.port = htons(c->bport);
	if (bpf_map_update_elem(bpf_map__fd(fx.skel->maps.backends), &id, &be, BPF_ANY))
		return -errno;
	fx.backends[BE_ID] = be;
	err = fx_table_build(&fx, VIP_ID, ids, 1, 7);
	if (!err)
		err = tx_ports_set(!c->no_tx_port);
	if (!err)
		err = fx_map_clear(fx.skel->maps.conns);
	if (!err)
		err = fx_map_clear(fx.skel->maps.nat_flows);
	return err;
}

static uint16_t bport_of(const struct nat_case *c)
{
	return c->bport ? c->bport : VPORT;
}

/* The client's packet, as it arrives and as it must leave. */
static void client_frames(const struct nat_case *c, struct pkt *in, struct pkt *want, int frag)
{
	struct frame f = {
		.family = c->family, .proto = c->proto, .dmac = iface_mac, .smac = client_mac,
		.src = client_of(c), .dst = vip_of(c->family), .sport = CPORT,
		.dport = VPORT, .ttl = c->kind == K_FWD ? c->ttl : 0,
		.ip_len = c->kind == K_FWD ? c->ip_len : 0, .udp_nocsum = c->udp_nocsum, .df = c->df, .vlan = c->kind == K_FWD && c->vlan,
		.frag = frag,
	};

	build(in, &f);
	f.dmac = c->dmac ? c->dmac : be2_mac;
	f.smac = c->egress == IF_XN0 ? iface_mac : xn2_mac;
	f.dst = c->be;
	f.dport = bport_of(c);
	f.ttl = (f.ttl ? f.ttl : 64) - 1;
	build(want, &f);
}

/* The backend's reply, as it arrives on xn2 (or xn0, one-armed) and as it must leave. */
static void reply_frames(const struct nat_case *c, struct pkt *in, struct pkt *want, int frag)
{
	struct frame f = {
		.family = c->family, .proto = c->proto, .dmac = iface_mac, .smac = be2_mac,
		.src = c->be, .dst = client_of(c), .sport = bport_of(c),
		.dport = c->other_cport ? CPORT + 1 : CPORT, .ttl = c->ttl, .ip_len = c->ip_len,
		.udp_nocsum = c->udp_nocsum, .df = c->df, .vlan = c->vlan, .frag = frag,
	};

	build(in, &f);
	f.dmac = client_mac;
	f.smac = iface_mac;
	f.src = vip_of(c->family);
	f.sport = VPORT;
	f.ttl = (f.ttl ? f.ttl : 64) - 1;
	build(want, &f);
}

/* A router's path-MTU error about a reply, sent to the reply's source (the VIP). */
static void icmp_frames(const struct nat_case *c, struct pkt *in, struct pkt *want)
{
	const char *router = c->family == 4 ? ROUTER4 : ROUTER6;
	struct frame q = {
		.family = c->family, .proto = c->proto, .dmac = client_mac, .smac = iface_mac,
		.src = vip_of(c->family), .dst = client_of(c), .sport = VPORT,
		.dport = CPORT, .ttl = 63,
	};
	struct pkt quote;

	/* The reply as it left the dispatcher, quoted whole (its L4 checksum included). */
	build(&quote, &q);
	pkt_pmtu_error(in, iface_mac, router_mac, c->family, router, vip_of(c->family),
		       quote.data + quote.l3, quote.len - quote.l3);
	/* What the backend sent, quoted: its own address and port. */
	q.src = c->be;
	q.sport = bport_of(c);
	build(&quote, &q);
	pkt_pmtu_error(want, c->dmac, xn2_mac, c->family, router, c->be, quote.data + quote.l3,
		       quote.len - quote.l3);
	if (c->family == 4)
		((pkt_iphdr *)(want->data + want->l3))->ttl = 63;
	else
		((pkt_ipv6hdr *)(want->data + want->l3))->hop_limit = 63;
	pkt_finish(want);
}

static int run_on(int ifindex, const struct pkt *p, uint8_t *out, uint32_t *out_len,
		  uint32_t *retval)
{
	int err = fx_run_on(&fx, ifindex, p->data, p->len, out, out_len, retval);

	if (err)
		fail_msg("bpf_prog_test_run_opts: %s", strerror(-err));
	return err;
}

/* Send the client's packet that opens the flow; its nat_flows entry is the replies' way back. */
static void open_flow(const struct nat_case *c, int frag)
{
	uint32_t out_len = 0, retval = 0;
	uint8_t out[PKT_MAX];
	struct pkt in, want;
	struct nat_case fwd = *c;

	fwd.kind = K_FWD;
	fwd.ttl = 0;
	fwd.other_cport = false;
	fwd.vlan = false;
	client_frames(&fwd, &in, &want, frag);
	run_on(ifindex_xn0, &in, out, &out_len, &retval);
	if (retval != XDP_REDIRECT && retval != XDP_TX)
		fail_msg("the flow's opening packet got verdict %u", retval);
}

/* The output's checksums as a receiver checks them: recomputed from its own bytes. */
static void check_sums(const uint8_t *out, uint32_t len, const struct pkt *shape)
{
	struct pkt q = *shape;
	bool nocsum = shape->proto == IPPROTO_UDP && shape->family == 4 && shape->l4 >= 0 &&
		      !((const pkt_udphdr *)(shape->data + shape->l4))->check;

	memcpy(q.data, out, len);
	q.len = len;
	pkt_finish(&q);
	if (nocsum)
		((pkt_udphdr *)(q.data + q.l4))->check = 0;
	pc_bytes("checksums recomputed from the output", q.data, out, len);
}

static void test_case(void **state)
{
	const struct nat_case *c = *state;
	struct xlb_counters before[XLB_R_MAX], after[XLB_R_MAX];
	uint32_t out_len = 0, retval = 0;
	int ifindex = ifindex_xn0;
	uint8_t out[PKT_MAX];
	struct pkt in, want;

	assert_int_equal(config_set(c), 0);
	switch (c->kind) {
	case K_FWD:
		client_frames(c, &in, &want, 0);
		break;
	case K_REPLY:
		open_flow(c, 0);
		reply_frames(c, &in, &want, 0);
		if (strcmp(c->be, "192.0.2.18"))
			ifindex = ifindex_xn2;
		break;
	case K_RFRAG:
		open_flow(c, 0);
		reply_frames(c, &in, &want, 1);
		run_on(ifindex_xn2, &in, out, &out_len, &retval);
		if (retval != XDP_REDIRECT)
			fail_msg("the reply's first fragment got verdict %u", retval);
		reply_frames(c, &in, &want, 2);
		ifindex = ifindex_xn2;
		break;
	case K_ICMP:
		open_flow(c, 0);
		icmp_frames(c, &in, &want);
		break;
	case K_FRAG:
		open_flow(c, 1);
		client_frames(c, &in, &want, 2);
		break;
	}
	pc_snapshot(&fx, before);
	run_on(ifindex, &in, out, &out_len, &retval);
	if (retval != c->verdict)
		fail_msg("verdict %u, want %u", retval, c->verdict);
	pc_snapshot(&fx, after);
	pc_one_reason(before, after, c->reason, in.len);
	if (c->verdict == XDP_DROP || c->verdict == XDP_PASS) {
		if (out_len != in.len || memcmp(out, in.data, in.len))
			fail_msg("a frame not sent on must leave as it came");
		return;
	}
	if (out_len != want.len)
		fail_msg("data_size_out %u, want %u", out_len, want.len);
	pc_bytes("output frame", out, want.data, want.len);
	check_sums(out, out_len, &want);
}

/* Whether map holds no entry. */
static bool map_empty(struct bpf_map *map)
{
	uint8_t key[64];

	return bpf_map_get_next_key(bpf_map__fd(map), NULL, key) && errno == ENOENT;
}

/*
 * Too big for the backend's path (NAT adds no header: the MTU the client is told is the egress
 * path's): the client gets ICMP "fragmentation needed" or "packet too big" from the VIP, quoting
 * its packet, rebuilt from the RFCs and compared byte for byte (pc_check_too_big). Nothing was
 * forwarded, so neither conns nor nat_flows holds the flow.
 */
struct nat_too_big {
	const char *name;
	struct nat_case c; /* the client's packet (K_FWD), the backend behind a small path */
	uint32_t mtu;      /* the MTU field */
	uint32_t quote;    /* bytes of the client's datagram quoted */
};

static const struct nat_too_big too_big_cases[] = {
	{ "ipv4 tcp, 201 bytes with DF on a 200-byte path -> frag needed, mtu 200, all quoted",
	  { .kind = K_FWD, .family = 4, .proto = IPPROTO_TCP, .be = "198.51.100.99",
	    .bport = 8080, .ip_len = 201, .df = true }, 200, 201 },
	{ "ipv4 udp, 1200 bytes with DF on a 1000-byte path -> frag needed, mtu 1000, 548 quoted",
	  { .kind = K_FWD, .family = 4, .proto = IPPROTO_UDP, .be = "198.51.100.98",
	    .bport = 5353, .ip_len = 1200, .df = true }, 1000, 548 },
	{ "ipv6 tcp, 1401 bytes on a 1400-byte path -> packet too big, mtu 1400, 1232 quoted",
	  { .kind = K_FWD, .family = 6, .proto = IPPROTO_TCP, .be = "2001:db8:9::18",
	    .bport = 8080, .ip_len = 1401 }, 1400, 1232 },
	{ "ipv6 udp, 1500 bytes on a 1400-byte path -> packet too big, mtu 1400, 1232 quoted",
	  { .kind = K_FWD, .family = 6, .proto = IPPROTO_UDP, .be = "2001:db8:9::18",
	    .bport = 5353, .ip_len = 1500 }, 1400, 1232 },
};

static void test_too_big(void **state)
{
	const struct nat_too_big *t = *state;
	struct xlb_counters before[XLB_R_MAX], after[XLB_R_MAX];
	uint32_t out_len = 0, retval = 0;
	uint8_t out[PKT_MAX];
	struct pkt in, want;

	assert_int_equal(config_set(&t->c), 0);
	client_frames(&t->c, &in, &want, 0);
	pc_snapshot(&fx, before);
	run_on(ifindex_xn0, &in, out, &out_len, &retval);
	pc_snapshot(&fx, after);
	if (!map_empty(fx.skel->maps.conns) || !map_empty(fx.skel->maps.nat_flows))
		fail_msg("a too-big packet bound a flow (conns or nat_flows has an entry)");
	pc_one_reason(before, after, XLB_R_ICMP_TOO_BIG, in.len);
	if (retval != XDP_TX)
		fail_msg("verdict %u, want XDP_TX", retval);
	pc_check_too_big(out, out_len, &in, t->mtu, t->quote);
}

/* The entry a new flow leaves in nat_flows: keyed as its replies come, holding VIP:port. */
static void test_nat_flows_entry(void **state)
{
	const struct nat_case *c = &cases[0];
	struct xlb_nat_key key = { .bport = htons(8080), .cport = htons(CPORT),
				   .proto = IPPROTO_TCP, .family = XLB_FAMILY_V4 };
	struct xlb_nat nat, want = { .vport = htons(VPORT), .vip_id = VIP_ID, .backend = BE_ID };
	struct xlb_counters v0, v1;
	uint32_t out_len = 0, retval = 0;
	uint8_t out[PKT_MAX];
	struct pkt in, exp;

	(void)state;
	assert_int_equal(config_set(c), 0);
	pkt_addr(4, c->be, key.backend);
	pkt_addr(4, CLIENT4, key.client);
	pkt_addr(4, VIP4, want.vip);
	open_flow(c, 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(fx.skel->maps.nat_flows), &key, &nat), 0);
	assert_true(nat.last_seen != 0);
	want.last_seen = nat.last_seen;
	assert_memory_equal(&nat, &want, sizeof(nat));

	/* A reply counts toward its VIP. */
	assert_int_equal(fx_counters(&fx, fx.skel->maps.vip_stats, VIP_ID, &v0), 0);
	reply_frames(c, &in, &exp, 0);
	run_on(ifindex_xn2, &in, out, &out_len, &retval);
	assert_int_equal(retval, XDP_REDIRECT);
	assert_int_equal(fx_counters(&fx, fx.skel->maps.vip_stats, VIP_ID, &v1), 0);
	assert_int_equal(v1.packets - v0.packets, 1);
	assert_int_equal(v1.bytes - v0.bytes, in.len);
}

/*
 * A reply toward a client whose neighbour the kernel has not resolved (bpf_fib_lookup never
 * resolves one): dropped as drop_no_route, left as it came, and named on neigh_wants once, so
 * xlbd can probe it; a second reply within XLB_NEIGH_WANT_NS on the same CPU adds no record,
 * one after it does.
 */
struct want_seen {
	struct xlb_neigh_want ev;
	int n;
};

static int on_want(void *ctx, void *data, size_t len)
{
	struct want_seen *w = ctx;

	if (len == sizeof(w->ev))
		memcpy(&w->ev, data, sizeof(w->ev));
	w->n++;
	return 0;
}

static void reply_no_neigh(struct ring_buffer *rb, struct want_seen *w, const struct nat_case *c,
			   const struct pkt *in)
{
	struct xlb_counters before[XLB_R_MAX], after[XLB_R_MAX];
	uint32_t out_len = 0, retval = 0;
	uint8_t out[PKT_MAX];

	pc_snapshot(&fx, before);
	run_on(ifindex_xn2, in, out, &out_len, &retval);
	pc_snapshot(&fx, after);
	if (retval != XDP_DROP)
		fail_msg("%s: verdict %u, want XDP_DROP", c->name, retval);
	pc_one_reason(before, after, XLB_R_DROP_NO_ROUTE, in->len);
	if (out_len != in->len || memcmp(out, in->data, in->len))
		fail_msg("%s: a frame not sent on must leave as it came", c->name);
	w->n = 0;
	assert_true(ring_buffer__consume(rb) >= 0);
}

static void test_neigh_want(void **state)
{
	static const struct nat_case cs[] = {
		{ "ipv4 reply to an unresolved client", K_REPLY, 4, IPPROTO_TCP, "198.51.100.18",
		  8080, .client = "192.0.2.77" },
		{ "ipv6 reply to an unresolved client", K_REPLY, 6, IPPROTO_TCP, "2001:db8:b::18",
		  8080, .client = "2001:db8:c::77" },
	};
	struct want_seen w = { .n = 0 };
	struct ring_buffer *rb;
	struct pkt in, want;
	__be32 client[4];
	cpu_set_t one;
	size_t i;

	(void)state;
	/* The rate limit is per CPU: every run of this test on the same one. */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	rb = ring_buffer__new(bpf_map__fd(fx.skel->maps.neigh_wants), on_want, &w, NULL);
	assert_non_null(rb);
	assert_true(ring_buffer__consume(rb) >= 0); /* whatever earlier cases left */
	for (i = 0; i < ARRAY_SIZE(cs); i++) {
		const struct nat_case *c = &cs[i];

		assert_int_equal(config_set(c), 0);
		open_flow(c, 0);
		reply_frames(c, &in, &want, 0);
		memset(client, 0, sizeof(client));
		pkt_addr(c->family, c->client, client);

		reply_no_neigh(rb, &w, c, &in);
		if (w.n != 1)
			fail_msg("%s: %d neigh_wants records, want 1", c->name, w.n);
		assert_memory_equal(w.ev.addr, client, sizeof(client));
		assert_int_equal(w.ev.family, c->family == 4 ? XLB_FAMILY_V4 : XLB_FAMILY_V6);
		assert_int_equal(w.ev.ifindex, ifindex_xn0);

		reply_no_neigh(rb, &w, c, &in);
		if (w.n != 0)
			fail_msg("%s: again at once: %d records, want 0", c->name, w.n);

		usleep(XLB_NEIGH_WANT_NS / 1000 + 1000);
		reply_no_neigh(rb, &w, c, &in);
		if (w.n != 1)
			fail_msg("%s: after the window: %d records, want 1", c->name, w.n);
	}
	ring_buffer__free(rb);
	CPU_ZERO(&one);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + ARRAY_SIZE(too_big_cases) + 2];
	size_t i;
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "test_packet_nat: BPF_PROG_TEST_RUN needs root; skipped\n");
		return 77;
	}
	if (netns_enter() || fx_open(&fx, iface_mac))
		return 1;
	memset(tests, 0, sizeof(tests));
	i = pc_table(tests, cases, ARRAY_SIZE(cases), sizeof(cases[0]), test_case);
	i += pc_table(tests + i, too_big_cases, ARRAY_SIZE(too_big_cases), sizeof(too_big_cases[0]),
		      test_too_big);
	tests[i].name = "a new flow's nat_flows entry: reply key, VIP:port, ids; replies count";
	tests[i].test_func = test_nat_flows_entry;
	tests[++i].name = "a reply to an unresolved client: dropped, its address on neigh_wants once";
	tests[i].test_func = test_neigh_want;
	failed = _cmocka_run_group_tests("nat packet cases", tests, ARRAY_SIZE(tests), NULL, NULL);
	fx_close(&fx);
	return failed ? 1 : 0;
}
