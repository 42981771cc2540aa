/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flow sync between the two dispatchers of a pair. The master reads the data path's flow_events
 * ring (each new flow → backend binding, each change of a flow's state, each persistence template
 * proved) and streams them, batched, to the backup over UDP; the backup installs flows with their
 * state in its own conns maps and templates in its templates map, mapping VIP keys and backend
 * addresses to its own ids. It never touches backend_conns: its sweep recounts them from the
 * tables. A backup that starts asks for the master's whole table (bulk sync), which the master
 * sends as fast as the backup acknowledges it (sync_bulk.h), a window at a time so the loop's
 * other timers (VRRP adverts) are never starved; both ends say how much of it arrived.
 */
#ifndef XLB_SYNC_H
#define XLB_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/loop.h"
#include "config/config.h"
#include "pair/sync_bulk.h"
#include "pair/sync_pkt.h"

struct ring_buffer;
struct xlb_json;

/*
 * What sync needs from the node it runs on, which owns the data paths and the VIP table: sync
 * itself holds only the channel (socket, codec, bulk transfer). Called from loop callbacks: none
 * may block. Every member is required.
 */
struct xlb_sync_ops {
	/* A received binding in this node's ids: 0, or -ENOENT when the VIP or backend is not here. */
	int (*resolve)(void *arg, const struct xlb_vip_key *vip, const struct xlb_addr *backend,
		       uint32_t *vip_id, uint32_t *backend_id);
	/* A local binding as the wire names it (VIP by key, backend by address): 0 or -ENOENT. */
	int (*describe)(void *arg, uint32_t vip_id, uint32_t backend_id, struct xlb_vip_key *vip,
			struct xlb_addr *backend);
	/* Write one binding, with its state, into every data path's conns map. */
	void (*install)(void *arg, const struct xlb_flow *flow, const struct xlb_conn *c);
	/* Write one persistence template into the templates map (one, shared by the data paths). */
	void (*install_template)(void *arg, const struct xlb_template_key *k,
				 const struct xlb_template *t);
	/* The conns map a bulk sync walks: the primary data path's. */
	int (*conns_fd)(void *arg);
	/* The templates map a bulk sync walks after conns; < 0: none. */
	int (*templates_fd)(void *arg);
	/* The data paths report new flows on their flow_events rings (master), or stop (backup). */
	void (*set_streaming)(void *arg, bool on);
	/* The i-th flow_events ring map to read, or -ENOENT past the last. */
	int (*ring_fd)(void *arg, size_t i);
	/* The peer asked for a bulk sync while this node is master: it has just become backup. */
	void (*peer_became_backup)(void *arg);
};

struct xlb_sync_stats {
	uint64_t sent_dgrams;
	uint64_t sent_flows;
	uint64_t recv_dgrams;
	uint64_t installed;       /* flows written to conns */
	uint64_t installed_templates; /* persistence templates written to templates */
	uint64_t unknown;         /* records naming a VIP or backend this node does not have */
	uint64_t rejected;        /* datagrams refused, all reasons */
	uint64_t rejected_by[XLB_SYNC_E_MAX];
	uint64_t rejected_version; /* of rejected: a peer speaking another protocol version */
	uint64_t lost_dgrams;     /* gaps in the peer's seq: datagrams that never arrived */
	/* Master. */
	uint64_t bulk_sent;       /* bulk syncs served and acknowledged whole */
	uint64_t bulk_sent_incomplete; /* given up: the peer stopped acknowledging, or a role change */
	uint64_t bulk_retransmits; /* bulk datagrams sent again, all bulks */
	uint64_t bulk_timeouts;   /* ... of them, after a timeout */
	/* Backup. */
	uint64_t bulk_received;   /* bulk syncs received whole */
	uint64_t bulk_incomplete; /* bulk syncs that stopped short */
	uint64_t bulk_dups;       /* bulk chunks that arrived twice */
	/* The last bulk sync, sent or received: flows that arrived (acknowledged) of those sent. */
	uint64_t bulk_last_flows;
	uint64_t bulk_last_expected;
	uint64_t bulk_last_ms;
};

struct xlb_sync {
	struct xlb_loop *loop; /* NULL: not started */
	const struct xlb_sync_ops *ops;
	void *ops_arg;
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
	bool version_warned;
	/* Live flows waiting for a datagram, sent when full or after a flush interval. */
	struct xlb_sync_rec live[XLB_SYNC_MAX_RECS];
	unsigned int n_live;
	struct xlb_timer flush_timer;
	/* Master: a bulk sync in progress, walking conns from cursor, then templates from tcursor. */
	struct xlb_sync_bulk_tx tx;
	uint32_t bulk_id;
	bool bulk_has_cursor;
	bool bulk_templates; /* conns walked: on to templates */
	struct xlb_flow bulk_cursor;
	struct xlb_template_key bulk_tcursor;
	/* Backup: asks again until a bulk arrives whole. */
	struct xlb_sync_bulk_rx rx;
	uint64_t rx_start_ns, rx_last_ns; /* the bulk's first chunk, its last new one */
	bool rx_reported;                 /* its incompleteness is logged and counted */
	bool bulk_done;
	struct xlb_timer bulk_req_timer;
	struct xlb_sync_stats stats;
};

int xlb_sync_start(struct xlb_sync *s, struct xlb_loop *loop, const struct xlb_cfg_sync *cfg,
		   const struct xlb_sync_ops *ops, void *ops_arg);
/* Master streams and serves bulk requests; backup installs and asks for a bulk sync. */
void xlb_sync_set_master(struct xlb_sync *s, bool master);
/* A no-op on a zeroed or stopped channel. */
void xlb_sync_stop(struct xlb_sync *s);
/*
 * One record of a flow_events ring (called for each; the unit tests call it directly): a new flow,
 * a flow's new state (ACTIVE once proven, CLOSING after the client's FIN or RST), or a proved
 * template (flow.pad[0] XLB_FLOW_K_TEMPLATE, keyed as syns keys a pending one). A master batches
 * it for the peer; a backup ignores it.
 */
void xlb_sync_flow_event(struct xlb_sync *s, const struct xlb_flow_event *ev);
/* The "sync" member of xlbctl state. */
void xlb_sync_state_json(const struct xlb_sync *s, struct xlb_json *j);
/* Its metric families, in Prometheus' text format (common/prom.h). */
void xlb_sync_metrics(const struct xlb_sync *s, FILE *f);

#endif /* XLB_SYNC_H */
