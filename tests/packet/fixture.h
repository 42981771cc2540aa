/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the packet tests and the bench.
 *
 * Packet builders: frames built layer by layer (Ethernet, 802.1Q, ARP, IPv4 with options and
 * fragment fields, IPv6 with extension headers, TCP, UDP, ICMP, ICMPv6), then finished with real
 * lengths and checksums, so a frame is well formed unless a test breaks it on purpose and any byte
 * the data path touches shows up in a byte compare.
 *
 * Fixture: the real xlb_xdp program from the skeleton, loaded with iface_mac set, configured
 * through its maps with bpf_map_update_elem the way xlbd does it (inner Maglev tables created with
 * BPF_F_INNER_MAP and swapped into maglev_tables), so the tests exercise the map ABI too. The
 * fixture keeps a shadow of every backend and table it wrote: the tests predict the backend of a
 * flow from that shadow with the shared xlb_flow_hash(), never by asking the data path.
 *
 * Everything is static inline: two programs include this header and each uses a different part.
 */
#ifndef XLB_TEST_FIXTURE_H
#define XLB_TEST_FIXTURE_H

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* glibc's netinet/in.h first: linux/libc-compat.h then keeps linux/in6.h from redefining it. */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dispatch/maglev.h"
#include "xlb.skel.h"
#include "xlb/abi.h"
#include "xlb/hash.h"

/* ---------------------------------------------------------------------------------------------
 * Packet builders
 */

#ifndef PKT_MAX
#define PKT_MAX 512 /* a test building bigger frames defines its own first */
#endif

/*
 * Header views for a frame's bytes. After the 14-byte Ethernet header an IP header is only
 * 2-aligned, so `struct iphdr *` there is a misaligned access (undefined; UBSan reports it). These
 * typedefs lower the alignment to 1, which only a typedef can do (a struct attribute can only
 * raise it), so the compiler emits accesses safe at any offset; members read as before.
 */
typedef struct iphdr __attribute__((aligned(1))) pkt_iphdr;
typedef struct ipv6hdr __attribute__((aligned(1))) pkt_ipv6hdr;
typedef struct tcphdr __attribute__((aligned(1))) pkt_tcphdr;
typedef struct udphdr __attribute__((aligned(1))) pkt_udphdr;

/* IPv6 extension header numbers (linux/ipv6.h has no UAPI names for them). */
#define PKT_NEXTHDR_HOP 0
#define PKT_NEXTHDR_ROUTING 43
#define PKT_NEXTHDR_FRAGMENT 44
#define PKT_NEXTHDR_DEST 60
#define PKT_NEXTHDR_NONE 59

#define PKT_IP_DF 0x4000
#define PKT_IP_MF 0x2000

struct pkt {
	uint8_t data[PKT_MAX];
	uint32_t len;
	int l3;		/* offset of the IP header, -1 until one is added */
	int l3_hlen;	/* IPv4 header length the builder wrote, options included */
	int l4;		/* offset of the transport (or ICMP) header, -1 until one is added */
	int next;	/* offset of the byte naming the next protocol, -1 if none yet */
	uint8_t family;	/* 4 or 6 once an IP header is added */
	uint8_t proto;	/* transport protocol once one is added */
};

/* Builders abort rather than return errors: a test that builds a frame wrongly is itself broken. */
static inline void pkt_die(const char *what)
{
	fprintf(stderr, "packet builder: %s\n", what);
	abort();
}

static inline void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->l3 = p->l4 = p->next = -1;
}

static inline void *pkt_put(struct pkt *p, uint32_t size)
{
	void *hdr;

	if (size > PKT_MAX - p->len)
		pkt_die("frame larger than PKT_MAX");
	hdr = p->data + p->len;
	memset(hdr, 0, size);
	p->len += size;
	return hdr;
}

/* Name the header being added in the previous header's next-protocol field. */
static inline void pkt_chain(struct pkt *p, uint8_t proto)
{
	if (p->next >= 0)
		p->data[p->next] = proto;
}

static inline void pkt_addr(int family, const char *str, void *out)
{
	if (inet_pton(family == 6 ? AF_INET6 : AF_INET, str, out) != 1)
		pkt_die(str);
}

static inline struct ethhdr *pkt_eth(struct pkt *p, const uint8_t *dst, const uint8_t *src,
				     uint16_t proto)
{
	struct ethhdr *eth = pkt_put(p, sizeof(*eth));

	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(proto);
	return eth;
}

/* An 802.1Q tag after an Ethernet header whose h_proto was ETH_P_8021Q. */
static inline void pkt_vlan(struct pkt *p, uint16_t vid, uint16_t proto)
{
	uint16_t *tag = pkt_put(p, 4);

	tag[0] = htons(vid & 0x0fff);
	tag[1] = htons(proto);
}

static inline pkt_iphdr *pkt_ipv4(struct pkt *p, const char *src, const char *dst)
{
	pkt_iphdr *ip;

	p->l3 = p->len;
	p->l3_hlen = sizeof(*ip);
	p->family = 4;
	ip = pkt_put(p, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->id = htons(0x1234);
	pkt_addr(4, src, &ip->saddr);
	pkt_addr(4, dst, &ip->daddr);
	p->next = p->l3 + offsetof(struct iphdr, protocol);
	return ip;
}

/*
 * IPv4 options right after pkt_ipv4(): a Record Route option with room for as many addresses as
 * fit, then NOPs and an End of List to fill len bytes (a multiple of 4, at most 40).
 */
static inline void pkt_ipv4_opts(struct pkt *p, uint32_t len)
{
	pkt_iphdr *ip = (pkt_iphdr *)(p->data + p->l3);
	uint8_t *opt;
	uint32_t i;

	if (p->l3 < 0 || p->family != 4 || (int)p->len != p->l3 + p->l3_hlen || len % 4 || len > 40)
		pkt_die("IPv4 options must follow the IPv4 header, 4..40 bytes");
	opt = pkt_put(p, len);
	i = 0;
	if (len >= 8) {
		/* RR: type 7, length, pointer 4 (first slot free), then (len - 4) / 4 empty slots. */
		uint32_t rr = 3 + ((len - 4) / 4) * 4;

		opt[0] = 7;
		opt[1] = rr;
		opt[2] = 4;
		i = rr;
	}
	for (; i + 1 < len; i++)
		opt[i] = 1; /* NOP */
	if (i < len)
		opt[i] = 0; /* End of Option List */
	p->l3_hlen += len;
	ip->ihl = p->l3_hlen / 4;
}

/* Fragment fields: offset in bytes (a multiple of 8), more = the MF flag. */
static inline void pkt_ipv4_frag(struct pkt *p, uint32_t offset, bool more)
{
	pkt_iphdr *ip = (pkt_iphdr *)(p->data + p->l3);

	ip->frag_off = htons((offset / 8) | (more ? PKT_IP_MF : 0));
}

static inline pkt_ipv6hdr *pkt_ipv6(struct pkt *p, const char *src, const char *dst)
{
	pkt_ipv6hdr *ip6;

	p->l3 = p->len;
	p->l3_hlen = sizeof(*ip6);
	p->family = 6;
	ip6 = pkt_put(p, sizeof(*ip6));
	ip6->version = 6;
	ip6->hop_limit = 64;
	ip6->nexthdr = PKT_NEXTHDR_NONE;
	pkt_addr(6, src, &ip6->saddr);
	pkt_addr(6, dst, &ip6->daddr);
	p->next = p->l3 + offsetof(struct ipv6hdr, nexthdr);
	return ip6;
}

/*
 * An IPv6 extension header of len bytes (a multiple of 8): hop-by-hop and destination options
 * carry one PadN option filling them, a routing header has type 253 (RFC 4727 experiment) with
 * segments left 0, which a node must ignore; a fragment header is always 8 bytes, first fragment.
 */
static inline void pkt_ipv6_ext(struct pkt *p, uint8_t type, uint32_t len)
{
	uint8_t *h;

	if (p->family != 6 || p->l4 >= 0)
		pkt_die("IPv6 extension header outside an IPv6 header chain");
	if (type == PKT_NEXTHDR_FRAGMENT)
		len = 8;
	if (!len || len % 8 || len > 2048)
		pkt_die("IPv6 extension header length");
	pkt_chain(p, type);
	p->next = p->len;
	h = pkt_put(p, len);
	h[0] = PKT_NEXTHDR_NONE;
	switch (type) {
	case PKT_NEXTHDR_FRAGMENT:
		/* h[1] reserved; offset 0 with M set: the first fragment. */
		h[3] = 1;
		h[4] = 0xca;
		h[5] = 0xfe;
		h[6] = 0xf0;
		h[7] = 0x0d;
		break;
	case PKT_NEXTHDR_ROUTING:
		h[1] = len / 8 - 1;
		h[2] = 253;
		h[3] = 0;
		break;
	default:
		h[1] = len / 8 - 1;
		h[2] = 1; /* PadN */
		h[3] = len - 4;
		break;
	}
}

static inline pkt_tcphdr *pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	pkt_tcphdr *th;

	pkt_chain(p, IPPROTO_TCP);
	p->l4 = p->len;
	p->proto = IPPROTO_TCP;
	th = pkt_put(p, sizeof(*th));
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(0x01020304);
	th->doff = sizeof(*th) / 4;
	/* A segment of an established connection; tests of connection opening set syn and
	 * clear ack themselves. */
	th->ack = 1;
	th->ack_seq = htonl(0x0a0b0c0d);
	th->window = htons(64240);
	return th;
}

static inline pkt_udphdr *pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	pkt_udphdr *uh;

	pkt_chain(p, IPPROTO_UDP);
	p->l4 = p->len;
	p->proto = IPPROTO_UDP;
	uh = pkt_put(p, sizeof(*uh));
	uh->source = htons(sport);
	uh->dest = htons(dport);
	return uh;
}

/* ICMP echo request, or ICMPv6 echo request under IPv6. */
static inline void pkt_icmp_echo(struct pkt *p, uint16_t id, uint16_t seq)
{
	uint8_t proto = p->family == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	uint8_t *h;

	pkt_chain(p, proto);
	p->l4 = p->len;
	p->proto = proto;
	h = pkt_put(p, 8);
	h[0] = p->family == 6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO;
	h[4] = id >> 8;
	h[5] = id & 0xff;
	h[6] = seq >> 8;
	h[7] = seq & 0xff;
}

/*
 * An ICMP error header (type, code, 4 bytes of rest, e.g. the next-hop MTU); the caller appends
 * the quoted packet's headers after it with the builders, then finishes the outer frame.
 */
static inline void pkt_icmp_error(struct pkt *p, uint8_t type, uint8_t code, uint32_t rest)
{
	uint8_t proto = p->family == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	uint8_t *h;

	pkt_chain(p, proto);
	p->l4 = p->len;
	p->proto = proto;
	h = pkt_put(p, 8);
	h[0] = type;
	h[1] = code;
	rest = htonl(rest);
	memcpy(h + 4, &rest, 4);
	p->next = -1;
}

/* Raw bytes, e.g. a packet built separately and quoted inside an ICMP error. */
static inline void pkt_append(struct pkt *p, const void *bytes, uint32_t len)
{
	memcpy(pkt_put(p, len), bytes, len);
}

/* Payload bytes with a position-dependent pattern, so a shifted or overwritten byte shows. */
static inline void pkt_payload(struct pkt *p, uint32_t len)
{
	uint8_t *b = pkt_put(p, len);
	uint32_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + 0x41);
}

/* An ARP request for Ethernet/IPv4 after an Ethernet header whose h_proto was ETH_P_ARP. */
static inline void pkt_arp_request(struct pkt *p, const uint8_t *sha, const char *spa,
				   const char *tpa)
{
	uint8_t *a = pkt_put(p, 28);
	struct arphdr *ar = (struct arphdr *)a;

	ar->ar_hrd = htons(ARPHRD_ETHER);
	ar->ar_pro = htons(ETH_P_IP);
	ar->ar_hln = ETH_ALEN;
	ar->ar_pln = 4;
	ar->ar_op = htons(ARPOP_REQUEST);
	memcpy(a + 8, sha, ETH_ALEN);
	pkt_addr(4, spa, a + 14);
	/* target hardware address stays zero in a request */
	pkt_addr(4, tpa, a + 24);
}

/* RFC 1071 ones' complement sum, not yet folded or inverted. */
static inline uint32_t pkt_sum(uint32_t sum, const void *buf, uint32_t len)
{
	const uint8_t *b = buf;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static inline uint16_t pkt_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static inline void pkt_ipv4_csum(struct pkt *p)
{
	pkt_iphdr *ip = (pkt_iphdr *)(p->data + p->l3);

	ip->check = 0;
	ip->check = pkt_fold(pkt_sum(0, ip, p->l3_hlen));
}

/* Checksum of the transport header at p->l4 and everything after it up to end. */
static inline void pkt_l4_csum(struct pkt *p, uint32_t end)
{
	uint8_t *l4 = p->data + p->l4;
	uint32_t len = end - p->l4, sum = 0;
	uint16_t *check;

	switch (p->proto) {
	case IPPROTO_TCP:
		if (len < sizeof(struct tcphdr))
			return;
		check = &((pkt_tcphdr *)l4)->check;
		break;
	case IPPROTO_UDP:
		if (len < sizeof(struct udphdr))
			return;
		((pkt_udphdr *)l4)->len = htons(len);
		check = &((pkt_udphdr *)l4)->check;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (len < 8)
			return;
		check = (uint16_t *)(l4 + 2);
		break;
	default:
		return;
	}
	*check = 0;
	/* Pseudo header; plain ICMP (v4) has none. */
	if (p->family == 4 && p->proto != IPPROTO_ICMP) {
		pkt_iphdr *ip = (pkt_iphdr *)(p->data + p->l3);

		sum = pkt_sum(sum, &ip->saddr, 8);
		sum += p->proto + len;
	} else if (p->family == 6) {
		pkt_ipv6hdr *ip6 = (pkt_ipv6hdr *)(p->data + p->l3);

		sum = pkt_sum(sum, &ip6->saddr, 32);
		sum += (len >> 16) + (len & 0xffff) + p->proto;
	}
	sum = pkt_sum(sum, l4, len);
	*check = pkt_fold(sum);
	/* UDP over IPv4 sends a computed 0 as all ones; 0 would mean "no checksum". */
	if (p->proto == IPPROTO_UDP && !*check)
		*check = 0xffff;
}

/*
 * Fill in lengths and checksums for the frame as built so far. Call again after a pkt_payload()
 * that should count as part of the datagram; bytes appended after the last pkt_finish() (e.g.
 * Ethernet padding) stay outside it.
 */
static inline void pkt_finish(struct pkt *p)
{
	if (p->l3 < 0)
		return;
	if (p->family == 4) {
		pkt_iphdr *ip = (pkt_iphdr *)(p->data + p->l3);

		ip->tot_len = htons(p->len - p->l3);
		pkt_ipv4_csum(p);
	} else {
		pkt_ipv6hdr *ip6 = (pkt_ipv6hdr *)(p->data + p->l3);

		ip6->payload_len = htons(p->len - p->l3 - sizeof(*ip6));
	}
	if (p->l4 >= 0)
		pkt_l4_csum(p, p->len);
}

/*
 * A router's path MTU error from `from` to `to`: frag-needed (MTU 1400) under IPv4, packet too
 * big (MTU 1280) under IPv6, quoting len bytes of a datagram, the whole frame finished.
 */
static inline void pkt_pmtu_error(struct pkt *p, const uint8_t *dst_mac, const uint8_t *src_mac,
				  int family, const char *from, const char *to, const void *quote,
				  uint32_t len)
{
	pkt_init(p);
	if (family == 6) {
		pkt_eth(p, dst_mac, src_mac, ETH_P_IPV6);
		pkt_ipv6(p, from, to);
		pkt_icmp_error(p, ICMPV6_PKT_TOOBIG, 0, 1280);
	} else {
		pkt_eth(p, dst_mac, src_mac, ETH_P_IP);
		pkt_ipv4(p, from, to);
		pkt_icmp_error(p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400);
	}
	pkt_append(p, quote, len);
	pkt_finish(p);
}

/* Cut the frame short, as a truncated capture or a malicious sender would. */
static inline void pkt_truncate(struct pkt *p, uint32_t len)
{
	if (len > p->len)
		pkt_die("truncation longer than the frame");
	p->len = len;
}

/* The flow key the data path should build for this frame, from what the builder wrote. */
static inline void pkt_flow(const struct pkt *p, struct xlb_flow *f)
{
	const uint8_t *l4 = p->data + p->l4;

	memset(f, 0, sizeof(*f));
	if (p->family == 4) {
		const pkt_iphdr *ip = (const pkt_iphdr *)(p->data + p->l3);

		f->src[0] = ip->saddr;
		f->dst[0] = ip->daddr;
		f->family = XLB_FAMILY_V4;
	} else {
		const pkt_ipv6hdr *ip6 = (const pkt_ipv6hdr *)(p->data + p->l3);

		memcpy(f->src, &ip6->saddr, 16);
		memcpy(f->dst, &ip6->daddr, 16);
		f->family = XLB_FAMILY_V6;
	}
	/* TCP and UDP both open with the source and destination port. */
	memcpy(&f->sport, l4, 2);
	memcpy(&f->dport, l4 + 2, 2);
	f->proto = p->proto;
}

/* ---------------------------------------------------------------------------------------------
 * Fixture: the loaded data path and what was written into its maps
 */

struct xlb_fixture {
	struct xlb_bpf *skel;
	int prog_fd;
	int ncpus;
	uint8_t iface_mac[ETH_ALEN];
	struct xlb_backend *backends;      /* shadow of backends, XLB_MAX_BACKENDS entries */
	uint32_t *tables[XLB_MAX_VIPS];    /* shadow of each VIP's Maglev table, NULL if none */
	uint32_t table_size[XLB_MAX_VIPS]; /* slots of tables[i] */
};

/* Quiet libbpf's debug chatter; its warnings still reach stderr. */
static inline int fx_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static inline void fx_close(struct xlb_fixture *fx)
{
	int i;

	for (i = 0; i < XLB_MAX_VIPS; i++) {
		free(fx->tables[i]);
		fx->tables[i] = NULL;
	}
	free(fx->backends);
	fx->backends = NULL;
	xlb_bpf__destroy(fx->skel);
	fx->skel = NULL;
}

/* Open and load the data path with iface_mac set; 0 or -errno. */
static inline int fx_open(struct xlb_fixture *fx, const uint8_t *iface_mac)
{
	int err;

	memset(fx, 0, sizeof(*fx));
	libbpf_set_print(fx_libbpf_print);
	fx->ncpus = libbpf_num_possible_cpus();
	if (fx->ncpus <= 0) {
		fprintf(stderr, "fixture: cannot count CPUs: %s\n", strerror(-fx->ncpus));
		return fx->ncpus ? fx->ncpus : -EINVAL;
	}
	fx->backends = calloc(XLB_MAX_BACKENDS, sizeof(*fx->backends));
	if (!fx->backends)
		return -ENOMEM;
	fx->skel = xlb_bpf__open();
	if (!fx->skel) {
		err = -errno;
		fprintf(stderr, "fixture: xlb_bpf__open: %s\n", strerror(-err));
		goto cleanup;
	}
	memcpy(fx->iface_mac, iface_mac, ETH_ALEN);
	memcpy((void *)fx->skel->rodata->iface_mac, iface_mac, ETH_ALEN);
	err = xlb_bpf__load(fx->skel);
	if (err) {
		fprintf(stderr, "fixture: xlb_bpf__load: %s\n", strerror(-err));
		goto cleanup;
	}
	fx->prog_fd = bpf_program__fd(fx->skel->progs.xlb_xdp);
	return 0;

cleanup:
	fx_close(fx);
	return err;
}

static inline void fx_vip_key(struct xlb_vip_key *key, int family, const char *addr,
			      uint8_t proto, uint16_t port)
{
	memset(key, 0, sizeof(*key));
	pkt_addr(family, addr, key->addr);
	key->port = htons(port);
	key->proto = proto;
	key->family = family == 6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
}

/* Empty a hash map, so a case starts without the flows an earlier one left. 0 or -errno. */
static inline int fx_map_clear(struct bpf_map *map)
{
	int fd = bpf_map__fd(map);
	uint8_t key[64];

	if (bpf_map__key_size(map) > sizeof(key))
		return -E2BIG;
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	return 0;
}

/* Add or replace the VIP {addr, proto, port}; port 0 = every port. */
static inline int fx_vip_set(struct xlb_fixture *fx, int family, const char *addr, uint8_t proto,
			     uint16_t port, const struct xlb_vip *vip)
{
	struct xlb_vip_key key;

	fx_vip_key(&key, family, addr, proto, port);
	if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.vips), &key, vip, BPF_ANY)) {
		int err = -errno;

		fprintf(stderr, "fixture: vips update %s: %s\n", addr, strerror(-err));
		return err;
	}
	return 0;
}

/* The MAC the fixture gives backend id: 02:be:00:00:<id>, locally administered. */
static inline void fx_backend_mac(uint32_t id, uint8_t *mac)
{
	mac[0] = 0x02;
	mac[1] = 0xbe;
	mac[2] = 0;
	mac[3] = id >> 16;
	mac[4] = id >> 8;
	mac[5] = id;
}

/* Write backend id; flags are XLB_BE_F_*, the MAC is fx_backend_mac(id). */
static inline int fx_backend_set(struct xlb_fixture *fx, uint32_t id, int family, const char *addr,
				 uint32_t vip_id, uint8_t flags, uint16_t weight)
{
	struct xlb_backend be = {
		.family = family == 6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4,
		.flags = flags,
		.vip_id = vip_id,
		.weight = weight,
	};

	if (id >= XLB_MAX_BACKENDS)
		return -EINVAL;
	pkt_addr(family, addr, be.addr);
	fx_backend_mac(id, be.mac);
	if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.backends), &id, &be, BPF_ANY)) {
		int err = -errno;

		fprintf(stderr, "fixture: backends update %u: %s\n", id, strerror(-err));
		return err;
	}
	fx->backends[id] = be;
	return 0;
}

/* Change only a backend's flags, as a health check or a drain would. */
static inline int fx_backend_flags(struct xlb_fixture *fx, uint32_t id, uint8_t flags)
{
	struct xlb_backend be = fx->backends[id];

	be.flags = flags;
	if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.backends), &id, &be, BPF_ANY)) {
		int err = -errno;

		fprintf(stderr, "fixture: backends update %u: %s\n", id, strerror(-err));
		return err;
	}
	fx->backends[id] = be;
	return 0;
}

/*
 * Give VIP vip_id the table table[0..size) in a fresh inner map swapped into maglev_tables in one
 * update, as xlbd does on a rebuild. The outer map holds the inner map, so its fd is closed here.
 */
static inline int fx_table_set(struct xlb_fixture *fx, uint32_t vip_id, const uint32_t *table,
			       uint32_t size)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_INNER_MAP);
	uint32_t *shadow = NULL, i;
	int fd, err;

	if (vip_id >= XLB_MAX_VIPS || !size)
		return -EINVAL;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fx_maglev", sizeof(uint32_t), sizeof(uint32_t),
			    size, &opts);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "fixture: inner map of %u slots: %s\n", size, strerror(-err));
		return err;
	}
	shadow = malloc((size_t)size * sizeof(*shadow));
	if (!shadow) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* Batched: a 65537-slot table one syscall per slot would dominate the test's run time. */
	{
		uint32_t *keys = malloc((size_t)size * sizeof(*keys)), count = size;

		if (!keys) {
			err = -ENOMEM;
			goto cleanup;
		}
		for (i = 0; i < size; i++)
			keys[i] = i;
		err = bpf_map_update_batch(fd, keys, table, &count, NULL);
		free(keys);
	}
	if (err) {
		/* Kernels without batch ops on arrays: fall back to one update per slot. */
		for (i = 0; i < size; i++) {
			if (bpf_map_update_elem(fd, &i, &table[i], BPF_ANY)) {
				err = -errno;
				fprintf(stderr, "fixture: inner map slot %u: %s\n", i,
					strerror(-err));
				goto cleanup;
			}
		}
	}
	if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.maglev_tables), &vip_id, &fd,
				BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "fixture: maglev_tables[%u]: %s\n", vip_id, strerror(-err));
		goto cleanup;
	}
	memcpy(shadow, table, (size_t)size * sizeof(*shadow));
	free(fx->tables[vip_id]);
	fx->tables[vip_id] = shadow;
	fx->table_size[vip_id] = size;
	shadow = NULL;
	err = 0;

cleanup:
	free(shadow);
	close(fd);
	return err;
}

/* Build a Maglev table of size slots over backends ids[0..n) (keyed by address, by their weight). */
static inline int fx_table_build(struct xlb_fixture *fx, uint32_t vip_id, const uint32_t *ids,
				 size_t n, uint32_t size)
{
	struct xlb_sched_backend *mb = NULL;
	uint32_t *table;
	size_t i;
	int err;

	table = malloc((size_t)size * sizeof(*table));
	if (n)
		mb = calloc(n, sizeof(*mb));
	if (!table || (n && !mb)) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		const struct xlb_backend *be = &fx->backends[ids[i]];

		mb[i].key = be->addr;
		mb[i].key_len = sizeof(be->addr);
		mb[i].weight = be->weight;
		mb[i].id = ids[i];
	}
	err = xlb_maglev_build(mb, n, table, size);
	if (err) {
		fprintf(stderr, "fixture: xlb_maglev_build: %s\n", strerror(-err));
		goto cleanup;
	}
	err = fx_table_set(fx, vip_id, table, size);

cleanup:
	free(mb);
	free(table);
	return err;
}

/* Remove VIP vip_id's table altogether (maglev_tables[vip_id] empty). */
static inline int fx_table_remove(struct xlb_fixture *fx, uint32_t vip_id)
{
	if (bpf_map_delete_elem(bpf_map__fd(fx->skel->maps.maglev_tables), &vip_id) &&
	    errno != ENOENT)
		return -errno;
	free(fx->tables[vip_id]);
	fx->tables[vip_id] = NULL;
	fx->table_size[vip_id] = 0;
	return 0;
}

/* The table slot the data path must read for flow f: hash % ring_size. */
static inline uint32_t fx_slot(const struct xlb_fixture *fx, uint32_t vip_id,
			       const struct xlb_flow *f)
{
	return xlb_flow_hash(f) % fx->table_size[vip_id];
}

/* The backend VIP vip_id's table names for a new flow f, or XLB_NO_BACKEND. */
static inline uint32_t fx_table_pick(const struct xlb_fixture *fx, uint32_t vip_id,
				     const struct xlb_flow *f)
{
	if (vip_id >= XLB_MAX_VIPS || !fx->tables[vip_id])
		return XLB_NO_BACKEND;
	return fx->tables[vip_id][fx_slot(fx, vip_id, f)];
}

/*
 * Move this process into a network namespace of its own (it dies with the process) and run
 * cmds there, one shell command each: bpf_fib_lookup then reads tables the test built, never
 * the host's. 0 or -errno.
 */
static inline int fx_netns_enter(const char *const *cmds, size_t n)
{
	size_t i;

	if (unshare(CLONE_NEWNET)) {
		int err = -errno;

		fprintf(stderr, "fixture: unshare(CLONE_NEWNET): %s\n", strerror(-err));
		return err;
	}
	for (i = 0; i < n; i++) {
		if (system(cmds[i])) {
			fprintf(stderr, "fixture: failed: %s\n", cmds[i]);
			return -EIO;
		}
	}
	return 0;
}

/* Run the program once on in[0..len) as received on ifindex (0: none); out holds PKT_MAX. */
static inline int fx_run_on(const struct xlb_fixture *fx, int ifindex, const void *in,
			    uint32_t len, void *out, uint32_t *out_len, uint32_t *retval)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = len,
		.data_out = out,
		.data_size_out = PKT_MAX,
		.ctx_in = ifindex ? &ctx : NULL,
		.ctx_size_in = ifindex ? sizeof(ctx) : 0,
		.repeat = 1,
	);

	if (bpf_prog_test_run_opts(fx->prog_fd, &opts))
		return -errno;
	*out_len = opts.data_size_out;
	*retval = opts.retval;
	return 0;
}

/* Run the program once on in[0..len); out must hold PKT_MAX bytes. 0 or -errno. */
static inline int fx_run(const struct xlb_fixture *fx, const void *in, uint32_t len, void *out,
			 uint32_t *out_len, uint32_t *retval)
{
	return fx_run_on(fx, 0, in, len, out, out_len, retval);
}

/* Sum of a per-CPU counter set over every possible CPU. */
static inline int fx_counters(const struct xlb_fixture *fx, struct bpf_map *map, uint32_t idx,
			      struct xlb_counters *sum)
{
	struct xlb_counters *v;
	int i, err = 0;

	memset(sum, 0, sizeof(*sum));
	v = calloc(fx->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(map), &idx, v)) {
		err = -errno;
		goto cleanup;
	}
	for (i = 0; i < fx->ncpus; i++) {
		sum->packets += v[i].packets;
		sum->bytes += v[i].bytes;
		sum->new_flows += v[i].new_flows;
	}

cleanup:
	free(v);
	return err;
}

/* The conns entry of flow f: 0, or -ENOENT when the flow has none. */
static inline int fx_conn(const struct xlb_fixture *fx, const struct xlb_flow *f,
			  struct xlb_conn *conn)
{
	if (bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.conns), f, conn))
		return -errno;
	return 0;
}

/*
 * A test's setup: a fixture of its own, whose maps configure (may be NULL) writes; *state holds
 * it. 0, or -1 after saying why (cmocka's setup convention).
 */
static inline int fx_state_open(void **state, const uint8_t *iface_mac,
				int (*configure)(struct xlb_fixture *fx))
{
	struct xlb_fixture *fx = calloc(1, sizeof(*fx));
	int err;

	if (!fx)
		return -1;
	err = fx_open(fx, iface_mac);
	if (!err && configure)
		err = configure(fx);
	if (err) {
		fprintf(stderr, "fixture: %s\n", strerror(-err));
		fx_close(fx);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

/* The teardown of fx_state_open(). */
static inline int fx_state_close(void **state)
{
	fx_close(*state);
	free(*state);
	*state = NULL;
	return 0;
}

#endif /* XLB_TEST_FIXTURE_H */
