// SPDX-License-Identifier: GPL-2.0-only
#include "agent/announce_plan.h"

const char *xlb_ann_why_name(enum xlb_ann_why why)
{
	switch (why) {
	case XLB_ANN_ANNOUNCED:
		return "announced";
	case XLB_ANN_STOPPING:
		return "stopping";
	case XLB_ANN_LINKS_UNKNOWN:
		return "links not known yet";
	case XLB_ANN_LINK_DOWN:
		return "interface down";
	case XLB_ANN_NO_BACKEND:
		return "no live backend";
	}
	return "unknown";
}

void xlb_ann_decide(struct xlb_ann_vip *vips, size_t n, const struct xlb_ann_links *links,
		    bool stopping)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct xlb_ann_vip *v = &vips[i];

		if (stopping)
			v->why = XLB_ANN_STOPPING;
		else if (!links->known)
			v->why = XLB_ANN_LINKS_UNKNOWN;
		else if (links->down)
			v->why = XLB_ANN_LINK_DOWN;
		else if (!v->live)
			v->why = XLB_ANN_NO_BACKEND;
		else
			v->why = XLB_ANN_ANNOUNCED;
	}
}

bool xlb_ann_wanted(const struct xlb_ann_vip *vips, size_t n, const struct xlb_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (vips[i].why == XLB_ANN_ANNOUNCED && xlb_addr_eq(&vips[i].addr, a))
			return true;
	return false;
}

static bool in(const struct xlb_addr *set, size_t n, const struct xlb_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (xlb_addr_eq(&set[i], a))
			return true;
	return false;
}

size_t xlb_ann_diff(const struct xlb_ann_vip *vips, size_t n, const struct xlb_addr *held,
		    size_t n_held, struct xlb_addr *add, size_t *n_add, struct xlb_addr *del,
		    size_t *n_del)
{
	size_t i;

	*n_add = *n_del = 0;
	for (i = 0; i < n_held; i++)
		if (!xlb_ann_wanted(vips, n, &held[i]) && !in(del, *n_del, &held[i]))
			del[(*n_del)++] = held[i];
	for (i = 0; i < n; i++)
		if (vips[i].why == XLB_ANN_ANNOUNCED && !in(held, n_held, &vips[i].addr) &&
		    !in(add, *n_add, &vips[i].addr))
			add[(*n_add)++] = vips[i].addr;
	return *n_add + *n_del;
}
