// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "agent/onlink.h"
#include "common/route.h"
#include "dispatch/fwd.h"

static const char *ifname_of(int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "#%d", ifindex);
	return buf;
}

/* Why a is not on-link through ifindex[0..n), into why; false when it is. */
static bool not_onlink(const struct xlb_addr *a, const int *ifindex, size_t n, char *why,
		       size_t len)
{
	char gw[INET6_ADDRSTRLEN], dev[IF_NAMESIZE], tb[16];
	struct xlb_route r;
	size_t i, off;
	int err;

	err = xlb_route_get(a, &r);
	if (err) {
		snprintf(why, len, "no route (%s)", strerror(-err));
		return true;
	}
	if (r.type != RTN_UNICAST) {
		snprintf(why, len, "route type %s%s", xlb_route_type_name(r.type, tb, sizeof(tb)),
			 r.type == RTN_LOCAL ? " (an address of this host)" : "");
		return true;
	}
	if (r.has_gw) {
		snprintf(why, len, "route via %s dev %s", xlb_addr_str(&r.gw, gw, sizeof(gw)),
			 ifname_of(r.oif, dev));
		return true;
	}
	for (i = 0; i < n; i++)
		if (ifindex[i] == r.oif)
			return false;
	off = snprintf(why, len, "route dev %s, not in interfaces (", ifname_of(r.oif, dev));
	for (i = 0; i < n && off < len; i++)
		off += snprintf(why + off, len - off, "%s%s", i ? ", " : "",
				ifname_of(ifindex[i], dev));
	if (off < len)
		snprintf(why + off, len - off, ")");
	return true;
}

static int check_one(const struct xlb_fwd_mode *fwd, const struct xlb_addr *a,
		     struct xlb_cfg_pos at, const int *ifindex, size_t n,
		     struct xlb_cfg_errors *errs)
{
	char as[INET6_ADDRSTRLEN], why[128];

	if (!not_onlink(a, ifindex, n, why, sizeof(why)))
		return 0;
	if (xlb_cfg_errors_add(errs, at,
			       "%s is not on-link: %s; %s needs a backend on the interfaces' "
			       "segment; use forwarding: tun or nat",
			       xlb_addr_str(a, as, sizeof(as)), why, fwd->name))
		return -ENOMEM;
	return 1;
}

int xlb_onlink_check(const struct xlb_config *cfg, const int *ifindex, size_t n,
		     struct xlb_cfg_errors *errs)
{
	size_t i, j;
	int added = 0, ret;

	for (i = 0; i < cfg->n_vips; i++) {
		const struct xlb_cfg_vip *v = &cfg->vips[i];
		const struct xlb_fwd_mode *fwd = xlb_fwd_get(v->fwd);

		if (!fwd || !fwd->needs_mac)
			continue;
		for (j = 0; j <= v->n_backends; j++) {
			if (j < v->n_backends)
				ret = check_one(fwd, &v->backends[j].addr, v->backends[j].pos,
						ifindex, n, errs);
			else if (v->fallback.family)
				ret = check_one(fwd, &v->fallback, v->fallback_pos, ifindex, n,
						errs);
			else
				ret = 0;
			if (ret < 0)
				return ret;
			added += ret;
		}
	}
	return added;
}
