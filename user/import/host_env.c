// SPDX-License-Identifier: GPL-2.0-only
/* This machine's answers to the importer's questions. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/*
 * A UDP socket connected to addr (which sends nothing) is bound by the kernel to the source
 * its route would use: RTA_PREFSRC or the output device's address, which xlb_route lacks.
 */
static int host_route_src(void *ctx, const char *addr, char *src, size_t len)
{
	struct sockaddr_storage ss, me;
	socklen_t mlen = sizeof(me);
	unsigned int slen;
	struct xlb_addr a;
	int fd, err = 0;

	(void)ctx;
	err = xlb_addr_parse(addr, &a);
	if (err)
		return err;
	xlb_addr_sockaddr(&a, 9, 0, &ss, &slen); /* any port: nothing is sent */
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, slen) ||
	    getsockname(fd, (struct sockaddr *)&me, &mlen))
		err = -errno;
	close(fd);
	if (err)
		return err;
	if (!inet_ntop(me.ss_family, me.ss_family == AF_INET6 ?
		       (void *)&((struct sockaddr_in6 *)&me)->sin6_addr :
		       (void *)&((struct sockaddr_in *)&me)->sin_addr, src, len))
		return -errno;
	return 0;
}

const struct xlb_import_env xlb_import_host_env = {
	.route_ifname = host_route_ifname,
	.iface_ipv4 = host_iface_ipv4,
	.route_src = host_route_src,
};
