// SPDX-License-Identifier: GPL-2.0-only
/* Bulk sync's transfer, sender and receiver; see sync_bulk.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pair/sync_bulk.h"

#define W XLB_SYNC_BULK_WINDOW

_Static_assert(W <= 64, "the ack's bitmap covers the window");

static struct xlb_sync_bulk_slot *slot(struct xlb_sync_bulk_tx *tx, uint32_t chunk)
{
	return &tx->slots[chunk % W];
}

static void transmit(struct xlb_sync_bulk_tx *tx, uint32_t chunk)
{
	struct xlb_sync_bulk_slot *sl = slot(tx, chunk);
	struct xlb_sync_bulk_fields f = { .bulk = tx->id, .chunk = chunk };
	uint8_t type = XLB_SYNC_FLOWS;

	if (chunk == tx->end_chunk) {
		type = XLB_SYNC_BULK_END;
		f.total = tx->flows;
	}
	if (sl->seq)
		tx->retransmits++;
	sl->seq = tx->ops->send(tx->arg, type, &f, sl->recs, sl->n);
	tx->dgrams++;
	if (sl->seq > tx->last_seq)
		tx->last_seq = sl->seq;
}

static uint64_t rto_ns(const struct xlb_sync_bulk_tx *tx)
{
	uint64_t t = tx->rto0_ns << (tx->timeouts < 4 ? tx->timeouts : 4);

	return t < tx->rto_max_ns ? t : tx->rto_max_ns;
}

/* Build and send new chunks while the window has room. */
static void fill(struct xlb_sync_bulk_tx *tx)
{
	while (!tx->end_chunk && tx->next_chunk - 1 - tx->cum < tx->cwnd) {
		uint32_t c = tx->next_chunk++;
		struct xlb_sync_bulk_slot *sl = slot(tx, c);

		memset(sl, 0, sizeof(*sl));
		while (!tx->walked && sl->n < XLB_SYNC_MAX_RECS) {
			if (tx->ops->next(tx->arg, &sl->recs[sl->n]) < 0)
				tx->walked = true;
			else
				sl->n++;
		}
		tx->flows += sl->n;
		/* A walk that ends on a chunk boundary leaves this one empty: it is the END. */
		if (!sl->n)
			tx->end_chunk = c;
		transmit(tx, c);
	}
	if (!xlb_timer_armed(&tx->rto))
		xlb_timer_arm(tx->loop, &tx->rto, rto_ns(tx));
}

static void finish(struct xlb_sync_bulk_tx *tx, const char *why)
{
	tx->active = false;
	xlb_timer_cancel(tx->loop, &tx->rto);
	tx->elapsed_ns = xlb_now_ns() - tx->start_ns;
	free(tx->slots);
	tx->slots = NULL;
	tx->ops->done(tx->arg, tx, why);
}

/* A loss: cwnd halves, but once per round, not once per chunk lost in it. */
static void on_loss(struct xlb_sync_bulk_tx *tx, uint64_t lost_seq)
{
	if (lost_seq <= tx->recover_seq)
		return;
	tx->cwnd = tx->cwnd / 2 > 2 ? tx->cwnd / 2 : 2;
	tx->recover_seq = tx->last_seq;
}

static void on_rto(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_sync_bulk_tx *tx = t->arg;
	uint32_t c;

	(void)loop;
	if (++tx->timeouts > tx->retries) {
		finish(tx, "the peer stopped acknowledging");
		return;
	}
	tx->timeouts_all++;
	on_loss(tx, tx->last_seq);
	for (c = tx->cum + 1; c < tx->next_chunk; c++)
		if (!slot(tx, c)->sacked)
			transmit(tx, c);
	xlb_timer_arm(tx->loop, &tx->rto, rto_ns(tx));
}

void xlb_sync_bulk_tx_init(struct xlb_sync_bulk_tx *tx, struct xlb_loop *loop,
			   const struct xlb_sync_bulk_ops *ops, void *arg)
{
	memset(tx, 0, sizeof(*tx));
	tx->loop = loop;
	tx->ops = ops;
	tx->arg = arg;
	tx->rto0_ns = XLB_SYNC_BULK_RTO_NS;
	tx->rto_max_ns = XLB_SYNC_BULK_RTO_MAX_NS;
	tx->retries = XLB_SYNC_BULK_RETRIES;
	xlb_timer_init(&tx->rto, on_rto, tx);
}

int xlb_sync_bulk_tx_start(struct xlb_sync_bulk_tx *tx, uint32_t id)
{
	xlb_sync_bulk_tx_stop(tx, "a new bulk sync replaces it");
	tx->slots = calloc(W, sizeof(*tx->slots));
	if (!tx->slots)
		return -ENOMEM;
	tx->active = true;
	tx->walked = false;
	tx->id = id;
	tx->cum = 0;
	tx->next_chunk = 1;
	tx->end_chunk = 0;
	tx->cwnd = XLB_SYNC_BULK_CWND0;
	tx->timeouts = 0;
	tx->last_seq = tx->recover_seq = 0;
	tx->start_ns = xlb_now_ns();
	tx->flows = tx->acked_flows = tx->dgrams = tx->retransmits = tx->timeouts_all = tx->elapsed_ns = 0;
	fill(tx);
	return 0;
}

void xlb_sync_bulk_tx_ack(struct xlb_sync_bulk_tx *tx, const struct xlb_sync_bulk_fields *ack)
{
	uint32_t c;

	/* Another bulk's, or older than what we know (reordered), or acking the unsent. */
	if (!tx->active || ack->bulk != tx->id || ack->chunk < tx->cum ||
	    ack->chunk >= tx->next_chunk)
		return;
	if (ack->chunk > tx->cum) {
		for (c = tx->cum + 1; c <= ack->chunk; c++)
			tx->acked_flows += slot(tx, c)->n;
		tx->cum = ack->chunk;
		tx->timeouts = 0;
		if (tx->cwnd < W)
			tx->cwnd++;
		xlb_timer_cancel(tx->loop, &tx->rto);
	}
	if (tx->end_chunk && tx->cum >= tx->end_chunk) {
		finish(tx, NULL);
		return;
	}
	for (c = tx->cum + 2; c < tx->next_chunk && c - tx->cum - 2 < 64; c++)
		if (ack->sack >> (c - tx->cum - 2) & 1)
			slot(tx, c)->sacked = true;
	/* Sent before a datagram the peer took, and not taken: it can never arrive now. */
	for (c = tx->cum + 1; c < tx->next_chunk; c++) {
		struct xlb_sync_bulk_slot *sl = slot(tx, c);

		if (sl->sacked || sl->seq >= ack->ack_seq)
			continue;
		on_loss(tx, sl->seq);
		transmit(tx, c);
	}
	fill(tx);
}

void xlb_sync_bulk_tx_stop(struct xlb_sync_bulk_tx *tx, const char *why)
{
	if (tx->active)
		finish(tx, why);
}

enum xlb_sync_bulk_verdict xlb_sync_bulk_rx_chunk(struct xlb_sync_bulk_rx *rx, uint8_t type,
						  const struct xlb_sync_bulk_fields *f,
						  unsigned int n)
{
	uint32_t c = f->chunk;

	if (!rx->active || f->bulk != rx->id) {
		memset(rx, 0, sizeof(*rx));
		rx->active = true;
		rx->id = f->bulk;
	}
	if (c <= rx->cum || (c >= rx->cum + 2 && c - rx->cum - 2 < 64 &&
			     (rx->sack >> (c - rx->cum - 2) & 1))) {
		rx->dups++;
		return XLB_SYNC_BULK_DUP;
	}
	if (c - rx->cum - 2 >= 64 && c != rx->cum + 1) {
		rx->dropped++;
		return XLB_SYNC_BULK_DROP;
	}
	if (c == rx->cum + 1) {
		/* Bit i of sack is now chunk cum + 1 + i: take the run that follows, realign. */
		rx->cum++;
		while (rx->sack & 1) {
			rx->sack >>= 1;
			rx->cum++;
		}
		rx->sack >>= 1;
	} else {
		rx->sack |= 1ull << (c - rx->cum - 2);
	}
	if (type == XLB_SYNC_BULK_END) {
		rx->end_chunk = c;
		rx->expected = f->total;
	} else {
		rx->flows += n;
	}
	rx->complete = rx->end_chunk && rx->cum >= rx->end_chunk;
	return XLB_SYNC_BULK_TAKE;
}

void xlb_sync_bulk_rx_ack(const struct xlb_sync_bulk_rx *rx, uint64_t ack_seq,
			  struct xlb_sync_bulk_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->bulk = rx->id;
	f->chunk = rx->cum;
	f->ack_seq = ack_seq;
	f->sack = rx->sack;
}
