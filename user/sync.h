/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flow sync between the two dispatchers of a pair. The master reads the data path's flow_events
 * ring (each new flow → backend binding) and streams them, batched, to the backup over UDP; the
 * backup installs them in its own conns map, mapping VIP keys and backend addresses to its own
 * ids. A backup that starts asks for the master's whole table (bulk sync), which the master
 * walks a slice at a time so the loop's other timers (VRRP adverts) are never starved.
 */
#ifndef XLB_SYNC_H
#define XLB_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "loop.h"
#include "sync_pkt.h"

struct xlbd;
struct ring_buffer;

struct xlb_sync_stats {
	uint64_t sent_dgrams;
	uint64_t sent_flows;
	uint64_t recv_dgrams;
	uint64_t installed;       /* flows written to conns */
	uint64_t unknown;         /* flows naming a VIP or backend this node does not have */
	uint64_t rejected;        /* datagrams refused, all reasons */
	uint64_t rejected_by[XLB_SYNC_E_MAX];
	uint64_t bulk_sent;       /* bulk syncs served */
	uint64_t bulk_received;   /* bulk syncs completed */
};

struct xlb_sync {
	struct xlbd *d;
	int fd;
	struct sockaddr_storage peer;
	unsigned int peer_len;
	uint8_t key[XLB_SYNC_KEY_BYTES];
	uint32_t node;
	uint64_t seq;
	struct xlb_sync_peer_state replay;
	struct ring_buffer *rb;
	int rb_fd;
	bool master;
	struct xlb_sync_enc enc;
	bool enc_open;
	struct xlb_timer flush_timer;
	/* Master: a bulk sync in progress, walking conns from cursor. */
	bool bulk_active;
	bool bulk_has_cursor;
	struct xlb_flow bulk_cursor;
	struct xlb_timer bulk_timer;
	/* Backup: asks again until the master says BULK_END. */
	bool bulk_done;
	struct xlb_timer bulk_req_timer;
	struct xlb_sync_stats stats;
};

int xlb_sync_start(struct xlb_sync *s, struct xlbd *d, const struct xlb_cfg_sync *cfg);
/* Master streams and serves bulk requests; backup installs and asks for a bulk sync. */
void xlb_sync_set_master(struct xlb_sync *s, bool master);
void xlb_sync_stop(struct xlb_sync *s);

#endif /* XLB_SYNC_H */
