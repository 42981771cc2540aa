// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzzing bpf/decap.bpf.c, the backends' tunnel endpoint: BPF_PROG_TEST_RUN on tunnelled frames
 * as the dispatcher sends them (IPIP, 6in4, IP6IP6, 4in6, to an accepted outer destination and
 * to another, with and without Ethernet padding) and on their mutations (truncations, bit flips,
 * outer lengths, protocols, fragment fields, IHL, checksums, destinations, inner versions, VLAN
 * tags, random bytes).
 *
 * Test that every frame loads and runs (a verifier-visible fault fails the run), gets XDP_PASS
 * and moves exactly one decap_stats index by one packet of its length, and that an independent
 * reading of the frame (RFC 2003 / 2473 / 791, and the design's rules: no options, no fragments,
 * a right checksum, an accepted destination, the inner header whole inside the outer datagram and
 * of the version the outer protocol names) decides its fate:
 *   - strippable: the output is the input's MACs, the inner ethertype, then the input's bytes
 *     after the outer header, exactly (Ethernet padding included);
 *   - not: the output is the input, byte for byte, and the reason is not "stripped".
 * Deterministic: the seed is printed, XLB_DECAPFUZZ_SEED sets it, XLB_DECAPFUZZ_FRAMES the count.
 */
#include <inttypes.h>
#include <time.h>

#include "decap.skel.h"
#include "fixture.h"
#include "fuzz_rng.h"
#include "xlb/decap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FUZZ_FRAMES_DEFAULT 60000
#define FUZZ_MAX_FAILS 10

static const uint8_t host_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x0b };
static const uint8_t lb_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };

#define LB4 "198.51.100.1"
#define HOST4 "198.51.100.11" /* accepted */
#define OTHER4 "198.51.100.99"
#define LB6 "2001:db8:b::1"
#define HOST6 "2001:db8:b::11" /* accepted */
#define OTHER6 "2001:db8:b::99"

static uint8_t host4[4], host6[16];

/* ---------------------------------------------------------------------------------------------
 * The corpus: the dispatcher's frames.
 */
#define CORPUS_MAX 128

static struct pkt corpus[CORPUS_MAX];
static size_t corpus_len;

static void tunnel_frame(struct pkt *p, int outer_family, bool accepted, int inner_family,
			 uint8_t inner_proto, uint32_t payload, bool pad)
{
	struct pkt in;

	pkt_init(&in);
	if (inner_family == 6)
		pkt_ipv6(&in, "2001:db8:c::1", "2001:db8:a::10");
	else
		pkt_ipv4(&in, "192.0.2.1", "203.0.113.10");
	if (inner_proto == IPPROTO_TCP)
		pkt_tcp(&in, 40001, 80);
	else
		pkt_udp(&in, 40001, 53);
	pkt_payload(&in, payload);
	pkt_finish(&in);

	pkt_init(p);
	pkt_eth(p, host_mac, lb_mac, outer_family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	if (outer_family == 6)
		pkt_ipv6(p, LB6, accepted ? HOST6 : OTHER6);
	else
		pkt_ipv4(p, LB4, accepted ? HOST4 : OTHER4);
	pkt_chain(p, inner_family == 6 ? IPPROTO_IPV6 : IPPROTO_IPIP);
	pkt_append(p, in.data, in.len);
	pkt_finish(p);
	if (pad && p->len < 60)
		pkt_put(p, 60 - p->len);
}

static void corpus_build(void)
{
	static const uint32_t payloads[] = { 0, 37, 300 };
	int o, i, a, k;

	for (o = 4; o <= 6; o += 2)
		for (i = 4; i <= 6; i += 2)
			for (a = 0; a < 2; a++)
				for (k = 0; k < (int)ARRAY_SIZE(payloads); k++) {
					tunnel_frame(&corpus[corpus_len++], o, a, i,
						     k % 2 ? IPPROTO_TCP : IPPROTO_UDP,
						     payloads[k], false);
					tunnel_frame(&corpus[corpus_len++], o, a, i, IPPROTO_UDP,
						     k, true);
				}
	/* A datagram that is no tunnel, to the accepted address. */
	pkt_init(&corpus[corpus_len]);
	pkt_eth(&corpus[corpus_len], host_mac, lb_mac, ETH_P_IP);
	pkt_ipv4(&corpus[corpus_len], LB4, HOST4);
	pkt_udp(&corpus[corpus_len], 40001, 53);
	pkt_finish(&corpus[corpus_len++]);
}

/* ---------------------------------------------------------------------------------------------
 * Mutations of a corpus frame.
 */
enum mutation {
	M_AS_IS,
	M_TRUNCATE,
	M_BIT_FLIP,
	M_BYTES,
	M_OUTER_LEN,
	M_OUTER_PROTO,
	M_OUTER_FRAG,
	M_IHL,
	M_CSUM,
	M_DST,
	M_INNER_VERSION,
	M_VLAN,
	M_HAVOC,
	M_RANDOM,
	M_MAX,
};

static const char *const mutation_names[M_MAX] = {
	[M_AS_IS] = "as_is",           [M_TRUNCATE] = "truncate",
	[M_BIT_FLIP] = "bit_flip",     [M_BYTES] = "bytes",
	[M_OUTER_LEN] = "outer_len",   [M_OUTER_PROTO] = "outer_proto",
	[M_OUTER_FRAG] = "outer_frag", [M_IHL] = "ihl",
	[M_CSUM] = "csum",             [M_DST] = "dst",
	[M_INNER_VERSION] = "inner_version", [M_VLAN] = "vlan",
	[M_HAVOC] = "havoc",           [M_RANDOM] = "random",
};

/* An outer IPv4 header's checksum made right again, most of the time: else only that fails. */
static void refix_csum(struct pkt *p)
{
	if (p->family == 4 && p->len >= ETH_HLEN + 20 && rnd_below(4)) {
		uint32_t hlen = (p->data[ETH_HLEN] & 0xf) * 4;

		if (hlen < 20 || ETH_HLEN + hlen > p->len)
			hlen = 20;
		uint16_t check;

		put16(p->data + ETH_HLEN + 10, 0);
		check = pkt_fold(pkt_sum(0, p->data + ETH_HLEN, hlen));
		memcpy(p->data + ETH_HLEN + 10, &check, 2);
	}
}

static uint16_t edge_len(uint32_t frame)
{
	static const int deltas[] = { -41, -40, -21, -20, -1, 0, 1, 8 };

	if (rnd_below(4) == 0)
		return (uint16_t)rnd();
	return (uint16_t)(frame + deltas[rnd_below(ARRAY_SIZE(deltas))]);
}

static void mut_bytes(struct pkt *p)
{
	static const uint8_t interesting[] = { 0, 4, 5, 6, 17, 41, 0x40, 0x45, 0x46, 0x60, 0xff };
	uint32_t n = 1 + rnd_below(3), i;

	for (i = 0; i < n; i++)
		p->data[rnd_below(p->len)] = rnd_below(2) ?
			interesting[rnd_below(ARRAY_SIZE(interesting))] : (uint8_t)rnd();
}

static void mut_outer_len(struct pkt *p)
{
	uint32_t frame = p->len - ETH_HLEN;

	if (p->family == 4)
		put16(p->data + ETH_HLEN + 2, edge_len(frame));
	else
		put16(p->data + ETH_HLEN + 4, edge_len(frame - 40));
	refix_csum(p);
	/* The frame cut or padded past what the header now says, now and then. */
	if (!rnd_below(3))
		mut_truncate(p);
}

static void mut_outer_proto(struct pkt *p)
{
	static const uint8_t protos[] = { IPPROTO_IPIP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_GRE, 0, 59 };

	p->data[ETH_HLEN + (p->family == 4 ? 9 : 6)] = protos[rnd_below(ARRAY_SIZE(protos))];
	refix_csum(p);
}

static void mut_outer_frag(struct pkt *p)
{
	if (p->family != 4)
		return mut_bytes(p);
	put16(p->data + ETH_HLEN + 6, (uint16_t)(rnd_below(8) << 13 | (rnd_below(2) ? 0 : rnd_below(0x2000))));
	refix_csum(p);
}

/* Another IHL; when it grows, the frame grows by that much of options (NOPs). */
static void mut_ihl(struct pkt *p)
{
	uint32_t ihl = rnd_below(16), add;

	if (p->family != 4)
		return mut_bytes(p);
	add = ihl > 5 ? (ihl - 5) * 4 : 0;
	if (add && rnd_below(2) && p->len + add <= PKT_MAX) {
		uint8_t *opt = p->data + ETH_HLEN + 20;

		memmove(opt + add, opt, p->len - ETH_HLEN - 20);
		memset(opt, 1, add);
		p->len += add;
		put16(p->data + ETH_HLEN + 2, get16(p->data + ETH_HLEN + 2) + add);
	}
	p->data[ETH_HLEN] = 0x40 | ihl;
	refix_csum(p);
}

static void mut_csum(struct pkt *p)
{
	if (p->family != 4)
		return mut_bit_flip(p);
	p->data[ETH_HLEN + 10 + rnd_below(2)] ^= (uint8_t)(1 + rnd_below(255));
}

static void mut_dst(struct pkt *p)
{
	static const char *const v4[] = { HOST4, OTHER4, LB4, "203.0.113.10" };
	static const char *const v6[] = { HOST6, OTHER6, LB6, "2001:db8:b::" };

	if (p->family == 4) {
		pkt_addr(4, v4[rnd_below(ARRAY_SIZE(v4))], p->data + ETH_HLEN + 16);
		refix_csum(p);
	} else {
		pkt_addr(6, v6[rnd_below(ARRAY_SIZE(v6))], p->data + ETH_HLEN + 24);
	}
}

static void mut_inner_version(struct pkt *p)
{
	uint32_t at = ETH_HLEN + (p->family == 4 ? 20 : 40);

	if (at < p->len)
		p->data[at] = (uint8_t)(rnd_below(16) << 4 | (p->data[at] & 0xf));
}

static void mut_vlan(struct pkt *p)
{
	if (p->len + 4 > PKT_MAX)
		return mut_bytes(p);
	memmove(p->data + 16, p->data + 12, p->len - 12);
	put16(p->data + 12, rnd_below(2) ? ETH_P_8021Q : ETH_P_8021AD);
	put16(p->data + 14, (uint16_t)rnd_below(4096));
	p->len += 4;
}

static void mut_random(struct pkt *p)
{
	uint32_t i;

	pkt_init(p);
	p->len = ETH_HLEN + rnd_below(PKT_MAX - ETH_HLEN + 1);
	for (i = 0; i < p->len; i++)
		p->data[i] = (uint8_t)rnd();
	memcpy(p->data, host_mac, ETH_ALEN);
	p->family = rnd_below(2) ? 4 : 6;
	put16(p->data + 12, p->family == 4 ? ETH_P_IP : ETH_P_IPV6);
	if (p->len > ETH_HLEN)
		p->data[ETH_HLEN] = p->family == 4 ? 0x45 : (uint8_t)(0x60 | (p->data[ETH_HLEN] & 0x0f));
	if (p->family == 4 && p->len > ETH_HLEN + 9)
		p->data[ETH_HLEN + 9] = rnd_below(2) ? IPPROTO_IPIP : IPPROTO_IPV6;
	else if (p->len > ETH_HLEN + 6)
		p->data[ETH_HLEN + 6] = rnd_below(2) ? IPPROTO_IPIP : IPPROTO_IPV6;
	if (rnd_below(2))
		mut_dst(p);
}

/* A few of the above stacked on one frame. */
static void mut_havoc(struct pkt *p)
{
	static void (*const stack[])(struct pkt *) = { mut_truncate, mut_bit_flip, mut_outer_len,
						       mut_outer_proto, mut_inner_version, mut_dst };
	uint32_t n = 2 + rnd_below(3), i;

	for (i = 0; i < n && p->len > ETH_HLEN; i++)
		stack[rnd_below(ARRAY_SIZE(stack))](p);
}

static void (*const mutators[M_MAX])(struct pkt *) = {
	[M_TRUNCATE] = mut_truncate,       [M_BIT_FLIP] = mut_bit_flip,
	[M_BYTES] = mut_bytes,             [M_OUTER_LEN] = mut_outer_len,
	[M_OUTER_PROTO] = mut_outer_proto, [M_OUTER_FRAG] = mut_outer_frag,
	[M_IHL] = mut_ihl,                 [M_CSUM] = mut_csum,
	[M_DST] = mut_dst,                 [M_INNER_VERSION] = mut_inner_version,
	[M_VLAN] = mut_vlan,               [M_HAVOC] = mut_havoc,
	[M_RANDOM] = mut_random,
};

/* A corpus frame with mutation m (as_is: none) applied. */
static void mutate(struct pkt *p, enum mutation m)
{
	*p = corpus[rnd_below(corpus_len)];
	if (mutators[m])
		mutators[m](p);
	if (p->len < ETH_HLEN)
		p->len = ETH_HLEN;
}

/* ---------------------------------------------------------------------------------------------
 * The reference: whether the frame is a tunnelled packet the design strips, and where its inner
 * packet starts.
 */
static bool ref_strippable(const struct pkt *p, uint32_t *hlen, uint16_t *inner_type)
{
	const uint8_t *l3 = p->data + ETH_HLEN;
	uint32_t avail = p->len - ETH_HLEN, dgram, need;
	uint16_t type = get16(p->data + 12);
	uint8_t proto;

	if (type == ETH_P_IP) {
		if (avail < 20 || l3[0] != 0x45)  /* version 4, no options */
			return false;
		if (get16(l3 + 6) & 0x3fff)       /* MF or an offset: a fragment */
			return false;
		if (pkt_fold(pkt_sum(0, l3, 20)))
			return false;
		dgram = get16(l3 + 2);
		if (dgram < 20 || dgram > avail || memcmp(l3 + 16, host4, 4))
			return false;
		proto = l3[9];
		*hlen = 20;
	} else if (type == ETH_P_IPV6) {
		if (avail < 40 || l3[0] >> 4 != 6)
			return false;
		dgram = 40 + get16(l3 + 4);
		if (dgram == 40 || dgram > avail || memcmp(l3 + 24, host6, 16))
			return false;
		proto = l3[6];
		*hlen = 40;
	} else {
		return false;
	}
	if (proto != IPPROTO_IPIP && proto != IPPROTO_IPV6)
		return false;
	*inner_type = proto == IPPROTO_IPIP ? ETH_P_IP : ETH_P_IPV6;
	/* The inner header inside the outer datagram, not in padding after it. */
	need = proto == IPPROTO_IPIP ? 20 : 40;
	if (*hlen + need > dgram)
		return false;
	return l3[*hlen] >> 4 == (proto == IPPROTO_IPIP ? 4 : 6);
}

/* ---------------------------------------------------------------------------------------------
 * Running and checking
 */
struct fuzz {
	struct decap_bpf *skel;
	int ncpus;
	unsigned int fails;
	uint64_t frame_no, thrown[M_MAX], stripped[M_MAX], reasons[XLB_DECAP_R_MAX];
	enum mutation m;
	struct xlb_decap_counters *percpu, now[XLB_DECAP_R_MAX];
};

static int stats(struct fuzz *z, struct xlb_decap_counters sum[XLB_DECAP_R_MAX])
{
	uint32_t r;
	int c;

	for (r = 0; r < XLB_DECAP_R_MAX; r++) {
		if (bpf_map_lookup_elem(bpf_map__fd(z->skel->maps.decap_stats), &r, z->percpu))
			return -errno;
		memset(&sum[r], 0, sizeof(sum[r]));
		for (c = 0; c < z->ncpus; c++) {
			sum[r].packets += z->percpu[c].packets;
			sum[r].bytes += z->percpu[c].bytes;
		}
	}
	return 0;
}

static __attribute__((format(printf, 3, 4))) void violation(struct fuzz *z, const struct pkt *p,
							    const char *fmt, ...)
{
	va_list ap;

	if (++z->fails > FUZZ_MAX_FAILS)
		return;
	fprintf(stderr, "VIOLATION frame %" PRIu64 " (%s, %u bytes): ", z->frame_no,
		mutation_names[z->m], p->len);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n  ");
	print_frame(p);
}

static int throw_one(struct fuzz *z, const struct pkt *p)
{
	struct xlb_decap_counters before[XLB_DECAP_R_MAX];
	uint8_t out[PKT_MAX], want[PKT_MAX];
	uint32_t hlen = 0, want_len, r, moved = XLB_DECAP_R_MAX;
	uint16_t inner_type = 0;
	bool strip;
	int err;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	memcpy(before, z->now, sizeof(before));
	if (bpf_prog_test_run_opts(bpf_program__fd(z->skel->progs.xlb_decap), &opts)) {
		err = -errno;
		fprintf(stderr, "test_decap_fuzz: frame %" PRIu64 ": %s\n", z->frame_no,
			strerror(-err));
		return err;
	}
	err = stats(z, z->now);
	if (err)
		return err;
	z->thrown[z->m]++;
	for (r = 0; r < XLB_DECAP_R_MAX; r++) {
		uint64_t dp = z->now[r].packets - before[r].packets;
		uint64_t db = z->now[r].bytes - before[r].bytes;

		if (!dp && !db)
			continue;
		if (dp != 1 || db != p->len || moved != XLB_DECAP_R_MAX)
			violation(z, p, "decap_stats[%u] moved by %" PRIu64 " packets, %" PRIu64
				  " bytes", r, dp, db);
		moved = r;
	}
	if (moved == XLB_DECAP_R_MAX)
		violation(z, p, "no decap_stats index moved");
	else
		z->reasons[moved]++;
	if (opts.retval != XDP_PASS)
		violation(z, p, "verdict %u, not XDP_PASS", opts.retval);

	strip = ref_strippable(p, &hlen, &inner_type);
	if (strip) {
		z->stripped[z->m]++;
		memcpy(want, p->data, 2 * ETH_ALEN);
		put16(want + 2 * ETH_ALEN, inner_type);
		memcpy(want + ETH_HLEN, p->data + ETH_HLEN + hlen, p->len - ETH_HLEN - hlen);
		want_len = p->len - hlen;
	} else {
		memcpy(want, p->data, p->len);
		want_len = p->len;
	}
	if (strip != (moved == XLB_DECAP_R_STRIPPED))
		violation(z, p, "reason %u, the design says %s", moved,
			  strip ? "stripped" : "not stripped");
	else if (opts.data_size_out != want_len || memcmp(out, want, want_len))
		violation(z, p, "%s frame: %u bytes out, want %u, or their bytes differ",
			  strip ? "stripped" : "unstripped", opts.data_size_out, want_len);
	return 0;
}

static int allow(struct decap_bpf *skel, int family, const void *addr)
{
	struct xlb_decap_addr key = { .family = family == 6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4 };
	uint8_t one = 1;

	memcpy(key.addr, addr, family == 6 ? 16 : 4);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_addrs), &key, &one, BPF_ANY))
		return -errno;
	return 0;
}

int main(void)
{
	struct fuzz z = {};
	uint64_t seed, frames, i;
	struct pkt p;
	int err = 0, k;

	if (geteuid() != 0) {
		fprintf(stderr, "test_decap_fuzz: BPF_PROG_TEST_RUN needs root; skipped\n");
		return 77;
	}
	seed = fuzz_start("test_decap_fuzz", "XLB_DECAPFUZZ_SEED", "XLB_DECAPFUZZ_FRAMES", FUZZ_FRAMES_DEFAULT, &frames);

	pkt_addr(4, HOST4, host4);
	pkt_addr(6, HOST6, host6);
	z.ncpus = libbpf_num_possible_cpus();
	z.skel = decap_bpf__open_and_load();
	if (z.ncpus <= 0 || !z.skel) {
		fprintf(stderr, "test_decap_fuzz: loading decap.bpf.o: %s\n", strerror(errno));
		return 1;
	}
	z.percpu = calloc(z.ncpus, sizeof(*z.percpu));
	err = z.percpu ? 0 : -ENOMEM;
	if (!err)
		err = allow(z.skel, 4, host4);
	if (!err)
		err = allow(z.skel, 6, host6);
	if (!err)
		err = stats(&z, z.now);
	corpus_build();
	for (i = 0; !err && i < frames; i++) {
		z.m = i % 2 ? (enum mutation)(i / 2 % M_MAX) : (enum mutation)rnd_below(M_MAX);
		z.frame_no = i;
		mutate(&p, z.m);
		err = throw_one(&z, &p);
	}
	free(z.percpu);
	decap_bpf__destroy(z.skel);
	if (err)
		return 1;

	printf("frames thrown (stripped) per mutation:");
	for (k = 0; k < M_MAX; k++)
		printf(" %s %" PRIu64 " (%" PRIu64 ")", mutation_names[k], z.thrown[k],
		       z.stripped[k]);
	printf("\nreasons:");
	for (k = 0; k < XLB_DECAP_R_MAX; k++)
		printf(" %d:%" PRIu64, k, z.reasons[k]);
	printf("\n");
	if (z.fails) {
		printf("test_decap_fuzz: FAIL, %u invariant violations (seed %" PRIu64 ")\n",
		       z.fails, seed);
		return 1;
	}
	printf("test_decap_fuzz: PASS, %" PRIu64 " frames, no invariant violated\n", frames);
	return 0;
}
