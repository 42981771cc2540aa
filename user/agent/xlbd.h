/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's state, shared by xlbd's parts: main loop, health monitor, control commands. */
#ifndef XLB_XLBD_H
#define XLB_XLBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/dps.h"
#include "agent/lb.h"
#include "common/loop.h"
#include "common/rtnl_watch.h"
#include "config/config.h"
#include "ctl/control.h"
#include "pair/failover.h"

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
	struct xlb_ctl_server ctl;
	struct xlb_failover fo;
	bool fo_on; /* failover.mode is vrrp and it started */
	uint64_t started;
	bool ready;
	uint64_t reloads;       /* applied */
	uint64_t reload_errors; /* refused */
};

/* Re-read the config file and apply it; on failure the running config stays and err says why. */
int xlbd_reload(struct xlbd *d, char *err, size_t errlen);

/* Health monitor (monitor.c). */
void xlb_mon_sync(struct xlbd *d);
void xlb_mon_retire(struct xlb_lb_backend *b, void *arg);
/* Set the admin state of every backend with address `backend` (of VIP `vip` if not NULL). */
int xlb_mon_set_admin(struct xlbd *d, const char *backend, const char *vip, enum xlb_admin admin,
		      unsigned int *changed);

/* Control commands (ctl_cmds.c). */
extern const struct xlb_ctl_cmd xlbd_ctl_cmds[];

#endif /* XLB_XLBD_H */
