// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet tests of the schedulers (bpf/sched.h xlb_schedule), the real xlb_xdp program run with
 * BPF_PROG_TEST_RUN. Each VIP's table is built by the real user/dispatch builder of its scheduler
 * (the row's size and build, as xlbd's lb_install_table does) and written the way
 * tests/packet/fixture.h writes tables; 100,000 synthetic new flows (TCP SYNs) per scheduler.
 *
 * Test that wrr's shares are within 1% of the weights, and the flows walk the table's sequence
 * exactly; that maglev's are within 2%; that sh sends every flow of a source to one backend and
 * spreads the sources; that rr is equal; that wlc fills the least loaded backend first and
 * follows the weights under a steady mix of opens and closes, picking each time the backend of
 * least (active * 256 + inactive) / weight; lc likewise without weights; that a persistent maglev
 * VIP sends a client's flows to any port to one backend.
 *
 * Counts: the test plays the data path's count updates itself (+1 active on the picked backend,
 * -1 on a random close) and writes its model into backend_conns after every flow, over whatever
 * the data path added, so the test holds with or without the data path's own counting.
 *
 * `test_packet_sched cost` prints the cost of a SYN to a wlc VIP of 10 backends against a maglev
 * one (ns per packet, BPF_PROG_TEST_RUN repeat), not a test: timings have no place in make test.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "dispatch/sched.h"
#include "fixture.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define N_FLOWS 100000
#define MAX_MEMBERS 10
#define BE_OK (XLB_BE_F_USED | XLB_BE_F_LIVE | XLB_BE_F_MAC)

static const uint8_t iface_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t router_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xfe };

/* VIP id i is 203.0.113.i:80/tcp; its backend k has id i * 16 + k, address 198.51.100.<id>. */
enum { V_MAGLEV = 1, V_SH, V_WRR, V_RR, V_WLC, V_LC, V_PERSIST, V_WLC10, V_MAGLEV10 };

static const struct vcase {
	uint32_t id;
	uint8_t sched;
	uint16_t flags;
	uint16_t weights[MAX_MEMBERS]; /* 0 ends the list */
} vcases[] = {
	{ V_MAGLEV, XLB_SCHED_MAGLEV, 0, { 100, 200, 300, 400 } },
	{ V_SH, XLB_SCHED_SH, 0, { 1, 1, 1, 1 } },
	{ V_WRR, XLB_SCHED_WRR, 0, { 5, 1, 1, 3 } },
	{ V_RR, XLB_SCHED_RR, 0, { 5, 1, 1, 3 } },
	{ V_WLC, XLB_SCHED_WLC, 0, { 1, 2, 3, 4 } },
	{ V_LC, XLB_SCHED_LC, 0, { 1, 2, 3, 4 } },
	{ V_PERSIST, XLB_SCHED_MAGLEV, XLB_VIP_F_PERSIST, { 1, 1, 1, 1 } },
	{ V_WLC10, XLB_SCHED_WLC, 0, { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } },
	{ V_MAGLEV10, XLB_SCHED_MAGLEV, 0, { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } },
};

static size_t members(const struct vcase *v)
{
	size_t n = 0;

	while (n < MAX_MEMBERS && v->weights[n])
		n++;
	return n;
}

static uint32_t be_id(uint32_t vip, size_t k)
{
	return vip * 16 + (uint32_t)k;
}

/* The VIP, its backends, and the table its scheduler's builder makes of them. */
static int vip_install(struct xlb_fixture *fx, const struct vcase *v)
{
	const struct xlb_scheduler *s = xlb_sched_get(v->sched);
	struct xlb_sched_backend mb[MAX_MEMBERS];
	struct xlb_vip vip = { .id = v->id, .sched = v->sched, .flags = v->flags,
			       .fallback = XLB_NO_BACKEND };
	size_t n = members(v), k;
	char addr[32], vaddr[32];
	uint32_t *table;
	int err = 0;

	for (k = 0; !err && k < n; k++) {
		snprintf(addr, sizeof(addr), "198.51.100.%u", be_id(v->id, k));
		err = fx_backend_set(fx, be_id(v->id, k), 4, addr, v->id, BE_OK, v->weights[k]);
		mb[k] = (struct xlb_sched_backend){ fx->backends[be_id(v->id, k)].addr, 16,
						    v->weights[k], be_id(v->id, k) };
	}
	if (err)
		return err;
	vip.ring_size = s->size(mb, n, XLB_MAGLEV_DEFAULT_SIZE);
	table = calloc(vip.ring_size, sizeof(*table));
	if (!table)
		return -ENOMEM;
	err = s->build(mb, n, table, vip.ring_size);
	if (!err)
		err = fx_table_set(fx, v->id, table, vip.ring_size);
	free(table);
	snprintf(vaddr, sizeof(vaddr), "203.0.113.%u", v->id);
	return err ? err : fx_vip_set(fx, 4, vaddr, IPPROTO_TCP, 80, &vip);
}

/* rr / wrr walk sched_pos per CPU: one CPU, from position 0, makes the sequence exact. */
static int pin_and_reset_pos(struct xlb_fixture *fx)
{
	uint64_t *zero = calloc(fx->ncpus, sizeof(*zero)); /* per-CPU values are 8-aligned */
	int cpu = sched_getcpu(), err = 0;
	cpu_set_t set;
	uint32_t i;

	if (!zero)
		return -ENOMEM;
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		err = -errno;
	for (i = 0; !err && i < ARRAY_SIZE(vcases); i++)
		if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.sched_pos), &vcases[i].id, zero,
					BPF_ANY))
			err = -errno;
	free(zero);
	return err;
}

static int configure(struct xlb_fixture *fx)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < ARRAY_SIZE(vcases); i++)
		err = vip_install(fx, &vcases[i]);
	return err ? err : pin_and_reset_pos(fx);
}

static int setup(void **state)
{
	return fx_state_open(state, iface_mac, configure);
}

static int teardown(void **state)
{
	return fx_state_close(state);
}

/* Source address number src (0..761) in the documentation ranges. */
static void src_addr(uint32_t src, char *out, size_t len)
{
	static const char *const nets[] = { "192.0.2", "198.51.100", "203.0.113" };

	snprintf(out, len, "%s.%u", nets[(src / 254) % 3], 1 + src % 254);
}

/* A SYN from source src, port sport, to VIP vip:80; the backend id it was sent to. */
static uint32_t syn(const struct xlb_fixture *fx, uint32_t vip, uint32_t src, uint16_t sport)
{
	uint8_t out[PKT_MAX];
	uint32_t out_len, retval;
	char s[32], d[32];
	pkt_tcphdr *th;
	struct pkt p;

	src_addr(src, s, sizeof(s));
	snprintf(d, sizeof(d), "203.0.113.%u", vip);
	pkt_init(&p);
	pkt_eth(&p, iface_mac, router_mac, ETH_P_IP);
	pkt_ipv4(&p, s, d);
	th = pkt_tcp(&p, sport, 80);
	th->syn = 1;
	th->ack = 0;
	th->ack_seq = 0;
	pkt_finish(&p);
	assert_int_equal(fx_run(fx, p.data, p.len, out, &out_len, &retval), 0);
	assert_int_equal(retval, XDP_TX);
	assert_int_equal(out[0], 0x02);
	assert_int_equal(out[1], 0xbe);
	return (uint32_t)out[3] << 16 | (uint32_t)out[4] << 8 | out[5];
}

/* Flow number i: a source and port, so that 100,000 flows are 100,000 distinct 5-tuples. */
static uint32_t flow_src(uint32_t i)
{
	return i % 762;
}

static uint16_t flow_port(uint32_t i)
{
	return 1024 + i / 762;
}

/* Each backend's share of cnt against its weight's: the largest deviation, relative. */
static double worst_share(const struct vcase *v, const uint32_t *cnt, uint32_t total, int flat)
{
	size_t n = members(v), k;
	double wsum = 0, worst = 0;

	for (k = 0; k < n; k++)
		wsum += flat ? 1 : v->weights[k];
	for (k = 0; k < n; k++) {
		double want = (flat ? 1 : v->weights[k]) / wsum;
		double d = ((double)cnt[k] / total - want) / want;

		if (d < 0)
			d = -d;
		if (d > worst)
			worst = d;
	}
	return worst;
}

/* 100,000 new flows to v; cnt[k] = how many went to its backend k. */
static void spread(const struct xlb_fixture *fx, const struct vcase *v, uint32_t *cnt)
{
	size_t n = members(v);
	uint32_t i, id;

	memset(cnt, 0, MAX_MEMBERS * sizeof(*cnt));
	for (i = 0; i < N_FLOWS; i++) {
		id = syn(fx, v->id, flow_src(i), flow_port(i));
		assert_in_range(id, be_id(v->id, 0), be_id(v->id, n - 1));
		cnt[id - be_id(v->id, 0)]++;
	}
}

/* Test that maglev's shares follow the weights within 2%. */
static void test_maglev_shares(void **state)
{
	const struct vcase *v = &vcases[V_MAGLEV - 1];
	uint32_t cnt[MAX_MEMBERS];
	double worst;

	spread(*state, v, cnt);
	worst = worst_share(v, cnt, N_FLOWS, 0);
	printf("maglev 100:200:300:400: %u %u %u %u, worst share off by %.2f%%\n", cnt[0], cnt[1],
	       cnt[2], cnt[3], worst * 100);
	assert_true(worst <= 0.02);
}

/*
 * Test that wrr's flows walk the smooth sequence its builder made, slot after slot, so the shares
 * are within 1% of the weights (exact over every whole cycle).
 */
static void test_wrr_exact(void **state)
{
	const struct xlb_fixture *fx = *state;
	const struct vcase *v = &vcases[V_WRR - 1];
	uint32_t cnt[MAX_MEMBERS] = { 0 }, i, id;
	double worst;

	for (i = 0; i < N_FLOWS; i++) {
		id = syn(fx, v->id, flow_src(i), flow_port(i));
		assert_int_equal(id, fx->tables[v->id][i % fx->table_size[v->id]]);
		cnt[id - be_id(v->id, 0)]++;
	}
	worst = worst_share(v, cnt, N_FLOWS, 0);
	printf("wrr 5:1:1:3: %u %u %u %u, worst share off by %.4f%%\n", cnt[0], cnt[1], cnt[2],
	       cnt[3], worst * 100);
	assert_true(worst <= 0.01);
}

/* Test that rr gives every backend the same share, whatever its weight. */
static void test_rr_equal(void **state)
{
	const struct vcase *v = &vcases[V_RR - 1];
	uint32_t cnt[MAX_MEMBERS];
	size_t k;

	spread(*state, v, cnt);
	printf("rr (weights 5:1:1:3 ignored): %u %u %u %u\n", cnt[0], cnt[1], cnt[2], cnt[3]);
	for (k = 0; k < members(v); k++)
		assert_int_equal(cnt[k], N_FLOWS / members(v));
}

/* Test that sh sends every flow of a source to one backend, and spreads the 762 sources. */
static void test_sh_source_sticks(void **state)
{
	const struct vcase *v = &vcases[V_SH - 1];
	uint32_t owner[762], srcs[MAX_MEMBERS] = { 0 }, i, id;
	size_t k;

	for (i = 0; i < 762; i++)
		owner[i] = XLB_NO_BACKEND;
	for (i = 0; i < N_FLOWS; i++) {
		id = syn(*state, v->id, flow_src(i), flow_port(i));
		if (owner[flow_src(i)] == XLB_NO_BACKEND) {
			owner[flow_src(i)] = id;
			srcs[id - be_id(v->id, 0)]++;
		}
		assert_int_equal(id, owner[flow_src(i)]);
	}
	printf("sh: sources per backend %u %u %u %u (of 762)\n", srcs[0], srcs[1], srcs[2],
	       srcs[3]);
	/* 190.5 each expected; 6.5 standard deviations either way is no spread at all. */
	for (k = 0; k < members(v); k++)
		assert_in_range(srcs[k], 120, 260);
}

/* Test that a persistent maglev VIP sends one client's flows, any source port, to one backend. */
static void test_persistent_maglev(void **state)
{
	const struct vcase *v = &vcases[V_PERSIST - 1];
	uint32_t first[762], used[MAX_MEMBERS] = { 0 }, i, port, id;
	size_t k, spread_over = 0;

	for (i = 0; i < 762; i += 7) {
		first[i] = syn(*state, v->id, i, 1024);
		used[first[i] - be_id(v->id, 0)] = 1;
		for (port = 1025; port < 1025 + 40; port++) {
			id = syn(*state, v->id, i, port);
			assert_int_equal(id, first[i]);
		}
	}
	for (k = 0; k < members(v); k++)
		spread_over += used[k];
	/* Two clients may differ: 109 clients all on one backend would be no hashing at all. */
	assert_int_equal(spread_over, members(v));
}

/* ---------------------------------------------------------------------------------------------
 * lc / wlc, with the test's own model of backend_conns
 */

struct lc_model {
	int64_t active[MAX_MEMBERS], inactive[MAX_MEMBERS];
	uint8_t *open;   /* backend k of each open connection */
	uint32_t n_open;
};

static void model_write(const struct xlb_fixture *fx, const struct vcase *v,
			const struct lc_model *m, size_t k)
{
	struct xlb_backend_conns c = { (int32_t)m->active[k], (int32_t)m->inactive[k] };
	uint32_t id = be_id(v->id, k);

	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx->skel->maps.backend_conns), &id, &c,
					     BPF_ANY), 0);
}

/* The backend the model says lc / wlc must pick: least overhead per weight, first on a tie. */
static size_t model_pick(const struct vcase *v, const struct lc_model *m, int weighted)
{
	size_t n = members(v), k, best = 0;

	for (k = 1; k < n; k++) {
		int64_t oh = m->active[k] * 256 + m->inactive[k];
		int64_t boh = m->active[best] * 256 + m->inactive[best];
		int64_t w = weighted ? v->weights[k] : 1, bw = weighted ? v->weights[best] : 1;

		if (oh * bw < boh * w)
			best = k;
	}
	return best;
}

/* One new flow: the data path's pick must be the model's; the model counts it open. */
static size_t lc_flow(const struct xlb_fixture *fx, const struct vcase *v, struct lc_model *m,
		      uint32_t i, int weighted)
{
	size_t want = model_pick(v, m, weighted), k;

	k = syn(fx, v->id, flow_src(i), flow_port(i)) - be_id(v->id, 0);
	assert_int_equal(k, want);
	m->active[k]++;
	m->open[m->n_open++] = (uint8_t)k;
	model_write(fx, v, m, k);
	return k;
}

/*
 * Test that lc / wlc send new flows to the least loaded backend first: with backend_conns
 * preset (active 10, 5, 0, 0 and inactive 0, 0, 3, 0), the empty backends fill until they reach
 * the others, and backend 0 gets nothing before every other carries as much per weight.
 */
static void least_loaded_first(const struct xlb_fixture *fx, const struct vcase *v, int weighted)
{
	static const int64_t active[] = { 10, 5, 0, 0 }, inactive[] = { 0, 0, 3, 0 };
	struct lc_model m = { .open = calloc(N_FLOWS, 1) };
	uint32_t i, first_to_0 = 0;
	size_t k;

	assert_non_null(m.open);
	for (k = 0; k < members(v); k++) {
		m.active[k] = active[k];
		m.inactive[k] = inactive[k];
		model_write(fx, v, &m, k);
	}
	for (i = 0; i < 200; i++) {
		k = lc_flow(fx, v, &m, i, weighted);
		if (i == 0)
			assert_int_equal(k, 3);
		if (k == 0 && !first_to_0)
			first_to_0 = i + 1;
	}
	printf("%s: first flow to the most loaded backend was flow %u\n", weighted ? "wlc" : "lc",
	       first_to_0);
	/*
	 * Backend 0 (overhead 2560 per weight) wins a tie, being first in the table: wlc 1:2:3:4
	 * first fills backend 1 to active 20 (+15), 2 to 30 (+30, its 3 inactive tip it over)
	 * and 3 to 40 (+40); lc fills 1-3 to 10 each (+5, +10, +10).
	 */
	assert_int_equal(first_to_0, weighted ? 86 : 26);
	free(m.open);
}

/*
 * Test the steady mix: 100,000 new flows, and once 2,000 are open a random open one closes after
 * each. The picks must follow the model's every time; new flows and open counts then follow the
 * weights (wlc) or are equal (lc).
 */
static void steady_mix(const struct xlb_fixture *fx, const struct vcase *v, int weighted)
{
	struct lc_model m = { .open = calloc(N_FLOWS, 1) };
	uint32_t cnt[MAX_MEMBERS] = { 0 }, i, j, open[MAX_MEMBERS] = { 0 };
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	double worst, worst_open;
	size_t k, n = members(v);

	assert_non_null(m.open);
	for (k = 0; k < n; k++)
		model_write(fx, v, &m, k);
	for (i = 0; i < N_FLOWS; i++) {
		cnt[lc_flow(fx, v, &m, i, weighted)]++;
		if (m.n_open < 2000)
			continue;
		rng ^= rng >> 12;
		rng ^= rng << 25;
		rng ^= rng >> 27;
		j = (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 33) % m.n_open;
		k = m.open[j];
		m.open[j] = m.open[--m.n_open];
		m.active[k]--;
		model_write(fx, v, &m, k);
	}
	for (j = 0; j < m.n_open; j++)
		open[m.open[j]]++;
	worst = worst_share(v, cnt, N_FLOWS, !weighted);
	worst_open = worst_share(v, open, m.n_open, !weighted);
	printf("%s 1:2:3:4 steady mix: new flows %u %u %u %u (worst share off by %.2f%%), "
	       "open %u %u %u %u (%.2f%%)\n", weighted ? "wlc" : "lc", cnt[0], cnt[1], cnt[2],
	       cnt[3], worst * 100, open[0], open[1], open[2], open[3], worst_open * 100);
	/* Which backend a close frees is random: the smallest share (10%) of 98,000 closes
	 * carries ~1% of sampling noise, the open counts none beyond one connection. */
	assert_true(worst <= 0.02);
	assert_true(worst_open <= 0.01);
	free(m.open);
}

static void test_wlc_least_loaded_first(void **state)
{
	least_loaded_first(*state, &vcases[V_WLC - 1], 1);
}

static void test_wlc_steady_mix(void **state)
{
	steady_mix(*state, &vcases[V_WLC - 1], 1);
}

static void test_lc_least_loaded_first(void **state)
{
	least_loaded_first(*state, &vcases[V_LC - 1], 0);
}

static void test_lc_steady_mix(void **state)
{
	steady_mix(*state, &vcases[V_LC - 1], 0);
}

/* ns per SYN to vip, over repeat runs of one frame (the same flow each time). */
static double syn_cost(const struct xlb_fixture *fx, uint32_t vip, uint32_t repeat)
{
	uint8_t out[PKT_MAX];
	char d[32];
	pkt_tcphdr *th;
	struct pkt p;

	snprintf(d, sizeof(d), "203.0.113.%u", vip);
	pkt_init(&p);
	pkt_eth(&p, iface_mac, router_mac, ETH_P_IP);
	pkt_ipv4(&p, "192.0.2.1", d);
	th = pkt_tcp(&p, 40000, 80);
	th->syn = 1;
	th->ack = 0;
	th->ack_seq = 0;
	pkt_finish(&p);
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.data, .data_size_in = p.len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

		if (bpf_prog_test_run_opts(fx->prog_fd, &opts) || opts.retval != XDP_TX)
			return -1;
		return opts.duration;
	}
}

/* Not a test: what a wlc pick over 10 backends costs a SYN, against maglev's. */
static int print_cost(void)
{
	struct xlb_fixture *fx;
	void *state = NULL;
	int r;

	if (setup(&state))
		return 1;
	fx = state;
	for (r = 0; r < 5; r++)
		printf("SYN ns/packet, repeat 1000000: wlc 10 backends %.1f, maglev 10 backends %.1f\n",
		       syn_cost(fx, V_WLC10, 1000000), syn_cost(fx, V_MAGLEV10, 1000000));
	teardown(&state);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_maglev_shares, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrr_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rr_equal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sh_source_sticks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistent_maglev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wlc_least_loaded_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wlc_steady_mix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lc_least_loaded_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lc_steady_mix, setup, teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_packet_sched: BPF_PROG_TEST_RUN needs root; skipped\n");
		return 77;
	}
	if (argc > 1 && !strcmp(argv[1], "cost"))
		return print_cost();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
