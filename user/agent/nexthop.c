// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "agent/neigh.h"
#include "agent/nexthop.h"
#include "common/loop.h"
#include "common/route.h"
#include "dispatch/fwd.h"

/* How often the route of a next hop still not seen is asked for again. */
#define REROUTE_NS (1000ull * XLB_MS)

static bool addr_eq(const struct xlb_addr *a, const struct xlb_addr *b)
{
	return a->family == b->family && !memcmp(a->w, b->w, sizeof(a->w));
}

static struct xlb_nh *find(const struct xlb_nhs *s, const struct xlb_addr *dst)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (addr_eq(&s->v[i].dst, dst))
			return &s->v[i];
	return NULL;
}

/* Ask for nh's route; true when its hop or device changed (it is then not seen). */
static bool route(struct xlb_nh *nh)
{
	struct xlb_route r;
	struct xlb_nh was = *nh;

	nh->routed_ns = xlb_now_ns();
	/* Local, broadcast, ...: nothing the data path could forward to. */
	if (xlb_route_get(&nh->dst, &r) || r.type != RTN_UNICAST || !r.oif) {
		nh->ifindex = 0;
		nh->seen = false;
		return false;
	}
	nh->hop = *xlb_route_hop(&r, &nh->dst);
	nh->ifindex = r.oif;
	if (was.ifindex == nh->ifindex && addr_eq(&was.hop, &nh->hop))
		return false;
	nh->seen = false;
	return true;
}

int xlb_nhs_sync(struct xlb_nhs *s, const struct xlb_lb *lb)
{
	struct xlb_nhs old = *s, nw = {};
	size_t i, j, cap = 0;
	int moved = 0;

	for (i = 0; i < lb->n_vips; i++) {
		const struct xlb_fwd_mode *fwd = xlb_fwd_get(lb->vips[i].val.fwd);

		if (!fwd || fwd->needs_mac)
			continue;
		cap += lb->vips[i].n_backends;
	}
	nw.v = calloc(cap ? cap : 1, sizeof(*nw.v));
	if (!nw.v)
		return -ENOMEM;
	for (i = 0; i < lb->n_vips; i++) {
		const struct xlb_fwd_mode *fwd = xlb_fwd_get(lb->vips[i].val.fwd);

		if (!fwd || fwd->needs_mac)
			continue;
		for (j = 0; j < lb->vips[i].n_backends; j++) {
			const struct xlb_addr *a = &lb->vips[i].backends[j].addr;
			struct xlb_nh *nh;
			const struct xlb_nh *o;

			if (find(&nw, a))
				continue;
			nh = &nw.v[nw.n++];
			o = find(&old, a);
			if (o)
				*nh = *o;
			else
				nh->dst = *a;
			/* A reload is when routes are looked at again, kept backends' too. */
			moved += route(nh);
		}
	}
	free(old.v);
	*s = nw;
	return moved;
}

void xlb_nhs_free(struct xlb_nhs *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

bool xlb_nhs_neigh(struct xlb_nhs *s, const struct xlb_rtnl_neigh *n)
{
	bool usable = xlb_rtnl_neigh_usable(n), lost = false;
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct xlb_nh *nh = &s->v[i];

		if (nh->ifindex != n->ifindex || !addr_eq(&nh->hop, &n->addr))
			continue;
		lost |= nh->seen && !usable;
		nh->seen = usable;
	}
	return lost;
}

void xlb_nhs_forget(struct xlb_nhs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		s->v[i].seen = false;
}

size_t xlb_nhs_probe(struct xlb_nhs *s, size_t *moved)
{
	size_t i, unseen = 0;

	*moved = 0;
	for (i = 0; i < s->n; i++) {
		struct xlb_nh *nh = &s->v[i];

		if (nh->seen)
			continue;
		/* The route may have changed since: follow the hop it takes now. */
		if (xlb_now_ns() - nh->routed_ns >= REROUTE_NS)
			*moved += route(nh);
		if (nh->ifindex)
			xlb_neigh_probe(NULL, &nh->dst);
		unseen++;
	}
	return unseen;
}
