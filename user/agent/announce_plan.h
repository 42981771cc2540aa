/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which VIP addresses an active fleet's node announces, and what that changes in the kernel's
 * table: the decision without the kernel (agent/announce_routes.h applies it). A VIP is
 * announced while every interface xlbd runs on is up and some backend of it takes new flows
 * (its fallback counts: it serves); a route is per address, so an address shared by several
 * VIPs (ports, protocols) stays while any of them is announced.
 */
#ifndef XLB_ANNOUNCE_PLAN_H
#define XLB_ANNOUNCE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"

/* Why a VIP is, or is not, announced; the order is the order they are judged in. */
enum xlb_ann_why {
	XLB_ANN_ANNOUNCED = 0,
	XLB_ANN_STOPPING,      /* xlbd is stopping: everything is withdrawn */
	XLB_ANN_LINKS_UNKNOWN, /* the kernel has not told the links (and neighbours) yet: nothing
				* changes */
	XLB_ANN_LINK_DOWN,     /* an interface xlbd runs on is down */
	XLB_ANN_NO_BACKEND,    /* no backend takes new flows */
};

/* "announced", "no live backend", ...: what xlbctl state says. */
const char *xlb_ann_why_name(enum xlb_ann_why why);

/* One VIP: its address and health in, the verdict out. */
struct xlb_ann_vip {
	char name[64];
	struct xlb_addr addr;
	bool live; /* some backend (or the fallback) takes new flows */
	enum xlb_ann_why why;
};

/* What the node knows of its interfaces, as the rtnl watch told. */
struct xlb_ann_links {
	bool known;       /* the link and neighbour tables are whole (synced) */
	const char *down; /* an interface xlbd runs on that is down (or absent), NULL if none */
};

/* Judge every VIP: sets each why. */
void xlb_ann_decide(struct xlb_ann_vip *vips, size_t n, const struct xlb_ann_links *links,
		    bool stopping);

/* Does some VIP of vips[0..n) with address a have the verdict announced? */
bool xlb_ann_wanted(const struct xlb_ann_vip *vips, size_t n, const struct xlb_addr *a);

/*
 * The changes that make held (the routes in the kernel) what vips want: del[] gets every held
 * address no announced VIP has, add[] every announced address not held, each once. add and
 * del must have room for n and n_held. Returns the number of changes.
 */
size_t xlb_ann_diff(const struct xlb_ann_vip *vips, size_t n, const struct xlb_addr *held,
		    size_t n_held, struct xlb_addr *add, size_t *n_add, struct xlb_addr *del,
		    size_t *n_del);

#endif /* XLB_ANNOUNCE_PLAN_H */
