// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/neigh.h"

#define XLB_DISCARD_PORT 9

int xlb_neigh_probe(const char *ifname, const struct xlb_addr *addr)
{
	struct sockaddr_storage ss;
	unsigned int sl;
	int fd, err = 0;

	xlb_addr_sockaddr(addr, XLB_DISCARD_PORT, 0, &ss, &sl);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if ((ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1)) ||
	    sendto(fd, "", 0, 0, (struct sockaddr *)&ss, sl) < 0)
		err = -errno;
	close(fd);
	return err;
}
