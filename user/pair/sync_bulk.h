/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bulk sync's transfer: the master's sender and the backup's receiver of one bulk, with no
 * sockets and no maps (the caller's ops send datagrams and walk the table), so the unit tests can
 * run both on the real loop over a lossy fake wire.
 *
 * The sender keeps at most cwnd (<= XLB_SYNC_BULK_WINDOW) chunks unacknowledged: the receiver's
 * acks clock it, so a slower backup slows the bulk down instead of overflowing its socket. An ack
 * names the last seq its sender took: a chunk neither acked nor in the ack's bitmap whose latest
 * transmission had a smaller seq can never arrive (the decoder refuses seq <= the last taken), so
 * it is sent again at once, and cwnd halves (once per round). With no progress for a timeout
 * every missing chunk is sent again, up to XLB_SYNC_BULK_RETRIES timeouts in a row, then the bulk
 * is given up and reported incomplete.
 */
#ifndef XLB_SYNC_BULK_H
#define XLB_SYNC_BULK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/loop.h"
#include "pair/sync_pkt.h"

#define XLB_SYNC_BULK_WINDOW 64 /* chunks in flight at most: the ack's bitmap covers them */
#define XLB_SYNC_BULK_CWND0 8   /* chunks in flight at first */
#define XLB_SYNC_BULK_RTO_NS (100 * 1000000ull)   /* first timeout, doubled up to the cap */
#define XLB_SYNC_BULK_RTO_MAX_NS (1000 * 1000000ull)
#define XLB_SYNC_BULK_RETRIES 8 /* timeouts in a row without progress: about 6.5 s */

struct xlb_sync_bulk_tx;

struct xlb_sync_bulk_ops {
	/* The table's next flow into *r: 0, or < 0 at its end. */
	int (*next)(void *arg, struct xlb_sync_rec *r);
	/*
	 * Send a FLOWS (n records) or BULK_END (n 0) datagram with these bulk fields. Returns the
	 * seq it went out with, or 0 if it did not go out (it is then sent again like a lost one).
	 */
	uint64_t (*send)(void *arg, uint8_t type, const struct xlb_sync_bulk_fields *f,
			 const struct xlb_sync_rec *recs, unsigned int n);
	/* The bulk ended: why is NULL when every chunk was acknowledged. */
	void (*done)(void *arg, const struct xlb_sync_bulk_tx *tx, const char *why);
};

struct xlb_sync_bulk_slot {
	uint64_t seq; /* of its latest transmission; 0: not sent */
	bool sacked;  /* in an ack's bitmap */
	uint16_t n;   /* records; 0 for the END */
	struct xlb_sync_rec recs[XLB_SYNC_MAX_RECS];
};

struct xlb_sync_bulk_tx {
	struct xlb_loop *loop;
	const struct xlb_sync_bulk_ops *ops;
	void *arg;
	struct xlb_timer rto;
	struct xlb_sync_bulk_slot *slots; /* XLB_SYNC_BULK_WINDOW, by chunk % window, while active */
	bool active;
	bool walked;          /* the table is read to its end */
	uint32_t id;          /* the bulk's id */
	uint32_t cum;         /* chunks 1 .. cum acknowledged */
	uint32_t next_chunk;  /* the next chunk to build; cum < c < next_chunk are in flight */
	uint32_t end_chunk;   /* the END's chunk number, 0 until built */
	unsigned int cwnd;
	unsigned int timeouts; /* in a row, without progress */
	/* XLB_SYNC_BULK_RTO_NS, _RTO_MAX_NS and _RETRIES after init; tests shorten them. */
	uint64_t rto0_ns, rto_max_ns;
	unsigned int retries;
	uint64_t last_seq;     /* highest seq sent */
	uint64_t recover_seq;  /* cwnd halves once per round: for losses sent after this */
	uint64_t start_ns;
	/* Figures of the running or the last bulk. */
	uint64_t flows;        /* flows read and put in chunks */
	uint64_t acked_flows;  /* ... in chunks acknowledged cumulatively */
	uint64_t dgrams;       /* datagrams sent, retransmissions included */
	uint64_t retransmits;  /* datagrams sent again */
	uint64_t timeouts_all; /* timeouts */
	uint64_t elapsed_ns;   /* from start to done */
};

void xlb_sync_bulk_tx_init(struct xlb_sync_bulk_tx *tx, struct xlb_loop *loop,
			   const struct xlb_sync_bulk_ops *ops, void *arg);
/* Start bulk id (non-zero); a running one is given up first. Returns 0 or -ENOMEM. */
int xlb_sync_bulk_tx_start(struct xlb_sync_bulk_tx *tx, uint32_t id);
/* An ack from the peer (a BULK_ACK's fields); one for another bulk is ignored. */
void xlb_sync_bulk_tx_ack(struct xlb_sync_bulk_tx *tx, const struct xlb_sync_bulk_fields *ack);
/* Give the running bulk up (done() is called with why), or nothing when none runs. */
void xlb_sync_bulk_tx_stop(struct xlb_sync_bulk_tx *tx, const char *why);

/* What the receiver makes of a chunk. */
enum xlb_sync_bulk_verdict {
	XLB_SYNC_BULK_TAKE, /* new: install its records */
	XLB_SYNC_BULK_DUP,  /* taken before: the sender missed an ack */
	XLB_SYNC_BULK_DROP, /* beyond the window: the sender sends it again */
};

struct xlb_sync_bulk_rx {
	bool active;         /* a bulk is being received (complete or not) */
	bool complete;       /* every chunk up to the END taken */
	uint32_t id;
	uint32_t cum;        /* chunks 1 .. cum taken */
	uint64_t sack;       /* bit i: chunk cum + 2 + i taken */
	uint32_t end_chunk;  /* from the END, 0 before */
	uint32_t expected;   /* the END's total */
	uint64_t flows;      /* records of the chunks taken */
	uint64_t dups;
	uint64_t dropped;    /* beyond the window */
};

/*
 * A FLOWS chunk (type FLOWS, n records) or the END of a bulk. A new bulk id starts the receiver
 * afresh (check rx->active && !rx->complete first to report the one it replaces).
 */
enum xlb_sync_bulk_verdict xlb_sync_bulk_rx_chunk(struct xlb_sync_bulk_rx *rx, uint8_t type,
						  const struct xlb_sync_bulk_fields *f,
						  unsigned int n);
/* The BULK_ACK fields for what rx holds; ack_seq: the last seq taken from the sender. */
void xlb_sync_bulk_rx_ack(const struct xlb_sync_bulk_rx *rx, uint64_t ack_seq,
			  struct xlb_sync_bulk_fields *f);

#endif /* XLB_SYNC_BULK_H */
