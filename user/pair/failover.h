/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hot-standby pair's failover: which of two nodes is master, behind one interface that a
 * backend implements (VRRP, failover_vrrp.c; ZooKeeper leader election, failover_zk.c). A backend
 * decides the role and announces it through an announcer (announce.h); what the role means for
 * the rest of the node (flow sync's direction) is its host's, told through role_changed.
 */
#ifndef XLB_FAILOVER_H
#define XLB_FAILOVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/loop.h"
#include "common/rtnl_watch.h"
#include "config/config.h"

struct xlb_json;

/* What a failover backend needs from the node it runs on. Callbacks never block. */
struct xlb_failover_host {
	struct xlb_loop *loop;
	/* Link states as the kernel tells them: a backend's fault and interface tracks. */
	struct xlb_rtnl_watch *rtnl;
	/*
	 * The pair's settings, read for as long as the backend runs (the node keeps them across a
	 * reload): VRRP's instances, at least one, and their sync groups. Their notify command is
	 * run by the backend, with its own environment.
	 */
	const struct xlb_cfg_vrrp *vrrps;
	size_t n_vrrps;
	const struct xlb_cfg_sync_group *sync_groups;
	size_t n_sync_groups;
	/* ZooKeeper's, for mode zookeeper (NULL otherwise), read as long as the backend runs. */
	const struct xlb_cfg_zk *zk;
	/* A track entry on a VIP: does VIP name have a backend that takes new flows? */
	bool (*vip_has_backend)(void *arg, const char *name);
	/* This node became master (true) or backup (false), as its first VRRP instance did;
	 * after the announcer has run. */
	void (*role_changed)(void *arg, bool master);
	void *arg;
};

struct xlb_failover;

struct xlb_failover_ops {
	const char *name; /* the failover.mode that selects it */
	/* 0 or -errno, logged; on failure nothing of it is left running. */
	int (*start)(struct xlb_failover *fo);
	/* graceful: hand over at once (VRRP: a priority-0 advert) rather than let the peer time out. */
	void (*stop)(struct xlb_failover *fo, bool graceful);
	/* One announcement round if master: the peer just became backup (a split healed). */
	void (*announce)(struct xlb_failover *fo);
	/* Its members of xlbctl state. */
	void (*state_json)(const struct xlb_failover *fo, struct xlb_json *j);
	/* Its metric families, in Prometheus' text format (common/prom.h). */
	void (*metrics)(const struct xlb_failover *fo, FILE *f);
};

struct xlb_failover {
	const struct xlb_failover_ops *ops; /* NULL: not running */
	struct xlb_failover_host host;
	void *state; /* the backend's */
};

/* The backend for a failover mode (enum xlb_failover_mode), or NULL for none. */
const struct xlb_failover_ops *xlb_fo_backend(uint8_t mode);

/* Run backend ops for host. 0 or -errno (the backend logged). */
int xlb_fo_start(struct xlb_failover *fo, const struct xlb_failover_ops *ops,
		 const struct xlb_failover_host *host);
/* A no-op on a zeroed or stopped failover. */
void xlb_fo_stop(struct xlb_failover *fo, bool graceful);
void xlb_fo_announce(struct xlb_failover *fo);
void xlb_fo_state_json(const struct xlb_failover *fo, struct xlb_json *j);
void xlb_fo_metrics(const struct xlb_failover *fo, FILE *f);

/* The backends. */
extern const struct xlb_failover_ops xlb_fo_vrrp;
extern const struct xlb_failover_ops xlb_fo_zk;

#endif /* XLB_FAILOVER_H */
