// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the connection table's sweep (user/agent/sweep.c) on real maps created here with
 * the types, sizes and flags of bpf/maps.h (conns, syns and templates LRU hashes, backend_conns
 * an mmapable array): each state expires after its own timeout and not before, a template is
 * kept (and refreshed) while its client has a flow of the VIP in conns, templates of a VIP no
 * longer persistent go, and the recount corrects drifted counts without losing an add the data
 * path makes meanwhile; a pass walked in steps does what a whole one does. Also: a VIP's persistence_timeout reaches the vips map (XLB_VIP_F_PERSIST)
 * and the sweep through xlb_lb_apply(), and what a sweep of a full conns costs.
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include <linux/bpf.h>

#include "agent/sweep.h"

#include "lb_test.h"

#define S_NS 1000000000ull
/* A "now" far enough from 0 that every idle time below is representable. */
#define NOW (100000ull * S_NS)

struct sweep_fx {
	int conns[2], syns, templates, counts;
	struct xlb_sweep s;
};

/*
 * The data path's add during a walk: the first batch lookup of a pass adds to backend
 * add_backend's count, as a packet on another CPU would while the sweep reads the tables.
 */
static struct {
	bool armed;
	uint32_t backend;
	int32_t active;
	struct xlb_backend_conns *counts;
} concurrent;

typedef int (*lookup_batch_fn)(int, void *, void *, void *, void *, __u32 *,
			       const struct bpf_map_batch_opts *);

int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
			 __u32 *count, const struct bpf_map_batch_opts *opts)
{
	static lookup_batch_fn real;

	if (!real)
		real = (lookup_batch_fn)dlsym(RTLD_NEXT, "bpf_map_lookup_batch");
	if (concurrent.armed) {
		concurrent.armed = false;
		__sync_fetch_and_add(&concurrent.counts[concurrent.backend].active,
				     concurrent.active);
	}
	return real(fd, in_batch, out_batch, keys, values, count, opts);
}

static int sweep_setup_n(void **state, uint32_t max_conns)
{
	LIBBPF_OPTS(bpf_map_create_opts, mm, .map_flags = BPF_F_MMAPABLE);
	struct sweep_fx *x = calloc(1, sizeof(*x));
	size_t i;

	assert_non_null(x);
	for (i = 0; i < 2; i++) {
		x->conns[i] = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "conns", sizeof(struct xlb_flow),
					     sizeof(struct xlb_conn), max_conns, NULL);
		assert_true(x->conns[i] >= 0);
	}
	x->syns = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "syns", sizeof(struct xlb_flow),
				 sizeof(struct xlb_conn), XLB_MAX_SYNS, NULL);
	x->templates = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "templates",
				      sizeof(struct xlb_template_key), sizeof(struct xlb_template),
				      XLB_MAX_TEMPLATES, NULL);
	x->counts = bpf_map_create(BPF_MAP_TYPE_ARRAY, "backend_conns", sizeof(__u32),
				   sizeof(struct xlb_backend_conns), XLB_MAX_BACKENDS, &mm);
	assert_true(x->syns >= 0 && x->templates >= 0 && x->counts >= 0);
	assert_int_equal(xlb_sweep_init(&x->s, x->conns, 2, x->syns, x->templates, x->counts), 0);
	assert_int_equal(x->s.n_backends, XLB_MAX_BACKENDS);
	*state = x;
	return 0;
}

static int sweep_setup(void **state)
{
	return sweep_setup_n(state, 1024);
}

static int sweep_setup_big(void **state)
{
	return sweep_setup_n(state, 16384);
}

static int sweep_teardown(void **state)
{
	struct sweep_fx *x = *state;

	xlb_sweep_fini(&x->s);
	close(x->conns[0]);
	close(x->conns[1]);
	close(x->syns);
	close(x->templates);
	close(x->counts);
	free(x);
	return 0;
}

/* Client 198.51.100.<c>:<port> to 203.0.113.1:80 (dport given), kind in pad[0]. */
static struct xlb_flow flow(uint8_t c, uint16_t sport, uint16_t dport, uint8_t proto,
			    uint8_t kind)
{
	struct xlb_flow f = { .proto = proto, .family = XLB_FAMILY_V4 };

	f.src[0] = htonl(0xc6336400u | c);
	f.dst[0] = htonl(0xcb007101u);
	f.sport = htons(sport);
	f.dport = htons(dport);
	f.pad[0] = kind;
	return f;
}

static void put_conn(int fd, const struct xlb_flow *f, uint32_t backend, uint16_t vip,
		     uint8_t state, uint64_t idle_s)
{
	struct xlb_conn c = { .backend = backend, .vip_id = vip, .state = state,
			      .last_seen = NOW - idle_s * S_NS };

	assert_int_equal(bpf_map_update_elem(fd, f, &c, BPF_ANY), 0);
}

static bool has(int fd, const void *key)
{
	uint8_t val[sizeof(struct xlb_conn)];

	return !bpf_map_lookup_elem(fd, key, val);
}

static struct xlb_template_key tkey(uint8_t c, uint32_t vip)
{
	struct xlb_template_key k = { .vip_id = vip, .family = XLB_FAMILY_V4 };

	k.client[0] = htonl(0xc6336400u | c);
	return k;
}

static void put_template(int fd, const struct xlb_template_key *k, uint32_t backend,
			 uint64_t idle_s)
{
	struct xlb_template t = { .backend = backend, .last_seen = NOW - idle_s * S_NS };

	assert_int_equal(bpf_map_update_elem(fd, k, &t, BPF_ANY), 0);
}

#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP

/*
 * Test that each state of conns expires just past its own timeout (LVS's defaults: tcp 900 s,
 * udp 300 s, tcp_fin 120 s, tcp_syn 60 s) and not before, on every data path's conns; syns
 * entries, flows and pending templates alike, just past tcp_syn; and that the counts then say
 * what stays: ActiveConn the established TCP flows, InActConn the rest, pending templates not.
 */
static void test_expiry_per_state(void **state)
{
	struct sweep_fx *x = *state;
	static const struct {
		uint8_t proto, st;
		uint64_t limit;
		bool active;
	} cases[] = {
		{ TCP, XLB_CS_ACTIVE, 900, true },
		{ UDP, XLB_CS_ACTIVE, 300, false },
		{ TCP, XLB_CS_CLOSING, 120, false },
		{ TCP, XLB_CS_SYN, 60, false },
	};
	struct xlb_flow kept[8], gone[8], sk, sg, tk, tg;
	size_t i;

	for (i = 0; i < 4; i++) {
		int fd = x->conns[i % 2];

		kept[i] = flow(1, 1000 + i, 80, cases[i].proto, XLB_FLOW_K_CONN);
		gone[i] = flow(2, 1000 + i, 80, cases[i].proto, XLB_FLOW_K_CONN);
		put_conn(fd, &kept[i], 3, 1, cases[i].st, cases[i].limit);
		put_conn(fd, &gone[i], 3, 1, cases[i].st, cases[i].limit + 1);
	}
	sk = flow(3, 2000, 80, TCP, XLB_FLOW_K_CONN);
	sg = flow(4, 2000, 80, TCP, XLB_FLOW_K_CONN);
	tk = flow(5, 0, 0, TCP, XLB_FLOW_K_TEMPLATE);
	tg = flow(6, 0, 0, TCP, XLB_FLOW_K_TEMPLATE);
	put_conn(x->syns, &sk, 4, 1, XLB_CS_SYN, 60);
	put_conn(x->syns, &sg, 4, 1, XLB_CS_SYN, 61);
	put_conn(x->syns, &tk, 4, 1, XLB_CS_SYN, 10);
	put_conn(x->syns, &tg, 4, 1, XLB_CS_SYN, 61);

	assert_int_equal(xlb_sweep_run(&x->s, NOW), 0);
	for (i = 0; i < 4; i++) {
		assert_true(has(x->conns[i % 2], &kept[i]));
		assert_false(has(x->conns[i % 2], &gone[i]));
	}
	assert_true(has(x->syns, &sk));
	assert_false(has(x->syns, &sg));
	assert_true(has(x->syns, &tk));
	assert_false(has(x->syns, &tg));
	assert_int_equal(x->s.last.entries, 12);
	assert_int_equal(x->s.last.expired, 6);
	/* Backend 3: one established TCP flow; udp, closing and syn in conns are inactive. */
	assert_int_equal(x->s.counts[3].active, 1);
	assert_int_equal(x->s.counts[3].inactive, 3);
	/* Backend 4: the syns flow; the pending template is no connection. */
	assert_int_equal(x->s.counts[4].active, 0);
	assert_int_equal(x->s.counts[4].inactive, 1);
}

/*
 * Test that a backup's entries do not age (they were synced and see no packets), and that after
 * its takeover they age from the takeover: an hour-old synced flow survives the takeover's
 * sweeps, and goes only once it has been quiet for tcp since the takeover.
 */
static void test_standby_ages_from_takeover(void **state)
{
	struct sweep_fx *x = *state;
	struct xlb_flow f = flow(1, 1000, 80, TCP, XLB_FLOW_K_CONN);

	put_conn(x->conns[0], &f, 3, 1, XLB_CS_ACTIVE, 3600);
	xlb_sweep_standby(&x->s, true, NOW - 10 * S_NS);
	assert_int_equal(xlb_sweep_run(&x->s, NOW), 0);
	assert_true(has(x->conns[0], &f));
	xlb_sweep_standby(&x->s, false, NOW);
	assert_int_equal(xlb_sweep_run(&x->s, NOW + 2 * S_NS), 0);
	assert_true(has(x->conns[0], &f));
	assert_int_equal(xlb_sweep_run(&x->s, NOW + 900 * S_NS), 0);
	assert_true(has(x->conns[0], &f));
	assert_int_equal(xlb_sweep_run(&x->s, NOW + 901 * S_NS), 0);
	assert_false(has(x->conns[0], &f));
}

/* Test that configured timeouts replace the defaults: a 5 s tcp retires a 6 s idle flow. */
static void test_configured_timeouts(void **state)
{
	struct sweep_fx *x = *state;
	struct xlb_cfg_timeouts t = { .tcp_ms = 5000, .tcp_fin_ms = 2000, .udp_ms = 3000,
				      .tcp_syn_ms = 1000 };
	struct xlb_lb lb = {};
	struct xlb_flow a = flow(1, 1, 80, TCP, 0), b = flow(1, 2, 80, TCP, 0);
	struct xlb_flow c = flow(1, 3, 80, UDP, 0), d = flow(1, 4, 80, TCP, 0);

	xlb_sweep_configure(&x->s, &t, &lb);
	put_conn(x->conns[0], &a, 1, 1, XLB_CS_ACTIVE, 5);
	put_conn(x->conns[0], &b, 1, 1, XLB_CS_ACTIVE, 6);
	put_conn(x->conns[0], &c, 1, 1, XLB_CS_ACTIVE, 4);
	put_conn(x->conns[0], &d, 1, 1, XLB_CS_CLOSING, 3);
	assert_int_equal(xlb_sweep_run(&x->s, NOW), 0);
	assert_true(has(x->conns[0], &a));
	assert_false(has(x->conns[0], &b));
	assert_false(has(x->conns[0], &c));
	assert_false(has(x->conns[0], &d));
}

/*
 * Test the templates of a VIP persistent for 600 s: one idle 700 s whose client still has a
 * flow of that VIP in conns (on the second data path) is kept with last_seen refreshed to now;
 * one idle as long without such a flow (its client has a flow of another VIP only) goes; one
 * idle 100 s stays untouched; a template of a VIP no longer persistent goes whatever its age.
 */
static void test_templates(void **state)
{
	struct sweep_fx *x = *state;
	struct xlb_template_key live = tkey(1, 1), lone = tkey(2, 1), young = tkey(3, 1);
	struct xlb_template_key off = tkey(1, 2);
	struct xlb_flow f1 = flow(1, 5555, 443, TCP, 0), f2 = flow(2, 5555, 443, TCP, 0);
	struct xlb_template t;

	x->s.persist_ms[1] = 600000;
	put_conn(x->conns[1], &f1, 7, 1, XLB_CS_ACTIVE, 10);
	put_conn(x->conns[1], &f2, 7, 2, XLB_CS_ACTIVE, 10);
	put_template(x->templates, &live, 7, 700);
	put_template(x->templates, &lone, 7, 700);
	put_template(x->templates, &young, 8, 100);
	put_template(x->templates, &off, 7, 1);

	assert_int_equal(xlb_sweep_run(&x->s, NOW), 0);
	assert_int_equal(bpf_map_lookup_elem(x->templates, &live, &t), 0);
	assert_int_equal(t.backend, 7);
	assert_int_equal(t.last_seen, NOW);
	assert_false(has(x->templates, &lone));
	assert_int_equal(bpf_map_lookup_elem(x->templates, &young, &t), 0);
	assert_int_equal(t.last_seen, NOW - 100 * S_NS);
	assert_false(has(x->templates, &off));
	assert_int_equal(x->s.last.refreshed, 1);
	/* Templates are no connections: backend 8 has none. */
	assert_int_equal(x->s.counts[8].active + x->s.counts[8].inactive, 0);

	/* Persistence turned off: the kept template goes at the next pass. */
	x->s.persist_ms[1] = 0;
	assert_int_equal(xlb_sweep_run(&x->s, NOW), 0);
	assert_false(has(x->templates, &live));
	assert_false(has(x->templates, &young));
}

/*
 * Test that the recount corrects counts that drifted (an eviction the data path never saw, a
 * race): too high, negative, and on a backend without entries; and that an add the data path
 * makes while the sweep walks is kept on top of the recount, not overwritten.
 */
static void test_recount(void **state)
{
	struct sweep_fx *x = *state;
	struct xlb_flow a = flow(1, 1, 80, TCP, 0), b = flow(1, 2, 80, TCP, 0);
	struct xlb_flow c = flow(1, 3, 80, UDP, 0);

	put_conn(x->conns[0], &a, 5, 1, XLB_CS_ACTIVE, 1);
	put_conn(x->conns[1], &b, 5, 1, XLB_CS_ACTIVE, 1);
	put_conn(x->conns[0], &c, 5, 1, XLB_CS_ACTIVE, 1);
	x->s.counts[5] = (struct xlb_backend_conns){ .active = 57, .inactive = -3 };
	x->s.counts[9] = (struct xlb_backend_conns){ .active = 4, .inactive = 2 };
	assert_int_equal(xlb_sweep_run(&x->s, NOW), 0);
	assert_int_equal(x->s.counts[5].active, 2);
	assert_int_equal(x->s.counts[5].inactive, 1);
	assert_int_equal(x->s.counts[9].active, 0);
	assert_int_equal(x->s.counts[9].inactive, 0);

	concurrent.counts = x->s.counts;
	concurrent.backend = 5;
	concurrent.active = 1;
	concurrent.armed = true;
	assert_int_equal(xlb_sweep_run(&x->s, NOW), 0);
	assert_false(concurrent.armed);
	assert_int_equal(x->s.counts[5].active, 3);
	assert_int_equal(x->s.counts[5].inactive, 1);
}

/* Test that persistence_timeout sets XLB_VIP_F_PERSIST and the sweep's timeout, and a reload
 * without it clears both. */
static void test_persist_from_config(void **state)
{
	struct fixture *f = *state;
	static const char with[] = HEAD WEB_3 "    persistence_timeout: 3s\n" DNS_2;
	struct xlb_cfg_timeouts t = { 1000, 1000, 1000, 1000 };
	struct xlb_sweep s = {};
	const struct xlb_vip *v;
	struct snap *sn;

	apply_ok(&f->lb, with);
	sn = snap_take(f, &f->dp[0]);
	v = snap_vip_find(sn, &WEB);
	assert_non_null(v);
	assert_true(v->flags & XLB_VIP_F_PERSIST);
	assert_false(snap_vip_find(sn, &DNS)->flags & XLB_VIP_F_PERSIST);
	xlb_sweep_configure(&s, &t, &f->lb);
	assert_int_equal(s.persist_ms[v->id], 3000);
	assert_int_equal(s.persist_ms[snap_vip_find(sn, &DNS)->id], 0);
	assert_int_equal(s.timeouts.tcp_ms, 1000);

	apply_ok(&f->lb, HEAD WEB_3 DNS_2);
	sn = snap_take(f, &f->dp[0]);
	v = snap_vip_find(sn, &WEB);
	assert_false(v->flags & XLB_VIP_F_PERSIST);
	xlb_sweep_configure(&s, &t, &f->lb);
	assert_int_equal(s.persist_ms[v->id], 0);
}

/*
 * Test a pass walked a batch per step, as xlbd's loop walks it: more to do (1) until each map is
 * through, then done (0) with what a whole pass would have done: expired entries gone, counts
 * corrected, a template kept by a flow seen in an earlier step.
 */
static void test_steps(void **state)
{
	struct sweep_fx *x = *state;
	static struct xlb_flow keys[4096];
	static struct xlb_conn vals[4096];
	struct xlb_template_key k = tkey(1, 1);
	struct xlb_template t;
	uint32_t done = 0, i;
	int steps = 0, ret;

	x->s.persist_ms[1] = 1000;
	/* 10,000 flows from clients .1-.3: three batches of conns, one idle past tcp. */
	while (done < 10000) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 n = 10000 - done < 4096 ? 10000 - done : 4096;

		for (i = 0; i < n; i++) {
			keys[i] = flow(1 + (done + i) / 4000, 1024 + (done + i) % 4000, 80, TCP, 0);
			vals[i] = (struct xlb_conn){ .backend = 2, .vip_id = 1,
						     .last_seen = NOW - (done + i ? 1 : 901) * S_NS };
		}
		assert_int_equal(bpf_map_update_batch(x->conns[0], keys, vals, &n, &opts), 0);
		done += n;
	}
	put_template(x->templates, &k, 2, 5);
	x->s.counts[2].active = 3;
	while ((ret = xlb_sweep_step(&x->s, NOW, 1)) == 1)
		steps++;
	assert_int_equal(ret, 0);
	/* conns: 3 batches and its end; syns: its end; templates: its end. */
	assert_true(steps >= 4);
	assert_null(x->s.pass);
	assert_int_equal(x->s.last.expired, 1);
	assert_int_equal(x->s.counts[2].active, 9999);
	assert_int_equal(bpf_map_lookup_elem(x->templates, &k, &t), 0);
	assert_int_equal(t.last_seen, NOW);
}

/* This thread's CPU time, system time included (the batch calls' work is the kernel's). */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int sweep_setup_full(void **state)
{
	return sweep_setup_n(state, XLB_MAX_CONNS);
}

/*
 * Test a sweep of a full conns (XLB_MAX_CONNS entries, as tools/xlb-conns-fill writes them):
 * every entry counted, none expired; and what it cost (printed for the record, not checked:
 * no timed test in `make unit`).
 */
static void test_full_table(void **state)
{
	struct sweep_fx *x = *state;
	static struct xlb_flow keys[4096];
	static struct xlb_conn vals[4096];
	uint64_t now = xlb_sweep_now_ns();
	uint64_t held, sum;
	uint32_t done = 0, i;
	double cpu0, cpu1;

	while (done < XLB_MAX_CONNS) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 n = 4096;

		for (i = 0; i < n; i++) {
			keys[i] = flow(1 + (done + i) / 64000, 1024 + (done + i) % 64000, 80, TCP, 0);
			vals[i] = (struct xlb_conn){ .backend = (done + i) % 4, .vip_id = 1,
						     .last_seen = now };
		}
		assert_int_equal(bpf_map_update_batch(x->conns[0], keys, vals, &n, &opts), 0);
		done += n;
	}
	cpu0 = cpu_ms();
	assert_int_equal(xlb_sweep_run(&x->s, now), 0);
	cpu1 = cpu_ms();
	/* An LRU map evicts a little before it is full (its free lists are per CPU). */
	held = x->s.last.entries;
	assert_true(held > XLB_MAX_CONNS * 99ull / 100 && held <= XLB_MAX_CONNS);
	assert_int_equal(x->s.last.expired, 0);
	for (i = 0, sum = 0; i < 4; i++)
		sum += x->s.counts[i].active;
	assert_int_equal(sum, held);
	printf("sweep of %llu conns entries: %.1f ms (%.1f ms of CPU)\n", (unsigned long long)held,
	       x->s.last.took_ns / 1e6, cpu1 - cpu0);
	/* And all of them expiring, deletes included. */
	cpu0 = cpu_ms();
	assert_int_equal(xlb_sweep_run(&x->s, now + 901 * S_NS), 0);
	cpu1 = cpu_ms();
	assert_int_equal(x->s.last.expired, held);
	printf("sweep expiring %llu conns entries: %.1f ms (%.1f ms of CPU)\n",
	       (unsigned long long)held, x->s.last.took_ns / 1e6, cpu1 - cpu0);
	assert_int_equal(x->s.counts[0].active, 0);
}

int main(void)
{
	const struct CMUnitTest sweep[] = {
		cmocka_unit_test_setup_teardown(test_expiry_per_state, sweep_setup, sweep_teardown),
		cmocka_unit_test_setup_teardown(test_configured_timeouts, sweep_setup,
						sweep_teardown),
		cmocka_unit_test_setup_teardown(test_templates, sweep_setup, sweep_teardown),
		cmocka_unit_test_setup_teardown(test_standby_ages_from_takeover, sweep_setup,
						sweep_teardown),
		cmocka_unit_test_setup_teardown(test_recount, sweep_setup, sweep_teardown),
		cmocka_unit_test_setup_teardown(test_steps, sweep_setup_big, sweep_teardown),
		cmocka_unit_test_setup_teardown(test_full_table, sweep_setup_full, sweep_teardown),
	};
	const struct CMUnitTest lb[] = {
		LB_CASE(test_persist_from_config),
	};
	const struct lb_test_group groups[] = {
		{ "sweep", sweep, ARRAY_SIZE(sweep) },
		{ "sweep_lb", lb, ARRAY_SIZE(lb) },
	};

	return lb_test_main("test_sweep", groups, ARRAY_SIZE(groups));
}
