/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data paths of every configured interface, as one set. Each interface has its own program
 * and its own maps, pinned under <pin_root>/<ifname>/ (dataplane.h), and forwards out of itself
 * (XDP_TX). So the load balancer's state is written to every one of them (the fan-out writes
 * below), while a fact of one interface — its ifindex, its MAC, the next-hop MACs on its segment
 * — is written to that interface's maps alone (xlb_dp_update()).
 */
#ifndef XLB_DPS_H
#define XLB_DPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/dataplane.h"
#include "config/config.h"

/* Interfaces one xlbd drives: the per-interface state of a backend is a fixed array of this. */
#define XLB_DPS_MAX 8

/* The maps of a data path that userspace writes, by role. */
enum xlb_dp_map {
	XLB_DP_VIPS,
	XLB_DP_BACKENDS,
	XLB_DP_MAGLEV,
	XLB_DP_CONNS,
	XLB_DP_VIP_STATS,
	XLB_DP_BACKEND_STATS,
	XLB_DP_VIP_NAMES,
	XLB_DP_TUNNEL,
	XLB_DP_NAT_FLOWS, /* one map shared by every data path: written once, through any */
	XLB_DP_TX_PORTS,
	XLB_DP_TEMPLATES, /* one map shared by every data path: written once, through any */
};

struct xlb_dps {
	struct xlb_dp *v; /* in the config's order of interfaces */
	size_t n;
};

/*
 * Open a data path for each of cfg's interfaces (at most XLB_DPS_MAX), loading or adopting
 * their pinned maps. 0 or -errno, logged; on failure those opened stay in dps for
 * xlb_dps_close().
 */
int xlb_dps_open(struct xlb_dps *dps, const char *pin_root, const struct xlb_config *cfg);
/*
 * After opening, before attaching: every interface is a port each program may redirect NAT's
 * packets to (tx_ports is not pinned: each start fills a fresh one). 0 or -errno, logged.
 */
int xlb_dps_tx_ports(const struct xlb_dps *dps);
/*
 * Warn, once per family, when a nat or tun VIP needs the FIB and an interface does not forward
 * that family: bpf_fib_lookup() then fails on it.
 */
void xlb_dps_check_forwarding(const struct xlb_dps *dps, const struct xlb_config *cfg);
/* Attach every program, in mode when it is >= 0, else in each interface's configured mode. */
int xlb_dps_attach(struct xlb_dps *dps, const struct xlb_config *cfg, int mode);
/* Detach and close every data path (pinned maps stay); dps is then empty. */
void xlb_dps_close(struct xlb_dps *dps);

/*
 * The data path whose maps are read where every data path holds the same contents: adopting
 * the state an earlier xlbd left, walking the connection table for a bulk sync. NULL when the
 * set is empty.
 */
struct xlb_dp *xlb_dps_primary(const struct xlb_dps *dps);
/* The index in dps->v of the data path on ifindex, or -ENODEV. */
int xlb_dps_index(const struct xlb_dps *dps, int ifindex);

int xlb_dp_map_fd(const struct xlb_dp *dp, enum xlb_dp_map map);
/* One data path's entry, for a fact that differs per interface. 0 or -errno. */
int xlb_dp_update(const struct xlb_dp *dp, enum xlb_dp_map map, const void *key, const void *val);

/*
 * The fan-out writes: the same entry in the named map of every data path. Each returns 0 or the
 * first -errno. An update stops at the first failure (the caller restores what it changed); a
 * delete goes on to the others, and an entry already absent counts as deleted.
 */
int xlb_dps_update(const struct xlb_dps *dps, enum xlb_dp_map map, const void *key,
		   const void *val);
int xlb_dps_delete(const struct xlb_dps *dps, enum xlb_dp_map map, const void *key);
/* Zero entry idx of a per-CPU counters map everywhere (a fresh id starts from zero). */
int xlb_dps_zero_counters(const struct xlb_dps *dps, enum xlb_dp_map map, uint32_t idx);
/* Whether the programs report new flows to flow sync (the bss flag of each). */
void xlb_dps_set_sync_flows(const struct xlb_dps *dps, bool on);

/* The i-th data path's flow_events ring (flow sync reads them all), or -ENOENT past the last. */
int xlb_dps_flow_events_fd(const struct xlb_dps *dps, size_t i);

#endif /* XLB_DPS_H */
