/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tun phase of test_packet_fuzz.c (included once by it, after its reference and checkers):
 * VIPs that forward by tunnel, with a FIB to find their backends. The phase moves into a network
 * namespace of its own (a veth for the ingress, neighbours, a router, routes with a small locked
 * MTU), adds four tun VIPs (IPIP, IP6IP6, 4in6 over a 400-byte path, 6in4 over a 300-byte one) and
 * throws frames of their flows and mutations of them, run on the veth as ingress. Test that,
 * besides the invariants every frame meets (one reason moved, a frame not sent on unchanged):
 *   - a frame the independent parse (ref_flow) gives a flow of a tun VIP, sent to iface_mac,
 *     is forwarded when its datagram and the outer header fit the path, else answered too big
 *     (IPv4 with DF, the MTU left at least 68) or dropped as drop_too_big;
 *   - a forwarded frame is a new Ethernet header (the next hop's MAC, iface_mac) and an outer
 *     header built from the RFCs (RFC 2003 / 2473 and the design's copies of tos, id and DF)
 *     around the client's datagram, byte for byte, its VLAN tags left out;
 *   - an answer goes back to the frame's source MAC with its tags, from the VIP, ICMP frag
 *     needed with the path's MTU less the outer header, both checksums right, the client's
 *     datagram quoted up to 576 bytes in all;
 *   - nothing else is sent on by this phase but DR forwards, which check_forwarded checks.
 */
#ifndef XLB_TEST_FUZZ_TUN_H
#define XLB_TEST_FUZZ_TUN_H

/* if_nametoindex: <net/if.h>, which the includer has before the UAPI headers it conflicts with. */

#define TUN_SRC4 "198.51.100.1"
#define TUN_SRC6 "2001:db8:b::1"
#define TUN_OUT_MAX (PKT_MAX + 64) /* room for an outer header on the largest frame */

static const uint8_t tun_be_mac[ETH_ALEN] = { 0x02, 0xbe, 0x00, 0x00, 0x00, 0x40 };
static const uint8_t tun_router_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x01, 0xfe };

static const char *const tun_netns[] = {
	"ip link set lo up",
	"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1",
	"ip link add xf0 address 02:00:5e:00:00:01 type veth peer name xf1",
	"ip link set xf0 up && ip link set xf1 up",
	"ip addr add " TUN_SRC4 "/25 dev xf0 && ip addr add " TUN_SRC6 "/64 dev xf0 nodad",
	"ip neigh add 198.51.100.40 lladdr 02:be:00:00:00:40 dev xf0 nud permanent",
	"ip -6 neigh add 2001:db8:b::40 lladdr 02:be:00:00:00:40 dev xf0 nud permanent",
	"ip neigh add 198.51.100.126 lladdr 02:00:5e:00:01:fe dev xf0 nud permanent",
	"ip -6 neigh add 2001:db8:b::fe lladdr 02:00:5e:00:01:fe dev xf0 nud permanent",
	"ip route add 198.51.100.99/32 via 198.51.100.126 mtu lock 300",
	"ip -6 route add 2001:db8:f::/64 via 2001:db8:b::fe mtu lock 400",
};

static const struct tun_vip {
	uint32_t id, be;
	int family, be_family;
	const char *addr, *be_addr;
	uint8_t proto;
	uint16_t port;
	const uint8_t *hop_mac;
	uint32_t path_mtu;
} tun_vips[] = {
	{ 20, 21, 4, 4, "203.0.113.36", "198.51.100.40", IPPROTO_TCP, 80, tun_be_mac, 1500 },
	{ 21, 22, 6, 6, "2001:db8:a::36", "2001:db8:b::40", IPPROTO_UDP, 53, tun_be_mac, 1500 },
	{ 22, 23, 4, 6, "203.0.113.37", "2001:db8:f::40", IPPROTO_TCP, 80, tun_router_mac, 400 },
	{ 23, 24, 6, 4, "2001:db8:a::37", "198.51.100.99", IPPROTO_TCP, 443, tun_router_mac, 300 },
};

static int tun_config(struct xlb_fixture *fx)
{
	struct xlb_tunnel t = { .flags = XLB_TUN_F_SRC4 | XLB_TUN_F_SRC6 };
	uint32_t key = 0;
	size_t i;
	int err = 0;

	pkt_addr(4, TUN_SRC4, &t.src4);
	pkt_addr(6, TUN_SRC6, t.src6);
	if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.tunnel), &key, &t, BPF_ANY))
		return -errno;
	for (i = 0; !err && i < ARRAY_SIZE(tun_vips); i++) {
		const struct tun_vip *v = &tun_vips[i];
		struct xlb_vip vip = { .id = v->id, .ring_size = 7, .sched = XLB_SCHED_MAGLEV,
				       .fwd = XLB_FWD_TUN, .fallback = XLB_NO_BACKEND };

		err = fx_backend_set(fx, v->be, v->be_family, v->be_addr, v->id,
				     XLB_BE_F_USED | XLB_BE_F_LIVE, 1);
		if (!err)
			err = fx_vip_set(fx, v->family, v->addr, v->proto, v->port, &vip);
		if (!err)
			err = fx_table_build(fx, v->id, &v->be, 1, 7);
	}
	return err;
}

/* Frames of each tun VIP's flows: plain, with DF (IPv4), SYN, payloads up to past the paths. */
static void tun_corpus(struct pkt *frames, size_t *n)
{
	static const uint16_t payloads[] = { 0, 100, 250, 339, 340, 420 };
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(tun_vips); i++) {
		const struct tun_vip *v = &tun_vips[i];

		for (k = 0; k < ARRAY_SIZE(payloads); k++) {
			struct frame_spec s = { .family = v->family, .dst = v->addr, .proto = v->proto,
						.sport = (uint16_t)(40001 + k), .dport = v->port,
						.payload = payloads[k], .syn = k == 1,
						.vlan = k == 2, .pad60 = k == 0 };
			struct pkt *p = &frames[(*n)++];

			build_spec(p, &s);
			if (v->family == 4 && k % 2 == 0) {
				p->data[p->l3 + 6] |= PKT_IP_DF >> 8;
				pkt_ipv4_csum(p);
			}
		}
	}
}

/* The tun VIP of flow f; of a later fragment (no ports): the one of its address and protocol. */
static const struct tun_vip *tun_vip_of(const struct xlb_flow *f, bool any_port)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tun_vips); i++) {
		const struct tun_vip *v = &tun_vips[i];
		uint8_t addr[16] = {};

		pkt_addr(v->family, v->addr, addr);
		if (v->proto == f->proto && (v->family == 6) == (f->family == XLB_FAMILY_V6) &&
		    !memcmp(addr, f->dst, 16) && (any_port || v->port == ntohs(f->dport)))
			return v;
	}
	return NULL;
}

/* Where the frame's IP header starts, behind up to two tags (ref_flow's reading). */
static uint32_t tun_l2(const struct pkt *p)
{
	uint32_t l2 = ETH_HLEN;
	int t;

	for (t = 0; t < 2 && p->len >= l2 + 4; t++) {
		uint16_t type = get16(p->data + l2 - 2);

		if (type != ETH_P_8021Q && type != ETH_P_8021AD)
			break;
		l2 += 4;
	}
	return l2;
}

/* The client's datagram length, from its IP header (ref_flow found it whole in the frame). */
static uint32_t tun_dgram_len(const uint8_t *l3, int family)
{
	return family == 4 ? get16(l3 + 2) : 40u + get16(l3 + 4);
}

static void tun_check_encap(struct fuzz *z, const struct tun_vip *v, const uint8_t *out,
			    uint32_t out_len)
{
	const struct pkt *p = z->p;
	uint32_t l2 = tun_l2(p), len = tun_dgram_len(p->data + l2, v->family);
	uint32_t hdr = v->be_family == 4 ? 20 : 40;
	const uint8_t *l3 = p->data + l2;
	uint8_t want[40] = { 0 }, tos;

	if (out_len != ETH_HLEN + hdr + (p->len - l2)) {
		violation(z, "tun: %u bytes out, want %u + %u outer + %u", out_len, ETH_HLEN, hdr,
			  p->len - l2);
		return;
	}
	if (memcmp(out, v->hop_mac, ETH_ALEN) || memcmp(out + ETH_ALEN, iface_mac, ETH_ALEN) ||
	    get16(out + 12) != (v->be_family == 4 ? ETH_P_IP : ETH_P_IPV6))
		violation(z, "tun: Ethernet header is not next hop <- iface_mac, outer family");
	tos = v->family == 4 ? l3[1] : (uint8_t)(l3[0] << 4 | l3[1] >> 4);
	if (v->be_family == 4) {
		want[0] = 0x45;
		want[1] = tos;
		put16(want + 2, (uint16_t)(20 + len));
		if (v->family == 4) {
			memcpy(want + 4, l3 + 4, 2);
			want[6] = l3[6] & (PKT_IP_DF >> 8);
		} else {
			want[6] = PKT_IP_DF >> 8;
		}
		want[8] = 64;
		want[9] = v->family == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
		pkt_addr(4, TUN_SRC4, want + 12);
		pkt_addr(4, v->be_addr, want + 16);
		memcpy(want + 10, (uint16_t[]){ pkt_fold(pkt_sum(0, want, 20)) }, 2);
	} else {
		want[0] = 0x60 | tos >> 4;
		want[1] = (uint8_t)(tos << 4);
		put16(want + 4, (uint16_t)len);
		want[6] = v->family == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
		want[7] = 64;
		pkt_addr(6, TUN_SRC6, want + 8);
		pkt_addr(6, v->be_addr, want + 24);
	}
	if (memcmp(out + ETH_HLEN, want, hdr))
		violation(z, "tun: outer header differs from the one the RFCs give");
	if (memcmp(out + ETH_HLEN + hdr, l3, p->len - l2))
		violation(z, "tun: the client's datagram changed inside the tunnel");
}

static void tun_check_answer(struct fuzz *z, const struct tun_vip *v, const uint8_t *out,
			     uint32_t out_len)
{
	const struct pkt *p = z->p;
	uint32_t l2 = tun_l2(p), len = tun_dgram_len(p->data + l2, 4);
	uint32_t quote = len < 548 ? len : 548, mtu = v->path_mtu - (v->be_family == 4 ? 20 : 40);
	const uint8_t *l3 = p->data + l2, *ip = out + l2, *ic = ip + 20;
	uint8_t want[20] = { 0x45, 0xc0 };

	if (v->family != 4 || out_len != l2 + 28 + quote) {
		violation(z, "too big: %u bytes out, want an icmp answer of %u", out_len,
			  l2 + 28 + quote);
		return;
	}
	if (memcmp(out, p->data + ETH_ALEN, ETH_ALEN) || memcmp(out + ETH_ALEN, p->data, ETH_ALEN) ||
	    memcmp(out + 12, p->data + 12, l2 - 12))
		violation(z, "too big: MACs not swapped or tags not kept");
	put16(want + 2, (uint16_t)(28 + quote));
	want[6] = PKT_IP_DF >> 8;
	want[8] = 64;
	want[9] = IPPROTO_ICMP;
	memcpy(want + 12, l3 + 16, 4);
	memcpy(want + 16, l3 + 12, 4);
	memcpy(want + 10, (uint16_t[]){ pkt_fold(pkt_sum(0, want, 20)) }, 2);
	if (memcmp(ip, want, 20))
		violation(z, "too big: the answer's IP header is not the RFCs'");
	if (ic[0] != 3 || ic[1] != 4 || get16(ic + 4) || get16(ic + 6) != mtu)
		violation(z, "too big: icmp %u/%u mtu %u, want 3/4 mtu %u", ic[0], ic[1],
			  get16(ic + 6), mtu);
	if (pkt_fold(pkt_sum(0, ic, 8 + quote)))
		violation(z, "too big: icmp checksum does not verify");
	if (memcmp(ic + 8, l3, quote))
		violation(z, "too big: the quote is not the client's datagram");
}

/* What the design does with a frame of tun VIP v's flow sent to iface_mac: a reason. */
static uint32_t tun_fate(const struct pkt *p, const struct tun_vip *v, enum ref_kind kind)
{
	uint32_t l2 = tun_l2(p), hdr = v->be_family == 4 ? 20 : 40;
	const uint8_t *l3 = p->data + l2;
	uint32_t len = tun_dgram_len(l3, v->family), mtu = v->path_mtu - hdr;

	if (len + hdr <= v->path_mtu)
		return XLB_R_FORWARDED;
	/* No answer to a source that is not unicast: multicast, or unspecified. */
	if (v->family == 6)
		return mtu >= 1280 && l3[8] != 0xff && (l3[8] | l3[9] | l3[10] | l3[11]) ?
			       XLB_R_ICMP_TOO_BIG : XLB_R_DROP_TOO_BIG;
	if (!(l3[6] & (PKT_IP_DF >> 8)) || kind == REF_LATER || mtu < 68 || l3[12] >= 224 ||
	    !(l3[12] | l3[13] | l3[14] | l3[15]))
		return XLB_R_DROP_TOO_BIG;
	return XLB_R_ICMP_TOO_BIG;
}

static int tun_throw(struct fuzz *z, const struct pkt *p, int ifindex)
{
	struct xlb_counters before[XLB_R_MAX], *after = z->reasons_now;
	struct xdp_md ctx = { .data_end = p->len, .ingress_ifindex = ifindex };
	const struct tun_vip *v = NULL;
	uint8_t out[TUN_OUT_MAX];
	uint32_t frag_id = 0;
	enum ref_kind kind;
	struct xlb_flow f;
	int err, r;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	z->p = p;
	memcpy(before, after, sizeof(before));
	err = bpf_prog_test_run_opts(z->fx.prog_fd, &opts) ? -errno : 0;
	if (!err)
		err = snap_reasons(&z->fx, after);
	if (err) {
		fprintf(stderr, "test_packet_fuzz: tun frame %" PRIu64 ": %s\n", z->frame_no,
			strerror(-err));
		return err;
	}
	r = reason_moved(z, before, after);
	kind = ref_flow(p, &f, &frag_id);
	if (kind == REF_FLOW || kind == REF_FIRST || kind == REF_LATER)
		v = tun_vip_of(&f, kind == REF_LATER);
	if (v && kind != REF_LATER && r >= 0) {
		uint32_t want = memcmp(p->data, iface_mac, ETH_ALEN) ? XLB_R_PASS_OTHER_HOST :
								       tun_fate(p, v, kind);

		if ((uint32_t)r != want)
			violation(z, "a flow of tun vip %u got reason %d, the design says %u", v->id,
				  r, want);
	}
	if (opts.retval == XDP_TX && r == XLB_R_ICMP_TOO_BIG && v) {
		tun_check_answer(z, v, out, opts.data_size_out);
	} else if ((opts.retval == XDP_TX || opts.retval == XDP_REDIRECT) &&
		   r == XLB_R_FORWARDED && opts.data_size_out != p->len && v) {
		tun_check_encap(z, v, out, opts.data_size_out);
	} else if (opts.retval == XDP_TX && r == XLB_R_FORWARDED && opts.data_size_out == p->len) {
		check_forwarded(z, out, r); /* a mutation that made it a DR VIP's */
	} else if (opts.retval == XDP_TX || opts.retval == XDP_REDIRECT) {
		violation(z, "tun phase: verdict %u, reason %d, %u bytes out: nothing the design "
			  "sends", opts.retval, r, opts.data_size_out);
	} else if (opts.data_size_out != p->len || memcmp(out, p->data, p->len)) {
		violation(z, "tun phase: frame not sent on (verdict %u) but changed", opts.retval);
	}
	return 0;
}

/* The mutations that keep a frame a tun VIP's often enough to matter, or break it subtly. */
static void tun_mutate(struct pkt *p, const struct pkt *corpus_tun, size_t n, enum mutation *m)
{
	static const struct {
		enum mutation m;
		void (*fn)(struct pkt *);
	} pick[] = {
		{ M_AS_IS, NULL },	      { M_AS_IS, NULL },	 { M_TRUNCATE, mut_truncate },
		{ M_BIT_FLIP, mut_bit_flip }, { M_BYTES, mut_bytes },	 { M_IP_LEN, mut_ip_len },
		{ M_L4_LEN, mut_l4_len },     { M_VLAN, mut_vlan },	 { M_FRAGMENT, mut_fragment },
		{ M_DST_MAC, mut_dst_mac },
	};
	uint32_t k = rnd_below(ARRAY_SIZE(pick));

	*p = corpus_tun[rnd_below(n)];
	*m = pick[k].m;
	if (pick[k].fn)
		pick[k].fn(p);
	if (p->len < ETH_HLEN)
		p->len = ETH_HLEN;
}

/* The phase: frames thrown, after the tun VIPs join the configuration in a namespace. */
static int fuzz_tun(struct fuzz *z, uint64_t frames)
{
	static struct pkt corpus_tun[6 * ARRAY_SIZE(tun_vips)];
	uint64_t thrown = 0, answered = 0, tunnelled = 0, i;
	size_t n = 0;
	int ifindex, err;
	struct pkt p;

	err = fx_netns_enter(tun_netns, ARRAY_SIZE(tun_netns));
	ifindex = err ? 0 : (int)if_nametoindex("xf0");
	if (!ifindex)
		return err ? err : -ENODEV;
	err = tun_config(&z->fx);
	if (err)
		return err;
	tun_corpus(corpus_tun, &n);
	for (i = 0; !err && i < frames; i++) {
		uint64_t fwd = z->reasons_now[XLB_R_FORWARDED].packets;
		uint64_t ans = z->reasons_now[XLB_R_ICMP_TOO_BIG].packets;

		z->frame_no = i;
		tun_mutate(&p, corpus_tun, n, &z->m);
		err = tun_throw(z, &p, ifindex);
		thrown++;
		tunnelled += z->reasons_now[XLB_R_FORWARDED].packets - fwd;
		answered += z->reasons_now[XLB_R_ICMP_TOO_BIG].packets - ans;
	}
	printf("tun phase: %" PRIu64 " frames, %" PRIu64 " forwarded, %" PRIu64
	       " answered too big\n", thrown, tunnelled, answered);
	return err;
}

#endif /* XLB_TEST_FUZZ_TUN_H */
