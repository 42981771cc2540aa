// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench`: nanoseconds per packet of xlb_xdp on its main paths, each as a ratio to a floor
 * measured in the same run on the same frames.
 *
 * BPF_PROG_TEST_RUN with a repeat count runs a program back to back on one buffer and reports the
 * mean time per run. bench_wrap (bpf/bench.bpf.c) is what runs: it restores the 12 MAC bytes xlb
 * rewrote, on the new-flow paths writes a fresh source port and address from a counter (on
 * established-100k the next of 100,000 resident flows), and tail-calls either xlb_xdp or
 * bench_floor (a bare `return XDP_TX`). The floor pays for the test
 * run loop, the wrapper's restore work and the tail call, exactly like xlb does, so xlb / floor is
 * the cost of the balancer. Floor and xlb alternate within each round and the median of the
 * rounds is reported, which shrugs off a round disturbed by an interrupt or a frequency change.
 *
 * The DR paths: syn (every run a new flow's SYN: scheduled, and under the connection table v2
 * not inserted), first-ack (every run a new flow whose first packet is not a SYN: the packet that
 * inserts into conns), established (one flow, resident in conns) and established-100k (the runs
 * cycle over 100,000 flows put into conns beforehand, so the lookups miss the caches as a busy
 * table's do).
 *
 * Each path is also checked to be the path it claims: the first-ack runs must all be counted as
 * new flows, the established ones and the syn ones none (a SYN inserts nothing), the non-VIP ones
 * as passed.
 *
 * The tun paths need bpf_fib_lookup to find their backends: the bench runs in a network
 * namespace of its own with a veth, the backends' neighbour entries and forwarding on, and hands
 * every run that veth as its ingress interface (DR paths too, so all share one setup). The nat
 * paths' backends and the client are on that veth too: XDP_TX, as a one-armed NAT; the redirect
 * to another interface is not what the bench measures (BPF_PROG_TEST_RUN does not carry it out).
 * nat4-reply is a backend's reply found in nat_flows; it asks the FIB every time (no per-client
 * cache), so it shows what a reply costs beside the client's packets.
 */
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <unistd.h>

#include "fixture.h"
#include "bench.skel.h"

#define BENCH_REPEAT 1000000
#define BENCH_ROUNDS 5
#define BENCH_MAX_ROUNDS 101
#define BENCH_BACKENDS 10
#define BENCH_VIP_ID 1
#define BENCH_TUN4_ID 2
#define BENCH_TUN6_ID 3
#define BENCH_NAT4_ID 4
#define BENCH_NAT6_ID 5
#define BENCH_NAT_PORT 8080 /* the nat backends' port: the path rewrites the port too */

#define SLOT_FLOOR 0
#define SLOT_XLB 1

#define VIP "203.0.113.10"
#define VIP_TUN4 "203.0.113.20"
#define VIP_TUN6 "2001:db8:a::20"
#define VIP_NAT4 "203.0.113.30"
#define VIP_NAT6 "2001:db8:a::30"
#define NAT4_BACKEND "198.51.100.101" /* the first of VIP_NAT4's */
#define CLIENT "192.0.2.1"
#define CLIENT6 "2001:db8:c::1"

/* The namespace: the ingress veth, the tunnel sources, a neighbour for every tun backend. */
static const char *const netns_setup[] = {
	"ip link set lo up",
	"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1",
	"ip link add xb0 address 02:00:5e:00:00:01 type veth peer name xb1",
	"ip link set xb0 up && ip link set xb1 up",
	"ip addr add 198.51.100.254/24 dev xb0 && ip addr add 2001:db8:b::fe/64 dev xb0 nodad",
	/* the client, for nat's replies */
	"ip addr add 192.0.2.254/24 dev xb0",
	"ip neigh add " CLIENT " lladdr 02:00:5e:00:00:fe dev xb0 nud permanent",
	"for i in $(seq 101 110); do"
	" ip neigh add 198.51.100.$i lladdr 02:be:00:00:00:$(printf %02x $i) dev xb0 nud permanent &&"
	" ip -6 neigh add 2001:db8:b::$i lladdr 02:be:00:00:00:$(printf %02x $i) dev xb0 nud permanent"
	" || exit 1; done",
};

static const uint8_t iface_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t router_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xfe };

enum bench_exit {
	BENCH_OK = 0,
	BENCH_FAIL = 1,
	BENCH_USAGE = 2,
	BENCH_SKIP = 77, /* not root */
};

struct bench_path {
	const char *name;
	const char *dst;     /* destination address of the frame */
	bool rotate;         /* every run a new flow (IPv4 only: the wrapper's offsets are) */
	bool syn;            /* the frame is a SYN (else an ACK of an established connection) */
	uint32_t cycle;      /* with rotate: cycle over this many flows, put in conns first */
	uint32_t verdict;    /* what xlb_xdp must return on this path */
	int family;          /* of the frame */
	uint32_t vip_id;     /* the VIP whose counters say the path was taken */
	bool nat;            /* the wrapper restores the IP and TCP headers too */
	bool reply;          /* a nat backend's reply to the client (dst names the backend) */
};

#define BENCH_CYCLE 100000

/* Most paths leave most fields at zero. */
#define PATH(n, d, fam, vip) .name = n, .dst = d, .family = fam, .vip_id = vip
static const struct bench_path paths[] = {
	{ PATH("syn", VIP, 4, BENCH_VIP_ID), .rotate = true, .syn = true, .verdict = XDP_TX },
	{ PATH("first-ack", VIP, 4, BENCH_VIP_ID), .rotate = true, .verdict = XDP_TX },
	{ PATH("established", VIP, 4, BENCH_VIP_ID), .verdict = XDP_TX },
	{ PATH("established-100k", VIP, 4, BENCH_VIP_ID), .rotate = true, .cycle = BENCH_CYCLE,
	  .verdict = XDP_TX },
	{ PATH("non-vip", "203.0.113.99", 4, BENCH_VIP_ID), .verdict = XDP_PASS },
	{ PATH("tun4-new-flow", VIP_TUN4, 4, BENCH_TUN4_ID), .rotate = true, .verdict = XDP_TX },
	{ PATH("tun4-established", VIP_TUN4, 4, BENCH_TUN4_ID), .verdict = XDP_TX },
	{ PATH("tun6-established", VIP_TUN6, 6, BENCH_TUN6_ID), .verdict = XDP_TX },
	{ PATH("nat4-established", VIP_NAT4, 4, BENCH_NAT4_ID), .verdict = XDP_TX, .nat = true },
	{ PATH("nat6-established", VIP_NAT6, 6, BENCH_NAT6_ID), .verdict = XDP_TX, .nat = true },
	{ PATH("nat4-reply", NAT4_BACKEND, 4, BENCH_NAT4_ID), .verdict = XDP_TX, .nat = true,
	  .reply = true },
};

struct bench {
	struct xlb_fixture fx;
	struct bench_bpf *skel;
	int wrap_fd;
	int ifindex; /* the namespace's veth, every run's ingress interface */
	uint32_t repeat;
	const char *only; /* -p: the comma-separated paths to run, NULL for all */
};

/* A TCP segment with a little payload, or a SYN opening a connection. */
static void bench_frame(struct pkt *p, const char *dst, int family, bool syn)
{
	pkt_tcphdr *th;

	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, family == 4 ? ETH_P_IP : ETH_P_IPV6);
	if (family == 4)
		pkt_ipv4(p, CLIENT, dst);
	else
		pkt_ipv6(p, CLIENT6, dst);
	th = pkt_tcp(p, 40001, 80);
	if (syn) {
		th->syn = 1;
		th->ack = 0;
		th->ack_seq = 0;
	}
	pkt_payload(p, 16);
	pkt_finish(p);
}

/* A nat backend's reply from its port to the client: what nat_flows turns back. */
static void bench_reply_frame(struct pkt *p, const char *backend)
{
	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, ETH_P_IP);
	pkt_ipv4(p, backend, CLIENT);
	pkt_tcp(p, BENCH_NAT_PORT, 40001);
	pkt_payload(p, 16);
	pkt_finish(p);
}

/* One test run of repeat iterations through the wrapper; ns per run, or -errno. */
static int64_t bench_run_n(struct bench *b, const struct pkt *p, uint32_t slot,
			   const struct bench_path *path, uint32_t want_verdict, uint32_t repeat)
{
	struct xdp_md ctx = { .data_end = p->len, .ingress_ifindex = b->ifindex };
	uint8_t out[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = p->data,
		.data_size_in = p->len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = repeat,
	);
	int err;

	memcpy(b->skel->bss->orig_head, p->data, sizeof(b->skel->bss->orig_head));
	/* Ethernet and TCP without options after the IP header. */
	b->skel->bss->head_len = path->nat ? p->l4 + sizeof(struct tcphdr) : ETH_HLEN;
	b->skel->bss->frame_len = p->len;
	b->skel->bss->target_slot = slot;
	b->skel->bss->rotate = path->rotate;
	b->skel->bss->cycle = path->cycle;
	err = bpf_prog_test_run_opts(b->wrap_fd, &opts);
	if (err) {
		err = -errno;
		fprintf(stderr, "bench: BPF_PROG_TEST_RUN: %s\n", strerror(-err));
		return err;
	}
	/* XDP_ABORTED means the wrapper's bounds check or its tail call failed. */
	if (opts.retval != want_verdict) {
		fprintf(stderr, "bench: %s returned %u, want %u\n",
			slot == SLOT_XLB ? "xlb_xdp" : "bench_floor", opts.retval, want_verdict);
		return -EPROTO;
	}
	return opts.duration;
}

static int64_t bench_run(struct bench *b, const struct pkt *p, uint32_t slot,
			 const struct bench_path *path, uint32_t want_verdict)
{
	return bench_run_n(b, p, slot, path, want_verdict, b->repeat);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t median(int64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_i64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int vip_counters(struct bench *b, uint32_t vip_id, struct xlb_counters *c)
{
	return fx_counters(&b->fx, b->fx.skel->maps.vip_stats, vip_id, c);
}

/*
 * Did the xlb runs of a path take the path it names? Checked over one whole measured run. A SYN
 * inserts nothing into conns, so it counts no new flow.
 */
static int bench_check_path(struct bench *b, const struct bench_path *path,
			    const struct xlb_counters *before, const struct xlb_counters *after)
{
	uint64_t packets = after->packets - before->packets;
	uint64_t flows = after->new_flows - before->new_flows;
	uint64_t want_packets = path->verdict == XDP_TX ? b->repeat : 0;
	uint64_t want_flows = path->rotate && !path->cycle && !path->syn ? b->repeat : 0;

	if (packets == want_packets && flows == want_flows)
		return 0;
	fprintf(stderr,
		"bench: %s: VIP counted %" PRIu64 " packets and %" PRIu64
		" new flows in %u runs, want %" PRIu64 " and %" PRIu64 "\n",
		path->name, packets, flows, b->repeat, want_packets, want_flows);
	return -EPROTO;
}

/*
 * Put the cycle's flows into conns: runs of one cycle each, as first packets, until one finds
 * them all there (the first may evict some of its own from a full LRU).
 */
static int bench_fill(struct bench *b, const struct pkt *p, const struct bench_path *path)
{
	struct xlb_counters c0, c1;
	int pass, err;

	for (pass = 0; pass < 3; pass++) {
		int64_t x;

		b->skel->bss->cycle_pos = 0;
		err = vip_counters(b, path->vip_id, &c0);
		if (err)
			return err;
		x = bench_run_n(b, p, SLOT_XLB, path, path->verdict, path->cycle);
		if (x < 0)
			return x;
		err = vip_counters(b, path->vip_id, &c1);
		if (err)
			return err;
		if (c1.new_flows == c0.new_flows)
			return 0;
	}
	fprintf(stderr, "bench: %s: %u flows not resident in conns after %d passes\n", path->name,
		path->cycle, pass);
	return -EPROTO;
}

/*
 * A full conns table, as established flows keep it: a data path that does not insert SYNs would
 * otherwise look them up in a table the bench left nearly empty, whose chains are short.
 */
static int bench_fill_conns(struct bench *b, const struct bench_path *path)
{
	struct bench_path first = *path;
	struct pkt p;
	int64_t x;

	first.syn = false;
	bench_frame(&p, first.dst, first.family, false);
	x = bench_run_n(b, &p, SLOT_XLB, &first, first.verdict, XLB_MAX_CONNS);
	return x < 0 ? x : 0;
}

/* Is the path among -p's? */
static bool bench_wanted(const struct bench *b, const char *name)
{
	size_t len = strlen(name);
	const char *s = b->only;

	if (!s)
		return true;
	while ((s = strstr(s, name))) {
		if ((s == b->only || s[-1] == ',') && (s[len] == ',' || s[len] == '\0'))
			return true;
		s += len;
	}
	return false;
}

static int bench_path(struct bench *b, const struct bench_path *path, int rounds)
{
	int64_t floor_ns[BENCH_MAX_ROUNDS], xlb_ns[BENCH_MAX_ROUNDS], f, x;
	struct xlb_counters c0, c1;
	struct pkt p;
	int r, err = 0;

	if (path->reply)
		bench_reply_frame(&p, path->dst);
	else
		bench_frame(&p, path->dst, path->family, path->syn);

	if (path->cycle)
		err = bench_fill(b, &p, path);
	else if (path->syn)
		err = bench_fill_conns(b, path);
	if (err)
		return err;
	/* Warm-up, not counted: caches, branch predictors, and on the first-ack path a conns LRU
	 * that is full, so every insert evicts as it does under a flood of new flows. */
	f = bench_run(b, &p, SLOT_FLOOR, path, XDP_TX);
	x = bench_run(b, &p, SLOT_XLB, path, path->verdict);
	if (f < 0 || x < 0)
		return f < 0 ? f : x;

	for (r = 0; r < rounds; r++) {
		/* Alternate who goes first, so neither always runs on a just-warmed cache. */
		if (r % 2 == 0)
			floor_ns[r] = bench_run(b, &p, SLOT_FLOOR, path, XDP_TX);
		err = vip_counters(b, path->vip_id, &c0);
		if (err)
			return err;
		xlb_ns[r] = bench_run(b, &p, SLOT_XLB, path, path->verdict);
		if (xlb_ns[r] < 0)
			return xlb_ns[r];
		err = vip_counters(b, path->vip_id, &c1);
		if (!err)
			err = bench_check_path(b, path, &c0, &c1);
		if (err)
			return err;
		if (r % 2 == 1)
			floor_ns[r] = bench_run(b, &p, SLOT_FLOOR, path, XDP_TX);
		if (floor_ns[r] < 0)
			return floor_ns[r];
	}
	f = median(floor_ns, rounds);
	x = median(xlb_ns, rounds);
	/* duration is whole nanoseconds per run; a floor of 0 would make the ratio meaningless. */
	printf("%-17s %6" PRId64 " ns/pkt   floor %4" PRId64 " ns/pkt   %.2fx\n", path->name, x, f,
	       f ? (double)x / f : 0.0);
	fflush(stdout);
	return 0;
}

static int bench_backend_port(struct bench *b, uint32_t id, uint16_t port)
{
	struct xlb_backend be = b->fx.backends[id];

	be.port = htons(port);
	if (bpf_map_update_elem(bpf_map__fd(b->fx.skel->maps.backends), &id, &be, BPF_ANY)) {
		int err = -errno;

		fprintf(stderr, "bench: backends[%u].port: %s\n", id, strerror(-err));
		return err;
	}
	b->fx.backends[id] = be;
	return 0;
}

/*
 * One VIP of the balancer under test: BENCH_BACKENDS backends, a default-size Maglev table.
 * Backend ids are vip_id * 100 + 1.., addresses fmt with 1.. (DR) or 101.. (tun, nat: the
 * namespace's neighbours).
 */
static int bench_vip(struct bench *b, uint32_t vip_id, int family, const char *addr,
		     uint8_t fwd, const char *fmt)
{
	struct xlb_vip vip = {
		.id = vip_id,
		.ring_size = XLB_MAGLEV_DEFAULT_SIZE,
		.sched = XLB_SCHED_MAGLEV,
		.fwd = fwd,
		.fallback = XLB_NO_BACKEND,
	};
	uint32_t ids[BENCH_BACKENDS], i;
	char be[INET6_ADDRSTRLEN];
	int err;

	for (i = 0; i < BENCH_BACKENDS; i++) {
		ids[i] = vip_id * 100 + i + 1;
		snprintf(be, sizeof(be), fmt, (fwd == XLB_FWD_DR ? 1 : 101) + i);
		err = fx_backend_set(&b->fx, ids[i], family, be, vip_id,
				     XLB_BE_F_USED | XLB_BE_F_LIVE | XLB_BE_F_MAC, 1);
		if (!err && fwd == XLB_FWD_NAT)
			err = bench_backend_port(b, ids[i], BENCH_NAT_PORT);
		if (err)
			return err;
	}
	err = fx_vip_set(&b->fx, family, addr, IPPROTO_TCP, 80, &vip);
	if (err)
		return err;
	return fx_table_build(&b->fx, vip_id, ids, BENCH_BACKENDS, XLB_MAGLEV_DEFAULT_SIZE);
}

/* The nat_flows entry the nat4-reply path's frame finds (its first backend, the client). */
static int bench_nat_flow(struct bench *b)
{
	struct xlb_nat_key key = { .bport = htons(BENCH_NAT_PORT), .cport = htons(40001),
				   .proto = IPPROTO_TCP, .family = XLB_FAMILY_V4 };
	struct xlb_nat nat = { .vport = htons(80), .vip_id = BENCH_NAT4_ID,
			       .backend = BENCH_NAT4_ID * 100 + 1 };
	int err = 0;

	pkt_addr(4, NAT4_BACKEND, key.backend);
	pkt_addr(4, CLIENT, key.client);
	pkt_addr(4, VIP_NAT4, nat.vip);
	if (bpf_map_update_elem(bpf_map__fd(b->fx.skel->maps.nat_flows), &key, &nat, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "bench: nat_flows: %s\n", strerror(-err));
	}
	return err;
}

static int bench_config(struct bench *b)
{
	struct xlb_tunnel t = { .flags = XLB_TUN_F_SRC4 | XLB_TUN_F_SRC6 };
	uint32_t key = 0;
	int err;

	err = bench_vip(b, BENCH_VIP_ID, 4, VIP, XLB_FWD_DR, "198.51.100.%u");
	if (!err)
		err = bench_vip(b, BENCH_TUN4_ID, 4, VIP_TUN4, XLB_FWD_TUN, "198.51.100.%u");
	if (!err)
		err = bench_vip(b, BENCH_TUN6_ID, 6, VIP_TUN6, XLB_FWD_TUN, "2001:db8:b::%u");
	if (!err)
		err = bench_vip(b, BENCH_NAT4_ID, 4, VIP_NAT4, XLB_FWD_NAT, "198.51.100.%u");
	if (!err)
		err = bench_vip(b, BENCH_NAT6_ID, 6, VIP_NAT6, XLB_FWD_NAT, "2001:db8:b::%u");
	if (!err)
		err = bench_nat_flow(b);
	if (err)
		return err;
	pkt_addr(4, "198.51.100.254", &t.src4);
	pkt_addr(6, "2001:db8:b::fe", t.src6);
	if (bpf_map_update_elem(bpf_map__fd(b->fx.skel->maps.tunnel), &key, &t, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "bench: tunnel: %s\n", strerror(-err));
	}
	return err;
}

static int bench_open(struct bench *b)
{
	struct pkt p;
	uint32_t slot;
	int fd, err;

	err = fx_netns_enter(netns_setup, sizeof(netns_setup) / sizeof(netns_setup[0]));
	if (err)
		return err;
	b->ifindex = if_nametoindex("xb0");
	if (!b->ifindex)
		return -ENODEV;
	err = fx_open(&b->fx, iface_mac);
	if (err)
		return err;
	err = bench_config(b);
	if (err)
		return err;

	b->skel = bench_bpf__open();
	if (!b->skel) {
		err = -errno;
		fprintf(stderr, "bench: bench_bpf__open: %s\n", strerror(-err));
		return err;
	}
	bench_frame(&p, VIP, 4, false);
	b->skel->rodata->sport_off = p.l4 + offsetof(struct tcphdr, source);
	b->skel->rodata->saddr_off = p.l3 + offsetof(struct iphdr, saddr);
	err = bench_bpf__load(b->skel);
	if (err) {
		fprintf(stderr, "bench: bench_bpf__load: %s\n", strerror(-err));
		return err;
	}
	b->wrap_fd = bpf_program__fd(b->skel->progs.bench_wrap);

	slot = SLOT_FLOOR;
	fd = bpf_program__fd(b->skel->progs.bench_floor);
	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.targets), &slot, &fd, BPF_ANY))
		goto err_slot;
	slot = SLOT_XLB;
	fd = b->fx.prog_fd;
	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.targets), &slot, &fd, BPF_ANY))
		goto err_slot;
	return 0;

err_slot:
	err = -errno;
	fprintf(stderr, "bench: targets[%u]: %s\n", slot, strerror(-err));
	return err;
}

static void bench_close(struct bench *b)
{
	bench_bpf__destroy(b->skel);
	fx_close(&b->fx);
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-r REPEAT] [-n ROUNDS] [-p PATH[,PATH...]]\n"
		"  -r  iterations per BPF_PROG_TEST_RUN (default %u, at least 1000000)\n"
		"  -n  rounds per path, median reported (default %d, odd, at most %d)\n"
		"  -p  only these paths (names as printed)\n",
		prog, BENCH_REPEAT, BENCH_ROUNDS, BENCH_MAX_ROUNDS);
}

int main(int argc, char **argv)
{
	struct bench b = { .repeat = BENCH_REPEAT };
	int rounds = BENCH_ROUNDS, opt, err = 0, ran = 0;
	size_t i;

	while ((opt = getopt(argc, argv, "r:n:p:h")) != -1) {
		switch (opt) {
		case 'r':
			b.repeat = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		case 'p':
			b.only = optarg;
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? BENCH_OK : BENCH_USAGE;
		}
	}
	/* Fewer runs and the test run's fixed cost (syscall, setup) would leak into ns/pkt. */
	if (b.repeat < 1000000 || rounds < 1 || rounds > BENCH_MAX_ROUNDS || rounds % 2 == 0) {
		usage(argv[0]);
		return BENCH_USAGE;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench: BPF_PROG_TEST_RUN needs root; skipped\n");
		return BENCH_SKIP;
	}

	err = bench_open(&b);
	if (err)
		goto cleanup;

	printf("xlb bench: ns/packet of xlb_xdp against a floor program that only returns XDP_TX\n"
	       "  BPF_PROG_TEST_RUN, repeat %u, median of %d rounds, floor and xlb alternating\n"
	       "  every run enters a wrapper that restores the 12 MAC bytes xlb rewrote and tail-calls\n"
	       "  xlb or the floor; on syn and first-ack it also writes a fresh source port (and\n"
	       "  address) from a counter, so each run is a new flow: a Maglev pick, and on\n"
	       "  first-ack a conns miss and insert; established-100k cycles over %u flows in conns\n"
	       "  VIP: TCP, %d backends, %u-slot Maglev table; conns LRU of %u flows; ratio = xlb/floor\n",
	       b.repeat, rounds, BENCH_CYCLE, BENCH_BACKENDS, XLB_MAGLEV_DEFAULT_SIZE, XLB_MAX_CONNS);
	fflush(stdout);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (!bench_wanted(&b, paths[i].name))
			continue;
		ran++;
		err = bench_path(&b, &paths[i], rounds);
		if (err)
			break;
	}
	if (!err && !ran) {
		fprintf(stderr, "bench: -p %s names no path\n", b.only);
		err = -EINVAL;
	}

cleanup:
	bench_close(&b);
	return err ? BENCH_FAIL : BENCH_OK;
}
