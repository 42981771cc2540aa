/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Probes that make the kernel resolve a missing next hop (the MACs themselves arrive as
 * neighbour events, common/rtnl_watch.h). DR backends are on-link, so their own address is the
 * neighbour, probed on each interface; a backend reached through the FIB is probed unbound, so
 * its route picks the neighbour (agent/nexthop.h).
 */
#ifndef XLB_NEIGH_H
#define XLB_NEIGH_H

#include <stdint.h>

#include "config/config.h"

/*
 * Make the kernel resolve addr on ifname, or, with ifname NULL, the next hop its route takes:
 * one empty UDP datagram to the discard port.
 */
int xlb_neigh_probe(const char *ifname, const struct xlb_addr *addr);

#endif /* XLB_NEIGH_H */
