/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packet fuzzer's NAT part, included once by test_packet_fuzz.c after its reference parse
 * (it uses vips, get16, ref_flow): the nat_flows entries and reply frames it starts from, and
 * the check of a NAT rewrite.
 *
 * A NAT rewrite is checked without the data path's arithmetic: the expected frame is the input
 * with the translated address and port and one hop less, byte for byte, except the checksum
 * fields; each checksum is then checked to be off in the output by exactly what it was off in
 * the input (the ones' complement sum over what it covers, pseudo-header included, is the
 * same), so a right checksum stays right and a broken one stays broken, whatever the mutation.
 */
#ifndef XLB_TEST_FUZZ_NAT_H
#define XLB_TEST_FUZZ_NAT_H

static const uint8_t client_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xcc };

/* The namespace: one veth (iface_mac) with the NAT backends and the clients as neighbours. */
static const char *const netns_setup[] = {
	"ip link set lo up",
	"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1",
	"ip link add xf0 address 02:00:5e:00:00:01 type veth peer name xf1",
	"ip link set xf0 up && ip link set xf1 up",
	"ip addr add 198.51.100.254/24 dev xf0 && ip addr add 192.0.2.254/24 dev xf0",
	"ip addr add 2001:db8:b::fe/64 dev xf0 nodad && ip addr add 2001:db8:c::fe/64 dev xf0 nodad",
	"ip neigh add 198.51.100.13 lladdr 02:be:00:00:00:0d dev xf0 nud permanent",
	"ip -6 neigh add 2001:db8:b::14 lladdr 02:be:00:00:00:0e dev xf0 nud permanent",
	"ip neigh add " CLIENT4 " lladdr 02:00:5e:00:00:cc dev xf0 nud permanent",
	"ip -6 neigh add " CLIENT6 " lladdr 02:00:5e:00:00:cc dev xf0 nud permanent",
};

static uint16_t nat_bport(const struct fuzz_vip *v)
{
	return v->bport ? v->bport : v->port;
}

/* The reply backend id of NAT VIP v sends to the client's port cport (a fragment: frag). */
static void build_nat_reply(struct pkt *p, const struct fuzz_vip *v, uint32_t id, uint16_t cport,
			    bool vlan, uint16_t frag)
{
	struct frame_spec s = { .family = v->family, .dst = v->family == 6 ? CLIENT6 : CLIENT4,
				.proto = v->proto, .sport = nat_bport(v), .dport = cport,
				.vlan = vlan, .frag = frag, .payload = 20 };
	char addr[INET6_ADDRSTRLEN];
	uint32_t src;

	build_spec(p, &s);
	src = p->l3 + (v->family == 6 ? 8 : 12);
	snprintf(addr, sizeof(addr), v->family == 6 ? "2001:db8:b::%u" : "198.51.100.%u", id);
	pkt_addr(v->family, addr, p->data + src);
	pkt_finish(p);
}

static void nat_corpus_build(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		const struct fuzz_vip *v = &vips[i];
		uint32_t id = v->members[0];

		if (v->fwd != XLB_FWD_NAT)
			continue;
		build_nat_reply(corpus_add(), v, id, 40001, false, 0);
		build_nat_reply(corpus_add(), v, id, 40002, false, 0); /* no entry */
		build_nat_reply(corpus_add(), v, id, 40001, true, 0);
		if (v->family == 4) {
			build_nat_reply(corpus_add(), v, id, 40001, false, 1);  /* first fragment */
			build_nat_reply(corpus_add(), v, id, 40001, false, 64); /* a later one */
		}
	}
}

/* nat_flows as the client's packets from port 40001 of the corpus would have left it. */
static int nat_config(struct xlb_fixture *fx)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		const struct fuzz_vip *v = &vips[i];
		struct xlb_nat_key key = { .bport = htons(nat_bport(v)), .cport = htons(40001),
					   .proto = v->proto,
					   .family = v->family == 6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4 };
		struct xlb_nat nat = { .vport = htons(v->port), .vip_id = v->id,
				       .backend = v->members[0] };
		struct xlb_backend be = fx->backends[v->members[0]];

		if (v->fwd != XLB_FWD_NAT)
			continue;
		be.port = htons(v->bport);
		if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.backends), &v->members[0], &be,
					BPF_ANY))
			return -errno;
		fx->backends[v->members[0]] = be;
		memcpy(key.backend, be.addr, sizeof(key.backend));
		pkt_addr(v->family, v->family == 6 ? CLIENT6 : CLIENT4, key.client);
		pkt_addr(v->family, v->addr, nat.vip);
		if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.nat_flows), &key, &nat, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The nat_flows entry a reply of flow f (src backend, dst client) finds, if any. */
static bool nat_entry(const struct xlb_fixture *fx, const struct xlb_flow *f, struct xlb_nat *nat)
{
	struct xlb_nat_key key = { .bport = f->sport, .cport = f->dport, .proto = f->proto,
				   .family = f->family };

	memcpy(key.backend, f->src, sizeof(key.backend));
	memcpy(key.client, f->dst, sizeof(key.client));
	return !bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.nat_flows), &key, nat);
}

/* A later fragment's ports, from the frags record its first fragment left. */
static bool nat_frag_ports(const struct xlb_fixture *fx, struct xlb_flow *f, uint32_t frag_id)
{
	/* As the data path keys it: the header's id field as it lies in the frame. */
	struct xlb_frag_key key = { .id = f->family == XLB_FAMILY_V4 ? htons((uint16_t)frag_id) :
								       htonl(frag_id),
				    .proto = f->proto, .family = f->family };
	struct xlb_frag fr;

	memcpy(key.src, f->src, sizeof(key.src));
	memcpy(key.dst, f->dst, sizeof(key.dst));
	if (bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.frags), &key, &fr))
		return false;
	f->sport = fr.sport;
	f->dport = fr.dport;
	return true;
}

/* Where a forwarded, untagged frame keeps what NAT rewrites. */
struct nat_pos {
	uint32_t l3, l4, end; /* IP header, TCP/UDP/ICMP header, end of the datagram */
	uint32_t alen;        /* address bytes */
	uint32_t src, ttl;    /* source address (the destination follows it), TTL / hop limit */
	uint8_t family, proto;
	bool later;           /* a later fragment: no L4 header */
	uint32_t q3, q4;      /* an ICMP error: the quoted IP and L4 headers; else 0 */
	uint8_t qproto;
};

static bool nat_pos(const uint8_t *d, uint32_t len, struct nat_pos *np)
{
	const uint8_t *l3 = d + ETH_HLEN;

	memset(np, 0, sizeof(*np));
	np->l3 = ETH_HLEN;
	if (get16(d + 12) == ETH_P_IP) {
		np->family = 4, np->alen = 4, np->src = ETH_HLEN + 12, np->ttl = ETH_HLEN + 8;
		np->proto = l3[9];
		np->end = ETH_HLEN + get16(l3 + 2);
		np->later = get16(l3 + 6) & 0x1fff;
		np->l4 = ETH_HLEN + (l3[0] & 0xf) * 4;
		if (np->proto == IPPROTO_ICMP && np->l4 + 8 + 20 <= np->end) {
			np->q3 = np->l4 + 8;
			np->q4 = np->q3 + (d[np->q3] & 0xf) * 4;
			np->qproto = d[np->q3 + 9];
		}
	} else {
		uint8_t next = l3[6];
		uint32_t off = ETH_HLEN + 40;
		int i;

		np->family = 6, np->alen = 16, np->src = ETH_HLEN + 8, np->ttl = ETH_HLEN + 7;
		np->end = ETH_HLEN + 40 + get16(l3 + 4);
		for (i = 0; i < 4 && off + 8 <= len; i++) {
			if (next == IPPROTO_TCP || next == IPPROTO_UDP || next == IPPROTO_ICMPV6)
				break;
			if (next == PKT_NEXTHDR_FRAGMENT) {
				np->later = get16(d + off + 2) & 0xfff8;
				next = d[off], off += 8;
			} else if (next == 51) {
				next = d[off], off += (d[off + 1] + 2) * 4;
			} else {
				next = d[off], off += (d[off + 1] + 1) * 8;
			}
		}
		np->proto = next;
		np->l4 = off;
		if (next == IPPROTO_ICMPV6 && off + 8 + 40 <= np->end) {
			np->q3 = off + 8;
			np->q4 = np->q3 + 40;
			np->qproto = d[np->q3 + 6];
		}
	}
	return np->end <= len && np->l4 <= np->end && np->q4 <= np->end;
}

static uint16_t fold16(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The ones' complement sum over [from, end) with a pseudo-header of the addresses at addr. */
static uint16_t nat_sum(const uint8_t *d, uint32_t from, uint32_t end, uint32_t addr,
			uint32_t alen, uint8_t proto)
{
	uint32_t s = pkt_sum(0, d + from, end - from);

	if (alen)
		s = pkt_sum(s, d + addr, 2 * alen) + proto + (end - from);
	return fold16(s);
}

/* Where the checksum of an L4 header of proto at l4 is, if the datagram holds it; else 0. */
static uint32_t nat_csum_at(uint8_t proto, uint32_t l4, uint32_t end)
{
	if (proto == IPPROTO_TCP)
		return l4 + 18 <= end ? l4 + 16 : 0;
	if (proto == IPPROTO_UDP)
		return l4 + 8 <= end ? l4 + 6 : 0;
	return l4 + 8 <= end ? l4 + 2 : 0; /* ICMP, ICMPv6 */
}

/* What the data path does to a NAT frame before any rewrite: a tag, a TTL that runs out here. */
static int nat_refusal(const struct pkt *p, int otherwise)
{
	uint16_t ethertype = get16(p->data + 12);

	if (ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD)
		return XLB_R_PASS_NAT_VLAN;
	if (p->data[ETH_HLEN + (ethertype == ETH_P_IP ? 8 : 7)] <= 1)
		return XLB_R_PASS_TTL;
	return otherwise;
}

static char nat_msg[128];

/*
 * out must be in with the destination (reply: the source) address made addr and its port port
 * (network order), TTL one less, every checksum off by what it was. An ICMP error (to the
 * backend): outer destination, quoted source and source port. NULL, or what is wrong.
 */
static const char *nat_check(const uint8_t *in, const uint8_t *out, uint32_t len, bool reply,
			     const uint8_t *addr, uint16_t port)
{
	uint8_t exp[PKT_MAX];
	struct nat_pos np;
	uint32_t i, c, qc = 0, qa = 0;
	bool udp0 = false, qudp0 = false;

	if (!nat_pos(in, len, &np))
		return "forwarded a frame whose headers the reference cannot place";
	memcpy(exp, in, len);
	memcpy(exp, out, 2 * ETH_ALEN);
	exp[np.ttl] = in[np.ttl] - 1;
	c = nat_csum_at(np.proto, np.l4, np.end);
	if (np.q3) {
		memcpy(exp + np.src + np.alen, addr, np.alen);
		qa = np.q3 + (np.family == 4 ? 12 : 8);
		memcpy(exp + qa, addr, np.alen);
		memcpy(exp + np.q4, &port, 2);
		qc = nat_csum_at(np.qproto, np.q4, np.end);
		qudp0 = np.qproto == IPPROTO_UDP && np.family == 4 && qc && !get16(in + qc);
		if (qc && !qudp0)
			memcpy(exp + qc, out + qc, 2);
		if (np.family == 4)
			memcpy(exp + np.q3 + 10, out + np.q3 + 10, 2);
	} else {
		memcpy(exp + np.src + (reply ? 0 : np.alen), addr, np.alen);
		if (!np.later)
			memcpy(exp + np.l4 + (reply ? 0 : 2), &port, 2);
		udp0 = np.proto == IPPROTO_UDP && np.family == 4 && c && !get16(in + c);
	}
	if (c && !np.later && !udp0)
		memcpy(exp + c, out + c, 2);
	if (np.family == 4)
		memcpy(exp + np.l3 + 10, out + np.l3 + 10, 2);
	for (i = 0; i < len; i++) {
		if (exp[i] != out[i]) {
			snprintf(nat_msg, sizeof(nat_msg), "nat rewrite: byte %u is 0x%02x, want 0x%02x",
				 i, out[i], exp[i]);
			return nat_msg;
		}
	}
	/* Checksums: each as far off as it came. */
	if (np.family == 4 && nat_sum(in, np.l3, np.l4, 0, 0, 0) != nat_sum(out, np.l3, np.l4, 0, 0, 0))
		return "nat rewrite: the IPv4 header checksum is no longer as it was";
	if (c && !np.later && !udp0) {
		bool icmp4 = np.proto == IPPROTO_ICMP;
		uint32_t alen = icmp4 ? 0 : np.alen;

		if (nat_sum(in, np.l4, np.end, np.src, alen, np.proto) !=
		    nat_sum(out, np.l4, np.end, np.src, alen, np.proto))
			return "nat rewrite: the L4 / ICMP checksum is no longer as it was";
	}
	if (np.q3 && np.family == 4 &&
	    nat_sum(in, np.q3, np.q4, 0, 0, 0) != nat_sum(out, np.q3, np.q4, 0, 0, 0))
		return "nat rewrite: the quoted IPv4 header checksum is no longer as it was";
	if (qc && !qudp0 &&
	    nat_sum(in, np.q4, np.end, qa, np.alen, np.qproto) !=
	    nat_sum(out, np.q4, np.end, qa, np.alen, np.qproto))
		return "nat rewrite: the quoted L4 checksum is no longer as it was";
	return NULL;
}

#endif /* XLB_TEST_FUZZ_NAT_H */
