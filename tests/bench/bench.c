// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench`: nanoseconds per packet of xlb_xdp on its three main paths, each as a ratio to a
 * floor measured in the same run on the same frames.
 *
 * BPF_PROG_TEST_RUN with a repeat count runs a program back to back on one buffer and reports the
 * mean time per run. bench_wrap (bpf/bench.bpf.c) is what runs: it restores the 12 MAC bytes xlb
 * rewrote, on the new-flow path writes a fresh source port and address from a counter, and
 * tail-calls either xlb_xdp or bench_floor (a bare `return XDP_TX`). The floor pays for the test
 * run loop, the wrapper's restore work and the tail call, exactly like xlb does, so xlb / floor is
 * the cost of the balancer. Floor and xlb alternate within each round and the median of the
 * rounds is reported, which shrugs off a round disturbed by an interrupt or a frequency change.
 *
 * Each path is also checked to be the path it claims: the new-flow runs must all be counted as new
 * flows, the established ones none, the non-VIP ones as passed.
 */
#include <getopt.h>
#include <inttypes.h>
#include <unistd.h>

#include "fixture.h"
#include "bench.skel.h"

#define BENCH_REPEAT 1000000
#define BENCH_ROUNDS 5
#define BENCH_MAX_ROUNDS 101
#define BENCH_BACKENDS 10
#define BENCH_VIP_ID 1

#define SLOT_FLOOR 0
#define SLOT_XLB 1

#define VIP "203.0.113.10"
#define CLIENT "192.0.2.1"

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
	bool rotate;         /* every run a new flow */
	uint32_t verdict;    /* what xlb_xdp must return on this path */
};

static const struct bench_path paths[] = {
	{ "new-flow", VIP, true, XDP_TX },
	{ "established-flow", VIP, false, XDP_TX },
	{ "non-vip", "203.0.113.99", false, XDP_PASS },
};

struct bench {
	struct xlb_fixture fx;
	struct bench_bpf *skel;
	int wrap_fd;
	uint32_t repeat;
};

/* A TCP SYN with a little payload: what a new flow's first packet looks like. */
static void bench_frame(struct pkt *p, const char *dst)
{
	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, ETH_P_IP);
	pkt_ipv4(p, CLIENT, dst);
	pkt_tcp(p, 40001, 80);
	pkt_payload(p, 16);
	pkt_finish(p);
}

/* One test run of repeat iterations through the wrapper; ns per run, or -errno. */
static int64_t bench_run(struct bench *b, const struct pkt *p, uint32_t slot, bool rotate,
			 uint32_t want_verdict)
{
	uint8_t out[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = p->data,
		.data_size_in = p->len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = b->repeat,
	);
	int err;

	memcpy(b->skel->bss->orig_macs, p->data, 2 * ETH_ALEN);
	b->skel->bss->target_slot = slot;
	b->skel->bss->rotate = rotate;
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

static int vip_counters(struct bench *b, struct xlb_counters *c)
{
	return fx_counters(&b->fx, b->fx.skel->maps.vip_stats, BENCH_VIP_ID, c);
}

/* Did the xlb runs of a path take the path it names? Checked over one whole measured run. */
static int bench_check_path(struct bench *b, const struct bench_path *path,
			    const struct xlb_counters *before, const struct xlb_counters *after)
{
	uint64_t packets = after->packets - before->packets;
	uint64_t flows = after->new_flows - before->new_flows;
	uint64_t want_packets = path->verdict == XDP_TX ? b->repeat : 0;
	uint64_t want_flows = path->rotate ? b->repeat : 0;

	if (packets == want_packets && flows == want_flows)
		return 0;
	fprintf(stderr,
		"bench: %s: VIP counted %" PRIu64 " packets and %" PRIu64
		" new flows in %u runs, want %" PRIu64 " and %" PRIu64 "\n",
		path->name, packets, flows, b->repeat, want_packets, want_flows);
	return -EPROTO;
}

static int bench_path(struct bench *b, const struct bench_path *path, int rounds)
{
	int64_t floor_ns[BENCH_MAX_ROUNDS], xlb_ns[BENCH_MAX_ROUNDS], f, x;
	struct xlb_counters c0, c1;
	struct pkt p;
	int r, err;

	bench_frame(&p, path->dst);

	/* Warm-up, not counted: caches, branch predictors, and on the new-flow path a conns LRU
	 * that is full, so every insert evicts as it does under a flood of new flows. */
	f = bench_run(b, &p, SLOT_FLOOR, path->rotate, XDP_TX);
	x = bench_run(b, &p, SLOT_XLB, path->rotate, path->verdict);
	if (f < 0 || x < 0)
		return f < 0 ? f : x;

	for (r = 0; r < rounds; r++) {
		/* Alternate who goes first, so neither always runs on a just-warmed cache. */
		if (r % 2 == 0)
			floor_ns[r] = bench_run(b, &p, SLOT_FLOOR, path->rotate, XDP_TX);
		err = vip_counters(b, &c0);
		if (err)
			return err;
		xlb_ns[r] = bench_run(b, &p, SLOT_XLB, path->rotate, path->verdict);
		if (xlb_ns[r] < 0)
			return xlb_ns[r];
		err = vip_counters(b, &c1);
		if (!err)
			err = bench_check_path(b, path, &c0, &c1);
		if (err)
			return err;
		if (r % 2 == 1)
			floor_ns[r] = bench_run(b, &p, SLOT_FLOOR, path->rotate, XDP_TX);
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

/* The balancer under test: one VIP, BENCH_BACKENDS backends, a default-size Maglev table. */
static int bench_config(struct bench *b)
{
	struct xlb_vip vip = {
		.id = BENCH_VIP_ID,
		.ring_size = XLB_MAGLEV_DEFAULT_SIZE,
		.sched = XLB_SCHED_MAGLEV,
		.fwd = XLB_FWD_DR,
		.fallback = XLB_NO_BACKEND,
	};
	uint32_t ids[BENCH_BACKENDS], i;
	char addr[INET_ADDRSTRLEN];
	int err;

	for (i = 0; i < BENCH_BACKENDS; i++) {
		ids[i] = i + 1;
		snprintf(addr, sizeof(addr), "198.51.100.%u", i + 1);
		err = fx_backend_set(&b->fx, ids[i], 4, addr, BENCH_VIP_ID,
				     XLB_BE_F_USED | XLB_BE_F_LIVE | XLB_BE_F_MAC, 1);
		if (err)
			return err;
	}
	err = fx_vip_set(&b->fx, 4, VIP, IPPROTO_TCP, 80, &vip);
	if (err)
		return err;
	return fx_table_build(&b->fx, BENCH_VIP_ID, ids, BENCH_BACKENDS, XLB_MAGLEV_DEFAULT_SIZE);
}

static int bench_open(struct bench *b)
{
	struct pkt p;
	uint32_t slot;
	int fd, err;

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
	bench_frame(&p, VIP);
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
		"usage: %s [-r REPEAT] [-n ROUNDS]\n"
		"  -r  iterations per BPF_PROG_TEST_RUN (default %u, at least 1000000)\n"
		"  -n  rounds per path, median reported (default %d, odd, at most %d)\n",
		prog, BENCH_REPEAT, BENCH_ROUNDS, BENCH_MAX_ROUNDS);
}

int main(int argc, char **argv)
{
	struct bench b = { .repeat = BENCH_REPEAT };
	int rounds = BENCH_ROUNDS, opt, err = 0;
	size_t i;

	while ((opt = getopt(argc, argv, "r:n:h")) != -1) {
		switch (opt) {
		case 'r':
			b.repeat = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			rounds = atoi(optarg);
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
	       "  xlb or the floor; on new-flow it also writes a fresh source port (and address) from\n"
	       "  a counter, so each run is a conns miss, a Maglev pick and a conns insert\n"
	       "  VIP: TCP, %d backends, %u-slot Maglev table; conns LRU of %u flows; ratio = xlb/floor\n",
	       b.repeat, rounds, BENCH_BACKENDS, XLB_MAGLEV_DEFAULT_SIZE, XLB_MAX_CONNS);
	fflush(stdout);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		err = bench_path(&b, &paths[i], rounds);
		if (err)
			break;
	}

cleanup:
	bench_close(&b);
	return err ? BENCH_FAIL : BENCH_OK;
}
