/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An active fleet's announcer (announce: {mode: bgp}): a blackhole route per VIP address this
 * node can serve (a /32 or /128) in the routing table announce.table, with announce.protocol,
 * which BIRD's kernel protocol learns and exports over BGP. The routes say nothing about
 * forwarding here (no rule looks that table up); they are how BIRD hears what xlbd serves.
 *
 * What to announce is agent/announce_plan.h's to say; this module feeds it the VIPs (from the
 * lb state) and the links (from the rtnl watch), and makes the table match: at once on a link
 * change, after a reload, and every 200 ms for backend health, which nobody tells. At start it
 * adopts the routes of its table and protocol a crashed run left, and removes those no VIP
 * wants once the links and neighbours are known; at stop it removes every one.
 */
#ifndef XLB_ANNOUNCE_ROUTES_H
#define XLB_ANNOUNCE_ROUTES_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/announce_plan.h"
#include "agent/dps.h"
#include "agent/lb.h"
#include "common/loop.h"
#include "common/rtnl_watch.h"
#include "config/config.h"

struct xlb_json;
struct nlmsghdr;

struct xlb_announce {
	struct xlb_loop *loop;
	struct xlb_rtnl_watch *rtnl;
	const struct xlb_lb *lb;     /* read at each look */
	struct xlb_cfg_announce cfg; /* as started: a reload does not change it */
	char ifnames[XLB_DPS_MAX][IF_NAMESIZE]; /* the interfaces that must be up */
	size_t n_ifnames;
	struct xlb_rtnl_sub sub;
	struct xlb_timer timer;
	struct xlb_addr held[XLB_MAX_VIPS]; /* routes in the kernel's table, ours */
	size_t n_held;
	struct xlb_ann_vip vips[XLB_MAX_VIPS]; /* the last verdicts, by lb's order */
	size_t n_vips;
	struct xlb_ann_links links;
	int last_err; /* the last failure logged, so a retried one is logged once */
	uint64_t added, withdrawn, failed;
	bool on;
};

/*
 * Start announcing cfg's VIPs (cfg->announce.mode must be bgp): adopt what the table holds and
 * follow lb and the links from the loop. 0 or -errno, logged.
 */
int xlb_announce_start(struct xlb_announce *a, struct xlb_loop *loop, struct xlb_rtnl_watch *rtnl,
		       const struct xlb_lb *lb, const struct xlb_config *cfg);
/* The VIPs changed (a reload): look again now. */
void xlb_announce_update(struct xlb_announce *a);
/* Withdraw every route and stop; a no-op when not started. */
void xlb_announce_stop(struct xlb_announce *a);
/* "announce": {mode, table, protocol, routes, vips: [{name, address, announced, reason}]}. */
void xlb_announce_state_json(const struct xlb_announce *a, struct xlb_json *j);

/* The wire, for the tests: a route of the table and protocol of c, as the kernel tells it. */
struct xlb_ann_route {
	struct xlb_addr dst;
	uint8_t dst_len;
	uint32_t metric;
	bool exact; /* a blackhole /32 or /128 of c's metric: what this run would write */
};

/*
 * Build into buf (256 bytes will do) the RTM_NEWROUTE (create, exclusive) of a blackhole route
 * to dst/dst_len in c's table with c's protocol and that metric, or the RTM_DELROUTE of any
 * route of them to dst/dst_len. Returns the message's length.
 */
int xlb_ann_route_msg(void *buf, uint16_t type, const struct xlb_cfg_announce *c,
		      const struct xlb_addr *dst, uint8_t dst_len, uint32_t metric);
/* A route message: 0 and *out when it is of c's table and protocol, -ENOENT when it is another's
 * (or not a route), -EBADMSG when it is malformed. */
int xlb_ann_route_parse(const struct nlmsghdr *nh, const struct xlb_cfg_announce *c,
			struct xlb_ann_route *out);

#endif /* XLB_ANNOUNCE_ROUTES_H */
