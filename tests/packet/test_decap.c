// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet tests of bpf/decap.bpf.c, the backends' tunnel endpoint, run with BPF_PROG_TEST_RUN.
 *
 * Frames are built as the dispatcher sends them in tun mode (outer TTL / hop limit 64; IPIP,
 * 6in4, IP6IP6, 4in6) around an inner datagram built on its own. A stripped frame must come out
 * as the same Ethernet addresses, the inner ethertype and the inner datagram byte for byte;
 * every other frame must come out byte-identical. Each case checks that exactly one decap_stats
 * index moved, by one packet of the input frame's length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "decap.skel.h"
#include "fixture.h"
#include "xlb/decap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t host_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x0b };
static const uint8_t lb_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };

#define LB4 "198.51.100.1"
#define HOST4 "198.51.100.11" /* allowed */
#define OTHER4 "198.51.100.99" /* not allowed */
#define LB6 "2001:db8:b::1"
#define HOST6 "2001:db8:b::11" /* allowed */
#define OTHER6 "2001:db8:b::99"
#define CLIENT4 "192.0.2.1"
#define VIP4 "203.0.113.10"
#define CLIENT6 "2001:db8:c::1"
#define VIP6 "2001:db8:a::10"

static struct decap_bpf *skel;
static int ncpus;

/* An inner UDP datagram (no Ethernet header) of the given family, finished. */
static void inner_udp(struct pkt *in, int family, uint32_t payload)
{
	pkt_init(in);
	if (family == 6)
		pkt_ipv6(in, CLIENT6, VIP6);
	else
		pkt_ipv4(in, CLIENT4, VIP4);
	pkt_udp(in, 40001, 53);
	pkt_payload(in, payload);
	pkt_finish(in);
}

/* The frame the dispatcher sends: Ethernet, outer header to dst, then in's bytes. */
static void outer(struct pkt *p, int outer_family, const char *dst, const struct pkt *in)
{
	pkt_init(p);
	pkt_eth(p, host_mac, lb_mac, outer_family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	if (outer_family == 6)
		pkt_ipv6(p, LB6, dst);
	else
		pkt_ipv4(p, LB4, dst);
	pkt_chain(p, in->family == 6 ? IPPROTO_IPV6 : IPPROTO_IPIP);
	pkt_append(p, in->data, in->len);
	pkt_finish(p);
}

/* Load a fresh program; addrs: outer destinations to allow, as "4:a.b.c.d" / "6:x::y". */
static int load(const char *const *addrs, size_t n)
{
	size_t i;
	int err;

	decap_bpf__destroy(skel);
	skel = decap_bpf__open_and_load();
	if (!skel)
		return -errno;
	for (i = 0; i < n; i++) {
		struct xlb_decap_addr key = {};
		uint8_t one = 1;
		int family = addrs[i][0] == '6' ? 6 : 4;

		pkt_addr(family, addrs[i] + 2, key.addr);
		key.family = family == 6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.decap_addrs), &key, &one, BPF_ANY);
		if (err)
			return -errno;
	}
	return 0;
}

static const char *const std_addrs[] = { "4:" HOST4, "6:" HOST6 };

static void stats(struct xlb_decap_counters sum[XLB_DECAP_R_MAX])
{
	struct xlb_decap_counters *v = calloc(ncpus, sizeof(*v));
	uint32_t r;
	int c;

	assert_non_null(v);
	for (r = 0; r < XLB_DECAP_R_MAX; r++) {
		assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.decap_stats), &r, v), 0);
		memset(&sum[r], 0, sizeof(sum[r]));
		for (c = 0; c < ncpus; c++) {
			sum[r].packets += v[c].packets;
			sum[r].bytes += v[c].bytes;
		}
	}
	free(v);
}

/* Run f once: XDP_PASS, output exactly want[0..want_len), one packet counted under reason. */
static void run(const struct pkt *f, const void *want, uint32_t want_len, uint32_t reason)
{
	struct xlb_decap_counters before[XLB_DECAP_R_MAX], after[XLB_DECAP_R_MAX];
	uint8_t out[PKT_MAX];
	uint32_t r;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	stats(before);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xlb_decap), &opts), 0);
	assert_int_equal(opts.retval, XDP_PASS);
	assert_int_equal(opts.data_size_out, want_len);
	assert_memory_equal(out, want, want_len);
	stats(after);
	for (r = 0; r < XLB_DECAP_R_MAX; r++) {
		uint64_t dp = after[r].packets - before[r].packets, db = after[r].bytes - before[r].bytes;

		if (r == reason) {
			assert_int_equal(dp, 1);
			assert_int_equal(db, f->len);
		} else if (dp || db) {
			fail_msg("reason %u counted, expected only %u", r, reason);
		}
	}
}

static void run_unchanged(const struct pkt *f, uint32_t reason)
{
	run(f, f->data, f->len, reason);
}

/* Expect the Ethernet header with the inner ethertype, then in's bytes, then any trailer. */
static void run_stripped(const struct pkt *f, const struct pkt *in, const void *trailer,
			 uint32_t trailer_len)
{
	struct pkt want;

	pkt_init(&want);
	pkt_eth(&want, host_mac, lb_mac, in->family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	pkt_append(&want, in->data, in->len);
	if (trailer_len)
		pkt_append(&want, trailer, trailer_len);
	run(f, want.data, want.len, XLB_DECAP_R_STRIPPED);
}

static void strip(int outer_family, int inner_family)
{
	struct pkt in, f;

	inner_udp(&in, inner_family, 37);
	outer(&f, outer_family, outer_family == 6 ? HOST6 : HOST4, &in);
	run_stripped(&f, &in, NULL, 0);
}

static void test_ipip(void **state)
{
	(void)state;
	strip(4, 4);
}

static void test_ip6ip6(void **state)
{
	(void)state;
	strip(6, 6);
}

static void test_4in6(void **state)
{
	(void)state;
	strip(6, 4);
}

static void test_6in4(void **state)
{
	(void)state;
	strip(4, 6);
}

/* A short frame gets Ethernet padding after the outer datagram: it stays after the inner one. */
static void test_padding_kept(void **state)
{
	static const uint8_t pad[6] = { 0 };
	struct pkt in, f;

	(void)state;
	inner_udp(&in, 4, 0);
	outer(&f, 4, HOST4, &in);
	pkt_append(&f, pad, sizeof(pad));
	run_stripped(&f, &in, pad, sizeof(pad));
}

static void test_not_allowed(void **state)
{
	struct pkt in, f;

	(void)state;
	inner_udp(&in, 4, 10);
	outer(&f, 4, OTHER4, &in);
	run_unchanged(&f, XLB_DECAP_R_NOT_ALLOWED);
	inner_udp(&in, 6, 10);
	outer(&f, 6, OTHER6, &in);
	run_unchanged(&f, XLB_DECAP_R_NOT_ALLOWED);
}

/* An empty decap_addrs strips nothing, not everything. */
static void test_empty_map_strips_nothing(void **state)
{
	struct pkt in, f;

	(void)state;
	assert_int_equal(load(NULL, 0), 0);
	inner_udp(&in, 4, 10);
	outer(&f, 4, HOST4, &in);
	run_unchanged(&f, XLB_DECAP_R_NOT_ALLOWED);
	inner_udp(&in, 6, 10);
	outer(&f, 6, HOST6, &in);
	run_unchanged(&f, XLB_DECAP_R_NOT_ALLOWED);
	assert_int_equal(load(std_addrs, ARRAY_SIZE(std_addrs)), 0);
}

static void test_truncated_outer(void **state)
{
	struct pkt in, f;

	(void)state;
	inner_udp(&in, 4, 10);
	outer(&f, 4, HOST4, &in);
	pkt_truncate(&f, ETH_HLEN + 19);
	run_unchanged(&f, XLB_DECAP_R_TRUNCATED);
	inner_udp(&in, 4, 10);
	outer(&f, 6, HOST6, &in);
	pkt_truncate(&f, ETH_HLEN + 39);
	run_unchanged(&f, XLB_DECAP_R_TRUNCATED);
}

/* The frame ends before the outer header's length says: cut in transit. */
static void test_truncated_datagram(void **state)
{
	struct pkt in, f;

	(void)state;
	inner_udp(&in, 4, 30);
	outer(&f, 4, HOST4, &in);
	pkt_truncate(&f, f.len - 1);
	run_unchanged(&f, XLB_DECAP_R_TRUNCATED);
	inner_udp(&in, 6, 30);
	outer(&f, 6, HOST6, &in);
	pkt_truncate(&f, f.len - 1);
	run_unchanged(&f, XLB_DECAP_R_TRUNCATED);
}

/* Outer lengths consistent, but the inner header itself is incomplete. */
static void test_truncated_inner(void **state)
{
	struct pkt in, f;

	(void)state;
	inner_udp(&in, 4, 0);
	in.len = 19;
	outer(&f, 4, HOST4, &in);
	run_unchanged(&f, XLB_DECAP_R_TRUNCATED);
	inner_udp(&in, 6, 0);
	in.len = 39;
	outer(&f, 6, HOST6, &in);
	run_unchanged(&f, XLB_DECAP_R_TRUNCATED);
	inner_udp(&in, 6, 0);
	in.len = 39;
	outer(&f, 4, HOST4, &in);
	run_unchanged(&f, XLB_DECAP_R_TRUNCATED);
}

/*
 * An outer datagram whose length ends before the inner header does, the rest of the frame
 * padding: nothing inside it to strip, even where the padding looks like an inner header (the
 * decap fuzzer's find).
 */
static void test_inner_past_outer_length(void **state)
{
	struct pkt in, f;
	uint16_t len;

	(void)state;
	inner_udp(&in, 6, 1);
	outer(&f, 4, HOST4, &in);
	len = htons(20 + 39);
	memcpy(f.data + ETH_HLEN + 2, &len, 2);
	pkt_ipv4_csum(&f);
	run_unchanged(&f, XLB_DECAP_R_TRUNCATED);
	inner_udp(&in, 4, 1);
	outer(&f, 6, HOST6, &in);
	len = htons(19);
	memcpy(f.data + ETH_HLEN + 4, &len, 2);
	run_unchanged(&f, XLB_DECAP_R_TRUNCATED);
}

static void test_outer_options(void **state)
{
	struct pkt in, f;

	(void)state;
	inner_udp(&in, 4, 10);
	pkt_init(&f);
	pkt_eth(&f, host_mac, lb_mac, ETH_P_IP);
	pkt_ipv4(&f, LB4, HOST4);
	pkt_ipv4_opts(&f, 8);
	pkt_chain(&f, IPPROTO_IPIP);
	pkt_append(&f, in.data, in.len);
	pkt_finish(&f);
	run_unchanged(&f, XLB_DECAP_R_OPTIONS);
}

static void frag(uint32_t offset, bool more)
{
	struct pkt in, f;

	inner_udp(&in, 4, 10);
	outer(&f, 4, HOST4, &in);
	pkt_ipv4_frag(&f, offset, more);
	pkt_finish(&f);
	run_unchanged(&f, XLB_DECAP_R_FRAGMENT);
}

static void test_outer_fragment(void **state)
{
	(void)state;
	frag(0, true);  /* first fragment */
	frag(64, true); /* middle */
	frag(64, false); /* last */
}

/* The DF bit is what the dispatcher sets, not a fragment. */
static void test_outer_df_stripped(void **state)
{
	struct pkt in, f;

	(void)state;
	inner_udp(&in, 4, 10);
	outer(&f, 4, HOST4, &in);
	((pkt_iphdr *)(f.data + f.l3))->frag_off = htons(PKT_IP_DF);
	pkt_finish(&f);
	run_stripped(&f, &in, NULL, 0);
}

static void test_outer_bad_csum(void **state)
{
	struct pkt in, f;

	(void)state;
	inner_udp(&in, 4, 10);
	outer(&f, 4, HOST4, &in);
	((pkt_iphdr *)(f.data + f.l3))->check ^= htons(1);
	run_unchanged(&f, XLB_DECAP_R_BAD_CSUM);
}

/* Protocol 4 carrying an IPv6 header, next header 41 carrying an IPv4 one. */
static void test_bad_inner_version(void **state)
{
	struct pkt in, f;

	(void)state;
	inner_udp(&in, 6, 10);
	outer(&f, 4, HOST4, &in);
	f.data[f.l3 + offsetof(struct iphdr, protocol)] = IPPROTO_IPIP;
	pkt_finish(&f);
	run_unchanged(&f, XLB_DECAP_R_BAD_INNER);
	inner_udp(&in, 4, 30);
	outer(&f, 6, HOST6, &in);
	f.data[f.l3 + offsetof(struct ipv6hdr, nexthdr)] = IPPROTO_IPV6;
	run_unchanged(&f, XLB_DECAP_R_BAD_INNER);
}

static void test_not_tunnel(void **state)
{
	struct pkt f;

	(void)state;
	/* Plain UDP to an allowed address. */
	pkt_init(&f);
	pkt_eth(&f, host_mac, lb_mac, ETH_P_IP);
	pkt_ipv4(&f, LB4, HOST4);
	pkt_udp(&f, 40001, 53);
	pkt_payload(&f, 8);
	pkt_finish(&f);
	run_unchanged(&f, XLB_DECAP_R_NOT_TUNNEL);
	pkt_init(&f);
	pkt_eth(&f, host_mac, lb_mac, ETH_P_IPV6);
	pkt_ipv6(&f, LB6, HOST6);
	pkt_tcp(&f, 40001, 80);
	pkt_finish(&f);
	run_unchanged(&f, XLB_DECAP_R_NOT_TUNNEL);
	/* ARP, and a VLAN-tagged tunnel frame (BPF_PROG_TEST_RUN refuses frames shorter than
	 * Ethernet, so the runt check in the program is not reachable from here). */
	pkt_init(&f);
	pkt_arp_request(&f, lb_mac, LB4, HOST4);
	run_unchanged(&f, XLB_DECAP_R_NOT_TUNNEL);
	pkt_init(&f);
	pkt_eth(&f, host_mac, lb_mac, ETH_P_8021Q);
	pkt_vlan(&f, 7, ETH_P_IP);
	pkt_ipv4(&f, LB4, HOST4);
	pkt_chain(&f, IPPROTO_IPIP);
	pkt_payload(&f, 20);
	pkt_finish(&f);
	run_unchanged(&f, XLB_DECAP_R_NOT_TUNNEL);
}

/*
 * Mutated tunnel frames (truncations, flipped bytes in the headers, random bytes): whatever the
 * program does, it passes; it strips only a frame whose outer header is IPv4 without options or
 * IPv6, naming IPv4/IPv6 inside, to an allowed address, and then the output is exactly the
 * frame minus that header with the ethertype the inner version names; otherwise it leaves the
 * frame byte-identical. One reason moves per frame.
 */
static void test_mutated_frames(void **state)
{
	static const uint8_t v4_ok[4] = { 198, 51, 100, 11 };
	struct xlb_decap_counters before[XLB_DECAP_R_MAX], after[XLB_DECAP_R_MAX];
	uint8_t out[PKT_MAX];
	unsigned int seed = 9, i, n_stripped = 0;
	struct in6_addr v6_ok;

	(void)state;
	pkt_addr(6, HOST6, &v6_ok);
	for (i = 0; i < 3000; i++) {
		struct pkt in, f;
		uint32_t r, moved = 0, hlen;
		uint8_t proto;
		int k, of, allowed, flips = rand_r(&seed) % 4;
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_out = out, .data_size_out = sizeof(out),
			    .repeat = 1);

		inner_udp(&in, rand_r(&seed) % 2 ? 6 : 4, rand_r(&seed) % 64);
		of = rand_r(&seed) % 2 ? 6 : 4;
		allowed = rand_r(&seed) % 4;
		outer(&f, of, of == 6 ? (allowed ? HOST6 : OTHER6) : (allowed ? HOST4 : OTHER4), &in);
		for (k = 0; k < flips; k++)
			f.data[rand_r(&seed) % (ETH_HLEN + 80 < f.len ? ETH_HLEN + 80 : f.len)] ^=
				1u << (rand_r(&seed) % 8);
		if (rand_r(&seed) % 4 == 0)
			pkt_truncate(&f, ETH_HLEN + rand_r(&seed) % (f.len - ETH_HLEN + 1));
		opts.data_in = f.data;
		opts.data_size_in = f.len;
		stats(before);
		assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xlb_decap), &opts),
				 0);
		assert_int_equal(opts.retval, XDP_PASS);
		stats(after);
		for (r = 0; r < XLB_DECAP_R_MAX; r++)
			if (after[r].packets != before[r].packets) {
				assert_int_equal(after[r].packets - before[r].packets, 1);
				moved++;
				if (r == XLB_DECAP_R_STRIPPED)
					break;
			}
		assert_int_equal(moved, 1);
		if (after[XLB_DECAP_R_STRIPPED].packets == before[XLB_DECAP_R_STRIPPED].packets) {
			assert_int_equal(opts.data_size_out, f.len);
			assert_memory_equal(out, f.data, f.len);
			continue;
		}
		n_stripped++;
		if (f.data[12] == 0x08 && f.data[13] == 0x00) {
			hlen = 20;
			proto = f.data[ETH_HLEN + 9];
			assert_int_equal(f.data[ETH_HLEN], 0x45);
			assert_int_equal(f.data[ETH_HLEN + 6] & 0x3f, 0); /* no MF, offset 0 */
			assert_int_equal(f.data[ETH_HLEN + 7], 0);
			assert_int_equal(pkt_fold(pkt_sum(0, f.data + ETH_HLEN, 20)), 0);
			assert_memory_equal(f.data + ETH_HLEN + 16, v4_ok, 4);
		} else {
			hlen = 40;
			proto = f.data[ETH_HLEN + 6];
			assert_true(f.data[12] == 0x86 && f.data[13] == 0xdd);
			assert_int_equal(f.data[ETH_HLEN] >> 4, 6);
			assert_memory_equal(f.data + ETH_HLEN + 24, &v6_ok, 16);
		}
		assert_int_equal(f.data[ETH_HLEN + hlen] >> 4, proto == IPPROTO_IPIP ? 4 : 6);
		assert_true(proto == IPPROTO_IPIP || proto == IPPROTO_IPV6);
		assert_true(f.len - ETH_HLEN - hlen >= (proto == IPPROTO_IPIP ? 20u : 40u));
		assert_int_equal(opts.data_size_out, f.len - hlen);
		assert_memory_equal(out, f.data, 12);
		assert_int_equal(out[12], (f.data[ETH_HLEN + hlen] >> 4) == 4 ? 0x08 : 0x86);
		assert_int_equal(out[13], (f.data[ETH_HLEN + hlen] >> 4) == 4 ? 0x00 : 0xdd);
		assert_memory_equal(out + ETH_HLEN, f.data + ETH_HLEN + hlen, f.len - ETH_HLEN - hlen);
	}
	/* The mutations leave most frames whole: a run that strips none tests nothing. */
	assert_true(n_stripped > 300);
}

static int group_setup(void **state)
{
	(void)state;
	libbpf_set_print(fx_libbpf_print);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return -1;
	return load(std_addrs, ARRAY_SIZE(std_addrs)) ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	decap_bpf__destroy(skel);
	skel = NULL;
	return 0;
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipip),
		cmocka_unit_test(test_ip6ip6),
		cmocka_unit_test(test_4in6),
		cmocka_unit_test(test_6in4),
		cmocka_unit_test(test_padding_kept),
		cmocka_unit_test(test_not_allowed),
		cmocka_unit_test(test_empty_map_strips_nothing),
		cmocka_unit_test(test_truncated_outer),
		cmocka_unit_test(test_truncated_datagram),
		cmocka_unit_test(test_truncated_inner),
		cmocka_unit_test(test_inner_past_outer_length),
		cmocka_unit_test(test_outer_options),
		cmocka_unit_test(test_outer_fragment),
		cmocka_unit_test(test_outer_df_stripped),
		cmocka_unit_test(test_outer_bad_csum),
		cmocka_unit_test(test_bad_inner_version),
		cmocka_unit_test(test_not_tunnel),
		cmocka_unit_test(test_mutated_frames),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_decap: BPF_PROG_TEST_RUN needs root; skipped\n");
		return 77;
	}
	return cmocka_run_group_tests_name("decap", tests, group_setup, group_teardown);
}
