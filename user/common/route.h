/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's route toward one address, as `ip route get ADDR` shows it: what the output
 * lookup picked, so its gateway and device are the ones a packet from this host would take.
 * xlbd asks it of DR backends (they must be on-link on an interface it runs on) and of
 * backends reached through the FIB (tun, nat), whose next hop it makes the kernel resolve.
 */
#ifndef XLB_ROUTE_H
#define XLB_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"

struct xlb_route {
	unsigned char type; /* RTN_UNICAST, RTN_LOCAL, ... */
	int oif;            /* the device it leaves by; 0 when the kernel named none */
	bool has_gw;
	struct xlb_addr gw; /* the gateway (RTA_GATEWAY, or RTA_VIA: may be of the other family) */
};

/*
 * Ask the kernel (RTM_GETROUTE, a socket of its own; the answer is immediate, as
 * common/rtnl.h explains). 0 and *out, or the kernel's -errno: -ENETUNREACH without a route,
 * -EHOSTUNREACH / -EACCES / -EINVAL for unreachable, prohibit or blackhole routes.
 */
int xlb_route_get(const struct xlb_addr *dst, struct xlb_route *out);

/* The neighbour a packet to dst takes through r: the gateway, else dst itself. */
const struct xlb_addr *xlb_route_hop(const struct xlb_route *r, const struct xlb_addr *dst);

/* A route type's word as `ip route` spells it ("unicast", "local", ...); "type N" else. */
const char *xlb_route_type_name(unsigned char type, char *buf, size_t len);

#endif /* XLB_ROUTE_H */
