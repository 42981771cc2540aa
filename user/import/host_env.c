// SPDX-License-Identifier: GPL-2.0-only
/* This machine's answers to the importer's questions. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

#include "common/route.h"
#include "import/import.h"

static int host_route_ifname(void *ctx, const char *addr, char *name, size_t len)
{
	struct xlb_addr a;
	struct xlb_route r;
	char buf[IF_NAMESIZE];
	int err;

	(void)ctx;
	err = xlb_addr_parse(addr, &a);
	if (err)
		return err;
	err = xlb_route_get(&a, &r);
	if (err)
		return err;
	if (!r.oif || !if_indextoname(r.oif, buf))
		return -ENODEV;
	snprintf(name, len, "%s", buf);
	return 0;
}

static int host_iface_ipv4(void *ctx, const char *ifname, char *addr, size_t len)
{
	struct ifaddrs *ifa, *i;
	int ret = -EADDRNOTAVAIL;

	(void)ctx;
	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    !strcmp(i->ifa_name, ifname)) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr, len);
			ret = 0;
			break;
		}
	freeifaddrs(ifa);
	return ret;
}

const struct xlb_import_env xlb_import_host_env = {
	.route_ifname = host_route_ifname,
	.iface_ipv4 = host_iface_ipv4,
};
