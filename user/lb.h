/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The load balancer's state as xlbd knows it — VIPs, backends, their ids — and the one way it
 * reaches the maps: xlb_lb_apply() diffs a validated config against what is installed and writes
 * only the difference, in an order that never lets a packet see a half-made change:
 * backends before the tables that name them, tables before the VIPs that use them, and
 * removals in the reverse order.
 */
#ifndef XLB_LB_H
#define XLB_LB_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dataplane.h"

struct xlb_lb_backend {
	struct xlb_addr addr;
	uint32_t id;     /* index into backends / backend_stats */
	uint32_t weight;
	uint8_t mac[6];
	bool has_mac;
	bool neigh_seen; /* in the kernel's neighbour table at the last look */
};

struct xlb_lb_vip {
	char name[64];
	struct xlb_vip_key key;
	struct xlb_vip val; /* as written to vips */
	struct xlb_lb_backend *backends;
	size_t n_backends;
	bool table_dirty; /* its Maglev table must be rebuilt */
};

struct xlb_lb {
	struct xlb_dp *dps; /* every attached interface gets the same writes */
	size_t n_dps;
	uint32_t maglev_size;
	struct xlb_lb_vip *vips;
	size_t n_vips;
	uint8_t vip_used[XLB_MAX_VIPS];
	uint8_t be_used[XLB_MAX_BACKENDS];
};

/* Adopt the ids an earlier xlbd left in the pinned maps, so established flows keep meaning. */
int xlb_lb_init(struct xlb_lb *lb, struct xlb_dp *dps, size_t n_dps);
void xlb_lb_fini(struct xlb_lb *lb);

/* Make the maps say what cfg says. Returns 0 or -errno (maps then hold the previous state). */
int xlb_lb_apply(struct xlb_lb *lb, const struct xlb_config *cfg);

/* A neighbour's MAC became known or changed: update every backend with that address. */
void xlb_lb_set_mac(struct xlb_lb *lb, const struct xlb_addr *addr, const uint8_t mac[6]);

/* Backends still without a MAC; *first gets one of them (for probing / messages). */
size_t xlb_lb_unresolved(const struct xlb_lb *lb, const struct xlb_lb_backend **first);

void xlb_vip_key_from(struct xlb_vip_key *key, const struct xlb_cfg_vip *v);

#endif /* XLB_LB_H */
