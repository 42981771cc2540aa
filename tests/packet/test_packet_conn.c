// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet tests of the connection table v2 (bpf/conn.h, bpf/persist.h): the real xlb_xdp
 * program, run with BPF_PROG_TEST_RUN.
 *
 * Test that a SYN is scheduled without entering conns (maglev: nothing at all; a stateful
 * scheduler: its pick waits in syns), that the first non-SYN packet proves a flow into conns, that
 * states and the backend_conns counts follow SYN, ACK, FIN, RST, UDP, a reused port and a backend
 * that left, that persistence templates are written at proof and followed by every port, that
 * flow_events carries ACTIVE, CLOSING and TEMPLATE records and none for a SYN, and that a flood of
 * spoofed SYNs after a table change leaves every established flow where it was.
 *
 * The flood runs through a wrapper of its own (bpf/flood.bpf.c) that gives every repeat of one
 * test run a random source. Where a packet went is read from the frame that left (the destination MAC names the backend,
 * fx_backend_mac), never predicted from the scheduler: the stateful VIPs' tables are their live
 * backends once each, as lc / wlc tables are, so any scheduler over them picks one of those.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <cmocka.h>

#include "cases.h"
#include "fixture.h"
#include "flood.skel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t iface_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t router_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xfe };

#define CLIENT "192.0.2.1"
#define CLIENT2 "192.0.2.2"
#define VIP_MAG_ADDR "203.0.113.10"  /* TCP 80 maglev, UDP 53 maglev */
#define VIP_WLC_ADDR "203.0.113.11"  /* TCP 80 wlc */
#define VIP_PMAG_ADDR "203.0.113.12" /* TCP every port, maglev, persistent */
#define VIP_PWLC_ADDR "203.0.113.13" /* TCP every port, wlc, persistent */

enum { VIP_NONE, VIP_MAG, VIP_WLC, VIP_UDP, VIP_PMAG, VIP_PWLC };

#define BE_OK (XLB_BE_F_USED | XLB_BE_F_LIVE | XLB_BE_F_MAC)

static const struct conn_vip {
	uint32_t id;
	const char *addr;
	uint8_t proto;
	uint16_t port;
	uint8_t sched;
	uint16_t flags;
	uint32_t first, n; /* backends first .. first + n - 1 */
	bool maglev;       /* a Maglev table of 251 slots, else the backends once each */
} conn_vips[] = {
	{ VIP_MAG, VIP_MAG_ADDR, IPPROTO_TCP, 80, XLB_SCHED_MAGLEV, 0, 1, 4, true },
	{ VIP_WLC, VIP_WLC_ADDR, IPPROTO_TCP, 80, XLB_SCHED_WLC, 0, 5, 4, false },
	{ VIP_UDP, VIP_MAG_ADDR, IPPROTO_UDP, 53, XLB_SCHED_MAGLEV, 0, 9, 2, true },
	{ VIP_PMAG, VIP_PMAG_ADDR, IPPROTO_TCP, 0, XLB_SCHED_MAGLEV, XLB_VIP_F_PERSIST, 11, 4,
	  true },
	{ VIP_PWLC, VIP_PWLC_ADDR, IPPROTO_TCP, 0, XLB_SCHED_WLC, XLB_VIP_F_PERSIST, 15, 4, false },
};

#define MAG_RING 251

/* The table a VIP gets: Maglev over its backends, or its backends once each (lc / wlc). */
static int vip_table(struct xlb_fixture *fx, const struct conn_vip *v, uint32_t skip)
{
	uint32_t ids[8], n = 0, i;

	for (i = 0; i < v->n; i++)
		if (v->first + i != skip)
			ids[n++] = v->first + i;
	if (v->maglev)
		return fx_table_build(fx, v->id, ids, n, MAG_RING);
	return fx_table_set(fx, v->id, ids, n);
}

/* Give a stateful VIP a table whose every slot names one backend other than b; that one. */
static uint32_t table_all_but(struct xlb_fixture *fx, const struct conn_vip *v, uint32_t b)
{
	uint32_t other = b == v->first ? v->first + 1 : v->first;
	uint32_t table[4] = { other, other, other, other };

	assert_int_equal(fx_table_set(fx, v->id, table, v->n), 0);
	return other;
}

static int conn_config(struct xlb_fixture *fx)
{
	size_t i;
	uint32_t j;
	int err;

	for (i = 0; i < ARRAY_SIZE(conn_vips); i++) {
		const struct conn_vip *v = &conn_vips[i];
		struct xlb_vip vip = {
			.id = v->id,
			.ring_size = v->maglev ? MAG_RING : v->n,
			.sched = v->sched,
			.flags = v->flags,
			.fallback = XLB_NO_BACKEND,
		};

		for (j = 0; j < v->n; j++) {
			char addr[32];

			snprintf(addr, sizeof(addr), "198.51.100.%u", v->first + j);
			err = fx_backend_set(fx, v->first + j, 4, addr, v->id, BE_OK, 1);
			if (err)
				return err;
		}
		err = fx_vip_set(fx, 4, v->addr, v->proto, v->port, &vip);
		if (!err)
			err = vip_table(fx, v, 0);
		if (err)
			return err;
	}
	return 0;
}

/*
 * One loaded program for the suite (loading and verifying it per test would take most of the
 * run); each test gets the configuration afresh and empty tables and counts.
 */
static struct xlb_fixture shared_fx;

static int group_setup(void **state)
{
	(void)state;
	return fx_open(&shared_fx, iface_mac) ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fx_close(&shared_fx);
	return 0;
}

static int setup(void **state)
{
	struct xlb_fixture *fx = &shared_fx;
	struct xlb_backend_conns zero = {};
	uint32_t id;

	if (fx_map_clear(fx->skel->maps.conns) || fx_map_clear(fx->skel->maps.syns) ||
	    fx_map_clear(fx->skel->maps.templates) || fx_map_clear(fx->skel->maps.frags))
		return -1;
	for (id = 0; id < 32; id++)
		if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.backend_conns), &id, &zero,
					BPF_ANY))
			return -1;
	if (conn_config(fx))
		return -1;
	*state = fx;
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Frames, runs and map views
 */

enum seg { SEG_SYN, SEG_ACK, SEG_FIN, SEG_RST };

static void build_tcp(struct pkt *p, const char *src, uint16_t sport, const char *dst,
		      uint16_t dport, enum seg seg)
{
	pkt_tcphdr *th;

	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, ETH_P_IP);
	pkt_ipv4(p, src, dst);
	th = pkt_tcp(p, sport, dport);
	if (seg == SEG_SYN) {
		th->syn = 1;
		th->ack = 0;
		th->ack_seq = 0;
	}
	th->fin = seg == SEG_FIN;
	th->rst = seg == SEG_RST;
	pkt_payload(p, 8);
	pkt_finish(p);
}

static void build_udp(struct pkt *p, const char *src, uint16_t sport)
{
	pkt_init(p);
	pkt_eth(p, iface_mac, router_mac, ETH_P_IP);
	pkt_ipv4(p, src, VIP_MAG_ADDR);
	pkt_udp(p, sport, 53);
	pkt_payload(p, 8);
	pkt_finish(p);
}

/* Run p: it must leave with XDP_TX to one of the fixture's backends; that backend's id. */
static uint32_t run_to(struct xlb_fixture *fx, const struct pkt *p)
{
	uint8_t out[PKT_MAX], mac[ETH_ALEN];
	uint32_t out_len = 0, retval = 0, id;
	int err;

	err = fx_run(fx, p->data, p->len, out, &out_len, &retval);
	if (err)
		fail_msg("bpf_prog_test_run_opts: %s", strerror(-err));
	if (retval != XDP_TX)
		fail_msg("verdict %u, want XDP_TX", retval);
	id = (uint32_t)out[3] << 16 | (uint32_t)out[4] << 8 | out[5];
	fx_backend_mac(id, mac);
	if (id >= XLB_MAX_BACKENDS || memcmp(out, mac, ETH_ALEN) || !fx->backends[id].flags)
		fail_msg("frame left for MAC %02x:%02x:%02x:%02x:%02x:%02x, no backend's", out[0],
			 out[1], out[2], out[3], out[4], out[5]);
	return id;
}

static uint32_t tcp_to(struct xlb_fixture *fx, const char *src, uint16_t sport, const char *dst,
		       uint16_t dport, enum seg seg)
{
	struct pkt p;

	build_tcp(&p, src, sport, dst, dport, seg);
	return run_to(fx, &p);
}

static void tcp_flow(const char *src, uint16_t sport, const char *dst, uint16_t dport,
		     struct xlb_flow *f)
{
	struct pkt p;

	build_tcp(&p, src, sport, dst, dport, SEG_ACK);
	pkt_flow(&p, f);
}

static uint32_t map_entries(struct bpf_map *map)
{
	uint8_t key[64], next[64];
	uint32_t n = 0;
	int fd = bpf_map__fd(map);
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	return n;
}

static struct xlb_backend_conns counts(const struct xlb_fixture *fx, uint32_t id)
{
	struct xlb_backend_conns c = {};

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.backend_conns), &id, &c),
			 0);
	return c;
}

#define check_counts(fx, id, want_active, want_inactive)                                    \
	do {                                                                                 \
		struct xlb_backend_conns c_ = counts((fx), (id));                            \
		if (c_.active != (want_active) || c_.inactive != (want_inactive))            \
			fail_msg("backend %u counts active %d inactive %d, want %d %d",      \
				 (unsigned)(id), c_.active, c_.inactive, (want_active),      \
				 (want_inactive));                                           \
	} while (0)

static int lookup(struct bpf_map *map, const void *key, void *val)
{
	return bpf_map_lookup_elem(bpf_map__fd(map), key, val) ? -errno : 0;
}

/* The syns key of a client's pending template on a port-0 VIP. */
static void pending_key(const char *client, const char *vip, struct xlb_flow *k)
{
	memset(k, 0, sizeof(*k));
	pkt_addr(4, client, k->src);
	pkt_addr(4, vip, k->dst);
	k->proto = IPPROTO_TCP;
	k->family = XLB_FAMILY_V4;
	k->pad[0] = XLB_FLOW_K_TEMPLATE;
}

static void template_key(const char *client, uint32_t vip_id, struct xlb_template_key *k)
{
	memset(k, 0, sizeof(*k));
	pkt_addr(4, client, k->client);
	k->vip_id = vip_id;
	k->family = XLB_FAMILY_V4;
}

/* flow_events, consumed into an array. */
struct events {
	struct xlb_flow_event ev[64];
	uint32_t n;
	struct ring_buffer *rb;
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct events *e = ctx;

	if (len == sizeof(e->ev[0]) && e->n < ARRAY_SIZE(e->ev))
		memcpy(&e->ev[e->n++], data, len);
	return 0;
}

static void events_start(struct xlb_fixture *fx, struct events *e)
{
	memset(e, 0, sizeof(*e));
	e->rb = ring_buffer__new(bpf_map__fd(fx->skel->maps.flow_events), on_event, e, NULL);
	assert_non_null(e->rb);
	fx->skel->bss->sync_flows = 1;
}

static uint32_t events_take(struct events *e)
{
	e->n = 0;
	ring_buffer__consume(e->rb);
	return e->n;
}

static void events_stop(struct xlb_fixture *fx, struct events *e)
{
	fx->skel->bss->sync_flows = 0;
	ring_buffer__free(e->rb);
}

/* ---------------------------------------------------------------------------------------------
 * SYNs and proof
 */

/* A SYN on a maglev VIP: forwarded, and nothing remembered, counted or synced. */
static void test_syn_maglev_inserts_nothing(void **state)
{
	struct xlb_fixture *fx = *state;
	struct xlb_counters v0, v;
	struct xlb_conn conn;
	struct xlb_flow f;
	struct events e;
	uint32_t b, i;

	events_start(fx, &e);
	assert_int_equal(fx_counters(fx, fx->skel->maps.vip_stats, VIP_MAG, &v0), 0);
	b = tcp_to(fx, CLIENT, 40000, VIP_MAG_ADDR, 80, SEG_SYN);
	tcp_flow(CLIENT, 40000, VIP_MAG_ADDR, 80, &f);
	if (fx_table_pick(fx, VIP_MAG, &f) != b)
		fail_msg("syn went to %u, the table says %u", b, fx_table_pick(fx, VIP_MAG, &f));
	assert_int_equal(map_entries(fx->skel->maps.conns), 0);
	assert_int_equal(map_entries(fx->skel->maps.syns), 0);
	assert_int_equal(map_entries(fx->skel->maps.templates), 0);
	assert_int_equal(events_take(&e), 0);
	for (i = 1; i <= 4; i++)
		check_counts(fx, i, 0, 0);
	assert_int_equal(fx_counters(fx, fx->skel->maps.vip_stats, VIP_MAG, &v), 0);
	assert_int_equal(v.packets - v0.packets, 1);
	assert_int_equal(v.new_flows - v0.new_flows, 0);

	/* Its ACK goes the same way and is the proof: conns ACTIVE, one ACTIVE event. */
	assert_int_equal(tcp_to(fx, CLIENT, 40000, VIP_MAG_ADDR, 80, SEG_ACK), b);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.backend, b);
	assert_int_equal(conn.state, XLB_CS_ACTIVE);
	assert_int_equal(conn.vip_id, VIP_MAG);
	check_counts(fx, b, 1, 0);
	assert_int_equal(events_take(&e), 1);
	assert_int_equal(e.ev[0].state, XLB_CS_ACTIVE);
	assert_int_equal(e.ev[0].backend, b);
	assert_int_equal(e.ev[0].flow.pad[0], XLB_FLOW_K_CONN);
	assert_memory_equal(&e.ev[0].flow, &f, sizeof(f));
	assert_int_equal(fx_counters(fx, fx->skel->maps.vip_stats, VIP_MAG, &v), 0);
	assert_int_equal(v.new_flows - v0.new_flows, 1);
	events_stop(fx, &e);
}

/*
 * A SYN on a stateful VIP: its pick waits in syns (state SYN, counted inactive); a retransmit
 * goes there although the table changed meanwhile; the first ACK moves it into conns ACTIVE.
 */
static void test_syn_stateful_waits_in_syns(void **state)
{
	struct xlb_fixture *fx = *state;
	struct xlb_conn s, conn;
	struct xlb_flow f;
	struct events e;
	uint32_t b, other;

	events_start(fx, &e);
	tcp_flow(CLIENT, 40001, VIP_WLC_ADDR, 80, &f);
	b = tcp_to(fx, CLIENT, 40001, VIP_WLC_ADDR, 80, SEG_SYN);
	assert_in_range(b, 5, 8);
	assert_int_equal(lookup(fx->skel->maps.syns, &f, &s), 0);
	assert_int_equal(s.backend, b);
	assert_int_equal(s.state, XLB_CS_SYN);
	assert_int_equal(s.vip_id, VIP_WLC);
	assert_int_equal(map_entries(fx->skel->maps.conns), 0);
	assert_int_equal(events_take(&e), 0);
	check_counts(fx, b, 0, 1);

	/* Every slot names another backend now: only syns can send the retransmit to b. */
	other = table_all_but(fx, &conn_vips[1], b);
	assert_int_equal(tcp_to(fx, CLIENT, 40001, VIP_WLC_ADDR, 80, SEG_SYN), b);
	assert_int_equal(map_entries(fx->skel->maps.syns), 1);
	check_counts(fx, b, 0, 1);

	assert_int_equal(tcp_to(fx, CLIENT, 40001, VIP_WLC_ADDR, 80, SEG_ACK), b);
	assert_int_equal(lookup(fx->skel->maps.syns, &f, &s), -ENOENT);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.backend, b);
	assert_int_equal(conn.state, XLB_CS_ACTIVE);
	check_counts(fx, b, 1, 0);
	check_counts(fx, other, 0, 0);
	assert_int_equal(events_take(&e), 1);
	assert_int_equal(e.ev[0].state, XLB_CS_ACTIVE);
	/* Established: the conn, not the table. */
	assert_int_equal(tcp_to(fx, CLIENT, 40001, VIP_WLC_ADDR, 80, SEG_ACK), b);
	assert_int_equal(events_take(&e), 0);
	events_stop(fx, &e);
}

/*
 * A maglev VIP whose table is settling (xlbd just changed it): its SYN's pick waits in syns as a
 * stateful VIP's does, so the ACK, after a table that no longer names that backend, still goes
 * there; without the flag the ACK follows the new table (and the backend resets it).
 */
static void test_syn_settling_waits_in_syns(void **state)
{
	struct xlb_fixture *fx = *state;
	const struct conn_vip *cv = &conn_vips[0];
	struct xlb_vip vip = {
		.id = cv->id, .ring_size = MAG_RING, .sched = cv->sched,
		.flags = XLB_VIP_F_SETTLING, .fallback = XLB_NO_BACKEND,
	};
	struct xlb_conn s, conn;
	struct xlb_flow f;
	uint32_t b;

	assert_int_equal(fx_vip_set(fx, 4, cv->addr, cv->proto, cv->port, &vip), 0);
	tcp_flow(CLIENT, 40002, VIP_MAG_ADDR, 80, &f);
	b = tcp_to(fx, CLIENT, 40002, VIP_MAG_ADDR, 80, SEG_SYN);
	assert_in_range(b, cv->first, cv->first + cv->n - 1);
	assert_int_equal(lookup(fx->skel->maps.syns, &f, &s), 0);
	assert_int_equal(s.backend, b);
	assert_int_equal(s.state, XLB_CS_SYN);
	check_counts(fx, b, 0, 1);

	/* The table changes under the handshake: b is in no slot now. */
	assert_int_equal(vip_table(fx, cv, b), 0);
	assert_true(fx_table_pick(fx, VIP_MAG, &f) != b);
	assert_int_equal(tcp_to(fx, CLIENT, 40002, VIP_MAG_ADDR, 80, SEG_ACK), b);
	assert_int_equal(lookup(fx->skel->maps.syns, &f, &s), -ENOENT);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.backend, b);
	check_counts(fx, b, 1, 0);

	/* Settled: SYNs remember nothing again. */
	vip.flags = 0;
	assert_int_equal(fx_vip_set(fx, 4, cv->addr, cv->proto, cv->port, &vip), 0);
	tcp_to(fx, CLIENT, 40003, VIP_MAG_ADDR, 80, SEG_SYN);
	assert_int_equal(map_entries(fx->skel->maps.syns), 0);
}

/* backend_conns moved by (da, di) on backend id since c0. */
#define check_delta(fx, id, c0, da, di)                                                      \
	do {                                                                                 \
		struct xlb_backend_conns c_ = counts((fx), (id));                            \
		if (c_.active - (c0).active != (da) || c_.inactive - (c0).inactive != (di))  \
			fail_msg("backend %u counts moved by active %d inactive %d, want "  \
				 "%d %d", (unsigned)(id), c_.active - (c0).active,           \
				 c_.inactive - (c0).inactive, (da), (di));                   \
	} while (0)

/* Make a conns entry look quiet for ms more than it has been. */
static void conn_age(struct xlb_fixture *fx, const struct xlb_flow *f, uint64_t ms)
{
	int fd = bpf_map__fd(fx->skel->maps.conns);
	struct xlb_conn c;

	assert_int_equal(bpf_map_lookup_elem(fd, f, &c), 0);
	c.last_seen -= ms * 1000000ull;
	assert_int_equal(bpf_map_update_elem(fd, f, &c, BPF_EXIST), 0);
}

/* backend_conns and states through FIN, RST, UDP, a reused port and a backend that left. */
static void test_counts_follow_states(void **state)
{
	struct xlb_fixture *fx = *state;
	struct xlb_backend_conns c0, c1, c2;
	struct xlb_counters s0, s1;
	struct xlb_conn conn;
	struct xlb_flow f;
	struct events e;
	struct pkt p;
	uint32_t b, b2, b3, u;

	events_start(fx, &e);
	/* FIN: ACTIVE -> CLOSING, active -> inactive, a CLOSING event; a second FIN changes
	 * nothing. */
	tcp_flow(CLIENT, 41000, VIP_MAG_ADDR, 80, &f);
	b = tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_ACK);
	check_counts(fx, b, 1, 0);
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_FIN), b);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.state, XLB_CS_CLOSING);
	check_counts(fx, b, 0, 1);
	assert_int_equal(events_take(&e), 2);
	assert_int_equal(e.ev[1].state, XLB_CS_CLOSING);
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_FIN), b);
	check_counts(fx, b, 0, 1);
	assert_int_equal(events_take(&e), 0);

	/* Port reuse: a maglev VIP's SYN looks nothing up, so the CLOSING entry stays as it is
	 * (no event, no count); an ACK within a second of the close is the old connection's and
	 * leaves it CLOSING; once the entry has been quiet for over a second, an ACK is the new
	 * connection's and proves it afresh: ACTIVE, counted, a new flow. Then RST closes it. */
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_SYN), b);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.state, XLB_CS_CLOSING);
	check_counts(fx, b, 0, 1);
	assert_int_equal(map_entries(fx->skel->maps.syns), 0);
	assert_int_equal(events_take(&e), 0);
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_ACK), b);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.state, XLB_CS_CLOSING);
	conn_age(fx, &f, 2000);
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_ACK), b);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.state, XLB_CS_ACTIVE);
	check_counts(fx, b, 1, 0);
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_RST), b);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.state, XLB_CS_CLOSING);
	check_counts(fx, b, 0, 1);
	assert_int_equal(events_take(&e), 2);
	assert_int_equal(e.ev[0].state, XLB_CS_ACTIVE);
	assert_int_equal(e.ev[1].state, XLB_CS_CLOSING);

	/* Port reuse onto another backend: b draining (out of the table, still live), an ACK
	 * soon after the close stays on b, a SYN goes where the new table says, and so does its
	 * ACK once the closed entry is quiet; b's count leaves with it. */
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_ACK), b);
	assert_int_equal(vip_table(fx, &conn_vips[0], b), 0);
	c0 = counts(fx, b);
	b2 = fx_table_pick(fx, VIP_MAG, &f);
	c1 = counts(fx, b2);
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_SYN), b2);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.backend, b);
	assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, b2, &s0), 0);
	conn_age(fx, &f, 2000);
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_ACK), b2);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.backend, b2);
	assert_int_equal(conn.state, XLB_CS_ACTIVE);
	check_delta(fx, b, c0, 0, -1);
	check_delta(fx, b2, c1, 1, 0);
	/* The reused port's connection is a new flow once, at its proof. */
	assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, b2, &s1), 0);
	assert_int_equal(s1.new_flows - s0.new_flows, 1);
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_ACK), b2);
	assert_int_equal(fx_counters(fx, fx->skel->maps.backend_stats, b2, &s0), 0);
	assert_int_equal(s0.new_flows, s1.new_flows);
	events_take(&e);

	/* Backend gone: the flow moves, b2's count leaves with it. */
	assert_int_equal(fx_backend_flags(fx, b2, 0), 0);
	{
		uint32_t ids[4], n = 0, i;

		for (i = 1; i <= 4; i++)
			if (i != b && i != b2)
				ids[n++] = i;
		assert_int_equal(fx_table_build(fx, VIP_MAG, ids, n, MAG_RING), 0);
	}
	b3 = fx_table_pick(fx, VIP_MAG, &f);
	c2 = counts(fx, b3);
	assert_int_equal(tcp_to(fx, CLIENT, 41000, VIP_MAG_ADDR, 80, SEG_ACK), b3);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.backend, b3);
	assert_int_equal(conn.state, XLB_CS_ACTIVE);
	check_delta(fx, b2, c1, 0, 0);
	check_delta(fx, b3, c2, 1, 0);
	assert_int_equal(events_take(&e), 1);
	assert_int_equal(e.ev[0].backend, b3);

	/* UDP: inactive from its first datagram, ACTIVE state, nothing more on the next. */
	build_udp(&p, CLIENT, 5353);
	u = run_to(fx, &p);
	assert_in_range(u, 9, 10);
	pkt_flow(&p, &f);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.state, XLB_CS_ACTIVE);
	check_counts(fx, u, 0, 1);
	assert_int_equal(run_to(fx, &p), u);
	check_counts(fx, u, 0, 1);
	assert_int_equal(events_take(&e), 1);
	events_stop(fx, &e);
}

/* ---------------------------------------------------------------------------------------------
 * Persistence
 */

/* A port of VIP_PMAG_ADDR whose flow from client the table (5-tuple hash) sends off be. */
static uint16_t port_not_hashing_to(const struct xlb_fixture *fx, const char *client, uint32_t be)
{
	struct xlb_flow f;
	uint16_t port;

	for (port = 1000; port < 2000; port++) {
		tcp_flow(client, 42000, VIP_PMAG_ADDR, port, &f);
		if (fx_table_pick(fx, VIP_PMAG, &f) != be)
			return port;
	}
	fail_msg("every port hashes to backend %u", be);
	return 0;
}

/*
 * A persistent port-0 VIP: the template is written by the first ACK (not the SYN), synced as a
 * TEMPLATE event, and sends the client's flow to another port to the same backend; another
 * client may land elsewhere; a template whose backend left is replaced at the next proof.
 */
static void test_persistence_template(void **state)
{
	struct xlb_fixture *fx = *state;
	struct xlb_template_key tk;
	struct xlb_template t;
	struct xlb_flow pk;
	struct events e;
	char client[32];
	uint32_t b, b2, i, other = 0;
	uint16_t port2;

	events_start(fx, &e);
	template_key(CLIENT, VIP_PMAG, &tk);
	b = tcp_to(fx, CLIENT, 42000, VIP_PMAG_ADDR, 443, SEG_SYN);
	assert_int_equal(lookup(fx->skel->maps.templates, &tk, &t), -ENOENT);
	assert_int_equal(map_entries(fx->skel->maps.syns), 0);
	assert_int_equal(events_take(&e), 0);
	assert_int_equal(tcp_to(fx, CLIENT, 42000, VIP_PMAG_ADDR, 443, SEG_ACK), b);
	assert_int_equal(lookup(fx->skel->maps.templates, &tk, &t), 0);
	assert_int_equal(t.backend, b);
	/* The template's event comes first, then its flow's. */
	assert_int_equal(events_take(&e), 2);
	assert_int_equal(e.ev[0].flow.pad[0], XLB_FLOW_K_TEMPLATE);
	assert_int_equal(e.ev[0].state, XLB_CS_ACTIVE);
	assert_int_equal(e.ev[0].backend, b);
	assert_int_equal(e.ev[0].vip_id, VIP_PMAG);
	pending_key(CLIENT, VIP_PMAG_ADDR, &pk);
	assert_memory_equal(&e.ev[0].flow, &pk, sizeof(pk));
	assert_int_equal(e.ev[1].flow.pad[0], XLB_FLOW_K_CONN);
	assert_int_equal(e.ev[1].state, XLB_CS_ACTIVE);

	/* Another port, which the table alone would send elsewhere: the template's backend. */
	port2 = port_not_hashing_to(fx, CLIENT, b);
	assert_int_equal(tcp_to(fx, CLIENT, 42000, VIP_PMAG_ADDR, port2, SEG_SYN), b);
	assert_int_equal(tcp_to(fx, CLIENT, 42000, VIP_PMAG_ADDR, port2, SEG_ACK), b);
	assert_int_equal(map_entries(fx->skel->maps.templates), 1);
	assert_int_equal(events_take(&e), 1);

	/* Two clients may differ: some client's first flow lands off b, its template says so. */
	for (i = 2; i < 200 && !other; i++) {
		snprintf(client, sizeof(client), "192.0.2.%u", i);
		b2 = tcp_to(fx, client, 42000, VIP_PMAG_ADDR, 443, SEG_ACK);
		template_key(client, VIP_PMAG, &tk);
		assert_int_equal(lookup(fx->skel->maps.templates, &tk, &t), 0);
		assert_int_equal(t.backend, b2);
		if (b2 != b)
			other = b2;
	}
	if (!other)
		fail_msg("198 clients all landed on backend %u", b);

	/* b leaves: the client's next flow goes elsewhere and its template is replaced. */
	assert_int_equal(fx_backend_flags(fx, b, 0), 0);
	assert_int_equal(vip_table(fx, &conn_vips[3], b), 0);
	b2 = tcp_to(fx, CLIENT, 42001, VIP_PMAG_ADDR, 443, SEG_SYN);
	assert_int_not_equal(b2, b);
	template_key(CLIENT, VIP_PMAG, &tk);
	assert_int_equal(lookup(fx->skel->maps.templates, &tk, &t), 0);
	assert_int_equal(t.backend, b); /* a SYN proves nothing */
	assert_int_equal(tcp_to(fx, CLIENT, 42001, VIP_PMAG_ADDR, 443, SEG_ACK), b2);
	assert_int_equal(lookup(fx->skel->maps.templates, &tk, &t), 0);
	assert_int_equal(t.backend, b2);
	events_take(&e);
	events_stop(fx, &e);
}

/*
 * A persistent stateful VIP: the SYN leaves a pending template in syns (no flow entry, not
 * counted), the client's SYN to another port follows it, the first ACK writes the template
 * and removes the pending one.
 */
static void test_pending_template(void **state)
{
	struct xlb_fixture *fx = *state;
	struct xlb_template_key tk;
	struct xlb_template t;
	struct xlb_conn s, conn;
	struct xlb_flow pk, f;
	uint32_t b, other;

	pending_key(CLIENT, VIP_PWLC_ADDR, &pk);
	template_key(CLIENT, VIP_PWLC, &tk);
	b = tcp_to(fx, CLIENT, 43000, VIP_PWLC_ADDR, 443, SEG_SYN);
	assert_in_range(b, 15, 18);
	assert_int_equal(lookup(fx->skel->maps.syns, &pk, &s), 0);
	assert_int_equal(s.backend, b);
	assert_int_equal(s.state, XLB_CS_SYN);
	assert_int_equal(map_entries(fx->skel->maps.syns), 1);
	assert_int_equal(map_entries(fx->skel->maps.conns), 0);
	assert_int_equal(lookup(fx->skel->maps.templates, &tk, &t), -ENOENT);
	check_counts(fx, b, 0, 0);

	/* The table now names another backend only: the pending template decides. */
	other = table_all_but(fx, &conn_vips[4], b);
	assert_int_equal(tcp_to(fx, CLIENT, 43000, VIP_PWLC_ADDR, 8443, SEG_SYN), b);
	assert_int_equal(tcp_to(fx, CLIENT, 43000, VIP_PWLC_ADDR, 443, SEG_SYN), b);

	assert_int_equal(tcp_to(fx, CLIENT, 43000, VIP_PWLC_ADDR, 443, SEG_ACK), b);
	tcp_flow(CLIENT, 43000, VIP_PWLC_ADDR, 443, &f);
	assert_int_equal(fx_conn(fx, &f, &conn), 0);
	assert_int_equal(conn.state, XLB_CS_ACTIVE);
	assert_int_equal(lookup(fx->skel->maps.syns, &pk, &s), -ENOENT);
	assert_int_equal(lookup(fx->skel->maps.templates, &tk, &t), 0);
	assert_int_equal(t.backend, b);
	check_counts(fx, b, 1, 0);
	/* The other port's ACK: through the template now. */
	assert_int_equal(tcp_to(fx, CLIENT, 43000, VIP_PWLC_ADDR, 8443, SEG_ACK), b);
	check_counts(fx, b, 2, 0);
	check_counts(fx, other, 0, 0);
}

/* ---------------------------------------------------------------------------------------------
 * Flood
 */

#define FLOOD_FLOWS 100
#define FLOOD_SYNS 1000000
#define FLOOD_STATEFUL_SYNS 100000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * n SYNs to dst:80, each from a random source in 192.0.2.128/25 and a random port: one test run
 * of n repeats through flood_wrap (bpf/flood.bpf.c), which rewrites the source before each.
 * Every one must be forwarded (reason_stats).
 */
static void syn_flood(struct xlb_fixture *fx, const char *dst, uint32_t n)
{
	struct xlb_counters r0, r1;
	struct flood_bpf *fl;
	uint32_t key = 0;
	struct pkt p;

	build_tcp(&p, "192.0.2.128", 1024, dst, 80, SEG_SYN);
	fl = flood_bpf__open_and_load();
	assert_non_null(fl);
	memcpy(fl->bss->orig_eth, p.data, ETH_HLEN);
	fl->bss->saddr_base = 128;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fl->maps.target), &key, &fx->prog_fd,
					     BPF_ANY), 0);
	assert_int_equal(fx_counters(fx, fx->skel->maps.reason_stats, XLB_R_FORWARDED, &r0), 0);
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.data, .data_size_in = p.len,
			    .repeat = n);

		if (bpf_prog_test_run_opts(bpf_program__fd(fl->progs.flood_wrap), &opts))
			fail_msg("flood test run: %s", strerror(errno));
		assert_int_equal(opts.retval, XDP_TX);
	}
	assert_int_equal(fx_counters(fx, fx->skel->maps.reason_stats, XLB_R_FORWARDED, &r1), 0);
	assert_int_equal(r1.packets - r0.packets, n);
	flood_bpf__destroy(fl);
}

/*
 * 100 established flows; the table changes so that most of them would land elsewhere if their
 * entry were lost; then 1,000,000 spoofed SYNs to their VIP and 100,000 to a stateful VIP. Every
 * flow keeps its backend and its entry, conns holds those 100 and nothing else, ActiveConn is
 * exact; InActConn is off by the syns entries the LRU evicted unseen (the sweep's to correct).
 */
static void test_syn_flood_keeps_established(void **state)
{
	struct xlb_fixture *fx = *state;
	uint32_t be[FLOOD_FLOWS], table[MAG_RING], i, would_move = 0, seed = 0x9e3779b9;
	int64_t active = 0, inactive = 0, resident;
	struct xlb_conn conn;
	struct xlb_flow f;
	char client[32];
	uint64_t t0, t1;

	for (i = 0; i < FLOOD_FLOWS; i++) {
		snprintf(client, sizeof(client), "192.0.2.%u", 1 + i % 100);
		be[i] = tcp_to(fx, client, 44000 + i, VIP_MAG_ADDR, 80, SEG_ACK);
	}
	for (i = 0; i < MAG_RING; i++)
		table[i] = 1 + xorshift(&seed) % 4;
	assert_int_equal(fx_table_set(fx, VIP_MAG, table, MAG_RING), 0);
	for (i = 0; i < FLOOD_FLOWS; i++) {
		snprintf(client, sizeof(client), "192.0.2.%u", 1 + i % 100);
		tcp_flow(client, 44000 + i, VIP_MAG_ADDR, 80, &f);
		would_move += fx_table_pick(fx, VIP_MAG, &f) != be[i];
	}
	if (would_move < FLOOD_FLOWS / 2)
		fail_msg("the new table moves only %u of %u flows: a lost entry might not show",
			 would_move, FLOOD_FLOWS);

	t0 = now_ns();
	syn_flood(fx, VIP_MAG_ADDR, FLOOD_SYNS);
	t1 = now_ns();
	syn_flood(fx, VIP_WLC_ADDR, FLOOD_STATEFUL_SYNS);
	print_message("flood: %u spoofed syns in %.2f s (%.0f ns each, through flood_wrap), "
		      "then %u to a stateful vip\n", FLOOD_SYNS, (t1 - t0) / 1e9,
		      (double)(t1 - t0) / FLOOD_SYNS, FLOOD_STATEFUL_SYNS);

	assert_int_equal(map_entries(fx->skel->maps.conns), FLOOD_FLOWS);
	for (i = 0; i < FLOOD_FLOWS; i++) {
		snprintf(client, sizeof(client), "192.0.2.%u", 1 + i % 100);
		tcp_flow(client, 44000 + i, VIP_MAG_ADDR, 80, &f);
		if (fx_conn(fx, &f, &conn) || conn.backend != be[i])
			fail_msg("flow %u lost its entry (backend %u)", i, be[i]);
		if (tcp_to(fx, client, 44000 + i, VIP_MAG_ADDR, 80, SEG_ACK) != be[i])
			fail_msg("flow %u left backend %u after the flood", i, be[i]);
	}
	for (i = 1; i <= 8; i++) {
		active += counts(fx, i).active;
		inactive += counts(fx, i).inactive;
	}
	resident = map_entries(fx->skel->maps.syns);
	print_message("flood: conns %u (want %u), ActiveConn %" PRId64 ", InActConn %" PRId64
		      " for %" PRId64 " syns entries resident: %" PRId64 " off (LRU evictions)\n",
		      map_entries(fx->skel->maps.conns), FLOOD_FLOWS, active, inactive, resident,
		      inactive - resident);
	assert_int_equal(active, FLOOD_FLOWS);
	if (resident > XLB_MAX_SYNS || inactive < resident || inactive > FLOOD_STATEFUL_SYNS)
		fail_msg("InActConn %" PRId64 " outside [%" PRId64 ", %u]", inactive, resident,
			 FLOOD_STATEFUL_SYNS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_syn_maglev_inserts_nothing, setup),
		cmocka_unit_test_setup(test_syn_stateful_waits_in_syns, setup),
		cmocka_unit_test_setup(test_syn_settling_waits_in_syns, setup),
		cmocka_unit_test_setup(test_counts_follow_states, setup),
		cmocka_unit_test_setup(test_persistence_template, setup),
		cmocka_unit_test_setup(test_pending_template, setup),
		cmocka_unit_test_setup(test_syn_flood_keeps_established, setup),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_packet_conn: BPF_PROG_TEST_RUN needs root; skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
