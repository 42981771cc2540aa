// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet tests of the packets that are not one plain frame per datagram: IP fragments, VLAN tags
 * and the IPv6 extension headers the walk must step over (the real xlb_xdp program, run with
 * BPF_PROG_TEST_RUN, as in test_packet.c).
 *
 * Test that a first fragment is balanced like its flow and recorded in frags; that later fragments
 * follow it to the same backend byte-exact, also for a 3000-byte UDP datagram split in three
 * (IPv4, IPv6), and go where frags says, not where hashing would; that a later fragment without
 * its first goes to the kernel counted as pass_frag_unknown; that one- and two-tag frames are
 * balanced with their tags kept and three tags are pass_vlan_depth; that AH is walked.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* A 1500-byte MTU's fragments, and the whole 3000-byte datagram they are cut from. */
#define PKT_MAX 3200
#include "common/names.h"
#include "fixture.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t iface_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t router_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xfe };

#define CLIENT4 "192.0.2.1"
#define CLIENT6 "2001:db8:c::1"
#define VIP4 "203.0.113.10"
#define VIP6 "2001:db8:a::10"
#define PKT_NEXTHDR_AUTH 51

enum { VIP_NONE, VIP_DNS4, VIP_DNS6, VIP_WEB4, VIP_WEB6 };

static const struct {
	uint32_t id;
	int family;
	const char *addr;
	uint8_t proto;
	uint16_t port;
	uint32_t members[4];
} vips[] = {
	{ VIP_DNS4, 4, VIP4, IPPROTO_UDP, 53, { 1, 2, 3 } },
	{ VIP_DNS6, 6, VIP6, IPPROTO_UDP, 53, { 4, 5, 6 } },
	{ VIP_WEB4, 4, VIP4, IPPROTO_TCP, 80, { 7, 8 } },
	{ VIP_WEB6, 6, VIP6, IPPROTO_TCP, 443, { 9, 10 } },
};

#define BE_OK (XLB_BE_F_USED | XLB_BE_F_LIVE | XLB_BE_F_MAC)
#define RING 13

static int setup(void **state)
{
	struct xlb_fixture *fx = calloc(1, sizeof(*fx));
	char addr[INET6_ADDRSTRLEN];
	size_t i, n;
	int err;

	if (!fx)
		return -1;
	err = fx_open(fx, iface_mac);
	for (i = 0; !err && i < ARRAY_SIZE(vips); i++) {
		struct xlb_vip vip = { .id = vips[i].id, .ring_size = RING,
				       .sched = XLB_SCHED_MAGLEV, .fallback = XLB_NO_BACKEND };

		err = fx_vip_set(fx, vips[i].family, vips[i].addr, vips[i].proto, vips[i].port, &vip);
		for (n = 0; !err && n < ARRAY_SIZE(vips[i].members) && vips[i].members[n]; n++) {
			snprintf(addr, sizeof(addr), vips[i].family == 6 ? "2001:db8:b::%u" :
					"198.51.100.%u", vips[i].members[n]);
			err = fx_backend_set(fx, vips[i].members[n], vips[i].family, addr, vips[i].id,
					     BE_OK, 1);
		}
		if (!err)
			err = fx_table_build(fx, vips[i].id, vips[i].members, n, RING);
	}
	if (err) {
		print_error("fixture: %s\n", strerror(-err));
		fx_close(fx);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fx_close(*state);
	free(*state);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Frames
 */

/* A whole UDP datagram of len bytes (header included) from the client to vip:53. */
static void build_udp(struct pkt *p, int family, uint16_t sport, uint32_t len)
{
	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	if (family == 6)
		pkt_ipv6(p, CLIENT6, VIP6);
	else
		pkt_ipv4(p, CLIENT4, VIP4);
	pkt_udp(p, sport, 53);
	pkt_payload(p, len - sizeof(struct udphdr));
	pkt_finish(p);
}

/*
 * Fragment number i of whole (a finished IP datagram), cut as a 1500-byte MTU cuts it: its header
 * (IPv4 with offset and MF / IPv6 plus a fragment header), then bytes [off, off + n) of the
 * payload after the IP header. Returns false past the last fragment.
 */
static bool build_fragment(const struct pkt *whole, uint32_t i, uint32_t id, struct pkt *p)
{
	uint32_t hlen = whole->family == 6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	uint32_t total = whole->len - whole->l3 - hlen;
	uint32_t chunk = whole->family == 6 ? 1448 : 1480; /* 1500 - headers, a multiple of 8 */
	uint32_t off = i * chunk, n;
	bool more;

	if (off >= total)
		return false;
	n = total - off < chunk ? total - off : chunk;
	more = off + n < total;
	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, whole->family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	if (whole->family == 6) {
		uint8_t *fh;

		pkt_ipv6(p, CLIENT6, VIP6);
		pkt_ipv6_ext(p, PKT_NEXTHDR_FRAGMENT, 8);
		fh = p->data + p->len - 8;
		fh[0] = whole->proto;
		fh[2] = (uint8_t)(off >> 8);
		fh[3] = (uint8_t)(off & 0xf8) | more;
		memcpy(fh + 4, &(uint32_t){ htonl(id) }, 4);
	} else {
		pkt_iphdr *ip = pkt_ipv4(p, CLIENT4, VIP4);

		ip->protocol = whole->proto;
		ip->id = htons((uint16_t)id);
		pkt_ipv4_frag(p, off, more);
	}
	pkt_append(p, whole->data + whole->l3 + hlen + off, n);
	pkt_finish(p);
	return true;
}

/* ---------------------------------------------------------------------------------------------
 * Running
 */

static uint64_t reason_packets(const struct xlb_fixture *fx, uint32_t r)
{
	struct xlb_counters c;

	assert_int_equal(fx_counters(fx, fx->skel->maps.reason_stats, r, &c), 0);
	return c.packets;
}

/*
 * Run p; check the verdict, that reason moved by one packet, and the output: only the MACs
 * changed, to backend be's and iface_mac, for XDP_TX; byte-identical otherwise.
 */
static void run_expect(const struct xlb_fixture *fx, const struct pkt *p, uint32_t verdict,
		       uint32_t reason, uint32_t be)
{
	uint64_t before = reason_packets(fx, reason);
	uint8_t out[PKT_MAX], want[PKT_MAX];
	uint32_t out_len = 0, retval = 0, i;

	assert_int_equal(fx_run(fx, p->data, p->len, out, &out_len, &retval), 0);
	if (retval != verdict)
		fail_msg("verdict %u, want %u (reason %s)", retval, verdict, xlb_reason_name(reason));
	memcpy(want, p->data, p->len);
	if (verdict == XDP_TX) {
		memcpy(want, fx->backends[be].mac, ETH_ALEN);
		memcpy(want + ETH_ALEN, fx->iface_mac, ETH_ALEN);
	}
	assert_int_equal(out_len, p->len);
	for (i = 0; i < p->len; i++)
		if (out[i] != want[i])
			fail_msg("byte %u is 0x%02x, want 0x%02x", i, out[i], want[i]);
	if (reason_packets(fx, reason) - before != 1)
		fail_msg("reason_stats[%s] did not move by one", xlb_reason_name(reason));
}

/* The frags key of the fragments with id of p, a whole datagram. */
static void frag_key(const struct pkt *p, uint32_t id, struct xlb_frag_key *k)
{
	struct xlb_flow f;

	pkt_flow(p, &f);
	memset(k, 0, sizeof(*k));
	memcpy(k->src, f.src, sizeof(k->src));
	memcpy(k->dst, f.dst, sizeof(k->dst));
	k->id = p->family == 6 ? htonl(id) : htons((uint16_t)id);
	k->proto = IPPROTO_UDP;
	k->family = f.family;
}

/* The backend the VIP's table gives the whole datagram's flow. */
static uint32_t predicted(const struct xlb_fixture *fx, const struct pkt *whole, uint32_t vip)
{
	struct xlb_flow f;
	uint32_t be;

	pkt_flow(whole, &f);
	be = fx_table_pick(fx, vip, &f);
	assert_true(be != XLB_NO_BACKEND);
	return be;
}

/* ---------------------------------------------------------------------------------------------
 * Fragments
 */

static void datagram_follows(struct xlb_fixture *fx, int family, uint32_t vip)
{
	uint32_t id = family == 6 ? 0x5eed0001 : 0x4242, i, be;
	struct xlb_counters b0, b1, v0, v1;
	struct xlb_frag_key key;
	struct xlb_frag rec;
	struct pkt whole, frag;

	build_udp(&whole, family, 40100, 3000);
	be = predicted(fx, &whole, vip);
	assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, be, &b0), 0);
	assert_int_equal(fx_counters(fx, fx->skel->maps.vip_stats, vip, &v0), 0);
	for (i = 0; build_fragment(&whole, i, id, &frag); i++) {
		run_expect(fx, &frag, XDP_TX, XLB_R_FORWARDED, be);
		if (i)
			continue;
		/* The first fragment's choice is recorded with the ports the others lack. */
		frag_key(&whole, id, &key);
		if (bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.frags), &key, &rec))
			fail_msg("frags has no entry after the first fragment");
		assert_int_equal(rec.backend, be);
		assert_int_equal(rec.vip_id, vip);
		assert_int_equal(ntohs(rec.sport), 40100);
		assert_int_equal(ntohs(rec.dport), 53);
	}
	assert_int_equal(i, 3);
	assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, be, &b1), 0);
	assert_int_equal(fx_counters(fx, fx->skel->maps.vip_stats, vip, &v1), 0);
	assert_int_equal(b1.packets - b0.packets, 3);
	/* One flow: the first fragment opened it, the later ones only followed. */
	assert_int_equal(v1.new_flows - v0.new_flows, 1);
}

static void test_datagram_3000_v4(void **state)
{
	datagram_follows(*state, 4, VIP_DNS4);
}

static void test_datagram_3000_v6(void **state)
{
	datagram_follows(*state, 6, VIP_DNS6);
}

/* A later fragment goes where frags says, even where hashing its flow would not. */
static void test_later_fragment_goes_where_recorded(void **state)
{
	struct xlb_fixture *fx = *state;
	uint32_t be, other, id = 0x777;
	struct xlb_frag_key key;
	struct xlb_frag rec;
	struct pkt whole, frag;

	build_udp(&whole, 4, 40200, 3000);
	be = predicted(fx, &whole, VIP_DNS4);
	other = be == 1 ? 2 : 1;
	assert_true(build_fragment(&whole, 0, id, &frag));
	run_expect(fx, &frag, XDP_TX, XLB_R_FORWARDED, be);
	frag_key(&whole, id, &key);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.frags), &key, &rec), 0);
	rec.backend = other;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx->skel->maps.frags), &key, &rec, 0), 0);
	assert_true(build_fragment(&whole, 1, id, &frag));
	run_expect(fx, &frag, XDP_TX, XLB_R_FORWARDED, other);
}

static void test_unknown_later_fragment_passes(void **state)
{
	struct xlb_fixture *fx = *state;
	struct pkt whole, frag;

	build_udp(&whole, 4, 40300, 3000);
	assert_true(build_fragment(&whole, 1, 0x999, &frag));
	run_expect(fx, &frag, XDP_PASS, XLB_R_PASS_FRAG_UNKNOWN, 0);
	build_udp(&whole, 6, 40300, 3000);
	assert_true(build_fragment(&whole, 2, 0x999, &frag));
	run_expect(fx, &frag, XDP_PASS, XLB_R_PASS_FRAG_UNKNOWN, 0);
}

/* The first fragment's backend went down: a datagram cannot be finished elsewhere. */
static void test_later_fragment_of_dead_backend_passes(void **state)
{
	struct xlb_fixture *fx = *state;
	struct pkt whole, frag;
	uint32_t be;

	build_udp(&whole, 6, 40400, 3000);
	be = predicted(fx, &whole, VIP_DNS6);
	assert_true(build_fragment(&whole, 0, 0xabc, &frag));
	run_expect(fx, &frag, XDP_TX, XLB_R_FORWARDED, be);
	assert_int_equal(fx_backend_flags(fx, be, XLB_BE_F_USED | XLB_BE_F_MAC), 0);
	assert_true(build_fragment(&whole, 1, 0xabc, &frag));
	run_expect(fx, &frag, XDP_PASS, XLB_R_PASS_FRAG_UNKNOWN, 0);
}

/* ---------------------------------------------------------------------------------------------
 * VLAN tags and IPv6 extension headers
 */

/* A TCP SYN to the web VIP of family, behind the tags (outer first), ext headers before TCP. */
static void build_tcp(struct pkt *p, int family, const uint16_t *tags, int n_tags,
		      const uint8_t *ext, int n_ext)
{
	int i;

	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, n_tags ? tags[0] : family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	for (i = 0; i < n_tags; i++)
		pkt_vlan(p, 100 + i, i + 1 < n_tags ? tags[i + 1] :
				     family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	if (family == 6) {
		pkt_ipv6(p, CLIENT6, VIP6);
		for (i = 0; i < n_ext; i++) {
			pkt_ipv6_ext(p, ext[i], 24);
			/* AH counts 4-byte units less 2, not 8-byte units less 1 */
			if (ext[i] == PKT_NEXTHDR_AUTH)
				p->data[p->len - 24 + 1] = 24 / 4 - 2;
		}
	} else {
		pkt_ipv4(p, CLIENT4, VIP4);
	}
	pkt_tcp(p, 40500, family == 6 ? 443 : 80);
	pkt_payload(p, 20);
	pkt_finish(p);
}

static uint32_t predicted_tcp(const struct xlb_fixture *fx, int family, uint32_t vip)
{
	struct pkt plain;

	build_tcp(&plain, family, NULL, 0, NULL, 0);
	return predicted(fx, &plain, vip);
}

static void test_tagged_frames_balanced(void **state)
{
	static const uint16_t q[] = { ETH_P_8021Q }, qinq[] = { ETH_P_8021AD, ETH_P_8021Q },
			      qq[] = { ETH_P_8021Q, ETH_P_8021Q };
	struct xlb_fixture *fx = *state;
	struct pkt p;

	build_tcp(&p, 4, q, 1, NULL, 0);
	run_expect(fx, &p, XDP_TX, XLB_R_FORWARDED, predicted_tcp(fx, 4, VIP_WEB4));
	build_tcp(&p, 6, q, 1, NULL, 0);
	run_expect(fx, &p, XDP_TX, XLB_R_FORWARDED, predicted_tcp(fx, 6, VIP_WEB6));
	build_tcp(&p, 4, qinq, 2, NULL, 0);
	run_expect(fx, &p, XDP_TX, XLB_R_FORWARDED, predicted_tcp(fx, 4, VIP_WEB4));
	build_tcp(&p, 6, qinq, 2, NULL, 0);
	run_expect(fx, &p, XDP_TX, XLB_R_FORWARDED, predicted_tcp(fx, 6, VIP_WEB6));
	build_tcp(&p, 4, qq, 2, NULL, 0);
	run_expect(fx, &p, XDP_TX, XLB_R_FORWARDED, predicted_tcp(fx, 4, VIP_WEB4));
}

static void test_triple_tagged_passes(void **state)
{
	static const uint16_t three[] = { ETH_P_8021AD, ETH_P_8021Q, ETH_P_8021Q };
	struct pkt p;

	build_tcp(&p, 4, three, 3, NULL, 0);
	run_expect(*state, &p, XDP_PASS, XLB_R_PASS_VLAN_DEPTH, 0);
}

/* A first fragment behind two tags: recorded, and its later fragment follows, tags and all. */
static void test_tagged_fragments_follow(void **state)
{
	static const uint16_t qinq[] = { ETH_P_8021AD, ETH_P_8021Q };
	struct xlb_fixture *fx = *state;
	struct pkt whole, frag, tagged;
	uint32_t be, i;

	build_udp(&whole, 4, 40600, 3000);
	be = predicted(fx, &whole, VIP_DNS4);
	for (i = 0; build_fragment(&whole, i, 0x1717, &frag); i++) {
		/* Push the two tags in after the MACs. */
		pkt_init(&tagged);
		pkt_eth(&tagged, iface_mac, router_mac, qinq[0]);
		pkt_vlan(&tagged, 10, qinq[1]);
		pkt_vlan(&tagged, 20, ETH_P_IP);
		pkt_append(&tagged, frag.data + ETH_HLEN, frag.len - ETH_HLEN);
		run_expect(fx, &tagged, XDP_TX, XLB_R_FORWARDED, be);
	}
}

static void test_ipv6_ah_walked(void **state)
{
	static const uint8_t ah[] = { PKT_NEXTHDR_AUTH },
			     hop_ah_dest[] = { PKT_NEXTHDR_HOP, PKT_NEXTHDR_AUTH, PKT_NEXTHDR_DEST };
	struct xlb_fixture *fx = *state;
	uint32_t be = predicted_tcp(fx, 6, VIP_WEB6);
	struct pkt p;

	build_tcp(&p, 6, NULL, 0, ah, 1);
	run_expect(fx, &p, XDP_TX, XLB_R_FORWARDED, be);
	build_tcp(&p, 6, NULL, 0, hop_ah_dest, 3);
	run_expect(fx, &p, XDP_TX, XLB_R_FORWARDED, be);
}

static void test_ipv6_chain_over_the_walk_passes(void **state)
{
	static const uint8_t five[] = { PKT_NEXTHDR_HOP, PKT_NEXTHDR_AUTH, PKT_NEXTHDR_DEST,
					PKT_NEXTHDR_AUTH, PKT_NEXTHDR_DEST };
	struct pkt p;

	build_tcp(&p, 6, NULL, 0, five, 5);
	run_expect(*state, &p, XDP_PASS, XLB_R_PASS_IP_EXT, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_datagram_3000_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datagram_3000_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_fragment_goes_where_recorded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_later_fragment_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_fragment_of_dead_backend_passes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tagged_frames_balanced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triple_tagged_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tagged_fragments_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_ah_walked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_chain_over_the_walk_passes, setup,
						teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_packet_frag: BPF_PROG_TEST_RUN needs root; skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
