/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The load balancer's state as xlbd knows it — VIPs, backends, their ids, health and operator
 * state — and the one way it reaches the maps. Every change, a reload or a backend going down,
 * is written as a difference, in an order that never lets a packet see a half-made change:
 * backends that gain LIVE before the tables that name them, tables whole (one swap each, or
 * into the VIP's other bank when their size changes) before the VIPs that use them, and
 * backends that lose LIVE, or go, only after no table names them. Ids never run out for a valid
 * config: a new backend may take over a departing one of its VIP, and a config that needs ids
 * other VIPs give back is applied in two steps (see xlb_lb_apply()).
 */
#ifndef XLB_LB_H
#define XLB_LB_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/dps.h"
#include "config/config.h"

/* The operator's say over a backend; survives reloads until changed back. */
enum xlb_admin {
	XLB_ADMIN_ENABLED = 0,
	XLB_ADMIN_DRAIN,    /* no new flows; established ones stay until they end */
	XLB_ADMIN_DISABLED, /* out: no new flows, established ones move to live backends */
};

/*
 * A backend as one interface's data path sees it. Each interface has its own backends map and
 * forwards out of itself, so a backend reachable on two interfaces has a next hop on each, and
 * each map holds the MAC learnt on its own interface; an interface it is not reachable through
 * holds no MAC for it (its packets for the backend are dropped there, as none could arrive).
 */
struct xlb_lb_hop {
	uint8_t mac[6];
	bool has_mac;
	bool neigh_seen; /* the kernel holds a usable entry for it on this interface */
	struct xlb_backend written; /* what this interface's backends map holds for it */
};

struct xlb_lb_backend {
	struct xlb_addr addr;
	uint32_t id;     /* index into backends / backend_stats */
	uint32_t weight; /* configured */
	uint16_t port;   /* nat: the port it listens on, host order; 0 = the client's */
	struct xlb_lb_hop hop[XLB_DPS_MAX]; /* by the index of the data path in lb->dps */
	bool is_fallback; /* the VIP's sorry server: never in the table, checked by nobody */
	bool healthy;     /* as its checker says; true until a check says otherwise */
	uint8_t admin;    /* enum xlb_admin */
	uint64_t since_ns; /* when healthy or admin last changed */
	struct xlb_cfg_health health; /* resolved check settings (pos zeroed, so it compares) */
	void *checker;    /* owned by xlbd; carried across reloads while health is unchanged */
	uint32_t table_weight;     /* weight in the installed table */
};

struct xlb_lb_vip {
	char name[64];
	struct xlb_vip_key key;
	struct xlb_vip val; /* as written to vips */
	struct xlb_lb_backend *backends; /* the fallback, if any, last */
	size_t n_backends;
	uint32_t persistence_ms; /* 0: not persistent (then val.flags has no XLB_VIP_F_PERSIST) */
	bool table_dirty; /* its Maglev table must be rebuilt */
	uint64_t settle_until_ns; /* with XLB_VIP_F_SETTLING in val: when it comes off */
};

struct xlb_lb {
	const struct xlb_dps *dps; /* every attached interface gets the same writes */
	uint32_t maglev_size;
	struct xlb_lb_vip *vips;
	size_t n_vips;
	uint8_t vip_used[XLB_MAX_VIPS];
	uint8_t be_used[XLB_MAX_BACKENDS];
	/* Called for a backend's checker when the backend goes or its health settings change. */
	void (*retire)(struct xlb_lb_backend *b, void *arg);
	void *retire_arg;
};

/*
 * Take XLB_VIP_F_SETTLING off the VIPs whose table last changed XLB_SETTLE_NS ago or more
 * (xlbd calls it every second). Returns how many still settle.
 */
int xlb_lb_settle(struct xlb_lb *lb, uint64_t now_ns);

/* Adopt the ids an earlier xlbd left in the pinned maps, so established flows keep meaning. */
int xlb_lb_init(struct xlb_lb *lb, const struct xlb_dps *dps);
void xlb_lb_fini(struct xlb_lb *lb);

/*
 * Make the maps say what cfg says. Returns 0 or -errno: the maps then hold the previous state,
 * or, when it failed in the second of two steps, each VIP's previous or new state (lb says which).
 */
int xlb_lb_apply(struct xlb_lb *lb, const struct xlb_config *cfg);

/* A backend's health or admin state changed: rewrite its VIP's table and its entry. */
int xlb_lb_set_state(struct xlb_lb *lb, struct xlb_lb_vip *v, struct xlb_lb_backend *b,
		     bool healthy, enum xlb_admin admin);

/*
 * A neighbour on the interface of data path dp (its index in lb->dps) is usable, with this MAC:
 * every backend with that address takes it there, and is seen there.
 */
void xlb_lb_set_mac(struct xlb_lb *lb, size_t dp, const struct xlb_addr *addr,
		    const uint8_t mac[6]);
/* The kernel lost or failed that neighbour on dp: not seen there (its last MAC stays). */
void xlb_lb_neigh_gone(struct xlb_lb *lb, size_t dp, const struct xlb_addr *addr);
/* Every backend not seen on dp, before a fresh dump of its neighbours says again. */
void xlb_lb_neigh_forget(struct xlb_lb *lb, size_t dp);
/* Has a MAC on some interface. */
bool xlb_lb_backend_has_mac(const struct xlb_lb_backend *b);

/* Backends without the MAC their forwarding mode needs on any interface; *first gets one of them
 * (for messages). */
size_t xlb_lb_unresolved(const struct xlb_lb *lb, const struct xlb_lb_backend **first);

/* Enabled, healthy and with a weight (or the fallback): takes new flows. */
bool xlb_lb_backend_up(const struct xlb_lb_backend *b);
/* How logs and metrics name it: address:port it is reached on ("[v6]:port"; no port: every one). */
const char *xlb_lb_backend_label(const struct xlb_lb_vip *v, const struct xlb_lb_backend *b,
				 char *buf, size_t len);
/* "up", "down", "drain", "disabled": what the operator should read; "up" iff xlb_lb_backend_up. */
const char *xlb_lb_backend_state(const struct xlb_lb_backend *b);

void xlb_vip_key_from(struct xlb_vip_key *key, const struct xlb_cfg_vip *v);

/*
 * A flow the peer synced, bound to backend c->backend of VIP c->vip_id: its conns entry on every
 * interface and, for a NAT VIP, before it the nat_flows entry that translates its replies, so a
 * standby that takes over goes on translating established connections. 0 or -errno (-ENOENT
 * for a VIP or backend this node does not have).
 */
int xlb_lb_install_flow(struct xlb_lb *lb, const struct xlb_flow *flow, const struct xlb_conn *c);
/*
 * A persistence template the peer synced, for backend t->backend of VIP k->vip_id: its entry in
 * the templates map (one, shared by every interface). 0 or -errno (-ENOENT for a VIP or backend
 * this node does not have).
 */
int xlb_lb_install_template(struct xlb_lb *lb, const struct xlb_template_key *k,
			    const struct xlb_template *t);

/* Lookups for flow sync, which names VIPs by key and backends by address on the wire. */
struct xlb_lb_vip *xlb_lb_vip_by_id(struct xlb_lb *lb, uint32_t id);
struct xlb_lb_vip *xlb_lb_vip_by_key(struct xlb_lb *lb, const struct xlb_vip_key *key);
struct xlb_lb_backend *xlb_lb_backend_by_id(struct xlb_lb_vip *v, uint32_t id);
struct xlb_lb_backend *xlb_lb_backend_by_addr(struct xlb_lb_vip *v, const struct xlb_addr *a);

#endif /* XLB_LB_H */
