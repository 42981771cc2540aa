/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's state, private to agent/: xlbd's main loop, its control commands and the glue that
 * runs the pair (pair_glue.c). Nothing outside agent/ sees it; the other folders get narrow
 * interfaces (the monitor's struct, sync's and failover's ops).
 */
#ifndef XLB_XLBD_H
#define XLB_XLBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "agent/announce_routes.h"
#include "agent/dps.h"
#include "agent/lb.h"
#include "agent/metrics_http.h"
#include "agent/monitor.h"
#include "agent/neigh_wants.h"
#include "agent/nexthop.h"
#include "agent/sweep.h"
#include "common/loop.h"
#include "common/output.h"
#include "common/rtnl_watch.h"
#include "config/config.h"
#include "config/diff.h"
#include "ctl/control.h"
#include "pair/failover.h"
#include "pair/sync.h"

struct xlbd {
	const char *cfg_path;
	const char *pin_root;
	int xdp_mode; /* -1: as the config says */
	const char *ctl_path; /* --control, over the config's */
	struct xlb_config cfg;
	struct xlb_dps dps;
	struct xlb_lb lb;
	struct xlb_loop loop;
	struct xlb_rtnl_watch rtnl; /* links and neighbours, as the kernel tells them */
	struct xlb_rtnl_sub neigh_sub;
	struct xlb_timer neigh_timer; /* probes, while some backend is unresolved somewhere */
	struct xlb_nhs nhs; /* next hops of the backends reached through the FIB (tun, nat) */
	struct xlb_neigh_wants wants; /* destinations the data paths found no neighbour for */
	struct xlb_mon mon;
	struct xlb_sweep sweep; /* idle entries out of the connection table, counts recounted */
	struct xlb_timer sweep_timer;
	uint64_t sweep_began; /* xlb_now_ns() of the running pass's start */
	struct xlb_timer settle_timer; /* VIPs' XLB_VIP_F_SETTLING off, once their tables settled */
	bool sweep_on;
	struct xlb_ctl_server ctl;
	struct xlb_failover fo;
	bool fo_on; /* failover.mode is vrrp and it started */
	struct xlb_sync sync;
	bool sync_on; /* with failover, sync configured and started */
	struct xlb_announce ann; /* announce.mode bgp: the routes BIRD exports */
	uint64_t started;
	bool ready;
	uint64_t reloads;       /* applied */
	uint64_t reload_errors; /* refused */
	struct xlb_metrics_http *metrics; /* metrics.listen, served (agent/metrics.h); NULL: not */
	struct timespec started_wall;  /* CLOCK_REALTIME of the start, for the metrics */
	struct timespec reloaded_wall; /* ... and of the last good reload, the start's till one */
};

/*
 * Re-read the config file and apply it; on failure the running config stays and err says why.
 * On success, what changed is in *changes (NULL: only logged); free it with
 * xlb_cfg_changes_free(). On failure *changes is empty.
 */
int xlbd_reload(struct xlbd *d, char *err, size_t errlen, struct xlb_cfg_changes *changes);

/*
 * The pair (pair_glue.c): the failover backend of failover.mode and flow sync, wired to each
 * other and to the data paths. 0 or -errno (logged); stop is safe on whatever part started.
 */
int xlbd_pair_start(struct xlbd *d);
void xlbd_pair_stop(struct xlbd *d);
/* The pair's members of xlbctl state. */
void xlbd_pair_state_json(struct xlbd *d, struct xlb_json *j);
/* The pair's metric families (agent/metrics.h). */
void xlbd_pair_metrics(struct xlbd *d, FILE *f);

/* Control commands (commands.c). */
extern const struct xlb_ctl_cmd xlbd_ctl_cmds[];

#endif /* XLB_XLBD_H */
