// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of bulk sync (user/pair/sync_bulk.c): the receiver's chunk window, then the whole
 * transfer on the real loop between a sender and a receiver joined by a fake wire that drops,
 * duplicates and reorders datagrams, every one encoded and decoded by the real codec (so a
 * reordered datagram is refused as a replay, as on the network).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/loop.h"
#include "pair/sync.h"
#include "pair/sync_bulk.h"
#include "pair/sync_pkt.h"
#include "xlb/abi.h"

#include "sync_test.h"

/* ---- bulk sync's receiver ---- */

static enum xlb_sync_bulk_verdict rx_feed_of(struct xlb_sync_bulk_rx *rx, uint32_t bulk,
					     uint32_t chunk, unsigned int n)
{
	struct xlb_sync_bulk_fields f = { .bulk = bulk, .chunk = chunk };

	return xlb_sync_bulk_rx_chunk(rx, XLB_SYNC_FLOWS, &f, n);
}

static enum xlb_sync_bulk_verdict rx_feed(struct xlb_sync_bulk_rx *rx, uint32_t chunk,
					  unsigned int n)
{
	return rx_feed_of(rx, 9, chunk, n);
}

/*
 * Test that the receiver takes chunks in any order, each once — a duplicate is DUP and not
 * counted again, one past its 64-chunk window is DROP — and is complete only when every chunk up
 * to the END arrived, whichever came last.
 */
static void test_bulk_rx_order(void **state)
{
	struct xlb_sync_bulk_fields end = { .bulk = 9, .chunk = 5, .total = 60 };
	struct xlb_sync_bulk_fields ack;
	struct xlb_sync_bulk_rx rx = {};

	(void)state;
	assert_int_equal(rx_feed(&rx, 3, 15), XLB_SYNC_BULK_TAKE);
	assert_int_equal(rx.cum, 0);
	assert_int_equal(rx.sack, 1 << 1); /* chunk 3 = cum + 2 + 1 */
	assert_int_equal(rx_feed(&rx, 3, 15), XLB_SYNC_BULK_DUP);
	assert_int_equal(xlb_sync_bulk_rx_chunk(&rx, XLB_SYNC_BULK_END, &end, 0),
			 XLB_SYNC_BULK_TAKE);
	assert_false(rx.complete);
	assert_int_equal(rx_feed(&rx, 1, 15), XLB_SYNC_BULK_TAKE);
	assert_int_equal(rx.cum, 1);
	assert_int_equal(rx_feed(&rx, 67, 15), XLB_SYNC_BULK_DROP); /* cum + 66: beyond */
	assert_int_equal(rx_feed(&rx, 2, 15), XLB_SYNC_BULK_TAKE);
	assert_int_equal(rx.cum, 3);
	assert_int_equal(rx_feed(&rx, 1, 15), XLB_SYNC_BULK_DUP);
	xlb_sync_bulk_rx_ack(&rx, 42, &ack);
	assert_int_equal(ack.bulk, 9);
	assert_int_equal(ack.chunk, 3);
	assert_int_equal(ack.sack, 1); /* chunk 5, the END */
	assert_int_equal(ack.ack_seq, 42);
	assert_false(rx.complete);
	assert_int_equal(rx_feed(&rx, 4, 15), XLB_SYNC_BULK_TAKE);
	assert_true(rx.complete);
	assert_int_equal(rx.cum, 5);
	assert_int_equal(rx.flows, 60);
	assert_int_equal(rx.expected, 60);
	assert_int_equal(rx.dups, 2);
	assert_int_equal(rx.dropped, 1);
	/* The same bulk's chunk again is a duplicate; another bulk's starts afresh. */
	assert_int_equal(rx_feed(&rx, 1, 15), XLB_SYNC_BULK_DUP);
	assert_int_equal(rx_feed_of(&rx, 10, 1, 15), XLB_SYNC_BULK_TAKE);
	assert_int_equal(rx.id, 10);
	assert_int_equal(rx.cum, 1);
	assert_int_equal(rx.flows, 15);
	assert_false(rx.complete);
}

/* ---- bulk sync's sender and receiver over a fake wire, on the real loop ---- */

#define WIRE_Q 512
#define MASTER_NODE 0x0a0a0a0au
#define WIRE_TICK_NS 1000000ull /* the wire delivers every 1 ms */

struct dgram {
	size_t len;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
};

struct wire {
	struct xlb_loop loop;
	struct xlb_sync_bulk_tx tx;
	struct xlb_sync_bulk_rx rx;
	struct xlb_timer tick, deadline;
	unsigned int n_flows, next_flow; /* the master's table: flows 0 .. n_flows - 1 */
	unsigned int *seen;              /* times each flow was taken by the receiver */
	uint64_t m_seq, b_seq;           /* each side's last seq sent */
	struct xlb_sync_peer_state at_b, at_m; /* each side's replay state of the other */
	struct dgram q[WIRE_Q];          /* master -> backup, this tick */
	unsigned int nq;
	/* What the wire does. */
	unsigned int drop_every;   /* drop every k-th master datagram (0: none) */
	uint64_t acks_lost_until;  /* drop every ack sent before this (ns) */
	bool mute;                 /* the backup never acks */
	bool swap;                 /* reverse each tick's datagrams: reordering */
	bool dup;                  /* deliver every datagram twice */
	/* The table: every third record a persistence template (else flows only). */
	bool templates;
	unsigned int sent, dropped, acks, refused, templates_seen;
	/* The end. */
	bool done;
	const char *why;
	uint64_t done_ns;
};

/* Record i of the master's table: flow i of mk_rec4, or its client's template (no client port). */
static void wire_rec(const struct wire *w, unsigned int i, struct xlb_sync_rec *r)
{
	mk_rec4(i, r);
	if (!w->templates || i % 3 != 2)
		return;
	r->kind = XLB_FLOW_K_TEMPLATE;
	r->state = XLB_CS_ACTIVE;
	r->flow.sport = 0;
}

static int wire_next(void *arg, struct xlb_sync_rec *r)
{
	struct wire *w = arg;

	if (w->next_flow >= w->n_flows)
		return -ENOENT;
	wire_rec(w, w->next_flow++, r);
	return 0;
}

static uint64_t wire_send(void *arg, uint8_t type, const struct xlb_sync_bulk_fields *f,
			  const struct xlb_sync_rec *recs, unsigned int n)
{
	struct wire *w = arg;
	struct xlb_sync_enc e;
	unsigned int i;

	xlb_sync_enc_init(&e, type, MASTER_NODE, ++w->m_seq, NOW);
	xlb_sync_enc_bulk(&e, f);
	for (i = 0; i < n; i++)
		assert_int_equal(xlb_sync_enc_add(&e, &recs[i]), 0);
	w->sent++;
	if (w->drop_every && w->sent % w->drop_every == 0) {
		w->dropped++;
		return w->m_seq; /* gone on the way, as a full socket buffer would */
	}
	assert_true(w->nq < WIRE_Q);
	w->q[w->nq].len = xlb_sync_enc_finish(&e, key);
	memcpy(w->q[w->nq].buf, e.buf, w->q[w->nq].len);
	w->nq++;
	return w->m_seq;
}

static void wire_done(void *arg, const struct xlb_sync_bulk_tx *tx, const char *why)
{
	struct wire *w = arg;

	(void)tx;
	w->done = true;
	w->why = why;
	w->done_ns = xlb_now_ns();
}

static const struct xlb_sync_bulk_ops wire_ops = {
	.next = wire_next,
	.send = wire_send,
	.done = wire_done,
};

/* The backup: decode as xlbd does, take the chunk, remember which flows arrived. */
static bool backup_recv(struct wire *w, const struct dgram *g)
{
	static struct xlb_sync_msg m;
	unsigned int i;

	if (xlb_sync_decode(g->buf, g->len, key, NOW, &w->at_b, &m)) {
		w->refused++;
		return false;
	}
	if (xlb_sync_bulk_rx_chunk(&w->rx, m.type, &m.b, m.count) != XLB_SYNC_BULK_TAKE)
		return true;
	for (i = 0; i < m.count; i++) {
		const struct xlb_sync_rec *r = &m.recs[i];
		struct xlb_sync_rec want;

		/* mk_rec4's age is its index, and unlike the port a template keeps it. */
		assert_true(r->age_s < w->n_flows);
		wire_rec(w, r->age_s, &want);
		assert_int_equal(r->kind, want.kind);
		assert_int_equal(r->state, want.state);
		assert_int_equal(r->flow.sport, want.flow.sport);
		w->templates_seen += r->kind == XLB_FLOW_K_TEMPLATE;
		w->seen[r->age_s]++;
	}
	return true;
}

/* The backup acks what it holds; the master decodes the ack and takes it. */
static void backup_ack(struct wire *w)
{
	static struct xlb_sync_msg m;
	struct xlb_sync_bulk_fields f;
	struct xlb_sync_enc e;
	size_t len;

	xlb_sync_bulk_rx_ack(&w->rx, w->at_b.seq, &f);
	xlb_sync_enc_init(&e, XLB_SYNC_BULK_ACK, PEER_NODE, ++w->b_seq, NOW);
	xlb_sync_enc_bulk(&e, &f);
	len = xlb_sync_enc_finish(&e, key);
	if (w->mute || xlb_now_ns() < w->acks_lost_until)
		return;
	assert_int_equal(xlb_sync_decode(e.buf, len, key, NOW, &w->at_m, &m), 0);
	w->acks++;
	xlb_sync_bulk_tx_ack(&w->tx, &m.b);
}

static void on_tick(struct xlb_loop *loop, struct xlb_timer *t)
{
	static struct dgram batch[WIRE_Q];
	struct wire *w = t->arg;
	unsigned int i, n = w->nq, took = 0;

	memcpy(batch, w->q, n * sizeof(batch[0]));
	w->nq = 0;
	for (i = 0; i < n; i++) {
		const struct dgram *g = &batch[w->swap ? n - 1 - i : i];

		took += backup_recv(w, g);
		if (w->dup)
			backup_recv(w, g);
	}
	if (took)
		backup_ack(w); /* may send more, into w->q, for the next tick */
	if (w->done)
		xlb_loop_stop(loop);
	else
		xlb_timer_arm(loop, t, WIRE_TICK_NS);
}

static void on_deadline(struct xlb_loop *loop, struct xlb_timer *t)
{
	(void)t;
	xlb_loop_stop(loop);
}

static struct wire *wire_new(unsigned int n_flows)
{
	struct wire *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->seen = calloc(n_flows ? n_flows : 1, sizeof(*w->seen));
	assert_non_null(w->seen);
	w->n_flows = n_flows;
	assert_int_equal(xlb_loop_init(&w->loop, NULL, NULL, NULL), 0);
	xlb_sync_bulk_tx_init(&w->tx, &w->loop, &wire_ops, w);
	xlb_sync_peer_init(&w->at_b, PEER_NODE, 0);
	xlb_sync_peer_init(&w->at_m, MASTER_NODE, 0);
	xlb_timer_init(&w->tick, on_tick, w);
	xlb_timer_init(&w->deadline, on_deadline, w);
	return w;
}

/* Run the bulk to its end, or for at most limit_ms. */
static void wire_run(struct wire *w, uint64_t limit_ms)
{
	assert_int_equal(xlb_sync_bulk_tx_start(&w->tx, 0x5eed), 0);
	xlb_timer_arm(&w->loop, &w->tick, WIRE_TICK_NS);
	xlb_timer_arm(&w->loop, &w->deadline, limit_ms * 1000000ull);
	assert_int_equal(xlb_loop_run(&w->loop), 0);
}

static void wire_free(struct wire *w)
{
	xlb_sync_bulk_tx_stop(&w->tx, "test over");
	xlb_timer_cancel(&w->loop, &w->tick);
	xlb_timer_cancel(&w->loop, &w->deadline);
	xlb_loop_fini(&w->loop);
	free(w->seen);
	free(w);
}

/* Every flow taken exactly once, both ends saying complete, N of N. */
static void assert_complete(struct wire *w)
{
	unsigned int i;

	if (!w->done || w->why)
		fail_msg("the bulk did not complete: %s", w->done ? w->why : "still running");
	assert_true(w->rx.complete);
	assert_int_equal(w->rx.flows, w->n_flows);
	assert_int_equal(w->rx.expected, w->n_flows);
	assert_int_equal(w->tx.flows, w->n_flows);
	assert_int_equal(w->tx.acked_flows, w->n_flows);
	for (i = 0; i < w->n_flows; i++)
		if (w->seen[i] != 1)
			fail_msg("flow %u taken %u times", i, w->seen[i]);
}

/* Test that a lossless wire carries 3,000 flows (200 chunks) whole, nothing sent twice. */
static void test_bulk_lossless(void **state)
{
	struct wire *w = wire_new(3000);

	(void)state;
	wire_run(w, 5000);
	assert_complete(w);
	assert_int_equal(w->tx.retransmits, 0);
	assert_int_equal(w->tx.dgrams, 201); /* 200 chunks and the END */
	wire_free(w);
}

/*
 * Test that a table of flows in every state and persistence templates (one record in three)
 * comes through a wire that loses one datagram in 7: each record taken once, with the kind and
 * state it was sent with, the END counting templates with the flows.
 */
static void test_bulk_templates_states(void **state)
{
	struct wire *w = wire_new(3000);

	(void)state;
	w->templates = true;
	w->drop_every = 7;
	wire_run(w, 10000);
	assert_complete(w);
	assert_int_equal(w->templates_seen, 1000);
	assert_true(w->tx.retransmits > 0);
	wire_free(w);
}

/* Test that an empty table is one END of 0 flows, acknowledged: complete, 0 of 0. */
static void test_bulk_empty(void **state)
{
	struct wire *w = wire_new(0);

	(void)state;
	wire_run(w, 5000);
	assert_complete(w);
	assert_int_equal(w->tx.dgrams, 1);
	wire_free(w);
}

/*
 * Test that dropped datagrams are sent again — one in 7 lost on the way, the END included when
 * its turn comes — and the receiver still reports 3,000 of 3,000, each flow once; the losses are
 * found from the acks, within a few ticks, not by waiting for timeouts.
 */
static void test_bulk_drops_retransmitted(void **state)
{
	struct wire *w = wire_new(3000);

	(void)state;
	w->drop_every = 7;
	wire_run(w, 5000);
	assert_complete(w);
	assert_true(w->dropped > 0);
	assert_true(w->tx.retransmits >= w->dropped);
	assert_int_equal(w->tx.timeouts_all, 0);
	wire_free(w);
}

/*
 * Test that the sender waits for a silent receiver without flooding it — acks lost for 300 ms:
 * at most a window in flight, resent on timeouts — and completes once acks flow again; what the
 * receiver got twice meanwhile is counted as duplicates, not as flows.
 */
static void test_bulk_acks_lost(void **state)
{
	struct wire *w = wire_new(3000);

	(void)state;
	w->acks_lost_until = xlb_now_ns() + 300 * 1000000ull;
	wire_run(w, 5000);
	assert_complete(w);
	assert_true(w->tx.timeouts_all >= 1);
	assert_true(w->rx.dups > 0);
	assert_true(w->tx.next_chunk - 1 <= 201);
	wire_free(w);
}

/*
 * Test that reordered and duplicated datagrams are handled — each tick's datagrams delivered in
 * reverse and twice: the decoder refuses the older and the copies as replays, the sender finds
 * those lost from the acks' ack_seq and sends them again — and the result is still 3,000 of
 * 3,000, each flow once.
 */
static void test_bulk_reordered_duplicated(void **state)
{
	struct wire *w = wire_new(3000);

	(void)state;
	w->swap = true;
	w->dup = true;
	wire_run(w, 10000);
	assert_complete(w);
	assert_true(w->refused > 0);
	assert_true(w->tx.retransmits > 0);
	wire_free(w);
}

/*
 * Test that a receiver that never acknowledges is given up after the bounded retries — timeouts
 * 10, 20, 40, 40 ms here, 4 in a row — with the reason, 0 flows acknowledged, while the receiver
 * has its part and knows it is incomplete.
 */
static void test_bulk_peer_mute(void **state)
{
	struct wire *w = wire_new(3000);
	uint64_t t0 = xlb_now_ns();

	(void)state;
	w->mute = true;
	w->tx.rto0_ns = 10 * 1000000ull;
	w->tx.rto_max_ns = 40 * 1000000ull;
	w->tx.retries = 4;
	wire_run(w, 5000);
	assert_true(w->done);
	assert_non_null(w->why);
	assert_string_equal(w->why, "the peer stopped acknowledging");
	assert_int_equal(w->tx.acked_flows, 0);
	assert_int_equal(w->tx.timeouts_all, 4);
	/* The first window, sent again at each timeout, and never more. */
	assert_int_equal(w->tx.dgrams, XLB_SYNC_BULK_CWND0 * 5);
	assert_true(w->done_ns - t0 >= 110 * 1000000ull);
	assert_false(w->rx.complete);
	assert_int_equal(w->rx.flows, XLB_SYNC_BULK_CWND0 * XLB_SYNC_MAX_RECS);
	wire_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulk_rx_order),
		cmocka_unit_test(test_bulk_lossless),
		cmocka_unit_test(test_bulk_empty),
		cmocka_unit_test(test_bulk_drops_retransmitted),
		cmocka_unit_test(test_bulk_templates_states),
		cmocka_unit_test(test_bulk_acks_lost),
		cmocka_unit_test(test_bulk_reordered_duplicated),
		cmocka_unit_test(test_bulk_peer_mute),
	};

	return sync_test_main("test_sync_bulk", tests, sizeof(tests) / sizeof(tests[0]));
}
