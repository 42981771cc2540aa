/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hot-standby pair, xlbd's side of it: VRRPv3 on the wire (raw IP protocol 112, multicast
 * or unicast peers), the virtual addresses on the interface with GARP / unsolicited NA when
 * master, priority tracking (interfaces, VIPs with no backend up), flow sync's role, notify.
 * The protocol itself is vrrp.c's; this file is its sockets and its effects.
 */
#ifndef XLB_FAILOVER_H
#define XLB_FAILOVER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/loop.h"
#include "common/rtnl_watch.h"
#include "config/config.h"
#include "pair/sync.h"
#include "pair/vrrp.h"

struct xlbd;

struct xlb_failover {
	struct xlbd *d;
	struct xlb_vrrp vr;
	bool vr_ready;
	int ifindex;
	uint8_t mac[6];
	int fd;
	struct xlb_rtnl_watch *rtnl; /* link states, for the fault and the tracked interfaces */
	struct xlb_rtnl_sub link_sub;
	struct xlb_timer track_timer; /* VIP tracks only: links are events */
	uint32_t penalty;
	bool fault; /* its interface is down: VRRP stopped until the link returns */
	struct xlb_sync sync;
	bool sync_on;
};

int xlb_fo_start(struct xlb_failover *fo, struct xlbd *d);
/* graceful: send a priority-0 advert so the backup takes over at once. */
void xlb_fo_stop(struct xlb_failover *fo, bool graceful);
/* One round of GARP / unsolicited NA if master: the peer just became backup (split healed). */
void xlb_fo_announce(struct xlb_failover *fo);
/* Members for xlbctl state. */
struct xlb_json;
void xlb_fo_state_json(const struct xlb_failover *fo, struct xlb_json *j);

#endif /* XLB_FAILOVER_H */
