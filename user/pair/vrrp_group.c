// SPDX-License-Identifier: GPL-2.0-only
/* A VRRP sync group's decisions: see vrrp_group.h. */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "pair/vrrp_group.h"

int xlb_vrrp_group_init(struct xlb_vrrp_group *g, const char *name, size_t n,
			const struct xlb_vrrp_group_ops *ops, void *arg)
{
	if (n < 2 || n > XLB_VRRP_GROUP_MAX)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->name = name;
	g->n = n;
	g->ops = ops;
	g->arg = arg;
	return 0;
}

bool xlb_vrrp_group_event(struct xlb_vrrp_group *g, size_t k, enum xlb_vrrp_group_ev ev)
{
	if (k >= g->n || ev == XLB_VRRP_GROUP_NONE)
		return false;
	/*
	 * Only the newest counts: a member that faulted and recovered before the group ran is
	 * well, and one that went master then backup is backup.
	 */
	g->m[k].ev = ev;
	g->m[k].ev_seq = ++g->seq;
	return true;
}

static bool any_fault(const struct xlb_vrrp_group *g)
{
	size_t j;

	for (j = 0; j < g->n; j++)
		if (g->m[j].fault)
			return true;
	return false;
}

static void follow(struct xlb_vrrp_group *g, size_t k, bool master)
{
	size_t j;

	for (j = 0; j < g->n; j++) {
		if (j == k || g->m[j].fault || g->m[j].left)
			continue;
		g->ops->set_master(g, j, master);
		g->followed++;
	}
}

static void act(struct xlb_vrrp_group *g, size_t k, uint8_t ev)
{
	size_t j;

	switch (ev) {
	case XLB_VRRP_GROUP_MASTER:
	case XLB_VRRP_GROUP_BACKUP:
		/* a member the group stopped, or one faulted, has no say (a stale event) */
		if (g->m[k].fault || g->m[k].left)
			return;
		pr_info("vrrp sync group %s: %s is %s: the others follow", g->name,
			g->ops->name(g, k), ev == XLB_VRRP_GROUP_MASTER ? "master" : "backup");
		follow(g, k, ev == XLB_VRRP_GROUP_MASTER);
		return;
	case XLB_VRRP_GROUP_FAULT:
		if (!any_fault(g))
			pr_warn("vrrp sync group %s: %s is faulted: the others leave", g->name,
				g->ops->name(g, k));
		g->m[k].fault = true;
		for (j = 0; j < g->n; j++) {
			if (j == k || g->m[j].fault || g->m[j].left)
				continue;
			g->m[j].left = true;
			g->ops->leave(g, j);
		}
		return;
	case XLB_VRRP_GROUP_RECOVER:
		g->m[k].fault = false;
		if (any_fault(g))
			return;
		for (j = 0; j < g->n; j++) {
			if (!g->m[j].left)
				continue;
			pr_info("vrrp sync group %s: no member is faulted: %s rejoins", g->name,
				g->ops->name(g, j));
			g->m[j].left = false;
			g->ops->rejoin(g, j);
		}
		return;
	default:
		return;
	}
}

void xlb_vrrp_group_run(struct xlb_vrrp_group *g)
{
	for (;;) {
		size_t j, k = g->n;
		uint8_t ev;

		for (j = 0; j < g->n; j++)
			if (g->m[j].ev && (k == g->n || g->m[j].ev_seq < g->m[k].ev_seq))
				k = j;
		if (k == g->n)
			return;
		ev = g->m[k].ev;
		g->m[k].ev = XLB_VRRP_GROUP_NONE;
		act(g, k, ev);
	}
}

bool xlb_vrrp_group_left(const struct xlb_vrrp_group *g, size_t k)
{
	return k < g->n && g->m[k].left;
}
