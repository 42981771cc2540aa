/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ZooKeeper leader election as pure functions (failover_zk.c drives them with the servers'
 * answers; tests/unit/test_zk_elect.c without a server): which child of PATH/nodes is this
 * session's and which is master, when a master must give the addresses up, and what it
 * publishes at PATH/master.
 *
 * Each node is created as PATH/nodes/<session id, 16 hex>-, EPHEMERAL|SEQUENCE: the servers
 * append 10 digits. The session id in the name finds our node again after a create whose
 * answer was lost with the connection (it may have been made), so a session never holds two.
 */
#ifndef XLB_ZK_ELECT_H
#define XLB_ZK_ELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"

/* "<16 hex>-" and its NUL. */
#define XLB_ZK_PREFIX_SIZE 18

/* The name prefix of session's nodes, into buf[XLB_ZK_PREFIX_SIZE]. */
void xlb_zk_node_prefix(int64_t session, char *buf);

/* The sequence number the servers appended (a node's last 10 digits), or -1: not one of ours. */
int64_t xlb_zk_seq(const char *name);

/* What a list of PATH/nodes says, as indices into it; -1: none. */
struct xlb_zk_view {
	int mine;   /* the node whose name starts with our session's prefix (the lowest if many) */
	int lowest; /* the node with the lowest sequence number: the master */
};

/* Names that are not "<prefix><10 digits>" take no part (someone else's znodes). */
void xlb_zk_elect(const char *const *names, size_t n, const char *prefix, struct xlb_zk_view *v);

/*
 * The servers expire a session no sooner than its negotiated timeout after the last request
 * they had from it. A master's last contact is the send time of its latest request that they
 * answered, a lower bound of that; it gives the addresses up 2/3 of the timeout later: when
 * the client library itself gives up on its server (it declares the connection lost after 2/3
 * of the timeout without a byte), leaving 1/3 (1.3 s of 4 s) for its timer to fire and the
 * addresses to go before any other node can see the session's znodes deleted.
 */
uint64_t xlb_zk_release_at(uint64_t contact_ns, uint32_t timeout_ms);

/* How often a node asks the servers something, so its contact is never older than this. */
uint64_t xlb_zk_heartbeat_ns(uint32_t timeout_ms);

/*
 * PATH/master's data: {"node": name, "znode": ..., "session": "0x...", "addresses":
 * ["ADDR/P", ...], "since": "YYYY-MM-DDTHH:MM:SS.mmmZ"}. The length (without NUL) or -ENOSPC.
 */
int xlb_zk_master_json(char *buf, size_t len, const char *name, const char *znode,
		       int64_t session, const struct xlb_cfg_vaddr *vaddrs, size_t n,
		       const struct timespec *since);

/* The string value of key in a flat JSON object of names and addresses (our own, above) into
 * out; 0 or -ENOENT (absent, not a string, or longer than len - 1). */
int xlb_zk_json_str(const char *json, size_t json_len, const char *key, char *out, size_t len);

#endif /* XLB_ZK_ELECT_H */
