/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Next hops of the backends the data path reaches through the FIB (tun, nat: the modes whose
 * row in dispatch/fwd.h needs no MAC). bpf_fib_lookup() only reads the neighbour table: while
 * the kernel holds no usable entry for the route's next hop (the router, for a backend behind
 * one; the backend itself when it is on-link) every packet to it is dropped as drop_no_route,
 * and the kernel never resolves it on its own, since XDP traffic does not go through its stack.
 * So xlbd does what a first packet through the stack would: it asks the kernel for each such
 * backend's route and follows the neighbour entry of its next hop (gateway or backend, on the
 * route's device, which need not be one xlbd runs on); while that entry is missing or unusable
 * it sends a probe to the backend's address, unbound, so the route picks the next hop and the
 * kernel resolves it. No MAC is kept: the FIB gives it to the data path.
 */
#ifndef XLB_NEXTHOP_H
#define XLB_NEXTHOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/lb.h"
#include "common/rtnl_watch.h"

struct xlb_nh {
	struct xlb_addr dst; /* a backend's address */
	struct xlb_addr hop; /* its route's gateway, or dst */
	int ifindex;         /* the route's device; 0 while there is no route */
	bool seen;           /* the kernel holds a usable entry for hop on ifindex */
	uint64_t routed_ns;  /* when its route was last asked for */
};

struct xlb_nhs {
	struct xlb_nh *v; /* one per address: a backend of two VIPs is one next hop */
	size_t n;
};

/*
 * The next hops of lb's backends that need one, after an apply: every one is routed again,
 * kept ones keep what is known of them while their hop stays. Returns how many were added or
 * moved to another hop (a dump of the neighbours then tells whether the kernel holds them
 * already), or -ENOMEM.
 */
int xlb_nhs_sync(struct xlb_nhs *s, const struct xlb_lb *lb);
void xlb_nhs_free(struct xlb_nhs *s);

/* A neighbour event: returns true when a next hop became unusable (probe it now). */
bool xlb_nhs_neigh(struct xlb_nhs *s, const struct xlb_rtnl_neigh *n);
/* A neighbour dump starts: what the kernel holds is told again. */
void xlb_nhs_forget(struct xlb_nhs *s);

/*
 * Probe every next hop not seen, after asking for its route again if that was a while ago (a
 * backend without a route may get one; asking for thousands every probe would cost): returns
 * how many are not seen, and *moved how many routes now take another hop (a dump of the
 * neighbours then tells whether the kernel holds that one).
 */
size_t xlb_nhs_probe(struct xlb_nhs *s, size_t *moved);

#endif /* XLB_NEXTHOP_H */
