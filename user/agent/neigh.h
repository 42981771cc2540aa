/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Next-hop MACs from the kernel's neighbour table (rtnetlink), and probes that make the kernel
 * resolve a missing one. DR backends are on-link, so their own address is the neighbour.
 */
#ifndef XLB_NEIGH_H
#define XLB_NEIGH_H

#include <stdint.h>

#include "config/config.h"

typedef void (*xlb_neigh_cb)(const struct xlb_addr *addr, const uint8_t mac[6], void *arg);

/* Call cb for every usable (resolved, not failed) neighbour on ifindex. Returns 0 or -errno. */
int xlb_neigh_dump(int ifindex, xlb_neigh_cb cb, void *arg);

/* Make the kernel resolve addr on ifname: one empty UDP datagram to the discard port. */
int xlb_neigh_probe(const char *ifname, const struct xlb_addr *addr);

#endif /* XLB_NEIGH_H */
